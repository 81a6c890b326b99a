/* The pattern handle: a CSR matrix whose pattern is fixed for life and whose
 * values are rewritten in place.  Handles made for finite differences also
 * keep a CSC view of the same entries (column groups are column-oriented). */
#include <string.h>

#include "deriv_internal.h"

/* colptr/rowind/slot: a counting sort of the CSR entries by column. */
static sf_status build_csc_view(sf_ctx *ctx, sf_jac_pattern *jp) {
    const sf_mat *m = jp->m;
    jp->colptr = sf_calloc(ctx, (size_t)m->cols + 1, sizeof(int64_t), "CSC column offsets");
    if (jp->colptr) jp->rowind = sf_alloc_array(ctx, (size_t)m->nnz, sizeof(int32_t), "CSC rows");
    if (jp->rowind) jp->slot = sf_alloc_array(ctx, (size_t)m->nnz, sizeof(int64_t), "CSC slots");
    if (!jp->slot) return sf_last_alloc_status(ctx);
    int64_t *cp = jp->colptr;
    for (int64_t p = 0; p < m->nnz; p++) cp[m->u.csr.colind[p] + 1]++;
    for (int64_t j = 0; j < m->cols; j++) cp[j + 1] += cp[j];
    for (int64_t i = 0; i < m->rows; i++) /* cp[j] walks through column j */
        for (int64_t p = m->u.csr.rowptr[i]; p < m->u.csr.rowptr[i + 1]; p++) {
            int64_t q = cp[m->u.csr.colind[p]]++;
            jp->rowind[q] = (int32_t)i;
            jp->slot[q] = p;
        }
    for (int64_t j = m->cols; j > 0; j--) cp[j] = cp[j - 1];
    cp[0] = 0;
    return SF_OK;
}

sf_status deriv_pattern_wrap(sf_ctx *ctx, sf_mat *csr, sf_jac_pattern **out) {
    sf_jac_pattern *jp = sf_calloc(ctx, 1, sizeof *jp, "Jacobian pattern handle");
    if (!jp) {
        sf_mat_free(csr);
        return sf_last_alloc_status(ctx);
    }
    jp->ctx = ctx;
    jp->m = csr;
    *out = jp;
    return SF_OK;
}

/* The FD workspace, so that sf_jac_pattern_fd never allocates. */
static sf_status fd_workspace(sf_ctx *ctx, sf_jac_pattern *jp) {
    const sf_mat *m = jp->m;
    jp->xw = sf_alloc_array(ctx, (size_t)m->cols, sizeof(double), "FD perturbed x");
    if (jp->xw) jp->f0 = sf_alloc_array(ctx, (size_t)m->rows, sizeof(double), "FD base values");
    if (jp->f0) jp->f1 = sf_alloc_array(ctx, (size_t)m->rows, sizeof(double), "FD perturbed values");
    if (jp->f1) jp->fv = sf_alloc_array(ctx, (size_t)m->nnz, sizeof(double), "FD Jacobian values");
    return jp->fv ? SF_OK : sf_last_alloc_status(ctx);
}

sf_status sf_jac_pattern_create(sf_ctx *ctx, const sf_mat *pattern, sf_jac_pattern **out) {
    if (!ctx) return SF_ERR_ARG;
    if (!pattern || !out) return sf_error(ctx, SF_ERR_ARG, "sf_jac_pattern_create: NULL argument");
    sf_mat *csr = NULL;
    sf_jac_pattern *jp = NULL;
    sf_status st = sf_mat_to_csr(ctx, pattern, &csr);
    if (st || (st = deriv_pattern_wrap(ctx, csr, &jp))) return st;
    if ((st = build_csc_view(ctx, jp)) || (st = deriv_color_columns(ctx, jp)) ||
        (st = fd_workspace(ctx, jp))) {
        sf_jac_pattern_free(jp);
        return st;
    }
    *out = jp;
    return SF_OK;
}

void sf_jac_pattern_free(sf_jac_pattern *jp) {
    if (!jp) return;
    sf_ctx *ctx = jp->ctx;
    sf_mat_free(jp->m);
    void *blocks[] = {jp->colptr, jp->rowind, jp->slot, jp->cptr, jp->ccols,
                      jp->xw, jp->f0, jp->f1, jp->fv,
                      jp->conn, jp->map};
    for (size_t b = 0; b < sizeof blocks / sizeof blocks[0]; b++) sf_free(ctx, blocks[b]);
    sf_free(ctx, jp);
}

const sf_mat *sf_jac_pattern_matrix(const sf_jac_pattern *jp) { return jp ? jp->m : NULL; }
/* Handing out a writable pointer means the values are about to change:
 * caches built on the old values go now. */
double *sf_jac_pattern_values(sf_jac_pattern *jp) {
    if (!jp) return NULL;
    sf_mat_values_changed(jp->m);
    return jp->m->u.csr.val;
}
int64_t sf_jac_pattern_colors(const sf_jac_pattern *jp) { return jp ? jp->ncolors : 0; }

sf_status sf_jac_pattern_export_csc(sf_ctx *ctx, const sf_jac_pattern *jp, int64_t *colptr,
                                    int32_t *rowind, double *val) {
    if (!ctx) return SF_ERR_ARG;
    if (!jp || !colptr) return sf_error(ctx, SF_ERR_ARG, "sf_jac_pattern_export_csc: NULL argument");
    const sf_mat *m = jp->m;
    int64_t *cp = colptr; /* counts, then cp[j] walks through column j, then shifted back */
    for (int64_t j = 0; j <= m->cols; j++) cp[j] = 0;
    for (int64_t p = 0; p < m->nnz; p++) cp[m->u.csr.colind[p] + 1]++;
    for (int64_t j = 0; j < m->cols; j++) cp[j + 1] += cp[j];
    for (int64_t i = 0; i < m->rows; i++)
        for (int64_t p = m->u.csr.rowptr[i]; p < m->u.csr.rowptr[i + 1]; p++) {
            int64_t q = cp[m->u.csr.colind[p]]++;
            if (rowind) rowind[q] = (int32_t)i;
            if (val) val[q] = m->u.csr.val[p];
        }
    for (int64_t j = m->cols; j > 0; j--) cp[j] = cp[j - 1];
    cp[0] = 0;
    return SF_OK;
}

sf_status sf_jac_pattern_export_triplets(sf_ctx *ctx, const sf_jac_pattern *jp, int64_t *row,
                                         int64_t *col, double *val) {
    if (!ctx) return SF_ERR_ARG;
    if (!jp) return sf_error(ctx, SF_ERR_ARG, "sf_jac_pattern_export_triplets: NULL argument");
    const sf_mat *m = jp->m;
    for (int64_t i = 0; i < m->rows; i++)
        for (int64_t p = m->u.csr.rowptr[i]; p < m->u.csr.rowptr[i + 1]; p++) {
            if (row) row[p] = i;
            if (col) col[p] = m->u.csr.colind[p];
            if (val) val[p] = m->u.csr.val[p];
        }
    return SF_OK;
}
