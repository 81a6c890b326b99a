/* Helpers shared by the builders: shape sizes checked against the index
 * types, and selection handles whose payload the builders fill directly. */
#include "deriv_internal.h"

sf_status deriv_shape_size(sf_ctx *ctx, const sf_shape *s, const char *what, int64_t *n) {
    sf_status st = sf_shape_size(ctx, s, n);
    if (st) {
        sf_error_prefix(ctx, "%s", what);
        return st;
    }
    if (*n > SF_MAX_DIM) {
        char buf[160];
        return sf_error(ctx, SF_ERR_TOO_LARGE,
                        "%s: shape %s has %lld elements, above the limit %lld (2^31 - 1)", what,
                        sf_shape_format(s, buf, sizeof buf), (long long)*n, (long long)SF_MAX_DIM);
    }
    return SF_OK;
}

bool deriv_shape_equal(const sf_shape *a, const sf_shape *b) {
    if (a->ndim != b->ndim) return false;
    for (int k = 0; k < a->ndim; k++)
        if (a->dim[k] != b->dim[k]) return false;
    return true;
}

sf_status deriv_select_new(sf_ctx *ctx, int64_t rows, int64_t cols, bool weighted,
                           sf_mat **out) {
    static const double no_weight = 0.0; /* with no pairs: only asks for a weight array */
    return sf_mat_selection(ctx, rows, cols, 0, NULL, NULL, weighted ? &no_weight : NULL, out);
}
