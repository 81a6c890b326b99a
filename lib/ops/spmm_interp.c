/* Interpolation weights times dense: a gather of one or two rows of B per
 * output row (the linear part: an output without a source is a zero row),
 * and the transposed product as a scatter over disjoint column ranges. */
#include <omp.h>

#include "ops_internal.h"
#include "spmm_interp.h"

/* Columns [c0, c1) of the flattened (pre, post) column space: scale their
 * source values by beta, then add the terms output row by output row. */
static void scatter_columns(const sf_interp_w *p, int64_t c0, int64_t c1, int nf,
                            const double *const *y, int64_t ys, double *const *o, int64_t os,
                            double alpha, double beta) {
    int64_t post = p->stride, n = p->data_shape.dim[p->axis], m = p->out_shape.dim[p->axis];
    for (int64_t col = c0; col < c1;) {
        int64_t a = col / post, lo = col % post, hi = lo + (c1 - col) < post ? lo + (c1 - col) : post;
        for (int64_t k = 0; k < n; k++)
            for (int f = 0; f < nf; f++)
                for (int64_t c = lo; c < hi; c++) {
                    double *x = &o[f][((a * n + k) * post + c) * os];
                    *x = beta == 0.0 ? 0.0 : beta * *x;
                }
        for (int64_t k = 0; k < m; k++)
            for (int64_t c = lo; c < hi; c++) {
                int64_t i = (a * m + k) * post + c;
                sf_interp_term t = sf_interp_term_of(p, i);
                if (t.kind == SF_TERM_NONE) continue;
                for (int f = 0; f < nf; f++) {
                    double yi = alpha * y[f][i * ys];
                    o[f][t.j * os] += t.w * yi;
                    if (t.kind == SF_TERM_TWO) o[f][t.j2 * os] += t.v * yi;
                }
            }
        col += hi - lo;
    }
}

void sf_interp_scatter(const sf_ctx *ctx, const sf_mat *W, int nf, const double *const *y,
                       int64_t ystep, double *const *o, int64_t ostep, double alpha, double beta) {
    const sf_interp_w *p = &W->u.interp;
    int64_t ncol = W->cols / p->data_shape.dim[p->axis]; /* pre * post columns */
    int threads = sf_threads_for(ctx, W->rows * nf);
    if (threads > ncol) threads = ncol > 0 ? (int)ncol : 1;
#pragma omp parallel num_threads(threads)
    {
        int t = omp_get_thread_num(), nt = omp_get_num_threads();
        scatter_columns(p, ncol * t / nt, ncol * (t + 1) / nt, nf, y, ystep, o, ostep, alpha, beta);
    }
}

static sf_status interp_apply(sf_ctx *ctx, double alpha, const sf_mat *A, const sf_strided *B,
                              double beta, const sf_strided *C) {
    const sf_interp_w *p = &A->u.interp;
    int64_t n = A->rows, k = B->cols;
    int nt = sf_threads_for(ctx, n * k);
#pragma omp parallel for num_threads(nt) schedule(static)
    for (int64_t i = 0; i < n; i++) {
        sf_interp_term t = sf_interp_term_of(p, i);
        double *c = C->data + i * C->rs;
        for (int64_t q = 0; q < k; q++) {
            double s = sf_interp_term_apply(&t, B->data + q * B->cs, B->rs);
            c[q * C->cs] = sf_axpby(alpha, s, beta, c[q * C->cs]);
        }
    }
    return SF_OK;
}

/* Columns of B in groups of up to 8 fields, each a strided vector. */
static sf_status interp_apply_transpose(sf_ctx *ctx, double alpha, const sf_mat *A,
                                        const sf_strided *B, double beta, const sf_strided *C) {
    enum { GROUP = 8 };
    const double *y[GROUP];
    double *o[GROUP];
    for (int64_t q0 = 0; q0 < B->cols; q0 += GROUP) {
        int nf = B->cols - q0 < GROUP ? (int)(B->cols - q0) : GROUP;
        for (int f = 0; f < nf; f++) {
            y[f] = B->data + (q0 + f) * B->cs;
            o[f] = C->data + (q0 + f) * C->cs;
        }
        sf_interp_scatter(ctx, A, nf, y, B->rs, o, C->rs, alpha, beta);
    }
    return SF_OK;
}

const sf_spmm_kernel sf_spmm_interp_kernel = {.apply = interp_apply,
                                              .apply_transpose = interp_apply_transpose};
