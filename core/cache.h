/* core/cache.h — what the hot loops assume of the host's data cache.
 *
 * Contract
 *   WS_CACHE_BYTES: state larger than this does not stay in cache from
 *   one simulated tick to the next, so loops that sweep it every tick ask
 *   for its lines ahead (__builtin_prefetch) of their use. It is about
 *   what one core of this project's reference machine keeps, whose caches
 *   other tenants share: `bench/bench_memory` measured 17-24 ns per
 *   dependent load over 2 MiB, 29-97 ns over 4 MiB (readings of different
 *   hours) and 150-180 ns from 8 MiB up (doc/performance.md). Only cache
 *   hints depend on it, never a result.
 */
#ifndef WS_CACHE_H
#define WS_CACHE_H

#include <stddef.h>

#define WS_CACHE_BYTES ((size_t)2 << 20)

#endif
