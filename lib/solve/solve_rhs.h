/* lib/solve/solve_rhs.h — the right-hand-side checks every solve of lib/solve
 * makes before writing anything. */
#ifndef SF_SOLVE_RHS_H
#define SF_SOLVE_RHS_H

#include "../core/internal.h"

/* B and X for a solve with the n x n matrix `name` ("T", "A") in function fn:
 * valid real views, B with n rows, X of B's shape, and X either the very same
 * view as B or another one (same data with another layout or leading
 * dimension is refused).  Messages name both shapes. */
sf_status sf_solve_check_rhs(sf_ctx *ctx, int64_t n, const char *name, const sf_dense *B,
                             const sf_dense *X, const char *fn);

#endif
