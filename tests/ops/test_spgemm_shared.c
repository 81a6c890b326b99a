/* Shared CSR patterns: diag * A and A * diag of a CSR A in the same context
 * take a reference to A's rowptr and colind and allocate only their values.
 * Sharing is checked through the internal layout (equal pointers, the
 * reference count); values stay independent, every free order returns every
 * byte, other contexts copy, the accounting and the memory limit see only
 * the values, failures leak nothing, and the bits are those of a copy. */
#include <pthread.h>
#include <stdlib.h>

#include "mat/mat_internal.h"
#include "ops_testutil.h"

static sf_mat *diag_of(sf_ctx *ctx, int64_t n, uint64_t seed) {
    double *d = malloc((size_t)(n + 1) * sizeof *d);
    for (int64_t i = 0; i < n; i++) d[i] = tu_uniform(&seed);
    sf_mat *D = NULL;
    cr_assert_eq(sf_mat_diag(ctx, n, d, &D), SF_OK);
    free(d);
    return D;
}

/* A random CSR handle whose arrays hold exactly nnz entries (the triplet
 * builder keeps room for the duplicates it summed), for exact byte counts. */
static sf_mat *exact_csr(sf_ctx *ctx, int64_t rows, int64_t cols, double density, uint64_t seed) {
    sf_mat *t = tu_random_csr(ctx, rows, cols, density, seed), *m = NULL;
    cr_assert_eq(sf_mat_copy(ctx, t, &m), SF_OK);
    sf_mat_free(t);
    return m;
}

static sf_mat *product(sf_ctx *ctx, const sf_mat *A, const sf_mat *B) {
    sf_mat *C = NULL;
    cr_assert_eq(sf_mat_multiply(ctx, A, B, &C), SF_OK, "%s", sf_ctx_message(ctx));
    return C;
}

static size_t refs(const sf_mat *m) {
    sf_csr_pattern *p = atomic_load(&m->u.csr.shared);
    return p ? atomic_load(&p->refs) : 0;
}

static void assert_shares(const sf_mat *J, const sf_mat *A) {
    cr_assert_eq(J->u.csr.rowptr, A->u.csr.rowptr, "row offsets shared");
    cr_assert_eq(J->u.csr.colind, A->u.csr.colind, "column indices shared");
    cr_assert_eq(atomic_load(&J->u.csr.shared), atomic_load(&A->u.csr.shared));
    cr_assert_neq(J->u.csr.val, A->u.csr.val, "values are the product's own");
}

/* Both sides share A's pattern (one block, three references) and hold the
 * values of the naive dense reference d[i] * a[i][j] and a[i][j] * e[j]
 * exactly (== : the dense zeros outside the pattern may differ in sign). */
Test(spgemm_shared, both_sides_share_and_match_dense) {
    sf_ctx *ctx = tu_ctx();
    int64_t m = 13, n = 9;
    sf_mat *A = tu_random_csr(ctx, m, n, 0.4, 3), *D = diag_of(ctx, m, 1), *E = diag_of(ctx, n, 2);
    sf_mat *L = product(ctx, D, A), *R = product(ctx, A, E);
    assert_shares(L, A), assert_shares(R, A);
    cr_assert_eq(refs(A), 3);
    double *a = tu_dense_of(ctx, A), *d = tu_dense_of(ctx, D), *e = tu_dense_of(ctx, E);
    double *l = tu_dense_of(ctx, L), *r = tu_dense_of(ctx, R);
    for (int64_t i = 0; i < m; i++)
        for (int64_t j = 0; j < n; j++) {
            double wl = d[i * m + i] * a[i * n + j], wr = a[i * n + j] * e[j * n + j];
            cr_assert(l[i * n + j] == wl, "D*A (%lld, %lld)", (long long)i, (long long)j);
            cr_assert(r[i * n + j] == wr, "A*E (%lld, %lld)", (long long)i, (long long)j);
        }
    free(a), free(d), free(e), free(l), free(r);
    sf_mat_free(L), sf_mat_free(R), sf_mat_free(D), sf_mat_free(E);
    cr_assert_eq(refs(A), 1, "A keeps its own reference");
    sf_mat_free(A);
    tu_ctx_done(ctx);
}

/* Whoever goes first, the survivor's pattern stays readable (ASan) and the
 * last free returns every byte (tu_ctx_done). */
static void free_order(bool factor_first) {
    sf_ctx *ctx = tu_ctx();
    sf_mat *A = exact_csr(ctx, 40, 30, 0.2, 5), *D = diag_of(ctx, 40, 6);
    sf_mat *J = product(ctx, D, A), *want = NULL;
    cr_assert_eq(sf_mat_copy(ctx, J, &want), SF_OK);
    tu_csr a = tu_export_csr(ctx, A);
    sf_mat_free(factor_first ? A : J);
    if (factor_first) tu_assert_same_bits(ctx, J, want);
    else {
        tu_csr b = tu_export_csr(ctx, A);
        cr_assert(!memcmp(a.val, b.val, (size_t)a.nnz * sizeof *a.val));
        cr_assert(!memcmp(a.colind, b.colind, (size_t)a.nnz * sizeof *a.colind));
        tu_csr_free(&b);
    }
    cr_assert_eq(sf_mat_bytes(factor_first ? J : A), sizeof(sf_mat) + sizeof(sf_csr_pattern) +
                                                          8 * 41 + 12 * (size_t)a.nnz);
    cr_assert_eq(sf_ctx_bytes_in_use(ctx),
                 sf_mat_bytes(factor_first ? J : A) + sf_mat_bytes(D) + sf_mat_bytes(want));
    tu_csr_free(&a);
    sf_mat_free(factor_first ? J : A), sf_mat_free(D), sf_mat_free(want);
    tu_ctx_done(ctx);
}

Test(spgemm_shared, free_factor_before_product) { free_order(true); }
Test(spgemm_shared, free_product_before_factor) { free_order(false); }

/* Products of products share one pattern: D2 * (D1 * A) * E; freed in an
 * order that leaves a product last. */
Test(spgemm_shared, chain_of_products_shares_one_pattern) {
    sf_ctx *ctx = tu_ctx();
    sf_mat *A = tu_random_csr(ctx, 25, 20, 0.3, 7);
    sf_mat *D1 = diag_of(ctx, 25, 8), *D2 = diag_of(ctx, 25, 9), *E = diag_of(ctx, 20, 10);
    sf_mat *J1 = product(ctx, D1, A), *J2 = product(ctx, D2, J1), *J3 = product(ctx, J2, E);
    assert_shares(J1, A), assert_shares(J2, A), assert_shares(J3, A);
    cr_assert_eq(refs(A), 4);
    double *a = tu_dense_of(ctx, A), *d1 = tu_dense_of(ctx, D1), *d2 = tu_dense_of(ctx, D2);
    double *e = tu_dense_of(ctx, E), *j3 = tu_dense_of(ctx, J3);
    for (int64_t i = 0; i < 25; i++)
        for (int64_t j = 0; j < 20; j++) {
            double w = d2[i * 25 + i] * (d1[i * 25 + i] * a[i * 20 + j]) * e[j * 20 + j];
            cr_assert(j3[i * 20 + j] == w);
        }
    free(a), free(d1), free(d2), free(e), free(j3);
    sf_mat_free(J2), sf_mat_free(A), sf_mat_free(J3);
    cr_assert_eq(refs(J1), 1);
    sf_mat_free(J1), sf_mat_free(D1), sf_mat_free(D2), sf_mat_free(E);
    tu_ctx_done(ctx);
}

/* A factor of another context is copied (its own pattern untouched), with
 * the same bits as the shared product, at a size where 2 threads run. */
Test(spgemm_shared, other_context_copies_same_bits) {
    sf_ctx *c1 = tu_ctx(), *c2 = tu_ctx();
    sf_ctx_set_threads(c1, 2), sf_ctx_set_threads(c2, 2);
    sf_mat *A = tu_random_csr(c1, 30000, 3000, 1e-3, 11), *D = diag_of(c1, 30000, 12);
    sf_mat *E = diag_of(c1, 3000, 13);
    sf_mat *Lc = product(c2, D, A), *Rc = product(c2, A, E);
    cr_assert_null(atomic_load(&A->u.csr.shared), "nothing shared across contexts");
    cr_assert_null(atomic_load(&Lc->u.csr.shared));
    cr_assert_neq(Lc->u.csr.rowptr, A->u.csr.rowptr);
    cr_assert_neq(Rc->u.csr.colind, A->u.csr.colind);
    size_t in_c2 = sf_ctx_bytes_in_use(c2);
    cr_assert_eq(in_c2, sf_mat_bytes(Lc) + sf_mat_bytes(Rc), "c2 holds both copies whole");
    sf_mat *L = product(c1, D, A), *R = product(c1, A, E);
    assert_shares(L, A), assert_shares(R, A);
    tu_assert_same_bits(c1, L, Lc), tu_assert_same_bits(c1, R, Rc);
    sf_mat_free(Lc), sf_mat_free(Rc);
    tu_ctx_done(c2);
    sf_mat_free(A), sf_mat_free(L), sf_mat_free(R), sf_mat_free(D), sf_mat_free(E);
    tu_ctx_done(c1);
}

/* The context's count grows by the handle and the values only (the first
 * share adds the small block); sf_mat_bytes counts the pattern in full. */
Test(spgemm_shared, accounting_counts_values_only) {
    sf_ctx *ctx = tu_ctx();
    sf_mat *A = exact_csr(ctx, 500, 400, 0.02, 14), *D = diag_of(ctx, 500, 15);
    size_t nnz = (size_t)sf_mat_nnz(A), before = sf_ctx_bytes_in_use(ctx);
    size_t a_bytes = sf_mat_bytes(A);
    sf_mat *J1 = product(ctx, D, A);
    size_t after1 = sf_ctx_bytes_in_use(ctx);
    cr_assert_eq(after1 - before, sizeof(sf_mat) + 8 * nnz + sizeof(sf_csr_pattern));
    sf_mat *J2 = product(ctx, D, A);
    cr_assert_eq(sf_ctx_bytes_in_use(ctx) - after1, sizeof(sf_mat) + 8 * nnz);
    cr_assert_eq(sf_mat_bytes(A), a_bytes + sizeof(sf_csr_pattern));
    cr_assert_eq(sf_mat_bytes(J1), sf_mat_bytes(A), "same arrays, same count");
    sf_mat_free(A), sf_mat_free(J1);
    cr_assert_eq(sf_ctx_bytes_in_use(ctx), sf_mat_bytes(J2) + sf_mat_bytes(D),
                 "the last user holds the pattern");
    sf_mat_free(J2), sf_mat_free(D);
    tu_ctx_done(ctx);
}

/* Under a limit with room for the values but not for a second pattern, the
 * shared product succeeds where a copy fails. */
Test(spgemm_shared, memory_limit_fits_because_shared) {
    sf_ctx *ctx = tu_ctx();
    sf_mat *A = exact_csr(ctx, 2000, 2000, 0.005, 16), *D = diag_of(ctx, 2000, 17);
    size_t nnz = (size_t)sf_mat_nnz(A), pattern = 8 * 2001 + 4 * nnz;
    size_t need = sizeof(sf_mat) + 8 * nnz + sizeof(sf_csr_pattern);
    cr_assert_eq(sf_ctx_set_memory_limit(ctx, sf_ctx_bytes_in_use(ctx) + need + pattern / 2),
                 SF_OK);
    sf_mat *C = (sf_mat *)0x1, *J = product(ctx, D, A);
    assert_shares(J, A);
    cr_assert_eq(sf_mat_copy(ctx, A, &C), SF_ERR_NOMEM, "a copy of A does not fit");
    cr_assert_eq(C, (sf_mat *)0x1);
    sf_ctx_set_memory_limit(ctx, 0);
    sf_mat_free(J), sf_mat_free(A), sf_mat_free(D);
    tu_ctx_done(ctx);
}

/* A failed product leaves the factor as it was: not shared when the values
 * or the block could not be had, no bytes kept. */
Test(spgemm_shared, failed_product_leaves_factor_unshared) {
    sf_ctx *ctx = tu_ctx();
    sf_mat *A = tu_random_csr(ctx, 20, 20, 0.3, 18), *D = diag_of(ctx, 20, 19);
    size_t before = sf_ctx_bytes_in_use(ctx);
    for (uint64_t k = 1; k <= 3; k++) { /* handle, values, shared block */
        sf_mat *J = (sf_mat *)0x1;
        sf_ctx_fail_allocation_after(ctx, k);
        cr_assert_eq(sf_mat_multiply(ctx, D, A, &J), SF_ERR_NOMEM, "allocation %llu",
                     (unsigned long long)k);
        cr_assert_eq(J, (sf_mat *)0x1, "output untouched");
        cr_assert_null(atomic_load(&A->u.csr.shared));
        cr_assert_eq(sf_ctx_bytes_in_use(ctx), before);
    }
    sf_ctx_fail_allocation_after(ctx, 0);
    sf_mat *J = product(ctx, D, A);
    assert_shares(J, A);
    sf_mat_free(J), sf_mat_free(A), sf_mat_free(D);
    tu_ctx_done(ctx);
}

/* Every allocation of a factor, two sharing products and one across the
 * shared pattern failing in turn: NOMEM and nothing left. */
static sf_status build_and_share(sf_ctx *ctx, void *arg) {
    (void)arg;
    static const int64_t rp[] = {0, 2, 3, 5}, ci[] = {0, 2, 1, 0, 2};
    static const double v[] = {1.5, -2, 3, 0.25, 4}, d[] = {2, -1, 0.5};
    sf_mat *A = NULL, *D = NULL, *L = NULL, *R = NULL, *LL = NULL;
    sf_status st = sf_mat_from_csr(ctx, 3, 3, rp, ci, v, SF_CSR_STRICT, &A);
    if (!st) st = sf_mat_diag(ctx, 3, d, &D);
    if (!st) st = sf_mat_multiply(ctx, D, A, &L);
    if (!st) st = sf_mat_multiply(ctx, A, D, &R);
    if (!st) st = sf_mat_multiply(ctx, D, L, &LL);
    sf_mat_free(A), sf_mat_free(L), sf_mat_free(R), sf_mat_free(LL), sf_mat_free(D);
    return st;
}

Test(spgemm_shared, injected_failures_leak_nothing) {
    tu_check_alloc_failures(build_and_share, NULL);
}

/* Two threads making the first products of one fresh const factor at once:
 * one block wins the race, both products hold it, the loser's block is
 * freed (tu_ctx_done). */
typedef struct race {
    sf_ctx *ctx;
    const sf_mat *D, *A;
    sf_mat *J;
    sf_status st;
    pthread_barrier_t *go;
} race;

static void *race_product(void *arg) {
    race *r = arg;
    pthread_barrier_wait(r->go);
    r->st = sf_mat_multiply(r->ctx, r->D, r->A, &r->J);
    return NULL;
}

Test(spgemm_shared, concurrent_first_shares_agree) {
    sf_ctx *ctx = tu_ctx();
    sf_mat *D = diag_of(ctx, 50, 20);
    pthread_barrier_t go;
    for (int round = 0; round < 50; round++) {
        sf_mat *A = tu_random_csr(ctx, 50, 40, 0.1, (uint64_t)round + 21);
        pthread_barrier_init(&go, NULL, 2);
        race r[2] = {{ctx, D, A, NULL, SF_OK, &go}, {ctx, D, A, NULL, SF_OK, &go}};
        pthread_t t;
        pthread_create(&t, NULL, race_product, &r[1]);
        race_product(&r[0]);
        pthread_join(t, NULL);
        pthread_barrier_destroy(&go);
        cr_assert_eq(r[0].st, SF_OK);
        cr_assert_eq(r[1].st, SF_OK);
        assert_shares(r[0].J, A), assert_shares(r[1].J, A);
        cr_assert_eq(refs(A), 3);
        sf_mat_free(A), sf_mat_free(r[0].J), sf_mat_free(r[1].J);
    }
    sf_mat_free(D);
    tu_ctx_done(ctx);
}
