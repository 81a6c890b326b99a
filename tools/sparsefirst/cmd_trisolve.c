/* sparsefirst trisolve: X = op(T)^-1 B for a sparse triangular T (P2). */
#include <stdio.h>

#include "cli.h"

const char cmd_trisolve_usage[] =
    "usage: sparsefirst trisolve [options] T B -o X\n"
    "\n"
    "Solve op(T) X = B for a sparse triangular T (.mtx) and a dense B (.npy float64,\n"
    "1-d of length n or 2-d (n, k)); X (.npy, or .mtx) has B's shape.  T is lower\n"
    "triangular unless --upper; entries on the other side are an error unless\n"
    "--ignore-other; a missing or zero pivot is an error naming the row.  Options:\n"
    "  -o, --output FILE  where to write X (required)\n"
    "  --upper            T is upper triangular\n"
    "  --unit-diagonal    the diagonal is 1 (stored diagonal entries are not read)\n"
    "  --transpose        solve T^T X = B\n"
    "  --ignore-other     read only T's triangle, ignore entries on the other side\n"
    "The compute step timed by --time is the solve (the first run includes the\n"
    "analysis, later runs of --repeat reuse it).\n";

typedef struct tri_state {
    sf_mat *T;
    sf_array *B, *X;
    sf_dense bv, xv;
    sf_uplo uplo;
    sf_op op;
    sf_diag_type diag;
    unsigned flags;
} tri_state;

static sf_status solve(sf_ctx *ctx, void *arg) {
    tri_state *s = arg;
    return sf_tri_solve(ctx, s->T, s->uplo, s->op, s->diag, s->flags, 1.0, &s->bv, &s->xv);
}

static int trisolve(cli *c, const char *pt, const char *pb, const char *out, tri_state *s) {
    int rc = cli_read_mat(c, pt, &s->T, NULL);
    if (rc || (rc = cli_read_array(c, pb, &s->B))) return rc;
    if ((rc = cli_rhs_views(c, s->T, "T", pt, pb, s->B, &s->X, &s->bv, &s->xv))) return rc;
    if ((rc = cli_timed(c, pt, solve, NULL, s))) return rc;
    return cli_write_array(c, out, s->X);
}

int cmd_trisolve(cli *c) {
    const char *out = cli_output(c), *pos[2];
    tri_state s = {.uplo = cli_flag(c, "--upper") ? SF_UPPER : SF_LOWER,
                   .op = cli_flag(c, "--transpose") ? SF_OP_TRANSPOSE : SF_OP_NONE,
                   .diag = cli_flag(c, "--unit-diagonal") ? SF_UNIT : SF_NON_UNIT,
                   .flags = cli_flag(c, "--ignore-other") ? SF_TRI_IGNORE_OTHER : 0};
    int rc = cli_args(c, 2, 2, pos);
    if (!rc && !out) rc = cli_usage_error("missing -o FILE (usage: sparsefirst trisolve [options] T B -o X)");
    if (!rc) rc = cli_check_format(pos[0]);
    if (!rc) rc = cli_check_format(pos[1]);
    if (!rc) rc = cli_check_format(out);
    if (!rc) rc = trisolve(c, pos[0], pos[1], out, &s);
    sf_mat_free(s.T);
    sf_array_free(s.B);
    sf_array_free(s.X);
    return rc;
}
