/* tests/unit/toy_components.c — sources, a switch, sinks and a ring of
 * cells for the engine tests; contract in toy_components.h. */
#define _POSIX_C_SOURCE 200809L
#include "tests/unit/toy_components.h"

#include <gsl/gsl_randist.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/channel.h"
#include "core/hash.h"
#include "core/rng.h"

#define TOY_MAX_SOURCES 8

typedef struct packet {
    uint64_t id;
    unsigned dst;
    unsigned size;
    ws_tick created;
} packet;

/* ---------------------------------------------------------------- source */
typedef struct source {
    ws_engine *e;
    gsl_rng *rng;
    ws_channel *out;
    unsigned index, remaining, n_sinks;
    ws_tick next_send;
} source;

static void source_evaluate(void *self, ws_tick now)
{
    source *s = self;
    if (!s->remaining || now != s->next_send)
        return;   /* not due: a no-op, as the engine requires */
    packet p = { .id = (uint64_t)s->index << 32 | s->remaining,
                 .dst = (unsigned)gsl_rng_uniform_int(s->rng, s->n_sinks),
                 .size = 1 + (unsigned)gsl_rng_uniform_int(s->rng, 8),
                 .created = now };
    ws_channel_send(s->out, now, &p);
    ws_engine_progress(s->e);
    s->remaining--;
    s->next_send = now + 1 + gsl_ran_geometric(s->rng, 0.2);
}

static ws_tick source_next_due(const void *self, ws_tick now)
{
    const source *s = self;
    return s->remaining ? s->next_send : WS_TICK_NEVER;
}

static bool source_busy(const void *self) { return ((const source *)self)->remaining > 0; }

static const ws_component_ops source_ops = {
    .evaluate = source_evaluate, .next_due = source_next_due, .busy = source_busy,
};

/* ---------------------------------------------------------------- switch */
typedef struct fifo {
    packet *items;
    size_t head, count, cap;
} fifo;

static void fifo_push(fifo *f, const packet *p)
{
    if (f->count == f->cap) {
        size_t ncap = f->cap ? 2 * f->cap : 8;
        packet *n = malloc(ncap * sizeof *n);
        if (!n)
            abort();
        for (size_t i = 0; i < f->count; i++)
            n[i] = f->items[(f->head + i) % f->cap];
        free(f->items);
        f->items = n;
        f->cap = ncap;
        f->head = 0;
    }
    f->items[(f->head + f->count++) % f->cap] = *p;
}

static packet *fifo_head(fifo *f) { return f->count ? &f->items[f->head] : NULL; }
static void fifo_pop(fifo *f) { f->head = (f->head + 1) % f->cap; f->count--; }

typedef struct output_port {
    bool serving;
    packet current;
    ws_tick done_at;
    unsigned rr;          /* next input to favour */
    ws_channel *to_sink;
} output_port;

typedef struct toy_switch {
    ws_engine *e;
    unsigned n_in, n_out;
    ws_channel *in[TOY_MAX_SOURCES];
    fifo queue[TOY_MAX_SOURCES];
    output_port out[TOY_MAX_SINKS];
    uint64_t conflicts;
} toy_switch;

static void switch_evaluate(void *self, ws_tick now)
{
    toy_switch *sw = self;
    packet p;
    for (unsigned i = 0; i < sw->n_in; i++)
        while (ws_channel_recv(sw->in[i], now, &p))
            fifo_push(&sw->queue[i], &p);
    for (unsigned o = 0; o < sw->n_out; o++) {
        output_port *op = &sw->out[o];
        if (op->serving && op->done_at == now) {
            ws_channel_send(op->to_sink, now, &op->current);
            op->serving = false;
            ws_engine_progress(sw->e);
        }
        if (op->serving)
            continue;
        unsigned contenders = 0, chosen = sw->n_in;
        for (unsigned k = 0; k < sw->n_in; k++) {
            unsigned i = (op->rr + k) % sw->n_in;
            packet *h = fifo_head(&sw->queue[i]);
            if (h && h->dst == o) {
                contenders++;
                if (chosen == sw->n_in)
                    chosen = i;
            }
        }
        if (contenders > 1)
            sw->conflicts++;
        if (chosen < sw->n_in) {
            op->current = *fifo_head(&sw->queue[chosen]);
            fifo_pop(&sw->queue[chosen]);
            op->serving = true;
            op->done_at = now + op->current.size;
            op->rr = (chosen + 1) % sw->n_in;
            ws_engine_progress(sw->e);
        }
    }
}

static ws_tick switch_next_due(const void *self, ws_tick now)
{
    const toy_switch *sw = self;
    ws_tick next = WS_TICK_NEVER;
    for (unsigned o = 0; o < sw->n_out; o++)
        if (sw->out[o].serving && sw->out[o].done_at < next)
            next = sw->out[o].done_at;
    /* a free output with waiting packets retries next tick */
    for (unsigned i = 0; i < sw->n_in; i++) {
        const packet *h = sw->queue[i].count ? &sw->queue[i].items[sw->queue[i].head] : NULL;
        if (h && !sw->out[h->dst].serving && now + 1 < next)
            next = now + 1;
    }
    return next;
}

static bool switch_busy(const void *self)
{
    const toy_switch *sw = self;
    for (unsigned i = 0; i < sw->n_in; i++)
        if (sw->queue[i].count || ws_channel_in_flight(sw->in[i]))
            return true;
    for (unsigned o = 0; o < sw->n_out; o++)
        if (sw->out[o].serving)
            return true;
    return false;
}

static void switch_describe(const void *self, FILE *out)
{
    const toy_switch *sw = self;
    size_t queued = 0;
    for (unsigned i = 0; i < sw->n_in; i++)
        queued += sw->queue[i].count;
    fprintf(out, "%zu packets queued", queued);
}

static const ws_component_ops switch_ops = {
    .evaluate = switch_evaluate, .next_due = switch_next_due, .busy = switch_busy,
    .describe_stall = switch_describe,
};

/* ---------------------------------------------------------------- sink */
typedef struct sink {
    ws_channel *in;
    uint64_t checksum, count, latency_sum;
} sink;

static void sink_evaluate(void *self, ws_tick now)
{
    sink *k = self;
    packet p;
    while (ws_channel_recv(k->in, now, &p)) {
        k->checksum = ws_mix64(k->checksum ^ (p.id * 1000003u + now));
        k->count++;
        k->latency_sum += now - p.created;
    }
}

static ws_tick sink_next_due(const void *self, ws_tick now) { return WS_TICK_NEVER; }

static const ws_component_ops sink_ops = { .evaluate = sink_evaluate, .next_due = sink_next_due };

/* ---------------------------------------------------------------- cell */
typedef struct cell {
    gsl_rng *rng;
    const struct cell *left, *right;
    uint64_t value, next_value;
    unsigned steps_left;
    ws_tick due;
    bool updating;
} cell;

static void cell_evaluate(void *self, ws_tick now)
{
    cell *c = self;
    if (!c->steps_left || now != c->due)
        return;
    c->next_value = c->value * 3 + c->left->value * 5 + c->right->value + now;
    c->updating = true;
}

static void cell_commit(void *self, ws_tick now)
{
    cell *c = self;
    if (!c->updating)
        return;
    c->value = c->next_value;
    c->updating = false;
    c->steps_left--;
    c->due = now + 1 + gsl_rng_uniform_int(c->rng, 4);
}

static ws_tick cell_next_due(const void *self, ws_tick now)
{
    const cell *c = self;
    return c->steps_left ? c->due : WS_TICK_NEVER;
}

static const ws_component_ops cell_ops = {
    .evaluate = cell_evaluate, .commit = cell_commit, .next_due = cell_next_due,
};

/* ---------------------------------------------------------------- system */
struct toy_system {
    toy_params p;
    source sources[TOY_MAX_SOURCES];
    toy_switch sw;
    sink sinks[TOY_MAX_SINKS];
    cell cells[TOY_MAX_CELLS];
};

static void add_sources(toy_system *s, ws_engine *e, size_t switch_id)
{
    for (unsigned i = 0; i < s->p.n_sources; i++) {
        char name[32];
        snprintf(name, sizeof name, "toy.source.%u", i);
        source *src = &s->sources[i];
        src->e = e;
        src->rng = ws_rng_stream(s->p.seed, name);
        src->index = i;
        src->remaining = s->p.n_packets;
        src->n_sinks = s->p.n_sinks;
        src->next_send = gsl_rng_uniform_int(src->rng, 4);
        s->sw.in[i] = ws_channel_new(e, switch_id, 1 + i % 3, sizeof(packet));
        src->out = s->sw.in[i];
        ws_engine_add(e, name, src, &source_ops);
    }
}

static void add_sinks(toy_system *s, ws_engine *e)
{
    for (unsigned o = 0; o < s->p.n_sinks; o++) {
        char name[32];
        snprintf(name, sizeof name, "toy.sink.%u", o);
        size_t id = ws_engine_add(e, name, &s->sinks[o], &sink_ops);
        s->sinks[o].in = ws_channel_new(e, id, 2, sizeof(packet));
        s->sw.out[o].to_sink = s->sinks[o].in;
    }
}

static void add_cells(toy_system *s, ws_engine *e)
{
    unsigned n = s->p.n_cells;
    for (unsigned j = 0; j < n; j++) {
        char name[32];
        snprintf(name, sizeof name, "toy.cell.%u", j);
        cell *c = &s->cells[j];
        c->rng = ws_rng_stream(s->p.seed, name);
        c->left = &s->cells[(j + n - 1) % n];
        c->right = &s->cells[(j + 1) % n];
        c->value = j + 1;
        c->steps_left = s->p.cell_steps;
        c->due = gsl_rng_uniform_int(c->rng, 3);
        ws_engine_add(e, name, c, &cell_ops);
    }
}

toy_system *toy_system_build(ws_engine *e, const toy_params *p)
{
    if (p->n_sources > TOY_MAX_SOURCES || p->n_sinks > TOY_MAX_SINKS || p->n_cells > TOY_MAX_CELLS)
        abort();
    toy_system *s = calloc(1, sizeof *s);
    if (!s)
        abort();
    s->p = *p;
    s->sw.e = e;
    s->sw.n_in = p->n_sources;
    s->sw.n_out = p->n_sinks;
    if (!p->reverse_registration) {
        size_t sw_id = ws_engine_add(e, "toy.switch", &s->sw, &switch_ops);
        add_sources(s, e, sw_id);
        add_sinks(s, e);
        add_cells(s, e);
    } else {
        add_cells(s, e);
        add_sinks(s, e);
        /* the switch id is needed by the sources' channels */
        size_t sw_id = ws_engine_add(e, "toy.switch", &s->sw, &switch_ops);
        add_sources(s, e, sw_id);
    }
    return s;
}

void toy_system_result(const toy_system *s, const ws_engine *e, toy_result *out)
{
    memset(out, 0, sizeof *out);
    for (unsigned o = 0; o < s->p.n_sinks; o++) {
        out->sink_checksum[o] = s->sinks[o].checksum;
        out->sink_count[o] = s->sinks[o].count;
        out->sink_latency_sum[o] = s->sinks[o].latency_sum;
    }
    for (unsigned j = 0; j < s->p.n_cells; j++)
        out->cell_value[j] = s->cells[j].value;
    out->end_tick = ws_engine_now(e);
    out->switch_conflicts = s->sw.conflicts;
}

void toy_system_free(toy_system *s)
{
    for (unsigned i = 0; i < s->p.n_sources; i++) {
        gsl_rng_free(s->sources[i].rng);
        ws_channel_free(s->sw.in[i]);
        free(s->sw.queue[i].items);
    }
    for (unsigned o = 0; o < s->p.n_sinks; o++)
        ws_channel_free(s->sinks[o].in);
    for (unsigned j = 0; j < s->p.n_cells; j++)
        gsl_rng_free(s->cells[j].rng);
    free(s);
}

bool toy_result_equal(const toy_result *a, const toy_result *b)
{
    return memcmp(a, b, sizeof *a) == 0;
}
