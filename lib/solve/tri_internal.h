/* lib/solve/tri_internal.h — the triangular-solve analysis ("plan") shared by
 * the analysis, the argument checks and the kernels of lib/solve. */
#ifndef SF_TRI_INTERNAL_H
#define SF_TRI_INTERNAL_H

#include <float.h>
#include <stdatomic.h>
#include <math.h>

#include "../mat/mat_internal.h"
#include "sparsefirst/solve.h"

/* The analysis of one triangle of a CSR matrix, for op = none: row i of the
 * triangle is the entries of csr row i before split[i] (lower) or after the
 * diagonal (upper); the diagonal, if stored, sits at split[i].  A transpose
 * solve uses a plan of the transposed triangle (its rows sorted), built once. */
typedef struct tri_plan {
    sf_uplo uplo;            /* which side the plan's rows depend on */
    int64_t n;
    const int64_t *rowptr;   /* of the matrix read: the handle's, or `owned`'s */
    const int32_t *colind;
    const double *val;
    sf_mat *owned;           /* CSR copy (non-CSR kinds, transposed triangle) or NULL */
    int64_t *split;          /* n: first position in row i with column >= i */
    int64_t other_row;       /* first entry on the wrong side: row, column (-1 if none) */
    int64_t other_col;
    int64_t missing_diag;    /* first row without a stored diagonal (-1 if none) */
    int64_t bad_pivot;       /* first row whose pivot was zero or not finite at analysis (-1) */
    bool divide;             /* a pivot's reciprocal overflows: rows divide by their
                                pivot instead of multiplying by 1/pivot */
    bool clean;              /* no wrong-side entries and every diagonal stored: the
                                diagonal is the last (lower) or first (upper) entry */
    int64_t levels;          /* longest dependency chain */
    int64_t max_width;       /* rows of the widest level */
    int parts;               /* threads the schedule is made for */
    int64_t *part_ptr;       /* parts + 1: thread t runs sched[part_ptr[t] .. part_ptr[t+1]) */
    int32_t *sched;          /* n rows in level order; ~i marks a row reading other threads' rows */
    int64_t cross_rows;      /* rows marked so */
    /* Whether threads paid for this plan on this machine: 0 not known yet, 1
     * yes, -1 no (tri_kernel.c), and the latest single-thread time per unit of
     * work in ns.  Written by solves; any value gives the same results. */
    atomic_int threads_pay;
    _Atomic double serial_ns;
    size_t bytes;
} tri_plan;

/* What the cache slot of one triangle holds: the plan for op = none and,
 * once a transpose solve asked for it, the plan of the transposed triangle. */
typedef struct tri_cache {
    tri_plan *plain;
    tri_plan *transposed;
} tri_cache;

enum { SF_TRI_MAX_PARTS = 64 };

/* Levels and the per-thread schedule for `parts` threads (tri_schedule.c). */
sf_status sf_tri_schedule_build(sf_ctx *ctx, tri_plan *p, int parts);

/* The plan for (uplo, op) of T, built and cached on first use (the schedule
 * for ctx's thread count, at least 2).  Errors are reported on ctx. */
sf_status sf_tri_plan_get(sf_ctx *ctx, const sf_mat *T, sf_uplo uplo, sf_op op,
                          const tri_plan **out);

/* What the cache of one triangle of T held before a call, so that a call
 * that fails can put it back: a failed solve leaves the context's byte
 * count where it was, as every failed call does. */
typedef struct tri_cache_state {
    bool had_entry, had_transposed;
} tri_cache_state;
tri_cache_state sf_tri_cache_state(const sf_mat *T, sf_uplo uplo);
void sf_tri_cache_restore(const sf_mat *T, sf_uplo uplo, tri_cache_state before);

/* Position of row i's diagonal entry (when stored). */
static inline int64_t tri_diag_pos(const tri_plan *p, int64_t i) {
    if (!p->clean) return p->split[i];
    return p->uplo == SF_LOWER ? p->rowptr[i + 1] - 1 : p->rowptr[i];
}

/* Whether row i of the plan stores its diagonal entry. */
static inline bool tri_has_diag(const tri_plan *p, int64_t i) {
    int64_t s = p->split[i];
    return s < p->rowptr[i + 1] && p->colind[s] == i;
}

/* The off-diagonal entries of row i in the plan's triangle: [*beg, *end). */
static inline void tri_row_range(const tri_plan *p, int64_t i, int64_t *beg, int64_t *end) {
    if (p->clean) {
        *beg = p->rowptr[i] + (p->uplo == SF_UPPER);
        *end = p->rowptr[i + 1] - (p->uplo == SF_LOWER);
    } else if (p->uplo == SF_LOWER) {
        *beg = p->rowptr[i];
        *end = p->split[i];
    } else {
        *beg = p->split[i] + (tri_has_diag(p, i) ? 1 : 0);
        *end = p->rowptr[i + 1];
    }
}

/* A solve in strided form: element (i, c) of B at b[i*brs + c*bcs], of X likewise. */
typedef struct tri_rhs {
    const double *b;
    int64_t brs, bcs;
    double *x;
    int64_t xrs, xcs;
    int64_t k;      /* columns */
    double alpha;
    bool unit;      /* unit diagonal: stored diagonal entries are not read */
} tri_rhs;

/* A usable pivot: nonzero and finite. */
static inline bool tri_pivot_ok(double d) { return fabs(d) > 0.0 && fabs(d) <= DBL_MAX; }

/* Run the substitution with `threads` threads (the plan checked already). */
sf_status sf_tri_execute(sf_ctx *ctx, const tri_plan *p, const tri_rhs *r, int threads);

#endif
