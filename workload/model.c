/* workload/model.c — model files, their schema and derived quantities;
 * contract in workload/model.h. */
#define _POSIX_C_SOURCE 200809L
#include "workload/model.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>

#include "core/config.h"
#include "core/xalloc.h"
#include "core/yaml_tree.h"

#define FIELD(T, m) offsetof(T, m)

static const char *const dtype_names[] = { "fp32", "bf16", "fp16", "fp8", "int4", NULL };
static const uint32_t dtype_bits[] = { 32, 16, 16, 8, 4 };

const char *wl_dtype_name(wl_dtype t)
{
    return dtype_names[t];
}

/* ------------------------------------------------------------ schema */

static const ws_cfield range_fields[] = {
    { .key = "first", .type = WS_CT_INT, .offset = FIELD(wl_moe_range, first), .min = 0,
      .max = WL_MODEL_MAX_LAYERS - 1, .doc = "first MoE layer" },
    { .key = "last", .type = WS_CT_INT, .offset = FIELD(wl_moe_range, last), .min = 0,
      .max = WL_MODEL_MAX_LAYERS - 1, .doc = "last MoE layer (inclusive)" },
    { .key = "step", .type = WS_CT_INT, .offset = FIELD(wl_moe_range, step), .def = "1", .min = 1,
      .max = WL_MODEL_MAX_LAYERS, .doc = "distance between MoE layers (2 = every other layer)" },
};

static void range_check(void *obj, const ws_ccheck *c)
{
    const wl_moe_range *r = obj;
    if (r->step >= 1 && r->last < r->first)
        ws_ccheck_error(c, "last", "the last MoE layer (%lld) comes before the first (%lld)",
                        (long long)r->last, (long long)r->first);
    else if (r->step >= 1 && (r->last - r->first) % r->step)
        ws_ccheck_error(c, "last", "last (%lld) is not first (%lld) plus a multiple of step (%lld)",
                        (long long)r->last, (long long)r->first, (long long)r->step);
}

static const ws_cschema range_schema = { "moe_layers", sizeof(wl_moe_range), range_fields,
                                         sizeof range_fields / sizeof range_fields[0], range_check };

static const ws_cfield model_fields[] = {
    { .key = "name", .type = WS_CT_STRING, .offset = FIELD(wl_model, name),
      .doc = "model name ([A-Za-z0-9._-], at most 31 characters; stored in traces)" },
    { .key = "description", .type = WS_CT_STRING, .offset = FIELD(wl_model, description), .def = "\"\"",
      .doc = "free text" },
    { .key = "layers", .type = WS_CT_INT, .offset = FIELD(wl_model, layers), .min = 1,
      .max = WL_MODEL_MAX_LAYERS, .doc = "transformer layers, numbered from 0" },
    { .key = "moe_layers", .type = WS_CT_SECTION, .offset = FIELD(wl_model, moe_layers), .sub = &range_schema,
      .doc = "which layers are MoE layers (the others are dense)" },
    { .key = "routed_experts", .type = WS_CT_INT, .offset = FIELD(wl_model, routed_experts), .min = 1,
      .max = WL_MODEL_MAX_EXPERTS, .doc = "routed experts per MoE layer" },
    { .key = "top_k", .type = WS_CT_INT, .offset = FIELD(wl_model, top_k), .min = 1, .max = WL_MODEL_MAX_TOP_K,
      .doc = "routed experts chosen per token and MoE layer" },
    { .key = "groups", .type = WS_CT_INT, .offset = FIELD(wl_model, groups), .def = "1", .min = 1,
      .max = WL_MODEL_MAX_EXPERTS, .doc = "expert groups of group-limited routing (1 = no groups)" },
    { .key = "groups_kept", .type = WS_CT_INT, .offset = FIELD(wl_model, groups_kept), .def = "1", .min = 1,
      .max = WL_MODEL_MAX_EXPERTS, .doc = "groups kept before the top-k is taken" },
    { .key = "shared_experts", .type = WS_CT_INT, .offset = FIELD(wl_model, shared_experts), .def = "0",
      .min = 0, .max = 64, .doc = "shared (always active) experts per MoE layer" },
    { .key = "hidden", .type = WS_CT_INT, .offset = FIELD(wl_model, hidden), .min = 1, .max = 1048576,
      .doc = "hidden (model) dimension" },
    { .key = "expert_ffn", .type = WS_CT_INT, .offset = FIELD(wl_model, expert_ffn), .min = 1,
      .max = 1048576, .doc = "intermediate dimension of one expert" },
    { .key = "dtype", .type = WS_CT_ENUM, .offset = FIELD(wl_model, dtype), .def = "bf16", .names = dtype_names,
      .doc = "weight data type (fp32 4 B, bf16/fp16 2 B, fp8 1 B, int4 0.5 B per parameter)" },
};

static bool valid_name(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > WL_MODEL_NAME_MAX)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
              c == '_' || c == '-'))
            return false;
    }
    return true;
}

/* Cross-field checks; fields that failed to read are zero and skipped. */
static void model_check(void *obj, const ws_ccheck *c)
{
    const wl_model *m = obj;
    if (m->name && !valid_name(m->name))
        ws_ccheck_error(c, "name", "expected 1 to %d characters among A-Z a-z 0-9 . _ -, found \"%s\"",
                        WL_MODEL_NAME_MAX, m->name);
    if (m->layers >= 1 && m->moe_layers.step >= 1 && m->moe_layers.last >= m->layers)
        ws_ccheck_error(c, "moe_layers", "the last MoE layer (%lld) must be below layers (%lld): layers "
                        "are numbered 0..%lld", (long long)m->moe_layers.last, (long long)m->layers,
                        (long long)m->layers - 1);
    int64_t e = m->routed_experts;
    if (e >= 1 && m->top_k > e)
        ws_ccheck_error(c, "top_k", "top_k (%lld) exceeds routed_experts (%lld)", (long long)m->top_k,
                        (long long)e);
    if (e >= 1 && m->groups >= 1 && e % m->groups)
        ws_ccheck_error(c, "groups", "groups (%lld) must divide routed_experts (%lld)", (long long)m->groups,
                        (long long)e);
    else if (m->groups >= 1 && m->groups_kept > m->groups)
        ws_ccheck_error(c, "groups_kept", "groups_kept (%lld) exceeds groups (%lld)",
                        (long long)m->groups_kept, (long long)m->groups);
    else if (e >= 1 && m->groups >= 1 && m->groups_kept >= 1 && m->top_k >= 1 &&
             m->top_k > m->groups_kept * (e / m->groups))
        ws_ccheck_error(c, "top_k", "top_k (%lld) exceeds the experts of the kept groups (%lld groups "
                        "of %lld)", (long long)m->top_k, (long long)m->groups_kept,
                        (long long)(e / m->groups));
}

const ws_cschema wl_model_schema = { "model", sizeof(wl_model), model_fields,
                                     sizeof model_fields / sizeof model_fields[0], model_check };

/* ------------------------------------------------------------ loading */

char *wl_model_path(const char *name_or_path)
{
    return ws_config_named_file("models", name_or_path);
}

static void derive(wl_model *m)
{
    m->dtype_bits = dtype_bits[m->dtype];
    m->matrix_bytes = (uint64_t)m->hidden * (uint64_t)m->expert_ffn * m->dtype_bits / 8;
    m->expert_bytes = 3 * m->matrix_bytes;
    m->routed_bytes_per_layer = (uint64_t)m->routed_experts * m->expert_bytes;
    m->flops_per_token_matrix = 2 * (uint64_t)m->hidden * (uint64_t)m->expert_ffn;
    m->flops_per_token_expert = 3 * m->flops_per_token_matrix;
    m->experts_per_group = (uint32_t)(m->routed_experts / m->groups);
    m->n_moe = (uint32_t)((m->moe_layers.last - m->moe_layers.first) / m->moe_layers.step + 1);
    m->moe_layer = ws_xcalloc(m->n_moe, sizeof *m->moe_layer);
    m->moe_index = ws_xcalloc((size_t)m->layers, sizeof *m->moe_index);
    for (int64_t l = 0; l < m->layers; l++)
        m->moe_index[l] = -1;
    for (uint32_t i = 0; i < m->n_moe; i++) {
        m->moe_layer[i] = (uint32_t)(m->moe_layers.first + (int64_t)i * m->moe_layers.step);
        m->moe_index[m->moe_layer[i]] = (int32_t)i;
    }
}

int wl_model_load(wl_model *m, const char *name_or_path, ws_diag *d)
{
    memset(m, 0, sizeof *m);
    size_t before = ws_diag_count(d);
    char *path = wl_model_path(name_or_path);
    if (!ws_config_is_path(name_or_path)) {
        FILE *probe = fopen(path, "r");
        if (!probe) {
            size_t n = 0;
            char **names = wl_model_list(&n);
            char list[512] = "";
            for (size_t i = 0; i < n; i++) {
                strncat(list, i ? ", " : "", sizeof list - strlen(list) - 1);
                strncat(list, names[i], sizeof list - strlen(list) - 1);
            }
            wl_model_list_free(names, n);
            ws_pos none = { NULL, 0, 0 };
            ws_diag_error(d, none, NULL, "no model \"%s\" (looked for %s); shipped models: %s", name_or_path,
                          path, n ? list : "none found");
            free(path);
            return -1;
        }
        fclose(probe);
    }
    ws_ynode *tree = ws_yaml_expect_mapping(ws_yaml_load_file(path, d), "model", d);
    if (!tree) {
        free(path);
        return -1;
    }
    ws_cschema_read(&wl_model_schema, tree, "", 0, m, d);
    ws_ynode_free(tree);
    if (ws_diag_count(d) > before) {
        ws_cschema_free(&wl_model_schema, m);
        memset(m, 0, sizeof *m);
        free(path);
        return -1;
    }
    m->path = path;
    derive(m);
    return 0;
}

int wl_model_load_reporting(wl_model *m, const char *name_or_path, FILE *err_stream)
{
    ws_diag d;
    ws_diag_init(&d, WS_DIAG_DEFAULT_LIMIT);
    int rc = wl_model_load(m, name_or_path, &d);
    if (rc != 0)
        ws_diag_print(&d, err_stream);
    ws_diag_free(&d);
    return rc;
}

void wl_model_free(wl_model *m)
{
    free(m->moe_layer);
    free(m->moe_index);
    free(m->path);
    ws_cschema_free(&wl_model_schema, m);
    memset(m, 0, sizeof *m);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

char **wl_model_list(size_t *n)
{
    *n = 0;
    const char *dir = ws_config_dir();
    size_t len = strlen(dir) + 16;
    char *mdir = ws_xmalloc(len);
    snprintf(mdir, len, "%s/models", dir);
    DIR *dp = opendir(mdir);
    free(mdir);
    char **names = NULL;
    size_t cap = 0;
    if (!dp)
        return NULL;
    struct dirent *de;
    while ((de = readdir(dp))) {
        size_t l = strlen(de->d_name);
        if (l <= 5 || strcmp(de->d_name + l - 5, ".yaml") || de->d_name[0] == '.')
            continue;
        if (*n == cap) {
            cap = cap ? 2 * cap : 8;
            names = ws_xrealloc(names, cap * sizeof *names);
        }
        names[*n] = ws_xmalloc(l - 4);
        memcpy(names[*n], de->d_name, l - 5);
        names[*n][l - 5] = '\0';
        (*n)++;
    }
    closedir(dp);
    if (*n)
        qsort(names, *n, sizeof *names, cmp_str);
    return names;
}

void wl_model_list_free(char **names, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
}

void wl_model_write(const wl_model *m, FILE *out)
{
    ws_cschema_write(&wl_model_schema, m, out, 0);
}
