/* arch/place/profile_balance.c — profile-aware placement: per MoE layer,
 * balance the expected load per tile (the profile's pick counts) with an
 * equal expert count per tile, by LPT: experts in descending frequency
 * (ties: lower id), each to the least-loaded tile with room left (ties:
 * lower tile id). arch_place_greedy() without pair separation; needs a
 * profile. Homes may differ from layer to layer. */
#include "arch/place.h"

static int profile_balance_place(const arch_place_ctx *ctx, mem_residency *res, char *err, size_t err_len)
{
    return arch_place_greedy(ctx, res, false, err, err_len);
}

const arch_place_policy arch_place_profile_balance = {
    .name = "profile_balance", .needs_profile = true, .place = profile_balance_place,
};
