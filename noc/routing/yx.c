/* noc/routing/yx.c — dimension-order routing, y first.
 * Deadlock-free for the same reason as xy with the dimensions swapped: no
 * turn from x back to y, so the channel dependency graph is acyclic. */
#include "noc/routing.h"

static unsigned route_yx(const noc_route_query *q, uint8_t out[4])
{
    if (q->y != q->dst_y)
        out[0] = noc_port_toward_y(q);
    else if (q->x != q->dst_x)
        out[0] = noc_port_toward_x(q);
    else
        out[0] = NOC_PORT_LOCAL;
    return 1;
}

const noc_routing noc_routing_yx = { .name = "yx", .adaptive = false, .dest_only = true, .route = route_yx };
