/* P2: forward and back substitution with a sparse triangular matrix.
 * First the original small case: a random 20 x 20 lower-triangular matrix,
 * solved and checked against a plain dense substitution, and a zero pivot
 * reported instead of divided by.  Then the lower triangle of a 2-D Laplacian
 * with 10^6 rows (the factor of a Gauss-Seidel sweep): analysis, a timed
 * solve, 16 right-hand sides at once, and the residual. */
#include <math.h>
#include <string.h>

#include "tour.h"

static double rnd(unsigned *s) { /* in [-1, 1) */
    *s = *s * 1103515245u + 12345u;
    return (double)(*s >> 8) / (double)(1u << 23) - 1.0;
}

/* The 20 x 20 case: about 30% of the lower triangle filled, |diagonal| >= 1. */
static int small_case(sf_ctx *ctx) {
    enum { N = 20 };
    double d[N * N] = {0}, b[N], x[N], want[N];
    unsigned s = 7;
    for (int i = 0; i < N; i++) {
        for (int j = 0; j < i; j++)
            if (rnd(&s) < -0.4) d[i * N + j] = rnd(&s);
        d[i * N + i] = 1.0 + fabs(rnd(&s));
        b[i] = rnd(&s);
    }
    sf_mat *L;
    sf_dense v = sf_dense_view(N, N, SF_ROW_MAJOR, SF_REAL, d);
    EX_CHECK(ctx, sf_mat_from_dense(ctx, &v, &L));
    EX_CHECK(ctx, sf_tri_solve_vec(ctx, L, SF_LOWER, SF_OP_NONE, SF_NON_UNIT, 0, 1.0, b, x));
    double err = 0;
    for (int i = 0; i < N; i++) { /* the dense substitution everyone writes first */
        double acc = b[i];
        for (int j = 0; j < i; j++) acc -= d[i * N + j] * want[j];
        want[i] = acc / d[i * N + i];
        err = fmax(err, fabs(x[i] - want[i]));
    }
    printf("20 x 20 lower triangular, %lld stored entries: max |x - x_dense| = %.1e\n",
           (long long)sf_mat_nnz(L), err);
    sf_mat_free(L);
    d[7 * N + 7] = 0.0; /* a missing pivot is reported, not divided by */
    EX_CHECK(ctx, sf_mat_from_dense(ctx, &v, &L));
    sf_status st = sf_tri_solve_vec(ctx, L, SF_LOWER, SF_OP_NONE, SF_NON_UNIT, 0, 1.0, b, x);
    printf("with L[7][7] = 0 (so not stored at all): %s: %s\n", sf_status_name(st),
           sf_ctx_message(ctx));
    sf_mat_free(L);
    return err > 1e-12 || st != SF_ERR_SINGULAR;
}

/* Lower triangle of the 5-point Laplacian on a g x g grid, straight into CSR. */
static sf_status laplace_lower(sf_ctx *ctx, int64_t g, sf_mat **out) {
    int64_t n = g * g, nnz = n + 2 * (n - g), k = 0;
    int64_t *rp = malloc((size_t)(n + 1) * sizeof *rp), *ci = malloc((size_t)nnz * sizeof *ci);
    double *v = malloc((size_t)nnz * sizeof *v);
    rp[0] = 0;
    for (int64_t r = 0; r < n; r++) {
        if (r >= g) ci[k] = r - g, v[k++] = -1.0;
        if (r % g) ci[k] = r - 1, v[k++] = -1.0;
        ci[k] = r, v[k++] = 4.0;
        rp[r + 1] = k;
    }
    sf_status st = sf_mat_from_csr(ctx, n, n, rp, ci, v, SF_CSR_STRICT, out);
    free(rp);
    free(ci);
    free(v);
    return st;
}

static int large_case(sf_ctx *ctx) {
    enum { G = 1000, K = 16 };
    int64_t n = (int64_t)G * G;
    sf_mat *L;
    char b1[32];
    EX_CHECK(ctx, laplace_lower(ctx, G, &L));
    double *b = malloc((size_t)(n * K) * sizeof *b), *x = malloc((size_t)(n * K) * sizeof *x);
    double *r = malloc((size_t)n * sizeof *r);
    for (int64_t i = 0; i < n * K; i++) b[i] = 1.0 + (double)(i % 13) / 13.0;
    double t0 = ex_now();
    EX_CHECK(ctx, sf_tri_analyze(ctx, L, SF_LOWER, SF_OP_NONE, 0));
    double t1 = ex_now();
    EX_CHECK(ctx, sf_tri_solve_vec(ctx, L, SF_LOWER, SF_OP_NONE, SF_NON_UNIT, 0, 1.0, b, x));
    double t2 = ex_now();
    sf_tri_info info;
    EX_CHECK(ctx, sf_tri_info_get(ctx, L, SF_LOWER, SF_OP_NONE, 0, &info));
    EX_CHECK(ctx, sf_spmv(ctx, 1.0, L, SF_OP_NONE, x, 0.0, r));
    double num = 0, den = 0;
    for (int64_t i = 0; i < n; i++) num += (r[i] - b[i]) * (r[i] - b[i]), den += b[i] * b[i];
    printf("Laplacian lower triangle, n = %lld, %lld entries (handle %s): analysis %.1f ms "
           "(%lld levels), solve %.1f ms, |Lx - b|/|b| = %.1e\n",
           (long long)n, (long long)sf_mat_nnz(L), ex_bytes((double)sf_mat_bytes(L), b1, sizeof b1),
           (t1 - t0) * 1e3, (long long)info.levels, (t2 - t1) * 1e3, sqrt(num / den));
    sf_dense B = sf_dense_view(n, K, SF_ROW_MAJOR, SF_REAL, b), X = sf_dense_view(n, K, SF_ROW_MAJOR, SF_REAL, x);
    memset(x, 0, (size_t)(n * K) * sizeof *x); /* page faults outside the timing */
    t0 = ex_now();
    EX_CHECK(ctx, sf_tri_solve(ctx, L, SF_LOWER, SF_OP_NONE, SF_NON_UNIT, 0, 1.0, &B, &X));
    double ms = (ex_now() - t0) * 1e3;
    printf("16 right-hand sides at once (row-major): %.1f ms (%.1f ms per right-hand side); a dense "
           "L would need %s\n", ms, ms / K, ex_bytes(8.0 * (double)n * (double)n, b1, sizeof b1));
    free(b);
    free(x);
    free(r);
    sf_mat_free(L);
    return sqrt(num / den) > 1e-12;
}

int example_p2_trisolve(void) {
    sf_ctx *ctx;
    if (sf_ctx_create(&ctx)) return 1;
    int bad = small_case(ctx) || large_case(ctx);
    bad |= sf_ctx_bytes_in_use(ctx) != 0;
    sf_ctx_free(ctx);
    return bad;
}

SF_EXAMPLE_MAIN(example_p2_trisolve)
