/* core/sweep.h — the points of a sweep: the `sweep:` section of an
 * experiment expanded into resolved configs with stable ids.
 *
 * Contract
 *   The section (doc/sweep.md):
 *     sweep:
 *       grid: {KEY.PATH: [V1, V2, ...], ...}   every combination of values
 *       zip:  [{KEY.PATH: [...], KEY.PATH: [...]}, ...]
 *                                  each group's lists vary together (one
 *                                  value of each per combination; the
 *                                  lists of a group have the same length)
 *       seeds: N                   repetitions 0 .. N-1 (default 1)
 *   together with the experiment's `variants:` (each combination and
 *   repetition is run for every variant).
 *   ws_sweep_load() reads the section of the experiment file `path` (the
 *   file itself, not its preset); an absent section is one combination. Its
 *   errors (unknown keys, a grid value that is not a non-empty list, a key
 *   path swept twice, zip lists of different lengths, too many points) go
 *   to d with file:line:column and key path; returns -1 then.
 *   Values are any YAML (scalars, lists, mappings); each is set as a node
 *   that keeps its position (ws_config_load_nodes), so a bad key path or
 *   value in a sweep is reported where it was written.
 *
 *   ws_sweep_expand() lists the points in a fixed order: dimensions (each
 *   grid key, then each zip group, in the order written) as nested loops,
 *   the first slowest; inside, repetition, then variant. Points that differ
 *   only by variant share a `group` (speedups are computed within it).
 *   A point's id is 12 hex digits of the FNV-1a hash of its description:
 *   the lines "KEY.PATH=VALUE" of its swept values sorted by key path, then
 *   "variant=NAME" ("default" without variants) and, for a repetition
 *   r > 0, "repetition=r". It depends only on the point itself, so adding
 *   values, variants or repetitions leaves the other points' ids as they
 *   were. Two points with the same id (a value listed twice) are an error.
 *
 *   ws_sweep_point_config() loads a point's resolved config: the file, the
 *   point's swept values, then `sets` (the command line's overrides), then
 *   the variant's `set` list, and for a repetition r > 0 sim.seed = the
 *   seed so resolved + r. `variants` and `baseline` are then emptied: the
 *   config, and so its hash, is the point's alone (other points do not
 *   change it). Returns 0, or -1 with the errors in d.
 */
#ifndef WS_SWEEP_H
#define WS_SWEEP_H

#include <stddef.h>
#include <stdint.h>

#include "core/config.h"
#include "core/diag.h"
#include "core/yaml_tree.h"

#define WS_SWEEP_MAX_POINTS 1000000
#define WS_SWEEP_ID_LEN 12

typedef struct ws_sweep_axis {
    char *key;                  /* dotted key path */
    size_t dim;                 /* dimension: a grid key or a zip group */
    size_t n;                   /* number of values */
    const ws_ynode *const *values;   /* into the sweep's tree */
    char **texts;               /* each value as one line of YAML flow text */
} ws_sweep_axis;

typedef struct ws_sweep {
    char *path;                 /* the experiment file */
    ws_ynode *tree;             /* owns the values */
    ws_sweep_axis *axes;
    size_t n_axes;
    size_t n_dims;
    size_t *dim_size;
    int64_t seeds;
} ws_sweep;

typedef struct ws_sweep_point {
    size_t index;               /* expansion order */
    char id[WS_SWEEP_ID_LEN + 1];
    size_t *value;              /* per axis: the index of its value */
    size_t variant;             /* index in the experiment's variants (0 without) */
    int64_t repetition;
    size_t group;               /* shared by points differing only by variant */
} ws_sweep_point;

int ws_sweep_load(ws_sweep *s, const char *path, ws_diag *d);
void ws_sweep_free(ws_sweep *s);

/* Fills *points (n_out of them; free with ws_sweep_points_free) for the
 * variants of `base` (the experiment loaded with ws_config_load). */
int ws_sweep_expand(const ws_sweep *s, const ws_config *base, ws_sweep_point **points, size_t *n_out,
                    ws_diag *d);
void ws_sweep_points_free(ws_sweep_point *points, size_t n);

/* The index of base's baseline variant (`baseline:`, "" = the first; 0
 * without variants); -1 when `baseline` names no variant. Shared with
 * `wafersim run`. */
int ws_sweep_baseline(const ws_config *base, size_t *index);

/* The variant name of a point of base ("default" without variants). */
const char *ws_sweep_variant_name(const ws_config *base, const ws_sweep_point *p);

int ws_sweep_point_config(const ws_sweep *s, const ws_config *base, const ws_sweep_point *p,
                          const char *const *sets, size_t n_sets, ws_config *cfg, ws_diag *d);

/* Everything above at once: loads the sweep of base's file `path` into s,
 * expands it into *points / *n, and loads every point's config into
 * (*cfgs)[i] (cfgs NULL: only checked, as `wafersim validate` does), each
 * error reported once although points share values. Returns 0, or -1 with
 * the errors in d and nothing to free. */
int ws_sweep_load_all(ws_sweep *s, const char *path, const ws_config *base, const char *const *sets,
                      size_t n_sets, ws_sweep_point **points, size_t *n, ws_config **cfgs, ws_diag *d);

/* The order in which to start n points (order[0..n-1], a permutation of
 * 0..n-1): points that share a workload (equal key[i]) form a group; the
 * groups are taken largest size[] first (ties: first in expansion order),
 * and the points round-robin over them: the first point of each group,
 * then the second of each, and so on, each group's points in expansion
 * order. So concurrent workers start by building different workloads
 * (a trace each, side by side, rather than waiting for each other's),
 * the biggest first, whose traces the smaller batches of the same
 * workload then copy (workload/gen_cache.h). Results do not depend on
 * the order. */
void ws_sweep_schedule(const uint64_t *key, const int64_t *size, size_t n, size_t *order);

/* Writes n as one line of YAML flow text ("1 TB/s", "[1, 2]", "{x: 4, y: 4}"). */
char *ws_sweep_value_text(const ws_ynode *n);

#endif
