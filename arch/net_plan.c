/* arch/net_plan.c — the network a run is built on, with the link changes
 * of hardware options; contract in arch/net_plan.h. */
#include "arch/net_plan.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arch/hwopt.h"
#include "core/xalloc.h"
#include "noc/noc_schema.h"

int arch_net_plan_build(const ws_config *cfg, arch_net_plan *p, char *err, size_t err_len)
{
    memset(p, 0, sizeof *p);
    p->cfg = *cfg;
    for (size_t i = 0; i < ws_hwopt_count; i++) {
        const ws_hwopt *h = ws_hwopt_registry[i].impl;
        if (!h || !h->plan_network || !ws_hwopt_enabled(cfg, h->name))
            continue;
        int rc = h->plan_network(cfg, p, err, err_len);
        if (rc)
            return rc;
    }
    return 0;
}

void arch_net_plan_free(arch_net_plan *p)
{
    for (size_t i = 0; i < p->n_link_cells; i++) {
        free(p->link_cells[i][0]);
        free(p->link_cells[i]);
    }
    free(p->link_cells);
    free(p->overrides);
    memset(p, 0, sizeof *p);
}

/* Appends one override to the plan's copy of noc.link_overrides (copying
 * the user's entries on the first call). */
static ws_link_override *append(arch_net_plan *p)
{
    if (!p->overrides) {
        p->n_overrides = p->cfg.noc.link_overrides.n;
        p->cap_overrides = p->n_overrides + 8;
        p->overrides = ws_xcalloc(p->cap_overrides, sizeof *p->overrides);
        if (p->n_overrides)
            memcpy(p->overrides, p->cfg.noc.link_overrides.items, p->n_overrides * sizeof *p->overrides);
    } else if (p->n_overrides == p->cap_overrides) {
        p->cap_overrides *= 2;
        p->overrides = ws_xrealloc(p->overrides, p->cap_overrides * sizeof *p->overrides);
    }
    ws_link_override *o = &p->overrides[p->n_overrides++];
    memset(o, 0, sizeof *o);
    p->cfg.noc.link_overrides.items = p->overrides;
    p->cfg.noc.link_overrides.n = p->n_overrides;
    return o;
}

static bool in_class(ws_link_select select, int x0, int y0, int x1, int y1)
{
    (void)x1, (void)y1;
    switch (select) {
    case WS_LINKS_HORIZONTAL: return y0 == y1;
    case WS_LINKS_VERTICAL: return x0 == x1;
    default: return true;
    }
}

/* Visits every directed mesh link of the grid. */
#define FOR_EACH_LINK(cfg, x0, y0, x1, y1, body)                                                  \
    for (int y0 = 0; y0 < (int)(cfg)->hw.grid.y; y0++)                                          \
        for (int x0 = 0; x0 < (int)(cfg)->hw.grid.x; x0++)                                      \
            for (int d_ = 0; d_ < 4; d_++) {                                                      \
                int x1 = x0 + (d_ == 0) - (d_ == 1), y1 = y0 + (d_ == 2) - (d_ == 3);             \
                if (x1 < 0 || y1 < 0 || x1 >= (int)(cfg)->hw.grid.x || y1 >= (int)(cfg)->hw.grid.y) \
                    continue;                                                                     \
                body                                                                              \
            }

static void account(arch_net_plan *p, double width_before, double factor)
{
    p->changed_links++;
    p->added_bytes_per_s += (factor - 1) * width_before * p->cfg.hw.link.bandwidth_bytes_per_s;
}

void arch_net_plan_scale_link(arch_net_plan *p, int x0, int y0, int x1, int y1, double factor)
{
    double width, latency;
    noc_link_scales(&p->cfg, x0, y0, x1, y1, &width, &latency);
    account(p, width, factor);
    char name[64];
    snprintf(name, sizeof name, "%d,%d>%d,%d", x0, y0, x1, y1);
    char **cell = ws_xmalloc(sizeof *cell);
    cell[0] = ws_xstrdup(name);
    p->link_cells = ws_xrealloc(p->link_cells, (p->n_link_cells + 1) * sizeof *p->link_cells);
    p->link_cells[p->n_link_cells++] = cell;
    ws_link_override *o = append(p);
    o->select = WS_LINKS_LIST;
    o->links.n = 1;
    o->links.items = cell;
    o->width_scale = width * factor;
    o->latency_scale = latency;
}

void arch_net_plan_scale_class(arch_net_plan *p, ws_link_select select, double factor)
{
    if (p->cfg.noc.link_overrides.n == 0) {
        FOR_EACH_LINK(&p->cfg, x0, y0, x1, y1, {
            if (in_class(select, x0, y0, x1, y1))
                account(p, 1, factor);
        })
        ws_link_override *o = append(p);
        o->select = (int)select;
        o->width_scale = factor;
        o->latency_scale = 1;
        return;
    }
    FOR_EACH_LINK(&p->cfg, x0, y0, x1, y1, {
        if (in_class(select, x0, y0, x1, y1))
            arch_net_plan_scale_link(p, x0, y0, x1, y1, factor);
    })
}
