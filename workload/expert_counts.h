/* workload/expert_counts.h — how often each expert, and each pair of
 * experts, is picked by a chosen set of tokens: per MoE layer.
 *
 * Contract
 *   wl_counts_init() sizes the counters for a trace shape (n_moe MoE
 *   layers, n_experts experts, top_k picks per token), zeroed; `pairs`
 *   asks for the co-activation counters too (n_moe * E * E uint32).
 *   wl_counts_add() counts tokens first .. end-1 of request r (token
 *   numbering of workload/trace_reader.h: prompt tokens first, then the
 *   decode steps; end is clamped to the request's tokens): for every MoE
 *   layer m and every token, each of its k picks adds 1 to freq[m * E + e]
 *   and, with pairs, each unordered pair {a, b} (a < b) of its picks adds 1
 *   to pairs[(m * E + a) * E + b]. `tokens` counts the tokens added and
 *   `requests` the calls. wl_counts_pair() reads a pair in either order
 *   (0 when a == b). Used by `trace stats` (workload/stats.h) and by the
 *   placement profiles (arch/place_profile.h).
 */
#ifndef WL_EXPERT_COUNTS_H
#define WL_EXPERT_COUNTS_H

#include <stdbool.h>
#include <stdint.h>

#include "workload/trace_reader.h"

typedef struct wl_counts {
    uint32_t n_moe, n_experts, top_k;
    double *freq;               /* [n_moe * E] */
    uint32_t *pairs;            /* [n_moe * E * E], a < b; NULL unless asked */
    uint64_t tokens, requests;
} wl_counts;

void wl_counts_init(wl_counts *c, uint32_t n_moe, uint32_t n_experts, uint32_t top_k, bool pairs);
void wl_counts_add(wl_counts *c, const wl_request *r, uint32_t first, uint32_t end);
uint32_t wl_counts_pair(const wl_counts *c, uint32_t m, uint32_t a, uint32_t b);
void wl_counts_free(wl_counts *c);

#endif
