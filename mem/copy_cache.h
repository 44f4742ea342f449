/* mem/copy_cache.h — which expert copies each tile's reserved HBM region
 * keeps, and which one a new copy evicts (the migration unit's
 * replacement policy).
 *
 * Contract
 *   A cache has n_tiles independent sets of `slots` entries; an entry is a
 *   caller-chosen 64-bit key (e.g. layer x experts + expert). Time is a
 *   per-cache counter that every touch and insert advances, so the order
 *   of calls alone decides every victim (deterministic).
 *     mem_copy_cache_touch()   a hit on a resident key: its last use
 *                              becomes now and its use count grows by 1;
 *                              a key not resident is ignored (returns false);
 *     mem_copy_cache_insert()  makes a key resident with use count 1; a
 *                              resident key is only touched. When the set
 *                              is full the victim leaves first:
 *                                lru  the least recently used key;
 *                                lfu  the key with the fewest uses since it
 *                                     was inserted, ties by least recent use;
 *                                keep no replacement: a full set refuses the
 *                                     new key (first come, kept).
 *                              Returns 1 and the victim in *evicted after an
 *                              eviction, 0 without one, -1 when nothing is
 *                              inserted (no slot at all, or full under keep).
 *     mem_copy_cache_remove()  drops a key (no eviction counted).
 *   A set never holds more than `slots` keys.
 */
#ifndef MEM_COPY_CACHE_H
#define MEM_COPY_CACHE_H

#include <stdbool.h>
#include <stdint.h>

typedef enum mem_copy_policy { MEM_COPY_LRU, MEM_COPY_LFU, MEM_COPY_KEEP, MEM_COPY_POLICY_COUNT } mem_copy_policy;

/* YAML names of the policies, in enum order, NULL-terminated. */
extern const char *const mem_copy_policy_names[];

typedef struct mem_copy_cache mem_copy_cache;

mem_copy_cache *mem_copy_cache_new(unsigned n_tiles, unsigned slots, mem_copy_policy policy);
void mem_copy_cache_free(mem_copy_cache *c);

bool mem_copy_cache_contains(const mem_copy_cache *c, unsigned tile, uint64_t key);
bool mem_copy_cache_touch(mem_copy_cache *c, unsigned tile, uint64_t key);
int mem_copy_cache_insert(mem_copy_cache *c, unsigned tile, uint64_t key, uint64_t *evicted);
void mem_copy_cache_remove(mem_copy_cache *c, unsigned tile, uint64_t key);
unsigned mem_copy_cache_size(const mem_copy_cache *c, unsigned tile);
unsigned mem_copy_cache_slots(const mem_copy_cache *c);
/* Whether one more insert on `tile`, after `pending` others not made yet,
 * would keep its key: a set with slots under a policy that evicts, or
 * with a free slot left under keep. */
bool mem_copy_cache_accepts(const mem_copy_cache *c, unsigned tile, unsigned pending);

#endif
