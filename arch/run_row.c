/* arch/run_row.c — the results row of one MoE decode run; contract in
 * arch/run_row.h. */
#include "arch/run_row.h"

#include <stdio.h>
#include <string.h>

#include "arch/run_schema.h"
#include "core/hash.h"

const char *const arch_run_row_columns[ARCH_RUN_ROW_COLUMNS] = {
    "variant", "allocation", "placement", "config_hash", "batch", "decode_steps", "decode_tokens",
    "decode_time_us", "throughput_tokens_per_s", "speedup_vs_baseline", "layer_time_mean_us",
    "layer_time_min_us", "layer_time_max_us", "layer_time_sd_us", "cp_time_us", "tasks", "request_hops",
    "data_hops", "data_byte_hops_GBxhop", "hbm_local_read_GB", "hbm_remote_read_GB", "hbm_local_write_GB",
    "llc_hit_chunks", "llc_miss_chunks", "link_util_mean", "link_util_max", "tile_busy_max_us",
    "tile_busy_min_us", "tile_busy_mean_us", "tile_busy_max_over_min", "tile_busy_max_over_mean",
    "compute_utilisation", "layer_busy_max_over_mean", "batch_reused", "widened_links", "link_added_TBps",
    "link_added_area_mm2", "link_added_power_W", "energy_link_J", "energy_hbm_J", "energy_llc_J", "energy_compute_J",
    "energy_total_J", "energy_per_token_mJ", "placement_copies", "placement_copy_GB_max_per_tile",
    "placement_hbm_used_GB_max_per_tile", "placement_profile",
    /* migration units (empty when options.migration is off); table sizes are wafer totals */
    "migration_copies", "migration_write_GB", "migration_copy_hits", "migration_copy_reads_remote",
    "migration_evictions", "migration_refused", "migration_prefetches", "migration_slots_per_tile", "predictor_top_n",
    "predictor_precision", "predictor_recall", "prediction_tables_B", "atu_B", "distribution_table_B",
    "heatmap_cache_B", "migration_area_mm2", "migration_power_mW", "migration_area_fraction",
    "migration_power_fraction", "migration_heatmap",
    /* token dispatch and combine (empty when strategy.dispatch is off) */
    "dispatch_GB", "combine_GB", "dispatch_byte_hops_GBxhop", "combine_byte_hops_GBxhop", "dispatch_time_us",
    "combine_time_us", "combine_tail_us", "shared_expert_busy_us",
    /* next-layer prefetch (empty when strategy.prefetch_next_layer is off) */
    "prefetch_GB", "prefetch_early_GB", "decode_time_no_prefetch_us", "prefetch_time_saved_us", "prefetch_plan",
    /* sampled simulation (sim.sample_steps, sim.sample_layers; arch/sample.h): decode steps measured and
       simulated, the 95% confidence half-width of decode_time_us and throughput in % (0: every step and
       layer simulated), MoE layers measured per measured step, (step, layer) pairs simulated */
    "sampled_steps", "simulated_decode_steps", "decode_time_ci95_pct", "sampled_layers", "simulated_decode_layers",
};

static double ratio(double a, double b) { return b > 0 ? a / b : 0; }

static ws_cell str(const char *s) { return (ws_cell){ .kind = WS_CELL_STR, .s = s }; }
static ws_cell num(double d) { return (ws_cell){ .kind = WS_CELL_DOUBLE, .d = d }; }
static ws_cell count(uint64_t i) { return (ws_cell){ .kind = WS_CELL_INT, .i = (int64_t)i }; }

/* n empty cells: an option's columns when it was off. */
static void empty_cells(ws_cell *c, size_t n)
{
    for (size_t k = 0; k < n; k++)
        c[k] = (ws_cell){ .kind = WS_CELL_EMPTY };
}

/* The migration columns: empty when the option was off. */
static void migration_cells(ws_cell *c, const arch_run_metrics *m)
{
    const arch_migration_report *g = &m->migration;
    size_t k = 0;
    if (!m->migration_on) {
        empty_cells(c, ARCH_RUN_ROW_MIGRATION_COLUMNS);
        return;
    }
    c[k++] = count(g->total.copies);
    c[k++] = num(g->write_GB);
    c[k++] = count(g->total.hits);
    c[k++] = count(g->total.copy_reads_remote);
    c[k++] = count(g->total.evictions);
    c[k++] = count(g->total.refused);
    c[k++] = count(g->total.prefetches);
    c[k++] = count(g->slots_per_tile);
    c[k++] = count(g->top_n);
    c[k++] = num(g->precision);
    c[k++] = num(g->recall);
    c[k++] = num((double)g->prediction_table_bits / 8);
    c[k++] = num((double)g->atu_bits / 8);
    c[k++] = num((double)g->distribution_table_bits / 8);
    c[k++] = num((double)g->heatmap_cache_bits / 8);
    c[k++] = num(g->area_mm2);
    c[k++] = num(g->power_mW);
    c[k++] = num(g->area_fraction);
    c[k++] = num(g->power_fraction);
    c[k++] = str(g->heatmap);
}

/* The dispatch columns: empty when strategy.dispatch was off. */
static void dispatch_cells(ws_cell *c, const arch_run_metrics *m)
{
    size_t k = 0;
    if (!m->dispatch_on) {
        empty_cells(c, ARCH_RUN_ROW_DISPATCH_COLUMNS);
        return;
    }
    c[k++] = num(m->dispatch_GB);
    c[k++] = num(m->combine_GB);
    c[k++] = num(m->dispatch_byte_hops_GB);
    c[k++] = num(m->combine_byte_hops_GB);
    c[k++] = num(m->dispatch_time_us);
    c[k++] = num(m->combine_time_us);
    c[k++] = num(m->combine_tail_us);
    c[k++] = num(m->shared_expert_busy_us);
}

/* The prefetch columns: empty when strategy.prefetch_next_layer was off. */
static void prefetch_cells(ws_cell *c, const arch_run_metrics *m)
{
    size_t k = 0;
    if (!m->prefetch_on) {
        empty_cells(c, ARCH_RUN_ROW_PREFETCH_COLUMNS);
        return;
    }
    c[k++] = num(m->prefetch_GB);
    c[k++] = num(m->prefetch_early_GB);
    c[k++] = num(m->decode_time_no_prefetch_us);
    c[k++] = num(m->prefetch_time_saved_us);
    c[k++] = str("oracle");   /* the next layer's plan is known in advance: an upper bound */
}

void arch_run_row_fill(arch_run_row *row, const char *variant, const ws_config *cfg, const arch_run_metrics *m)
{
    ws_hash64_hex(ws_config_hash(cfg), row->config_hash);
    ws_cell *c = row->cells;
    size_t k = 0;
    c[k++] = str(variant);
    c[k++] = str(arch_alloc_names[cfg->strategy.allocation]);
    c[k++] = str(arch_place_names[cfg->strategy.placement]);
    c[k++] = str(row->config_hash);
    c[k++] = count(m->batch);
    c[k++] = count(m->decode_steps);
    c[k++] = count(m->decode_tokens);
    c[k++] = num(m->decode_time_us);
    c[k++] = num(m->throughput_tokens_per_s);
    c[k++] = (ws_cell){ .kind = WS_CELL_EMPTY };   /* speedup: the caller's */
    c[k++] = num(m->layer_time_mean_us);
    c[k++] = num(m->layer_time_min_us);
    c[k++] = num(m->layer_time_max_us);
    c[k++] = num(m->layer_time_sd_us);
    c[k++] = num(m->cp_time_us);
    c[k++] = count(m->tasks);
    c[k++] = count(m->request_hops);
    c[k++] = count(m->data_hops);
    c[k++] = num(m->data_byte_hops_GB);
    c[k++] = num(m->hbm_local_read_GB);
    c[k++] = num(m->hbm_remote_read_GB);
    c[k++] = num(m->hbm_local_write_GB);
    c[k++] = count(m->llc_hit_chunks);
    c[k++] = count(m->llc_miss_chunks);
    c[k++] = num(m->link_util_mean);
    c[k++] = num(m->link_util_max);
    c[k++] = num(m->tile_busy_max_us);
    c[k++] = num(m->tile_busy_min_us);
    c[k++] = num(m->tile_busy_mean_us);
    c[k++] = num(ratio(m->tile_busy_max_us, m->tile_busy_min_us));
    c[k++] = num(ratio(m->tile_busy_max_us, m->tile_busy_mean_us));
    c[k++] = num(m->compute_utilisation);
    c[k++] = num(m->layer_busy_max_over_mean);
    c[k++] = str(m->batch_reused ? "yes" : "no");
    c[k++] = count(m->widened_links);
    c[k++] = num(m->link_added_TBps);
    c[k++] = num(m->link_added_area_mm2);
    c[k++] = num(m->link_added_power_W);
    c[k++] = num(m->energy_link_J);
    c[k++] = num(m->energy_hbm_J);
    c[k++] = num(m->energy_llc_J);
    c[k++] = num(m->energy_compute_J);
    c[k++] = num(m->energy_total_J);
    c[k++] = num(m->energy_per_token_mJ);
    c[k++] = count(m->placement_copies);
    c[k++] = num(m->placement_copy_GB_max);
    c[k++] = num(m->placement_hbm_used_GB_max);
    c[k++] = str(m->placement_profile);
    migration_cells(c + k, m);
    dispatch_cells(c + k + ARCH_RUN_ROW_MIGRATION_COLUMNS, m);
    prefetch_cells(c + k + ARCH_RUN_ROW_MIGRATION_COLUMNS + ARCH_RUN_ROW_DISPATCH_COLUMNS, m);
    k += ARCH_RUN_ROW_MIGRATION_COLUMNS + ARCH_RUN_ROW_DISPATCH_COLUMNS + ARCH_RUN_ROW_PREFETCH_COLUMNS;
    c[k++] = count(m->sampled_steps);
    c[k++] = count(m->simulated_decode_steps);
    c[k++] = num(m->decode_time_ci95_pct);
    c[k++] = count(m->sampled_layers);
    c[k++] = count(m->simulated_decode_layers);
}

int arch_run_variant(const ws_config *cfg, arch_workload **workload, bool progress, const arch_run_extras *extras,
                     arch_run_metrics *m, char *err, size_t err_len)
{
    int rc = 0;
    if (!arch_workload_matches(*workload, cfg)) {
        arch_workload_close(*workload);
        *workload = NULL;
        rc = arch_workload_open(cfg, progress, workload, err, err_len);
    }
    if (!rc)
        rc = arch_run(cfg, *workload, progress, extras, m, err, err_len);
    if (!rc && m->batch_reused)
        fprintf(stderr, "wafersim: variant %s: the trace has %llu requests, fewer than the batch of %llu: requests were "
                "reused in order\n", extras && extras->variant ? extras->variant : "", (unsigned long long)m->distinct_requests,
                (unsigned long long)m->batch);
    return rc;
}
