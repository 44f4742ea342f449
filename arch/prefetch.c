/* arch/prefetch.c — next-layer prefetch bookkeeping; contract in
 * arch/prefetch.h.
 *
 * The reads of the next plan are bucketed by tile once per period (task
 * then matrix order); a cursor per tile walks its bucket, so a read starts
 * at most once and a pick stops at the first matrix that does not fit (all
 * matrices have the same size). */
#include "arch/prefetch.h"

#include <stdlib.h>
#include <string.h>

#include "core/xalloc.h"

struct arch_prefetch {
    uint32_t tiles;
    double capacity;
    uint64_t matrix_bytes;
    uint8_t *cur_started, *next_started;   /* [read] */
    size_t n_cur, n_next, cap_cur, cap_next;
    uint32_t *open;                        /* [tile] current reads not completed */
    double *used;                          /* [tile] buffer bytes taken by started next reads */
    size_t *first, *cursor;                /* [tiles + 1], [tiles]: the tile's bucket in by_tile */
    uint32_t *by_tile;                     /* [next reads] bucketed by tile */
    size_t cap_by_tile;
    arch_prefetch_chunk *held;
    size_t n_held, cap_held;
};

arch_prefetch *arch_prefetch_new(uint32_t tiles, double capacity_bytes, uint64_t matrix_bytes)
{
    arch_prefetch *p = ws_xcalloc(1, sizeof *p);
    p->tiles = tiles;
    p->capacity = capacity_bytes;
    p->matrix_bytes = matrix_bytes;
    p->open = ws_xcalloc(tiles, sizeof *p->open);
    p->used = ws_xcalloc(tiles, sizeof *p->used);
    p->first = ws_xcalloc((size_t)tiles + 1, sizeof *p->first);
    p->cursor = ws_xcalloc(tiles, sizeof *p->cursor);
    return p;
}

void arch_prefetch_free(arch_prefetch *p)
{
    if (!p)
        return;
    free(p->cur_started);
    free(p->next_started);
    free(p->open);
    free(p->used);
    free(p->first);
    free(p->cursor);
    free(p->by_tile);
    free(p->held);
    free(p);
}

void arch_prefetch_begin(arch_prefetch *p, const arch_plan *cur, const arch_plan *next)
{
    uint8_t *swap = p->cur_started;
    size_t cap = p->cap_cur;
    p->cur_started = p->next_started;
    p->cap_cur = p->cap_next;
    p->n_cur = p->n_next;
    p->next_started = swap;
    p->cap_next = cap;
    memset(p->open, 0, p->tiles * sizeof *p->open);
    memset(p->used, 0, p->tiles * sizeof *p->used);
    for (size_t t = 0; t < cur->n; t++)
        p->open[cur->tasks[t].tile] += 3;
    p->n_next = next ? 3 * next->n : 0;
    if (p->n_next > p->cap_next) {
        p->cap_next = p->n_next;
        p->next_started = ws_xrealloc(p->next_started, p->cap_next);
    }
    if (p->n_next > p->cap_by_tile) {
        p->cap_by_tile = p->n_next;
        p->by_tile = ws_xrealloc(p->by_tile, p->cap_by_tile * sizeof *p->by_tile);
    }
    if (p->n_next)
        memset(p->next_started, 0, p->n_next);
    memset(p->first, 0, ((size_t)p->tiles + 1) * sizeof *p->first);
    for (size_t t = 0; next && t < next->n; t++)
        p->first[next->tasks[t].tile + 1] += 3;
    for (uint32_t tile = 0; tile < p->tiles; tile++) {
        p->first[tile + 1] += p->first[tile];
        p->cursor[tile] = p->first[tile];
    }
    for (size_t t = 0; next && t < next->n; t++)
        for (uint32_t m = 0; m < 3; m++)
            p->by_tile[p->cursor[next->tasks[t].tile]++] = (uint32_t)(3 * t + m);
    for (uint32_t tile = 0; tile < p->tiles; tile++)
        p->cursor[tile] = p->first[tile];
}

bool arch_prefetch_started(const arch_prefetch *p, size_t read)
{
    return read < p->n_cur && p->cur_started[read];
}

bool arch_prefetch_read_done(arch_prefetch *p, uint32_t tile)
{
    return p->open[tile] && --p->open[tile] == 0;
}

uint32_t arch_prefetch_open(const arch_prefetch *p, uint32_t tile) { return p->open[tile]; }

size_t arch_prefetch_pick(arch_prefetch *p, uint32_t tile, const uint32_t **reads)
{
    size_t from = p->cursor[tile];
    while (p->cursor[tile] < p->first[tile + 1] && p->used[tile] + (double)p->matrix_bytes <= p->capacity) {
        p->next_started[p->by_tile[p->cursor[tile]++]] = 1;
        p->used[tile] += (double)p->matrix_bytes;
    }
    *reads = p->by_tile ? p->by_tile + from : NULL;
    return p->cursor[tile] - from;
}

void arch_prefetch_hold(arch_prefetch *p, uint32_t read, uint64_t bytes, bool last)
{
    if (p->n_held == p->cap_held) {
        p->cap_held = p->cap_held ? 2 * p->cap_held : 256;
        p->held = ws_xrealloc(p->held, p->cap_held * sizeof *p->held);
    }
    p->held[p->n_held++] = (arch_prefetch_chunk){ read, bytes, last };
}

size_t arch_prefetch_held(const arch_prefetch *p, const arch_prefetch_chunk **chunks)
{
    *chunks = p->held;
    return p->n_held;
}

void arch_prefetch_release(arch_prefetch *p) { p->n_held = 0; }
