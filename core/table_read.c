/* core/table_read.c — reads back ws_table JSON; contract in
 * core/table_read.h. */
#define _POSIX_C_SOURCE 200809L
#include "core/table_read.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_tree.h>

#include "core/xalloc.h"

#define MAX_BYTES (64L * 1024 * 1024)

static char *slurp(const char *path, char *err, size_t err_len)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, err_len, "%s: %s", path, strerror(errno));
        return NULL;
    }
    size_t cap = 65536, len = 0;
    char *buf = ws_xmalloc(cap + 1);
    size_t got;
    while ((got = fread(buf + len, 1, cap - len, f)) > 0) {
        len += got;
        if (len == cap) {
            if ((long)cap >= MAX_BYTES) {
                snprintf(err, err_len, "%s: larger than %ld bytes", path, MAX_BYTES);
                free(buf);
                fclose(f);
                return NULL;
            }
            cap *= 2;
            buf = ws_xrealloc(buf, cap + 1);
        }
    }
    bool bad = ferror(f);
    fclose(f);
    if (bad) {
        snprintf(err, err_len, "%s: read error", path);
        free(buf);
        return NULL;
    }
    buf[len] = '\0';
    return buf;
}

static char *value_text(yajl_val v)
{
    if (YAJL_IS_STRING(v))
        return ws_xstrdup(YAJL_GET_STRING(v));
    if (YAJL_IS_NUMBER(v))
        return ws_xstrdup(YAJL_GET_NUMBER(v));
    if (YAJL_IS_TRUE(v))
        return ws_xstrdup("true");
    if (YAJL_IS_FALSE(v))
        return ws_xstrdup("false");
    return NULL;
}

static yajl_val member(yajl_val obj, const char *key)
{
    const char *path[] = { key, NULL };
    return yajl_tree_get(obj, path, yajl_t_any);
}

static int read_cell(yajl_val v, ws_cell *c)
{
    memset(c, 0, sizeof *c);
    if (YAJL_IS_NULL(v)) {
        c->kind = WS_CELL_EMPTY;
    } else if (YAJL_IS_STRING(v)) {
        c->kind = WS_CELL_STR;
        c->s = ws_xstrdup(YAJL_GET_STRING(v));
    } else if (YAJL_IS_INTEGER(v)) {
        c->kind = WS_CELL_INT;
        c->i = YAJL_GET_INTEGER(v);
    } else if (YAJL_IS_NUMBER(v)) {
        c->kind = WS_CELL_DOUBLE;
        c->d = strtod(YAJL_GET_NUMBER(v), NULL);
    } else {
        return -1;
    }
    return 0;
}

int ws_table_read_json(const char *path, ws_table_data *t, char *err, size_t err_len)
{
    memset(t, 0, sizeof *t);
    char *text = slurp(path, err, err_len);
    if (!text)
        return -1;
    char perr[256] = "";
    yajl_val root = yajl_tree_parse(text, perr, sizeof perr);
    free(text);
    if (!root) {
        char *nl = strchr(perr, '\n');
        if (nl)
            *nl = '\0';
        snprintf(err, err_len, "%s: not JSON: %s", path, perr);
        return -1;
    }
    yajl_val prov = member(root, "provenance"), cols = member(root, "columns"), rows = member(root, "rows");
    if (!YAJL_IS_OBJECT(prov) || !YAJL_IS_ARRAY(cols) || !YAJL_IS_ARRAY(rows)) {
        snprintf(err, err_len, "%s: not a results table (expected \"provenance\", \"columns\" and \"rows\")", path);
        yajl_tree_free(root);
        return -1;
    }
    t->n_prov = prov->u.object.len;
    t->prov_keys = ws_xcalloc(t->n_prov + 1, sizeof *t->prov_keys);
    t->prov_values = ws_xcalloc(t->n_prov + 1, sizeof *t->prov_values);
    for (size_t i = 0; i < t->n_prov; i++) {
        t->prov_keys[i] = ws_xstrdup(prov->u.object.keys[i]);
        t->prov_values[i] = value_text(prov->u.object.values[i]);
    }
    t->n_columns = cols->u.array.len;
    t->columns = ws_xcalloc(t->n_columns + 1, sizeof *t->columns);
    int rc = 0;
    for (size_t j = 0; j < t->n_columns && !rc; j++) {
        if (!YAJL_IS_STRING(cols->u.array.values[j]))
            rc = -1;
        else
            t->columns[j] = ws_xstrdup(YAJL_GET_STRING(cols->u.array.values[j]));
    }
    size_t n_rows = rows->u.array.len;
    t->cells = ws_xcalloc(n_rows * t->n_columns + 1, sizeof *t->cells);
    for (size_t i = 0; i < n_rows && !rc; i++) {
        yajl_val row = rows->u.array.values[i];
        if (!YAJL_IS_OBJECT(row) || row->u.object.len != t->n_columns) {
            rc = -1;
            break;
        }
        t->n_rows = i + 1;
        for (size_t j = 0; j < t->n_columns && !rc; j++)
            if (strcmp(row->u.object.keys[j], t->columns[j]) ||
                read_cell(row->u.object.values[j], &t->cells[i * t->n_columns + j]))
                rc = -1;
    }
    yajl_tree_free(root);
    if (rc) {
        snprintf(err, err_len, "%s: not a results table (columns or rows malformed)", path);
        ws_table_data_free(t);
        return -1;
    }
    return 0;
}

void ws_table_data_free(ws_table_data *t)
{
    for (size_t i = 0; i < t->n_prov; i++) {
        free(t->prov_keys[i]);
        free(t->prov_values[i]);
    }
    free(t->prov_keys);
    free(t->prov_values);
    for (size_t j = 0; j < t->n_columns; j++)
        free(t->columns[j]);
    free(t->columns);
    for (size_t k = 0; k < t->n_rows * t->n_columns; k++)
        if (t->cells[k].kind == WS_CELL_STR)
            free((char *)t->cells[k].s);
    free(t->cells);
    memset(t, 0, sizeof *t);
}

const char *ws_table_data_prov(const ws_table_data *t, const char *key)
{
    for (size_t i = 0; i < t->n_prov; i++)
        if (!strcmp(t->prov_keys[i], key))
            return t->prov_values[i];
    return NULL;
}

ssize_t ws_table_data_column(const ws_table_data *t, const char *name)
{
    for (size_t j = 0; j < t->n_columns; j++)
        if (!strcmp(t->columns[j], name))
            return (ssize_t)j;
    return -1;
}

const ws_cell *ws_table_data_cell(const ws_table_data *t, size_t row, size_t col)
{
    return &t->cells[row * t->n_columns + col];
}
