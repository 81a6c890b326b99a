/* Sparse Cholesky through CHOLMOD on a shared SPD matrix (bcsstk13): factor,
 * solve, residual, log-determinant and the memory it took, then the factor L
 * handed out as a handle so the triangular solves of P2 apply to it. */
#include <math.h>

#include "tour.h"

static double rel_residual(sf_ctx *ctx, const sf_mat *A, const double *x, const double *b,
                           double *r, int64_t n) {
    if (sf_spmv(ctx, 1.0, A, SF_OP_NONE, x, 0.0, r)) return INFINITY;
    double num = 0, den = 0;
    for (int64_t i = 0; i < n; i++) num += (r[i] - b[i]) * (r[i] - b[i]), den += b[i] * b[i];
    return sqrt(num / den);
}

int example_cholesky(void) {
    sf_ctx *ctx;
    if (sf_ctx_create(&ctx)) return 1;
    char path[1024], b1[32], b2[32];
    sf_mat *A, *L;
    sf_chol *ch;
    EX_CHECK(ctx, sf_mm_read(ctx, ex_data_path("matrices/bcsstk13.mtx", path, sizeof path), &A, NULL));
    int64_t n = sf_mat_rows(A);
    EX_CHECK(ctx, sf_chol_factor(ctx, A, 0, &ch));
    double *b = malloc((size_t)n * sizeof *b), *x = malloc((size_t)n * sizeof *x);
    double *r = malloc((size_t)n * sizeof *r), logdet;
    for (int64_t i = 0; i < n; i++) b[i] = 1.0;
    sf_dense B = sf_dense_view(n, 1, SF_COL_MAJOR, SF_REAL, b), X = sf_dense_view(n, 1, SF_COL_MAJOR, SF_REAL, x);
    EX_CHECK(ctx, sf_chol_solve(ctx, ch, &B, &X));
    EX_CHECK(ctx, sf_chol_logdet(ctx, ch, &logdet));
    double res = rel_residual(ctx, A, x, b, r, n);
    printf("bcsstk13: n = %lld, %lld entries; L has %lld entries (fill-reducing ordering)\n",
           (long long)n, (long long)sf_mat_nnz(A), (long long)sf_chol_nnz_L(ch));
    printf("solve A x = 1: |Ax - b|/|b| = %.1e   log det A = %.6f\n", res, logdet);
    printf("memory: factor handle %s (CHOLMOD's part included), context %s; dense A %s\n",
           ex_bytes((double)sf_chol_bytes(ch), b1, sizeof b1),
           ex_bytes((double)sf_ctx_bytes_in_use(ctx), b2, sizeof b2),
           ex_bytes(8.0 * (double)n * (double)n, path, sizeof path));

    /* The same solve with L as a handle: L y = P b, L' z = y, x = P' z. */
    int64_t *perm = malloc((size_t)n * sizeof *perm);
    EX_CHECK(ctx, sf_chol_factor_L(ctx, ch, &L));
    EX_CHECK(ctx, sf_chol_permutation(ctx, ch, perm));
    for (int64_t k = 0; k < n; k++) r[k] = b[perm[k]];
    EX_CHECK(ctx, sf_tri_solve_vec(ctx, L, SF_LOWER, SF_OP_NONE, SF_NON_UNIT, 0, 1.0, r, r));
    EX_CHECK(ctx, sf_tri_solve_vec(ctx, L, SF_LOWER, SF_OP_TRANSPOSE, SF_NON_UNIT, 0, 1.0, r, r));
    double diff = 0, scale = 0;
    for (int64_t k = 0; k < n; k++) {
        diff = fmax(diff, fabs(r[k] - x[perm[k]]));
        scale = fmax(scale, fabs(x[perm[k]]));
    }
    printf("with L as an sf_mat and two triangular solves: max relative difference %.1e\n",
           diff / scale);
    int bad = res > 1e-6 || diff > 1e-8 * scale;
    free(perm);
    free(b);
    free(x);
    free(r);
    sf_mat_free(L);
    sf_chol_free(ch);
    sf_mat_free(A);
    bad |= sf_ctx_bytes_in_use(ctx) != 0;
    sf_ctx_free(ctx);
    return bad;
}

SF_EXAMPLE_MAIN(example_cholesky)
