/* sf_mat_multiply against the dense product, the kind-keeping fast paths,
 * thread independence, errors and allocation failures; P5's selection. */
#include <stdlib.h>

#include "ops_testutil.h"

/* Every pair of kinds: the product equals the dense product. */
Test(spgemm, every_kind_pair_against_dense) {
    sf_ctx *ctx = tu_ctx();
    const sf_kind kinds[] = {SF_CSR, SF_DIAG, SF_SELECT, SF_INTERP};
    for (int ka = 0; ka < 4; ka++)
        for (int kb = 0; kb < 4; kb++) {
            int64_t m = kinds[ka] == SF_DIAG ? 14 : 19, n = 14;
            int64_t k = kinds[kb] == SF_DIAG ? 14 : 11;
            sf_mat *A = ot_handle(ctx, kinds[ka], m, n, (uint64_t)ka + 3);
            sf_mat *B = ot_handle(ctx, kinds[kb], n, k, (uint64_t)kb + 7), *C = NULL;
            cr_assert_eq(sf_mat_multiply(ctx, A, B, &C), SF_OK, "%s", sf_ctx_message(ctx));
            double *ad = tu_dense_of(ctx, A), *bd = tu_dense_of(ctx, B), *cd = tu_dense_of(ctx, C);
            double *want = tu_dense_product(ad, bd, m, n, k);
            cr_assert_lt(tu_rel_diff(cd, want, m * k), 1e-14, "kinds %d x %d", ka, kb);
            cr_assert_eq(sf_mat_kind(C), ka == 1 && kb == 1 ? SF_DIAG : SF_CSR);
            tu_assert_sorted_csr(ctx, C);
            free(ad), free(bd), free(cd), free(want);
            sf_mat_free(A), sf_mat_free(B), sf_mat_free(C);
        }
    tu_ctx_done(ctx);
}

Test(spgemm, diagonal_scaling_keeps_pattern) {
    sf_ctx *ctx = tu_ctx();
    sf_mat *A = tu_random_csr(ctx, 12, 9, 0.3, 2), *D = ot_handle(ctx, SF_DIAG, 12, 12, 1);
    sf_mat *E = ot_handle(ctx, SF_DIAG, 9, 9, 5), *L = NULL, *R = NULL;
    cr_assert_eq(sf_mat_multiply(ctx, D, A, &L), SF_OK);
    cr_assert_eq(sf_mat_multiply(ctx, A, E, &R), SF_OK);
    cr_assert_eq(sf_mat_nnz(L), sf_mat_nnz(A));
    cr_assert_eq(sf_mat_nnz(R), sf_mat_nnz(A));
    sf_mat_free(A), sf_mat_free(D), sf_mat_free(E), sf_mat_free(L), sf_mat_free(R);
    tu_ctx_done(ctx);
}

Test(spgemm, one_and_two_threads_bitwise_equal) {
    sf_ctx *ctx = tu_ctx();
    sf_mat *A = tu_random_csr(ctx, 20000, 20000, 2e-4, 1), *B = tu_random_csr(ctx, 20000, 3000, 1e-3, 2);
    sf_mat *C1 = NULL, *C2 = NULL;
    sf_ctx_set_threads(ctx, 1);
    cr_assert_eq(sf_mat_multiply(ctx, A, B, &C1), SF_OK);
    sf_ctx_set_threads(ctx, 2);
    cr_assert_eq(sf_mat_multiply(ctx, A, B, &C2), SF_OK);
    tu_assert_same_bits(ctx, C2, C1);
    sf_mat_free(A), sf_mat_free(B), sf_mat_free(C1), sf_mat_free(C2);
    tu_ctx_done(ctx);
}

Test(spgemm, shape_mismatch_names_both_shapes) {
    sf_ctx *ctx = tu_ctx();
    sf_mat *A = tu_random_csr(ctx, 3, 4, 0.5, 1), *B = tu_random_csr(ctx, 5, 2, 0.5, 2);
    sf_mat *C = (sf_mat *)0x1;
    cr_assert_eq(sf_mat_multiply(ctx, A, B, &C), SF_ERR_SHAPE);
    cr_assert_str_eq(sf_ctx_message(ctx), "sf_mat_multiply: A is 3 x 4, B is 5 x 2");
    cr_assert_eq(C, (sf_mat *)0x1, "output untouched");
    cr_assert_eq(sf_mat_multiply(ctx, A, NULL, &C), SF_ERR_ARG);
    cr_assert_str_eq(sf_ctx_message(ctx), "sf_mat_multiply: NULL argument");
    sf_mat_free(A), sf_mat_free(B);
    tu_ctx_done(ctx);
}

static sf_status multiply_body(sf_ctx *ctx, void *arg) {
    int kind = *(int *)arg; /* 0: CSR x CSR, 1: selection x CSR, 2: CSR x selection */
    int64_t rp[] = {0, 2, 3, 4}, ci[] = {0, 2, 1, 2}, dst[] = {0, 2}, src[] = {2, 0};
    double v[] = {1, 2, 3, 4};
    sf_mat *A = NULL, *S = NULL, *C = NULL;
    sf_status st = sf_mat_from_csr(ctx, 3, 3, rp, ci, v, 0, &A);
    if (!st) st = sf_mat_selection(ctx, 3, 3, 2, dst, src, NULL, &S);
    if (!st) st = sf_mat_multiply(ctx, kind == 1 ? S : A, kind == 2 ? S : A, &C);
    sf_mat_free(A), sf_mat_free(S), sf_mat_free(C);
    return st;
}

Test(spgemm, allocation_failures) {
    for (int kind = 0; kind < 3; kind++) tu_check_alloc_failures(multiply_body, &kind);
}

/* P5: E has a single 1 at (i, j); E * A is row j of A in row i, through the
 * selection handle's gather, for a dense block A. */
Test(spgemm, p5_selection_times_dense_block) {
    sf_ctx *ctx = tu_ctx();
    enum { N = 60 };
    int64_t dst[] = {17}, src[] = {42};
    sf_mat *E = NULL;
    cr_assert_eq(sf_mat_selection(ctx, N, N, 1, dst, src, NULL, &E), SF_OK);
    sf_dense A = ot_view(N, N, SF_ROW_MAJOR, SF_REAL, 0, 3);
    double *z = malloc(N * N * sizeof *z);
    sf_dense Z = sf_dense_view(N, N, SF_ROW_MAJOR, SF_REAL, z);
    cr_assert_eq(sf_spmm(ctx, 1.0, E, SF_OP_NONE, &A, 0.0, &Z), SF_OK);
    double *ed = tu_dense_of(ctx, E), *want = tu_dense_product(ed, A.data, N, N, N);
    cr_assert_eq(memcmp(z, want, N * N * sizeof *z), 0, "exactly the dense E * A");
    free(z), free(ed), free(want);
    ot_view_free(&A);
    sf_mat_free(E);
    tu_ctx_done(ctx);
}
