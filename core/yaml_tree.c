/* core/yaml_tree.c — libyaml documents converted to ws_ynode trees;
 * contract in core/yaml_tree.h. */
#define _POSIX_C_SOURCE 200809L
#include "core/yaml_tree.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

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

static void map_append(ws_ynode *map, char *key, unsigned kline, unsigned kcol, ws_ynode *value)
{
    size_t i = map->n++;
    map->items = ws_xrealloc(map->items, map->n * sizeof *map->items);
    map->keys = ws_xrealloc(map->keys, map->n * sizeof *map->keys);
    map->key_line = ws_xrealloc(map->key_line, map->n * sizeof *map->key_line);
    map->key_column = ws_xrealloc(map->key_column, map->n * sizeof *map->key_column);
    map->items[i] = value;
    map->keys[i] = key;
    map->key_line[i] = kline;
    map->key_column[i] = kcol;
}

/* Conversion context: positions on the first line get column_offset. */
typedef struct conv {
    yaml_document_t *doc;
    const char *file;
    unsigned column_offset;
    ws_diag *diag;
    int depth;
} conv;

#define WS_YAML_MAX_DEPTH 64

static unsigned conv_line(const yaml_mark_t *m) { return (unsigned)m->line + 1; }
static unsigned conv_col(const conv *c, const yaml_mark_t *m)
{
    return (unsigned)m->column + 1 + (m->line == 0 ? c->column_offset : 0);
}

static ws_ynode *convert(conv *c, yaml_node_t *yn)
{
    ws_pos pos = { c->file, conv_line(&yn->start_mark), conv_col(c, &yn->start_mark) };
    if (++c->depth > WS_YAML_MAX_DEPTH) {
        ws_diag_error(c->diag, pos, NULL, "nesting deeper than %d levels", WS_YAML_MAX_DEPTH);
        c->depth--;
        return NULL;
    }
    ws_ynode *n = NULL;
    switch (yn->type) {
    case YAML_SCALAR_NODE:
        n = node_new(WS_YSCALAR, c->file, pos.line, pos.column);
        n->text = ws_xcalloc(yn->data.scalar.length + 1, 1);
        memcpy(n->text, yn->data.scalar.value, yn->data.scalar.length);
        if (strlen(n->text) != yn->data.scalar.length) {
            ws_diag_error(c->diag, pos, NULL, "scalar contains a NUL character");
            ws_ynode_free(n);
            n = NULL;
            break;
        }
        n->quoted = yn->data.scalar.style == YAML_SINGLE_QUOTED_SCALAR_STYLE ||
                    yn->data.scalar.style == YAML_DOUBLE_QUOTED_SCALAR_STYLE ||
                    yn->data.scalar.style == YAML_LITERAL_SCALAR_STYLE ||
                    yn->data.scalar.style == YAML_FOLDED_SCALAR_STYLE;
        break;
    case YAML_SEQUENCE_NODE: {
        n = node_new(WS_YSEQUENCE, c->file, pos.line, pos.column);
        size_t count = (size_t)(yn->data.sequence.items.top - yn->data.sequence.items.start);
        n->items = ws_xcalloc(count, sizeof *n->items);
        for (size_t i = 0; i < count; i++) {
            yaml_node_t *child = yaml_document_get_node(c->doc, yn->data.sequence.items.start[i]);
            ws_ynode *cn = child ? convert(c, child) : NULL;
            if (!cn) {
                ws_ynode_free(n);
                n = NULL;
                break;
            }
            n->items[n->n++] = cn;
        }
        break;
    }
    case YAML_MAPPING_NODE: {
        n = node_new(WS_YMAPPING, c->file, pos.line, pos.column);
        for (yaml_node_pair_t *p = yn->data.mapping.pairs.start; p < yn->data.mapping.pairs.top; p++) {
            yaml_node_t *k = yaml_document_get_node(c->doc, p->key);
            yaml_node_t *v = yaml_document_get_node(c->doc, p->value);
            if (!k || !v)
                continue;
            ws_pos kpos = { c->file, conv_line(&k->start_mark), conv_col(c, &k->start_mark) };
            if (k->type != YAML_SCALAR_NODE) {
                ws_diag_error(c->diag, kpos, NULL, "expected a plain key, found a %s",
                              k->type == YAML_MAPPING_NODE ? "mapping" : "list");
                ws_ynode_free(n);
                n = NULL;
                break;
            }
            char *key = ws_xcalloc(k->data.scalar.length + 1, 1);
            memcpy(key, k->data.scalar.value, k->data.scalar.length);
            if (ws_ynode_map_get(n, key)) {
                ws_diag_error(c->diag, kpos, NULL, "duplicate key \"%s\" in this mapping", key);
                free(key);
                ws_ynode_free(n);
                n = NULL;
                break;
            }
            ws_ynode *vn = convert(c, v);
            if (!vn) {
                free(key);
                ws_ynode_free(n);
                n = NULL;
                break;
            }
            map_append(n, key, kpos.line, kpos.column, vn);
        }
        break;
    }
    default:
        ws_diag_error(c->diag, pos, NULL, "empty YAML node");
        break;
    }
    c->depth--;
    return n;
}

static ws_ynode *load(yaml_parser_t *parser, const char *name, unsigned column_offset, ws_diag *d)
{
    yaml_document_t doc;
    if (!yaml_parser_load(parser, &doc)) {
        const yaml_mark_t *m = parser->problem ? &parser->problem_mark : &parser->mark;
        ws_pos pos = { name, (unsigned)m->line + 1, (unsigned)m->column + 1 + (m->line == 0 ? column_offset : 0) };
        if (parser->error == YAML_READER_ERROR)
            pos.line = pos.column = 0;
        ws_diag_error(d, pos, NULL, "YAML syntax error: %s%s%s",
                      parser->problem ? parser->problem : "unknown problem",
                      parser->context ? " " : "", parser->context ? parser->context : "");
        return NULL;
    }
    yaml_node_t *root = yaml_document_get_root_node(&doc);
    ws_ynode *tree;
    if (!root) {
        tree = ws_ynode_new_mapping(name, 1, 1);   /* empty stream: empty config */
        yaml_document_delete(&doc);
        return tree;
    }
    conv c = { &doc, name, column_offset, d, 0 };
    tree = convert(&c, root);
    yaml_document_delete(&doc);
    if (!tree)
        return NULL;
    /* exactly one document */
    yaml_document_t extra;
    if (!yaml_parser_load(parser, &extra)) {
        ws_pos pos = { name, (unsigned)parser->problem_mark.line + 1, (unsigned)parser->problem_mark.column + 1 };
        ws_diag_error(d, pos, NULL, "YAML syntax error: %s", parser->problem ? parser->problem : "unknown");
        ws_ynode_free(tree);
        return NULL;
    }
    yaml_node_t *extra_root = yaml_document_get_root_node(&extra);
    if (extra_root) {
        ws_pos pos = { name, (unsigned)extra_root->start_mark.line + 1, (unsigned)extra_root->start_mark.column + 1 };
        ws_diag_error(d, pos, NULL, "expected a single YAML document, found a second one");
        yaml_document_delete(&extra);
        ws_ynode_free(tree);
        return NULL;
    }
    yaml_document_delete(&extra);
    return tree;
}

ws_ynode *ws_yaml_load_file(const char *path, ws_diag *d)
{
    FILE *fp = fopen(path, "rb");
    if (!fp) {
        ws_pos pos = { path, 0, 0 };
        ws_diag_error(d, pos, NULL, "cannot open: %s", strerror(errno));
        return NULL;
    }
    yaml_parser_t parser;
    if (!yaml_parser_initialize(&parser))
        abort();
    yaml_parser_set_input_file(&parser, fp);
    ws_ynode *tree = load(&parser, path, 0, d);
    yaml_parser_delete(&parser);
    if (ferror(fp) && tree) {
        ws_pos pos = { path, 0, 0 };
        ws_diag_error(d, pos, NULL, "read error");
        ws_ynode_free(tree);
        tree = NULL;
    }
    fclose(fp);
    return tree;
}

ws_ynode *ws_yaml_load_string(const char *text, const char *name, unsigned column_offset, ws_diag *d)
{
    yaml_parser_t parser;
    if (!yaml_parser_initialize(&parser))
        abort();
    yaml_parser_set_input_string(&parser, (const unsigned char *)text, strlen(text));
    ws_ynode *tree = load(&parser, name, column_offset, d);
    yaml_parser_delete(&parser);
    return tree;
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

void ws_ynode_merge(ws_ynode *base, ws_ynode *over)
{
    for (size_t i = 0; i < over->n; i++) {
        ssize_t j = map_index(base, over->keys[i]);
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
