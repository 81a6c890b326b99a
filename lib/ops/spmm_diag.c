/* Diagonal times dense: a row scaling, its own transpose. */
#include "ops_internal.h"

static sf_status diag_apply(sf_ctx *ctx, double alpha, const sf_mat *A, const sf_strided *B,
                            double beta, const sf_strided *C) {
    const double *d = A->u.diag.d;
    int64_t n = A->rows, k = B->cols;
    int nt = sf_threads_for(ctx, n * k);
#pragma omp parallel for num_threads(nt) schedule(static)
    for (int64_t i = 0; i < n; i++) {
        const double *b = B->data + i * B->rs;
        double *c = C->data + i * C->rs;
        for (int64_t j = 0; j < k; j++)
            c[j * C->cs] = sf_axpby(alpha, d[i] * b[j * B->cs], beta, c[j * C->cs]);
    }
    return SF_OK;
}

const sf_spmm_kernel sf_spmm_diag_kernel = {.apply = diag_apply, .apply_transpose = diag_apply};
