/* workload/heatmap.h — cross-token transition counts per MoE layer (the
 * "heatmap" of `wafersim trace heatmap`), the profile the migration unit's
 * predictor reads: P(next token picks j | this token picked i).
 *
 * Contract
 *   wl_heatmap_build() counts, over every pair of consecutive decode tokens
 *   (t, t+1) of every request of a trace and every MoE layer m, each of the
 *   k x k combinations (i picked at t, j picked at t+1): C_m[i][j] += 1.
 *   wl_heatmap_prob(h, m, i, j) = C_m[i][j] / sum_j' C_m[i][j'], the
 *   probability that a pick of the next token is j given that this token
 *   picked i (0 when row i is empty); a row sums to 1.
 *
 *   Leakage: a heatmap must come from requests other than those it will be
 *   evaluated on. The file records the source trace's payload checksum and
 *   request count, and an "oracle" flag set only on explicit request (the
 *   --oracle switch: the profile IS the evaluated batch).
 *   wl_heatmap_check_eval() refuses (-1, reason in err) a non-oracle heatmap
 *   whose source is the evaluated trace (same payload checksum) or whose
 *   model/shape differs; wl_heatmap_provenance() gives the one-line text
 *   every result using a heatmap must print ("heatmap FILE: oracle (built
 *   from the evaluated requests)" or "... profile from N requests of trace
 *   <checksum>").
 *
 *   File format (version 1, little-endian, sections 8-aligned; doc/traces.md):
 *     header  112 bytes: magic "WSHEATM\0", uint32 version, uint32 flags
 *             (bit 0 oracle), char model[32], uint32 n_moe, uint32 experts,
 *             uint32 top_k, uint32 0, uint64 source requests, uint64 source
 *             payload checksum, uint64 transitions (sum of all counts),
 *             uint64 nnz (non-zero cells), uint64 file size, uint64
 *             checksum (FNV-1a 64 of every byte of the file except these 8);
 *     layers  n_moe blocks, in MoE layer order: uint32 nnz_m, uint32 0,
 *             uint32 row_ptr[E+1] (row i's cells are entries row_ptr[i] ..
 *             row_ptr[i+1]-1), pad, uint16 col[nnz_m] (ascending within a
 *             row), pad, uint32 count[nnz_m] (> 0), pad.
 *   wl_heatmap_read() loads and checks all of it (magic, version, size,
 *   checksum, monotone row pointers, columns in range and ascending,
 *   positive counts, totals); errors give NULL and a reason starting with
 *   the path. wl_heatmap_write() writes atomically (core/atomic_file.h).
 */
#ifndef WL_HEATMAP_H
#define WL_HEATMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "workload/trace_reader.h"

#define WL_HEATMAP_MAGIC "WSHEATM\0"
#define WL_HEATMAP_VERSION 1u
#define WL_HEATMAP_HEADER 112u
#define WL_HEATMAP_ORACLE 1u

typedef struct wl_heatmap_info {
    char model[WL_TRACE_MODEL_LEN];
    uint32_t n_moe, n_experts, top_k;
    bool oracle;
    uint64_t source_requests, source_checksum;
    uint64_t transitions, nnz;
} wl_heatmap_info;

typedef struct wl_heatmap wl_heatmap;

wl_heatmap *wl_heatmap_build(const wl_trace *t, bool oracle, char *err, size_t err_len);
int wl_heatmap_write(const wl_heatmap *h, const char *path, char *err, size_t err_len);
wl_heatmap *wl_heatmap_read(const char *path, char *err, size_t err_len);
void wl_heatmap_free(wl_heatmap *h);

const wl_heatmap_info *wl_heatmap_get_info(const wl_heatmap *h);
/* Row i of layer m: its non-zero cells (columns ascending); returns their number. */
uint32_t wl_heatmap_row(const wl_heatmap *h, uint32_t m, uint32_t i, const uint16_t **cols,
                        const uint32_t **counts);
uint64_t wl_heatmap_row_total(const wl_heatmap *h, uint32_t m, uint32_t i);
uint32_t wl_heatmap_count(const wl_heatmap *h, uint32_t m, uint32_t i, uint32_t j);
double wl_heatmap_prob(const wl_heatmap *h, uint32_t m, uint32_t i, uint32_t j);

int wl_heatmap_check_eval(const wl_heatmap *h, const wl_trace_info *eval, char *err, size_t err_len);
void wl_heatmap_provenance(const wl_heatmap *h, const char *path, char *buf, size_t len);

#endif
