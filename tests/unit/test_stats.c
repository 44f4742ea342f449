/* tests/unit/test_stats.c — unit tests of workload/stats_math.c,
 * workload/stats.c and workload/heatmap.c on hand-built data whose answers
 * are worked out by hand below.
 *
 * The hand trace (tiny shape: 2 MoE layers, 8 experts, top-2):
 *   request A: prompt 1, decode 3      request B: prompt 1, decode 2
 *            layer 0  layer 1                   layer 0  layer 1
 *   A p0     {0,1}    {2,3}             B p0    {5,6}    {6,7}
 *   A d0     {0,1}    {2,3}             B d0    {0,3}    {2,5}
 *   A d1     {0,2}    {2,4}             B d1    {0,1}    {2,3}
 *   A d2     {0,1}    {3,4}
 * Layer 0 decode counts: e0 5, e1 3, e2 1, e3 1, e4..e7 0 (10 picks).
 *   Gini: sorted [0,0,0,0,1,1,3,5], sum_i (2i-9) x_i = 1*1 + 3*1 + 5*3 + 7*5
 *   = 54, / (8 * 10) = 0.675. Hottest expert 0, share 5/10 = 0.5, max/mean
 *   5 / (10/8) = 4; top 10% = ceil(0.8) = 1 expert: 0.5.
 *   Next token after e0 (pairs A d0->d1, A d1->d2, B d0->d1): {0,2}, {0,1},
 *   {0,1}: e0 3, e1 2, e2 1; top ceil(0.2*8) = 2 experts: 5/6.
 *   Next layer after e0 (all 5 decode tokens): layer-1 sets {2,3} {2,4}
 *   {3,4} {2,5} {2,3}: e2 4, e3 3, e4 2, e5 1; top 2: 7/10.
 *   Repeat: every consecutive pair shares exactly 1 of 2: 0.5.
 *   Co-activation: pairs (0,1) x3, (0,2), (0,3); uniform expectation per
 *   pair 5 tokens * 1 pair / C(8,2) = 5/28, so 3 / (5/28) = 16.8; the top
 *   ceil(2.8) = 3 pairs carry all 5: 1.0.
 *   Prefill counts: e0, e1, e5, e6 one each. Spearman (mid-ranks): prefill
 *   ranks 6.5 x4 / 2.5 x4, decode ranks e0 8, e1 7, e2 e3 5.5, e4..e7 2.5;
 *   deviations from 4.5 give covariance 8, variances 32 and 36.5:
 *   r = 8 / sqrt(1168) = 0.234082. Top-5 prefill {0,1,5,6,2} (ties: lower
 *   id), top-5 decode {0,1,2,3,4}: overlap 3/5.
 *   Batches of 4 or more requests: undefined (2 requests): NAN.
 * Layer 1: last MoE layer, so next-layer coverage is NAN; hottest expert 2.
 */
#define _POSIX_C_SOURCE 200809L
#ifdef HAVE_CONFIG_H
#include <config.h>
#endif

#include "tests/unit/check_main.h"
#include "tests/unit/trace_fixtures.h"
#include "workload/heatmap.h"
#include "workload/stats.h"
#include "workload/stats_math.h"
#include "workload/trace_writer.h"

#include <check.h>
#include <math.h>

#define EPS 1e-9

START_TEST(test_gini)
{
    double one[] = { 0, 0, 0, 4 };      /* (2*4-5)*4 / (4*4) = 0.75 = (n-1)/n */
    double flat[] = { 1, 1, 1, 1 };     /* 0 */
    double ramp[] = { 4, 1, 3, 2 };     /* sorted 1..4: (-3 -2 +3 +12) / 40 = 0.25 */
    double none[] = { 0, 0 };
    ck_assert_double_eq_tol(wl_gini(one, 4), 0.75, EPS);
    ck_assert_double_eq_tol(wl_gini(flat, 4), 0.0, EPS);
    ck_assert_double_eq_tol(wl_gini(ramp, 4), 0.25, EPS);
    ck_assert(isnan(wl_gini(none, 2)));
    /* top 10% of 4 = ceil(0.4) = 1 item: 4 of 10; top 50% = 2 items: 7/10 */
    ck_assert_double_eq_tol(wl_top_share(ramp, 4, 0.1), 0.4, EPS);
    ck_assert_double_eq_tol(wl_top_share(ramp, 4, 0.5), 0.7, EPS);
    double cdf[4];
    wl_sorted_cdf(ramp, 4, cdf);     /* 4, 7, 9, 10 of 10 */
    ck_assert_double_eq_tol(cdf[0], 0.4, EPS);
    ck_assert_double_eq_tol(cdf[1], 0.7, EPS);
    ck_assert_double_eq_tol(cdf[2], 0.9, EPS);
    ck_assert_double_eq_tol(cdf[3], 1.0, EPS);
}
END_TEST

START_TEST(test_spearman_overlap)
{
    /* a ranks 1..5; b = 5 6 7 8 7 has ranks 1 2 3.5 5 3.5; deviations from 3:
     * (-2 -1 0 1 2) and (-2 -1 .5 2 .5): cov 8, var 10 and 9.5,
     * r = 8 / sqrt(95) = 0.820783 */
    double a[] = { 1, 2, 3, 4, 5 }, b[] = { 5, 6, 7, 8, 7 }, rev[] = { 9, 7, 5, 3, 1 }, c[] = { 2, 2, 2, 2, 2 };
    ck_assert_double_eq_tol(wl_spearman(a, b, 5), 8.0 / sqrt(95.0), 1e-12);
    ck_assert_double_eq_tol(wl_spearman(a, rev, 5), -1.0, 1e-12);
    ck_assert(isnan(wl_spearman(a, c, 5)));
    /* top-2 of a {4,3}, of rev {0,1}: none shared; top-3 of b {3,2,4} (7 at 2
     * and 4 tie, both in) and of a {4,3,2}: all 3 */
    ck_assert_double_eq_tol(wl_topn_overlap(a, rev, 5, 2), 0.0, EPS);
    ck_assert_double_eq_tol(wl_topn_overlap(a, b, 5, 3), 1.0, EPS);
    /* ties broken by the lower index: top-1 of c is index 0, of a index 4 */
    ck_assert_double_eq_tol(wl_topn_overlap(c, a, 5, 1), 0.0, EPS);
    ck_assert_double_eq_tol(wl_topn_overlap(c, a, 5, 9), 1.0, EPS);  /* clamped to 5 */
}
END_TEST

static const uint16_t ids_a[] = { 0, 1, 2, 3, /* p0 */ 0, 1, 2, 3, /* d0 */ 0, 2, 2, 4, /* d1 */ 0, 1, 3, 4 };
static const uint16_t ids_b[] = { 5, 6, 6, 7, /* p0 */ 0, 3, 2, 5, /* d0 */ 0, 1, 2, 3 };

static char *write_hand(const char *dir, const char *name)
{
    static const uint32_t moe[] = { 1, 3 };
    wl_trace_shape s = { .model = "tiny", .n_layers = 4, .n_moe = 2, .n_experts = 8, .top_k = 2, .moe_layer = moe };
    char *path = malloc(strlen(dir) + strlen(name) + 2);
    sprintf(path, "%s/%s", dir, name);
    char err[256];
    wl_trace_writer *w = wl_trace_writer_open(path, &s, err, sizeof err);
    ck_assert_ptr_nonnull(w);
    ck_assert_int_eq(wl_trace_writer_add(w, "A", 1, 3, 3, ids_a, err, sizeof err), 0);
    ck_assert_int_eq(wl_trace_writer_add(w, "B", 1, 2, 2, ids_b, err, sizeof err), 0);
    ck_assert_int_eq(wl_trace_writer_commit(w, err, sizeof err), 0);
    return path;
}

START_TEST(test_stats_hand_trace)
{
    char *dir = fx_tmpdir();
    char *path = write_hand(dir, "hand.wst");
    char err[256];
    wl_trace *t = wl_trace_open(path, WL_TRACE_VERIFY, err, sizeof err);
    ck_assert_ptr_nonnull(t);
    wl_stats s;
    ck_assert_int_eq(wl_stats_compute(t, NULL, &s, err, sizeof err), 0);
    const wl_layer_stats *L = &s.layer[0];
    ck_assert_double_eq_tol(L->hottest_expert, 0, EPS);
    ck_assert_double_eq_tol(L->hottest_expert_share, 0.5, EPS);
    ck_assert_double_eq_tol(L->load_gini, 0.675, EPS);
    ck_assert_double_eq_tol(L->load_max_over_mean, 4.0, EPS);
    ck_assert_double_eq_tol(L->load_top10pct_experts_share, 0.5, EPS);
    ck_assert_double_eq_tol(L->next_token_coverage_at_20pct, 5.0 / 6.0, EPS);
    ck_assert_double_eq_tol(L->next_layer_coverage_at_20pct, 0.7, EPS);
    ck_assert_double_eq_tol(L->repeat_probability, 0.5, EPS);
    ck_assert_double_eq_tol(L->coact_top_pair_over_uniform, 16.8, 1e-9);
    ck_assert_double_eq_tol(L->coact_top10pct_pairs_share, 1.0, EPS);
    ck_assert_double_eq_tol(L->prefill_decode_spearman, 8.0 / sqrt(1168.0), 1e-12);
    ck_assert_double_eq_tol(L->prefill_decode_top5_overlap, 0.6, EPS);
    ck_assert(isnan(L->distinct_experts_batch[0]));
    /* the whole next-token CDF of layer 0: 3, 5, 6 of 6, then flat */
    ck_assert_double_eq_tol(s.next_token_cdf[0], 0.5, EPS);
    ck_assert_double_eq_tol(s.next_token_cdf[1], 5.0 / 6.0, EPS);
    ck_assert_double_eq_tol(s.next_token_cdf[2], 1.0, EPS);
    ck_assert_double_eq_tol(s.next_token_cdf[7], 1.0, EPS);
    /* layer 1: hottest expert 2 (4 picks); last layer, no next layer */
    ck_assert_double_eq_tol(s.layer[1].hottest_expert, 2, EPS);
    ck_assert(isnan(s.layer[1].next_layer_coverage_at_20pct));
    ck_assert_double_eq_tol(s.layer[1].repeat_probability, 0.5, EPS);
    /* mean row: next-layer only from layer 0; repeat 0.5 */
    ck_assert_double_eq_tol(s.mean.next_layer_coverage_at_20pct, 0.7, EPS);
    ck_assert_double_eq_tol(s.mean.repeat_probability, 0.5, EPS);
    ck_assert_double_eq_tol(wl_stats_get(&s.mean, wl_stats_column_find("repeat_probability")), 0.5, EPS);
    ck_assert_ptr_null(wl_stats_column_find("no_such_stat"));
    wl_stats_free(&s);
    wl_trace_close(t);
    free(path);
    fx_rmdir(dir);
}
END_TEST

START_TEST(test_batches_distinct)
{
    /* 8 copies of request A: every batch of 4 holds 4 equal tokens at each
     * decode step, so exactly 2 experts are touched at every layer */
    static const uint32_t moe[] = { 1, 3 };
    wl_trace_shape sh = { .model = "tiny", .n_layers = 4, .n_moe = 2, .n_experts = 8, .top_k = 2, .moe_layer = moe };
    char *dir = fx_tmpdir();
    char path[600], err[256];
    snprintf(path, sizeof path, "%s/b.wst", dir);
    wl_trace_writer *w = wl_trace_writer_open(path, &sh, err, sizeof err);
    for (int c = 0; c < 4; c++) {
        ck_assert_int_eq(wl_trace_writer_add(w, "A", 1, 3, 3, ids_a, err, sizeof err), 0);
        ck_assert_int_eq(wl_trace_writer_add(w, "A", 1, 3, 3, ids_a, err, sizeof err), 0);
    }
    ck_assert_int_eq(wl_trace_writer_commit(w, err, sizeof err), 0);
    wl_trace *t = wl_trace_open(path, 0, err, sizeof err);
    wl_stats s;
    ck_assert_int_eq(wl_stats_compute(t, NULL, &s, err, sizeof err), 0);
    ck_assert_double_eq_tol(s.layer[0].distinct_experts_batch[0], 2.0, EPS);
    ck_assert_double_eq_tol(s.layer[1].distinct_experts_batch[0], 2.0, EPS);
    ck_assert(isnan(s.layer[0].distinct_experts_batch[1]));   /* 16 > 8 requests */
    wl_stats_free(&s);
    wl_trace_close(t);
    fx_rmdir(dir);
}
END_TEST

/* Heatmap of the hand trace, layer 0: A d0{0,1}->d1{0,2}, A d1{0,2}->d2{0,1},
 * B d0{0,3}->d1{0,1}: row 0 = (0,0) 3, (0,1) 2, (0,2) 1; row 1 = (1,0) 1,
 * (1,2) 1; row 2 = (2,0) 1, (2,1) 1; row 3 = (3,0) 1, (3,1) 1. Transitions:
 * 3 pairs x 4 combinations x 2 layers = 24. */
START_TEST(test_heatmap_roundtrip)
{
    char *dir = fx_tmpdir();
    char *path = write_hand(dir, "hand.wst");
    char err[256], hp[600];
    snprintf(hp, sizeof hp, "%s/h.wsh", dir);
    wl_trace *t = wl_trace_open(path, 0, err, sizeof err);
    wl_heatmap *h = wl_heatmap_build(t, false, err, sizeof err);
    ck_assert_ptr_nonnull(h);
    ck_assert_int_eq(wl_heatmap_write(h, hp, err, sizeof err), 0);
    wl_heatmap_free(h);
    h = wl_heatmap_read(hp, err, sizeof err);
    ck_assert_msg(h != NULL, "%s", err);
    const wl_heatmap_info *in = wl_heatmap_get_info(h);
    ck_assert_uint_eq(in->transitions, 24);
    ck_assert(!in->oracle);
    ck_assert_uint_eq(in->source_requests, 2);
    ck_assert_uint_eq(wl_heatmap_count(h, 0, 0, 0), 3);
    ck_assert_uint_eq(wl_heatmap_count(h, 0, 0, 1), 2);
    ck_assert_uint_eq(wl_heatmap_count(h, 0, 0, 2), 1);
    ck_assert_uint_eq(wl_heatmap_count(h, 0, 0, 3), 0);
    ck_assert_uint_eq(wl_heatmap_row_total(h, 0, 0), 6);
    ck_assert_double_eq_tol(wl_heatmap_prob(h, 0, 0, 1), 2.0 / 6.0, EPS);
    ck_assert_double_eq_tol(wl_heatmap_prob(h, 0, 7, 1), 0.0, EPS);
    const uint16_t *cols;
    const uint32_t *counts;
    ck_assert_uint_eq(wl_heatmap_row(h, 0, 3, &cols, &counts), 2);
    ck_assert_uint_eq(cols[0], 0);
    ck_assert_uint_eq(cols[1], 1);
    /* leakage: the same trace is refused unless oracle */
    const wl_trace_info *ti = wl_trace_get_info(t);
    ck_assert_int_eq(wl_heatmap_check_eval(h, ti, err, sizeof err), -1);
    ck_assert_ptr_nonnull(strstr(err, "leakage"));
    wl_heatmap_free(h);
    h = wl_heatmap_build(t, true, err, sizeof err);
    ck_assert_int_eq(wl_heatmap_write(h, hp, err, sizeof err), 0);
    wl_heatmap_free(h);
    h = wl_heatmap_read(hp, err, sizeof err);
    ck_assert(wl_heatmap_get_info(h)->oracle);
    ck_assert_int_eq(wl_heatmap_check_eval(h, ti, err, sizeof err), 0);
    char prov[700];
    wl_heatmap_provenance(h, hp, prov, sizeof prov);
    ck_assert_ptr_nonnull(strstr(prov, "ORACLE"));
    wl_heatmap_free(h);
    /* every single-byte change and every truncation is an error, never a crash */
    FILE *f = fopen(hp, "rb");
    unsigned char buf[4096];
    size_t n = fread(buf, 1, sizeof buf, f);
    fclose(f);
    for (size_t i = 0; i < n; i++) {
        for (int mode = 0; mode < 2; mode++) {
            f = fopen(hp, "wb");
            if (mode == 0) {
                buf[i] ^= 0x5a;
                fwrite(buf, 1, n, f);
                buf[i] ^= 0x5a;
            } else {
                fwrite(buf, 1, i, f);
            }
            fclose(f);
            h = wl_heatmap_read(hp, err, sizeof err);
            ck_assert_msg(h == NULL, "byte %zu mode %d accepted", i, mode);
        }
    }
    wl_trace_close(t);
    free(path);
    fx_rmdir(dir);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("stats");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_gini);
    tcase_add_test(tc, test_spearman_overlap);
    tcase_add_test(tc, test_stats_hand_trace);
    tcase_add_test(tc, test_batches_distinct);
    tcase_add_test(tc, test_heatmap_roundtrip);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return ws_check_run(suite());
}
