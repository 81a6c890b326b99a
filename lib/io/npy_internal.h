/* lib/io/npy_internal.h — the pieces of the .npy reader and writer that are
 * shared between files: the parsed header and array allocation.
 *
 * Format (NumPy's NEP 1): magic "\x93NUMPY", major and minor version bytes, the
 * header length (2 bytes little-endian in 1.0, 4 bytes in 2.0 and 3.0), then a
 * Python dict literal {'descr': ..., 'fortran_order': ..., 'shape': (...)}
 * padded with spaces and ended by '\n', then the raw data. */
#ifndef SF_NPY_INTERNAL_H
#define SF_NPY_INTERNAL_H

#include <stdbool.h>

#include "../core/internal.h"
#include "sparsefirst/io.h"

/* Data is copied as bytes, so the host must share the files' byte order. */
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "the .npy reader and writer assume a little-endian host"
#endif

#define SF_NPY_MAGIC "\x93NUMPY"
#define SF_NPY_MAGIC_LEN 6
/* A header we can read is a few hundred bytes; anything far larger is a
 * structured dtype we do not support, or garbage, and must not make us
 * allocate gigabytes before saying so. */
#define SF_NPY_HEADER_MAX ((size_t)1 << 20)

typedef struct sf_npy_header {
    unsigned major, minor;
    size_t prelude;     /* 10 (version 1.0) or 12: magic, version, length */
    size_t header_len;  /* bytes of the dict text, padding included */
    size_t data_offset; /* prelude + header_len */
    sf_npy_dtype dtype;
    bool fortran;
    sf_shape shape;
    int64_t size;       /* elements */
    size_t data_bytes;  /* size * element size */
} sf_npy_header;

/* The first 8 bytes: magic and version (sets major, minor, prelude).
 * avail is how many bytes p holds. */
sf_status sf_npy_parse_magic(sf_ctx *ctx, const unsigned char *p, size_t avail, const char *name,
                             sf_npy_header *h);

/* The header length after the version (needs avail >= h->prelude); sets
 * header_len and data_offset. */
sf_status sf_npy_parse_length(sf_ctx *ctx, const unsigned char *p, size_t avail,
                              const char *name, sf_npy_header *h);

/* The dict text of h->header_len bytes (which start at file offset
 * h->prelude); sets dtype, fortran, shape, size and data_bytes. */
sf_status sf_npy_parse_dict(sf_ctx *ctx, const char *text, const char *name, sf_npy_header *h);

/* The message for a data section of `found` bytes where h announced
 * h->data_bytes (truncated or extra data). */
sf_status sf_npy_data_size_error(sf_ctx *ctx, const char *name, const sf_npy_header *h,
                                 size_t found);

/* An array of the given dtype and shape whose data is not initialised. */
sf_status sf_array_alloc(sf_ctx *ctx, sf_npy_dtype dtype, const sf_shape *shape,
                         sf_array **out);

/* True when Fortran and C order put the elements of shape s in the same
 * places: at most one axis is longer than 1. */
bool sf_npy_order_irrelevant(const sf_shape *s);

/* Copy Fortran-ordered elements of esize bytes into C order. */
void sf_npy_fortran_to_c(const sf_shape *s, size_t esize, const void *src, void *dst);

#endif
