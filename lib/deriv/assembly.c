/* Element assembly (P4).  Symbolic: connectivity -> CSR pattern of
 * K = sum_e P_e^T K_e P_e and a map from every element entry (e, a, b) to its
 * CSR slot, in O(E k^2) through the node -> element-entry incidence lists.
 * Numeric: zero the values and scatter-add through the map, in element order,
 * so the sums never depend on threads and nothing is allocated. */
#include <string.h>

#include "deriv_internal.h"

/* Node number q of the connectivity, int32 or int64. */
typedef struct conn_view {
    const void *p;
    bool wide;
    int64_t nelem;
    int k;
    int shift; /* incidence entries are e << shift | a: no division in the loops */
} conn_view;

static inline int64_t node_at(const conn_view *c, int64_t q) {
    return c->wide ? ((const int64_t *)c->p)[q] : ((const int32_t *)c->p)[q];
}

static sf_status validate(sf_ctx *ctx, const conn_view *c, int64_t nodes) {
    for (int64_t q = 0; q < c->nelem * c->k; q++) {
        int64_t v = node_at(c, q);
        if (v < 0 || v >= nodes)
            return sf_error(ctx, SF_ERR_INDEX,
                            "assembly: element %lld, position %lld: node %lld is out of range [0, %lld)",
                            (long long)(q / c->k), (long long)(q % c->k), (long long)v,
                            (long long)nodes);
    }
    return SF_OK;
}

/* incptr/inc: for every node, the element entries (e << shift | a) naming it. */
static sf_status incidence(sf_ctx *ctx, const conn_view *c, int64_t nodes, int64_t **incptr,
                           int64_t **inc) {
    int64_t nq = c->nelem * c->k;
    int64_t *ptr = sf_calloc(ctx, (size_t)nodes + 1, sizeof *ptr, "assembly incidence offsets");
    int64_t *list = ptr ? sf_alloc_array(ctx, (size_t)nq, sizeof *list, "assembly incidence") : NULL;
    if (!list) {
        sf_free(ctx, ptr);
        return sf_last_alloc_status(ctx);
    }
    for (int64_t q = 0; q < nq; q++) ptr[node_at(c, q) + 1]++;
    for (int64_t i = 0; i < nodes; i++) ptr[i + 1] += ptr[i];
    for (int64_t e = 0, q = 0; e < c->nelem; e++)
        for (int64_t a = 0; a < c->k; a++, q++) list[ptr[node_at(c, q)]++] = e << c->shift | a;
    for (int64_t i = nodes; i > 0; i--) ptr[i] = ptr[i - 1];
    ptr[0] = 0;
    *incptr = ptr;
    *inc = list;
    return SF_OK;
}

/* Row i's distinct columns: the nodes of every element containing i, written
 * to cols (room for all candidates: every candidate is stored, and kept only
 * if new, so that the unpredictable "seen" test is not a branch).
 * mark[j] == i means j was seen in row i.  Returns the count. */
static inline __attribute__((always_inline)) int64_t
row_columns(const conn_view *c, const int64_t *incptr, const int64_t *inc, int64_t i,
            int64_t *mark, int32_t *cols) {
    int64_t cnt = 0;
    for (int64_t t = incptr[i]; t < incptr[i + 1]; t++) {
        int64_t e = inc[t] >> c->shift;
        for (int b = 0; b < c->k; b++) {
            int64_t j = node_at(c, e * c->k + b);
            cols[cnt] = (int32_t)j;
            cnt += mark[j] != i;
            mark[j] = i;
        }
    }
    return cnt;
}

static void sort_small(int32_t *a, int64_t n) { /* insertion sort: rows are short */
    for (int64_t i = 1; i < n; i++) {
        int32_t v = a[i];
        int64_t j = i;
        for (; j > 0 && a[j - 1] > v; j--) a[j] = a[j - 1];
        a[j] = v;
    }
}

/* One pass over the rows, in order, so that each row's offset is known when
 * it is written: its distinct columns sorted, then the map entries of every
 * element entry in the row (pos = mark[j] is the slot of column j). */
static inline __attribute__((always_inline)) int64_t
fill_rows(const conn_view *c, const int64_t *incptr, const int64_t *inc, int64_t *mark,
          int64_t nodes, int64_t *rowptr, int32_t *colind, int64_t *map) {
    int64_t k = c->k, w = 0;
    for (int64_t j = 0; j < nodes; j++) mark[j] = -1;
    for (int64_t i = 0; i < nodes; i++) {
        rowptr[i] = w;
        int32_t *cols = colind + w;
        int64_t cnt = row_columns(c, incptr, inc, i, mark, cols);
        sort_small(cols, cnt);
        for (int64_t p = 0; p < cnt; p++) mark[cols[p]] = w + p; /* now pos[] */
        for (int64_t t = incptr[i]; t < incptr[i + 1]; t++) {
            int64_t e = inc[t] >> c->shift, a = inc[t] & (((int64_t)1 << c->shift) - 1);
            for (int64_t b = 0; b < k; b++) map[(e * k + a) * k + b] = mark[node_at(c, e * k + b)];
        }
        for (int64_t p = 0; p < cnt; p++) mark[cols[p]] = i; /* back to seen-marks for row i */
        w += cnt;
    }
    rowptr[nodes] = w;
    return w;
}

/* fill_rows with the element size and index width known to the compiler for
 * the common cases (unrolled inner loops, no width test per node read). */
static int64_t fill_rows_any(const conn_view *c, const int64_t *incptr, const int64_t *inc,
                             int64_t *mark, int64_t nodes, int64_t *rowptr, int32_t *colind,
                             int64_t *map) {
#define FILL_K(K, WIDE)                                                                   \
    if (c->k == (K) && c->wide == (WIDE)) {                                               \
        conn_view ck = {c->p, (WIDE), c->nelem, (K), c->shift};                           \
        return fill_rows(&ck, incptr, inc, mark, nodes, rowptr, colind, map);             \
    }
    FILL_K(3, true) FILL_K(4, true) FILL_K(8, true) FILL_K(3, false) FILL_K(4, false) FILL_K(8, false)
#undef FILL_K
    return fill_rows(c, incptr, inc, mark, nodes, rowptr, colind, map);
}

/* Move the column indices into a block of their exact size (huge pages
 * asked for before the copy touches it). */
static bool shrink(sf_ctx *ctx, int32_t **colind, int64_t nnz) {
    int32_t *exact = sf_alloc_array(ctx, (size_t)nnz, sizeof *exact, "CSR column indices");
    if (!exact) return false;
    memcpy(exact, *colind, (size_t)nnz * sizeof *exact);
    sf_free(ctx, *colind);
    *colind = exact;
    return true;
}

/* The CSR arrays and the map.  Column indices are first given room for the
 * upper bound (every element entry distinct), filled compactly in one pass,
 * then shrunk: the untouched tail is never paged in. */
static sf_status symbolic(sf_ctx *ctx, const conn_view *c, int64_t nodes, const int64_t *incptr,
                          const int64_t *inc, int64_t *mark, sf_mat **out, int64_t **map) {
    size_t nq = (size_t)(c->nelem * c->k * c->k);
    sf_mat *m = NULL;
    sf_status st = sf_mat_new(ctx, SF_CSR, nodes, nodes, "assembly", &m);
    if (st) return st;
    sf_csr *a = &m->u.csr;
    int64_t *mp = sf_alloc_array(ctx, nq, sizeof *mp, "assembly slot map");
    if (mp) a->rowptr = sf_alloc_array(ctx, (size_t)nodes + 1, sizeof(int64_t), "CSR row offsets");
    if (a->rowptr) a->colind = sf_alloc_array(ctx, nq, sizeof(int32_t), "CSR column indices");
    if (a->colind) {
        m->nnz = fill_rows_any(c, incptr, inc, mark, nodes, a->rowptr, a->colind, mp);
        a->val = shrink(ctx, &a->colind, m->nnz)
                     ? sf_calloc(ctx, (size_t)m->nnz, sizeof(double), "CSR values") : NULL;
    }
    if (!a->val) {
        st = sf_last_alloc_status(ctx);
        sf_free(ctx, mp);
        sf_mat_free(m);
        return st;
    }
    *out = m;
    *map = mp;
    return SF_OK;
}

static sf_status assembly_pattern(sf_ctx *ctx, int64_t nodes, conn_view *c,
                                  sf_jac_pattern **out) {
    if (!ctx) return SF_ERR_ARG;
    if (!out || (c->nelem > 0 && c->k > 0 && !c->p))
        return sf_error(ctx, SF_ERR_ARG, "assembly: NULL argument");
    int64_t nq;
    if (c->nelem < 0 || c->k < 0 || !sf_mul_i64(c->nelem, (int64_t)c->k * c->k, &nq))
        return sf_error(ctx, SF_ERR_ARG, "assembly: bad element count %lld or size %d",
                        (long long)c->nelem, c->k);
    while (((int64_t)1 << c->shift) < c->k) c->shift++;
    sf_status st = sf_check_dims(ctx, nodes, nodes, "assembly");
    if (st || (st = validate(ctx, c, nodes))) return st;
    int64_t *incptr = NULL, *inc = NULL, *map = NULL;
    int64_t *mark = sf_alloc_array(ctx, (size_t)nodes + 1, sizeof *mark, "assembly marks");
    SF_CHECK_ALLOC(ctx, mark);
    sf_mat *m = NULL;
    if (!(st = incidence(ctx, c, nodes, &incptr, &inc)))
        st = symbolic(ctx, c, nodes, incptr, inc, mark, &m, &map);
    sf_free(ctx, mark);
    sf_free(ctx, incptr);
    sf_free(ctx, inc);
    sf_jac_pattern *jp = NULL;
    if (st || (st = deriv_pattern_wrap(ctx, m, &jp))) {
        sf_free(ctx, map);
        return st;
    }
    jp->map = map;
    jp->nelem = c->nelem;
    jp->k = c->k;
    *out = jp;
    return SF_OK;
}

sf_status sf_assembly_pattern(sf_ctx *ctx, int64_t nodes, int64_t nelem, int k,
                              const int64_t *conn, sf_jac_pattern **out) {
    conn_view c = {conn, true, nelem, k, 0};
    return assembly_pattern(ctx, nodes, &c, out);
}

sf_status sf_assembly_pattern_i32(sf_ctx *ctx, int64_t nodes, int64_t nelem, int k,
                                  const int32_t *conn, sf_jac_pattern **out) {
    conn_view c = {conn, false, nelem, k, 0};
    return assembly_pattern(ctx, nodes, &c, out);
}

static sf_status check_assembly(sf_ctx *ctx, const sf_jac_pattern *jp, const void *data,
                                const char *fn) {
    if (!jp || (!data && jp->nelem > 0)) return sf_error(ctx, SF_ERR_ARG, "%s: NULL argument", fn);
    if (!jp->map)
        return sf_error(ctx, SF_ERR_ARG, "%s: the handle was not made by sf_assembly_pattern", fn);
    return SF_OK;
}

sf_status sf_assemble(sf_ctx *ctx, sf_jac_pattern *jp, const double *ke) {
    if (!ctx) return SF_ERR_ARG;
    sf_status st = check_assembly(ctx, jp, ke, "sf_assemble");
    if (st) return st;
    double *val = jp->m->u.csr.val;
    const int64_t *map = jp->map;
    int64_t nq = jp->nelem * jp->k * jp->k;
    memset(val, 0, (size_t)jp->m->nnz * sizeof *val);
    for (int64_t q = 0; q < nq; q++) val[map[q]] += ke[q];
    sf_mat_values_changed(jp->m);
    return SF_OK;
}
