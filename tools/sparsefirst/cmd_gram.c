/* sparsefirst gram: G = B^H * diag(W) * B, the weighted Gram product (P3). */
#include <stdio.h>

#include "cli.h"

const char cmd_gram_usage[] =
    "usage: sparsefirst gram [options] B W -o G\n"
    "\n"
    "Weighted Gram product G = B^H diag(W) B (real B: B^T diag(W) B) through a\n"
    "diagonal handle and BLAS syrk/herk.  B: .npy (r, k) float64 or complex128\n"
    "(1-d: r x 1); W: .npy float64 of length r.  G: .npy (k, k), complex128 when\n"
    "B is complex (or .mtx when real).  Options:\n"
    "  -o, --output FILE  where to write G (required)\n"
    "The compute step timed by --time is the product alone.\n";

typedef struct gram_state {
    sf_array *B, *W, *G;
    sf_mat *D;
    sf_dense bv, gv;
} gram_state;

static sf_status product(sf_ctx *ctx, void *arg) {
    gram_state *s = arg;
    return sf_gram(ctx, s->D, &s->bv, &s->gv);
}

/* The weights: a 1-d float64 array as long as B has rows. */
static int read_weights(cli *c, const char *pw, const char *pb, gram_state *s) {
    if (sf_npy_read(c->ctx, pw, &s->W)) return cli_ctx_error(c, pw);
    if (s->W->dtype != SF_NPY_F8 || s->W->shape.ndim != 1)
        return cli_error("%s: the weights must be a 1-d float64 array", pw);
    if (s->W->size != s->bv.rows)
        return cli_error("%s: %lld weights for the %lld rows of %s", pw, (long long)s->W->size,
                         (long long)s->bv.rows, pb);
    if (sf_mat_diag(c->ctx, s->W->size, s->W->data, &s->D)) return cli_ctx_error(c, pw);
    return CLI_OK;
}

static int gram(cli *c, const char *pb, const char *pw, const char *out, gram_state *s) {
    if (sf_npy_read(c->ctx, pb, &s->B)) return cli_ctx_error(c, pb);
    if (sf_array_dense_view(c->ctx, s->B, &s->bv)) return cli_ctx_error(c, pb);
    int rc = read_weights(c, pw, pb, s);
    if (rc) return rc;
    int64_t dims[2] = {s->bv.cols, s->bv.cols};
    sf_shape shape;
    if (sf_shape_make(c->ctx, 2, dims, &shape) || sf_array_create(c->ctx, s->B->dtype, &shape, &s->G) ||
        sf_array_dense_view(c->ctx, s->G, &s->gv))
        return cli_ctx_error(c, out);
    if ((rc = cli_timed(c, pb, product, NULL, s))) return rc;
    return cli_write_array(c, out, s->G);
}

int cmd_gram(cli *c) {
    const char *out = cli_output(c), *pos[2];
    gram_state s = {0};
    int rc = cli_args(c, 2, 2, pos);
    if (!rc && !out) rc = cli_usage_error("missing -o FILE (usage: sparsefirst gram [options] B W -o G)");
    if (!rc) rc = cli_check_format(out);
    if (!rc) rc = gram(c, pos[0], pos[1], out, &s);
    sf_mat_free(s.D);
    sf_array_free(s.B);
    sf_array_free(s.W);
    sf_array_free(s.G);
    return rc;
}
