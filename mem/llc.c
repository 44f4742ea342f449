/* mem/llc.c — set-associative LRU tag store; contract in mem/llc.h.
 * Each way keeps its tag and the tick-free "last use" stamp from a per-cache
 * counter; the LRU way is the one with the smallest stamp. */
#include "mem/llc.h"

#include <stdlib.h>

#include "core/xalloc.h"

#define INVALID_TAG UINT64_MAX

struct mem_llc {
    uint64_t n_sets, line_bytes;
    unsigned ways, line_shift;
    uint64_t *tag;        /* n_sets * ways */
    uint64_t *last_use;   /* n_sets * ways; 0 = never */
    uint64_t clock;
    mem_llc_stats stats;
};

const char *mem_llc_check(uint64_t size_bytes, unsigned associativity, uint64_t line_bytes,
                          const char **culprit)
{
    const char *field = NULL, *why = NULL;
    if (line_bytes == 0 || (line_bytes & (line_bytes - 1))) {
        field = "line_size";
        why = "the line size must be a power of two bytes";
    } else if (associativity == 0) {
        field = "associativity";
        why = "the associativity must be at least 1";
    } else if (size_bytes % ((uint64_t)associativity * line_bytes)) {
        field = "size";
        why = "the size must be a multiple of associativity x line size";
    }
    if (culprit)
        *culprit = field;
    return why;
}

mem_llc *mem_llc_new(uint64_t size_bytes, unsigned associativity, uint64_t line_bytes)
{
    if (mem_llc_check(size_bytes, associativity, line_bytes, NULL))
        return NULL;
    mem_llc *c = ws_xcalloc(1, sizeof *c);
    c->line_bytes = line_bytes;
    c->ways = associativity;
    while ((1ULL << c->line_shift) < line_bytes)
        c->line_shift++;
    c->n_sets = size_bytes / ((uint64_t)associativity * line_bytes);
    size_t n = (size_t)(c->n_sets * c->ways);
    c->tag = ws_xmalloc(n * sizeof *c->tag);
    c->last_use = ws_xcalloc(n ? n : 1, sizeof *c->last_use);
    for (size_t i = 0; i < n; i++)
        c->tag[i] = INVALID_TAG;
    return c;
}

void mem_llc_free(mem_llc *c)
{
    if (!c)
        return;
    free(c->tag);
    free(c->last_use);
    free(c);
}

/* Index of the way holding `line` in its set, or -1. */
static long find_way(const mem_llc *c, uint64_t line, uint64_t *set_base)
{
    uint64_t set = line % c->n_sets;
    *set_base = set * c->ways;
    for (unsigned w = 0; w < c->ways; w++)
        if (c->tag[*set_base + w] == line)
            return (long)w;
    return -1;
}

static bool access_line(mem_llc *c, uint64_t line, bool allocate)
{
    if (c->n_sets == 0) {
        c->stats.misses++;
        c->stats.miss_bytes += c->line_bytes;
        return false;
    }
    uint64_t base;
    long w = find_way(c, line, &base);
    c->clock++;
    if (w >= 0) {
        c->last_use[base + (uint64_t)w] = c->clock;
        c->stats.hits++;
        c->stats.hit_bytes += c->line_bytes;
        return true;
    }
    c->stats.misses++;
    c->stats.miss_bytes += c->line_bytes;
    if (!allocate)
        return false;
    unsigned victim = 0;
    for (unsigned v = 1; v < c->ways; v++)
        if (c->last_use[base + v] < c->last_use[base + victim])
            victim = v;
    if (c->tag[base + victim] != INVALID_TAG)
        c->stats.evictions++;
    c->tag[base + victim] = line;
    c->last_use[base + victim] = c->clock;
    c->stats.fills++;
    return false;
}

uint64_t mem_llc_lines(const mem_llc *c, uint64_t addr, uint64_t bytes)
{
    if (bytes == 0)
        return 0;
    return ((addr + bytes - 1) >> c->line_shift) - (addr >> c->line_shift) + 1;
}

uint64_t mem_llc_access(mem_llc *c, uint64_t addr, uint64_t bytes, bool allocate)
{
    if (bytes == 0)
        return 0;
    uint64_t first = addr >> c->line_shift;
    uint64_t last = (addr + bytes - 1) >> c->line_shift;
    uint64_t hits = 0;
    for (uint64_t line = first; line <= last; line++)
        hits += access_line(c, line, allocate);
    return hits;
}

bool mem_llc_contains(const mem_llc *c, uint64_t addr)
{
    if (c->n_sets == 0)
        return false;
    uint64_t base;
    return find_way(c, addr >> c->line_shift, &base) >= 0;
}

const mem_llc_stats *mem_llc_stats_get(const mem_llc *c) { return &c->stats; }
uint64_t mem_llc_sets(const mem_llc *c) { return c->n_sets; }
