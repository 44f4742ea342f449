/* core/rng.h — named random streams derived from one master seed.
 *
 * Contract
 *   Every component that needs randomness asks for its own stream by a
 *   stable name ("workload.gen", "noc.traffic.17"). The stream is a GSL
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

/* ws_rng_stream_small: the same naming and seeding rule for components
 * that keep one stream per node (noc/traffic.c: up to thousands), where
 * mt19937's 5 KB of state per stream would not stay in cache. The stream
 * is GSL's gsl_rng_taus2 (L'Ecuyer's maximally equidistributed combined
 * Tausworthe generator, period 2^88), whose state is three 32-bit words
 * s1, s2, s3 of which bits 1-31, 3-31 and 4-31 are state. With
 * x = ws_mix64(s) and y = ws_mix64(s + 0x9e3779b97f4a7c15) for the derived
 * seed s: s1 = (x mod 2^31) << 1, s2 = (floor(x / 2^31) mod 2^29) << 3,
 * s3 = ((floor(x / 2^60) + 16 y) mod 2^28) << 4; a component that came
 * out 0 (its bits all zero: probability 2^-31, 2^-29, 2^-28) is set to
 * its least valid value (2, 8 or 16; a zero component would stay zero).
 * So distinct seeds give distinct states but for that case, and all 64
 * bits of the seed reach the state (gsl_rng_set() would keep 32). The
 * same ownership rules as ws_rng_stream(). */
gsl_rng *ws_rng_stream_small(uint64_t master_seed, const char *stream_name);

#endif
