/* arch/synth_trace.c — an experiment's synthetic trace in a temporary
 * file; contract in arch/synth_trace.h. */
#define _POSIX_C_SOURCE 200809L
#include "arch/synth_trace.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "core/diag.h"
#include "workload/gen_cache.h"
#include "workload/generator.h"
#include "workload/profile.h"

int arch_synth_trace(const ws_config *cfg, const wl_model *model, uint64_t seed, uint64_t first, uint64_t requests,
                     const char *tag, const void *unique, bool progress, char *path, size_t path_len, char *err,
                     size_t err_len)
{
    const ws_workload_config *w = &cfg->workload;
    wl_profile prof;
    const char *named = w->profile && *w->profile ? w->profile : NULL;
    path[0] = '\0';
    if (wl_profile_pick(&prof, named, model, "wafersim run", !progress, stderr) != 0) {
        snprintf(err, err_len, "workload.profile: cannot load generator profile \"%s\" (see above)",
                 named ? named : model->name);
        return WS_EXIT_BAD_INPUT;
    }
    const char *tmp = getenv("TMPDIR");
    snprintf(path, path_len, "%s/wafersim-%s-%ld-%p.wst", tmp && *tmp ? tmp : "/tmp", tag, (long)getpid(),
             unique);
    /* exactly the iterations simulated: decode_steps decode tokens and,
     * unless the prefill is simulated, 1-token prompts (doc/run.md) */
    uint32_t prompt = (uint32_t)w->prompt_tokens;
    if (!prompt && !w->prefill)
        prompt = 1;
    wl_gen_lengths len = { prompt, prompt, (int32_t)w->decode_steps };
    int rc = wl_gen_write_cached(model, &prof, seed, first, requests, &len, path, progress, err, err_len);
    wl_profile_free(&prof);
    if (rc != 0) {
        path[0] = '\0';
        return WS_EXIT_RUNTIME;
    }
    return 0;
}
