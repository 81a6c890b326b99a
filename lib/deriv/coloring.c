/* Curtis-Powell-Reid grouping of structurally orthogonal columns (no row
 * has a nonzero in two columns of the same group) by greedy colouring: colour
 * c is the smallest not used by a column sharing a row with the current one,
 * found from per-row masks of the colours used (see greedy()).  Two orders
 * are tried: largest-first (more nonzeros first; 9 colours on a 9-point
 * stencil) and, unless that meets the bound max-nonzeros-per-row,
 * smallest-last (5 on a 5-point stencil, where largest-first needs 7).  A few
 * rounds of iterated greedy (recolour class by class, last class first) may
 * then lower the count; they stop at the bound or when a round gains nothing. */
#include <string.h>

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
 * largest-first needs 7.  On patterns without locality every neighbour
 * visit is a cache miss, so each column's degree, bucket links and visit
 * mark share one 16-byte record (one miss per neighbour, not four), and the
 * neighbours are gathered in stages with prefetches (see neighbours()). */
typedef struct slo_node {
    int32_t deg, next, prev, mark;
} slo_node;

typedef struct slo {
    slo_node *node;
    int32_t *head; /* head[d]: first column of remaining degree d, or -1 */
    int32_t *nb;   /* one column's neighbours */
} slo;

/* The neighbours of column j (columns sharing a row with it, each once, in
 * row order) into s->nb, marked with j; returns their number.  In stages,
 * each prefetching what the next reads, so that the misses of a stage (the
 * row offsets of j's rows, their column indices, the neighbours' records)
 * overlap instead of following one another. */
static int64_t neighbours(const sf_jac_pattern *jp, slo *s, int32_t j) {
    const int64_t *rp = jp->m->u.csr.rowptr;
    const int32_t *ci = jp->m->u.csr.colind;
    int64_t q0 = jp->colptr[j], q1 = jp->colptr[j + 1], cnt = 0;
    for (int64_t q = q0; q < q1; q++) __builtin_prefetch(rp + jp->rowind[q]);
    for (int64_t q = q0; q < q1; q++) __builtin_prefetch(ci + rp[jp->rowind[q]]);
    for (int64_t q = q0; q < q1; q++)
        for (int64_t p = rp[jp->rowind[q]]; p < rp[jp->rowind[q] + 1]; p++) {
            __builtin_prefetch(s->node + ci[p]);
            s->nb[cnt++] = ci[p];
        }
    int64_t kept = 0;
    for (int64_t t = 0; t < cnt; t++) {
        int32_t c = s->nb[t];
        if (c == j || s->node[c].mark == j) continue;
        s->node[c].mark = j;
        s->nb[kept++] = c;
    }
    return kept;
}

static void bucket_insert(slo *s, int32_t j) {
    slo_node *v = s->node + j;
    int32_t h = s->head[v->deg];
    v->prev = -1;
    v->next = h;
    if (h >= 0) s->node[h].prev = j;
    s->head[v->deg] = j;
}

static void bucket_remove(slo *s, int32_t j) {
    const slo_node *v = s->node + j;
    if (v->prev >= 0) s->node[v->prev].next = v->next;
    else s->head[v->deg] = v->next;
    if (v->next >= 0) s->node[v->next].prev = v->prev;
}

/* Take column j out: each remaining neighbour moves one bucket down (their
 * bucket neighbours' records prefetched first). */
static void take_out(const sf_jac_pattern *jp, slo *s, int32_t j) {
    bucket_remove(s, j);
    s->node[j].deg = -1;
    int64_t cnt = neighbours(jp, s, j);
    for (int64_t t = 0; t < cnt; t++) {
        const slo_node *v = s->node + s->nb[t];
        if (v->prev >= 0) __builtin_prefetch(s->node + v->prev);
        if (v->next >= 0) __builtin_prefetch(s->node + v->next);
    }
    for (int64_t t = 0; t < cnt; t++) {
        int32_t c = s->nb[t];
        if (s->node[c].deg > 0) {
            bucket_remove(s, c);
            s->node[c].deg--;
            bucket_insert(s, c);
        }
    }
}

static void smallest_last(const sf_jac_pattern *jp, slo *s, int32_t *order) {
    int32_t n = (int32_t)jp->m->cols;
    slo_node *node = s->node;
    for (int32_t j = 0; j < n; j++) node[j] = (slo_node){0, -1, -1, -1}, s->head[j] = -1;
    for (int32_t j = 0; j < n; j++) node[j].deg = (int32_t)neighbours(jp, s, j);
    for (int32_t j = 0; j < n; j++) bucket_insert(s, j), node[j].mark = -1;
    int32_t mind = 0;
    for (int32_t t = n - 1; t >= 0; t--) {
        while (s->head[mind] < 0) mind++;
        order[t] = s->head[mind];
        take_out(jp, s, order[t]);
        mind = mind > 0 ? mind - 1 : 0;
    }
}

/* Room for one column's neighbours before deduplication: the longest row
 * times the longest column, at most nnz. */
static size_t neighbour_room(const sf_jac_pattern *jp) {
    int64_t maxr = 0, maxc = 0;
    for (int64_t i = 0; i < jp->m->rows; i++)
        if (jp->m->u.csr.rowptr[i + 1] - jp->m->u.csr.rowptr[i] > maxr)
            maxr = jp->m->u.csr.rowptr[i + 1] - jp->m->u.csr.rowptr[i];
    for (int64_t j = 0; j < jp->m->cols; j++)
        if (jp->colptr[j + 1] - jp->colptr[j] > maxc) maxc = jp->colptr[j + 1] - jp->colptr[j];
    return (size_t)(maxr * maxc < jp->m->nnz ? maxr * maxc : jp->m->nnz) + 1;
}

static sf_status smallest_last_order(sf_ctx *ctx, const sf_jac_pattern *jp, int32_t *order) {
    size_t n = (size_t)jp->m->cols + 1;
    slo s = {sf_alloc_array(ctx, n, sizeof *s.node, "smallest-last columns"), NULL, NULL};
    if (s.node) s.head = sf_alloc_array(ctx, n, sizeof *s.head, "smallest-last buckets");
    if (s.head) s.nb = sf_alloc_array(ctx, neighbour_room(jp), sizeof *s.nb, "column neighbours");
    sf_status st = s.nb ? SF_OK : sf_last_alloc_status(ctx);
    if (!st) smallest_last(jp, &s, order);
    sf_free(ctx, s.node);
    sf_free(ctx, s.head);
    sf_free(ctx, s.nb);
    return st;
}

/* Colour of column j when colours 0-63 are all taken in its rows: the
 * smallest colour >= 64 not used by a neighbour (forbid[c] == j: taken). */
static int32_t wide_color(const sf_jac_pattern *jp, int32_t j, const int32_t *color,
                          int32_t *forbid) {
    const sf_csr *a = &jp->m->u.csr;
    for (int64_t q = jp->colptr[j]; q < jp->colptr[j + 1]; q++)
        for (int64_t p = a->rowptr[jp->rowind[q]]; p < a->rowptr[jp->rowind[q] + 1]; p++)
            if (color[a->colind[p]] >= 64) forbid[color[a->colind[p]]] = j;
    int32_t c = 64;
    while (forbid[c] == j) c++;
    return c;
}

/* Greedy colouring in the given order.  Bit c of used[r] says that a column
 * with an entry in row r has colour c, so column j's free colours are the
 * zero bits of the OR over its own rows: O(nnz) per pass and one access per
 * entry, where walking every row of every column (the textbook CPR loop)
 * costs the sum of the squared row lengths, each a cache miss on random
 * patterns.  Colours from 64 on (rows of more than 64 columns) are found by
 * that walk, see wide_color. */
static int64_t greedy(const sf_jac_pattern *jp, const int32_t *order, int32_t *color,
                      uint64_t *used, int32_t *forbid) {
    int64_t n = jp->m->cols, ncolors = 0;
    for (int64_t j = 0; j < n; j++) color[j] = -1;
    for (int64_t j = 0; j <= n; j++) forbid[j] = -1;
    memset(used, 0, (size_t)jp->m->rows * sizeof *used);
    for (int64_t t = 0; t < n; t++) {
        int32_t j = order[t];
        int64_t q0 = jp->colptr[j], q1 = jp->colptr[j + 1];
        uint64_t taken = 0;
        for (int64_t q = q0; q < q1; q++) taken |= used[jp->rowind[q]];
        int32_t c = ~taken ? __builtin_ctzll(~taken) : wide_color(jp, j, color, forbid);
        if (c < 64)
            for (int64_t q = q0; q < q1; q++) used[jp->rowind[q]] |= (uint64_t)1 << c;
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
 * the first already meets the bound), the better one kept in color (the
 * first kept aside in spare rather than recomputed). */
static sf_status best_of_two(sf_ctx *ctx, const sf_jac_pattern *jp, int32_t *order, int32_t *spare,
                             int32_t *color, uint64_t *used, int32_t *forbid, int64_t bound,
                             int64_t *ncolors) {
    sf_status st = largest_first(ctx, jp, order);
    if (st) return st;
    *ncolors = greedy(jp, order, color, used, forbid);
    if (*ncolors <= bound || (st = smallest_last_order(ctx, jp, order))) return st;
    memcpy(spare, color, (size_t)jp->m->cols * sizeof *color);
    int64_t slo = greedy(jp, order, color, used, forbid);
    if (slo < *ncolors) *ncolors = slo;
    else memcpy(color, spare, (size_t)jp->m->cols * sizeof *color);
    return SF_OK;
}

#define RECOLOR_ROUNDS 4

sf_status deriv_color_columns(sf_ctx *ctx, sf_jac_pattern *jp) {
    size_t n = (size_t)jp->m->cols + 1;
    int32_t *ws = sf_alloc_array(ctx, 4 * n, sizeof *ws, "colouring workspace");
    int64_t *start = ws ? sf_alloc_array(ctx, n + 1, sizeof *start, "colour classes") : NULL;
    uint64_t *used = start ? sf_alloc_array(ctx, (size_t)jp->m->rows + 1, sizeof *used,
                                            "colours used per row") : NULL;
    sf_status st = used ? SF_OK : sf_last_alloc_status(ctx);
    int32_t *order = ws, *spare = ws + n, *color = ws + 2 * n, *forbid = ws + 3 * n;
    int64_t ncolors = 0, bound = lower_bound(jp->m);
    if (!st) st = best_of_two(ctx, jp, order, spare, color, used, forbid, bound, &ncolors);
    for (int r = 0, better = 1; !st && r < RECOLOR_ROUNDS && better && ncolors > bound; r++) {
        reverse_classes(jp, color, ncolors, order, start);
        int64_t again = greedy(jp, order, color, used, forbid);
        better = again < ncolors; /* a round that gains nothing ends the rounds */
        ncolors = again;
    }
    if (!st) st = group(ctx, jp, color, ncolors);
    sf_free(ctx, ws);
    sf_free(ctx, start);
    sf_free(ctx, used);
    return st;
}
