/* sparsefirst interp-apply: apply saved weights (or their adjoint) to one or
 * more fields in one pass over the weights. */
#include <string.h>

#include "cmd_interp_opts.h"

const char cmd_interp_apply_usage[] =
    "usage: sparsefirst interp-apply [options] W.sfw F1 [F2 ...] -o O1 [-o O2 ...]\n"
    "\n"
    "Apply the weights W (from interp-weights) to the float64 fields F1, F2, ...\n"
    "(.npy, each of the weights' data shape) in one call, writing O1, O2, ... in\n"
    "order (the output shape: the data shape with the axis resized).  Options:\n"
    "  -o, --output FILE  one per field, in the order of the fields\n"
    "  --adjoint          apply the transpose W^T: fields of the output shape give\n"
    "                     arrays of the data shape (outputs outside the grid under\n"
    "                     nan or constant extrapolation contribute nothing)\n"
    "The compute step timed by --time is applying the weights to all the fields.\n";

enum { MAX_FIELDS = 64 };

typedef struct apply_state {
    sf_mat *W;
    int n;
    bool adjoint;
    sf_array *in[MAX_FIELDS], *out[MAX_FIELDS];
    const double *f[MAX_FIELDS];
    double *o[MAX_FIELDS];
} apply_state;

/* Every "-o FILE", "-o=FILE", "--output FILE" and "--output=FILE", in order
 * (cli_output keeps only the last). */
static int take_outputs(cli *c, const char **outs) {
    int n = 0;
    for (int i = 0; i < c->argc; i++) {
        const char *a = c->argv[i];
        if (c->used[i] || c->literal[i]) continue;
        bool bare = !strcmp(a, "-o") || !strcmp(a, "--output");
        const char *eq = !strncmp(a, "-o=", 3) ? a + 3 : !strncmp(a, "--output=", 9) ? a + 9 : NULL;
        if (!bare && !eq) continue;
        c->used[i] = true;
        if (bare && (i + 1 >= c->argc || c->used[i + 1])) return -1;
        if (bare) c->used[++i] = true;
        if (n < MAX_FIELDS) outs[n] = bare ? c->argv[i] : eq;
        n++;
    }
    return n;
}

static sf_status apply(sf_ctx *ctx, void *arg) {
    apply_state *s = arg;
    return s->adjoint ? sf_interp_apply_adjoint(ctx, s->W, s->n, s->f, s->o)
                      : sf_interp_apply(ctx, s->W, s->n, s->f, s->o);
}

static int read_field(cli *c, apply_state *s, int k, const char *path) {
    sf_interp_info info;
    int rc = interp_read_f8(c, path, &s->in[k]);
    if (rc) return rc;
    if (sf_interp_check_shape(c->ctx, s->W, &s->in[k]->shape, s->adjoint)) return cli_ctx_error(c, path);
    sf_interp_get_info(c->ctx, s->W, &info);
    const sf_shape *os = s->adjoint ? &info.data_shape : &info.out_shape;
    if (sf_array_create(c->ctx, SF_NPY_F8, os, &s->out[k])) return cli_ctx_error(c, path);
    s->f[k] = s->in[k]->data;
    s->o[k] = s->out[k]->data;
    return CLI_OK;
}

/* The outputs in order; if one fails, those already written are removed
 * (all or nothing). */
static int write_outputs(cli *c, const char *const *outs, apply_state *s) {
    int rc = CLI_OK, k = 0;
    for (; k < s->n && !rc; k++) rc = cli_write_array(c, outs[k], s->out[k]);
    for (int j = 0; rc && j < k - 1; j++) cli_discard_output(outs[j]);
    return rc;
}

static int run_apply(cli *c, const char *const *pos, const char *const *outs, apply_state *s) {
    int rc = CLI_OK;
    for (int k = 0; k < s->n && !rc; k++) rc = cli_check_format(outs[k]); /* before any work */
    if (rc) return rc;
    if (sf_interp_load(c->ctx, pos[0], &s->W)) return cli_ctx_error(c, pos[0]);
    for (int k = 0; k < s->n && !rc; k++) rc = read_field(c, s, k, pos[k + 1]);
    if (!rc) rc = cli_timed(c, pos[1], apply, NULL, s);
    return rc ? rc : write_outputs(c, outs, s);
}

int cmd_interp_apply(cli *c) {
    apply_state s = {.adjoint = cli_flag(c, "--adjoint")};
    const char *pos[MAX_FIELDS + 1], *outs[MAX_FIELDS];
    int nout = take_outputs(c, outs);
    int rc = cli_args(c, 2, MAX_FIELDS + 1, pos);
    if (!rc && nout < 0) rc = cli_usage_error("option '-o' needs a value");
    while (!rc && s.n < MAX_FIELDS && pos[s.n + 1]) s.n++;
    if (!rc && nout != s.n)
        rc = cli_usage_error("%d field(s) but %d output(s): give one -o FILE per field", s.n, nout);
    if (!rc) rc = run_apply(c, pos, outs, &s);
    sf_mat_free(s.W);
    for (int k = 0; k < MAX_FIELDS; k++) sf_array_free(s.in[k]), sf_array_free(s.out[k]);
    return rc;
}
