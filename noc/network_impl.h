/* noc/network_impl.h — the network's private data, shared by
 * noc/network.c (building, engine glue, statistics) and noc/router.c (the
 * router pipeline and the network interfaces). Not a public interface.
 *
 * Contract
 *   Layout: router r's input VC (port p, vc v) is ivc[r * PV + p * V + v],
 *   its buffer buf[(r * PV + p * V + v) * D ...] a ring of D flits; the
 *   credits the router holds for downstream VC v of output port p are
 *   credits[r * PV + p * V + v]. Links are directed; mesh links come first
 *   (n_mesh_links), then per node an injection link (NI -> router LOCAL,
 *   from_r = -1) and an ejection link (router LOCAL -> NI, to_r = -1).
 *   load[r] counts everything that can make router r or its NI act: flits
 *   buffered in r, flits and credits in flight towards r or its NI, and
 *   packets in its NI's source queue; a router with load 0 is skipped.
 */
#ifndef NOC_NETWORK_IMPL_H
#define NOC_NETWORK_IMPL_H

#include "noc/network.h"

#define NOC_NONE UINT32_MAX

/* A flit carries what routers need of its packet, so that the packet
 * table is touched only by the network interfaces. */
typedef struct noc_flit {
    uint32_t pkt;
    uint16_t seq, size;    /* seq 0 = head, size - 1 = tail */
    uint16_t src, dst;     /* node ids */
    uint16_t hops;         /* mesh links crossed so far */
    uint8_t vc;            /* VC at the receiving input port */
    uint8_t measured;
    ws_tick at;            /* arrival tick while on a link */
    ws_tick inj;           /* tick it entered the network */
} noc_flit;

typedef struct noc_credit {
    ws_tick at;
    uint32_t vc;
} noc_credit;

typedef struct noc_fring {
    noc_flit *items;
    uint32_t cap, head, count;    /* cap a power of two */
} noc_fring;

typedef struct noc_cring {
    noc_credit *items;
    uint32_t cap, head, count;
} noc_cring;

void noc_fring_grow(noc_fring *q);
void noc_cring_grow(noc_cring *q);

static inline void noc_fring_push(noc_fring *q, const noc_flit *f)
{
    if (q->count == q->cap)
        noc_fring_grow(q);
    q->items[(q->head + q->count) & (q->cap - 1)] = *f;
    q->count++;
}

static inline void noc_cring_push(noc_cring *q, ws_tick at, uint32_t vc)
{
    if (q->count == q->cap)
        noc_cring_grow(q);
    q->items[(q->head + q->count) & (q->cap - 1)] = (noc_credit){ at, vc };
    q->count++;
}

typedef struct noc_link {
    int from_r, from_p, to_r, to_p;
    double bytes_per_tick;
    ws_tick ser, lat;
    uint32_t chan;                /* shared by both directions in half duplex */
    ws_tick want;                 /* last tick its sender was refused the channel */
    noc_fring fq;                 /* flits in flight */
    noc_cring cq;                 /* credits in flight back to the sender */
    uint64_t w_flits, w_busy;
    uint32_t w_peak;
} noc_link;

typedef struct noc_chan {
    ws_tick busy_until;
    int last_user;                /* link id, -1 = none */
    int links[2];                 /* the links sharing it (links[1] = -1 in full duplex) */
} noc_chan;

enum { NOC_IVC_IDLE, NOC_IVC_RC, NOC_IVC_VA, NOC_IVC_ACTIVE };

typedef struct noc_ivc {
    uint16_t head, count;
    uint8_t state, out_port, out_vc, ncand;
    uint8_t cand[4];
    ws_tick ready;
} noc_ivc;

typedef struct noc_router {
    int x, y;
    int in_link[NOC_PORTS], out_link[NOC_PORTS];
    uint32_t nbuf;
    uint16_t occ[NOC_PORTS];
    uint32_t ovc_busy[NOC_PORTS];
    uint32_t m_rc[NOC_PORTS], m_va[NOC_PORTS], m_act[NOC_PORTS];
    uint8_t rr_sa_in[NOC_PORTS], rr_sa_out[NOC_PORTS];
    uint16_t rr_va[NOC_PORTS];
} noc_router;

typedef struct noc_ni {
    uint32_t q_head, q_tail;      /* source queue (packet ids) */
    uint32_t cur;                 /* packet being injected */
    uint16_t cur_seq, cur_vc;
    uint32_t vc_busy;
    uint16_t rr;
} noc_ni;

typedef struct noc_packet {
    int32_t src, dst;
    uint16_t size, hops;
    bool measured;
    uint32_t msg;                 /* message id or NOC_NONE */
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
    int speedup;

    noc_router *routers;
    noc_ivc *ivc;
    noc_flit *buf;
    uint16_t *credits;
    noc_ni *ni;
    uint16_t *ni_credits;         /* [node * V + v] for the router's LOCAL input VCs */
    noc_link *links;
    size_t n_links, cap_links, n_mesh_links;
    noc_chan *chans;
    uint32_t *load;
    int *active;
    uint16_t *node_x, *node_y;    /* coordinates of a node id */
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

uint32_t noc_packet_new(noc_network *n, ws_tick now, int src, int dst, int flits, uint32_t msg);
void noc_packet_done(noc_network *n, uint32_t id, ws_tick now);
void noc_area_update(noc_network *n, ws_tick now);
void noc_inbox_push(noc_network *n, const noc_inbox_item *it);

/* noc/router.c */
void noc_router_step(noc_network *n, int r, ws_tick now);
void noc_describe_stall(const noc_network *n, FILE *out);

#endif
