/* arch/place_profile.h — the profile a profile-aware placement policy
 * reads: how often each expert of each MoE layer, and each pair of experts,
 * was picked by the profile's tokens, and where those tokens came from.
 *
 * Contract
 *   arch_place_profile_build() counts (workload/expert_counts.h, with
 *   pairs) the tokens that strategy.profile.source names:
 *     trace      every decode token of every request of
 *                strategy.profile.trace;
 *     synthetic  every decode token of strategy.profile.requests requests
 *                generated with strategy.profile.seed from the workload's
 *                generator profile and lengths (arch/synth_trace.h);
 *     held_out   every decode token of the requests of the evaluated trace
 *                that the batch does not use;
 *     prefill    the prompt tokens of the batch's requests (known before
 *                their decode starts);
 *     oracle     decode steps 1 .. workload.decode_steps of the batch's
 *                requests, one per batch slot: the evaluated tokens
 *                themselves (leakage on purpose; the provenance says
 *                ORACLE).
 *   Leakage guard: a trace or synthetic profile whose payload checksum is
 *   the evaluated trace's is refused, so is one holding a request with
 *   the name of a batch request (generated requests are named after their
 *   generator profile, seed and number; imported ones after their file;
 *   unnamed requests are not compared), and so is a synthetic profile of a
 *   synthetic workload with profile.seed = sim.seed (the generator's
 *   request i depends only on the seed: the profile would contain the
 *   evaluated requests even with another request count); a profile of
 *   another model or
 *   shape is refused; so are source none (the policy needs a profile),
 *   held_out when the batch uses every request, and a profile with no
 *   token. Refusals return WS_EXIT_BAD_INPUT with a message naming the
 *   key (strategy.profile.*); an I/O failure of the generator returns
 *   WS_EXIT_RUNTIME. On success out->counts holds the counts and
 *   out->provenance one line: the source, its file and payload checksum,
 *   the requests and tokens counted. Free with arch_place_profile_free().
 */
#ifndef ARCH_PLACE_PROFILE_H
#define ARCH_PLACE_PROFILE_H

#include <stdbool.h>
#include <stddef.h>

#include "core/config.h"
#include "workload/batch.h"
#include "workload/expert_counts.h"
#include "workload/model.h"
#include "workload/trace_reader.h"

typedef struct arch_place_profile {
    wl_counts counts;
    char provenance[768];
} arch_place_profile;

int arch_place_profile_build(const ws_config *cfg, const wl_model *model, const wl_trace *eval,
                             const wl_batch *batch, bool progress, arch_place_profile *out, char *err,
                             size_t err_len);
void arch_place_profile_free(arch_place_profile *p);

#endif
