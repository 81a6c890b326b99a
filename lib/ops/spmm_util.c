/* Helpers of the product kernels: scaling an output, splitting rows by work,
 * and the transpose a handle keeps for transposed products. */
#include <omp.h>

#include "ops_internal.h"

void sf_strided_scale(const sf_ctx *ctx, const sf_strided *C, double beta) {
    int64_t rows = C->rows, cols = C->cols;
    int nt = sf_threads_for(ctx, rows * cols);
#pragma omp parallel for num_threads(nt) schedule(static)
    for (int64_t i = 0; i < rows; i++) {
        double *c = C->data + i * C->rs;
        for (int64_t j = 0; j < cols; j++) c[j * C->cs] = beta == 0.0 ? 0.0 : beta * c[j * C->cs];
    }
}

/* First row whose cumulative work rowptr[i] + i reaches `target`. */
static int64_t row_at_work(const int64_t *rowptr, int64_t rows, int64_t target) {
    int64_t lo = 0, hi = rows;
    while (lo < hi) {
        int64_t mid = lo + (hi - lo) / 2;
        if (rowptr[mid] + mid < target) lo = mid + 1;
        else hi = mid;
    }
    return lo;
}

void sf_split_rows(const int64_t *rowptr, int64_t rows, int parts, int part, int64_t *r0,
                   int64_t *r1) {
    int64_t total = rowptr[rows] + rows;
    /* total * part / parts without overflow for any realistic size */
    *r0 = part == 0 ? 0 : row_at_work(rowptr, rows, (int64_t)((double)total * part / parts));
    *r1 = part == parts - 1 ? rows
                            : row_at_work(rowptr, rows, (int64_t)((double)total * (part + 1) / parts));
}

static void free_cached_mat(sf_ctx *ctx, void *p) {
    (void)ctx;
    sf_mat_free(p);
}

sf_status sf_cached_transpose(sf_ctx *ctx, const sf_mat *A, const sf_mat **out) {
    sf_mat *m = (sf_mat *)A; /* the cache is not part of the handle's value */
    sf_mat *t = sf_mat_cache_get(m, SF_CACHE_TRANSPOSE);
    if (!t) {
        sf_status st = sf_mat_transpose(m->ctx, m, &t);
        if (st) {
            if (ctx != m->ctx) sf_error(ctx, st, "%s", sf_ctx_message(m->ctx));
            return st;
        }
        sf_mat_cache_put(m, SF_CACHE_TRANSPOSE, t, sf_mat_bytes(t), free_cached_mat);
    }
    *out = t;
    return SF_OK;
}
