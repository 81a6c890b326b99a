/* Every bad input of the triangular solves: the status, the message, nothing
 * leaked and X untouched (compared with a copy). */
#include <math.h>

#include "solve_testutil.h"
#include "solve/tri_internal.h" /* the CSR layout, to rewrite a value in place */

enum { N = 4 };

/* x filled with a marker pattern; call the solve; check the status, the key
 * part of the message and that x kept the marker. */
static void expect_failure(sf_ctx *ctx, const sf_mat *T, sf_uplo uplo, sf_op op,
                           sf_diag_type diag, unsigned flags, const sf_dense *B, sf_status want,
                           const char *msg) {
    double x[2 * N * N], copy[2 * N * N];
    for (int i = 0; i < 2 * N * N; i++) copy[i] = x[i] = 1000.0 + i;
    sf_dense X = B ? *B : sf_dense_view(N, 1, SF_COL_MAJOR, SF_REAL, NULL);
    X.data = x;
    size_t bytes = sf_ctx_bytes_in_use(ctx);
    cr_assert_eq(sf_tri_solve(ctx, T, uplo, op, diag, flags, 1.0, B, &X), want, "%s: %s",
                 sf_status_name(want), sf_ctx_message(ctx));
    cr_assert(strstr(sf_ctx_message(ctx), msg), "message: %s", sf_ctx_message(ctx));
    cr_assert_eq(memcmp(x, copy, sizeof x), 0, "X untouched");
    cr_assert_eq(sf_ctx_bytes_in_use(ctx), bytes, "no analysis kept from a failed solve");
}

static sf_mat *from_dense(sf_ctx *ctx, int64_t r, int64_t c, double *d) {
    sf_mat *m;
    sf_dense v = sf_dense_view(r, c, SF_ROW_MAJOR, SF_REAL, d);
    cr_assert_eq(sf_mat_from_dense(ctx, &v, &m), SF_OK);
    return m;
}

static double bdata[N * N] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};

/* A good 4 x 4 lower triangle, densely, row-major. */
static const double good4[N * N] = {2, 0, 0, 0, 1, 3, 0, 0, 1, 1, 1, 0, 0, 0, 1, 5};

/* good4 with entry (i, j) set to v (0 drops it from the sparse storage). */
static sf_mat *lower4(sf_ctx *ctx, int i, int j, double v) {
    double d[N * N];
    memcpy(d, good4, sizeof d);
    d[i * N + j] = v;
    return from_dense(ctx, N, N, d);
}

Test(trisolve_errors, zero_pivot_named) {
    sf_ctx *ctx = tu_ctx();
    /* an explicit zero on the diagonal of row 2 (from_dense would drop it) */
    sf_mat *T;
    int64_t rp[] = {0, 1, 3, 6, 7}, ci[] = {0, 0, 1, 0, 1, 2, 3};
    double v[] = {2, 1, 3, 1, 1, 0.0, 5};
    cr_assert_eq(sf_mat_from_csr(ctx, N, N, rp, ci, v, 0, &T), SF_OK);
    sf_dense B = sf_dense_view(N, 2, SF_ROW_MAJOR, SF_REAL, bdata);
    expect_failure(ctx, T, SF_LOWER, SF_OP_NONE, SF_NON_UNIT, 0, &B, SF_ERR_SINGULAR,
                   "sf_tri_solve: row 2: zero pivot");
    expect_failure(ctx, T, SF_LOWER, SF_OP_TRANSPOSE, SF_NON_UNIT, 0, &B, SF_ERR_SINGULAR,
                   "row 2: zero pivot");
    sf_mat_free(T);
    tu_ctx_done(ctx);
}

/* Values written in place and announced with sf_mat_values_changed: the
 * analysis is dropped, and the next solve finds the new zero pivot. */
Test(trisolve_errors, pivot_zeroed_in_place_and_announced_is_caught) {
    sf_ctx *ctx = tu_ctx();
    sf_mat *T = st_laplace2d(ctx, 5, 1);
    double x[25], b[25] = {1};
    cr_assert_eq(sf_tri_analyze(ctx, T, SF_LOWER, SF_OP_NONE, 0), SF_OK);
    cr_assert_eq(sf_tri_solve_vec(ctx, T, SF_LOWER, SF_OP_NONE, SF_NON_UNIT, 0, 1.0, b, x), SF_OK);
    T->u.csr.val[T->u.csr.rowptr[13] - 1] = 0.0; /* row 12's diagonal */
    sf_mat_values_changed(T);
    double copy[25];
    memcpy(copy, x, sizeof x);
    cr_assert_eq(sf_tri_solve_vec(ctx, T, SF_LOWER, SF_OP_NONE, SF_NON_UNIT, 0, 1.0, b, x),
                 SF_ERR_SINGULAR);
    cr_assert_str_eq(sf_ctx_message(ctx), "sf_tri_solve: row 12: zero pivot");
    cr_assert_eq(memcmp(x, copy, sizeof x), 0);
    sf_mat_free(T);
    tu_ctx_done(ctx);
}

/* K of a chain of 4 two-node elements on 5 nodes, element e contributing
 * [[1, 0], [-1, 1]] (rows: node e, e+1), element 2's (0, 0) entry set to
 * `d2`; the upper entries of K are stored zeros. */
static void assemble_chain(sf_ctx *ctx, sf_jac_pattern *jp, double d2) {
    double ke[4 * 4];
    for (int e = 0; e < 4; e++) {
        double one[4] = {e == 2 ? d2 : 1.0, 0.0, -1.0, 1.0};
        memcpy(ke + 4 * e, one, sizeof one);
    }
    cr_assert_eq(sf_assemble(ctx, jp, ke), SF_OK, "%s", sf_ctx_message(ctx));
}

/* The library's own refill (sf_assemble) drops the analysis: a reassembly
 * that makes row 2's pivot zero, NaN, then good again is seen by the next
 * solve, with or without a transpose, and a failing solve leaves X alone. */
Test(trisolve_errors, pivot_changed_by_reassembly_is_caught) {
    sf_ctx *ctx = tu_ctx();
    int64_t conn[8] = {0, 1, 1, 2, 2, 3, 3, 4};
    sf_jac_pattern *jp = NULL;
    cr_assert_eq(sf_assembly_pattern(ctx, 5, 4, 2, conn, &jp), SF_OK, "%s", sf_ctx_message(ctx));
    const sf_mat *K = sf_jac_pattern_matrix(jp);
    const unsigned lower = SF_TRI_IGNORE_OTHER;
    double b[5] = {1, 2, 3, 4, 5}, x[5], copy[5];
    assemble_chain(ctx, jp, 1.0); /* diagonal 1 2 2 2 1 */
    cr_assert_eq(sf_tri_analyze(ctx, K, SF_LOWER, SF_OP_TRANSPOSE, lower), SF_OK);
    cr_assert_eq(sf_tri_solve_vec(ctx, K, SF_LOWER, SF_OP_NONE, SF_NON_UNIT, lower, 1.0, b, x),
                 SF_OK, "%s", sf_ctx_message(ctx));
    cr_assert(x[0] == 1.0 && x[1] == 1.5, "x0 = 1, x1 = (2 + 1) / 2: %g %g", x[0], x[1]);
    assemble_chain(ctx, jp, -1.0); /* node 2: 1 + (-1) = 0 */
    memcpy(copy, x, sizeof x);
    for (int op = SF_OP_NONE; op <= SF_OP_TRANSPOSE; op++) {
        cr_assert_eq(sf_tri_solve_vec(ctx, K, SF_LOWER, (sf_op)op, SF_NON_UNIT, lower, 1.0, b, x),
                     SF_ERR_SINGULAR);
        cr_assert_str_eq(sf_ctx_message(ctx), "sf_tri_solve: row 2: zero pivot");
        cr_assert_eq(memcmp(x, copy, sizeof x), 0, "X unchanged");
    }
    assemble_chain(ctx, jp, NAN);
    cr_assert_eq(sf_tri_solve_vec(ctx, K, SF_LOWER, SF_OP_NONE, SF_NON_UNIT, lower, 1.0, b, x),
                 SF_ERR_NONFINITE);
    cr_assert_str_eq(sf_ctx_message(ctx), "sf_tri_solve: row 2: pivot is nan");
    cr_assert_eq(memcmp(x, copy, sizeof x), 0, "X unchanged");
    assemble_chain(ctx, jp, 3.0); /* node 2: 4 */
    cr_assert_eq(sf_tri_solve_vec(ctx, K, SF_LOWER, SF_OP_NONE, SF_NON_UNIT, lower, 1.0, b, x),
                 SF_OK, "%s", sf_ctx_message(ctx));
    cr_assert(x[2] == (3.0 + 1.5) / 4.0, "x2 = (b2 + x1) / 4 with the new pivot: %g", x[2]);
    sf_jac_pattern_free(jp);
    tu_ctx_done(ctx);
}

/* A bad pivot present at analysis fails every solve that divides by it. */
Test(trisolve_errors, zero_pivot_at_analysis_fails_every_solve) {
    sf_ctx *ctx = tu_ctx();
    int64_t rp[] = {0, 1, 3}, ci[] = {0, 0, 1};
    double v[] = {0.0, 1, 2}, b[2] = {1, 1}, x[2] = {7, 7};
    sf_mat *T;
    cr_assert_eq(sf_mat_from_csr(ctx, 2, 2, rp, ci, v, 0, &T), SF_OK);
    cr_assert_eq(sf_tri_analyze(ctx, T, SF_LOWER, SF_OP_NONE, 0), SF_OK, "structure is fine");
    for (int rep = 0; rep < 2; rep++) {
        cr_assert_eq(sf_tri_solve_vec(ctx, T, SF_LOWER, SF_OP_NONE, SF_NON_UNIT, 0, 1.0, b, x),
                     SF_ERR_SINGULAR);
        cr_assert_str_eq(sf_ctx_message(ctx), "sf_tri_solve: row 0: zero pivot");
        cr_assert(x[0] == 7 && x[1] == 7);
    }
    cr_assert_eq(sf_tri_solve_vec(ctx, T, SF_LOWER, SF_OP_NONE, SF_UNIT, 0, 1.0, b, x), SF_OK,
                 "a unit diagonal reads no pivot");
    cr_assert(x[0] == 1 && x[1] == 0, "x = (1, 1 - 1): %g %g", x[0], x[1]);
    sf_mat_free(T);
    tu_ctx_done(ctx);
}

Test(trisolve_errors, missing_diagonal_named) {
    sf_ctx *ctx = tu_ctx();
    sf_mat *T = lower4(ctx, 1, 1, 0.0);
    sf_dense B = sf_dense_view(N, 1, SF_COL_MAJOR, SF_REAL, bdata);
    expect_failure(ctx, T, SF_LOWER, SF_OP_NONE, SF_NON_UNIT, 0, &B, SF_ERR_SINGULAR,
                   "sf_tri_solve: row 1: missing diagonal entry");
    double x[N];
    cr_assert_eq(sf_tri_solve_vec(ctx, T, SF_LOWER, SF_OP_NONE, SF_UNIT, 0, 1.0, bdata, x), SF_OK,
                 "a unit diagonal needs none");
    sf_mat_free(T);
    tu_ctx_done(ctx);
}

Test(trisolve_errors, nonfinite_pivot) {
    sf_ctx *ctx = tu_ctx();
    sf_mat *T = lower4(ctx, 2, 2, NAN);
    sf_dense B = sf_dense_view(N, 1, SF_COL_MAJOR, SF_REAL, bdata);
    expect_failure(ctx, T, SF_LOWER, SF_OP_NONE, SF_NON_UNIT, 0, &B, SF_ERR_NONFINITE,
                   "row 2: pivot is nan");
    sf_mat_free(T);
    tu_ctx_done(ctx);
}

Test(trisolve_errors, wrong_side_entry_named_unless_ignored) {
    sf_ctx *ctx = tu_ctx();
    sf_mat *T = lower4(ctx, 1, 3, 7.0);
    sf_dense B = sf_dense_view(N, 1, SF_COL_MAJOR, SF_REAL, bdata);
    expect_failure(ctx, T, SF_LOWER, SF_OP_NONE, SF_NON_UNIT, 0, &B, SF_ERR_STRUCTURE,
                   "sf_tri_solve: row 1, column 3: entry above the diagonal of a lower "
                   "triangular matrix");
    expect_failure(ctx, T, SF_UPPER, SF_OP_TRANSPOSE, SF_NON_UNIT, 0, &B, SF_ERR_STRUCTURE,
                   "row 1, column 0: entry below the diagonal of an upper triangular matrix");
    size_t bytes = sf_ctx_bytes_in_use(ctx);
    cr_assert_eq(sf_tri_analyze(ctx, T, SF_LOWER, SF_OP_NONE, 0), SF_ERR_STRUCTURE);
    cr_assert(strstr(sf_ctx_message(ctx), "sf_tri_analyze: row 1, column 3"));
    sf_tri_info info;
    cr_assert_eq(sf_tri_info_get(ctx, T, SF_LOWER, SF_OP_NONE, 0, &info), SF_ERR_STRUCTURE);
    cr_assert_eq(sf_ctx_bytes_in_use(ctx), bytes, "no analysis kept from a failed analyze");
    double x[N];
    cr_assert_eq(sf_tri_solve_vec(ctx, T, SF_LOWER, SF_OP_NONE, SF_NON_UNIT, SF_TRI_IGNORE_OTHER,
                                  1.0, bdata, x), SF_OK);
    sf_mat_free(T);
    tu_ctx_done(ctx);
}

Test(trisolve_errors, shapes_named) {
    sf_ctx *ctx = tu_ctx();
    double d[N * N];
    memcpy(d, good4, sizeof d);
    sf_mat *R = from_dense(ctx, 3, N, d), *T = lower4(ctx, 0, 0, 2.0);
    sf_dense B = sf_dense_view(N, 2, SF_ROW_MAJOR, SF_REAL, bdata);
    expect_failure(ctx, R, SF_LOWER, SF_OP_NONE, SF_NON_UNIT, 0, &B, SF_ERR_SHAPE,
                   "sf_tri_solve: T is 3 x 4, not square");
    sf_dense B3 = sf_dense_view(3, 2, SF_ROW_MAJOR, SF_REAL, bdata);
    expect_failure(ctx, T, SF_LOWER, SF_OP_NONE, SF_NON_UNIT, 0, &B3, SF_ERR_SHAPE,
                   "sf_tri_solve: T is 4 x 4 but B is (3, 2)");
    double x[2 * N * N], copy[2 * N * N];
    for (int i = 0; i < 2 * N * N; i++) copy[i] = x[i] = i;
    sf_dense X = sf_dense_view(N, 3, SF_ROW_MAJOR, SF_REAL, x);
    cr_assert_eq(sf_tri_solve(ctx, T, SF_LOWER, SF_OP_NONE, SF_NON_UNIT, 0, 1.0, &B, &X), SF_ERR_SHAPE);
    cr_assert_str_eq(sf_ctx_message(ctx), "sf_tri_solve: B is (4, 2) but X is (4, 3)");
    cr_assert_eq(memcmp(x, copy, sizeof x), 0);
    sf_mat_free(R);
    sf_mat_free(T);
    tu_ctx_done(ctx);
}

Test(trisolve_errors, bad_arguments) {
    sf_ctx *ctx = tu_ctx();
    sf_mat *T = lower4(ctx, 0, 0, 2.0);
    sf_dense B = sf_dense_view(N, 1, SF_COL_MAJOR, SF_REAL, bdata);
    expect_failure(ctx, NULL, SF_LOWER, SF_OP_NONE, SF_NON_UNIT, 0, &B, SF_ERR_ARG,
                   "matrix handle is NULL");
    expect_failure(ctx, T, (sf_uplo)7, SF_OP_NONE, SF_NON_UNIT, 0, &B, SF_ERR_ARG, "invalid uplo 7");
    expect_failure(ctx, T, SF_LOWER, SF_OP_NONE, SF_NON_UNIT, 0x10, &B, SF_ERR_ARG,
                   "unknown flags 0x10");
    expect_failure(ctx, T, SF_LOWER, SF_OP_NONE, SF_NON_UNIT, 0, NULL, SF_ERR_ARG,
                   "sf_tri_solve: B: dense view is NULL");
    sf_dense C = sf_dense_view(N, 1, SF_COL_MAJOR, SF_COMPLEX, bdata);
    expect_failure(ctx, T, SF_LOWER, SF_OP_NONE, SF_NON_UNIT, 0, &C, SF_ERR_UNSUPPORTED,
                   "B and X must be real");
    /* X over B's memory with another leading dimension */
    sf_dense Bw = {N, 2, 3, SF_ROW_MAJOR, SF_REAL, bdata}, Xw = {N, 2, 2, SF_ROW_MAJOR, SF_REAL, bdata};
    cr_assert_eq(sf_tri_solve(ctx, T, SF_LOWER, SF_OP_NONE, SF_NON_UNIT, 0, 1.0, &Bw, &Xw), SF_ERR_ARG);
    cr_assert(strstr(sf_ctx_message(ctx), "X overlaps B's memory without being the same view"));
    /* X one element past B: overlapping, not in place */
    sf_dense Bv = sf_dense_view(N, 1, SF_COL_MAJOR, SF_REAL, bdata);
    sf_dense Xv = sf_dense_view(N, 1, SF_COL_MAJOR, SF_REAL, bdata + 1);
    cr_assert_eq(sf_tri_solve(ctx, T, SF_LOWER, SF_OP_NONE, SF_NON_UNIT, 0, 1.0, &Bv, &Xv), SF_ERR_ARG);
    cr_assert(strstr(sf_ctx_message(ctx), "X overlaps B's memory"));
    cr_assert_eq(sf_tri_solve(NULL, T, SF_LOWER, SF_OP_NONE, SF_NON_UNIT, 0, 1.0, &B, &B), SF_ERR_ARG);
    sf_tri_info info;
    cr_assert_eq(sf_tri_info_get(ctx, T, SF_LOWER, SF_OP_NONE, 0, NULL), SF_ERR_ARG);
    cr_assert_eq(sf_tri_info_get(ctx, T, SF_LOWER, SF_OP_NONE, 0, &info), SF_OK);
    sf_mat_free(T);
    tu_ctx_done(ctx);
}

/* An allocation failing inside a transposed solve (the plain plan built,
 * the transposed one not) leaves the byte count where it was, whether the
 * plain plan was cached before the call or not; then the solve succeeds. */
Test(trisolve_errors, allocation_failure_in_transposed_solve_keeps_nothing) {
    sf_ctx *ctx = tu_ctx();
    double x[N];
    for (int analyzed = 0; analyzed < 2; analyzed++) {
        sf_status st = SF_ERR_NOMEM;
        for (uint64_t k = 1; st == SF_ERR_NOMEM; k++) {
            sf_mat *T = lower4(ctx, 0, 0, 2.0);
            if (analyzed) cr_assert_eq(sf_tri_analyze(ctx, T, SF_LOWER, SF_OP_NONE, 0), SF_OK);
            size_t bytes = sf_ctx_bytes_in_use(ctx);
            sf_ctx_fail_allocation_after(ctx, k);
            st = sf_tri_solve_vec(ctx, T, SF_LOWER, SF_OP_TRANSPOSE, SF_NON_UNIT, 0, 1.0, bdata, x);
            sf_ctx_fail_allocation_after(ctx, 0);
            if (st == SF_ERR_NOMEM)
                cr_assert_eq(sf_ctx_bytes_in_use(ctx), bytes, "allocation %llu failed",
                             (unsigned long long)k);
            else
                cr_assert_eq(st, SF_OK, "%s", sf_ctx_message(ctx));
            sf_mat_free(T);
        }
    }
    tu_ctx_done(ctx);
}
