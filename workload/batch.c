/* workload/batch.c — batch assembly and per-(iteration, layer) expert
 * counts; contract in workload/batch.h. */
#define _POSIX_C_SOURCE 200809L
#include "workload/batch.h"

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/rng.h"
#include "core/xalloc.h"

struct wl_batch {
    uint64_t n, distinct;
    uint32_t n_moe, top_k, n_experts, iterations;
    wl_request *req;            /* [n] */
    uint64_t *iter_tokens;      /* [iterations] */
    uint32_t *counts;           /* [iterations][n_moe][n_experts], an iteration's when first asked */
    bool *counted;              /* [iterations] */
    pthread_mutex_t lock;       /* counts and counted: variants on threads share the batch */
};

/* Fills the expert counts of iteration `it` (every MoE layer): one pass
 * over each request's token of that iteration, its routes contiguous. */
static void count_iteration(wl_batch *b, uint32_t it)
{
    size_t per_iter = (size_t)b->n_moe * b->n_experts;
    uint32_t *base = b->counts + (size_t)it * per_iter;
    for (uint64_t s = 0; s < b->n; s++) {
        const wl_request *r = &b->req[s];
        uint32_t first, end;
        if (it == 0) {
            first = 0;
            end = r->prompt_len;
        } else if (it <= r->decode_len) {
            first = r->prompt_len + it - 1;
            end = first + 1;
        } else {
            continue;
        }
        for (uint32_t tok = first; tok < end; tok++) {
            uint32_t *c = base;
            const uint16_t *ids = wl_request_route(r, tok, 0);
            for (uint32_t m = 0; m < b->n_moe; m++, c += b->n_experts)
                for (uint32_t j = 0; j < b->top_k; j++)
                    c[*ids++]++;
        }
    }
    b->counted[it] = true;
}

wl_batch *wl_batch_build(const wl_trace *t, uint64_t n_requests, bool shuffle, uint64_t seed, char *err,
                         size_t err_len)
{
    const wl_trace_info *info = wl_trace_get_info(t);
    uint64_t have = info->n_requests;
    if (!n_requests || !have) {
        snprintf(err, err_len, "%s", !have ? "the trace holds no requests" : "a batch needs at least one request");
        return NULL;
    }
    size_t *order = ws_xmalloc((size_t)have * sizeof *order);
    for (uint64_t i = 0; i < have; i++)
        order[i] = (size_t)i;
    if (shuffle) {
        gsl_rng *r = ws_rng_stream(seed, "workload.batch");
        gsl_ran_shuffle(r, order, (size_t)have, sizeof *order);
        gsl_rng_free(r);
    }
    wl_batch *b = ws_xcalloc(1, sizeof *b);
    b->n = n_requests;
    b->distinct = have < n_requests ? have : n_requests;
    b->n_moe = info->shape.n_moe;
    b->top_k = info->shape.top_k;
    b->n_experts = info->shape.n_experts;
    b->req = ws_xmalloc((size_t)n_requests * sizeof *b->req);
    uint32_t max_decode = 0;
    for (uint64_t s = 0; s < n_requests; s++) {
        if (wl_trace_get(t, order[s % have], &b->req[s], err, err_len) != 0) {
            free(order);
            wl_batch_free(b);
            return NULL;
        }
        if (b->req[s].decode_len > max_decode)
            max_decode = b->req[s].decode_len;
    }
    free(order);
    b->iterations = 1 + max_decode;
    b->iter_tokens = ws_xcalloc(b->iterations, sizeof *b->iter_tokens);
    for (uint64_t s = 0; s < n_requests; s++) {
        b->iter_tokens[0] += b->req[s].prompt_len;
        for (uint32_t it = 1; it <= b->req[s].decode_len; it++)
            b->iter_tokens[it]++;
    }
    if (b->iter_tokens[0] > UINT32_MAX) {
        snprintf(err, err_len, "the prefill of this batch has %llu tokens; expert counts are limited to %u",
                 (unsigned long long)b->iter_tokens[0], UINT32_MAX);
        wl_batch_free(b);
        return NULL;
    }
    size_t per_iter = (size_t)b->n_moe * b->n_experts;
    b->counts = ws_xcalloc((size_t)b->iterations * per_iter, sizeof *b->counts);
    b->counted = ws_xcalloc(b->iterations, sizeof *b->counted);
    pthread_mutex_init(&b->lock, NULL);
    return b;
}

void wl_batch_free(wl_batch *b)
{
    if (!b)
        return;
    free(b->req);
    free(b->iter_tokens);
    if (b->counted)
        pthread_mutex_destroy(&b->lock);
    free(b->counts);
    free(b->counted);
    free(b);
}

uint64_t wl_batch_size(const wl_batch *b) { return b->n; }
uint64_t wl_batch_distinct(const wl_batch *b) { return b->distinct; }
bool wl_batch_reused(const wl_batch *b) { return b->distinct < b->n; }
uint32_t wl_batch_iterations(const wl_batch *b) { return b->iterations; }

uint64_t wl_batch_iteration_tokens(const wl_batch *b, uint32_t it)
{
    return it < b->iterations ? b->iter_tokens[it] : 0;
}

const wl_request *wl_batch_request(const wl_batch *b, uint64_t slot)
{
    return slot < b->n ? &b->req[slot] : NULL;
}

uint32_t wl_batch_tokens(const wl_batch *b, uint32_t it, uint64_t slot)
{
    if (slot >= b->n)
        return 0;
    const wl_request *r = &b->req[slot];
    if (it == 0)
        return r->prompt_len;
    return it <= r->decode_len ? 1 : 0;
}

const uint16_t *wl_batch_route(const wl_batch *b, uint32_t it, uint64_t slot, uint32_t j, uint32_t m)
{
    if (m >= b->n_moe || j >= wl_batch_tokens(b, it, slot))
        return NULL;
    const wl_request *r = &b->req[slot];
    uint32_t tok = it == 0 ? j : r->prompt_len + it - 1;
    return wl_request_route(r, tok, m);
}

const uint32_t *wl_batch_counts(const wl_batch *b, uint32_t it, uint32_t m)
{
    if (it >= b->iterations || m >= b->n_moe)
        return NULL;
    wl_batch *w = (wl_batch *)b;   /* counted on first use: allocated writable by wl_batch_build */
    pthread_mutex_lock(&w->lock);
    if (!w->counted[it])
        count_iteration(w, it);
    pthread_mutex_unlock(&w->lock);
    return b->counts + ((size_t)it * b->n_moe + m) * b->n_experts;
}
