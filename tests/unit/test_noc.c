/* tests/unit/test_noc.c — pins the network model (noc/) against numbers
 * that do not come from its code:
 *   - zero-load latency equals the formula of doc/noc.md exactly, for
 *     several hop counts, packet sizes, pipeline delays, link latencies and
 *     flit/link widths;
 *   - mean hops equal the closed forms on k x k meshes (uniform with and
 *     without self, bit-complement, transpose), over every source (and for
 *     uniform every pair), and the uniform generator's sample mean agrees;
 *   - saturation throughput lies below the channel-load bound (uniform 4/k,
 *     bit-complement 2/k with DOR) and reaches a sensible fraction of it;
 *   - conservation at every sample, Little's law within 2%;
 *   - identical results with activity skipping on and off, under
 *     registration, reverse and shuffled visit orders with another
 *     component talking to the network, and across runs with one seed;
 *   - the test-only ring routing deadlocks and the watchdog names the VCs;
 *   - adaptive routings stay minimal and deliver everything; routings
 *     flagged dest_only (tabulated) ignore the source and input port; half-duplex
 *     links share their bandwidth; messages are reassembled;
 *   - partial flits (a message's last flit, or a message smaller than a
 *     flit) hold each link for ceil(their bytes / bytes per cycle): lone
 *     messages arrive at hand-calculated ticks and per-link bytes equal
 *     the message's bytes;
 *   - flit streaming: zero-load latency equals the streaming formula of
 *     doc/noc.md for several H, S, flit sizes, bandwidths and latencies;
 *     lone messages with a partial last flit, a widened or slower link
 *     arrive at hand-calculated ticks with hand-calculated link busy
 *     cycles; conservation, exact wakes (skip = no skip) with mixed link
 *     widths, half duplex and VCT; with one-cycle flits nothing changes;
 *   - event-driven time: a router left alone until its wake tick would
 *     have done nothing at the ticks skipped (noc_network_check_wakes
 *     steps it anyway at every tick and aborts otherwise), on variants
 *     with long links, wide flits, half duplex, virtual cut-through,
 *     adaptive routing, input speedup and slow pipelines, with the same
 *     results as an unchecked run; and a packet over long links costs
 *     the engine a few visits per flit and hop, not one per cycle. */
#define _POSIX_C_SOURCE 200809L
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/config.h"
#include "core/engine.h"
#include "core/rng.h"
#include "noc/measure.h"
#include "noc/network.h"
#include "noc/pattern.h"
#include "noc/traffic.h"
#include "tests/unit/check_main.h"

#ifndef WS_SRC_CONFIGDIR
#define WS_SRC_CONFIGDIR "configs"
#endif
#define FIXTURE(name) WS_SRC_CONFIGDIR "/../tests/fixtures/noc/" name

static void load(ws_config *cfg, const char *file, const char *const *sets, size_t n)
{
    ws_diag d;
    ws_diag_init(&d, 20);
    int rc = ws_config_load(cfg, file, sets, n, &d);
    if (rc != 0)
        ws_diag_print(&d, stderr);
    ck_assert_int_eq(rc, 0);
    ws_diag_free(&d);
}

/* ------------------------------------------------------------ zero load */

typedef struct zl_case {
    const char *sets[8];
    size_t n_sets;
    int P;           /* pipeline: routing + VC alloc + switch alloc + switch traversal */
    int RV;          /* routing + VC alloc: the stages body flits skip */
    int ser, lat;    /* link serialisation and latency, cycles */
} zl_case;

/* The latency of one packet alone in the network, creation to tail
 * ejection. */
static double lone_packet(const ws_config *cfg, int src, int dst, int flits, double *hops)
{
    ws_engine *e = ws_engine_new(1);
    char err[128];
    noc_network *n = noc_network_new(e, cfg, NULL, err, sizeof err);
    noc_network_set_measuring(n, true);
    noc_network_inject_packet(n, 0, src, dst, flits);
    ck_assert_int_eq(ws_engine_run(e, 100000), WS_RUN_QUIESCENT);
    noc_measured m;
    noc_network_measured(n, &m);
    ck_assert_uint_eq(m.n, 1);
    double lat = m.packet_latency[0];
    *hops = m.hops[0];
    noc_network_free(n);
    ws_engine_free(e);
    return lat;
}

/* Asserts T0 for lone packets of several sizes between several pairs of
 * the 8 x 8 mesh: doc/noc.md, T0 = 2 + (H+1) P + H (ser + L) + Ts, where
 * the tail's gap behind the head is Ts = S-1 when H = 0, else
 * max((S-1) ser - (Rd + Vd), S-1): body flits follow at the serialisation
 * of the links but skip routing and VC allocation at the last router.
 * With flit streaming the head crosses a link in one cycle (ser -> 1 in
 * the H term) and Ts = max(S ser - 1 - (Rd + Vd), S-1) for H > 0. */
static void assert_zero_load(const zl_case *cases, size_t n_cases, bool streaming)
{
    static const struct { int src, dst; } pairs[] = {
        { 0, 0 }, { 0, 1 }, { 9, 27 }, { 0, 7 }, { 63, 0 }, { 5, 58 },
    };
    static const int sizes[] = { 1, 2, 5, 8 };
    for (size_t c = 0; c < n_cases; c++) {
        ws_config cfg;
        load(&cfg, FIXTURE("mesh.yaml"), cases[c].sets, cases[c].n_sets);
        for (size_t p = 0; p < sizeof pairs / sizeof pairs[0]; p++)
            for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
                int H = abs(pairs[p].src % 8 - pairs[p].dst % 8) + abs(pairs[p].src / 8 - pairs[p].dst / 8);
                int S = sizes[s], ser = cases[c].ser;
                int gap = H == 0 ? S - 1 : streaming ? S * ser - 1 - cases[c].RV : (S - 1) * ser - cases[c].RV;
                if (gap < S - 1)
                    gap = S - 1;
                double expect = 2 + (H + 1) * cases[c].P + H * ((streaming ? 1 : ser) + cases[c].lat) + gap;
                double hops;
                double got = lone_packet(&cfg, pairs[p].src, pairs[p].dst, S, &hops);
                ck_assert_msg(got == expect, "case %zu%s, %d->%d, %d flits: latency %g, formula %g", c,
                              streaming ? " (streaming)" : "", pairs[p].src, pairs[p].dst, S, got, expect);
                ck_assert_int_eq((int)hops, H);
            }
        ws_config_free(&cfg);
    }
}

START_TEST(zero_load_latency_formula)
{
    static const zl_case cases[] = {
        { { "hw.grid={x: 8, y: 8}" }, 1, 4, 2, 1, 1 },
        { { "hw.grid={x: 8, y: 8}", "noc.routing_delay=0 cycles", "noc.vc_alloc_delay=0 cycles",
            "noc.sw_alloc_delay=0 cycles", "noc.st_delay=0 cycles" }, 5, 0, 0, 1, 1 },
        { { "hw.grid={x: 8, y: 8}", "noc.routing_delay=2 cycles", "noc.st_delay=0 cycles",
            "hw.link.latency=5 cycles" }, 4, 4, 3, 1, 5 },
        /* a flit of 4 link widths: 64 B over 16 B/cycle */
        { { "hw.grid={x: 8, y: 8}", "noc.flit_size=64 B", "hw.link.latency=0 cycles" }, 3, 4, 2, 4, 0 },
        /* a 2.5-width flit rounds up to 3 cycles; routing yx */
        { { "hw.grid={x: 8, y: 8}", "noc.flit_size=40 B", "hw.routing=yx", "noc.vc_alloc_delay=3 cycles" },
          4, 6, 4, 3, 1 },
        /* a 10-width flit: the tail gap is serialisation-bound */
        { { "hw.grid={x: 8, y: 8}", "noc.flit_size=160 B", "noc.routing_delay=0 cycles" }, 3, 3, 1, 10, 1 },
    };
    assert_zero_load(cases, sizeof cases / sizeof cases[0], false);
}
END_TEST

/* Links and credits far slower than one cycle: flits and credits wait in
 * flight for up to ~1100 cycles (the network's event wheel must span the
 * longest delay), and the zero-load formula still holds exactly. */
START_TEST(zero_load_latency_long_links)
{
    const char *sets[] = { "hw.grid={x: 8, y: 8}", "hw.link.latency=1000 cycles", "noc.credit_delay=97 cycles",
                           "noc.flit_size=160 B" };
    ws_config cfg;
    load(&cfg, FIXTURE("mesh.yaml"), sets, 4);
    static const struct { int src, dst; } pairs[] = { { 0, 0 }, { 0, 1 }, { 5, 58 }, { 63, 0 } };
    for (size_t p = 0; p < sizeof pairs / sizeof pairs[0]; p++)
        for (int S = 1; S <= 8; S += 7) {
            int H = abs(pairs[p].src % 8 - pairs[p].dst % 8) + abs(pairs[p].src / 8 - pairs[p].dst / 8);
            /* P = 4, ser = 10, L = 1000, Rd + Vd = 2 (doc/noc.md) */
            int gap = H == 0 ? S - 1 : (S - 1) * 10 - 2;
            if (gap < S - 1)
                gap = S - 1;
            double expect = 2 + (H + 1) * 4 + H * (10 + 1000) + gap, hops;
            double got = lone_packet(&cfg, pairs[p].src, pairs[p].dst, S, &hops);
            ck_assert_msg(got == expect, "%d->%d, %d flits: latency %g, formula %g", pairs[p].src, pairs[p].dst, S,
                          got, expect);
            ck_assert_int_eq((int)hops, H);
        }
    ws_config_free(&cfg);
}
END_TEST

/* doc/noc.md, "Zero-load latency" with noc.flit_streaming (formula in
 * assert_zero_load): with ser = 1 (first case) it is the store-and-forward
 * formula; 64 B flits over 1 B/cycle links serialise in 64 cycles. */
START_TEST(streaming_zero_load_formula)
{
    static const zl_case cases[] = {
        { { "hw.grid={x: 8, y: 8}", "noc.flit_streaming=true" }, 2, 4, 2, 1, 1 },
        { { "hw.grid={x: 8, y: 8}", "noc.flit_streaming=true", "noc.flit_size=160 B", "noc.routing_delay=0 cycles" },
          4, 3, 1, 10, 1 },
        { { "hw.grid={x: 8, y: 8}", "noc.flit_streaming=true", "noc.flit_size=40 B", "hw.routing=yx",
            "noc.vc_alloc_delay=3 cycles" }, 5, 6, 4, 3, 1 },
        { { "hw.grid={x: 8, y: 8}", "noc.flit_streaming=true", "noc.flit_size=64 B", "hw.link.bandwidth=1 B/cycle",
            "hw.link.latency=5 cycles" }, 5, 4, 2, 64, 5 },
        { { "hw.grid={x: 8, y: 8}", "noc.flit_streaming=true", "noc.flit_size=160 B", "hw.link.latency=1000 cycles",
            "noc.credit_delay=97 cycles" }, 5, 4, 2, 10, 1000 },
    };
    assert_zero_load(cases, sizeof cases / sizeof cases[0], true);
}
END_TEST

/* ------------------------------------------------------------ hops */

/* Injects one packet per (src, dst) pair given, spread out in time, and
 * returns the mean hop count the network measured. */
static double mean_hops_of(const ws_config *cfg, const int *src, const int *dst, size_t n)
{
    ws_engine *e = ws_engine_new(1);
    char err[128];
    noc_network *net = noc_network_new(e, cfg, NULL, err, sizeof err);
    noc_network_set_measuring(net, true);
    for (size_t i = 0; i < n; i++)
        noc_network_inject_packet(net, (ws_tick)(i / 4), src[i], dst[i], 1);
    ck_assert_int_eq(ws_engine_run(e, WS_TICK_NEVER), WS_RUN_QUIESCENT);
    noc_measured m;
    noc_network_measured(net, &m);
    ck_assert_uint_eq(m.n, n);
    double sum = 0;
    for (size_t i = 0; i < m.n; i++)
        sum += m.hops[i];
    noc_network_free(net);
    ws_engine_free(e);
    return sum / (double)n;
}

START_TEST(mean_hops_closed_forms)
{
    for (int k = 2; k <= 8; k += 2) {
        char grid[64];
        snprintf(grid, sizeof grid, "hw.grid={x: %d, y: %d}", k, k);
        const char *sets[] = { grid };
        ws_config cfg;
        load(&cfg, FIXTURE("mesh.yaml"), sets, 1);
        int N = k * k;
        int *src = malloc(sizeof(int) * (size_t)N * N), *dst = malloc(sizeof(int) * (size_t)N * N);
        /* uniform: every (src, dst) pair once is the uniform expectation */
        size_t n = 0, n_noself = 0;
        for (int s = 0; s < N; s++)
            for (int d = 0; d < N; d++) {
                src[n] = s;
                dst[n++] = d;
            }
        double with_self = mean_hops_of(&cfg, src, dst, n);
        ck_assert_double_eq_tol(with_self, 2.0 * (k * k - 1) / (3.0 * k), 1e-9);
        for (int s = 0; s < N; s++)
            for (int d = 0; d < N; d++)
                if (s != d) {
                    src[n_noself] = s;
                    dst[n_noself++] = d;
                }
        ck_assert_double_eq_tol(mean_hops_of(&cfg, src, dst, n_noself), 2.0 * k / 3.0, 1e-9);
        /* deterministic patterns: every source once, destination from the
         * pattern registry */
        noc_pattern_ctx ctx;
        const noc_pattern *bc = noc_pattern_find("bit_complement"), *tr = noc_pattern_find("transpose");
        noc_pattern_ctx_init(&ctx, bc, k, k, 1);
        for (int s = 0; s < N; s++) {
            src[s] = s;
            dst[s] = bc->dest(&ctx, s, NULL);
        }
        /* bit-complement: per dimension mean |k-1-2x| over x = k/2 (k even) */
        ck_assert_double_eq_tol(mean_hops_of(&cfg, src, dst, (size_t)N), (double)k, 1e-9);
        for (int s = 0; s < N; s++)
            dst[s] = tr->dest(&ctx, s, NULL);
        /* transpose (x,y)->(y,x): hops 2|x-y|; mean over the k^2 sources
         *   (2/k^2) sum_x sum_y |x-y| = (4/k^2) sum_{d=1}^{k-1} d (k-d)
         *   = (4/k^2) (k^2(k-1)/2 - (k-1)k(2k-1)/6) = 2(k^2-1)/(3k),
         * the diagonal's self-addressed packets (0 hops) included */
        ck_assert_double_eq_tol(mean_hops_of(&cfg, src, dst, (size_t)N), 2.0 * (k * k - 1) / (3.0 * k), 1e-9);
        noc_pattern_ctx_free(&ctx);
        free(src);
        free(dst);
        ws_config_free(&cfg);
    }
}
END_TEST

START_TEST(uniform_generator_sample_mean)
{
    const char *sets[] = { "hw.grid={x: 8, y: 8}", "traffic.rates=[0.02]", "traffic.exclude_self=true",
                           "traffic.measure.samples=10" };
    ws_config cfg;
    load(&cfg, FIXTURE("mesh.yaml"), sets, 4);
    noc_point p;
    ck_assert_int_eq(noc_measure_point(&cfg, 0.02, stderr, &p), 0);
    ck_assert(!p.saturated);
    /* ~6400 packets: the standard error of the mean hop count is ~0.03 */
    ck_assert_msg(fabs(p.hops_mean - 16.0 / 3.0) < 0.12, "hops %g", p.hops_mean);
    noc_point_free(&p);
    ws_config_free(&cfg);
}
END_TEST

/* The traffic generator's calendar (one-tick buckets for the next 64
 * cycles, later wake-ups in a heap). Bernoulli sources of p = 0.004 (gaps
 * of mean 250 cycles, most of them through the heap) for 40 000 cycles:
 * popped only at the cycles noc_traffic_next() names, the packets are
 * those of a twin popped at every cycle, each cycle's come in increasing
 * node order (the contract), and every node's count is within 6 sigma of
 * its binomial mean p T = 160 (sigma 12.6): a node lost or duplicated by
 * the calendar would not be. */
START_TEST(traffic_calendar_order_and_counts)
{
    const char *sets[] = { "hw.grid={x: 8, y: 8}", "traffic.packet_flits=[1]", "traffic.rate_unit=packets",
                           "traffic.injection=bernoulli" };
    ws_config cfg;
    load(&cfg, FIXTURE("mesh.yaml"), sets, 4);
    const double p = 0.004;
    const ws_tick T = 40000;
    noc_traffic *skip = noc_traffic_new(&cfg, p, 9), *every = noc_traffic_new(&cfg, p, 9);
    int count[64] = { 0 };
    uint64_t total = 0;
    for (ws_tick now = 0; now < T; now++) {
        bool due = noc_traffic_next(skip) == now;
        ck_assert(noc_traffic_next(skip) >= now);
        int last = -1, s1, d1, f1, s2, d2, f2;
        while (noc_traffic_pop(every, now, &s1, &d1, &f1)) {
            ck_assert(due);
            ck_assert(noc_traffic_pop(skip, now, &s2, &d2, &f2));
            ck_assert_int_eq(s1, s2);
            ck_assert_int_eq(d1, d2);
            ck_assert_int_gt(s1, last);
            last = s1;
            count[s1]++;
            total++;
        }
        if (due)
            ck_assert(!noc_traffic_pop(skip, now, &s2, &d2, &f2));
    }
    double mean = p * (double)T, sigma = sqrt(mean * (1 - p));
    for (int i = 0; i < 64; i++)
        ck_assert_msg(fabs(count[i] - mean) < 6 * sigma, "node %d: %d packets, expected %g", i, count[i], mean);
    ck_assert_msg(fabs((double)total - 64 * mean) < 5 * sqrt(64.0) * sigma, "%llu packets",
                  (unsigned long long)total);
    noc_traffic_free(skip);
    noc_traffic_free(every);
    ws_config_free(&cfg);
}
END_TEST

/* ------------------------------------------------------------ saturation */

/* A network of the mesh fixture (with `sets`) under synthetic traffic of
 * `rate` drawn with `seed`. */
typedef struct traffic_net {
    ws_config cfg;
    ws_engine *e;
    noc_network *n;
    noc_traffic *t;
} traffic_net;

static void traffic_net_open(traffic_net *tn, const char *const *sets, size_t n_sets, double rate, uint64_t seed)
{
    load(&tn->cfg, FIXTURE("mesh.yaml"), sets, n_sets);
    tn->e = ws_engine_new(1);
    char err[128];
    tn->n = noc_network_new(tn->e, &tn->cfg, NULL, err, sizeof err);
    ck_assert_msg(tn->n != NULL, "%s", err);
    tn->t = noc_traffic_new(&tn->cfg, rate, seed);
    noc_network_set_traffic(tn->n, tn->t);
}

static void traffic_net_close(traffic_net *tn)
{
    noc_network_free(tn->n);
    noc_traffic_free(tn->t);
    ws_engine_free(tn->e);
    ws_config_free(&tn->cfg);
}

/* The measured packets ejected so far: how many, the sums of their
 * latencies and hops, and the sum of their flits' latencies. */
typedef struct measured_totals {
    size_t n;
    double latency, hops, flit_latency;
} measured_totals;

static measured_totals measured_sums(const noc_network *n)
{
    noc_measured m;
    noc_network_measured(n, &m);
    measured_totals t = { .n = m.n, .flit_latency = m.flit_latency_sum };
    for (size_t i = 0; i < m.n; i++) {
        t.latency += m.packet_latency[i];
        t.hops += m.hops[i];
    }
    return t;
}

static double accepted_at(const char *pattern, int k, double rate)
{
    char grid[64], pat[64];
    snprintf(grid, sizeof grid, "hw.grid={x: %d, y: %d}", k, k);
    snprintf(pat, sizeof pat, "traffic.pattern=%s", pattern);
    const char *sets[] = { grid, pat };
    traffic_net tn;
    traffic_net_open(&tn, sets, 2, rate, 5);
    ws_engine_run(tn.e, 1999);
    noc_counts c0, c1;
    noc_network_counts(tn.n, &c0);
    ws_engine_run(tn.e, 4999);
    noc_network_counts(tn.n, &c1);
    traffic_net_close(&tn);
    return (double)(c1.flits_ejected - c0.flits_ejected) / (3000.0 * k * k);
}

/* Saturation throughput: the most a load sweep from 70% to 110% of the
 * bound gets accepted (beyond saturation FIFO VCs block each other and
 * bit-complement's throughput drops). */
static double saturated_throughput(const char *pattern, int k, double bound)
{
    double best = 0;
    for (double f = 0.7; f < 1.15; f += 0.1) {
        double a = accepted_at(pattern, k, f * bound);
        if (a > best)
            best = a;
    }
    return best;
}

START_TEST(saturation_below_channel_load_bound)
{
    const int k = 8;
    double uni = saturated_throughput("uniform", k, 4.0 / k), bc = saturated_throughput("bit_complement", k, 2.0 / k);
    /* ideal bounds with DOR: uniform 4/k, bit-complement 2/k */
    ck_assert_msg(uni < 4.0 / k && uni > 0.6 * 4.0 / k, "uniform saturates at %g (bound %g)", uni, 4.0 / k);
    ck_assert_msg(bc < 2.0 / k && bc > 0.6 * 2.0 / k, "bit-complement saturates at %g (bound %g)", bc, 2.0 / k);
}
END_TEST

/* ------------------------------------------------------------ conservation, Little */

static void conservation_on(const char *const *sets, size_t n_sets, double rate)
{
    traffic_net tn;
    traffic_net_open(&tn, sets, n_sets, rate, 2);
    noc_network *n = tn.n;
    for (ws_tick at = 99; at < 5000; at += 100) {
        ws_engine_run(tn.e, at);
        noc_counts c;
        noc_network_counts(n, &c);
        ck_assert_uint_eq(c.flits_injected, c.flits_ejected + c.flits_in_network);
        ck_assert_uint_eq(c.packets_created, c.packets_ejected + c.packets_alive);
        ck_assert_uint_le(c.flits_injected, c.flits_created);
        ck_assert_uint_gt(c.flits_in_network, 0);
    }
    noc_network_set_traffic(n, NULL);
    ck_assert_int_eq(ws_engine_run(tn.e, WS_TICK_NEVER), WS_RUN_QUIESCENT);
    noc_counts c;
    noc_network_counts(n, &c);
    ck_assert_uint_eq(c.packets_alive, 0);
    ck_assert_uint_eq(c.flits_created, c.flits_ejected);
    ck_assert_uint_eq(c.packets_created, c.packets_ejected);
    traffic_net_close(&tn);
}

START_TEST(conservation_every_sample)
{
    const char *sets[] = { "traffic.packet_flits=[1, 4, 9]", "traffic.packet_weights=[2, 1, 1]" };
    conservation_on(sets, 2, 0.35);
    /* flit streaming over links of mixed widths (ser 2 and 8): flits in
     * the network until their tails are ejected */
    const char *streaming[] = { "traffic.packet_flits=[1, 4, 9]", "traffic.packet_weights=[2, 1, 1]",
                                "noc.flit_streaming=true", "hw.link.bandwidth=8 B/cycle",
                                "noc.link_overrides=[{select: vertical, width_scale: 0.25}]" };
    conservation_on(streaming, 5, 0.05);
}
END_TEST

START_TEST(littles_law)
{
    static const char *const loads[] = { "0.1", "0.3" };
    for (size_t i = 0; i < 2; i++) {
        const char *sets[] = { "hw.grid={x: 8, y: 8}", "traffic.packet_flits=[1, 4]",
                               "traffic.measure.sample_period=2000 cycles" };
        ws_config cfg;
        load(&cfg, FIXTURE("mesh.yaml"), sets, 3);
        noc_point p;
        ck_assert_int_eq(noc_measure_point(&cfg, atof(loads[i]), stderr, &p), 0);
        ck_assert(!p.saturated);
        double err = fabs(p.little_packets_in_system - p.little_lambda_w) / p.little_lambda_w;
        ck_assert_msg(err < 0.02, "load %s: L %g vs lambda W %g", loads[i], p.little_packets_in_system,
                      p.little_lambda_w);
        noc_point_free(&p);
        ws_config_free(&cfg);
    }
}
END_TEST

/* ------------------------------------------------------------ skip, order, determinism */

static void point_for(const char *const *extra, size_t n_extra, noc_point *p)
{
    const char *sets[8] = { "traffic.packet_flits=[1, 6]", "hw.link.latency=3 cycles", "noc.flit_size=40 B",
                            "traffic.injection=on_off" };
    size_t n = 4;
    for (size_t i = 0; i < n_extra; i++)
        sets[n++] = extra[i];
    ws_config cfg;
    load(&cfg, FIXTURE("mesh.yaml"), sets, n);
    ck_assert_int_eq(noc_measure_point(&cfg, 0.05, stderr, p), 0);
    ws_config_free(&cfg);
}

static void assert_points_equal(const noc_point *a, const noc_point *b)
{
    ck_assert_uint_eq(a->measured_packets, b->measured_packets);
    ck_assert_uint_gt(a->measured_packets, 100);
    ck_assert(a->packet_latency_mean == b->packet_latency_mean);
    ck_assert(a->packet_latency_p99 == b->packet_latency_p99);
    ck_assert(a->accepted_mean == b->accepted_mean && a->accepted_min == b->accepted_min);
    ck_assert(a->hops_mean == b->hops_mean && a->flit_latency_mean == b->flit_latency_mean);
    ck_assert(a->little_packets_in_system == b->little_packets_in_system);
    ck_assert_uint_eq(a->end_tick, b->end_tick);
    for (size_t i = 0; i < a->n_links; i++) {
        ck_assert_uint_eq(a->links[i].flits, b->links[i].flits);
        ck_assert_uint_eq(a->links[i].peak_buffer_flits, b->links[i].peak_buffer_flits);
    }
}

START_TEST(skip_equals_no_skip)
{
    const char *no_skip[] = { "sim.activity_skipping=false" };
    noc_point a, b;
    point_for(NULL, 0, &a);
    point_for(no_skip, 1, &b);
    assert_points_equal(&a, &b);
    noc_point_free(&a);
    noc_point_free(&b);
}
END_TEST

START_TEST(deterministic_per_seed)
{
    const char *other[] = { "sim.seed=8" };
    noc_point a, b, c;
    point_for(NULL, 0, &a);
    point_for(NULL, 0, &b);
    point_for(other, 1, &c);
    assert_points_equal(&a, &b);
    ck_assert(a.packet_latency_mean != c.packet_latency_mean || a.measured_packets != c.measured_packets);
    noc_point_free(&a);
    noc_point_free(&b);
    noc_point_free(&c);
}
END_TEST

/* A component outside the network: sends messages of random sizes
 * (its own stream) at random ticks and records every delivery. */
typedef struct sender {
    noc_network *net;
    gsl_rng *rng;
    ws_tick next;
    int left, nodes;
    uint64_t delivered, bytes, tick_sum;
} sender;

static void sender_eval(void *self, ws_tick now)
{
    sender *s = self;
    if (now != s->next || !s->left)
        return;
    int src = (int)gsl_rng_uniform_int(s->rng, (unsigned long)s->nodes);
    int dst = (int)gsl_rng_uniform_int(s->rng, (unsigned long)s->nodes);
    noc_network_send(s->net, now, src, dst, 1 + gsl_rng_uniform_int(s->rng, 400), s);
    s->left--;
    s->next = now + 1 + gsl_rng_uniform_int(s->rng, 6);
}
static ws_tick sender_next(const void *self, ws_tick now)
{
    const sender *s = self;
    return s->left && s->next > now ? s->next : WS_TICK_NEVER;
}
static void on_delivery(void *owner, ws_tick at, int src, int dst, uint64_t bytes, void *cookie)
{
    sender *s = owner;
    ck_assert_ptr_eq(cookie, s);
    (void)src;
    (void)dst;
    s->delivered++;
    s->bytes += bytes;
    s->tick_sum = s->tick_sum * 31 + at;
}
static const ws_component_ops sender_ops = { .evaluate = sender_eval, .next_due = sender_next };

/* check: noc_network_check_wakes (with skipping off); general:
 * noc_network_general_step */
static void run_with_sender_on(const char *const *sets, size_t n_sets, ws_visit_order order, bool skipping,
                               bool check, bool general, uint64_t engine_seed, sender *out)
{
    ws_config cfg;
    load(&cfg, FIXTURE("mesh.yaml"), sets, n_sets);
    ws_engine *e = ws_engine_new(engine_seed);
    ws_engine_set_visit_order(e, order);
    ws_engine_set_skipping(e, skipping);
    char err[128];
    sender s = { .left = 300, .nodes = 16, .next = 3 };
    s.rng = ws_rng_stream(11, "test.sender");
    /* the sender registered on both sides of the network */
    ws_engine_add(e, "sender", &s, &sender_ops);
    s.net = noc_network_new(e, &cfg, NULL, err, sizeof err);
    noc_network_check_wakes(s.net, check);
    if (general)
        noc_network_general_step(s.net);
    noc_network_on_delivery(s.net, on_delivery, &s);
    ck_assert_int_eq(ws_engine_run(e, WS_TICK_NEVER), WS_RUN_QUIESCENT);
    *out = s;
    ws_engine_stats st;
    ws_engine_stats_get(e, &st);
    out->tick_sum ^= st.now;
    gsl_rng_free(s.rng);
    noc_network_free(s.net);
    ws_engine_free(e);
    ws_config_free(&cfg);
}

static void run_with_sender(ws_visit_order order, bool skipping, uint64_t engine_seed, sender *out)
{
    run_with_sender_on(NULL, 0, order, skipping, false, false, engine_seed, out);
}

START_TEST(visit_order_and_messages)
{
    sender ref, s;
    run_with_sender(WS_VISIT_REGISTRATION, true, 1, &ref);
    ck_assert_uint_eq(ref.delivered, 300);
    for (int i = 0; i < 5; i++) {
        run_with_sender(i == 0 ? WS_VISIT_REVERSE : WS_VISIT_SHUFFLED, i % 2 == 0, (uint64_t)i + 2, &s);
        ck_assert_uint_eq(s.delivered, ref.delivered);
        ck_assert_uint_eq(s.bytes, ref.bytes);
        ck_assert_uint_eq(s.tick_sum, ref.tick_sum);
    }
}
END_TEST

/* The router step compiled for plain networks (4 VCs, oblivious routing,
 * wormhole, full duplex, one-cycle flits, no streaming, input speedup 1,
 * routing and VC-allocation delays of at most one cycle) and the general
 * one give the same deliveries at the same ticks; and on the variants
 * that are not plain (adaptive routing, VCT, speedup, half duplex, longer
 * delays, two-cycle flits), were they taken for plain, the plain step would
 * ignore their option and differ. */
START_TEST(plain_step_equals_general_step)
{
    static const char *const variants[][2] = {
        { "noc.vcs=4", "hw.routing=xy" },
        { "hw.routing=west_first", "noc.vc_buffer_flits=3" },
        { "noc.routing_delay=2 cycles", "noc.vc_buffer_flits=2" },
        { "noc.switching=vct", "noc.vc_buffer_flits=8" },
        { "noc.input_speedup=2", "noc.vc_buffer_flits=2" },
        { "noc.half_duplex=true", "hw.routing=yx" },
        { "noc.vc_alloc_delay=0 cycles", "noc.routing_delay=0 cycles" },
        { "noc.vc_alloc_delay=2 cycles", "noc.vc_buffer_flits=2" },
        { "noc.sw_alloc_delay=0 cycles", "noc.credit_delay=0 cycles" },
        { "hw.link.bandwidth=8 B/cycle", "hw.routing=yx" },
    };
    for (size_t i = 0; i < sizeof variants / sizeof variants[0]; i++) {
        sender a, b;
        run_with_sender_on(variants[i], 2, WS_VISIT_REGISTRATION, true, false, false, 1, &a);
        run_with_sender_on(variants[i], 2, WS_VISIT_REGISTRATION, true, false, true, 1, &b);
        ck_assert_uint_eq(a.delivered, 300);
        ck_assert_uint_eq(b.delivered, a.delivered);
        ck_assert_uint_eq(b.tick_sum, a.tick_sum);
    }
}
END_TEST

/* What a run of synthetic traffic delivered: counts and sums over the
 * measured packets. */
typedef struct traffic_run {
    noc_counts c;
    measured_totals m;
    bool net_was_cold;
} traffic_run;

static traffic_run run_traffic_with_hints(const char *const *sets, size_t n_sets, double rate, bool cold)
{
    traffic_net tn;
    traffic_net_open(&tn, sets, n_sets, rate, 7);
    traffic_run out = { .net_was_cold = noc_network_set_cold(tn.n, cold) };
    noc_network_set_measuring(tn.n, true);
    ws_engine_run(tn.e, 599);
    noc_network_counts(tn.n, &out.c);
    out.m = measured_sums(tn.n);
    traffic_net_close(&tn);
    return out;
}

/* The cache hints of large networks (noc_network.cold) change nothing:
 * the same packets arrive with the same latencies with and without them,
 * on a 26 x 26 mesh (2.4 MB of router state, so cold by itself) and with
 * them forced on 6 x 6 meshes: the general step (3 VCs, adaptive
 * routing), packets of 1 and 4 flits in wormhole (body flits behind their
 * heads, active VCs that run empty between flits) and under virtual
 * cut-through; all past saturation (uniform bound 4/k), where VCs fill and
 * heads queue behind tails. */
START_TEST(cache_hints_change_nothing)
{
    static const char *const sets[][4] = {
        { "hw.grid={x: 26, y: 26}" },
        { "hw.grid={x: 6, y: 6}", "noc.vcs=3", "hw.routing=west_first" },
        { "hw.grid={x: 6, y: 6}", "traffic.packet_flits=[1, 4]", "noc.vc_buffer_flits=4" },
        { "hw.grid={x: 6, y: 6}", "traffic.packet_flits=[4]", "noc.switching=vct" },
    };
    static const size_t n_sets[] = { 1, 3, 3, 3 };
    static const double rates[] = { 0.2, 0.9, 0.9, 0.9 };
    for (size_t i = 0; i < sizeof rates / sizeof rates[0]; i++) {
        traffic_run a = run_traffic_with_hints(sets[i], n_sets[i], rates[i], true),
                    b = run_traffic_with_hints(sets[i], n_sets[i], rates[i], false);
        /* the 26 x 26 mesh is cold by itself, the others are not */
        ck_assert(a.net_was_cold == (i == 0));
        ck_assert_uint_gt(a.m.n, 500);
        ck_assert_msg(a.c.packets_queued > 0, "case %zu: not past saturation", i);
        ck_assert_mem_eq(&a.c, &b.c, sizeof a.c);
        ck_assert_uint_eq(a.m.n, b.m.n);
        ck_assert(a.m.latency == b.m.latency && a.m.hops == b.m.hops && a.m.flit_latency == b.m.flit_latency);
    }
}
END_TEST

/* Delivery ticks of a network's messages, in order. */
typedef struct deliveries {
    ws_tick at[4];
    int n;
} deliveries;

static void record_delivery(void *owner, ws_tick at, int src, int dst, uint64_t bytes, void *cookie)
{
    deliveries *d = owner;
    (void)src, (void)dst, (void)bytes, (void)cookie;
    ck_assert_int_lt(d->n, 4);
    d->at[d->n++] = at;
}

/* Two 4-flit packets sent back to back over 3 hops in the single VC of
 * each port: the second head waits behind the first's tail at the first
 * router and, from the cycle after that tail leaves, takes the routing
 * and VC-allocation stages (rc + va) before it leaves. At every later
 * router both packets' flits wait out the head's rc + va (a body flit
 * queues behind its head), and they cross the same links, so the gap
 * stays: the second tail is ejected 1 + rc + va + (L - 1) = L + rc + va
 * cycles after the first (L = 4 flits at one per cycle). */
START_TEST(queued_head_waits_for_routing)
{
    static const struct {
        const char *rc, *va;
        ws_tick rcva;
    } cases[] = { { "noc.routing_delay=2 cycles", "noc.vc_alloc_delay=1 cycles", 3 },
                  { "noc.routing_delay=0 cycles", "noc.vc_alloc_delay=1 cycles", 1 },
                  { "noc.routing_delay=1 cycles", "noc.vc_alloc_delay=3 cycles", 4 },
                  { "noc.routing_delay=3 cycles", "noc.vc_alloc_delay=0 cycles", 3 } };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        const char *sets[] = { "hw.grid={x: 4, y: 1}", "noc.vcs=1", "noc.vc_buffer_flits=16", "noc.packet_flits=4",
                               cases[c].rc, cases[c].va };
        ws_config cfg;
        load(&cfg, FIXTURE("mesh.yaml"), sets, 6);
        ws_engine *e = ws_engine_new(1);
        char err[128];
        deliveries d = { .n = 0 };
        noc_network *n = noc_network_new(e, &cfg, NULL, err, sizeof err);
        noc_network_on_delivery(n, record_delivery, &d);
        noc_network_send(n, 0, 0, 3, 64, NULL);   /* 4 flits of 16 B: one packet each */
        noc_network_send(n, 0, 0, 3, 64, NULL);
        ck_assert_int_eq(ws_engine_run(e, WS_TICK_NEVER), WS_RUN_QUIESCENT);
        ck_assert_int_eq(d.n, 2);
        ck_assert_uint_eq(d.at[1] - d.at[0], 4 + cases[c].rcva);
        noc_network_free(n);
        ws_engine_free(e);
        ws_config_free(&cfg);
    }
}
END_TEST

START_TEST(message_reassembly_time)
{
    /* 1000 B in 16 B flits = 63 flits = packets of 8,8,...,7 over 3 hops;
     * alone, the packets go back to back on the same path */
    ws_config cfg;
    load(&cfg, FIXTURE("mesh.yaml"), NULL, 0);
    ws_engine *e = ws_engine_new(1);
    char err[128];
    sender s = { 0 };
    s.net = noc_network_new(e, &cfg, NULL, err, sizeof err);
    noc_network_on_delivery(s.net, on_delivery, &s);
    noc_network_send(s.net, 0, 0, 6, 1000, &s);
    ck_assert_int_eq(ws_engine_run(e, WS_TICK_NEVER), WS_RUN_QUIESCENT);
    ck_assert_uint_eq(s.delivered, 1);
    ck_assert_uint_eq(s.bytes, 1000);
    /* queued at tick 1; head latency 2 + 4 P + 3 (1 + 1) = 24 with P = 4;
     * then one flit per cycle for the other 62 flits */
    ck_assert_uint_eq(s.tick_sum, 1 + 24 + 62);
    noc_network_free(s.net);
    ws_engine_free(e);
    ws_config_free(&cfg);
}
END_TEST

/* ------------------------------------------------------------ partial flits */

typedef struct lone_msg {
    ws_tick at;                  /* delivery tick */
    uint64_t bytes;              /* delivered */
    ws_tick formula;             /* noc_network_zero_load_latency_bytes */
    int links;                   /* mesh links that carried flits */
    double link_bytes;           /* each of them (all equal, else -1) */
    uint64_t link_flits, link_busy;
    uint64_t busy_sum;           /* busy cycles of all links */
} lone_msg;

static void lone_delivery(void *owner, ws_tick at, int src, int dst, uint64_t bytes, void *cookie)
{
    lone_msg *m = owner;
    (void)src;
    (void)dst;
    (void)cookie;
    m->at = at;
    m->bytes += bytes;
}

/* One message of `bytes` from src to dst given at tick 0 (queued at the
 * NI at tick 1), alone in the 4 x 4 fixture mesh, and the links it used. */
static void lone_message(const char *const *sets, size_t n_sets, int src, int dst, uint64_t bytes, lone_msg *out)
{
    ws_config cfg;
    load(&cfg, FIXTURE("mesh.yaml"), sets, n_sets);
    ws_engine *e = ws_engine_new(1);
    char err[128];
    noc_network *n = noc_network_new(e, &cfg, NULL, err, sizeof err);
    ck_assert_msg(n != NULL, "%s", err);
    memset(out, 0, sizeof *out);
    noc_network_on_delivery(n, lone_delivery, out);
    noc_network_send(n, 0, src, dst, bytes, NULL);
    ck_assert_int_eq(ws_engine_run(e, WS_TICK_NEVER), WS_RUN_QUIESCENT);
    int H = abs(src % 4 - dst % 4) + abs(src / 4 - dst / 4);
    out->formula = noc_network_zero_load_latency_bytes(n, H, bytes);
    out->link_bytes = 0;
    for (size_t i = 0; i < noc_network_link_count(n); i++) {
        noc_link_stats l;
        noc_network_link_stats(n, i, &l);
        if (!l.flits)
            continue;
        out->busy_sum += l.busy_ticks;
        if (out->links++ && (l.bytes != out->link_bytes || l.flits != out->link_flits || l.busy_ticks != out->link_busy))
            out->link_bytes = -1;
        else if (out->links == 1) {
            out->link_bytes = l.bytes;
            out->link_flits = l.flits;
            out->link_busy = l.busy_ticks;
        }
    }
    noc_network_free(n);
    ws_engine_free(e);
    ws_config_free(&cfg);
}

/* A message's last flit carries the rest of its bytes and holds each link
 * for ceil(rest / bytes per cycle) cycles; per-link bytes are the real
 * bytes. Expected ticks by hand from doc/noc.md: delivery = 1 + T0, with
 * T0 = 2 + (H+1) P + H (ser_head + L) + Ts, Ts = max((S-2) ser + ser_tail -
 * (Rd + Vd), S - 1) for S >= 2 flits over H > 0 hops; here P = 4, Rd + Vd
 * = 2, L = 1. */
START_TEST(partial_flits_serialise_their_bytes)
{
    static const struct {
        const char *sets[3];
        size_t n;
        int src, dst;
        uint64_t bytes;
        ws_tick at;            /* delivery tick, by hand */
        uint64_t flits, busy;  /* per link used, by hand */
        int links;
    } cases[] = {
        /* a 16 B request in a 4 MiB flit over one 1700 B/cycle link:
         * ser 1, 1 + 2 + 2*4 + (1 + 1) = 13 (a whole flit: ser
         * ceil(4194304 / 1700) = 2468, 1 + 2 + 8 + 2469 = 2480) */
        { { "hw.link.bandwidth=1700 B/cycle", "noc.flit_size=4 MiB" }, 2, 0, 1, 16, 13, 1, 1, 1 },
        { { "hw.link.bandwidth=1700 B/cycle", "noc.flit_size=4 MiB" }, 2, 0, 1, 4194304, 2480, 1, 2468, 1 },
        /* 5000 B: ser ceil(5000 / 1700) = 3, two hops: 1 + 2 + 3*4 + 2*(3 + 1) = 23 */
        { { "hw.link.bandwidth=1700 B/cycle", "noc.flit_size=4 MiB" }, 2, 0, 8, 5000, 23, 1, 3, 2 },
        /* 160 B flits over 16 B/cycle: ser 10. 1.5 flits (240 B, tail 80 B,
         * ser 5) over 3 hops: Ts = max(0 + 5 - 2, 1) = 3, 1 + 2 + 16 + 3*11 + 3 = 55;
         * each link busy 10 + 5 */
        { { "noc.flit_size=160 B" }, 1, 0, 3, 240, 55, 2, 15, 3 },
        /* 3.5 flits (560 B): Ts = max(2*10 + 5 - 2, 3) = 23, 1 + 51 + 23 = 75; busy 3*10 + 5 */
        { { "noc.flit_size=160 B" }, 1, 0, 3, 560, 75, 4, 35, 3 },
        /* from a node to itself: no mesh link, Ts = S - 1: 1 + 2 + 4 + 1 = 8 */
        { { "noc.flit_size=160 B" }, 1, 5, 5, 240, 8, 0, 0, 0 },
        /* horizontal links at half width (8 B/cycle): ser 20, the 80 B
         * tail 10: 1 + 2 + 16 + 3*21 + max(10 - 2, 1) = 90 */
        { { "noc.flit_size=160 B", "noc.link_overrides=[{select: horizontal, width_scale: 0.5}]" }, 2, 0, 3, 240,
          90, 2, 30, 3 },
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        lone_msg m;
        lone_message(cases[c].sets, cases[c].n, cases[c].src, cases[c].dst, cases[c].bytes, &m);
        ck_assert_msg(m.at == cases[c].at, "case %zu: delivered at %llu, by hand %llu", c, (unsigned long long)m.at,
                      (unsigned long long)cases[c].at);
        ck_assert_uint_eq(m.bytes, cases[c].bytes);
        if (c != 6)   /* the formula assumes uniform links */
            ck_assert_uint_eq(m.formula + 1, cases[c].at);
        ck_assert_int_eq(m.links, cases[c].links);
        if (!m.links)
            continue;
        ck_assert_msg(m.link_bytes == (double)cases[c].bytes, "case %zu: %g bytes per link", c, m.link_bytes);
        ck_assert_uint_eq(m.link_flits, cases[c].flits);
        ck_assert_uint_eq(m.link_busy, cases[c].busy);
    }
}
END_TEST

/* Messages of 1-400 B in 160 B flits over 16 B/cycle links: their last
 * flits hold links for 1-10 cycles. A router left alone until its wake
 * would have done nothing (noc_network_check_wakes), and the results equal
 * those of an unchecked run with activity skipping. */
static void sender_wakes_exact(const char *const *sets, size_t n_sets)
{
    sender a, b;
    run_with_sender_on(sets, n_sets, WS_VISIT_REGISTRATION, false, true, false, 1, &a);
    run_with_sender_on(sets, n_sets, WS_VISIT_REGISTRATION, true, false, false, 1, &b);
    ck_assert_uint_eq(a.delivered, 300);
    ck_assert_uint_eq(a.bytes, b.bytes);
    ck_assert_uint_eq(a.tick_sum, b.tick_sum);
}

START_TEST(partial_flit_wakes_are_exact)
{
    const char *sets[] = { "noc.flit_size=160 B", "hw.link.latency=3 cycles" };
    sender_wakes_exact(sets, 2);
    /* and with flit streaming over links of 16 and 64 B/cycle */
    const char *streaming[] = { "noc.flit_size=160 B", "hw.link.latency=3 cycles", "noc.flit_streaming=true",
                                "noc.link_overrides=[{select: vertical, width_scale: 4}]" };
    sender_wakes_exact(streaming, 4);
}
END_TEST

/* Flit streaming, lone messages in the 4 x 4 fixture mesh (P = 4, Rd + Vd
 * = 2, L = 1), delivery ticks by hand. A flit is forwarded as soon as its
 * head arrives; a link carrying it is busy until max(grant + ser, its
 * tail's arrival + 1). For H hops over links k = 1..H, where the message
 * (S flits) serialises in M_k = (S-1) ser_k + ser_tail_k cycles:
 *   delivery = 1 + T0, T0 = 2 + (H+1) P + H (1 + L) + Ts,
 *   Ts = S - 1 (H = 0), else max(S - 1, max over k of M_k - 1 - (H-k+1)(Rd + Vd))
 * (doc/noc.md; uniform links: the last link's term). 160 B flits over 16
 * B/cycle links: ser 10, an 80 B tail 5; "2,0>3,0" is the third link of
 * 0 -> 3. Busy: the sum over the links of their busy cycles, by hand. */
START_TEST(streaming_partial_flits_and_mixed_links)
{
#define ST "noc.flit_streaming=true"
#define F160 "noc.flit_size=160 B"
#define LAST_HALF "noc.link_overrides=[{select: list, links: [\"2,0>3,0\"], width_scale: 0.5}]"
#define LAST_WIDE "noc.link_overrides=[{select: list, links: [\"2,0>3,0\"], width_scale: 2}]"
#define FIRST_HALF "noc.link_overrides=[{select: list, links: [\"0,0>1,0\"], width_scale: 0.5}]"
#define MIDDLE_WIDE "noc.link_overrides=[{select: list, links: [\"1,0>2,0\"], width_scale: 2}]"
    static const struct {
        const char *sets[3];
        size_t n;
        int src, dst;
        uint64_t bytes;
        ws_tick at;            /* delivery tick, by hand */
        uint64_t busy;         /* all links, by hand */
        bool uniform;          /* the formula of noc_network_zero_load_latency_bytes applies */
    } cases[] = {
        /* 16 B in a 4 MiB flit over 1700 B/cycle, one hop: ser 1, Ts = 0,
         * 1 + 2 + 8 + 2 = 13 (as store-and-forward) */
        { { "hw.link.bandwidth=1700 B/cycle", "noc.flit_size=4 MiB", ST }, 3, 0, 1, 16, 13, 1, true },
        /* a whole 4 MiB flit, ser 2468: Ts = 2468 - 3, 1 + 12 + 2465 = 2478
         * (store-and-forward 2480: the last router routes while the tail arrives) */
        { { "hw.link.bandwidth=1700 B/cycle", "noc.flit_size=4 MiB", ST }, 3, 0, 1, 4194304, 2478, 2468, true },
        /* 5000 B, ser 3, two hops: Ts = max(0, 3 - 3), 1 + 2 + 12 + 4 = 19 (store-and-forward 23) */
        { { "hw.link.bandwidth=1700 B/cycle", "noc.flit_size=4 MiB", ST }, 3, 0, 8, 5000, 19, 6, true },
        /* 1.5 flits (240 B), 3 hops: Ts = max(1, 15 - 3) = 12, 1 + 24 + 12 = 37 (55); 3 x 15 busy */
        { { F160, ST }, 2, 0, 3, 240, 37, 45, true },
        /* 3.5 flits (560 B): Ts = max(3, 35 - 3) = 32, 1 + 24 + 32 = 57 (75); 3 x 35 */
        { { F160, ST }, 2, 0, 3, 560, 57, 105, true },
        /* to itself: Ts = S - 1 = 1, 1 + 2 + 4 + 1 = 8 */
        { { F160, ST }, 2, 5, 5, 240, 8, 0, true },
        /* a slower last link (ser 20, tail 10), 2 flits: Ts = max(40 - 3, 20 - 5, 20 - 7) = 37,
         * 1 + 24 + 37 = 62; busy 20 + 20 + 40 */
        { { F160, ST, LAST_HALF }, 3, 0, 3, 320, 62, 80, false },
        /* the same, 1.5 flits: Ts = max(30 - 3, 15 - 5, 15 - 7) = 27, 1 + 24 + 27 = 52; busy 15 + 15 + 30 */
        { { F160, ST, LAST_HALF }, 3, 0, 3, 240, 52, 60, false },
        /* a widened last link (ser 5) waits for the bytes of the slower
         * ones: 2 flits, Ts = max(10 - 3, 20 - 5, 20 - 7) = 15, 1 + 24 + 15 = 40;
         * the last link busy 8 + 10 (not 2 x 5): 20 + 20 + 18 */
        { { F160, ST, LAST_WIDE }, 3, 0, 3, 320, 40, 58, false },
        /* the same, one flit: Ts = max(5 - 3, 10 - 5, 10 - 7) = 5, 1 + 24 + 5 = 30; 10 + 10 + 8 */
        { { F160, ST, LAST_WIDE }, 3, 0, 3, 160, 30, 28, false },
        /* a slower first link (ser 20): Ts = max(40 - 7, 20 - 5, 20 - 3) = 33, 1 + 24 + 33 = 58;
         * busy 40, then 18 + 20 and 16 + 20 (the later links wait for the bytes) */
        { { F160, ST, FIRST_HALF }, 3, 0, 3, 320, 58, 114, false },
        /* a widened middle link changes nothing but its own busy time: Ts =
         * max(20 - 7, 10 - 5, 20 - 3) = 17, 1 + 24 + 17 = 42; 20 + (8 + 10) + 20 */
        { { F160, ST, MIDDLE_WIDE }, 3, 0, 3, 320, 42, 58, false },
        { { F160, ST }, 2, 0, 3, 320, 42, 60, true },
    };
#undef ST
#undef F160
#undef LAST_HALF
#undef LAST_WIDE
#undef FIRST_HALF
#undef MIDDLE_WIDE
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        lone_msg m;
        lone_message(cases[c].sets, cases[c].n, cases[c].src, cases[c].dst, cases[c].bytes, &m);
        ck_assert_msg(m.at == cases[c].at, "case %zu: delivered at %llu, by hand %llu", c, (unsigned long long)m.at,
                      (unsigned long long)cases[c].at);
        ck_assert_uint_eq(m.bytes, cases[c].bytes);
        ck_assert_msg(m.busy_sum == cases[c].busy, "case %zu: links busy %llu cycles, by hand %llu", c,
                      (unsigned long long)m.busy_sum, (unsigned long long)cases[c].busy);
        if (!cases[c].uniform)
            continue;
        ck_assert_uint_eq(m.formula + 1, cases[c].at);
        if (m.links)
            ck_assert_msg(m.link_bytes == (double)cases[c].bytes, "case %zu: %g bytes per link", c, m.link_bytes);
    }
}
END_TEST

/* With one-cycle serialisation (BookSim regime) streaming changes
 * nothing: the same measured point. */
START_TEST(streaming_with_unit_flits_changes_nothing)
{
    const char *off[] = { "hw.grid={x: 8, y: 8}", "traffic.packet_flits=[1, 4]", "hw.routing=west_first" };
    const char *on[] = { "hw.grid={x: 8, y: 8}", "traffic.packet_flits=[1, 4]", "hw.routing=west_first",
                         "noc.flit_streaming=true" };
    noc_point a, b;
    ws_config ca, cb;
    load(&ca, FIXTURE("mesh.yaml"), off, 3);
    load(&cb, FIXTURE("mesh.yaml"), on, 4);
    ck_assert_int_eq(noc_measure_point(&ca, 0.3, stderr, &a), 0);
    ck_assert_int_eq(noc_measure_point(&cb, 0.3, stderr, &b), 0);
    assert_points_equal(&a, &b);
    for (size_t i = 0; i < a.n_links; i++)
        ck_assert_uint_eq(a.links[i].busy_ticks, b.links[i].busy_ticks);
    noc_point_free(&a);
    noc_point_free(&b);
    ws_config_free(&ca);
    ws_config_free(&cb);
}
END_TEST

/* ------------------------------------------------------------ deadlock */

START_TEST(test_routing_deadlocks_and_watchdog_names_vcs)
{
    ws_config cfg;
    load(&cfg, FIXTURE("deadlock.yaml"), NULL, 0);
    ws_engine *e = ws_engine_new(1);
    ws_tick window = ws_config_ticks(&cfg, cfg.sim.watchdog_s);
    ws_engine_set_watchdog(e, window);
    char err[128];
    noc_network *n = noc_network_new(e, &cfg, NULL, err, sizeof err);
    noc_traffic *t = noc_traffic_new(&cfg, 0.9, 3);
    noc_network_set_traffic(n, t);
    ck_assert_int_eq(ws_engine_run(e, 1000000), WS_RUN_NO_PROGRESS);
    ws_engine_stats st;
    ws_engine_stats_get(e, &st);
    ck_assert_uint_eq(st.now, st.last_progress + window + 1);
    ck_assert_uint_lt(st.now, 100000);
    char *text = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&text, &len);
    ws_engine_report_stall(e, mem);
    fclose(mem);
    ck_assert_msg(strstr(text, "noc:") && strstr(text, "waits on router") && strstr(text, "(0 credits)"),
                  "%s", text);
    free(text);
    noc_network_free(n);
    noc_traffic_free(t);
    ws_engine_free(e);
    ws_config_free(&cfg);
}
END_TEST

/* ------------------------------------------------------------ routing, links */

static void drain_all(const char *const *sets, size_t n_sets, double rate)
{
    traffic_net tn;
    traffic_net_open(&tn, sets, n_sets, rate, 4);
    ws_engine_set_watchdog(tn.e, 20000);
    noc_network_set_measuring(tn.n, true);
    ck_assert_int_eq(ws_engine_run(tn.e, 3000), WS_RUN_UNTIL);
    noc_network_set_traffic(tn.n, NULL);
    ck_assert_int_eq(ws_engine_run(tn.e, WS_TICK_NEVER), WS_RUN_QUIESCENT);
    noc_counts c;
    noc_network_counts(tn.n, &c);
    ck_assert_uint_eq(c.packets_alive, 0);
    ck_assert_uint_gt(c.packets_ejected, 1000);
    traffic_net_close(&tn);
}

START_TEST(adaptive_and_variants_deliver_everything)
{
    static const char *const variants[][3] = {
        { "hw.routing=west_first", "traffic.packet_flits=[4]", "hw.grid={x: 6, y: 5}" },
        { "hw.routing=odd_even", "traffic.packet_flits=[4]", "hw.grid={x: 6, y: 5}" },
        { "noc.switching=vct", "traffic.packet_flits=[8]", "noc.vcs=2" },
        { "noc.input_speedup=2", "traffic.packet_flits=[3]", "noc.vcs=1" },
        { "noc.half_duplex=true", "traffic.packet_flits=[2]", "hw.routing=yx" },
        /* VC allocation's request masks: 16 VCs take two 64-bit words, 5 a
         * stride of 8 bits per port */
        { "noc.vcs=16", "traffic.packet_flits=[2]", "hw.routing=west_first" },
        { "noc.vcs=5", "noc.switching=vct", "traffic.packet_flits=[1,3]" },
    };
    for (size_t i = 0; i < sizeof variants / sizeof variants[0]; i++)
        drain_all(variants[i], 3, 0.9);   /* far beyond saturation */
}
END_TEST

START_TEST(adaptive_routes_are_minimal)
{
    static const char *const names[] = { "hw.routing=west_first", "hw.routing=odd_even" };
    for (size_t i = 0; i < 2; i++) {
        const char *sets[] = { names[i], "hw.grid={x: 7, y: 6}" };
        ws_config cfg;
        load(&cfg, FIXTURE("mesh.yaml"), sets, 2);
        for (int s = 0; s < 42; s += 5)
            for (int d = 0; d < 42; d += 3) {
                double hops;
                lone_packet(&cfg, s, d, 1, &hops);
                ck_assert_int_eq((int)hops, abs(s % 7 - d % 7) + abs(s / 7 - d / 7));
            }
        ws_config_free(&cfg);
    }
}
END_TEST

/* A routing function flagged dest_only (the network then tabulates its
 * routes) must return the same port whatever the source and input port:
 * every flagged function, every router, destination, source and input
 * port of a 5 x 4 mesh; xy and yx at least are flagged. */
START_TEST(dest_only_routes_ignore_source_and_port)
{
    int flagged = 0;
    for (size_t i = 0; i < noc_routing_count; i++) {
        const noc_routing *rf = noc_routing_registry[i].impl;
        if (!rf->dest_only)
            continue;
        flagged++;
        for (int r = 0; r < 20; r++)
            for (int d = 0; d < 20; d++) {
                noc_route_query q0 = { 5, 4, r % 5, r / 5, r % 5, r / 5, d % 5, d / 5, NOC_PORT_LOCAL };
                uint8_t want[4], got[4];
                ck_assert_uint_eq(rf->route(&q0, want), 1);
                for (int s = 0; s < 20; s++)
                    for (int p = 0; p < NOC_PORTS; p++) {
                        noc_route_query q = { 5, 4, r % 5, r / 5, s % 5, s / 5, d % 5, d / 5, p };
                        ck_assert_uint_eq(rf->route(&q, got), 1);
                        ck_assert_uint_eq(got[0], want[0]);
                    }
            }
    }
    ck_assert_int_ge(flagged, 2);
    ck_assert(noc_routing_find("xy")->impl->dest_only && noc_routing_find("yx")->impl->dest_only);
    ck_assert(!noc_routing_find("west_first")->impl->dest_only && !noc_routing_find("odd_even")->impl->dest_only);
}
END_TEST

/* Throughput of one-way and two-way streams over the single link of a
 * 2 x 1 mesh. */
static void stream_throughput(bool half, double *one_way, double *two_way)
{
    const char *sets[] = { "hw.grid={x: 2, y: 1}", half ? "noc.half_duplex=true" : "noc.half_duplex=false",
                           "traffic.pattern=bit_complement" };
    ws_config cfg;
    load(&cfg, FIXTURE("mesh.yaml"), sets, 3);
    for (int two = 0; two < 2; two++) {
        ws_engine *e = ws_engine_new(1);
        char err[128];
        noc_network *n = noc_network_new(e, &cfg, NULL, err, sizeof err);
        for (ws_tick t = 0; t < 2000; t++) {
            noc_network_inject_packet(n, t, 0, 1, 1);
            if (two)
                noc_network_inject_packet(n, t, 1, 0, 1);
        }
        ws_engine_run(e, 1999);
        noc_counts c;
        noc_network_counts(n, &c);
        *(two ? two_way : one_way) = (double)c.flits_ejected / 2000.0;
        noc_network_free(n);
        ws_engine_free(e);
    }
    ws_config_free(&cfg);
}

START_TEST(half_duplex_shares_the_link)
{
    double fd1, fd2, hd1, hd2;
    stream_throughput(false, &fd1, &fd2);
    stream_throughput(true, &hd1, &hd2);
    /* full duplex: one flit per cycle each way; half duplex: one flit per
     * cycle in total, whether one or two streams use it */
    ck_assert_msg(fd1 > 0.97 && fd2 > 1.94, "full duplex %g %g", fd1, fd2);
    ck_assert_msg(hd1 > 0.97 && hd2 < 1.01 && hd2 > 0.9, "half duplex %g %g", hd1, hd2);
}
END_TEST

START_TEST(link_override_changes_serialisation)
{
    const char *sets[] = { "hw.grid={x: 8, y: 8}",
                           "noc.link_overrides=[{select: horizontal, width_scale: 0.5, latency_scale: 3}]" };
    ws_config cfg;
    load(&cfg, FIXTURE("mesh.yaml"), sets, 2);
    double hops;
    /* 0 -> 3: three horizontal links of 2 cycles' serialisation and 3
     * cycles' latency; 4 flits: 2 + 4*4 + 3*(2+3) + max(3*2 - 2, 3) = 37 */
    ck_assert(lone_packet(&cfg, 0, 3, 4, &hops) == 37);
    /* 0 -> 16: two vertical links unchanged: 2 + 3*4 + 2*2 + 3 = 21 */
    ck_assert(lone_packet(&cfg, 0, 16, 4, &hops) == 21);
    ws_config_free(&cfg);
}
END_TEST

/* ------------------------------------------------------------ event-driven time */

typedef struct wake_run {
    noc_counts c;
    measured_totals m;
    ws_tick end;
    uint64_t ticks_processed;
} wake_run;

/* Bursty random traffic for 2000 cycles, then a drain; with `check`,
 * activity skipping off and every router with work that is not due
 * stepped anyway (aborting unless that step changes nothing). */
static void run_wakes(const char *const *sets, size_t n_sets, double rate, bool check, wake_run *out)
{
    traffic_net tn;
    traffic_net_open(&tn, sets, n_sets, rate, 5);
    ws_engine_set_skipping(tn.e, !check);
    noc_network_check_wakes(tn.n, check);
    noc_network_set_measuring(tn.n, true);
    ck_assert_int_eq(ws_engine_run(tn.e, 1999), WS_RUN_UNTIL);
    noc_network_set_traffic(tn.n, NULL);
    ck_assert_int_eq(ws_engine_run(tn.e, WS_TICK_NEVER), WS_RUN_QUIESCENT);
    noc_network_counts(tn.n, &out->c);
    out->m = measured_sums(tn.n);
    ws_engine_stats st;
    ws_engine_stats_get(tn.e, &st);
    out->end = st.now;
    out->ticks_processed = st.ticks_processed;
    traffic_net_close(&tn);
}

START_TEST(wakes_are_exact)
{
    static const struct {
        const char *sets[6];
        size_t n;
        double rate;
    } variants[] = {
        /* 16 B flits over 1 B/cycle links of 40 cycles: ser 16 */
        { { "hw.link.bandwidth=1 B/cycle", "hw.link.latency=40 cycles", "traffic.packet_flits=[1,4]" }, 3, 0.02 },
        { { "hw.link.bandwidth=2 B/cycle", "hw.link.latency=30 cycles", "noc.half_duplex=true",
            "traffic.packet_flits=[2,5]" }, 4, 0.02 },
        { { "hw.link.bandwidth=4 B/cycle", "noc.half_duplex=true", "hw.routing=west_first",
            "noc.switching=vct", "traffic.packet_flits=[1,3]" }, 5, 0.05 },
        { { "hw.routing=odd_even", "noc.input_speedup=2", "hw.link.bandwidth=8 B/cycle",
            "traffic.packet_flits=[3]", "noc.vcs=2" }, 5, 0.1 },
        { { "noc.routing_delay=3 cycles", "noc.vc_alloc_delay=2 cycles", "noc.sw_alloc_delay=0 cycles",
            "noc.credit_delay=9 cycles", "noc.vc_buffer_flits=3", "traffic.packet_flits=[1,6]" }, 6, 0.15 },
        { { "noc.half_duplex=true", "hw.routing=yx", "traffic.packet_flits=[2]" }, 3, 0.4 },
        { { "noc.vcs=13", "hw.routing=odd_even", "noc.vc_buffer_flits=2", "traffic.packet_flits=[1,3]" }, 4, 0.3 },
        /* flit streaming: 16 B flits over links of 1 and 4 B/cycle (ser
         * 16 and 4: fast links wait for the bytes of slow ones), full and
         * half duplex, wormhole and VCT */
        { { "noc.flit_streaming=true", "hw.link.bandwidth=1 B/cycle", "hw.link.latency=20 cycles",
            "noc.link_overrides=[{select: horizontal, width_scale: 4}]", "traffic.packet_flits=[1,4]" }, 5, 0.03 },
        { { "noc.flit_streaming=true", "hw.link.bandwidth=4 B/cycle", "noc.half_duplex=true",
            "noc.link_overrides=[{select: vertical, width_scale: 0.25}]", "traffic.packet_flits=[2,5]" }, 5, 0.03 },
        { { "noc.flit_streaming=true", "hw.link.bandwidth=4 B/cycle", "noc.switching=vct", "hw.routing=west_first",
            "traffic.packet_flits=[1,3]" }, 5, 0.05 },
    };
    for (size_t i = 0; i < sizeof variants / sizeof variants[0]; i++) {
        wake_run a, b;
        run_wakes(variants[i].sets, variants[i].n, variants[i].rate, true, &a);
        run_wakes(variants[i].sets, variants[i].n, variants[i].rate, false, &b);
        ck_assert_uint_gt(a.c.packets_ejected, 50);
        ck_assert_uint_eq(a.c.packets_alive, 0);
        ck_assert_uint_eq(a.c.packets_ejected, b.c.packets_ejected);
        ck_assert_uint_eq(a.c.flits_ejected, b.c.flits_ejected);
        ck_assert_uint_eq(a.m.n, b.m.n);
        ck_assert_msg(a.m.latency == b.m.latency && a.m.hops == b.m.hops, "variant %zu: latency sums %g %g", i,
                      a.m.latency, b.m.latency);
        ck_assert_uint_eq(a.end, b.end);
    }
}
END_TEST

START_TEST(long_links_cost_few_visits)
{
    /* 64 B flits over 1 B/cycle links of 1000 cycles: each flit holds a
     * link for 64 cycles and spends 1064 on it */
    const char *sets[] = { "hw.link.bandwidth=1 B/cycle", "hw.link.latency=1000 cycles", "noc.flit_size=64 B" };
    ws_config cfg;
    load(&cfg, FIXTURE("mesh.yaml"), sets, 3);
    ws_engine *e = ws_engine_new(1);
    char err[128];
    noc_network *n = noc_network_new(e, &cfg, NULL, err, sizeof err);
    noc_network_set_measuring(n, true);
    noc_network_inject_packet(n, 0, 0, 15, 8);   /* 6 hops */
    ck_assert_int_eq(ws_engine_run(e, WS_TICK_NEVER), WS_RUN_QUIESCENT);
    noc_measured m;
    noc_network_measured(n, &m);
    ck_assert_uint_eq(m.n, 1);
    /* doc/noc.md: 2 + 7 P + 6 (ser + L) + 7 ser - (Rd + Vd), P = 4 */
    ck_assert(m.packet_latency[0] == 2 + 7 * 4 + 6 * (64 + 1000) + 7 * 64 - 2);
    ws_engine_stats st;
    ws_engine_stats_get(e, &st);
    /* 8 flits x 7 routers, a few visits each, out of ~7000 cycles */
    ck_assert_msg(st.ticks_processed < 300, "%llu ticks visited of %llu", (unsigned long long)st.ticks_processed,
                  (unsigned long long)st.now);
    noc_network_free(n);
    ws_engine_free(e);
    ws_config_free(&cfg);
}
END_TEST

static Suite *noc_suite(void)
{
    Suite *s = suite_create("noc");
    TCase *tc = tcase_create("model");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, zero_load_latency_formula);
    tcase_add_test(tc, zero_load_latency_long_links);
    tcase_add_test(tc, streaming_zero_load_formula);
    tcase_add_test(tc, mean_hops_closed_forms);
    tcase_add_test(tc, uniform_generator_sample_mean);
    tcase_add_test(tc, traffic_calendar_order_and_counts);
    tcase_add_test(tc, saturation_below_channel_load_bound);
    tcase_add_test(tc, conservation_every_sample);
    tcase_add_test(tc, littles_law);
    tcase_add_test(tc, skip_equals_no_skip);
    tcase_add_test(tc, deterministic_per_seed);
    tcase_add_test(tc, visit_order_and_messages);
    tcase_add_test(tc, message_reassembly_time);
    tcase_add_test(tc, queued_head_waits_for_routing);
    tcase_add_test(tc, plain_step_equals_general_step);
    tcase_add_test(tc, cache_hints_change_nothing);
    tcase_add_test(tc, partial_flits_serialise_their_bytes);
    tcase_add_test(tc, partial_flit_wakes_are_exact);
    tcase_add_test(tc, streaming_partial_flits_and_mixed_links);
    tcase_add_test(tc, streaming_with_unit_flits_changes_nothing);
    tcase_add_test(tc, test_routing_deadlocks_and_watchdog_names_vcs);
    tcase_add_test(tc, adaptive_and_variants_deliver_everything);
    tcase_add_test(tc, adaptive_routes_are_minimal);
    tcase_add_test(tc, dest_only_routes_ignore_source_and_port);
    tcase_add_test(tc, half_duplex_shares_the_link);
    tcase_add_test(tc, link_override_changes_serialisation);
    tcase_add_test(tc, wakes_are_exact);
    tcase_add_test(tc, long_links_cost_few_visits);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return ws_check_run(noc_suite());
}
