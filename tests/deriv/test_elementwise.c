/* Elementwise and broadcasting Jacobians against dense (t..., s...) arrays
 * from naive loops, 0-d to 4-d; bad inputs named and leaving no trace. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "deriv_testutil.h"

/* Derivatives written independently of the library (textbook forms). */
static double ref_derivative(sf_elem_fn fn, double p, double x) {
    switch (fn) {
    case SF_FN_SQUARE: return 2 * x;
    case SF_FN_POWER: return p * pow(x, p - 1);
    case SF_FN_EXP: return exp(x);
    case SF_FN_LOG: return 1 / x;
    case SF_FN_SQRT: return 1 / (2 * sqrt(x));
    case SF_FN_SIN: return cos(x);
    case SF_FN_COS: return -sin(x);
    case SF_FN_TANH: return 1 / (cosh(x) * cosh(x));
    case SF_FN_SIGMOID: return exp(-x) / ((1 + exp(-x)) * (1 + exp(-x)));
    case SF_FN_SOFTPLUS: return 1 / (1 + exp(-x));
    case SF_FN_ABS: return x > 0 ? 1 : -1;
    case SF_FN_RELU: return x > 0 ? 1 : 0;
    default: return NAN;
    }
}

static double ref_value(sf_elem_fn fn, double p, double x) {
    switch (fn) {
    case SF_FN_SQUARE: return x * x;
    case SF_FN_POWER: return pow(x, p);
    case SF_FN_EXP: return exp(x);
    case SF_FN_LOG: return log(x);
    case SF_FN_SQRT: return sqrt(x);
    case SF_FN_SIN: return sin(x);
    case SF_FN_COS: return cos(x);
    case SF_FN_TANH: return tanh(x);
    case SF_FN_SIGMOID: return 1 / (1 + exp(-x));
    case SF_FN_SOFTPLUS: return log(1 + exp(x));
    case SF_FN_ABS: return fabs(x);
    case SF_FN_RELU: return x > 0 ? x : 0;
    default: return NAN;
    }
}

/* The dense (s..., s...) array of d f(x)[i...] / d x[j...], by a loop over
 * both multi-indices (flattened in C order through the strides). */
static double *dense_elementwise(sf_elem_fn fn, double p, const sf_shape *s, const double *x) {
    int64_t n = 1, st[SF_MAX_NDIM];
    for (int k = 0; k < s->ndim; k++) n *= s->dim[k];
    sf_shape_strides(s, st);
    double *D = calloc((size_t)(n * n), sizeof *D);
    int64_t ci[SF_MAX_NDIM] = {0};
    for (int64_t t = 0; t < n; t++) {
        int64_t fi = 0;
        for (int k = 0; k < s->ndim; k++) fi += ci[k] * st[k];
        D[fi * n + fi] = ref_derivative(fn, p, x[fi]); /* diagonal: i... == j... */
        for (int k = s->ndim - 1; k >= 0 && ++ci[k] == s->dim[k]; k--) ci[k] = 0;
    }
    return D;
}

Test(elementwise, every_function_every_shape_against_dense) {
    sf_ctx *ctx = tu_ctx();
    for (int w = 0; w < DT_NSHAPES; w++) {
        sf_shape s = dt_shape(w);
        int64_t n = 1;
        for (int k = 0; k < s.ndim; k++) n *= s.dim[k];
        double *x = dt_random(n, (uint64_t)w + 1);
        for (int64_t i = 0; i < n; i++) x[i] = 0.1 + 1.5 * fabs(x[i]); /* inside every domain */
        for (int f = 0; f < SF_FN_COUNT; f++) {
            double p = 2.5, *fx = malloc((size_t)n * sizeof *fx);
            sf_mat *J = NULL;
            cr_assert_eq(sf_jac_elementwise(ctx, (sf_elem_fn)f, p, &s, x, fx, &J), SF_OK, "%s",
                         sf_ctx_message(ctx));
            cr_assert_eq(sf_mat_kind(J), SF_DIAG);
            cr_assert_eq(sf_mat_nnz(J), n, "one stored entry per element");
            double *D = dense_elementwise((sf_elem_fn)f, p, &s, x);
            dt_assert_dense(ctx, J, D, n, n, 1e-14);
            for (int64_t i = 0; i < n; i++)
                cr_assert_float_eq(fx[i], ref_value((sf_elem_fn)f, p, x[i]), 1e-14 * (1 + fabs(fx[i])),
                                   "%s value", sf_elem_fn_name((sf_elem_fn)f));
            free(D);
            free(fx);
            sf_mat_free(J);
        }
        free(x);
    }
    tu_ctx_done(ctx);
}

Test(elementwise, negative_arguments_and_kinks) {
    sf_ctx *ctx = tu_ctx();
    double x[] = {-2.0, 0.0, -0.5, 3.0}, fx[4], d[4];
    sf_elem_fn fns[] = {SF_FN_LOG, SF_FN_SQRT};
    for (int f = 0; f < 2; f++) {
        cr_assert_eq(sf_elem_eval(ctx, fns[f], 0, 4, x, fx, d), SF_OK);
        cr_assert(isnan(fx[0]) && isnan(d[0]), "outside the domain: NaN per IEEE");
        cr_assert(isinf(d[1]) && d[1] > 0, "edge of the domain: +Inf derivative");
        cr_assert(isfinite(d[3]));
        double negzero = -0.0, dz;
        cr_assert_eq(sf_elem_eval(ctx, fns[f], 0, 1, &negzero, NULL, &dz), SF_OK);
        cr_assert(isinf(dz) && dz > 0, "-0.0 is the edge too: +Inf, not -Inf");
    }
    cr_assert_eq(sf_elem_eval(ctx, SF_FN_ABS, 0, 4, x, fx, d), SF_OK);
    cr_assert(d[1] == 0.0 && d[0] == -1.0 && d[3] == 1.0, "abs'(0) = 0");
    cr_assert_eq(sf_elem_eval(ctx, SF_FN_RELU, 0, 4, x, NULL, d), SF_OK);
    cr_assert(d[1] == 0.0 && d[0] == 0.0 && d[3] == 1.0, "relu'(0) = 0");
    cr_assert_eq(sf_elem_eval(ctx, SF_FN_POWER, 0.0, 4, x, fx, d), SF_OK);
    cr_assert(d[1] == 0.0 && fx[1] == 1.0, "power with p = 0 is constant");
    tu_ctx_done(ctx);
}

Test(elementwise, refresh_in_place_allocates_nothing) {
    sf_ctx *ctx = tu_ctx();
    sf_shape s = dt_shape(3);
    double *x = dt_random(24, 5), *x2 = dt_random(24, 6);
    sf_mat *J = NULL;
    cr_assert_eq(sf_jac_elementwise(ctx, SF_FN_TANH, 0, &s, x, NULL, &J), SF_OK);
    uint64_t allocs = sf_ctx_alloc_count(ctx);
    size_t bytes = sf_ctx_bytes_in_use(ctx);
    cr_assert_eq(sf_jac_elementwise_refresh(ctx, SF_FN_TANH, 0, x2, NULL, J), SF_OK);
    cr_assert_eq(sf_ctx_alloc_count(ctx), allocs);
    cr_assert_eq(sf_ctx_bytes_in_use(ctx), bytes);
    double *D = dense_elementwise(SF_FN_TANH, 0, &s, x2);
    dt_assert_dense(ctx, J, D, 24, 24, 1e-14);
    sf_mat *csr = NULL;
    cr_assert_eq(sf_mat_to_csr(ctx, J, &csr), SF_OK);
    cr_assert_eq(sf_jac_elementwise_refresh(ctx, SF_FN_TANH, 0, x2, NULL, csr), SF_ERR_ARG);
    cr_assert_str_eq(sf_ctx_message(ctx), "sf_jac_elementwise_refresh: J is csr, not diagonal");
    free(D);
    free(x);
    free(x2);
    sf_mat_free(csr);
    sf_mat_free(J);
    tu_ctx_done(ctx);
}

static int cube(double x, double *f, double *d, void *user) {
    (void)user;
    if (x > 100) return -3;
    *f = x * x * x;
    *d = 3 * x * x;
    return 0;
}

Test(elementwise, user_callback_and_its_failure) {
    sf_ctx *ctx = tu_ctx();
    sf_shape s = dt_shape(2);
    double *x = dt_random(12, 9), fx[12];
    sf_mat *J = NULL;
    cr_assert_eq(sf_jac_elementwise_fn(ctx, cube, NULL, &s, x, fx, &J), SF_OK);
    double *D = dense_elementwise(SF_FN_POWER, 3.0, &s, x);
    dt_assert_dense(ctx, J, D, 12, 12, 1e-14);
    sf_mat_free(J);
    J = NULL;
    for (int i = 0; i < 12; i++) cr_assert_float_eq(fx[i], x[i] * x[i] * x[i], 1e-15);
    x[7] = 1000;
    for (int i = 0; i < 12; i++) fx[i] = -7;
    cr_assert_eq(sf_jac_elementwise_fn(ctx, cube, NULL, &s, x, fx, &J), SF_ERR_ARG);
    for (int i = 0; i < 12; i++) cr_assert_eq(fx[i], -7, "fx untouched on failure");
    cr_assert_str_eq(sf_ctx_message(ctx), "sf_jac_elementwise_fn: the function returned -3 at element 7");
    cr_assert_null(J);
    free(D);
    free(x);
    tu_ctx_done(ctx);
}

/* Counts its calls and fails at call fail_at (1-based): a function with
 * state, whose failure must be caught whenever it comes. */
typedef struct counted { int calls, fail_at; } counted;

static int counted_square(double x, double *f, double *d, void *user) {
    counted *c = user;
    if (++c->calls == c->fail_at) return 9;
    *f = x * x;
    *d = 2 * x;
    return 0;
}

Test(elementwise, user_callback_called_once_per_element_failure_at_last_call) {
    sf_ctx *ctx = tu_ctx();
    sf_shape s = {1, {5}};
    double x[5] = {1, 2, 3, 4, 5}, fx[5] = {-7, -7, -7, -7, -7}, d[5];
    int64_t rp[6];
    counted c = {0, 0};
    sf_mat *J = NULL;
    cr_assert_eq(sf_jac_elementwise_fn(ctx, counted_square, &c, &s, x, fx, &J), SF_OK);
    cr_assert_eq(c.calls, 5, "one call per element");
    cr_assert_eq(sf_mat_export_csr(ctx, J, rp, NULL, d), SF_OK);
    for (int i = 0; i < 5; i++) cr_assert(fx[i] == x[i] * x[i] && d[i] == 2 * x[i]);
    sf_mat_free(J);
    J = (sf_mat *)0x1;
    c = (counted){0, 5};
    for (int i = 0; i < 5; i++) fx[i] = -7;
    cr_assert_eq(sf_jac_elementwise_fn(ctx, counted_square, &c, &s, x, fx, &J), SF_ERR_ARG);
    cr_assert_str_eq(sf_ctx_message(ctx), "sf_jac_elementwise_fn: the function returned 9 at element 4");
    for (int i = 0; i < 5; i++) cr_assert_eq(fx[i], -7, "fx untouched on failure");
    cr_assert_eq(J, (sf_mat *)0x1, "J untouched on failure");
    tu_ctx_done(ctx);
}

Test(elementwise, bad_inputs) {
    sf_ctx *ctx = tu_ctx();
    sf_shape s = {2, {3, -1}};
    double x[3] = {0};
    sf_mat *J = NULL;
    cr_assert_eq(sf_jac_elementwise(ctx, SF_FN_EXP, 0, &s, x, NULL, &J), SF_ERR_ARG);
    cr_assert_str_eq(sf_ctx_message(ctx), "sf_jac_elementwise: shape: extent -1 of axis 1 is negative");
    s = (sf_shape){1, {3}};
    cr_assert_eq(sf_jac_elementwise(ctx, SF_FN_COUNT, 0, &s, x, NULL, &J), SF_ERR_ARG);
    cr_assert_str_eq(sf_ctx_message(ctx), "sf_jac_elementwise: unknown function code 12");
    s = (sf_shape){2, {100000, 100000}};
    cr_assert_eq(sf_jac_elementwise(ctx, SF_FN_EXP, 0, &s, x, NULL, &J), SF_ERR_TOO_LARGE);
    cr_assert(strstr(sf_ctx_message(ctx), "shape (100000, 100000) has 10000000000 elements"));
    sf_elem_fn fn;
    cr_assert_eq(sf_elem_fn_from_name(ctx, "cube", &fn), SF_ERR_ARG);
    cr_assert(strstr(sf_ctx_message(ctx), "unknown function 'cube'"));
    cr_assert_eq(sf_elem_fn_from_name(ctx, "softplus", &fn), SF_OK);
    cr_assert_eq(fn, SF_FN_SOFTPLUS);
    cr_assert_null(J);
    tu_ctx_done(ctx);
}

/* ---------------------------------------------------------- broadcasting */

typedef struct bin_case {
    sf_binop op;
    sf_shape sa, sb, so;
    const double *a, *b;
    int which; /* 0: perturb a, 1: perturb b */
} bin_case;

/* Naive broadcast: operand coordinate = output coordinate modulo its extent. */
static int64_t operand_index(const sf_shape *op, const sf_shape *out, const int64_t *co) {
    int64_t idx = 0;
    for (int k = 0; k < op->ndim; k++)
        idx = idx * op->dim[k] + co[k + out->ndim - op->ndim] % op->dim[k];
    return idx;
}

static void naive_binary(const double *x, double *y, void *arg) {
    bin_case *c = arg;
    const double *a = c->which == 0 ? x : c->a, *b = c->which == 1 ? x : c->b;
    int64_t n = 1, co[SF_MAX_NDIM] = {0};
    for (int k = 0; k < c->so.ndim; k++) n *= c->so.dim[k];
    for (int64_t i = 0; i < n; i++) {
        double u = a[operand_index(&c->sa, &c->so, co)], v = b[operand_index(&c->sb, &c->so, co)];
        y[i] = c->op == SF_BIN_ADD ? u + v : c->op == SF_BIN_SUB ? u - v : c->op == SF_BIN_MUL ? u * v : u / v;
        for (int k = c->so.ndim - 1; k >= 0 && ++co[k] == c->so.dim[k]; k--) co[k] = 0;
    }
}

static int64_t size_of(const sf_shape *s) {
    int64_t n = 1;
    for (int k = 0; k < s->ndim; k++) n *= s->dim[k];
    return n;
}

static void check_binary(sf_ctx *ctx, sf_binop op, sf_shape sa, sf_shape sb, sf_shape so) {
    int64_t na = size_of(&sa), nb = size_of(&sb), no = size_of(&so);
    double *a = dt_random(na, 11), *b = dt_random(nb, 12), *y = malloc((size_t)no * sizeof *y);
    for (int64_t i = 0; i < nb; i++) b[i] += b[i] >= 0 ? 0.5 : -0.5; /* away from 0 for divide */
    sf_mat *Ja = NULL, *Jb = NULL;
    sf_shape got;
    cr_assert_eq(sf_broadcast_shapes(ctx, &sa, &sb, &got), SF_OK);
    cr_assert_eq(got.ndim, so.ndim);
    cr_assert_arr_eq(got.dim, so.dim, (size_t)so.ndim * sizeof(int64_t));
    cr_assert_eq(sf_jac_binary(ctx, op, &sa, a, &sb, b, y, &Ja, &Jb), SF_OK, "%s", sf_ctx_message(ctx));
    bin_case c = {op, sa, sb, so, a, b, 0};
    double *want_y = malloc((size_t)no * sizeof *want_y);
    naive_binary(a, want_y, &c);
    cr_assert_lt(tu_rel_diff(y, want_y, no), 1e-15);
    double *Da = dt_dense_fd(naive_binary, &c, na, no, a, 1e-5);
    c.which = 1;
    double *Db = dt_dense_fd(naive_binary, &c, nb, no, b, 1e-5);
    dt_assert_dense(ctx, Ja, Da, no, na, 1e-7);
    dt_assert_dense(ctx, Jb, Db, no, nb, 1e-7);
    cr_assert_eq(sf_mat_kind(Ja), na == no ? SF_DIAG : SF_SELECT);
    cr_assert_eq(sf_mat_kind(Jb), nb == no ? SF_DIAG : SF_SELECT);
    cr_assert_eq(sf_mat_nnz(Ja), no, "exactly one entry per output element");
    cr_assert_eq(sf_mat_nnz(Jb), no);
    free(a), free(b), free(y), free(want_y), free(Da), free(Db);
    sf_mat_free(Ja);
    sf_mat_free(Jb);
}

Test(broadcast, every_op_against_dense) {
    sf_ctx *ctx = tu_ctx();
    sf_shape scalar = {0, {0}}, v4 = {1, {4}}, m34 = {2, {3, 4}}, c31 = {2, {3, 1}},
             r14 = {2, {1, 4}}, t234 = {3, {2, 3, 4}}, t2134 = {4, {2, 1, 3, 4}}, t1311 = {4, {1, 3, 1, 1}};
    sf_shape t2334 = {4, {2, 3, 3, 4}};
    for (int op = 0; op < SF_BIN_COUNT; op++) {
        check_binary(ctx, (sf_binop)op, m34, m34, m34);   /* same shape: both diagonal */
        check_binary(ctx, (sf_binop)op, scalar, m34, m34); /* scalar with anything */
        check_binary(ctx, (sf_binop)op, t234, scalar, t234);
        check_binary(ctx, (sf_binop)op, scalar, scalar, scalar);
        check_binary(ctx, (sf_binop)op, c31, r14, m34);    /* (3,1) with (1,4) */
        check_binary(ctx, (sf_binop)op, m34, v4, m34);
        check_binary(ctx, (sf_binop)op, t2134, t1311, t2334);
        check_binary(ctx, (sf_binop)op, v4, r14, r14);     /* same size, different shapes */
    }
    tu_ctx_done(ctx);
}

Test(broadcast, unit_weights_stay_unweighted) {
    sf_ctx *ctx = tu_ctx();
    sf_shape m34 = {2, {3, 4}}, v4 = {1, {4}};
    double a[12] = {0}, b[4] = {1, 2, 3, 4};
    sf_mat *Jb = NULL, *Jb2 = NULL;
    cr_assert_eq(sf_jac_binary(ctx, SF_BIN_ADD, &m34, a, &v4, b, NULL, NULL, &Jb), SF_OK);
    cr_assert_eq(sf_jac_binary(ctx, SF_BIN_MUL, &m34, a, &v4, b, NULL, NULL, &Jb2), SF_OK);
    cr_assert_lt(sf_mat_bytes(Jb), sf_mat_bytes(Jb2), "add needs no weights");
    sf_mat_free(Jb);
    sf_mat_free(Jb2);
    tu_ctx_done(ctx);
}

Test(broadcast, mismatch_names_both_shapes) {
    sf_ctx *ctx = tu_ctx();
    sf_shape a = {2, {2, 3}}, b = {1, {4}};
    double x[6] = {0}, y[4] = {0};
    sf_mat *Ja = (sf_mat *)0x1, *Jb = (sf_mat *)0x1;
    cr_assert_eq(sf_jac_binary(ctx, SF_BIN_MUL, &a, x, &b, y, NULL, &Ja, &Jb), SF_ERR_SHAPE);
    cr_assert_str_eq(sf_ctx_message(ctx), "shapes (2, 3) and (4,) do not broadcast (axis 1: 3 vs 4)");
    cr_assert_eq(Ja, (sf_mat *)0x1);
    cr_assert_eq(Jb, (sf_mat *)0x1);
    cr_assert_eq(sf_jac_binary(ctx, (sf_binop)9, &a, x, &a, x, NULL, &Ja, &Jb), SF_ERR_ARG);
    cr_assert_str_eq(sf_ctx_message(ctx), "sf_jac_binary: unknown operation code 9");
    tu_ctx_done(ctx);
}

/* Invalid shapes are refused before any axis is read: an ndim past 8 would
 * index past dim[], a negative extent would "broadcast" to a negative one. */
Test(broadcast, invalid_shapes_refused_before_reading_axes) {
    sf_ctx *ctx = tu_ctx();
    sf_shape nine = {9, {1, 1, 1, 1, 1, 1, 1, 1}}, negdim = {-1, {0}}, neg = {1, {-1}},
             v3 = {1, {3}}, out = {1, {77}};
    double x[3] = {0};
    sf_mat *Ja = (sf_mat *)0x1, *Jb = (sf_mat *)0x1;
    cr_assert_eq(sf_broadcast_shapes(ctx, &nine, &v3, &out), SF_ERR_ARG);
    cr_assert_str_eq(sf_ctx_message(ctx), "sf_broadcast_shapes: shape: ndim 9 is outside [0, 8]");
    cr_assert_eq(sf_broadcast_shapes(ctx, &v3, &negdim, &out), SF_ERR_ARG);
    cr_assert_str_eq(sf_ctx_message(ctx), "sf_broadcast_shapes: shape: ndim -1 is outside [0, 8]");
    cr_assert_eq(sf_broadcast_shapes(ctx, &neg, &(sf_shape){1, {1}}, &out), SF_ERR_ARG);
    cr_assert_str_eq(sf_ctx_message(ctx),
                     "sf_broadcast_shapes: shape: extent -1 of axis 0 is negative");
    cr_assert(out.ndim == 1 && out.dim[0] == 77, "output untouched");
    cr_assert_eq(sf_jac_binary(ctx, SF_BIN_ADD, &nine, x, &v3, x, NULL, &Ja, &Jb), SF_ERR_ARG);
    cr_assert_str_eq(sf_ctx_message(ctx), "sf_broadcast_shapes: shape: ndim 9 is outside [0, 8]");
    cr_assert_eq(sf_jac_binary(ctx, SF_BIN_MUL, &v3, x, &neg, x, NULL, &Ja, &Jb), SF_ERR_ARG);
    cr_assert(Ja == (sf_mat *)0x1 && Jb == (sf_mat *)0x1, "outputs untouched");
    tu_ctx_done(ctx);
}

static sf_status alloc_elementwise(sf_ctx *ctx, void *arg) {
    (void)arg;
    sf_shape s = {3, {2, 3, 4}};
    double x[24] = {0};
    sf_mat *J = NULL;
    sf_status st = sf_jac_elementwise(ctx, SF_FN_SIN, 0, &s, x, NULL, &J);
    sf_mat_free(J);
    return st;
}

static sf_status alloc_elementwise_fn(sf_ctx *ctx, void *arg) {
    (void)arg;
    sf_shape s = {1, {6}};
    double x[6] = {1, 2, 3, 4, 5, 6}, fx[6];
    sf_mat *J = NULL;
    sf_status st = sf_jac_elementwise_fn(ctx, cube, NULL, &s, x, fx, &J);
    sf_mat_free(J);
    return st;
}

static sf_status alloc_binary(sf_ctx *ctx, void *arg) {
    (void)arg;
    sf_shape a = {2, {3, 1}}, b = {2, {1, 4}};
    double x[4] = {1, 2, 3, 4};
    sf_mat *Ja = NULL, *Jb = NULL;
    sf_status st = sf_jac_binary(ctx, SF_BIN_DIV, &a, x, &b, x, NULL, &Ja, &Jb);
    sf_mat_free(Ja);
    sf_mat_free(Jb);
    return st;
}

Test(alloc_failures, elementwise_and_binary) {
    tu_check_alloc_failures(alloc_elementwise, NULL);
    tu_check_alloc_failures(alloc_binary, NULL);
    tu_check_alloc_failures(alloc_elementwise_fn, NULL);
}

Test(elementwise, threads_give_bitwise_identical_results) {
    enum { N = 300000 }; /* above the threading threshold; 2.4 MB */
    sf_ctx *c1 = tu_ctx(), *c2 = tu_ctx();
    cr_assert_eq(sf_ctx_set_threads(c2, 2), SF_OK);
    double *x = dt_random(N, 17), *f1 = malloc(N * sizeof *f1), *f2 = malloc(N * sizeof *f2);
    sf_shape s = {1, {N}};
    for (int f = 0; f < SF_FN_COUNT; f++) {
        sf_mat *J1 = NULL, *J2 = NULL;
        cr_assert_eq(sf_jac_elementwise(c1, (sf_elem_fn)f, 1.5, &s, x, f1, &J1), SF_OK);
        cr_assert_eq(sf_jac_elementwise(c2, (sf_elem_fn)f, 1.5, &s, x, f2, &J2), SF_OK);
        double *d1 = malloc(N * sizeof *d1), *d2 = malloc(N * sizeof *d2);
        int64_t *rp = malloc((N + 1) * sizeof *rp);
        cr_assert_eq(sf_mat_export_csr(c1, J1, rp, NULL, d1), SF_OK);
        cr_assert_eq(sf_mat_export_csr(c2, J2, rp, NULL, d2), SF_OK);
        cr_assert_eq(memcmp(d1, d2, N * sizeof *d1), 0, "%s derivatives", sf_elem_fn_name((sf_elem_fn)f));
        cr_assert_eq(memcmp(f1, f2, N * sizeof *f1), 0, "%s values", sf_elem_fn_name((sf_elem_fn)f));
        free(d1), free(d2), free(rp);
        sf_mat_free(J1), sf_mat_free(J2);
    }
    free(x), free(f1), free(f2);
    tu_ctx_done(c1);
    tu_ctx_done(c2);
}

/* Outputs above 8 MB take the streaming path (straight to non-temporal
 * stores for the square function, with an alignment peel): checked element
 * by element against 2x and x*x, with odd lengths and outputs off the
 * vector alignment, and 1 vs 2 threads bitwise. */
Test(elementwise, large_square_streams_exact_values) {
    sf_ctx *ctx = tu_ctx();
    int64_t n = ((int64_t)1 << 20) + 3; /* 8 MB + 24 bytes */
    double *x = dt_random(n + 1, 7), *fx = malloc((size_t)(n + 1) * sizeof *fx);
    double *d1 = malloc((size_t)(n + 1) * sizeof *d1), *d2 = malloc((size_t)n * sizeof *d2);
    for (int off = 0; off <= 1; off++) {
        sf_ctx_set_threads(ctx, 1);
        cr_assert_eq(sf_elem_eval(ctx, SF_FN_SQUARE, 0, n, x + off, fx + off, d1 + off), SF_OK);
        for (int64_t i = 0; i < n; i++) {
            double v = x[i + off];
            cr_assert(d1[i + off] == 2 * v && fx[i + off] == v * v, "element %lld", (long long)i);
        }
        sf_ctx_set_threads(ctx, 2);
        cr_assert_eq(sf_elem_eval(ctx, SF_FN_SQUARE, 0, n, x + off, NULL, d2), SF_OK);
        cr_assert(!memcmp(d1 + off, d2, (size_t)n * sizeof *d2));
    }
    free(x);
    free(fx);
    free(d1);
    free(d2);
    tu_ctx_done(ctx);
}
