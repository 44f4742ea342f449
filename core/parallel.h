/* core/parallel.h — run independent jobs on a few threads.
 *
 * Contract
 *   ws_parallel_for(n, threads, fn, ctx) calls fn(ctx, i) once for each i
 *   in 0..n-1 and returns when every started call has returned. Indices
 *   are handed out in increasing order to up to `threads` threads (the
 *   caller's thread is one of them; threads <= 1 runs everything in the
 *   caller's thread, in order, with no thread created). A call that
 *   returns non-zero stops the hand-out: indices not yet started are never
 *   run (calls already running finish). Returns the number of indices run
 *   (n when no call failed, else at least the failing index + 1 with one
 *   thread).
 *
 *   fn must only touch state of its own index, or state it protects
 *   itself: the jobs of `wafersim run -j` are whole simulations, which
 *   share nothing mutable (no global state anywhere in wafersim), and
 *   read-only inputs such as an opened workload. Which thread runs which
 *   index is not deterministic; results must not depend on it.
 */
#ifndef WS_PARALLEL_H
#define WS_PARALLEL_H

#include <stddef.h>

typedef int (*ws_parallel_fn)(void *ctx, size_t index);

size_t ws_parallel_for(size_t n, unsigned threads, ws_parallel_fn fn, void *ctx);

#endif
