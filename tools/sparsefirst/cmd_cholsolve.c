/* sparsefirst cholsolve: X = A^-1 B by sparse Cholesky (CHOLMOD). */
#include <stdio.h>

#include "cli.h"

const char cmd_cholsolve_usage[] =
    "usage: sparsefirst cholsolve [options] A B -o X\n"
    "\n"
    "Solve A X = B for a symmetric positive definite A (.mtx, a symmetric file or a\n"
    "full one: only the lower triangle is read) and a dense B (.npy float64, 1-d of\n"
    "length n or 2-d (n, k)); X (.npy, or .mtx) has B's shape.  A matrix that is\n"
    "not positive definite is an error naming the column.  Options:\n"
    "  -o, --output FILE  where to write X (required)\n"
    "The compute step timed by --time is the factorization and the solve.\n";

typedef struct chol_state {
    sf_mat *A;
    sf_chol *ch;
    sf_array *B, *X;
    sf_dense bv, xv;
} chol_state;

static sf_status factor_solve(sf_ctx *ctx, void *arg) {
    chol_state *s = arg;
    sf_status st = sf_chol_factor(ctx, s->A, 0, &s->ch);
    return st ? st : sf_chol_solve(ctx, s->ch, &s->bv, &s->xv);
}

static void drop_factor(void *arg) {
    chol_state *s = arg;
    sf_chol_free(s->ch);
    s->ch = NULL;
}

static int cholsolve(cli *c, const char *pa, const char *pb, const char *out, chol_state *s) {
    int rc = cli_read_mat(c, pa, &s->A, NULL);
    if (rc || (rc = cli_read_array(c, pb, &s->B))) return rc;
    if ((rc = cli_rhs_views(c, s->A, "A", pa, pb, s->B, &s->X, &s->bv, &s->xv))) return rc;
    if ((rc = cli_timed(c, pa, factor_solve, drop_factor, s))) return rc;
    return cli_write_array(c, out, s->X);
}

int cmd_cholsolve(cli *c) {
    const char *out = cli_output(c), *pos[2];
    chol_state s = {0};
    int rc = cli_args(c, 2, 2, pos);
    if (!rc && !out) rc = cli_usage_error("missing -o FILE (usage: sparsefirst cholsolve [options] A B -o X)");
    if (!rc) rc = cli_check_format(pos[0]);
    if (!rc) rc = cli_check_format(pos[1]);
    if (!rc) rc = cli_check_format(out);
    if (!rc) rc = cholsolve(c, pos[0], pos[1], out, &s);
    sf_chol_free(s.ch);
    sf_mat_free(s.A);
    sf_array_free(s.B);
    sf_array_free(s.X);
    return rc;
}
