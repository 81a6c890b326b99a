/* The context: accounting, memory limit, failure injection, messages, status
 * names, dense views and shapes. */
#include <limits.h>

#include "core/internal.h"
#include "testutil.h"

Test(ctx, defaults) {
    sf_ctx *ctx = tu_ctx();
    cr_assert_eq(sf_ctx_threads(ctx), 1);
    cr_assert_eq(sf_ctx_memory_limit(ctx), 0);
    cr_assert_eq(sf_ctx_bytes_in_use(ctx), 0);
    cr_assert_str_eq(sf_ctx_message(ctx), "");
    cr_assert_eq(sf_ctx_create(NULL), SF_ERR_ARG);
    tu_ctx_done(ctx);
}

Test(ctx, threads_validated) {
    sf_ctx *ctx = tu_ctx();
    cr_assert_eq(sf_ctx_set_threads(ctx, 2), SF_OK);
    cr_assert_eq(sf_ctx_threads(ctx), 2);
    cr_assert_eq(sf_ctx_set_threads(ctx, 0), SF_ERR_ARG);
    cr_assert(strstr(sf_ctx_message(ctx), "threads must be in [1, 1024], got 0"));
    cr_assert_eq(sf_ctx_threads(ctx), 2, "a rejected setting changes nothing");
    tu_ctx_done(ctx);
}

Test(alloc, accounting_tracks_use_and_peak) {
    sf_ctx *ctx = tu_ctx();
    void *a = sf_alloc(ctx, 1000, "a");
    void *b = sf_alloc(ctx, 24, "b");
    cr_assert_eq(sf_ctx_bytes_in_use(ctx), 1024);
    sf_free(ctx, a);
    cr_assert_eq(sf_ctx_bytes_in_use(ctx), 24);
    cr_assert_eq(sf_ctx_bytes_peak(ctx), 1024);
    sf_ctx_reset_peak(ctx);
    cr_assert_eq(sf_ctx_bytes_peak(ctx), 24);
    b = sf_realloc(ctx, b, 48, "b grown");
    cr_assert_eq(sf_ctx_bytes_in_use(ctx), 48);
    sf_free(ctx, b);
    cr_assert_eq(sf_ctx_alloc_count(ctx), 3);
    tu_ctx_done(ctx);
}

Test(alloc, memory_limit_names_request_and_limit) {
    sf_ctx *ctx = tu_ctx();
    sf_ctx_set_memory_limit(ctx, 4096);
    void *a = sf_alloc(ctx, 4000, "first block");
    cr_assert_not_null(a);
    void *b = sf_alloc(ctx, 200, "CSR values");
    cr_assert_null(b);
    cr_assert_eq(sf_last_alloc_status(ctx), SF_ERR_NOMEM);
    cr_assert_str_eq(sf_ctx_message(ctx),
                     "allocating 200 bytes for CSR values would pass the memory limit of 4096 "
                     "bytes (4000 in use)");
    cr_assert_eq(sf_ctx_bytes_in_use(ctx), 4000, "a refused request changes nothing");
    sf_free(ctx, a);
    tu_ctx_done(ctx);
}

Test(alloc, overflowing_array_is_too_large) {
    sf_ctx *ctx = tu_ctx();
    cr_assert_null(sf_alloc_array(ctx, SIZE_MAX / 4, 8, "huge"));
    cr_assert_eq(sf_last_alloc_status(ctx), SF_ERR_TOO_LARGE);
    cr_assert(strstr(sf_ctx_message(ctx), "overflow"));
    tu_ctx_done(ctx);
}

Test(alloc, injected_failure_hits_nth_allocation) {
    sf_ctx *ctx = tu_ctx();
    sf_ctx_fail_allocation_after(ctx, 2);
    void *a = sf_alloc(ctx, 8, "one");
    void *b = sf_alloc(ctx, 8, "two");
    void *c = sf_alloc(ctx, 8, "three");
    cr_assert_not_null(a);
    cr_assert_null(b);
    cr_assert_not_null(c);
    cr_assert(strstr(sf_ctx_message(ctx), "8 bytes for two (injected)"));
    sf_free(ctx, a);
    sf_free(ctx, c);
    tu_ctx_done(ctx);
}

Test(status, names) {
    cr_assert_str_eq(sf_status_name(SF_OK), "SF_OK");
    cr_assert_str_eq(sf_status_name(SF_ERR_NOMEM), "SF_ERR_NOMEM");
    cr_assert_str_eq(sf_status_name(SF_ERR_INTERNAL), "SF_ERR_INTERNAL");
    cr_assert_str_eq(sf_status_name((sf_status)999), "SF_ERR_UNKNOWN");
}

Test(dense, view_and_check) {
    sf_ctx *ctx = tu_ctx();
    double d[6];
    sf_dense v = sf_dense_view(2, 3, SF_COL_MAJOR, SF_REAL, d);
    cr_assert_eq(v.ld, 2);
    cr_assert_eq(sf_dense_check(ctx, &v, "B"), SF_OK);
    v.ld = 1;
    cr_assert_eq(sf_dense_check(ctx, &v, "B"), SF_ERR_ARG);
    cr_assert_str_eq(sf_ctx_message(ctx), "B: leading dimension 1 is smaller than 2");
    v = sf_dense_view(2, 3, SF_ROW_MAJOR, SF_REAL, NULL);
    cr_assert_eq(sf_dense_check(ctx, &v, "C"), SF_ERR_ARG);
    v = sf_dense_view(0, 3, SF_ROW_MAJOR, SF_REAL, NULL);
    cr_assert_eq(sf_dense_check(ctx, &v, "C"), SF_OK, "an empty view needs no data");
    tu_ctx_done(ctx);
}

Test(shape, size_strides_format) {
    sf_ctx *ctx = tu_ctx();
    sf_shape s;
    int64_t dims[3] = {2, 3, 4}, n, st[SF_MAX_NDIM];
    char buf[64];
    cr_assert_eq(sf_shape_make(ctx, 3, dims, &s), SF_OK);
    cr_assert_eq(sf_shape_size(ctx, &s, &n), SF_OK);
    cr_assert_eq(n, 24);
    sf_shape_strides(&s, st);
    cr_assert(st[0] == 12 && st[1] == 4 && st[2] == 1);
    cr_assert_str_eq(sf_shape_format(&s, buf, sizeof buf), "(2, 3, 4)");
    sf_shape scalar = {0, {0}};
    cr_assert_eq(sf_shape_size(ctx, &scalar, &n), SF_OK);
    cr_assert_eq(n, 1, "a 0-d shape has one element");
    cr_assert_str_eq(sf_shape_format(&scalar, buf, sizeof buf), "()");
    s.ndim = 1;
    cr_assert_str_eq(sf_shape_format(&s, buf, sizeof buf), "(2,)");
    tu_ctx_done(ctx);
}

Test(shape, bad_inputs) {
    sf_ctx *ctx = tu_ctx();
    sf_shape s = {0, {0}};
    int64_t dims[9] = {1, 1, 1, 1, 1, 1, 1, 1, 1}, n = -7;
    cr_assert_eq(sf_shape_make(ctx, 9, dims, &s), SF_ERR_ARG);
    cr_assert_str_eq(sf_ctx_message(ctx), "shape: ndim 9 is outside [0, 8]");
    cr_assert_eq(s.ndim, 0, "output untouched");
    dims[1] = -2;
    cr_assert_eq(sf_shape_make(ctx, 2, dims, &s), SF_ERR_ARG);
    cr_assert_str_eq(sf_ctx_message(ctx), "shape: extent -2 of axis 1 is negative");
    int64_t big[2] = {INT64_MAX / 2, 3};
    cr_assert_eq(sf_shape_make(ctx, 2, big, &s), SF_OK);
    cr_assert_eq(sf_shape_size(ctx, &s, &n), SF_ERR_TOO_LARGE);
    cr_assert_eq(n, -7, "output untouched");
    tu_ctx_done(ctx);
}

Test(alloc, realloc_grows_within_limit_and_shrinks_back) {
    sf_ctx *ctx = tu_ctx();
    sf_ctx_set_memory_limit(ctx, 1000);
    char *p = sf_alloc(ctx, 600, "block");
    memset(p, 7, 600);
    cr_assert_null(sf_realloc(ctx, p, 1200, "block grown"), "growth past the limit fails");
    cr_assert_eq(sf_last_alloc_status(ctx), SF_ERR_NOMEM);
    cr_assert(strstr(sf_ctx_message(ctx), "1000"), "%s", sf_ctx_message(ctx));
    cr_assert_eq(sf_ctx_bytes_in_use(ctx), 600, "the old block is intact and still counted");
    p = sf_realloc(ctx, p, 900, "block grown");
    cr_assert_not_null(p);
    cr_assert_eq(sf_ctx_bytes_in_use(ctx), 900);
    p = sf_realloc(ctx, p, 100, "block shrunk");
    cr_assert_eq(sf_ctx_bytes_in_use(ctx), 100, "a shrink gives the bytes back");
    for (int i = 0; i < 100; i++) cr_assert_eq(p[i], 7, "contents kept");
    sf_ctx_fail_allocation_after(ctx, 1);
    p = sf_realloc(ctx, p, 50, "shrunk again");
    cr_assert_not_null(p, "a shrink is not an allocation that can be made to fail");
    sf_free(ctx, p);
    sf_ctx_fail_allocation_after(ctx, 0);
    tu_ctx_done(ctx);
}
