/* tests/unit/test_rng.c — pins named random streams (core/rng.h) and the
 * stable hashes they rest on (core/hash.h): a stream depends only on the
 * master seed and its name, never on which other streams exist. */
#include <check.h>
#include <gsl/gsl_statistics_double.h>
#include <stdlib.h>

#include "core/hash.h"
#include "core/rng.h"
#include "tests/unit/check_main.h"

START_TEST(fnv1a_reference_values)
{
    /* published FNV-1a 64 test vectors */
    ck_assert_uint_eq(ws_hash64_str(""), 0xcbf29ce484222325ULL);
    ck_assert_uint_eq(ws_hash64_str("a"), 0xaf63dc4c8601ec8cULL);
    ck_assert_uint_eq(ws_hash64_str("foobar"), 0x85944171f73967e8ULL);
    char hex[17];
    ws_hash64_hex(0xaf63dc4c8601ec8cULL, hex);
    ck_assert_str_eq(hex, "af63dc4c8601ec8c");
}
END_TEST

START_TEST(splitmix_reference_value)
{
    /* SplitMix64 with state 0: first output is 0xe220a8397b1dcdaf */
    ck_assert_uint_eq(ws_mix64(0), 0xe220a8397b1dcdafULL);
}
END_TEST

static void draw(gsl_rng *r, unsigned long *out, int n)
{
    for (int i = 0; i < n; i++)
        out[i] = gsl_rng_get(r);
}

START_TEST(stream_independent_of_other_streams)
{
    unsigned long a[64], b[64];
    gsl_rng *alone = ws_rng_stream(7, "noc.traffic.node3");
    draw(alone, a, 64);
    /* create other streams before and interleave draws from them */
    gsl_rng *x = ws_rng_stream(7, "noc.traffic.node2");
    gsl_rng *again = ws_rng_stream(7, "noc.traffic.node3");
    gsl_rng *y = ws_rng_stream(7, "workload.gen");
    for (int i = 0; i < 64; i++) {
        gsl_rng_get(x);
        b[i] = gsl_rng_get(again);
        gsl_rng_get(y);
    }
    for (int i = 0; i < 64; i++)
        ck_assert_uint_eq(a[i], b[i]);
    gsl_rng_free(alone);
    gsl_rng_free(x);
    gsl_rng_free(again);
    gsl_rng_free(y);
}
END_TEST

START_TEST(streams_differ_by_name_and_seed)
{
    ck_assert_uint_ne(ws_rng_seed_for(1, "a"), ws_rng_seed_for(1, "b"));
    ck_assert_uint_ne(ws_rng_seed_for(1, "a"), ws_rng_seed_for(2, "a"));
    ck_assert_uint_eq(ws_rng_seed_for(1, "a"), ws_rng_seed_for(1, "a"));
    unsigned long a[8], b[8];
    gsl_rng *r1 = ws_rng_stream(1, "tile.0"), *r2 = ws_rng_stream(1, "tile.1");
    draw(r1, a, 8);
    draw(r2, b, 8);
    int same = 0;
    for (int i = 0; i < 8; i++)
        same += a[i] == b[i];
    ck_assert_int_lt(same, 2);
    gsl_rng_free(r1);
    gsl_rng_free(r2);
}
END_TEST

START_TEST(stream_is_uniform_enough)
{
    /* mean and variance of 100k uniforms: 0.5 and 1/12 within 4 sigma */
    gsl_rng *r = ws_rng_stream(123, "check.uniform");
    enum { N = 100000 };
    double *v = malloc(N * sizeof *v);
    for (int i = 0; i < N; i++)
        v[i] = gsl_rng_uniform(r);
    double mean = gsl_stats_mean(v, 1, N);
    double var = gsl_stats_variance(v, 1, N);
    ck_assert_double_eq_tol(mean, 0.5, 4 * 0.2887 / 316.2);
    ck_assert_double_eq_tol(var, 1.0 / 12, 0.002);
    free(v);
    gsl_rng_free(r);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("rng");
    TCase *tc = tcase_create("streams");
    tcase_add_test(tc, fnv1a_reference_values);
    tcase_add_test(tc, splitmix_reference_value);
    tcase_add_test(tc, stream_independent_of_other_streams);
    tcase_add_test(tc, streams_differ_by_name_and_seed);
    tcase_add_test(tc, stream_is_uniform_enough);
    suite_add_tcase(s, tc);
    return ws_check_run(s);
}
