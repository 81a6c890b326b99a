/* sf_jac_chain_update: the values of J = Jg * Jf rewritten in place equal a
 * fresh sf_jac_chain bit for bit (1 and 2 threads), match a naive dense
 * product, drop J's cached transpose, allocate nothing with a diagonal
 * factor, and leave J unchanged on every bad input. */
#include <stdlib.h>

#include "deriv_testutil.h"

/* The sorted CSR arrays of a handle (malloc'ed), for bitwise comparisons. */
/* A handle of m's kind and pattern with new random values (a few exact
 * zeros and negative values among them). */
static sf_mat *revalued(sf_ctx *ctx, const sf_mat *m, uint64_t seed) {
    tu_csr c = tu_export_csr(ctx, m);
    for (int64_t p = 0; p < c.nnz; p++) c.val[p] = p % 17 == 3 ? 0.0 : tu_uniform(&seed);
    sf_mat *out = NULL;
    if (sf_mat_kind(m) == SF_DIAG) {
        cr_assert_eq(sf_mat_diag(ctx, c.rows, c.val, &out), SF_OK);
    } else {
        int64_t *col = malloc((size_t)(c.nnz + 1) * sizeof *col);
        for (int64_t p = 0; p < c.nnz; p++) col[p] = c.colind[p];
        cr_assert_eq(sf_mat_from_csr(ctx, c.rows, sf_mat_cols(m), c.rowptr, col, c.val,
                                     SF_CSR_STRICT, &out), SF_OK, "%s", sf_ctx_message(ctx));
        free(col);
    }
    tu_csr_free(&c);
    return out;
}

/* J from (Jg, Jf), then refreshed from new values of both on the same
 * patterns: bitwise equal to a fresh product of the new factors. */
static void check_update(sf_ctx *ctx, const sf_mat *Jg, const sf_mat *Jf) {
    sf_mat *J = NULL, *fresh = NULL, *g1 = revalued(ctx, Jg, 11), *f1 = revalued(ctx, Jf, 12);
    cr_assert_eq(sf_jac_chain(ctx, Jg, Jf, &J), SF_OK, "%s", sf_ctx_message(ctx));
    cr_assert_eq(sf_jac_chain_update(ctx, g1, f1, J), SF_OK, "%s", sf_ctx_message(ctx));
    cr_assert_eq(sf_jac_chain(ctx, g1, f1, &fresh), SF_OK);
    tu_assert_same_bits(ctx, J, fresh);
    sf_mat_free(J), sf_mat_free(fresh), sf_mat_free(g1), sf_mat_free(f1);
}

/* The four kinds of pair at a size where 2 threads run (work >= 32768). */
static void check_all_pairs(int threads) {
    sf_ctx *ctx = tu_ctx();
    cr_assert_eq(sf_ctx_set_threads(ctx, threads), SF_OK);
    int64_t n = 1500;
    sf_mat *A = tu_random_csr(ctx, n, 1200, 0.02, 1), *B = tu_random_csr(ctx, 1200, n, 0.02, 2);
    sf_mat *Dn = dt_random_diag(ctx, n, 3), *Dm = dt_random_diag(ctx, 1200, 4);
    sf_mat *Dbig = dt_random_diag(ctx, 40000, 5), *Dbig2 = dt_random_diag(ctx, 40000, 6);
    check_update(ctx, Dn, A);      /* diag * CSR */
    check_update(ctx, A, Dm);      /* CSR * diag */
    check_update(ctx, Dbig, Dbig2); /* diag * diag */
    check_update(ctx, A, B);       /* CSR * CSR */
    sf_mat *M[] = {A, B, Dn, Dm, Dbig, Dbig2};
    for (int k = 0; k < 6; k++) sf_mat_free(M[k]);
    tu_ctx_done(ctx);
}

Test(chain_update, bitwise_as_fresh_1_thread) { check_all_pairs(1); }
Test(chain_update, bitwise_as_fresh_2_threads) { check_all_pairs(2); }

/* A selection factor times CSR runs on a temporary CSR copy, as
 * sf_mat_multiply does (the factors here are refreshed as CSR handles). */
Test(chain_update, selection_factor) {
    sf_ctx *ctx = tu_ctx();
    int64_t dst[] = {0, 2, 3}, src[] = {4, 0, 4};
    double w[] = {2.0, -1.0, 0.5};
    sf_mat *S = NULL, *B = tu_random_csr(ctx, 5, 6, 0.5, 7), *D = dt_random_diag(ctx, 4, 8);
    cr_assert_eq(sf_mat_selection(ctx, 4, 5, 3, dst, src, w, &S), SF_OK);
    check_update(ctx, S, B); /* selection * CSR */
    check_update(ctx, D, S); /* diag * selection */
    sf_mat_free(S), sf_mat_free(B), sf_mat_free(D);
    tu_ctx_done(ctx);
}

/* Against a naive dense product of the new factors, at small size. */
Test(chain_update, matches_dense_product) {
    sf_ctx *ctx = tu_ctx();
    sf_mat *A = tu_random_csr(ctx, 7, 5, 0.4, 21), *B = tu_random_csr(ctx, 5, 6, 0.4, 22);
    sf_mat *J = NULL, *A1 = revalued(ctx, A, 23), *B1 = revalued(ctx, B, 24);
    cr_assert_eq(sf_jac_chain(ctx, A, B, &J), SF_OK);
    cr_assert_eq(sf_jac_chain_update(ctx, A1, B1, J), SF_OK, "%s", sf_ctx_message(ctx));
    double *a = tu_dense_of(ctx, A1), *b = tu_dense_of(ctx, B1), *want = tu_dense_product(a, b, 7, 5, 6);
    dt_assert_dense(ctx, J, want, 7, 6, 1e-15);
    free(a), free(b), free(want);
    sf_mat *M[] = {A, B, A1, B1, J};
    for (int k = 0; k < 5; k++) sf_mat_free(M[k]);
    tu_ctx_done(ctx);
}

/* J^T x caches J's transpose; after the update it must see the new values. */
Test(chain_update, drops_cached_transpose) {
    sf_ctx *ctx = tu_ctx();
    sf_mat *D = dt_random_diag(ctx, 6, 31), *A = tu_random_csr(ctx, 6, 4, 0.5, 32);
    sf_mat *J = NULL, *D1 = revalued(ctx, D, 33);
    cr_assert_eq(sf_jac_chain(ctx, D, A, &J), SF_OK);
    double x[6] = {1, -2, 3, 0.5, -1, 2}, y[4], want[4] = {0};
    cr_assert_eq(sf_spmv(ctx, 1.0, J, SF_OP_TRANSPOSE, x, 0.0, y), SF_OK);
    cr_assert_eq(sf_jac_chain_update(ctx, D1, A, J), SF_OK, "%s", sf_ctx_message(ctx));
    cr_assert_eq(sf_spmv(ctx, 1.0, J, SF_OP_TRANSPOSE, x, 0.0, y), SF_OK);
    double *d = tu_dense_of(ctx, D1), *a = tu_dense_of(ctx, A);
    for (int i = 0; i < 6; i++)
        for (int j = 0; j < 4; j++) want[j] += d[i * 6 + i] * a[i * 4 + j] * x[i];
    cr_assert(tu_rel_diff(y, want, 4) < 1e-14, "J^T x after the update uses the new values");
    free(d), free(a);
    sf_mat_free(D), sf_mat_free(A), sf_mat_free(D1), sf_mat_free(J);
    tu_ctx_done(ctx);
}

/* ------------------------------------------------------------ bad inputs */

/* The update fails with st and message msg, J's values unchanged. */
static void check_rejected(sf_ctx *ctx, const sf_mat *Jg, const sf_mat *Jf, sf_mat *J,
                           sf_status st, const char *msg) {
    tu_csr before = tu_export_csr(ctx, J);
    cr_assert_eq(sf_jac_chain_update(ctx, Jg, Jf, J), st, "%s", sf_ctx_message(ctx));
    cr_assert_str_eq(sf_ctx_message(ctx), msg);
    tu_csr after = tu_export_csr(ctx, J);
    cr_assert(!memcmp(before.val, after.val, (size_t)before.nnz * sizeof *before.val),
              "J unchanged");
    tu_csr_free(&before), tu_csr_free(&after);
}

/* J from sf_jac_chain(g0, f0), then rejected as the product of g and f. */
static void check_rejected_from(sf_ctx *ctx, const sf_mat *g0, const sf_mat *f0, const sf_mat *g,
                                const sf_mat *f, sf_status st, const char *msg) {
    sf_mat *J = NULL;
    cr_assert_eq(sf_jac_chain(ctx, g0, f0, &J), SF_OK, "%s", sf_ctx_message(ctx));
    check_rejected(ctx, g, f, J, st, msg);
    sf_mat_free(J);
}

/* A CSR handle from a dense row-major array of 0/1 (pattern) times 1..nnz. */
static sf_mat *csr_of(sf_ctx *ctx, int64_t rows, int64_t cols, const int *pattern) {
    int64_t r[64], c[64], n = 0;
    double v[64];
    for (int64_t i = 0; i < rows * cols; i++)
        if (pattern[i]) r[n] = i / cols, c[n] = i % cols, v[n] = (double)(n + 1), n++;
    sf_mat *m = NULL;
    cr_assert_eq(sf_mat_from_triplets(ctx, rows, cols, n, r, c, v, &m), SF_OK);
    return m;
}

Test(chain_update, null_arguments) {
    sf_ctx *ctx = tu_ctx();
    sf_mat *D = dt_random_diag(ctx, 3, 41), *J = NULL;
    cr_assert_eq(sf_jac_chain(ctx, D, D, &J), SF_OK);
    cr_assert_eq(sf_jac_chain_update(NULL, D, D, J), SF_ERR_ARG);
    const char *msg = "sf_jac_chain_update: NULL argument";
    check_rejected(ctx, NULL, D, J, SF_ERR_ARG, msg);
    check_rejected(ctx, D, NULL, J, SF_ERR_ARG, msg);
    cr_assert_eq(sf_jac_chain_update(ctx, D, D, NULL), SF_ERR_ARG);
    cr_assert_str_eq(sf_ctx_message(ctx), msg);
    sf_mat_free(D), sf_mat_free(J);
    tu_ctx_done(ctx);
}

Test(chain_update, shape_mismatch_names_both_shapes) {
    sf_ctx *ctx = tu_ctx();
    sf_mat *A = tu_random_csr(ctx, 4, 5, 0.5, 42), *B = tu_random_csr(ctx, 6, 3, 0.5, 43);
    sf_mat *B5 = tu_random_csr(ctx, 5, 3, 0.5, 44);
    check_rejected_from(ctx, A, B5, A, B, SF_ERR_SHAPE,
                        "sf_jac_chain_update: J_g is 4 x 5 and J_f is 6 x 3: the columns of J_g "
                        "must equal the rows of J_f");
    sf_mat_free(A), sf_mat_free(B), sf_mat_free(B5);
    tu_ctx_done(ctx);
}

Test(chain_update, target_of_another_kind_or_shape) {
    sf_ctx *ctx = tu_ctx();
    sf_mat *D = dt_random_diag(ctx, 4, 45), *A = tu_random_csr(ctx, 4, 3, 0.6, 46);
    sf_mat *Jd = NULL, *Jc = NULL, *Jsmall = NULL, *D3 = dt_random_diag(ctx, 3, 47);
    cr_assert_eq(sf_jac_chain(ctx, D, D, &Jd), SF_OK);
    cr_assert_eq(sf_jac_chain(ctx, D, A, &Jc), SF_OK);
    cr_assert_eq(sf_jac_chain(ctx, A, D3, &Jsmall), SF_OK); /* 4 x 3 */
    check_rejected(ctx, D, A, Jd, SF_ERR_ARG,
                   "sf_jac_chain_update: J is a diagonal handle, the product of a diagonal and "
                   "a csr handle is csr");
    check_rejected(ctx, D, D, Jc, SF_ERR_ARG,
                   "sf_jac_chain_update: J is a csr handle, the product of a diagonal and a "
                   "diagonal handle is diagonal");
    check_rejected(ctx, D3, D3, Jd, SF_ERR_SHAPE,
                   "sf_jac_chain_update: J is 4 x 4, the product is 3 x 3");
    sf_mat *At = NULL;
    cr_assert_eq(sf_mat_transpose(ctx, A, &At), SF_OK); /* 3 x 4 */
    check_rejected(ctx, At, D, Jsmall, SF_ERR_SHAPE,
                   "sf_jac_chain_update: J is 4 x 3, the product is 3 x 4");
    check_rejected(ctx, D, Jc, Jc, SF_ERR_ARG, "sf_jac_chain_update: J must not be J_g or J_f");
    sf_mat *M[] = {D, A, Jd, Jc, Jsmall, D3, At};
    for (int k = 0; k < 7; k++) sf_mat_free(M[k]);
    tu_ctx_done(ctx);
}

/* J made from a partner of another pattern: the first differing row named. */
Test(chain_update, target_of_another_pattern) {
    sf_ctx *ctx = tu_ctx();
    int p1[] = {1, 0, 1, 0, 1, 0, 1, 1, 0, 0, 0, 1};
    int p2[] = {1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 0, 1}; /* row 2 moved a column */
    sf_mat *A = csr_of(ctx, 4, 3, p1), *A2 = csr_of(ctx, 4, 3, p2);
    sf_mat *D4 = dt_random_diag(ctx, 4, 48), *D3 = dt_random_diag(ctx, 3, 49);
    check_rejected_from(ctx, D4, A, D4, A2, SF_ERR_STRUCTURE,
                        "sf_jac_chain_update: the pattern of J differs from that of J_f in row 2");
    check_rejected_from(ctx, A2, D3, A, D3, SF_ERR_STRUCTURE,
                        "sf_jac_chain_update: the pattern of J differs from that of J_g in row 2");
    sf_mat_free(A), sf_mat_free(A2), sf_mat_free(D4), sf_mat_free(D3);
    tu_ctx_done(ctx);
}

/* CSR * CSR with an extra entry in J_g: its terms fall outside J. */
Test(chain_update, term_outside_the_pattern) {
    sf_ctx *ctx = tu_ctx();
    int pa[] = {1, 0, 0, 0, 1, 0, 0, 0, 1}, pa2[] = {1, 0, 0, 0, 1, 1, 0, 0, 1};
    int pb[] = {1, 1, 0, 0, 1, 0, 0, 0, 1};
    sf_mat *A = csr_of(ctx, 3, 3, pa), *A2 = csr_of(ctx, 3, 3, pa2), *B = csr_of(ctx, 3, 3, pb);
    /* row 1 of A2 B: a_11 b_1. (column 1) and a_12 b_2. (column 2, not in J) */
    check_rejected_from(ctx, A, B, A2, B, SF_ERR_STRUCTURE,
                        "sf_jac_chain_update: the product has an entry at (1, 2) outside the "
                        "pattern of J");
    sf_mat_free(A), sf_mat_free(A2), sf_mat_free(B);
    tu_ctx_done(ctx);
}

/* A pattern wider than the product: slots no term reaches become 0. */
Test(chain_update, unreached_slots_are_zero) {
    sf_ctx *ctx = tu_ctx();
    int pa[] = {1, 0, 0, 1}, pb[] = {1, 0, 0, 1}, pj[] = {1, 1, 1, 1};
    sf_mat *A = csr_of(ctx, 2, 2, pa), *B = csr_of(ctx, 2, 2, pb), *J = csr_of(ctx, 2, 2, pj);
    cr_assert_eq(sf_jac_chain_update(ctx, A, B, J), SF_OK, "%s", sf_ctx_message(ctx));
    double *a = tu_dense_of(ctx, A), *b = tu_dense_of(ctx, B), *want = tu_dense_product(a, b, 2, 2, 2);
    dt_assert_dense(ctx, J, want, 2, 2, 0.0);
    cr_assert_eq(sf_mat_nnz(J), 4, "the pattern is kept");
    free(a), free(b), free(want);
    sf_mat_free(A), sf_mat_free(B), sf_mat_free(J);
    tu_ctx_done(ctx);
}

/* ------------------------------------------------------------ allocation */

/* With a diagonal factor and CSR/diagonal partners nothing is allocated: the
 * very next allocation failing does not matter. */
Test(chain_update, diagonal_paths_allocate_nothing) {
    sf_ctx *ctx = tu_ctx();
    sf_mat *D = dt_random_diag(ctx, 5, 51), *E = dt_random_diag(ctx, 5, 52);
    sf_mat *A = tu_random_csr(ctx, 5, 5, 0.5, 53), *J[3] = {NULL, NULL, NULL};
    const sf_mat *g[3] = {D, A, D}, *f[3] = {A, D, E};
    for (int k = 0; k < 3; k++) {
        cr_assert_eq(sf_jac_chain(ctx, g[k], f[k], &J[k]), SF_OK);
        sf_ctx_fail_allocation_after(ctx, 1);
        cr_assert_eq(sf_jac_chain_update(ctx, g[k], f[k], J[k]), SF_OK, "case %d: %s", k,
                     sf_ctx_message(ctx));
        sf_ctx_fail_allocation_after(ctx, 0);
        sf_mat_free(J[k]);
    }
    sf_mat_free(D), sf_mat_free(E), sf_mat_free(A);
    tu_ctx_done(ctx);
}

static sf_status alloc_csr_csr(sf_ctx *ctx, void *arg) {
    (void)arg;
    int64_t rp[] = {0, 2, 3, 4}, ci[] = {0, 2, 1, 0};
    double va[] = {1, 2, 3, 4}, vb[] = {5, 6, 7, 8};
    sf_mat *A = NULL, *B = NULL, *J = NULL;
    sf_status st = sf_mat_from_csr(ctx, 3, 3, rp, ci, va, 0, &A);
    if (!st) st = sf_mat_from_csr(ctx, 3, 3, rp, ci, vb, 0, &B);
    if (!st) st = sf_jac_chain(ctx, A, B, &J);
    if (!st) st = sf_jac_chain_update(ctx, B, A, J);
    sf_mat_free(A), sf_mat_free(B), sf_mat_free(J);
    return st;
}

Test(alloc_failures, chain_update_csr_csr) { tu_check_alloc_failures(alloc_csr_csr, NULL); }

/* A diagonal with a selection (a slice, take or broadcast after or before
 * an elementwise map) is refreshed from the selection's own arrays: the
 * same bits as a fresh product, weighted or not, with empty rows, in either
 * order, allocating nothing; another selection pattern is refused with J
 * unchanged. */
Test(chain_update, diagonal_with_selection_in_place) {
    sf_ctx *ctx = tu_ctx();
    int64_t dst[] = {0, 2, 3}, src[] = {4, 0, 4}, src2[] = {4, 1, 4};
    double w[] = {2.0, -1.0, 0.5}, w2[] = {-3.0, 0.25, 7.0};
    sf_mat *S = NULL, *S2 = NULL, *U = NULL, *Sbad = NULL, *J = NULL, *fresh = NULL;
    cr_assert_eq(sf_mat_selection(ctx, 4, 5, 3, dst, src, w, &S), SF_OK);
    cr_assert_eq(sf_mat_selection(ctx, 4, 5, 3, dst, src, w2, &S2), SF_OK);
    cr_assert_eq(sf_mat_selection(ctx, 4, 5, 3, dst, src, NULL, &U), SF_OK);
    cr_assert_eq(sf_mat_selection(ctx, 4, 5, 3, dst, src2, w2, &Sbad), SF_OK);
    sf_mat *D4 = dt_random_diag(ctx, 4, 61), *D4b = dt_random_diag(ctx, 4, 62);
    sf_mat *D5 = dt_random_diag(ctx, 5, 63), *D5b = dt_random_diag(ctx, 5, 64);
    const sf_mat *g0[] = {D4, S, D4, U}, *f0[] = {S, D5, U, D5};
    const sf_mat *g1[] = {D4b, S2, D4b, U}, *f1[] = {S2, D5b, U, D5b};
    for (int k = 0; k < 4; k++) {
        cr_assert_eq(sf_jac_chain(ctx, g0[k], f0[k], &J), SF_OK, "%s", sf_ctx_message(ctx));
        sf_ctx_fail_allocation_after(ctx, 1);
        cr_assert_eq(sf_jac_chain_update(ctx, g1[k], f1[k], J), SF_OK, "case %d: %s", k,
                     sf_ctx_message(ctx));
        sf_ctx_fail_allocation_after(ctx, 0);
        cr_assert_eq(sf_jac_chain(ctx, g1[k], f1[k], &fresh), SF_OK);
        tu_assert_same_bits(ctx, J, fresh);
        sf_mat_free(J), sf_mat_free(fresh);
    }
    check_rejected_from(ctx, D4, S, D4b, Sbad, SF_ERR_STRUCTURE,
                        "sf_jac_chain_update: the pattern of J differs from that of J_f in row 2");
    check_rejected_from(ctx, S, D5, Sbad, D5b, SF_ERR_STRUCTURE,
                        "sf_jac_chain_update: the pattern of J differs from that of J_g in row 2");
    sf_mat *M[] = {S, S2, U, Sbad, D4, D4b, D5, D5b};
    for (int k = 0; k < 8; k++) sf_mat_free(M[k]);
    tu_ctx_done(ctx);
}
