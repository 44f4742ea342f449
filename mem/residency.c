/* mem/residency.c — home placement, copies and presence bits; contract in
 * mem/residency.h. Presence is a bitset of n_tiles bits per expert. */
#include "mem/residency.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "core/xalloc.h"

typedef struct expert_entry {
    int home;                /* -1 until placed */
    uint64_t address;        /* in the home tile's HBM */
    unsigned copies;         /* in reserved regions */
    unsigned static_copies;  /* in home regions (placement) */
} expert_entry;

struct mem_residency {
    unsigned n_tiles, n_layers, n_experts;
    uint64_t expert_bytes, home_capacity, reserved_capacity;
    expert_entry *entries;   /* n_layers * n_experts */
    uint64_t *presence;      /* n_layers * n_experts * words */
    uint64_t *fixed;         /* the same shape: static copies */
    size_t words;            /* 64-bit words per presence set */
    uint64_t *home_used, *reserved_used, *static_used;   /* per tile */
    uint64_t *static_addr;   /* [(layer * n_experts + expert) * n_tiles + tile], allocated with the first static copy */
};

mem_residency *mem_residency_new(unsigned n_tiles, uint64_t hbm_capacity, double reserved_fraction,
                                 unsigned n_layers, unsigned n_experts, uint64_t expert_bytes)
{
    mem_residency *r = ws_xcalloc(1, sizeof *r);
    r->n_tiles = n_tiles;
    r->n_layers = n_layers;
    r->n_experts = n_experts;
    r->expert_bytes = expert_bytes;
    r->reserved_capacity = (uint64_t)floor((double)hbm_capacity * reserved_fraction);
    r->home_capacity = hbm_capacity - r->reserved_capacity;
    size_t n = (size_t)n_layers * n_experts;
    r->entries = ws_xcalloc(n, sizeof *r->entries);
    for (size_t i = 0; i < n; i++)
        r->entries[i].home = -1;
    r->words = (n_tiles + 63) / 64;
    r->presence = ws_xcalloc(n * r->words, sizeof *r->presence);
    r->fixed = ws_xcalloc(n * r->words, sizeof *r->fixed);
    r->home_used = ws_xcalloc(n_tiles, sizeof *r->home_used);
    r->reserved_used = ws_xcalloc(n_tiles, sizeof *r->reserved_used);
    r->static_used = ws_xcalloc(n_tiles, sizeof *r->static_used);
    return r;
}

void mem_residency_free(mem_residency *r)
{
    if (!r)
        return;
    free(r->entries);
    free(r->presence);
    free(r->fixed);
    free(r->home_used);
    free(r->reserved_used);
    free(r->static_used);
    free(r->static_addr);
    free(r);
}

static size_t idx(const mem_residency *r, unsigned layer, unsigned expert)
{
    return (size_t)layer * r->n_experts + expert;
}

static uint64_t *bits(const mem_residency *r, unsigned layer, unsigned expert)
{
    return r->presence + idx(r, layer, expert) * r->words;
}

static bool is_static(const mem_residency *r, unsigned layer, unsigned expert, unsigned tile)
{
    return (r->fixed[idx(r, layer, expert) * r->words + tile / 64] >> (tile % 64)) & 1;
}

static void set_bit(mem_residency *r, unsigned layer, unsigned expert, unsigned tile, bool on)
{
    uint64_t *b = bits(r, layer, expert);
    uint64_t mask = 1ULL << (tile % 64);
    if (on)
        b[tile / 64] |= mask;
    else
        b[tile / 64] &= ~mask;
}

/* True (with the reason in err) when the home region of `tile` has no room
 * for one more expert (`what` says what was to be placed). */
static bool no_home_room(const mem_residency *r, unsigned tile, const char *what, unsigned layer, unsigned expert,
                         char *err, size_t err_len)
{
    if (r->home_used[tile] + r->expert_bytes <= r->home_capacity)
        return false;
    snprintf(err, err_len,
             "tile %u cannot hold %sexpert %u of MoE layer %u: it needs %llu B, and %llu B of the tile's "
             "%llu B home region are free (HBM capacity minus the reserved region)",
             tile, what, expert, layer, (unsigned long long)r->expert_bytes,
             (unsigned long long)(r->home_capacity - r->home_used[tile]), (unsigned long long)r->home_capacity);
    return true;
}

int mem_residency_place_home(mem_residency *r, unsigned layer, unsigned expert, unsigned tile,
                             char *err, size_t err_len)
{
    expert_entry *e = &r->entries[idx(r, layer, expert)];
    if (e->home >= 0) {
        snprintf(err, err_len, "expert %u of MoE layer %u is already placed on tile %d", expert, layer, e->home);
        return -1;
    }
    if (no_home_room(r, tile, "", layer, expert, err, err_len))
        return -1;
    e->home = (int)tile;
    e->address = r->home_used[tile];
    r->home_used[tile] += r->expert_bytes;
    set_bit(r, layer, expert, tile, true);
    return 0;
}

int mem_residency_home(const mem_residency *r, unsigned layer, unsigned expert)
{
    return r->entries[idx(r, layer, expert)].home;
}

uint64_t mem_residency_address(const mem_residency *r, unsigned layer, unsigned expert, unsigned matrix)
{
    return r->entries[idx(r, layer, expert)].address + (uint64_t)matrix * (r->expert_bytes / 3);
}

bool mem_residency_present(const mem_residency *r, unsigned layer, unsigned expert, unsigned tile)
{
    return (bits(r, layer, expert)[tile / 64] >> (tile % 64)) & 1;
}

int mem_residency_add_copy(mem_residency *r, unsigned layer, unsigned expert, unsigned tile)
{
    if (mem_residency_present(r, layer, expert, tile))
        return 0;
    if (r->reserved_used[tile] + r->expert_bytes > r->reserved_capacity)
        return -1;
    r->reserved_used[tile] += r->expert_bytes;
    r->entries[idx(r, layer, expert)].copies++;
    set_bit(r, layer, expert, tile, true);
    return 0;
}

void mem_residency_remove_copy(mem_residency *r, unsigned layer, unsigned expert, unsigned tile)
{
    expert_entry *e = &r->entries[idx(r, layer, expert)];
    if ((int)tile == e->home || !mem_residency_present(r, layer, expert, tile) || is_static(r, layer, expert, tile))
        return;
    r->reserved_used[tile] -= r->expert_bytes;
    e->copies--;
    set_bit(r, layer, expert, tile, false);
}

int mem_residency_place_copy(mem_residency *r, unsigned layer, unsigned expert, unsigned tile, char *err,
                             size_t err_len)
{
    expert_entry *e = &r->entries[idx(r, layer, expert)];
    if (e->home < 0) {
        snprintf(err, err_len, "expert %u of MoE layer %u has no home tile yet: place it before copying it", expert,
                 layer);
        return -1;
    }
    if (mem_residency_present(r, layer, expert, tile)) {
        snprintf(err, err_len, "tile %u already holds expert %u of MoE layer %u", tile, expert, layer);
        return -1;
    }
    if (no_home_room(r, tile, "a copy of ", layer, expert, err, err_len))
        return -1;
    if (!r->static_addr)
        r->static_addr = ws_xcalloc((size_t)r->n_layers * r->n_experts * r->n_tiles, sizeof *r->static_addr);
    r->static_addr[idx(r, layer, expert) * r->n_tiles + tile] = r->home_used[tile];
    r->home_used[tile] += r->expert_bytes;
    r->static_used[tile] += r->expert_bytes;
    e->static_copies++;
    r->fixed[idx(r, layer, expert) * r->words + tile / 64] |= 1ULL << (tile % 64);
    set_bit(r, layer, expert, tile, true);
    return 0;
}

uint64_t mem_residency_holder_address(const mem_residency *r, unsigned layer, unsigned expert, unsigned tile,
                                      unsigned matrix)
{
    if (!is_static(r, layer, expert, tile))
        return mem_residency_address(r, layer, expert, matrix);
    return r->static_addr[idx(r, layer, expert) * r->n_tiles + tile] + (uint64_t)matrix * (r->expert_bytes / 3);
}

unsigned mem_residency_static_copies(const mem_residency *r, unsigned layer, unsigned expert)
{
    return r->entries[idx(r, layer, expert)].static_copies;
}

uint64_t mem_residency_static_used(const mem_residency *r, unsigned tile) { return r->static_used[tile]; }

uint64_t mem_residency_expert_bytes(const mem_residency *r) { return r->expert_bytes; }
uint64_t mem_residency_home_used(const mem_residency *r, unsigned tile) { return r->home_used[tile]; }
uint64_t mem_residency_home_capacity(const mem_residency *r) { return r->home_capacity; }
uint64_t mem_residency_reserved_used(const mem_residency *r, unsigned tile) { return r->reserved_used[tile]; }
uint64_t mem_residency_reserved_capacity(const mem_residency *r) { return r->reserved_capacity; }
unsigned mem_residency_copies(const mem_residency *r, unsigned layer, unsigned expert)
{
    return r->entries[idx(r, layer, expert)].copies;
}
