/* Gustavson's SpGEMM for two CSR matrices: row i of C = sum over the entries
 * a_ik of row i of A of a_ik times row k of B, gathered in a dense
 * accumulator.  Two passes, both row-parallel with one workspace per thread:
 * count each row's distinct columns, then fill and sort them.  Each row is
 * summed in A's then B's stored order by one thread, so the values do not
 * depend on the thread count. */
#include <omp.h>
#include <stdlib.h>

#include "spgemm_internal.h"

sf_status sf_spgemm_gustavson(sf_ctx *ctx, const sf_mat *A, const sf_mat *B, sf_mat **out);

static int64_t row_count(const sf_mat *A, const sf_mat *B, int64_t i, int64_t *mark) {
    int64_t n = 0;
    for (int64_t p = A->u.csr.rowptr[i]; p < A->u.csr.rowptr[i + 1]; p++) {
        int32_t k = A->u.csr.colind[p];
        for (int64_t q = B->u.csr.rowptr[k]; q < B->u.csr.rowptr[k + 1]; q++) {
            int32_t j = B->u.csr.colind[q];
            if (mark[j] != i + 1) {
                mark[j] = i + 1;
                n++;
            }
        }
    }
    return n;
}

static int cmp_i32(const void *a, const void *b) {
    int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
    return (x > y) - (x < y);
}

static void sort_columns(int32_t *c, int64_t n) {
    if (n > 32) {
        qsort(c, (size_t)n, sizeof *c, cmp_i32);
        return;
    }
    for (int64_t a = 1; a < n; a++) {
        int32_t x = c[a];
        int64_t b = a;
        for (; b > 0 && c[b - 1] > x; b--) c[b] = c[b - 1];
        c[b] = x;
    }
}

/* Row i of C into its slots (rowptr already final); the mark uses -(i+1) so
 * the counting pass's marks need no reset. */
static void row_fill(const sf_mat *A, const sf_mat *B, int64_t i, sf_spgemm_ws *w, sf_mat *C) {
    int64_t start = C->u.csr.rowptr[i];
    int32_t *cols = C->u.csr.colind + start;
    int64_t n = sf_spgemm_row_scatter(A, B, i, w, cols);
    sort_columns(cols, n);
    for (int64_t q = 0; q < n; q++) C->u.csr.val[start + q] = w->acc[cols[q]];
}

void sf_spgemm_ws_free(sf_ctx *ctx, sf_spgemm_ws *w, int n) {
    for (int t = 0; t < n; t++) {
        sf_free(ctx, w[t].mark);
        sf_free(ctx, w[t].acc);
    }
    sf_free(ctx, w);
}

sf_spgemm_ws *sf_spgemm_ws_new(sf_ctx *ctx, int n, int64_t cols) {
    sf_spgemm_ws *w = sf_calloc(ctx, (size_t)n, sizeof *w, "SpGEMM workspaces");
    if (!w) return NULL;
    for (int t = 0; t < n; t++) {
        w[t].mark = sf_calloc(ctx, (size_t)cols, sizeof(int64_t), "SpGEMM column marks");
        w[t].acc = w[t].mark ? sf_alloc_array(ctx, (size_t)cols, sizeof(double), "SpGEMM accumulator")
                             : NULL;
        if (!w[t].acc) {
            sf_spgemm_ws_free(ctx, w, n);
            return NULL;
        }
    }
    return w;
}

/* Pass 1: counts[i + 1] = entries of row i of C, then prefix sums. */
static sf_status count_rows(sf_ctx *ctx, const sf_mat *A, const sf_mat *B, sf_spgemm_ws *w, int nt,
                            int64_t *counts) {
#pragma omp parallel num_threads(nt)
    {
        int64_t r0, r1;
        int t = omp_get_thread_num();
        sf_split_rows(A->u.csr.rowptr, A->rows, omp_get_num_threads(), t, &r0, &r1);
        for (int64_t i = r0; i < r1; i++) counts[i + 1] = row_count(A, B, i, w[t].mark);
    }
    counts[0] = 0;
    for (int64_t i = 0; i < A->rows; i++)
        if (!sf_add_i64(counts[i], counts[i + 1], &counts[i + 1]))
            return sf_error(ctx, SF_ERR_TOO_LARGE, "sf_mat_multiply: the product has too many entries");
    return SF_OK;
}

int sf_spgemm_threads(sf_ctx *ctx, const sf_mat *A, const sf_mat *B) {
    return sf_threads_for(ctx, A->nnz + A->rows + B->nnz);
}

sf_status sf_spgemm_gustavson(sf_ctx *ctx, const sf_mat *A, const sf_mat *B, sf_mat **out) {
    int nt = sf_spgemm_threads(ctx, A, B);
    sf_spgemm_ws *w = sf_spgemm_ws_new(ctx, nt, B->cols);
    SF_CHECK_ALLOC(ctx, w);
    int64_t *counts = sf_alloc_array(ctx, (size_t)A->rows + 1, sizeof *counts, "SpGEMM row counts");
    sf_status st = counts ? count_rows(ctx, A, B, w, nt, counts) : sf_last_alloc_status(ctx);
    sf_mat *C = NULL;
    if (!st) st = sf_csr_new(ctx, A->rows, B->cols, counts[A->rows], &C);
    if (!st) {
        for (int64_t i = 0; i <= A->rows; i++) C->u.csr.rowptr[i] = counts[i];
#pragma omp parallel num_threads(nt)
        {
            int64_t r0, r1;
            int t = omp_get_thread_num();
            sf_split_rows(A->u.csr.rowptr, A->rows, omp_get_num_threads(), t, &r0, &r1);
            for (int64_t i = r0; i < r1; i++) row_fill(A, B, i, &w[t], C);
        }
        *out = C;
    }
    sf_free(ctx, counts);
    sf_spgemm_ws_free(ctx, w, nt);
    return st;
}
