/* core/rng.c — named GSL random streams; contract in core/rng.h. */
#include "core/rng.h"

#include <stdio.h>
#include <stdlib.h>

#include "core/hash.h"

uint64_t ws_rng_seed_for(uint64_t master_seed, const char *stream_name)
{
    return ws_mix64(master_seed ^ ws_hash64_str(stream_name));
}

gsl_rng *ws_rng_stream(uint64_t master_seed, const char *stream_name)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    if (!r) {
        fprintf(stderr, "wafersim: out of memory allocating random stream %s\n", stream_name);
        abort();
    }
    uint64_t s = ws_rng_seed_for(master_seed, stream_name);
    /* mt19937 takes an unsigned long seed and treats 0 as its default;
     * fold to 32 bits and avoid 0 so every name gets a distinct stream. */
    unsigned long seed32 = (unsigned long)((s ^ (s >> 32)) & 0xffffffffUL);
    gsl_rng_set(r, seed32 ? seed32 : 0x5eedUL);
    return r;
}
