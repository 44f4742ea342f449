/* arch/run.c — one MoE decode run; contract in arch/run.h. */
#define _POSIX_C_SOURCE 200809L
#ifdef HAVE_CONFIG_H
#include <config.h>
#endif
#include "arch/run.h"

#include <gsl/gsl_statistics_double.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "arch/alloc.h"
#include "arch/exec.h"
#include "arch/energy.h"
#include "arch/hwopt.h"
#include "arch/net_plan.h"
#include "arch/picture.h"
#include "arch/options/migration.h"
#include "arch/place.h"
#include "arch/place_profile.h"
#include "arch/sample.h"
#include "core/diag.h"
#include "core/hash.h"
#include "arch/run_schema.h"
#include "arch/synth_trace.h"
#include "core/progress.h"
#include "core/xalloc.h"
#include "mem/hbm.h"
#include "mem/llc.h"
#include "mem/residency.h"
#include "noc/network.h"
#include "workload/batch.h"
#include "workload/model.h"
#include "workload/trace_reader.h"

/* The model, trace and batch of a run: shared by variants whose model,
 * workload section and seed agree. */
struct arch_workload {
    wl_model model;
    bool model_loaded;
    char temp_trace[4096];
    wl_trace *trace;
    wl_batch *batch;
    uint64_t key;            /* identity: model, workload section, seed */
};

/* Everything one simulation owns, released by run_free. */
typedef struct run_state {
    const arch_workload *w;
    mem_residency *res;
    ws_engine *engine;
    noc_network *net;
    arch_net_plan net_plan;
    arch_exec *exec;
    arch_migration *mig;          /* NULL unless options.migration is on */
    char profile_trace[4096];     /* synthetic migration profile, removed afterwards */
} run_state;

static void run_free(run_state *s)
{
    arch_exec_free(s->exec);
#ifdef WS_HAVE_OPT_MIGRATION
    arch_migration_free(s->mig);
#endif
    if (s->profile_trace[0])
        unlink(s->profile_trace);
    noc_network_free(s->net);
    arch_net_plan_free(&s->net_plan);
    ws_engine_free(s->engine);
    mem_residency_free(s->res);
}

void arch_workload_close(arch_workload *w)
{
    if (!w)
        return;
    wl_batch_free(w->batch);
    wl_trace_close(w->trace);
    if (w->temp_trace[0])
        unlink(w->temp_trace);
    if (w->model_loaded)
        wl_model_free(&w->model);
    free(w);
}

uint64_t arch_workload_key(const ws_config *cfg)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&buf, &len);
    if (!mem)
        abort();
    fprintf(mem, "%s\n%lld\n", cfg->model ? cfg->model : "", (long long)cfg->sim.seed);
    ws_cschema_write(&arch_workload_schema, &cfg->workload, mem, 0);
    fclose(mem);
    uint64_t h = ws_hash64(buf, len);
    free(buf);
    return h;
}

bool arch_workload_matches(const arch_workload *w, const ws_config *cfg)
{
    return w && w->key == arch_workload_key(cfg);
}

static int load_model(const ws_config *cfg, arch_workload *s, char *err, size_t err_len)
{
    if (!cfg->model || !*cfg->model) {
        snprintf(err, err_len, "model: the experiment names no model (e.g. model: deepseek-v3)");
        return WS_EXIT_BAD_INPUT;
    }
    if (wl_model_load_reporting(&s->model, cfg->model, stderr) != 0) {
        snprintf(err, err_len, "model: cannot load \"%s\" (see above)", cfg->model);
        return WS_EXIT_BAD_INPUT;
    }
    s->model_loaded = true;
    return 0;
}

/* The trace of the run: the named file, or a synthetic one in a temporary
 * file from workload.profile, else the model's shipped profile, else the
 * default profile (wl_profile_pick). */
static uint64_t synthetic_requests(const ws_config *cfg)
{
    return cfg->workload.requests ? (uint64_t)cfg->workload.requests : (uint64_t)cfg->workload.batch;
}

static int open_trace(const ws_config *cfg, arch_workload *s, bool progress, char *err, size_t err_len)
{
    const ws_workload_config *w = &cfg->workload;
    const char *path = w->trace;
    if (!path || !*path) {
        int rc = arch_synth_trace(cfg, &s->model, (uint64_t)cfg->sim.seed, 0, synthetic_requests(cfg), "run", s,
                                  progress, s->temp_trace, sizeof s->temp_trace, err, err_len);
        if (rc != 0)
            return rc;
        path = s->temp_trace;
    }
    char terr[512];
    s->trace = wl_trace_open(path, 0, terr, sizeof terr);
    if (!s->trace) {
        snprintf(err, err_len, "workload.trace: %s", terr);
        return WS_EXIT_BAD_INPUT;
    }
    const wl_trace_info *info = wl_trace_get_info(s->trace);
    if (strcmp(info->shape.model, s->model.name) != 0 || info->shape.n_moe != s->model.n_moe ||
        info->shape.n_experts != (uint32_t)s->model.routed_experts) {
        snprintf(err, err_len, "workload.trace: %s holds a %s trace (%u MoE layers, %u experts), the experiment's "
                 "model is %s (%u, %lld)", path, info->shape.model, info->shape.n_moe, info->shape.n_experts,
                 s->model.name, s->model.n_moe, (long long)s->model.routed_experts);
        return WS_EXIT_BAD_INPUT;
    }
    return 0;
}

/* The placement, with its profile when the policy needs one; the copies
 * and bytes it placed go to m. */
static int place_experts(const ws_config *cfg, run_state *s, bool progress, arch_run_metrics *m, char *err,
                         size_t err_len)
{
    const wl_model *model = &s->w->model;
    uint32_t tiles = (uint32_t)(cfg->hw.grid.x * cfg->hw.grid.y);
    s->res = mem_residency_new(tiles, (uint64_t)cfg->hw.tile.hbm.capacity_bytes, cfg->hw.tile.hbm.reserved_fraction,
                               model->n_moe, (uint32_t)model->routed_experts, model->expert_bytes);
    const arch_place_policy *p = arch_place_registry[cfg->strategy.placement];
    arch_place_ctx ctx = { .n_tiles = tiles, .grid_x = (uint32_t)cfg->hw.grid.x, .grid_y = (uint32_t)cfg->hw.grid.y,
                           .n_layers = model->n_moe, .n_experts = (uint32_t)model->routed_experts,
                           .copy_budget_bytes = (uint64_t)cfg->strategy.replication.budget_bytes };
    char perr[1024];
    arch_place_profile prof;
    snprintf(m->placement_profile, sizeof m->placement_profile, "none");
    if (p->needs_profile) {
        int rc = arch_place_profile_build(cfg, model, s->w->trace, s->w->batch, progress, &prof, perr, sizeof perr);
        if (rc) {
            snprintf(err, err_len, "strategy.placement %s: %s", p->name, perr);
            return rc;
        }
        ctx.profile = prof.counts.freq;
        ctx.pairs = prof.counts.pairs;
        snprintf(m->placement_profile, sizeof m->placement_profile, "%s", prof.provenance);
        if (progress)
            fprintf(stderr, "wafersim run: placement %s, profile %s\n", p->name, prof.provenance);
    }
    int rc = p->place(&ctx, s->res, perr, sizeof perr);
    if (p->needs_profile)
        arch_place_profile_free(&prof);
    if (rc != 0) {
        snprintf(err, err_len, "strategy.placement %s: %s", p->name, perr);
        return WS_EXIT_BAD_INPUT;
    }
    for (uint32_t l = 0; l < model->n_moe; l++)
        for (uint32_t e = 0; e < (uint32_t)model->routed_experts; e++)
            m->placement_copies += mem_residency_static_copies(s->res, l, e);
    for (uint32_t t = 0; t < tiles; t++) {
        double copy = (double)mem_residency_static_used(s->res, t) / 1e9;
        double used = (double)mem_residency_home_used(s->res, t) / 1e9;
        m->placement_copy_GB_max = copy > m->placement_copy_GB_max ? copy : m->placement_copy_GB_max;
        m->placement_hbm_used_GB_max = used > m->placement_hbm_used_GB_max ? used : m->placement_hbm_used_GB_max;
    }
    return 0;
}

/* Whether sim.sample_layers (0 .. 10^6 by its schema) leaves some of the n_moe layers out. */
static bool layer_sampled(const ws_config *cfg, uint32_t n_moe)
{
    return arch_sample_some_layers((uint32_t)cfg->sim.sample_layers, n_moe);
}

static int check_policy(const ws_config *cfg, uint32_t n_moe, char *err, size_t err_len)
{
    if (layer_sampled(cfg, n_moe) && cfg->strategy.prefetch_next_layer) {
        snprintf(err, err_len, "sim.sample_layers: not modelled together with strategy.prefetch_next_layer (a "
                 "layer's prefetch fetches the next layer, which layer sampling may skip); turn one off");
        return WS_EXIT_BAD_INPUT;
    }
    if (cfg->strategy.prefetch_next_layer && ws_hwopt_enabled(cfg, "migration")) {
        snprintf(err, err_len, "strategy.prefetch_next_layer: not modelled together with options.migration (its "
                 "copies change where the next layer is read from while it is being fetched); turn one off");
        return WS_EXIT_BAD_INPUT;
    }
    const ws_dispatch_config *dc = &cfg->strategy.dispatch;
    if (dc->enabled && dc->request_tile >= cfg->hw.grid.x * cfg->hw.grid.y) {
        snprintf(err, err_len, "strategy.dispatch.request_tile: %lld is not a tile of the %lld x %lld grid (0 .. %lld)",
                 (long long)dc->request_tile, (long long)cfg->hw.grid.x, (long long)cfg->hw.grid.y,
                 (long long)(cfg->hw.grid.x * cfg->hw.grid.y - 1));
        return WS_EXIT_BAD_INPUT;
    }
    const arch_alloc_policy *a = arch_alloc_registry[cfg->strategy.allocation];
    if (!a->requires_option)
        return 0;
    const ws_hwopt_entry *h = ws_hwopt_find(a->requires_option);
    if (!h || !h->impl) {
        snprintf(err, err_len,
                 "strategy.allocation: %s needs the %s hardware option, which is not compiled into this build; "
                 "reconfigure with %s", a->name, a->requires_option, h ? h->configure_switch : "?");
        return WS_EXIT_BAD_INPUT;
    }
    if (!ws_hwopt_enabled(cfg, a->requires_option)) {
        snprintf(err, err_len, "strategy.allocation: %s needs the %s hardware option; set options.%s.enabled: true",
                 a->name, a->requires_option, a->requires_option);
        return WS_EXIT_BAD_INPUT;
    }
    return 0;
}

/* Busy time of a link over the simulated time. */
static double utilisation(const noc_link_stats *l, ws_tick now)
{
    return now ? (double)l->busy_ticks / (double)now : 0;
}

/* Energy of everything simulated from the run's counts (arch/energy.h). */
static void collect_energy(const ws_config *cfg, run_state *s, const arch_exec_results *r, double link_bytes,
                           arch_run_metrics *m)
{
    const arch_d2d *d = arch_exec_d2d(s->exec);
    arch_energy_counts c = { .link_bytes = link_bytes };
    for (int t = 0; t < arch_d2d_tiles(d); t++) {
        const mem_hbm_stats *h = mem_hbm_stats_get(arch_d2d_hbm(d, t));
        c.hbm_read_bytes += (double)(h->bytes[MEM_HBM_READ_LOCAL] + h->bytes[MEM_HBM_READ_REMOTE]);
        c.hbm_write_bytes += (double)h->bytes[MEM_HBM_WRITE_LOCAL];
        const mem_llc_stats *l = mem_llc_stats_get(arch_d2d_llc(d, t));
        c.llc_bytes += (double)l->hit_bytes + (double)l->fills * cfg->hw.tile.llc.line_bytes;
    }
    c.flops = (double)(r->task_tokens_all + r->shared_tokens_all) * (double)s->w->model.flops_per_token_expert;
    arch_energy e;
    arch_energy_account(&cfg->hw.energy, &c, &e);
    m->energy_link_J = e.link_J;
    m->energy_hbm_J = e.hbm_J;
    m->energy_llc_J = e.llc_J;
    m->energy_compute_J = e.compute_J;
    m->energy_total_J = e.total_J;
    /* per token of the simulated layers (a whole iteration's tokens when every layer ran) */
    double tokens = (double)r->unit_tokens_all / s->w->model.n_moe;
    m->energy_per_token_mJ = tokens > 0 ? e.total_J / tokens * 1e3 : 0;
}

/* The migration unit when options.migration is on: its profile (a
 * synthetic one follows the evaluated requests) and its hooks. */
static int setup_migration(const ws_config *cfg, run_state *s, bool progress, char *err, size_t err_len)
{
    if (!ws_hwopt_enabled(cfg, "migration"))
        return 0;
#ifdef WS_HAVE_OPT_MIGRATION
    const ws_opt_migration_params *p = &cfg->options.migration;
    const char *profile = NULL;
    bool synthetic = !cfg->workload.trace || !*cfg->workload.trace;
    if (synthetic && !p->oracle && !(p->heatmap && *p->heatmap) && !(p->profile_trace && *p->profile_trace)) {
        int rc = arch_synth_trace(cfg, &s->w->model, (uint64_t)cfg->sim.seed, synthetic_requests(cfg),
                                  (uint64_t)p->profile_requests, "profile", s, progress, s->profile_trace,
                                  sizeof s->profile_trace, err, err_len);
        if (rc)
            return rc;
        profile = s->profile_trace;
    }
    return arch_migration_new(cfg, &s->w->model, s->w->trace, profile, s->res, &s->mig, err, err_len);
#else
    (void)s;
    (void)progress;
    snprintf(err, err_len, "options.migration: not compiled into this build; reconfigure with --enable-migration");
    return WS_EXIT_BAD_INPUT;
#endif
}

static void collect(const ws_config *cfg, run_state *s, arch_run_metrics *m)
{
    arch_exec_results r;
    arch_exec_results_get(s->exec, &r);
    double us = 1e6 / cfg->sim.clock_hz;
    uint32_t tiles = (uint32_t)(cfg->hw.grid.x * cfg->hw.grid.y);
    m->moe_layers = s->w->model.n_moe;
    m->decode_tokens = r.tokens_measured;
    m->decode_time_us = (double)r.measured_ticks * us;
    m->throughput_tokens_per_s = m->decode_time_us > 0 ? (double)r.tokens_measured / (m->decode_time_us * 1e-6) : 0;
    if (r.layers_measured) {
        m->layer_time_mean_us = gsl_stats_mean(r.layer_ticks, 1, r.layers_measured) * us;
        m->layer_time_sd_us = r.layers_measured > 1 ? gsl_stats_sd(r.layer_ticks, 1, r.layers_measured) * us : 0;
        double lo, hi;
        gsl_stats_minmax(&lo, &hi, r.layer_ticks, 1, r.layers_measured);
        m->layer_time_min_us = lo * us;
        m->layer_time_max_us = hi * us;
    }
    m->cp_time_us = (double)r.cp_ticks * us;
    m->tasks = r.tasks;
    m->widened_links = s->net_plan.changed_links;
    m->link_added_TBps = s->net_plan.added_bytes_per_s / 1e12;
    m->link_added_area_mm2 = s->net_plan.area_mm2;
    m->link_added_power_W = s->net_plan.power_W;
    const arch_d2d *d = arch_exec_d2d(s->exec);
    const arch_d2d_stats *ds = arch_d2d_stats_get(d);
    m->request_hops = ds->request_hops;
    m->data_hops = ds->data_hops;
    m->data_byte_hops_GB = ds->data_byte_hops / 1e9;
    m->llc_hit_chunks = ds->llc_hit_chunks;
    m->llc_miss_chunks = ds->llc_miss_chunks;
    for (uint32_t t = 0; t < tiles; t++) {
        const mem_hbm_stats *h = mem_hbm_stats_get(arch_d2d_hbm(d, (int)t));
        m->hbm_local_read_GB += (double)h->bytes[MEM_HBM_READ_LOCAL] / 1e9;
        m->hbm_remote_read_GB += (double)h->bytes[MEM_HBM_READ_REMOTE] / 1e9;
        m->hbm_local_write_GB += (double)h->bytes[MEM_HBM_WRITE_LOCAL] / 1e9;
    }
    double lo, hi;
    gsl_stats_minmax(&lo, &hi, r.tile_busy_ticks, 1, tiles);
    m->tile_busy_min_us = lo * us;
    m->tile_busy_max_us = hi * us;
    m->tile_busy_mean_us = gsl_stats_mean(r.tile_busy_ticks, 1, tiles) * us;
    m->compute_utilisation = r.measured_ticks ? r.compute_ticks_total / ((double)tiles * (double)r.measured_ticks) : 0;
    m->layer_busy_max_over_mean = r.layers_measured ? r.layer_imbalance_sum / (double)r.layers_measured : 0;
    m->dispatch_on = cfg->strategy.dispatch.enabled;
    m->dispatch_GB = (double)r.dispatch_bytes / 1e9;
    m->combine_GB = (double)r.combine_bytes / 1e9;
    m->dispatch_byte_hops_GB = r.dispatch_byte_hops / 1e9;
    m->combine_byte_hops_GB = r.combine_byte_hops / 1e9;
    m->dispatch_time_us = (double)r.dispatch_ticks * us;
    m->combine_time_us = (double)r.combine_ticks * us;
    m->combine_tail_us = (double)r.combine_tail_ticks * us;
    m->shared_expert_busy_us = r.shared_ticks * us;
    m->prefetch_on = cfg->strategy.prefetch_next_layer;
    m->prefetch_GB = (double)r.prefetch_bytes / 1e9;
    m->prefetch_early_GB = (double)r.prefetch_early_bytes / 1e9;
    ws_tick now = 0;
    ws_engine_stats es;
    ws_engine_stats_get(s->engine, &es);
    now = es.now;
    m->simulated_ticks = now;
    size_t nl = noc_network_link_count(s->net);
    double sum = 0, max = 0, link_bytes = 0;
    for (size_t i = 0; i < nl; i++) {
        noc_link_stats ls;
        noc_network_link_stats(s->net, i, &ls);
        double u = utilisation(&ls, now);
        sum += u;
        if (u > max)
            max = u;
        link_bytes += ls.bytes;
    }
    m->link_util_mean = nl ? sum / (double)nl : 0;
    m->link_util_max = max;
    collect_energy(cfg, s, &r, link_bytes, m);
}

int arch_workload_open(const ws_config *cfg, bool progress, arch_workload **out, char *err, size_t err_len)
{
    *out = NULL;
    arch_workload *w = ws_xcalloc(1, sizeof *w);
    w->key = arch_workload_key(cfg);
    int rc = load_model(cfg, w, err, err_len);
    if (!rc)
        rc = open_trace(cfg, w, progress, err, err_len);
    if (!rc) {
        w->batch = wl_batch_build(w->trace, (uint64_t)cfg->workload.batch, cfg->workload.shuffle,
                                  (uint64_t)cfg->sim.seed, err, err_len);
        if (!w->batch)
            rc = WS_EXIT_BAD_INPUT;
    }
    if (!rc && wl_batch_iterations(w->batch) <= (uint32_t)cfg->workload.decode_steps) {
        snprintf(err, err_len, "workload.decode_steps: the batch has %u decode steps at most, %lld asked",
                 wl_batch_iterations(w->batch) - 1, (long long)cfg->workload.decode_steps);
        rc = WS_EXIT_BAD_INPUT;
    }
    if (rc) {
        arch_workload_close(w);
        return rc;
    }
    *out = w;
    return 0;
}

const char *const arch_run_link_columns[] = { "variant", "link", "direction", "bytes_GB", "busy_us",
                                              "utilisation", "peak_buffer_flits" };
const size_t arch_run_link_column_count = sizeof arch_run_link_columns / sizeof arch_run_link_columns[0];

static void add_links(const ws_config *cfg, run_state *s, const char *variant, ws_table *t)
{
    ws_engine_stats es;
    ws_engine_stats_get(s->engine, &es);
    double us = 1e6 / cfg->sim.clock_hz;
    for (size_t i = 0; i < noc_network_link_count(s->net); i++) {
        noc_link_stats l;
        noc_network_link_stats(s->net, i, &l);
        char name[64];
        snprintf(name, sizeof name, "%d,%d>%d,%d", l.from_x, l.from_y, l.to_x, l.to_y);
        size_t r = ws_table_add_row(t), c = 0;
        ws_table_set_str(t, r, c++, variant);
        ws_table_set_str(t, r, c++, name);
        ws_table_set_str(t, r, c++, l.direction);
        ws_table_set_double(t, r, c++, l.bytes / 1e9);
        ws_table_set_double(t, r, c++, (double)l.busy_ticks * us);
        ws_table_set_double(t, r, c++, utilisation(&l, es.now));
        ws_table_set_int(t, r, c++, l.peak_buffer_flits);
    }
}

/* The picture panel of a finished run. */
static void fill_picture(const ws_config *cfg, run_state *s, const char *variant, arch_picture_panel *p)
{
    arch_exec_results r;
    arch_exec_results_get(s->exec, &r);
    ws_engine_stats es;
    ws_engine_stats_get(s->engine, &es);
    double us = 1e6 / cfg->sim.clock_hz;
    p->title = ws_xstrdup(variant);
    p->grid_x = (int)cfg->hw.grid.x;
    p->grid_y = (int)cfg->hw.grid.y;
    size_t tiles = (size_t)p->grid_x * (size_t)p->grid_y;
    p->tile_busy_us = ws_xmalloc(tiles * sizeof *p->tile_busy_us);
    for (size_t t = 0; t < tiles; t++)
        p->tile_busy_us[t] = r.tile_busy_ticks[t] * us;
    p->n_links = noc_network_link_count(s->net);
    p->links = ws_xmalloc((p->n_links ? p->n_links : 1) * sizeof *p->links);
    for (size_t i = 0; i < p->n_links; i++) {
        noc_link_stats l;
        noc_network_link_stats(s->net, i, &l);
        p->links[i] = (arch_picture_link){ l.from_x, l.from_y, l.to_x, l.to_y, utilisation(&l, es.now) };
    }
}

const char *const arch_run_migration_columns[] = { "variant", "moe_layer", "copies", "evictions", "copy_hits",
                                                   "copy_reads_remote", "predicted", "correct", "actual",
                                                   "precision", "recall", "prefetches" };
const size_t arch_run_migration_column_count =
    sizeof arch_run_migration_columns / sizeof arch_run_migration_columns[0];

#ifdef WS_HAVE_OPT_MIGRATION
static void add_migration_layers(const arch_migration_report *mr, const char *variant, ws_table *t)
{
    for (uint32_t l = 0; l < mr->n_layers; l++) {
        const arch_migration_layer *L = &mr->layers[l];
        size_t r = ws_table_add_row(t), c = 0;
        ws_table_set_str(t, r, c++, variant);
        ws_table_set_int(t, r, c++, l);
        ws_table_set_int(t, r, c++, (int64_t)L->copies);
        ws_table_set_int(t, r, c++, (int64_t)L->evictions);
        ws_table_set_int(t, r, c++, (int64_t)L->hits);
        ws_table_set_int(t, r, c++, (int64_t)L->copy_reads_remote);
        ws_table_set_int(t, r, c++, (int64_t)L->predicted);
        ws_table_set_int(t, r, c++, (int64_t)L->correct);
        ws_table_set_int(t, r, c++, (int64_t)L->actual);
        ws_table_set_double(t, r, c++, L->predicted ? (double)L->correct / (double)L->predicted : 0);
        ws_table_set_double(t, r, c++, L->actual ? (double)L->correct / (double)L->actual : 0);
        ws_table_set_int(t, r, c++, (int64_t)L->prefetches);
    }
}
#endif

/* Decode time and throughput of the whole run from its measured steps
 * (arch/sample.h): exact sums without sampling, an estimate with. */
static void estimate_decode(const ws_config *cfg, run_state *s, const uint8_t *role, const uint8_t *layer_on,
                            bool sampled, uint32_t simulated_steps, uint64_t simulated_layers, arch_run_metrics *m)
{
    arch_exec_results r;
    arch_exec_results_get(s->exec, &r);
    uint32_t n_steps = (uint32_t)cfg->workload.decode_steps, n_moe = s->w->model.n_moe;
    bool by_layer = layer_on != NULL;   /* the units are (step, layer) pairs, else steps */
    size_t cap = by_layer ? (size_t)r.layers_measured : (size_t)n_steps;
    double *ticks = ws_xcalloc(cap + 1, sizeof *ticks), *tokens = ws_xcalloc(cap + 1, sizeof *tokens);
    size_t k = 0, steps = 0, u = 0;
    double total_tokens = 0;
    for (uint32_t it = 1; it <= n_steps; it++) {
        double n = (double)wl_batch_iteration_tokens(s->w->batch, it);
        total_tokens += n;
        if (role[it] != ARCH_ITER_MEASURED)
            continue;
        steps++;
        for (uint32_t l = 0; l < n_moe; l++) {   /* measured layers come step by step, in order */
            if (layer_on && layer_on[(size_t)it * n_moe + l] != ARCH_UNIT_MEASURED)
                continue;
            ticks[k] += r.layer_ticks[u++];
            tokens[k] = by_layer ? n / n_moe : n;
            k += by_layer;
        }
        k += !by_layer;
    }
    arch_sample_estimate_out e;
    arch_sample_estimate(ticks, tokens, k, by_layer ? (uint64_t)n_steps * n_moe : n_steps, total_tokens, sampled, &e);
    double us = 1e6 / cfg->sim.clock_hz;
    m->sampled_steps = (uint32_t)steps;
    m->simulated_decode_steps = simulated_steps;
    m->sampled_layers = by_layer ? (uint32_t)cfg->sim.sample_layers : n_moe;
    m->simulated_decode_layers = simulated_layers;
    m->sampled = sampled;
    m->decode_time_ci95_pct = e.ci95_rel * 100;
    if (sampled) {   /* without sampling, collect()'s exact sums stand */
        m->decode_tokens = (uint64_t)total_tokens;
        m->decode_time_us = e.decode_ticks * us;
        m->throughput_tokens_per_s = e.throughput / (us * 1e-6);
    }
    free(ticks);
    free(tokens);
}

/* Next-layer prefetch: the same run with it off, for the time it saved. */
static int prefetch_baseline(const ws_config *cfg, const arch_workload *w, bool progress, bool no_meter,
                             arch_run_metrics *m, char *err, size_t err_len)
{
    ws_config off = *cfg;   /* a shallow copy, only read */
    off.strategy.prefetch_next_layer = false;
    arch_run_metrics *b = ws_xmalloc(sizeof *b);
    const arch_run_extras quiet_meter = { .no_meter = no_meter };
    int rc = arch_run(&off, w, progress, &quiet_meter, b, err, err_len);
    m->decode_time_no_prefetch_us = b->decode_time_us;
    m->prefetch_time_saved_us = b->decode_time_us - m->decode_time_us;
    free(b);
    return rc;
}

int arch_run(const ws_config *cfg, const arch_workload *w, bool progress, const arch_run_extras *x,
             arch_run_metrics *out, char *err, size_t err_len)
{
    const char *variant = x && x->variant ? x->variant : "";
    memset(out, 0, sizeof *out);
    run_state s;
    memset(&s, 0, sizeof s);
    s.w = w;
    int rc = check_policy(cfg, w->model.n_moe, err, err_len);
    if (!rc)
        rc = place_experts(cfg, &s, progress, out, err, err_len);
    if (!rc)
        rc = setup_migration(cfg, &s, progress, err, err_len);
    if (rc) {
        run_free(&s);
        return rc;
    }
    s.engine = ws_engine_new((uint64_t)cfg->sim.seed);
    ws_engine_set_skipping(s.engine, cfg->sim.activity_skipping);
    ws_engine_set_watchdog(s.engine, ws_config_ticks(cfg, cfg->sim.watchdog_s));
    rc = arch_net_plan_build(cfg, &s.net_plan, err, err_len);
    if (rc) {
        run_free(&s);
        return rc;
    }
    s.net = noc_network_new(s.engine, &s.net_plan.cfg, NULL, err, err_len);
    if (!s.net) {
        run_free(&s);
        return WS_EXIT_BAD_INPUT;
    }
    arch_exec_setup setup = {
        .cfg = cfg, .model = &w->model, .batch = w->batch, .residency = s.res,
        .alloc = arch_alloc_registry[cfg->strategy.allocation],
        .first_iteration = cfg->workload.prefill ? 0 : 1,
        .last_iteration = (uint32_t)cfg->workload.decode_steps, .measure_from = 1,
    };
    uint32_t n_steps = (uint32_t)cfg->workload.decode_steps;
    uint8_t *role = ws_xcalloc((size_t)n_steps + 1, 1);
    uint32_t simulated_steps =
        arch_sample_roles(n_steps, (uint32_t)cfg->sim.sample_steps, (uint32_t)cfg->sim.sample_warmup, role);
    uint32_t n_moe = w->model.n_moe;
    bool by_layer = layer_sampled(cfg, n_moe);
    uint8_t *layer_on = ws_xmalloc(((size_t)n_steps + 1) * n_moe);
    uint64_t simulated_layers = arch_sample_layers(n_steps, n_moe, (uint32_t)cfg->sim.sample_layers,
                                                   (uint32_t)cfg->sim.sample_warmup, role, layer_on);
    simulated_steps = 0;   /* the unit warm-ups may need more steps */
    for (uint32_t i = 1; i <= n_steps; i++)
        simulated_steps += role[i] != ARCH_ITER_SKIP;
    bool sampled = simulated_steps < n_steps || by_layer;   /* else every step and layer is simulated and measured */
    if (sampled)
        setup.role = role;
    if (by_layer)
        setup.layer_on = layer_on;
#ifdef WS_HAVE_OPT_MIGRATION
    arch_exec_hooks hooks;
    if (s.mig) {
        arch_migration_hooks(s.mig, &hooks);
        setup.hooks = &hooks;
        arch_migration_sample_layers(s.mig, setup.layer_on);
    }
#endif
    s.exec = arch_exec_new(s.engine, s.net, &setup);

    uint64_t total_layers = simulated_layers + (cfg->workload.prefill ? n_moe : 0);
    ws_progress meter;
    ws_progress_begin(&meter, stderr, progress && !(x && x->no_meter), "run", "layers", total_layers);
    ws_run_status st;
    for (;;) {
        st = ws_engine_run(s.engine, ws_engine_now(s.engine) + 200000);
        arch_exec_results r;
        arch_exec_results_get(s.exec, &r);
        ws_progress_update(&meter, r.layers_run);
        if (st != WS_RUN_UNTIL)
            break;
    }
    ws_progress_end(&meter);
    if (st == WS_RUN_NO_PROGRESS) {
        ws_engine_report_stall(s.engine, stderr);
        snprintf(err, err_len, "the simulation made no progress (diagnosis above)");
        rc = WS_EXIT_NO_PROGRESS;
    } else if (arch_exec_failed(s.exec)) {
        snprintf(err, err_len, "%s", arch_exec_failed(s.exec));
        rc = WS_EXIT_RUNTIME;
    } else if (!arch_exec_finished(s.exec)) {
        snprintf(err, err_len, "the run ended before its last layer (internal error)");
        rc = WS_EXIT_RUNTIME;
    } else {
        out->batch = wl_batch_size(w->batch);
        out->distinct_requests = wl_batch_distinct(w->batch);
        out->batch_reused = wl_batch_reused(w->batch);
        out->decode_steps = (uint32_t)cfg->workload.decode_steps;
        collect(cfg, &s, out);
        estimate_decode(cfg, &s, role, by_layer ? layer_on : NULL, sampled, simulated_steps, simulated_layers, out);
        if (x && x->links)
            add_links(cfg, &s, variant, x->links);
        if (x && x->picture)
            fill_picture(cfg, &s, variant, x->picture);
#ifdef WS_HAVE_OPT_MIGRATION
        if (s.mig) {
            out->migration_on = true;
            arch_migration_report_get(s.mig, &out->migration);
            if (x && x->migration_layers)
                add_migration_layers(&out->migration, variant, x->migration_layers);
            out->migration.layers = NULL;
        }
#endif
    }
    free(role);
    free(layer_on);
    run_free(&s);
    if (!rc && cfg->strategy.prefetch_next_layer)
        rc = prefetch_baseline(cfg, w, progress, x && x->no_meter, out, err, err_len);
    return rc;
}
