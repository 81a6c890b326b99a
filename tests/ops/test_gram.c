/* sf_gram against triple loops: real and complex B, diagonal (mixed signs,
 * zeros) and CSR weights, every layout of B and G; P3's original case. */
#include <complex.h>
#include <math.h>
#include <stdlib.h>

#include "ops_testutil.h"

/* want[m][n] = sum_i sum_l conj(B[i,m]) D[i,l] B[l,n] with D dense r x r. */
static double complex *ref_gram(const double *Dd, const sf_dense *B) {
    int64_t r = B->rows, k = B->cols;
    int cplx = B->dtype == SF_COMPLEX;
    double complex *g = calloc((size_t)(k * k + 1), sizeof *g);
    for (int64_t m = 0; m < k; m++)
        for (int64_t n = 0; n < k; n++)
            for (int64_t i = 0; i < r; i++)
                for (int64_t l = 0; l < r; l++) {
                    if (Dd[i * r + l] == 0) continue;
                    const double *a = ot_at(B, i, m), *b = ot_at(B, l, n);
                    double complex bim = a[0] + (cplx ? a[1] : 0) * I, bln = b[0] + (cplx ? b[1] : 0) * I;
                    g[m * k + n] += conj(bim) * Dd[i * r + l] * bln;
                }
    return g;
}

static void check_gram(sf_ctx *ctx, const sf_mat *D, sf_dtype dt, sf_layout lb, sf_layout lg) {
    int64_t r = sf_mat_rows(D), k = 7;
    double *Dd = tu_dense_of(ctx, D);
    sf_dense B = ot_view(r, k, lb, dt, 2, 5), G = ot_view(k, k, lg, dt, 1, 6);
    double complex *want = ref_gram(Dd, &B);
    cr_assert_eq(sf_gram(ctx, D, &B, &G), SF_OK, "%s", sf_ctx_message(ctx));
    for (int64_t m = 0; m < k; m++)
        for (int64_t n = 0; n < k; n++) {
            const double *g = ot_at(&G, m, n);
            cr_assert_float_eq(g[0], creal(want[m * k + n]), 1e-12, "kind %d dt %d (%lld,%lld)",
                               sf_mat_kind(D), dt, (long long)m, (long long)n);
            if (dt == SF_COMPLEX) cr_assert_float_eq(g[1], cimag(want[m * k + n]), 1e-12);
        }
    ot_assert_pad_intact(&G);
    free(Dd), free(want);
    ot_view_free(&B), ot_view_free(&G);
}

Test(gram, every_kind_dtype_layout_against_triple_loop) {
    sf_ctx *ctx = tu_ctx();
    double d[40];
    uint64_t s = 9;
    for (int i = 0; i < 40; i++) d[i] = i % 5 == 0 ? 0.0 : tu_uniform(&s) * 3;
    sf_mat *mats[3] = {NULL, tu_random_csr(ctx, 40, 40, 0.1, 3), ot_handle(ctx, SF_SELECT, 40, 40, 2)};
    cr_assert_eq(sf_mat_diag(ctx, 40, d, &mats[0]), SF_OK);
    for (int q = 0; q < 3; q++)
        for (int dt = 0; dt < 2; dt++)
            for (int lb = 0; lb < 2; lb++)
                for (int lg = 0; lg < 2; lg++)
                    check_gram(ctx, mats[q], (sf_dtype)dt, (sf_layout)lb, (sf_layout)lg);
    for (int q = 0; q < 3; q++) sf_mat_free(mats[q]);
    tu_ctx_done(ctx);
}

/* Many rows: the diagonal path works in chunks of rows. */
Test(gram, diagonal_over_several_chunks) {
    sf_ctx *ctx = tu_ctx();
    enum { R = 5000 };
    double *d = malloc(R * sizeof *d);
    uint64_t s = 4;
    for (int i = 0; i < R; i++) d[i] = tu_uniform(&s);
    sf_mat *D = NULL;
    cr_assert_eq(sf_mat_diag(ctx, R, d, &D), SF_OK);
    int64_t k = 300; /* chunk = 2^20 / 300 = 3495 rows */
    sf_dense B = ot_view(R, k, SF_ROW_MAJOR, SF_REAL, 0, 1), G = ot_view(k, k, SF_COL_MAJOR, SF_REAL, 0, 2);
    cr_assert_eq(sf_gram(ctx, D, &B, &G), SF_OK);
    for (int64_t m = 0; m < k; m += 37)
        for (int64_t n = 0; n < k; n += 41) {
            double w = 0;
            for (int i = 0; i < R; i++) w += *ot_at(&B, i, m) * d[i] * *ot_at(&B, i, n);
            cr_assert_float_eq(*ot_at(&G, m, n), w, 1e-11);
        }
    free(d);
    ot_view_free(&B), ot_view_free(&G);
    sf_mat_free(D);
    tu_ctx_done(ctx);
}

/* P3: K[m,n] = sum_i Im(C[i,m] conj(C[i,n]) sign(Im v[i])) is -Im(G) for
 * G = C^H diag(sign(Im v)) C. */
Test(gram, p3_original_r9_against_triple_loop) {
    sf_ctx *ctx = tu_ctx();
    enum { R = 9 };
    uint64_t s = 99;
    double complex c[R * R], v[R];
    double sgn[R];
    for (int q = 0; q < R * R; q++) c[q] = tu_uniform(&s) + tu_uniform(&s) * I;
    for (int i = 0; i < R; i++) {
        v[i] = tu_uniform(&s) + tu_uniform(&s) * I;
        sgn[i] = (cimag(v[i]) > 0) - (cimag(v[i]) < 0);
    }
    sf_mat *D = NULL;
    cr_assert_eq(sf_mat_diag(ctx, R, sgn, &D), SF_OK);
    double complex g[R * R];
    sf_dense C = sf_dense_view(R, R, SF_ROW_MAJOR, SF_COMPLEX, c), G = sf_dense_view(R, R, SF_ROW_MAJOR, SF_COMPLEX, g);
    cr_assert_eq(sf_gram(ctx, D, &C, &G), SF_OK);
    for (int m = 0; m < R; m++)
        for (int n = 0; n < R; n++) {
            double k = 0;
            for (int i = 0; i < R; i++) {
                double si = (cimag(v[i]) > 0) - (cimag(v[i]) < 0);
                k += cimag(c[i * R + m] * conj(c[i * R + n]) * si);
            }
            cr_assert_float_eq(-cimag(g[m * R + n]), k, 1e-14, "K[%d,%d]", m, n);
        }
    sf_mat_free(D);
    tu_ctx_done(ctx);
}

Test(gram, bad_arguments) {
    sf_ctx *ctx = tu_ctx();
    sf_mat *D = ot_handle(ctx, SF_DIAG, 4, 4, 1), *R = tu_random_csr(ctx, 4, 3, 0.5, 1);
    double b[40] = {0}, g[40];
    for (int q = 0; q < 40; q++) g[q] = q;
    sf_dense B = sf_dense_view(5, 2, SF_ROW_MAJOR, SF_REAL, b), G = sf_dense_view(2, 2, SF_ROW_MAJOR, SF_REAL, g);
    cr_assert_eq(sf_gram(ctx, D, &B, &G), SF_ERR_SHAPE);
    cr_assert_str_eq(sf_ctx_message(ctx), "sf_gram: D is 4 x 4, B is 5 x 2");
    sf_dense B4 = sf_dense_view(4, 2, SF_ROW_MAJOR, SF_REAL, b);
    cr_assert_eq(sf_gram(ctx, R, &B4, &G), SF_ERR_SHAPE);
    cr_assert_str_eq(sf_ctx_message(ctx), "sf_gram: D is 4 x 3, B is 4 x 2");
    sf_dense G3 = sf_dense_view(3, 2, SF_ROW_MAJOR, SF_REAL, g);
    cr_assert_eq(sf_gram(ctx, D, &B4, &G3), SF_ERR_SHAPE);
    cr_assert_str_eq(sf_ctx_message(ctx), "sf_gram: B^H D B is 2 x 2, G is 3 x 2");
    sf_dense Gz = sf_dense_view(2, 2, SF_ROW_MAJOR, SF_COMPLEX, g);
    cr_assert_eq(sf_gram(ctx, D, &B4, &Gz), SF_ERR_ARG);
    cr_assert_str_eq(sf_ctx_message(ctx), "sf_gram: B is real but G is complex");
    cr_assert_eq(sf_gram(ctx, NULL, &B4, &G), SF_ERR_ARG);
    cr_assert_str_eq(sf_ctx_message(ctx), "sf_gram: matrix handle is NULL");
    sf_dense Gin = sf_dense_view(2, 2, SF_ROW_MAJOR, SF_REAL, g + 4);
    sf_dense Bg = sf_dense_view(4, 2, SF_ROW_MAJOR, SF_REAL, g);
    cr_assert_eq(sf_gram(ctx, D, &Bg, &Gin), SF_ERR_ARG, "G inside B's memory");
    cr_assert_str_eq(sf_ctx_message(ctx), "sf_gram: B and G share memory");
    for (int q = 0; q < 40; q++) cr_assert_eq(g[q], q, "G unchanged");
    sf_mat_free(D), sf_mat_free(R);
    tu_ctx_done(ctx);
}

static sf_status gram_body(sf_ctx *ctx, void *arg) {
    int csr = *(int *)arg;
    int64_t rp[] = {0, 1, 3, 4}, ci[] = {0, 0, 1, 2};
    double d[] = {1, -2, 3, 0.5}, b[6] = {1, 2, 3, 4, 5, 6}, g[4] = {9, 9, 9, 9};
    sf_mat *D = NULL;
    sf_status st = csr ? sf_mat_from_csr(ctx, 3, 3, rp, ci, d, 0, &D) : sf_mat_diag(ctx, 3, d, &D);
    sf_dense B = sf_dense_view(3, 2, SF_ROW_MAJOR, SF_REAL, b), G = sf_dense_view(2, 2, SF_ROW_MAJOR, SF_REAL, g);
    if (!st) st = sf_gram(ctx, D, &B, &G);
    if (st) cr_assert(g[0] == 9 && g[3] == 9, "G untouched on failure");
    sf_mat_free(D);
    return st;
}

Test(gram, allocation_failures) {
    for (int csr = 0; csr < 2; csr++) tu_check_alloc_failures(gram_body, &csr);
}
