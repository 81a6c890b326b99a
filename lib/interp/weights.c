/* sf_interp_weights: check the coordinates, walk every column once, and store
 * one source index and one weight per output value.
 *
 * The data is seen as (pre, n, post): a column is (a, c) with a < pre and
 * c < post, its source point k at a*n*post + k*post + c.  Columns are
 * independent, so they are built in parallel; a bad column is found in the
 * parallel pass and described by re-reading it alone, so the message names
 * the first bad column whatever the thread count. */
#include <math.h>
#include <omp.h>

#include "../mat/kind_interp.h"
#include "column.h"

typedef struct grid {
    const double *x;
    bool shared;         /* one 1-D grid for every column */
} grid;

typedef struct plan {
    grid src, dst;
    int64_t pre, n, m, post;
    column_rule rule;
} plan;

/* Why a column is bad, and where. */
typedef enum col_fault {
    FAULT_NONE = 0, FAULT_SRC_NAN, FAULT_SRC_LOG, FAULT_NOT_MONOTONIC, FAULT_DST_NAN, FAULT_DST_LOG
} col_fault;
typedef struct col_check {
    col_fault fault;
    int64_t pos;
} col_check;

static double coord(const plan *pl, double v) { return pl->rule.method == SF_INTERP_LOG ? log(v) : v; }

static const double *column_start(const grid *g, const plan *pl, int64_t len, int64_t col,
                                  int64_t *stride) {
    *stride = g->shared ? 1 : pl->post;
    if (g->shared) return g->x;
    return g->x + (col / pl->post) * len * pl->post + col % pl->post;
}

/* Copy the column's source grid into xs, increasing (reversed if it falls),
 * in the method's coordinate.  Sets *falling. */
static col_check load_source(const plan *pl, int64_t col, double *xs, bool *falling) {
    int64_t s, n = pl->n;
    const double *x = column_start(&pl->src, pl, n, col, &s);
    *falling = x[(n - 1) * s] < x[0];
    for (int64_t k = 0; k < n; k++) {
        double v = x[k * s];
        if (isnan(v)) return (col_check){FAULT_SRC_NAN, k};
        if (pl->rule.method == SF_INTERP_LOG && !(v > 0)) return (col_check){FAULT_SRC_LOG, k};
        if (k > 0 && (*falling ? v > x[(k - 1) * s] : v < x[(k - 1) * s]))
            return (col_check){FAULT_NOT_MONOTONIC, k};
        xs[*falling ? n - 1 - k : k] = coord(pl, v);
    }
    return (col_check){FAULT_NONE, 0};
}

static col_check load_targets(const plan *pl, int64_t col, double *xt) {
    int64_t s;
    const double *x = column_start(&pl->dst, pl, pl->m, col, &s);
    for (int64_t k = 0; k < pl->m; k++) {
        double v = x[k * s];
        if (isnan(v)) return (col_check){FAULT_DST_NAN, k};
        if (pl->rule.method == SF_INTERP_LOG && !(v > 0)) return (col_check){FAULT_DST_LOG, k};
        xt[k] = coord(pl, v);
    }
    return (col_check){FAULT_NONE, 0};
}

/* Per-thread scratch: xs[n], xt[m], seg[m]. */
typedef struct scratch {
    double *xs, *xt;
    seg *sg;
} scratch;

/* Weights of column col in logical indices; *falling for the mapping back. */
static col_check column_segs(const plan *pl, int64_t col, scratch *sc, bool *falling) {
    col_check ck = load_source(pl, col, sc->xs, falling);
    if (ck.fault == FAULT_NONE) ck = load_targets(pl, col, sc->xt);
    if (ck.fault == FAULT_NONE)
        column_weights(&pl->rule, sc->xs, pl->n, sc->xt, pl->m,
                       column_target_order(sc->xt, pl->m), sc->sg);
    return ck;
}

/* Store the column's weights: logical point t is storage position t, or
 * n-1-t for a falling grid, where the pair (t, t+1) starts one point lower. */
static void emit(const plan *pl, int64_t col, bool falling, const seg *sg, sf_interp_w *p) {
    int64_t a = col / pl->post, c = col % pl->post, post = pl->post;
    int64_t src0 = a * pl->n * post + c, out0 = a * pl->m * post + c;
    for (int64_t k = 0; k < pl->m; k++) {
        int64_t i = out0 + k * post, t = sg[k].t;
        double w = sg[k].w;
        if (sg[k].type == SEG_NONE) {
            p->src[i] = SF_INTERP_NONE;
        } else if (sg[k].type == SEG_ONE) {
            p->src[i] = SF_INTERP_ONE(src0 + (falling ? pl->n - 1 - t : t) * post);
        } else {
            if (falling) t = pl->n - 2 - t, w = 1.0 - w;
            p->src[i] = (int32_t)(src0 + t * post);
        }
        p->w[i] = w;
    }
}

static int64_t columns_of(const plan *pl) { return pl->pre * pl->post; }

/* Every column with its own walk; returns the first bad column or -1. */
static int64_t build_columns(const plan *pl, scratch *sc, int threads, sf_interp_w *p) {
    int64_t ncol = columns_of(pl), first_bad = ncol;
    bool shared = pl->src.shared && pl->dst.shared;
#pragma omp parallel num_threads(threads) reduction(min : first_bad)
    {
        scratch *mine = &sc[omp_get_thread_num()];
        bool falling = false, ok = true;
        if (shared) ok = column_segs(pl, 0, mine, &falling).fault == FAULT_NONE;
#pragma omp for schedule(static)
        for (int64_t col = 0; col < ncol; col++) {
            if (!shared) ok = column_segs(pl, col, mine, &falling).fault == FAULT_NONE;
            if (ok) emit(pl, col, falling, mine->sg, p);
            else if (col < first_bad) first_bad = col;
        }
    }
    return first_bad < ncol ? first_bad : -1;
}

static sf_status describe_fault(sf_ctx *ctx, const plan *pl, int64_t col, col_check ck) {
    static const char *const what[] = {"", "source coordinate is NaN",
                                       "source coordinate is not positive (method log)",
                                       "source coordinates are not monotonic",
                                       "target coordinate is NaN",
                                       "target coordinate is not positive (method log)"};
    bool src = ck.fault <= FAULT_NOT_MONOTONIC;
    const grid *g = src ? &pl->src : &pl->dst;
    int64_t s;
    const double *x = column_start(g, pl, src ? pl->n : pl->m, col, &s);
    if (g->shared)
        return sf_error(ctx, SF_ERR_ARG, "sf_interp_weights: %s at position %lld (value %g)",
                        what[ck.fault], (long long)ck.pos, x[ck.pos * s]);
    return sf_error(ctx, SF_ERR_ARG, "sf_interp_weights: %s in column %lld at position %lld (value %g)",
                    what[ck.fault], (long long)col, (long long)ck.pos, x[ck.pos * s]);
}

/* One block: the thread's scratch descriptors, then xs[n], xt[m], seg[m] each. */
static scratch *alloc_scratch(sf_ctx *ctx, const plan *pl, int threads) {
    size_t per = (size_t)(pl->n + pl->m) * sizeof(double) + (size_t)pl->m * sizeof(seg);
    size_t head = (size_t)threads * sizeof(scratch);
    char *b = sf_alloc(ctx, head + (size_t)threads * per, "interpolation scratch");
    if (!b) return NULL;
    scratch *sc = (scratch *)b;
    for (int t = 0; t < threads; t++) {
        char *q = b + head + (size_t)t * per;
        sc[t].xs = (double *)q;
        sc[t].xt = sc[t].xs + pl->n;
        sc[t].sg = (seg *)(sc[t].xt + pl->m);
    }
    return sc;
}

static bool same_shape_except(const sf_shape *a, const sf_shape *b, int axis) {
    if (a->ndim != b->ndim) return false;
    for (int k = 0; k < a->ndim; k++)
        if (k != axis && a->dim[k] != b->dim[k]) return false;
    return true;
}

static sf_status shape_error(sf_ctx *ctx, const char *what, const sf_shape *got,
                             const sf_shape *data, int axis, const char *need) {
    char b1[160], b2[160];
    return sf_error(ctx, SF_ERR_SHAPE,
                    "sf_interp_weights: %s have shape %s; data of shape %s along axis %d needs %s",
                    what, sf_shape_format(got, b1, sizeof b1), sf_shape_format(data, b2, sizeof b2),
                    axis, need);
}

/* Data shape and axis, then which grids are shared, into pl. */
static sf_status check_shapes(sf_ctx *ctx, const sf_shape *xp_shape, const sf_shape *xnew_shape,
                              const sf_shape *data, int axis, plan *pl) {
    char b1[160];
    if (data->ndim < 1 || data->ndim > SF_MAX_NDIM || axis < 0 || axis >= data->ndim)
        return sf_error(ctx, SF_ERR_ARG, "sf_interp_weights: axis %d is out of range for data shape %s",
                        axis, sf_shape_format(data, b1, sizeof b1));
    int64_t size;
    sf_status st = sf_shape_size(ctx, data, &size);
    if (st) return st;
    pl->n = data->dim[axis];
    if (pl->n == 0)
        return sf_error(ctx, SF_ERR_SHAPE, "sf_interp_weights: axis %d of data shape %s is empty",
                        axis, sf_shape_format(data, b1, sizeof b1));
    pl->pre = pl->post = 1;
    for (int k = 0; k < axis; k++) pl->pre *= data->dim[k];
    for (int k = axis + 1; k < data->ndim; k++) pl->post *= data->dim[k];
    pl->src.shared = xp_shape->ndim == 1 && xp_shape->dim[0] == pl->n;
    if (!pl->src.shared && !same_shape_except(xp_shape, data, -1))
        return shape_error(ctx, "source coordinates", xp_shape, data, axis,
                           "its length along the axis (1-D) or the data shape");
    pl->dst.shared = xnew_shape->ndim == 1;
    if (!pl->dst.shared && !same_shape_except(xnew_shape, data, axis))
        return shape_error(ctx, "target coordinates", xnew_shape, data, axis,
                           "a 1-D grid or the data shape with the axis resized");
    pl->m = xnew_shape->dim[pl->dst.shared ? 0 : axis];
    if (pl->m <= 0)
        return sf_error(ctx, SF_ERR_SHAPE, "sf_interp_weights: target coordinates %s are empty",
                        sf_shape_format(xnew_shape, b1, sizeof b1));
    return SF_OK;
}

static sf_status build(sf_ctx *ctx, const plan *pl, const sf_shape *data_shape, int axis,
                       sf_mat **W) {
    int threads = sf_threads_for(ctx, columns_of(pl) * (pl->n + pl->m));
    scratch *sc = NULL;
    sf_mat *w = NULL;
    sf_status st = sf_interp_alloc(ctx, data_shape, axis, pl->m, &w);
    if (!st && !(sc = alloc_scratch(ctx, pl, threads))) st = sf_last_alloc_status(ctx);
    if (st) {
        sf_mat_free(w);
        return st;
    }
    int64_t bad = build_columns(pl, sc, threads, &w->u.interp);
    if (bad >= 0) {
        bool falling;
        st = describe_fault(ctx, pl, bad, column_segs(pl, bad, &sc[0], &falling));
        sf_mat_free(w);
    } else {
        w->u.interp.method = pl->rule.method;
        w->u.interp.extrapolate = pl->rule.extrapolate;
        w->u.interp.fill = pl->rule.fill;
        sf_interp_count_nnz(w);
        *W = w;
    }
    sf_free(ctx, sc);
    return st;
}

sf_status sf_interp_weights(sf_ctx *ctx, const double *xp, const sf_shape *xp_shape,
                            const double *xnew, const sf_shape *xnew_shape,
                            const sf_shape *data_shape, int axis, sf_interp_method method,
                            sf_interp_extrap extrapolate, double fill, sf_mat **W) {
    if (!ctx) return SF_ERR_ARG;
    if (!W) return sf_error(ctx, SF_ERR_ARG, "sf_interp_weights: output pointer is NULL");
    if ((unsigned)method > SF_INTERP_LOG)
        return sf_error(ctx, SF_ERR_ARG, "sf_interp_weights: unknown method %d", (int)method);
    if ((unsigned)extrapolate > SF_EXTRAP_LINEAR)
        return sf_error(ctx, SF_ERR_ARG, "sf_interp_weights: unknown extrapolation %d",
                        (int)extrapolate);
    if (method == SF_INTERP_NEAREST && extrapolate == SF_EXTRAP_LINEAR)
        return sf_error(ctx, SF_ERR_UNSUPPORTED,
                        "sf_interp_weights: linear extrapolation is not defined for method nearest");
    if (!xp || !xp_shape || !xnew || !xnew_shape || !data_shape)
        return sf_error(ctx, SF_ERR_ARG, "sf_interp_weights: NULL argument");
    plan pl = {.src = {xp, false}, .dst = {xnew, false}, .rule = {method, extrapolate, fill}};
    sf_status st = check_shapes(ctx, xp_shape, xnew_shape, data_shape, axis, &pl);
    if (st) return st;
    return build(ctx, &pl, data_shape, axis, W);
}
