/* bench/bench_noc.c — network speed benchmark (a reported figure, not a
 * test): runs the mesh of configs/noc/mesh8x8.yaml under uniform Bernoulli
 * traffic of 1-flit packets (4 VCs x 8 flits) on
 *   an 8 x 8 mesh at 0.3 flits/node/cycle,
 *   a 64 x 64 mesh at 0.1 flits/node/cycle (the figure; beyond
 *   the uniform saturation bound 4/k = 0.0625, so source queues grow), and
 *   a 64 x 64 mesh at 0.03 flits/node/cycle (below saturation),
 * after a warm-up, and prints router-cycles simulated per second of wall
 * time (routers x cycles / seconds) on one core, and per second of the
 * process's CPU time (which other jobs on a shared machine disturb less).
 * Run with `make bench`; doc/performance.md records the figures. */
#define _POSIX_C_SOURCE 200809L
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "core/config.h"
#include "core/engine.h"
#include "noc/network.h"
#include "noc/traffic.h"

#ifndef WS_SRC_CONFIGDIR
#define WS_SRC_CONFIGDIR "configs"
#endif

static double clock_s(clockid_t which)
{
    struct timespec ts;
    clock_gettime(which, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int bench(int k, double rate, ws_tick warm, ws_tick cycles)
{
    char grid[64];
    snprintf(grid, sizeof grid, "hw.grid={x: %d, y: %d}", k, k);
    /* the tiles' memory estimate (LLC tag stores) does not apply: the
     * bench builds only the network */
    const char *sets[] = { grid, "traffic.packet_flits=[1]", "noc.vcs=4", "noc.vc_buffer_flits=8",
                           "sim.limits.memory=64GiB" };
    ws_diag d;
    ws_diag_init(&d, 20);
    ws_config cfg;
    if (ws_config_load(&cfg, WS_SRC_CONFIGDIR "/noc/mesh8x8.yaml", sets, 5, &d) != 0) {
        ws_diag_print(&d, stderr);
        return 1;
    }
    ws_engine *e = ws_engine_new(1);
    char err[256];
    noc_network *n = noc_network_new(e, &cfg, NULL, err, sizeof err);
    noc_traffic *t = noc_traffic_new(&cfg, rate, 1);
    noc_network_set_traffic(n, t);
    ws_engine_run(e, warm - 1);
    noc_counts c0, c1;
    noc_network_counts(n, &c0);
    double t0 = clock_s(CLOCK_MONOTONIC), c0s = clock_s(CLOCK_PROCESS_CPUTIME_ID);
    ws_engine_run(e, warm + cycles - 1);
    double dt = clock_s(CLOCK_MONOTONIC) - t0, dc = clock_s(CLOCK_PROCESS_CPUTIME_ID) - c0s;
    noc_network_counts(n, &c1);
    double rc = (double)k * k * (double)cycles;
    printf("%dx%d mesh, uniform, 1-flit packets, 4 VCs x 8 flits, offered %.2f flits/node/cycle: "
           "%llu cycles in %.3f s, %.3g router-cycles/s (CPU time %.3f s, %.3g router-cycles/s; accepted %.3f "
           "flits/node/cycle)\n",
           k, k, rate, (unsigned long long)cycles, dt, rc / dt, dc, rc / dc,
           (double)(c1.flits_ejected - c0.flits_ejected) / ((double)k * k * (double)cycles));
    noc_network_free(n);
    noc_traffic_free(t);
    ws_engine_free(e);
    ws_config_free(&cfg);
    ws_diag_free(&d);
    return 0;
}

/* Parses argument `s` (named `what`) as a number within [lo, hi];
 * prints why not and returns false otherwise. */
static bool parse_arg(const char *s, const char *what, double lo, double hi, double *out)
{
    char *end;
    double x = strtod(s, &end);
    if (end == s || *end || !(x >= lo && x <= hi)) {
        fprintf(stderr, "bench_noc: %s must be a number in [%g, %g], not '%s'\n", what, lo, hi, s);
        return false;
    }
    *out = x;
    return true;
}

int main(int argc, char **argv)
{
    if (argc == 4 || argc == 5) {   /* bench_noc K RATE CYCLES [WARM]: one custom run (profiling) */
        double k, rate, cycles, warm = 2000;
        if (!parse_arg(argv[1], "K (mesh side)", 2, 256, &k) || !parse_arg(argv[2], "RATE", 0, 1, &rate) ||
            !parse_arg(argv[3], "CYCLES", 1, 1e12, &cycles) ||
            (argc == 5 && !parse_arg(argv[4], "WARM (warm-up cycles)", 1, 1e12, &warm)))
            return 2;
        if (k != (int)k) {
            fprintf(stderr, "bench_noc: K (mesh side) must be a whole number, not '%s'\n", argv[1]);
            return 2;
        }
        return bench((int)k, rate, (ws_tick)warm, (ws_tick)cycles);
    }
    if (argc != 1) {
        fprintf(stderr, "usage: bench_noc [K RATE CYCLES [WARM]]\n");
        return 2;
    }
    int rc = bench(8, 0.3, 2000, 200000);
    rc |= bench(64, 0.1, 2000, 3000);
    rc |= bench(64, 0.03, 2000, 3000);
    return rc;
}
