/* core/sweep_merge.h — the directory of a sweep and its merge
 * (`wafersim sweep`, doc/sweep.md).
 *
 * Contract
 *   The directory DIR of a sweep holds
 *     DIR/sweep.json      the manifest (a ws_table in JSON): one row per
 *                         point in expansion order with the columns
 *                         "point", the swept key paths, "variant",
 *                         "repetition", "seed", "group", "baseline" (yes or
 *                         no) and "config_hash" (of the point's resolved
 *                         config), and the experiment's provenance;
 *     DIR/points/ID.json  one finished point: a one-row table with the
 *                         results columns, the point's config hash in its
 *                         provenance;
 *     DIR/results.csv, DIR/results.json   the merge.
 *   The results columns (ws_sweep_result_columns, an array to free whose
 *   strings are the caller's): "point", "status" (ok, failed, missing),
 *   "error", the swept key paths, "repetition", "seed", then the run row
 *   of arch/run_row.h.
 *   ws_sweep_merge() reads the manifest and, in its order, each point's
 *   file; a point without a file, or whose file's config hash differs from
 *   the manifest's, is "missing". speedup_vs_baseline is the point's
 *   throughput over that of its group's baseline point (empty when either
 *   failed). The table is written atomically to DIR/results.csv and
 *   DIR/results.json with the manifest's provenance (command, experiment,
 *   config hash, seed) and today's date (or SOURCE_DATE_EPOCH): it depends
 *   on nothing else, so it is the same however the points were run.
 *   Returns 0 when every point is ok, WS_EXIT_RUNTIME when one failed or is
 *   missing (or a write failed), WS_EXIT_BAD_INPUT when DIR holds no
 *   manifest; prints a one-line summary on stderr unless quiet and all ok.
 *   ws_sweep_path() is DIR/NAME and ws_sweep_point_path() DIR/points/ID.json
 *   (malloc'ed).
 */
#ifndef WS_SWEEP_MERGE_H
#define WS_SWEEP_MERGE_H

#include <stdbool.h>
#include <stddef.h>

#define WS_SWEEP_TITLE "MoE decode sweep (GB = 1e9 B; times of decode iterations only)"
#define WS_SWEEP_RESULT_HEAD 3   /* point, status, error */

const char **ws_sweep_result_columns(const char *const *swept, size_t n_swept, size_t *n_columns);
char *ws_sweep_path(const char *dir, const char *name);
char *ws_sweep_point_path(const char *dir, const char *id);
int ws_sweep_merge(const char *dir, bool quiet);

#endif
