/* Triangular solves against a dense substitution written here (small sizes)
 * and CXSparse (large sizes): every uplo/op/diag combination, several
 * right-hand sides in both layouts, in place, the analysis cache, threads. */
#include <math.h>
#include <stdlib.h>

#include "solve_testutil.h"

static const sf_uplo uplos[] = {SF_LOWER, SF_UPPER};
static const sf_op ops[] = {SF_OP_NONE, SF_OP_TRANSPOSE};
static const sf_diag_type diags[] = {SF_NON_UNIT, SF_UNIT};

/* Solve op(T) X = alpha B for k columns with B row-major (ld = k + 2) and X
 * column-major (ld = n + 3), and compare each column with the dense reference. */
static void check_against_dense(sf_ctx *ctx, const sf_mat *T, sf_uplo uplo, sf_op op,
                                sf_diag_type diag, unsigned flags, int64_t k) {
    int64_t n = sf_mat_rows(T), ldb = k + 2, ldx = n + 3;
    double *t = tu_dense_of(ctx, T), alpha = -1.5;
    double *b = malloc((size_t)(n * ldb + 1) * sizeof *b), *x = calloc((size_t)(ldx * k + 1), sizeof *x);
    double *bc = malloc((size_t)n * sizeof *bc), *want = malloc((size_t)n * sizeof *want);
    uint64_t s = 99;
    for (int64_t i = 0; i < n * ldb; i++) b[i] = tu_uniform(&s);
    sf_dense B = {n, k, ldb, SF_ROW_MAJOR, SF_REAL, b}, X = {n, k, ldx, SF_COL_MAJOR, SF_REAL, x};
    cr_assert_eq(sf_tri_solve(ctx, T, uplo, op, diag, flags, alpha, &B, &X), SF_OK, "%s",
                 sf_ctx_message(ctx));
    for (int64_t c = 0; c < k; c++) {
        for (int64_t i = 0; i < n; i++) bc[i] = b[i * ldb + c];
        st_dense_tri_solve(t, n, uplo, op, diag, alpha, bc, want);
        cr_assert_lt(tu_rel_diff(x + c * ldx, want, n), 1e-13, "uplo %d op %d diag %d col %lld",
                     uplo, op, diag, (long long)c);
    }
    free(t);
    free(b);
    free(x);
    free(bc);
    free(want);
}

Test(trisolve, every_combination_against_dense) {
    sf_ctx *ctx = tu_ctx();
    for (int u = 0; u < 2; u++) {
        sf_mat *T = st_random_tri(ctx, 40, uplos[u], 4, 0, 3 + u);
        for (int o = 0; o < 2; o++)
            for (int d = 0; d < 2; d++)
                for (int64_t k = 1; k <= 19; k += 9) check_against_dense(ctx, T, uplos[u], ops[o], diags[d], 0, k);
        sf_mat_free(T);
    }
    tu_ctx_done(ctx);
}

Test(trisolve, other_side_ignored_in_fill_mode) {
    sf_ctx *ctx = tu_ctx();
    for (int u = 0; u < 2; u++) {
        sf_mat *T = st_random_tri(ctx, 35, uplos[u], 3, 2, 11 + u);
        for (int o = 0; o < 2; o++)
            for (int d = 0; d < 2; d++)
                check_against_dense(ctx, T, uplos[u], ops[o], diags[d], SF_TRI_IGNORE_OTHER, 3);
        sf_mat_free(T);
    }
    tu_ctx_done(ctx);
}

Test(trisolve, unit_diagonal_needs_no_stored_diagonal) {
    sf_ctx *ctx = tu_ctx();
    int64_t rp[] = {0, 0, 1, 3}, ci[] = {0, 0, 1};
    double v[] = {2, -1, 3};
    sf_mat *T;
    cr_assert_eq(sf_mat_from_csr(ctx, 3, 3, rp, ci, v, 0, &T), SF_OK);
    double b[] = {1, 1, 1}, x[3];
    cr_assert_eq(sf_tri_solve_vec(ctx, T, SF_LOWER, SF_OP_NONE, SF_UNIT, 0, 1.0, b, x), SF_OK);
    double want[] = {1, 1 - 2 * 1, 1 - (-1 * 1 + 3 * (1 - 2))};
    cr_assert_arr_eq(x, want, sizeof want);
    sf_mat_free(T);
    tu_ctx_done(ctx);
}

Test(trisolve, in_place_and_vector_api_agree) {
    sf_ctx *ctx = tu_ctx();
    sf_mat *T = st_random_tri(ctx, 50, SF_UPPER, 5, 0, 5);
    double b[50], x[50], y[50];
    uint64_t s = 1;
    for (int i = 0; i < 50; i++) y[i] = b[i] = tu_uniform(&s);
    cr_assert_eq(sf_tri_solve_vec(ctx, T, SF_UPPER, SF_OP_TRANSPOSE, SF_NON_UNIT, 0, 2.0, b, x), SF_OK);
    cr_assert_eq(sf_tri_solve_vec(ctx, T, SF_UPPER, SF_OP_TRANSPOSE, SF_NON_UNIT, 0, 2.0, y, y), SF_OK);
    cr_assert_arr_eq(x, y, sizeof x, "in-place equals out-of-place bitwise");
    sf_mat_free(T);
    tu_ctx_done(ctx);
}

Test(trisolve, empty_and_one_by_one) {
    sf_ctx *ctx = tu_ctx();
    sf_mat *E, *O;
    double d = 4.0, b = 2.0, x = 0;
    cr_assert_eq(sf_mat_from_triplets(ctx, 0, 0, 0, NULL, NULL, NULL, &E), SF_OK);
    sf_dense B = sf_dense_view(0, 3, SF_ROW_MAJOR, SF_REAL, NULL), X = B;
    cr_assert_eq(sf_tri_solve(ctx, E, SF_LOWER, SF_OP_TRANSPOSE, SF_NON_UNIT, 0, 1.0, &B, &X), SF_OK);
    cr_assert_eq(sf_mat_diag(ctx, 1, &d, &O), SF_OK); /* a diagonal handle: converted inside */
    cr_assert_eq(sf_tri_solve_vec(ctx, O, SF_UPPER, SF_OP_NONE, SF_NON_UNIT, 0, 3.0, &b, &x), SF_OK);
    cr_assert_eq(x, 1.5);
    sf_mat_free(E);
    sf_mat_free(O);
    tu_ctx_done(ctx);
}

/* Tiny pivots (1e-10 .. 1) and large off-diagonal entries: the answer is not
 * checked (it is huge and ill-determined) but the backward error is:
 * |T x - b| / (|T| |x| + |b|) stays at rounding level. */
Test(trisolve, ill_conditioned_backward_error) {
    sf_ctx *ctx = tu_ctx();
    enum { N = 120 };
    int64_t ri[N * 4], ci[N * 4], k = 0;
    double v[N * 4], b[N], x[N], r[N];
    uint64_t s = 17;
    for (int64_t i = 0; i < N; i++) {
        ri[k] = ci[k] = i;
        v[k++] = pow(10.0, -10.0 * (double)(tu_rand(&s) % 1000) / 1000.0);
        for (int e = 0; e < 3 && i > 0; e++, k++) {
            ri[k] = i;
            ci[k] = (int64_t)(tu_rand(&s) % (uint64_t)i);
            v[k] = 10 * tu_uniform(&s);
        }
        b[i] = tu_uniform(&s);
    }
    sf_mat *T;
    cr_assert_eq(sf_mat_from_triplets(ctx, N, N, k, ri, ci, v, &T), SF_OK);
    sf_tri_info info;
    cr_assert_eq(sf_tri_info_get(ctx, T, SF_LOWER, SF_OP_NONE, 0, &info), SF_OK);
    cr_assert_lt(info.min_abs_pivot, 1e-8, "the system has tiny pivots");
    cr_assert_eq(sf_tri_solve_vec(ctx, T, SF_LOWER, SF_OP_NONE, SF_NON_UNIT, 0, 1.0, b, x), SF_OK);
    st_csr_matvec(ctx, T, x, r);
    double *t = tu_dense_of(ctx, T), tnorm = 0;
    for (int i = 0; i < N; i++) r[i] -= b[i];
    for (int i = 0; i < N * N; i++) tnorm += t[i] * t[i];
    double berr = st_norm2(r, N) / (sqrt(tnorm) * st_norm2(x, N) + st_norm2(b, N));
    cr_assert_gt(st_norm2(x, N), 1e6, "the solution is large: the system is ill-conditioned");
    cr_assert_lt(berr, 1e-13, "backward error %g", berr);
    free(t);
    sf_mat_free(T);
    tu_ctx_done(ctx);
}

/* Rows are scaled by 1/pivot, except when a pivot's reciprocal overflows or is
 * subnormal: then every row divides.  Subnormal and huge pivots with sums of
 * their size give x of order 1, exactly what a division gives. */
Test(trisolve, extreme_pivots_divided) {
    sf_ctx *ctx = tu_ctx();
    const double tiny = 3e-310, huge = 1e308; /* 1/tiny overflows, 1/huge is subnormal */
    double pivots[2] = {tiny, huge};
    for (int c = 0; c < 2; c++) {
        int64_t rp[] = {0, 1, 3, 5}, ci[] = {0, 0, 1, 1, 2};
        double p = pivots[c], v[] = {2.0, 0.5 * p, p, 1.0, 4.0}, b[3] = {2.0, 1.5 * p, 5.0}, x[3];
        sf_mat *T;
        cr_assert_eq(sf_mat_from_csr(ctx, 3, 3, rp, ci, v, 0, &T), SF_OK);
        cr_assert_eq(sf_tri_solve_vec(ctx, T, SF_LOWER, SF_OP_NONE, SF_NON_UNIT, 0, 1.0, b, x), SF_OK,
                     "%s", sf_ctx_message(ctx));
        double x1 = (b[1] - v[1] * 1.0) / p; /* p / p */
        cr_assert(x[0] == 1.0 && x[1] == x1 && x[2] == (5.0 - x1) / 4.0,
                  "pivot %g: x = %.17g %.17g %.17g", p, x[0], x[1], x[2]);
        cr_assert(fabs(x1 - 1.0) < 1e-3, "x1 = %g", x1);
        sf_mat_free(T);
    }
    tu_ctx_done(ctx);
}

Test(trisolve, nonfinite_right_hand_side_propagates) {
    sf_ctx *ctx = tu_ctx();
    sf_mat *T = st_laplace2d(ctx, 4, 1);
    double b[16] = {0}, x[16];
    b[5] = NAN;
    cr_assert_eq(sf_tri_solve_vec(ctx, T, SF_LOWER, SF_OP_NONE, SF_NON_UNIT, 0, 1.0, b, x), SF_OK);
    cr_assert(isnan(x[5]) && isnan(x[6]) && isnan(x[9]));
    cr_assert_eq(x[4], 0.0, "rows before the NaN are unaffected");
    sf_mat_free(T);
    tu_ctx_done(ctx);
}

Test(trisolve, analysis_is_cached_and_counted) {
    sf_ctx *ctx = tu_ctx();
    sf_mat *T = st_laplace2d(ctx, 30, 1);
    size_t before = sf_mat_bytes(T);
    cr_assert_eq(sf_tri_analyze(ctx, T, SF_LOWER, SF_OP_NONE, 0), SF_OK);
    size_t analysed = sf_mat_bytes(T);
    cr_assert_gt(analysed, before);
    cr_assert_eq(sf_mat_bytes(T), sf_ctx_bytes_in_use(ctx), "bytes held = bytes charged");
    sf_tri_info info;
    cr_assert_eq(sf_tri_info_get(ctx, T, SF_LOWER, SF_OP_NONE, 0, &info), SF_OK);
    cr_assert_eq(info.levels, 2 * 30 - 1, "anti-diagonals of the grid");
    cr_assert_eq(info.max_width, 30);
    cr_assert_eq(info.bytes, analysed - before);
    double b[900] = {0}, x[900];
    b[0] = 1;
    cr_assert_eq(sf_tri_solve_vec(ctx, T, SF_LOWER, SF_OP_NONE, SF_NON_UNIT, 0, 1.0, b, x), SF_OK);
    cr_assert_eq(sf_mat_bytes(T), analysed, "a solve reuses the analysis");
    cr_assert_eq(sf_tri_solve_vec(ctx, T, SF_LOWER, SF_OP_TRANSPOSE, SF_NON_UNIT, 0, 1.0, b, x), SF_OK);
    cr_assert_gt(sf_mat_bytes(T), analysed, "the transposed triangle is added once");
    cr_assert_eq(sf_mat_bytes(T), sf_ctx_bytes_in_use(ctx));
    sf_mat_free(T);
    tu_ctx_done(ctx);
}

Test(trisolve, large_against_cxsparse) {
    sf_ctx *ctx = tu_ctx();
    int64_t n = 20000;
    double *b = malloc((size_t)n * sizeof *b), *x = malloc((size_t)n * sizeof *x);
    double *want = malloc((size_t)n * sizeof *want);
    uint64_t s = 5;
    for (int64_t i = 0; i < n; i++) b[i] = tu_uniform(&s);
    for (int u = 0; u < 2; u++) {
        sf_mat *T = st_random_tri(ctx, n, uplos[u], 5, 0, 21 + u);
        for (int o = 0; o < 2; o++) {
            cr_assert_eq(sf_tri_solve_vec(ctx, T, uplos[u], ops[o], SF_NON_UNIT, 0, 1.0, b, x), SF_OK);
            st_cxsparse_tri_solve(ctx, T, uplos[u], ops[o], b, want);
            cr_assert_lt(tu_rel_diff(x, want, n), 1e-12, "uplo %d op %d", u, o);
        }
        sf_mat_free(T);
    }
    free(b);
    free(x);
    free(want);
    tu_ctx_done(ctx);
}

/* One solve with `threads` threads into a fresh buffer (row-major, k columns). */
static double *solve_with_threads(sf_ctx *ctx, const sf_mat *T, sf_uplo uplo, sf_op op, int64_t k,
                                  int threads) {
    int64_t n = sf_mat_rows(T);
    double *b = malloc((size_t)(n * k) * sizeof *b), *x = malloc((size_t)(n * k) * sizeof *x);
    uint64_t s = 77;
    for (int64_t i = 0; i < n * k; i++) b[i] = tu_uniform(&s);
    sf_dense B = sf_dense_view(n, k, SF_ROW_MAJOR, SF_REAL, b), X = sf_dense_view(n, k, SF_ROW_MAJOR, SF_REAL, x);
    cr_assert_eq(sf_ctx_set_threads(ctx, threads), SF_OK);
    cr_assert_eq(sf_tri_solve(ctx, T, uplo, op, SF_NON_UNIT, 0, 0.5, &B, &X), SF_OK);
    free(b);
    return x;
}

/* 1 thread, then the plan's single-thread trial, then its threaded trial:
 * all bitwise equal.  A fresh matrix per (op, k) so each plan's threaded
 * trial runs; k = 16 takes the row-major block kernel. */
static void check_threads_bitwise(int64_t g, sf_op op, int64_t k) {
    sf_ctx *ctx = tu_ctx();
    sf_mat *T = st_laplace2d(ctx, g, 1);
    sf_tri_info info;
    cr_assert_eq(sf_tri_info_get(ctx, T, SF_LOWER, op, 0, &info), SF_OK);
    cr_assert_lt(info.cross_rows * 64, sf_mat_rows(T), "few rows wait on the other thread");
    double *x1 = solve_with_threads(ctx, T, SF_LOWER, op, k, 1);
    double *x2 = solve_with_threads(ctx, T, SF_LOWER, op, k, 2);
    uint64_t allocs = sf_ctx_alloc_count(ctx);
    double *x3 = solve_with_threads(ctx, T, SF_LOWER, op, k, 2);
    cr_assert_eq(sf_ctx_alloc_count(ctx), allocs + 1, "the threaded path ran (row flags)");
    size_t bytes = (size_t)(sf_mat_rows(T) * k) * sizeof *x1;
    cr_assert_eq(memcmp(x1, x2, bytes), 0, "op %d k %lld", op, (long long)k);
    cr_assert_eq(memcmp(x1, x3, bytes), 0, "op %d k %lld", op, (long long)k);
    free(x1);
    free(x2);
    free(x3);
    sf_mat_free(T);
    tu_ctx_done(ctx);
}

Test(trisolve, one_and_two_threads_bitwise_equal) {
    for (int o = 0; o < 2; o++) {
        check_threads_bitwise(600, ops[o], 1); /* 360,000 rows: enough work for threads */
        check_threads_bitwise(300, ops[o], 16);
    }
}

/* Row-major X with 19 columns (a block of 16 and 3 single columns): each
 * column bitwise equal to a one-vector solve, and close to the dense one;
 * short rows and long ones (summed in two chains). */
Test(trisolve, row_major_blocks_match_single_solves) {
    sf_ctx *ctx = tu_ctx();
    enum { N = 60, K = 19, LD = K + 5 };
    for (int u = 0; u < 4; u++) {
        sf_mat *T = st_random_tri(ctx, N, uplos[u % 2], u < 2 ? 6 : 30, 0, 40 + u);
        double b[N * LD], x[N * LD], bc[N], xc[N];
        uint64_t s = 4;
        for (int i = 0; i < N * LD; i++) b[i] = tu_uniform(&s);
        sf_dense B = {N, K, LD, SF_ROW_MAJOR, SF_REAL, b}, X = {N, K, LD, SF_ROW_MAJOR, SF_REAL, x};
        for (int o = 0; o < 2; o++) {
            cr_assert_eq(sf_tri_solve(ctx, T, uplos[u % 2], ops[o], SF_NON_UNIT, 0, 0.75, &B, &X), SF_OK);
            for (int c = 0; c < K; c++) {
                for (int i = 0; i < N; i++) bc[i] = b[i * LD + c];
                cr_assert_eq(sf_tri_solve_vec(ctx, T, uplos[u % 2], ops[o], SF_NON_UNIT, 0, 0.75, bc, xc), SF_OK);
                for (int i = 0; i < N; i++)
                    cr_assert_eq(memcmp(&x[i * LD + c], &xc[i], sizeof xc[i]), 0, "u %d o %d col %d", u, o, c);
            }
        }
        check_against_dense(ctx, T, uplos[u % 2], SF_OP_NONE, SF_UNIT, 0, K);
        check_against_dense(ctx, T, uplos[u % 2], SF_OP_TRANSPOSE, SF_NON_UNIT, 0, K);
        sf_mat_free(T);
    }
    tu_ctx_done(ctx);
}

static sf_status analyze_and_solve(sf_ctx *ctx, void *arg) {
    (void)arg;
    int64_t rp[] = {0, 1, 3, 5}, ci[] = {0, 0, 1, 1, 2};
    double v[] = {2, 1, 3, -1, 4}, b[] = {1, 2, 3}, x[3];
    sf_mat *T;
    sf_status st = sf_mat_from_csr(ctx, 3, 3, rp, ci, v, 0, &T);
    if (st) return st;
    sf_ctx_set_threads(ctx, 2);
    if (!(st = sf_tri_analyze(ctx, T, SF_LOWER, SF_OP_TRANSPOSE, 0)))
        st = sf_tri_solve_vec(ctx, T, SF_LOWER, SF_OP_NONE, SF_NON_UNIT, 0, 1.0, b, x);
    sf_mat_free(T);
    return st;
}

Test(trisolve, allocation_failures_leave_nothing) {
    tu_check_alloc_failures(analyze_and_solve, NULL);
}
