/* noc/routing/test_deadlock_ring.c — TEST ONLY. On a mesh two routers wide
 * (kx == 2 or ky == 2) every router lies on the outer ring; this function
 * sends every packet clockwise around that ring (top row east, right
 * column south, bottom row west, left column north) until it reaches its
 * destination.
 * Deadlocks by design: the ring's channels depend on each other in one
 * cycle, so under heavy load with packets longer than a VC buffer every
 * VC of the ring fills with a packet waiting for the next one. The config
 * refuses it unless noc.allow_test_routing is true; the watchdog tests use
 * it. */
#include "noc/routing.h"

static unsigned route_ring(const noc_route_query *q, uint8_t out[4])
{
    if (q->x == q->dst_x && q->y == q->dst_y)
        out[0] = NOC_PORT_LOCAL;
    else if (q->y == 0 && q->x < q->kx - 1)
        out[0] = NOC_PORT_E;
    else if (q->x == q->kx - 1 && q->y < q->ky - 1)
        out[0] = NOC_PORT_S;
    else if (q->y == q->ky - 1 && q->x > 0)
        out[0] = NOC_PORT_W;
    else
        out[0] = NOC_PORT_N;
    return 1;
}

const noc_routing noc_routing_test_deadlock_ring = { .name = "test_deadlock_ring", .adaptive = false,
                                                     .route = route_ring };
