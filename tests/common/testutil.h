/* tests/common/testutil.h — shared helpers of the Criterion suites:
 * contexts that must end with zero bytes in use, seeded random data, naive
 * dense references and comparisons. */
#ifndef SF_TESTUTIL_H
#define SF_TESTUTIL_H

#include <criterion/criterion.h>
#include <stdint.h>
#include <string.h>

#include "sparsefirst.h"

/* A fresh context; tu_ctx_done asserts that every byte came back. */
sf_ctx *tu_ctx(void);
void tu_ctx_done(sf_ctx *ctx);

/* Deterministic xorshift random numbers. */
uint64_t tu_rand(uint64_t *state);
double tu_uniform(uint64_t *state); /* in [-1, 1) */

/* A random rows x cols CSR handle with about `density` of entries filled
 * (built through triplets), and the same matrix densely, row-major. */
sf_mat *tu_random_csr(sf_ctx *ctx, int64_t rows, int64_t cols, double density, uint64_t seed);
double *tu_dense_of(sf_ctx *ctx, const sf_mat *m); /* malloc'ed, caller frees */

/* Assert that an exported CSR of m is well formed with strictly increasing
 * columns in every row (sorted, no duplicates). */
void tu_assert_sorted_csr(sf_ctx *ctx, const sf_mat *m);

/* m's CSR arrays exported into malloc'ed buffers (room for nnz = 0). */
typedef struct tu_csr {
    int64_t nnz, rows, *rowptr;
    int32_t *colind;
    double *val;
} tu_csr;
tu_csr tu_export_csr(sf_ctx *ctx, const sf_mat *m);
void tu_csr_free(tu_csr *c);

/* Assert that got and want have the same kind, shape, pattern and value bits. */
void tu_assert_same_bits(sf_ctx *ctx, const sf_mat *got, const sf_mat *want);

/* Naive dense product of row-major a (m x k) and b (k x n); malloc'ed. */
double *tu_dense_product(const double *a, const double *b, int64_t m, int64_t k, int64_t n);

/* Relative max-norm difference |a - b|_inf / max(1, |b|_inf). */
double tu_rel_diff(const double *a, const double *b, int64_t n);

/* Path of a shared data file: $SF_DATA_DIR or ../shared/data relative to the
 * source root (passed by meson as SF_SOURCE_ROOT). */
const char *tu_data_path(const char *relative, char *buf, size_t len);

/* Run `body` once with allocation number k failing, for k = 1, 2, ... until
 * the body succeeds; assert that every failed attempt returned NOMEM and left
 * nothing allocated.  The body returns its status and must free what it made
 * on success. */
/* Failing writes: limit this process's file size to `bytes` (SIGXFSZ
 * ignored, so a write past it fails with EFBIG, as on a full disk), then
 * assert that the writer removed its partial file at path and that
 * writing to the /dev/full device failed without removing it. */
void tu_limit_file_size(long bytes);
void tu_assert_write_cleanup(const char *path, sf_status st_full);

typedef sf_status (*tu_alloc_body)(sf_ctx *ctx, void *arg);
void tu_check_alloc_failures(tu_alloc_body body, void *arg);

#endif
