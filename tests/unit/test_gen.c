/* tests/unit/test_gen.c — unit tests of workload/generator.c and
 * workload/profile.c with the shipped models and profiles
 * ($TOP_SRCDIR/configs).
 *
 * Pins: the same seed gives byte-identical trace files and another seed a
 * different one; request i does not depend on how many requests are
 * generated; every token has top_k distinct ids in range and, for
 * DeepSeek-V3, uses at most groups_kept (4) of the 8 groups; the length
 * overrides; profile errors are positioned (unknown key, wrong layer_gini
 * length, unknown target statistic).
 */
#define _POSIX_C_SOURCE 200809L
#ifdef HAVE_CONFIG_H
#include <config.h>
#endif

#include "tests/unit/check_main.h"
#include "tests/unit/file_fixtures.h"
#include "tests/unit/gen_fixtures.h"
#include "tests/unit/trace_fixtures.h"
#include "workload/generator.h"
#include "workload/profile.h"
#include "workload/trace_reader.h"

#include <check.h>

static const wl_gen_lengths short_len = { 3, 9, 6 };   /* prompts 3..9, 6 decode steps */

START_TEST(test_determinism)
{
    wl_model m;
    wl_profile p;
    gen_fx_load("deepseek-v3", &m, &p);
    char *dir = fx_tmpdir();
    char a[600], b[600], c[600], err[256];
    snprintf(a, sizeof a, "%s/a.wst", dir);
    snprintf(b, sizeof b, "%s/b.wst", dir);
    snprintf(c, sizeof c, "%s/c.wst", dir);
    ck_assert_int_eq(wl_gen_write(&m, &p, 7, 5, &short_len, a, false, err, sizeof err), 0);
    ck_assert_int_eq(wl_gen_write(&m, &p, 7, 5, &short_len, b, false, err, sizeof err), 0);
    ck_assert_int_eq(wl_gen_write(&m, &p, 8, 5, &short_len, c, false, err, sizeof err), 0);
    fx_same_file(a, b);
    ck_assert(!fx_same_bytes(a, c));
    fx_rmdir(dir);
    wl_profile_free(&p);
    wl_model_free(&m);
}
END_TEST

START_TEST(test_independent_of_n)
{
    wl_model m;
    wl_profile p;
    gen_fx_load("qwen3-235b", &m, &p);
    char *dir = fx_tmpdir();
    char a[600], b[600], err[256];
    snprintf(a, sizeof a, "%s/a.wst", dir);
    snprintf(b, sizeof b, "%s/b.wst", dir);
    ck_assert_int_eq(wl_gen_write(&m, &p, 3, 3, &short_len, a, false, err, sizeof err), 0);
    ck_assert_int_eq(wl_gen_write(&m, &p, 3, 8, &short_len, b, false, err, sizeof err), 0);
    wl_trace *ta = wl_trace_open(a, WL_TRACE_VERIFY, err, sizeof err), *tb = wl_trace_open(b, WL_TRACE_VERIFY, err, sizeof err);
    ck_assert_ptr_nonnull(ta);
    ck_assert_ptr_nonnull(tb);
    ck_assert_uint_eq(wl_trace_get_info(tb)->n_requests, 8);
    for (uint64_t i = 0; i < 3; i++) {
        wl_request ra, rb;
        ck_assert_int_eq(wl_trace_get(ta, i, &ra, err, sizeof err), 0);
        ck_assert_int_eq(wl_trace_get(tb, i, &rb, err, sizeof err), 0);
        ck_assert_uint_eq(ra.prompt_len, rb.prompt_len);
        ck_assert_uint_eq(ra.decode_len, 6);
        ck_assert_uint_ge(ra.prompt_len, 3);
        ck_assert_uint_le(ra.prompt_len, 9);
        ck_assert_str_eq(ra.name, rb.name);
        size_t n = (size_t)wl_request_tokens(&ra) * ra.n_moe * ra.top_k;
        ck_assert_int_eq(memcmp(ra.ids, rb.ids, n * 2), 0);
    }
    wl_trace_close(ta);
    wl_trace_close(tb);
    fx_rmdir(dir);
    wl_profile_free(&p);
    wl_model_free(&m);
}
END_TEST

START_TEST(test_routes_valid_and_grouped)
{
    wl_model m;
    wl_profile p;
    gen_fx_load("deepseek-v3", &m, &p);
    wl_gen *g = wl_gen_new(&m, &p, 11, &short_len);
    wl_gen_request r = { 0 };
    for (uint64_t i = 0; i < 4; i++) {
        wl_gen_request_generate(g, i, &r);
        ck_assert_uint_lt(r.topic, (uint32_t)p.topics);
        uint32_t ntok = r.prompt_len + r.decode_len;
        for (uint32_t t = 0; t < ntok; t++)
            for (uint32_t l = 0; l < m.n_moe; l++) {
                const uint16_t *s = r.ids + ((size_t)t * m.n_moe + l) * 8;
                unsigned groups = 0;
                for (int x = 0; x < 8; x++) {
                    ck_assert_uint_lt(s[x], 256);
                    groups |= 1u << (s[x] / 32);
                    for (int y = 0; y < x; y++)
                        ck_assert_uint_ne(s[x], s[y]);
                }
                ck_assert_int_le(__builtin_popcount(groups), 4);
            }
    }
    free(r.ids);
    wl_gen_free(g);
    wl_profile_free(&p);
    wl_model_free(&m);
}
END_TEST

static void expect_profile_error(const char *yaml, const char *model, const char *want)
{
    fx_config_dir();
    char *dir = fx_tmpdir();
    char *path = fx_write_str(dir, "p.yaml", yaml);
    ws_diag d;
    ws_diag_init(&d, 10);
    wl_model m;
    ck_assert_int_eq(wl_model_load(&m, model, &d), 0);
    wl_profile p;
    ck_assert_int_eq(wl_profile_load(&p, path, &m, &d), -1);
    char *buf = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&buf, &len);
    ws_diag_print(&d, mem);
    fclose(mem);
    ck_assert_msg(strstr(buf, want) != NULL, "expected \"%s\" in:\n%s", want, buf);
    free(buf);
    ws_diag_free(&d);
    wl_model_free(&m);
    free(path);
    fx_rmdir(dir);
}

START_TEST(test_profile_errors)
{
    expect_profile_error("name: x\nstickyness: {first: 0.1}\n", "deepseek-v3", "p.yaml:2:1: error: stickyness: unknown key");
    expect_profile_error("name: x\nlayer_gini: [0.2, 0.3]\n", "deepseek-v3",
                         "p.yaml:2:13: error: layer_gini: expected one value per MoE layer of deepseek-v3 (58), found 2");
    expect_profile_error("targets:\n  - {stat: gini, value: 1, tolerance: 1}\n", "kimi-k2",
                         "error: targets: item 0: no statistic \"gini\"");
    expect_profile_error("stickiness: {first: 1.5}\n", "kimi-k2", "p.yaml:1:21: error: stickiness.first");
    expect_profile_error("degenerate_layers: [30]\n", "llama4-maverick", "MoE layer index 30 is out of range");
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("gen");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_determinism);
    tcase_add_test(tc, test_independent_of_n);
    tcase_add_test(tc, test_routes_valid_and_grouped);
    tcase_add_test(tc, test_profile_errors);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return ws_check_run(suite());
}
