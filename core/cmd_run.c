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
    "placement_copies", "placement_copy_GB_max_per_tile", "placement_hbm_used_GB_max_per_tile", "placement_profile",
};
#define N_COLUMNS (sizeof columns / sizeof columns[0])

/* The table format shows these columns (people read it in a terminal);
 * CSV and JSON carry every column. --wide shows every column as a table. */
static const char *const compact[] = {
    "variant", "allocation", "decode_time_us", "throughput_tokens_per_s", "speedup_vs_baseline",
    "layer_time_mean_us", "data_byte_hops_GBxhop", "hbm_local_read_GB", "hbm_remote_read_GB", "link_util_max",
    "layer_busy_max_over_mean",
};
#define N_COMPACT (sizeof compact / sizeof compact[0])

static double ratio(double a, double b) { return b > 0 ? a / b : 0; }

/* A table with the columns of `names` taken from the full row values. */
typedef struct row_sink {
    ws_table *full, *view;
    int view_col[N_COLUMNS];   /* -1 when not in the view */
} row_sink;

static void sink_init(row_sink *k)
{
    k->full = ws_table_new("MoE decode on the wafer (GB = 1e9 B; times of decode iterations only)", N_COLUMNS,
                           columns);
    k->view = ws_table_new("MoE decode on the wafer (GB = 1e9 B; times of decode iterations only; "
                           "--wide or --format csv|json for every column)", N_COMPACT, compact);
    for (size_t c = 0; c < N_COLUMNS; c++) {
        k->view_col[c] = -1;
        for (size_t v = 0; v < N_COMPACT; v++)
            if (!strcmp(columns[c], compact[v]))
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

static void add_row(row_sink *t, const char *name, const ws_config *cfg, const arch_run_metrics *m)
{
    size_t r = ws_table_add_row(t->full);
    ws_table_add_row(t->view);
    char hex[17];
    ws_hash64_hex(ws_config_hash(cfg), hex);
    size_t c = 0;
    sink_str(t, r, c++, name);
    sink_str(t, r, c++, arch_alloc_names[cfg->strategy.allocation]);
    sink_str(t, r, c++, arch_place_names[cfg->strategy.placement]);
    sink_str(t, r, c++, hex);
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
    sink_int(t, r, c++, (int64_t)m->placement_copies);
    sink_double(t, r, c++, m->placement_copy_GB_max);
    sink_double(t, r, c++, m->placement_hbm_used_GB_max);
    sink_str(t, r, c++, m->placement_profile);
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
    const char *links_path = NULL;
    const ws_cli_extra extra[] = { { .name = "wide", .flag = &wide }, { .name = "links", .value = &links_path } };
    int rc = ws_cli_parse_ex(argc, argv, cmd, WS_OPT_FORMAT | WS_OPT_OUT | WS_OPT_SET | WS_OPT_QUIET, extra, 2, &o);
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
    row_sink t;
    sink_init(&t);
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
            rc = arch_run_links(&cfg, workload, !o.quiet, name, links, &m, err, sizeof err);
        if (rc) {
            fprintf(stderr, "wafersim run: variant %s: %s\n", name, err);
        } else {
            if (m.batch_reused)
                fprintf(stderr, "wafersim run: variant %s: the trace has %llu requests, fewer than the batch of "
                        "%llu: requests were reused in order\n", name, (unsigned long long)m.distinct_requests,
                        (unsigned long long)m.batch);
            add_row(&t, name, &cfg, &m);
            throughput[v] = m.throughput_tokens_per_s;
        }
        ws_config_free(&cfg);
    }
    if (!rc) {
        for (size_t v = 0; v < n_variants; v++)
            sink_double(&t, v, 9, ratio(throughput[v], throughput[baseline]));
        ws_provenance p;
        ws_cli_provenance_config(&p, "wafersim run", path, &base);
        char err[512];
        const ws_table *shown = o.format == WS_FORMAT_TABLE && !wide ? t.view : t.full;
        if (ws_table_write(shown, &p, o.format, o.out, err, sizeof err) != 0 ||
            (links && ws_table_write(links, &p, WS_FORMAT_CSV, links_path, err, sizeof err) != 0)) {
            fprintf(stderr, "wafersim run: %s\n", err);
            rc = WS_EXIT_RUNTIME;
        }
    }
    arch_workload_close(workload);
    free(throughput);
    if (links)
        ws_table_free(links);
    ws_table_free(t.full);
    ws_table_free(t.view);
    ws_config_free(&base);
    ws_cli_opts_free(&o);
    return rc;
}
