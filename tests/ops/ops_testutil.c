#include "ops_testutil.h"

#include <stdlib.h>

#define SENTINEL 12345.678

sf_mat *ot_handle(sf_ctx *ctx, sf_kind kind, int64_t rows, int64_t cols, uint64_t seed) {
    uint64_t s = seed * 7919 + 3;
    sf_mat *m = NULL;
    if (kind == SF_CSR) return tu_random_csr(ctx, rows, cols, 0.3, seed);
    if (kind == SF_DIAG) {
        double *d = malloc((size_t)(rows + 1) * sizeof *d);
        for (int64_t i = 0; i < rows; i++) d[i] = tu_uniform(&s);
        cr_assert_eq(sf_mat_diag(ctx, rows, d, &m), SF_OK);
        free(d);
        return m;
    }
    if (kind == SF_INTERP) { /* linear weights from a grid of cols points to rows targets */
        double *xp = malloc((size_t)(cols + 1) * sizeof *xp), *xn = malloc((size_t)(rows + 1) * 8);
        for (int64_t j = 0; j < cols; j++) xp[j] = (double)j;
        for (int64_t i = 0; i < rows; i++) xn[i] = (tu_uniform(&s) + 1) * 0.5 * (double)cols - 0.5;
        sf_shape sp, sn;
        cr_assert_eq(sf_shape_make(ctx, 1, &cols, &sp), SF_OK);
        cr_assert_eq(sf_shape_make(ctx, 1, &rows, &sn), SF_OK);
        cr_assert_eq(sf_interp_weights(ctx, xp, &sp, xn, &sn, &sp, 0, SF_INTERP_LINEAR,
                                       SF_EXTRAP_CLAMP, 0.0, &m), SF_OK, "%s", sf_ctx_message(ctx));
        free(xp), free(xn);
        return m;
    }
    int64_t *dst = malloc((size_t)(rows + 1) * sizeof *dst), *src = malloc((size_t)(rows + 1) * 8);
    double *w = malloc((size_t)(rows + 1) * sizeof *w);
    int64_t n = 0;
    for (int64_t i = 0; i < rows && cols > 0; i++) {
        if (tu_rand(&s) % 4 == 0) continue; /* an unselected (zero) row */
        dst[n] = i;
        src[n] = (int64_t)(tu_rand(&s) % (uint64_t)cols);
        w[n++] = tu_uniform(&s);
    }
    cr_assert_eq(sf_mat_selection(ctx, rows, cols, n, dst, src, w, &m), SF_OK, "%s",
                 sf_ctx_message(ctx));
    free(dst);
    free(src);
    free(w);
    return m;
}

static int64_t span_of(const sf_dense *v) {
    return (v->layout == SF_ROW_MAJOR ? v->rows : v->cols) * v->ld * (v->dtype == SF_COMPLEX ? 2 : 1);
}

double *ot_at(const sf_dense *v, int64_t i, int64_t j) {
    int64_t off = v->layout == SF_ROW_MAJOR ? i * v->ld + j : i + j * v->ld;
    return (double *)v->data + off * (v->dtype == SF_COMPLEX ? 2 : 1);
}

sf_dense ot_view(int64_t rows, int64_t cols, sf_layout layout, sf_dtype dtype, int64_t pad,
                 uint64_t seed) {
    sf_dense v = sf_dense_view(rows, cols, layout, dtype, NULL);
    v.ld = (layout == SF_ROW_MAJOR ? cols : rows) + pad;
    if (v.ld < 1) v.ld = 1;
    int64_t n = span_of(&v);
    double *d = malloc((size_t)(n + 1) * sizeof *d);
    for (int64_t q = 0; q < n; q++) d[q] = SENTINEL;
    v.data = d;
    uint64_t s = seed * 31 + 7;
    for (int64_t i = 0; i < rows; i++)
        for (int64_t j = 0; j < cols; j++) {
            double *e = ot_at(&v, i, j);
            e[0] = tu_uniform(&s);
            if (dtype == SF_COMPLEX) e[1] = tu_uniform(&s);
        }
    return v;
}

void ot_view_free(sf_dense *v) { free(v->data); }

void ot_assert_pad_intact(const sf_dense *v) {
    int64_t es = v->dtype == SF_COMPLEX ? 2 : 1, inner = v->layout == SF_ROW_MAJOR ? v->cols : v->rows;
    int64_t outer = v->layout == SF_ROW_MAJOR ? v->rows : v->cols;
    const double *d = v->data;
    for (int64_t o = 0; o < outer; o++)
        for (int64_t q = inner * es; q < v->ld * es; q++)
            cr_assert_eq(d[o * v->ld * es + q], SENTINEL, "padding written at %lld/%lld",
                         (long long)o, (long long)q);
}

double *ot_rowmajor(const sf_dense *v) {
    double *d = malloc((size_t)(v->rows * v->cols + 1) * sizeof *d);
    for (int64_t i = 0; i < v->rows; i++)
        for (int64_t j = 0; j < v->cols; j++) d[i * v->cols + j] = *ot_at(v, i, j);
    return d;
}

double *ot_ref_product(const double *Ad, int64_t m0, int64_t n0, sf_op op, double alpha,
                       const sf_dense *B, double beta, const sf_dense *C0) {
    int64_t m = op ? n0 : m0, n = op ? m0 : n0, k = B->cols;
    double *want = malloc((size_t)(m * k + 1) * sizeof *want);
    for (int64_t i = 0; i < m; i++)
        for (int64_t j = 0; j < k; j++) {
            double s = 0;
            for (int64_t l = 0; l < n; l++) s += (op ? Ad[l * n0 + i] : Ad[i * n0 + l]) * *ot_at(B, l, j);
            want[i * k + j] = alpha * s + (beta == 0 ? 0 : beta * *ot_at(C0, i, j));
        }
    return want;
}
