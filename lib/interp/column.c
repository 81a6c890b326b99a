/* Weights of one column against an increasing source grid: the interval of
 * each target, then the method and the out-of-range policy, encoded straight
 * into the weights (src, w) as each target is passed. */
#include <math.h>

#include "../mat/kind_interp.h"
#include "column.h"

target_order column_target_order(const double *xt, int64_t m) {
    bool up = true, down = true;
    for (int64_t k = 1; k < m && (up || down); k++) {
        if (xt[k] < xt[k - 1]) up = false;
        if (xt[k] > xt[k - 1]) down = false;
    }
    return up ? TARGETS_UP : down ? TARGETS_DOWN : TARGETS_UNSORTED;
}

static inline double at(const column_src *x, int64_t t) { return x->logx ? log(x->xs[t]) : x->xs[t]; }

static inline seg one(int64_t t) { return (seg){(int32_t)t, SEG_ONE, 1.0}; }
static seg none(double value) { return (seg){-1, SEG_NONE, value}; }

/* Two points t, t+1 with weight 1 - r on t; r of exactly 0 or 1 is one point,
 * so a NaN in the unused neighbour never reaches the output. */
static inline seg two(int64_t t, double r) {
    if (r == 0.0) return one(t);
    if (r == 1.0) return one(t + 1);
    return (seg){(int32_t)t, SEG_TWO, 1.0 - r};
}

/* Target v outside the grid; `high` says on which side. */
static seg outside(const column_rule *rule, const column_src *x, double v, bool high) {
    int64_t n = x->n, edge = high ? n - 1 : 0;
    switch (rule->extrapolate) {
    case SF_EXTRAP_NAN: return none(NAN);
    case SF_EXTRAP_CONSTANT: return none(rule->fill);
    case SF_EXTRAP_LINEAR: {
        int64_t t = high ? n - 2 : 0;
        if (n < 2 || at(x, t + 1) == at(x, t)) return one(edge); /* no slope: flat */
        return two(t, (v - at(x, t)) / (at(x, t + 1) - at(x, t)));
    }
    default: return one(edge);
    }
}

/* Target v with x[t] <= v, t the last such point (t = -1: below the grid). */
static inline seg inside(const column_rule *rule, const column_src *x, double v, int64_t t) {
    if (t < 0) return outside(rule, x, v, false);
    double lo = at(x, t);
    if (v == lo) return one(t); /* the last of equal points wins */
    if (t == x->n - 1) return outside(rule, x, v, true);
    double hi = at(x, t + 1);
    if (rule->method == SF_INTERP_NEAREST) return one(hi - v < v - lo ? t + 1 : t);
    double r = (v - lo) / (hi - lo);
    return two(t, r < 1.0 ? r : 1.0);
}

/* Last t with x[t] <= v, or -1. */
static int64_t last_at_most(const column_src *x, double v) {
    int64_t lo = 0, hi = x->n; /* answer + 1 in [lo, hi] */
    while (lo < hi) {
        int64_t mid = lo + (hi - lo) / 2;
        if (at(x, mid) <= v) lo = mid + 1;
        else hi = mid;
    }
    return lo - 1;
}

/* Segment s as output k: on a falling grid logical point t is stored at
 * n-1-t, and the pair (t, t+1) starts one point lower with the weights
 * swapped.  Returns the entries written (0, 1 or 2). */
static inline int64_t put(const column_out *o, int64_t n, int64_t k, seg s) {
    int64_t t = s.t, q = k * o->ostep;
    if (s.type == SEG_NONE) {
        o->src[q] = SF_INTERP_NONE, o->w[q] = s.w;
        return 0;
    }
    if (s.type == SEG_ONE) {
        o->src[q] = SF_INTERP_ONE(o->base + (o->falling ? n - 1 - t : t) * o->stride);
        o->w[q] = s.w;
        return 1;
    }
    double w = s.w;
    if (o->falling) t = n - 2 - t, w = 1.0 - s.w;
    o->src[q] = (int32_t)(o->base + t * o->stride), o->w[q] = w;
    return 2;
}

/* Targets in increasing order: the walk (comparing xs with xr), with the
 * common case (strictly inside an interval, linear or log) encoded inline and
 * the rest by put.  The coordinates of the interval's ends are kept while
 * the walk stays in it or moves to the next one, so with logx each point
 * used costs one log. */
static int64_t walk_up(const column_rule *rule, const column_src *x, const double *xt,
                       const double *xr, int64_t m, const column_out *o) {
    const double *xs = x->xs;
    int64_t nnz = 0, n = x->n, t = -1, tc = -3; /* lo, hi are at(tc), at(tc + 1) */
    double lo = 0, hi = 0;
    bool lin = rule->method != SF_INTERP_NEAREST;
    int32_t *ps = o->src;
    double *pw = o->w;
    for (int64_t k = 0; k < m; k++, ps += o->ostep, pw += o->ostep) {
        double v = xt[k];
        while (xs[t + 1] <= xr[k]) t++; /* the NaN sentinel xs[n] stops it */
        if (lin && t >= 0 && t < n - 1) {
            if (t != tc) lo = t == tc + 1 ? hi : at(x, t), hi = at(x, t + 1), tc = t;
            double r = (v - lo) / (hi - lo);
            if (r > 0.0 && r < 1.0) { /* else a single point: see two() */
                int64_t s = o->falling ? n - 2 - t : t;
                *ps = (int32_t)(o->base + s * o->stride);
                double w = 1.0 - r;
                *pw = o->falling ? 1.0 - w : w; /* the same bits as put() */
                nnz += 2;
                continue;
            }
        }
        nnz += put(o, n, k, inside(rule, x, v, t));
    }
    return nnz;
}

int64_t column_weights(const column_rule *rule, const column_src *x, const double *xt,
                       const double *xr, int64_t m, target_order order, const column_out *out) {
    if (order == TARGETS_UP) return walk_up(rule, x, xt, x->logx ? xr : xt, m, out);
    int64_t nnz = 0, n = x->n;
    if (order == TARGETS_UNSORTED) {
        for (int64_t k = 0; k < m; k++)
            nnz += put(out, n, k, inside(rule, x, xt[k], last_at_most(x, xt[k])));
        return nnz;
    }
    int64_t t = -1;
    for (int64_t k = m - 1; k >= 0; k--) {
        while (t + 1 < n && at(x, t + 1) <= xt[k]) t++;
        nnz += put(out, n, k, inside(rule, x, xt[k], t));
    }
    return nnz;
}
