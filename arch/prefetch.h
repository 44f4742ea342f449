/* arch/prefetch.h — the bookkeeping of next-layer weight prefetch
 * (strategy.prefetch_next_layer; arch/exec.h says when it runs and what it
 * means): which of a tile's next-layer matrix reads may start early, within
 * the tile's prefetch buffer, when the tile's current-layer reads are done,
 * and the chunks that arrive before their layer starts.
 *
 * Contract
 *   Reads are named as in arch/exec.c: 3 x task + matrix, task an index in
 *   the plan of the read's layer.
 *   arch_prefetch_begin(p, cur, next) opens a period at the issue of the
 *   layer whose plan is `cur`: every tile's count of open current reads is
 *   3 x its tasks in `cur`, what was started early for `cur` is forgotten,
 *   every tile's buffer is empty and nothing of `next` (NULL: there is no
 *   next layer) is started. `next` must stay unchanged until the next
 *   begin.
 *   arch_prefetch_started(p, read): read of `cur` was started before
 *   `cur`'s issue (by picks of the previous period).
 *   arch_prefetch_read_done(p, tile): one of tile's current reads has
 *   completed; true when it was its last.
 *   arch_prefetch_open(p, tile): the tile's current reads not completed.
 *   arch_prefetch_pick(p, tile, &reads) returns how many of tile's reads
 *   of `next` start now, in task then matrix order, and marks them started:
 *   those not started yet, as long as a whole matrix (matrix_bytes) still
 *   fits in the tile's buffer (capacity_bytes; space is taken when a read
 *   starts and given back only at the next begin). Calling it again starts
 *   nothing more. *reads stays valid until the next call.
 *   arch_prefetch_hold(p, read, bytes, last) keeps a chunk of a `next`
 *   read that arrived before its layer's issue; arch_prefetch_held() lists
 *   them in the order held, arch_prefetch_release() forgets them.
 *   Deterministic; no randomness, no engine.
 */
#ifndef ARCH_PREFETCH_H
#define ARCH_PREFETCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arch/alloc.h"

typedef struct arch_prefetch arch_prefetch;

typedef struct arch_prefetch_chunk {
    uint32_t read;
    uint64_t bytes;
    bool last;
} arch_prefetch_chunk;

arch_prefetch *arch_prefetch_new(uint32_t tiles, double capacity_bytes, uint64_t matrix_bytes);
void arch_prefetch_free(arch_prefetch *p);

void arch_prefetch_begin(arch_prefetch *p, const arch_plan *cur, const arch_plan *next);
bool arch_prefetch_started(const arch_prefetch *p, size_t read);
bool arch_prefetch_read_done(arch_prefetch *p, uint32_t tile);
uint32_t arch_prefetch_open(const arch_prefetch *p, uint32_t tile);
size_t arch_prefetch_pick(arch_prefetch *p, uint32_t tile, const uint32_t **reads);

void arch_prefetch_hold(arch_prefetch *p, uint32_t read, uint64_t bytes, bool last);
size_t arch_prefetch_held(const arch_prefetch *p, const arch_prefetch_chunk **chunks);
void arch_prefetch_release(arch_prefetch *p);

#endif
