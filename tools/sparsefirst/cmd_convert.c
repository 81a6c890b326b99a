/* sparsefirst convert: between Matrix Market and .npy, by extension.  The
 * input is read (untimed), turned into what the output format stores (the
 * timed compute step), and written (untimed). */
#include <stdio.h>

#include "cli.h"

const char cmd_convert_usage[] =
    "usage: sparsefirst convert [options] IN OUT\n"
    "\n"
    "Convert by extension between .mtx and .npy:\n"
    "  .mtx -> .npy   dense float64 array (rows, cols)\n"
    "  .npy -> .mtx   coordinate real general, exact zeros dropped; a 1-d array\n"
    "                 of n is an n x 1 matrix; integers become float64\n"
    "  .mtx -> .mtx   coordinate real general (symmetry expanded, duplicates summed)\n"
    "  .npy -> .npy   float64 array of the same shape\n"
    "Complex arrays are an error.  Options:\n"
    "  --array        write .mtx as 'array real general' (every entry, column-major)\n"
    "The compute step timed by --time is the conversion between the two forms.\n";

typedef struct convert_state {
    sf_mat *m;     /* input matrix (.mtx to coordinate .mtx) */
    sf_array *a;   /* input array (.npy, or .mtx to an array) */
    sf_mat *mout;  /* output as a matrix: coordinate .mtx */
    sf_array *out; /* output as an array: .npy or array .mtx */
} convert_state;

static sf_status array_to_f8(sf_ctx *ctx, void *arg) {
    convert_state *s = arg;
    return cli_array_to_f8(ctx, s->a, &s->out);
}

static sf_status array_to_mat(sf_ctx *ctx, void *arg) {
    convert_state *s = arg;
    sf_array *f = NULL;
    sf_status st = cli_array_to_f8(ctx, s->a, &f);
    if (!st) st = cli_array_to_mat(ctx, f, &s->mout);
    sf_array_free(f);
    return st;
}

/* .mtx to coordinate .mtx: the handle already is what gets written. */
static sf_status nothing(sf_ctx *ctx, void *arg) {
    (void)ctx;
    (void)arg;
    return SF_OK;
}

static void drop_outputs(void *arg) {
    convert_state *s = arg;
    sf_mat_free(s->mout);
    sf_array_free(s->out);
    s->mout = NULL;
    s->out = NULL;
}

/* .mtx to an array (.npy, or --array): read as an array, which keeps an
 * array file's values exactly (-0.0 included); to coordinate .mtx: a handle. */
static int read_input(cli *c, const char *in, bool to_array, convert_state *s) {
    if (cli_format_of(in) == CLI_FORMAT_MTX && to_array)
        return sf_mm_read_array(c->ctx, in, &s->a, NULL) ? cli_ctx_error(c, in) : CLI_OK;
    if (cli_format_of(in) == CLI_FORMAT_MTX)
        return sf_mm_read(c->ctx, in, &s->m, NULL) ? cli_ctx_error(c, in) : CLI_OK;
    if (sf_npy_read(c->ctx, in, &s->a)) return cli_ctx_error(c, in);
    if (s->a->dtype == SF_NPY_C16)
        return cli_error("%s: complex arrays (dtype '<c16') cannot be converted", in);
    return CLI_OK;
}

static int convert(cli *c, const char *in, const char *out, bool array, convert_state *s) {
    bool to_npy = cli_format_of(out) == CLI_FORMAT_NPY;
    int rc = read_input(c, in, to_npy || array, s);
    if (rc) return rc;
    char why[512];
    if (s->a && !to_npy && cli_matrix_problem(s->a, why, sizeof why))
        return cli_error("%s: %s", in, why);
    cli_step_fn step = s->m ? nothing : to_npy || array ? array_to_f8 : array_to_mat;
    if ((rc = cli_timed(c, in, step, drop_outputs, s))) return rc;
    if (s->out) return cli_write_array(c, out, s->out);
    return cli_write_mat(c, out, s->mout ? s->mout : s->m);
}

int cmd_convert(cli *c) {
    bool array = cli_flag(c, "--array");
    const char *pos[2];
    int rc = cli_args(c, 2, 2, pos);
    if (!rc) rc = cli_check_format(pos[0]);
    if (!rc) rc = cli_check_format(pos[1]);
    if (rc) return rc;
    convert_state s = {0};
    rc = convert(c, pos[0], pos[1], array, &s);
    drop_outputs(&s);
    sf_mat_free(s.m);
    sf_array_free(s.a);
    return rc;
}
