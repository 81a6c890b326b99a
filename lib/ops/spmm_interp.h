/* lib/ops/spmm_interp.h — the kernels of the interpolation kind, shared by
 * sf_spmm (the linear part of the weights) and sf_interp_apply (lib/interp,
 * which also writes the fill value of outputs without a source). */
#ifndef SF_SPMM_INTERP_H
#define SF_SPMM_INTERP_H

#include "../mat/kind_interp.h"

/* Output i decoded once and used for every field: j and, for two terms,
 * j + stride, with weights w and 1 - w; NONE carries its fill in w. */
enum { SF_TERM_NONE = 0, SF_TERM_ONE = 1, SF_TERM_TWO = 2 };
typedef struct sf_interp_term {
    int64_t j, j2;
    double w, v;
    int kind;
} sf_interp_term;

static inline sf_interp_term sf_interp_term_of(const sf_interp_w *p, int64_t i) {
    int32_t s = p->src[i];
    double w = p->w[i];
    if (s >= 0) return (sf_interp_term){s, s + p->stride, w, 1.0 - w, SF_TERM_TWO};
    if (s == SF_INTERP_NONE) return (sf_interp_term){0, 0, w, 0.0, SF_TERM_NONE};
    return (sf_interp_term){SF_INTERP_ONE_SRC(s), 0, w, 0.0, SF_TERM_ONE};
}

/* The linear part of output i for field x (element stride `step`): a second
 * term is never multiplied in when absent, so NaN spreads only where used. */
static inline double sf_interp_term_apply(const sf_interp_term *t, const double *x, int64_t step) {
    if (t->kind == SF_TERM_TWO) return t->w * x[t->j * step] + t->v * x[t->j2 * step];
    if (t->kind == SF_TERM_ONE) return t->w * x[t->j * step];
    return 0.0;
}

/* o_f = alpha * W^T y_f + beta * o_f for nf fields (beta == 0 does not read
 * o), without building W^T: threads take disjoint ranges of columns, each
 * source value sums its terms in increasing output order (same bits for any
 * thread count). */
void sf_interp_scatter(const sf_ctx *ctx, const sf_mat *W, int nf, const double *const *y,
                       int64_t ystep, double *const *o, int64_t ostep, double alpha, double beta);

#endif
