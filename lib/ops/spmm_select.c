/* Selection times dense: a gather.  Output row i is weight[i] times row
 * src[i] of B, or zero: O(columns) per row, never a dense product (P5).
 * The transposed product runs on the cached transpose (again a selection
 * when no input row is selected twice). */
#include "ops_internal.h"

static sf_status select_apply(sf_ctx *ctx, double alpha, const sf_mat *A, const sf_strided *B,
                              double beta, const sf_strided *C) {
    const int32_t *src = A->u.sel.src;
    const double *w = A->u.sel.weight;
    int64_t n = A->rows, k = B->cols;
    int nt = sf_threads_for(ctx, n * k);
#pragma omp parallel for num_threads(nt) schedule(static)
    for (int64_t i = 0; i < n; i++) {
        double *c = C->data + i * C->rs;
        if (src[i] < 0) {
            for (int64_t j = 0; j < k; j++) c[j * C->cs] = sf_axpby(alpha, 0.0, beta, c[j * C->cs]);
            continue;
        }
        const double *b = B->data + src[i] * B->rs, wi = w ? w[i] : 1.0;
        for (int64_t j = 0; j < k; j++)
            c[j * C->cs] = sf_axpby(alpha, wi * b[j * B->cs], beta, c[j * C->cs]);
    }
    return SF_OK;
}

const sf_spmm_kernel sf_spmm_select_kernel = {.apply = select_apply, .apply_transpose = NULL};
