/* tests/unit/test_fuzz_regressions.c — replays every input the fuzzers
 * found (every file in fuzz/regressions/fuzz_config/) through the same code as the
 * harness (fuzz/config_oracle.h), in the normal build: each must load or
 * be refused with a message, and a config that loads must survive the
 * `config show` round trip with the same hash. Pins the fix of the first
 * finding: strings with U+0085 (a YAML line break), C1 controls, U+2028/9,
 * U+FEFF, U+FFFE/F or DEL are printed escaped. Also pins the printed form
 * of those escapes. */
#define _GNU_SOURCE
#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz/config_oracle.h"
#include "tests/unit/check_main.h"
#include "tests/unit/file_fixtures.h"

START_TEST(replay_config_findings)
{
    const char *top = getenv("TOP_SRCDIR");
    ck_assert_msg(top != NULL, "TOP_SRCDIR must be set (make check sets it)");
    char dir[4096], path[4400];
    snprintf(dir, sizeof dir, "%s/configs", top);
    setenv("WAFERSIM_CONFIG_DIR", dir, 1);
    snprintf(dir, sizeof dir, "%s/fuzz/regressions/fuzz_config", top);
    DIR *dp = opendir(dir);
    ck_assert_ptr_nonnull(dp);
    int replayed = 0;
    for (struct dirent *e; (e = readdir(dp));) {
        if (e->d_name[0] == '.')
            continue;
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        size_t len;
        char *buf = fx_slurp(path, &len);
        fuzz_config_one((const uint8_t *)buf, len);   /* aborts on a finding */
        free(buf);
        replayed++;
    }
    closedir(dp);
    ck_assert_int_ge(replayed, 2);
}
END_TEST

START_TEST(escapes_printed)
{
    static const char text[] = "preset: dojo\ndescription: \"a\\Nb\\Lc\\Pd\\uFEFFe\\x7ff\\x80g\"\n";
    ws_diag d;
    ws_diag_init(&d, 10);
    ws_config cfg;
    ck_assert_int_eq(ws_config_load_buffer(&cfg, text, strlen(text), "esc.yaml", NULL, 0, &d), 0);
    char *out = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&out, &len);
    ws_config_write(&cfg, mem);
    fclose(mem);
    ck_assert_ptr_nonnull(strstr(out, "description: \"a\\x85b\\Lc\\Pd\\uFEFFe\\x7ff\\x80g\"\n"));
    free(out);
    ws_config_free(&cfg);
    ws_diag_free(&d);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("fuzz_regressions");
    TCase *tc = tcase_create("config");
    tcase_add_test(tc, replay_config_findings);
    tcase_add_test(tc, escapes_printed);
    suite_add_tcase(s, tc);
    return ws_check_run(s);
}
