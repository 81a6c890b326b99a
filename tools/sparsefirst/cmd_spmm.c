/* sparsefirst spmm: C = A * B (or A^T * B) for a sparse A and a dense B. */
#include <stdio.h>

#include "cli.h"

const char cmd_spmm_usage[] =
    "usage: sparsefirst spmm [options] A B -o C\n"
    "\n"
    "Multiply a sparse matrix A (.mtx, or a 2-d .npy) by a dense B (.npy, 1-d of\n"
    "length n or 2-d (n, k), float64 or complex128) and write C (.npy, or .mtx for\n"
    "real C): 1-d B gives 1-d C.  Options:\n"
    "  -o, --output FILE  where to write C (required)\n"
    "  --transpose        compute A^T * B (the first one caches A's transpose)\n"
    "The compute step timed by --time is the product alone.\n";

typedef struct spmm_state {
    sf_mat *A;
    sf_array *B, *C;
    sf_dense bv, cv;
    sf_op op;
} spmm_state;

static sf_status product(sf_ctx *ctx, void *arg) {
    spmm_state *s = arg;
    return sf_spmm(ctx, 1.0, s->A, s->op, &s->bv, 0.0, &s->cv);
}

/* C's array: B's dtype, (m,) for a 1-d B, (m, k) otherwise. */
static sf_status make_output(sf_ctx *ctx, spmm_state *s) {
    int64_t m = s->op ? sf_mat_cols(s->A) : sf_mat_rows(s->A);
    int64_t dims[2] = {m, s->bv.cols};
    sf_shape shape;
    sf_status st = sf_shape_make(ctx, s->B->shape.ndim == 1 ? 1 : 2, dims, &shape);
    if (!st) st = sf_array_create(ctx, s->B->dtype, &shape, &s->C);
    if (!st) st = sf_array_dense_view(ctx, s->C, &s->cv);
    return st;
}

static int spmm(cli *c, const char *pa, const char *pb, const char *out, spmm_state *s) {
    int rc = cli_read_mat(c, pa, &s->A, NULL);
    if (rc || (rc = cli_read_array(c, pb, &s->B))) return rc;
    if (sf_array_dense_view(c->ctx, s->B, &s->bv)) return cli_ctx_error(c, pb);
    if (make_output(c->ctx, s)) return cli_ctx_error(c, out);
    if ((rc = cli_timed(c, pb, product, NULL, s))) return rc;
    return cli_write_array(c, out, s->C);
}

int cmd_spmm(cli *c) {
    const char *out = cli_output(c), *pos[2];
    spmm_state s = {.op = cli_flag(c, "--transpose") ? SF_OP_TRANSPOSE : SF_OP_NONE};
    int rc = cli_args(c, 2, 2, pos);
    if (!rc && !out) rc = cli_usage_error("missing -o FILE (usage: sparsefirst spmm [options] A B -o C)");
    if (!rc) rc = cli_check_format(pos[0]);
    if (!rc) rc = cli_check_format(pos[1]);
    if (!rc) rc = cli_check_format(out);
    if (!rc) rc = spmm(c, pos[0], pos[1], out, &s);
    sf_mat_free(s.A);
    sf_array_free(s.B);
    sf_array_free(s.C);
    return rc;
}
