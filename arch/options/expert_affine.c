/* arch/options/expert_affine.c — the expert-affine task allocation hardware option: its config
 * schema and registry entry; contract in arch/options/expert_affine.h. Compiled only
 * with --enable-expert-affine. */
#include "arch/options/expert_affine.h"

#include <stddef.h>

static const ws_cfield expert_affine_fields[] = {
    { .key = "enabled", .type = WS_CT_BOOL, .offset = offsetof(ws_opt_expert_affine_params, enabled),
      .def = "false", .doc = "turn the expert-affine task allocation option on for this experiment" },
};

const ws_cschema ws_opt_expert_affine_schema = {
    .name = "expert_affine",
    .size = sizeof(ws_opt_expert_affine_params),
    .fields = expert_affine_fields,
    .n_fields = sizeof expert_affine_fields / sizeof expert_affine_fields[0],
};

const ws_hwopt ws_hwopt_expert_affine = {
    .name = "expert_affine",
    .schema = &ws_opt_expert_affine_schema,
};
