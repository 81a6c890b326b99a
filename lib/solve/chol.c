/* Cholesky through CHOLMOD: the handle's life cycle, symbolic analysis once
 * and numeric (re)factorization for new values on the same pattern. */
#include <math.h>
#include <string.h>

#include "chol_internal.h"

sf_status sf_chol_cholmod_error(sf_ctx *ctx, const cholmod_common *cm, const char *what) {
    if (cm->status == CHOLMOD_OUT_OF_MEMORY)
        return sf_error(ctx, SF_ERR_NOMEM, "%s: CHOLMOD ran out of memory", what);
    if (cm->status == CHOLMOD_TOO_LARGE)
        return sf_error(ctx, SF_ERR_TOO_LARGE, "%s: CHOLMOD: problem too large", what);
    return sf_error(ctx, SF_ERR_INTERNAL, "%s: CHOLMOD failed with status %d", what, cm->status);
}

/* Count, then copy, the lower triangle of a CSR matrix into ch->A. */
static sf_status keep_lower(sf_chol *ch, const sf_mat *c) {
    const int64_t *rp = c->u.csr.rowptr;
    int64_t n = c->rows, cnt = 0;
    for (int64_t i = 0; i < n; i++)
        for (int64_t q = rp[i]; q < rp[i + 1] && c->u.csr.colind[q] <= i; q++) cnt++;
    int64_t *p = sf_alloc_array(ch->ctx, (size_t)n + 1, sizeof *p, "Cholesky pattern offsets");
    int64_t *ind = p ? sf_alloc_array(ch->ctx, (size_t)cnt, sizeof *ind, "Cholesky pattern") : NULL;
    double *x = ind ? sf_alloc_array(ch->ctx, (size_t)cnt, sizeof *x, "Cholesky values") : NULL;
    if (!x) {
        sf_free(ch->ctx, p);
        sf_free(ch->ctx, ind);
        return sf_last_alloc_status(ch->ctx);
    }
    int64_t w = 0;
    for (int64_t i = 0; i < n; i++) {
        p[i] = w;
        for (int64_t q = rp[i]; q < rp[i + 1] && c->u.csr.colind[q] <= i; q++, w++) {
            ind[w] = c->u.csr.colind[q];
            x[w] = c->u.csr.val[q];
        }
    }
    p[n] = w;
    ch->A = (cholmod_sparse){.nrow = (size_t)n, .ncol = (size_t)n, .nzmax = (size_t)cnt,
                             .p = p, .i = ind, .x = x, .stype = 1, .itype = CHOLMOD_LONG,
                             .xtype = CHOLMOD_REAL, .dtype = CHOLMOD_DOUBLE, .sorted = 1,
                             .packed = 1};
    return SF_OK;
}

/* A as CSR (converted if another kind; *tmp then holds the copy to free). */
static sf_status as_csr(sf_ctx *ctx, const sf_mat *A, const char *fn, const sf_mat **csr,
                        sf_mat **tmp) {
    *tmp = NULL;
    if (!A) return sf_error(ctx, SF_ERR_ARG, "%s: matrix handle is NULL", fn);
    if (A->rows != A->cols)
        return sf_error(ctx, SF_ERR_SHAPE, "%s: A is %lld x %lld, not square", fn,
                        (long long)A->rows, (long long)A->cols);
    *csr = A;
    if (A->kind == SF_CSR) return SF_OK;
    sf_status st = sf_mat_to_csr(ctx, A, tmp);
    *csr = *tmp;
    return st;
}

static void start_cholmod(sf_chol *ch, unsigned flags) {
    cholmod_l_start(&ch->cm);
    ch->cm.print = 0;      /* the library never prints */
    ch->cm.final_ll = 1;   /* keep L L' so L can be handed out as is */
    if (flags & SF_CHOL_NATURAL) {
        ch->cm.nmethods = 1;
        ch->cm.method[0].ordering = CHOLMOD_NATURAL;
        ch->cm.postorder = 0;
    }
}

void sf_chol_free(sf_chol *ch) {
    if (!ch) return;
    if (ch->L) cholmod_l_free_factor(&ch->L, &ch->cm);
    cholmod_l_finish(&ch->cm);
    sf_free(ch->ctx, ch->A.p);
    sf_free(ch->ctx, ch->A.i);
    sf_free(ch->ctx, ch->A.x);
    sf_free(ch->ctx, ch);
}

/* sf_chol_analyze and sf_chol_refactor under the name fn of the public
 * function called (sf_chol_factor runs both). */
static sf_status analyze(sf_ctx *ctx, const sf_mat *A, unsigned flags, sf_chol **out,
                         const char *fn) {
    if (!ctx) return SF_ERR_ARG;
    if (!out) return sf_error(ctx, SF_ERR_ARG, "%s: output pointer is NULL", fn);
    if (flags & ~(unsigned)SF_CHOL_NATURAL)
        return sf_error(ctx, SF_ERR_ARG, "%s: unknown flags 0x%x", fn, flags);
    const sf_mat *c = NULL;
    sf_mat *tmp;
    sf_status st = as_csr(ctx, A, fn, &c, &tmp);
    if (st) return st;
    sf_chol *ch = sf_calloc(ctx, 1, sizeof *ch, "Cholesky handle");
    if (!ch) {
        sf_mat_free(tmp);
        return sf_last_alloc_status(ctx);
    }
    ch->ctx = ctx;
    ch->n = c->rows;
    start_cholmod(ch, flags);
    st = keep_lower(ch, c);
    sf_mat_free(tmp);
    if (!st) {
        ch->L = cholmod_l_analyze(&ch->A, &ch->cm);
        if (!ch->L) st = sf_chol_cholmod_error(ctx, &ch->cm, fn);
    }
    if (st) {
        sf_chol_free(ch);
        return st;
    }
    *out = ch;
    return SF_OK;
}

/* The lower triangle of c must have the analysed pattern. */
static sf_status check_pattern(const sf_chol *ch, const sf_mat *c, const char *fn) {
    const int64_t *p = ch->A.p, *ind = ch->A.i;
    if (c->rows != ch->n)
        return sf_error(ch->ctx, SF_ERR_SHAPE, "%s: A is %lld x %lld but the analysis was of %lld x %lld",
                        fn, (long long)c->rows, (long long)c->cols, (long long)ch->n,
                        (long long)ch->n);
    for (int64_t i = 0; i < ch->n; i++) {
        int64_t q = c->u.csr.rowptr[i], w = p[i];
        for (; q < c->u.csr.rowptr[i + 1] && c->u.csr.colind[q] <= i; q++, w++)
            if (w >= p[i + 1] || ind[w] != c->u.csr.colind[q]) break;
        bool more = q < c->u.csr.rowptr[i + 1] && c->u.csr.colind[q] <= i;
        if (more || w != p[i + 1])
            return sf_error(ch->ctx, SF_ERR_STRUCTURE,
                            "%s: row %lld: the lower-triangle pattern differs from the analysed one",
                            fn, (long long)i);
    }
    return SF_OK;
}

/* CHOLMOD's pivot test passes NaN and +Inf (a NaN matrix would "factor"
 * with a NaN log-determinant), so the lower triangle is checked first. */
static sf_status check_finite(const sf_chol *ch, const sf_mat *c, const char *fn) {
    for (int64_t i = 0; i < ch->n; i++)
        for (int64_t q = c->u.csr.rowptr[i]; q < c->u.csr.rowptr[i + 1] && c->u.csr.colind[q] <= i;
             q++)
            if (!isfinite(c->u.csr.val[q]))
                return sf_error(ch->ctx, SF_ERR_NONFINITE, "%s: row %lld, column %lld: value is %g",
                                fn, (long long)i, (long long)c->u.csr.colind[q], c->u.csr.val[q]);
    return SF_OK;
}

static void copy_lower_values(sf_chol *ch, const sf_mat *c) {
    double *x = ch->A.x;
    for (int64_t i = 0, w = 0; i < ch->n; i++)
        for (int64_t q = c->u.csr.rowptr[i]; q < c->u.csr.rowptr[i + 1] && c->u.csr.colind[q] <= i;
             q++)
            x[w++] = c->u.csr.val[q];
}

/* log det A from the diagonal of L (L L', or L D L' for simplicial factors
 * that kept D). */
static double logdet_of(const cholmod_factor *L) {
    const double *x = L->x;
    double s = 0;
    if (L->is_super) {
        const int64_t *super = L->super, *pi = L->pi, *px = L->px;
        for (size_t k = 0; k < L->nsuper; k++) {
            int64_t ncols = super[k + 1] - super[k], nrows = pi[k + 1] - pi[k];
            for (int64_t j = 0; j < ncols; j++) s += log(x[px[k] + j + j * nrows]);
        }
        return 2 * s;
    }
    const int64_t *p = L->p;
    for (size_t j = 0; j < L->n; j++) s += log(x[p[j]]);
    return L->is_ll ? 2 * s : s;
}

/* Refuse to start a factor that cannot fit the context's memory limit:
 * CHOLMOD's own allocations are not charged to the context. */
static sf_status check_limit(const sf_chol *ch, const char *fn) {
    size_t limit = sf_ctx_memory_limit(ch->ctx), in_use = sf_ctx_bytes_in_use(ch->ctx);
    double need = ch->cm.lnz * (sizeof(double) + sizeof(int64_t));
    if (limit && (double)in_use + need > (double)limit)
        return sf_error(ch->ctx, SF_ERR_NOMEM,
                        "%s: the factor needs about %.0f bytes, which would pass the memory limit "
                        "of %zu bytes (%zu in use)", fn, need, limit, in_use);
    return SF_OK;
}

static sf_status factorize(sf_chol *ch, const char *fn) {
    ch->factored = false;
    if (!cholmod_l_factorize(&ch->A, ch->L, &ch->cm) || ch->cm.status < 0)
        return sf_chol_cholmod_error(ch->ctx, &ch->cm, fn);
    if (ch->cm.status == CHOLMOD_NOT_POSDEF) {
        int64_t k = (int64_t)ch->L->minor, *perm = ch->L->Perm;
        return sf_error(ch->ctx, SF_ERR_NOT_SPD,
                        "%s: column %lld: matrix is not positive definite (pivot %lld of the "
                        "permuted matrix)", fn, (long long)(perm ? perm[k] : k), (long long)k);
    }
    ch->logdet = logdet_of(ch->L);
    ch->factored = true;
    return SF_OK;
}

static sf_status refactor(sf_ctx *ctx, sf_chol *ch, const sf_mat *A, const char *fn) {
    if (!ctx) return SF_ERR_ARG;
    if (!ch) return sf_error(ctx, SF_ERR_ARG, "%s: Cholesky handle is NULL", fn);
    const sf_mat *c = NULL;
    sf_mat *tmp;
    sf_status st = as_csr(ch->ctx, A, fn, &c, &tmp);
    if (!st) st = check_pattern(ch, c, fn);
    if (!st) st = check_finite(ch, c, fn);
    if (!st) st = check_limit(ch, fn);
    if (!st) copy_lower_values(ch, c);
    sf_mat_free(tmp);
    if (!st) st = factorize(ch, fn);
    if (st && ctx != ch->ctx) sf_error(ctx, st, "%s", sf_ctx_message(ch->ctx));
    return st;
}

sf_status sf_chol_analyze(sf_ctx *ctx, const sf_mat *A, unsigned flags, sf_chol **out) {
    return analyze(ctx, A, flags, out, "sf_chol_analyze");
}

sf_status sf_chol_refactor(sf_ctx *ctx, sf_chol *ch, const sf_mat *A) {
    return refactor(ctx, ch, A, "sf_chol_refactor");
}

sf_status sf_chol_factor(sf_ctx *ctx, const sf_mat *A, unsigned flags, sf_chol **out) {
    static const char fn[] = "sf_chol_factor";
    sf_chol *ch = NULL;
    sf_status st = analyze(ctx, A, flags, &ch, fn);
    if (!st) st = refactor(ctx, ch, A, fn);
    if (st) {
        sf_chol_free(ch);
        return st;
    }
    *out = ch;
    return SF_OK;
}

size_t sf_chol_bytes(const sf_chol *ch) {
    if (!ch) return 0;
    return sf_alloc_size(ch) + sf_alloc_size(ch->A.p) + sf_alloc_size(ch->A.i) +
           sf_alloc_size(ch->A.x) + ch->cm.memory_inuse;
}

int64_t sf_chol_nnz_L(const sf_chol *ch) { return ch && ch->factored ? (int64_t)ch->cm.lnz : 0; }
