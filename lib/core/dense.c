/* Dense views over caller memory. */
#include "internal.h"

sf_dense sf_dense_view(int64_t rows, int64_t cols, sf_layout layout, sf_dtype dtype, void *data) {
    sf_dense v = {rows, cols, layout == SF_ROW_MAJOR ? cols : rows, layout, dtype, data};
    if (v.ld < 1) v.ld = 1;
    return v;
}

sf_status sf_dense_check(sf_ctx *ctx, const sf_dense *v, const char *name) {
    if (!v) return sf_error(ctx, SF_ERR_ARG, "%s: dense view is NULL", name);
    if (v->rows < 0 || v->cols < 0)
        return sf_error(ctx, SF_ERR_ARG, "%s: negative shape (%lld, %lld)", name,
                        (long long)v->rows, (long long)v->cols);
    if (v->layout != SF_ROW_MAJOR && v->layout != SF_COL_MAJOR)
        return sf_error(ctx, SF_ERR_ARG, "%s: unknown layout %d", name, (int)v->layout);
    if (v->dtype != SF_REAL && v->dtype != SF_COMPLEX)
        return sf_error(ctx, SF_ERR_ARG, "%s: unknown dtype %d", name, (int)v->dtype);
    int64_t inner = v->layout == SF_ROW_MAJOR ? v->cols : v->rows;
    if (v->ld < 1 || v->ld < inner)
        return sf_error(ctx, SF_ERR_ARG, "%s: leading dimension %lld is smaller than %lld", name,
                        (long long)v->ld, (long long)inner);
    int64_t outer = v->layout == SF_ROW_MAJOR ? v->rows : v->cols, span;
    if (!sf_mul_i64(outer, v->ld, &span) || !sf_mul_i64(span, 16, &span))
        return sf_error(ctx, SF_ERR_TOO_LARGE, "%s: shape (%lld, %lld) overflows", name,
                        (long long)v->rows, (long long)v->cols);
    if (v->rows > 0 && v->cols > 0 && !v->data)
        return sf_error(ctx, SF_ERR_ARG, "%s: data is NULL for a (%lld, %lld) view", name,
                        (long long)v->rows, (long long)v->cols);
    return SF_OK;
}

/* The bytes a non-empty checked view spans, from its first element to just
 * past its last (padding between rows or columns included). */
static void view_span(const sf_dense *v, uintptr_t *lo, uintptr_t *hi) {
    int64_t inner = v->layout == SF_ROW_MAJOR ? v->cols : v->rows;
    int64_t outer = v->layout == SF_ROW_MAJOR ? v->rows : v->cols;
    size_t elem = v->dtype == SF_COMPLEX ? 16 : 8;
    *lo = (uintptr_t)v->data;
    *hi = *lo + (size_t)((outer - 1) * v->ld + inner) * elem;
}

bool sf_dense_overlap(const sf_dense *a, const sf_dense *b) {
    if (a->rows == 0 || a->cols == 0 || b->rows == 0 || b->cols == 0) return false;
    uintptr_t alo, ahi, blo, bhi;
    view_span(a, &alo, &ahi);
    view_span(b, &blo, &bhi);
    return alo < bhi && blo < ahi;
}
