/* arch/net_plan.h — the network a MoE run (or a probe) is built on: the
 * run's config with the link changes of the enabled hardware options, and
 * what those changes cost.
 *
 * Contract
 *   arch_net_plan_build() starts from a shallow copy of `cfg` and lets every
 *   compiled-in, enabled hardware option with a plan_network hook (today:
 *   link_widening) add link overrides to it; build the network from
 *   plan.cfg (noc_network_new). With no such option enabled, plan.cfg is
 *   the run's config unchanged, so results are bit-identical.
 *   Returns 0, or WS_EXIT_BAD_INPUT with a message in err (the option's
 *   key path first). arch_net_plan_free() releases what the plan owns;
 *   plan.cfg must not be used afterwards.
 *
 *   arch_net_plan_scale_link() multiplies the bandwidth of one directed mesh
 *   link by `factor` on top of every override already in the plan (the
 *   user's noc.link_overrides, then earlier scalings), keeping its latency;
 *   arch_net_plan_scale_class() does the same for a whole class (all,
 *   horizontal or vertical links) and is one override when the config has
 *   no overrides of its own. Both add (factor - 1) x the link's bandwidth
 *   to added_bytes_per_s and count the link in changed_links.
 *   The option states the area and power of what it added (area_mm2,
 *   power_W).
 */
#ifndef ARCH_NET_PLAN_H
#define ARCH_NET_PLAN_H

#include <stddef.h>
#include <stdint.h>

#include "core/config.h"

typedef struct arch_net_plan {
    ws_config cfg;                  /* build the network from this */
    ws_link_override *overrides;    /* owned: cfg.noc.link_overrides when changed */
    size_t n_overrides, cap_overrides;
    char ***link_cells;             /* owned: each a one-entry links list of an override */
    size_t n_link_cells;
    uint32_t changed_links;         /* directed links widened */
    double added_bytes_per_s;       /* bandwidth added over all directed links */
    double area_mm2, power_W;       /* cost of the additions (the option's model) */
} arch_net_plan;

int arch_net_plan_build(const ws_config *cfg, arch_net_plan *p, char *err, size_t err_len);
void arch_net_plan_free(arch_net_plan *p);

void arch_net_plan_scale_link(arch_net_plan *p, int x0, int y0, int x1, int y1, double factor);
void arch_net_plan_scale_class(arch_net_plan *p, ws_link_select select, double factor);

#endif
