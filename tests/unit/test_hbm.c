/* tests/unit/test_hbm.c — pins the HBM model (mem/hbm.h) against hand
 * calculations: an isolated request costs latency + max over channels of
 * ceil(share / per-channel bandwidth); streaming reaches >= 95% of peak;
 * bounded queues push back (and agree with a naive model of the queues
 * under random requests); statistics add up. Parameters are small round
 * numbers so every expected value is worked out in the comments. */
#include <check.h>
#include <gsl/gsl_rng.h>
#include <math.h>
#include <stdlib.h>

#include "mem/hbm.h"
#include "tests/unit/check_main.h"

/* 64 B/tick over 4 channels = 16 B/tick each; 64 B granules; 100 ticks. */
static const mem_hbm_params small = { .bytes_per_tick = 64, .latency = 100, .channels = 4,
                                      .interleave = 64, .queue_depth = 4 };

START_TEST(isolated_requests_cost_the_formula)
{
    mem_hbm *h = mem_hbm_new(&small);
    /* 1024 B from 0: 16 granules, 4 per channel = 256 B = 16 ticks; + 100 */
    ck_assert_uint_eq(mem_hbm_issue(h, 0, 0, 1024, MEM_HBM_READ_LOCAL), 116);
    mem_hbm_free(h);

    h = mem_hbm_new(&small);
    /* 100 B from 30: ch0 [30,64) 34 B -> 2.125 ticks; ch1 [64,128) 64 B
     * -> 4; ch2 [128,130) 2 B -> 0.125. Slowest share 4 ticks: done at
     * 1000+4+100. */
    ck_assert_uint_eq(mem_hbm_issue(h, 1000, 30, 100, MEM_HBM_READ_REMOTE), 1104);
    ck_assert_double_eq(mem_hbm_channel_busy_ticks(h, 0), 34.0 / 16);
    ck_assert_double_eq(mem_hbm_channel_busy_ticks(h, 1), 4);
    ck_assert_double_eq(mem_hbm_channel_busy_ticks(h, 2), 2.0 / 16);
    ck_assert_double_eq(mem_hbm_channel_busy_ticks(h, 3), 0);
    mem_hbm_free(h);

    /* the presets: 3.35 TB/s at 1 GHz = 3350 B/tick, 16 channels, 256 B
     * granules, 300 ns. A 28 MiB expert matrix read alone:
     * 29360128 B / 16 = 1835008 B per channel at 209.375 B/tick
     * = 8764.2 -> 8765 ticks; + 300 = 9065. */
    mem_hbm_params preset = { 3350, 300, 16, 256, 8 };
    h = mem_hbm_new(&preset);
    ck_assert_uint_eq(mem_hbm_issue(h, 0, 0, 28u << 20, MEM_HBM_READ_LOCAL), 9065);
    mem_hbm_free(h);
}
END_TEST

START_TEST(same_channel_requests_queue)
{
    mem_hbm *h = mem_hbm_new(&small);
    /* two 64 B reads of granule 0 (channel 0) at tick 0: 4 ticks each */
    ck_assert_uint_eq(mem_hbm_issue(h, 0, 0, 64, MEM_HBM_READ_LOCAL), 104);
    ck_assert_uint_eq(mem_hbm_issue(h, 0, 0, 64, MEM_HBM_READ_LOCAL), 108);
    /* a different channel is not delayed */
    ck_assert_uint_eq(mem_hbm_issue(h, 0, 64, 64, MEM_HBM_WRITE_LOCAL), 104);
    const mem_hbm_stats *s = mem_hbm_stats_get(h);
    ck_assert_double_eq(s->queue_delay_ticks, 4);
    ck_assert_uint_eq(s->bytes[MEM_HBM_READ_LOCAL], 128);
    ck_assert_uint_eq(s->requests[MEM_HBM_READ_LOCAL], 2);
    ck_assert_uint_eq(s->bytes[MEM_HBM_WRITE_LOCAL], 64);
    ck_assert_uint_eq(s->requests[MEM_HBM_WRITE_LOCAL], 1);
    ck_assert_uint_eq(s->bytes[MEM_HBM_READ_REMOTE] + s->bytes[MEM_HBM_WRITE_REMOTE], 0);
    mem_hbm_free(h);
}
END_TEST

START_TEST(queue_depth_pushes_back)
{
    mem_hbm_params p = small;
    p.queue_depth = 2;
    mem_hbm *h = mem_hbm_new(&p);
    ck_assert(mem_hbm_can_accept(h, 0, 0, 64));
    mem_hbm_issue(h, 0, 0, 64, MEM_HBM_READ_LOCAL);          /* served 0..4 */
    mem_hbm_issue(h, 0, 0, 64, MEM_HBM_READ_LOCAL);          /* served 4..8 */
    ck_assert(!mem_hbm_can_accept(h, 0, 0, 64));            /* channel 0 full */
    ck_assert(mem_hbm_can_accept(h, 0, 64, 64));            /* channel 1 free */
    ck_assert_uint_eq(mem_hbm_accept_tick(h, 0, 0, 64), 4);  /* when the first is served */
    ck_assert_uint_eq(mem_hbm_accept_tick(h, 0, 64, 128), 0); /* channels 1 and 2: free now */
    ck_assert(!mem_hbm_can_accept(h, 3, 0, 64));
    ck_assert(mem_hbm_can_accept(h, 4, 0, 64));             /* first served */
    ck_assert_uint_eq(mem_hbm_accept_tick(h, 6, 0, 64), 6);
    mem_hbm_free(h);
}
END_TEST

/* An independent, naive model of the contract's back-pressure: per channel
 * the served tick of every share ever issued; a channel's outstanding
 * requests at `now` are those served after now (FIFO, so the oldest is the
 * smallest). Service times follow the contract's formula. */
enum { REF_CH = 4, REF_MAX = 4096 };
typedef struct ref_hbm {
    double free_at[REF_CH];
    ws_tick served[REF_CH][REF_MAX];
    unsigned n[REF_CH];
} ref_hbm;

static uint64_t ref_share(uint64_t addr, uint64_t bytes, unsigned c)
{
    uint64_t sum = 0;
    for (uint64_t b = addr; b < addr + bytes; b++)   /* byte by byte */
        sum += (b / small.interleave) % REF_CH == c;
    return sum;
}

/* The first tick >= now at which every touched channel has fewer than
 * `depth` outstanding shares. */
static ws_tick ref_accept(const ref_hbm *r, unsigned depth, ws_tick now, uint64_t addr, uint64_t bytes)
{
    ws_tick at = now;
    for (unsigned c = 0; c < REF_CH; c++) {
        if (!ref_share(addr, bytes, c))
            continue;
        unsigned out = 0;
        ws_tick oldest = WS_TICK_NEVER;
        for (unsigned i = 0; i < r->n[c]; i++)
            if (r->served[c][i] > now) {
                out++;
                if (r->served[c][i] < oldest)
                    oldest = r->served[c][i];
            }
        ck_assert_uint_le(out, depth);
        if (out == depth && oldest > at)
            at = oldest;
    }
    return at;
}

static ws_tick ref_issue(ref_hbm *r, ws_tick now, uint64_t addr, uint64_t bytes)
{
    ws_tick last = now;
    for (unsigned c = 0; c < REF_CH; c++) {
        uint64_t share = ref_share(addr, bytes, c);
        if (!share)
            continue;
        double start = r->free_at[c] > (double)now ? r->free_at[c] : (double)now;
        r->free_at[c] = start + (double)share / (small.bytes_per_tick / REF_CH);
        ws_tick served = (ws_tick)ceil(r->free_at[c] - 1e-6);
        r->served[c][r->n[c]++] = served;
        if (served > last)
            last = served;
    }
    return last + small.latency;
}

/* Random requests (a few hot addresses so queues fill; first only requests
 * touching every channel, then sizes from 1 B to 5 granules), asked about
 * in every way, issued when they fit: the model's answers, including the
 * ones it takes from its summaries (no full channel, a fit found at an
 * earlier tick, every request so far touching every channel), equal the
 * naive model's. */
START_TEST(back_pressure_matches_a_naive_model)
{
    for (unsigned depth = 1; depth <= 3; depth++) {
        mem_hbm_params p = small;
        p.queue_depth = depth;
        mem_hbm *h = mem_hbm_new(&p);
        ref_hbm *r = calloc(1, sizeof *r);
        gsl_rng *g = gsl_rng_alloc(gsl_rng_mt19937);
        gsl_rng_set(g, depth);
        ws_tick now = 0;
        unsigned issued = 0, waited = 0;
        for (int step = 0; step < 2000; step++) {
            /* first only requests over >= 4 granules (every channel: the
               model's per-request summary), then any */
            uint64_t addr = gsl_rng_uniform_int(g, 8) * 48;
            uint64_t bytes = step < 1000 ? 193 + gsl_rng_uniform_int(g, 128) : 1 + gsl_rng_uniform_int(g, 320);
            ws_tick want = ref_accept(r, depth, now, addr, bytes);
            ck_assert_uint_eq(mem_hbm_accept_tick(h, now, addr, bytes), want);
            if (want > now && gsl_rng_uniform(g) < 0.5) {
                /* a tick before the fit, then the fit or later */
                ws_tick before = now + gsl_rng_uniform_int(g, want - now);
                ck_assert(!mem_hbm_can_accept(h, before, addr, bytes));
                now = want + gsl_rng_uniform_int(g, 2);
                waited++;
            }
            ck_assert_int_eq(mem_hbm_can_accept(h, now, addr, bytes), ref_accept(r, depth, now, addr, bytes) == now);
            if (ref_accept(r, depth, now, addr, bytes) == now) {
                ck_assert_uint_eq(mem_hbm_issue(h, now, addr, bytes, MEM_HBM_READ_LOCAL),
                                  ref_issue(r, now, addr, bytes));
                issued++;
            }
            now += gsl_rng_uniform_int(g, 3);
        }
        ck_assert_uint_gt(issued, 1000);   /* both paths were taken often */
        ck_assert_uint_gt(waited, 100);
        gsl_rng_free(g);
        free(r);
        mem_hbm_free(h);
    }
}
END_TEST

START_TEST(streaming_reaches_peak)
{
    /* issue 4 KiB reads whenever the queues accept, for 200000 ticks of
     * issue time; achieved bandwidth over the data phase >= 95% of peak */
    mem_hbm_params p = { 3350, 300, 16, 256, 8 };
    mem_hbm *h = mem_hbm_new(&p);
    uint64_t addr = 0, bytes = 0;
    ws_tick last_done = 0;
    for (ws_tick t = 0; t < 200000; t++)
        while (mem_hbm_can_accept(h, t, addr, 4096)) {
            last_done = mem_hbm_issue(h, t, addr, 4096, MEM_HBM_READ_LOCAL);
            addr += 4096;
            bytes += 4096;
        }
    double achieved = (double)bytes / (double)(last_done - p.latency);
    ck_assert_double_ge(achieved, 0.95 * p.bytes_per_tick);
    ck_assert_double_le(achieved, p.bytes_per_tick);
    for (unsigned c = 0; c < 16; c++)
        ck_assert_double_ge(mem_hbm_channel_busy_ticks(h, c), 0.95 * (double)(last_done - p.latency));
    mem_hbm_free(h);
}
END_TEST

START_TEST(parameter_checks)
{
    mem_hbm_params p = small;
    p.channels = 0;
    ck_assert_ptr_nonnull(mem_hbm_check(&p));
    ck_assert_ptr_null(mem_hbm_new(&p));
    p = small;
    p.interleave = 0;
    ck_assert_ptr_nonnull(mem_hbm_check(&p));
    p = small;
    p.queue_depth = 0;
    ck_assert_ptr_nonnull(mem_hbm_check(&p));
    p = small;
    p.bytes_per_tick = 0;
    ck_assert_ptr_nonnull(mem_hbm_check(&p));
    ck_assert_ptr_null(mem_hbm_check(&small));
}
END_TEST

int main(void)
{
    Suite *s = suite_create("hbm");
    TCase *tc = tcase_create("timing");
    tcase_add_test(tc, isolated_requests_cost_the_formula);
    tcase_add_test(tc, same_channel_requests_queue);
    tcase_add_test(tc, queue_depth_pushes_back);
    tcase_add_test(tc, back_pressure_matches_a_naive_model);
    tcase_add_test(tc, streaming_reaches_peak);
    tcase_add_test(tc, parameter_checks);
    suite_add_tcase(s, tc);
    return ws_check_run(s);
}
