/* sparsefirst/interp.h — 1-D interpolation along one axis of an N-d array,
 * built once as a sparse weight matrix and applied to many fields.
 *
 * Data of shape (..., n, ...) (n along `axis`) becomes (..., m, ...).  Each
 * "column" (a line along `axis`) has its own source grid (or all share one)
 * and its own targets (or all share one).  The weights are an sf_mat of kind
 * SF_INTERP with rows = size of the output and cols = size of the data
 * (row-major flattening): one source index and one weight per output value
 * (12 bytes), so every product of ops.h accepts it.
 *
 * Out-of-range policies SF_EXTRAP_NAN and SF_EXTRAP_CONSTANT make the map
 * affine: those outputs have an empty row in the matrix (sf_spmm and
 * sf_mat_export_csr see 0 there) and sf_interp_apply writes NaN or the fill
 * value into them.  The adjoint is the transpose of the linear part: those
 * outputs contribute nothing.
 *
 * Repeated source coordinates: a target equal to a repeated coordinate takes
 * the value of the last of the equal points in increasing-coordinate order
 * (NumPy's interp on the increasing grid); between two points the usual
 * linear formula of the enclosing distinct pair is used.
 */
#ifndef SPARSEFIRST_INTERP_H
#define SPARSEFIRST_INTERP_H

#include "core.h"
#include "mat.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum sf_interp_method {
    SF_INTERP_LINEAR = 0,  /* linear in x */
    SF_INTERP_NEAREST = 1, /* value of the nearest source point; a tie goes to the lower x */
    SF_INTERP_LOG = 2      /* linear in log(x) (log-pressure); every x must be > 0 */
} sf_interp_method;

typedef enum sf_interp_extrap {
    SF_EXTRAP_CLAMP = 0,    /* the edge value, as NumPy's interp */
    SF_EXTRAP_NAN = 1,      /* NaN */
    SF_EXTRAP_CONSTANT = 2, /* the fill value */
    SF_EXTRAP_LINEAR = 3    /* continue the first / last segment (not with NEAREST;
                               an infinite target is refused: its weights would be) */
} sf_interp_extrap;

/* Build the weights.  xp has shape (n,) (shared by every column) or the data
 * shape; xnew has shape (m,) or the data shape with `axis` resized to m.  Each
 * source column must be monotonic (non-decreasing or non-increasing, detected
 * per column); sorted targets take a merge walk, unsorted ones a search.
 * An empty axis (n = 0) or no targets (m = 0) is SF_ERR_SHAPE: a weight
 * handle has at least one source and one target per column. */
sf_status sf_interp_weights(sf_ctx *ctx, const double *xp, const sf_shape *xp_shape,
                            const double *xnew, const sf_shape *xnew_shape,
                            const sf_shape *data_shape, int axis, sf_interp_method method,
                            sf_interp_extrap extrapolate, double fill, sf_mat **W);

/* Rebuild W in place for new coordinates (the pressure of the next time
 * step): the data shape, axis, target count, method and policy W was built
 * with; xp, xnew as in sf_interp_weights.  The same checks and messages;
 * every column is checked before anything is written, so on error W is
 * unchanged.  Allocates nothing unless 2 (n + m) + 1 > 4096; drops W's caches. */
sf_status sf_interp_weights_update(sf_ctx *ctx, sf_mat *W, const double *xp,
                                   const sf_shape *xp_shape, const double *xnew,
                                   const sf_shape *xnew_shape);

/* What a weight handle was built for.  SF_ERR_ARG if W is not SF_INTERP. */
typedef struct sf_interp_info {
    sf_shape data_shape, out_shape;
    int axis;
    sf_interp_method method;
    sf_interp_extrap extrapolate;
    double fill;
} sf_interp_info;
sf_status sf_interp_get_info(sf_ctx *ctx, const sf_mat *W, sf_interp_info *info);

/* out_k = W f_k for k < nfields (fields of the data shape, outputs of the
 * output shape), reading each weight once for all fields; threaded, the same
 * bits for any thread count.  NaN in a field reaches only outputs using it. */
sf_status sf_interp_apply(sf_ctx *ctx, const sf_mat *W, int nfields,
                          const double *const *fields, double *const *outs);

/* The adjoint: out_k = W^T f_k (fields of the output shape, outputs of the
 * data shape), scatter-added without building the transpose. */
sf_status sf_interp_apply_adjoint(sf_ctx *ctx, const sf_mat *W, int nfields,
                                  const double *const *fields, double *const *outs);

/* SF_ERR_SHAPE naming both shapes unless `shape` is the shape W expects for
 * its input (adjoint = 0: the data shape; 1: the output shape). */
sf_status sf_interp_check_shape(sf_ctx *ctx, const sf_mat *W, const sf_shape *shape,
                                int adjoint);

/* Save / load weights as a .sfw file (docs/sfw-format.md): header, arrays and
 * an FNV-1a 64 checksum.  Truncated or corrupted files are SF_ERR_FORMAT /
 * SF_ERR_CORRUPT naming the problem. */
sf_status sf_interp_save(sf_ctx *ctx, const sf_mat *W, const char *path);
sf_status sf_interp_load(sf_ctx *ctx, const char *path, sf_mat **W);

/* Names: "linear", "nearest", "log"; "clamp", "nan", "constant", "linear". */
const char *sf_interp_method_name(sf_interp_method m);
const char *sf_interp_extrap_name(sf_interp_extrap e);

#ifdef __cplusplus
}
#endif
#endif /* SPARSEFIRST_INTERP_H */
