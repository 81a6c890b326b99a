/* sparsefirst interp: interpolate FP along one axis from coordinates XP to
 * XNEW in one go (the weights are built and applied, then dropped). */
#include "cmd_interp_opts.h"

const char cmd_interp_usage[] =
    "usage: sparsefirst interp [options] XP FP XNEW --axis K -o OUT\n"
    "\n"
    "Interpolate the float64 array FP (.npy) along axis K from the coordinates XP\n"
    "(1-d of length FP.shape[K], or FP's shape: one grid per column, increasing or\n"
    "decreasing) to XNEW (1-d of length m, or FP's shape with axis K resized to m),\n"
    "and write OUT with FP's shape, axis K resized to m.  Options:\n"
    "  -o, --output FILE      where to write OUT (required)\n"
    "  --axis K               the axis (required; negative counts from the end)\n"
    "  --method M             linear (default), nearest, or log (linear in log x)\n"
    "  --extrapolate E        outside the grid: clamp (default, as numpy.interp),\n"
    "                         nan, linear, or a number written there\n"
    "The compute step timed by --time is building the weights and applying them.\n";

typedef struct interp_state {
    interp_build_state b; /* first: interp_drop_weights gets the whole state */
    sf_array *fp, *out;
} interp_state;

/* The weights (kept in s->b.st on failure), then the field. */
static sf_status build_and_apply(sf_ctx *ctx, void *arg) {
    interp_state *s = arg;
    const double *f = s->fp->data;
    double *o = s->out->data;
    interp_build_step(ctx, &s->b);
    if (!s->b.st) s->b.st = sf_interp_apply(ctx, s->b.W, 1, &f, &o);
    return SF_OK;
}

/* OUT: FP's shape with the axis resized to the number of targets. */
static int make_output(cli *c, interp_state *s, const char *xnew_path) {
    sf_shape os = s->fp->shape;
    os.dim[s->b.axis] = s->b.xn->shape.ndim == 1 ? s->b.xn->shape.dim[0] : s->b.xn->shape.dim[s->b.axis];
    if (s->b.xn->shape.ndim != 1 && s->b.xn->shape.ndim != os.ndim)
        return cli_error("%s: targets must be 1-d or have FP's rank %d", xnew_path, os.ndim);
    return sf_array_create(c->ctx, SF_NPY_F8, &os, &s->out) ? cli_ctx_error(c, xnew_path) : CLI_OK;
}

static int interp(cli *c, const char *const *pos, const char *out, interp_state *s) {
    int rc = interp_read_f8(c, pos[0], &s->b.xp);
    if (!rc) rc = interp_read_f8(c, pos[1], &s->fp);
    if (!rc) rc = interp_read_f8(c, pos[2], &s->b.xn);
    if (!rc) rc = interp_axis(&s->b.o, s->fp->shape.ndim, &s->b.axis);
    if (!rc) rc = make_output(c, s, pos[2]);
    if (rc) return rc;
    s->b.data = s->fp->shape;
    if ((rc = cli_timed(c, pos[1], build_and_apply, interp_drop_weights, s))) return rc;
    if (s->b.st) return interp_build_error(c, pos[0], pos[2], pos[1]);
    return cli_write_array(c, out, s->out);
}

int cmd_interp(cli *c) {
    interp_state s = {0};
    const char *out = cli_output(c), *pos[3];
    interp_take_opts(c, &s.b.o, false);
    int rc = cli_args(c, 3, 3, pos);
    if (!rc && !out)
        rc = cli_usage_error("missing -o FILE (usage: sparsefirst interp [options] XP FP XNEW --axis K -o OUT)");
    if (!rc) rc = interp(c, pos, out, &s);
    interp_build_free(&s.b);
    sf_array_free(s.fp), sf_array_free(s.out);
    return rc;
}
