/* Right-hand-side checks shared by the triangular and Cholesky solves. */
#include "solve_rhs.h"

sf_status sf_solve_check_rhs(sf_ctx *ctx, int64_t n, const char *name, const sf_dense *B,
                             const sf_dense *X, const char *fn) {
    sf_status st;
    if ((st = sf_dense_check(ctx, B, "B")) || (st = sf_dense_check(ctx, X, "X"))) {
        sf_error_prefix(ctx, "%s", fn); /* only on failure: solves of tiny systems stay cheap */
        return st;
    }
    if (B->dtype != SF_REAL || X->dtype != SF_REAL)
        return sf_error(ctx, SF_ERR_UNSUPPORTED, "%s: B and X must be real", fn);
    if (B->rows != n)
        return sf_error(ctx, SF_ERR_SHAPE, "%s: %s is %lld x %lld but B is (%lld, %lld)", fn, name,
                        (long long)n, (long long)n, (long long)B->rows, (long long)B->cols);
    if (X->rows != B->rows || X->cols != B->cols)
        return sf_error(ctx, SF_ERR_SHAPE, "%s: B is (%lld, %lld) but X is (%lld, %lld)", fn,
                        (long long)B->rows, (long long)B->cols, (long long)X->rows,
                        (long long)X->cols);
    bool same_view = X->data == B->data && X->layout == B->layout && X->ld == B->ld;
    if (!same_view && sf_dense_overlap(B, X))
        return sf_error(ctx, SF_ERR_ARG,
                        "%s: X overlaps B's memory without being the same view (in place)", fn);
    return SF_OK;
}
