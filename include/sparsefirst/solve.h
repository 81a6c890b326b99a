/* sparsefirst/solve.h — sparse triangular solves with a reusable analysis, and
 * sparse Cholesky through CHOLMOD.
 *
 * Triangular solves compute X = alpha * op(T)^-1 * B for a square handle T
 * whose `uplo` triangle is used.  The analysis (diagonal positions, levels of
 * the row dependencies and a per-thread schedule for the context's thread
 * count, at least 2 and at most 64) is kept in the handle and reused by every later solve; a
 * solve without prior analysis runs it first.  Every row is computed by one
 * thread in the same order of summation, so results are bitwise identical for
 * any thread count.  Threads are used when there is enough work and few rows
 * wait on another thread; the first threaded solve of an analysis is timed
 * against a single-thread one and threads are kept for it only if they were
 * at least 10% faster (a busy machine can make them far slower).
 *
 * Pivot policy: a missing diagonal entry or an exact zero pivot is
 * SF_ERR_SINGULAR naming the row, a NaN or infinite pivot SF_ERR_NONFINITE;
 * both are reported before any output is written.  Pivots are checked when the
 * analysis is built; a handle whose values change in place must be told with
 * sf_mat_values_changed (the library's refills do this), which drops the
 * analysis so that the next solve checks the new values.  Tiny but nonzero
 * pivots are used: each row is multiplied by 1/pivot (a division where some
 * pivot's reciprocal would overflow or be subnormal); sf_tri_info_get reports the
 * smallest and largest |pivot| so callers can judge the conditioning.
 * Non-finite values in B propagate to X.
 */
#ifndef SPARSEFIRST_SOLVE_H
#define SPARSEFIRST_SOLVE_H

#include "core.h"
#include "mat.h"
#include "ops.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum sf_uplo { SF_LOWER = 0, SF_UPPER = 1 } sf_uplo;
typedef enum sf_diag_type { SF_NON_UNIT = 0, SF_UNIT = 1 } sf_diag_type;

/* Flags of the triangular solves. */
enum {
    /* Read only the `uplo` triangle and ignore entries on the other side
     * (MKL's fill mode).  Without it such entries are SF_ERR_STRUCTURE naming
     * the first one's row and column. */
    SF_TRI_IGNORE_OTHER = 1
};

/* Analyse T for solves with op(T) using its `uplo` triangle and keep the result
 * in T (sf_mat_bytes grows by its size).  Checks the structure as a solve would
 * (wrong-side entries unless flags has SF_TRI_IGNORE_OTHER, non-square) and
 * notes the first bad pivot, which later solves with a stored diagonal report. */
sf_status sf_tri_analyze(sf_ctx *ctx, const sf_mat *T, sf_uplo uplo, sf_op op, unsigned flags);

/* X = alpha * op(T)^-1 * B for dense views B, X (n x k, either layout, any
 * leading dimension).  X may be the very same view as B (in-place); other
 * overlaps are not allowed.  On any error X is untouched.  Analyses T first if
 * needed (not thread-safe for that first call on one handle; later solves are). */
sf_status sf_tri_solve(sf_ctx *ctx, const sf_mat *T, sf_uplo uplo, sf_op op, sf_diag_type diag,
                       unsigned flags, double alpha, const sf_dense *B, sf_dense *X);

/* The one-vector case: x = alpha * op(T)^-1 * b (x may equal b). */
sf_status sf_tri_solve_vec(sf_ctx *ctx, const sf_mat *T, sf_uplo uplo, sf_op op,
                           sf_diag_type diag, unsigned flags, double alpha, const double *b,
                           double *x);

/* What the analysis found (runs it if needed). */
typedef struct sf_tri_info {
    int64_t levels;       /* length of the longest dependency chain */
    int64_t max_width;    /* rows in the widest level */
    int64_t cross_rows;   /* rows a threaded solve computes after waiting for another thread */
    size_t bytes;         /* bytes the analysis holds in the handle */
    double min_abs_pivot; /* over the diagonal of the triangle (0 if a pivot is missing) */
    double max_abs_pivot;
} sf_tri_info;
sf_status sf_tri_info_get(sf_ctx *ctx, const sf_mat *T, sf_uplo uplo, sf_op op, unsigned flags,
                          sf_tri_info *info);

/* ---------------------------------------------------------------- Cholesky */

typedef struct sf_chol sf_chol;

/* Flags of sf_chol_analyze / sf_chol_factor. */
enum {
    SF_CHOL_NATURAL = 1 /* no fill-reducing permutation (P = I); default is CHOLMOD's AMD/METIS choice */
};

/* Symbolic analysis of a symmetric matrix A (square; only its lower triangle,
 * diagonal included, is read — the upper triangle is ignored, not checked). */
sf_status sf_chol_analyze(sf_ctx *ctx, const sf_mat *A, unsigned flags, sf_chol **out);

/* Numeric factorization P A P' = L L' with the values of A, which must have the
 * analysed lower-triangle pattern (SF_ERR_STRUCTURE naming the first differing
 * row otherwise).  Call again with new values to refactor.  Not positive
 * definite: SF_ERR_NOT_SPD naming the column; the handle is then unfactored.
 * A NaN or Inf in the lower triangle: SF_ERR_NONFINITE naming it, the handle
 * unchanged. */
sf_status sf_chol_refactor(sf_ctx *ctx, sf_chol *ch, const sf_mat *A);

/* sf_chol_analyze followed by sf_chol_refactor; *out is set only on success. */
sf_status sf_chol_factor(sf_ctx *ctx, const sf_mat *A, unsigned flags, sf_chol **out);

/* X = A^-1 B for n x k dense views (either layout; X may be the same view as B).
 * Uses the handle's CHOLMOD workspace: one solve at a time per handle. */
sf_status sf_chol_solve(sf_ctx *ctx, sf_chol *ch, const sf_dense *B, sf_dense *X);

/* The factor L of P A P' as a new CSR handle (lower triangular, sorted rows), so
 * the triangular solves apply: A x = b is L y = P b, L' z = y, x = P' z. */
sf_status sf_chol_factor_L(sf_ctx *ctx, sf_chol *ch, sf_mat **out);

/* The permutation: perm[k] is the row of A that is row k of P A P' (n entries). */
sf_status sf_chol_permutation(sf_ctx *ctx, const sf_chol *ch, int64_t *perm);

/* log(det A) = 2 * sum log L_jj. */
sf_status sf_chol_logdet(sf_ctx *ctx, const sf_chol *ch, double *out);

/* Bytes held: the pattern and values kept through the context plus the memory
 * CHOLMOD holds for the factor (CHOLMOD allocates with its own allocator, so
 * that part is not in sf_ctx_bytes_in_use; it is reported here instead). */
size_t sf_chol_bytes(const sf_chol *ch);

/* Nonzeros of L (0 before the first factorization). */
int64_t sf_chol_nnz_L(const sf_chol *ch);

/* Free the handle; NULL does nothing. */
void sf_chol_free(sf_chol *ch);

#ifdef __cplusplus
}
#endif
#endif /* SPARSEFIRST_SOLVE_H */
