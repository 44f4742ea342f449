/* arch/place/hot_replication.c — hot-expert replication: the study's
 * contiguous homes, plus static copies of the most popular experts (by the
 * profile) on other tiles, within strategy.replication.budget bytes per
 * tile.
 *
 * Where copies live: in the home region's spare capacity (HBM capacity
 * minus the reserved region minus the homes), never in the reserved
 * region, which belongs to the hardware's dynamic copies (the migration
 * unit): the two can be combined without one evicting the other.
 *
 * Budget: tile t may take n_t = floor(min(budget, free home bytes) /
 * expert bytes) copies over all layers, spread evenly over the MoE layers
 * (layer l gets floor(n_t / L), plus one when l < n_t mod L).
 *
 * Per layer, with f_e the profile frequency and h_e the holders of e, the
 * expected load of a tile is the sum over the experts it holds of f_e /
 * h_e (the home allocation splits an expert's tokens evenly over its
 * holders). Repeatedly: take the expert with the largest f_e / h_e (ties:
 * lower id) among those with f_e > 0 that can still go somewhere; copy it
 * to the tile with the least expected load among the tiles that have a
 * copy slot left in this layer and do not hold it (ties: lower tile id);
 * stop when no slot or no such expert is left. With one copy each, the
 * copied experts are thus exactly the hottest ones; a very hot expert gets
 * several copies before a much colder one gets its first. Needs a profile.
 */
#include "arch/place.h"

#include <stdbool.h>
#include <stdlib.h>

#include "core/xalloc.h"

/* One layer's copies; slots[t] is what tile t may still take here. */
static int replicate_layer(const arch_place_ctx *ctx, mem_residency *res, uint32_t l, uint32_t *slots,
                           double *load, uint32_t *holders, bool *done, char *err, size_t err_len)
{
    uint32_t T = ctx->n_tiles, E = ctx->n_experts;
    const double *f = ctx->profile + (size_t)l * E;
    for (uint32_t t = 0; t < T; t++)
        load[t] = 0;
    for (uint32_t e = 0; e < E; e++) {
        holders[e] = 1;
        done[e] = !(f[e] > 0);
        load[mem_residency_home(res, l, e)] += f[e];
    }
    for (;;) {
        uint32_t best = E;
        for (uint32_t e = 0; e < E; e++)
            if (!done[e] && (best == E || f[e] / holders[e] > f[best] / holders[best]))
                best = e;
        if (best == E)
            return 0;
        uint32_t to = T;
        for (uint32_t t = 0; t < T; t++)
            if (slots[t] && !mem_residency_present(res, l, best, t) && (to == T || load[t] < load[to]))
                to = t;
        if (to == T) {
            done[best] = true;
            continue;
        }
        if (mem_residency_place_copy(res, l, best, to, err, err_len) != 0)
            return -1;
        double before = f[best] / holders[best], after = f[best] / (holders[best] + 1);
        for (uint32_t t = 0; t < T; t++)
            if (t != to && mem_residency_present(res, l, best, t))
                load[t] += after - before;
        load[to] += after;
        holders[best]++;
        slots[to]--;
    }
}

static int hot_replication_place(const arch_place_ctx *ctx, mem_residency *res, char *err, size_t err_len)
{
    uint32_t T = ctx->n_tiles, E = ctx->n_experts, L = ctx->n_layers;
    if (arch_place_check_profile(ctx, false, err, err_len) != 0)
        return -1;
    uint32_t *tile_of = ws_xmalloc(E * sizeof *tile_of);
    for (uint32_t e = 0; e < E; e++)
        tile_of[e] = arch_place_contiguous_tile(T, E, e);
    int rc = arch_place_by_table(ctx, res, tile_of, err, err_len);
    free(tile_of);
    if (rc)
        return rc;
    uint64_t eb = mem_residency_expert_bytes(res);
    uint64_t *total = ws_xmalloc(T * sizeof *total);
    for (uint32_t t = 0; t < T; t++) {
        uint64_t room = mem_residency_home_capacity(res) - mem_residency_home_used(res, t);
        total[t] = (room < ctx->copy_budget_bytes ? room : ctx->copy_budget_bytes) / (eb ? eb : 1);
    }
    uint32_t *slots = ws_xmalloc(T * sizeof *slots), *holders = ws_xmalloc(E * sizeof *holders);
    double *load = ws_xmalloc(T * sizeof *load);
    bool *done = ws_xmalloc(E * sizeof *done);
    for (uint32_t l = 0; l < L && !rc; l++) {
        for (uint32_t t = 0; t < T; t++)
            slots[t] = (uint32_t)(total[t] / L + (l < total[t] % L));
        rc = replicate_layer(ctx, res, l, slots, load, holders, done, err, err_len);
    }
    free(total);
    free(slots);
    free(holders);
    free(load);
    free(done);
    return rc;
}

const arch_place_policy arch_place_hot_replication = {
    .name = "hot_replication", .needs_profile = true, .place = hot_replication_place,
};
