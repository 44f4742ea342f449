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
    /* min-heap of nodes keyed by (due tick, node): the keys are distinct,
     * so the order of pops does not depend on the heap's layout */
    heap_item *heap;
};

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
        if (l >= t->n)
            break;
        if (r < t->n && heap_less(&t->heap[r], &t->heap[l]))
            m = r;
        if (!heap_less(&t->heap[m], &x))
            break;
        t->heap[i] = t->heap[m];
        i = m;
    }
    t->heap[i] = x;
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
    t->heap = ws_xmalloc((size_t)t->n * sizeof *t->heap);
    for (int i = 0; i < t->n; i++) {
        char name[64];
        snprintf(name, sizeof name, "noc.traffic.%d", i);
        node_src *s = &t->nodes[i];
        s->rng = ws_rng_stream(seed, name);
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
        t->heap[i] = (heap_item){ due_of(t, i), i };
    }
    for (int i = t->n / 2 - 1; i >= 0; i--)
        sift_down(t, i);
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
    free(t);
}

ws_tick noc_traffic_next(const noc_traffic *t)
{
    return t->n ? t->heap[0].due : WS_TICK_NEVER;
}

bool noc_traffic_pop(noc_traffic *t, ws_tick now, int *src, int *dst, int *flits)
{
    while (t->n && t->heap[0].due <= now) {
        int node = t->heap[0].node;
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
        t->heap[0].due = due_of(t, node);
        sift_down(t, 0);
        if (have)
            return true;
    }
    return false;
}

double noc_traffic_packet_rate(const noc_traffic *t) { return t->p; }
double noc_traffic_mean_flits(const noc_traffic *t) { return t->mean_flits; }
