/* arch/hwopt.h — registry of hardware options (architectural
 * modifications compiled in by configure switches).
 *
 * Contract
 *   Each option is a const ws_hwopt exported by its file under
 *   arch/options/ and compiled only when its configure switch is on. The
 *   registry (ws_hwopt_registry, one entry per line of arch/hwopt_list.h,
 *   in that order) lists every known option with its switch and summary;
 *   `impl` is NULL when the option is compiled out.
 *   ws_hwopt_find() looks an entry up by its YAML name.
 *   ws_hwopt_options_schema is the schema of the config's `options` section:
 *   one WS_CT_OPTION field per registry entry, so asking for a compiled-out
 *   option is an error naming its configure switch (core/config_schema.h).
 */
#ifndef WS_HWOPT_H
#define WS_HWOPT_H

#include <stdbool.h>
#include <stddef.h>

#include "core/config_schema.h"

struct arch_net_plan;
struct ws_config;

typedef struct ws_hwopt {
    const char *name;
    const ws_cschema *schema;     /* the option's section of `options` */
    /* Optional: when the option is enabled, change the links of the network
     * a run is built on (arch/net_plan.h); 0, or WS_EXIT_BAD_INPUT with a
     * message in err. */
    int (*plan_network)(const struct ws_config *cfg, struct arch_net_plan *plan, char *err, size_t err_len);
} ws_hwopt;

typedef struct ws_hwopt_entry {
    const char *name;
    const char *configure_switch;
    const char *summary;
    const ws_hwopt *impl;         /* NULL when compiled out */
} ws_hwopt_entry;

extern const ws_hwopt_entry ws_hwopt_registry[];
extern const size_t ws_hwopt_count;
extern const ws_cschema ws_hwopt_options_schema;

const ws_hwopt_entry *ws_hwopt_find(const char *name);

struct ws_config;
/* Whether the experiment turns option `name` on (options.<name>.enabled);
 * false for an unknown name. */
bool ws_hwopt_enabled(const struct ws_config *cfg, const char *name);

#endif
