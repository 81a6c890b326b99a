/* Applying interpolation weights to K fields at once, and their adjoint.
 *
 * Forward: each output value gathers one or two source values; the weight is
 * read once and used for all K fields, and outputs without a source get the
 * fill value (NaN or the constant).  Adjoint: the scatter of lib/ops, over
 * disjoint column ranges, so the same bits for any thread count. */
#include <omp.h>
#include <string.h>

#include "../ops/spmm_interp.h"
#include "sparsefirst/interp.h"

/* Outputs larger than this are written with streaming stores: they are not
 * read back soon, and skipping the read-for-ownership of each line saves a
 * third of the traffic of a one-field apply. */
#define STREAM_BYTES ((int64_t)8 << 20)

#if defined(__x86_64__)
#include <emmintrin.h>
static inline void put(double *p, double v, bool stream) {
    if (!stream) {
        *p = v;
        return;
    }
    long long bits;
    memcpy(&bits, &v, sizeof bits);
    _mm_stream_si64((long long *)p, bits);
}
static inline void put_fence(bool stream) {
    if (stream) _mm_sfence();
}
#else
static inline void put(double *p, double v, bool stream) { (void)stream, *p = v; }
static inline void put_fence(bool stream) { (void)stream; }
#endif

/* o[c] = a[c] x[c] + b[c] y[c]: contiguous, so two at a time with aligned
 * streaming stores (the same bits as the scalar expression).  With several
 * fields a run is one tile's row of one field, too short for the hardware
 * prefetcher to get ahead: x and y are prefetched PF doubles ahead (8 fields:
 * one call / 8 single calls went from 1.13-1.31x to 1.33-1.51x; the heads
 * of the next field's runs, prefetched too, add about 0.05x). */
enum { PF = 256 };
/* A one-term output is decoded as a = w, b = 0: its second term must then
 * be -0.0, not 0 * y, so that an infinite y gives w x rather than NaN (and
 * adding -0.0 leaves every value, -0.0 included, as it is: the same bits as
 * w x).  Only rows holding such outputs pay for the select. */
static inline double second_term(double b, double y) {
    double t = b * y; /* selected by masks, not a branch */
    uint64_t bits, keep = 0 - (uint64_t)(b != 0.0), neg_zero = (uint64_t)1 << 63;
    memcpy(&bits, &t, sizeof bits);
    bits = (bits & keep) | (neg_zero & ~keep);
    memcpy(&t, &bits, sizeof t);
    return t;
}

/* How run_body forms the second term: b[c] y[c] (two-term outputs only),
 * second_term (some one-term outputs), or (1 - a[c]) y[c] without reading b
 * (the same bits as the decoded b).  Always inlined, so the mode is a
 * constant in each caller. */
enum { TERM_B, TERM_B_ONE, TERM_COMPLEMENT };
static inline __attribute__((always_inline)) void run_body(double *o, const double *a,
                                                           const double *b, const double *x,
                                                           const double *y, int64_t n,
                                                           bool stream, int mode) {
    int64_t c = 0;
    bool complement = mode == TERM_COMPLEMENT;
#define TERM2(c) (complement ? (1.0 - a[c]) * y[c] : mode == TERM_B ? b[c] * y[c] \
                                                                   : second_term(b[c], y[c]))
#if defined(__x86_64__)
    if (stream) {
        if (n > 0 && ((uintptr_t)o & 15))
            put(o, a[0] * x[0] + TERM2(0), true), c = 1;
        const __m128d one = _mm_set1_pd(1.0);
        for (; c + 1 < n; c += 2) {
            if (!((c >> 1) & 3) && c + PF < n) /* once per 64-byte line */
                __builtin_prefetch(x + c + PF), __builtin_prefetch(y + c + PF);
            __m128d av = _mm_loadu_pd(a + c);
            __m128d bv = complement ? _mm_sub_pd(one, av) : _mm_loadu_pd(b + c);
            __m128d by = _mm_mul_pd(bv, _mm_loadu_pd(y + c));
            if (mode == TERM_B_ONE) { /* second_term, two lanes: b == 0 takes -0.0 */
                __m128d zero = _mm_cmpeq_pd(bv, _mm_setzero_pd());
                by = _mm_or_pd(_mm_andnot_pd(zero, by), _mm_and_pd(zero, _mm_set1_pd(-0.0)));
            }
            _mm_stream_pd(o + c, _mm_add_pd(_mm_mul_pd(av, _mm_loadu_pd(x + c)), by));
        }
    }
#endif
    for (; c < n; c++) put(&o[c], a[c] * x[c] + TERM2(c), stream);
#undef TERM2
}

static void put_run(double *o, const double *a, const double *b, const double *x,
                    const double *y, int64_t n, bool stream, bool one_term) {
    if (one_term) run_body(o, a, b, x, y, n, stream, TERM_B_ONE);
    else run_body(o, a, b, x, y, n, stream, TERM_B);
}

/* put_run with a = w, b = 1 - w for a row of two-term outputs with
 * contiguous sources, the weights read straight from W: decoding such a row
 * would cost more than the row itself (one call on 8 fields, interleaved with
 * the decoded form: 1.31 -> 1.53-1.56x 8 singles). */
static void put_run_w(double *o, const double *w, const double *x, const double *y, int64_t n,
                      bool stream) {
    run_body(o, w, NULL, x, y, n, stream, TERM_COMPLEMENT);
}

/* The first PF doubles of a run of x and y, which put_run does not prefetch:
 * issued one field ahead. */
static inline void prefetch_head(const double *x, const double *y, int64_t n) {
    for (int64_t c = 0; c < PF && c < n; c += 8) __builtin_prefetch(x + c), __builtin_prefetch(y + c);
}

static inline double output_value(const sf_interp_term *t, const double *f) {
    return t->kind == SF_TERM_NONE ? t->w : sf_interp_term_apply(t, f, 1);
}

static sf_status check_apply(sf_ctx *ctx, const sf_mat *W, int nfields, const void *fields,
                             const void *outs, const char *fn) {
    if (!ctx) return SF_ERR_ARG;
    if (!W || W->kind != SF_INTERP)
        return sf_error(ctx, SF_ERR_ARG, "%s: W is not an interpolation handle", fn);
    if (nfields < 0) return sf_error(ctx, SF_ERR_ARG, "%s: negative field count %d", fn, nfields);
    if (nfields > 0 && (!fields || !outs))
        return sf_error(ctx, SF_ERR_ARG, "%s: NULL field or output list", fn);
    const double *const *f = fields;
    double *const *o = outs;
    for (int k = 0; k < nfields; k++)
        if (!f[k] || !o[k]) return sf_error(ctx, SF_ERR_ARG, "%s: field or output %d is NULL", fn, k);
    return SF_OK;
}

/* Several fields: the outputs are taken in tiles of up to TILE values (up to
 * TILE columns of one level, or several whole levels when a level is shorter,
 * so each field's source rows are read in long runs the prefetchers follow,
 * and the row shared with the next level is still in L3).  A tile's weights
 * are decoded once into a branch-free form held in L2 (two indices, two
 * weights: 24 B each), then each field in turn streams through the tile: the
 * weights come from memory once per call instead of once per field.  Rows of
 * two-term outputs with contiguous sources (most rows) are only checked, not
 * decoded: their fields read the weights from W, which the first field brings
 * into L2.  A one-term output is w f[j] + (-0.0) (see second_term), the
 * same bits as w f[j]; a tile holding an output without a source takes the
 * decoding loop instead. */
enum { TILE = 4096 };

/* How row k of a tile is applied. */
enum {
    ROW_GATHER,   /* a[c] f[j0[c]] + b[c] f[j1[c]] */
    ROW_RUN,      /* reads f[j0[0] + c] and f[j1[0] + c]: put_run */
    ROW_TWO_TERM  /* ROW_RUN of two-term outputs: only j0[0] decoded, put_run_w */
};

typedef struct decoded {
    int32_t j0[TILE], j1[TILE];
    double a[TILE], b[TILE];
    unsigned char row[TILE]; /* ROW_* */
    bool one_term[TILE];     /* the row holds one-term outputs (b = 0) */
} decoded;

typedef struct tiling {
    int64_t m, post, cols, levels; /* tile: `levels` levels x `cols` columns */
    int64_t per_a, per_level, count;
} tiling;

static tiling tiling_of(const sf_interp_w *p, int64_t rows) {
    tiling t = {p->out_shape.dim[p->axis], p->stride, 0, 0, 0, 0, 0};
    t.cols = t.post < TILE ? t.post : TILE;
    t.levels = TILE / t.cols < t.m ? TILE / t.cols : t.m;
    t.per_level = (t.post + t.cols - 1) / t.cols;
    t.per_a = t.per_level * ((t.m + t.levels - 1) / t.levels);
    t.count = t.m > 0 ? rows / (t.m * t.post) * t.per_a : 0;
    return t;
}

/* Tile q: its first output and its size, nk levels (post apart) of nc columns. */
static void tile_box(const tiling *t, int64_t q, int64_t *first, int64_t *nk, int64_t *nc) {
    int64_t a = q / t->per_a, r = q % t->per_a;
    int64_t k0 = (r / t->per_level) * t->levels, c0 = (r % t->per_level) * t->cols;
    *nk = t->m - k0 < t->levels ? t->m - k0 : t->levels;
    *nc = t->post - c0 < t->cols ? t->post - c0 : t->cols;
    *first = (a * t->m + k0) * t->post + c0;
}

/* Sources src[0..n) are s, s + 1, ... with s >= 0: two-term outputs on
 * contiguous rows.  Checked in blocks of 64 with no branch inside, so a row
 * of gathers is left after its first block. */
static bool two_term_run(const int32_t *src, int64_t n) {
    if (src[0] < 0) return false;
    uint32_t s = (uint32_t)src[0];
    for (int64_t c0 = 0; c0 < n; c0 += 64) {
        bool run = true;
        for (int64_t c = c0; c < n && c < c0 + 64; c++) run &= (uint32_t)src[c] == s + (uint32_t)c;
        if (!run) return false;
    }
    return true;
}

/* The tile's outputs into d, row after row; false if some need the general loop. */
static bool decode(const sf_interp_w *p, const tiling *t, int64_t first, int64_t nk, int64_t nc,
                   decoded *d) {
    bool plain = true;
    for (int64_t k = 0; k < nk; k++) {
        const int32_t *src = p->src + first + k * t->post;
        d->j0[k * nc] = src[0];
        if (two_term_run(src, nc)) {
            d->row[k] = ROW_TWO_TERM;
            continue;
        }
        bool run = true, one_term = false;
        for (int64_t c = 0, q = k * nc; c < nc; c++, q++) {
            int64_t i = first + k * t->post + c;
            int32_t s = p->src[i];
            double w = p->w[i];
            int32_t j = s >= 0 ? s : s == SF_INTERP_NONE ? 0 : (int32_t)SF_INTERP_ONE_SRC(s);
            d->j0[q] = j;
            d->j1[q] = s >= 0 ? (int32_t)(s + p->stride) : j;
            d->a[q] = w;
            d->b[q] = s >= 0 ? 1.0 - w : 0.0; /* one term: b = 0, see second_term */
            plain &= s != SF_INTERP_NONE;
            one_term |= s < 0;
            run &= d->j0[q] == d->j0[q - c] + c && d->j1[q] == d->j1[q - c] + c;
        }
        d->row[k] = run ? ROW_RUN : ROW_GATHER;
        d->one_term[k] = one_term;
    }
    return plain;
}

static void apply_tile(const sf_interp_w *p, const tiling *t, int64_t q, int nf,
                       const double *const *f, double *const *o, bool stream, decoded *d) {
    int64_t first, nk, nc;
    tile_box(t, q, &first, &nk, &nc);
    bool plain = decode(p, t, first, nk, nc, d);
    for (int fi = 0; fi < nf; fi++) {
        const double *fk = f[fi];
        for (int64_t k = 0; k < nk; k++) {
            double *ok = o[fi] + first + k * t->post;
            const int32_t *j0 = d->j0 + k * nc, *j1 = d->j1 + k * nc;
            const double *a = d->a + k * nc, *b = d->b + k * nc;
            if (d->row[k] == ROW_TWO_TERM) {
                const double *x = fk + j0[0], *y = x + p->stride;
                if (fi + 1 < nf) prefetch_head(f[fi + 1] + j0[0], f[fi + 1] + j0[0] + p->stride, nc);
                put_run_w(ok, p->w + first + k * t->post, x, y, nc, stream);
            } else if (plain && d->row[k] == ROW_RUN) {
                if (fi + 1 < nf) prefetch_head(f[fi + 1] + j0[0], f[fi + 1] + j1[0], nc);
                put_run(ok, a, b, fk + j0[0], fk + j1[0], nc, stream, d->one_term[k]);
            } else if (plain && d->one_term[k]) {
                for (int64_t c = 0; c < nc; c++)
                    put(&ok[c], a[c] * fk[j0[c]] + second_term(b[c], fk[j1[c]]), stream);
            } else if (plain) {
                for (int64_t c = 0; c < nc; c++) put(&ok[c], a[c] * fk[j0[c]] + b[c] * fk[j1[c]], stream);
            } else {
                for (int64_t c = 0; c < nc; c++) {
                    sf_interp_term tm = sf_interp_term_of(p, first + k * t->post + c);
                    put(&ok[c], output_value(&tm, fk), stream);
                }
            }
        }
    }
}

/* One field: a plain pass in output order (three sequential streams). */
static void apply_one(const sf_interp_w *p, int64_t rows, const double *f, double *o, bool stream) {
#pragma omp for schedule(static)
    for (int64_t i = 0; i < rows; i++) {
        sf_interp_term t = sf_interp_term_of(p, i);
        put(&o[i], output_value(&t, f), stream);
    }
}

sf_status sf_interp_apply(sf_ctx *ctx, const sf_mat *W, int nfields,
                          const double *const *fields, double *const *outs) {
    sf_status st = check_apply(ctx, W, nfields, fields, outs, "sf_interp_apply");
    /* no outputs (an axis or the columns beside it of extent 0): no tiles */
    if (st || nfields == 0 || W->rows == 0) return st;
    const sf_interp_w *p = &W->u.interp;
    int64_t rows = W->rows;
    int threads = sf_threads_for(ctx, rows * nfields);
    bool stream = rows * (int64_t)sizeof(double) > STREAM_BYTES;
    tiling t = tiling_of(p, rows);
    decoded *d = NULL;
    if (nfields > 1 && !(d = sf_alloc_array(ctx, (size_t)threads, sizeof *d, "interpolation tiles")))
        return sf_last_alloc_status(ctx);
#pragma omp parallel num_threads(threads)
    {
        if (nfields == 1) apply_one(p, rows, fields[0], outs[0], stream);
        else {
            decoded *mine = d + omp_get_thread_num();
#pragma omp for schedule(static)
            for (int64_t q = 0; q < t.count; q++)
                apply_tile(p, &t, q, nfields, fields, outs, stream, mine);
        }
        put_fence(stream); /* this thread's streaming stores visible before returning */
    }
    sf_free(ctx, d);
    return SF_OK;
}

sf_status sf_interp_apply_adjoint(sf_ctx *ctx, const sf_mat *W, int nfields,
                                  const double *const *fields, double *const *outs) {
    sf_status st = check_apply(ctx, W, nfields, fields, outs, "sf_interp_apply_adjoint");
    /* no outputs means no data either (both are pre x post x an axis >= 1) */
    if (st || nfields == 0 || W->rows == 0) return st;
    sf_interp_scatter(ctx, W, nfields, fields, 1, outs, 1, 1.0, 0.0);
    return SF_OK;
}

static bool shape_eq(const sf_shape *a, const sf_shape *b) {
    if (a->ndim != b->ndim) return false;
    for (int k = 0; k < a->ndim; k++)
        if (a->dim[k] != b->dim[k]) return false;
    return true;
}

sf_status sf_interp_check_shape(sf_ctx *ctx, const sf_mat *W, const sf_shape *shape,
                                int adjoint) {
    if (!ctx) return SF_ERR_ARG;
    if (!W || W->kind != SF_INTERP || !shape)
        return sf_error(ctx, SF_ERR_ARG, "sf_interp_check_shape: W is not an interpolation handle");
    const sf_shape *want = adjoint ? &W->u.interp.out_shape : &W->u.interp.data_shape;
    if (shape_eq(shape, want)) return SF_OK;
    char b1[160], b2[160];
    return sf_error(ctx, SF_ERR_SHAPE, "field of shape %s does not match the weights' %s shape %s",
                    sf_shape_format(shape, b1, sizeof b1), adjoint ? "output" : "data",
                    sf_shape_format(want, b2, sizeof b2));
}

sf_status sf_interp_get_info(sf_ctx *ctx, const sf_mat *W, sf_interp_info *info) {
    if (!ctx) return SF_ERR_ARG;
    if (!W || W->kind != SF_INTERP || !info)
        return sf_error(ctx, SF_ERR_ARG, "sf_interp_get_info: W is not an interpolation handle");
    const sf_interp_w *p = &W->u.interp;
    *info = (sf_interp_info){p->data_shape, p->out_shape, p->axis, (sf_interp_method)p->method,
                             (sf_interp_extrap)p->extrapolate, p->fill};
    return SF_OK;
}

const char *sf_interp_method_name(sf_interp_method m) {
    static const char *const names[] = {"linear", "nearest", "log"};
    return (unsigned)m <= SF_INTERP_LOG ? names[m] : "unknown";
}

const char *sf_interp_extrap_name(sf_interp_extrap e) {
    static const char *const names[] = {"clamp", "nan", "constant", "linear"};
    return (unsigned)e <= SF_EXTRAP_LINEAR ? names[e] : "unknown";
}
