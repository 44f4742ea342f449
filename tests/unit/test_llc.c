/* tests/unit/test_llc.c — pins the LLC tag store (mem/llc.h) on hand-built
 * access sequences whose hits, misses, fills and evictions are worked out
 * in the comments, plus the LRU capacity laws: a loop that fits hits on
 * every line after the first pass; a loop one line larger than a fully
 * associative cache never hits. */
#include <check.h>
#include <stdlib.h>

#include "mem/llc.h"
#include "tests/unit/check_main.h"

#define LINE 64

static void expect_stats(const mem_llc *c, uint64_t hits, uint64_t misses, uint64_t fills,
                         uint64_t evictions)
{
    const mem_llc_stats *s = mem_llc_stats_get(c);
    ck_assert_uint_eq(s->hits, hits);
    ck_assert_uint_eq(s->misses, misses);
    ck_assert_uint_eq(s->fills, fills);
    ck_assert_uint_eq(s->evictions, evictions);
    ck_assert_uint_eq(s->hit_bytes, hits * LINE);
    ck_assert_uint_eq(s->miss_bytes, misses * LINE);
}

START_TEST(lru_in_one_set)
{
    /* 2 ways x 2 sets of 64 B lines = 256 B. Lines 0, 2, 4 all map to set 0. */
    mem_llc *c = mem_llc_new(256, 2, LINE);
    ck_assert_uint_eq(mem_llc_sets(c), 2);
    uint64_t A = 0 * LINE, B = 2 * LINE, C = 4 * LINE;
    ck_assert_uint_eq(mem_llc_access(c, A, 8, true), 0);   /* miss, fill        */
    ck_assert_uint_eq(mem_llc_access(c, B, 8, true), 0);   /* miss, fill        */
    ck_assert_uint_eq(mem_llc_access(c, A, 8, true), 1);   /* hit: A now MRU    */
    ck_assert_uint_eq(mem_llc_access(c, C, 8, true), 0);   /* miss, evicts B    */
    ck_assert(mem_llc_contains(c, A) && mem_llc_contains(c, C) && !mem_llc_contains(c, B));
    ck_assert_uint_eq(mem_llc_access(c, B, 8, true), 0);   /* miss, evicts A    */
    ck_assert(!mem_llc_contains(c, A));
    ck_assert_uint_eq(mem_llc_access(c, 1 * LINE, 8, true), 0);  /* set 1: no eviction */
    /* hits 1; misses A,B,C,B,line1 = 5; fills 5; evictions 2 */
    expect_stats(c, 1, 5, 5, 2);
    mem_llc_free(c);
}
END_TEST

START_TEST(no_allocate_leaves_cache_unchanged)
{
    mem_llc *c = mem_llc_new(256, 2, LINE);
    ck_assert_uint_eq(mem_llc_access(c, 0, 8, false), 0);
    ck_assert(!mem_llc_contains(c, 0));
    ck_assert_uint_eq(mem_llc_access(c, 0, 8, false), 0);
    expect_stats(c, 0, 2, 0, 0);
    ck_assert_uint_eq(mem_llc_access(c, 0, 8, true), 0);
    ck_assert_uint_eq(mem_llc_access(c, 0, 8, false), 1);   /* a hit still counts */
    expect_stats(c, 1, 3, 1, 0);
    mem_llc_free(c);
}
END_TEST

START_TEST(access_spanning_lines)
{
    mem_llc *c = mem_llc_new(4096, 4, LINE);
    /* [60, 60+200) touches lines 0..4 (bytes 0..259): 5 lines */
    ck_assert_uint_eq(mem_llc_lines(c, 60, 200), 5);
    ck_assert_uint_eq(mem_llc_lines(c, 64, 64), 1);
    ck_assert_uint_eq(mem_llc_lines(c, 64, 0), 0);
    ck_assert_uint_eq(mem_llc_access(c, 60, 200, true), 0);
    expect_stats(c, 0, 5, 5, 0);
    ck_assert_uint_eq(mem_llc_access(c, 0, 5 * LINE, true), 5);
    ck_assert_uint_eq(mem_llc_access(c, 0, 0, true), 0);    /* empty access: nothing */
    expect_stats(c, 5, 5, 5, 0);
    mem_llc_free(c);
}
END_TEST

START_TEST(capacity_laws)
{
    enum { WAYS = 8, LINES = 8 };
    /* fully associative: one set of 8 ways */
    mem_llc *c = mem_llc_new(WAYS * LINE, WAYS, LINE);
    for (int pass = 0; pass < 3; pass++)
        for (int l = 0; l < LINES; l++)
            mem_llc_access(c, (uint64_t)l * LINE, LINE, true);
    expect_stats(c, 2 * LINES, LINES, LINES, 0);       /* fits: only cold misses */
    mem_llc_free(c);

    c = mem_llc_new(WAYS * LINE, WAYS, LINE);
    for (int pass = 0; pass < 3; pass++)
        for (int l = 0; l < LINES + 1; l++)
            mem_llc_access(c, (uint64_t)l * LINE, LINE, true);
    /* one line too many: LRU evicts exactly the line needed next */
    expect_stats(c, 0, 3 * (LINES + 1), 3 * (LINES + 1), 3 * (LINES + 1) - WAYS);
    mem_llc_free(c);
}
END_TEST

START_TEST(geometry_checks)
{
    const char *culprit;
    ck_assert_ptr_nonnull(mem_llc_check(1000, 4, 64, &culprit));   /* not a multiple */
    ck_assert_str_eq(culprit, "size");
    ck_assert_ptr_nonnull(mem_llc_check(4096, 4, 48, &culprit));   /* line not a power of two */
    ck_assert_str_eq(culprit, "line_size");
    ck_assert_ptr_nonnull(mem_llc_check(4096, 0, 64, &culprit));
    ck_assert_str_eq(culprit, "associativity");
    ck_assert_ptr_null(mem_llc_check(64ULL << 20, 16, 128, &culprit));
    ck_assert_ptr_null(culprit);
    ck_assert_ptr_null(mem_llc_new(1000, 4, 64));
    mem_llc *c = mem_llc_new(64ULL << 20, 16, 128);       /* the presets' 64 MiB */
    ck_assert_uint_eq(mem_llc_sets(c), (64ULL << 20) / (16 * 128));
    mem_llc_free(c);
    /* a 0-byte cache always misses and never fills */
    c = mem_llc_new(0, 1, LINE);
    ck_assert_uint_eq(mem_llc_access(c, 0, LINE, true), 0);
    ck_assert_uint_eq(mem_llc_access(c, 0, LINE, true), 0);
    expect_stats(c, 0, 2, 0, 0);
    mem_llc_free(c);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("llc");
    TCase *tc = tcase_create("tags");
    tcase_add_test(tc, lru_in_one_set);
    tcase_add_test(tc, no_allocate_leaves_cache_unchanged);
    tcase_add_test(tc, access_spanning_lines);
    tcase_add_test(tc, capacity_laws);
    tcase_add_test(tc, geometry_checks);
    suite_add_tcase(s, tc);
    return ws_check_run(s);
}
