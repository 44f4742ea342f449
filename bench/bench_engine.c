/* bench/bench_engine.c — engine overhead benchmark (a reported figure, not
 * a test): runs the toy system of the engine tests (sources, a contended
 * switch, sinks, a ring of cells) at a larger size with and without
 * activity skipping and prints component evaluations per second and
 * simulated ticks per second of wall time. Run with `make bench`. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "core/engine.h"
#include "tests/unit/toy_components.h"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void run(bool skipping, unsigned packets, unsigned steps)
{
    toy_params p = { .n_sources = 8, .n_sinks = 8, .n_cells = 16, .n_packets = packets,
                     .cell_steps = steps, .seed = 1 };
    ws_engine *e = ws_engine_new(1);
    ws_engine_set_skipping(e, skipping);
    toy_system *s = toy_system_build(e, &p);
    double t0 = now_s();
    ws_engine_run(e, WS_TICK_NEVER);
    double dt = now_s() - t0;
    ws_engine_stats st;
    ws_engine_stats_get(e, &st);
    printf("%-12s components=%u  simulated_ticks=%llu  evaluations=%llu  wall_s=%.3f  "
           "evaluations_per_s=%.3g  simulated_ticks_per_s=%.3g\n",
           skipping ? "skipping" : "no-skip", 1 + p.n_sources + p.n_sinks + p.n_cells,
           (unsigned long long)st.now + 1, (unsigned long long)st.evaluations, dt,
           (double)st.evaluations / dt, (double)(st.now + 1) / dt);
    toy_system_free(s);
    ws_engine_free(e);
}

int main(int argc, char **argv)
{
    unsigned scale = argc > 1 ? (unsigned)strtoul(argv[1], NULL, 10) : 1;
    if (!scale)
        scale = 1;
    run(true, 20000 * scale, 60000 * scale);
    run(false, 20000 * scale, 60000 * scale);
    return 0;
}
