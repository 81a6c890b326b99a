/* The weight builder against the naive reference: every method and policy,
 * shared and per-column grids, rising and falling columns, every axis of
 * 1-d to 4-d arrays, targets outside, on and between the source points. */
#include <math.h>
#include <stdlib.h>

#include "interp_ref.h"

/* Every ndim, axis, grid sharing and direction for one method and policy. */
static void sweep(sf_interp_method method, sf_interp_extrap ex) {
    sf_ctx *ctx = tu_ctx();
    uint64_t seed = 1 + 100 * (uint64_t)method + 10 * (uint64_t)ex;
    for (int ndim = 1; ndim <= 4; ndim++)
        for (int axis = 0; axis < ndim; axis++)
            for (int variant = 0; variant < 8; variant++) {
                ref_case c;
                ref_case_make(&c, ndim, axis, variant & 1, variant & 2, variant & 4, seed++);
                sf_mat *W = ref_check_case(ctx, &c, method, ex, -7.5);
                cr_assert_leq(sf_mat_nnz(W), 2 * c.out_size);
                sf_mat_free(W);
                ref_case_free(&c);
            }
    tu_ctx_done(ctx);
}

Test(weights, linear_every_policy) {
    for (int ex = SF_EXTRAP_CLAMP; ex <= SF_EXTRAP_LINEAR; ex++)
        sweep(SF_INTERP_LINEAR, (sf_interp_extrap)ex);
}

Test(weights, log_every_policy) {
    for (int ex = SF_EXTRAP_CLAMP; ex <= SF_EXTRAP_LINEAR; ex++)
        sweep(SF_INTERP_LOG, (sf_interp_extrap)ex);
}

Test(weights, nearest_every_policy_but_linear) {
    for (int ex = SF_EXTRAP_CLAMP; ex <= SF_EXTRAP_CONSTANT; ex++)
        sweep(SF_INTERP_NEAREST, (sf_interp_extrap)ex);
}

/* Many seeds at one shape: repeated coordinates and exact hits come up often. */
Test(weights, many_small_columns) {
    sf_ctx *ctx = tu_ctx();
    for (uint64_t seed = 1; seed < 200; seed++) {
        ref_case c;
        ref_case_make(&c, 2, (int)(seed % 2), seed % 5 == 0, seed % 7 == 0, seed % 2, seed);
        sf_mat_free(ref_check_case(ctx, &c, (sf_interp_method)(seed % 3),
                                   seed % 3 == 1 ? SF_EXTRAP_CLAMP : (sf_interp_extrap)(seed % 4),
                                   0.5));
        ref_case_free(&c);
    }
    tu_ctx_done(ctx);
}

static void interp1(sf_ctx *ctx, const double *x, int64_t n, const double *t, int64_t m,
                    const double *f, sf_interp_method method, double *out) {
    sf_shape xs = {1, {n}}, ts = {1, {m}};
    sf_mat *W;
    cr_assert_eq(sf_interp_weights(ctx, x, &xs, t, &ts, &xs, 0, method, SF_EXTRAP_CLAMP, 0, &W),
                 SF_OK, "%s", sf_ctx_message(ctx));
    const double *fs[1] = {f};
    double *os[1] = {out};
    cr_assert_eq(sf_interp_apply(ctx, W, 1, fs, os), SF_OK);
    sf_mat_free(W);
}

/* The documented rule: at a repeated coordinate the last of the equal points
 * (in increasing order) wins; between, the enclosing distinct pair. */
Test(weights, repeated_coordinates_last_point_wins) {
    sf_ctx *ctx = tu_ctx();
    double x[] = {0, 1, 1, 2}, xf[] = {2, 1, 1, 0}, f[] = {0, 10, 20, 30}, ff[] = {30, 20, 10, 0};
    double t[] = {1, 0.5, 1.5}, out[3];
    interp1(ctx, x, 4, t, 3, f, SF_INTERP_LINEAR, out);
    cr_assert_eq(out[0], f[2]);
    cr_assert_float_eq(out[1], 0.5 * f[0] + 0.5 * f[1], 1e-15);
    cr_assert_float_eq(out[2], 0.5 * f[2] + 0.5 * f[3], 1e-15);
    interp1(ctx, xf, 4, t, 3, ff, SF_INTERP_LINEAR, out); /* the same grid, falling */
    cr_assert_eq(out[0], ff[1], "last in increasing order = first in storage");
    cr_assert_float_eq(out[2], 0.5 * ff[1] + 0.5 * ff[0], 1e-15);
    tu_ctx_done(ctx);
}

/* On a grid point the output is that value exactly, and NaN elsewhere in the
 * field reaches only outputs whose weights use it. */
Test(weights, nan_spreads_only_where_used) {
    sf_ctx *ctx = tu_ctx();
    double x[] = {1, 2, 3, 4, 5}, f[] = {1, 2, NAN, 4, 5};
    double t[] = {0.5, 1, 1.5, 2, 2.5, 3, 3.5, 4, 4.5, 5, 6}, out[11];
    interp1(ctx, x, 5, t, 11, f, SF_INTERP_LINEAR, out);
    for (int k = 0; k < 11; k++) {
        bool uses = t[k] > 2 && t[k] < 4;
        cr_assert_eq(isnan(out[k]), uses, "target %g gave %g", t[k], out[k]);
        if (t[k] == floor(t[k]) && t[k] >= 1 && t[k] <= 5 && !uses)
            cr_assert_eq(out[k], f[(int)t[k] - 1], "exact hit copies the value");
    }
    interp1(ctx, x, 5, t, 11, f, SF_INTERP_NEAREST, out);
    for (int k = 0; k < 11; k++)
        cr_assert_eq(isnan(out[k]), t[k] > 2.5 && t[k] <= 3.5, "nearest %g gave %g", t[k], out[k]);
    tu_ctx_done(ctx);
}

/* Unsorted targets (searched) give the same bits as sorted ones (merged). */
Test(weights, unsorted_targets_match_sorted) {
    sf_ctx *ctx = tu_ctx();
    double x[40], f[40], t[60], tp[60], o1[60], o2[60];
    uint64_t rng = 5;
    for (int k = 0; k < 40; k++) x[k] = k * 0.5 + 0.1, f[k] = tu_uniform(&rng);
    for (int k = 0; k < 60; k++) t[k] = 0.05 + 0.37 * k; /* > 0 for log */
    for (int k = 0; k < 60; k++) tp[k] = t[(k * 37) % 60];
    for (int method = 0; method < 3; method++) {
        interp1(ctx, x, 40, t, 60, f, (sf_interp_method)method, o1);
        interp1(ctx, x, 40, tp, 60, f, (sf_interp_method)method, o2);
        for (int k = 0; k < 60; k++) cr_assert_eq(o2[k], o1[(k * 37) % 60]);
    }
    tu_ctx_done(ctx);
}

/* Falling targets (pressure levels from the ground up) walk backwards. */
Test(weights, falling_targets_match_reference) {
    sf_ctx *ctx = tu_ctx();
    double p[] = {1000, 925, 850, 700, 500, 300, 200, 100}, f[8], lv[] = {1100, 900, 600, 250, 50};
    double out[5];
    uint64_t rng = 9;
    for (int k = 0; k < 8; k++) f[k] = tu_uniform(&rng);
    interp1(ctx, p, 8, lv, 5, f, SF_INTERP_LOG, out);
    for (int k = 0; k < 5; k++)
        cr_assert_float_eq(out[k], ref_interp(p, 1, f, 1, 8, lv[k], SF_INTERP_LOG, SF_EXTRAP_CLAMP, 0),
                           1e-13);
    tu_ctx_done(ctx);
}

/* One index and one weight per output value. */
Test(weights, twelve_bytes_per_output) {
    sf_ctx *ctx = tu_ctx();
    ref_case c;
    ref_case_make(&c, 3, 1, false, true, false, 11);
    sf_mat *W = ref_check_case(ctx, &c, SF_INTERP_LINEAR, SF_EXTRAP_CLAMP, 0);
    cr_assert_leq(sf_mat_bytes(W), 12 * (size_t)c.out_size + 512, "%zu bytes for %lld outputs",
                  sf_mat_bytes(W), (long long)c.out_size);
    cr_assert_eq(sf_mat_bytes(W), sf_ctx_bytes_in_use(ctx));
    sf_interp_info info;
    cr_assert_eq(sf_interp_get_info(ctx, W, &info), SF_OK);
    cr_assert_eq(info.axis, 1);
    cr_assert_arr_eq(info.data_shape.dim, c.data.dim, 3 * sizeof(int64_t));
    cr_assert_arr_eq(info.out_shape.dim, c.out.dim, 3 * sizeof(int64_t));
    sf_mat_free(W);
    ref_case_free(&c);
    tu_ctx_done(ctx);
}
