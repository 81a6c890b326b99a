/* P5: Z = E * A where E has a single 1 at (i, j).  Z is zero except row i,
 * which is row j of A.  As a selection handle E costs a few bytes and the
 * product O(n) work plus writing Z; the dense product (OpenBLAS dgemm, the
 * peer) costs O(n^3). */
#include <cblas.h>
#include <math.h>

#include "tour.h"

int example_p5_select(void) {
    const int64_t n = 2000, i = 17, j = 1234;
    sf_ctx *ctx;
    if (sf_ctx_create(&ctx)) return 1;
    double *A = malloc((size_t)(n * n) * sizeof *A), *E = calloc((size_t)(n * n), sizeof *E);
    double *Z = malloc((size_t)(n * n) * sizeof *Z), *Zd = malloc((size_t)(n * n) * sizeof *Zd);
    unsigned seed = 1;
    for (int64_t q = 0; q < n * n; q++) A[q] = rand_r(&seed) / (double)RAND_MAX - 0.5;
    E[i * n + j] = 1.0;
    for (int64_t q = 0; q < n * n; q++) Z[q] = Zd[q] = 0; /* page faults out of the timing */

    sf_mat *S = NULL;
    EX_CHECK(ctx, sf_mat_selection(ctx, n, n, 1, &i, &j, NULL, &S));
    sf_dense Av = sf_dense_view(n, n, SF_ROW_MAJOR, SF_REAL, A);
    sf_dense Zv = sf_dense_view(n, n, SF_ROW_MAJOR, SF_REAL, Z);
    double t0 = ex_now();
    EX_CHECK(ctx, sf_spmm(ctx, 1.0, S, SF_OP_NONE, &Av, 0.0, &Zv));
    double ts = ex_now() - t0;
    t0 = ex_now();
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)n, (int)n, (int)n, 1.0, E, (int)n, A,
                (int)n, 0.0, Zd, (int)n);
    double td = ex_now() - t0;
    double d = 0;
    for (int64_t q = 0; q < n * n; q++) d = fmax(d, fabs(Z[q] - Zd[q]));
    char b1[32], b2[32];
    printf("n = 2000, E = e_%lld e_%lld^T: selection handle %s, dense E %s\n", (long long)i,
           (long long)j, ex_bytes((double)sf_mat_bytes(S), b1, sizeof b1),
           ex_bytes(8.0 * n * n, b2, sizeof b2));
    printf("selection product %.2f ms (it writes all 32 MB of Z), dense dgemm %.1f ms: %.0fx; "
           "max |difference| = %g\n", ts * 1e3, td * 1e3, td / ts, d);
    sf_mat_free(S);
    free(A), free(E), free(Z), free(Zd);
    int bad = d != 0 || sf_ctx_bytes_in_use(ctx) != 0;
    sf_ctx_free(ctx);
    return bad;
}

SF_EXAMPLE_MAIN(example_p5_select)
