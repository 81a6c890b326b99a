/* Helpers of the deriv suite: naive dense Jacobians by central differences
 * of naive evaluators, and comparisons of a handle with a dense array. */
#ifndef SF_DERIV_TESTUTIL_H
#define SF_DERIV_TESTUTIL_H

#include "testutil.h"

/* A naive evaluator y = f(x) of nin inputs and nout outputs. */
typedef void (*dt_fn)(const double *x, double *y, void *arg);

/* The dense nout x nin Jacobian (row-major, malloc'ed) of f at x by central
 * differences with step h (exact up to rounding for linear f with h = 1). */
double *dt_dense_fd(dt_fn f, void *arg, int64_t nin, int64_t nout, const double *x, double h);

/* Assert that handle J equals the dense rows x cols array want within tol
 * (relative max-norm) and has the given shape. */
void dt_assert_dense(sf_ctx *ctx, const sf_mat *J, const double *want, int64_t rows,
                     int64_t cols, double tol);

/* n random values in [-1, 1) (malloc'ed, n >= 0). */
double *dt_random(int64_t n, uint64_t seed);

/* An n x n diagonal handle with dt_random values (asserts success). */
sf_mat *dt_random_diag(sf_ctx *ctx, int64_t n, uint64_t seed);

/* The test shapes: 0-d to 4-d, including extents of 1. */
#define DT_NSHAPES 6
sf_shape dt_shape(int which);

#endif
