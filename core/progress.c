/* core/progress.c — rate-limited progress meter; contract in
 * core/progress.h. */
#define _POSIX_C_SOURCE 200809L
#include "core/progress.h"

#include <math.h>
#include <time.h>
#include <unistd.h>

static double monotonic_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

char *ws_progress_format_eta(double seconds, char *buf, size_t len)
{
    if (!isfinite(seconds) || seconds < 0) {
        snprintf(buf, len, "?:??:??");
        return buf;
    }
    unsigned long s = (unsigned long)(seconds + 0.5);
    snprintf(buf, len, "%lu:%02lu:%02lu", s / 3600, (s / 60) % 60, s % 60);
    return buf;
}

static const char *si(double v, char *buf, size_t len)
{
    static const char suffix[] = " kMGTP";
    int k = 0;
    while (v >= 1000 && k < 5) {
        v /= 1000;
        k++;
    }
    if (k)
        snprintf(buf, len, "%.1f%c", v, suffix[k]);
    else
        snprintf(buf, len, "%.0f", v);
    return buf;
}

void ws_progress_begin(ws_progress *p, FILE *out, bool enabled, const char *label,
                       const char *unit, uint64_t total)
{
    p->active = enabled && out && isatty(fileno(out));
    p->out = out;
    p->label = label;
    p->unit = unit;
    p->total = total;
    p->start_s = monotonic_s();
    p->last_draw_s = 0;
    p->interval_s = 0.2;
}

void ws_progress_update(ws_progress *p, uint64_t done)
{
    if (!p->active)
        return;
    double now = monotonic_s();
    if (now - p->last_draw_s < p->interval_s)
        return;
    p->last_draw_s = now;
    double elapsed = now - p->start_s;
    double rate = elapsed > 0 ? (double)done / elapsed : 0;
    double frac = p->total ? (double)done / (double)p->total : 0;
    char a[16], b[16], r[16], eta[32];   /* the longest ETA, 2^64 s, takes 27 bytes */
    ws_progress_format_eta(rate > 0 ? (double)(p->total - (done < p->total ? done : p->total)) / rate : NAN,
                           eta, sizeof eta);
    fprintf(p->out, "\r%s %5.1f%% %s/%s %s  %s %s/s  ETA %s\033[K", p->label, 100 * frac,
            si((double)done, a, sizeof a), si((double)p->total, b, sizeof b), p->unit,
            si(rate, r, sizeof r), p->unit, eta);
    fflush(p->out);
}

void ws_progress_end(ws_progress *p)
{
    if (!p->active)
        return;
    fputs("\r\033[K", p->out);
    fflush(p->out);
    p->active = false;
}
