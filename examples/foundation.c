/* Chapter 0 of the tour: the handle and the context's accounting.
 * Builds a matrix from triplets, reads a shared matrix, and compares the bytes
 * the handles hold with their dense equivalents. */
#include "tour.h"

int example_foundation(void) {
    sf_ctx *ctx;
    if (sf_ctx_create(&ctx)) return 1;
    char b1[32], b2[32], path[1024];

    /* A 5 x 5 tridiagonal matrix from triplets (duplicates on the diagonal summed). */
    int64_t ri[] = {0, 1, 2, 3, 4, 0, 1, 2, 3, 1, 2, 3, 4, 2};
    int64_t ci[] = {0, 1, 2, 3, 4, 1, 2, 3, 4, 0, 1, 2, 3, 2};
    double v[] = {2, 2, 2, 2, 2, -1, -1, -1, -1, -1, -1, -1, -1, 0.5};
    sf_mat *t;
    EX_CHECK(ctx, sf_mat_from_triplets(ctx, 5, 5, 14, ri, ci, v, &t));
    printf("triplets: 14 entries -> %lld x %lld CSR with %lld stored (one duplicate summed)\n",
           (long long)sf_mat_rows(t), (long long)sf_mat_cols(t), (long long)sf_mat_nnz(t));

    sf_mat *a;
    EX_CHECK(ctx, sf_mm_read(ctx, ex_data_path("matrices/bcsstk13.mtx", path, sizeof path), &a, NULL));
    double dense = 8.0 * (double)sf_mat_rows(a) * (double)sf_mat_cols(a);
    printf("bcsstk13.mtx: %lld x %lld, %lld stored entries, handle holds %s, dense would be %s "
           "(%.1f%% of it)\n",
           (long long)sf_mat_rows(a), (long long)sf_mat_cols(a), (long long)sf_mat_nnz(a),
           ex_bytes((double)sf_mat_bytes(a), b1, sizeof b1), ex_bytes(dense, b2, sizeof b2),
           100.0 * (double)sf_mat_bytes(a) / dense);
    printf("context: %zu bytes in use, peak %zu, %llu allocations\n", sf_ctx_bytes_in_use(ctx),
           sf_ctx_bytes_peak(ctx), (unsigned long long)sf_ctx_alloc_count(ctx));

    /* A memory limit is a clean error, not a crash. */
    sf_mat *again = NULL;
    sf_ctx_set_memory_limit(ctx, sf_ctx_bytes_in_use(ctx) + 100000);
    sf_status st = sf_mm_read(ctx, path, &again, NULL);
    printf("reading it again under a %zu-byte limit: %s: %s\n", sf_ctx_memory_limit(ctx),
           sf_status_name(st), sf_ctx_message(ctx));
    sf_ctx_set_memory_limit(ctx, 0);
    sf_mat_free(again);
    sf_mat_free(a);
    sf_mat_free(t);
    printf("after freeing: %zu bytes in use\n", sf_ctx_bytes_in_use(ctx));
    int leaked = sf_ctx_bytes_in_use(ctx) != 0 || st != SF_ERR_NOMEM;
    sf_ctx_free(ctx);
    return leaked;
}

SF_EXAMPLE_MAIN(example_foundation)
