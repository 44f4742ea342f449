/* tests/unit/test_progress.c — pins the progress meter (core/progress.h):
 * ETA formatting, and that the meter stays silent when disabled or when its
 * stream is not a terminal (logs and CI stay clean). */
#define _POSIX_C_SOURCE 200809L
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/progress.h"
#include "tests/unit/check_main.h"

START_TEST(eta_format)
{
    char buf[32];
    ck_assert_str_eq(ws_progress_format_eta(0, buf, sizeof buf), "0:00:00");
    ck_assert_str_eq(ws_progress_format_eta(59.4, buf, sizeof buf), "0:00:59");
    ck_assert_str_eq(ws_progress_format_eta(59.6, buf, sizeof buf), "0:01:00");
    ck_assert_str_eq(ws_progress_format_eta(3725, buf, sizeof buf), "1:02:05");
    ck_assert_str_eq(ws_progress_format_eta(-1, buf, sizeof buf), "?:??:??");
    ck_assert_str_eq(ws_progress_format_eta(NAN, buf, sizeof buf), "?:??:??");
}
END_TEST

START_TEST(silent_unless_terminal_and_enabled)
{
    char *text = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&text, &len);
    ws_progress p;
    ws_progress_begin(&p, mem, true, "run", "ticks", 1000);   /* not a tty */
    ck_assert(!p.active);
    p.interval_s = 0;
    ws_progress_update(&p, 500);
    ws_progress_end(&p);
    ws_progress_begin(&p, mem, false, "run", "ticks", 1000);  /* -q */
    ck_assert(!p.active);
    ws_progress_update(&p, 500);
    fclose(mem);
    ck_assert_uint_eq(len, 0);
    free(text);
}
END_TEST

START_TEST(draws_when_active)
{
    char *text = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&text, &len);
    ws_progress p;
    ws_progress_begin(&p, mem, true, "run", "ticks", 2000000);
    p.active = true;          /* force: the stream is not a terminal */
    p.interval_s = 0;
    p.start_s -= 2.0;         /* pretend two seconds have passed */
    ws_progress_update(&p, 1000000);
    fflush(mem);
    ck_assert_ptr_nonnull(strstr(text, " 50.0% 1.0M/2.0M ticks"));
    ck_assert_ptr_nonnull(strstr(text, "ETA 0:00:0"));
    fclose(mem);
    free(text);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("progress");
    TCase *tc = tcase_create("meter");
    tcase_add_test(tc, eta_format);
    tcase_add_test(tc, silent_unless_terminal_and_enabled);
    tcase_add_test(tc, draws_when_active);
    suite_add_tcase(s, tc);
    return ws_check_run(s);
}
