/* arch/alloc/affine.c — the study's Algorithm 1, expert-affine task
 * allocation (needs the expert_affine hardware option).
 *
 *   1. Experts with tokens are taken in ascending order of their token
 *      count (ties: lower expert id first).
 *   2. Candidates of expert e: the tiles holding a copy of e (home or
 *      copy) and the tiles within strategy.affine.candidate_distance hops
 *      of them. The split limit min(max_split, 1 + count / split_tokens)
 *      grows with the expert's count; the least-loaded candidates are kept
 *      up to it (ties: nearer to a copy, then lower tile id).
 *   3. The tokens go out in blocks of strategy.affine.block tokens (the
 *      last block smaller); each block goes to the kept candidate with the
 *      lowest estimated finish time
 *          load(tile) + weights(tile, e) + block * token_compute
 *      where weights() is the HBM read of the expert on a copy holder, or
 *      the HBM read plus the transfer (expert over one link + hops * hop
 *      latency) elsewhere, and is charged only for the first block of e on
 *      that tile (ties: lower tile id).
 *   4. Blocks of e that landed on the same tile are merged into one task.
 *   load(tile) accumulates the estimated cost of everything placed on the
 *   tile in this layer, so that later (bigger) experts avoid busy tiles.
 * The estimate is the Global CP's heuristic, not the simulated time. */
#include "arch/alloc.h"

#include <stdbool.h>
#include <stdlib.h>

#include "core/xalloc.h"

typedef struct by_count {
    uint32_t expert, count;
} by_count;

static int cmp_count(const void *a, const void *b)
{
    const by_count *x = a, *y = b;
    if (x->count != y->count)
        return x->count < y->count ? -1 : 1;
    return x->expert < y->expert ? -1 : (x->expert > y->expert);
}

typedef struct candidate {
    uint32_t tile, distance;   /* distance: hops to the nearest copy */
    double load;
} candidate;

static int cmp_candidate(const void *a, const void *b)
{
    const candidate *x = a, *y = b;
    if (x->load != y->load)
        return x->load < y->load ? -1 : 1;
    if (x->distance != y->distance)
        return x->distance < y->distance ? -1 : 1;
    return x->tile < y->tile ? -1 : (x->tile > y->tile);
}

static void affine_plan(const arch_alloc_ctx *ctx, arch_plan *out)
{
    uint32_t T = ctx->n_tiles, E = ctx->n_experts;
    const ws_affine_config *p = ctx->affine;
    const arch_cost_model *cm = &ctx->cost;
    by_count *order = ws_xmalloc(E * sizeof *order);
    uint32_t n_active = 0;
    for (uint32_t e = 0; e < E; e++)
        if (ctx->counts[e])
            order[n_active++] = (by_count){ e, ctx->counts[e] };
    qsort(order, n_active, sizeof *order, cmp_count);

    double *load = ws_xcalloc(T, sizeof *load);
    candidate *cand = ws_xmalloc(T * sizeof *cand);
    uint32_t *tokens_on = ws_xcalloc(T, sizeof *tokens_on);
    uint32_t *copy_dist = ws_xmalloc(T * sizeof *copy_dist);

    for (uint32_t i = 0; i < n_active; i++) {
        uint32_t e = order[i].expert, count = order[i].count;
        /* hops from each tile to the nearest copy of e */
        for (uint32_t t = 0; t < T; t++)
            copy_dist[t] = UINT32_MAX;
        for (uint32_t h = 0; h < T; h++) {
            if (!mem_residency_present(ctx->residency, ctx->layer, e, h))
                continue;
            for (uint32_t t = 0; t < T; t++) {
                uint32_t d = arch_tile_distance(ctx->grid_x, t, h);
                if (d < copy_dist[t])
                    copy_dist[t] = d;
            }
        }
        uint32_t n_cand = 0;
        for (uint32_t t = 0; t < T; t++)
            if (copy_dist[t] <= (uint32_t)p->candidate_distance)
                cand[n_cand++] = (candidate){ t, copy_dist[t], load[t] };
        qsort(cand, n_cand, sizeof *cand, cmp_candidate);
        uint64_t limit = 1 + count / (uint64_t)p->split_tokens;
        if (limit > (uint64_t)p->max_split)
            limit = (uint64_t)p->max_split;
        if (limit < n_cand)
            n_cand = (uint32_t)limit;

        for (uint32_t c = 0; c < n_cand; c++)
            tokens_on[cand[c].tile] = 0;
        for (uint32_t left = count; left;) {
            uint32_t block = left < (uint64_t)p->block_tokens ? left : (uint32_t)p->block_tokens;
            uint32_t best = 0;
            double best_cost = 0;
            for (uint32_t c = 0; c < n_cand; c++) {
                uint32_t t = cand[c].tile;
                double weights = 0;
                if (!tokens_on[t])
                    weights = cm->expert_hbm_ticks +
                              (cand[c].distance ? cm->expert_link_ticks + cand[c].distance * cm->hop_ticks : 0);
                double cost = load[t] + weights + block * cm->token_compute_ticks;
                if (c == 0 || cost < best_cost || (cost == best_cost && t < cand[best].tile)) {
                    best = c;
                    best_cost = cost;
                }
            }
            load[cand[best].tile] = best_cost;
            tokens_on[cand[best].tile] += block;
            left -= block;
        }
        /* merge: one task per tile that received blocks, in tile order */
        for (uint32_t t = 0; t < T; t++) {
            bool kept = false;
            for (uint32_t c = 0; c < n_cand && !kept; c++)
                kept = cand[c].tile == t;
            if (kept && tokens_on[t]) {
                arch_plan_add(out, e, t, tokens_on[t]);
                tokens_on[t] = 0;
            }
        }
    }
    free(order);
    free(load);
    free(cand);
    free(tokens_on);
    free(copy_dist);
}

const arch_alloc_policy arch_alloc_affine = {
    .name = "affine", .requires_option = "expert_affine", .plan = affine_plan,
};
