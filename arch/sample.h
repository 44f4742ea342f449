/* arch/sample.h — sampled decode simulation (sim.sample_steps): which
 * decode steps a run simulates, and the estimate of the whole run from
 * the steps it measured.
 *
 * Contract
 *   A decode run of N steps (iterations 1..N; iteration 0 is the prefill)
 *   is sampled systematically: with k = sim.sample_steps, 0 < k < N, the
 *   measured steps are s_j = 1 + floor((j + 1/2) N / k) for j = 0..k-1
 *   (evenly spread, centred in their strata), and the `warmup` steps
 *   before each s_j (down to step 1) are simulated unmeasured, so that
 *   state carried from step to step (LLC contents, migration copies) is
 *   warm when s_j is measured. Every other decode step is not simulated.
 *   arch_sample_roles() fills role[0..N] (arch/exec.h: ARCH_ITER_SKIP,
 *   _WARM, _MEASURED; role[0], the prefill, is WARM) and returns the
 *   number of decode steps simulated; with k = 0 or k >= N, or when the
 *   warm-ups leave no step out, it marks every decode step measured (no
 *   sampling: the run is exact) and returns N.
 *
 *   Estimate (arch_sample_estimate; a ratio estimator, Cochran 1977 §6):
 *   over the k measured steps with times t_j and tokens n_j, throughput
 *   R = sum n_j / sum t_j; the decode time of the whole run is
 *   total_tokens / R. The standard error of R is
 *   sqrt((1 - k/N) / k x s_d^2) / mean(t), where d_j = n_j - R t_j and
 *   s_d^2 = sum d_j^2 / (k - 1); the 95% confidence half-width, as a
 *   fraction of the estimate (the same for R and for the time), is
 *   t_{0.975, k-1} x that / R (GSL's t quantile). Without sampling, or k < 2,
 *   the half-width is 0 (exact) or NaN (cannot be estimated from one
 *   step) respectively. Steps differ only by their expert selections and
 *   token counts, so the estimate is unbiased up to the ratio estimator's
 *   O(1/k) bias; the interval treats the systematic sample as a random
 *   one, which holds when step times have no period matching the
 *   sampling's. doc/run.md reports how close it comes to full runs.
 *
 *   Layer sampling (sim.sample_layers = m, 0 < m < L MoE layers):
 *   arch_sample_layers() fills on[i x L + l], the role of MoE layer l in
 *   iteration i (ARCH_UNIT_OFF: not simulated; _WARM: simulated
 *   unmeasured; _MEASURED) for i = 0..N: the prefill (i = 0) runs every
 *   layer, unmeasured; the q-th measured step (q = 0..k-1 in step order,
 *   k of them) measures layers floor((c k + q + 1/2) L / (m k)) for c =
 *   0..m-1, i.e. the k x m measured (step, layer) units are spread evenly
 *   over the depth, each step's m layers a stride L/m apart and
 *   successive steps shifted by L/(m k). Warm-ups go unit by unit: the
 *   `warmup` steps before a measured unit run its layer unmeasured unless
 *   they measure it (a skipped step then becomes a warm one in role[]),
 *   so that per-layer state such as migration copies is warm for exactly
 *   the layers measured, even when consecutive steps are measured with
 *   different layers. It returns the number of decode (step, layer) units
 *   simulated. With m = 0 or m >= L a measured step measures every layer
 *   (the same runs as without layer sampling).
 *   The estimate then takes the measured (step, layer) units as the
 *   sample, out of N x L: unit u has time t_u and tokens n_s / L (its
 *   step's tokens shared by its L layers, so that a whole step's units
 *   give the step's throughput), and arch_sample_estimate applies to them
 *   as to steps. Layers are independent between barriers except through
 *   state carried in HBM and LLCs: a skipped layer evicts nothing from an
 *   LLC; the migration unit stands in for its copies with ghost copies
 *   (arch/options/migration.c); doc/run.md says what that approximates.
 */
#ifndef ARCH_SAMPLE_H
#define ARCH_SAMPLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

uint32_t arch_sample_roles(uint32_t n_steps, uint32_t k, uint32_t warmup, uint8_t *role);

/* Whether m layers per step (sim.sample_layers) leave some of n_layers out. */
bool arch_sample_some_layers(uint32_t m, uint32_t n_layers);

/* role[0..n_steps] from arch_sample_roles (skipped steps that warm-ups
 * need become warm); on[(n_steps + 1) x n_layers]. */
uint64_t arch_sample_layers(uint32_t n_steps, uint32_t n_layers, uint32_t m, uint32_t warmup, uint8_t *role,
                            uint8_t *on);

typedef struct arch_sample_estimate_out {
    double throughput;        /* tokens per tick */
    double decode_ticks;      /* estimated decode time of all N steps */
    double ci95_rel;          /* half-width / estimate; 0 when exact, NaN when k < 2 */
} arch_sample_estimate_out;

/* unit_ticks[k], unit_tokens[k] of the measured units (steps, or
 * (step, layer) pairs under layer sampling) out of n_units; total_tokens
 * of all N decode steps; sampled: whether the run was sampled (k < n_units). */
void arch_sample_estimate(const double *unit_ticks, const double *unit_tokens, size_t k, uint64_t n_units,
                          double total_tokens, int sampled, arch_sample_estimate_out *out);

#endif
