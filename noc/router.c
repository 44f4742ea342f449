/* noc/router.c — the arrival events of a tick (flits, credits, NI
 * ejection, router wake-ups), one tick of one router and its NI
 * (injection, routing of heads as they arrive or as the tail before them
 * leaves, separable VC and switch allocation,
 * switch traversal) and the router's next wake tick; and the stall
 * report. Contract in noc/network.h (model) and noc/network_impl.h
 * (data). */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/xalloc.h"

#include "noc/network_impl.h"

static inline void active_set(noc_network *n, int r)
{
    n->active[(unsigned)r >> 6] |= 1ull << ((unsigned)r & 63);
}

/* The network's options as the hot paths read them: `plain` is true in
 * the instance compiled for plain networks (noc_network.plain: wormhole,
 * full duplex, one-tick flits, no streaming, input speedup 1), where they
 * fold to constants; false in the general instance, which reads them. */
static inline __attribute__((always_inline)) bool opt_vct(const noc_network *n, bool plain)
{
    return !plain && n->vct;
}

static inline __attribute__((always_inline)) bool opt_by_output(const noc_network *n, bool plain)
{
    return !plain && n->by_output;
}

static inline __attribute__((always_inline)) bool opt_half_duplex(const noc_network *n, bool plain)
{
    return !plain && n->half_duplex;
}

/* noc_network.by_output: input VC (p, v) holding output o becomes
 * eligible (active, with a credit and a buffered flit), or stops being. */
static inline void elig_add(noc_router *rt, int o, int p)
{
    if (!rt->n_elig[o][p]++) {
        rt->elig_ports[o] |= (uint8_t)(1u << p);
        rt->elig_outs |= (uint8_t)(1u << o);
    }
}

static inline void elig_del(noc_router *rt, int o, int p)
{
    if (!--rt->n_elig[o][p] && !(rt->elig_ports[o] &= (uint8_t)~(1u << p)))
        rt->elig_outs &= (uint8_t)~(1u << o);
}

static inline void wocc_set(noc_network *n, ws_tick at)
{
    uint32_t i = (uint32_t)(at & n->wmask);
    n->wocc[i >> 6] |= 1ull << (i & 63);
}

/* Files credit event ev for tick now + d. The plain instance files
 * through the tick's cursor for delay d (noc_network.cur), the others
 * into the slot. */
static inline __attribute__((always_inline)) void wheel_push(noc_network *n, ws_tick now, ws_tick d, uint32_t ev,
                                                            const bool plain)
{
    if (plain) {
        *n->cur[d].ev++ = ev;
        return;
    }
    noc_slot *s = &n->wheel[(now + d) & n->wmask];
    if (s->n == s->cap)
        noc_slot_grow(s);
    if (!s->n)
        wocc_set(n, now + d);
    s->ev[s->n++] = ev;
    n->in_flight++;
}

/* The route (and packet size) of head flit f at input port p of router
 * r, into iv->cand / iv->ncand / iv->hsize. */
static inline __attribute__((always_inline)) void route_into(const noc_network *n, noc_ivc *iv, int r, int p,
                                                            const noc_flit *f, const bool plain)
{
    if (n->route_tab) {
        iv->cand[0] = n->route_tab[(size_t)r * (size_t)n->nodes + f->dst];
        iv->ncand = 1;
    } else {
        noc_route_query q = noc_route_query_at(n, r, f->src, f->dst, p);
        iv->ncand = (uint8_t)n->routing->route(&q, iv->cand);
    }
    if (!plain)   /* read only under VCT (free_vcs) */
        iv->hsize = n->vct ? n->pkts[f->pkt].size : 0;
}

/* Puts flit f on the link to input VC (ev's router, port, vc): files its
 * arrival at tick now + d (noc_arrivals writes it into the VC; the plain
 * instance files through the tick's cursor, as wheel_push); returns the
 * copy that travels. The sender holds a credit for that VC, so there will
 * be room. */
static inline __attribute__((always_inline)) noc_flit *send_flit(noc_network *n, uint32_t ev, const noc_flit *f,
                                                                 ws_tick now, ws_tick d, const bool plain)
{
    noc_flit_ev *e;
    if (plain) {
        e = n->cur[d].fl++;
    } else {
        noc_slot *s = &n->wheel[(now + d) & n->wmask];
        if (s->n_fl == s->cap_fl)
            noc_slot_grow_fl(s);
        if (!s->n_fl)
            wocc_set(n, now + d);
        e = &s->fl[s->n_fl++];
        n->in_flight++;
    }
    memcpy(&e->f, f, sizeof *f);   /* one 16-byte copy, not field by field */
    e->ev = ev;
    e->tail_off = 0;
    return &e->f;
}

/* Flit streaming: the tail of the flit send_flit() just filed for tick
 * `at` arrives at tick `tail` (>= at). */
static void set_tail(noc_network *n, ws_tick at, ws_tick tail)
{
    noc_slot *s = &n->wheel[at & n->wmask];
    s->fl[s->n_fl - 1].tail_off = (uint32_t)(tail - at);
}

static inline __attribute__((always_inline)) void send_eject(noc_network *n, const noc_flit *f, ws_tick now, ws_tick d,
                                                            const bool plain)
{
    if (plain) {
        *n->cur[d].ej++ = *f;
        return;
    }
    noc_slot *s = &n->wheel[(now + d) & n->wmask];
    if (s->n_ej == s->cap_ej)
        noc_slot_grow_ej(s);
    if (!s->n_ej)
        wocc_set(n, now + d);
    s->ej[s->n_ej++] = *f;
    n->in_flight++;
}

/* Files router r's wake-up at tick `at` (> now). A wake beyond the wheel
 * is filed at its end: an early step does nothing and files it again. */
static inline void wake_file(noc_network *n, int r, ws_tick at, ws_tick now)
{
    if (at - now > n->wmask)
        at = now + n->wmask;
    if (n->wake_at[r] == at)
        return;
    n->wake_at[r] = at;
    noc_slot *s = &n->wheel[at & n->wmask];
    if (s->n_wk == s->cap_wk)
        noc_slot_grow_wk(s);
    s->wk[s->n_wk++] = (uint32_t)r;
    wocc_set(n, at);
}

/* Router r must be stepped at tick `at` (>= now) at the latest. */
static inline void wake_by(noc_network *n, int r, ws_tick at, ws_tick now)
{
    if (at <= now) {
        active_set(n, r);
        return;
    }
    if (((n->active[(unsigned)r >> 6] >> ((unsigned)r & 63)) & 1u) || n->wake_at[r] <= at)
        return;   /* stepped this tick (which files its wake again), or woken early enough */
    wake_file(n, r, at, now);
}

/* log2 of the stride S of an input port in the router's packed masks of
 * input VCs (noc_router.va_wait, m_act, m_blk), their number of words,
 * and the bit b of VC (p, v) in them: word vcm_word(b), bit vcm_bit(b);
 * vc_index(b) = p * V + v, its index among the router's input VCs */
#define VC_LG(V) ((V) <= 4 ? 2 : (V) <= 8 ? 3 : 4)
#define VC_NW(V) ((V) <= 8 ? 1 : 2)   /* (5 << VC_LG(V)) bits, in 64-bit words */
static inline unsigned vc_bit(int p, int v, const int V)
{
    return ((unsigned)p << VC_LG(V)) + (unsigned)v;
}
static inline uint64_t vcm_bit(unsigned b)
{
    return 1ull << (b & 63);
}
static inline unsigned vcm_word(unsigned b, const int V)
{
    return VC_NW(V) == 1 ? 0 : b >> 6;   /* one word: b < 5 * 8 */
}
static inline unsigned vc_index(unsigned b, const int V)
{
    const unsigned S = 1u << VC_LG(V);
    return S == (unsigned)V ? b : (b >> VC_LG(V)) * (unsigned)V + (b & (S - 1));
}

/* Whether router rt has input VCs holding an output VC (the second word
 * is 0 with V <= 8). */
static inline bool act_any(const noc_router *rt, const int V)
{
    return (VC_NW(V) == 1 ? rt->m_act[0] : rt->m_act[0] | rt->m_act[1]) != 0;
}

/* The VC after v of V in round-robin order (V a power of two: a mask). */
static inline int vc_next(int v, const int V)
{
    return (V & (V - 1)) == 0 ? (v + 1) & (V - 1) : v + 1 == V ? 0 : v + 1;
}

/* Whether router rt has VCs waiting for VC allocation. */
static inline bool va_any(const noc_router *rt)
{
    return (rt->va_wait[0] | rt->va_wait[1]) != 0;
}

/* Input VC (p, v) of router rt, iv, holds a head whose route is known
 * (iv->ncand): it waits for VC allocation, from tick `ready` (the end of
 * its routing delay). `first`: the tick of the first VC allocation that
 * will see it; if it cannot be ready by then, that one skips it without
 * reading it (noc_router.va_young). */
static inline void head_waits_for_va(noc_router *rt, noc_ivc *iv, int p, int v, ws_tick ready, ws_tick first,
                                     const int V, const bool plain)
{
    const unsigned b = vc_bit(p, v, V);
    const uint64_t bit = vcm_bit(b);
    iv->state = NOC_IVC_VA;
    iv->ready = ready;
    rt->va_wait[vcm_word(b, V)] |= bit;
    if (plain)
        rt->va_req[iv->cand[0]] |= (uint32_t)bit;
    rt->va_idle = 0;
    if (ready > first) {
        /* the marks of an earlier tick are dropped, without a branch (it
         * would be hard to predict) */
        const uint64_t keep = rt->va_young_at == first ? ~0ull : 0;
        rt->va_young[0] &= keep;
        if (VC_NW(V) > 1)
            rt->va_young[1] &= keep;
        rt->va_young_at = first;
        rt->va_young[vcm_word(b, V)] |= bit;
    }
}

/* ------------------------------------------------------------ arrivals */

static void ni_eject(noc_network *n, const noc_flit *f, ws_tick now)
{
    int r = f->dst;
    n->in_flight--;
    n->c.flits_in_network--;
    n->c.flits_ejected++;
    n->w_ejected[r]++;
    noc_packet *p = &n->pkts[f->pkt];
    if (p->measured) {
        if (now - p->injected > UINT32_MAX) {   /* f->inj would be ambiguous (noc_flit) */
            fprintf(stderr, "noc: packet %u spent more than 2^32 ticks in the network, which this simulator does not "
                            "support\n", (unsigned)f->pkt);
            abort();
        }
        n->m_flit_lat_sum += (double)(uint32_t)((uint32_t)now - f->inj);
        n->m_flits++;
    }
    if (f->tail) {
        p->hops = f->hops;
        noc_packet_done(n, f->pkt, now);
    }
    n->moved = true;
}

/* The events of tick `now`: ejections in the order they were sent (router
 * order), then credits, then flit arrivals (each touches its own VC or
 * credit counter; a credit and a flit for the same router commute: the
 * flags they set are ORed, and under noc_network.by_output the VC that a
 * credit unblocks and whose flit arrives becomes eligible once in either
 * order), then wake-ups.
 * An arrival marks its router to be stepped (or to wake) only if it can
 * let something move that could not before: a flit entering an empty VC
 * (a head, whose route is ready after the routing delay, or a body flit
 * of a packet whose earlier flits have left), and a credit for a VC that
 * had none (wormhole: a flit bids for the switch, and the NI sends, with
 * one credit; an output VC is allocated without looking at credits except
 * to pick among adaptive routes, which only a grant or a tail leaving
 * changes). Under virtual cut-through, which counts credits against
 * packet sizes, every credit marks its router. Due wake-ups mark theirs. */
/* noc_arrivals for V VCs per port (the network's V, or a constant for
 * which the compiler specialises the loop) and `plain` (a constant:
 * opt_vct() and the like; noc_arrivals). */
static inline __attribute__((always_inline)) void arrivals_shape(noc_network *n, ws_tick now, const int V,
                                                                 const bool plain)
{
    uint32_t si = (uint32_t)(now & n->wmask);
    if (!((n->wocc[si >> 6] >> (si & 63)) & 1u))
        return;
    n->wocc[si >> 6] &= ~(1ull << (si & 63));
    noc_slot *s = &n->wheel[si];
    for (uint32_t i = 0; i < s->n_ej; i++)
        ni_eject(n, &s->ej[i], now);
    s->n_ej = 0;
    const uint32_t *ev = s->ev;
    uint32_t cnt = s->n;
    n->in_flight -= cnt;
    const size_t PV = (size_t)NOC_PORTS * (size_t)V;
    for (uint32_t i = 0; i < cnt; i++) {
        size_t idx = ev[i];
        const bool first = !n->credits[idx]++;   /* the counter was 0 */
        if (!first && !opt_vct(n, plain))
            continue;   /* the common credit: nothing else to do */
        int r = (int)(idx / PV), p = (int)(idx % PV / (size_t)V), v = (int)(idx % (size_t)V);
        noc_router *rt = &n->routers[r];
        if (p == NOC_PORT_LOCAL) {
            n->ni[r].can_send = true;
        } else if (first && ((rt->ovc_busy[p] >> v) & 1u)) {
            unsigned b = n->ovc_owner[idx];   /* its holder may bid again */
            if (opt_by_output(n, plain) && (rt->m_blk[vcm_word(b, V)] & vcm_bit(b)) &&
                n->ivc[(size_t)r * NOC_PORTS * (size_t)V + vc_index(b, V)].count)
                elig_add(rt, p, (int)(b >> VC_LG(V)));
            rt->m_blk[vcm_word(b, V)] &= ~vcm_bit(b);
        }
        if (opt_vct(n, plain))
            rt->va_idle = 0;
        active_set(n, r);
    }
    s->n = 0;
    const noc_flit_ev *fl = s->fl;
    cnt = s->n_fl;
    n->in_flight -= cnt;
    const unsigned D = (unsigned)n->D;
    for (uint32_t i = 0; i < cnt; i++) {
        const uint32_t e = fl[i].ev;
        int r, p, v;
        size_t idx;
        if (V == 4) {   /* the index (NOC_FLIT_EV) */
            idx = e;
            r = (int)(e / (NOC_PORTS * 4));
            const unsigned b = e - (unsigned)r * (NOC_PORTS * 4);
            p = (int)(b >> 2);
            v = (int)(b & 3);
        } else {
            r = (int)NOC_EV_R(e);
            p = (int)NOC_EV_P(e);
            v = (int)NOC_EV_V(e);
            idx = NOC_VC_AT(r, p, v, V);
        }
        noc_router *rt = &n->routers[r];
        noc_ivc *iv = &n->ivc[idx];
        unsigned slot = 0;
        if (iv->count) {
            slot = (unsigned)iv->head + iv->count;
            if (slot >= D)
                slot -= D;
        } else {
            iv->head = 0;   /* an empty VC restarts its ring: fewer cache lines in use */
        }
        const size_t at = idx * D + slot;   /* its place in buf, and in tail_at */
        memcpy(&n->buf[at], &fl[i].f, sizeof fl[i].f);
        if (!plain && n->tail_at)
            n->tail_at[at] = now + fl[i].tail_off;
        rt->nbuf++;
        n->buffered++;
        if (++rt->occ[p] > rt->w_peak[p])
            rt->w_peak[p] = rt->occ[p];
        if (iv->count++)
            continue;
        if (plain)
            rt->m_ne |= 1u << vc_bit(p, v, V);
        if (iv->state == NOC_IVC_IDLE) {
            /* a head into an idle VC: its route is known now (routing is
             * pure), so it waits out the routing delay in va_wait, which VC
             * allocation and the wake computation treat as a timer */
            route_into(n, iv, r, p, &fl[i].f, plain);
            head_waits_for_va(rt, iv, p, v, now + n->rc_delay, now, V, plain);
            wake_by(n, r, iv->ready, now);
        } else {
            const unsigned b = vc_bit(p, v, V);
            if (opt_by_output(n, plain) && iv->state == NOC_IVC_ACTIVE && !(rt->m_blk[vcm_word(b, V)] & vcm_bit(b)))
                elig_add(rt, iv->out_port, p);
            active_set(n, r);
        }
    }
    s->n_fl = 0;
    for (uint32_t i = 0; i < s->n_wk; i++) {
        uint32_t r = s->wk[i];
        if (n->wake_at[r] == now) {
            n->wake_at[r] = WS_TICK_NEVER;
            active_set(n, (int)r);
        }
    }
    s->n_wk = 0;
}

void noc_arrivals(noc_network *n, ws_tick now)
{
    if (n->V == 4 && n->plain)   /* the defaults: constant strides and options */
        arrivals_shape(n, now, 4, true);
    else if (n->V == 4)
        arrivals_shape(n, now, 4, false);
    else
        arrivals_shape(n, now, n->V, false);
}

/* ------------------------------------------------------------ NI */

/* One tick of router r's NI, for V VCs per port and `plain` (constants in
 * the step's instances, see routers_step_shape). */
static inline __attribute__((always_inline)) void ni_inject(noc_network *n, int r, ws_tick now, const int V,
                                                            const bool plain)
{
    noc_ni *ni = &n->ni[r];
    uint16_t *cr = &n->credits[NOC_VC_AT(r, NOC_PORT_LOCAL, 0, V)];
    if (ni->cur == NOC_NONE && ni->q_head != NOC_NONE) {
        uint32_t id = ni->q_head;
        noc_packet *p = &n->pkts[id];
        for (int k = 0, v = ni->rr; k < V; k++, v = vc_next(v, V)) {
            if ((ni->vc_busy >> v) & 1u)
                continue;
            if (opt_vct(n, plain) ? cr[v] < p->size : cr[v] == 0)
                continue;
            ni->cur = id;
            ni->cur_seq = 0;
            ni->cur_vc = (uint16_t)v;
            ni->vc_busy |= 1u << v;
            ni->rr = (uint16_t)vc_next(v, V);
            ni->q_head = p->qnext;
            if (ni->q_head == NOC_NONE)
                ni->q_tail = NOC_NONE;
            p->injected = now;
            break;
        }
    }
    if (ni->cur != NOC_NONE && cr[ni->cur_vc] > 0) {
        noc_packet *p = &n->pkts[ni->cur];
        bool tail = ni->cur_seq + 1 == p->size;
        noc_flit f = { .pkt = ni->cur, .tail = tail, .partial = tail && p->tail_bytes < n->flit_bytes,
                       .inj = (uint32_t)now, .seq = ni->cur_seq, .src = (uint16_t)p->src, .dst = (uint16_t)p->dst,
                       .hops = 0 };
        /* the NI holds the whole flit: its tail arrives with its head */
        send_flit(n, NOC_FLIT_EV(r, NOC_PORT_LOCAL, ni->cur_vc, V), &f, now, 1, plain);
        cr[ni->cur_vc]--;
        n->c.flits_injected++;
        n->c.flits_in_network++;
        n->moved = true;
        if (++ni->cur_seq == p->size) {
            ni->vc_busy &= ~(1u << ni->cur_vc);
            ni->cur = NOC_NONE;
            n->c.packets_queued--;
        }
    }
}

/* The NI's wake tick after its step at `now`: the next tick if it can
 * send (a flit of its packet, or the head of the next one), else never
 * (it waits for a credit). */
static inline __attribute__((always_inline)) ws_tick ni_wake(const noc_network *n, int r, ws_tick now, const int V,
                                                            const bool plain)
{
    const noc_ni *ni = &n->ni[r];
    const uint16_t *cr = &n->credits[NOC_VC_AT(r, NOC_PORT_LOCAL, 0, V)];
    if (ni->cur != NOC_NONE)
        return cr[ni->cur_vc] > 0 ? now + 1 : WS_TICK_NEVER;
    if (ni->q_head == NOC_NONE)
        return WS_TICK_NEVER;
    const noc_packet *head = &n->pkts[ni->q_head];
    if (!opt_vct(n, plain)) {
        /* its size matters only under VCT; ni_inject() reads the packet
         * at the next tick, and on a large network past saturation it
         * was created long ago (a miss to memory): ask for it now */
        __builtin_prefetch(head, 1);
        for (int v = 0; v < V; v++)
            if (!((ni->vc_busy >> v) & 1u) && cr[v] > 0)
                return now + 1;
        return WS_TICK_NEVER;
    }
    for (int v = 0; v < V; v++)
        if (!((ni->vc_busy >> v) & 1u) && cr[v] >= head->size)
            return now + 1;
    return WS_TICK_NEVER;
}

/* ------------------------------------------------------------ router */

/* The free VCs of mask f whose downstream buffers (credits cr[]) can take
 * a packet of `size` flits. */
static inline uint32_t vcs_fitting(const uint16_t *cr, uint32_t f, int size)
{
    uint32_t ok = 0;
    for (uint32_t m = f; m; m &= m - 1) {
        int v = __builtin_ctz(m);
        if (cr[v] >= size)
            ok |= 1u << v;
    }
    return ok;
}

/* Free output VCs of port o that can take a packet of `size` flits. */
static inline uint32_t free_vcs(const noc_network *n, const noc_router *rt, const uint16_t *crb, int o, int size,
                                const int V)
{
    uint32_t f = ~rt->ovc_busy[o] & ((1u << V) - 1);
    if (o == NOC_PORT_LOCAL || !n->vct)
        return f;
    return vcs_fitting(&crb[o * V], f, size);
}

/* The output a ready VC with several candidates (adaptive routing) or
 * under virtual cut-through asks for: the candidate with the most credits
 * over its suitable free VCs, the first of equals; -1: none has one. */
static inline int va_pick(const noc_network *n, const noc_router *rt, const uint16_t *crb, const noc_ivc *iv,
                          const int V)
{
    int best = -1;
    long best_score = -1;
    for (int k = 0; k < iv->ncand; k++) {
        int o = iv->cand[k];
        uint32_t f = free_vcs(n, rt, crb, o, iv->hsize, V);
        if (!f)
            continue;
        long score = 0;
        if (iv->ncand > 1) {
            const uint16_t *cr = &crb[o * V];
            for (; f; f &= f - 1)
                score += o == NOC_PORT_LOCAL ? n->D : cr[__builtin_ctz(f)];
        }
        if (score > best_score) {
            best_score = score;
            best = o;
        }
    }
    return best;
}

/* One VC allocation of router r at `now`: what its grants touch. */
typedef struct va_ctx {
    noc_router *rt;
    noc_ivc *ivb;                 /* the router's input VCs */
    const uint16_t *crb;          /* its credits */
    uint8_t *owb;                 /* its output VCs' holders */
    ws_tick ready;                /* now + va_delay */
    bool by_output;
    uint64_t *fresh;              /* VCs granted now that may not bid before a later tick (packed, as m_act) */
    uint64_t fresh_mask;          /* ~0 when va_delay > 0 (a VC granted now bids later), else 0 */
} va_ctx;

/* Grants output VC w of port o to input VC (p, v), iv, bit b of the
 * packed masks; ow, cr: the holders and credits of port o's VCs, mesh: o
 * is not LOCAL. */
static inline __attribute__((always_inline)) void va_grant(const va_ctx *c, noc_ivc *iv, int b, int p, int v, int o,
                                                           int w, uint8_t *ow, const uint16_t *cr, uint32_t mesh,
                                                           const bool plain)
{
    noc_router *rt = c->rt;
    const uint64_t bit = vcm_bit((unsigned)b);
    const int wi = b >> 6;
    iv->state = NOC_IVC_ACTIVE;
    iv->out_port = (uint8_t)o;
    iv->out_vc = (uint8_t)w;
    iv->ncand = 0;
    c->fresh[wi] |= bit & c->fresh_mask;
    iv->ready = c->ready;
    ow[w] = (uint8_t)b;
    /* LOCAL: reads the NI's credits, unused */
    uint32_t blk = mesh & !cr[w];
    if (__builtin_expect(blk, 0))
        rt->m_blk[wi] |= bit;
    if (!blk && __builtin_expect(c->by_output, 0))
        elig_add(rt, o, p);   /* a VC waiting for VC allocation holds a flit */
    rt->va_wait[wi] &= ~bit;
    if (plain)
        rt->va_req[o] &= ~(uint32_t)bit;
    rt->m_act[wi] |= bit;
}

/* Word j of the ring of NW words m[0], m[1], ... rotated right by b0
 * bits: its bit k is bit (64 j + k + b0) mod 64 NW of the ring. */
static inline uint64_t va_rotr(const uint64_t m[2], int b0, int j, const int NW)
{
    const int q = b0 >> 6, s = b0 & 63;
    const uint64_t lo = m[(j + q) % NW], hi = m[(j + q + 1) % NW];
    /* one word (hi == lo): the same, in a form compiled to a rotation */
    return NW == 1 ? lo >> s | lo << (-s & 63) : lo >> s | hi << (63 - s) << 1;
}

/* vc_allocate_shape with n->vct a constant; `plain`: the plain instance
 * (noc_network.plain). */
static inline __attribute__((always_inline)) bool va_run(noc_network *n, int r, ws_tick now, uint64_t *fresh,
                                                         const int V, const bool vct, const bool plain)
{
    noc_router *rt = &n->routers[r];
    const size_t PV = (size_t)NOC_PORTS * (size_t)V;
    const uint32_t all = (1u << V) - 1;
    const int LG = VC_LG(V), S = 1 << LG, NW = VC_NW(V);
    /* the VCs waiting for VC allocation, but for those whose routing delay
     * certainly runs (they wait on a timer) */
    const bool young = rt->va_young_at == now;
    uint64_t wait[2];
    bool waiting = false;
    for (int wi = 0; wi < NW; wi++) {
        uint64_t y = young ? rt->va_young[wi] & rt->va_wait[wi] : 0;
        wait[wi] = rt->va_wait[wi] & ~y;
        waiting |= y != 0;
    }
    if (!(wait[0] | (NW > 1 ? wait[1] : 0)))
        return false;   /* all young: not idle (va_idle was cleared when they entered) */
    /* the router's bases, read back through volatile: GCC otherwise keeps
     * each as the array and the router's offset, two more registers (or
     * spills) in the grant loop (bench_noc: 6 M instructions) */
    noc_ivc *volatile ivb = &n->ivc[(size_t)r * PV];
    const uint16_t *volatile crb = &n->credits[(size_t)r * PV];
    uint8_t *volatile owb = &n->ovc_owner[(size_t)r * PV];
    const va_ctx c = { rt, ivb, crb, owb, now + n->va_delay, opt_by_output(n, plain), fresh, n->va_delay ? ~0ull : 0 };
    uint64_t reqs[2][NOC_PORTS];
    uint32_t outs = 0;
    if (plain) {
        /* every VC that is not young is ready, and its request is filed;
         * the outputs asked for, without a loop or branch (GCC does not
         * unroll it unasked) */
#pragma GCC unroll 5
        for (int o = 0; o < NOC_PORTS; o++)
            outs |= (uint32_t)((rt->va_req[o] & wait[0]) != 0) << o;
    } else
        memset(reqs, 0, (size_t)NW * sizeof reqs[0]);
    for (int wi = 0; wi < NW && !plain; wi++) {
        uint64_t ready_bits = 0;
        for (uint64_t m = wait[wi]; m; m &= m - 1) {
            int b = wi << 6 | __builtin_ctzll(m);
            const noc_ivc *iv = &c.ivb[vc_index((unsigned)b, V)];
            /* a VC whose timer runs files an empty request: no branch on
             * the timer, whose outcome is hard to predict; in the plain
             * instance (routing delay <= 1) every VC that is not young is
             * ready */
            uint64_t ready = plain || iv->ready <= now;
            ready_bits |= ready << (b & 63);
            int o;
            if (__builtin_expect(iv->ncand == 1 && (!vct || iv->cand[0] == NOC_PORT_LOCAL), 1)) {
                o = iv->cand[0];
            } else {
                if (!ready)
                    continue;
                o = va_pick(n, rt, c.crb, iv, V);
                if (o < 0)
                    continue;
            }
            reqs[wi][o] |= ready << (b & 63);
            outs |= (uint32_t)ready << o;
        }
        waiting |= ready_bits != wait[wi];
    }
    /* no request to an output with a free VC (cleared below): none until a
     * VC enters va_wait or its timer expires, an output VC is freed or (VCT,
     * where requests count credits) a credit arrives; adaptive routes only
     * choose among outputs with a free VC */
    rt->va_idle = !waiting;
    bool granted = false;
    for (; outs; outs &= outs - 1) {
        int o = __builtin_ctz(outs);
        uint64_t rq[2];
        for (int j = 0; j < NW; j++)
            rq[j] = plain ? rt->va_req[o] & wait[0] : reqs[j][o];
        const uint32_t f0 = ~rt->ovc_busy[o] & all;
        if (!f0)
            continue;
        rt->va_idle = 0;
        const bool by_size = vct && o != NOC_PORT_LOCAL;
        /* the requests in cyclic order from bit b0 */
        const int b0 = rt->rr_va[o];
        uint64_t rot[2];
        for (int j = 0; j < NW; j++)
            rot[j] = va_rotr(rq, b0, j, NW);
        uint8_t *ow = &c.owb[o * V];
        const uint16_t *cr = &c.crb[o * V];
        const uint32_t mesh = o != NOC_PORT_LOCAL;
        uint32_t f = f0;
        int last = -1;
        for (int j = 0; j < NW && f; j++) {
            for (uint64_t m = rot[j]; m && f; m &= m - 1) {
                int b = (j << 6 | __builtin_ctzll(m)) + b0;
                b &= (NW << 6) - 1;
                int p = b >> LG, v = b & (S - 1);
                noc_ivc *iv = &c.ivb[S == V ? b : p * V + v];
                uint32_t g = by_size ? vcs_fitting(cr, f, iv->hsize) : f;
                if (!g)
                    continue;
                int w = __builtin_ctz(g);
                f &= ~(1u << w);
                va_grant(&c, iv, b, p, v, o, w, ow, cr, mesh, plain);
                last = b;
            }
        }
        if (last >= 0) {
            rt->ovc_busy[o] |= f0 & ~f;
            rt->rr_va[o] = (uint16_t)(last + 1);
            granted = true;
        }
    }
    return granted && va_any(rt);
}

/* Separable VC allocation. Input VC (p, v) is bit b = p * S + v of the
 * bitmasks above, S = 4, 8 or 16 (the least power of two >= V, at least
 * 4), so they take NW = 1 or 2 64-bit words; b orders VCs like p * V + v.
 * Each ready VC in va_wait requests one output (reqs[word][output]); each
 * output grants its free VCs, lowest first, to its requests in cyclic
 * order from bit rr_va[o] (the bit after its last grant; 5 * S wraps to
 * 0). A single-candidate request under wormhole (or to LOCAL) is filed
 * without looking at its output: one without a free VC grants nothing.
 * Returns whether it granted an output VC while other VCs still wait for
 * one (a VC that lost may win another VC or, with adaptive routing, pick
 * another output at the next tick). */
static inline __attribute__((always_inline)) bool vc_allocate_shape(noc_network *n, int r, ws_tick now,
                                                                    uint64_t *fresh, const int V)
{
    return n->vct ? va_run(n, r, now, fresh, V, true, false) : va_run(n, r, now, fresh, V, false, false);
}

/* vc_allocate_shape out of line, for 4 VCs per port (the default) and
 * for any number. */
static __attribute__((noinline)) bool vc_allocate_v4(noc_network *n, int r, ws_tick now, uint64_t *fresh)
{
    return vc_allocate_shape(n, r, now, fresh, 4);
}

static __attribute__((noinline)) bool vc_allocate_any(noc_network *n, int r, ws_tick now, uint64_t *fresh)
{
    return vc_allocate_shape(n, r, now, fresh, n->V);
}

/* VC allocation as the step of V VCs per port and `plain` calls it: inline
 * in the plain instance (4 VCs, wormhole), out of line in the others
 * (bench_noc 8 0.3 4000: 12.5 M fewer instructions inline, the call's
 * spills and the option dispatch). */
static inline __attribute__((always_inline)) bool vc_allocate(noc_network *n, int r, ws_tick now, uint64_t *fresh,
                                                              const int V, const bool plain)
{
    if (V == 4 && plain)
        return va_run(n, r, now, fresh, 4, false, true);
    return V == 4 ? vc_allocate_v4(n, r, now, fresh) : vc_allocate_any(n, r, now, fresh);
}

/* May a flit leave on link li at tick now? Marks the refusal for the
 * half-duplex alternation. */
static inline __attribute__((always_inline)) bool channel_free(noc_network *n, const noc_router *rt, int o, ws_tick now,
                                                              const bool plain)
{
    if (plain)
        return true;   /* one-tick flits: free at every tick */
    if (!opt_half_duplex(n, plain))   /* the router's own link: `want` is never read */
        return rt->out_free[o] <= now;
    noc_chan *c = &n->chans[rt->out_chan[o]];
    if (c->links[1] < 0)
        return c->busy_until <= now;
    int li = rt->out_link[o];
    noc_link *l = &n->links[li];
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

/* The serialisation on link li of a partial flit of packet pkt: its
 * payload (pkts[pkt].tail_bytes) over the link's bytes per tick, rounded
 * up, at least 1 tick (the rule of full flits, noc_link.ser). Also counts
 * the bytes it lacks of a full flit in the link's window counter. */
static ws_tick partial_ser(noc_network *n, int li, uint32_t pkt)
{
    noc_link *l = &n->links[li];
    double b = n->pkts[pkt].tail_bytes;
    l->w_short += n->flit_bytes - b;
    double s = ceil(b / l->bytes_per_tick - 1e-9);
    return s < 1 ? 1 : (ws_tick)s;
}

/* Returns whether the flit was a tail (it freed its output VC).
 * `streaming`: n->tail_at != NULL, a constant in each instance. */
static inline __attribute__((always_inline)) bool traverse_as(noc_network *n, int r, int p, int v, int o, ws_tick now,
                                                              bool streaming, const int V, const bool plain)
{
    noc_router *rt = &n->routers[r];
    size_t idx = NOC_VC_AT(r, p, v, V);
    noc_ivc *iv = &n->ivc[idx];
    size_t at = idx * n->D + iv->head;
    const noc_flit *f = &n->buf[at];   /* stays in place until this router's next arrivals */
    iv->head = (uint16_t)(iv->head + 1 == n->D ? 0 : iv->head + 1);
    iv->count--;
    rt->nbuf--;
    rt->occ[p]--;
    n->buffered--;
    wheel_push(n, now, rt->cr_delay[p], rt->cr_ev[p] + (uint32_t)v, plain);

    int w = iv->out_vc;
    ws_tick ser = plain ? 1 : rt->out_ser[o], delay = rt->out_delay[o];
    if (f->partial) {
        ws_tick s = partial_ser(n, rt->out_link[o], f->pkt);
        delay -= ser - s;
        ser = s;
    }
    /* the link is busy until `busy`; the flit's head arrives `head` after
     * the grant, its tail `delay` after it (store-and-forward: together) */
    ws_tick busy = now + ser, head = delay;
    if (streaming) {
        if (n->tail_at[at] >= busy)
            busy = n->tail_at[at] + 1;   /* the bytes still arriving hold the link */
        head = delay - ser + 1;
        delay = busy - now + delay - ser;
    }
    const unsigned b = vc_bit(p, v, V);
    if (o != NOC_PORT_LOCAL) {
        if (!--n->credits[NOC_VC_AT(r, o, w, V)])
            rt->m_blk[vcm_word(b, V)] |= vcm_bit(b);
        send_flit(n, rt->out_ev[o] | (uint32_t)w, f, now, head, plain)->hops++;
        if (streaming)
            set_tail(n, now + head, now + delay);
    } else {
        send_eject(n, f, now, delay, plain);
    }
    if (plain) {
        /* the link is free at the next tick (one-tick flits) */
    } else if (!opt_half_duplex(n, plain)) {
        rt->out_free[o] = busy;
    } else {
        noc_chan *c = &n->chans[rt->out_chan[o]];
        c->busy_until = busy;
        c->last_user = rt->out_link[o];
    }
    rt->w_out[o].flits++;
    if (!plain)   /* plain: one tick per flit, so busy = flits (noc_network_link_stats) */
        rt->w_out[o].busy += busy - now;
    bool tail = f->tail;
    if (tail) {
        rt->ovc_busy[o] &= ~(1u << w);
        rt->va_idle = 0;
        rt->m_blk[vcm_word(b, V)] &= ~vcm_bit(b);
        rt->m_act[vcm_word(b, V)] &= ~vcm_bit(b);
        if (iv->count) {
            /* the next packet's head has arrived (at <= now): as a head
             * into an idle VC (noc_arrivals), it takes its route now and
             * waits out the routing delay, from the next tick, in va_wait */
            route_into(n, iv, r, p, &n->buf[idx * n->D + iv->head], plain);
            head_waits_for_va(rt, iv, p, v, now + 1 + n->rc_delay, now + 1, V, plain);
        } else {
            iv->state = NOC_IVC_IDLE;
            if (plain)
                rt->m_ne &= ~(uint32_t)vcm_bit(b);
        }
    } else if (plain) {
        /* without a branch: whether a body flit's VC empties is hard to
         * predict */
        rt->m_ne &= ~((uint32_t)(iv->count == 0) << b);
    }
    if (opt_by_output(n, plain) && (tail || !iv->count || (rt->m_blk[vcm_word(b, V)] & vcm_bit(b))))
        elig_del(rt, o, p);   /* it was eligible */
    n->moved = true;
    return tail;
}

static __attribute__((noinline)) bool traverse_streaming(noc_network *n, int r, int p, int v, int o, ws_tick now)
{
    return traverse_as(n, r, p, v, o, now, true, n->V, false);
}

/* Separable switch allocation of router r at `now`, and the traversals it
 * grants; returns whether a tail left (freeing an output VC). fresh
 * (packed, as noc_router.m_act): VCs that VC allocation granted at `now`
 * and that may not bid before a later tick (skipped without reading
 * them). */
static inline __attribute__((always_inline)) bool switch_allocate(noc_network *n, int r, ws_tick now,
                                                                  const uint64_t *fresh, const int V, const bool plain)
{
    noc_router *rt = &n->routers[r];
    const noc_ivc *ivb = &n->ivc[(size_t)r * NOC_PORTS * V];
    /* stage 1: each input port nominates up to `speedup` VCs (distinct
     * outputs), round-robin from its pointer: nom_vc[output][input] = vc,
     * valid where nom_mask has the bit ([0][input] with speedup 1, where a
     * port nominates one VC) */
    uint8_t nom_vc[NOC_PORTS][NOC_PORTS];
    uint32_t nom_mask[NOC_PORTS] = { 0 };
    uint32_t outs = 0;
    const int speedup = plain ? 1 : n->speedup;
    unsigned can = ~0u;   /* the ports that may nominate */
    if (opt_by_output(n, plain)) {
        /* full duplex, where channel_free() is pure: only ports with an
         * eligible VC for an output whose link is free can nominate */
        can = 0;
        for (unsigned outs_e = rt->elig_outs; outs_e; outs_e &= outs_e - 1) {
            int o = __builtin_ctz(outs_e);
            if (rt->out_free[o] <= now)
                can |= rt->elig_ports[o];
        }
    }
    const int LG = VC_LG(V), NW = VC_NW(V);
    const uint64_t group = (1ull << (1 << LG)) - 1;   /* a port's bits, at its first */
    if (plain) {
        /* every output link is free, and every VC that holds an output VC
         * (but for those granted now) has its timer expired (see
         * noc_network.plain): a port nominates the first of its VCs with a
         * flit, in round-robin order */
        uint32_t bid = (uint32_t)(rt->m_act[0] & ~rt->m_blk[0] & ~fresh[0]) & rt->m_ne;
        while (bid) {
            const int sh = __builtin_ctz(bid) & ~((1 << LG) - 1);
            const int p = sh >> LG;
            const uint32_t act = (bid >> sh) & ((1u << V) - 1);
            bid &= ~((uint32_t)group << sh);
            const int rr = rt->rr_sa_in[p];
            /* the first VC from rr on: a search in the mask written twice */
            const int v = (rr + __builtin_ctz((act | act << V) >> rr)) & (V - 1);
            const int o = ivb[p * V + v].out_port;
            nom_vc[0][p] = (uint8_t)v;
            nom_mask[o] |= 1u << p;
            outs |= 1u << o;
        }
    }
    for (int wi = 0; wi < NW && !plain; wi++) {
        /* the VCs that may bid: active, with a credit, not granted now;
         * taken a port at a time */
        uint64_t bid = rt->m_act[wi] & ~rt->m_blk[wi] & ~fresh[wi];
        while (bid) {
            const int sh = __builtin_ctzll(bid) & ~((1 << LG) - 1);   /* the port's first bit */
            const int p = (wi << 6 | sh) >> LG;
            const uint32_t act = (uint32_t)(bid >> sh) & ((1u << V) - 1);
            bid &= ~(group << sh);
            if (opt_by_output(n, plain) && !((can >> p) & 1u))
                continue;
            int count = 0;
            uint32_t used = 0;
            /* the VCs in round-robin order: bit k of rot is VC (rr + k) mod V */
            int rr = rt->rr_sa_in[p];
            uint32_t rot = ((act >> rr) | (act << (V - rr))) & ((1u << V) - 1);
            for (; rot; rot &= rot - 1) {
                int v = rr + __builtin_ctz(rot);
                if (v >= V)
                    v -= V;
                const noc_ivc *iv = &ivb[p * V + v];
                if ((iv->count == 0) | (iv->ready > now))   /* one branch, not two */
                    continue;
                int o = iv->out_port;
                if ((used >> o) & 1u)
                    continue;
                if (!channel_free(n, rt, o, now, plain))
                    continue;
                nom_vc[speedup == 1 ? 0 : o][p] = (uint8_t)v;
                nom_mask[o] |= 1u << p;
                used |= 1u << o;
                outs |= 1u << o;
                if (++count == speedup)
                    break;
            }
        }
    }
    /* stage 2: each output grants one nominating input, round-robin */
    bool freed = false;
    for (; outs; outs &= outs - 1) {
        int o = __builtin_ctz(outs);
        uint32_t m = nom_mask[o], hi = m & rt->sa_out_after[o];
        int p = __builtin_ctz(hi ? hi : m);
        int v = nom_vc[speedup == 1 ? 0 : o][p];
        freed |= !plain && n->tail_at ? traverse_streaming(n, r, p, v, o, now)
                                      : traverse_as(n, r, p, v, o, now, false, V, plain);
        rt->rr_sa_in[p] = (uint8_t)vc_next(v, V);
        rt->sa_out_after[o] = (uint8_t)(0xffu << (p + 1));
    }
    return freed;
}

/* The wake tick of router r's buffered flits after its step at `now`
 * (router_step handles the NI, and a step that granted an output VC or
 * let a tail leave while VCs wait for one). Timers: the routing delay of
 * heads, which wait it out in va_wait (noc_arrivals, traverse_as), and the
 * delay before switch allocation of VCs that got an output VC. A VC that
 * asked and was refused waits for an output VC, which only a tail leaving
 * this router frees, or (VCT) for
 * credits, which arrive as events. A flit that may bid for the switch
 * bids at the next tick if its output link is free (it lost the
 * arbitration, or the half-duplex alternation refused it), else when the
 * link has serialised its last flit; with no credit for its downstream VC
 * it waits for one, an event. In half duplex a flit refused a busy
 * channel marks the refusal (noc_link.want), which the other direction
 * reads from the first tick the channel is free: such a router is also
 * stepped at the channel's last busy tick, so that the mark it leaves is
 * the one stepping at every tick would leave. */
static inline __attribute__((always_inline)) ws_tick router_wake(const noc_network *n, int r, ws_tick now, const int V,
                                                                 const bool plain)
{
    const noc_router *rt = &n->routers[r];
    const noc_ivc *ivb = &n->ivc[(size_t)r * NOC_PORTS * V];
    const ws_tick next = now + 1;
    ws_tick w = WS_TICK_NEVER;
    if (opt_by_output(n, plain)) {
        /* from the index of eligible VCs (full duplex): one whose timer
         * has not expired counts as bidding when its link is free, which
         * is exact (a step before both changes nothing) */
        for (unsigned outs = rt->elig_outs; outs; outs &= outs - 1) {
            ws_tick t = rt->out_free[__builtin_ctz(outs)];
            if (t <= next)
                return next;
            if (t < w)
                w = t;
        }
    }
    /* a VC without a credit waits for one, an arrival, whatever its timer */
    for (int wi = 0; wi < VC_NW(V) && !opt_by_output(n, plain); wi++)
        for (uint64_t m = rt->m_act[wi] & ~rt->m_blk[wi]; m; m &= m - 1) {
            const noc_ivc *iv = &ivb[vc_index((unsigned)(wi << 6 | __builtin_ctzll(m)), V)];
            if (!iv->count)
                continue;
            if (iv->ready > now) {
                if (iv->ready <= next)
                    return next;
                if (iv->ready < w)
                    w = iv->ready;
                continue;
            }
            int o = iv->out_port;
            ws_tick t;
            bool shared = false;
            if (plain) {
                t = now;   /* free at every tick */
            } else if (!opt_half_duplex(n, plain)) {
                t = rt->out_free[o];
            } else {
                const noc_chan *c = &n->chans[rt->out_chan[o]];
                t = c->busy_until;
                shared = c->links[1] >= 0;
            }
            if (t <= next)
                return next;
            if (shared)
                t--;
            if (t < w)
                w = t;
        }
    /* va_idle: every VC in va_wait had its timer expired at the last VC
     * allocation, and none has entered since */
    for (int wi = 0; wi < VC_NW(V) && !rt->va_idle; wi++)
        for (uint64_t m = rt->va_wait[wi]; m; m &= m - 1) {
            const noc_ivc *iv = &ivb[vc_index((unsigned)(wi << 6 | __builtin_ctzll(m)), V)];
            if (iv->ready > now && iv->ready < w)
                w = iv->ready;
        }
    return w > now ? w : next;
}

/* One tick of router r and its NI; returns its wake tick (> now, or
 * WS_TICK_NEVER: only an arrival can give it work). */
static inline __attribute__((always_inline)) ws_tick router_step(noc_network *n, int r, ws_tick now, const int V,
                                                                 const bool plain)
{
    noc_ni *ni = &n->ni[r];
    ws_tick w = WS_TICK_NEVER;
    if (ni->can_send) {
        ni_inject(n, r, now, V, plain);
        w = ni_wake(n, r, now, V, plain);
        ni->can_send = w != WS_TICK_NEVER;
    }
    const noc_router *rt = &n->routers[r];
    if (!rt->nbuf)
        return w;
    uint64_t fresh[2] = { 0 };   /* VCs granted an output VC now, not bidding before a later tick (packed) */
    bool again = va_any(rt) && !rt->va_idle && vc_allocate(n, r, now, fresh, V, plain);
    if (act_any(rt, V) && switch_allocate(n, r, now, fresh, V, plain) && va_any(rt))
        again = true;
    if (again)
        return now + 1;
    if (w == now + 1)
        return w;
    ws_tick rw = router_wake(n, r, now, V, plain);
    return rw < w ? rw : w;
}

/* After stepping router r at `now` with wake tick `wake`: keeps its bit
 * for the next tick, files a later wake-up, or forgets it until an
 * arrival. Returns whether the bit stays set. */
static inline bool router_sleep(noc_network *n, int r, ws_tick wake, ws_tick now)
{
    if (wake == now + 1) {
        n->wake_at[r] = WS_TICK_NEVER;
        return true;
    }
    n->active[(unsigned)r >> 6] &= ~(1ull << ((unsigned)r & 63));
    if (wake == WS_TICK_NEVER)
        n->wake_at[r] = WS_TICK_NEVER;
    else
        wake_file(n, r, wake, now);
    return false;
}

/* noc_network_check_wakes: before and after the step of a router that
 * has work but is not due, i.e. that would not have been stepped; aborts
 * unless that step changed nothing (skipping it was exact). Only
 * half-duplex refusal marks (noc_link.want) may change, and not on the
 * channel's last busy tick nor on a free channel; they are put back, so
 * results equal those of an unchecked run. */
typedef struct wake_check {
    unsigned char rt[sizeof(noc_router)];   /* a copy (malloc does not align to the router's 64 bytes) */
    noc_ni ni;
    noc_ivc *ivc;
    uint16_t cr[NOC_PORTS * 32];
    noc_chan chans[NOC_PORTS];
    ws_tick want[NOC_PORTS];
    uint64_t buffered, in_flight, flits_injected;
    bool moved;
} wake_check;

/* Bit k: router w * 64 + k has buffered flits or packets at its NI. */
__attribute__((noinline)) static uint64_t routers_with_work(const noc_network *n, size_t w)
{
    uint64_t m = 0;
    for (int k = 0; k < 64 && (int)w * 64 + k < n->nodes; k++) {
        int r = (int)w * 64 + k;
        const noc_ni *ni = &n->ni[r];
        if (n->routers[r].nbuf || ni->cur != NOC_NONE || ni->q_head != NOC_NONE)
            m |= 1ull << k;
    }
    return m;
}

__attribute__((noinline)) static wake_check *check_before(const noc_network *n, int r)
{
    wake_check *c = ws_xmalloc(sizeof *c);
    size_t PV = (size_t)n->PV;
    const noc_router *rt = &n->routers[r];
    memcpy(c->rt, rt, sizeof *rt);
    c->ni = n->ni[r];
    c->ivc = ws_xmalloc(PV * sizeof *c->ivc);
    memcpy(c->ivc, &n->ivc[(size_t)r * PV], PV * sizeof *c->ivc);
    memcpy(c->cr, &n->credits[(size_t)r * PV], PV * sizeof *c->cr);
    for (int p = 0; p < NOC_PORTS; p++)
        if (rt->out_link[p] >= 0) {
            c->chans[p] = n->chans[rt->out_chan[p]];
            c->want[p] = n->links[rt->out_link[p]].want;
        }
    c->buffered = n->buffered;
    c->in_flight = n->in_flight;
    c->flits_injected = n->c.flits_injected;
    c->moved = n->moved;
    return c;
}

__attribute__((noinline)) static void check_after(noc_network *n, int r, ws_tick now, ws_tick wake, wake_check *c)
{
    size_t PV = (size_t)n->PV;
    const noc_router *rt = &n->routers[r];
    bool bad = memcmp(c->rt, rt, sizeof *rt) || memcmp(&c->ni, &n->ni[r], sizeof c->ni) ||
               memcmp(c->ivc, &n->ivc[(size_t)r * PV], PV * sizeof *c->ivc) ||
               memcmp(c->cr, &n->credits[(size_t)r * PV], PV * sizeof *c->cr) || c->buffered != n->buffered ||
               c->in_flight != n->in_flight || c->flits_injected != n->c.flits_injected || c->moved != n->moved;
    for (int p = 0; p < NOC_PORTS; p++) {
        if (rt->out_link[p] < 0)
            continue;
        const noc_chan *ch = &n->chans[rt->out_chan[p]];
        bad |= memcmp(&c->chans[p], ch, sizeof *ch) != 0;
        noc_link *l = &n->links[rt->out_link[p]];
        if (l->want != c->want[p]) {
            bad |= ch->busy_until <= now + 1;
            l->want = c->want[p];
        }
    }
    if (bad) {
        fprintf(stderr, "noc: internal error: router %d stepped at tick %llu, before its wake (%llu), changed "
                        "its state\n", r, (unsigned long long)now, (unsigned long long)wake);
        abort();
    }
    free(c->ivc);
    free(c);
}

/* noc_network_check_wakes: an NI with packets whose flag says it cannot
 * send (noc_ni.can_send) must be unable to send, i.e. its step would be a
 * no-op; aborts otherwise. */
__attribute__((noinline)) static void check_ni(const noc_network *n, int r, ws_tick now)
{
    const noc_ni *ni = &n->ni[r];
    if (ni->can_send || (ni->cur == NOC_NONE && ni->q_head == NOC_NONE) ||
        ni_wake(n, r, now, n->V, false) == WS_TICK_NEVER)
        return;
    fprintf(stderr, "noc: internal error: the NI of router %d could send at tick %llu but was not flagged\n", r,
            (unsigned long long)now);
    abort();
}

/* noc_network_check_wakes with noc_network.by_output: router r's index
 * of eligible VCs must match a count of them; aborts otherwise. */
__attribute__((noinline)) static void check_elig(const noc_network *n, int r)
{
    const noc_router *rt = &n->routers[r];
    uint8_t cnt[NOC_PORTS][NOC_PORTS] = { { 0 } };
    for (int p = 0; p < NOC_PORTS; p++)
        for (int v = 0; v < n->V; v++) {
            const noc_ivc *iv = &n->ivc[NOC_VC_AT(r, p, v, n->V)];
            unsigned b = vc_bit(p, v, n->V), wi = vcm_word(b, n->V);
            if ((rt->m_act[wi] & ~rt->m_blk[wi] & vcm_bit(b)) && iv->count)
                cnt[iv->out_port][p]++;
        }
    bool bad = memcmp(cnt, rt->n_elig, sizeof cnt) != 0;
    for (int o = 0; o < NOC_PORTS; o++) {
        for (int p = 0; p < NOC_PORTS; p++)
            bad |= ((rt->elig_ports[o] >> p) & 1u) != (cnt[o][p] != 0);
        bad |= ((rt->elig_outs >> o) & 1u) != (rt->elig_ports[o] != 0);
    }
    if (bad) {
        fprintf(stderr, "noc: internal error: router %d's index of eligible VCs is wrong\n", r);
        abort();
    }
}

/* noc_network.cold: while router r is stepped, asks for the state of the
 * routers stepped after it (the later bits of `rest`, in active word w):
 * the lines the fourth one's step reads first (its router, input VCs and
 * the first line of its credits); and for each VC of the next one that
 * may cross its switch (active, with a credit), its head flit and the
 * flit behind it (a head queued behind a tail takes its route when the
 * tail leaves). The lines of the fourth have arrived by the time the next
 * one's are read, except for the first routers of a word, whose
 * lookahead (which stays in the word) came short. */
static inline __attribute__((always_inline)) void prefetch_ahead(const noc_network *n, size_t w, uint64_t rest,
                                                                 const int V)
{
    if (!rest)
        return;
    const size_t PV = (size_t)NOC_PORTS * (size_t)V;
    uint64_t later = rest & (rest - 1);
    later &= later - 1;
    later &= later - 1;
    if (later) {
        size_t r4 = w * 64 + (size_t)__builtin_ctzll(later);
        const char *rp = (const char *)&n->routers[r4];
        for (size_t k = 0; k < NOC_ROUTER_STEP_LINES; k++)
            __builtin_prefetch(rp + 64 * k);
        const char *ip = (const char *)&n->ivc[r4 * PV];
        for (size_t k = 0; k < PV * sizeof(noc_ivc) + 63; k += 64)
            __builtin_prefetch(ip + k);
        __builtin_prefetch(&n->credits[r4 * PV]);
    }
    size_t r2 = w * 64 + (size_t)__builtin_ctzll(rest);
    const noc_router *rt2 = &n->routers[r2];
    const noc_ivc *ivb2 = &n->ivc[r2 * PV];
    const noc_flit *bb2 = &n->buf[r2 * PV * (size_t)n->D];
    for (int wi = 0; wi < VC_NW(V); wi++)
        for (uint64_t mm = rt2->m_act[wi] & ~rt2->m_blk[wi]; mm; mm &= mm - 1) {
            size_t i = vc_index((unsigned)(wi << 6 | __builtin_ctzll(mm)), V);
            const noc_flit *ring = &bb2[i * (size_t)n->D];
            unsigned h = ivb2[i].head, h1 = h + 1 == (unsigned)n->D ? 0 : h + 1;
            __builtin_prefetch(&ring[h]);
            __builtin_prefetch(&ring[h1]);
        }
}

/* The plain instance's cursors for tick `now` (noc_cursor): every slot
 * now + d of a delay d in use gets room for all one tick can send to it.
 * Each output link sends at most one flit per tick, and each flit that
 * leaves a buffer returns one credit (input speedup 1): at most a credit
 * and a flit per output link, a flit per NI and an ejection per router. */
static void noc_plain_open(noc_network *n, ws_tick now)
{
    const uint32_t most = (uint32_t)n->nodes * NOC_PORTS;
    for (uint32_t m = n->plain_delays; m; m &= m - 1) {
        int d = __builtin_ctz(m);
        noc_slot *s = &n->wheel[(now + (ws_tick)d) & n->wmask];
        while (s->cap - s->n < most)
            noc_slot_grow(s);
        while (s->cap_fl - s->n_fl < most)
            noc_slot_grow_fl(s);
        while (s->cap_ej - s->n_ej < (uint32_t)n->nodes)
            noc_slot_grow_ej(s);
        n->cur[d] = (noc_cursor){ s->ev + s->n, s->fl + s->n_fl, s->ej + s->n_ej };
    }
}

/* After the plain instance's step of tick `now`: the slots' counts, the
 * items in flight and the marks of slots that hold something. */
static void noc_plain_close(noc_network *n, ws_tick now)
{
    for (uint32_t m = n->plain_delays; m; m &= m - 1) {
        int d = __builtin_ctz(m);
        noc_slot *s = &n->wheel[(now + (ws_tick)d) & n->wmask];
        const uint32_t ev = (uint32_t)(n->cur[d].ev - s->ev), fl = (uint32_t)(n->cur[d].fl - s->fl),
                       ej = (uint32_t)(n->cur[d].ej - s->ej);
        n->in_flight += (uint64_t)(ev - s->n) + (fl - s->n_fl) + (ej - s->n_ej);
        s->n = ev;
        s->n_fl = fl;
        s->n_ej = ej;
        if (ev | fl | ej)
            wocc_set(n, now + (ws_tick)d);
    }
}

/* noc_routers_step for V VCs per port (the network's V, or a constant for
 * which the compiler specialises the step) and `plain` (a constant:
 * opt_vct() and the like). */
static inline __attribute__((always_inline)) bool routers_step_shape(noc_network *n, ws_tick now, const int V,
                                                                     const bool plain)
{
    const size_t PV = (size_t)NOC_PORTS * (size_t)V;
    const bool check = n->check_wakes, cold = n->cold;
    bool hot = false;
    if (plain)
        noc_plain_open(n, now);
    for (size_t w = 0; w < n->active_words; w++) {
        uint64_t due = n->active[w];
        uint64_t m = check ? due | routers_with_work(n, w) : due;
        for (; m; m &= m - 1) {
            int r = (int)(w * 64 + (size_t)__builtin_ctzll(m));
            uint64_t rest = m & (m - 1);
            if (cold) {
                prefetch_ahead(n, w, rest, V);
            } else if (rest) {   /* the next router's state, while this one works */
                int r2 = (int)(w * 64 + (size_t)__builtin_ctzll(rest));
                __builtin_prefetch(&n->routers[r2]);
                __builtin_prefetch((const char *)&n->routers[r2] + 64 * 4);
                __builtin_prefetch(&n->ivc[(size_t)r2 * PV]);
                __builtin_prefetch(&n->ivc[(size_t)r2 * PV] + PV / 2);
                __builtin_prefetch(&n->ivc[(size_t)r2 * PV] + PV - 1);
            }
            if (!check) {
                hot |= router_sleep(n, r, router_step(n, r, now, V, plain), now);
                continue;
            }
            bool is_due = (due >> (r & 63)) & 1u;
            check_ni(n, r, now);
            if (n->by_output)
                check_elig(n, r);
            wake_check *c = is_due ? NULL : check_before(n, r);
            ws_tick wake = router_step(n, r, now, V, plain);
            if (is_due)
                hot |= router_sleep(n, r, wake, now);
            else
                check_after(n, r, now, wake, c);
        }
    }
    if (plain)
        noc_plain_close(n, now);
    return hot;
}

bool noc_routers_step(noc_network *n, ws_tick now)
{
    if (n->V == 4 && n->plain)   /* the defaults: constant strides, masks and options */
        return routers_step_shape(n, now, 4, true);
    if (n->V == 4)
        return routers_step_shape(n, now, 4, false);
    return routers_step_shape(n, now, n->V, false);
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
                size_t idx = NOC_VC_AT(r, p, v, n->V);
                const noc_ivc *iv = &n->ivc[idx];
                if (!iv->count)
                    continue;
                total++;
                if (shown >= 24)
                    continue;
                shown++;
                const noc_flit *f = &n->buf[idx * n->D + iv->head];
                fprintf(out, "\n    router (%d,%d) in %s vc %d [%u flits, packet %u->%u flit %u/%u]: ", rt->x,
                        rt->y, noc_port_name(p), v, iv->count, f->src, f->dst, f->seq + 1u,
                        n->pkts[f->pkt].size);
                if (iv->state == NOC_IVC_VA) {
                    fputs("waits for a free VC on output", out);
                    for (int k = 0; k < iv->ncand; k++)
                        fprintf(out, " %s", noc_port_name(iv->cand[k]));
                    fprintf(out, " (held by other packets)");
                } else if (iv->out_port == NOC_PORT_LOCAL) {
                    fputs("waits for the ejection port", out);
                } else {
                    const noc_link *l = &n->links[rt->out_link[iv->out_port]];
                    const noc_router *d = &n->routers[l->to_r];
                    unsigned cr = n->credits[NOC_VC_AT(r, iv->out_port, iv->out_vc, n->V)];
                    fprintf(out, "holds output %s vc %d, waits on router (%d,%d) in %s vc %d (%u credits)",
                            noc_port_name(iv->out_port), iv->out_vc, d->x, d->y, noc_port_name(l->to_p),
                            iv->out_vc, cr);
                }
            }
    }
    if (total > shown)
        fprintf(out, "\n    ... and %d more blocked VCs", total - shown);
}
