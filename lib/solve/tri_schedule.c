/* The threaded schedule of a triangular plan.  Rows are grouped into levels
 * (a level depends only on earlier ones); then, level by level, each row is
 * given to a thread: to the thread that owns all the rows it reads when that
 * keeps the threads' work within a slack of each other, else to the thread
 * currently filling up.  Rows reading only their own thread's rows never wait;
 * the others ("cross" rows) wait on per-row done flags.  Each thread's rows
 * are listed in level order, so no thread ever waits for a row that would
 * come after its own position: the schedule cannot deadlock. */
#include "tri_internal.h"

/* level[i] = 1 + the deepest level row i reads; returns the depth. */
static int64_t number_levels(const tri_plan *p, int32_t *level) {
    int64_t depth = 0, beg, end;
    for (int64_t s = 0; s < p->n; s++) {
        int64_t i = p->uplo == SF_LOWER ? s : p->n - 1 - s;
        tri_row_range(p, i, &beg, &end);
        int32_t l = 0;
        for (int64_t q = beg; q < end; q++)
            if (level[p->colind[q]] + 1 > l) l = level[p->colind[q]] + 1;
        level[i] = l;
        if (l + 1 > depth) depth = l + 1;
    }
    return depth;
}

/* Rows bucketed by level, stable: order[lptr[l] .. lptr[l+1]). */
static void bucket_by_level(const tri_plan *p, const int32_t *level, int64_t *lptr,
                            int32_t *order, int64_t *max_width) {
    *max_width = 0;
    for (int64_t i = 0; i < p->n; i++) lptr[level[i] + 1]++;
    for (int64_t l = 0; l < p->levels; l++) {
        if (lptr[l + 1] > *max_width) *max_width = lptr[l + 1];
        lptr[l + 1] += lptr[l];
    }
    for (int64_t i = 0; i < p->n; i++) order[lptr[level[i]]++] = (int32_t)i;
    for (int64_t l = p->levels; l > 0; l--) lptr[l] = lptr[l - 1];
    lptr[0] = 0;
}

static int least_loaded(const int64_t *load, int parts) {
    int m = 0;
    for (int t = 1; t < parts; t++)
        if (load[t] < load[m]) m = t;
    return m;
}

/* The thread of every row (owner), and whether it reads another thread's rows. */
static void assign_owners(const tri_plan *p, const int64_t *lptr, const int32_t *order,
                          int32_t *owner, bool *cross, int64_t *load) {
    int parts = p->parts;
    for (int t = 0; t < parts; t++) load[t] = 0;
    for (int64_t l = 0; l < p->levels; l++) {
        int64_t work = 0, beg, end;
        for (int64_t s = lptr[l]; s < lptr[l + 1]; s++) {
            tri_row_range(p, order[s], &beg, &end);
            work += end - beg + 1;
        }
        int64_t slack = work / parts + 1;
        int cur = least_loaded(load, parts);
        for (int64_t s = lptr[l]; s < lptr[l + 1]; s++) {
            int64_t i = order[s];
            tri_row_range(p, i, &beg, &end);
            int32_t o = -1;
            bool mixed = false;
            for (int64_t q = beg; q < end && !mixed; q++) {
                int32_t oj = owner[p->colind[q]];
                mixed = o >= 0 && oj != o;
                o = oj;
            }
            int m = least_loaded(load, parts);
            if (o >= 0 && !mixed && load[o] - load[m] <= slack) {
                owner[i] = o;
            } else {
                if (load[cur] - load[m] > slack) cur = m;
                owner[i] = cur;
            }
            cross[i] = false;
            for (int64_t q = beg; q < end; q++) cross[i] |= owner[p->colind[q]] != owner[i];
            load[owner[i]] += end - beg + 1;
        }
    }
}

/* sched: each thread's rows in level order, ~i for cross rows. */
static void fill_schedule(tri_plan *p, const int64_t *lptr, const int32_t *order,
                          const int32_t *owner, const bool *cross) {
    for (int t = 0; t <= p->parts; t++) p->part_ptr[t] = 0;
    for (int64_t i = 0; i < p->n; i++) p->part_ptr[owner[i] + 1]++;
    for (int t = 0; t < p->parts; t++) p->part_ptr[t + 1] += p->part_ptr[t];
    int64_t next[SF_TRI_MAX_PARTS];
    for (int t = 0; t < p->parts; t++) next[t] = p->part_ptr[t];
    for (int64_t s = 0; s < lptr[p->levels]; s++) {
        int32_t i = order[s];
        p->sched[next[owner[i]]++] = cross[i] ? ~i : i;
        p->cross_rows += cross[i];
    }
}

sf_status sf_tri_schedule_build(sf_ctx *ctx, tri_plan *p, int parts) {
    int64_t n = p->n;
    p->parts = parts < 2 ? 2 : parts > SF_TRI_MAX_PARTS ? SF_TRI_MAX_PARTS : parts;
    int32_t *level = sf_calloc(ctx, (size_t)n, sizeof *level, "triangular level numbers");
    int32_t *order = level ? sf_alloc_array(ctx, (size_t)n, sizeof *order, "triangular level order") : NULL;
    bool *cross = order ? sf_alloc_array(ctx, (size_t)n, sizeof *cross, "triangular cross rows") : NULL;
    int64_t *lptr = NULL;
    sf_status st = cross ? SF_OK : sf_last_alloc_status(ctx);
    if (!st) {
        p->levels = number_levels(p, level);
        lptr = sf_calloc(ctx, (size_t)p->levels + 1, sizeof *lptr, "triangular levels");
        p->part_ptr = lptr ? sf_alloc_array(ctx, (size_t)p->parts + 1, sizeof *p->part_ptr,
                                            "triangular schedule") : NULL;
        p->sched = p->part_ptr ? sf_alloc_array(ctx, (size_t)n, sizeof *p->sched, "triangular schedule")
                               : NULL;
        st = p->sched ? SF_OK : sf_last_alloc_status(ctx);
    }
    if (!st) {
        int64_t load[SF_TRI_MAX_PARTS];
        bucket_by_level(p, level, lptr, order, &p->max_width);
        assign_owners(p, lptr, order, level /* reused as owner */, cross, load);
        fill_schedule(p, lptr, order, level, cross);
    }
    sf_free(ctx, lptr);
    sf_free(ctx, cross);
    sf_free(ctx, order);
    sf_free(ctx, level);
    return st;
}
