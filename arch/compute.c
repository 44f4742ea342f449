/* arch/compute.c — GEMM time (table or roofline) and chunked overlap;
 * contract in arch/compute.h. */
#include "arch/compute.h"

#include <gsl/gsl_interp.h>
#include <math.h>
#include <stdlib.h>

#include "core/config.h"
#include "core/xalloc.h"

struct arch_compute {
    arch_compute_params p;
    double *tokens, *eff;       /* owned copies of the table */
    gsl_interp *interp;
    gsl_interp_accel *accel;    /* lookup cache; only speeds up searches */
};

const char *arch_compute_check(const arch_compute_params *p)
{
    if (!(p->peak_flops_per_tick > 0))
        return "the peak FLOP rate must be positive";
    if (!(p->hbm_bytes_per_tick > 0))
        return "the HBM bandwidth must be positive";
    for (size_t i = 0; i < p->n_table; i++) {
        if (!(p->table_efficiency[i] > 0 && p->table_efficiency[i] <= 1))
            return "every efficiency must lie in (0, 1]";
        if (!(p->table_tokens[i] >= 1))
            return "token counts in the efficiency table must be >= 1";
        if (i && !(p->table_tokens[i] > p->table_tokens[i - 1]))
            return "token counts in the efficiency table must be strictly ascending";
    }
    return NULL;
}

void arch_compute_params_from_config(const ws_config *cfg, arch_compute_params *out, double *tokens,
                                     double *efficiency)
{
    const ws_clist *l = &cfg->hw.tile.compute.efficiency;
    const ws_efficiency_point *pt = l->items;
    for (size_t i = 0; i < l->n; i++) {
        tokens[i] = (double)pt[i].tokens;
        efficiency[i] = pt[i].efficiency;
    }
    out->peak_flops_per_tick = cfg->hw.tile.peak_flops / cfg->sim.clock_hz;
    out->hbm_bytes_per_tick = ws_config_bytes_per_tick(cfg, cfg->hw.tile.hbm.bandwidth_bytes_per_s);
    out->table_tokens = tokens;
    out->table_efficiency = efficiency;
    out->n_table = l->n;
}

arch_compute *arch_compute_new(const arch_compute_params *p)
{
    if (arch_compute_check(p))
        return NULL;
    arch_compute *c = ws_xcalloc(1, sizeof *c);
    c->p = *p;
    if (p->n_table) {
        c->tokens = ws_xmalloc(p->n_table * sizeof *c->tokens);
        c->eff = ws_xmalloc(p->n_table * sizeof *c->eff);
        for (size_t i = 0; i < p->n_table; i++) {
            c->tokens[i] = p->table_tokens[i];
            c->eff[i] = p->table_efficiency[i];
        }
        c->p.table_tokens = c->tokens;
        c->p.table_efficiency = c->eff;
        if (p->n_table >= 2) {
            c->interp = gsl_interp_alloc(gsl_interp_linear, p->n_table);
            gsl_interp_init(c->interp, c->tokens, c->eff, p->n_table);
            c->accel = gsl_interp_accel_alloc();
        }
    }
    return c;
}

void arch_compute_free(arch_compute *c)
{
    if (!c)
        return;
    if (c->interp)
        gsl_interp_free(c->interp);
    if (c->accel)
        gsl_interp_accel_free(c->accel);
    free(c->tokens);
    free(c->eff);
    free(c);
}

double arch_gemm_flops(uint64_t tokens, uint64_t hidden, uint64_t ffn)
{
    return 2.0 * (double)tokens * (double)hidden * (double)ffn;
}

double arch_gemm_bytes(uint64_t tokens, uint64_t hidden, uint64_t ffn, double dtype_bytes)
{
    return ((double)hidden * (double)ffn + (double)tokens * (double)(hidden + ffn)) * dtype_bytes;
}

double arch_compute_efficiency(const arch_compute *c, uint64_t tokens, uint64_t hidden, uint64_t ffn,
                               double dtype_bytes)
{
    size_t n = c->p.n_table;
    if (n) {
        double x = (double)tokens;
        if (x <= c->tokens[0])
            return c->eff[0];
        if (x >= c->tokens[n - 1])
            return c->eff[n - 1];
        return gsl_interp_eval(c->interp, c->tokens, c->eff, x, c->accel);
    }
    double intensity = arch_gemm_flops(tokens, hidden, ffn) / arch_gemm_bytes(tokens, hidden, ffn, dtype_bytes);
    double e = intensity * c->p.hbm_bytes_per_tick / c->p.peak_flops_per_tick;
    return e < 1 ? e : 1;
}

double arch_compute_gemm_ticks(const arch_compute *c, uint64_t tokens, uint64_t hidden, uint64_t ffn,
                               double dtype_bytes)
{
    if (tokens == 0)
        return 0;
    return arch_gemm_flops(tokens, hidden, ffn) /
           (c->p.peak_flops_per_tick * arch_compute_efficiency(c, tokens, hidden, ffn, dtype_bytes));
}

void arch_gemm_begin(arch_gemm *g, arch_overlap mode, double task_ticks, ws_tick start)
{
    g->mode = mode;
    g->task_ticks = task_ticks;
    g->done_at = (double)start;
    g->last_arrival = (double)start;
    g->fraction_seen = 0;
}

void arch_gemm_chunk(arch_gemm *g, ws_tick arrival, double fraction)
{
    double t = (double)arrival;
    if (t > g->last_arrival)
        g->last_arrival = t;
    g->fraction_seen += fraction;
    if (g->mode == ARCH_OVERLAP_PIPELINED)
        g->done_at = (g->done_at > t ? g->done_at : t) + fraction * g->task_ticks;
}

ws_tick arch_gemm_finish(const arch_gemm *g)
{
    double end = g->mode == ARCH_OVERLAP_SERIAL ? g->last_arrival + g->task_ticks : g->done_at;
    return (ws_tick)ceil(end - 1e-6);
}
