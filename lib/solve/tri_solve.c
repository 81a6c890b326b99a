/* Triangular solves: argument, structure and pivot checks (all before any
 * output is written), then the substitution of tri_kernel.c. */

#include "solve_rhs.h"
#include "tri_internal.h"

/* A threaded solve needs this many multiply-adds, and at most 1 row in
 * TRI_MAX_CROSS_SHARE waiting on another thread. */
enum { TRI_MIN_WORK = 1 << 20, TRI_MAX_CROSS_SHARE = 64 };

static sf_status check_args(sf_ctx *ctx, const sf_mat *T, sf_uplo uplo, sf_op op,
                            sf_diag_type diag, unsigned flags, const char *fn) {
    if (!T) return sf_error(ctx, SF_ERR_ARG, "%s: matrix handle is NULL", fn);
    if ((unsigned)uplo > SF_UPPER || (unsigned)op > SF_OP_TRANSPOSE || (unsigned)diag > SF_UNIT)
        return sf_error(ctx, SF_ERR_ARG, "%s: invalid uplo %d, op %d or diag %d", fn, (int)uplo,
                        (int)op, (int)diag);
    if (flags & ~(unsigned)SF_TRI_IGNORE_OTHER)
        return sf_error(ctx, SF_ERR_ARG, "%s: unknown flags 0x%x", fn, flags);
    if (T->rows != T->cols)
        return sf_error(ctx, SF_ERR_SHAPE, "%s: T is %lld x %lld, not square", fn,
                        (long long)T->rows, (long long)T->cols);
    return SF_OK;
}

/* Entries on the wrong side, unless ignored. */
static sf_status check_structure(sf_ctx *ctx, const tri_plan *plain, unsigned flags,
                                 const char *fn) {
    if (plain->other_row < 0 || (flags & SF_TRI_IGNORE_OTHER)) return SF_OK;
    return sf_error(ctx, SF_ERR_STRUCTURE,
                    "%s: row %lld, column %lld: entry %s the diagonal of a%s triangular matrix "
                    "(SF_TRI_IGNORE_OTHER ignores it)",
                    fn, (long long)plain->other_row, (long long)plain->other_col,
                    plain->uplo == SF_LOWER ? "above" : "below",
                    plain->uplo == SF_LOWER ? " lower" : "n upper");
}

/* Every pivot present, nonzero and finite, as found when the plan was built:
 * the plan lives in the handle's cache, which sf_mat_values_changed drops, so
 * it always describes the current values.  Rows are named in the plain
 * numbering (the transposed triangle has the same diagonal). */
static sf_status check_pivots(sf_ctx *ctx, const tri_plan *plain, const char *fn) {
    if (plain->missing_diag >= 0)
        return sf_error(ctx, SF_ERR_SINGULAR, "%s: row %lld: missing diagonal entry", fn,
                        (long long)plain->missing_diag);
    if (plain->bad_pivot < 0) return SF_OK;
    double d = plain->val[tri_diag_pos(plain, plain->bad_pivot)];
    if (d == 0.0)
        return sf_error(ctx, SF_ERR_SINGULAR, "%s: row %lld: zero pivot", fn,
                        (long long)plain->bad_pivot);
    return sf_error(ctx, SF_ERR_NONFINITE, "%s: row %lld: pivot is %g", fn,
                    (long long)plain->bad_pivot, d);
}

static tri_rhs rhs_of(const sf_dense *B, sf_dense *X, double alpha, sf_diag_type diag) {
    bool brow = B->layout == SF_ROW_MAJOR, xrow = X->layout == SF_ROW_MAJOR;
    return (tri_rhs){.b = B->data, .brs = brow ? B->ld : 1, .bcs = brow ? 1 : B->ld,
                     .x = X->data, .xrs = xrow ? X->ld : 1, .xcs = xrow ? 1 : X->ld,
                     .k = B->cols, .alpha = alpha, .unit = diag == SF_UNIT};
}

/* Threads can pay only with enough work per solve and few rows waiting on
 * other threads.  The limits are set by reasoning, not tuned: the shared
 * 2-core machine was too busy to measure them (docs/benchmarks.md); the timed
 * trial of tri_kernel.c guards against a wrong guess. */
static int threads_for(sf_ctx *ctx, const tri_plan *p, int64_t k) {
    int64_t work = (p->rowptr[p->n] + p->n) * (k > 0 ? k : 1);
    if (sf_ctx_threads(ctx) < 2 || work < TRI_MIN_WORK) return 1;
    if (p->cross_rows * TRI_MAX_CROSS_SHARE > p->n) return 1;
    return p->parts;
}

sf_status sf_tri_solve(sf_ctx *ctx, const sf_mat *T, sf_uplo uplo, sf_op op, sf_diag_type diag,
                       unsigned flags, double alpha, const sf_dense *B, sf_dense *X) {
    static const char fn[] = "sf_tri_solve";
    if (!ctx) return SF_ERR_ARG;
    sf_status st = check_args(ctx, T, uplo, op, diag, flags, fn);
    if (!st) st = sf_solve_check_rhs(ctx, T->rows, "T", B, X, fn);
    if (st) return st;
    tri_cache_state before = sf_tri_cache_state(T, uplo);
    const tri_plan *plain = NULL, *p = NULL;
    st = sf_tri_plan_get(ctx, T, uplo, SF_OP_NONE, &plain);
    if (!st) st = check_structure(ctx, plain, flags, fn);
    if (!st && diag == SF_NON_UNIT) st = check_pivots(ctx, plain, fn);
    if (!st) p = plain;
    if (!st && op == SF_OP_TRANSPOSE) st = sf_tri_plan_get(ctx, T, uplo, op, &p);
    if (!st && T->rows > 0 && B->cols > 0) {
        tri_rhs r = rhs_of(B, X, alpha, diag);
        st = sf_tri_execute(ctx, p, &r, threads_for(ctx, p, B->cols));
    }
    if (st) sf_tri_cache_restore(T, uplo, before);
    return st;
}

sf_status sf_tri_solve_vec(sf_ctx *ctx, const sf_mat *T, sf_uplo uplo, sf_op op,
                           sf_diag_type diag, unsigned flags, double alpha, const double *b,
                           double *x) {
    if (!ctx) return SF_ERR_ARG;
    if (!T) return sf_error(ctx, SF_ERR_ARG, "sf_tri_solve_vec: matrix handle is NULL");
    sf_dense B = sf_dense_view(T->rows, 1, SF_COL_MAJOR, SF_REAL, (void *)b);
    sf_dense X = sf_dense_view(T->rows, 1, SF_COL_MAJOR, SF_REAL, x);
    return sf_tri_solve(ctx, T, uplo, op, diag, flags, alpha, &B, &X);
}

sf_status sf_tri_analyze(sf_ctx *ctx, const sf_mat *T, sf_uplo uplo, sf_op op, unsigned flags) {
    if (!ctx) return SF_ERR_ARG;
    const tri_plan *plain = NULL, *p = NULL;
    sf_status st = check_args(ctx, T, uplo, op, SF_NON_UNIT, flags, "sf_tri_analyze");
    if (st) return st;
    tri_cache_state before = sf_tri_cache_state(T, uplo);
    st = sf_tri_plan_get(ctx, T, uplo, SF_OP_NONE, &plain);
    if (!st) st = check_structure(ctx, plain, flags, "sf_tri_analyze");
    if (!st) st = sf_tri_plan_get(ctx, T, uplo, op, &p);
    if (st) sf_tri_cache_restore(T, uplo, before);
    return st;
}

sf_status sf_tri_info_get(sf_ctx *ctx, const sf_mat *T, sf_uplo uplo, sf_op op, unsigned flags,
                          sf_tri_info *info) {
    if (!ctx) return SF_ERR_ARG;
    if (!info) return sf_error(ctx, SF_ERR_ARG, "sf_tri_info_get: info is NULL");
    sf_status st = sf_tri_analyze(ctx, T, uplo, op, flags);
    if (st) return st;
    const tri_plan *p = NULL;
    sf_tri_plan_get(ctx, T, uplo, op, &p); /* cached: cannot fail now */
    sf_tri_info r = {.levels = p->levels, .max_width = p->max_width, .cross_rows = p->cross_rows,
                     .bytes = ((sf_mat *)T)->cache[uplo == SF_LOWER ? SF_CACHE_TRI_LOWER
                                                                    : SF_CACHE_TRI_UPPER].bytes,
                     .min_abs_pivot = p->n ? INFINITY : 0.0};
    for (int64_t i = 0; i < p->n; i++) {
        double d = tri_has_diag(p, i) ? fabs(p->val[p->split[i]]) : 0.0;
        r.min_abs_pivot = fmin(r.min_abs_pivot, d);
        r.max_abs_pivot = fmax(r.max_abs_pivot, d);
    }
    *info = r;
    return SF_OK;
}
