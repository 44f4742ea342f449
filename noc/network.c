/* noc/network.c — building the mesh, the engine component and the
 * statistics of the network; the router pipeline is in noc/router.c.
 * Contract in noc/network.h. */
#include "noc/network.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/cache.h"
#include "core/xalloc.h"
#include "noc/network_impl.h"
#include "noc/noc_schema.h"
#include "noc/traffic.h"

/* ------------------------------------------------------------ wheel */

void noc_slot_grow(noc_slot *s)
{
    s->cap = s->cap ? 2 * s->cap : 16;
    s->ev = ws_xrealloc(s->ev, s->cap * sizeof *s->ev);
}

void noc_slot_grow_fl(noc_slot *s)
{
    s->cap_fl = s->cap_fl ? 2 * s->cap_fl : 16;
    s->fl = ws_xrealloc(s->fl, s->cap_fl * sizeof *s->fl);
}

void noc_slot_grow_ej(noc_slot *s)
{
    s->cap_ej = s->cap_ej ? 2 * s->cap_ej : 8;
    s->ej = ws_xrealloc(s->ej, s->cap_ej * sizeof *s->ej);
}

void noc_slot_grow_wk(noc_slot *s)
{
    s->cap_wk = s->cap_wk ? 2 * s->cap_wk : 8;
    s->wk = ws_xrealloc(s->wk, s->cap_wk * sizeof *s->wk);
}

/* The first tick after `now` whose wheel slot holds anything. Everything
 * in the wheel is due within wmask ticks, so slot distance = tick distance. */
static ws_tick wheel_next(const noc_network *n, ws_tick now)
{
    uint32_t s0 = (uint32_t)((now + 1) & n->wmask);
    size_t wi = s0 >> 6;
    uint64_t m = n->wocc[wi] & (~0ull << (s0 & 63));
    for (size_t k = 0; k <= n->wocc_words; k++) {
        if (m) {
            uint32_t slot = (uint32_t)(wi * 64 + (size_t)__builtin_ctzll(m));
            return now + 1 + ((slot - s0) & n->wmask);
        }
        wi = wi + 1 == n->wocc_words ? 0 : wi + 1;
        m = n->wocc[wi];
    }
    return WS_TICK_NEVER;
}

/* ------------------------------------------------------------ routes */

/* Largest route table (bytes): small enough to stay in cache, where a
 * lookup beats calling the routing function (16 x 16 routers). */
#define NOC_ROUTE_TAB_MAX ((size_t)1 << 16)

/* A dest_only routing function's routes on a mesh of at most
 * NOC_ROUTE_TAB_MAX router-destination pairs, into n->route_tab. */
static void route_table(noc_network *n)
{
    size_t R = (size_t)n->nodes;
    if (!n->routing->dest_only || R * R > NOC_ROUTE_TAB_MAX)
        return;
    n->route_tab = ws_xmalloc(R * R);
    for (int r = 0; r < n->nodes; r++)
        for (int d = 0; d < n->nodes; d++) {
            noc_route_query q = noc_route_query_at(n, r, r, d, NOC_PORT_LOCAL);
            uint8_t out[4];
            unsigned k = n->routing->route(&q, out);
            if (k != 1) {   /* a dest_only function is oblivious: one port */
                fprintf(stderr, "noc: internal error: routing '%s' is flagged dest_only but returned %u ports\n",
                        n->routing->name, k);
                abort();
            }
            n->route_tab[(size_t)r * R + (size_t)d] = out[0];
        }
}

/* ------------------------------------------------------------ packets */

uint32_t noc_packet_new(noc_network *n, ws_tick now, int src, int dst, int flits, uint32_t msg, double tail_bytes)
{
    uint32_t id;
    if (n->free_pkt != NOC_NONE) {
        id = n->free_pkt;
        n->free_pkt = n->pkts[id].qnext;
    } else {
        if (n->n_pkts == n->cap_pkts) {
            n->cap_pkts = n->cap_pkts ? 2 * n->cap_pkts : 1024;
            n->pkts = ws_xrealloc(n->pkts, n->cap_pkts * sizeof *n->pkts);
        }
        if (n->n_pkts == NOC_MAX_PACKETS) {   /* flits keep 30 bits of a packet id (noc_flit) */
            fprintf(stderr, "noc: more than %u packets alive at once, which this simulator does not support\n",
                    NOC_MAX_PACKETS);
            abort();
        }
        id = n->n_pkts++;
    }
    noc_packet *p = &n->pkts[id];
    p->src = src;
    p->dst = dst;
    p->size = (uint16_t)flits;
    p->hops = 0;
    p->measured = n->measuring;
    p->msg = msg;
    p->tail_bytes = tail_bytes;
    p->created = now;
    p->injected = WS_TICK_NEVER;
    p->qnext = NOC_NONE;
    /* source queue */
    noc_ni *ni = &n->ni[src];
    if (ni->q_tail == NOC_NONE)
        ni->q_head = id;
    else
        n->pkts[ni->q_tail].qnext = id;
    ni->q_tail = id;
    ni->can_send = true;
    n->active[(unsigned)src >> 6] |= 1ull << ((unsigned)src & 63);
    n->c.packets_created++;
    n->c.flits_created += (uint64_t)flits;
    n->c.packets_alive++;
    n->c.packets_queued++;
    n->w_created[src] += (uint64_t)flits;
    noc_area_update(n, now);
    n->alive_now++;
    if (p->measured)
        n->measured_outstanding++;
    return id;
}

void noc_area_update(noc_network *n, ws_tick now)
{
    if (now > n->area_last) {
        n->area += (double)n->alive_now * (double)(now - n->area_last);
        n->area_last = now;
    }
}

static void push_double(noc_dvec *v, double x)
{
    if (v->n == v->cap) {
        v->cap = v->cap ? 2 * v->cap : 1024;
        v->items = ws_xrealloc(v->items, v->cap * sizeof *v->items);
    }
    v->items[v->n++] = x;
}

void noc_packet_done(noc_network *n, uint32_t id, ws_tick now)
{
    noc_packet *p = &n->pkts[id];
    double lat = (double)(now - p->created);
    if (p->measured) {
        push_double(&n->m_packet_lat, lat);
        push_double(&n->m_network_lat, (double)(now - p->injected));
        push_double(&n->m_hops, (double)p->hops);
        n->measured_outstanding--;
    }
    n->c.packets_ejected++;
    n->c.packets_alive--;
    n->w_ejected_packets++;
    n->w_latency_sum += lat;
    noc_area_update(n, now);
    n->alive_now--;
    if (p->msg != NOC_NONE) {
        noc_message *m = &n->msgs[p->msg];
        if (--m->packets_left == 0) {
            if (n->deliver)
                n->deliver(n->deliver_owner, now, m->src, m->dst, m->bytes, m->cookie);
            m->next_free = n->free_msg;
            n->free_msg = p->msg;
        }
    }
    p->qnext = n->free_pkt;
    n->free_pkt = id;
}

/* ------------------------------------------------------------ building */

static int add_link(noc_network *n, int from_r, int from_p, int to_r, int to_p, double bpt, ws_tick lat,
                    uint32_t chan)
{
    if (n->n_links == n->cap_links) {
        n->cap_links = n->cap_links ? 2 * n->cap_links : 64;
        n->links = ws_xrealloc(n->links, n->cap_links * sizeof *n->links);
    }
    int id = (int)n->n_links++;
    noc_link *l = &n->links[id];
    memset(l, 0, sizeof *l);
    l->from_r = from_r;
    l->from_p = from_p;
    l->to_r = to_r;
    l->to_p = to_p;
    l->bytes_per_tick = bpt;
    l->lat = lat;
    double s = ceil(n->flit_bytes / bpt - 1e-9);
    l->ser = s < 1 ? 1 : (ws_tick)s;
    l->chan = chan;
    l->want = WS_TICK_NEVER;
    return id;
}

static const int dx[4] = { 1, -1, 0, 0 }, dy[4] = { 0, 0, 1, -1 };
static const int opposite[4] = { NOC_PORT_W, NOC_PORT_E, NOC_PORT_N, NOC_PORT_S };

static void component_evaluate(void *self, ws_tick now);
static ws_tick component_next_due(const void *self, ws_tick now);
static bool component_busy(const void *self);
static void component_describe(const void *self, FILE *out);
static const ws_component_ops noc_ops = {
    .evaluate = component_evaluate, .commit = NULL, .next_due = component_next_due,
    .busy = component_busy, .describe_stall = component_describe,
};

noc_network *noc_network_new(ws_engine *e, const ws_config *cfg, const noc_routing *routing, char *err,
                             size_t err_len)
{
    noc_network *n = ws_xcalloc(1, sizeof *n);
    n->engine = e;
    n->kx = (int)cfg->hw.grid.x;
    n->ky = (int)cfg->hw.grid.y;
    n->nodes = n->kx * n->ky;
    n->routing = routing ? routing : noc_routing_registry[cfg->hw.routing].impl;
    n->V = (int)cfg->noc.vcs;
    n->D = (int)cfg->noc.vc_buffer_flits;
    n->PV = NOC_PORTS * n->V;
    n->credit_delay = noc_config_ticks(cfg, cfg->noc.credit_delay_s);
    n->rc_delay = noc_config_ticks(cfg, cfg->noc.routing_delay_s);
    n->va_delay = noc_config_ticks(cfg, cfg->noc.vc_alloc_delay_s);
    n->sa_delay = noc_config_ticks(cfg, cfg->noc.sw_alloc_delay_s);
    n->st_delay = noc_config_ticks(cfg, cfg->noc.st_delay_s);
    n->flit_bytes = cfg->noc.flit_bytes;
    n->packet_flits = (int)cfg->noc.packet_flits;
    n->vct = cfg->noc.switching == WS_SWITCHING_VCT;
    n->speedup = (int)cfg->noc.input_speedup;
    n->half_duplex = cfg->noc.half_duplex;
    n->free_pkt = NOC_NONE;
    n->free_msg = NOC_NONE;
#ifdef NOC_CHECK_WAKES
    n->check_wakes = true;   /* a debug build that checks every network */
#endif

    size_t R = (size_t)n->nodes;
    n->routers_mem = ws_xcalloc(R * sizeof *n->routers + 63, 1);   /* a router starts a cache line */
    n->routers = (noc_router *)(((uintptr_t)n->routers_mem + 63) & ~(uintptr_t)63);
    n->ivc = ws_xcalloc(R * (size_t)n->PV, sizeof *n->ivc);
    n->buf = ws_xcalloc(R * (size_t)n->PV * (size_t)n->D, sizeof *n->buf);
    if (cfg->noc.flit_streaming)
        n->tail_at = ws_xcalloc(R * (size_t)n->PV * (size_t)n->D, sizeof *n->tail_at);
    n->credits = ws_xcalloc(R * (size_t)n->PV, sizeof *n->credits);
    n->ovc_owner = ws_xcalloc(R * (size_t)n->PV, sizeof *n->ovc_owner);
    n->ni = ws_xcalloc(R, sizeof *n->ni);
    n->w_created = ws_xcalloc(R, sizeof *n->w_created);
    n->w_ejected = ws_xcalloc(R, sizeof *n->w_ejected);
    n->active_words = (R + 63) / 64;
    n->active = ws_xcalloc(n->active_words, sizeof *n->active);
    n->wake_at = ws_xmalloc(R * sizeof *n->wake_at);
    for (size_t r = 0; r < R; r++)
        n->wake_at[r] = WS_TICK_NEVER;
    n->node_x = ws_xmalloc(R * sizeof *n->node_x);
    n->node_y = ws_xmalloc(R * sizeof *n->node_y);
    for (int r = 0; r < n->nodes; r++) {
        n->node_x[r] = (uint16_t)(r % n->kx);
        n->node_y[r] = (uint16_t)(r / n->kx);
    }
    route_table(n);

    double base_bpt = ws_config_bytes_per_tick(cfg, cfg->hw.link.bandwidth_bytes_per_s);
    for (int r = 0; r < n->nodes; r++) {
        noc_router *rt = &n->routers[r];
        rt->x = r % n->kx;
        rt->y = r / n->kx;
        for (int p = 0; p < NOC_PORTS; p++)
            rt->in_link[p] = rt->out_link[p] = -1;
        for (int i = 0; i < n->PV; i++)
            n->credits[(size_t)r * n->PV + i] = (uint16_t)n->D;
        n->ni[r].q_head = n->ni[r].q_tail = n->ni[r].cur = NOC_NONE;
    }
    /* mesh links, one per direction; in half-duplex mode the two
     * directions of a pair share one channel */
    for (int r = 0; r < n->nodes; r++) {
        noc_router *rt = &n->routers[r];
        for (int p = 0; p < 4; p++) {
            int x1 = rt->x + dx[p], y1 = rt->y + dy[p];
            if (x1 < 0 || y1 < 0 || x1 >= n->kx || y1 >= n->ky)
                continue;
            int to = y1 * n->kx + x1;
            double width, lat_scale;
            noc_link_scales(cfg, rt->x, rt->y, x1, y1, &width, &lat_scale);
            ws_tick lat = noc_config_ticks(cfg, cfg->hw.link.latency_s * lat_scale);
            uint32_t chan = (uint32_t)n->n_links;
            if (n->half_duplex && (p == NOC_PORT_W || p == NOC_PORT_N)) {
                int back = n->routers[to].out_link[opposite[p]];
                chan = n->links[back].chan;
            }
            int id = add_link(n, r, p, to, opposite[p], base_bpt * width, lat, chan);
            rt->out_link[p] = id;
            n->routers[to].in_link[opposite[p]] = id;
        }
    }
    n->n_mesh_links = n->n_links;
    /* local ports: injection NI -> router, ejection router -> NI */
    for (int r = 0; r < n->nodes; r++) {
        int inj = add_link(n, -1, NOC_PORT_LOCAL, r, NOC_PORT_LOCAL, n->flit_bytes, 0, (uint32_t)n->n_links);
        n->routers[r].in_link[NOC_PORT_LOCAL] = inj;
        int ej = add_link(n, r, NOC_PORT_LOCAL, -1, NOC_PORT_LOCAL, n->flit_bytes, 0, (uint32_t)n->n_links);
        n->routers[r].out_link[NOC_PORT_LOCAL] = ej;
    }
    n->chans = ws_xcalloc(n->n_links, sizeof *n->chans);
    for (size_t i = 0; i < n->n_links; i++) {
        n->chans[i].last_user = -1;
        n->chans[i].links[0] = n->chans[i].links[1] = -1;
    }
    for (size_t i = 0; i < n->n_links; i++) {
        noc_chan *c = &n->chans[n->links[i].chan];
        c->links[c->links[0] < 0 ? 0 : 1] = (int)i;
    }
    /* arrival events: what each port sends where, after how long */
    ws_tick longest = 1;
    for (int r = 0; r < n->nodes; r++) {
        noc_router *rt = &n->routers[r];
        for (int p = 0; p < NOC_PORTS; p++) {
            const noc_link *out = &n->links[rt->out_link[p] >= 0 ? rt->out_link[p] : 0];
            if (rt->out_link[p] >= 0) {
                rt->out_ev[p] = p == NOC_PORT_LOCAL ? 0 : NOC_FLIT_EV(out->to_r, out->to_p, 0, n->V);
                ws_tick d = n->sa_delay + n->st_delay + out->ser + out->lat;
                if (d > longest)
                    longest = d;   /* >= NOC_MAX_DELAY: refused below, before any use */
                rt->out_delay[p] = (uint32_t)(d < NOC_MAX_DELAY ? d : NOC_MAX_DELAY);
                rt->out_ser[p] = (uint32_t)(out->ser < NOC_MAX_DELAY ? out->ser : NOC_MAX_DELAY);
                rt->out_chan[p] = out->chan;
            }
            if (rt->in_link[p] >= 0) {
                const noc_link *in = &n->links[rt->in_link[p]];
                /* the credits for this port's VC 0: the NI's (LOCAL) or the upstream router's */
                int cr_r = p == NOC_PORT_LOCAL ? r : in->from_r, cr_p = p == NOC_PORT_LOCAL ? p : in->from_p;
                rt->cr_ev[p] = (uint32_t)NOC_VC_AT(cr_r, cr_p, 0, n->V);
                ws_tick d = n->credit_delay + in->lat;
                if (d < 1)
                    d = 1;
                if (d > longest)
                    longest = d;
                rt->cr_delay[p] = (uint32_t)(d < NOC_MAX_DELAY ? d : NOC_MAX_DELAY);
            }
        }
    }
    if (longest >= NOC_MAX_DELAY) {
        snprintf(err, err_len,
                 "a link or credit delay of %llu cycles (switch allocation + traversal + serialisation + "
                 "latency) exceeds the network's limit of %llu cycles",
                 (unsigned long long)longest, (unsigned long long)NOC_MAX_DELAY - 1);
        noc_network_free(n);
        return NULL;
    }
    /* with flits that hold a link for several ticks, most eligible VCs
     * wait for a busy output: a router's step finds the few that can move
     * and its wake from an index of them per output (noc/router.c); with
     * one-tick flits keeping it costs more than it saves */
    for (size_t i = 0; i < n->n_mesh_links; i++)
        if (n->links[i].ser > 1 && !n->half_duplex)
            n->by_output = true;
    bool one_tick = true;
    for (size_t i = 0; i < n->n_links; i++)
        one_tick &= n->links[i].ser == 1;
    n->plain_delays = 1u << 1;   /* an NI's flits reach its router at the next tick */
    for (int r = 0; r < n->nodes; r++)
        for (int p = 0; p < NOC_PORTS; p++) {
            const noc_router *rt = &n->routers[r];
            if (rt->out_link[p] >= 0)
                n->plain_delays |= rt->out_delay[p] < NOC_PLAIN_DELAY ? 1u << rt->out_delay[p] : 1u;
            if (rt->in_link[p] >= 0)
                n->plain_delays |= rt->cr_delay[p] < NOC_PLAIN_DELAY ? 1u << rt->cr_delay[p] : 1u;
        }
    /* (bit 0: a delay of NOC_PLAIN_DELAY or more; delays are at least 1) */
    n->plain = n->routing->dest_only && !n->vct && !n->half_duplex && !n->tail_at && n->speedup == 1 &&
               n->rc_delay <= 1 && n->va_delay <= 1 && one_tick && !(n->plain_delays & 1u);
    size_t per_router = sizeof(noc_router) + (size_t)n->PV * (sizeof(noc_ivc) + (size_t)n->D * sizeof(noc_flit) +
                                                              sizeof *n->credits);
    n->cold = (size_t)n->nodes * per_router > WS_CACHE_BYTES;
    uint64_t slots = 2;
    while (slots <= longest)
        slots *= 2;
    n->wheel = ws_xcalloc(slots, sizeof *n->wheel);
    n->wmask = (uint32_t)(slots - 1);
    n->wocc_words = (size_t)((slots + 63) / 64);
    n->wocc = ws_xcalloc(n->wocc_words, sizeof *n->wocc);
    n->id = ws_engine_add(e, "noc", n, &noc_ops);
    return n;
}

void noc_network_free(noc_network *n)
{
    if (!n)
        return;
    for (size_t i = 0; n->wheel && i <= n->wmask; i++) {
        free(n->wheel[i].ev);
        free(n->wheel[i].fl);
        free(n->wheel[i].ej);
        free(n->wheel[i].wk);
    }
    free(n->wheel);
    free(n->wocc);
    free(n->wake_at);
    free(n->links);
    free(n->chans);
    free(n->routers_mem);
    free(n->ivc);
    free(n->buf);
    free(n->tail_at);
    free(n->credits);
    free(n->ovc_owner);
    free(n->ni);
    free(n->w_created);
    free(n->w_ejected);
    free(n->active);
    free(n->route_tab);
    free(n->node_x);
    free(n->node_y);
    free(n->pkts);
    free(n->msgs);
    free(n->inbox);
    free(n->m_packet_lat.items);
    free(n->m_network_lat.items);
    free(n->m_hops.items);
    free(n);
}

void noc_network_check_wakes(noc_network *n, bool on) { n->check_wakes = on; }
void noc_network_general_step(noc_network *n)
{
    if (n->c.flits_injected) {
        fprintf(stderr, "noc: internal error: noc_network_general_step() after the first flit\n");
        abort();
    }
    n->plain = false;
}

bool noc_network_set_cold(noc_network *n, bool cold)
{
    bool was = n->cold;
    n->cold = cold;
    return was;
}
int noc_network_nodes(const noc_network *n) { return n->nodes; }
size_t noc_network_component(const noc_network *n) { return n->id; }
void noc_network_set_traffic(noc_network *n, noc_traffic *t)
{
    n->traffic = t;
    ws_engine_wake(n->engine, n->id, ws_engine_now(n->engine) + 1);
}

void noc_network_inject_packet(noc_network *n, ws_tick now, int src, int dst, int flits)
{
    noc_inbox_item it = { now, src, dst, (uint64_t)flits, NULL, true };
    noc_inbox_push(n, &it);
}

void noc_network_on_delivery(noc_network *n, noc_delivery_fn fn, void *owner)
{
    n->deliver = fn;
    n->deliver_owner = owner;
}

void noc_network_send(noc_network *n, ws_tick now, int src, int dst, uint64_t bytes, void *cookie)
{
    noc_inbox_item it = { now, src, dst, bytes, cookie, false };
    noc_inbox_push(n, &it);
}

void noc_inbox_push(noc_network *n, const noc_inbox_item *it)
{
    if (n->n_inbox == n->cap_inbox) {
        n->cap_inbox = n->cap_inbox ? 2 * n->cap_inbox : 64;
        n->inbox = ws_xrealloc(n->inbox, n->cap_inbox * sizeof *n->inbox);
    }
    n->inbox[n->n_inbox++] = *it;
    ws_engine_wake(n->engine, n->id, it->at + 1);
}

/* Turns the inbox items given before `now` into packets. */
static void drain_inbox(noc_network *n, ws_tick now)
{
    size_t keep = 0;
    for (size_t i = 0; i < n->n_inbox; i++) {
        noc_inbox_item *it = &n->inbox[i];
        if (it->at >= now) {
            n->inbox[keep++] = *it;
            continue;
        }
        if (it->raw_flits) {
            noc_packet_new(n, now, it->src, it->dst, (int)it->amount, NOC_NONE, n->flit_bytes);
            continue;
        }
        uint64_t flits = (uint64_t)ceil((double)it->amount / n->flit_bytes - 1e-9);
        if (flits == 0)
            flits = 1;
        uint64_t packets = (flits + (uint64_t)n->packet_flits - 1) / (uint64_t)n->packet_flits;
        /* the last flit carries the rest: a partial flit when the message
         * is not a multiple of the flit size (or smaller than one flit) */
        double tail = (double)it->amount - (double)(flits - 1) * n->flit_bytes;
        if (tail > n->flit_bytes)
            tail = n->flit_bytes;
        if (tail < 0)
            tail = 0;
        uint32_t mid;
        if (n->free_msg != NOC_NONE) {
            mid = n->free_msg;
            n->free_msg = n->msgs[mid].next_free;
        } else {
            if (n->n_msgs == n->cap_msgs) {
                n->cap_msgs = n->cap_msgs ? 2 * n->cap_msgs : 64;
                n->msgs = ws_xrealloc(n->msgs, n->cap_msgs * sizeof *n->msgs);
            }
            mid = (uint32_t)n->n_msgs++;
        }
        noc_message *m = &n->msgs[mid];
        m->src = it->src;
        m->dst = it->dst;
        m->bytes = it->amount;
        m->cookie = it->cookie;
        m->packets_left = packets;
        for (uint64_t k = 0; k < packets; k++) {
            uint64_t left = flits - k * (uint64_t)n->packet_flits;
            int size = left < (uint64_t)n->packet_flits ? (int)left : n->packet_flits;
            noc_packet_new(n, now, it->src, it->dst, size, mid, k + 1 == packets ? tail : n->flit_bytes);
        }
    }
    n->n_inbox = keep;
}

/* ------------------------------------------------------------ component */

static void component_evaluate(void *self, ws_tick now)
{
    noc_network *n = self;
    if (n->n_inbox)
        drain_inbox(n, now);
    if (n->traffic) {
        int src, dst, flits;
        while (noc_traffic_pop(n->traffic, now, &src, &dst, &flits))
            noc_packet_new(n, now, src, dst, flits, NOC_NONE, n->flit_bytes);
    }
    n->moved = false;
    noc_arrivals(n, now);
    n->hot = noc_routers_step(n, now);
    if (n->moved)
        ws_engine_progress(n->engine);
}

static ws_tick component_next_due(const void *self, ws_tick now)
{
    const noc_network *n = self;
    if (n->hot)
        return now + 1;
    ws_tick next = WS_TICK_NEVER;
    if (n->traffic) {
        ws_tick t = noc_traffic_next(n->traffic);
        if (t < next)
            next = t;
    }
    for (size_t i = 0; i < n->n_inbox; i++)
        if (n->inbox[i].at + 1 < next)
            next = n->inbox[i].at + 1;
    ws_tick t = wheel_next(n, now);
    if (t < next)
        next = t;
    /* work that nothing scheduled can ever move (a deadlock): visit every
     * tick, as the watchdog expects of a busy component */
    if (next == WS_TICK_NEVER && (n->c.packets_queued || n->buffered))
        return now + 1;
    return next <= now ? now + 1 : next;
}

static bool component_busy(const void *self)
{
    const noc_network *n = self;
    return n->c.packets_alive > 0;
}

static void component_describe(const void *self, FILE *out)
{
    noc_describe_stall(self, out);
}

/* ------------------------------------------------------------ statistics */

void noc_network_counts(const noc_network *n, noc_counts *out)
{
    *out = n->c;
}

void noc_network_set_measuring(noc_network *n, bool on) { n->measuring = on; }
uint64_t noc_network_measured_outstanding(const noc_network *n) { return n->measured_outstanding; }

void noc_network_measured(const noc_network *n, noc_measured *out)
{
    out->n = n->m_packet_lat.n;
    out->packet_latency = n->m_packet_lat.items;
    out->network_latency = n->m_network_lat.items;
    out->hops = n->m_hops.items;
    out->flit_latency_sum = n->m_flit_lat_sum;
    out->flits = n->m_flits;
}

void noc_network_window_reset(noc_network *n, ws_tick now)
{
    memset(n->w_created, 0, (size_t)n->nodes * sizeof *n->w_created);
    memset(n->w_ejected, 0, (size_t)n->nodes * sizeof *n->w_ejected);
    n->w_ejected_packets = 0;
    n->w_latency_sum = 0;
    n->w_start = now;
    n->area = 0;
    n->area_last = now;
    for (int r = 0; r < n->nodes; r++) {
        noc_router *rt = &n->routers[r];
        memset(rt->w_out, 0, sizeof rt->w_out);
        memset(rt->w_peak, 0, sizeof rt->w_peak);
    }
    for (size_t i = 0; i < n->n_links; i++)
        n->links[i].w_short = 0;
}

void noc_network_window(noc_network *n, ws_tick now, noc_window *out)
{
    noc_area_update(n, now);
    out->start = n->w_start;
    out->length = now - n->w_start;
    out->created_flits = n->w_created;
    out->ejected_flits = n->w_ejected;
    out->ejected_packets = n->w_ejected_packets;
    out->ejected_latency_sum = n->w_latency_sum;
    out->packets_in_system_area = n->area;
}

size_t noc_network_link_count(const noc_network *n) { return n->n_mesh_links; }

void noc_network_link_stats(const noc_network *n, size_t i, noc_link_stats *out)
{
    const noc_link *l = &n->links[i];
    const noc_router *a = &n->routers[l->from_r], *b = &n->routers[l->to_r];
    out->from_x = a->x;
    out->from_y = a->y;
    out->to_x = b->x;
    out->to_y = b->y;
    out->direction = noc_port_name(l->from_p);
    out->flits = a->w_out[l->from_p].flits;
    out->bytes = (double)a->w_out[l->from_p].flits * n->flit_bytes - l->w_short;
    /* the plain step does not count busy ticks: a flit holds its link one */
    out->busy_ticks = n->plain ? a->w_out[l->from_p].flits : a->w_out[l->from_p].busy;
    out->peak_buffer_flits = b->w_peak[l->to_p];
    out->bytes_per_tick = l->bytes_per_tick;
    out->latency_ticks = l->lat;
    out->serialization_ticks = l->ser;
}

/* doc/noc.md, "Zero-load latency": S flits, all of serialisation `ser`
 * on every link but the last, of `ser_t`. With flit streaming the head
 * crosses each link in 1 tick and the tail trails by the message's
 * serialisation on one link, less 1 and the last router's Rd + Vd. */
static ws_tick zero_load(const noc_network *n, int hops, int flits, ws_tick ser, ws_tick ser_t)
{
    ws_tick P = n->rc_delay + n->va_delay + n->sa_delay + n->st_delay;
    ws_tick lat = n->n_mesh_links ? n->links[0].lat : 0;
    ws_tick head = flits == 1 ? ser_t : ser;
    ws_tick body = (ws_tick)(flits - 1), gap = body;
    if (n->tail_at) {
        ws_tick all = body * ser + ser_t, slack = 1 + n->rc_delay + n->va_delay;
        if (hops > 0 && all > slack && all - slack > body)
            gap = all - slack;
        return 2 + (ws_tick)(hops + 1) * P + (ws_tick)hops * (1 + lat) + gap;
    }
    if (hops > 0 && flits > 1) {
        ws_tick tail = (body - 1) * ser + ser_t;   /* the tail's arrival behind the head's, last router */
        if (tail > n->rc_delay + n->va_delay && tail - n->rc_delay - n->va_delay > body)
            gap = tail - n->rc_delay - n->va_delay;
    }
    return 2 + (ws_tick)(hops + 1) * P + (ws_tick)hops * (head + lat) + gap;
}

ws_tick noc_network_zero_load_latency(const noc_network *n, int hops, int flits)
{
    ws_tick ser = n->n_mesh_links ? n->links[0].ser : 1;
    return zero_load(n, hops, flits, ser, ser);
}

ws_tick noc_network_zero_load_latency_bytes(const noc_network *n, int hops, uint64_t bytes)
{
    ws_tick ser = n->n_mesh_links ? n->links[0].ser : 1;
    uint64_t flits = (uint64_t)ceil((double)bytes / n->flit_bytes - 1e-9);
    if (flits == 0)
        flits = 1;
    double tail = (double)bytes - (double)(flits - 1) * n->flit_bytes;
    ws_tick ser_t = ser;
    if (n->n_mesh_links && tail < n->flit_bytes) {
        double s = ceil((tail < 0 ? 0 : tail) / n->links[0].bytes_per_tick - 1e-9);
        ser_t = s < 1 ? 1 : (ws_tick)s;
    }
    return zero_load(n, hops, (int)flits, ser, ser_t);
}
