/* workload/stats.c — trace statistics per MoE layer; contract and
 * definitions in workload/stats.h. */
#define _POSIX_C_SOURCE 200809L
#include "workload/stats.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/xalloc.h"
#include "workload/batch.h"
#include "workload/expert_counts.h"
#include "workload/stats_math.h"

const uint32_t wl_stats_batch_sizes[WL_STATS_BATCH_SIZES] = { 4, 16, 64, 256 };

#define COL(n, m) { #n, offsetof(wl_layer_stats, n), m }
const wl_stats_column wl_stats_columns[] = {
    COL(hottest_expert, "id of the expert with the most decode picks"),
    COL(hottest_expert_share, "its share of the layer's decode picks"),
    COL(load_gini, "Gini coefficient of the decode picks per expert"),
    COL(load_max_over_mean, "picks of the hottest expert over the mean per expert"),
    COL(load_top10pct_experts_share, "share of decode picks on the hottest 10% of experts"),
    COL(next_token_coverage_at_20pct, "mass of the top 20% of next-token experts after the hottest expert"),
    COL(next_layer_coverage_at_20pct, "mass of the top 20% of next-layer experts after the hottest expert"),
    COL(repeat_probability, "probability that a pick was also picked by the previous token"),
    COL(coact_top_pair_over_uniform, "most frequent pair's count over its uniform-routing expectation"),
    COL(coact_top10pct_pairs_share, "share of co-activations on the top 10% of pairs"),
    COL(prefill_decode_spearman, "Spearman correlation of prefill and decode expert counts"),
    COL(prefill_decode_top5_overlap, "share of the top-5 prefill experts among the top-5 decode experts"),
    COL(prefill_decode_top10_overlap, "the same for top-10"),
    COL(prefill_decode_top20_overlap, "the same for top-20"),
    { "distinct_experts_batch4", offsetof(wl_layer_stats, distinct_experts_batch[0]),
      "experts touched by 4 requests at one decode step" },
    { "distinct_experts_batch16", offsetof(wl_layer_stats, distinct_experts_batch[1]),
      "experts touched by 16 requests at one decode step" },
    { "distinct_experts_batch64", offsetof(wl_layer_stats, distinct_experts_batch[2]),
      "experts touched by 64 requests at one decode step" },
    { "distinct_experts_batch256", offsetof(wl_layer_stats, distinct_experts_batch[3]),
      "experts touched by 256 requests at one decode step" },
};
#undef COL
const size_t wl_stats_n_columns = sizeof wl_stats_columns / sizeof wl_stats_columns[0];

const wl_stats_column *wl_stats_column_find(const char *name)
{
    for (size_t i = 0; i < wl_stats_n_columns; i++)
        if (!strcmp(wl_stats_columns[i].name, name))
            return &wl_stats_columns[i];
    return NULL;
}

double wl_stats_get(const wl_layer_stats *l, const wl_stats_column *c)
{
    return c ? *(const double *)((const char *)l + c->offset) : NAN;
}

/* ------------------------------------------------------------ accumulation */

typedef struct acc {
    uint32_t n_moe, E, k;
    wl_counts pre, dec;         /* prefill picks; decode picks and pairs */
    double *rep;                /* [n_moe] sum of |S_t & S_t+1| / k */
    uint64_t rep_n;             /* consecutive decode pairs (same for every layer) */
    uint32_t *hot;              /* [n_moe] */
    double *next_tok, *next_layer;  /* [n_moe * E] conditional counts */
} acc;

static uint32_t shared(const uint16_t *a, const uint16_t *b, uint32_t k)
{
    uint32_t n = 0;
    for (uint32_t x = 0; x < k; x++)
        for (uint32_t y = 0; y < k; y++)
            n += a[x] == b[y];
    return n;
}

static bool has(const uint16_t *s, uint32_t k, uint32_t e)
{
    for (uint32_t x = 0; x < k; x++)
        if (s[x] == e)
            return true;
    return false;
}

static void pass1(acc *a, const wl_request *r)
{
    uint32_t k = a->k;
    wl_counts_add(&a->pre, r, 0, r->prompt_len);
    wl_counts_add(&a->dec, r, r->prompt_len, r->prompt_len + r->decode_len);
    for (uint32_t d = 1; d < r->decode_len; d++) {
        uint32_t t = r->prompt_len + d;
        for (uint32_t m = 0; m < a->n_moe; m++)
            a->rep[m] += (double)shared(wl_request_route(r, t, m), wl_request_route(r, t - 1, m), k) / k;
        a->rep_n++;
    }
}

static void pass2(acc *a, const wl_request *r)
{
    uint32_t k = a->k, E = a->E;
    for (uint32_t d = 0; d < r->decode_len; d++) {
        uint32_t t = r->prompt_len + d;
        for (uint32_t m = 0; m < a->n_moe; m++) {
            const uint16_t *s = wl_request_route(r, t, m);
            if (!has(s, k, a->hot[m]))
                continue;
            if (d + 1 < r->decode_len) {
                const uint16_t *n = wl_request_route(r, t + 1, m);
                for (uint32_t x = 0; x < k; x++)
                    a->next_tok[(size_t)m * E + n[x]] += 1;
            }
            if (m + 1 < a->n_moe) {
                const uint16_t *n = wl_request_route(r, t, m + 1);
                for (uint32_t x = 0; x < k; x++)
                    a->next_layer[(size_t)m * E + n[x]] += 1;
            }
        }
    }
}

typedef void (*pass_fn)(acc *, const wl_request *);

static int run_pass(const wl_trace *t, acc *a, pass_fn fn, char *err, size_t err_len)
{
    uint64_t n = wl_trace_get_info(t)->n_requests;
    for (uint64_t i = 0; i < n; i++) {
        wl_request r;
        if (wl_trace_get(t, i, &r, err, err_len) != 0)
            return -1;
        fn(a, &r);
    }
    return 0;
}

/* ------------------------------------------------------------ per layer */

static void coactivation(const acc *a, uint32_t m, uint64_t dec_tokens, wl_layer_stats *L)
{
    uint32_t E = a->E, k = a->k;
    L->coact_top_pair_over_uniform = NAN;
    L->coact_top10pct_pairs_share = NAN;
    if (k < 2 || E < 2 || !dec_tokens)
        return;
    size_t np = (size_t)E * (E - 1) / 2, i = 0;
    double *c = ws_xmalloc(np * sizeof *c), mx = 0;
    for (uint32_t lo = 0; lo < E; lo++)
        for (uint32_t hi = lo + 1; hi < E; hi++) {
            c[i] = wl_counts_pair(&a->dec, m, lo, hi);
            mx = c[i] > mx ? c[i] : mx;
            i++;
        }
    double expected = (double)dec_tokens * k * (k - 1) / 2.0 / (double)np;
    L->coact_top_pair_over_uniform = mx / expected;
    L->coact_top10pct_pairs_share = wl_top_share(c, np, 0.1);
    free(c);
}

static double coverage20(const double *cond, uint32_t E, double *cdf)
{
    wl_sorted_cdf(cond, E, cdf);
    size_t n20 = (size_t)ceil(0.2 * E - 1e-9);
    return cdf[n20 - 1];
}

static void layer_stats(const acc *a, uint32_t m, uint64_t dec_tokens, wl_stats *s)
{
    uint32_t E = a->E;
    wl_layer_stats *L = &s->layer[m];
    const double *dec = a->dec.freq + (size_t)m * E, *pre = a->pre.freq + (size_t)m * E;
    double tot = 0;
    for (uint32_t e = 0; e < E; e++)
        tot += dec[e];
    L->hottest_expert = a->hot[m];
    L->hottest_expert_share = dec[a->hot[m]] / tot;
    L->load_gini = wl_gini(dec, E);
    L->load_max_over_mean = dec[a->hot[m]] / (tot / E);
    L->load_top10pct_experts_share = wl_top_share(dec, E, 0.1);
    L->next_token_coverage_at_20pct = coverage20(a->next_tok + (size_t)m * E, E, s->next_token_cdf + (size_t)m * E);
    if (m + 1 < a->n_moe)
        L->next_layer_coverage_at_20pct =
            coverage20(a->next_layer + (size_t)m * E, E, s->next_layer_cdf + (size_t)m * E);
    else {
        L->next_layer_coverage_at_20pct = NAN;
        for (uint32_t e = 0; e < E; e++)
            s->next_layer_cdf[(size_t)m * E + e] = NAN;
    }
    L->repeat_probability = a->rep_n ? a->rep[m] / (double)a->rep_n : NAN;
    coactivation(a, m, dec_tokens, L);
    L->prefill_decode_spearman = wl_spearman(pre, dec, E);
    L->prefill_decode_top5_overlap = wl_topn_overlap(pre, dec, E, 5);
    L->prefill_decode_top10_overlap = wl_topn_overlap(pre, dec, E, 10);
    L->prefill_decode_top20_overlap = wl_topn_overlap(pre, dec, E, 20);
}

/* distinct experts per (layer, batch size), averaged over samples and full
 * decode steps */
static int batches(const wl_trace *t, const wl_stats_opts *o, wl_stats *s, char *err, size_t err_len)
{
    uint64_t n_req = wl_trace_get_info(t)->n_requests;
    for (size_t bi = 0; bi < WL_STATS_BATCH_SIZES; bi++) {
        uint32_t B = wl_stats_batch_sizes[bi];
        double *sum = ws_xcalloc(s->n_moe, sizeof *sum);
        uint64_t steps = 0, samples = n_req / B;
        samples = samples < 1 ? 1 : samples > o->batch_samples ? o->batch_samples : samples;
        for (uint32_t smp = 0; B <= n_req && smp < samples; smp++) {
            wl_batch *b = wl_batch_build(t, B, true, o->seed + smp, err, err_len);
            if (!b) {
                free(sum);
                return -1;
            }
            for (uint32_t it = 1; it < wl_batch_iterations(b); it++) {
                if (wl_batch_iteration_tokens(b, it) != B)
                    continue;
                steps++;
                for (uint32_t m = 0; m < s->n_moe; m++) {
                    const uint32_t *c = wl_batch_counts(b, it, m);
                    uint32_t nz = 0;
                    for (uint32_t e = 0; e < s->n_experts; e++)
                        nz += c[e] != 0;
                    sum[m] += nz;
                }
            }
            wl_batch_free(b);
        }
        for (uint32_t m = 0; m < s->n_moe; m++)
            s->layer[m].distinct_experts_batch[bi] = steps ? sum[m] / (double)steps : NAN;
        free(sum);
    }
    return 0;
}

static void mean_row(wl_stats *s)
{
    for (size_t c = 0; c < wl_stats_n_columns; c++) {
        double acc_v = 0;
        uint32_t n = 0;
        for (uint32_t m = 0; m < s->n_moe; m++) {
            double v = wl_stats_get(&s->layer[m], &wl_stats_columns[c]);
            if (!isnan(v)) {
                acc_v += v;
                n++;
            }
        }
        *(double *)((char *)&s->mean + wl_stats_columns[c].offset) = n ? acc_v / n : NAN;
    }
    s->mean.hottest_expert = NAN;
}

int wl_stats_compute(const wl_trace *t, const wl_stats_opts *o, wl_stats *s, char *err, size_t err_len)
{
    const wl_trace_info *in = wl_trace_get_info(t);
    memset(s, 0, sizeof *s);
    wl_stats_opts def = { 8, 1 };
    o = o ? o : &def;
    if (!in->decode_tokens) {
        snprintf(err, err_len, "%s: the trace has no decode token", wl_trace_path(t));
        return -1;
    }
    uint32_t M = in->shape.n_moe, E = in->shape.n_experts;
    s->n_moe = M;
    s->n_experts = E;
    s->top_k = in->shape.top_k;
    s->moe_layer = in->shape.moe_layer;
    s->requests = in->n_requests;
    s->prefill_tokens = in->prefill_tokens;
    s->decode_tokens = in->decode_tokens;
    acc a = { .n_moe = M, .E = E, .k = in->shape.top_k };
    size_t ME = (size_t)M * E;
    wl_counts_init(&a.pre, M, E, a.k, false);
    wl_counts_init(&a.dec, M, E, a.k, true);
    a.rep = ws_xcalloc(M, sizeof *a.rep);
    a.hot = ws_xcalloc(M, sizeof *a.hot);
    a.next_tok = ws_xcalloc(ME, sizeof *a.next_tok);
    a.next_layer = ws_xcalloc(ME, sizeof *a.next_layer);
    s->layer = ws_xcalloc(M, sizeof *s->layer);
    s->next_token_cdf = ws_xcalloc(ME, sizeof *s->next_token_cdf);
    s->next_layer_cdf = ws_xcalloc(ME, sizeof *s->next_layer_cdf);
    int rc = run_pass(t, &a, pass1, err, err_len);
    if (rc == 0) {
        for (uint32_t m = 0; m < M; m++)
            for (uint32_t e = 1; e < E; e++)
                if (a.dec.freq[(size_t)m * E + e] > a.dec.freq[(size_t)m * E + a.hot[m]])
                    a.hot[m] = e;
        rc = run_pass(t, &a, pass2, err, err_len);
    }
    if (rc == 0) {
        for (uint32_t m = 0; m < M; m++)
            layer_stats(&a, m, in->decode_tokens, s);
        rc = batches(t, o, s, err, err_len);
        mean_row(s);
    }
    wl_counts_free(&a.pre);
    wl_counts_free(&a.dec);
    free(a.rep);
    free(a.hot);
    free(a.next_tok);
    free(a.next_layer);
    if (rc)
        wl_stats_free(s);
    return rc;
}

void wl_stats_free(wl_stats *s)
{
    free(s->layer);
    free(s->next_token_cdf);
    free(s->next_layer_cdf);
    memset(s, 0, sizeof *s);
}
