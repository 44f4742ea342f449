/* noc/routing.c — the routing registry; contract in noc/routing.h. */
#include "noc/routing.h"

#include <string.h>

#include "noc/routing_list.h"

#define NOC_ROUTING_ROW(SUFFIX, name, test_only, summary) { #name, summary, test_only, &noc_routing_##name },
const noc_routing_entry noc_routing_registry[] = { NOC_ROUTING_LIST(NOC_ROUTING_ROW) };
const size_t noc_routing_count = sizeof noc_routing_registry / sizeof noc_routing_registry[0];

const noc_routing_entry *noc_routing_find(const char *name)
{
    for (size_t i = 0; i < noc_routing_count; i++)
        if (!strcmp(noc_routing_registry[i].name, name))
            return &noc_routing_registry[i];
    return NULL;
}

const char *noc_port_name(int port)
{
    static const char *const names[NOC_PORTS] = { "E", "W", "S", "N", "L" };
    return port >= 0 && port < NOC_PORTS ? names[port] : "?";
}
