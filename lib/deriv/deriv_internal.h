/* lib/deriv/deriv_internal.h — what the Jacobian builders share: the layout
 * of the pattern handle, shape checks and handle builders that write their
 * payload directly (no intermediate triplets). */
#ifndef SF_DERIV_INTERNAL_H
#define SF_DERIV_INTERNAL_H

#include "../mat/mat_internal.h"
#include "sparsefirst/deriv.h"

struct sf_jac_pattern {
    sf_ctx *ctx;
    sf_mat *m;        /* CSR: the pattern and the current values */
    /* CSC view (FD handles only): entry q of column j (colptr[j] <= q <
     * colptr[j+1]) is row rowind[q], stored at CSR position slot[q]. */
    int64_t *colptr;  /* cols + 1 */
    int32_t *rowind;  /* nnz */
    int64_t *slot;    /* nnz */
    /* finite differences (sf_jac_pattern_create only) */
    int64_t ncolors;
    int64_t *cptr;    /* ncolors + 1: group g is ccols[cptr[g] .. cptr[g+1]) */
    int32_t *ccols;   /* cols, grouped by colour */
    double *xw;       /* cols: perturbed x */
    double *f0, *f1;  /* rows: f at the base (or minus) and plus points */
    double *fv;       /* nnz: new values, copied in on success only */
    /* assembly (sf_assembly_pattern only) */
    int64_t nelem;
    int k;
    int32_t *conn;    /* nelem * k node numbers */
    /* nelem * k * k: slot of (e, a, b) minus rowptr[conn[e*k + a]], in
     * map_bytes = 1, 2 or 4 bytes each: the fewest that hold a position in
     * the longest row the mesh can make (quadrilaterals, hexahedra: 1) */
    void *map;
    int map_bytes;
    bool scattered; /* elements in sequence name far-apart nodes: refills prefetch rows */
};

/* Slot map entry at of a map of `bytes` bytes per entry (a constant in
 * the specialised loops, so the test folds away). */
static inline __attribute__((always_inline)) int64_t deriv_map_at(const void *map, int bytes,
                                                                   int64_t at) {
    return bytes == 1   ? ((const uint8_t *)map)[at]
           : bytes == 2 ? ((const uint16_t *)map)[at]
                        : ((const int32_t *)map)[at];
}

/* The CSR position of element entry (e, a, b) given q = e*k + a. */
static inline int64_t deriv_assembly_slot(const sf_jac_pattern *jp, int64_t q, int64_t b) {
    return jp->m->u.csr.rowptr[jp->conn[q]] + deriv_map_at(jp->map, jp->map_bytes, q * jp->k + b);
}

/* SF_ERR_ARG naming fn unless jp was made by sf_assembly_pattern and data
 * is non-NULL (or there are no element entries: no elements, or k = 0). */
sf_status deriv_check_assembly(sf_ctx *ctx, const sf_jac_pattern *jp, const void *data,
                               const char *fn);

/* Number of elements of a shape, checked to be a valid matrix dimension;
 * `what` names the caller in messages. */
sf_status deriv_shape_size(sf_ctx *ctx, const sf_shape *s, const char *what, int64_t *n);

/* Shapes equal (same ndim and extents). */
bool deriv_shape_equal(const sf_shape *a, const sf_shape *b);

/* Advance a row-major multi-index over shape s (the last axis fastest). */
static inline void deriv_index_next(const sf_shape *s, int64_t *coord) {
    for (int k = s->ndim - 1; k >= 0; k--) {
        if (++coord[k] < s->dim[k]) return;
        coord[k] = 0;
    }
}

/* A rows x cols selection handle with every source set to -1 and, if
 * weighted, a weight array to fill; nnz is left for the caller to set. */
sf_status deriv_select_new(sf_ctx *ctx, int64_t rows, int64_t cols, bool weighted,
                           sf_mat **out);

/* Wrap a CSR handle in a pattern handle (taking ownership, also on failure). */
sf_status deriv_pattern_wrap(sf_ctx *ctx, sf_mat *csr, sf_jac_pattern **out);

/* Greedy colouring of the columns of jp (uses its CSC view); fills
 * ncolors, cptr and ccols. */
sf_status deriv_color_columns(sf_ctx *ctx, sf_jac_pattern *jp);

#endif
