/* core/config.h — the experiment configuration: loading, presets,
 * overrides, validation and the resolved view.
 *
 * Contract
 *   ws_config_load() builds a ws_config from
 *     1. the hardware preset named by the file's `preset:` key, if any — a
 *        name looked up as <configdir>/hw/<name>.yaml, or a path (anything
 *        containing '/' or ending in .yaml, relative to the config file);
 *        configdir is $WAFERSIM_CONFIG_DIR, else the source tree's configs/,
 *        else the installed $(pkgdatadir)/configs;
 *     2. the file itself, merged over the preset (mappings merge key by key,
 *        anything else replaces);
 *     3. the overrides "key.path=value" in order (value is YAML text, e.g.
 *        "hw.link.bandwidth=2 TB/s" or "hw.grid={x: 4, y: 4}");
 *   then reads the merged tree through the schema (core/config_schema.h):
 *   every value typed, unit-checked and range-checked, unknown keys
 *   rejected, cross-field constraints checked. All errors (up to the
 *   diag's limit) are reported with file:line:column and key path; on any
 *   error it returns -1 and the config holds nothing to free.
 *   "cycles" and "B/cycle" values are converted with the clock of the
 *   resolved config (sim.clock), whichever file sets it.
 *
 *   All quantities are stored in SI units (seconds, hertz, bytes, bytes/s,
 *   FLOP/s, fractions); ws_config_ticks() converts a time to ticks of the
 *   wafer clock, rounding to the nearest tick except that a nonzero time is
 *   at least 1 tick (sim.watchdog 1 ns at 1 MHz is 1 tick, not 0 = off;
 *   only 0 s is 0 ticks), and ws_config_bytes_per_tick() a bandwidth to
 *   bytes per tick.
 *
 *   ws_config_load_buffer() is the same for `len` bytes of YAML held in
 *   memory (the fuzzing harness fuzz/fuzz_config.c); `name` stands for the
 *   file in positions and a relative preset path is taken from the current
 *   directory.
 *
 *   ws_config_write() prints the fully resolved config as YAML with units
 *   normalised (`wafersim config show`); ws_config_hash() is the FNV-1a hash
 *   of exactly that text (preset name and description included), so two
 *   configs that resolve to the same text have the same hash whatever files
 *   and overrides produced them.
 *   ws_config_doc() prints the reference table of every key.
 *   ws_config_free() releases what a successful load allocated.
 *
 *   ws_config_load_nodes() is ws_config_load() with, before the overrides,
 *   values set at key paths as YAML nodes that carry their own positions
 *   (the swept values of core/sweep.h), so that an error in one points at
 *   the file, line and column where it was written. A malformed key path,
 *   "preset" or a path through a non-mapping is reported there too.
 *   The `sweep:` section is read by core/sweep.h, not here: it is no part
 *   of the resolved config (not written, not hashed).
 */
#ifndef WS_CONFIG_H
#define WS_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "arch/options/expert_affine.h"
#include "arch/options/link_widening.h"
#include "arch/options/migration.h"
#include "core/config_schema.h"
#include "core/diag.h"
#include "core/limits.h"
#include "noc/pattern_list.h"
#include "noc/routing_list.h"

typedef struct ws_sim_config {
    double clock_hz;          /* wafer clock; one tick = one cycle */
    int64_t seed;             /* master seed of every random stream */
    double watchdog_s;        /* no-progress window */
    bool activity_skipping;   /* jump over idle ticks (results identical) */
    int64_t sample_steps;     /* sampled decode steps, 0 = all (arch/sample.h) */
    int64_t sample_warmup;    /* unmeasured steps before each sampled one */
    int64_t sample_layers;    /* MoE layers simulated per simulated step, 0 = all (arch/sample.h) */
    ws_limits_config limits;  /* resource limits (core/limits.h) */
    int64_t test_drop_message;  /* TEST ONLY: D2D loses the Nth message (arch/d2d.h) */
} ws_sim_config;

typedef struct ws_grid_config {
    int64_t x, y;             /* tiles along x and y */
} ws_grid_config;

typedef struct ws_hbm_config {
    double capacity_bytes;
    double bandwidth_bytes_per_s;
    double latency_s;
    double reserved_fraction; /* for hardware-managed copies */
    int64_t channels;
    double interleave_bytes;  /* striping granule over channels */
    int64_t queue_depth;      /* outstanding requests per channel */
} ws_hbm_config;

typedef enum ws_llc_allocation { WS_LLC_FILL_LOCAL_MISSES, WS_LLC_FILL_ALL_SERVED } ws_llc_allocation;

typedef struct ws_llc_config {
    double size_bytes;
    double hit_latency_s;
    double miss_penalty_s;
    double write_latency_s;
    int64_t associativity;
    double line_bytes;
    int allocation;           /* ws_llc_allocation */
} ws_llc_config;

typedef struct ws_efficiency_point {
    int64_t tokens;           /* tokens per task */
    double efficiency;        /* fraction of peak */
} ws_efficiency_point;

typedef enum ws_overlap_mode { WS_OVERLAP_PIPELINED, WS_OVERLAP_SERIAL } ws_overlap_mode;

typedef struct ws_compute_config {
    int overlap;              /* ws_overlap_mode */
    ws_clist efficiency;      /* of ws_efficiency_point; empty = roofline */
} ws_compute_config;

typedef struct ws_tile_config {
    double peak_flops;        /* FP16/BF16 FLOP/s */
    ws_hbm_config hbm;
    ws_llc_config llc;
    ws_compute_config compute;
} ws_tile_config;

typedef struct ws_link_config {
    double bandwidth_bytes_per_s;  /* per direction */
    double latency_s;              /* per hop */
} ws_link_config;

/* hw.routing: an index into the routing registry (noc/routing_list.h). */
#define WS_ROUTING_ENUM(SUFFIX, name, test_only, summary) WS_ROUTING_##SUFFIX,
typedef enum ws_routing_kind { NOC_ROUTING_LIST(WS_ROUTING_ENUM) WS_ROUTING_COUNT } ws_routing_kind;
#undef WS_ROUTING_ENUM

/* hw.energy: per-bit and per-FLOP energies (arch/energy.h). */
typedef struct ws_energy_config {
    double link_pJ_per_bit, hbm_read_pJ_per_bit, hbm_write_pJ_per_bit, llc_pJ_per_bit, compute_pJ_per_flop;
} ws_energy_config;

typedef struct ws_hw_config {
    ws_grid_config grid;
    ws_tile_config tile;
    ws_link_config link;
    int routing;                   /* ws_routing_kind */
    double remote_request_bytes;   /* command + address of a remote read */
    double read_chunk_bytes;       /* D2D controller: HBM read and message unit */
    ws_energy_config energy;
} ws_hw_config;

typedef struct ws_options_config {
    ws_opt_expert_affine_params expert_affine;
    ws_opt_link_widening_params link_widening;
    ws_opt_migration_params migration;
} ws_options_config;

/* noc: the router microarchitecture and packetisation (doc/noc.md). */
typedef enum ws_link_select { WS_LINKS_ALL, WS_LINKS_HORIZONTAL, WS_LINKS_VERTICAL, WS_LINKS_LIST } ws_link_select;

typedef struct ws_link_override {
    int select;               /* ws_link_select */
    ws_clist links;           /* of char *: "X,Y-X,Y" (both directions) or "X,Y>X,Y" */
    double width_scale;       /* bandwidth = hw.link.bandwidth x width_scale */
    double latency_scale;     /* latency = hw.link.latency x latency_scale */
} ws_link_override;

typedef enum ws_switching { WS_SWITCHING_WORMHOLE, WS_SWITCHING_VCT } ws_switching;

typedef struct ws_noc_config {
    int64_t vcs;              /* virtual channels per port */
    int64_t vc_buffer_flits;  /* buffer depth per VC */
    double credit_delay_s;
    double routing_delay_s, vc_alloc_delay_s, sw_alloc_delay_s, st_delay_s;
    double flit_bytes;
    int64_t packet_flits;     /* largest packet the NI cuts a message into */
    int switching;            /* ws_switching */
    int64_t input_speedup;    /* crossbar inputs per input port */
    bool half_duplex;         /* one shared channel per neighbour pair */
    bool flit_streaming;      /* cut-through within a flit: visible at its head, ejected at its tail */
    ws_clist link_overrides;  /* of ws_link_override, applied in order */
    bool allow_test_routing;  /* TEST ONLY */
} ws_noc_config;

/* traffic: synthetic traffic for `wafersim noc` (doc/noc.md). */
#define WS_PATTERN_ENUM(SUFFIX, name, summary) WS_PATTERN_##SUFFIX,
typedef enum ws_pattern_kind { NOC_PATTERN_LIST(WS_PATTERN_ENUM) WS_PATTERN_COUNT } ws_pattern_kind;
#undef WS_PATTERN_ENUM
typedef enum ws_injection_kind { WS_INJECTION_BERNOULLI, WS_INJECTION_ON_OFF } ws_injection_kind;
typedef enum ws_rate_unit { WS_RATE_FLITS, WS_RATE_PACKETS } ws_rate_unit;

typedef struct ws_measure_config {
    double sample_period_s;
    double warmup_threshold;      /* fraction */
    int64_t max_warmup_samples;
    int64_t samples;              /* measurement sample periods */
    double latency_threshold_s;
    double accept_tolerance;      /* fraction */
    double max_drain_s;
} ws_measure_config;

typedef struct ws_traffic_config {
    int pattern;              /* ws_pattern_kind */
    bool exclude_self;
    int injection;            /* ws_injection_kind */
    double burst_alpha, burst_beta;   /* on/off: P(off->on), P(on->off) per cycle */
    int rate_unit;            /* ws_rate_unit */
    ws_clist rates;           /* of double, per node per cycle */
    ws_clist packet_flits;    /* of int64_t */
    ws_clist packet_weights;  /* of double; empty = equal */
    ws_clist hotspot_nodes;   /* of int64_t node ids */
    double hotspot_fraction;
    ws_measure_config measure;
} ws_traffic_config;

/* ------------------------------------------------------------ MoE runs
 * (schema in arch/run_schema.c; meaning in doc/run.md) */

typedef enum ws_cp_kind { WS_CP_ON_WAFER, WS_CP_HOST } ws_cp_kind;

typedef struct ws_cp_config {
    int kind;                       /* ws_cp_kind */
    double latency_s;               /* on-wafer Global CP time per MoE layer */
    double pcie_latency_s;          /* host: one-way PCIe latency */
    double pcie_bandwidth_bytes_per_s;
    double host_time_s;             /* host: allocator run time per MoE layer */
} ws_cp_config;

typedef struct ws_affine_config {
    int64_t block_tokens;           /* tokens handed out per block */
    int64_t candidate_distance;     /* hops around copy holders */
    int64_t split_tokens;           /* one more candidate per this many tokens */
    int64_t max_split;              /* candidates kept at most */
} ws_affine_config;

/* where a profile-needing placement policy takes its expert frequencies
 * (arch/place_profile.h) */
typedef enum ws_profile_source {
    WS_PROFILE_NONE, WS_PROFILE_TRACE, WS_PROFILE_SYNTHETIC, WS_PROFILE_HELD_OUT, WS_PROFILE_PREFILL,
    WS_PROFILE_ORACLE
} ws_profile_source;

typedef struct ws_place_profile_config {
    int source;                     /* ws_profile_source */
    char *trace;                    /* source trace: a binary trace */
    int64_t seed;                   /* source synthetic: generator seed */
    int64_t requests;               /* source synthetic: requests generated */
} ws_place_profile_config;

typedef struct ws_replication_config {
    double budget_bytes;            /* static copies per tile, home region */
} ws_replication_config;

/* token dispatch and combine (arch/dispatch.h; not in the study) */
typedef struct ws_dispatch_config {
    bool enabled;
    int request_placement;          /* index in arch/request_place_list.h */
    int64_t request_tile;           /* one_tile: the tile of every request */
    double activation_bytes;        /* bytes per hidden element of an activation */
    bool shared_experts;            /* compute the model's shared experts on the home tile */
} ws_dispatch_config;

typedef struct ws_strategy_config {
    int allocation;                 /* index in arch/alloc_list.h */
    int placement;                  /* index in arch/place_list.h */
    ws_cp_config cp;
    ws_affine_config affine;
    bool prefetch_next_layer;
    double prefetch_buffer_bytes;   /* per-tile buffer of prefetched next-layer weights (0 = unset) */
    ws_place_profile_config profile;
    ws_replication_config replication;
    ws_dispatch_config dispatch;
} ws_strategy_config;

typedef struct ws_workload_config {
    char *trace;                    /* binary trace; "" = synthetic */
    char *profile;                  /* synthetic: profile name or path ("" = the model's) */
    int64_t requests;               /* synthetic: requests generated (0 = batch) */
    int64_t batch;                  /* concurrent requests */
    int64_t decode_steps;           /* decode iterations simulated */
    int64_t prompt_tokens;          /* synthetic: prompt length (0 = the profile's) */
    bool shuffle;                   /* batch drawn in random order (seed) */
    bool prefill;                   /* also simulate the prefill iteration */
} ws_workload_config;

typedef struct ws_variant_config {
    char *name;
    ws_clist set;                   /* of char *: "key.path=value" overrides */
} ws_variant_config;

typedef struct ws_config {
    char *preset;             /* preset name as written, or NULL */
    char *description;
    ws_sim_config sim;
    ws_hw_config hw;
    ws_options_config options;
    ws_noc_config noc;
    ws_traffic_config traffic;
    char *model;                    /* name or path ("" = none) */
    ws_workload_config workload;
    ws_strategy_config strategy;
    ws_clist variants;              /* of ws_variant_config */
    char *baseline;                 /* variant name ("" = the first) */
} ws_config;

extern const ws_cschema ws_config_schema;

int ws_config_load(ws_config *cfg, const char *path, const char *const *overrides,
                   size_t n_overrides, ws_diag *d);
int ws_config_load_buffer(ws_config *cfg, const char *text, size_t len, const char *name,
                          const char *const *overrides, size_t n_overrides, ws_diag *d);
void ws_config_free(ws_config *cfg);

typedef struct ws_config_node_set {
    const char *key;                /* dotted key path */
    const ws_ynode *value;          /* copied */
} ws_config_node_set;
int ws_config_load_nodes(ws_config *cfg, const char *path, const ws_config_node_set *nodes, size_t n_nodes,
                         const char *const *overrides, size_t n_overrides, ws_diag *d);

void ws_config_write(const ws_config *cfg, FILE *out);
uint64_t ws_config_hash(const ws_config *cfg);
void ws_config_doc(FILE *out);

uint64_t ws_config_ticks(const ws_config *cfg, double seconds);
double ws_config_bytes_per_tick(const ws_config *cfg, double bytes_per_s);

/* Where presets are looked up (see above); never NULL. */
const char *ws_config_dir(void);

/* A config file named by a name or a path: text with a '/' or ending in
 * ".yaml" is a path (ws_config_is_path) and is returned as is; a name
 * becomes <ws_config_dir()>/<kind>/<name>.yaml. Malloc'ed. */
bool ws_config_is_path(const char *name_or_path);
char *ws_config_named_file(const char *kind, const char *name_or_path);

#endif
