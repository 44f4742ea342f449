/* tests/unit/test_model.c — unit tests of workload/model.c (the model zoo).
 *
 * Pins:
 *   - the numbers of the four shipped models (design.md section 2.2) and
 *     their derived quantities, computed by hand below: bytes per expert
 *     matrix = hidden x expert_ffn x 2 B (DeepSeek-V3: 7168 x 2048 x 2 =
 *     29,360,128 B = 28 MiB), bytes per expert = 3 matrices, FLOPs per token
 *     per matrix = 2 x hidden x expert_ffn, the MoE layer lists;
 *   - user model files: positioned errors for unknown keys, missing keys,
 *     ranges, wrong types, bad names and every cross-check (top_k <=
 *     experts, groups divide experts, groups_kept <= groups, top_k within
 *     the kept groups, MoE layers below layers, last = first + n x step);
 *   - int4 weights (half a byte per parameter), unknown model names listing
 *     the shipped ones, wl_model_write reading back to the same model;
 *   - wl_model_load_reporting printing the errors of a failed load (and
 *     nothing on success).
 */
#define _POSIX_C_SOURCE 200809L
#ifdef HAVE_CONFIG_H
#include <config.h>
#endif

#include "tests/unit/check_main.h"
#include "tests/unit/trace_fixtures.h"
#include "workload/model.h"

#include <check.h>
#include <stdio.h>
#include <string.h>

typedef struct shipped {
    const char *name;
    int64_t layers, first, last, step, experts, top_k, groups, kept, shared, hidden, ffn;
    uint32_t n_moe;
    uint64_t matrix_bytes;      /* hidden * ffn * 2 */
    uint64_t flops_matrix;      /* 2 * hidden * ffn */
} shipped;

static const shipped models[] = {
    /* 7168 * 2048 * 2 = 29360128 = 28 MiB; 58 MoE layers 3..60 */
    { "deepseek-v3", 61, 3, 60, 1, 256, 8, 8, 4, 1, 7168, 2048, 58, 29360128ULL, 29360128ULL },
    /* same matrix as DeepSeek-V3; 60 MoE layers 1..60, one group */
    { "kimi-k2", 61, 1, 60, 1, 384, 8, 1, 1, 1, 7168, 2048, 60, 29360128ULL, 29360128ULL },
    /* 5120 * 8192 * 2 = 83886080 = 80 MiB; odd layers 1..47 = 24 layers */
    { "llama4-maverick", 48, 1, 47, 2, 128, 1, 1, 1, 1, 5120, 8192, 24, 83886080ULL, 83886080ULL },
    /* 4096 * 1536 * 2 = 12582912 = 12 MiB; all 94 layers */
    { "qwen3-235b", 94, 0, 93, 1, 128, 8, 1, 1, 0, 4096, 1536, 94, 12582912ULL, 12582912ULL },
};

START_TEST(test_shipped)
{
    fx_config_dir();
    const shipped *s = &models[_i];
    wl_model m;
    ws_diag d;
    ws_diag_init(&d, 10);
    int rc = wl_model_load(&m, s->name, &d);
    if (rc)
        ws_diag_print(&d, stderr);
    ck_assert_int_eq(rc, 0);
    ck_assert_str_eq(m.name, s->name);
    ck_assert_int_eq(m.layers, s->layers);
    ck_assert_int_eq(m.moe_layers.first, s->first);
    ck_assert_int_eq(m.moe_layers.last, s->last);
    ck_assert_int_eq(m.moe_layers.step, s->step);
    ck_assert_int_eq(m.routed_experts, s->experts);
    ck_assert_int_eq(m.top_k, s->top_k);
    ck_assert_int_eq(m.groups, s->groups);
    ck_assert_int_eq(m.groups_kept, s->kept);
    ck_assert_int_eq(m.shared_experts, s->shared);
    ck_assert_int_eq(m.hidden, s->hidden);
    ck_assert_int_eq(m.expert_ffn, s->ffn);
    ck_assert_int_eq(m.dtype, WL_DTYPE_BF16);
    ck_assert_uint_eq(m.dtype_bits, 16);
    ck_assert_uint_eq(m.n_moe, s->n_moe);
    ck_assert_uint_eq(m.matrix_bytes, s->matrix_bytes);
    ck_assert_uint_eq(m.expert_bytes, 3 * s->matrix_bytes);
    ck_assert_uint_eq(m.routed_bytes_per_layer, (uint64_t)s->experts * 3 * s->matrix_bytes);
    ck_assert_uint_eq(m.flops_per_token_matrix, s->flops_matrix);
    ck_assert_uint_eq(m.flops_per_token_expert, 3 * s->flops_matrix);
    ck_assert_uint_eq(m.experts_per_group, (uint32_t)(s->experts / s->groups));
    /* MoE layer list and the reverse map */
    ck_assert_uint_eq(m.moe_layer[0], (uint32_t)s->first);
    ck_assert_uint_eq(m.moe_layer[m.n_moe - 1], (uint32_t)s->last);
    uint32_t count = 0;
    for (int64_t l = 0; l < m.layers; l++) {
        bool moe = l >= s->first && l <= s->last && (l - s->first) % s->step == 0;
        if (moe) {
            ck_assert_int_eq(m.moe_index[l], (int32_t)count);
            ck_assert_uint_eq(m.moe_layer[count], (uint32_t)l);
            count++;
        } else {
            ck_assert_int_eq(m.moe_index[l], -1);
        }
    }
    ck_assert_uint_eq(count, s->n_moe);
    wl_model_free(&m);
    ws_diag_free(&d);
}
END_TEST

START_TEST(test_deepseek_28_mib)
{
    fx_config_dir();
    wl_model m;
    ws_diag d;
    ws_diag_init(&d, 10);
    ck_assert_int_eq(wl_model_load(&m, "deepseek-v3", &d), 0);
    ck_assert_uint_eq(m.matrix_bytes, 28u * 1024 * 1024);
    ck_assert_uint_eq(m.expert_bytes, 84u * 1024 * 1024);
    /* dense layers 0..2 */
    ck_assert_int_eq(m.moe_index[0], -1);
    ck_assert_int_eq(m.moe_index[2], -1);
    ck_assert_int_eq(m.moe_index[3], 0);
    ck_assert_int_eq(m.moe_index[60], 57);
    wl_model_free(&m);
    ws_diag_free(&d);
}
END_TEST

/* ------------------------------------------------------------ bad files */

typedef struct bad_case {
    const char *yaml;
    unsigned line, column;
    const char *key_path;
    const char *text;   /* part of the message */
} bad_case;

#define BASE_TAIL "routed_experts: 8\ntop_k: 2\nhidden: 16\nexpert_ffn: 8\n"
static const bad_case bad[] = {
    { "name: t\nlayers: 4\nmoe_layers: {first: 1, last: 3}\n" BASE_TAIL "hiden: 3\n", 8, 1, "hiden",
      "did you mean \"hidden\"" },
    { "name: t\nlayers: 4\nmoe_layers: {first: 1, last: 3}\nrouted_experts: 8\ntop_k: 9\nhidden: 16\n"
      "expert_ffn: 8\n", 5, 8, "top_k", "exceeds routed_experts" },
    { "name: t\nlayers: 4\nmoe_layers: {first: 1, last: 3}\n" BASE_TAIL "groups: 3\n", 8, 9, "groups",
      "must divide routed_experts" },
    { "name: t\nlayers: 4\nmoe_layers: {first: 1, last: 3}\n" BASE_TAIL "groups: 2\ngroups_kept: 3\n", 9, 14,
      "groups_kept", "exceeds groups" },
    { "name: t\nlayers: 4\nmoe_layers: {first: 1, last: 3}\nrouted_experts: 8\ntop_k: 5\nhidden: 16\n"
      "expert_ffn: 8\ngroups: 4\ngroups_kept: 2\n", 5, 8, "top_k", "kept groups" },
    { "name: t\nlayers: 4\nmoe_layers: {first: 1, last: 4}\n" BASE_TAIL, 3, 13, "moe_layers",
      "must be below layers" },
    { "name: t\nlayers: 4\nmoe_layers: {first: 0, last: 3, step: 2}\n" BASE_TAIL, 3, 30, "moe_layers.last",
      "not first (0) plus a multiple of step (2)" },
    { "name: t\nlayers: 4\nmoe_layers: {first: 3, last: 1}\n" BASE_TAIL, 3, 30, "moe_layers.last",
      "comes before the first" },
    { "name: t/x\nlayers: 4\nmoe_layers: {first: 1, last: 3}\n" BASE_TAIL, 1, 7, "name", "found \"t/x\"" },
    { "name: t\nlayers: 4\nmoe_layers: {first: 1, last: 3}\nrouted_experts: 70000\ntop_k: 2\nhidden: 16\n"
      "expert_ffn: 8\n", 4, 17, "routed_experts", "65535" },
    { "name: t\nlayers: four\nmoe_layers: {first: 1, last: 3}\n" BASE_TAIL, 2, 9, "layers", "integer" },
    { "name: t\nlayers: 4\nmoe_layers: {first: 1, last: 3}\n" BASE_TAIL "dtype: bf8\n", 8, 8, "dtype",
      "fp32, bf16, fp16, fp8, int4" },
    { "name: t\nmoe_layers: {first: 1, last: 3}\n" BASE_TAIL, 1, 1, "layers", "missing required key" },
};

START_TEST(test_bad_model)
{
    const bad_case *c = &bad[_i];
    char *dir = fx_tmpdir();
    char *path = fx_write_str(dir, "m.yaml", c->yaml);
    wl_model m;
    ws_diag d;
    ws_diag_init(&d, 10);
    ck_assert_int_eq(wl_model_load(&m, path, &d), -1);
    ck_assert_uint_ge(ws_diag_count(&d), 1);
    const ws_diag_msg *msg = &d.msgs[0];
    if (msg->line != c->line || msg->column != c->column || strcmp(msg->key_path, c->key_path) ||
        !strstr(msg->text, c->text)) {
        ws_diag_print(&d, stderr);
        ck_abort_msg("case %d: expected %u:%u %s \"%s\", found %u:%u %s \"%s\"", _i, c->line, c->column,
                     c->key_path, c->text, msg->line, msg->column, msg->key_path, msg->text);
    }
    ck_assert_str_eq(msg->file, path);
    ws_diag_free(&d);
    free(path);
    fx_rmdir(dir);
}
END_TEST

START_TEST(test_int4_and_write)
{
    char *dir = fx_tmpdir();
    char *path = fx_write_str(dir, "m.yaml", "name: k2-int4\nlayers: 61\nmoe_layers: {first: 1, last: 60}\n"
                                             "routed_experts: 384\ntop_k: 8\nhidden: 7168\nexpert_ffn: 2048\n"
                                             "dtype: int4\nshared_experts: 1\n");
    wl_model m, m2;
    ws_diag d;
    ws_diag_init(&d, 10);
    ck_assert_int_eq(wl_model_load(&m, path, &d), 0);
    ck_assert_uint_eq(m.matrix_bytes, 7168u * 2048u / 2);   /* 7 MiB */
    ck_assert_uint_eq(m.flops_per_token_matrix, 2u * 7168u * 2048u);
    ck_assert_uint_eq(m.groups, 1);
    ck_assert_uint_eq(m.groups_kept, 1);
    /* write, read back, same values */
    char *buf = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&buf, &len);
    wl_model_write(&m, mem);
    fclose(mem);
    char *path2 = fx_write_str(dir, "m2.yaml", buf);
    ck_assert_int_eq(wl_model_load(&m2, path2, &d), 0);
    ck_assert_str_eq(m2.name, m.name);
    ck_assert_int_eq(m2.layers, m.layers);
    ck_assert_int_eq(m2.moe_layers.first, m.moe_layers.first);
    ck_assert_int_eq(m2.dtype, WL_DTYPE_INT4);
    ck_assert_uint_eq(m2.matrix_bytes, m.matrix_bytes);
    ck_assert_uint_eq(m2.n_moe, 60);
    wl_model_free(&m);
    wl_model_free(&m2);
    ws_diag_free(&d);
    free(buf);
    free(path);
    free(path2);
    fx_rmdir(dir);
}
END_TEST

START_TEST(test_unknown_name)
{
    fx_config_dir();
    wl_model m;
    ws_diag d;
    ws_diag_init(&d, 10);
    ck_assert_int_eq(wl_model_load(&m, "deepseek-v4", &d), -1);
    ck_assert_uint_eq(ws_diag_count(&d), 1);
    ck_assert_ptr_nonnull(strstr(d.msgs[0].text, "no model \"deepseek-v4\""));
    ck_assert_ptr_nonnull(strstr(d.msgs[0].text, "deepseek-v3, kimi-k2, llama4-maverick, qwen3-235b"));
    ws_diag_free(&d);
    size_t n;
    char **names = wl_model_list(&n);
    ck_assert_uint_eq(n, 4);
    ck_assert_str_eq(names[0], "deepseek-v3");
    ck_assert_str_eq(names[3], "qwen3-235b");
    wl_model_list_free(names, n);
}
END_TEST

/* wl_model_load_reporting: the errors of a failed load are printed to the
 * stream given (ws_diag_print format), nothing on success. */
START_TEST(test_load_reporting)
{
    fx_config_dir();
    char *dir = fx_tmpdir();
    char *path = fx_write_str(dir, "m.yaml", "name: t\nlayers: 4\nmoe_layers: {first: 1, last: 3}\nbogus: 1\n");
    char *buf = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&buf, &len);
    wl_model m;
    ck_assert_int_eq(wl_model_load_reporting(&m, "deepseek-v4", mem), -1);
    ck_assert_int_eq(wl_model_load_reporting(&m, path, mem), -1);
    fclose(mem);
    ck_assert_ptr_nonnull(strstr(buf, "no model \"deepseek-v4\""));
    char where[4200];
    snprintf(where, sizeof where, "%s:4:1: error:", path);
    ck_assert_msg(strstr(buf, where), "expected \"%s\" in:\n%s", where, buf);
    free(buf);
    buf = NULL;
    mem = open_memstream(&buf, &len);
    ck_assert_int_eq(wl_model_load_reporting(&m, "kimi-k2", mem), 0);
    fclose(mem);
    ck_assert_uint_eq(len, 0);
    ck_assert_str_eq(m.name, "kimi-k2");
    ck_assert_uint_eq(m.n_moe, 60);
    wl_model_free(&m);
    free(buf);
    free(path);
    fx_rmdir(dir);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("model");
    TCase *tc = tcase_create("model");
    tcase_add_loop_test(tc, test_shipped, 0, (int)(sizeof models / sizeof models[0]));
    tcase_add_test(tc, test_deepseek_28_mib);
    tcase_add_loop_test(tc, test_bad_model, 0, (int)(sizeof bad / sizeof bad[0]));
    tcase_add_test(tc, test_int4_and_write);
    tcase_add_test(tc, test_unknown_name);
    tcase_add_test(tc, test_load_reporting);
    suite_add_tcase(s, tc);
    return ws_check_run(s);
}
