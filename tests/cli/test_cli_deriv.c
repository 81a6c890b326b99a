/* `sparsefirst jacobian` and `sparsefirst assemble` run as scripts run them:
 * Jacobians of every shape against textbook derivatives (one stored entry per
 * element, explicit zeros too), assembly against a naive dense sum, and the
 * error lines. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "cli_run.h"
#include "testutil.h"

TestSuite(cli_deriv, .init = make_tmpdir, .fini = remove_tmpdir, .timeout = 120);

static void save(const char *path, sf_npy_dtype dt, int ndim, const int64_t *dims, const void *data) {
    sf_ctx *ctx = tu_ctx();
    sf_shape s;
    cr_assert_eq(sf_shape_make(ctx, ndim, dims, &s), SF_OK);
    cr_assert_eq(sf_npy_write(ctx, path, dt, &s, data), SF_OK, "%s", sf_ctx_message(ctx));
    tu_ctx_done(ctx);
}

/* The n x n matrix of a .mtx output as dense rows, and its stored count. */
static double *load_mtx(const char *path, int64_t n, int64_t *nnz) {
    sf_ctx *ctx = tu_ctx();
    sf_mat *m = NULL;
    cr_assert_eq(sf_mm_read(ctx, path, &m, NULL), SF_OK, "%s", sf_ctx_message(ctx));
    cr_assert_eq(sf_mat_rows(m), n);
    cr_assert_eq(sf_mat_cols(m), n);
    *nnz = sf_mat_nnz(m);
    double *d = tu_dense_of(ctx, m);
    sf_mat_free(m);
    tu_ctx_done(ctx);
    return d;
}

Test(cli_deriv, jacobian_every_shape_one_entry_per_element) {
    static const int64_t dims[4][4] = {{0}, {5}, {2, 3}, {2, 1, 3, 2}};
    static const int nd[4] = {0, 1, 2, 4}, sizes[4] = {1, 5, 6, 12};
    for (int w = 0; w < 4; w++) {
        double x[12];
        for (int i = 0; i < sizes[w]; i++) x[i] = (i % 3 == 0) ? 0.0 : 0.7 * i - 2; /* zeros: relu kink */
        save(tmp("x.npy"), SF_NPY_F8, nd[w], dims[w], x);
        expect_success(run("jacobian", "--fn", "relu", tmp("x.npy"), "-o", tmp("J.mtx"), NULL));
        expect_success(run("jacobian", "--fn", "power", "--p", "3", tmp("x.npy"), "-o", tmp("P.mtx"),
                           "--values", tmp("f.npy"), NULL));
        int64_t nnz, nnz_p, n = sizes[w];
        double *J = load_mtx(tmp("J.mtx"), n, &nnz), *P = load_mtx(tmp("P.mtx"), n, &nnz_p);
        cr_assert_eq(nnz, n, "one stored entry per element, explicit zeros included");
        cr_assert_eq(nnz_p, n);
        sf_ctx *ctx = tu_ctx();
        sf_array *f = NULL;
        cr_assert_eq(sf_npy_read(ctx, tmp("f.npy"), &f), SF_OK);
        cr_assert_eq(f->shape.ndim, nd[w], "values keep the shape of X");
        for (int64_t i = 0; i < n; i++)
            for (int64_t j = 0; j < n; j++) {
                cr_assert_eq(J[i * n + j], i == j && x[i] > 0 ? 1.0 : 0.0);
                cr_assert_float_eq(P[i * n + j], i == j ? 3 * x[i] * x[i] : 0.0, 1e-14 * (1 + 3 * x[i] * x[i]));
            }
        for (int64_t i = 0; i < n; i++) cr_assert_float_eq(((double *)f->data)[i], x[i] * x[i] * x[i], 1e-14 * (1 + fabs(pow(x[i], 3))));
        sf_array_free(f);
        tu_ctx_done(ctx);
        free(J), free(P);
    }
}

Test(cli_deriv, jacobian_error_lines) {
    int64_t d[1] = {3};
    double x[3] = {1, 2, 3};
    save(tmp("x.npy"), SF_NPY_F8, 1, d, x);
    expect_error(run("jacobian", "--fn", "cube", tmp("x.npy"), "-o", tmp("J.mtx"), NULL), 2,
                 "sparsefirst: error: bad value for '--fn': 'cube' (expected square, power, exp, log, "
                 "sqrt, sin, cos, tanh, sigmoid, softplus, abs or relu)");
    expect_error(run("jacobian", "--fn", "power", tmp("x.npy"), "-o", tmp("J.mtx"), NULL), 2,
                 "sparsefirst: error: --fn power needs --p P");
    expect_error(run("jacobian", "--fn", "exp", "--p", "2", tmp("x.npy"), "-o", tmp("J.mtx"), NULL), 2,
                 "sparsefirst: error: --p is only used by --fn power");
    char want[256];
    snprintf(want, sizeof want, "sparsefirst: error: the Jacobian is written as .mtx, not '%s'", tmp("J.npy"));
    expect_error(run("jacobian", "--fn", "exp", tmp("x.npy"), "-o", tmp("J.npy"), NULL), 2, want);
    expect_error(run("jacobian", tmp("x.npy"), "-o", tmp("J.mtx"), NULL), 2,
                 "sparsefirst: error: missing --fn NAME (usage: sparsefirst jacobian [options] --fn NAME X -o J.mtx)");
    expect_input_error(run("jacobian", "--fn", "exp", tmp("missing.npy"), "-o", tmp("J.mtx"), NULL),
                       "sparsefirst: error: ");
    expect_error(run("jacobian", "--fn", "power", "--p", "abc", tmp("x.npy"), "-o", tmp("J.mtx"), NULL), 2,
                 "sparsefirst: error: bad number for '--p': 'abc' (expected a finite number)");
    /* both outputs or neither: J is removed when --values cannot be written */
    snprintf(want, sizeof want, "sparsefirst: error: %s/nodir/v.npy: cannot create", tmpdir);
    expect_input_error(run("jacobian", "--fn", "exp", tmp("x.npy"), "-o", tmp("J2.mtx"), "--values",
                           tmp("nodir/v.npy"), NULL), want);
    cr_assert_neq(access(tmp("J2.mtx"), F_OK), 0, "J removed again");
}

/* 3 triangles on 4 nodes, one naming node 1 twice. */
static const int32_t conn32[9] = {0, 1, 2, 2, 3, 0, 1, 1, 3};

static void naive(const double *ke, double *K) {
    for (int q = 0; q < 16; q++) K[q] = 0;
    for (int e = 0; e < 3; e++)
        for (int a = 0; a < 3; a++)
            for (int b = 0; b < 3; b++) K[conn32[e * 3 + a] * 4 + conn32[e * 3 + b]] += ke[(e * 3 + a) * 3 + b];
}

Test(cli_deriv, assemble_int32_and_int64_against_naive) {
    int64_t conn64[9], dc[2] = {3, 3}, dk[3] = {3, 3, 3};
    double ke[27], K[16];
    uint64_t s = 5;
    for (int q = 0; q < 9; q++) conn64[q] = conn32[q];
    for (int q = 0; q < 27; q++) ke[q] = tu_uniform(&s);
    naive(ke, K);
    save(tmp("c32.npy"), SF_NPY_I4, 2, dc, conn32);
    save(tmp("c64.npy"), SF_NPY_I8, 2, dc, conn64);
    save(tmp("ke.npy"), SF_NPY_F8, 3, dk, ke);
    const char *conns[2] = {"c32.npy", "c64.npy"};
    for (int w = 0; w < 2; w++) {
        expect_success(run("assemble", tmp(conns[w]), tmp("ke.npy"), "--nodes", "4", "-o", tmp("K.mtx"), NULL));
        int64_t nnz;
        double *got = load_mtx(tmp("K.mtx"), 4, &nnz);
        bool hit[16] = {false};
        int64_t pairs = 0;
        for (int e = 0; e < 3; e++)
            for (int a = 0; a < 3; a++)
                for (int b = 0; b < 3; b++) hit[conn32[e * 3 + a] * 4 + conn32[e * 3 + b]] = true;
        for (int q = 0; q < 16; q++) pairs += hit[q];
        cr_assert_eq(nnz, pairs, "one entry per distinct (row, column) pair of the connectivity");
        cr_assert_lt(tu_rel_diff(got, K, 16), 1e-15);
        free(got);
    }
}

Test(cli_deriv, assemble_error_lines) {
    int64_t bad[6] = {0, 1, 2, 2, 3, 7}, db[2] = {2, 3}, dk[3] = {2, 3, 3}, dk4[3] = {2, 4, 4};
    double ke[32] = {0};
    save(tmp("bad.npy"), SF_NPY_I8, 2, db, bad);
    save(tmp("ke.npy"), SF_NPY_F8, 3, dk, ke);
    save(tmp("ke4.npy"), SF_NPY_F8, 3, dk4, ke);
    char want[512];
    snprintf(want, sizeof want,
             "sparsefirst: error: %s: assembly: element 1, position 2: node 7 is out of range [0, 4)", tmp("bad.npy"));
    expect_error(run("assemble", tmp("bad.npy"), tmp("ke.npy"), "--nodes", "4", "-o", tmp("K.mtx"), NULL), 1, want);
    snprintf(want, sizeof want,
             "sparsefirst: error: %s: element matrices <f8 (2, 4, 4) do not match the connectivity "
             "(2, 3): expected float64 (2, 3, 3)", tmp("ke4.npy"));
    expect_error(run("assemble", tmp("bad.npy"), tmp("ke4.npy"), "--nodes", "8", "-o", tmp("K.mtx"), NULL), 1, want);
    snprintf(want, sizeof want,
             "sparsefirst: error: %s: the connectivity must be an int32 or int64 (E, k) array, not <f8 (2, 3, 3)",
             tmp("ke.npy"));
    expect_error(run("assemble", tmp("ke.npy"), tmp("ke.npy"), "--nodes", "8", "-o", tmp("K.mtx"), NULL), 1, want);
    expect_error(run("assemble", tmp("bad.npy"), tmp("ke.npy"), "-o", tmp("K.mtx"), NULL), 2,
                 "sparsefirst: error: missing --nodes N (usage: sparsefirst assemble [options] CONN KE --nodes N -o K.mtx)");
}
