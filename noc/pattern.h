/* noc/pattern.h — synthetic traffic patterns: destination choice per
 * source node, and the registry.
 *
 * Contract
 *   A pattern maps a source node to a destination node on a kx x ky mesh
 *   (node id = y * kx + x). Deterministic patterns ignore the generator;
 *   random ones draw from the source node's own stream `r` (so a node's
 *   destinations depend only on the master seed and the node). The
 *   permutation pattern's table is drawn once, at noc_pattern_ctx_init(),
 *   from the stream "noc.traffic.permutation".
 *
 *   noc_pattern_registry has one row per line of noc/pattern_list.h, in
 *   that order (index = config enum value of traffic.pattern).
 *   noc_pattern_unsupported() returns NULL when the pattern is defined on
 *   the mesh, or a sentence saying why not (e.g. transpose needs kx == ky).
 */
#ifndef NOC_PATTERN_H
#define NOC_PATTERN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <gsl/gsl_rng.h>

typedef struct noc_pattern_ctx {
    int kx, ky, n;
    bool exclude_self;          /* uniform and hotspot's uniform part */
    const int64_t *hot;         /* hotspot nodes */
    size_t n_hot;
    double hot_fraction;
    int *perm;                  /* permutation table (owned), or NULL */
} noc_pattern_ctx;

typedef struct noc_pattern {
    const char *name;
    const char *summary;
    int (*dest)(const noc_pattern_ctx *c, int src, gsl_rng *r);
} noc_pattern;

extern const noc_pattern noc_pattern_registry[];
extern const size_t noc_pattern_count;

const noc_pattern *noc_pattern_find(const char *name);
const char *noc_pattern_unsupported(const noc_pattern *p, int kx, int ky);

void noc_pattern_ctx_init(noc_pattern_ctx *c, const noc_pattern *p, int kx, int ky, uint64_t seed);
void noc_pattern_ctx_free(noc_pattern_ctx *c);

#endif
