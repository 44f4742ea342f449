/* arch/alloc/home.c — the study's EP allocation: every expert's tokens are
 * computed where its weights are, so no weight crosses a link.
 *
 * An expert held by one tile (the study's static placement) runs all its
 * tokens on its home tile. An expert with copies (a replicating placement,
 * or copies the migration unit made) has its c tokens split over its h
 * holders, taken home first and then the copy holders in ascending tile
 * id: each gets floor(c / h) tokens and the first c mod h of them one more
 * (contiguous token ranges in that order); a holder left with no token gets
 * no task. Load then follows the experts' popularity divided by their
 * number of holders. */
#include "arch/alloc.h"

/* Gives holder number i of h its share of c tokens (none: no task). */
static void give(arch_plan *out, uint32_t e, uint32_t tile, uint32_t c, uint32_t h, uint32_t i)
{
    uint32_t share = c / h + (i < c % h);
    if (share)
        arch_plan_add(out, e, tile, share);
}

static void home_plan(const arch_alloc_ctx *ctx, arch_plan *out)
{
    for (uint32_t e = 0; e < ctx->n_experts; e++) {
        uint32_t c = ctx->counts[e];
        if (!c)
            continue;
        uint32_t home = (uint32_t)mem_residency_home(ctx->residency, ctx->layer, e), h = 1, i = 1;
        for (uint32_t t = 0; t < ctx->n_tiles; t++)
            h += t != home && mem_residency_present(ctx->residency, ctx->layer, e, t);
        give(out, e, home, c, h, 0);
        for (uint32_t t = 0; t < ctx->n_tiles; t++)
            if (t != home && mem_residency_present(ctx->residency, ctx->layer, e, t))
                give(out, e, t, c, h, i++);
    }
}

const arch_alloc_policy arch_alloc_home = { .name = "home", .plan = home_plan };
