/* sparsefirst/ops.h — products of sparse handles with dense data and with
 * each other.  Every kind of sf_mat is accepted; diagonal, selection and
 * interpolation handles take fast paths that cost O(nnz * columns). */
#ifndef SPARSEFIRST_OPS_H
#define SPARSEFIRST_OPS_H

#include "core.h"
#include "mat.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum sf_op { SF_OP_NONE = 0, SF_OP_TRANSPOSE = 1 } sf_op;

/* C = alpha * op(A) * B + beta * C for dense views B, C (either layout, any
 * leading dimension).  beta = 0 overwrites C without reading it (NaN in C is
 * ignored).  Threaded; results are bitwise identical for any thread count.
 * Shape mismatches are SF_ERR_SHAPE naming both shapes; B and C whose
 * memory spans overlap are SF_ERR_ARG.  B and C may be
 * complex (both): the real A applies to real and imaginary parts.
 * The first transposed product of a CSR (or selection) handle caches its
 * transpose in the handle (counted in sf_mat_bytes, freed with it): not
 * thread-safe for concurrent first calls on the same handle. */
sf_status sf_spmm(sf_ctx *ctx, double alpha, const sf_mat *A, sf_op op, const sf_dense *B,
                  double beta, sf_dense *C);

/* y = alpha * op(A) * x + beta * y for vectors (the one-column case). */
sf_status sf_spmv(sf_ctx *ctx, double alpha, const sf_mat *A, sf_op op, const double *x,
                  double beta, double *y);

/* C = A * B for two handles (SpGEMM).  diag * diag stays diagonal, diag * CSR
 * and CSR * diag keep the CSR pattern and only scale: with a CSR factor of the
 * same context the result shares its pattern and allocates only its values
 * (see sf_mat_bytes).  The result has sorted rows. */
sf_status sf_mat_multiply(sf_ctx *ctx, const sf_mat *A, const sf_mat *B, sf_mat **out);

/* G = B^H * D * B (real: B^T * D * B) for a square handle D (r x r), B r x k
 * real or complex (interleaved), G k x k of B's dtype in any layout.  Diagonal
 * D takes dsyrk/zherk on the rows scaled by sqrt|d| (G exactly Hermitian; a
 * row of weight 0 is skipped, as a sparse zero is, so Inf or NaN in it does
 * not reach G), other
 * kinds W = D * B then dgemm/zgemm.  The dense part is OpenBLAS's, so G may
 * depend on OpenBLAS's own thread count.  B and G must not overlap. */
sf_status sf_gram(sf_ctx *ctx, const sf_mat *D, const sf_dense *B, sf_dense *G);

#ifdef __cplusplus
}
#endif
#endif /* SPARSEFIRST_OPS_H */
