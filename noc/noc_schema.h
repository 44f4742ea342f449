/* noc/noc_schema.h — the `noc:` and `traffic:` sections of the experiment
 * schema, and the checks that need the whole config.
 *
 * Contract
 *   noc_config_schema and noc_traffic_schema describe ws_noc_config and
 *   ws_traffic_config (core/config.h): every key with its unit, default,
 *   range and one-line description (doc/noc.md explains them).
 *   noc_config_cross_check() runs after the whole config is read (the
 *   top-level check hook of core/config.c) and reports, at the offending
 *   key, what no single section can see: a test-only routing function
 *   without noc.allow_test_routing, a routing function or traffic pattern
 *   the grid does not support, hotspot nodes off the grid, link overrides
 *   naming links that do not exist, VCT buffers smaller than a packet, and
 *   injection rates a node cannot generate.
 *   noc_config_ticks() converts a time to ticks, saturating.
 *   noc_parse_link() reads one link override entry ("X,Y-X,Y" both
 *   directions, "X,Y>X,Y" one direction) into coordinates; returns 0, or
 *   -1 with a reason in err.
 *   noc_link_scales() gives the width and latency scales of the directed
 *   mesh link (x0,y0) -> (x1,y1) after every entry of noc.link_overrides,
 *   in order (the last matching entry wins; 1 and 1 when none matches).
 */
#ifndef NOC_SCHEMA_H
#define NOC_SCHEMA_H

#include <stdbool.h>
#include <stddef.h>

#include "core/config.h"

extern const ws_cschema noc_config_schema;
extern const ws_cschema noc_traffic_schema;

void noc_config_cross_check(const ws_config *cfg, const ws_ccheck *root);

/* A time of the config in ticks, like ws_config_ticks() but saturating at
 * 2^60 ticks (cycle-valued keys have no upper bound in the schema, so that
 * their defaults stay valid whatever the clock). */
uint64_t noc_config_ticks(const ws_config *cfg, double seconds);

int noc_parse_link(const char *text, int *x0, int *y0, int *x1, int *y1, bool *both, char *err,
                   size_t err_len);

void noc_link_scales(const ws_config *cfg, int x0, int y0, int x1, int y1, double *width, double *latency);

#endif
