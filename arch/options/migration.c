/* arch/options/migration.c — the migration units hardware option: its config
 * schema and registry entry; contract in arch/options/migration.h. Compiled only
 * with --enable-migration. */
#include "arch/options/migration.h"

#include <stddef.h>

static const ws_cfield migration_fields[] = {
    { .key = "enabled", .type = WS_CT_BOOL, .offset = offsetof(ws_opt_migration_params, enabled),
      .def = "false", .doc = "turn the migration units option on for this experiment" },
};

const ws_cschema ws_opt_migration_schema = {
    .name = "migration",
    .size = sizeof(ws_opt_migration_params),
    .fields = migration_fields,
    .n_fields = sizeof migration_fields / sizeof migration_fields[0],
};

const ws_hwopt ws_hwopt_migration = {
    .name = "migration",
    .schema = &ws_opt_migration_schema,
};
