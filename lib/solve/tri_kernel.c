/* The substitution itself.  One thread walks the rows in dependency order
 * (ascending for lower, descending for upper).  Several threads walk the level
 * schedule without barriers: each takes its share of every level and waits
 * only for the rows it reads (a "done" flag per row, set with release and read
 * with acquire).  Either way a row is computed by one thread with the same
 * order of summation, so the results are bitwise identical. */
#include <omp.h>
#include <sched.h>
#include <stdatomic.h>

#include "tri_internal.h"

enum { TRI_KB = 16 }; /* right-hand sides solved together per row */

/* Row i for columns [c0, c0 + kb) of the right-hand sides. */
static inline void row_solve(const tri_plan *p, const tri_rhs *r, int64_t i, int64_t c0,
                             int kb) {
    int64_t beg, end;
    tri_row_range(p, i, &beg, &end);
    const double *b = r->b + i * r->brs + c0 * r->bcs;
    double *x = r->x + c0 * r->xcs;
    if (kb == 1) {
        double s = r->alpha * b[0];
        for (int64_t q = beg; q < end; q++) s -= p->val[q] * x[p->colind[q] * r->xrs];
        if (!r->unit) s /= p->val[p->split[i]];
        x[i * r->xrs] = s;
        return;
    }
    double acc[TRI_KB];
    for (int c = 0; c < kb; c++) acc[c] = r->alpha * b[c * r->bcs];
    for (int64_t q = beg; q < end; q++) {
        const double v = p->val[q], *xj = x + p->colind[q] * r->xrs;
        for (int c = 0; c < kb; c++) acc[c] -= v * xj[c * r->xcs];
    }
    if (!r->unit) {
        const double d = p->val[p->split[i]];
        for (int c = 0; c < kb; c++) acc[c] /= d;
    }
    for (int c = 0; c < kb; c++) x[i * r->xrs + c * r->xcs] = acc[c];
}

/* Columns go together when X is row-major (xcs == 1); one at a time otherwise,
 * so each column's x stays contiguous. */
static int block_width(const tri_rhs *r) { return r->xcs == 1 && r->k > 1 ? TRI_KB : 1; }

static void row_solve_all(const tri_plan *p, const tri_rhs *r, int64_t i) {
    int kb = block_width(r);
    for (int64_t c0 = 0; c0 < r->k; c0 += kb)
        row_solve(p, r, i, c0, r->k - c0 < kb ? (int)(r->k - c0) : kb);
}

static void solve_serial(const tri_plan *p, const tri_rhs *r) {
    int kb = block_width(r);
    for (int64_t c0 = 0; c0 < r->k; c0 += kb) {
        int w = r->k - c0 < kb ? (int)(r->k - c0) : kb;
        if (p->uplo == SF_LOWER)
            for (int64_t i = 0; i < p->n; i++) row_solve(p, r, i, c0, w);
        else
            for (int64_t i = p->n - 1; i >= 0; i--) row_solve(p, r, i, c0, w);
    }
}

/* Spin until every row that row i reads is done; yield now and then, as the
 * other thread may have been descheduled on a busy machine. */
static void wait_for_inputs(const tri_plan *p, const atomic_uchar *done, int64_t i) {
    int64_t beg, end;
    tri_row_range(p, i, &beg, &end);
    for (int64_t q = beg; q < end; q++)
        for (unsigned spins = 0;
             !atomic_load_explicit(&done[p->colind[q]], memory_order_acquire); spins++)
            if (spins > 256) sched_yield();
}

static void solve_levels(const tri_plan *p, const tri_rhs *r, atomic_uchar *done, int threads) {
#pragma omp parallel num_threads(threads)
    {
        int64_t t = omp_get_thread_num(), nt = omp_get_num_threads();
        for (int64_t l = 0; l < p->levels; l++) {
            int64_t lo = p->level_ptr[l], w = p->level_ptr[l + 1] - lo;
            for (int64_t s = lo + w * t / nt; s < lo + w * (t + 1) / nt; s++) {
                int64_t i = p->order[s];
                wait_for_inputs(p, done, i);
                row_solve_all(p, r, i);
                atomic_store_explicit(&done[i], 1, memory_order_release);
            }
        }
    }
}

sf_status sf_tri_execute(sf_ctx *ctx, const tri_plan *p, const tri_rhs *r, int threads) {
    if (threads <= 1 || p->n == 0) {
        solve_serial(p, r);
        return SF_OK;
    }
    atomic_uchar *done = sf_calloc(ctx, (size_t)p->n, sizeof *done, "triangular solve row flags");
    SF_CHECK_ALLOC(ctx, done);
    solve_levels(p, r, done, threads);
    sf_free(ctx, done);
    return SF_OK;
}
