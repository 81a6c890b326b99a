/* Building the weights of a block of neighbouring columns: read the block's
 * coordinates level by level, check and sort each column, walk it
 * (column.c), and write the block's weights level by level. */
#include <math.h>

#include "block.h"

int64_t plan_blocks(const plan *pl) {
    return pl->pre * ((pl->post + SF_INTERP_BLOCK - 1) / SF_INTERP_BLOCK);
}

scratch *block_scratch(sf_ctx *ctx, const plan *pl, int threads) {
    size_t B = SF_INTERP_BLOCK, n = (size_t)pl->n, m = (size_t)pl->m;
    size_t per = (B * (n + m) + n + m) * sizeof(double) + B * m * sizeof(seg) + B;
    per = (per + 15) / 16 * 16;
    size_t head = ((size_t)threads * sizeof(scratch) + 15) / 16 * 16;
    char *b = sf_alloc(ctx, head + (size_t)threads * per, "interpolation scratch");
    if (!b) return NULL;
    scratch *sc = (scratch *)b;
    for (int t = 0; t < threads; t++) {
        double *d = (double *)(b + head + (size_t)t * per);
        sc[t].raw = d, d += B * n;
        sc[t].traw = d, d += B * m;
        sc[t].xs = d, d += n;
        sc[t].xt = d, d += m;
        sc[t].sg = (seg *)d;
        sc[t].falling = (bool *)(sc[t].sg + B * m);
    }
    return sc;
}

/* Columns c0 .. c0+nb-1 of level-major grid g (len points per column) into
 * out[c*len + k]; a shared grid is used in place. */
static const double *load(const grid *g, const plan *pl, int64_t len, int64_t a, int64_t c0,
                          int nb, double *out) {
    if (g->shared) return g->x;
    const double *base = g->x + a * len * pl->post + c0;
    for (int64_t k = 0; k < len; k++)
        for (int c = 0; c < nb; c++) out[c * len + k] = base[k * pl->post + c];
    return out;
}

static double coord(const plan *pl, double v) { return pl->rule.method == SF_INTERP_LOG ? log(v) : v; }

/* Check source column x[0..n) and copy it to xs increasing, transformed. */
static col_check prepare_source(const plan *pl, const double *x, double *xs, bool *falling) {
    int64_t n = pl->n;
    *falling = x[n - 1] < x[0];
    for (int64_t k = 0; k < n; k++) {
        double v = x[k];
        if (isnan(v)) return (col_check){FAULT_SRC_NAN, k, 0};
        if (pl->rule.method == SF_INTERP_LOG && !(v > 0)) return (col_check){FAULT_SRC_LOG, k, 0};
        if (k > 0 && (*falling ? v > x[k - 1] : v < x[k - 1]))
            return (col_check){FAULT_NOT_MONOTONIC, k, 0};
        xs[*falling ? n - 1 - k : k] = coord(pl, v);
    }
    return (col_check){FAULT_NONE, 0, 0};
}

static col_check prepare_targets(const plan *pl, const double *x, double *xt) {
    for (int64_t k = 0; k < pl->m; k++) {
        double v = x[k];
        if (isnan(v)) return (col_check){FAULT_DST_NAN, k, 0};
        if (pl->rule.method == SF_INTERP_LOG && !(v > 0)) return (col_check){FAULT_DST_LOG, k, 0};
        xt[k] = coord(pl, v);
    }
    return (col_check){FAULT_NONE, 0, 0};
}

/* Segments of columns c0 .. c0+nb-1 (just one when both grids are shared);
 * shared targets are checked and ordered once for the block. */
static col_check block_segs(const plan *pl, int64_t a, int64_t c0, int nb, scratch *sc) {
    const double *xs = load(&pl->src, pl, pl->n, a, c0, nb, sc->raw);
    const double *xt = load(&pl->dst, pl, pl->m, a, c0, nb, sc->traw);
    if (pl->src.shared && pl->dst.shared) nb = 1;
    col_check ck = {FAULT_NONE, 0, 0};
    target_order order = TARGETS_UP;
    for (int c = 0; c < nb && ck.fault == FAULT_NONE; c++) {
        if (c == 0 || !pl->dst.shared) {
            ck = prepare_targets(pl, pl->dst.shared ? xt : xt + c * pl->m, sc->xt);
            order = column_target_order(sc->xt, pl->m);
        }
        if (ck.fault == FAULT_NONE)
            ck = prepare_source(pl, pl->src.shared ? xs : xs + c * pl->n, sc->xs, &sc->falling[c]);
        if (ck.fault == FAULT_NONE)
            column_weights(&pl->rule, sc->xs, pl->n, sc->xt, pl->m, order, sc->sg + c,
                           SF_INTERP_BLOCK);
        else ck.col = a * pl->post + c0 + c;
    }
    return ck;
}

/* Output of segment s for a column whose first source value is at src0:
 * logical point t is storage position t, or n-1-t on a falling grid, where
 * the pair (t, t+1) starts one point lower with the weights swapped. */
static void encode(const plan *pl, int64_t src0, const seg *s, bool falling, int32_t *src,
                   double *w) {
    int64_t t = s->t, post = pl->post;
    *w = s->w;
    if (s->type == SEG_NONE) {
        *src = SF_INTERP_NONE;
    } else if (s->type == SEG_ONE) {
        *src = SF_INTERP_ONE(src0 + (falling ? pl->n - 1 - t : t) * post);
    } else {
        if (falling) t = pl->n - 2 - t, *w = 1.0 - s->w;
        *src = (int32_t)(src0 + t * post);
    }
}

static void block_emit(const plan *pl, int64_t a, int64_t c0, int nb, const scratch *sc,
                       sf_interp_w *p) {
    bool one = pl->src.shared && pl->dst.shared; /* every column has column 0's segments */
    for (int64_t k = 0; k < pl->m; k++) {
        int64_t i0 = (a * pl->m + k) * pl->post + c0, s0 = a * pl->n * pl->post + c0;
        for (int c = 0; c < nb; c++) {
            int cs = one ? 0 : c;
            encode(pl, s0 + c, &sc->sg[k * SF_INTERP_BLOCK + cs], sc->falling[cs], &p->src[i0 + c],
                   &p->w[i0 + c]);
        }
    }
}

col_check block_build(const plan *pl, int64_t b, scratch *sc, sf_interp_w *p) {
    int64_t per_a = (pl->post + SF_INTERP_BLOCK - 1) / SF_INTERP_BLOCK;
    int64_t a = b / per_a, c0 = (b % per_a) * SF_INTERP_BLOCK;
    int nb = (int)(pl->post - c0 < SF_INTERP_BLOCK ? pl->post - c0 : SF_INTERP_BLOCK);
    col_check ck = block_segs(pl, a, c0, nb, sc);
    if (ck.fault == FAULT_NONE) block_emit(pl, a, c0, nb, sc, p);
    return ck;
}

col_check column_check(const plan *pl, int64_t col, scratch *sc) {
    return block_segs(pl, col / pl->post, col % pl->post, 1, sc);
}
