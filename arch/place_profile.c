/* arch/place_profile.c — the counts of a placement profile and their
 * provenance; contract in arch/place_profile.h. */
#define _POSIX_C_SOURCE 200809L
#include "arch/place_profile.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "arch/synth_trace.h"
#include "core/diag.h"
#include "core/xalloc.h"

/* out->provenance = prefix + out->provenance (truncated to fit). */
static void prepend(arch_place_profile *out, const char *prefix)
{
    size_t np = strlen(prefix), nt = strlen(out->provenance), cap = sizeof out->provenance - 1;
    np = np < cap ? np : cap;
    nt = nt < cap - np ? nt : cap - np;
    memmove(out->provenance + np, out->provenance, nt);
    memcpy(out->provenance, prefix, np);
    out->provenance[np + nt] = '\0';
}

static void init_counts(arch_place_profile *out, const wl_trace_info *in)
{
    wl_counts_init(&out->counts, in->shape.n_moe, in->shape.n_experts, in->shape.top_k, true);
}

/* Every decode token of every request of t (those with used[i] set skipped). */
static int count_decode(arch_place_profile *out, const wl_trace *t, const bool *used, char *err, size_t err_len)
{
    uint64_t n = wl_trace_get_info(t)->n_requests;
    for (uint64_t i = 0; i < n; i++) {
        wl_request r;
        if (used && used[i])
            continue;
        if (wl_trace_get(t, i, &r, err, err_len) != 0)
            return WS_EXIT_BAD_INPUT;
        wl_counts_add(&out->counts, &r, r.prompt_len, r.prompt_len + r.decode_len);
    }
    return 0;
}

static int cmp_name(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* 0 when no request of t has the name of a request of the batch (requests
 * with an empty name cannot be told apart and are not compared), else
 * WS_EXIT_BAD_INPUT with the first shared name in err. */
static int check_names(const wl_trace *t, const wl_batch *batch, const char *key, char *err, size_t err_len)
{
    uint64_t nb = wl_batch_size(batch), nt = wl_trace_get_info(t)->n_requests;
    const char **names = ws_xmalloc((nb ? nb : 1) * sizeof *names);
    for (uint64_t s = 0; s < nb; s++)
        names[s] = wl_batch_request(batch, s)->name;
    qsort(names, nb, sizeof *names, cmp_name);
    int rc = 0;
    for (uint64_t i = 0; i < nt && !rc; i++) {
        wl_request r;
        char terr[512];
        if (wl_trace_get(t, i, &r, terr, sizeof terr) != 0) {
            snprintf(err, err_len, "%s: %s", key, terr);
            rc = WS_EXIT_BAD_INPUT;
        } else if (*r.name && bsearch(&r.name, names, nb, sizeof *names, cmp_name)) {
            snprintf(err, err_len, "%s: request %llu of the profile, \"%s\", is also in the evaluated batch: the "
                     "profile must come from other requests (or use source oracle on purpose)", key,
                     (unsigned long long)i, r.name);
            rc = WS_EXIT_BAD_INPUT;
        }
    }
    free(names);
    return rc;
}

/* A profile trace: same shape as the evaluated one, other requests. */
static int from_trace(arch_place_profile *out, const char *key, const char *path, const wl_trace *eval,
                      const wl_batch *batch, char *err, size_t err_len)
{
    char terr[512];
    wl_trace *t = wl_trace_open(path, 0, terr, sizeof terr);
    if (!t) {
        snprintf(err, err_len, "%s: %s", key, terr);
        return WS_EXIT_BAD_INPUT;
    }
    const wl_trace_info *pi = wl_trace_get_info(t), *ei = wl_trace_get_info(eval);
    int rc = 0;
    if (strcmp(pi->shape.model, ei->shape.model) || pi->shape.n_moe != ei->shape.n_moe ||
        pi->shape.n_experts != ei->shape.n_experts || pi->shape.top_k != ei->shape.top_k) {
        snprintf(err, err_len, "%s: %s holds a %s trace (%u MoE layers, %u experts, top-%u), the evaluated one is "
                 "%s (%u, %u, top-%u)", key, path, pi->shape.model, pi->shape.n_moe, pi->shape.n_experts,
                 pi->shape.top_k, ei->shape.model, ei->shape.n_moe, ei->shape.n_experts, ei->shape.top_k);
        rc = WS_EXIT_BAD_INPUT;
    } else if (pi->payload_checksum == ei->payload_checksum) {
        snprintf(err, err_len, "%s: the profile is the evaluated trace itself (payload checksum %016llx): that "
                 "would place experts knowing the future; use other requests (another trace or seed, or "
                 "source held_out), or source oracle to measure that bound on purpose", key,
                 (unsigned long long)pi->payload_checksum);
        rc = WS_EXIT_BAD_INPUT;
    }
    if (!rc)
        rc = check_names(t, batch, key, err, err_len);
    if (!rc) {
        init_counts(out, pi);
        rc = count_decode(out, t, NULL, terr, sizeof terr);
        if (rc)
            snprintf(err, err_len, "%s: %s", key, terr);
        else
            snprintf(out->provenance, sizeof out->provenance, "payload checksum %016llx, decode tokens of %llu "
                     "requests", (unsigned long long)pi->payload_checksum, (unsigned long long)pi->n_requests);
    }
    wl_trace_close(t);
    return rc;
}

static int from_synthetic(const ws_config *cfg, const wl_model *model, const wl_trace *eval,
                          const wl_batch *batch, bool progress, arch_place_profile *out, char *err, size_t err_len)
{
    const ws_place_profile_config *p = &cfg->strategy.profile;
    if ((!cfg->workload.trace || !*cfg->workload.trace) && p->seed == cfg->sim.seed) {
        snprintf(err, err_len, "strategy.profile.seed: %lld is sim.seed, the seed of the synthetic workload: the "
                 "profile would hold the evaluated requests themselves (request i of the generator depends only "
                 "on the seed); pick another seed, or source oracle to measure that bound on purpose",
                 (long long)p->seed);
        return WS_EXIT_BAD_INPUT;
    }
    char path[4096];
    int rc = arch_synth_trace(cfg, model, (uint64_t)p->seed, 0, (uint64_t)p->requests, "profile", out, progress, path,
                              sizeof path, err, err_len);
    if (rc)
        return rc;
    rc = from_trace(out, "strategy.profile.seed", path, eval, batch, err, err_len);
    unlink(path);
    if (!rc) {
        char prefix[600];
        snprintf(prefix, sizeof prefix, "synthetic (generator %s, seed %lld): ",
                 cfg->workload.profile && *cfg->workload.profile ? cfg->workload.profile : model->name,
                 (long long)p->seed);
        prepend(out, prefix);
    }
    return rc;
}

static int from_held_out(const wl_trace *eval, const wl_batch *batch, arch_place_profile *out, char *err,
                         size_t err_len)
{
    const wl_trace_info *in = wl_trace_get_info(eval);
    bool *used = ws_xcalloc(in->n_requests ? in->n_requests : 1, sizeof *used);
    for (uint64_t s = 0; s < wl_batch_size(batch); s++)
        used[wl_batch_request(batch, s)->index] = true;
    uint64_t left = 0;
    for (uint64_t i = 0; i < in->n_requests; i++)
        left += !used[i];
    int rc = 0;
    if (!left) {
        snprintf(err, err_len, "strategy.profile.source: held_out: the batch uses all %llu requests of %s, none is "
                 "left for the profile (use a longer trace, a smaller batch, or another source)",
                 (unsigned long long)in->n_requests, wl_trace_path(eval));
        rc = WS_EXIT_BAD_INPUT;
    } else {
        init_counts(out, in);
        rc = count_decode(out, eval, used, err, err_len);
        snprintf(out->provenance, sizeof out->provenance, "held_out: decode tokens of the %llu requests of %s "
                 "(payload checksum %016llx) not in the batch", (unsigned long long)left, wl_trace_path(eval),
                 (unsigned long long)in->payload_checksum);
    }
    free(used);
    return rc;
}

/* The batch's own requests, one per slot: prompt tokens (prefill) or the
 * evaluated decode steps (oracle). */
static void from_batch(const ws_config *cfg, const wl_trace *eval, const wl_batch *batch, bool oracle,
                       arch_place_profile *out)
{
    const wl_trace_info *in = wl_trace_get_info(eval);
    init_counts(out, in);
    for (uint64_t s = 0; s < wl_batch_size(batch); s++) {
        const wl_request *r = wl_batch_request(batch, s);
        if (oracle)
            wl_counts_add(&out->counts, r, r->prompt_len, r->prompt_len + (uint32_t)cfg->workload.decode_steps);
        else
            wl_counts_add(&out->counts, r, 0, r->prompt_len);
    }
    snprintf(out->provenance, sizeof out->provenance,
             oracle ? "ORACLE: the evaluated decode tokens of the %llu batch requests of %s (payload checksum "
                      "%016llx): leakage on purpose"
                    : "prefill: the prompt tokens of the %llu batch requests of %s (payload checksum %016llx)",
             (unsigned long long)wl_batch_size(batch), wl_trace_path(eval),
             (unsigned long long)in->payload_checksum);
}

int arch_place_profile_build(const ws_config *cfg, const wl_model *model, const wl_trace *eval,
                             const wl_batch *batch, bool progress, arch_place_profile *out, char *err,
                             size_t err_len)
{
    const ws_place_profile_config *p = &cfg->strategy.profile;
    memset(out, 0, sizeof *out);
    int rc = 0;
    switch ((ws_profile_source)p->source) {
    case WS_PROFILE_NONE:
        snprintf(err, err_len, "strategy.profile.source: none, and this placement needs a profile of expert "
                 "frequencies: set it to trace, synthetic, held_out, prefill or oracle (doc/run.md)");
        return WS_EXIT_BAD_INPUT;
    case WS_PROFILE_TRACE:
        if (!p->trace || !*p->trace) {
            snprintf(err, err_len, "strategy.profile.trace: source trace needs a trace file (it is empty)");
            return WS_EXIT_BAD_INPUT;
        }
        rc = from_trace(out, "strategy.profile.trace", p->trace, eval, batch, err, err_len);
        if (!rc) {
            char prefix[4200];
            snprintf(prefix, sizeof prefix, "trace %s: ", p->trace);
            prepend(out, prefix);
        }
        break;
    case WS_PROFILE_SYNTHETIC: rc = from_synthetic(cfg, model, eval, batch, progress, out, err, err_len); break;
    case WS_PROFILE_HELD_OUT: rc = from_held_out(eval, batch, out, err, err_len); break;
    case WS_PROFILE_PREFILL: from_batch(cfg, eval, batch, false, out); break;
    case WS_PROFILE_ORACLE: from_batch(cfg, eval, batch, true, out); break;
    }
    if (!rc && !out->counts.tokens) {
        snprintf(err, err_len, "strategy.profile.source: the %s profile holds no token (%s)",
                 p->source == WS_PROFILE_PREFILL ? "prefill" : "chosen", out->provenance);
        rc = WS_EXIT_BAD_INPUT;
    }
    if (rc) {
        arch_place_profile_free(out);
        return rc;
    }
    size_t n = strlen(out->provenance);
    snprintf(out->provenance + n, sizeof out->provenance - n, " (%llu tokens)",
             (unsigned long long)out->counts.tokens);
    return 0;
}

void arch_place_profile_free(arch_place_profile *p)
{
    wl_counts_free(&p->counts);
}
