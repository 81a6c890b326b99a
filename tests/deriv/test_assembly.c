/* Element assembly against triplets summed naively, the slot map, refill in
 * place, the scaled residual's Jacobian against finite differences, and bad
 * connectivity named with nothing written. */
#include <math.h>
#include <stdlib.h>

#include "deriv/deriv_internal.h"
#include "deriv_testutil.h"

enum { NODES = 20, E = 40, K = 3 };

/* Random connectivity; element 5 names node 2 twice (its entries still sum). */
static void random_mesh(int64_t *conn, int32_t *conn32, double *ke, uint64_t seed) {
    uint64_t s = seed;
    for (int q = 0; q < E * K; q++) conn[q] = (int64_t)(tu_rand(&s) % NODES);
    conn[5 * K] = conn[5 * K + 2] = 2;
    for (int q = 0; q < E * K; q++) conn32[q] = (int32_t)conn[q];
    for (int q = 0; q < E * K * K; q++) ke[q] = tu_uniform(&s);
}

static double *naive_dense(const int64_t *conn, const double *ke) {
    double *D = calloc(NODES * NODES, sizeof *D);
    for (int e = 0; e < E; e++)
        for (int a = 0; a < K; a++)
            for (int b = 0; b < K; b++)
                D[conn[e * K + a] * NODES + conn[e * K + b]] += ke[(e * K + a) * K + b];
    return D;
}

Test(assembly, int64_and_int32_against_naive_triplets) {
    sf_ctx *ctx = tu_ctx();
    int64_t conn[E * K];
    int32_t conn32[E * K];
    double ke[E * K * K];
    random_mesh(conn, conn32, ke, 5);
    double *want = naive_dense(conn, ke);
    sf_jac_pattern *p64 = NULL, *p32 = NULL;
    cr_assert_eq(sf_assembly_pattern(ctx, NODES, E, K, conn, &p64), SF_OK, "%s", sf_ctx_message(ctx));
    cr_assert_eq(sf_assembly_pattern_i32(ctx, NODES, E, K, conn32, &p32), SF_OK);
    cr_assert_eq(sf_assemble(ctx, p64, ke), SF_OK);
    cr_assert_eq(sf_assemble(ctx, p32, ke), SF_OK);
    dt_assert_dense(ctx, sf_jac_pattern_matrix(p64), want, NODES, NODES, 1e-15);
    dt_assert_dense(ctx, sf_jac_pattern_matrix(p32), want, NODES, NODES, 1e-15);
    /* the pattern is exactly the set of (conn[e,a], conn[e,b]) pairs */
    bool *hit = calloc(NODES * NODES, sizeof *hit);
    int64_t pairs = 0;
    for (int e = 0; e < E; e++)
        for (int a = 0; a < K; a++)
            for (int b = 0; b < K; b++) {
                int64_t q = conn[e * K + a] * NODES + conn[e * K + b];
                pairs += !hit[q];
                hit[q] = true;
            }
    cr_assert_eq(sf_mat_nnz(sf_jac_pattern_matrix(p64)), pairs);
    /* the map points every element entry at its (row, column) slot */
    int64_t map[E * K * K];
    cr_assert_eq(sf_assembly_map_export(ctx, p64, map), SF_OK);
    int64_t *rp = malloc((NODES + 1) * sizeof *rp);
    int32_t *ci = malloc(pairs * sizeof *ci);
    cr_assert_eq(sf_mat_export_csr(ctx, sf_jac_pattern_matrix(p64), rp, ci, NULL), SF_OK);
    for (int e = 0; e < E; e++)
        for (int a = 0; a < K; a++)
            for (int b = 0; b < K; b++) {
                int64_t slot = map[(e * K + a) * K + b], row = conn[e * K + a];
                cr_assert(slot >= rp[row] && slot < rp[row + 1], "slot in the right row");
                cr_assert_eq(ci[slot], conn[e * K + b]);
            }
    free(want), free(hit), free(rp), free(ci);
    sf_jac_pattern_free(p64);
    sf_jac_pattern_free(p32);
    tu_ctx_done(ctx);
}

Test(assembly, refill_in_place_allocates_nothing) {
    sf_ctx *ctx = tu_ctx();
    int64_t conn[E * K];
    int32_t conn32[E * K];
    double ke[E * K * K], ke2[E * K * K];
    random_mesh(conn, conn32, ke, 9);
    for (int q = 0; q < E * K * K; q++) ke2[q] = 3 * ke[q] - 1;
    sf_jac_pattern *jp = NULL;
    cr_assert_eq(sf_assembly_pattern(ctx, NODES, E, K, conn, &jp), SF_OK);
    cr_assert_eq(sf_assemble(ctx, jp, ke), SF_OK);
    const sf_mat *m = sf_jac_pattern_matrix(jp);
    double *vals = sf_jac_pattern_values(jp);
    int64_t nnz = sf_mat_nnz(m), rp0[NODES + 1], rp1[NODES + 1];
    int32_t *ci0 = malloc(nnz * sizeof *ci0), *ci1 = malloc(nnz * sizeof *ci1);
    cr_assert_eq(sf_mat_export_csr(ctx, m, rp0, ci0, NULL), SF_OK);
    uint64_t allocs = sf_ctx_alloc_count(ctx);
    cr_assert_eq(sf_assemble(ctx, jp, ke2), SF_OK);
    cr_assert_eq(sf_ctx_alloc_count(ctx), allocs);
    cr_assert_eq(sf_jac_pattern_matrix(jp), m);
    cr_assert_eq(sf_jac_pattern_values(jp), vals);
    cr_assert_eq(sf_mat_export_csr(ctx, m, rp1, ci1, NULL), SF_OK);
    cr_assert_arr_eq(rp0, rp1, sizeof rp0, "row offsets unchanged");
    cr_assert_arr_eq(ci0, ci1, nnz * sizeof *ci0, "column indices unchanged");
    double *want = naive_dense(conn, ke2);
    dt_assert_dense(ctx, m, want, NODES, NODES, 1e-15);
    free(want), free(ci0), free(ci1);
    sf_jac_pattern_free(jp);
    tu_ctx_done(ctx);
}

/* a and b have the same row offsets and column indices. */
static void assert_same_pattern(sf_ctx *ctx, const sf_mat *a, const sf_mat *b) {
    int64_t n = sf_mat_rows(a), nnz = sf_mat_nnz(a);
    cr_assert_eq(sf_mat_nnz(b), nnz);
    int64_t *ra = malloc((n + 1) * sizeof *ra), *rb = malloc((n + 1) * sizeof *rb);
    int32_t *ca = malloc(nnz * sizeof *ca), *cb = malloc(nnz * sizeof *cb);
    cr_assert_eq(sf_mat_export_csr(ctx, a, ra, ca, NULL), SF_OK);
    cr_assert_eq(sf_mat_export_csr(ctx, b, rb, cb, NULL), SF_OK);
    cr_assert_arr_eq(ra, rb, (n + 1) * sizeof *ra);
    cr_assert_arr_eq(ca, cb, nnz * sizeof *ca);
    free(ra), free(rb), free(ca), free(cb);
}

/* Big enough for two threads: the values with 1 and 2 threads are bitwise
 * equal, and equal to a sequential element-order scatter through the map. */
Test(assembly, refill_threads_bitwise_identical) {
    enum { EB = 8000, KB = 8 }; /* 512000 element entries */
    sf_ctx *ctx = tu_ctx();
    int64_t *conn = malloc(EB * KB * sizeof *conn), nodes = 5000;
    uint64_t s = 3;
    for (int64_t q = 0; q < EB * KB; q++) conn[q] = (int64_t)(tu_rand(&s) % (uint64_t)nodes);
    double *ke = dt_random(EB * KB * KB, 4);
    int64_t *map = malloc(EB * KB * KB * sizeof *map);
    sf_jac_pattern *jp = NULL;
    cr_assert_eq(sf_assembly_pattern(ctx, nodes, EB, KB, conn, &jp), SF_OK);
    cr_assert_eq(sf_assembly_map_export(ctx, jp, map), SF_OK);
    tu_assert_sorted_csr(ctx, sf_jac_pattern_matrix(jp)); /* rows of 17-64: the rank sort */
    int64_t nnz = sf_mat_nnz(sf_jac_pattern_matrix(jp));
    double *seq = calloc(nnz, sizeof *seq), *one = malloc(nnz * sizeof *one);
    for (int64_t q = 0; q < EB * KB * KB; q++) seq[map[q]] += ke[q];
    cr_assert_eq(sf_assemble(ctx, jp, ke), SF_OK);
    memcpy(one, sf_jac_pattern_values(jp), nnz * sizeof *one);
    cr_assert_eq(sf_ctx_set_threads(ctx, 2), SF_OK);
    memset(sf_jac_pattern_values(jp), 0xff, nnz * sizeof *one); /* NaNs: every slot rewritten */
    cr_assert_eq(sf_assemble(ctx, jp, ke), SF_OK);
    cr_assert_arr_eq(one, sf_jac_pattern_values(jp), nnz * sizeof *one, "1 vs 2 threads");
    cr_assert_arr_eq(one, seq, nnz * sizeof *one, "element-order sums");
    /* the symbolic pass split over 2 threads gives the same pattern and map */
    sf_jac_pattern *jp2 = NULL;
    int64_t *map2 = malloc(EB * KB * KB * sizeof *map2);
    cr_assert_eq(sf_assembly_pattern(ctx, nodes, EB, KB, conn, &jp2), SF_OK);
    cr_assert_eq(sf_assembly_map_export(ctx, jp2, map2), SF_OK);
    cr_assert_arr_eq(map, map2, EB * KB * KB * sizeof *map);
    assert_same_pattern(ctx, sf_jac_pattern_matrix(jp), sf_jac_pattern_matrix(jp2));
    free(conn), free(ke), free(map), free(map2), free(seq), free(one);
    sf_jac_pattern_free(jp2);
    sf_jac_pattern_free(jp);
    tu_ctx_done(ctx);
}

/* Quadrilaterals of a 200 x 200 grid with the nodes numbered at random (an
 * unstructured mesh not renumbered): the handle is marked scattered, so the
 * symbolic pass and the refill take their prefetching loops.  Pattern,
 * sorted rows and values against a sequential element-order scatter through
 * the exported map, with 1 and 2 threads; the same mesh numbered in order is
 * not marked. */
Test(assembly, scattered_numbering_prefetching_paths) {
    enum { G = 200, G1 = G + 1, NN = G1 * G1, EQ = G * G, KQ = 4 };
    sf_ctx *ctx = tu_ctx();
    int64_t *perm = malloc(NN * sizeof *perm), *conn = malloc(EQ * KQ * sizeof *conn);
    int64_t *ordered = malloc(EQ * KQ * sizeof *ordered);
    uint64_t s = 11;
    for (int64_t i = 0; i < NN; i++) perm[i] = i;
    for (int64_t i = NN - 1; i > 0; i--) {
        int64_t j = (int64_t)(tu_rand(&s) % (uint64_t)(i + 1)), t = perm[i];
        perm[i] = perm[j], perm[j] = t;
    }
    for (int64_t e = 0; e < EQ; e++) {
        int64_t n0 = (e / G) * G1 + e % G, quad[KQ] = {n0, n0 + 1, n0 + G1 + 1, n0 + G1};
        for (int a = 0; a < KQ; a++) ordered[e * KQ + a] = quad[a], conn[e * KQ + a] = perm[quad[a]];
    }
    double *ke = dt_random(EQ * KQ * KQ, 12);
    int64_t *map = malloc(EQ * KQ * KQ * sizeof *map);
    sf_jac_pattern *jp = NULL, *jo = NULL;
    cr_assert_eq(sf_assembly_pattern(ctx, NN, EQ, KQ, ordered, &jo), SF_OK);
    cr_assert(!jo->scattered, "a mesh numbered in order is not scattered");
    for (int th = 1; th <= 2; th++) {
        cr_assert_eq(sf_ctx_set_threads(ctx, th), SF_OK);
        cr_assert_eq(sf_assembly_pattern(ctx, NN, EQ, KQ, conn, &jp), SF_OK);
        cr_assert(jp->scattered, "randomly numbered nodes are scattered");
        tu_assert_sorted_csr(ctx, sf_jac_pattern_matrix(jp));
        cr_assert_eq(sf_mat_nnz(sf_jac_pattern_matrix(jp)), sf_mat_nnz(sf_jac_pattern_matrix(jo)));
        cr_assert_eq(sf_assembly_map_export(ctx, jp, map), SF_OK);
        int64_t nnz = sf_mat_nnz(sf_jac_pattern_matrix(jp));
        double *seq = calloc(nnz, sizeof *seq);
        for (int64_t q = 0; q < EQ * KQ * KQ; q++) {
            int64_t e = q / (KQ * KQ), a = q / KQ % KQ, b = q % KQ;
            int64_t row = conn[e * KQ + a], p = map[q];
            const sf_csr *c = &sf_jac_pattern_matrix(jp)->u.csr;
            cr_assert(p >= c->rowptr[row] && p < c->rowptr[row + 1], "slot of %lld in its row",
                      (long long)q);
            cr_assert_eq(c->colind[p], conn[e * KQ + b], "slot of %lld names its column",
                         (long long)q);
            seq[p] += ke[q];
        }
        cr_assert_eq(sf_assemble(ctx, jp, ke), SF_OK);
        cr_assert_arr_eq(seq, sf_jac_pattern_values(jp), nnz * sizeof *seq, "%d thread(s)", th);
        free(seq);
        sf_jac_pattern_free(jp);
    }
    sf_jac_pattern_free(jo);
    free(perm), free(conn), free(ordered), free(ke), free(map);
    tu_ctx_done(ctx);
}

/* A star of ns nodes: element e joins node 0 and node e + 1, so row 0
 * holds all ns columns.  Every value is known in closed form; 1 and 2
 * threads agree.  Row lengths on both sides of each slot map width (1 byte
 * up to 256 columns, 2 up to 65536, then 4): a map one byte too narrow
 * wraps the last slots of row 0 onto its first. */
static void check_star(int ns) {
    int es = ns - 1;
    sf_ctx *ctx = tu_ctx();
    int32_t *conn = malloc(2 * (size_t)es * sizeof *conn);
    for (int e = 0; e < es; e++) conn[2 * e] = 0, conn[2 * e + 1] = e + 1;
    double *ke = dt_random(4 * es, 8), sum00 = 0;
    for (int e = 0; e < es; e++) sum00 += ke[4 * e];
    int64_t *rp = malloc((ns + 1) * sizeof *rp), nnz = ns + 2 * (int64_t)es;
    int32_t *ci = malloc(nnz * sizeof *ci);
    double *v = malloc(nnz * sizeof *v), *v1 = malloc(nnz * sizeof *v1);
    for (int th = 1; th <= 2; th++) {
        cr_assert_eq(sf_ctx_set_threads(ctx, th), SF_OK);
        sf_jac_pattern *jp = NULL;
        cr_assert_eq(sf_assembly_pattern_i32(ctx, ns, es, 2, conn, &jp), SF_OK, "%s",
                     sf_ctx_message(ctx));
        cr_assert_eq(sf_assemble(ctx, jp, ke), SF_OK);
        const sf_mat *K = sf_jac_pattern_matrix(jp);
        cr_assert_eq(sf_mat_nnz(K), nnz);
        cr_assert_eq(sf_mat_export_csr(ctx, K, rp, ci, v), SF_OK);
        cr_assert_eq(rp[1], ns, "row 0 holds every column");
        for (int64_t j = 0; j < ns; j++) cr_assert_eq(ci[j], j);
        cr_assert_float_eq(v[0], sum00, 1e-9);
        for (int e = 0; e < es; e++) {
            int64_t r = e + 1, p = rp[r];
            cr_assert_eq(v[r], ke[4 * e + 1], "%d nodes: row 0, column %lld", ns, (long long)r);
            cr_assert_eq(rp[r + 1] - p, 2);
            cr_assert(ci[p] == 0 && ci[p + 1] == r);
            cr_assert(v[p] == ke[4 * e + 2] && v[p + 1] == ke[4 * e + 3]);
        }
        if (th == 1) memcpy(v1, v, nnz * sizeof *v);
        else cr_assert_arr_eq(v, v1, nnz * sizeof *v, "1 vs 2 threads");
        sf_jac_pattern_free(jp);
    }
    free(conn), free(ke), free(rp), free(ci), free(v), free(v1);
    tu_ctx_done(ctx);
}

Test(assembly, star_rows_at_each_slot_map_width_against_closed_form) {
    int lengths[] = {256, 257, 65536, 65537, 70000};
    for (size_t t = 0; t < sizeof lengths / sizeof lengths[0]; t++) check_star(lengths[t]);
}

/* Meshes with no element entries (no elements, no nodes, k = 0) give an
 * empty matrix, NULL arrays allowed; k = 1 puts each element's one value on
 * the diagonal.  1 and 2 threads; nothing is left allocated. */
Test(assembly, empty_meshes_and_one_node_elements) {
    sf_ctx *ctx = tu_ctx();
    struct { int64_t nodes, nelem; int k; int64_t nnz; } cases[] = {
        {5, 0, 4, 0}, {0, 0, 4, 0}, {5, 3, 0, 0}};
    for (int th = 1; th <= 2; th++) {
        cr_assert_eq(sf_ctx_set_threads(ctx, th), SF_OK);
        for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
            sf_jac_pattern *jp = NULL;
            cr_assert_eq(sf_assembly_pattern(ctx, cases[c].nodes, cases[c].nelem, cases[c].k, NULL,
                                             &jp), SF_OK, "case %zu: %s", c, sf_ctx_message(ctx));
            cr_assert_eq(sf_assemble(ctx, jp, NULL), SF_OK, "case %zu: %s", c, sf_ctx_message(ctx));
            const sf_mat *m = sf_jac_pattern_matrix(jp);
            cr_assert(sf_mat_rows(m) == cases[c].nodes && sf_mat_nnz(m) == 0, "case %zu", c);
            sf_jac_pattern_free(jp);
        }
        int64_t conn[] = {2, 4, 2}, rp[6], want_rp[] = {0, 0, 0, 1, 1, 2};
        int32_t ci[2];
        double ke[] = {1.5, 2.5, 4.0}, v[2];
        sf_jac_pattern *jp = NULL;
        cr_assert_eq(sf_assembly_pattern(ctx, 5, 3, 1, conn, &jp), SF_OK);
        cr_assert_eq(sf_assemble(ctx, jp, ke), SF_OK);
        cr_assert_eq(sf_mat_export_csr(ctx, sf_jac_pattern_matrix(jp), rp, ci, v), SF_OK);
        cr_assert_arr_eq(rp, want_rp, sizeof rp);
        cr_assert(ci[0] == 2 && ci[1] == 4 && v[0] == 1.5 + 4.0 && v[1] == 2.5);
        sf_jac_pattern_free(jp);
    }
    tu_ctx_done(ctx);
}

static int copy_f(const double *x, double *f, void *user) {
    (void)user;
    memcpy(f, x, 3 * sizeof *x);
    return 0;
}

Test(assembly, out_of_range_node_named_nothing_written) {
    sf_ctx *ctx = tu_ctx();
    int64_t conn[] = {0, 1, 1, 2, 2, 3, 3, 7};
    int32_t conn32[] = {0, 1, 1, -1};
    sf_jac_pattern *jp = (sf_jac_pattern *)0x1;
    cr_assert_eq(sf_assembly_pattern(ctx, 5, 4, 2, conn, &jp), SF_ERR_INDEX);
    cr_assert_str_eq(sf_ctx_message(ctx),
                     "assembly: element 3, position 1: node 7 is out of range [0, 5)");
    cr_assert_eq(sf_assembly_pattern_i32(ctx, 5, 2, 2, conn32, &jp), SF_ERR_INDEX);
    cr_assert_str_eq(sf_ctx_message(ctx),
                     "assembly: element 1, position 1: node -1 is out of range [0, 5)");
    cr_assert_eq(sf_ctx_alloc_count(ctx), 0, "nothing allocated");
    cr_assert_eq(jp, (sf_jac_pattern *)0x1, "output untouched");
    cr_assert_eq(sf_assembly_pattern(ctx, 5, -1, 2, conn, &jp), SF_ERR_ARG);
    sf_mat *I = NULL;
    sf_jac_pattern *fdp = NULL;
    cr_assert_eq(sf_mat_identity(ctx, 3, &I), SF_OK);
    cr_assert_eq(sf_jac_pattern_create(ctx, I, &fdp), SF_OK);
    double ke[4] = {0};
    cr_assert_eq(sf_assemble(ctx, fdp, ke), SF_ERR_ARG);
    cr_assert_str_eq(sf_ctx_message(ctx), "sf_assemble: the handle was not made by sf_assembly_pattern");
    int64_t conn_ok[] = {0, 1, 1, 2};
    sf_jac_pattern *ap = NULL;
    cr_assert_eq(sf_assembly_pattern(ctx, 3, 2, 2, conn_ok, &ap), SF_OK);
    double x[3] = {0};
    cr_assert_eq(sf_jac_pattern_fd(ctx, ap, copy_f, NULL, x, SF_FD_FORWARD, NULL), SF_ERR_ARG);
    cr_assert_str_eq(sf_ctx_message(ctx), "sf_jac_pattern_fd: the handle has no FD workspace (make "
                                          "it with sf_jac_pattern_create)");
    cr_assert_eq(sf_jac_pattern_export_csc(ctx, ap, NULL, NULL, NULL), SF_ERR_ARG);
    cr_assert_str_eq(sf_ctx_message(ctx), "sf_jac_pattern_export_csc: NULL argument");
    sf_jac_pattern_free(ap);
    sf_jac_pattern_free(fdp);
    sf_mat_free(I);
    tu_ctx_done(ctx);
}

/* ------------------------------------------ P4: r(x) = K(x) x and dr/dx */

static int alpha_fn(double s, double *a, double *da, void *user) {
    (void)user;
    if (s > 1e6) return 4;
    *a = 1 + s * s / 2;
    *da = s;
    return 0;
}

typedef struct p4 {
    const int64_t *conn;
    const double *me;
} p4;

/* The residual by dense K(x) summed naively, then K x. */
static int naive_residual(const double *x, double *r, void *user) {
    p4 *p = user;
    double *Kd = calloc(NODES * NODES, sizeof *Kd);
    for (int e = 0; e < E; e++) {
        double s = 0, a = 0, da = 0;
        for (int q = 0; q < K; q++) s += x[p->conn[e * K + q]] * x[p->conn[e * K + q]];
        alpha_fn(sqrt(s), &a, &da, NULL);
        for (int i = 0; i < K; i++)
            for (int j = 0; j < K; j++)
                Kd[p->conn[e * K + i] * NODES + p->conn[e * K + j]] += a * p->me[(e * K + i) * K + j];
    }
    for (int i = 0; i < NODES; i++) {
        r[i] = 0;
        for (int j = 0; j < NODES; j++) r[i] += Kd[i * NODES + j] * x[j];
    }
    free(Kd);
    return 0;
}

Test(assembly, scaled_residual_jacobian_against_fd) {
    sf_ctx *ctx = tu_ctx();
    int64_t conn[E * K];
    int32_t conn32[E * K];
    double me[E * K * K];
    random_mesh(conn, conn32, me, 13);
    double *x = dt_random(NODES, 8), r[NODES], want_r[NODES];
    sf_jac_pattern *jp = NULL;
    cr_assert_eq(sf_assembly_pattern(ctx, NODES, E, K, conn, &jp), SF_OK);
    int64_t nnz = sf_mat_nnz(sf_jac_pattern_matrix(jp));
    double *kval = malloc(nnz * sizeof *kval);
    cr_assert_eq(sf_assemble_scaled_residual(ctx, jp, me, alpha_fn, NULL, x, r, kval,
                                             sf_jac_pattern_values(jp)), SF_OK);
    p4 p = {conn, me};
    naive_residual(x, want_r, &p);
    cr_assert_lt(tu_rel_diff(r, want_r, NODES), 1e-14);
    sf_mat *J = NULL;
    cr_assert_eq(sf_jac_fd(ctx, sf_jac_pattern_matrix(jp), naive_residual, &p, x, SF_FD_CENTRAL, &J, NULL),
                 SF_OK);
    double *fd = tu_dense_of(ctx, J);
    /* central differences: h ~ 6e-6, third derivatives O(10): error ~ 1e-9 */
    dt_assert_dense(ctx, sf_jac_pattern_matrix(jp), fd, NODES, NODES, 1e-7);
    /* kval is K(x): K(x) x must give r again */
    double *kx = calloc(NODES, sizeof *kx);
    int64_t *rp = malloc((NODES + 1) * sizeof *rp);
    int32_t *ci = malloc(nnz * sizeof *ci);
    cr_assert_eq(sf_mat_export_csr(ctx, sf_jac_pattern_matrix(jp), rp, ci, NULL), SF_OK);
    for (int i = 0; i < NODES; i++)
        for (int64_t q = rp[i]; q < rp[i + 1]; q++) kx[i] += kval[q] * x[ci[q]];
    cr_assert_lt(tu_rel_diff(kx, want_r, NODES), 1e-14);
    /* a failing alpha is named and leaves r untouched */
    double big[NODES], r2[NODES];
    for (int i = 0; i < NODES; i++) big[i] = 1e7, r2[i] = 42;
    cr_assert_eq(sf_assemble_scaled_residual(ctx, jp, me, alpha_fn, NULL, big, r2, NULL, NULL),
                 SF_ERR_ARG);
    cr_assert_str_eq(sf_ctx_message(ctx), "sf_assemble_scaled_residual: element 0: alpha returned 4");
    cr_assert_eq(r2[3], 42);
    free(x), free(kval), free(fd), free(kx), free(rp), free(ci);
    sf_mat_free(J);
    sf_jac_pattern_free(jp);
    tu_ctx_done(ctx);
}

/* alpha with state: counts its calls and fails at call fail_at. */
typedef struct counted_alpha { int calls, fail_at; } counted_alpha;

static int alpha_counted(double s, double *a, double *da, void *user) {
    counted_alpha *c = user;
    if (++c->calls == c->fail_at) return 6;
    return alpha_fn(s, a, da, NULL);
}

/* alpha is called twice per element (a check pass, then the writing pass:
 * a refill allocates nothing).  A failure in the check pass, even at its
 * last call, leaves r, kval and jval untouched; one in the writing pass (an
 * alpha that does not depend on s alone) is reported as such. */
Test(assembly, scaled_residual_alpha_failures_in_either_pass) {
    sf_ctx *ctx = tu_ctx();
    int64_t conn[E * K];
    int32_t conn32[E * K];
    double me[E * K * K], r[NODES], want_r[NODES];
    random_mesh(conn, conn32, me, 21);
    double *x = dt_random(NODES, 5);
    sf_jac_pattern *jp = NULL;
    cr_assert_eq(sf_assembly_pattern(ctx, NODES, E, K, conn, &jp), SF_OK);
    int64_t nnz = sf_mat_nnz(sf_jac_pattern_matrix(jp));
    double *kval = malloc(nnz * sizeof *kval), *jval = malloc(nnz * sizeof *jval);
    counted_alpha c = {0, 0};
    uint64_t allocs = sf_ctx_alloc_count(ctx);
    cr_assert_eq(sf_assemble_scaled_residual(ctx, jp, me, alpha_counted, &c, x, r, kval, jval),
                 SF_OK);
    cr_assert_eq(sf_ctx_alloc_count(ctx), allocs, "a refill allocates nothing");
    cr_assert_eq(c.calls, 2 * E, "a check pass and a writing pass");
    p4 p = {conn, me};
    naive_residual(x, want_r, &p);
    cr_assert_lt(tu_rel_diff(r, want_r, NODES), 1e-14);
    for (int i = 0; i < NODES; i++) r[i] = 42;
    for (int64_t q = 0; q < nnz; q++) kval[q] = jval[q] = 43;
    c = (counted_alpha){0, E};
    cr_assert_eq(sf_assemble_scaled_residual(ctx, jp, me, alpha_counted, &c, x, r, kval, jval),
                 SF_ERR_ARG);
    cr_assert_str_eq(sf_ctx_message(ctx), "sf_assemble_scaled_residual: element 39: alpha returned 6");
    for (int i = 0; i < NODES; i++) cr_assert_eq(r[i], 42, "r untouched");
    for (int64_t q = 0; q < nnz; q++) cr_assert(kval[q] == 43 && jval[q] == 43, "values untouched");
    c = (counted_alpha){0, 2 * E};
    cr_assert_eq(sf_assemble_scaled_residual(ctx, jp, me, alpha_counted, &c, x, r, kval, jval),
                 SF_ERR_ARG);
    cr_assert_str_eq(sf_ctx_message(ctx), "sf_assemble_scaled_residual: element 39: alpha failed when "
                     "called again with the same s (it must depend on s alone); the outputs are incomplete");
    free(x), free(kval), free(jval);
    sf_jac_pattern_free(jp);
    tu_ctx_done(ctx);
}

static sf_status alloc_residual(sf_ctx *ctx, void *arg) {
    (void)arg;
    int64_t conn[] = {0, 1, 2, 2, 3, 0, 4, 4, 1};
    double me[27], x[5] = {1, 2, 3, 4, 5}, r[5];
    for (int q = 0; q < 27; q++) me[q] = q;
    sf_jac_pattern *jp = NULL;
    sf_status st = sf_assembly_pattern(ctx, 5, 3, 3, conn, &jp);
    if (!st) st = sf_assemble_scaled_residual(ctx, jp, me, alpha_fn, NULL, x, r, NULL, NULL);
    sf_jac_pattern_free(jp);
    return st;
}

static sf_status alloc_assembly(sf_ctx *ctx, void *arg) {
    (void)arg;
    int64_t conn[] = {0, 1, 2, 2, 3, 0, 4, 4, 1};
    double ke[27];
    for (int q = 0; q < 27; q++) ke[q] = q;
    sf_jac_pattern *jp = NULL;
    sf_status st = sf_assembly_pattern(ctx, 5, 3, 3, conn, &jp);
    if (!st) st = sf_assemble(ctx, jp, ke);
    sf_jac_pattern_free(jp);
    return st;
}

Test(alloc_failures, assembly) {
    tu_check_alloc_failures(alloc_assembly, NULL);
    tu_check_alloc_failures(alloc_residual, NULL);
}
