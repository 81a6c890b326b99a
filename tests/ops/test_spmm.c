/* sf_spmm / sf_spmv against a naive dense reference: every kind, op, layout of
 * B and C (with ld > cols), several column counts and alpha/beta pairs. */
#include <math.h>
#include <stdlib.h>

#include "ops_testutil.h"

static const sf_kind kinds[] = {SF_CSR, SF_DIAG, SF_SELECT, SF_INTERP};

/* One product checked against the reference; C's padding must survive. */
static void check_case(sf_ctx *ctx, const sf_mat *A, sf_op op, sf_layout lb, sf_layout lc,
                       int64_t k, double alpha, double beta, uint64_t seed) {
    int64_t m = op ? sf_mat_cols(A) : sf_mat_rows(A), n = op ? sf_mat_rows(A) : sf_mat_cols(A);
    double *Ad = tu_dense_of(ctx, A);
    sf_dense B = ot_view(n, k, lb, SF_REAL, 3, seed), C = ot_view(m, k, lc, SF_REAL, 2, seed + 1);
    double *want = ot_ref_product(Ad, sf_mat_rows(A), sf_mat_cols(A), op, alpha, &B, beta, &C);
    cr_assert_eq(sf_spmm(ctx, alpha, A, op, &B, beta, &C), SF_OK, "%s", sf_ctx_message(ctx));
    double *got = ot_rowmajor(&C);
    cr_assert_lt(tu_rel_diff(got, want, m * k), 1e-13, "kind %s op %d layouts %d/%d k %lld",
                 sf_kind_name(sf_mat_kind(A)), op, lb, lc, (long long)k);
    ot_assert_pad_intact(&C);
    free(Ad);
    free(want);
    free(got);
    ot_view_free(&B);
    ot_view_free(&C);
}

Test(spmm, every_kind_op_layout_against_dense) {
    sf_ctx *ctx = tu_ctx();
    const int64_t ks[] = {1, 3, 70};
    const double ab[][2] = {{1, 0}, {-0.5, 2}, {2.5, 1}};
    for (int kd = 0; kd < 4; kd++) {
        sf_mat *A = ot_handle(ctx, kinds[kd], 23, kinds[kd] == SF_DIAG ? 23 : 17, (uint64_t)kd + 1);
        for (int op = 0; op < 2; op++)
            for (int lb = 0; lb < 2; lb++)
                for (int lc = 0; lc < 2; lc++)
                    for (int q = 0; q < 3; q++)
                        for (int s = 0; s < 3; s++)
                            check_case(ctx, A, (sf_op)op, (sf_layout)lb, (sf_layout)lc, ks[q],
                                       ab[s][0], ab[s][1], (uint64_t)(kd * 100 + q * 10 + s));
        sf_mat_free(A);
    }
    tu_ctx_done(ctx);
}

Test(spmm, non_injective_selection_transposed) {
    sf_ctx *ctx = tu_ctx();
    int64_t dst[] = {0, 1, 2, 4}, src[] = {2, 2, 0, 2};
    double w[] = {1.5, -2, 3, 0.25};
    sf_mat *S = NULL;
    cr_assert_eq(sf_mat_selection(ctx, 5, 3, 4, dst, src, w, &S), SF_OK);
    check_case(ctx, S, SF_OP_TRANSPOSE, SF_ROW_MAJOR, SF_COL_MAJOR, 4, 1.0, 0.5, 9);
    check_case(ctx, S, SF_OP_NONE, SF_COL_MAJOR, SF_ROW_MAJOR, 4, 1.0, 0.0, 10);
    sf_mat_free(S);
    tu_ctx_done(ctx);
}

Test(spmm, spmv_matches_spmm_column) {
    sf_ctx *ctx = tu_ctx();
    sf_mat *A = tu_random_csr(ctx, 30, 20, 0.2, 5);
    double *Ad = tu_dense_of(ctx, A);
    uint64_t s = 3;
    double x[30], y[30], y0[30];
    for (int i = 0; i < 30; i++) x[i] = tu_uniform(&s), y0[i] = y[i] = tu_uniform(&s);
    for (int op = 0; op < 2; op++) {
        int m = op ? 20 : 30, n = op ? 30 : 20;
        for (int i = 0; i < 30; i++) y[i] = y0[i];
        cr_assert_eq(sf_spmv(ctx, 2.0, A, (sf_op)op, x, -1.0, y), SF_OK);
        for (int i = 0; i < m; i++) {
            double r = 0;
            for (int l = 0; l < n; l++) r += (op ? Ad[l * 20 + i] : Ad[i * 20 + l]) * x[l];
            cr_assert_float_eq(y[i], 2 * r - y0[i], 1e-13);
        }
    }
    free(Ad);
    sf_mat_free(A);
    tu_ctx_done(ctx);
}

/* Rows under 32 entries are summed in stored order by every loop: each
 * column of an SpMM (whatever the width and layout, whichever of the SSE2,
 * AVX, four-column and column-by-column loops runs) is bitwise the SpMV of
 * that column. */
static void check_columns_against_spmv(sf_ctx *ctx, const sf_mat *A, int64_t k, sf_layout lay,
                                       uint64_t *s) {
    int64_t m = sf_mat_rows(A), n = sf_mat_cols(A);
    double *B = malloc((size_t)(n * k) * sizeof *B), *C = malloc((size_t)(m * k) * sizeof *C);
    double *x = malloc((size_t)n * sizeof *x), *y = malloc((size_t)m * sizeof *y);
    for (int64_t i = 0; i < n * k; i++) B[i] = tu_uniform(s) - 0.5;
    sf_dense Bv = sf_dense_view(n, k, lay, SF_REAL, B), Cv = sf_dense_view(m, k, lay, SF_REAL, C);
    cr_assert_eq(sf_spmm(ctx, 1.5, A, SF_OP_NONE, &Bv, 0.0, &Cv), SF_OK);
    bool rm = lay == SF_ROW_MAJOR;
    for (int64_t j = 0; j < k; j++) {
        for (int64_t l = 0; l < n; l++) x[l] = rm ? B[l * k + j] : B[j * n + l];
        cr_assert_eq(sf_spmv(ctx, 1.5, A, SF_OP_NONE, x, 0.0, y), SF_OK);
        for (int64_t i = 0; i < m; i++) {
            double c = rm ? C[i * k + j] : C[j * m + i];
            cr_assert(c == y[i], "layout %d k %lld column %lld row %lld: %.17g vs %.17g", lay,
                      (long long)k, (long long)j, (long long)i, c, y[i]);
        }
    }
    free(B), free(C), free(x), free(y);
}

/* A banded-looking matrix (every entry within 4096 columns of the
 * diagonal) and a scattered one (20000 columns), with 1 and 2 threads. */
Test(spmm, columns_bitwise_equal_spmv_of_each_column) {
    sf_ctx *ctx = tu_ctx();
    sf_mat *A[2] = {tu_random_csr(ctx, 200, 150, 0.08, 17), tu_random_csr(ctx, 3000, 20000, 0.0005, 18)};
    const int64_t widths[] = {2, 3, 4, 8, 16, 17, 70};
    uint64_t s = 5;
    for (int a = 0; a < 2; a++)
        for (int threads = 1; threads <= 2; threads++) {
            sf_ctx_set_threads(ctx, threads);
            for (size_t w = 0; w < sizeof widths / sizeof *widths; w++) {
                check_columns_against_spmv(ctx, A[a], widths[w], SF_ROW_MAJOR, &s);
                check_columns_against_spmv(ctx, A[a], widths[w], SF_COL_MAJOR, &s);
            }
        }
    sf_mat_free(A[0]);
    sf_mat_free(A[1]);
    tu_ctx_done(ctx);
}

Test(spmm, complex_dense_is_real_and_imaginary_parts) {
    sf_ctx *ctx = tu_ctx();
    sf_mat *A = tu_random_csr(ctx, 12, 9, 0.3, 8);
    double *Ad = tu_dense_of(ctx, A);
    for (int op = 0; op < 2; op++)
        for (int lb = 0; lb < 2; lb++)
            for (int lc = 0; lc < 2; lc++) {
                int64_t m = op ? 9 : 12, n = op ? 12 : 9, k = 4;
                sf_dense B = ot_view(n, k, (sf_layout)lb, SF_COMPLEX, 1, 4);
                sf_dense C = ot_view(m, k, (sf_layout)lc, SF_COMPLEX, 2, 5);
                sf_dense C0 = ot_view(m, k, (sf_layout)lc, SF_COMPLEX, 2, 5);
                cr_assert_eq(sf_spmm(ctx, 1.5, A, (sf_op)op, &B, 0.5, &C), SF_OK, "%s",
                             sf_ctx_message(ctx));
                for (int64_t i = 0; i < m; i++)
                    for (int64_t j = 0; j < k; j++)
                        for (int part = 0; part < 2; part++) {
                            double r = 0;
                            for (int64_t l = 0; l < n; l++)
                                r += (op ? Ad[l * 9 + i] : Ad[i * 9 + l]) * ot_at(&B, l, j)[part];
                            cr_assert_float_eq(ot_at(&C, i, j)[part],
                                               1.5 * r + 0.5 * ot_at(&C0, i, j)[part], 1e-13);
                        }
                ot_assert_pad_intact(&C);
                ot_view_free(&B);
                ot_view_free(&C);
                ot_view_free(&C0);
            }
    free(Ad);
    sf_mat_free(A);
    tu_ctx_done(ctx);
}

/* Big enough that sf_threads_for gives 2 threads: the results must be the
 * same bits as with 1 thread. */
Test(spmm, one_and_two_threads_bitwise_equal) {
    sf_ctx *ctx = tu_ctx();
    sf_mat *A = tu_random_csr(ctx, 40000, 30000, 3e-4, 11);
    for (int op = 0; op < 2; op++)
        for (int64_t k = 1; k <= 5; k += 4)
            for (int lay = 0; lay < 2; lay++) {
                int64_t m = op ? 30000 : 40000, n = op ? 40000 : 30000;
                sf_dense B = ot_view(n, k, (sf_layout)lay, SF_REAL, 0, 1);
                sf_dense C1 = ot_view(m, k, (sf_layout)lay, SF_REAL, 0, 2);
                sf_dense C2 = ot_view(m, k, (sf_layout)lay, SF_REAL, 0, 2);
                cr_assert_eq(sf_ctx_set_threads(ctx, 1), SF_OK);
                cr_assert_eq(sf_spmm(ctx, 1.0, A, (sf_op)op, &B, 0.3, &C1), SF_OK);
                cr_assert_eq(sf_ctx_set_threads(ctx, 2), SF_OK);
                cr_assert_eq(sf_spmm(ctx, 1.0, A, (sf_op)op, &B, 0.3, &C2), SF_OK);
                cr_assert_eq(memcmp(C1.data, C2.data, (size_t)(m * k) * sizeof(double)), 0,
                             "op %d k %lld layout %d", op, (long long)k, lay);
                ot_view_free(&B);
                ot_view_free(&C1);
                ot_view_free(&C2);
            }
    sf_mat_free(A);
    tu_ctx_done(ctx);
}

/* A scattered pattern with B over 4 MB takes the prefetching kernels: the
 * result must be exactly the naive row sums (same order), for 1 and 2
 * threads, for one and several columns. */
Test(spmm, scattered_large_operand_exact) {
    sf_ctx *ctx = tu_ctx();
    enum { M = 5000, N = 600000 };
    sf_mat *A = tu_random_csr(ctx, M, N, 10.0 / N, 21);
    tu_csr a = tu_export_csr(ctx, A);
    const int64_t *rp = a.rowptr;
    const int32_t *ci = a.colind;
    const double *v = a.val;
    for (int64_t k = 1; k <= 3; k += 2) {
        sf_dense B = ot_view(N, k, SF_ROW_MAJOR, SF_REAL, 0, 5);
        double *want = malloc((size_t)(M * k) * sizeof *want), *got = malloc((size_t)(M * k) * sizeof *got);
        for (int64_t i = 0; i < M; i++)
            for (int64_t j = 0; j < k; j++) {
                double s = 0;
                for (int64_t p = rp[i]; p < rp[i + 1]; p++) s += v[p] * *ot_at(&B, ci[p], j);
                want[i * k + j] = s;
            }
        for (int t = 1; t <= 2; t++) {
            sf_ctx_set_threads(ctx, t);
            sf_dense C = sf_dense_view(M, k, SF_ROW_MAJOR, SF_REAL, got);
            cr_assert_eq(sf_spmm(ctx, 1.0, A, SF_OP_NONE, &B, 0.0, &C), SF_OK);
            cr_assert_eq(memcmp(got, want, (size_t)(M * k) * sizeof *got), 0, "k %lld threads %d",
                         (long long)k, t);
        }
        free(want), free(got);
        ot_view_free(&B);
    }
    tu_csr_free(&a);
    sf_mat_free(A);
    tu_ctx_done(ctx);
}
