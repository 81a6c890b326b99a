/* Sum and mean over a set of axes: every input element feeds exactly one
 * output element, so J is CSR with one entry per input, each output row
 * holding the r = in/out inputs it sums, in increasing column order. */
#include "deriv_internal.h"

/* Normalise the axis list (negative from the end) into a flag per axis. */
static sf_status mark_axes(sf_ctx *ctx, const sf_shape *in, int naxes, const int *axes,
                           bool reduced[SF_MAX_NDIM]) {
    for (int k = 0; k < SF_MAX_NDIM; k++) reduced[k] = false;
    if (naxes < 0 || naxes > in->ndim)
        return sf_error(ctx, SF_ERR_ARG, "sf_jac_sum: %d axes for %d dimensions", naxes, in->ndim);
    if (naxes > 0 && !axes)
        return sf_error(ctx, SF_ERR_ARG, "sf_jac_sum: axes is NULL (naxes = %d)", naxes);
    for (int q = 0; q < naxes; q++) {
        int ax = axes[q] < 0 ? axes[q] + in->ndim : axes[q];
        char buf[160];
        if (ax < 0 || ax >= in->ndim)
            return sf_error(ctx, SF_ERR_ARG, "sf_jac_sum: axis %d is out of range for shape %s",
                            axes[q], sf_shape_format(in, buf, sizeof buf));
        if (reduced[ax])
            return sf_error(ctx, SF_ERR_ARG, "sf_jac_sum: axis %d is listed twice", axes[q]);
        reduced[ax] = true;
    }
    return SF_OK;
}

/* Strides of the kept axes in the output and of the summed axes within a row. */
static void split_strides(const sf_shape *in, const bool *reduced, sf_shape *out,
                          int64_t *ostride, int64_t *rstride) {
    int64_t so = 1, sr = 1;
    for (int k = in->ndim - 1; k >= 0; k--) {
        ostride[k] = reduced[k] ? 0 : so;
        rstride[k] = reduced[k] ? sr : 0;
        if (reduced[k]) sr *= in->dim[k];
        else so *= in->dim[k];
    }
    out->ndim = 0;
    for (int k = 0; k < in->ndim; k++)
        if (!reduced[k]) out->dim[out->ndim++] = in->dim[k];
}

sf_status sf_jac_sum(sf_ctx *ctx, const sf_shape *in, int naxes, const int *axes, int mean,
                     sf_shape *out_shape, sf_mat **J) {
    if (!ctx) return SF_ERR_ARG;
    if (!in || !J) return sf_error(ctx, SF_ERR_ARG, "sf_jac_sum: NULL argument");
    int64_t n, nout;
    bool reduced[SF_MAX_NDIM];
    sf_status st = deriv_shape_size(ctx, in, "sf_jac_sum", &n);
    if (st || (st = mark_axes(ctx, in, naxes, axes, reduced))) return st;
    sf_shape out;
    int64_t ostride[SF_MAX_NDIM], rstride[SF_MAX_NDIM], coord[SF_MAX_NDIM] = {0};
    split_strides(in, reduced, &out, ostride, rstride);
    if ((st = deriv_shape_size(ctx, &out, "sf_jac_sum", &nout))) return st;
    int64_t r = nout ? n / nout : 0;
    sf_mat *m = NULL;
    if ((st = sf_csr_new(ctx, nout, n, n, &m))) return st;
    for (int64_t o = 0; o <= nout; o++) m->u.csr.rowptr[o] = o * r;
    double w = mean ? 1.0 / (double)r : 1.0;
    for (int64_t i = 0; i < n; i++) {
        int64_t o = 0, q = 0;
        for (int k = 0; k < in->ndim; k++) {
            o += coord[k] * ostride[k];
            q += coord[k] * rstride[k];
        }
        m->u.csr.colind[o * r + q] = (int32_t)i;
        m->u.csr.val[o * r + q] = w;
        deriv_index_next(in, coord);
    }
    if (out_shape) *out_shape = out;
    *J = m;
    return SF_OK;
}
