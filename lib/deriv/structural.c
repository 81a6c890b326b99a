/* Maps that move elements without arithmetic: axis permutation, reshape,
 * slicing and index selection.  Each output element is one input element, so
 * J is a selection (4 bytes per output element) or the identity. */
#include "deriv_internal.h"

/* Fill a selection: output element i (row-major over `out`) reads the input
 * element at sum_k coord[k] * instride[k] + offset. */
static sf_status gather_select(sf_ctx *ctx, const sf_shape *out, int64_t nin,
                               const int64_t *instride, int64_t offset, sf_mat **J) {
    int64_t nout;
    sf_status st = deriv_shape_size(ctx, out, "selection Jacobian", &nout);
    if (st) return st;
    sf_mat *m = NULL;
    if ((st = deriv_select_new(ctx, nout, nin, false, &m))) return st;
    int64_t coord[SF_MAX_NDIM] = {0};
    for (int64_t i = 0; i < nout; i++) {
        int64_t src = offset;
        for (int k = 0; k < out->ndim; k++) src += coord[k] * instride[k];
        m->u.sel.src[i] = (int32_t)src;
        deriv_index_next(out, coord);
    }
    m->nnz = nout;
    *J = m;
    return SF_OK;
}

sf_status sf_jac_permute(sf_ctx *ctx, const sf_shape *in, const int *perm, sf_shape *out_shape,
                         sf_mat **J) {
    if (!ctx) return SF_ERR_ARG;
    if (!in || !J || (in->ndim > 0 && !perm))
        return sf_error(ctx, SF_ERR_ARG, "sf_jac_permute: NULL argument");
    int64_t n, stride[SF_MAX_NDIM], instride[SF_MAX_NDIM];
    sf_status st = deriv_shape_size(ctx, in, "sf_jac_permute", &n);
    if (st) return st;
    bool used[SF_MAX_NDIM] = {false};
    sf_shape out = {in->ndim, {0}};
    sf_shape_strides(in, stride);
    for (int k = 0; k < in->ndim; k++) {
        char buf[160];
        if (perm[k] < 0 || perm[k] >= in->ndim || used[perm[k]])
            return sf_error(ctx, SF_ERR_ARG,
                            "sf_jac_permute: perm[%d] = %d is out of range or repeated for shape %s",
                            k, perm[k], sf_shape_format(in, buf, sizeof buf));
        used[perm[k]] = true;
        out.dim[k] = in->dim[perm[k]];
        instride[k] = stride[perm[k]];
    }
    if ((st = gather_select(ctx, &out, n, instride, 0, J))) return st;
    if (out_shape) *out_shape = out;
    return SF_OK;
}

sf_status sf_jac_reshape(sf_ctx *ctx, const sf_shape *in, const sf_shape *out, sf_mat **J) {
    if (!ctx) return SF_ERR_ARG;
    if (!in || !out || !J) return sf_error(ctx, SF_ERR_ARG, "sf_jac_reshape: NULL argument");
    int64_t n, nout;
    sf_status st = deriv_shape_size(ctx, in, "sf_jac_reshape", &n);
    if (st || (st = deriv_shape_size(ctx, out, "sf_jac_reshape", &nout))) return st;
    if (n != nout) {
        char a[160], b[160];
        return sf_error(ctx, SF_ERR_SHAPE, "sf_jac_reshape: cannot reshape %s (%lld elements) into %s (%lld)",
                        sf_shape_format(in, a, sizeof a), (long long)n,
                        sf_shape_format(out, b, sizeof b), (long long)nout);
    }
    return sf_mat_identity(ctx, n, J);
}

/* Number of elements in range(start, stop, step), or -1 unless the bounds
 * are normalised for an axis of extent dim as Python's slice.indices gives
 * them (step > 0: start and stop in [0, dim]; step < 0: in [-1, dim - 1]).
 * Counted in unsigned arithmetic so that no step, however large, overflows. */
static int64_t range_count(int64_t start, int64_t stop, int64_t step, int64_t dim) {
    if (step > 0) {
        if (start < 0 || start > dim || stop < 0 || stop > dim) return -1;
        return stop <= start ? 0 : (int64_t)((uint64_t)(stop - start - 1) / (uint64_t)step) + 1;
    }
    if (start < -1 || start >= dim || stop < -1 || stop >= dim) return -1;
    return start <= stop ? 0 : (int64_t)((uint64_t)(start - stop - 1) / (0u - (uint64_t)step)) + 1;
}

sf_status sf_jac_slice(sf_ctx *ctx, const sf_shape *in, const int64_t *start, const int64_t *stop,
                       const int64_t *step, sf_shape *out_shape, sf_mat **J) {
    if (!ctx) return SF_ERR_ARG;
    if (!in || !J || (in->ndim > 0 && (!start || !stop || !step)))
        return sf_error(ctx, SF_ERR_ARG, "sf_jac_slice: NULL argument");
    int64_t n, stride[SF_MAX_NDIM], instride[SF_MAX_NDIM], offset = 0;
    sf_status st = deriv_shape_size(ctx, in, "sf_jac_slice", &n);
    if (st) return st;
    sf_shape_strides(in, stride);
    sf_shape out = {in->ndim, {0}};
    for (int k = 0; k < in->ndim; k++) {
        int64_t cnt = step[k] ? range_count(start[k], stop[k], step[k], in->dim[k]) : -1;
        if (cnt < 0) {
            char buf[160];
            return sf_error(ctx, SF_ERR_INDEX,
                            "sf_jac_slice: axis %d: slice %lld:%lld:%lld is invalid for shape %s", k,
                            (long long)start[k], (long long)stop[k], (long long)step[k],
                            sf_shape_format(in, buf, sizeof buf));
        }
        out.dim[k] = cnt;
        /* two or more elements bound |step| by dim, so the product fits */
        instride[k] = cnt > 1 ? step[k] * stride[k] : 0;
        if (cnt) offset += start[k] * stride[k];
    }
    if ((st = gather_select(ctx, &out, n, instride, offset, J))) return st;
    if (out_shape) *out_shape = out;
    return SF_OK;
}

static sf_status check_take(sf_ctx *ctx, const sf_shape *in, int axis, int64_t nidx,
                            const int64_t *idx) {
    char buf[160];
    if (axis < 0 || axis >= in->ndim)
        return sf_error(ctx, SF_ERR_ARG, "sf_jac_take: axis %d is out of range for shape %s", axis,
                        sf_shape_format(in, buf, sizeof buf));
    if (nidx < 0 || (nidx > 0 && !idx))
        return sf_error(ctx, SF_ERR_ARG, "sf_jac_take: bad index list (%lld indices)", (long long)nidx);
    for (int64_t q = 0; q < nidx; q++)
        if (idx[q] < 0 || idx[q] >= in->dim[axis])
            return sf_error(ctx, SF_ERR_INDEX,
                            "sf_jac_take: index %lld at position %lld is out of range [0, %lld) of axis %d",
                            (long long)idx[q], (long long)q, (long long)in->dim[axis], axis);
    return SF_OK;
}

sf_status sf_jac_take(sf_ctx *ctx, const sf_shape *in, int axis, int64_t nidx, const int64_t *idx,
                      sf_shape *out_shape, sf_mat **J) {
    if (!ctx) return SF_ERR_ARG;
    if (!in || !J) return sf_error(ctx, SF_ERR_ARG, "sf_jac_take: NULL argument");
    int64_t n, nout, stride[SF_MAX_NDIM];
    sf_status st = deriv_shape_size(ctx, in, "sf_jac_take", &n);
    if (st || (st = check_take(ctx, in, axis, nidx, idx))) return st;
    sf_shape out = *in;
    out.dim[axis] = nidx;
    if ((st = deriv_shape_size(ctx, &out, "sf_jac_take", &nout))) return st;
    sf_shape_strides(in, stride);
    sf_mat *m = NULL;
    if ((st = deriv_select_new(ctx, nout, n, false, &m))) return st;
    int64_t coord[SF_MAX_NDIM] = {0};
    for (int64_t i = 0; i < nout; i++) {
        int64_t src = 0;
        for (int k = 0; k < in->ndim; k++) src += (k == axis ? idx[coord[k]] : coord[k]) * stride[k];
        m->u.sel.src[i] = (int32_t)src;
        deriv_index_next(&out, coord);
    }
    m->nnz = nout;
    if (out_shape) *out_shape = out;
    *J = m;
    return SF_OK;
}
