/* noc/routing.h — routing functions of the mesh: the plug-in interface and
 * the registry.
 *
 * Contract
 *   The mesh is kx x ky routers; router (x, y) has id y * kx + x. Port E
 *   leads to x + 1, W to x - 1, S to y + 1, N to y - 1 (row 0 is the top),
 *   LOCAL to the tile's network interface.
 *
 *   A routing function (noc_routing) is a pure function of a query (mesh
 *   size, current router, the packet's source and destination, the input
 *   port it arrived on) that writes the allowed output ports into out[] in
 *   order of preference and returns how many (1..4). At the destination it
 *   returns exactly NOC_PORT_LOCAL. It never returns a port leading off the
 *   mesh. Every VC of an allowed port may be used. When a function returns
 *   several ports (adaptive), the router picks the one whose downstream
 *   VCs offer the most credits (ties: the earlier in out[]), at VC
 *   allocation time (noc/router.c). A function flagged dest_only promises
 *   that its result depends on the current router and the destination
 *   alone; a small network then computes each route once, into a table
 *   (tests/unit/test_noc.c checks the promise of every flagged function).
 *
 *   Each implementation lives in noc/routing/<name>.c and states why it is
 *   deadlock-free (or, for test-only ones, why it deadlocks). The registry
 *   (noc_routing_registry, one row per line of noc/routing_list.h, in that
 *   order, so the index equals the config enum value of hw.routing) maps
 *   the YAML name to the implementation. noc_routing_find() looks a name up
 *   (NULL if unknown).
 */
#ifndef NOC_ROUTING_H
#define NOC_ROUTING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum noc_port { NOC_PORT_E, NOC_PORT_W, NOC_PORT_S, NOC_PORT_N, NOC_PORT_LOCAL, NOC_PORTS } noc_port;

typedef struct noc_route_query {
    int kx, ky;          /* mesh size */
    int x, y;            /* current router */
    int src_x, src_y;    /* the packet's source */
    int dst_x, dst_y;    /* the packet's destination */
    int in_port;         /* noc_port it arrived on (LOCAL at the source) */
} noc_route_query;

typedef struct noc_routing {
    const char *name;
    bool adaptive;       /* may return more than one port */
    bool dest_only;      /* its route depends only on the current router and the destination (not on the
                            source nor the input port): the network may tabulate it (noc/network.c) */
    unsigned (*route)(const noc_route_query *q, uint8_t out[4]);
} noc_routing;

typedef struct noc_routing_entry {
    const char *name;
    const char *summary;
    bool test_only;
    const noc_routing *impl;
} noc_routing_entry;

extern const noc_routing_entry noc_routing_registry[];
extern const size_t noc_routing_count;

const noc_routing_entry *noc_routing_find(const char *name);
const char *noc_port_name(int port);   /* "E", "W", "S", "N", "L" */

/* Helpers for implementations: the port that moves one step towards the
 * destination along x (E/W) or y (S/N); only valid when that offset != 0. */
static inline uint8_t noc_port_toward_x(const noc_route_query *q)
{
    return q->dst_x > q->x ? NOC_PORT_E : NOC_PORT_W;
}
static inline uint8_t noc_port_toward_y(const noc_route_query *q)
{
    return q->dst_y > q->y ? NOC_PORT_S : NOC_PORT_N;
}

#define NOC_ROUTING_DECLARE(SUFFIX, name, test_only, summary) extern const noc_routing noc_routing_##name;
#include "noc/routing_list.h"
NOC_ROUTING_LIST(NOC_ROUTING_DECLARE)
#undef NOC_ROUTING_DECLARE

#endif
