/* Binary elementwise operations with NumPy broadcasting and their Jacobians:
 * an operand the size of the output gets a diagonal, a broadcast operand a
 * selection (each output element reads exactly one of its elements). */
#include "deriv_internal.h"

sf_status sf_broadcast_shapes(sf_ctx *ctx, const sf_shape *a, const sf_shape *b, sf_shape *out) {
    if (!a || !b || !out) return sf_error(ctx, SF_ERR_ARG, "sf_broadcast_shapes: NULL argument");
    int64_t n; /* both shapes valid (ndim in range, no negative extent) before indexing them */
    sf_status st = sf_shape_size(ctx, a, &n);
    if (st || (st = sf_shape_size(ctx, b, &n))) {
        sf_error_prefix(ctx, "sf_broadcast_shapes");
        return st;
    }
    sf_shape r = {a->ndim > b->ndim ? a->ndim : b->ndim, {0}};
    for (int k = 0; k < r.ndim; k++) {
        int ka = k - (r.ndim - a->ndim), kb = k - (r.ndim - b->ndim);
        int64_t da = ka >= 0 ? a->dim[ka] : 1, db = kb >= 0 ? b->dim[kb] : 1;
        if (da != db && da != 1 && db != 1) {
            char sa[160], sb[160];
            return sf_error(ctx, SF_ERR_SHAPE, "shapes %s and %s do not broadcast (axis %d: %lld vs %lld)",
                            sf_shape_format(a, sa, sizeof sa), sf_shape_format(b, sb, sizeof sb), k,
                            (long long)da, (long long)db);
        }
        r.dim[k] = da == 1 ? db : da;
    }
    *out = r;
    return SF_OK;
}

/* Strides of an operand seen through the broadcast output shape: 0 along
 * axes where it is repeated. */
static void broadcast_strides(const sf_shape *op, const sf_shape *out, int64_t *st) {
    int64_t own[SF_MAX_NDIM];
    sf_shape_strides(op, own);
    for (int k = 0; k < out->ndim; k++) {
        int ko = k - (out->ndim - op->ndim);
        st[k] = ko >= 0 && op->dim[ko] != 1 ? own[ko] : 0;
    }
}

/* The partial derivatives of y = a op b. */
static inline double apply(sf_binop op, double a, double b, double *da, double *db) {
    switch (op) {
    case SF_BIN_ADD: *da = 1.0; *db = 1.0; return a + b;
    case SF_BIN_SUB: *da = 1.0; *db = -1.0; return a - b;
    case SF_BIN_MUL: *da = b; *db = a; return a * b;
    default: *da = 1.0 / b; *db = -a / (b * b); return a / b;
    }
}

/* Whether the derivative w.r.t. an operand is 1 everywhere (no weights). */
static bool unit_weights(sf_binop op, bool first) {
    return op == SF_BIN_ADD || (op == SF_BIN_SUB && first);
}

/* Diagonal if the operand has the output's size, selection otherwise. */
static sf_status jac_new(sf_ctx *ctx, sf_binop op, bool first, int64_t nop, int64_t nout,
                         sf_mat **out) {
    if (nop == nout) return sf_mat_identity(ctx, nout, out);
    sf_status st = deriv_select_new(ctx, nout, nop, !unit_weights(op, first), out);
    if (!st) (*out)->nnz = nout;
    return st;
}

/* Store d y_i / d operand into its handle: the diagonal, or source and weight. */
static inline void put(sf_mat *m, int64_t i, int64_t src, double d) {
    if (!m) return;
    if (m->kind == SF_DIAG) {
        m->u.diag.d[i] = d;
        return;
    }
    m->u.sel.src[i] = (int32_t)src;
    if (m->u.sel.weight) m->u.sel.weight[i] = d;
}

static void fill(sf_binop op, const sf_shape *so, const sf_shape *sa, const double *a,
                 const sf_shape *sb, const double *b, int64_t n, double *y, sf_mat *ja,
                 sf_mat *jb) {
    int64_t sta[SF_MAX_NDIM], stb[SF_MAX_NDIM], coord[SF_MAX_NDIM] = {0};
    broadcast_strides(sa, so, sta);
    broadcast_strides(sb, so, stb);
    for (int64_t i = 0; i < n; i++) {
        int64_t ia = 0, ib = 0;
        for (int k = 0; k < so->ndim; k++) {
            ia += coord[k] * sta[k];
            ib += coord[k] * stb[k];
        }
        double da, db, v = apply(op, a[ia], b[ib], &da, &db);
        if (y) y[i] = v;
        put(ja, i, ia, da);
        put(jb, i, ib, db);
        deriv_index_next(so, coord);
    }
}

static sf_status sizes(sf_ctx *ctx, const sf_shape *sa, const sf_shape *sb, sf_shape *so,
                       int64_t n[3]) {
    sf_status st = sf_broadcast_shapes(ctx, sa, sb, so);
    if (st) return st;
    if ((st = deriv_shape_size(ctx, sa, "sf_jac_binary", &n[0]))) return st;
    if ((st = deriv_shape_size(ctx, sb, "sf_jac_binary", &n[1]))) return st;
    return deriv_shape_size(ctx, so, "sf_jac_binary", &n[2]);
}

sf_status sf_jac_binary(sf_ctx *ctx, sf_binop op, const sf_shape *sa, const double *a,
                        const sf_shape *sb, const double *b, double *y, sf_mat **Ja,
                        sf_mat **Jb) {
    if (!ctx) return SF_ERR_ARG;
    if (!sa || !sb) return sf_error(ctx, SF_ERR_ARG, "sf_jac_binary: NULL shape");
    if ((unsigned)op >= SF_BIN_COUNT)
        return sf_error(ctx, SF_ERR_ARG, "sf_jac_binary: unknown operation code %d", (int)op);
    sf_shape so;
    int64_t n[3];
    sf_status st = sizes(ctx, sa, sb, &so, n);
    if (st) return st;
    if ((n[0] > 0 && !a) || (n[1] > 0 && !b))
        return sf_error(ctx, SF_ERR_ARG, "sf_jac_binary: operand data is NULL");
    sf_mat *ja = NULL, *jb = NULL;
    if (Ja && (st = jac_new(ctx, op, true, n[0], n[2], &ja))) return st;
    if (Jb && (st = jac_new(ctx, op, false, n[1], n[2], &jb))) {
        sf_mat_free(ja);
        return st;
    }
    fill(op, &so, sa, a, sb, b, n[2], y, ja, jb);
    if (Ja) *Ja = ja;
    if (Jb) *Jb = jb;
    return SF_OK;
}
