/* Cholesky through CHOLMOD: residuals on the shared SPD matrices, the factor
 * L and the permutation against the solve, log-determinants against a dense
 * Cholesky written here, refactorization, and the failures. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "solve_testutil.h"

static sf_mat *read_shared(sf_ctx *ctx, const char *name) {
    char rel[256], path[1024];
    snprintf(rel, sizeof rel, "matrices/%s", name);
    sf_mat *A = NULL;
    cr_assert_eq(sf_mm_read(ctx, tu_data_path(rel, path, sizeof path), &A, NULL), SF_OK, "%s",
                 sf_ctx_message(ctx));
    return A;
}

/* |A x - b| / |b| for b = A x_true with k right-hand sides (row-major B and
 * column-major X, so both layouts are crossed). */
static double chol_residual(sf_ctx *ctx, sf_chol *ch, const sf_mat *A, int64_t k) {
    int64_t n = sf_mat_rows(A);
    double *xt = malloc((size_t)n * sizeof *xt), *col = malloc((size_t)n * sizeof *col);
    double *b = malloc((size_t)(n * k) * sizeof *b), *x = malloc((size_t)(n * k) * sizeof *x);
    double *r = malloc((size_t)n * sizeof *r), worst = 0;
    uint64_t s = 3;
    for (int64_t c = 0; c < k; c++) {
        for (int64_t i = 0; i < n; i++) xt[i] = tu_uniform(&s);
        st_csr_matvec(ctx, A, xt, col);
        for (int64_t i = 0; i < n; i++) b[i * k + c] = col[i];
    }
    sf_dense B = sf_dense_view(n, k, SF_ROW_MAJOR, SF_REAL, b), X = sf_dense_view(n, k, SF_COL_MAJOR, SF_REAL, x);
    cr_assert_eq(sf_chol_solve(ctx, ch, &B, &X), SF_OK, "%s", sf_ctx_message(ctx));
    for (int64_t c = 0; c < k; c++) {
        st_csr_matvec(ctx, A, x + c * n, r);
        for (int64_t i = 0; i < n; i++) {
            col[i] = b[i * k + c];
            r[i] -= col[i];
        }
        worst = fmax(worst, st_norm2(r, n) / st_norm2(col, n));
    }
    free(xt);
    free(col);
    free(b);
    free(x);
    free(r);
    return worst;
}

Test(chol, shared_spd_matrices_residual) {
    const char *names[] = {"bcsstk13.mtx", "494_bus.mtx"};
    for (int m = 0; m < 2; m++) {
        sf_ctx *ctx = tu_ctx();
        sf_mat *A = read_shared(ctx, names[m]);
        sf_chol *ch = NULL;
        cr_assert_eq(sf_chol_factor(ctx, A, 0, &ch), SF_OK, "%s", sf_ctx_message(ctx));
        double res = chol_residual(ctx, ch, A, 3);
        /* bcsstk13 has a condition number near 1e10: the backward-stable bound
         * |r|/|b| <= c u cond(A) allows far more; 1e-9 is what it does with margin. */
        cr_assert_lt(res, m == 0 ? 1e-9 : 1e-10, "%s: residual %g", names[m], res);
        cr_assert_gt(sf_chol_bytes(ch), (size_t)sf_chol_nnz_L(ch) * 8, "CHOLMOD's factor counted");
        sf_chol_free(ch);
        sf_mat_free(A);
        tu_ctx_done(ctx);
    }
}

/* Dense Cholesky of a row-major n x n matrix: log det = 2 sum log L_jj. */
static double dense_logdet(const double *a, int64_t n) {
    double *l = calloc((size_t)(n * n), sizeof *l), s = 0;
    for (int64_t j = 0; j < n; j++) {
        double d = a[j * n + j];
        for (int64_t k = 0; k < j; k++) d -= l[j * n + k] * l[j * n + k];
        l[j * n + j] = sqrt(d);
        s += log(l[j * n + j]);
        for (int64_t i = j + 1; i < n; i++) {
            double v = a[i * n + j];
            for (int64_t k = 0; k < j; k++) v -= l[i * n + k] * l[j * n + k];
            l[i * n + j] = v / l[j * n + j];
        }
    }
    free(l);
    return 2 * s;
}

Test(chol, logdet_against_dense_and_factor_diagonal) {
    sf_ctx *ctx = tu_ctx();
    sf_mat *A = st_laplace2d(ctx, 6, 0);
    double *a = tu_dense_of(ctx, A), got;
    for (unsigned flags = 0; flags <= SF_CHOL_NATURAL; flags++) {
        sf_chol *ch;
        cr_assert_eq(sf_chol_factor(ctx, A, flags, &ch), SF_OK);
        cr_assert_eq(sf_chol_logdet(ctx, ch, &got), SF_OK);
        cr_assert_lt(fabs(got - dense_logdet(a, 36)), 1e-12 * fabs(got));
        sf_mat *L;
        cr_assert_eq(sf_chol_factor_L(ctx, ch, &L), SF_OK);
        double *l = tu_dense_of(ctx, L), s = 0;
        for (int i = 0; i < 36; i++) s += 2 * log(l[i * 36 + i]);
        cr_assert_lt(fabs(got - s), 1e-12 * fabs(got));
        free(l);
        sf_mat_free(L);
        sf_chol_free(ch);
    }
    free(a);
    sf_mat_free(A);
    tu_ctx_done(ctx);
}

/* L y = P b, L' z = y, x = P' z with the triangular solves reproduces the
 * CHOLMOD solve. */
Test(chol, factor_and_permutation_drive_triangular_solves) {
    sf_ctx *ctx = tu_ctx();
    sf_mat *A = read_shared(ctx, "494_bus.mtx");
    int64_t n = sf_mat_rows(A);
    sf_chol *ch;
    sf_mat *L;
    cr_assert_eq(sf_chol_factor(ctx, A, 0, &ch), SF_OK);
    cr_assert_eq(sf_chol_factor_L(ctx, ch, &L), SF_OK);
    cr_assert_eq(sf_mat_nnz(L), sf_chol_nnz_L(ch));
    int64_t *perm = malloc((size_t)n * sizeof *perm);
    double *b = malloc((size_t)n * sizeof *b), *y = malloc((size_t)n * sizeof *y);
    double *x = malloc((size_t)n * sizeof *x), *want = malloc((size_t)n * sizeof *want);
    cr_assert_eq(sf_chol_permutation(ctx, ch, perm), SF_OK);
    uint64_t s = 8;
    for (int64_t i = 0; i < n; i++) b[i] = tu_uniform(&s);
    for (int64_t k = 0; k < n; k++) y[k] = b[perm[k]];
    cr_assert_eq(sf_tri_solve_vec(ctx, L, SF_LOWER, SF_OP_NONE, SF_NON_UNIT, 0, 1.0, y, y), SF_OK);
    cr_assert_eq(sf_tri_solve_vec(ctx, L, SF_LOWER, SF_OP_TRANSPOSE, SF_NON_UNIT, 0, 1.0, y, y), SF_OK);
    for (int64_t k = 0; k < n; k++) x[perm[k]] = y[k];
    sf_dense B = sf_dense_view(n, 1, SF_COL_MAJOR, SF_REAL, b), W = sf_dense_view(n, 1, SF_COL_MAJOR, SF_REAL, want);
    cr_assert_eq(sf_chol_solve(ctx, ch, &B, &W), SF_OK);
    cr_assert_lt(tu_rel_diff(x, want, n), 1e-9);
    free(perm);
    free(b);
    free(y);
    free(x);
    free(want);
    sf_mat_free(L);
    sf_chol_free(ch);
    sf_mat_free(A);
    tu_ctx_done(ctx);
}

/* A + shift I on the same pattern: a new factor with the new values. */
static sf_mat *shifted(sf_ctx *ctx, const sf_mat *A, double shift) {
    sf_mat *S;
    int64_t n = sf_mat_rows(A), nnz = sf_mat_nnz(A);
    int64_t *rp = malloc((size_t)(n + 1) * sizeof *rp), *ci = malloc((size_t)nnz * sizeof *ci);
    int32_t *c32 = malloc((size_t)nnz * sizeof *c32);
    double *v = malloc((size_t)nnz * sizeof *v);
    cr_assert_eq(sf_mat_export_csr(ctx, A, rp, c32, v), SF_OK);
    for (int64_t i = 0; i < n; i++)
        for (int64_t p = rp[i]; p < rp[i + 1]; p++) {
            ci[p] = c32[p];
            if (c32[p] == i) v[p] += shift;
        }
    cr_assert_eq(sf_mat_from_csr(ctx, n, n, rp, ci, v, 0, &S), SF_OK);
    free(rp);
    free(ci);
    free(c32);
    free(v);
    return S;
}

Test(chol, refactor_with_new_values) {
    sf_ctx *ctx = tu_ctx();
    sf_mat *A = st_laplace2d(ctx, 20, 0), *A2 = shifted(ctx, A, 3.0);
    sf_chol *ch;
    cr_assert_eq(sf_chol_analyze(ctx, A, 0, &ch), SF_OK);
    cr_assert_eq(sf_chol_refactor(ctx, ch, A), SF_OK);
    double ld1, ld2;
    cr_assert_eq(sf_chol_logdet(ctx, ch, &ld1), SF_OK);
    cr_assert_eq(sf_chol_refactor(ctx, ch, A2), SF_OK);
    cr_assert_eq(sf_chol_logdet(ctx, ch, &ld2), SF_OK);
    cr_assert_gt(ld2, ld1, "a larger diagonal, a larger determinant");
    cr_assert_lt(chol_residual(ctx, ch, A2, 2), 1e-12);
    /* only the lower triangle is read: A's lower triangle alone refactors too */
    sf_mat *B = st_laplace2d(ctx, 20, 1);
    cr_assert_eq(sf_chol_refactor(ctx, ch, B), SF_OK);
    double ld3;
    cr_assert_eq(sf_chol_logdet(ctx, ch, &ld3), SF_OK);
    cr_assert_eq(ld3, ld1);
    double d[9] = {4, 0, 0, 1, 4, 0, 0, 0, 4};
    sf_dense dv = sf_dense_view(3, 3, SF_ROW_MAJOR, SF_REAL, d);
    sf_mat *small;
    cr_assert_eq(sf_mat_from_dense(ctx, &dv, &small), SF_OK);
    cr_assert_eq(sf_chol_refactor(ctx, ch, small), SF_ERR_SHAPE);
    cr_assert_str_eq(sf_ctx_message(ctx), "sf_chol_refactor: A is 3 x 3 but the analysis was of 400 x 400");
    sf_mat_free(small);
    sf_mat_free(B);
    sf_chol_free(ch);
    sf_mat_free(A);
    sf_mat_free(A2);
    tu_ctx_done(ctx);
}

Test(chol, different_pattern_refused) {
    sf_ctx *ctx = tu_ctx();
    double d1[9] = {4, 0, 0, 1, 4, 0, 0, 0, 4}, d2[9] = {4, 0, 0, 0, 4, 0, 1, 0, 4};
    sf_dense v1 = sf_dense_view(3, 3, SF_ROW_MAJOR, SF_REAL, d1), v2 = sf_dense_view(3, 3, SF_ROW_MAJOR, SF_REAL, d2);
    sf_mat *A, *B;
    cr_assert_eq(sf_mat_from_dense(ctx, &v1, &A), SF_OK);
    cr_assert_eq(sf_mat_from_dense(ctx, &v2, &B), SF_OK);
    sf_chol *ch;
    cr_assert_eq(sf_chol_factor(ctx, A, 0, &ch), SF_OK);
    double before, after;
    cr_assert_eq(sf_chol_logdet(ctx, ch, &before), SF_OK);
    cr_assert_eq(sf_chol_refactor(ctx, ch, B), SF_ERR_STRUCTURE);
    cr_assert_str_eq(sf_ctx_message(ctx),
                     "sf_chol_refactor: row 1: the lower-triangle pattern differs from the analysed one");
    cr_assert_eq(sf_chol_logdet(ctx, ch, &after), SF_OK, "the factor is kept");
    cr_assert_eq(before, after);
    sf_chol_free(ch);
    sf_mat_free(A);
    sf_mat_free(B);
    tu_ctx_done(ctx);
}

Test(chol, not_spd_names_the_column) {
    sf_ctx *ctx = tu_ctx();
    /* leading minors 4, 4*4-4*... : column 2 fails (its pivot is 1 - 2^2/4 - ... < 0) */
    double d[16] = {4, 0, 2, 0, 0, 4, 0, 0, 2, 0, 0.5, 0, 0, 0, 0, 3};
    sf_dense v = sf_dense_view(4, 4, SF_ROW_MAJOR, SF_REAL, d);
    sf_mat *A;
    cr_assert_eq(sf_mat_from_dense(ctx, &v, &A), SF_OK);
    sf_chol *ch = (sf_chol *)0x1;
    cr_assert_eq(sf_chol_factor(ctx, A, SF_CHOL_NATURAL, &ch), SF_ERR_NOT_SPD);
    cr_assert(strstr(sf_ctx_message(ctx), "sf_chol_factor: column 2: matrix is not positive definite"),
              "%s", sf_ctx_message(ctx));
    cr_assert_eq(ch, (sf_chol *)0x1, "output untouched");
    /* with a handle: it stays unfactored, and a good refactor revives it */
    cr_assert_eq(sf_chol_analyze(ctx, A, SF_CHOL_NATURAL, &ch), SF_OK);
    cr_assert_eq(sf_chol_refactor(ctx, ch, A), SF_ERR_NOT_SPD);
    double ld, x[4], b[4] = {1, 1, 1, 1};
    cr_assert_eq(sf_chol_logdet(ctx, ch, &ld), SF_ERR_ARG);
    sf_dense B = sf_dense_view(4, 1, SF_COL_MAJOR, SF_REAL, b), X = sf_dense_view(4, 1, SF_COL_MAJOR, SF_REAL, x);
    cr_assert_eq(sf_chol_solve(ctx, ch, &B, &X), SF_ERR_ARG);
    cr_assert(strstr(sf_ctx_message(ctx), "holds no factor"));
    d[10] = 5;
    sf_mat *A2;
    cr_assert_eq(sf_mat_from_dense(ctx, &v, &A2), SF_OK);
    cr_assert_eq(sf_chol_refactor(ctx, ch, A2), SF_OK);
    cr_assert_eq(sf_chol_solve(ctx, ch, &B, &X), SF_OK);
    sf_chol_free(ch);
    sf_mat_free(A);
    sf_mat_free(A2);
    tu_ctx_done(ctx);
}

/* NaN and +Inf pass CHOLMOD's pivot test, so they are refused first, by
 * name; a refactor with them leaves the previous factor in place. */
Test(chol, nonfinite_values_named_handle_unchanged) {
    sf_ctx *ctx = tu_ctx();
    double d[9] = {4, 1, 0, 1, 4, 1, 0, 1, 4}, b[3] = {1, 2, 3}, x[3], x0[3];
    sf_dense v = sf_dense_view(3, 3, SF_ROW_MAJOR, SF_REAL, d);
    sf_dense B = sf_dense_view(3, 1, SF_COL_MAJOR, SF_REAL, b);
    sf_dense X = sf_dense_view(3, 1, SF_COL_MAJOR, SF_REAL, x);
    sf_mat *A, *bad;
    cr_assert_eq(sf_mat_from_dense(ctx, &v, &A), SF_OK);
    sf_chol *ch = NULL;
    cr_assert_eq(sf_chol_factor(ctx, A, 0, &ch), SF_OK);
    cr_assert_eq(sf_chol_solve(ctx, ch, &B, &X), SF_OK);
    memcpy(x0, x, sizeof x);
    double ld0, ld;
    cr_assert_eq(sf_chol_logdet(ctx, ch, &ld0), SF_OK);
    const double vals[] = {NAN, INFINITY};
    const char *want[] = {"row 2, column 1: value is nan", "row 2, column 1: value is inf"};
    char msg[128];
    for (int t = 0; t < 2; t++) {
        d[7] = vals[t]; /* (2, 1), in the lower triangle */
        cr_assert_eq(sf_mat_from_dense(ctx, &v, &bad), SF_OK);
        sf_chol *out = (sf_chol *)0x1;
        cr_assert_eq(sf_chol_factor(ctx, bad, 0, &out), SF_ERR_NONFINITE);
        snprintf(msg, sizeof msg, "sf_chol_factor: %s", want[t]);
        cr_assert_str_eq(sf_ctx_message(ctx), msg);
        cr_assert_eq(out, (sf_chol *)0x1);
        cr_assert_eq(sf_chol_refactor(ctx, ch, bad), SF_ERR_NONFINITE);
        snprintf(msg, sizeof msg, "sf_chol_refactor: %s", want[t]);
        cr_assert_str_eq(sf_ctx_message(ctx), msg);
        cr_assert_eq(sf_chol_logdet(ctx, ch, &ld), SF_OK, "the old factor stays");
        cr_assert_eq(ld, ld0);
        cr_assert_eq(sf_chol_solve(ctx, ch, &B, &X), SF_OK);
        cr_assert_arr_eq(x, x0, sizeof x);
        sf_mat_free(bad);
    }
    sf_chol_free(ch);
    sf_mat_free(A);
    tu_ctx_done(ctx);
}

Test(chol, bad_inputs) {
    sf_ctx *ctx = tu_ctx();
    double d[6] = {1, 2, 3, 4, 5, 6};
    sf_dense v = sf_dense_view(2, 3, SF_ROW_MAJOR, SF_REAL, d);
    sf_mat *R, *A = st_laplace2d(ctx, 3, 0);
    cr_assert_eq(sf_mat_from_dense(ctx, &v, &R), SF_OK);
    sf_chol *ch = NULL;
    cr_assert_eq(sf_chol_factor(ctx, R, 0, &ch), SF_ERR_SHAPE);
    cr_assert_str_eq(sf_ctx_message(ctx), "sf_chol_factor: A is 2 x 3, not square");
    cr_assert_eq(sf_chol_factor(ctx, NULL, 0, &ch), SF_ERR_ARG);
    cr_assert_eq(sf_chol_factor(ctx, A, 8, &ch), SF_ERR_ARG);
    cr_assert_str_eq(sf_ctx_message(ctx), "sf_chol_factor: unknown flags 0x8");
    cr_assert_eq(sf_chol_factor(ctx, A, 0, &ch), SF_OK);
    double b[9] = {0}, x[9], copy[9];
    for (int i = 0; i < 9; i++) copy[i] = x[i] = i;
    sf_dense B = sf_dense_view(8, 1, SF_COL_MAJOR, SF_REAL, b), X = sf_dense_view(9, 1, SF_COL_MAJOR, SF_REAL, x);
    cr_assert_eq(sf_chol_solve(ctx, ch, &B, &X), SF_ERR_SHAPE);
    cr_assert_str_eq(sf_ctx_message(ctx), "sf_chol_solve: A is 9 x 9 but B is (8, 1)");
    cr_assert_eq(memcmp(x, copy, sizeof x), 0);
    sf_chol_free(ch);
    /* the memory limit covers CHOLMOD's factor, estimated before it is made */
    sf_mat *big = st_laplace2d(ctx, 20, 0); /* L has ~6000 entries, the handle ~25 kB */
    sf_ctx_set_memory_limit(ctx, sf_ctx_bytes_in_use(ctx) + 40000);
    cr_assert_eq(sf_chol_factor(ctx, big, 0, &ch), SF_ERR_NOMEM);
    cr_assert(strstr(sf_ctx_message(ctx), "memory limit"), "%s", sf_ctx_message(ctx));
    sf_ctx_set_memory_limit(ctx, 0);
    sf_mat_free(big);
    sf_mat_free(R);
    sf_mat_free(A);
    tu_ctx_done(ctx);
}

Test(chol, empty_one_by_one_and_in_place) {
    sf_ctx *ctx = tu_ctx();
    sf_mat *E, *O;
    sf_chol *ch;
    double d = 4.0, b[2] = {2.0, 6.0}, ld;
    cr_assert_eq(sf_mat_from_triplets(ctx, 0, 0, 0, NULL, NULL, NULL, &E), SF_OK);
    cr_assert_eq(sf_chol_factor(ctx, E, 0, &ch), SF_OK, "%s", sf_ctx_message(ctx));
    cr_assert_eq(sf_chol_logdet(ctx, ch, &ld), SF_OK);
    cr_assert_eq(ld, 0.0);
    sf_dense B0 = sf_dense_view(0, 1, SF_COL_MAJOR, SF_REAL, NULL);
    cr_assert_eq(sf_chol_solve(ctx, ch, &B0, &B0), SF_OK);
    sf_chol_free(ch);
    cr_assert_eq(sf_mat_diag(ctx, 1, &d, &O), SF_OK); /* a diagonal handle: converted inside */
    cr_assert_eq(sf_chol_factor(ctx, O, 0, &ch), SF_OK);
    cr_assert_eq(sf_chol_logdet(ctx, ch, &ld), SF_OK);
    cr_assert_float_eq(ld, log(4.0), 1e-15);
    sf_dense B = sf_dense_view(1, 2, SF_ROW_MAJOR, SF_REAL, b);
    cr_assert_eq(sf_chol_solve(ctx, ch, &B, &B), SF_OK, "in place");
    cr_assert(b[0] == 0.5 && b[1] == 1.5);
    sf_chol_free(ch);
    sf_mat_free(E);
    sf_mat_free(O);
    tu_ctx_done(ctx);
}

static sf_status factor_small(sf_ctx *ctx, void *arg) {
    (void)arg;
    sf_mat *A = NULL, *L = NULL;
    double d[9] = {4, 1, 0, 1, 4, 1, 0, 1, 4};
    sf_dense v = sf_dense_view(3, 3, SF_ROW_MAJOR, SF_REAL, d);
    sf_chol *ch = NULL;
    sf_status st = sf_mat_from_dense(ctx, &v, &A);
    if (!st) st = sf_chol_factor(ctx, A, 0, &ch);
    if (!st) st = sf_chol_factor_L(ctx, ch, &L);
    sf_mat_free(L);
    sf_chol_free(ch);
    sf_mat_free(A);
    return st;
}

Test(chol, allocation_failures_leave_nothing) { tu_check_alloc_failures(factor_small, NULL); }
