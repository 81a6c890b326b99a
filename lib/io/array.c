/* sf_array: N-d arrays in C order whose data the library owns, the form
 * every .npy file is read into; and dtype facts. */
#include <string.h>

#include "npy_internal.h"

static const struct {
    size_t size;
    const char *descr;
} dtypes[] = {{8, "<f8"}, {16, "<c16"}, {4, "<i4"}, {8, "<i8"}};

static bool dtype_valid(sf_npy_dtype d) { return (unsigned)d < sizeof dtypes / sizeof dtypes[0]; }

size_t sf_npy_dtype_size(sf_npy_dtype dtype) { return dtype_valid(dtype) ? dtypes[dtype].size : 0; }

const char *sf_npy_dtype_descr(sf_npy_dtype dtype) {
    return dtype_valid(dtype) ? dtypes[dtype].descr : "?";
}

sf_status sf_array_alloc(sf_ctx *ctx, sf_npy_dtype dtype, const sf_shape *shape, sf_array **out) {
    if (!dtype_valid(dtype))
        return sf_error(ctx, SF_ERR_ARG, "array: unknown dtype %d", (int)dtype);
    int64_t size;
    sf_status st = sf_shape_size(ctx, shape, &size);
    if (st) return st;
    sf_array *a = sf_alloc(ctx, sizeof *a, "array header");
    SF_CHECK_ALLOC(ctx, a);
    a->data = sf_alloc_array(ctx, (size_t)size, dtypes[dtype].size, "array data");
    if (!a->data) {
        sf_free(ctx, a);
        return sf_last_alloc_status(ctx);
    }
    a->ctx = ctx;
    a->dtype = dtype;
    a->shape = *shape;
    a->size = size;
    *out = a;
    return SF_OK;
}

sf_status sf_array_create(sf_ctx *ctx, sf_npy_dtype dtype, const sf_shape *shape,
                          sf_array **out) {
    if (!ctx) return SF_ERR_ARG;
    if (!shape || !out) return sf_error(ctx, SF_ERR_ARG, "sf_array_create: NULL argument");
    sf_array *a = NULL;
    sf_status st = sf_array_alloc(ctx, dtype, shape, &a);
    if (st) return st;
    memset(a->data, 0, (size_t)a->size * dtypes[dtype].size);
    *out = a;
    return SF_OK;
}

void sf_array_free(sf_array *a) {
    if (!a) return;
    sf_free(a->ctx, a->data);
    sf_free(a->ctx, a);
}

sf_status sf_array_dense_view(sf_ctx *ctx, const sf_array *a, sf_dense *out) {
    if (!ctx) return SF_ERR_ARG;
    if (!a || !out) return sf_error(ctx, SF_ERR_ARG, "sf_array_dense_view: NULL argument");
    if (a->dtype != SF_NPY_F8 && a->dtype != SF_NPY_C16)
        return sf_error(ctx, SF_ERR_UNSUPPORTED,
                        "sf_array_dense_view: dtype '%s' is not float64 or complex128",
                        sf_npy_dtype_descr(a->dtype));
    if (a->shape.ndim != 1 && a->shape.ndim != 2) {
        char buf[256];
        return sf_error(ctx, SF_ERR_SHAPE,
                        "sf_array_dense_view: shape %s is not 1-d or 2-d",
                        sf_shape_format(&a->shape, buf, sizeof buf));
    }
    int64_t cols = a->shape.ndim == 2 ? a->shape.dim[1] : 1;
    *out = sf_dense_view(a->shape.dim[0], cols, SF_ROW_MAJOR,
                         a->dtype == SF_NPY_F8 ? SF_REAL : SF_COMPLEX, a->data);
    return SF_OK;
}

bool sf_npy_order_irrelevant(const sf_shape *s) {
    int long_axes = 0;
    for (int k = 0; k < s->ndim; k++) long_axes += s->dim[k] > 1;
    return long_axes <= 1;
}

/* Walk the destination in C order with an odometer over the index, moving the
 * source offset by the Fortran stride of the axis that ticks.  Elements are
 * 4, 8 or 16 bytes; memcpy of a constant size compiles to plain moves. */
#define FORTRAN_TO_C(ESIZE)                                                      \
    do {                                                                         \
        for (int64_t q = 0; q < total; q++) {                                    \
            memcpy(d + (size_t)q * (ESIZE), s + (size_t)off * (ESIZE), (ESIZE)); \
            for (int k = nd - 1; k >= 0; k--) {                                  \
                off += fstride[k];                                               \
                if (++idx[k] < dim[k]) break;                                    \
                off -= fstride[k] * dim[k];                                      \
                idx[k] = 0;                                                      \
            }                                                                    \
        }                                                                        \
    } while (0)

void sf_npy_fortran_to_c(const sf_shape *sh, size_t esize, const void *src, void *dst) {
    const unsigned char *s = src;
    unsigned char *d = dst;
    int nd = sh->ndim;
    const int64_t *dim = sh->dim;
    int64_t fstride[SF_MAX_NDIM], idx[SF_MAX_NDIM] = {0}, total = 1, off = 0;
    for (int k = 0; k < nd; k++) {
        fstride[k] = total; /* Fortran order: the first axis is contiguous */
        total *= dim[k];
    }
    if (esize == 4) FORTRAN_TO_C(4);
    else if (esize == 8) FORTRAN_TO_C(8);
    else FORTRAN_TO_C(16);
}
