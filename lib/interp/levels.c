/* The level-by-level build of a block of columns: the data is level-major
 * (column c of level k at base + k*post + c), so instead of walking one
 * column through all its levels (a strided read per point), every column of
 * a wide block keeps its interval index and the block advances one target
 * level at a time.  Each level then reads a few source rows and writes one
 * row of weights, all contiguous runs the prefetchers follow, and the inner
 * loop is short: four columns at a time (AVX) where they share their
 * interval, one at a time elsewhere.  It takes the common weather case (per-column
 * sources, one shared target grid sorted increasingly, linear, clamp / NaN /
 * constant outside) and gives the bits of column.c's walk_up_as: the same
 * interval (the last source point <= target), the same arithmetic, the same
 * encoding; what it does not take goes to the column walk. */
#include <math.h>

#include "block.h"

int sf_interp_level_width = 1024;
bool sf_interp_level_avx = true;

bool levels_fit(const plan *pl) {
    const column_rule *r = &pl->rule;
    return sf_interp_level_width > 0 && !pl->src.shared && pl->dst.shared &&
           r->method == SF_INTERP_LINEAR && r->extrapolate != SF_EXTRAP_LINEAR &&
           column_target_order(pl->dst.x, pl->m) == TARGETS_UP; /* linear: xt is x as given */
}

/* One level's row for a block of columns: logical source point u of column
 * c is at x[c + (falling ? n-1-u : u) * post]; cur[c] is the last point <= the
 * previous target (-1: below the column). */
typedef struct level_row {
    const double *x;
    const bool *falling;
    int32_t *cur, *ts;
    double *tw;
    int64_t n, post, s0; /* s0: data index of the block's column 0 */
    int nb;
} level_row;

/* Storage level of logical point u. */
static inline int64_t at_level(int64_t n, bool f, int64_t u) { return f ? n - 1 - u : u; }

/* Output of column c for target v outside its grid or on its top point:
 * the policy of column.c's outside() (clamp: the edge point; an exact hit on
 * the top point is that point whatever the policy). */
static inline int64_t edge(const level_row *L, const column_rule *r, int c, bool f, double v,
                           int64_t t) {
    int64_t u = t < 0 ? 0 : L->n - 1, s = at_level(L->n, f, u);
    if (r->extrapolate == SF_EXTRAP_CLAMP || (t >= 0 && v == L->x[c + s * L->post])) {
        L->ts[c] = SF_INTERP_ONE(L->s0 + c + s * L->post), L->tw[c] = 1.0;
        return 1;
    }
    L->ts[c] = SF_INTERP_NONE, L->tw[c] = r->extrapolate == SF_EXTRAP_NAN ? NAN : r->fill;
    return 0;
}

/* Target v on point t or where the ratio is not strictly inside (0, 1):
 * column.c's inside() and two() for method linear.  Here x[t] <= v < x[t+1],
 * so the ratio is 0 (v on x[t], or rounded) or rounds to 1: one point. */
static int64_t single(const level_row *L, int c, bool f, double v, double lo, double hi,
                      int64_t t) {
    int64_t u = v != lo && !((v - lo) / (hi - lo) < 1.0) ? t + 1 : t;
    L->ts[c] = SF_INTERP_ONE(L->s0 + c + at_level(L->n, f, u) * L->post), L->tw[c] = 1.0;
    return 1;
}

/* Target v for column c: its interval advanced, its output encoded. */
static inline __attribute__((always_inline)) int64_t
column_step(const level_row *L, const column_rule *r, int c, bool f, double v) {
    int64_t n = L->n, post = L->post;
    const double *x = L->x + c;
    int64_t t = L->cur[c];
    while (t + 1 < n && x[at_level(n, f, t + 1) * post] <= v) t++;
    L->cur[c] = (int32_t)t;
    if (t < 0 || t == n - 1) return edge(L, r, c, f, v, t);
    double lo = x[at_level(n, f, t) * post], hi = x[at_level(n, f, t + 1) * post];
    double q = (v - lo) / (hi - lo);
    if (!(q > 0.0 && q < 1.0)) return single(L, c, f, v, lo, hi, t);
    double w = 1.0 - q; /* the common case, as in walk_up_as */
    L->ts[c] = (int32_t)(L->s0 + c + (f ? n - 2 - t : t) * post);
    L->tw[c] = f ? 1.0 - w : w;
    return 2;
}

/* Target v for every column; mode 0: all rising, 1: all falling, 2: mixed
 * (constants in each copy, so the loop tests the direction only when mixed). */
static inline __attribute__((always_inline)) int64_t
level_as(const level_row *L, const column_rule *r, double v, int mode) {
    int64_t nnz = 0;
    for (int c = 0; c < L->nb; c++) nnz += column_step(L, r, c, mode == 2 ? L->falling[c] : mode == 1, v);
    return nnz;
}

static int64_t level_up(const level_row *L, const column_rule *r, double v) { return level_as(L, r, v, 0); }
static int64_t level_down(const level_row *L, const column_rule *r, double v) { return level_as(L, r, v, 1); }
static int64_t level_mixed(const level_row *L, const column_rule *r, double v) { return level_as(L, r, v, 2); }

#if defined(__x86_64__)
#include <immintrin.h>

/* Four columns c..c+3 in one direction, if they share their interval before
 * and after v and v lies strictly inside it (the usual case: neighbouring
 * columns have close grids): their rows are then contiguous, loaded as one
 * vector each.  The same operations on the same values as column_step, so the
 * same bits.  Returns false (nothing written) otherwise. */
__attribute__((target("avx"))) static inline bool four_inside(const level_row *L, int c, bool f,
                                                              __m256d v) {
    int64_t n = L->n, post = L->post, t = L->cur[c];
    __m128i tt = _mm_set1_epi32((int32_t)t);
    if (_mm_movemask_epi8(_mm_cmpeq_epi32(_mm_loadu_si128((const __m128i *)(L->cur + c)), tt)) != 0xffff)
        return false;
    const double *x = L->x + c;
    __m256d hi;
    for (;; t++) { /* a lane left behind has q >= 1: refused below */
        if (t + 1 >= n) return false;
        hi = _mm256_loadu_pd(x + at_level(n, f, t + 1) * post);
        if (_mm256_movemask_pd(_mm256_cmp_pd(hi, v, _CMP_LE_OQ)) != 15) break;
    }
    if (t < 0) return false;
    __m256d lo = _mm256_loadu_pd(x + at_level(n, f, t) * post), one = _mm256_set1_pd(1.0);
    __m256d q = _mm256_div_pd(_mm256_sub_pd(v, lo), _mm256_sub_pd(hi, lo));
    __m256d in = _mm256_and_pd(_mm256_cmp_pd(q, _mm256_setzero_pd(), _CMP_GT_OQ),
                               _mm256_cmp_pd(q, one, _CMP_LT_OQ));
    if (_mm256_movemask_pd(in) != 15) return false;
    __m256d w = _mm256_sub_pd(one, q);
    _mm256_storeu_pd(L->tw + c, f ? _mm256_sub_pd(one, w) : w);
    int32_t j = (int32_t)(L->s0 + c + (f ? n - 2 - t : t) * post);
    _mm_storeu_si128((__m128i *)(L->ts + c), _mm_add_epi32(_mm_set1_epi32(j), _mm_setr_epi32(0, 1, 2, 3)));
    _mm_storeu_si128((__m128i *)(L->cur + c), _mm_set1_epi32((int32_t)t));
    return true;
}

/* A level of a block in one direction, four columns at a time where they
 * move together, one at a time elsewhere. */
__attribute__((target("avx"))) static int64_t level_avx(const level_row *L, const column_rule *r,
                                                      double v, bool f) {
    int64_t nnz = 0;
    __m256d vv = _mm256_set1_pd(v);
    int c = 0;
    for (; c + 4 <= L->nb; c += 4) {
        if (four_inside(L, c, f, vv)) nnz += 8;
        else
            for (int e = c; e < c + 4; e++) nnz += column_step(L, r, e, f, v);
    }
    for (; c < L->nb; c++) nnz += column_step(L, r, c, f, v);
    return nnz;
}
static int64_t level_up_avx(const level_row *L, const column_rule *r, double v) { return level_avx(L, r, v, false); }
static int64_t level_down_avx(const level_row *L, const column_rule *r, double v) { return level_avx(L, r, v, true); }
#endif

typedef int64_t (*level_fn)(const level_row *, const column_rule *, double);

/* The level loop for the block's directions (nfall of nb columns falling). */
static level_fn pick_level(int nfall, int nb) {
    if (nfall > 0 && nfall < nb) return level_mixed;
#if defined(__x86_64__)
    if (sf_interp_level_avx && __builtin_cpu_supports("avx")) return nfall ? level_down_avx : level_up_avx;
#endif
    return nfall ? level_down : level_up;
}

/* Directions of the block's nb columns and the first bad one (nb if none),
 * SF_INTERP_CHECK_WIDTH columns at a time. */
static int block_directions(const plan *pl, const double *base, int nb, bool *falling) {
    for (int c = 0; c < nb; c += SF_INTERP_CHECK_WIDTH) {
        int len = nb - c < SF_INTERP_CHECK_WIDTH ? nb - c : SF_INTERP_CHECK_WIDTH;
        if (pl->checked) directions(pl, base + c, len, falling + c);
        else {
            int bad = check_sources(pl, base + c, len, falling + c);
            if (bad < len) return c + bad;
        }
    }
    return nb;
}

col_check levels_build(const plan *pl, int64_t b, scratch *sc, sf_interp_w *p, int64_t *nnz) {
    int64_t per_a = (pl->post + pl->width - 1) / pl->width, post = pl->post;
    int64_t a = b / per_a, c0 = (b % per_a) * pl->width, col0 = a * post + c0;
    int nb = (int)(post - c0 < pl->width ? post - c0 : pl->width);
    const double *sbase = pl->src.x + a * pl->n * post + c0;
    col_check ck = prepare_targets(pl, pl->dst.x, sc->xt);
    if (ck.fault != FAULT_NONE) return (col_check){ck.fault, ck.pos, col0};
    bool falling[SF_INTERP_LEVEL_MAX];
    int bad = block_directions(pl, sbase, nb, falling), nfall = 0;
    if (bad < nb) return (col_check){FAULT_NOT_MONOTONIC, 0, col0 + bad};
    int32_t cur[SF_INTERP_LEVEL_MAX], ts[SF_INTERP_LEVEL_MAX];
    double tw[SF_INTERP_LEVEL_MAX];
    for (int c = 0; c < nb; c++) cur[c] = -1, nfall += falling[c];
    level_row L = {sbase, falling, cur, ts, tw, pl->n, post, a * pl->n * post + c0, nb};
    level_fn level = pick_level(nfall, nb);
    int64_t i0 = a * pl->m * post + c0;
    for (int64_t k = 0; k < pl->m; k++) {
        *nnz += level(&L, &pl->rule, sc->xt[k]);
        row_out(pl, p->src + i0 + k * post, p->w + i0 + k * post, ts, tw, nb);
    }
    return (col_check){FAULT_NONE, 0, 0};
}
