/* arch/request/one_tile.c — every request lives on
 * strategy.dispatch.request_tile (all attention on one tile: the extreme
 * case, and a known all-remote setting for tests). */
#include "arch/request_place.h"

static uint32_t one_tile_home(const arch_request_place_ctx *ctx, uint64_t slot)
{
    (void)slot;
    return ctx->request_tile;
}

const arch_request_place_policy arch_request_place_one_tile = { .name = "one_tile", .home = one_tile_home };
