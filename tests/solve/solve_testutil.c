#include "solve_testutil.h"

#include <cs.h>
#include <math.h>
#include <stdlib.h>

/* An n x n handle of k triplets; the malloc'ed arrays are freed. */
static sf_mat *square_from_triplets(sf_ctx *ctx, int64_t n, int64_t k, int64_t *ri, int64_t *ci,
                                    double *v) {
    sf_mat *m = NULL;
    cr_assert_eq(sf_mat_from_triplets(ctx, n, n, k, ri, ci, v, &m), SF_OK);
    free(ri);
    free(ci);
    free(v);
    return m;
}

sf_mat *st_laplace2d(sf_ctx *ctx, int64_t g, int lower_only) {
    int64_t n = g * g, cap = 5 * n, k = 0;
    int64_t *ri = malloc((size_t)cap * sizeof *ri), *ci = malloc((size_t)cap * sizeof *ci);
    double *v = malloc((size_t)cap * sizeof *v);
    for (int64_t i = 0; i < g; i++)
        for (int64_t j = 0; j < g; j++) {
            int64_t r = i * g + j, nb[4] = {i > 0 ? r - g : -1, j > 0 ? r - 1 : -1,
                                            j < g - 1 ? r + 1 : -1, i < g - 1 ? r + g : -1};
            ri[k] = ci[k] = r;
            v[k++] = 4.0;
            for (int d = 0; d < 4; d++)
                if (nb[d] >= 0 && (!lower_only || nb[d] < r)) {
                    ri[k] = r;
                    ci[k] = nb[d];
                    v[k++] = -1.0;
                }
        }
    return square_from_triplets(ctx, n, k, ri, ci, v);
}

sf_mat *st_random_tri(sf_ctx *ctx, int64_t n, sf_uplo uplo, int per_row, int other,
                      uint64_t seed) {
    int64_t cap = n * (1 + per_row + other) + 1, k = 0;
    int64_t *ri = malloc((size_t)cap * sizeof *ri), *ci = malloc((size_t)cap * sizeof *ci);
    double *v = malloc((size_t)cap * sizeof *v);
    uint64_t s = seed * 2654435761u + 7;
    for (int64_t i = 0; i < n; i++) {
        double u = tu_uniform(&s);
        ri[k] = ci[k] = i;
        v[k++] = (u < 0 ? -1 : 1) * (1.0 + fabs(u));
        for (int e = 0; e < per_row + other; e++) {
            int64_t lo = uplo == SF_LOWER ? 0 : i + 1, hi = uplo == SF_LOWER ? i : n;
            if (e >= per_row) { /* the other side */
                lo = uplo == SF_LOWER ? i + 1 : 0;
                hi = uplo == SF_LOWER ? n : i;
            }
            if (hi <= lo) continue;
            ri[k] = i;
            ci[k] = lo + (int64_t)(tu_rand(&s) % (uint64_t)(hi - lo));
            v[k++] = tu_uniform(&s) / per_row;
        }
    }
    return square_from_triplets(ctx, n, k, ri, ci, v);
}

void st_dense_tri_solve(const double *t, int64_t n, sf_uplo uplo, sf_op op, sf_diag_type diag,
                        double alpha, const double *b, double *x) {
    /* m(i, j) of op(T); the effective matrix is lower iff uplo and op disagree. */
#define M(i, j) (op == SF_OP_NONE ? t[(i) * n + (j)] : t[(j) * n + (i)])
    int lower = (uplo == SF_LOWER) == (op == SF_OP_NONE);
    for (int64_t s = 0; s < n; s++) {
        int64_t i = lower ? s : n - 1 - s;
        double acc = alpha * b[i];
        for (int64_t j = lower ? 0 : i + 1; j < (lower ? i : n); j++) acc -= M(i, j) * x[j];
        x[i] = diag == SF_UNIT ? acc : acc / M(i, i);
    }
#undef M
}

void st_csr_matvec(sf_ctx *ctx, const sf_mat *A, const double *x, double *y) {
    int64_t n = sf_mat_rows(A), nnz = sf_mat_nnz(A);
    int64_t *rp = malloc((size_t)(n + 1) * sizeof *rp);
    int32_t *ci = malloc((size_t)(nnz + 1) * sizeof *ci);
    double *v = malloc((size_t)(nnz + 1) * sizeof *v);
    cr_assert_eq(sf_mat_export_csr(ctx, A, rp, ci, v), SF_OK);
    for (int64_t i = 0; i < n; i++) {
        double s = 0;
        for (int64_t p = rp[i]; p < rp[i + 1]; p++) s += v[p] * x[ci[p]];
        y[i] = s;
    }
    free(rp);
    free(ci);
    free(v);
}

/* The CSR arrays of T read as CSC describe T'.  For a lower T, cs_utsolve on
 * them solves T x = b and cs_usolve solves T' x = b; for an upper T
 * cs_ltsolve and cs_lsolve do.  The triangle must be all that is stored. */
void st_cxsparse_tri_solve(sf_ctx *ctx, const sf_mat *T, sf_uplo uplo, sf_op op, const double *b,
                           double *x) {
    int64_t n = sf_mat_rows(T), nnz = sf_mat_nnz(T);
    int64_t *rp = malloc((size_t)(n + 1) * sizeof *rp);
    cs_di *c = cs_di_spalloc((int)n, (int)n, (int)nnz, 1, 0);
    cr_assert_eq(sf_mat_export_csr(ctx, T, rp, c->i, c->x), SF_OK);
    for (int64_t i = 0; i <= n; i++) c->p[i] = (int)rp[i];
    for (int64_t i = 0; i < n; i++) x[i] = b[i];
    int ok = uplo == SF_LOWER ? (op == SF_OP_NONE ? cs_di_utsolve(c, x) : cs_di_usolve(c, x))
                              : (op == SF_OP_NONE ? cs_di_ltsolve(c, x) : cs_di_lsolve(c, x));
    cr_assert(ok);
    cs_di_spfree(c);
    free(rp);
}

double st_norm2(const double *v, int64_t n) {
    double s = 0;
    for (int64_t i = 0; i < n; i++) s += v[i] * v[i];
    return sqrt(s);
}
