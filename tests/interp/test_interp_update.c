/* sf_interp_weights_update: rebuilding the weights in place for new
 * coordinates gives the bits of a fresh build; bad input leaves W as it was;
 * no allocation. */
#include <math.h>
#include <stdlib.h>

#include "interp_ref.h"

/* What W computes, kept to compare before and after: its CSR and its apply
 * to one field (which also shows the NaN / fill outputs CSR leaves empty). */
typedef struct snapshot {
    int64_t nnz, *rowptr;
    int32_t *colind;
    double *val, *out;
} snapshot;

static snapshot take(sf_ctx *ctx, const sf_mat *W, const double *f) {
    snapshot s = {.nnz = sf_mat_nnz(W)};
    s.rowptr = malloc(sizeof(int64_t) * (size_t)(sf_mat_rows(W) + 1));
    s.colind = malloc(sizeof(int32_t) * (size_t)(s.nnz + 1));
    s.val = malloc(sizeof(double) * (size_t)(s.nnz + 1));
    s.out = malloc(sizeof(double) * (size_t)sf_mat_rows(W));
    cr_assert_eq(sf_mat_export_csr(ctx, W, s.rowptr, s.colind, s.val), SF_OK);
    double *os[1] = {s.out};
    cr_assert_eq(sf_interp_apply(ctx, W, 1, &f, os), SF_OK);
    return s;
}

static void drop(snapshot *s) { free(s->rowptr), free(s->colind), free(s->val), free(s->out); }

/* a and b bitwise equal (rows of W); frees both. */
static void assert_same(snapshot a, snapshot b, int64_t rows, const char *what) {
    cr_assert_eq(a.nnz, b.nnz, "%s: nnz %lld vs %lld", what, (long long)a.nnz, (long long)b.nnz);
    cr_assert(!memcmp(a.rowptr, b.rowptr, sizeof(int64_t) * (size_t)(rows + 1)), "%s: rowptr", what);
    cr_assert(!memcmp(a.colind, b.colind, sizeof(int32_t) * (size_t)a.nnz), "%s: colind", what);
    cr_assert(!memcmp(a.val, b.val, sizeof(double) * (size_t)a.nnz), "%s: values", what);
    cr_assert(!memcmp(a.out, b.out, sizeof(double) * (size_t)rows), "%s: applied", what);
    drop(&a), drop(&b);
}

static sf_mat *build(sf_ctx *ctx, const ref_case *c, sf_interp_method method, sf_interp_extrap ex) {
    sf_mat *W = NULL;
    cr_assert_eq(sf_interp_weights(ctx, c->xp, &c->xp_shape, c->xnew, &c->xnew_shape, &c->data,
                                   c->axis, method, ex, -7.5, &W), SF_OK, "%s", sf_ctx_message(ctx));
    return W;
}

/* Build on one set of coordinates, update to another, compare with a fresh
 * build on the second: every method, policy, ndim, axis, sharing, direction
 * (the direction may flip between the two). */
Test(update, equals_fresh_build) {
    sf_ctx *ctx = tu_ctx();
    uint64_t seed = 1;
    for (int ndim = 1; ndim <= 4; ndim++)
        for (int axis = 0; axis < ndim; axis++)
            for (int variant = 0; variant < 16; variant++, seed++) {
                sf_interp_method method = (sf_interp_method)(seed % 3);
                sf_interp_extrap ex = (sf_interp_extrap)(seed % (method == SF_INTERP_NEAREST ? 3 : 4));
                ref_case c;
                ref_case_make(&c, ndim, axis, variant & 1, variant & 2, variant & 4, seed);
                sf_mat *W = build(ctx, &c, method, ex);
                ref_case_recoordinate(&c, variant & 8, seed + 1000);
                sf_mat *fresh = build(ctx, &c, method, ex);
                cr_assert_eq(sf_interp_weights_update(ctx, W, c.xp, &c.xp_shape, c.xnew,
                                                      &c.xnew_shape), SF_OK, "%s", sf_ctx_message(ctx));
                assert_same(take(ctx, W, c.f), take(ctx, fresh, c.f), c.out_size, "small case");
                sf_mat_free(W), sf_mat_free(fresh);
                ref_case_free(&c);
            }
    tu_ctx_done(ctx);
}

/* Levels x columns along axis 0, rising by one per level plus a wiggle. */
static double *levels(int64_t nl, int64_t nc, double shift) {
    double *x = malloc(sizeof(double) * (size_t)(nl * nc));
    for (int64_t k = 0; k < nl; k++)
        for (int64_t c = 0; c < nc; c++) x[k * nc + c] = 1 + k + 0.4 * sin(0.1 * (double)c + shift);
    return x;
}

/* Enough work for two threads, and a column long enough that the workspace
 * does not fit on the stack. */
Test(update, threads_and_long_columns_equal_fresh_build) {
    const int64_t shapes[2][2] = {{40, 3000}, {2100, 3}};
    for (int s = 0; s < 2; s++)
        for (int threads = 1; threads <= 2; threads++) {
            sf_ctx *ctx = tu_ctx();
            sf_ctx_set_threads(ctx, threads);
            int64_t nl = shapes[s][0], nc = shapes[s][1], m = 37;
            sf_shape data = {2, {nl, nc}}, ts = {1, {m}};
            double *x0 = levels(nl, nc, 0), *x1 = levels(nl, nc, 1.3), t[37];
            for (int k = 0; k < m; k++) t[k] = 0.5 + (double)k * (double)nl / 36.0;
            sf_mat *W, *fresh;
            cr_assert_eq(sf_interp_weights(ctx, x0, &data, t, &ts, &data, 0, SF_INTERP_LOG,
                                           SF_EXTRAP_LINEAR, 0, &W), SF_OK);
            cr_assert_eq(sf_interp_weights_update(ctx, W, x1, &data, t, &ts), SF_OK, "%s",
                         sf_ctx_message(ctx));
            cr_assert_eq(sf_interp_weights(ctx, x1, &data, t, &ts, &data, 0, SF_INTERP_LOG,
                                           SF_EXTRAP_LINEAR, 0, &fresh), SF_OK);
            assert_same(take(ctx, W, x0), take(ctx, fresh, x0), m * nc, "large case");
            sf_mat_free(W), sf_mat_free(fresh);
            free(x0), free(x1);
            tu_ctx_done(ctx);
        }
}

enum { NL = 8, NC = 6000 };
static const sf_shape data2 = {2, {NL, NC}}, ts3 = {1, {3}};
static const double t3[3] = {1.5, 2.5, 3.5};

/* Update W (built on good coordinates) with bad input: the status, the exact
 * message, and W computing the same bits as before. */
static void expect_unchanged(sf_ctx *ctx, sf_mat *W, const double *xp, const sf_shape *xs,
                             const double *t, const sf_shape *ts, sf_status st, const char *msg) {
    double *f = levels(NL, NC, 2);
    for (int threads = 1; threads <= 2; threads++) {
        sf_ctx_set_threads(ctx, threads);
        snapshot before = take(ctx, W, f);
        cr_assert_eq(sf_interp_weights_update(ctx, W, xp, xs, t, ts), st, "%s", sf_ctx_message(ctx));
        cr_assert_str_eq(sf_ctx_message(ctx), msg);
        assert_same(take(ctx, W, f), before, sf_mat_rows(W), msg);
    }
    free(f);
}

/* The first bad column is 5000 of 6000 (1000 with two): building as it
 * walked would have rewritten the columns before it. */
Test(update, bad_input_leaves_w_unchanged) {
    sf_ctx *ctx = tu_ctx();
    double *x = levels(NL, NC, 0), *y = levels(NL, NC, 0.7);
    sf_mat *W, *L;
    cr_assert_eq(sf_interp_weights(ctx, x, &data2, t3, &ts3, &data2, 0, SF_INTERP_LINEAR,
                                   SF_EXTRAP_NAN, 0, &W), SF_OK);
    cr_assert_eq(sf_interp_weights(ctx, x, &data2, t3, &ts3, &data2, 0, SF_INTERP_LOG,
                                   SF_EXTRAP_CLAMP, 0, &L), SF_OK);
    y[3 * NC + 5000] = 0;
    expect_unchanged(ctx, W, y, &data2, t3, &ts3, SF_ERR_ARG, "sf_interp_weights_update: source "
                     "coordinates are not monotonic in column 5000 at position 3 (value 0)");
    y[5 * NC + 1000] = NAN;
    expect_unchanged(ctx, W, y, &data2, t3, &ts3, SF_ERR_ARG, "sf_interp_weights_update: source "
                     "coordinate is NaN in column 1000 at position 5 (value nan)");
    double tn[3] = {1.5, NAN, 3}, tz[3] = {1.5, 2, 0}, x8[NL] = {1, 2, 3, 4, 5, 6, 7, 8};
    sf_shape s8 = {1, {NL}}, s7 = {1, {7}}, t2 = {1, {2}}, tbad = {2, {3, NC + 1}};
    expect_unchanged(ctx, W, x8, &s8, tn, &ts3, SF_ERR_ARG,
                     "sf_interp_weights_update: target coordinate is NaN at position 1 (value nan)");
    expect_unchanged(ctx, L, x8, &s8, tz, &ts3, SF_ERR_ARG, "sf_interp_weights_update: target "
                     "coordinate is not positive (method log) at position 2 (value 0)");
    expect_unchanged(ctx, W, x8, &s7, t3, &ts3, SF_ERR_SHAPE,
                     "sf_interp_weights_update: source coordinates have shape (7,); data of shape "
                     "(8, 6000) along axis 0 needs its length along the axis (1-D) or the data shape");
    expect_unchanged(ctx, W, x8, &s8, t3, &tbad, SF_ERR_SHAPE,
                     "sf_interp_weights_update: target coordinates have shape (3, 6001); data of shape "
                     "(8, 6000) along axis 0 needs a 1-D grid or the data shape with the axis resized");
    expect_unchanged(ctx, W, x8, &s8, t3, &t2, SF_ERR_SHAPE,
                     "sf_interp_weights_update: target coordinates have shape (2,); the weights' "
                     "output shape (3, 6000) has 3 values along axis 0");
    expect_unchanged(ctx, W, NULL, &s8, t3, &ts3, SF_ERR_ARG, "sf_interp_weights_update: NULL argument");
    sf_mat *I;
    cr_assert_eq(sf_mat_identity(ctx, 3, &I), SF_OK);
    cr_assert_eq(sf_interp_weights_update(ctx, I, x8, &s8, t3, &ts3), SF_ERR_ARG);
    cr_assert_str_eq(sf_ctx_message(ctx), "sf_interp_weights_update: W is not an interpolation handle");
    sf_mat_free(I), sf_mat_free(W), sf_mat_free(L);
    free(x), free(y);
    tu_ctx_done(ctx);
}

/* With the next allocation set to fail and the memory limit at the bytes in
 * use, updates (good and bad) still succeed or fail on their input alone. */
Test(update, allocates_nothing) {
    sf_ctx *ctx = tu_ctx();
    double *x = levels(NL, NC, 0), *y = levels(NL, NC, 0.9);
    sf_mat *W;
    cr_assert_eq(sf_interp_weights(ctx, x, &data2, t3, &ts3, &data2, 0, SF_INTERP_LINEAR,
                                   SF_EXTRAP_CLAMP, 0, &W), SF_OK);
    size_t bytes = sf_ctx_bytes_in_use(ctx);
    cr_assert_eq(sf_ctx_set_memory_limit(ctx, bytes), SF_OK);
    for (int threads = 1; threads <= 2; threads++) {
        sf_ctx_set_threads(ctx, threads);
        sf_ctx_fail_allocation_after(ctx, 1);
        cr_assert_eq(sf_interp_weights_update(ctx, W, y, &data2, t3, &ts3), SF_OK, "%s",
                     sf_ctx_message(ctx));
        y[2 * NC + 7] = NAN;
        cr_assert_eq(sf_interp_weights_update(ctx, W, y, &data2, t3, &ts3), SF_ERR_ARG);
        y[2 * NC + 7] = 3;
        cr_assert_eq(sf_ctx_bytes_in_use(ctx), bytes);
    }
    sf_ctx_fail_allocation_after(ctx, 0);
    sf_ctx_set_memory_limit(ctx, 0);
    sf_mat_free(W);
    free(x), free(y);
    tu_ctx_done(ctx);
}

/* Columns too long for the stack take one allocation: its failure leaves W
 * unchanged and nothing leaked. */
static sf_status long_column_body(sf_ctx *ctx, void *arg) {
    (void)arg;
    enum { N = 2100 };
    sf_shape data = {1, {N}}, ts = {1, {3}};
    double *x = levels(N, 1, 0), *y = levels(N, 1, 0.5), t[3] = {2.5, 900.25, 1800.5};
    sf_mat *W = NULL;
    sf_status st = sf_interp_weights(ctx, x, &data, t, &ts, &data, 0, SF_INTERP_LINEAR,
                                     SF_EXTRAP_CLAMP, 0, &W);
    if (!st) {
        snapshot before = take(ctx, W, x);
        st = sf_interp_weights_update(ctx, W, y, &data, t, &ts);
        if (st) assert_same(take(ctx, W, x), before, 3, "after a failed allocation");
        else drop(&before);
    }
    sf_mat_free(W);
    free(x), free(y);
    return st;
}

Test(update, long_columns_allocation_failures) { tu_check_alloc_failures(long_column_body, NULL); }

/* Weights over 8 MB leave their tiles by streaming stores, rows of an odd
 * length so each level starts at another place in its cache line: every
 * output against the reference, built afresh and rebuilt in place. */
Test(update, large_weights_streamed_match_reference) {
    enum { PRE = 2, N = 8, POST = 40001, M = 12 };
    sf_ctx *ctx = tu_ctx();
    sf_shape data = {3, {PRE, N, POST}}, ts = {1, {M}};
    double *x = malloc(sizeof(double) * PRE * N * POST), *f = malloc(sizeof(double) * PRE * N * POST);
    double *out = malloc(sizeof(double) * PRE * M * POST), t[M];
    for (int k = 0; k < M; k++) t[k] = 0.3 + 0.7 * k;
    for (int64_t i = 0; i < PRE * N * POST; i++) f[i] = sin(0.37 * (double)i);
    sf_mat *W = NULL;
    for (int pass = 0; pass < 2; pass++) {
        for (int64_t i = 0; i < PRE * N * POST; i++) { /* falling columns in the second pass */
            int64_t k = (i / POST) % N, c = i % POST;
            x[i] = pass ? 8.0 - (double)k - 0.3 * cos((double)c) : 1.0 + (double)k + 0.3 * sin((double)c);
        }
        sf_status st = pass ? sf_interp_weights_update(ctx, W, x, &data, t, &ts)
                            : sf_interp_weights(ctx, x, &data, t, &ts, &data, 1, SF_INTERP_LINEAR,
                                                SF_EXTRAP_NAN, 0, &W);
        cr_assert_eq(st, SF_OK, "%s", sf_ctx_message(ctx));
        double *os[1] = {out};
        cr_assert_eq(sf_interp_apply(ctx, W, 1, (const double *const *)&f, os), SF_OK);
        for (int64_t a = 0; a < PRE; a++)
            for (int64_t c = 0; c < POST; c++)
                for (int k = 0; k < M; k++) {
                    int64_t base = a * N * POST + c;
                    double want = ref_interp(x + base, POST, f + base, POST, N, t[k], SF_INTERP_LINEAR,
                                             SF_EXTRAP_NAN, 0);
                    double got = out[(a * M + k) * POST + c];
                    cr_assert(isnan(want) ? isnan(got) : fabs(got - want) <= 1e-12,
                              "pass %d column (%lld, %lld) target %d: %g vs %g", pass, (long long)a,
                              (long long)c, k, got, want);
                }
    }
    sf_mat_free(W);
    free(x), free(f), free(out);
    tu_ctx_done(ctx);
}
