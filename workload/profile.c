/* workload/profile.c — generator profiles: schema, loading, checks against
 * the model; contract in workload/profile.h. */
#define _POSIX_C_SOURCE 200809L
#include "workload/profile.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/config.h"
#include "core/xalloc.h"
#include "core/yaml_tree.h"
#include "workload/stats.h"

#define FIELD(T, m) offsetof(T, m)

static const ws_cfield ramp_prob_fields[] = {
    { .key = "first", .type = WS_CT_FLOAT, .offset = FIELD(wl_ramp, first), .def = "0", .min = 0, .max = 1,
      .doc = "value at the first MoE layer (probability)" },
    { .key = "last", .type = WS_CT_FLOAT, .offset = FIELD(wl_ramp, last), .def = "0", .min = 0, .max = 1,
      .doc = "value at the last MoE layer (probability)" },
};
static const ws_cschema ramp_prob_schema = { "ramp", sizeof(wl_ramp), ramp_prob_fields, 2, NULL };

static const ws_cfield ramp_skew_fields[] = {
    { .key = "first", .type = WS_CT_FLOAT, .offset = FIELD(wl_ramp, first), .def = "0.5", .min = 0, .max = 8,
      .doc = "lognormal sigma of popularity at the first MoE layer" },
    { .key = "last", .type = WS_CT_FLOAT, .offset = FIELD(wl_ramp, last), .def = "0.5", .min = 0, .max = 8,
      .doc = "lognormal sigma of popularity at the last MoE layer" },
};
static const ws_cschema ramp_skew_schema = { "skew", sizeof(wl_ramp), ramp_skew_fields, 2, NULL };

static void prompt_check(void *obj, const ws_ccheck *c)
{
    const wl_prompt_dist *p = obj;
    if (p->min > p->max)
        ws_ccheck_error(c, "max", "max (%lld) is below min (%lld)", (long long)p->max, (long long)p->min);
}

static const ws_cfield prompt_fields[] = {
    { .key = "median", .type = WS_CT_FLOAT, .offset = FIELD(wl_prompt_dist, median), .def = "60", .min = 1,
      .max = 1e6, .doc = "median prompt length, tokens (lognormal)" },
    { .key = "sigma", .type = WS_CT_FLOAT, .offset = FIELD(wl_prompt_dist, sigma), .def = "0.5", .min = 0,
      .max = 4, .doc = "lognormal sigma of the prompt length (0 = always the median)" },
    { .key = "min", .type = WS_CT_INT, .offset = FIELD(wl_prompt_dist, min), .def = "1", .min = 1, .max = 1000000,
      .doc = "shortest prompt, tokens" },
    { .key = "max", .type = WS_CT_INT, .offset = FIELD(wl_prompt_dist, max), .def = "2048", .min = 1,
      .max = 1000000, .doc = "longest prompt, tokens" },
};
static const ws_cschema prompt_schema = { "prompt", sizeof(wl_prompt_dist), prompt_fields, 4, prompt_check };

static const ws_cfield target_fields[] = {
    { .key = "stat", .type = WS_CT_STRING, .offset = FIELD(wl_target, stat),
      .doc = "a column of `wafersim trace stats`" },
    { .key = "layer", .type = WS_CT_INT, .offset = FIELD(wl_target, layer), .def = "-1", .min = -1,
      .max = WL_MODEL_MAX_LAYERS, .doc = "MoE layer index of the row, -1 = the mean row" },
    { .key = "value", .type = WS_CT_FLOAT, .offset = FIELD(wl_target, value), .min = WS_NO_LIMIT_MIN,
      .max = WS_NO_LIMIT_MAX, .doc = "target value" },
    { .key = "tolerance", .type = WS_CT_FLOAT, .offset = FIELD(wl_target, tolerance), .min = 0,
      .max = WS_NO_LIMIT_MAX, .doc = "accepted absolute deviation of the measured value" },
    { .key = "source", .type = WS_CT_STRING, .offset = FIELD(wl_target, source), .def = "\"\"",
      .doc = "where the target comes from" },
    { .key = "enforced", .type = WS_CT_BOOL, .offset = FIELD(wl_target, enforced), .def = "true",
      .doc = "false: a known gap of the generator, reported but not checked" },
};
static const ws_cschema target_schema = { "target", sizeof(wl_target), target_fields, 6, NULL };

static const ws_cfield profile_fields[] = {
    { .key = "name", .type = WS_CT_STRING, .offset = FIELD(wl_profile, name), .def = "default",
      .doc = "profile name" },
    { .key = "model", .type = WS_CT_STRING, .offset = FIELD(wl_profile, model), .def = "\"\"",
      .doc = "the model this profile is calibrated for (empty: any)" },
    { .key = "description", .type = WS_CT_STRING, .offset = FIELD(wl_profile, description), .def = "\"\"",
      .doc = "free text" },
    { .key = "skew", .type = WS_CT_SECTION, .offset = FIELD(wl_profile, skew), .sub = &ramp_skew_schema,
      .doc = "lognormal sigma of expert popularity, first to last MoE layer" },
    { .key = "layer_gini", .type = WS_CT_LIST, .offset = FIELD(wl_profile, layer_gini), .def = "[]",
      .elem = WS_CT_FLOAT, .min = 0, .max = WL_MODEL_MAX_LAYERS,
      .doc = "target load Gini per MoE layer (overrides skew: sigma = skew_gain * sqrt(2) * Phi^-1((1+G)/2))" },
    { .key = "skew_gain", .type = WS_CT_FLOAT, .offset = FIELD(wl_profile, skew_gain), .def = "1", .min = 0,
      .max = 10, .doc = "multiplies the sigma derived from layer_gini" },
    { .key = "hot_experts", .type = WS_CT_INT, .offset = FIELD(wl_profile, hot_experts), .def = "0", .min = 0,
      .max = WL_MODEL_MAX_EXPERTS, .doc = "per layer, this many of the most popular experts get hot_boost" },
    { .key = "hot_boost", .type = WS_CT_FLOAT, .offset = FIELD(wl_profile, hot_boost), .def = "0", .min = 0,
      .max = 20, .doc = "added to the popularity logit of the hot experts (a heavier top tail)" },
    { .key = "degenerate_layers", .type = WS_CT_LIST, .offset = FIELD(wl_profile, degenerate_layers),
      .def = "[]", .elem = WS_CT_INT, .min = 0, .max = WL_MODEL_MAX_LAYERS,
      .doc = "MoE layer indices (0-based) that send almost every pick to one expert" },
    { .key = "degenerate_share", .type = WS_CT_QTY, .offset = FIELD(wl_profile, degenerate_share),
      .def = "99.8%", .min = 0, .max = 1, .unit = WS_UNIT_PERCENT,
      .doc = "share of a degenerate layer's picks that go to its one expert" },
    { .key = "topics", .type = WS_CT_INT, .offset = FIELD(wl_profile, topics), .def = "16", .min = 1,
      .max = 4096, .doc = "topics (subjects, languages); each request draws one" },
    { .key = "topic_spread", .type = WS_CT_FLOAT, .offset = FIELD(wl_profile, topic_spread), .def = "0.5",
      .min = 0, .max = 8, .doc = "sigma of a topic's perturbation of the popularity logits" },
    { .key = "decode_shift", .type = WS_CT_FLOAT, .offset = FIELD(wl_profile, decode_shift), .def = "0.3",
      .min = 0, .max = 8, .doc = "sigma of the decode phase's perturbation of the logits (prefill vs decode)" },
    { .key = "stickiness", .type = WS_CT_SECTION, .offset = FIELD(wl_profile, stickiness),
      .sub = &ramp_prob_schema, .doc = "probability that a pick copies an expert of the previous token" },
    { .key = "layer_follow", .type = WS_CT_SECTION, .offset = FIELD(wl_profile, layer_follow),
      .sub = &ramp_prob_schema, .doc = "probability that a pick follows the kernel from the previous MoE layer" },
    { .key = "kernel_width", .type = WS_CT_INT, .offset = FIELD(wl_profile, kernel_width), .def = "8", .min = 1,
      .max = WL_MODEL_MAX_EXPERTS, .doc = "successors of each expert in the layer-to-layer kernel" },
    { .key = "kernel_concentration", .type = WS_CT_FLOAT, .offset = FIELD(wl_profile, kernel_concentration),
      .def = "1", .min = 1e-3, .max = 1e3, .doc = "Dirichlet alpha of the kernel weights (small = peaked)" },
    { .key = "coactivation", .type = WS_CT_FLOAT, .offset = FIELD(wl_profile, coactivation), .def = "0",
      .min = 0, .max = 1, .doc = "probability that pick j >= 1 is a partner of an earlier pick of the token" },
    { .key = "partner_width", .type = WS_CT_INT, .offset = FIELD(wl_profile, partner_width), .def = "4",
      .min = 1, .max = WL_MODEL_MAX_EXPERTS, .doc = "partners of each expert: cliques of partner_width + 1 experts within a group" },
    { .key = "partner_concentration", .type = WS_CT_FLOAT, .offset = FIELD(wl_profile, partner_concentration),
      .def = "1", .min = 1e-3, .max = 1e3, .doc = "Dirichlet alpha of the partner weights" },
    { .key = "prompt", .type = WS_CT_SECTION, .offset = FIELD(wl_profile, prompt), .sub = &prompt_schema,
      .doc = "prompt length distribution" },
    { .key = "decode_tokens", .type = WS_CT_INT, .offset = FIELD(wl_profile, decode_tokens), .def = "128",
      .min = 0, .max = 128, .doc = "decode steps per request" },
    { .key = "targets", .type = WS_CT_LIST, .offset = FIELD(wl_profile, targets), .def = "[]",
      .elem = WS_CT_SECTION, .sub = &target_schema, .min = 0, .max = 1000,
      .doc = "calibration targets: {stat, value, tolerance, source}" },
};

const ws_cschema wl_profile_schema = { "profile", sizeof(wl_profile), profile_fields,
                                       sizeof profile_fields / sizeof profile_fields[0], NULL };

char *wl_profile_path(const char *name_or_path)
{
    return ws_config_named_file("profiles", name_or_path);
}

void wl_profile_default(wl_profile *p)
{
    memset(p, 0, sizeof *p);
    ws_diag d;
    ws_diag_init(&d, 4);
    ws_cschema_read(&wl_profile_schema, NULL, "", 0, p, &d);
    ws_diag_free(&d);
}

void wl_profile_free(wl_profile *p)
{
    free(p->path);
    ws_cschema_free(&wl_profile_schema, p);
    memset(p, 0, sizeof *p);
}

static ws_pos key_pos(const ws_ynode *tree, const char *key)
{
    const ws_ynode *n = ws_ynode_map_get(tree, key);
    return ws_ynode_pos(n ? n : tree);
}

/* Checks that need the model; positions from the tree. */
static void check_model(const wl_profile *p, const wl_model *m, const ws_ynode *tree, ws_diag *d)
{
    if (p->layer_gini.n && p->layer_gini.n != m->n_moe)
        ws_diag_error(d, key_pos(tree, "layer_gini"), "layer_gini",
                      "expected one value per MoE layer of %s (%u), found %zu", m->name, m->n_moe,
                      p->layer_gini.n);
    const double *g = p->layer_gini.items;
    for (size_t i = 0; i < p->layer_gini.n; i++)
        if (!(g[i] >= 0 && g[i] < 1)) {
            ws_diag_error(d, key_pos(tree, "layer_gini"), "layer_gini",
                          "item %zu: a Gini coefficient must be in [0, 1), found %g", i, g[i]);
            break;
        }
    const int64_t *dl = p->degenerate_layers.items;
    for (size_t i = 0; i < p->degenerate_layers.n; i++)
        if (dl[i] >= (int64_t)m->n_moe) {
            ws_diag_error(d, key_pos(tree, "degenerate_layers"), "degenerate_layers",
                          "item %zu: MoE layer index %lld is out of range (%s has MoE layers 0..%u)", i,
                          (long long)dl[i], m->name, m->n_moe - 1);
            break;
        }
    const wl_target *tg = p->targets.items;
    for (size_t i = 0; i < p->targets.n; i++) {
        if (!wl_stats_column_find(tg[i].stat))
            ws_diag_error(d, key_pos(tree, "targets"), "targets", "item %zu: no statistic \"%s\" in `trace stats`",
                          i, tg[i].stat);
        else if (tg[i].layer >= (int64_t)m->n_moe)
            ws_diag_error(d, key_pos(tree, "targets"), "targets", "item %zu: MoE layer index %lld is out of range",
                          i, (long long)tg[i].layer);
    }
    if (p->hot_experts > m->routed_experts)
        ws_diag_error(d, key_pos(tree, "hot_experts"), "hot_experts", "hot_experts (%lld) exceeds the routed "
                      "experts of %s (%lld)", (long long)p->hot_experts, m->name, (long long)m->routed_experts);
    if (p->kernel_width > m->routed_experts)
        ws_diag_error(d, key_pos(tree, "kernel_width"), "kernel_width",
                      "kernel_width (%lld) exceeds the routed experts of %s (%lld)", (long long)p->kernel_width,
                      m->name, (long long)m->routed_experts);
    if (p->partner_width > (int64_t)m->experts_per_group - 1 && p->coactivation > 0)
        ws_diag_error(d, key_pos(tree, "partner_width"), "partner_width",
                      "partner_width (%lld) exceeds the other experts of a group of %s (%u)",
                      (long long)p->partner_width, m->name, m->experts_per_group - 1);
}

int wl_profile_load(wl_profile *p, const char *name_or_path, const wl_model *m, ws_diag *d)
{
    memset(p, 0, sizeof *p);
    size_t before = ws_diag_count(d);
    char *path = wl_profile_path(name_or_path);
    if (!ws_config_is_path(name_or_path)) {
        FILE *probe = fopen(path, "r");
        if (!probe) {
            ws_pos none = { NULL, 0, 0 };
            ws_diag_error(d, none, NULL, "no profile \"%s\" (looked for %s)", name_or_path, path);
            free(path);
            return -1;
        }
        fclose(probe);
    }
    ws_ynode *tree = ws_yaml_expect_mapping(ws_yaml_load_file(path, d), "profile", d);
    if (!tree) {
        free(path);
        return -1;
    }
    ws_cschema_read(&wl_profile_schema, tree, "", 0, p, d);
    if (ws_diag_count(d) == before)
        check_model(p, m, tree, d);
    ws_ynode_free(tree);
    if (ws_diag_count(d) > before) {
        free(path);
        wl_profile_free(p);
        return -1;
    }
    p->path = path;
    return 0;
}
