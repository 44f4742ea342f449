/* workload/stats_math.c — elementary statistics on count arrays; contract
 * in workload/stats_math.h. */
#include "workload/stats_math.h"

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>

#include "core/xalloc.h"

static double *sorted_copy(const double *x, size_t n)
{
    double *s = ws_xmalloc(n * sizeof *s);
    memcpy(s, x, n * sizeof *s);
    gsl_sort(s, 1, n);
    return s;
}

static double total(const double *x, size_t n)
{
    double t = 0;
    for (size_t i = 0; i < n; i++)
        t += x[i];
    return t;
}

double wl_gini(const double *x, size_t n)
{
    double t = total(x, n);
    if (n == 0 || !(t > 0))
        return NAN;
    double *s = sorted_copy(x, n), acc = 0;
    for (size_t i = 0; i < n; i++)
        acc += (2.0 * (double)(i + 1) - (double)n - 1.0) * s[i];
    free(s);
    return acc / ((double)n * t);
}

double wl_top_share(const double *x, size_t n, double fraction)
{
    double t = total(x, n);
    if (n == 0 || !(t > 0))
        return NAN;
    size_t k = (size_t)ceil(fraction * (double)n - 1e-9);
    k = k < 1 ? 1 : k > n ? n : k;
    double *s = sorted_copy(x, n), top = 0;
    for (size_t i = 0; i < k; i++)
        top += s[n - 1 - i];
    free(s);
    return top / t;
}

void wl_sorted_cdf(const double *x, size_t n, double *out)
{
    double t = total(x, n);
    double *s = sorted_copy(x, n), acc = 0;
    for (size_t r = 0; r < n; r++) {
        acc += s[n - 1 - r];
        out[r] = t > 0 ? acc / t : NAN;
    }
    free(s);
}

static bool constant(const double *x, size_t n)
{
    for (size_t i = 1; i < n; i++)
        if (x[i] != x[0])
            return false;
    return true;
}

double wl_spearman(const double *a, const double *b, size_t n)
{
    if (n < 2 || constant(a, n) || constant(b, n))
        return NAN;
    double *work = ws_xmalloc(2 * n * sizeof *work);
    double r = gsl_stats_spearman(a, 1, b, 1, n, work);
    free(work);
    return r;
}

/* Marks the top_n largest of x (ties: lower index first). */
static void mark_top(const double *x, size_t n, size_t top_n, unsigned char *mark)
{
    /* selection (N is at most 20 in practice): value desc, index asc */
    memset(mark, 0, n);
    for (size_t k = 0; k < top_n; k++) {
        size_t best = n;
        for (size_t i = 0; i < n; i++)
            if (!mark[i] && (best == n || x[i] > x[best]))
                best = i;
        mark[best] = 1;
    }
}

double wl_topn_overlap(const double *a, const double *b, size_t n, size_t top_n)
{
    if (n == 0 || top_n == 0)
        return NAN;
    top_n = top_n > n ? n : top_n;
    unsigned char *ma = ws_xmalloc(n), *mb = ws_xmalloc(n);
    mark_top(a, n, top_n, ma);
    mark_top(b, n, top_n, mb);
    size_t both = 0;
    for (size_t i = 0; i < n; i++)
        both += ma[i] && mb[i];
    free(ma);
    free(mb);
    return (double)both / (double)top_n;
}
