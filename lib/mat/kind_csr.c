/* The CSR kind: allocation, sorting, export, transpose and copy (a copy
 * never shares: it owns a new pattern, see csr_shared.c). */
#include <string.h>

#include "mat_internal.h"

sf_status sf_csr_new(sf_ctx *ctx, int64_t rows, int64_t cols, int64_t nnz, sf_mat **out) {
    sf_mat *m = NULL;
    sf_status st = sf_mat_new(ctx, SF_CSR, rows, cols, "CSR matrix", &m);
    if (st) return st;
    if (nnz < 0) {
        sf_mat_free(m);
        return sf_error(ctx, SF_ERR_ARG, "CSR matrix: negative nnz %lld", (long long)nnz);
    }
    m->u.csr.rowptr = sf_alloc_array(ctx, (size_t)rows + 1, sizeof(int64_t), "CSR row offsets");
    m->u.csr.colind = m->u.csr.rowptr
                          ? sf_alloc_array(ctx, (size_t)nnz, sizeof(int32_t), "CSR column indices")
                          : NULL;
    m->u.csr.val = m->u.csr.colind ? sf_alloc_array(ctx, (size_t)nnz, sizeof(double), "CSR values")
                                   : NULL;
    if (!m->u.csr.val) {
        st = sf_last_alloc_status(ctx);
        sf_mat_free(m);
        return st;
    }
    m->u.csr.rowptr[0] = 0;
    m->nnz = nnz;
    *out = m;
    return SF_OK;
}

static void csr_free(sf_mat *m) {
    sf_csr_pattern_drop(m);
    sf_free(m->ctx, m->u.csr.val);
}

static size_t csr_bytes(const sf_mat *m) {
    size_t b = sf_csr_pattern_bytes(m);
    if (m->u.csr.val) b += sf_alloc_size(m->u.csr.val);
    return b;
}

/* In-place heapsort of a row's (column, value) pairs by column: O(k log k)
 * with no workspace, so sorting can never fail for lack of memory. */
static void sift_down(int32_t *c, double *v, int64_t root, int64_t n) {
    for (int64_t child; (child = 2 * root + 1) < n; root = child) {
        if (child + 1 < n && c[child + 1] > c[child]) child++;
        if (c[root] >= c[child]) return;
        int32_t tc = c[root];
        c[root] = c[child];
        c[child] = tc;
        double tv = v[root];
        v[root] = v[child];
        v[child] = tv;
    }
}

static void sort_row(int32_t *c, double *v, int64_t n) {
    for (int64_t i = n / 2 - 1; i >= 0; i--) sift_down(c, v, i, n);
    for (int64_t end = n - 1; end > 0; end--) {
        int32_t tc = c[0];
        c[0] = c[end];
        c[end] = tc;
        double tv = v[0];
        v[0] = v[end];
        v[end] = tv;
        sift_down(c, v, 0, end);
    }
}

void sf_csr_sort_sum(sf_mat *m) {
    int64_t *rp = m->u.csr.rowptr;
    int32_t *ci = m->u.csr.colind;
    double *vv = m->u.csr.val;
    int64_t w = 0;
    for (int64_t i = 0; i < m->rows; i++) {
        int64_t start = rp[i], end = rp[i + 1];
        bool sorted = true;
        for (int64_t p = start + 1; p < end && sorted; p++) sorted = ci[p - 1] < ci[p];
        if (!sorted) sort_row(ci + start, vv + start, end - start);
        rp[i] = w;
        for (int64_t p = start; p < end; p++) {
            if (w > rp[i] && ci[w - 1] == ci[p]) {
                vv[w - 1] += vv[p];
            } else {
                ci[w] = ci[p];
                vv[w] = vv[p];
                w++;
            }
        }
    }
    rp[m->rows] = w;
    m->nnz = w;
}

static sf_status csr_export(sf_ctx *ctx, const sf_mat *m, int64_t *rowptr, int32_t *colind,
                            double *val) {
    (void)ctx;
    memcpy(rowptr, m->u.csr.rowptr, ((size_t)m->rows + 1) * sizeof *rowptr);
    if (colind) memcpy(colind, m->u.csr.colind, (size_t)m->nnz * sizeof *colind);
    if (val) memcpy(val, m->u.csr.val, (size_t)m->nnz * sizeof *val);
    return SF_OK;
}

static sf_status csr_copy(sf_ctx *ctx, const sf_mat *m, sf_mat **out) {
    sf_mat *c = NULL;
    sf_status st = sf_csr_new(ctx, m->rows, m->cols, m->nnz, &c);
    if (st) return st;
    csr_export(ctx, m, c->u.csr.rowptr, c->u.csr.colind, c->u.csr.val);
    *out = c;
    return SF_OK;
}

/* Counting-sort transpose: rows of the result come out sorted. */
static sf_status csr_transpose(sf_ctx *ctx, const sf_mat *m, sf_mat **out) {
    sf_mat *t = NULL;
    sf_status st = sf_csr_new(ctx, m->cols, m->rows, m->nnz, &t);
    if (st) return st;
    int64_t *tp = t->u.csr.rowptr;
    memset(tp, 0, ((size_t)m->cols + 1) * sizeof *tp);
    for (int64_t p = 0; p < m->nnz; p++) tp[m->u.csr.colind[p] + 1]++;
    for (int64_t j = 0; j < m->cols; j++) tp[j + 1] += tp[j];
    /* tp[j] is now the next free slot of row j; shift back afterwards. */
    for (int64_t i = 0; i < m->rows; i++)
        for (int64_t p = m->u.csr.rowptr[i]; p < m->u.csr.rowptr[i + 1]; p++) {
            int64_t q = tp[m->u.csr.colind[p]]++;
            t->u.csr.colind[q] = (int32_t)i;
            t->u.csr.val[q] = m->u.csr.val[p];
        }
    for (int64_t j = m->cols; j > 0; j--) tp[j] = tp[j - 1];
    tp[0] = 0;
    *out = t;
    return SF_OK;
}

const sf_kind_ops sf_kind_csr_ops = {
    .name = "csr",
    .free_payload = csr_free,
    .payload_bytes = csr_bytes,
    .export_csr = csr_export,
    .transpose = csr_transpose,
    .copy = csr_copy,
};
