/* arch/hwopt.c — the hardware-option registry and the schema of the
 * `options` config section; contract in arch/hwopt.h. */
#ifdef HAVE_CONFIG_H
#include <config.h>
#endif
#include "arch/hwopt.h"

#include <string.h>

#include "arch/hwopt_list.h"
#include "arch/options/expert_affine.h"
#include "arch/options/link_widening.h"
#include "arch/options/migration.h"
#include "core/config.h"

/* WS_IMPL_<name> is the option's instance when compiled in, else NULL. */
#ifdef WS_HAVE_OPT_EXPERT_AFFINE
#define WS_IMPL_expert_affine (&ws_hwopt_expert_affine)
#define WS_SCHEMA_expert_affine (&ws_opt_expert_affine_schema)
#else
#define WS_IMPL_expert_affine NULL
#define WS_SCHEMA_expert_affine NULL
#endif
#ifdef WS_HAVE_OPT_LINK_WIDENING
#define WS_IMPL_link_widening (&ws_hwopt_link_widening)
#define WS_SCHEMA_link_widening (&ws_opt_link_widening_schema)
#else
#define WS_IMPL_link_widening NULL
#define WS_SCHEMA_link_widening NULL
#endif
#ifdef WS_HAVE_OPT_MIGRATION
#define WS_IMPL_migration (&ws_hwopt_migration)
#define WS_SCHEMA_migration (&ws_opt_migration_schema)
#else
#define WS_IMPL_migration NULL
#define WS_SCHEMA_migration NULL
#endif

#define WS_HWOPT_ENTRY(name, sw, summary) { #name, sw, summary, WS_IMPL_##name },
const ws_hwopt_entry ws_hwopt_registry[] = { WS_HWOPT_LIST(WS_HWOPT_ENTRY) };
const size_t ws_hwopt_count = sizeof ws_hwopt_registry / sizeof ws_hwopt_registry[0];

#define WS_HWOPT_FIELD(name, sw, summary)                                                  \
    { .key = #name, .type = WS_CT_OPTION, .offset = offsetof(ws_options_config, name),    \
      .sub = WS_SCHEMA_##name, .configure_switch = sw,       \
      .doc = summary },
static const ws_cfield options_fields[] = { WS_HWOPT_LIST(WS_HWOPT_FIELD) };

const ws_cschema ws_hwopt_options_schema = {
    .name = "options",
    .size = sizeof(ws_options_config),
    .fields = options_fields,
    .n_fields = sizeof options_fields / sizeof options_fields[0],
};

const ws_hwopt_entry *ws_hwopt_find(const char *name)
{
    for (size_t i = 0; i < ws_hwopt_count; i++)
        if (!strcmp(ws_hwopt_registry[i].name, name))
            return &ws_hwopt_registry[i];
    return NULL;
}

#define WS_HWOPT_ENABLED(name, sw, summary)                                                    \
    if (!strcmp(#name, opt))                                                                  \
        return cfg->options.name.enabled;

bool ws_hwopt_enabled(const ws_config *cfg, const char *opt)
{
    WS_HWOPT_LIST(WS_HWOPT_ENABLED)
    return false;
}
