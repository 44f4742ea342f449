/* tests/unit/test_residency.c — pins the residency table (mem/residency.h):
 * capacity arithmetic of the home and reserved regions on the dojo numbers
 * (80 GB, 10% reserved; DeepSeek-V3 experts of 3 x 28 MiB), refusal of an
 * over-full placement with a message naming the tile, copies bounded by the
 * reserved region, presence bits and addresses. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "mem/residency.h"
#include "tests/unit/check_main.h"

#define EXPERT (3ULL * 28 * 1024 * 1024)   /* 88080384 B */

START_TEST(dojo_deepseek_fits)
{
    /* 25 tiles, 58 layers x 256 experts: ceil(256/25) = 11 experts per tile
     * per layer at most -> 58 * 11 * 88080384 B = 56.2 GB < 72 GB home */
    mem_residency *r = mem_residency_new(25, 80000000000ULL, 0.10, 58, 256, EXPERT);
    ck_assert_uint_eq(mem_residency_reserved_capacity(r), 8000000000ULL);
    ck_assert_uint_eq(mem_residency_home_capacity(r), 72000000000ULL);
    char err[256];
    for (unsigned l = 0; l < 58; l++)
        for (unsigned e = 0; e < 256; e++)
            ck_assert_int_eq(mem_residency_place_home(r, l, e, e % 25, err, sizeof err), 0);
    ck_assert_uint_eq(mem_residency_home_used(r, 0), 58ULL * 11 * EXPERT);
    ck_assert_uint_eq(mem_residency_home_used(r, 24), 58ULL * 10 * EXPERT);
    ck_assert_int_eq(mem_residency_home(r, 3, 26), 1);
    /* addresses: expert 26 is tile 1's second expert of layer 0 ... placed in
     * order (layer 0: experts 1, 26, 51, ...), so layer 3's expert 26 sits at
     * (3 * 11 + 1) * EXPERT in tile 1; its matrix 2 is 2 * 28 MiB further */
    ck_assert_uint_eq(mem_residency_address(r, 3, 26, 0), (3ULL * 11 + 1) * EXPERT);
    ck_assert_uint_eq(mem_residency_address(r, 3, 26, 2), (3ULL * 11 + 1) * EXPERT + 2 * (EXPERT / 3));
    mem_residency_free(r);
}
END_TEST

START_TEST(overfull_placement_is_refused)
{
    /* 1 GB per tile, 10% reserved: 900 MB home holds 10 experts of 88 MB,
     * leaving 900000000 - 10 * 88080384 = 19196160 B */
    mem_residency *r = mem_residency_new(2, 1000000000ULL, 0.10, 1, 16, EXPERT);
    char err[512];
    for (unsigned e = 0; e < 10; e++)
        ck_assert_int_eq(mem_residency_place_home(r, 0, e, 0, err, sizeof err), 0);
    ck_assert_int_eq(mem_residency_place_home(r, 0, 10, 0, err, sizeof err), -1);
    ck_assert_ptr_nonnull(strstr(err, "tile 0 cannot hold expert 10"));
    ck_assert_ptr_nonnull(strstr(err, "needs 88080384 B"));
    ck_assert_ptr_nonnull(strstr(err, "19196160 B of the tile's 900000000 B home region are free"));
    ck_assert_int_eq(mem_residency_home(r, 0, 10), -1);
    ck_assert_int_eq(mem_residency_place_home(r, 0, 10, 1, err, sizeof err), 0);   /* other tile */
    ck_assert_int_eq(mem_residency_place_home(r, 0, 10, 1, err, sizeof err), -1);  /* twice */
    ck_assert_ptr_nonnull(strstr(err, "already placed"));
    mem_residency_free(r);
}
END_TEST

START_TEST(copies_respect_reserved_region)
{
    /* reserved 10% of 1 GB = 100 MB: one 88 MB copy fits, two do not */
    mem_residency *r = mem_residency_new(2, 1000000000ULL, 0.10, 1, 4, EXPERT);
    char err[256];
    for (unsigned e = 0; e < 4; e++)
        ck_assert_int_eq(mem_residency_place_home(r, 0, e, 0, err, sizeof err), 0);
    ck_assert(!mem_residency_present(r, 0, 2, 1));
    ck_assert_int_eq(mem_residency_add_copy(r, 0, 2, 1), 0);
    ck_assert(mem_residency_present(r, 0, 2, 1));
    ck_assert_uint_eq(mem_residency_copies(r, 0, 2), 1);
    ck_assert_int_eq(mem_residency_add_copy(r, 0, 2, 1), 0);      /* already there: no charge */
    ck_assert_uint_eq(mem_residency_reserved_used(r, 1), EXPERT);
    ck_assert_int_eq(mem_residency_add_copy(r, 0, 3, 1), -1);     /* would exceed 100 MB */
    ck_assert(!mem_residency_present(r, 0, 3, 1));
    ck_assert_int_eq(mem_residency_add_copy(r, 0, 3, 0), 0);      /* home tile: present already */
    ck_assert_uint_eq(mem_residency_reserved_used(r, 0), 0);
    mem_residency_remove_copy(r, 0, 2, 1);                         /* evict, then it fits */
    ck_assert_uint_eq(mem_residency_reserved_used(r, 1), 0);
    ck_assert_int_eq(mem_residency_add_copy(r, 0, 3, 1), 0);
    mem_residency_remove_copy(r, 0, 3, 0);                         /* never removes a home */
    ck_assert(mem_residency_present(r, 0, 3, 0));
    mem_residency_free(r);
}
END_TEST

START_TEST(static_copies_use_the_home_region)
{
    /* 1 GB per tile, 10% reserved: 900 MB home, room for 10 experts of
     * 88 MB. Tile 1 holds experts 2, 3; static copies of 0 and 1 go after
     * them, 2 and 3 experts in; an 11th expert on tile 1 does not fit */
    mem_residency *r = mem_residency_new(2, 1000000000ULL, 0.10, 1, 12, EXPERT);
    char err[512];
    for (unsigned e = 0; e < 12; e++)
        ck_assert_int_eq(mem_residency_place_home(r, 0, e, e == 2 || e == 3, err, sizeof err), 0);
    ck_assert_int_eq(mem_residency_place_copy(r, 0, 0, 1, err, sizeof err), 0);
    ck_assert_int_eq(mem_residency_place_copy(r, 0, 1, 1, err, sizeof err), 0);
    ck_assert_uint_eq(mem_residency_static_used(r, 1), 2 * EXPERT);
    ck_assert_uint_eq(mem_residency_home_used(r, 1), 4 * EXPERT);
    ck_assert_uint_eq(mem_residency_reserved_used(r, 1), 0);
    ck_assert_uint_eq(mem_residency_static_copies(r, 0, 0), 1);
    ck_assert_uint_eq(mem_residency_copies(r, 0, 0), 0);          /* reserved-region copies only */
    ck_assert(mem_residency_present(r, 0, 1, 1));
    /* its own address on the copy holder, the home address elsewhere */
    ck_assert_uint_eq(mem_residency_holder_address(r, 0, 1, 1, 2), 3 * EXPERT + 2 * (EXPERT / 3));
    ck_assert_uint_eq(mem_residency_holder_address(r, 0, 1, 0, 2), mem_residency_address(r, 0, 1, 2));
    ck_assert_uint_eq(mem_residency_address(r, 0, 1, 0), EXPERT);
    /* twice, on the home, and past the home region: refused */
    ck_assert_int_eq(mem_residency_place_copy(r, 0, 1, 1, err, sizeof err), -1);
    ck_assert_ptr_nonnull(strstr(err, "already holds expert 1"));
    ck_assert_int_eq(mem_residency_place_copy(r, 0, 4, 0, err, sizeof err), -1);
    for (unsigned e = 4; e < 10; e++)
        ck_assert_int_eq(mem_residency_place_copy(r, 0, e, 1, err, sizeof err), 0);
    ck_assert_int_eq(mem_residency_place_copy(r, 0, 10, 1, err, sizeof err), -1);   /* 11th expert on tile 1 */
    ck_assert_ptr_nonnull(strstr(err, "tile 1 cannot hold a copy of expert 10"));
    ck_assert_uint_eq(mem_residency_home_used(r, 1), 10 * EXPERT);
    /* permanent: eviction and dynamic copies leave them alone */
    mem_residency_remove_copy(r, 0, 0, 1);
    ck_assert(mem_residency_present(r, 0, 0, 1));
    ck_assert_int_eq(mem_residency_add_copy(r, 0, 0, 1), 0);
    ck_assert_uint_eq(mem_residency_reserved_used(r, 1), 0);
    mem_residency_free(r);
}
END_TEST

START_TEST(presence_bits_beyond_one_word)
{
    mem_residency *r = mem_residency_new(130, 1ULL << 40, 0.5, 1, 2, 3);
    char err[128];
    ck_assert_int_eq(mem_residency_place_home(r, 0, 0, 129, err, sizeof err), 0);
    ck_assert_int_eq(mem_residency_add_copy(r, 0, 0, 64), 0);
    for (unsigned t = 0; t < 130; t++)
        ck_assert(mem_residency_present(r, 0, 0, t) == (t == 64 || t == 129));
    ck_assert(!mem_residency_present(r, 0, 1, 129));
    mem_residency_free(r);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("residency");
    TCase *tc = tcase_create("table");
    tcase_add_test(tc, dojo_deepseek_fits);
    tcase_add_test(tc, overfull_placement_is_refused);
    tcase_add_test(tc, copies_respect_reserved_region);
    tcase_add_test(tc, presence_bits_beyond_one_word);
    tcase_add_test(tc, static_copies_use_the_home_region);
    suite_add_tcase(s, tc);
    return ws_check_run(s);
}
