/* arch/options/migration.h — the migration units hardware option
 * (configure switch --enable-migration): the study's predictor in the
 * Global CP, and the Prediction Unit + Address Translation Unit in each
 * tile's D2D controller (design.md section 2.4; doc/migration.md).
 *
 * Contract
 *   ws_opt_migration_params is the option's section of the experiment config
 *   (options.migration). It is always declared, so the config struct has the same
 *   layout in every build; the schema that reads it and the option's
 *   behaviour live in migration.c, which is compiled only when the option is
 *   enabled at configure time (WS_HAVE_OPT_MIGRATION). With enabled = false the
 *   option must not change any result.
 *
 *   The unit (arch_migration, only in builds with the option):
 *   Profile  a cross-token heatmap (workload/heatmap.h) from, in order:
 *            options.migration.heatmap (a file of `wafersim trace heatmap`);
 *            with oracle: true, the evaluated trace itself; the trace
 *            options.migration.profile_trace; else `profile_path` given by
 *            the caller (the synthetic generator's requests following the
 *            evaluated ones). A non-oracle heatmap built from the evaluated
 *            requests is refused (wl_heatmap_check_eval), and so is an
 *            oracle heatmap file unless oracle: true.
 *   Predict  at each layer's plan, for tile t: P_t = union over the experts
 *            t computes now of the top_n non-zero cells of each one's
 *            heatmap row (by count, ties by lower id). cp_en is set for a
 *            task (expert e on tile t) when e is in P_t and not on t (so
 *            the read is remote), once per (t, e), and while the tile's
 *            copy cache accepts one more (mem_copy_cache_accepts).
 *   Copy     each chunk of a cp_en read is also written into t's reserved
 *            region (arch_d2d_write: HBM write bandwidth); when the whole
 *            expert has arrived it is a copy made. After the layer's
 *            barrier the copies enter the tile's copy cache
 *            (mem/copy_cache.h: slots = reserved region / expert bytes,
 *            replacement lru, lfu or keep), an evicted copy leaves the residency
 *            table first, then the new copy's presence bit is set
 *            (mem_residency_add_copy), so the next token's reads of that
 *            expert on t are local and affine allocation sees a holder.
 *            Under layer sampling (arch_migration_sample_layers: the
 *            table of arch/sample.h, kept by the caller) a layer of an
 *            iteration that runs s of the L layers has its copies on t
 *            followed by (L/s - 1) ghost copies each (fractions carried
 *            per tile; none when every layer runs, as in the prefill):
 *            never-read keys standing for the skipped layers' copies,
 *            which age and evict real copies as those would (doc/run.md).
 *   Prefetch (beyond the study; options.migration.prefetch) right after a
 *            layer's table update, tile t also fetches the experts of
 *            P_t not on t and not already being prefetched, in id order,
 *            while its budget lasts (prefetch_bandwidth x the layer's time,
 *            whole experts) and its copy cache accepts them; they travel
 *            with the next layers' reads (no priority), every chunk is
 *            written like a cp_en chunk, and the copy enters the table
 *            after the first barrier following its arrival.
 *   Hits     a task whose data comes from a copy on its own tile is a hit
 *            (the copy's use is recorded for the policy); a read served by
 *            another tile's copy is counted separately.
 *   Predictor quality, per MoE layer, over consecutive decode iterations
 *            (i-1, i) with i-1 >= the first measured one: precision =
 *            sum_t |P_t(i-1) & A_t(i)| / sum_t |P_t(i-1)| and recall =
 *            ... / sum_t |A_t(i)|, A_t(i) the experts tile t computes at
 *            iteration i (so allocation stability counts, as it does for
 *            the copies).
 *   Cost     table sizes derived from the model and grid (bits):
 *              prediction table  per tile 2 bits (cp_en, is_local) per expert
 *                                of a layer, double-buffered (this layer and
 *                                the next): 4 x experts;
 *              ATU               per tile one entry per matrix a full
 *                                reserved region holds: 3 x slots x 2 x
 *                                address_bits (remote -> local address);
 *              distribution table Global CP, per MoE layer and expert:
 *                                tiles presence bits + ceil(log2 tiles)
 *                                home bits;
 *              heatmap cache     Global CP, per MoE layer and expert: top_n
 *                                ids of ceil(log2 experts) bits;
 *            area = bits x sram_area_per_bit, power = bits x
 *            sram_power_per_bit, and their fractions of tiles x tile_area /
 *            tile_power.
 */
#ifndef WS_OPT_MIGRATION_H
#define WS_OPT_MIGRATION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arch/hwopt.h"

typedef struct ws_opt_migration_params {
    bool enabled;
    char *heatmap;               /* "" = build one */
    char *profile_trace;         /* "" = synthetic profile */
    int64_t profile_requests;
    bool oracle;
    int64_t top_n;               /* 0 = ceil(20% of the experts) */
    int replacement;             /* mem_copy_policy */
    int64_t address_bits;
    double sram_area_um2_per_bit, sram_power_uW_per_bit;
    double tile_area_mm2, tile_power_W;
    bool prefetch;
    double prefetch_bandwidth_bytes_per_s;
} ws_opt_migration_params;

extern const ws_hwopt ws_hwopt_migration;
extern const ws_cschema ws_opt_migration_schema;

/* Per MoE layer figures, and the run's totals. */
typedef struct arch_migration_layer {
    uint64_t copies, evictions, hits, copy_reads_remote, refused, prefetches;
    uint64_t predicted, actual, correct;   /* precision = correct / predicted */
} arch_migration_layer;

typedef struct arch_migration_report {
    arch_migration_layer total;
    double write_GB;                       /* GB = 1e9 B written into reserved regions */
    double precision, recall;
    uint32_t top_n, slots_per_tile;
    uint64_t prediction_table_bits, atu_bits, distribution_table_bits, heatmap_cache_bits;
    double area_mm2, power_mW, area_fraction, power_fraction;
    char heatmap[600];                     /* wl_heatmap_provenance line */
    const arch_migration_layer *layers;    /* [n_layers], owned by the unit */
    uint32_t n_layers;
} arch_migration_report;

struct ws_config;
struct wl_model;
struct wl_trace;
struct mem_residency;
struct arch_exec_hooks;
typedef struct arch_migration arch_migration;

/* Builds the unit (profile, predictor tables, copy caches); 0, or
 * WS_EXIT_BAD_INPUT with the reason in err. */
int arch_migration_new(const struct ws_config *cfg, const struct wl_model *m, const struct wl_trace *eval,
                       const char *profile_path, struct mem_residency *res, arch_migration **out, char *err,
                       size_t err_len);
void arch_migration_free(arch_migration *u);
/* Layer sampling: layer_on[iteration x n_moe + layer] != 0 where the layer
 * runs (arch/sample.h); NULL (the default) when every layer runs. */
void arch_migration_sample_layers(arch_migration *u, const uint8_t *layer_on);
void arch_migration_hooks(arch_migration *u, struct arch_exec_hooks *out);
void arch_migration_report_get(const arch_migration *u, arch_migration_report *out);

#endif
