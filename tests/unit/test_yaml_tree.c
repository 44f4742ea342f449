/* tests/unit/test_yaml_tree.c — unit tests of core/yaml_tree.c on hostile
 * and odd input:
 *   - the limits: an alias bomb stops at WS_YAML_MAX_NODES nodes, with a
 *     positioned error, instead of growing to gigabytes; deep flow nesting
 *     stops at the first level too deep while parsing (libyaml's scanner is
 *     O(depth) per token, so 10^6 '[' used to take hours); input above
 *     WS_YAML_MAX_BYTES is refused before parsing;
 *   - no quadratic trap: duplicate keys among 10^5 keys, merging two large
 *     mappings;
 *   - aliases: copies of their anchor, recursive (&x [*x]), undefined,
 *     duplicate anchors, an alias as a key;
 *   - NUL characters in keys and scalars;
 *   - positions: invalid UTF-8 has a line and column, a directory is named
 *     as such, errors at the end of the text point inside it (one-line
 *     --set values, a trailing "---").
 * Every load that fails must report exactly one error and return NULL.
 */
#define _POSIX_C_SOURCE 200809L
#include "core/yaml_tree.h"

#include <check.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tests/unit/check_main.h"
#include "tests/unit/diag_text.h"

/* ------------------------------------------------------------ helpers */


/* Loads text that must fail with one error at line:column whose text
 * contains `fragment` (and `fragment2` when not NULL). */
static void expect_error_at(const char *text, size_t len, unsigned column_offset, unsigned line,
                            unsigned column, const char *fragment, const char *fragment2)
{
    ws_diag d;
    ws_diag_init(&d, 0);
    ws_ynode *t;
    if (len == (size_t)-1) {
        t = ws_yaml_load_string(text, "<test>", column_offset, &d);
    } else {
        /* text with NUL bytes: through a file */
        char path[] = "/tmp/wafersim-test_yaml_tree-XXXXXX";
        int fd = mkstemp(path);
        ck_assert_int_ge(fd, 0);
        ck_assert_int_eq(write(fd, text, len), (ssize_t)len);
        close(fd);
        t = ws_yaml_load_file(path, &d);
        unlink(path);
    }
    char *printed = diag_text(&d);
    ck_assert_msg(t == NULL, "loaded; diag:\n%s", printed);
    ck_assert_msg(ws_diag_count(&d) == 1 && d.n_stored == 1, "%zu errors:\n%s", ws_diag_count(&d),
                  printed);
    const ws_diag_msg *m = &d.msgs[0];
    ck_assert_msg(m->line == line && m->column == column, "at %u:%u, expected %u:%u:\n%s", m->line,
                  m->column, line, column, printed);
    ck_assert_msg(m->text && strstr(m->text, fragment), "message lacks '%s':\n%s", fragment, printed);
    if (fragment2)
        ck_assert_msg(strstr(m->text, fragment2), "message lacks '%s':\n%s", fragment2, printed);
    free(printed);
    ws_diag_free(&d);
}

#define EXPECT_ERROR(text, line, column, fragment, fragment2) \
    expect_error_at((text), (size_t)-1, 0, (line), (column), (fragment), (fragment2))

static ws_ynode *load_ok(const char *text)
{
    ws_diag d;
    ws_diag_init(&d, 0);
    ws_ynode *t = ws_yaml_load_string(text, "<test>", 0, &d);
    char *printed = diag_text(&d);
    ck_assert_msg(t != NULL && ws_diag_count(&d) == 0, "'%.60s' failed:\n%s", text, printed);
    free(printed);
    ws_diag_free(&d);
    return t;
}

/* A growing text buffer. */
typedef struct sbuf {
    char *s;
    size_t len, cap;
} sbuf;

__attribute__((format(printf, 2, 3)))
static void sb_printf(sbuf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    ck_assert_int_ge(n, 0);
    if (b->len + (size_t)n + 1 > b->cap) {
        b->cap = (b->len + (size_t)n + 1) * 2;
        b->s = realloc(b->s, b->cap);
        ck_assert_ptr_nonnull(b->s);
    }
    va_start(ap, fmt);
    vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

static char *repeat(char c, size_t n)
{
    char *s = malloc(n + 1);
    ck_assert_ptr_nonnull(s);
    memset(s, c, n);
    s[n] = '\0';
    return s;
}

/* ------------------------------------------------------------ limits */

/* Regression: "billion laughs", 9 lines growing to 9^9 nodes (8 GB, then
 * an abort) by copying aliases. */
START_TEST(test_alias_bomb)
{
    static const char bomb[] =
        "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n"
        "b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\n"
        "c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n"
        "d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\n"
        "e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\n"
        "f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\n"
        "g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]\n"
        "h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]\n"
        "i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]\n";
    /* f's first use of *e would pass 100000 nodes: 91 + 820 + 7381 + 66430
     * nodes so far, then 66430 more */
    EXPECT_ERROR(bomb, 6, 8, "more than 100000 YAML nodes", "alias *e");
}
END_TEST

static char *flow_list(size_t items)
{
    sbuf b = { 0 };
    sb_printf(&b, "[");
    for (size_t i = 0; i < items; i++)
        sb_printf(&b, i ? ",1" : "1");
    sb_printf(&b, "]\n");
    return b.s;
}

START_TEST(test_node_limit_exact)
{
    /* the list and its items: exactly the limit */
    char *text = flow_list(WS_YAML_MAX_NODES - 1);
    ws_ynode *t = load_ok(text);
    ck_assert_uint_eq(t->n, WS_YAML_MAX_NODES - 1);
    ws_ynode_free(t);
    free(text);
    text = flow_list(WS_YAML_MAX_NODES);
    EXPECT_ERROR(text, 1, 2 * WS_YAML_MAX_NODES, "more than 100000 YAML nodes", NULL);
    free(text);
}
END_TEST

START_TEST(test_aliases)
{
    /* an alias is a copy of its anchored node, positions included */
    ws_ynode *t = load_ok("a: &x {k: 1, l: [2, 3]}\nb: *x\nc: &s text\n*s : 4\n");
    const ws_ynode *a = ws_ynode_map_get(t, "a"), *b = ws_ynode_map_get(t, "b");
    ck_assert_ptr_nonnull(b);
    ck_assert_ptr_ne(a, b);
    ck_assert_int_eq(b->kind, WS_YMAPPING);
    ck_assert_str_eq(ws_ynode_map_get(b, "k")->text, "1");
    ck_assert_str_eq(ws_ynode_map_get(b, "l")->items[1]->text, "3");
    ck_assert_uint_eq(b->line, 1);
    ck_assert_uint_eq(b->column, 4);   /* where the anchored node starts: its anchor */
    /* an alias of a scalar as a key */
    ck_assert_str_eq(ws_ynode_map_get(t, "text")->text, "4");
    ws_ynode_free(t);

    /* regression: a self-reference said "nesting deeper than 64 levels" */
    EXPECT_ERROR("a: &x [*x]\n", 1, 8, "alias *x refers to a node that contains it", "line 1, column 4");
    EXPECT_ERROR("a: &x {b: [1, {c: *x}]}\n", 1, 19, "refers to a node that contains it", NULL);
    EXPECT_ERROR("a: *nowhere\n", 1, 4, "undefined alias *nowhere", NULL);
    EXPECT_ERROR("a: &x 1\nb: &x 2\n", 2, 4, "duplicate anchor &x", "line 1, column 4");
    EXPECT_ERROR("a: &m {k: 1}\n*m : 2\n", 2, 1, "expected a plain key, found a mapping", NULL);
    /* an alias nesting past the limit */
    char *deep = repeat('[', 40), *close = repeat(']', 40);
    sbuf sb = { 0 };
    sb_printf(&sb, "a: &d %s%s\nb: %s*d%s\n", deep, close, deep, close);
    EXPECT_ERROR(sb.s, 2, 44, "nesting deeper than 64 levels", "alias *d");
    free(sb.s);
    free(deep);
    free(close);
}
END_TEST

START_TEST(test_depth_limit)
{
    char *open = repeat('[', 64), *close = repeat(']', 64);
    sbuf b = { 0 };
    sb_printf(&b, "%s%s\n", open, close);
    ws_ynode_free(load_ok(b.s));
    free(b.s);
    free(open);
    free(close);
    open = repeat('[', 65);
    EXPECT_ERROR(open, 1, 65, "nesting deeper than 64 levels", NULL);
    free(open);
    /* block mappings: keys are not levels */
    b = (sbuf){ 0 };
    for (int i = 0; i < 70; i++)
        sb_printf(&b, "%*sk%d:\n", 2 * i, "", i);
    EXPECT_ERROR(b.s, 65, 129, "nesting deeper than 64 levels", NULL);
    free(b.s);
    /* Regression: libyaml's scanner costs O(flow depth) per token and the
     * depth used to be checked after the whole document was loaded: this
     * took hours (100000 '[' took 27 s). Now it stops at the 65th. */
    open = repeat('[', WS_YAML_MAX_BYTES - 1);
    EXPECT_ERROR(open, 1, 65, "nesting deeper than 64 levels", NULL);
    free(open);
}
END_TEST

START_TEST(test_size_limit)
{
    /* exactly the limit is parsed */
    char *text = repeat(' ', WS_YAML_MAX_BYTES);
    text[0] = '#';
    ws_ynode *t = load_ok(text);
    ck_assert_int_eq(t->kind, WS_YMAPPING);
    ws_ynode_free(t);
    free(text);
    text = repeat('[', WS_YAML_MAX_BYTES + 1);
    EXPECT_ERROR(text, 0, 0, "too large: 1048577 bytes", "1 MiB");
    free(text);
    /* a file: refused from its size, before reading it (10 MB) */
    char path[] = "/tmp/wafersim-test_yaml_tree-XXXXXX";
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(ftruncate(fd, 10000000), 0);
    close(fd);
    ws_diag d;
    ws_diag_init(&d, 0);
    ck_assert_ptr_null(ws_yaml_load_file(path, &d));
    ck_assert_uint_eq(ws_diag_count(&d), 1);
    ck_assert_str_eq(d.msgs[0].file, path);
    ck_assert_msg(strstr(d.msgs[0].text, "too large: 10000000 bytes"), "%s", d.msgs[0].text);
    ws_diag_free(&d);
    unlink(path);
}
END_TEST

/* Regression: the duplicate-key check scanned the mapping for each key
 * (100000 keys took 39 s). */
START_TEST(test_many_keys)
{
    enum { N = 90000 };
    sbuf b = { 0 };
    for (int i = 0; i < N; i++)
        sb_printf(&b, "k%d: %c\n", i, 'a' + i % 26);
    ws_ynode *t = load_ok(b.s);
    ck_assert_uint_eq(t->n, N);
    ck_assert_str_eq(ws_ynode_map_get(t, "k4711")->text, "f");   /* 4711 % 26 = 5 */
    ws_ynode_free(t);
    /* the first key (in file order) equal to an earlier one is reported */
    sb_printf(&b, "k77: again\nk5: again\n");
    EXPECT_ERROR(b.s, N + 1, 1, "duplicate key \"k77\" in this mapping", NULL);
    free(b.s);
    EXPECT_ERROR("a: 1\nb: 1\nb: 2\na: 2\n", 3, 1, "duplicate key \"b\"", NULL);
    EXPECT_ERROR("x: {a: 1, b: 2, a: 3}\n", 1, 17, "duplicate key \"a\"", NULL);
}
END_TEST

/* Merging used to look each key up by a linear scan of the growing base. */
START_TEST(test_merge_large)
{
    enum { N = 60000 };
    sbuf b1 = { 0 }, b2 = { 0 };
    for (int i = 0; i < N; i++) {
        sb_printf(&b1, "k%d: base\n", i);
        sb_printf(&b2, "k%d: over\n", i + N / 2);
    }
    sb_printf(&b1, "m: {x: 1, y: 2}\n");
    sb_printf(&b2, "m: {y: 3, z: 4}\n");
    ws_ynode *base = load_ok(b1.s), *over = load_ok(b2.s);
    ws_ynode_merge(base, over);
    ck_assert_uint_eq(base->n, N + N / 2 + 1);
    ck_assert_str_eq(ws_ynode_map_get(base, "k0")->text, "base");
    ck_assert_str_eq(ws_ynode_map_get(base, "k30000")->text, "over");
    ck_assert_str_eq(ws_ynode_map_get(base, "k89999")->text, "over");
    const ws_ynode *m = ws_ynode_map_get(base, "m");
    ck_assert_uint_eq(m->n, 3);
    ck_assert_str_eq(ws_ynode_map_get(m, "x")->text, "1");
    ck_assert_str_eq(ws_ynode_map_get(m, "y")->text, "3");
    ck_assert_str_eq(ws_ynode_map_get(m, "z")->text, "4");
    ws_ynode_free(base);
    free(b1.s);
    free(b2.s);
}
END_TEST

/* ------------------------------------------------------------ content */

START_TEST(test_nul_characters)
{
    /* regression: a NUL in a key was silently cut ("clock\0junk" read as
     * "clock") */
    EXPECT_ERROR("sim:\n  \"clock\\0junk\": 2 GHz\n", 2, 3, "key contains a NUL character", NULL);
    EXPECT_ERROR("sim:\n  clock: \"2\\0 GHz\"\n", 2, 10, "scalar contains a NUL character", NULL);
}
END_TEST

START_TEST(test_empty_and_comments)
{
    ws_ynode *t = load_ok("");
    ck_assert_int_eq(t->kind, WS_YMAPPING);
    ck_assert_uint_eq(t->n, 0);
    ws_ynode_free(t);
    t = load_ok("# nothing here\n\n");
    ck_assert_int_eq(t->kind, WS_YMAPPING);
    ck_assert_uint_eq(t->n, 0);
    ws_ynode_free(t);
    t = load_ok("---\na: [1, {b: 2}]\n...\n");
    ck_assert_str_eq(ws_ynode_map_get(t, "a")->items[1]->keys[0], "b");
    ws_ynode_free(t);
    EXPECT_ERROR("a: 1\n---\nb: 2\n", 3, 1, "expected a single YAML document, found a second one", NULL);
    EXPECT_ERROR("{a: 1}: 2\n", 1, 1, "expected a plain key, found a mapping", NULL);
}
END_TEST

/* ------------------------------------------------------------ positions */

START_TEST(test_positions_clamped)
{
    /* regression: "--set 'sim.clock=[1'" was reported on line 2 (libyaml
     * puts the end of the stream on the line after the last); it is line 1,
     * just after the last character: column 2 + 1 + the offset 10 */
    expect_error_at("[1", (size_t)-1, 10, 1, 13, "YAML syntax error", NULL);
    EXPECT_ERROR("a: [1\n", 1, 6, "YAML syntax error", NULL);
    EXPECT_ERROR("a: [1\r\n", 1, 6, "YAML syntax error", NULL);
    /* regression: a trailing "---" (an empty second document) was reported
     * one line past the end */
    EXPECT_ERROR("a: 1\nb: 2\n---\n", 3, 4, "found a second one", NULL);
    EXPECT_ERROR("a: 1\n...\n---\n", 3, 4, "found a second one", NULL);
}
END_TEST

START_TEST(test_positions_invalid_utf8)
{
    /* regression: reader errors had no line and column */
    static const char bad1[] = "sim:\n  clock: \xff\xfe GHz\n";
    expect_error_at(bad1, sizeof bad1 - 1, 0, 2, 10, "invalid leading UTF-8 octet", "0xFF");
    static const char bad2[] = "sim:\n  clock: 1 GHz\nhw: \xc3(\n";
    expect_error_at(bad2, sizeof bad2 - 1, 0, 3, 6, "invalid trailing UTF-8 octet", "UTF-8 text");
    /* columns count characters, as libyaml's marks do */
    static const char bad3[] = "d\xc3\xa9j\xc3\xa0: \x80\n";
    expect_error_at(bad3, sizeof bad3 - 1, 0, 1, 7, "UTF-8", NULL);
    static const char ctl[] = "a: 1\nb: \x01\n";
    expect_error_at(ctl, sizeof ctl - 1, 0, 2, 4, "control characters are not allowed", "U+0001");
}
END_TEST

START_TEST(test_directory)
{
    char dir[] = "/tmp/wafersim-test_yaml_tree-XXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(dir));
    ws_diag d;
    ws_diag_init(&d, 0);
    ck_assert_ptr_null(ws_yaml_load_file(dir, &d));
    ck_assert_uint_eq(ws_diag_count(&d), 1);
    /* regression: "YAML syntax error: input error" */
    ck_assert_msg(strstr(d.msgs[0].text, "is a directory"), "%s", d.msgs[0].text);
    ck_assert_uint_eq(d.msgs[0].line, 0);
    ws_diag_free(&d);
    rmdir(dir);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("yaml_tree");
    TCase *tc = tcase_create("limits");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_alias_bomb);
    tcase_add_test(tc, test_node_limit_exact);
    tcase_add_test(tc, test_aliases);
    tcase_add_test(tc, test_depth_limit);
    tcase_add_test(tc, test_size_limit);
    tcase_add_test(tc, test_many_keys);
    tcase_add_test(tc, test_merge_large);
    suite_add_tcase(s, tc);
    tc = tcase_create("content");
    tcase_add_test(tc, test_nul_characters);
    tcase_add_test(tc, test_empty_and_comments);
    tcase_add_test(tc, test_positions_clamped);
    tcase_add_test(tc, test_positions_invalid_utf8);
    tcase_add_test(tc, test_directory);
    suite_add_tcase(s, tc);
    return ws_check_run(s);
}
