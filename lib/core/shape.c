/* N-d shapes with row-major (C order) flattening. */
#include <stdio.h>
#include <string.h>

#include "internal.h"

sf_status sf_shape_make(sf_ctx *ctx, int ndim, const int64_t *dims, sf_shape *out) {
    if (!out || (ndim > 0 && !dims)) return sf_error(ctx, SF_ERR_ARG, "shape: NULL argument");
    if (ndim < 0 || ndim > SF_MAX_NDIM)
        return sf_error(ctx, SF_ERR_ARG, "shape: ndim %d is outside [0, %d]", ndim, SF_MAX_NDIM);
    sf_shape s = {ndim, {0}};
    for (int k = 0; k < ndim; k++) {
        if (dims[k] < 0)
            return sf_error(ctx, SF_ERR_ARG, "shape: extent %lld of axis %d is negative",
                            (long long)dims[k], k);
        s.dim[k] = dims[k];
    }
    *out = s;
    return SF_OK;
}

sf_status sf_shape_size(sf_ctx *ctx, const sf_shape *s, int64_t *out) {
    if (!s || !out) return sf_error(ctx, SF_ERR_ARG, "shape: NULL argument");
    if (s->ndim < 0 || s->ndim > SF_MAX_NDIM)
        return sf_error(ctx, SF_ERR_ARG, "shape: ndim %d is outside [0, %d]", s->ndim, SF_MAX_NDIM);
    int64_t n = 1;
    for (int k = 0; k < s->ndim; k++) {
        if (s->dim[k] < 0)
            return sf_error(ctx, SF_ERR_ARG, "shape: extent %lld of axis %d is negative",
                            (long long)s->dim[k], k);
        if (!sf_mul_i64(n, s->dim[k], &n)) {
            char buf[256];
            return sf_error(ctx, SF_ERR_TOO_LARGE, "shape %s has too many elements",
                            sf_shape_format(s, buf, sizeof buf));
        }
    }
    *out = n;
    return SF_OK;
}

void sf_shape_strides(const sf_shape *s, int64_t strides[SF_MAX_NDIM]) {
    int64_t stride = 1;
    for (int k = s->ndim - 1; k >= 0; k--) {
        strides[k] = stride;
        stride *= s->dim[k];
    }
}

const char *sf_shape_format(const sf_shape *s, char *buf, size_t len) {
    if (!buf || len == 0) return "";
    size_t used = (size_t)snprintf(buf, len, "(");
    for (int k = 0; s && k < s->ndim && used < len; k++)
        used += (size_t)snprintf(buf + used, len - used, k ? ", %lld" : "%lld",
                                 (long long)s->dim[k]);
    if (s && s->ndim == 1 && used < len) used += (size_t)snprintf(buf + used, len - used, ",");
    if (used < len) snprintf(buf + used, len - used, ")");
    return buf;
}
