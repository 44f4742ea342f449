/* noc/routing/odd_even.c — minimal adaptive odd-even routing (G.-M. Chiu,
 * "The odd-even turn model for adaptive routing", IEEE TPDS 2000), the
 * ROUTE function of that paper with columns numbered from 0.
 * Deadlock-free: in even columns no packet turns E->N or E->S, in odd
 * columns no packet turns N->W or S->W; Chiu proves that with these rules
 * the rightmost column of any would-be cycle cannot close it, so the
 * channel dependency graph is acyclic without virtual channels. Routes are
 * minimal, so there is no livelock. */
#include "noc/routing.h"

static unsigned route_odd_even(const noc_route_query *q, uint8_t out[4])
{
    int e0 = q->dst_x - q->x, e1 = q->dst_y - q->y;
    unsigned n = 0;
    if (e0 == 0 && e1 == 0) {
        out[0] = NOC_PORT_LOCAL;
        return 1;
    }
    if (e0 == 0) {
        out[0] = noc_port_toward_y(q);
        return 1;
    }
    if (e0 > 0) {   /* eastbound */
        if (e1 == 0) {
            out[0] = NOC_PORT_E;
            return 1;
        }
        if ((q->x & 1) || q->x == q->src_x)
            out[n++] = noc_port_toward_y(q);
        if ((q->dst_x & 1) || e0 != 1)
            out[n++] = NOC_PORT_E;
        return n;
    }
    out[n++] = NOC_PORT_W;   /* westbound */
    if (e1 != 0 && !(q->x & 1))
        out[n++] = noc_port_toward_y(q);
    return n;
}

const noc_routing noc_routing_odd_even = { .name = "odd_even", .adaptive = true, .route = route_odd_even };
