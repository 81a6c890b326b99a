/* sf_spmm and sf_spmv: argument checks, the dense views as real strided
 * matrices, and the dispatch to the kernel of the handle's kind. */
#include <stdio.h>

#include "ops_internal.h"

static const sf_spmm_kernel *const spmm_kernel_by_kind[SF_KIND_COUNT] = {
    [SF_CSR] = &sf_spmm_csr_kernel,
    [SF_DIAG] = &sf_spmm_diag_kernel,
    [SF_SELECT] = &sf_spmm_select_kernel,
    [SF_INTERP] = &sf_spmm_interp_kernel,
};

/* fn: the public function called (sf_spmv runs through here too). */
static sf_status check_spmm_args(sf_ctx *ctx, const sf_mat *A, sf_op op, const sf_dense *B,
                                 const sf_dense *C, const char *fn) {
    if (!A) return sf_error(ctx, SF_ERR_ARG, "%s: matrix handle is NULL", fn);
    if (!sf_kind_ops_of(A->kind)) return sf_error(ctx, SF_ERR_ARG, "%s: invalid handle", fn);
    if (op != SF_OP_NONE && op != SF_OP_TRANSPOSE)
        return sf_error(ctx, SF_ERR_ARG, "%s: unknown op %d", fn, (int)op);
    char bname[32], cname[32];
    snprintf(bname, sizeof bname, "%s: B", fn);
    snprintf(cname, sizeof cname, "%s: C", fn);
    sf_status st = sf_dense_check(ctx, B, bname);
    if (st || (st = sf_dense_check(ctx, C, cname))) return st;
    if (B->dtype != C->dtype)
        return sf_error(ctx, SF_ERR_ARG, "%s: B is %s but C is %s", fn,
                        B->dtype == SF_REAL ? "real" : "complex",
                        C->dtype == SF_REAL ? "real" : "complex");
    int64_t m = op ? A->cols : A->rows, n = op ? A->rows : A->cols;
    const char *opname = op ? "A^T" : "A";
    if (B->rows != n)
        return sf_error(ctx, SF_ERR_SHAPE, "%s: %s is %lld x %lld, B is %lld x %lld", fn, opname,
                        (long long)m, (long long)n, (long long)B->rows, (long long)B->cols);
    if (C->rows != m || C->cols != B->cols)
        return sf_error(ctx, SF_ERR_SHAPE, "%s: %s * B is %lld x %lld, C is %lld x %lld", fn,
                        opname, (long long)m, (long long)B->cols, (long long)C->rows,
                        (long long)C->cols);
    if (sf_dense_overlap(B, C)) return sf_error(ctx, SF_ERR_ARG, "%s: B and C share memory", fn);
    return SF_OK;
}

static int64_t row_stride(const sf_dense *v) { return v->layout == SF_ROW_MAJOR ? v->ld : 1; }
static int64_t col_stride(const sf_dense *v) { return v->layout == SF_ROW_MAJOR ? 1 : v->ld; }

/* The real matrices a view stands for: itself, the real and imaginary halves
 * of a complex view, or (joint = both operands complex row-major) one real
 * view of twice the columns.  Returns how many. */
static int real_parts(const sf_dense *v, int joint, sf_strided part[2]) {
    int64_t rs = row_stride(v), cs = col_stride(v);
    if (v->dtype == SF_REAL) {
        part[0] = (sf_strided){v->data, v->rows, v->cols, rs, cs};
        return 1;
    }
    double *d = v->data;
    if (joint) {
        part[0] = (sf_strided){d, v->rows, 2 * v->cols, 2 * rs, 1};
        return 1;
    }
    part[0] = (sf_strided){d, v->rows, v->cols, 2 * rs, 2 * cs};
    part[1] = (sf_strided){d ? d + 1 : NULL, v->rows, v->cols, 2 * rs, 2 * cs};
    return 2;
}

/* The handle and kernel function that compute op(A): the kind's own, the
 * cached transpose's, or a temporary CSR copy's (*tmp, freed by the caller).
 * Everything that can fail happens here, before C is written. */
static sf_status resolve(sf_ctx *ctx, const sf_mat *A, sf_op op, const sf_mat **use,
                         sf_spmm_fn *fn, sf_mat **tmp) {
    const sf_spmm_kernel *k = spmm_kernel_by_kind[A->kind];
    *tmp = NULL;
    *use = A;
    if (k && op == SF_OP_TRANSPOSE && k->apply_transpose) {
        *fn = k->apply_transpose;
        return SF_OK;
    }
    sf_status st;
    if (op == SF_OP_TRANSPOSE) {
        if ((st = sf_cached_transpose(ctx, A, use))) return st;
        k = spmm_kernel_by_kind[(*use)->kind];
    }
    if (!k) {
        if ((st = sf_mat_to_csr(ctx, *use, tmp))) return st;
        *use = *tmp;
        k = &sf_spmm_csr_kernel;
    }
    *fn = k->apply;
    return SF_OK;
}

static sf_status spmm(sf_ctx *ctx, double alpha, const sf_mat *A, sf_op op, const sf_dense *B,
                      double beta, sf_dense *C, const char *fn) {
    if (!ctx) return SF_ERR_ARG;
    sf_status st = check_spmm_args(ctx, A, op, B, C, fn);
    if (st) return st;
    int joint = B->dtype == SF_COMPLEX && B->layout == SF_ROW_MAJOR && C->layout == SF_ROW_MAJOR;
    sf_strided bp[2], cp[2];
    int parts = real_parts(B, joint, bp);
    real_parts(C, joint, cp);
    if (C->rows == 0 || C->cols == 0) return SF_OK;
    if (alpha == 0.0) { /* BLAS convention: A and B are not read */
        for (int p = 0; p < parts; p++) sf_strided_scale(ctx, &cp[p], beta);
        return SF_OK;
    }
    const sf_mat *use;
    sf_spmm_fn kernel;
    sf_mat *tmp;
    if ((st = resolve(ctx, A, op, &use, &kernel, &tmp))) return st;
    for (int p = 0; p < parts && !st; p++) st = kernel(ctx, alpha, use, &bp[p], beta, &cp[p]);
    sf_mat_free(tmp);
    return st;
}

sf_status sf_spmm(sf_ctx *ctx, double alpha, const sf_mat *A, sf_op op, const sf_dense *B,
                  double beta, sf_dense *C) {
    return spmm(ctx, alpha, A, op, B, beta, C, "sf_spmm");
}

sf_status sf_spmv(sf_ctx *ctx, double alpha, const sf_mat *A, sf_op op, const double *x,
                  double beta, double *y) {
    if (!ctx) return SF_ERR_ARG;
    if (!A) return sf_error(ctx, SF_ERR_ARG, "sf_spmv: matrix handle is NULL");
    if (op != SF_OP_NONE && op != SF_OP_TRANSPOSE)
        return sf_error(ctx, SF_ERR_ARG, "sf_spmv: unknown op %d", (int)op);
    int64_t m = op ? A->cols : A->rows, n = op ? A->rows : A->cols;
    if ((n > 0 && !x) || (m > 0 && !y)) return sf_error(ctx, SF_ERR_ARG, "sf_spmv: NULL vector");
    sf_dense xv = sf_dense_view(n, 1, SF_COL_MAJOR, SF_REAL, (void *)x);
    sf_dense yv = sf_dense_view(m, 1, SF_COL_MAJOR, SF_REAL, y);
    return spmm(ctx, alpha, A, op, &xv, beta, &yv, "sf_spmv");
}
