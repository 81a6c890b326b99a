/* bench_deriv — derivative tensors, FD Jacobians and element assembly against
 * their peers, measured in the same run:
 *   elementwise Jacobian of 10^8 elements vs memcpy of the same bytes;
 *   assembly of 10^6 elements (k = 4 quads, k = 8 hexes): symbolic + numeric
 *   vs CXSparse cs_compress + cs_dupl on the triplets, refill vs rebuilding;
 *   the quads again with their nodes numbered at random (no locality);
 *   FD Jacobians: colours and evaluations for tridiagonal, 5-point stencil
 *   and random patterns of 10^6 columns, time at n = 2000 vs dense differences;
 *   chain rule diag * CSR on 10^7 nonzeros in GB/s vs the STREAM triad, a
 *   fresh product and the same product refreshed in place.
 * Usage: bench_deriv [quick] [elementwise|assembly|fd|chain]...
 *   quick: sizes / 100, for a smoke run; sections: all unless named. */
#include <cs.h>
#include <malloc.h>
#include <stdbool.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_common.h"
#include "sparsefirst.h"

static int64_t scale = 1; /* 100 in quick mode */
static double triad1;     /* one-thread STREAM triad, GB/s */
/* After heap_mode(): freed blocks stay in the heap and are reused, so
 * repeated runs do not pay the kernel's first-touch page faults (which cost
 * about 3 s per GB on this VM) and the kernels themselves are compared. */
static const char *mode = "";
static void heap_mode(void) {
    mallopt(M_MMAP_THRESHOLD, 1 << 30);
    mallopt(M_TRIM_THRESHOLD, -1);
    mode = " (heap)";
}

static double *random_values(int64_t n, uint64_t seed) {
    double *v = malloc((size_t)n * sizeof *v);
    for (int64_t i = 0; i < n; i++) {
        seed ^= seed << 13, seed ^= seed >> 7, seed ^= seed << 17;
        v[i] = (double)(seed >> 11) * 0x1.0p-53 - 0.5;
    }
    return v;
}

static void die(sf_ctx *ctx, sf_status st, const char *what) {
    if (!st) return;
    fprintf(stderr, "%s: %s: %s\n", what, sf_status_name(st), sf_ctx_message(ctx));
    exit(1);
}

/* ---------------------------------------------------------- elementwise */

typedef struct ew {
    sf_ctx *ctx;
    int64_t n;
    double *x, *dst;
    sf_mat *J;
} ew;

static void ew_build(void *arg) {
    ew *a = arg;
    sf_shape s = {1, {a->n}};
    sf_mat *J = NULL;
    die(a->ctx, sf_jac_elementwise(a->ctx, SF_FN_SQUARE, 0, &s, a->x, NULL, &J), "elementwise");
    sf_mat_free(J);
}
static void ew_refresh(void *arg) {
    ew *a = arg;
    die(a->ctx, sf_jac_elementwise_refresh(a->ctx, SF_FN_SQUARE, 0, a->x, NULL, a->J), "refresh");
}
static void ew_memcpy(void *arg) {
    ew *a = arg;
    memcpy(a->dst, a->x, (size_t)a->n * sizeof(double));
}
static void ew_malloc_memcpy(void *arg) {
    ew *a = arg;
    double *d = malloc((size_t)a->n * sizeof *d);
    memcpy(d, a->x, (size_t)a->n * sizeof(double));
    volatile double sink = d[a->n / 2];
    (void)sink;
    free(d);
}

static void bench_elementwise(void) {
    ew a = {NULL, 100000000 / scale, NULL, NULL, NULL};
    sf_ctx_create(&a.ctx);
    a.x = random_values(a.n, 1);
    a.dst = malloc((size_t)a.n * sizeof(double));
    memset(a.dst, 0, (size_t)a.n * sizeof(double));
    sf_shape s = {1, {a.n}};
    die(a.ctx, sf_jac_elementwise(a.ctx, SF_FN_SQUARE, 0, &s, a.x, NULL, &a.J), "elementwise");
    double bytes = 16.0 * (double)a.n;
    char name[64];
    snprintf(name, sizeof name, "elementwise square n=%.0e", (double)a.n);
    bench_row mc = {name, "memcpy (into buffer)", bench_median_time(ew_memcpy, &a, 5), bytes, 0};
    bench_row mm = {name, "malloc+memcpy+free", bench_median_time(ew_malloc_memcpy, &a, 5), bytes, 0};
    bench_print_row(&mc, &mc);
    bench_print_row(&mm, &mc);
    for (int th = 1; th <= 2; th++) {
        sf_ctx_set_threads(a.ctx, th);
        char impl[64];
        snprintf(impl, sizeof impl, "sf refresh %dt", th);
        bench_row r = {name, impl, bench_median_time(ew_refresh, &a, 5), bytes, 0};
        bench_print_row(&r, &mc);
        snprintf(impl, sizeof impl, "sf build %dt", th);
        bench_reset_peak_rss();
        bench_row b = {name, impl, bench_median_time(ew_build, &a, 5), bytes, 0};
        bench_print_row(&b, &mm);
    }
    printf("%-34s J holds %.2f bytes per element (%zu bytes for %lld elements)\n", "",
           (double)sf_mat_bytes(a.J) / (double)a.n, sf_mat_bytes(a.J), (long long)a.n);
    sf_mat_free(a.J);
    free(a.x);
    free(a.dst);
    sf_ctx_free(a.ctx);
}

/* ------------------------------------------------------------- assembly */

typedef struct asmb {
    sf_ctx *ctx;
    int64_t nodes, nelem;
    int k;
    int64_t *conn;
    double *ke;
    cs_di *T;
    sf_jac_pattern *jp;
} asmb;

/* The nodes numbered at random (an unstructured mesh that was never
 * renumbered: no locality between elements in sequence). */
static void shuffle_nodes(asmb *a) {
    int64_t *perm = malloc((size_t)a->nodes * sizeof *perm);
    uint64_t s = 88172645463325252ull;
    for (int64_t i = 0; i < a->nodes; i++) perm[i] = i;
    for (int64_t i = a->nodes - 1; i > 0; i--) {
        s ^= s << 13, s ^= s >> 7, s ^= s << 17;
        int64_t j = (int64_t)(s % (uint64_t)(i + 1)), t = perm[i];
        perm[i] = perm[j], perm[j] = t;
    }
    for (int64_t q = 0; q < a->nelem * a->k; q++) a->conn[q] = perm[a->conn[q]];
    free(perm);
}

/* Quads of a g x g grid (k = 4) or hexes of a g^3 grid (k = 8). */
static void mesh(asmb *a, int64_t g) {
    int64_t g1 = g + 1;
    a->nelem = a->k == 4 ? g * g : g * g * g;
    a->nodes = a->k == 4 ? g1 * g1 : g1 * g1 * g1;
    a->conn = malloc((size_t)(a->nelem * a->k) * sizeof *a->conn);
    for (int64_t e = 0; e < a->nelem; e++) {
        int64_t i = e % g, j = (e / g) % g, l = e / (g * g), *c = a->conn + e * a->k;
        int64_t n0 = a->k == 4 ? j * g1 + i : (l * g1 + j) * g1 + i;
        int64_t quad[4] = {n0, n0 + 1, n0 + g1 + 1, n0 + g1};
        for (int q = 0; q < 4; q++) {
            c[q] = quad[q];
            if (a->k == 8) c[q + 4] = quad[q] + g1 * g1;
        }
    }
    a->ke = random_values(a->nelem * a->k * a->k, 7);
}

static void cs_triplets(asmb *a) {
    int64_t nq = a->nelem * a->k * a->k;
    a->T = cs_di_spalloc((int)a->nodes, (int)a->nodes, (int)nq, 1, 1);
    int64_t q = 0;
    for (int64_t e = 0; e < a->nelem; e++)
        for (int r = 0; r < a->k; r++)
            for (int c = 0; c < a->k; c++, q++) {
                a->T->i[q] = (int)a->conn[e * a->k + r];
                a->T->p[q] = (int)a->conn[e * a->k + c];
                a->T->x[q] = a->ke[q];
            }
    a->T->nz = (int)nq;
}

static void run_cs(void *arg) {
    asmb *a = arg;
    cs_di *C = cs_di_compress(a->T);
    if (!C || !cs_di_dupl(C)) {
        fprintf(stderr, "cxsparse failed\n");
        exit(1);
    }
    cs_di_spfree(C);
}
/* The same with sorted columns, as sf's pattern has them (CSparse's idiom:
 * transpose twice); not the peer, shown for equal output. */
static void run_cs_sorted(void *arg) {
    asmb *a = arg;
    cs_di *C = cs_di_compress(a->T), *CT = NULL, *S = NULL;
    if (C && cs_di_dupl(C) && (CT = cs_di_transpose(C, 1))) S = cs_di_transpose(CT, 1);
    if (!S) {
        fprintf(stderr, "cxsparse failed\n");
        exit(1);
    }
    cs_di_spfree(C), cs_di_spfree(CT), cs_di_spfree(S);
}
static void run_sf_full(void *arg) {
    asmb *a = arg;
    sf_jac_pattern *jp = NULL;
    die(a->ctx, sf_assembly_pattern(a->ctx, a->nodes, a->nelem, a->k, a->conn, &jp), "assembly");
    die(a->ctx, sf_assemble(a->ctx, jp, a->ke), "assemble");
    sf_jac_pattern_free(jp);
}
static void run_sf_refill(void *arg) {
    asmb *a = arg;
    die(a->ctx, sf_assemble(a->ctx, a->jp, a->ke), "assemble");
}

static void bench_assembly(int k, int64_t g, bool shuffled) {
    asmb a = {.k = k};
    sf_ctx_create(&a.ctx);
    mesh(&a, g);
    if (shuffled) shuffle_nodes(&a);
    cs_triplets(&a);
    char name[64];
    snprintf(name, sizeof name, "assembly E=%.0e k=%d%s", (double)a.nelem, k,
             shuffled ? " shuffled" : "");
    /* bytes the numeric phase must move: ke (8) and the 1-byte slot map (1; these
     * meshes' rows have at most 27 columns) read per entry */
    double nq = (double)(a.nelem * k * k);
    bench_reset_peak_rss();
    size_t base = bench_peak_rss();
    char impl[3][64];
    snprintf(impl[0], 64, "cxsparse compress+dupl%s", mode);
    snprintf(impl[1], 64, "sf symbolic+numeric%s", mode);
    snprintf(impl[2], 64, "sf numeric refill%s", mode);
    bench_row cs = {name, impl[0], bench_median_time(run_cs, &a, 5), 0, 0};
    cs.peak_bytes = bench_peak_rss() - base;
    bench_print_row(&cs, &cs);
    char impl_sorted[64];
    snprintf(impl_sorted, 64, "cxsparse + sorting%s", mode);
    bench_row sorted = {name, impl_sorted, bench_median_time(run_cs_sorted, &a, 3), 0, 0};
    bench_print_row(&sorted, &cs);
    bench_reset_peak_rss();
    base = bench_peak_rss();
    bench_row full = {name, impl[1], bench_median_time(run_sf_full, &a, 5), 0, 0};
    full.peak_bytes = bench_peak_rss() - base;
    bench_print_row(&full, &cs);
    char impl_full2[64];
    snprintf(impl_full2, 64, "sf symbolic+numeric 2 thr%s", mode);
    sf_ctx_set_threads(a.ctx, 2);
    bench_row full2 = {name, impl_full2, bench_median_time(run_sf_full, &a, 5), 0, 0};
    sf_ctx_set_threads(a.ctx, 1);
    bench_print_row(&full2, &cs);
    die(a.ctx, sf_assembly_pattern(a.ctx, a.nodes, a.nelem, k, a.conn, &a.jp), "assembly");
    bench_row refill = {name, impl[2], bench_median_time(run_sf_refill, &a, 5),
                        9.0 * nq, 0};
    bench_print_row(&refill, &cs);
    char impl2[64];
    snprintf(impl2, 64, "sf numeric refill 2 thr%s", mode);
    sf_ctx_set_threads(a.ctx, 2);
    bench_row refill2 = {name, impl2, bench_median_time(run_sf_refill, &a, 5), 9.0 * nq, 0};
    sf_ctx_set_threads(a.ctx, 1);
    bench_print_row(&refill2, &cs);
    /* The ratios from two timed alternately: a slow moment of the host hits
     * both (single medians moved 4.4-7.3x from run to run at k = 8).  Against
     * CXSparse outside heap mode, each also runs on memory the other has just
     * returned to the kernel: our huge-page faults then sometimes wait for
     * the kernel to compact it (k = 8 rebuild 470-1500 ms after CXSparse,
     * 510-720 ms after itself), so that ratio is lower than the medians'. */
    double t_cs, t_sf, vs_cs;
    bench_paired_medians(run_cs, &a, run_sf_full, &a, 7, &t_cs, &t_sf, &vs_cs);
    printf("%-34s sf rebuild vs cxsparse: %.2fx (median of 7 paired rounds: cxsparse %.1f ms, "
           "sf %.1f ms)\n", "", vs_cs, 1e3 * t_cs, 1e3 * t_sf);
    double t_full, t_refill, paired;
    bench_paired_medians(run_sf_full, &a, run_sf_refill, &a, 7, &t_full, &t_refill, &paired);
    printf("%-34s refill vs sf rebuild: %.1fx (medians above), %.1fx (median of 7 paired "
           "rounds: rebuild %.1f ms, refill %.1f ms); pattern nnz %lld, map %lld entries\n", "",
           full.seconds / refill.seconds, paired, 1e3 * t_full, 1e3 * t_refill,
           (long long)sf_mat_nnz(sf_jac_pattern_matrix(a.jp)), (long long)(a.nelem * k * k));
    sf_jac_pattern_free(a.jp);
    cs_di_spfree(a.T);
    free(a.conn);
    free(a.ke);
    sf_ctx_free(a.ctx);
}

/* ------------------------------------------------- FD Jacobians */

typedef struct fdcase {
    sf_ctx *ctx;
    int64_t n, g; /* g: grid side of the stencil */
    const sf_mat *A;
    sf_mat *pattern;
    double *x, *J;
    sf_jac_pattern *jp;
} fdcase;

/* f_i = x_{i-1} - 2 x_i + x_{i+1} + x_i^3 / 3 */
static int tri_f(const double *x, double *f, void *user) {
    int64_t n = ((fdcase *)user)->n;
    for (int64_t i = 0; i < n; i++)
        f[i] = (i ? x[i - 1] : 0) - 2 * x[i] + (i + 1 < n ? x[i + 1] : 0) + x[i] * x[i] * x[i] / 3;
    return 0;
}

/* f = A x + x^2 (A's pattern plus the diagonal, which the patterns below hold) */
static int spmv_f(const double *x, double *f, void *user) {
    fdcase *c = user;
    if (sf_spmv(c->ctx, 1.0, c->A, SF_OP_NONE, x, 0.0, f)) return 1;
    for (int64_t i = 0; i < c->n; i++) f[i] += x[i] * x[i];
    return 0;
}

static sf_mat *csr_pattern(sf_ctx *ctx, int64_t n, int per_row, int64_t g) {
    int64_t *rp = malloc((size_t)(n + 1) * 8), *ci = malloc((size_t)(n * per_row) * 8), q = 0;
    uint64_t s = 88172645463325252ull;
    rp[0] = 0;
    for (int64_t i = 0; i < n; i++) {
        if (g) { /* 5-point stencil on a g x g grid */
            int64_t x = i % g, y = i / g;
            if (y > 0) ci[q++] = i - g;
            if (x > 0) ci[q++] = i - 1;
            ci[q++] = i;
            if (x < g - 1) ci[q++] = i + 1;
            if (y < g - 1) ci[q++] = i + g;
        } else if (per_row == 3) {
            for (int64_t j = i - 1; j <= i + 1; j++)
                if (j >= 0 && j < n) ci[q++] = j;
        } else { /* the diagonal and per_row - 1 random columns */
            ci[q++] = i;
            for (int r = 1; r < per_row; r++) {
                s ^= s << 13, s ^= s >> 7, s ^= s << 17;
                ci[q++] = (int64_t)(s % (uint64_t)n);
            }
        }
        rp[i + 1] = q;
    }
    double *v = random_values(q, 3);
    sf_mat *m = NULL;
    die(ctx, sf_mat_from_csr(ctx, n, n, rp, ci, v, 0, &m), "pattern");
    free(rp), free(ci), free(v);
    return m;
}

static void fd_sparse(void *arg) {
    fdcase *c = arg;
    sf_jac_pattern *jp = NULL;
    die(c->ctx, sf_jac_pattern_create(c->ctx, c->pattern, &jp), "pattern");
    die(c->ctx, sf_jac_pattern_fd(c->ctx, jp, c->A ? spmv_f : tri_f, c, c->x, SF_FD_FORWARD, NULL), "fd");
    sf_jac_pattern_free(jp);
}

/* Dense forward differences: n + 1 evaluations, an n x n array. */
static void fd_dense(void *arg) {
    fdcase *c = arg;
    int64_t n = c->n;
    double *f0 = malloc((size_t)n * 8), *f1 = malloc((size_t)n * 8), *xw = malloc((size_t)n * 8);
    memcpy(xw, c->x, (size_t)n * 8);
    tri_f(xw, f0, c);
    for (int64_t j = 0; j < n; j++) {
        double h = sqrt(2.2e-16) * fmax(fabs(xw[j]), 1.0);
        xw[j] += h;
        tri_f(xw, f1, c);
        xw[j] = c->x[j];
        for (int64_t i = 0; i < n; i++) c->J[i * n + j] = (f1[i] - f0[i]) / h;
    }
    free(f0), free(f1), free(xw);
}

static void fd_counts(const char *name, int64_t n, int per_row, int64_t g, bool spmv) {
    fdcase c = {.n = n, .g = g};
    sf_ctx_create(&c.ctx);
    c.pattern = csr_pattern(c.ctx, n, per_row, g);
    c.A = spmv ? c.pattern : NULL;
    c.x = random_values(n, 5);
    double t0 = bench_now();
    die(c.ctx, sf_jac_pattern_create(c.ctx, c.pattern, &c.jp), "pattern");
    double t1 = bench_now();
    sf_fd_stats st;
    die(c.ctx, sf_jac_pattern_fd(c.ctx, c.jp, spmv ? spmv_f : tri_f, &c, c.x, SF_FD_FORWARD, &st), "fd");
    double t2 = bench_now();
    printf("%-34s %lld colours, %lld evaluations (dense: %lld); colouring %.0f ms, FD %.0f ms\n",
           name, (long long)st.colors, (long long)st.evaluations, (long long)(n + 1),
           1e3 * (t1 - t0), 1e3 * (t2 - t1));
    sf_jac_pattern_free(c.jp);
    sf_mat_free(c.pattern);
    free(c.x);
    sf_ctx_free(c.ctx);
}

static void bench_fd(void) {
    int64_t n = 1000000 / scale, g = 1000 / (scale == 1 ? 1 : 10);
    fd_counts("FD tridiagonal n=1e6", n, 3, 0, false);
    fd_counts("FD 5-point stencil 1000^2", g * g, 5, g, true);
    fd_counts("FD random 5/row n=1e6", n, 5, 0, true);
    fdcase c = {.n = 2000};
    sf_ctx_create(&c.ctx);
    c.pattern = csr_pattern(c.ctx, c.n, 3, 0);
    c.x = random_values(c.n, 9);
    c.J = malloc((size_t)(c.n * c.n) * 8);
    bench_row d = {"FD tridiagonal n=2000", "dense differences", bench_median_time(fd_dense, &c, 3), 0, 0};
    bench_row s = {"FD tridiagonal n=2000", "sf sparse (create+fd)", bench_median_time(fd_sparse, &c, 9), 0, 0};
    bench_print_row(&d, &d);
    bench_print_row(&s, &d);
    free(c.J), free(c.x);
    sf_mat_free(c.pattern);
    sf_ctx_free(c.ctx);
}

/* ------------------------------------------------------------ chain rule */

typedef struct chain {
    sf_ctx *ctx;
    sf_mat *D, *A, *J;
} chain;

static void run_chain(void *arg) {
    chain *c = arg;
    sf_mat *J = NULL;
    die(c->ctx, sf_jac_chain(c->ctx, c->D, c->A, &J), "chain");
    sf_mat_free(J);
}

/* The same product refreshed in place (J made once, before timing). */
static void run_chain_update(void *arg) {
    chain *c = arg;
    die(c->ctx, sf_jac_chain_update(c->ctx, c->D, c->A, c->J), "chain update");
}

/* The share of the triad twice: against the best triad of the run's start,
 * and against a triad pass timed alternately with the kernel (median of 7
 * paired rounds), which a slow moment of the host hits on both sides. */
static void print_chain_row(const char *name, const char *impl, void (*fn)(void *), chain *c,
                            double bytes, bench_triad *triad) {
    bench_row r = {name, impl, bench_median_time(fn, c, 5), bytes, 0};
    bench_print_row(&r, NULL);
    double t_triad, t_kernel, ratio;
    bench_paired_medians(bench_triad_pass, triad, fn, c, 7, &t_triad, &t_kernel, &ratio);
    printf("%-34s %.0f%% of the 1-thread triad; %.0f%% of a triad timed alternately\n", "",
           100 * bytes / r.seconds / 1e9 / triad1,
           100 * ratio * bytes / (24.0 * (double)triad->n));
}

static void bench_chain(void) {
    chain c;
    sf_ctx_create(&c.ctx);
    int64_t n = 1000000 / scale;
    c.A = csr_pattern(c.ctx, n, 10, 0);
    double *d = random_values(n, 4);
    die(c.ctx, sf_mat_diag(c.ctx, n, d, &c.D), "diag");
    /* The product shares A's pattern (allocates and writes no rowptr or
     * colind), so the bytes it moves are: read A's rowptr (to find the rows),
     * A's values and d; write J's values.  The update moves the same: J's
     * pattern is A's arrays, so the pattern check reads nothing.  Not
     * counted: outside heap mode the kernel zeroes J's new value pages
     * (8 bytes per entry) before the product writes them. */
    double nnz = (double)sf_mat_nnz(c.A), bytes = 16.0 * nnz + 16.0 * (double)n;
    char name[64];
    snprintf(name, sizeof name, "chain diag*CSR nnz=%.0e", nnz);
    bench_row t = {name, "STREAM triad 1t", 1.0, triad1 * 1e9, 0};
    bench_print_row(&t, NULL);
    char impl[64];
    bench_triad triad;
    bench_triad_init(&triad, 20000000 / (size_t)scale, 1);
    snprintf(impl, sizeof impl, "sf_jac_chain%s", mode);
    print_chain_row(name, impl, run_chain, &c, bytes, &triad);
    die(c.ctx, sf_jac_chain(c.ctx, c.D, c.A, &c.J), "chain");
    snprintf(impl, sizeof impl, "sf_jac_chain_update%s", mode);
    print_chain_row(name, impl, run_chain_update, &c, bytes, &triad);
    bench_triad_free(&triad);
    sf_mat_free(c.J);
    sf_mat_free(c.A);
    sf_mat_free(c.D);
    free(d);
    sf_ctx_free(c.ctx);
}

/* Sections run: all, or those named on the command line. */
static bool wanted(int argc, char **argv, const char *name) {
    bool any = false;
    for (int a = 1; a < argc; a++) {
        if (!strcmp(argv[a], name)) return true;
        any |= strcmp(argv[a], "quick") != 0;
    }
    return !any;
}

int main(int argc, char **argv) {
    for (int a = 1; a < argc; a++)
        if (!strcmp(argv[a], "quick")) scale = 100;
    bench_print_machine();
    triad1 = bench_stream_triad_gbs(20000000 / (size_t)scale, 1);
    printf("# STREAM triad: %.1f GB/s (1 thread), %.1f GB/s (2 threads)\n", triad1,
           bench_stream_triad_gbs(20000000 / (size_t)scale, 2));
    bench_print_header();
    if (wanted(argc, argv, "elementwise")) bench_elementwise();
    if (wanted(argc, argv, "assembly")) {
        bench_assembly(4, scale == 1 ? 1000 : 100, false);
        bench_assembly(8, scale == 1 ? 100 : 21, false);
        bench_assembly(4, scale == 1 ? 1000 : 100, true);
    }
    if (wanted(argc, argv, "fd")) bench_fd();
    if (wanted(argc, argv, "chain")) bench_chain();
    heap_mode();
    if (wanted(argc, argv, "assembly")) {
        bench_assembly(4, scale == 1 ? 1000 : 100, false);
        bench_assembly(8, scale == 1 ? 100 : 21, false);
        bench_assembly(4, scale == 1 ? 1000 : 100, true);
    }
    if (wanted(argc, argv, "chain")) bench_chain();
    return 0;
}
