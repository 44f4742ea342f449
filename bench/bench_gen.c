/* bench/bench_gen.c — synthetic trace generation and `trace stats` speed (a
 * reported figure, not a test): for each shipped model, generates N
 * requests with its calibrated profile (seed 1, profile lengths) into a
 * temporary file, then computes the statistics of that trace, and prints
 * requests/s and tokens/s for both. Generation is timed end to end
 * (wl_gen_write: per-layer tables, requests, file); setup_s is the
 * per-layer tables alone (wl_gen_new, paid once per trace). Usage:
 *   bench/bench_gen [N] [DIR]      (default 512 requests under /tmp)
 * Run with `make bench`; figures are in doc/traces.md. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/diag.h"
#include "workload/generator.h"
#include "workload/profile.h"
#include "workload/stats.h"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

int main(int argc, char **argv)
{
    static const char *const models[] = { "deepseek-v3", "kimi-k2", "llama4-maverick", "qwen3-235b" };
    uint64_t n = argc > 1 ? strtoull(argv[1], NULL, 10) : 512;
    const char *dir = argc > 2 ? argv[2] : "/tmp";
    char path[4096], err[512];
    snprintf(path, sizeof path, "%s/bench_gen.%ld.wst", dir, (long)getpid());
    printf("%-16s %8s %8s %12s %14s %12s %14s\n", "model", "requests", "setup_s", "gen_req_per_s",
           "gen_tokens_per_s", "stats_req_per_s", "stats_tokens_per_s");
    for (size_t i = 0; i < sizeof models / sizeof models[0]; i++) {
        ws_diag d;
        ws_diag_init(&d, 10);
        wl_model m;
        wl_profile p;
        if (wl_model_load(&m, models[i], &d) || wl_profile_load(&p, models[i], &m, &d)) {
            ws_diag_print(&d, stderr);
            return 1;
        }
        ws_diag_free(&d);
        double ts = now_s();
        wl_gen_free(wl_gen_new(&m, &p, 1, NULL));
        double setup = now_s() - ts;
        double t0 = now_s();
        if (wl_gen_write(&m, &p, 1, n, NULL, path, false, err, sizeof err)) {
            fprintf(stderr, "%s\n", err);
            return 1;
        }
        double t1 = now_s();
        wl_trace *t = wl_trace_open(path, 0, err, sizeof err);
        wl_stats s;
        if (!t || wl_stats_compute(t, NULL, &s, err, sizeof err)) {
            fprintf(stderr, "%s\n", err);
            return 1;
        }
        double t2 = now_s();
        const wl_trace_info *in = wl_trace_get_info(t);
        double tok = (double)(in->prefill_tokens + in->decode_tokens);
        printf("%-16s %8llu %8.3f %12.1f %14.0f %12.1f %14.0f\n", models[i], (unsigned long long)n, setup,
               (double)n / (t1 - t0), tok / (t1 - t0), (double)n / (t2 - t1), tok / (t2 - t1));
        wl_stats_free(&s);
        wl_trace_close(t);
        unlink(path);
        wl_profile_free(&p);
        wl_model_free(&m);
    }
    return 0;
}
