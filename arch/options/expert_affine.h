/* arch/options/expert_affine.h — parameters of the expert-affine task allocation hardware option
 * (configure switch --enable-expert-affine).
 *
 * Contract
 *   ws_opt_expert_affine_params is the option's section of the experiment config
 *   (options.expert_affine). It is always declared, so the config struct has the same
 *   layout in every build; the schema that reads it and the option's
 *   behaviour live in expert_affine.c, which is compiled only when the option is
 *   enabled at configure time (WS_HAVE_OPT_EXPERT_AFFINE). With enabled = false the
 *   option must not change any result.
 *
 *   Only the on/off switch exists so far; the issue that models the option
 *   adds its parameters here.
 */
#ifndef WS_OPT_EXPERT_AFFINE_H
#define WS_OPT_EXPERT_AFFINE_H

#include <stdbool.h>

#include "arch/hwopt.h"

typedef struct ws_opt_expert_affine_params {
    bool enabled;
} ws_opt_expert_affine_params;

extern const ws_hwopt ws_hwopt_expert_affine;
extern const ws_cschema ws_opt_expert_affine_schema;

#endif
