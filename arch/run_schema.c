/* arch/run_schema.c — schemas of the MoE-run sections; contract in
 * arch/run_schema.h. */
#include "arch/run_schema.h"

#include <stddef.h>

#include "arch/alloc_list.h"
#include "arch/place_list.h"
#include "arch/request_place_list.h"
#include "core/config.h"

#define FIELD(T, m) offsetof(T, m)
#define NAME_OF(name, summary) #name,

const char *const arch_alloc_names[] = { ARCH_ALLOC_LIST(NAME_OF) NULL };
const char *const arch_place_names[] = { ARCH_PLACE_LIST(NAME_OF) NULL };
const char *const arch_request_place_names[] = { ARCH_REQUEST_PLACE_LIST(NAME_OF) NULL };

static const ws_cfield workload_fields[] = {
    { .key = "trace", .type = WS_CT_STRING, .offset = FIELD(ws_workload_config, trace), .def = "\"\"",
      .doc = "binary trace (wafersim trace import/gen); \"\" = generate a synthetic one" },
    { .key = "profile", .type = WS_CT_STRING, .offset = FIELD(ws_workload_config, profile), .def = "\"\"",
      .doc = "synthetic: generator profile name or path (\"\" = the model's shipped profile, else the defaults)" },
    { .key = "requests", .type = WS_CT_INT, .offset = FIELD(ws_workload_config, requests), .def = "0",
      .min = 0, .max = 1e15,
      .doc = "synthetic: requests generated (0 = the batch size; at most sim.limits.requests)" },
    { .key = "batch", .type = WS_CT_INT, .offset = FIELD(ws_workload_config, batch), .def = "4096", .min = 1,
      .max = 1e6, .doc = "concurrent requests (each decodes one token per iteration)" },
    { .key = "decode_steps", .type = WS_CT_INT, .offset = FIELD(ws_workload_config, decode_steps), .def = "127",
      .min = 1, .max = 127, .doc = "decode iterations simulated (the study: 127)" },
    { .key = "prompt_tokens", .type = WS_CT_INT, .offset = FIELD(ws_workload_config, prompt_tokens), .def = "0",
      .min = 0, .max = 1e6, .doc = "synthetic: prompt length of every request (0 = the profile's)" },
    { .key = "shuffle", .type = WS_CT_BOOL, .offset = FIELD(ws_workload_config, shuffle), .def = "false",
      .doc = "draw the batch from the trace in random order (sim.seed) instead of file order" },
    { .key = "prefill", .type = WS_CT_BOOL, .offset = FIELD(ws_workload_config, prefill), .def = "false",
      .doc = "also simulate the prefill iteration (decode metrics exclude it)" },
};
const ws_cschema arch_workload_schema = { "workload", sizeof(ws_workload_config), workload_fields,
                                          sizeof workload_fields / sizeof workload_fields[0], NULL };

static const char *const cp_kind_names[] = { "on_wafer", "host", NULL };

static const ws_cfield cp_fields[] = {
    { .key = "kind", .type = WS_CT_ENUM, .offset = FIELD(ws_cp_config, kind), .names = cp_kind_names,
      .def = "on_wafer", .doc = "where the allocator runs: the Global CP on the wafer, or the host CPU" },
    { .key = "latency", .type = WS_CT_QTY, .unit = WS_UNIT_TIME, .offset = FIELD(ws_cp_config, latency_s),
      .def = "1 us", .min = 0, .max = 1, .doc = "on_wafer: Global CP time per MoE layer (plan + sub-kernels)" },
    { .key = "pcie_latency", .type = WS_CT_QTY, .unit = WS_UNIT_TIME,
      .offset = FIELD(ws_cp_config, pcie_latency_s), .def = "2 us", .min = 0, .max = 1,
      .doc = "host: one-way PCIe latency" },
    { .key = "pcie_bandwidth", .type = WS_CT_QTY, .unit = WS_UNIT_BANDWIDTH,
      .offset = FIELD(ws_cp_config, pcie_bandwidth_bytes_per_s), .def = "64 GB/s", .min = 1, .max = 1e15,
      .doc = "host: PCIe bandwidth for the expert-count table out and the plan back" },
    { .key = "host_time", .type = WS_CT_QTY, .unit = WS_UNIT_TIME, .offset = FIELD(ws_cp_config, host_time_s),
      .def = "10 us", .min = 0, .max = 1, .doc = "host: allocator run time per MoE layer" },
};
static const ws_cschema cp_schema = { "cp", sizeof(ws_cp_config), cp_fields,
                                      sizeof cp_fields / sizeof cp_fields[0], NULL };

static const ws_cfield affine_fields[] = {
    { .key = "block", .type = WS_CT_INT, .offset = FIELD(ws_affine_config, block_tokens), .def = "50", .min = 1,
      .max = 1e9, .doc = "tokens handed out per block (the study: 50)" },
    { .key = "candidate_distance", .type = WS_CT_INT, .offset = FIELD(ws_affine_config, candidate_distance),
      .def = "1", .min = 0, .max = 64, .doc = "candidate tiles: copy holders and tiles this many hops from them" },
    { .key = "split_tokens", .type = WS_CT_INT, .offset = FIELD(ws_affine_config, split_tokens), .def = "256",
      .min = 1, .max = 1e9, .doc = "split limit: one more candidate kept per this many tokens of the expert" },
    { .key = "max_split", .type = WS_CT_INT, .offset = FIELD(ws_affine_config, max_split), .def = "5",
      .min = 1, .max = 65536, .doc = "split limit: candidates kept at most" },
};
static const ws_cschema affine_schema = { "affine", sizeof(ws_affine_config), affine_fields,
                                          sizeof affine_fields / sizeof affine_fields[0], NULL };

static const char *const profile_source_names[] = { "none", "trace", "synthetic", "held_out", "prefill", "oracle",
                                                    NULL };

static const ws_cfield profile_fields[] = {
    { .key = "source", .type = WS_CT_ENUM, .offset = FIELD(ws_place_profile_config, source),
      .names = profile_source_names, .def = "none",
      .doc = "expert frequencies for profile-aware placements: none, trace (profile.trace), synthetic "
             "(generated with profile.seed), held_out (workload trace requests not in the batch), prefill "
             "(the batch's prompts), oracle (the evaluated decode tokens: leakage, on purpose)" },
    { .key = "trace", .type = WS_CT_STRING, .offset = FIELD(ws_place_profile_config, trace), .def = "\"\"",
      .doc = "source trace: a binary trace of the same model, not the evaluated one" },
    { .key = "seed", .type = WS_CT_INT, .offset = FIELD(ws_place_profile_config, seed), .def = "1000003",
      .min = 0, .max = 9007199254740991.0, .doc = "source synthetic: generator seed (must differ from sim.seed)" },
    { .key = "requests", .type = WS_CT_INT, .offset = FIELD(ws_place_profile_config, requests), .def = "256",
      .min = 1, .max = 1e7, .doc = "source synthetic: requests generated for the profile" },
};
static const ws_cschema profile_schema = { "profile", sizeof(ws_place_profile_config), profile_fields,
                                           sizeof profile_fields / sizeof profile_fields[0], NULL };

static const ws_cfield replication_fields[] = {
    { .key = "budget", .type = WS_CT_QTY, .unit = WS_UNIT_SIZE, .offset = FIELD(ws_replication_config, budget_bytes),
      .def = "0 B", .min = 0, .max = 1e18,
      .doc = "hot_replication: bytes of static copies per tile, in the home region's spare capacity" },
};
static const ws_cschema replication_schema = { "replication", sizeof(ws_replication_config), replication_fields,
                                               sizeof replication_fields / sizeof replication_fields[0], NULL };

static const ws_cfield dispatch_fields[] = {
    { .key = "enabled", .type = WS_CT_BOOL, .offset = FIELD(ws_dispatch_config, enabled), .def = "false",
      .doc = "move each token's activation to the tiles computing its experts and the outputs back (not in the "
             "study; doc/run.md)" },
    { .key = "request_placement", .type = WS_CT_ENUM, .offset = FIELD(ws_dispatch_config, request_placement),
      .names = arch_request_place_names, .def = "round_robin",
      .doc = "home tile of each request, where its attention runs (arch/request_place_list.h)" },
    { .key = "request_tile", .type = WS_CT_INT, .offset = FIELD(ws_dispatch_config, request_tile), .def = "0",
      .min = 0, .max = 65535, .doc = "one_tile: the home tile of every request (y x grid.x + x; must be on the grid)" },
    { .key = "activation_bytes", .type = WS_CT_QTY, .unit = WS_UNIT_SIZE,
      .offset = FIELD(ws_dispatch_config, activation_bytes), .def = "2 B", .min = 0.125, .max = 64,
      .doc = "bytes per hidden element of a token's activation (2 B = BF16); a token moves hidden x this" },
    { .key = "shared_experts", .type = WS_CT_BOOL, .offset = FIELD(ws_dispatch_config, shared_experts),
      .def = "true", .doc = "compute the model's shared experts on each token's home tile (weights local)" },
};
static const ws_cschema dispatch_schema = { "dispatch", sizeof(ws_dispatch_config), dispatch_fields,
                                            sizeof dispatch_fields / sizeof dispatch_fields[0], NULL };

static const ws_cfield strategy_fields[] = {
    { .key = "allocation", .type = WS_CT_ENUM, .offset = FIELD(ws_strategy_config, allocation),
      .names = arch_alloc_names, .def = "even", .doc = "allocation policy (arch/alloc_list.h)" },
    { .key = "placement", .type = WS_CT_ENUM, .offset = FIELD(ws_strategy_config, placement),
      .names = arch_place_names, .def = "contiguous", .doc = "static placement policy (arch/place_list.h)" },
    { .key = "cp", .type = WS_CT_SECTION, .offset = FIELD(ws_strategy_config, cp), .sub = &cp_schema,
      .doc = "command processor cost" },
    { .key = "affine", .type = WS_CT_SECTION, .offset = FIELD(ws_strategy_config, affine), .sub = &affine_schema,
      .doc = "parameters of the affine allocation policy" },
    { .key = "prefetch_next_layer", .type = WS_CT_BOOL, .offset = FIELD(ws_strategy_config, prefetch_next_layer),
      .def = "false", .doc = "let a tile fetch the next layer's weights before the barrier (not in the study; an "
                             "oracle knows the next plan; doc/run.md)" },
    { .key = "prefetch_buffer", .type = WS_CT_QTY, .unit = WS_UNIT_SIZE,
      .offset = FIELD(ws_strategy_config, prefetch_buffer_bytes), .def = "0 B", .min = 0, .max = 1e15,
      .doc = "prefetch_next_layer: each tile's on-die buffer for next-layer weights; required (> 0) when it is on" },
    { .key = "profile", .type = WS_CT_SECTION, .offset = FIELD(ws_strategy_config, profile),
      .sub = &profile_schema, .doc = "the profile of profile-aware placements (doc/run.md)" },
    { .key = "replication", .type = WS_CT_SECTION, .offset = FIELD(ws_strategy_config, replication),
      .sub = &replication_schema, .doc = "parameters of the hot_replication placement" },
    { .key = "dispatch", .type = WS_CT_SECTION, .offset = FIELD(ws_strategy_config, dispatch),
      .sub = &dispatch_schema, .doc = "token dispatch and combine (off: the study's model)" },
};
/* Next-layer prefetch has no silent buffer size: the capacity decides the answer. */
static void strategy_check(void *obj, const ws_ccheck *c)
{
    const ws_strategy_config *st = obj;
    if (st->prefetch_next_layer && st->prefetch_buffer_bytes <= 0)
        ws_ccheck_error(c, "prefetch_buffer", "prefetch_next_layer: true needs prefetch_buffer, each tile's buffer "
                        "for next-layer weights in bytes (e.g. 64 MiB), found none (0 B)");
}
const ws_cschema arch_strategy_schema = { "strategy", sizeof(ws_strategy_config), strategy_fields,
                                          sizeof strategy_fields / sizeof strategy_fields[0], strategy_check };

static const ws_cfield variant_fields[] = {
    { .key = "name", .type = WS_CT_STRING, .offset = FIELD(ws_variant_config, name),
      .doc = "the variant's name in the results" },
    { .key = "set", .type = WS_CT_LIST, .elem = WS_CT_STRING, .offset = FIELD(ws_variant_config, set),
      .def = "[]", .min = 0, .max = 256, .doc = "KEY.PATH=VALUE overrides applied to the experiment" },
};
const ws_cschema arch_variant_schema = { "variant", sizeof(ws_variant_config), variant_fields,
                                         sizeof variant_fields / sizeof variant_fields[0], NULL };
