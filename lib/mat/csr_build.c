/* Building CSR handles from caller arrays: CSR, triplets and dense views.
 * Everything is validated before anything is allocated, so a rejected input
 * costs nothing and leaves no trace. */
#include <string.h>

#include "mat_internal.h"

/* Offsets start at 0, never decrease, and columns are in range. */
static sf_status validate_csr(sf_ctx *ctx, int64_t rows, int64_t cols, const int64_t *rowptr,
                              const int64_t *colind) {
    if (rowptr[0] != 0)
        return sf_error(ctx, SF_ERR_STRUCTURE, "CSR: rowptr[0] is %lld, must be 0",
                        (long long)rowptr[0]);
    for (int64_t i = 0; i < rows; i++) {
        if (rowptr[i + 1] < rowptr[i])
            return sf_error(ctx, SF_ERR_STRUCTURE,
                            "CSR: row offsets decrease at row %lld (%lld then %lld)", (long long)i,
                            (long long)rowptr[i], (long long)rowptr[i + 1]);
        for (int64_t p = rowptr[i]; p < rowptr[i + 1]; p++)
            if (colind[p] < 0 || colind[p] >= cols)
                return sf_error(ctx, SF_ERR_INDEX, "CSR: row %lld: column %lld is out of range [0, %lld)",
                                (long long)i, (long long)colind[p], (long long)cols);
    }
    return SF_OK;
}

/* Under SF_CSR_STRICT: the first row with an unsorted or repeated column. */
static sf_status check_strict(sf_ctx *ctx, int64_t rows, const int64_t *rowptr,
                              const int64_t *colind) {
    for (int64_t i = 0; i < rows; i++)
        for (int64_t p = rowptr[i] + 1; p < rowptr[i + 1]; p++)
            if (colind[p] <= colind[p - 1])
                return sf_error(ctx, SF_ERR_STRUCTURE, "CSR: row %lld: column %lld %s column %lld",
                                (long long)i, (long long)colind[p],
                                colind[p] == colind[p - 1] ? "repeats" : "comes after",
                                (long long)colind[p - 1]);
    return SF_OK;
}

sf_status sf_mat_from_csr(sf_ctx *ctx, int64_t rows, int64_t cols, const int64_t *rowptr,
                          const int64_t *colind, const double *val, unsigned flags,
                          sf_mat **out) {
    if (!ctx) return SF_ERR_ARG;
    if (!out || !rowptr) return sf_error(ctx, SF_ERR_ARG, "sf_mat_from_csr: NULL argument");
    sf_status st = sf_check_dims(ctx, rows, cols, "sf_mat_from_csr");
    if (st) return st;
    if (flags & ~(unsigned)SF_CSR_STRICT)
        return sf_error(ctx, SF_ERR_ARG, "sf_mat_from_csr: unknown flags 0x%x", flags);
    int64_t nnz = rowptr[rows];
    if (nnz > 0 && !colind) return sf_error(ctx, SF_ERR_ARG, "sf_mat_from_csr: colind is NULL");
    if ((st = validate_csr(ctx, rows, cols, rowptr, colind))) return st;
    if ((flags & SF_CSR_STRICT) && (st = check_strict(ctx, rows, rowptr, colind))) return st;
    sf_mat *m = NULL;
    if ((st = sf_csr_new(ctx, rows, cols, nnz, &m))) return st;
    memcpy(m->u.csr.rowptr, rowptr, ((size_t)rows + 1) * sizeof *rowptr);
    for (int64_t p = 0; p < nnz; p++) {
        m->u.csr.colind[p] = (int32_t)colind[p];
        m->u.csr.val[p] = val ? val[p] : 1.0;
    }
    sf_csr_sort_sum(m);
    *out = m;
    return SF_OK;
}

sf_status sf_mat_from_triplets(sf_ctx *ctx, int64_t rows, int64_t cols, int64_t nnz,
                               const int64_t *row, const int64_t *col, const double *val,
                               sf_mat **out) {
    if (!ctx) return SF_ERR_ARG;
    if (!out || (nnz > 0 && (!row || !col)))
        return sf_error(ctx, SF_ERR_ARG, "sf_mat_from_triplets: NULL argument");
    sf_status st = sf_check_dims(ctx, rows, cols, "sf_mat_from_triplets");
    if (st) return st;
    if (nnz < 0)
        return sf_error(ctx, SF_ERR_ARG, "sf_mat_from_triplets: negative count %lld", (long long)nnz);
    for (int64_t k = 0; k < nnz; k++)
        if (row[k] < 0 || row[k] >= rows || col[k] < 0 || col[k] >= cols)
            return sf_error(ctx, SF_ERR_INDEX,
                            "sf_mat_from_triplets: entry %lld at (%lld, %lld) is outside the %lld x %lld matrix",
                            (long long)k, (long long)row[k], (long long)col[k], (long long)rows,
                            (long long)cols);
    sf_mat *m = NULL;
    if ((st = sf_csr_new(ctx, rows, cols, nnz, &m))) return st;
    int64_t *rp = m->u.csr.rowptr;
    memset(rp, 0, ((size_t)rows + 1) * sizeof *rp);
    for (int64_t k = 0; k < nnz; k++) rp[row[k] + 1]++;
    for (int64_t i = 0; i < rows; i++) rp[i + 1] += rp[i];
    for (int64_t k = 0; k < nnz; k++) { /* rp[i] walks through row i's slots */
        int64_t q = rp[row[k]]++;
        m->u.csr.colind[q] = (int32_t)col[k];
        m->u.csr.val[q] = val ? val[k] : 1.0;
    }
    for (int64_t i = rows; i > 0; i--) rp[i] = rp[i - 1];
    rp[0] = 0;
    sf_csr_sort_sum(m);
    *out = m;
    return SF_OK;
}

sf_status sf_mat_from_dense(sf_ctx *ctx, const sf_dense *dense, sf_mat **out) {
    if (!ctx) return SF_ERR_ARG;
    if (!out) return sf_error(ctx, SF_ERR_ARG, "sf_mat_from_dense: output pointer is NULL");
    sf_status st = sf_dense_check(ctx, dense, "sf_mat_from_dense");
    if (st) return st;
    if (dense->dtype != SF_REAL)
        return sf_error(ctx, SF_ERR_UNSUPPORTED, "sf_mat_from_dense: complex input is not supported");
    if ((st = sf_check_dims(ctx, dense->rows, dense->cols, "sf_mat_from_dense"))) return st;
    const double *d = dense->data;
    int64_t rs = dense->layout == SF_ROW_MAJOR ? dense->ld : 1;
    int64_t cs = dense->layout == SF_ROW_MAJOR ? 1 : dense->ld;
    int64_t nnz = 0;
    for (int64_t i = 0; i < dense->rows; i++)
        for (int64_t j = 0; j < dense->cols; j++) nnz += d[i * rs + j * cs] != 0.0;
    sf_mat *m = NULL;
    if ((st = sf_csr_new(ctx, dense->rows, dense->cols, nnz, &m))) return st;
    int64_t q = 0;
    for (int64_t i = 0; i < dense->rows; i++) {
        for (int64_t j = 0; j < dense->cols; j++) {
            double x = d[i * rs + j * cs];
            if (x == 0.0) continue;
            m->u.csr.colind[q] = (int32_t)j;
            m->u.csr.val[q++] = x;
        }
        m->u.csr.rowptr[i + 1] = q;
    }
    *out = m;
    return SF_OK;
}
