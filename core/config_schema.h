/* core/config_schema.h — declarative schemas that read YAML trees into C
 * structs, with units, ranges, defaults and positioned errors.
 *
 * Contract
 *   A ws_cschema describes one YAML mapping and the C struct it fills: a
 *   list of ws_cfield, each naming a key, its type, where it lands in the
 *   struct (offsetof), its default written as YAML text in the same syntax
 *   a user would write ("1 GHz", "true", "xy"; NULL = the key is required),
 *   its range and a one-line description.
 *
 *   Types and their C storage:
 *     WS_CT_BOOL    bool      true | false
 *     WS_CT_INT     int64_t   decimal integer within [min, max]
 *     WS_CT_FLOAT   double    decimal number within [min, max]
 *     WS_CT_ENUM    int       one of names[] (index stored)
 *     WS_CT_STRING  char *    any scalar; null is "" (owned; freed by
 *                             ws_cschema_free)
 *     WS_CT_QTY     double    quantity with a unit of kind `unit`, stored in
 *                             the canonical SI unit (core/units.h), within
 *                             [min, max] in that unit
 *     WS_CT_SECTION struct    nested mapping described by `sub`, stored in
 *                             place at `offset`
 *     WS_CT_LIST    ws_clist  list of `elem` items (a scalar type, or
 *                             WS_CT_SECTION with `sub`), stored as a
 *                             calloc'ed array of sub->size or scalar-size
 *                             items; length within [min, max]
 *     WS_CT_OPTION  struct    a hardware option's section: `sub` when the
 *                             option is compiled in; when it is compiled out
 *                             (sub == NULL) only "enabled: false" (or an
 *                             absent key) is accepted, anything else is an
 *                             error naming `configure_switch`.
 *     WS_CT_EXTERNAL (nothing) a section another module reads itself from
 *                             the file (e.g. `sweep:`, core/sweep.h): the
 *                             key is known, its value is not looked at,
 *                             stored, written or hashed.
 *
 *   ws_cschema_read() fills obj from a mapping node (NULL = empty mapping):
 *   every field from the node or from its default; errors go to the diag
 *   with the node's file:line:column, the dotted key path, what was
 *   expected (with units) and what was found; keys the schema does not know
 *   are errors ("unknown key", with the known keys listed); after reading a
 *   section without error, its `check` hook (if any) validates cross-field
 *   constraints (skipped after an error, so one mistake gives one message).
 *   Reading continues after an error so that all errors of a file are
 *   collected. `clock_hz` converts "cycles" and "B/cycle" quantities.
 *
 *   ws_cschema_write() prints obj as YAML with units normalised (the output
 *   of `wafersim config show`); it reads back through ws_cschema_read() to
 *   an identical struct, except that a disabled hardware option (its
 *   "enabled" is false, or it is compiled out) is written as just
 *   "enabled: false" whatever its other parameters: they have no effect,
 *   and the text (which is hashed) is then the same in every build. Range
 *   error messages and ws_cschema_doc() show limits with
 *   ws_units_format_readable() ("1 MHz"), the written values with
 *   ws_units_format(). ws_cschema_free() frees owned strings and lists.
 *   ws_cschema_doc() prints a reference of every key (type, unit, default,
 *   range, description) for doc/config.md.
 */
#ifndef WS_CONFIG_SCHEMA_H
#define WS_CONFIG_SCHEMA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "core/diag.h"
#include "core/units.h"
#include "core/yaml_tree.h"

typedef enum ws_ctype {
    WS_CT_BOOL, WS_CT_INT, WS_CT_FLOAT, WS_CT_ENUM, WS_CT_STRING, WS_CT_QTY,
    WS_CT_SECTION, WS_CT_LIST, WS_CT_OPTION, WS_CT_EXTERNAL
} ws_ctype;

typedef struct ws_clist {
    size_t n;
    void *items;
} ws_clist;

typedef struct ws_cschema ws_cschema;

/* Context handed to check hooks so they can report positioned errors. */
typedef struct ws_ccheck {
    ws_diag *diag;
    const ws_ynode *node;      /* the section's mapping (may be NULL) */
    const char *path;          /* its dotted key path */
} ws_ccheck;

/* Reports an error at the position of `key` inside the checked section
 * (or at the section itself when the key was not written). */
void ws_ccheck_error(const ws_ccheck *c, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

typedef struct ws_cfield {
    const char *key;
    ws_ctype type;
    size_t offset;
    const char *def;                 /* default as YAML text; NULL = required */
    double min, max;                 /* bounds (INT, FLOAT, QTY, LIST length) */
    ws_unit_kind unit;               /* QTY */
    const char *const *names;        /* ENUM: NULL-terminated */
    const ws_cschema *sub;           /* SECTION, OPTION, LIST of sections */
    ws_ctype elem;                   /* LIST element type */
    const char *configure_switch;    /* OPTION */
    const char *doc;
} ws_cfield;

struct ws_cschema {
    const char *name;
    size_t size;                     /* sizeof the struct */
    const ws_cfield *fields;
    size_t n_fields;
    void (*check)(void *obj, const ws_ccheck *c);
};

#define WS_NO_LIMIT_MIN (-1e300)
#define WS_NO_LIMIT_MAX (1e300)

void ws_cschema_read(const ws_cschema *s, const ws_ynode *map, const char *path,
                     double clock_hz, void *obj, ws_diag *d);
void ws_cschema_write(const ws_cschema *s, const void *obj, FILE *out, int indent);
void ws_cschema_free(const ws_cschema *s, void *obj);
void ws_cschema_doc(const ws_cschema *s, const char *path, FILE *out);

#endif
