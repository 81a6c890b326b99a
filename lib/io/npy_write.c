/* Writing .npy files the way NumPy does: version 1.0 (2.0 only if the header
 * outgrows 65535 bytes), the dict in NumPy's own spelling, and spaces before
 * the final '\n' so the data starts at a multiple of 64 bytes, which lets
 * readers map the data aligned. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "npy_internal.h"
#include "out_file.h"

#define ALIGN 64

/* Prelude + dict + padding + '\n' into buf; returns the total length. */
static size_t format_header(sf_npy_dtype dtype, const sf_shape *shape, char *buf, size_t cap) {
    char dims[SF_MAX_NDIM * 24 + 8];
    char dict[sizeof dims + 96];
    int n = snprintf(dict, sizeof dict, "{'descr': '%s', 'fortran_order': False, 'shape': %s, }",
                     sf_npy_dtype_descr(dtype), sf_shape_format(shape, dims, sizeof dims));
    size_t len = (size_t)n + 1; /* the '\n' */
    size_t prelude = 10, total = (prelude + len + ALIGN - 1) / ALIGN * ALIGN;
    if (total - prelude > 65535) { /* the 2-byte length of version 1.0 is too small */
        prelude = 12;
        total = (prelude + len + ALIGN - 1) / ALIGN * ALIGN;
    }
    size_t hlen = total - prelude;
    if (total > cap) return 0;
    memcpy(buf, SF_NPY_MAGIC, SF_NPY_MAGIC_LEN);
    buf[6] = prelude == 10 ? 1 : 2;
    buf[7] = 0;
    for (size_t k = 8; k < prelude; k++) buf[k] = (char)(hlen >> (8 * (k - 8)) & 0xff);
    memcpy(buf + prelude, dict, (size_t)n);
    memset(buf + prelude + n, ' ', hlen - (size_t)n - 1);
    buf[total - 1] = '\n';
    return total;
}

sf_status sf_npy_write(sf_ctx *ctx, const char *path, sf_npy_dtype dtype, const sf_shape *shape,
                       const void *data) {
    if (!ctx) return SF_ERR_ARG;
    if (!path || !shape) return sf_error(ctx, SF_ERR_ARG, "sf_npy_write: NULL argument");
    size_t esize = sf_npy_dtype_size(dtype);
    if (!esize) return sf_error(ctx, SF_ERR_ARG, "sf_npy_write: unknown dtype %d", (int)dtype);
    int64_t size, bytes;
    sf_status st = sf_shape_size(ctx, shape, &size);
    if (st) {
        sf_error_prefix(ctx, "sf_npy_write");
        return st;
    }
    if (!sf_mul_i64(size, (int64_t)esize, &bytes))
        return sf_error(ctx, SF_ERR_TOO_LARGE, "sf_npy_write: %lld elements overflow",
                        (long long)size);
    if (size > 0 && !data) return sf_error(ctx, SF_ERR_ARG, "sf_npy_write: data is NULL");
    char header[1024];
    size_t hlen = format_header(dtype, shape, header, sizeof header);
    bool regular;
    FILE *fp = sf_out_open(path, "wb", &regular);
    if (!fp) return sf_error(ctx, SF_ERR_IO, "%s: cannot create: %s", path, strerror(errno));
    bool ok = fwrite(header, 1, hlen, fp) == hlen &&
              (bytes == 0 || fwrite(data, 1, (size_t)bytes, fp) == (size_t)bytes);
    int err = errno;
    if (fclose(fp) != 0 && ok) {
        ok = false;
        err = errno;
    }
    if (!ok) {
        sf_out_discard(path, regular); /* no half-written file that looks like an array */
        return sf_error(ctx, SF_ERR_IO, "%s: write error: %s", path, strerror(err));
    }
    return SF_OK;
}
