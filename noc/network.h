/* noc/network.h — the cycle-level network of the wafer: input-queued
 * virtual-channel routers on a 2D mesh, links, network interfaces.
 *
 * Contract
 *   noc_network_new() builds the network of a resolved config (hw.grid,
 *   hw.link, hw.routing, noc.*; doc/noc.md) and registers it with the
 *   engine as ONE component named "noc". The component keeps its own set
 *   of active routers and updates them in a fixed internal order each tick;
 *   routers interact only through links (a flit sent at tick t arrives at
 *   t + sw_alloc + st + ser + link latency >= t + 1, ser = ceil(its bytes /
 *   link bytes per tick), at least 1) and credits (>= 1 tick), so that order cannot change results.
 *   (Half-duplex channels are arbitrated with alternating priority; the
 *   fixed order makes that deterministic too.) A router is active at the
 *   ticks where its step can change something: when a flit, a credit or a
 *   packet arrives that can let something move, and when one of its own
 *   timers expires (a pipeline delay, an output link done serialising);
 *   stepping it at any other tick would be a no-op (doc/noc.md, "Event-
 *   driven time"). The component's next_due is the next tick with an
 *   active router, a link or credit arrival, a router's timer, a due
 *   traffic packet or a pending message (or the next tick, if packets
 *   remain that nothing can move: a deadlock); at any other tick a visit
 *   is a no-op, so results are identical with activity skipping on or off
 *   and under any engine visit order. It calls ws_engine_progress()
 *   whenever a flit moves; busy() is true while any packet exists, and
 *   describe_stall() lists the blocked VCs and what each waits for (a free
 *   VC or credits of a named downstream VC).
 *
 *   Router: ports E, W, S, N, LOCAL (noc/routing.h); per input port noc.vcs
 *   VCs of noc.vc_buffer_flits flits; credit-based flow control. A head flit
 *   that reaches the front of its VC at tick a has its route at a +
 *   routing_delay; it requests an output VC from then on (separable
 *   round-robin allocator; adaptive routing picks the allowed port with the
 *   most downstream credits on free VCs); a grant at tick v lets the VC bid
 *   for the switch from v + vc_alloc_delay; every flit then needs a switch
 *   grant (separable round-robin allocator, input_speedup crossbar inputs
 *   per input port, one flit per output per tick, the output link free, a
 *   downstream credit), and a flit granted at s leaves on the link at s +
 *   sw_alloc_delay + st_delay, holding it for its ser ticks. Buffers and
 *   credits count flits, whatever their payload. Wormhole frees an output VC when the tail is granted; virtual
 *   cut-through grants an output VC only with credits for the whole packet.
 *   Local ports carry one flit per tick with 1 tick of latency.
 *
 *   Network interface: one per tile. Packets wait in an unbounded FIFO
 *   source queue (counted in packet latency); the head of the queue gets a
 *   free VC of the router's local input port and its flits are sent one per
 *   tick as credits allow. Messages (noc_network_send) are cut into
 *   ceil(bytes / flit_size) flits, each of flit_size bytes but the last,
 *   which carries the rest (a partial flit, serialised for its own bytes),
 *   and packets of at most noc.packet_flits;
 *   a message given at tick t is queued at the NI at tick t + 1, and the
 *   owner's callback runs at the tick its last flit arrives.
 *
 *   Synthetic traffic (noc/traffic.h) can be attached; its packets are
 *   created at their tick and may be injected in that same tick.
 *
 *   Statistics: per packet creation, injection (head leaves the source
 *   queue) and ejection (tail arrives at the NI) ticks and hop count. When
 *   measuring (noc_network_set_measuring), packets created are marked;
 *   their latencies are kept (noc_network_measured). Window counters
 *   (noc_network_window_reset): flits created and ejected per node, per
 *   link flits, bytes carried, busy ticks and peak buffer occupancy of the downstream
 *   input port, and the time integral of packets in the system.
 *
 *   No global state; several networks can live in one process.
 */
#ifndef NOC_NETWORK_H
#define NOC_NETWORK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "core/config.h"
#include "core/engine.h"
#include "noc/routing.h"

typedef struct noc_network noc_network;
typedef struct noc_traffic noc_traffic;

/* routing: NULL = the registry entry named by cfg->hw.routing (tests may
 * pass their own). Returns NULL with a message in err when the network
 * cannot be built: a link or credit delay (switch allocation + traversal
 * + serialisation + link latency, or credit delay + link latency) of
 * 2^20 ticks or more. */
noc_network *noc_network_new(ws_engine *e, const ws_config *cfg, const noc_routing *routing, char *err,
                             size_t err_len);
void noc_network_free(noc_network *n);

/* Debug aid for tests: at every tick the component is visited, also steps
 * each router that has work but is not due and aborts unless that step
 * changes nothing, i.e. unless leaving it alone was exact. Run the engine
 * with activity skipping off so that every tick is checked. Results are
 * those of an unchecked run. */
void noc_network_check_wakes(noc_network *n, bool on);

/* Test aid: a plain network (noc_network.plain in noc/network_impl.h:
 * oblivious routing, wormhole, full duplex, one-cycle flits, no streaming,
 * input speedup 1, routing and VC-allocation delays of at most one cycle)
 * runs the general instance of the router step instead of the one
 * compiled for it. Results are identical either way. Call it before the
 * first tick (the two instances keep different router state). */
void noc_network_general_step(noc_network *n);

/* Test aid: sets whether the router step uses the cache hints of large
 * networks, which ask well ahead for the state of the routers it will
 * step next, instead of those of small ones, which ask one router ahead
 * (noc_network.cold, on by itself when the routers' state exceeds
 * WS_CACHE_BYTES); returns the previous setting. Results are identical
 * either way. */
bool noc_network_set_cold(noc_network *n, bool cold);

int noc_network_nodes(const noc_network *n);
size_t noc_network_component(const noc_network *n);

/* Attaches a synthetic traffic source (not owned); NULL detaches. */
void noc_network_set_traffic(noc_network *n, noc_traffic *t);

/* Queues one packet of `flits` flits from src to dst, created at tick
 * `now` (callers outside the network's evaluate: the packet is visible to
 * the NI from now + 1, with that creation tick). Used by tests. */
void noc_network_inject_packet(noc_network *n, ws_tick now, int src, int dst, int flits);

/* Messages: the NI cuts them into packets and calls back when the whole
 * message has arrived. */
typedef void (*noc_delivery_fn)(void *owner, ws_tick at, int src, int dst, uint64_t bytes, void *cookie);
void noc_network_on_delivery(noc_network *n, noc_delivery_fn fn, void *owner);
void noc_network_send(noc_network *n, ws_tick now, int src, int dst, uint64_t bytes, void *cookie);

/* ------------------------------------------------------------ statistics */

typedef struct noc_counts {
    uint64_t packets_created, packets_ejected;
    uint64_t flits_created, flits_injected, flits_ejected;
    uint64_t packets_alive;      /* created and not fully ejected */
    uint64_t flits_in_network;   /* injected and not ejected */
    uint64_t packets_queued;     /* not yet fully injected */
} noc_counts;
void noc_network_counts(const noc_network *n, noc_counts *out);

/* Packets created while measuring are marked measured. */
void noc_network_set_measuring(noc_network *n, bool on);
uint64_t noc_network_measured_outstanding(const noc_network *n);

typedef struct noc_measured {
    size_t n;                    /* measured packets ejected */
    const double *packet_latency;   /* creation -> tail ejection, ticks */
    const double *network_latency;  /* head injection -> tail ejection */
    const double *hops;
    double flit_latency_sum;     /* injection -> ejection of each flit */
    uint64_t flits;
} noc_measured;
void noc_network_measured(const noc_network *n, noc_measured *out);

/* Resets the window counters at tick `now` (the window starts there). */
void noc_network_window_reset(noc_network *n, ws_tick now);

typedef struct noc_window {
    ws_tick start, length;
    const uint64_t *created_flits;   /* per node */
    const uint64_t *ejected_flits;   /* per node */
    uint64_t ejected_packets;
    double ejected_latency_sum;      /* packet latency of packets ejected in the window */
    double packets_in_system_area;   /* integral over the window, packet-ticks */
} noc_window;
/* Fills the window ending at tick `now` (exclusive). */
void noc_network_window(noc_network *n, ws_tick now, noc_window *out);

typedef struct noc_link_stats {
    int from_x, from_y, to_x, to_y;
    const char *direction;           /* "E", "W", "S", "N" */
    uint64_t flits;
    double bytes;
    uint64_t busy_ticks;
    uint32_t peak_buffer_flits;      /* downstream input port, all VCs */
    double bytes_per_tick;
    ws_tick latency_ticks, serialization_ticks;
} noc_link_stats;
size_t noc_network_link_count(const noc_network *n);
void noc_network_link_stats(const noc_network *n, size_t i, noc_link_stats *out);

/* Zero-load latency (ticks) of a packet of `flits` flits over `hops` hops
 * with uniform links, from the formula of doc/noc.md. */
ws_tick noc_network_zero_load_latency(const noc_network *n, int hops, int flits);
/* The same for a message of `bytes` bytes that fits one packet (at most
 * noc.packet_flits flits): its last flit may be partial. */
ws_tick noc_network_zero_load_latency_bytes(const noc_network *n, int hops, uint64_t bytes);

#endif
