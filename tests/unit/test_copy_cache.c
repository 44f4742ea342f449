/* tests/unit/test_copy_cache.c — pins the replacement policies of the
 * migration unit's copy cache (mem/copy_cache.h) on hand-built sequences:
 * LRU and LFU victims worked out by hand, keep refusing once full, the
 * set bounded by its slots, sets of different tiles independent, and no
 * slot at all refused. */
#include <check.h>
#include <stdlib.h>

#include "mem/copy_cache.h"
#include "tests/unit/check_main.h"

START_TEST(lru_evicts_least_recent)
{
    mem_copy_cache *c = mem_copy_cache_new(2, 3, MEM_COPY_LRU);
    uint64_t ev = 99;
    ck_assert_int_eq(mem_copy_cache_insert(c, 0, 10, &ev), 0);   /* t1 */
    ck_assert_int_eq(mem_copy_cache_insert(c, 0, 11, &ev), 0);   /* t2 */
    ck_assert_int_eq(mem_copy_cache_insert(c, 0, 12, &ev), 0);   /* t3 */
    ck_assert(mem_copy_cache_touch(c, 0, 10));                   /* t4: 10 recent again */
    ck_assert_int_eq(mem_copy_cache_insert(c, 0, 13, &ev), 1);   /* evicts 11 (t2) */
    ck_assert_uint_eq(ev, 11);
    ck_assert(!mem_copy_cache_contains(c, 0, 11));
    ck_assert_int_eq(mem_copy_cache_insert(c, 0, 14, &ev), 1);   /* evicts 12 (t3) */
    ck_assert_uint_eq(ev, 12);
    ck_assert_uint_eq(mem_copy_cache_size(c, 0), 3);
    ck_assert_uint_eq(mem_copy_cache_size(c, 1), 0);             /* tile 1 untouched */
    ck_assert(!mem_copy_cache_touch(c, 1, 10));
    ck_assert_int_eq(mem_copy_cache_insert(c, 0, 14, &ev), 0);   /* resident: a touch */
    mem_copy_cache_free(c);
}
END_TEST

START_TEST(lfu_evicts_least_used)
{
    mem_copy_cache *c = mem_copy_cache_new(1, 3, MEM_COPY_LFU);
    uint64_t ev = 99;
    mem_copy_cache_insert(c, 0, 1, &ev);   /* uses 1 */
    mem_copy_cache_insert(c, 0, 2, &ev);   /* uses 1 */
    mem_copy_cache_insert(c, 0, 3, &ev);   /* uses 1 */
    mem_copy_cache_touch(c, 0, 1);         /* 1: 2 uses */
    mem_copy_cache_touch(c, 0, 1);         /* 1: 3 uses */
    mem_copy_cache_touch(c, 0, 2);         /* 2: 2 uses, the most recent */
    /* LFU: 3 has the fewest uses although 1 was used less recently than 2 */
    ck_assert_int_eq(mem_copy_cache_insert(c, 0, 4, &ev), 1);
    ck_assert_uint_eq(ev, 3);
    /* 4 has 1 use: it goes next, even though it is the most recent */
    ck_assert_int_eq(mem_copy_cache_insert(c, 0, 5, &ev), 1);
    ck_assert_uint_eq(ev, 4);
    /* ties on uses go to the least recent: 5 and 2 both have 2 uses, 2 is older */
    mem_copy_cache_touch(c, 0, 5);         /* 5: 2 uses, tie with 2; 2 older */
    ck_assert_int_eq(mem_copy_cache_insert(c, 0, 6, &ev), 1);
    ck_assert_uint_eq(ev, 2);
    mem_copy_cache_free(c);

    /* the same sequence under LRU evicts 3, then 1, then 2 (oldest use) */
    c = mem_copy_cache_new(1, 3, MEM_COPY_LRU);
    mem_copy_cache_insert(c, 0, 1, &ev);
    mem_copy_cache_insert(c, 0, 2, &ev);
    mem_copy_cache_insert(c, 0, 3, &ev);
    mem_copy_cache_touch(c, 0, 1);
    mem_copy_cache_touch(c, 0, 1);
    mem_copy_cache_touch(c, 0, 2);
    mem_copy_cache_insert(c, 0, 4, &ev);
    ck_assert_uint_eq(ev, 3);
    mem_copy_cache_insert(c, 0, 5, &ev);
    ck_assert_uint_eq(ev, 1);
    mem_copy_cache_touch(c, 0, 5);
    mem_copy_cache_insert(c, 0, 6, &ev);
    ck_assert_uint_eq(ev, 2);
    mem_copy_cache_free(c);
}
END_TEST

START_TEST(bounded_and_no_slot)
{
    mem_copy_cache *c = mem_copy_cache_new(1, 2, MEM_COPY_LRU);
    uint64_t ev;
    int evictions = 0;
    for (uint64_t k = 0; k < 50; k++) {
        evictions += mem_copy_cache_insert(c, 0, k, &ev) == 1;
        ck_assert_uint_le(mem_copy_cache_size(c, 0), 2);
    }
    ck_assert_int_eq(evictions, 48);
    mem_copy_cache_remove(c, 0, 49);
    ck_assert_uint_eq(mem_copy_cache_size(c, 0), 1);
    ck_assert(mem_copy_cache_contains(c, 0, 48));
    mem_copy_cache_free(c);
    c = mem_copy_cache_new(3, 0, MEM_COPY_LFU);
    ck_assert_int_eq(mem_copy_cache_insert(c, 2, 7, &ev), -1);
    ck_assert_uint_eq(mem_copy_cache_size(c, 2), 0);
    mem_copy_cache_free(c);
}
END_TEST

START_TEST(keep_refuses_when_full)
{
    mem_copy_cache *c = mem_copy_cache_new(2, 2, MEM_COPY_KEEP);
    uint64_t ev = 99;
    ck_assert(mem_copy_cache_accepts(c, 0, 0));
    ck_assert(mem_copy_cache_accepts(c, 0, 1));
    ck_assert(!mem_copy_cache_accepts(c, 0, 2));   /* two pending fill it */
    ck_assert_int_eq(mem_copy_cache_insert(c, 0, 1, &ev), 0);
    ck_assert_int_eq(mem_copy_cache_insert(c, 0, 2, &ev), 0);
    ck_assert(!mem_copy_cache_accepts(c, 0, 0));
    ck_assert(mem_copy_cache_accepts(c, 1, 0));    /* other tile */
    ck_assert_int_eq(mem_copy_cache_insert(c, 0, 3, &ev), -1);
    ck_assert_uint_eq(ev, 99);
    ck_assert(mem_copy_cache_contains(c, 0, 1) && mem_copy_cache_contains(c, 0, 2));
    ck_assert(!mem_copy_cache_contains(c, 0, 3));
    mem_copy_cache_free(c);
    /* lru always accepts (it evicts), a cache without slots never */
    c = mem_copy_cache_new(1, 1, MEM_COPY_LRU);
    ck_assert(mem_copy_cache_accepts(c, 0, 5));
    mem_copy_cache_free(c);
    c = mem_copy_cache_new(1, 0, MEM_COPY_LRU);
    ck_assert(!mem_copy_cache_accepts(c, 0, 0));
    mem_copy_cache_free(c);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("copy_cache");
    TCase *tc = tcase_create("policies");
    tcase_add_test(tc, lru_evicts_least_recent);
    tcase_add_test(tc, lfu_evicts_least_used);
    tcase_add_test(tc, bounded_and_no_slot);
    tcase_add_test(tc, keep_refuses_when_full);
    suite_add_tcase(s, tc);
    return ws_check_run(s);
}
