/* Using a Cholesky factor: solves, the factor L as an sf_mat, the
 * permutation and the log-determinant. */
#include <string.h>

#include "chol_internal.h"
#include "solve_rhs.h"

static sf_status check_factored(sf_ctx *ctx, const sf_chol *ch, const void *out, const char *fn) {
    if (!ch) return sf_error(ctx, SF_ERR_ARG, "%s: Cholesky handle is NULL", fn);
    if (!out) return sf_error(ctx, SF_ERR_ARG, "%s: output is NULL", fn);
    if (!ch->factored)
        return sf_error(ctx, SF_ERR_ARG, "%s: the handle holds no factor (the last factorization "
                                         "failed or none was made)", fn);
    return SF_OK;
}

/* Copy between a view and a column-major block with leading dimension ld. */
static void view_to_colmajor(const sf_dense *v, double *d, int64_t ld) {
    const double *s = v->data;
    int64_t rs = v->layout == SF_ROW_MAJOR ? v->ld : 1, cs = v->layout == SF_ROW_MAJOR ? 1 : v->ld;
    for (int64_t j = 0; j < v->cols; j++)
        for (int64_t i = 0; i < v->rows; i++) d[i + j * ld] = s[i * rs + j * cs];
}

static void colmajor_to_view(const double *d, int64_t ld, sf_dense *v) {
    double *t = v->data;
    int64_t rs = v->layout == SF_ROW_MAJOR ? v->ld : 1, cs = v->layout == SF_ROW_MAJOR ? 1 : v->ld;
    for (int64_t j = 0; j < v->cols; j++)
        for (int64_t i = 0; i < v->rows; i++) t[i * rs + j * cs] = d[i + j * ld];
}

sf_status sf_chol_solve(sf_ctx *ctx, sf_chol *ch, const sf_dense *B, sf_dense *X) {
    static const char fn[] = "sf_chol_solve";
    if (!ctx) return SF_ERR_ARG;
    sf_status st = check_factored(ctx, ch, X, fn);
    if (!st) st = sf_solve_check_rhs(ctx, ch->n, "A", B, X, fn);
    if (st || B->rows == 0 || B->cols == 0) return st;
    /* CHOLMOD wants column-major: wrap B when it is, copy it otherwise. */
    double *copy = NULL;
    cholmod_dense b = {.nrow = (size_t)B->rows, .ncol = (size_t)B->cols, .d = (size_t)B->ld,
                       .x = B->data, .xtype = CHOLMOD_REAL, .dtype = CHOLMOD_DOUBLE};
    if (B->layout != SF_COL_MAJOR) {
        copy = sf_alloc_array(ctx, (size_t)(B->rows * B->cols), sizeof *copy, "Cholesky right-hand sides");
        SF_CHECK_ALLOC(ctx, copy);
        view_to_colmajor(B, copy, B->rows);
        b.x = copy;
        b.d = (size_t)B->rows;
    }
    b.nzmax = b.d * b.ncol;
    cholmod_dense *y = cholmod_l_solve(CHOLMOD_A, ch->L, &b, &ch->cm);
    sf_free(ctx, copy);
    if (!y) return sf_chol_cholmod_error(ctx, &ch->cm, fn);
    colmajor_to_view(y->x, (int64_t)y->d, X);
    cholmod_l_free_dense(&y, &ch->cm);
    return SF_OK;
}

/* CSC of L (column j: rows >= j) into a CSR handle: counting sort by row, and
 * walking columns in order leaves every row sorted. */
static sf_status csc_to_csr(sf_ctx *ctx, const cholmod_sparse *S, sf_mat **out) {
    const int64_t *sp = S->p, *si = S->i;
    const double *sx = S->x;
    int64_t n = (int64_t)S->ncol;
    sf_mat *m = NULL;
    sf_status st = sf_csr_new(ctx, n, n, sp[n], &m);
    if (st) return st;
    int64_t *rp = m->u.csr.rowptr;
    memset(rp, 0, ((size_t)n + 1) * sizeof *rp);
    for (int64_t q = 0; q < sp[n]; q++) rp[si[q] + 1]++;
    for (int64_t i = 0; i < n; i++) rp[i + 1] += rp[i];
    for (int64_t j = 0; j < n; j++)
        for (int64_t q = sp[j]; q < sp[j + 1]; q++) {
            int64_t w = rp[si[q]]++;
            m->u.csr.colind[w] = (int32_t)j;
            m->u.csr.val[w] = sx[q];
        }
    for (int64_t i = n; i > 0; i--) rp[i] = rp[i - 1];
    rp[0] = 0;
    *out = m;
    return SF_OK;
}

sf_status sf_chol_factor_L(sf_ctx *ctx, sf_chol *ch, sf_mat **out) {
    static const char fn[] = "sf_chol_factor_L";
    if (!ctx) return SF_ERR_ARG;
    sf_status st = check_factored(ctx, ch, out, fn);
    if (st) return st;
    /* A packed simplicial L L' copy, turned into a CSC matrix. */
    cholmod_factor *c = cholmod_l_copy_factor(ch->L, &ch->cm);
    if (c && !cholmod_l_change_factor(CHOLMOD_REAL, 1, 0, 1, 1, c, &ch->cm))
        cholmod_l_free_factor(&c, &ch->cm);
    cholmod_sparse *S = c ? cholmod_l_factor_to_sparse(c, &ch->cm) : NULL;
    if (c) cholmod_l_free_factor(&c, &ch->cm);
    if (!S) return sf_chol_cholmod_error(ctx, &ch->cm, fn);
    st = csc_to_csr(ctx, S, out);
    cholmod_l_free_sparse(&S, &ch->cm);
    return st;
}

sf_status sf_chol_permutation(sf_ctx *ctx, const sf_chol *ch, int64_t *perm) {
    if (!ctx) return SF_ERR_ARG;
    if (!ch) return sf_error(ctx, SF_ERR_ARG, "sf_chol_permutation: Cholesky handle is NULL");
    if (!perm && ch->n > 0) return sf_error(ctx, SF_ERR_ARG, "sf_chol_permutation: output is NULL");
    const int64_t *p = ch->L->Perm;
    for (int64_t k = 0; k < ch->n; k++) perm[k] = p ? p[k] : k;
    return SF_OK;
}

sf_status sf_chol_logdet(sf_ctx *ctx, const sf_chol *ch, double *out) {
    if (!ctx) return SF_ERR_ARG;
    sf_status st = check_factored(ctx, ch, out, "sf_chol_logdet");
    if (st) return st;
    *out = ch->logdet;
    return SF_OK;
}
