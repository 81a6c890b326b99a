/* sparsefirst/core.h — status codes, the context, dense views and N-d shapes.
 *
 * Every fallible function of sparsefirst returns an sf_status (SF_OK == 0),
 * writes its outputs only on success, and leaves a human-readable message with
 * the detail in its context (sf_ctx_message).  The library never prints and
 * never exits.  All memory the library allocates is charged to a context.
 */
#ifndef SPARSEFIRST_CORE_H
#define SPARSEFIRST_CORE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------ status */

typedef enum sf_status {
    SF_OK = 0,
    SF_ERR_ARG,          /* invalid argument (NULL pointer, bad flag, bad option) */
    SF_ERR_SHAPE,        /* dimension or shape mismatch between operands */
    SF_ERR_NOMEM,        /* allocation failed or the context's memory limit was hit */
    SF_ERR_TOO_LARGE,    /* a dimension or count does not fit the index types */
    SF_ERR_IO,           /* a file could not be opened, read or written */
    SF_ERR_FORMAT,       /* malformed file contents (the message names line/offset) */
    SF_ERR_UNSUPPORTED,  /* valid input that this version does not handle */
    SF_ERR_INDEX,        /* an index is out of range */
    SF_ERR_STRUCTURE,    /* a structural rule is broken (unsorted, duplicate, wrong triangle) */
    SF_ERR_SINGULAR,     /* a zero or missing pivot */
    SF_ERR_NOT_SPD,      /* matrix is not symmetric positive definite */
    SF_ERR_NONFINITE,    /* a NaN or Inf where finite values are required */
    SF_ERR_CORRUPT,      /* checksum or consistency check of a stored file failed */
    SF_ERR_INTERNAL      /* a bug in sparsefirst or an underlying library */
} sf_status;

/* Short stable name of a status code, e.g. "SF_ERR_NOMEM"; never NULL. */
const char *sf_status_name(sf_status s);

/* ----------------------------------------------------------------- context */

typedef struct sf_ctx sf_ctx;

/* Create a context: threads = 1, no memory limit, accounting at zero.
 * Returns SF_ERR_ARG if out is NULL, SF_ERR_NOMEM if malloc fails. */
sf_status sf_ctx_create(sf_ctx **out);

/* Free the context.  Handles created with it must be freed first;
 * freeing NULL does nothing. */
void sf_ctx_free(sf_ctx *ctx);

/* Threads used by parallel kernels, 1 to 1024 (else SF_ERR_ARG).  Results
 * never depend on it. */
sf_status sf_ctx_set_threads(sf_ctx *ctx, int threads);
int sf_ctx_threads(const sf_ctx *ctx);

/* Cap the bytes the library may hold through this context at once
 * (0 = no limit).  An allocation that would pass it fails with SF_ERR_NOMEM,
 * and the message names the request and the limit. */
sf_status sf_ctx_set_memory_limit(sf_ctx *ctx, size_t bytes);
size_t sf_ctx_memory_limit(const sf_ctx *ctx);

/* Bytes held right now through this context, and the peak since creation
 * (or since the last sf_ctx_reset_peak). */
size_t sf_ctx_bytes_in_use(const sf_ctx *ctx);
size_t sf_ctx_bytes_peak(const sf_ctx *ctx);
void sf_ctx_reset_peak(sf_ctx *ctx);

/* Number of allocations made through the context since creation. */
uint64_t sf_ctx_alloc_count(const sf_ctx *ctx);

/* Message describing the last failure on this context ("" if none).  The
 * pointer stays valid until the next call that fails on the same context. */
const char *sf_ctx_message(const sf_ctx *ctx);

/* Testing hook: make the n-th allocation from now fail (n >= 1) as if the
 * system were out of memory; n = 0 switches it off.  Used by the test suite to
 * prove that every constructor and reader cleans up on failure. */
void sf_ctx_fail_allocation_after(sf_ctx *ctx, uint64_t n);

/* ------------------------------------------------------------- dense views */

/* A dense matrix in caller memory.  The library never owns or frees it.
 * Element (i, j) is at data[i*ld + j] (row-major) or data[i + j*ld]
 * (column-major), in units of one element (a double, or a pair of doubles
 * holding the real and imaginary part for SF_COMPLEX). */
typedef enum sf_layout { SF_ROW_MAJOR = 0, SF_COL_MAJOR = 1 } sf_layout;
typedef enum sf_dtype { SF_REAL = 0, SF_COMPLEX = 1 } sf_dtype;

typedef struct sf_dense {
    int64_t rows, cols;
    int64_t ld;        /* leading dimension, in elements */
    sf_layout layout;
    sf_dtype dtype;
    void *data;        /* double* or double[2]* (interleaved complex) */
} sf_dense;

/* A tightly packed view (ld = cols for row-major, rows for column-major). */
sf_dense sf_dense_view(int64_t rows, int64_t cols, sf_layout layout,
                       sf_dtype dtype, void *data);

/* Check a view: non-negative dimensions, a leading dimension large enough,
 * data not NULL when the view is non-empty.  `name` goes into the message. */
sf_status sf_dense_check(sf_ctx *ctx, const sf_dense *v, const char *name);

/* ------------------------------------------------------------------ shapes */

#define SF_MAX_NDIM 8

/* An N-d shape, row-major (C order) flattening as in NumPy.  ndim = 0 is a
 * scalar with one element. */
typedef struct sf_shape {
    int ndim;
    int64_t dim[SF_MAX_NDIM];
} sf_shape;

/* Build a shape from ndim extents; SF_ERR_ARG for ndim outside [0, 8] or a
 * negative extent. */
sf_status sf_shape_make(sf_ctx *ctx, int ndim, const int64_t *dims, sf_shape *out);

/* Number of elements (product of the extents) with overflow checked:
 * SF_ERR_TOO_LARGE if it does not fit int64_t. */
sf_status sf_shape_size(sf_ctx *ctx, const sf_shape *s, int64_t *out);

/* Row-major strides in elements (last axis stride 1). */
void sf_shape_strides(const sf_shape *s, int64_t strides[SF_MAX_NDIM]);

/* Format a shape as "(2, 3, 4)" (or "()" for a scalar) into buf. */
const char *sf_shape_format(const sf_shape *s, char *buf, size_t len);

#ifdef __cplusplus
}
#endif
#endif /* SPARSEFIRST_CORE_H */
