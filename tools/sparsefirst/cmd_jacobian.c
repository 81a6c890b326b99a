/* sparsefirst jacobian: the Jacobian of an elementwise function of an array
 * of any shape, written as its diagonal (one stored entry per element, P1). */
#include <math.h>
#include <string.h>

#include "cli.h"

const char cmd_jacobian_usage[] =
    "usage: sparsefirst jacobian [options] --fn NAME X -o J.mtx\n"
    "\n"
    "The Jacobian of y = f(x) applied elementwise to X (.npy, float64 or integer,\n"
    "any shape, 0-d too): an n x n diagonal, n = the size of X, row and column i\n"
    "being element i of X in C order.  J.mtx holds exactly one stored entry per\n"
    "element, explicit zeros included (relu at x <= 0).  Options:\n"
    "  --fn NAME          square, power, exp, log, sqrt, sin, cos, tanh, sigmoid,\n"
    "                     softplus, abs, relu (required)\n"
    "  --p P              the exponent of power: f(x) = x^P (required with power)\n"
    "  -o, --output FILE  where to write J (.mtx, required)\n"
    "  --values FILE      also write f(X) (.npy, the shape of X)\n"
    "Outside a domain (log or sqrt of x < 0) value and derivative are NaN;\n"
    "abs'(0) = relu'(0) = 0.  The compute step timed by --time is building J.\n";

typedef struct jac_state {
    sf_elem_fn fn;
    double p;
    sf_array *x, *fx;
    sf_mat *J;
} jac_state;

static sf_status build(sf_ctx *ctx, void *arg) {
    jac_state *s = arg;
    return sf_jac_elementwise(ctx, s->fn, s->p, &s->x->shape, s->x->data,
                              s->fx ? s->fx->data : NULL, &s->J);
}

static void drop(void *arg) {
    jac_state *s = arg;
    sf_mat_free(s->J);
    s->J = NULL;
}

/* X as float64: integer arrays are converted, complex ones rejected. */
static int read_x(cli *c, const char *path, sf_array **out) {
    sf_array *a = NULL;
    if (sf_npy_read(c->ctx, path, &a)) return cli_ctx_error(c, path);
    if (a->dtype == SF_NPY_F8) {
        *out = a;
        return CLI_OK;
    }
    int rc = CLI_OK;
    if (a->dtype == SF_NPY_C16) rc = cli_error("%s: complex arrays are not supported", path);
    else if (cli_array_to_f8(c->ctx, a, out)) rc = cli_ctx_error(c, path);
    sf_array_free(a);
    return rc;
}

/* --fn and --p: a usage error for an unknown name or a missing/stray --p. */
static int take_fn(cli *c, jac_state *s) {
    const char *name = cli_string(c, "--fn");
    s->p = cli_double(c, "--p", NAN);
    if (c->usage_error[0]) return cli_usage_error("%s", c->usage_error); /* e.g. --p abc */
    if (!name) return cli_usage_error("missing --fn NAME (usage: sparsefirst jacobian [options] --fn NAME X -o J.mtx)");
    if (sf_elem_fn_from_name(c->ctx, name, &s->fn))
        return cli_usage_error("bad value for '--fn': '%s' (expected square, power, exp, log, sqrt, "
                               "sin, cos, tanh, sigmoid, softplus, abs or relu)", name);
    if (s->fn == SF_FN_POWER && isnan(s->p)) return cli_usage_error("--fn power needs --p P");
    if (s->fn != SF_FN_POWER && !isnan(s->p)) return cli_usage_error("--p is only used by --fn power");
    return CLI_OK;
}

static int jacobian(cli *c, const char *px, const char *out, const char *values, jac_state *s) {
    int rc = read_x(c, px, &s->x);
    if (rc) return rc;
    if (values && sf_array_create(c->ctx, SF_NPY_F8, &s->x->shape, &s->fx)) return cli_ctx_error(c, values);
    if ((rc = cli_timed(c, px, build, drop, s))) return rc;
    if (sf_mm_write(c->ctx, out, s->J)) return cli_ctx_error(c, out);
    if (values && sf_npy_write(c->ctx, values, SF_NPY_F8, &s->fx->shape, s->fx->data)) {
        cli_discard_output(out); /* both outputs or neither */
        return cli_ctx_error(c, values);
    }
    return CLI_OK;
}

/* The output must be Matrix Market: a dense .npy would be the n x n array
 * this command exists to avoid. */
static int check_outputs(const char *out, const char *values) {
    if (!out) return cli_usage_error("missing -o FILE (usage: sparsefirst jacobian [options] --fn NAME X -o J.mtx)");
    if (cli_format_of(out) != CLI_FORMAT_MTX)
        return cli_usage_error("the Jacobian is written as .mtx, not '%s'", out);
    if (values && cli_format_of(values) != CLI_FORMAT_NPY)
        return cli_usage_error("--values is written as .npy, not '%s'", values);
    return CLI_OK;
}

int cmd_jacobian(cli *c) {
    jac_state s = {0};
    const char *out = cli_output(c), *values = cli_string(c, "--values"), *pos[1];
    int rc = take_fn(c, &s);
    if (!rc) rc = cli_args(c, 1, 1, pos);
    if (!rc) rc = check_outputs(out, values);
    if (!rc) rc = jacobian(c, pos[0], out, values, &s);
    sf_mat_free(s.J);
    sf_array_free(s.x);
    sf_array_free(s.fx);
    return rc;
}
