/* arch/energy.c — energy of a run from its counts; contract in
 * arch/energy.h. */
#include "arch/energy.h"

#include <stddef.h>

#define FIELD(f) offsetof(ws_energy_config, f)

static const ws_cfield energy_fields[] = {
    { .key = "link_pJ_per_bit", .type = WS_CT_FLOAT, .offset = FIELD(link_pJ_per_bit), .def = "0.5", .min = 0,
      .max = 1e6, .doc = "D2D link energy per bit per hop, pJ (assumption: UCIe advanced package)" },
    { .key = "hbm_read_pJ_per_bit", .type = WS_CT_FLOAT, .offset = FIELD(hbm_read_pJ_per_bit), .def = "3.9",
      .min = 0, .max = 1e6, .doc = "HBM read energy per bit, pJ (assumption: HBM2-class, O'Connor et al. 2017)" },
    { .key = "hbm_write_pJ_per_bit", .type = WS_CT_FLOAT, .offset = FIELD(hbm_write_pJ_per_bit), .def = "3.9",
      .min = 0, .max = 1e6, .doc = "HBM write energy per bit, pJ (assumption: as reads)" },
    { .key = "llc_pJ_per_bit", .type = WS_CT_FLOAT, .offset = FIELD(llc_pJ_per_bit), .def = "1", .min = 0,
      .max = 1e6, .doc = "LLC energy per bit looked up or filled, pJ (assumption: large on-die SRAM)" },
    { .key = "compute_pJ_per_flop", .type = WS_CT_FLOAT, .offset = FIELD(compute_pJ_per_flop), .def = "0.7",
      .min = 0, .max = 1e6, .doc = "compute energy per FLOP, pJ (assumption: 700 W / 989 TFLOPS, H100 board)" },
};

const ws_cschema arch_energy_schema = { "energy", sizeof(ws_energy_config), energy_fields,
                                        sizeof energy_fields / sizeof energy_fields[0], NULL };

void arch_energy_account(const ws_energy_config *e, const arch_energy_counts *c, arch_energy *out)
{
    const double pJ = 1e-12, bits = 8;
    out->link_J = c->link_bytes * bits * e->link_pJ_per_bit * pJ;
    out->hbm_J = (c->hbm_read_bytes * e->hbm_read_pJ_per_bit + c->hbm_write_bytes * e->hbm_write_pJ_per_bit) * bits * pJ;
    out->llc_J = c->llc_bytes * bits * e->llc_pJ_per_bit * pJ;
    out->compute_J = c->flops * e->compute_pJ_per_flop * pJ;
    out->total_J = out->link_J + out->hbm_J + out->llc_J + out->compute_J;
}
