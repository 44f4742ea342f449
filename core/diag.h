/* core/diag.h — collected diagnostics about bad input.
 *
 * Contract
 *   A ws_diag gathers error messages about one piece of input (a config
 *   file and its overrides, a command line) instead of stopping at the
 *   first. Each message has a position (file, line, column; line and column
 *   start at 1, 0 means unknown), a key path ("hw.link.bandwidth", may be
 *   empty) and text. Messages are kept in the order reported, up to `limit`
 *   of them; further ones are counted but not stored.
 *
 *   ws_diag_print() writes one line per message, sorted by file, line and
 *   column (ties in the order reported):
 *     FILE:LINE:COLUMN: error: KEY.PATH: TEXT
 *   (the ":LINE:COLUMN" and "KEY.PATH: " parts are left out when unknown),
 *   then "N more errors not shown" when the limit was hit.
 *
 *   Exit status convention of the whole program (see doc/wafersim.1):
 *   WS_EXIT_OK 0, WS_EXIT_RUNTIME 1, WS_EXIT_BAD_INPUT 2, WS_EXIT_NO_PROGRESS 3.
 */
#ifndef WS_DIAG_H
#define WS_DIAG_H

#include <stddef.h>
#include <stdio.h>

enum { WS_EXIT_OK = 0, WS_EXIT_RUNTIME = 1, WS_EXIT_BAD_INPUT = 2, WS_EXIT_NO_PROGRESS = 3 };

typedef struct ws_pos {
    const char *file;   /* not owned; must outlive the diag */
    unsigned line;
    unsigned column;
} ws_pos;

typedef struct ws_diag_msg {
    char *file;
    unsigned line, column;
    char *key_path;
    char *text;
} ws_diag_msg;

typedef struct ws_diag {
    ws_diag_msg *msgs;
    size_t n_stored, n_total, limit;
} ws_diag;

#define WS_DIAG_DEFAULT_LIMIT 50

void ws_diag_init(ws_diag *d, size_t limit);
void ws_diag_free(ws_diag *d);
void ws_diag_error(ws_diag *d, ws_pos pos, const char *key_path, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
size_t ws_diag_count(const ws_diag *d);
void ws_diag_print(const ws_diag *d, FILE *out);

#endif
