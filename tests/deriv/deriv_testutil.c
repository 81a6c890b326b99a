#include "deriv_testutil.h"

#include <stdlib.h>

double *dt_dense_fd(dt_fn f, void *arg, int64_t nin, int64_t nout, const double *x, double h) {
    double *J = calloc((size_t)(nout * nin + 1), sizeof *J);
    double *xp = malloc((size_t)(nin + 1) * sizeof *xp);
    double *yp = malloc((size_t)(nout + 1) * sizeof *yp), *ym = malloc((size_t)(nout + 1) * sizeof *ym);
    for (int64_t j = 0; j < nin; j++) xp[j] = x[j];
    for (int64_t j = 0; j < nin; j++) {
        xp[j] = x[j] + h;
        f(xp, yp, arg);
        xp[j] = x[j] - h;
        f(xp, ym, arg);
        xp[j] = x[j];
        for (int64_t i = 0; i < nout; i++) J[i * nin + j] = (yp[i] - ym[i]) / (2 * h);
    }
    free(xp);
    free(yp);
    free(ym);
    return J;
}

void dt_assert_dense(sf_ctx *ctx, const sf_mat *J, const double *want, int64_t rows,
                     int64_t cols, double tol) {
    cr_assert_eq(sf_mat_rows(J), rows, "rows %lld, want %lld", (long long)sf_mat_rows(J),
                 (long long)rows);
    cr_assert_eq(sf_mat_cols(J), cols, "cols %lld, want %lld", (long long)sf_mat_cols(J),
                 (long long)cols);
    double *got = tu_dense_of(ctx, J);
    double d = tu_rel_diff(got, want, rows * cols);
    cr_assert_leq(d, tol, "max rel diff %g > %g", d, tol);
    free(got);
}

double *dt_random(int64_t n, uint64_t seed) {
    double *v = malloc((size_t)(n + 1) * sizeof *v);
    uint64_t s = seed * 0x9E3779B97F4A7C15ull + 7;
    for (int64_t i = 0; i < n; i++) v[i] = tu_uniform(&s);
    return v;
}

sf_shape dt_shape(int which) {
    static const int64_t d[DT_NSHAPES][4] = {{0}, {5}, {3, 4}, {2, 3, 4}, {2, 1, 3, 2}, {1, 3}};
    static const int nd[DT_NSHAPES] = {0, 1, 2, 3, 4, 2};
    sf_shape s = {nd[which], {0}};
    for (int k = 0; k < nd[which]; k++) s.dim[k] = d[which][k];
    return s;
}

sf_mat *dt_random_diag(sf_ctx *ctx, int64_t n, uint64_t seed) {
    double *d = dt_random(n, seed);
    sf_mat *D = NULL;
    cr_assert_eq(sf_mat_diag(ctx, n, d, &D), SF_OK);
    free(d);
    return D;
}
