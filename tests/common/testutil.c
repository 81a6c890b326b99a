#include "testutil.h"

#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

sf_ctx *tu_ctx(void) {
    sf_ctx *ctx = NULL;
    cr_assert_eq(sf_ctx_create(&ctx), SF_OK);
    return ctx;
}

void tu_ctx_done(sf_ctx *ctx) {
    cr_assert_eq(sf_ctx_bytes_in_use(ctx), 0, "leaked %zu bytes", sf_ctx_bytes_in_use(ctx));
    sf_ctx_free(ctx);
}

uint64_t tu_rand(uint64_t *s) {
    uint64_t x = *s ? *s : 0x9E3779B97F4A7C15ull;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return *s = x;
}

double tu_uniform(uint64_t *s) { return (double)(tu_rand(s) >> 11) * 0x1.0p-52 - 1.0; }

sf_mat *tu_random_csr(sf_ctx *ctx, int64_t rows, int64_t cols, double density, uint64_t seed) {
    int64_t cap = (int64_t)(density * (double)rows * (double)cols) + 1;
    int64_t *ri = malloc((size_t)cap * sizeof *ri), *ci = malloc((size_t)cap * sizeof *ci);
    double *v = malloc((size_t)cap * sizeof *v);
    uint64_t s = seed * 2654435761u + 1;
    int64_t n = 0;
    for (int64_t k = 0; k < cap && rows > 0 && cols > 0; k++, n++) {
        ri[n] = (int64_t)(tu_rand(&s) % (uint64_t)rows);
        ci[n] = (int64_t)(tu_rand(&s) % (uint64_t)cols);
        v[n] = tu_uniform(&s);
    }
    sf_mat *m = NULL;
    cr_assert_eq(sf_mat_from_triplets(ctx, rows, cols, n, ri, ci, v, &m), SF_OK, "%s",
                 sf_ctx_message(ctx));
    free(ri);
    free(ci);
    free(v);
    return m;
}

double *tu_dense_of(sf_ctx *ctx, const sf_mat *m) {
    int64_t r = sf_mat_rows(m), c = sf_mat_cols(m);
    double *d = malloc((size_t)(r * c + 1) * sizeof *d);
    sf_dense view = sf_dense_view(r, c, SF_ROW_MAJOR, SF_REAL, d);
    cr_assert_eq(sf_mat_to_dense(ctx, m, &view), SF_OK, "%s", sf_ctx_message(ctx));
    return d;
}

void tu_assert_sorted_csr(sf_ctx *ctx, const sf_mat *m) {
    int64_t r = sf_mat_rows(m), nnz = sf_mat_nnz(m);
    int64_t *rp = malloc((size_t)(r + 1) * sizeof *rp);
    int32_t *ci = malloc((size_t)(nnz + 1) * sizeof *ci);
    cr_assert_eq(sf_mat_export_csr(ctx, m, rp, ci, NULL), SF_OK);
    cr_assert_eq(rp[0], 0);
    cr_assert_eq(rp[r], nnz);
    for (int64_t i = 0; i < r; i++)
        for (int64_t p = rp[i] + 1; p < rp[i + 1]; p++) cr_assert_lt(ci[p - 1], ci[p]);
    free(rp);
    free(ci);
}

tu_csr tu_export_csr(sf_ctx *ctx, const sf_mat *m) {
    tu_csr c = {sf_mat_nnz(m), sf_mat_rows(m), NULL, NULL, NULL};
    c.rowptr = malloc((size_t)(c.rows + 1) * sizeof *c.rowptr);
    c.colind = malloc((size_t)(c.nnz + 1) * sizeof *c.colind);
    c.val = malloc((size_t)(c.nnz + 1) * sizeof *c.val);
    cr_assert_eq(sf_mat_export_csr(ctx, m, c.rowptr, c.colind, c.val), SF_OK);
    return c;
}

void tu_csr_free(tu_csr *c) { free(c->rowptr), free(c->colind), free(c->val); }

void tu_assert_same_bits(sf_ctx *ctx, const sf_mat *got, const sf_mat *want) {
    cr_assert_eq(sf_mat_kind(got), sf_mat_kind(want));
    cr_assert_eq(sf_mat_rows(got), sf_mat_rows(want));
    cr_assert_eq(sf_mat_cols(got), sf_mat_cols(want));
    cr_assert_eq(sf_mat_nnz(got), sf_mat_nnz(want));
    tu_csr g = tu_export_csr(ctx, got), w = tu_export_csr(ctx, want);
    cr_assert(!memcmp(g.rowptr, w.rowptr, (size_t)(g.rows + 1) * sizeof *g.rowptr));
    cr_assert(!memcmp(g.colind, w.colind, (size_t)g.nnz * sizeof *g.colind));
    cr_assert(!memcmp(g.val, w.val, (size_t)g.nnz * sizeof *g.val), "values differ in bits");
    tu_csr_free(&g), tu_csr_free(&w);
}

double *tu_dense_product(const double *a, const double *b, int64_t m, int64_t k, int64_t n) {
    double *c = calloc((size_t)(m * n + 1), sizeof *c);
    for (int64_t i = 0; i < m; i++)
        for (int64_t t = 0; t < k; t++)
            for (int64_t j = 0; j < n; j++) c[i * n + j] += a[i * k + t] * b[t * n + j];
    return c;
}

double tu_rel_diff(const double *a, const double *b, int64_t n) {
    double diff = 0, scale = 1;
    for (int64_t i = 0; i < n; i++) {
        diff = fmax(diff, fabs(a[i] - b[i]));
        scale = fmax(scale, fabs(b[i]));
    }
    return diff / scale;
}

const char *tu_data_path(const char *relative, char *buf, size_t len) {
    const char *dir = getenv("SF_DATA_DIR");
    if (dir) snprintf(buf, len, "%s/%s", dir, relative);
    else snprintf(buf, len, "%s/../shared/data/%s", SF_SOURCE_ROOT, relative);
    return buf;
}

void tu_check_alloc_failures(tu_alloc_body body, void *arg) {
    for (uint64_t k = 1; k < 100000; k++) {
        sf_ctx *ctx = tu_ctx();
        sf_ctx_fail_allocation_after(ctx, k);
        sf_status st = body(ctx, arg);
        if (st == SF_OK) {
            tu_ctx_done(ctx);
            cr_assert_gt(k, 1, "the body made no allocation at all");
            return;
        }
        cr_assert_eq(st, SF_ERR_NOMEM, "allocation %llu failing gave %s: %s",
                     (unsigned long long)k, sf_status_name(st), sf_ctx_message(ctx));
        cr_assert(strstr(sf_ctx_message(ctx), "injected"), "message: %s", sf_ctx_message(ctx));
        tu_ctx_done(ctx);
    }
    cr_assert_fail("body never succeeded");
}

void tu_limit_file_size(long bytes) {
    signal(SIGXFSZ, SIG_IGN);
    struct rlimit lim = {(rlim_t)bytes, (rlim_t)bytes};
    cr_assert_eq(setrlimit(RLIMIT_FSIZE, &lim), 0);
}

void tu_assert_write_cleanup(const char *path, sf_status st_full) {
    cr_assert_neq(access(path, F_OK), 0, "%s: the partial file is removed", path);
    struct stat sb;
    cr_assert_eq(st_full, SF_ERR_IO, "writing to /dev/full fails");
    cr_assert(stat("/dev/full", &sb) == 0 && S_ISCHR(sb.st_mode), "a device is never removed");
}
