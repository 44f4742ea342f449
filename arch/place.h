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
 *   for profile-aware policies; a policy that needs one and gets NULL
 *   fails with a message saying so.
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

#endif
