/* arch/alloc.h — allocation policies: the Global CP's plan of which tile
 * computes which tokens of which expert in one MoE layer.
 *
 * Contract
 *   A plan is a list of tasks (expert, tile, tokens). A policy's plan()
 *   appends tasks to `out` such that, for every expert e, the tokens of e's
 *   tasks add up to ctx->counts[e] exactly, no task has zero tokens, each
 *   (expert, tile) pair appears at most once, and experts with no tokens get
 *   no task. arch_plan_check() verifies this (the run fails loudly when a
 *   plan breaks it). Plans are deterministic: the same context gives the
 *   same plan, ties broken towards lower tile and expert ids.
 *
 *   Each policy is a const arch_alloc_policy `arch_alloc_<name>` in
 *   arch/alloc/<name>.c; arch_alloc_registry[] lists them in the order of
 *   arch/alloc_list.h (the order of the strategy.allocation enum).
 *   `requires_option` names the hardware option a policy needs (NULL for
 *   none): the run refuses the policy unless the option is enabled.
 *
 *   The context carries the layer's expert counts, the residency table
 *   (home tiles and copies), the grid, and a cost model in ticks for
 *   cost-aware policies: reading one expert from HBM, sending it over one
 *   link, the per-hop latency, and computing one token of one expert.
 */
#ifndef ARCH_ALLOC_H
#define ARCH_ALLOC_H

#include <stddef.h>
#include <stdint.h>

#include "core/config.h"
#include "mem/residency.h"

typedef struct arch_task {
    uint32_t expert, tile, tokens;
} arch_task;

typedef struct arch_plan {
    arch_task *tasks;
    size_t n, cap;
} arch_plan;

void arch_plan_add(arch_plan *p, uint32_t expert, uint32_t tile, uint32_t tokens);
void arch_plan_clear(arch_plan *p);
void arch_plan_free(arch_plan *p);
/* 0 when the plan computes every token of counts exactly once on valid
 * tiles, else -1 with the first violation in err. */
int arch_plan_check(const arch_plan *p, const uint32_t *counts, uint32_t n_experts, uint32_t n_tiles, char *err,
                    size_t err_len);

typedef struct arch_cost_model {
    double expert_hbm_ticks;        /* one expert's weights out of HBM */
    double expert_link_ticks;       /* one expert's weights over one link */
    double hop_ticks;               /* link latency per hop */
    double token_compute_ticks;     /* one token through one expert */
} arch_cost_model;

typedef struct arch_alloc_ctx {
    uint32_t n_tiles, grid_x, grid_y;
    uint32_t n_experts;
    uint32_t layer;                 /* MoE layer index */
    const uint32_t *counts;         /* tokens per expert */
    const mem_residency *residency;
    arch_cost_model cost;
    const ws_affine_config *affine;
} arch_alloc_ctx;

typedef struct arch_alloc_policy {
    const char *name;
    const char *requires_option;    /* hardware option name, or NULL */
    void (*plan)(const arch_alloc_ctx *ctx, arch_plan *out);
} arch_alloc_policy;

extern const arch_alloc_policy *const arch_alloc_registry[];
extern const size_t arch_alloc_count;

/* Manhattan distance between tiles of a grid_x-wide grid. */
static inline uint32_t arch_tile_distance(uint32_t grid_x, uint32_t a, uint32_t b)
{
    uint32_t ax = a % grid_x, ay = a / grid_x, bx = b % grid_x, by = b / grid_x;
    return (ax > bx ? ax - bx : bx - ax) + (ay > by ? ay - by : by - ay);
}

#endif
