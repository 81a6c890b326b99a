/* Sparse finite-difference Jacobians: one evaluation of f per colour group
 * (plus the base point for forward differences) perturbs every column of
 * the group at once; since no row has two columns of a group, each
 * difference f(x + h) - f(x) row r belongs to exactly one column. */
#include <float.h>
#include <stdio.h>
#include <math.h>
#include <string.h>

#include "deriv_internal.h"

/* h_j = c max(|x_j|, 1), rounded so that (x_j + h_j) - x_j == h_j. */
static inline double step_of(double xj, sf_fd_method method) {
    double c = method == SF_FD_CENTRAL ? cbrt(DBL_EPSILON) : sqrt(DBL_EPSILON);
    double h = c * fmax(fabs(xj), 1.0);
    return (xj + h) - xj;
}

/* Call f and check every output; messages name the caller fn and the point. */
static sf_status call(sf_ctx *ctx, const char *fn, sf_vec_fn f, void *user, const double *x,
                      double *fx, int64_t m, int64_t group, const char *sign) {
    char where[96];
    if (group < 0) snprintf(where, sizeof where, "base point x");
    else snprintf(where, sizeof where, "colour group %lld (x %s h)", (long long)group, sign);
    int rc = f(x, fx, user);
    if (rc)
        return sf_error(ctx, SF_ERR_ARG, "%s: %s: f returned %d", fn, where, rc);
    for (int64_t r = 0; r < m; r++)
        if (!isfinite(fx[r]))
            return sf_error(ctx, SF_ERR_NONFINITE, "%s: %s: output row %lld is %g", fn, where,
                            (long long)r, fx[r]);
    return SF_OK;
}

/* Evaluate one group and write its columns' differences into jp->fv. */
static sf_status one_group(sf_ctx *ctx, const char *fn, sf_jac_pattern *jp, sf_vec_fn f,
                           void *user, const double *x, sf_fd_method method, int64_t g) {
    int64_t m = jp->m->rows, lo = jp->cptr[g], hi = jp->cptr[g + 1];
    for (int64_t t = lo; t < hi; t++) {
        int32_t j = jp->ccols[t];
        jp->xw[j] = x[j] + step_of(x[j], method);
    }
    sf_status st = call(ctx, fn, f, user, jp->xw, jp->f1, m, g, "+");
    if (!st && method == SF_FD_CENTRAL) {
        for (int64_t t = lo; t < hi; t++) {
            int32_t j = jp->ccols[t];
            jp->xw[j] = x[j] - step_of(x[j], method);
        }
        st = call(ctx, fn, f, user, jp->xw, jp->f0, m, g, "-");
    }
    for (int64_t t = lo; t < hi; t++) {
        int32_t j = jp->ccols[t];
        double h = step_of(x[j], method);
        double den = method == SF_FD_CENTRAL ? (x[j] + h) - (x[j] - h) : h;
        jp->xw[j] = x[j];
        for (int64_t q = jp->colptr[j]; q < jp->colptr[j + 1]; q++)
            jp->fv[jp->slot[q]] = (jp->f1[jp->rowind[q]] - jp->f0[jp->rowind[q]]) / den;
    }
    return st;
}

/* The arguments every FD entry point checks first, named after it. */
static sf_status check_fd_args(sf_ctx *ctx, const char *fn, const void *pattern, sf_vec_fn f,
                               const double *x, int64_t cols, sf_fd_method method) {
    if (!pattern || !f || (!x && cols > 0)) return sf_error(ctx, SF_ERR_ARG, "%s: NULL argument", fn);
    if (method != SF_FD_FORWARD && method != SF_FD_CENTRAL)
        return sf_error(ctx, SF_ERR_ARG, "%s: unknown method %d", fn, (int)method);
    return SF_OK;
}

static sf_status pattern_fd(sf_ctx *ctx, const char *fn, sf_jac_pattern *jp, sf_vec_fn f,
                            void *user, const double *x, sf_fd_method method,
                            sf_fd_stats *stats) {
    sf_status st = check_fd_args(ctx, fn, jp, f, x, jp ? jp->m->cols : 0, method);
    if (st) return st;
    if (!jp->fv)
        return sf_error(ctx, SF_ERR_ARG,
                        "%s: the handle has no FD workspace (make it with sf_jac_pattern_create)", fn);
    int64_t n = jp->m->cols, evals = 0;
    if (n) memcpy(jp->xw, x, (size_t)n * sizeof *x);
    if (method == SF_FD_FORWARD) {
        st = call(ctx, fn, f, user, x, jp->f0, jp->m->rows, -1, "");
        evals++;
    }
    for (int64_t g = 0; g < jp->ncolors && !st; g++) {
        st = one_group(ctx, fn, jp, f, user, x, method, g);
        evals += method == SF_FD_CENTRAL ? 2 : 1;
    }
    if (st) return st;
    if (jp->m->nnz) memcpy(jp->m->u.csr.val, jp->fv, (size_t)jp->m->nnz * sizeof(double));
    sf_mat_values_changed(jp->m);
    if (stats) *stats = (sf_fd_stats){jp->ncolors, evals};
    return SF_OK;
}

sf_status sf_jac_pattern_fd(sf_ctx *ctx, sf_jac_pattern *jp, sf_vec_fn f, void *user,
                            const double *x, sf_fd_method method, sf_fd_stats *stats) {
    if (!ctx) return SF_ERR_ARG;
    return pattern_fd(ctx, "sf_jac_pattern_fd", jp, f, user, x, method, stats);
}

sf_status sf_jac_fd(sf_ctx *ctx, const sf_mat *pattern, sf_vec_fn f, void *user, const double *x,
                    sf_fd_method method, sf_mat **J, sf_fd_stats *stats) {
    if (!ctx) return SF_ERR_ARG;
    if (!J) return sf_error(ctx, SF_ERR_ARG, "sf_jac_fd: output pointer is NULL");
    sf_status st = check_fd_args(ctx, "sf_jac_fd", pattern, f, x, pattern ? pattern->cols : 0,
                                 method);
    sf_jac_pattern *jp = NULL;
    if (st || (st = sf_jac_pattern_create(ctx, pattern, &jp))) return st;
    sf_fd_stats s;
    if (!(st = pattern_fd(ctx, "sf_jac_fd", jp, f, user, x, method, &s)) &&
        !(st = sf_mat_copy(ctx, jp->m, J)) && stats)
        *stats = s;
    sf_jac_pattern_free(jp);
    return st;
}
