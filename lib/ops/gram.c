/* sf_gram: G = B^H * D * B (real: B^T * D * B) with the dense part in BLAS.
 *
 * Diagonal D: rows of B are scaled by sqrt|d_i| into a chunk of workspace,
 * rows with d_i > 0 packed at its top and rows with d_i < 0 at its bottom, and
 * G += W+^H W+ - W-^H W-  with two dsyrk/zherk calls per chunk.  That is half
 * the flops of a gemm, G comes out exactly Hermitian, and for the weights
 * +-1 of P3 the scaling is exact.  Other kinds: W = D * B through sf_spmm,
 * then G = B^H * W with one dgemm/zgemm. */
#include <cblas.h>
#include <limits.h>
#include <math.h>
#include <string.h>

#include "ops_internal.h"

/* Doubles per element, and the address of element (i, j) of a view. */
static int64_t elem_doubles(const sf_dense *v) { return v->dtype == SF_COMPLEX ? 2 : 1; }
static double *elem(const sf_dense *v, int64_t i, int64_t j) {
    int64_t off = v->layout == SF_ROW_MAJOR ? i * v->ld + j : i + j * v->ld;
    return (double *)v->data + off * elem_doubles(v);
}

static sf_status check_gram_args(sf_ctx *ctx, const sf_mat *D, const sf_dense *B,
                                 const sf_dense *G) {
    if (!D) return sf_error(ctx, SF_ERR_ARG, "sf_gram: matrix handle is NULL");
    if (!sf_kind_ops_of(D->kind)) return sf_error(ctx, SF_ERR_ARG, "sf_gram: invalid handle");
    sf_status st = sf_dense_check(ctx, B, "sf_gram: B");
    if (st || (st = sf_dense_check(ctx, G, "sf_gram: G"))) return st;
    if (D->rows != D->cols || D->rows != B->rows)
        return sf_error(ctx, SF_ERR_SHAPE, "sf_gram: D is %lld x %lld, B is %lld x %lld",
                        (long long)D->rows, (long long)D->cols, (long long)B->rows,
                        (long long)B->cols);
    if (G->rows != B->cols || G->cols != B->cols)
        return sf_error(ctx, SF_ERR_SHAPE, "sf_gram: B^H D B is %lld x %lld, G is %lld x %lld",
                        (long long)B->cols, (long long)B->cols, (long long)G->rows,
                        (long long)G->cols);
    if (B->dtype != G->dtype)
        return sf_error(ctx, SF_ERR_ARG, "sf_gram: B is %s but G is %s",
                        B->dtype == SF_REAL ? "real" : "complex",
                        G->dtype == SF_REAL ? "real" : "complex");
    if (B->rows >= INT_MAX || B->ld >= INT_MAX / 2 || G->ld >= INT_MAX / 2)
        return sf_error(ctx, SF_ERR_TOO_LARGE, "sf_gram: B is %lld x %lld, too large for BLAS",
                        (long long)B->rows, (long long)B->cols);
    if (sf_dense_overlap(B, G)) return sf_error(ctx, SF_ERR_ARG, "sf_gram: B and G share memory");
    return SF_OK;
}

static void zero_view(const sf_dense *G) {
    for (int64_t i = 0; i < G->rows; i++)
        for (int64_t j = 0; j < G->cols; j++) memset(elem(G, i, j), 0, (size_t)elem_doubles(G) * 8);
}

/* Copy the upper triangle into the lower one (conjugated when complex). */
static void mirror_upper(const sf_dense *G) {
    int cplx = G->dtype == SF_COMPLEX;
    for (int64_t i = 0; i < G->rows; i++)
        for (int64_t j = i + 1; j < G->cols; j++) {
            double *u = elem(G, i, j), *l = elem(G, j, i);
            l[0] = u[0];
            if (cplx) l[1] = -u[1];
        }
}

/* W workspace of `rows` x k in G's layout; one rank-update G += sign * W^H W
 * over workspace rows [r0, r0 + n). */
typedef struct gram_work {
    double *w;
    int64_t rows, k;
    sf_layout layout;
    sf_dtype dtype;
} gram_work;

static double *work_row(const gram_work *w, int64_t i) {
    int64_t es = w->dtype == SF_COMPLEX ? 2 : 1;
    return w->w + (w->layout == SF_ROW_MAJOR ? i * w->k : i) * es;
}

static void rank_update(const gram_work *w, int64_t r0, int64_t n, double sign, const sf_dense *G) {
    if (n == 0) return;
    enum CBLAS_ORDER order = w->layout == SF_ROW_MAJOR ? CblasRowMajor : CblasColMajor;
    int lda = (int)(w->layout == SF_ROW_MAJOR ? w->k : w->rows);
    if (w->dtype == SF_REAL)
        cblas_dsyrk(order, CblasUpper, CblasTrans, (int)w->k, (int)n, sign, work_row(w, r0), lda,
                    1.0, G->data, (int)G->ld);
    else
        cblas_zherk(order, CblasUpper, CblasConjTrans, (int)w->k, (int)n, sign, work_row(w, r0),
                    lda, 1.0, G->data, (int)G->ld);
}

/* Copy row i of B scaled by s into workspace row q. */
static void pack_row(const gram_work *w, int64_t q, const sf_dense *B, int64_t i, double s) {
    int64_t es = w->dtype == SF_COMPLEX ? 2 : 1;
    int64_t step = (w->layout == SF_ROW_MAJOR ? 1 : w->rows) * es;
    double *dst = work_row(w, q);
    for (int64_t j = 0; j < w->k; j++) {
        const double *b = elem(B, i, j);
        dst[j * step] = s * b[0];
        if (es == 2) dst[j * step + 1] = s * b[1];
    }
}

static sf_status gram_diag(sf_ctx *ctx, const double *d, const sf_dense *B, sf_dense *G) {
    /* Each rank update reads and writes all of G, so a chunk has at least k
     * rows (and 2^20 elements, 256 rows): workspace <= max(2^20, k^2) elements. */
    int64_t r = B->rows, k = B->cols, chunk = (int64_t)1 << 20;
    chunk = k > 0 ? chunk / k : chunk;
    if (chunk < k) chunk = k;
    if (chunk < 256) chunk = 256;
    if (chunk > r) chunk = r;
    gram_work w = {NULL, chunk, k, G->layout, B->dtype};
    w.w = sf_alloc_array(ctx, (size_t)(chunk * k), (size_t)elem_doubles(B) * sizeof(double),
                         "sf_gram workspace");
    SF_CHECK_ALLOC(ctx, w.w);
    zero_view(G);
    for (int64_t i0 = 0; i0 < r; i0 += chunk) {
        int64_t n = r - i0 < chunk ? r - i0 : chunk, np = 0, nn = 0;
        for (int64_t i = i0; i < i0 + n; i++) {
            if (d[i] > 0) pack_row(&w, np++, B, i, sqrt(d[i]));
            else if (d[i] < 0) pack_row(&w, chunk - 1 - nn++, B, i, sqrt(-d[i]));
            else if (d[i] != 0) pack_row(&w, np++, B, i, d[i]); /* NaN propagates */
        }
        rank_update(&w, 0, np, 1.0, G);
        rank_update(&w, chunk - nn, nn, -1.0, G);
    }
    mirror_upper(G);
    sf_free(ctx, w.w);
    return SF_OK;
}

/* G = B^H * W with W = D * B, both in B's layout; through a temporary when
 * G's layout differs. */
static sf_status gram_general(sf_ctx *ctx, const sf_mat *D, const sf_dense *B, sf_dense *G) {
    int64_t r = B->rows, k = B->cols, es = elem_doubles(B);
    double *wd = sf_alloc_array(ctx, (size_t)(r * k + k * k), (size_t)es * sizeof(double),
                                "sf_gram workspace");
    SF_CHECK_ALLOC(ctx, wd);
    sf_dense W = sf_dense_view(r, k, B->layout, B->dtype, wd);
    sf_dense T = sf_dense_view(k, k, B->layout, B->dtype, wd + r * k * es);
    sf_status st = sf_spmm(ctx, 1.0, D, SF_OP_NONE, B, 0.0, &W);
    if (st) {
        sf_free(ctx, wd);
        return st;
    }
    const sf_dense *out = G->layout == B->layout ? G : &T;
    enum CBLAS_ORDER order = B->layout == SF_ROW_MAJOR ? CblasRowMajor : CblasColMajor;
    if (es == 1)
        cblas_dgemm(order, CblasTrans, CblasNoTrans, (int)k, (int)k, (int)r, 1.0, B->data,
                    (int)B->ld, W.data, (int)W.ld, 0.0, out->data, (int)out->ld);
    else {
        const double one[2] = {1, 0}, zero[2] = {0, 0};
        cblas_zgemm(order, CblasConjTrans, CblasNoTrans, (int)k, (int)k, (int)r, one, B->data,
                    (int)B->ld, W.data, (int)W.ld, zero, out->data, (int)out->ld);
    }
    if (out != G)
        for (int64_t i = 0; i < k; i++)
            for (int64_t j = 0; j < k; j++) memcpy(elem(G, i, j), elem(&T, i, j), (size_t)es * 8);
    sf_free(ctx, wd);
    return SF_OK;
}

sf_status sf_gram(sf_ctx *ctx, const sf_mat *D, const sf_dense *B, sf_dense *G) {
    if (!ctx) return SF_ERR_ARG;
    sf_status st = check_gram_args(ctx, D, B, G);
    if (st) return st;
    if (B->cols == 0) return SF_OK;
    if (B->rows == 0) {
        zero_view(G);
        return SF_OK;
    }
    if (D->kind == SF_DIAG) return gram_diag(ctx, D->u.diag.d, B, G);
    return gram_general(ctx, D, B, G);
}
