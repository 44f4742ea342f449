/* mem/copy_cache.c — per-tile replacement of expert copies; contract in
 * mem/copy_cache.h. Each set is a small array scanned linearly (a tile's
 * reserved region holds tens to hundreds of experts). */
#include "mem/copy_cache.h"

#include <stdlib.h>

#include "core/xalloc.h"

const char *const mem_copy_policy_names[] = { "lru", "lfu", "keep", NULL };

typedef struct slot {
    uint64_t key, last_use, uses;
} slot;

struct mem_copy_cache {
    unsigned n_tiles, slots;
    mem_copy_policy policy;
    uint64_t clock;
    slot *s;                 /* n_tiles * slots */
    unsigned *size;          /* per tile */
};

mem_copy_cache *mem_copy_cache_new(unsigned n_tiles, unsigned slots, mem_copy_policy policy)
{
    mem_copy_cache *c = ws_xcalloc(1, sizeof *c);
    c->n_tiles = n_tiles;
    c->slots = slots;
    c->policy = policy;
    c->s = ws_xcalloc((size_t)n_tiles * (slots ? slots : 1), sizeof *c->s);
    c->size = ws_xcalloc(n_tiles, sizeof *c->size);
    return c;
}

void mem_copy_cache_free(mem_copy_cache *c)
{
    if (!c)
        return;
    free(c->s);
    free(c->size);
    free(c);
}

static slot *set_of(const mem_copy_cache *c, unsigned tile) { return c->s + (size_t)tile * c->slots; }

static int find(const mem_copy_cache *c, unsigned tile, uint64_t key)
{
    const slot *s = set_of(c, tile);
    for (unsigned i = 0; i < c->size[tile]; i++)
        if (s[i].key == key)
            return (int)i;
    return -1;
}

bool mem_copy_cache_contains(const mem_copy_cache *c, unsigned tile, uint64_t key) { return find(c, tile, key) >= 0; }

bool mem_copy_cache_touch(mem_copy_cache *c, unsigned tile, uint64_t key)
{
    int i = find(c, tile, key);
    if (i < 0)
        return false;
    slot *s = &set_of(c, tile)[i];
    s->last_use = ++c->clock;
    s->uses++;
    return true;
}

static bool worse(mem_copy_policy p, const slot *a, const slot *b)
{
    if (p == MEM_COPY_LFU && a->uses != b->uses)
        return a->uses < b->uses;
    return a->last_use < b->last_use;
}

int mem_copy_cache_insert(mem_copy_cache *c, unsigned tile, uint64_t key, uint64_t *evicted)
{
    if (mem_copy_cache_touch(c, tile, key))
        return 0;
    if (c->slots == 0)
        return -1;
    slot *s = set_of(c, tile);
    int rc = 0;
    unsigned at = c->size[tile];
    if (at == c->slots) {
        if (c->policy == MEM_COPY_KEEP)
            return -1;
        at = 0;
        for (unsigned i = 1; i < c->slots; i++)
            if (worse(c->policy, &s[i], &s[at]))
                at = i;
        *evicted = s[at].key;
        rc = 1;
    } else {
        c->size[tile]++;
    }
    s[at] = (slot){ key, ++c->clock, 1 };
    return rc;
}

void mem_copy_cache_remove(mem_copy_cache *c, unsigned tile, uint64_t key)
{
    int i = find(c, tile, key);
    if (i < 0)
        return;
    slot *s = set_of(c, tile);
    s[i] = s[--c->size[tile]];
}

unsigned mem_copy_cache_size(const mem_copy_cache *c, unsigned tile) { return c->size[tile]; }
unsigned mem_copy_cache_slots(const mem_copy_cache *c) { return c->slots; }

bool mem_copy_cache_accepts(const mem_copy_cache *c, unsigned tile, unsigned pending)
{
    if (c->slots == 0)
        return false;
    return c->policy != MEM_COPY_KEEP || c->size[tile] + pending < c->slots;
}
