/* noc/router.c — one tick of one router and its network interface: NI
 * ejection and injection, link arrivals and credits, route computation,
 * separable VC and switch allocation, switch traversal; and the stall
 * report. Contract in noc/network.h (model) and noc/network_impl.h
 * (data). */
#include <inttypes.h>
#include <stdio.h>

#include "noc/network_impl.h"

static inline int flit_dest(const noc_link *l) { return l->to_r >= 0 ? l->to_r : l->from_r; }
static inline int credit_dest(const noc_link *l) { return l->from_r >= 0 ? l->from_r : l->to_r; }

static inline noc_flit *fring_front(noc_fring *q) { return &q->items[q->head]; }
static inline void fring_pop(noc_fring *q)
{
    q->head = (q->head + 1) & (q->cap - 1);
    q->count--;
}
static inline void cring_pop(noc_cring *q)
{
    q->head = (q->head + 1) & (q->cap - 1);
    q->count--;
}

static void send_flit(noc_network *n, int link, noc_flit *f)
{
    noc_link *l = &n->links[link];
    noc_fring_push(&l->fq, f);
    n->load[flit_dest(l)]++;
    n->in_flight++;
}

static void send_credit(noc_network *n, int link, ws_tick now, uint32_t vc)
{
    noc_link *l = &n->links[link];
    ws_tick d = n->credit_delay + l->lat;
    noc_cring_push(&l->cq, now + (d < 1 ? 1 : d), vc);
    n->load[credit_dest(l)]++;
    n->in_flight++;
}

/* ------------------------------------------------------------ NI */

static void ni_step(noc_network *n, int r, ws_tick now)
{
    noc_router *rt = &n->routers[r];
    noc_ni *ni = &n->ni[r];
    noc_link *ej = &n->links[rt->out_link[NOC_PORT_LOCAL]];
    while (ej->fq.count && fring_front(&ej->fq)->at <= now) {
        noc_flit f = *fring_front(&ej->fq);
        fring_pop(&ej->fq);
        n->load[r]--;
        n->in_flight--;
        n->c.flits_in_network--;
        n->c.flits_ejected++;
        n->w_ejected[r]++;
        if (f.measured) {
            n->m_flit_lat_sum += (double)(now - f.inj);
            n->m_flits++;
        }
        if (f.seq + 1 == f.size) {
            n->pkts[f.pkt].hops = f.hops;
            noc_packet_done(n, f.pkt, now);
        }
        n->moved = true;
    }
    noc_link *inj = &n->links[rt->in_link[NOC_PORT_LOCAL]];
    uint16_t *cr = &n->ni_credits[(size_t)r * n->V];
    while (inj->cq.count && inj->cq.items[inj->cq.head].at <= now) {
        cr[inj->cq.items[inj->cq.head].vc]++;
        cring_pop(&inj->cq);
        n->load[r]--;
        n->in_flight--;
    }
    if (ni->cur == NOC_NONE && ni->q_head != NOC_NONE) {
        uint32_t id = ni->q_head;
        noc_packet *p = &n->pkts[id];
        for (int k = 0, v = ni->rr; k < n->V; k++, v = v + 1 == n->V ? 0 : v + 1) {
            if ((ni->vc_busy >> v) & 1u)
                continue;
            if (n->vct ? cr[v] < p->size : cr[v] == 0)
                continue;
            ni->cur = id;
            ni->cur_seq = 0;
            ni->cur_vc = (uint16_t)v;
            ni->vc_busy |= 1u << v;
            ni->rr = (uint16_t)(v + 1 == n->V ? 0 : v + 1);
            ni->q_head = p->qnext;
            if (ni->q_head == NOC_NONE)
                ni->q_tail = NOC_NONE;
            p->injected = now;
            break;
        }
    }
    if (ni->cur != NOC_NONE && cr[ni->cur_vc] > 0) {
        noc_packet *p = &n->pkts[ni->cur];
        noc_flit f = { .pkt = ni->cur, .seq = ni->cur_seq, .size = p->size, .src = (uint16_t)p->src,
                       .dst = (uint16_t)p->dst, .hops = 0, .vc = (uint8_t)ni->cur_vc,
                       .measured = p->measured, .at = now + 1, .inj = now };
        send_flit(n, rt->in_link[NOC_PORT_LOCAL], &f);
        cr[ni->cur_vc]--;
        n->c.flits_injected++;
        n->c.flits_in_network++;
        n->moved = true;
        if (++ni->cur_seq == p->size) {
            ni->vc_busy &= ~(1u << ni->cur_vc);
            ni->cur = NOC_NONE;
            n->load[r]--;
            n->c.packets_queued--;
        }
    }
}

/* ------------------------------------------------------------ router */

static void receive(noc_network *n, int r, ws_tick now)
{
    noc_router *rt = &n->routers[r];
    for (int p = 0; p < NOC_PORTS; p++) {
        int li = rt->in_link[p];
        if (li < 0)
            continue;
        noc_link *l = &n->links[li];
        while (l->fq.count && fring_front(&l->fq)->at <= now) {
            noc_flit f = *fring_front(&l->fq);
            fring_pop(&l->fq);
            n->in_flight--;   /* load[r] stays: the flit is now buffered here */
            size_t idx = (size_t)r * n->PV + (size_t)p * n->V + f.vc;
            noc_ivc *iv = &n->ivc[idx];
            int slot = iv->head + iv->count;
            n->buf[idx * n->D + (slot >= n->D ? slot - n->D : slot)] = f;
            iv->count++;
            rt->nbuf++;
            n->buffered++;
            if (++rt->occ[p] > l->w_peak)
                l->w_peak = rt->occ[p];
            if (iv->state == NOC_IVC_IDLE) {
                iv->state = NOC_IVC_RC;
                iv->ready = f.at + n->rc_delay;
                rt->m_rc[p] |= 1u << f.vc;
            }
        }
    }
    for (int p = 0; p < 4; p++) {
        int li = rt->out_link[p];
        if (li < 0)
            continue;
        noc_link *l = &n->links[li];
        uint16_t *cr = &n->credits[(size_t)r * n->PV + (size_t)p * n->V];
        while (l->cq.count && l->cq.items[l->cq.head].at <= now) {
            cr[l->cq.items[l->cq.head].vc]++;
            cring_pop(&l->cq);
            n->load[r]--;
            n->in_flight--;
        }
    }
}

static void route_compute(noc_network *n, int r, ws_tick now)
{
    noc_router *rt = &n->routers[r];
    for (int p = 0; p < NOC_PORTS; p++) {
        uint32_t m = rt->m_rc[p];
        while (m) {
            int v = __builtin_ctz(m);
            m &= m - 1;
            size_t idx = (size_t)r * n->PV + (size_t)p * n->V + v;
            noc_ivc *iv = &n->ivc[idx];
            if (iv->ready > now)
                continue;
            const noc_flit *hf = &n->buf[idx * n->D + iv->head];
            noc_route_query q = { n->kx, n->ky, rt->x, rt->y, n->node_x[hf->src], n->node_y[hf->src],
                                  n->node_x[hf->dst], n->node_y[hf->dst], p };
            iv->ncand = (uint8_t)n->routing->route(&q, iv->cand);
            iv->state = NOC_IVC_VA;
            rt->m_rc[p] &= ~(1u << v);
            rt->m_va[p] |= 1u << v;
        }
    }
}

/* Free output VCs of port o that can take a packet of `size` flits. */
static uint32_t free_vcs(const noc_network *n, int r, int o, int size)
{
    const noc_router *rt = &n->routers[r];
    uint32_t all = (n->V >= 32 ? 0xffffffffu : ((1u << n->V) - 1));
    uint32_t f = ~rt->ovc_busy[o] & all;
    if (o == NOC_PORT_LOCAL || !n->vct)
        return f;
    const uint16_t *cr = &n->credits[(size_t)r * n->PV + (size_t)o * n->V];
    uint32_t ok = 0;
    for (uint32_t m = f; m; m &= m - 1) {
        int v = __builtin_ctz(m);
        if (cr[v] >= size)
            ok |= 1u << v;
    }
    return ok;
}

static void vc_allocate(noc_network *n, int r, ws_tick now)
{
    noc_router *rt = &n->routers[r];
    uint16_t reqs[NOC_PORTS][NOC_PORTS * 16];
    int nreq[NOC_PORTS] = { 0 };
    bool any = false;
    for (int p = 0; p < NOC_PORTS; p++) {
        for (uint32_t m = rt->m_va[p]; m; m &= m - 1) {
            int v = __builtin_ctz(m);
            size_t idx = (size_t)r * n->PV + (size_t)p * n->V + v;
            noc_ivc *iv = &n->ivc[idx];
            if (iv->ready > now)
                continue;
            int size = n->buf[idx * n->D + iv->head].size;
            int best = -1;
            long best_score = -1;
            for (int k = 0; k < iv->ncand; k++) {
                int o = iv->cand[k];
                uint32_t f = free_vcs(n, r, o, size);
                if (!f)
                    continue;
                long score = 0;
                if (iv->ncand > 1) {
                    const uint16_t *cr = &n->credits[(size_t)r * n->PV + (size_t)o * n->V];
                    for (; f; f &= f - 1)
                        score += o == NOC_PORT_LOCAL ? n->D : cr[__builtin_ctz(f)];
                }
                if (score > best_score) {
                    best_score = score;
                    best = o;
                }
            }
            if (best < 0)
                continue;
            reqs[best][nreq[best]++] = (uint16_t)(p * n->V + v);
            any = true;
        }
    }
    if (!any)
        return;
    for (int o = 0; o < NOC_PORTS; o++) {
        int cnt = nreq[o];
        if (!cnt)
            continue;
        int start = 0;
        while (start < cnt && reqs[o][start] < rt->rr_va[o])
            start++;
        for (int k = 0; k < cnt; k++) {
            int pv = reqs[o][(start + k) % cnt];
            int p = pv / n->V, v = pv - p * n->V;
            size_t idx = (size_t)r * n->PV + (size_t)pv;
            noc_ivc *iv = &n->ivc[idx];
            int size = n->buf[idx * n->D + iv->head].size;
            uint32_t f = free_vcs(n, r, o, size);
            if (!f)
                continue;
            int w = __builtin_ctz(f);
            rt->ovc_busy[o] |= 1u << w;
            iv->out_port = (uint8_t)o;
            iv->out_vc = (uint8_t)w;
            iv->state = NOC_IVC_ACTIVE;
            iv->ready = now + n->va_delay;
            rt->m_va[p] &= ~(1u << v);
            rt->m_act[p] |= 1u << v;
            rt->rr_va[o] = (uint16_t)(pv + 1 == n->PV ? 0 : pv + 1);
        }
    }
}

/* May a flit leave on link li at tick now? Marks the refusal for the
 * half-duplex alternation. */
static bool channel_free(noc_network *n, int li, ws_tick now)
{
    noc_link *l = &n->links[li];
    noc_chan *c = &n->chans[l->chan];
    if (c->busy_until > now) {
        l->want = now;
        return false;
    }
    if (c->links[1] >= 0 && c->last_user == li) {
        const noc_link *other = &n->links[c->links[0] == li ? c->links[1] : c->links[0]];
        if (other->want != WS_TICK_NEVER && other->want + 1 >= now) {
            l->want = now;
            return false;
        }
    }
    return true;
}

static void traverse(noc_network *n, int r, int p, int v, int o, ws_tick now)
{
    noc_router *rt = &n->routers[r];
    size_t idx = (size_t)r * n->PV + (size_t)p * n->V + v;
    noc_ivc *iv = &n->ivc[idx];
    noc_flit f = n->buf[idx * n->D + iv->head];
    iv->head = (uint16_t)(iv->head + 1 == n->D ? 0 : iv->head + 1);
    iv->count--;
    rt->nbuf--;
    rt->occ[p]--;
    n->buffered--;
    n->load[r]--;
    send_credit(n, rt->in_link[p], now, (uint32_t)v);

    int lo = rt->out_link[o];
    noc_link *l = &n->links[lo];
    int w = iv->out_vc;
    if (o != NOC_PORT_LOCAL) {
        n->credits[(size_t)r * n->PV + (size_t)o * n->V + w]--;
        f.hops++;
    }
    f.vc = (uint8_t)w;
    f.at = now + n->sa_delay + n->st_delay + l->ser + l->lat;
    send_flit(n, lo, &f);
    noc_chan *c = &n->chans[l->chan];
    c->busy_until = now + l->ser;
    c->last_user = lo;
    l->w_flits++;
    l->w_busy += l->ser;
    if (f.seq + 1 == f.size) {
        rt->ovc_busy[o] &= ~(1u << w);
        rt->m_act[p] &= ~(1u << v);
        if (iv->count) {
            ws_tick at = n->buf[idx * n->D + iv->head].at;
            iv->state = NOC_IVC_RC;
            iv->ready = (at > now ? at : now + 1) + n->rc_delay;
            rt->m_rc[p] |= 1u << v;
        } else {
            iv->state = NOC_IVC_IDLE;
        }
    }
    n->moved = true;
}

static void switch_allocate(noc_network *n, int r, ws_tick now)
{
    noc_router *rt = &n->routers[r];
    /* stage 1: each input port nominates up to `speedup` VCs (distinct
     * outputs), round-robin from its pointer */
    uint8_t nom_vc[NOC_PORTS][NOC_PORTS] = { { 0 } };   /* [output][input] = vc + 1 */
    uint32_t nom_mask[NOC_PORTS] = { 0 };
    bool any = false;
    for (int p = 0; p < NOC_PORTS; p++) {
        uint32_t act = rt->m_act[p];
        if (!act || !rt->occ[p])
            continue;
        int count = 0;
        uint32_t used = 0;
        for (int k = 0, v = rt->rr_sa_in[p]; k < n->V && count < n->speedup;
             k++, v = v + 1 == n->V ? 0 : v + 1) {
            if (!((act >> v) & 1u))
                continue;
            size_t idx = (size_t)r * n->PV + (size_t)p * n->V + v;
            const noc_ivc *iv = &n->ivc[idx];
            if (!iv->count || iv->ready > now)
                continue;
            int o = iv->out_port;
            if ((used >> o) & 1u)
                continue;
            if (o != NOC_PORT_LOCAL && n->credits[(size_t)r * n->PV + (size_t)o * n->V + iv->out_vc] == 0)
                continue;
            if (!channel_free(n, rt->out_link[o], now))
                continue;
            nom_vc[o][p] = (uint8_t)(v + 1);
            nom_mask[o] |= 1u << p;
            used |= 1u << o;
            count++;
            any = true;
        }
    }
    if (!any)
        return;
    /* stage 2: each output grants one nominating input, round-robin */
    for (int o = 0; o < NOC_PORTS; o++) {
        if (!nom_mask[o])
            continue;
        for (int k = 0, p = rt->rr_sa_out[o]; k < NOC_PORTS; k++, p = p + 1 == NOC_PORTS ? 0 : p + 1) {
            if (!((nom_mask[o] >> p) & 1u))
                continue;
            int v = nom_vc[o][p] - 1;
            traverse(n, r, p, v, o, now);
            rt->rr_sa_in[p] = (uint8_t)(v + 1 == n->V ? 0 : v + 1);
            rt->rr_sa_out[o] = (uint8_t)(p + 1 == NOC_PORTS ? 0 : p + 1);
            break;
        }
    }
}

void noc_router_step(noc_network *n, int r, ws_tick now)
{
    ni_step(n, r, now);
    receive(n, r, now);
    if (!n->routers[r].nbuf)
        return;
    route_compute(n, r, now);
    vc_allocate(n, r, now);
    switch_allocate(n, r, now);
}

/* ------------------------------------------------------------ stall report */

void noc_describe_stall(const noc_network *n, FILE *out)
{
    fprintf(out, "%" PRIu64 " packets alive, %" PRIu64 " flits buffered, %" PRIu64
            " items on links, %" PRIu64 " packets not fully injected",
            n->c.packets_alive, n->buffered, n->in_flight, n->c.packets_queued);
    int shown = 0, total = 0;
    for (int r = 0; r < n->nodes; r++) {
        const noc_router *rt = &n->routers[r];
        if (!rt->nbuf)
            continue;
        for (int p = 0; p < NOC_PORTS; p++)
            for (int v = 0; v < n->V; v++) {
                size_t idx = (size_t)r * n->PV + (size_t)p * n->V + v;
                const noc_ivc *iv = &n->ivc[idx];
                if (!iv->count)
                    continue;
                total++;
                if (shown >= 24)
                    continue;
                shown++;
                const noc_flit *f = &n->buf[idx * n->D + iv->head];
                fprintf(out, "\n    router (%d,%d) in %s vc %d [%u flits, packet %u->%u flit %u/%u]: ", rt->x,
                        rt->y, noc_port_name(p), v, iv->count, f->src, f->dst, f->seq + 1u, f->size);
                if (iv->state == NOC_IVC_RC) {
                    fputs("computing its route", out);
                } else if (iv->state == NOC_IVC_VA) {
                    fputs("waits for a free VC on output", out);
                    for (int k = 0; k < iv->ncand; k++)
                        fprintf(out, " %s", noc_port_name(iv->cand[k]));
                    fprintf(out, " (held by other packets)");
                } else if (iv->out_port == NOC_PORT_LOCAL) {
                    fputs("waits for the ejection port", out);
                } else {
                    const noc_link *l = &n->links[rt->out_link[iv->out_port]];
                    const noc_router *d = &n->routers[l->to_r];
                    unsigned cr = n->credits[(size_t)r * n->PV + (size_t)iv->out_port * n->V + iv->out_vc];
                    fprintf(out, "holds output %s vc %d, waits on router (%d,%d) in %s vc %d (%u credits)",
                            noc_port_name(iv->out_port), iv->out_vc, d->x, d->y, noc_port_name(l->to_p),
                            iv->out_vc, cr);
                }
            }
    }
    if (total > shown)
        fprintf(out, "\n    ... and %d more blocked VCs", total - shown);
}
