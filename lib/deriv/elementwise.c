/* Elementwise functions: value and derivative in one pass, and their
 * Jacobians as diagonal handles (n stored entries for n elements, any shape). */
#include <math.h>
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#if defined(__GNUC__) && (defined(__x86_64__) || defined(__i386__))
#include <immintrin.h> /* AVX path for CPUs that have it (target attribute) */
#define SF_HAVE_AVX_PATH 1
#endif
#endif

#include "deriv_internal.h"

static const char *const fn_names[SF_FN_COUNT] = {
    "square", "power", "exp", "log", "sqrt", "sin", "cos",
    "tanh", "sigmoid", "softplus", "abs", "relu",
};

const char *sf_elem_fn_name(sf_elem_fn fn) {
    return (unsigned)fn < SF_FN_COUNT ? fn_names[fn] : "unknown";
}

sf_status sf_elem_fn_from_name(sf_ctx *ctx, const char *name, sf_elem_fn *out) {
    if (!name || !out) return sf_error(ctx, SF_ERR_ARG, "sf_elem_fn_from_name: NULL argument");
    for (int f = 0; f < SF_FN_COUNT; f++)
        if (!strcmp(name, fn_names[f])) {
            *out = (sf_elem_fn)f;
            return SF_OK;
        }
    return sf_error(ctx, SF_ERR_ARG,
                    "unknown function '%s' (square, power, exp, log, sqrt, sin, cos, tanh, "
                    "sigmoid, softplus, abs, relu)", name);
}

/* Logistic function without overflow for large |x|. */
static double sigmoid(double x) {
    if (x >= 0) return 1.0 / (1.0 + exp(-x));
    double e = exp(x);
    return e / (1.0 + e);
}

static void power_eval(double p, double x, double *f, double *d) {
    *f = pow(x, p);
    *d = p == 0.0 ? 0.0 : p == 1.0 ? 1.0 : p * pow(x, p - 1.0);
}

/* f(x) and f'(x) of one element; outside the domain both are NaN (IEEE). */
static void eval_one(sf_elem_fn fn, double p, double x, double *f, double *d) {
    switch (fn) {
    case SF_FN_SQUARE: *f = x * x; *d = 2.0 * x; break;
    case SF_FN_POWER: power_eval(p, x, f, d); break;
    case SF_FN_EXP: *f = *d = exp(x); break;
    /* x == 0 covers -0.0 too, whose reciprocal would be -Inf */
    case SF_FN_LOG: *f = log(x); *d = x < 0 ? NAN : x == 0 ? INFINITY : 1.0 / x; break;
    case SF_FN_SQRT: *f = sqrt(x); *d = x < 0 ? NAN : x == 0 ? INFINITY : 0.5 / *f; break;
    case SF_FN_SIN: *f = sin(x); *d = cos(x); break;
    case SF_FN_COS: *f = cos(x); *d = -sin(x); break;
    case SF_FN_TANH: *f = tanh(x); *d = 1.0 - *f * *f; break;
    case SF_FN_SIGMOID: *f = sigmoid(x); *d = *f * (1.0 - *f); break;
    case SF_FN_SOFTPLUS: /* log(1 + e^x) = max(x, 0) + log1p(e^-|x|) */
        *f = fmax(x, 0.0) + log1p(exp(-fabs(x)));
        *d = sigmoid(x);
        break;
    case SF_FN_ABS: *f = fabs(x); *d = x > 0 ? 1.0 : x < 0 ? -1.0 : x; break; /* abs'(0) = 0 */
    case SF_FN_RELU: *f = x > 0 ? x : 0.0; *d = x > 0 ? 1.0 : 0.0; break;   /* relu'(0) = 0 */
    default: *f = *d = NAN; break;
    }
}

/* One block of elements into cache-resident buffers (f may be NULL).  The
 * square case is split out so that it vectorises. */
static void eval_block(sf_elem_fn fn, double p, const double *x, double *f, double *d,
                       int64_t len) {
    if (fn == SF_FN_SQUARE) {
        for (int64_t i = 0; i < len; i++) d[i] = 2.0 * x[i];
        if (f)
            for (int64_t i = 0; i < len; i++) f[i] = x[i] * x[i];
        return;
    }
    double unused;
    for (int64_t i = 0; i < len; i++) eval_one(fn, p, x[i], f ? &f[i] : &unused, &d[i]);
}

/* Copy a block out.  Large outputs bypass the cache with streaming stores:
 * the output is not read back soon, and skipping the read-for-ownership of
 * each line moves 16 instead of 24 bytes per element, as memcpy does. */
static void store_block(double *dst, const double *src, int64_t len, bool stream) {
#if defined(__SSE2__)
    if (stream) {
        int64_t i = 0;
        if ((uintptr_t)dst % 16 && len > 0) dst[i] = src[i], i++;
        for (; i + 1 < len; i += 2) _mm_stream_pd(dst + i, _mm_loadu_pd(src + i));
        if (i < len) dst[i] = src[i];
        return;
    }
#endif
    (void)stream;
    memcpy(dst, src, (size_t)len * sizeof *dst);
}

#if defined(__SSE2__)
/* The square function is pure memory traffic, so a large output is computed
 * straight into streaming stores (dst = x*x if sq, else 2*x) instead of
 * through a buffer: one pass over the bytes instead of two.  AVX, where the
 * CPU has it, halves the instructions per byte; the products are the same
 * IEEE operations either way. */
static void stream_square_sse2(double *dst, const double *x, int64_t len, bool sq) {
    int64_t i = 0;
    if ((uintptr_t)dst % 16 && len > 0) dst[i] = x[i] * (sq ? x[i] : 2.0), i++;
    __m128d two = _mm_set1_pd(2.0);
    for (; i + 1 < len; i += 2) {
        __m128d v = _mm_loadu_pd(x + i);
        _mm_stream_pd(dst + i, _mm_mul_pd(v, sq ? v : two));
    }
    if (i < len) dst[i] = x[i] * (sq ? x[i] : 2.0);
}

#if defined(SF_HAVE_AVX_PATH)
__attribute__((target("avx"))) static void stream_square_avx(double *dst, const double *x,
                                                             int64_t len, bool sq) {
    int64_t i = 0;
    for (; i < len && (uintptr_t)(dst + i) % 32; i++) dst[i] = x[i] * (sq ? x[i] : 2.0);
    __m256d two = _mm256_set1_pd(2.0);
    for (; i + 7 < len; i += 8) { /* one cache line per iteration */
        __m256d v = _mm256_loadu_pd(x + i), w = _mm256_loadu_pd(x + i + 4);
        _mm256_stream_pd(dst + i, _mm256_mul_pd(v, sq ? v : two));
        _mm256_stream_pd(dst + i + 4, _mm256_mul_pd(w, sq ? w : two));
    }
    for (; i + 3 < len; i += 4) {
        __m256d v = _mm256_loadu_pd(x + i);
        _mm256_stream_pd(dst + i, _mm256_mul_pd(v, sq ? v : two));
    }
    for (; i < len; i++) dst[i] = x[i] * (sq ? x[i] : 2.0);
}
#endif

static void stream_square(double *dst, const double *x, int64_t len, bool sq, bool avx) {
#if defined(SF_HAVE_AVX_PATH)
    if (avx) {
        stream_square_avx(dst, x, len, sq);
        return;
    }
#endif
    (void)avx;
    stream_square_sse2(dst, x, len, sq);
}
#endif

static bool cpu_has_avx(void) {
#if defined(SF_HAVE_AVX_PATH)
    return __builtin_cpu_supports("avx");
#else
    return false;
#endif
}

#define BLOCK 512                          /* elements per block: 4 KiB per buffer */
#define STREAM_BYTES ((int64_t)8 << 20)    /* outputs above this bypass the cache */

/* One block [lo, lo + len): straight to streaming stores for the square
 * function, through cache-resident buffers for the others. */
static void eval_store(sf_elem_fn fn, double p, const double *x, double *fx, double *dfx,
                       int64_t lo, int64_t len, bool stream, bool avx) {
#if defined(__SSE2__)
    if (stream && fn == SF_FN_SQUARE) {
        stream_square(dfx + lo, x + lo, len, false, avx);
        if (fx) stream_square(fx + lo, x + lo, len, true, avx);
        return;
    }
#endif
    (void)avx;
    double fbuf[BLOCK], dbuf[BLOCK];
    eval_block(fn, p, x + lo, fx ? fbuf : NULL, dbuf, len);
    store_block(dfx + lo, dbuf, len, stream);
    if (fx) store_block(fx + lo, fbuf, len, stream);
}

static void eval_all(sf_elem_fn fn, double p, int64_t n, const double *x, double *fx,
                     double *dfx, int threads) {
    bool stream = n * (int64_t)sizeof(double) > STREAM_BYTES;
    bool avx = stream && cpu_has_avx();
    int64_t nblocks = (n + BLOCK - 1) / BLOCK;
#pragma omp parallel for num_threads(threads) schedule(static)
    for (int64_t b = 0; b < nblocks; b++) {
        int64_t lo = b * BLOCK, len = n - lo < BLOCK ? n - lo : BLOCK;
        eval_store(fn, p, x, fx, dfx, lo, len, stream, avx);
    }
#if defined(__SSE2__)
    if (stream) _mm_sfence(); /* streaming stores visible before we return */
#endif
}

static sf_status check_fn(sf_ctx *ctx, sf_elem_fn fn, const char *what) {
    if ((unsigned)fn >= SF_FN_COUNT)
        return sf_error(ctx, SF_ERR_ARG, "%s: unknown function code %d", what, (int)fn);
    return SF_OK;
}

sf_status sf_elem_eval(sf_ctx *ctx, sf_elem_fn fn, double p, int64_t n, const double *x,
                       double *fx, double *dfx) {
    if (!ctx) return SF_ERR_ARG;
    sf_status st = check_fn(ctx, fn, "sf_elem_eval");
    if (st) return st;
    if (n < 0) return sf_error(ctx, SF_ERR_ARG, "sf_elem_eval: negative count %lld", (long long)n);
    if (n > 0 && (!x || !dfx)) return sf_error(ctx, SF_ERR_ARG, "sf_elem_eval: NULL argument");
    eval_all(fn, p, n, x, fx, dfx, sf_threads_for(ctx, n));
    return SF_OK;
}

static sf_status check_args(sf_ctx *ctx, const sf_shape *shape, const double *x, const void *J,
                            const char *what, int64_t *n) {
    if (!shape || !J) return sf_error(ctx, SF_ERR_ARG, "%s: NULL argument", what);
    sf_status st = deriv_shape_size(ctx, shape, what, n);
    if (st) return st;
    if (*n > 0 && !x) return sf_error(ctx, SF_ERR_ARG, "%s: x is NULL", what);
    return SF_OK;
}

sf_status sf_jac_elementwise(sf_ctx *ctx, sf_elem_fn fn, double p, const sf_shape *shape,
                             const double *x, double *fx, sf_mat **J) {
    if (!ctx) return SF_ERR_ARG;
    const char *what = "sf_jac_elementwise";
    int64_t n;
    sf_status st = check_fn(ctx, fn, what);
    if (st || (st = check_args(ctx, shape, x, J, what, &n))) return st;
    sf_mat *m = NULL;
    if ((st = sf_diag_new(ctx, n, what, &m))) return st;
    eval_all(fn, p, n, x, fx, m->u.diag.d, sf_threads_for(ctx, n));
    *J = m;
    return SF_OK;
}

sf_status sf_jac_elementwise_refresh(sf_ctx *ctx, sf_elem_fn fn, double p, const double *x,
                                     double *fx, sf_mat *J) {
    if (!ctx) return SF_ERR_ARG;
    sf_status st = check_fn(ctx, fn, "sf_jac_elementwise_refresh");
    if (st) return st;
    if (!J || (J->rows > 0 && !x))
        return sf_error(ctx, SF_ERR_ARG, "sf_jac_elementwise_refresh: NULL argument");
    if (J->kind != SF_DIAG)
        return sf_error(ctx, SF_ERR_ARG, "sf_jac_elementwise_refresh: J is %s, not diagonal",
                        sf_kind_name(J->kind));
    eval_all(fn, p, J->rows, x, fx, J->u.diag.d, sf_threads_for(ctx, J->rows));
    sf_mat_values_changed(J);
    return SF_OK;
}

sf_status sf_jac_elementwise_fn(sf_ctx *ctx, sf_scalar_fn f, void *user, const sf_shape *shape,
                                const double *x, double *fx, sf_mat **J) {
    if (!ctx) return SF_ERR_ARG;
    const char *what = "sf_jac_elementwise_fn";
    int64_t n;
    if (!f) return sf_error(ctx, SF_ERR_ARG, "%s: function is NULL", what);
    sf_status st = check_args(ctx, shape, x, J, what, &n);
    if (st) return st;
    sf_mat *m = NULL;
    if ((st = sf_diag_new(ctx, n, what, &m))) return st;
    /* one call per element; the values wait in a scratch array, since fx is
     * written only on success */
    double *vals = fx && n > 0 ? sf_alloc_array(ctx, (size_t)n, sizeof *vals, "elementwise values")
                               : NULL;
    if (fx && n > 0 && !vals) {
        sf_mat_free(m);
        return sf_last_alloc_status(ctx);
    }
    for (int64_t i = 0; i < n; i++) {
        double v;
        int rc = f(x[i], vals ? &vals[i] : &v, &m->u.diag.d[i], user);
        if (rc) {
            sf_mat_free(m);
            sf_free(ctx, vals);
            return sf_error(ctx, SF_ERR_ARG, "%s: the function returned %d at element %lld", what,
                            rc, (long long)i);
        }
    }
    if (vals) memcpy(fx, vals, (size_t)n * sizeof *fx);
    sf_free(ctx, vals);
    *J = m;
    return SF_OK;
}
