/* CSR times dense, row-parallel.  Each output row is one dot product per
 * column, summed in the row's stored order by one thread, so the result does
 * not depend on the thread count.  Rows are split between threads by their
 * number of entries.  op = transpose runs on the cached CSR transpose. */
#include <omp.h>

#include "ops_internal.h"

/* Columns of B handled together: the accumulators stay in registers/L1. */
#define COL_BLOCK 64

/* One right-hand side (SpMV), any strides. */
static void rows_one_column(const sf_csr *a, int64_t r0, int64_t r1, double alpha,
                            const sf_strided *B, double beta, const sf_strided *C) {
    const double *x = B->data;
    for (int64_t i = r0; i < r1; i++) {
        double s = 0.0;
        for (int64_t p = a->rowptr[i]; p < a->rowptr[i + 1]; p++)
            s += a->val[p] * x[a->colind[p] * B->rs];
        double *y = C->data + i * C->rs;
        *y = sf_axpby(alpha, s, beta, *y);
    }
}

/* Row-major B and C (unit column stride): the inner loop runs over
 * contiguous columns and vectorizes. */
static void rows_contiguous(const sf_csr *a, int64_t r0, int64_t r1, double alpha,
                            const sf_strided *B, double beta, const sf_strided *C) {
    double acc[COL_BLOCK];
    for (int64_t i = r0; i < r1; i++) {
        for (int64_t j0 = 0; j0 < B->cols; j0 += COL_BLOCK) {
            int64_t kb = B->cols - j0 < COL_BLOCK ? B->cols - j0 : COL_BLOCK;
            for (int64_t j = 0; j < kb; j++) acc[j] = 0.0;
            for (int64_t p = a->rowptr[i]; p < a->rowptr[i + 1]; p++) {
                const double v = a->val[p], *b = B->data + a->colind[p] * B->rs + j0;
                for (int64_t j = 0; j < kb; j++) acc[j] += v * b[j];
            }
            double *c = C->data + i * C->rs + j0;
            for (int64_t j = 0; j < kb; j++) c[j] = sf_axpby(alpha, acc[j], beta, c[j]);
        }
    }
}

/* Any strides (column-major views, complex halves). */
static void rows_strided(const sf_csr *a, int64_t r0, int64_t r1, double alpha,
                         const sf_strided *B, double beta, const sf_strided *C) {
    double acc[COL_BLOCK];
    for (int64_t i = r0; i < r1; i++) {
        for (int64_t j0 = 0; j0 < B->cols; j0 += COL_BLOCK) {
            int64_t kb = B->cols - j0 < COL_BLOCK ? B->cols - j0 : COL_BLOCK;
            for (int64_t j = 0; j < kb; j++) acc[j] = 0.0;
            for (int64_t p = a->rowptr[i]; p < a->rowptr[i + 1]; p++) {
                const double v = a->val[p], *b = B->data + a->colind[p] * B->rs + j0 * B->cs;
                for (int64_t j = 0; j < kb; j++) acc[j] += v * b[j * B->cs];
            }
            double *c = C->data + i * C->rs + j0 * C->cs;
            for (int64_t j = 0; j < kb; j++)
                c[j * C->cs] = sf_axpby(alpha, acc[j], beta, c[j * C->cs]);
        }
    }
}

static void rows_any(const sf_csr *a, int64_t r0, int64_t r1, double alpha, const sf_strided *B,
                     double beta, const sf_strided *C) {
    if (B->cols == 1) rows_one_column(a, r0, r1, alpha, B, beta, C);
    else if (B->cs == 1 && C->cs == 1) rows_contiguous(a, r0, r1, alpha, B, beta, C);
    else rows_strided(a, r0, r1, alpha, B, beta, C);
}

static sf_status csr_apply(sf_ctx *ctx, double alpha, const sf_mat *A, const sf_strided *B,
                           double beta, const sf_strided *C) {
    const sf_csr *a = &A->u.csr;
    int64_t work = A->nnz * B->cols + A->rows * C->cols;
    int nt = sf_threads_for(ctx, work);
#pragma omp parallel num_threads(nt)
    {
        int64_t r0, r1;
        sf_split_rows(a->rowptr, A->rows, omp_get_num_threads(), omp_get_thread_num(), &r0, &r1);
        rows_any(a, r0, r1, alpha, B, beta, C);
    }
    return SF_OK;
}

const sf_spmm_kernel sf_spmm_csr_kernel = {.apply = csr_apply, .apply_transpose = NULL};
