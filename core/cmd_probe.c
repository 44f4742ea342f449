/* core/cmd_probe.c — `wafersim probe KIND CONFIG`: calibration
 * microbenchmarks that run one component of the configured tile in
 * isolation, so users can compare them with measurements of their hardware.
 *   hbm   isolated-request latency and streaming read bandwidth of one
 *         tile's HBM for request sizes from 64 B to 64 MiB.
 * (gemm and p2p join when the model zoo and the network land.) */
#include <stdio.h>
#include <string.h>

#include "core/cli.h"
#include "core/commands.h"
#include "core/config.h"
#include "mem/hbm.h"

/* Streams reads of `size` bytes as fast as the queues accept until `total`
 * bytes are issued; returns bytes per tick over the data phase. */
static double hbm_streaming(const mem_hbm_params *p, uint64_t size, uint64_t total)
{
    mem_hbm *h = mem_hbm_new(p);
    uint64_t addr = 0;
    ws_tick last_done = 0, first = 0;
    for (ws_tick t = 0; addr < total; t++)
        while (addr < total && mem_hbm_can_accept(h, t, addr, size)) {
            last_done = mem_hbm_issue(h, t, addr, size, MEM_HBM_READ_LOCAL);
            addr += size;
        }
    mem_hbm_free(h);
    return (double)addr / (double)(last_done - p->latency - first);
}

static int probe_hbm(const ws_config *cfg, ws_table *t)
{
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

int ws_cmd_probe(int argc, char **argv)
{
    const ws_command *cmd = ws_command_find("probe");
    if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
        fputs(cmd->usage, stdout);
        return WS_EXIT_OK;
    }
    if (argc < 2 || strcmp(argv[1], "hbm")) {
        fprintf(stderr, "wafersim probe: expected a probe kind (hbm)%s%s\n%s", argc >= 2 ? ", found " : "",
                argc >= 2 ? argv[1] : "", cmd->usage);
        return WS_EXIT_BAD_INPUT;
    }
    ws_cli_opts o;
    int rc = ws_cli_parse(argc - 1, argv + 1, cmd, WS_OPT_FORMAT | WS_OPT_OUT | WS_OPT_SET, &o);
    if (rc)
        return rc > 0 ? WS_EXIT_OK : WS_EXIT_BAD_INPUT;
    if (o.n_args != 1) {
        fprintf(stderr, "wafersim probe hbm: expected exactly one config file, found %zu\n", o.n_args);
        ws_cli_opts_free(&o);
        return WS_EXIT_BAD_INPUT;
    }
    ws_config cfg;
    rc = ws_cli_load_config(o.args[0], &o, &cfg);
    if (rc) {
        ws_cli_opts_free(&o);
        return rc;
    }
    static const char *const cols[] = { "request_bytes", "isolated_latency_ns", "streaming_read_GB_per_s",
                                        "fraction_of_peak" };
    ws_table *t = ws_table_new("HBM probe: one tile, reads only (GB = 1e9 B)", 4, cols);
    rc = probe_hbm(&cfg, t);
    if (!rc) {
        ws_provenance p;
        ws_cli_provenance_config(&p, "wafersim probe hbm", o.args[0], &cfg);
        char err[512];
        if (ws_table_write(t, &p, o.format, o.out, err, sizeof err) != 0) {
            fprintf(stderr, "wafersim probe hbm: %s\n", err);
            rc = WS_EXIT_RUNTIME;
        }
    }
    ws_table_free(t);
    ws_config_free(&cfg);
    ws_cli_opts_free(&o);
    return rc;
}
