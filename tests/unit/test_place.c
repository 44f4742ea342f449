/* tests/unit/test_place.c — pins the profile-driven placement policies
 * (arch/place/{hot_replication,coact_separation,profile_balance}.c) and
 * the home allocation over copies (arch/alloc/home.c) on small hand-built
 * profiles whose answers are worked out in the comments. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "arch/alloc.h"
#include "arch/place.h"
#include "mem/residency.h"
#include "tests/unit/check_main.h"

#define EB 3000ULL   /* bytes of one expert */

static const arch_place_policy *policy(const char *name)
{
    for (size_t i = 0; i < arch_place_count; i++)
        if (!strcmp(arch_place_registry[i]->name, name))
            return arch_place_registry[i];
    ck_abort_msg("no placement policy %s", name);
    return NULL;
}

static mem_residency *wafer(unsigned tiles, unsigned layers, unsigned experts, uint64_t capacity)
{
    return mem_residency_new(tiles, capacity, 0.10, layers, experts, EB);
}

static unsigned on_tile(const mem_residency *r, unsigned l, unsigned E, unsigned t)
{
    unsigned n = 0;
    for (unsigned e = 0; e < E; e++)
        n += mem_residency_home(r, l, e) == (int)t;
    return n;
}

START_TEST(hot_replication_copies_the_hottest_within_budget)
{
    /* 2 x 2 tiles, 8 experts: contiguous homes t0 {0,1} t1 {2,3} t2 {4,5}
     * t3 {6,7}. Profile: the hottest are 1 (80), 3 (70), 4 (60), 6 (50);
     * 50 > 80 / 2, so with one copy slot per tile each of them gets one copy
     * before 1 gets a second. Loads (sum of f / holders) start at t0 90,
     * t1 75, t2 61, t3 52: 1 -> t3 (52; t0 50, t3 92); 3 -> t0 (50; t0 85,
     * t1 40); 4 -> t1 (40; t1 70, t2 31); 6 -> t2 (the last slot). Budget
     * 1.5 experts per tile: one copy each. */
    static const double f[8] = { 10, 80, 5, 70, 60, 1, 50, 2 };
    mem_residency *r = wafer(4, 1, 8, 1000000);
    arch_place_ctx ctx = { .n_tiles = 4, .grid_x = 2, .grid_y = 2, .n_layers = 1, .n_experts = 8, .profile = f,
                           .copy_budget_bytes = EB * 3 / 2 };
    char err[256];
    ck_assert_int_eq(policy("hot_replication")->place(&ctx, r, err, sizeof err), 0);
    static const int copy_on[8] = { -1, 3, -1, 0, 1, -1, 2, -1 };
    for (unsigned e = 0; e < 8; e++) {
        ck_assert_int_eq(mem_residency_home(r, 0, e), (int)e / 2);
        ck_assert_uint_eq(mem_residency_static_copies(r, 0, e), copy_on[e] >= 0);
        if (copy_on[e] >= 0)
            ck_assert(mem_residency_present(r, 0, e, (unsigned)copy_on[e]));
    }
    for (unsigned t = 0; t < 4; t++)
        ck_assert_uint_eq(mem_residency_static_used(r, t), EB);
    mem_residency_free(r);

    /* budget 0: exactly the contiguous placement */
    r = wafer(4, 1, 8, 1000000);
    ctx.copy_budget_bytes = 0;
    ck_assert_int_eq(policy("hot_replication")->place(&ctx, r, err, sizeof err), 0);
    for (unsigned e = 0; e < 8; e++)
        ck_assert_uint_eq(mem_residency_static_copies(r, 0, e), 0);
    mem_residency_free(r);
}
END_TEST

START_TEST(hot_replication_budget_over_layers_and_home_room)
{
    /* 3 layers, budget 4 experts per tile: layers get 2, 1, 1 slots per
     * tile; every tile's copies stay within the budget. Skewed profile: one
     * expert per layer takes everything, so it gets a copy on each of the
     * other 3 tiles and nothing else is copied (f = 0 is never copied). */
    double f[3 * 8] = { 0 };
    for (unsigned l = 0; l < 3; l++)
        f[l * 8 + l] = 100;
    mem_residency *r = wafer(4, 3, 8, 1000000);
    arch_place_ctx ctx = { .n_tiles = 4, .grid_x = 2, .grid_y = 2, .n_layers = 3, .n_experts = 8, .profile = f,
                           .copy_budget_bytes = 4 * EB };
    char err[256];
    ck_assert_int_eq(policy("hot_replication")->place(&ctx, r, err, sizeof err), 0);
    for (unsigned l = 0; l < 3; l++)
        for (unsigned e = 0; e < 8; e++)
            ck_assert_uint_eq(mem_residency_static_copies(r, l, e), e == l ? 3 : 0);
    for (unsigned t = 0; t < 4; t++)
        ck_assert_uint_le(mem_residency_static_used(r, t), 4 * EB);
    mem_residency_free(r);

    /* the home region bounds the copies too: 10% reserved of 12000 B
     * leaves 10800 B = 3 experts, 2 of them homes (1 layer): 1 copy slot
     * per tile even with a budget of 10 experts */
    double g[8] = { 8, 7, 6, 5, 4, 3, 2, 1 };
    r = wafer(4, 1, 8, 12000);
    ctx.n_layers = 1;
    ctx.profile = g;
    ctx.copy_budget_bytes = 10 * EB;
    ck_assert_int_eq(policy("hot_replication")->place(&ctx, r, err, sizeof err), 0);
    unsigned copies = 0;
    for (unsigned e = 0; e < 8; e++)
        copies += mem_residency_static_copies(r, 0, e);
    ck_assert_uint_eq(copies, 4);
    for (unsigned t = 0; t < 4; t++)
        ck_assert_uint_le(mem_residency_home_used(r, t), mem_residency_home_capacity(r));
    mem_residency_free(r);
}
END_TEST

START_TEST(coact_separation_splits_a_hot_pair)
{
    /* 2 tiles, 4 experts, f = 40 30 20 10. LPT (profile_balance) gives
     * 0 -> t0, 1 -> t1, 2 -> t1 (30 < 40), 3 -> t0: experts 1 and 2 share
     * t1. With the pair {1, 2} picked together 100 times, separation puts
     * 2 on t0 instead (0 conflict there) and 3 on t1; two experts per tile
     * either way. */
    static const double f[4] = { 40, 30, 20, 10 };
    uint32_t pairs[16] = { 0 };
    pairs[1 * 4 + 2] = 100;
    pairs[0 * 4 + 3] = 1;
    arch_place_ctx ctx = { .n_tiles = 2, .grid_x = 2, .grid_y = 1, .n_layers = 1, .n_experts = 4, .profile = f,
                           .pairs = pairs };
    char err[256];
    mem_residency *r = wafer(2, 1, 4, 1000000);
    ck_assert_int_eq(policy("profile_balance")->place(&ctx, r, err, sizeof err), 0);
    ck_assert_int_eq(mem_residency_home(r, 0, 1), mem_residency_home(r, 0, 2));
    mem_residency_free(r);

    r = wafer(2, 1, 4, 1000000);
    ck_assert_int_eq(policy("coact_separation")->place(&ctx, r, err, sizeof err), 0);
    ck_assert_int_eq(mem_residency_home(r, 0, 0), 0);
    ck_assert_int_eq(mem_residency_home(r, 0, 1), 1);
    ck_assert_int_eq(mem_residency_home(r, 0, 2), 0);
    ck_assert_int_eq(mem_residency_home(r, 0, 3), 1);
    ck_assert_uint_eq(on_tile(r, 0, 4, 0), 2);
    ck_assert_uint_eq(on_tile(r, 0, 4, 1), 2);
    mem_residency_free(r);
}
END_TEST

START_TEST(profile_balance_is_lpt_optimal_on_hand_cases)
{
    /* 2 tiles, 3 experts each, f = 8 7 6 5 4 3 (total 33, so no split
     * beats 17): LPT gives t0 {8, 5, 4} = 17, t1 {7, 6, 3} = 16. */
    double f[2 * 6] = { 8, 7, 6, 5, 4, 3 };
    arch_place_ctx ctx = { .n_tiles = 2, .grid_x = 2, .grid_y = 1, .n_layers = 1, .n_experts = 6, .profile = f };
    char err[256];
    mem_residency *r = wafer(2, 1, 6, 1000000);
    ck_assert_int_eq(policy("profile_balance")->place(&ctx, r, err, sizeof err), 0);
    double load[2] = { 0, 0 };
    for (unsigned e = 0; e < 6; e++)
        load[mem_residency_home(r, 0, e)] += f[e];
    ck_assert_double_eq(load[0], 17);
    ck_assert_double_eq(load[1], 16);
    ck_assert_uint_eq(on_tile(r, 0, 6, 0), 3);
    mem_residency_free(r);

    /* 2 layers, the second all zero: every tie goes to the lower tile id,
     * so experts 0 1 2 fill t0 and 3 4 go to t1 */
    double g[2 * 5] = { 1, 1, 1, 1, 10, 0, 0, 0, 0, 0 };
    ctx.n_layers = 2;
    ctx.n_experts = 5;
    ctx.profile = g;
    r = wafer(2, 2, 5, 1000000);
    ck_assert_int_eq(policy("profile_balance")->place(&ctx, r, err, sizeof err), 0);
    /* layer 0, shares 3 and 2: 10 -> t0; the 1s go to t1 (lighter) until
     * its share of 2 is full, the rest to t0: loads 12 and 2. Not optimal
     * (the 10 on t1 with one 1 gives 11): the greedy fills shares in tile
     * order, pinned here as documented, not as the optimum */
    ck_assert_int_eq(mem_residency_home(r, 0, 4), 0);
    ck_assert_int_eq(mem_residency_home(r, 0, 0), 1);
    ck_assert_int_eq(mem_residency_home(r, 0, 1), 1);
    ck_assert_int_eq(mem_residency_home(r, 0, 2), 0);
    ck_assert_int_eq(mem_residency_home(r, 0, 3), 0);
    for (unsigned e = 0; e < 5; e++)
        ck_assert_int_eq(mem_residency_home(r, 1, e), (int)(e >= 3));
    mem_residency_free(r);
}
END_TEST

START_TEST(profile_policies_refuse_without_profile)
{
    static const char *const names[] = { "hot_replication", "coact_separation", "profile_balance" };
    arch_place_ctx ctx = { .n_tiles = 2, .grid_x = 2, .grid_y = 1, .n_layers = 1, .n_experts = 4 };
    for (size_t i = 0; i < 3; i++) {
        const arch_place_policy *p = policy(names[i]);
        ck_assert(p->needs_profile);
        mem_residency *r = wafer(2, 1, 4, 1000000);
        char err[256] = "";
        ck_assert_int_eq(p->place(&ctx, r, err, sizeof err), -1);
        ck_assert_ptr_nonnull(strstr(err, "needs a profile"));
        mem_residency_free(r);
    }
    ck_assert(!policy("contiguous")->needs_profile);
}
END_TEST

/* tokens of expert e per tile in a plan (0 if none) */
static uint32_t tokens_on(const arch_plan *p, uint32_t e, uint32_t t)
{
    for (size_t i = 0; i < p->n; i++)
        if (p->tasks[i].expert == e && p->tasks[i].tile == t)
            return p->tasks[i].tokens;
    return 0;
}

START_TEST(home_allocation_splits_over_copies)
{
    /* expert 0: home t2, static copies on t3 and t0. 10 tokens over 3
     * holders, home first then ascending tile: t2 4, t0 3, t3 3. Expert 1
     * (home t0, no copy): all 7 on t0. Expert 2 (home t1, copy t2) with 1
     * token: the home only. Expert 3: no token, no task. */
    mem_residency *r = wafer(4, 1, 4, 1000000);
    char err[256];
    static const unsigned home[4] = { 2, 0, 1, 3 };
    for (unsigned e = 0; e < 4; e++)
        ck_assert_int_eq(mem_residency_place_home(r, 0, e, home[e], err, sizeof err), 0);
    ck_assert_int_eq(mem_residency_place_copy(r, 0, 0, 3, err, sizeof err), 0);
    ck_assert_int_eq(mem_residency_place_copy(r, 0, 0, 0, err, sizeof err), 0);
    ck_assert_int_eq(mem_residency_place_copy(r, 0, 2, 2, err, sizeof err), 0);
    uint32_t counts[4] = { 10, 7, 1, 0 };
    arch_alloc_ctx ctx = { .n_tiles = 4, .grid_x = 2, .grid_y = 2, .n_experts = 4, .layer = 0, .counts = counts,
                           .residency = r };
    const arch_alloc_policy *home_policy = NULL;
    for (size_t i = 0; i < arch_alloc_count; i++)
        if (!strcmp(arch_alloc_registry[i]->name, "home"))
            home_policy = arch_alloc_registry[i];
    ck_assert_ptr_nonnull(home_policy);
    arch_plan plan = { 0 };
    home_policy->plan(&ctx, &plan);
    ck_assert_int_eq(arch_plan_check(&plan, counts, 4, 4, err, sizeof err), 0);
    ck_assert_uint_eq(plan.n, 5);
    ck_assert_uint_eq(plan.tasks[0].tile, 2);   /* home first */
    ck_assert_uint_eq(tokens_on(&plan, 0, 2), 4);
    ck_assert_uint_eq(tokens_on(&plan, 0, 0), 3);
    ck_assert_uint_eq(tokens_on(&plan, 0, 3), 3);
    ck_assert_uint_eq(tokens_on(&plan, 1, 0), 7);
    ck_assert_uint_eq(tokens_on(&plan, 2, 1), 1);
    ck_assert_uint_eq(tokens_on(&plan, 2, 2), 0);
    /* without copies: one task per expert, all its tokens, on its home */
    mem_residency *bare = wafer(4, 1, 4, 1000000);
    for (unsigned e = 0; e < 4; e++)
        ck_assert_int_eq(mem_residency_place_home(bare, 0, e, home[e], err, sizeof err), 0);
    ctx.residency = bare;
    arch_plan_clear(&plan);
    home_policy->plan(&ctx, &plan);
    ck_assert_uint_eq(plan.n, 3);
    for (size_t i = 0; i < plan.n; i++) {
        ck_assert_uint_eq(plan.tasks[i].tile, home[plan.tasks[i].expert]);
        ck_assert_uint_eq(plan.tasks[i].tokens, counts[plan.tasks[i].expert]);
    }
    arch_plan_free(&plan);
    mem_residency_free(bare);
    mem_residency_free(r);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("place");
    TCase *tc = tcase_create("policies");
    tcase_add_test(tc, hot_replication_copies_the_hottest_within_budget);
    tcase_add_test(tc, hot_replication_budget_over_layers_and_home_room);
    tcase_add_test(tc, coact_separation_splits_a_hot_pair);
    tcase_add_test(tc, profile_balance_is_lpt_optimal_on_hand_cases);
    tcase_add_test(tc, profile_policies_refuse_without_profile);
    tcase_add_test(tc, home_allocation_splits_over_copies);
    suite_add_tcase(s, tc);
    return ws_check_run(s);
}
