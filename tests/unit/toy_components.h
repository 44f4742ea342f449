/* tests/unit/toy_components.h — a small but non-trivial system of
 * interacting components used to pin the engine's guarantees.
 *
 * Contract
 *   toy_system_build() registers, on a fresh engine:
 *     - n_sources traffic sources, each with its own random stream
 *       ("toy.source.<i>"), sending n_packets packets of 1..8 flits to random
 *       sinks at random gaps, through channels of latency 1..3 to a switch;
 *     - one switch with one FIFO per input and one output per sink; each
 *       output serves one packet at a time for `size` ticks, choosing among
 *       the inputs whose head packet wants it with a round-robin pointer
 *       (so head-of-line blocking and arbitration conflicts happen);
 *     - n_sinks sinks that fold (packet id, arrival tick) into a checksum;
 *     - a ring of n_cells cells that update from their neighbours' committed
 *       values at random ticks (evaluate reads, commit publishes): this is
 *       the part that would break if evaluate-then-commit were not honoured.
 *   `order` selects the registration order (forward or sinks/cells first),
 *   which changes component ids and thus tie orders inside the engine.
 *   toy_system_result() summarises everything observable; two runs that
 *   behave identically give equal results (toy_result_equal()).
 */
#ifndef TOY_COMPONENTS_H
#define TOY_COMPONENTS_H

#include <stdbool.h>
#include <stdint.h>

#include "core/engine.h"

#define TOY_MAX_SINKS 8
#define TOY_MAX_CELLS 16

typedef struct toy_params {
    unsigned n_sources, n_sinks, n_cells;
    unsigned n_packets;        /* per source */
    unsigned cell_steps;       /* updates per cell */
    uint64_t seed;
    bool reverse_registration;
} toy_params;

typedef struct toy_result {
    uint64_t sink_checksum[TOY_MAX_SINKS];
    uint64_t sink_count[TOY_MAX_SINKS];
    uint64_t sink_latency_sum[TOY_MAX_SINKS];
    uint64_t cell_value[TOY_MAX_CELLS];
    ws_tick end_tick;
    uint64_t switch_conflicts;   /* ticks an output had >1 contender */
} toy_result;

typedef struct toy_system toy_system;

toy_system *toy_system_build(ws_engine *e, const toy_params *p);
void toy_system_result(const toy_system *s, const ws_engine *e, toy_result *out);
void toy_system_free(toy_system *s);
bool toy_result_equal(const toy_result *a, const toy_result *b);

#endif
