/* workload/trace_import.c — directory walk and import loop; contract in
 * workload/trace_import.h. */
#define _POSIX_C_SOURCE 200809L
#include "workload/trace_import.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/diag.h"
#include "core/progress.h"
#include "core/xalloc.h"
#include "workload/trace_json.h"
#include "workload/trace_writer.h"

#define MAX_DEPTH 64

int wl_natural_cmp(const char *a, const char *b)
{
    const char *x = a, *y = b;
    while (*x && *y) {
        if (*x >= '0' && *x <= '9' && *y >= '0' && *y <= '9') {
            while (*x == '0' && x[1] >= '0' && x[1] <= '9')
                x++;
            while (*y == '0' && y[1] >= '0' && y[1] <= '9')
                y++;
            size_t lx = strspn(x, "0123456789"), ly = strspn(y, "0123456789");
            if (lx != ly)
                return lx < ly ? -1 : 1;
            int c = memcmp(x, y, lx);
            if (c)
                return c < 0 ? -1 : 1;
            x += lx;
            y += ly;
        } else {
            if (*x != *y)
                return (unsigned char)*x < (unsigned char)*y ? -1 : 1;
            x++;
            y++;
        }
    }
    if (*x || *y)
        return *x ? 1 : -1;
    int c = strcmp(a, b);
    return c < 0 ? -1 : c > 0;
}

static int cmp_names(const void *a, const void *b)
{
    return wl_natural_cmp(*(char *const *)a, *(char *const *)b);
}

static bool ends_with_json(const char *name)
{
    size_t n = strlen(name);
    return n > 5 && !strcmp(name + n - 5, ".json");
}

typedef struct walker {
    const wl_model *m;
    wl_json_parser *parser;
    wl_trace_writer *writer;     /* NULL during the size pre-scan */
    wl_import_on_error on_error;
    FILE *log;
    wl_import_summary *s;
    ws_progress progress;
    uint64_t total_bytes;        /* pre-scan result */
    int status;                  /* first fatal status, 0 while going on */
} walker;

static void report(walker *w, const char *path, const wl_json_error *e)
{
    if (e->line)
        fprintf(w->log, "%s:%u:%u: error: %s\n", path, e->line, e->column, e->message);
    else
        fprintf(w->log, "%s: error: %s\n", path, e->message);
}

static void import_file(walker *w, const char *path, const char *name, uint64_t size)
{
    if (!w->writer) {
        w->total_bytes += size;
        return;
    }
    w->s->files++;
    w->s->json_bytes += size;
    wl_json_request r;
    wl_json_error e;
    if (wl_json_parse_file(w->parser, path, &r, &e) != 0) {
        report(w, path, &e);
        w->s->skipped++;
        if (w->on_error == WL_IMPORT_FATAL)
            w->status = WS_EXIT_BAD_INPUT;
    } else {
        char err[512];
        if (wl_trace_writer_add(w->writer, name, r.prompt_len, r.decode_len, r.source_decode_len, r.ids, err,
                                sizeof err) != 0) {
            fprintf(w->log, "%s: error: %s\n", path, err);
            w->s->skipped++;
            if (w->on_error == WL_IMPORT_FATAL)
                w->status = WS_EXIT_BAD_INPUT;
        } else {
            w->s->imported++;
            w->s->prefill_tokens += r.prompt_len;
            w->s->decode_tokens += r.decode_len;
            if (r.source_decode_len > r.decode_len)
                w->s->capped++;
        }
    }
    ws_progress_update(&w->progress, w->s->json_bytes);
}

static char *join(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    char *out = ws_xmalloc(la + lb + 2);
    memcpy(out, a, la);
    size_t n = la;
    if (n && out[n - 1] != '/')
        out[n++] = '/';
    memcpy(out + n, b, lb + 1);
    return out;
}

static void walk_dir(walker *w, const char *dir, const char *rel, int depth)
{
    if (depth > MAX_DEPTH) {
        fprintf(w->log, "%s: error: more than %d directory levels (a symbolic link loop?); not descending\n",
                dir, MAX_DEPTH);
        return;
    }
    DIR *dp = opendir(dir);
    if (!dp) {
        fprintf(w->log, "%s: error: cannot read directory: %s\n", dir, strerror(errno));
        if (w->writer && w->on_error == WL_IMPORT_FATAL)
            w->status = WS_EXIT_BAD_INPUT;
        return;
    }
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *de;
    while ((de = readdir(dp))) {
        if (de->d_name[0] == '.')
            continue;
        if (n == cap) {
            cap = cap ? 2 * cap : 64;
            names = ws_xrealloc(names, cap * sizeof *names);
        }
        names[n++] = ws_xstrdup(de->d_name);
    }
    closedir(dp);
    if (n)
        qsort(names, n, sizeof *names, cmp_names);
    for (size_t i = 0; i < n && !w->status; i++) {
        char *path = join(dir, names[i]);
        char *name = *rel ? join(rel, names[i]) : ws_xstrdup(names[i]);
        struct stat st;
        if (stat(path, &st) != 0) {
            fprintf(w->log, "%s: error: %s\n", path, strerror(errno));
        } else if (S_ISDIR(st.st_mode)) {
            walk_dir(w, path, name, depth + 1);
        } else if (S_ISREG(st.st_mode) && ends_with_json(names[i])) {
            import_file(w, path, name, (uint64_t)st.st_size);
        } else if (w->writer) {
            w->s->ignored++;
        }
        free(name);
        free(path);
    }
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
}

static void walk_inputs(walker *w, const char *const *inputs, size_t n_inputs)
{
    for (size_t i = 0; i < n_inputs && !w->status; i++) {
        struct stat st;
        if (stat(inputs[i], &st) != 0)
            continue;   /* checked before */
        if (S_ISDIR(st.st_mode)) {
            walk_dir(w, inputs[i], "", 0);
        } else {
            const char *name = inputs[i];
            while (name[0] == '.' && name[1] == '/')
                name += 2;
            import_file(w, inputs[i], name, (uint64_t)st.st_size);
        }
    }
}

int wl_import(const wl_model *m, const char *const *inputs, size_t n_inputs, const char *out_path,
              wl_import_on_error on_error, bool progress, FILE *log, wl_import_summary *s)
{
    memset(s, 0, sizeof *s);
    for (size_t i = 0; i < n_inputs; i++) {
        struct stat st;
        if (stat(inputs[i], &st) != 0) {
            fprintf(log, "%s: error: %s\n", inputs[i], strerror(errno));
            return WS_EXIT_BAD_INPUT;
        }
        if (!S_ISDIR(st.st_mode) && !S_ISREG(st.st_mode)) {
            fprintf(log, "%s: error: neither a directory nor a regular file\n", inputs[i]);
            return WS_EXIT_BAD_INPUT;
        }
    }
    walker w;
    memset(&w, 0, sizeof w);
    w.m = m;
    w.on_error = on_error;
    w.log = log;
    w.s = s;
    if (progress && isatty(fileno(stderr)))
        walk_inputs(&w, inputs, n_inputs);   /* sizes only, for the meter */
    char err[512];
    wl_trace_shape shape = wl_trace_shape_of(m);
    w.writer = wl_trace_writer_open(out_path, &shape, err, sizeof err);
    if (!w.writer) {
        fprintf(log, "%s: error: %s\n", out_path, err);
        return WS_EXIT_RUNTIME;
    }
    w.parser = wl_json_parser_new(m);
    ws_progress_begin(&w.progress, stderr, progress, "import", "B", w.total_bytes);
    walk_inputs(&w, inputs, n_inputs);
    ws_progress_end(&w.progress);
    wl_json_parser_free(w.parser);
    if (!w.status && s->imported == 0) {
        fprintf(log, "error: no request imported (%llu JSON file%s found, %llu skipped); nothing written\n",
                (unsigned long long)s->files, s->files == 1 ? "" : "s", (unsigned long long)s->skipped);
        w.status = WS_EXIT_BAD_INPUT;
    }
    if (w.status) {
        wl_trace_writer_abort(w.writer);
        return w.status;
    }
    if (wl_trace_writer_commit(w.writer, err, sizeof err) != 0) {
        fprintf(log, "error: %s\n", err);
        return WS_EXIT_RUNTIME;
    }
    return WS_EXIT_OK;
}
