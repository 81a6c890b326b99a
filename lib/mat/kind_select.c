/* The selection kind: output row i is weight[i] times input row src[i], or zero
 * when src[i] = -1.  Row selection, permutation and scaled gathers (P5) cost
 * 4 bytes per row (12 with weights) and O(columns) per product row. */
#include <string.h>

#include "mat_internal.h"

static sf_status select_new(sf_ctx *ctx, int64_t rows, int64_t cols, bool weighted,
                            sf_mat **out) {
    sf_mat *m = NULL;
    sf_status st = sf_mat_new(ctx, SF_SELECT, rows, cols, "sf_mat_selection", &m);
    if (st) return st;
    m->u.sel.src = sf_alloc_array(ctx, (size_t)rows, sizeof(int32_t), "selection sources");
    if (m->u.sel.src && weighted)
        m->u.sel.weight = sf_alloc_array(ctx, (size_t)rows, sizeof(double), "selection weights");
    if (!m->u.sel.src || (weighted && !m->u.sel.weight)) {
        st = sf_last_alloc_status(ctx);
        sf_mat_free(m);
        return st;
    }
    for (int64_t i = 0; i < rows; i++) m->u.sel.src[i] = -1;
    *out = m;
    return SF_OK;
}

static sf_status validate_pairs(sf_ctx *ctx, int64_t rows, int64_t cols, int64_t npairs,
                                const int64_t *dst, const int64_t *src) {
    for (int64_t k = 0; k < npairs; k++) {
        if (dst[k] < 0 || dst[k] >= rows)
            return sf_error(ctx, SF_ERR_INDEX,
                            "sf_mat_selection: pair %lld: output row %lld is out of range [0, %lld)",
                            (long long)k, (long long)dst[k], (long long)rows);
        if (src[k] < 0 || src[k] >= cols)
            return sf_error(ctx, SF_ERR_INDEX,
                            "sf_mat_selection: pair %lld: input row %lld is out of range [0, %lld)",
                            (long long)k, (long long)src[k], (long long)cols);
    }
    return SF_OK;
}

sf_status sf_mat_selection(sf_ctx *ctx, int64_t rows, int64_t cols, int64_t npairs,
                           const int64_t *dst, const int64_t *src, const double *weight,
                           sf_mat **out) {
    if (!ctx) return SF_ERR_ARG;
    if (!out || (npairs > 0 && (!dst || !src)))
        return sf_error(ctx, SF_ERR_ARG, "sf_mat_selection: NULL argument");
    sf_status st = sf_check_dims(ctx, rows, cols, "sf_mat_selection");
    if (st) return st;
    if (npairs < 0)
        return sf_error(ctx, SF_ERR_ARG, "sf_mat_selection: negative pair count %lld",
                        (long long)npairs);
    if ((st = validate_pairs(ctx, rows, cols, npairs, dst, src))) return st;
    sf_mat *m = NULL;
    if ((st = select_new(ctx, rows, cols, weight != NULL, &m))) return st;
    for (int64_t k = 0; k < npairs; k++) {
        if (m->u.sel.src[dst[k]] >= 0) {
            sf_mat_free(m);
            return sf_error(ctx, SF_ERR_STRUCTURE,
                            "sf_mat_selection: pair %lld: output row %lld is already selected",
                            (long long)k, (long long)dst[k]);
        }
        m->u.sel.src[dst[k]] = (int32_t)src[k];
    }
    if (weight) {
        for (int64_t i = 0; i < rows; i++) m->u.sel.weight[i] = 0.0;
        for (int64_t k = 0; k < npairs; k++) m->u.sel.weight[dst[k]] = weight[k];
    }
    m->nnz = npairs;
    *out = m;
    return SF_OK;
}

static void select_free(sf_mat *m) {
    sf_free(m->ctx, m->u.sel.src);
    sf_free(m->ctx, m->u.sel.weight);
}

static size_t select_bytes(const sf_mat *m) {
    return (m->u.sel.src ? sf_alloc_size(m->u.sel.src) : 0) +
           (m->u.sel.weight ? sf_alloc_size(m->u.sel.weight) : 0);
}

static sf_status select_export(sf_ctx *ctx, const sf_mat *m, int64_t *rowptr, int32_t *colind,
                               double *val) {
    (void)ctx;
    int64_t q = 0;
    rowptr[0] = 0;
    for (int64_t i = 0; i < m->rows; i++) {
        if (m->u.sel.src[i] >= 0) {
            if (colind) colind[q] = m->u.sel.src[i];
            if (val) val[q] = m->u.sel.weight ? m->u.sel.weight[i] : 1.0;
            q++;
        }
        rowptr[i + 1] = q;
    }
    return SF_OK;
}

static sf_status select_copy(sf_ctx *ctx, const sf_mat *m, sf_mat **out) {
    sf_mat *c = NULL;
    sf_status st = select_new(ctx, m->rows, m->cols, m->u.sel.weight != NULL, &c);
    if (st) return st;
    memcpy(c->u.sel.src, m->u.sel.src, (size_t)m->rows * sizeof(int32_t));
    if (m->u.sel.weight) memcpy(c->u.sel.weight, m->u.sel.weight, (size_t)m->rows * sizeof(double));
    c->nnz = m->nnz;
    *out = c;
    return SF_OK;
}

/* The transpose of an injective selection (no input row used twice) is a
 * selection again; otherwise an input row feeds several outputs and the
 * transpose needs CSR. */
static sf_status select_transpose(sf_ctx *ctx, const sf_mat *m, sf_mat **out) {
    sf_mat *t = NULL;
    sf_status st = select_new(ctx, m->cols, m->rows, m->u.sel.weight != NULL, &t);
    if (st) return st;
    if (t->u.sel.weight)
        for (int64_t j = 0; j < m->cols; j++) t->u.sel.weight[j] = 0.0;
    for (int64_t i = 0; i < m->rows; i++) {
        int32_t j = m->u.sel.src[i];
        if (j < 0) continue;
        if (t->u.sel.src[j] >= 0) { /* not injective */
            sf_mat_free(t);
            sf_mat *csr = NULL;
            if ((st = sf_mat_to_csr(ctx, m, &csr))) return st;
            st = sf_mat_transpose(ctx, csr, out);
            sf_mat_free(csr);
            return st;
        }
        t->u.sel.src[j] = (int32_t)i;
        if (t->u.sel.weight) t->u.sel.weight[j] = m->u.sel.weight[i];
    }
    t->nnz = m->nnz;
    *out = t;
    return SF_OK;
}

const sf_kind_ops sf_kind_select_ops = {
    .name = "selection",
    .free_payload = select_free,
    .payload_bytes = select_bytes,
    .export_csr = select_export,
    .transpose = select_transpose,
    .copy = select_copy,
};
