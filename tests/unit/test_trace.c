/* tests/unit/test_trace.c — unit tests of trace import and the binary trace
 * format (workload/trace_json.c, trace_writer.c, trace_reader.c,
 * trace_import.c) on fixtures the tests write themselves, with the tiny
 * model of trace_fixtures.h (layers 0..3, MoE on 1 and 3, 8 experts,
 * top-2).
 *
 * Pins:
 *   - JSON requests: nested and flat decode rows, layer keys in any order, a
 *     one-token prompt, a prefill-only request, the 128-step decode cap; the
 *     ids land token-major as documented;
 *   - 26 bad files, each with the line and column of the offending token
 *     (found independently by searching a marker in the fixture text) and a
 *     distinctive part of the message: truncation, wrong types, out-of-range
 *     and negative ids, fractional ids, missing / extra / duplicate layers,
 *     dense layers with lists, MoE layers with null, wrong id counts,
 *     duplicate ids, two tokens in a decode step, mixed flat and nested rows,
 *     prompt lengths that differ between layers, empty prompts and arrays,
 *     non-array files, empty files, malformed JSON;
 *   - FNV-1a computed in pieces equals core/hash.h; natural file order;
 *   - writer/reader round trip (get, next, rewind, verify, header fields);
 *     every truncation of a trace and every single-byte corruption is
 *     reported (never a crash); a corrupt id and a corrupt index entry are
 *     caught by get() even without verification; wrong magic and version;
 *   - wl_import over a folder tree: natural order, names, skip vs fatal
 *     (fatal writes nothing), ignored non-JSON files, summary counts;
 *   - the real Llama-4-Maverick traces in $TOP_SRCDIR/../shared/data/traces
 *     (skipped with a message when absent): 7 requests, 288 prefill and 896
 *     decode tokens, one one-token prompt.
 */
#define _POSIX_C_SOURCE 200809L
#ifdef HAVE_CONFIG_H
#include <config.h>
#endif

#include "core/hash.h"
#include "tests/unit/check_main.h"
#include "tests/unit/file_fixtures.h"
#include "tests/unit/trace_fixtures.h"
#include "workload/trace_import.h"
#include "workload/trace_json.h"
#include "workload/trace_reader.h"
#include "workload/trace_writer.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* prefill: 2 prompt tokens; decode rows */
#define PRE "{\"0\": null, \"1\": [[0,1],[2,3]], \"2\": null, \"3\": [[4,5],[6,7]]}"
#define DEC "{\"0\": null, \"1\": [[1,2]], \"2\": null, \"3\": [[3,4]]}"
#define DEC_FLAT "{\"3\": [5,6], \"2\": null, \"1\": [7,0], \"0\": null}"

static char *parse_ok(const char *text, wl_json_request *r, wl_json_parser **pp, wl_model *m, char **dirp)
{
    *dirp = fx_tmpdir();
    fx_tiny_model(*dirp, m);
    char *path = fx_write_str(*dirp, "r.json", text);
    *pp = wl_json_parser_new(m);
    wl_json_error e;
    int rc = wl_json_parse_file(*pp, path, r, &e);
    if (rc)
        fprintf(stderr, "%s:%u:%u: %s\n", path, e.line, e.column, e.message);
    ck_assert_int_eq(rc, 0);
    return path;
}

START_TEST(test_json_good)
{
    wl_json_request r;
    wl_json_parser *p;
    wl_model m;
    char *dir;
    char *path = parse_ok("[\n" PRE ",\n" DEC ",\n" DEC_FLAT "\n]\n", &r, &p, &m, &dir);
    ck_assert_uint_eq(r.prompt_len, 2);
    ck_assert_uint_eq(r.decode_len, 2);
    ck_assert_uint_eq(r.source_decode_len, 2);
    /* token-major: token, MoE layer (1 then 3), rank */
    static const uint16_t want[] = { 0, 1, 4, 5, 2, 3, 6, 7, 1, 2, 3, 4, 7, 0, 5, 6 };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
        ck_assert_uint_eq(r.ids[i], want[i]);
    /* the parser is reusable: a one-token prompt, no decode */
    char *p2 = fx_write_str(dir, "one.json", "[{\"0\":null,\"1\":[[7,6]],\"2\":null,\"3\":[[0,2]]}]");
    wl_json_error e;
    ck_assert_int_eq(wl_json_parse_file(p, p2, &r, &e), 0);
    ck_assert_uint_eq(r.prompt_len, 1);
    ck_assert_uint_eq(r.decode_len, 0);
    ck_assert_uint_eq(r.ids[0], 7);
    ck_assert_uint_eq(r.ids[1], 6);
    ck_assert_uint_eq(r.ids[2], 0);
    ck_assert_uint_eq(r.ids[3], 2);
    wl_json_parser_free(p);
    wl_model_free(&m);
    free(path);
    free(p2);
    fx_rmdir(dir);
}
END_TEST

/* 130 decode steps: the first 128 are kept, all are validated and counted. */
START_TEST(test_json_decode_cap)
{
    size_t cap = 200000;
    char *text = malloc(cap);
    size_t n = (size_t)snprintf(text, cap, "[" PRE);
    for (int d = 0; d < 130; d++)
        n += (size_t)snprintf(text + n, cap - n, ",{\"0\":null,\"1\":[[%d,%d]],\"2\":null,\"3\":[%d,%d]}", d % 8,
                              (d + 1) % 8, (d + 2) % 8, (d + 3) % 8);
    snprintf(text + n, cap - n, "]");
    wl_json_request r;
    wl_json_parser *p;
    wl_model m;
    char *dir;
    char *path = parse_ok(text, &r, &p, &m, &dir);
    ck_assert_uint_eq(r.prompt_len, 2);
    ck_assert_uint_eq(r.decode_len, 128);
    ck_assert_uint_eq(r.source_decode_len, 130);
    /* decode step 127 (0-based) is token 2 + 127 */
    const uint16_t *t = r.ids + (size_t)(2 + 127) * 2 * 2;
    ck_assert_uint_eq(t[0], 127 % 8);
    ck_assert_uint_eq(t[1], 128 % 8);
    ck_assert_uint_eq(t[2], 129 % 8);
    ck_assert_uint_eq(t[3], 130 % 8);
    /* an error after the cap is still found */
    wl_json_error e;
    char *last = strrchr(text, '[');          /* the last decode row's flat list */
    last[1] = '9';
    char *p2 = fx_write_str(dir, "late.json", text);
    ck_assert_int_eq(wl_json_parse_file(p, p2, &r, &e), -1);
    ck_assert_ptr_nonnull(strstr(e.message, "element 130 (decode step 130), layer \"3\": expert id 9"));
    free(p2);
    wl_json_parser_free(p);
    wl_model_free(&m);
    free(path);
    free(text);
    fx_rmdir(dir);
}
END_TEST

/* ------------------------------------------------------------ bad files */

typedef struct bad_json {
    const char *text;
    unsigned line;       /* of the offending token */
    const char *marker;  /* first occurrence on that line marks the column; NULL = end of the line */
    int delta;           /* added to the marker's column */
    const char *message; /* part of the message */
} bad_json;

#define L1 "[\n"
static const bad_json bad[] = {
    /* 0 */ { L1 "{\"0\": null, \"1\": [[0,1],[2,3]], \"2\": null, \"3\": [[4,5],[6,9]]},\n" DEC "\n]\n", 2,
              "9]", 0, "expert id 9 out of range 0..7" },
    /* 1 */ { L1 "{\"0\": null, \"1\": [[0,1],[2,3]], \"2\": null, \"3\": [[4,5],[6,-1]]}\n]\n", 2, "-1", 0,
              "expert id -1 out of range" },
    /* 2 */ { L1 "{\"0\": null, \"1\": [[0,1],[2,3]], \"2\": null, \"3\": [[4,5],[6,7.5]]}\n]\n", 2, "7.5", 0,
              "found the number 7.5" },
    /* 3 */ { L1 "{\"0\": null, \"1\": [[0,1],[2,3]], \"2\": null, \"3\": [[4,5],[6,\"7\"]]}\n]\n", 2, "\"7\"",
              0, "found the string \"7\"" },
    /* 4 */ { L1 "{\"0\": null, \"1\": [[0,1],[2,3]], \"2\": null, \"3\": [[4,5],[6,true]]}\n]\n", 2, "true", 0,
              "found true" },
    /* 5 */ { L1 "{\"0\": null, \"1\": [[0,1,5],[2,3]], \"2\": null, \"3\": [[4,5],[6,7]]}\n]\n", 2, "5]", 0,
              "more than 2 expert ids" },
    /* 6 */ { L1 "{\"0\": null, \"1\": [[0],[2,3]], \"2\": null, \"3\": [[4,5],[6,7]]}\n]\n", 2, "],[2", 0,
              "expected 2 expert ids per token" },
    /* 7 */ { L1 "{\"0\": null, \"1\": [[1,1],[2,3]], \"2\": null, \"3\": [[4,5],[6,7]]}\n]\n", 2, "1],[2", 0,
              "expert 1 chosen twice" },
    /* 8 */ { L1 PRE ",\n{\"0\": null, \"1\": [[1,2]], \"3\": [[3,4]]}\n]\n", 3, "}", 0,
              "layer \"2\" missing" },
    /* 9 */ { L1 PRE ",\n{\"0\": null, \"1\": [[1,2]], \"2\": null, \"3\": [[3,4]], \"4\": null}\n]\n", 3,
              "\"4\"", 0, "layer 4 does not exist: tiny has layers 0..3" },
    /* 10 */ { L1 PRE ",\n{\"0\": null, \"1\": [[1,2]], \"2\": [[5,6]], \"3\": [[3,4]]}\n]\n", 3, "[[5,6]]", 0,
               "layer 2 is dense in tiny: expected null" },
    /* 11 */ { L1 PRE ",\n{\"0\": null, \"1\": [[1,2]], \"2\": null, \"3\": null}\n]\n", 3, "null}", 0,
               "layer 3 is a MoE layer of tiny" },
    /* 12 */ { L1 PRE ",\n{\"0\": null, \"1\": [[1,2],[3,4]], \"2\": null, \"3\": [[3,4]]}\n]\n", 3, "[3,4]", 0,
               "exactly one token per layer" },
    /* 13 */ { L1 PRE ",\n{\"0\": null, \"1\": [1,2,[3,4]], \"2\": null, \"3\": [[3,4]]}\n]\n", 3, "[3,4]", 0,
               "not both" },
    /* 14 */ { L1 "{\"0\": null, \"1\": [[0,1],[2,3]], \"2\": null, \"3\": [[4,5]]}\n]\n", 2, "]}", 0,
               "1 prompt tokens here but 2 at layer \"1\"" },
    /* 15 */ { L1 "{\"0\": null, \"1\": [], \"2\": null, \"3\": [[4,5]]}\n]\n", 2, "[]", 1,
               "the prompt has no tokens" },
    /* 16 */ { L1 "{\"0\": null, \"1\": [0,1], \"2\": null, \"3\": [[4,5]]}\n]\n", 2, "0,1]", 0,
               "a list of expert ids per prompt token, found the number 0" },
    /* 17 */ { L1 "{\"0\": null, \"x\": [[0,1]], \"2\": null, \"3\": [[4,5]]}\n]\n", 2, "\"x\"", 0,
               "expected a layer number \"0\"..\"3\" as key, found \"x\"" },
    /* 18 */ { L1 "{\"0\": null, \"0\": null, \"1\": [[0,1]], \"2\": null, \"3\": [[4,5]]}\n]\n", 2, ", \"0\"", 2,
               "layer \"0\" appears twice" },
    /* 19 */ { "{\"0\": null}\n", 1, "{", 0, "expected a JSON array of iterations, found an object" },
    /* 20 */ { "[[1,2]]\n", 1, "[1", 0, "expected an iteration object" },
    /* 21 */ { "[\n]\n", 2, "]", 0, "empty array" },
    /* 22 */ { "", 1, NULL, 0, "empty file" },
    /* 23 */ { L1 PRE ",\n{\"0\": null, \"1\": [[1,", 3, NULL, 0, "the file ends early (truncated?)" },
    /* 24 */ { L1 "{\"0\": null,, \"1\": [[0,1]]}\n]\n", 2, ", \"1\"", 0, "malformed JSON" },
    /* 25 */ { L1 "{\"0\": \"dense\", \"1\": [[0,1]], \"2\": null, \"3\": [[4,5]]}\n]\n", 2, "\"dense\"", 0,
               "expected null (dense layer), found the string \"dense\"" },
    /* 26 */ { L1 "{\"0\": null, \"1\": 5, \"2\": null, \"3\": [[4,5]]}\n]\n", 2, "5,", 0,
               "expected a list of tokens (MoE layer), found the number 5" },
    /* 27 */ { L1 PRE ",\n" DEC "\n] x\n", 4, "x", 0, "malformed JSON" },
};

START_TEST(test_json_bad)
{
    const bad_json *c = &bad[_i];
    char *dir = fx_tmpdir();
    wl_model m;
    fx_tiny_model(dir, &m);
    char *path = fx_write_str(dir, "bad.json", c->text);
    wl_json_parser *p = wl_json_parser_new(&m);
    wl_json_request r;
    wl_json_error e;
    ck_assert_int_eq(wl_json_parse_file(p, path, &r, &e), -1);
    /* expected column from the text */
    const char *line = c->text;
    for (unsigned l = 1; l < c->line; l++)
        line = strchr(line, '\n') + 1;
    size_t line_len = strcspn(line, "\n");
    unsigned col;
    if (c->marker) {
        const char *at = strstr(line, c->marker);
        ck_assert_ptr_nonnull(at);
        col = (unsigned)(at - line) + 1 + (unsigned)c->delta;
    } else {
        col = (unsigned)line_len + 1;
    }
    if (e.line != c->line || e.column != col || !strstr(e.message, c->message))
        ck_abort_msg("case %d: expected %u:%u \"%s\", found %u:%u \"%s\"", _i, c->line, col, c->message, e.line,
                     e.column, e.message);
    wl_json_parser_free(p);
    wl_model_free(&m);
    free(path);
    fx_rmdir(dir);
}
END_TEST

START_TEST(test_json_missing_file)
{
    char *dir = fx_tmpdir();
    wl_model m;
    fx_tiny_model(dir, &m);
    wl_json_parser *p = wl_json_parser_new(&m);
    wl_json_request r;
    wl_json_error e;
    ck_assert_int_eq(wl_json_parse_file(p, "/nonexistent/x.json", &r, &e), -1);
    ck_assert_uint_eq(e.line, 0);
    ck_assert_ptr_nonnull(strstr(e.message, "cannot open"));
    wl_json_parser_free(p);
    wl_model_free(&m);
    fx_rmdir(dir);
}
END_TEST

/* ------------------------------------------------------------ helpers */

START_TEST(test_fnv_pieces)
{
    const char *s = "wafer-scale MoE traces, fed in pieces";
    size_t n = strlen(s);
    uint64_t h = WL_FNV1A64_INIT;
    h = wl_fnv1a64_update(h, s, 5);
    h = wl_fnv1a64_update(h, s + 5, 0);
    h = wl_fnv1a64_update(h, s + 5, n - 5);
    ck_assert_uint_eq(h, ws_hash64(s, n));
    ck_assert_uint_eq(wl_fnv1a64_update(WL_FNV1A64_INIT, "", 0), ws_hash64("", 0));
}
END_TEST

START_TEST(test_natural_order)
{
    ck_assert_int_lt(wl_natural_cmp("2.json", "10.json"), 0);
    ck_assert_int_gt(wl_natural_cmp("10.json", "9.json"), 0);
    ck_assert_int_lt(wl_natural_cmp("a2b", "a10a"), 0);
    ck_assert_int_lt(wl_natural_cmp("abstract_algebra", "anatomy"), 0);
    ck_assert_int_eq(wl_natural_cmp("x1", "x1"), 0);
    /* equal numbers, different spelling: ordered, never equal */
    ck_assert_int_ne(wl_natural_cmp("007.json", "7.json"), 0);
    ck_assert_int_eq(wl_natural_cmp("007.json", "7.json"), -wl_natural_cmp("7.json", "007.json"));
    ck_assert_int_lt(wl_natural_cmp("a", "ab"), 0);
}
END_TEST

/* ------------------------------------------------------------ binary round trip */

/* Three requests of the tiny shape; ids derived from (request, token, layer, rank). */
static uint16_t id_of(unsigned r, unsigned t, unsigned m, unsigned j)
{
    return (uint16_t)((r * 5 + t * 3 + m * 2 + j) % 8);
}

static const uint32_t rt_prompt[] = { 3, 1, 5 };
static const uint32_t rt_decode[] = { 2, 0, 128 };
static const uint32_t rt_source[] = { 2, 0, 140 };
static const char *const rt_name[] = { "a/0.json", "b", "" };

static char *write_rt(const char *dir, const char *file)
{
    static const uint32_t moe[] = { 1, 3 };
    wl_trace_shape s = { .model = "tiny", .n_layers = 4, .n_moe = 2, .n_experts = 8, .top_k = 2, .moe_layer = moe };
    size_t n = strlen(dir) + strlen(file) + 2;
    char *path = malloc(n);
    snprintf(path, n, "%s/%s", dir, file);
    char err[256];
    wl_trace_writer *w = wl_trace_writer_open(path, &s, err, sizeof err);
    ck_assert_msg(w != NULL, "%s", err);
    for (unsigned r = 0; r < 3; r++) {
        uint32_t nt = rt_prompt[r] + rt_decode[r];
        uint16_t *ids = malloc(nt * 2 * 2 * sizeof *ids);
        for (unsigned t = 0; t < nt; t++)
            for (unsigned m = 0; m < 2; m++)
                for (unsigned j = 0; j < 2; j++)
                    ids[(t * 2 + m) * 2 + j] = id_of(r, t, m, j);
        ck_assert_int_eq(wl_trace_writer_add(w, rt_name[r], rt_prompt[r], rt_decode[r], rt_source[r], ids, err,
                                             sizeof err), 0);
        free(ids);
    }
    /* refused requests leave the writer usable */
    uint16_t bad_ids[4] = { 0, 8, 1, 2 };
    ck_assert_int_eq(wl_trace_writer_add(w, "bad", 1, 0, 0, bad_ids, err, sizeof err), -1);
    ck_assert_ptr_nonnull(strstr(err, "expert id 8 out of range"));
    ck_assert_int_eq(wl_trace_writer_add(w, "bad", 0, 0, 0, bad_ids, err, sizeof err), -1);
    ck_assert_int_eq(wl_trace_writer_add(w, "bad", 1, 129, 129, bad_ids, err, sizeof err), -1);
    ck_assert_uint_eq(wl_trace_writer_count(w), 3);
    ck_assert_int_eq(wl_trace_writer_commit(w, err, sizeof err), 0);
    return path;
}

static void check_request(const wl_request *q, unsigned r)
{
    ck_assert_uint_eq(q->index, r);
    ck_assert_uint_eq(q->prompt_len, rt_prompt[r]);
    ck_assert_uint_eq(q->decode_len, rt_decode[r]);
    ck_assert_uint_eq(q->source_decode_len, rt_source[r]);
    ck_assert_str_eq(q->name, rt_name[r]);
    for (unsigned t = 0; t < wl_request_tokens(q); t++)
        for (unsigned m = 0; m < 2; m++)
            for (unsigned j = 0; j < 2; j++)
                ck_assert_uint_eq(wl_request_route(q, t, m)[j], id_of(r, t, m, j));
}

START_TEST(test_round_trip)
{
    char *dir = fx_tmpdir();
    char *path = write_rt(dir, "t.wst");
    char err[512];
    wl_trace *t = wl_trace_open(path, WL_TRACE_VERIFY, err, sizeof err);
    ck_assert_msg(t != NULL, "%s", err);
    const wl_trace_info *in = wl_trace_get_info(t);
    ck_assert_str_eq(in->shape.model, "tiny");
    ck_assert_uint_eq(in->version, 1);
    ck_assert_uint_eq(in->shape.n_layers, 4);
    ck_assert_uint_eq(in->shape.n_moe, 2);
    ck_assert_uint_eq(in->shape.moe_layer[0], 1);
    ck_assert_uint_eq(in->shape.moe_layer[1], 3);
    ck_assert_uint_eq(in->shape.n_experts, 8);
    ck_assert_uint_eq(in->shape.top_k, 2);
    ck_assert_uint_eq(in->n_requests, 3);
    ck_assert_uint_eq(in->prefill_tokens, 3 + 1 + 5);
    ck_assert_uint_eq(in->decode_tokens, 2 + 0 + 128);
    /* size by the documented layout: header 112 + 4 (layers) pad 8 + 8 sum =
     * 128; records 16 + name + ids; index 3 * 8 */
    uint64_t want = 128 + (16 + 16 + 5 * 8) + (16 + 8 + 1 * 8) + (16 + 8 + 133 * 8) + 24;
    ck_assert_uint_eq(in->file_size, want);
    /* random access, in any order */
    wl_request q;
    for (int r = 2; r >= 0; r--) {
        ck_assert_int_eq(wl_trace_get(t, (uint64_t)r, &q, err, sizeof err), 0);
        check_request(&q, (unsigned)r);
    }
    ck_assert_int_eq(wl_trace_get(t, 3, &q, err, sizeof err), -1);
    ck_assert_ptr_nonnull(strstr(err, "out of range"));
    /* sequential, twice */
    for (int pass = 0; pass < 2; pass++) {
        unsigned r = 0;
        int rc;
        while ((rc = wl_trace_next(t, &q, err, sizeof err)) == 1)
            check_request(&q, r++);
        ck_assert_int_eq(rc, 0);
        ck_assert_uint_eq(r, 3);
        wl_trace_rewind(t);
    }
    wl_trace_close(t);
    free(path);
    fx_rmdir(dir);
}
END_TEST

/* Every prefix of a trace is refused at open, with "truncated" or a header
 * complaint; never a crash. */
START_TEST(test_truncations)
{
    char *dir = fx_tmpdir();
    char *path = write_rt(dir, "t.wst");
    size_t len;
    unsigned char *b = fx_slurp(path, &len);
    char err[512];
    for (size_t cut = 0; cut < len; cut++) {
        FILE *f = fopen(path, "wb");
        fwrite(b, 1, cut, f);
        fclose(f);
        wl_trace *t = wl_trace_open(path, 0, err, sizeof err);
        ck_assert_msg(t == NULL, "prefix of %zu bytes accepted", cut);
        if (cut >= 8 && cut >= 128)
            ck_assert_msg(strstr(err, "truncated: the header says"), "cut %zu: %s", cut, err);
        else if (cut >= 8)
            ck_assert_msg(strstr(err, "truncated") || strstr(err, "corrupt header"), "cut %zu: %s", cut, err);
        ck_assert_msg(strncmp(err, path, strlen(path)) == 0, "message names the file: %s", err);
    }
    free(b);
    free(path);
    fx_rmdir(dir);
}
END_TEST

/* Every single-byte change is caught by open + verify. */
START_TEST(test_corruptions)
{
    char *dir = fx_tmpdir();
    char *path = write_rt(dir, "t.wst");
    size_t len;
    unsigned char *b = fx_slurp(path, &len);
    char err[512];
    for (size_t i = 0; i < len; i++) {
        b[i] ^= 0x41;
        FILE *f = fopen(path, "wb");
        fwrite(b, 1, len, f);
        fclose(f);
        b[i] ^= 0x41;
        wl_trace *t = wl_trace_open(path, WL_TRACE_VERIFY, err, sizeof err);
        ck_assert_msg(t == NULL, "corruption at byte %zu accepted", i);
        if (i < 8)
            ck_assert_ptr_nonnull(strstr(err, "not a wafersim binary trace"));
        else if (i >= 128)
            ck_assert_msg(strstr(err, "payload checksum mismatch"), "byte %zu: %s", i, err);
    }
    free(b);
    free(path);
    fx_rmdir(dir);
}
END_TEST

/* Patches a uint64 / uint16 in the file without fixing the payload checksum
 * and opens it without verification: get() must still refuse. */
START_TEST(test_get_checks_records)
{
    char *dir = fx_tmpdir();
    char *path = write_rt(dir, "t.wst");
    size_t len;
    unsigned char *b = fx_slurp(path, &len);
    char err[512];
    /* request 1's first id (record at 128 + 72: header 16, name "b" 8) */
    size_t at = 128 + 72 + 16 + 8;
    b[at] = 0xff;
    b[at + 1] = 0xff;
    FILE *f = fopen(path, "wb");
    fwrite(b, 1, len, f);
    fclose(f);
    wl_trace *t = wl_trace_open(path, 0, err, sizeof err);
    ck_assert_msg(t != NULL, "%s", err);
    wl_request q;
    ck_assert_int_eq(wl_trace_get(t, 0, &q, err, sizeof err), 0);
    ck_assert_int_eq(wl_trace_get(t, 1, &q, err, sizeof err), -1);
    ck_assert_ptr_nonnull(strstr(err, "corrupt record of request 1: expert id 65535"));
    ck_assert_int_eq(wl_trace_verify(t, err, sizeof err), -1);
    wl_trace_close(t);
    /* index entry of request 2 pointing past the index */
    free(b);
    free(path);
    path = write_rt(dir, "t2.wst");
    b = fx_slurp(path, &len);
    size_t idx2 = len - 8;
    b[idx2 + 6] = 0x7f;
    f = fopen(path, "wb");
    fwrite(b, 1, len, f);
    fclose(f);
    t = wl_trace_open(path, 0, err, sizeof err);
    ck_assert_msg(t != NULL, "%s", err);
    ck_assert_int_eq(wl_trace_get(t, 2, &q, err, sizeof err), -1);
    ck_assert_ptr_nonnull(strstr(err, "corrupt index: request 2"));
    /* next() stops at the bad record */
    int rc, got = 0;
    while ((rc = wl_trace_next(t, &q, err, sizeof err)) == 1)
        got++;
    ck_assert_int_eq(rc, -1);
    ck_assert_int_eq(got, 2);
    wl_trace_close(t);
    free(b);
    free(path);
    fx_rmdir(dir);
}
END_TEST

START_TEST(test_magic_version)
{
    char *dir = fx_tmpdir();
    char *path = write_rt(dir, "t.wst");
    size_t len;
    unsigned char *b = fx_slurp(path, &len);
    char err[512];
    /* version 2 with a correct header checksum */
    b[8] = 2;
    uint64_t h = wl_fnv1a64_update(WL_FNV1A64_INIT, b, 120);
    for (int i = 0; i < 8; i++)
        b[120 + i] = (unsigned char)(h >> (8 * i));
    FILE *f = fopen(path, "wb");
    fwrite(b, 1, len, f);
    fclose(f);
    ck_assert_ptr_null(wl_trace_open(path, 0, err, sizeof err));
    ck_assert_ptr_nonnull(strstr(err, "trace format version 2; this build of wafersim reads version 1 only"));
    /* a JSON file is not a trace; nor is an empty one or a folder */
    char *j = fx_write_str(dir, "x.json", "[{\"0\": null}]");
    ck_assert_ptr_null(wl_trace_open(j, 0, err, sizeof err));
    ck_assert_ptr_nonnull(strstr(err, "not a wafersim binary trace"));
    char *e = fx_write_str(dir, "empty", "");
    ck_assert_ptr_null(wl_trace_open(e, 0, err, sizeof err));
    ck_assert_ptr_nonnull(strstr(err, "empty file"));
    ck_assert_ptr_null(wl_trace_open(dir, 0, err, sizeof err));
    ck_assert_ptr_null(wl_trace_open("/nonexistent.wst", 0, err, sizeof err));
    ck_assert_ptr_nonnull(strstr(err, "cannot open"));
    free(b);
    free(j);
    free(e);
    free(path);
    fx_rmdir(dir);
}
END_TEST

/* ------------------------------------------------------------ import */

static FILE *null_log(void)
{
    FILE *f = fopen("/dev/null", "w");
    ck_assert_ptr_nonnull(f);
    return f;
}

START_TEST(test_import_tree)
{
    char *dir = fx_tmpdir();
    wl_model m;
    fx_tiny_model(dir, &m);
    char *in = malloc(strlen(dir) + 8);
    sprintf(in, "%s/in", dir);
    free(fx_write_str(dir, "in/10.json", "[" PRE "," DEC "]"));
    free(fx_write_str(dir, "in/2.json", "[" PRE "]"));
    free(fx_write_str(dir, "in/bad.json", "[" PRE ","));
    free(fx_write_str(dir, "in/notes.txt", "not a trace"));
    free(fx_write_str(dir, "in/.hidden.json", "garbage"));
    free(fx_write_str(dir, "in/sub/1.json", "[" PRE "," DEC "," DEC_FLAT "]"));
    char out[4096];
    snprintf(out, sizeof out, "%s/out.wst", dir);
    const char *inputs[] = { in };
    wl_import_summary s;
    /* fatal: nothing written */
    FILE *log = null_log();
    ck_assert_int_eq(wl_import(&m, inputs, 1, out, WL_IMPORT_FATAL, false, log, &s), 2);
    struct stat st;
    ck_assert_int_ne(stat(out, &st), 0);
    ck_assert_uint_eq(s.imported, 2);   /* 2.json and 10.json came before bad.json */
    ck_assert_uint_eq(s.skipped, 1);
    /* skip */
    ck_assert_int_eq(wl_import(&m, inputs, 1, out, WL_IMPORT_SKIP, false, log, &s), 0);
    fclose(log);
    ck_assert_uint_eq(s.files, 4);
    ck_assert_uint_eq(s.imported, 3);
    ck_assert_uint_eq(s.skipped, 1);
    ck_assert_uint_eq(s.ignored, 1);
    ck_assert_uint_eq(s.capped, 0);
    ck_assert_uint_eq(s.prefill_tokens, 6);
    ck_assert_uint_eq(s.decode_tokens, 3);
    char err[512];
    wl_trace *t = wl_trace_open(out, WL_TRACE_VERIFY, err, sizeof err);
    ck_assert_msg(t != NULL, "%s", err);
    wl_request q;
    static const char *const names[] = { "2.json", "10.json", "sub/1.json" };
    static const uint32_t decode[] = { 0, 1, 2 };
    for (unsigned i = 0; i < 3; i++) {
        ck_assert_int_eq(wl_trace_get(t, i, &q, err, sizeof err), 0);
        ck_assert_str_eq(q.name, names[i]);
        ck_assert_uint_eq(q.decode_len, decode[i]);
        ck_assert_uint_eq(q.prompt_len, 2);
    }
    /* last request: the flat decode row "1": [7,0], "3": [5,6] at token 3 */
    ck_assert_uint_eq(wl_request_route(&q, 3, 0)[0], 7);
    ck_assert_uint_eq(wl_request_route(&q, 3, 0)[1], 0);
    ck_assert_uint_eq(wl_request_route(&q, 3, 1)[0], 5);
    ck_assert_uint_eq(wl_request_route(&q, 3, 1)[1], 6);
    wl_trace_close(t);
    /* nothing importable: exit 2, nothing written */
    char out2[4096];
    snprintf(out2, sizeof out2, "%s/out2.wst", dir);
    char *b = fx_write_str(dir, "only-bad/x.json", "{}");
    char *ob = malloc(strlen(dir) + 16);
    sprintf(ob, "%s/only-bad", dir);
    const char *inputs2[] = { ob };
    log = null_log();
    ck_assert_int_eq(wl_import(&m, inputs2, 1, out2, WL_IMPORT_SKIP, false, log, &s), 2);
    ck_assert_int_ne(stat(out2, &st), 0);
    const char *inputs3[] = { "/nonexistent-folder" };
    ck_assert_int_eq(wl_import(&m, inputs3, 1, out2, WL_IMPORT_SKIP, false, log, &s), 2);
    fclose(log);
    free(b);
    free(ob);
    free(in);
    wl_model_free(&m);
    fx_rmdir(dir);
}
END_TEST

START_TEST(test_real_traces)
{
    const char *top = getenv("TOP_SRCDIR");
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/../shared/data/traces", top ? top : ".");
    struct stat st;
    if (!top || stat(dir, &st) != 0) {
        fprintf(stderr, "SKIP: test_real_traces: %s absent (real traces are not part of the repository)\n", dir);
        return;
    }
    fx_config_dir();
    wl_model m;
    ws_diag d;
    ws_diag_init(&d, 10);
    ck_assert_int_eq(wl_model_load(&m, "llama4-maverick", &d), 0);
    ws_diag_free(&d);
    char *tmp = fx_tmpdir();
    char out[4096];
    snprintf(out, sizeof out, "%s/l4.wst", tmp);
    const char *inputs[] = { dir };
    wl_import_summary s;
    ck_assert_int_eq(wl_import(&m, inputs, 1, out, WL_IMPORT_FATAL, false, stderr, &s), 0);
    ck_assert_uint_eq(s.imported, 7);
    ck_assert_uint_eq(s.skipped, 0);
    ck_assert_uint_eq(s.prefill_tokens, 288);   /* 25 + 59 + 43 + 51 + 54 + 1 + 55 */
    ck_assert_uint_eq(s.decode_tokens, 7 * 128);
    char err[512];
    wl_trace *t = wl_trace_open(out, WL_TRACE_VERIFY, err, sizeof err);
    ck_assert_msg(t != NULL, "%s", err);
    wl_request q;
    /* natural order: abstract_algebra/0, 34; anatomy/113, 169; astronomy/254, 285, 325 */
    ck_assert_int_eq(wl_trace_get(t, 5, &q, err, sizeof err), 0);
    ck_assert_ptr_nonnull(strstr(q.name, "astronomy/285.json"));
    ck_assert_uint_eq(q.prompt_len, 1);
    ck_assert_int_eq(wl_trace_get(t, 0, &q, err, sizeof err), 0);
    ck_assert_str_eq(q.name, "meta-llama/Llama-4-Maverick-17B-128E-Instruct/mmlu/abstract_algebra/0.json");
    ck_assert_uint_eq(q.prompt_len, 25);
    /* first prompt token at layer 1 chose expert 106 (start of the file) */
    ck_assert_uint_eq(wl_request_route(&q, 0, 0)[0], 106);
    wl_trace_close(t);
    wl_model_free(&m);
    fx_rmdir(tmp);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("trace");
    TCase *tc = tcase_create("trace");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_json_good);
    tcase_add_test(tc, test_json_decode_cap);
    tcase_add_loop_test(tc, test_json_bad, 0, (int)(sizeof bad / sizeof bad[0]));
    tcase_add_test(tc, test_json_missing_file);
    tcase_add_test(tc, test_fnv_pieces);
    tcase_add_test(tc, test_natural_order);
    tcase_add_test(tc, test_round_trip);
    tcase_add_test(tc, test_truncations);
    tcase_add_test(tc, test_corruptions);
    tcase_add_test(tc, test_get_checks_records);
    tcase_add_test(tc, test_magic_version);
    tcase_add_test(tc, test_import_tree);
    tcase_add_test(tc, test_real_traces);
    suite_add_tcase(s, tc);
    return ws_check_run(s);
}
