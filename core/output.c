/* core/output.c — result tables with provenance, rendered as an aligned text
 * table, RFC 4180 CSV or JSON, and written atomically. See core/output.h for
 * the contract.
 */
#define _POSIX_C_SOURCE 200809L

#ifdef HAVE_CONFIG_H
/* <config.h>, not "config.h": the quoted form would find core/config.h
 * (the experiment config module) before autoconf's header. */
#include <config.h>
#endif
#include "core/ws_revision.h"

#include "core/output.h"

#include "core/atomic_file.h"
#include "core/xalloc.h"
#include "core/units.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#ifndef PACKAGE_VERSION
#error "PACKAGE_VERSION undefined: build with -DHAVE_CONFIG_H and autoconf's config.h on the include path"
#endif

/* Big enough for any ws_format_double / "%.17g" / PRId64 text. */
#define NUM_BUF 48

typedef enum cell_kind { CELL_EMPTY = 0, CELL_STR, CELL_INT, CELL_DBL } cell_kind;

typedef struct cell {
    cell_kind kind;
    union {
        char *s;
        int64_t i;
        double d;
    } u;
} cell;

struct ws_table {
    char *title;
    size_t n_cols;
    char **cols;
    size_t n_rows;
    size_t cap_rows;
    cell *cells;          /* n_rows * n_cols, row-major */
};

/* ------------------------------------------------------------ helpers */

static _Noreturn void die(const char *fmt, ...)
#ifdef __GNUC__
    __attribute__((format(printf, 1, 2)))
#endif
    ;

static _Noreturn void die(const char *fmt, ...)
{
    va_list ap;
    fputs("wafersim: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    abort();
}

/* ------------------------------------------------------------ provenance */

/* Parses SOURCE_DATE_EPOCH: only a non-empty run of decimal digits that fits
 * in time_t is valid. */
static int source_date_epoch(time_t *out)
{
    const char *s = getenv("SOURCE_DATE_EPOCH");
    if (s == NULL || *s == '\0')
        return -1;
    uintmax_t v = 0;
    for (const char *c = s; *c; c++) {
        if (*c < '0' || *c > '9')
            return -1;
        unsigned d = (unsigned)(*c - '0');
        if (v > (UINTMAX_MAX - d) / 10)
            return -1;
        v = v * 10 + d;
    }
    time_t t = (time_t)v;
    if (t < 0 || (uintmax_t)t != v)
        return -1;
    *out = t;
    return 0;
}

static int format_date(time_t t, char *buf, size_t len)
{
    struct tm tm;
    if (gmtime_r(&t, &tm) == NULL)
        return -1;
    return strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0 ? -1 : 0;
}

void ws_provenance_init(ws_provenance *p, const char *command)
{
    memset(p, 0, sizeof *p);
    p->command = command;
    p->version = PACKAGE_VERSION;
    p->revision = WS_REVISION;

    time_t t;
    if (source_date_epoch(&t) == 0 && format_date(t, p->date, sizeof p->date) == 0)
        return;
    if (format_date(time(NULL), p->date, sizeof p->date) != 0)
        p->date[0] = '\0';                     /* prints as "unknown" */
}

enum { PROV_N = 7 };
static const char *const prov_keys[PROV_N] = {
    "command", "wafersim_version", "revision", "config", "config_hash", "seed", "date",
};

static const char *or_unknown(const char *s)
{
    return (s == NULL || *s == '\0') ? "unknown" : s;
}

/* Text values of the provenance fields, in prov_keys order. */
static void prov_values(const ws_provenance *p, const char *vals[PROV_N], char seed_buf[NUM_BUF])
{
    vals[0] = or_unknown(p->command);
    vals[1] = or_unknown(p->version);
    vals[2] = or_unknown(p->revision);
    vals[3] = p->config_path == NULL ? "none" : or_unknown(p->config_path);
    vals[4] = or_unknown(p->config_hash);
    if (p->has_seed) {
        snprintf(seed_buf, NUM_BUF, "%" PRIu64, p->seed);
        vals[5] = seed_buf;
    } else {
        vals[5] = "none";
    }
    vals[6] = or_unknown(p->date);
}

void ws_provenance_each(const ws_provenance *p, void (*fn)(const char *key, const char *value, void *ctx),
                        void *ctx)
{
    const char *vals[PROV_N];
    char seed_buf[NUM_BUF];
    prov_values(p, vals, seed_buf);
    for (int k = 0; k < PROV_N; k++)
        fn(prov_keys[k], vals[k], ctx);
}

/* ------------------------------------------------------------ table */

ws_table *ws_table_new(const char *title, size_t n_columns, const char *const *column_names)
{
    if (n_columns == 0 || column_names == NULL)
        die("ws_table_new: a table needs at least one named column");
    ws_table *t = ws_xmalloc(sizeof *t);
    t->title = ws_xstrdup(title ? title : "");
    t->n_cols = n_columns;
    if (n_columns > SIZE_MAX / sizeof *t->cols)
        die("ws_table_new: too many columns (%zu)", n_columns);
    t->cols = ws_xmalloc(n_columns * sizeof *t->cols);
    for (size_t j = 0; j < n_columns; j++) {
        if (column_names[j] == NULL)
            die("ws_table_new: column %zu of table '%s' has no name", j, t->title);
        t->cols[j] = ws_xstrdup(column_names[j]);
    }
    t->n_rows = 0;
    t->cap_rows = 0;
    t->cells = NULL;
    return t;
}

static void cell_clear(cell *c)
{
    if (c->kind == CELL_STR)
        free(c->u.s);
    c->kind = CELL_EMPTY;
}

void ws_table_free(ws_table *t)
{
    if (t == NULL)
        return;
    for (size_t k = 0; k < t->n_rows * t->n_cols; k++)
        cell_clear(&t->cells[k]);
    free(t->cells);
    for (size_t j = 0; j < t->n_cols; j++)
        free(t->cols[j]);
    free(t->cols);
    free(t->title);
    free(t);
}

size_t ws_table_add_row(ws_table *t)
{
    if (t == NULL)
        die("ws_table_add_row: NULL table");
    if (t->n_rows == t->cap_rows) {
        size_t cap = t->cap_rows ? t->cap_rows * 2 : 16;
        if (cap > SIZE_MAX / t->n_cols / sizeof *t->cells)
            die("ws_table_add_row: table '%s' too large", t->title);
        cell *c = ws_xrealloc(t->cells, cap * t->n_cols * sizeof *c);
        t->cells = c;
        t->cap_rows = cap;
    }
    cell *row = &t->cells[t->n_rows * t->n_cols];
    for (size_t j = 0; j < t->n_cols; j++)
        row[j].kind = CELL_EMPTY;
    return t->n_rows++;
}

static cell *cell_at(ws_table *t, size_t row, size_t col, const char *fn)
{
    if (t == NULL)
        die("%s: NULL table", fn);
    if (row >= t->n_rows || col >= t->n_cols)
        die("%s: cell (row %zu, column %zu) out of range for table '%s' (%zu rows x %zu columns)",
            fn, row, col, t->title, t->n_rows, t->n_cols);
    return &t->cells[row * t->n_cols + col];
}

void ws_table_set_str(ws_table *t, size_t row, size_t col, const char *value)
{
    cell *c = cell_at(t, row, col, "ws_table_set_str");
    char *copy = value ? ws_xstrdup(value) : NULL;   /* copy first: value may alias c */
    cell_clear(c);
    if (copy != NULL) {
        c->kind = CELL_STR;
        c->u.s = copy;
    }
}

void ws_table_set_int(ws_table *t, size_t row, size_t col, int64_t value)
{
    cell *c = cell_at(t, row, col, "ws_table_set_int");
    cell_clear(c);
    c->kind = CELL_INT;
    c->u.i = value;
}

void ws_table_set_double(ws_table *t, size_t row, size_t col, double value)
{
    cell *c = cell_at(t, row, col, "ws_table_set_double");
    cell_clear(c);
    c->kind = CELL_DBL;
    c->u.d = value;
}

void ws_table_set_cell(ws_table *t, size_t row, size_t col, const ws_cell *c)
{
    switch (c->kind) {
    case WS_CELL_STR: ws_table_set_str(t, row, col, c->s); break;
    case WS_CELL_INT: ws_table_set_int(t, row, col, c->i); break;
    case WS_CELL_DOUBLE: ws_table_set_double(t, row, col, c->d); break;
    case WS_CELL_EMPTY: break;
    }
}

size_t ws_table_rows(const ws_table *t)
{
    return t ? t->n_rows : 0;
}

void ws_table_append(ws_table *dst, const ws_table *src)
{
    if (dst == NULL || src == NULL || dst == src || dst->n_cols != src->n_cols)
        die("ws_table_append: tables missing, the same, or with different column counts");
    for (size_t r = 0; r < src->n_rows; r++) {
        size_t row = ws_table_add_row(dst);
        for (size_t c = 0; c < src->n_cols; c++) {
            const cell *from = &src->cells[r * src->n_cols + c];
            cell *to = &dst->cells[row * dst->n_cols + c];
            *to = *from;
            if (from->kind == CELL_STR)
                to->u.s = ws_xstrdup(from->u.s);
        }
    }
}

/* ------------------------------------------------------------ cell text */

static const char *nonfinite_text(double d)
{
    if (isnan(d))
        return "nan";
    return d < 0 ? "-inf" : "inf";
}

/* Text of a cell for CSV and the aligned table ("" for an empty cell).
 * For people (the table format) doubles show 6 significant digits; CSV
 * keeps the shortest text that reads back exactly. */
static const char *cell_text(const cell *c, char buf[NUM_BUF], bool for_people)
{
    switch (c->kind) {
    case CELL_STR:
        return c->u.s;
    case CELL_INT:
        snprintf(buf, NUM_BUF, "%" PRId64, c->u.i);
        return buf;
    case CELL_DBL:
        if (!isfinite(c->u.d))
            return nonfinite_text(c->u.d);
        if (for_people) {
            snprintf(buf, NUM_BUF, "%.6g", c->u.d);
            return buf;
        }
        return ws_format_double(c->u.d, buf, NUM_BUF);
    case CELL_EMPTY:
    default:
        return "";
    }
}

/* Copy of s with control characters made visible (\n, \r, \t, \xHH), so a
 * value can never break a "# key: value" line or a table row. */
static char *visible_dup(const char *s)
{
    size_t n = 0;
    for (const unsigned char *c = (const unsigned char *)s; *c; c++)
        n += (*c < 0x20 || *c == 0x7f) ? 4 : 1;
    char *out = ws_xmalloc(n + 1), *o = out;
    for (const unsigned char *c = (const unsigned char *)s; *c; c++) {
        if (*c == '\n') {
            memcpy(o, "\\n", 2), o += 2;
        } else if (*c == '\r') {
            memcpy(o, "\\r", 2), o += 2;
        } else if (*c == '\t') {
            memcpy(o, "\\t", 2), o += 2;
        } else if (*c < 0x20 || *c == 0x7f) {
            snprintf(o, 5, "\\x%02x", *c);
            o += 4;
        } else {
            *o++ = (char)*c;
        }
    }
    *o = '\0';
    return out;
}

static void put_visible(FILE *out, const char *s)
{
    char *v = visible_dup(s);
    fputs(v, out);
    free(v);
}

static void write_comment_block(const ws_provenance *p, FILE *out)
{
    const char *vals[PROV_N];
    char seed_buf[NUM_BUF];
    prov_values(p, vals, seed_buf);
    for (int k = 0; k < PROV_N; k++) {
        fprintf(out, "# %s: ", prov_keys[k]);
        put_visible(out, vals[k]);
        fputc('\n', out);
    }
}

/* ------------------------------------------------------------ table format */

/* Length of the well-formed UTF-8 sequence at s (Unicode table 3-7), or 0. */
static size_t utf8_len(const unsigned char *s)
{
    unsigned char c = s[0];
    unsigned char lo = 0x80, hi = 0xBF;
    size_t n;
    if (c >= 0xC2 && c <= 0xDF) {
        n = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
        n = 3;
        if (c == 0xE0)
            lo = 0xA0;
        else if (c == 0xED)
            hi = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 4;
        if (c == 0xF0)
            lo = 0x90;
        else if (c == 0xF4)
            hi = 0x8F;
    } else {
        return 0;
    }
    if (s[1] < lo || s[1] > hi)
        return 0;
    for (size_t k = 2; k < n; k++)
        if (s[k] < 0x80 || s[k] > 0xBF)
            return 0;
    return n;
}


/* Display width: one column per UTF-8 character, and per stray byte (a
 * terminal shows each as one replacement character). */
static size_t text_width(const char *s)
{
    size_t w = 0;
    for (const unsigned char *c = (const unsigned char *)s; *c; w++) {
        size_t n = *c < 0x80 ? 1 : utf8_len(c);
        c += n ? n : 1;
    }
    return w;
}

static void put_padded(FILE *out, const char *s, size_t width, int right, int last)
{
    size_t w = text_width(s);
    size_t pad = w < width ? width - w : 0;
    if (right)
        fprintf(out, "%*s", (int)pad, "");
    fputs(s, out);
    if (!right && !last)
        fprintf(out, "%*s", (int)pad, "");
}

static void render_table(const ws_table *t, const ws_provenance *p, FILE *out)
{
    size_t nc = t->n_cols, nr = t->n_rows;
    char **txt = ws_xmalloc((nr + 1) * nc * sizeof *txt);   /* row 0: header */
    size_t *width = ws_xmalloc(nc * sizeof *width);
    int *numeric = ws_xmalloc(nc * sizeof *numeric);
    char buf[NUM_BUF];

    for (size_t j = 0; j < nc; j++) {
        int any = 0, all_num = 1;
        for (size_t i = 0; i < nr; i++) {
            cell_kind k = t->cells[i * nc + j].kind;
            if (k == CELL_EMPTY)
                continue;
            any = 1;
            if (k == CELL_STR)
                all_num = 0;
        }
        numeric[j] = any && all_num;
        txt[j] = visible_dup(t->cols[j]);
        width[j] = text_width(txt[j]);
    }
    for (size_t i = 0; i < nr; i++) {
        for (size_t j = 0; j < nc; j++) {
            const cell *c = &t->cells[i * nc + j];
            char *s = visible_dup(c->kind == CELL_EMPTY ? "-" : cell_text(c, buf, true));
            size_t w = text_width(s);
            if (w > width[j])
                width[j] = w;
            txt[(i + 1) * nc + j] = s;
        }
    }

    write_comment_block(p, out);
    fputc('\n', out);
    if (t->title[0] != '\0') {
        put_visible(out, t->title);
        fputc('\n', out);
    }
    for (size_t j = 0; j < nc; j++) {
        if (j)
            fputs("  ", out);
        put_padded(out, txt[j], width[j], numeric[j], j + 1 == nc);
    }
    fputc('\n', out);
    for (size_t j = 0; j < nc; j++) {
        if (j)
            fputs("  ", out);
        for (size_t k = 0; k < width[j]; k++)
            fputc('-', out);
    }
    fputc('\n', out);
    for (size_t i = 0; i < nr; i++) {
        for (size_t j = 0; j < nc; j++) {
            cell_kind k = t->cells[i * nc + j].kind;
            int right = k == CELL_INT || k == CELL_DBL || (k == CELL_EMPTY && numeric[j]);
            if (j)
                fputs("  ", out);
            put_padded(out, txt[(i + 1) * nc + j], width[j], right, j + 1 == nc);
        }
        fputc('\n', out);
    }

    for (size_t k = 0; k < (nr + 1) * nc; k++)
        free(txt[k]);
    free(txt);
    free(width);
    free(numeric);
}

/* ------------------------------------------------------------ CSV */

/* RFC 4180 field. Besides , " CR LF, a field holding '#' is quoted too, so
 * that read_csv(comment='#') does not cut it short. */
static void put_csv_field(FILE *out, const char *s)
{
    if (strpbrk(s, ",\"\r\n#") == NULL) {
        fputs(s, out);
        return;
    }
    fputc('"', out);
    for (const char *c = s; *c; c++) {
        if (*c == '"')
            fputc('"', out);
        fputc(*c, out);
    }
    fputc('"', out);
}

static void render_csv(const ws_table *t, const ws_provenance *p, FILE *out)
{
    char buf[NUM_BUF];
    write_comment_block(p, out);
    for (size_t j = 0; j < t->n_cols; j++) {
        if (j)
            fputc(',', out);
        put_csv_field(out, t->cols[j]);
    }
    fputc('\n', out);
    for (size_t i = 0; i < t->n_rows; i++) {
        for (size_t j = 0; j < t->n_cols; j++) {
            if (j)
                fputc(',', out);
            put_csv_field(out, cell_text(&t->cells[i * t->n_cols + j], buf, false));
        }
        fputc('\n', out);
    }
}

/* ------------------------------------------------------------ JSON */

/* RFC 8259 string; malformed UTF-8 bytes become U+FFFD so the output is
 * always valid JSON. */
static void put_json_string(FILE *out, const char *str)
{
    const unsigned char *s = (const unsigned char *)str;
    fputc('"', out);
    while (*s) {
        unsigned char c = *s;
        if (c == '"' || c == '\\') {
            fputc('\\', out);
            fputc(c, out);
            s++;
        } else if (c < 0x20) {
            switch (c) {
            case '\b': fputs("\\b", out); break;
            case '\f': fputs("\\f", out); break;
            case '\n': fputs("\\n", out); break;
            case '\r': fputs("\\r", out); break;
            case '\t': fputs("\\t", out); break;
            default:   fprintf(out, "\\u%04x", c); break;
            }
            s++;
        } else if (c < 0x80) {
            fputc(c, out);
            s++;
        } else {
            size_t n = utf8_len(s);
            if (n == 0) {
                fputs("\\ufffd", out);
                s++;
            } else {
                fwrite(s, 1, n, out);
                s += n;
            }
        }
    }
    fputc('"', out);
}

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* Does s match the RFC 8259 number grammar? */
static int json_number_ok(const char *s)
{
    if (*s == '-')
        s++;
    if (*s == '0')
        s++;
    else if (*s >= '1' && *s <= '9')
        while (is_digit(*s))
            s++;
    else
        return 0;
    if (*s == '.') {
        s++;
        if (!is_digit(*s))
            return 0;
        while (is_digit(*s))
            s++;
    }
    if (*s == 'e' || *s == 'E') {
        s++;
        if (*s == '+' || *s == '-')
            s++;
        if (!is_digit(*s))
            return 0;
        while (is_digit(*s))
            s++;
    }
    return *s == '\0';
}

static void put_json_cell(FILE *out, const cell *c)
{
    char buf[NUM_BUF];
    switch (c->kind) {
    case CELL_STR:
        put_json_string(out, c->u.s);
        break;
    case CELL_INT:
        fprintf(out, "%" PRId64, c->u.i);
        break;
    case CELL_DBL:
        if (!isfinite(c->u.d)) {
            fputs("null", out);
            break;
        }
        ws_format_double(c->u.d, buf, sizeof buf);
        if (!json_number_ok(buf))
            snprintf(buf, sizeof buf, "%.17g", c->u.d);
        fputs(buf, out);
        break;
    case CELL_EMPTY:
    default:
        fputs("null", out);
        break;
    }
}

static void render_json(const ws_table *t, const ws_provenance *p, FILE *out)
{
    const char *vals[PROV_N];
    char seed_buf[NUM_BUF];
    prov_values(p, vals, seed_buf);

    fputs("{\n  \"provenance\": {\n", out);
    for (int k = 0; k < PROV_N; k++) {
        fputs("    ", out);
        put_json_string(out, prov_keys[k]);
        fputs(": ", out);
        if (k == 3 && p->config_path == NULL)
            fputs("null", out);
        else if (k == 5)
            fputs(p->has_seed ? seed_buf : "null", out);
        else
            put_json_string(out, vals[k]);
        fputs(k + 1 < PROV_N ? ",\n" : "\n", out);
    }
    fputs("  },\n  \"title\": ", out);
    put_json_string(out, t->title);
    fputs(",\n  \"columns\": [\n", out);
    for (size_t j = 0; j < t->n_cols; j++) {
        fputs("    ", out);
        put_json_string(out, t->cols[j]);
        fputs(j + 1 < t->n_cols ? ",\n" : "\n", out);
    }
    fputs("  ],\n  \"rows\": [", out);
    for (size_t i = 0; i < t->n_rows; i++) {
        fputs(i ? ",\n    {\n" : "\n    {\n", out);
        for (size_t j = 0; j < t->n_cols; j++) {
            fputs("      ", out);
            put_json_string(out, t->cols[j]);
            fputs(": ", out);
            put_json_cell(out, &t->cells[i * t->n_cols + j]);
            fputs(j + 1 < t->n_cols ? ",\n" : "\n", out);
        }
        fputs("    }", out);
    }
    fputs(t->n_rows ? "\n  ]\n}\n" : "]\n}\n", out);
}

/* ------------------------------------------------------------ public */

void ws_table_render(const ws_table *t, const ws_provenance *p, ws_format fmt, FILE *out)
{
    static const ws_provenance no_provenance;
    if (t == NULL || out == NULL)
        die("ws_table_render: NULL table or stream");
    if (p == NULL)
        p = &no_provenance;
    switch (fmt) {
    case WS_FORMAT_TABLE:
        render_table(t, p, out);
        break;
    case WS_FORMAT_CSV:
        render_csv(t, p, out);
        break;
    case WS_FORMAT_JSON:
        render_json(t, p, out);
        break;
    default:
        die("ws_table_render: unknown format %d", (int)fmt);
    }
}

int ws_table_write(const ws_table *t, const ws_provenance *p, ws_format fmt,
                   const char *out_path, char *err, size_t err_len)
{
    ws_atomic_file *f = ws_atomic_open(out_path, err, err_len);
    if (f == NULL)
        return -1;
    errno = 0;
    ws_table_render(t, p, fmt, f->fp);
    if (ferror(f->fp)) {
        int e = errno;
        if (err != NULL && err_len > 0)
            snprintf(err, err_len, "cannot write '%s': %s",
                     f->final_path ? f->final_path : "standard output",
                     e ? strerror(e) : "I/O error");
        ws_atomic_abort(f);
        return -1;
    }
    return ws_atomic_commit(f, err, err_len);
}

int ws_format_parse(const char *name, ws_format *out)
{
    static const struct {
        const char *name;
        ws_format fmt;
    } names[] = {
        {"table", WS_FORMAT_TABLE},
        {"csv", WS_FORMAT_CSV},
        {"json", WS_FORMAT_JSON},
    };
    if (name == NULL)
        return -1;
    for (size_t k = 0; k < sizeof names / sizeof names[0]; k++) {
        if (strcmp(name, names[k].name) == 0) {
            if (out != NULL)
                *out = names[k].fmt;
            return 0;
        }
    }
    return -1;
}

ws_format ws_format_default(void)
{
    return isatty(STDOUT_FILENO) ? WS_FORMAT_TABLE : WS_FORMAT_CSV;
}
