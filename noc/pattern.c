/* noc/pattern.c — the synthetic traffic patterns and their registry;
 * contract in noc/pattern.h. */
#include "noc/pattern.h"

#include <gsl/gsl_randist.h>
#include <stdlib.h>
#include <string.h>

#include "core/rng.h"
#include "core/xalloc.h"
#include "noc/pattern_list.h"

static int bits_of(int n)
{
    int b = 0;
    while ((1 << b) < n)
        b++;
    return b;
}

static int pick_uniform(const noc_pattern_ctx *c, int src, gsl_rng *r)
{
    if (!c->exclude_self || c->n == 1)
        return (int)gsl_rng_uniform_int(r, (unsigned long)c->n);
    int d = (int)gsl_rng_uniform_int(r, (unsigned long)(c->n - 1));
    return d >= src ? d + 1 : d;
}

static int dest_uniform(const noc_pattern_ctx *c, int src, gsl_rng *r) { return pick_uniform(c, src, r); }

static int dest_transpose(const noc_pattern_ctx *c, int src, gsl_rng *r)
{
    (void)r;
    int x = src % c->kx, y = src / c->kx;
    return x * c->kx + y;
}

static int dest_bit_complement(const noc_pattern_ctx *c, int src, gsl_rng *r)
{
    (void)r;
    int x = src % c->kx, y = src / c->kx;
    return (c->ky - 1 - y) * c->kx + (c->kx - 1 - x);
}

static int dest_bit_reverse(const noc_pattern_ctx *c, int src, gsl_rng *r)
{
    (void)r;
    int b = bits_of(c->n), d = 0;
    for (int i = 0; i < b; i++)
        if (src & (1 << i))
            d |= 1 << (b - 1 - i);
    return d;
}

static int dest_shuffle(const noc_pattern_ctx *c, int src, gsl_rng *r)
{
    (void)r;
    int b = bits_of(c->n);
    if (b == 0)
        return src;
    return ((src << 1) | (src >> (b - 1))) & (c->n - 1);
}

static int dest_tornado(const noc_pattern_ctx *c, int src, gsl_rng *r)
{
    (void)r;
    int x = src % c->kx, y = src / c->kx;
    int dx = (x + (c->kx + 1) / 2 - 1) % c->kx, dy = (y + (c->ky + 1) / 2 - 1) % c->ky;
    return dy * c->kx + dx;
}

static int dest_neighbor(const noc_pattern_ctx *c, int src, gsl_rng *r)
{
    (void)r;
    int x = src % c->kx, y = src / c->kx;
    return ((y + 1) % c->ky) * c->kx + (x + 1) % c->kx;
}

static int dest_hotspot(const noc_pattern_ctx *c, int src, gsl_rng *r)
{
    if (c->n_hot && gsl_rng_uniform(r) < c->hot_fraction)
        return (int)c->hot[gsl_rng_uniform_int(r, (unsigned long)c->n_hot)];
    return pick_uniform(c, src, r);
}

static int dest_permutation(const noc_pattern_ctx *c, int src, gsl_rng *r)
{
    (void)r;
    return c->perm[src];
}

#define NOC_PATTERN_ROW(SUFFIX, name, summary) { #name, summary, dest_##name },
const noc_pattern noc_pattern_registry[] = { NOC_PATTERN_LIST(NOC_PATTERN_ROW) };
const size_t noc_pattern_count = sizeof noc_pattern_registry / sizeof noc_pattern_registry[0];

const noc_pattern *noc_pattern_find(const char *name)
{
    for (size_t i = 0; i < noc_pattern_count; i++)
        if (!strcmp(noc_pattern_registry[i].name, name))
            return &noc_pattern_registry[i];
    return NULL;
}

const char *noc_pattern_unsupported(const noc_pattern *p, int kx, int ky)
{
    int n = kx * ky;
    if (p->dest == dest_transpose && kx != ky)
        return "transpose needs a square mesh (hw.grid.x == hw.grid.y)";
    if ((p->dest == dest_bit_reverse || p->dest == dest_shuffle) && (n & (n - 1)))
        return "this pattern needs a node count that is a power of two";
    return NULL;
}

void noc_pattern_ctx_init(noc_pattern_ctx *c, const noc_pattern *p, int kx, int ky, uint64_t seed)
{
    memset(c, 0, sizeof *c);
    c->kx = kx;
    c->ky = ky;
    c->n = kx * ky;
    if (p->dest == dest_permutation) {
        c->perm = ws_xmalloc((size_t)c->n * sizeof *c->perm);
        for (int i = 0; i < c->n; i++)
            c->perm[i] = i;
        gsl_rng *r = ws_rng_stream(seed, "noc.traffic.permutation");
        gsl_ran_shuffle(r, c->perm, (size_t)c->n, sizeof *c->perm);
        gsl_rng_free(r);
    }
}

void noc_pattern_ctx_free(noc_pattern_ctx *c)
{
    free(c->perm);
    c->perm = NULL;
}
