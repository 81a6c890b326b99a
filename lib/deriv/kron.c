/* Jacobians of linear maps on matrix inputs.  With row-major flattening,
 * Y = A X has J = A (x) I_p and Y = X B has J = I_n (x) B^T: both are written
 * row by row straight into CSR, never as a dense Kronecker product. */
#include "deriv_internal.h"

/* A CSR view of any handle: the handle itself, or a converted copy in *tmp. */
static sf_status csr_of(sf_ctx *ctx, const sf_mat *m, sf_mat **tmp, const sf_mat **csr) {
    *tmp = NULL;
    if (m->kind == SF_CSR) {
        *csr = m;
        return SF_OK;
    }
    sf_status st = sf_mat_to_csr(ctx, m, tmp);
    *csr = *tmp;
    return st;
}

/* A CSR handle for M (x) I_t or I_t (x) M: t times M's rows, columns and
 * entries, with overflow named. */
static sf_status kron_alloc(sf_ctx *ctx, const sf_mat *M, int64_t t, sf_mat **out) {
    int64_t rows, cols, nnz;
    if (!sf_mul_i64(M->rows, t, &rows) || !sf_mul_i64(M->cols, t, &cols) ||
        !sf_mul_i64(M->nnz, t, &nnz))
        return sf_error(ctx, SF_ERR_TOO_LARGE, "Kronecker Jacobian: %lld x %lld times %lld overflows",
                        (long long)M->rows, (long long)M->cols, (long long)t);
    return sf_csr_new(ctx, rows, cols, nnz, out);
}

/* Rows of the result: row (i, c) of (A (x) I_p) holds A[i, k] at column k*p + c. */
static sf_status kron_identity_right(sf_ctx *ctx, const sf_mat *A, int64_t p, sf_mat **J) {
    sf_mat *m = NULL;
    sf_status st = kron_alloc(ctx, A, p, &m);
    if (st) return st;
    const int64_t *ap = A->u.csr.rowptr;
    int64_t q = 0;
    for (int64_t i = 0; i < A->rows; i++)
        for (int64_t c = 0; c < p; c++) {
            for (int64_t t = ap[i]; t < ap[i + 1]; t++) {
                m->u.csr.colind[q] = (int32_t)(A->u.csr.colind[t] * p + c);
                m->u.csr.val[q++] = A->u.csr.val[t];
            }
            m->u.csr.rowptr[i * p + c + 1] = q;
        }
    *J = m;
    return SF_OK;
}

/* Row (r, j) of (I_n (x) Bt) holds Bt[j, k] at column r*p + k. */
static sf_status kron_identity_left(sf_ctx *ctx, const sf_mat *Bt, int64_t n, sf_mat **J) {
    sf_mat *m = NULL;
    sf_status st = kron_alloc(ctx, Bt, n, &m);
    if (st) return st;
    const int64_t *bp = Bt->u.csr.rowptr;
    int64_t q = 0, p = Bt->cols;
    for (int64_t r = 0; r < n; r++)
        for (int64_t j = 0; j < Bt->rows; j++) {
            for (int64_t t = bp[j]; t < bp[j + 1]; t++) {
                m->u.csr.colind[q] = (int32_t)(r * p + Bt->u.csr.colind[t]);
                m->u.csr.val[q++] = Bt->u.csr.val[t];
            }
            m->u.csr.rowptr[r * Bt->rows + j + 1] = q;
        }
    *J = m;
    return SF_OK;
}

static sf_status check(sf_ctx *ctx, const sf_mat *M, int64_t k, const void *J, const char *fn) {
    if (!M || !J) return sf_error(ctx, SF_ERR_ARG, "%s: NULL argument", fn);
    if (k < 0) return sf_error(ctx, SF_ERR_ARG, "%s: negative extent %lld", fn, (long long)k);
    return SF_OK;
}

sf_status sf_jac_left_multiply(sf_ctx *ctx, const sf_mat *A, int64_t p, sf_mat **J) {
    if (!ctx) return SF_ERR_ARG;
    sf_status st = check(ctx, A, p, J, "sf_jac_left_multiply");
    if (st) return st;
    sf_mat *tmp;
    const sf_mat *csr;
    if ((st = csr_of(ctx, A, &tmp, &csr))) return st;
    st = kron_identity_right(ctx, csr, p, J);
    sf_mat_free(tmp);
    return st;
}

sf_status sf_jac_right_multiply(sf_ctx *ctx, const sf_mat *B, int64_t n, sf_mat **J) {
    if (!ctx) return SF_ERR_ARG;
    sf_status st = check(ctx, B, n, J, "sf_jac_right_multiply");
    if (st) return st;
    sf_mat *bt = NULL, *tmp;
    const sf_mat *csr;
    if ((st = sf_mat_transpose(ctx, B, &bt))) return st;
    if ((st = csr_of(ctx, bt, &tmp, &csr))) {
        sf_mat_free(bt);
        return st;
    }
    st = kron_identity_left(ctx, csr, n, J);
    sf_mat_free(tmp);
    sf_mat_free(bt);
    return st;
}
