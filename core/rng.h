/* core/rng.h — named random streams derived from one master seed.
 *
 * Contract
 *   Every component that needs randomness asks for its own stream by a
 *   stable name ("noc.traffic.node17", "workload.gen"). The stream is a GSL
 *   generator (gsl_rng_mt19937) whose derived 64-bit seed
 *       s = ws_mix64(master_seed ^ ws_hash64_str(name))
 *   fills its whole state: mt[2k] and mt[2k+1] are the low and high 32 bits
 *   of the SplitMix64 output ws_mix64(s + k * 0x9e3779b97f4a7c15) for
 *   k = 0..311, then mt[0] = 0x80000000 (only its top bit is state; this
 *   keeps the state nonzero) and mti = 624; the layout of GSL's state is
 *   checked at run time. (gsl_rng_set() would keep only 32 bits of s, and
 *   names collided: with master seed 1, "noc.traffic.node84218" and
 *   "noc.traffic.node125142" shared a stream.) Distinct seeds give distinct
 *   states, so distinct names give distinct streams unless their 64-bit
 *   seeds collide (probability about n^2 / 2^65 for n names).
 *   A stream depends only on the master seed and its own name: adding,
 *   removing or reordering other components never changes it. The caller
 *   owns the returned gsl_rng and frees it with gsl_rng_free(); it must not
 *   reseed it with gsl_rng_set(). Draw from it with GSL's functions
 *   (gsl_rng_uniform, gsl_ran_*). ws_rng_seed_for() exposes the derived
 *   seed (for provenance and tests).
 */
#ifndef WS_RNG_H
#define WS_RNG_H

#include <stdint.h>
#include <gsl/gsl_rng.h>

uint64_t ws_rng_seed_for(uint64_t master_seed, const char *stream_name);
gsl_rng *ws_rng_stream(uint64_t master_seed, const char *stream_name);

/* Cache hints for a caller that draws from many streams in an order it
 * knows ahead (noc/traffic.c: thousands of per-node streams, 5 KB of
 * state each, cold when their node draws again); they never change a
 * draw. ws_rng_prefetch_index() asks for the lines of r and of the word
 * index in its state (gsl_rng_state(r)); ws_rng_prefetch_draw(), issued
 * later (when the index is in cache), for the word the next draw reads.
 * r: a stream from ws_rng_stream(); state: its gsl_rng_state() (the
 * mt19937 layout ws_rng_stream() checks). */
void ws_rng_prefetch_index(const gsl_rng *r, const void *state);
void ws_rng_prefetch_draw(const void *state);

#endif
