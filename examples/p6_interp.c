/* P6: interpolate every (time, lat, lon) column of y(time, altitude, lat, lon)
 * from its own altitude grid x (same shape as y) to one 1-D grid x_new.
 * At the original size (200,000 columns, 66 -> 69 levels) the weights are
 * built once (one merge walk per column) and applied to a field in one pass;
 * the peer is the per-column merge loop people write, run per field. */
#include <math.h>

#include "tour.h"

enum { T = 2, N = 66, M = 69, LAT = 250, LON = 400, POST = LAT * LON };

/* The peer: per column, a merge walk (np.interp semantics: clamp). */
static void merge_loop(const double *x, const double *y, const double *xn, double *out) {
    for (int64_t col = 0; col < (int64_t)T * POST; col++) {
        const double *xc = x + (col / POST) * N * POST + col % POST;
        const double *yc = y + (col / POST) * N * POST + col % POST;
        double *oc = out + (col / POST) * M * POST + col % POST;
        int64_t j = 0;
        for (int k = 0; k < M; k++) {
            double v = xn[k];
            while (j < N - 2 && xc[(j + 1) * POST] <= v) j++;
            double x0 = xc[j * POST], x1 = xc[(j + 1) * POST];
            oc[k * POST] = v <= xc[0] ? yc[0] : v >= xc[(N - 1) * POST] ? yc[(N - 1) * POST]
                         : yc[j * POST] + (v - x0) * (yc[(j + 1) * POST] - yc[j * POST]) / (x1 - x0);
        }
    }
}

int example_p6_interp(void) {
    sf_ctx *ctx;
    if (sf_ctx_create(&ctx)) return 1;
    int64_t size = (int64_t)T * N * POST, osize = (int64_t)T * M * POST;
    double *x = malloc((size_t)size * 8), *y = malloc((size_t)size * 8), xn[M];
    double *o1 = calloc((size_t)osize, 8), *o2 = calloc((size_t)osize, 8);
    unsigned seed = 6;
    for (int64_t i = 0; i < size; i++) {
        int64_t k = (i / POST) % N;
        x[i] = 100.0 * (double)k + 40.0 * rand_r(&seed) / RAND_MAX; /* altitude, m */
        y[i] = 288.0 - 0.0065 * x[i] + rand_r(&seed) / (double)RAND_MAX;
    }
    for (int k = 0; k < M; k++) xn[k] = -50.0 + 100.0 * k;
    for (int64_t i = 0; i < osize; i++) o1[i] = o2[i] = 0; /* page faults out of the timing */
    sf_shape data = {4, {T, N, LAT, LON}}, ts = {1, {M}};
    sf_mat *W;
    double t0 = ex_now();
    EX_CHECK(ctx, sf_interp_weights(ctx, x, &data, xn, &ts, &data, 1, SF_INTERP_LINEAR,
                                    SF_EXTRAP_CLAMP, 0, &W));
    double tb = ex_now() - t0;
    const double *fs[1] = {y};
    t0 = ex_now();
    EX_CHECK(ctx, sf_interp_apply(ctx, W, 1, fs, &o1));
    double ta = ex_now() - t0;
    t0 = ex_now();
    merge_loop(x, y, xn, o2);
    double tm = ex_now() - t0;
    double d = 0;
    for (int64_t i = 0; i < osize; i++) d = fmax(d, fabs(o1[i] - o2[i]));
    char b1[32], b2[32];
    printf("(%d, %d, %d, %d) -> %d levels, %d columns each with its own grid\n", T, N, LAT, LON, M,
           T * POST);
    printf("weights: %s (%.1f B per output; CSR would take %s), built in %.0f ms\n",
           ex_bytes((double)sf_mat_bytes(W), b1, sizeof b1), (double)sf_mat_bytes(W) / (double)osize,
           ex_bytes(8.0 * (double)(osize + 1) + 12.0 * (double)sf_mat_nnz(W), b2, sizeof b2), tb * 1e3);
    printf("apply to one field: %.0f ms; per-column merge loop: %.0f ms per field (%.1fx); "
           "max |difference| = %.2g\n", ta * 1e3, tm * 1e3, tm / ta, d);
    printf("with k fields: weights %.0f ms + k x %.0f ms, against k x %.0f ms\n", tb * 1e3, ta * 1e3,
           tm * 1e3);
    sf_mat_free(W);
    free(x), free(y), free(o1), free(o2);
    int bad = !(d < 1e-9) || sf_ctx_bytes_in_use(ctx) != 0;
    sf_ctx_free(ctx);
    return bad;
}

SF_EXAMPLE_MAIN(example_p6_interp)
