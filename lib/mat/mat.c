/* The sf_mat handle: the kind table, life cycle, queries and the caches. */
#include <string.h>

#include "mat_internal.h"

static const sf_kind_ops *const kind_table[SF_KIND_COUNT] = {
    [SF_CSR] = &sf_kind_csr_ops,
    [SF_DIAG] = &sf_kind_diag_ops,
    [SF_SELECT] = &sf_kind_select_ops,
    [SF_INTERP] = &sf_kind_interp_ops,
};

const sf_kind_ops *sf_kind_ops_of(sf_kind kind) {
    if ((unsigned)kind >= SF_KIND_COUNT) return NULL;
    return kind_table[kind];
}

const char *sf_kind_name(sf_kind k) {
    static const char *const names[SF_KIND_COUNT] = {"csr", "diagonal", "selection",
                                                     "interpolation"};
    return (unsigned)k < SF_KIND_COUNT ? names[k] : "unknown";
}

sf_status sf_check_dims(sf_ctx *ctx, int64_t rows, int64_t cols, const char *what) {
    if (rows < 0 || cols < 0)
        return sf_error(ctx, SF_ERR_ARG, "%s: negative dimensions %lld x %lld", what,
                        (long long)rows, (long long)cols);
    if (rows > SF_MAX_DIM || cols > SF_MAX_DIM)
        return sf_error(ctx, SF_ERR_TOO_LARGE,
                        "%s: dimensions %lld x %lld exceed the limit %lld (2^31 - 1)", what,
                        (long long)rows, (long long)cols, (long long)SF_MAX_DIM);
    return SF_OK;
}

sf_status sf_mat_new(sf_ctx *ctx, sf_kind kind, int64_t rows, int64_t cols, const char *what,
                     sf_mat **out) {
    sf_status st = sf_check_dims(ctx, rows, cols, what);
    if (st) return st;
    sf_mat *m = sf_calloc(ctx, 1, sizeof *m, "matrix handle");
    SF_CHECK_ALLOC(ctx, m);
    m->ctx = ctx;
    m->kind = kind;
    m->rows = rows;
    m->cols = cols;
    *out = m;
    return SF_OK;
}

void sf_mat_free(sf_mat *m) {
    if (!m) return;
    for (int s = 0; s < SF_CACHE_SLOT_COUNT; s++) sf_mat_cache_drop(m, (sf_cache_slot)s);
    const sf_kind_ops *ops = sf_kind_ops_of(m->kind);
    if (ops) ops->free_payload(m);
    sf_free(m->ctx, m);
}

int64_t sf_mat_rows(const sf_mat *m) { return m ? m->rows : 0; }
int64_t sf_mat_cols(const sf_mat *m) { return m ? m->cols : 0; }
int64_t sf_mat_nnz(const sf_mat *m) { return m ? m->nnz : 0; }
sf_kind sf_mat_kind(const sf_mat *m) { return m ? m->kind : SF_CSR; }

size_t sf_mat_bytes(const sf_mat *m) {
    if (!m) return 0;
    size_t bytes = sizeof *m + sf_kind_ops_of(m->kind)->payload_bytes(m);
    for (int s = 0; s < SF_CACHE_SLOT_COUNT; s++) bytes += m->cache[s].bytes;
    return bytes;
}

/* Common argument checks of the functions that take one handle. */
static sf_status check_handle(sf_ctx *ctx, const sf_mat *m, const void *out, const char *fn) {
    if (!ctx) return SF_ERR_ARG;
    if (!m) return sf_error(ctx, SF_ERR_ARG, "%s: matrix handle is NULL", fn);
    if (!out) return sf_error(ctx, SF_ERR_ARG, "%s: output pointer is NULL", fn);
    if (!sf_kind_ops_of(m->kind)) return sf_error(ctx, SF_ERR_ARG, "%s: invalid handle", fn);
    return SF_OK;
}

sf_status sf_mat_export_csr(sf_ctx *ctx, const sf_mat *m, int64_t *rowptr, int32_t *colind,
                            double *val) {
    sf_status st = check_handle(ctx, m, rowptr, "sf_mat_export_csr");
    if (st) return st;
    return sf_kind_ops_of(m->kind)->export_csr(ctx, m, rowptr, colind, val);
}

sf_status sf_mat_transpose(sf_ctx *ctx, const sf_mat *m, sf_mat **out) {
    sf_status st = check_handle(ctx, m, out, "sf_mat_transpose");
    if (st) return st;
    return sf_kind_ops_of(m->kind)->transpose(ctx, m, out);
}

sf_status sf_mat_copy(sf_ctx *ctx, const sf_mat *m, sf_mat **out) {
    sf_status st = check_handle(ctx, m, out, "sf_mat_copy");
    if (st) return st;
    return sf_kind_ops_of(m->kind)->copy(ctx, m, out);
}

sf_status sf_mat_to_csr(sf_ctx *ctx, const sf_mat *m, sf_mat **out) {
    sf_status st = check_handle(ctx, m, out, "sf_mat_to_csr");
    if (st) return st;
    if (m->kind == SF_CSR) return sf_mat_copy(ctx, m, out);
    sf_mat *c = NULL;
    st = sf_csr_new(ctx, m->rows, m->cols, m->nnz, &c);
    if (st) return st;
    st = sf_kind_ops_of(m->kind)->export_csr(ctx, m, c->u.csr.rowptr, c->u.csr.colind,
                                             c->u.csr.val);
    if (st) {
        sf_mat_free(c);
        return st;
    }
    *out = c;
    return SF_OK;
}

sf_status sf_mat_to_dense(sf_ctx *ctx, const sf_mat *m, sf_dense *out) {
    sf_status st = check_handle(ctx, m, out, "sf_mat_to_dense");
    if (st) return st;
    if ((st = sf_dense_check(ctx, out, "sf_mat_to_dense output"))) return st;
    if (out->dtype != SF_REAL)
        return sf_error(ctx, SF_ERR_UNSUPPORTED, "sf_mat_to_dense: output must be real");
    if (out->rows != m->rows || out->cols != m->cols)
        return sf_error(ctx, SF_ERR_SHAPE, "sf_mat_to_dense: matrix is %lld x %lld, view is %lld x %lld",
                        (long long)m->rows, (long long)m->cols, (long long)out->rows,
                        (long long)out->cols);
    sf_mat *c = NULL;
    const sf_mat *csr = m;
    if (m->kind != SF_CSR) {
        if ((st = sf_mat_to_csr(ctx, m, &c))) return st;
        csr = c;
    }
    double *d = out->data;
    int64_t rs = out->layout == SF_ROW_MAJOR ? out->ld : 1;
    int64_t cs = out->layout == SF_ROW_MAJOR ? 1 : out->ld;
    for (int64_t i = 0; i < m->rows; i++)
        for (int64_t j = 0; j < m->cols; j++) d[i * rs + j * cs] = 0.0;
    for (int64_t i = 0; i < m->rows; i++)
        for (int64_t p = csr->u.csr.rowptr[i]; p < csr->u.csr.rowptr[i + 1]; p++)
            d[i * rs + csr->u.csr.colind[p] * cs] = csr->u.csr.val[p];
    sf_mat_free(c);
    return SF_OK;
}

/* ----------------------------------------------------------------- caches */

sf_status sf_mat_cache_put(sf_mat *m, sf_cache_slot slot, void *data, size_t bytes,
                           void (*free_fn)(sf_ctx *, void *)) {
    sf_mat_cache_drop(m, slot);
    m->cache[slot] = (sf_cache_entry){data, bytes, free_fn};
    return SF_OK;
}

/* Every cache holds a copy of the values or facts about them (a transposed
 * copy, pivots checked at analysis), so all of them go; the next call that
 * needs one rebuilds it from the current values. */
void sf_mat_values_changed(sf_mat *m) {
    if (!m) return;
    for (int s = 0; s < SF_CACHE_SLOT_COUNT; s++) sf_mat_cache_drop(m, (sf_cache_slot)s);
}

void *sf_mat_cache_get(const sf_mat *m, sf_cache_slot slot) { return m->cache[slot].data; }

void sf_mat_cache_drop(sf_mat *m, sf_cache_slot slot) {
    sf_cache_entry *e = &m->cache[slot];
    if (e->data && e->free) e->free(m->ctx, e->data);
    *e = (sf_cache_entry){0};
}
