/* arch/request/round_robin.c — batch slot s lives on tile s mod tiles. */
#include "arch/request_place.h"

static uint32_t rr_home(const arch_request_place_ctx *ctx, uint64_t slot)
{
    return (uint32_t)(slot % ctx->n_tiles);
}

const arch_request_place_policy arch_request_place_round_robin = { .name = "round_robin", .home = rr_home };
