/* tests/unit/test_config.c — unit tests of the experiment config
 * (core/config.c, core/config_schema.c, core/yaml_tree.c, core/diag.c).
 *
 * Pins:
 *   - every malformed config under tests/fixtures/config/bad/: the exact
 *     reported file, line and column, the key path and a distinctive part of
 *     the message (misspelt and unknown keys with "did you mean", wrong types,
 *     units missing / unknown / of the wrong kind, negative, overflowing and
 *     fractional quantities, integer and percentage ranges, the grid check
 *     hook, enums, booleans, nulls, YAML syntax errors, duplicate keys, two
 *     documents, non-mapping top levels, unknown / missing / nested presets,
 *     missing required keys);
 *   - that independent errors are all collected and printed in line order,
 *     and the diag limit ("N more errors not shown");
 *   - the numbers of the shipped presets (design.md section 2.1);
 *   - "--set" overrides (values, nested mappings, positions of their errors,
 *     refused and malformed ones), user files over presets, and errors in
 *     preset values pointing at the preset file;
 *   - "cycles" converted with the resolved clock;
 *   - ws_config_write round trips (same text, same hash) and
 *     ws_config_hash identity (same values = same hash, whatever spelling);
 *   - ws_config_ticks (nearest tick, a nonzero time at least 1 tick) /
 *     ws_config_bytes_per_tick;
 *   - an out-of-range clock reported once (cycles fall back to the default);
 *   - the WS_CT_OPTION mechanism for compiled-out hardware options, which
 *     write the same text (and hash) as disabled compiled-in ones.
 *
 * Needs TOP_SRCDIR (set by `make check`; by hand: TOP_SRCDIR=/work/main
 * ./tests/unit/test_config). Sets WAFERSIM_CONFIG_DIR=$TOP_SRCDIR/configs so
 * that presets resolve in out-of-tree and distcheck builds.
 *
 * Checks are recorded with EXPECT() and reported at the end of each test,
 * after everything has been freed, so that a failing test does not leak
 * under CK_FORK=no (valgrind).
 */
#define _POSIX_C_SOURCE 200809L
#ifdef HAVE_CONFIG_H
#include <config.h>
#endif

#include "core/config.h"

#include <check.h>
#include <dirent.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "arch/hwopt.h"
#include "core/config_schema.h"
#include "core/diag.h"
#include "core/hash.h"
#include "core/yaml_tree.h"
#include "tests/unit/check_main.h"
#include "tests/unit/diag_text.h"

/* ------------------------------------------------------------ helpers */

static const char *top_srcdir;   /* $TOP_SRCDIR */

/* Failures recorded by EXPECT(), reported by FINISH(). */
static char fails[16384];

static void fails_reset(void)
{
    fails[0] = '\0';
}

__attribute__((format(printf, 4, 5)))
static bool expect_at(bool cond, const char *file, int line, const char *fmt, ...)
{
    if (cond)
        return true;
    size_t used = strlen(fails);
    if (used + 2 >= sizeof fails)
        return false;
    int n = snprintf(fails + used, sizeof fails - used, "\n  %s:%d: ", file, line);
    if (n < 0 || (size_t)n >= sizeof fails - used)
        return false;
    used += (size_t)n;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(fails + used, sizeof fails - used, fmt, ap);
    va_end(ap);
    return false;
}

#define EXPECT(cond, ...) expect_at((cond), __FILE__, __LINE__, __VA_ARGS__)
#define FINISH() ck_assert_msg(fails[0] == '\0', "failed checks:%s", fails)

static bool str_eq(const char *a, const char *b)
{
    if (!a || !b)
        return a == b;
    return strcmp(a, b) == 0;
}

static const char *show(const char *s)
{
    return s ? s : "(null)";
}

__attribute__((format(printf, 1, 2)))
static char *xasprintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    ck_assert_int_ge(n, 0);
    char *s = malloc((size_t)n + 1);
    ck_assert_ptr_nonnull(s);
    va_start(ap, fmt);
    vsnprintf(s, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return s;
}

/* $TOP_SRCDIR/REL */
static char *src_path(const char *rel)
{
    return xasprintf("%s/%s", top_srcdir, rel);
}

/* $TOP_SRCDIR/tests/fixtures/config/REL */
static char *fixture_path(const char *rel)
{
    return xasprintf("%s/tests/fixtures/config/%s", top_srcdir, rel);
}


/* The config as ws_config_write writes it (malloc'ed). */
static char *config_text(const ws_config *cfg)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&buf, &len);
    ck_assert_ptr_nonnull(mem);
    ws_config_write(cfg, mem);
    fclose(mem);
    return buf;
}

/* The first stored message with this key path (NULL = none) whose text
 * contains `fragment`; NULL if there is none. */
static const ws_diag_msg *find_msg(const ws_diag *d, const char *key_path, const char *fragment)
{
    for (size_t i = 0; i < d->n_stored; i++) {
        const ws_diag_msg *m = &d->msgs[i];
        if (str_eq(m->key_path, key_path) && m->text && strstr(m->text, fragment))
            return m;
    }
    return NULL;
}

/* Checks one message: position, key path, text fragment(s). */
static void expect_msg(const ws_diag *d, const char *what, const char *file, unsigned line,
                       unsigned column, const char *key_path, const char *fragment,
                       const char *fragment2)
{
    const ws_diag_msg *m = find_msg(d, key_path, fragment);
    char *printed = diag_text(d);
    if (EXPECT(m != NULL, "%s: no message with key path %s containing '%s'; diag:\n%s", what,
               show(key_path), fragment, printed)) {
        EXPECT(str_eq(m->file, file), "%s: file is %s, expected %s", what, show(m->file), show(file));
        EXPECT(m->line == line && m->column == column, "%s: position is %u:%u, expected %u:%u (%s)",
               what, m->line, m->column, line, column, m->text);
        if (fragment2)
            EXPECT(strstr(m->text, fragment2) != NULL, "%s: message '%s' lacks '%s'", what, m->text,
                   fragment2);
    }
    free(printed);
}

/* Loads a config and expects success; on failure records the diag. */
static bool load_ok(ws_config *cfg, const char *path, const char *const *sets, size_t n_sets)
{
    ws_diag d;
    ws_diag_init(&d, 0);
    int rc = ws_config_load(cfg, path, sets, n_sets, &d);
    char *printed = diag_text(&d);
    bool ok = EXPECT(rc == 0 && ws_diag_count(&d) == 0, "loading %s failed (rc %d):\n%s", path, rc,
                     printed);
    free(printed);
    ws_diag_free(&d);
    return ok;
}

/* Temporary directories: created with mkdtemp, removed with their files. */
static char *tmp_dir_new(void)
{
    const char *base = getenv("TMPDIR");
    char *tmpl = xasprintf("%s/wafersim-test_config-XXXXXX", base && *base ? base : "/tmp");
    ck_assert_msg(mkdtemp(tmpl) != NULL, "mkdtemp %s failed", tmpl);
    return tmpl;
}

static void tmp_dir_remove(char *dir)
{
    DIR *dp = opendir(dir);
    if (dp) {
        struct dirent *e;
        while ((e = readdir(dp)) != NULL) {
            if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
                continue;
            char *p = xasprintf("%s/%s", dir, e->d_name);
            unlink(p);
            free(p);
        }
        closedir(dp);
    }
    EXPECT(rmdir(dir) == 0, "cannot remove temporary directory %s", dir);
    free(dir);
}

/* Writes text to DIR/NAME; returns the path (malloc'ed). */
static char *write_file(const char *dir, const char *name, const char *text)
{
    char *p = xasprintf("%s/%s", dir, name);
    FILE *fp = fopen(p, "w");
    ck_assert_msg(fp != NULL, "cannot create %s", p);
    fputs(text, fp);
    ck_assert_int_eq(fclose(fp), 0);
    return p;
}

/* ------------------------------------------------------------ malformed configs */

typedef struct bad_case {
    const char *file;       /* under tests/fixtures/config/bad/ */
    int count;              /* exact number of errors; -1: not pinned (cascades) */
    const char *err_file;   /* file of the message, relative to
                               tests/fixtures/config/; NULL: the fixture itself */
    unsigned line, column;
    const char *key_path;   /* NULL: the message has none */
    const char *fragment;   /* part of the message */
    const char *fragment2;  /* another part, or NULL */
} bad_case;

static const bad_case bad_cases[] = {
    /* keys */
    /* The key is reported in this file, although after the preset merge the
     * enclosing mapping came from the preset (regression: it used to read
     * configs/hw/dojo.yaml:2:1). */
    { "misspelt_key_top.yaml", 1, NULL, 2, 1, "smi", "unknown key \"smi\" (did you mean \"sim\"?)",
      "expected one of: preset, description, sim, hw, options" },
    { "misspelt_key_nested.yaml", 1, NULL, 3, 3, "sim.clokc",
      "unknown key \"clokc\" (did you mean \"clock\"?)", "expected one of: clock, seed, watchdog" },
    /* as misspelt_key_top, inside a section the preset also has */
    { "misspelt_key_merged_section.yaml", 1, NULL, 4, 5, "hw.link.bandwdith",
      "unknown key \"bandwdith\" (did you mean \"bandwidth\"?)", "expected one of: bandwidth, latency" },
    /* as misspelt_key_top, for a whole unknown section */
    { "unknown_section.yaml", 1, NULL, 2, 1, "network", "unknown key \"network\"; expected one of:",
      NULL },
    { "unknown_option.yaml", 1, NULL, 3, 3, "options.migrate", "unknown key \"migrate\"",
      "expert_affine, link_widening, migration" },
    /* types */
    { "list_for_mapping.yaml", 1, NULL, 3, 3, "sim", "expected a mapping, found a list", NULL },
    { "mapping_for_scalar.yaml", 1, NULL, 3, 9, "sim.seed", "found a mapping", NULL },
    /* not pinned: the section's required keys are also reported missing
     * (without a position), a cascade of the one mistake */
    { "scalar_for_mapping.yaml", -1, NULL, 3, 9, "hw.link", "expected a mapping, found \"2 TB/s\"",
      NULL },
    { "string_for_integer.yaml", 1, NULL, 3, 9, "sim.seed", "expected an integer, found \"forty-two\"",
      NULL },
    { "float_for_integer.yaml", 1, NULL, 3, 9, "sim.seed", "expected an integer, found \"1.5\"", NULL },
    { "quoted_number_for_integer.yaml", 1, NULL, 3, 9, "sim.seed", "expected an integer", "\"7\"" },
    { "bad_enum.yaml", 1, NULL, 3, 12, "hw.routing", "expected one of xy, yx, west_first, odd_even, test_deadlock_ring, found \"zigzag\"", NULL },
    { "bad_boolean_yes.yaml", 1, NULL, 3, 22, "sim.activity_skipping",
      "expected true or false, found \"yes\"", NULL },
    { "bad_boolean_maybe.yaml", 1, NULL, 3, 22, "sim.activity_skipping",
      "expected true or false, found \"maybe\"", NULL },
    { "null_value.yaml", 1, NULL, 4, 13, "hw.link.latency", "expected a time, found a null", NULL },
#ifdef WS_HAVE_OPT_MIGRATION
    { "compiled_option_bad_value.yaml", 1, NULL, 4, 14, "options.migration.enabled",
      "expected true or false, found \"on\"", NULL },
#else
    { "compiled_option_bad_value.yaml", 1, NULL, 4, 5, "options.migration", "not compiled",
      "--enable-migration" },
#endif
    /* units */
    { "missing_unit.yaml", 1, NULL, 4, 14, "hw.link.latency", "expected a time with a unit",
      "found \"200\"" },
    { "unknown_unit.yaml", 1, NULL, 4, 14, "hw.link.latency", "unknown time unit \"nanoseconds\"",
      NULL },
    { "wrong_unit_kind.yaml", 1, NULL, 4, 14, "hw.link.latency", "unknown time unit \"GB\"",
      "(\"GB\" is a size unit)" },
    { "miscased_unit.yaml", 1, NULL, 4, 16, "hw.link.bandwidth", "unknown bandwidth unit \"tb/s\"",
      NULL },
    { "negative_quantity.yaml", 1, NULL, 5, 17, "hw.tile.hbm.capacity",
      "expected a non-negative size, found \"-5 GB\"", NULL },
    { "overflow.yaml", 1, NULL, 5, 13, "hw.tile.llc.size", "at most 1e+30 B", "\"1e400 B\"" },
    { "fractional_bytes.yaml", 1, NULL, 3, 19, "hw.remote_request", "whole number of bytes",
      "\"1.5 B\"" },
    /* ranges */
    { "grid_x_zero.yaml", 1, NULL, 3, 13, "hw.grid.x", "expected an integer in [1, 1024], found 0",
      NULL },
    { "grid_x_too_large.yaml", 1, NULL, 4, 8, "hw.grid.x",
      "expected an integer in [1, 1024], found 5000", NULL },
    /* x and y are written in this file, so the grid check points at this
     * file's grid mapping (line 4, column 5, as without a preset below), not
     * at the preset's (regression: configs/hw/dojo.yaml:4:9). */
    { "grid_too_many_tiles.yaml", 1, NULL, 4, 5, "hw.grid",
      "a 1024 x 1024 grid has 1048576 tiles, more than the limit of 65536", NULL },
    { "grid_too_many_tiles_no_preset.yaml", 1, NULL, 4, 5, "hw.grid",
      "a 512 x 256 grid has 131072 tiles, more than the limit of 65536", NULL },
    { "percent_over_100.yaml", 1, NULL, 5, 17, "hw.tile.hbm.reserved",
      "expected a percentage of at most 100%", "\"150%\"" },
    /* limits in readable units (regression: "[0.001 GHz, 100 GHz]") */
    { "reserved_above_99.yaml", 1, NULL, 5, 17, "hw.tile.hbm.reserved",
      "expected a percentage in [0%, 99%], found \"99.5%\"", NULL },
    { "clock_out_of_range.yaml", 1, NULL, 3, 10, "sim.clock", "expected a frequency in [1 MHz, 100 GHz]",
      "found \"5 kHz\"" },
    /* one error: "cycles" elsewhere use the default clock, not 1 Hz
     * (regression: a second error, 200 cycles = 200 s out of range) */
    { "clock_out_of_range_with_cycles.yaml", 1, NULL, 3, 10, "sim.clock",
      "expected a frequency in [1 MHz, 100 GHz]", "found \"1 Hz\"" },
    { "missing_required_key.yaml", 1, NULL, 9, 5, "hw.link.latency",
      "missing required key \"latency\"", NULL },
    /* YAML */
    { "unclosed_flow_sequence.yaml", 1, NULL, 4, 8, NULL, "YAML syntax error",
      "did not find expected ',' or ']'" },
    { "bad_indentation.yaml", 1, NULL, 4, 3, NULL, "YAML syntax error", "did not find expected key" },
    { "tab_indentation.yaml", 1, NULL, 3, 1, NULL, "YAML syntax error",
      "found character that cannot start any token" },
    { "duplicate_key.yaml", 1, NULL, 5, 3, NULL, "duplicate key \"seed\" in this mapping", NULL },
    { "two_documents.yaml", 1, NULL, 3, 1, NULL, "expected a single YAML document, found a second one",
      NULL },
    { "top_level_list.yaml", 1, NULL, 1, 1, NULL, "expected a mapping of config keys, found a list",
      NULL },
    { "top_level_scalar.yaml", 1, NULL, 1, 1, NULL,
      "expected a mapping of config keys, found a scalar", NULL },
    /* presets */
    { "unknown_preset.yaml", 1, NULL, 2, 9, "preset", "no hardware preset \"dojoo\"",
      "shipped presets: dojo, tsmc-sow, dojo-enhanced" },
    { "preset_path_missing.yaml", 1, NULL, 1, 9, "preset", "no hardware preset \"no/such/preset.yaml\"",
      "/bad/no/such/preset.yaml" },
    /* not pinned: the preset is not applied, so every hw key is missing too */
    { "preset_not_a_string.yaml", -1, NULL, 1, 9, "preset", "found a list", NULL },
    { "nested_preset.yaml", 1, "bad/../presets/names_a_preset.yaml", 1, 9, "preset",
      "a preset cannot name another preset", NULL },
    { "preset_top_level_list.yaml", 1, "bad/../presets/top_level_list.yaml", 1, 1, NULL,
      "expected a mapping at the top of a preset, found a list", NULL },
};
#define N_BAD_CASES ((int)(sizeof bad_cases / sizeof bad_cases[0]))

START_TEST(test_bad_fixture)
{
    const bad_case *bc = &bad_cases[_i];
    char *rel = xasprintf("bad/%s", bc->file);
    char *path = fixture_path(rel);
    char *err_file = bc->err_file ? fixture_path(bc->err_file) : xasprintf("%s", path);
    ws_config cfg;
    ws_diag d;
    ws_diag_init(&d, 0);
    int rc = ws_config_load(&cfg, path, NULL, 0, &d);
    char *printed = diag_text(&d);
    EXPECT(rc == -1, "%s: ws_config_load returned %d, expected -1", bc->file, rc);
    EXPECT(cfg.preset == NULL && cfg.description == NULL, "%s: config not emptied after an error",
           bc->file);
    EXPECT(ws_diag_count(&d) >= 1, "%s: no error reported", bc->file);
    if (bc->count >= 0)
        EXPECT(ws_diag_count(&d) == (size_t)bc->count && d.n_stored == (size_t)bc->count,
               "%s: %zu errors, expected %d:\n%s", bc->file, ws_diag_count(&d), bc->count, printed);
    expect_msg(&d, bc->file, err_file, bc->line, bc->column, bc->key_path, bc->fragment,
               bc->fragment2);
    free(printed);
    ws_diag_free(&d);
    free(err_file);
    free(path);
    free(rel);
    FINISH();
}
END_TEST

/* Every fixture under bad/ is in the table (and vice versa), so that a new
 * fixture cannot be forgotten. */
START_TEST(test_bad_fixtures_all_listed)
{
    char *dir = fixture_path("bad");
    DIR *dp = opendir(dir);
    EXPECT(dp != NULL, "cannot open %s", dir);
    size_t n_files = 0;
    while (dp) {
        struct dirent *e = readdir(dp);
        if (!e)
            break;
        size_t len = strlen(e->d_name);
        if (len < 5 || strcmp(e->d_name + len - 5, ".yaml"))
            continue;
        n_files++;
        bool listed = !strcmp(e->d_name, "five_errors.yaml") || !strcmp(e->d_name, "six_errors.yaml");
        for (int i = 0; i < N_BAD_CASES && !listed; i++)
            listed = !strcmp(bad_cases[i].file, e->d_name);
        EXPECT(listed, "fixture bad/%s is not in bad_cases[]", e->d_name);
    }
    if (dp)
        closedir(dp);
    EXPECT(n_files == (size_t)N_BAD_CASES + 2, "%zu fixtures in bad/, %d in the table + 2", n_files,
           N_BAD_CASES);
    EXPECT(N_BAD_CASES >= 25, "only %d malformed configs", N_BAD_CASES);
    free(dir);
    FINISH();
}
END_TEST

/* ------------------------------------------------------------ collecting errors */

START_TEST(test_all_errors_collected_and_sorted)
{
    char *path = fixture_path("bad/five_errors.yaml");
    ws_config cfg;
    ws_diag d;
    ws_diag_init(&d, 0);
    int rc = ws_config_load(&cfg, path, NULL, 0, &d);
    char *printed = diag_text(&d);
    EXPECT(rc == -1, "rc %d", rc);
    EXPECT(ws_diag_count(&d) == 5 && d.n_stored == 5, "%zu errors:\n%s", ws_diag_count(&d), printed);
    /* reported in schema order (sim before hw, unknown keys last), which is
     * not the line order: printing has to sort */
    if (d.n_stored == 5) {
        static const unsigned reported[5] = { 8, 10, 9, 6, 4 };
        for (size_t i = 0; i < 5; i++)
            EXPECT(d.msgs[i].line == reported[i], "message %zu reported at line %u, expected %u", i,
                   d.msgs[i].line, reported[i]);
    }
    static const struct { unsigned line, column; const char *key, *text; } lines[5] = {
        { 4, 12, "hw.routing", "expected one of xy, yx, west_first, odd_even, test_deadlock_ring, found \"zigzag\"" },
        { 6, 14, "hw.link.latency", "unknown time unit \"GB\"" },
        { 8, 9, "sim.seed", "expected an integer in [0, 9007199254740991], found -1" },
        { 9, 3, "sim.clokc", "unknown key \"clokc\" (did you mean \"clock\"?)" },
        { 10, 22, "sim.activity_skipping", "expected true or false, found \"maybe\"" },
    };
    const char *p = printed;
    for (size_t i = 0; i < 5; i++) {
        char *head = xasprintf("%s:%u:%u: error: %s: %s", path, lines[i].line, lines[i].column,
                               lines[i].key, lines[i].text);
        const char *eol = strchr(p, '\n');
        EXPECT(eol && !strncmp(p, head, strlen(head)), "printed line %zu does not start with\n%s\n"
               "printed:\n%s", i + 1, head, printed);
        free(head);
        p = eol ? eol + 1 : p + strlen(p);
    }
    EXPECT(*p == '\0', "more than 5 printed lines:\n%s", printed);
    free(printed);
    ws_diag_free(&d);
    free(path);
    FINISH();
}
END_TEST

START_TEST(test_diag_limit)
{
    char *path = fixture_path("bad/six_errors.yaml");
    ws_config cfg;
    ws_diag d;
    /* the default limit stores them all */
    ws_diag_init(&d, 0);
    EXPECT(ws_config_load(&cfg, path, NULL, 0, &d) == -1, "six_errors.yaml loaded");
    EXPECT(ws_diag_count(&d) == 6 && d.n_stored == 6, "%zu errors, %zu stored, expected 6",
           ws_diag_count(&d), d.n_stored);
    ws_diag_free(&d);

    ws_diag_init(&d, 3);
    EXPECT(ws_config_load(&cfg, path, NULL, 0, &d) == -1, "six_errors.yaml loaded");
    EXPECT(d.n_stored == 3, "%zu stored, expected 3", d.n_stored);
    EXPECT(ws_diag_count(&d) == 6, "%zu counted, expected 6", ws_diag_count(&d));
    char *printed = diag_text(&d);
    /* the first three reported (sim: clock, seed, watchdog), in line order */
    char *expected = xasprintf(
        "%s:4:9: error: sim.seed: expected an integer, found \"x\"\n"
        "%s:5:10: error: sim.clock: unknown frequency unit \"parsec\"; expected one of Hz, kHz, MHz, GHz\n"
        "%s:6:13: error: sim.watchdog: expected a non-negative time, found \"-1 ms\"\n"
        "3 more errors not shown\n", path, path, path);
    EXPECT(str_eq(printed, expected), "printed:\n%s\nexpected:\n%s", printed, expected);
    free(expected);
    free(printed);
    ws_diag_free(&d);

    /* a single hidden error: singular */
    ws_diag_init(&d, 5);
    EXPECT(ws_config_load(&cfg, path, NULL, 0, &d) == -1, "six_errors.yaml loaded");
    printed = diag_text(&d);
    size_t len = strlen(printed);
    const char *tail = "\n1 more error not shown\n";
    EXPECT(len > strlen(tail) && !strcmp(printed + len - strlen(tail), tail), "printed:\n%s", printed);
    free(printed);
    ws_diag_free(&d);
    free(path);
    FINISH();
}
END_TEST

/* ------------------------------------------------------------ presets */

/* The per-preset numbers of design.md section 2.1. */
typedef struct preset_numbers {
    const char *name;
    int64_t x, y;
    double hbm_bandwidth, link_bandwidth, hbm_capacity, peak_flops;
} preset_numbers;

static const preset_numbers preset_table[] = {
    { "dojo", 5, 5, 3.35e12, 1.7e12, 80e9, 989e12 },
    { "tsmc-sow", 3, 8, 3.35e12, 1.7e12, 80e9, 989e12 },
    { "dojo-enhanced", 5, 5, 8e12, 2e12, 180e9, 4500e12 },
};

/* The numbers every preset shares (design.md section 2.1, "Common"). */
static void expect_common_tile_and_link(const ws_config *c, const char *what)
{
    EXPECT(c->hw.tile.hbm.latency_s == 300e-9, "%s: hbm latency %g", what, c->hw.tile.hbm.latency_s);
    EXPECT(c->hw.tile.hbm.reserved_fraction == 0.10, "%s: reserved %.17g", what,
           c->hw.tile.hbm.reserved_fraction);
    EXPECT(c->hw.tile.llc.size_bytes == 67108864.0, "%s: llc size %.17g", what, c->hw.tile.llc.size_bytes);
    EXPECT(c->hw.tile.llc.hit_latency_s == 100e-9, "%s: llc hit %.17g", what, c->hw.tile.llc.hit_latency_s);
    EXPECT(c->hw.tile.llc.miss_penalty_s == 110e-9, "%s: llc miss %.17g", what,
           c->hw.tile.llc.miss_penalty_s);
    EXPECT(c->hw.tile.llc.write_latency_s == 30e-9, "%s: llc write %.17g", what,
           c->hw.tile.llc.write_latency_s);
    EXPECT(c->hw.link.latency_s == 200e-9, "%s: link latency %.17g", what, c->hw.link.latency_s);
    EXPECT(c->hw.routing == WS_ROUTING_XY, "%s: routing %d", what, c->hw.routing);
    EXPECT(c->hw.remote_request_bytes == 16.0, "%s: remote request %.17g", what,
           c->hw.remote_request_bytes);
}

static void expect_preset_numbers(const ws_config *c, const preset_numbers *p)
{
    EXPECT(str_eq(c->preset, p->name), "preset %s, expected %s", show(c->preset), p->name);
    EXPECT(c->hw.grid.x == p->x && c->hw.grid.y == p->y, "%s: grid %lld x %lld", p->name,
           (long long)c->hw.grid.x, (long long)c->hw.grid.y);
    EXPECT(c->hw.tile.hbm.bandwidth_bytes_per_s == p->hbm_bandwidth, "%s: hbm bandwidth %.17g", p->name,
           c->hw.tile.hbm.bandwidth_bytes_per_s);
    EXPECT(c->hw.link.bandwidth_bytes_per_s == p->link_bandwidth, "%s: link bandwidth %.17g", p->name,
           c->hw.link.bandwidth_bytes_per_s);
    EXPECT(c->hw.tile.hbm.capacity_bytes == p->hbm_capacity, "%s: capacity %.17g", p->name,
           c->hw.tile.hbm.capacity_bytes);
    EXPECT(c->hw.tile.peak_flops == p->peak_flops, "%s: peak %.17g", p->name, c->hw.tile.peak_flops);
    expect_common_tile_and_link(c, p->name);
}

START_TEST(test_default_experiment_is_dojo)
{
    char *path = src_path("configs/experiments/default.yaml");
    ws_config c;
    if (load_ok(&c, path, NULL, 0)) {
        expect_preset_numbers(&c, &preset_table[0]);
        EXPECT(c.description && *c.description, "no description");
        EXPECT(c.sim.clock_hz == 1e9, "clock %.17g", c.sim.clock_hz);
        EXPECT(c.sim.seed == 1, "seed %lld", (long long)c.sim.seed);
        EXPECT(c.sim.watchdog_s == 1e-3, "watchdog %.17g", c.sim.watchdog_s);
        EXPECT(c.sim.activity_skipping, "activity skipping off");
        EXPECT(!c.options.expert_affine.enabled && !c.options.link_widening.enabled &&
               !c.options.migration.enabled, "an option is enabled by default");
        ws_config_free(&c);
        EXPECT(c.preset == NULL && c.description == NULL, "ws_config_free left pointers");
    }
    free(path);
    FINISH();
}
END_TEST

/* Loads "preset: NAME" from a temporary config (lookup by name). */
static bool load_preset_by_name(ws_config *c, const char *name)
{
    char *dir = tmp_dir_new();
    char *text = xasprintf("preset: %s\n", name);
    char *path = write_file(dir, "by_name.yaml", text);
    bool ok = load_ok(c, path, NULL, 0);
    free(path);
    free(text);
    tmp_dir_remove(dir);
    return ok;
}

START_TEST(test_presets_by_name)
{
    for (size_t i = 0; i < sizeof preset_table / sizeof preset_table[0]; i++) {
        ws_config c;
        if (load_preset_by_name(&c, preset_table[i].name)) {
            expect_preset_numbers(&c, &preset_table[i]);
            ws_config_free(&c);
        }
    }
    FINISH();
}
END_TEST

START_TEST(test_preset_file_loaded_directly)
{
    /* a preset file is itself a valid config (sim defaults, no preset name) */
    char *path = src_path("configs/hw/dojo.yaml");
    ws_config c;
    if (load_ok(&c, path, NULL, 0)) {
        EXPECT(c.preset == NULL, "preset %s", show(c.preset));
        EXPECT(c.hw.grid.x == 5 && c.hw.grid.y == 5, "grid");
        EXPECT(c.sim.clock_hz == 1e9, "default clock %.17g", c.sim.clock_hz);
        ws_config_free(&c);
    }
    free(path);
    FINISH();
}
END_TEST

START_TEST(test_config_dir_from_environment)
{
    char *expected = src_path("configs");
    EXPECT(str_eq(ws_config_dir(), expected), "ws_config_dir() = %s, expected %s", ws_config_dir(),
           expected);
    free(expected);
    FINISH();
}
END_TEST

/* ------------------------------------------------------------ cycles */

START_TEST(test_cycles_with_custom_clock)
{
    char *path = fixture_path("good/cycles_custom_clock.yaml");
    ws_config c;
    if (load_ok(&c, path, NULL, 0)) {
        EXPECT(c.sim.clock_hz == 2e9, "clock %.17g", c.sim.clock_hz);
        EXPECT(fabs(c.hw.link.latency_s - 100e-9) <= 1e-18, "200 cycles at 2 GHz = %.17g s",
               c.hw.link.latency_s);
        EXPECT(ws_config_ticks(&c, c.hw.link.latency_s) == 200, "%llu ticks",
               (unsigned long long)ws_config_ticks(&c, c.hw.link.latency_s));
        ws_config_free(&c);
    }
    /* the clock set by an override applies to the file's cycles */
    const char *sets[] = { "sim.clock=4 GHz" };
    if (load_ok(&c, path, sets, 1)) {
        EXPECT(fabs(c.hw.link.latency_s - 50e-9) <= 1e-18, "200 cycles at 4 GHz = %.17g s",
               c.hw.link.latency_s);
        ws_config_free(&c);
    }
    free(path);

    /* cycles written in the preset use the clock of the user's file */
    char *dir = tmp_dir_new();
    char *preset = src_path("configs/hw/dojo.yaml");
    FILE *fp = fopen(preset, "r");
    EXPECT(fp != NULL, "cannot read %s", preset);
    char *text = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&text, &len);
    ck_assert_ptr_nonnull(mem);
    char line[512];
    while (fp && fgets(line, sizeof line, fp)) {
        if (strstr(line, "latency: 200 ns"))
            fputs("    latency: 400 cycles\n", mem);
        else
            fputs(line, mem);
    }
    if (fp)
        fclose(fp);
    fclose(mem);
    char *ppath = write_file(dir, "cyc_preset.yaml", text);
    char *cpath = write_file(dir, "cyc.yaml", "preset: cyc_preset.yaml\nsim: {clock: 2 GHz}\n");
    if (load_ok(&c, cpath, NULL, 0)) {
        EXPECT(str_eq(c.preset, "cyc_preset.yaml"), "preset %s", show(c.preset));
        EXPECT(fabs(c.hw.link.latency_s - 200e-9) <= 1e-18, "400 cycles of the preset at 2 GHz = %.17g s",
               c.hw.link.latency_s);
        ws_config_free(&c);
    }
    free(cpath);
    free(ppath);
    free(text);
    free(preset);
    tmp_dir_remove(dir);
    FINISH();
}
END_TEST

/* ------------------------------------------------------------ overrides */

static char *default_path(void)
{
    return src_path("configs/experiments/default.yaml");
}

START_TEST(test_override_values)
{
    char *path = default_path();
    ws_config c;
    const char *s1[] = { "hw.link.bandwidth=2 TB/s" };
    if (load_ok(&c, path, s1, 1)) {
        EXPECT(c.hw.link.bandwidth_bytes_per_s == 2e12, "link bandwidth %.17g",
               c.hw.link.bandwidth_bytes_per_s);
        EXPECT(c.hw.link.latency_s == 200e-9, "link latency changed: %.17g", c.hw.link.latency_s);
        EXPECT(str_eq(c.preset, "dojo"), "preset %s", show(c.preset));
        ws_config_free(&c);
    }
    const char *s2[] = { "hw.grid={x: 4, y: 4}" };
    if (load_ok(&c, path, s2, 1)) {
        EXPECT(c.hw.grid.x == 4 && c.hw.grid.y == 4, "grid %lld x %lld", (long long)c.hw.grid.x,
               (long long)c.hw.grid.y);
        ws_config_free(&c);
    }
    /* in order: the last one wins; new nested keys are created */
    const char *s3[] = { "hw.link.bandwidth=1 TB/s", "hw.link.bandwidth=3 TB/s",
                         "options.migration.enabled=false", "sim.seed=42" };
    if (load_ok(&c, path, s3, 4)) {
        EXPECT(c.hw.link.bandwidth_bytes_per_s == 3e12, "link bandwidth %.17g",
               c.hw.link.bandwidth_bytes_per_s);
        EXPECT(c.sim.seed == 42, "seed %lld", (long long)c.sim.seed);
        ws_config_free(&c);
    }
    free(path);
    FINISH();
}
END_TEST

/* Loads the default experiment with one override expected to fail with
 * exactly one error; checks it. */
static void expect_override_error(const char *set, unsigned column, const char *key_path,
                                  const char *fragment)
{
    char *path = default_path();
    char *name = xasprintf("--set '%s'", set);
    ws_config c;
    ws_diag d;
    ws_diag_init(&d, 0);
    const char *sets[] = { set };
    int rc = ws_config_load(&c, path, sets, 1, &d);
    char *printed = diag_text(&d);
    EXPECT(rc == -1, "%s: rc %d", name, rc);
    EXPECT(ws_diag_count(&d) == 1, "%s: %zu errors:\n%s", name, ws_diag_count(&d), printed);
    expect_msg(&d, name, name, 1, column, key_path, fragment, NULL);
    free(printed);
    ws_diag_free(&d);
    free(name);
    free(path);
}

START_TEST(test_override_errors)
{
    /* "hw.link.bandwidth=" is 18 characters: the value starts at column 19 */
    expect_override_error("hw.link.bandwidth=abc", 19, "hw.link.bandwidth", "malformed number in \"abc\"");
    /* reported against the --set argument, not the preset that holds the
     * hw.link mapping (regression, see misspelt_key_top.yaml) */
    expect_override_error("hw.link.bandwidht=2 TB/s", 19, "hw.link.bandwidht",
                          "unknown key \"bandwidht\" (did you mean \"bandwidth\"?)");
    expect_override_error("preset=x", 1, "preset", "the preset cannot be changed with --set");
    expect_override_error("nonsense", 1, NULL, "expected KEY.PATH=VALUE, found \"nonsense\"");
    expect_override_error("=5", 1, NULL, "expected KEY.PATH=VALUE");
    expect_override_error("hw..x=1", 1, NULL, "malformed key path \"hw..x\"");
    expect_override_error("hw.link.latency.x=1", 1, "hw.link.latency.x",
                          "a part of this key path is not a mapping");
    /* "key=" is an explicit null, at the column after '=' */
    expect_override_error("hw.link.latency=", 17, "hw.link.latency", "expected a time, found a null");
    expect_override_error("hw.grid={x: 0, y: 4}", 13, "hw.grid.x", "expected an integer in [1, 1024]");
    expect_override_error("sim.clock=2 Ghz", 11, "sim.clock", "unknown frequency unit \"Ghz\"");
    FINISH();
}
END_TEST

START_TEST(test_override_errors_all_reported)
{
    /* each bad override is reported; good ones around them do not matter */
    char *path = default_path();
    ws_config c;
    ws_diag d;
    ws_diag_init(&d, 0);
    const char *sets[] = { "nonsense", "sim.seed=3", "hw.link.bandwidth=abc", "preset=tsmc-sow" };
    EXPECT(ws_config_load(&c, path, sets, 4, &d) == -1, "loaded");
    char *printed = diag_text(&d);
    EXPECT(ws_diag_count(&d) == 3, "%zu errors:\n%s", ws_diag_count(&d), printed);
    free(printed);
    ws_diag_free(&d);
    free(path);
    FINISH();
}
END_TEST

START_TEST(test_user_file_over_preset)
{
    char *path = fixture_path("good/preset_value_overridden.yaml");
    ws_config c;
    if (load_ok(&c, path, NULL, 0)) {
        EXPECT(c.hw.link.bandwidth_bytes_per_s == 2e12, "file value lost: %.17g",
               c.hw.link.bandwidth_bytes_per_s);
        EXPECT(c.hw.link.latency_s == 200e-9, "preset value lost: %.17g", c.hw.link.latency_s);
        /* mappings merge key by key: x from the file, y from the preset */
        EXPECT(c.hw.grid.x == 4 && c.hw.grid.y == 5, "grid %lld x %lld", (long long)c.hw.grid.x,
               (long long)c.hw.grid.y);
        EXPECT(c.hw.tile.hbm.bandwidth_bytes_per_s == 3.35e12, "hbm %.17g",
               c.hw.tile.hbm.bandwidth_bytes_per_s);
        ws_config_free(&c);
    }
    /* and an override wins over both */
    const char *sets[] = { "hw.link.bandwidth=900 GB/s" };
    if (load_ok(&c, path, sets, 1)) {
        EXPECT(c.hw.link.bandwidth_bytes_per_s == 900e9, "override lost: %.17g",
               c.hw.link.bandwidth_bytes_per_s);
        ws_config_free(&c);
    }
    free(path);
    FINISH();
}
END_TEST

static const char bad_preset_text[] =
    "# a preset with one bad value\n"       /* 1 */
    "hw:\n"                                 /* 2 */
    "  grid: {x: 2, y: 2}\n"                /* 3 */
    "  tile:\n"                             /* 4 */
    "    peak_flops: 100 TFLOPS\n"          /* 5 */
    "    hbm:\n"                            /* 6 */
    "      capacity: 16 GB\n"               /* 7 */
    "      bandwidth: 1 TB/s\n"             /* 8 */
    "      latency: 300 nanosecs\n"         /* 9: the bad value, column 16 */
    "      reserved: 5%\n"                  /* 10 */
    "      channels: 8\n"
    "      interleave: 256 B\n"
    "      queue_depth: 16\n"
    "    llc: {size: 8 MiB, hit_latency: 10 ns, miss_penalty: 20 ns, write_latency: 5 ns,\n"
    "          associativity: 8, line_size: 64 B, allocation: all_served}\n"
    "  link: {bandwidth: 1 TB/s, latency: 100 ns}\n"
    "  routing: yx\n"
    "  remote_request: 16 B\n"
    "  read_chunk: 1 MiB\n";

START_TEST(test_error_in_preset_points_at_preset)
{
    char *dir = tmp_dir_new();
    char *ppath = write_file(dir, "bad_preset.yaml", bad_preset_text);
    char *cpath = write_file(dir, "uses_bad_preset.yaml",
                             "description: uses a preset with a bad value\n"
                             "preset: bad_preset.yaml\n"
                             "sim:\n"
                             "  seed: 7\n");
    ws_config c;
    ws_diag d;
    ws_diag_init(&d, 0);
    EXPECT(ws_config_load(&c, cpath, NULL, 0, &d) == -1, "loaded");
    char *printed = diag_text(&d);
    EXPECT(ws_diag_count(&d) == 1, "%zu errors:\n%s", ws_diag_count(&d), printed);
    expect_msg(&d, "bad value in preset", ppath, 9, 16, "hw.tile.hbm.latency",
               "unknown time unit \"nanosecs\"", NULL);
    free(printed);
    ws_diag_free(&d);

    /* the user file replacing the bad value fixes it */
    char *fixed = write_file(dir, "fixes_bad_preset.yaml",
                             "preset: bad_preset.yaml\n"
                             "hw:\n"
                             "  tile:\n"
                             "    hbm:\n"
                             "      latency: 250 ns\n");
    if (load_ok(&c, fixed, NULL, 0)) {
        EXPECT(c.hw.tile.hbm.latency_s == 250e-9, "latency %.17g", c.hw.tile.hbm.latency_s);
        EXPECT(c.hw.grid.x == 2 && c.hw.routing == WS_ROUTING_YX, "preset values lost");
        ws_config_free(&c);
    }
    /* an error in the user's file still points at the user's file */
    char *ufile = write_file(dir, "bad_user_value.yaml",
                             "preset: bad_preset.yaml\n"
                             "hw:\n"
                             "  tile:\n"
                             "    hbm:\n"
                             "      latency: 250 nanosecs\n");
    ws_diag_init(&d, 0);
    EXPECT(ws_config_load(&c, ufile, NULL, 0, &d) == -1, "loaded");
    expect_msg(&d, "bad value in user file", ufile, 5, 16, "hw.tile.hbm.latency",
               "unknown time unit \"nanosecs\"", NULL);
    ws_diag_free(&d);
    free(ufile);
    free(fixed);
    free(cpath);
    free(ppath);
    tmp_dir_remove(dir);
    FINISH();
}
END_TEST

/* ------------------------------------------------------------ round trip */

static const char *const shipped[] = {
    "configs/hw/dojo.yaml", "configs/hw/tsmc-sow.yaml", "configs/hw/dojo-enhanced.yaml",
    "configs/experiments/default.yaml",
};

START_TEST(test_round_trip)
{
    char *path = src_path(shipped[_i]);
    char *dir = tmp_dir_new();
    ws_config a, b;
    if (load_ok(&a, path, NULL, 0)) {
        char *text_a = config_text(&a);
        char *written = write_file(dir, "written.yaml", text_a);
        if (load_ok(&b, written, NULL, 0)) {
            char *text_b = config_text(&b);
            EXPECT(str_eq(text_a, text_b), "%s: text differs after the round trip:\n%s\n---\n%s",
                   shipped[_i], text_a, text_b);
            EXPECT(ws_config_hash(&a) == ws_config_hash(&b), "%s: hash differs after the round trip",
                   shipped[_i]);
            EXPECT(str_eq(a.preset, b.preset) && str_eq(a.description, b.description),
                   "%s: preset/description differ", shipped[_i]);
            EXPECT(a.hw.link.bandwidth_bytes_per_s == b.hw.link.bandwidth_bytes_per_s &&
                   a.hw.tile.hbm.capacity_bytes == b.hw.tile.hbm.capacity_bytes &&
                   a.hw.tile.hbm.reserved_fraction == b.hw.tile.hbm.reserved_fraction &&
                   a.sim.watchdog_s == b.sim.watchdog_s && a.hw.grid.x == b.hw.grid.x,
                   "%s: values differ after the round trip", shipped[_i]);
            /* the hash is the FNV-1a of exactly that text */
            EXPECT(ws_config_hash(&a) == ws_hash64(text_a, strlen(text_a)),
                   "%s: hash is not FNV-1a of the written text", shipped[_i]);
            free(text_b);
            ws_config_free(&b);
        }
        free(written);
        free(text_a);
        ws_config_free(&a);
    }
    tmp_dir_remove(dir);
    free(path);
    FINISH();
}
END_TEST

/* ------------------------------------------------------------ hash */

START_TEST(test_hash_identity)
{
    char *p1 = fixture_path("good/hash_via_preset.yaml");
    char *p2 = fixture_path("good/hash_explicit_units.yaml");
    ws_config a, b, c;
    if (load_ok(&a, p1, NULL, 0) && load_ok(&b, p2, NULL, 0)) {
        char *ta = config_text(&a), *tb = config_text(&b);
        EXPECT(ws_config_hash(&a) == ws_config_hash(&b), "same values, different hashes:\n%s\n---\n%s",
               ta, tb);
        EXPECT(str_eq(ta, tb), "same values, different text:\n%s\n---\n%s", ta, tb);
        free(ta);
        free(tb);
        ws_config_free(&b);
        /* one value changed: another hash */
        const char *s1[] = { "sim.seed=2" };
        if (load_ok(&c, p1, s1, 1)) {
            EXPECT(ws_config_hash(&a) != ws_config_hash(&c), "seed change kept the hash");
            ws_config_free(&c);
        }
        const char *s2[] = { "hw.link.latency=201 ns" };
        if (load_ok(&c, p2, s2, 1)) {
            EXPECT(ws_config_hash(&a) != ws_config_hash(&c), "latency change kept the hash");
            ws_config_free(&c);
        }
        /* the description is part of the hash */
        const char *s3[] = { "description=another text" };
        if (load_ok(&c, p1, s3, 1)) {
            EXPECT(ws_config_hash(&a) != ws_config_hash(&c), "description change kept the hash");
            ws_config_free(&c);
        }
        /* an override restoring the same value keeps it */
        const char *s4[] = { "hw.link.latency=200 cycles" };
        if (load_ok(&c, p1, s4, 1)) {
            EXPECT(ws_config_hash(&a) == ws_config_hash(&c), "200 cycles at 1 GHz changed the hash");
            ws_config_free(&c);
        }
        ws_config_free(&a);
    }
    free(p1);
    free(p2);
    FINISH();
}
END_TEST

/* ------------------------------------------------------------ ticks */

START_TEST(test_ticks)
{
    char *path = default_path();
    ws_config c;
    if (load_ok(&c, path, NULL, 0)) {
        EXPECT(ws_config_ticks(&c, c.hw.link.latency_s) == 200, "200 ns = %llu ticks",
               (unsigned long long)ws_config_ticks(&c, c.hw.link.latency_s));
        EXPECT(ws_config_ticks(&c, c.hw.tile.hbm.latency_s) == 300, "300 ns = %llu ticks",
               (unsigned long long)ws_config_ticks(&c, c.hw.tile.hbm.latency_s));
        EXPECT(ws_config_ticks(&c, 1.4e-9) == 1 && ws_config_ticks(&c, 1.6e-9) == 2,
               "ticks do not round to nearest");
        /* a nonzero time is at least one tick; only 0 s is 0 ticks */
        EXPECT(ws_config_ticks(&c, 0.4e-9) == 1 && ws_config_ticks(&c, 1e-15) == 1,
               "a nonzero time rounded to %llu ticks", (unsigned long long)ws_config_ticks(&c, 0.4e-9));
        EXPECT(ws_config_ticks(&c, 0) == 0, "0 s = %llu ticks", (unsigned long long)ws_config_ticks(&c, 0));
        EXPECT(ws_config_bytes_per_tick(&c, c.hw.link.bandwidth_bytes_per_s) == 1700.0,
               "1.7 TB/s = %.17g B/tick", ws_config_bytes_per_tick(&c, c.hw.link.bandwidth_bytes_per_s));
        EXPECT(ws_config_bytes_per_tick(&c, c.hw.tile.hbm.bandwidth_bytes_per_s) == 3350.0,
               "3.35 TB/s = %.17g B/tick",
               ws_config_bytes_per_tick(&c, c.hw.tile.hbm.bandwidth_bytes_per_s));
        ws_config_free(&c);
    }
    /* regression: the watchdog (1 ns at 1 MHz = 0.001 ticks) became 0
     * ticks, which means "no watchdog" */
    const char *slow[] = { "sim.clock=1 MHz", "sim.watchdog=1 ns" };
    if (load_ok(&c, path, slow, 2)) {
        EXPECT(ws_config_ticks(&c, c.sim.watchdog_s) == 1, "1 ns at 1 MHz = %llu ticks",
               (unsigned long long)ws_config_ticks(&c, c.sim.watchdog_s));
        ws_config_free(&c);
    }
    const char *sets[] = { "sim.clock=2 GHz" };
    if (load_ok(&c, path, sets, 1)) {
        EXPECT(c.sim.clock_hz == 2e9, "clock %.17g", c.sim.clock_hz);
        EXPECT(ws_config_ticks(&c, c.hw.link.latency_s) == 400, "200 ns at 2 GHz = %llu ticks",
               (unsigned long long)ws_config_ticks(&c, c.hw.link.latency_s));
        EXPECT(ws_config_bytes_per_tick(&c, c.hw.link.bandwidth_bytes_per_s) == 850.0,
               "1.7 TB/s at 2 GHz = %.17g B/tick",
               ws_config_bytes_per_tick(&c, c.hw.link.bandwidth_bytes_per_s));
        ws_config_free(&c);
    }
    free(path);
    FINISH();
}
END_TEST

/* ------------------------------------------------------------ hardware options */

typedef struct local_cfg {
    bool foo_placeholder;    /* where a compiled-in foo would land */
    int64_t n;
} local_cfg;

static const ws_cfield local_fields[] = {
    { .key = "foo", .type = WS_CT_OPTION, .offset = offsetof(local_cfg, foo_placeholder), .sub = NULL,
      .configure_switch = "--enable-foo", .doc = "a compiled-out option" },
    { .key = "n", .type = WS_CT_INT, .offset = offsetof(local_cfg, n), .def = "1", .min = 0, .max = 10,
      .doc = "a plain field next to it" },
};
static const ws_cschema local_schema = { "local", sizeof(local_cfg), local_fields,
                                         sizeof local_fields / sizeof local_fields[0], NULL };

/* Reads text through local_schema; returns the number of errors. */
static size_t read_local(const char *text, local_cfg *out, ws_diag *d)
{
    memset(out, 0, sizeof *out);
    ws_ynode *tree = ws_yaml_load_string(text, "<local>", 0, d);
    if (!EXPECT(tree != NULL, "YAML of '%s' rejected", text))
        return ws_diag_count(d);
    ws_cschema_read(&local_schema, tree, "", 1e9, out, d);
    ws_ynode_free(tree);
    ws_cschema_free(&local_schema, out);
    return ws_diag_count(d);
}

START_TEST(test_compiled_out_option)
{
    local_cfg lc;
    ws_diag d;

    ws_diag_init(&d, 0);
    EXPECT(read_local("foo: {enabled: true}\n", &lc, &d) == 1, "enabled: true accepted");
    expect_msg(&d, "foo enabled", "<local>", 1, 6, "foo", "not compiled", "--enable-foo");
    ws_diag_free(&d);

    ws_diag_init(&d, 0);
    EXPECT(read_local("foo:\n  enabled: true\nn: 3\n", &lc, &d) == 1, "enabled: true accepted");
    expect_msg(&d, "foo enabled (block)", "<local>", 2, 3, "foo", "hardware option 'foo' is not compiled",
               "reconfigure with --enable-foo");
    EXPECT(lc.n == 3, "reading stopped at the option error: n = %lld", (long long)lc.n);
    ws_diag_free(&d);

    ws_diag_init(&d, 0);
    EXPECT(read_local("foo: {enabled: false}\nn: 4\n", &lc, &d) == 0, "enabled: false rejected");
    EXPECT(lc.n == 4, "n = %lld", (long long)lc.n);
    ws_diag_free(&d);

    ws_diag_init(&d, 0);
    EXPECT(read_local("n: 5\n", &lc, &d) == 0, "absent option rejected");
    EXPECT(lc.n == 5, "n = %lld", (long long)lc.n);
    ws_diag_free(&d);

    ws_diag_init(&d, 0);
    EXPECT(read_local("{}\n", &lc, &d) == 0 && lc.n == 1, "empty mapping: n default %lld", (long long)lc.n);
    ws_diag_free(&d);

    /* anything but exactly "enabled: false" */
    static const char *const refused[] = {
        "foo: {enabled: false, size: 3}\n", "foo: true\n", "foo: {}\n", "foo: {enabled: maybe}\n",
        "foo: [enabled]\n",
    };
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
        ws_diag_init(&d, 0);
        EXPECT(read_local(refused[i], &lc, &d) == 1, "'%s' accepted", refused[i]);
        expect_msg(&d, refused[i], "<local>", 1, 6, "foo", "not compiled", "--enable-foo");
        ws_diag_free(&d);
    }

    /* the writer prints it as a disabled option (no build-specific text),
     * and what it writes reads back */
    local_cfg w = { false, 7 };
    char *buf = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&buf, &len);
    ck_assert_ptr_nonnull(mem);
    ws_cschema_write(&local_schema, &w, mem, 0);
    fclose(mem);
    EXPECT(str_eq(buf, "foo:\n  enabled: false\nn: 7\n"), "written:\n%s", buf);
    ws_diag_init(&d, 0);
    EXPECT(read_local(buf, &lc, &d) == 0 && lc.n == 7, "written text does not read back:\n%s", buf);
    ws_diag_free(&d);
    free(buf);
    FINISH();
}
END_TEST

/* The same schema in a build where foo is compiled in (with a parameter). */
typedef struct local_foo {
    bool enabled;
    int64_t width;
} local_foo;

typedef struct local_in_cfg {
    local_foo foo;
    int64_t n;
} local_in_cfg;

static const ws_cfield local_foo_fields[] = {
    { .key = "enabled", .type = WS_CT_BOOL, .offset = offsetof(local_foo, enabled), .def = "false",
      .doc = "turn foo on" },
    { .key = "width", .type = WS_CT_INT, .offset = offsetof(local_foo, width), .def = "2", .min = 1,
      .max = 8, .doc = "a parameter of foo" },
};
static const ws_cschema local_foo_schema = { "foo", sizeof(local_foo), local_foo_fields,
                                             sizeof local_foo_fields / sizeof local_foo_fields[0], NULL };
static const ws_cfield local_in_fields[] = {
    { .key = "foo", .type = WS_CT_OPTION, .offset = offsetof(local_in_cfg, foo), .sub = &local_foo_schema,
      .configure_switch = "--enable-foo", .doc = "a compiled-in option" },
    { .key = "n", .type = WS_CT_INT, .offset = offsetof(local_in_cfg, n), .def = "1", .min = 0, .max = 10,
      .doc = "a plain field next to it" },
};
static const ws_cschema local_in_schema = { "local", sizeof(local_in_cfg), local_in_fields,
                                            sizeof local_in_fields / sizeof local_in_fields[0], NULL };

static char *write_text(const ws_cschema *s, const void *obj)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&buf, &len);
    ck_assert_ptr_nonnull(mem);
    ws_cschema_write(s, obj, mem, 0);
    fclose(mem);
    return buf;
}

/* Regression: a compiled-out option was written "{enabled: false}   # not
 * compiled in (...)", so the same config hashed differently in a build
 * without the option. A disabled option now writes the same text in both
 * builds, whatever its parameters. */
START_TEST(test_compiled_out_option_same_text)
{
    const char *texts[] = { "n: 7\n", "foo: {enabled: false}\nn: 7\n", "foo:\n  enabled: false\nn: 7\n" };
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        ws_diag d;
        ws_diag_init(&d, 0);
        ws_ynode *t_out = ws_yaml_load_string(texts[i], "<out>", 0, &d);
        ws_ynode *t_in = ws_yaml_load_string(texts[i], "<in>", 0, &d);
        local_cfg out;
        local_in_cfg in;
        memset(&out, 0, sizeof out);
        memset(&in, 0, sizeof in);
        if (EXPECT(t_out && t_in, "'%s' does not parse", texts[i])) {
            ws_cschema_read(&local_schema, t_out, "", 1e9, &out, &d);
            ws_cschema_read(&local_in_schema, t_in, "", 1e9, &in, &d);
        }
        EXPECT(ws_diag_count(&d) == 0, "'%s': %zu errors", texts[i], ws_diag_count(&d));
        char *a = write_text(&local_schema, &out), *b = write_text(&local_in_schema, &in);
        EXPECT(str_eq(a, b), "'%s': compiled out writes\n%s\ncompiled in writes\n%s", texts[i], a, b);
        EXPECT(ws_hash64(a, strlen(a)) == ws_hash64(b, strlen(b)), "'%s': hashes differ", texts[i]);
        free(a);
        free(b);
        ws_ynode_free(t_out);
        ws_ynode_free(t_in);
        ws_diag_free(&d);
    }
    /* parameters of a disabled option do not show (they have no effect) */
    local_in_cfg in = { { false, 5 }, 7 };
    char *b = write_text(&local_in_schema, &in);
    EXPECT(str_eq(b, "foo:\n  enabled: false\nn: 7\n"), "disabled foo written as\n%s", b);
    free(b);
    /* an enabled one shows them all */
    in.foo.enabled = true;
    b = write_text(&local_in_schema, &in);
    EXPECT(str_eq(b, "foo:\n  enabled: true\n  width: 5\nn: 7\n"), "enabled foo written as\n%s", b);
    free(b);
    FINISH();
}
END_TEST

START_TEST(test_registry_option_migration)
{
    char *dir = tmp_dir_new();
    char *path = write_file(dir, "migration.yaml",
                            "preset: dojo\n"
                            "options:\n"
                            "  migration:\n"
                            "    enabled: true\n");
    ws_config c;
#ifdef WS_HAVE_OPT_MIGRATION
    if (load_ok(&c, path, NULL, 0)) {
        EXPECT(c.options.migration.enabled, "options.migration.enabled not set");
        EXPECT(!c.options.expert_affine.enabled && !c.options.link_widening.enabled,
               "other options enabled");
        ws_config_free(&c);
    }
    const char *sets[] = { "options.migration.enabled=false" };
    if (load_ok(&c, path, sets, 1)) {
        EXPECT(!c.options.migration.enabled, "override to false ignored");
        ws_config_free(&c);
    }
#else
    ws_diag d;
    ws_diag_init(&d, 0);
    EXPECT(ws_config_load(&c, path, NULL, 0, &d) == -1, "compiled-out option accepted");
    expect_msg(&d, "migration compiled out", path, 4, 5, "options.migration", "not compiled",
               "--enable-migration");
    ws_diag_free(&d);
#endif
    free(path);
    tmp_dir_remove(dir);
    FINISH();
}
END_TEST

/* ------------------------------------------------------------ suite */

static Suite *config_suite(void)
{
    Suite *s = suite_create("config");

    TCase *tc = tcase_create("malformed");
    tcase_add_checked_fixture(tc, fails_reset, NULL);
    tcase_add_loop_test(tc, test_bad_fixture, 0, N_BAD_CASES);
    tcase_add_test(tc, test_bad_fixtures_all_listed);
    tcase_add_test(tc, test_all_errors_collected_and_sorted);
    tcase_add_test(tc, test_diag_limit);
    suite_add_tcase(s, tc);

    tc = tcase_create("presets");
    tcase_add_checked_fixture(tc, fails_reset, NULL);
    tcase_add_test(tc, test_default_experiment_is_dojo);
    tcase_add_test(tc, test_presets_by_name);
    tcase_add_test(tc, test_preset_file_loaded_directly);
    tcase_add_test(tc, test_config_dir_from_environment);
    tcase_add_test(tc, test_cycles_with_custom_clock);
    suite_add_tcase(s, tc);

    tc = tcase_create("overrides");
    tcase_add_checked_fixture(tc, fails_reset, NULL);
    tcase_add_test(tc, test_override_values);
    tcase_add_test(tc, test_override_errors);
    tcase_add_test(tc, test_override_errors_all_reported);
    tcase_add_test(tc, test_user_file_over_preset);
    tcase_add_test(tc, test_error_in_preset_points_at_preset);
    suite_add_tcase(s, tc);

    tc = tcase_create("identity");
    tcase_add_checked_fixture(tc, fails_reset, NULL);
    tcase_add_loop_test(tc, test_round_trip, 0, (int)(sizeof shipped / sizeof shipped[0]));
    tcase_add_test(tc, test_hash_identity);
    tcase_add_test(tc, test_ticks);
    suite_add_tcase(s, tc);

    tc = tcase_create("options");
    tcase_add_checked_fixture(tc, fails_reset, NULL);
    tcase_add_test(tc, test_compiled_out_option);
    tcase_add_test(tc, test_compiled_out_option_same_text);
    tcase_add_test(tc, test_registry_option_migration);
    suite_add_tcase(s, tc);

    return s;
}

int main(void)
{
    top_srcdir = getenv("TOP_SRCDIR");
    if (!top_srcdir || !*top_srcdir) {
        fprintf(stderr, "test_config: TOP_SRCDIR is not set; run it through `make check` or as\n"
                        "  TOP_SRCDIR=/path/to/source/tree ./tests/unit/test_config\n");
        return EXIT_FAILURE;
    }
    size_t len = strlen(top_srcdir) + sizeof "/configs";
    char *configdir = malloc(len);
    if (!configdir)
        return EXIT_FAILURE;
    snprintf(configdir, len, "%s/configs", top_srcdir);
    setenv("WAFERSIM_CONFIG_DIR", configdir, 1);
    free(configdir);

    return ws_check_run(config_suite());
}
