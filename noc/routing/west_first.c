/* noc/routing/west_first.c — minimal adaptive west-first routing (Glass &
 * Ni's turn model). A packet that must go west takes all its west hops
 * first; afterwards it may choose adaptively among the minimal directions
 * E, N and S.
 * Deadlock-free: the two turns into west (N->W and S->W) are forbidden, so
 * no cycle of channel dependencies can close (each of the two abstract
 * cycles of the mesh needs one of them), and every route is minimal, so
 * there is no livelock either. */
#include "noc/routing.h"

static unsigned route_west_first(const noc_route_query *q, uint8_t out[4])
{
    if (q->x == q->dst_x && q->y == q->dst_y) {
        out[0] = NOC_PORT_LOCAL;
        return 1;
    }
    if (q->dst_x < q->x) {
        out[0] = NOC_PORT_W;
        return 1;
    }
    unsigned n = 0;
    if (q->dst_x > q->x)
        out[n++] = NOC_PORT_E;
    if (q->dst_y != q->y)
        out[n++] = noc_port_toward_y(q);
    return n;
}

const noc_routing noc_routing_west_first = { .name = "west_first", .adaptive = true,
                                             .route = route_west_first };
