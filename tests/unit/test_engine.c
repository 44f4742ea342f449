/* tests/unit/test_engine.c — pins the tick engine's guarantees
 * (core/engine.h, core/channel.h):
 *   - activity skipping and ticking everything every tick give identical
 *     results and the same end tick;
 *   - results do not depend on the order components are visited in a tick
 *     (registration, reverse, shuffled with several seeds, different
 *     registration orders);
 *   - same seed => same result, different seed => different result;
 *   - two engines live in one process without interfering;
 *   - the watchdog stops a stalled run at the documented tick with exit
 *     status semantics NO_PROGRESS, in both modes, and names what waits;
 *   - channels deliver in order after exactly their latency. */
#define _POSIX_C_SOURCE 200809L
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/channel.h"
#include "core/engine.h"
#include "tests/unit/toy_components.h"
#include "tests/unit/check_main.h"

static const toy_params base_params = {
    .n_sources = 6, .n_sinks = 4, .n_cells = 10, .n_packets = 200, .cell_steps = 300, .seed = 42,
};

typedef struct run_opts {
    bool skipping;
    ws_visit_order order;
    uint64_t engine_seed;
} run_opts;

static ws_run_status run_toy(const toy_params *p, run_opts o, toy_result *r, ws_engine_stats *st)
{
    ws_engine *e = ws_engine_new(o.engine_seed);
    ws_engine_set_skipping(e, o.skipping);
    ws_engine_set_visit_order(e, o.order);
    ws_engine_set_watchdog(e, 100000);
    toy_system *s = toy_system_build(e, p);
    ws_run_status status = ws_engine_run(e, WS_TICK_NEVER);
    toy_system_result(s, e, r);
    if (st)
        ws_engine_stats_get(e, st);
    toy_system_free(s);
    ws_engine_free(e);
    return status;
}

START_TEST(toy_system_is_nontrivial)
{
    toy_result r;
    ws_engine_stats st;
    ck_assert_int_eq(run_toy(&base_params, (run_opts){ true, WS_VISIT_REGISTRATION, 1 }, &r, &st),
                     WS_RUN_QUIESCENT);
    uint64_t total = 0;
    for (unsigned o = 0; o < base_params.n_sinks; o++) {
        ck_assert_uint_gt(r.sink_count[o], 0);
        total += r.sink_count[o];
    }
    /* conservation: every packet sent is received exactly once */
    ck_assert_uint_eq(total, (uint64_t)base_params.n_sources * base_params.n_packets);
    /* contention happened, so arbitration order matters to the model */
    ck_assert_uint_gt(r.switch_conflicts, 100);
    /* the packets are at least 1 + 1 + 2 ticks in flight */
    ck_assert_uint_ge(r.sink_latency_sum[0], 4 * r.sink_count[0]);
    ck_assert_uint_gt(r.end_tick, 1000);
}
END_TEST

START_TEST(skip_equals_no_skip)
{
    toy_result a, b;
    ws_engine_stats sa, sb;
    run_toy(&base_params, (run_opts){ true, WS_VISIT_REGISTRATION, 1 }, &a, &sa);
    run_toy(&base_params, (run_opts){ false, WS_VISIT_REGISTRATION, 1 }, &b, &sb);
    ck_assert(toy_result_equal(&a, &b));
    ck_assert_uint_eq(sa.now, sb.now);
    /* and skipping actually skipped: fewer ticks and evaluations */
    ck_assert_uint_lt(sa.ticks_processed, sb.ticks_processed);
    ck_assert_uint_lt(sa.evaluations, sb.evaluations / 2);
    ck_assert_uint_eq(sb.ticks_processed, sb.now + 1);
}
END_TEST

START_TEST(visit_order_does_not_matter)
{
    toy_result ref, r;
    run_toy(&base_params, (run_opts){ true, WS_VISIT_REGISTRATION, 1 }, &ref, NULL);
    run_toy(&base_params, (run_opts){ true, WS_VISIT_REVERSE, 1 }, &r, NULL);
    ck_assert(toy_result_equal(&ref, &r));
    for (uint64_t seed = 1; seed <= 5; seed++) {
        run_toy(&base_params, (run_opts){ true, WS_VISIT_SHUFFLED, seed }, &r, NULL);
        ck_assert(toy_result_equal(&ref, &r));
        run_toy(&base_params, (run_opts){ false, WS_VISIT_SHUFFLED, seed }, &r, NULL);
        ck_assert(toy_result_equal(&ref, &r));
    }
    toy_params reversed = base_params;
    reversed.reverse_registration = true;
    run_toy(&reversed, (run_opts){ true, WS_VISIT_SHUFFLED, 9 }, &r, NULL);
    ck_assert(toy_result_equal(&ref, &r));
}
END_TEST

START_TEST(determinism_and_seed_sensitivity)
{
    toy_result a, b, c;
    run_toy(&base_params, (run_opts){ true, WS_VISIT_REGISTRATION, 1 }, &a, NULL);
    run_toy(&base_params, (run_opts){ true, WS_VISIT_REGISTRATION, 1 }, &b, NULL);
    ck_assert(toy_result_equal(&a, &b));
    toy_params other = base_params;
    other.seed = 43;
    run_toy(&other, (run_opts){ true, WS_VISIT_REGISTRATION, 1 }, &c, NULL);
    ck_assert(!toy_result_equal(&a, &c));
}
END_TEST

START_TEST(two_engines_in_one_process)
{
    toy_result alone_a, alone_b;
    toy_params pb = base_params;
    pb.seed = 7;
    run_toy(&base_params, (run_opts){ true, WS_VISIT_REGISTRATION, 1 }, &alone_a, NULL);
    run_toy(&pb, (run_opts){ true, WS_VISIT_REGISTRATION, 1 }, &alone_b, NULL);

    ws_engine *ea = ws_engine_new(1), *eb = ws_engine_new(1);
    toy_system *sa = toy_system_build(ea, &base_params);
    toy_system *sb = toy_system_build(eb, &pb);
    /* interleave: A part-way, B part-way, A to the end, B to the end */
    ck_assert_int_eq(ws_engine_run(ea, 500), WS_RUN_UNTIL);
    ck_assert_uint_le(ws_engine_now(ea), 500);
    ck_assert_int_eq(ws_engine_run(eb, 700), WS_RUN_UNTIL);
    ck_assert_int_eq(ws_engine_run(ea, WS_TICK_NEVER), WS_RUN_QUIESCENT);
    ck_assert_int_eq(ws_engine_run(eb, WS_TICK_NEVER), WS_RUN_QUIESCENT);
    toy_result ra, rb;
    toy_system_result(sa, ea, &ra);
    toy_system_result(sb, eb, &rb);
    ck_assert(toy_result_equal(&ra, &alone_a));
    ck_assert(toy_result_equal(&rb, &alone_b));
    toy_system_free(sa);
    toy_system_free(sb);
    ws_engine_free(ea);
    ws_engine_free(eb);
}
END_TEST

/* ---------------------------------------------------------------- stalls */

typedef struct staller {
    ws_engine *e;
    ws_tick progress_until;   /* reports progress every 10 ticks until then */
    bool spin;                /* keeps scheduling itself after that */
    ws_tick long_wait;        /* if > 0: one wait of this length, then done */
    ws_tick promise;          /* if > 0: ws_engine_progress_due(promise) at the start */
    bool done;
} staller;

static void staller_evaluate(void *self, ws_tick now)
{
    staller *s = self;
    if (s->long_wait) {
        if (now == s->long_wait) {
            s->done = true;
            ws_engine_progress(s->e);
        }
        return;
    }
    if (now <= s->progress_until && now % 10 == 0)
        ws_engine_progress(s->e);
}

static ws_tick staller_next_due(const void *self, ws_tick now)
{
    const staller *s = self;
    if (s->long_wait)
        return s->done || now >= s->long_wait ? WS_TICK_NEVER : s->long_wait;
    if (now < s->progress_until)
        return now + 1;
    return s->spin ? now + 1 : WS_TICK_NEVER;
}

static bool staller_busy(const void *self) { return !((const staller *)self)->done; }

static void staller_describe(const void *self, FILE *out)
{
    fputs("waiting for a reply that never comes", out);
}

static const ws_component_ops staller_ops = {
    .evaluate = staller_evaluate, .next_due = staller_next_due, .busy = staller_busy,
    .describe_stall = staller_describe,
};

static ws_run_status run_staller(staller *s, bool skipping, ws_tick watchdog, ws_engine_stats *st,
                                 char **report)
{
    ws_engine *e = ws_engine_new(1);
    s->e = e;
    ws_engine_set_skipping(e, skipping);
    ws_engine_set_watchdog(e, watchdog);
    ws_engine_add(e, "tile3.d2d", s, &staller_ops);
    if (s->promise)
        ws_engine_progress_due(e, s->promise);
    ws_run_status r = ws_engine_run(e, WS_TICK_NEVER);
    ws_engine_stats_get(e, st);
    size_t len;
    FILE *mem = open_memstream(report, &len);
    ws_engine_report_stall(e, mem);
    fclose(mem);
    ws_engine_free(e);
    return r;
}

START_TEST(watchdog_fires_on_livelock_at_same_tick_in_both_modes)
{
    for (int skipping = 0; skipping <= 1; skipping++) {
        staller s = { .progress_until = 1000, .spin = true };
        ws_engine_stats st;
        char *report;
        ck_assert_int_eq(run_staller(&s, skipping, 250, &st, &report), WS_RUN_NO_PROGRESS);
        ck_assert_uint_eq(st.last_progress, 1000);
        ck_assert_uint_eq(st.now, 1000 + 250 + 1);
        ck_assert(!st.deadlock);
        ck_assert_ptr_nonnull(strstr(report, "no progress for 250 ticks"));
        ck_assert_ptr_nonnull(strstr(report, "tile3.d2d: waiting for a reply that never comes"));
        free(report);
    }
}
END_TEST

START_TEST(deadlock_detected_when_nothing_is_scheduled)
{
    for (int skipping = 0; skipping <= 1; skipping++) {
        staller s = { .progress_until = 300, .spin = false };
        ws_engine_stats st;
        char *report;
        ck_assert_int_eq(run_staller(&s, skipping, 1000000, &st, &report), WS_RUN_NO_PROGRESS);
        ck_assert(st.deadlock);
        ck_assert_uint_eq(st.now, 300);
        ck_assert_ptr_nonnull(strstr(report, "deadlock at tick 300"));
        ck_assert_ptr_nonnull(strstr(report, "tile3.d2d"));
        free(report);
    }
}
END_TEST

START_TEST(long_legitimate_wait_is_not_a_stall)
{
    for (int skipping = 0; skipping <= 1; skipping++) {
        staller s = { .long_wait = 5000 };
        ws_engine_stats st;
        char *report;
        ck_assert_int_eq(run_staller(&s, skipping, 6000, &st, &report), WS_RUN_QUIESCENT);
        ck_assert(s.done);
        ck_assert_uint_eq(st.now, 5000);
        free(report);
        /* the same wait with a shorter window is reported */
        staller s2 = { .long_wait = 5000 };
        ck_assert_int_eq(run_staller(&s2, skipping, 4000, &st, &report), WS_RUN_NO_PROGRESS);
        ck_assert_uint_eq(st.now, 4001);
        free(report);
    }
}
END_TEST

START_TEST(watchdog_off_runs_to_until)
{
    staller s = { .progress_until = 10, .spin = true };
    ws_engine *e = ws_engine_new(1);
    s.e = e;
    ws_engine_add(e, "spinner", &s, &staller_ops);
    ck_assert_int_eq(ws_engine_run(e, 20000), WS_RUN_UNTIL);
    ck_assert_uint_eq(ws_engine_now(e), 20000);
    ws_engine_free(e);
}
END_TEST

/* ---------------------------------------------------------------- channels */

typedef struct receiver {
    ws_channel *in;
    int got[16];
    ws_tick at[16];
    int n;
} receiver;

static void receiver_evaluate(void *self, ws_tick now)
{
    receiver *r = self;
    int v;
    while (ws_channel_recv(r->in, now, &v)) {
        r->got[r->n] = v;
        r->at[r->n++] = now;
    }
}

static ws_tick never(const void *self, ws_tick now) { return WS_TICK_NEVER; }

static const ws_component_ops receiver_ops = { .evaluate = receiver_evaluate, .next_due = never };

START_TEST(channel_latency_and_order)
{
    ws_engine *e = ws_engine_new(1);
    receiver r = { 0 };
    size_t id = ws_engine_add(e, "rx", &r, &receiver_ops);
    r.in = ws_channel_new(e, id, 7, sizeof(int));
    for (int v = 1; v <= 3; v++)
        ws_channel_send(r.in, 0, &v);
    ck_assert_uint_eq(ws_channel_in_flight(r.in), 3);
    ck_assert_uint_eq(ws_channel_next_arrival(r.in), 7);
    ck_assert(!ws_channel_peek(r.in, 6, NULL));
    ck_assert_int_eq(ws_engine_run(e, WS_TICK_NEVER), WS_RUN_QUIESCENT);
    ck_assert_int_eq(r.n, 3);
    for (int i = 0; i < 3; i++) {
        ck_assert_int_eq(r.got[i], i + 1);
        ck_assert_uint_eq(r.at[i], 7);
    }
    ck_assert_uint_eq(ws_engine_now(e), 7);
    ck_assert_uint_eq(ws_channel_next_arrival(r.in), WS_TICK_NEVER);
    /* many items force the ring to grow while keeping order */
    for (int v = 0; v < 12; v++)
        ws_channel_send(r.in, 7 + (ws_tick)v, &v);
    r.n = 0;
    ck_assert_int_eq(ws_engine_run(e, WS_TICK_NEVER), WS_RUN_QUIESCENT);
    ck_assert_int_eq(r.n, 12);
    for (int i = 0; i < 12; i++) {
        ck_assert_int_eq(r.got[i], i);
        ck_assert_uint_eq(r.at[i], 14 + (ws_tick)i);
    }
    ws_channel_free(r.in);
    ws_engine_free(e);
}
END_TEST

/* A promised completion (a computation ending at a known tick) moves the
 * window: a wait longer than the window that ends as promised is not a
 * stall; a promise that is not kept still is, window ticks after it. */
START_TEST(promised_completion_is_not_a_stall)
{
    for (int skipping = 0; skipping <= 1; skipping++) {
        staller s = { .long_wait = 5000, .promise = 5000 };
        ws_engine_stats st;
        char *report;
        ck_assert_int_eq(run_staller(&s, skipping, 4000, &st, &report), WS_RUN_QUIESCENT);
        ck_assert(s.done);
        ck_assert_uint_eq(st.now, 5000);
        free(report);
        staller s2 = { .long_wait = 9000, .promise = 3000 };
        ck_assert_int_eq(run_staller(&s2, skipping, 4000, &st, &report), WS_RUN_NO_PROGRESS);
        ck_assert_uint_eq(st.now, 3000 + 4000 + 1);
        free(report);
    }
}
END_TEST

/* review findings: a huge watchdog window never fires (no overflow); a
 * bounded run ends at `until` in both modes; "never" is not a tick */
START_TEST(watchdog_window_near_max_never_fires)
{
    for (int skipping = 0; skipping <= 1; skipping++) {
        staller s = { .long_wait = 3000 };
        ws_engine *e = ws_engine_new(1);
        s.e = e;
        ws_engine_set_skipping(e, skipping);
        ws_engine_set_watchdog(e, WS_TICK_NEVER - 2);
        ws_engine_add(e, "waiter", &s, &staller_ops);
        ck_assert_int_eq(ws_engine_run(e, 10), WS_RUN_UNTIL);
        ws_engine_progress(e);   /* last progress at 10: 10 + window would wrap */
        ck_assert_int_eq(ws_engine_run(e, WS_TICK_NEVER), WS_RUN_QUIESCENT);
        ck_assert(s.done);
        ws_engine_free(e);
    }
}
END_TEST

START_TEST(bounded_run_ends_at_until_in_both_modes)
{
    for (int skipping = 0; skipping <= 1; skipping++) {
        staller s = { .long_wait = 1000 };
        ws_engine *e = ws_engine_new(1);
        s.e = e;
        ws_engine_set_skipping(e, skipping);
        ws_engine_add(e, "waiter", &s, &staller_ops);
        ck_assert_int_eq(ws_engine_run(e, 100), WS_RUN_UNTIL);
        ck_assert_uint_eq(ws_engine_now(e), 100);
        ck_assert_int_eq(ws_engine_run(e, WS_TICK_NEVER), WS_RUN_QUIESCENT);
        ck_assert_uint_eq(ws_engine_now(e), 1000);
        ws_engine_free(e);
    }
}
END_TEST

START_TEST(wake_at_never_is_ignored)
{
    staller s = { .long_wait = 50 };
    ws_engine *e = ws_engine_new(1);
    s.e = e;
    size_t id = ws_engine_add(e, "waiter", &s, &staller_ops);
    ws_engine_wake(e, id, WS_TICK_NEVER);
    ck_assert_int_eq(ws_engine_run(e, WS_TICK_NEVER), WS_RUN_QUIESCENT);
    ck_assert_uint_eq(ws_engine_now(e), 50);
    ws_engine_free(e);
}
END_TEST

static Suite *engine_suite(void)
{
    Suite *s = suite_create("engine");
    TCase *eq = tcase_create("equivalence");
    tcase_set_timeout(eq, 120);
    tcase_add_test(eq, toy_system_is_nontrivial);
    tcase_add_test(eq, skip_equals_no_skip);
    tcase_add_test(eq, visit_order_does_not_matter);
    tcase_add_test(eq, determinism_and_seed_sensitivity);
    tcase_add_test(eq, two_engines_in_one_process);
    suite_add_tcase(s, eq);
    TCase *wd = tcase_create("watchdog");
    tcase_add_test(wd, watchdog_fires_on_livelock_at_same_tick_in_both_modes);
    tcase_add_test(wd, deadlock_detected_when_nothing_is_scheduled);
    tcase_add_test(wd, long_legitimate_wait_is_not_a_stall);
    tcase_add_test(wd, watchdog_off_runs_to_until);
    tcase_add_test(wd, promised_completion_is_not_a_stall);
    tcase_add_test(wd, watchdog_window_near_max_never_fires);
    tcase_add_test(wd, bounded_run_ends_at_until_in_both_modes);
    tcase_add_test(wd, wake_at_never_is_ignored);
    suite_add_tcase(s, wd);
    TCase *ch = tcase_create("channel");
    tcase_add_test(ch, channel_latency_and_order);
    suite_add_tcase(s, ch);
    return s;
}

int main(void)
{
    return ws_check_run(engine_suite());
}
