/* sf_spmm edge cases: beta = 0 with NaN in C, alpha = 0, IEEE propagation,
 * empty shapes, bad arguments with their messages, the cached transpose and
 * allocation failures. */
#include <math.h>
#include <stdlib.h>

#include "ops_testutil.h"

static const sf_kind kinds[] = {SF_CSR, SF_DIAG, SF_SELECT, SF_INTERP};

Test(spmm_edges, beta_zero_ignores_nan_in_c) {
    sf_ctx *ctx = tu_ctx();
    for (int kd = 0; kd < 4; kd++)
        for (int op = 0; op < 2; op++) {
            sf_mat *A = ot_handle(ctx, kinds[kd], 8, 8, 3);
            sf_dense B = ot_view(8, 3, SF_ROW_MAJOR, SF_REAL, 0, 1);
            double c[24];
            for (int q = 0; q < 24; q++) c[q] = NAN;
            sf_dense C = sf_dense_view(8, 3, SF_ROW_MAJOR, SF_REAL, c);
            cr_assert_eq(sf_spmm(ctx, 1.0, A, (sf_op)op, &B, 0.0, &C), SF_OK);
            for (int q = 0; q < 24; q++) cr_assert(!isnan(c[q]), "kind %d op %d entry %d", kd, op, q);
            sf_mat_free(A);
            ot_view_free(&B);
        }
    tu_ctx_done(ctx);
}

Test(spmm_edges, alpha_zero_scales_c_only) {
    sf_ctx *ctx = tu_ctx();
    sf_mat *A = tu_random_csr(ctx, 6, 4, 0.5, 2);
    double b[12], c[18], c0[18];
    for (int q = 0; q < 12; q++) b[q] = NAN; /* not read */
    for (int q = 0; q < 18; q++) c0[q] = c[q] = q - 4.5;
    sf_dense B = sf_dense_view(4, 3, SF_ROW_MAJOR, SF_REAL, b), C = sf_dense_view(6, 3, SF_ROW_MAJOR, SF_REAL, c);
    cr_assert_eq(sf_spmm(ctx, 0.0, A, SF_OP_NONE, &B, 3.0, &C), SF_OK);
    for (int q = 0; q < 18; q++) cr_assert_eq(c[q], 3.0 * c0[q]);
    cr_assert_eq(sf_spmm(ctx, 0.0, A, SF_OP_NONE, &B, 0.0, &C), SF_OK);
    for (int q = 0; q < 18; q++) cr_assert_eq(c[q], 0.0);
    /* shapes are still checked */
    sf_dense Bbad = sf_dense_view(5, 3, SF_ROW_MAJOR, SF_REAL, b);
    cr_assert_eq(sf_spmm(ctx, 0.0, A, SF_OP_NONE, &Bbad, 0.0, &C), SF_ERR_SHAPE);
    sf_mat_free(A);
    tu_ctx_done(ctx);
}

Test(spmm_edges, nan_and_inf_propagate) {
    sf_ctx *ctx = tu_ctx();
    int64_t rp[] = {0, 2, 3, 3}, ci[] = {0, 1, 1};
    double v[] = {1, 2, 3};
    sf_mat *A = NULL;
    cr_assert_eq(sf_mat_from_csr(ctx, 3, 2, rp, ci, v, 0, &A), SF_OK);
    double x[2] = {NAN, INFINITY}, y[3] = {7, 7, 7};
    cr_assert_eq(sf_spmv(ctx, 1.0, A, SF_OP_NONE, x, 0.0, y), SF_OK);
    cr_assert(isnan(y[0]));
    cr_assert(isinf(y[1]) && y[1] > 0);
    cr_assert_eq(y[2], 0.0, "an empty row gives 0");
    sf_mat_free(A);
    tu_ctx_done(ctx);
}

Test(spmm_edges, empty_shapes_and_zero_columns) {
    sf_ctx *ctx = tu_ctx();
    sf_mat *A0 = tu_random_csr(ctx, 0, 5, 0.5, 1), *A1 = tu_random_csr(ctx, 4, 0, 0.5, 1);
    double b[15] = {0}, c[12];
    for (int q = 0; q < 12; q++) c[q] = 2.0;
    sf_dense B = sf_dense_view(5, 3, SF_ROW_MAJOR, SF_REAL, b), C0 = sf_dense_view(0, 3, SF_ROW_MAJOR, SF_REAL, NULL);
    cr_assert_eq(sf_spmm(ctx, 1.0, A0, SF_OP_NONE, &B, 1.0, &C0), SF_OK);
    sf_dense B0 = sf_dense_view(0, 3, SF_ROW_MAJOR, SF_REAL, NULL), C = sf_dense_view(4, 3, SF_ROW_MAJOR, SF_REAL, c);
    cr_assert_eq(sf_spmm(ctx, 1.0, A1, SF_OP_NONE, &B0, 0.5, &C), SF_OK);
    for (int q = 0; q < 12; q++) cr_assert_eq(c[q], 1.0, "a 4 x 0 product leaves beta * C");
    sf_dense Bk = sf_dense_view(0, 0, SF_COL_MAJOR, SF_REAL, NULL), Ck = sf_dense_view(4, 0, SF_COL_MAJOR, SF_REAL, NULL);
    cr_assert_eq(sf_spmm(ctx, 1.0, A1, SF_OP_NONE, &Bk, 0.0, &Ck), SF_OK, "k = 0");
    /* transposed empty: 5 x 0 times 0 x 3 */
    sf_dense C5 = sf_dense_view(5, 3, SF_ROW_MAJOR, SF_REAL, b);
    cr_assert_eq(sf_spmm(ctx, 1.0, A0, SF_OP_TRANSPOSE, &B0, 0.0, &C5), SF_OK);
    for (int q = 0; q < 15; q++) cr_assert_eq(b[q], 0.0);
    sf_mat_free(A0);
    sf_mat_free(A1);
    tu_ctx_done(ctx);
}

Test(spmm_edges, shape_mismatch_names_both_shapes) {
    sf_ctx *ctx = tu_ctx();
    sf_mat *A = tu_random_csr(ctx, 3, 4, 0.5, 1);
    double b[40] = {0}, c[40];
    for (int q = 0; q < 40; q++) c[q] = q;
    sf_dense B = sf_dense_view(5, 2, SF_ROW_MAJOR, SF_REAL, b), C = sf_dense_view(3, 2, SF_ROW_MAJOR, SF_REAL, c);
    cr_assert_eq(sf_spmm(ctx, 1.0, A, SF_OP_NONE, &B, 0.0, &C), SF_ERR_SHAPE);
    cr_assert_str_eq(sf_ctx_message(ctx), "sf_spmm: A is 3 x 4, B is 5 x 2");
    cr_assert_eq(sf_spmm(ctx, 1.0, A, SF_OP_TRANSPOSE, &B, 0.0, &C), SF_ERR_SHAPE);
    cr_assert_str_eq(sf_ctx_message(ctx), "sf_spmm: A^T is 4 x 3, B is 5 x 2");
    sf_dense B4 = sf_dense_view(4, 2, SF_ROW_MAJOR, SF_REAL, b), C4 = sf_dense_view(4, 2, SF_ROW_MAJOR, SF_REAL, c);
    cr_assert_eq(sf_spmm(ctx, 1.0, A, SF_OP_NONE, &B4, 0.0, &C4), SF_ERR_SHAPE);
    cr_assert_str_eq(sf_ctx_message(ctx), "sf_spmm: A * B is 3 x 2, C is 4 x 2");
    for (int q = 0; q < 40; q++) cr_assert_eq(c[q], q, "C unchanged");
    sf_mat_free(A);
    tu_ctx_done(ctx);
}

Test(spmm_edges, bad_arguments) {
    sf_ctx *ctx = tu_ctx();
    sf_mat *A = tu_random_csr(ctx, 3, 3, 0.5, 1);
    double b[18] = {0}, c[18] = {0};
    sf_dense B = sf_dense_view(3, 3, SF_ROW_MAJOR, SF_REAL, b), C = sf_dense_view(3, 3, SF_ROW_MAJOR, SF_REAL, c);
    cr_assert_eq(sf_spmm(NULL, 1.0, A, SF_OP_NONE, &B, 0.0, &C), SF_ERR_ARG);
    cr_assert_eq(sf_spmm(ctx, 1.0, NULL, SF_OP_NONE, &B, 0.0, &C), SF_ERR_ARG);
    cr_assert_str_eq(sf_ctx_message(ctx), "sf_spmm: matrix handle is NULL");
    cr_assert_eq(sf_spmm(ctx, 1.0, A, (sf_op)7, &B, 0.0, &C), SF_ERR_ARG);
    cr_assert_str_eq(sf_ctx_message(ctx), "sf_spmm: unknown op 7");
    cr_assert_eq(sf_spmm(ctx, 1.0, A, SF_OP_NONE, NULL, 0.0, &C), SF_ERR_ARG);
    cr_assert_str_eq(sf_ctx_message(ctx), "sf_spmm: B: dense view is NULL");
    sf_dense Cz = sf_dense_view(3, 3, SF_ROW_MAJOR, SF_COMPLEX, c);
    cr_assert_eq(sf_spmm(ctx, 1.0, A, SF_OP_NONE, &B, 0.0, &Cz), SF_ERR_ARG);
    cr_assert_str_eq(sf_ctx_message(ctx), "sf_spmm: B is real but C is complex");
    cr_assert_eq(sf_spmm(ctx, 1.0, A, SF_OP_NONE, &B, 0.0, &B), SF_ERR_ARG);
    cr_assert_str_eq(sf_ctx_message(ctx), "sf_spmm: B and C share memory");
    cr_assert_eq(sf_spmv(ctx, 1.0, A, SF_OP_NONE, NULL, 0.0, c), SF_ERR_ARG);
    cr_assert_str_eq(sf_ctx_message(ctx), "sf_spmv: NULL vector");
    /* partial overlap is refused like sharing, and sf_spmv names itself */
    sf_dense Cs = sf_dense_view(3, 3, SF_ROW_MAJOR, SF_REAL, b + 1);
    cr_assert_eq(sf_spmm(ctx, 1.0, A, SF_OP_NONE, &B, 0.0, &Cs), SF_ERR_ARG);
    cr_assert_str_eq(sf_ctx_message(ctx), "sf_spmm: B and C share memory");
    for (int q = 0; q < 18; q++) b[q] = q;
    cr_assert_eq(sf_spmv(ctx, 1.0, A, SF_OP_NONE, b, 0.0, b + 2), SF_ERR_ARG);
    cr_assert_str_eq(sf_ctx_message(ctx), "sf_spmv: B and C share memory");
    cr_assert_eq(sf_spmv(ctx, 1.0, A, (sf_op)3, b, 0.0, c), SF_ERR_ARG);
    cr_assert_str_eq(sf_ctx_message(ctx), "sf_spmv: unknown op 3");
    for (int q = 0; q < 18; q++) cr_assert_eq(b[q], q, "nothing written");
    cr_assert_eq(sf_spmv(ctx, 1.0, A, SF_OP_NONE, b, 0.0, b + 3), SF_OK, "adjacent, not overlapping");
    sf_mat_free(A);
    tu_ctx_done(ctx);
}

Test(spmm_edges, transpose_cache_is_accounted_and_reused) {
    sf_ctx *ctx = tu_ctx();
    sf_mat *A = tu_random_csr(ctx, 50, 40, 0.1, 4);
    size_t before = sf_mat_bytes(A);
    double x[50], y[40];
    for (int i = 0; i < 50; i++) x[i] = i;
    cr_assert_eq(sf_spmv(ctx, 1.0, A, SF_OP_TRANSPOSE, x, 0.0, y), SF_OK);
    size_t after = sf_mat_bytes(A);
    cr_assert_gt(after, before, "the transpose is cached and counted");
    cr_assert_eq(after, sf_ctx_bytes_in_use(ctx), "bytes held = bytes charged");
    uint64_t allocs = sf_ctx_alloc_count(ctx);
    cr_assert_eq(sf_spmv(ctx, 1.0, A, SF_OP_TRANSPOSE, x, 0.0, y), SF_OK);
    cr_assert_eq(sf_ctx_alloc_count(ctx), allocs, "second call allocates nothing");
    sf_mat_free(A);
    tu_ctx_done(ctx);
}

/* Allocation failures while caching the transpose leave nothing behind and
 * C untouched. */
static sf_status transposed_product(sf_ctx *ctx, void *arg) {
    (void)arg;
    int64_t rp[] = {0, 2, 3}, ci[] = {0, 2, 1};
    double v[] = {1, 2, 3}, x[2] = {1, 1}, y[3] = {5, 5, 5};
    sf_mat *A = NULL;
    sf_status st = sf_mat_from_csr(ctx, 2, 3, rp, ci, v, 0, &A);
    if (st) return st;
    st = sf_spmv(ctx, 1.0, A, SF_OP_TRANSPOSE, x, 0.0, y);
    if (st) cr_assert(y[0] == 5 && y[1] == 5 && y[2] == 5, "y untouched on failure");
    else cr_assert(y[0] == 1 && y[1] == 3 && y[2] == 2);
    sf_mat_free(A);
    return st;
}

Test(spmm_edges, allocation_failures_in_transposed_product) {
    tu_check_alloc_failures(transposed_product, NULL);
}

/* An arrow matrix (dense first row and column, a diagonal): the dense row
 * is summed in several chains.  Against a naive dot product, and 1 vs 2
 * threads bitwise. */
Test(spmm_edges, long_rows_against_naive_and_threads) {
    sf_ctx *ctx = tu_ctx();
    enum { N = 40000 };
    int64_t *ri = malloc(3 * N * sizeof *ri), *ci = malloc(3 * N * sizeof *ci);
    double *v = malloc(3 * N * sizeof *v), *x = malloc(N * sizeof *x);
    double *y1 = malloc(N * sizeof *y1), *y2 = malloc(N * sizeof *y2);
    uint64_t s = 11;
    int64_t n = 0;
    for (int64_t i = 0; i < N; i++) {
        x[i] = tu_uniform(&s);
        ri[n] = i, ci[n] = i, v[n++] = 4.0 + tu_uniform(&s);
        if (i == 0) continue;
        ri[n] = 0, ci[n] = i, v[n++] = tu_uniform(&s);
        ri[n] = i, ci[n] = 0, v[n++] = tu_uniform(&s);
    }
    sf_mat *A;
    cr_assert_eq(sf_mat_from_triplets(ctx, N, N, n, ri, ci, v, &A), SF_OK);
    cr_assert_eq(sf_spmv(ctx, 1.0, A, SF_OP_NONE, x, 0.0, y1), SF_OK);
    long double dot = 0, mag = 0; /* row 0 entries are (0, j) for all j */
    for (int64_t k = 0; k < n; k++)
        if (ri[k] == 0) {
            dot += (long double)v[k] * x[ci[k]];
            mag += fabsl((long double)v[k] * x[ci[k]]);
        }
    cr_assert_leq(fabsl(y1[0] - dot), 1e-14L * mag, "row 0: %.17g vs %.17Lg", y1[0], dot);
    for (int64_t i = 1; i < N; i += 997) {
        double want = 0;
        for (int64_t k = 0; k < n; k++)
            if (ri[k] == i) want += v[k] * x[ci[k]];
        cr_assert_float_eq(y1[i], want, 1e-14);
    }
    sf_ctx_set_threads(ctx, 2);
    cr_assert_eq(sf_spmv(ctx, 1.0, A, SF_OP_NONE, x, 0.0, y2), SF_OK);
    cr_assert_eq(memcmp(y1, y2, N * sizeof *y1), 0, "1 and 2 threads differ");
    sf_mat_free(A);
    free(ri), free(ci), free(v), free(x), free(y1), free(y2);
    tu_ctx_done(ctx);
}

/* The documented summation order of one row: rows of 32 entries or more
 * in four chains (entry p to chain (p - p0) mod 4, then (c0 + c1) + (c2 +
 * c3)), the rest in stored order. */
static double row_dot(const int64_t *rp, const int32_t *ci, const double *v, const double *x,
                      int64_t st, int64_t i) {
    double c[4] = {0, 0, 0, 0}, s;
    int64_t p = rp[i], full = rp[i + 1] - rp[i] >= 32 ? (rp[i + 1] - rp[i]) / 4 * 4 : 0;
    for (int64_t q = 0; q < full; q++) c[q % 4] += v[p + q] * x[ci[p + q] * st];
    s = full ? (c[0] + c[1]) + (c[2] + c[3]) : 0.0;
    for (p += full; p < rp[i + 1]; p++) s += v[p] * x[ci[p] * st];
    return s;
}

/* y = alpha * A x + beta * y for one column with stride `st` through
 * sf_spmm, against naive row sums in that order: bitwise equal.  With
 * beta = 0, y starts as NaN and must be ignored. */
static void check_spmv_exact(sf_ctx *ctx, const sf_mat *A, int64_t st, double beta) {
    int64_t m = sf_mat_rows(A), n = sf_mat_cols(A);
    tu_csr a = tu_export_csr(ctx, A);
    double *x = malloc((size_t)(n * st) * sizeof *x), *y = malloc((size_t)(m * st) * sizeof *y);
    double *want = malloc((size_t)m * sizeof *want), alpha = 1.5;
    uint64_t s = 7;
    for (int64_t q = 0; q < n * st; q++) x[q] = tu_uniform(&s);
    for (int64_t i = 0; i < m; i++) {
        y[i * st] = beta == 0.0 ? NAN : tu_uniform(&s);
        double dot = row_dot(a.rowptr, a.colind, a.val, x, st, i);
        want[i] = beta == 0.0 ? alpha * dot : alpha * dot + beta * y[i * st];
    }
    sf_dense X = sf_dense_view(n, 1, SF_ROW_MAJOR, SF_REAL, x);
    sf_dense Y = sf_dense_view(m, 1, SF_ROW_MAJOR, SF_REAL, y);
    X.ld = Y.ld = st;
    cr_assert_eq(sf_spmm(ctx, alpha, A, SF_OP_NONE, &X, beta, &Y), SF_OK);
    for (int64_t i = 0; i < m; i++)
        cr_assert(memcmp(&y[i * st], &want[i], sizeof *y) == 0, "row %lld: %.17g vs %.17g",
                  (long long)i, y[i * st], want[i]);
    tu_csr_free(&a);
    free(x), free(y), free(want);
}

/* Each SpMV loop: with and without prefetch (a scattered pattern over an x
 * of 4.8 MB, or a small one), beta zero or not, unit or strided vectors,
 * rows of about 60 entries (four chains) and of about 6. */
Test(spmm_edges, spmv_variants_exact_against_naive) {
    sf_ctx *ctx = tu_ctx();
    sf_mat *small = tu_random_csr(ctx, 300, 300, 0.2, 3);
    sf_mat *large = tu_random_csr(ctx, 2000, 600000, 60.0 / 600000, 4);
    sf_mat *sparse = tu_random_csr(ctx, 2000, 600000, 6.0 / 600000, 5);
    const sf_mat *mats[] = {small, large, sparse};
    for (int q = 0; q < 3; q++)
        for (int64_t st = 1; st <= 2; st++) {
            check_spmv_exact(ctx, mats[q], st, 0.0);
            check_spmv_exact(ctx, mats[q], st, -0.75);
        }
    sf_mat_free(small);
    sf_mat_free(large);
    sf_mat_free(sparse);
    tu_ctx_done(ctx);
}

/* C = alpha * A * B with beta = 0 into a row-major C of ld columns, the
 * cols given; C starts NaN and the padding columns hold a sentinel. */
static void check_large_c(sf_ctx *ctx, const sf_mat *A, const int64_t *rp, const int32_t *ci,
                          const double *v, int64_t k, int64_t ld) {
    int64_t m = sf_mat_rows(A), n = sf_mat_cols(A);
    double *b = malloc((size_t)(n * k) * sizeof *b), *c = malloc((size_t)(m * ld) * sizeof *c);
    uint64_t s = 9;
    for (int64_t q = 0; q < n * k; q++) b[q] = tu_uniform(&s);
    sf_dense B = sf_dense_view(n, k, SF_ROW_MAJOR, SF_REAL, b);
    sf_dense C = sf_dense_view(m, k, SF_ROW_MAJOR, SF_REAL, c);
    C.ld = ld;
    for (int t = 1; t <= 2; t++) {
        for (int64_t q = 0; q < m * ld; q++) c[q] = q % ld < k ? NAN : -7.0;
        sf_ctx_set_threads(ctx, t);
        cr_assert_eq(sf_spmm(ctx, -1.25, A, SF_OP_NONE, &B, 0.0, &C), SF_OK);
        for (int64_t i = 0; i < m; i += 7)
            for (int64_t j = 0; j < ld; j++) {
                double dot = 0.0;
                for (int64_t p = rp[i]; p < rp[i + 1] && j < k; p++) dot += v[p] * b[ci[p] * k + j];
                double want = j < k ? -1.25 * dot : -7.0;
                cr_assert(memcmp(&c[i * ld + j], &want, sizeof want) == 0,
                          "k %lld threads %d (%lld, %lld): %.17g vs %.17g", (long long)k, t,
                          (long long)i, (long long)j, c[i * ld + j], want);
            }
    }
    free(b), free(c);
}

/* An output over 32 MB with beta = 0 is written with streaming stores: the
 * same values as the naive row sums, NaN in C ignored, padding kept, for 16
 * columns (the unrolled loop) and 5 columns in rows of 6 (the general loop
 * and its odd last column), 1 and 2 threads. */
Test(spmm_edges, large_output_streamed_exact) {
    sf_ctx *ctx = tu_ctx();
    enum { M = 700000, N = 2000 };
    sf_mat *A = tu_random_csr(ctx, M, N, 3.0 / N, 6);
    tu_csr a = tu_export_csr(ctx, A);
    check_large_c(ctx, A, a.rowptr, a.colind, a.val, 16, 16);
    check_large_c(ctx, A, a.rowptr, a.colind, a.val, 5, 6);
    tu_csr_free(&a);
    sf_mat_free(A);
    tu_ctx_done(ctx);
}
