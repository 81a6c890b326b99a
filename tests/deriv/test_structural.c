/* Sum/mean, permutation, reshape, slicing, take, Kronecker-structured linear
 * maps and the chain rule, against dense Jacobians of naive evaluators. */
#include <stdlib.h>

#include "deriv_testutil.h"

static int64_t size_of(const sf_shape *s) {
    int64_t n = 1;
    for (int k = 0; k < s->ndim; k++) n *= s->dim[k];
    return n;
}

static void next(const sf_shape *s, int64_t *co) {
    for (int k = s->ndim - 1; k >= 0 && ++co[k] == s->dim[k]; k--) co[k] = 0;
}

/* ------------------------------------------------------------------- sum */

typedef struct sum_case {
    sf_shape in;
    bool reduced[SF_MAX_NDIM];
    int mean;
} sum_case;

static void naive_sum(const double *x, double *y, void *arg) {
    sum_case *c = arg;
    int64_t co[SF_MAX_NDIM] = {0}, n = size_of(&c->in), nout = 1, r = 1;
    for (int k = 0; k < c->in.ndim; k++) {
        if (c->reduced[k]) r *= c->in.dim[k];
        else nout *= c->in.dim[k];
    }
    for (int64_t o = 0; o < nout; o++) y[o] = 0;
    for (int64_t i = 0; i < n; i++) {
        int64_t o = 0;
        for (int k = 0; k < c->in.ndim; k++)
            if (!c->reduced[k]) o = o * c->in.dim[k] + co[k];
        y[o] += x[i];
        next(&c->in, co);
    }
    if (c->mean)
        for (int64_t o = 0; o < nout; o++) y[o] /= (double)r;
}

static void check_sum(sf_ctx *ctx, sf_shape in, int naxes, const int *axes, int mean) {
    sum_case c = {in, {false}, mean};
    for (int q = 0; q < naxes; q++) c.reduced[axes[q] < 0 ? axes[q] + in.ndim : axes[q]] = true;
    int64_t n = size_of(&in);
    sf_shape out;
    sf_mat *J = NULL;
    cr_assert_eq(sf_jac_sum(ctx, &in, naxes, axes, mean, &out, &J), SF_OK, "%s", sf_ctx_message(ctx));
    int64_t nout = size_of(&out);
    cr_assert_eq(out.ndim, in.ndim - naxes);
    cr_assert_eq(sf_mat_kind(J), SF_CSR);
    cr_assert_eq(sf_mat_nnz(J), n, "one entry per input element");
    double *x = dt_random(n, 3), *D = dt_dense_fd(naive_sum, &c, n, nout, x, 1.0);
    dt_assert_dense(ctx, J, D, nout, n, 1e-14);
    free(x);
    free(D);
    sf_mat_free(J);
}

Test(sum, axes_sets_every_shape) {
    sf_ctx *ctx = tu_ctx();
    int none[1] = {0}, a0[] = {0}, a1[] = {1}, alast[] = {-1}, a02[] = {0, 2}, a13[] = {3, 1},
        all4[] = {0, 1, 2, 3};
    for (int mean = 0; mean < 2; mean++) {
        check_sum(ctx, dt_shape(0), 0, none, mean);
        check_sum(ctx, dt_shape(1), 1, a0, mean);
        check_sum(ctx, dt_shape(2), 1, a1, mean);
        check_sum(ctx, dt_shape(2), 1, alast, mean);
        check_sum(ctx, dt_shape(3), 2, a02, mean);
        check_sum(ctx, dt_shape(3), 0, none, mean);
        check_sum(ctx, dt_shape(4), 2, a13, mean);
        check_sum(ctx, dt_shape(4), 4, all4, mean);
    }
    tu_ctx_done(ctx);
}

Test(sum, bad_axes_named) {
    sf_ctx *ctx = tu_ctx();
    sf_shape s = {2, {2, 3}};
    int bad[] = {2}, twice[] = {1, -1};
    sf_mat *J = NULL;
    cr_assert_eq(sf_jac_sum(ctx, &s, 1, bad, 0, NULL, &J), SF_ERR_ARG);
    cr_assert_str_eq(sf_ctx_message(ctx), "sf_jac_sum: axis 2 is out of range for shape (2, 3)");
    cr_assert_eq(sf_jac_sum(ctx, &s, 2, twice, 0, NULL, &J), SF_ERR_ARG);
    cr_assert_str_eq(sf_ctx_message(ctx), "sf_jac_sum: axis -1 is listed twice");
    cr_assert_eq(sf_jac_sum(ctx, &s, 3, twice, 0, NULL, &J), SF_ERR_ARG);
    cr_assert_str_eq(sf_ctx_message(ctx), "sf_jac_sum: 3 axes for 2 dimensions");
    cr_assert_eq(sf_jac_sum(ctx, &s, 1, NULL, 0, NULL, &J), SF_ERR_ARG);
    cr_assert_str_eq(sf_ctx_message(ctx), "sf_jac_sum: axes is NULL (naxes = 1)");
    cr_assert_null(J);
    tu_ctx_done(ctx);
}

/* ------------------------------------------------- permutation and slices */

typedef struct gather_case {
    sf_shape out;
    int64_t (*src)(const struct gather_case *, const int64_t *co); /* input flat index */
    const int *perm;
    sf_shape in;
    const int64_t *start, *step, *idx;
    int axis;
} gather_case;

static void naive_gather(const double *x, double *y, void *arg) {
    gather_case *c = arg;
    int64_t co[SF_MAX_NDIM] = {0}, n = size_of(&c->out);
    for (int64_t i = 0; i < n; i++) {
        y[i] = x[c->src(c, co)];
        next(&c->out, co);
    }
}

static int64_t flat(const sf_shape *s, const int64_t *ci) {
    int64_t f = 0;
    for (int k = 0; k < s->ndim; k++) f = f * s->dim[k] + ci[k];
    return f;
}

static int64_t src_perm(const gather_case *c, const int64_t *co) {
    int64_t ci[SF_MAX_NDIM];
    for (int k = 0; k < c->in.ndim; k++) ci[c->perm[k]] = co[k];
    return flat(&c->in, ci);
}

static int64_t src_slice(const gather_case *c, const int64_t *co) {
    int64_t ci[SF_MAX_NDIM];
    for (int k = 0; k < c->in.ndim; k++) ci[k] = c->start[k] + co[k] * c->step[k];
    return flat(&c->in, ci);
}

static int64_t src_take(const gather_case *c, const int64_t *co) {
    int64_t ci[SF_MAX_NDIM];
    for (int k = 0; k < c->in.ndim; k++) ci[k] = k == c->axis ? c->idx[co[k]] : co[k];
    return flat(&c->in, ci);
}

static void check_gather(sf_ctx *ctx, gather_case *c, sf_mat *J, const sf_shape *want_out) {
    cr_assert_eq(c->out.ndim, want_out->ndim);
    cr_assert_arr_eq(c->out.dim, want_out->dim, (size_t)want_out->ndim * sizeof(int64_t));
    int64_t n = size_of(&c->in), nout = size_of(&c->out);
    cr_assert_eq(sf_mat_kind(J), SF_SELECT);
    cr_assert_eq(sf_mat_nnz(J), nout);
    double *x = dt_random(n, 4), *D = dt_dense_fd(naive_gather, c, n, nout, x, 1.0);
    dt_assert_dense(ctx, J, D, nout, n, 0);
    free(x);
    free(D);
    sf_mat_free(J);
}

Test(permute, every_shape) {
    sf_ctx *ctx = tu_ctx();
    int p0[1] = {0}, p1[] = {0}, p2[] = {1, 0}, p3[] = {2, 0, 1}, p4[] = {3, 1, 0, 2};
    const int *perms[] = {p0, p1, p2, p3, p4};
    for (int w = 0; w < 5; w++) {
        gather_case c = {.src = src_perm, .perm = perms[w], .in = dt_shape(w)};
        sf_mat *J = NULL;
        cr_assert_eq(sf_jac_permute(ctx, &c.in, c.perm, &c.out, &J), SF_OK, "%s", sf_ctx_message(ctx));
        sf_shape want = {c.in.ndim, {0}};
        for (int k = 0; k < c.in.ndim; k++) want.dim[k] = c.in.dim[c.perm[k]];
        check_gather(ctx, &c, J, &want);
    }
    int bad[] = {0, 0};
    sf_shape s = dt_shape(2);
    sf_mat *J = NULL;
    cr_assert_eq(sf_jac_permute(ctx, &s, bad, NULL, &J), SF_ERR_ARG);
    cr_assert_str_eq(sf_ctx_message(ctx),
                     "sf_jac_permute: perm[1] = 0 is out of range or repeated for shape (3, 4)");
    tu_ctx_done(ctx);
}

Test(slice, steps_forward_backward_and_empty) {
    sf_ctx *ctx = tu_ctx();
    sf_shape in = {4, {4, 3, 5, 2}};
    int64_t start[] = {1, 2, 0, 1}, stop[] = {4, -1, 5, 2}, step[] = {2, -1, 3, 1};
    gather_case c = {.src = src_slice, .in = in, .start = start, .step = step};
    sf_mat *J = NULL;
    cr_assert_eq(sf_jac_slice(ctx, &in, start, stop, step, &c.out, &J), SF_OK, "%s", sf_ctx_message(ctx));
    sf_shape want = {4, {2, 3, 2, 1}};
    check_gather(ctx, &c, J, &want);
    int64_t e_start[] = {2, 0, 0, 0}, e_stop[] = {2, 3, 5, 2}, one[] = {1, 1, 1, 1};
    cr_assert_eq(sf_jac_slice(ctx, &in, e_start, e_stop, one, &c.out, &J), SF_OK);
    cr_assert_eq(sf_mat_rows(J), 0);
    cr_assert_eq(sf_mat_cols(J), 120);
    sf_mat_free(J);
    sf_shape scalar = {0, {0}};
    cr_assert_eq(sf_jac_slice(ctx, &scalar, NULL, NULL, NULL, &c.out, &J), SF_OK);
    cr_assert_eq(sf_mat_nnz(J), 1);
    sf_mat_free(J);
    J = NULL;
    int64_t bad_stop[] = {4, 3, 6, 2};
    cr_assert_eq(sf_jac_slice(ctx, &in, e_start, bad_stop, one, NULL, &J), SF_ERR_INDEX);
    cr_assert_str_eq(sf_ctx_message(ctx), "sf_jac_slice: axis 2: slice 0:6:1 is invalid for shape (4, 3, 5, 2)");
    int64_t zero_step[] = {1, 1, 0, 1};
    cr_assert_eq(sf_jac_slice(ctx, &in, e_start, e_stop, zero_step, NULL, &J), SF_ERR_INDEX);
    cr_assert_null(J);
    tu_ctx_done(ctx);
}

/* Steps past the axis take one element (no overflow in the count or the
 * stride, whatever the step); bounds are those slice.indices gives, so a
 * negative stop with a positive step is an error, not an empty range. */
Test(slice, huge_steps_and_unnormalised_bounds) {
    sf_ctx *ctx = tu_ctx();
    sf_shape in = {3, {5, 4, 3}};
    int64_t start[] = {0, 3, 1}, stop[] = {5, -1, 3},
            step[] = {(int64_t)1 << 62, INT64_MIN, INT64_MAX};
    gather_case c = {.src = src_slice, .in = in, .start = start, .step = step};
    sf_mat *J = NULL;
    cr_assert_eq(sf_jac_slice(ctx, &in, start, stop, step, &c.out, &J), SF_OK, "%s",
                 sf_ctx_message(ctx));
    check_gather(ctx, &c, J, &(sf_shape){3, {1, 1, 1}});
    int64_t back_start[] = {3, 0, 0}, back_stop[] = {1, 4, 3}, one[] = {1, 1, 1};
    cr_assert_eq(sf_jac_slice(ctx, &in, back_start, back_stop, one, &c.out, &J), SF_OK);
    cr_assert(c.out.dim[0] == 0 && sf_mat_rows(J) == 0, "stop before start: empty");
    sf_mat_free(J);
    J = (sf_mat *)0x1;
    sf_shape out = {1, {77}};
    int64_t neg_stop[] = {0, 0, -1};
    cr_assert_eq(sf_jac_slice(ctx, &in, back_start, neg_stop, one, &out, &J), SF_ERR_INDEX);
    cr_assert_str_eq(sf_ctx_message(ctx), "sf_jac_slice: axis 2: slice 0:-1:1 is invalid for shape (5, 4, 3)");
    int64_t minus[] = {-1, -1, -1}, at_dim[] = {5, 0, 0}, low[] = {-1, -1, -1};
    cr_assert_eq(sf_jac_slice(ctx, &in, at_dim, low, minus, &out, &J), SF_ERR_INDEX);
    cr_assert_str_eq(sf_ctx_message(ctx), "sf_jac_slice: axis 0: slice 5:-1:-1 is invalid for shape (5, 4, 3)");
    cr_assert(J == (sf_mat *)0x1 && out.dim[0] == 77, "outputs untouched");
    tu_ctx_done(ctx);
}

Test(take, repeated_indices_and_bad_ones) {
    sf_ctx *ctx = tu_ctx();
    sf_shape in = {3, {2, 4, 3}};
    int64_t idx[] = {3, 0, 3, 1, 2};
    gather_case c = {.src = src_take, .in = in, .idx = idx, .axis = 1};
    sf_mat *J = NULL;
    cr_assert_eq(sf_jac_take(ctx, &in, 1, 5, idx, &c.out, &J), SF_OK);
    sf_shape want = {3, {2, 5, 3}};
    check_gather(ctx, &c, J, &want);
    int64_t bad[] = {0, 4};
    J = NULL;
    cr_assert_eq(sf_jac_take(ctx, &in, 1, 2, bad, NULL, &J), SF_ERR_INDEX);
    cr_assert_str_eq(sf_ctx_message(ctx),
                     "sf_jac_take: index 4 at position 1 is out of range [0, 4) of axis 1");
    cr_assert_eq(sf_jac_take(ctx, &in, 3, 2, idx, NULL, &J), SF_ERR_ARG);
    cr_assert_str_eq(sf_ctx_message(ctx), "sf_jac_take: axis 3 is out of range for shape (2, 4, 3)");
    cr_assert_null(J);
    tu_ctx_done(ctx);
}

Test(reshape, identity_and_mismatch) {
    sf_ctx *ctx = tu_ctx();
    sf_shape a = {3, {2, 3, 4}}, b = {2, {6, 4}}, c = {1, {5}};
    sf_mat *J = NULL;
    cr_assert_eq(sf_jac_reshape(ctx, &a, &b, &J), SF_OK);
    cr_assert_eq(sf_mat_kind(J), SF_DIAG);
    double *I = calloc(24 * 24, sizeof *I);
    for (int i = 0; i < 24; i++) I[i * 24 + i] = 1;
    dt_assert_dense(ctx, J, I, 24, 24, 0);
    sf_mat_free(J);
    J = NULL;
    cr_assert_eq(sf_jac_reshape(ctx, &a, &c, &J), SF_ERR_SHAPE);
    cr_assert_str_eq(sf_ctx_message(ctx), "sf_jac_reshape: cannot reshape (2, 3, 4) (24 elements) into (5,) (5)");
    cr_assert_null(J);
    free(I);
    tu_ctx_done(ctx);
}

/* ------------------------------------------------------------ linear maps */

typedef struct mm_case {
    const double *M; /* dense operator */
    int64_t m, n, p; /* left: M is m x n, X is n x p; right: X is m x n, M is n x p */
    int right;
} mm_case;

static void naive_mm(const double *x, double *y, void *arg) {
    mm_case *c = arg;
    for (int64_t i = 0; i < c->m; i++)
        for (int64_t j = 0; j < c->p; j++) {
            double s = 0;
            for (int64_t k = 0; k < c->n; k++)
                s += c->right ? x[i * c->n + k] * c->M[k * c->p + j] : c->M[i * c->n + k] * x[k * c->p + j];
            y[i * c->p + j] = s;
        }
}

Test(linear, left_and_right_multiply_against_dense) {
    sf_ctx *ctx = tu_ctx();
    sf_mat *A = tu_random_csr(ctx, 5, 4, 0.4, 1), *B = tu_random_csr(ctx, 4, 6, 0.3, 2);
    sf_mat *Ad = NULL;
    double *dA = tu_dense_of(ctx, A), *dB = tu_dense_of(ctx, B);
    sf_dense view = sf_dense_view(5, 4, SF_ROW_MAJOR, SF_REAL, dA);
    cr_assert_eq(sf_mat_from_dense(ctx, &view, &Ad), SF_OK);
    for (int w = 0; w < 2; w++) {
        sf_mat *J = NULL;
        cr_assert_eq(sf_jac_left_multiply(ctx, w ? Ad : A, 3, &J), SF_OK); /* X is 4 x 3 */
        cr_assert_eq(sf_mat_nnz(J), sf_mat_nnz(A) * 3);
        mm_case c = {dA, 5, 4, 3, 0};
        double *x = dt_random(12, 5), *D = dt_dense_fd(naive_mm, &c, 12, 15, x, 1.0);
        dt_assert_dense(ctx, J, D, 15, 12, 1e-14);
        free(x), free(D);
        sf_mat_free(J);
    }
    sf_mat *J = NULL;
    cr_assert_eq(sf_jac_right_multiply(ctx, B, 2, &J), SF_OK); /* X is 2 x 4 */
    cr_assert_eq(sf_mat_nnz(J), 2 * sf_mat_nnz(B));
    mm_case c = {dB, 2, 4, 6, 1};
    double *x = dt_random(8, 6), *D = dt_dense_fd(naive_mm, &c, 8, 12, x, 1.0);
    dt_assert_dense(ctx, J, D, 12, 8, 1e-14);
    sf_mat *I = NULL, *JI = NULL;
    cr_assert_eq(sf_mat_identity(ctx, 4, &I), SF_OK); /* a diagonal operator works too */
    cr_assert_eq(sf_jac_right_multiply(ctx, I, 3, &JI), SF_OK);
    cr_assert_eq(sf_mat_nnz(JI), 12);
    cr_assert_eq(sf_jac_left_multiply(ctx, A, -1, &JI), SF_ERR_ARG);
    cr_assert_str_eq(sf_ctx_message(ctx), "sf_jac_left_multiply: negative extent -1");
    free(x), free(D), free(dA), free(dB);
    sf_mat_free(J), sf_mat_free(JI), sf_mat_free(I), sf_mat_free(A), sf_mat_free(Ad), sf_mat_free(B);
    tu_ctx_done(ctx);
}

/* ------------------------------------------------------------- chain rule */

static void check_chain(sf_ctx *ctx, const sf_mat *Jg, const sf_mat *Jf) {
    sf_mat *J = NULL;
    cr_assert_eq(sf_jac_chain(ctx, Jg, Jf, &J), SF_OK, "%s", sf_ctx_message(ctx));
    double *g = tu_dense_of(ctx, Jg), *f = tu_dense_of(ctx, Jf);
    double *want = tu_dense_product(g, f, sf_mat_rows(Jg), sf_mat_cols(Jg), sf_mat_cols(Jf));
    dt_assert_dense(ctx, J, want, sf_mat_rows(Jg), sf_mat_cols(Jf), 1e-14);
    if (sf_mat_kind(Jg) == SF_DIAG && sf_mat_kind(Jf) == SF_CSR)
        cr_assert_eq(sf_mat_nnz(J), sf_mat_nnz(Jf), "diag * CSR keeps the pattern");
    free(g), free(f), free(want);
    sf_mat_free(J);
}

Test(chain, sin_of_sum_and_of_products) {
    sf_ctx *ctx = tu_ctx();
    sf_shape in = {3, {2, 3, 4}}, out;
    int axes[] = {1};
    sf_mat *Jsum = NULL, *Jsin = NULL, *A = tu_random_csr(ctx, 6, 5, 0.4, 8), *Jl = NULL, *Jt = NULL;
    cr_assert_eq(sf_jac_sum(ctx, &in, 1, axes, 0, &out, &Jsum), SF_OK);
    double *y = dt_random(8, 1);
    cr_assert_eq(sf_jac_elementwise(ctx, SF_FN_SIN, 0, &out, y, NULL, &Jsin), SF_OK);
    check_chain(ctx, Jsin, Jsum); /* diagonal * CSR */
    cr_assert_eq(sf_jac_left_multiply(ctx, A, 2, &Jl), SF_OK); /* (6x2) from (5x2) */
    int perm[] = {1, 0};
    sf_shape s62 = {2, {6, 2}};
    cr_assert_eq(sf_jac_permute(ctx, &s62, perm, NULL, &Jt), SF_OK);
    check_chain(ctx, Jt, Jl);   /* selection * CSR */
    sf_mat *B = tu_random_csr(ctx, 5, 4, 0.5, 9), *Jl2 = NULL;
    cr_assert_eq(sf_jac_left_multiply(ctx, B, 2, &Jl2), SF_OK); /* (5x2) from (4x2) */
    check_chain(ctx, Jl, Jl2); /* CSR * CSR */
    sf_mat_free(B), sf_mat_free(Jl2);
    sf_mat *bad = NULL;
    cr_assert_eq(sf_jac_chain(ctx, Jsum, Jsin, &bad), SF_ERR_SHAPE);
    cr_assert_str_eq(sf_ctx_message(ctx), "sf_jac_chain: J_g is 8 x 24 and J_f is 8 x 8: the "
                                          "columns of J_g must equal the rows of J_f");
    cr_assert_null(bad);
    free(y);
    sf_mat_free(Jsum), sf_mat_free(Jsin), sf_mat_free(A), sf_mat_free(Jl), sf_mat_free(Jt);
    tu_ctx_done(ctx);
}

static sf_status alloc_structural(sf_ctx *ctx, void *arg) {
    (void)arg;
    sf_shape in = {3, {2, 3, 4}};
    int axes[] = {0, 2}, perm[] = {2, 0, 1};
    int64_t start[] = {0, 0, 1}, stop[] = {2, 3, 4}, step[] = {1, 2, 2};
    sf_mat *J1 = NULL, *J2 = NULL, *J3 = NULL, *J4 = NULL, *A = NULL;
    sf_status st = sf_jac_sum(ctx, &in, 2, axes, 1, NULL, &J1);
    if (!st) st = sf_jac_permute(ctx, &in, perm, NULL, &J2);
    if (!st) st = sf_jac_slice(ctx, &in, start, stop, step, NULL, &J3);
    if (!st) st = sf_mat_identity(ctx, 3, &A);
    if (!st) st = sf_jac_right_multiply(ctx, A, 2, &J4);
    sf_mat_free(J1), sf_mat_free(J2), sf_mat_free(J3), sf_mat_free(J4);
    J1 = J2 = NULL;
    int64_t idx[] = {2, 0, 2};
    if (!st) st = sf_jac_take(ctx, &in, 2, 3, idx, NULL, &J1);
    if (!st) st = sf_jac_left_multiply(ctx, A, 3, &J2); /* a diagonal A goes through CSR */
    sf_mat_free(J1), sf_mat_free(J2), sf_mat_free(A);
    return st;
}

Test(alloc_failures, structural_and_linear) { tu_check_alloc_failures(alloc_structural, NULL); }
