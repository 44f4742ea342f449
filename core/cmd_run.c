/* core/cmd_run.c — `wafersim run EXP.yaml`: MoE decode on the wafer for
 * each variant of the experiment (arch/run.h), printed side by side with
 * speedups over the baseline variant. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arch/picture.h"
#include "arch/run.h"
#include "arch/run_row.h"
#include "arch/run_schema.h"
#include "core/cli.h"
#include "core/commands.h"
#include "core/config.h"
#include "core/parallel.h"
#include "core/sweep.h"
#include "core/xalloc.h"

#define N_COLUMNS ARCH_RUN_ROW_COLUMNS
static const char *const *const columns = arch_run_row_columns;

/* The table format shows these columns (people read it in a terminal);
 * CSV and JSON carry every column. --wide shows every column as a table. */
static const char *const compact[] = {
    "variant", "allocation", "decode_time_us", "throughput_tokens_per_s", "speedup_vs_baseline",
    "layer_time_mean_us", "data_byte_hops_GBxhop", "hbm_local_read_GB", "hbm_remote_read_GB", "link_util_max",
    "layer_busy_max_over_mean", "energy_per_token_mJ",
};
#define N_COMPACT (sizeof compact / sizeof compact[0])
/* ... and these when some variant has the migration units on. */
static const char *const compact_migration[] = { "migration_copy_hits", "predictor_precision" };
#define N_COMPACT_MIG (sizeof compact_migration / sizeof compact_migration[0])
/* ... and these when some variant was sampled (sim.sample_steps, sim.sample_layers). */
static const char *const compact_sampled[] = { "sampled_steps", "sampled_layers", "decode_time_ci95_pct" };
#define N_COMPACT_SAMPLED (sizeof compact_sampled / sizeof compact_sampled[0])

/* A table with the columns of `names` taken from the full row values. */
typedef struct row_sink {
    ws_table *full, *view;
    int view_col[N_COLUMNS];   /* -1 when not in the view */
} row_sink;

static void sink_init(row_sink *k, bool migration, bool sampled)
{
    const char *view[N_COMPACT + N_COMPACT_MIG + N_COMPACT_SAMPLED];
    size_t nv = 0;
    for (size_t c = 0; c < N_COMPACT; c++)
        view[nv++] = compact[c];
    for (size_t c = 0; migration && c < N_COMPACT_MIG; c++)
        view[nv++] = compact_migration[c];
    for (size_t c = 0; sampled && c < N_COMPACT_SAMPLED; c++)
        view[nv++] = compact_sampled[c];
    k->full = ws_table_new("MoE decode on the wafer (GB = 1e9 B; times of decode iterations only)", N_COLUMNS,
                           columns);
    k->view = ws_table_new("MoE decode on the wafer (GB = 1e9 B; times of decode iterations only; "
                           "--wide or --format csv|json for every column)", nv, view);
    for (size_t c = 0; c < N_COLUMNS; c++) {
        k->view_col[c] = -1;
        for (size_t v = 0; v < nv; v++)
            if (!strcmp(columns[c], view[v]))
                k->view_col[c] = (int)v;
    }
}

static void sink_cell(row_sink *k, size_t r, size_t c, const ws_cell *v)
{
    ws_table_set_cell(k->full, r, c, v);
    if (k->view_col[c] >= 0)
        ws_table_set_cell(k->view, r, (size_t)k->view_col[c], v);
}

static void add_row(row_sink *t, const char *name, const ws_config *cfg, const arch_run_metrics *m)
{
    size_t r = ws_table_add_row(t->full);
    ws_table_add_row(t->view);
    arch_run_row row;
    arch_run_row_fill(&row, name, cfg, m);
    for (size_t c = 0; c < N_COLUMNS; c++)
        sink_cell(t, r, c, &row.cells[c]);
}

/* The overrides of one variant: the command line's, then the variant's. */
static const char **variant_sets(const ws_cli_opts *o, const ws_variant_config *v, size_t *n)
{
    size_t nv = v ? v->set.n : 0;
    const char **sets = ws_xmalloc((o->n_sets + nv + 1) * sizeof *sets);
    for (size_t i = 0; i < o->n_sets; i++)
        sets[i] = o->sets[i];
    for (size_t i = 0; i < nv; i++)
        sets[o->n_sets + i] = ((char *const *)v->set.items)[i];
    *n = o->n_sets + nv;
    return sets;
}

/* The per-link and per-layer migration tables (one per variant, appended
 * in variant order, so -j changes nothing in them). */
static ws_table *new_links_table(void)
{
    return ws_table_new("per-link load over the whole run (GB = 1e9 B)", arch_run_link_column_count,
                        arch_run_link_columns);
}

static ws_table *new_migration_table(void)
{
    return ws_table_new("migration units per MoE layer over the whole run", arch_run_migration_column_count,
                        arch_run_migration_columns);
}

/* One variant: its inputs (filled before the runs start) and outcome. */
typedef struct variant_job {
    const char *name;
    const ws_config *cfg;
    arch_workload *workload;           /* opened, shared read-only with other variants */
    ws_table *links, *migration;       /* this variant's rows (NULL when not asked for) */
    arch_picture_panel *picture;
    arch_run_metrics *metrics;
    int rc;
    char err[1024];
} variant_job;

typedef struct run_ctx {
    variant_job *jobs;
    bool quiet;
    bool meter;                        /* progress lines: only when runs go one at a time */
} run_ctx;

/* Whether the run measured only some of its decode steps or layers
 * (sim.sample_steps, sim.sample_layers). */
static bool was_sampled(const arch_run_metrics *m) { return m->sampled; }

/* Runs variant v (ws_parallel_for's job; variants share nothing mutable). */
static int run_variant(void *ctxp, size_t v)
{
    const run_ctx *ctx = ctxp;
    variant_job *j = &ctx->jobs[v];
    if (!ctx->quiet)
        fprintf(stderr, "wafersim run: variant %s (%s allocation, %s placement)\n", j->name,
                arch_alloc_names[j->cfg->strategy.allocation], arch_place_names[j->cfg->strategy.placement]);
    const arch_run_extras extras = { .variant = j->name, .links = j->links, .migration_layers = j->migration,
                                     .picture = j->picture, .no_meter = !ctx->meter };
    j->rc = arch_run_variant(j->cfg, &j->workload, !ctx->quiet, &extras, j->metrics, j->err, sizeof j->err);
    if (!j->rc && j->metrics->migration_on && !ctx->quiet)
        fprintf(stderr, "wafersim run: variant %s: %s\n", j->name, j->metrics->migration.heatmap);
    const arch_run_metrics *m = j->metrics;
    if (!j->rc && was_sampled(m) && !ctx->quiet)
        fprintf(stderr, "wafersim run: variant %s: SAMPLED: %u of %u decode steps measured (%u simulated), %u of %u MoE "
                "layers each (%llu step-layers simulated): decode time and throughput are estimates, 95%% interval "
                "+-%.2g%%; traffic and energy columns cover the simulated step-layers, busy times the measured ones "
                "(doc/run.md)\n", j->name, m->sampled_steps, m->decode_steps, m->simulated_decode_steps,
                m->sampled_layers, m->moe_layers, (unsigned long long)m->simulated_decode_layers,
                m->decode_time_ci95_pct);
    return j->rc;
}

int ws_cmd_run(int argc, char **argv)
{
    const ws_command *cmd = ws_command_find("run");
    ws_cli_opts o;
    bool wide = false;
    const char *links_path = NULL, *picture_path = NULL, *migration_path = NULL, *jobs_text = NULL;
    const ws_cli_extra extra[] = { { .name = "wide", .flag = &wide }, { .name = "links", .value = &links_path },
                                   { .name = "jobs", .value = &jobs_text, .short_name = 'j' },
                                   { .name = "picture", .value = &picture_path },
                                   { .name = "migration", .value = &migration_path } };
    int rc = ws_cli_parse_ex(argc, argv, cmd, WS_OPT_FORMAT | WS_OPT_OUT | WS_OPT_SET | WS_OPT_QUIET, extra,
                             sizeof extra / sizeof extra[0], &o);
    if (rc)
        return rc > 0 ? WS_EXIT_OK : WS_EXIT_BAD_INPUT;
    long jobs;
    if (ws_cli_parse_jobs("run", "threads", jobs_text, &jobs) != 0) {
        ws_cli_opts_free(&o);
        return WS_EXIT_BAD_INPUT;
    }
    if (o.n_args != 1) {
        fprintf(stderr, "wafersim run: expected exactly one experiment file, found %zu\n", o.n_args);
        ws_cli_opts_free(&o);
        return WS_EXIT_BAD_INPUT;
    }
    const char *path = o.args[0];
    ws_config base;
    rc = ws_cli_load_config(path, &o, &base);
    if (rc) {
        ws_cli_opts_free(&o);
        return rc;
    }
    size_t n_variants = base.variants.n ? base.variants.n : 1;
    const ws_variant_config *variants = base.variants.items;
    size_t baseline;
    if (ws_sweep_baseline(&base, &baseline) != 0) {
        fprintf(stderr, "%s: error: baseline: no variant named \"%s\"\n", path, base.baseline);
        ws_config_free(&base);
        ws_cli_opts_free(&o);
        return WS_EXIT_BAD_INPUT;
    }
    ws_table *mig_layers = migration_path ? new_migration_table() : NULL;
    ws_table *links = links_path ? new_links_table() : NULL;
    ws_config *cfgs = ws_xcalloc(n_variants, sizeof *cfgs);         /* kept for the rows */
    arch_run_metrics *metrics = ws_xcalloc(n_variants, sizeof *metrics);
    variant_job *jobs_of = ws_xcalloc(n_variants, sizeof *jobs_of);
    arch_picture_panel *panels = picture_path ? ws_xcalloc(n_variants, sizeof *panels) : NULL;
    arch_workload **workloads = ws_xcalloc(n_variants, sizeof *workloads);   /* distinct ones, opened once */
    size_t n_loaded = 0, n_workloads = 0;
    /* configs and workloads first, in this thread (workloads are shared,
       read-only, by the variants that agree on model, workload and seed) */
    for (size_t v = 0; v < n_variants && !rc; v++) {
        const ws_variant_config *var = base.variants.n ? &variants[v] : NULL;
        const char *name = var ? var->name : "default";
        size_t n_sets;
        const char **sets = variant_sets(&o, var, &n_sets);
        ws_cli_opts vo = o;
        vo.sets = sets;
        vo.n_sets = n_sets;
        ws_config *cfg = &cfgs[v];
        rc = ws_cli_load_config(path, &vo, cfg);
        free(sets);
        if (rc) {
            fprintf(stderr, "wafersim run: variant %s: invalid (errors above)\n", name);
            break;
        }
        n_loaded++;
        variant_job *j = &jobs_of[v];
        j->name = name;
        j->cfg = cfg;
        j->metrics = &metrics[v];
        j->links = links ? new_links_table() : NULL;
        j->migration = mig_layers ? new_migration_table() : NULL;
        j->picture = panels ? &panels[v] : NULL;
        for (size_t k = 0; k < n_workloads && !j->workload; k++)
            if (arch_workload_matches(workloads[k], cfg))
                j->workload = workloads[k];
        if (!j->workload) {
            char err[1024];
            rc = arch_workload_open(cfg, !o.quiet, &workloads[n_workloads], err, sizeof err);
            if (rc) {
                fprintf(stderr, "wafersim run: variant %s: %s\n", name, err);
                break;
            }
            j->workload = workloads[n_workloads++];
        }
    }
    bool any_migration = false, any_sampled = false;
    if (!rc) {
        run_ctx ctx = { .jobs = jobs_of, .quiet = o.quiet, .meter = !o.quiet && jobs == 1 };
        size_t n_run = ws_parallel_for(n_variants, (unsigned)jobs, run_variant, &ctx);
        for (size_t v = 0; v < n_run; v++) {
            variant_job *j = &jobs_of[v];
            if (j->rc) {
                fprintf(stderr, "wafersim run: variant %s: %s\n", j->name, j->err);
                if (!rc)
                    rc = j->rc;
                continue;
            }
            any_migration |= j->metrics->migration_on;
            any_sampled |= was_sampled(j->metrics);
            if (links)
                ws_table_append(links, j->links);
            if (mig_layers)
                ws_table_append(mig_layers, j->migration);
        }
    }
    row_sink t;
    sink_init(&t, any_migration, any_sampled);
    if (!rc) {
        for (size_t v = 0; v < n_variants; v++)
            add_row(&t, base.variants.n ? variants[v].name : "default", &cfgs[v], &metrics[v]);
        double base_tps = metrics[baseline].throughput_tokens_per_s;
        for (size_t v = 0; v < n_variants; v++) {
            ws_cell sp = { .kind = WS_CELL_DOUBLE,
                           .d = base_tps > 0 ? metrics[v].throughput_tokens_per_s / base_tps : 0 };
            sink_cell(&t, v, ARCH_RUN_ROW_SPEEDUP, &sp);
        }
        ws_provenance p;
        ws_cli_provenance_config(&p, "wafersim run", path, &base);
        char err[512];
        const ws_table *shown = o.format == WS_FORMAT_TABLE && !wide ? t.view : t.full;
        if (ws_table_write(shown, &p, o.format, o.out, err, sizeof err) != 0 ||
            (links && ws_table_write(links, &p, WS_FORMAT_CSV, links_path, err, sizeof err) != 0) ||
            (panels && arch_picture_write(picture_path, panels, n_variants, &p, err, sizeof err) != 0) ||
            (mig_layers && ws_table_write(mig_layers, &p, WS_FORMAT_CSV, migration_path, err, sizeof err) != 0)) {
            fprintf(stderr, "wafersim run: %s\n", err);
            rc = WS_EXIT_RUNTIME;
        }
    }
    for (size_t k = 0; k < n_workloads; k++)
        arch_workload_close(workloads[k]);
    free(workloads);
    for (size_t v = 0; v < n_variants; v++) {
        if (jobs_of[v].links)
            ws_table_free(jobs_of[v].links);
        if (jobs_of[v].migration)
            ws_table_free(jobs_of[v].migration);
    }
    free(jobs_of);
    for (size_t v = 0; panels && v < n_variants; v++)
        arch_picture_panel_free(&panels[v]);
    free(panels);
    if (links)
        ws_table_free(links);
    if (mig_layers)
        ws_table_free(mig_layers);
    for (size_t v = 0; v < n_loaded; v++)
        ws_config_free(&cfgs[v]);
    free(cfgs);
    free(metrics);
    ws_table_free(t.full);
    ws_table_free(t.view);
    ws_config_free(&base);
    ws_cli_opts_free(&o);
    return rc;
}
