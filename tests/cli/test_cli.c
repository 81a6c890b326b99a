/* The `sparsefirst` program, run as scripts run it: exact output lines, exit
 * statuses, one error line on stderr, global options anywhere. */
#include <fcntl.h>
#include <math.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testutil.h"

#include "cli_run.h"

TestSuite(cli, .init = make_tmpdir, .fini = remove_tmpdir, .timeout = 120);

/* The info lines the library itself gives for a Matrix Market file. */
static void expected_info(const char *path, char *buf, size_t len) {
    sf_ctx *ctx = tu_ctx();
    sf_mat *m = NULL;
    sf_mm_info info;
    cr_assert_eq(sf_mm_read(ctx, path, &m, &info), SF_OK, "%s", sf_ctx_message(ctx));
    static const char *const sym[] = {"general", "symmetric", "skew-symmetric", "hermitian"};
    static const char *const field[] = {"real", "integer", "pattern", "complex"};
    snprintf(buf, len,
             "rows: %lld\ncols: %lld\nnnz: %lld\nkind: csr\nsymmetry: %s\nfield: %s\n"
             "format: %s\nbytes: %zu\ndense-bytes: %lld\n",
             (long long)sf_mat_rows(m), (long long)sf_mat_cols(m), (long long)sf_mat_nnz(m),
             sym[info.symmetry], field[info.field],
             info.format == SF_MM_ARRAY ? "array" : "coordinate", sf_mat_bytes(m),
             (long long)(sf_mat_rows(m) * sf_mat_cols(m) * 8));
    sf_mat_free(m);
    tu_ctx_done(ctx);
}

/* ------------------------------------------------------------ help */

Test(cli, help_lists_subcommands) {
    result r = run("--help", NULL);
    expect_ok(r);
    cr_assert(strstr(r.out, "usage: sparsefirst SUBCOMMAND"), "%s", r.out);
    cr_assert(strstr(r.out, "\n  info "), "%s", r.out);
    cr_assert(strstr(r.out, "\n  convert "), "%s", r.out);
    cr_assert(strstr(r.out, "--memory-limit"), "%s", r.out);
    result_free(&r);
    r = run("-h", NULL);
    expect_ok(r);
    cr_assert(strstr(r.out, "\n  info "));
    result_free(&r);
}

Test(cli, subcommand_help_shows_usage) {
    const char *subs[] = {"info", "convert"};
    for (int k = 0; k < 2; k++) {
        char want[64];
        snprintf(want, sizeof want, "usage: sparsefirst %s [options]", subs[k]);
        result r = run(subs[k], "--help", NULL);
        expect_ok(r);
        cr_assert_eq(strncmp(r.out, want, strlen(want)), 0, "%s", r.out);
        cr_assert(strstr(r.out, "--threads"), "global options listed too");
        result_free(&r);
        r = run("--help", subs[k], "--bogus", NULL); /* help wins, anywhere */
        expect_ok(r);
        cr_assert_eq(strncmp(r.out, want, strlen(want)), 0);
        result_free(&r);
    }
    result r = run("--version", NULL);
    expect_ok(r);
    cr_assert_eq(strncmp(r.out, "sparsefirst ", 12), 0);
    result_free(&r);
}

/* ------------------------------------------------------------ usage errors */

Test(cli, usage_errors_exit_2_with_one_line) {
    const char *m = matrix("matrices/can___24.mtx");
    expect_error(run(NULL), 2, "sparsefirst: error: missing subcommand (try 'sparsefirst --help')");
    expect_error(run("frobnicate", m, NULL), 2,
                 "sparsefirst: error: unknown subcommand 'frobnicate' (try 'sparsefirst --help')");
    expect_error(run("info", "--foo", m, NULL), 2, "sparsefirst: error: unknown option '--foo'");
    expect_error(run("--foo", "info", m, NULL), 2, "sparsefirst: error: unknown option '--foo'");
    expect_error(run("info", "-x", m, NULL), 2, "sparsefirst: error: unknown option '-x'");
    expect_error(run("info", NULL), 2,
                 "sparsefirst: error: missing argument (usage: sparsefirst info [options] FILE)");
    expect_error(run("info", m, "extra.mtx", NULL), 2,
                 "sparsefirst: error: unexpected argument 'extra.mtx' (usage: sparsefirst info "
                 "[options] FILE)");
    expect_error(run("convert", m, NULL), 2,
                 "sparsefirst: error: missing argument (usage: sparsefirst convert [options] IN "
                 "OUT)");
    expect_error(run("info", m, "--threads", NULL), 2,
                 "sparsefirst: error: option '--threads' needs a value");
    expect_error(run("info", m, "--threads", "abc", NULL), 2,
                 "sparsefirst: error: bad number for '--threads': 'abc' (expected an integer from "
                 "1 to 1024)");
    expect_error(run("info", m, "--threads=0", NULL), 2,
                 "sparsefirst: error: bad number for '--threads': '0' (expected an integer from 1 "
                 "to 1024)");
    expect_error(run("info", m, "--repeat", "-1", NULL), 2,
                 "sparsefirst: error: bad number for '--repeat': '-1' (expected an integer from 1 "
                 "to 1000000)");
    expect_error(run("info", m, "--repeat", "2x", NULL), 2,
                 "sparsefirst: error: bad number for '--repeat': '2x' (expected an integer from 1 "
                 "to 1000000)");
    expect_error(run("info", m, "--memory-limit", "12Q", NULL), 2,
                 "sparsefirst: error: bad size for '--memory-limit': '12Q' (expected bytes or a "
                 "K/M/G/T suffix)");
    expect_error(run("info", m, "--memory-limit", "99999999999999999999", NULL), 2,
                 "sparsefirst: error: bad size for '--memory-limit': '99999999999999999999' "
                 "(expected bytes or a K/M/G/T suffix)");
    expect_error(run("info", m, "--time=yes", NULL), 2,
                 "sparsefirst: error: option '--time' takes no value");
    expect_error(run("convert", m, "out.txt", NULL), 2,
                 "sparsefirst: error: cannot tell the format of 'out.txt' (expected .mtx or .npy)");
    expect_error(run("info", "matrix.csv", NULL), 2,
                 "sparsefirst: error: cannot tell the format of 'matrix.csv' (expected .mtx or .npy)");
    expect_error(run("convert", "--array=1", m, tmp("x.mtx"), NULL), 2,
                 "sparsefirst: error: option '--array' takes no value");
}

/* ------------------------------------------------------------ info */

Test(cli, info_bcsstk13_exact) {
    const char *m = matrix("matrices/bcsstk13.mtx");
    char want[1024];
    expected_info(m, want, sizeof want);
    static const char head[] = "rows: 2003\ncols: 2003\nnnz: 83883\nkind: csr\nsymmetry: symmetric\n"
                               "field: real\nformat: coordinate\nbytes: ";
    cr_assert_eq(strncmp(want, head, sizeof head - 1), 0, "%s", want);
    cr_assert(strstr(want, "dense-bytes: 32096072\n"));
    result r = run("info", m, NULL);
    expect_ok(r);
    cr_assert_str_eq(r.out, want);
    result_free(&r);
}

Test(cli, info_every_shared_matrix) {
    static const char *const names[] = {"494_bus", "arrow", "cage5", "can___24", "dwt_992",
                                        "rajat01", "west0479", "pts5ldd03"};
    for (size_t k = 0; k < sizeof names / sizeof *names; k++) {
        char rel[128], want[1024];
        snprintf(rel, sizeof rel, "matrices/%s.mtx", names[k]);
        const char *m = matrix(rel);
        expected_info(m, want, sizeof want);
        result r = run("info", m, NULL);
        expect_ok(r);
        cr_assert_str_eq(r.out, want, "%s", names[k]);
        result_free(&r);
    }
}

Test(cli, info_names_integer_pattern_skew_and_array) {
    result r = run("info", matrix("matrices/arrow.mtx"), NULL);
    expect_ok(r);
    cr_assert(strstr(r.out, "\nfield: integer\n"));
    cr_assert(strstr(r.out, "\nsymmetry: general\n"));
    result_free(&r);
    r = run("info", matrix("matrices/can___24.mtx"), NULL);
    expect_ok(r);
    cr_assert(strstr(r.out, "\nfield: pattern\n"));
    result_free(&r);
    const char skew[] = "%%MatrixMarket matrix coordinate real skew-symmetric\n3 3 2\n2 1 5\n3 2 -1\n";
    write_bytes(tmp("skew.mtx"), skew, sizeof skew - 1);
    r = run("info", tmp("skew.mtx"), NULL);
    expect_ok(r);
    cr_assert(strstr(r.out, "rows: 3\ncols: 3\nnnz: 4\nkind: csr\nsymmetry: skew-symmetric\n"
                            "field: real\nformat: coordinate\n"), "%s", r.out);
    cr_assert(strstr(r.out, "\ndense-bytes: 72\n"));
    result_free(&r);
    const char arr[] = "%%MatrixMarket matrix array real general\n2 3\n1\n0\n0\n4\n5\n0\n";
    write_bytes(tmp("arr.mtx"), arr, sizeof arr - 1);
    r = run("info", tmp("arr.mtx"), NULL);
    expect_ok(r);
    cr_assert(strstr(r.out, "rows: 2\ncols: 3\nnnz: 3\nkind: csr\nsymmetry: general\n"
                            "field: real\nformat: array\n"), "%s", r.out);
    result_free(&r);
}

Test(cli, info_npy) {
    sf_ctx *ctx = tu_ctx();
    int32_t v[6] = {0, 1, 0, 2, 3, 0};
    sf_shape s;
    sf_shape_make(ctx, 2, (int64_t[]){2, 3}, &s);
    cr_assert_eq(sf_npy_write(ctx, tmp("i.npy"), SF_NPY_I4, &s, v), SF_OK);
    tu_ctx_done(ctx);
    result r = run("info", tmp("i.npy"), NULL);
    expect_ok(r);
    cr_assert_str_eq(r.out, "shape: (2, 3)\ndtype: <i4\nsize: 6\nnonzeros: 3\nbytes: 24\n");
    result_free(&r);
}

/* ------------------------------------------------------------ convert */

/* Dense copy of a matrix file read by the library. */
static double *dense_of_file(const char *path, int64_t *rows, int64_t *cols) {
    sf_ctx *ctx = tu_ctx();
    sf_mat *m = NULL;
    cr_assert_eq(sf_mm_read(ctx, path, &m, NULL), SF_OK, "%s", sf_ctx_message(ctx));
    *rows = sf_mat_rows(m);
    *cols = sf_mat_cols(m);
    double *d = tu_dense_of(ctx, m);
    sf_mat_free(m);
    tu_ctx_done(ctx);
    return d;
}

Test(cli, convert_round_trip_exact) {
    static const char *const names[] = {"matrices/bcsstk13.mtx", "matrices/west0479.mtx",
                                        "matrices/can___24.mtx", "matrices/cage5.mtx"};
    for (size_t k = 0; k < sizeof names / sizeof *names; k++) {
        const char *m = matrix(names[k]);
        expect_success(run("convert", m, tmp("a.npy"), NULL));
        expect_success(run("convert", tmp("a.npy"), tmp("b.mtx"), NULL));
        expect_success(run("convert", tmp("b.mtx"), tmp("c.npy"), NULL));
        size_t la, lc;
        char *a = slurp(tmp("a.npy"), &la), *c = slurp(tmp("c.npy"), &lc);
        cr_assert_eq(la, lc);
        cr_assert_arr_eq(a, c, la, "%s: .npy bytes differ after the round trip", names[k]);
        int64_t r0, c0, r1, c1;
        double *d0 = dense_of_file(m, &r0, &c0), *d1 = dense_of_file(tmp("b.mtx"), &r1, &c1);
        cr_assert_eq(r0, r1);
        cr_assert_eq(c0, c1);
        cr_assert_arr_eq(d0, d1, (size_t)(r0 * c0) * sizeof *d0, "%s", names[k]);
        /* the .npy holds the same dense matrix */
        sf_ctx *ctx = tu_ctx();
        sf_array *arr = NULL;
        cr_assert_eq(sf_npy_read(ctx, tmp("a.npy"), &arr), SF_OK);
        cr_assert_eq(arr->dtype, SF_NPY_F8);
        cr_assert_eq(arr->shape.ndim, 2);
        cr_assert_eq(arr->shape.dim[0], r0);
        cr_assert_eq(arr->shape.dim[1], c0);
        cr_assert_arr_eq(arr->data, d0, (size_t)(r0 * c0) * sizeof *d0);
        sf_array_free(arr);
        tu_ctx_done(ctx);
        free(a);
        free(c);
        free(d0);
        free(d1);
    }
}

Test(cli, convert_same_format_and_array_layout) {
    const char *m = matrix("matrices/cage5.mtx");
    int64_t r0, c0, r1, c1;
    double *d0 = dense_of_file(m, &r0, &c0);
    expect_success(run("convert", m, tmp("same.mtx"), NULL));
    double *d1 = dense_of_file(tmp("same.mtx"), &r1, &c1);
    cr_assert_arr_eq(d0, d1, (size_t)(r0 * c0) * sizeof *d0);
    free(d1);
    expect_success(run("convert", "--array", m, tmp("dense.mtx"), NULL));
    char *text = slurp(tmp("dense.mtx"), NULL);
    cr_assert_eq(strncmp(text, "%%MatrixMarket matrix array real general", 40), 0, "%s", text);
    free(text);
    d1 = dense_of_file(tmp("dense.mtx"), &r1, &c1);
    cr_assert_arr_eq(d0, d1, (size_t)(r0 * c0) * sizeof *d0);
    free(d1);
    expect_success(run("convert", m, tmp("a.npy"), NULL));
    expect_success(run("convert", tmp("a.npy"), tmp("b.npy"), NULL));
    size_t la, lb;
    char *a = slurp(tmp("a.npy"), &la), *b = slurp(tmp("b.npy"), &lb);
    cr_assert_eq(la, lb);
    cr_assert_arr_eq(a, b, la);
    free(a);
    free(b);
    free(d0);
}

/* .npy -> array .mtx -> .npy gives the same bytes, -0.0, subnormals, inf
 * and nan included (an array .mtx is read as an array, not through a sparse
 * handle that would drop -0.0). */
Test(cli, array_mtx_round_trip_keeps_negative_zero) {
    double v[6] = {-0.0, 0.0, 4.9406564584124654e-324, -INFINITY, NAN, 1.0 / 3};
    save_npy(tmp("rt.npy"), SF_NPY_F8, 2, 2, 3, v);
    expect_success(run("convert", "--array", tmp("rt.npy"), tmp("rt.mtx"), NULL));
    expect_success(run("convert", tmp("rt.mtx"), tmp("back.npy"), NULL));
    size_t la, lb;
    char *a = slurp(tmp("rt.npy"), &la), *b = slurp(tmp("back.npy"), &lb);
    cr_assert_eq(la, lb);
    cr_assert_arr_eq(a, b, la, "bit-exact round trip through an array .mtx");
    free(a), free(b);
    expect_success(run("convert", "--array", tmp("rt.mtx"), tmp("again.mtx"), NULL));
    a = slurp(tmp("rt.mtx"), &la), b = slurp(tmp("again.mtx"), &lb);
    cr_assert(la == lb && memcmp(a, b, la) == 0, "array .mtx to array .mtx is unchanged");
    free(a), free(b);
}

Test(cli, convert_npy_vectors_integers_and_refusals) {
    sf_ctx *ctx = tu_ctx();
    sf_shape s;
    double v[4] = {1.5, 0, -2, 0x1p-1074};
    sf_shape_make(ctx, 1, (int64_t[]){4}, &s);
    cr_assert_eq(sf_npy_write(ctx, tmp("v.npy"), SF_NPY_F8, &s, v), SF_OK);
    int64_t iv[4] = {7, 0, -3, 1LL << 40};
    cr_assert_eq(sf_npy_write(ctx, tmp("i8.npy"), SF_NPY_I8, &s, iv), SF_OK);
    double z[8] = {1, 2, 3, 4, 5, 6, 7, 8};
    sf_shape_make(ctx, 1, (int64_t[]){4}, &s);
    cr_assert_eq(sf_npy_write(ctx, tmp("c.npy"), SF_NPY_C16, &s, z), SF_OK);
    sf_shape_make(ctx, 3, (int64_t[]){2, 2, 2}, &s);
    cr_assert_eq(sf_npy_write(ctx, tmp("t3.npy"), SF_NPY_F8, &s, z), SF_OK);

    expect_success(run("convert", tmp("v.npy"), tmp("v.mtx"), NULL));
    sf_mat *m = NULL;
    cr_assert_eq(sf_mm_read(ctx, tmp("v.mtx"), &m, NULL), SF_OK);
    cr_assert_eq(sf_mat_rows(m), 4);
    cr_assert_eq(sf_mat_cols(m), 1);
    cr_assert_eq(sf_mat_nnz(m), 3, "the exact zero is dropped");
    double *d = tu_dense_of(ctx, m);
    cr_assert_arr_eq(d, v, sizeof v);
    free(d);
    sf_mat_free(m);

    expect_success(run("convert", tmp("i8.npy"), tmp("i8.mtx"), NULL));
    cr_assert_eq(sf_mm_read(ctx, tmp("i8.mtx"), &m, NULL), SF_OK);
    d = tu_dense_of(ctx, m);
    double want[4] = {7, 0, -3, 0x1p40};
    cr_assert_arr_eq(d, want, sizeof want);
    free(d);
    sf_mat_free(m);
    expect_success(run("convert", tmp("i8.npy"), tmp("f8.npy"), NULL));
    sf_array *a = NULL;
    cr_assert_eq(sf_npy_read(ctx, tmp("f8.npy"), &a), SF_OK);
    cr_assert_eq(a->dtype, SF_NPY_F8);
    cr_assert_arr_eq(a->data, want, sizeof want);
    sf_array_free(a);
    tu_ctx_done(ctx);

    char line[512];
    snprintf(line, sizeof line,
             "sparsefirst: error: %s: complex arrays (dtype '<c16') cannot be converted",
             tmp("c.npy"));
    expect_error(run("convert", tmp("c.npy"), tmp("c.mtx"), NULL), 1, line);
    expect_error(run("convert", tmp("c.npy"), tmp("c2.npy"), NULL), 1, line);
    snprintf(line, sizeof line,
             "sparsefirst: error: %s: a 3-d array of shape (2, 2, 2) is not a matrix (1-d or 2-d "
             "expected)", tmp("t3.npy"));
    expect_error(run("convert", tmp("t3.npy"), tmp("t3.mtx"), NULL), 1, line);
    cr_assert_eq(access(tmp("c.mtx"), F_OK), -1, "no output on failure");
    cr_assert_eq(access(tmp("t3.mtx"), F_OK), -1, "no output on failure");
    expect_success(run("convert", tmp("t3.npy"), tmp("t3b.npy"), NULL)); /* any shape stays .npy */
}

/* ------------------------------------------------------------ bad input */

Test(cli, bad_files_exit_1_with_one_line) {
    char prefix[600];
    for (int k = 1; k <= 4; k++) {
        char rel[64];
        snprintf(rel, sizeof rel, "matrices/bad/mangle%d.mtx", k);
        const char *m = matrix(rel);
        snprintf(prefix, sizeof prefix, "sparsefirst: error: %s: line 1: ", m);
        expect_input_error(run("info", m, NULL), prefix);
        expect_input_error(run("convert", m, tmp("never.npy"), NULL), prefix);
        cr_assert_eq(access(tmp("never.npy"), F_OK), -1);
    }
    /* complex Matrix Market files are not supported by the reader */
    const char *young = matrix("matrices/young1c.mtx");
    snprintf(prefix, sizeof prefix, "sparsefirst: error: %s: ", young);
    expect_input_error(run("info", young, NULL), prefix);

    /* a .npy whose data stops early */
    sf_ctx *ctx = tu_ctx();
    double d[100] = {0};
    sf_shape s;
    sf_shape_make(ctx, 1, (int64_t[]){100}, &s);
    cr_assert_eq(sf_npy_write(ctx, tmp("full.npy"), SF_NPY_F8, &s, d), SF_OK);
    tu_ctx_done(ctx);
    size_t len;
    char *img = slurp(tmp("full.npy"), &len);
    write_bytes(tmp("trunc.npy"), img, len - 800 + 16);
    free(img);
    char line[600];
    snprintf(line, sizeof line,
             "sparsefirst: error: %s: data is truncated: expected 800 bytes, found 16",
             tmp("trunc.npy"));
    expect_error(run("info", tmp("trunc.npy"), NULL), 1, line);
    expect_error(run("convert", tmp("trunc.npy"), tmp("t.mtx"), NULL), 1, line);

    snprintf(line, sizeof line, "sparsefirst: error: %s: cannot open: No such file or directory",
             tmp("missing.mtx"));
    expect_error(run("info", tmp("missing.mtx"), NULL), 1, line);
    snprintf(line, sizeof line, "sparsefirst: error: %s: cannot open: No such file or directory",
             tmp("missing.npy"));
    expect_error(run("convert", tmp("missing.npy"), tmp("x.mtx"), NULL), 1, line);
    expect_error(run("info", "--", "-dash.npy", NULL), 1,
                 "sparsefirst: error: -dash.npy: cannot open: No such file or directory");
    cr_assert_eq(mkdir(tmp("dir.mtx"), 0755), 0);
    snprintf(line, sizeof line, "sparsefirst: error: %s: cannot open: Is a directory",
             tmp("dir.mtx"));
    expect_error(run("info", tmp("dir.mtx"), NULL), 1, line);
}

Test(cli, unwritable_output_exit_1) {
    char line[512];
    snprintf(line, sizeof line,
             "sparsefirst: error: /nonexistent/dir/x.npy: cannot create: No such file or directory");
    expect_error(run("convert", matrix("matrices/cage5.mtx"), "/nonexistent/dir/x.npy", NULL), 1,
                 line);
}

/* ------------------------------------------------------------ global options */

/* stderr is exactly "time: T\npeak-memory: B\n" with T >= 0 and B > 0. */
static void expect_time_lines(const char *err) {
    double t = -1;
    long long b = -1;
    int used = 0;
    cr_assert_eq(sscanf(err, "time: %lf\npeak-memory: %lld\n%n", &t, &b, &used), 2, "%s", err);
    cr_assert_eq((size_t)used, strlen(err), "nothing else on stderr: %s", err);
    cr_assert_geq(t, 0.0);
    cr_assert_gt(b, 1 << 20, "peak RSS is at least a megabyte");
}

Test(cli, time_and_repeat) {
    const char *m = matrix("matrices/bcsstk13.mtx");
    char want[1024];
    expected_info(m, want, sizeof want);
    result r = run("info", m, "--time", NULL);
    cr_assert_eq(r.status, 0, "%s", r.err);
    cr_assert_str_eq(r.out, want, "--time does not change stdout");
    expect_time_lines(r.err);
    result_free(&r);
    r = run("--repeat", "3", "--time", "info", m, NULL);
    cr_assert_eq(r.status, 0, "%s", r.err);
    cr_assert_str_eq(r.out, want);
    expect_time_lines(r.err);
    result_free(&r);
    r = run("convert", "--repeat=3", m, tmp("r.npy"), "--time", NULL);
    cr_assert_eq(r.status, 0, "%s", r.err);
    cr_assert_str_empty(r.out);
    expect_time_lines(r.err);
    result_free(&r);
    /* --repeat without --time: same output, nothing on stderr */
    r = run("info", "--repeat", "3", m, NULL);
    expect_ok(r);
    cr_assert_str_eq(r.out, want);
    result_free(&r);
}

Test(cli, global_options_anywhere) {
    const char *m = matrix("matrices/west0479.mtx");
    char want[1024];
    expected_info(m, want, sizeof want);
    const char *lines[][8] = {
        {"--threads", "2", "info", m, NULL},
        {"info", "--threads=2", m, NULL},
        {"info", m, "--threads", "2", NULL},
        {"--memory-limit", "512M", "info", m, NULL},
        {"info", m, "--memory-limit=1G", "--threads", "4", NULL},
        {"info", "--memory-limit", "100000000", m, NULL},
        {"info", "--", m, NULL},
    };
    for (size_t k = 0; k < sizeof lines / sizeof *lines; k++) {
        result r = run(lines[k][0], lines[k][1], lines[k][2], lines[k][3], lines[k][4],
                       lines[k][5], NULL);
        expect_ok(r);
        cr_assert_str_eq(r.out, want, "line %zu", k);
        result_free(&r);
    }
}

Test(cli, memory_limit_names_the_limit) {
    const char *m = matrix("matrices/bcsstk13.mtx");
    char prefix[600];
    snprintf(prefix, sizeof prefix, "sparsefirst: error: %s: ", m);
    result r = run("--memory-limit", "1K", "info", m, NULL);
    cr_assert(strstr(r.err, "memory limit of 1024 bytes"), "%s", r.err);
    expect_input_error(r, prefix);
    /* reading fits in 2M, the 32 MB dense array does not */
    r = run("convert", "--memory-limit", "2M", m, tmp("big.npy"), NULL);
    cr_assert(strstr(r.err, "memory limit of 2097152 bytes"), "%s", r.err);
    expect_input_error(r, prefix);
    cr_assert_eq(access(tmp("big.npy"), F_OK), -1);
}
