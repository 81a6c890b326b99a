/* Weights of one column against an increasing source grid xs[0..n): the
 * interval of each target, then the method and the out-of-range policy. */
#include <math.h>

#include "column.h"

target_order column_target_order(const double *xt, int64_t m) {
    bool up = true, down = true;
    for (int64_t k = 1; k < m && (up || down); k++) {
        if (xt[k] < xt[k - 1]) up = false;
        if (xt[k] > xt[k - 1]) down = false;
    }
    return up ? TARGETS_UP : down ? TARGETS_DOWN : TARGETS_UNSORTED;
}

static inline seg one(int64_t t) { return (seg){(int32_t)t, SEG_ONE, 1.0}; }
static seg none(double value) { return (seg){-1, SEG_NONE, value}; }

/* Two points t, t+1 with weight 1 - r on t; r of exactly 0 or 1 is one point,
 * so a NaN in the unused neighbour never reaches the output. */
static inline seg two(int64_t t, double r) {
    if (r == 0.0) return one(t);
    if (r == 1.0) return one(t + 1);
    return (seg){(int32_t)t, SEG_TWO, 1.0 - r};
}

/* Target v outside [xs[0], xs[n-1]]; `high` says on which side. */
static seg outside(const column_rule *rule, const double *xs, int64_t n, double v, bool high) {
    int64_t edge = high ? n - 1 : 0;
    switch (rule->extrapolate) {
    case SF_EXTRAP_NAN: return none(NAN);
    case SF_EXTRAP_CONSTANT: return none(rule->fill);
    case SF_EXTRAP_LINEAR: {
        int64_t t = high ? n - 2 : 0;
        if (n < 2 || xs[t + 1] == xs[t]) return one(edge); /* no slope: flat */
        return two(t, (v - xs[t]) / (xs[t + 1] - xs[t]));
    }
    default: return one(edge);
    }
}

/* Target v with xs[t] <= v, t the last such point (t = -1: below the grid). */
static inline seg inside(const column_rule *rule, const double *xs, int64_t n, double v, int64_t t) {
    if (t < 0) return outside(rule, xs, n, v, false);
    if (v == xs[t]) return one(t); /* the last of equal points wins */
    if (t == n - 1) return outside(rule, xs, n, v, true);
    if (rule->method == SF_INTERP_NEAREST) return one(xs[t + 1] - v < v - xs[t] ? t + 1 : t);
    double r = (v - xs[t]) / (xs[t + 1] - xs[t]);
    return two(t, r < 1.0 ? r : 1.0);
}

/* Last t with xs[t] <= v, or -1. */
static int64_t last_at_most(const double *xs, int64_t n, double v) {
    int64_t lo = 0, hi = n; /* answer + 1 in [lo, hi] */
    while (lo < hi) {
        int64_t mid = lo + (hi - lo) / 2;
        if (xs[mid] <= v) lo = mid + 1;
        else hi = mid;
    }
    return lo - 1;
}

void column_weights(const column_rule *rule, const double *xs, int64_t n, const double *xt,
                    int64_t m, target_order order, seg *out, int64_t ostep) {
    if (order == TARGETS_UNSORTED) {
        for (int64_t k = 0; k < m; k++)
            out[k * ostep] = inside(rule, xs, n, xt[k], last_at_most(xs, n, xt[k]));
        return;
    }
    int64_t t = -1;
    for (int64_t q = 0; q < m; q++) {
        int64_t k = order == TARGETS_UP ? q : m - 1 - q;
        while (t + 1 < n && xs[t + 1] <= xt[k]) t++;
        out[k * ostep] = inside(rule, xs, n, xt[k], t);
    }
}
