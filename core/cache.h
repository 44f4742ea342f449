/* core/cache.h — what the hot loops assume of the host's data cache.
 *
 * Contract
 *   WS_CACHE_BYTES: state larger than this does not stay in cache from
 *   one simulated tick to the next, so loops that sweep it every tick ask
 *   for its lines ahead (__builtin_prefetch) of their use. It is about
 *   what one core of this project's reference machine surely keeps, whose
 *   caches other tenants share: five runs of `bench/bench_memory` within
 *   two hours measured 17-19 ns per dependent load over 2 MiB, 20-60 ns
 *   over 4 MiB and 117-184 ns from 8 MiB up (doc/performance.md). Only
 *   cache hints depend on it, never a result.
 */
#ifndef WS_CACHE_H
#define WS_CACHE_H

#include <stddef.h>

#define WS_CACHE_BYTES ((size_t)2 << 20)

#endif
