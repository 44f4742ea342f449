/* core/config.c — the experiment config schema, preset resolution,
 * overrides and the resolved view; contract in core/config.h. */
#define _POSIX_C_SOURCE 200809L
#ifdef HAVE_CONFIG_H
#include <config.h>
#endif
#include "core/config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "arch/energy.h"
#include "arch/hwopt.h"
#include "core/hash.h"
#include "core/yaml_tree.h"
#include "arch/run_schema.h"
#include "mem/llc.h"
#include "core/xalloc.h"
#include "noc/noc_schema.h"

#ifndef WS_SRC_CONFIGDIR
#define WS_SRC_CONFIGDIR "configs"
#endif
#ifndef WS_DATA_CONFIGDIR
#define WS_DATA_CONFIGDIR "/usr/local/share/wafersim/configs"
#endif

#define DEFAULT_CLOCK_HZ 1e9

/* ------------------------------------------------------------ schema */

#define FIELD(T, m) offsetof(T, m)

static const ws_cfield sim_fields[] = {
    { .key = "clock", .type = WS_CT_QTY, .unit = WS_UNIT_FREQUENCY, .offset = FIELD(ws_sim_config, clock_hz),
      .def = "1 GHz", .min = 1e6, .max = 1e11, .doc = "wafer clock; one tick is one cycle of it" },
    { .key = "seed", .type = WS_CT_INT, .offset = FIELD(ws_sim_config, seed), .def = "1",
      .min = 0, .max = 9007199254740991.0, .doc = "master seed of every random stream" },
    { .key = "watchdog", .type = WS_CT_QTY, .unit = WS_UNIT_TIME, .offset = FIELD(ws_sim_config, watchdog_s),
      .def = "1 ms", .min = 1e-9, .max = 1e3,
      .doc = "stop with exit status 3 when work is outstanding and nothing moved for this long" },
    { .key = "activity_skipping", .type = WS_CT_BOOL, .offset = FIELD(ws_sim_config, activity_skipping),
      .def = "true", .doc = "jump over ticks where no component is due (results are identical either way)" },
    { .key = "sample_steps", .type = WS_CT_INT, .offset = FIELD(ws_sim_config, sample_steps), .def = "0",
      .min = 0, .max = 1e6,
      .doc = "sampled simulation of `wafersim run`: simulate and measure only this many decode steps, evenly "
             "spread, and estimate the whole run from them with a 95% confidence interval (0 = every step; "
             "doc/run.md)" },
    { .key = "sample_warmup", .type = WS_CT_INT, .offset = FIELD(ws_sim_config, sample_warmup), .def = "1",
      .min = 0, .max = 1e6,
      .doc = "with sample_steps: decode steps simulated unmeasured before each sampled one, to warm LLCs and "
             "copies" },
    { .key = "sample_layers", .type = WS_CT_INT, .offset = FIELD(ws_sim_config, sample_layers), .def = "0",
      .min = 0, .max = 1e6,
      .doc = "layer sampling of `wafersim run`: in each simulated decode step, simulate only this many of the "
             "model's MoE layers, evenly spread and shifted from step to step, and estimate the rest with the "
             "decode steps (0 = every layer; doc/run.md)" },
    { .key = "limits", .type = WS_CT_SECTION, .offset = FIELD(ws_sim_config, limits), .sub = &ws_limits_schema,
      .doc = "resource limits: configs needing more are refused up front (doc/robustness.md)" },
    { .key = "test_drop_message", .type = WS_CT_INT, .offset = FIELD(ws_sim_config, test_drop_message),
      .def = "0", .min = 0, .max = 1e15,
      .doc = "TEST ONLY: the D2D controllers lose the Nth network message (0 = none), to test the watchdog" },
};
static const ws_cschema sim_schema = { "sim", sizeof(ws_sim_config), sim_fields,
                                       sizeof sim_fields / sizeof sim_fields[0], NULL };

static const ws_cfield grid_fields[] = {
    { .key = "x", .type = WS_CT_INT, .offset = FIELD(ws_grid_config, x), .min = 1, .max = 1024,
      .doc = "tiles along x" },
    { .key = "y", .type = WS_CT_INT, .offset = FIELD(ws_grid_config, y), .min = 1, .max = 1024,
      .doc = "tiles along y" },
};

#define WS_MAX_TILES 65536
static void grid_check(void *obj, const ws_ccheck *c)
{
    const ws_grid_config *g = obj;
    if (g->x * g->y > WS_MAX_TILES)
        ws_ccheck_error(c, NULL, "a %lld x %lld grid has %lld tiles, more than the limit of %d",
                        (long long)g->x, (long long)g->y, (long long)(g->x * g->y), WS_MAX_TILES);
}
static const ws_cschema grid_schema = { "grid", sizeof(ws_grid_config), grid_fields,
                                        sizeof grid_fields / sizeof grid_fields[0], grid_check };

static const ws_cfield hbm_fields[] = {
    { .key = "capacity", .type = WS_CT_QTY, .unit = WS_UNIT_SIZE, .offset = FIELD(ws_hbm_config, capacity_bytes),
      .min = 1, .max = 1e18, .doc = "HBM capacity per tile" },
    { .key = "bandwidth", .type = WS_CT_QTY, .unit = WS_UNIT_BANDWIDTH,
      .offset = FIELD(ws_hbm_config, bandwidth_bytes_per_s), .min = 1, .max = 1e18,
      .doc = "peak HBM bandwidth per tile" },
    { .key = "latency", .type = WS_CT_QTY, .unit = WS_UNIT_TIME, .offset = FIELD(ws_hbm_config, latency_s),
      .min = 0, .max = 1, .doc = "local HBM access latency" },
    { .key = "reserved", .type = WS_CT_QTY, .unit = WS_UNIT_PERCENT,
      .offset = FIELD(ws_hbm_config, reserved_fraction), .min = 0, .max = 0.99,
      .doc = "share of HBM reserved for hardware-managed expert copies" },
    { .key = "channels", .type = WS_CT_INT, .offset = FIELD(ws_hbm_config, channels), .min = 1, .max = 1024,
      .doc = "independent channels sharing the bandwidth equally" },
    { .key = "interleave", .type = WS_CT_QTY, .unit = WS_UNIT_SIZE,
      .offset = FIELD(ws_hbm_config, interleave_bytes), .min = 1, .max = 1e9,
      .doc = "address striping granule over the channels" },
    { .key = "queue_depth", .type = WS_CT_INT, .offset = FIELD(ws_hbm_config, queue_depth), .min = 1,
      .max = 1e6, .doc = "requests a channel holds before it pushes back" },
};
static const ws_cschema hbm_schema = { "hbm", sizeof(ws_hbm_config), hbm_fields,
                                       sizeof hbm_fields / sizeof hbm_fields[0], NULL };

static const char *const llc_allocation_names[] = { "local_misses", "all_served", NULL };

static const ws_cfield llc_fields[] = {
    { .key = "size", .type = WS_CT_QTY, .unit = WS_UNIT_SIZE, .offset = FIELD(ws_llc_config, size_bytes),
      .min = 0, .max = 1e15, .doc = "last-level cache per tile" },
    { .key = "hit_latency", .type = WS_CT_QTY, .unit = WS_UNIT_TIME, .offset = FIELD(ws_llc_config, hit_latency_s),
      .min = 0, .max = 1, .doc = "LLC hit latency" },
    { .key = "miss_penalty", .type = WS_CT_QTY, .unit = WS_UNIT_TIME,
      .offset = FIELD(ws_llc_config, miss_penalty_s), .min = 0, .max = 1, .doc = "added latency of an LLC miss" },
    { .key = "write_latency", .type = WS_CT_QTY, .unit = WS_UNIT_TIME,
      .offset = FIELD(ws_llc_config, write_latency_s), .min = 0, .max = 1, .doc = "LLC write latency" },
    { .key = "associativity", .type = WS_CT_INT, .offset = FIELD(ws_llc_config, associativity), .min = 1,
      .max = 1024, .doc = "ways per set" },
    { .key = "line_size", .type = WS_CT_QTY, .unit = WS_UNIT_SIZE, .offset = FIELD(ws_llc_config, line_bytes),
      .min = 1, .max = 1e6, .doc = "cache line (a power of two)" },
    { .key = "allocation", .type = WS_CT_ENUM, .offset = FIELD(ws_llc_config, allocation),
      .names = llc_allocation_names,
      .doc = "which misses fill the LLC: the tile's own (local_misses) or every access it serves "
             "(all_served)" },
};

static void llc_check(void *obj, const ws_ccheck *c)
{
    const ws_llc_config *l = obj;
    const char *culprit;
    const char *why = mem_llc_check((uint64_t)l->size_bytes, (unsigned)l->associativity,
                                    (uint64_t)l->line_bytes, &culprit);
    if (why)
        ws_ccheck_error(c, culprit, "invalid LLC geometry: %s", why);
}
static const ws_cschema llc_schema = { "llc", sizeof(ws_llc_config), llc_fields,
                                       sizeof llc_fields / sizeof llc_fields[0], llc_check };

static const ws_cfield efficiency_point_fields[] = {
    { .key = "tokens", .type = WS_CT_INT, .offset = FIELD(ws_efficiency_point, tokens), .min = 1, .max = 1e9,
      .doc = "tokens per task" },
    { .key = "efficiency", .type = WS_CT_FLOAT, .offset = FIELD(ws_efficiency_point, efficiency),
      .min = 1e-6, .max = 1, .doc = "achieved fraction of peak FLOP/s" },
};
static const ws_cschema efficiency_point_schema = {
    "efficiency point", sizeof(ws_efficiency_point), efficiency_point_fields,
    sizeof efficiency_point_fields / sizeof efficiency_point_fields[0], NULL };

static const char *const overlap_names[] = { "pipelined", "serial", NULL };

static const ws_cfield compute_fields[] = {
    { .key = "overlap", .type = WS_CT_ENUM, .offset = FIELD(ws_compute_config, overlap), .names = overlap_names,
      .def = "pipelined",
      .doc = "pipelined: compute consumes each weight chunk as it arrives; serial: compute starts when the "
             "whole matrix has arrived" },
    { .key = "efficiency", .type = WS_CT_LIST, .elem = WS_CT_SECTION, .sub = &efficiency_point_schema,
      .offset = FIELD(ws_compute_config, efficiency), .def = "[]", .min = 0, .max = 4096,
      .doc = "GEMM efficiency by tokens per task, interpolated linearly; empty = roofline with the tile's "
             "HBM bandwidth" },
};

static void compute_check(void *obj, const ws_ccheck *c)
{
    const ws_compute_config *cc = obj;
    const ws_efficiency_point *p = cc->efficiency.items;
    for (size_t i = 1; i < cc->efficiency.n; i++)
        if (p[i].tokens <= p[i - 1].tokens) {
            ws_ccheck_error(c, "efficiency", "token counts must be strictly ascending (entry %zu has %lld "
                            "after %lld)", i, (long long)p[i].tokens, (long long)p[i - 1].tokens);
            return;
        }
}
static const ws_cschema compute_schema = { "compute", sizeof(ws_compute_config), compute_fields,
                                           sizeof compute_fields / sizeof compute_fields[0], compute_check };

static const ws_cfield tile_fields[] = {
    { .key = "peak_flops", .type = WS_CT_QTY, .unit = WS_UNIT_COMPUTE, .offset = FIELD(ws_tile_config, peak_flops),
      .min = 1, .max = 1e20, .doc = "peak FP16/BF16 throughput of the compute die" },
    { .key = "hbm", .type = WS_CT_SECTION, .offset = FIELD(ws_tile_config, hbm), .sub = &hbm_schema,
      .doc = "local HBM" },
    { .key = "llc", .type = WS_CT_SECTION, .offset = FIELD(ws_tile_config, llc), .sub = &llc_schema,
      .doc = "last-level cache" },
    { .key = "compute", .type = WS_CT_SECTION, .offset = FIELD(ws_tile_config, compute), .sub = &compute_schema,
      .doc = "compute time model" },
};
static const ws_cschema tile_schema = { "tile", sizeof(ws_tile_config), tile_fields,
                                        sizeof tile_fields / sizeof tile_fields[0], NULL };

static const ws_cfield link_fields[] = {
    { .key = "bandwidth", .type = WS_CT_QTY, .unit = WS_UNIT_BANDWIDTH,
      .offset = FIELD(ws_link_config, bandwidth_bytes_per_s), .min = 1, .max = 1e18,
      .doc = "D2D link bandwidth per direction" },
    { .key = "latency", .type = WS_CT_QTY, .unit = WS_UNIT_TIME, .offset = FIELD(ws_link_config, latency_s),
      .min = 0, .max = 1, .doc = "D2D link latency per hop" },
};
static const ws_cschema link_schema = { "link", sizeof(ws_link_config), link_fields,
                                        sizeof link_fields / sizeof link_fields[0], NULL };

#define WS_ROUTING_NAME(SUFFIX, name, test_only, summary) #name,
static const char *const routing_names[] = { NOC_ROUTING_LIST(WS_ROUTING_NAME) NULL };
#undef WS_ROUTING_NAME

static const ws_cfield hw_fields[] = {
    { .key = "grid", .type = WS_CT_SECTION, .offset = FIELD(ws_hw_config, grid), .sub = &grid_schema,
      .doc = "2D mesh of tiles" },
    { .key = "tile", .type = WS_CT_SECTION, .offset = FIELD(ws_hw_config, tile), .sub = &tile_schema,
      .doc = "one tile: compute die, HBM, LLC" },
    { .key = "link", .type = WS_CT_SECTION, .offset = FIELD(ws_hw_config, link), .sub = &link_schema,
      .doc = "die-to-die links between neighbouring tiles" },
    { .key = "routing", .type = WS_CT_ENUM, .offset = FIELD(ws_hw_config, routing), .names = routing_names,
      .doc = "routing function of the network (registry: noc/routing_list.h; doc/noc.md)" },
    { .key = "remote_request", .type = WS_CT_QTY, .unit = WS_UNIT_SIZE,
      .offset = FIELD(ws_hw_config, remote_request_bytes), .min = 1, .max = 1e6,
      .doc = "command + address bytes of a remote read request" },
    { .key = "read_chunk", .type = WS_CT_QTY, .unit = WS_UNIT_SIZE,
      .offset = FIELD(ws_hw_config, read_chunk_bytes), .min = 1, .max = 1e12,
      .doc = "unit in which a D2D controller reads HBM and sends data back (one message each)" },
    { .key = "energy", .type = WS_CT_SECTION, .offset = FIELD(ws_hw_config, energy), .sub = &arch_energy_schema,
      .doc = "energy per bit and per FLOP, for the energy report of `wafersim run` (doc/options.md)" },
};
static const ws_cschema hw_schema = { "hw", sizeof(ws_hw_config), hw_fields,
                                      sizeof hw_fields / sizeof hw_fields[0], NULL };

static const ws_cfield config_fields[] = {
    { .key = "preset", .type = WS_CT_STRING, .offset = FIELD(ws_config, preset), .def = "\"\"",
      .doc = "hardware preset from configs/hw/ (dojo, tsmc-sow, dojo-enhanced) or a path" },
    { .key = "description", .type = WS_CT_STRING, .offset = FIELD(ws_config, description), .def = "\"\"",
      .doc = "free text, copied to results" },
    { .key = "sim", .type = WS_CT_SECTION, .offset = FIELD(ws_config, sim), .sub = &sim_schema,
      .doc = "simulation control" },
    { .key = "hw", .type = WS_CT_SECTION, .offset = FIELD(ws_config, hw), .sub = &hw_schema,
      .doc = "the wafer" },
    { .key = "options", .type = WS_CT_SECTION, .offset = FIELD(ws_config, options),
      .sub = &ws_hwopt_options_schema, .doc = "hardware options (see `wafersim options`)" },
    { .key = "noc", .type = WS_CT_SECTION, .offset = FIELD(ws_config, noc), .sub = &noc_config_schema,
      .doc = "network on the wafer: routers, packets, links (doc/noc.md)" },
    { .key = "traffic", .type = WS_CT_SECTION, .offset = FIELD(ws_config, traffic), .sub = &noc_traffic_schema,
      .doc = "synthetic traffic and measurement for `wafersim noc` (doc/noc.md)" },
    { .key = "model", .type = WS_CT_STRING, .offset = FIELD(ws_config, model), .def = "\"\"",
      .doc = "MoE model for `wafersim run`: a name from configs/models/ or a path" },
    { .key = "workload", .type = WS_CT_SECTION, .offset = FIELD(ws_config, workload), .sub = &arch_workload_schema,
      .doc = "requests of a `wafersim run` (doc/run.md)" },
    { .key = "strategy", .type = WS_CT_SECTION, .offset = FIELD(ws_config, strategy), .sub = &arch_strategy_schema,
      .doc = "allocation, placement and command processor of a `wafersim run` (doc/run.md)" },
    { .key = "variants", .type = WS_CT_LIST, .elem = WS_CT_SECTION, .sub = &arch_variant_schema,
      .offset = FIELD(ws_config, variants), .def = "[]", .min = 0, .max = 64,
      .doc = "named variants run side by side: each a list of KEY.PATH=VALUE overrides" },
    { .key = "baseline", .type = WS_CT_STRING, .offset = FIELD(ws_config, baseline), .def = "\"\"",
      .doc = "the variant speedups are normalised to (\"\" = the first)" },
    { .key = "sweep", .type = WS_CT_EXTERNAL,
      .doc = "points of `wafersim sweep`: grid, zip, seeds (doc/sweep.md); ignored by the other commands" },
};

/* Variant names are unique (the baseline and the results name them) and
 * the baseline, if written, is one of them. */
static void variants_check(const ws_config *cfg, const ws_ccheck *c)
{
    const ws_variant_config *v = cfg->variants.items;
    for (size_t i = 0; i < cfg->variants.n; i++)
        for (size_t j = 0; j < i; j++)
            if (!strcmp(v[i].name, v[j].name)) {
                ws_ccheck_error(c, "variants", "variants %zu and %zu are both named \"%s\"; names must "
                                "be unique", j, i, v[i].name);
                return;
            }
    if (!cfg->baseline || !*cfg->baseline)
        return;
    for (size_t i = 0; i < cfg->variants.n; i++)
        if (!strcmp(v[i].name, cfg->baseline))
            return;
    ws_ccheck_error(c, "baseline", "no variant named \"%s\"%s", cfg->baseline,
                    cfg->variants.n ? "" : " (the experiment has no variants)");
}

static void config_check(void *obj, const ws_ccheck *c)
{
    variants_check(obj, c);
    if (ws_diag_count(c->diag) == 0)   /* no cascades from values already reported */
        noc_config_cross_check(obj, c);
    if (ws_diag_count(c->diag) == 0)
        ws_limits_check(obj, c);
}
const ws_cschema ws_config_schema = { "config", sizeof(ws_config), config_fields,
                                      sizeof config_fields / sizeof config_fields[0], config_check };

/* ------------------------------------------------------------ loading */

const char *ws_config_dir(void)
{
    const char *env = getenv("WAFERSIM_CONFIG_DIR");
    if (env && *env)
        return env;
    if (access(WS_SRC_CONFIGDIR "/hw", R_OK) == 0)
        return WS_SRC_CONFIGDIR;
    return WS_DATA_CONFIGDIR;
}

bool ws_config_is_path(const char *name_or_path)
{
    size_t len = strlen(name_or_path);
    return strchr(name_or_path, '/') || (len > 5 && !strcmp(name_or_path + len - 5, ".yaml"));
}

char *ws_config_named_file(const char *kind, const char *name_or_path)
{
    if (ws_config_is_path(name_or_path))
        return ws_xstrdup(name_or_path);
    const char *dir = ws_config_dir();
    size_t n = strlen(dir) + strlen(kind) + strlen(name_or_path) + 8;
    char *out = ws_xmalloc(n);
    snprintf(out, n, "%s/%s/%s.yaml", dir, kind, name_or_path);
    return out;
}

static char *preset_path(const char *name, const char *config_path)
{
    size_t len = strlen(name);
    char *out;
    if (!ws_config_is_path(name)) {
        out = ws_config_named_file("hw", name);
    } else if (name[0] == '/' || !strchr(config_path, '/')) {
        out = ws_xstrdup(name);
    } else {
        size_t dirlen = (size_t)(strrchr(config_path, '/') - config_path);
        size_t n = dirlen + len + 2;
        out = ws_xmalloc(n);
        snprintf(out, n, "%.*s/%s", (int)dirlen, config_path, name);
    }
    return out;
}

/* Replaces *tree by the preset it names, with *tree merged over it. */
static int apply_preset(ws_ynode **tree, const char *path, ws_diag *d)
{
    ws_ynode *pn = ws_ynode_map_get(*tree, "preset");
    if (!pn || ws_ynode_is_null(pn) || (pn->kind == WS_YSCALAR && !*pn->text))
        return 0;
    if (pn->kind != WS_YSCALAR) {
        ws_diag_error(d, ws_ynode_pos(pn), "preset", "expected a preset name or path, found a %s",
                      ws_ynode_kind_name(pn));
        return -1;
    }
    char *ppath = preset_path(pn->text, path);
    struct stat st;
    if (stat(ppath, &st) == 0 && S_ISDIR(st.st_mode)) {
        ws_diag_error(d, ws_ynode_pos(pn), "preset", "\"%s\" is a directory (%s), not a preset file",
                      pn->text, ppath);
        free(ppath);
        return -1;
    }
    if (access(ppath, R_OK) != 0) {
        ws_diag_error(d, ws_ynode_pos(pn), "preset",
                      "no hardware preset \"%s\" (looked for %s); shipped presets: dojo, tsmc-sow, "
                      "dojo-enhanced", pn->text, ppath);
        free(ppath);
        return -1;
    }
    ws_ynode *base = ws_yaml_load_file(ppath, d);
    free(ppath);
    if (!base)
        return -1;
    if (base->kind != WS_YMAPPING) {
        ws_diag_error(d, ws_ynode_pos(base), "", "expected a mapping at the top of a preset, found a %s",
                      ws_ynode_kind_name(base));
        ws_ynode_free(base);
        return -1;
    }
    ws_ynode *nested = ws_ynode_map_get(base, "preset");
    if (nested) {
        ws_diag_error(d, ws_ynode_pos(nested), "preset", "a preset cannot name another preset");
        ws_ynode_free(base);
        return -1;
    }
    ws_ynode_merge(base, *tree);
    *tree = base;
    return 0;
}

/* A key path as names joined by dots (what --set and a sweep accept). */
static bool key_path_ok(const char *key)
{
    size_t klen = strlen(key);
    return klen && key[0] != '.' && key[klen - 1] != '.' && !strstr(key, "..") && !strpbrk(key, " \t:");
}

static int apply_override(ws_ynode *tree, const char *arg, ws_diag *d)
{
    size_t name_len = strlen(arg) + 16;
    char *name = ws_xmalloc(name_len);
    snprintf(name, name_len, "--set '%s'", arg);
    const char *eq = strchr(arg, '=');
    ws_pos pos = { name, 1, 1 };
    int rc = -1;
    char *key = NULL;
    if (!eq || eq == arg) {
        ws_diag_error(d, pos, NULL, "expected KEY.PATH=VALUE, found \"%s\"", arg);
        goto out;
    }
    key = ws_xmalloc((size_t)(eq - arg) + 1);
    memcpy(key, arg, (size_t)(eq - arg));
    key[eq - arg] = '\0';
    if (!key_path_ok(key)) {
        ws_diag_error(d, pos, NULL, "malformed key path \"%s\" (expected names joined by dots)", key);
        goto out;
    }
    if (!strcmp(key, "preset")) {
        ws_diag_error(d, pos, "preset", "the preset cannot be changed with --set; write it in the file");
        goto out;
    }
    const char *text = eq + 1;
    ws_ynode *value = *text ? ws_yaml_load_string(text, name, (unsigned)(eq - arg) + 1, d)
                            : NULL;
    if (*text && !value)
        goto out;
    if (!value) {   /* "key=" means an explicit null */
        value = ws_yaml_load_string("~", name, (unsigned)(eq - arg) + 1, d);
    } else if (value->kind == WS_YMAPPING && value->n == 0 && strspn(text, " \t") == strlen(text)) {
        ws_ynode_free(value);
        value = ws_yaml_load_string("~", name, (unsigned)(eq - arg) + 1, d);
    }
    if (ws_ynode_set_path(tree, key, value) != 0) {
        ws_diag_error(d, pos, key, "cannot set: a part of this key path is not a mapping");
        goto out;
    }
    rc = 0;
out:
    free(key);
    free(name);
    return rc;
}

/* The clock must be known before "cycles" can be converted anywhere. A
 * clock the schema will refuse (unparsable or out of its range) is reported
 * once, by the schema; "cycles" elsewhere then use the default rather than
 * giving a second, spurious error (200 cycles at 1 Hz = 200 s). */
static double resolved_clock(const ws_ynode *tree)
{
    const ws_ynode *c = ws_ynode_map_get(ws_ynode_map_get(tree, "sim"), "clock");
    double lo = 0, hi = 0;
    for (size_t i = 0; i < sizeof sim_fields / sizeof sim_fields[0]; i++)
        if (!strcmp(sim_fields[i].key, "clock")) {
            lo = sim_fields[i].min;
            hi = sim_fields[i].max;
        }
    double hz;
    if (c && c->kind == WS_YSCALAR &&
        ws_units_parse(c->text, WS_UNIT_FREQUENCY, 0, &hz, NULL, 0) == WS_UNITS_OK && hz > 0 &&
        hz >= lo && hz <= hi)
        return hz;
    return DEFAULT_CLOCK_HZ;
}

static void apply_node(ws_ynode *tree, const ws_config_node_set *s, ws_diag *d)
{
    ws_pos pos = ws_ynode_pos(s->value);
    if (!key_path_ok(s->key))
        ws_diag_error(d, pos, NULL, "malformed key path \"%s\" (expected names joined by dots)", s->key);
    else if (!strcmp(s->key, "preset") || !strcmp(s->key, "sweep") || !strncmp(s->key, "sweep.", 6))
        ws_diag_error(d, pos, s->key, "cannot be swept; write it in the file");
    else if (ws_ynode_set_path(tree, s->key, ws_ynode_copy(s->value)) != 0)
        ws_diag_error(d, pos, s->key, "cannot set: a part of this key path is not a mapping");
}

/* Steps 1-3 of the contract on a parsed file (`tree`, freed here, may be
 * NULL after a parse error already reported). */
static int load_tree(ws_config *cfg, ws_ynode *tree, const char *path, const ws_config_node_set *nodes,
                     size_t n_nodes, const char *const *overrides, size_t n_overrides, ws_diag *d,
                     size_t errors_before)
{
    tree = ws_yaml_expect_mapping(tree, "config", d);
    if (!tree)
        return -1;
    if (apply_preset(&tree, path, d) != 0) {
        ws_ynode_free(tree);
        return -1;
    }
    for (size_t i = 0; i < n_nodes; i++)
        apply_node(tree, &nodes[i], d);
    for (size_t i = 0; i < n_overrides; i++)
        apply_override(tree, overrides[i], d);
    ws_cschema_read(&ws_config_schema, tree, "", resolved_clock(tree), cfg, d);
    ws_ynode_free(tree);
    if (ws_diag_count(d) > errors_before) {
        ws_config_free(cfg);
        return -1;
    }
    if (cfg->preset && !*cfg->preset) {
        free(cfg->preset);
        cfg->preset = NULL;
    }
    return 0;
}

int ws_config_load(ws_config *cfg, const char *path, const char *const *overrides,
                   size_t n_overrides, ws_diag *d)
{
    return ws_config_load_nodes(cfg, path, NULL, 0, overrides, n_overrides, d);
}

int ws_config_load_nodes(ws_config *cfg, const char *path, const ws_config_node_set *nodes, size_t n_nodes,
                         const char *const *overrides, size_t n_overrides, ws_diag *d)
{
    memset(cfg, 0, sizeof *cfg);
    size_t errors_before = ws_diag_count(d);
    return load_tree(cfg, ws_yaml_load_file(path, d), path, nodes, n_nodes, overrides, n_overrides, d,
                     errors_before);
}

int ws_config_load_buffer(ws_config *cfg, const char *text, size_t len, const char *name,
                          const char *const *overrides, size_t n_overrides, ws_diag *d)
{
    memset(cfg, 0, sizeof *cfg);
    size_t errors_before = ws_diag_count(d);
    return load_tree(cfg, ws_yaml_load_buffer(text, len, name, 0, d), name, NULL, 0, overrides, n_overrides, d,
                     errors_before);
}

void ws_config_free(ws_config *cfg)
{
    ws_cschema_free(&ws_config_schema, cfg);
    memset(cfg, 0, sizeof *cfg);
}

/* ------------------------------------------------------------ views */

void ws_config_write(const ws_config *cfg, FILE *out)
{
    /* preset stays a name: the values it contributed are printed below */
    ws_config copy = *cfg;
    if (!copy.preset)
        copy.preset = "";
    ws_cschema_write(&ws_config_schema, &copy, out, 0);
}

uint64_t ws_config_hash(const ws_config *cfg)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&buf, &len);
    if (!mem)
        abort();
    ws_config_write(cfg, mem);
    fclose(mem);
    uint64_t h = ws_hash64(buf, len);
    free(buf);
    return h;
}

void ws_config_doc(FILE *out)
{
    fputs("| key | type | default | range / values | meaning |\n|---|---|---|---|---|\n", out);
    ws_cschema_doc(&ws_config_schema, "", out);
}

uint64_t ws_config_ticks(const ws_config *cfg, double seconds)
{
    uint64_t t = (uint64_t)llround(seconds * cfg->sim.clock_hz);
    /* a nonzero time never becomes 0 ticks (0 often means "off") */
    return t == 0 && seconds > 0 ? 1 : t;
}

double ws_config_bytes_per_tick(const ws_config *cfg, double bytes_per_s)
{
    return bytes_per_s / cfg->sim.clock_hz;
}
