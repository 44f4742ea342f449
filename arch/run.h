/* arch/run.h — one MoE decode run of a resolved experiment: build the
 * wafer, place the experts, draw the batch, simulate, measure.
 *
 * Contract
 *   arch_run() takes a resolved config (core/config.h) whose `model`,
 *   `workload` and `strategy` sections describe the run (doc/run.md):
 *     model      loaded from configs/models/ or a path;
 *     workload   the trace named by workload.trace, or a synthetic one
 *                generated with the model's profile (or workload.profile)
 *                and sim.seed into a temporary file that is removed
 *                afterwards, holding exactly the simulated iterations
 *                (decode_steps decode tokens; 1-token prompts unless the
 *                prefill is simulated or workload.prompt_tokens is set); a batch of workload.batch requests
 *                (workload/batch.h; reused in order when the trace is
 *                shorter, which the metrics report); iterations 1 ..
 *                workload.decode_steps, plus the prefill when
 *                workload.prefill is set (simulated, not measured);
 *     placement  strategy.placement on a residency table of the tiles'
 *                HBM (capacity checked: an over-full wafer is bad input),
 *                with the profile of arch/place_profile.h when the policy
 *                needs one (its provenance in placement_profile);
 *     migration  when options.migration is on, the migration unit
 *                (arch/options/migration.h) hooked into the execution; a
 *                synthetic workload's profile is generated into a
 *                temporary file (requests following the evaluated ones)
 *                removed afterwards;
 *     execution  arch/exec.h on the network (noc/network.h) and the D2D
 *                controllers (arch/d2d.h), under the engine's watchdog;
 *     prefetch   with strategy.prefetch_next_layer (refused with
 *                options.migration) the run is simulated a second time
 *                with it off, for decode_time_no_prefetch_us and
 *                prefetch_time_saved_us (off - on; negative when the
 *                early reads slowed other tiles' current reads).
 *   It fills arch_run_metrics, every figure with its unit in the name.
 *   Returns WS_EXIT_OK, WS_EXIT_BAD_INPUT (a message in err: unknown model,
 *   missing trace, a policy needing a hardware option that is off or
 *   compiled out, the wafer too small for the model), WS_EXIT_RUNTIME
 *   (a plan that lost tokens, an I/O failure) or WS_EXIT_NO_PROGRESS (the
 *   watchdog; its diagnosis is printed to stderr).
 *   Traffic counters (hops, HBM bytes, link busy time) cover the whole
 *   simulated run, the prefill included when it is simulated; times and
 *   throughput cover the decode iterations only.
 */
#ifndef ARCH_RUN_H
#define ARCH_RUN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/config.h"
#include "core/output.h"
#include "arch/options/migration.h"

typedef struct arch_run_metrics {
    uint64_t batch, distinct_requests;
    bool batch_reused;
    uint32_t decode_steps, moe_layers;
    uint64_t decode_tokens;
    double decode_time_us;
    double throughput_tokens_per_s;
    double layer_time_mean_us, layer_time_min_us, layer_time_max_us, layer_time_sd_us;
    double cp_time_us;
    uint64_t tasks;
    uint64_t request_hops, data_hops;
    double data_byte_hops_GB;          /* GB x hops (GB = 1e9 B) */
    double hbm_local_read_GB, hbm_remote_read_GB, hbm_local_write_GB;
    uint64_t llc_hit_chunks, llc_miss_chunks;
    double link_util_mean, link_util_max;
    double tile_busy_max_us, tile_busy_min_us, tile_busy_mean_us;
    double compute_utilisation;
    double layer_busy_max_over_mean;   /* mean over layers of max/mean tile work in the layer */
    uint64_t simulated_ticks;
    /* link widening (arch/options/link_widening.h): what was added, at what cost */
    uint32_t widened_links;
    double link_added_TBps, link_added_area_mm2, link_added_power_W;
    /* energy of everything simulated (arch/energy.h; first-order, no static power) */
    double energy_link_J, energy_hbm_J, energy_llc_J, energy_compute_J, energy_total_J;
    double energy_per_token_mJ;        /* total / tokens of every simulated iteration */
    uint64_t placement_copies;         /* static copies placed, all MoE layers */
    double placement_copy_GB_max;      /* max over tiles of their static copies' bytes */
    double placement_hbm_used_GB_max;  /* max over tiles of home-region bytes used (homes + copies) */
    char placement_profile[768];       /* provenance of the placement's profile, or "none" */
    bool migration_on;                 /* options.migration was on: `migration` is filled */
    arch_migration_report migration;   /* its layers pointer is NULL here */
    /* token dispatch and combine (strategy.dispatch; arch/exec.h): bytes over
       every simulated iteration, times summed over the decode layers */
    bool dispatch_on;
    double dispatch_GB, combine_GB;
    double dispatch_byte_hops_GB, combine_byte_hops_GB;   /* GB x hops */
    double dispatch_time_us, combine_time_us, combine_tail_us;
    double shared_expert_busy_us;      /* shared-expert compute of the decode layers, all tiles */
    /* next-layer prefetch (strategy.prefetch_next_layer; arch/exec.h): bytes over every simulated
       iteration; the same run with it off is simulated too, for the time saved */
    bool prefetch_on;
    double prefetch_GB, prefetch_early_GB;
    double decode_time_no_prefetch_us, prefetch_time_saved_us;
    /* sampled simulation (sim.sample_steps, sim.sample_layers; arch/sample.h) */
    uint32_t sampled_steps;            /* decode steps measured (decode_steps when not sampled) */
    uint32_t simulated_decode_steps;   /* measured + warm-up decode steps */
    double decode_time_ci95_pct;       /* 95% half-width of the estimate, % (0: exact; NaN: one unit) */
    uint32_t sampled_layers;           /* MoE layers measured per measured step (all without sim.sample_layers) */
    uint64_t simulated_decode_layers;  /* (decode step, MoE layer) pairs simulated, warm-ups included */
    bool sampled;                      /* some decode step or layer was not measured: the figures are estimates */
} arch_run_metrics;

/* The model, trace and batch of an experiment (the first three steps
 * above), opened once and shared by every variant that has the same model,
 * workload section and seed (arch_workload_matches). */
typedef struct arch_workload arch_workload;
int arch_workload_open(const ws_config *cfg, bool progress, arch_workload **out, char *err, size_t err_len);
bool arch_workload_matches(const arch_workload *w, const ws_config *cfg);
/* Identity of what a workload depends on: the model, the workload section
 * and the seed, as `config show` prints them (a hash). */
uint64_t arch_workload_key(const ws_config *cfg);
void arch_workload_close(arch_workload *w);

/* Optional outputs of a run besides its metrics (any may be NULL). */
struct arch_picture_panel;
typedef struct arch_run_extras {
    const char *variant;                /* tags the rows below ("" when NULL) */
    struct ws_table *links;             /* + one row per directed link (arch_run_link_columns) */
    struct ws_table *migration_layers;  /* + one row per MoE layer when options.migration is on
                                           (arch_run_migration_columns) */
    struct arch_picture_panel *picture; /* filled (arch/picture.h): title = variant, decode busy
                                           time per tile, utilisation per directed link */
    bool no_meter;                      /* no progress line even with progress on (runs in parallel
                                           would draw over each other's) */
} arch_run_extras;

/* Places, simulates and measures cfg on workload w (opened from a config
 * that matches cfg); `extras` (may be NULL) asks for more outputs. */
int arch_run(const ws_config *cfg, const arch_workload *w, bool progress, const arch_run_extras *extras,
             arch_run_metrics *out, char *err, size_t err_len);
extern const char *const arch_run_link_columns[];
extern const size_t arch_run_link_column_count;
extern const char *const arch_run_migration_columns[];
extern const size_t arch_run_migration_column_count;

#endif
