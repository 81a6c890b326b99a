/* tests/ops/ops_testutil.h — handles of every kind and padded dense views
 * for the product tests, with naive dense references. */
#ifndef SF_OPS_TESTUTIL_H
#define SF_OPS_TESTUTIL_H

#include "testutil.h"

/* A rows x cols handle of the kind (diagonal: square rows x rows; selection:
 * some rows unselected, weights random; interpolation: linear weights from
 * the grid 0..cols-1 to random targets) built from seed. */
sf_mat *ot_handle(sf_ctx *ctx, sf_kind kind, int64_t rows, int64_t cols, uint64_t seed);

/* A view with ld = inner + pad, random values, and padding set to a sentinel
 * so writes outside the view can be detected.  Free with ot_view_free. */
sf_dense ot_view(int64_t rows, int64_t cols, sf_layout layout, sf_dtype dtype, int64_t pad,
                 uint64_t seed);
void ot_view_free(sf_dense *v);
/* Element (i, j) (real part, and imaginary part at [1] when complex). */
double *ot_at(const sf_dense *v, int64_t i, int64_t j);
/* Assert every padding slot still holds the sentinel. */
void ot_assert_pad_intact(const sf_dense *v);
/* A packed row-major copy of a real view (malloc'ed). */
double *ot_rowmajor(const sf_dense *v);

/* want = alpha * op(Ad) * B + beta * C0 for dense row-major Ad (m0 x n0),
 * real views; beta == 0 ignores C0.  Returns malloc'ed row-major. */
double *ot_ref_product(const double *Ad, int64_t m0, int64_t n0, sf_op op, double alpha,
                       const sf_dense *B, double beta, const sf_dense *C0);

#endif
