/* core/rng.h — named random streams derived from one master seed.
 *
 * Contract
 *   Every component that needs randomness asks for its own stream by a
 *   stable name ("noc.traffic.node17", "workload.gen"). The stream is a GSL
 *   generator (gsl_rng_mt19937) seeded with
 *       ws_mix64(master_seed ^ ws_hash64_str(name))   (folded to 32 bits
 *                                                      for mt19937's seed)
 *   so a stream depends only on the master seed and its own name: adding,
 *   removing or reordering other components never changes it. The caller
 *   owns the returned gsl_rng and frees it with gsl_rng_free(). Draw from it
 *   with GSL's functions (gsl_rng_uniform, gsl_ran_*).
 *   ws_rng_seed_for() exposes the derived seed (for provenance and tests).
 */
#ifndef WS_RNG_H
#define WS_RNG_H

#include <stdint.h>
#include <gsl/gsl_rng.h>

uint64_t ws_rng_seed_for(uint64_t master_seed, const char *stream_name);
gsl_rng *ws_rng_stream(uint64_t master_seed, const char *stream_name);

#endif
