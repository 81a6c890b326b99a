/* Matrix Market writers: exact text, bit-exact round trips through the
 * reader (hard values included), every kind of handle, dense layouts, and
 * write errors. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "testutil.h"

static void temp_path(char *path) {
    strcpy(path, "/tmp/sf_test_mmw_XXXXXX");
    int fd = mkstemp(path);
    cr_assert_geq(fd, 0);
    close(fd);
}

static char *slurp(const char *path) {
    FILE *f = fopen(path, "rb");
    cr_assert_not_null(f);
    static char buf[1 << 16];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

/* Both handles as CSR arrays, compared byte for byte. */
static void assert_identical(sf_ctx *ctx, const sf_mat *a, const sf_mat *b) {
    cr_assert_eq(sf_mat_rows(a), sf_mat_rows(b));
    cr_assert_eq(sf_mat_cols(a), sf_mat_cols(b));
    cr_assert_eq(sf_mat_nnz(a), sf_mat_nnz(b));
    int64_t r = sf_mat_rows(a), nnz = sf_mat_nnz(a);
    int64_t *rpa = malloc((size_t)(r + 1) * 8), *rpb = malloc((size_t)(r + 1) * 8);
    int32_t *cia = malloc((size_t)nnz * 4 + 4), *cib = malloc((size_t)nnz * 4 + 4);
    double *va = malloc((size_t)nnz * 8 + 8), *vb = malloc((size_t)nnz * 8 + 8);
    cr_assert_eq(sf_mat_export_csr(ctx, a, rpa, cia, va), SF_OK);
    cr_assert_eq(sf_mat_export_csr(ctx, b, rpb, cib, vb), SF_OK);
    cr_assert(memcmp(rpa, rpb, (size_t)(r + 1) * 8) == 0);
    cr_assert(memcmp(cia, cib, (size_t)nnz * 4) == 0);
    for (int64_t p = 0; p < nnz; p++)
        cr_assert(memcmp(&va[p], &vb[p], 8) == 0 || (isnan(va[p]) && isnan(vb[p])),
                  "entry %lld: %a became %a", (long long)p, va[p], vb[p]);
    free(rpa), free(rpb), free(cia), free(cib), free(va), free(vb);
}

static sf_mat *write_read(sf_ctx *ctx, const sf_mat *m) {
    char path[64];
    temp_path(path);
    cr_assert_eq(sf_mm_write(ctx, path, m), SF_OK, "%s", sf_ctx_message(ctx));
    sf_mat *back = NULL;
    sf_mm_info info;
    cr_assert_eq(sf_mm_read(ctx, path, &back, &info), SF_OK, "%s", sf_ctx_message(ctx));
    cr_assert_eq(info.format, SF_MM_COORDINATE);
    cr_assert_eq(info.symmetry, SF_MM_GENERAL);
    unlink(path);
    return back;
}

Test(mm_write, exact_text) {
    sf_ctx *ctx = tu_ctx();
    int64_t ri[] = {1, 0, 2}, ci[] = {0, 0, 2};
    double v[] = {0.1, 1, -2.5e-300};
    sf_mat *m = NULL;
    cr_assert_eq(sf_mat_from_triplets(ctx, 3, 4, 3, ri, ci, v, &m), SF_OK);
    char path[64];
    temp_path(path);
    cr_assert_eq(sf_mm_write(ctx, path, m), SF_OK);
    cr_assert_str_eq(slurp(path), "%%MatrixMarket matrix coordinate real general\n"
                                  "% written by sparsefirst\n"
                                  "3 4 3\n"
                                  "1 1 1\n"
                                  "2 1 0.10000000000000001\n"
                                  "3 3 -2.5e-300\n");
    double d[] = {1, 2, 3, 4, 5, 6};
    sf_dense view = sf_dense_view(2, 3, SF_ROW_MAJOR, SF_REAL, d);
    cr_assert_eq(sf_mm_write_dense(ctx, path, &view), SF_OK);
    cr_assert_str_eq(slurp(path), "%%MatrixMarket matrix array real general\n"
                                  "% written by sparsefirst\n"
                                  "2 3\n1\n4\n2\n5\n3\n6\n");
    unlink(path);
    sf_mat_free(m);
    tu_ctx_done(ctx);
}

/* Random values over the whole exponent range plus the hard ones: 0.1,
 * 1e-300, -0.0 (kept: a stored coordinate entry keeps its sign), the
 * smallest denormal, a mid denormal, DBL_MAX, and infinities. */
Test(mm_write, random_round_trip_bit_exact) {
    sf_ctx *ctx = tu_ctx();
    enum { R = 37, C = 29 };
    static const double hard[] = {0.1, 1e-300, -0.0, 0x1p-1074, 0x1.23456789abcdep-1030,
                                  1.7976931348623157e308, INFINITY, -INFINITY, NAN, 1.0 / 3};
    int64_t ri[R * C], ci[R * C];
    double v[R * C];
    int64_t n = 0;
    uint64_t s = 99;
    for (int64_t i = 0; i < R; i++)
        for (int64_t j = 0; j < C; j++) {
            if (tu_rand(&s) % 4) continue;
            ri[n] = i, ci[n] = j;
            v[n] = n % 3 == 0 ? hard[(n / 3) % 10]
                              : tu_uniform(&s) * pow(10, (double)(tu_rand(&s) % 600) - 300);
            n++;
        }
    sf_mat *m = NULL;
    cr_assert_eq(sf_mat_from_triplets(ctx, R, C, n, ri, ci, v, &m), SF_OK);
    sf_mat *back = write_read(ctx, m);
    assert_identical(ctx, m, back);
    sf_mat_free(back);
    sf_mat_free(m);
    tu_ctx_done(ctx);
}

Test(mm_write, every_kind_and_empty) {
    sf_ctx *ctx = tu_ctx();
    double d[] = {1.5, -2, 0.25, 4};
    int64_t dst[] = {0, 2}, src[] = {3, 1};
    double w[] = {2, -1};
    sf_mat *kinds[4] = {NULL};
    cr_assert_eq(sf_mat_diag(ctx, 4, d, &kinds[0]), SF_OK);
    cr_assert_eq(sf_mat_selection(ctx, 3, 5, 2, dst, src, w, &kinds[1]), SF_OK);
    cr_assert_eq(sf_mat_from_triplets(ctx, 0, 0, 0, NULL, NULL, NULL, &kinds[2]), SF_OK);
    cr_assert_eq(sf_mat_from_triplets(ctx, 6, 2, 0, NULL, NULL, NULL, &kinds[3]), SF_OK);
    for (int k = 0; k < 4; k++) {
        sf_mat *back = write_read(ctx, kinds[k]);
        cr_assert_eq(sf_mat_kind(back), SF_CSR);
        assert_identical(ctx, kinds[k], back);
        sf_mat_free(back);
        sf_mat_free(kinds[k]);
    }
    tu_ctx_done(ctx);
}

/* A dense view with padding, in both layouts; zeros vanish on reading. */
Test(mm_write, dense_round_trip) {
    sf_ctx *ctx = tu_ctx();
    enum { R = 7, C = 5, LD = 9 };
    double a[R * LD];
    uint64_t s = 5;
    for (int k = 0; k < R * LD; k++) a[k] = tu_rand(&s) % 3 ? tu_uniform(&s) * 1e-310 : 0.0;
    for (int layout = 0; layout < 2; layout++) {
        sf_dense view = {R, C, layout ? R + 2 : LD, (sf_layout)layout, SF_REAL, a};
        char path[64];
        temp_path(path);
        cr_assert_eq(sf_mm_write_dense(ctx, path, &view), SF_OK, "%s", sf_ctx_message(ctx));
        sf_mat *back = NULL, *want = NULL;
        sf_mm_info info;
        cr_assert_eq(sf_mm_read(ctx, path, &back, &info), SF_OK, "%s", sf_ctx_message(ctx));
        cr_assert_eq(info.format, SF_MM_ARRAY);
        cr_assert_eq(info.entries, R * C);
        cr_assert_eq(sf_mat_from_dense(ctx, &view, &want), SF_OK);
        assert_identical(ctx, want, back);
        sf_mat_free(back);
        sf_mat_free(want);
        unlink(path);
    }
    tu_ctx_done(ctx);
}

/* sf_mm_read_array: what sf_mm_write_dense wrote comes back bit for bit
 * (-0.0, subnormals, inf, nan); coordinate files sum their duplicates into
 * zeros and symmetric kinds are mirrored; errors leave *out untouched. */
static void write_text(const char *path, const char *text) {
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    fputs(text, f);
    fclose(f);
}

Test(mm_write, read_array_exact) {
    sf_ctx *ctx = tu_ctx();
    double a[6] = {-0.0, 1e-320, -INFINITY, NAN, 0.1, 0.0}, *got;
    char path[64];
    temp_path(path);
    sf_dense view = sf_dense_view(2, 3, SF_ROW_MAJOR, SF_REAL, a);
    cr_assert_eq(sf_mm_write_dense(ctx, path, &view), SF_OK);
    sf_array *arr = NULL;
    sf_mm_info info;
    cr_assert_eq(sf_mm_read_array(ctx, path, &arr, &info), SF_OK, "%s", sf_ctx_message(ctx));
    cr_assert(arr->shape.ndim == 2 && arr->shape.dim[0] == 2 && arr->shape.dim[1] == 3);
    cr_assert_eq(info.format, SF_MM_ARRAY);
    got = arr->data;
    for (int k = 0; k < 6; k++)
        cr_assert(memcmp(&got[k], &a[k], 8) == 0 || (isnan(got[k]) && isnan(a[k])),
                  "value %d: %a became %a", k, a[k], got[k]);
    sf_array_free(arr);
    write_text(path, "%%MatrixMarket matrix coordinate real symmetric\n3 3 4\n1 1 1\n3 1 2\n3 1 0.5\n2 2 -0\n");
    cr_assert_eq(sf_mm_read_array(ctx, path, &arr, NULL), SF_OK, "%s", sf_ctx_message(ctx));
    double want[9] = {1, 0, 2.5, 0, 0, 0, 2.5, 0, 0};
    cr_assert_arr_eq(arr->data, want, sizeof want);
    sf_array_free(arr);
    write_text(path, "%%MatrixMarket matrix array real skew-symmetric\n2 2\n-0\n");
    cr_assert_eq(sf_mm_read_array(ctx, path, &arr, NULL), SF_OK, "%s", sf_ctx_message(ctx));
    got = arr->data;
    cr_assert(signbit(got[2]) && got[2] == 0 && got[1] == 0 && !signbit(got[1]), "(1, 0) is -0, (0, 1) its negation +0");
    sf_array_free(arr);
    sf_array *untouched = (sf_array *)0x1;
    write_text(path, "%%MatrixMarket matrix array real general\n2 2\n1\n2\n3\n");
    cr_assert_eq(sf_mm_read_array(ctx, path, &untouched, NULL), SF_ERR_FORMAT);
    cr_assert(strstr(sf_ctx_message(ctx), "unexpected end of file after 3 of 4 values"), "%s",
              sf_ctx_message(ctx));
    cr_assert_eq(sf_mm_read_array(ctx, "/nonexistent/x.mtx", &untouched, NULL), SF_ERR_IO);
    cr_assert_eq(sf_mm_read_array(ctx, path, NULL, NULL), SF_ERR_ARG);
    cr_assert_str_eq(sf_ctx_message(ctx), "sf_mm_read_array: NULL argument");
    cr_assert_eq(untouched, (sf_array *)0x1);
    unlink(path);
    tu_ctx_done(ctx);
}

static sf_status read_array_body(sf_ctx *ctx, void *arg) {
    sf_array *a = NULL;
    sf_status st = sf_mm_read_array(ctx, arg, &a, NULL);
    sf_array_free(a);
    return st;
}

Test(mm_write, read_array_allocation_failures) {
    char path[64];
    temp_path(path);
    write_text(path, "%%MatrixMarket matrix array real general\n2 2\n1\n-0\n3\n4\n");
    tu_check_alloc_failures(read_array_body, path);
    unlink(path);
}

Test(mm_write, errors) {
    sf_ctx *ctx = tu_ctx();
    sf_mat *m = NULL;
    cr_assert_eq(sf_mat_identity(ctx, 3, &m), SF_OK);
    cr_assert_eq(sf_mm_write(ctx, "/nonexistent/x.mtx", m), SF_ERR_IO);
    cr_assert_str_eq(sf_ctx_message(ctx),
                     "/nonexistent/x.mtx: cannot open for writing: No such file or directory");
    cr_assert_eq(sf_mm_write(ctx, "/dev/full", m), SF_ERR_IO);
    cr_assert_str_eq(sf_ctx_message(ctx), "/dev/full: write failed: No space left on device");
    cr_assert_eq(sf_mm_write(ctx, NULL, m), SF_ERR_ARG);
    cr_assert_eq(sf_mm_write(ctx, "/tmp/x", NULL), SF_ERR_ARG);
    cr_assert_str_eq(sf_ctx_message(ctx), "sf_mm_write: NULL argument");
    double z[2] = {1, 2};
    sf_dense cview = sf_dense_view(1, 1, SF_ROW_MAJOR, SF_COMPLEX, z);
    cr_assert_eq(sf_mm_write_dense(ctx, "/tmp/x", &cview), SF_ERR_UNSUPPORTED);
    cr_assert_str_eq(sf_ctx_message(ctx), "sf_mm_write_dense: complex views are not supported yet");
    sf_dense bad = sf_dense_view(2, 2, SF_ROW_MAJOR, SF_REAL, NULL);
    cr_assert_eq(sf_mm_write_dense(ctx, "/tmp/x", &bad), SF_ERR_ARG);
    sf_dense ok = sf_dense_view(1, 2, SF_ROW_MAJOR, SF_REAL, z);
    cr_assert_eq(sf_mm_write_dense(ctx, "/dev/full", &ok), SF_ERR_IO);
    sf_mat_free(m);
    tu_ctx_done(ctx);
}

/* A write that fails part-way (the file size limit, as a full disk would)
 * removes the partial regular file; a device (/dev/full) stays. */
Test(mm_write, failed_write_removes_partial_file_not_device) {
    sf_ctx *ctx = tu_ctx();
    sf_mat *m = NULL;
    cr_assert_eq(sf_mat_identity(ctx, 20000, &m), SF_OK); /* ~ 400 KB of text */
    char path[64];
    temp_path(path);
    tu_limit_file_size(65536);
    cr_assert_eq(sf_mm_write(ctx, path, m), SF_ERR_IO);
    cr_assert_str_eq(sf_ctx_message(ctx) + strlen(path), ": write failed: File too large");
    tu_assert_write_cleanup(path, sf_mm_write(ctx, "/dev/full", m));
    double z[8] = {0};
    sf_dense row = sf_dense_view(1, 8, SF_ROW_MAJOR, SF_REAL, z);
    tu_limit_file_size(16); /* the header alone passes 16 bytes */
    cr_assert_eq(sf_mm_write_dense(ctx, path, &row), SF_ERR_IO);
    tu_assert_write_cleanup(path, sf_mm_write_dense(ctx, "/dev/full", &row));
    sf_mat_free(m);
    tu_ctx_done(ctx);
}

static sf_status write_body(sf_ctx *ctx, void *arg) {
    sf_mat *m = NULL;
    int64_t dst[] = {0, 2}, src[] = {1, 1};
    sf_status st = sf_mat_selection(ctx, 3, 2, 2, dst, src, NULL, &m);
    if (!st) st = sf_mm_write(ctx, arg, m);
    sf_mat_free(m);
    return st;
}

Test(mm_write, every_allocation_can_fail) {
    char path[64];
    temp_path(path);
    tu_check_alloc_failures(write_body, path);
    unlink(path);
}
