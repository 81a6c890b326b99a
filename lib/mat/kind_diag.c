/* The diagonal kind: n values for an n x n matrix (identity is all ones). */
#include <string.h>

#include "mat_internal.h"

sf_status sf_diag_new(sf_ctx *ctx, int64_t n, const char *what, sf_mat **out) {
    sf_mat *m = NULL;
    sf_status st = sf_mat_new(ctx, SF_DIAG, n, n, what, &m);
    if (st) return st;
    m->u.diag.d = sf_alloc_array(ctx, (size_t)n, sizeof(double), "diagonal values");
    if (!m->u.diag.d) {
        st = sf_last_alloc_status(ctx);
        sf_mat_free(m);
        return st;
    }
    m->nnz = n;
    *out = m;
    return SF_OK;
}

sf_status sf_mat_diag(sf_ctx *ctx, int64_t n, const double *d, sf_mat **out) {
    if (!ctx) return SF_ERR_ARG;
    if (!out || (n > 0 && !d)) return sf_error(ctx, SF_ERR_ARG, "sf_mat_diag: NULL argument");
    sf_mat *m = NULL;
    sf_status st = sf_diag_new(ctx, n, "sf_mat_diag", &m);
    if (st) return st;
    if (n) memcpy(m->u.diag.d, d, (size_t)n * sizeof *d);
    *out = m;
    return SF_OK;
}

sf_status sf_mat_identity(sf_ctx *ctx, int64_t n, sf_mat **out) {
    if (!ctx) return SF_ERR_ARG;
    if (!out) return sf_error(ctx, SF_ERR_ARG, "sf_mat_identity: output pointer is NULL");
    sf_mat *m = NULL;
    sf_status st = sf_diag_new(ctx, n, "sf_mat_identity", &m);
    if (st) return st;
    for (int64_t i = 0; i < n; i++) m->u.diag.d[i] = 1.0;
    *out = m;
    return SF_OK;
}

static void diag_free(sf_mat *m) { sf_free(m->ctx, m->u.diag.d); }

static size_t diag_bytes(const sf_mat *m) {
    return m->u.diag.d ? sf_alloc_size(m->u.diag.d) : 0;
}

static sf_status diag_export(sf_ctx *ctx, const sf_mat *m, int64_t *rowptr, int32_t *colind,
                             double *val) {
    (void)ctx;
    for (int64_t i = 0; i <= m->rows; i++) rowptr[i] = i;
    for (int64_t i = 0; i < m->rows; i++) {
        if (colind) colind[i] = (int32_t)i;
        if (val) val[i] = m->u.diag.d[i];
    }
    return SF_OK;
}

/* A diagonal is its own transpose: both are copies. */
static sf_status diag_copy(sf_ctx *ctx, const sf_mat *m, sf_mat **out) {
    return sf_mat_diag(ctx, m->rows, m->u.diag.d, out);
}

const sf_kind_ops sf_kind_diag_ops = {
    .name = "diagonal",
    .free_payload = diag_free,
    .payload_bytes = diag_bytes,
    .export_csr = diag_export,
    .transpose = diag_copy,
    .copy = diag_copy,
};
