/* Options and inputs shared by the interpolation subcommands. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd_interp_opts.h"

enum { AXIS_ABSENT = 100 };

/* Record a usage error through the helpers' channel (the first one wins). */
static void usage_problem(cli *c, const char *what, const char *v, const char *expected) {
    if (!c->usage_error[0])
        snprintf(c->usage_error, sizeof c->usage_error, "bad value for '%s': '%s' (expected %s)",
                 what, v, expected);
}

static void take_method(cli *c, interp_opts *o) {
    const char *v = cli_string(c, "--method");
    if (!v || !strcmp(v, "linear")) o->method = SF_INTERP_LINEAR;
    else if (!strcmp(v, "nearest")) o->method = SF_INTERP_NEAREST;
    else if (!strcmp(v, "log")) o->method = SF_INTERP_LOG;
    else usage_problem(c, "--method", v, "linear, nearest or log");
}

static void take_extrapolate(cli *c, interp_opts *o) {
    const char *v = cli_string(c, "--extrapolate");
    char *end;
    o->fill = 0;
    if (!v || !strcmp(v, "clamp")) o->extrapolate = SF_EXTRAP_CLAMP;
    else if (!strcmp(v, "nan")) o->extrapolate = SF_EXTRAP_NAN;
    else if (!strcmp(v, "linear")) o->extrapolate = SF_EXTRAP_LINEAR;
    else if ((o->fill = strtod(v, &end)), end != v && !*end && isfinite(o->fill))
        o->extrapolate = SF_EXTRAP_CONSTANT;
    else usage_problem(c, "--extrapolate", v, "clamp, nan, linear or a finite number");
}

/* "D0,D1,..." with 1 to 8 non-negative extents. */
static bool parse_shape(const char *v, sf_shape *s) {
    s->ndim = 0;
    const char *p = v;
    while (*p) {
        char *end;
        errno = 0;
        long long d = strtoll(p, &end, 10);
        if (end == p || d < 0 || errno || s->ndim == SF_MAX_NDIM || (*end && *end != ','))
            return false;
        s->dim[s->ndim++] = d;
        p = *end ? end + 1 : end;
        if (*end && !*p) return false;
    }
    return s->ndim > 0;
}

void interp_take_opts(cli *c, interp_opts *o, bool allow_shape) {
    o->axis = (int)cli_int(c, "--axis", AXIS_ABSENT, -SF_MAX_NDIM, SF_MAX_NDIM - 1);
    if (o->axis == AXIS_ABSENT && !c->usage_error[0])
        snprintf(c->usage_error, sizeof c->usage_error, "missing --axis K");
    take_method(c, o);
    take_extrapolate(c, o);
    if (o->method == SF_INTERP_NEAREST && o->extrapolate == SF_EXTRAP_LINEAR &&
        !c->usage_error[0])
        snprintf(c->usage_error, sizeof c->usage_error,
                 "--extrapolate linear is not defined for --method nearest");
    const char *s = allow_shape ? cli_string(c, "--shape") : NULL;
    o->has_shape = s != NULL;
    if (s && !parse_shape(s, &o->shape))
        usage_problem(c, "--shape", s, "extents separated by commas, e.g. 2,66,250,400");
}

int interp_axis(const interp_opts *o, int ndim, int *axis) {
    int a = o->axis < 0 ? o->axis + ndim : o->axis;
    if (a < 0 || a >= ndim)
        return cli_usage_error("--axis %d is out of range for %d-d data", o->axis, ndim);
    *axis = a;
    return CLI_OK;
}

int interp_read_f8(cli *c, const char *path, sf_array **out) {
    sf_array *a = NULL;
    int rc = cli_read_array(c, path, &a);
    if (rc) return rc;
    if (a->dtype == SF_NPY_C16) {
        sf_array_free(a);
        return cli_error("%s: complex arrays cannot be interpolated", path);
    }
    if (a->dtype == SF_NPY_F8) {
        *out = a;
        return CLI_OK;
    }
    sf_status st = cli_array_to_f8(c->ctx, a, out);
    sf_array_free(a);
    return st ? cli_ctx_error(c, path) : CLI_OK;
}

sf_status interp_build_step(sf_ctx *ctx, void *state) {
    interp_build_state *s = state;
    if (!s->st)
        s->st = sf_interp_weights(ctx, s->xp->data, &s->xp->shape, s->xn->data, &s->xn->shape,
                                  &s->data, s->axis, s->o.method, s->o.extrapolate, s->o.fill, &s->W);
    return SF_OK;
}

void interp_drop_weights(void *state) {
    interp_build_state *s = state;
    sf_mat_free(s->W);
    s->W = NULL;
}

void interp_build_free(interp_build_state *s) {
    interp_drop_weights(s);
    sf_array_free(s->xp);
    sf_array_free(s->xn);
}

int interp_build_error(cli *c, const char *xp_path, const char *xnew_path, const char *data_path) {
    const char *msg = sf_ctx_message(c->ctx);
    if (strstr(msg, "target")) return cli_ctx_error(c, xnew_path);
    if (strstr(msg, "source coordinate")) return cli_ctx_error(c, xp_path);
    /* the data's shape, or no one file (a memory limit): the message alone */
    return cli_ctx_error(c, strstr(msg, "data shape") ? data_path : NULL);
}
