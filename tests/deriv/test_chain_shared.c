/* sf_jac_chain with a diagonal factor shares the CSR factor's pattern: the
 * values of J and of the factor stay independent through the public API
 * (sf_jac_pattern_values, sf_jac_chain_update), and sf_jac_chain_update on a
 * shared J gives the bits of a fresh product, whether the factor passed is
 * the one J shares with, a copy, or a different pattern (rejected). */
#include <stdlib.h>

#include "deriv_testutil.h"
#include "mat/mat_internal.h"

static sf_mat *chain(sf_ctx *ctx, const sf_mat *g, const sf_mat *f) {
    sf_mat *J = NULL;
    cr_assert_eq(sf_jac_chain(ctx, g, f, &J), SF_OK, "%s", sf_ctx_message(ctx));
    return J;
}

static sf_mat *copy_of(sf_ctx *ctx, const sf_mat *m) {
    sf_mat *c = NULL;
    cr_assert_eq(sf_mat_copy(ctx, m, &c), SF_OK);
    return c;
}

static void assert_shares(const sf_mat *J, const sf_mat *A) {
    cr_assert_eq(J->u.csr.rowptr, A->u.csr.rowptr);
    cr_assert_eq(J->u.csr.colind, A->u.csr.colind);
    cr_assert_not_null(atomic_load(&J->u.csr.shared));
}

/* The factor's values rewritten through its pattern handle leave J as it
 * was; J refreshed in place leaves the factor as it was. */
Test(chain_shared, values_stay_independent) {
    sf_ctx *ctx = tu_ctx();
    sf_mat *A0 = tu_random_csr(ctx, 60, 50, 0.1, 1), *D = dt_random_diag(ctx, 60, 2);
    sf_mat *D2 = dt_random_diag(ctx, 60, 3);
    sf_jac_pattern *jp = NULL;
    cr_assert_eq(sf_jac_pattern_create(ctx, A0, &jp), SF_OK);
    const sf_mat *M = sf_jac_pattern_matrix(jp);
    sf_mat *J = chain(ctx, D, M), *J0 = copy_of(ctx, J);
    assert_shares(J, M);
    double *v = sf_jac_pattern_values(jp);
    for (int64_t p = 0; p < sf_mat_nnz(M); p++) v[p] = 7.0 + (double)p;
    tu_assert_same_bits(ctx, J, J0);
    sf_mat *M1 = copy_of(ctx, M), *fresh = chain(ctx, D2, M);
    cr_assert_eq(sf_jac_chain_update(ctx, D2, M, J), SF_OK, "%s", sf_ctx_message(ctx));
    tu_assert_same_bits(ctx, J, fresh);
    tu_assert_same_bits(ctx, M, M1);
    sf_jac_pattern_free(jp);
    tu_assert_same_bits(ctx, J, fresh); /* J outlives the pattern handle */
    sf_mat *all[] = {A0, D, D2, J, J0, M1, fresh};
    for (size_t k = 0; k < sizeof all / sizeof *all; k++) sf_mat_free(all[k]);
    tu_ctx_done(ctx);
}

/* Update of a shared J from the factor it shares with (no comparison), from
 * a copy of it (compared), after the factor is gone, and from another
 * pattern (SF_ERR_STRUCTURE, J unchanged); both sides, 1 and 2 threads. */
static void update_shared(int threads, bool left) {
    sf_ctx *ctx = tu_ctx();
    sf_ctx_set_threads(ctx, threads);
    int64_t m = 3000, n = 2000;
    sf_mat *A = tu_random_csr(ctx, m, n, 0.01, 4), *B = tu_random_csr(ctx, m, n, 0.01, 5);
    sf_mat *D = dt_random_diag(ctx, left ? m : n, 6), *D2 = dt_random_diag(ctx, left ? m : n, 7);
    sf_mat *J = left ? chain(ctx, D, A) : chain(ctx, A, D);
    sf_mat *want = left ? chain(ctx, D2, A) : chain(ctx, A, D2), *Ac = copy_of(ctx, A);
    assert_shares(J, A);
    cr_assert_eq(left ? sf_jac_chain_update(ctx, D2, A, J) : sf_jac_chain_update(ctx, A, D2, J),
                 SF_OK);
    tu_assert_same_bits(ctx, J, want);
    sf_mat_free(A);
    sf_mat_free(want);
    want = left ? chain(ctx, D, Ac) : chain(ctx, Ac, D);
    cr_assert_eq(left ? sf_jac_chain_update(ctx, D, Ac, J) : sf_jac_chain_update(ctx, Ac, D, J),
                 SF_OK);
    tu_assert_same_bits(ctx, J, want);
    sf_status st = left ? sf_jac_chain_update(ctx, D2, B, J) : sf_jac_chain_update(ctx, B, D2, J);
    cr_assert_eq(st, SF_ERR_STRUCTURE);
    tu_assert_same_bits(ctx, J, want);
    sf_mat *all[] = {B, D, D2, J, want, Ac};
    for (size_t k = 0; k < sizeof all / sizeof *all; k++) sf_mat_free(all[k]);
    tu_ctx_done(ctx);
}

Test(chain_shared, update_left_1_thread) { update_shared(1, true); }
Test(chain_shared, update_left_2_threads) { update_shared(2, true); }
Test(chain_shared, update_right_1_thread) { update_shared(1, false); }
Test(chain_shared, update_right_2_threads) { update_shared(2, false); }
