/* bench/bench_gen.c — synthetic trace generation and `trace stats` speed (a
 * reported figure, not a test): for each shipped model, generates N
 * requests with its calibrated profile (seed 1, profile lengths) into a
 * temporary file, then computes the statistics of that trace, and prints
 * requests/s and tokens/s for both. Generation is timed end to end
 * (wl_gen_write: per-layer tables, requests, file); setup_s is the
 * per-layer tables alone (wl_gen_new, paid once per trace).
 *
 * A second table times the shape of a `wafersim run` (1-token prompts, 127
 * decode steps: 128 tokens a request) in CPU seconds of this process (the
 * host may be shared): plain generation (wl_gen_write_range), a cache miss
 * and a cache hit (wl_gen_write_cached on a fresh cache folder under DIR:
 * generate + store + link, then verify + link), each projected to the
 * study's heaviest batch of 16384 requests. Usage:
 *   bench/bench_gen [N] [DIR]      (default 512 requests under /tmp)
 * Run with `make bench`; figures are in doc/traces.md and
 * doc/performance.md. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/diag.h"
#include "workload/gen_cache.h"
#include "workload/generator.h"
#include "workload/profile.h"
#include "workload/stats.h"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static double cpu_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* The run-shape table for one model (loaded m, p); 0 or -1. */
static int run_shape(const char *name, const wl_model *m, const wl_profile *p, uint64_t n, const char *dir)
{
    static const wl_gen_lengths run_len = { 1, 1, 127 };
    char path[4096], cache[4096], err[512];
    snprintf(path, sizeof path, "%s/bench_gen_run.%ld.wst", dir, (long)getpid());
    snprintf(cache, sizeof cache, "%s/bench_gen_cache.%ld", dir, (long)getpid());
    setenv("WAFERSIM_CACHE_DIR", cache, 1);
    double c[4];
    c[0] = cpu_s();
    int rc = wl_gen_write_range(m, p, 1, 0, n, &run_len, path, false, err, sizeof err);
    unlink(path);
    c[1] = cpu_s();
    rc = rc ? rc : wl_gen_write_cached(m, p, 1, 0, n, &run_len, path, false, err, sizeof err);
    unlink(path);
    c[2] = cpu_s();
    rc = rc ? rc : wl_gen_write_cached(m, p, 1, 0, n, &run_len, path, false, err, sizeof err);
    unlink(path);
    c[3] = cpu_s();
    char cmd[4200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", cache);
    if (system(cmd) != 0 || rc) {
        fprintf(stderr, "%s\n", rc ? err : "cannot remove the bench cache folder");
        return -1;
    }
    double scale = 16384.0 / (double)n, tok = (double)n * 128;
    printf("%-16s %8llu %10.2f %16.0f %10.2f %10.2f %12.1f %12.1f %12.1f\n", name, (unsigned long long)n,
           c[1] - c[0], tok / (c[1] - c[0]), c[2] - c[1], c[3] - c[2], (c[1] - c[0]) * scale,
           (c[2] - c[1]) * scale, (c[3] - c[2]) * scale);
    return 0;
}

/* The shipped model and its generator profile; 0, or 1 after printing why. */
static int load_model(const char *name, wl_model *m, wl_profile *p)
{
    ws_diag d;
    ws_diag_init(&d, 10);
    int rc = wl_model_load(m, name, &d) || wl_profile_load(p, name, m, &d);
    if (rc)
        ws_diag_print(&d, stderr);
    ws_diag_free(&d);
    return rc ? 1 : 0;
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
        wl_model m;
        wl_profile p;
        if (load_model(models[i], &m, &p) != 0)
            return 1;
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
    printf("\nrun shape (1-token prompt + 127 decode steps), CPU seconds; x16384: projected to 16384 requests\n");
    printf("%-16s %8s %10s %16s %10s %10s %12s %12s %12s\n", "model", "requests", "gen_cpu_s",
           "gen_tokens_per_s", "miss_cpu_s", "hit_cpu_s", "gen_x16384_s", "miss_x16384_s", "hit_x16384_s");
    for (size_t i = 0; i < sizeof models / sizeof models[0]; i++) {
        wl_model m;
        wl_profile p;
        if (load_model(models[i], &m, &p) != 0)
            return 1;
        int rc = run_shape(models[i], &m, &p, n, dir);
        wl_profile_free(&p);
        wl_model_free(&m);
        if (rc)
            return 1;
    }
    return 0;
}
