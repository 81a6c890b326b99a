/* The pattern handle and sparse finite-difference Jacobians against analytic
 * Jacobians; refresh allocates nothing; failures are named and change nothing. */
#include <math.h>
#include <stdlib.h>

#include "deriv_testutil.h"

enum { N = 50 };

/* f_i = sin(x_i) x_{i+1} + x_{i-1}^2 + exp(x_i)/2: a tridiagonal Jacobian. */
static int tri_f(const double *x, double *f, void *user) {
    int64_t n = *(int64_t *)user;
    for (int64_t i = 0; i < n; i++)
        f[i] = (i + 1 < n ? sin(x[i]) * x[i + 1] : 0) + (i > 0 ? x[i - 1] * x[i - 1] : 0) +
               exp(x[i]) / 2;
    return 0;
}

static double *tri_analytic(int64_t n, const double *x) {
    double *J = calloc((size_t)(n * n), sizeof *J);
    for (int64_t i = 0; i < n; i++) {
        J[i * n + i] = (i + 1 < n ? cos(x[i]) * x[i + 1] : 0) + exp(x[i]) / 2;
        if (i + 1 < n) J[i * n + i + 1] = sin(x[i]);
        if (i > 0) J[i * n + i - 1] = 2 * x[i - 1];
    }
    return J;
}

static sf_mat *tri_pattern(sf_ctx *ctx, int64_t n) {
    int64_t ri[3 * N], ci[3 * N], k = 0;
    for (int64_t i = 0; i < n; i++)
        for (int64_t j = i - 1; j <= i + 1; j++)
            if (j >= 0 && j < n) ri[k] = i, ci[k++] = j;
    sf_mat *P = NULL;
    cr_assert_eq(sf_mat_from_triplets(ctx, n, n, k, ri, ci, NULL, &P), SF_OK);
    return P;
}

/* Tolerances from the step rule (|x| < 1, |f''|, |f'''| <= 3, |f| <= 3):
 * forward h ~ 1.5e-8: h/2 |f''| + 2 eps |f| / h ~ 5e-8; central h ~ 6e-6:
 * h^2/6 |f'''| + eps |f| / h ~ 1.2e-10.  Asserted with a margin of 20-80x. */
Test(fd, tridiagonal_forward_and_central_against_analytic) {
    sf_ctx *ctx = tu_ctx();
    int64_t n = N;
    sf_mat *P = tri_pattern(ctx, n);
    double *x = dt_random(n, 21), *want = tri_analytic(n, x);
    sf_fd_method methods[] = {SF_FD_FORWARD, SF_FD_CENTRAL};
    double tol[] = {1e-6, 1e-8};
    int64_t evals[] = {4, 6};
    for (int m = 0; m < 2; m++) {
        sf_mat *J = NULL;
        sf_fd_stats st;
        cr_assert_eq(sf_jac_fd(ctx, P, tri_f, &n, x, methods[m], &J, &st), SF_OK, "%s",
                     sf_ctx_message(ctx));
        cr_assert_eq(st.colors, 3, "a tridiagonal pattern needs 3 colours, got %lld", (long long)st.colors);
        cr_assert_eq(st.evaluations, evals[m]);
        cr_assert_eq(sf_mat_nnz(J), sf_mat_nnz(P));
        dt_assert_dense(ctx, J, want, n, n, tol[m]);
        sf_mat_free(J);
    }
    free(x), free(want);
    sf_mat_free(P);
    tu_ctx_done(ctx);
}

typedef struct lin {
    const sf_mat *A;
    sf_ctx *ctx;
} lin;

static int lin_f(const double *x, double *f, void *user) {
    lin *l = user;
    return sf_spmv(l->ctx, 1.0, l->A, SF_OP_NONE, x, 0.0, f) != SF_OK;
}

Test(fd, random_pattern_linear_map_recovered) {
    sf_ctx *ctx = tu_ctx();
    sf_mat *A = tu_random_csr(ctx, 30, 40, 0.12, 77);
    lin l = {A, ctx};
    double *x = dt_random(40, 3), *want = tu_dense_of(ctx, A);
    sf_mat *J = NULL;
    sf_fd_stats st;
    cr_assert_eq(sf_jac_fd(ctx, A, lin_f, &l, x, SF_FD_FORWARD, &J, &st), SF_OK, "%s", sf_ctx_message(ctx));
    dt_assert_dense(ctx, J, want, 30, 40, 1e-6); /* linear: only rounding eps |f| / h */
    int64_t maxrow = 0, *rp = malloc(31 * sizeof *rp);
    cr_assert_eq(sf_mat_export_csr(ctx, A, rp, NULL, NULL), SF_OK);
    for (int i = 0; i < 30; i++) maxrow = rp[i + 1] - rp[i] > maxrow ? rp[i + 1] - rp[i] : maxrow;
    cr_assert_geq(st.colors, maxrow);
    cr_assert_lt(st.colors, 40, "fewer evaluations than dense differences");
    cr_assert_eq(st.evaluations, st.colors + 1);
    free(x), free(want), free(rp);
    sf_mat_free(J), sf_mat_free(A);
    tu_ctx_done(ctx);
}

/* A 5-point stencil on a g x g grid with random values. */
/* Row 0 holds columns 0-79 (so at least 80 colours, past the 64 that the
 * per-row colour masks hold), rows 1-59 three random columns of 0-199 each. */
static sf_mat *wide_row_pattern(sf_ctx *ctx) {
    int64_t ri[80 + 59 * 3], ci[80 + 59 * 3], k = 0;
    uint64_t s = 12345;
    for (int64_t j = 0; j < 80; j++) ri[k] = 0, ci[k++] = j;
    for (int64_t i = 1; i < 60; i++)
        for (int r = 0; r < 3; r++) {
            s = s * 6364136223846793005ull + 1442695040888963407ull;
            ri[k] = i, ci[k++] = (int64_t)((s >> 33) % 200);
        }
    double *v = dt_random(k, 41);
    sf_mat *A = NULL;
    cr_assert_eq(sf_mat_from_triplets(ctx, 60, 200, k, ri, ci, v, &A), SF_OK);
    free(v);
    return A;
}

/* Groups past colour 63 are still structurally orthogonal: the linear map is
 * recovered exactly only if no group holds two columns of one row. */
Test(fd, row_of_80_columns_needs_colours_past_64) {
    sf_ctx *ctx = tu_ctx();
    sf_mat *A = wide_row_pattern(ctx);
    lin l = {A, ctx};
    double *x = dt_random(200, 5), *want = tu_dense_of(ctx, A);
    sf_mat *J = NULL;
    sf_fd_stats st;
    cr_assert_eq(sf_jac_fd(ctx, A, lin_f, &l, x, SF_FD_FORWARD, &J, &st), SF_OK, "%s",
                 sf_ctx_message(ctx));
    cr_assert_geq(st.colors, 80);
    cr_assert_lt(st.colors, 100, "the 120 columns outside row 0 fit in the 80 groups");
    dt_assert_dense(ctx, J, want, 60, 200, 1e-6);
    free(x), free(want);
    sf_mat_free(J), sf_mat_free(A);
    tu_ctx_done(ctx);
}

static sf_mat *stencil(sf_ctx *ctx, int64_t g) {
    int64_t n = g * g, *ri = malloc(5 * n * sizeof *ri), *ci = malloc(5 * n * sizeof *ci), k = 0;
    for (int64_t i = 0; i < n; i++) {
        int64_t x = i % g, y = i / g, nb[5] = {i, x > 0 ? i - 1 : -1, x < g - 1 ? i + 1 : -1,
                                               y > 0 ? i - g : -1, y < g - 1 ? i + g : -1};
        for (int q = 0; q < 5; q++)
            if (nb[q] >= 0) ri[k] = i, ci[k++] = nb[q];
    }
    double *v = dt_random(k, 31);
    sf_mat *A = NULL;
    cr_assert_eq(sf_mat_from_triplets(ctx, n, n, k, ri, ci, v, &A), SF_OK);
    free(ri), free(ci), free(v);
    return A;
}

Test(fd, five_point_stencil_needs_five_colours) {
    sf_ctx *ctx = tu_ctx();
    sf_mat *A = stencil(ctx, 20);
    lin l = {A, ctx};
    double *x = dt_random(400, 4), *want = tu_dense_of(ctx, A);
    sf_mat *J = NULL;
    sf_fd_stats st;
    cr_assert_eq(sf_jac_fd(ctx, A, lin_f, &l, x, SF_FD_FORWARD, &J, &st), SF_OK);
    cr_assert_eq(st.colors, 5, "5-point stencil: %lld colours (5 is optimal)", (long long)st.colors);
    dt_assert_dense(ctx, J, want, 400, 400, 1e-6);
    free(x), free(want);
    sf_mat_free(J), sf_mat_free(A);
    tu_ctx_done(ctx);
}

Test(pattern, refresh_keeps_pattern_and_pointers_and_allocates_nothing) {
    sf_ctx *ctx = tu_ctx();
    int64_t n = N;
    sf_mat *P = tri_pattern(ctx, n);
    sf_jac_pattern *jp = NULL;
    cr_assert_eq(sf_jac_pattern_create(ctx, P, &jp), SF_OK);
    double *x1 = dt_random(n, 1), *x2 = dt_random(n, 2);
    cr_assert_eq(sf_jac_pattern_fd(ctx, jp, tri_f, &n, x1, SF_FD_CENTRAL, NULL), SF_OK);
    const sf_mat *m = sf_jac_pattern_matrix(jp);
    double *vals = sf_jac_pattern_values(jp);
    uint64_t allocs = sf_ctx_alloc_count(ctx);
    size_t bytes = sf_ctx_bytes_in_use(ctx);
    int64_t *rp1 = malloc((n + 1) * sizeof *rp1), *rp2 = malloc((n + 1) * sizeof *rp2);
    int32_t *ci1 = malloc(3 * n * sizeof *ci1), *ci2 = malloc(3 * n * sizeof *ci2);
    cr_assert_eq(sf_mat_export_csr(ctx, m, rp1, ci1, NULL), SF_OK);
    cr_assert_eq(sf_jac_pattern_fd(ctx, jp, tri_f, &n, x2, SF_FD_CENTRAL, NULL), SF_OK);
    cr_assert_eq(sf_ctx_alloc_count(ctx), allocs, "refresh allocated");
    cr_assert_eq(sf_ctx_bytes_in_use(ctx), bytes);
    cr_assert_eq(sf_jac_pattern_matrix(jp), m);
    cr_assert_eq(sf_jac_pattern_values(jp), vals);
    cr_assert_eq(sf_mat_export_csr(ctx, m, rp2, ci2, NULL), SF_OK);
    cr_assert_arr_eq(rp1, rp2, (size_t)(n + 1) * sizeof *rp1);
    cr_assert_arr_eq(ci1, ci2, (size_t)sf_mat_nnz(m) * sizeof *ci1);
    double *want = tri_analytic(n, x2);
    dt_assert_dense(ctx, m, want, n, n, 1e-8);
    /* CSC and triplet exports describe the same matrix */
    int64_t nnz = sf_mat_nnz(m), *cp = malloc((n + 1) * sizeof *cp), *tr = malloc(nnz * sizeof *tr),
            *tc = malloc(nnz * sizeof *tc);
    int32_t *ri = malloc(nnz * sizeof *ri);
    double *cv = malloc(nnz * sizeof *cv), *tv = malloc(nnz * sizeof *tv);
    double *from_csc = calloc(n * n, sizeof *from_csc), *from_trip = calloc(n * n, sizeof *from_trip);
    cr_assert_eq(sf_jac_pattern_export_csc(ctx, jp, cp, ri, cv), SF_OK);
    cr_assert_eq(sf_jac_pattern_export_triplets(ctx, jp, tr, tc, tv), SF_OK);
    for (int64_t j = 0; j < n; j++)
        for (int64_t q = cp[j]; q < cp[j + 1]; q++) {
            if (q > cp[j]) cr_assert_lt(ri[q - 1], ri[q], "CSC rows sorted");
            from_csc[ri[q] * n + j] = cv[q];
        }
    for (int64_t q = 0; q < nnz; q++) from_trip[tr[q] * n + tc[q]] = tv[q];
    double *dense = tu_dense_of(ctx, m);
    cr_assert_arr_eq(from_csc, dense, (size_t)(n * n) * sizeof *dense);
    cr_assert_arr_eq(from_trip, dense, (size_t)(n * n) * sizeof *dense);
    free(x1), free(x2), free(rp1), free(rp2), free(ci1), free(ci2), free(want), free(cp), free(tr);
    free(tc), free(ri), free(cv), free(tv), free(from_csc), free(from_trip), free(dense);
    sf_jac_pattern_free(jp);
    sf_mat_free(P);
    tu_ctx_done(ctx);
}

/* f_i = x_i^2, except row 7 is NaN once x_7 > 0.5 and f fails if x_0 > 5. */
static int nan_f(const double *x, double *f, void *user) {
    (void)user;
    if (x[0] > 5) return -2;
    for (int i = 0; i < 10; i++) f[i] = x[i] * x[i];
    if (x[7] > 0.5) f[7] = NAN;
    return 0;
}

Test(fd, nonfinite_and_failing_function_named_values_unchanged) {
    sf_ctx *ctx = tu_ctx();
    sf_mat *I = NULL;
    cr_assert_eq(sf_mat_identity(ctx, 10, &I), SF_OK);
    sf_jac_pattern *jp = NULL;
    cr_assert_eq(sf_jac_pattern_create(ctx, I, &jp), SF_OK);
    double x[10] = {0.1, 0.2, 0.3, 0.4, 0.1, 0.2, 0.3, 0.5, 0.1, 0.2};
    double before[10];
    memcpy(before, sf_jac_pattern_values(jp), sizeof before);
    cr_assert_eq(sf_jac_pattern_fd(ctx, jp, nan_f, NULL, x, SF_FD_FORWARD, NULL), SF_ERR_NONFINITE);
    cr_assert_str_eq(sf_ctx_message(ctx), "sf_jac_pattern_fd: colour group 0 (x + h): output row 7 is nan");
    cr_assert_arr_eq(sf_jac_pattern_values(jp), before, sizeof before);
    x[7] = 0.6;
    cr_assert_eq(sf_jac_pattern_fd(ctx, jp, nan_f, NULL, x, SF_FD_CENTRAL, NULL), SF_ERR_NONFINITE);
    cr_assert_str_eq(sf_ctx_message(ctx), "sf_jac_pattern_fd: colour group 0 (x + h): output row 7 is nan");
    cr_assert_eq(sf_jac_pattern_fd(ctx, jp, nan_f, NULL, x, SF_FD_FORWARD, NULL), SF_ERR_NONFINITE);
    cr_assert_str_eq(sf_ctx_message(ctx), "sf_jac_pattern_fd: base point x: output row 7 is nan");
    x[7] = 0.1;
    x[0] = 6;
    cr_assert_eq(sf_jac_pattern_fd(ctx, jp, nan_f, NULL, x, SF_FD_FORWARD, NULL), SF_ERR_ARG);
    cr_assert_str_eq(sf_ctx_message(ctx), "sf_jac_pattern_fd: base point x: f returned -2");
    cr_assert_arr_eq(sf_jac_pattern_values(jp), before, sizeof before);
    x[0] = 0.1;
    cr_assert_eq(sf_jac_pattern_fd(ctx, jp, nan_f, NULL, x, (sf_fd_method)5, NULL), SF_ERR_ARG);
    cr_assert_str_eq(sf_ctx_message(ctx), "sf_jac_pattern_fd: unknown method 5");
    sf_fd_stats st;
    cr_assert_eq(sf_jac_pattern_fd(ctx, jp, nan_f, NULL, x, SF_FD_FORWARD, &st), SF_OK);
    cr_assert_eq(st.colors, 1, "a diagonal pattern is one group");
    cr_assert_eq(st.evaluations, 2);
    for (int i = 0; i < 10; i++)
        cr_assert_float_eq(sf_jac_pattern_values(jp)[i], 2 * x[i], 1e-6);
    sf_jac_pattern_free(jp);
    sf_mat_free(I);
    tu_ctx_done(ctx);
}

/* sf_jac_fd names itself in every message, also for failures found in
 * the work it shares with sf_jac_pattern_fd; J stays untouched. */
Test(fd, one_shot_errors_name_sf_jac_fd) {
    sf_ctx *ctx = tu_ctx();
    sf_mat *I = NULL, *J = (sf_mat *)0x1;
    cr_assert_eq(sf_mat_identity(ctx, 10, &I), SF_OK);
    double x[10] = {0.1, 0.2, 0.3, 0.4, 0.1, 0.2, 0.3, 0.5, 0.1, 0.2};
    cr_assert_eq(sf_jac_fd(ctx, NULL, nan_f, NULL, x, SF_FD_FORWARD, &J, NULL), SF_ERR_ARG);
    cr_assert_str_eq(sf_ctx_message(ctx), "sf_jac_fd: NULL argument");
    cr_assert_eq(sf_jac_fd(ctx, I, NULL, NULL, x, SF_FD_FORWARD, &J, NULL), SF_ERR_ARG);
    cr_assert_str_eq(sf_ctx_message(ctx), "sf_jac_fd: NULL argument");
    cr_assert_eq(sf_jac_fd(ctx, I, nan_f, NULL, x, (sf_fd_method)3, &J, NULL), SF_ERR_ARG);
    cr_assert_str_eq(sf_ctx_message(ctx), "sf_jac_fd: unknown method 3");
    cr_assert_eq(sf_jac_fd(ctx, I, nan_f, NULL, x, SF_FD_CENTRAL, &J, NULL), SF_ERR_NONFINITE);
    cr_assert_str_eq(sf_ctx_message(ctx), "sf_jac_fd: colour group 0 (x + h): output row 7 is nan");
    x[0] = 6;
    cr_assert_eq(sf_jac_fd(ctx, I, nan_f, NULL, x, SF_FD_FORWARD, &J, NULL), SF_ERR_ARG);
    cr_assert_str_eq(sf_ctx_message(ctx), "sf_jac_fd: base point x: f returned -2");
    cr_assert_eq(J, (sf_mat *)0x1, "J untouched");
    sf_mat_free(I);
    tu_ctx_done(ctx);
}

static sf_status alloc_fd(sf_ctx *ctx, void *arg) {
    (void)arg;
    int64_t ri[] = {0, 0, 1, 2, 2}, ci[] = {0, 1, 1, 0, 2}, n = 3;
    double x[] = {0.1, 0.2, 0.3};
    sf_mat *P = NULL, *J = NULL;
    sf_status st = sf_mat_from_triplets(ctx, 3, 3, 5, ri, ci, NULL, &P);
    if (!st) st = sf_jac_fd(ctx, P, tri_f, &n, x, SF_FD_CENTRAL, &J, NULL);
    sf_mat_free(P);
    sf_mat_free(J);
    return st;
}

Test(alloc_failures, fd) { tu_check_alloc_failures(alloc_fd, NULL); }
