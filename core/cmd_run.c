/* core/cmd_run.c — `wafersim run EXP.yaml`: MoE decode on the wafer for
 * each variant of the experiment (arch/run.h), printed side by side with
 * speedups over the baseline variant. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arch/run.h"
#include "arch/run_schema.h"
#include "core/cli.h"
#include "core/commands.h"
#include "core/config.h"
#include "core/hash.h"
#include "core/xalloc.h"

static const char *const columns[] = {
    "variant", "allocation", "placement", "config_hash", "batch", "decode_steps", "decode_tokens",
    "decode_time_us", "throughput_tokens_per_s", "speedup_vs_baseline", "layer_time_mean_us",
    "layer_time_min_us", "layer_time_max_us", "layer_time_sd_us", "cp_time_us", "tasks", "request_hops",
    "data_hops", "data_byte_hops_GBxhop", "hbm_local_read_GB", "hbm_remote_read_GB", "hbm_local_write_GB",
    "llc_hit_chunks", "llc_miss_chunks", "link_util_mean", "link_util_max", "tile_busy_max_us",
    "tile_busy_min_us", "tile_busy_mean_us", "tile_busy_max_over_min", "tile_busy_max_over_mean",
    "compute_utilisation", "layer_busy_max_over_mean", "batch_reused",
};
#define N_BASE_COLUMNS (sizeof columns / sizeof columns[0])

/* Appended when some variant turns options.migration on (so a run without
 * it prints exactly what it printed before the option existed). Table
 * sizes are wafer totals (every tile's prediction table and ATU). */
static const char *const migration_columns[] = {
    "migration_copies", "migration_write_GB", "migration_copy_hits", "migration_copy_reads_remote",
    "migration_evictions", "migration_refused", "migration_prefetches", "migration_slots_per_tile", "predictor_top_n",
    "predictor_precision", "predictor_recall", "prediction_tables_B", "atu_B", "distribution_table_B",
    "heatmap_cache_B", "migration_area_mm2", "migration_power_mW", "migration_area_fraction",
    "migration_power_fraction", "migration_heatmap",
};
#define N_MIG_COLUMNS (sizeof migration_columns / sizeof migration_columns[0])
#define N_COLUMNS (N_BASE_COLUMNS + N_MIG_COLUMNS)

/* The table format shows these columns (people read it in a terminal);
 * CSV and JSON carry every column. --wide shows every column as a table. */
static const char *const compact[] = {
    "variant", "allocation", "decode_time_us", "throughput_tokens_per_s", "speedup_vs_baseline",
    "layer_time_mean_us", "data_byte_hops_GBxhop", "hbm_local_read_GB", "hbm_remote_read_GB", "link_util_max",
    "layer_busy_max_over_mean",
};
#define N_COMPACT (sizeof compact / sizeof compact[0])
static const char *const compact_migration[] = { "migration_copy_hits", "predictor_precision" };
#define N_COMPACT_MIG (sizeof compact_migration / sizeof compact_migration[0])

static double ratio(double a, double b) { return b > 0 ? a / b : 0; }

/* A table with the columns of `names` taken from the full row values. */
typedef struct row_sink {
    ws_table *full, *view;
    int view_col[N_COLUMNS];   /* -1 when not in the view */
} row_sink;

static void sink_init(row_sink *k, bool migration)
{
    const char *names[N_COLUMNS], *view[N_COMPACT + N_COMPACT_MIG];
    size_t n = 0, nv = 0;
    for (size_t c = 0; c < N_BASE_COLUMNS; c++)
        names[n++] = columns[c];
    for (size_t c = 0; migration && c < N_MIG_COLUMNS; c++)
        names[n++] = migration_columns[c];
    for (size_t c = 0; c < N_COMPACT; c++)
        view[nv++] = compact[c];
    for (size_t c = 0; migration && c < N_COMPACT_MIG; c++)
        view[nv++] = compact_migration[c];
    k->full = ws_table_new("MoE decode on the wafer (GB = 1e9 B; times of decode iterations only)", n, names);
    k->view = ws_table_new("MoE decode on the wafer (GB = 1e9 B; times of decode iterations only; "
                           "--wide or --format csv|json for every column)", nv, view);
    for (size_t c = 0; c < n; c++) {
        k->view_col[c] = -1;
        for (size_t v = 0; v < nv; v++)
            if (!strcmp(names[c], view[v]))
                k->view_col[c] = (int)v;
    }
}

static void sink_str(row_sink *k, size_t r, size_t c, const char *v)
{
    ws_table_set_str(k->full, r, c, v);
    if (k->view_col[c] >= 0)
        ws_table_set_str(k->view, r, (size_t)k->view_col[c], v);
}

static void sink_int(row_sink *k, size_t r, size_t c, int64_t v)
{
    ws_table_set_int(k->full, r, c, v);
    if (k->view_col[c] >= 0)
        ws_table_set_int(k->view, r, (size_t)k->view_col[c], v);
}

static void sink_double(row_sink *k, size_t r, size_t c, double v)
{
    ws_table_set_double(k->full, r, c, v);
    if (k->view_col[c] >= 0)
        ws_table_set_double(k->view, r, (size_t)k->view_col[c], v);
}

/* What a row needs of its variant once the variant's config is gone. */
typedef struct variant_row {
    char name[256], hash[17];
    const char *allocation, *placement;
    arch_run_metrics m;
} variant_row;

static void migration_cells(row_sink *t, size_t r, size_t c, const arch_run_metrics *m)
{
    const arch_migration_report *g = &m->migration;
    if (!m->migration_on) {
        for (size_t i = 0; i < N_MIG_COLUMNS; i++)
            sink_str(t, r, c++, "");
        return;
    }
    sink_int(t, r, c++, (int64_t)g->total.copies);
    sink_double(t, r, c++, g->write_GB);
    sink_int(t, r, c++, (int64_t)g->total.hits);
    sink_int(t, r, c++, (int64_t)g->total.copy_reads_remote);
    sink_int(t, r, c++, (int64_t)g->total.evictions);
    sink_int(t, r, c++, (int64_t)g->total.refused);
    sink_int(t, r, c++, (int64_t)g->total.prefetches);
    sink_int(t, r, c++, g->slots_per_tile);
    sink_int(t, r, c++, g->top_n);
    sink_double(t, r, c++, g->precision);
    sink_double(t, r, c++, g->recall);
    sink_double(t, r, c++, (double)g->prediction_table_bits / 8);
    sink_double(t, r, c++, (double)g->atu_bits / 8);
    sink_double(t, r, c++, (double)g->distribution_table_bits / 8);
    sink_double(t, r, c++, (double)g->heatmap_cache_bits / 8);
    sink_double(t, r, c++, g->area_mm2);
    sink_double(t, r, c++, g->power_mW);
    sink_double(t, r, c++, g->area_fraction);
    sink_double(t, r, c++, g->power_fraction);
    sink_str(t, r, c++, g->heatmap);
}

static void add_row(row_sink *t, const variant_row *v, bool migration)
{
    const arch_run_metrics *m = &v->m;
    size_t r = ws_table_add_row(t->full);
    ws_table_add_row(t->view);
    size_t c = 0;
    sink_str(t, r, c++, v->name);
    sink_str(t, r, c++, v->allocation);
    sink_str(t, r, c++, v->placement);
    sink_str(t, r, c++, v->hash);
    sink_int(t, r, c++, (int64_t)m->batch);
    sink_int(t, r, c++, m->decode_steps);
    sink_int(t, r, c++, (int64_t)m->decode_tokens);
    sink_double(t, r, c++, m->decode_time_us);
    sink_double(t, r, c++, m->throughput_tokens_per_s);
    c++;   /* speedup: filled once the baseline is known */
    sink_double(t, r, c++, m->layer_time_mean_us);
    sink_double(t, r, c++, m->layer_time_min_us);
    sink_double(t, r, c++, m->layer_time_max_us);
    sink_double(t, r, c++, m->layer_time_sd_us);
    sink_double(t, r, c++, m->cp_time_us);
    sink_int(t, r, c++, (int64_t)m->tasks);
    sink_int(t, r, c++, (int64_t)m->request_hops);
    sink_int(t, r, c++, (int64_t)m->data_hops);
    sink_double(t, r, c++, m->data_byte_hops_GB);
    sink_double(t, r, c++, m->hbm_local_read_GB);
    sink_double(t, r, c++, m->hbm_remote_read_GB);
    sink_double(t, r, c++, m->hbm_local_write_GB);
    sink_int(t, r, c++, (int64_t)m->llc_hit_chunks);
    sink_int(t, r, c++, (int64_t)m->llc_miss_chunks);
    sink_double(t, r, c++, m->link_util_mean);
    sink_double(t, r, c++, m->link_util_max);
    sink_double(t, r, c++, m->tile_busy_max_us);
    sink_double(t, r, c++, m->tile_busy_min_us);
    sink_double(t, r, c++, m->tile_busy_mean_us);
    sink_double(t, r, c++, ratio(m->tile_busy_max_us, m->tile_busy_min_us));
    sink_double(t, r, c++, ratio(m->tile_busy_max_us, m->tile_busy_mean_us));
    sink_double(t, r, c++, m->compute_utilisation);
    sink_double(t, r, c++, m->layer_busy_max_over_mean);
    sink_str(t, r, c++, m->batch_reused ? "yes" : "no");
    if (migration)
        migration_cells(t, r, c, m);
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

int ws_cmd_run(int argc, char **argv)
{
    const ws_command *cmd = ws_command_find("run");
    ws_cli_opts o;
    bool wide = false;
    const char *links_path = NULL, *migration_path = NULL;
    const ws_cli_extra extra[] = { { .name = "wide", .flag = &wide }, { .name = "links", .value = &links_path },
                                   { .name = "migration", .value = &migration_path } };
    int rc = ws_cli_parse_ex(argc, argv, cmd, WS_OPT_FORMAT | WS_OPT_OUT | WS_OPT_SET | WS_OPT_QUIET, extra, 3, &o);
    if (rc)
        return rc > 0 ? WS_EXIT_OK : WS_EXIT_BAD_INPUT;
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
    size_t baseline = 0;
    if (base.baseline && *base.baseline) {
        for (baseline = 0; baseline < base.variants.n; baseline++)
            if (!strcmp(variants[baseline].name, base.baseline))
                break;
        if (baseline == base.variants.n) {
            fprintf(stderr, "%s: error: baseline: no variant named \"%s\"\n", path, base.baseline);
            ws_config_free(&base);
            ws_cli_opts_free(&o);
            return WS_EXIT_BAD_INPUT;
        }
    }
    ws_table *mig_layers = migration_path ? ws_table_new("migration units per MoE layer over the whole run",
                                                          arch_run_migration_column_count,
                                                          arch_run_migration_columns)
                                          : NULL;
    variant_row *rows = ws_xcalloc(n_variants, sizeof *rows);
    bool any_migration = false;
    ws_table *links = links_path ? ws_table_new("per-link load over the whole run (GB = 1e9 B)",
                                                arch_run_link_column_count, arch_run_link_columns)
                                 : NULL;
    double *throughput = ws_xcalloc(n_variants, sizeof *throughput);
    arch_workload *workload = NULL;   /* shared by variants with the same workload */
    for (size_t v = 0; v < n_variants && !rc; v++) {
        const ws_variant_config *var = base.variants.n ? &variants[v] : NULL;
        const char *name = var ? var->name : "default";
        size_t n_sets;
        const char **sets = variant_sets(&o, var, &n_sets);
        ws_cli_opts vo = o;
        vo.sets = sets;
        vo.n_sets = n_sets;
        ws_config cfg;
        rc = ws_cli_load_config(path, &vo, &cfg);
        free(sets);
        if (rc) {
            fprintf(stderr, "wafersim run: variant %s: invalid (errors above)\n", name);
            break;
        }
        if (!o.quiet)
            fprintf(stderr, "wafersim run: variant %s (%s allocation, %s placement)\n", name,
                    arch_alloc_names[cfg.strategy.allocation], arch_place_names[cfg.strategy.placement]);
        arch_run_metrics m;
        char err[1024];
        if (!arch_workload_matches(workload, &cfg)) {
            arch_workload_close(workload);
            workload = NULL;
            rc = arch_workload_open(&cfg, !o.quiet, &workload, err, sizeof err);
        }
        if (!rc)
            rc = arch_run_tables(&cfg, workload, !o.quiet, name, links, mig_layers, &m, err, sizeof err);
        if (rc) {
            fprintf(stderr, "wafersim run: variant %s: %s\n", name, err);
        } else {
            if (m.batch_reused)
                fprintf(stderr, "wafersim run: variant %s: the trace has %llu requests, fewer than the batch of "
                        "%llu: requests were reused in order\n", name, (unsigned long long)m.distinct_requests,
                        (unsigned long long)m.batch);
            variant_row *vr = &rows[v];
            snprintf(vr->name, sizeof vr->name, "%s", name);
            ws_hash64_hex(ws_config_hash(&cfg), vr->hash);
            vr->allocation = arch_alloc_names[cfg.strategy.allocation];
            vr->placement = arch_place_names[cfg.strategy.placement];
            vr->m = m;
            any_migration |= m.migration_on;
            if (m.migration_on && !o.quiet)
                fprintf(stderr, "wafersim run: variant %s: %s\n", name, m.migration.heatmap);
            throughput[v] = m.throughput_tokens_per_s;
        }
        ws_config_free(&cfg);
    }
    row_sink t;
    sink_init(&t, any_migration);
    if (!rc) {
        for (size_t v = 0; v < n_variants; v++)
            add_row(&t, &rows[v], any_migration);
        for (size_t v = 0; v < n_variants; v++)
            sink_double(&t, v, 9, ratio(throughput[v], throughput[baseline]));
        ws_provenance p;
        ws_cli_provenance_config(&p, "wafersim run", path, &base);
        char err[512];
        const ws_table *shown = o.format == WS_FORMAT_TABLE && !wide ? t.view : t.full;
        if (ws_table_write(shown, &p, o.format, o.out, err, sizeof err) != 0 ||
            (links && ws_table_write(links, &p, WS_FORMAT_CSV, links_path, err, sizeof err) != 0) ||
            (mig_layers && ws_table_write(mig_layers, &p, WS_FORMAT_CSV, migration_path, err, sizeof err) != 0)) {
            fprintf(stderr, "wafersim run: %s\n", err);
            rc = WS_EXIT_RUNTIME;
        }
    }
    arch_workload_close(workload);
    free(throughput);
    if (links)
        ws_table_free(links);
    if (mig_layers)
        ws_table_free(mig_layers);
    free(rows);
    ws_table_free(t.full);
    ws_table_free(t.view);
    ws_config_free(&base);
    ws_cli_opts_free(&o);
    return rc;
}
