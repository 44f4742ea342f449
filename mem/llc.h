/* mem/llc.h — the last-level cache of one tile: a set-associative cache of
 * tags with LRU replacement (contents are not modelled, only presence).
 *
 * Contract
 *   mem_llc_new(size, associativity, line) builds a cache of
 *   size / (associativity * line) sets; size must be a multiple of
 *   associativity * line and line a power of two (mem_llc_check() says why
 *   a geometry is invalid, for config errors). A size of 0 is a cache that
 *   always misses and never fills.
 *
 *   mem_llc_access(c, addr, bytes, allocate) touches every line that
 *   [addr, addr + bytes) overlaps, in address order, and returns how many of
 *   them hit. A hit makes its line most recently used. A miss fills the line
 *   when `allocate` is true (evicting the least recently used line of the
 *   set when the set is full), and leaves the cache unchanged otherwise
 *   (the caller's allocation policy decides: fill on local misses only, or
 *   on every access the tile serves). Statistics count per line: hits,
 *   misses, fills, evictions, and bytes hit / missed (line-granular).
 *   Deterministic; no randomness.
 */
#ifndef MEM_LLC_H
#define MEM_LLC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct mem_llc_stats {
    uint64_t hits, misses, fills, evictions;
    uint64_t hit_bytes, miss_bytes;
} mem_llc_stats;

typedef struct mem_llc mem_llc;

/* NULL when the geometry is valid, else a one-line reason; *culprit (if
 * not NULL) is set to the parameter at fault: "size", "associativity" or
 * "line_size". */
const char *mem_llc_check(uint64_t size_bytes, unsigned associativity, uint64_t line_bytes,
                          const char **culprit);
mem_llc *mem_llc_new(uint64_t size_bytes, unsigned associativity, uint64_t line_bytes);
void mem_llc_free(mem_llc *c);

uint64_t mem_llc_access(mem_llc *c, uint64_t addr, uint64_t bytes, bool allocate);
bool mem_llc_contains(const mem_llc *c, uint64_t addr);
/* Lines that [addr, addr + bytes) overlaps (0 for bytes == 0). */
uint64_t mem_llc_lines(const mem_llc *c, uint64_t addr, uint64_t bytes);
const mem_llc_stats *mem_llc_stats_get(const mem_llc *c);
uint64_t mem_llc_sets(const mem_llc *c);

#endif
