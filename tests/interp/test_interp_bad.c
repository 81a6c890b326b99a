/* Bad input to the builder and to apply: status, exact message, output
 * untouched, nothing leaked; allocation failures clean up. */
#include <math.h>
#include <stdlib.h>

#include "interp_ref.h"

#define UNTOUCHED ((sf_mat *)0x1)

/* Build on a (2, 4, 3) array along axis 1 with per-column x; expect `st`. */
static void expect_build(const double *x, const sf_shape *xs, const double *t, const sf_shape *ts,
                         const sf_shape *data, int axis, sf_interp_method method,
                         sf_interp_extrap ex, sf_status st, const char *msg) {
    sf_ctx *ctx = tu_ctx();
    for (int threads = 1; threads <= 2; threads++) {
        sf_ctx_set_threads(ctx, threads);
        sf_mat *W = UNTOUCHED;
        cr_assert_eq(sf_interp_weights(ctx, x, xs, t, ts, data, axis, method, ex, 0, &W), st,
                     "%s", sf_ctx_message(ctx));
        cr_assert_str_eq(sf_ctx_message(ctx), msg);
        cr_assert_eq(W, UNTOUCHED);
    }
    tu_ctx_done(ctx);
}

static const sf_shape data3 = {3, {2, 4, 3}}, t1 = {1, {2}};
static const double t2[2] = {1.5, 2.5};

/* Rising columns x = 1 + k + 0.01 * column, 24 values. */
static void grid(double *x) {
    for (int a = 0; a < 2; a++)
        for (int k = 0; k < 4; k++)
            for (int c = 0; c < 3; c++) x[(a * 4 + k) * 3 + c] = 1 + k + 0.01 * (a * 3 + c);
}

Test(bad, non_monotonic_column_named) {
    double x[24];
    grid(x);
    x[(1 * 4 + 2) * 3 + 1] = 0.5; /* column (a=1, c=1) = 4, position 2 */
    x[(1 * 4 + 3) * 3 + 2] = 0.5; /* column 5 later: the first one is named */
    expect_build(x, &data3, t2, &t1, &data3, 1, SF_INTERP_LINEAR, SF_EXTRAP_CLAMP, SF_ERR_ARG,
                 "sf_interp_weights: source coordinates are not monotonic in column 4 at position 2 (value 0.5)");
}

Test(bad, nan_in_coordinates_named) {
    double x[24], tn[2] = {1.5, NAN}, xs[4] = {1, 2, NAN, 4};
    grid(x);
    x[(0 * 4 + 1) * 3 + 2] = NAN;
    expect_build(x, &data3, t2, &t1, &data3, 1, SF_INTERP_LINEAR, SF_EXTRAP_CLAMP, SF_ERR_ARG,
                 "sf_interp_weights: source coordinate is NaN in column 2 at position 1 (value nan)");
    grid(x);
    expect_build(x, &data3, tn, &t1, &data3, 1, SF_INTERP_LINEAR, SF_EXTRAP_CLAMP, SF_ERR_ARG,
                 "sf_interp_weights: target coordinate is NaN at position 1 (value nan)");
    sf_shape s4 = {1, {4}};
    expect_build(xs, &s4, t2, &t1, &data3, 1, SF_INTERP_LINEAR, SF_EXTRAP_CLAMP, SF_ERR_ARG,
                 "sf_interp_weights: source coordinate is NaN at position 2 (value nan)");
}

/* An infinite target under linear extrapolation would need infinite
 * weights (inf - inf = NaN): refused by position.  Other policies take it
 * (the edge value under clamp). */
Test(bad, infinite_target_with_linear_extrapolation_named) {
    double x[24], ti[2] = {1.5, -INFINITY};
    grid(x);
    expect_build(x, &data3, ti, &t1, &data3, 1, SF_INTERP_LINEAR, SF_EXTRAP_LINEAR, SF_ERR_ARG,
                 "sf_interp_weights: target coordinate is infinite (linear extrapolation) at "
                 "position 1 (value -inf)");
    sf_ctx *ctx = tu_ctx();
    double xs[4] = {1, 2, 3, 4}, f[4] = {10, 20, 30, 40}, tt[2] = {INFINITY, -INFINITY}, out[2];
    sf_shape s4 = {1, {4}};
    sf_mat *W = NULL;
    cr_assert_eq(sf_interp_weights(ctx, xs, &s4, tt, &t1, &s4, 0, SF_INTERP_LINEAR, SF_EXTRAP_CLAMP,
                                   0, &W), SF_OK);
    const double *fs[1] = {f};
    double *os[1] = {out};
    cr_assert_eq(sf_interp_apply(ctx, W, 1, fs, os), SF_OK);
    cr_assert(out[0] == 40 && out[1] == 10, "clamped: %g %g", out[0], out[1]);
    sf_mat_free(W);
    tu_ctx_done(ctx);
}

Test(bad, log_needs_positive_coordinates) {
    double x[24], tz[2] = {1.5, 0.0};
    grid(x);
    expect_build(x, &data3, tz, &t1, &data3, 1, SF_INTERP_LOG, SF_EXTRAP_CLAMP, SF_ERR_ARG,
                 "sf_interp_weights: target coordinate is not positive (method log) at position 1 (value 0)");
    x[(1 * 4 + 0) * 3 + 0] = -1;
    expect_build(x, &data3, t2, &t1, &data3, 1, SF_INTERP_LOG, SF_EXTRAP_CLAMP, SF_ERR_ARG,
                 "sf_interp_weights: source coordinate is not positive (method log) in column 3 at position 0 (value -1)");
}

Test(bad, shape_and_axis_mismatch_name_both_shapes) {
    double x[24];
    grid(x);
    sf_shape xs5 = {1, {5}}, xs_bad = {3, {2, 4, 4}}, ts_bad = {3, {2, 2, 4}}, empty = {3, {2, 0, 3}};
    expect_build(x, &xs5, t2, &t1, &data3, 1, SF_INTERP_LINEAR, SF_EXTRAP_CLAMP, SF_ERR_SHAPE,
                 "sf_interp_weights: source coordinates have shape (5,); data of shape (2, 4, 3) "
                 "along axis 1 needs its length along the axis (1-D) or the data shape");
    expect_build(x, &xs_bad, t2, &t1, &data3, 1, SF_INTERP_LINEAR, SF_EXTRAP_CLAMP, SF_ERR_SHAPE,
                 "sf_interp_weights: source coordinates have shape (2, 4, 4); data of shape (2, 4, 3) "
                 "along axis 1 needs its length along the axis (1-D) or the data shape");
    expect_build(x, &data3, x, &ts_bad, &data3, 1, SF_INTERP_LINEAR, SF_EXTRAP_CLAMP, SF_ERR_SHAPE,
                 "sf_interp_weights: target coordinates have shape (2, 2, 4); data of shape (2, 4, 3) "
                 "along axis 1 needs a 1-D grid or the data shape with the axis resized");
    expect_build(x, &data3, t2, &t1, &data3, 3, SF_INTERP_LINEAR, SF_EXTRAP_CLAMP, SF_ERR_ARG,
                 "sf_interp_weights: axis 3 is out of range for data shape (2, 4, 3)");
    expect_build(x, &empty, t2, &t1, &empty, 1, SF_INTERP_LINEAR, SF_EXTRAP_CLAMP, SF_ERR_SHAPE,
                 "sf_interp_weights: axis 1 of data shape (2, 0, 3) is empty");
    sf_shape t0 = {1, {0}};
    expect_build(x, &data3, t2, &t0, &data3, 1, SF_INTERP_LINEAR, SF_EXTRAP_CLAMP, SF_ERR_SHAPE,
                 "sf_interp_weights: target coordinates (0,) are empty");
}

Test(bad, options) {
    double x[24];
    grid(x);
    expect_build(x, &data3, t2, &t1, &data3, 1, SF_INTERP_NEAREST, SF_EXTRAP_LINEAR,
                 SF_ERR_UNSUPPORTED,
                 "sf_interp_weights: linear extrapolation is not defined for method nearest");
    expect_build(x, &data3, t2, &t1, &data3, 1, (sf_interp_method)7, SF_EXTRAP_CLAMP, SF_ERR_ARG,
                 "sf_interp_weights: unknown method 7");
    expect_build(x, &data3, t2, &t1, &data3, 1, SF_INTERP_LINEAR, (sf_interp_extrap)-1, SF_ERR_ARG,
                 "sf_interp_weights: unknown extrapolation -1");
    expect_build(NULL, &data3, t2, &t1, &data3, 1, SF_INTERP_LINEAR, SF_EXTRAP_CLAMP, SF_ERR_ARG,
                 "sf_interp_weights: NULL argument");
}

Test(bad, apply_arguments) {
    sf_ctx *ctx = tu_ctx();
    sf_mat *I;
    cr_assert_eq(sf_mat_identity(ctx, 3, &I), SF_OK);
    double f[3] = {1, 2, 3}, o[3] = {7, 7, 7};
    const double *fs[1] = {f};
    double *os[1] = {o};
    cr_assert_eq(sf_interp_apply(ctx, I, 1, fs, os), SF_ERR_ARG);
    cr_assert_str_eq(sf_ctx_message(ctx), "sf_interp_apply: W is not an interpolation handle");
    cr_assert_eq(sf_interp_apply_adjoint(ctx, NULL, 1, fs, os), SF_ERR_ARG);
    cr_assert_str_eq(sf_ctx_message(ctx), "sf_interp_apply_adjoint: W is not an interpolation handle");
    double x[3] = {1, 2, 3};
    sf_shape s3 = {1, {3}}, s4 = {2, {3, 1}};
    sf_mat *W;
    cr_assert_eq(sf_interp_weights(ctx, x, &s3, x, &s3, &s3, 0, 0, 0, 0, &W), SF_OK);
    os[0] = NULL;
    cr_assert_eq(sf_interp_apply(ctx, W, 1, fs, os), SF_ERR_ARG);
    cr_assert_str_eq(sf_ctx_message(ctx), "sf_interp_apply: field or output 0 is NULL");
    cr_assert_eq(sf_interp_check_shape(ctx, W, &s4, 0), SF_ERR_SHAPE);
    cr_assert_str_eq(sf_ctx_message(ctx),
                     "field of shape (3, 1) does not match the weights' data shape (3,)");
    cr_assert_eq(sf_interp_check_shape(ctx, W, &s3, 1), SF_OK);
    cr_assert(o[0] == 7 && o[1] == 7 && o[2] == 7, "output untouched");
    sf_mat_free(W);
    sf_mat_free(I);
    tu_ctx_done(ctx);
}

static sf_status build_body(sf_ctx *ctx, void *arg) {
    ref_case *c = arg;
    sf_mat *W = NULL;
    sf_status st = sf_interp_weights(ctx, c->xp, &c->xp_shape, c->xnew, &c->xnew_shape, &c->data,
                                     c->axis, SF_INTERP_LINEAR, SF_EXTRAP_CLAMP, 0, &W);
    sf_mat *C = NULL, *T = NULL;
    if (!st) st = sf_mat_copy(ctx, W, &C);
    if (!st) st = sf_mat_transpose(ctx, W, &T);
    sf_mat_free(T);
    sf_mat_free(C);
    sf_mat_free(W);
    return st;
}

Test(bad, allocation_failures_clean_up) {
    ref_case c;
    ref_case_make(&c, 3, 1, false, false, true, 4);
    tu_check_alloc_failures(build_body, &c);
    ref_case_free(&c);
}

/* Two bad columns far apart: with 2 threads each half finds one, and the
 * message still names the first. */
Test(bad, first_bad_column_whatever_the_threads) {
    enum { C = 6000, NL = 8 };
    sf_shape data = {2, {NL, C}}, ts = {1, {3}};
    double *x = malloc(sizeof(double) * NL * C), t[3] = {1.5, 2.5, 3.5};
    for (int k = 0; k < NL; k++)
        for (int c = 0; c < C; c++) x[k * C + c] = k + 1;
    x[3 * C + 5000] = 0; /* column 5000, position 3 */
    x[5 * C + 1000] = 0; /* column 1000, position 5: the first */
    for (int threads = 1; threads <= 2; threads++) {
        sf_ctx *ctx = tu_ctx();
        sf_ctx_set_threads(ctx, threads);
        sf_mat *W = UNTOUCHED;
        cr_assert_eq(sf_interp_weights(ctx, x, &data, t, &ts, &data, 0, SF_INTERP_LINEAR,
                                       SF_EXTRAP_CLAMP, 0, &W), SF_ERR_ARG);
        cr_assert_str_eq(sf_ctx_message(ctx), "sf_interp_weights: source coordinates are not "
                         "monotonic in column 1000 at position 5 (value 0)");
        cr_assert_eq(W, UNTOUCHED);
        tu_ctx_done(ctx);
    }
    free(x);
}
