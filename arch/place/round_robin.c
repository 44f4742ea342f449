/* arch/place/round_robin.c — expert e of every layer on tile e mod T. */
#include "arch/place.h"

#include <stdlib.h>

#include "core/xalloc.h"

static int round_robin_place(const arch_place_ctx *ctx, mem_residency *res, char *err, size_t err_len)
{
    uint32_t *tile_of = ws_xmalloc(ctx->n_experts * sizeof *tile_of);
    for (uint32_t e = 0; e < ctx->n_experts; e++)
        tile_of[e] = e % ctx->n_tiles;
    int rc = arch_place_by_table(ctx, res, tile_of, err, err_len);
    free(tile_of);
    return rc;
}

const arch_place_policy arch_place_round_robin = { .name = "round_robin", .place = round_robin_place };
