/* noc/noc_schema.c — schema of the `noc:` and `traffic:` config sections
 * and the whole-config NoC checks; contract in noc/noc_schema.h. */
#include "noc/noc_schema.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "noc/pattern.h"
#include "noc/routing.h"

#define FIELD(T, m) offsetof(T, m)

/* ------------------------------------------------------------ noc */

static const char *const link_select_names[] = { "all", "horizontal", "vertical", "list", NULL };

static const ws_cfield override_fields[] = {
    { .key = "select", .type = WS_CT_ENUM, .offset = FIELD(ws_link_override, select),
      .names = link_select_names, .def = "all",
      .doc = "which links: all, horizontal (E-W), vertical (N-S), or the `links` list" },
    { .key = "links", .type = WS_CT_LIST, .elem = WS_CT_STRING, .offset = FIELD(ws_link_override, links),
      .def = "[]", .min = 0, .max = 1e6,
      .doc = "with select: list, links as \"X,Y-X,Y\" (both directions) or \"X,Y>X,Y\" (one direction)" },
    { .key = "width_scale", .type = WS_CT_FLOAT, .offset = FIELD(ws_link_override, width_scale), .def = "1",
      .min = 1e-3, .max = 1e6, .doc = "link bandwidth = hw.link.bandwidth x width_scale" },
    { .key = "latency_scale", .type = WS_CT_FLOAT, .offset = FIELD(ws_link_override, latency_scale),
      .def = "1", .min = 0, .max = 1e6, .doc = "link latency = hw.link.latency x latency_scale" },
};
static void override_check(void *obj, const ws_ccheck *c)
{
    const ws_link_override *o = obj;
    if (o->select == WS_LINKS_LIST && o->links.n == 0)
        ws_ccheck_error(c, "links", "select: list needs at least one link in `links`");
    if (o->select != WS_LINKS_LIST && o->links.n != 0)
        ws_ccheck_error(c, "links", "`links` is only read with select: list (found select: %s)",
                        link_select_names[o->select]);
}
static const ws_cschema override_schema = { "link override", sizeof(ws_link_override), override_fields,
                                            sizeof override_fields / sizeof override_fields[0],
                                            override_check };

static const char *const switching_names[] = { "wormhole", "vct", NULL };

static const ws_cfield noc_fields[] = {
    { .key = "vcs", .type = WS_CT_INT, .offset = FIELD(ws_noc_config, vcs), .def = "4", .min = 1, .max = 16,
      .doc = "virtual channels per router port (BookSim num_vcs)" },
    { .key = "vc_buffer_flits", .type = WS_CT_INT, .offset = FIELD(ws_noc_config, vc_buffer_flits), .def = "8",
      .min = 1, .max = 4096, .doc = "input buffer depth per VC, in flits (BookSim vc_buf_size)" },
    { .key = "credit_delay", .type = WS_CT_QTY, .unit = WS_UNIT_TIME, .offset = FIELD(ws_noc_config, credit_delay_s),
      .def = "1 cycles", .min = 0, .max = WS_NO_LIMIT_MAX,
      .doc = "credit processing delay; a credit reaches the upstream router credit_delay + link latency "
             "(at least 1 cycle) after its flit leaves the buffer" },
    { .key = "routing_delay", .type = WS_CT_QTY, .unit = WS_UNIT_TIME,
      .offset = FIELD(ws_noc_config, routing_delay_s), .def = "1 cycles", .min = 0, .max = WS_NO_LIMIT_MAX,
      .doc = "route computation stage" },
    { .key = "vc_alloc_delay", .type = WS_CT_QTY, .unit = WS_UNIT_TIME,
      .offset = FIELD(ws_noc_config, vc_alloc_delay_s), .def = "1 cycles", .min = 0, .max = WS_NO_LIMIT_MAX,
      .doc = "VC allocation stage" },
    { .key = "sw_alloc_delay", .type = WS_CT_QTY, .unit = WS_UNIT_TIME,
      .offset = FIELD(ws_noc_config, sw_alloc_delay_s), .def = "1 cycles", .min = 0, .max = WS_NO_LIMIT_MAX,
      .doc = "switch allocation stage" },
    { .key = "st_delay", .type = WS_CT_QTY, .unit = WS_UNIT_TIME, .offset = FIELD(ws_noc_config, st_delay_s),
      .def = "1 cycles", .min = 0, .max = WS_NO_LIMIT_MAX, .doc = "switch (crossbar) traversal stage" },
    { .key = "flit_size", .type = WS_CT_QTY, .unit = WS_UNIT_SIZE, .offset = FIELD(ws_noc_config, flit_bytes),
      .def = "64 KiB", .min = 1, .max = 1e12,
      .doc = "the unit routers arbitrate; a flit occupies a link for ceil(its bytes / link bytes per cycle) "
             "cycles (a message's last flit carries the rest: it may be partial)" },
    { .key = "packet_flits", .type = WS_CT_INT, .offset = FIELD(ws_noc_config, packet_flits), .def = "16",
      .min = 1, .max = 65535, .doc = "largest packet, in flits, the network interface cuts a message into" },
    { .key = "switching", .type = WS_CT_ENUM, .offset = FIELD(ws_noc_config, switching), .names = switching_names,
      .def = "wormhole",
      .doc = "wormhole, or virtual cut-through (vct: a VC is granted only with room for the whole packet)" },
    { .key = "input_speedup", .type = WS_CT_INT, .offset = FIELD(ws_noc_config, input_speedup), .def = "1",
      .min = 1, .max = 4, .doc = "crossbar inputs per router input port (BookSim input_speedup)" },
    { .key = "half_duplex", .type = WS_CT_BOOL, .offset = FIELD(ws_noc_config, half_duplex), .def = "false",
      .doc = "one channel shared by both directions of each neighbour pair (default: one per direction)" },
    { .key = "flit_streaming", .type = WS_CT_BOOL, .offset = FIELD(ws_noc_config, flit_streaming),
      .def = "false",
      .doc = "cut-through within a flit: a flit is visible downstream when its head arrives (as if it took 1 "
             "cycle to serialise) and ejected when its tail does; a link carrying it is busy until its "
             "bytes have arrived (default: store-and-forward, a flit moves as a whole)" },
    { .key = "link_overrides", .type = WS_CT_LIST, .elem = WS_CT_SECTION, .sub = &override_schema,
      .offset = FIELD(ws_noc_config, link_overrides), .def = "[]", .min = 0, .max = 1e6,
      .doc = "per-link width and latency changes, applied in order" },
    { .key = "allow_test_routing", .type = WS_CT_BOOL, .offset = FIELD(ws_noc_config, allow_test_routing),
      .def = "false", .doc = "TEST ONLY: permit routing functions that deadlock by design" },
};
static void noc_check(void *obj, const ws_ccheck *c)
{
    const ws_noc_config *n = obj;
    if (n->switching == WS_SWITCHING_VCT && n->vc_buffer_flits < n->packet_flits)
        ws_ccheck_error(c, "vc_buffer_flits",
                        "virtual cut-through needs a VC buffer of at least packet_flits (%lld) flits, found %lld",
                        (long long)n->packet_flits, (long long)n->vc_buffer_flits);
}
const ws_cschema noc_config_schema = { "noc", sizeof(ws_noc_config), noc_fields,
                                       sizeof noc_fields / sizeof noc_fields[0], noc_check };

/* ------------------------------------------------------------ traffic */

#define NOC_PATTERN_NAME(SUFFIX, name, summary) #name,
static const char *const pattern_names[] = { NOC_PATTERN_LIST(NOC_PATTERN_NAME) NULL };
#undef NOC_PATTERN_NAME
static const char *const injection_names[] = { "bernoulli", "on_off", NULL };
static const char *const rate_unit_names[] = { "flits", "packets", NULL };

static const ws_cfield measure_fields[] = {
    { .key = "sample_period", .type = WS_CT_QTY, .unit = WS_UNIT_TIME,
      .offset = FIELD(ws_measure_config, sample_period_s), .def = "1000 cycles", .min = 0, .max = WS_NO_LIMIT_MAX,
      .doc = "length of one sample period (BookSim sample_period)" },
    { .key = "warmup_threshold", .type = WS_CT_QTY, .unit = WS_UNIT_PERCENT,
      .offset = FIELD(ws_measure_config, warmup_threshold), .def = "5%", .min = 0, .max = 1,
      .doc = "warm-up ends when mean latency and accepted throughput change less than this between "
             "sample periods (BookSim warmup_threshold)" },
    { .key = "max_warmup_samples", .type = WS_CT_INT, .offset = FIELD(ws_measure_config, max_warmup_samples),
      .def = "20", .min = 1, .max = 100000, .doc = "give up warming up after this many sample periods" },
    { .key = "samples", .type = WS_CT_INT, .offset = FIELD(ws_measure_config, samples), .def = "3", .min = 1,
      .max = 100000, .doc = "sample periods whose packets are measured" },
    { .key = "latency_threshold", .type = WS_CT_QTY, .unit = WS_UNIT_TIME,
      .offset = FIELD(ws_measure_config, latency_threshold_s), .def = "500 cycles", .min = 0, .max = WS_NO_LIMIT_MAX,
      .doc = "a point is saturated when a sample's mean packet latency exceeds this (BookSim latency_thres)" },
    { .key = "accept_tolerance", .type = WS_CT_QTY, .unit = WS_UNIT_PERCENT,
      .offset = FIELD(ws_measure_config, accept_tolerance), .def = "5%", .min = 0, .max = 1,
      .doc = "a point is saturated when accepted throughput is below offered by more than this fraction" },
    { .key = "max_drain", .type = WS_CT_QTY, .unit = WS_UNIT_TIME, .offset = FIELD(ws_measure_config, max_drain_s),
      .def = "100000 cycles", .min = 0, .max = WS_NO_LIMIT_MAX,
      .doc = "a point is saturated when its measured packets have not all arrived this long after measuring" },
};
static const ws_cschema measure_schema = { "measure", sizeof(ws_measure_config), measure_fields,
                                           sizeof measure_fields / sizeof measure_fields[0], NULL };

static const ws_cfield traffic_fields[] = {
    { .key = "pattern", .type = WS_CT_ENUM, .offset = FIELD(ws_traffic_config, pattern), .names = pattern_names,
      .def = "uniform", .doc = "destination pattern (registry: noc/pattern_list.h; doc/noc.md)" },
    { .key = "exclude_self", .type = WS_CT_BOOL, .offset = FIELD(ws_traffic_config, exclude_self),
      .def = "false", .doc = "uniform and hotspot never pick the source itself" },
    { .key = "injection", .type = WS_CT_ENUM, .offset = FIELD(ws_traffic_config, injection),
      .names = injection_names, .def = "bernoulli",
      .doc = "bernoulli (a packet each cycle with a fixed probability) or on_off (bursts)" },
    { .key = "burst_alpha", .type = WS_CT_FLOAT, .offset = FIELD(ws_traffic_config, burst_alpha), .def = "0.5",
      .min = 1e-9, .max = 1, .doc = "on_off: probability per cycle of switching off -> on (BookSim burst_alpha)" },
    { .key = "burst_beta", .type = WS_CT_FLOAT, .offset = FIELD(ws_traffic_config, burst_beta), .def = "0.5",
      .min = 1e-9, .max = 1, .doc = "on_off: probability per cycle of switching on -> off (BookSim burst_beta)" },
    { .key = "rate_unit", .type = WS_CT_ENUM, .offset = FIELD(ws_traffic_config, rate_unit),
      .names = rate_unit_names, .def = "flits", .doc = "rates are flits or packets per node per cycle" },
    { .key = "rates", .type = WS_CT_LIST, .elem = WS_CT_FLOAT, .offset = FIELD(ws_traffic_config, rates),
      .def = "[0.05, 0.1, 0.2, 0.3, 0.4, 0.5]", .min = 0, .max = 1e6,
      .doc = "offered loads of the sweep, per node per cycle in rate_unit (each in (0, 1])" },
    { .key = "packet_flits", .type = WS_CT_LIST, .elem = WS_CT_INT, .offset = FIELD(ws_traffic_config, packet_flits),
      .def = "[1]", .min = 1, .max = 65535, .doc = "packet sizes in flits (BookSim packet_size)" },
    { .key = "packet_weights", .type = WS_CT_LIST, .elem = WS_CT_FLOAT,
      .offset = FIELD(ws_traffic_config, packet_weights), .def = "[]", .min = 0, .max = 1e9,
      .doc = "relative frequency of each packet size; empty = equal (BookSim packet_size_rate)" },
    { .key = "hotspot_nodes", .type = WS_CT_LIST, .elem = WS_CT_INT,
      .offset = FIELD(ws_traffic_config, hotspot_nodes), .def = "[0]", .min = 0, .max = 65535,
      .doc = "hotspot: the hot node ids (y * grid.x + x)" },
    { .key = "hotspot_fraction", .type = WS_CT_QTY, .unit = WS_UNIT_PERCENT,
      .offset = FIELD(ws_traffic_config, hotspot_fraction), .def = "10%", .min = 0, .max = 1,
      .doc = "hotspot: share of packets sent to a hot node" },
    { .key = "measure", .type = WS_CT_SECTION, .offset = FIELD(ws_traffic_config, measure), .sub = &measure_schema,
      .doc = "measurement protocol (warm-up, samples, drain, saturation)" },
};
static void traffic_check(void *obj, const ws_ccheck *c)
{
    const ws_traffic_config *t = obj;
    const double *r = t->rates.items;
    if (t->rates.n == 0)
        ws_ccheck_error(c, "rates", "expected at least one offered load");
    for (size_t i = 0; i < t->rates.n; i++)
        if (!(r[i] > 0 && r[i] <= 1)) {
            ws_ccheck_error(c, "rates", "expected rates in (0, 1] per node per cycle, found %g (entry %zu)", r[i], i);
            break;
        }
    if (t->packet_weights.n && t->packet_weights.n != t->packet_flits.n)
        ws_ccheck_error(c, "packet_weights", "expected %zu weights (one per packet size), found %zu",
                        t->packet_flits.n, t->packet_weights.n);
    double wsum = 0;
    for (size_t i = 0; i < t->packet_weights.n; i++)
        wsum += ((const double *)t->packet_weights.items)[i];
    if (t->packet_weights.n && !(wsum > 0))
        ws_ccheck_error(c, "packet_weights", "the weights must not all be zero");
    if (t->pattern == WS_PATTERN_HOTSPOT && t->hotspot_nodes.n == 0)
        ws_ccheck_error(c, "hotspot_nodes", "pattern hotspot needs at least one hot node");
}
const ws_cschema noc_traffic_schema = { "traffic", sizeof(ws_traffic_config), traffic_fields,
                                        sizeof traffic_fields / sizeof traffic_fields[0], traffic_check };

/* ------------------------------------------------------------ whole config */

uint64_t noc_config_ticks(const ws_config *cfg, double seconds)
{
    double t = seconds * cfg->sim.clock_hz;
    if (!(t < 1152921504606846976.0))
        return 1152921504606846976ull;
    return ws_config_ticks(cfg, seconds);
}

int noc_parse_link(const char *text, int *x0, int *y0, int *x1, int *y1, bool *both, char *err,
                   size_t err_len)
{
    char sep;
    int used = 0;
    if (sscanf(text, " %d , %d %c %d , %d %n", x0, y0, &sep, x1, y1, &used) != 5 || text[used] ||
        (sep != '-' && sep != '>')) {
        snprintf(err, err_len, "expected a link as \"X,Y-X,Y\" or \"X,Y>X,Y\", found \"%s\"", text);
        return -1;
    }
    *both = sep == '-';
    if (abs(*x0 - *x1) + abs(*y0 - *y1) != 1) {
        snprintf(err, err_len, "\"%s\" does not join two neighbouring tiles", text);
        return -1;
    }
    return 0;
}

static bool override_matches(const ws_link_override *o, int x0, int y0, int x1, int y1)
{
    switch (o->select) {
    case WS_LINKS_ALL: return true;
    case WS_LINKS_HORIZONTAL: return y0 == y1;
    case WS_LINKS_VERTICAL: return x0 == x1;
    default: break;
    }
    char *const *links = o->links.items;
    for (size_t j = 0; j < o->links.n; j++) {
        int a, b, c, d;
        bool both;
        char err[128];
        if (noc_parse_link(links[j], &a, &b, &c, &d, &both, err, sizeof err) != 0)
            continue;
        if (a == x0 && b == y0 && c == x1 && d == y1)
            return true;
        if (both && a == x1 && b == y1 && c == x0 && d == y0)
            return true;
    }
    return false;
}

void noc_link_scales(const ws_config *cfg, int x0, int y0, int x1, int y1, double *width, double *latency)
{
    const ws_link_override *ov = cfg->noc.link_overrides.items;
    *width = *latency = 1;
    for (size_t i = 0; i < cfg->noc.link_overrides.n; i++)
        if (override_matches(&ov[i], x0, y0, x1, y1)) {
            *width = ov[i].width_scale;
            *latency = ov[i].latency_scale;
        }
}

/* A check context for the section at `key` of the root mapping. */
static ws_ccheck sub_check(const ws_ccheck *root, const char *key, char *path, size_t len)
{
    ws_ccheck c = *root;
    c.node = root->node ? ws_ynode_map_get(root->node, key) : NULL;
    if (c.node && c.node->kind != WS_YMAPPING)
        c.node = NULL;
    snprintf(path, len, "%s%s%s", root->path && *root->path ? root->path : "",
             root->path && *root->path ? "." : "", key);
    c.path = path;
    if (!c.node)
        c.node = root->node;
    return c;
}

void noc_config_cross_check(const ws_config *cfg, const ws_ccheck *root)
{
    char hw_path[64], noc_path[64], tr_path[64];
    ws_ccheck hw = sub_check(root, "hw", hw_path, sizeof hw_path);
    ws_ccheck noc = sub_check(root, "noc", noc_path, sizeof noc_path);
    ws_ccheck tr = sub_check(root, "traffic", tr_path, sizeof tr_path);
    int kx = (int)cfg->hw.grid.x, ky = (int)cfg->hw.grid.y;
    if (kx < 1 || ky < 1)
        return;   /* already reported */
    const noc_routing_entry *re = &noc_routing_registry[cfg->hw.routing];
    if (re->test_only && !cfg->noc.allow_test_routing)
        ws_ccheck_error(&hw, "routing", "routing function '%s' deadlocks by design and is for tests only; "
                        "set noc.allow_test_routing: true to use it", re->name);
    if (cfg->hw.routing == WS_ROUTING_TEST_DEADLOCK_RING && !(kx == 2 || ky == 2))
        ws_ccheck_error(&hw, "routing", "routing function '%s' needs a grid 2 tiles wide or high, found %d x %d",
                        re->name, kx, ky);
    const noc_pattern *p = &noc_pattern_registry[cfg->traffic.pattern];
    const char *why = noc_pattern_unsupported(p, kx, ky);
    if (why)
        ws_ccheck_error(&tr, "pattern", "%s, found a %d x %d grid", why, kx, ky);
    const int64_t *hot = cfg->traffic.hotspot_nodes.items;
    for (size_t i = 0; i < cfg->traffic.hotspot_nodes.n; i++)
        if (hot[i] >= (int64_t)kx * ky) {
            ws_ccheck_error(&tr, "hotspot_nodes", "node %lld is off the %d x %d grid (ids 0..%d)",
                            (long long)hot[i], kx, ky, kx * ky - 1);
            break;
        }
    const int64_t *sizes = cfg->traffic.packet_flits.items;
    const double *w = cfg->traffic.packet_weights.items;
    double wsum = 0, mean = 0;
    for (size_t i = 0; i < cfg->traffic.packet_flits.n; i++) {
        double wi = cfg->traffic.packet_weights.n == cfg->traffic.packet_flits.n ? w[i] : 1.0;
        wsum += wi;
        mean += wi * (double)sizes[i];
        if (cfg->noc.switching == WS_SWITCHING_VCT && sizes[i] > cfg->noc.vc_buffer_flits)
            ws_ccheck_error(&tr, "packet_flits", "virtual cut-through needs every packet (%lld flits) to fit a "
                            "VC buffer (noc.vc_buffer_flits = %lld)", (long long)sizes[i],
                            (long long)cfg->noc.vc_buffer_flits);
    }
    mean = wsum > 0 ? mean / wsum : 1;
    const double *rates = cfg->traffic.rates.items;
    for (size_t i = 0; i < cfg->traffic.rates.n; i++) {
        double pk = cfg->traffic.rate_unit == WS_RATE_FLITS ? rates[i] / mean : rates[i];
        if (cfg->traffic.injection == WS_INJECTION_ON_OFF)
            pk *= (cfg->traffic.burst_alpha + cfg->traffic.burst_beta) / cfg->traffic.burst_alpha;
        if (pk > 1) {
            ws_ccheck_error(&tr, "rates", "offered load %g needs %.3g packets per node per cycle%s, more than "
                            "one", rates[i], pk,
                            cfg->traffic.injection == WS_INJECTION_ON_OFF ? " while on" : "");
            break;
        }
    }
    const ws_link_override *o = cfg->noc.link_overrides.items;
    for (size_t i = 0; i < cfg->noc.link_overrides.n; i++) {
        char *const *links = o[i].links.items;
        for (size_t j = 0; j < o[i].links.n; j++) {
            int x0, y0, x1, y1;
            bool both;
            char err[256];
            if (noc_parse_link(links[j], &x0, &y0, &x1, &y1, &both, err, sizeof err) != 0)
                ws_ccheck_error(&noc, "link_overrides", "entry %zu: %s", i, err);
            else if (x0 < 0 || y0 < 0 || x1 < 0 || y1 < 0 || x0 >= kx || x1 >= kx || y0 >= ky || y1 >= ky)
                ws_ccheck_error(&noc, "link_overrides", "entry %zu: link \"%s\" is off the %d x %d grid", i,
                                links[j], kx, ky);
        }
    }
}
