/* core/engine.h — the tick engine: components, activity skipping,
 * evaluate-then-commit, the progress watchdog.
 *
 * Contract
 *   Time is counted in ticks (ws_tick); one tick is one cycle of the wafer
 *   clock. A component is an object plus a table of functions
 *   (ws_component_ops). At every tick where it is due, the engine calls
 *     evaluate(self, now)   read the state other components committed at
 *                           earlier ticks and compute this tick's changes
 *                           into private "next" state;
 *   on every due component, then
 *     commit(self, now)     (optional) make those changes visible;
 *   on every due component, then asks each of them
 *     next_due(self, now)   the next tick (> now) at which it has work of
 *                           its own, or WS_TICK_NEVER.
 *   A component must not read another's state that is modified during the
 *   same tick's evaluate phase; cross-component traffic goes through
 *   ws_channel (core/channel.h, latency >= 1) or through state changed only
 *   in commit. Under that rule results do not depend on the order in which
 *   components are visited; WS_VISIT_SHUFFLED visits them in a random order
 *   each tick (from the engine's own stream) so tests can prove it.
 *
 *   Activity skipping: the engine keeps a calendar of wake-up ticks (from
 *   next_due and from ws_engine_wake(), which channels call when they
 *   deliver) and jumps from one to the next. With skipping off
 *   (ws_engine_set_skipping(e, false), the CLI's --no-skip) every component
 *   is evaluated and committed at every tick from 0 to the end. A component
 *   must therefore treat a tick at which it has nothing due as a no-op: the
 *   two modes then produce identical results, and the engine reports the
 *   same end tick in both.
 *
 *   The run ends at the first tick after which no wake-up is pending
 *   (quiescence), or at `until` (then ws_engine_now() is `until` in both
 *   skipping modes). A wake-up at WS_TICK_NEVER is ignored. If at quiescence a component still reports
 *   busy(), nothing can ever move it: that is a deadlock. Progress
 *   watchdog: components call ws_engine_progress() whenever something moves
 *   (a flit advances, a request completes). If some component is busy and
 *   no progress has been noted for `watchdog_ticks` ticks, the run stops at
 *   tick last_progress + watchdog_ticks + 1 (the same tick in both skipping
 *   modes). A component whose next step is a known, timed completion (a
 *   computation that ends at tick t) calls ws_engine_progress_due(e, t):
 *   the window then counts from max(last progress, t), so a legitimate
 *   wait longer than the window is not a stall, while nothing happening
 *   by t + window still is. In both stalled cases ws_engine_run() returns WS_RUN_NO_PROGRESS
 *   and ws_engine_report_stall() prints, for every busy component, its name
 *   and what its describe_stall() says it is waiting for.
 *
 *   The engine holds no global state; any number of engines can live in
 *   one process. It does not own the components' objects.
 */
#ifndef WS_ENGINE_H
#define WS_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

typedef uint64_t ws_tick;
#define WS_TICK_NEVER UINT64_MAX

typedef struct ws_engine ws_engine;

typedef struct ws_component_ops {
    void (*evaluate)(void *self, ws_tick now);
    void (*commit)(void *self, ws_tick now);                 /* may be NULL */
    ws_tick (*next_due)(const void *self, ws_tick now);
    bool (*busy)(const void *self);                          /* NULL: never busy */
    void (*describe_stall)(const void *self, FILE *out);     /* may be NULL */
} ws_component_ops;

typedef enum ws_visit_order { WS_VISIT_REGISTRATION, WS_VISIT_REVERSE, WS_VISIT_SHUFFLED } ws_visit_order;

typedef enum ws_run_status {
    WS_RUN_QUIESCENT,      /* nothing left to do */
    WS_RUN_UNTIL,          /* reached the `until` tick */
    WS_RUN_NO_PROGRESS     /* deadlock or watchdog */
} ws_run_status;

typedef struct ws_engine_stats {
    ws_tick now;                /* last tick processed */
    uint64_t ticks_processed;   /* ticks at which components were visited */
    uint64_t evaluations;       /* component evaluate() calls */
    ws_tick last_progress;      /* tick of the last ws_engine_progress() */
    bool deadlock;              /* NO_PROGRESS because nothing was scheduled */
} ws_engine_stats;

/* seed: the engine's own random stream (shuffled visit order only). */
ws_engine *ws_engine_new(uint64_t seed);
void ws_engine_free(ws_engine *e);

/* Registers a component; returns its id (0, 1, ...). Its first wake-up is
 * at tick 0. name is copied. */
size_t ws_engine_add(ws_engine *e, const char *name, void *self, const ws_component_ops *ops);

void ws_engine_set_skipping(ws_engine *e, bool skipping);
void ws_engine_set_visit_order(ws_engine *e, ws_visit_order order);
void ws_engine_set_watchdog(ws_engine *e, ws_tick watchdog_ticks);   /* 0 = off */

/* Schedules component `id` to be visited at tick `at` (>= the current
 * tick + 1 when called during a tick). Extra wake-ups are harmless. */
void ws_engine_wake(ws_engine *e, size_t id, ws_tick at);
void ws_engine_progress(ws_engine *e);
void ws_engine_progress_due(ws_engine *e, ws_tick t);
ws_tick ws_engine_now(const ws_engine *e);

/* Runs until quiescence, `until` (inclusive; WS_TICK_NEVER = no limit) or
 * no progress. May be called again to continue. */
ws_run_status ws_engine_run(ws_engine *e, ws_tick until);

void ws_engine_stats_get(const ws_engine *e, ws_engine_stats *out);
void ws_engine_report_stall(const ws_engine *e, FILE *out);

#endif
