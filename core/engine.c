/* core/engine.c — tick engine with a wake-up calendar (binary heap),
 * evaluate-then-commit phases and a progress watchdog; contract in
 * core/engine.h. */
#define _POSIX_C_SOURCE 200809L
#include "core/engine.h"

#include <gsl/gsl_randist.h>
#include <stdlib.h>
#include <string.h>

#include "core/heap.h"
#include "core/rng.h"

#include "core/xalloc.h"

typedef struct component {
    char *name;
    void *self;
    const ws_component_ops *ops;
    ws_tick last_visit;     /* WS_TICK_NEVER before the first visit */
    ws_tick last_pushed;    /* latest wake-up put in the calendar */
} component;

typedef struct wake {
    ws_tick at;
    size_t id;
} wake;

static bool wake_before(const wake *a, const wake *b)
{
    return a->at < b->at || (a->at == b->at && a->id < b->id);
}

WS_HEAP_DEFINE(wake_heap, wake, wake_before)

struct ws_engine {
    component *comps;
    size_t n_comps, cap_comps;
    wake_heap cal;           /* the calendar of wake-ups */
    size_t *due;            /* scratch: ids visited this tick */
    ws_tick now;
    bool started;           /* has any tick been processed */
    bool in_tick;
    bool skipping;
    ws_visit_order order;
    ws_tick watchdog;
    ws_tick last_progress;
    ws_tick progress_due;        /* a promised completion (ws_engine_progress_due) */
    uint64_t ticks_processed, evaluations;
    bool deadlock;
    gsl_rng *rng;
};

/* ---------------------------------------------------------- calendar */

static void schedule(ws_engine *e, size_t id, ws_tick at)
{
    if (at == WS_TICK_NEVER)
        return;   /* "never" is not a tick */
    component *c = &e->comps[id];
    /* Skip an exact repeat of a pending wake-up (no-skip mode re-reports
     * the same next_due every tick). */
    if (c->last_pushed == at && (at > e->now || !e->started))
        return;
    c->last_pushed = at;
    wake_heap_push(&e->cal, (wake){ at, id });
}

/* ---------------------------------------------------------- lifecycle */

ws_engine *ws_engine_new(uint64_t seed)
{
    ws_engine *e = ws_xcalloc(1, sizeof *e);
    e->skipping = true;
    e->order = WS_VISIT_REGISTRATION;
    e->rng = ws_rng_stream(seed, "engine.visit_order");
    return e;
}

void ws_engine_free(ws_engine *e)
{
    if (!e)
        return;
    for (size_t i = 0; i < e->n_comps; i++)
        free(e->comps[i].name);
    free(e->comps);
    wake_heap_free(&e->cal);
    free(e->due);
    gsl_rng_free(e->rng);
    free(e);
}

size_t ws_engine_add(ws_engine *e, const char *name, void *self, const ws_component_ops *ops)
{
    if (e->n_comps == e->cap_comps) {
        e->cap_comps = e->cap_comps ? 2 * e->cap_comps : 16;
        e->comps = ws_xrealloc(e->comps, e->cap_comps * sizeof *e->comps);
        e->due = ws_xrealloc(e->due, e->cap_comps * sizeof *e->due);
    }
    size_t id = e->n_comps++;
    component *c = &e->comps[id];
    c->name = ws_xstrdup(name);
    c->self = self;
    c->ops = ops;
    c->last_visit = WS_TICK_NEVER;
    c->last_pushed = WS_TICK_NEVER;
    schedule(e, id, e->started ? e->now + 1 : 0);
    return id;
}

void ws_engine_set_skipping(ws_engine *e, bool skipping) { e->skipping = skipping; }
void ws_engine_set_visit_order(ws_engine *e, ws_visit_order order) { e->order = order; }
void ws_engine_set_watchdog(ws_engine *e, ws_tick watchdog_ticks) { e->watchdog = watchdog_ticks; }
ws_tick ws_engine_now(const ws_engine *e) { return e->now; }
void ws_engine_progress(ws_engine *e) { e->last_progress = e->now; }

void ws_engine_progress_due(ws_engine *e, ws_tick t)
{
    if (t != WS_TICK_NEVER && t > e->progress_due)
        e->progress_due = t;
}

void ws_engine_wake(ws_engine *e, size_t id, ws_tick at)
{
    if (e->started && at <= e->now) {
        fprintf(stderr, "wafersim: internal error: %s woken for tick %llu at tick %llu "
                        "(wake-ups must be in the future)\n",
                e->comps[id].name, (unsigned long long)at, (unsigned long long)e->now);
        abort();
    }
    schedule(e, id, at);
}

/* ---------------------------------------------------------- running */

static bool any_busy(const ws_engine *e)
{
    for (size_t i = 0; i < e->n_comps; i++)
        if (e->comps[i].ops->busy && e->comps[i].ops->busy(e->comps[i].self))
            return true;
    return false;
}

static int cmp_size(const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    return (x > y) - (x < y);
}

/* Fills e->due with the components to visit at tick t; returns how many. */
static size_t collect_due(ws_engine *e, ws_tick t)
{
    size_t n = 0;
    while (e->cal.n && e->cal.items[0].at <= t) {
        wake w = wake_heap_pop(&e->cal);
        if (!e->skipping)
            continue;   /* everyone is visited anyway */
        component *c = &e->comps[w.id];
        if (c->last_visit == t)
            continue;
        c->last_visit = t;
        e->due[n++] = w.id;
    }
    if (!e->skipping) {
        for (size_t i = 0; i < e->n_comps; i++) {
            e->comps[i].last_visit = t;
            e->due[i] = i;
        }
        return e->n_comps;
    }
    /* registration order; usually a handful of components, mostly in
       order already: insertion sort beats qsort's call overhead there */
    if (n > 32) {
        qsort(e->due, n, sizeof *e->due, cmp_size);
        return n;
    }
    for (size_t i = 1; i < n; i++) {
        size_t id = e->due[i], k = i;
        for (; k > 0 && e->due[k - 1] > id; k--)
            e->due[k] = e->due[k - 1];
        e->due[k] = id;
    }
    return n;
}

static void order_due(ws_engine *e, size_t n)
{
    if (e->order == WS_VISIT_REVERSE) {
        for (size_t i = 0; i < n / 2; i++) {
            size_t tmp = e->due[i];
            e->due[i] = e->due[n - 1 - i];
            e->due[n - 1 - i] = tmp;
        }
    } else if (e->order == WS_VISIT_SHUFFLED && n > 1) {
        gsl_ran_shuffle(e->rng, e->due, n, sizeof *e->due);
    }
}

static void check_next_due(const component *c, ws_tick nd, ws_tick t)
{
    if (nd != WS_TICK_NEVER && nd <= t) {
        fprintf(stderr, "wafersim: internal error: %s reports next_due %llu at tick %llu\n", c->name,
                (unsigned long long)nd, (unsigned long long)t);
        abort();
    }
}

/* Is the calendar's top the only wake-up at tick t (the usual tick: one
 * component, most often the network, due alone)? Its children hold the
 * earliest of the rest. */
static bool single_due(const ws_engine *e, ws_tick t)
{
    const wake *w = e->cal.items;
    return e->skipping && w[0].at == t && (e->cal.n < 2 || w[1].at > t) && (e->cal.n < 3 || w[2].at > t);
}

/* A tick with a lone due component (the usual tick: most often the
 * network). Its wake-up stays at the calendar's top while it runs
 * (wake-ups made meanwhile are later, so they stay below it), and its next
 * one then replaces it in one sift instead of a pop and a push; the
 * calendar pops in the same order either way ((at, id) is a total order). */
static void process_single(ws_engine *e, ws_tick t)
{
    size_t id = e->cal.items[0].id;
    component *c = &e->comps[id];
    c->last_visit = t;
    c->ops->evaluate(c->self, t);
    if (c->ops->commit)
        c->ops->commit(c->self, t);
    ws_tick nd = c->ops->next_due(c->self, t);
    check_next_due(c, nd, t);
    if (nd != WS_TICK_NEVER && c->last_pushed != nd) {
        c->last_pushed = nd;
        wake_heap_replace_top(&e->cal, (wake){ nd, id });
    } else {
        (void)wake_heap_pop(&e->cal);
        schedule(e, id, nd);
    }
    e->evaluations++;
}

static void process_tick(ws_engine *e, ws_tick t)
{
    e->now = t;
    e->started = true;
    e->in_tick = true;
    if (single_due(e, t)) {
        process_single(e, t);
        e->ticks_processed++;
        e->in_tick = false;
        return;
    }
    size_t n = collect_due(e, t);
    order_due(e, n);
    for (size_t i = 0; i < n; i++) {
        component *c = &e->comps[e->due[i]];
        c->ops->evaluate(c->self, t);
    }
    for (size_t i = 0; i < n; i++) {
        component *c = &e->comps[e->due[i]];
        if (c->ops->commit)
            c->ops->commit(c->self, t);
    }
    for (size_t i = 0; i < n; i++) {
        size_t id = e->due[i];
        component *c = &e->comps[id];
        ws_tick nd = c->ops->next_due(c->self, t);
        check_next_due(c, nd, t);
        schedule(e, id, nd);
    }
    e->evaluations += n;
    e->ticks_processed++;
    e->in_tick = false;
}

/* Both skipping modes end a bounded run with `now` at `until` (the no-skip
 * mode has visited every tick up to it; the skipping mode jumps there). */
static ws_run_status stop_at_until(ws_engine *e, ws_tick until)
{
    if (!e->started || until > e->now) {
        e->now = until;
        e->started = true;
    }
    return WS_RUN_UNTIL;
}

ws_run_status ws_engine_run(ws_engine *e, ws_tick until)
{
    for (;;) {
        if (e->cal.n == 0) {
            if (any_busy(e)) {
                e->deadlock = true;
                return WS_RUN_NO_PROGRESS;
            }
            return WS_RUN_QUIESCENT;
        }
        ws_tick t = e->skipping ? e->cal.items[0].at : (e->started ? e->now + 1 : 0);
        if (e->started && t <= e->now)
            t = e->now + 1;   /* cannot happen with future-only wake-ups */
        /* the window counts from the last progress or a promised
         * completion, whichever is later (ref <= t is checked first, so
         * the subtraction cannot wrap) */
        ws_tick ref = e->progress_due > e->last_progress ? e->progress_due : e->last_progress;
        if (e->watchdog && e->started && t > ref && t - ref > e->watchdog) {
            /* the first tick at which the no-skip mode would notice
             * (saturating: a window near 2^64 never fires) */
            ws_tick stop = e->watchdog < WS_TICK_NEVER - 1 - ref ? ref + e->watchdog + 1 : WS_TICK_NEVER;
            if (stop < e->now + 1)
                stop = e->now + 1;
            if (stop > until)
                return stop_at_until(e, until);
            if (any_busy(e)) {
                e->now = stop;
                return WS_RUN_NO_PROGRESS;
            }
        }
        if (t > until)
            return stop_at_until(e, until);
        process_tick(e, t);
    }
}

void ws_engine_stats_get(const ws_engine *e, ws_engine_stats *out)
{
    out->now = e->now;
    out->ticks_processed = e->ticks_processed;
    out->evaluations = e->evaluations;
    out->last_progress = e->last_progress;
    out->deadlock = e->deadlock;
}

void ws_engine_report_stall(const ws_engine *e, FILE *out)
{
    if (e->deadlock)
        fprintf(out, "deadlock at tick %llu: components are busy but none has work scheduled\n",
                (unsigned long long)e->now);
    else
        fprintf(out, "no progress for %llu ticks (last progress at tick %llu, stopped at tick %llu)\n",
                (unsigned long long)e->watchdog, (unsigned long long)e->last_progress,
                (unsigned long long)e->now);
    for (size_t i = 0; i < e->n_comps; i++) {
        const component *c = &e->comps[i];
        if (!c->ops->busy || !c->ops->busy(c->self))
            continue;
        fprintf(out, "  %s: ", c->name);
        if (c->ops->describe_stall)
            c->ops->describe_stall(c->self, out);
        else
            fputs("busy (no description)", out);
        fputc('\n', out);
    }
}
