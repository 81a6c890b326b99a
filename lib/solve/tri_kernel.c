/* The substitution itself.  One thread walks the rows in dependency order
 * (ascending for lower, descending for upper).  Several threads each walk
 * their part of the schedule (tri_schedule.c) without barriers, waiting only
 * before "cross" rows until the rows they read are done (a flag per row, set
 * with release and read with acquire).  Either way a row is computed by one
 * thread with the same order of summation, so the results are bitwise
 * identical for any thread count. */
#include <omp.h>
#include <sched.h>
#include <stdatomic.h>
#include <time.h>

#include "tri_internal.h"

/* Right-hand sides solved together per row, how many entries ahead the
 * blocked kernel prefetches the rows of x it will read, and the length from
 * which a row is summed in two chains (row_sum). */
enum { TRI_KB = 16, TRI_PF = 16, TRI_LONG_ROW = 16 };

/* Row i's pivot (1 for a unit diagonal, whose stored entries are not read). */
static inline double pivot(const tri_plan *p, const tri_rhs *r, int64_t i) {
    return r->unit ? 1.0 : p->val[tri_diag_pos(p, i)];
}

/* A row's sum over its pivot d: times inv = 1/d, which does not depend on the
 * sum, so the division stays off the chain of rows waiting for each other;
 * a plan with a pivot whose reciprocal overflows divides instead. */
static inline double over_pivot(const tri_plan *p, double s, double d, double inv) {
    if (__builtin_expect(p->divide, 0)) return s / d;
    return s * inv;
}

/* Rows with this many off-diagonal entries are summed in two chains. */
static inline bool long_row(int64_t beg, int64_t end) { return end - beg >= TRI_LONG_ROW; }

/* start - sum of val[q] * x[colind[q] * xrs] over [beg, end), in the order
 * every kernel uses: in sequence for short rows; for long ones entries
 * alternately into two partial sums, added at the end (two chains of
 * dependent additions instead of one: about 1.7x on a Cholesky factor). */
static inline __attribute__((always_inline)) double row_sum(const tri_plan *p, int64_t beg,
                                                            int64_t end, const double *x,
                                                            int64_t xrs, double start) {
    double even = start, odd = 0.0;
    int64_t q = beg;
    if (!long_row(beg, end)) {
        for (; q < end; q++) even -= p->val[q] * x[p->colind[q] * xrs];
        return even;
    }
    for (; q + 1 < end; q += 2) {
        even -= p->val[q] * x[p->colind[q] * xrs];
        odd -= p->val[q + 1] * x[p->colind[q + 1] * xrs];
    }
    if (q < end) even -= p->val[q] * x[p->colind[q] * xrs];
    return even + odd;
}

/* Row i, one column c, any strides. */
static inline __attribute__((always_inline)) void row_strided(const tri_plan *p, const tri_rhs *r,
                                                              int64_t i, int64_t c) {
    int64_t beg, end;
    tri_row_range(p, i, &beg, &end);
    const double d = pivot(p, r, i), inv = 1.0 / d;
    double s = row_sum(p, beg, end, r->x + c * r->xcs, r->xrs,
                       r->alpha * r->b[i * r->brs + c * r->bcs]);
    r->x[i * r->xrs + c * r->xcs] = over_pivot(p, s, d, inv);
}

/* Row i of a single contiguous right-hand side (the common case). */
static inline __attribute__((always_inline)) void row_vec(const tri_plan *p, const tri_rhs *r,
                                                          int64_t i) {
    tri_rhs v = *r;
    v.brs = v.xrs = 1;
    row_strided(p, &v, i, 0);
}

/* acc[c] -= the entries q = from, from + step, ... < end of the row, for
 * TRI_KB contiguous columns of x from x0; prefetching the x rows TRI_PF
 * entries on. */
static inline __attribute__((always_inline)) void block_pass(const tri_plan *p, const tri_rhs *r,
                                                             int64_t from, int64_t end, int step,
                                                             const double *x0, double *acc) {
    const int64_t ahead = p->rowptr[p->n] - TRI_PF;
    for (int64_t q = from; q < end; q += step) {
        if (q < ahead) { /* in this row or the next ones */
            const double *xf = x0 + p->colind[q + TRI_PF] * r->xrs;
            __builtin_prefetch(xf);
            __builtin_prefetch(xf + TRI_KB / 2);
            __builtin_prefetch(xf + TRI_KB - 1);
        }
        const double v = p->val[q], *xj = x0 + p->colind[q] * r->xrs;
        for (int c = 0; c < TRI_KB; c++) acc[c] -= v * xj[c];
    }
}

/* Row i for TRI_KB contiguous columns from c0 (row-major B and X); each
 * column sums as row_sum does (a long row: the even and the odd entries in two
 * passes, as 32 running sums would not fit in registers). */
static inline __attribute__((always_inline)) void row_block(const tri_plan *p, const tri_rhs *r,
                                                            int64_t i, int64_t c0) {
    int64_t beg, end;
    tri_row_range(p, i, &beg, &end);
    double even[TRI_KB], odd[TRI_KB];
    const double *b = r->b + i * r->brs + c0;
    for (int c = 0; c < TRI_KB; c++) even[c] = r->alpha * b[c], odd[c] = 0.0;
    bool two = long_row(beg, end);
    block_pass(p, r, beg, end, two ? 2 : 1, r->x + c0, even);
    if (two) {
        block_pass(p, r, beg + 1, end, 2, r->x + c0, odd);
        for (int c = 0; c < TRI_KB; c++) even[c] += odd[c];
    }
    const double d = pivot(p, r, i), inv = 1.0 / d;
    double *x = r->x + i * r->xrs + c0;
    for (int c = 0; c < TRI_KB; c++) x[c] = over_pivot(p, even[c], d, inv);
}

static bool is_vector(const tri_rhs *r) { return r->k == 1 && r->brs == 1 && r->xrs == 1; }
static bool is_rowmajor(const tri_rhs *r) { return r->bcs == 1 && r->xcs == 1 && r->k >= TRI_KB; }

/* Every column of row i: blocks of TRI_KB where the layout allows, the
 * remaining columns one by one (the same arithmetic per element either way). */
static inline __attribute__((always_inline)) void row_all(const tri_plan *p, const tri_rhs *r,
                                                          int64_t i) {
    if (is_vector(r)) {
        row_vec(p, r, i);
        return;
    }
    int64_t c = 0;
    if (is_rowmajor(r))
        for (; c + TRI_KB <= r->k; c += TRI_KB) row_block(p, r, i, c);
    for (; c < r->k; c++) row_strided(p, r, i, c);
}

/* Rows in dependency order; specialised by `clean` and `vector` so the inner
 * loops see constants and the layout is decided once per solve (a plan that
 * must divide takes the general path). */
static inline __attribute__((always_inline)) void serial_rows(const tri_plan *p, const tri_rhs *r,
                                                              bool clean, bool vector) {
    tri_plan q = *p;
    q.clean = clean;
    q.divide = false;
    tri_rhs v = *r;
    if (vector) v.k = 1, v.brs = v.xrs = 1;
    if (q.uplo == SF_LOWER)
        for (int64_t i = 0; i < q.n; i++) row_all(&q, &v, i);
    else
        for (int64_t i = q.n - 1; i >= 0; i--) row_all(&q, &v, i);
}

static void general_rows(const tri_plan *p, const tri_rhs *r) {
    if (p->uplo == SF_LOWER)
        for (int64_t i = 0; i < p->n; i++) row_all(p, r, i);
    else
        for (int64_t i = p->n - 1; i >= 0; i--) row_all(p, r, i);
}

static void solve_serial(const tri_plan *p, const tri_rhs *r) {
    bool vec = is_vector(r);
    if (p->divide) general_rows(p, r);
    else if (p->clean && vec) serial_rows(p, r, true, true);
    else if (p->clean) serial_rows(p, r, true, false);
    else if (vec) serial_rows(p, r, false, true);
    else serial_rows(p, r, false, false);
}

/* Spin until every row that row i reads is done; yield now and then, as the
 * other thread may have been descheduled on a busy machine. */
static void wait_for_inputs(const tri_plan *p, const atomic_uchar *done, int64_t i) {
    int64_t beg, end;
    tri_row_range(p, i, &beg, &end);
    for (int64_t q = beg; q < end; q++)
        for (unsigned spins = 0;
             !atomic_load_explicit(&done[p->colind[q]], memory_order_acquire); spins++)
            if (spins > 64) sched_yield();
}

static void run_part(const tri_plan *p, const tri_rhs *r, atomic_uchar *done, int t) {
    for (int64_t s = p->part_ptr[t]; s < p->part_ptr[t + 1]; s++) {
        int32_t i = p->sched[s];
        if (i < 0) {
            i = ~i;
            wait_for_inputs(p, done, i);
        }
        row_all(p, r, i);
        atomic_store_explicit(&done[i], 1, memory_order_release);
    }
}

static void solve_parts(const tri_plan *p, const tri_rhs *r, atomic_uchar *done) {
#pragma omp parallel num_threads(p->parts)
    {
        /* Fewer threads than parts (nested or limited OpenMP): run serially,
         * as a thread holding two parts could wait on itself. */
        if (omp_get_num_threads() == p->parts) run_part(p, r, done, omp_get_thread_num());
        else if (omp_get_thread_num() == 0) solve_serial(p, r);
    }
}

static double now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return 1e9 * (double)ts.tv_sec + (double)ts.tv_nsec;
}

/* The multiply-adds and divisions of a solve, to compare times per unit. */
static double work_units(const tri_plan *p, const tri_rhs *r) {
    return (double)(p->rowptr[p->n] + p->n + 1) * (double)r->k;
}

/* Threads are tried once per plan: the first solve asked to use threads runs
 * on one (timed), the second on the threads (timed), and threads are kept
 * only if they were at least 10% faster: on a busy machine a thread waiting
 * for a descheduled partner can make a threaded solve far slower. */
sf_status sf_tri_execute(sf_ctx *ctx, const tri_plan *p, const tri_rhs *r, int threads) {
    tri_plan *tune = (tri_plan *)p; /* only the atomic tuning fields are written */
    int pay = threads > 1 && p->n > 0 ? atomic_load(&tune->threads_pay) : -1;
    if (pay < 0) { /* no clock read: small solves pay for nothing but the rows */
        solve_serial(p, r);
        return SF_OK;
    }
    if (pay == 0 && atomic_load(&tune->serial_ns) == 0) { /* the single-thread trial */
        double t0 = now_ns();
        solve_serial(p, r);
        atomic_store(&tune->serial_ns, (now_ns() - t0) / work_units(p, r));
        return SF_OK;
    }
    atomic_uchar *done = sf_calloc(ctx, (size_t)p->n, sizeof *done, "triangular solve row flags");
    SF_CHECK_ALLOC(ctx, done);
    if (pay > 0) {
        solve_parts(p, r, done);
    } else { /* the threaded trial */
        double t0 = now_ns();
        solve_parts(p, r, done);
        double t = (now_ns() - t0) / work_units(p, r);
        atomic_store(&tune->threads_pay, t < 0.9 * atomic_load(&tune->serial_ns) ? 1 : -1);
    }
    sf_free(ctx, done);
    return SF_OK;
}
