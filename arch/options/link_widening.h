/* arch/options/link_widening.h — parameters of the link widening hardware
 * option (configure switch --enable-link-widening): more D2D bandwidth on
 * chosen links, at a stated area and power cost. Not in the reference
 * study; doc/options.md.
 *
 * Contract
 *   ws_opt_link_widening_params is the option's section of the experiment
 *   config (options.link_widening). It is always declared, so the config
 *   struct has the same layout in every build; the schema that reads it and
 *   the option's behaviour live in link_widening.c, which is compiled only
 *   when the option is enabled at configure time (WS_HAVE_OPT_LINK_WIDENING).
 *   With enabled = false the option changes no result.
 *
 *   When enabled, the network of a run (arch/net_plan.h) has the bandwidth
 *   of the selected directed links multiplied by `factor`, on top of
 *   noc.link_overrides; latency is unchanged. Selections: all, horizontal,
 *   vertical, an explicit `links` list ("X,Y-X,Y" both directions,
 *   "X,Y>X,Y" one), or the `hottest` N directed links by utilisation in
 *   a `wafersim run --links` CSV (`profile`; rows of `profile_variant`, or
 *   of its only variant). Cost: added bandwidth (sum over widened directed
 *   links of (factor - 1) x their bandwidth) x area_mm2_per_TBps and
 *   x power_W_per_TBps (TB = 1e12 B).
 */
#ifndef WS_OPT_LINK_WIDENING_H
#define WS_OPT_LINK_WIDENING_H

#include <stdbool.h>
#include <stdint.h>

#include "arch/hwopt.h"
#include "core/config_schema.h"

typedef enum ws_widen_select {
    WS_WIDEN_ALL, WS_WIDEN_HORIZONTAL, WS_WIDEN_VERTICAL, WS_WIDEN_HOTTEST, WS_WIDEN_LIST
} ws_widen_select;

typedef struct ws_opt_link_widening_params {
    bool enabled;
    double factor;             /* bandwidth multiplier of a widened link */
    int select;                /* ws_widen_select */
    ws_clist links;            /* of char *, select: list */
    int64_t hottest;           /* select: hottest, number of directed links */
    char *profile;             /* select: hottest, a `wafersim run --links` CSV */
    char *profile_variant;     /* its rows to rank ("" = its only variant) */
    double area_mm2_per_TBps;  /* die area per TB/s of added bandwidth */
    double power_W_per_TBps;   /* power per TB/s of added bandwidth, at full use */
} ws_opt_link_widening_params;

extern const ws_hwopt ws_hwopt_link_widening;
extern const ws_cschema ws_opt_link_widening_schema;

#endif
