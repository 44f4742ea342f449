/* tests/unit/test_limits.c — resource limits (core/limits.h) and the
 * in-memory config loader they are exercised through:
 *   * the memory estimate against a hand calculation (LLC: size / line x
 *     16 B per tile; buffers: 5 ports x VCs x depth flit slots per tile,
 *     8 B more per slot with flit streaming);
 *   * the shipped presets fit the default limits; a limit below the
 *     estimate refuses the config naming sim.limits.memory, and raising it
 *     with --set lets it through;
 *   * ws_config_load_buffer() reads exactly `len` bytes (no NUL needed).
 */
#include <check.h>
#include <string.h>

#include "core/config.h"
#include "core/limits.h"
#include "noc/network_impl.h"
#include "tests/unit/check_main.h"

static const char small_text[] =
    "preset: dojo\n"
    "hw: {grid: {x: 2, y: 3}, tile: {llc: {size: 1 MiB, line_size: 64 B}}}\n"
    "noc: {vcs: 2, vc_buffer_flits: 4}\n";

static int load(ws_config *cfg, const char *text, size_t len, const char *const *sets, size_t n, ws_diag *d)
{
    return ws_config_load_buffer(cfg, text, len, "limits.yaml", sets, n, d);
}

START_TEST(estimate_by_hand)
{
    ws_diag d;
    ws_diag_init(&d, 10);
    ws_config cfg;
    ck_assert_int_eq(load(&cfg, small_text, strlen(small_text), NULL, 0, &d), 0);
    /* 6 tiles x (1 MiB / 64 B = 16384 lines x 16 B + 5 x 2 x 4 flit slots) */
    double want = 6.0 * (16384 * 16) + 6.0 * 5 * 2 * 4 * (double)sizeof(noc_flit);
    ck_assert_double_eq(ws_limits_memory_bytes(&cfg), want);
    /* flit streaming keeps a tail tick (8 B) beside every slot */
    cfg.noc.flit_streaming = true;
    ck_assert_double_eq(ws_limits_memory_bytes(&cfg), want + 6.0 * 5 * 2 * 4 * 8);
    cfg.noc.flit_streaming = false;
    ck_assert_double_eq(cfg.sim.limits.memory_bytes, 16.0 * 1024 * 1024 * 1024);
    ck_assert_int_eq(cfg.sim.limits.requests, 10000000);
    ws_config_free(&cfg);
    ws_diag_free(&d);
}
END_TEST

START_TEST(limit_refuses_and_raising_admits)
{
    ws_diag d;
    ws_diag_init(&d, 10);
    ws_config cfg;
    const char *low[] = { "sim.limits.memory=1 MiB" };
    ck_assert_int_eq(load(&cfg, small_text, strlen(small_text), low, 1, &d), -1);
    ck_assert_uint_eq(ws_diag_count(&d), 1);
    ck_assert_str_eq(d.msgs[0].key_path, "sim.limits.memory");
    ck_assert_ptr_nonnull(strstr(d.msgs[0].text, "raise sim.limits.memory"));
    ck_assert_uint_eq(d.msgs[0].line, 2);   /* at hw.tile.llc.size, the larger part */
    ws_diag_free(&d);

    ws_diag_init(&d, 10);
    const char *enough[] = { "sim.limits.memory=2 MiB" };
    ck_assert_int_eq(load(&cfg, small_text, strlen(small_text), enough, 1, &d), 0);
    ws_config_free(&cfg);
    ws_diag_free(&d);
}
END_TEST

START_TEST(presets_fit_the_defaults)
{
    static const char *const presets[] = { "dojo", "tsmc-sow", "dojo-enhanced" };
    for (size_t i = 0; i < 3; i++) {
        char text[64];
        snprintf(text, sizeof text, "preset: %s\n", presets[i]);
        ws_diag d;
        ws_diag_init(&d, 10);
        ws_config cfg;
        ck_assert_int_eq(load(&cfg, text, strlen(text), NULL, 0, &d), 0);
        ck_assert(ws_limits_memory_bytes(&cfg) < cfg.sim.limits.memory_bytes);
        ws_config_free(&cfg);
        ws_diag_free(&d);
    }
}
END_TEST

START_TEST(buffer_length_is_respected)
{
    static const char text[] = "preset: dojo\nthis is not yaml: [";
    ws_diag d;
    ws_diag_init(&d, 10);
    ws_config cfg;
    ck_assert_int_eq(load(&cfg, text, strlen("preset: dojo\n"), NULL, 0, &d), 0);
    ws_config_free(&cfg);
    ck_assert_int_eq(load(&cfg, text, strlen(text), NULL, 0, &d), -1);
    ck_assert_uint_eq(d.msgs[0].line, 2);
    ws_diag_free(&d);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("limits");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, estimate_by_hand);
    tcase_add_test(tc, limit_refuses_and_raising_admits);
    tcase_add_test(tc, presets_fit_the_defaults);
    tcase_add_test(tc, buffer_length_is_respected);
    suite_add_tcase(s, tc);
    return ws_check_run(s);
}
