/* core/cmd_probe.c — `wafersim probe KIND CONFIG`: calibration
 * microbenchmarks that run one component of the configured tile in
 * isolation, so users can compare them with measurements of their hardware.
 * One row of probe_kinds[] per kind:
 *   hbm   isolated-request latency and streaming read bandwidth of one
 *         tile's HBM for request sizes from 64 B to 64 MiB;
 *   gemm  time and achieved FLOP/s of one expert (three matrices) of a
 *         model for 1 to 16384 tokens on one tile;
 *   p2p   one read of 4 KiB to 4 GiB from one tile's HBM by another tile
 *         over the network (arch/d2d.h), with its parts. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arch/compute.h"
#include "arch/d2d.h"
#include "arch/net_plan.h"
#include "core/cli.h"
#include "core/commands.h"
#include "core/config.h"
#include "core/xalloc.h"
#include "mem/hbm.h"
#include "noc/noc_schema.h"
#include "workload/model.h"

typedef struct probe_args {
    const ws_config *cfg;
    const char *model;         /* --model, NULL when not given */
    const char *from, *to;     /* --from X,Y and --to X,Y (p2p) */
} probe_args;

typedef struct probe_kind {
    const char *name;
    const char *title;
    size_t n_columns;
    const char *const *columns;
    int (*run)(const probe_args *a, ws_table *t);
} probe_kind;

/* ------------------------------------------------------------ hbm */

/* Streams reads of `size` bytes as fast as the queues accept until `total`
 * bytes are issued; returns bytes per tick over the data phase. */
static double hbm_streaming(const mem_hbm_params *p, uint64_t size, uint64_t total)
{
    mem_hbm *h = mem_hbm_new(p);
    uint64_t addr = 0;
    ws_tick last_done = 0;
    for (ws_tick t = 0; addr < total; t++)
        while (addr < total && mem_hbm_can_accept(h, t, addr, size)) {
            last_done = mem_hbm_issue(h, t, addr, size, MEM_HBM_READ_LOCAL);
            addr += size;
        }
    mem_hbm_free(h);
    return (double)addr / (double)(last_done - p->latency);
}

static int probe_hbm(const probe_args *a, ws_table *t)
{
    const ws_config *cfg = a->cfg;
    mem_hbm_params p;
    mem_hbm_params_from_config(cfg, &p);
    const char *why = mem_hbm_check(&p);
    if (why) {
        fprintf(stderr, "wafersim probe hbm: %s\n", why);
        return WS_EXIT_BAD_INPUT;
    }
    double ns_per_tick = 1e9 / cfg->sim.clock_hz;
    double peak_gbps = cfg->hw.tile.hbm.bandwidth_bytes_per_s / 1e9;
    for (uint64_t size = 64; size <= (64ULL << 20); size *= 4) {
        mem_hbm *h = mem_hbm_new(&p);
        ws_tick isolated = mem_hbm_issue(h, 0, 0, size, MEM_HBM_READ_LOCAL);
        mem_hbm_free(h);
        uint64_t total = size * 64 > (256ULL << 20) ? size * 64 : (256ULL << 20);
        double gbps = hbm_streaming(&p, size, total) * cfg->sim.clock_hz / 1e9;
        size_t r = ws_table_add_row(t);
        ws_table_set_int(t, r, 0, (int64_t)size);
        ws_table_set_double(t, r, 1, (double)isolated * ns_per_tick);
        ws_table_set_double(t, r, 2, gbps);
        ws_table_set_double(t, r, 3, gbps / peak_gbps);
    }
    return 0;
}

static const char *const hbm_columns[] = { "request_bytes", "isolated_latency_ns", "streaming_read_GB_per_s",
                                           "fraction_of_peak" };

/* ------------------------------------------------------------ gemm */

static int probe_gemm(const probe_args *a, ws_table *t)
{
    if (!a->model) {
        fprintf(stderr, "wafersim probe gemm: --model NAME|FILE is required (see wafersim model list)\n");
        return WS_EXIT_BAD_INPUT;
    }
    wl_model m;
    if (wl_model_load_reporting(&m, a->model, stderr) != 0)
        return WS_EXIT_BAD_INPUT;
    const ws_clist *eff = &a->cfg->hw.tile.compute.efficiency;
    double *tokens = ws_xcalloc(eff->n + 1, sizeof *tokens);
    double *values = ws_xcalloc(eff->n + 1, sizeof *values);
    arch_compute_params p;
    arch_compute_params_from_config(a->cfg, &p, tokens, values);
    arch_compute *c = arch_compute_new(&p);
    double dtype_bytes = m.dtype_bits / 8.0;
    double us_per_tick = 1e6 / a->cfg->sim.clock_hz;
    for (uint64_t n = 1; n <= 16384; n *= 2) {
        /* one expert: gate, up and down, each hidden x ffn */
        double ticks = 3 * arch_compute_gemm_ticks(c, n, (uint64_t)m.hidden, (uint64_t)m.expert_ffn, dtype_bytes);
        double flops = 3 * arch_gemm_flops(n, (uint64_t)m.hidden, (uint64_t)m.expert_ffn);
        double eff_n = arch_compute_efficiency(c, n, (uint64_t)m.hidden, (uint64_t)m.expert_ffn, dtype_bytes);
        size_t r = ws_table_add_row(t);
        ws_table_set_str(t, r, 0, m.name);
        ws_table_set_int(t, r, 1, (int64_t)n);
        ws_table_set_double(t, r, 2, ticks * us_per_tick);
        ws_table_set_double(t, r, 3, flops / (ticks * us_per_tick * 1e-6) / 1e12);
        ws_table_set_double(t, r, 4, eff_n);
        ws_table_set_str(t, r, 5, p.n_table ? "table" : (eff_n < 1 ? "memory" : "compute"));
    }
    arch_compute_free(c);
    free(tokens);
    free(values);
    wl_model_free(&m);
    return 0;
}

static const char *const gemm_columns[] = { "model", "tokens", "expert_time_us", "achieved_TFLOPS",
                                            "efficiency", "bound" };

/* ------------------------------------------------------------ p2p */

typedef struct p2p_sink {
    ws_tick first, last;
    uint64_t bytes;
} p2p_sink;

static void p2p_on_data(void *owner, ws_tick at, void *cookie, uint64_t bytes, bool last)
{
    p2p_sink *s = owner;
    if (!s->bytes)
        s->first = at;
    s->bytes += bytes;
    if (last)
        s->last = at;
}

/* One read of `bytes` from tile `from` by tile `to` on an idle wafer. */
static int p2p_one(const ws_config *cfg, const arch_net_plan *plan, int from, int to, uint64_t bytes, p2p_sink *s,
                   ws_tick *request_leg)
{
    ws_engine *e = ws_engine_new((uint64_t)cfg->sim.seed);
    ws_engine_set_skipping(e, cfg->sim.activity_skipping);
    ws_engine_set_watchdog(e, ws_config_ticks(cfg, cfg->sim.watchdog_s));
    char err[256];
    noc_network *net = noc_network_new(e, &plan->cfg, NULL, err, sizeof err);
    if (!net) {
        fprintf(stderr, "wafersim probe p2p: %s\n", err);
        ws_engine_free(e);
        return WS_EXIT_BAD_INPUT;
    }
    memset(s, 0, sizeof *s);
    arch_d2d *d = arch_d2d_new(e, net, cfg, p2p_on_data, s);
    arch_d2d_read_req q = { .requester = to, .holder = from, .addr = 0, .bytes = bytes };
    arch_d2d_read(d, 0, &q);
    ws_run_status st = ws_engine_run(e, WS_TICK_NEVER);
    int hops = arch_d2d_distance(d, from, to);
    uint64_t request = (uint64_t)cfg->hw.remote_request_bytes;
    *request_leg = hops ? 2 + noc_network_zero_load_latency_bytes(net, hops, request) + 1 : 1;
    int rc = 0;
    if (st == WS_RUN_NO_PROGRESS) {
        ws_engine_report_stall(e, stderr);
        rc = WS_EXIT_NO_PROGRESS;
    }
    arch_d2d_free(d);
    noc_network_free(net);
    ws_engine_free(e);
    return rc;
}

/* The smallest width scale on the XY route of the data, from -> to (1 on
 * a route of no hop). */
static double route_narrowest_width(const ws_config *cfg, int from, int to)
{
    int kx = (int)cfg->hw.grid.x, x = from % kx, y = from / kx, tx = to % kx, ty = to / kx;
    double narrowest = 1;
    bool first = true;
    while (x != tx || y != ty) {
        int nx = x != tx ? x + (tx > x ? 1 : -1) : x, ny = x != tx ? y : y + (ty > y ? 1 : -1);
        double width, latency;
        noc_link_scales(cfg, x, y, nx, ny, &width, &latency);
        if (first || width < narrowest)
            narrowest = width;
        first = false;
        x = nx, y = ny;
    }
    return narrowest;
}

static int parse_tile(const ws_config *cfg, const char *text, const char *what, int *out)
{
    int x, y;
    char extra;
    if (!text || sscanf(text, "%d,%d%c", &x, &y, &extra) != 2 || x < 0 || y < 0 || x >= cfg->hw.grid.x ||
        y >= cfg->hw.grid.y) {
        fprintf(stderr, "wafersim probe p2p: --%s: expected X,Y of a tile of the %lld x %lld grid, found \"%s\"\n",
                what, (long long)cfg->hw.grid.x, (long long)cfg->hw.grid.y, text ? text : "");
        return -1;
    }
    *out = y * (int)cfg->hw.grid.x + x;
    return 0;
}

static int probe_p2p(const probe_args *a, ws_table *t)
{
    const ws_config *cfg = a->cfg;
    int from, to;
    if (parse_tile(cfg, a->from ? a->from : "0,0", "from", &from) ||
        parse_tile(cfg, a->to ? a->to : "1,0", "to", &to))
        return WS_EXIT_BAD_INPUT;
    char err[512];
    arch_net_plan plan;
    if (arch_net_plan_build(cfg, &plan, err, sizeof err)) {
        fprintf(stderr, "wafersim probe p2p: %s\n", err);
        arch_net_plan_free(&plan);
        return WS_EXIT_BAD_INPUT;
    }
    double narrowest = route_narrowest_width(&plan.cfg, from, to);
    double ns = 1e9 / cfg->sim.clock_hz;
    for (uint64_t size = 4096; size <= (4ULL << 30); size *= 4) {
        p2p_sink s;
        ws_tick request_leg;
        int rc = p2p_one(cfg, &plan, from, to, size, &s, &request_leg);
        if (rc) {
            arch_net_plan_free(&plan);
            return rc;
        }
        size_t r = ws_table_add_row(t);
        ws_table_set_int(t, r, 0, (int64_t)size);
        ws_table_set_int(t, r, 1, abs(from % (int)cfg->hw.grid.x - to % (int)cfg->hw.grid.x) +
                                      abs(from / (int)cfg->hw.grid.x - to / (int)cfg->hw.grid.x));
        ws_table_set_double(t, r, 2, (double)s.last * ns);
        ws_table_set_double(t, r, 3, (double)size / ((double)s.last * ns));
        ws_table_set_double(t, r, 4, (double)request_leg * ns);
        ws_table_set_double(t, r, 5, (double)s.first * ns);
        ws_table_set_double(t, r, 6, (double)size / cfg->hw.tile.hbm.bandwidth_bytes_per_s * 1e9);
        ws_table_set_double(t, r, 7, (double)size / (cfg->hw.link.bandwidth_bytes_per_s * narrowest) * 1e9);
    }
    arch_net_plan_free(&plan);
    return 0;
}

static const char *const p2p_columns[] = { "bytes", "hops", "total_ns", "effective_GB_per_s", "request_leg_ns",
                                           "first_chunk_ns", "hbm_stream_ns", "link_serialisation_ns" };

/* ------------------------------------------------------------ command */

static const probe_kind probe_kinds[] = {
    { "hbm", "HBM probe: one tile, reads only (GB = 1e9 B)", 4, hbm_columns, probe_hbm },
    { "gemm", "GEMM probe: one expert (3 matrices) on one tile", 6, gemm_columns, probe_gemm },
    { "p2p", "P2P probe: one read between two tiles of an idle wafer (GB = 1e9 B)", 8, p2p_columns, probe_p2p },
};

static const probe_kind *find_kind(const char *name)
{
    for (size_t i = 0; i < sizeof probe_kinds / sizeof probe_kinds[0]; i++)
        if (!strcmp(probe_kinds[i].name, name))
            return &probe_kinds[i];
    return NULL;
}

int ws_cmd_probe(int argc, char **argv)
{
    const ws_command *cmd = ws_command_find("probe");
    if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
        fputs(cmd->usage, stdout);
        return WS_EXIT_OK;
    }
    const probe_kind *kind = argc >= 2 ? find_kind(argv[1]) : NULL;
    if (!kind) {
        fprintf(stderr, "wafersim probe: expected a probe kind (hbm, gemm, p2p)%s%s\n%s", argc >= 2 ? ", found " : "",
                argc >= 2 ? argv[1] : "", cmd->usage);
        return WS_EXIT_BAD_INPUT;
    }
    probe_args a = { 0 };
    const ws_cli_extra extra[] = { { .name = "model", .value = &a.model }, { .name = "from", .value = &a.from },
                                   { .name = "to", .value = &a.to } };
    ws_cli_opts o;
    int rc = ws_cli_parse_ex(argc - 1, argv + 1, cmd, WS_OPT_FORMAT | WS_OPT_OUT | WS_OPT_SET,
                             extra, sizeof extra / sizeof extra[0], &o);
    if (rc)
        return rc > 0 ? WS_EXIT_OK : WS_EXIT_BAD_INPUT;
    if (o.n_args != 1) {
        fprintf(stderr, "wafersim probe %s: expected exactly one config file, found %zu\n", kind->name, o.n_args);
        ws_cli_opts_free(&o);
        return WS_EXIT_BAD_INPUT;
    }
    ws_config cfg;
    rc = ws_cli_load_config(o.args[0], &o, &cfg);
    if (rc) {
        ws_cli_opts_free(&o);
        return rc;
    }
    a.cfg = &cfg;
    ws_table *t = ws_table_new(kind->title, kind->n_columns, kind->columns);
    rc = kind->run(&a, t);
    if (!rc) {
        char command[64];
        snprintf(command, sizeof command, "wafersim probe %s", kind->name);
        ws_provenance p;
        ws_cli_provenance_config(&p, command, o.args[0], &cfg);
        char err[512];
        if (ws_table_write(t, &p, o.format, o.out, err, sizeof err) != 0) {
            fprintf(stderr, "%s: %s\n", command, err);
            rc = WS_EXIT_RUNTIME;
        }
    }
    ws_table_free(t);
    ws_config_free(&cfg);
    ws_cli_opts_free(&o);
    return rc;
}
