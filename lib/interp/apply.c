/* Applying interpolation weights to K fields at once, and their adjoint.
 *
 * Forward: each output value gathers one or two source values; the weight is
 * read once and used for all K fields, and outputs without a source get the
 * fill value (NaN or the constant).  Adjoint: the scatter of lib/ops, over
 * disjoint column ranges, so the same bits for any thread count. */
#include <string.h>

#include "../ops/spmm_interp.h"
#include "sparsefirst/interp.h"

/* Outputs larger than this are written with streaming stores: they are not
 * read back soon, and skipping the read-for-ownership of each line saves a
 * third of the traffic of a one-field apply. */
#define STREAM_BYTES ((int64_t)8 << 20)

#if defined(__x86_64__)
#include <emmintrin.h>
static inline void put(double *p, double v, bool stream) {
    if (!stream) {
        *p = v;
        return;
    }
    long long bits;
    memcpy(&bits, &v, sizeof bits);
    _mm_stream_si64((long long *)p, bits);
}
static inline void put_fence(bool stream) {
    if (stream) _mm_sfence();
}
#else
static inline void put(double *p, double v, bool stream) { (void)stream, *p = v; }
static inline void put_fence(bool stream) { (void)stream; }
#endif

static inline double output_value(const sf_interp_term *t, const double *f) {
    return t->kind == SF_TERM_NONE ? t->w : sf_interp_term_apply(t, f, 1);
}

static sf_status check_apply(sf_ctx *ctx, const sf_mat *W, int nfields, const void *fields,
                             const void *outs, const char *fn) {
    if (!ctx) return SF_ERR_ARG;
    if (!W || W->kind != SF_INTERP)
        return sf_error(ctx, SF_ERR_ARG, "%s: W is not an interpolation handle", fn);
    if (nfields < 0) return sf_error(ctx, SF_ERR_ARG, "%s: negative field count %d", fn, nfields);
    if (nfields > 0 && (!fields || !outs))
        return sf_error(ctx, SF_ERR_ARG, "%s: NULL field or output list", fn);
    const double *const *f = fields;
    double *const *o = outs;
    for (int k = 0; k < nfields; k++)
        if (!f[k] || !o[k]) return sf_error(ctx, SF_ERR_ARG, "%s: field or output %d is NULL", fn, k);
    return SF_OK;
}

/* Several fields: each field streams through a chunk of outputs in turn, so
 * the chunk's weights (12 B x 8192 = 96 KB) come from memory for the first
 * field and from cache for the others, while each field still reads and
 * writes long contiguous runs that the hardware prefetchers follow. */
enum { APPLY_CHUNK = 8192 };

static void apply_chunk(const sf_interp_w *p, int64_t i0, int64_t rows, int nf,
                        const double *const *f, double *const *o, bool stream) {
    int64_t i1 = rows - i0 < APPLY_CHUNK ? rows : i0 + APPLY_CHUNK;
    for (int k = 0; k < nf; k++) {
        const double *fk = f[k];
        double *ok = o[k];
        for (int64_t i = i0; i < i1; i++) {
            sf_interp_term t = sf_interp_term_of(p, i);
            put(&ok[i], output_value(&t, fk), stream);
        }
    }
}

sf_status sf_interp_apply(sf_ctx *ctx, const sf_mat *W, int nfields,
                          const double *const *fields, double *const *outs) {
    sf_status st = check_apply(ctx, W, nfields, fields, outs, "sf_interp_apply");
    if (st || nfields == 0) return st;
    const sf_interp_w *p = &W->u.interp;
    int64_t rows = W->rows;
    int threads = sf_threads_for(ctx, rows * nfields);
    bool stream = rows * (int64_t)sizeof(double) > STREAM_BYTES;
    int64_t nchunk = (rows + APPLY_CHUNK - 1) / APPLY_CHUNK;
#pragma omp parallel num_threads(threads)
    {
        if (nfields == 1) { /* the common case without the field loop */
            const double *f = fields[0];
            double *o = outs[0];
#pragma omp for schedule(static)
            for (int64_t i = 0; i < rows; i++) {
                sf_interp_term t = sf_interp_term_of(p, i);
                put(&o[i], output_value(&t, f), stream);
            }
        } else {
#pragma omp for schedule(static)
            for (int64_t q = 0; q < nchunk; q++)
                apply_chunk(p, q * APPLY_CHUNK, rows, nfields, fields, outs, stream);
        }
        put_fence(stream); /* this thread's streaming stores visible before returning */
    }
    return SF_OK;
}

sf_status sf_interp_apply_adjoint(sf_ctx *ctx, const sf_mat *W, int nfields,
                                  const double *const *fields, double *const *outs) {
    sf_status st = check_apply(ctx, W, nfields, fields, outs, "sf_interp_apply_adjoint");
    if (st || nfields == 0) return st;
    sf_interp_scatter(ctx, W, nfields, fields, 1, outs, 1, 1.0, 0.0);
    return SF_OK;
}

static bool shape_eq(const sf_shape *a, const sf_shape *b) {
    if (a->ndim != b->ndim) return false;
    for (int k = 0; k < a->ndim; k++)
        if (a->dim[k] != b->dim[k]) return false;
    return true;
}

sf_status sf_interp_check_shape(sf_ctx *ctx, const sf_mat *W, const sf_shape *shape,
                                int adjoint) {
    if (!ctx) return SF_ERR_ARG;
    if (!W || W->kind != SF_INTERP || !shape)
        return sf_error(ctx, SF_ERR_ARG, "sf_interp_check_shape: W is not an interpolation handle");
    const sf_shape *want = adjoint ? &W->u.interp.out_shape : &W->u.interp.data_shape;
    if (shape_eq(shape, want)) return SF_OK;
    char b1[160], b2[160];
    return sf_error(ctx, SF_ERR_SHAPE, "field of shape %s does not match the weights' %s shape %s",
                    sf_shape_format(shape, b1, sizeof b1), adjoint ? "output" : "data",
                    sf_shape_format(want, b2, sizeof b2));
}

sf_status sf_interp_get_info(sf_ctx *ctx, const sf_mat *W, sf_interp_info *info) {
    if (!ctx) return SF_ERR_ARG;
    if (!W || W->kind != SF_INTERP || !info)
        return sf_error(ctx, SF_ERR_ARG, "sf_interp_get_info: W is not an interpolation handle");
    const sf_interp_w *p = &W->u.interp;
    *info = (sf_interp_info){p->data_shape, p->out_shape, p->axis, (sf_interp_method)p->method,
                             (sf_interp_extrap)p->extrapolate, p->fill};
    return SF_OK;
}

const char *sf_interp_method_name(sf_interp_method m) {
    static const char *const names[] = {"linear", "nearest", "log"};
    return (unsigned)m <= SF_INTERP_LOG ? names[m] : "unknown";
}

const char *sf_interp_extrap_name(sf_interp_extrap e) {
    static const char *const names[] = {"clamp", "nan", "constant", "linear"};
    return (unsigned)e <= SF_EXTRAP_LINEAR ? names[e] : "unknown";
}
