/* tests/unit/test_compute.c — pins the compute model (arch/compute.h)
 * against hand calculations: FLOPs and bytes of a DeepSeek-V3 expert matrix
 * (hidden 7168, ffn 2048, BF16) on a dojo tile (989 TFLOPS, 3.35 TB/s at
 * 1 GHz: 989000 FLOP and 3350 B per tick), the roofline identity
 * time = max(flops / peak, bytes / bandwidth), table interpolation, and both
 * overlap modes on hand-worked chunk sequences. */
#include <check.h>
#include <stdlib.h>

#include "arch/compute.h"
#include "tests/unit/check_main.h"

#define HIDDEN 7168
#define FFN 2048

static arch_compute *dojo(void)
{
    arch_compute_params p = { .peak_flops_per_tick = 989000, .hbm_bytes_per_tick = 3350 };
    return arch_compute_new(&p);
}

START_TEST(flops_and_bytes)
{
    /* 2 * 1 * 7168 * 2048 = 29360128 FLOPs per token */
    ck_assert_double_eq(arch_gemm_flops(1, HIDDEN, FFN), 29360128.0);
    ck_assert_double_eq(arch_gemm_flops(4096, HIDDEN, FFN), 29360128.0 * 4096);
    /* weights 7168*2048*2 = 29360128 B (28 MiB); + n*(7168+2048)*2 */
    ck_assert_double_eq(arch_gemm_bytes(0, HIDDEN, FFN, 2), 29360128.0);
    ck_assert_double_eq(arch_gemm_bytes(1, HIDDEN, FFN, 2), 29360128.0 + 18432);
}
END_TEST

START_TEST(roofline_default)
{
    arch_compute *c = dojo();
    /* one token: memory-bound, time = bytes / bandwidth = 29378560 / 3350 */
    ck_assert_double_eq_tol(arch_compute_gemm_ticks(c, 1, HIDDEN, FFN, 2), 29378560.0 / 3350, 1e-6);
    /* 4096 tokens: intensity 120259084288 / 104857600 = 1146.9 FLOP/B, above
     * the machine balance 989000/3350 = 295.2: compute-bound, efficiency 1 */
    ck_assert_double_eq(arch_compute_efficiency(c, 4096, HIDDEN, FFN, 2), 1.0);
    ck_assert_double_eq_tol(arch_compute_gemm_ticks(c, 4096, HIDDEN, FFN, 2), 120259084288.0 / 989000,
                            1e-6);
    /* the identity at every size */
    for (uint64_t n = 1; n <= 16384; n *= 2) {
        double t = arch_compute_gemm_ticks(c, n, HIDDEN, FFN, 2);
        double f = arch_gemm_flops(n, HIDDEN, FFN) / 989000;
        double b = arch_gemm_bytes(n, HIDDEN, FFN, 2) / 3350;
        ck_assert_double_eq_tol(t, f > b ? f : b, 1e-9 * t);
    }
    ck_assert_double_eq(arch_compute_gemm_ticks(c, 0, HIDDEN, FFN, 2), 0);
    arch_compute_free(c);
}
END_TEST

START_TEST(efficiency_table)
{
    const double tokens[] = { 1, 64, 1024 };
    const double eff[] = { 0.1, 0.5, 0.9 };
    arch_compute_params p = { 989000, 3350, tokens, eff, 3 };
    arch_compute *c = arch_compute_new(&p);
    ck_assert_double_eq(arch_compute_efficiency(c, 1, HIDDEN, FFN, 2), 0.1);
    ck_assert_double_eq(arch_compute_efficiency(c, 64, HIDDEN, FFN, 2), 0.5);
    /* halfway between 64 and 1024 tokens: 544 -> 0.7 */
    ck_assert_double_eq_tol(arch_compute_efficiency(c, 544, HIDDEN, FFN, 2), 0.7, 1e-12);
    ck_assert_double_eq(arch_compute_efficiency(c, 100000, HIDDEN, FFN, 2), 0.9);   /* clamped */
    /* time = flops / (peak * eff) = 29360128 * 64 / (989000 * 0.5) */
    ck_assert_double_eq_tol(arch_compute_gemm_ticks(c, 64, HIDDEN, FFN, 2), 29360128.0 * 64 / 494500, 1e-6);
    arch_compute_free(c);

    const double bad_tokens[] = { 64, 1 };
    arch_compute_params q = { 989000, 3350, bad_tokens, eff, 2 };
    ck_assert_ptr_nonnull(arch_compute_check(&q));
    ck_assert_ptr_null(arch_compute_new(&q));
    const double bad_eff[] = { 0.5, 1.5 };
    arch_compute_params r = { 989000, 3350, tokens, bad_eff, 2 };
    ck_assert_ptr_nonnull(arch_compute_check(&r));
}
END_TEST

static ws_tick run_chunks(arch_overlap mode, const ws_tick *arrivals)
{
    arch_gemm g;
    arch_gemm_begin(&g, mode, 100, 0);
    for (int k = 0; k < 4; k++)
        arch_gemm_chunk(&g, arrivals[k], 0.25);
    return arch_gemm_finish(&g);
}

START_TEST(overlap_modes)
{
    /* a 100-tick task in four quarter chunks */
    const ws_tick fast[] = { 0, 10, 20, 30 };       /* data outruns compute */
    const ws_tick slow[] = { 0, 100, 200, 300 };    /* compute waits for data */
    /* pipelined fast: 25, 50, 75, 100 */
    ck_assert_uint_eq(run_chunks(ARCH_OVERLAP_PIPELINED, fast), 100);
    /* pipelined slow: 25, 125, 225, 325 */
    ck_assert_uint_eq(run_chunks(ARCH_OVERLAP_PIPELINED, slow), 325);
    /* serial: last arrival + whole task */
    ck_assert_uint_eq(run_chunks(ARCH_OVERLAP_SERIAL, fast), 130);
    ck_assert_uint_eq(run_chunks(ARCH_OVERLAP_SERIAL, slow), 400);
    /* a fractional end rounds up to the next tick */
    arch_gemm g;
    arch_gemm_begin(&g, ARCH_OVERLAP_SERIAL, 10.2, 5);
    arch_gemm_chunk(&g, 5, 1.0);
    ck_assert_uint_eq(arch_gemm_finish(&g), 16);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("compute");
    TCase *tc = tcase_create("gemm");
    tcase_add_test(tc, flops_and_bytes);
    tcase_add_test(tc, roofline_default);
    tcase_add_test(tc, efficiency_table);
    tcase_add_test(tc, overlap_modes);
    suite_add_tcase(s, tc);
    return ws_check_run(s);
}
