/* lib/ops/ops_internal.h — what the product kernels share.
 *
 * sf_spmm reduces every dense view to one or two real strided matrices
 * (a complex view becomes its real and imaginary halves, or one real view of
 * twice the columns when B and C are both row-major), then calls the kernel of
 * the handle's kind from the table in spmm.c.  Adding a kind's fast path: a
 * file lib/ops/spmm_NAME.c defining an sf_spmm_kernel and one line in that
 * table.  Kinds without a kernel run on a temporary CSR copy. */
#ifndef SF_OPS_INTERNAL_H
#define SF_OPS_INTERNAL_H

#include "../mat/mat_internal.h"
#include "sparsefirst/ops.h"

/* Real element (i, j) is data[i*rs + j*cs]; strides are in doubles. */
typedef struct sf_strided {
    double *data;
    int64_t rows, cols;
    int64_t rs, cs;
} sf_strided;

/* C = alpha * A * B + beta * C (apply) or alpha * A^T * B + beta * C
 * (apply_transpose) on real strided matrices whose shapes were checked, with
 * alpha != 0.  beta == 0 must not read C.  A kernel may fail only before it
 * writes C.  apply_transpose NULL: sf_spmm runs apply on the handle's cached
 * transpose.  Each output row must be computed in an order that does not
 * depend on the thread count. */
typedef sf_status (*sf_spmm_fn)(sf_ctx *ctx, double alpha, const sf_mat *A, const sf_strided *B,
                                double beta, const sf_strided *C);
typedef struct sf_spmm_kernel {
    sf_spmm_fn apply;
    sf_spmm_fn apply_transpose;
} sf_spmm_kernel;

extern const sf_spmm_kernel sf_spmm_csr_kernel, sf_spmm_diag_kernel, sf_spmm_select_kernel;
extern const sf_spmm_kernel sf_spmm_interp_kernel;

/* The output rule every kernel uses: beta == 0 ignores c (NaN included). */
static inline double sf_axpby(double alpha, double s, double beta, double c) {
    return beta == 0.0 ? alpha * s : alpha * s + beta * c;
}

/* C = beta * C; beta == 0 writes zeros without reading C. */
void sf_strided_scale(const sf_ctx *ctx, const sf_strided *C, double beta);

/* Rows [*r0, *r1) of part `part` of `parts` when rows are split into parts
 * of about equal work, row i costing rowptr[i+1] - rowptr[i] + 1 units.
 * Deterministic, and no row is split. */
void sf_split_rows(const int64_t *rowptr, int64_t rows, int parts, int part, int64_t *r0,
                   int64_t *r1);

/* The transpose of A kept in A's SF_CACHE_TRANSPOSE slot (built on first use
 * with sf_mat_transpose and charged to A's context).  Mutates the cache of a
 * const handle: not thread-safe for concurrent first calls on one handle.
 * Code that changes a handle's values calls sf_mat_values_changed. */
sf_status sf_cached_transpose(sf_ctx *ctx, const sf_mat *A, const sf_mat **out);

#endif
