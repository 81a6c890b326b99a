/* The chain rule J_{g o f} = J_g J_f through the products layer, which keeps
 * a diagonal factor's partner pattern (sharing it) and only scales it, and
 * its refill: the same product's values rewritten in place when the factors'
 * values change and their patterns do not (an optimizer's iterations). */
#include <string.h>

#include "../ops/spgemm_internal.h"
#include "deriv_internal.h"

static sf_status check_shapes(sf_ctx *ctx, const char *fn, const sf_mat *Jg, const sf_mat *Jf) {
    if (Jg->cols == Jf->rows) return SF_OK;
    return sf_error(ctx, SF_ERR_SHAPE,
                    "%s: J_g is %lld x %lld and J_f is %lld x %lld: the columns of J_g must "
                    "equal the rows of J_f",
                    fn, (long long)Jg->rows, (long long)Jg->cols, (long long)Jf->rows,
                    (long long)Jf->cols);
}

sf_status sf_jac_chain(sf_ctx *ctx, const sf_mat *Jg, const sf_mat *Jf, sf_mat **J) {
    if (!ctx) return SF_ERR_ARG;
    if (!Jg || !Jf || !J) return sf_error(ctx, SF_ERR_ARG, "sf_jac_chain: NULL argument");
    sf_status st = check_shapes(ctx, "sf_jac_chain", Jg, Jf);
    return st ? st : sf_mat_multiply(ctx, Jg, Jf, J);
}

/* ------------------------------------------------------------- refill */

#define UPD "sf_jac_chain_update"

/* The first row where the CSR patterns of J and S differ, or -1.  Rows are
 * compared independently, so the lowest bad row is the first difference.
 * When J shares S's pattern (the fresh product did), the same arrays are the
 * proof: shared patterns are never written, so nothing is read. */
static int64_t first_pattern_difference(sf_ctx *ctx, const sf_csr *j, const sf_csr *s,
                                        int64_t rows, int64_t nnz) {
    if (j->rowptr == s->rowptr && j->colind == s->colind) return -1;
    int64_t bad = rows;
#pragma omp parallel for num_threads(sf_threads_for(ctx, nnz)) schedule(static) reduction(min : bad)
    for (int64_t i = 0; i < rows; i++) {
        int64_t p0 = j->rowptr[i], p1 = j->rowptr[i + 1];
        if (p0 != s->rowptr[i] || p1 != s->rowptr[i + 1] ||
            memcmp(j->colind + p0, s->colind + p0, (size_t)(p1 - p0) * sizeof *j->colind))
            bad = i < bad ? i : bad;
    }
    return bad < rows ? bad : -1;
}

/* J's values = S's scaled by row_d[i] (row i) or col_d[j] (column j), in the
 * expressions sf_mat_multiply uses, so the bits match a fresh product. */
static void scale_values(sf_ctx *ctx, const sf_mat *S, const double *row_d, const double *col_d,
                         sf_mat *J) {
    const sf_csr *s = &S->u.csr;
    double *v = J->u.csr.val;
#pragma omp parallel for num_threads(sf_threads_for(ctx, S->nnz)) schedule(static)
    for (int64_t i = 0; i < S->rows; i++) {
        int64_t p0 = s->rowptr[i], p1 = s->rowptr[i + 1];
        if (row_d) {
            const double d = row_d[i];
            for (int64_t p = p0; p < p1; p++) v[p] = d * s->val[p];
        } else {
            for (int64_t p = p0; p < p1; p++) v[p] = s->val[p] * col_d[s->colind[p]];
        }
    }
}

static sf_status scale_into(sf_ctx *ctx, const sf_mat *S, const char *which, const double *row_d,
                            const double *col_d, sf_mat *J) {
    int64_t r = first_pattern_difference(ctx, &J->u.csr, &S->u.csr, S->rows, S->nnz);
    if (r >= 0)
        return sf_error(ctx, SF_ERR_STRUCTURE, UPD ": the pattern of J differs from that of %s "
                        "in row %lld", which, (long long)r);
    scale_values(ctx, S, row_d, col_d, J);
    return SF_OK;
}

/* The same for a selection S (J = diag(row_d) S or S diag(col_d)) read in
 * place: S's CSR form has one entry per selected row, at its source column,
 * of value weight or 1, so the pattern is checked and the values written
 * from S's own arrays with sf_mat_multiply's expressions, allocating
 * nothing (a diagonal after a slice, a take or a broadcast). */
static sf_status select_scale_into(sf_ctx *ctx, const sf_mat *S, const char *which,
                                   const double *row_d, const double *col_d, sf_mat *J) {
    const int32_t *src = S->u.sel.src;
    const double *w = S->u.sel.weight;
    const sf_csr *j = &J->u.csr;
    for (int64_t i = 0, p = 0; i < S->rows; i++) { /* all rows first: J unchanged on error */
        int64_t want = src[i] >= 0;
        if (j->rowptr[i] != p || j->rowptr[i + 1] - p != want || (want && j->colind[p] != src[i]))
            return sf_error(ctx, SF_ERR_STRUCTURE, UPD ": the pattern of J differs from that of "
                            "%s in row %lld", which, (long long)i);
        p += want;
    }
#pragma omp parallel for num_threads(sf_threads_for(ctx, S->rows)) schedule(static)
    for (int64_t i = 0; i < S->rows; i++) {
        if (src[i] < 0) continue;
        double sv = w ? w[i] : 1.0;
        J->u.csr.val[j->rowptr[i]] = row_d ? row_d[i] * sv : sv * col_d[src[i]];
    }
    return SF_OK;
}

static sf_status gustavson_into(sf_ctx *ctx, const sf_mat *A, const sf_mat *B, sf_mat *J) {
    int64_t row, col;
    sf_status st = sf_spgemm_numeric(ctx, A, B, J, &row, &col);
    if (st == SF_ERR_STRUCTURE)
        return sf_error(ctx, st, UPD ": the product has an entry at (%lld, %lld) outside the "
                        "pattern of J", (long long)row, (long long)col);
    return st;
}

/* Both factors CSR or diagonal here. */
static sf_status refill(sf_ctx *ctx, const sf_mat *Jg, const sf_mat *Jf, sf_mat *J) {
    if (Jg->kind == SF_DIAG && Jf->kind == SF_DIAG) {
        double *d = J->u.diag.d;
#pragma omp parallel for num_threads(sf_threads_for(ctx, J->rows)) schedule(static)
        for (int64_t i = 0; i < J->rows; i++) d[i] = Jg->u.diag.d[i] * Jf->u.diag.d[i];
        return SF_OK;
    }
    if (Jg->kind == SF_DIAG) return scale_into(ctx, Jf, "J_f", Jg->u.diag.d, NULL, J);
    if (Jf->kind == SF_DIAG) return scale_into(ctx, Jg, "J_g", NULL, Jf->u.diag.d, J);
    return gustavson_into(ctx, Jg, Jf, J);
}

/* J must be what sf_mat_multiply makes of the two: diagonal for two
 * diagonals, else CSR, of rows(Jg) x cols(Jf), and not one of the factors. */
static sf_status check_target(sf_ctx *ctx, const sf_mat *Jg, const sf_mat *Jf, const sf_mat *J) {
    if (!sf_kind_ops_of(Jg->kind) || !sf_kind_ops_of(Jf->kind) || !sf_kind_ops_of(J->kind))
        return sf_error(ctx, SF_ERR_ARG, UPD ": invalid handle");
    if (J == Jg || J == Jf) return sf_error(ctx, SF_ERR_ARG, UPD ": J must not be J_g or J_f");
    sf_kind want = Jg->kind == SF_DIAG && Jf->kind == SF_DIAG ? SF_DIAG : SF_CSR;
    if (J->kind != want)
        return sf_error(ctx, SF_ERR_ARG, UPD ": J is a %s handle, the product of a %s and a %s "
                        "handle is %s", sf_kind_name(J->kind), sf_kind_name(Jg->kind),
                        sf_kind_name(Jf->kind), sf_kind_name(want));
    if (J->rows != Jg->rows || J->cols != Jf->cols)
        return sf_error(ctx, SF_ERR_SHAPE, UPD ": J is %lld x %lld, the product is %lld x %lld",
                        (long long)J->rows, (long long)J->cols, (long long)Jg->rows,
                        (long long)Jf->cols);
    return SF_OK;
}

/* A factor of another kind (selection, interpolation) on a temporary CSR
 * copy, as sf_mat_multiply runs it. */
static sf_status csr_or_diag(sf_ctx *ctx, const sf_mat *m, const sf_mat **use, sf_mat **tmp) {
    *tmp = NULL;
    *use = m;
    if (m->kind == SF_CSR || m->kind == SF_DIAG) return SF_OK;
    sf_status st = sf_mat_to_csr(ctx, m, tmp);
    if (!st) *use = *tmp;
    return st;
}

/* Other kinds on temporary CSR copies, as sf_mat_multiply runs them. */
static sf_status update_general(sf_ctx *ctx, const sf_mat *Jg, const sf_mat *Jf, sf_mat *J) {
    const sf_mat *g, *f;
    sf_mat *tg, *tf = NULL;
    sf_status st = csr_or_diag(ctx, Jg, &g, &tg);
    if (!st) st = csr_or_diag(ctx, Jf, &f, &tf);
    if (!st) st = refill(ctx, g, f, J);
    sf_mat_free(tg);
    sf_mat_free(tf);
    return st;
}

sf_status sf_jac_chain_update(sf_ctx *ctx, const sf_mat *Jg, const sf_mat *Jf, sf_mat *J) {
    if (!ctx) return SF_ERR_ARG;
    if (!Jg || !Jf || !J) return sf_error(ctx, SF_ERR_ARG, UPD ": NULL argument");
    sf_status st = check_shapes(ctx, UPD, Jg, Jf);
    if (!st) st = check_target(ctx, Jg, Jf, J);
    if (st) return st;
    if (Jg->kind == SF_DIAG && Jf->kind == SF_SELECT)
        st = select_scale_into(ctx, Jf, "J_f", Jg->u.diag.d, NULL, J);
    else if (Jg->kind == SF_SELECT && Jf->kind == SF_DIAG)
        st = select_scale_into(ctx, Jg, "J_g", NULL, Jf->u.diag.d, J);
    else
        st = update_general(ctx, Jg, Jf, J);
    if (!st) sf_mat_values_changed(J);
    return st;
}
