/* P4: assembling a nonlinear residual from element contributions, and its
 * Jacobian.  On a 2-D mesh of quadrilaterals, r(x) = K(x) x with
 * K(x) = sum_e alpha(|x_e|) m_e, alpha(s) = 1 + s^2.  The pattern of K and the
 * map from element entries to CSR slots are built once; r and dr/dx are then
 * refilled in place for every new x.  The assembled Jacobian is checked
 * against the sparse finite-difference Jacobian of r (central differences,
 * 9 colours instead of one evaluation per node). */
#include <math.h>

#include "tour.h"

enum { G = 60, NODES = (G + 1) * (G + 1), E = G * G, K = 4 };

typedef struct problem {
    sf_ctx *ctx;
    const sf_jac_pattern *jp;
    double *me;
} problem;

static int alpha(double s, double *a, double *da, void *user) {
    (void)user;
    *a = 1 + s * s;
    *da = 2 * s;
    return 0;
}

/* r(x) only: the callback the FD Jacobian evaluates once per colour. */
static int residual(const double *x, double *r, void *user) {
    problem *p = user;
    return sf_assemble_scaled_residual(p->ctx, p->jp, p->me, alpha, NULL, x, r, NULL, NULL) != SF_OK;
}

/* Quads of a G x G grid; m_e = bilinear Laplacian stiffness + 0.25 I. */
static void mesh(int64_t *conn, double *me) {
    static const double lap[K][K] = {{4, -1, -2, -1}, {-1, 4, -1, -2}, {-2, -1, 4, -1}, {-1, -2, -1, 4}};
    for (int64_t e = 0; e < E; e++) {
        int64_t i = e % G, j = e / G, n0 = j * (G + 1) + i;
        int64_t c[K] = {n0, n0 + 1, n0 + G + 2, n0 + G + 1};
        for (int a = 0; a < K; a++) {
            conn[e * K + a] = c[a];
            for (int b = 0; b < K; b++) me[(e * K + a) * K + b] = lap[a][b] / 6 + (a == b) * 0.25;
        }
    }
}

static double max_rel_diff(const double *a, const double *b, int64_t n) {
    double d = 0, s = 0;
    for (int64_t i = 0; i < n; i++) {
        d = fmax(d, fabs(a[i] - b[i]));
        s = fmax(s, fabs(b[i]));
    }
    return d / s;
}

int example_p4_assembly(void) {
    sf_ctx *ctx;
    if (sf_ctx_create(&ctx)) return 1;
    int64_t *conn = malloc(E * K * sizeof *conn);
    double *me = malloc(E * K * K * sizeof *me), *x = malloc(NODES * sizeof *x), *r = malloc(NODES * sizeof *r);
    mesh(conn, me);
    for (int64_t i = 0; i < NODES; i++) x[i] = 0.5 * sin(0.1 * (double)i) + 0.2;

    sf_jac_pattern *jp;
    double t0 = ex_now();
    EX_CHECK(ctx, sf_assembly_pattern(ctx, NODES, E, K, conn, &jp));
    double t_symbolic = ex_now() - t0;
    const sf_mat *J = sf_jac_pattern_matrix(jp);
    int64_t nnz = sf_mat_nnz(J);
    char b1[32], b2[32];
    printf("mesh: %d quads, %d nodes; pattern of K: %lld entries, %s (dense K: %s)\n", E, NODES,
           (long long)nnz, ex_bytes((double)sf_mat_bytes(J), b1, sizeof b1),
           ex_bytes(8.0 * NODES * NODES, b2, sizeof b2));
    EX_CHECK(ctx, sf_assemble_scaled_residual(ctx, jp, me, alpha, NULL, x, r, NULL,
                                              sf_jac_pattern_values(jp)));

    problem p = {ctx, jp, me};
    sf_mat *Jfd;
    sf_fd_stats st;
    EX_CHECK(ctx, sf_jac_fd(ctx, J, residual, &p, x, SF_FD_CENTRAL, &Jfd, &st));
    double *fd = malloc((size_t)nnz * sizeof *fd);
    int64_t *rp = malloc((NODES + 1) * sizeof *rp);
    EX_CHECK(ctx, sf_mat_export_csr(ctx, Jfd, rp, NULL, fd));
    double diff = max_rel_diff(sf_jac_pattern_values(jp), fd, nnz);
    printf("dr/dx assembled in the pattern of K vs sparse FD Jacobian (%lld colours, %lld "
           "evaluations of r instead of %d): max rel diff %.2e\n",
           (long long)st.colors, (long long)st.evaluations, 2 * NODES, diff);

    enum { REPS = 50 };
    uint64_t allocs = sf_ctx_alloc_count(ctx);
    t0 = ex_now();
    for (int rep = 0; rep < REPS; rep++) {
        x[rep % NODES] += 1e-3; /* a new iterate */
        EX_CHECK(ctx, sf_assemble_scaled_residual(ctx, jp, me, alpha, NULL, x, r, NULL,
                                                  sf_jac_pattern_values(jp)));
    }
    double t_refill = (ex_now() - t0) / REPS;
    allocs = sf_ctx_alloc_count(ctx) - allocs;
    printf("symbolic (pattern + map) once: %.2f ms; refill of r and dr/dx per iterate: %.3f ms, "
           "%llu allocations in %d refills\n",
           1e3 * t_symbolic, 1e3 * t_refill, (unsigned long long)allocs, REPS);

    sf_mat_free(Jfd);
    sf_jac_pattern_free(jp);
    free(conn), free(me), free(x), free(r), free(fd), free(rp);
    int bad = diff > 1e-6 || allocs != 0 || sf_ctx_bytes_in_use(ctx) != 0;
    sf_ctx_free(ctx);
    return bad;
}

SF_EXAMPLE_MAIN(example_p4_assembly)
