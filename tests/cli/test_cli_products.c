/* `sparsefirst spmm` and `sparsefirst gram` run as scripts run them: results
 * against naive dense products, 1-d in 1-d out, the transpose, complex Gram,
 * thread independence and the error lines. */
#include <complex.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli_run.h"
#include "testutil.h"

TestSuite(cli_products, .init = make_tmpdir, .fini = remove_tmpdir, .timeout = 120);

/* A 4 x 5 matrix, the same densely. */
static const char a_mtx[] = "%%MatrixMarket matrix coordinate real general\n4 5 6\n"
                            "1 1 1\n1 3 2\n2 2 3\n3 5 4\n4 1 5\n4 4 -1.5\n";
static const double a_dense[4][5] = {{1, 0, 2, 0, 0}, {0, 3, 0, 0, 0}, {0, 0, 0, 0, 4}, {5, 0, 0, -1.5, 0}};

/* Read an output and check its dtype and shape; caller frees with sf_array_free
 * then tu_ctx_done(ctx). */
static sf_array *load(sf_ctx *ctx, const char *path, sf_npy_dtype dt, int ndim, int64_t d0, int64_t d1) {
    sf_array *a = NULL;
    cr_assert_eq(sf_npy_read(ctx, path, &a), SF_OK, "%s", sf_ctx_message(ctx));
    cr_assert_eq(a->dtype, dt);
    cr_assert_eq(a->shape.ndim, ndim);
    cr_assert_eq(a->shape.dim[0], d0);
    if (ndim == 2) cr_assert_eq(a->shape.dim[1], d1);
    return a;
}

static void random_fill(double *v, int64_t n, uint64_t seed) {
    for (int64_t q = 0; q < n; q++) v[q] = tu_uniform(&seed);
}

Test(cli_products, spmm_2d_and_transpose_against_dense) {
    write_bytes(tmp("A.mtx"), a_mtx, sizeof a_mtx - 1);
    double b[15], bt[12];
    random_fill(b, 15, 1);
    random_fill(bt, 12, 2);
    save_npy(tmp("B.npy"), SF_NPY_F8, 2, 5, 3, b);
    save_npy(tmp("Bt.npy"), SF_NPY_F8, 2, 4, 3, bt);
    expect_success(run("spmm", tmp("A.mtx"), tmp("B.npy"), "-o", tmp("C.npy"), NULL));
    expect_success(run("spmm", "--transpose", tmp("A.mtx"), tmp("Bt.npy"), "-o", tmp("Ct.npy"), NULL));
    sf_ctx *ctx = tu_ctx();
    sf_array *c = load(ctx, tmp("C.npy"), SF_NPY_F8, 2, 4, 3), *ct = load(ctx, tmp("Ct.npy"), SF_NPY_F8, 2, 5, 3);
    for (int i = 0; i < 4; i++)
        for (int j = 0; j < 3; j++) {
            double w = 0;
            for (int l = 0; l < 5; l++) w += a_dense[i][l] * b[l * 3 + j];
            cr_assert_float_eq(((double *)c->data)[i * 3 + j], w, 1e-15);
        }
    for (int i = 0; i < 5; i++)
        for (int j = 0; j < 3; j++) {
            double w = 0;
            for (int l = 0; l < 4; l++) w += a_dense[l][i] * bt[l * 3 + j];
            cr_assert_float_eq(((double *)ct->data)[i * 3 + j], w, 1e-15);
        }
    sf_array_free(c);
    sf_array_free(ct);
    tu_ctx_done(ctx);
}

Test(cli_products, spmm_1d_gives_1d) {
    write_bytes(tmp("A.mtx"), a_mtx, sizeof a_mtx - 1);
    double x[5] = {1, 2, 3, 4, 5};
    save_npy(tmp("x.npy"), SF_NPY_F8, 1, 5, 0, x);
    expect_success(run("spmm", tmp("A.mtx"), tmp("x.npy"), "-o", tmp("y.npy"), NULL));
    sf_ctx *ctx = tu_ctx();
    sf_array *y = load(ctx, tmp("y.npy"), SF_NPY_F8, 1, 4, 0);
    for (int i = 0; i < 4; i++) {
        double w = 0;
        for (int l = 0; l < 5; l++) w += a_dense[i][l] * x[l];
        cr_assert_eq(((double *)y->data)[i], w);
    }
    sf_array_free(y);
    tu_ctx_done(ctx);
}

/* A shared matrix large enough to run parallel: the files are the same bytes. */
Test(cli_products, spmm_threads_give_identical_files_and_time_lines) {
    const char *a = matrix("matrices/bcsstk13.mtx");
    double *b = malloc(2003 * 20 * sizeof *b);
    random_fill(b, 2003 * 20, 3);
    save_npy(tmp("B.npy"), SF_NPY_F8, 2, 2003, 20, b);
    expect_success(run("spmm", a, tmp("B.npy"), "-o", tmp("C1.npy"), "--threads", "1", NULL));
    result r = run("spmm", a, tmp("B.npy"), "-o", tmp("C2.npy"), "--threads=2", "--time", "--repeat", "3", NULL);
    cr_assert_eq(r.status, 0, "stderr: %s", r.err);
    cr_assert_str_empty(r.out);
    cr_assert(strstr(r.err, "time: ") == r.err, "stderr: %s", r.err);
    result_free(&r);
    size_t n1, n2;
    char *c1 = slurp(tmp("C1.npy"), &n1), *c2 = slurp(tmp("C2.npy"), &n2);
    cr_assert_eq(n1, n2);
    cr_assert_eq(memcmp(c1, c2, n1), 0);
    free(c1), free(c2), free(b);
}

Test(cli_products, spmm_time_prints_two_lines) {
    write_bytes(tmp("A.mtx"), a_mtx, sizeof a_mtx - 1);
    double x[5] = {1, 2, 3, 4, 5};
    save_npy(tmp("x.npy"), SF_NPY_F8, 1, 5, 0, x);
    result r = run("spmm", tmp("A.mtx"), tmp("x.npy"), "-o", tmp("y.npy"), "--time", NULL);
    cr_assert_eq(r.status, 0);
    double t;
    long long peak;
    cr_assert_eq(sscanf(r.err, "time: %lf\npeak-memory: %lld\n", &t, &peak), 2, "stderr: %s", r.err);
    cr_assert_geq(t, 0);
    cr_assert_gt(peak, 0);
    result_free(&r);
}

Test(cli_products, spmm_errors) {
    write_bytes(tmp("A.mtx"), a_mtx, sizeof a_mtx - 1);
    double b[12] = {0};
    save_npy(tmp("B4.npy"), SF_NPY_F8, 2, 4, 3, b);
    char want[512];
    snprintf(want, sizeof want, "sparsefirst: error: %s: sf_spmm: A is 4 x 5, B is 4 x 3", tmp("B4.npy"));
    expect_error(run("spmm", tmp("A.mtx"), tmp("B4.npy"), "-o", tmp("C.npy"), NULL), 1, want);
    expect_error(run("spmm", tmp("A.mtx"), tmp("B4.npy"), NULL), 2,
                 "sparsefirst: error: missing -o FILE (usage: sparsefirst spmm [options] A B -o C)");
    int32_t ib[12] = {0};
    save_npy(tmp("I.npy"), SF_NPY_I4, 2, 4, 3, ib);
    snprintf(want, sizeof want,
             "sparsefirst: error: %s: sf_array_dense_view: dtype '<i4' is not float64 or complex128",
             tmp("I.npy"));
    expect_error(run("spmm", "--transpose", tmp("A.mtx"), tmp("I.npy"), "-o", tmp("C.npy"), NULL), 1, want);
    expect_input_error(run("spmm", tmp("A.mtx"), tmp("B4.npy"), "-o", tmp("C.npy"), "--transpose",
                           "--memory-limit", "64", NULL),
                       "sparsefirst: error: ");
}

Test(cli_products, gram_complex_against_triple_loop) {
    enum { R = 6, K = 3 };
    double complex bz[R * K];
    double parts[2 * R * K], w[R] = {1, -1, 0.5, 2, -3, 0};
    random_fill(parts, 2 * R * K, 4);
    for (int q = 0; q < R * K; q++) bz[q] = parts[2 * q] + parts[2 * q + 1] * I;
    save_npy(tmp("B.npy"), SF_NPY_C16, 2, R, K, bz);
    save_npy(tmp("W.npy"), SF_NPY_F8, 1, R, 0, w);
    expect_success(run("gram", tmp("B.npy"), tmp("W.npy"), "-o", tmp("G.npy"), NULL));
    sf_ctx *ctx = tu_ctx();
    sf_array *g = load(ctx, tmp("G.npy"), SF_NPY_C16, 2, K, K);
    const double complex *gd = g->data;
    for (int m = 0; m < K; m++)
        for (int n = 0; n < K; n++) {
            double complex s = 0;
            for (int i = 0; i < R; i++) s += conj(bz[i * K + m]) * w[i] * bz[i * K + n];
            cr_assert_lt(cabs(gd[m * K + n] - s), 1e-14);
        }
    sf_array_free(g);
    tu_ctx_done(ctx);
}

Test(cli_products, gram_real_and_errors) {
    double b[10] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, w[5] = {1, 2, 3, 4, 5}, w4[4] = {1, 2, 3, 4};
    save_npy(tmp("B.npy"), SF_NPY_F8, 2, 5, 2, b);
    save_npy(tmp("W.npy"), SF_NPY_F8, 1, 5, 0, w);
    save_npy(tmp("W4.npy"), SF_NPY_F8, 1, 4, 0, w4);
    expect_success(run("gram", tmp("B.npy"), tmp("W.npy"), "-o", tmp("G.npy"), NULL));
    sf_ctx *ctx = tu_ctx();
    sf_array *g = load(ctx, tmp("G.npy"), SF_NPY_F8, 2, 2, 2);
    for (int m = 0; m < 2; m++)
        for (int n = 0; n < 2; n++) {
            double s = 0;
            for (int i = 0; i < 5; i++) s += b[i * 2 + m] * w[i] * b[i * 2 + n];
            cr_assert_eq(((double *)g->data)[m * 2 + n], s);
        }
    sf_array_free(g);
    tu_ctx_done(ctx);
    char want[512];
    snprintf(want, sizeof want, "sparsefirst: error: %s: 4 weights for the 5 rows of %s", tmp("W4.npy"),
             tmp("B.npy"));
    expect_error(run("gram", tmp("B.npy"), tmp("W4.npy"), "-o", tmp("G.npy"), NULL), 1, want);
    expect_error(run("gram", tmp("B.npy"), tmp("W.npy"), NULL), 2,
                 "sparsefirst: error: missing -o FILE (usage: sparsefirst gram [options] B W -o G)");
}
