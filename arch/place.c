/* arch/place.c — the placement registry and the shared static body;
 * contract in arch/place.h. */
#include "arch/place.h"

#include "arch/place_list.h"

#include <stdio.h>
#include <stdlib.h>

#include "core/xalloc.h"

#define DECLARE(name, summary) extern const arch_place_policy arch_place_##name;
ARCH_PLACE_LIST(DECLARE)
#define ENTRY(name, summary) &arch_place_##name,
const arch_place_policy *const arch_place_registry[] = { ARCH_PLACE_LIST(ENTRY) };
const size_t arch_place_count = sizeof arch_place_registry / sizeof arch_place_registry[0];

int arch_place_by_table(const arch_place_ctx *ctx, mem_residency *res, const uint32_t *tile_of, char *err,
                        size_t err_len)
{
    for (uint32_t l = 0; l < ctx->n_layers; l++)
        for (uint32_t e = 0; e < ctx->n_experts; e++)
            if (mem_residency_place_home(res, l, e, tile_of[e], err, err_len) != 0)
                return -1;
    return 0;
}

int arch_place_check_profile(const arch_place_ctx *ctx, bool pairs, char *err, size_t err_len)
{
    if (ctx->profile && (!pairs || ctx->pairs))
        return 0;
    snprintf(err, err_len, "this placement needs a profile of expert frequencies%s (strategy.profile.source)",
             pairs ? " and co-activations" : "");
    return -1;
}

typedef struct ranked {
    uint32_t expert;
    double freq;
} ranked;

static int cmp_ranked(const void *a, const void *b)
{
    const ranked *x = a, *y = b;
    if (x->freq != y->freq)
        return x->freq > y->freq ? -1 : 1;
    return x->expert < y->expert ? -1 : (x->expert > y->expert);
}

int arch_place_greedy(const arch_place_ctx *ctx, mem_residency *res, bool separate_pairs, char *err,
                      size_t err_len)
{
    uint32_t T = ctx->n_tiles, E = ctx->n_experts;
    if (arch_place_check_profile(ctx, separate_pairs, err, err_len) != 0)
        return -1;
    ranked *order = ws_xmalloc(E * sizeof *order);
    uint32_t *tile_of = ws_xmalloc(E * sizeof *tile_of), *room = ws_xmalloc(T * sizeof *room);
    double *load = ws_xmalloc(T * sizeof *load), *conflict = ws_xmalloc(T * sizeof *conflict);
    int rc = 0;
    for (uint32_t l = 0; l < ctx->n_layers && !rc; l++) {
        const double *f = ctx->profile + (size_t)l * E;
        for (uint32_t e = 0; e < E; e++)
            order[e] = (ranked){ e, f[e] };
        qsort(order, E, sizeof *order, cmp_ranked);
        for (uint32_t t = 0; t < T; t++) {
            room[t] = arch_place_share(ctx, t);
            load[t] = 0;
        }
        for (uint32_t i = 0; i < E; i++) {
            uint32_t e = order[i].expert, best = T;
            for (uint32_t t = 0; t < T; t++)
                conflict[t] = 0;
            if (separate_pairs)
                for (uint32_t j = 0; j < i; j++) {
                    uint32_t o = order[j].expert, lo = e < o ? e : o, hi = e < o ? o : e;
                    conflict[tile_of[o]] += ctx->pairs[((size_t)l * E + lo) * E + hi];
                }
            for (uint32_t t = 0; t < T; t++) {
                if (!room[t])
                    continue;
                if (best == T || conflict[t] < conflict[best] ||
                    (conflict[t] == conflict[best] && load[t] < load[best]))
                    best = t;
            }
            tile_of[e] = best;
            room[best]--;
            load[best] += f[e];
        }
        for (uint32_t e = 0; e < E && !rc; e++)
            rc = mem_residency_place_home(res, l, e, tile_of[e], err, err_len);
    }
    free(order);
    free(tile_of);
    free(room);
    free(load);
    free(conflict);
    return rc;
}
