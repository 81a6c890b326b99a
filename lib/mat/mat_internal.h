/* lib/mat/mat_internal.h — the layout of sf_mat, seen by the layers above mat
 * (ops, solve, deriv, interp, io) and by no user.
 *
 * Adding a storage kind: a payload struct in the union below, a file
 * lib/mat/kind_NAME.c that defines an sf_kind_ops table, and one line in the
 * table of lib/mat/mat.c.  Operations in lib/ops switch on the kind for their
 * fast paths and may fall back to sf_mat_to_csr for kinds they do not know. */
#ifndef SF_MAT_INTERNAL_H
#define SF_MAT_INTERNAL_H

#include "../core/internal.h"
#include "sparsefirst/mat.h"

/* Analyses and derived data a handle may keep between calls.  Each slot holds
 * one object with its own free function; its bytes are charged to the
 * handle's context and counted in sf_mat_bytes. */
typedef enum sf_cache_slot {
    SF_CACHE_TRANSPOSE = 0,   /* a CSR copy of the transpose (ops) */
    SF_CACHE_TRI_LOWER,       /* triangular solve analysis, lower (solve) */
    SF_CACHE_TRI_UPPER,       /* triangular solve analysis, upper (solve) */
    SF_CACHE_SLOT_COUNT
} sf_cache_slot;

typedef struct sf_cache_entry {
    void *data;
    size_t bytes;
    void (*free)(sf_ctx *ctx, void *data);
} sf_cache_entry;

/* A CSR pattern (rowptr + colind) used by several handles of one context:
 * the product of a diagonal and a CSR matrix takes a reference to its
 * factor's pattern instead of copying it (lib/mat/csr_shared.c).  Immutable
 * while shared; charged once to ctx, freed with the last reference. */
typedef struct sf_csr_pattern {
    atomic_size_t refs;
    sf_ctx *ctx;
    int64_t *rowptr;
    int32_t *colind;
} sf_csr_pattern;

typedef struct sf_csr {
    int64_t *rowptr; /* rows + 1 */
    int32_t *colind; /* nnz, sorted within each row, no duplicates */
    double *val;     /* nnz */
    /* NULL: rowptr and colind belong to this handle alone.  Else they are
     * shared->rowptr and shared->colind and must never be written.  The only
     * payload field set after a handle is built (on the first share, through
     * a const handle), hence atomic. */
    _Atomic(sf_csr_pattern *) shared;
} sf_csr;

typedef struct sf_diag {
    double *d; /* n */
} sf_diag;

typedef struct sf_select {
    int32_t *src;   /* rows; -1 for an all-zero output row */
    double *weight; /* rows, or NULL for unit weights */
} sf_select;

/* Interpolation weights along one axis (lib/mat/kind_interp.c, lib/interp). */
typedef struct sf_interp_w {
    int32_t *src;   /* rows: j >= 0: w*x[j] + (1-w)*x[j+stride]; j <= -2: w*x[-j-2]; -1: none */
    double *w;      /* rows; for src == -1 the value written by sf_interp_apply (NaN or fill) */
    sf_shape data_shape, out_shape;
    int axis, method, extrapolate;
    double fill;
    int64_t stride; /* product of the data extents after axis */
} sf_interp_w;

struct sf_mat {
    sf_ctx *ctx; /* owner of every byte below */
    sf_kind kind;
    int64_t rows, cols, nnz;
    union {
        sf_csr csr;
        sf_diag diag;
        sf_select sel;
        sf_interp_w interp;
    } u;
    sf_cache_entry cache[SF_CACHE_SLOT_COUNT];
};

/* What each kind provides.  export_csr writes sorted CSR rows into caller
 * arrays (any of colind/val may be NULL); transpose and copy build new handles. */
typedef struct sf_kind_ops {
    const char *name;
    void (*free_payload)(sf_mat *m);
    size_t (*payload_bytes)(const sf_mat *m);
    sf_status (*export_csr)(sf_ctx *ctx, const sf_mat *m, int64_t *rowptr, int32_t *colind,
                            double *val);
    sf_status (*transpose)(sf_ctx *ctx, const sf_mat *m, sf_mat **out);
    sf_status (*copy)(sf_ctx *ctx, const sf_mat *m, sf_mat **out);
} sf_kind_ops;

extern const sf_kind_ops sf_kind_csr_ops, sf_kind_diag_ops, sf_kind_select_ops;
extern const sf_kind_ops sf_kind_interp_ops;
const sf_kind_ops *sf_kind_ops_of(sf_kind kind);

/* A zeroed handle of the given kind and shape (dimensions checked against
 * SF_MAX_DIM, the failure message naming `what`). */
sf_status sf_mat_new(sf_ctx *ctx, sf_kind kind, int64_t rows, int64_t cols, const char *what,
                     sf_mat **out);

/* A CSR handle with rowptr/colind/val allocated for nnz entries and not filled
 * (rowptr[0] is set to 0).  For builders that know their pattern up front. */
sf_status sf_csr_new(sf_ctx *ctx, int64_t rows, int64_t cols, int64_t nnz, sf_mat **out);

/* An n x n diagonal handle whose n values are allocated and not filled. */
sf_status sf_diag_new(sf_ctx *ctx, int64_t n, const char *what, sf_mat **out);

/* Check the shape against the index types; message names `what`. */
sf_status sf_check_dims(sf_ctx *ctx, int64_t rows, int64_t cols, const char *what);

/* A CSR handle over src's pattern (src CSR, made in ctx) with nnz values
 * allocated and not filled: the first call makes src's pattern shared, each
 * call takes a reference.  Costs the handle and the values only. */
sf_status sf_csr_new_sharing(sf_ctx *ctx, const sf_mat *src, sf_mat **out);

/* Drop a CSR payload's rowptr and colind: free them, or give back its
 * reference to the shared pattern (the last one frees them). */
void sf_csr_pattern_drop(sf_mat *m);

/* Bytes of rowptr and colind counted by sf_mat_bytes: in full for every
 * handle that uses them, plus the shared block's own bytes. */
size_t sf_csr_pattern_bytes(const sf_mat *m);

/* Sort each row of a CSR payload by column and sum duplicates in place,
 * compacting rowptr; updates m->nnz.  Used by every builder that may produce
 * unsorted rows, on handles it has just made (never on a shared pattern). */
void sf_csr_sort_sum(sf_mat *m);

/* Cache slots: store (taking ownership), look up, and drop. */
sf_status sf_mat_cache_put(sf_mat *m, sf_cache_slot slot, void *data, size_t bytes,
                           void (*free_fn)(sf_ctx *, void *));
void *sf_mat_cache_get(const sf_mat *m, sf_cache_slot slot);
void sf_mat_cache_drop(sf_mat *m, sf_cache_slot slot);

#endif
