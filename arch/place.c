/* arch/place.c — the placement registry and the shared static body;
 * contract in arch/place.h. */
#include "arch/place.h"

#include "arch/place_list.h"

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
