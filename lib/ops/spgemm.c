/* sf_mat_multiply: C = A * B for two handles.  Diagonal operands scale and
 * keep the other's pattern (shared, not copied: lib/mat/csr_shared.c), a
 * selection on the left gathers rows, and every other pair runs Gustavson's
 * row-by-row product (spgemm_gustavson.c). */
#include <string.h>

#include "ops_internal.h"

sf_status sf_spgemm_gustavson(sf_ctx *ctx, const sf_mat *A, const sf_mat *B, sf_mat **out);

static sf_status diag_times_diag(sf_ctx *ctx, const sf_mat *A, const sf_mat *B, sf_mat **out) {
    sf_mat *c = NULL;
    sf_status st = sf_mat_diag(ctx, A->rows, A->u.diag.d, &c);
    if (st) return st;
    for (int64_t i = 0; i < A->rows; i++) c->u.diag.d[i] *= B->u.diag.d[i];
    *out = c;
    return SF_OK;
}

/* A CSR copy of m (m itself when it is CSR: *tmp stays NULL). */
static sf_status as_csr(sf_ctx *ctx, const sf_mat *m, const sf_mat **csr, sf_mat **tmp) {
    *tmp = NULL;
    *csr = m;
    if (m->kind == SF_CSR) return SF_OK;
    sf_status st = sf_mat_to_csr(ctx, m, tmp);
    if (!st) *csr = *tmp;
    return st;
}

/* Write the scaled values, and copy the column indices into colind unless
 * it is NULL, one row per thread at a time (each entry depends on nothing
 * else, so any split gives the same bits).  val may be s->val (scaling in
 * place).  The two cases are separate loops so each vectorises. */
static void scale_entries(const sf_csr *s, int64_t rows, const double *row_d,
                          const double *col_d, int32_t *colind, double *val, int threads) {
#pragma omp parallel for num_threads(threads) schedule(static)
    for (int64_t i = 0; i < rows; i++) {
        int64_t p0 = s->rowptr[i], p1 = s->rowptr[i + 1];
        if (colind)
            for (int64_t p = p0; p < p1; p++) colind[p] = s->colind[p];
        if (row_d) {
            const double d = row_d[i];
            for (int64_t p = p0; p < p1; p++) val[p] = d * s->val[p];
        } else {
            for (int64_t p = p0; p < p1; p++) val[p] = s->val[p] * col_d[s->colind[p]];
        }
    }
}

/* A CSR handle with m's pattern and values to fill: a CSR m of this context
 * lends its pattern (sf_csr_new_sharing: only the values are allocated);
 * another kind's temporary CSR copy becomes the handle itself; only a CSR
 * m of another context has its pattern copied (by the caller). */
static sf_status scaled_target(sf_ctx *ctx, const sf_mat *m, sf_mat **out) {
    if (m->kind != SF_CSR) return sf_mat_to_csr(ctx, m, out);
    if (m->ctx == ctx) return sf_csr_new_sharing(ctx, m, out);
    return sf_csr_new(ctx, m->rows, m->cols, m->nnz, out);
}

/* diag(d) * B scales row i of B by d[i]; A * diag(d) scales column j by d[j].
 * The pattern is kept, explicit zeros included, and copied only across
 * contexts. */
static sf_status scale_csr(sf_ctx *ctx, const sf_mat *m, const double *row_d, const double *col_d,
                           sf_mat **out) {
    sf_mat *c = NULL;
    sf_status st = scaled_target(ctx, m, &c);
    if (st) return st;
    const sf_csr *s = m->kind == SF_CSR ? &m->u.csr : &c->u.csr;
    int32_t *colind = NULL;
    if (c->u.csr.rowptr != s->rowptr) { /* a factor of another context */
        memcpy(c->u.csr.rowptr, s->rowptr, ((size_t)m->rows + 1) * sizeof *s->rowptr);
        colind = c->u.csr.colind;
    }
    scale_entries(s, c->rows, row_d, col_d, colind, c->u.csr.val, sf_threads_for(ctx, c->nnz));
    *out = c;
    return SF_OK;
}

/* Selection * B: row i of the result is weight[i] times row src[i] of B. */
static sf_status select_times(sf_ctx *ctx, const sf_mat *S, const sf_mat *B, sf_mat **out) {
    const sf_mat *b;
    sf_mat *tmp, *c = NULL;
    sf_status st = as_csr(ctx, B, &b, &tmp);
    if (st) return st;
    const int64_t *brp = b->u.csr.rowptr;
    int64_t nnz = 0;
    for (int64_t i = 0; i < S->rows; i++)
        if (S->u.sel.src[i] >= 0) nnz += brp[S->u.sel.src[i] + 1] - brp[S->u.sel.src[i]];
    if ((st = sf_csr_new(ctx, S->rows, b->cols, nnz, &c))) {
        sf_mat_free(tmp);
        return st;
    }
    int64_t q = 0;
    for (int64_t i = 0; i < S->rows; i++) {
        int32_t r = S->u.sel.src[i];
        double w = S->u.sel.weight ? S->u.sel.weight[i] : 1.0;
        for (int64_t p = r >= 0 ? brp[r] : 0; r >= 0 && p < brp[r + 1]; p++, q++) {
            c->u.csr.colind[q] = b->u.csr.colind[p];
            c->u.csr.val[q] = w * b->u.csr.val[p];
        }
        c->u.csr.rowptr[i + 1] = q;
    }
    sf_mat_free(tmp);
    *out = c;
    return SF_OK;
}

sf_status sf_mat_multiply(sf_ctx *ctx, const sf_mat *A, const sf_mat *B, sf_mat **out) {
    if (!ctx) return SF_ERR_ARG;
    if (!A || !B || !out) return sf_error(ctx, SF_ERR_ARG, "sf_mat_multiply: NULL argument");
    if (!sf_kind_ops_of(A->kind) || !sf_kind_ops_of(B->kind))
        return sf_error(ctx, SF_ERR_ARG, "sf_mat_multiply: invalid handle");
    if (A->cols != B->rows)
        return sf_error(ctx, SF_ERR_SHAPE, "sf_mat_multiply: A is %lld x %lld, B is %lld x %lld",
                        (long long)A->rows, (long long)A->cols, (long long)B->rows,
                        (long long)B->cols);
    if (A->kind == SF_DIAG && B->kind == SF_DIAG) return diag_times_diag(ctx, A, B, out);
    if (A->kind == SF_DIAG) return scale_csr(ctx, B, A->u.diag.d, NULL, out);
    if (B->kind == SF_DIAG) return scale_csr(ctx, A, NULL, B->u.diag.d, out);
    if (A->kind == SF_SELECT) return select_times(ctx, A, B, out);
    const sf_mat *a, *b;
    sf_mat *ta, *tb = NULL;
    sf_status st = as_csr(ctx, A, &a, &ta);
    if (!st) st = as_csr(ctx, B, &b, &tb);
    if (!st) st = sf_spgemm_gustavson(ctx, a, b, out);
    sf_mat_free(ta);
    sf_mat_free(tb);
    return st;
}
