/* Applying interpolation weights to K fields at once, and their adjoint.
 *
 * Forward: each output value gathers one or two source values; the weight is
 * read once and used for all K fields.  Adjoint: each output value scatters
 * into one or two source values of its own column, so threads take disjoint
 * ranges of columns and every source value receives its contributions in
 * increasing output order: the same bits for any thread count. */
#include <omp.h>

#include "../mat/kind_interp.h"
#include "sparsefirst/interp.h"

static sf_status check_apply(sf_ctx *ctx, const sf_mat *W, int nfields, const void *fields,
                             const void *outs, const char *fn) {
    if (!ctx) return SF_ERR_ARG;
    if (!W || W->kind != SF_INTERP)
        return sf_error(ctx, SF_ERR_ARG, "%s: W is not an interpolation handle", fn);
    if (nfields < 0) return sf_error(ctx, SF_ERR_ARG, "%s: negative field count %d", fn, nfields);
    if (nfields > 0 && (!fields || !outs))
        return sf_error(ctx, SF_ERR_ARG, "%s: NULL field or output list", fn);
    const double *const *f = fields;
    double *const *o = outs;
    for (int k = 0; k < nfields; k++)
        if (!f[k] || !o[k]) return sf_error(ctx, SF_ERR_ARG, "%s: field or output %d is NULL", fn, k);
    return SF_OK;
}

static void gather_one(const sf_interp_w *p, int64_t i, const double *f, double *o) {
    int32_t s = p->src[i];
    double w = p->w[i];
    if (s >= 0) o[i] = w * f[s] + (1.0 - w) * f[s + p->stride];
    else if (s == SF_INTERP_NONE) o[i] = w;
    else o[i] = w * f[SF_INTERP_ONE_SRC(s)];
}

static void gather_many(const sf_interp_w *p, int64_t i, int nf, const double *const *f,
                        double *const *o) {
    int32_t s = p->src[i];
    double w = p->w[i], v = 1.0 - w;
    if (s >= 0) {
        int64_t s2 = s + p->stride;
        for (int k = 0; k < nf; k++) o[k][i] = w * f[k][s] + v * f[k][s2];
    } else if (s == SF_INTERP_NONE) {
        for (int k = 0; k < nf; k++) o[k][i] = w;
    } else {
        int64_t j = SF_INTERP_ONE_SRC(s);
        for (int k = 0; k < nf; k++) o[k][i] = w * f[k][j];
    }
}

sf_status sf_interp_apply(sf_ctx *ctx, const sf_mat *W, int nfields,
                          const double *const *fields, double *const *outs) {
    sf_status st = check_apply(ctx, W, nfields, fields, outs, "sf_interp_apply");
    if (st || nfields == 0) return st;
    const sf_interp_w *p = &W->u.interp;
    int64_t rows = W->rows;
    int threads = sf_threads_for(ctx, rows * nfields);
    if (nfields == 1) {
        const double *f = fields[0];
        double *o = outs[0];
#pragma omp parallel for num_threads(threads) schedule(static)
        for (int64_t i = 0; i < rows; i++) gather_one(p, i, f, o);
    } else {
#pragma omp parallel for num_threads(threads) schedule(static)
        for (int64_t i = 0; i < rows; i++) gather_many(p, i, nfields, fields, outs);
    }
    return SF_OK;
}

/* Columns [c0, c1) of the flattened (pre, post) column space, scattered
 * output row by output row (k outer) so the order of the sums is fixed. */
static void scatter_columns(const sf_interp_w *p, int64_t c0, int64_t c1, int nf,
                            const double *const *y, double *const *o) {
    int64_t post = p->stride, n = p->data_shape.dim[p->axis], m = p->out_shape.dim[p->axis];
    for (int64_t col = c0; col < c1;) {
        int64_t a = col / post, lo = col % post, hi = lo + (c1 - col);
        if (hi > post) hi = post;
        for (int64_t k = 0; k < n; k++)
            for (int f = 0; f < nf; f++)
                for (int64_t c = lo; c < hi; c++) o[f][(a * n + k) * post + c] = 0.0;
        for (int64_t k = 0; k < m; k++)
            for (int64_t c = lo; c < hi; c++) {
                int64_t i = (a * m + k) * post + c;
                int32_t s = p->src[i];
                double w = p->w[i], v = 1.0 - w;
                if (s == SF_INTERP_NONE) continue;
                int64_t j = s >= 0 ? s : SF_INTERP_ONE_SRC(s);
                for (int f = 0; f < nf; f++) {
                    o[f][j] += w * y[f][i];
                    if (s >= 0) o[f][j + post] += v * y[f][i];
                }
            }
        col += hi - lo;
    }
}

sf_status sf_interp_apply_adjoint(sf_ctx *ctx, const sf_mat *W, int nfields,
                                  const double *const *fields, double *const *outs) {
    sf_status st = check_apply(ctx, W, nfields, fields, outs, "sf_interp_apply_adjoint");
    if (st || nfields == 0) return st;
    const sf_interp_w *p = &W->u.interp;
    int64_t ncol = W->cols / p->data_shape.dim[p->axis]; /* pre * post columns */
    int threads = sf_threads_for(ctx, W->rows * nfields);
    if (threads > ncol) threads = ncol > 0 ? (int)ncol : 1;
#pragma omp parallel num_threads(threads)
    {
        int t = omp_get_thread_num(), nt = omp_get_num_threads();
        scatter_columns(p, ncol * t / nt, ncol * (t + 1) / nt, nfields, fields, outs);
    }
    return SF_OK;
}

static bool shape_eq(const sf_shape *a, const sf_shape *b) {
    if (a->ndim != b->ndim) return false;
    for (int k = 0; k < a->ndim; k++)
        if (a->dim[k] != b->dim[k]) return false;
    return true;
}

sf_status sf_interp_check_shape(sf_ctx *ctx, const sf_mat *W, const sf_shape *shape,
                                int adjoint) {
    if (!ctx) return SF_ERR_ARG;
    if (!W || W->kind != SF_INTERP || !shape)
        return sf_error(ctx, SF_ERR_ARG, "sf_interp_check_shape: W is not an interpolation handle");
    const sf_shape *want = adjoint ? &W->u.interp.out_shape : &W->u.interp.data_shape;
    if (shape_eq(shape, want)) return SF_OK;
    char b1[160], b2[160];
    return sf_error(ctx, SF_ERR_SHAPE, "field of shape %s does not match the weights' %s shape %s",
                    sf_shape_format(shape, b1, sizeof b1), adjoint ? "output" : "data",
                    sf_shape_format(want, b2, sizeof b2));
}

sf_status sf_interp_get_info(sf_ctx *ctx, const sf_mat *W, sf_interp_info *info) {
    if (!ctx) return SF_ERR_ARG;
    if (!W || W->kind != SF_INTERP || !info)
        return sf_error(ctx, SF_ERR_ARG, "sf_interp_get_info: W is not an interpolation handle");
    const sf_interp_w *p = &W->u.interp;
    *info = (sf_interp_info){p->data_shape, p->out_shape, p->axis, (sf_interp_method)p->method,
                             (sf_interp_extrap)p->extrapolate, p->fill};
    return SF_OK;
}

const char *sf_interp_method_name(sf_interp_method m) {
    static const char *const names[] = {"linear", "nearest", "log"};
    return (unsigned)m <= SF_INTERP_LOG ? names[m] : "unknown";
}

const char *sf_interp_extrap_name(sf_interp_extrap e) {
    static const char *const names[] = {"clamp", "nan", "constant", "linear"};
    return (unsigned)e <= SF_EXTRAP_LINEAR ? names[e] : "unknown";
}
