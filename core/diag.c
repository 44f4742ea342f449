/* core/diag.c — collected diagnostics; contract in core/diag.h. */
#include "core/diag.h"

#include "core/xalloc.h"
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

void ws_diag_init(ws_diag *d, size_t limit)
{
    d->msgs = NULL;
    d->n_stored = d->n_total = 0;
    d->limit = limit ? limit : WS_DIAG_DEFAULT_LIMIT;
}

void ws_diag_free(ws_diag *d)
{
    for (size_t i = 0; i < d->n_stored; i++) {
        free(d->msgs[i].file);
        free(d->msgs[i].key_path);
        free(d->msgs[i].text);
    }
    free(d->msgs);
    d->msgs = NULL;
    d->n_stored = d->n_total = 0;
}

void ws_diag_error(ws_diag *d, ws_pos pos, const char *key_path, const char *fmt, ...)
{
    d->n_total++;
    if (d->n_stored >= d->limit)
        return;
    if (d->n_stored == 0 || (d->n_stored & (d->n_stored - 1)) == 0) {
        size_t cap = d->n_stored ? d->n_stored * 2 : 4;
        ws_diag_msg *m = ws_xrealloc(d->msgs, cap * sizeof *m);
        d->msgs = m;
    }
    char text[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    ws_diag_msg *m = &d->msgs[d->n_stored++];
    m->file = pos.file && *pos.file ? ws_xstrdup(pos.file) : NULL;
    m->line = pos.line;
    m->column = pos.column;
    m->key_path = key_path && *key_path ? ws_xstrdup(key_path) : NULL;
    m->text = *text ? ws_xstrdup(text) : NULL;
}

size_t ws_diag_count(const ws_diag *d)
{
    return d->n_total;
}

/* Messages print in file order (by file, line, column), so a reader can
 * walk down the file; ties keep the order reported. */
static int msg_cmp(const void *a, const void *b)
{
    const ws_diag_msg *x = *(const ws_diag_msg *const *)a, *y = *(const ws_diag_msg *const *)b;
    int c = strcmp(x->file ? x->file : "", y->file ? y->file : "");
    if (c)
        return c;
    if (x->line != y->line)
        return x->line < y->line ? -1 : 1;
    if (x->column != y->column)
        return x->column < y->column ? -1 : 1;
    return x < y ? -1 : (x > y);
}

void ws_diag_print(const ws_diag *d, FILE *out)
{
    const ws_diag_msg **order = ws_xmalloc((d->n_stored ? d->n_stored : 1) * sizeof *order);
    for (size_t i = 0; i < d->n_stored; i++)
        order[i] = &d->msgs[i];
    qsort(order, d->n_stored, sizeof *order, msg_cmp);
    for (size_t i = 0; i < d->n_stored; i++) {
        const ws_diag_msg *m = order[i];
        fputs(m->file ? m->file : "wafersim", out);
        if (m->line)
            fprintf(out, ":%u:%u", m->line, m->column);
        fputs(": error: ", out);
        if (m->key_path)
            fprintf(out, "%s: ", m->key_path);
        fprintf(out, "%s\n", m->text ? m->text : "");
    }
    free(order);
    if (d->n_total > d->n_stored)
        fprintf(out, "%zu more error%s not shown\n", d->n_total - d->n_stored,
                d->n_total - d->n_stored == 1 ? "" : "s");
}
