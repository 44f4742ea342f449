/* tests/unit/test_output.c — unit tests for core/output.c (table, CSV and
 * JSON rendering, provenance) and core/atomic_file.c (all-or-nothing result
 * files). Contracts: core/output.h, core/atomic_file.h.
 */
#define _POSIX_C_SOURCE 200809L

#ifdef HAVE_CONFIG_H
/* autoconf's header (angle brackets, as in core/output.c, so it can never
 * be confused with core/config.h) */
#include <config.h>
#endif
#include "core/ws_revision.h"

#include "core/atomic_file.h"
#include "core/output.h"
#include "tests/unit/check_main.h"
#include "tests/unit/file_fixtures.h"

#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* ------------------------------------------------------------ fixtures */

static const char *const demo_cols[] = {"name", "count", "ratio", "note"};

/* Two rows: a string needing CSV quoting, ints, doubles, an empty cell. */
static ws_table *demo_table(void)
{
    ws_table *t = ws_table_new("demo", 4, demo_cols);
    size_t r = ws_table_add_row(t);
    ws_table_set_str(t, r, 0, "a,b \"c\"");
    ws_table_set_int(t, r, 1, 42);
    ws_table_set_double(t, r, 2, 0.1);
    r = ws_table_add_row(t);
    ws_table_set_str(t, r, 0, "plain");
    ws_table_set_int(t, r, 1, -7);
    ws_table_set_double(t, r, 2, 1.5);
    ws_table_set_str(t, r, 3, "x");
    return t;
}

/* Provenance pinned to fixed values (date via SOURCE_DATE_EPOCH=0). */
static ws_provenance demo_provenance(void)
{
    ws_provenance p;
    ck_assert_int_eq(setenv("SOURCE_DATE_EPOCH", "0", 1), 0);
    ws_provenance_init(&p, "wafersim test");
    p.version = "0.1.0";
    p.revision = "rev-test";
    p.config_path = "exp.yaml";
    strcpy(p.config_hash, "0123456789abcdef");
    p.has_seed = true;
    p.seed = 42;
    return p;
}

static const char demo_comments[] =
    "# command: wafersim test\n"
    "# wafersim_version: 0.1.0\n"
    "# revision: rev-test\n"
    "# config: exp.yaml\n"
    "# config_hash: 0123456789abcdef\n"
    "# seed: 42\n"
    "# date: 1970-01-01T00:00:00Z\n";

static char *render(const ws_table *t, const ws_provenance *p, ws_format fmt)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    ck_assert_ptr_nonnull(f);
    ws_table_render(t, p, fmt, f);
    ck_assert_int_eq(ferror(f), 0);
    ck_assert_int_eq(fclose(f), 0);
    ck_assert_uint_eq(strlen(buf), len);
    return buf;
}

/* Returns the n-th line (0-based) of text, without its newline. */
static char *nth_line(const char *text, int n)
{
    const char *s = text;
    for (int k = 0; k < n; k++) {
        s = strchr(s, '\n');
        ck_assert_ptr_nonnull(s);
        s++;
    }
    const char *e = strchr(s, '\n');
    ck_assert_ptr_nonnull(e);
    return strndup(s, (size_t)(e - s));
}

static void write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    ck_assert_int_eq(fclose(f), 0);
}

static char tmp_dir[4096];

static void make_tmp_dir(void)
{
    const char *base = getenv("TMPDIR");
    if (base == NULL || *base == '\0')
        base = "/tmp";
    snprintf(tmp_dir, sizeof tmp_dir, "%s/ws_test_output.XXXXXX", base);
    ck_assert_ptr_nonnull(mkdtemp(tmp_dir));
}

static char *in_tmp(const char *name)
{
    static char path[2][sizeof tmp_dir + 512];
    static int which;
    which ^= 1;
    snprintf(path[which], sizeof path[which], "%s/%s", tmp_dir, name);
    return path[which];
}

/* Number of entries in tmp_dir (excluding . and ..), and how many of them
 * look like leftover temporaries. */
static int count_entries(int *n_tmp)
{
    DIR *d = opendir(tmp_dir);
    ck_assert_ptr_nonnull(d);
    int n = 0, t = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        n++;
        if (strstr(e->d_name, ".tmp.") != NULL)
            t++;
    }
    closedir(d);
    if (n_tmp)
        *n_tmp = t;
    return n;
}

/* Removes everything in tmp_dir (one level of subdirectories) and tmp_dir. */
static void remove_tmp_dir(void)
{
    DIR *d = opendir(tmp_dir);
    if (d == NULL)
        return;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        const char *p = in_tmp(e->d_name);
        if (unlink(p) != 0)
            rmdir(p);
    }
    closedir(d);
    rmdir(tmp_dir);
}

/* ------------------------------------------------------------ CSV */

START_TEST(test_csv_exact)
{
    ws_table *t = demo_table();
    ws_provenance p = demo_provenance();
    char *out = render(t, &p, WS_FORMAT_CSV);
    char expected[1024];
    snprintf(expected, sizeof expected, "%s%s", demo_comments,
             "name,count,ratio,note\n"
             "\"a,b \"\"c\"\"\",42,0.1,\n"
             "plain,-7,1.5,x\n");
    ck_assert_str_eq(out, expected);
    free(out);
    ws_table_free(t);
}
END_TEST

START_TEST(test_csv_quoting)
{
    static const char *const cols[] = {"k,ey", "#v"};
    ws_table *t = ws_table_new("q", 2, cols);
    size_t r = ws_table_add_row(t);
    ws_table_set_str(t, r, 0, "line1\nline2");
    ws_table_set_str(t, r, 1, "run#2");
    r = ws_table_add_row(t);
    ws_table_set_str(t, r, 0, "cr\rhere");
    ws_table_set_str(t, r, 1, "");
    ws_provenance p = demo_provenance();
    char *out = render(t, &p, WS_FORMAT_CSV);
    const char *body = out + strlen(demo_comments);
    ck_assert_int_eq(strncmp(out, demo_comments, strlen(demo_comments)), 0);
    ck_assert_str_eq(body,
                     "\"k,ey\",\"#v\"\n"
                     "\"line1\nline2\",\"run#2\"\n"
                     "\"cr\rhere\",\n");
    free(out);
    ws_table_free(t);
}
END_TEST

START_TEST(test_csv_provenance_defaults)
{
    static const char *const cols[] = {"a"};
    ws_table *t = ws_table_new("d", 1, cols);
    ws_provenance p;
    ck_assert_int_eq(setenv("SOURCE_DATE_EPOCH", "86400", 1), 0);
    ws_provenance_init(&p, NULL);
    p.version = NULL;
    p.revision = "";
    char *out = render(t, &p, WS_FORMAT_CSV);
    ck_assert_str_eq(out,
                     "# command: unknown\n"
                     "# wafersim_version: unknown\n"
                     "# revision: unknown\n"
                     "# config: none\n"
                     "# config_hash: unknown\n"
                     "# seed: none\n"
                     "# date: 1970-01-02T00:00:00Z\n"
                     "a\n");
    free(out);
    ws_table_free(t);
}
END_TEST

START_TEST(test_comment_values_stay_on_one_line)
{
    static const char *const cols[] = {"a"};
    ws_table *t = ws_table_new("d", 1, cols);
    ws_provenance p = demo_provenance();
    p.command = "evil\ncommand";
    char *out = render(t, &p, WS_FORMAT_CSV);
    char *line = nth_line(out, 0);
    ck_assert_str_eq(line, "# command: evil\\ncommand");
    free(line);
    line = nth_line(out, 1);
    ck_assert_str_eq(line, "# wafersim_version: 0.1.0");
    free(line);
    free(out);
    ws_table_free(t);
}
END_TEST

/* ------------------------------------------------------------ JSON */

START_TEST(test_json_exact)
{
    ws_table *t = demo_table();
    ws_provenance p = demo_provenance();
    char *out = render(t, &p, WS_FORMAT_JSON);
    ck_assert_str_eq(out,
                     "{\n"
                     "  \"provenance\": {\n"
                     "    \"command\": \"wafersim test\",\n"
                     "    \"wafersim_version\": \"0.1.0\",\n"
                     "    \"revision\": \"rev-test\",\n"
                     "    \"config\": \"exp.yaml\",\n"
                     "    \"config_hash\": \"0123456789abcdef\",\n"
                     "    \"seed\": 42,\n"
                     "    \"date\": \"1970-01-01T00:00:00Z\"\n"
                     "  },\n"
                     "  \"title\": \"demo\",\n"
                     "  \"columns\": [\n"
                     "    \"name\",\n"
                     "    \"count\",\n"
                     "    \"ratio\",\n"
                     "    \"note\"\n"
                     "  ],\n"
                     "  \"rows\": [\n"
                     "    {\n"
                     "      \"name\": \"a,b \\\"c\\\"\",\n"
                     "      \"count\": 42,\n"
                     "      \"ratio\": 0.1,\n"
                     "      \"note\": null\n"
                     "    },\n"
                     "    {\n"
                     "      \"name\": \"plain\",\n"
                     "      \"count\": -7,\n"
                     "      \"ratio\": 1.5,\n"
                     "      \"note\": \"x\"\n"
                     "    }\n"
                     "  ]\n"
                     "}\n");
    free(out);
    ws_table_free(t);
}
END_TEST

START_TEST(test_json_escaping_and_nonfinite)
{
    static const char *const cols[] = {"s", "nan", "inf", "big", "i"};
    ws_table *t = ws_table_new("esc\t", 5, cols);
    size_t r = ws_table_add_row(t);
    ws_table_set_str(t, r, 0, "q\"b\\n\nt\tr\rb\bf\fx\x01y\x1f\xc3\xa9\xff");
    ws_table_set_double(t, r, 1, NAN);
    ws_table_set_double(t, r, 2, -INFINITY);
    ws_table_set_double(t, r, 3, 1e20);
    ws_table_set_int(t, r, 4, INT64_MIN);
    ws_provenance p = demo_provenance();
    char *out = render(t, &p, WS_FORMAT_JSON);
    ck_assert_ptr_nonnull(strstr(out, "  \"title\": \"esc\\t\",\n"));
    ck_assert_ptr_nonnull(strstr(out,
        "      \"s\": \"q\\\"b\\\\n\\nt\\tr\\rb\\bf\\fx\\u0001y\\u001f\xc3\xa9\\ufffd\",\n"
        "      \"nan\": null,\n"
        "      \"inf\": null,\n"
        "      \"big\": 1e+20,\n"
        "      \"i\": -9223372036854775808\n"));
    ck_assert_ptr_null(strstr(out, "nan,"));
    ck_assert_ptr_null(strstr(out, "inf\n"));
    free(out);
    ws_table_free(t);
}
END_TEST

START_TEST(test_json_provenance_nulls_and_empty_rows)
{
    static const char *const cols[] = {"a"};
    ws_table *t = ws_table_new("e", 1, cols);
    ws_provenance p = demo_provenance();
    p.config_path = NULL;
    p.has_seed = false;
    p.config_hash[0] = '\0';
    char *out = render(t, &p, WS_FORMAT_JSON);
    ck_assert_ptr_nonnull(strstr(out, "    \"config\": null,\n"
                                      "    \"config_hash\": \"unknown\",\n"
                                      "    \"seed\": null,\n"));
    ck_assert_ptr_nonnull(strstr(out, "  \"rows\": []\n}\n"));
    free(out);
    ws_table_free(t);
}
END_TEST

/* ------------------------------------------------------------ table */

START_TEST(test_table_alignment)
{
    ws_table *t = demo_table();
    ws_provenance p = demo_provenance();
    char *out = render(t, &p, WS_FORMAT_TABLE);
    char expected[1024];
    snprintf(expected, sizeof expected, "%s%s", demo_comments,
             "\n"
             "demo\n"
             "name     count  ratio  note\n"
             "-------  -----  -----  ----\n"
             "a,b \"c\"     42    0.1  -\n"
             "plain       -7    1.5  x\n");
    ck_assert_str_eq(out, expected);
    char *line = nth_line(out, 9);
    ck_assert_str_eq(line, "name     count  ratio  note");
    free(line);
    free(out);
    ws_table_free(t);
}
END_TEST

START_TEST(test_table_nonfinite_and_empty_numeric)
{
    static const char *const cols[] = {"x", "long_value_name"};
    ws_table *t = ws_table_new("nf", 2, cols);
    size_t r = ws_table_add_row(t);
    ws_table_set_double(t, r, 0, NAN);
    ws_table_set_double(t, r, 1, INFINITY);
    r = ws_table_add_row(t);
    ws_table_set_double(t, r, 0, -INFINITY);
    ws_provenance p = demo_provenance();
    char *out = render(t, &p, WS_FORMAT_TABLE);
    char *line;
    line = nth_line(out, 9);
    ck_assert_str_eq(line, "   x  long_value_name");
    free(line);
    line = nth_line(out, 10);
    ck_assert_str_eq(line, "----  ---------------");
    free(line);
    line = nth_line(out, 11);
    ck_assert_str_eq(line, " nan              inf");
    free(line);
    line = nth_line(out, 12);
    ck_assert_str_eq(line, "-inf                -");
    free(line);
    free(out);

    out = render(t, &p, WS_FORMAT_CSV);
    ck_assert_str_eq(out + strlen(demo_comments), "x,long_value_name\nnan,inf\n-inf,\n");
    free(out);
    ws_table_free(t);
}
END_TEST

/* people read 6 significant digits; CSV keeps the exact value */
START_TEST(test_table_rounds_doubles_for_people)
{
    static const char *const cols[] = {"bandwidth_GB_per_s"};
    ws_table *t = ws_table_new("round", 1, cols);
    size_t r = ws_table_add_row(t);
    ws_table_set_double(t, r, 0, 3349.7904286516505);
    ws_provenance p = demo_provenance();
    char *out = render(t, &p, WS_FORMAT_TABLE);
    char *line = nth_line(out, 11);
    ck_assert_str_eq(line, "           3349.79");
    free(line);
    free(out);
    out = render(t, &p, WS_FORMAT_CSV);
    ck_assert_str_eq(out + strlen(demo_comments), "bandwidth_GB_per_s\n3349.7904286516505\n");
    free(out);
    ws_table_free(t);
}
END_TEST

START_TEST(test_table_utf8_width)
{
    static const char *const cols[] = {"name", "n"};
    ws_table *t = ws_table_new("", 2, cols);
    size_t r = ws_table_add_row(t);
    ws_table_set_str(t, r, 0, "caf\xc3\xa9");
    ws_table_set_int(t, r, 1, 1);
    r = ws_table_add_row(t);
    ws_table_set_str(t, r, 0, "ab");
    ws_table_set_int(t, r, 1, 22);
    ws_provenance p = demo_provenance();
    char *out = render(t, &p, WS_FORMAT_TABLE);
    char expected[1024];
    snprintf(expected, sizeof expected, "%s%s", demo_comments,      /* no title line */
             "\n"
             "name   n\n"
             "----  --\n"
             "caf\xc3\xa9   1\n"
             "ab    22\n");
    ck_assert_str_eq(out, expected);
    free(out);
    ws_table_free(t);
}
END_TEST

/* ------------------------------------------------------------ table API */

START_TEST(test_determinism)
{
    ws_provenance p = demo_provenance();
    for (int f = WS_FORMAT_TABLE; f <= WS_FORMAT_JSON; f++) {
        ws_table *a = demo_table();
        ws_table *b = demo_table();
        char *x = render(a, &p, (ws_format)f);
        char *y = render(a, &p, (ws_format)f);
        char *z = render(b, &p, (ws_format)f);
        ck_assert_str_eq(x, y);
        ck_assert_str_eq(x, z);
        free(x);
        free(y);
        free(z);
        ws_table_free(a);
        ws_table_free(b);
    }
}
END_TEST

START_TEST(test_set_twice_replaces)
{
    static const char *const cols[] = {"v"};
    ws_table *t = ws_table_new("r", 1, cols);
    size_t r = ws_table_add_row(t);
    ws_table_set_str(t, r, 0, "first");
    ws_table_set_str(t, r, 0, "second");
    ws_provenance p = demo_provenance();
    char *out = render(t, &p, WS_FORMAT_CSV);
    ck_assert_str_eq(out + strlen(demo_comments), "v\nsecond\n");
    free(out);
    ws_table_set_int(t, r, 0, 5);                   /* frees "second" */
    ws_table_set_str(t, r, 0, "again");
    ws_table_set_double(t, r, 0, 2.5);              /* frees "again" */
    out = render(t, &p, WS_FORMAT_CSV);
    ck_assert_str_eq(out + strlen(demo_comments), "v\n2.5\n");
    free(out);
    ws_table_set_str(t, r, 0, "last");              /* left for ws_table_free */
    ws_table_free(t);
    ws_table_free(NULL);
}
END_TEST

START_TEST(test_table_owns_strings)
{
    char title[] = "title", col[] = "col", val[] = "val";
    const char *cols[] = {col};
    ws_table *t = ws_table_new(title, 1, cols);
    size_t r = ws_table_add_row(t);
    ws_table_set_str(t, r, 0, val);
    title[0] = col[0] = val[0] = 'X';
    ws_provenance p = demo_provenance();
    char *out = render(t, &p, WS_FORMAT_JSON);
    ck_assert_ptr_nonnull(strstr(out, "\"title\": \"title\""));
    ck_assert_ptr_nonnull(strstr(out, "\"col\": \"val\""));
    free(out);
    ws_table_free(t);
}
END_TEST

START_TEST(test_many_rows)
{
    static const char *const cols[] = {"i", "sq"};
    ws_table *t = ws_table_new("many", 2, cols);
    for (int64_t i = 0; i < 1000; i++) {
        size_t r = ws_table_add_row(t);
        ck_assert_uint_eq(r, (size_t)i);
        ws_table_set_int(t, r, 0, i);
        if (i % 3 == 0)
            ws_table_set_str(t, r, 1, "three");
    }
    ck_assert_uint_eq(ws_table_rows(t), 1000);
    ws_provenance p = demo_provenance();
    char *out = render(t, &p, WS_FORMAT_CSV);
    ck_assert_ptr_nonnull(strstr(out, "\n998,\n999,three\n"));
    free(out);
    ws_table_free(t);
}
END_TEST

START_TEST(test_out_of_range_row_aborts)
{
    static const char *const cols[] = {"a"};
    ws_table *t = ws_table_new("oops", 1, cols);
    ws_table_add_row(t);
    ws_table_set_int(t, 1, 0, 1);
}
END_TEST

START_TEST(test_out_of_range_col_aborts)
{
    static const char *const cols[] = {"a"};
    ws_table *t = ws_table_new("oops", 1, cols);
    ws_table_add_row(t);
    ws_table_set_str(t, 0, 1, "x");
}
END_TEST

/* ------------------------------------------------------------ provenance */

START_TEST(test_provenance_init)
{
    ws_provenance p;
    ck_assert_int_eq(setenv("SOURCE_DATE_EPOCH", "1700000000", 1), 0);
    ws_provenance_init(&p, "wafersim options");
    ck_assert_str_eq(p.command, "wafersim options");
#ifdef PACKAGE_VERSION
    ck_assert_str_eq(p.version, PACKAGE_VERSION);
#endif
    ck_assert_str_eq(p.revision, WS_REVISION);
    ck_assert_str_eq(p.date, "2023-11-14T22:13:20Z");
    ck_assert_ptr_null(p.config_path);
    ck_assert_str_eq(p.config_hash, "");
    ck_assert(!p.has_seed);

    static const char *const invalid[] = {"", "abc", "-5", "12x", " 5", "+5",
                                          "99999999999999999999999"};
    for (size_t k = 0; k < sizeof invalid / sizeof invalid[0]; k++) {
        char before[32];
        time_t now = time(NULL);
        struct tm tm;
        ck_assert_ptr_nonnull(gmtime_r(&now, &tm));
        ck_assert_uint_ne(strftime(before, sizeof before, "%Y-%m-%dT%H:%M:%SZ", &tm), 0);
        ck_assert_int_eq(setenv("SOURCE_DATE_EPOCH", invalid[k], 1), 0);
        ws_provenance_init(&p, "x");
        ck_assert_uint_eq(strlen(p.date), 20);
        ck_assert_msg(strcmp(p.date, before) >= 0, "SOURCE_DATE_EPOCH='%s' gave %s",
                      invalid[k], p.date);
    }
    ck_assert_int_eq(unsetenv("SOURCE_DATE_EPOCH"), 0);
    ws_provenance_init(&p, "x");
    ck_assert_uint_eq(strlen(p.date), 20);
    ck_assert_int_eq(p.date[4], '-');
    ck_assert_int_eq(p.date[10], 'T');
    ck_assert_int_eq(p.date[19], 'Z');
}
END_TEST

/* ------------------------------------------------------------ formats */

START_TEST(test_format_parse)
{
    ws_format f = WS_FORMAT_JSON;
    ck_assert_int_eq(ws_format_parse("table", &f), 0);
    ck_assert_int_eq(f, WS_FORMAT_TABLE);
    ck_assert_int_eq(ws_format_parse("csv", &f), 0);
    ck_assert_int_eq(f, WS_FORMAT_CSV);
    ck_assert_int_eq(ws_format_parse("json", &f), 0);
    ck_assert_int_eq(f, WS_FORMAT_JSON);

    static const char *const bad[] = {"", "CSV", "Json", "tsv", "csv ", "tab", "tables"};
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        f = WS_FORMAT_TABLE;
        ck_assert_int_eq(ws_format_parse(bad[k], &f), -1);
        ck_assert_int_eq(f, WS_FORMAT_TABLE);                  /* untouched */
    }
    ck_assert_int_eq(ws_format_parse(NULL, &f), -1);

    ws_format d = ws_format_default();
    ck_assert_int_eq(d, isatty(STDOUT_FILENO) ? WS_FORMAT_TABLE : WS_FORMAT_CSV);
}
END_TEST

/* ------------------------------------------------------------ atomic files */

START_TEST(test_atomic_write_complete)
{
    make_tmp_dir();
    ws_table *t = demo_table();
    ws_provenance p = demo_provenance();
    char err[256] = "";
    const char *path = in_tmp("out.csv");
    ck_assert_int_eq(ws_table_write(t, &p, WS_FORMAT_CSV, path, err, sizeof err), 0);
    char *want = render(t, &p, WS_FORMAT_CSV);
    char *got = fx_slurp(path, NULL);
    ck_assert_ptr_nonnull(got);
    ck_assert_str_eq(got, want);
    int n_tmp;
    ck_assert_int_eq(count_entries(&n_tmp), 1);
    ck_assert_int_eq(n_tmp, 0);
    free(want);
    free(got);
    ws_table_free(t);
    remove_tmp_dir();
}
END_TEST

START_TEST(test_atomic_mode_follows_umask)
{
    make_tmp_dir();
    mode_t old = umask(022);
    char err[256] = "";
    ws_atomic_file *f = ws_atomic_open(in_tmp("m.txt"), err, sizeof err);
    ck_assert_ptr_nonnull(f);
    fputs("hello\n", f->fp);
    ck_assert_int_eq(ws_atomic_commit(f, err, sizeof err), 0);
    struct stat st;
    ck_assert_int_eq(stat(in_tmp("m.txt"), &st), 0);
    ck_assert_int_eq(st.st_mode & 0777, 0644);
    umask(old);
    remove_tmp_dir();
}
END_TEST

START_TEST(test_atomic_missing_dir)
{
    make_tmp_dir();
    ws_table *t = demo_table();
    ws_provenance p = demo_provenance();
    char err[512] = "";
    const char *path = in_tmp("no_such_dir/out.json");
    ck_assert_int_eq(ws_table_write(t, &p, WS_FORMAT_JSON, path, err, sizeof err), -1);
    ck_assert_msg(strstr(err, path) != NULL, "message '%s' does not name %s", err, path);
    ck_assert_ptr_nonnull(strstr(err, strerror(ENOENT)));
    ck_assert_int_eq(count_entries(NULL), 0);

    ck_assert_ptr_null(ws_atomic_open(path, err, sizeof err));
    ck_assert_ptr_nonnull(strstr(err, path));
    ck_assert_int_eq(count_entries(NULL), 0);
    ws_table_free(t);
    remove_tmp_dir();
}
END_TEST

START_TEST(test_atomic_abort_keeps_old)
{
    make_tmp_dir();
    const char *path = in_tmp("keep.txt");
    write_text(path, "old contents\n");
    char err[256] = "";
    ws_atomic_file *f = ws_atomic_open(path, err, sizeof err);
    ck_assert_ptr_nonnull(f);
    fputs("new contents that must not appear\n", f->fp);
    fflush(f->fp);
    int n_tmp;
    ck_assert_int_eq(count_entries(&n_tmp), 2);      /* the temporary exists */
    ck_assert_int_eq(n_tmp, 1);
    ws_atomic_abort(f);
    char *got = fx_slurp(path, NULL);
    ck_assert_str_eq(got, "old contents\n");
    free(got);
    ck_assert_int_eq(count_entries(&n_tmp), 1);
    ck_assert_int_eq(n_tmp, 0);
    remove_tmp_dir();
}
END_TEST

START_TEST(test_atomic_second_write_replaces)
{
    make_tmp_dir();
    const char *path = in_tmp("twice.json");
    ws_provenance p = demo_provenance();
    char err[256] = "";
    ws_table *t = demo_table();
    ck_assert_int_eq(ws_table_write(t, &p, WS_FORMAT_JSON, path, err, sizeof err), 0);
    struct stat st1;
    ck_assert_int_eq(stat(path, &st1), 0);
    ws_table_free(t);

    static const char *const cols[] = {"only"};
    t = ws_table_new("second", 1, cols);
    ws_table_set_int(t, ws_table_add_row(t), 0, 1);
    ck_assert_int_eq(ws_table_write(t, &p, WS_FORMAT_CSV, path, err, sizeof err), 0);
    struct stat st2;
    ck_assert_int_eq(stat(path, &st2), 0);
    ck_assert(st1.st_ino != st2.st_ino);              /* replaced, not rewritten */
    char *got = fx_slurp(path, NULL);
    char expected[512];
    snprintf(expected, sizeof expected, "%sonly\n1\n", demo_comments);
    ck_assert_str_eq(got, expected);
    free(got);
    int n_tmp;
    ck_assert_int_eq(count_entries(&n_tmp), 1);
    ck_assert_int_eq(n_tmp, 0);
    ws_table_free(t);
    remove_tmp_dir();
}
END_TEST

START_TEST(test_atomic_commit_failure_removes_temp)
{
    make_tmp_dir();
    const char *path = in_tmp("adir");
    ck_assert_int_eq(mkdir(path, 0755), 0);
    write_text(in_tmp("adir/inside"), "x");           /* rename over it fails */
    char err[512] = "";
    ws_atomic_file *f = ws_atomic_open(path, err, sizeof err);
    ck_assert_ptr_nonnull(f);
    fputs("data\n", f->fp);
    ck_assert_int_eq(ws_atomic_commit(f, err, sizeof err), -1);
    ck_assert_ptr_nonnull(strstr(err, path));
    int n_tmp;
    ck_assert_int_eq(count_entries(&n_tmp), 1);
    ck_assert_int_eq(n_tmp, 0);
    unlink(in_tmp("adir/inside"));
    remove_tmp_dir();
}
END_TEST

START_TEST(test_atomic_stdout)
{
    char err[64] = "";
    ws_atomic_file *f = ws_atomic_open("-", err, sizeof err);
    ck_assert_ptr_nonnull(f);
    ck_assert_ptr_eq(f->fp, stdout);
    ck_assert_ptr_null(f->final_path);
    ck_assert_ptr_null(f->temp_path);
    ck_assert_int_eq(ws_atomic_commit(f, err, sizeof err), 0);
    f = ws_atomic_open(NULL, err, sizeof err);
    ck_assert_ptr_nonnull(f);
    ck_assert_ptr_eq(f->fp, stdout);
    ws_atomic_abort(f);
    ck_assert_int_eq(fputs("", stdout) >= 0, 1);          /* stdout still open */
}
END_TEST

/* A FIFO (like /dev/null, not a regular file) is written in place: a reader
 * gets the whole rendering and the FIFO is still a FIFO afterwards (a
 * temp + rename would have replaced it by a regular file). */
START_TEST(test_atomic_device_written_in_place)
{
    make_tmp_dir();
    const char *fifo = in_tmp("pipe");
    ck_assert_int_eq(mkfifo(fifo, 0600), 0);
    int res[2];
    ck_assert_int_eq(pipe(res), 0);
    pid_t child = fork();
    ck_assert_int_ge(child, 0);
    if (child == 0) {   /* the reader: counts the bytes, reports them */
        FILE *in = fopen(fifo, "r");
        long n = 0;
        while (in && fgetc(in) != EOF)
            n++;
        if (write(res[1], &n, sizeof n) != (ssize_t)sizeof n)
            _exit(1);
        _exit(0);
    }
    ws_table *t = demo_table();
    ws_provenance p = demo_provenance();
    char err[256] = "";
    ck_assert_int_eq(ws_table_write(t, &p, WS_FORMAT_CSV, fifo, err, sizeof err), 0);
    long got = -1;
    ck_assert_int_eq(read(res[0], &got, sizeof got), (ssize_t)sizeof got);
    int status;
    waitpid(child, &status, 0);
    char *want = render(t, &p, WS_FORMAT_CSV);
    ck_assert_int_eq(got, (long)strlen(want));
    struct stat st;
    ck_assert_int_eq(stat(fifo, &st), 0);
    ck_assert_msg(S_ISFIFO(st.st_mode), "the FIFO was replaced");
    int n_tmp;
    ck_assert_int_eq(count_entries(&n_tmp), 1);
    ck_assert_int_eq(n_tmp, 0);
    unlink(fifo);
    close(res[0]);
    close(res[1]);
    free(want);
    ws_table_free(t);
    remove_tmp_dir();
}
END_TEST

/* ------------------------------------------------------------ runner */

static Suite *output_suite(void)
{
    Suite *s = suite_create("output");
    TCase *tc = tcase_create("render");
    tcase_add_test(tc, test_csv_exact);
    tcase_add_test(tc, test_csv_quoting);
    tcase_add_test(tc, test_csv_provenance_defaults);
    tcase_add_test(tc, test_comment_values_stay_on_one_line);
    tcase_add_test(tc, test_json_exact);
    tcase_add_test(tc, test_json_escaping_and_nonfinite);
    tcase_add_test(tc, test_json_provenance_nulls_and_empty_rows);
    tcase_add_test(tc, test_table_alignment);
    tcase_add_test(tc, test_table_nonfinite_and_empty_numeric);
    tcase_add_test(tc, test_table_rounds_doubles_for_people);
    tcase_add_test(tc, test_table_utf8_width);
    tcase_add_test(tc, test_determinism);
    suite_add_tcase(s, tc);

    tc = tcase_create("table_api");
    tcase_add_test(tc, test_set_twice_replaces);
    tcase_add_test(tc, test_table_owns_strings);
    tcase_add_test(tc, test_many_rows);
    tcase_add_test(tc, test_provenance_init);
    tcase_add_test(tc, test_format_parse);
    /* abort() can only be observed when each test runs in its own process */
    const char *fork_env = getenv("CK_FORK");
    if (fork_env == NULL || strcmp(fork_env, "no") != 0) {
        tcase_add_test_raise_signal(tc, test_out_of_range_row_aborts, SIGABRT);
        tcase_add_test_raise_signal(tc, test_out_of_range_col_aborts, SIGABRT);
    }
    suite_add_tcase(s, tc);

    tc = tcase_create("atomic_file");
    tcase_add_test(tc, test_atomic_write_complete);
    tcase_add_test(tc, test_atomic_mode_follows_umask);
    tcase_add_test(tc, test_atomic_missing_dir);
    tcase_add_test(tc, test_atomic_abort_keeps_old);
    tcase_add_test(tc, test_atomic_second_write_replaces);
    tcase_add_test(tc, test_atomic_commit_failure_removes_temp);
    tcase_add_test(tc, test_atomic_stdout);
    tcase_add_test(tc, test_atomic_device_written_in_place);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return ws_check_run(output_suite());
}
