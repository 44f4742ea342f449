/* arch/alloc/even.c — the study's Base allocation: the wafer behaves as one
 * big GPU and the command processor hands out expert work evenly, oblivious
 * of where the weights live. The experts with tokens, in id order, go to
 * tiles 0, 1, 2, ... round-robin; each expert's tokens stay together. */
#include "arch/alloc.h"

static void even_plan(const arch_alloc_ctx *ctx, arch_plan *out)
{
    uint32_t next = 0;
    for (uint32_t e = 0; e < ctx->n_experts; e++) {
        if (!ctx->counts[e])
            continue;
        arch_plan_add(out, e, next, ctx->counts[e]);
        next = (next + 1) % ctx->n_tiles;
    }
}

const arch_alloc_policy arch_alloc_even = { .name = "even", .plan = even_plan };
