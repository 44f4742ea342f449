/* arch/energy.h — the energy of a MoE run from its traffic and work:
 * per-bit energies of link hops, HBM reads and writes and LLC accesses,
 * and a per-FLOP compute energy (hw.energy; doc/options.md, "Energy").
 *
 * Contract
 *   arch_energy_schema is the `hw.energy` section (ws_energy_config,
 *   core/config.h): each energy with its unit in the key name (pJ/bit,
 *   pJ/FLOP) and a default stated as an assumption with its source in
 *   doc/options.md.
 *   arch_energy_account() turns counts into joules:
 *     link    = link_bytes x 8 x link_pJ_per_bit      (bytes summed over every
 *               directed mesh link a message crossed: byte-hops of requests
 *               and data alike)
 *     hbm     = (read_bytes x hbm_read + write_bytes x hbm_write) x 8 pJ/bit
 *     llc     = llc_bytes x 8 x llc_pJ_per_bit        (bytes looked up + filled)
 *     compute = flops x compute_pJ_per_flop
 *   and total = link + hbm + llc + compute exactly (the parts are summed in
 *   this order). A coarse, first-order model: no static or idle power, no
 *   router or SerDes standby energy; say so with the results.
 */
#ifndef ARCH_ENERGY_H
#define ARCH_ENERGY_H

#include "core/config.h"
#include "core/config_schema.h"

typedef struct arch_energy_counts {
    double link_bytes;
    double hbm_read_bytes, hbm_write_bytes;
    double llc_bytes;
    double flops;
} arch_energy_counts;

typedef struct arch_energy {
    double link_J, hbm_J, llc_J, compute_J, total_J;
} arch_energy;

extern const ws_cschema arch_energy_schema;

void arch_energy_account(const ws_energy_config *e, const arch_energy_counts *c, arch_energy *out);

#endif
