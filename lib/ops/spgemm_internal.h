/* lib/ops/spgemm_internal.h — what Gustavson's symbolic+numeric product
 * (spgemm_gustavson.c) and its numeric-only refill (spgemm_numeric.c) share:
 * the per-thread dense accumulator and the scatter of one row into it. */
#ifndef SF_SPGEMM_INTERNAL_H
#define SF_SPGEMM_INTERNAL_H

#include "ops_internal.h"

/* Per-thread workspace: mark[j] = last row that touched column j (+1),
 * acc[j] its partial sum. */
typedef struct sf_spgemm_ws {
    int64_t *mark;
    double *acc;
} sf_spgemm_ws;

/* n workspaces of `cols` columns (marks zeroed), charged to ctx; NULL on
 * failure with nothing left allocated. */
sf_spgemm_ws *sf_spgemm_ws_new(sf_ctx *ctx, int n, int64_t cols);
void sf_spgemm_ws_free(sf_ctx *ctx, sf_spgemm_ws *w, int n);

/* Threads for a product of A and B (the same rule for both passes). */
int sf_spgemm_threads(sf_ctx *ctx, const sf_mat *A, const sf_mat *B);

/* Row i of A * B into w->acc: the first term reaching column j assigns and
 * marks mark[j] = -(i+1), later ones add, in A's then B's stored order, so
 * the sums do not depend on who calls.  Columns first reached are appended
 * to cols (if non-NULL); returns their number. */
static inline int64_t sf_spgemm_row_scatter(const sf_mat *A, const sf_mat *B, int64_t i,
                                            sf_spgemm_ws *w, int32_t *cols) {
    int64_t n = 0;
    for (int64_t p = A->u.csr.rowptr[i]; p < A->u.csr.rowptr[i + 1]; p++) {
        int32_t k = A->u.csr.colind[p];
        double a = A->u.csr.val[p];
        for (int64_t q = B->u.csr.rowptr[k]; q < B->u.csr.rowptr[k + 1]; q++) {
            int32_t j = B->u.csr.colind[q];
            if (w->mark[j] != -(i + 1)) {
                w->mark[j] = -(i + 1);
                w->acc[j] = a * B->u.csr.val[q];
                if (cols) cols[n++] = j;
            } else {
                w->acc[j] += a * B->u.csr.val[q];
            }
        }
    }
    return n;
}

/* C's values rewritten as A * B (CSR, shapes checked) into C's sorted CSR
 * pattern, slots no term reaches set to 0, with the same bits as a fresh
 * product.  First checks that every term lands in the pattern; if one does
 * not, writes nothing, sets *bad_row, *bad_col to the first such term (in
 * row order) and returns SF_ERR_STRUCTURE without a message. */
sf_status sf_spgemm_numeric(sf_ctx *ctx, const sf_mat *A, const sf_mat *B, sf_mat *C,
                            int64_t *bad_row, int64_t *bad_col);

#endif
