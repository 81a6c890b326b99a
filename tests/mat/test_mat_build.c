/* Constructors, queries, export, transpose and copy of every kind, against
 * naive dense references; bad inputs leave no trace. */
#include <math.h>
#include <stdlib.h>

#include "testutil.h"

/* The dense matrix of a triplet list, duplicates summed naively. */
static double *dense_from_triplets(int64_t r, int64_t c, int64_t n, const int64_t *ri,
                                   const int64_t *ci, const double *v) {
    double *d = calloc((size_t)(r * c + 1), sizeof *d);
    for (int64_t k = 0; k < n; k++) d[ri[k] * c + ci[k]] += v[k];
    return d;
}

Test(triplets, duplicates_summed_against_dense) {
    sf_ctx *ctx = tu_ctx();
    uint64_t s = 42;
    enum { R = 17, C = 23, N = 300 };
    int64_t ri[N], ci[N];
    double v[N];
    for (int k = 0; k < N; k++) {
        ri[k] = (int64_t)(tu_rand(&s) % R);
        ci[k] = (int64_t)(tu_rand(&s) % C);
        v[k] = tu_uniform(&s);
    }
    sf_mat *m = NULL;
    cr_assert_eq(sf_mat_from_triplets(ctx, R, C, N, ri, ci, v, &m), SF_OK);
    cr_assert_eq(sf_mat_kind(m), SF_CSR);
    cr_assert_eq(sf_mat_rows(m), R);
    cr_assert_eq(sf_mat_cols(m), C);
    cr_assert_lt(sf_mat_nnz(m), N, "duplicates were merged");
    double *want = dense_from_triplets(R, C, N, ri, ci, v), *got = tu_dense_of(ctx, m);
    cr_assert_lt(tu_rel_diff(got, want, R * C), 1e-15);
    tu_assert_sorted_csr(ctx, m);
    cr_assert_eq(sf_mat_bytes(m), sf_ctx_bytes_in_use(ctx), "bytes held = bytes charged");
    free(want);
    free(got);
    sf_mat_free(m);
    tu_ctx_done(ctx);
}

Test(triplets, out_of_range_entry_named) {
    sf_ctx *ctx = tu_ctx();
    int64_t ri[] = {0, 1, 3}, ci[] = {0, 1, 0};
    double v[] = {1, 2, 3};
    sf_mat *m = (sf_mat *)0x1;
    cr_assert_eq(sf_mat_from_triplets(ctx, 3, 2, 3, ri, ci, v, &m), SF_ERR_INDEX);
    cr_assert_str_eq(sf_ctx_message(ctx),
                     "sf_mat_from_triplets: entry 2 at (3, 0) is outside the 3 x 2 matrix");
    cr_assert_eq(m, (sf_mat *)0x1, "output untouched");
    tu_ctx_done(ctx);
}

Test(csr, unsorted_rows_sorted_and_duplicates_summed) {
    sf_ctx *ctx = tu_ctx();
    int64_t rp[] = {0, 3, 3, 5}, ci[] = {2, 0, 2, 1, 0};
    double v[] = {1, 2, 3, 4, 5};
    sf_mat *m;
    cr_assert_eq(sf_mat_from_csr(ctx, 3, 3, rp, ci, v, 0, &m), SF_OK);
    cr_assert_eq(sf_mat_nnz(m), 4);
    double *d = tu_dense_of(ctx, m);
    double want[9] = {2, 0, 4, 0, 0, 0, 5, 4, 0};
    cr_assert_arr_eq(d, want, sizeof want);
    tu_assert_sorted_csr(ctx, m);
    free(d);
    sf_mat_free(m);
    tu_ctx_done(ctx);
}

Test(csr, strict_flag_rejects_unsorted_and_duplicates) {
    sf_ctx *ctx = tu_ctx();
    int64_t rp[] = {0, 2, 4}, unsorted[] = {0, 1, 2, 1}, dup[] = {0, 1, 1, 1};
    sf_mat *m = NULL;
    cr_assert_eq(sf_mat_from_csr(ctx, 2, 3, rp, unsorted, NULL, SF_CSR_STRICT, &m),
                 SF_ERR_STRUCTURE);
    cr_assert_str_eq(sf_ctx_message(ctx), "CSR: row 1: column 1 comes after column 2");
    cr_assert_eq(sf_mat_from_csr(ctx, 2, 3, rp, dup, NULL, SF_CSR_STRICT, &m), SF_ERR_STRUCTURE);
    cr_assert_str_eq(sf_ctx_message(ctx), "CSR: row 1: column 1 repeats column 1");
    cr_assert_null(m);
    tu_ctx_done(ctx);
}

Test(csr, bad_offsets_and_indices) {
    sf_ctx *ctx = tu_ctx();
    int64_t nonzero_start[] = {1, 2}, decreasing[] = {0, 2, 1}, ci[] = {0, 5}, ci_ok[] = {0, 1};
    int64_t ok_rp[] = {0, 1, 2};
    sf_mat *m = NULL;
    cr_assert_eq(sf_mat_from_csr(ctx, 1, 3, nonzero_start, ci, NULL, 0, &m), SF_ERR_STRUCTURE);
    cr_assert_str_eq(sf_ctx_message(ctx), "CSR: rowptr[0] is 1, must be 0");
    cr_assert_eq(sf_mat_from_csr(ctx, 2, 3, decreasing, ci_ok, NULL, 0, &m), SF_ERR_STRUCTURE);
    cr_assert_str_eq(sf_ctx_message(ctx), "CSR: row offsets decrease at row 1 (2 then 1)");
    cr_assert_eq(sf_mat_from_csr(ctx, 2, 3, ok_rp, ci, NULL, 0, &m), SF_ERR_INDEX);
    cr_assert_str_eq(sf_ctx_message(ctx), "CSR: row 1: column 5 is out of range [0, 3)");
    cr_assert_eq(sf_mat_from_csr(ctx, 2, 3, ok_rp, ci, NULL, 7, &m), SF_ERR_ARG);
    cr_assert_null(m);
    tu_ctx_done(ctx);
}

Test(dims, at_or_above_2_31_is_too_large) {
    sf_ctx *ctx = tu_ctx();
    sf_mat *m = NULL;
    cr_assert_eq(sf_mat_identity(ctx, (int64_t)1 << 31, &m), SF_ERR_TOO_LARGE);
    cr_assert_str_eq(sf_ctx_message(ctx),
                     "sf_mat_identity: dimensions 2147483648 x 2147483648 exceed the limit "
                     "2147483647 (2^31 - 1)");
    cr_assert_eq(sf_mat_from_triplets(ctx, 3, (int64_t)1 << 40, 0, NULL, NULL, NULL, &m),
                 SF_ERR_TOO_LARGE);
    cr_assert_null(m);
    tu_ctx_done(ctx);
}

Test(dense, exact_zeros_dropped_nan_kept_both_layouts) {
    sf_ctx *ctx = tu_ctx();
    double cm[6] = {1, 0, 0, NAN, -0.0, 2}; /* column-major 2x3 */
    sf_dense v = sf_dense_view(2, 3, SF_COL_MAJOR, SF_REAL, cm);
    sf_mat *m;
    cr_assert_eq(sf_mat_from_dense(ctx, &v, &m), SF_OK);
    cr_assert_eq(sf_mat_nnz(m), 3, "-0.0 counts as an exact zero");
    double *d = tu_dense_of(ctx, m);
    cr_assert_eq(d[0], 1);
    cr_assert(isnan(d[4]));
    cr_assert_eq(d[5], 2);
    free(d);
    sf_mat_free(m);
    double z[2][2] = {{0, 1}, {2, 3}};
    sf_dense zc = sf_dense_view(2, 2, SF_COL_MAJOR, SF_COMPLEX, z);
    cr_assert_eq(sf_mat_from_dense(ctx, &zc, &m), SF_ERR_UNSUPPORTED);
    tu_ctx_done(ctx);
}

Test(diag, identity_and_values_export_transpose) {
    sf_ctx *ctx = tu_ctx();
    double dv[4] = {1, -2, 0, 4};
    sf_mat *d, *t, *i;
    cr_assert_eq(sf_mat_diag(ctx, 4, dv, &d), SF_OK);
    cr_assert_eq(sf_mat_kind(d), SF_DIAG);
    cr_assert_eq(sf_mat_nnz(d), 4);
    int64_t rp[5];
    int32_t ci[4];
    double v[4];
    cr_assert_eq(sf_mat_export_csr(ctx, d, rp, ci, v), SF_OK);
    for (int k = 0; k < 4; k++) cr_assert(rp[k] == k && ci[k] == k && v[k] == dv[k]);
    cr_assert_eq(sf_mat_transpose(ctx, d, &t), SF_OK);
    cr_assert_eq(sf_mat_kind(t), SF_DIAG);
    cr_assert_eq(sf_mat_identity(ctx, 3, &i), SF_OK);
    double *di = tu_dense_of(ctx, i);
    double eye[9] = {1, 0, 0, 0, 1, 0, 0, 0, 1};
    cr_assert_arr_eq(di, eye, sizeof eye);
    free(di);
    sf_mat_free(d);
    sf_mat_free(t);
    sf_mat_free(i);
    tu_ctx_done(ctx);
}

Test(selection, p5_single_entry_and_transpose) {
    sf_ctx *ctx = tu_ctx();
    int64_t dst[] = {1}, src[] = {3};
    sf_mat *e, *t;
    cr_assert_eq(sf_mat_selection(ctx, 4, 5, 1, dst, src, NULL, &e), SF_OK);
    cr_assert_eq(sf_mat_kind(e), SF_SELECT);
    cr_assert_eq(sf_mat_nnz(e), 1);
    double *d = tu_dense_of(ctx, e);
    for (int k = 0; k < 20; k++) cr_assert_eq(d[k], k == 1 * 5 + 3 ? 1.0 : 0.0);
    free(d);
    cr_assert_eq(sf_mat_transpose(ctx, e, &t), SF_OK);
    cr_assert_eq(sf_mat_kind(t), SF_SELECT, "an injective selection transposes to one");
    d = tu_dense_of(ctx, t);
    for (int k = 0; k < 20; k++) cr_assert_eq(d[k], k == 3 * 4 + 1 ? 1.0 : 0.0);
    free(d);
    sf_mat_free(e);
    sf_mat_free(t);
    tu_ctx_done(ctx);
}

Test(selection, non_injective_transpose_is_csr) {
    sf_ctx *ctx = tu_ctx();
    int64_t dst[] = {0, 1, 2}, src[] = {1, 1, 0};
    double w[] = {2, 3, 4};
    sf_mat *e, *t;
    cr_assert_eq(sf_mat_selection(ctx, 3, 2, 3, dst, src, w, &e), SF_OK);
    cr_assert_eq(sf_mat_transpose(ctx, e, &t), SF_OK);
    cr_assert_eq(sf_mat_kind(t), SF_CSR);
    double *d = tu_dense_of(ctx, t);
    double want[6] = {0, 0, 4, 2, 3, 0};
    cr_assert_arr_eq(d, want, sizeof want);
    free(d);
    sf_mat_free(e);
    sf_mat_free(t);
    tu_ctx_done(ctx);
}

Test(selection, bad_pairs_named) {
    sf_ctx *ctx = tu_ctx();
    int64_t dst[] = {0, 0}, src[] = {1, 1}, bad_src[] = {1, 9};
    sf_mat *e = NULL;
    cr_assert_eq(sf_mat_selection(ctx, 3, 2, 2, dst, src, NULL, &e), SF_ERR_STRUCTURE);
    cr_assert_str_eq(sf_ctx_message(ctx),
                     "sf_mat_selection: pair 1: output row 0 is already selected");
    cr_assert_eq(sf_mat_selection(ctx, 3, 2, 2, dst, bad_src, NULL, &e), SF_ERR_INDEX);
    cr_assert_str_eq(sf_ctx_message(ctx),
                     "sf_mat_selection: pair 1: input row 9 is out of range [0, 2)");
    cr_assert_null(e);
    tu_ctx_done(ctx);
}

Test(transpose, csr_against_dense) {
    sf_ctx *ctx = tu_ctx();
    sf_mat *a = tu_random_csr(ctx, 31, 17, 0.2, 7), *t;
    cr_assert_eq(sf_mat_transpose(ctx, a, &t), SF_OK);
    cr_assert_eq(sf_mat_rows(t), 17);
    double *da = tu_dense_of(ctx, a), *dt = tu_dense_of(ctx, t);
    for (int i = 0; i < 31; i++)
        for (int j = 0; j < 17; j++) cr_assert_eq(da[i * 17 + j], dt[j * 31 + i]);
    tu_assert_sorted_csr(ctx, t);
    free(da);
    free(dt);
    sf_mat_free(a);
    sf_mat_free(t);
    tu_ctx_done(ctx);
}

Test(empty, zero_sized_matrices) {
    sf_ctx *ctx = tu_ctx();
    sf_mat *a, *t;
    cr_assert_eq(sf_mat_from_triplets(ctx, 0, 5, 0, NULL, NULL, NULL, &a), SF_OK);
    cr_assert_eq(sf_mat_transpose(ctx, a, &t), SF_OK);
    cr_assert_eq(sf_mat_rows(t), 5);
    cr_assert_eq(sf_mat_nnz(t), 0);
    sf_mat_free(a);
    sf_mat_free(t);
    tu_ctx_done(ctx);
}

/* Every constructor, failing at each of its allocations in turn, returns
 * NOMEM, frees everything and leaves its output alone. */
static sf_status build_all(sf_ctx *ctx, void *arg) {
    (void)arg;
    int64_t ri[] = {0, 1, 1}, ci[] = {1, 0, 0}, rp[] = {0, 1, 3};
    double v[] = {1, 2, 3}, dd[4] = {1, 0, 2, 0};
    sf_dense dv = sf_dense_view(2, 2, SF_ROW_MAJOR, SF_REAL, dd);
    sf_mat *m[8] = {0};
    sf_status st;
    if ((st = sf_mat_from_triplets(ctx, 2, 2, 3, ri, ci, v, &m[0]))) goto done;
    if ((st = sf_mat_from_csr(ctx, 2, 2, rp, ci, v, 0, &m[1]))) goto done;
    if ((st = sf_mat_from_dense(ctx, &dv, &m[2]))) goto done;
    if ((st = sf_mat_diag(ctx, 2, v, &m[3]))) goto done;
    if ((st = sf_mat_selection(ctx, 2, 2, 2, ri, ci, v, &m[4]))) goto done;
    if ((st = sf_mat_transpose(ctx, m[0], &m[5]))) goto done;
    if ((st = sf_mat_to_csr(ctx, m[4], &m[6]))) goto done;
    st = sf_mat_copy(ctx, m[3], &m[7]);
done:
    for (int k = 0; k < 8; k++) sf_mat_free(m[k]);
    return st;
}

Test(alloc_failure, every_constructor_cleans_up) { tu_check_alloc_failures(build_all, NULL); }
