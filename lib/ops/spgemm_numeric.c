/* Gustavson's numeric pass alone: C = A * B rewritten into C's existing
 * pattern, for callers that recompute a product whose factors kept their
 * patterns (sf_jac_chain_update).  Two row-parallel passes over the same
 * split as the fresh product: check that every term lands in C's pattern,
 * then scatter each row into the accumulator and gather it at C's slots.  A
 * row is summed exactly as spgemm_gustavson.c sums it, so the bits match a
 * fresh product for any thread count. */
#include <omp.h>

#include "spgemm_internal.h"

/* The first term of row i outside C's row (its column), or -1.  C's columns
 * are marked i+1, which the scatter's -(i+1) marks never equal. */
static int64_t row_outside(const sf_mat *A, const sf_mat *B, const sf_mat *C, int64_t i,
                           int64_t *mark) {
    for (int64_t p = C->u.csr.rowptr[i]; p < C->u.csr.rowptr[i + 1]; p++)
        mark[C->u.csr.colind[p]] = i + 1;
    for (int64_t p = A->u.csr.rowptr[i]; p < A->u.csr.rowptr[i + 1]; p++) {
        int32_t k = A->u.csr.colind[p];
        for (int64_t q = B->u.csr.rowptr[k]; q < B->u.csr.rowptr[k + 1]; q++)
            if (mark[B->u.csr.colind[q]] != i + 1) return B->u.csr.colind[q];
    }
    return -1;
}

static void row_refill(const sf_mat *A, const sf_mat *B, sf_mat *C, int64_t i, sf_spgemm_ws *w) {
    sf_spgemm_row_scatter(A, B, i, w, NULL);
    for (int64_t p = C->u.csr.rowptr[i]; p < C->u.csr.rowptr[i + 1]; p++) {
        int32_t j = C->u.csr.colind[p];
        C->u.csr.val[p] = w->mark[j] == -(i + 1) ? w->acc[j] : 0.0;
    }
}

/* Pass 1: each thread stops at its first bad row and the lowest of those
 * is kept, so the term reported does not depend on the thread count. */
static bool all_inside(const sf_mat *A, const sf_mat *B, const sf_mat *C, sf_spgemm_ws *w,
                       int nt, int64_t *bad_row, int64_t *bad_col) {
    int64_t first = A->rows, col = -1;
#pragma omp parallel num_threads(nt)
    {
        int64_t r0, r1;
        int t = omp_get_thread_num();
        sf_split_rows(A->u.csr.rowptr, A->rows, omp_get_num_threads(), t, &r0, &r1);
        for (int64_t i = r0, j; i < r1; i++)
            if ((j = row_outside(A, B, C, i, w[t].mark)) >= 0) {
#pragma omp critical(sf_spgemm_numeric_bad)
                if (i < first) first = i, col = j;
                break;
            }
    }
    *bad_row = first, *bad_col = col;
    return col < 0;
}

sf_status sf_spgemm_numeric(sf_ctx *ctx, const sf_mat *A, const sf_mat *B, sf_mat *C,
                            int64_t *bad_row, int64_t *bad_col) {
    int nt = sf_spgemm_threads(ctx, A, B);
    sf_spgemm_ws *w = sf_spgemm_ws_new(ctx, nt, B->cols);
    SF_CHECK_ALLOC(ctx, w);
    sf_status st = SF_ERR_STRUCTURE;
    if (all_inside(A, B, C, w, nt, bad_row, bad_col)) {
#pragma omp parallel num_threads(nt)
        {
            int64_t r0, r1;
            int t = omp_get_thread_num();
            sf_split_rows(A->u.csr.rowptr, A->rows, omp_get_num_threads(), t, &r0, &r1);
            for (int64_t i = r0; i < r1; i++) row_refill(A, B, C, i, &w[t]);
        }
        st = SF_OK;
    }
    sf_spgemm_ws_free(ctx, w, nt);
    return st;
}
