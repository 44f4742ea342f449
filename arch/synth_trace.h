/* arch/synth_trace.h — the synthetic trace of an experiment: requests
 * generated for its model into a temporary file.
 *
 * Contract
 *   arch_synth_trace() generates requests first .. first + requests - 1 of
 *   the generator's stream for `seed` (wl_gen_write_range: the same
 *   requests whatever else is generated) from the
 *   generator profile workload.profile (else the model's shipped profile,
 *   else the defaults: wl_profile_pick), with the lengths of the simulated
 *   iterations (decode_steps decode tokens; 1-token prompts unless the
 *   prefill is simulated or workload.prompt_tokens is set), into a file of
 *   $TMPDIR (else /tmp) named after `tag`, the process and `unique` (an
 *   address the caller owns), whose path it writes to path, through the
 *   synthetic trace cache (workload/gen_cache.h: the file may be a link to
 *   a cached trace, with the same bytes). The caller removes the file.
 *   Returns 0, WS_EXIT_BAD_INPUT (the generator profile cannot be loaded;
 *   details on stderr) or WS_EXIT_RUNTIME (path[0] = 0), with a message in
 *   err.
 */
#ifndef ARCH_SYNTH_TRACE_H
#define ARCH_SYNTH_TRACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/config.h"
#include "workload/model.h"

int arch_synth_trace(const ws_config *cfg, const wl_model *model, uint64_t seed, uint64_t first, uint64_t requests,
                     const char *tag, const void *unique, bool progress, char *path, size_t path_len, char *err,
                     size_t err_len);

#endif
