/* workload/generator.c — synthetic expert-selection traces; contract and
 * generative model in workload/generator.h. */
#define _POSIX_C_SOURCE 200809L
#include "workload/generator.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_math.h>
#include <gsl/gsl_randist.h>

#include "core/progress.h"
#include "core/rng.h"
#include "core/xalloc.h"
#include "workload/trace_writer.h"

#define MAX_REDRAWS 64

typedef struct gen_table {
    uint32_t n;
    uint16_t *ids;              /* [n] candidate experts (NULL: ids 0..n-1) */
    gsl_ran_discrete_t *dist;   /* weights over the candidates */
} gen_table;

typedef struct gen_layer {
    double rho, lambda;         /* stickiness, layer-follow */
    bool degenerate;
    gen_table *topic;           /* [topics] */
    double *decode_accept;      /* [E] decode-phase acceptance, min(1, exp(shift_e)); NULL: degenerate */
    gen_table *kernel;          /* [E]: successors of expert e of the previous layer (m >= 1) */
    gen_table *partner;         /* [E]: partners of e in its group */
} gen_layer;

struct wl_gen {
    uint32_t n_moe, n_experts, top_k, groups, groups_kept, per_group, topics;
    double gamma;
    uint64_t seed;
    wl_prompt_dist prompt;
    wl_gen_lengths len;
    uint32_t decode;
    gen_layer *layer;
};

static void table_set(gen_table *t, uint32_t n, uint16_t *ids, const double *w)
{
    t->n = n;
    t->ids = ids;
    t->dist = gsl_ran_discrete_preproc(n, w);
    if (!t->dist) {
        fprintf(stderr, "wafersim: cannot build a discrete distribution of %u weights\n", n);
        abort();
    }
}

static void table_free(gen_table *t)
{
    free(t->ids);
    if (t->dist)
        gsl_ran_discrete_free(t->dist);
}

static inline uint32_t table_draw(const gen_table *t, const gsl_rng *r)
{
    size_t k = gsl_ran_discrete(r, t->dist);
    return t->ids ? t->ids[k] : (uint32_t)k;
}

/* exp(logit - max) into w. */
static void softmax_weights(const double *logit, uint32_t n, double *w)
{
    double mx = logit[0];
    for (uint32_t e = 1; e < n; e++)
        mx = logit[e] > mx ? logit[e] : mx;
    for (uint32_t e = 0; e < n; e++)
        w[e] = exp(logit[e] - mx);
}

static double layer_sigma(const wl_profile *p, uint32_t m, uint32_t n_moe)
{
    if (p->layer_gini.n == n_moe) {
        double g = ((const double *)p->layer_gini.items)[m];
        return p->skew_gain * M_SQRT2 * gsl_cdf_ugaussian_Pinv((1.0 + g) / 2.0);
    }
    return wl_ramp_at(&p->skew, m, n_moe);
}

static bool is_degenerate(const wl_profile *p, uint32_t m)
{
    const int64_t *d = p->degenerate_layers.items;
    for (size_t i = 0; i < p->degenerate_layers.n; i++)
        if (d[i] == (int64_t)m)
            return true;
    return false;
}

/* Draws n distinct experts by the weights pop (rejection of repeats). */
static uint16_t *distinct_by_weight(const gsl_rng *r, const gen_table *pop, uint32_t n, uint32_t n_experts)
{
    uint16_t *ids = ws_xmalloc(n * sizeof *ids);
    unsigned char *seen = ws_xcalloc(n_experts, 1);
    for (uint32_t j = 0; j < n; j++) {
        uint32_t e = 0;
        int tries = 0;
        do
            e = tries++ < MAX_REDRAWS ? table_draw(pop, r) : (uint32_t)gsl_rng_uniform_int(r, n_experts);
        while (seen[e]);
        seen[e] = 1;
        ids[j] = (uint16_t)e;
    }
    free(seen);
    return ids;
}

static void dirichlet_weights(const gsl_rng *r, uint32_t n, double alpha, double *w)
{
    double *a = ws_xmalloc(n * sizeof *a);
    for (uint32_t j = 0; j < n; j++)
        a[j] = alpha;
    gsl_ran_dirichlet(r, n, a, w);
    for (uint32_t j = 0; j < n; j++)
        w[j] = w[j] > 1e-300 ? w[j] : 1e-300;   /* keep every candidate drawable in principle */
    free(a);
}

/* Adds boost to the n largest logits (ties: lower id). */
static void boost_hot(double *logit, uint32_t E, uint32_t n, double boost)
{
    unsigned char *done = ws_xcalloc(E, 1);
    for (uint32_t h = 0; h < n && h < E; h++) {
        uint32_t best = E;
        for (uint32_t e = 0; e < E; e++)
            if (!done[e] && (best == E || logit[e] > logit[best]))
                best = e;
        done[best] = 1;
    }
    for (uint32_t e = 0; e < E; e++)
        logit[e] += done[e] ? boost : 0;
    free(done);
}

static void build_layer(wl_gen *g, const wl_profile *p, uint32_t m)
{
    gen_layer *L = &g->layer[m];
    uint32_t E = g->n_experts;
    char name[64];
    snprintf(name, sizeof name, "workload.gen.layer.%u", m);
    gsl_rng *r = ws_rng_stream(g->seed, name);
    L->degenerate = is_degenerate(p, m);
    L->rho = L->degenerate ? 0 : wl_ramp_at(&p->stickiness, m, g->n_moe);
    L->lambda = L->degenerate || m == 0 ? 0 : wl_ramp_at(&p->layer_follow, m, g->n_moe);

    double sigma = layer_sigma(p, m, g->n_moe);
    double *base = ws_xmalloc(E * sizeof *base), *shift = ws_xmalloc(E * sizeof *shift);
    double *logit = ws_xmalloc(E * sizeof *logit), *w = ws_xmalloc(E * sizeof *w);
    for (uint32_t e = 0; e < E; e++)
        base[e] = sigma * gsl_ran_gaussian(r, 1.0);
    for (uint32_t e = 0; e < E; e++)
        shift[e] = gsl_ran_gaussian(r, p->decode_shift);
    boost_hot(base, E, (uint32_t)p->hot_experts, p->hot_boost);
    softmax_weights(base, E, w);
    gen_table pop;
    table_set(&pop, E, NULL, w);

    L->topic = ws_xcalloc(g->topics, sizeof *L->topic);
    if (L->degenerate) {
        uint32_t hot = 0;
        double rest = 0;
        for (uint32_t e = 0; e < E; e++) {
            hot = base[e] > base[hot] ? e : hot;
            rest += w[e];
        }
        rest -= w[hot];
        for (uint32_t e = 0; e < E; e++)
            logit[e] = e == hot ? p->degenerate_share : (rest > 0 ? (1 - p->degenerate_share) * w[e] / rest : 0);
        for (uint32_t t = 0; t < g->topics; t++)
            table_set(&L->topic[t], E, NULL, logit);
    } else {
        for (uint32_t t = 0; t < g->topics; t++) {
            for (uint32_t e = 0; e < E; e++)
                logit[e] = base[e] + gsl_ran_gaussian(r, p->topic_spread);
            softmax_weights(logit, E, w);
            table_set(&L->topic[t], E, NULL, w);
        }
        L->decode_accept = ws_xmalloc(E * sizeof *L->decode_accept);
        for (uint32_t e = 0; e < E; e++)
            L->decode_accept[e] = shift[e] < 0 ? exp(shift[e]) : 1.0;
    }

    uint32_t kw = (uint32_t)p->kernel_width;
    if (m >= 1) {
        L->kernel = ws_xcalloc(E, sizeof *L->kernel);
        for (uint32_t e = 0; e < E; e++) {
            uint16_t *ids = distinct_by_weight(r, &pop, kw, E);
            dirichlet_weights(r, kw, p->kernel_concentration, w);
            table_set(&L->kernel[e], kw, ids, w);
        }
    }
    uint32_t pg = g->per_group, cs = (uint32_t)p->partner_width + 1;
    if (g->gamma > 0 && g->top_k > 1 && pg > 1) {
        /* cliques: each group shuffled and cut into blocks of cs experts;
         * an expert's partners are the other members of its block */
        cs = cs < pg ? cs : pg;
        L->partner = ws_xcalloc(E, sizeof *L->partner);
        uint16_t *order = ws_xmalloc(pg * sizeof *order);
        for (uint32_t g0 = 0; g0 < E; g0 += pg) {
            for (uint32_t x = 0; x < pg; x++)
                order[x] = (uint16_t)(g0 + x);
            gsl_ran_shuffle(r, order, pg, sizeof *order);
            for (uint32_t b0 = 0; b0 < pg; b0 += cs) {
                uint32_t bn = b0 + cs <= pg ? cs : pg - b0;
                for (uint32_t x = 0; x < bn && bn > 1; x++) {
                    uint16_t *ids = ws_xmalloc((bn - 1) * sizeof *ids);
                    for (uint32_t y = 0, n = 0; y < bn; y++)
                        if (y != x)
                            ids[n++] = order[b0 + y];
                    dirichlet_weights(r, bn - 1, p->partner_concentration, w);
                    table_set(&L->partner[order[b0 + x]], bn - 1, ids, w);
                }
            }
        }
        free(order);
    }
    table_free(&pop);
    free(base);
    free(shift);
    free(logit);
    free(w);
    gsl_rng_free(r);
}

wl_gen *wl_gen_new(const wl_model *m, const wl_profile *p, uint64_t seed, const wl_gen_lengths *len)
{
    wl_gen *g = ws_xcalloc(1, sizeof *g);
    g->n_moe = m->n_moe;
    g->n_experts = (uint32_t)m->routed_experts;
    g->top_k = (uint32_t)m->top_k;
    g->groups = (uint32_t)m->groups;
    g->groups_kept = (uint32_t)m->groups_kept;
    g->per_group = m->experts_per_group;
    g->topics = (uint32_t)p->topics;
    g->gamma = p->coactivation;
    g->seed = seed;
    g->prompt = p->prompt;
    if (len)
        g->len = *len;
    else
        g->len.decode = -1;
    g->decode = g->len.decode >= 0 ? (uint32_t)g->len.decode : (uint32_t)p->decode_tokens;
    g->layer = ws_xcalloc(g->n_moe, sizeof *g->layer);
    for (uint32_t l = 0; l < g->n_moe; l++)
        build_layer(g, p, l);
    return g;
}

void wl_gen_free(wl_gen *g)
{
    if (!g)
        return;
    for (uint32_t l = 0; l < g->n_moe; l++) {
        gen_layer *L = &g->layer[l];
        for (uint32_t t = 0; L->topic && t < g->topics; t++)
            table_free(&L->topic[t]);
        free(L->decode_accept);
        for (uint32_t e = 0; L->kernel && e < g->n_experts; e++)
            table_free(&L->kernel[e]);
        for (uint32_t e = 0; L->partner && e < g->n_experts; e++)
            table_free(&L->partner[e]);
        free(L->topic);
        free(L->kernel);
        free(L->partner);
    }
    free(g->layer);
    free(g);
}

/* ------------------------------------------------------------ one token */

typedef struct pick_ctx {
    const wl_gen *g;
    const gen_layer *L;
    const gen_table *topic;
    const uint16_t *prev_tok;   /* previous token, same layer (or NULL) */
    const uint16_t *prev_layer; /* same token, previous MoE layer (or NULL) */
    const double *accept;       /* decode tilt, or NULL (prefill) */
    uint16_t *out;
    uint32_t used_groups[WL_MODEL_MAX_TOP_K], n_groups;
} pick_ctx;

static uint32_t propose(const pick_ctx *c, const gsl_rng *r, uint32_t j)
{
    const wl_gen *g = c->g;
    if (c->L->degenerate)
        return table_draw(c->topic, r);
    if (j > 0 && c->L->partner && gsl_rng_uniform(r) < g->gamma) {
        const gen_table *pt = &c->L->partner[c->out[gsl_rng_uniform_int(r, j)]];
        if (pt->dist)
            return table_draw(pt, r);
    }
    double u = gsl_rng_uniform(r);
    if (c->prev_tok && u < c->L->rho)
        return c->prev_tok[gsl_rng_uniform_int(r, g->top_k)];
    u -= c->L->rho;
    if (c->prev_layer && u < c->L->lambda)
        return table_draw(&c->L->kernel[c->prev_layer[gsl_rng_uniform_int(r, g->top_k)]], r);
    return table_draw(c->topic, r);
}

/* 1 when e may be pick j: not taken, and its group allowed. */
static bool allowed(const pick_ctx *c, uint32_t j, uint32_t e)
{
    for (uint32_t x = 0; x < j; x++)
        if (c->out[x] == e)
            return false;
    if (c->g->groups <= 1 || c->n_groups < c->g->groups_kept)
        return true;
    uint32_t grp = e / c->g->per_group;
    for (uint32_t x = 0; x < c->n_groups; x++)
        if (c->used_groups[x] == grp)
            return true;
    return false;
}

static void take(pick_ctx *c, uint32_t j, uint32_t e)
{
    c->out[j] = (uint16_t)e;
    if (c->g->groups <= 1)
        return;
    uint32_t grp = e / c->g->per_group;
    for (uint32_t x = 0; x < c->n_groups; x++)
        if (c->used_groups[x] == grp)
            return;
    c->used_groups[c->n_groups++] = grp;
}

static void pick_token(pick_ctx *c, const gsl_rng *r)
{
    const wl_gen *g = c->g;
    c->n_groups = 0;
    for (uint32_t j = 0; j < g->top_k; j++) {
        uint32_t e = 0;
        bool ok = false;
        for (int tries = 0; tries < MAX_REDRAWS && !ok; tries++) {
            e = propose(c, r, j);
            ok = allowed(c, j, e) && (!c->accept || c->accept[e] >= 1.0 || gsl_rng_uniform(r) < c->accept[e]);
        }
        if (!ok) {
            uint32_t start = (uint32_t)gsl_rng_uniform_int(r, g->n_experts);
            for (uint32_t x = 0; x < g->n_experts && !ok; x++) {
                e = (start + x) % g->n_experts;
                ok = allowed(c, j, e);
            }
        }
        take(c, j, e);
    }
}

/* ------------------------------------------------------------ one request */

static uint32_t draw_prompt(const wl_gen *g, const gsl_rng *r)
{
    if (g->len.prompt_max > 0) {
        uint32_t span = g->len.prompt_max - g->len.prompt_min + 1;
        return g->len.prompt_min + (uint32_t)gsl_rng_uniform_int(r, span);
    }
    double x = g->prompt.sigma > 0 ? gsl_ran_lognormal(r, log(g->prompt.median), g->prompt.sigma)
                                   : g->prompt.median;
    double v = floor(x + 0.5);
    v = v < (double)g->prompt.min ? (double)g->prompt.min : v;
    v = v > (double)g->prompt.max ? (double)g->prompt.max : v;
    return (uint32_t)v;
}

void wl_gen_request_generate(const wl_gen *g, uint64_t i, wl_gen_request *out)
{
    char name[64];
    snprintf(name, sizeof name, "workload.gen.request.%llu", (unsigned long long)i);
    gsl_rng *r = ws_rng_stream(g->seed, name);
    out->topic = (uint32_t)gsl_rng_uniform_int(r, g->topics);
    out->prompt_len = draw_prompt(g, r);
    out->decode_len = g->decode;
    uint32_t ntok = out->prompt_len + out->decode_len;
    size_t per_tok = (size_t)g->n_moe * g->top_k;
    size_t need = (size_t)ntok * per_tok;
    if (need > out->cap) {
        out->ids = ws_xrealloc(out->ids, need * sizeof *out->ids);
        out->cap = need;
    }
    pick_ctx c = { .g = g };
    for (uint32_t t = 0; t < ntok; t++) {
        uint32_t phase = t >= out->prompt_len;
        for (uint32_t m = 0; m < g->n_moe; m++) {
            uint16_t *route = out->ids + t * per_tok + (size_t)m * g->top_k;
            c.L = &g->layer[m];
            c.topic = &c.L->topic[out->topic];
            c.accept = phase ? c.L->decode_accept : NULL;
            c.prev_tok = t > 0 ? route - per_tok : NULL;
            c.prev_layer = m > 0 ? route - g->top_k : NULL;
            c.out = route;
            pick_token(&c, r);
        }
    }
    gsl_rng_free(r);
}

int wl_gen_write(const wl_model *m, const wl_profile *p, uint64_t seed, uint64_t n_requests,
                 const wl_gen_lengths *len, const char *path, bool progress, char *err, size_t err_len)
{
    wl_trace_shape shape = wl_trace_shape_of(m);
    wl_trace_writer *w = wl_trace_writer_open(path, &shape, err, err_len);
    if (!w)
        return -1;
    wl_gen *g = wl_gen_new(m, p, seed, len);
    wl_gen_request req = { 0 };
    ws_progress pr;
    ws_progress_begin(&pr, stderr, progress, "trace gen", "requests", n_requests);
    int rc = 0;
    for (uint64_t i = 0; i < n_requests && rc == 0; i++) {
        wl_gen_request_generate(g, i, &req);
        char name[160];
        snprintf(name, sizeof name, "gen/%s/seed%llu/%llu/topic%u", p->name, (unsigned long long)seed,
                 (unsigned long long)i, req.topic);
        rc = wl_trace_writer_add(w, name, req.prompt_len, req.decode_len, req.decode_len, req.ids, err, err_len);
        ws_progress_update(&pr, i + 1);
    }
    ws_progress_end(&pr);
    free(req.ids);
    wl_gen_free(g);
    if (rc) {
        wl_trace_writer_abort(w);
        return -1;
    }
    return wl_trace_writer_commit(w, err, err_len);
}
