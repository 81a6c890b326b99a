/* tests/solve/solve_testutil.h — matrices and independent references shared by
 * the triangular-solve and Cholesky suites. */
#ifndef SF_SOLVE_TESTUTIL_H
#define SF_SOLVE_TESTUTIL_H

#include "testutil.h"

/* The 5-point 2-D Laplacian on a g x g grid (n = g*g), whole (lower_only = 0)
 * or only its lower triangle. */
sf_mat *st_laplace2d(sf_ctx *ctx, int64_t g, int lower_only);

/* A random n x n matrix: the `uplo` triangle with about `per_row` off-diagonal
 * entries per row and a diagonal of magnitude in [1, 2) (random sign), plus,
 * if `other` > 0, that many entries per row on the other side. */
sf_mat *st_random_tri(sf_ctx *ctx, int64_t n, sf_uplo uplo, int per_row, int other,
                      uint64_t seed);

/* Naive dense substitution for one right-hand side: x = alpha op(T)^-1 b using
 * only the `uplo` triangle of the dense row-major n x n matrix t. */
void st_dense_tri_solve(const double *t, int64_t n, sf_uplo uplo, sf_op op, sf_diag_type diag,
                        double alpha, const double *b, double *x);

/* y = A x with the CSR arrays of a handle (naive loop). */
void st_csr_matvec(sf_ctx *ctx, const sf_mat *A, const double *x, double *y);

/* The same solve with CXSparse's cs_*solve, one right-hand side, alpha = 1. */
void st_cxsparse_tri_solve(sf_ctx *ctx, const sf_mat *T, sf_uplo uplo, sf_op op, const double *b,
                           double *x);

double st_norm2(const double *v, int64_t n);

#endif
