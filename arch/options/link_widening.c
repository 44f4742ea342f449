/* arch/options/link_widening.c — the link widening hardware option: its config
 * schema and registry entry; contract in arch/options/link_widening.h. Compiled only
 * with --enable-link-widening. */
#include "arch/options/link_widening.h"

#include <stddef.h>

static const ws_cfield link_widening_fields[] = {
    { .key = "enabled", .type = WS_CT_BOOL, .offset = offsetof(ws_opt_link_widening_params, enabled),
      .def = "false", .doc = "turn the link widening option on for this experiment" },
};

const ws_cschema ws_opt_link_widening_schema = {
    .name = "link_widening",
    .size = sizeof(ws_opt_link_widening_params),
    .fields = link_widening_fields,
    .n_fields = sizeof link_widening_fields / sizeof link_widening_fields[0],
};

const ws_hwopt ws_hwopt_link_widening = {
    .name = "link_widening",
    .schema = &ws_opt_link_widening_schema,
};
