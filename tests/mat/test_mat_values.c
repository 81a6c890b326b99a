/* In-place value changes invalidate every cache that holds the old values:
 * a transposed product and a transposed triangular solve after a refill
 * must see the new values. */
#include <stdlib.h>

#include "mat/mat_internal.h"
#include "sparsefirst/deriv.h"
#include "sparsefirst/ops.h"
#include "sparsefirst/solve.h"
#include "testutil.h"

/* A full 3 x 3 pattern from one 3-node element, values lower-triangular
 * (the upper entries are stored zeros). */
static sf_jac_pattern *assembled(sf_ctx *ctx, double scale) {
    int64_t conn[3] = {0, 1, 2};
    sf_jac_pattern *jp = NULL;
    cr_assert_eq(sf_assembly_pattern(ctx, 3, 1, 3, conn, &jp), SF_OK, "%s", sf_ctx_message(ctx));
    double ke[9] = {1, 0, 0, 2, 3, 0, 4, 5, 6};
    for (int k = 0; k < 9; k++) ke[k] *= scale;
    cr_assert_eq(sf_assemble(ctx, jp, ke), SF_OK, "%s", sf_ctx_message(ctx));
    return jp;
}

Test(values_changed, transposed_product_after_refill) {
    sf_ctx *ctx = tu_ctx();
    sf_jac_pattern *jp = assembled(ctx, 1.0);
    const sf_mat *K = sf_jac_pattern_matrix(jp);
    double x[3] = {1, 1, 1}, y[3];
    cr_assert_eq(sf_spmv(ctx, 1.0, K, SF_OP_TRANSPOSE, x, 0.0, y), SF_OK);
    cr_assert(y[0] == 7 && y[1] == 8 && y[2] == 6, "column sums of K");
    double ke[9] = {10, 0, 0, 20, 30, 0, 40, 50, 60};
    cr_assert_eq(sf_assemble(ctx, jp, ke), SF_OK);
    cr_assert_eq(sf_spmv(ctx, 1.0, K, SF_OP_TRANSPOSE, x, 0.0, y), SF_OK);
    cr_assert(y[0] == 70 && y[1] == 80 && y[2] == 60, "the refill is seen: %g %g %g", y[0], y[1],
              y[2]);
    /* Writing through the pointer handed out is seen too. */
    double *v = sf_jac_pattern_values(jp);
    for (int64_t p = 0; p < sf_mat_nnz(K); p++) v[p] = 1.0;
    cr_assert_eq(sf_spmv(ctx, 1.0, K, SF_OP_TRANSPOSE, x, 0.0, y), SF_OK);
    cr_assert(y[0] == 3 && y[1] == 3 && y[2] == 3, "all nine stored entries are 1: %g %g %g", y[0], y[1], y[2]);
    sf_jac_pattern_free(jp);
    tu_ctx_done(ctx);
}

Test(values_changed, transposed_solve_after_refill) {
    sf_ctx *ctx = tu_ctx();
    sf_jac_pattern *jp = assembled(ctx, 1.0);
    const sf_mat *L = sf_jac_pattern_matrix(jp);
    double b[3] = {1, 2, 3}, x1[3], x2[3];
    sf_dense bv = sf_dense_view(3, 1, SF_COL_MAJOR, SF_REAL, b);
    sf_dense xv1 = sf_dense_view(3, 1, SF_COL_MAJOR, SF_REAL, x1);
    sf_dense xv2 = sf_dense_view(3, 1, SF_COL_MAJOR, SF_REAL, x2);
    cr_assert_eq(sf_tri_solve(ctx, L, SF_LOWER, SF_OP_TRANSPOSE, SF_NON_UNIT,
                              SF_TRI_IGNORE_OTHER, 1.0, &bv, &xv1),
                 SF_OK, "%s", sf_ctx_message(ctx));
    double ke[9] = {2, 0, 0, 4, 6, 0, 8, 10, 12}; /* twice the values: x halves */
    cr_assert_eq(sf_assemble(ctx, jp, ke), SF_OK);
    cr_assert_eq(sf_tri_solve(ctx, L, SF_LOWER, SF_OP_TRANSPOSE, SF_NON_UNIT,
                              SF_TRI_IGNORE_OTHER, 1.0, &bv, &xv2),
                 SF_OK, "%s", sf_ctx_message(ctx));
    for (int i = 0; i < 3; i++) cr_assert_float_eq(x2[i], 0.5 * x1[i], 1e-15);
    sf_jac_pattern_free(jp);
    tu_ctx_done(ctx);
}

Test(values_changed, drops_cached_bytes) {
    sf_ctx *ctx = tu_ctx();
    sf_mat *a = tu_random_csr(ctx, 40, 30, 0.2, 3);
    double x[40] = {0}, y[30];
    size_t before = sf_mat_bytes(a);
    cr_assert_eq(sf_spmv(ctx, 1.0, a, SF_OP_TRANSPOSE, x, 0.0, y), SF_OK);
    cr_assert_gt(sf_mat_bytes(a), before, "the transpose is cached and counted");
    sf_mat_values_changed(a);
    cr_assert_eq(sf_mat_bytes(a), before);
    sf_mat_values_changed(NULL);
    sf_mat_free(a);
    tu_ctx_done(ctx);
}
