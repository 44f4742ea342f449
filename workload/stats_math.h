/* workload/stats_math.h — the elementary statistics behind `trace stats`,
 * on plain arrays of counts (pure functions, no allocation visible to the
 * caller; GSL does the sorting and the rank correlation).
 *
 * Contract (x, a, b: n >= 1 non-negative counts; results are NAN when
 * undefined, e.g. all counts zero)
 *   wl_gini(x, n)            Gini coefficient of the counts: with x sorted
 *                            ascending, sum_i (2i - n - 1) x_(i) / (n sum x),
 *                            i = 1..n. 0 = all equal; (n-1)/n = one holds all.
 *   wl_top_share(x, n, f)    share of the total held by the ceil(f * n)
 *                            largest counts (f in (0, 1]).
 *   wl_sorted_cdf(x, n, out) out[r] = share of the total held by the r+1
 *                            largest counts (r = 0..n-1), the conditional
 *                            CDF of `trace stats --cdf`.
 *   wl_spearman(a, b, n)     Spearman rank correlation (ties get their mean
 *                            rank: gsl_stats_spearman); NAN if either side
 *                            is constant.
 *   wl_topn_overlap(a, b, n, N)  |top-N(a) & top-N(b)| / N, where top-N takes
 *                            the N largest counts, ties broken by the lower
 *                            index; N is clamped to n.
 */
#ifndef WL_STATS_MATH_H
#define WL_STATS_MATH_H

#include <stddef.h>

double wl_gini(const double *x, size_t n);
double wl_top_share(const double *x, size_t n, double fraction);
void wl_sorted_cdf(const double *x, size_t n, double *out);
double wl_spearman(const double *a, const double *b, size_t n);
double wl_topn_overlap(const double *a, const double *b, size_t n, size_t top_n);

#endif
