/* core/yaml_tree.c — ws_ynode trees built from libyaml's parser events,
 * with limits checked as the events arrive; contract in core/yaml_tree.h. */
#define _POSIX_C_SOURCE 200809L
#include "core/yaml_tree.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <yaml.h>

#include "core/hash.h"
#include "core/xalloc.h"

static ws_ynode *node_new(ws_ynode_kind kind, const char *file, unsigned line, unsigned column)
{
    ws_ynode *n = ws_xcalloc(1, sizeof *n);
    n->kind = kind;
    n->file = ws_xstrdup(file);
    n->line = line;
    n->column = column;
    return n;
}

ws_ynode *ws_ynode_new_mapping(const char *file, unsigned line, unsigned column)
{
    return node_new(WS_YMAPPING, file, line, column);
}

void ws_ynode_free(ws_ynode *n)
{
    if (!n)
        return;
    for (size_t i = 0; i < n->n; i++) {
        ws_ynode_free(n->items[i]);
        if (n->keys)
            free(n->keys[i]);
    }
    free(n->items);
    free(n->keys);
    free(n->key_line);
    free(n->key_column);
    free(n->text);
    free(n->file);
    free(n);
}

/* Arrays of a node grow to the next power of two, so that appending n items
 * costs O(n): the capacity is implied by the count. */
static void *grow(void *p, size_t n, size_t elem)
{
    if (n == 0)
        return ws_xrealloc(p, elem);
    if ((n & (n - 1)) == 0)
        return ws_xrealloc(p, 2 * n * elem);
    return p;
}

static void seq_append(ws_ynode *seq, ws_ynode *value)
{
    seq->items = grow(seq->items, seq->n, sizeof *seq->items);
    seq->items[seq->n++] = value;
}

static void map_append(ws_ynode *map, char *key, unsigned kline, unsigned kcol, ws_ynode *value)
{
    size_t i = map->n++;
    map->items = grow(map->items, i, sizeof *map->items);
    map->keys = grow(map->keys, i, sizeof *map->keys);
    map->key_line = grow(map->key_line, i, sizeof *map->key_line);
    map->key_column = grow(map->key_column, i, sizeof *map->key_column);
    map->items[i] = value;
    map->keys[i] = key;
    map->key_line[i] = kline;
    map->key_column[i] = kcol;
}

/* A deep copy (what an alias stands for); `used` flags start cleared. */
static ws_ynode *node_copy(const ws_ynode *n)
{
    ws_ynode *c = node_new(n->kind, n->file, n->line, n->column);
    c->text = ws_xstrdup(n->text);
    c->quoted = n->quoted;
    for (size_t i = 0; i < n->n; i++) {
        if (n->kind == WS_YMAPPING)
            map_append(c, ws_xstrdup(n->keys[i]), n->key_line[i], n->key_column[i],
                       node_copy(n->items[i]));
        else
            seq_append(c, node_copy(n->items[i]));
    }
    return c;
}

/* ------------------------------------------------------------ sorted keys */

typedef struct key_ref {
    const char *key;
    size_t index;
} key_ref;

static int key_ref_cmp(const void *a, const void *b)
{
    const key_ref *x = a, *y = b;
    int c = strcmp(x->key, y->key);
    if (c)
        return c;
    return x->index < y->index ? -1 : x->index > y->index;
}

/* The first `n` keys of map, sorted by key then position (malloc'ed). */
static key_ref *sorted_keys(const ws_ynode *map, size_t n)
{
    key_ref *r = ws_xmalloc((n ? n : 1) * sizeof *r);
    for (size_t i = 0; i < n; i++) {
        r[i].key = map->keys[i];
        r[i].index = i;
    }
    qsort(r, n, sizeof *r, key_ref_cmp);
    return r;
}

/* Index of the first key (in mapping order) equal to an earlier one, or -1.
 * O(n log n), so that a mapping of many keys is no quadratic trap. */
static ssize_t first_duplicate(const ws_ynode *map)
{
    if (map->n < 2)
        return -1;
    key_ref *r = sorted_keys(map, map->n);
    size_t best = SIZE_MAX;
    for (size_t j = 1; j < map->n; j++)
        if (!strcmp(r[j].key, r[j - 1].key) && r[j].index < best)
            best = r[j].index;
    free(r);
    return best == SIZE_MAX ? -1 : (ssize_t)best;
}

/* ------------------------------------------------------------ positions */

/* The text being parsed, for turning libyaml's marks and byte offsets into
 * positions that lie inside it. */
typedef struct source {
    const char *name;
    unsigned column_offset;     /* added to columns of the first line */
    const unsigned char *text;
    size_t len;
    size_t last_line;           /* 0-based index of the last line with text */
    size_t last_column;         /* characters on it */
} source;

/* Length of the line break at text[i] (as libyaml counts them: LF, CR,
 * CR LF, NEL, LS, PS), 0 if none. */
static size_t break_len(const unsigned char *t, size_t i, size_t len)
{
    if (t[i] == '\n')
        return 1;
    if (t[i] == '\r')
        return i + 1 < len && t[i + 1] == '\n' ? 2 : 1;
    if (t[i] == 0xC2 && i + 1 < len && t[i + 1] == 0x85)
        return 2;
    if (t[i] == 0xE2 && i + 2 < len && t[i + 1] == 0x80 && (t[i + 2] == 0xA8 || t[i + 2] == 0xA9))
        return 3;
    return 0;
}

/* Line and column (0-based, columns in characters) of byte `offset`;
 * *ends_with_break tells whether the text before it ends with a line break
 * (then *prev_column is the length of the line before). */
static void source_locate(const source *s, size_t offset, size_t *line, size_t *column,
                          size_t *prev_column, bool *ends_with_break)
{
    size_t l = 0, c = 0, pc = 0;
    bool brk = false;
    if (offset > s->len)
        offset = s->len;
    size_t start = 0;
    if (s->len >= 3 && !memcmp(s->text, "\xEF\xBB\xBF", 3))
        start = 3;   /* a byte order mark is no column */
    for (size_t i = start; i < offset;) {
        size_t b = break_len(s->text, i, s->len);
        brk = b != 0;
        if (b) {
            pc = c;
            l++;
            c = 0;
            i += b;
        } else {
            if ((s->text[i] & 0xC0) != 0x80)
                c++;
            i++;
        }
    }
    *line = l;
    *column = c;
    if (prev_column)
        *prev_column = pc;
    if (ends_with_break)
        *ends_with_break = brk;
}

static void source_init(source *s, const char *text, size_t len, const char *name, unsigned column_offset)
{
    s->name = name;
    s->column_offset = column_offset;
    s->text = (const unsigned char *)text;
    s->len = len;
    size_t line, column, prev;
    bool brk;
    source_locate(s, len, &line, &column, &prev, &brk);
    if (brk) {   /* no line after the final line break */
        line--;
        column = prev;
    }
    s->last_line = line;
    s->last_column = column;
}

/* A 0-based line and column as a position, clamped to the end of the text:
 * libyaml puts the end of the stream on the line after the last one. */
static ws_pos source_pos(const source *s, size_t line, size_t column)
{
    if (line > s->last_line || (line == s->last_line && column > s->last_column)) {
        line = s->last_line;
        column = s->last_column;
    }
    ws_pos p = { s->name, (unsigned)line + 1, (unsigned)column + 1 + (line == 0 ? s->column_offset : 0) };
    return p;
}

static ws_pos mark_pos(const source *s, const yaml_mark_t *m)
{
    return source_pos(s, m->line, m->column);
}

/* ------------------------------------------------------------ anchors */

typedef struct anchor {
    char *name;
    ws_ynode *node;      /* scalars: a private copy; collections: in the tree */
    bool own;            /* node is the private copy */
    bool open;           /* the collection is still being read */
    size_t size;         /* nodes in the subtree */
    unsigned height;     /* levels of the subtree (a scalar is 1) */
    ws_pos pos;
} anchor;

/* Anchors by name: open addressing over indices into `a` (a few thousand
 * aliases must not cost a scan each). */
typedef struct anchor_table {
    anchor *a;
    size_t n;
    size_t *slot;        /* index + 1; 0 = empty */
    size_t n_slots;      /* a power of two, at least twice n */
} anchor_table;

static size_t anchor_find(const anchor_table *t, const char *name)
{
    if (!t->n_slots)
        return 0;
    for (size_t i = (size_t)ws_hash64_str(name) & (t->n_slots - 1);; i = (i + 1) & (t->n_slots - 1)) {
        if (!t->slot[i])
            return 0;
        if (!strcmp(t->a[t->slot[i] - 1].name, name))
            return t->slot[i];
    }
}

static void anchor_slot_put(anchor_table *t, size_t index1)
{
    size_t i = (size_t)ws_hash64_str(t->a[index1 - 1].name) & (t->n_slots - 1);
    while (t->slot[i])
        i = (i + 1) & (t->n_slots - 1);
    t->slot[i] = index1;
}

/* Adds a (new) anchor; returns its index + 1. */
static size_t anchor_add(anchor_table *t, const char *name)
{
    t->a = grow(t->a, t->n, sizeof *t->a);
    anchor *e = &t->a[t->n++];
    memset(e, 0, sizeof *e);
    e->name = ws_xstrdup(name);
    if (2 * t->n > t->n_slots) {
        free(t->slot);
        t->n_slots = t->n_slots ? 2 * t->n_slots : 16;
        t->slot = ws_xcalloc(t->n_slots, sizeof *t->slot);
        for (size_t i = 1; i < t->n; i++)
            anchor_slot_put(t, i);
    }
    anchor_slot_put(t, t->n);
    return t->n;
}

static void anchor_table_free(anchor_table *t)
{
    for (size_t i = 0; i < t->n; i++) {
        free(t->a[i].name);
        if (t->a[i].own)
            ws_ynode_free(t->a[i].node);
    }
    free(t->a);
    free(t->slot);
}

/* ------------------------------------------------------------ building */

/* An open sequence or mapping. */
typedef struct frame {
    ws_ynode *node;
    char *key;               /* mapping: the key waiting for its value */
    unsigned key_line, key_column;
    size_t anchor;           /* index + 1 of its anchor, 0 = none */
    size_t nodes_before;     /* node count when it started (itself included) */
    unsigned height;         /* levels below it so far */
} frame;

typedef struct builder {
    source src;
    ws_diag *diag;
    frame stack[WS_YAML_MAX_DEPTH];
    int depth;               /* open collections */
    ws_ynode *root;
    size_t n_nodes;
    anchor_table anchors;
} builder;

static bool expecting_key(const builder *b)
{
    const frame *f = b->depth ? &b->stack[b->depth - 1] : NULL;
    return f && f->node->kind == WS_YMAPPING && !f->key;
}

/* Checks that `levels` more levels at the current depth and `count` more
 * nodes stay within the limits. */
static bool fits(builder *b, ws_pos pos, unsigned levels, size_t count, const char *alias)
{
    if ((unsigned)b->depth + levels > WS_YAML_MAX_DEPTH) {
        ws_diag_error(b->diag, pos, NULL, "nesting deeper than %d levels%s%s", WS_YAML_MAX_DEPTH,
                      alias ? " through alias *" : "", alias ? alias : "");
        return false;
    }
    if (count > WS_YAML_MAX_NODES - b->n_nodes) {
        ws_diag_error(b->diag, pos, NULL,
                      "more than %d YAML nodes%s%s (the limit for one document, counting every "
                      "use of an alias as a copy)", WS_YAML_MAX_NODES,
                      alias ? " after expanding alias *" : "", alias ? alias : "");
        return false;
    }
    b->n_nodes += count;
    return true;
}

/* Hands a finished node to the open collection (or makes it the root). */
static void add_value(builder *b, ws_ynode *n, unsigned height, ws_pos pos)
{
    if (!b->depth) {
        b->root = n;
        return;
    }
    frame *f = &b->stack[b->depth - 1];
    if (height > f->height)
        f->height = height;
    if (f->node->kind == WS_YSEQUENCE) {
        seq_append(f->node, n);
    } else if (!f->key) {          /* a scalar key (checked by the caller) */
        f->key = n->text;
        n->text = NULL;
        f->key_line = pos.line;
        f->key_column = pos.column;
        ws_ynode_free(n);
    } else {
        map_append(f->node, f->key, f->key_line, f->key_column, n);
        f->key = NULL;
    }
}

/* Registers the anchor of the node starting at pos; false on a duplicate. */
static bool define_anchor(builder *b, const char *name, ws_pos pos, size_t *index1)
{
    size_t old = anchor_find(&b->anchors, name);
    if (old) {
        const anchor *e = &b->anchors.a[old - 1];
        ws_diag_error(b->diag, pos, NULL, "duplicate anchor &%s (first defined at line %u, column %u)",
                      name, e->pos.line, e->pos.column);
        return false;
    }
    *index1 = anchor_add(&b->anchors, name);
    b->anchors.a[*index1 - 1].pos = pos;
    return true;
}

static bool on_scalar(builder *b, const yaml_event_t *ev)
{
    ws_pos pos = mark_pos(&b->src, &ev->start_mark);
    const char *value = (const char *)ev->data.scalar.value;
    size_t len = ev->data.scalar.length;
    if (memchr(value, '\0', len)) {
        ws_diag_error(b->diag, pos, NULL, "%s contains a NUL character",
                      expecting_key(b) ? "key" : "scalar");
        return false;
    }
    /* keys are not nodes of the tree: they count neither as a level nor
     * as a node */
    bool key = expecting_key(b);
    if (!fits(b, pos, key ? 0 : 1, key ? 0 : 1, NULL))
        return false;
    ws_ynode *n = node_new(WS_YSCALAR, b->src.name, pos.line, pos.column);
    n->text = ws_xmalloc(len + 1);
    memcpy(n->text, value, len);
    n->text[len] = '\0';
    yaml_scalar_style_t st = ev->data.scalar.style;
    n->quoted = st == YAML_SINGLE_QUOTED_SCALAR_STYLE || st == YAML_DOUBLE_QUOTED_SCALAR_STYLE ||
                st == YAML_LITERAL_SCALAR_STYLE || st == YAML_FOLDED_SCALAR_STYLE;
    if (ev->data.scalar.anchor) {
        size_t a;
        if (!define_anchor(b, (const char *)ev->data.scalar.anchor, pos, &a)) {
            ws_ynode_free(n);
            return false;
        }
        anchor *e = &b->anchors.a[a - 1];
        e->node = node_copy(n);
        e->own = true;
        e->size = 1;
        e->height = 1;
    }
    add_value(b, n, 1, pos);
    return true;
}

static bool on_start(builder *b, const yaml_event_t *ev, ws_ynode_kind kind)
{
    ws_pos pos = mark_pos(&b->src, &ev->start_mark);
    if (expecting_key(b)) {
        ws_diag_error(b->diag, pos, NULL, "expected a plain key, found a %s",
                      kind == WS_YMAPPING ? "mapping" : "list");
        return false;
    }
    if (!fits(b, pos, 1, 1, NULL))
        return false;
    const yaml_char_t *aname = kind == WS_YMAPPING ? ev->data.mapping_start.anchor
                                                   : ev->data.sequence_start.anchor;
    size_t a = 0;
    if (aname && !define_anchor(b, (const char *)aname, pos, &a))
        return false;
    frame *f = &b->stack[b->depth++];
    memset(f, 0, sizeof *f);
    f->node = node_new(kind, b->src.name, pos.line, pos.column);
    f->anchor = a;
    f->nodes_before = b->n_nodes;
    if (a) {
        b->anchors.a[a - 1].node = f->node;
        b->anchors.a[a - 1].open = true;
    }
    return true;
}

static bool on_end(builder *b)
{
    frame f = b->stack[--b->depth];
    ws_ynode *n = f.node;
    if (n->kind == WS_YMAPPING) {
        ssize_t dup = first_duplicate(n);
        if (dup >= 0) {
            ws_pos kpos = { b->src.name, n->key_line[dup], n->key_column[dup] };
            ws_diag_error(b->diag, kpos, NULL, "duplicate key \"%s\" in this mapping", n->keys[dup]);
            ws_ynode_free(n);
            return false;
        }
    }
    unsigned height = f.height + 1;
    if (f.anchor) {
        anchor *e = &b->anchors.a[f.anchor - 1];
        e->open = false;
        e->size = b->n_nodes - f.nodes_before + 1;
        e->height = height;
    }
    add_value(b, n, height, ws_ynode_pos(n));
    return true;
}

static bool on_alias(builder *b, const yaml_event_t *ev)
{
    ws_pos pos = mark_pos(&b->src, &ev->start_mark);
    const char *name = (const char *)ev->data.alias.anchor;
    size_t a = anchor_find(&b->anchors, name);
    if (!a) {
        ws_diag_error(b->diag, pos, NULL, "undefined alias *%s (no anchor &%s before it)", name, name);
        return false;
    }
    const anchor *e = &b->anchors.a[a - 1];
    if (e->open) {
        ws_diag_error(b->diag, pos, NULL,
                      "alias *%s refers to a node that contains it (anchor &%s at line %u, column %u); "
                      "recursive structures are not allowed", name, name, e->pos.line, e->pos.column);
        return false;
    }
    if (expecting_key(b) && e->node->kind != WS_YSCALAR) {
        ws_diag_error(b->diag, pos, NULL, "expected a plain key, found a %s (alias *%s)",
                      e->node->kind == WS_YMAPPING ? "mapping" : "list", name);
        return false;
    }
    bool key = expecting_key(b);
    if (!fits(b, pos, key ? 0 : e->height, key ? 0 : e->size, name))
        return false;
    add_value(b, node_copy(e->node), e->height, pos);
    return true;
}

static void builder_free(builder *b)
{
    while (b->depth > 0) {
        frame *f = &b->stack[--b->depth];
        free(f->key);
        ws_ynode_free(f->node);
    }
    ws_ynode_free(b->root);
    b->root = NULL;
    anchor_table_free(&b->anchors);
}

static void report_parse_error(const yaml_parser_t *p, const source *s, ws_diag *d)
{
    ws_pos pos;
    char detail[64] = "";
    if (p->error == YAML_READER_ERROR) {
        /* the reader gives a byte offset, not a mark */
        size_t line, column;
        source_locate(s, p->problem_offset, &line, &column, NULL, NULL);
        pos = source_pos(s, line, column);
        if (p->problem_value >= 0) {
            if (p->problem && strstr(p->problem, "UTF-8"))
                snprintf(detail, sizeof detail, " (byte 0x%02X); YAML input must be UTF-8 text",
                         (unsigned)p->problem_value & 0xFF);
            else
                snprintf(detail, sizeof detail, " (U+%04X)", (unsigned)p->problem_value);
        }
    } else if (p->error == YAML_MEMORY_ERROR) {
        fprintf(stderr, "wafersim: out of memory parsing YAML\n");
        abort();
    } else {
        pos = mark_pos(s, p->problem ? &p->problem_mark : &p->mark);
    }
    ws_diag_error(d, pos, NULL, "YAML syntax error: %s%s%s%s",
                  p->problem ? p->problem : "unknown problem", detail,
                  p->context ? " " : "", p->context ? p->context : "");
}

/* Builds the tree straight from libyaml's events (rather than from
 * yaml_parser_load's document), so that the limits apply while parsing:
 * nesting stops at the first level too deep (the scanner's cost per token
 * grows with the flow depth) and an alias is counted before it is copied. */
static ws_ynode *load_text(const char *text, size_t len, const char *name, unsigned column_offset,
                           ws_diag *d)
{
    if (len > WS_YAML_MAX_BYTES) {
        ws_pos pos = { name, 0, 0 };
        ws_diag_error(d, pos, NULL, "too large: %zu bytes, more than the limit of %d bytes (1 MiB) "
                      "for YAML input", len, WS_YAML_MAX_BYTES);
        return NULL;
    }
    yaml_parser_t parser;
    if (!yaml_parser_initialize(&parser))
        abort();
    yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
    builder b;
    memset(&b, 0, sizeof b);
    source_init(&b.src, text, len, name, column_offset);
    b.diag = d;
    int documents = 0;
    bool ok = true, done = false;
    while (ok && !done) {
        yaml_event_t ev;
        if (!yaml_parser_parse(&parser, &ev)) {
            report_parse_error(&parser, &b.src, d);
            ok = false;
            break;
        }
        switch (ev.type) {
        case YAML_DOCUMENT_START_EVENT:
            if (++documents > 1) {
                /* point at the second document's content (its root) */
                ws_pos pos = mark_pos(&b.src, &ev.start_mark);
                yaml_event_t next;
                if (yaml_parser_parse(&parser, &next)) {
                    pos = mark_pos(&b.src, &next.start_mark);
                    yaml_event_delete(&next);
                }
                ws_diag_error(d, pos, NULL, "expected a single YAML document, found a second one");
                ok = false;
            }
            break;
        case YAML_SCALAR_EVENT: ok = on_scalar(&b, &ev); break;
        case YAML_SEQUENCE_START_EVENT: ok = on_start(&b, &ev, WS_YSEQUENCE); break;
        case YAML_MAPPING_START_EVENT: ok = on_start(&b, &ev, WS_YMAPPING); break;
        case YAML_SEQUENCE_END_EVENT:
        case YAML_MAPPING_END_EVENT: ok = on_end(&b); break;
        case YAML_ALIAS_EVENT: ok = on_alias(&b, &ev); break;
        case YAML_STREAM_END_EVENT: done = true; break;
        default: break;
        }
        yaml_event_delete(&ev);
    }
    yaml_parser_delete(&parser);
    ws_ynode *tree = NULL;
    if (ok) {
        tree = b.root ? b.root : ws_ynode_new_mapping(name, 1, 1); /* empty stream: empty config */
        b.root = NULL;
    }
    builder_free(&b);
    return tree;
}

ws_ynode *ws_yaml_load_file(const char *path, ws_diag *d)
{
    ws_pos pos = { path, 0, 0 };
    FILE *fp = fopen(path, "rb");
    if (!fp) {
        ws_diag_error(d, pos, NULL, "cannot open: %s", strerror(errno));
        return NULL;
    }
    struct stat st;
    if (fstat(fileno(fp), &st) == 0) {
        if (S_ISDIR(st.st_mode)) {
            ws_diag_error(d, pos, NULL, "is a directory, not a YAML file");
            fclose(fp);
            return NULL;
        }
        if (S_ISREG(st.st_mode) && st.st_size > WS_YAML_MAX_BYTES) {
            ws_diag_error(d, pos, NULL, "too large: %lld bytes, more than the limit of %d bytes "
                          "(1 MiB) for YAML input", (long long)st.st_size, WS_YAML_MAX_BYTES);
            fclose(fp);
            return NULL;
        }
    }
    /* read it whole (at most one byte past the limit, to see it passed) */
    size_t cap = 4096, len = 0;
    char *buf = ws_xmalloc(cap);
    for (;;) {
        if (len == cap) {
            cap *= 2;
            buf = ws_xrealloc(buf, cap);
        }
        size_t got = fread(buf + len, 1, cap - len, fp);
        len += got;
        if (got == 0 || len > WS_YAML_MAX_BYTES)
            break;
    }
    if (ferror(fp)) {
        ws_diag_error(d, pos, NULL, "read error: %s", strerror(errno));
        free(buf);
        fclose(fp);
        return NULL;
    }
    fclose(fp);
    ws_ynode *tree = load_text(buf, len, path, 0, d);
    free(buf);
    return tree;
}

ws_ynode *ws_yaml_load_string(const char *text, const char *name, unsigned column_offset, ws_diag *d)
{
    return load_text(text, strlen(text), name, column_offset, d);
}

ws_ynode *ws_ynode_copy(const ws_ynode *n)
{
    return node_copy(n);
}

ws_ynode *ws_yaml_load_buffer(const char *text, size_t len, const char *name, unsigned column_offset,
                              ws_diag *d)
{
    return load_text(text, len, name, column_offset, d);
}

ws_ynode *ws_ynode_map_get(const ws_ynode *map, const char *key)
{
    if (!map || map->kind != WS_YMAPPING)
        return NULL;
    for (size_t i = 0; i < map->n; i++)
        if (strcmp(map->keys[i], key) == 0)
            return map->items[i];
    return NULL;
}

static ssize_t map_index(const ws_ynode *map, const char *key)
{
    for (size_t i = 0; i < map->n; i++)
        if (strcmp(map->keys[i], key) == 0)
            return (ssize_t)i;
    return -1;
}

static int key_ref_key_cmp(const void *key, const void *ref)
{
    return strcmp(key, ((const key_ref *)ref)->key);
}

void ws_ynode_merge(ws_ynode *base, ws_ynode *over)
{
    /* over's keys are unique, so only base's own keys can match: look them
     * up in a sorted index (a linear scan per key is quadratic) */
    size_t n_base = base->n;
    key_ref *index = sorted_keys(base, n_base);
    for (size_t i = 0; i < over->n; i++) {
        const key_ref *hit = bsearch(over->keys[i], index, n_base, sizeof *index, key_ref_key_cmp);
        ssize_t j = hit ? (ssize_t)hit->index : -1;
        ws_ynode *ov = over->items[i];
        if (j < 0) {
            map_append(base, over->keys[i], over->key_line[i], over->key_column[i], ov);
        } else if (base->items[j]->kind == WS_YMAPPING && ov->kind == WS_YMAPPING) {
            /* the merged mapping takes the position of the file that wrote
             * it last, so checks on the whole mapping point there */
            ws_ynode *b = base->items[j];
            free(b->file);
            b->file = ov->file;
            ov->file = NULL;
            b->line = ov->line;
            b->column = ov->column;
            base->key_line[j] = over->key_line[i];
            base->key_column[j] = over->key_column[i];
            ws_ynode_merge(b, ov);
            free(over->keys[i]);
        } else {
            ws_ynode_free(base->items[j]);
            base->items[j] = ov;
            base->key_line[j] = over->key_line[i];
            base->key_column[j] = over->key_column[i];
            free(over->keys[i]);
        }
        over->items[i] = NULL;
        over->keys[i] = NULL;
    }
    free(index);
    over->n = 0;
    ws_ynode_free(over);
}

int ws_ynode_set_path(ws_ynode *root, const char *dotted_path, ws_ynode *value)
{
    char *path = ws_xstrdup(dotted_path);
    ws_ynode *map = root;
    char *save = NULL;
    char *part = strtok_r(path, ".", &save);
    int rc = -1;
    while (part) {
        char *next = strtok_r(NULL, ".", &save);
        if (map->kind != WS_YMAPPING)
            break;
        ssize_t j = map_index(map, part);
        if (!next) {
            if (j < 0) {
                map_append(map, ws_xstrdup(part), value->line, value->column, value);
            } else {
                ws_ynode_free(map->items[j]);
                map->items[j] = value;
                map->key_line[j] = value->line;
                map->key_column[j] = value->column;
            }
            value = NULL;
            rc = 0;
            break;
        }
        if (j < 0) {
            ws_ynode *m = ws_ynode_new_mapping(value->file, value->line, value->column);
            map_append(map, ws_xstrdup(part), value->line, value->column, m);
            map = m;
        } else {
            map = map->items[j];
        }
        part = next;
    }
    ws_ynode_free(value);
    free(path);
    return rc;
}

bool ws_ynode_is_null(const ws_ynode *n)
{
    if (n->kind != WS_YSCALAR || n->quoted)
        return false;
    const char *t = n->text;
    return !*t || !strcmp(t, "~") || !strcmp(t, "null") || !strcmp(t, "Null") || !strcmp(t, "NULL");
}

const char *ws_ynode_kind_name(const ws_ynode *n)
{
    switch (n->kind) {
    case WS_YMAPPING: return "mapping";
    case WS_YSEQUENCE: return "list";
    default: return ws_ynode_is_null(n) ? "null" : "scalar";
    }
}

ws_ynode *ws_yaml_expect_mapping(ws_ynode *tree, const char *what, ws_diag *d)
{
    if (!tree || tree->kind == WS_YMAPPING)
        return tree;
    ws_diag_error(d, ws_ynode_pos(tree), NULL, "expected a mapping of %s keys, found a %s", what,
                  ws_ynode_kind_name(tree));
    ws_ynode_free(tree);
    return NULL;
}
