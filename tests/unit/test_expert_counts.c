/* tests/unit/test_expert_counts.c — pins the per-layer pick and pair
 * counts (workload/expert_counts.h) on a hand-built request: 2 MoE layers,
 * 4 experts, top-2, one prompt token and two decode tokens. */
#include <check.h>
#include <stdlib.h>

#include "tests/unit/check_main.h"
#include "workload/expert_counts.h"

/* token t, layer m: ids[(t * 2 + m) * 2 .. +1] */
static const uint16_t ids[] = {
    0, 1, /* prompt, layer 0 */ 2, 3, /* prompt, layer 1 */
    1, 0, /* decode 0, layer 0 */ 3, 2, /* decode 0, layer 1 */
    1, 2, /* decode 1, layer 0 */ 0, 3, /* decode 1, layer 1 */
};

static wl_request request(void)
{
    wl_request r = { .index = 0, .prompt_len = 1, .decode_len = 2, .n_moe = 2, .top_k = 2, .name = "r", .ids = ids };
    return r;
}

START_TEST(decode_tokens_and_pairs)
{
    wl_counts c;
    wl_counts_init(&c, 2, 4, 2, true);
    wl_request r = request();
    wl_counts_add(&c, &r, 1, 3);   /* the two decode tokens */
    /* layer 0: picks {1,0} {1,2}: expert 0 once, 1 twice, 2 once */
    ck_assert_double_eq(c.freq[0], 1);
    ck_assert_double_eq(c.freq[1], 2);
    ck_assert_double_eq(c.freq[2], 1);
    ck_assert_double_eq(c.freq[3], 0);
    /* layer 1: {3,2} {0,3} */
    ck_assert_double_eq(c.freq[4 + 3], 2);
    ck_assert_double_eq(c.freq[4 + 0], 1);
    ck_assert_uint_eq(wl_counts_pair(&c, 0, 0, 1), 1);
    ck_assert_uint_eq(wl_counts_pair(&c, 0, 1, 0), 1);   /* either order */
    ck_assert_uint_eq(wl_counts_pair(&c, 0, 2, 1), 1);
    ck_assert_uint_eq(wl_counts_pair(&c, 0, 0, 2), 0);
    ck_assert_uint_eq(wl_counts_pair(&c, 1, 2, 3), 1);
    ck_assert_uint_eq(wl_counts_pair(&c, 1, 3, 0), 1);
    ck_assert_uint_eq(wl_counts_pair(&c, 1, 3, 3), 0);
    ck_assert_uint_eq(c.tokens, 2);
    ck_assert_uint_eq(c.requests, 1);
    /* the prompt token, and an end past the request (clamped) */
    wl_counts_add(&c, &r, 0, 1);
    ck_assert_double_eq(c.freq[0], 2);
    ck_assert_uint_eq(wl_counts_pair(&c, 0, 0, 1), 2);
    wl_counts_add(&c, &r, 2, 99);
    ck_assert_uint_eq(c.tokens, 4);
    ck_assert_double_eq(c.freq[2], 2);
    /* picks per layer = k x tokens */
    for (unsigned m = 0; m < 2; m++) {
        double sum = 0;
        for (unsigned e = 0; e < 4; e++)
            sum += c.freq[m * 4 + e];
        ck_assert_double_eq(sum, 2 * 4);
    }
    wl_counts_free(&c);
}
END_TEST

START_TEST(no_pairs_when_not_asked)
{
    wl_counts c;
    wl_counts_init(&c, 2, 4, 2, false);
    wl_request r = request();
    wl_counts_add(&c, &r, 0, 3);
    ck_assert_ptr_null(c.pairs);
    ck_assert_uint_eq(wl_counts_pair(&c, 0, 0, 1), 0);
    ck_assert_double_eq(c.freq[1], 3);
    wl_counts_free(&c);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("expert_counts");
    TCase *tc = tcase_create("counts");
    tcase_add_test(tc, decode_tokens_and_pairs);
    tcase_add_test(tc, no_pairs_when_not_asked);
    suite_add_tcase(s, tc);
    return ws_check_run(s);
}
