/* arch/options/migration.h — parameters of the migration units hardware option
 * (configure switch --enable-migration).
 *
 * Contract
 *   ws_opt_migration_params is the option's section of the experiment config
 *   (options.migration). It is always declared, so the config struct has the same
 *   layout in every build; the schema that reads it and the option's
 *   behaviour live in migration.c, which is compiled only when the option is
 *   enabled at configure time (WS_HAVE_OPT_MIGRATION). With enabled = false the
 *   option must not change any result.
 *
 *   Only the on/off switch exists so far; the issue that models the option
 *   adds its parameters here.
 */
#ifndef WS_OPT_MIGRATION_H
#define WS_OPT_MIGRATION_H

#include <stdbool.h>

#include "arch/hwopt.h"

typedef struct ws_opt_migration_params {
    bool enabled;
} ws_opt_migration_params;

extern const ws_hwopt ws_hwopt_migration;
extern const ws_cschema ws_opt_migration_schema;

#endif
