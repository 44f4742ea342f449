/* core/limits.h — resource limits: configs that would need absurd memory or
 * work are refused when they are loaded, before anything is allocated.
 *
 * Contract
 *   The `sim.limits` section (ws_limits_schema) holds the limits a user may
 *   raise:
 *     memory    the estimated memory of the simulation's largest tables
 *               (default 16 GiB): per tile the LLC tag store (16 B per
 *               line) and the router's input buffers (one flit slot per
 *               buffered flit of every VC of its 5 ports, plus its 8-byte
 *               tail tick with noc.flit_streaming), times the tiles;
 *     requests  synthetic requests generated (workload.requests; default
 *               10^7, at most 2^32-1, the reach of request indices).
 *   ws_limits_check() compares a loaded config with them and reports, at
 *   the position of the key that asks for too much, what the config would
 *   need, which limit it passes, and how to raise it
 *   ("--set sim.limits.memory=64GiB"). Limits that are properties of this
 *   build (16-bit node ids: 65536 tiles; the schema's ranges) are reported
 *   by the schema itself and cannot be raised by a config.
 *   ws_limits_memory_bytes() is the estimate, for reports and tests.
 */
#ifndef WS_LIMITS_H
#define WS_LIMITS_H

#include <stdint.h>

#include "core/config_schema.h"

typedef struct ws_limits_config {
    double memory_bytes;
    int64_t requests;
} ws_limits_config;

extern const ws_cschema ws_limits_schema;

struct ws_config;
double ws_limits_memory_bytes(const struct ws_config *cfg);
void ws_limits_check(const struct ws_config *cfg, const ws_ccheck *c);

#endif
