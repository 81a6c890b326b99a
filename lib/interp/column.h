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

/* Weights of the m targets xt against the n increasing points xs, written to
 * out[k * ostep] for k < m: a merge walk for sorted targets, a binary search
 * otherwise. */
void column_weights(const column_rule *rule, const double *xs, int64_t n, const double *xt,
                    int64_t m, target_order order, seg *out, int64_t ostep);

#endif
