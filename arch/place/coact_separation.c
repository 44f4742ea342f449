/* arch/place/coact_separation.c — co-activation separation: per MoE
 * layer, experts that the profile's tokens often pick together go to
 * different tiles (so that one token's k experts are computed in
 * parallel), every tile keeping its equal share of experts. Greedy:
 * experts in descending frequency (ties: lower id), each to the tile with
 * room left whose experts co-activate least with it (sum of pair counts),
 * then the least expected load, then the lowest id (arch_place_greedy).
 * For a top-1 model there are no pairs and this is profile_balance. Needs
 * a profile; homes may differ from layer to layer. */
#include "arch/place.h"

static int coact_separation_place(const arch_place_ctx *ctx, mem_residency *res, char *err, size_t err_len)
{
    return arch_place_greedy(ctx, res, true, err, err_len);
}

const arch_place_policy arch_place_coact_separation = {
    .name = "coact_separation", .needs_profile = true, .place = coact_separation_place,
};
