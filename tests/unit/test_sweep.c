/* tests/unit/test_sweep.c — core/sweep.h: expansion of grid, zip, variants
 * and seeds (count and order worked out by hand), ids equal to the
 * documented hash and stable when unrelated points are added, the point's
 * resolved config, and positioned errors. */
#define _DEFAULT_SOURCE
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "arch/run_schema.h"
#include "core/hash.h"
#include "core/sweep.h"
#include "tests/unit/check_main.h"
#include "tests/unit/diag_text.h"

static char *write_tmp(const char *text)
{
    const char *base = getenv("TMPDIR");
    char path[512];
    snprintf(path, sizeof path, "%s/wafersim-test_sweep-XXXXXX.yaml", base && *base ? base : "/tmp");
    int fd = mkstemps(path, 5);
    ck_assert_int_ge(fd, 0);
    FILE *f = fdopen(fd, "w");
    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    ck_assert_int_eq(fclose(f), 0);
    return strdup(path);
}

#define HEAD "preset: dojo\nhw:\n  grid: {x: 2, y: 2}\n"
#define VARIANTS                                                                                     \
    "variants:\n  - {name: Base, set: [\"strategy.allocation=even\"]}\n"                            \
    "  - {name: EP, set: [\"strategy.allocation=home\"]}\nbaseline: EP\n"

/* A loaded experiment with its sweep and points. */
typedef struct loaded {
    char *path;
    ws_config base;
    ws_sweep s;
    ws_sweep_point *p;
    size_t n;
} loaded;

static void load(loaded *l, const char *text)
{
    l->path = write_tmp(text);
    ws_diag d;
    ws_diag_init(&d, 20);
    ck_assert_int_eq(ws_config_load(&l->base, l->path, NULL, 0, &d), 0);
    ck_assert_int_eq(ws_sweep_load(&l->s, l->path, &d), 0);
    ck_assert_int_eq(ws_sweep_expand(&l->s, &l->base, &l->p, &l->n, &d), 0);
    ck_assert_int_eq((int)ws_diag_count(&d), 0);
    ws_diag_free(&d);
}

static void unload(loaded *l)
{
    ws_sweep_points_free(l->p, l->n);
    ws_sweep_free(&l->s);
    ws_config_free(&l->base);
    unlink(l->path);
    free(l->path);
}

static const char *text_of(const loaded *l, size_t point, const char *key)
{
    for (size_t a = 0; a < l->s.n_axes; a++)
        if (!strcmp(l->s.axes[a].key, key))
            return l->s.axes[a].texts[l->p[point].value[a]];
    return NULL;
}

static const char *const full =
    HEAD VARIANTS
    "sweep:\n"
    "  grid:\n"
    "    workload.batch: [16, 32]\n"
    "    workload.decode_steps: [1, 2, 3]\n"
    "  zip:\n"
    "    - hw.link.bandwidth: [1 TB/s, 2 TB/s]\n"
    "      hw.link.latency: [10 ns, 5 ns]\n"
    "  seeds: 2\n";

START_TEST(test_expansion_count_and_order)
{
    loaded l;
    load(&l, full);
    /* 2 batches x 3 step counts x 2 zipped pairs x 2 seeds x 2 variants */
    ck_assert_uint_eq(l.n, 48);
    ck_assert_uint_eq(l.s.n_dims, 3);
    /* innermost the variant, then the repetition, then the last dimension */
    ck_assert_str_eq(ws_sweep_variant_name(&l.base, &l.p[0]), "Base");
    ck_assert_str_eq(ws_sweep_variant_name(&l.base, &l.p[1]), "EP");
    ck_assert_int_eq(l.p[2].repetition, 1);
    ck_assert_uint_eq(l.p[0].group, l.p[1].group);
    ck_assert_uint_ne(l.p[1].group, l.p[2].group);
    /* point 4: the second zipped pair, both of its values together */
    ck_assert_str_eq(text_of(&l, 4, "hw.link.bandwidth"), "2 TB/s");
    ck_assert_str_eq(text_of(&l, 4, "hw.link.latency"), "5 ns");
    ck_assert_str_eq(text_of(&l, 4, "workload.decode_steps"), "1");
    /* point 27 = ((1*3 + 0)*2 + 0)*4 + 1*2 + 1: batch 32, 1 step, 1 TB/s, rep 1, EP */
    ck_assert_str_eq(text_of(&l, 27, "workload.batch"), "32");
    ck_assert_str_eq(text_of(&l, 27, "workload.decode_steps"), "1");
    ck_assert_str_eq(text_of(&l, 27, "hw.link.latency"), "10 ns");
    ck_assert_int_eq(l.p[27].repetition, 1);
    ck_assert_str_eq(ws_sweep_variant_name(&l.base, &l.p[27]), "EP");
    for (size_t i = 0; i < l.n; i++) {
        ck_assert_uint_eq(l.p[i].index, i);
        ck_assert_uint_eq(strlen(l.p[i].id), WS_SWEEP_ID_LEN);
        for (size_t j = 0; j < i; j++)
            ck_assert_str_ne(l.p[i].id, l.p[j].id);
    }
    unload(&l);
}
END_TEST

START_TEST(test_id_is_documented_hash)
{
    loaded l;
    load(&l, full);
    /* the swept values sorted by key path, the variant, the repetition */
    const char *desc = "hw.link.bandwidth=1 TB/s\nhw.link.latency=10 ns\nworkload.batch=32\n"
                       "workload.decode_steps=1\nvariant=EP\nrepetition=1";
    char hex[17];
    ws_hash64_hex(ws_hash64_str(desc), hex);
    hex[WS_SWEEP_ID_LEN] = '\0';
    ck_assert_str_eq(l.p[27].id, hex);
    unload(&l);
}
END_TEST

START_TEST(test_ids_stable_when_points_added)
{
    loaded a, b;
    load(&a, full);
    /* one more batch, one more variant and one more seed */
    load(&b, HEAD "variants:\n  - {name: Allo, set: [\"strategy.allocation=even\", \"sim.seed=1\"]}\n"
                  "  - {name: Base, set: [\"strategy.allocation=even\"]}\n"
                  "  - {name: EP, set: [\"strategy.allocation=home\"]}\nbaseline: EP\n"
                           "sweep:\n"
                           "  grid:\n"
                           "    workload.batch: [16, 32, 64]\n"
                           "    workload.decode_steps: [1, 2, 3]\n"
                           "  zip:\n"
                           "    - hw.link.bandwidth: [1 TB/s, 2 TB/s]\n"
                           "      hw.link.latency: [10 ns, 5 ns]\n"
                           "  seeds: 3\n");
    ck_assert_uint_eq(b.n, 3 * 3 * 2 * 3 * 3);
    size_t found = 0;
    for (size_t i = 0; i < a.n; i++)
        for (size_t j = 0; j < b.n; j++)
            if (!strcmp(a.p[i].id, b.p[j].id)) {
                found++;
                ck_assert_str_eq(text_of(&a, i, "workload.batch"), text_of(&b, j, "workload.batch"));
                ck_assert_str_eq(text_of(&a, i, "hw.link.latency"), text_of(&b, j, "hw.link.latency"));
                ck_assert_int_eq(a.p[i].repetition, b.p[j].repetition);
                ck_assert_str_eq(ws_sweep_variant_name(&a.base, &a.p[i]), ws_sweep_variant_name(&b.base, &b.p[j]));
            }
    ck_assert_uint_eq(found, a.n);
    unload(&a);
    unload(&b);
}
END_TEST

START_TEST(test_no_sweep_is_one_point_per_variant)
{
    loaded l;
    load(&l, HEAD VARIANTS);
    ck_assert_uint_eq(l.n, 2);
    ck_assert_uint_eq(l.p[0].group, l.p[1].group);
    size_t b;
    ck_assert_int_eq(ws_sweep_baseline(&l.base, &b), 0);
    ck_assert_uint_eq(b, 1);
    unload(&l);
}
END_TEST

START_TEST(test_point_config)
{
    loaded l;
    load(&l, HEAD VARIANTS "sim: {seed: 40}\nsweep:\n  grid:\n    workload.batch: [16, 32]\n"
                           "    hw.grid: [{x: 4, y: 2}]\n  seeds: 3\n");
    ck_assert_str_eq(text_of(&l, 0, "hw.grid"), "{x: 4, y: 2}");
    /* point 9: batch 32, repetition 1, EP */
    ws_diag d;
    ws_diag_init(&d, 10);
    ws_config c;
    const char *sets[] = { "workload.decode_steps=5" };
    ck_assert_int_eq(ws_sweep_point_config(&l.s, &l.base, &l.p[9], sets, 1, &c, &d), 0);
    ck_assert_int_eq(c.workload.batch, 32);
    ck_assert_int_eq(c.workload.decode_steps, 5);
    ck_assert_int_eq(c.hw.grid.x, 4);
    ck_assert_int_eq(c.sim.seed, 41);
    ck_assert_str_eq(arch_alloc_names[c.strategy.allocation], "home");
    ck_assert_uint_eq(c.variants.n, 0);
    ck_assert_str_eq(c.baseline, "");
    ws_config_free(&c);
    ws_diag_free(&d);
    unload(&l);
}
END_TEST

/* Loading `text` fails with exactly this diagnostic output (the file name
 * replaced by F). */
static void expect_error(const char *text, const char *want)
{
    char *path = write_tmp(text);
    ws_diag d;
    ws_diag_init(&d, 20);
    ws_config base;
    ws_sweep s;
    int rc = ws_config_load(&base, path, NULL, 0, &d);
    ck_assert_int_eq(rc, 0);
    if (ws_sweep_load(&s, path, &d) == 0) {
        ws_sweep_point *p;
        size_t n;
        if (ws_sweep_expand(&s, &base, &p, &n, &d) == 0) {
            for (size_t i = 0; i < n; i++) {
                ws_config c;
                if (ws_sweep_point_config(&s, &base, &p[i], NULL, 0, &c, &d) == 0)
                    ws_config_free(&c);
            }
            ws_sweep_points_free(p, n);
        }
        ws_sweep_free(&s);
    }
    ws_config_free(&base);
    char *got = diag_text(&d);
    /* replace the path by F */
    char *norm = malloc(strlen(got) + 1), *o = norm;
    for (const char *g = got; *g;) {
        if (!strncmp(g, path, strlen(path))) {
            *o++ = 'F';
            g += strlen(path);
        } else {
            *o++ = *g++;
        }
    }
    *o = '\0';
    ck_assert_str_eq(norm, want);
    free(norm);
    free(got);
    ws_diag_free(&d);
    unlink(path);
    free(path);
}

/* ws_sweep_schedule by hand: points 0-8 of three workloads A (keys 7,
 * batch 4096: points 0, 1, 2), B (key 3, batch 16384: 3, 4, 5), C (key
 * 9, batch 8192: 6, 7, 8), interleaved as the study's expansion makes
 * them. Groups largest first: B, C, A; round robin: B0 C0 A0 B1 C1 A1 ... */
START_TEST(test_schedule)
{
    const uint64_t key[] = { 7, 7, 7, 3, 3, 3, 9, 9, 9 };
    const int64_t size[] = { 4096, 4096, 4096, 16384, 16384, 16384, 8192, 8192, 8192 };
    size_t order[9];
    ws_sweep_schedule(key, size, 9, order);
    const size_t want[] = { 3, 6, 0, 4, 7, 1, 5, 8, 2 };
    for (size_t i = 0; i < 9; i++)
        ck_assert_uint_eq(order[i], want[i]);
    /* unequal groups, equal sizes (first appearance first): A = {0, 3}, B = {1}, C = {2, 4, 5} */
    const uint64_t k2[] = { 5, 1, 8, 5, 8, 8 };
    const int64_t s2[] = { 1, 1, 1, 1, 1, 1 };
    size_t o2[6];
    ws_sweep_schedule(k2, s2, 6, o2);
    const size_t w2[] = { 0, 1, 2, 3, 4, 5 };
    for (size_t i = 0; i < 6; i++)
        ck_assert_uint_eq(o2[i], w2[i]);
    /* one workload: expansion order */
    const uint64_t k3[] = { 2, 2, 2 };
    size_t o3[3];
    ws_sweep_schedule(k3, s2, 3, o3);
    for (size_t i = 0; i < 3; i++)
        ck_assert_uint_eq(o3[i], i);
}
END_TEST

START_TEST(test_errors)
{
    expect_error(HEAD "sweep:\n  zip:\n    - {workload.batch: [1, 2], hw.link.latency: [1 ns]}\n",
                 "F:6:49: error: sweep.zip.0.hw.link.latency: expected 2 values (the length of the group's "
                 "first list), found 1\n");
    expect_error(HEAD "sweep:\n  grids: {}\n",
                 "F:5:3: error: sweep.grids: unknown key \"grids\" (did you mean \"grid\"?); expected one of: "
                 "grid, zip, seeds\n");
    expect_error(HEAD "sweep:\n  grid: {workload.batch: 16}\n",
                 "F:5:26: error: sweep.grid.workload.batch: expected a non-empty list of values, found scalar\n");
    expect_error(HEAD "sweep:\n  grid: {workload.batch: [16]}\n  zip: [{workload.batch: [32]}]\n",
                 "F:6:10: error: sweep.zip.0.workload.batch: the key path \"workload.batch\" is swept twice\n");
    /* a bad key path or value is reported where the sweep wrote it */
    expect_error(HEAD "sweep:\n  grid:\n    workload.bach: [16, 32]\n",
                 "F:6:21: error: workload.bach: unknown key \"bach\" (did you mean \"batch\"?); expected one of: "
                 "trace, profile, requests, batch, decode_steps, prompt_tokens, shuffle, prefill\n"
                 "F:6:25: error: workload.bach: unknown key \"bach\" (did you mean \"batch\"?); expected one of: "
                 "trace, profile, requests, batch, decode_steps, prompt_tokens, shuffle, prefill\n");
    expect_error(HEAD "sweep:\n  grid:\n    hw.link.bandwidth: [1 TB/s, 2 ns]\n",
                 "F:6:33: error: hw.link.bandwidth: unknown bandwidth unit \"ns\"; expected one of B/s, KB/s, MB/s, "
                 "GB/s, TB/s, KiB/s, MiB/s, GiB/s, TiB/s, B/cycle (\"ns\" is a time unit)\n");
    expect_error(HEAD "sweep:\n  grid:\n    workload.batch: [16, 16]\n",
                 "F:5:3: error: sweep: points 0 and 1 are the same point (id ea406afbca40): a value or variant "
                 "listed twice?\n");
}
END_TEST

static Suite *sweep_suite(void)
{
    Suite *s = suite_create("sweep");
    TCase *tc = tcase_create("expansion");
    tcase_add_test(tc, test_expansion_count_and_order);
    tcase_add_test(tc, test_id_is_documented_hash);
    tcase_add_test(tc, test_ids_stable_when_points_added);
    tcase_add_test(tc, test_no_sweep_is_one_point_per_variant);
    tcase_add_test(tc, test_point_config);
    tcase_add_test(tc, test_errors);
    tcase_add_test(tc, test_schedule);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    const char *top = getenv("TOP_SRCDIR");
    if (!top || !*top) {
        fprintf(stderr, "test_sweep: TOP_SRCDIR is not set; run it through `make check`\n");
        return EXIT_FAILURE;
    }
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/configs", top);
    setenv("WAFERSIM_CONFIG_DIR", dir, 1);
    return ws_check_run(sweep_suite());
}
