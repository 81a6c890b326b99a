/* Shared, immutable CSR patterns.  diag(d) * A and A * diag(d) have A's
 * pattern; copying it costs 4 bytes per entry and 8 per row on top of the 8
 * per entry of the values, all allocated and paged in anew (10^7 entries in
 * 10^6 rows: 48 of 128 MB), for arrays that never change.  So the product
 * takes a reference to A's rowptr and colind instead (CSparse-style: one
 * small block with a count; sf_csr keeps its plain pointers, so no kernel
 * changes).
 *
 * A handle's pattern becomes shared the first time a product uses it; from
 * then on no handle may write it.  No copy-on-write is needed: the only
 * writers of rowptr/colind are builders filling a handle they have just made
 * (csr_build.c, mm_read.c, kron.c, reduce.c, the transposes, the products,
 * chol's L, assembly's symbolic pass), and every refill writes values only.
 * Sharing stays inside one context, so the arrays are charged once to it,
 * whoever frees last. */
#include "mat_internal.h"

/* A reference to m's pattern, making it shared on first use.  Two threads
 * may share one const handle at once: the block is published with a
 * compare-and-swap and the loser frees its own.  NULL on allocation failure
 * (m unchanged). */
static sf_csr_pattern *take_pattern(sf_ctx *ctx, sf_mat *m) {
    sf_csr_pattern *p = atomic_load(&m->u.csr.shared);
    if (!p) {
        sf_csr_pattern *mine = sf_alloc(ctx, sizeof *mine, "shared CSR pattern");
        if (!mine) return NULL;
        atomic_init(&mine->refs, 1); /* m's own reference */
        mine->ctx = ctx;
        mine->rowptr = m->u.csr.rowptr;
        mine->colind = m->u.csr.colind;
        if (atomic_compare_exchange_strong(&m->u.csr.shared, &p, mine)) p = mine;
        else sf_free(ctx, mine); /* p is the winner's block */
    }
    /* m's reference keeps the count above zero while we add ours. */
    atomic_fetch_add(&p->refs, 1);
    return p;
}

sf_status sf_csr_new_sharing(sf_ctx *ctx, const sf_mat *src, sf_mat **out) {
    sf_mat *m = NULL;
    sf_status st = sf_mat_new(ctx, SF_CSR, src->rows, src->cols, "CSR matrix", &m);
    if (st) return st;
    /* Values first: a failed call leaves src's pattern as it was. */
    m->u.csr.val = sf_alloc_array(ctx, (size_t)src->nnz, sizeof(double), "CSR values");
    /* Only the shared field of src changes; the handle is never const storage. */
    sf_csr_pattern *p = m->u.csr.val ? take_pattern(ctx, (sf_mat *)src) : NULL;
    if (!p) {
        st = sf_last_alloc_status(ctx);
        sf_mat_free(m);
        return st;
    }
    m->u.csr.rowptr = p->rowptr;
    m->u.csr.colind = p->colind;
    atomic_store(&m->u.csr.shared, p);
    m->nnz = src->nnz;
    *out = m;
    return SF_OK;
}

void sf_csr_pattern_drop(sf_mat *m) {
    sf_csr_pattern *p = atomic_load(&m->u.csr.shared);
    if (!p) {
        sf_free(m->ctx, m->u.csr.rowptr);
        sf_free(m->ctx, m->u.csr.colind);
        return;
    }
    if (atomic_fetch_sub(&p->refs, 1) != 1) return;
    sf_free(p->ctx, p->rowptr);
    sf_free(p->ctx, p->colind);
    sf_free(p->ctx, p);
}

size_t sf_csr_pattern_bytes(const sf_mat *m) {
    const sf_csr_pattern *p = atomic_load(&m->u.csr.shared);
    size_t b = p ? sf_alloc_size(p) : 0;
    if (m->u.csr.rowptr) b += sf_alloc_size(m->u.csr.rowptr);
    if (m->u.csr.colind) b += sf_alloc_size(m->u.csr.colind);
    return b;
}
