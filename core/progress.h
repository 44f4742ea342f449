/* core/progress.h — a progress line with ETA on stderr for long runs.
 *
 * Contract
 *   ws_progress_begin() starts a meter for `total` units of work (ticks,
 *   points, requests; `unit` names them). It is active only when `enabled`
 *   is true and the stream is a terminal (so logs and CI stay clean);
 *   otherwise every call is a no-op. ws_progress_update() redraws at most
 *   every `interval_s` seconds (0.2 s by default): "label  42.0% 1.2M/2.9M
 *   ticks  3.1M ticks/s  ETA 0:00:05". ws_progress_end() clears the line.
 *   The meter reads the monotonic clock; it never influences results.
 */
#ifndef WS_PROGRESS_H
#define WS_PROGRESS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

typedef struct ws_progress {
    bool active;
    FILE *out;
    const char *label, *unit;
    uint64_t total;
    double start_s, last_draw_s, interval_s;
} ws_progress;

void ws_progress_begin(ws_progress *p, FILE *out, bool enabled, const char *label,
                       const char *unit, uint64_t total);
void ws_progress_update(ws_progress *p, uint64_t done);
void ws_progress_end(ws_progress *p);

/* Formats "h:mm:ss" into buf (used by the meter; exposed for tests). */
char *ws_progress_format_eta(double seconds, char *buf, size_t len);

#endif
