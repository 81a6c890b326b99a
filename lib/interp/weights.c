/* sf_interp_weights: check the shapes, walk every column once, and store
 * one source index and one weight per output value.
 *
 * The data is seen as (pre, n, post): a column is (a, c) with a < pre and
 * c < post, its source point k at a*n*post + k*post + c.  Columns are
 * independent, so blocks of neighbouring columns (block.c) are built in
 * parallel; the first bad column over all blocks is named in the message,
 * whatever the thread count. */
#include <omp.h>

#include "block.h"

static sf_status describe_fault(sf_ctx *ctx, const plan *pl, col_check ck) {
    static const char *const what[] = {"", "source coordinate is NaN",
                                       "source coordinate is not positive (method log)",
                                       "source coordinates are not monotonic",
                                       "target coordinate is NaN",
                                       "target coordinate is not positive (method log)"};
    bool src = ck.fault <= FAULT_NOT_MONOTONIC;
    const grid *g = src ? &pl->src : &pl->dst;
    int64_t len = src ? pl->n : pl->m, a = ck.col / pl->post, c = ck.col % pl->post;
    double v = g->shared ? g->x[ck.pos] : g->x[(a * len + ck.pos) * pl->post + c];
    if (g->shared)
        return sf_error(ctx, SF_ERR_ARG, "sf_interp_weights: %s at position %lld (value %g)",
                        what[ck.fault], (long long)ck.pos, v);
    return sf_error(ctx, SF_ERR_ARG, "sf_interp_weights: %s in column %lld at position %lld (value %g)",
                    what[ck.fault], (long long)ck.col, (long long)ck.pos, v);
}

/* Every block, counting the entries into *nnz; returns the first bad column
 * (or -1). */
static int64_t build_blocks(const plan *pl, scratch *sc, int threads, sf_interp_w *p,
                            int64_t *nnz) {
    int64_t nblk = plan_blocks(pl), ncol = pl->pre * pl->post, first_bad = ncol, total = 0;
#pragma omp parallel for num_threads(threads) schedule(static) reduction(min : first_bad) \
    reduction(+ : total)
    for (int64_t b = 0; b < nblk; b++) {
        col_check ck = block_build(pl, b, &sc[omp_get_thread_num()], p, &total);
        if (ck.fault != FAULT_NONE && ck.col < first_bad) first_bad = ck.col;
    }
    *nnz = total;
    return first_bad < ncol ? first_bad : -1;
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
    int threads = sf_threads_for(ctx, pl->pre * pl->post * (pl->n + pl->m));
    scratch *sc = NULL;
    sf_mat *w = NULL;
    sf_status st = sf_interp_alloc(ctx, data_shape, axis, pl->m, &w);
    if (!st && !(sc = block_scratch(ctx, pl, threads))) st = sf_last_alloc_status(ctx);
    if (st) {
        sf_mat_free(w);
        return st;
    }
    int64_t nnz = 0, bad = build_blocks(pl, sc, threads, &w->u.interp, &nnz);
    if (bad >= 0) {
        st = describe_fault(ctx, pl, column_check(pl, bad, &sc[0]));
        sf_mat_free(w);
    } else {
        w->u.interp.method = pl->rule.method;
        w->u.interp.extrapolate = pl->rule.extrapolate;
        w->u.interp.fill = pl->rule.fill;
        w->nnz = nnz; /* counted by the walk: no second pass over the weights */
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
