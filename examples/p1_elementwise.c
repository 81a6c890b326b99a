/* P1: the derivative of an elementwise function, for any shape.
 * The same call gives the Jacobian of f(x) = x^2 for a scalar, a vector, a
 * matrix and a 4-d tensor as a diagonal handle (one stored value per
 * element); at a 3000 x 3000 input it holds 72 MB where the dense
 * (m, n, m, n) array would need 648 TB.  At small size the handle is checked
 * against the dense (s..., s...) array built by a naive loop. */
#include <math.h>

#include "tour.h"

/* Build J for x of the given shape, print what it holds, free it. */
static int show(sf_ctx *ctx, int ndim, const int64_t *dims) {
    sf_shape s;
    int64_t n;
    EX_CHECK(ctx, sf_shape_make(ctx, ndim, dims, &s));
    EX_CHECK(ctx, sf_shape_size(ctx, &s, &n));
    double *x = malloc((size_t)n * sizeof *x);
    for (int64_t i = 0; i < n; i++) x[i] = 0.5 + (double)(i % 7);
    sf_mat *J;
    EX_CHECK(ctx, sf_jac_elementwise(ctx, SF_FN_SQUARE, 0, &s, x, NULL, &J));
    char sb[96], b1[32], b2[32];
    double dense = 8.0 * (double)n * (double)n; /* the (s..., s...) array */
    printf("x shape %-14s J %lld x %lld %s, %lld stored, %s (dense layout: %s)\n",
           sf_shape_format(&s, sb, sizeof sb), (long long)sf_mat_rows(J), (long long)sf_mat_cols(J),
           sf_kind_name(sf_mat_kind(J)), (long long)sf_mat_nnz(J),
           ex_bytes((double)sf_mat_bytes(J), b1, sizeof b1), ex_bytes(dense, b2, sizeof b2));
    sf_mat_free(J);
    free(x);
    return 0;
}

/* J of x^2 for x of shape (2, 3) against the dense (2, 3, 2, 3) array. */
static int check_dense_layout(sf_ctx *ctx) {
    enum { M = 2, N = 3, S = M * N };
    double x[M][N], T[M][N][M][N] = {{{{0}}}}, got[S * S];
    for (int i = 0; i < M; i++)
        for (int j = 0; j < N; j++) x[i][j] = 1.0 + i - 0.5 * j;
    for (int i = 0; i < M; i++) /* d (x^2)[i,j] / d x[k,l] = 2 x[i,j] if (i,j) == (k,l) */
        for (int j = 0; j < N; j++)
            for (int k = 0; k < M; k++)
                for (int l = 0; l < N; l++) T[i][j][k][l] = (i == k && j == l) ? 2 * x[i][j] : 0;
    sf_shape s = {2, {M, N}};
    sf_mat *J;
    EX_CHECK(ctx, sf_jac_elementwise(ctx, SF_FN_SQUARE, 0, &s, &x[0][0], NULL, &J));
    sf_dense v = sf_dense_view(S, S, SF_ROW_MAJOR, SF_REAL, got);
    EX_CHECK(ctx, sf_mat_to_dense(ctx, J, &v));
    sf_mat_free(J);
    double diff = 0;
    for (int q = 0; q < S * S; q++) diff = fmax(diff, fabs(got[q] - (&T[0][0][0][0])[q]));
    printf("(2, 3) input: J equals the dense (2, 3, 2, 3) array reshaped to (6, 6): max diff %g\n",
           diff);
    return diff != 0;
}

int example_p1_elementwise(void) {
    sf_ctx *ctx;
    if (sf_ctx_create(&ctx)) return 1;
    int64_t v[] = {5}, m[] = {3, 4}, t[] = {2, 3, 4, 5}, big[] = {3000, 3000};
    int bad = show(ctx, 0, NULL) || show(ctx, 1, v) || show(ctx, 2, m) || show(ctx, 4, t);
    bad = bad || check_dense_layout(ctx);
    /* the big case: the handle's bytes are what it really holds */
    sf_shape s = {2, {big[0], big[1]}};
    int64_t n = big[0] * big[1];
    double *x = malloc((size_t)n * sizeof *x);
    for (int64_t i = 0; i < n; i++) x[i] = (double)(i % 1000) / 1000.0;
    sf_mat *J;
    EX_CHECK(ctx, sf_jac_elementwise(ctx, SF_FN_SQUARE, 0, &s, x, NULL, &J));
    char b1[32], b2[32];
    double dense = 8.0 * (double)n * (double)n;
    printf("3000 x 3000 input: J holds %s (%lld stored values); the dense (m, n, m, n) array "
           "would take %s\n",
           ex_bytes((double)sf_mat_bytes(J), b1, sizeof b1), (long long)sf_mat_nnz(J),
           ex_bytes(dense, b2, sizeof b2));
    bad = bad || sf_mat_bytes(J) < (size_t)n * 8 || sf_mat_bytes(J) > (size_t)n * 8 + 4096;
    sf_mat_free(J);
    free(x);
    bad = bad || sf_ctx_bytes_in_use(ctx) != 0;
    sf_ctx_free(ctx);
    return bad;
}

SF_EXAMPLE_MAIN(example_p1_elementwise)
