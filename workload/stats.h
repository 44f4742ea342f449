/* workload/stats.h — the statistics of an expert-selection trace
 * (`wafersim trace stats`), per MoE layer and averaged.
 *
 * Contract
 *   wl_stats_compute() reads every request of an open trace twice and fills
 *   one wl_layer_stats per MoE layer and their mean (over the layers where
 *   a statistic is defined). Definitions (E experts, k = top_k, "decode
 *   tokens" are the decode steps of all requests; doc/traces.md):
 *     load_gini, load_max_over_mean, load_top10pct_experts_share, and
 *     hottest_expert, hottest_expert_share (its share of the layer's picks):
 *       from the decode-token count of every expert (workload/stats_math.h);
 *     next_token_coverage_at_20pct: i = the layer's hottest expert; over
 *       consecutive decode tokens (t, t+1) of one request where t picked i,
 *       the experts picked at t+1 (same layer) form a distribution; its top
 *       ceil(0.2 E) experts' mass. The whole sorted CDF is next_token_cdf;
 *     next_layer_coverage_at_20pct: the same between the layer and the next
 *       MoE layer for the same decode token (NAN for the last layer);
 *     repeat_probability: mean over consecutive decode tokens of |S_t &
 *       S_t+1| / k (S = the picked set): the probability that a pick of a
 *       token was also picked by the previous token (top-1: the token
 *       repeats its expert);
 *     coact_top_pair_over_uniform: (top-k > 1 only, else NAN) the count of
 *       the most frequent unordered pair picked by one decode token, over
 *       its expectation under uniform random routing, T k(k-1)/2 / C(E,2)
 *       for T decode tokens; coact_top10pct_pairs_share: the share of all
 *       co-activations carried by the ceil(0.1 C(E,2)) most frequent pairs;
 *     prefill_decode_spearman: Spearman correlation between the prefill
 *       counts and the decode counts of the E experts (whole trace);
 *       prefill_decode_top{5,10,20}_overlap: |top-N prefill & top-N decode| / N;
 *     distinct_experts_batch{4,16,64,256}: experts touched at one layer by a
 *       batch of B requests at one decode step (B tokens), averaged over the
 *       decode steps where all B requests are active and over S batches
 *       drawn with wl_batch_build(shuffle, seed = seed + s), s = 0..S-1,
 *       S = min(batch_samples, max(1, requests / B)) (so the cost stays
 *       about one pass over the trace); NAN when B exceeds the trace.
 *   Returns 0, or -1 with err when a record is corrupt or the trace has no
 *   decode token. Memory: E^2 counters (uint32) per MoE layer.
 *
 *   wl_stats_columns[] names every statistic (the column of the output and
 *   the key of profile targets) and where it lives; wl_stats_get() reads one
 *   by name (NAN if unknown, see wl_stats_column_find).
 */
#ifndef WL_STATS_H
#define WL_STATS_H

#include <stddef.h>
#include <stdint.h>

#include "workload/trace_reader.h"

#define WL_STATS_BATCH_SIZES 4
extern const uint32_t wl_stats_batch_sizes[WL_STATS_BATCH_SIZES];   /* 4, 16, 64, 256 */

typedef struct wl_layer_stats {
    double hottest_expert, hottest_expert_share;
    double load_gini, load_max_over_mean, load_top10pct_experts_share;
    double next_token_coverage_at_20pct, next_layer_coverage_at_20pct, repeat_probability;
    double coact_top_pair_over_uniform, coact_top10pct_pairs_share;
    double prefill_decode_spearman;
    double prefill_decode_top5_overlap, prefill_decode_top10_overlap, prefill_decode_top20_overlap;
    double distinct_experts_batch[WL_STATS_BATCH_SIZES];
} wl_layer_stats;

typedef struct wl_stats_column {
    const char *name;
    size_t offset;              /* of a double in wl_layer_stats */
    const char *meaning;
} wl_stats_column;

extern const wl_stats_column wl_stats_columns[];
extern const size_t wl_stats_n_columns;

typedef struct wl_stats_opts {
    uint32_t batch_samples;     /* batches per size (default 8) */
    uint64_t seed;              /* of the batch shuffles */
} wl_stats_opts;

typedef struct wl_stats {
    uint32_t n_moe, n_experts, top_k;
    const uint32_t *moe_layer;  /* the trace's */
    uint64_t decode_tokens, prefill_tokens, requests;
    wl_layer_stats *layer;      /* [n_moe] */
    wl_layer_stats mean;
    double *next_token_cdf;     /* [n_moe * E]: layer m, rank r at m * E + r */
    double *next_layer_cdf;     /* [n_moe * E] (NAN for the last layer) */
} wl_stats;

int wl_stats_compute(const wl_trace *t, const wl_stats_opts *o, wl_stats *s, char *err, size_t err_len);
void wl_stats_free(wl_stats *s);

const wl_stats_column *wl_stats_column_find(const char *name);
double wl_stats_get(const wl_layer_stats *l, const wl_stats_column *c);

#endif
