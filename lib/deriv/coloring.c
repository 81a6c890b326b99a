/* Curtis-Powell-Reid grouping of structurally orthogonal columns (no row
 * has a nonzero in two columns of the same group) by greedy colouring in
 * largest-first order: columns with more nonzeros are coloured first, which
 * usually needs fewer colours than the natural order.  Colour c is the
 * smallest not used by a column sharing a row with the current one. */
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

sf_status deriv_color_columns(sf_ctx *ctx, sf_jac_pattern *jp) {
    int64_t n = jp->m->cols;
    int32_t *order = sf_alloc_array(ctx, (size_t)n + 1, sizeof *order, "colouring order");
    int32_t *color = order ? sf_alloc_array(ctx, (size_t)n + 1, sizeof *color, "colours") : NULL;
    int32_t *forbid = color ? sf_alloc_array(ctx, (size_t)n + 1, sizeof *forbid, "colouring marks")
                            : NULL;
    sf_status st = forbid ? largest_first(ctx, jp, order) : sf_last_alloc_status(ctx);
    if (!st) st = group(ctx, jp, color, greedy(jp, order, color, forbid));
    sf_free(ctx, order);
    sf_free(ctx, color);
    sf_free(ctx, forbid);
    return st;
}
