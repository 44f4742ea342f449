/* arch/options/migration.c — the migration units hardware option: its config
 * schema, registry entry and the unit itself (predictor, Prediction Unit,
 * ATU, distribution-table update); contract in arch/options/migration.h.
 * Compiled only with --enable-migration. */
#include "arch/options/migration.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arch/exec.h"
#include "core/config.h"
#include "core/xalloc.h"
#include "mem/copy_cache.h"
#include "mem/residency.h"
#include "workload/heatmap.h"
#include "workload/model.h"
#include "workload/trace_reader.h"

#define F(m) offsetof(ws_opt_migration_params, m)

static const ws_cfield migration_fields[] = {
    { .key = "enabled", .type = WS_CT_BOOL, .offset = F(enabled),
      .def = "false", .doc = "turn the migration units option on for this experiment" },
    { .key = "heatmap", .type = WS_CT_STRING, .offset = F(heatmap), .def = "\"\"",
      .doc = "profile: a heatmap file of `wafersim trace heatmap` (\"\" = build one, see profile_trace)" },
    { .key = "profile_trace", .type = WS_CT_STRING, .offset = F(profile_trace), .def = "\"\"",
      .doc = "profile: build the heatmap from this trace (\"\" with a synthetic workload = profile_requests "
             "generated requests that follow the evaluated ones)" },
    { .key = "profile_requests", .type = WS_CT_INT, .offset = F(profile_requests), .def = "512", .min = 1,
      .max = 1e7, .doc = "synthetic profile: requests generated for the heatmap" },
    { .key = "oracle", .type = WS_CT_BOOL, .offset = F(oracle), .def = "false",
      .doc = "build the heatmap from the evaluated requests themselves (an upper bound, printed as oracle)" },
    { .key = "top_n", .type = WS_CT_INT, .offset = F(top_n), .def = "0", .min = 0, .max = 65535,
      .doc = "heatmap row entries taken per computed expert (0 = 20% of the routed experts, rounded up)" },
    { .key = "replacement", .type = WS_CT_ENUM, .offset = F(replacement), .names = mem_copy_policy_names,
      .def = "lru", .doc = "which copy a full reserved region evicts: lru (least recently used), lfu "
                           "(fewest uses since inserted, ties least recent) or keep (none: a full region "
                           "takes no new copy)" },
    { .key = "address_bits", .type = WS_CT_INT, .offset = F(address_bits), .def = "64", .min = 1, .max = 64,
      .doc = "cost: bits of an HBM address in an ATU entry" },
    { .key = "sram_area_um2_per_bit", .type = WS_CT_FLOAT, .offset = F(sram_area_um2_per_bit), .def = "0.05",
      .min = 0, .max = 1e6, .doc = "cost: area of one table bit, um^2 (SRAM cell and periphery)" },
    { .key = "sram_power_uW_per_bit", .type = WS_CT_FLOAT, .offset = F(sram_power_uW_per_bit), .def = "0.01",
      .min = 0, .max = 1e6, .doc = "cost: power of one table bit, uW (leakage and access)" },
    { .key = "tile_area_mm2", .type = WS_CT_FLOAT, .offset = F(tile_area_mm2), .def = "814", .min = 1e-6,
      .max = 1e6, .doc = "cost: area of one tile, mm^2, for the wafer fraction (H100: 814)" },
    { .key = "prefetch", .type = WS_CT_BOOL, .offset = F(prefetch), .def = "false",
      .doc = "beyond the study: after each layer, also fetch predicted experts a tile did not read" },
    { .key = "prefetch_bandwidth", .type = WS_CT_QTY, .unit = WS_UNIT_BANDWIDTH,
      .offset = F(prefetch_bandwidth_bytes_per_s), .def = "100 GB/s", .min = 1, .max = 1e15,
      .doc = "prefetch cap per tile: bytes fetched after a layer <= this x the layer's time" },
    { .key = "tile_power_W", .type = WS_CT_FLOAT, .offset = F(tile_power_W), .def = "700", .min = 1e-6,
      .max = 1e6, .doc = "cost: power of one tile, W, for the wafer fraction (H100 SXM: 700)" },
};

const ws_cschema ws_opt_migration_schema = {
    .name = "migration",
    .size = sizeof(ws_opt_migration_params),
    .fields = migration_fields,
    .n_fields = sizeof migration_fields / sizeof migration_fields[0],
};

const ws_hwopt ws_hwopt_migration = {
    .name = "migration",
    .schema = &ws_opt_migration_schema,
};

/* ------------------------------------------------------------ the unit */

struct arch_migration {
    const ws_opt_migration_params *p;
    mem_residency *res;
    mem_copy_cache *cache;
    uint32_t tiles, n_moe, experts, top_n, words;
    uint64_t expert_bytes;
    /* layer sampling (sim.sample_layers): ghost copies stand for the
       skipped layers' copies (arch_migration_sample_layers) */
    const uint8_t *layer_on;       /* [iteration][layer], NULL: every layer runs */
    double *ghost_carry;           /* [tile] fraction of a ghost owed */
    uint32_t *layer_inserts;       /* [tile] copies inserted by the current layer */
    uint64_t ghost_key, ghost_base;
    /* predictor: top_n ids per (layer, expert), n_top[] of them */
    uint16_t *top;
    uint16_t *n_top;
    /* predictions of the last plan of each layer: [layer][tile] bitsets */
    uint64_t *pred;
    uint32_t *pred_iteration;      /* [layer], UINT32_MAX = none */
    uint64_t *scratch_pred, *scratch_actual, *marked;   /* [tile] bitsets */
    uint32_t *marked_count;        /* [tile] cp_en bits set in this layer */
    uint64_t *inflight;            /* [layer][tile] bitsets of prefetches under way */
    uint32_t *inflight_count;      /* [tile] */
    arch_task *items;              /* prefetch items handed to the executor */
    size_t cap_items;
    double prefetch_bytes_per_tick;
    /* copies made in the current layer, inserted after its barrier */
    uint32_t *pending;             /* pairs (tile, expert) */
    size_t n_pending, cap_pending;
    arch_migration_layer *layers;
    double bytes_written;
    char heatmap[600];
};

static uint64_t *bitset(uint64_t *base, uint32_t words, size_t i) { return base + i * words; }
static bool bit_get(const uint64_t *b, uint32_t i) { return (b[i / 64] >> (i % 64)) & 1; }
static void bit_set(uint64_t *b, uint32_t i) { b[i / 64] |= 1ULL << (i % 64); }

static uint32_t ceil_log2(uint64_t n)
{
    uint32_t b = 0;
    while ((1ULL << b) < n)
        b++;
    return b;
}

/* The heatmap of the run, per the contract's order of sources. */
static wl_heatmap *load_profile(const ws_config *cfg, const wl_trace *eval, const char *profile_path,
                                const char **label, char *err, size_t err_len)
{
    const ws_opt_migration_params *p = &cfg->options.migration;
    char herr[600];
    wl_heatmap *h = NULL;
    const char *what = NULL;
    if (p->heatmap && *p->heatmap) {
        what = "options.migration.heatmap";
        h = wl_heatmap_read(p->heatmap, herr, sizeof herr);
        if (h && wl_heatmap_get_info(h)->oracle && !p->oracle) {
            snprintf(err, err_len, "options.migration.heatmap: %s was built with --oracle (from the evaluated "
                     "requests); set options.migration.oracle: true to use it", p->heatmap);
            wl_heatmap_free(h);
            return NULL;
        }
        *label = p->heatmap;
    } else if (p->oracle) {
        what = "options.migration.oracle";
        h = wl_heatmap_build(eval, true, herr, sizeof herr);
        *label = "(built from the evaluated trace)";
    } else if ((p->profile_trace && *p->profile_trace) || profile_path) {
        const char *path = p->profile_trace && *p->profile_trace ? p->profile_trace : profile_path;
        what = p->profile_trace && *p->profile_trace ? "options.migration.profile_trace" : "synthetic profile";
        wl_trace *t = wl_trace_open(path, 0, herr, sizeof herr);
        if (t) {
            h = wl_heatmap_build(t, false, herr, sizeof herr);
            wl_trace_close(t);
        }
        *label = p->profile_trace && *p->profile_trace ? p->profile_trace : "(synthetic profile)";
    } else {
        snprintf(err, err_len, "options.migration: the predictor needs a profile: the workload is a trace file, so "
                 "give options.migration.heatmap (wafersim trace heatmap) or options.migration.profile_trace "
                 "(other requests than the evaluated ones), or set options.migration.oracle: true");
        return NULL;
    }
    if (!h) {
        snprintf(err, err_len, "%s: %s", what, herr);
        return NULL;
    }
    char cerr[400];
    if (!p->oracle && wl_heatmap_check_eval(h, wl_trace_get_info(eval), cerr, sizeof cerr) != 0) {
        snprintf(err, err_len, "%s: %s", what, cerr);
        wl_heatmap_free(h);
        return NULL;
    }
    return h;
}

/* Top-n cells of every row: by count descending, ties by lower id. */
static void build_top(arch_migration *u, const wl_heatmap *h)
{
    u->top = ws_xcalloc((size_t)u->n_moe * u->experts * (u->top_n ? u->top_n : 1), sizeof *u->top);
    u->n_top = ws_xcalloc((size_t)u->n_moe * u->experts, sizeof *u->n_top);
    uint32_t *tc = ws_xcalloc(u->top_n ? u->top_n : 1, sizeof *tc);   /* counts of out[] */
    for (uint32_t m = 0; m < u->n_moe; m++)
        for (uint32_t i = 0; i < u->experts; i++) {
            const uint16_t *cols;
            const uint32_t *counts;
            uint32_t nnz = wl_heatmap_row(h, m, i, &cols, &counts);
            size_t row = (size_t)m * u->experts + i;
            uint16_t *out = u->top + row * u->top_n;
            uint32_t n = 0;
            for (uint32_t c = 0; c < nnz; c++) {   /* insertion into a sorted top list */
                uint32_t at = n;
                while (at > 0 && tc[at - 1] < counts[c])   /* equal counts: the lower id stays first */
                    at--;
                if (at >= u->top_n)
                    continue;
                uint32_t last = n < u->top_n ? n : u->top_n - 1;
                for (uint32_t k = last; k > at; k--) {
                    out[k] = out[k - 1];
                    tc[k] = tc[k - 1];
                }
                out[at] = cols[c];
                tc[at] = counts[c];
                if (n < u->top_n)
                    n++;
            }
            u->n_top[row] = (uint16_t)n;
        }
    free(tc);
}

static void on_plan(void *ctx, uint32_t iteration, uint32_t layer, const arch_plan *plan, bool *copy)
{
    arch_migration *u = ctx;
    size_t set_bytes = (size_t)u->tiles * u->words * sizeof(uint64_t);
    memset(u->scratch_actual, 0, set_bytes);
    memset(u->scratch_pred, 0, set_bytes);
    memset(u->marked, 0, set_bytes);
    for (size_t k = 0; k < plan->n; k++) {
        const arch_task *t = &plan->tasks[k];
        bit_set(bitset(u->scratch_actual, u->words, t->tile), t->expert);
        size_t row = (size_t)layer * u->experts + t->expert;
        uint64_t *p = bitset(u->scratch_pred, u->words, t->tile);
        for (uint32_t c = 0; c < u->n_top[row]; c++)
            bit_set(p, u->top[row * u->top_n + c]);
    }
    /* quality of the previous decode iteration's prediction for this one */
    uint64_t *prev = bitset(u->pred, u->words, (size_t)layer * u->tiles);
    arch_migration_layer *L = &u->layers[layer];
    if (u->pred_iteration[layer] != UINT32_MAX && u->pred_iteration[layer] >= 1 &&
        u->pred_iteration[layer] + 1 == iteration)
        for (uint32_t t = 0; t < u->tiles; t++)
            for (uint32_t w = 0; w < u->words; w++) {
                uint64_t a = bitset(u->scratch_actual, u->words, t)[w], q = bitset(prev, u->words, t)[w];
                L->predicted += (uint64_t)__builtin_popcountll(q);
                L->actual += (uint64_t)__builtin_popcountll(a);
                L->correct += (uint64_t)__builtin_popcountll(a & q);
            }
    memcpy(prev, u->scratch_pred, set_bytes);
    u->pred_iteration[layer] = iteration;
    /* cp_en: predicted for the tile, not there yet, once per (tile,
     * expert), and room to keep it (counting this layer's other cp_en) */
    memset(u->marked_count, 0, u->tiles * sizeof *u->marked_count);
    for (size_t k = 0; k < plan->n; k++) {
        const arch_task *t = &plan->tasks[k];
        uint64_t *mk = bitset(u->marked, u->words, t->tile);
        if (bit_get(bitset(u->scratch_pred, u->words, t->tile), t->expert) && !bit_get(mk, t->expert) &&
            !mem_residency_present(u->res, layer, t->expert, t->tile) &&
            mem_copy_cache_accepts(u->cache, t->tile, u->marked_count[t->tile] + u->inflight_count[t->tile])) {
            bit_set(mk, t->expert);
            u->marked_count[t->tile]++;
            copy[k] = true;
        }
    }
}

static void on_read(void *ctx, uint32_t layer, const arch_task *task, uint32_t holder)
{
    arch_migration *u = ctx;
    if ((int)holder == mem_residency_home(u->res, layer, task->expert))
        return;
    uint64_t key = (uint64_t)layer * u->experts + task->expert;
    mem_copy_cache_touch(u->cache, holder, key);
    if (holder == task->tile)
        u->layers[layer].hits++;
    else
        u->layers[layer].copy_reads_remote++;
}

static void on_copied(void *ctx, uint32_t layer, const arch_task *task)
{
    arch_migration *u = ctx;
    uint64_t *fl = bitset(u->inflight, u->words, (size_t)layer * u->tiles + task->tile);
    if (bit_get(fl, task->expert)) {
        fl[task->expert / 64] &= ~(1ULL << (task->expert % 64));
        u->inflight_count[task->tile]--;
    }
    if (u->n_pending + 3 > u->cap_pending) {
        u->cap_pending = u->cap_pending ? 2 * u->cap_pending : 256;
        u->pending = ws_xrealloc(u->pending, u->cap_pending * sizeof *u->pending);
    }
    u->pending[u->n_pending++] = task->tile;
    u->pending[u->n_pending++] = task->expert;
    u->pending[u->n_pending++] = layer;
    u->bytes_written += (double)u->expert_bytes;
}

/* A copy the cache evicted leaves the Expert Distribution Table, counted
 * as an eviction of layer L; a ghost (below) leaves nothing to undo. */
static void drop_victim(arch_migration *u, arch_migration_layer *L, uint64_t victim, uint32_t tile)
{
    if (victim >= u->ghost_base)
        return;
    L->evictions++;
    mem_residency_remove_copy(u->res, (unsigned)(victim / u->experts), (unsigned)(victim % u->experts), tile);
}

/* Layer sampling: after a simulated layer's copies, the copies of the
 * skipped layers it stands for, as ghosts (keys no read asks for) that
 * age and evict the real copies the way those layers' copies would in a
 * full run: an iteration that runs s of the L layers has each stand for
 * L / s, so L / s - 1 ghosts follow each copy the layer inserted on a
 * tile (none when every layer runs, e.g. the prefill), the fractions
 * carried per tile. Real copies they evict count as the layer's
 * evictions. */
static void insert_ghosts(arch_migration *u, uint32_t iteration, arch_migration_layer *L)
{
    uint32_t s = 0;
    for (uint32_t l = 0; l < u->n_moe; l++)
        s += u->layer_on[(size_t)iteration * u->n_moe + l] != 0;
    double ratio = s ? (double)u->n_moe / s - 1 : 0;
    for (uint32_t t = 0; t < u->tiles; t++) {
        if (ratio <= 0) {
            u->layer_inserts[t] = 0;
            continue;
        }
        double want = ratio * u->layer_inserts[t] + u->ghost_carry[t];
        uint64_t n = (uint64_t)want;
        u->ghost_carry[t] = want - (double)n;
        u->layer_inserts[t] = 0;
        for (uint64_t g = 0; g < n; g++) {
            uint64_t victim;
            if (mem_copy_cache_insert(u->cache, t, u->ghost_key++, &victim) == 1)
                drop_victim(u, L, victim, t);
        }
    }
}

/* The Local CPs report their copies; the Global CP updates the Expert
 * Distribution Table (evictions first). */
static void on_layer_end(void *ctx, uint32_t iteration, uint32_t layer)
{
    arch_migration *u = ctx;
    for (size_t i = 0; i < u->n_pending; i += 3) {
        uint32_t tile = u->pending[i], expert = u->pending[i + 1], cl = u->pending[i + 2];
        arch_migration_layer *L = &u->layers[cl];
        uint64_t key = (uint64_t)cl * u->experts + expert, victim;
        L->copies++;
        int rc = mem_copy_cache_insert(u->cache, tile, key, &victim);
        if (rc == 1)
            drop_victim(u, L, victim, tile);
        if (rc < 0 || mem_residency_add_copy(u->res, cl, expert, tile) != 0) {
            if (rc >= 0)
                mem_copy_cache_remove(u->cache, tile, key);
            L->refused++;
        } else {
            u->layer_inserts[tile]++;
        }
    }
    u->n_pending = 0;
    if (u->layer_on)
        insert_ghosts(u, iteration, &u->layers[layer]);
    else
        memset(u->layer_inserts, 0, u->tiles * sizeof *u->layer_inserts);
}

/* Prefetch: per tile, the predicted experts not there and not under way,
 * in id order, within the budget and while the copy cache accepts them. */
static size_t on_prefetch(void *ctx, uint32_t iteration, uint32_t layer, ws_tick layer_ticks,
                          const arch_task **items)
{
    arch_migration *u = ctx;
    (void)iteration;
    size_t n = 0;
    double budget = u->prefetch_bytes_per_tick * (double)layer_ticks;
    for (uint32_t t = 0; t < u->tiles; t++) {
        const uint64_t *p = bitset(u->pred, u->words, (size_t)layer * u->tiles + t);
        uint64_t *fl = bitset(u->inflight, u->words, (size_t)layer * u->tiles + t);
        double left = budget;
        for (uint32_t e = 0; e < u->experts && left >= (double)u->expert_bytes; e++) {
            if (!bit_get(p, e) || bit_get(fl, e) || mem_residency_present(u->res, layer, e, t) ||
                !mem_copy_cache_accepts(u->cache, t, u->inflight_count[t]))
                continue;
            if (n == u->cap_items) {
                u->cap_items = u->cap_items ? 2 * u->cap_items : 64;
                u->items = ws_xrealloc(u->items, u->cap_items * sizeof *u->items);
            }
            u->items[n++] = (arch_task){ .expert = e, .tile = t, .tokens = 0 };
            bit_set(fl, e);
            u->inflight_count[t]++;
            u->layers[layer].prefetches++;
            left -= (double)u->expert_bytes;
        }
    }
    *items = u->items;
    return n;
}

int arch_migration_new(const ws_config *cfg, const wl_model *m, const wl_trace *eval, const char *profile_path,
                       mem_residency *res, arch_migration **out, char *err, size_t err_len)
{
    *out = NULL;
    const char *label = "";
    wl_heatmap *h = load_profile(cfg, eval, profile_path, &label, err, err_len);
    if (!h)
        return WS_EXIT_BAD_INPUT;
    arch_migration *u = ws_xcalloc(1, sizeof *u);
    u->p = &cfg->options.migration;
    u->res = res;
    u->tiles = (uint32_t)(cfg->hw.grid.x * cfg->hw.grid.y);
    u->n_moe = m->n_moe;
    u->experts = (uint32_t)m->routed_experts;
    u->expert_bytes = m->expert_bytes;
    u->top_n = u->p->top_n ? (uint32_t)u->p->top_n : (u->experts + 4) / 5;
    if (u->top_n > u->experts)
        u->top_n = u->experts;
    u->words = (u->experts + 63) / 64;
    uint64_t slots = mem_residency_reserved_capacity(res) / m->expert_bytes;
    u->cache = mem_copy_cache_new(u->tiles, (unsigned)slots, (mem_copy_policy)u->p->replacement);
    u->ghost_carry = ws_xcalloc(u->tiles, sizeof *u->ghost_carry);
    u->layer_inserts = ws_xcalloc(u->tiles, sizeof *u->layer_inserts);
    u->ghost_base = u->ghost_key = (uint64_t)u->n_moe * u->experts;
    build_top(u, h);
    wl_heatmap_provenance(h, label, u->heatmap, sizeof u->heatmap);
    wl_heatmap_free(h);
    size_t sets = (size_t)u->tiles * u->words;
    u->pred = ws_xcalloc(sets * u->n_moe, sizeof *u->pred);
    u->pred_iteration = ws_xmalloc(u->n_moe * sizeof *u->pred_iteration);
    for (uint32_t l = 0; l < u->n_moe; l++)
        u->pred_iteration[l] = UINT32_MAX;
    u->scratch_pred = ws_xcalloc(sets, sizeof *u->scratch_pred);
    u->scratch_actual = ws_xcalloc(sets, sizeof *u->scratch_actual);
    u->marked = ws_xcalloc(sets, sizeof *u->marked);
    u->marked_count = ws_xcalloc(u->tiles, sizeof *u->marked_count);
    u->inflight = ws_xcalloc(sets * u->n_moe, sizeof *u->inflight);
    u->inflight_count = ws_xcalloc(u->tiles, sizeof *u->inflight_count);
    u->prefetch_bytes_per_tick = ws_config_bytes_per_tick(cfg, u->p->prefetch_bandwidth_bytes_per_s);
    u->layers = ws_xcalloc(u->n_moe, sizeof *u->layers);
    *out = u;
    return 0;
}

void arch_migration_free(arch_migration *u)
{
    if (!u)
        return;
    mem_copy_cache_free(u->cache);
    free(u->top);
    free(u->n_top);
    free(u->pred);
    free(u->pred_iteration);
    free(u->ghost_carry);
    free(u->layer_inserts);
    free(u->scratch_pred);
    free(u->scratch_actual);
    free(u->marked);
    free(u->marked_count);
    free(u->inflight);
    free(u->inflight_count);
    free(u->items);
    free(u->pending);
    free(u->layers);
    free(u);
}

void arch_migration_hooks(arch_migration *u, arch_exec_hooks *out)
{
    *out = (arch_exec_hooks){ .ctx = u, .plan = on_plan, .read = on_read, .copied = on_copied,
                              .layer_end = on_layer_end, .prefetch = u->p->prefetch ? on_prefetch : NULL };
}

void arch_migration_report_get(const arch_migration *u, arch_migration_report *r)
{
    memset(r, 0, sizeof *r);
    for (uint32_t l = 0; l < u->n_moe; l++) {
        const arch_migration_layer *L = &u->layers[l];
        r->total.copies += L->copies;
        r->total.evictions += L->evictions;
        r->total.hits += L->hits;
        r->total.copy_reads_remote += L->copy_reads_remote;
        r->total.refused += L->refused;
        r->total.prefetches += L->prefetches;
        r->total.predicted += L->predicted;
        r->total.actual += L->actual;
        r->total.correct += L->correct;
    }
    r->write_GB = u->bytes_written / 1e9;
    r->precision = r->total.predicted ? (double)r->total.correct / (double)r->total.predicted : 0;
    r->recall = r->total.actual ? (double)r->total.correct / (double)r->total.actual : 0;
    r->top_n = u->top_n;
    r->slots_per_tile = mem_copy_cache_slots(u->cache);
    r->prediction_table_bits = (uint64_t)u->tiles * 4 * u->experts;
    r->atu_bits = (uint64_t)u->tiles * 3 * r->slots_per_tile * 2 * (uint64_t)u->p->address_bits;
    r->distribution_table_bits = (uint64_t)u->n_moe * u->experts * (u->tiles + ceil_log2(u->tiles));
    r->heatmap_cache_bits = (uint64_t)u->n_moe * u->experts * u->top_n * ceil_log2(u->experts);
    double bits = (double)(r->prediction_table_bits + r->atu_bits + r->distribution_table_bits +
                           r->heatmap_cache_bits);
    r->area_mm2 = bits * u->p->sram_area_um2_per_bit * 1e-6;
    r->power_mW = bits * u->p->sram_power_uW_per_bit * 1e-3;
    r->area_fraction = r->area_mm2 / (u->tiles * u->p->tile_area_mm2);
    r->power_fraction = r->power_mW * 1e-3 / (u->tiles * u->p->tile_power_W);
    snprintf(r->heatmap, sizeof r->heatmap, "%s", u->heatmap);
    r->layers = u->layers;
    r->n_layers = u->n_moe;
}

void arch_migration_sample_layers(arch_migration *u, const uint8_t *layer_on)
{
    u->layer_on = layer_on;
}
