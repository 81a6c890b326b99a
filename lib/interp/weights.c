/* sf_interp_weights: check the shapes, walk every column once, and store
 * one source index and one weight per output value; sf_interp_weights_update
 * does the same into the arrays of an existing handle.
 *
 * The data is seen as (pre, n, post): a column is (a, c) with a < pre and
 * c < post, its source point k at a*n*post + k*post + c.  Columns are
 * independent, so blocks of neighbouring columns (block.c) are built in
 * parallel; the first bad column over all blocks is named in the message,
 * whatever the thread count. */
#include <omp.h>

#include "block.h"

static sf_status describe_fault(sf_ctx *ctx, const char *fn, const plan *pl, col_check ck) {
    static const char *const what[] = {"", "source coordinate is NaN",
                                       "source coordinate is not positive (method log)",
                                       "source coordinates are not monotonic",
                                       "target coordinate is NaN",
                                       "target coordinate is not positive (method log)",
                                       "target coordinate is infinite (linear extrapolation)"};
    bool src = ck.fault <= FAULT_NOT_MONOTONIC;
    const grid *g = src ? &pl->src : &pl->dst;
    int64_t len = src ? pl->n : pl->m, a = ck.col / pl->post, c = ck.col % pl->post;
    double v = g->shared ? g->x[ck.pos] : g->x[(a * len + ck.pos) * pl->post + c];
    if (g->shared)
        return sf_error(ctx, SF_ERR_ARG, "%s: %s at position %lld (value %g)", fn, what[ck.fault],
                        (long long)ck.pos, v);
    return sf_error(ctx, SF_ERR_ARG, "%s: %s in column %lld at position %lld (value %g)", fn,
                    what[ck.fault], (long long)ck.col, (long long)ck.pos, v);
}

/* Every block, into p (or only checked, p NULL), counting the entries into
 * *nnz; returns the first bad column (or -1).  Each thread's workspace is on
 * its stack, or in heap (block_scratch) when too large for it. */
static int64_t run_blocks(const plan *pl, double *heap, int threads, sf_interp_w *p,
                          int64_t *nnz) {
    int64_t nblk = plan_blocks(pl), ncol = pl->pre * pl->post, first_bad = ncol, total = 0;
    int64_t per = (scratch_doubles(pl) + 7) / 8 * 8;
#pragma omp parallel num_threads(threads) reduction(min : first_bad) reduction(+ : total)
    {
        double local[SCRATCH_ON_STACK];
        scratch sc = heap ? scratch_in(pl, heap + omp_get_thread_num() * per, per)
                          : scratch_in(pl, local, SCRATCH_ON_STACK);
#pragma omp for schedule(static)
        for (int64_t b = 0; b < nblk; b++) {
            col_check ck = block_build(pl, b, &sc, p, &total);
            if (ck.fault != FAULT_NONE && ck.col < first_bad) first_bad = ck.col;
        }
        block_fence(pl);
    }
    *nnz = total;
    return first_bad < ncol ? first_bad : -1;
}

/* The fault of column bad, described on ctx. */
static sf_status report_fault(sf_ctx *ctx, const char *fn, const plan *pl, double *heap,
                              int64_t bad) {
    double local[SCRATCH_ON_STACK];
    scratch sc = heap ? scratch_in(pl, heap, scratch_doubles(pl))
                      : scratch_in(pl, local, SCRATCH_ON_STACK);
    return describe_fault(ctx, fn, pl, column_check(pl, bad, &sc));
}

static bool same_shape_except(const sf_shape *a, const sf_shape *b, int axis) {
    if (a->ndim != b->ndim) return false;
    for (int k = 0; k < a->ndim; k++)
        if (k != axis && a->dim[k] != b->dim[k]) return false;
    return true;
}

static sf_status shape_error(sf_ctx *ctx, const char *fn, const char *what, const sf_shape *got,
                             const sf_shape *data, int axis, const char *need) {
    char b1[160], b2[160];
    return sf_error(ctx, SF_ERR_SHAPE,
                    "%s: %s have shape %s; data of shape %s along axis %d needs %s", fn, what,
                    sf_shape_format(got, b1, sizeof b1), sf_shape_format(data, b2, sizeof b2),
                    axis, need);
}

/* Data shape and axis, then which grids are shared, into pl. */
static sf_status check_shapes(sf_ctx *ctx, const char *fn, const sf_shape *xp_shape,
                              const sf_shape *xnew_shape, const sf_shape *data, int axis,
                              plan *pl) {
    char b1[160];
    if (data->ndim < 1 || data->ndim > SF_MAX_NDIM || axis < 0 || axis >= data->ndim)
        return sf_error(ctx, SF_ERR_ARG, "%s: axis %d is out of range for data shape %s", fn,
                        axis, sf_shape_format(data, b1, sizeof b1));
    int64_t size;
    sf_status st = sf_shape_size(ctx, data, &size);
    if (st) return st;
    pl->n = data->dim[axis];
    if (pl->n == 0)
        return sf_error(ctx, SF_ERR_SHAPE, "%s: axis %d of data shape %s is empty", fn, axis,
                        sf_shape_format(data, b1, sizeof b1));
    pl->pre = pl->post = 1;
    pl->width = SF_INTERP_BLOCK;
    for (int k = 0; k < axis; k++) pl->pre *= data->dim[k];
    for (int k = axis + 1; k < data->ndim; k++) pl->post *= data->dim[k];
    pl->src.shared = xp_shape->ndim == 1 && xp_shape->dim[0] == pl->n;
    if (!pl->src.shared && !same_shape_except(xp_shape, data, -1))
        return shape_error(ctx, fn, "source coordinates", xp_shape, data, axis,
                           "its length along the axis (1-D) or the data shape");
    pl->dst.shared = xnew_shape->ndim == 1;
    if (!pl->dst.shared && !same_shape_except(xnew_shape, data, axis))
        return shape_error(ctx, fn, "target coordinates", xnew_shape, data, axis,
                           "a 1-D grid or the data shape with the axis resized");
    pl->m = xnew_shape->dim[pl->dst.shared ? 0 : axis];
    pl->stream = 12.0 * (double)pl->pre * (double)pl->m * (double)pl->post > (double)(8 << 20);
    if (pl->m <= 0)
        return sf_error(ctx, SF_ERR_SHAPE, "%s: target coordinates %s are empty", fn,
                        sf_shape_format(xnew_shape, b1, sizeof b1));
    return SF_OK;
}

/* The level-by-level build when it fits (levels.c), in its wider blocks. */
static void choose_path(plan *pl) {
    pl->levels = levels_fit(pl);
    if (pl->levels)
        pl->width = sf_interp_level_width < SF_INTERP_LEVEL_MAX ? sf_interp_level_width
                                                                : SF_INTERP_LEVEL_MAX;
}

/* Threads for the plan, and its workspace: NULL when it fits on the stack;
 * false (message set) if the allocation failed. */
static bool workspace(sf_ctx *ctx, const plan *pl, int *threads, double **heap) {
    *threads = sf_threads_for(ctx, pl->pre * pl->post * (pl->n + pl->m));
    *heap = NULL;
    if (scratch_doubles(pl) <= SCRATCH_ON_STACK) return true;
    return (*heap = block_scratch(ctx, pl, *threads)) != NULL;
}

static sf_status build(sf_ctx *ctx, const plan *pl, const sf_shape *data_shape, int axis,
                       sf_mat **W) {
    int threads;
    double *heap = NULL;
    sf_mat *w = NULL;
    sf_status st = sf_interp_alloc(ctx, data_shape, axis, pl->m, &w);
    if (!st && !workspace(ctx, pl, &threads, &heap)) st = sf_last_alloc_status(ctx);
    if (st) {
        sf_mat_free(w);
        return st;
    }
    int64_t nnz = 0, bad = run_blocks(pl, heap, threads, &w->u.interp, &nnz);
    if (bad >= 0) {
        st = report_fault(ctx, "sf_interp_weights", pl, heap, bad);
        sf_mat_free(w);
    } else {
        w->u.interp.method = pl->rule.method;
        w->u.interp.extrapolate = pl->rule.extrapolate;
        w->u.interp.fill = pl->rule.fill;
        w->nnz = nnz; /* counted by the walk: no second pass over the weights */
        *W = w;
    }
    sf_free(ctx, heap);
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
    sf_status st = check_shapes(ctx, "sf_interp_weights", xp_shape, xnew_shape, data_shape, axis,
                                &pl);
    if (st) return st;
    choose_path(&pl);
    return build(ctx, &pl, data_shape, axis, W);
}

/* Every column is checked before the first weight is written (a pass that
 * only reads the coordinates), so a bad column leaves W as it was. */
static sf_status rebuild(sf_ctx *ctx, const plan *pl, sf_mat *W) {
    int threads;
    double *heap = NULL;
    if (!workspace(ctx, pl, &threads, &heap)) return sf_last_alloc_status(ctx);
    plan wide = *pl;
    wide.width = SF_INTERP_CHECK_WIDTH;
    int64_t nnz = 0, bad = run_blocks(&wide, heap, threads, NULL, &nnz);
    sf_status st = SF_OK;
    if (bad >= 0) st = report_fault(ctx, "sf_interp_weights_update", pl, heap, bad);
    else {
        plan checked = *pl;
        checked.checked = true;
        run_blocks(&checked, heap, threads, &W->u.interp, &nnz);
        W->nnz = nnz;
        sf_mat_values_changed(W);
    }
    sf_free(ctx, heap);
    return st;
}

sf_status sf_interp_weights_update(sf_ctx *ctx, sf_mat *W, const double *xp,
                                   const sf_shape *xp_shape, const double *xnew,
                                   const sf_shape *xnew_shape) {
    const char *fn = "sf_interp_weights_update";
    if (!ctx) return SF_ERR_ARG;
    if (!W || W->kind != SF_INTERP)
        return sf_error(ctx, SF_ERR_ARG, "%s: W is not an interpolation handle", fn);
    if (!xp || !xp_shape || !xnew || !xnew_shape)
        return sf_error(ctx, SF_ERR_ARG, "%s: NULL argument", fn);
    const sf_interp_w *p = &W->u.interp;
    plan pl = {.src = {xp, false}, .dst = {xnew, false},
               .rule = {(sf_interp_method)p->method, (sf_interp_extrap)p->extrapolate, p->fill}};
    sf_status st = check_shapes(ctx, fn, xp_shape, xnew_shape, &p->data_shape, p->axis, &pl);
    if (st) return st;
    choose_path(&pl);
    if (pl.m != p->out_shape.dim[p->axis]) {
        char b1[160], b2[160];
        return sf_error(ctx, SF_ERR_SHAPE,
                        "%s: target coordinates have shape %s; the weights' output shape %s has %lld "
                        "values along axis %d", fn, sf_shape_format(xnew_shape, b1, sizeof b1),
                        sf_shape_format(&p->out_shape, b2, sizeof b2),
                        (long long)p->out_shape.dim[p->axis], p->axis);
    }
    return rebuild(ctx, &pl, W);
}
