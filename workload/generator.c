/* workload/generator.c — synthetic expert-selection traces; contract and
 * generative model in workload/generator.h.
 *
 * Speed (doc/traces.md, "Speed"): a DeepSeek-V3 request is ~90,000 picks,
 * so the per-pick path is kept to a few integer operations. Every table is
 * a compact alias table (8 bytes an entry, ids already mapped, laid out in
 * one block per layer); the request stream's MT19937 runs inline on a copy
 * of its GSL state; and every comparison of a uniform deviate with a
 * probability is an integer comparison of the raw 32-bit draw with a
 * precomputed threshold. Each of these makes exactly the decision GSL's
 * gsl_rng_uniform / gsl_rng_uniform_int / gsl_ran_discrete made on the same
 * draws, so the traces are bit-for-bit those of the plain GSL calls. */
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
#define TWO32 4294967296.0

/* ------------------------------------------------------------ inline MT19937
 *
 * The request streams are GSL's mt19937 (core/rng.h). GSL draws a 32-bit
 * word w per call: gsl_rng_uniform is w / 2^32, gsl_rng_uniform_int(n) is
 * w / ((2^32 - 1) / n) redrawn while >= n. mt_rng is the same generator
 * (MT19937 with GSL's tempering) on a copy of the stream's state, so its
 * words are the stream's words. */

#define MT_N 624
#define MT_M 397

typedef struct gsl_mt_state {   /* GSL's layout, as checked by core/rng.c */
    unsigned long mt[MT_N];
    int mti;
} gsl_mt_state;

/* The tempered words, with a look-ahead: out[i..n) are the next words of
 * the stream; mt_top_up() keeps at least MT_LOOK of them, so a proposal
 * reads its words without a bounds check per word. The reading index i is
 * the caller's (a local, kept in a register in the pick loop). */
#define MT_LOOK 16

typedef struct mt_rng {
    uint32_t mt[MT_N];          /* MT19937 state (last block generated) */
    uint32_t out[MT_N + MT_LOOK];
    uint32_t n;                 /* words in out */
} mt_rng;

typedef uint32_t mt_v4 __attribute__((vector_size(16)));

static inline mt_v4 mt_load4(const uint32_t *p)
{
    mt_v4 v;
    memcpy(&v, p, sizeof v);
    return v;
}

static void mt_temper(const uint32_t *mt, uint32_t *dst, int n)
{
    int k = 0;
    for (; k + 4 <= n; k += 4) {
        mt_v4 v = mt_load4(mt + k);
        v ^= v >> 11;
        v ^= (v << 7) & 0x9d2c5680u;
        v ^= (v << 15) & 0xefc60000u;
        v ^= v >> 18;
        memcpy(dst + k, &v, sizeof v);
    }
    for (; k < n; k++) {
        uint32_t v = mt[k];
        v ^= v >> 11;
        v ^= (v << 7) & 0x9d2c5680u;
        v ^= (v << 15) & 0xefc60000u;
        v ^= v >> 18;
        dst[k] = v;
    }
}

/* Continues the GSL stream r: its state, and the rest of its current
 * block (GSL regenerates a block when it has handed out all 624 words). */
static void mt_from_gsl(mt_rng *s, const gsl_rng *r)
{
    if (gsl_rng_size(r) != sizeof(gsl_mt_state) || strcmp(gsl_rng_name(r), "mt19937") != 0) {
        fprintf(stderr, "wafersim: internal error: trace generator expects GSL mt19937 streams\n");
        abort();
    }
    const gsl_mt_state *st = gsl_rng_state(r);
    for (int k = 0; k < MT_N; k++)
        s->mt[k] = (uint32_t)st->mt[k];
    int i = st->mti < MT_N ? st->mti : MT_N;
    mt_temper(s->mt + i, s->out, MT_N - i);
    s->n = (uint32_t)(MT_N - i);
}

/* MT19937's block regeneration, then GSL's tempering of the block, four
 * words at a time (GCC/Clang vector extensions: SSE2 / NEON, or scalar
 * code where neither exists); the same words as the scalar loops. */
static inline mt_v4 mt_twist4(mt_v4 a, mt_v4 b, mt_v4 c)
{
    mt_v4 y = (a & 0x80000000u) | (b & 0x7fffffffu);
    return c ^ (y >> 1) ^ (-(b & 1u) & 0x9908b0dfu);
}

static inline uint32_t mt_twist1(uint32_t a, uint32_t b, uint32_t c)
{
    uint32_t y = (a & 0x80000000u) | (b & 0x7fffffffu);
    return c ^ (y >> 1) ^ ((b & 1u) ? 0x9908b0dfu : 0u);
}

static void mt_twist_block(uint32_t *mt)
{
    int kk = 0;
    /* mt[kk] from the old mt[kk], mt[kk + 1], mt[kk + M]: none written yet */
    for (; kk + 4 <= MT_N - MT_M; kk += 4) {
        mt_v4 v = mt_twist4(mt_load4(mt + kk), mt_load4(mt + kk + 1), mt_load4(mt + kk + MT_M));
        memcpy(mt + kk, &v, sizeof v);
    }
    for (; kk < MT_N - MT_M; kk++)
        mt[kk] = mt_twist1(mt[kk], mt[kk + 1], mt[kk + MT_M]);
    /* from the new mt[kk + M - N], written at least 227 words before */
    for (; kk + 4 <= MT_N - 1; kk += 4) {
        mt_v4 v = mt_twist4(mt_load4(mt + kk), mt_load4(mt + kk + 1), mt_load4(mt + kk + MT_M - MT_N));
        memcpy(mt + kk, &v, sizeof v);
    }
    for (; kk < MT_N - 1; kk++)
        mt[kk] = mt_twist1(mt[kk], mt[kk + 1], mt[kk + MT_M - MT_N]);
    mt[MT_N - 1] = mt_twist1(mt[MT_N - 1], mt[0], mt[MT_M - 1]);
}

/* Moves the unread words out[i..n) to the front and appends the next
 * block (as GSL would generate it once those are used up); returns the
 * new reading index, 0. */
static uint32_t __attribute__((noinline)) mt_top_up(mt_rng *s, uint32_t i)
{
    uint32_t rem = s->n - i;
    memmove(s->out, s->out + i, rem * sizeof *s->out);
    mt_twist_block(s->mt);
    mt_temper(s->mt, s->out + rem, MT_N);
    s->n = rem + MT_N;
    return 0;
}

/* The reading index, with at least MT_LOOK words ahead of it. */
static inline uint32_t mt_ensure(mt_rng *s, uint32_t i)
{
    return __builtin_expect(s->n - i < MT_LOOK, 0) ? mt_top_up(s, i) : i;
}

/* gsl_rng_uniform_int(r, n) for mt19937: k = w / scale, scale = (2^32 -
 * 1) / n, redrawn while k >= n. The division is a multiplication by
 * magic = ceil(2^64 / scale), exact for every 32-bit w (Lemire, Kaser and
 * Kurz, "Faster remainder by direct computation", 2019, Theorem 1). */
typedef struct uint_draw {
    uint32_t n, scale;
    uint64_t magic;
} uint_draw;

static uint_draw uint_draw_of(uint32_t n)
{
    uint_draw d = { n, 0xffffffffu / n, 0 };
    d.magic = UINT64_MAX / d.scale + 1;   /* 0 when scale == 1 (n > 2^31): plain division */
    return d;
}

static inline uint32_t uint_div(uint32_t w, const uint_draw *d)
{
#ifdef __SIZEOF_INT128__
    if (d->magic) {
        __extension__ typedef unsigned __int128 u128;
        return (uint32_t)(((u128)d->magic * w) >> 64);
    }
#endif
    return w / d->scale;
}

/* k << 32 | the new reading index. */
static uint64_t __attribute__((noinline)) mt_uint_redraw(mt_rng *s, uint32_t i, const uint_draw *d)
{
    uint32_t k;
    do {
        i = mt_ensure(s, i);
        k = uint_div(s->out[i++], d);
    } while (k >= d->n);
    return (uint64_t)k << 32 | mt_ensure(s, i);
}

/* gsl_rng_uniform_int: one word, and rarely (k >= n: probability < n /
 * 2^32) more, after which the look-ahead is restored. */
static inline uint32_t mt_uint(mt_rng *s, uint32_t *i, const uint_draw *d)
{
    uint32_t k = uint_div(s->out[(*i)++], d);
    if (__builtin_expect(k < d->n, 1))
        return k;
    uint64_t r = mt_uint_redraw(s, *i - 1, d);
    *i = (uint32_t)r;
    return (uint32_t)(r >> 32);
}

/* Smallest 32-bit word w (or 2^32: none) with !(w / 2^32 - sub < lt) in
 * double arithmetic; the predicate is monotone in w, so for every word,
 * w < threshold exactly when gsl_rng_uniform() - sub < lt would hold. */
static uint64_t uniform_threshold(double sub, double lt)
{
    uint64_t lo = 0, hi = (uint64_t)1 << 32;   /* pred true below lo, false at hi (or hi = 2^32) */
    if (!((0.0 / TWO32) - sub < lt))
        return 0;
    while (hi - lo > 1) {
        uint64_t mid = lo + (hi - lo) / 2;
        if ((double)mid / TWO32 - sub < lt)
            lo = mid;
        else
            hi = mid;
    }
    return hi;
}

/* ------------------------------------------------------------ alias tables
 *
 * GSL's Walker tables (gsl_ran_discrete_preproc), compacted: for a word w,
 * gsl_ran_discrete takes u = w / 2^32, column c = floor(u K) (exact: w K <
 * 2^53), and returns c when u < F[c] (or F[c] == 1), else A[c]. Here u <
 * F[c] is w < thr with thr = ceil(F[c] 2^32) (exact: scaling by 2^32); a
 * column whose every word hits stores hit == alias. */
typedef struct alias_ent {
    uint32_t thr;
    uint16_t hit, alias;
} alias_ent;

static void alias_build(alias_ent *dst, uint32_t n, const uint16_t *ids, const double *w)
{
    gsl_ran_discrete_t *d = gsl_ran_discrete_preproc(n, w);
    if (!d) {
        fprintf(stderr, "wafersim: cannot build a discrete distribution of %u weights\n", n);
        abort();
    }
    for (uint32_t k = 0; k < n; k++) {
        double t = ceil(d->F[k] * TWO32);
        uint32_t a = (uint32_t)d->A[k];
        dst[k].hit = ids ? ids[k] : (uint16_t)k;
        dst[k].alias = ids ? ids[a] : (uint16_t)a;
        if (d->F[k] >= 1.0 || t >= TWO32) {
            dst[k].thr = 0xffffffffu;
            dst[k].alias = dst[k].hit;
        } else
            dst[k].thr = (uint32_t)t;
    }
    gsl_ran_discrete_free(d);
}

/* gsl_ran_discrete on the word w. */
static inline uint32_t alias_pick(const alias_ent *t, uint32_t n, uint32_t w)
{
    const alias_ent *a = &t[((uint64_t)w * n) >> 32];
    /* branch-free: hit or alias is a coin toss the predictor cannot learn */
    uint32_t both = (uint32_t)a->hit | (uint32_t)a->alias << 16;
    return (both >> ((uint32_t)(w >= a->thr) << 4)) & 0xffffu;
}

/* ------------------------------------------------------------ structure */

typedef struct gen_layer {
    bool degenerate;
    uint64_t rho_thr;           /* w < rho_thr: u < rho (stickiness) */
    uint64_t lambda_thr;        /* w < lambda_thr: u - rho < lambda (layer-follow) */
    alias_ent *pool;            /* every alias entry of the layer, in one block */
    const alias_ent *topic;     /* [topics][E], or one [E] table for every topic (topic_stride 0) */
    uint32_t topic_stride;
    uint64_t *accept_thr;       /* [E] decode tilt: no draw when NO_DRAW, else accept when w < thr; NULL: degenerate */
    const alias_ent *kernel;    /* [E][kernel_width]: successors of expert e of the previous layer (m >= 1) */
    const alias_ent *partner;   /* [E][partner_stride]: partners of e in its group, or NULL */
    uint16_t *partner_n;        /* [E] how many (0: none) */
    uint32_t partner_stride;
} gen_layer;

#define NO_DRAW UINT64_MAX

struct wl_gen {
    uint32_t n_moe, n_experts, top_k, groups, groups_kept, per_group, topics, kernel_width;
    double gamma;
    uint64_t gamma_thr;         /* w < gamma_thr: u < gamma */
    uint64_t seed;
    wl_prompt_dist prompt;
    wl_gen_lengths len;
    uint32_t decode;
    uint16_t *group_of;         /* [E] e / per_group */
    gen_layer *layer;
};

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

/* Draws n distinct experts by the weights pop (rejection of repeats) into
 * ids; seen is E bytes of scratch, left zero. */
static void distinct_by_weight(const gsl_rng *r, const gsl_ran_discrete_t *pop, uint32_t n, uint32_t n_experts,
                               uint16_t *ids, unsigned char *seen)
{
    for (uint32_t j = 0; j < n; j++) {
        uint32_t e = 0;
        int tries = 0;
        do
            e = tries++ < MAX_REDRAWS ? (uint32_t)gsl_ran_discrete(r, pop) : (uint32_t)gsl_rng_uniform_int(r, n_experts);
        while (seen[e]);
        seen[e] = 1;
        ids[j] = (uint16_t)e;
    }
    for (uint32_t j = 0; j < n; j++)
        seen[ids[j]] = 0;
}

/* Dirichlet(alpha, ..., alpha) weights into w; a is n doubles of scratch. */
static void dirichlet_weights(const gsl_rng *r, uint32_t n, double alpha, double *w, double *a)
{
    for (uint32_t j = 0; j < n; j++)
        a[j] = alpha;
    gsl_ran_dirichlet(r, n, a, w);
    for (uint32_t j = 0; j < n; j++)
        w[j] = w[j] > 1e-300 ? w[j] : 1e-300;   /* keep every candidate drawable in principle */
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
    double rho = L->degenerate ? 0 : wl_ramp_at(&p->stickiness, m, g->n_moe);
    double lambda = L->degenerate || m == 0 ? 0 : wl_ramp_at(&p->layer_follow, m, g->n_moe);
    L->rho_thr = uniform_threshold(0.0, rho);
    L->lambda_thr = uniform_threshold(rho, lambda);

    uint32_t kw = (uint32_t)p->kernel_width;
    uint32_t pg = g->per_group, cs = (uint32_t)p->partner_width + 1;
    bool partners = g->gamma > 0 && g->top_k > 1 && pg > 1;
    cs = cs < pg ? cs : pg;
    /* entries: topics x E, then E x kw kernel, then at most E x (cs - 1) partners */
    size_t n_ent = (size_t)g->topics * E + (m >= 1 ? (size_t)E * kw : 0) + (partners ? (size_t)E * (cs - 1) : 0);
    L->pool = ws_xmalloc((n_ent ? n_ent : 1) * sizeof *L->pool);
    alias_ent *next = L->pool;

    double sigma = layer_sigma(p, m, g->n_moe);
    size_t scratch_n = E > kw ? E : kw;
    double *base = ws_xmalloc(E * sizeof *base), *shift = ws_xmalloc(E * sizeof *shift);
    double *logit = ws_xmalloc(E * sizeof *logit), *w = ws_xmalloc(scratch_n * sizeof *w);
    double *alpha = ws_xmalloc(scratch_n * sizeof *alpha);
    for (uint32_t e = 0; e < E; e++)
        base[e] = sigma * gsl_ran_gaussian(r, 1.0);
    for (uint32_t e = 0; e < E; e++)
        shift[e] = gsl_ran_gaussian(r, p->decode_shift);
    boost_hot(base, E, (uint32_t)p->hot_experts, p->hot_boost);
    softmax_weights(base, E, w);
    gsl_ran_discrete_t *pop = gsl_ran_discrete_preproc(E, w);
    if (!pop) {
        fprintf(stderr, "wafersim: cannot build a discrete distribution of %u weights\n", E);
        abort();
    }

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
        alias_build(next, E, NULL, logit);   /* one table, shared by the topics */
        L->topic = next;
        L->topic_stride = 0;
        next += E;
    } else {
        L->topic = next;
        L->topic_stride = E;
        for (uint32_t t = 0; t < g->topics; t++) {
            for (uint32_t e = 0; e < E; e++)
                logit[e] = base[e] + gsl_ran_gaussian(r, p->topic_spread);
            softmax_weights(logit, E, w);
            alias_build(next, E, NULL, w);
            next += E;
        }
        L->accept_thr = ws_xmalloc(E * sizeof *L->accept_thr);
        for (uint32_t e = 0; e < E; e++) {
            double acc = shift[e] < 0 ? exp(shift[e]) : 1.0;
            L->accept_thr[e] = acc >= 1.0 ? NO_DRAW : uniform_threshold(0.0, acc);
        }
    }

    uint16_t *ids = ws_xmalloc(scratch_n * sizeof *ids);
    if (m >= 1) {
        unsigned char *seen = ws_xcalloc(E, 1);
        L->kernel = next;
        for (uint32_t e = 0; e < E; e++) {
            distinct_by_weight(r, pop, kw, E, ids, seen);
            dirichlet_weights(r, kw, p->kernel_concentration, w, alpha);
            alias_build(next, kw, ids, w);
            next += kw;
        }
        free(seen);
    }
    if (partners) {
        /* cliques: each group shuffled and cut into blocks of cs experts;
         * an expert's partners are the other members of its block */
        alias_ent *part = next;
        L->partner = part;
        L->partner_stride = cs - 1;
        L->partner_n = ws_xcalloc(E, sizeof *L->partner_n);
        next += (size_t)E * (cs - 1);
        uint16_t *order = ws_xmalloc(pg * sizeof *order);
        for (uint32_t g0 = 0; g0 < E; g0 += pg) {
            for (uint32_t x = 0; x < pg; x++)
                order[x] = (uint16_t)(g0 + x);
            gsl_ran_shuffle(r, order, pg, sizeof *order);
            for (uint32_t b0 = 0; b0 < pg; b0 += cs) {
                uint32_t bn = b0 + cs <= pg ? cs : pg - b0;
                for (uint32_t x = 0; x < bn && bn > 1; x++) {
                    for (uint32_t y = 0, n = 0; y < bn; y++)
                        if (y != x)
                            ids[n++] = order[b0 + y];
                    dirichlet_weights(r, bn - 1, p->partner_concentration, w, alpha);
                    alias_build(part + (size_t)order[b0 + x] * (cs - 1), bn - 1, ids, w);
                    L->partner_n[order[b0 + x]] = (uint16_t)(bn - 1);
                }
            }
        }
        free(order);
    }
    gsl_ran_discrete_free(pop);
    free(ids);
    free(base);
    free(shift);
    free(logit);
    free(w);
    free(alpha);
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
    g->kernel_width = (uint32_t)p->kernel_width;
    g->gamma = p->coactivation;
    g->gamma_thr = uniform_threshold(0.0, g->gamma);
    g->seed = seed;
    g->prompt = p->prompt;
    if (len)
        g->len = *len;
    else
        g->len.decode = -1;
    g->decode = g->len.decode >= 0 ? (uint32_t)g->len.decode : (uint32_t)p->decode_tokens;
    g->group_of = ws_xmalloc(g->n_experts * sizeof *g->group_of);
    for (uint32_t e = 0; e < g->n_experts; e++)
        g->group_of[e] = (uint16_t)(g->per_group ? e / g->per_group : 0);
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
        free(L->pool);
        free(L->accept_thr);
        free(L->partner_n);
    }
    free(g->layer);
    free(g->group_of);
    free(g);
}

/* ------------------------------------------------------------ one request */

/* Per-request scratch: "taken by this token at this layer" and "group in
 * use by this token at this layer" as stamps (equal to the current stamp:
 * set), so nothing is cleared between tokens. */
typedef struct pick_scratch {
    uint32_t *mark;             /* [E] */
    uint32_t *gmark;            /* [groups] */
    uint_draw pick_of[WL_MODEL_MAX_TOP_K + 1]; /* [j]: uniform_int(j), j = 1..top_k; [0]: uniform_int(E) */
} pick_scratch;

/* Every pick of a request: tokens (prompt, then decode) x MoE layers x
 * top_k, the mixture of generator.h with exactly the draws, in the order,
 * of the plain GSL calls (gsl_rng_uniform, gsl_rng_uniform_int,
 * gsl_ran_discrete) it was first written with. Words are read at
 * out[ri]; a word is consumed by advancing ri, which some decisions do
 * without a branch (ri += need). */
static void gen_picks(const wl_gen *g, uint32_t topic, uint32_t prompt_len, uint32_t ntok, uint16_t *ids,
                      mt_rng *s, pick_scratch *ps)
{
    const uint32_t K = g->top_k, E = g->n_experts, kw = g->kernel_width, n_moe = g->n_moe;
    const uint32_t kept = g->groups_kept;
    const bool grouped = g->groups > 1;
    const uint64_t gamma_thr = g->gamma_thr;
    const uint16_t *group_of = g->group_of;
    uint32_t *mark = ps->mark, *gmark = ps->gmark;
    const uint_draw *pick_of = ps->pick_of;
    const uint32_t *w = s->out;
    const size_t per_tok = (size_t)n_moe * K;
    uint32_t ri = 0, stamp = 0;
    for (uint32_t t = 0; t < ntok; t++) {
        const bool decode = t >= prompt_len;
        uint16_t *out = ids + t * per_tok;
        for (uint32_t m = 0; m < n_moe; m++, out += K) {
            const gen_layer *L = &g->layer[m];
            const alias_ent *topic_tab = L->topic + (size_t)topic * L->topic_stride;
            const uint16_t *prev_tok = t > 0 ? out - per_tok : NULL;
            const uint16_t *prev_layer = m > 0 ? out - K : NULL;
            const uint64_t *accept = decode ? L->accept_thr : NULL;
            const alias_ent *partner = L->partner, *kernel = L->kernel;
            const alias_ent *next_kernel = m + 1 < n_moe ? L[1].kernel : NULL;
            const uint16_t *partner_n = L->partner_n;
            const size_t pstride = L->partner_stride;
            const uint64_t rho_thr = prev_tok ? L->rho_thr : 0, lambda_thr = prev_layer ? L->lambda_thr : 0;
            const bool degenerate = L->degenerate;
            uint32_t n_groups = 0;
            stamp++;
            for (uint32_t j = 0; j < K; j++) {
                uint32_t e = 0;
                bool ok = false;
                for (int tries = 0; tries < MAX_REDRAWS && !ok; tries++) {
                    ri = mt_ensure(s, ri);   /* a proposal and its tilt read at most 6 words */
                    /* propose */
                    if (degenerate)
                        e = alias_pick(topic_tab, E, w[ri++]);
                    else {
                        uint32_t pn = 0;
                        const alias_ent *tab = NULL;
                        if (j > 0 && partner && w[ri++] < gamma_thr) {
                            /* a partner of an expert already picked */
                            uint32_t x = out[mt_uint(s, &ri, &pick_of[j])];
                            pn = partner_n[x];
                            tab = partner + x * pstride;
                        }
                        if (!pn) {
                            uint32_t u = w[ri++];
                            if (u < rho_thr) {
                                e = prev_tok[mt_uint(s, &ri, &pick_of[K])];   /* sticky */
                                goto proposed;
                            }
                            if (u < lambda_thr) {
                                tab = kernel + (size_t)prev_layer[mt_uint(s, &ri, &pick_of[K])] * kw;
                                pn = kw;
                            } else {
                                tab = topic_tab;
                                pn = E;
                            }
                        }
                        e = alias_pick(tab, pn, w[ri++]);
                    }
                proposed:;
                    /* not taken, group allowed; then the decode tilt, which
                     * draws a word only for a free expert with shift < 0 */
                    bool free_ok = (mark[e] != stamp) & (!grouped | (n_groups < kept) | (gmark[group_of[e]] == stamp));
                    uint64_t at = accept ? accept[e] : NO_DRAW;
                    bool need = free_ok & (at != NO_DRAW);
                    uint32_t wa = w[ri];
                    ri += need;
                    ok = free_ok & (!need | (wa < at));
                }
                if (!ok) {
                    ri = mt_ensure(s, ri);
                    uint32_t start = mt_uint(s, &ri, &pick_of[0]);
                    for (uint32_t x = 0; x < E && !ok; x++) {
                        e = (start + x) % E;
                        ok = mark[e] != stamp && (!grouped || n_groups < kept || gmark[group_of[e]] == stamp);
                    }
                }
                out[j] = (uint16_t)e;
                mark[e] = stamp;
                if (grouped && gmark[group_of[e]] != stamp) {
                    gmark[group_of[e]] = stamp;
                    n_groups++;
                }
                /* tables this pick may be asked for soon: its partners (the
                 * later picks here), its successors (the next layer) */
                if (partner)
                    __builtin_prefetch(partner + e * pstride);
                if (next_kernel)
                    __builtin_prefetch(next_kernel + (size_t)e * kw);
            }
        }
    }
}

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
    /* the picks continue the same stream, inline (mt_rng) */
    mt_rng *s = ws_xmalloc(sizeof *s);
    mt_from_gsl(s, r);
    gsl_rng_free(r);
    uint32_t ntok = out->prompt_len + out->decode_len;
    size_t need = (size_t)ntok * g->n_moe * g->top_k;
    if (need > out->cap) {
        out->ids = ws_xrealloc(out->ids, need * sizeof *out->ids);
        out->cap = need;
    }
    pick_scratch ps = { ws_xcalloc(g->n_experts, sizeof *ps.mark), ws_xcalloc(g->groups, sizeof *ps.gmark), { { 0 } } };
    ps.pick_of[0] = uint_draw_of(g->n_experts);
    for (uint32_t j = 1; j <= g->top_k; j++)
        ps.pick_of[j] = uint_draw_of(j);
    gen_picks(g, out->topic, out->prompt_len, ntok, out->ids, s, &ps);
    free(ps.mark);
    free(ps.gmark);
    free(s);
}

int wl_gen_write(const wl_model *m, const wl_profile *p, uint64_t seed, uint64_t n_requests,
                 const wl_gen_lengths *len, const char *path, bool progress, char *err, size_t err_len)
{
    return wl_gen_write_range(m, p, seed, 0, n_requests, len, path, progress, err, err_len);
}

int wl_gen_append(wl_trace_writer *w, const wl_model *m, const wl_profile *p, uint64_t seed, uint64_t first,
                  uint64_t n_requests, const wl_gen_lengths *len, bool progress, char *err, size_t err_len)
{
    wl_gen *g = wl_gen_new(m, p, seed, len);
    wl_gen_request req = { 0 };
    ws_progress pr;
    ws_progress_begin(&pr, stderr, progress, "trace gen", "requests", n_requests);
    int rc = 0;
    for (uint64_t k = 0; k < n_requests && rc == 0; k++) {
        uint64_t i = first + k;
        wl_gen_request_generate(g, i, &req);
        char name[160];
        snprintf(name, sizeof name, "gen/%s/seed%llu/%llu/topic%u", p->name, (unsigned long long)seed,
                 (unsigned long long)i, req.topic);
        rc = wl_trace_writer_add(w, name, req.prompt_len, req.decode_len, req.decode_len, req.ids, err, err_len);
        ws_progress_update(&pr, k + 1);
    }
    ws_progress_end(&pr);
    free(req.ids);
    wl_gen_free(g);
    return rc;
}

int wl_gen_write_range(const wl_model *m, const wl_profile *p, uint64_t seed, uint64_t first, uint64_t n_requests,
                       const wl_gen_lengths *len, const char *path, bool progress, char *err, size_t err_len)
{
    wl_trace_shape shape = wl_trace_shape_of(m);
    wl_trace_writer *w = wl_trace_writer_open(path, &shape, err, err_len);
    if (!w)
        return -1;
    if (wl_gen_append(w, m, p, seed, first, n_requests, len, progress, err, err_len)) {
        wl_trace_writer_abort(w);
        return -1;
    }
    return wl_trace_writer_commit(w, err, err_len);
}
