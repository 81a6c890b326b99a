/* sparsefirst assemble: a sparse matrix summed from element matrices (P4):
 * the CSR pattern with its slot map, then the numeric scatter-add. */
#include <stdio.h>

#include "cli.h"

const char cmd_assemble_usage[] =
    "usage: sparsefirst assemble [options] CONN KE --nodes N -o K.mtx\n"
    "\n"
    "K = sum over elements e of KE[e] placed at rows and columns CONN[e]:\n"
    "K[CONN[e,a], CONN[e,b]] += KE[e,a,b], duplicates summed.  CONN: .npy int32 or\n"
    "int64 (E, k) node numbers in [0, N); KE: .npy float64 (E, k, k).  Options:\n"
    "  --nodes N          the number of nodes, K is N x N (required)\n"
    "  -o, --output FILE  where to write K (.mtx, required)\n"
    "The compute step timed by --time is the symbolic (pattern and slot map) and\n"
    "numeric assembly together.\n";

typedef struct assemble_state {
    int64_t nodes;
    sf_array *conn, *ke;
    sf_jac_pattern *jp;
} assemble_state;

static sf_status assemble(sf_ctx *ctx, void *arg) {
    assemble_state *s = arg;
    int64_t E = s->conn->shape.dim[0];
    int k = (int)s->conn->shape.dim[1];
    sf_status st = s->conn->dtype == SF_NPY_I8
                       ? sf_assembly_pattern(ctx, s->nodes, E, k, s->conn->data, &s->jp)
                       : sf_assembly_pattern_i32(ctx, s->nodes, E, k, s->conn->data, &s->jp);
    return st ? st : sf_assemble(ctx, s->jp, s->ke->data);
}

static void drop(void *arg) {
    assemble_state *s = arg;
    sf_jac_pattern_free(s->jp);
    s->jp = NULL;
}

/* CONN is (E, k) integers; KE is float64 (E, k, k). */
static int check_inputs(const char *pc, const char *pk, const assemble_state *s) {
    char a[160], b[160];
    const sf_shape *cs = &s->conn->shape, *ks = &s->ke->shape;
    if ((s->conn->dtype != SF_NPY_I4 && s->conn->dtype != SF_NPY_I8) || cs->ndim != 2)
        return cli_error("%s: the connectivity must be an int32 or int64 (E, k) array, not %s %s", pc,
                         sf_npy_dtype_descr(s->conn->dtype), sf_shape_format(cs, a, sizeof a));
    if (cs->dim[1] > 1024) return cli_error("%s: elements of %lld nodes (at most 1024)", pc, (long long)cs->dim[1]);
    if (s->ke->dtype != SF_NPY_F8 || ks->ndim != 3 || ks->dim[0] != cs->dim[0] ||
        ks->dim[1] != cs->dim[1] || ks->dim[2] != cs->dim[1])
        return cli_error("%s: element matrices %s %s do not match the connectivity %s: expected "
                         "float64 (%lld, %lld, %lld)", pk, sf_npy_dtype_descr(s->ke->dtype),
                         sf_shape_format(ks, a, sizeof a), sf_shape_format(cs, b, sizeof b),
                         (long long)cs->dim[0], (long long)cs->dim[1], (long long)cs->dim[1]);
    return CLI_OK;
}

static int run_assemble(cli *c, const char *const *pos, const char *out, assemble_state *s) {
    if (sf_npy_read(c->ctx, pos[0], &s->conn)) return cli_ctx_error(c, pos[0]);
    if (sf_npy_read(c->ctx, pos[1], &s->ke)) return cli_ctx_error(c, pos[1]);
    int rc = check_inputs(pos[0], pos[1], s);
    if (rc || (rc = cli_timed(c, pos[0], assemble, drop, s))) return rc;
    return sf_mm_write(c->ctx, out, sf_jac_pattern_matrix(s->jp)) ? cli_ctx_error(c, out) : CLI_OK;
}

int cmd_assemble(cli *c) {
    assemble_state s = {.nodes = cli_int(c, "--nodes", -1, 0, SF_MAX_DIM)};
    const char *out = cli_output(c), *pos[2];
    int rc = cli_args(c, 2, 2, pos);
    if (!rc && s.nodes < 0) rc = cli_usage_error("missing --nodes N (usage: sparsefirst assemble [options] CONN KE --nodes N -o K.mtx)");
    if (!rc && !out) rc = cli_usage_error("missing -o FILE (usage: sparsefirst assemble [options] CONN KE --nodes N -o K.mtx)");
    if (!rc && cli_format_of(out) != CLI_FORMAT_MTX)
        rc = cli_usage_error("the assembled matrix is written as .mtx, not '%s'", out);
    if (!rc) rc = run_assemble(c, pos, out, &s);
    sf_jac_pattern_free(s.jp);
    sf_array_free(s.conn);
    sf_array_free(s.ke);
    return rc;
}
