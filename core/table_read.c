/* core/table_read.c — reads back ws_table JSON and CSV; contract in
 * core/table_read.h. */
#define _POSIX_C_SOURCE 200809L
#include "core/table_read.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_tree.h>

#include "core/units.h"
#include "core/xalloc.h"

#define MAX_BYTES (64L * 1024 * 1024)

/* The whole stream, NUL-terminated, its length in *len_out. */
static char *slurp_stream(FILE *f, const char *name, size_t *len_out, char *err, size_t err_len)
{
    size_t cap = 65536, len = 0;
    char *buf = ws_xmalloc(cap + 1);
    size_t got;
    while ((got = fread(buf + len, 1, cap - len, f)) > 0) {
        len += got;
        if (len == cap) {
            if ((long)cap >= MAX_BYTES) {
                snprintf(err, err_len, "%s: larger than %ld bytes", name, MAX_BYTES);
                free(buf);
                return NULL;
            }
            cap *= 2;
            buf = ws_xrealloc(buf, cap + 1);
        }
    }
    if (ferror(f)) {
        snprintf(err, err_len, "%s: read error", name);
        free(buf);
        return NULL;
    }
    buf[len] = '\0';
    *len_out = len;
    return buf;
}

static FILE *open_read(const char *path, char *err, size_t err_len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        snprintf(err, err_len, "%s: %s", path, strerror(errno));
    return f;
}

static char *slurp(const char *path, size_t *len_out, char *err, size_t err_len)
{
    FILE *f = open_read(path, err, err_len);
    if (!f)
        return NULL;
    char *buf = slurp_stream(f, path, len_out, err, err_len);
    fclose(f);
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
    size_t len;
    char *text = slurp(path, &len, err, err_len);
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

/* ------------------------------------------------------------ CSV */

typedef struct csv_reader {
    const char *name;
    const char *s, *end;       /* next byte, end of text */
    const char *line_start;    /* first byte of the current line */
    size_t line;               /* 1-based */
    char *scratch;             /* a field being unquoted (as long as the text) */
    char *err;
    size_t err_len;
} csv_reader;

typedef struct csv_record {
    size_t n, cap;
    char **fields;
    size_t *line, *col;        /* where each field starts */
    size_t end_line, end_col;  /* where the record ends */
} csv_record;

static size_t csv_col(const csv_reader *r, const char *at)
{
    return (size_t)(at - r->line_start) + 1;
}

static int csv_fail(csv_reader *r, size_t line, size_t col, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int csv_fail(csv_reader *r, size_t line, size_t col, const char *fmt, ...)
{
    int n = snprintf(r->err, r->err_len, "%s:%zu:%zu: ", r->name, line, col);
    if (n >= 0 && (size_t)n < r->err_len) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(r->err + n, r->err_len - (size_t)n, fmt, ap);
        va_end(ap);
    }
    return -1;
}

static void record_clear(csv_record *rec)
{
    for (size_t i = 0; i < rec->n; i++)
        free(rec->fields[i]);
    rec->n = 0;
}

static void record_free(csv_record *rec)
{
    record_clear(rec);
    free(rec->fields);
    free(rec->line);
    free(rec->col);
}

static char *dup_range(const char *from, const char *to)
{
    char *s = ws_xmalloc((size_t)(to - from) + 1);
    memcpy(s, from, (size_t)(to - from));
    s[to - from] = '\0';
    return s;
}

static void record_push(csv_record *rec, char *text, size_t line, size_t col)
{
    if (rec->n == rec->cap) {
        rec->cap = rec->cap ? 2 * rec->cap : 16;
        rec->fields = ws_xrealloc(rec->fields, rec->cap * sizeof *rec->fields);
        rec->line = ws_xrealloc(rec->line, rec->cap * sizeof *rec->line);
        rec->col = ws_xrealloc(rec->col, rec->cap * sizeof *rec->col);
    }
    rec->fields[rec->n] = text;
    rec->line[rec->n] = line;
    rec->col[rec->n] = col;
    rec->n++;
}

/* At a line end (LF or CRLF)? Returns its length, 0 if not. */
static size_t csv_eol(const csv_reader *r, const char *p)
{
    if (p < r->end && *p == '\n')
        return 1;
    if (p + 1 < r->end && p[0] == '\r' && p[1] == '\n')
        return 2;
    return 0;
}

static void csv_next_line(csv_reader *r, size_t eol)
{
    r->s += eol;
    r->line++;
    r->line_start = r->s;
}

/* One field from r->s, which is at its first byte; leaves r->s on the
 * byte after it (a comma, a line end or the end of the text). */
static int read_field(csv_reader *r, csv_record *rec)
{
    size_t line = r->line, col = csv_col(r, r->s);
    char *w = r->scratch;
    if (r->s < r->end && *r->s == '"') {
        r->s++;
        for (;;) {
            size_t eol;
            if (r->s == r->end) {
                return csv_fail(r, line, col, "unterminated quoted field (its closing '\"' is missing)");
            } else if (*r->s == '"' && r->s + 1 < r->end && r->s[1] == '"') {
                *w++ = '"';
                r->s += 2;
            } else if (*r->s == '"') {
                r->s++;
                break;
            } else if ((eol = csv_eol(r, r->s)) > 0) {
                memcpy(w, r->s, eol);
                w += eol;
                csv_next_line(r, eol);
            } else {
                *w++ = *r->s++;
            }
        }
        if (r->s < r->end && *r->s != ',' && !csv_eol(r, r->s))
            return csv_fail(r, r->line, csv_col(r, r->s),
                            "expected ',' or the end of the line after a quoted field, found '%c'", *r->s);
    } else {
        while (r->s < r->end && *r->s != ',' && !csv_eol(r, r->s)) {
            if (*r->s == '"' || *r->s == '\r')
                return csv_fail(r, r->line, csv_col(r, r->s), "%s", *r->s == '"'
                                ? "'\"' inside an unquoted field (a field holding quotes must be quoted)"
                                : "carriage return not followed by a line feed");
            *w++ = *r->s++;
        }
    }
    record_push(rec, dup_range(r->scratch, w), line, col);
    return 0;
}

/* One record from r->s (at the start of a line that is neither blank nor
 * a comment); leaves r->s at the start of the next line. */
static int read_record(csv_reader *r, csv_record *rec)
{
    record_clear(rec);
    for (;;) {
        if (read_field(r, rec))
            return -1;
        if (r->s < r->end && *r->s == ',') {
            r->s++;
            continue;
        }
        rec->end_line = r->line;
        rec->end_col = csv_col(r, r->s);
        size_t eol = csv_eol(r, r->s);
        if (eol)
            csv_next_line(r, eol);
        return 0;
    }
}

/* "# key: value" before the header: a provenance entry. */
static void read_comment(csv_reader *r, ws_table_data *t, bool before_header)
{
    const char *p = r->s, *eol = memchr(p, '\n', (size_t)(r->end - p));
    size_t len = (size_t)((eol ? eol : r->end) - p);
    if (len && p[len - 1] == '\r')
        len--;
    const char *colon = len > 2 && p[1] == ' ' ? memchr(p + 2, ':', len - 2) : NULL;
    if (before_header && colon && colon + 1 < p + len && colon[1] == ' ') {
        t->prov_keys = ws_xrealloc(t->prov_keys, (t->n_prov + 2) * sizeof *t->prov_keys);
        t->prov_values = ws_xrealloc(t->prov_values, (t->n_prov + 2) * sizeof *t->prov_values);
        t->prov_keys[t->n_prov] = dup_range(p + 2, colon);
        t->prov_values[t->n_prov] = dup_range(colon + 2, p + len);
        t->n_prov++;
    }
    r->s = eol ? eol : r->end;
    if (eol)
        csv_next_line(r, 1);
}

/* A field's cell: a number only when its text is the one written back. */
static void csv_cell(char *text, ws_cell *c)
{
    char back[WS_TABLE_CELL_TEXT_MAX], *end;
    memset(c, 0, sizeof *c);
    if (!*text) {
        c->kind = WS_CELL_EMPTY;
        free(text);
        return;
    }
    /* out of range (ERANGE) reads back as another text: no errno needed */
    int saved = errno;
    long long i = strtoll(text, &end, 10);
    bool is_int = !*end;
    double d = strtod(text, &end);
    bool is_double = !*end;
    errno = saved;
    if (is_int && (snprintf(back, sizeof back, "%lld", i), !strcmp(back, text))) {
        c->kind = WS_CELL_INT;
        c->i = i;
        free(text);
    } else if (is_double && !strcmp(ws_format_double(d, back, sizeof back), text)) {
        c->kind = WS_CELL_DOUBLE;
        c->d = d;
        free(text);
    } else {
        c->kind = WS_CELL_STR;
        c->s = text;
    }
}

static int csv_add_row(csv_reader *r, ws_table_data *t, csv_record *rec, size_t line, size_t *cap)
{
    if (rec->n != t->n_columns) {
        bool more = rec->n > t->n_columns;
        return csv_fail(r, more ? rec->line[t->n_columns] : rec->end_line,
                        more ? rec->col[t->n_columns] : rec->end_col,
                        "expected %zu fields as in the header (line %zu), found %s%zu", t->n_columns,
                        t->header_line, more ? "more: " : "", rec->n);
    }
    if (t->n_rows == *cap) {
        *cap = *cap ? 2 * *cap : 64;
        t->cells = ws_xrealloc(t->cells, *cap * t->n_columns * sizeof *t->cells);
        t->row_lines = ws_xrealloc(t->row_lines, *cap * sizeof *t->row_lines);
    }
    for (size_t j = 0; j < rec->n; j++)
        csv_cell(rec->fields[j], &t->cells[t->n_rows * t->n_columns + j]);
    rec->n = 0;                                  /* the cells own the texts */
    t->row_lines[t->n_rows++] = line;
    return 0;
}

static int parse_csv(csv_reader *r, ws_table_data *t)
{
    csv_record rec = { 0 };
    size_t cap = 0;
    int rc = 0;
    while (!rc && r->s < r->end) {
        size_t eol = csv_eol(r, r->s), line = r->line;
        if (eol) {
            csv_next_line(r, eol);                 /* a blank line */
        } else if (*r->s == '#') {
            read_comment(r, t, t->columns == NULL);
        } else if ((rc = read_record(r, &rec)) == 0 && t->columns == NULL) {
            t->header_line = line;
            t->n_columns = rec.n;
            t->columns = rec.fields;
            rec.fields = NULL;
            rec.n = rec.cap = 0;
            free(rec.line), free(rec.col);
            rec.line = rec.col = NULL;
        } else if (!rc) {
            rc = csv_add_row(r, t, &rec, line, &cap);
        }
    }
    record_free(&rec);
    if (!rc && t->columns == NULL)
        rc = csv_fail(r, r->line, 1, "no header line (the file holds only comments or blank lines)");
    return rc;
}

int ws_table_read_csv_stream(FILE *f, const char *name, ws_table_data *t, char *err, size_t err_len)
{
    memset(t, 0, sizeof *t);
    size_t len;
    char *text = slurp_stream(f, name, &len, err, err_len);
    if (!text)
        return -1;
    csv_reader r = { .name = name, .s = text, .end = text + len, .line_start = text, .line = 1,
                     .err = err, .err_len = err_len };
    const char *nul = memchr(text, '\0', len);
    int rc;
    if (nul) {
        r.end = nul;
        while (r.s < r.end) {                      /* find its line */
            size_t eol = csv_eol(&r, r.s);
            if (eol)
                csv_next_line(&r, eol);
            else
                r.s++;
        }
        rc = csv_fail(&r, r.line, csv_col(&r, nul), "NUL byte (not a text file)");
    } else {
        r.scratch = ws_xmalloc(len + 1);
        rc = parse_csv(&r, t);
        free(r.scratch);
    }
    free(text);
    if (rc)
        ws_table_data_free(t);
    return rc;
}

int ws_table_read_csv(const char *path, ws_table_data *t, char *err, size_t err_len)
{
    memset(t, 0, sizeof *t);
    FILE *f = open_read(path, err, err_len);
    if (!f)
        return -1;
    int rc = ws_table_read_csv_stream(f, path, t, err, err_len);
    fclose(f);
    return rc;
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
    free(t->row_lines);
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

const char *ws_table_data_text(const ws_table_data *t, size_t row, size_t col,
                               char buf[WS_TABLE_CELL_TEXT_MAX])
{
    const ws_cell *c = ws_table_data_cell(t, row, col);
    switch (c->kind) {
    case WS_CELL_STR: return c->s;
    case WS_CELL_INT: snprintf(buf, WS_TABLE_CELL_TEXT_MAX, "%" PRId64, c->i); return buf;
    case WS_CELL_DOUBLE: return ws_format_double(c->d, buf, WS_TABLE_CELL_TEXT_MAX);
    default: return "";
    }
}

size_t ws_table_data_line(const ws_table_data *t, size_t row)
{
    return t->row_lines ? t->row_lines[row] : 0;
}
