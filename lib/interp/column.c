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

/* Targets in increasing order, compared as given (xr) with the points xs:
 * those below the grid, those inside it, those at or above its last point,
 * each in a loop of its own.  Inside, the common case (strictly between two
 * points, linear or log) is encoded inline with the output's source index
 * kept as the walk moves, the rest by put.  falling and logx are constants
 * in each copy of this function (walk_up), so the loop tests neither.  With
 * logx the interval's ends are kept while the walk stays in it or moves to
 * the next one: each point used costs one log. */
static inline __attribute__((always_inline)) int64_t
walk_up_as(const column_rule *rule, const column_src *x, const double *xt, const double *xr,
           int64_t m, const column_out *o, bool falling, bool logx) {
    const double *xs = x->xs;
    int64_t nnz = 0, n = x->n, k = 0, t = 0, tc = -3; /* lo, hi are at(tc), at(tc + 1) */
    for (; k < m && xr[k] < xs[0]; k++) nnz += put(o, n, k, inside(rule, x, xt[k], -1));
    int64_t dj = falling ? -o->stride : o->stride, j = o->base + (falling ? n - 2 : 0) * o->stride;
    int64_t os = o->ostep, q = k * os;
    int32_t *ps = o->src;
    double *pw = o->w, lo = 0, hi = 0, top = xs[n - 1];
    for (; k < m; k++, q += os) {
        double v = xt[k], vr = logx ? xr[k] : v;
        if (!(vr < top)) break;
        while (xs[t + 1] <= vr) t++, j += dj; /* stops below top */
        if (!logx) lo = xs[t], hi = xs[t + 1];
        else if (t != tc) lo = t == tc + 1 ? hi : log(xs[t]), hi = log(xs[t + 1]), tc = t;
        double r = (v - lo) / (hi - lo);
        if (r > 0.0 && r < 1.0) { /* else a single point: see two() */
            double w = 1.0 - r;
            ps[q] = (int32_t)j;
            pw[q] = falling ? 1.0 - w : w; /* the same bits as put() */
            nnz += 2;
        } else nnz += put(o, n, k, inside(rule, x, v, t));
    }
    for (; k < m; k++) nnz += put(o, n, k, inside(rule, x, xt[k], n - 1));
    return nnz;
}

/* Linear or log (nearest takes the general loop of column_weights). */
static int64_t walk_up(const column_rule *rule, const column_src *x, const double *xt,
                       const double *xr, int64_t m, const column_out *o) {
    if (o->falling)
        return x->logx ? walk_up_as(rule, x, xt, xr, m, o, true, true)
                       : walk_up_as(rule, x, xt, xr, m, o, true, false);
    return x->logx ? walk_up_as(rule, x, xt, xr, m, o, false, true)
                   : walk_up_as(rule, x, xt, xr, m, o, false, false);
}

int64_t column_weights(const column_rule *rule, const column_src *x, const double *xt,
                       const double *xr, int64_t m, target_order order, const column_out *out) {
    if (order == TARGETS_UP && rule->method != SF_INTERP_NEAREST)
        return walk_up(rule, x, xt, x->logx ? xr : xt, m, out);
    int64_t nnz = 0, n = x->n;
    if (order == TARGETS_UNSORTED) {
        for (int64_t k = 0; k < m; k++)
            nnz += put(out, n, k, inside(rule, x, xt[k], last_at_most(x, xt[k])));
        return nnz;
    }
    int64_t t = -1; /* a walk from the lowest target up */
    for (int64_t i = 0; i < m; i++) {
        int64_t k = order == TARGETS_UP ? i : m - 1 - i;
        while (t + 1 < n && at(x, t + 1) <= xt[k]) t++;
        nnz += put(out, n, k, inside(rule, x, xt[k], t));
    }
    return nnz;
}
