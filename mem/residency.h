/* mem/residency.h — where expert weights live: the address map and the
 * residency table of the wafer (the Global CP's Expert Distribution Table).
 *
 * Contract
 *   The wafer holds, for n_layers MoE layers of n_experts experts, one home
 *   copy of each expert's weights (expert_bytes: its three matrices) in the
 *   HBM of its home tile, plus optional copies in other tiles' reserved
 *   regions. Each tile's HBM of capacity C is split into a home region of
 *   C - R and a reserved region of R = floor(C * reserved_fraction) bytes
 *   (hardware-managed copies only).
 *
 *   mem_residency_place_home() assigns (layer, expert) a home tile and the
 *   next free address range of that tile's home region; placing more than
 *   the home region holds is refused with a message naming the tile, what
 *   is needed and what is free (a start-up error: the caller reports it and
 *   exits 2). Every expert must be placed once before it is used.
 *
 *   mem_residency_add_copy() records a copy on a tile, charging its
 *   reserved region; it refuses (returns -1) when the copy would not fit,
 *   so copies never exceed the reserved region (the caller evicts first
 *   with mem_residency_remove_copy()). A tile's own home expert needs no
 *   copy. mem_residency_present() is the presence bit (home or copy).
 *
 *   Addresses: mem_residency_address() gives the byte address of matrix m
 *   (0, 1, 2) of an expert in its home tile's HBM; matrices are contiguous
 *   and each is expert_bytes / 3 long.
 */
#ifndef MEM_RESIDENCY_H
#define MEM_RESIDENCY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct mem_residency mem_residency;

mem_residency *mem_residency_new(unsigned n_tiles, uint64_t hbm_capacity, double reserved_fraction,
                                 unsigned n_layers, unsigned n_experts, uint64_t expert_bytes);
void mem_residency_free(mem_residency *r);

int mem_residency_place_home(mem_residency *r, unsigned layer, unsigned expert, unsigned tile,
                             char *err, size_t err_len);
int mem_residency_home(const mem_residency *r, unsigned layer, unsigned expert);   /* -1: unplaced */
uint64_t mem_residency_address(const mem_residency *r, unsigned layer, unsigned expert, unsigned matrix);

int mem_residency_add_copy(mem_residency *r, unsigned layer, unsigned expert, unsigned tile);
void mem_residency_remove_copy(mem_residency *r, unsigned layer, unsigned expert, unsigned tile);
bool mem_residency_present(const mem_residency *r, unsigned layer, unsigned expert, unsigned tile);

uint64_t mem_residency_home_used(const mem_residency *r, unsigned tile);
uint64_t mem_residency_home_capacity(const mem_residency *r);
uint64_t mem_residency_reserved_used(const mem_residency *r, unsigned tile);
uint64_t mem_residency_reserved_capacity(const mem_residency *r);
unsigned mem_residency_copies(const mem_residency *r, unsigned layer, unsigned expert);

#endif
