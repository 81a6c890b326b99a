/* Triangular-solve analysis: where each row's diagonal sits, which entries lie
 * on the wrong side, and the level schedule (rows grouped so that a level
 * depends only on earlier levels).  Kept in the handle's cache slot of the
 * triangle; the plan of the transposed triangle is added on first use. */
#include <string.h>

#include "tri_internal.h"

static void plan_free(sf_ctx *ctx, tri_plan *p) {
    if (!p) return;
    sf_mat_free(p->owned);
    sf_free(ctx, p->split);
    sf_free(ctx, p->part_ptr);
    sf_free(ctx, p->sched);
    sf_free(ctx, p);
}

static void cache_free(sf_ctx *ctx, void *data) {
    tri_cache *c = data;
    plan_free(ctx, c->plain);
    plan_free(ctx, c->transposed);
    sf_free(ctx, c);
}

/* split[i], the first wrong-side entry and the first missing diagonal. */
static void find_splits(tri_plan *p) {
    p->other_row = p->other_col = p->missing_diag = -1;
    for (int64_t i = 0; i < p->n; i++) {
        int64_t q = p->rowptr[i], end = p->rowptr[i + 1];
        while (q < end && p->colind[q] < i) q++;
        p->split[i] = q;
        if (p->missing_diag < 0 && !tri_has_diag(p, i)) p->missing_diag = i;
        if (p->other_row >= 0) continue;
        bool lower = p->uplo == SF_LOWER;
        int64_t wrong = lower ? (q < end && p->colind[q] == i ? q + 1 : q) : p->rowptr[i];
        if (lower ? wrong < end : wrong < q) {
            p->other_row = i;
            p->other_col = p->colind[wrong];
        }
    }
}

/* The first zero or non-finite pivot, and whether some pivot's reciprocal
 * overflows or is subnormal (the kernels then divide: tri_kernel.c). */
static void check_pivots(tri_plan *p) {
    p->bad_pivot = -1;
    p->divide = false;
    for (int64_t i = 0; i < p->n; i++) {
        if (!tri_has_diag(p, i)) continue;
        double d = p->val[p->split[i]];
        if (p->bad_pivot < 0 && !tri_pivot_ok(d)) p->bad_pivot = i;
        double inv = 1.0 / fabs(d);
        p->divide |= !(inv >= DBL_MIN && inv <= DBL_MAX); /* NaN: a bad pivot anyway */
    }
}

/* A plan over the CSR matrix m (which the plan owns if `own`). */
static sf_status plan_build(sf_ctx *ctx, const sf_mat *m, bool own, sf_uplo uplo, int parts,
                            tri_plan **out) {
    tri_plan *p = sf_calloc(ctx, 1, sizeof *p, "triangular solve plan");
    if (!p) {
        if (own) sf_mat_free((sf_mat *)m);
        return sf_last_alloc_status(ctx);
    }
    *p = (tri_plan){.uplo = uplo, .n = m->rows, .rowptr = m->u.csr.rowptr,
                    .colind = m->u.csr.colind, .val = m->u.csr.val,
                    .owned = own ? (sf_mat *)m : NULL};
    p->split = sf_alloc_array(ctx, (size_t)p->n, sizeof *p->split, "triangular diagonal positions");
    sf_status st = p->split ? SF_OK : sf_last_alloc_status(ctx);
    if (!st) {
        find_splits(p);
        p->clean = p->other_row < 0 && p->missing_diag < 0;
        check_pivots(p);
        st = sf_tri_schedule_build(ctx, p, parts);
    }
    if (st) {
        plan_free(ctx, p);
        return st;
    }
    p->bytes = sf_alloc_size(p) + sf_alloc_size(p->split) + sf_alloc_size(p->sched) +
               sf_alloc_size(p->part_ptr) + (p->owned ? sf_mat_bytes(p->owned) : 0);
    *out = p;
    return SF_OK;
}

/* The transpose of the plan's triangle (diagonal included) as a new CSR. */
static sf_status transpose_triangle(sf_ctx *ctx, const tri_plan *p, sf_mat **out) {
    int64_t n = p->n, cnt = 0, beg, end;
    for (int64_t i = 0; i < n; i++) {
        tri_row_range(p, i, &beg, &end);
        cnt += end - beg + (tri_has_diag(p, i) ? 1 : 0);
    }
    sf_mat *t = NULL;
    sf_status st = sf_csr_new(ctx, n, n, cnt, &t);
    if (st) return st;
    int64_t *tp = t->u.csr.rowptr;
    memset(tp, 0, ((size_t)n + 1) * sizeof *tp);
    for (int64_t i = 0; i < n; i++) {
        int64_t lo = p->uplo == SF_LOWER ? p->rowptr[i] : p->split[i];
        int64_t hi = p->uplo == SF_LOWER ? p->split[i] + tri_has_diag(p, i) : p->rowptr[i + 1];
        for (int64_t q = lo; q < hi; q++) tp[p->colind[q] + 1]++;
    }
    for (int64_t j = 0; j < n; j++) tp[j + 1] += tp[j];
    for (int64_t i = 0; i < n; i++) { /* rows of t come out sorted: i increases */
        int64_t lo = p->uplo == SF_LOWER ? p->rowptr[i] : p->split[i];
        int64_t hi = p->uplo == SF_LOWER ? p->split[i] + tri_has_diag(p, i) : p->rowptr[i + 1];
        for (int64_t q = lo; q < hi; q++) {
            int64_t w = tp[p->colind[q]]++;
            t->u.csr.colind[w] = (int32_t)i;
            t->u.csr.val[w] = p->val[q];
        }
    }
    for (int64_t j = n; j > 0; j--) tp[j] = tp[j - 1];
    tp[0] = 0;
    *out = t;
    return SF_OK;
}

static sf_status build_plain(sf_ctx *ctx, const sf_mat *T, sf_uplo uplo, int parts,
                             tri_plan **out) {
    if (T->kind == SF_CSR) return plan_build(ctx, T, false, uplo, parts, out);
    sf_mat *c = NULL;
    sf_status st = sf_mat_to_csr(ctx, T, &c);
    return st ? st : plan_build(ctx, c, true, uplo, parts, out);
}

static sf_status build_transposed(sf_ctx *ctx, const tri_plan *plain, tri_plan **out) {
    sf_mat *t = NULL;
    sf_status st = transpose_triangle(ctx, plain, &t);
    sf_uplo flipped = plain->uplo == SF_LOWER ? SF_UPPER : SF_LOWER;
    return st ? st : plan_build(ctx, t, true, flipped, plain->parts, out);
}

static sf_cache_slot slot_of(sf_uplo uplo) {
    return uplo == SF_LOWER ? SF_CACHE_TRI_LOWER : SF_CACHE_TRI_UPPER;
}

/* Find or make the cache entry of the triangle, with the plans op needs. */
static sf_status plan_get_owned_ctx(sf_mat *m, sf_uplo uplo, sf_op op, int parts,
                                    const tri_plan **out) {
    sf_ctx *ctx = m->ctx;
    sf_cache_slot slot = slot_of(uplo);
    tri_cache *c = sf_mat_cache_get(m, slot);
    if (!c) {
        tri_cache *fresh = sf_calloc(ctx, 1, sizeof *fresh, "triangular solve cache");
        SF_CHECK_ALLOC(ctx, fresh);
        sf_status st = build_plain(ctx, m, uplo, parts, &fresh->plain);
        if (st) {
            sf_free(ctx, fresh);
            return st;
        }
        sf_mat_cache_put(m, slot, fresh, sf_alloc_size(fresh) + fresh->plain->bytes, cache_free);
        c = fresh;
    }
    if (op == SF_OP_TRANSPOSE && !c->transposed) {
        sf_status st = build_transposed(ctx, c->plain, &c->transposed);
        if (st) return st;
        m->cache[slot].bytes += c->transposed->bytes;
    }
    *out = op == SF_OP_TRANSPOSE ? c->transposed : c->plain;
    return SF_OK;
}

tri_cache_state sf_tri_cache_state(const sf_mat *T, sf_uplo uplo) {
    const tri_cache *c = sf_mat_cache_get(T, slot_of(uplo));
    return (tri_cache_state){c != NULL, c && c->transposed};
}

void sf_tri_cache_restore(const sf_mat *T, sf_uplo uplo, tri_cache_state before) {
    sf_mat *m = (sf_mat *)T; /* the cache is not part of the matrix's value */
    tri_cache *c = sf_mat_cache_get(m, slot_of(uplo));
    if (!c) return;
    if (!before.had_entry) {
        sf_mat_cache_drop(m, slot_of(uplo));
    } else if (!before.had_transposed && c->transposed) {
        m->cache[slot_of(uplo)].bytes -= c->transposed->bytes;
        plan_free(m->ctx, c->transposed);
        c->transposed = NULL;
    }
}

sf_status sf_tri_plan_get(sf_ctx *ctx, const sf_mat *T, sf_uplo uplo, sf_op op,
                          const tri_plan **out) {
    sf_mat *m = (sf_mat *)T; /* the cache is not part of the matrix's value */
    sf_status st = plan_get_owned_ctx(m, uplo, op, sf_ctx_threads(ctx), out);
    if (st && ctx != m->ctx) sf_error(ctx, st, "%s", sf_ctx_message(m->ctx));
    return st;
}
