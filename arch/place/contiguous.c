/* arch/place/contiguous.c — the study's static placement: every tile holds
 * an equal share of every layer's experts, expert e on the same home tile
 * in every layer. With q = floor(E / T), tile t holds experts t*q .. t*q+q-1
 * and the E mod T leftovers wrap around from tile 0 (expert T*q + i on
 * tile i). */
#include "arch/place.h"

#include <stdlib.h>

#include "core/xalloc.h"

static int contiguous_place(const arch_place_ctx *ctx, mem_residency *res, char *err, size_t err_len)
{
    uint32_t E = ctx->n_experts;
    uint32_t *tile_of = ws_xmalloc(E * sizeof *tile_of);
    for (uint32_t e = 0; e < E; e++)
        tile_of[e] = arch_place_contiguous_tile(ctx->n_tiles, E, e);
    int rc = arch_place_by_table(ctx, res, tile_of, err, err_len);
    free(tile_of);
    return rc;
}

const arch_place_policy arch_place_contiguous = { .name = "contiguous", .place = contiguous_place };
