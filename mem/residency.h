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
 *   mem_residency_copies() counts these reserved-region copies only.
 *
 *   Static copies: mem_residency_place_copy() records a copy chosen at
 *   placement time (a replicating placement policy) in the tile's HOME
 *   region, at its next free address, leaving the reserved region to the
 *   hardware (migration). It refuses (-1, message naming the tile, what is
 *   needed and what is free) a copy that does not fit the home region, of
 *   an expert not placed yet, or on a tile that already holds the expert.
 *   Static copies are permanent: mem_residency_remove_copy() never removes
 *   them, and add_copy() on a tile holding one charges nothing.
 *   mem_residency_static_copies() counts them per expert and
 *   mem_residency_static_used() their bytes per tile (included in
 *   mem_residency_home_used()).
 *
 *   Addresses: mem_residency_address() gives the byte address of matrix m
 *   (0, 1, 2) of an expert in its home tile's HBM; matrices are contiguous
 *   and each is expert_bytes / 3 long. mem_residency_holder_address() is
 *   the address of the matrix in the HBM of a holder tile: the static
 *   copy's own address on a tile with a static copy, else the home address
 *   (the home tile, and reserved-region copies, whose address the D2D
 *   controller translates itself).
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
uint64_t mem_residency_holder_address(const mem_residency *r, unsigned layer, unsigned expert, unsigned tile,
                                      unsigned matrix);

int mem_residency_place_copy(mem_residency *r, unsigned layer, unsigned expert, unsigned tile, char *err,
                             size_t err_len);
unsigned mem_residency_static_copies(const mem_residency *r, unsigned layer, unsigned expert);
uint64_t mem_residency_static_used(const mem_residency *r, unsigned tile);

int mem_residency_add_copy(mem_residency *r, unsigned layer, unsigned expert, unsigned tile);
void mem_residency_remove_copy(mem_residency *r, unsigned layer, unsigned expert, unsigned tile);
bool mem_residency_present(const mem_residency *r, unsigned layer, unsigned expert, unsigned tile);

uint64_t mem_residency_expert_bytes(const mem_residency *r);
uint64_t mem_residency_home_used(const mem_residency *r, unsigned tile);
uint64_t mem_residency_home_capacity(const mem_residency *r);
uint64_t mem_residency_reserved_used(const mem_residency *r, unsigned tile);
uint64_t mem_residency_reserved_capacity(const mem_residency *r);
unsigned mem_residency_copies(const mem_residency *r, unsigned layer, unsigned expert);

#endif
