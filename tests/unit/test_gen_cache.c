/* tests/unit/test_gen_cache.c — unit tests of workload/gen_cache.c (the
 * synthetic trace cache) with a shipped model and profile.
 *
 * Pins: the cached path gives the bytes of a plain wl_gen_write_range, on
 * a miss and on a hit (the hit reuses the cache file: same inode, one file
 * in the folder); removing the output keeps the cache file; a cache file
 * with a flipped payload byte, or truncated, is regenerated (the output
 * is still right and the cache file is repaired); another request count
 * of the same workload is built from a larger or a smaller entry and has
 * the bytes of a fresh generation; other seed / first / lengths / profile
 * give other keys, the count does not; WAFERSIM_CACHE_DIR=off writes no cache file;
 * the folder falls back to $XDG_CACHE_HOME/wafersim, then
 * $HOME/.cache/wafersim.
 */
#define _POSIX_C_SOURCE 200809L
#ifdef HAVE_CONFIG_H
#include <config.h>
#endif

#include "tests/unit/check_main.h"
#include "tests/unit/file_fixtures.h"
#include "tests/unit/gen_fixtures.h"
#include "tests/unit/trace_fixtures.h"
#include "workload/gen_cache.h"
#include "workload/generator.h"
#include "workload/profile.h"

#include <check.h>
#include <dirent.h>
#include <string.h>
#include <sys/stat.h>

/* The trace entries (*.wst) of dir: how many, the path of the last into
 * out (verification stamps, *.wst.verified, are not entries). */
static int count_files(const char *dir, char *out, size_t len)
{
    DIR *d = opendir(dir);
    ck_assert_ptr_nonnull(d);
    int n = 0;
    for (struct dirent *e; (e = readdir(d));) {
        size_t l = strlen(e->d_name);
        if (e->d_name[0] != '.' && l > 4 && !strcmp(e->d_name + l - 4, ".wst")) {
            n++;
            if (out)
                snprintf(out, len, "%s/%s", dir, e->d_name);
        }
    }
    closedir(d);
    return n;
}

static const wl_gen_lengths run_len = { 1, 1, 5 };

START_TEST(test_hit_miss_corrupt)
{
    wl_model m;
    wl_profile p;
    gen_fx_load("deepseek-v3", &m, &p);
    char *dir = fx_tmpdir();
    char cache[600], ref[600], out[600], cfile[1400], err[256];
    snprintf(cache, sizeof cache, "%s/cache/sub", dir);
    snprintf(ref, sizeof ref, "%s/ref.wst", dir);
    snprintf(out, sizeof out, "%s/out.wst", dir);
    setenv("WAFERSIM_CACHE_DIR", cache, 1);
    ck_assert_int_eq(wl_gen_write_range(&m, &p, 4, 2, 3, &run_len, ref, false, err, sizeof err), 0);

    /* miss: generated into the cache (folder created), output the same */
    ck_assert_int_eq(wl_gen_write_cached(&m, &p, 4, 2, 3, &run_len, out, false, err, sizeof err), 0);
    fx_same_file(ref, out);
    ck_assert_int_eq(count_files(cache, cfile, sizeof cfile), 1);
    ck_assert_ptr_nonnull(strstr(cfile, "/gen-deepseek-v3-"));
    struct stat c0, c1;
    ck_assert_int_eq(stat(cfile, &c0), 0);
    ck_assert_int_eq(unlink(out), 0);
    ck_assert_int_eq(access(cfile, F_OK), 0);

    /* hit: the same file */
    ck_assert_int_eq(wl_gen_write_cached(&m, &p, 4, 2, 3, &run_len, out, false, err, sizeof err), 0);
    fx_same_file(ref, out);
    ck_assert_int_eq(stat(cfile, &c1), 0);
    ck_assert_uint_eq(c0.st_ino, c1.st_ino);
    ck_assert_int_eq(count_files(cache, NULL, 0), 1);
    unlink(out);

    /* a flipped payload byte: detected, regenerated */
    size_t n;
    unsigned char *b = fx_slurp(cfile, &n);
    b[n / 2] ^= 0x01;
    FILE *f = fopen(cfile, "wb");
    ck_assert_uint_eq(fwrite(b, 1, n, f), n);
    fclose(f);
    ck_assert_int_eq(wl_gen_write_cached(&m, &p, 4, 2, 3, &run_len, out, false, err, sizeof err), 0);
    fx_same_file(ref, out);
    fx_same_file(ref, cfile);
    unlink(out);

    /* truncated: detected, regenerated */
    f = fopen(cfile, "wb");
    ck_assert_uint_eq(fwrite(b, 1, n - 100, f), n - 100);
    fclose(f);
    free(b);
    ck_assert_int_eq(wl_gen_write_cached(&m, &p, 4, 2, 3, &run_len, out, false, err, sizeof err), 0);
    fx_same_file(ref, out);
    fx_same_file(ref, cfile);
    ck_assert_int_eq(count_files(cache, NULL, 0), 1);
    unlink(out);

    /* another request range is another entry, and still the right bytes */
    ck_assert_int_eq(wl_gen_write_range(&m, &p, 4, 0, 3, &run_len, ref, false, err, sizeof err), 0);
    ck_assert_int_eq(wl_gen_write_cached(&m, &p, 4, 0, 3, &run_len, out, false, err, sizeof err), 0);
    fx_same_file(ref, out);
    ck_assert_int_eq(count_files(cache, NULL, 0), 2);
    unlink(out);

    /* off: no cache file, same bytes */
    setenv("WAFERSIM_CACHE_DIR", "off", 1);
    ck_assert_int_eq(wl_gen_write_cached(&m, &p, 4, 1, 2, &run_len, out, false, err, sizeof err), 0);
    ck_assert_int_eq(wl_gen_write_range(&m, &p, 4, 1, 2, &run_len, ref, false, err, sizeof err), 0);
    fx_same_file(ref, out);
    ck_assert_int_eq(count_files(cache, NULL, 0), 2);
    unsetenv("WAFERSIM_CACHE_DIR");
    fx_rmdir(dir);
    wl_profile_free(&p);
    wl_model_free(&m);
}
END_TEST

START_TEST(test_other_counts)
{
    wl_model m;
    wl_profile p;
    gen_fx_load("kimi-k2", &m, &p);
    char *dir = fx_tmpdir();
    char cache[600], ref[600], out[600], err[256];
    snprintf(cache, sizeof cache, "%s/cache", dir);
    snprintf(ref, sizeof ref, "%s/ref.wst", dir);
    snprintf(out, sizeof out, "%s/out.wst", dir);
    setenv("WAFERSIM_CACHE_DIR", cache, 1);
    static const uint64_t counts[] = { 3, 5, 2, 4 };   /* fresh; from 3 (fewer); from 3 (more); from 5 */
    for (int c = 0; c < 4; c++) {
        ck_assert_int_eq(wl_gen_write_cached(&m, &p, 6, 1, counts[c], &run_len, out, false, err, sizeof err), 0);
        ck_assert_int_eq(wl_gen_write_range(&m, &p, 6, 1, counts[c], &run_len, ref, false, err, sizeof err), 0);
        fx_same_file(ref, out);
        unlink(out);
        ck_assert_int_eq(count_files(cache, NULL, 0), c + 1);
    }
    unsetenv("WAFERSIM_CACHE_DIR");
    fx_rmdir(dir);
    wl_profile_free(&p);
    wl_model_free(&m);
}
END_TEST

START_TEST(test_keys_and_dir)
{
    wl_model m;
    wl_profile p;
    gen_fx_load("qwen3-235b", &m, &p);
    char k[7][33], d[600];
    wl_gen_lengths other = { 1, 1, 6 };
    ck_assert_int_eq(wl_gen_cache_key(&m, &p, 1, 0, &run_len, k[0]), 0);
    ck_assert_int_eq(wl_gen_cache_key(&m, &p, 1, 0, &run_len, k[1]), 0);
    ck_assert_int_eq(wl_gen_cache_key(&m, &p, 2, 0, &run_len, k[2]), 0);
    ck_assert_int_eq(wl_gen_cache_key(&m, &p, 1, 1, &run_len, k[3]), 0);
    ck_assert_int_eq(wl_gen_cache_key(&m, &p, 1, 0, &other, k[4]), 0);
    ck_assert_int_eq(wl_gen_cache_key(&m, &p, 1, 0, NULL, k[5]), 0);
    wl_profile def;
    wl_profile_default(&def);
    ck_assert_int_eq(wl_gen_cache_key(&m, &def, 1, 0, &run_len, k[6]), 0);
    wl_profile_free(&def);
    ck_assert_uint_eq(strlen(k[0]), 32);
    ck_assert_str_eq(k[0], k[1]);
    for (int i = 2; i < 7; i++)
        for (int j = 0; j < i; j++)
            ck_assert_str_ne(k[i], k[j]);

    unsetenv("WAFERSIM_CACHE_DIR");
    setenv("XDG_CACHE_HOME", "/x/cache", 1);
    ck_assert_int_eq(wl_gen_cache_dir(d, sizeof d), 0);
    ck_assert_str_eq(d, "/x/cache/wafersim");
    unsetenv("XDG_CACHE_HOME");
    setenv("HOME", "/h", 1);
    ck_assert_int_eq(wl_gen_cache_dir(d, sizeof d), 0);
    ck_assert_str_eq(d, "/h/.cache/wafersim");
    setenv("WAFERSIM_CACHE_DIR", "/c", 1);
    ck_assert_int_eq(wl_gen_cache_dir(d, sizeof d), 0);
    ck_assert_str_eq(d, "/c");
    setenv("WAFERSIM_CACHE_DIR", "off", 1);
    ck_assert_int_eq(wl_gen_cache_dir(d, sizeof d), 1);
    ck_assert_str_eq(d, "");
    wl_profile_free(&p);
    wl_model_free(&m);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("gen_cache");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_hit_miss_corrupt);
    tcase_add_test(tc, test_other_counts);
    tcase_add_test(tc, test_keys_and_dir);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return ws_check_run(suite());
}
