/* sparsefirst/mat.h — the sparse matrix handle.
 *
 * An sf_mat is opaque.  It has a storage kind and a shape; every operation of
 * the library accepts every kind and picks the fast path.  Dimensions are
 * below 2^31 (32-bit column indices), row offsets are 64-bit, so a CSR entry
 * costs 12 bytes.  A handle's memory is charged to the context that made it.
 */
#ifndef SPARSEFIRST_MAT_H
#define SPARSEFIRST_MAT_H

#include "core.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum sf_kind {
    SF_CSR = 0,    /* compressed sparse rows: rowptr (int64), colind (int32), val */
    SF_DIAG = 1,   /* square diagonal: n values */
    SF_SELECT = 2, /* selection: output row i = weight[i] * input row src[i] (or zero) */
    SF_INTERP = 3, /* interpolation: out[i] = w[i]*x[j[i]] + (1-w[i])*x[j[i]+stride] */
    SF_KIND_COUNT
} sf_kind;

typedef struct sf_mat sf_mat;

/* Largest allowed row or column count: dimensions must be below 2^31. */
#define SF_MAX_DIM ((int64_t)INT32_MAX)

/* Flags for sf_mat_from_csr. */
enum {
    SF_CSR_STRICT = 1 /* reject unsorted rows and duplicates instead of fixing them */
};

/* Copy and validate CSR arrays: rowptr[0] == 0, offsets monotone, column indices in
 * [0, cols).  Unsorted rows are sorted and duplicates summed, unless flags has
 * SF_CSR_STRICT (then SF_ERR_STRUCTURE naming the row).  val NULL means all ones. */
sf_status sf_mat_from_csr(sf_ctx *ctx, int64_t rows, int64_t cols, const int64_t *rowptr,
                          const int64_t *colind, const double *val, unsigned flags,
                          sf_mat **out);

/* Build CSR from nnz triplets (row[k], col[k], val[k]); duplicates are summed.
 * val NULL means all ones.  Out-of-range indices: SF_ERR_INDEX naming entry k. */
sf_status sf_mat_from_triplets(sf_ctx *ctx, int64_t rows, int64_t cols, int64_t nnz,
                               const int64_t *row, const int64_t *col, const double *val,
                               sf_mat **out);

/* CSR from a real dense view; exact zeros are dropped (NaN is kept). */
sf_status sf_mat_from_dense(sf_ctx *ctx, const sf_dense *dense, sf_mat **out);

/* Square n x n diagonal matrix with the n values d (copied). */
sf_status sf_mat_diag(sf_ctx *ctx, int64_t n, const double *d, sf_mat **out);

/* n x n identity (a diagonal handle). */
sf_status sf_mat_identity(sf_ctx *ctx, int64_t n, sf_mat **out);

/* rows x cols selection matrix: for each pair k, output row dst[k] takes input row
 * src[k] (scaled by weight[k], or 1 if weight is NULL); other output rows are zero.
 * An output row named twice is SF_ERR_STRUCTURE. */
sf_status sf_mat_selection(sf_ctx *ctx, int64_t rows, int64_t cols, int64_t npairs,
                           const int64_t *dst, const int64_t *src, const double *weight,
                           sf_mat **out);

/* Free a handle and everything cached in it; NULL does nothing. */
void sf_mat_free(sf_mat *m);

/* Queries (never fail; a NULL handle gives 0). nnz counts stored entries: a
 * diagonal of n stores n, a selection its pairs. bytes counts everything the
 * handle holds, cached analyses included.  A product diag * CSR or CSR * diag
 * shares its CSR factor's row offsets and column indices (charged once to the
 * context, freed with the last handle using them); bytes counts them in full
 * in each such handle, so it does not change when a sharer is freed and the
 * sum over sharing handles exceeds the context's bytes in use. */
int64_t sf_mat_rows(const sf_mat *m);
int64_t sf_mat_cols(const sf_mat *m);
int64_t sf_mat_nnz(const sf_mat *m);
sf_kind sf_mat_kind(const sf_mat *m);
size_t sf_mat_bytes(const sf_mat *m);

/* Name of a kind: "csr", "diagonal", "selection", "interpolation". */
const char *sf_kind_name(sf_kind k);

/* Copy out as CSR arrays with sorted rows; caller provides rowptr[rows+1],
 * colind[nnz] and val[nnz] (nnz as sf_mat_nnz).  Any of colind/val may be NULL. */
sf_status sf_mat_export_csr(sf_ctx *ctx, const sf_mat *m, int64_t *rowptr, int32_t *colind,
                            double *val);

/* A new CSR handle holding the same matrix (any kind converts). */
sf_status sf_mat_to_csr(sf_ctx *ctx, const sf_mat *m, sf_mat **out);

/* A new handle holding the transpose.  Kinds are kept where they can be (a
 * diagonal stays diagonal, an injective selection stays a selection). */
sf_status sf_mat_transpose(sf_ctx *ctx, const sf_mat *m, sf_mat **out);

/* A deep copy of the handle (cached analyses are not copied). */
sf_status sf_mat_copy(sf_ctx *ctx, const sf_mat *m, sf_mat **out);

/* Tell the handle that its stored values were rewritten in place (through a
 * pointer the library handed out, such as sf_jac_pattern_values): drops the
 * cached transposes and analyses that hold or depend on the old values.  The
 * library's own in-place refills call it; NULL does nothing. */
void sf_mat_values_changed(sf_mat *m);

/* Write the matrix into a real dense view (rows x cols); every element written.
 * Meant for small sizes and tests. */
sf_status sf_mat_to_dense(sf_ctx *ctx, const sf_mat *m, sf_dense *out);

#ifdef __cplusplus
}
#endif
#endif /* SPARSEFIRST_MAT_H */
