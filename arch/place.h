/* arch/place.h — static placement policies: where each expert's weights
 * live at start-up (home tiles, and copies for replicating policies).
 *
 * Contract
 *   A policy's place() assigns every expert of every MoE layer a home tile
 *   through mem_residency_place_home() (which refuses an expert that does
 *   not fit the tile's home region) and may add copies with
 *   mem_residency_add_copy(). It returns 0, or -1 with a message in err
 *   (the run reports it and exits 2). Deterministic.
 *   Each policy is a const arch_place_policy `arch_place_<name>` in
 *   arch/place/<name>.c; arch_place_registry[] follows arch/place_list.h.
 *   `profile` (may be NULL) gives an expected load per (MoE layer, expert)
 *   for profile-aware policies and `pairs` (may be NULL) how often two
 *   experts of a layer were picked by one token (arch/place_profile.h); a
 *   policy that needs them (needs_profile) and gets NULL fails with a
 *   message saying so. `copy_budget_bytes` bounds the static copies a
 *   replicating policy may add per tile (mem_residency_place_copy: in the
 *   home region, after every home).
 *   Policies may place each MoE layer differently (the study's keep an
 *   expert's home tile the same in every layer).
 *
 *   Shared pieces: arch_place_by_table() places every layer alike;
 *   arch_place_share() is the equal share of experts per tile the study's
 *   placement gives (floor(E / T), plus one on the first E mod T tiles);
 *   arch_place_contiguous_tile() is the study's home tile of expert e.
 *   arch_place_greedy() places each layer from the profile: experts in
 *   descending profile frequency (ties: lower id) each go to a tile with
 *   room left in its equal share, the one with the least co-activation
 *   with the experts already there (sum of their pair counts; only when
 *   separate_pairs), then the least expected load (sum of the frequencies
 *   of its experts), then the lowest id. Without separate_pairs this is
 *   LPT (longest processing time first) under the count constraint.
 */
#ifndef ARCH_PLACE_H
#define ARCH_PLACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mem/residency.h"

typedef struct arch_place_ctx {
    uint32_t n_tiles, grid_x, grid_y;
    uint32_t n_layers;              /* MoE layers */
    uint32_t n_experts;
    const double *profile;          /* [layer * n_experts + e], or NULL */
    const uint32_t *pairs;          /* [(layer * n_experts + a) * n_experts + b], a < b, or NULL */
    uint64_t copy_budget_bytes;     /* static copies per tile (replicating policies) */
} arch_place_ctx;

typedef struct arch_place_policy {
    const char *name;
    bool needs_profile;
    int (*place)(const arch_place_ctx *ctx, mem_residency *res, char *err, size_t err_len);
} arch_place_policy;

extern const arch_place_policy *const arch_place_registry[];
extern const size_t arch_place_count;

/* Places every expert of every layer on home(e) = tile_of[e]: the shared
 * body of the static policies. */
int arch_place_by_table(const arch_place_ctx *ctx, mem_residency *res, const uint32_t *tile_of, char *err,
                        size_t err_len);

int arch_place_greedy(const arch_place_ctx *ctx, mem_residency *res, bool separate_pairs, char *err,
                      size_t err_len);

/* 0 when ctx has a profile (and pair counts when `pairs`), else -1 with
 * the message every profile-needing policy gives. */
int arch_place_check_profile(const arch_place_ctx *ctx, bool pairs, char *err, size_t err_len);

/* Home tile of expert e in the study's contiguous placement. */
static inline uint32_t arch_place_contiguous_tile(uint32_t n_tiles, uint32_t n_experts, uint32_t e)
{
    uint32_t q = n_experts / n_tiles;
    return q && e < q * n_tiles ? e / q : (e - q * n_tiles) % n_tiles;
}

/* Experts tile t holds per layer under an equal share. */
static inline uint32_t arch_place_share(const arch_place_ctx *ctx, uint32_t t)
{
    return ctx->n_experts / ctx->n_tiles + (t < ctx->n_experts % ctx->n_tiles);
}

#endif
