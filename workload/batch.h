/* workload/batch.h — a batch of concurrent requests drawn from a trace, and
 * the expert load of every (iteration, MoE layer).
 *
 * Contract
 *   wl_batch_build() takes n_requests requests from an open trace: in file
 *   order (requests 0, 1, 2, ...) or, when `shuffle` is set, in the order of
 *   a random permutation of the whole trace drawn from the GSL stream
 *   ws_rng_stream(seed, "workload.batch") (core/rng.h). When the trace holds
 *   fewer requests than asked, the order is reused from its start (slot s
 *   takes order[s mod n]): wl_batch_reused() is then true and
 *   wl_batch_distinct() < wl_batch_size(); callers must say so in their
 *   output.
 *
 *   Iterations: 0 is the prefill (every prompt token of every request);
 *   iteration i >= 1 is decode step i, with one token for each request whose
 *   decode_len >= i (shorter requests have finished). wl_batch_iterations()
 *   is 1 + the longest decode_len in the batch.
 *
 *   wl_batch_counts(b, it, m) gives, for MoE layer index m (model layer
 *   shape.moe_layer[m]), the number of tokens of iteration `it` that chose
 *   each expert: an array of n_experts counts whose sum is top_k times
 *   wl_batch_iteration_tokens(b, it). An iteration's counts (every layer)
 *   are computed once, at its first wl_batch_counts, so that a sampled run
 *   pays only for the iterations it simulates (memory: iterations * n_moe *
 *   n_experts * 4 bytes, allocated by wl_batch_build). wl_batch_counts is
 *   safe to call from several threads at once (a mutex guards the
 *   counting; the arrays returned are not written again).
 *   Per-request routes stay available: wl_batch_request(b, s) is the trace
 *   request in slot s, wl_batch_tokens(b, it, s) its tokens in iteration
 *   `it`, and wl_batch_route(b, it, s, j, m) the top_k expert ids of its
 *   j-th token of that iteration at MoE layer m (NULL when out of range).
 *
 *   The batch points into the trace: close the trace after freeing the
 *   batch. Returns NULL with a reason in err when n_requests is 0, the
 *   trace is empty, a record is corrupt, or a count would overflow.
 */
#ifndef WL_BATCH_H
#define WL_BATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "workload/trace_reader.h"

typedef struct wl_batch wl_batch;

wl_batch *wl_batch_build(const wl_trace *t, uint64_t n_requests, bool shuffle, uint64_t seed, char *err,
                         size_t err_len);
void wl_batch_free(wl_batch *b);

uint64_t wl_batch_size(const wl_batch *b);
uint64_t wl_batch_distinct(const wl_batch *b);
bool wl_batch_reused(const wl_batch *b);
uint32_t wl_batch_iterations(const wl_batch *b);
uint64_t wl_batch_iteration_tokens(const wl_batch *b, uint32_t it);

const wl_request *wl_batch_request(const wl_batch *b, uint64_t slot);
uint32_t wl_batch_tokens(const wl_batch *b, uint32_t it, uint64_t slot);
const uint16_t *wl_batch_route(const wl_batch *b, uint32_t it, uint64_t slot, uint32_t j, uint32_t m);
const uint32_t *wl_batch_counts(const wl_batch *b, uint32_t it, uint32_t m);

#endif
