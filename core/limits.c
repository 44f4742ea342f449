/* core/limits.c — resource limits (sim.limits); contract in core/limits.h. */
#include <config.h>

#include "core/limits.h"

#include <math.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "core/config.h"
#include "noc/network_impl.h"

#define FIELD(type, member) offsetof(type, member)

static const ws_cfield limits_fields[] = {
    { .key = "memory", .type = WS_CT_QTY, .unit = WS_UNIT_SIZE, .offset = FIELD(ws_limits_config, memory_bytes),
      .def = "16 GiB", .min = 1048576, .max = 1e18,
      .doc = "refuse configs whose largest tables (LLC tags, router buffers) would need more memory" },
    { .key = "requests", .type = WS_CT_INT, .offset = FIELD(ws_limits_config, requests), .def = "10000000",
      .min = 1, .max = 4294967295.0, .doc = "refuse configs that generate more synthetic requests" },
};
const ws_cschema ws_limits_schema = { "limits", sizeof(ws_limits_config), limits_fields,
                                      sizeof limits_fields / sizeof limits_fields[0], NULL };

enum { LLC_BYTES_PER_LINE = 16 };   /* tag + last use, mem/llc.c */

double ws_limits_memory_bytes(const ws_config *cfg)
{
    double tiles = (double)cfg->hw.grid.x * (double)cfg->hw.grid.y;
    const ws_llc_config *l = &cfg->hw.tile.llc;
    double llc = l->line_bytes > 0 ? l->size_bytes / l->line_bytes * LLC_BYTES_PER_LINE : 0;
    /* a buffer slot: the flit, plus its tail tick with flit streaming (noc/network_impl.h) */
    double slot = (double)sizeof(noc_flit) + (cfg->noc.flit_streaming ? (double)sizeof(ws_tick) : 0);
    double buffers = (double)NOC_PORTS * (double)cfg->noc.vcs * (double)cfg->noc.vc_buffer_flits * slot;
    return tiles * (llc + buffers);
}

/* The position of a dotted key path ("hw.tile.llc.size"), or of the
 * deepest part of it that was written. */
static ws_pos pos_of(const ws_ccheck *c, const char *path)
{
    const ws_ynode *at = c->node;
    char key[64];
    while (at && *path) {
        size_t len = strcspn(path, ".");
        snprintf(key, sizeof key, "%.*s", (int)len, path);
        const ws_ynode *next = ws_ynode_map_get(at, key);
        if (!next)
            break;
        at = next;
        path += len + (path[len] == '.');
    }
    ws_pos none = { NULL, 0, 0 };
    return at ? ws_ynode_pos(at) : none;
}

/* bytes in the largest binary unit below it, e.g. "3.125 TiB"; `ceil`
 * rounds up to a whole number of that unit without a space ("4TiB"), a
 * value that can be pasted after --set. */
static void human_size(double bytes, bool ceil_whole, char *out, size_t len)
{
    static const char *const unit[] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB" };
    size_t u = 0;
    while (bytes >= 1024 && u + 1 < sizeof unit / sizeof unit[0]) {
        bytes /= 1024;
        u++;
    }
    if (ceil_whole)
        snprintf(out, len, "%.0f%s", ceil(bytes), unit[u]);
    else
        snprintf(out, len, "%.4g %s", bytes, unit[u]);
}

void ws_limits_check(const ws_config *cfg, const ws_ccheck *c)
{
    const ws_limits_config *lim = &cfg->sim.limits;
    double need = ws_limits_memory_bytes(cfg);
    if (need > lim->memory_bytes) {
        double tiles = (double)cfg->hw.grid.x * (double)cfg->hw.grid.y;
        const ws_llc_config *l = &cfg->hw.tile.llc;
        double llc = l->size_bytes / l->line_bytes * LLC_BYTES_PER_LINE * tiles;
        char total[32], have[32], llc_s[32], buf_s[32], raise[32];
        human_size(need, false, total, sizeof total);
        human_size(lim->memory_bytes, false, have, sizeof have);
        human_size(llc, false, llc_s, sizeof llc_s);
        human_size(need - llc, false, buf_s, sizeof buf_s);
        human_size(need, true, raise, sizeof raise);
        bool llc_big = llc >= need - llc;
        ws_pos pos = pos_of(c, llc_big ? "hw.tile.llc.size" : "noc.vc_buffer_flits");
        ws_diag_error(c->diag, pos, "sim.limits.memory",
                      "this config needs about %s of memory (%.0f tiles: LLC tag stores %s, router buffers "
                      "%s), more than the limit of %s; raise sim.limits.memory (e.g. --set "
                      "sim.limits.memory=%s) if the machine has it", total, tiles, llc_s, buf_s, have, raise);
    }
    if (cfg->workload.requests > lim->requests) {
        ws_diag_error(c->diag, pos_of(c, "workload.requests"), "workload.requests",
                      "%lld synthetic requests, more than the limit of %lld; raise sim.limits.requests "
                      "(e.g. --set sim.limits.requests=%lld; at most 4294967295, the reach of request "
                      "indices) if you mean it", (long long)cfg->workload.requests, (long long)lim->requests,
                      cfg->workload.requests < 4294967295LL ? (long long)cfg->workload.requests : 4294967295LL);
    }
}
