/* noc/network_impl.h — the network's private data, shared by
 * noc/network.c (building, engine glue, statistics) and noc/router.c (the
 * router pipeline and the network interfaces). Not a public interface.
 *
 * Contract
 *   Layout: router r's input VC (port p, vc v) is ivc[r * PV + p * V + v],
 *   its buffer buf[(r * PV + p * V + v) * D ...] a ring of D flits; the
 *   credits the router holds for downstream VC v of output port p are
 *   credits[r * PV + p * V + v] (p = LOCAL: the credits the NI holds for
 *   the router's LOCAL input VCs). Links are directed; mesh links come
 *   first (n_mesh_links), then per node an injection link (NI -> router
 *   LOCAL, from_r = -1) and an ejection link (router LOCAL -> NI, to_r =
 *   -1). Flits and credits on links live in the timing wheel (below).
 *
 *   Event-driven time: bit r of active[] is set while router r (with its
 *   NI) must be stepped at the current tick; the component steps exactly
 *   those routers, in increasing order, after handling the tick's arrival
 *   events. A step returns the router's wake tick: the earliest tick at
 *   which a step could change anything if nothing arrived meanwhile
 *   (router_step in noc/router.c). A router whose wake is the next tick
 *   keeps its bit; any other loses it, and a later wake is filed as a wake
 *   event in the timing wheel (wake_at[r] = its tick; an event whose tick
 *   is no longer wake_at[r] is stale and ignored). Arrivals that can let
 *   something move (a flit into an empty VC, a credit for a VC that had
 *   none, any credit under VCT), due wake events and new packets at the NI
 *   set the bit (and, for the NI's packets and credits, noc_ni.can_send:
 *   a step calls the NI only while it is set). So a router is stepped at
 *   every tick where its step could change something, and results equal
 *   those of stepping every router with work at every tick. Bit s of
 *   wocc[] is set while wheel slot s may hold something (set by the
 *   slot's first item, or by the plain step's close for the items it
 *   filed through its cursors (noc_cursor); cleared when the slot is
 *   handled), which gives the next due tick without a scan.
 */
#ifndef NOC_NETWORK_IMPL_H
#define NOC_NETWORK_IMPL_H

#include "noc/network.h"

#define NOC_NONE UINT32_MAX

/* A flit carries what routers need of its packet, so that the packet
 * table is touched only by the network interfaces, except for a partial
 * flit (the last flit of a message whose size is not a multiple of the
 * flit size): a router reads its payload, tail_bytes, from its packet to
 * serialise it; and under virtual cut-through, where route_into() reads
 * the size of a head's packet. 16 bytes (4 per buffer slot fewer cache
 * lines than 24): the packet's size and whether it is measured are read
 * from the packet table (the NI, at ejection), and the tick the flit
 * entered the network is kept modulo 2^32 (ni_eject() restores it from
 * the ejection tick; exact while a packet spends less than 2^32 ticks
 * between its injection and its last ejection, which it checks). Packet
 * ids are below NOC_MAX_PACKETS (noc_packet_new() checks). */
#define NOC_MAX_PACKETS (1u << 30)
typedef struct noc_flit {
    uint32_t pkt : 30;
    uint32_t tail : 1;     /* the packet's last flit */
    uint32_t partial : 1;  /* carries pkts[pkt].tail_bytes < flit_size bytes */
    uint32_t inj;          /* tick it entered the network, modulo 2^32 */
    uint16_t seq;          /* 0 = head */
    uint16_t src, dst;     /* node ids */
    uint16_t hops;         /* mesh links crossed so far */
} noc_flit;
_Static_assert(sizeof(noc_flit) == 16, "noc_flit is 16 bytes");

/* Flit streaming (noc.flit_streaming): a flit is visible downstream when
 * its head arrives, as if its serialisation were 1 tick, and it carries
 * the tick its tail has fully arrived, kept beside its buffer slot
 * (noc_network.tail_at, same index as buf; NULL without streaming, where
 * head and tail arrive together). A router forwarding it at t on a link
 * of serialisation s holds that link until max(t + s, tail + 1) (it cannot
 * send bytes it has not received), and its tail reaches the next hop sa +
 * st + lat after that; the NI ejects it at its tail tick. */

/* Arrival events. Every link has a constant delay, so a sender files
 * what it puts on a link as an event for its arrival tick in a timing
 * wheel of wmask + 1 slots (more than the longest delay). A flit travels
 * in its event (noc_flit_ev), and its arrival writes it into the
 * receiving VC's buffer (there is room: it was sent with a credit) and
 * makes it visible; so a send touches only the wheel, and the receiving
 * router's state is touched once, at the arrival. A credit event adds the
 * credit. Flits to the NI (ejection) travel in events of their own. Events
 * of one tick touch disjoint state, except ejections, which keep their
 * send order (= router order); flit arrivals and credits commute (see
 * noc_arrivals in noc/router.c). */
#define NOC_MAX_DELAY ((ws_tick)1 << 20)   /* longest link or credit delay + 1, ticks */
/* A flit event names the receiving input VC (router, port, vc): with V =
 * 4 VCs per port as its index (NOC_VC_AT, below; the arrivals find the
 * router by a division by the constant 20), otherwise in fields (NOC_EV);
 * NOC_FLIT_EV chooses. A credit event is the index of the credit counter
 * it adds to (noc_network.credits), so that most credits need no
 * decoding. */
#define NOC_FLIT_EV(r, p, v, V) ((V) == 4 ? (uint32_t)NOC_VC_AT(r, p, v, 4) : NOC_EV(r, p, v))
#define NOC_EV(r, p, v) (((uint32_t)(r) << 8) | ((uint32_t)(p) << 5) | (uint32_t)(v))
#define NOC_EV_R(e) ((e) >> 8)
#define NOC_EV_P(e) (((e) >> 5) & 7u)
#define NOC_EV_V(e) ((e) & 31u)

/* A flit on a link (see above); with flit streaming, its tail arrives
 * tail_off ticks after the event's tick (noc_network.tail_at). */
typedef struct noc_flit_ev {
    noc_flit f;
    uint32_t ev;                  /* NOC_FLIT_EV(receiving router, its input port, vc, V) */
    uint32_t tail_off;
} noc_flit_ev;

typedef struct noc_slot {
    uint32_t *ev;                 /* credits: the index of their counter */
    uint32_t n, cap;
    noc_flit_ev *fl;              /* flits to routers */
    uint32_t n_fl, cap_fl;
    uint32_t n_ej, cap_ej;
    noc_flit *ej;
    uint32_t *wk;                 /* routers to wake (see wake_at) */
    uint32_t n_wk, cap_wk;
} noc_slot;

/* The plain instance (noc_network.plain) files a tick's sends through
 * cursors, one per delay d < NOC_PLAIN_DELAY its links and credits use
 * (noc_network.plain_delays): the next free item of each list of slot
 * now + d, which has room for all a tick can send (noc_plain_open in
 * noc/router.c reserves it; noc_plain_close counts what was filed). */
#define NOC_PLAIN_DELAY 8
typedef struct noc_cursor {
    uint32_t *ev;
    noc_flit_ev *fl;
    noc_flit *ej;
} noc_cursor;

typedef struct noc_link {
    int from_r, from_p, to_r, to_p;
    double bytes_per_tick;
    ws_tick ser, lat;
    uint32_t chan;                /* shared by both directions in half duplex */
    double w_short;               /* window: bytes partial flits lacked of flit_size (bytes = flits * flit_size - w_short) */
    ws_tick want;                 /* last tick its sender was refused the channel (read in half duplex) */
} noc_link;

typedef struct noc_chan {
    ws_tick busy_until;
    int last_user;                /* link id, -1 = none */
    int links[2];                 /* the links sharing it (links[1] = -1 in full duplex) */
} noc_chan;

enum { NOC_IVC_IDLE, NOC_IVC_VA, NOC_IVC_ACTIVE };

/* An input VC. The route of a head flit is a pure function of the router,
 * the input port and the packet: it is computed (cand, ncand, and under
 * VCT the packet size hsize) when the head becomes the VC's first flit,
 * i.e. when it arrives into an idle VC (from its event, without reading
 * the buffer) or when the tail before it leaves, so that VC allocation
 * need not read the buffer. ncand != 0 means the head's route is known;
 * the VC grant clears it. */
typedef struct noc_ivc {
    uint16_t head, count;         /* arrived flits */
    uint8_t state, out_port, out_vc, ncand;
    uint8_t cand[4];
    uint16_t hsize;               /* size of the head's packet, valid while ncand != 0 (VCT only; 0 in wormhole) */
    ws_tick ready;
} noc_ivc;

/* A router, aligned to 64-byte cache lines (noc_network.routers) and 512
 * bytes long. Fields by temperature: the first three cache lines are read
 * by every step (state masks, arbiters, output VCs, when each output's
 * link is free); a traversal reads its output's timing (line 4), its
 * input's credit return (line 5, with the peaks that arrivals update) and
 * its output's window counters (line 6 but for LOCAL); the rest is read
 * rarely. */
typedef struct noc_router {
    uint32_t nbuf;
    uint8_t va_idle;              /* VC allocation would grant nothing until a VC enters va_wait, an output VC
                                     is freed or (VCT) a credit arrives */
    uint8_t rr_sa_in[NOC_PORTS];
    uint8_t sa_out_after[NOC_PORTS];   /* switch allocation's output arbiters: the mask of the input ports after
                                          the last grant (none after port 4, or before any grant: the search
                                          starts at port 0) */
    uint16_t occ[NOC_PORTS];
    uint16_t rr_va[NOC_PORTS];
    /* Masks of input VCs, packed: VC (p, v) is bit b = p * S + v of the two
     * words (b >> 6, b & 63), S = 4, 8 or 16 (the least power of two >= V,
     * at least 4: VC_LG in noc/router.c); with S = 4 or 8 the second word is
     * 0. va_wait: waiting for VC allocation (state NOC_IVC_VA); m_act:
     * holding an output VC (state NOC_IVC_ACTIVE); m_blk, of m_act: whose
     * downstream VC has no credit (a mesh output). */
    uint64_t va_wait[2];
    uint64_t m_act[2];
    uint64_t m_blk[2];
    uint32_t ovc_busy[NOC_PORTS];
    /* of va_wait (when va_young_at is the tick of a VC allocation): VCs
     * whose routing delay certainly runs at that tick, skipped unread */
    _Alignas(64) uint64_t va_young[2];   /* the third line: what a head entering va_wait writes */
    ws_tick va_young_at;
    union {
        /* full duplex: the output link is free from this tick (half
         * duplex: chans[]); not kept in the plain instance, whose links
         * are free at every tick (noc_network.plain), and which keeps in
         * its place, packed as va_wait: */
        ws_tick out_free[NOC_PORTS];
        struct {
            uint32_t va_req[NOC_PORTS];   /* the VCs of va_wait whose head's route is output o */
            uint32_t m_ne;                /* the input VCs holding a flit (count > 0) */
        };
    };
    _Alignas(64) uint32_t out_ev[NOC_PORTS];   /* NOC_FLIT_EV(downstream router, its input port, 0, V); LOCAL: unused */
    uint32_t out_delay[NOC_PORTS];/* switch grant -> arrival: sa + st + ser + lat (< NOC_MAX_DELAY) */
    uint32_t out_ser[NOC_PORTS];  /* serialisation of the output link (of a full flit) */
    _Alignas(64) uint32_t cr_ev[NOC_PORTS];    /* the index of the credits for VC 0 of the upstream router's output
                                                  port (LOCAL: of the own NI); VC v: + v */
    uint32_t cr_delay[NOC_PORTS]; /* buffer exit -> credit at the upstream side */
    uint32_t w_peak[NOC_PORTS];   /* window peak occupancy of the input ports */
    _Alignas(64) struct {
        uint64_t flits, busy;     /* window counters of the output links (busy: not kept by the plain step) */
    } w_out[NOC_PORTS];
    uint32_t out_chan[NOC_PORTS]; /* channel of the output link */
    int x, y;
    int in_link[NOC_PORTS], out_link[NOC_PORTS];
    /* kept only with noc_network.by_output: the eligible VCs (in m_act but
     * not m_blk, with a buffered flit) per output and input port, per
     * output the input ports that have one, and the outputs that have one */
    uint8_t n_elig[NOC_PORTS][NOC_PORTS];
    uint8_t elig_ports[NOC_PORTS];
    uint8_t elig_outs;            /* outputs whose elig_ports is not 0 */
} noc_router;
_Static_assert(sizeof(noc_router) == 512, "noc_router is 8 cache lines");

/* The lines of a router a step reads: the first three always, the next
 * three when a flit crosses its switch (see above). */
#define NOC_ROUTER_STEP_LINES 6

typedef struct noc_ni {
    uint32_t q_head, q_tail;      /* source queue (packet ids) */
    uint32_t cur;                 /* packet being injected */
    uint16_t cur_seq, cur_vc;
    uint32_t vc_busy;
    uint16_t rr;
    bool can_send;                /* it may send at the current tick: set by a new packet and by a credit that can
                                     let it send (see noc_arrivals), cleared by a step after which it cannot */
} noc_ni;

typedef struct noc_packet {
    int32_t src, dst;
    uint16_t size, hops;
    bool measured;
    uint32_t msg;                 /* message id or NOC_NONE */
    double tail_bytes;            /* payload of its last flit (flit_size unless the message ends in a partial flit) */
    uint32_t qnext;               /* source queue / free list */
    ws_tick created, injected;
} noc_packet;

typedef struct noc_message {
    int src, dst;
    uint64_t bytes;
    void *cookie;
    uint64_t packets_left;
    uint32_t next_free;
} noc_message;

typedef struct noc_inbox_item {
    ws_tick at;
    int src, dst;
    uint64_t amount;              /* bytes, or flits when raw_flits */
    void *cookie;
    bool raw_flits;
} noc_inbox_item;

typedef struct noc_dvec {
    double *items;
    size_t n, cap;
} noc_dvec;

struct noc_network {
    ws_engine *engine;
    size_t id;
    int kx, ky, nodes;
    const noc_routing *routing;
    int V, D, PV;
    ws_tick credit_delay, rc_delay, va_delay, sa_delay, st_delay;
    double flit_bytes;
    int packet_flits;
    bool vct, half_duplex;
    ws_tick *tail_at;             /* flit streaming: per buffer slot, the tick its flit's tail arrives (see above) */
    int speedup;

    noc_router *routers;          /* 64-byte aligned, inside routers_mem */
    void *routers_mem;
    noc_ivc *ivc;
    noc_flit *buf;
    uint16_t *credits;            /* [r * PV + p * V + v]; p = LOCAL: the NI's credits for the router's LOCAL input */
    uint8_t *ovc_owner;           /* [r * PV + o * V + w]: the input VC holding output VC w of port o, as its bit
                                     in noc_router's packed masks (p * S + v < 80), valid while ovc_busy has it */
    noc_ni *ni;
    noc_link *links;
    size_t n_links, cap_links, n_mesh_links;
    noc_chan *chans;
    uint64_t *active;             /* bit r: step router r at this tick (see the contract above) */
    size_t active_words;
    bool hot;                     /* some bit of active[] stays set for the next tick */
    bool check_wakes;             /* noc_network_check_wakes */
    bool by_output;               /* routers keep their eligible VCs per output (noc_router.n_elig): full duplex
                                     with flits that hold a mesh link for more than a tick (no result depends on it) */
    bool plain;                   /* oblivious routing (dest_only: one output per head), wormhole, full duplex,
                                     one-tick flits on every link, ejection included (so an output link is free
                                     at every tick; and not by_output), no streaming, input speedup 1, a routing
                                     delay of at most 1 tick (so a head in va_wait is ready unless it is young:
                                     VC allocation does not read its timer) and a VC-allocation delay of at most
                                     1 tick (so a VC holding an output VC may bid unless it got it now: switch
                                     allocation does not read its timer): with 4 VCs, the hot paths run an
                                     instance with these options constant, which keeps va_req and m_ne in place
                                     of out_free (noc_router) (noc_network_general_step() clears it, for tests,
                                     before the first tick) */
    bool cold;                    /* the routers' state (routers, input VCs with their buffers, credits) is larger
                                     than WS_CACHE_BYTES: the step asks for the state of the routers it will step
                                     next well ahead (prefetch_ahead in noc/router.c) */
    uint32_t plain_delays;        /* plain: bit d for every delay d a send uses (links, credits, injection) */
    noc_cursor cur[NOC_PLAIN_DELAY];   /* plain, during a step: see noc_cursor */
    ws_tick *wake_at;             /* per router: tick of its pending wake event, WS_TICK_NEVER = none */
    noc_slot *wheel;
    uint32_t wmask;
    uint64_t *wocc;               /* bit s: wheel slot s is not empty */
    size_t wocc_words;
    uint16_t *node_x, *node_y;    /* coordinates of a node id */
    uint8_t *route_tab;           /* dest_only routing on a small mesh: the output port at router r towards node d,
                                     [r * nodes + d]; NULL otherwise (route_into() calls the routing function) */
    bool moved;                   /* a flit moved this tick */

    noc_packet *pkts;
    size_t n_pkts, cap_pkts;
    uint32_t free_pkt;
    noc_message *msgs;
    size_t n_msgs, cap_msgs;
    uint32_t free_msg;
    noc_inbox_item *inbox;
    size_t n_inbox, cap_inbox;
    noc_delivery_fn deliver;
    void *deliver_owner;
    noc_traffic *traffic;

    uint64_t buffered, in_flight;
    noc_counts c;
    uint64_t alive_now;

    bool measuring;
    uint64_t measured_outstanding;
    noc_dvec m_packet_lat, m_network_lat, m_hops;
    double m_flit_lat_sum;
    uint64_t m_flits;

    ws_tick w_start, area_last;
    double area;
    uint64_t *w_created, *w_ejected;
    uint64_t w_ejected_packets;
    double w_latency_sum;
};

/* The index of input VC (or credit counter, or output-VC holder) v of
 * port p of router r in noc_network.ivc, credits and ovc_owner, for V VCs
 * per port (n->V, or the constant of a specialised instance). A macro:
 * as an inline function GCC allocated the step's registers differently
 * (bench_noc 8 0.3 4000: +1.25 M instructions). */
#define NOC_VC_AT(r, p, v, V) (((size_t)(r) * NOC_PORTS + (size_t)(p)) * (size_t)(V) + (size_t)(v))

/* The routing query at router r for a packet from node src to node dst
 * that arrived on input port p. */
static inline noc_route_query noc_route_query_at(const noc_network *n, int r, int src, int dst, int p)
{
    return (noc_route_query){ .kx = n->kx, .ky = n->ky, .x = n->node_x[r], .y = n->node_y[r],
                              .src_x = n->node_x[src], .src_y = n->node_y[src],
                              .dst_x = n->node_x[dst], .dst_y = n->node_y[dst], .in_port = p };
}

/* tail_bytes: payload of the packet's last flit (<= flit_size). */
uint32_t noc_packet_new(noc_network *n, ws_tick now, int src, int dst, int flits, uint32_t msg, double tail_bytes);
void noc_packet_done(noc_network *n, uint32_t id, ws_tick now);
void noc_area_update(noc_network *n, ws_tick now);
void noc_inbox_push(noc_network *n, const noc_inbox_item *it);

/* noc/router.c */
/* Steps the routers whose active bit is set, in increasing order, and
 * files their wakes; returns whether some bit stays set for now + 1. */
bool noc_routers_step(noc_network *n, ws_tick now);
void noc_arrivals(noc_network *n, ws_tick now);
void noc_slot_grow(noc_slot *s);
void noc_slot_grow_fl(noc_slot *s);
void noc_slot_grow_ej(noc_slot *s);
void noc_slot_grow_wk(noc_slot *s);
void noc_describe_stall(const noc_network *n, FILE *out);

#endif
