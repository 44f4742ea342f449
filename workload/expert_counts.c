/* workload/expert_counts.c — per-layer expert and pair pick counts;
 * contract in workload/expert_counts.h. */
#include "workload/expert_counts.h"

#include <stdlib.h>
#include <string.h>

#include "core/xalloc.h"

void wl_counts_init(wl_counts *c, uint32_t n_moe, uint32_t n_experts, uint32_t top_k, bool pairs)
{
    memset(c, 0, sizeof *c);
    c->n_moe = n_moe;
    c->n_experts = n_experts;
    c->top_k = top_k;
    size_t ME = (size_t)n_moe * n_experts;
    c->freq = ws_xcalloc(ME ? ME : 1, sizeof *c->freq);
    if (pairs)
        c->pairs = ws_xcalloc(ME ? ME * n_experts : 1, sizeof *c->pairs);
}

void wl_counts_add(wl_counts *c, const wl_request *r, uint32_t first, uint32_t end)
{
    uint32_t k = c->top_k, E = c->n_experts, n = wl_request_tokens(r);
    end = end < n ? end : n;
    for (uint32_t t = first; t < end; t++)
        for (uint32_t m = 0; m < c->n_moe; m++) {
            const uint16_t *s = wl_request_route(r, t, m);
            for (uint32_t x = 0; x < k; x++) {
                c->freq[(size_t)m * E + s[x]] += 1;
                if (!c->pairs)
                    continue;
                uint32_t *pm = c->pairs + (size_t)m * E * E;
                for (uint32_t y = x + 1; y < k; y++) {
                    uint32_t lo = s[x] < s[y] ? s[x] : s[y], hi = s[x] < s[y] ? s[y] : s[x];
                    pm[(size_t)lo * E + hi]++;
                }
            }
        }
    c->tokens += end > first ? end - first : 0;
    c->requests++;
}

uint32_t wl_counts_pair(const wl_counts *c, uint32_t m, uint32_t a, uint32_t b)
{
    if (a == b || !c->pairs)
        return 0;
    uint32_t lo = a < b ? a : b, hi = a < b ? b : a;
    return c->pairs[((size_t)m * c->n_experts + lo) * c->n_experts + hi];
}

void wl_counts_free(wl_counts *c)
{
    free(c->freq);
    free(c->pairs);
    memset(c, 0, sizeof *c);
}
