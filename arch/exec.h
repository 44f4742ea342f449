/* arch/exec.h — MoE decode on the wafer: iterations and MoE layers of a
 * batch executed by the command processors, the D2D controllers and the
 * compute dies.
 *
 * Contract
 *   arch_exec_new() registers ONE engine component ("exec") that runs
 *   iterations first..last of the batch (0 = prefill, i >= 1 = decode step
 *   i), and for each of them every MoE layer of the model in order:
 *     plan     at the layer's start tick, the allocation policy turns the
 *              layer's expert counts into tasks (expert, tile, tokens); a
 *              plan that does not compute every token exactly once stops
 *              the run (arch_exec_failed);
 *     CP       the command processor's cost: strategy.cp.latency on the
 *              wafer, or for a host allocator 2 x pcie_latency + (expert
 *              count table + plan) / pcie_bandwidth + host_time;
 *     fetch    every task reads the expert's three matrices (gate, up,
 *              down; model.matrix_bytes each) at once, each from the task's
 *              own tile when it holds the expert (home or copy) and else
 *              from the nearest holder (ties: lower tile id), through the
 *              D2D controllers (arch/d2d.h);
 *     compute  each tile's compute die consumes arriving data in arrival
 *              order: in pipelined mode a chunk of fraction f of a matrix
 *              adds f x gemm(tokens) from max(arrival, die free); in serial
 *              mode a matrix adds gemm(tokens) once its last chunk arrived
 *              (arch/compute.h; gemm of the task's tokens on one matrix);
 *     barrier  the layer ends when every task's compute is done (the
 *              study's layer barrier); the next layer starts at that tick.
 *   Token dispatch and combine (strategy.dispatch.enabled; off, the
 *   study's model, none of this happens and results are unchanged):
 *     dispatch at the issue tick, for every task i and home tile h != i's
 *              tile, the activations of i's tokens whose request lives on
 *              h (arch/dispatch.h: home tiles, token -> task mapping) are
 *              sent h -> tile, hidden x activation_bytes per token,
 *              aggregated into ONE message per (h, tile) pair per layer
 *              (a modelling choice: one all-to-all burst per layer) with
 *              arch_d2d_send (issued before the weight reads);
 *     shared   with strategy.dispatch.shared_experts, each home tile's die
 *              first computes model.shared_experts x 3 x gemm(its tokens)
 *              from the issue tick (weights local: the roofline gemm
 *              includes reading them, HBM contention with the routed
 *              experts' reads is not modelled);
 *     gate     task i computes nothing before every message it needs has
 *              arrived: weight data that arrived earlier is held and its
 *              work starts at that arrival (its weights stream meanwhile);
 *     combine  when task i's compute ends (its die's finish after its last
 *              piece of work, rounded up), i's outputs, hidden x
 *              activation_bytes per token, go back to each home tile h !=
 *              i's tile as one message per (task, h);
 *     barrier  also waits for every combine message to arrive.
 *   Next-layer prefetch (strategy.prefetch_next_layer, capacity
 *   strategy.prefetch_buffer; not in the study; off, none of this happens
 *   and results are unchanged). An IDEALISATION:
 *     oracle   when layer l starts, the plan of the layer after it in run
 *              order (l + 1, or the next iteration's first MoE layer after
 *              the last) is made and taken as known; that layer runs on it
 *              unchanged. In real decode the gate of l + 1 depends on l's
 *              output, so this bounds from above what a prediction-driven
 *              prefetch could achieve;
 *     trigger  a tile starts the reads of its own layer-(l + 1) tasks once
 *              all of its layer-l matrix reads have arrived (at l's issue
 *              when it has none, or none left): prefetch never competes
 *              with the tile's own current reads, and the tile is then only
 *              computing or waiting at the barrier. It may still share
 *              links and holders' HBM with other tiles' current reads:
 *              that contention is simulated;
 *     buffer   whole matrices, in task then matrix order, while they fit in
 *              the tile's buffer (space taken when a read starts); the rest
 *              is read at l + 1's issue as usual. At l + 1's issue the
 *              buffer is free again: its data joins the die's input like
 *              any arrived chunk (whose staging before compute the model
 *              does not bound either), so space is freed a little early;
 *     where    prefetched data stays on the die (an LLC/SRAM buffer): no
 *              HBM write at the requester; the reads themselves are
 *              ordinary (holder's LLC and HBM, network, hops);
 *     hold     a chunk that arrives before its layer's issue is held and,
 *              at the issue, handled as arriving then (compute, serial
 *              mode and dispatch gating as above); a prefetched read's later
 *              chunks are ordinary arrivals. So layer l + 1's GEMMs never
 *              start before l's barrier and l + 1's CP time; CP, dispatch
 *              and combine are unchanged (activations leave at the issue:
 *              they need l's output); the same reads, bytes and hops
 *              happen as with the option off, only earlier. The
 *              roofline gemm still charges the weights' bytes at HBM
 *              bandwidth for data already on the die: prefetch hides
 *              transfer time, not the GEMM's memory time.
 *   Not modelled with hooks (the migration unit): the run fails at once.
 *   prefetch_bytes counts the matrices read early, prefetch_early_bytes
 *   the chunks held (every simulated iteration).
 *   Per measured layer, dispatch time = last activation arrival - issue
 *   tick and combine time = last combine arrival - first combine send
 *   (0 for a layer without such messages), and the combine tail = last
 *   combine arrival - last task end (the barrier's wait for combine
 *   beyond compute, 0 if none); bytes and byte-hops count every
 *   simulated iteration.
 *   Time of a layer = end - start (CP included). Iterations below
 *   `measure_from` (the prefill) are simulated but not counted in the
 *   decode figures. With a role table (sampled simulation, arch/sample.h)
 *   only the iterations it marks are simulated, and only those marked
 *   measured are counted.
 *
 *   Hooks (arch_exec_hooks, optional: NULL changes nothing; the migration
 *   unit of arch/options/migration.h plugs in here):
 *     plan       after a plan is accepted, copy[i] (all false on entry)
 *                says whether task i's data, when it is read remotely,
 *                is also written into its tile's reserved HBM region;
 *     read       at issue, each task with the tile its data comes from;
 *     copied     when the last chunk of all three matrices of a task
 *                marked for copy has arrived (each chunk was written to
 *                the tile's HBM with arch_d2d_write as it arrived);
 *     layer_end  after the layer's barrier, before the next plan;
 *     prefetch   right after layer_end: (tile, expert) items of this
 *                layer to fetch now, given the layer's time in ticks; each
 *                expert not already on its tile is read from its nearest
 *                holder (three matrices, not waited for by any barrier),
 *                every chunk written to the tile's HBM as it arrives, and
 *                `copied` is called (with this layer) once all of it has.
 *
 *   The component is busy until the last layer ends; every chunk and layer
 *   notes progress. Results (arch_exec_results) are read after the engine
 *   has run to quiescence. Deterministic; no randomness of its own.
 */
#ifndef ARCH_EXEC_H
#define ARCH_EXEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arch/alloc.h"
#include "arch/d2d.h"
#include "core/config.h"
#include "core/engine.h"
#include "mem/residency.h"
#include "noc/network.h"
#include "workload/batch.h"
#include "workload/model.h"

typedef struct arch_exec arch_exec;

enum { ARCH_ITER_SKIP, ARCH_ITER_WARM, ARCH_ITER_MEASURED };
enum { ARCH_UNIT_OFF, ARCH_UNIT_WARM, ARCH_UNIT_MEASURED };   /* a (step, layer) under layer sampling */

typedef struct arch_exec_hooks {
    void *ctx;
    void (*plan)(void *ctx, uint32_t iteration, uint32_t layer, const arch_plan *plan, bool *copy);
    void (*read)(void *ctx, uint32_t layer, const arch_task *task, uint32_t holder);
    void (*copied)(void *ctx, uint32_t layer, const arch_task *task);
    void (*layer_end)(void *ctx, uint32_t iteration, uint32_t layer);
    size_t (*prefetch)(void *ctx, uint32_t iteration, uint32_t layer, ws_tick layer_ticks, const arch_task **items);
} arch_exec_hooks;

typedef struct arch_exec_setup {
    const ws_config *cfg;
    const wl_model *model;
    const wl_batch *batch;
    mem_residency *residency;
    const arch_alloc_policy *alloc;
    uint32_t first_iteration, last_iteration;   /* inclusive */
    uint32_t measure_from;                      /* first decode iteration counted */
    /* Sampled simulation (NULL: every iteration first..last runs, measured
       from measure_from): role[i] for i in first..last says whether
       iteration i is skipped (ARCH_ITER_SKIP: not simulated at all; state
       such as LLC contents and copies carries over from the last simulated
       one), simulated unmeasured (ARCH_ITER_WARM) or simulated and measured
       (ARCH_ITER_MEASURED); some iteration must be simulated. */
    const uint8_t *role;
    /* Layer sampling (NULL: every MoE layer of a simulated iteration runs):
       layer_on[i x n_moe + l] says whether iteration i runs MoE layer l
       (ARCH_UNIT_OFF: no; _WARM: unmeasured; _MEASURED: measured if
       role[i] is too); each simulated iteration must run at least one. A
       layer not run is not planned, read or computed; the next one run
       starts at the tick the previous one ended. */
    const uint8_t *layer_on;
    const arch_exec_hooks *hooks;               /* NULL: none */
} arch_exec_setup;

typedef struct arch_exec_results {
    uint64_t layers_run, layers_measured;
    uint32_t iterations_run;         /* simulated iterations (prefill, warm-up and measured) */
    ws_tick measured_ticks;          /* sum of the measured layers' times */
    ws_tick total_ticks;             /* start of the first layer to end of the last */
    ws_tick cp_ticks;                /* command-processor time of measured layers */
    uint64_t tokens_measured;        /* tokens of the measured iterations */
    uint64_t tasks, task_tokens;     /* over measured layers */
    uint64_t task_tokens_all;        /* over every simulated iteration (energy) */
    uint64_t unit_tokens_all;        /* sum over the simulated layers of their iteration's tokens: / MoE
                                        layers = the tokens whose energy was simulated (layer sampling) */
    const double *layer_ticks;       /* [layers_measured] */
    const double *tile_busy_ticks;   /* [tiles], compute work of measured layers */
    double compute_ticks_total;
    double layer_imbalance_sum;      /* sum over measured layers of max/mean tile work */
    /* token dispatch and combine (strategy.dispatch.enabled; all zero when off) */
    uint64_t dispatch_bytes, combine_bytes;          /* every simulated iteration */
    uint64_t dispatch_messages, combine_messages;    /* before cutting into chunks */
    double dispatch_byte_hops, combine_byte_hops;
    ws_tick dispatch_ticks, combine_ticks;           /* measured layers (contract above) */
    ws_tick combine_tail_ticks;                      /* measured layers: last combine arrival - last task end */
    double shared_ticks;                             /* shared-expert compute of measured layers, all tiles */
    uint64_t shared_tokens_all;                      /* token x shared-expert computations, every iteration */
    /* next-layer prefetch (strategy.prefetch_next_layer; zero when off), every simulated iteration */
    uint64_t prefetch_bytes;         /* weight bytes whose read started before their layer */
    uint64_t prefetch_early_bytes;   /* of those, bytes that arrived before their layer's issue */
} arch_exec_results;

arch_exec *arch_exec_new(ws_engine *e, noc_network *net, const arch_exec_setup *s);
void arch_exec_free(arch_exec *x);

arch_d2d *arch_exec_d2d(const arch_exec *x);
bool arch_exec_finished(const arch_exec *x);
/* NULL, or why the run stopped (e.g. a plan that lost tokens). */
const char *arch_exec_failed(const arch_exec *x);
void arch_exec_results_get(const arch_exec *x, arch_exec_results *out);

#endif
