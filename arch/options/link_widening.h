/* arch/options/link_widening.h — parameters of the link widening hardware option
 * (configure switch --enable-link-widening).
 *
 * Contract
 *   ws_opt_link_widening_params is the option's section of the experiment config
 *   (options.link_widening). It is always declared, so the config struct has the same
 *   layout in every build; the schema that reads it and the option's
 *   behaviour live in link_widening.c, which is compiled only when the option is
 *   enabled at configure time (WS_HAVE_OPT_LINK_WIDENING). With enabled = false the
 *   option must not change any result.
 *
 *   Only the on/off switch exists so far; the issue that models the option
 *   adds its parameters here.
 */
#ifndef WS_OPT_LINK_WIDENING_H
#define WS_OPT_LINK_WIDENING_H

#include <stdbool.h>

#include "arch/hwopt.h"

typedef struct ws_opt_link_widening_params {
    bool enabled;
} ws_opt_link_widening_params;

extern const ws_hwopt ws_hwopt_link_widening;
extern const ws_cschema ws_opt_link_widening_schema;

#endif
