/* core/cmd_model.c — `wafersim model list` and `wafersim model show
 * NAME|PATH`: the model zoo and each model's derived quantities
 * (workload/model.h). */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <string.h>

#include "core/cli.h"
#include "core/commands.h"
#include "workload/model.h"

#define MIB (1024.0 * 1024.0)

static int write_table(ws_table *t, const ws_cli_opts *o, const char *command)
{
    ws_provenance p;
    ws_cli_provenance(&p, command);
    char err[512];
    int rc = ws_table_write(t, &p, o->format, o->out, err, sizeof err);
    ws_table_free(t);
    if (rc != 0) {
        fprintf(stderr, "%s: %s\n", command, err);
        return WS_EXIT_RUNTIME;
    }
    return WS_EXIT_OK;
}

static int model_list(const ws_cli_opts *o)
{
    static const char *const cols[] = { "model", "layers", "moe_layers", "routed_experts", "top_k",
                                        "groups", "groups_kept", "shared_experts", "hidden", "expert_ffn",
                                        "dtype", "expert_matrix_bytes", "description" };
    ws_table *t = ws_table_new("models", sizeof cols / sizeof cols[0], cols);
    size_t n = 0;
    char **names = wl_model_list(&n);
    int status = WS_EXIT_OK;
    for (size_t i = 0; i < n; i++) {
        wl_model m;
        if (wl_model_load_reporting(&m, names[i], stderr) != 0) {
            status = WS_EXIT_BAD_INPUT;
        } else {
            size_t r = ws_table_add_row(t);
            size_t c = 0;
            ws_table_set_str(t, r, c++, names[i]);
            ws_table_set_int(t, r, c++, m.layers);
            ws_table_set_int(t, r, c++, m.n_moe);
            ws_table_set_int(t, r, c++, m.routed_experts);
            ws_table_set_int(t, r, c++, m.top_k);
            ws_table_set_int(t, r, c++, m.groups);
            ws_table_set_int(t, r, c++, m.groups_kept);
            ws_table_set_int(t, r, c++, m.shared_experts);
            ws_table_set_int(t, r, c++, m.hidden);
            ws_table_set_int(t, r, c++, m.expert_ffn);
            ws_table_set_str(t, r, c++, wl_dtype_name((wl_dtype)m.dtype));
            ws_table_set_int(t, r, c++, (int64_t)m.matrix_bytes);
            ws_table_set_str(t, r, c++, m.description);
            wl_model_free(&m);
        }
    }
    wl_model_list_free(names, n);
    if (!n) {
        fprintf(stderr, "wafersim model list: no model files found\n");
        ws_table_free(t);
        return WS_EXIT_RUNTIME;
    }
    int rc = write_table(t, o, "wafersim model list");
    return rc ? rc : status;
}

typedef struct rows {
    ws_table *t;
} rows;

static size_t row(rows *r, const char *quantity, const char *unit, const char *meaning)
{
    size_t i = ws_table_add_row(r->t);
    ws_table_set_str(r->t, i, 0, quantity);
    ws_table_set_str(r->t, i, 2, unit);
    ws_table_set_str(r->t, i, 3, meaning);
    return i;
}

static void row_int(rows *r, const char *q, int64_t v, const char *unit, const char *meaning)
{
    ws_table_set_int(r->t, row(r, q, unit, meaning), 1, v);
}

static void row_str(rows *r, const char *q, const char *v, const char *unit, const char *meaning)
{
    ws_table_set_str(r->t, row(r, q, unit, meaning), 1, v);
}

static void row_double(rows *r, const char *q, double v, const char *unit, const char *meaning)
{
    ws_table_set_double(r->t, row(r, q, unit, meaning), 1, v);
}

static int model_show(const ws_cli_opts *o, const char *arg)
{
    wl_model m;
    if (wl_model_load_reporting(&m, arg, stderr) != 0)
        return WS_EXIT_BAD_INPUT;
    static const char *const cols[] = { "quantity", "value", "unit", "meaning" };
    char title[128];
    snprintf(title, sizeof title, "model %s", m.name);
    rows r = { ws_table_new(title, 4, cols) };
    char buf[128];
    row_str(&r, "name", m.name, "", "model name (stored in traces)");
    row_str(&r, "description", m.description, "", "");
    row_str(&r, "file", m.path, "", "model file read");
    row_int(&r, "layers", m.layers, "", "transformer layers, numbered from 0");
    row_int(&r, "moe_layers", m.n_moe, "", "MoE layers");
    if (m.moe_layers.step == 1)
        snprintf(buf, sizeof buf, "%lld..%lld", (long long)m.moe_layers.first, (long long)m.moe_layers.last);
    else
        snprintf(buf, sizeof buf, "%lld..%lld step %lld", (long long)m.moe_layers.first,
                 (long long)m.moe_layers.last, (long long)m.moe_layers.step);
    row_str(&r, "moe_layer_numbers", buf, "", "which layers are MoE (the others are dense)");
    row_int(&r, "routed_experts", m.routed_experts, "", "routed experts per MoE layer");
    row_int(&r, "top_k", m.top_k, "", "routed experts per token and MoE layer");
    row_int(&r, "groups", m.groups, "", "expert groups (group-limited routing)");
    row_int(&r, "groups_kept", m.groups_kept, "", "groups kept before the top-k");
    row_int(&r, "experts_per_group", m.experts_per_group, "", "routed_experts / groups");
    row_int(&r, "shared_experts", m.shared_experts, "", "always-active experts per MoE layer");
    row_int(&r, "hidden", m.hidden, "", "hidden dimension");
    row_int(&r, "expert_ffn", m.expert_ffn, "", "expert intermediate dimension");
    row_str(&r, "dtype", wl_dtype_name((wl_dtype)m.dtype), "", "weight data type");
    row_int(&r, "dtype_bits", m.dtype_bits, "bit", "bits per weight");
    row_int(&r, "matrix_bytes", (int64_t)m.matrix_bytes, "B", "one expert matrix: hidden x expert_ffn x dtype");
    row_double(&r, "matrix_mib", (double)m.matrix_bytes / MIB, "MiB", "the same in MiB");
    row_int(&r, "expert_bytes", (int64_t)m.expert_bytes, "B", "one expert: 3 matrices (gate, up, down)");
    row_int(&r, "routed_bytes_per_layer", (int64_t)m.routed_bytes_per_layer, "B",
            "all routed experts of one MoE layer");
    row_int(&r, "routed_bytes_all_layers", (int64_t)(m.routed_bytes_per_layer * m.n_moe), "B",
               "all routed experts of all MoE layers");
    row_int(&r, "flops_per_token_matrix", (int64_t)m.flops_per_token_matrix, "FLOP",
            "one token through one expert matrix: 2 x hidden x expert_ffn");
    row_int(&r, "flops_per_token_expert", (int64_t)m.flops_per_token_expert, "FLOP",
            "one token through one expert (3 matrices)");
    row_int(&r, "flops_per_token_moe_layer", (int64_t)(m.flops_per_token_expert * (uint64_t)(m.top_k + m.shared_experts)),
            "FLOP", "one token through one MoE layer: (top_k + shared) experts");
    wl_model_free(&m);
    return write_table(r.t, o, "wafersim model show");
}

int ws_cmd_model(int argc, char **argv)
{
    const ws_command *cmd = ws_command_find("model");
    if (argc < 2 || (strcmp(argv[1], "show") && strcmp(argv[1], "list"))) {
        if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
            fputs(cmd->usage, stdout);
            return WS_EXIT_OK;
        }
        fprintf(stderr, "wafersim model: expected 'show' or 'list'%s%s\n%s", argc >= 2 ? ", found " : "",
                argc >= 2 ? argv[1] : "", cmd->usage);
        return WS_EXIT_BAD_INPUT;
    }
    bool list = !strcmp(argv[1], "list");
    ws_cli_opts o;
    int rc = ws_cli_parse(argc - 1, argv + 1, cmd, WS_OPT_FORMAT | WS_OPT_OUT, &o);
    if (rc)
        return rc > 0 ? WS_EXIT_OK : WS_EXIT_BAD_INPUT;
    if (list && o.n_args) {
        fprintf(stderr, "wafersim model list: takes no arguments, found \"%s\"\n", o.args[0]);
        rc = WS_EXIT_BAD_INPUT;
    } else if (!list && o.n_args != 1) {
        fprintf(stderr, "wafersim model show: expected one model name or file, found %zu arguments\n", o.n_args);
        rc = WS_EXIT_BAD_INPUT;
    } else {
        rc = list ? model_list(&o) : model_show(&o, o.args[0]);
    }
    ws_cli_opts_free(&o);
    return rc;
}
