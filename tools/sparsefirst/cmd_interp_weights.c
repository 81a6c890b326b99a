/* sparsefirst interp-weights: build interpolation weights once and save
 * them as a .sfw file for interp-apply. */
#include "cmd_interp_opts.h"

const char cmd_interp_weights_usage[] =
    "usage: sparsefirst interp-weights [options] XP XNEW --axis K -o W.sfw\n"
    "\n"
    "Build the weights that interpolate data along axis K from the coordinates XP\n"
    "to XNEW (float64 .npy) and save them (docs/sfw-format.md).  XP has the data's\n"
    "shape (one grid per column), or is 1-d and shared by every column: then give\n"
    "the data's shape with --shape (a 1-d XP alone means 1-d data).  XNEW is 1-d,\n"
    "or the data's shape with axis K resized.  Options:\n"
    "  -o, --output FILE      the .sfw file to write (required)\n"
    "  --axis K               the axis (required; negative counts from the end)\n"
    "  --shape D0,D1,...      the data's shape when XP is 1-d\n"
    "  --method M             linear (default), nearest, or log (linear in log x)\n"
    "  --extrapolate E        clamp (default), nan, linear, or a number\n"
    "The compute step timed by --time is building the weights.\n";

static int weights(cli *c, const char *const *pos, const char *out, interp_build_state *s) {
    int rc = interp_read_f8(c, pos[0], &s->xp);
    if (!rc) rc = interp_read_f8(c, pos[1], &s->xn);
    if (rc) return rc;
    s->data = s->o.has_shape ? s->o.shape : s->xp->shape;
    if ((rc = interp_axis(&s->o, s->data.ndim, &s->axis))) return rc;
    if ((rc = cli_timed(c, pos[0], interp_build_step, interp_drop_weights, s))) return rc;
    if (s->st) return interp_build_error(c, pos[0], pos[1], s->o.has_shape ? NULL : pos[0]);
    return sf_interp_save(c->ctx, s->W, out) ? cli_ctx_error(c, out) : CLI_OK;
}

int cmd_interp_weights(cli *c) {
    interp_build_state s = {0};
    const char *out = cli_output(c), *pos[2];
    interp_take_opts(c, &s.o, true);
    int rc = cli_args(c, 2, 2, pos);
    if (!rc && !out)
        rc = cli_usage_error("missing -o FILE (usage: sparsefirst interp-weights [options] XP XNEW --axis K -o W.sfw)");
    if (!rc) rc = weights(c, pos, out, &s);
    interp_build_free(&s);
    return rc;
}
