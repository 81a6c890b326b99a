/* Curtis-Powell-Reid grouping of structurally orthogonal columns (no row
 * has a nonzero in two columns of the same group) by greedy colouring: colour
 * c is the smallest not used by a column sharing a row with the current one.
 * Two orders are tried: largest-first (more nonzeros first; 9 colours on a
 * 9-point stencil) and, unless that meets the bound max-nonzeros-per-row,
 * smallest-last (5 on a 5-point stencil, where largest-first needs 7).  A few
 * rounds of iterated greedy (recolour class by class, last class first) may
 * then lower the count; they stop at the bound or when a round gains nothing. */
#include "deriv_internal.h"

/* Columns by decreasing count, ties by increasing index (counting sort). */
static sf_status largest_first(sf_ctx *ctx, const sf_jac_pattern *jp, int32_t *order) {
    int64_t n = jp->m->cols, maxdeg = 0;
    for (int64_t j = 0; j < n; j++)
        if (jp->colptr[j + 1] - jp->colptr[j] > maxdeg) maxdeg = jp->colptr[j + 1] - jp->colptr[j];
    int64_t *start = sf_calloc(ctx, (size_t)maxdeg + 2, sizeof *start, "colouring buckets");
    SF_CHECK_ALLOC(ctx, start);
    for (int64_t j = 0; j < n; j++) start[maxdeg - (jp->colptr[j + 1] - jp->colptr[j]) + 1]++;
    for (int64_t d = 0; d <= maxdeg; d++) start[d + 1] += start[d];
    for (int64_t j = 0; j < n; j++)
        order[start[maxdeg - (jp->colptr[j + 1] - jp->colptr[j])]++] = (int32_t)j;
    sf_free(ctx, start);
    return SF_OK;
}

/* Smallest-last ordering (Matula-Beck) of the column intersection graph:
 * repeatedly take out a column of least remaining degree and colour in the
 * reverse order of removal.  Finds 5 colours for a 5-point stencil, where
 * largest-first needs 7.  Workspace: 5 int32 per column. */
typedef struct slo {
    int32_t *deg, *head, *next, *prev, *mark;
} slo;

/* Visit each neighbour c of column j (a column sharing a row with it) once. */
#define FOR_NEIGHBOURS(jp, j, mark, c, body)                                                   \
    for (int64_t q_ = (jp)->colptr[j]; q_ < (jp)->colptr[(j) + 1]; q_++) {                    \
        int32_t r_ = (jp)->rowind[q_];                                                         \
        for (int64_t p_ = (jp)->m->u.csr.rowptr[r_]; p_ < (jp)->m->u.csr.rowptr[r_ + 1]; p_++) { \
            int32_t c = (jp)->m->u.csr.colind[p_];                                             \
            if (c == (j) || (mark)[c] == (j)) continue;                                        \
            (mark)[c] = (j);                                                                   \
            body                                                                               \
        }                                                                                      \
    }

static void bucket_insert(slo *s, int32_t j) {
    int32_t d = s->deg[j];
    s->prev[j] = -1;
    s->next[j] = s->head[d];
    if (s->head[d] >= 0) s->prev[s->head[d]] = j;
    s->head[d] = j;
}

static void bucket_remove(slo *s, int32_t j) {
    if (s->prev[j] >= 0) s->next[s->prev[j]] = s->next[j];
    else s->head[s->deg[j]] = s->next[j];
    if (s->next[j] >= 0) s->prev[s->next[j]] = s->prev[j];
}

static void smallest_last(const sf_jac_pattern *jp, slo *s, int32_t *order) {
    int32_t n = (int32_t)jp->m->cols;
    for (int32_t j = 0; j < n; j++) s->mark[j] = -1, s->head[j] = -1, s->deg[j] = 0;
    for (int32_t j = 0; j < n; j++) FOR_NEIGHBOURS(jp, j, s->mark, c, { s->deg[j]++; (void)c; })
    for (int32_t j = 0; j < n; j++) bucket_insert(s, j);
    for (int32_t j = 0; j < n; j++) s->mark[j] = -1;
    int32_t mind = 0;
    for (int32_t t = n - 1; t >= 0; t--) {
        while (s->head[mind] < 0) mind++;
        int32_t j = s->head[mind];
        bucket_remove(s, j);
        order[t] = j;
        s->deg[j] = -1; /* taken out */
        FOR_NEIGHBOURS(jp, j, s->mark, c, {
            if (s->deg[c] > 0) {
                bucket_remove(s, c);
                s->deg[c]--;
                bucket_insert(s, c);
            }
        })
        mind = mind > 0 ? mind - 1 : 0;
    }
}

static sf_status smallest_last_order(sf_ctx *ctx, const sf_jac_pattern *jp, int32_t *order) {
    size_t n = (size_t)jp->m->cols + 1;
    int32_t *ws = sf_alloc_array(ctx, 5 * n, sizeof *ws, "smallest-last workspace");
    SF_CHECK_ALLOC(ctx, ws);
    slo s = {ws, ws + n, ws + 2 * n, ws + 3 * n, ws + 4 * n};
    smallest_last(jp, &s, order);
    sf_free(ctx, ws);
    return SF_OK;
}

/* Greedy colouring; forbid[c] == j marks colour c as taken for column j. */
static int64_t greedy(const sf_jac_pattern *jp, const int32_t *order, int32_t *color,
                      int32_t *forbid) {
    const sf_mat *m = jp->m;
    int64_t n = m->cols, ncolors = 0;
    for (int64_t j = 0; j < n; j++) color[j] = -1;
    for (int64_t j = 0; j <= n; j++) forbid[j] = -1;
    for (int64_t t = 0; t < n; t++) {
        int32_t j = order[t];
        for (int64_t q = jp->colptr[j]; q < jp->colptr[j + 1]; q++) {
            int32_t r = jp->rowind[q];
            for (int64_t p = m->u.csr.rowptr[r]; p < m->u.csr.rowptr[r + 1]; p++) {
                int32_t c = color[m->u.csr.colind[p]];
                if (c >= 0) forbid[c] = j;
            }
        }
        int32_t c = 0;
        while (forbid[c] == j) c++;
        color[j] = c;
        if (c + 1 > ncolors) ncolors = c + 1;
    }
    return ncolors;
}

/* cptr/ccols: the columns of each colour, increasing. */
static sf_status group(sf_ctx *ctx, sf_jac_pattern *jp, const int32_t *color, int64_t ncolors) {
    int64_t n = jp->m->cols;
    jp->cptr = sf_calloc(ctx, (size_t)ncolors + 1, sizeof(int64_t), "colour group offsets");
    if (jp->cptr) jp->ccols = sf_alloc_array(ctx, (size_t)n, sizeof(int32_t), "colour groups");
    if (!jp->ccols) return sf_last_alloc_status(ctx);
    for (int64_t j = 0; j < n; j++) jp->cptr[color[j] + 1]++;
    for (int64_t c = 0; c < ncolors; c++) jp->cptr[c + 1] += jp->cptr[c];
    for (int64_t j = 0; j < n; j++) jp->ccols[jp->cptr[color[j]]++] = (int32_t)j;
    for (int64_t c = ncolors; c > 0; c--) jp->cptr[c] = jp->cptr[c - 1];
    jp->cptr[0] = 0;
    jp->ncolors = ncolors;
    return SF_OK;
}

/* Columns by colour class, the classes in reverse order (Culberson's
 * iterated greedy: recolouring in this order never needs more colours). */
static void reverse_classes(const sf_jac_pattern *jp, const int32_t *color, int64_t ncolors,
                            int32_t *order, int64_t *start) {
    int64_t n = jp->m->cols;
    for (int64_t c = 0; c <= ncolors; c++) start[c] = 0;
    for (int64_t j = 0; j < n; j++) start[ncolors - color[j]]++;
    for (int64_t c = 0; c < ncolors; c++) start[c + 1] += start[c];
    for (int64_t j = 0; j < n; j++) order[start[ncolors - 1 - color[j]]++] = (int32_t)j;
}

/* The most columns any row holds: no colouring needs fewer colours. */
static int64_t lower_bound(const sf_mat *m) {
    int64_t best = 0;
    for (int64_t i = 0; i < m->rows; i++)
        if (m->u.csr.rowptr[i + 1] - m->u.csr.rowptr[i] > best)
            best = m->u.csr.rowptr[i + 1] - m->u.csr.rowptr[i];
    return best;
}

/* Greedy colouring in two orders (largest-first, then smallest-last unless
 * the first already meets the bound), the better one kept in color. */
static sf_status best_of_two(sf_ctx *ctx, const sf_jac_pattern *jp, int32_t *order, int32_t *order2,
                             int32_t *color, int32_t *forbid, int64_t bound, int64_t *ncolors) {
    sf_status st = largest_first(ctx, jp, order);
    if (st) return st;
    *ncolors = greedy(jp, order, color, forbid);
    if (*ncolors <= bound || (st = smallest_last_order(ctx, jp, order2))) return st;
    int64_t slo = greedy(jp, order2, color, forbid);
    if (slo < *ncolors) *ncolors = slo;
    else greedy(jp, order, color, forbid); /* largest-first was better: redo it */
    return SF_OK;
}

#define RECOLOR_ROUNDS 4

sf_status deriv_color_columns(sf_ctx *ctx, sf_jac_pattern *jp) {
    size_t n = (size_t)jp->m->cols + 1;
    int32_t *ws = sf_alloc_array(ctx, 4 * n, sizeof *ws, "colouring workspace");
    int64_t *start = ws ? sf_alloc_array(ctx, n + 1, sizeof *start, "colour classes") : NULL;
    if (!start) {
        sf_free(ctx, ws);
        return sf_last_alloc_status(ctx);
    }
    int32_t *order = ws, *order2 = ws + n, *color = ws + 2 * n, *forbid = ws + 3 * n;
    int64_t ncolors = 0, bound = lower_bound(jp->m);
    sf_status st = best_of_two(ctx, jp, order, order2, color, forbid, bound, &ncolors);
    for (int r = 0, better = 1; !st && r < RECOLOR_ROUNDS && better && ncolors > bound; r++) {
        reverse_classes(jp, color, ncolors, order, start);
        int64_t again = greedy(jp, order, color, forbid);
        better = again < ncolors; /* a round that gains nothing ends the rounds */
        ncolors = again;
    }
    if (!st) st = group(ctx, jp, color, ncolors);
    sf_free(ctx, ws);
    sf_free(ctx, start);
    return st;
}
