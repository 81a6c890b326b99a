/* The naive reference of the interpolation suites (see interp_ref.h). */
#include "interp_ref.h"

#include <math.h>
#include <stdlib.h>

static double edge_value(const double *xs, const double *fs, int64_t n, double u, bool high,
                         sf_interp_extrap ex, double fill) {
    if (ex == SF_EXTRAP_NAN) return NAN;
    if (ex == SF_EXTRAP_CONSTANT) return fill;
    double edge = high ? fs[n - 1] : fs[0];
    if (ex == SF_EXTRAP_CLAMP || n < 2) return edge;
    int64_t a = high ? n - 2 : 0;
    if (xs[a + 1] == xs[a]) return edge;
    return fs[a] + (u - xs[a]) * (fs[a + 1] - fs[a]) / (xs[a + 1] - xs[a]);
}

double ref_interp(const double *x, int64_t xstep, const double *f, int64_t fstep, int64_t n,
                  double v, sf_interp_method method, sf_interp_extrap ex, double fill) {
    double xs[64], fs[64];
    bool falling = x[(n - 1) * xstep] < x[0];
    for (int64_t k = 0; k < n; k++) {
        int64_t q = falling ? n - 1 - k : k;
        xs[k] = method == SF_INTERP_LOG ? log(x[q * xstep]) : x[q * xstep];
        fs[k] = f[q * fstep];
    }
    double u = method == SF_INTERP_LOG ? log(v) : v;
    if (u < xs[0] || u > xs[n - 1]) return edge_value(xs, fs, n, u, u > xs[n - 1], ex, fill);
    int64_t lo = 0, hi = n - 1; /* largest t with xs[t] <= u */
    while (lo < hi) {
        int64_t mid = (lo + hi + 1) / 2;
        if (xs[mid] <= u) lo = mid;
        else hi = mid - 1;
    }
    if (xs[lo] == u) return fs[lo];
    if (method == SF_INTERP_NEAREST) return xs[lo + 1] - u < u - xs[lo] ? fs[lo + 1] : fs[lo];
    return fs[lo] + (u - xs[lo]) * (fs[lo + 1] - fs[lo]) / (xs[lo + 1] - xs[lo]);
}

/* A monotonic column of n positive values at x[k*s]; some steps repeat. */
static void make_column(double *x, int64_t n, int64_t s, bool falling, bool repeats,
                        uint64_t *rng) {
    double v = 1.0 + tu_uniform(rng) + 1.0;
    for (int64_t k = 0; k < n; k++) {
        x[(falling ? n - 1 - k : k) * s] = v;
        bool rep = repeats && tu_rand(rng) % 4 == 0;
        v += rep ? 0.0 : 0.25 + 0.5 * (tu_uniform(rng) + 1.0);
    }
}

/* A target near the column: below, above, on a point, or between points. */
static double pick_target(const double *x, int64_t n, int64_t s, uint64_t *rng) {
    double lo = fmin(x[0], x[(n - 1) * s]), hi = fmax(x[0], x[(n - 1) * s]);
    switch (tu_rand(rng) % 5) {
    case 0: return lo * (0.3 + 0.3 * (tu_uniform(rng) + 1.0));
    case 1: return hi + 0.1 + (tu_uniform(rng) + 1.0);
    case 2: return x[(int64_t)(tu_rand(rng) % (uint64_t)n) * s];
    default: return lo + (hi - lo) * 0.5 * (tu_uniform(rng) + 1.0);
    }
}

static int64_t rand_in(uint64_t *rng, int64_t a, int64_t b) {
    return a + (int64_t)(tu_rand(rng) % (uint64_t)(b - a + 1));
}

static void make_shapes(ref_case *c, int ndim, int axis, uint64_t *rng) {
    c->data.ndim = c->out.ndim = ndim;
    c->axis = axis;
    c->n = rand_in(rng, 1, 6);
    c->m = rand_in(rng, 1, 7);
    c->pre = c->post = 1;
    for (int k = 0; k < ndim; k++) {
        int64_t d = k == axis ? c->n : rand_in(rng, 1, 3);
        c->data.dim[k] = d;
        c->out.dim[k] = k == axis ? c->m : d;
        if (k < axis) c->pre *= d;
        if (k > axis) c->post *= d;
    }
    c->size = c->pre * c->n * c->post;
    c->out_size = c->pre * c->m * c->post;
    c->xp_shape = c->xp_shared ? (sf_shape){1, {c->n}} : c->data;
    c->xnew_shape = c->xnew_shared ? (sf_shape){1, {c->m}} : c->out;
}

/* Source columns (monotonic, repeats as the case says) and targets around them. */
static void fill_coordinates(ref_case *c, bool falling, uint64_t *rng) {
    bool xp_shared = c->xp_shared, xnew_shared = c->xnew_shared;
    int64_t ncol = c->pre * c->post;
    for (int64_t col = 0; col < (xp_shared ? 1 : ncol); col++) {
        int64_t s = xp_shared ? 1 : c->post, base = (col / c->post) * c->n * c->post + col % c->post;
        make_column(c->xp + (xp_shared ? 0 : base), c->n, s, falling, c->repeats, rng);
    }
    for (int64_t col = 0; col < (xnew_shared ? 1 : ncol); col++) {
        int64_t xs = xp_shared ? 1 : c->post, ts = xnew_shared ? 1 : c->post;
        const double *x = c->xp + (xp_shared ? 0 : (col / c->post) * c->n * c->post + col % c->post);
        double *t = c->xnew + (xnew_shared ? 0 : (col / c->post) * c->m * c->post + col % c->post);
        for (int64_t k = 0; k < c->m; k++) t[k * ts] = pick_target(x, c->n, xs, rng);
    }
}

void ref_case_make(ref_case *c, int ndim, int axis, bool xp_shared, bool xnew_shared,
                   bool falling, uint64_t seed) {
    uint64_t rng = seed * 2654435761u + 7;
    *c = (ref_case){.xp_shared = xp_shared, .xnew_shared = xnew_shared, .falling = falling,
                    .repeats = seed % 3 == 0};
    make_shapes(c, ndim, axis, &rng);
    c->xp = malloc((size_t)c->size * sizeof(double));
    c->xnew = malloc((size_t)c->out_size * sizeof(double));
    c->f = malloc((size_t)c->size * sizeof(double));
    for (int64_t i = 0; i < c->size; i++) c->f[i] = 10.0 * tu_uniform(&rng);
    fill_coordinates(c, falling, &rng);
}

void ref_case_recoordinate(ref_case *c, bool falling, uint64_t seed) {
    uint64_t rng = seed * 2654435761u + 11;
    c->falling = falling;
    fill_coordinates(c, falling, &rng);
}

void ref_case_free(ref_case *c) {
    free(c->xp);
    free(c->xnew);
    free(c->f);
}

static void compare_column(const ref_case *c, int64_t col, const double *out,
                           sf_interp_method method, sf_interp_extrap ex, double fill) {
    int64_t a = col / c->post, cc = col % c->post, post = c->post;
    const double *x = c->xp + (c->xp_shared ? 0 : a * c->n * post + cc);
    const double *f = c->f + a * c->n * post + cc;
    for (int64_t k = 0; k < c->m; k++) {
        double v = c->xnew[c->xnew_shared ? k : (a * c->m + k) * post + cc];
        double want = ref_interp(x, c->xp_shared ? 1 : post, f, post, c->n, v, method, ex, fill);
        double got = out[(a * c->m + k) * post + cc];
        if (isnan(want)) {
            cr_assert(isnan(got), "column %lld target %lld: got %g, want NaN", (long long)col,
                      (long long)k, got);
            continue;
        }
        cr_assert_leq(fabs(got - want), 1e-12 * (1.0 + fabs(want)),
                      "column %lld target %lld (x=%g, %s/%s): got %.17g, want %.17g",
                      (long long)col, (long long)k, v, sf_interp_method_name(method),
                      sf_interp_extrap_name(ex), got, want);
    }
}

sf_mat *ref_check_case(sf_ctx *ctx, const ref_case *c, sf_interp_method method,
                       sf_interp_extrap ex, double fill) {
    sf_mat *W = NULL;
    cr_assert_eq(sf_interp_weights(ctx, c->xp, &c->xp_shape, c->xnew, &c->xnew_shape, &c->data,
                                   c->axis, method, ex, fill, &W),
                 SF_OK, "%s", sf_ctx_message(ctx));
    cr_assert_eq(sf_mat_kind(W), SF_INTERP);
    cr_assert_eq(sf_mat_rows(W), c->out_size);
    cr_assert_eq(sf_mat_cols(W), c->size);
    double *out = malloc((size_t)c->out_size * sizeof *out);
    const double *fields[1] = {c->f};
    double *outs[1] = {out};
    cr_assert_eq(sf_interp_apply(ctx, W, 1, fields, outs), SF_OK, "%s", sf_ctx_message(ctx));
    for (int64_t col = 0; col < c->pre * c->post; col++)
        compare_column(c, col, out, method, ex, fill);
    free(out);
    return W;
}
