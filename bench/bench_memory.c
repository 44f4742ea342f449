/* bench/bench_memory.c — the host's load latency against working-set
 * size (a reported figure, not a test): a pointer chase through one
 * 64-byte line per element, in a random cyclic order (a GSL shuffle), over
 * 1, 2, 4, ... 64 MiB. Each load depends on the last, so the time per load
 * is the latency of the level the set fits in. It tells where state that
 * a loop sweeps every tick stops staying in cache, which core/cache.h
 * (WS_CACHE_BYTES) assumes; doc/performance.md records the figures.
 * Usage: bench_memory [MAX_MIB] (default 64). */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "core/xalloc.h"

typedef struct line {
    size_t next;
    char pad[64 - sizeof(size_t)];
} line;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static volatile size_t sink;

int main(int argc, char **argv)
{
    size_t max_mib = 64;
    if (argc > 1) {
        char *end;
        unsigned long v = strtoul(argv[1], &end, 10);
        if (*argv[1] == '-' || *end || v < 1 || v > 65536) {
            fprintf(stderr, "bench_memory: MAX_MIB must be a whole number of MiB from 1 to 65536, not '%s'\n",
                    argv[1]);
            return 2;
        }
        max_mib = (size_t)v;
    }
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    for (size_t mib = 1; mib <= max_mib; mib *= 2) {
        size_t n = mib * ((size_t)1 << 20) / sizeof(line);
        line *a = ws_xmalloc(n * sizeof *a);
        size_t *order = ws_xmalloc(n * sizeof *order);
        for (size_t i = 0; i < n; i++)
            order[i] = i;
        gsl_ran_shuffle(rng, order, n, sizeof *order);
        for (size_t i = 0; i < n; i++)
            a[order[i]].next = order[(i + 1) % n];
        size_t p = order[0], loads = 20000000;
        for (size_t i = 0; i < n; i++)   /* one lap to warm what fits */
            p = a[p].next;
        double t0 = now_s();
        for (size_t i = 0; i < loads; i++)
            p = a[p].next;
        double dt = now_s() - t0;
        sink = p;   /* keeps the chase */
        printf("%4zu MiB: %6.1f ns per dependent load\n", mib, 1e9 * dt / (double)loads);
        free(a);
        free(order);
    }
    gsl_rng_free(rng);
    return 0;
}
