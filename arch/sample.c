/* arch/sample.c — systematic sampling of decode steps and the ratio
 * estimate of the whole run (contract in arch/sample.h). */
#include "arch/sample.h"

#include <math.h>
#include <stdbool.h>
#include <string.h>
#include <gsl/gsl_cdf.h>

#include "arch/exec.h"

uint32_t arch_sample_roles(uint32_t n_steps, uint32_t k, uint32_t warmup, uint8_t *role)
{
    role[0] = ARCH_ITER_WARM;
    if (k == 0 || k >= n_steps) {
        for (uint32_t i = 1; i <= n_steps; i++)
            role[i] = ARCH_ITER_MEASURED;
        return n_steps;
    }
    for (uint32_t i = 1; i <= n_steps; i++)
        role[i] = ARCH_ITER_SKIP;
    for (uint32_t j = 0; j < k; j++) {
        /* 1 + floor((j + 1/2) N / k), in integers */
        uint32_t s = 1 + (uint32_t)(((uint64_t)(2 * j + 1) * n_steps) / (2 * (uint64_t)k));
        role[s] = ARCH_ITER_MEASURED;
        for (uint32_t w = 1; w <= warmup && w < s; w++)
            if (role[s - w] == ARCH_ITER_SKIP)
                role[s - w] = ARCH_ITER_WARM;
    }
    uint32_t simulated = 0;
    for (uint32_t i = 1; i <= n_steps; i++)
        simulated += role[i] != ARCH_ITER_SKIP;
    if (simulated == n_steps)   /* warm-ups fill every gap: measure them all, exactly */
        for (uint32_t i = 1; i <= n_steps; i++)
            role[i] = ARCH_ITER_MEASURED;
    return simulated;
}

bool arch_sample_some_layers(uint32_t m, uint32_t n_layers) { return m > 0 && m < n_layers; }

uint64_t arch_sample_layers(uint32_t n_steps, uint32_t n_layers, uint32_t m, uint32_t warmup, uint8_t *role,
                            uint8_t *on)
{
    bool all = !arch_sample_some_layers(m, n_layers);
    uint64_t k = 0, simulated = 0;
    for (uint32_t i = 1; i <= n_steps; i++)
        k += role[i] == ARCH_ITER_MEASURED;
    memset(on, ARCH_UNIT_OFF, ((size_t)n_steps + 1) * n_layers);
    memset(on, ARCH_UNIT_WARM, n_layers);   /* the prefill */
    uint64_t q = 0;
    for (uint32_t i = 1; i <= n_steps; i++) {
        if (role[i] != ARCH_ITER_MEASURED)
            continue;
        uint8_t *row = &on[(size_t)i * n_layers];
        if (all)
            memset(row, ARCH_UNIT_MEASURED, n_layers);
        else
            for (uint64_t c = 0; c < m; c++)   /* floor((c k + q + 1/2) L / (m k)), in integers */
                row[((2 * (c * k + q) + 1) * n_layers) / (2 * (uint64_t)m * k)] = ARCH_UNIT_MEASURED;
        q++;
    }
    /* warm-ups unit by unit: the `warmup` steps before a measured unit run
       its layer unmeasured where they do not measure it */
    for (uint32_t i = 2; i <= n_steps; i++)
        for (uint32_t l = 0; l < n_layers; l++) {
            if (on[(size_t)i * n_layers + l] != ARCH_UNIT_MEASURED)
                continue;
            for (uint32_t w = 1; w <= warmup && w < i; w++) {
                uint8_t *u = &on[(size_t)(i - w) * n_layers + l];
                if (*u == ARCH_UNIT_OFF) {
                    *u = ARCH_UNIT_WARM;
                    if (role[i - w] == ARCH_ITER_SKIP)
                        role[i - w] = ARCH_ITER_WARM;
                }
            }
        }
    for (size_t u = n_layers; u < ((size_t)n_steps + 1) * n_layers; u++)
        simulated += on[u] != ARCH_UNIT_OFF;
    return simulated;
}

void arch_sample_estimate(const double *step_ticks, const double *step_tokens, size_t k, uint64_t n_steps,
                          double total_tokens, int sampled, arch_sample_estimate_out *out)
{
    double sum_t = 0, sum_n = 0;
    for (size_t j = 0; j < k; j++) {
        sum_t += step_ticks[j];
        sum_n += step_tokens[j];
    }
    out->throughput = sum_t > 0 ? sum_n / sum_t : 0;
    out->decode_ticks = out->throughput > 0 ? total_tokens / out->throughput : 0;
    if (!sampled) {
        out->ci95_rel = 0;
        return;
    }
    if (k < 2 || !(out->throughput > 0)) {
        out->ci95_rel = NAN;
        return;
    }
    double ss = 0;
    for (size_t j = 0; j < k; j++) {
        double d = step_tokens[j] - out->throughput * step_ticks[j];
        ss += d * d;
    }
    double s2 = ss / (double)(k - 1), mean_t = sum_t / (double)k;
    double fpc = 1.0 - (double)k / (double)n_steps;
    double se_r = sqrt(fpc / (double)k * s2) / mean_t;   /* standard error of R */
    out->ci95_rel = gsl_cdf_tdist_Pinv(0.975, (double)(k - 1)) * se_r / out->throughput;
}
