/* Element assembly (P4).  Symbolic, in O(E k^2) with no triplets and no
 * global sort: the node -> element-entry incidence lists (32-bit entries
 * below 2^32 element entries), then one pass over the rows (row i: the union
 * of the nodes of its elements, deduplicated with a stamp array, sorted in
 * place; split between threads by row ranges, each written compactly at its
 * own upper-bound offset, then moved into the exact column array; a single
 * part is already in place, see symbolic()).  The same pass writes the slot
 * map, row-relative, in the fewest bytes that hold a position in the
 * longest row the mesh can make: 1 byte up to 256 columns (quadrilaterals,
 * hexahedra: an eighth of the bytes of absolute int64 slots), else 2 up to
 * 65536, else 4.  The handle keeps the int32 connectivity (to find each
 * entry's row) and the map; the incidence lists are temporary.
 * Numeric: each thread owns a range of rows (balanced by nonzeros), zeroes
 * it, and walks the element entries in element order adding those of its
 * rows.  Every slot thus sums its terms in sequential element order whatever
 * the thread count (bitwise identical results), the element matrices are
 * read in order, and nothing is allocated.
 * A mesh numbered without locality (mesh_scattered) makes both passes wait
 * on random memory; there both ask for what they need some rows or entries
 * ahead. */
#include <omp.h>
#include <stdint.h>
#include <string.h>

#include "../ops/ops_internal.h"
#include "deriv_internal.h"

/* Check every node number; nothing is allocated before this passes. */
static sf_status validate(sf_ctx *ctx, const void *conn, bool wide, int64_t nq, int k,
                          int64_t nodes) {
    for (int64_t q = 0; q < nq; q++) {
        int64_t v = wide ? ((const int64_t *)conn)[q] : ((const int32_t *)conn)[q];
        if (v < 0 || v >= nodes)
            return sf_error(ctx, SF_ERR_INDEX,
                            "assembly: element %lld, position %lld: node %lld is out of range [0, %lld)",
                            (long long)(q / k), (long long)(q % k), (long long)v, (long long)nodes);
    }
    return SF_OK;
}

/* The handle's copy of the connectivity, int32 (nodes are column indices). */
static void copy_conn(int32_t *dst, const void *conn, bool wide, int64_t nq) {
    if (!wide) {
        memcpy(dst, conn, (size_t)nq * sizeof *dst);
        return;
    }
    for (int64_t q = 0; q < nq; q++) dst[q] = (int32_t)((const int64_t *)conn)[q];
}

/* Temporary incidence lists: for every node i, the element entries
 * q = e*k + a naming it are entry t = ptr[i] .. ptr[i+1]-1, q increasing.
 * q is held in 32 bits (half the bytes to write and read) unless there are
 * 2^32 element entries or more: then inc64 is used and inc32 is NULL. */
typedef struct incidence_lists {
    int64_t *ptr;
    uint32_t *inc32;
    int64_t *inc64;
    int64_t most; /* the most element entries naming one node */
} incidence_lists;

/* Entry t (wide: a constant at every call, so the loops are specialised). */
static inline __attribute__((always_inline)) int64_t inc_at(const incidence_lists *il, int64_t t,
                                                            bool wide) {
    return wide ? il->inc64[t] : (int64_t)il->inc32[t];
}

/* Store slot map entry at (the inverse of deriv_map_at). */
static inline __attribute__((always_inline)) void map_put(void *map, int bytes, int64_t at,
                                                          int32_t slot) {
    if (bytes == 1) ((uint8_t *)map)[at] = (uint8_t)slot;
    else if (bytes == 2) ((uint16_t *)map)[at] = (uint16_t)slot;
    else ((int32_t *)map)[at] = slot;
}

/* Counting-sort passes over the element entries; on a scattered mesh each
 * entry's counter is a random place in memory, asked for INC_AHEAD entries
 * early. */
enum { INC_AHEAD = 32 };

static sf_status incidence(sf_ctx *ctx, const int32_t *conn, int64_t nq, int64_t nodes,
                           bool ahead, incidence_lists *il) {
    bool wide = nq > (int64_t)UINT32_MAX;
    int64_t *ptr = sf_calloc(ctx, (size_t)nodes + 1, sizeof *ptr, "assembly incidence offsets");
    void *list = ptr ? sf_alloc_array(ctx, (size_t)nq, wide ? sizeof(int64_t) : sizeof(uint32_t),
                                      "assembly incidence")
                     : NULL;
    if (!list) {
        sf_free(ctx, ptr);
        return sf_last_alloc_status(ctx);
    }
    for (int64_t q = 0; q < nq; q++) {
        if (ahead && q + INC_AHEAD < nq) __builtin_prefetch(ptr + conn[q + INC_AHEAD] + 1, 1);
        ptr[conn[q] + 1]++;
    }
    il->most = 0;
    for (int64_t i = 0; i < nodes; i++) {
        il->most = ptr[i + 1] > il->most ? ptr[i + 1] : il->most;
        ptr[i + 1] += ptr[i];
    }
    if (wide)
        for (int64_t q = 0; q < nq; q++) ((int64_t *)list)[ptr[conn[q]]++] = q;
    else
        for (int64_t q = 0; q < nq; q++) {
            if (ahead && q + INC_AHEAD < nq) __builtin_prefetch(ptr + conn[q + INC_AHEAD], 1);
            ((uint32_t *)list)[ptr[conn[q]]++] = (uint32_t)q;
        }
    for (int64_t i = nodes; i > 0; i--) ptr[i] = ptr[i - 1];
    ptr[0] = 0;
    il->ptr = ptr;
    il->inc32 = wide ? NULL : list;
    il->inc64 = wide ? list : NULL;
    return SF_OK;
}

/* Row i's distinct columns: the nodes of every element containing i,
 * written to cols (room for all candidates: every candidate is stored and
 * kept only if new, so that the unpredictable "seen" test is a select, not a
 * branch).  stamp[j] == i: column j is already in the row.  The stamp is
 * stored unconditionally and is not a position, so no candidate waits for
 * the count of the one before (storing positions made a chain through
 * memory of several cycles per candidate).  Returns the count. */
static inline __attribute__((always_inline)) int64_t
row_columns(const int32_t *conn, const incidence_lists *il, int64_t k, bool wide, int64_t i,
            int32_t *stamp, int32_t *cols) {
    int64_t cnt = 0;
    for (int64_t t = il->ptr[i]; t < il->ptr[i + 1]; t++) {
        int64_t q = inc_at(il, t, wide);
        const int32_t *nodes = conn + (q - q % k);
        for (int64_t b = 0; b < k; b++) {
            int32_t j = nodes[b];
            bool fresh = stamp[j] != (int32_t)i;
            stamp[j] = (int32_t)i;
            cols[cnt] = j;
            cnt += fresh;
        }
    }
    return cnt;
}

/* Rows of RANK_MIN < n <= RANK_MAX columns are sorted by ranking. */
enum { RANK_MIN = 16, RANK_MAX = 64 };

/* The rank sort of a row of RANK_MIN < n <= RANK_MAX columns: the position
 * of v is the count of smaller columns, found by branch-free vectorized
 * compares, O(n^2) but without the mispredictions of a comparison sort. */
static inline __attribute__((always_inline)) void rank_sort(int32_t *cols, int64_t n) {
    /* padded to whole vectors with INT32_MAX, which is never smaller */
    int32_t in[RANK_MAX] __attribute__((aligned(32)));
    int64_t n8 = (n + 7) & ~(int64_t)7;
    memcpy(in, cols, (size_t)n * sizeof *in);
    for (int64_t q = n; q < n8; q++) in[q] = INT32_MAX;
    for (int64_t p = 0; p < n; p++) {
        int32_t v = in[p], r = 0;
        for (int64_t q = 0; q < n8; q += 8)
            for (int l = 0; l < 8; l++) r += in[q + l] < v;
        cols[r] = v;
    }
}

static void rank_sort_base(int32_t *cols, int64_t n) { rank_sort(cols, n); }

typedef int32_t rank_vec __attribute__((vector_size(32)));

/* The rank sort for rows in random order (a scattered mesh), where insertion
 * sort mispredicts on most compares: each column broadcast and compared
 * with the whole row at once, the ranks counted eight lanes per compare,
 * with no horizontal sums (random 9-column rows: 52 ms per 10^6 rows, 100
 * by insertion or by rank_sort).  Sets pos[] too.  On rows in element order
 * it is slower than the two above inside the pass, so it is kept for these. */
static inline __attribute__((always_inline)) void rank_sort_lanes(int32_t *cols, int64_t n,
                                                                  int32_t *pos) {
    rank_vec in[RANK_MAX / 8], rank[RANK_MAX / 8];
    int32_t *flat = (int32_t *)in, *r = (int32_t *)rank;
    int64_t nv = (n + 7) / 8;
    memcpy(flat, cols, (size_t)n * sizeof *flat);
    for (int64_t q = n; q < nv * 8; q++) flat[q] = INT32_MAX; /* padding, never placed */
    for (int64_t v = 0; v < nv; v++) rank[v] = (rank_vec){0};
    for (int64_t q = 0; q < n; q++) {
        rank_vec b = (rank_vec){0} + flat[q];
        for (int64_t v = 0; v < nv; v++) rank[v] -= in[v] > b; /* true is -1 */
    }
    for (int64_t p = 0; p < n; p++) {
        cols[r[p]] = flat[p];
        pos[flat[p]] = r[p];
    }
}

static void rank_sort_lanes_base(int32_t *cols, int64_t n, int32_t *pos) {
    rank_sort_lanes(cols, n, pos);
}

/* The same compiled for AVX2 where the CPU has it: eight compares per
 * instruction instead of four (hexahedra: about a third of the pass). */
#if defined(__x86_64__) && defined(__GNUC__)
#define SF_HAVE_AVX2_RANK 1
__attribute__((target("avx2"))) static void rank_sort_avx2(int32_t *cols, int64_t n) {
    rank_sort(cols, n);
}
__attribute__((target("avx2"))) static void rank_sort_lanes_avx2(int32_t *cols, int64_t n,
                                                                 int32_t *pos) {
    rank_sort_lanes(cols, n, pos);
}
#endif

/* Sort the n distinct columns of a row and set pos[] to their positions:
 * rows of a scattered mesh (columns in random order) of up to 64 columns by
 * rank_sort_lanes; else 17-64 columns (hexahedra: 27) by rank_sort, shorter
 * (quadrilaterals: 9, nearly sorted in element order) and longer rows by
 * insertion sort. */
static void sort_row(int32_t *cols, int64_t n, int32_t *pos, bool avx2, bool shuffled) {
    if (shuffled && n <= RANK_MAX) {
#if defined(SF_HAVE_AVX2_RANK)
        if (avx2) {
            rank_sort_lanes_avx2(cols, n, pos);
            return;
        }
#endif
        rank_sort_lanes_base(cols, n, pos);
        return;
    }
    if (n > RANK_MIN && n <= RANK_MAX) {
#if defined(SF_HAVE_AVX2_RANK)
        if (avx2) rank_sort_avx2(cols, n);
        else
#endif
            rank_sort_base(cols, n);
    } else {
        for (int64_t p = 1; p < n; p++) {
            int32_t v = cols[p];
            int64_t q = p;
            for (; q > 0 && cols[q - 1] > v; q--) cols[q] = cols[q - 1];
            cols[q] = v;
        }
    }
    (void)avx2;
    for (int64_t p = 0; p < n; p++) pos[cols[p]] = (int32_t)p;
}

#if defined(SF_HAVE_AVX2_RANK)
#define CPU_HAS_AVX2() __builtin_cpu_supports("avx2")
#else
#define CPU_HAS_AVX2() false
#endif

/* On a scattered mesh (mesh_scattered) the element entries of a row are
 * random places in the connectivity, the slot map and the marks, and the
 * pass waits for each.  Ask early: the element node lists and map entries
 * of row i + SYM_AHEAD, and the marks of the nodes of row i + SYM_AHEAD / 2
 * (its node lists were asked for SYM_AHEAD / 2 rows ago). */
enum { SYM_AHEAD = 16 };

static inline __attribute__((always_inline)) void
prefetch_rows_ahead(const sf_jac_pattern *jp, const incidence_lists *il, int64_t k, bool wide,
                    int mb, int64_t i, int64_t r1, const int32_t *stamp, const int32_t *pos) {
    int64_t far = i + SYM_AHEAD, near = i + SYM_AHEAD / 2;
    for (int64_t t = far < r1 ? il->ptr[far] : 0; far < r1 && t < il->ptr[far + 1]; t++) {
        int64_t q = inc_at(il, t, wide);
        __builtin_prefetch(jp->conn + (q - q % k));
        __builtin_prefetch((char *)jp->map + q * k * mb, 1);
    }
    for (int64_t t = near < r1 ? il->ptr[near] : 0; near < r1 && t < il->ptr[near + 1]; t++) {
        int64_t q = inc_at(il, t, wide);
        const int32_t *nodes = jp->conn + (q - q % k);
        for (int64_t b = 0; b < k; b++) {
            __builtin_prefetch(stamp + nodes[b], 1);
            __builtin_prefetch(pos + nodes[b], 1);
        }
    }
}

/* Rows [r0, r1), written compactly from scratch[ptr[r0] * k] on (the
 * upper bound of what rows before r0 need, so threads never overlap).
 * Row i: its distinct columns sorted, count[i + 1] = their number, then the
 * row-relative map entries of its element entries.  mark holds the stamps
 * and then the positions of this part, nodes int32 each. */
static inline __attribute__((always_inline)) void
fill_rows(sf_jac_pattern *jp, const incidence_lists *il, int64_t k, bool wide, int mb,
          bool ahead, int32_t *mark, int64_t r0, int64_t r1, int64_t *count, int32_t *scratch) {
    int64_t nodes = jp->m->rows;
    int32_t *stamp = mark, *pos = mark + nodes;
    bool avx2 = CPU_HAS_AVX2();
    for (int64_t j = 0; j < nodes; j++) stamp[j] = -1;
    for (int64_t i = r0, w = il->ptr[r0] * k; i < r1; i++) {
        if (ahead) prefetch_rows_ahead(jp, il, k, wide, mb, i, r1, stamp, pos);
        int64_t cnt = row_columns(jp->conn, il, k, wide, i, stamp, scratch + w);
        sort_row(scratch + w, cnt, pos, avx2, ahead);
        for (int64_t t = il->ptr[i]; t < il->ptr[i + 1]; t++) {
            int64_t q = inc_at(il, t, wide);
            const int32_t *nodes_e = jp->conn + (q - q % k);
            for (int64_t b = 0; b < k; b++) map_put(jp->map, mb, q * k + b, pos[nodes_e[b]]);
        }
        count[i + 1] = cnt;
        w += cnt;
    }
}

/* fill_rows over the rows split between threads (balanced by incidence
 * counts; one mark area each), with the element size known to the
 * compiler for the common cases (unrolled loops, k divisions as shifts).
 * Returns the number of parts. */
static int fill_rows_par(sf_jac_pattern *jp, const incidence_lists *il, int32_t *marks, int nt,
                         int64_t *count, int32_t *scratch) {
    int64_t nodes = jp->m->rows, k = jp->k;
    int parts = 1;
#pragma omp parallel num_threads(nt)
    {
        int t = omp_get_thread_num();
        int64_t r0, r1;
        int32_t *mark = marks + 2 * (size_t)t * (size_t)nodes;
        if (t == 0) parts = omp_get_num_threads();
        sf_split_rows(il->ptr, nodes, omp_get_num_threads(), t, &r0, &r1);
#define FILL(K, WIDE, MB) fill_rows(jp, il, K, WIDE, MB, jp->scattered, mark, r0, r1, count, scratch)
        bool wide = il->inc64 != NULL;
        if (!wide && jp->map_bytes == 1)
            switch (k) {
            case 3: FILL(3, false, 1); break;
            case 4: FILL(4, false, 1); break;
            case 8: FILL(8, false, 1); break;
            default: FILL(k, false, 1);
            }
        else if (jp->map_bytes == 1) FILL(k, wide, 1);
        else if (jp->map_bytes == 2) FILL(k, wide, 2);
        else FILL(k, wide, 4);
#undef FILL
    }
    return parts;
}

/* Each part's rows moved from their scratch offset to the exact array. */
static void move_parts(const incidence_lists *il, int64_t k, int64_t rows, int parts,
                       const int64_t *rowptr, const int32_t *scratch, int32_t *colind) {
    for (int t = 0; t < parts; t++) {
        int64_t r0, r1;
        sf_split_rows(il->ptr, rows, parts, t, &r0, &r1);
        memcpy(colind + rowptr[r0], scratch + il->ptr[r0] * k,
               (size_t)(rowptr[r1] - rowptr[r0]) * sizeof *colind);
    }
}

/* The CSR arrays.  The scratch column array has room for the upper bound
 * (every element entry distinct); the parts write their rows compactly, so
 * its tail is never paged in.  With one part (one thread) the scratch is
 * already the exact column array and becomes it: no second array to page in
 * and copy (k = 4: 36 MB, ~15 % of the build); it is shrunk to its exact
 * size in place, so its never-touched tail leaves the context's count. */
static sf_status symbolic(sf_ctx *ctx, sf_jac_pattern *jp, const incidence_lists *il,
                          int32_t *marks, int nt) {
    sf_csr *a = &jp->m->u.csr;
    int64_t rows = jp->m->rows;
    int32_t *scratch = sf_alloc_array(ctx, (size_t)(jp->nelem * jp->k * jp->k), sizeof *scratch,
                                      "assembly column scratch");
    if (scratch)
        a->rowptr = sf_alloc_array(ctx, (size_t)rows + 1, sizeof(int64_t), "CSR row offsets");
    int parts = 0;
    if (a->rowptr) {
        parts = fill_rows_par(jp, il, marks, nt, a->rowptr, scratch);
        a->rowptr[0] = 0;
        for (int64_t i = 0; i < rows; i++) a->rowptr[i + 1] += a->rowptr[i];
        jp->m->nnz = a->rowptr[rows];
        if (parts == 1) { /* shrink in place: the tail goes back to the count */
            a->colind = sf_realloc(ctx, scratch, (size_t)jp->m->nnz * sizeof(int32_t),
                                   "CSR column indices");
            if (a->colind) scratch = NULL;
        } else
            a->colind = sf_alloc_array(ctx, (size_t)jp->m->nnz, sizeof(int32_t),
                                       "CSR column indices");
    }
    if (a->colind) {
        if (scratch) move_parts(il, jp->k, rows, parts, a->rowptr, scratch, a->colind);
        a->val = sf_calloc(ctx, (size_t)jp->m->nnz, sizeof(double), "CSR values");
    }
    sf_free(ctx, scratch);
    return a->val ? SF_OK : sf_last_alloc_status(ctx);
}

/* The handle with its empty CSR matrix and the connectivity array. */
static sf_status assembly_handle(sf_ctx *ctx, int64_t nodes, int64_t nelem, int k,
                                 sf_jac_pattern **out) {
    sf_mat *m = NULL;
    sf_status st = sf_mat_new(ctx, SF_CSR, nodes, nodes, "assembly", &m);
    if (st || (st = deriv_pattern_wrap(ctx, m, out))) return st;
    sf_jac_pattern *jp = *out;
    size_t nq = (size_t)(nelem * k);
    jp->nelem = nelem;
    jp->k = k;
    jp->conn = sf_alloc_array(ctx, nq, sizeof *jp->conn, "assembly connectivity");
    if (jp->conn) return SF_OK;
    sf_jac_pattern_free(jp);
    return sf_last_alloc_status(ctx);
}

/* The slot map in the fewest bytes per entry that hold a position in the
 * longest row possible (a row has at most nodes columns, and at most k per
 * element entry naming its node): each refill reads it whole, so 1 byte
 * instead of 2 is 16 MB less to read and hold for 10^6 quadrilaterals, 64 MB
 * for hexahedra. */
static sf_status slot_map(sf_ctx *ctx, sf_jac_pattern *jp, const incidence_lists *il) {
    int64_t longest = il->most * jp->k < jp->m->rows ? il->most * jp->k : jp->m->rows;
    jp->map_bytes = longest <= 256 ? 1 : longest <= 65536 ? 2 : 4;
    jp->map = sf_alloc_array(ctx, (size_t)(jp->nelem * jp->k * jp->k), (size_t)jp->map_bytes,
                             "assembly slot map");
    return jp->map ? SF_OK : sf_last_alloc_status(ctx);
}

/* Whether the mesh is numbered without locality: in 64 runs of 64
 * elements spread over the mesh, most nodes lie over 4096 from the same
 * local node of the element before (structured and renumbered meshes: 1 to
 * a grid line apart; randomly numbered ones: a third of the mesh). */
static bool mesh_scattered(const int32_t *conn, int64_t nelem, int64_t k) {
    int64_t far = 0, seen = 0, step = nelem / 64 + 1;
    for (int64_t e0 = 1; e0 < nelem; e0 += step)
        for (int64_t e = e0; e < e0 + 64 && e < nelem; e++)
            for (int64_t a = 0; a < k; a++, seen++) {
                int64_t d = (int64_t)conn[e * k + a] - conn[(e - 1) * k + a];
                far += d > 4096 || d < -4096;
            }
    return 2 * far > seen;
}

static sf_status assembly_pattern(sf_ctx *ctx, int64_t nodes, int64_t nelem, int k,
                                  const void *conn, bool wide, sf_jac_pattern **out) {
    if (!ctx) return SF_ERR_ARG;
    if (!out || (nelem > 0 && k > 0 && !conn))
        return sf_error(ctx, SF_ERR_ARG, "assembly: NULL argument");
    int64_t nq;
    if (nelem < 0 || k < 0 || !sf_mul_i64(nelem, (int64_t)k * k, &nq))
        return sf_error(ctx, SF_ERR_ARG, "assembly: bad element count %lld or size %d",
                        (long long)nelem, k);
    sf_status st = sf_check_dims(ctx, nodes, nodes, "assembly");
    if (st || (st = validate(ctx, conn, wide, nelem * k, k, nodes))) return st;
    int nt = sf_threads_for(ctx, nelem * k * k);
    int32_t *marks = sf_alloc_array(ctx, 2 * (size_t)nt * (size_t)(nodes + 1), sizeof *marks,
                                    "assembly marks");
    SF_CHECK_ALLOC(ctx, marks);
    sf_jac_pattern *jp = NULL;
    incidence_lists il = {NULL, NULL, NULL, 0};
    if (!(st = assembly_handle(ctx, nodes, nelem, k, &jp))) {
        copy_conn(jp->conn, conn, wide, nelem * k);
        jp->scattered = mesh_scattered(jp->conn, nelem, k);
        if ((st = incidence(ctx, jp->conn, nelem * k, nodes, jp->scattered, &il)) ||
            (st = slot_map(ctx, jp, &il)) || (st = symbolic(ctx, jp, &il, marks, nt)))
            sf_jac_pattern_free(jp);
    }
    sf_free(ctx, il.ptr);
    sf_free(ctx, il.inc32);
    sf_free(ctx, il.inc64);
    sf_free(ctx, marks);
    if (!st) *out = jp;
    return st;
}

sf_status sf_assembly_pattern(sf_ctx *ctx, int64_t nodes, int64_t nelem, int k,
                              const int64_t *conn, sf_jac_pattern **out) {
    return assembly_pattern(ctx, nodes, nelem, k, conn, true, out);
}

sf_status sf_assembly_pattern_i32(sf_ctx *ctx, int64_t nodes, int64_t nelem, int k,
                                  const int32_t *conn, sf_jac_pattern **out) {
    return assembly_pattern(ctx, nodes, nelem, k, conn, false, out);
}

sf_status deriv_check_assembly(sf_ctx *ctx, const sf_jac_pattern *jp, const void *data,
                               const char *fn) {
    if (!jp || (!data && jp->nelem > 0 && jp->k > 0))
        return sf_error(ctx, SF_ERR_ARG, "%s: NULL argument", fn);
    if (!jp->map)
        return sf_error(ctx, SF_ERR_ARG, "%s: the handle was not made by sf_assembly_pattern", fn);
    return SF_OK;
}

sf_status sf_assembly_map_export(sf_ctx *ctx, const sf_jac_pattern *jp, int64_t *map) {
    if (!ctx) return SF_ERR_ARG;
    sf_status st = deriv_check_assembly(ctx, jp, map, "sf_assembly_map_export");
    if (st) return st;
    int64_t k = jp->k, nq = jp->nelem * k;
    for (int64_t q = 0; q < nq; q++)
        for (int64_t b = 0; b < k; b++) map[q * k + b] = deriv_assembly_slot(jp, q, b);
    return SF_OK;
}

/* With nodes numbered in no local order (an unstructured mesh not
 * renumbered), each element entry's row of values is a random place in
 * memory and the walk waits for it; fetching the row ROW_AHEAD entries
 * early overlaps those waits (quadrilaterals with randomly renumbered nodes:
 * 1.7-2.2x, hexahedra 1.7-2.0x).  On a well-ordered mesh the rows are
 * already in cache and the prefetches cost 9-26 %, so only handles whose
 * mesh was found scattered take them (mesh_scattered). */
enum { ROW_AHEAD = 64 };

static inline __attribute__((always_inline)) void
prefetch_row(const int64_t *rowptr, double *val, int64_t i, int64_t r0, int64_t r1) {
    if (i < r0 || i >= r1) return;
    const double *v = val + rowptr[i], *end = val + rowptr[i + 1];
    for (; v < end; v += 8) __builtin_prefetch(v, 1);
    __builtin_prefetch(end - 1, 1);
}

/* The numeric assembly of rows [r0, r1) (see the top of the file). */
static inline __attribute__((always_inline)) void
refill_rows(const sf_jac_pattern *jp, int64_t k, int mb, bool ahead, const double *ke,
            int64_t r0, int64_t r1) {
    const int64_t *rowptr = jp->m->u.csr.rowptr;
    double *val = jp->m->u.csr.val;
    memset(val + rowptr[r0], 0, (size_t)(rowptr[r1] - rowptr[r0]) * sizeof *val);
    int64_t nq = jp->nelem * k;
    for (int64_t q = 0; q < nq; q++) {
        if (ahead && q + ROW_AHEAD < nq) prefetch_row(rowptr, val, jp->conn[q + ROW_AHEAD], r0, r1);
        int64_t i = jp->conn[q];
        if (i < r0 || i >= r1) continue;
        double *v = val + rowptr[i];
        const double *row = ke + q * k;
        for (int64_t b = 0; b < k; b++) v[deriv_map_at(jp->map, mb, q * k + b)] += row[b];
    }
}

static inline __attribute__((always_inline)) void
refill(const sf_jac_pattern *jp, int64_t k, int mb, const double *ke, int nt) {
    const int64_t *rowptr = jp->m->u.csr.rowptr;
#pragma omp parallel num_threads(nt)
    {
        int64_t r0, r1;
        sf_split_rows(rowptr, jp->m->rows, omp_get_num_threads(), omp_get_thread_num(), &r0, &r1);
        if (jp->scattered)
            refill_rows(jp, k, mb, true, ke, r0, r1);
        else
            refill_rows(jp, k, mb, false, ke, r0, r1);
    }
}

sf_status sf_assemble(sf_ctx *ctx, sf_jac_pattern *jp, const double *ke) {
    if (!ctx) return SF_ERR_ARG;
    sf_status st = deriv_check_assembly(ctx, jp, ke, "sf_assemble");
    if (st) return st;
    int nt = sf_threads_for(ctx, jp->nelem * jp->k * jp->k);
    if (jp->map_bytes == 1)
        switch (jp->k) {
        case 3: refill(jp, 3, 1, ke, nt); break;
        case 4: refill(jp, 4, 1, ke, nt); break;
        case 8: refill(jp, 8, 1, ke, nt); break;
        default: refill(jp, jp->k, 1, ke, nt);
        }
    else if (jp->map_bytes == 2)
        refill(jp, jp->k, 2, ke, nt);
    else
        refill(jp, jp->k, 4, ke, nt);
    sf_mat_values_changed(jp->m);
    return SF_OK;
}
