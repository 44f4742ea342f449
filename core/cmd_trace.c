/* core/cmd_trace.c — `wafersim trace ACTION ...`: expert-selection traces.
 * Actions are rows of the table below (one function each); this file has
 * `import` (JSON trees to a binary trace, workload/trace_import.h) and
 * `info` (summary of a binary trace, workload/trace_reader.h). */
#define _POSIX_C_SOURCE 200809L
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/cli.h"
#include "core/commands.h"
#include "core/hash.h"
#include "workload/model.h"
#include "workload/trace_import.h"
#include "workload/trace_reader.h"

/* ------------------------------------------------------------ import */

static int trace_import(int argc, char **argv)
{
    const ws_command *cmd = ws_command_find("trace");
    static const struct option longopts[] = {
        { "help", no_argument, NULL, 'h' },
        { "model", required_argument, NULL, 'm' },
        { "out", required_argument, NULL, 'o' },
        { "on-error", required_argument, NULL, 'e' },
        { "quiet", no_argument, NULL, 'q' },
        { NULL, 0, NULL, 0 },
    };
    const char *model = NULL, *out = NULL;
    wl_import_on_error on_error = WL_IMPORT_SKIP;
    bool quiet = false;
    opterr = 0;
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, ":hm:o:q", longopts, NULL)) != -1) {
        switch (c) {
        case 'h':
            fputs(cmd->usage, stdout);
            return WS_EXIT_OK;
        case 'm': model = optarg; break;
        case 'o': out = optarg; break;
        case 'q': quiet = true; break;
        case 'e':
            if (!strcmp(optarg, "skip"))
                on_error = WL_IMPORT_SKIP;
            else if (!strcmp(optarg, "fatal"))
                on_error = WL_IMPORT_FATAL;
            else {
                fprintf(stderr, "wafersim trace import: --on-error: expected skip or fatal, found \"%s\"\n", optarg);
                return WS_EXIT_BAD_INPUT;
            }
            break;
        case ':':
            fprintf(stderr, "wafersim trace import: option %s needs a value\n", argv[optind - 1]);
            return WS_EXIT_BAD_INPUT;
        default:
            fprintf(stderr, "wafersim trace import: unknown option \"%s\"\ntry 'wafersim trace --help'\n",
                    argv[optind - 1]);
            return WS_EXIT_BAD_INPUT;
        }
    }
    if (optind >= argc || !model || !out) {
        fprintf(stderr, "wafersim trace import: expected DIR... --model NAME -o FILE%s\n",
                optind >= argc ? " (no input given)" : !model ? " (no --model)" : " (no -o FILE)");
        return WS_EXIT_BAD_INPUT;
    }
    ws_diag d;
    ws_diag_init(&d, WS_DIAG_DEFAULT_LIMIT);
    wl_model m;
    if (wl_model_load(&m, model, &d) != 0) {
        ws_diag_print(&d, stderr);
        ws_diag_free(&d);
        return WS_EXIT_BAD_INPUT;
    }
    ws_diag_free(&d);
    wl_import_summary s;
    int rc = wl_import(&m, (const char *const *)argv + optind, (size_t)(argc - optind), out, on_error, !quiet,
                       stderr, &s);
    if (rc == WS_EXIT_OK && !quiet) {
        printf("imported %llu request%s (%llu prefill + %llu decode tokens, model %s) from %llu JSON file%s "
               "(%.1f MB) into %s\n",
               (unsigned long long)s.imported, s.imported == 1 ? "" : "s", (unsigned long long)s.prefill_tokens,
               (unsigned long long)s.decode_tokens, m.name, (unsigned long long)s.files, s.files == 1 ? "" : "s",
               (double)s.json_bytes / 1e6, out);
        printf("skipped %llu bad file%s\n", (unsigned long long)s.skipped, s.skipped == 1 ? "" : "s");
        if (s.ignored)
            printf("ignored %llu file%s not ending in .json\n", (unsigned long long)s.ignored,
                   s.ignored == 1 ? "" : "s");
        if (s.capped)
            printf("capped %llu request%s at %u decode steps (later steps dropped)\n",
                   (unsigned long long)s.capped, s.capped == 1 ? "" : "s", WL_TRACE_MAX_DECODE);
    }
    wl_model_free(&m);
    return rc;
}

/* ------------------------------------------------------------ info */

static int trace_info(int argc, char **argv)
{
    const ws_command *cmd = ws_command_find("trace");
    ws_cli_opts o;
    int rc = ws_cli_parse(argc, argv, cmd, WS_OPT_FORMAT | WS_OPT_OUT, &o);
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

/* ------------------------------------------------------------ dispatch */

static const struct {
    const char *name;
    int (*run)(int argc, char **argv);
} actions[] = {
    { "import", trace_import },
    { "info", trace_info },
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
