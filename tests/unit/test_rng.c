/* tests/unit/test_rng.c — pins named random streams (core/rng.h: mt19937
 * and the small taus2 ones) and the stable hashes they rest on (core/hash.h): a stream depends only on the
 * master seed and its name, never on which other streams exist. */
#include <check.h>
#include <gsl/gsl_statistics_double.h>
#include <stdint.h>
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

/* Both kinds of stream, for the tests that hold for each. */
static gsl_rng *(*const kinds[])(uint64_t, const char *) = { ws_rng_stream, ws_rng_stream_small };

START_TEST(stream_independent_of_other_streams)
{
    unsigned long a[64], b[64];
    gsl_rng *alone = kinds[_i](7, "noc.traffic.node3");
    draw(alone, a, 64);
    /* create other streams before and interleave draws from them */
    gsl_rng *x = kinds[_i](7, "noc.traffic.node2");
    gsl_rng *again = kinds[_i](7, "noc.traffic.node3");
    gsl_rng *y = kinds[_i](7, "workload.gen");
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
    gsl_rng *r1 = kinds[_i](1, "tile.0"), *r2 = kinds[_i](1, "tile.1");
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

/* Regression: the 64-bit seed used to be folded to 32 bits for
 * gsl_rng_set(), and with master seed 1 these two names (whose folded seeds
 * are both 0xdf91305f) drew identical streams. */
START_TEST(folded_seed_collision_gone)
{
    const char *n1 = "noc.traffic.node84218", *n2 = "noc.traffic.node125142";
    uint64_t s1 = ws_rng_seed_for(1, n1), s2 = ws_rng_seed_for(1, n2);
    ck_assert_uint_ne(s1, s2);
    ck_assert_uint_eq((s1 ^ (s1 >> 32)) & 0xffffffffULL, (s2 ^ (s2 >> 32)) & 0xffffffffULL);
    unsigned long a[16], b[16];
    gsl_rng *r1 = ws_rng_stream(1, n1), *r2 = ws_rng_stream(1, n2);
    draw(r1, a, 16);
    draw(r2, b, 16);
    int same = 0;
    for (int i = 0; i < 16; i++)
        same += a[i] == b[i];
    ck_assert_int_lt(same, 2);
    gsl_rng_free(r1);
    gsl_rng_free(r2);
}
END_TEST

/* Two fixed first draws of stream r (which it frees), in case a seeding
 * and its reference implementation changed together. */
static void expect_first_draws(gsl_rng *r, unsigned long first, unsigned long second)
{
    ck_assert_uint_eq(gsl_rng_get(r), first);
    ck_assert_uint_eq(gsl_rng_get(r), second);
    gsl_rng_free(r);
}

/* Reference MT19937 (Matsumoto and Nishimura's genrand_int32), for checking
 * the documented seeding independently of GSL. */
typedef struct ref_mt {
    uint32_t mt[624];
    int mti;
} ref_mt;

static uint32_t ref_mt_next(ref_mt *m)
{
    static const uint32_t mag01[2] = { 0x0u, 0x9908b0dfu };
    if (m->mti >= 624) {
        int kk;
        uint32_t y;
        for (kk = 0; kk < 624 - 397; kk++) {
            y = (m->mt[kk] & 0x80000000u) | (m->mt[kk + 1] & 0x7fffffffu);
            m->mt[kk] = m->mt[kk + 397] ^ (y >> 1) ^ mag01[y & 1u];
        }
        for (; kk < 623; kk++) {
            y = (m->mt[kk] & 0x80000000u) | (m->mt[kk + 1] & 0x7fffffffu);
            m->mt[kk] = m->mt[kk + (397 - 624)] ^ (y >> 1) ^ mag01[y & 1u];
        }
        y = (m->mt[623] & 0x80000000u) | (m->mt[0] & 0x7fffffffu);
        m->mt[623] = m->mt[396] ^ (y >> 1) ^ mag01[y & 1u];
        m->mti = 0;
    }
    uint32_t y = m->mt[m->mti++];
    y ^= y >> 11;
    y ^= (y << 7) & 0x9d2c5680u;
    y ^= (y << 15) & 0xefc60000u;
    y ^= y >> 18;
    return y;
}

/* The stream is exactly the seeding documented in core/rng.h, and pinned:
 * results depend on it, so it must not change by accident. */
START_TEST(stream_follows_documented_seeding)
{
    static const struct { uint64_t master; const char *name; } cases[] = {
        { 1, "a" }, { 0, "" }, { 7, "noc.traffic.node3" }, { 9007199254740991ULL, "workload.gen" },
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        uint64_t s = ws_rng_seed_for(cases[c].master, cases[c].name);
        ref_mt m;
        for (int k = 0; k < 312; k++) {
            uint64_t x = ws_mix64(s + (uint64_t)k * 0x9e3779b97f4a7c15ULL);
            m.mt[2 * k] = (uint32_t)x;
            m.mt[2 * k + 1] = (uint32_t)(x >> 32);
        }
        m.mt[0] = 0x80000000u;
        m.mti = 624;
        gsl_rng *r = ws_rng_stream(cases[c].master, cases[c].name);
        for (int i = 0; i < 2000; i++)
            ck_assert_uint_eq(gsl_rng_get(r), ref_mt_next(&m));
        gsl_rng_free(r);
    }
    expect_first_draws(ws_rng_stream(1, "a"), 2633269794UL, 27389107UL);
}
END_TEST

/* Reference taus88 (L'Ecuyer 1996, "Maximally equidistributed combined
 * Tausworthe generators"; GSL's taus2 is this generator), for checking
 * the documented seeding of small streams independently of GSL. */
typedef struct ref_taus {
    uint32_t s1, s2, s3;
} ref_taus;

static uint32_t ref_taus_next(ref_taus *t)
{
    t->s1 = ((t->s1 & 0xfffffffeu) << 12) ^ (((t->s1 << 13) ^ t->s1) >> 19);
    t->s2 = ((t->s2 & 0xfffffff8u) << 4) ^ (((t->s2 << 2) ^ t->s2) >> 25);
    t->s3 = ((t->s3 & 0xfffffff0u) << 17) ^ (((t->s3 << 3) ^ t->s3) >> 11);
    return t->s1 ^ t->s2 ^ t->s3;
}

/* The state core/rng.h documents for derived seed s. */
static ref_taus ref_taus_seeded(uint64_t s)
{
    uint64_t x = ws_mix64(s), y = ws_mix64(s + 0x9e3779b97f4a7c15ULL);
    ref_taus t = { (uint32_t)(x & 0x7fffffffu) << 1, (uint32_t)((x >> 31) & 0x1fffffffu) << 3,
                   (uint32_t)(((x >> 60) | (y << 4)) & 0x0fffffffu) << 4 };
    t.s1 = t.s1 ? t.s1 : 2;
    t.s2 = t.s2 ? t.s2 : 8;
    t.s3 = t.s3 ? t.s3 : 16;
    return t;
}

static void expect_taus(gsl_rng *r, ref_taus t, int n)
{
    for (int i = 0; i < n; i++)
        ck_assert_uint_eq(gsl_rng_get(r), ref_taus_next(&t));
}

START_TEST(small_stream_follows_documented_seeding)
{
    static const struct { uint64_t master; const char *name; } cases[] = {
        { 1, "a" }, { 0, "" }, { 7, "noc.traffic.3" }, { 9007199254740991ULL, "noc.traffic.4095" },
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        gsl_rng *r = ws_rng_stream_small(cases[c].master, cases[c].name);
        ck_assert_str_eq(gsl_rng_name(r), "taus2");
        expect_taus(r, ref_taus_seeded(ws_rng_seed_for(cases[c].master, cases[c].name)), 2000);
        gsl_rng_free(r);
    }
    expect_first_draws(ws_rng_stream_small(1, "a"), 976031488UL, 1894298115UL);
}
END_TEST

/* The inverse of ws_mix64 (each step of SplitMix64's finaliser is a
 * bijection), to build a master seed whose stream state has a chosen x. */
static uint64_t odd_inverse(uint64_t c)
{
    uint64_t inv = c;   /* Newton: each step doubles the correct low bits */
    for (int i = 0; i < 6; i++)
        inv *= 2 - c * inv;
    return inv;
}

static uint64_t unxorshift(uint64_t y, int k)
{
    uint64_t x = y;
    for (int i = 0; i < 64 / k + 1; i++)
        x = y ^ (x >> k);
    return x;
}

static uint64_t unmix64(uint64_t y)
{
    uint64_t x = unxorshift(y, 31);
    x = unxorshift(x * odd_inverse(0x94d049bb133111ebULL), 27);
    x = unxorshift(x * odd_inverse(0xbf58476d1ce4e5b9ULL), 30);
    return x - 0x9e3779b97f4a7c15ULL;
}

/* A seed whose x leaves s1's (or s2's) state bits all zero gets the least
 * valid component, and the stream still draws like the reference (a zero
 * component would stay zero). */
START_TEST(small_stream_zero_component_is_mended)
{
    static const uint64_t xs[] = { 0x0123456780000000ULL,    /* x mod 2^31 = 0: s1 */
                                   0xf000000007654321ULL };   /* bits 31-59 of x = 0: s2 */
    for (int c = 0; c < 2; c++) {
        ck_assert_uint_eq(ws_mix64(unmix64(xs[c])), xs[c]);
        uint64_t s = unmix64(xs[c]);
        uint64_t master = unmix64(s) ^ ws_hash64_str("z");
        ck_assert_uint_eq(ws_rng_seed_for(master, "z"), s);
        ref_taus t = ref_taus_seeded(s);
        ck_assert_uint_eq((c == 0 ? t.s1 : t.s2), (c == 0 ? 2u : 8u));
        gsl_rng *r = ws_rng_stream_small(master, "z");
        expect_taus(r, t, 200);
        gsl_rng_free(r);
    }
}
END_TEST

START_TEST(stream_is_uniform_enough)
{
    /* mean and variance of 100k uniforms: 0.5 and 1/12 within 4 sigma */
    gsl_rng *r = kinds[_i](123, "check.uniform");
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
    tcase_add_loop_test(tc, stream_independent_of_other_streams, 0, 2);
    tcase_add_loop_test(tc, streams_differ_by_name_and_seed, 0, 2);
    tcase_add_test(tc, folded_seed_collision_gone);
    tcase_add_test(tc, stream_follows_documented_seeding);
    tcase_add_loop_test(tc, stream_is_uniform_enough, 0, 2);
    tcase_add_test(tc, small_stream_follows_documented_seeding);
    tcase_add_test(tc, small_stream_zero_component_is_mended);
    suite_add_tcase(s, tc);
    return ws_check_run(s);
}
