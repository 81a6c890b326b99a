/* Building the weights of a block of neighbouring columns in one pass: the
 * block's source columns are checked level by level (contiguous reads), then
 * each column is copied (from cache), walked once (column.c), and its
 * (src, w) written into a tile in L1, which leaves level by level: whole
 * cache lines, with streaming stores when the weights are large (no read
 * for ownership of the old weights or of fresh pages). */
#include <math.h>
#include <string.h>

#include "block.h"

#if defined(__x86_64__)
#include <emmintrin.h>
#endif

int64_t plan_blocks(const plan *pl) {
    return pl->pre * ((pl->post + pl->width - 1) / pl->width);
}

int64_t scratch_doubles(const plan *pl) { return 2 * (pl->n + pl->m) + 1; /* + xs's sentinel */ }

scratch scratch_in(const plan *pl, double *d, int64_t len) {
    scratch sc;
    int64_t tile = pl->m * SF_INTERP_BLOCK; /* values; the indices take half as many doubles */
    bool fits = scratch_doubles(pl) + tile + (tile + 1) / 2 <= len;
    double *end = d + scratch_doubles(pl);
    sc.raw = d, d += pl->n;
    sc.traw = d, d += pl->m;
    sc.xs = d, d += pl->n;
    sc.xt = d + 1;
    sc.xs[pl->n] = NAN; /* the walk's sentinel, never overwritten */
    sc.tile_w = fits ? end : NULL;
    sc.tile_src = fits ? (int32_t *)(end + tile) : NULL;
    return sc;
}

double *block_scratch(sf_ctx *ctx, const plan *pl, int threads) {
    size_t per = ((size_t)scratch_doubles(pl) + 7) / 8 * 8; /* no false sharing between threads */
    return sf_alloc_array(ctx, (size_t)threads * per, sizeof(double), "interpolation scratch");
}

/* Column c of a level-major block starting at base (len points, stride post). */
static const double *load(const double *base, int64_t len, int64_t post, int64_t c, double *out) {
    for (int64_t k = 0; k < len; k++) out[k] = base[k * post + c];
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

col_check prepare_targets(const plan *pl, const double *x, double *xt) {
    for (int64_t k = 0; k < pl->m; k++) {
        double v = x[k];
        if (isnan(v)) return (col_check){FAULT_DST_NAN, k, 0};
        if (pl->rule.method == SF_INTERP_LOG && !(v > 0)) return (col_check){FAULT_DST_LOG, k, 0};
        /* the weights 1 - r, r of an infinite r would give inf - inf */
        if (pl->rule.extrapolate == SF_EXTRAP_LINEAR && isinf(v))
            return (col_check){FAULT_DST_INF, k, 0};
        xt[k] = coord(pl, v);
    }
    return (col_check){FAULT_NONE, 0, 0};
}

/* Direction of the nb source columns at base, and the first that is bad
 * (NaN, not positive for log, not monotonic), or nb: level by level, so the
 * reads are contiguous, and with selects and minima on doubles only, so the
 * loop vectorizes.  A step against the direction is a negative signed
 * difference (the difference of two distinct doubles is never 0); a NaN
 * difference (inf - inf, or a NaN point, flagged on its own) is no step. */
int check_sources(const plan *pl, const double *base, int nb, bool *falling) {
    int64_t n = pl->n, post = pl->post;
    double sgn[SF_INTERP_CHECK_WIDTH], step[SF_INTERP_CHECK_WIDTH], low[SF_INTERP_CHECK_WIDTH],
        nan[SF_INTERP_CHECK_WIDTH];
    for (int c = 0; c < nb; c++) {
        double v = base[c];
        sgn[c] = base[(n - 1) * post + c] < v ? -1.0 : 1.0;
        step[c] = 0.0, low[c] = v, nan[c] = v != v ? 1.0 : 0.0;
    }
    for (int64_t k = 1; k < n; k++) {
        const double *row = base + k * post, *prev = row - post;
        for (int c = 0; c < nb; c++) {
            double v = row[c], d = (v - prev[c]) * sgn[c];
            step[c] = d < step[c] ? d : step[c];
            low[c] = v < low[c] ? v : low[c];
            nan[c] = v != v ? 1.0 : nan[c];
        }
    }
    bool logm = pl->rule.method == SF_INTERP_LOG;
    int first = nb;
    for (int c = nb - 1; c >= 0; c--) {
        falling[c] = sgn[c] < 0;
        if (step[c] < 0 || nan[c] != 0 || (logm && !(low[c] > 0))) first = c;
    }
    return first;
}

/* Direction of each of the nb source columns at base, already checked. */
void directions(const plan *pl, const double *base, int nb, bool *falling) {
    const double *last = base + (pl->n - 1) * pl->post;
    for (int c = 0; c < nb; c++) falling[c] = last[c] < base[c];
}

/* Weights of column c of the block of a shared source and shared targets:
 * column 0's, shifted by c (a one-term code counts down); levels `step` apart. */
static int64_t copy_shifted(const plan *pl, int32_t *src, double *w, int64_t step, int c) {
    int64_t nnz = 0;
    for (int64_t k = 0; k < pl->m; k++) {
        int32_t s = src[k * step];
        src[k * step + c] = s >= 0 ? s + c : s == SF_INTERP_NONE ? s : s - c;
        w[k * step + c] = w[k * step];
        nnz += s >= 0 ? 2 : s == SF_INTERP_NONE ? 0 : 1;
    }
    return nnz;
}

/* n values from `from` to `to`: the whole 64-byte lines of `to` by streaming
 * stores, the partial lines at either end (shared with the neighbouring
 * blocks) by ordinary ones.  T is double or int32_t. */
#if defined(__x86_64__)
#define STREAM_ROW(T, to, from, n, STORE)                                               \
    do {                                                                                \
        int64_t c_ = 0, per_ = 64 / (int64_t)sizeof(T);                                 \
        for (; c_ < (n) && ((uintptr_t)((to) + c_) & 63); c_++) (to)[c_] = (from)[c_]; \
        for (; c_ + per_ <= (n); c_ += per_)                                            \
            for (int64_t h_ = 0; h_ < per_; h_ += 16 / (int64_t)sizeof(T))              \
                STORE((to) + c_ + h_, (from) + c_ + h_);                                \
        for (; c_ < (n); c_++) (to)[c_] = (from)[c_];                                   \
    } while (0)
#define STORE_F64(to, from) _mm_stream_pd((to), _mm_loadu_pd(from))
#define STORE_I32(to, from) _mm_stream_si128((__m128i *)(to), _mm_loadu_si128((const __m128i *)(from)))
#endif

void row_out(const plan *pl, int32_t *src, double *w, const int32_t *ts, const double *tw, int nb) {
#if defined(__x86_64__)
    if (pl->stream) {
        STREAM_ROW(int32_t, src, ts, nb, STORE_I32);
        STREAM_ROW(double, w, tw, nb, STORE_F64);
        return;
    }
#endif
    memcpy(src, ts, (size_t)nb * sizeof *src);
    memcpy(w, tw, (size_t)nb * sizeof *w);
}

/* The tile's nb columns of every level into the weights at i0. */
static void flush_tile(const plan *pl, const scratch *sc, sf_interp_w *p, int64_t i0, int nb) {
    for (int64_t k = 0; k < pl->m; k++)
        row_out(pl, p->src + i0 + k * pl->post, p->w + i0 + k * pl->post,
                sc->tile_src + k * SF_INTERP_BLOCK, sc->tile_w + k * SF_INTERP_BLOCK, nb);
}

void block_fence(const plan *pl) {
#if defined(__x86_64__)
    if (pl->stream) _mm_sfence();
#else
    (void)pl;
#endif
}

/* Source points of column c, increasing, copied contiguous (already checked
 * by check_sources): the walk then reads them with unit stride from L1.  For
 * log they are copied as given and the walk takes the log of the few it uses. */
static column_src source_of(const plan *pl, const double *base, int c, bool falling,
                            scratch *sc) {
    int64_t n = pl->n, post = pl->post;
    const double *x = base + c;
    double *xs = sc->xs;
    if (falling)
#pragma GCC unroll 4
        for (int64_t k = 0; k < n; k++) xs[n - 1 - k] = x[k * post];
    else
#pragma GCC unroll 4
        for (int64_t k = 0; k < n; k++) xs[k] = x[k * post];
    return (column_src){xs, n, pl->rule.method == SF_INTERP_LOG};
}

col_check block_build(const plan *pl, int64_t b, scratch *sc, sf_interp_w *p, int64_t *nnz) {
    if (pl->levels && p) return levels_build(pl, b, sc, p, nnz);
    int64_t per_a = (pl->post + pl->width - 1) / pl->width, post = pl->post;
    int64_t a = b / per_a, c0 = (b % per_a) * pl->width, col0 = a * post + c0;
    int nb = (int)(post - c0 < pl->width ? post - c0 : pl->width);
    const double *sbase = pl->src.x + (pl->src.shared ? 0 : a * pl->n * post + c0);
    const double *tbase = pl->dst.x + (pl->dst.shared ? 0 : a * pl->m * post + c0);
    bool falling[SF_INTERP_CHECK_WIDTH];
    int bad_src = nb;
    col_check ck = {FAULT_NONE, 0, col0};
    if (pl->src.shared) ck = prepare_source(pl, sbase, sc->xs, &falling[0]);
    else if (pl->checked) directions(pl, sbase, nb, falling);
    else bad_src = check_sources(pl, sbase, nb, falling);
    if (ck.fault == FAULT_NONE && pl->dst.shared) ck = prepare_targets(pl, tbase, sc->xt);
    if (ck.fault != FAULT_NONE) return (col_check){ck.fault, ck.pos, col0};
    target_order order = column_target_order(sc->xt, pl->m);
    const double *traw = pl->dst.shared ? tbase : sc->traw; /* targets as given */
    int64_t i0 = a * pl->m * post + c0, s0 = a * pl->n * post + c0;
    bool tiled = p && sc->tile_w && nb <= SF_INTERP_BLOCK;
    int32_t *osrc = tiled ? sc->tile_src : p ? p->src + i0 : NULL;
    double *ow = tiled ? sc->tile_w : p ? p->w + i0 : NULL;
    int64_t ostep = tiled ? SF_INTERP_BLOCK : post;
    for (int c = 0; c < nb; c++) {
        if (pl->src.shared && pl->dst.shared && c > 0) {
            if (!p) break; /* column 0 checked the shared grids for all */
            *nnz += copy_shifted(pl, osrc, ow, ostep, c);
            continue;
        }
        if (!pl->dst.shared) {
            ck = prepare_targets(pl, load(tbase, pl->m, post, c, sc->traw), sc->xt);
            if (ck.fault != FAULT_NONE) return (col_check){ck.fault, ck.pos, col0 + c};
            order = column_target_order(sc->xt, pl->m);
        }
        if (c == bad_src) return (col_check){FAULT_NOT_MONOTONIC, 0, col0 + c};
        if (!p) continue; /* checking only */
        bool fall = pl->src.shared ? falling[0] : falling[c];
        column_src x = pl->src.shared ? (column_src){sc->xs, pl->n, false}
                                      : source_of(pl, sbase, c, fall, sc);
        column_out o = {osrc + c, ow + c, ostep, s0 + c, post, fall};
        *nnz += column_weights(&pl->rule, &x, sc->xt, traw, pl->m, order, &o);
    }
    if (tiled) flush_tile(pl, sc, p, i0, nb);
    return (col_check){FAULT_NONE, 0, 0};
}

/* The fault of column col: its targets first, then its source points. */
col_check column_check(const plan *pl, int64_t col, scratch *sc) {
    int64_t a = col / pl->post, c = col % pl->post;
    const double *t = pl->dst.shared ? pl->dst.x
                                     : load(pl->dst.x + a * pl->m * pl->post, pl->m, pl->post, c, sc->traw);
    const double *x = pl->src.shared ? pl->src.x
                                     : load(pl->src.x + a * pl->n * pl->post, pl->n, pl->post, c, sc->raw);
    col_check ck = prepare_targets(pl, t, sc->xt);
    bool falling;
    if (ck.fault == FAULT_NONE) ck = prepare_source(pl, x, sc->xs, &falling);
    ck.col = col;
    return ck;
}
