/* `sparsefirst interp`, `interp-weights` and `interp-apply` run as scripts
 * run them: results against a naive np.interp-style loop, saved weights
 * applied to several fields and to the adjoint, and the error lines. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "cli_run.h"
#include "testutil.h"

TestSuite(cli_interp, .init = make_tmpdir, .fini = remove_tmpdir, .timeout = 120);

enum { R = 3, N = 4, M = 5 };
static const double xp[N] = {1, 2, 4, 8}, xn[M] = {0, 1.5, 3, 8, 9};

/* The whole float64 array of an output (malloc'ed), its shape checked. */
static double *load(const char *path, int64_t d0, int64_t d1) {
    sf_ctx *ctx = tu_ctx();
    sf_array *a = NULL;
    cr_assert_eq(sf_npy_read(ctx, path, &a), SF_OK, "%s", sf_ctx_message(ctx));
    cr_assert(a->shape.ndim == 2 && a->shape.dim[0] == d0 && a->shape.dim[1] == d1);
    double *v = malloc((size_t)a->size * sizeof *v);
    memcpy(v, a->data, (size_t)a->size * sizeof *v);
    sf_array_free(a);
    tu_ctx_done(ctx);
    return v;
}

/* np.interp on one increasing row, with a value outside the grid unless clamped. */
static double naive(const double *x, const double *f, double v, bool clamp, double outside) {
    if (v < x[0] || v > x[N - 1]) return clamp ? (v < x[0] ? f[0] : f[N - 1]) : outside;
    int j = 0;
    while (j < N - 2 && x[j + 1] <= v) j++;
    return f[j] + (v - x[j]) * (f[j + 1] - f[j]) / (x[j + 1] - x[j]);
}

/* fp (R, N) random, xp shared and per row; the files of every test. */
static void inputs(double *fp) {
    uint64_t s = 4;
    double xrows[R * N];
    for (int i = 0; i < R * N; i++) fp[i] = tu_uniform(&s), xrows[i] = xp[i % N] * (1 + (i / N));
    save_npy(tmp("xp.npy"), SF_NPY_F8, 1, N, 0, xp);
    save_npy(tmp("xrows.npy"), SF_NPY_F8, 2, R, N, xrows);
    save_npy(tmp("xn.npy"), SF_NPY_F8, 1, M, 0, xn);
    save_npy(tmp("xnl.npy"), SF_NPY_F8, 1, M, 0, (double[M]){0.5, 1.5, 3, 8, 9}); /* positive, for log */
    save_npy(tmp("fp.npy"), SF_NPY_F8, 2, R, N, fp);
}

Test(cli_interp, interp_against_naive_loop) {
    double fp[R * N];
    inputs(fp);
    expect_success(run("interp", tmp("xp.npy"), tmp("fp.npy"), tmp("xn.npy"), "--axis", "1", "-o",
                       tmp("out.npy"), NULL));
    expect_success(run("interp", tmp("xrows.npy"), tmp("fp.npy"), tmp("xn.npy"), "--axis=-1",
                       "--extrapolate", "7.5", "--threads", "2", "-o", tmp("rows.npy"), NULL));
    double *out = load(tmp("out.npy"), R, M), *rows = load(tmp("rows.npy"), R, M);
    for (int i = 0; i < R; i++) {
        double xr[N];
        for (int k = 0; k < N; k++) xr[k] = xp[k] * (1 + i);
        for (int k = 0; k < M; k++) {
            cr_assert_float_eq(out[i * M + k], naive(xp, fp + i * N, xn[k], true, 0), 1e-14);
            cr_assert_float_eq(rows[i * M + k], naive(xr, fp + i * N, xn[k], false, 7.5), 1e-14);
        }
    }
    free(out), free(rows);
}

/* Weights saved once, applied to two fields in one call: the same bits as
 * interp; the adjoint passes the dot-product test. */
Test(cli_interp, weights_apply_and_adjoint) {
    double fp[R * N];
    inputs(fp);
    expect_success(run("interp", tmp("xrows.npy"), tmp("fp.npy"), tmp("xnl.npy"), "--axis", "1",
                       "--method", "log", "--extrapolate", "linear", "-o", tmp("direct.npy"), NULL));
    expect_success(run("interp-weights", tmp("xrows.npy"), tmp("xnl.npy"), "--axis", "1", "--method",
                       "log", "--extrapolate", "linear", "-o", tmp("w.sfw"), NULL));
    expect_success(run("interp-apply", tmp("w.sfw"), tmp("fp.npy"), tmp("fp.npy"), "-o",
                       tmp("a.npy"), "--output", tmp("b.npy"), NULL));
    expect_success(run("interp-apply", "--adjoint", tmp("w.sfw"), tmp("a.npy"), "-o", tmp("t.npy"), NULL));
    double *d = load(tmp("direct.npy"), R, M), *a = load(tmp("a.npy"), R, M), *b = load(tmp("b.npy"), R, M);
    double *t = load(tmp("t.npy"), R, N);
    cr_assert_arr_eq(a, d, sizeof(double) * R * M);
    cr_assert_arr_eq(b, d, sizeof(double) * R * M);
    double lhs = 0, rhs = 0;
    for (int i = 0; i < R * M; i++) lhs += a[i] * a[i];
    for (int i = 0; i < R * N; i++) rhs += fp[i] * t[i];
    cr_assert_float_eq(lhs, rhs, 1e-12 * fabs(lhs));
    free(d), free(a), free(b), free(t);
}

/* A 1-d XP needs --shape for N-d data; the weights then match interp's. */
Test(cli_interp, shared_grid_with_shape) {
    double fp[R * N];
    inputs(fp);
    expect_error(run("interp-weights", tmp("xp.npy"), tmp("xn.npy"), "--axis", "1", "-o", tmp("w.sfw"), NULL),
                 2, "sparsefirst: error: --axis 1 is out of range for 1-d data");
    expect_success(run("interp-weights", tmp("xp.npy"), tmp("xn.npy"), "--axis", "1", "--shape", "3,4",
                       "-o", tmp("w.sfw"), NULL));
    expect_success(run("interp-apply", tmp("w.sfw"), tmp("fp.npy"), "-o", tmp("a.npy"), NULL));
    double *a = load(tmp("a.npy"), R, M);
    for (int i = 0; i < R; i++)
        for (int k = 0; k < M; k++) cr_assert_float_eq(a[i * M + k], naive(xp, fp + i * N, xn[k], true, 0), 1e-14);
    free(a);
}

Test(cli_interp, usage_errors) {
    double fp[R * N];
    inputs(fp);
    expect_error(run("interp", tmp("xp.npy"), tmp("fp.npy"), tmp("xn.npy"), "-o", tmp("o.npy"), NULL), 2,
                 "sparsefirst: error: missing --axis K");
    expect_error(run("interp", tmp("xp.npy"), tmp("fp.npy"), tmp("xn.npy"), "--axis", "1", "--method",
                     "cubic", "-o", tmp("o.npy"), NULL),
                 2, "sparsefirst: error: bad value for '--method': 'cubic' (expected linear, nearest or log)");
    expect_error(run("interp", tmp("xp.npy"), tmp("fp.npy"), tmp("xn.npy"), "--axis", "1", "--extrapolate",
                     "far", "-o", tmp("o.npy"), NULL),
                 2, "sparsefirst: error: bad value for '--extrapolate': 'far' (expected clamp, nan, linear or a finite number)");
    expect_error(run("interp-weights", tmp("xp.npy"), tmp("xn.npy"), "--axis", "0", "--shape", "3,,4",
                     "-o", tmp("w.sfw"), NULL),
                 2, "sparsefirst: error: bad value for '--shape': '3,,4' (expected extents separated by commas, e.g. 2,66,250,400)");
    expect_success(run("interp-weights", tmp("xrows.npy"), tmp("xn.npy"), "--axis", "1", "-o", tmp("w.sfw"), NULL));
    expect_error(run("interp-apply", tmp("w.sfw"), tmp("fp.npy"), tmp("fp.npy"), "-o", tmp("a.npy"), NULL), 2,
                 "sparsefirst: error: 2 field(s) but 1 output(s): give one -o FILE per field");
    expect_error(run("interp", tmp("xp.npy"), tmp("fp.npy"), tmp("xn.npy"), "--axis", "1", "--method", "nearest",
                     "--extrapolate", "linear", "-o", tmp("o.npy"), NULL),
                 2, "sparsefirst: error: --extrapolate linear is not defined for --method nearest");
    expect_error(run("interp", tmp("xp.npy"), tmp("fp.npy"), tmp("xn.npy"), "--axis", "99", "-o", tmp("o.npy"), NULL),
                 2, "sparsefirst: error: bad number for '--axis': '99' (expected an integer from -8 to 7)");
}

/* A failed build names the file the message is about: the data's shape is
 * FP's, a memory limit no one file's. */
Test(cli_interp, build_errors_name_the_right_file) {
    double fp[R * N], none[1] = {0};
    inputs(fp);
    save_npy(tmp("empty.npy"), SF_NPY_F8, 2, 0, 2, none);
    save_npy(tmp("x0.npy"), SF_NPY_F8, 1, 0, 0, none);
    char line[512];
    snprintf(line, sizeof line, "sparsefirst: error: %s: sf_interp_weights: axis 0 of data shape (0, 2) is empty",
             tmp("empty.npy"));
    expect_error(run("interp", tmp("x0.npy"), tmp("empty.npy"), tmp("xn.npy"), "--axis", "0", "-o", tmp("o.npy"),
                     NULL), 1, line);
    result r = run("interp", tmp("xrows.npy"), tmp("fp.npy"), tmp("xn.npy"), "--axis", "1", "--memory-limit", "1K",
                   "-o", tmp("o.npy"), NULL);
    cr_assert_eq(r.status, 1, "%s", r.err);
    cr_assert(strncmp(r.err, "sparsefirst: error: ", 20) == 0 && !strstr(r.err, tmp("xrows.npy")),
              "a memory limit is no file's fault: %s", r.err);
    result_free(&r);
}

Test(cli_interp, input_errors_name_the_file) {
    double fp[R * N], bad[N] = {1, 3, 2, 4};
    inputs(fp);
    save_npy(tmp("bad.npy"), SF_NPY_F8, 1, N, 0, bad);
    char line[512];
    snprintf(line, sizeof line, "sparsefirst: error: %s: sf_interp_weights: source coordinates are not "
             "monotonic at position 2 (value 2)", tmp("bad.npy"));
    expect_error(run("interp", tmp("bad.npy"), tmp("fp.npy"), tmp("xn.npy"), "--axis", "1", "-o", tmp("o.npy"), NULL),
                 1, line);
    expect_success(run("interp-weights", tmp("xrows.npy"), tmp("xn.npy"), "--axis", "1", "-o", tmp("w.sfw"), NULL));
    snprintf(line, sizeof line, "sparsefirst: error: %s: field of shape (4,) does not match the weights' "
             "data shape (3, 4)", tmp("xp.npy"));
    expect_error(run("interp-apply", tmp("w.sfw"), tmp("xp.npy"), "-o", tmp("a.npy"), NULL), 1, line);
    size_t len;
    char *bytes = slurp(tmp("w.sfw"), &len);
    bytes[len - 20] ^= 1;
    write_bytes(tmp("w.sfw"), bytes, len);
    free(bytes);
    snprintf(line, sizeof line, "sparsefirst: error: %s: checksum mismatch", tmp("w.sfw"));
    expect_input_error(run("interp-apply", tmp("w.sfw"), tmp("fp.npy"), "-o", tmp("a.npy"), NULL), line);
}

/* All outputs or none: a later output that cannot be written removes the
 * earlier ones; an output of unknown format is a usage error before any
 * work, with nothing written. */
Test(cli_interp, apply_writes_all_outputs_or_none) {
    double fp[R * N];
    inputs(fp);
    expect_success(run("interp-weights", tmp("xrows.npy"), tmp("xn.npy"), "--axis", "1", "-o", tmp("w.sfw"), NULL));
    char line[512];
    snprintf(line, sizeof line, "sparsefirst: error: %s/nodir/b.npy: cannot create", tmpdir);
    expect_input_error(run("interp-apply", tmp("w.sfw"), tmp("fp.npy"), tmp("fp.npy"), "-o", tmp("a.npy"),
                           "-o", tmp("nodir/b.npy"), NULL), line);
    cr_assert_neq(access(tmp("a.npy"), F_OK), 0, "the first output is removed again");
    snprintf(line, sizeof line, "sparsefirst: error: cannot tell the format of '%s' (expected .mtx or .npy)",
             tmp("b.txt"));
    expect_error(run("interp-apply", tmp("w.sfw"), tmp("fp.npy"), tmp("fp.npy"), "-o", tmp("a.npy"), "-o",
                     tmp("b.txt"), NULL), 2, line);
    cr_assert_neq(access(tmp("a.npy"), F_OK), 0, "nothing written");
}
