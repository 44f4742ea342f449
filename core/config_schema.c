/* core/config_schema.c — schema-driven reading and writing of config
 * sections; contract in core/config_schema.h. */
#define _POSIX_C_SOURCE 200809L
#include "core/config_schema.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "core/xalloc.h"
/* ------------------------------------------------------------ helpers */

static char *join_path(const char *path, const char *key)
{
    size_t n = strlen(path) + strlen(key) + 2;
    char *p = ws_xmalloc(n);
    snprintf(p, n, "%s%s%s", path, *path ? "." : "", key);
    return p;
}

static size_t scalar_size(ws_ctype t)
{
    switch (t) {
    case WS_CT_BOOL: return sizeof(bool);
    case WS_CT_INT: return sizeof(int64_t);
    case WS_CT_FLOAT:
    case WS_CT_QTY: return sizeof(double);
    case WS_CT_ENUM: return sizeof(int);
    case WS_CT_STRING: return sizeof(char *);
    default: return 0;
    }
}

static size_t elem_size(const ws_cfield *f)
{
    return f->elem == WS_CT_SECTION ? f->sub->size : scalar_size(f->elem);
}

/* Levenshtein distance, for "did you mean" hints on misspelt keys. */
static size_t edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 64 || lb > 64)
        return (size_t)-1;
    size_t row[65];
    for (size_t j = 0; j <= lb; j++)
        row[j] = j;
    for (size_t i = 1; i <= la; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t up = row[j];
            size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
            size_t best = diag + cost;
            if (row[j] + 1 < best) best = row[j] + 1;
            if (row[j - 1] + 1 < best) best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    return row[lb];
}

static const char *describe_found(const ws_ynode *n, char *buf, size_t len)
{
    if (n->kind == WS_YSCALAR && n->quoted)
        snprintf(buf, len, "the quoted string \"%.200s\"", n->text);
    else if (n->kind == WS_YSCALAR && !ws_ynode_is_null(n))
        snprintf(buf, len, "\"%.200s\"", n->text);
    else
        snprintf(buf, len, "a %s", ws_ynode_kind_name(n));
    return buf;
}

void ws_ccheck_error(const ws_ccheck *c, const char *key, const char *fmt, ...)
{
    char text[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    const ws_ynode *at = key && c->node ? ws_ynode_map_get(c->node, key) : NULL;
    if (!at)
        at = c->node;
    ws_pos pos = { NULL, 0, 0 };
    if (at)
        pos = ws_ynode_pos(at);
    char *path = key ? join_path(c->path, key) : ws_xstrdup(c->path);
    ws_diag_error(c->diag, pos, path, "%s", text);
    free(path);
}

/* ------------------------------------------------------------ reading */

typedef struct reader {
    ws_diag *diag;
    double clock_hz;
} reader;

/* `outer` is where to report keys missing from an absent section (the
 * nearest mapping that exists); report_missing is false for a section whose
 * node was of the wrong type (already reported once). */
static void read_section(const reader *r, const ws_cschema *s, const ws_ynode *map,
                         const char *path, void *obj, ws_pos outer, bool report_missing);

static int read_scalar(const reader *r, const ws_cfield *f, ws_ctype type, const ws_ynode *n,
                       const char *path, void *dest)
{
    char found[256];
    ws_pos pos = ws_ynode_pos(n);
    if (n->kind != WS_YSCALAR || (ws_ynode_is_null(n) && type != WS_CT_STRING)) {
        const char *what = type == WS_CT_QTY ? ws_units_kind_name(f->unit) : "a value";
        ws_diag_error(r->diag, pos, path, "expected %s%s, found %s",
                      type == WS_CT_QTY ? "a " : "", what, describe_found(n, found, sizeof found));
        return -1;
    }
    const char *t = n->text;
    switch (type) {
    case WS_CT_BOOL:
        if (!n->quoted && !strcmp(t, "true"))
            *(bool *)dest = true;
        else if (!n->quoted && !strcmp(t, "false"))
            *(bool *)dest = false;
        else {
            ws_diag_error(r->diag, pos, path, "expected true or false, found %s",
                          describe_found(n, found, sizeof found));
            return -1;
        }
        return 0;
    case WS_CT_INT: {
        char *end;
        errno = 0;
        long long v = strtoll(t, &end, 10);
        if (n->quoted || end == t || *end || errno == ERANGE || t[0] == ' ') {
            ws_diag_error(r->diag, pos, path, "expected an integer, found %s",
                          describe_found(n, found, sizeof found));
            return -1;
        }
        if ((double)v < f->min || (double)v > f->max) {
            ws_diag_error(r->diag, pos, path, "expected an integer in [%.0f, %.0f], found %lld",
                          f->min, f->max, v);
            return -1;
        }
        *(int64_t *)dest = v;
        return 0;
    }
    case WS_CT_FLOAT: {
        char *end;
        errno = 0;
        double v = strtod(t, &end);
        if (n->quoted || end == t || *end || errno == ERANGE || !isfinite(v) ||
            strpbrk(t, "xXnN")) {
            ws_diag_error(r->diag, pos, path, "expected a number, found %s",
                          describe_found(n, found, sizeof found));
            return -1;
        }
        if (v < f->min || v > f->max) {
            char lo[32], hi[32];
            ws_diag_error(r->diag, pos, path, "expected a number in [%s, %s], found %s",
                          ws_format_double(f->min, lo, sizeof lo),
                          ws_format_double(f->max, hi, sizeof hi), t);
            return -1;
        }
        *(double *)dest = v;
        return 0;
    }
    case WS_CT_ENUM:
        for (int i = 0; f->names[i]; i++)
            if (!strcmp(t, f->names[i])) {
                *(int *)dest = i;
                return 0;
            }
        {
            char list[512] = "";
            for (int i = 0; f->names[i]; i++) {
                strncat(list, i ? ", " : "", sizeof list - strlen(list) - 1);
                strncat(list, f->names[i], sizeof list - strlen(list) - 1);
            }
            ws_diag_error(r->diag, pos, path, "expected one of %s, found %s", list,
                          describe_found(n, found, sizeof found));
        }
        return -1;
    case WS_CT_STRING:   /* a YAML null ("key:", "~") is the empty string */
        *(char **)dest = ws_xstrdup(ws_ynode_is_null(n) ? "" : t);
        return 0;
    case WS_CT_QTY: {
        double v;
        char err[256];
        if (ws_units_parse(t, f->unit, r->clock_hz, &v, err, sizeof err) != WS_UNITS_OK) {
            ws_diag_error(r->diag, pos, path, "%s", err);
            return -1;
        }
        if (v < f->min || v > f->max) {
            char lo[64], hi[64];
            ws_diag_error(r->diag, pos, path, "expected a %s in [%s, %s], found \"%s\"",
                          ws_units_kind_name(f->unit),
                          ws_units_format_readable(f->min, f->unit, lo, sizeof lo),
                          ws_units_format_readable(f->max, f->unit, hi, sizeof hi), t);
            return -1;
        }
        *(double *)dest = v;
        return 0;
    }
    default:
        abort();
    }
}

static void read_list(const reader *r, const ws_cfield *f, const ws_ynode *n, const char *path,
                      ws_clist *dest)
{
    char found[256];
    dest->n = 0;
    dest->items = NULL;
    if (n->kind != WS_YSEQUENCE) {
        ws_diag_error(r->diag, ws_ynode_pos(n), path, "expected a list, found %s",
                      describe_found(n, found, sizeof found));
        return;
    }
    if ((double)n->n < f->min || (double)n->n > f->max) {
        ws_diag_error(r->diag, ws_ynode_pos(n), path, "expected a list of %.0f to %.0f items, found %zu",
                      f->min, f->max, n->n);
        return;
    }
    size_t es = elem_size(f);
    dest->items = ws_xcalloc(n->n ? n->n : 1, es);
    dest->n = n->n;
    for (size_t i = 0; i < n->n; i++) {
        char idx[32];
        snprintf(idx, sizeof idx, "%zu", i);
        char *ipath = join_path(path, idx);
        void *slot = (char *)dest->items + i * es;
        if (f->elem == WS_CT_SECTION) {
            if (n->items[i]->kind != WS_YMAPPING)
                ws_diag_error(r->diag, ws_ynode_pos(n->items[i]), ipath, "expected a mapping, found %s",
                              describe_found(n->items[i], found, sizeof found));
            else
                read_section(r, f->sub, n->items[i], ipath, slot, ws_ynode_pos(n->items[i]), true);
        } else {
            read_scalar(r, f, f->elem, n->items[i], ipath, slot);
        }
        free(ipath);
    }
}

/* A compiled-out hardware option may only appear disabled. */
static void read_absent_option(const reader *r, const ws_cfield *f, const ws_ynode *n, const char *path)
{
    if (ws_ynode_is_null(n))
        return;   /* "name:" with nothing is the same as leaving it out */
    const ws_ynode *en = n->kind == WS_YMAPPING ? ws_ynode_map_get(n, "enabled") : NULL;
    bool disabled_only = n->kind == WS_YMAPPING && n->n == 1 && en && en->kind == WS_YSCALAR &&
                         !en->quoted && !strcmp(en->text, "false");
    if (!disabled_only)
        ws_diag_error(r->diag, ws_ynode_pos(n), path,
                      "hardware option '%s' is not compiled into this build; "
                      "reconfigure with %s", f->key, f->configure_switch);
}

static void read_field(const reader *r, const ws_cfield *f, const ws_ynode *n, const char *path, void *obj,
                       ws_pos outer)
{
    void *dest = (char *)obj + f->offset;
    char found[256];
    switch (f->type) {
    case WS_CT_SECTION:
    case WS_CT_OPTION:
        if (f->type == WS_CT_OPTION && !f->sub) {
            if (n)
                read_absent_option(r, f, n, path);
            return;
        }
        if (n && n->kind != WS_YMAPPING) {
            ws_diag_error(r->diag, ws_ynode_pos(n), path, "expected a mapping, found %s",
                          describe_found(n, found, sizeof found));
            read_section(r, f->sub, NULL, path, dest, ws_ynode_pos(n), false);
            return;
        }
        read_section(r, f->sub, n, path, dest, n ? ws_ynode_pos(n) : outer, true);
        return;
    case WS_CT_LIST:
        read_list(r, f, n, path, dest);
        return;
    case WS_CT_EXTERNAL:
        return;
    default:
        read_scalar(r, f, f->type, n, path, dest);
        return;
    }
}

/* Parses a field's default text; defaults are part of the program, so a
 * bad one is a bug and aborts. */
static void read_default(const reader *r, const ws_cfield *f, const char *path, void *obj)
{
    ws_diag local;
    ws_diag_init(&local, 4);
    ws_ynode *n = ws_yaml_load_string(f->def, "<built-in default>", 0, &local);
    reader lr = { &local, r->clock_hz };
    if (n)
        read_field(&lr, f, n, path, obj, ws_ynode_pos(n));
    if (!n || ws_diag_count(&local)) {
        fprintf(stderr, "wafersim: internal error: bad default for %s: \"%s\"\n", path, f->def);
        ws_diag_print(&local, stderr);
        abort();
    }
    ws_ynode_free(n);
    ws_diag_free(&local);
}

static void report_unknown_key(const reader *r, const ws_cschema *s, const ws_ynode *map, size_t i,
                               const char *path)
{
    const char *key = map->keys[i];
    /* the key was written in the file its value came from (after a merge
     * the mapping itself may come from a preset) */
    ws_pos pos = { map->items[i]->file, map->key_line[i], map->key_column[i] };
    char *kpath = join_path(path, key);
    const char *best = NULL;
    size_t best_d = 3;   /* suggest only close matches */
    char known[512] = "";
    for (size_t j = 0; j < s->n_fields; j++) {
        size_t dist = edit_distance(key, s->fields[j].key);
        if (dist < best_d) {
            best_d = dist;
            best = s->fields[j].key;
        }
        strncat(known, j ? ", " : "", sizeof known - strlen(known) - 1);
        strncat(known, s->fields[j].key, sizeof known - strlen(known) - 1);
    }
    if (best)
        ws_diag_error(r->diag, pos, kpath, "unknown key \"%s\" (did you mean \"%s\"?); expected one of: %s",
                      key, best, known);
    else
        ws_diag_error(r->diag, pos, kpath, "unknown key \"%s\"; expected one of: %s", key, known);
    free(kpath);
}

static void read_section(const reader *r, const ws_cschema *s, const ws_ynode *map,
                         const char *path, void *obj, ws_pos outer, bool report_missing)
{
    ws_pos here = map ? ws_ynode_pos(map) : outer;
    size_t errors_before = ws_diag_count(r->diag);
    for (size_t i = 0; i < s->n_fields; i++) {
        const ws_cfield *f = &s->fields[i];
        char *fpath = join_path(path, f->key);
        ws_ynode *n = ws_ynode_map_get(map, f->key);
        if (n) {
            n->used = true;
            read_field(r, f, n, fpath, obj, here);
        } else if (f->type == WS_CT_SECTION || (f->type == WS_CT_OPTION && f->sub)) {
            read_section(r, f->sub, NULL, fpath, (char *)obj + f->offset, here, report_missing);
        } else if (f->type == WS_CT_OPTION || f->type == WS_CT_EXTERNAL) {
            /* compiled out, or read elsewhere, and not mentioned: nothing to read */
        } else if (f->def) {
            read_default(r, f, fpath, obj);
        } else if (report_missing) {
            ws_diag_error(r->diag, here, fpath, "missing required key \"%s\" (%s)%s", f->key, f->doc,
                          map ? "" : "; its section is absent too");
        }
        free(fpath);
    }
    if (map)
        for (size_t i = 0; i < map->n; i++)
            if (!map->items[i]->used)
                report_unknown_key(r, s, map, i, path);
    /* cross-field checks only make sense on a section whose fields read
     * cleanly (no cascades from a missing or malformed key), and not when
     * the section only stands in for a value of the wrong kind (its
     * required keys were never read) */
    if (s->check && report_missing && ws_diag_count(r->diag) == errors_before) {
        ws_ccheck c = { r->diag, map, path };
        s->check(obj, &c);
    }
}

void ws_cschema_read(const ws_cschema *s, const ws_ynode *map, const char *path,
                     double clock_hz, void *obj, ws_diag *d)
{
    reader r = { d, clock_hz };
    ws_pos none = { NULL, 0, 0 };
    if (map && map->kind != WS_YMAPPING) {
        char found[256];
        ws_diag_error(d, ws_ynode_pos(map), path, "expected a mapping, found %s",
                      describe_found(map, found, sizeof found));
        read_section(&r, s, NULL, path, obj, ws_ynode_pos(map), false);
        return;
    }
    read_section(&r, s, map, path, obj, map ? ws_ynode_pos(map) : none, true);
}

/* ------------------------------------------------------------ writing */

static void write_yaml_string(const char *s, FILE *out)
{
    fputc('"', out);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\')
            fprintf(out, "\\%c", *p);
        else if (*p == '\n')
            fputs("\\n", out);
        else if (*p == '\t')
            fputs("\\t", out);
        else if (*p < 0x20 || *p == 0x7f)
            fprintf(out, "\\x%02x", *p);
        else if (p[0] == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f) {
            /* C1 controls: U+0085 is a line break to YAML, the others are
             * not printable; both would not read back as written */
            fprintf(out, "\\x%02x", p[1]);
            p++;
        } else if (p[0] == 0xe2 && p[1] == 0x80 && (p[2] == 0xa8 || p[2] == 0xa9)) {
            fputs(p[2] == 0xa8 ? "\\L" : "\\P", out);   /* line / paragraph separator */
            p += 2;
        } else if (p[0] == 0xef && p[1] == 0xbb && p[2] == 0xbf) {
            fputs("\\uFEFF", out);   /* byte order mark: not printable inside YAML */
            p += 2;
        } else if (p[0] == 0xef && p[1] == 0xbf && (p[2] == 0xbe || p[2] == 0xbf)) {
            fputs(p[2] == 0xbe ? "\\uFFFE" : "\\uFFFF", out);
            p += 2;
        } else
            fputc(*p, out);
    }
    fputc('"', out);
}

static void write_scalar(const ws_cfield *f, ws_ctype type, const void *v, FILE *out)
{
    char buf[128];
    switch (type) {
    case WS_CT_BOOL: fputs(*(const bool *)v ? "true" : "false", out); break;
    case WS_CT_INT: fprintf(out, "%" PRId64, *(const int64_t *)v); break;
    case WS_CT_FLOAT: fputs(ws_format_double(*(const double *)v, buf, sizeof buf), out); break;
    case WS_CT_ENUM: fputs(f->names[*(const int *)v], out); break;
    case WS_CT_STRING: write_yaml_string(*(char *const *)v ? *(char *const *)v : "", out); break;
    case WS_CT_QTY: fputs(ws_units_format(*(const double *)v, f->unit, buf, sizeof buf), out); break;
    default: abort();
    }
}

static void write_section(const ws_cschema *s, const void *obj, FILE *out, int indent);

/* True for a compiled-out option, or one whose "enabled" is false. */
static bool option_disabled(const ws_cfield *f, const void *v)
{
    if (!f->sub)
        return true;
    for (size_t i = 0; i < f->sub->n_fields; i++) {
        const ws_cfield *e = &f->sub->fields[i];
        if (!strcmp(e->key, "enabled") && e->type == WS_CT_BOOL)
            return !*(const bool *)((const char *)v + e->offset);
    }
    return false;
}

static void write_field(const ws_cfield *f, const void *obj, FILE *out, int indent)
{
    const void *v = (const char *)obj + f->offset;
    if (f->type == WS_CT_EXTERNAL)
        return;   /* not part of the resolved config */
    fprintf(out, "%*s%s:", indent, "", f->key);
    switch (f->type) {
    case WS_CT_SECTION:
        fputc('\n', out);
        write_section(f->sub, v, out, indent + 2);
        return;
    case WS_CT_OPTION:
        /* A disabled option and a compiled-out one print the same text, so
         * that a config hashes the same whichever options the build has
         * (the parameters of a disabled option have no effect). */
        fputc('\n', out);
        if (option_disabled(f, v))
            fprintf(out, "%*senabled: false\n", indent + 2, "");
        else
            write_section(f->sub, v, out, indent + 2);
        return;
    case WS_CT_LIST: {
        const ws_clist *l = v;
        size_t es = elem_size(f);
        if (f->elem != WS_CT_SECTION) {
            fputs(" [", out);
            for (size_t i = 0; i < l->n; i++) {
                if (i)
                    fputs(", ", out);
                write_scalar(f, f->elem, (const char *)l->items + i * es, out);
            }
            fputs("]\n", out);
            return;
        }
        if (l->n == 0) {
            fputs(" []\n", out);
            return;
        }
        fputc('\n', out);
        for (size_t i = 0; i < l->n; i++) {
            /* "- " then the section's fields, the first on the dash line */
            char *buf = NULL;
            size_t len = 0;
            FILE *mem = open_memstream(&buf, &len);
            if (!mem)
                abort();
            write_section(f->sub, (const char *)l->items + i * es, mem, indent + 4);
            fclose(mem);
            fprintf(out, "%*s- %s", indent + 2, "", buf + indent + 4);
            free(buf);
        }
        return;
    }
    default:
        fputc(' ', out);
        write_scalar(f, f->type, v, out);
        fputc('\n', out);
    }
}

static void write_section(const ws_cschema *s, const void *obj, FILE *out, int indent)
{
    if (s->n_fields == 0) {
        fprintf(out, "%*s{}\n", indent, "");
        return;
    }
    for (size_t i = 0; i < s->n_fields; i++)
        write_field(&s->fields[i], obj, out, indent);
}

void ws_cschema_write(const ws_cschema *s, const void *obj, FILE *out, int indent)
{
    write_section(s, obj, out, indent);
}

/* ------------------------------------------------------------ freeing */

void ws_cschema_free(const ws_cschema *s, void *obj)
{
    for (size_t i = 0; i < s->n_fields; i++) {
        const ws_cfield *f = &s->fields[i];
        void *v = (char *)obj + f->offset;
        switch (f->type) {
        case WS_CT_STRING:
            free(*(char **)v);
            *(char **)v = NULL;
            break;
        case WS_CT_SECTION:
            ws_cschema_free(f->sub, v);
            break;
        case WS_CT_OPTION:
            if (f->sub)
                ws_cschema_free(f->sub, v);
            break;
        case WS_CT_LIST: {
            ws_clist *l = v;
            size_t es = elem_size(f);
            for (size_t j = 0; j < l->n; j++) {
                void *slot = (char *)l->items + j * es;
                if (f->elem == WS_CT_SECTION)
                    ws_cschema_free(f->sub, slot);
                else if (f->elem == WS_CT_STRING)
                    free(*(char **)slot);
            }
            free(l->items);
            l->items = NULL;
            l->n = 0;
            break;
        }
        default:
            break;
        }
    }
}

/* ------------------------------------------------------------ reference doc */

static const char *type_name(const ws_cfield *f, ws_ctype t)
{
    switch (t) {
    case WS_CT_BOOL: return "boolean";
    case WS_CT_INT: return "integer";
    case WS_CT_FLOAT: return "number";
    case WS_CT_ENUM: return "enum";
    case WS_CT_STRING: return "string";
    case WS_CT_QTY: return ws_units_kind_name(f->unit);
    case WS_CT_SECTION: return "mapping";
    case WS_CT_LIST: return "list";
    case WS_CT_OPTION: return "hardware option";
    case WS_CT_EXTERNAL: return "mapping";
    }
    return "?";
}

void ws_cschema_doc(const ws_cschema *s, const char *path, FILE *out)
{
    for (size_t i = 0; i < s->n_fields; i++) {
        const ws_cfield *f = &s->fields[i];
        char *fpath = join_path(path, f->key);
        if ((f->type == WS_CT_SECTION || f->type == WS_CT_OPTION) && f->sub) {
            if (f->type == WS_CT_OPTION)
                fprintf(out, "| `%s` | hardware option | | | %s (configure: %s) |\n", fpath, f->doc,
                        f->configure_switch);
            ws_cschema_doc(f->sub, fpath, out);
            free(fpath);
            continue;
        }
        char range[160] = "";
        if (f->type == WS_CT_ENUM) {
            for (int k = 0; f->names[k]; k++) {
                strncat(range, k ? ", " : "", sizeof range - strlen(range) - 1);
                strncat(range, f->names[k], sizeof range - strlen(range) - 1);
            }
        } else if (f->type == WS_CT_QTY) {
            char lo[64], hi[64];
            if (f->max < WS_NO_LIMIT_MAX)
                snprintf(range, sizeof range, "%s .. %s",
                         ws_units_format_readable(f->min, f->unit, lo, sizeof lo),
                         ws_units_format_readable(f->max, f->unit, hi, sizeof hi));
            else
                snprintf(range, sizeof range, ">= %s",
                         ws_units_format_readable(f->min, f->unit, lo, sizeof lo));
            strncat(range, " (units: ", sizeof range - strlen(range) - 1);
            strncat(range, ws_units_kind_units(f->unit), sizeof range - strlen(range) - 1);
            strncat(range, ")", sizeof range - strlen(range) - 1);
        } else if (f->type == WS_CT_INT || f->type == WS_CT_FLOAT) {
            char lo[32], hi[32];
            snprintf(range, sizeof range, "%s .. %s", ws_format_double(f->min, lo, sizeof lo),
                     f->max >= WS_NO_LIMIT_MAX ? "" : ws_format_double(f->max, hi, sizeof hi));
        }
        fprintf(out, "| `%s` | %s | %s | %s | %s |\n", fpath, type_name(f, f->type),
                f->def ? f->def : f->type == WS_CT_OPTION ? "compiled out" : f->type == WS_CT_EXTERNAL ? "none"
                                                                            : "required",
                range, f->doc);
        free(fpath);
    }
}
