/* The level-by-level build (lib/interp/levels.c) against the column walk
 * (sf_interp_level_width = 0) on the same inputs: bitwise the same weights,
 * the same count of entries, the same first bad column and message, for
 * fresh builds and in-place updates, every block width, 1 and 2 threads. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "interp/block.h"
#include "testutil.h"

/* Points on a grid of quarters, so targets hit them exactly; some repeat.
 * Column c of the (pre, n, post) data along axis 1, rising or falling; near
 * a shared grid (level k at k or k + 1/4, as neighbouring weather columns
 * are: their intervals mostly agree) or free. */
static void make_column(double *x, int64_t n, int64_t post, bool falling, bool near,
                        uint64_t *rng) {
    double v = 0.25 * (double)(tu_rand(rng) % 8);
    for (int64_t k = 0; k < n; k++) {
        x[(falling ? n - 1 - k : k) * post] = near ? (double)k + 0.25 * (double)(tu_rand(rng) % 2) : v;
        v += 0.25 * (double)(tu_rand(rng) % 4 == 0 ? 0 : 1 + tu_rand(rng) % 6);
    }
}

typedef struct lcase {
    int64_t pre, n, post, m;
    double *x, *t;
    sf_shape data, ts;
} lcase;

/* mode 0: every column rising, 1: falling, 2: mixed, 3 and 4: rising and
 * falling near a shared grid.  Targets sorted, from
 * below every column to above every one, on and between points, some twice. */
static lcase make_case(int64_t pre, int64_t n, int64_t post, int64_t m, int mode, uint64_t seed) {
    lcase c = {pre, n, post, m, malloc(sizeof(double) * (size_t)(pre * n * post)),
               malloc(sizeof(double) * (size_t)m), {3, {pre, n, post}}, {1, {m}}};
    uint64_t rng = seed;
    for (int64_t a = 0; a < pre; a++)
        for (int64_t q = 0; q < post; q++)
            make_column(c.x + a * n * post + q, n, post,
                        mode == 1 || mode == 4 || (mode == 2 && tu_rand(&rng) % 2), mode >= 3, &rng);
    double v = -0.5; /* quarters: on points, between them, below and above */
    for (int64_t k = 0; k < m; k++) {
        c.t[k] = k == m - 1 && m > 2 ? 100.0 : v;
        v += 0.25 * (double)(tu_rand(&rng) % 5) * (double)(1 + n / 4);
    }
    return c;
}

static void free_case(lcase *c) { free(c->x), free(c->t); }

/* Both level loops: four columns at a time (AVX) and one at a time. */
static bool use_avx(size_t width) { return width % 2 == 0; } /* even widths, odd ones scalar */

static sf_mat *build_with(sf_ctx *ctx, const lcase *c, int width, sf_interp_extrap ex) {
    sf_mat *W = NULL;
    sf_interp_level_width = width;
    sf_interp_level_avx = use_avx((size_t)width);
    sf_status st = sf_interp_weights(ctx, c->x, &c->data, c->t, &c->ts, &c->data, 1,
                                     SF_INTERP_LINEAR, ex, -7.5, &W);
    sf_interp_level_width = 1024, sf_interp_level_avx = true;
    cr_assert_eq(st, SF_OK, "%s", sf_ctx_message(ctx));
    return W;
}

static void assert_bitwise(const sf_mat *A, const sf_mat *B, const char *what, int width) {
    const sf_interp_w *a = &A->u.interp, *b = &B->u.interp;
    int64_t rows = sf_mat_rows(A);
    cr_assert_eq(sf_mat_nnz(A), sf_mat_nnz(B), "%s width %d: nnz", what, width);
    for (int64_t i = 0; i < rows; i++)
        cr_assert(a->src[i] == b->src[i] && !memcmp(&a->w[i], &b->w[i], sizeof(double)),
                  "%s width %d output %lld: (%d, %.17g) vs (%d, %.17g)", what, width, (long long)i,
                  a->src[i], a->w[i], b->src[i], b->w[i]);
}

/* The case takes the level path (or the comparisons would be of one path). */
static void assert_levels_fit(const lcase *c, sf_interp_extrap ex) {
    plan pl = {.src = {c->x, false}, .dst = {c->t, true}, .m = c->m,
               .rule = {SF_INTERP_LINEAR, ex, -7.5}};
    cr_assert(levels_fit(&pl));
}

static const int widths[] = {1, 3, 7, 64, 1000, 1024, 1025, 5000};
static const sf_interp_extrap policies[] = {SF_EXTRAP_CLAMP, SF_EXTRAP_NAN, SF_EXTRAP_CONSTANT};

/* Fresh builds: random cases of each direction mode and policy. */
Test(levels, fresh_build_bitwise_column_walk) {
    sf_ctx *ctx = tu_ctx();
    uint64_t seed = 11;
    for (int threads = 1; threads <= 2; threads++)
        for (int mode = 0; mode < 5; mode++)
            for (int p = 0; p < 3; p++, seed++) {
                sf_ctx_set_threads(ctx, threads);
                int64_t n = 1 + (int64_t)(seed % 9), post = 1 + (int64_t)(seed * 37 % 1500);
                lcase c = make_case(1 + (int64_t)(seed % 2), n, post, 1 + (int64_t)(seed % 13),
                                    mode, seed);
                assert_levels_fit(&c, policies[p]);
                sf_mat *ref = build_with(ctx, &c, 0, policies[p]);
                for (size_t w = 0; w < sizeof widths / sizeof *widths; w++) {
                    sf_mat *W = build_with(ctx, &c, widths[w], policies[p]);
                    assert_bitwise(W, ref, "fresh build", widths[w]);
                    sf_mat_free(W);
                }
                sf_mat_free(ref);
                free_case(&c);
            }
    tu_ctx_done(ctx);
}

/* In place: built on one case, updated to another (directions change), equal
 * to the column walk's fresh build of the second. */
Test(levels, update_bitwise_column_walk) {
    sf_ctx *ctx = tu_ctx();
    uint64_t seed = 500;
    for (int threads = 1; threads <= 2; threads++)
        for (int mode = 0; mode < 5; mode++, seed++) {
            sf_ctx_set_threads(ctx, threads);
            int64_t n = 2 + (int64_t)(seed % 7), post = 700 + (int64_t)(seed % 900);
            lcase c0 = make_case(2, n, post, 9, (mode + 1) % 5, seed);
            lcase c1 = make_case(2, n, post, 9, mode, seed + 77);
            sf_mat *ref = build_with(ctx, &c1, 0, SF_EXTRAP_CLAMP);
            for (size_t w = 0; w < sizeof widths / sizeof *widths; w++) {
                sf_mat *W = build_with(ctx, &c0, widths[w], SF_EXTRAP_CLAMP);
                sf_interp_level_width = widths[w], sf_interp_level_avx = use_avx((size_t)widths[w]);
                sf_status st = sf_interp_weights_update(ctx, W, c1.x, &c1.data, c1.t, &c1.ts);
                sf_interp_level_width = 1024, sf_interp_level_avx = true;
                cr_assert_eq(st, SF_OK, "%s", sf_ctx_message(ctx));
                assert_bitwise(W, ref, "update", widths[w]);
                sf_mat_free(W);
            }
            sf_mat_free(ref);
            free_case(&c0), free_case(&c1);
        }
    tu_ctx_done(ctx);
}

/* A NaN or a step against the direction in a few columns: the same status
 * and message from both paths (the first bad column), whatever the width and
 * threads; the update leaves W's arrays as they were. */
Test(levels, bad_columns_named_alike) {
    sf_ctx *ctx = tu_ctx();
    lcase c = make_case(2, 6, 900, 8, 2, 9);
    sf_mat *W = build_with(ctx, &c, 0, SF_EXTRAP_CLAMP);
    sf_mat *keep = build_with(ctx, &c, 0, SF_EXTRAP_CLAMP);
    /* flat column a * post + c at level k: x[a * n * post + k * post + c] */
    c.x[1 * 6 * 900 + 3 * 900 + 700] = NAN;        /* column 1600 */
    double *col = c.x + 1 * 6 * 900 + 301;          /* column 1201 */
    bool falling = col[5 * 900] < col[0];
    col[4 * 900] = col[0] + (falling ? 1.0 : -1.0); /* a step against its direction */
    col[2 * 900 + 49] = col[0] + (falling ? 1.0 : -1.0); /* and column 1250 */
    for (int threads = 1; threads <= 2; threads++)
        for (size_t w = 0; w < sizeof widths / sizeof *widths; w++) {
            sf_ctx_set_threads(ctx, threads);
            char want[256];
            sf_mat *out = NULL;
            sf_interp_level_width = 0;
            sf_status st0 = sf_interp_weights(ctx, c.x, &c.data, c.t, &c.ts, &c.data, 1,
                                              SF_INTERP_LINEAR, SF_EXTRAP_CLAMP, 0, &out);
            snprintf(want, sizeof want, "%s", sf_ctx_message(ctx));
            sf_interp_level_width = widths[w];
            sf_status st1 = sf_interp_weights(ctx, c.x, &c.data, c.t, &c.ts, &c.data, 1,
                                              SF_INTERP_LINEAR, SF_EXTRAP_CLAMP, 0, &out);
            cr_assert_eq(st0, SF_ERR_ARG);
            cr_assert_eq(st1, st0);
            cr_assert_str_eq(sf_ctx_message(ctx), want);
            cr_assert_not_null(strstr(want, "in column 1201 at position"), "%s", want);
            cr_assert_eq(sf_interp_weights_update(ctx, W, c.x, &c.data, c.t, &c.ts), SF_ERR_ARG);
            sf_interp_level_width = 1024;
            cr_assert_not_null(strstr(sf_ctx_message(ctx), "in column 1201 at position"));
            assert_bitwise(W, keep, "unchanged after a failed update", widths[w]);
            cr_assert_null(out);
        }
    sf_mat_free(W), sf_mat_free(keep);
    free_case(&c);
    tu_ctx_done(ctx);
}

/* Ratios that round to exactly 1 or 0, and an infinite point (inf / inf is
 * NaN): the single-point outputs of column.c's two(), rising and falling. */
Test(levels, rounding_edges_bitwise_column_walk) {
    sf_ctx *ctx = tu_ctx();
    const double cols[3][3] = {{-0.5, 1.0, 2.0}, {0.0, 1e300, 2e300}, {-INFINITY, 0.0, 1.0}};
    lcase c = {1, 3, 6, 3, malloc(sizeof(double) * 18), malloc(sizeof(double) * 3),
               {3, {1, 3, 6}}, {1, {3}}};
    for (int j = 0; j < 3; j++)
        for (int k = 0; k < 3; k++) c.x[k * 6 + j] = c.x[(2 - k) * 6 + j + 3] = cols[j][k];
    c.t[0] = -1.0, c.t[1] = 1e-30, c.t[2] = 0x1.fffffffffffffp-1;
    assert_levels_fit(&c, SF_EXTRAP_NAN);
    sf_mat *ref = build_with(ctx, &c, 0, SF_EXTRAP_NAN), *W = build_with(ctx, &c, 4, SF_EXTRAP_NAN);
    assert_bitwise(W, ref, "rounding edges", 4);
    cr_assert_eq(W->u.interp.src[2 * 6 + 0], SF_INTERP_ONE(1 * 6 + 0)); /* r rounds to 1 */
    cr_assert_eq(W->u.interp.src[1 * 6 + 1], SF_INTERP_ONE(0 * 6 + 1)); /* r rounds to 0 */
    sf_mat_free(ref), sf_mat_free(W);
    free_case(&c);
    tu_ctx_done(ctx);
}
