/* CSR times dense, row-parallel.  Each output row is one dot product per
 * column, summed in the row's stored order by one thread, so the result does
 * not depend on the thread count.  Rows are split between threads by their
 * number of entries.  op = transpose runs on the cached CSR transpose. */
#include <omp.h>
#include <stdint.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "ops_internal.h"

/* Columns of B handled together: the accumulators stay in registers/L1. */
#define COL_BLOCK 64

/* Rows of B are gathered in the column order of A's entries.  When the
 * entries lie far from the diagonal band (random patterns) and B is larger
 * than the caches, each gather is a cache and TLB miss: ask for the row
 * needed some entries later so several misses are in flight.  For banded
 * matrices the prefetch only costs time (measured +15 %), so it is decided
 * per call from a sample of rows.  An x of 8 MB stays in the last-level
 * cache but its misses from L2 are slow too: 128 entries ahead instead of 32
 * took the random 10^6 SpMV from 48 to 35 ms (interleaved A/B, median of 31);
 * a B row of 16 doubles gains nothing beyond 24. */
#define SPMV_AHEAD 128
#define ROWS_AHEAD 24
static inline void prefetch_row(const double *row, int64_t kb) {
    for (int64_t j = 0; j < kb; j += 8) __builtin_prefetch(row + j);
}

/* Most entries of 64 sampled rows (their first 64 entries: an arrow
 * matrix's dense row 0 alone cost 10 % of its SpMV) lie over 4096 columns
 * from the diagonal. */
static bool scattered(const sf_mat *A) {
    const sf_csr *a = &A->u.csr;
    int64_t far = 0, seen = 0, step = A->rows / 64 + 1;
    for (int64_t i = 0; i < A->rows; i += step) {
        int64_t diag = (int64_t)((double)i * (double)A->cols / (double)A->rows);
        int64_t end = a->rowptr[i + 1] - a->rowptr[i] > 64 ? a->rowptr[i] + 64 : a->rowptr[i + 1];
        for (int64_t p = a->rowptr[i]; p < end; p++, seen++)
            far += a->colind[p] > diag + 4096 || a->colind[p] < diag - 4096;
    }
    return 2 * far > seen;
}

/* Entries before this index prefetch `ahead` entries on; -1 (none) unless the
 * pattern is scattered and B spans over 4 MB. */
static int64_t prefetch_end(const sf_csr *a, int64_t r1, const sf_strided *B, bool scatter,
                            int64_t ahead) {
    double span = 8.0 * (double)B->rows * (double)(B->rs > B->cols ? B->rs : B->cols);
    return scatter && span > 4e6 ? a->rowptr[r1] - ahead : -1;
}

/* Rows with at least this many entries are summed in four interleaved
 * chains (entry p goes to chain p mod 4 counted from the row's start, then
 * (c0 + c1) + (c2 + c3) and the tail in order): a single chain is bound by
 * the latency of the adds on long rows (an arrow matrix's dense row ran at
 * 0.67x CXSparse).  The order depends only on the row, never on threads. */
#define LONG_ROW 32

/* One right-hand side (SpMV) with x and y strides xs, ys; always inlined so
 * that the common unit strides and the flags are constants.  With `pf`,
 * entries before `last` prefetch; with `b0` (beta == 0) y is only written.
 * Both give the same sums as the general loop: only the dead work goes. */
static inline __attribute__((always_inline)) void rows_spmv(const sf_csr *a, int64_t r0,
                                                            int64_t r1, double alpha,
                                                            const double *x, int64_t xs,
                                                            double beta, double *y, int64_t ys,
                                                            int64_t last, bool pf, bool b0) {
    const int64_t *rp = a->rowptr;
    const int32_t *ci = a->colind;
    const double *v = a->val;
    for (int64_t i = r0; i < r1; i++) {
        double s = 0.0;
        int64_t p = rp[i], end = rp[i + 1];
        if (end - p >= LONG_ROW) { /* four chains: the adds no longer wait on each other */
            double s1 = 0.0, s2 = 0.0, s3 = 0.0;
            for (; p + 4 <= end; p += 4) {
                if (pf && p < last) __builtin_prefetch(x + ci[p + SPMV_AHEAD] * xs);
                s += v[p] * x[ci[p] * xs];
                s1 += v[p + 1] * x[ci[p + 1] * xs];
                s2 += v[p + 2] * x[ci[p + 2] * xs];
                s3 += v[p + 3] * x[ci[p + 3] * xs];
            }
            s = (s + s1) + (s2 + s3);
        }
        for (; p < end; p++) {
            if (pf && p < last) __builtin_prefetch(x + ci[p + SPMV_AHEAD] * xs);
            s += v[p] * x[ci[p] * xs];
        }
        y[i * ys] = b0 ? alpha * s : sf_axpby(alpha, s, beta, y[i * ys]);
    }
}

/* Unit strides: one loop per combination of prefetch and beta == 0, so that
 * the short rows of a banded or arrow matrix carry no dead test. */
static void rows_spmv_unit(const sf_csr *a, int64_t r0, int64_t r1, double alpha,
                           const double *x, double beta, double *y, int64_t last) {
    bool pf = last >= 0, b0 = beta == 0.0;
    if (!pf && b0) rows_spmv(a, r0, r1, alpha, x, 1, beta, y, 1, last, false, true);
    else if (!pf) rows_spmv(a, r0, r1, alpha, x, 1, beta, y, 1, last, false, false);
    else if (b0) rows_spmv(a, r0, r1, alpha, x, 1, beta, y, 1, last, true, true);
    else rows_spmv(a, r0, r1, alpha, x, 1, beta, y, 1, last, true, false);
}

static void rows_one_column(const sf_csr *a, int64_t r0, int64_t r1, double alpha,
                            const sf_strided *B, double beta, const sf_strided *C, bool scatter) {
    int64_t last = prefetch_end(a, r1, B, scatter, SPMV_AHEAD);
    if (B->rs == 1 && C->rs == 1) rows_spmv_unit(a, r0, r1, alpha, B->data, beta, C->data, last);
    else rows_spmv(a, r0, r1, alpha, B->data, B->rs, beta, C->data, C->rs, last, true, false);
}

/* With beta == 0 and a C over STREAM_BYTES (beyond the 32 MB last-level
 * cache here) the rows of C are written with streaming stores: an ordinary
 * store first reads the line it fills, 128 MB of extra traffic for a 10^6 x
 * 16 C that would not stay cached anyway.  Same values; SSE2 and 16-byte
 * aligned rows only. */
#define STREAM_BYTES 32e6

static bool stream_c(const sf_strided *C, double beta) {
#ifdef __SSE2__
    return beta == 0.0 && C->rs % 2 == 0 && (uintptr_t)C->data % 16 == 0 &&
           8.0 * (double)C->rows * (double)C->rs > STREAM_BYTES;
#else
    (void)C, (void)beta;
    return false;
#endif
}

static inline __attribute__((always_inline)) void store_row(double *cp, const double *acc,
                                                            int64_t kb, double alpha,
                                                            double beta, bool stream) {
#ifdef __SSE2__
    if (stream) {
#pragma GCC unroll 8
        for (int64_t j = 0; j + 2 <= kb; j += 2)
            _mm_stream_pd(cp + j, _mm_set_pd(alpha * acc[j + 1], alpha * acc[j]));
        if (kb % 2) cp[kb - 1] = alpha * acc[kb - 1];
        return;
    }
#endif
#pragma GCC unroll 16
    for (int64_t j = 0; j < kb; j++) cp[j] = sf_axpby(alpha, acc[j], beta, cp[j]);
}

/* Rows r0..r1 for kb contiguous columns of B (row stride brs) and C (row
 * stride crs).  Always inlined: called with a constant kb the loops unroll and
 * the accumulators stay in registers.  With `pf`, entries before `last`
 * prefetch (a constant, so the other loop carries no test). */
static inline __attribute__((always_inline)) void rows_width(const sf_csr *a, int64_t r0,
                                                             int64_t r1, double alpha,
                                                             const double *b, int64_t brs,
                                                             double beta, double *c, int64_t crs,
                                                             int64_t kb, int64_t last, bool pf,
                                                             bool stream) {
    double acc[COL_BLOCK];
    for (int64_t i = r0; i < r1; i++) {
#pragma GCC unroll 16
        for (int64_t j = 0; j < kb; j++) acc[j] = 0.0;
        for (int64_t p = a->rowptr[i]; p < a->rowptr[i + 1]; p++) {
            if (pf && p < last) prefetch_row(b + a->colind[p + ROWS_AHEAD] * brs, kb);
            const double v = a->val[p], *bp = b + a->colind[p] * brs;
#pragma GCC unroll 16 /* -O2 leaves acc on the stack otherwise */
            for (int64_t j = 0; j < kb; j++) acc[j] += v * bp[j];
        }
        store_row(c + i * crs, acc, kb, alpha, beta, stream);
    }
}

static inline __attribute__((always_inline)) void rows_width_pf(
    const sf_csr *a, int64_t r0, int64_t r1, double alpha, const double *b, int64_t brs,
    double beta, double *c, int64_t crs, int64_t kb, int64_t last, bool stream) {
    if (last >= 0) rows_width(a, r0, r1, alpha, b, brs, beta, c, crs, kb, last, true, stream);
    else rows_width(a, r0, r1, alpha, b, brs, beta, c, crs, kb, last, false, stream);
}

/* Row-major B and C (unit column stride): blocks of at most COL_BLOCK
 * columns, common widths specialised. */
static inline __attribute__((always_inline)) void rows_contiguous_body(
    const sf_csr *a, int64_t r0, int64_t r1, double alpha, const sf_strided *B, double beta,
    const sf_strided *C, bool scatter) {
    int64_t last = prefetch_end(a, r1, B, scatter, ROWS_AHEAD);
    bool stream = stream_c(C, beta);
    for (int64_t j0 = 0; j0 < B->cols; j0 += COL_BLOCK) {
        int64_t kb = B->cols - j0 < COL_BLOCK ? B->cols - j0 : COL_BLOCK;
        const double *b = B->data + j0;
        double *c = C->data + j0;
        switch (kb) {
        case 2: rows_width_pf(a, r0, r1, alpha, b, B->rs, beta, c, C->rs, 2, last, stream); break;
        case 4: rows_width_pf(a, r0, r1, alpha, b, B->rs, beta, c, C->rs, 4, last, stream); break;
        case 8: rows_width_pf(a, r0, r1, alpha, b, B->rs, beta, c, C->rs, 8, last, stream); break;
        case 16: rows_width_pf(a, r0, r1, alpha, b, B->rs, beta, c, C->rs, 16, last, stream); break;
        default: rows_width(a, r0, r1, alpha, b, B->rs, beta, c, C->rs, kb, last, true, stream);
        }
    }
#ifdef __SSE2__
    if (stream) _mm_sfence(); /* streamed rows visible before the threads join */
#endif
}

static void rows_contiguous_sse(const sf_csr *a, int64_t r0, int64_t r1, double alpha,
                                const sf_strided *B, double beta, const sf_strided *C,
                                bool scatter) {
    rows_contiguous_body(a, r0, r1, alpha, B, beta, C, scatter);
}

#if defined(__x86_64__) && defined(__GNUC__)
/* The same loops compiled for AVX: a row of 16 accumulators is 4 registers
 * instead of 8, half the loads and arithmetic instructions per entry (2-D
 * Laplacian, k = 16: 40 -> 30 ms, interleaved A/B).  AVX has no FMA, so the
 * sums are bitwise those of the SSE2 loops, and on rows under LONG_ROW
 * entries those of SpMV on each column (tested). */
__attribute__((target("avx"))) static void rows_contiguous_avx(
    const sf_csr *a, int64_t r0, int64_t r1, double alpha, const sf_strided *B, double beta,
    const sf_strided *C, bool scatter) {
    rows_contiguous_body(a, r0, r1, alpha, B, beta, C, scatter);
}

static void rows_contiguous(const sf_csr *a, int64_t r0, int64_t r1, double alpha,
                            const sf_strided *B, double beta, const sf_strided *C, bool scatter) {
    if (__builtin_cpu_supports("avx")) rows_contiguous_avx(a, r0, r1, alpha, B, beta, C, scatter);
    else rows_contiguous_sse(a, r0, r1, alpha, B, beta, C, scatter);
}
#else
#define rows_contiguous rows_contiguous_sse
#endif

/* Any strides (column-major views, complex halves). */
static void rows_strided(const sf_csr *a, int64_t r0, int64_t r1, double alpha,
                         const sf_strided *B, double beta, const sf_strided *C) {
    double acc[COL_BLOCK];
    for (int64_t i = r0; i < r1; i++) {
        for (int64_t j0 = 0; j0 < B->cols; j0 += COL_BLOCK) {
            int64_t kb = B->cols - j0 < COL_BLOCK ? B->cols - j0 : COL_BLOCK;
            for (int64_t j = 0; j < kb; j++) acc[j] = 0.0;
            for (int64_t p = a->rowptr[i]; p < a->rowptr[i + 1]; p++) {
                const double v = a->val[p], *b = B->data + a->colind[p] * B->rs + j0 * B->cs;
                for (int64_t j = 0; j < kb; j++) acc[j] += v * b[j * B->cs];
            }
            double *c = C->data + i * C->rs + j0 * C->cs;
            for (int64_t j = 0; j < kb; j++)
                c[j * C->cs] = sf_axpby(alpha, acc[j], beta, c[j * C->cs]);
        }
    }
}

/* Four columns of a column-major B (each contiguous) in one pass over A:
 * one dot product per column, each in stored order, so every column is
 * bitwise its SpMV on rows under LONG_ROW entries (as row-major SpMM). */
static void rows_four_columns(const sf_csr *a, int64_t r0, int64_t r1, double alpha,
                              const double *b, int64_t bcs, double beta, double *c,
                              int64_t crs, int64_t ccs) {
    const double *b0 = b, *b1 = b + bcs, *b2 = b + 2 * bcs, *b3 = b + 3 * bcs;
    for (int64_t i = r0; i < r1; i++) {
        double s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0;
        for (int64_t p = a->rowptr[i]; p < a->rowptr[i + 1]; p++) {
            const double v = a->val[p];
            const int64_t l = a->colind[p];
            s0 += v * b0[l], s1 += v * b1[l], s2 += v * b2[l], s3 += v * b3[l];
        }
        double *ci = c + i * crs;
        ci[0] = sf_axpby(alpha, s0, beta, ci[0]);
        ci[ccs] = sf_axpby(alpha, s1, beta, ci[ccs]);
        ci[2 * ccs] = sf_axpby(alpha, s2, beta, ci[2 * ccs]);
        ci[3 * ccs] = sf_axpby(alpha, s3, beta, ci[3 * ccs]);
    }
}

/* Column-major B (each column contiguous).  Gathering a row of B across k
 * columns touches k cache lines per entry (a 10^6 x 16 random product took
 * 3.5 s that way, 0.26 s row-major).  Banded patterns take the columns four
 * at a time, one pass over A for four streams of B (2-D Laplacian 10^6, 16
 * columns: 148 ms as 16 SpMVs, 68 ms; eight at a time: 104 ms); scattered
 * ones one SpMV per column (0.53 s), whose 8 MB x stays in the last-level
 * cache where four would not. */
static void rows_by_column(const sf_csr *a, int64_t r0, int64_t r1, double alpha,
                           const sf_strided *B, double beta, const sf_strided *C, bool scatter) {
    int64_t j = 0;
    if (!scatter)
        for (; j + 4 <= B->cols; j += 4)
            rows_four_columns(a, r0, r1, alpha, B->data + j * B->cs, B->cs, beta,
                              C->data + j * C->cs, C->rs, C->cs);
    for (; j < B->cols; j++) {
        sf_strided bj = {B->data + j * B->cs, B->rows, 1, 1, 1};
        sf_strided cj = {C->data + j * C->cs, C->rows, 1, C->rs, 1};
        rows_one_column(a, r0, r1, alpha, &bj, beta, &cj, scatter);
    }
}

static void rows_any(const sf_csr *a, int64_t r0, int64_t r1, double alpha, const sf_strided *B,
                     double beta, const sf_strided *C, bool scatter) {
    if (B->cols == 1) rows_one_column(a, r0, r1, alpha, B, beta, C, scatter);
    else if (B->cs == 1 && C->cs == 1) rows_contiguous(a, r0, r1, alpha, B, beta, C, scatter);
    else if (B->rs == 1) rows_by_column(a, r0, r1, alpha, B, beta, C, scatter);
    else rows_strided(a, r0, r1, alpha, B, beta, C);
}

/* Products of at least this many multiply-adds (plus rows) run threaded:
 * with the team already started, splitting a 12k-entry SpMV (watt_2,
 * dwt_992) took it from 14-18 to 9-10 us; the general 32k threshold left
 * such matrices to one thread. */
#define CSR_PARALLEL_WORK 8192

static sf_status csr_apply(sf_ctx *ctx, double alpha, const sf_mat *A, const sf_strided *B,
                           double beta, const sf_strided *C) {
    const sf_csr *a = &A->u.csr;
    int64_t work = A->nnz * B->cols + A->rows * C->cols;
    int nt = sf_threads_above(ctx, work, CSR_PARALLEL_WORK);
    bool scatter = scattered(A);
    if (nt == 1) { /* no parallel region: its start-up shows on small products */
        rows_any(a, 0, A->rows, alpha, B, beta, C, scatter);
        return SF_OK;
    }
#pragma omp parallel num_threads(nt)
    {
        int64_t r0, r1;
        sf_split_rows(a->rowptr, A->rows, omp_get_num_threads(), omp_get_thread_num(), &r0, &r1);
        rows_any(a, r0, r1, alpha, B, beta, C, scatter);
    }
    return SF_OK;
}

const sf_spmm_kernel sf_spmm_csr_kernel = {.apply = csr_apply, .apply_transpose = NULL};
