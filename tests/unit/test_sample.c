/* tests/unit/test_sample.c — pins sampled decode simulation (arch/sample.h):
 * which steps are measured and warmed, against hand-worked schedules, and
 * the ratio estimate with its 95% interval against a hand calculation. */
#include <check.h>
#include <math.h>
#include <string.h>

#include "arch/exec.h"
#include "arch/sample.h"
#include "tests/unit/check_main.h"

/* role string for steps 1..n: '.' skip, 'w' warm, 'M' measured */
static void roles_text(uint32_t n, uint32_t k, uint32_t w, char *out, uint32_t *simulated)
{
    uint8_t role[256];
    *simulated = arch_sample_roles(n, k, w, role);
    ck_assert_int_eq(role[0], ARCH_ITER_WARM);   /* the prefill, when simulated, is never measured */
    for (uint32_t i = 1; i <= n; i++)
        out[i - 1] = role[i] == ARCH_ITER_SKIP ? '.' : role[i] == ARCH_ITER_WARM ? 'w' : 'M';
    out[n] = 0;
}

START_TEST(schedules)
{
    char t[256];
    uint32_t sim;
    /* N = 10, k = 3: s_j = 1 + floor((2j + 1) 10 / 6) = 2, 6, 9 */
    roles_text(10, 3, 0, t, &sim);
    ck_assert_str_eq(t, ".M...M..M.");
    ck_assert_uint_eq(sim, 3);
    roles_text(10, 3, 2, t, &sim);   /* two warm-up steps each, down to step 1 */
    ck_assert_str_eq(t, "wM.wwMwwM.");
    ck_assert_uint_eq(sim, 8);
    /* N = 127, k = 8: s_j = 1 + floor((2j + 1) 127 / 16) = 8, 24, 40, 56, 72, 88, 104, 120 */
    roles_text(127, 8, 1, t, &sim);
    const uint32_t s[] = { 8, 24, 40, 56, 72, 88, 104, 120 };
    for (uint32_t i = 1, j = 0; i <= 127; i++) {
        char want = j < 8 && s[j] == i ? 'M' : j < 8 && s[j] == i + 1 ? 'w' : '.';
        ck_assert_int_eq(t[i - 1], want);
        if (want == 'M')
            j++;
    }
    ck_assert_uint_eq(sim, 16);
    /* no sampling: k = 0 or k >= N measures every step */
    roles_text(5, 0, 3, t, &sim);
    ck_assert_str_eq(t, "MMMMM");
    ck_assert_uint_eq(sim, 5);
    roles_text(5, 5, 3, t, &sim);
    ck_assert_str_eq(t, "MMMMM");
    roles_text(5, 9, 0, t, &sim);
    ck_assert_str_eq(t, "MMMMM");
    /* overlapping warm-ups are counted once; a measured step stays measured */
    roles_text(9, 3, 3, t, &sim);   /* s = 2, 5, 8 */
    ck_assert_str_eq(t, "wMwwMwwM.");
    ck_assert_uint_eq(sim, 8);
    /* warm-ups that leave no step out: every step measured, exactly */
    roles_text(6, 3, 3, t, &sim);   /* s = 2, 4, 6 */
    ck_assert_str_eq(t, "MMMMMM");
    ck_assert_uint_eq(sim, 6);
}
END_TEST

/* the units of step i (0 = prefill), one character per layer: '.' off,
 * 'w' warm, 'M' measured */
static void units_text(const uint8_t *on, uint32_t i, uint32_t L, char *out)
{
    for (uint32_t l = 0; l < L; l++) {
        uint8_t u = on[(size_t)i * L + l];
        out[l] = u == ARCH_UNIT_OFF ? '.' : u == ARCH_UNIT_WARM ? 'w' : 'M';
    }
    out[L] = 0;
}

START_TEST(layer_schedules)
{
    uint8_t role[16], on[16 * 10];
    char t[16];
    /* N = 5, k = 2, one warm-up: steps 2 and 4 measured, 1 and 3 warm.
       L = 10, m = 2: the q-th measured step measures floor((2 (c k + q) + 1)
       L / (2 m k)) = floor((2 (2c + q) + 1) x 10 / 8): q = 0: 1, 6;
       q = 1: 3, 8; each unit warmed by the step before it; the prefill
       runs every layer unmeasured; step 5 nothing */
    arch_sample_roles(5, 2, 1, role);
    ck_assert_uint_eq(arch_sample_layers(5, 10, 2, 1, role, on), 8);
    const char *want[] = { "wwwwwwwwww", ".w....w...", ".M....M...", "...w....w.", "...M....M.", ".........." };
    for (uint32_t i = 0; i <= 5; i++) {
        units_text(on, i, 10, t);
        ck_assert_str_eq(t, want[i]);
    }
    /* N = 6, k = 2, no warm-up: s = 2, 5; L = 9, m = 3: q = 0 measures
       floor((2 (2c) + 1) x 9 / 12) = 0, 3, 6; q = 1 floor((4c + 3) x 9 / 12) = 2, 5, 8 */
    arch_sample_roles(6, 2, 0, role);
    ck_assert_uint_eq(arch_sample_layers(6, 9, 3, 0, role, on), 6);
    const char *want6[] = { "wwwwwwwww", ".........", "M..M..M..", ".........", ".........", "..M..M..M",
                            "........." };
    for (uint32_t i = 0; i <= 6; i++) {
        units_text(on, i, 9, t);
        ck_assert_str_eq(t, want6[i]);
    }
    /* the same with a warm-up per unit that the steps' roles lack: skipped
       steps 1 and 4 become warm-up steps for those layers only */
    arch_sample_roles(6, 2, 0, role);
    ck_assert_uint_eq(arch_sample_layers(6, 9, 3, 1, role, on), 12);
    ck_assert_int_eq(role[1], ARCH_ITER_WARM);
    ck_assert_int_eq(role[3], ARCH_ITER_SKIP);
    ck_assert_int_eq(role[4], ARCH_ITER_WARM);
    units_text(on, 4, 9, t);
    ck_assert_str_eq(t, "..w..w..w");
    /* every step measured (k = 0), m = 1 of 4: step q + 1 measures layer
       floor((2q + 1) x 4 / 8) = q; with one warm-up, the step before a
       unit runs its layer unmeasured, though that step measures another */
    arch_sample_roles(4, 0, 1, role);
    ck_assert_uint_eq(arch_sample_layers(4, 4, 1, 1, role, on), 7);
    const char *want4[] = { "wwww", "Mw..", ".Mw.", "..Mw", "...M" };
    for (uint32_t i = 0; i <= 4; i++) {
        units_text(on, i, 4, t);
        ck_assert_str_eq(t, want4[i]);
    }
    /* m = 0 or m >= L: a measured step measures every layer */
    arch_sample_roles(6, 2, 0, role);
    ck_assert_uint_eq(arch_sample_layers(6, 3, 0, 0, role, on), 6);
    ck_assert_uint_eq(arch_sample_layers(6, 3, 3, 0, role, on), 6);
    ck_assert_uint_eq(arch_sample_layers(6, 3, 7, 0, role, on), 6);
    units_text(on, 2, 3, t);
    ck_assert_str_eq(t, "MMM");
    units_text(on, 3, 3, t);
    ck_assert_str_eq(t, "...");
}
END_TEST

START_TEST(estimate_by_hand)
{
    /* three measured steps of 10, 12 and 14 ticks, 5 tokens each, out of
       N = 30 steps with 150 tokens in all: R = 15 / 36 tokens per tick,
       time = 150 / R = 360 ticks. d = 5 - R t = 5/6, 0, -5/6; s_d^2 =
       (25/36 + 25/36) / 2 = 0.69444; se(R) = sqrt(0.9 / 3 x 0.69444) / 12 =
       0.0380363; t_{0.975,2} = 4.3026527; half-width / R = 0.3927767. */
    const double ticks[] = { 10, 12, 14 }, tokens[] = { 5, 5, 5 };
    arch_sample_estimate_out e;
    arch_sample_estimate(ticks, tokens, 3, 30, 150, 1, &e);
    ck_assert_double_eq_tol(e.throughput, 15.0 / 36.0, 1e-12);
    ck_assert_double_eq_tol(e.decode_ticks, 360, 1e-9);
    ck_assert_double_eq_tol(e.ci95_rel, 0.3927766595, 1e-8);
    /* the same steps unsampled: exact, no interval */
    arch_sample_estimate(ticks, tokens, 3, 3, 15, 0, &e);
    ck_assert_double_eq_tol(e.decode_ticks, 36, 1e-9);
    ck_assert_double_eq(e.ci95_rel, 0);
    /* identical steps: a zero-width interval; one step: none */
    const double same[] = { 7, 7, 7, 7 }, four[] = { 2, 2, 2, 2 };
    arch_sample_estimate(same, four, 4, 100, 200, 1, &e);
    ck_assert_double_eq_tol(e.decode_ticks, 700, 1e-9);
    ck_assert_double_eq_tol(e.ci95_rel, 0, 1e-12);
    arch_sample_estimate(same, four, 1, 100, 200, 1, &e);
    ck_assert(isnan(e.ci95_rel));
    /* token-weighted: a step with twice the tokens weighs twice */
    const double t2[] = { 10, 30 }, n2[] = { 10, 20 };
    arch_sample_estimate(t2, n2, 2, 4, 60, 1, &e);
    ck_assert_double_eq_tol(e.throughput, 30.0 / 40.0, 1e-12);
    ck_assert_double_eq_tol(e.decode_ticks, 80, 1e-9);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("sample");
    TCase *tc = tcase_create("sampling");
    tcase_add_test(tc, schedules);
    tcase_add_test(tc, layer_schedules);
    tcase_add_test(tc, estimate_by_hand);
    suite_add_tcase(s, tc);
    return ws_check_run(s);
}
