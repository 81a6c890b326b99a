/* Triangular solves (P2): sparsefirst with 1 and 2 threads against CXSparse
 * cs_utsolve (single thread, the reference row of each case), CHOLMOD's own
 * solve on the same factor and dense OpenBLAS dtrsv/dtrsm where the matrix
 * fits densely.  Cases: the lower triangle of a 2-D Laplacian with 10^6 rows,
 * Cholesky factors L of a 2-D and a 3-D Laplacian (CHOLMOD's default
 * ordering), the factors of the shared SPD matrices, and P2's random case
 * (n = 20,000, 120,000 nonzeros); 1 and 16 right-hand sides.  Also the
 * analysis cost and how many solves repay it.  An optional second argument
 * runs only the cases whose name contains it. */
#include <cblas.h>
#include <cs.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_common.h"
#include "solve/chol_internal.h"
#include "solve/tri_internal.h"
#include "sparsefirst.h"

#ifndef SF_DATA_DEFAULT
#define SF_DATA_DEFAULT "../shared/data"
#endif

typedef struct tcase {
    char name[64];
    sf_ctx *ctx;
    sf_mat *T;       /* lower triangular CSR */
    cs_di *csc;      /* the CSR arrays read as CSC (of T'): cs_utsolve solves T x = b */
    sf_chol *ch;     /* the factor T came from, for CHOLMOD's solve (or NULL) */
    double *dense;   /* T densely, column-major (or NULL when too large) */
    int64_t n, k;
    double *b, *x;   /* n x k: row-major for sparsefirst, column-major for the others */
    int threads;
} tcase;

/* ------------------------------------------------------------ the kernels */

static void run_cxsparse(void *arg) {
    tcase *c = arg;
    for (int64_t j = 0; j < c->k; j++) {
        double *x = c->x + j * c->n;
        memcpy(x, c->b + j * c->n, (size_t)c->n * sizeof *x);
        cs_di_utsolve(c->csc, x);
    }
}

static void run_sf(void *arg) {
    tcase *c = arg;
    sf_ctx_set_threads(c->ctx, c->threads);
    sf_dense B = sf_dense_view(c->n, c->k, SF_ROW_MAJOR, SF_REAL, c->b);
    sf_dense X = sf_dense_view(c->n, c->k, SF_ROW_MAJOR, SF_REAL, c->x);
    if (sf_tri_solve(c->ctx, c->T, SF_LOWER, SF_OP_NONE, SF_NON_UNIT, 0, 1.0, &B, &X))
        fprintf(stderr, "sf_tri_solve: %s\n", sf_ctx_message(c->ctx));
}

static void run_sf_singles(void *arg) { /* k separate one-vector solves */
    tcase *c = arg;
    sf_ctx_set_threads(c->ctx, c->threads);
    for (int64_t j = 0; j < c->k; j++)
        sf_tri_solve_vec(c->ctx, c->T, SF_LOWER, SF_OP_NONE, SF_NON_UNIT, 0, 1.0, c->b + j * c->n,
                         c->x + j * c->n);
}

static void run_cholmod(void *arg) {
    tcase *c = arg;
    cholmod_dense b = {.nrow = (size_t)c->n, .ncol = (size_t)c->k, .nzmax = (size_t)(c->n * c->k),
                       .d = (size_t)c->n, .x = c->b, .xtype = CHOLMOD_REAL, .dtype = CHOLMOD_DOUBLE};
    cholmod_dense *y = cholmod_l_solve(CHOLMOD_L, c->ch->L, &b, &c->ch->cm);
    cholmod_l_free_dense(&y, &c->ch->cm);
}

static void run_dense(void *arg) {
    tcase *c = arg;
    memcpy(c->x, c->b, (size_t)(c->n * c->k) * sizeof *c->x);
    if (c->k == 1)
        cblas_dtrsv(CblasColMajor, CblasLower, CblasNoTrans, CblasNonUnit, (int)c->n, c->dense,
                    (int)c->n, c->x, 1);
    else
        cblas_dtrsm(CblasColMajor, CblasLeft, CblasLower, CblasNoTrans, CblasNonUnit, (int)c->n,
                    (int)c->k, 1.0, c->dense, (int)c->n, c->x, (int)c->n);
}

/* The substitution alone (no argument or pivot checks), with c->threads
 * forced: shows what the checks cost and what threads give when forced. */
static void run_kernel(void *arg) {
    tcase *c = arg;
    const tri_plan *p = NULL;
    sf_tri_plan_get(c->ctx, c->T, SF_LOWER, SF_OP_NONE, &p);
    tri_rhs r = {.b = c->b, .brs = c->k, .bcs = 1, .x = c->x, .xrs = c->k, .xcs = 1, .k = c->k,
                 .alpha = 1.0};
    sf_tri_execute(c->ctx, p, &r, c->threads);
}

static void run_analysis(void *arg) {
    tcase *c = arg;
    sf_mat_cache_drop(c->T, SF_CACHE_TRI_LOWER);
    sf_tri_analyze(c->ctx, c->T, SF_LOWER, SF_OP_NONE, 0);
}

/* ------------------------------------------------------------- the cases */

static sf_mat *laplacian(sf_ctx *ctx, int64_t g, int dims, int lower_only) {
    int64_t n = dims == 2 ? g * g : g * g * g, cap = (2 * dims + 1) * n, k = 0;
    int64_t *ri = malloc((size_t)cap * sizeof *ri), *ci = malloc((size_t)cap * sizeof *ci);
    double *v = malloc((size_t)cap * sizeof *v);
    int64_t stride[3] = {1, g, g * g};
    for (int64_t r = 0; r < n; r++) {
        ri[k] = ci[k] = r;
        v[k++] = 2.0 * dims;
        for (int d = 0; d < dims; d++) {
            int64_t coord = (r / stride[d]) % g;
            int64_t nb[2] = {coord > 0 ? r - stride[d] : -1, coord < g - 1 ? r + stride[d] : -1};
            for (int s = 0; s < 2; s++)
                if (nb[s] >= 0 && (!lower_only || nb[s] < r)) {
                    ri[k] = r;
                    ci[k] = nb[s];
                    v[k++] = -1.0;
                }
        }
    }
    sf_mat *m = NULL;
    if (sf_mat_from_triplets(ctx, n, n, k, ri, ci, v, &m)) fprintf(stderr, "%s\n", sf_ctx_message(ctx));
    free(ri);
    free(ci);
    free(v);
    return m;
}

/* P2's reference case: n rows, a unit-ish diagonal and (nnz - n) random
 * entries below it. */
static sf_mat *random_lower(sf_ctx *ctx, int64_t n, int64_t nnz) {
    int64_t *ri = malloc((size_t)nnz * sizeof *ri), *ci = malloc((size_t)nnz * sizeof *ci);
    double *v = malloc((size_t)nnz * sizeof *v);
    uint64_t s = 12345;
    for (int64_t k = 0; k < nnz; k++) {
        s ^= s << 13, s ^= s >> 7, s ^= s << 17;
        int64_t i = k < n ? k : 1 + (int64_t)(s % (uint64_t)(n - 1));
        ri[k] = i;
        ci[k] = k < n ? i : (int64_t)((s >> 20) % (uint64_t)i);
        v[k] = k < n ? 2.0 : ((double)(s >> 40) / (double)(1ull << 24) - 0.5) * 0.2;
    }
    sf_mat *m = NULL;
    sf_mat_from_triplets(ctx, n, n, nnz, ri, ci, v, &m);
    free(ri);
    free(ci);
    free(v);
    return m;
}

/* The factor L of A (CHOLMOD's default ordering); ch kept for CHOLMOD's solve. */
static sf_mat *factor_of(sf_ctx *ctx, sf_mat *A, sf_chol **ch) {
    sf_mat *L = NULL;
    if (sf_chol_factor(ctx, A, 0, ch) || sf_chol_factor_L(ctx, *ch, &L))
        fprintf(stderr, "factor: %s\n", sf_ctx_message(ctx));
    sf_mat_free(A);
    return L;
}

static void prepare(tcase *c) {
    c->n = sf_mat_rows(c->T);
    int64_t nnz = sf_mat_nnz(c->T), *rp = malloc((size_t)(c->n + 1) * sizeof *rp);
    c->csc = cs_di_spalloc((int)c->n, (int)c->n, (int)nnz, 1, 0);
    sf_mat_export_csr(c->ctx, c->T, rp, c->csc->i, c->csc->x);
    for (int64_t i = 0; i <= c->n; i++) c->csc->p[i] = (int)rp[i];
    free(rp);
    c->dense = NULL;
    if (c->n <= 5000) {
        c->dense = malloc((size_t)(c->n * c->n) * sizeof *c->dense);
        sf_dense v = sf_dense_view(c->n, c->n, SF_COL_MAJOR, SF_REAL, c->dense);
        sf_mat_to_dense(c->ctx, c->T, &v);
    }
    c->b = malloc((size_t)(c->n * 16) * sizeof *c->b);
    c->x = malloc((size_t)(c->n * 16) * sizeof *c->x);
    for (int64_t i = 0; i < c->n * 16; i++) c->b[i] = 1.0 + (double)(i % 7) * 0.125;
}

static void row(tcase *c, const char *impl, bench_fn fn, int reps, bench_row *ref, double *out) {
    char name[96];
    snprintf(name, sizeof name, "%s, k=%lld", c->name, (long long)c->k);
    double bytes = (double)sf_mat_nnz(c->T) * 12.0 + (double)c->n * (8.0 + 16.0 * (double)c->k);
    bench_row r = {name, impl, bench_median_time(fn, c, reps), bytes, 0};
    if (!ref->seconds) *ref = r;
    bench_print_row(&r, ref);
    if (out) *out = r.seconds;
}

static void run_case(tcase *c, int reps) {
    prepare(c);
    double t_an = bench_median_time(run_analysis, c, 5), t_cx = 0, t1 = 0, t2 = 0;
    sf_tri_info info;
    sf_tri_info_get(c->ctx, c->T, SF_LOWER, SF_OP_NONE, 0, &info);
    for (c->k = 1; c->k <= 16; c->k += 15) {
        bench_row ref = {0};
        row(c, "cxsparse cs_utsolve", run_cxsparse, reps, &ref, c->k == 1 ? &t_cx : NULL);
        if (c->ch) row(c, "cholmod_solve (L)", run_cholmod, reps, &ref, NULL);
        if (c->dense) row(c, c->k == 1 ? "openblas dtrsv" : "openblas dtrsm", run_dense, reps, &ref, NULL);
        c->threads = 1;
        if (c->k > 1) row(c, "sparsefirst 16 x k=1", run_sf_singles, reps, &ref, NULL);
        row(c, "sparsefirst 1t", run_sf, reps, &ref, c->k == 1 ? &t1 : NULL);
        row(c, "  kernel only, 1t", run_kernel, reps, &ref, NULL);
        c->threads = 2;
        row(c, "sparsefirst 2t", run_sf, reps, &ref, c->k == 1 ? &t2 : NULL);
        row(c, "  kernel only, 2t forced", run_kernel, reps, &ref, NULL);
    }
    double best = fmin(t1, t2), gain = t_cx - best;
    char repaid[64] = "never (not faster than CXSparse)";
    if (gain > 0) snprintf(repaid, sizeof repaid, "%.1f solves", t_an / gain);
    printf("# %s: analysis %.3f ms = %.2f solves; %lld levels, widest %lld, avg width %.0f, "
           "%lld cross rows (%.2f%%); repaid against CXSparse after %s\n",
           c->name, t_an * 1e3, t_an / best, (long long)info.levels, (long long)info.max_width,
           (double)c->n / (double)info.levels, (long long)info.cross_rows,
           100.0 * (double)info.cross_rows / (double)c->n, repaid);
    cs_di_spfree(c->csc);
    free(c->dense);
    free(c->b);
    free(c->x);
    sf_mat_free(c->T);
    sf_chol_free(c->ch);
}

int main(int argc, char **argv) {
    /* as the README says: an argument, else $SF_DATA_DIR, else beside the checkout */
    const char *env = getenv("SF_DATA_DIR");
    const char *data = argc > 1 ? argv[1] : env && *env ? env : SF_DATA_DEFAULT;
    sf_ctx *ctx;
    sf_ctx_create(&ctx);
    bench_print_machine();
    printf("# STREAM triad: %.1f GB/s (1 thread), %.1f GB/s (2 threads)\n",
           bench_stream_triad_gbs(20000000, 1), bench_stream_triad_gbs(20000000, 2));
    bench_print_header();
    tcase c = {.ctx = ctx};
    const char *only = argc > 2 ? argv[2] : "";
    char path[1024];

    if (strstr("lap2d lower 1e6", only)) {
        snprintf(c.name, sizeof c.name, "lap2d lower 1e6");
        c.T = laplacian(ctx, 1000, 2, 1), c.ch = NULL;
        run_case(&c, 9);
    }
    if (strstr("P2 random 20k/120k", only)) {
        snprintf(c.name, sizeof c.name, "P2 random 20k/120k");
        c.T = random_lower(ctx, 20000, 120000), c.ch = NULL;
        run_case(&c, 21);
    }
    if (strstr("chol L lap2d 250k", only)) {
        snprintf(c.name, sizeof c.name, "chol L lap2d 250k");
        c.T = factor_of(ctx, laplacian(ctx, 500, 2, 0), &c.ch);
        run_case(&c, 9);
    }
    if (strstr("chol L lap3d 27k", only)) {
        snprintf(c.name, sizeof c.name, "chol L lap3d 27k");
        c.T = factor_of(ctx, laplacian(ctx, 30, 3, 0), &c.ch);
        run_case(&c, 9);
    }
    const char *shared[] = {"bcsstk13", "494_bus"};
    for (int s = 0; s < 2; s++) {
        snprintf(c.name, sizeof c.name, "chol L %s", shared[s]);
        snprintf(path, sizeof path, "%s/matrices/%s.mtx", data, shared[s]);
        sf_mat *A = NULL;
        if (!strstr(c.name, only)) continue;
        if (sf_mm_read(ctx, path, &A, NULL)) {
            fprintf(stderr, "%s\n", sf_ctx_message(ctx));
            continue;
        }
        c.T = factor_of(ctx, A, &c.ch);
        run_case(&c, 51);
    }
    sf_ctx_free(ctx);
    return 0;
}
