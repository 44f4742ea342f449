/* workload/generator.h — the calibrated synthetic trace generator
 * (`wafersim trace gen`): requests whose expert selections have the
 * statistics of real traces (design.md §2.6), in the binary trace format.
 *
 * Contract
 *   wl_gen_new() builds the per-layer structure of a model under a profile
 *   (workload/profile.h) for a master seed; wl_gen_request() then produces
 *   request i. The generative model (doc/traces.md, "Synthetic traces"):
 *
 *   structure, per MoE layer m, from the GSL stream "workload.gen.layer.<m>"
 *     popularity logits  s_m * z_e, z_e ~ N(0,1) (lognormal weights; s_m from
 *                        the profile's skew ramp, or from its target Gini G_m
 *                        as skew_gain * sqrt(2) * Phi^-1((1 + G_m) / 2), the
 *                        Gini of a lognormal being 2 Phi(s / sqrt 2) - 1);
 *     topics             topic t adds topic_spread * N(0,1) per expert (one
 *                        alias table per (layer, topic));
 *     decode tilt        shift_e ~ N(0, decode_shift) per expert: in the
 *                        decode phase a proposed expert is accepted with
 *                        probability min(1, exp(shift_e)) (else redrawn), so
 *                        prefill and decode of a request share its topic's
 *                        popularity but decode tilts every component a
 *                        little (prefill vs decode Spearman and top-N);
 *     degenerate layers  one expert (the most popular) takes
 *                        degenerate_share of every pick, the rest spread by
 *                        popularity, for every topic and phase;
 *     layer kernel       (m >= 1) each expert e of layer m-1 has kernel_width
 *                        successors in layer m, drawn by layer m's popularity
 *                        (distinct), with Dirichlet(kernel_concentration)
 *                        weights;
 *     partners           each group is shuffled and cut into cliques of
 *                        partner_width + 1 experts; an expert's partners
 *                        are the other members of its clique, with
 *                        Dirichlet(partner_concentration) weights (block-
 *                        shaped co-activation inside groups).
 *
 *   request i, from the GSL stream "workload.gen.request.<i>" only (so it
 *   does not depend on how many requests are generated): a topic (uniform),
 *   a prompt length (lognormal around the profile's median, clamped, or the
 *   caller's override), the decode length; then for every token (prompt
 *   first, then decode; consecutive tokens of one sequence) and MoE layer,
 *   top_k distinct experts, each pick drawn from a mixture:
 *     picks 2..k first, with prob. gamma: a partner (clique member) of an
 *                           expert already picked by this token at this
 *                           layer (co-activation); otherwise, and for the
 *                           first pick:
 *     with prob. rho_m      an expert of the previous token at this layer
 *                           (stickiness ramp; none for the first token),
 *     with prob. lambda_m   a successor, through the kernel, of an expert
 *                           picked by this token at the previous MoE layer,
 *     otherwise             the topic's table.
 *   A pick already taken is redrawn. Group-limited routing (groups > 1):
 *   the first picks fix the token's groups; once groups_kept groups are in
 *   use, picks outside them are redrawn (so each token uses at most
 *   groups_kept groups, DeepSeek's "keep the best 4 groups of 8"). After 64
 *   redraws a pick falls back to the first allowed free expert from a
 *   random start. Degenerate layers use their table only (no mixture, no
 *   tilt).
 *
 *   Draws: every decision above consumes the request stream's 32-bit words
 *   exactly as gsl_rng_uniform (u = w / 2^32), gsl_rng_uniform_int (w /
 *   ((2^32 - 1) / n), redrawn while >= n) and gsl_ran_discrete (Walker
 *   tables from gsl_ran_discrete_preproc) would, in the order listed; for
 *   speed generator.c runs the stream's MT19937 inline on a copy of its GSL
 *   state and compares raw words with precomputed integer thresholds, which
 *   gives the same decisions word for word.
 *
 *   The same (model, profile, seed, lengths) gives the same requests on
 *   every machine; wl_gen_write() writes requests 0..n-1 through the trace
 *   writer (workload/trace_writer.h: atomic; wl_gen_append() adds them to
 *   a writer the caller opened), each named
 *   "gen/<profile>/seed<S>/<i>/topic<t>". Returns 0 or -1 with err.
 */
#ifndef WL_GENERATOR_H
#define WL_GENERATOR_H

/* The version of the generative procedure: bump it whenever the same
 * (model, profile, seed, lengths) would give different requests (other
 * draws, another order, other profile schema defaults), so cached traces
 * (workload/gen_cache.h) of the old procedure are never reused. */
#define WL_GEN_ALGORITHM 1u

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "workload/model.h"
#include "workload/profile.h"
#include "workload/trace_writer.h"

/* Length overrides: prompt_min = prompt_max = 0 keeps the profile's
 * distribution, otherwise the prompt is uniform in [prompt_min,
 * prompt_max]; decode < 0 keeps the profile's decode_tokens. */
typedef struct wl_gen_lengths {
    uint32_t prompt_min, prompt_max;
    int32_t decode;
} wl_gen_lengths;

typedef struct wl_gen wl_gen;

/* One generated request; ids grows as needed and belongs to the caller
 * (free it once done; start with {0}). */
typedef struct wl_gen_request {
    uint32_t topic;
    uint32_t prompt_len, decode_len;
    uint16_t *ids;              /* (prompt_len + decode_len) * n_moe * top_k, token-major */
    size_t cap;
} wl_gen_request;

wl_gen *wl_gen_new(const wl_model *m, const wl_profile *p, uint64_t seed, const wl_gen_lengths *len);
void wl_gen_free(wl_gen *g);
void wl_gen_request_generate(const wl_gen *g, uint64_t i, wl_gen_request *out);

int wl_gen_write(const wl_model *m, const wl_profile *p, uint64_t seed, uint64_t n_requests,
                 const wl_gen_lengths *len, const char *path, bool progress, char *err, size_t err_len);
/* The same for requests first .. first + n_requests - 1 (a profile drawn
 * from the same structure as, but disjoint from, requests 0 .. first - 1). */
int wl_gen_write_range(const wl_model *m, const wl_profile *p, uint64_t seed, uint64_t first, uint64_t n_requests,
                       const wl_gen_lengths *len, const char *path, bool progress, char *err, size_t err_len);
/* Appends those requests to an open trace writer (of m's shape), exactly
 * as wl_gen_write_range writes them; 0 or -1 with err (the writer is then
 * the caller's to abort). */
int wl_gen_append(wl_trace_writer *w, const wl_model *m, const wl_profile *p, uint64_t seed, uint64_t first,
                  uint64_t n_requests, const wl_gen_lengths *len, bool progress, char *err, size_t err_len);

#endif
