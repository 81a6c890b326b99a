/* tests/interp/interp_ref.h — an independent, naive reference for the
 * interpolation suites: one target at a time, binary search on the column,
 * and random N-d cases with their coordinates and a field. */
#ifndef SF_INTERP_REF_H
#define SF_INTERP_REF_H

#include "testutil.h"

/* Value at v of the column (x[k*xs], f[k*fs]) for k < n (n <= 64), x
 * monotonic either way. */
double ref_interp(const double *x, int64_t xs, const double *f, int64_t fs, int64_t n, double v,
                  sf_interp_method method, sf_interp_extrap ex, double fill);

/* A random case: data shape, axis, coordinates and one field (malloc'ed). */
typedef struct ref_case {
    sf_shape data, xp_shape, xnew_shape, out;
    int axis;
    int64_t n, m, pre, post, size, out_size;
    double *xp, *xnew, *f;
    bool xp_shared, xnew_shared, falling, repeats;
} ref_case;

/* Random extents in [1, 4] (axis n in [1, 6], m in [1, 7]); coordinates
 * positive (for log), falling when asked; targets mix points below, above,
 * on and between the source points. */
void ref_case_make(ref_case *c, int ndim, int axis, bool xp_shared, bool xnew_shared,
                   bool falling, uint64_t seed);
void ref_case_free(ref_case *c);

/* New coordinates of the same shapes (the next time step), rising or falling. */
void ref_case_recoordinate(ref_case *c, bool falling, uint64_t seed);

/* Build W for the case, apply it to c->f, and compare every output with
 * ref_interp (NaN must match NaN).  Returns the handle (caller frees). */
sf_mat *ref_check_case(sf_ctx *ctx, const ref_case *c, sf_interp_method method,
                       sf_interp_extrap ex, double fill);

#endif
