/* arch/request_place.h — request placement policies: the home tile of each
 * request of the batch, where its attention runs and its tokens'
 * activations live when tokens are dispatched (strategy.dispatch,
 * arch/dispatch.h).
 *
 * Contract
 *   home(ctx, slot) returns the home tile (< ctx->n_tiles) of batch slot
 *   `slot` (< ctx->batch); deterministic, no state. Each policy is a const
 *   arch_request_place_policy `arch_request_place_<name>` in
 *   arch/request/<name>.c; arch_request_place_registry[] lists them in the
 *   order of arch/request_place_list.h (the order of the
 *   strategy.dispatch.request_placement enum).
 */
#ifndef ARCH_REQUEST_PLACE_H
#define ARCH_REQUEST_PLACE_H

#include <stddef.h>
#include <stdint.h>

typedef struct arch_request_place_ctx {
    uint32_t n_tiles;
    uint64_t batch;                 /* requests in the batch */
    uint32_t request_tile;          /* strategy.dispatch.request_tile (< n_tiles) */
} arch_request_place_ctx;

typedef struct arch_request_place_policy {
    const char *name;
    uint32_t (*home)(const arch_request_place_ctx *ctx, uint64_t slot);
} arch_request_place_policy;

extern const arch_request_place_policy *const arch_request_place_registry[];
extern const size_t arch_request_place_count;

#endif
