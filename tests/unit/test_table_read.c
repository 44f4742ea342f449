/* tests/unit/test_table_read.c — core/table_read.h: a table written as JSON
 * by ws_table_write reads back to the same cells (written again: the same
 * bytes, in JSON and CSV), and files that are not such a table are refused
 * with a reason. */
#define _DEFAULT_SOURCE
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/table_read.h"
#include "tests/unit/check_main.h"

static char *tmp_path(void)
{
    const char *base = getenv("TMPDIR");
    char path[512];
    snprintf(path, sizeof path, "%s/wafersim-test_table_read-XXXXXX", base && *base ? base : "/tmp");
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    close(fd);
    return strdup(path);
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    ck_assert_ptr_nonnull(f);
    char *buf = calloc(1, 1 << 16);
    size_t n = fread(buf, 1, (1 << 16) - 1, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

static const char *const cols[] = { "name", "count", "value_us", "empty" };

START_TEST(test_round_trip)
{
    ws_table *t = ws_table_new("a \"title\"", 4, cols);
    const double values[] = { 0.1, 1e-300, 2.0, -3.5e17, 1.0 / 3.0 };
    const char *names[] = { "plain", "with, comma", "quote \" and \\ backslash", "tab\there", "caf\xc3\xa9" };
    for (size_t i = 0; i < 5; i++) {
        size_t r = ws_table_add_row(t);
        ws_table_set_str(t, r, 0, names[i]);
        ws_table_set_int(t, r, 1, (int64_t)i * -123456789012LL);
        ws_table_set_double(t, r, 2, values[i]);
    }
    ws_provenance p;
    ws_provenance_init(&p, "test");
    p.config_path = "x.yaml";
    strcpy(p.config_hash, "0123456789abcdef");
    p.has_seed = true;
    p.seed = 42;
    char *a = tmp_path(), *b = tmp_path(), *ca = tmp_path(), *cb = tmp_path(), err[256];
    ck_assert_int_eq(ws_table_write(t, &p, WS_FORMAT_JSON, a, err, sizeof err), 0);
    ck_assert_int_eq(ws_table_write(t, &p, WS_FORMAT_CSV, ca, err, sizeof err), 0);

    ws_table_data d;
    ck_assert_int_eq(ws_table_read_json(a, &d, err, sizeof err), 0);
    ck_assert_uint_eq(d.n_columns, 4);
    ck_assert_uint_eq(d.n_rows, 5);
    ck_assert_str_eq(ws_table_data_prov(&d, "config_hash"), "0123456789abcdef");
    ck_assert_str_eq(ws_table_data_prov(&d, "seed"), "42");
    ck_assert_str_eq(ws_table_data_prov(&d, "config"), "x.yaml");
    ck_assert_int_eq((int)ws_table_data_column(&d, "value_us"), 2);
    ck_assert_int_eq((int)ws_table_data_column(&d, "nope"), -1);
    ck_assert_str_eq(ws_table_data_cell(&d, 2, 0)->s, names[2]);
    ck_assert_int_eq(ws_table_data_cell(&d, 3, 1)->i, 3 * -123456789012LL);
    ck_assert_int_eq(ws_table_data_cell(&d, 4, 3)->kind, WS_CELL_EMPTY);
    ck_assert(ws_table_data_cell(&d, 4, 2)->d == 1.0 / 3.0);   /* exactly */

    ws_table *u = ws_table_new("a \"title\"", 4, cols);
    for (size_t i = 0; i < d.n_rows; i++) {
        size_t r = ws_table_add_row(u);
        for (size_t j = 0; j < d.n_columns; j++)
            ws_table_set_cell(u, r, j, ws_table_data_cell(&d, i, j));
    }
    ck_assert_int_eq(ws_table_write(u, &p, WS_FORMAT_JSON, b, err, sizeof err), 0);
    ck_assert_int_eq(ws_table_write(u, &p, WS_FORMAT_CSV, cb, err, sizeof err), 0);
    char *ta = slurp(a), *tb = slurp(b), *tca = slurp(ca), *tcb = slurp(cb);
    ck_assert_str_eq(ta, tb);
    ck_assert_str_eq(tca, tcb);
    free(ta), free(tb), free(tca), free(tcb);
    ws_table_data_free(&d);
    ws_table_free(t);
    ws_table_free(u);
    unlink(a), unlink(b), unlink(ca), unlink(cb);
    free(a), free(b), free(ca), free(cb);
}
END_TEST

static void expect_refused(const char *text, const char *reason)
{
    char *path = tmp_path(), err[512];
    FILE *f = fopen(path, "w");
    fputs(text, f);
    fclose(f);
    ws_table_data d;
    ck_assert_int_eq(ws_table_read_json(path, &d, err, sizeof err), -1);
    ck_assert_msg(strstr(err, reason) != NULL, "\"%s\" lacks \"%s\"", err, reason);
    ck_assert_msg(strncmp(err, path, strlen(path)) == 0, "\"%s\" does not start with the path", err);
    unlink(path);
    free(path);
}

START_TEST(test_refused)
{
    expect_refused("{\"provenance\": {}, \"columns\": [\"a\"], \"rows\": [", "not JSON");
    expect_refused("[1, 2]", "not a results table");
    expect_refused("{\"provenance\": {}, \"columns\": [\"a\"], \"rows\": [{\"b\": 1}]}", "columns or rows malformed");
    expect_refused("{\"provenance\": {}, \"columns\": [\"a\"], \"rows\": [{\"a\": [1]}]}", "columns or rows malformed");
    char err[256];
    ws_table_data d;
    ck_assert_int_eq(ws_table_read_json("/nonexistent/x.json", &d, err, sizeof err), -1);
    ck_assert_ptr_nonnull(strstr(err, "No such file"));
}
END_TEST

static Suite *table_read_suite(void)
{
    Suite *s = suite_create("table_read");
    TCase *tc = tcase_create("json");
    tcase_add_test(tc, test_round_trip);
    tcase_add_test(tc, test_refused);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return ws_check_run(table_read_suite());
}
