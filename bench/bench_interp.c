/* Interpolation along one axis (P6): weights built once and applied, against
 * two per-column loops that recompute from the coordinates for every field:
 * a binary search per target (what a loop of np.interp does) and a merge
 * walk over the two sorted grids (the best answer people give).
 *
 * Cases: P6 at its original size, a reanalysis-like log-pressure case, a
 * shared 1-D source grid, and 8 fields in one call against 8 single calls.
 * The weights are timed built afresh (12 B per output of new memory) and
 * rebuilt in place (sf_interp_weights_update); the merge loop writes into an
 * output it reuses, so the in-place rebuild is the like-for-like row.
 * Ratios are against the merge loop (1 thread). */
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_common.h"
#include "sparsefirst.h"

typedef struct icase {
    const char *name;
    sf_shape data, out;
    int axis, m, nf;
    bool shared;
    sf_interp_method method;
    int64_t n, pre, post, size, out_size;
    double *x, *xnew, *f[8];
} icase;

static uint64_t rng_state = 88172645463325252ull;
static double uniform01(void) {
    rng_state ^= rng_state << 13, rng_state ^= rng_state >> 7, rng_state ^= rng_state << 17;
    return (double)(rng_state >> 11) * 0x1.0p-53;
}

static double *alloc_doubles(int64_t n) {
    double *p = malloc((size_t)n * sizeof *p);
    if (!p) {
        fprintf(stderr, "bench_interp: out of memory\n");
        exit(1);
    }
    return p;
}

/* Shapes (d0, n, d2, d3) along axis 1; coordinates filled by the caller. */
static void case_init(icase *c, const char *name, const int64_t d[4], int m, bool shared,
                      sf_interp_method method, int nf) {
    *c = (icase){.name = name, .axis = 1, .m = m, .nf = nf, .shared = shared, .method = method};
    c->data = (sf_shape){4, {d[0], d[1], d[2], d[3]}};
    c->out = c->data;
    c->out.dim[1] = m;
    c->n = d[1], c->pre = d[0], c->post = d[2] * d[3];
    c->size = c->pre * c->n * c->post;
    c->out_size = c->pre * m * c->post;
    c->x = alloc_doubles(shared ? c->n : c->size);
    c->xnew = alloc_doubles(m);
    for (int q = 0; q < nf; q++) {
        c->f[q] = alloc_doubles(c->size);
        for (int64_t i = 0; i < c->size; i++) c->f[q][i] = 250.0 + 30.0 * uniform01();
    }
}

static void case_free(icase *c) {
    free(c->x), free(c->xnew);
    for (int q = 0; q < c->nf; q++) free(c->f[q]);
}

/* Altitude per column: level k at 100 k + 40 u; targets from -50 to 6750. */
static void altitude_case(icase *c, const char *name, const int64_t d[4], bool shared, int nf) {
    case_init(c, name, d, 69, shared, SF_INTERP_LINEAR, nf);
    for (int64_t i = 0; i < (shared ? c->n : c->size); i++) {
        int64_t k = shared ? i : (i / c->post) % c->n;
        c->x[i] = 100.0 * (double)k + 40.0 * uniform01();
    }
    for (int k = 0; k < c->m; k++) c->xnew[k] = -50.0 + 100.0 * k;
}

/* Model-level pressure p = ps * ((k + 1) / n)^2 with ps in [950, 1050] hPa;
 * 37 pressure levels log-spaced over [1, 1000] hPa. */
static void pressure_case(icase *c, const char *name, const int64_t d[4]) {
    case_init(c, name, d, 37, false, SF_INTERP_LOG, 1);
    double *ps = alloc_doubles(c->pre * c->post);
    for (int64_t q = 0; q < c->pre * c->post; q++) ps[q] = 950.0 + 100.0 * uniform01();
    for (int64_t i = 0; i < c->size; i++) {
        int64_t k = (i / c->post) % c->n, col = (i / (c->n * c->post)) * c->post + i % c->post;
        double s = (double)(k + 1) / (double)c->n;
        c->x[i] = ps[col] * s * s;
    }
    for (int k = 0; k < c->m; k++) c->xnew[k] = pow(1000.0, (double)k / (c->m - 1));
    free(ps);
}

/* ------------------------------------------------------------ the peers */

typedef struct peer_arg {
    const icase *c;
    const double *f;
    double *out;
    bool merge;
} peer_arg;

/* Copy column col of x (in the method's coordinate) and of f. */
static void gather_column(const icase *c, const double *f, int64_t col, double *xs, double *fs) {
    int64_t base = (col / c->post) * c->n * c->post + col % c->post;
    for (int64_t k = 0; k < c->n; k++) {
        double x = c->shared ? c->x[k] : c->x[base + k * c->post];
        xs[k] = c->method == SF_INTERP_LOG ? log(x) : x;
        fs[k] = f[base + k * c->post];
    }
}

static double lerp(const double *xs, const double *fs, int64_t j, double v) {
    return fs[j] + (v - xs[j]) * (fs[j + 1] - fs[j]) / (xs[j + 1] - xs[j]);
}

/* np.interp on one column: clamp outside, binary search inside. */
static double bsearch_value(const double *xs, const double *fs, int64_t n, double v) {
    if (v <= xs[0]) return fs[0];
    if (v >= xs[n - 1]) return fs[n - 1];
    int64_t lo = 0, hi = n - 1;
    while (hi - lo > 1) {
        int64_t mid = (lo + hi) / 2;
        if (xs[mid] <= v) lo = mid;
        else hi = mid;
    }
    return lerp(xs, fs, lo, v);
}

static void merge_column(const double *xs, const double *fs, int64_t n, const double *t,
                         int m, double *o, int64_t ostep) {
    int64_t j = 0;
    for (int k = 0; k < m; k++) {
        double v = t[k];
        while (j < n - 2 && xs[j + 1] <= v) j++;
        o[k * ostep] = v <= xs[0] ? fs[0] : v >= xs[n - 1] ? fs[n - 1] : lerp(xs, fs, j, v);
    }
}

static void run_peer(void *arg) {
    peer_arg *a = arg;
    const icase *c = a->c;
    double xs[256], fs[256], t[256];
    for (int k = 0; k < c->m; k++) t[k] = c->method == SF_INTERP_LOG ? log(c->xnew[k]) : c->xnew[k];
    for (int64_t col = 0; col < c->pre * c->post; col++) {
        gather_column(c, a->f, col, xs, fs);
        double *o = a->out + (col / c->post) * c->m * c->post + col % c->post;
        if (a->merge) merge_column(xs, fs, c->n, t, c->m, o, c->post);
        else
            for (int k = 0; k < c->m; k++) o[k * c->post] = bsearch_value(xs, fs, c->n, t[k]);
    }
}

/* --------------------------------------------------------- sparsefirst */

typedef struct sf_arg {
    sf_ctx *ctx;
    const icase *c;
    sf_mat *W;
    int nf, singles;
    double **outs;
} sf_arg;

static void check(sf_ctx *ctx, sf_status st) {
    if (st) {
        fprintf(stderr, "bench_interp: %s: %s\n", sf_status_name(st), sf_ctx_message(ctx));
        exit(1);
    }
}

static void run_build(void *arg) {
    sf_arg *a = arg;
    const icase *c = a->c;
    sf_shape xs = c->shared ? (sf_shape){1, {c->n}} : c->data, ts = {1, {c->m}};
    sf_mat_free(a->W);
    a->W = NULL;
    check(a->ctx, sf_interp_weights(a->ctx, c->x, &xs, c->xnew, &ts, &c->data, c->axis, c->method,
                                    SF_EXTRAP_CLAMP, 0, &a->W));
}

/* The weights rebuilt in place (same coordinates: the same work as new ones
 * of the same shapes), as a time-stepping pipeline does for every new
 * pressure field: no allocation, like the merge loop's reused output. */
static void run_update(void *arg) {
    sf_arg *a = arg;
    const icase *c = a->c;
    sf_shape xs = c->shared ? (sf_shape){1, {c->n}} : c->data, ts = {1, {c->m}};
    check(a->ctx, sf_interp_weights_update(a->ctx, a->W, c->x, &xs, c->xnew, &ts));
}

/* nf fields in one call, or (singles) one call per field. */
static void run_apply(void *arg) {
    sf_arg *a = arg;
    const double *const *f = (const double *const *)a->c->f;
    if (a->singles)
        for (int q = 0; q < a->nf; q++) check(a->ctx, sf_interp_apply(a->ctx, a->W, 1, f + q, a->outs + q));
    else check(a->ctx, sf_interp_apply(a->ctx, a->W, a->nf, f, a->outs));
}

static double max_diff(const double *a, const double *b, int64_t n) {
    double d = 0;
    for (int64_t i = 0; i < n; i++) d = fmax(d, fabs(a[i] - b[i]));
    return d;
}

static double apply_bytes(const icase *c, int nf) {
    return 12.0 * (double)c->out_size + 8.0 * nf * (double)(c->out_size + c->size);
}

static void print_ratio(const char *what, double got, double target) {
    printf("  %-58s %6.2f  (target %s%.2f: %s)\n", what, got, ">= ", target,
           got >= target ? "met" : "NOT met");
}

/* Peers, build, apply at 1 and 2 threads, for one field. */
static void bench_case(const icase *c, double stream1) {
    int reps = 3;
    double *ref = alloc_doubles(c->out_size), *out = alloc_doubles(c->out_size);
    peer_arg pb = {c, c->f[0], out, false}, pm = {c, c->f[0], ref, true};
    bench_row merge = {c->name, "merge loop (C, 1t)", bench_median_time(run_peer, &pm, reps), 0, 0};
    bench_row bs = {c->name, "bsearch loop (C, 1t)", bench_median_time(run_peer, &pb, reps), 0, 0};
    bench_print_row(&bs, &merge);
    bench_print_row(&merge, &merge);
    double bs_diff = max_diff(out, ref, c->out_size);
    sf_ctx *ctx;
    sf_ctx_create(&ctx);
    sf_arg a = {ctx, c, NULL, 1, 0, &out};
    bench_row build = {c->name, "sf weights build 1t", bench_median_time(run_build, &a, reps), 0, 0};
    bench_print_row(&build, &merge);
    bench_row update = {c->name, "sf weights rebuild in place 1t",
                        bench_median_time(run_update, &a, reps), 0, 0};
    bench_print_row(&update, &merge);
    double apply1 = 0;
    for (int t = 1; t <= 2; t++) {
        sf_ctx_set_threads(ctx, t);
        bench_row r = {c->name, t == 1 ? "sf apply 1t" : "sf apply 2t",
                       bench_median_time(run_apply, &a, 5), apply_bytes(c, 1), 0};
        if (t == 1) apply1 = r.seconds;
        bench_print_row(&r, &merge);
    }
    double bytes = (double)sf_mat_bytes(a.W), csr = 8.0 * (double)(c->out_size + 1) + 12.0 * (double)sf_mat_nnz(a.W);
    printf("  weights %.1f MB = %.2f B/output (CSR would be %.1f MB = %.2f B/output); "
           "max |sf - merge| = %.3g, |bsearch - merge| = %.3g\n",
           bytes / 1048576, bytes / (double)c->out_size, csr / 1048576, csr / (double)c->out_size,
           max_diff(out, ref, c->out_size), bs_diff);
    print_ratio("build (fresh memory): merge-loop time / build time", merge.seconds / build.seconds,
                1.0);
    print_ratio("rebuild in place: merge-loop time / rebuild time", merge.seconds / update.seconds,
                1.0);
    print_ratio("apply 1t: merge-loop time / apply time", merge.seconds / apply1, 2.0);
    print_ratio("apply 1t: GB/s / STREAM 1t", apply_bytes(c, 1) / apply1 / 1e9 / stream1, 0.60);
    sf_mat_free(a.W);
    sf_ctx_free(ctx);
    free(ref), free(out);
}

/* 8 fields in one call against 8 single calls, 1 thread. */
static void bench_fields(const icase *c) {
    double *outs[8];
    for (int q = 0; q < c->nf; q++) outs[q] = alloc_doubles(c->out_size);
    sf_ctx *ctx;
    sf_ctx_create(&ctx);
    sf_arg a = {ctx, c, NULL, c->nf, 1, outs};
    run_build(&a);
    sf_arg one_call = a;
    one_call.singles = 0;
    /* interleaved: the host's slow moments hit both (single runs moved 59-89 ms) */
    double t_singles, t_joint, ratio;
    bench_paired_medians(run_apply, &a, run_apply, &one_call, 11, &t_singles, &t_joint, &ratio);
    bench_row singles = {c->name, "sf 8 single applies 1t", t_singles, apply_bytes(c, 1) * c->nf, 0};
    bench_row joint = {c->name, "sf 8 fields, one call 1t", t_joint, apply_bytes(c, c->nf), 0};
    bench_print_row(&singles, &singles);
    bench_print_row(&joint, &singles);
    print_ratio("8 fields: singles / one call, median of 11 paired rounds", ratio, 1.5);
    sf_mat_free(a.W);
    sf_ctx_free(ctx);
    for (int q = 0; q < c->nf; q++) free(outs[q]);
}

int main(void) {
    bench_print_machine();
    double s1 = bench_stream_triad_gbs(20000000, 1), s2 = bench_stream_triad_gbs(20000000, 2);
    printf("# STREAM triad: %.2f GB/s (1 thread), %.2f GB/s (2 threads)\n", s1, s2);
    printf("# apply bytes = 12 B of weights + 8 B written per output + 8 B read per source value\n");
    bench_print_header();
    icase c;
    const int64_t p6[4] = {2, 66, 250, 400}, era[4] = {4, 137, 181, 360}, p6q[4] = {2, 66, 125, 200};
    altitude_case(&c, "P6 (2,66,250,400) 66->69", p6, false, 1);
    bench_case(&c, s1);
    case_free(&c);
    pressure_case(&c, "ERA-like (4,137,181,360)->37 log", era);
    bench_case(&c, s1);
    case_free(&c);
    altitude_case(&c, "shared 1-D grid (2,66,250,400)", p6, true, 1);
    bench_case(&c, s1);
    case_free(&c);
    altitude_case(&c, "P6/4 (2,66,125,200), 8 fields", p6q, false, 8);
    bench_fields(&c);
    case_free(&c);
    return 0;
}
