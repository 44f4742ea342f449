/* tests/unit/test_batch.c — unit tests of workload/batch.c on hand-built
 * traces (tiny shape: MoE layers 1 and 3, 8 experts, top-2).
 *
 * Pins, with the counts worked out by hand in the comments:
 *   - file order, iterations (prefill + decode steps, finished requests
 *     contribute nothing), tokens per iteration, per-(iteration, layer)
 *     expert counts, per-request routes;
 *   - reuse when the trace holds fewer requests than asked (in order, and
 *     flagged), shuffling by seed (a permutation; same seed same order;
 *     another seed another order), refusals.
 */
#define _POSIX_C_SOURCE 200809L
#ifdef HAVE_CONFIG_H
#include <config.h>
#endif

#include "tests/unit/check_main.h"
#include "tests/unit/trace_fixtures.h"
#include "workload/batch.h"
#include "workload/trace_writer.h"

#include <check.h>
#include <string.h>

/* Request A: prompt 2, decode 1. Request B: prompt 1, decode 2.
 * ids per token: {layer1 top-2, layer3 top-2}
 *   A t0: {0,1},{2,3}  A t1: {0,2},{2,4}  A d1: {5,6},{7,0}
 *   B t0: {0,7},{1,3}  B d1: {5,7},{7,6}  B d2: {1,2},{3,4} */
static const uint16_t ids_a[] = { 0, 1, 2, 3, 0, 2, 2, 4, 5, 6, 7, 0 };
static const uint16_t ids_b[] = { 0, 7, 1, 3, 5, 7, 7, 6, 1, 2, 3, 4 };

static char *write_ab(const char *dir, unsigned copies)
{
    static const uint32_t moe[] = { 1, 3 };
    wl_trace_shape s = { .model = "tiny", .n_layers = 4, .n_moe = 2, .n_experts = 8, .top_k = 2, .moe_layer = moe };
    char *path = malloc(strlen(dir) + 16);
    sprintf(path, "%s/ab.wst", dir);
    char err[256];
    wl_trace_writer *w = wl_trace_writer_open(path, &s, err, sizeof err);
    ck_assert_ptr_nonnull(w);
    for (unsigned c = 0; c < copies; c++) {
        ck_assert_int_eq(wl_trace_writer_add(w, "A", 2, 1, 1, ids_a, err, sizeof err), 0);
        ck_assert_int_eq(wl_trace_writer_add(w, "B", 1, 2, 2, ids_b, err, sizeof err), 0);
    }
    ck_assert_int_eq(wl_trace_writer_commit(w, err, sizeof err), 0);
    return path;
}

static void expect_counts(const wl_batch *b, uint32_t it, uint32_t m, const uint32_t want[8])
{
    const uint32_t *c = wl_batch_counts(b, it, m);
    ck_assert_ptr_nonnull(c);
    for (int e = 0; e < 8; e++)
        ck_assert_msg(c[e] == want[e], "iteration %u layer %u expert %d: expected %u, found %u", it, m, e, want[e],
                      c[e]);
}

START_TEST(test_file_order)
{
    char *dir = fx_tmpdir();
    char *path = write_ab(dir, 1);
    char err[256];
    wl_trace *t = wl_trace_open(path, WL_TRACE_VERIFY, err, sizeof err);
    ck_assert_ptr_nonnull(t);
    wl_batch *b = wl_batch_build(t, 2, false, 0, err, sizeof err);
    ck_assert_ptr_nonnull(b);
    ck_assert_uint_eq(wl_batch_size(b), 2);
    ck_assert(!wl_batch_reused(b));
    ck_assert_uint_eq(wl_batch_iterations(b), 3);           /* prefill + 2 decode steps */
    ck_assert_uint_eq(wl_batch_iteration_tokens(b, 0), 3);  /* 2 + 1 prompt tokens */
    ck_assert_uint_eq(wl_batch_iteration_tokens(b, 1), 2);
    ck_assert_uint_eq(wl_batch_iteration_tokens(b, 2), 1);  /* A has finished */
    ck_assert_str_eq(wl_batch_request(b, 0)->name, "A");
    ck_assert_str_eq(wl_batch_request(b, 1)->name, "B");
    /* prefill, layer 1: A {0,1},{0,2}; B {0,7} -> e0:3 e1:1 e2:1 e7:1 */
    static const uint32_t p1[8] = { 3, 1, 1, 0, 0, 0, 0, 1 };
    /* prefill, layer 3: A {2,3},{2,4}; B {1,3} -> e1:1 e2:2 e3:2 e4:1 */
    static const uint32_t p3[8] = { 0, 1, 2, 2, 1, 0, 0, 0 };
    /* decode 1, layer 1: A {5,6}; B {5,7} -> e5:2 e6:1 e7:1 */
    static const uint32_t d1l1[8] = { 0, 0, 0, 0, 0, 2, 1, 1 };
    /* decode 1, layer 3: A {7,0}; B {7,6} -> e0:1 e6:1 e7:2 */
    static const uint32_t d1l3[8] = { 1, 0, 0, 0, 0, 0, 1, 2 };
    /* decode 2: only B, {1,2} and {3,4} */
    static const uint32_t d2l1[8] = { 0, 1, 1, 0, 0, 0, 0, 0 };
    static const uint32_t d2l3[8] = { 0, 0, 0, 1, 1, 0, 0, 0 };
    expect_counts(b, 0, 0, p1);
    expect_counts(b, 0, 1, p3);
    expect_counts(b, 1, 0, d1l1);
    expect_counts(b, 1, 1, d1l3);
    expect_counts(b, 2, 0, d2l1);
    expect_counts(b, 2, 1, d2l3);
    ck_assert_ptr_null(wl_batch_counts(b, 3, 0));
    ck_assert_ptr_null(wl_batch_counts(b, 0, 2));
    /* routes */
    ck_assert_uint_eq(wl_batch_tokens(b, 0, 0), 2);
    ck_assert_uint_eq(wl_batch_tokens(b, 2, 0), 0);
    ck_assert_uint_eq(wl_batch_tokens(b, 2, 1), 1);
    const uint16_t *r = wl_batch_route(b, 0, 0, 1, 1);     /* A, prompt token 1, layer 3 */
    ck_assert_uint_eq(r[0], 2);
    ck_assert_uint_eq(r[1], 4);
    r = wl_batch_route(b, 2, 1, 0, 0);                     /* B, decode step 2, layer 1 */
    ck_assert_uint_eq(r[0], 1);
    ck_assert_uint_eq(r[1], 2);
    ck_assert_ptr_null(wl_batch_route(b, 2, 0, 0, 0));     /* A finished */
    ck_assert_ptr_null(wl_batch_route(b, 0, 1, 1, 0));     /* B has one prompt token */
    wl_batch_free(b);
    wl_trace_close(t);
    free(path);
    fx_rmdir(dir);
}
END_TEST

START_TEST(test_reuse)
{
    char *dir = fx_tmpdir();
    char *path = write_ab(dir, 1);
    char err[256];
    wl_trace *t = wl_trace_open(path, 0, err, sizeof err);
    wl_batch *b = wl_batch_build(t, 5, false, 0, err, sizeof err);
    ck_assert_ptr_nonnull(b);
    ck_assert(wl_batch_reused(b));
    ck_assert_uint_eq(wl_batch_distinct(b), 2);
    ck_assert_uint_eq(wl_batch_size(b), 5);
    static const char *const want[] = { "A", "B", "A", "B", "A" };
    for (int s = 0; s < 5; s++)
        ck_assert_str_eq(wl_batch_request(b, (uint64_t)s)->name, want[s]);
    /* prefill tokens: 3 x 2 + 2 x 1; layer 1 expert 0: A gives 2, B gives 1 -> 3*2 + 2*1 */
    ck_assert_uint_eq(wl_batch_iteration_tokens(b, 0), 8);
    ck_assert_uint_eq(wl_batch_counts(b, 0, 0)[0], 8);
    /* every iteration's counts sum to top_k x its tokens */
    for (uint32_t it = 0; it < wl_batch_iterations(b); it++)
        for (uint32_t m = 0; m < 2; m++) {
            uint64_t sum = 0;
            for (int e = 0; e < 8; e++)
                sum += wl_batch_counts(b, it, m)[e];
            ck_assert_uint_eq(sum, 2 * wl_batch_iteration_tokens(b, it));
        }
    wl_batch_free(b);
    ck_assert_ptr_null(wl_batch_build(t, 0, false, 0, err, sizeof err));
    wl_trace_close(t);
    free(path);
    fx_rmdir(dir);
}
END_TEST

START_TEST(test_shuffle)
{
    char *dir = fx_tmpdir();
    char *path = write_ab(dir, 8);   /* 16 requests: A B A B ... */
    char err[256];
    wl_trace *t = wl_trace_open(path, 0, err, sizeof err);
    wl_batch *b1 = wl_batch_build(t, 16, true, 42, err, sizeof err);
    wl_batch *b2 = wl_batch_build(t, 16, true, 42, err, sizeof err);
    wl_batch *b3 = wl_batch_build(t, 16, true, 43, err, sizeof err);
    int seen[16] = { 0 };
    bool differs = false, identity = true;
    for (uint64_t s = 0; s < 16; s++) {
        uint64_t i1 = wl_batch_request(b1, s)->index;
        seen[i1]++;
        ck_assert_uint_eq(i1, wl_batch_request(b2, s)->index);
        differs |= i1 != wl_batch_request(b3, s)->index;
        identity &= i1 == s;
    }
    for (int i = 0; i < 16; i++)
        ck_assert_int_eq(seen[i], 1);
    ck_assert(differs);
    ck_assert(!identity);
    /* fewer requests than the trace: the first slots of the permutation */
    wl_batch *b4 = wl_batch_build(t, 4, true, 42, err, sizeof err);
    for (uint64_t s = 0; s < 4; s++)
        ck_assert_uint_eq(wl_batch_request(b4, s)->index, wl_batch_request(b1, s)->index);
    ck_assert(!wl_batch_reused(b4));
    wl_batch_free(b1);
    wl_batch_free(b2);
    wl_batch_free(b3);
    wl_batch_free(b4);
    wl_trace_close(t);
    free(path);
    fx_rmdir(dir);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("batch");
    TCase *tc = tcase_create("batch");
    tcase_add_test(tc, test_file_order);
    tcase_add_test(tc, test_reuse);
    tcase_add_test(tc, test_shuffle);
    suite_add_tcase(s, tc);
    return ws_check_run(s);
}
