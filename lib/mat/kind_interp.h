/* lib/mat/kind_interp.h — the interpolation kind's constructor, shared by the
 * weight builder (lib/interp) and the .sfw loader (lib/io/sfw.c). */
#ifndef SF_KIND_INTERP_H
#define SF_KIND_INTERP_H

#include "mat_internal.h"

/* Encoding of sf_interp_w.src[i] for output i. */
#define SF_INTERP_NONE (-1)                  /* no source: write w[i] */
#define SF_INTERP_ONE(j) (-(int32_t)(j) - 2) /* one term: w[i] * x[j] */
#define SF_INTERP_ONE_SRC(s) (-(int64_t)(s) - 2)

/* A handle for data_shape -> out_shape along axis with src and w allocated
 * (not filled) and nnz = 0; the caller fills them and calls
 * sf_interp_count_nnz.  Sizes beyond SF_MAX_DIM are SF_ERR_TOO_LARGE. */
sf_status sf_interp_alloc(sf_ctx *ctx, const sf_shape *data_shape, int axis, int64_t m,
                          sf_mat **out);

/* Set m->nnz from the encoded sources (2, 1 or 0 entries per row). */
void sf_interp_count_nnz(sf_mat *m);

/* Check that every encoded source lies inside the data (for loaded files):
 * SF_ERR_CORRUPT naming the first bad row. */
sf_status sf_interp_check_sources(sf_ctx *ctx, const sf_mat *m, const char *what);

#endif
