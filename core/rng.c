/* core/rng.c — named GSL random streams; contract in core/rng.h. */
#include "core/rng.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/hash.h"

uint64_t ws_rng_seed_for(uint64_t master_seed, const char *stream_name)
{
    return ws_mix64(master_seed ^ ws_hash64_str(stream_name));
}

/* The state of GSL's gsl_rng_mt19937 (gsl/rng/mt.c): 624 words of 32 bits
 * held in unsigned longs, and the index of the next word. The layout is
 * checked against gsl_rng_size() before use. */
#define WS_MT_N 624
typedef struct ws_mt_state {
    unsigned long mt[WS_MT_N];
    int mti;
} ws_mt_state;

static void die(const char *what, const char *stream_name)
{
    fprintf(stderr, "wafersim: %s (random stream %s)\n", what, stream_name);
    abort();
}

/* A new generator of GSL type `type`, which must be the generator `name`
 * with a state of `size` bytes (the layout this file writes). */
static gsl_rng *alloc_checked(const gsl_rng_type *type, const char *name, size_t size, const char *stream_name)
{
    gsl_rng *r = gsl_rng_alloc(type);
    if (!r)
        die("out of memory allocating a random stream", stream_name);
    if (gsl_rng_size(r) != size || strcmp(gsl_rng_name(r), name) != 0)
        die("internal error: unexpected GSL generator state layout", stream_name);
    return r;
}

gsl_rng *ws_rng_stream(uint64_t master_seed, const char *stream_name)
{
    gsl_rng *r = alloc_checked(gsl_rng_mt19937, "mt19937", sizeof(ws_mt_state), stream_name);
    /* gsl_rng_set() takes only 32 bits of seed, so distinct names could
     * share a stream (with master seed 1, "noc.traffic.node84218" and
     * "noc.traffic.node125142" did). Instead the whole state comes from the
     * 64-bit seed: the SplitMix64 sequence started at the seed fills mt[],
     * two 32-bit words per output. SplitMix64 is a bijection of its state,
     * so distinct seeds give distinct states. */
    uint64_t seed = ws_rng_seed_for(master_seed, stream_name);
    gsl_rng_set(r, 0x5eedUL);   /* whatever else GSL initialises */
    ws_mt_state *st = gsl_rng_state(r);
    for (int i = 0; i < WS_MT_N; i += 2) {
        uint64_t x = ws_mix64(seed + (uint64_t)(i / 2) * 0x9e3779b97f4a7c15ULL);
        st->mt[i] = (unsigned long)(x & 0xffffffffULL);
        st->mt[i + 1] = (unsigned long)(x >> 32);
    }
    /* only the top bit of mt[0] is part of MT19937's state; setting it
     * (as the reference init_by_array does) keeps the state nonzero */
    st->mt[0] = 0x80000000UL;
    st->mti = WS_MT_N;          /* the next draw regenerates the block */
    return r;
}

/* The state of GSL's gsl_rng_taus2 (gsl/rng/taus.c): three 32-bit
 * components held in unsigned longs; checked like ws_mt_state. */
typedef struct ws_taus_state {
    unsigned long s1, s2, s3;
} ws_taus_state;

gsl_rng *ws_rng_stream_small(uint64_t master_seed, const char *stream_name)
{
    gsl_rng *r = alloc_checked(gsl_rng_taus2, "taus2", sizeof(ws_taus_state), stream_name);
    uint64_t seed = ws_rng_seed_for(master_seed, stream_name);
    uint64_t x = ws_mix64(seed), y = ws_mix64(seed + 0x9e3779b97f4a7c15ULL);
    ws_taus_state *st = gsl_rng_state(r);
    /* each component's state bits (above its 1, 3 and 4 unused low bits)
     * take the next bits of x, the last one also 24 bits of y */
    st->s1 = (unsigned long)(x & 0x7fffffffULL) << 1;
    st->s2 = (unsigned long)((x >> 31) & 0x1fffffffULL) << 3;
    st->s3 = (unsigned long)(((x >> 60) | (y << 4)) & 0x0fffffffULL) << 4;
    /* an all-zero component would stay zero */
    if (!st->s1)
        st->s1 = 2;
    if (!st->s2)
        st->s2 = 8;
    if (!st->s3)
        st->s3 = 16;
    return r;
}
