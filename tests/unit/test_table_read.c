/* tests/unit/test_table_read.c — core/table_read.h: a table written as JSON
 * by ws_table_write reads back to the same cells (written again: the same
 * bytes, in JSON and CSV), and files that are not such a table are refused
 * with a reason. The same table written as CSV reads back to the cells and
 * provenance the JSON gives, and written again to the same bytes; cells
 * whose text is not the one a number is written with stay strings; the
 * provenance comments, blank lines, CRLF and a quoted line break are read
 * with the right line numbers; malformed CSV is refused at the exact
 * line:column (positions counted by hand in each case). */
#define _DEFAULT_SOURCE
#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/table_read.h"
#include "tests/unit/check_main.h"
#include "tests/unit/file_fixtures.h"

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

static const char *const cols[] = { "name", "count", "value_us", "empty" };

static const char *names[] = { "plain", "with, comma", "quote \" and \\ backslash", "tab\there", "caf\xc3\xa9" };

/* The table both round trips start from, and its provenance. */
static ws_table *sample_table(ws_provenance *p)
{
    ws_table *t = ws_table_new("a \"title\"", 4, cols);
    const double values[] = { 0.1, 1e-300, 2.0, -3.5e17, 1.0 / 3.0 };
    for (size_t i = 0; i < 5; i++) {
        size_t r = ws_table_add_row(t);
        ws_table_set_str(t, r, 0, names[i]);
        ws_table_set_int(t, r, 1, (int64_t)i * -123456789012LL);
        ws_table_set_double(t, r, 2, values[i]);
    }
    ws_provenance_init(p, "test");
    p->config_path = "x.yaml";
    strcpy(p->config_hash, "0123456789abcdef");
    p->has_seed = true;
    p->seed = 42;
    return t;
}

/* A table with d's cells, as `title` with d's columns. */
static ws_table *table_of(const ws_table_data *d, const char *title)
{
    ws_table *u = ws_table_new(title, d->n_columns, (const char *const *)d->columns);
    for (size_t i = 0; i < d->n_rows; i++) {
        size_t r = ws_table_add_row(u);
        for (size_t j = 0; j < d->n_columns; j++)
            ws_table_set_cell(u, r, j, ws_table_data_cell(d, i, j));
    }
    return u;
}

/* Writes u as fmt and expects the bytes of the file at `want`. */
static void expect_rewrite(const ws_table *u, const ws_provenance *p, ws_format fmt, const char *want)
{
    char *b = tmp_path(), err[256];
    ck_assert_int_eq(ws_table_write(u, p, fmt, b, err, sizeof err), 0);
    char *ta = fx_slurp(want, NULL), *tb = fx_slurp(b, NULL);
    ck_assert_str_eq(ta, tb);
    free(ta), free(tb);
    unlink(b);
    free(b);
}

START_TEST(test_round_trip)
{
    ws_provenance p;
    ws_table *t = sample_table(&p);
    char *a = tmp_path(), *ca = tmp_path(), err[256];
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

    ck_assert_uint_eq(ws_table_data_line(&d, 0), 0);
    ck_assert_uint_eq(d.header_line, 0);

    ws_table *u = table_of(&d, "a \"title\"");
    expect_rewrite(u, &p, WS_FORMAT_JSON, a);
    expect_rewrite(u, &p, WS_FORMAT_CSV, ca);

    /* The CSV of the same table: the JSON's cells and provenance. */
    ws_table_data c;
    ck_assert_int_eq(ws_table_read_csv(ca, &c, err, sizeof err), 0);
    ck_assert_uint_eq(c.n_prov, d.n_prov);
    for (size_t k = 0; k < d.n_prov; k++) {
        ck_assert_str_eq(c.prov_keys[k], d.prov_keys[k]);
        ck_assert_str_eq(c.prov_values[k], d.prov_values[k]);
    }
    ck_assert_uint_eq(c.n_columns, 4);
    ck_assert_uint_eq(c.n_rows, 5);
    for (size_t j = 0; j < 4; j++)
        ck_assert_str_eq(c.columns[j], cols[j]);
    for (size_t i = 0; i < 5; i++)
        for (size_t j = 0; j < 4; j++) {
            const ws_cell *x = ws_table_data_cell(&c, i, j), *y = ws_table_data_cell(&d, i, j);
            ck_assert_int_eq(x->kind, y->kind);
            ck_assert(x->kind != WS_CELL_STR || !strcmp(x->s, y->s));
            ck_assert(x->i == y->i && x->d == y->d);
        }
    ck_assert_uint_eq(c.header_line, 8);                 /* after 7 provenance lines */
    ck_assert_uint_eq(ws_table_data_line(&c, 4), 13);
    ws_table *v = table_of(&c, "a \"title\"");
    expect_rewrite(v, &p, WS_FORMAT_CSV, ca);
    expect_rewrite(v, &p, WS_FORMAT_JSON, a);

    ws_table_data_free(&c);
    ws_table_data_free(&d);
    ws_table_free(t);
    ws_table_free(u);
    ws_table_free(v);
    unlink(a), unlink(ca);
    free(a), free(ca);
}
END_TEST

/* Writes text (n bytes) to a fresh file; returns its path. */
static char *file_with(const char *text, size_t n)
{
    char *path = tmp_path();
    FILE *f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(fwrite(text, 1, n, f), n);
    fclose(f);
    return path;
}

/* Cells that only look like numbers stay strings; every cell's text, and
 * the whole CSV written again, is what was read. */
START_TEST(test_csv_kinds)
{
    static const char *const kcols[] = { "text", "number" };
    ws_table *t = ws_table_new("kinds", 2, kcols);
    const char *texts[] = { "042", "1.50", "+1", "1.0", "0x10", " 7", "1e5", "line\nbreak", "#hash", "" };
    for (size_t i = 0; i < sizeof texts / sizeof *texts; i++)
        ws_table_set_str(t, ws_table_add_row(t), 0, texts[i]);
    ws_table_set_int(t, 0, 1, INT64_MIN);
    ws_table_set_int(t, 1, 1, 0);
    ws_table_set_double(t, 2, 1, -0.5);
    ws_table_set_double(t, 3, 1, NAN);
    ws_table_set_double(t, 4, 1, -INFINITY);
    ws_table_set_double(t, 5, 1, 1e16);
    ws_table_set_double(t, 6, 1, 5e-324);
    ws_provenance p;
    ws_provenance_init(&p, "kinds");              /* no config, no seed */
    char *path = tmp_path(), err[256];
    ck_assert_int_eq(ws_table_write(t, &p, WS_FORMAT_CSV, path, err, sizeof err), 0);
    ws_table_data d;
    ck_assert_int_eq(ws_table_read_csv(path, &d, err, sizeof err), 0);
    ck_assert_uint_eq(d.n_rows, 10);
    ck_assert_str_eq(ws_table_data_prov(&d, "seed"), "none");
    ck_assert_str_eq(ws_table_data_prov(&d, "config"), "none");
    char buf[WS_TABLE_CELL_TEXT_MAX];
    for (size_t i = 0; i + 1 < sizeof texts / sizeof *texts; i++) {
        ck_assert_int_eq(ws_table_data_cell(&d, i, 0)->kind, WS_CELL_STR);
        ck_assert_str_eq(ws_table_data_text(&d, i, 0, buf), texts[i]);
    }
    ck_assert_int_eq(ws_table_data_cell(&d, 9, 0)->kind, WS_CELL_EMPTY);
    const ws_cell_kind kinds[] = { WS_CELL_INT, WS_CELL_INT, WS_CELL_DOUBLE, WS_CELL_DOUBLE, WS_CELL_DOUBLE,
                                   WS_CELL_DOUBLE, WS_CELL_DOUBLE, WS_CELL_EMPTY };
    const char *numbers[] = { "-9223372036854775808", "0", "-0.5", "nan", "-inf", "1e+16", "5e-324", "" };
    for (size_t i = 0; i < 8; i++) {
        ck_assert_int_eq(ws_table_data_cell(&d, i, 1)->kind, kinds[i]);
        ck_assert_str_eq(ws_table_data_text(&d, i, 1, buf), numbers[i]);
    }
    ck_assert(ws_table_data_cell(&d, 0, 1)->i == INT64_MIN);
    ck_assert(ws_table_data_cell(&d, 6, 1)->d == 5e-324);
    /* header on line 8; the quoted line break makes row 7 two lines */
    ck_assert_uint_eq(d.header_line, 8);
    ck_assert_uint_eq(ws_table_data_line(&d, 7), 16);
    ck_assert_uint_eq(ws_table_data_line(&d, 8), 18);
    ws_table *u = table_of(&d, "kinds");
    expect_rewrite(u, &p, WS_FORMAT_CSV, path);
    ws_table_free(u);
    ws_table_free(t);
    ws_table_data_free(&d);
    unlink(path);
    free(path);
}
END_TEST

/* Hand-written: comments (provenance only before the header, "key: value"
 * only), blank lines, CRLF, a comment between rows, no final line end. */
START_TEST(test_csv_comments)
{
    static const char text[] = "# command: wafersim run\r\n#not provenance\n# seed: 7\n\n"
                               "variant,\"link\",utilisation\r\n"
                               "# between: rows\n"
                               "\r\n"
                               "default,\"0,0>1,0\",0.25\r\n"
                               "default,\"1,0>0,0\",1";
    char *path = file_with(text, sizeof text - 1), err[256];
    ws_table_data d;
    ck_assert_int_eq(ws_table_read_csv(path, &d, err, sizeof err), 0);
    ck_assert_uint_eq(d.n_prov, 2);
    ck_assert_str_eq(ws_table_data_prov(&d, "command"), "wafersim run");
    ck_assert_str_eq(ws_table_data_prov(&d, "seed"), "7");
    ck_assert_ptr_null(ws_table_data_prov(&d, "between"));
    ck_assert_uint_eq(d.n_columns, 3);
    ck_assert_str_eq(d.columns[1], "link");
    ck_assert_uint_eq(d.header_line, 5);
    ck_assert_uint_eq(d.n_rows, 2);
    ck_assert_uint_eq(ws_table_data_line(&d, 0), 8);
    ck_assert_uint_eq(ws_table_data_line(&d, 1), 9);
    ck_assert_str_eq(ws_table_data_cell(&d, 0, 1)->s, "0,0>1,0");
    ck_assert(ws_table_data_cell(&d, 0, 2)->d == 0.25);
    ck_assert_int_eq(ws_table_data_cell(&d, 1, 2)->kind, WS_CELL_INT);
    ck_assert_int_eq(ws_table_data_cell(&d, 1, 2)->i, 1);
    ws_table_data_free(&d);
    unlink(path);
    free(path);
}
END_TEST

/* text is refused with exactly "PATH:" followed by want. */
static void expect_csv_error(const char *text, size_t n, const char *want)
{
    char *path = file_with(text, n), err[512], full[1024];
    ws_table_data d;
    ck_assert_int_eq(ws_table_read_csv(path, &d, err, sizeof err), -1);
    snprintf(full, sizeof full, "%s:%s", path, want);
    ck_assert_str_eq(err, full);
    ck_assert_ptr_null(d.cells);
    ck_assert_ptr_null(d.columns);
    unlink(path);
    free(path);
}
#define EXPECT_CSV_ERROR(text, want) expect_csv_error(text, sizeof text - 1, want)

START_TEST(test_csv_malformed)
{
    EXPECT_CSV_ERROR("a,b\n1,\"x\n", "2:3: unterminated quoted field (its closing '\"' is missing)");
    EXPECT_CSV_ERROR("a,b\n1,x\"y\n", "2:4: '\"' inside an unquoted field (a field holding quotes must be quoted)");
    EXPECT_CSV_ERROR("a,b\n1,\"x\"y\n",
                     "2:6: expected ',' or the end of the line after a quoted field, found 'y'");
    EXPECT_CSV_ERROR("a,b\n1,2,3\n", "2:5: expected 2 fields as in the header (line 1), found more: 3");
    EXPECT_CSV_ERROR("# c\na,b\n\n1\n", "4:2: expected 2 fields as in the header (line 2), found 1");
    EXPECT_CSV_ERROR("a,b\r\n1,2\r3\n", "2:4: carriage return not followed by a line feed");
    EXPECT_CSV_ERROR("# x\n\n", "3:1: no header line (the file holds only comments or blank lines)");
    EXPECT_CSV_ERROR("", "1:1: no header line (the file holds only comments or blank lines)");
    EXPECT_CSV_ERROR("a,b\n1,\0\n", "2:3: NUL byte (not a text file)");
    /* a quoted line break: the next field is on line 3 */
    EXPECT_CSV_ERROR("a,b\n\"x\ny\",2,3\n", "3:6: expected 2 fields as in the header (line 1), found more: 3");
    char err[256];
    ws_table_data d;
    ck_assert_int_eq(ws_table_read_csv("/nonexistent/x.csv", &d, err, sizeof err), -1);
    ck_assert_str_eq(err, "/nonexistent/x.csv: No such file or directory");
    FILE *f = tmpfile();
    fputs("a\n\"\n", f);
    rewind(f);
    ck_assert_int_eq(ws_table_read_csv_stream(f, "profile", &d, err, sizeof err), -1);
    ck_assert_str_eq(err, "profile:2:1: unterminated quoted field (its closing '\"' is missing)");
    fclose(f);
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
    TCase *csv = tcase_create("csv");
    tcase_add_test(csv, test_csv_kinds);
    tcase_add_test(csv, test_csv_comments);
    tcase_add_test(csv, test_csv_malformed);
    suite_add_tcase(s, csv);
    return s;
}

int main(void)
{
    return ws_check_run(table_read_suite());
}
