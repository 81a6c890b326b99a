/* `sparsefirst trisolve` and `sparsefirst cholsolve` as scripts run them:
 * results against a dense substitution written here and against A x = b,
 * 1-d and 2-d right-hand sides, the flags, and the error lines. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "cli_run.h"
#include "testutil.h"

TestSuite(cli_solve, .init = make_tmpdir, .fini = remove_tmpdir, .timeout = 120);

/* A 4 x 4 lower triangle, and the same densely. */
static const char l_mtx[] = "%%MatrixMarket matrix coordinate real general\n4 4 7\n"
                            "1 1 2\n2 1 1\n2 2 -4\n3 2 0.5\n3 3 1\n4 1 3\n4 4 8\n";
static const double l_dense[4][4] = {{2, 0, 0, 0}, {1, -4, 0, 0}, {0, 0.5, 1, 0}, {3, 0, 0, 8}};

/* The values of a float64 .npy of n elements into out. */
static void load(const char *path, int ndim, int64_t n, double *out) {
    sf_ctx *ctx = tu_ctx();
    sf_array *a = NULL;
    cr_assert_eq(sf_npy_read(ctx, path, &a), SF_OK, "%s", sf_ctx_message(ctx));
    cr_assert_eq(a->shape.ndim, ndim);
    cr_assert_eq(a->size, n);
    memcpy(out, a->data, (size_t)n * sizeof *out);
    sf_array_free(a);
    tu_ctx_done(ctx);
}

/* Column c of op(L) x = b by substitution (k columns, row-major b). */
static void dense_solve(int transpose, int unit, const double *b, int64_t k, int64_t c, double *x) {
    for (int s = 0; s < 4; s++) {
        int i = transpose ? 3 - s : s;
        double acc = b[i * k + c];
        for (int j = transpose ? i + 1 : 0; j < (transpose ? 4 : i); j++)
            acc -= (transpose ? l_dense[j][i] : l_dense[i][j]) * x[j];
        x[i] = unit ? acc : acc / l_dense[i][i];
    }
}

Test(cli_solve, trisolve_against_dense_substitution) {
    write_bytes(tmp("L.mtx"), l_mtx, sizeof l_mtx - 1);
    double b[8] = {1, -2, 3, 0.5, 4, 1, -1, 2}, got[8], want[4];
    save_npy(tmp("b.npy"), SF_NPY_F8, 1, 4, 0, b);
    save_npy(tmp("B.npy"), SF_NPY_F8, 2, 4, 2, b);
    expect_success(run("trisolve", tmp("L.mtx"), tmp("b.npy"), "-o", tmp("x.npy"), NULL));
    load(tmp("x.npy"), 1, 4, got);
    dense_solve(0, 0, b, 1, 0, want);
    for (int i = 0; i < 4; i++) cr_assert_float_eq(got[i], want[i], 1e-15);
    expect_success(run("trisolve", "--transpose", "--unit-diagonal", tmp("L.mtx"), tmp("B.npy"),
                       "-o", tmp("X.npy"), "--threads", "2", NULL));
    load(tmp("X.npy"), 2, 8, got);
    for (int c = 0; c < 2; c++) {
        dense_solve(1, 1, b, 2, c, want);
        for (int i = 0; i < 4; i++) cr_assert_float_eq(got[i * 2 + c], want[i], 1e-15);
    }
}

Test(cli_solve, trisolve_upper_and_ignore_other) {
    write_bytes(tmp("L.mtx"), l_mtx, sizeof l_mtx - 1);
    double b[4] = {1, 2, 3, 4}, got[4];
    char want[512];
    save_npy(tmp("b.npy"), SF_NPY_F8, 1, 4, 0, b);
    snprintf(want, sizeof want, "sparsefirst: error: %s: sf_tri_solve: row 1, column 0: entry below "
             "the diagonal of an upper triangular matrix (SF_TRI_IGNORE_OTHER ignores it)", tmp("L.mtx"));
    expect_error(run("trisolve", "--upper", tmp("L.mtx"), tmp("b.npy"), "-o", tmp("x.npy"), NULL), 1, want);
    expect_success(run("trisolve", "--upper", "--ignore-other", tmp("L.mtx"), tmp("b.npy"), "-o",
                       tmp("x.npy"), NULL));
    load(tmp("x.npy"), 1, 4, got);
    for (int i = 0; i < 4; i++) cr_assert_eq(got[i], b[i] / l_dense[i][i], "only the diagonal is upper");
}

Test(cli_solve, trisolve_errors) {
    static const char z_mtx[] = "%%MatrixMarket matrix coordinate real general\n3 3 3\n"
                                "1 1 2\n2 2 0\n3 3 1\n";
    write_bytes(tmp("Z.mtx"), z_mtx, sizeof z_mtx - 1);
    double b[4] = {1, 2, 3, 4};
    char want[512];
    save_npy(tmp("b3.npy"), SF_NPY_F8, 1, 3, 0, b);
    save_npy(tmp("b4.npy"), SF_NPY_F8, 1, 4, 0, b);
    snprintf(want, sizeof want, "sparsefirst: error: %s: sf_tri_solve: row 1: zero pivot", tmp("Z.mtx"));
    expect_error(run("trisolve", tmp("Z.mtx"), tmp("b3.npy"), "-o", tmp("x.npy"), NULL), 1, want);
    /* a B that does not fit is B's fault, shown with its own shape */
    snprintf(want, sizeof want, "sparsefirst: error: %s: B has shape (4,) but %s is 3 x 3",
             tmp("b4.npy"), tmp("Z.mtx"));
    expect_error(run("trisolve", tmp("Z.mtx"), tmp("b4.npy"), "-o", tmp("x.npy"), NULL), 1, want);
    snprintf(want, sizeof want, "sparsefirst: error: %s: B has shape (4,) but %s is 3 x 3",
             tmp("b4.npy"), tmp("Z.mtx"));
    expect_error(run("cholsolve", tmp("Z.mtx"), tmp("b4.npy"), "-o", tmp("x.npy"), NULL), 1, want);
    double bc[6] = {1, 0, 2, 0, 3, 0};
    save_npy(tmp("bc.npy"), SF_NPY_C16, 1, 3, 0, bc);
    snprintf(want, sizeof want, "sparsefirst: error: %s: B is complex (dtype '<c16'); the solvers "
             "take float64", tmp("bc.npy"));
    expect_error(run("trisolve", tmp("Z.mtx"), tmp("bc.npy"), "-o", tmp("x.npy"), NULL), 1, want);
    expect_error(run("cholsolve", tmp("Z.mtx"), tmp("bc.npy"), "-o", tmp("x.npy"), NULL), 1, want);
    static const char ns_mtx[] = "%%MatrixMarket matrix coordinate real general\n3 4 1\n1 1 1\n";
    write_bytes(tmp("NS.mtx"), ns_mtx, sizeof ns_mtx - 1);
    snprintf(want, sizeof want, "sparsefirst: error: %s: T is 3 x 4, not square", tmp("NS.mtx"));
    expect_error(run("trisolve", tmp("NS.mtx"), tmp("b3.npy"), "-o", tmp("x.npy"), NULL), 1, want);
    snprintf(want, sizeof want, "sparsefirst: error: %s: A is 3 x 4, not square", tmp("NS.mtx"));
    expect_error(run("cholsolve", tmp("NS.mtx"), tmp("b3.npy"), "-o", tmp("x.npy"), NULL), 1, want);
    cr_assert_neq(access(tmp("x.npy"), F_OK), 0, "no output on failure");
    expect_error(run("trisolve", tmp("Z.mtx"), tmp("b3.npy"), NULL), 2,
                 "sparsefirst: error: missing -o FILE (usage: sparsefirst trisolve [options] T B -o X)");
    result r = run("trisolve", "--memory-limit", "1K", tmp("Z.mtx"), tmp("b3.npy"), "-o", tmp("x.npy"), NULL);
    cr_assert(strstr(r.err, "memory limit of 1024 bytes"), "%s", r.err);
    expect_input_error(r, "sparsefirst: error: ");
    expect_error(run("cholsolve", tmp("Z.mtx"), NULL), 2,
                 "sparsefirst: error: missing argument (usage: sparsefirst cholsolve [options] A B -o X)");
}

/* |A x - b| / |b| with A read by the library and x from the program. */
Test(cli_solve, cholsolve_shared_matrix_residual) {
    const char *a = matrix("matrices/494_bus.mtx");
    sf_ctx *ctx = tu_ctx();
    sf_mat *A = NULL;
    cr_assert_eq(sf_mm_read(ctx, a, &A, NULL), SF_OK);
    int64_t n = sf_mat_rows(A);
    double *b = malloc((size_t)n * 2 * sizeof *b), *x = malloc((size_t)n * 2 * sizeof *x);
    double *col = malloc((size_t)n * sizeof *col), *r = malloc((size_t)n * sizeof *r);
    for (int64_t i = 0; i < 2 * n; i++) b[i] = 1.0 + (double)(i % 5);
    save_npy(tmp("B.npy"), SF_NPY_F8, 2, n, 2, b);
    result res = run("cholsolve", a, tmp("B.npy"), "-o", tmp("X.npy"), "--time", "--repeat", "2", NULL);
    cr_assert_eq(res.status, 0, "%s", res.err);
    cr_assert(strstr(res.err, "time: ") == res.err, "%s", res.err);
    result_free(&res);
    load(tmp("X.npy"), 2, 2 * n, x);
    for (int c = 0; c < 2; c++) {
        double num = 0, den = 0;
        for (int64_t i = 0; i < n; i++) col[i] = x[i * 2 + c];
        cr_assert_eq(sf_spmv(ctx, 1.0, A, SF_OP_NONE, col, 0.0, r), SF_OK);
        for (int64_t i = 0; i < n; i++) num += pow(r[i] - b[i * 2 + c], 2), den += pow(b[i * 2 + c], 2);
        cr_assert_lt(sqrt(num / den), 1e-10);
    }
    free(b);
    free(x);
    free(col);
    free(r);
    sf_mat_free(A);
    tu_ctx_done(ctx);
}

Test(cli_solve, cholsolve_not_spd_names_the_column) {
    static const char s_mtx[] = "%%MatrixMarket matrix coordinate real symmetric\n3 3 4\n"
                                "1 1 1\n2 1 2\n2 2 1\n3 3 1\n";
    write_bytes(tmp("S.mtx"), s_mtx, sizeof s_mtx - 1);
    double b[3] = {1, 1, 1};
    save_npy(tmp("b.npy"), SF_NPY_F8, 1, 3, 0, b);
    result r = run("cholsolve", tmp("S.mtx"), tmp("b.npy"), "-o", tmp("x.npy"), NULL);
    cr_assert(strstr(r.err, "matrix is not positive definite"), "%s", r.err);
    expect_input_error(r, "sparsefirst: error: ");
}
