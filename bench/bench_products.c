/* bench_products — SpMV and SpMM of sparsefirst against its peers, measured in
 * the same run: CXSparse cs_gaxpy (SpMV, one thread), librsb (when its header
 * is installed: Debian librsb-dev) and dense OpenBLAS dgemv where the dense
 * matrix fits.  Cases: a 2-D Laplacian and a random matrix of 10^6 rows, SpMM
 * with 1, 4, 16 and 64 right-hand sides, the matrices in ../shared/data.
 * GB/s counts the bytes a CSR product must move: 12 per entry, 8 per row
 * offset, 8 per element of B (read once) and of C (written once).
 * Usage: bench_products [quick|full] [CASE]  (quick: 10^5 rows for a smoke run;
 * CASE: run only the cases whose name contains it) */
#include <cblas.h>
#include <cs.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "bench_common.h"
#include "mat/mat_internal.h"
#include "sparsefirst.h"

#if SF_HAVE_LIBRSB /* set by bench/meson.build when dependency('librsb') is found */
#include <rsb.h>
#define HAVE_RSB 1
#endif

static double triad[3]; /* STREAM triad GB/s with 1 and 2 threads */
static const char *only; /* run only cases whose name contains this */

/* ------------------------------------------------------------ the matrices */

static sf_mat *laplace2d(sf_ctx *ctx, int64_t g) {
    int64_t n = g * g, q = 0;
    int64_t *rp = malloc((size_t)(n + 1) * 8), *ci = malloc((size_t)(5 * n) * 8);
    double *v = malloc((size_t)(5 * n) * 8);
    rp[0] = 0;
    for (int64_t i = 0; i < n; i++) {
        int64_t x = i % g, y = i / g;
        if (y > 0) ci[q] = i - g, v[q++] = -1;
        if (x > 0) ci[q] = i - 1, v[q++] = -1;
        ci[q] = i, v[q++] = 4;
        if (x < g - 1) ci[q] = i + 1, v[q++] = -1;
        if (y < g - 1) ci[q] = i + g, v[q++] = -1;
        rp[i + 1] = q;
    }
    sf_mat *m = NULL;
    if (sf_mat_from_csr(ctx, n, n, rp, ci, v, 0, &m)) m = NULL;
    free(rp), free(ci), free(v);
    return m;
}

static sf_mat *random_rows(sf_ctx *ctx, int64_t n, int per_row) {
    int64_t *rp = malloc((size_t)(n + 1) * 8), *ci = malloc((size_t)(n * per_row) * 8);
    double *v = malloc((size_t)(n * per_row) * 8);
    uint64_t s = 88172645463325252ull;
    for (int64_t i = 0, q = 0; i <= n; i++) {
        rp[i] = q;
        for (int r = 0; i < n && r < per_row; r++, q++) {
            s ^= s << 13, s ^= s >> 7, s ^= s << 17;
            ci[q] = (int64_t)(s % (uint64_t)n);
            v[q] = (double)(s >> 11) * 0x1.0p-53;
        }
    }
    sf_mat *m = NULL;
    if (sf_mat_from_csr(ctx, n, n, rp, ci, v, 0, &m)) m = NULL;
    free(rp), free(ci), free(v);
    return m;
}

/* Dense operands on transparent huge pages (THP is "madvise" here): the
 * rows of B are gathered in random order, and with 4 kB pages nearly every
 * gather of the random case would also miss the TLB.  Every contender uses
 * the same buffers. */
static double *filled(int64_t n) {
    size_t bytes = (size_t)(n > 0 ? n : 1) * sizeof(double), huge = (size_t)2 << 20;
    void *p = NULL;
    if (posix_memalign(&p, huge, (bytes + huge - 1) / huge * huge)) abort();
    madvise(p, (bytes + huge - 1) / huge * huge, MADV_HUGEPAGE);
    double *x = p;
    for (int64_t i = 0; i < n; i++) x[i] = 1.0 + (double)(i % 7) * 0.125;
    return x;
}

static double csr_bytes(const sf_mat *A, int64_t k) {
    return 12.0 * (double)A->nnz + 8.0 * (double)(A->rows + 1) +
           8.0 * (double)k * (double)(A->rows + A->cols);
}

/* --------------------------------------------------------- the contenders */

typedef struct run {
    sf_ctx *ctx;
    const sf_mat *A;
    int64_t k;
    sf_layout layout; /* of B and C */
    double *x, *y;
    cs_di *csc;
    double *dense;
#ifdef HAVE_RSB
    struct rsb_mtx_t *rsb;
#endif
} run;

static void run_sf(void *p) {
    run *r = p;
    sf_dense B = sf_dense_view(r->A->cols, r->k, r->layout, SF_REAL, r->x);
    sf_dense C = sf_dense_view(r->A->rows, r->k, r->layout, SF_REAL, r->y);
    if (sf_spmm(r->ctx, 1.0, r->A, SF_OP_NONE, &B, 0.0, &C)) abort();
}

static void run_sf_spmv_k_times(void *p) {
    run *r = p;
    for (int64_t j = 0; j < r->k; j++)
        if (sf_spmv(r->ctx, 1.0, r->A, SF_OP_NONE, r->x, 0.0, r->y)) abort();
}

/* The bound for any CSR SpMV on A's pattern: a loop that only gathers x
 * along the column indices (no values, no row pointers, one sum), with the
 * library's prefetch distance.  On a random pattern the gathers, not the
 * streamed bytes, set the time. */
static volatile double gather_sink;
static void run_gather(void *p) {
    run *r = p;
    const int32_t *ci = r->A->u.csr.colind;
    int64_t nnz = r->A->nnz, ahead = 128;
    double s0 = 0, s1 = 0;
    int64_t q = 0;
    for (; q + ahead + 2 <= nnz; q += 2) {
        __builtin_prefetch(r->x + ci[q + ahead]);
        __builtin_prefetch(r->x + ci[q + ahead + 1]);
        s0 += r->x[ci[q]], s1 += r->x[ci[q + 1]];
    }
    for (; q < nnz; q++) s0 += r->x[ci[q]];
    gather_sink = s0 + s1;
}

/* The same bound for 16 right-hand sides: gather and sum the 16-wide rows
 * of B along the column indices (128 B per entry), prefetching as the
 * library does. */
static void run_gather_rows16(void *p) {
    run *r = p;
    const int32_t *ci = r->A->u.csr.colind;
    int64_t nnz = r->A->nnz, ahead = 24, q = 0;
    double acc[16] = {0};
    for (; q < nnz; q++) {
        if (q + ahead < nnz) {
            __builtin_prefetch(r->x + 16 * (int64_t)ci[q + ahead]);
            __builtin_prefetch(r->x + 16 * (int64_t)ci[q + ahead] + 8);
        }
        const double *b = r->x + 16 * (int64_t)ci[q];
        for (int j = 0; j < 16; j++) acc[j] += b[j];
    }
    double s = 0;
    for (int j = 0; j < 16; j++) s += acc[j];
    gather_sink = s;
}

static void run_cs(void *p) {
    run *r = p;
    cs_di_gaxpy(r->csc, r->x, r->y);
}

static void run_dgemv(void *p) {
    run *r = p;
    cblas_dgemv(CblasRowMajor, CblasNoTrans, (int)r->A->rows, (int)r->A->cols, 1.0, r->dense,
                (int)r->A->cols, r->x, 1, 0.0, r->y, 1);
}

/* CSC of A = the CSR arrays of A^T read column-wise; built outside timing. */
static cs_di *csc_of(sf_ctx *ctx, const sf_mat *A, sf_mat **t) {
    if (sf_mat_transpose(ctx, A, t)) return NULL;
    cs_di *c = calloc(1, sizeof *c);
    c->m = (int)A->rows, c->n = (int)A->cols, c->nzmax = (int)A->nnz, c->nz = -1;
    c->p = malloc((size_t)(A->cols + 1) * sizeof(int));
    for (int64_t j = 0; j <= A->cols; j++) c->p[j] = (int)(*t)->u.csr.rowptr[j];
    c->i = (*t)->u.csr.colind;
    c->x = (*t)->u.csr.val;
    return c;
}

#ifdef HAVE_RSB
static void run_rsb(void *p) {
    run *r = p;
    const double one = 1, zero = 0;
    if (r->k == 1) rsb_spmv(RSB_TRANSPOSITION_N, &one, r->rsb, r->x, 1, &zero, r->y, 1);
    else
        rsb_spmm(RSB_TRANSPOSITION_N, &one, r->rsb, (rsb_coo_idx_t)r->k,
                 RSB_FLAG_WANT_ROW_MAJOR_ORDER, r->x, r->k, &zero, r->y, r->k);
}

static struct rsb_mtx_t *rsb_of(const sf_mat *A) {
    int *rp = malloc((size_t)(A->rows + 1) * sizeof *rp);
    for (int64_t i = 0; i <= A->rows; i++) rp[i] = (int)A->u.csr.rowptr[i];
    rsb_err_t err = RSB_ERR_NO_ERROR;
    struct rsb_mtx_t *m = rsb_mtx_alloc_from_csr_const(
        A->u.csr.val, rp, A->u.csr.colind, (rsb_nnz_idx_t)A->nnz, RSB_NUMERICAL_TYPE_DOUBLE,
        (rsb_coo_idx_t)A->rows, (rsb_coo_idx_t)A->cols, 1, 1, RSB_FLAG_NOFLAGS, &err);
    free(rp);
    return err == RSB_ERR_NO_ERROR ? m : NULL;
}

static void rsb_threads(int t) { rsb_lib_set_opt(RSB_IO_WANT_EXECUTING_THREADS, &t); }
#endif

/* ------------------------------------------------------------- the table */

static bench_row timed(const char *cname, const char *impl, bench_fn fn, void *arg, int reps,
                       double bytes) {
    bench_reset_peak_rss();
    bench_row row = {cname, impl, bench_median_time(fn, arg, reps), bytes, 0};
    row.peak_bytes = bench_peak_rss();
    return row;
}

static void print_triad_share(const bench_row *row, int threads) {
    double gbs = row->bytes_moved / row->seconds / 1e9;
    printf("%-34s %-22s %.0f%% of the %d-thread triad (%.1f GB/s)\n", "", "", 100 * gbs / triad[threads],
           threads, triad[threads]);
}

/* Every contender on A with k right-hand sides.  Ratios are to cs_gaxpy for
 * k = 1 and to librsb (same threads) otherwise. */
static void bench_case(sf_ctx *ctx, const char *cname, const sf_mat *A, int64_t k, int reps,
                       int with_dense) {
    if (only && !strstr(cname, only)) return;
    run r = {.ctx = ctx, .A = A, .k = k, .x = filled(A->cols * k), .y = filled(A->rows * k)};
    double bytes = csr_bytes(A, k);
    bench_row ref = {0}, rsb[3] = {{0}}, sf[3];
    sf_mat *t = NULL;
    if (k == 1 && (r.csc = csc_of(ctx, A, &t))) {
        ref = timed(cname, "cxsparse cs_gaxpy 1t", run_cs, &r, reps, bytes);
        bench_print_row(&ref, &ref);
    }
#ifdef HAVE_RSB
    if ((r.rsb = rsb_of(A)))
        for (int th = 1; th <= 2; th++) {
            rsb_threads(th);
            rsb[th] = timed(cname, th == 1 ? "librsb 1t" : "librsb 2t", run_rsb, &r, reps, bytes);
            bench_print_row(&rsb[th], k == 1 ? &ref : NULL);
        }
#endif
    if (with_dense && (r.dense = calloc((size_t)(A->rows * A->cols), sizeof(double)))) {
        sf_dense D = sf_dense_view(A->rows, A->cols, SF_ROW_MAJOR, SF_REAL, r.dense);
        sf_mat_to_dense(ctx, A, &D);
        bench_row d = timed(cname, "openblas dgemv", run_dgemv, &r, reps, 8.0 * (double)(A->rows * A->cols));
        bench_print_row(&d, &ref);
        free(r.dense);
    }
    for (int th = 1; th <= 2; th++) {
        sf_ctx_set_threads(ctx, th);
        sf[th] = timed(cname, th == 1 ? "sparsefirst 1t" : "sparsefirst 2t", run_sf, &r, reps, bytes);
        bench_print_row(&sf[th], k == 1 ? &ref : (rsb[th].seconds > 0 ? &rsb[th] : NULL));
        if (k == 1 && rsb[th].seconds > 0) {
            bench_row vs = sf[th];
            vs.impl = "  vs librsb";
            bench_print_row(&vs, &rsb[th]);
        }
        print_triad_share(&sf[th], th);
    }
    if (k == 1) {
        bench_row g = timed(cname, "gather-only loop 1t", run_gather, &r, reps, bytes);
        bench_print_row(&g, &ref);
        print_triad_share(&g, 1);
    }
    if (k == 16) {
        sf_ctx_set_threads(ctx, 1);
        bench_row loop = timed(cname, "16 x sf SpMV 1t", run_sf_spmv_k_times, &r, reps, 0);
        bench_print_row(&loop, &loop);
        bench_row vs = sf[1];
        vs.impl = "  SpMM 16 vs 16 SpMV";
        bench_print_row(&vs, &loop);
        bench_row g = timed(cname, "gather-only loop 1t", run_gather_rows16, &r, reps, bytes);
        bench_print_row(&g, &loop);
        r.layout = SF_COL_MAJOR; /* B and C in Fortran order: one SpMV per column */
        bench_row cm = timed(cname, "sparsefirst 1t col-maj", run_sf, &r, reps, bytes);
        bench_print_row(&cm, &loop);
        r.layout = SF_ROW_MAJOR;
    }
#ifdef HAVE_RSB
    if (r.rsb) rsb_mtx_free(r.rsb);
#endif
    if (r.csc) free(r.csc->p), free(r.csc);
    sf_mat_free(t);
    free(r.x), free(r.y);
}

static void bench_shared(sf_ctx *ctx) {
    static const char *const names[] = {"bcsstk13", "bayer10", "arrow", "hangGlider_2", "dwt_992",
                                        "watt_2", "olm1000", "young1c"};
    for (size_t q = 0; q < sizeof names / sizeof *names; q++) {
        char path[1024], cname[64];
        const char *dir = getenv("SF_DATA_DIR");
        snprintf(path, sizeof path, "%s/matrices/%s.mtx", dir ? dir : SF_DATA_DEFAULT, names[q]);
        sf_mat *A = NULL;
        if (sf_mm_read(ctx, path, &A, NULL)) {
            printf("# %s: %s\n", names[q], sf_ctx_message(ctx));
            continue;
        }
        snprintf(cname, sizeof cname, "%s %lldx%lld nnz %lld", names[q], (long long)A->rows,
                 (long long)A->cols, (long long)A->nnz);
        int fits = (double)A->rows * (double)A->cols * 8 < 1e9;
        bench_case(ctx, cname, A, 1, 51, fits);
        sf_mat_free(A);
    }
}

/* --------------------------------------------------- P3 and P5 at size */

typedef struct dense_run {
    sf_ctx *ctx;
    int64_t n;
    sf_mat *handle;            /* diagonal signs (P3) or selection (P5) */
    double *a, *b, *c, *dense; /* operands; dense: the handle as a dense matrix */
} dense_run;

static void run_gram(void *p) {
    dense_run *r = p;
    sf_dense C = sf_dense_view(r->n, r->n, SF_ROW_MAJOR, SF_COMPLEX, r->a);
    sf_dense G = sf_dense_view(r->n, r->n, SF_ROW_MAJOR, SF_COMPLEX, r->c);
    if (sf_gram(r->ctx, r->handle, &C, &G)) abort();
}

/* The dense way: T = D * C and G = C^H * T with zgemm, D a dense complex matrix. */
static void run_gram_dense(void *p) {
    dense_run *r = p;
    const double one[2] = {1, 0}, zero[2] = {0, 0};
    int n = (int)r->n;
    cblas_zgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, one, r->dense, n, r->a, n, zero,
                r->b, n);
    cblas_zgemm(CblasRowMajor, CblasConjTrans, CblasNoTrans, n, n, n, one, r->a, n, r->b, n, zero,
                r->c, n);
}

static void run_select(void *p) {
    dense_run *r = p;
    sf_dense A = sf_dense_view(r->n, r->n, SF_ROW_MAJOR, SF_REAL, r->a);
    sf_dense Z = sf_dense_view(r->n, r->n, SF_ROW_MAJOR, SF_REAL, r->c);
    if (sf_spmm(r->ctx, 1.0, r->handle, SF_OP_NONE, &A, 0.0, &Z)) abort();
}

static void run_select_dense(void *p) {
    dense_run *r = p;
    int n = (int)r->n;
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1.0, r->dense, n, r->a, n, 0.0,
                r->c, n);
}

/* P3: G = C^H diag(sign) C for r = 2000 complex, against two dense zgemm. */
static void bench_p3(sf_ctx *ctx) {
    const char *cname = "P3 gram r=2000 complex";
    if (only && !strstr(cname, only)) return;
    int64_t n = 2000;
    dense_run r = {ctx, n, NULL, filled(2 * n * n), filled(2 * n * n), filled(2 * n * n), NULL};
    double *s = filled(n);
    for (int64_t i = 0; i < n; i++) s[i] = i % 3 ? 1.0 : -1.0;
    if (sf_mat_diag(ctx, n, s, &r.handle)) abort();
    r.dense = calloc((size_t)(2 * n * n), sizeof(double));
    for (int64_t i = 0; i < n; i++) r.dense[2 * (i * n + i)] = s[i];
    bench_row peer = timed(cname, "openblas 2 x zgemm", run_gram_dense, &r, 3, 0);
    bench_print_row(&peer, &peer);
    bench_row sf = timed(cname, "sparsefirst sf_gram", run_gram, &r, 5, 0);
    bench_print_row(&sf, &peer);
    sf_mat_free(r.handle);
    free(r.a), free(r.b), free(r.c), free(r.dense), free(s);
}

/* P5: Z = E * A with E = e_i e_j^T at n = 2000, against dense dgemm. */
static void bench_p5(sf_ctx *ctx) {
    const char *cname = "P5 select n=2000";
    if (only && !strstr(cname, only)) return;
    int64_t n = 2000, i = 17, j = 1234;
    dense_run r = {ctx, n, NULL, filled(n * n), NULL, filled(n * n), NULL};
    if (sf_mat_selection(ctx, n, n, 1, &i, &j, NULL, &r.handle)) abort();
    r.dense = calloc((size_t)(n * n), sizeof(double));
    r.dense[i * n + j] = 1.0;
    double bytes = 16.0 * (double)(n * n) / (double)n + 8.0 * (double)(n * n); /* one row read, Z written */
    bench_row peer = timed(cname, "openblas dgemm", run_select_dense, &r, 5, 0);
    bench_print_row(&peer, &peer);
    bench_row sf = timed(cname, "sparsefirst selection", run_select, &r, 21, bytes);
    bench_print_row(&sf, &peer);
    sf_mat_free(r.handle);
    free(r.a), free(r.c), free(r.dense);
}

int main(int argc, char **argv) {
    int quick = argc > 1 && !strcmp(argv[1], "quick");
    only = argc > 2 ? argv[2] : NULL;
    int64_t n = quick ? 100000 : 1000000, g = quick ? 316 : 1000;
    sf_ctx *ctx;
    if (sf_ctx_create(&ctx)) return 1;
#ifdef HAVE_RSB
    rsb_lib_init(RSB_NULL_INIT_OPTIONS);
#endif
    bench_print_machine();
    triad[1] = bench_stream_triad_gbs((size_t)1 << 25, 1);
    triad[2] = bench_stream_triad_gbs((size_t)1 << 25, 2);
    printf("# STREAM triad: %.1f GB/s (1 thread), %.1f GB/s (2 threads)\n", triad[1], triad[2]);
    bench_print_header();
    sf_mat *lap = laplace2d(ctx, g), *rnd = random_rows(ctx, n, 10);
    if (!lap || !rnd) return 1;
    const int64_t ks[] = {1, 4, 16, 64};
    char cname[64];
    for (int q = 0; q < 4; q++) {
        snprintf(cname, sizeof cname, "laplace2d %lld, k=%lld", (long long)lap->rows, (long long)ks[q]);
        bench_case(ctx, cname, lap, ks[q], ks[q] >= 16 ? 5 : 9, 0);
    }
    for (int q = 0; q < 4; q++) {
        snprintf(cname, sizeof cname, "random %lld 10/row, k=%lld", (long long)rnd->rows, (long long)ks[q]);
        bench_case(ctx, cname, rnd, ks[q], ks[q] >= 16 ? 5 : 9, 0);
    }
    sf_mat_free(lap);
    sf_mat_free(rnd);
    bench_shared(ctx);
    bench_p3(ctx);
    bench_p5(ctx);
#ifdef HAVE_RSB
    rsb_lib_exit(RSB_NULL_EXIT_OPTIONS);
#endif
    sf_ctx_free(ctx);
    return 0;
}
