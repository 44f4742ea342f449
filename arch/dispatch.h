/* arch/dispatch.h — token dispatch and combine: which tile each request
 * lives on, and whose tokens each task of a plan computes.
 *
 * Contract
 *   Home tiles: the request placement policy named by
 *   strategy.dispatch.request_placement (arch/request_place.h) gives each
 *   batch slot its tile (request_tile must be a tile of the grid); its
 *   attention, hence its tokens' activations, are there.
 *
 *   Token -> task mapping (deterministic): expert e's token list is every
 *   (slot, token) of the iteration that chose e at the layer, in slot order
 *   and, within a slot, token order; e's tasks, taken in plan order, cover
 *   consecutive ranges of that list (the first task the first `tokens`
 *   entries, and so on). The allocation policies do not say which tokens a
 *   task gets, only how many; this is the mapping that keeps a request's
 *   tokens together.
 *
 *   arch_dispatch_map() fills, for an accepted plan of iteration `it` and
 *   MoE layer m, task_home[i x T + h] = tokens of task i whose request
 *   lives on tile h, and home_tokens[h] = tokens of the iteration whose
 *   request lives on h. It returns -1 when the routes do not cover the plan
 *   exactly (cannot happen for a plan that passed arch_plan_check).
 *   Deterministic; no randomness.
 */
#ifndef ARCH_DISPATCH_H
#define ARCH_DISPATCH_H

#include <stdint.h>

#include "arch/alloc.h"
#include "core/config.h"
#include "workload/batch.h"

typedef struct arch_dispatch arch_dispatch;

arch_dispatch *arch_dispatch_new(const ws_dispatch_config *c, uint32_t tiles, const wl_batch *b,
                                 uint32_t n_experts, uint32_t top_k);
void arch_dispatch_free(arch_dispatch *d);

uint32_t arch_dispatch_home(const arch_dispatch *d, uint64_t slot);
int arch_dispatch_map(arch_dispatch *d, uint32_t it, uint32_t m, const arch_plan *plan);
const uint32_t *arch_dispatch_task_home(const arch_dispatch *d);   /* [plan->n x tiles] */
const uint32_t *arch_dispatch_home_tokens(const arch_dispatch *d); /* [tiles] */

#endif
