/* core/cmd_trace.c — `wafersim trace ACTION ...`: expert-selection traces.
 * Actions are rows of the table below (one function each); this file has
 * `import` (JSON trees to a binary trace, workload/trace_import.h),
 * `info` (summary of a binary trace, workload/trace_reader.h), `gen`
 * (synthetic traces, workload/generator.h), `stats` (workload/stats.h) and
 * `heatmap` (cross-token transition counts, workload/heatmap.h). */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/cli.h"
#include "core/commands.h"
#include "core/hash.h"
#include "core/xalloc.h"
#include "workload/generator.h"
#include "workload/heatmap.h"
#include "workload/model.h"
#include "workload/profile.h"
#include "workload/stats.h"
#include "workload/trace_import.h"
#include "workload/trace_reader.h"

/* ------------------------------------------------------------ options */

/* ws_cli_parse_ex for `wafersim trace ACTION` (argv[0] is ACTION): its
 * errors name the action ("wafersim trace gen: unknown option ..."). */
static int parse_action(const char *action, int argc, char **argv, unsigned accepted, const ws_cli_extra *extra,
                        size_t n_extra, ws_cli_opts *o)
{
    ws_command sub = *ws_command_find("trace");
    char name[32];
    snprintf(name, sizeof name, "trace %s", action);
    sub.name = name;
    return ws_cli_parse_ex(argc, argv, &sub, accepted, extra, n_extra, o);
}

/* Parses an unsigned integer option value in [lo, hi]; prints the error. */
static int parse_u64(const char *action, const char *opt, const char *text, uint64_t lo, uint64_t hi,
                     uint64_t *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(text, &end, 10);
    if (!*text || *text == '-' || *end || errno || v < lo || v > hi) {
        fprintf(stderr, "wafersim trace %s: %s: expected an integer from %llu to %llu, found \"%s\"\n", action,
                opt, (unsigned long long)lo, (unsigned long long)hi, text);
        return -1;
    }
    *out = v;
    return 0;
}

/* ------------------------------------------------------------ import */

static int trace_import(int argc, char **argv)
{
    const char *model, *on_error_text;
    const ws_cli_extra extra[] = {
        { .name = "model", .value = &model, .short_name = 'm' },
        { .name = "on-error", .value = &on_error_text },
    };
    ws_cli_opts o;
    int rc = parse_action("import", argc, argv, WS_OPT_OUT | WS_OPT_QUIET, extra, sizeof extra / sizeof extra[0], &o);
    if (rc)
        return rc > 0 ? WS_EXIT_OK : WS_EXIT_BAD_INPUT;
    rc = WS_EXIT_BAD_INPUT;
    wl_import_on_error on_error = WL_IMPORT_SKIP;
    if (on_error_text && !strcmp(on_error_text, "fatal")) {
        on_error = WL_IMPORT_FATAL;
    } else if (on_error_text && strcmp(on_error_text, "skip")) {
        fprintf(stderr, "wafersim trace import: --on-error: expected skip or fatal, found \"%s\"\n", on_error_text);
        goto done;
    }
    if (!o.n_args || !model || !o.out) {
        fprintf(stderr, "wafersim trace import: expected DIR... --model NAME -o FILE%s\n",
                !o.n_args ? " (no input given)" : !model ? " (no --model)" : " (no -o FILE)");
        goto done;
    }
    wl_model m;
    if (wl_model_load_reporting(&m, model, stderr) != 0)
        goto done;
    wl_import_summary s;
    rc = wl_import(&m, (const char *const *)o.args, o.n_args, o.out, on_error, !o.quiet, stderr, &s);
    if (rc == WS_EXIT_OK && !o.quiet) {
        printf("imported %llu request%s (%llu prefill + %llu decode tokens, model %s) from %llu JSON file%s "
               "(%.1f MB) into %s\n",
               (unsigned long long)s.imported, s.imported == 1 ? "" : "s", (unsigned long long)s.prefill_tokens,
               (unsigned long long)s.decode_tokens, m.name, (unsigned long long)s.files, s.files == 1 ? "" : "s",
               (double)s.json_bytes / 1e6, o.out);
        printf("skipped %llu bad file%s\n", (unsigned long long)s.skipped, s.skipped == 1 ? "" : "s");
        if (s.ignored)
            printf("ignored %llu file%s not ending in .json\n", (unsigned long long)s.ignored,
                   s.ignored == 1 ? "" : "s");
        if (s.capped)
            printf("capped %llu request%s at %u decode steps (later steps dropped)\n",
                   (unsigned long long)s.capped, s.capped == 1 ? "" : "s", WL_TRACE_MAX_DECODE);
    }
    wl_model_free(&m);
done:
    ws_cli_opts_free(&o);
    return rc;
}

/* ------------------------------------------------------------ info */

static int trace_info(int argc, char **argv)
{
    ws_cli_opts o;
    int rc = parse_action("info", argc, argv, WS_OPT_FORMAT | WS_OPT_OUT, NULL, 0, &o);
    if (rc)
        return rc > 0 ? WS_EXIT_OK : WS_EXIT_BAD_INPUT;
    if (o.n_args != 1) {
        fprintf(stderr, "wafersim trace info: expected one trace file, found %zu arguments\n", o.n_args);
        ws_cli_opts_free(&o);
        return WS_EXIT_BAD_INPUT;
    }
    char err[512];
    wl_trace *t = wl_trace_open(o.args[0], WL_TRACE_VERIFY, err, sizeof err);
    if (!t) {
        fprintf(stderr, "wafersim trace info: %s\n", err);
        ws_cli_opts_free(&o);
        return WS_EXIT_BAD_INPUT;
    }
    const wl_trace_info *in = wl_trace_get_info(t);
    uint64_t capped = 0, min_prompt = UINT64_MAX, max_prompt = 0, min_decode = UINT64_MAX, max_decode = 0;
    wl_request r;
    while (wl_trace_next(t, &r, err, sizeof err) == 1) {
        capped += r.source_decode_len > r.decode_len;
        min_prompt = r.prompt_len < min_prompt ? r.prompt_len : min_prompt;
        max_prompt = r.prompt_len > max_prompt ? r.prompt_len : max_prompt;
        min_decode = r.decode_len < min_decode ? r.decode_len : min_decode;
        max_decode = r.decode_len > max_decode ? r.decode_len : max_decode;
    }
    static const char *const cols[] = { "field", "value" };
    ws_table *tab = ws_table_new("trace", 2, cols);
    char buf[64];
#define ROW_S(k, v) do { size_t i_ = ws_table_add_row(tab); ws_table_set_str(tab, i_, 0, k); \
                         ws_table_set_str(tab, i_, 1, v); } while (0)
#define ROW_I(k, v) do { size_t i_ = ws_table_add_row(tab); ws_table_set_str(tab, i_, 0, k); \
                         ws_table_set_int(tab, i_, 1, (int64_t)(v)); } while (0)
    ROW_S("file", o.args[0]);
    ROW_I("file_size_bytes", in->file_size);
    ROW_I("format_version", in->version);
    ROW_S("model", in->shape.model);
    ROW_I("layers", in->shape.n_layers);
    ROW_I("moe_layers", in->shape.n_moe);
    ROW_I("routed_experts", in->shape.n_experts);
    ROW_I("top_k", in->shape.top_k);
    ROW_I("requests", in->n_requests);
    ROW_I("prefill_tokens", in->prefill_tokens);
    ROW_I("decode_tokens", in->decode_tokens);
    ROW_I("tokens", in->prefill_tokens + in->decode_tokens);
    ROW_I("prompt_len_min", in->n_requests ? min_prompt : 0);
    ROW_I("prompt_len_max", max_prompt);
    ROW_I("decode_len_min", in->n_requests ? min_decode : 0);
    ROW_I("decode_len_max", max_decode);
    ROW_I("requests_capped_at_128_decode", capped);
    ws_hash64_hex(in->payload_checksum, buf);
    ROW_S("checksum_fnv1a64", buf);
    ROW_S("checksum_ok", "yes");
#undef ROW_S
#undef ROW_I
    wl_trace_close(t);
    ws_provenance p;
    ws_cli_provenance(&p, "wafersim trace info");
    rc = ws_table_write(tab, &p, o.format, o.out, err, sizeof err);
    ws_table_free(tab);
    ws_cli_opts_free(&o);
    if (rc != 0) {
        fprintf(stderr, "wafersim trace info: %s\n", err);
        return WS_EXIT_RUNTIME;
    }
    return WS_EXIT_OK;
}

/* ------------------------------------------------------------ shared helpers */

static wl_trace *open_trace(const char *action, const char *path)
{
    char err[512];
    wl_trace *t = wl_trace_open(path, WL_TRACE_VERIFY, err, sizeof err);
    if (!t)
        fprintf(stderr, "wafersim trace %s: %s\n", action, err);
    return t;
}

/* ------------------------------------------------------------ gen */

/* "N" or "MIN:MAX" */
static int parse_prompt(const char *text, wl_gen_lengths *len)
{
    const char *colon = strchr(text, ':');
    uint64_t a, b;
    if (!colon) {
        if (parse_u64("gen", "--prompt-tokens", text, 1, 1000000, &a))
            return -1;
        len->prompt_min = len->prompt_max = (uint32_t)a;
        return 0;
    }
    char lo[32];
    size_t n = (size_t)(colon - text);
    if (n >= sizeof lo) {
        fprintf(stderr, "wafersim trace gen: --prompt-tokens: expected N or MIN:MAX, found \"%s\"\n", text);
        return -1;
    }
    memcpy(lo, text, n);
    lo[n] = '\0';
    if (parse_u64("gen", "--prompt-tokens", lo, 1, 1000000, &a) ||
        parse_u64("gen", "--prompt-tokens", colon + 1, a, 1000000, &b))
        return -1;
    len->prompt_min = (uint32_t)a;
    len->prompt_max = (uint32_t)b;
    return 0;
}

static int trace_gen(int argc, char **argv)
{
    const char *model, *requests, *seed_text, *profile, *prompt, *decode;
    const ws_cli_extra extra[] = {
        { .name = "model", .value = &model, .short_name = 'm' },
        { .name = "requests", .value = &requests, .short_name = 'n' },
        { .name = "seed", .value = &seed_text, .short_name = 's' },
        { .name = "profile", .value = &profile, .short_name = 'p' },
        { .name = "prompt-tokens", .value = &prompt },
        { .name = "decode-tokens", .value = &decode },
    };
    ws_cli_opts o;
    int rc = parse_action("gen", argc, argv, WS_OPT_OUT | WS_OPT_QUIET, extra, sizeof extra / sizeof extra[0], &o);
    if (rc)
        return rc > 0 ? WS_EXIT_OK : WS_EXIT_BAD_INPUT;
    rc = WS_EXIT_BAD_INPUT;
    uint64_t n_req = 0, seed = 0, v;
    wl_gen_lengths len = { 0, 0, -1 };
    if ((requests && parse_u64("gen", "--requests", requests, 1, UINT32_MAX, &n_req)) ||
        (seed_text && parse_u64("gen", "--seed", seed_text, 0, UINT64_MAX, &seed)) ||
        (prompt && parse_prompt(prompt, &len)))
        goto done;
    if (decode) {
        if (parse_u64("gen", "--decode-tokens", decode, 0, WL_TRACE_MAX_DECODE, &v))
            goto done;
        len.decode = (int32_t)v;
    }
    if (o.n_args || !model || !requests || !seed_text || !o.out) {
        fprintf(stderr, "wafersim trace gen: expected --model NAME --requests N --seed S -o FILE%s%s\n",
                o.n_args ? ", found the argument " : "", o.n_args ? o.args[0] : "");
        goto done;
    }
    wl_model m;
    if (wl_model_load_reporting(&m, model, stderr) != 0)
        goto done;
    wl_profile p;
    if (wl_profile_pick(&p, profile, &m, "wafersim trace gen", o.quiet, stderr) != 0) {
        wl_model_free(&m);
        goto done;
    }
    char err[512];
    rc = wl_gen_write(&m, &p, seed, n_req, &len, o.out, !o.quiet, err, sizeof err) ? WS_EXIT_RUNTIME : WS_EXIT_OK;
    if (rc) {
        fprintf(stderr, "wafersim trace gen: %s\n", err);
    } else if (!o.quiet) {
        wl_trace *t = wl_trace_open(o.out, 0, err, sizeof err);
        if (t) {
            const wl_trace_info *in = wl_trace_get_info(t);
            printf("generated %llu request%s (%llu prefill + %llu decode tokens, model %s, profile %s, seed %llu) "
                   "into %s\n",
                   (unsigned long long)in->n_requests, in->n_requests == 1 ? "" : "s",
                   (unsigned long long)in->prefill_tokens, (unsigned long long)in->decode_tokens, m.name, p.name,
                   (unsigned long long)seed, o.out);
            wl_trace_close(t);
        }
    }
    wl_profile_free(&p);
    wl_model_free(&m);
done:
    ws_cli_opts_free(&o);
    return rc;
}

/* ------------------------------------------------------------ stats */

static void set_num(ws_table *t, size_t row, size_t col, double v)
{
    if (!isnan(v))
        ws_table_set_double(t, row, col, v);
}

static ws_table *stats_table(const wl_stats *s)
{
    size_t nc = 2 + wl_stats_n_columns;
    const char **cols = ws_xcalloc(nc, sizeof *cols);
    cols[0] = "moe_layer_index";
    cols[1] = "model_layer";
    for (size_t c = 0; c < wl_stats_n_columns; c++)
        cols[2 + c] = wl_stats_columns[c].name;
    ws_table *t = ws_table_new("trace statistics per MoE layer (decode tokens unless named)", nc, cols);
    free(cols);
    char buf[32];
    for (uint32_t m = 0; m <= s->n_moe; m++) {
        const wl_layer_stats *L = m < s->n_moe ? &s->layer[m] : &s->mean;
        size_t r = ws_table_add_row(t);
        if (m < s->n_moe) {
            snprintf(buf, sizeof buf, "%u", m);
            ws_table_set_str(t, r, 0, buf);
            ws_table_set_int(t, r, 1, s->moe_layer[m]);
        } else {
            ws_table_set_str(t, r, 0, "mean");
        }
        for (size_t c = 0; c < wl_stats_n_columns; c++) {
            double v = wl_stats_get(L, &wl_stats_columns[c]);
            if (c == 0 && m < s->n_moe)
                ws_table_set_int(t, r, 2 + c, (int64_t)v);
            else
                set_num(t, r, 2 + c, v);
        }
    }
    return t;
}

static int write_cdf(const wl_stats *s, const char *path, const ws_provenance *p)
{
    static const char *const cols[] = { "moe_layer_index", "model_layer", "rank", "next_token_cdf",
                                        "next_layer_cdf" };
    ws_table *t = ws_table_new("conditional CDF after each layer's hottest expert: mass of the top `rank` experts",
                               5, cols);
    for (uint32_t m = 0; m < s->n_moe; m++)
        for (uint32_t e = 0; e < s->n_experts; e++) {
            size_t r = ws_table_add_row(t);
            ws_table_set_int(t, r, 0, m);
            ws_table_set_int(t, r, 1, s->moe_layer[m]);
            ws_table_set_int(t, r, 2, e + 1);
            set_num(t, r, 3, s->next_token_cdf[(size_t)m * s->n_experts + e]);
            set_num(t, r, 4, s->next_layer_cdf[(size_t)m * s->n_experts + e]);
        }
    char err[512];
    int rc = ws_table_write(t, p, WS_FORMAT_CSV, path, err, sizeof err);
    ws_table_free(t);
    if (rc)
        fprintf(stderr, "wafersim trace stats: %s\n", err);
    return rc;
}

static int trace_stats(int argc, char **argv)
{
    const char *cdf, *batch_samples, *seed;
    const ws_cli_extra extra[] = {
        { .name = "cdf", .value = &cdf },
        { .name = "batch-samples", .value = &batch_samples },
        { .name = "seed", .value = &seed },
    };
    ws_cli_opts o;
    int rc = parse_action("stats", argc, argv, WS_OPT_FORMAT | WS_OPT_OUT, extra, sizeof extra / sizeof extra[0], &o);
    if (rc)
        return rc > 0 ? WS_EXIT_OK : WS_EXIT_BAD_INPUT;
    rc = WS_EXIT_BAD_INPUT;
    wl_stats_opts so = { 8, 1 };
    uint64_t v;
    if (batch_samples) {
        if (parse_u64("stats", "--batch-samples", batch_samples, 0, 1000000, &v))
            goto done;
        so.batch_samples = (uint32_t)v;
    }
    if (seed && parse_u64("stats", "--seed", seed, 0, UINT64_MAX, &so.seed))
        goto done;
    if (o.n_args != 1) {
        fprintf(stderr, "wafersim trace stats: expected one trace file, found %zu arguments\n", o.n_args);
        goto done;
    }
    wl_trace *t = open_trace("stats", o.args[0]);
    if (!t)
        goto done;
    wl_stats s;
    char err[512];
    if (wl_stats_compute(t, &so, &s, err, sizeof err) != 0) {
        fprintf(stderr, "wafersim trace stats: %s\n", err);
        wl_trace_close(t);
        goto done;
    }
    ws_provenance p;
    ws_cli_provenance(&p, "wafersim trace stats");
    p.has_seed = true;
    p.seed = so.seed;
    p.config_path = o.args[0];
    rc = WS_EXIT_OK;
    if (cdf && write_cdf(&s, cdf, &p))
        rc = WS_EXIT_RUNTIME;
    ws_table *tab = stats_table(&s);
    if (rc == WS_EXIT_OK && ws_table_write(tab, &p, o.format, o.out, err, sizeof err) != 0) {
        fprintf(stderr, "wafersim trace stats: %s\n", err);
        rc = WS_EXIT_RUNTIME;
    }
    ws_table_free(tab);
    wl_stats_free(&s);
    wl_trace_close(t);
done:
    ws_cli_opts_free(&o);
    return rc;
}

/* ------------------------------------------------------------ heatmap */

static int trace_heatmap(int argc, char **argv)
{
    const char *eval;
    bool oracle;
    const ws_cli_extra extra[] = {
        { .name = "oracle", .flag = &oracle },
        { .name = "eval", .value = &eval },
    };
    ws_cli_opts o;
    int rc = parse_action("heatmap", argc, argv, WS_OPT_OUT | WS_OPT_QUIET,
                          extra, sizeof extra / sizeof extra[0], &o);
    if (rc)
        return rc > 0 ? WS_EXIT_OK : WS_EXIT_BAD_INPUT;
    const char *out = o.out;
    rc = WS_EXIT_BAD_INPUT;
    if (o.n_args != 1 || !out) {
        fprintf(stderr, "wafersim trace heatmap: expected PROFILE_TRACE -o FILE%s\n",
                !out ? " (no -o FILE)" : " (one trace)");
        goto done;
    }
    wl_trace *t = open_trace("heatmap", o.args[0]);
    if (!t)
        goto done;
    char err[512];
    wl_heatmap *h = wl_heatmap_build(t, oracle, err, sizeof err);
    rc = h ? WS_EXIT_OK : WS_EXIT_BAD_INPUT;
    if (!h)
        fprintf(stderr, "wafersim trace heatmap: %s\n", err);
    if (h && eval) {
        wl_trace *e = open_trace("heatmap", eval);
        if (!e)
            rc = WS_EXIT_BAD_INPUT;
        else if (wl_heatmap_check_eval(h, wl_trace_get_info(e), err, sizeof err) != 0) {
            fprintf(stderr, "wafersim trace heatmap: %s: %s\n", eval, err);
            rc = WS_EXIT_BAD_INPUT;
        }
        if (e)
            wl_trace_close(e);
    }
    if (rc == WS_EXIT_OK && wl_heatmap_write(h, out, err, sizeof err) != 0) {
        fprintf(stderr, "wafersim trace heatmap: %s\n", err);
        rc = WS_EXIT_RUNTIME;
    }
    if (rc == WS_EXIT_OK && !o.quiet) {
        const wl_heatmap_info *in = wl_heatmap_get_info(h);
        char prov[600];
        wl_heatmap_provenance(h, out, prov, sizeof prov);
        printf("heatmap of %llu request%s (%llu transitions, %llu non-zero cells over %u MoE layers) into %s\n",
               (unsigned long long)in->source_requests, in->source_requests == 1 ? "" : "s",
               (unsigned long long)in->transitions, (unsigned long long)in->nnz, in->n_moe, out);
        printf("oracle: %s\n%s\n", in->oracle ? "yes (--oracle: the profile is the evaluated batch)" : "no", prov);
    }
    wl_heatmap_free(h);
    wl_trace_close(t);
done:
    ws_cli_opts_free(&o);
    return rc;
}

/* ------------------------------------------------------------ dispatch */

static const struct {
    const char *name;
    int (*run)(int argc, char **argv);
} actions[] = {
    { "import", trace_import },
    { "info", trace_info },
    { "gen", trace_gen },
    { "stats", trace_stats },
    { "heatmap", trace_heatmap },
};

int ws_cmd_trace(int argc, char **argv)
{
    const ws_command *cmd = ws_command_find("trace");
    if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
        fputs(cmd->usage, stdout);
        return WS_EXIT_OK;
    }
    for (size_t i = 0; argc >= 2 && i < sizeof actions / sizeof actions[0]; i++)
        if (!strcmp(argv[1], actions[i].name))
            return actions[i].run(argc - 1, argv + 1);
    fprintf(stderr, "wafersim trace: expected an action (");
    for (size_t i = 0; i < sizeof actions / sizeof actions[0]; i++)
        fprintf(stderr, "%s%s", i ? ", " : "", actions[i].name);
    fprintf(stderr, ")%s%s\n%s", argc >= 2 ? ", found " : "", argc >= 2 ? argv[1] : "", cmd->usage);
    return WS_EXIT_BAD_INPUT;
}
