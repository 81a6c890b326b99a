/* sparsefirst/io.h — Matrix Market (.mtx) and NumPy (.npy) files.
 *
 * Readers take a path or a memory buffer (the buffer name is used in
 * messages), validate everything, and report the line (Matrix Market) or byte
 * offset (.npy) of the first problem in the context's message.  Writers use
 * %.17g so every double round-trips exactly.
 */
#ifndef SPARSEFIRST_IO_H
#define SPARSEFIRST_IO_H

#include "core.h"
#include "mat.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------ Matrix Market */

typedef enum sf_mm_format { SF_MM_COORDINATE = 0, SF_MM_ARRAY = 1 } sf_mm_format;
typedef enum sf_mm_field {
    SF_MM_REAL = 0, SF_MM_INTEGER = 1, SF_MM_PATTERN = 2, SF_MM_COMPLEX = 3
} sf_mm_field;
typedef enum sf_mm_symmetry {
    SF_MM_GENERAL = 0, SF_MM_SYMMETRIC = 1, SF_MM_SKEW_SYMMETRIC = 2, SF_MM_HERMITIAN = 3
} sf_mm_symmetry;

/* What the file said about itself. */
typedef struct sf_mm_info {
    sf_mm_format format;
    sf_mm_field field;
    sf_mm_symmetry symmetry;
    int64_t rows, cols;
    int64_t entries; /* entries listed in the file (before symmetric expansion) */
} sf_mm_info;

/* Read a Matrix Market file into a CSR handle.  Symmetric and skew-symmetric
 * files are expanded to both triangles; pattern entries get the value 1;
 * duplicates are summed; array files keep their nonzeros.  Complex files are
 * SF_ERR_UNSUPPORTED.  info may be NULL.  The file is read in one pass.
 * Accepted: blank and comment lines anywhere after the banner, CRLF, keywords
 * in any case, inf/nan, underflow to a denormal or zero.  Rejected (with
 * "NAME: line N: ..."): a value that overflows a double (1e400), an entry
 * above the diagonal of a symmetric file.  An explicit -0 or 0 entry of a
 * coordinate file is kept; zeros of an array file are dropped. */
sf_status sf_mm_read(sf_ctx *ctx, const char *path, sf_mat **out, sf_mm_info *info);

/* The same from a memory buffer of len bytes; name is used in messages. */
sf_status sf_mm_read_buffer(sf_ctx *ctx, const char *data, size_t len, const char *name,
                            sf_mat **out, sf_mm_info *info);

/* Write a handle of any kind as "coordinate real general", values in %.17g.
 * On a failed write a regular file at path is removed (no partial matrix). */
sf_status sf_mm_write(sf_ctx *ctx, const char *path, const sf_mat *m);

/* Write a real dense view as "array real general" (column-major, as the
 * format requires); on failure as sf_mm_write. */
sf_status sf_mm_write_dense(sf_ctx *ctx, const char *path, const sf_dense *d);

/* ---------------------------------------------------------------- .npy */

typedef enum sf_npy_dtype {
    SF_NPY_F8 = 0,  /* <f8  float64 */
    SF_NPY_C16 = 1, /* <c16 complex128 (interleaved real, imaginary) */
    SF_NPY_I4 = 2,  /* <i4  int32 */
    SF_NPY_I8 = 3   /* <i8  int64 */
} sf_npy_dtype;

/* An N-d array whose data the library allocated (charged to ctx), always in
 * C (row-major) order in memory whatever the file's order was. */
typedef struct sf_array {
    sf_ctx *ctx;
    sf_npy_dtype dtype;
    sf_shape shape;
    int64_t size; /* number of elements */
    void *data;
} sf_array;

/* Bytes of one element of a dtype; its NumPy descr ("<f8", ...). */
size_t sf_npy_dtype_size(sf_npy_dtype dtype);
const char *sf_npy_dtype_descr(sf_npy_dtype dtype);

/* Allocate a zero-filled array of the given dtype and shape. */
sf_status sf_array_create(sf_ctx *ctx, sf_npy_dtype dtype, const sf_shape *shape,
                          sf_array **out);

/* Free an array from sf_array_create or sf_npy_read; NULL does nothing. */
void sf_array_free(sf_array *a);

/* Read a Matrix Market file as a dense float64 array of shape (rows, cols):
 * an array file value for value (-0.0 included, so what sf_mm_write_dense
 * wrote reads back bit for bit), a coordinate file's entries summed into
 * zeros; symmetric kinds expanded.  The same checks and messages as
 * sf_mm_read; *out is set only on success. */
sf_status sf_mm_read_array(sf_ctx *ctx, const char *path, sf_array **out, sf_mm_info *info);

/* Read a .npy file (format versions 1.0, 2.0, 3.0; dtypes <f8 <c16 <i4 <i8;
 * C or Fortran order; any ndim up to 8, 0-d included).  Fortran-ordered data
 * is transposed to C order.  Truncated files, unsupported or big-endian
 * dtypes, object arrays and headers that disagree with the file size are
 * SF_ERR_FORMAT or SF_ERR_UNSUPPORTED with the reason. */
sf_status sf_npy_read(sf_ctx *ctx, const char *path, sf_array **out);

/* The same from a memory buffer; name is used in messages. */
sf_status sf_npy_read_buffer(sf_ctx *ctx, const void *data, size_t len, const char *name,
                             sf_array **out);

/* Write C-ordered data of the given dtype and shape as a .npy file (version
 * 1.0, or 2.0 when the header needs it). */
sf_status sf_npy_write(sf_ctx *ctx, const char *path, sf_npy_dtype dtype, const sf_shape *shape,
                       const void *data);

/* A dense view over a 1-D (as n x 1) or 2-D float64/complex128 array, row-major.
 * SF_ERR_SHAPE for other ndims, SF_ERR_UNSUPPORTED for integer dtypes. */
sf_status sf_array_dense_view(sf_ctx *ctx, const sf_array *a, sf_dense *out);

#ifdef __cplusplus
}
#endif
#endif /* SPARSEFIRST_IO_H */
