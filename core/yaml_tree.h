/* core/yaml_tree.h — YAML documents as position-carrying trees.
 *
 * Contract
 *   ws_yaml_load_file() parses one YAML document with libyaml and returns it
 *   as a tree of ws_ynode, each node carrying the file, line and column
 *   (1-based) where it starts. An empty document is an empty mapping.
 *   Aliases are resolved (each use of an alias is a copy of its anchored
 *   node, with the anchored node's positions). Mapping keys must be plain or
 *   quoted scalars and unique within their mapping. Syntax errors (invalid
 *   UTF-8 included), more than one document, non-scalar keys, duplicate keys
 *   or anchors, undefined or recursive aliases (&x [*x]) and NUL characters
 *   in keys or scalars are reported to the ws_diag with their position and
 *   NULL is returned. A position never lies past the end of the text (an
 *   error at the end of the input points just after its last character).
 *   A directory is reported as such.
 *
 *   Limits, against hostile or broken input (each reported as an error):
 *   WS_YAML_MAX_BYTES of input (1 MiB), nesting of WS_YAML_MAX_DEPTH levels
 *   (checked while parsing, so "[[[[..." stops at the first level too deep)
 *   and WS_YAML_MAX_NODES nodes in the tree, counting every use of an alias
 *   as the copy it becomes (an "alias bomb" of a few lines stops there
 *   instead of growing to gigabytes). Time is O(n log n) in the input.
 *
 *   ws_yaml_load_string() is the same for text held in memory; `name` is
 *   what positions report as the file, and `column_offset` is added to the
 *   columns of the first line (used for "--set key=value" overrides, so the
 *   column points into the command-line argument).
 *   ws_yaml_load_buffer() is the same for `len` bytes that need not end in a
 *   NUL (a NUL inside is reported like any other, as above).
 *
 *   The tree owns all its strings. Each node has a `used` flag that schema
 *   readers set, so that keys nobody read can be reported as unknown.
 *
 *   ws_ynode_merge(base, over) merges `over` into `base` in place and frees
 *   `over`: for each key of `over`, a mapping merges into a mapping of the
 *   same key recursively (the merged mapping takes over's position);
 *   anything else replaces base's value (keeping over's position). Errors
 *   therefore point at the file that wrote a value or key last.
 *   ws_ynode_set_path() replaces or creates the value at a dotted key path
 *   ("hw.link.bandwidth"), creating intermediate mappings; it returns -1
 *   (and frees value) when a non-mapping node is in the way.
 *   ws_ynode_copy() is a deep copy (positions kept, `used` flags cleared).
 */
#ifndef WS_YAML_TREE_H
#define WS_YAML_TREE_H

#include <stdbool.h>
#include <stddef.h>

#include "core/diag.h"

#define WS_YAML_MAX_BYTES (1024 * 1024)
#define WS_YAML_MAX_DEPTH 64
#define WS_YAML_MAX_NODES 100000

typedef enum ws_ynode_kind { WS_YSCALAR, WS_YSEQUENCE, WS_YMAPPING } ws_ynode_kind;

typedef struct ws_ynode ws_ynode;
struct ws_ynode {
    ws_ynode_kind kind;
    char *file;
    unsigned line, column;
    bool used;
    /* scalar */
    char *text;
    bool quoted;          /* single- or double-quoted: never null/number */
    /* sequence and mapping: n children; mappings also have keys */
    size_t n;
    ws_ynode **items;
    char **keys;          /* mapping only */
    unsigned *key_line, *key_column;
};

ws_ynode *ws_yaml_load_file(const char *path, ws_diag *d);
ws_ynode *ws_yaml_load_string(const char *text, const char *name, unsigned column_offset,
                              ws_diag *d);
ws_ynode *ws_yaml_load_buffer(const char *text, size_t len, const char *name, unsigned column_offset,
                              ws_diag *d);
void ws_ynode_free(ws_ynode *n);
/* `tree` when it is a mapping (or NULL when it is NULL: a parse error
 * already reported); otherwise reports "expected a mapping of WHAT keys,
 * found a KIND" at its position, frees it and returns NULL. */
ws_ynode *ws_yaml_expect_mapping(ws_ynode *tree, const char *what, ws_diag *d);

ws_ynode *ws_ynode_map_get(const ws_ynode *map, const char *key);   /* NULL if absent */
ws_ynode *ws_ynode_new_mapping(const char *file, unsigned line, unsigned column);
void ws_ynode_merge(ws_ynode *base, ws_ynode *over);
int ws_ynode_set_path(ws_ynode *root, const char *dotted_path, ws_ynode *value);
ws_ynode *ws_ynode_copy(const ws_ynode *n);

/* True for a plain scalar that YAML reads as null: "", "~", "null", "Null", "NULL". */
bool ws_ynode_is_null(const ws_ynode *n);
const char *ws_ynode_kind_name(const ws_ynode *n); /* "mapping", "list", "null", "scalar" */

static inline ws_pos ws_ynode_pos(const ws_ynode *n)
{
    ws_pos p = { n->file, n->line, n->column };
    return p;
}

#endif
