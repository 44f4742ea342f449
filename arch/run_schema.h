/* arch/run_schema.h — the `workload:`, `strategy:` and `variants:` sections
 * of the experiment schema (types in core/config.h; meaning in doc/run.md).
 *
 * Contract
 *   Each schema lists its keys with units, defaults and ranges; allocation
 *   and placement names are the registries of arch/alloc_list.h and
 *   arch/place_list.h. arch_variant_overrides() appends a variant's
 *   overrides to an override list, for loading the variant's own config.
 */
#ifndef ARCH_RUN_SCHEMA_H
#define ARCH_RUN_SCHEMA_H

#include "core/config_schema.h"

extern const ws_cschema arch_workload_schema;
extern const ws_cschema arch_strategy_schema;
extern const ws_cschema arch_variant_schema;

extern const char *const arch_alloc_names[];   /* NULL-terminated, registry order */
extern const char *const arch_place_names[];
extern const char *const arch_request_place_names[];

#endif
