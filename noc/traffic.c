/* noc/traffic.c — synthetic traffic sources; contract in noc/traffic.h. */
#include "noc/traffic.h"

#include <gsl/gsl_randist.h>
#include <stdio.h>
#include <stdlib.h>

#include "core/rng.h"
#include "core/xalloc.h"
#include "noc/pattern.h"

typedef struct heap_item {
    ws_tick due;
    int node;
} heap_item;

typedef struct node_src {
    gsl_rng *rng;
    ws_tick next_inj;       /* WS_TICK_NEVER while off */
    ws_tick next_switch;    /* on_off only */
    bool on;
} node_src;

struct noc_traffic {
    int n;
    node_src *nodes;
    const noc_pattern *pattern;
    noc_pattern_ctx ctx;
    bool on_off;
    double p, p_on, alpha, beta, mean_flits;
    int64_t *sizes;
    size_t n_sizes;
    gsl_ran_discrete_t *size_table;   /* NULL with one size */
    /* The nodes by due tick (due_of; nodes never due are in neither):
     * a calendar of NOC_CAL one-tick buckets for the ticks [cur, cur +
     * NOC_CAL), each a bitmap of nodes (words words), cal_occ its
     * non-empty buckets, and a min-heap keyed by (due tick, node) for the
     * later ones, moved into the calendar as it advances. Pops take the
     * earliest tick, then the lowest node (scan: the first word of the
     * current bucket that may have a bit). */
    uint64_t *cal;
    size_t words, scan;
    uint64_t cal_occ;
    ws_tick cur;
    heap_item *heap;
    int n_heap;
};

#define NOC_CAL 64

static ws_tick gap(gsl_rng *r, double p)
{
    if (p <= 0)
        return WS_TICK_NEVER;
    if (p >= 1)
        return 1;
    return (ws_tick)gsl_ran_geometric(r, p);
}

static ws_tick add_gap(ws_tick t, ws_tick g)
{
    return g == WS_TICK_NEVER || t == WS_TICK_NEVER ? WS_TICK_NEVER : t + g;
}

static ws_tick due_of(const noc_traffic *t, int node)
{
    const node_src *s = &t->nodes[node];
    return s->next_inj < s->next_switch ? s->next_inj : s->next_switch;
}

static inline bool heap_less(const heap_item *a, const heap_item *b)
{
    return a->due < b->due || (a->due == b->due && a->node < b->node);
}

static void sift_down(noc_traffic *t, int i)
{
    heap_item x = t->heap[i];
    for (;;) {
        int l = 2 * i + 1, r = l + 1, m = l;
        if (l >= t->n_heap)
            break;
        if (r < t->n_heap && heap_less(&t->heap[r], &t->heap[l]))
            m = r;
        if (!heap_less(&t->heap[m], &x))
            break;
        t->heap[i] = t->heap[m];
        i = m;
    }
    t->heap[i] = x;
}

static void sift_up(noc_traffic *t, int i)
{
    heap_item x = t->heap[i];
    while (i > 0 && heap_less(&x, &t->heap[(i - 1) / 2])) {
        t->heap[i] = t->heap[(i - 1) / 2];
        i = (i - 1) / 2;
    }
    t->heap[i] = x;
}

static void cal_set(noc_traffic *t, int node, ws_tick due)
{
    unsigned b = (unsigned)(due & (NOC_CAL - 1));
    t->cal[b * t->words + (unsigned)node / 64] |= 1ull << ((unsigned)node & 63);
    t->cal_occ |= 1ull << b;
}

/* Files node under its due tick (>= t->cur). */
static void schedule(noc_traffic *t, int node)
{
    ws_tick due = due_of(t, node);
    if (due == WS_TICK_NEVER)
        return;
    if (due - t->cur < NOC_CAL) {
        cal_set(t, node, due);
        return;
    }
    t->heap[t->n_heap] = (heap_item){ due, node };
    sift_up(t, t->n_heap++);
}

/* The earliest due tick. The calendar's ticks precede the heap's. */
static ws_tick first_due(const noc_traffic *t)
{
    if (t->cal_occ) {
        unsigned c = (unsigned)(t->cur & (NOC_CAL - 1));
        uint64_t rot = (t->cal_occ >> c) | (c ? t->cal_occ << (NOC_CAL - c) : 0);
        return t->cur + (ws_tick)__builtin_ctzll(rot);
    }
    return t->n_heap ? t->heap[0].due : WS_TICK_NEVER;
}

/* Moves the calendar to start at tick `at` (its earlier buckets are
 * empty) and takes in the heap's nodes due before at + NOC_CAL. */
static void cal_advance(noc_traffic *t, ws_tick at)
{
    t->cur = at;
    t->scan = 0;
    while (t->n_heap && t->heap[0].due - at < NOC_CAL) {
        cal_set(t, t->heap[0].node, t->heap[0].due);
        t->heap[0] = t->heap[--t->n_heap];
        sift_down(t, 0);
    }
}

noc_traffic *noc_traffic_new(const ws_config *cfg, double rate, uint64_t seed)
{
    const ws_traffic_config *tc = &cfg->traffic;
    noc_traffic *t = ws_xcalloc(1, sizeof *t);
    int kx = (int)cfg->hw.grid.x, ky = (int)cfg->hw.grid.y;
    t->n = kx * ky;
    t->pattern = &noc_pattern_registry[tc->pattern];
    noc_pattern_ctx_init(&t->ctx, t->pattern, kx, ky, seed);
    t->ctx.exclude_self = tc->exclude_self;
    t->ctx.hot = tc->hotspot_nodes.items;
    t->ctx.n_hot = tc->hotspot_nodes.n;
    t->ctx.hot_fraction = tc->hotspot_fraction;

    t->n_sizes = tc->packet_flits.n;
    t->sizes = ws_xmalloc(t->n_sizes * sizeof *t->sizes);
    double *w = ws_xmalloc(t->n_sizes * sizeof *w);
    double wsum = 0, mean = 0;
    for (size_t i = 0; i < t->n_sizes; i++) {
        t->sizes[i] = ((const int64_t *)tc->packet_flits.items)[i];
        w[i] = tc->packet_weights.n == t->n_sizes ? ((const double *)tc->packet_weights.items)[i] : 1.0;
        wsum += w[i];
        mean += w[i] * (double)t->sizes[i];
    }
    t->mean_flits = mean / wsum;
    if (t->n_sizes > 1)
        t->size_table = gsl_ran_discrete_preproc(t->n_sizes, w);
    free(w);

    t->p = tc->rate_unit == WS_RATE_FLITS ? rate / t->mean_flits : rate;
    if (t->p > 1)
        t->p = 1;
    t->on_off = tc->injection == WS_INJECTION_ON_OFF;
    t->alpha = tc->burst_alpha;
    t->beta = tc->burst_beta;
    t->p_on = t->on_off ? t->p * (t->alpha + t->beta) / t->alpha : t->p;
    if (t->p_on > 1)
        t->p_on = 1;

    t->nodes = ws_xcalloc((size_t)t->n, sizeof *t->nodes);
    t->heap = ws_xmalloc((size_t)(t->n ? t->n : 1) * sizeof *t->heap);
    t->words = ((size_t)t->n + 63) / 64;
    t->cal = ws_xcalloc(NOC_CAL * (t->words ? t->words : 1), sizeof *t->cal);
    for (int i = 0; i < t->n; i++) {
        char name[64];
        snprintf(name, sizeof name, "noc.traffic.%d", i);
        node_src *s = &t->nodes[i];
        s->rng = ws_rng_stream_small(seed, name);
        /* gaps count from tick -1, so that tick 0 can carry a packet */
        if (!t->on_off) {
            ws_tick g = gap(s->rng, t->p);
            s->next_inj = g == WS_TICK_NEVER ? g : g - 1;
            s->next_switch = WS_TICK_NEVER;
        } else {
            s->on = gsl_rng_uniform(s->rng) < t->alpha / (t->alpha + t->beta);
            ws_tick gi = gap(s->rng, s->on ? t->p_on : 0);
            ws_tick gs = gap(s->rng, s->on ? t->beta : t->alpha);
            s->next_inj = gi == WS_TICK_NEVER ? gi : gi - 1;
            s->next_switch = gs - 1;
        }
        schedule(t, i);
    }
    return t;
}

void noc_traffic_free(noc_traffic *t)
{
    if (!t)
        return;
    for (int i = 0; i < t->n; i++)
        gsl_rng_free(t->nodes[i].rng);
    if (t->size_table)
        gsl_ran_discrete_free(t->size_table);
    noc_pattern_ctx_free(&t->ctx);
    free(t->sizes);
    free(t->nodes);
    free(t->heap);
    free(t->cal);
    free(t);
}

ws_tick noc_traffic_next(const noc_traffic *t)
{
    return first_due(t);
}

bool noc_traffic_pop(noc_traffic *t, ws_tick now, int *src, int *dst, int *flits)
{
    for (;;) {
        ws_tick due = first_due(t);
        if (due > now)
            return false;
        if (due != t->cur)
            cal_advance(t, due);
        /* the lowest node due at t->cur: its bucket only loses bits while
         * it is current (new dues are later), so the scan resumes */
        unsigned b = (unsigned)(due & (NOC_CAL - 1));
        uint64_t *bucket = &t->cal[b * t->words];
        while (!bucket[t->scan])
            t->scan++;
        int node = (int)(t->scan * 64 + (size_t)__builtin_ctzll(bucket[t->scan]));
        bucket[t->scan] &= bucket[t->scan] - 1;
        while (t->scan < t->words && !bucket[t->scan])
            t->scan++;
        if (t->scan == t->words)
            t->cal_occ &= ~(1ull << b);
        node_src *s = &t->nodes[node];
        bool have = false;
        if (s->next_inj <= now) {
            *src = node;
            *dst = t->pattern->dest(&t->ctx, node, s->rng);
            *flits = (int)(t->size_table ? t->sizes[gsl_ran_discrete(s->rng, t->size_table)] : t->sizes[0]);
            s->next_inj = add_gap(now, gap(s->rng, t->on_off ? t->p_on : t->p));
            have = true;
        }
        if (s->next_switch <= now && (!have || s->next_inj > now)) {
            /* the state changes at the end of this tick */
            s->on = !s->on;
            s->next_inj = s->on ? add_gap(now, gap(s->rng, t->p_on)) : WS_TICK_NEVER;
            s->next_switch = add_gap(now, gap(s->rng, s->on ? t->beta : t->alpha));
        }
        schedule(t, node);
        if (have)
            return true;
    }
}

double noc_traffic_packet_rate(const noc_traffic *t) { return t->p; }
double noc_traffic_mean_flits(const noc_traffic *t) { return t->mean_flits; }
