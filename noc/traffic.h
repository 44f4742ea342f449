/* noc/traffic.h — synthetic traffic sources: injection process, packet
 * sizes and destination pattern per node.
 *
 * Contract
 *   noc_traffic_new() builds one source per node of the config's grid for
 *   the offered load `rate` (per node per cycle, in traffic.rate_unit):
 *   packets per node per cycle p = rate, or rate / mean packet size when
 *   the unit is flits. Every node draws from its own stream
 *   "noc.traffic.<node>" (core/rng.h): destinations (noc/pattern.h), sizes
 *   (traffic.packet_flits with traffic.packet_weights, GSL discrete
 *   distribution) and inter-arrival gaps.
 *     bernoulli: a packet each cycle with probability p, drawn as geometric
 *                gaps (identical in law, and skippable);
 *     on_off:    a two-state Markov source: while on, a packet each cycle
 *                with probability p (alpha + beta) / alpha, then off with
 *                probability beta; while off, on with probability alpha
 *                (from the next cycle); starts in its stationary state.
 *   noc_traffic_next() is the earliest tick at which some node has a
 *   packet (or a state change) due; noc_traffic_pop() returns the packets
 *   due at `now` in increasing node order, and must be called until it
 *   returns false before time advances. Same seed => same packets.
 */
#ifndef NOC_TRAFFIC_H
#define NOC_TRAFFIC_H

#include <stdbool.h>
#include <stdint.h>

#include "core/config.h"
#include "core/engine.h"

typedef struct noc_traffic noc_traffic;

noc_traffic *noc_traffic_new(const ws_config *cfg, double rate, uint64_t seed);
void noc_traffic_free(noc_traffic *t);

ws_tick noc_traffic_next(const noc_traffic *t);
bool noc_traffic_pop(noc_traffic *t, ws_tick now, int *src, int *dst, int *flits);

double noc_traffic_packet_rate(const noc_traffic *t);   /* packets per node per cycle */
double noc_traffic_mean_flits(const noc_traffic *t);

#endif
