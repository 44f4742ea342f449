/* noc/routing/xy.c — dimension-order routing, x first.
 * Deadlock-free: a packet only ever turns from an x channel to a y
 * channel, never back, so channels can be numbered (x channels before y
 * channels, each dimension in travel order) such that every packet uses
 * them in increasing order: the channel dependency graph is acyclic
 * (Dally & Seitz). */
#include "noc/routing.h"

static unsigned route_xy(const noc_route_query *q, uint8_t out[4])
{
    if (q->x != q->dst_x)
        out[0] = noc_port_toward_x(q);
    else if (q->y != q->dst_y)
        out[0] = noc_port_toward_y(q);
    else
        out[0] = NOC_PORT_LOCAL;
    return 1;
}

const noc_routing noc_routing_xy = { .name = "xy", .adaptive = false, .dest_only = true, .route = route_xy };
