/* arch/request/contiguous.c — equal blocks of batch slots in tile order:
 * slot s of a batch of B lives on tile floor(s x tiles / B). */
#include "arch/request_place.h"

static uint32_t contiguous_home(const arch_request_place_ctx *ctx, uint64_t slot)
{
    return (uint32_t)(slot * ctx->n_tiles / ctx->batch);
}

const arch_request_place_policy arch_request_place_contiguous = { .name = "contiguous", .home = contiguous_home };
