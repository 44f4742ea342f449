/* arch/compute.h — the compute die of a tile: GEMM time for expert work,
 * and how compute overlaps with the arrival of the weights.
 *
 * Contract
 *   A task multiplies n tokens by one expert matrix of hidden x ffn
 *   weights of dtype_bytes each:
 *       flops = 2 * n * hidden * ffn
 *       bytes = hidden * ffn * dtype_bytes            (weights)
 *             + n * (hidden + ffn) * dtype_bytes      (activations in, out)
 *   and takes  flops / (peak * efficiency(n))  ticks, where peak is the
 *   tile's FLOP per tick. The efficiency comes from a table of
 *   (tokens per task, efficiency) points when one is given — linear
 *   interpolation between points (GSL), clamped to the first and last
 *   point outside them — and otherwise from the roofline of the tile,
 *       efficiency = min(1, (flops / bytes) * hbm_bytes_per_tick / peak),
 *   so that the default time is max(flops / peak, bytes / hbm bandwidth).
 *
 *   Overlap with the weights' arrival (arch_gemm_*): the matrix arrives in
 *   chunks, each a fraction of it.
 *     serial     compute starts when the last chunk has arrived and takes
 *                the whole task time (the simple model);
 *     pipelined  chunk k is computed from max(its arrival, the end of chunk
 *                k-1) for fraction_k of the task time (compute consumes
 *                the matrix as it streams in).
 *   arch_gemm_finish() is the tick (rounded up) at which the task is done.
 *   Times are kept in fractional ticks internally. Passive, deterministic.
 */
#ifndef ARCH_COMPUTE_H
#define ARCH_COMPUTE_H

#include <stddef.h>
#include <stdint.h>

#include "core/engine.h"

typedef struct arch_compute_params {
    double peak_flops_per_tick;
    double hbm_bytes_per_tick;     /* for the roofline default */
    const double *table_tokens;    /* ascending; NULL or n_table == 0: roofline */
    const double *table_efficiency;
    size_t n_table;
} arch_compute_params;

typedef struct arch_compute arch_compute;

/* NULL when valid, else a one-line reason (table not ascending, efficiency
 * outside (0, 1], ...). */
const char *arch_compute_check(const arch_compute_params *p);

struct ws_config;
/* hw.tile.peak_flops, hw.tile.hbm.bandwidth and hw.tile.compute.efficiency
 * in ticks of the config's clock. The table arrays are written to the
 * caller's buffers tokens[] and efficiency[] of cfg's list length. */
void arch_compute_params_from_config(const struct ws_config *cfg, arch_compute_params *out,
                                     double *tokens, double *efficiency);

arch_compute *arch_compute_new(const arch_compute_params *p);
void arch_compute_free(arch_compute *c);

double arch_gemm_flops(uint64_t tokens, uint64_t hidden, uint64_t ffn);
double arch_gemm_bytes(uint64_t tokens, uint64_t hidden, uint64_t ffn, double dtype_bytes);
double arch_compute_efficiency(const arch_compute *c, uint64_t tokens, uint64_t hidden, uint64_t ffn,
                               double dtype_bytes);
double arch_compute_gemm_ticks(const arch_compute *c, uint64_t tokens, uint64_t hidden, uint64_t ffn,
                               double dtype_bytes);

typedef enum arch_overlap { ARCH_OVERLAP_SERIAL, ARCH_OVERLAP_PIPELINED } arch_overlap;

typedef struct arch_gemm {
    arch_overlap mode;
    double task_ticks;
    double done_at;         /* pipelined: end of the last computed chunk */
    double last_arrival;
    double fraction_seen;
} arch_gemm;

void arch_gemm_begin(arch_gemm *g, arch_overlap mode, double task_ticks, ws_tick start);
void arch_gemm_chunk(arch_gemm *g, ws_tick arrival, double fraction);
ws_tick arch_gemm_finish(const arch_gemm *g);

#endif
