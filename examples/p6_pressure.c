/* P6 for a weather pipeline: model-level fields (time, level, lat, lon) with
 * per-column pressure, interpolated linearly in log(p) to 10 fixed pressure
 * levels.  One set of weights serves 5 fields in one call, is saved to a
 * .sfw file and loaded back, and its adjoint passes the dot-product test. */
#include <math.h>
#include <stdio.h>

#include "tour.h"

enum { T = 2, L = 60, LAT = 90, LON = 180, POST = LAT * LON, P = 10, NF = 5 };

/* The naive reference of one output: binary search in log p of its column. */
static double naive(const double *p, const double *f, double target) {
    double u = log(target);
    if (u <= log(p[0])) return f[0];
    if (u >= log(p[(L - 1) * POST])) return f[(L - 1) * POST];
    int lo = 0, hi = L - 1;
    while (hi - lo > 1) {
        int mid = (lo + hi) / 2;
        if (log(p[mid * POST]) <= u) lo = mid;
        else hi = mid;
    }
    double a = log(p[lo * POST]), b = log(p[hi * POST]);
    return f[lo * POST] + (u - a) * (f[hi * POST] - f[lo * POST]) / (b - a);
}

static double max_error(const double *p, const double *f, const double *out, const double *lev) {
    double d = 0;
    for (int64_t col = 0; col < (int64_t)T * POST; col++) {
        int64_t s0 = (col / POST) * L * POST + col % POST, o0 = (col / POST) * P * POST + col % POST;
        for (int k = 0; k < P; k++) d = fmax(d, fabs(out[o0 + k * POST] - naive(p + s0, f + s0, lev[k])));
    }
    return d;
}

static double dot(const double *a, const double *b, int64_t n) {
    double s = 0;
    for (int64_t i = 0; i < n; i++) s += a[i] * b[i];
    return s;
}

int example_p6_pressure(void) {
    static const double lev[P] = {1000, 925, 850, 700, 500, 300, 250, 200, 100, 50}; /* hPa */
    sf_ctx *ctx;
    if (sf_ctx_create(&ctx)) return 1;
    int64_t size = (int64_t)T * L * POST, osize = (int64_t)T * P * POST;
    double *p = malloc((size_t)size * 8), *f[NF], *o[NF], *back = malloc((size_t)size * 8);
    unsigned seed = 3;
    for (int64_t i = 0; i < size; i++) { /* level 0 at the top: pressure rises with the index */
        double ps = 980.0 + 50.0 * sin(0.001 * (double)(i % POST)), s = ((i / POST) % L + 1.0) / L;
        p[i] = ps * s * s;
    }
    for (int q = 0; q < NF; q++) {
        f[q] = malloc((size_t)size * 8), o[q] = malloc((size_t)osize * 8);
        for (int64_t i = 0; i < size; i++) f[q][i] = 10.0 * q + log(p[i]) + rand_r(&seed) / (double)RAND_MAX;
    }
    sf_shape data = {4, {T, L, LAT, LON}}, ls = {1, {P}};
    sf_mat *W, *R;
    EX_CHECK(ctx, sf_interp_weights(ctx, p, &data, lev, &ls, &data, 1, SF_INTERP_LOG, SF_EXTRAP_CLAMP,
                                    0, &W));
    EX_CHECK(ctx, sf_interp_apply(ctx, W, NF, (const double *const *)f, o));
    double err = 0;
    for (int q = 0; q < NF; q++) err = fmax(err, max_error(p, f[q], o[q], lev));
    printf("(%d, %d, %d, %d) model levels -> %d pressure levels, %d fields in one call: "
           "max |error| against a naive log-p search = %.2g\n", T, L, LAT, LON, P, NF, err);

    char path[] = "/tmp/sparsefirst_p6_pressure.sfw", b[32];
    EX_CHECK(ctx, sf_interp_save(ctx, W, path));
    EX_CHECK(ctx, sf_interp_load(ctx, path, &R));
    EX_CHECK(ctx, sf_interp_apply(ctx, R, 1, (const double *const *)f, &back));
    double same = 0;
    for (int64_t i = 0; i < osize; i++) same = fmax(same, fabs(back[i] - o[0][i]));
    printf("saved to %s (%s) and loaded: same outputs (max |difference| %g)\n", path,
           ex_bytes((double)sf_mat_bytes(R), b, sizeof b), same);
    remove(path);

    /* Adjoint (data assimilation): <W x, y> = <x, W^T y> with y = an output field. */
    EX_CHECK(ctx, sf_interp_apply_adjoint(ctx, W, 1, (const double *const *)o, &back));
    double lhs = dot(o[0], o[0], osize), rhs = dot(f[0], back, size);
    printf("adjoint: <W f, y> = %.15g, <f, W^T y> = %.15g\n", lhs, rhs);
    sf_mat_free(W), sf_mat_free(R);
    for (int q = 0; q < NF; q++) free(f[q]), free(o[q]);
    free(p), free(back);
    int bad = !(err < 1e-9) || same != 0 || !(fabs(lhs - rhs) <= 1e-10 * fabs(lhs)) ||
              sf_ctx_bytes_in_use(ctx) != 0;
    sf_ctx_free(ctx);
    return bad;
}

SF_EXAMPLE_MAIN(example_p6_pressure)
