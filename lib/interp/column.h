/* lib/interp/column.h — weights of one column, in logical indices of the
 * column's source grid sorted increasingly (the builder maps them back to
 * storage positions and flat data indices). */
#ifndef SF_INTERP_COLUMN_H
#define SF_INTERP_COLUMN_H

#include <stdbool.h>
#include <stdint.h>

#include "sparsefirst/interp.h"

/* One output: NONE writes w; ONE is w * f[t]; TWO is w * f[t] + (1-w) * f[t+1]. */
enum { SEG_NONE = 0, SEG_ONE = 1, SEG_TWO = 2 };
typedef struct seg {
    int32_t t;
    int32_t type;
    double w;
} seg;

typedef struct column_rule {
    sf_interp_method method;
    sf_interp_extrap extrapolate;
    double fill;
} column_rule;

/* Order of a target list: increasing, decreasing (both non-strict) or neither. */
typedef enum target_order { TARGETS_UP, TARGETS_DOWN, TARGETS_UNSORTED } target_order;
target_order column_target_order(const double *xt, int64_t m);

/* The n source points of one column, increasing, at xs[0..n), followed by a
 * NaN sentinel xs[n] that stops the merge walk without a bounds test.  With
 * logx the points are stored as given and the method's coordinate is
 * log(xs[t]), taken only for the points an output uses (the walk compares
 * as given: log is increasing). */
typedef struct column_src {
    const double *xs;
    int64_t n;
    bool logx;
} column_src;

/* Where one column's outputs go: output k at src[k * ostep], w[k * ostep];
 * logical source point t is data index base + t * stride, or
 * base + (n-1-t) * stride on a falling grid (sorted by copying reversed). */
typedef struct column_out {
    int32_t *src;
    double *w;
    int64_t ostep, base, stride;
    bool falling;
} column_out;

/* Weights of the m targets xt (in the method's coordinate; xr: as given,
 * compared with the source points when x->logx) against the column's source
 * points, encoded straight into the output (no intermediate pass): a merge
 * walk for sorted targets, a binary search otherwise.  Returns the number of
 * entries. */
int64_t column_weights(const column_rule *rule, const column_src *x, const double *xt,
                       const double *xr, int64_t m, target_order order, const column_out *out);

#endif
