/* .sfw files: bit-exact round trip; truncated, corrupted, foreign and
 * inconsistent files are clear errors that leak nothing. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "interp_ref.h"

static void tmp_path(char *buf, size_t len, const char *name) {
    snprintf(buf, len, "/tmp/sf_test_sfw_%d_%s.sfw", (int)getpid(), name);
}

static unsigned char *slurp(const char *path, long *len) {
    FILE *f = fopen(path, "rb");
    cr_assert(f);
    fseek(f, 0, SEEK_END);
    *len = ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *b = malloc((size_t)*len + 1);
    cr_assert_eq(fread(b, 1, (size_t)*len, f), (size_t)*len);
    fclose(f);
    return b;
}

static void spit(const char *path, const unsigned char *b, long len) {
    FILE *f = fopen(path, "wb");
    cr_assert(f);
    cr_assert_eq(fwrite(b, 1, (size_t)len, f), (size_t)len);
    fclose(f);
}

/* FNV-1a 64 of b[0..len), written independently of the library. */
static uint64_t fnv(const unsigned char *b, long len) {
    uint64_t h = 0xcbf29ce484222325ull;
    for (long i = 0; i < len; i++) h = (h ^ b[i]) * 0x100000001b3ull;
    return h;
}

static sf_mat *saved_weights(sf_ctx *ctx, const char *path, ref_case *c) {
    ref_case_make(c, 3, 2, false, false, true, 21);
    sf_mat *W = ref_check_case(ctx, c, SF_INTERP_LOG, SF_EXTRAP_CONSTANT, -0.1);
    cr_assert_eq(sf_interp_save(ctx, W, path), SF_OK, "%s", sf_ctx_message(ctx));
    return W;
}

Test(sfw, round_trip_bit_exact) {
    sf_ctx *ctx = tu_ctx();
    char path[256];
    tmp_path(path, sizeof path, "rt");
    ref_case c;
    sf_mat *W = saved_weights(ctx, path, &c), *L;
    cr_assert_eq(sf_interp_load(ctx, path, &L), SF_OK, "%s", sf_ctx_message(ctx));
    cr_assert_eq(sf_mat_nnz(L), sf_mat_nnz(W));
    double *dw = tu_dense_of(ctx, W), *dl = tu_dense_of(ctx, L);
    cr_assert_arr_eq(dw, dl, (size_t)(c.size * c.out_size) * sizeof *dw);
    double *o1 = malloc((size_t)c.out_size * 8), *o2 = malloc((size_t)c.out_size * 8);
    const double *fs[1] = {c.f};
    cr_assert_eq(sf_interp_apply(ctx, W, 1, fs, &o1), SF_OK);
    cr_assert_eq(sf_interp_apply(ctx, L, 1, fs, &o2), SF_OK);
    cr_assert_arr_eq(o1, o2, (size_t)c.out_size * 8, "fill values and weights identical");
    sf_interp_info a, b;
    sf_interp_get_info(ctx, W, &a);
    sf_interp_get_info(ctx, L, &b);
    cr_assert(a.fill == b.fill && a.method == b.method && a.extrapolate == b.extrapolate &&
              a.axis == b.axis && a.data_shape.ndim == b.data_shape.ndim);
    long len;
    unsigned char *bytes = slurp(path, &len);
    cr_assert_eq(len, 120 + 12 * c.out_size + 8);
    uint64_t stored;
    memcpy(&stored, bytes + len - 8, 8);
    cr_assert_eq(stored, fnv(bytes, len - 8), "checksum is FNV-1a 64 of header and payload");
    free(bytes), free(dw), free(dl), free(o1), free(o2);
    sf_mat_free(W), sf_mat_free(L);
    ref_case_free(&c);
    remove(path);
    tu_ctx_done(ctx);
}

/* Write b (len bytes) to a file, load it, expect status and message part. */
/* A save that fails part-way removes the partial regular file; saving to
 * a device (/dev/full) fails without removing it. */
Test(sfw, failed_save_removes_partial_file_not_device) {
    sf_ctx *ctx = tu_ctx();
    char path[128];
    tmp_path(path, sizeof path, "partial");
    ref_case c;
    sf_mat *W = saved_weights(ctx, path, &c);
    remove(path);
    tu_limit_file_size(200); /* the 128-byte header passes, the weights do not */
    cr_assert_eq(sf_interp_save(ctx, W, path), SF_ERR_IO);
    cr_assert_str_eq(sf_ctx_message(ctx) + strlen(path), ": write failed: File too large");
    tu_assert_write_cleanup(path, sf_interp_save(ctx, W, "/dev/full"));
    sf_mat_free(W);
    ref_case_free(&c);
    tu_ctx_done(ctx);
}

static void expect_load(sf_ctx *ctx, const char *path, const unsigned char *b, long len,
                        sf_status st, const char *part) {
    spit(path, b, len);
    sf_mat *W = (sf_mat *)0x1;
    cr_assert_eq(sf_interp_load(ctx, path, &W), st, "%s", sf_ctx_message(ctx));
    cr_assert(strstr(sf_ctx_message(ctx), part), "message: %s", sf_ctx_message(ctx));
    cr_assert(strstr(sf_ctx_message(ctx), path), "names the file: %s", sf_ctx_message(ctx));
    cr_assert_eq(W, (sf_mat *)0x1);
    cr_assert_eq(sf_ctx_bytes_in_use(ctx), 0);
}

/* Re-seal the checksum after editing, so the later checks are reached. */
static void reseal(unsigned char *b, long len) {
    uint64_t h = fnv(b, len - 8);
    memcpy(b + len - 8, &h, 8);
}

Test(sfw, bad_files_are_clear_errors) {
    sf_ctx *ctx = tu_ctx();
    char path[256], bad[256];
    tmp_path(path, sizeof path, "orig");
    tmp_path(bad, sizeof bad, "bad");
    ref_case c;
    sf_mat *W = saved_weights(ctx, path, &c);
    sf_mat_free(W);
    long len;
    unsigned char *b = slurp(path, &len), *e = malloc((size_t)len);
    expect_load(ctx, bad, b, 50, SF_ERR_FORMAT, "file has 50 bytes, the header needs 120 (truncated)");
    expect_load(ctx, bad, b, len - 1, SF_ERR_FORMAT, "(truncated)");
    memcpy(e, b, (size_t)len), e[130] ^= 0x10;
    expect_load(ctx, bad, e, len, SF_ERR_CORRUPT, "checksum mismatch");
    memcpy(e, b, (size_t)len), e[0] = 'X';
    expect_load(ctx, bad, e, len, SF_ERR_FORMAT, "not a .sfw file (bad magic)");
    memcpy(e, b, (size_t)len), e[8] = 9, reseal(e, len);
    expect_load(ctx, bad, e, len, SF_ERR_UNSUPPORTED, "version 9 (this library reads 1)");
    memcpy(e, b, (size_t)len), e[12] = 1, e[15] = 4;
    expect_load(ctx, bad, e, len, SF_ERR_UNSUPPORTED, "another byte order");
    memcpy(e, b, (size_t)len), e[40] += 1, reseal(e, len); /* first data extent */
    expect_load(ctx, bad, e, len, SF_ERR_FORMAT, "outputs but shape");
    memcpy(e, b, (size_t)len), e[24] = 9;
    expect_load(ctx, bad, e, len, SF_ERR_FORMAT, "header fields out of range");
    /* damaged counts: refused from the header alone, before allocating */
    int64_t huge = INT64_MAX / 4, many = 1000000, wide = INT64_MAX / 2;
    memcpy(e, b, (size_t)len), memcpy(e + 112, &huge, 8), reseal(e, len); /* rows */
    expect_load(ctx, bad, e, len, SF_ERR_FORMAT, "outputs (at most 2147483647)");
    memcpy(e, b, (size_t)len), memcpy(e + 104, &many, 8), reseal(e, len); /* m */
    expect_load(ctx, bad, e, len, SF_ERR_FORMAT, "outputs but shape");
    memcpy(e, b, (size_t)len), memcpy(e + 48, &wide, 8), reseal(e, len); /* second extent */
    expect_load(ctx, bad, e, len, SF_ERR_FORMAT, "outputs but shape");
    cr_assert_lt(sf_ctx_bytes_peak(ctx), (size_t)1 << 20, "no allocation sized by a damaged header");
    int32_t far = 1 << 30;
    memcpy(e, b, (size_t)len), memcpy(e + 120, &far, 4), reseal(e, len);
    expect_load(ctx, bad, e, len, SF_ERR_CORRUPT, "output 0 has source code 1073741824 outside its column");
    sf_mat *L = (sf_mat *)0x1;
    remove(bad);
    cr_assert_eq(sf_interp_load(ctx, bad, &L), SF_ERR_IO);
    cr_assert(strstr(sf_ctx_message(ctx), "cannot open"));
    free(b), free(e);
    ref_case_free(&c);
    remove(path);
    tu_ctx_done(ctx);
}

static sf_status load_body(sf_ctx *ctx, void *arg) {
    sf_mat *W = NULL;
    sf_status st = sf_interp_load(ctx, arg, &W);
    sf_mat_free(W);
    return st;
}

Test(sfw, load_allocation_failures_clean_up) {
    sf_ctx *ctx = tu_ctx();
    char path[256];
    tmp_path(path, sizeof path, "alloc");
    ref_case c;
    sf_mat_free(saved_weights(ctx, path, &c));
    tu_check_alloc_failures(load_body, path);
    ref_case_free(&c);
    remove(path);
    tu_ctx_done(ctx);
}
