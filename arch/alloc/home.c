/* arch/alloc/home.c — the study's EP allocation: every expert's tokens are
 * computed on its home tile (no weight crosses a link; load follows the
 * experts' popularity). */
#include "arch/alloc.h"

static void home_plan(const arch_alloc_ctx *ctx, arch_plan *out)
{
    for (uint32_t e = 0; e < ctx->n_experts; e++)
        if (ctx->counts[e])
            arch_plan_add(out, e, (uint32_t)mem_residency_home(ctx->residency, ctx->layer, e), ctx->counts[e]);
}

const arch_alloc_policy arch_alloc_home = { .name = "home", .plan = home_plan };
