/* Applying weights: several fields at once, the adjoint against the explicit
 * transpose, sf_spmm on the handle, CSR export, copy and transpose, and the
 * same bits for 1 and 2 threads. */
#include <math.h>
#include <stdlib.h>

#include "interp_ref.h"

static double *random_vec(int64_t n, uint64_t seed) {
    double *v = malloc((size_t)(n + 1) * sizeof *v);
    for (int64_t i = 0; i < n; i++) v[i] = tu_uniform(&seed);
    return v;
}

static double dot(const double *a, const double *b, int64_t n) {
    double s = 0;
    for (int64_t i = 0; i < n; i++) s += a[i] * b[i];
    return s;
}

/* y = D x or D^T x for a dense rows x cols matrix D. */
static void dense_mv(const double *D, int64_t rows, int64_t cols, bool trans, const double *x,
                     double *y) {
    for (int64_t i = 0; i < (trans ? cols : rows); i++) y[i] = 0;
    for (int64_t i = 0; i < rows; i++)
        for (int64_t j = 0; j < cols; j++) {
            if (trans) y[j] += D[i * cols + j] * x[i];
            else y[i] += D[i * cols + j] * x[j];
        }
}

/* Adjoint = explicit dense transpose, and <W x, y> = <x, W^T y>, for every
 * policy (fill rows are empty rows of the linear part). */
Test(apply, adjoint_against_dense_transpose) {
    sf_ctx *ctx = tu_ctx();
    for (int ex = 0; ex < 4; ex++)
        for (int axis = 0; axis < 3; axis++) {
            ref_case c;
            ref_case_make(&c, 3, axis, ex % 2, axis == 1, ex == 2, 31 + (uint64_t)(ex * 3 + axis));
            sf_mat *W = ref_check_case(ctx, &c, SF_INTERP_LINEAR, (sf_interp_extrap)ex, 2.0);
            double *D = tu_dense_of(ctx, W), *y = random_vec(c.out_size, 3), *x = random_vec(c.size, 4);
            double *aty = malloc((size_t)c.size * sizeof *aty), *want = malloc((size_t)c.size * sizeof *want);
            double *wx = malloc((size_t)c.out_size * sizeof *wx);
            const double *ys[1] = {y};
            double *os[1] = {aty};
            cr_assert_eq(sf_interp_apply_adjoint(ctx, W, 1, ys, os), SF_OK);
            dense_mv(D, c.out_size, c.size, true, y, want);
            cr_assert_lt(tu_rel_diff(aty, want, c.size), 1e-14);
            dense_mv(D, c.out_size, c.size, false, x, wx);
            cr_assert_float_eq(dot(wx, y, c.out_size), dot(x, aty, c.size), 1e-12);
            free(D), free(y), free(x), free(aty), free(want), free(wx);
            sf_mat_free(W);
            ref_case_free(&c);
        }
    tu_ctx_done(ctx);
}

/* The CSR export: sorted rows, nnz as reported, weights w and 1 - w. */
Test(apply, export_csr_matches_dense_apply) {
    sf_ctx *ctx = tu_ctx();
    ref_case c;
    ref_case_make(&c, 4, 2, false, false, true, 77);
    sf_mat *W = ref_check_case(ctx, &c, SF_INTERP_LOG, SF_EXTRAP_CONSTANT, 3.0);
    int64_t nnz = sf_mat_nnz(W), *rp = malloc((size_t)(c.out_size + 1) * sizeof *rp);
    int32_t *ci = malloc((size_t)(nnz + 1) * sizeof *ci);
    double *v = malloc((size_t)(nnz + 1) * sizeof *v), *out = malloc((size_t)c.out_size * sizeof *out);
    cr_assert_eq(sf_mat_export_csr(ctx, W, rp, ci, v), SF_OK);
    cr_assert_eq(rp[c.out_size], nnz);
    const double *fs[1] = {c.f};
    double *os[1] = {out};
    cr_assert_eq(sf_interp_apply(ctx, W, 1, fs, os), SF_OK);
    for (int64_t i = 0; i < c.out_size; i++) {
        double s = 0;
        for (int64_t p = rp[i]; p < rp[i + 1]; p++) s += v[p] * c.f[ci[p]];
        for (int64_t p = rp[i] + 1; p < rp[i + 1]; p++) cr_assert_lt(ci[p - 1], ci[p]);
        if (rp[i] == rp[i + 1]) cr_assert_eq(out[i], 3.0, "no source: the fill value");
        else cr_assert_float_eq(out[i], s, 1e-12);
    }
    free(rp), free(ci), free(v), free(out);
    sf_mat_free(W);
    ref_case_free(&c);
    tu_ctx_done(ctx);
}

/* sf_spmm on the handle computes the linear part: the same bits as
 * sf_interp_apply where an output has a source, 0 where it has none; its
 * transpose is the adjoint; a CSR copy agrees. */
Test(apply, spmm_on_handle_matches_apply) {
    sf_ctx *ctx = tu_ctx();
    ref_case c;
    ref_case_make(&c, 3, 1, false, true, false, 5);
    sf_mat *W = ref_check_case(ctx, &c, SF_INTERP_LINEAR, SF_EXTRAP_NAN, 0), *csr;
    double *o1 = malloc((size_t)c.out_size * sizeof *o1), *o2 = malloc((size_t)c.out_size * sizeof *o2);
    double *a1 = malloc((size_t)c.size * sizeof *a1), *a2 = malloc((size_t)c.size * sizeof *a2);
    const double *fs[1] = {c.f};
    double *os[1] = {o1};
    cr_assert_eq(sf_interp_apply(ctx, W, 1, fs, os), SF_OK);
    cr_assert_eq(sf_spmv(ctx, 1.0, W, SF_OP_NONE, c.f, 0.0, o2), SF_OK, "%s", sf_ctx_message(ctx));
    for (int64_t i = 0; i < c.out_size; i++)
        cr_assert(isnan(o1[i]) ? o2[i] == 0.0 : o1[i] == o2[i], "row %lld", (long long)i);
    const double *ys[1] = {o2};
    os[0] = a1;
    cr_assert_eq(sf_interp_apply_adjoint(ctx, W, 1, ys, os), SF_OK);
    cr_assert_eq(sf_spmv(ctx, 1.0, W, SF_OP_TRANSPOSE, o2, 0.0, a2), SF_OK);
    cr_assert_arr_eq(a1, a2, (size_t)c.size * sizeof *a1);
    cr_assert_eq(sf_mat_to_csr(ctx, W, &csr), SF_OK);
    cr_assert_eq(sf_spmv(ctx, 1.0, csr, SF_OP_TRANSPOSE, o2, 0.0, a2), SF_OK);
    cr_assert_lt(tu_rel_diff(a1, a2, c.size), 1e-15);
    free(o1), free(o2), free(a1), free(a2);
    sf_mat_free(csr);
    sf_mat_free(W);
    ref_case_free(&c);
    tu_ctx_done(ctx);
}

/* sf_mat_copy keeps everything; sf_mat_transpose is the dense transpose. */
Test(apply, copy_and_transpose) {
    sf_ctx *ctx = tu_ctx();
    ref_case c;
    ref_case_make(&c, 2, 0, true, true, false, 8);
    sf_mat *W = ref_check_case(ctx, &c, SF_INTERP_NEAREST, SF_EXTRAP_CLAMP, 0), *C, *T;
    cr_assert_eq(sf_mat_copy(ctx, W, &C), SF_OK);
    cr_assert_eq(sf_mat_transpose(ctx, W, &T), SF_OK);
    double *dw = tu_dense_of(ctx, W), *dc = tu_dense_of(ctx, C), *dt = tu_dense_of(ctx, T);
    cr_assert_arr_eq(dw, dc, (size_t)(c.size * c.out_size) * sizeof *dw);
    for (int64_t i = 0; i < c.out_size; i++)
        for (int64_t j = 0; j < c.size; j++) cr_assert_eq(dw[i * c.size + j], dt[j * c.out_size + i]);
    sf_interp_info a, b;
    cr_assert_eq(sf_interp_get_info(ctx, W, &a), SF_OK);
    cr_assert_eq(sf_interp_get_info(ctx, C, &b), SF_OK);
    cr_assert(a.axis == b.axis && a.method == b.method && a.extrapolate == b.extrapolate);
    cr_assert_arr_eq(a.out_shape.dim, b.out_shape.dim, 2 * sizeof(int64_t));
    free(dw), free(dc), free(dt);
    sf_mat_free(W), sf_mat_free(C), sf_mat_free(T);
    ref_case_free(&c);
    tu_ctx_done(ctx);
}

/* A large case: weights, apply of 3 fields, adjoint; 1 and 2 threads give
 * the same bits, and 3 fields at once = 3 single applies. */
typedef struct big {
    sf_shape data, xs, ts;
    double *x, *t, *f[3];
    int64_t size, out_size;
} big;

static void big_make(big *b) {
    b->data = (sf_shape){4, {2, 9, 40, 50}};
    b->xs = b->data;
    b->ts = (sf_shape){1, {11}};
    b->size = 2 * 9 * 40 * 50;
    b->out_size = 2 * 11 * 40 * 50;
    b->x = malloc((size_t)b->size * sizeof(double));
    b->t = malloc(11 * sizeof(double));
    uint64_t rng = 3;
    for (int64_t i = 0; i < b->size; i++) {
        int64_t k = (i / 2000) % 9; /* level */
        b->x[i] = 1000.0 - 100.0 * (double)k + 20.0 * tu_uniform(&rng);
    }
    for (int k = 0; k < 11; k++) b->t[k] = 1050.0 - 100.0 * k;
    for (int q = 0; q < 3; q++) b->f[q] = random_vec(b->size, 10 + (uint64_t)q);
}

static void big_run(sf_ctx *ctx, const big *b, double **out, double **adj, sf_mat **W) {
    cr_assert_eq(sf_interp_weights(ctx, b->x, &b->xs, b->t, &b->ts, &b->data, 1, SF_INTERP_LOG,
                                   SF_EXTRAP_LINEAR, 0, W), SF_OK, "%s", sf_ctx_message(ctx));
    cr_assert_eq(sf_interp_apply(ctx, *W, 3, (const double *const *)b->f, out), SF_OK);
    cr_assert_eq(sf_interp_apply_adjoint(ctx, *W, 3, (const double *const *)out, adj), SF_OK);
}

Test(apply, threads_and_fields_bitwise_equal) {
    big b;
    big_make(&b);
    double *o[2][3], *a[2][3];
    sf_mat *W[2];
    for (int r = 0; r < 2; r++) {
        sf_ctx *ctx = tu_ctx();
        sf_ctx_set_threads(ctx, r + 1);
        for (int q = 0; q < 3; q++) {
            o[r][q] = malloc((size_t)b.out_size * sizeof(double));
            a[r][q] = malloc((size_t)b.size * sizeof(double));
        }
        big_run(ctx, &b, o[r], a[r], &W[r]);
        if (r == 1) { /* single applies on the 2-thread context */
            double *single = malloc((size_t)b.out_size * sizeof(double));
            for (int q = 0; q < 3; q++) {
                const double *fs[1] = {b.f[q]};
                cr_assert_eq(sf_interp_apply(ctx, W[r], 1, fs, &single), SF_OK);
                cr_assert_arr_eq(single, o[r][q], (size_t)b.out_size * sizeof(double));
            }
            free(single);
        }
        sf_mat_free(W[r]);
        tu_ctx_done(ctx);
    }
    for (int q = 0; q < 3; q++) {
        cr_assert_arr_eq(o[0][q], o[1][q], (size_t)b.out_size * sizeof(double));
        cr_assert_arr_eq(a[0][q], a[1][q], (size_t)b.size * sizeof(double));
        free(o[0][q]), free(o[1][q]), free(a[0][q]), free(a[1][q]), free(b.f[q]);
    }
    free(b.x), free(b.t);
}

/* Several fields in one call against single applies, bit for bit, for 1 and
 * 2 threads, clamped (one-term outputs at the ends) and constant (fill
 * outputs), NaN, inf, -0 and subnormals in fields.  Rows of two-term outputs with contiguous
 * sources are applied from W, the others decoded: with odd >= 0, column odd
 * has its own grid, which breaks its level of 1.25 there. */
static void fields_equal_single_applies(int64_t post, int64_t odd) {
    enum { N = 5, M = 7, NF = 4 };
    sf_shape data = {3, {2, N, post}}, xs = odd < 0 ? (sf_shape){1, {N}} : data, ts = {1, {M}};
    const double t[M] = {-1, 0, 0.5, 1.25, 2.5, 4, 5};
    double *x = malloc((size_t)(2 * N * post) * sizeof(double));
    for (int64_t i = 0; i < (odd < 0 ? N : 2 * N * post); i++)
        x[i] = (double)(odd < 0 ? i : (i / post) % N);
    if (odd >= 0) x[post + odd] = 1.5; /* 1.25 in [0, 1.5) instead of [1, 2) */
    size_t out_bytes = (size_t)(2 * M * post) * sizeof(double);
    double *f[NF], *many[NF], *one = malloc(out_bytes);
    for (int q = 0; q < NF; q++) {
        f[q] = random_vec(2 * N * post, 40 + (uint64_t)q);
        many[q] = malloc(out_bytes);
    }
    f[1][N * post + 3] = NAN, f[2][post + 7] = INFINITY, f[3][4 * post] = -INFINITY;
    /* level 0, read alone by the clamped targets -1 and 0: subnormals and -0
     * must come out as w f, not rounded through halves of w */
    f[0][0] = 4.9406564584124654e-324, f[0][1] = -4.9406564584124654e-324;
    f[0][2] = 1.4821969375237396e-323, f[1][0] = -0.0, f[3][1] = INFINITY;
    for (int e = 0; e < 2; e++)
        for (int th = 1; th <= 2; th++) {
            sf_ctx *ctx = tu_ctx();
            sf_ctx_set_threads(ctx, th);
            sf_mat *W = NULL;
            cr_assert_eq(sf_interp_weights(ctx, x, &xs, t, &ts, &data, 1, SF_INTERP_LINEAR,
                                           e ? SF_EXTRAP_CONSTANT : SF_EXTRAP_CLAMP, 9.5, &W),
                         SF_OK);
            cr_assert_eq(sf_interp_apply(ctx, W, NF, (const double *const *)f, many), SF_OK);
            for (int q = 0; q < NF; q++) {
                const double *fs[1] = {f[q]};
                cr_assert_eq(sf_interp_apply(ctx, W, 1, fs, &one), SF_OK);
                cr_assert_arr_eq(one, many[q], out_bytes, "post %lld, field %d", (long long)post, q);
            }
            sf_mat_free(W);
            tu_ctx_done(ctx);
        }
    for (int q = 0; q < NF; q++) free(f[q]), free(many[q]);
    free(one), free(x);
}

/* Tiles are 4096 columns wide, so 4100 columns make a partial tile. */
Test(apply, tiled_fields_equal_single_applies) {
    fields_equal_single_applies(4100, -1);
    fields_equal_single_applies(4100, 100); /* broken after the first 64 columns */
    fields_equal_single_applies(4100, 4097);
}

/* Outputs over 8 MB are written with streaming stores; an odd row length
 * starts every other row off the 16-byte alignment of the vector loops. */
Test(apply, streamed_fields_equal_single_applies) { fields_equal_single_applies(75001, -1); }

/* Data with a zero extent beside the axis (3, 0) on axis 0: no outputs, and
 * applying one or several fields (or the adjoint) is a no-op, not a
 * division by a zero tile width. */
Test(apply, zero_columns_beside_the_axis) {
    sf_ctx *ctx = tu_ctx();
    double xp[3] = {0, 1, 2}, xn[5] = {0.5, 1, 1.5, 2, 3}, f[1] = {0}, o[1] = {7};
    sf_shape sxp = {1, {3}}, sxn = {1, {5}}, data = {2, {3, 0}};
    for (int th = 1; th <= 2; th++) {
        cr_assert_eq(sf_ctx_set_threads(ctx, th), SF_OK);
        sf_mat *W = NULL;
        cr_assert_eq(sf_interp_weights(ctx, xp, &sxp, xn, &sxn, &data, 0, SF_INTERP_LINEAR,
                                       SF_EXTRAP_CLAMP, 0.0, &W), SF_OK, "%s", sf_ctx_message(ctx));
        cr_assert_eq(sf_mat_rows(W), 0);
        const double *fs[2] = {f, f};
        double *os[2] = {o, o};
        for (int nf = 1; nf <= 2; nf++) {
            cr_assert_eq(sf_interp_apply(ctx, W, nf, fs, os), SF_OK, "%d fields", nf);
            cr_assert_eq(sf_interp_apply_adjoint(ctx, W, nf, fs, os), SF_OK);
        }
        cr_assert_eq(o[0], 7, "nothing written");
        sf_mat_free(W);
    }
    tu_ctx_done(ctx);
}
