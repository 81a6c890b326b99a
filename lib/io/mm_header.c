/* Matrix Market header: the banner line and the size line.
 *
 *   %%MatrixMarket matrix <coordinate|array> <real|integer|pattern|complex>
 *                         <general|symmetric|skew-symmetric|hermitian>
 *   % comments...
 *   rows cols entries      (coordinate)   or   rows cols   (array)
 *
 * The keywords after %%MatrixMarket are case-insensitive, as the format's
 * definition allows; the banner token itself must be exact.  Blank lines and
 * comment lines may come anywhere after the banner. */
#include <string.h>
#include <strings.h>

#include "mm_internal.h"

static const char *const format_names[] = {"coordinate", "array"};
static const char *const field_names[] = {"real", "integer", "pattern", "complex"};
static const char *const symmetry_names[] = {"general", "symmetric", "skew-symmetric",
                                             "hermitian"};

const char *mm_symmetry_name(sf_mm_symmetry s) { return symmetry_names[s]; }

/* Index of the keyword t in names[0..n), or -1. */
static int keyword(mm_tok t, const char *const *names, int n) {
    for (int i = 0; i < n; i++)
        if (strlen(names[i]) == t.n && strncasecmp(t.s, names[i], t.n) == 0) return i;
    return -1;
}

/* Combinations the format's definition rules out, and complex. */
static sf_status check_combination(mm_parser *p) {
    const sf_mm_info *in = &p->info;
    if (in->field == SF_MM_COMPLEX)
        return mm_fail(p, SF_ERR_UNSUPPORTED, "complex matrices are not supported yet");
    if (in->field == SF_MM_PATTERN && in->format == SF_MM_ARRAY)
        return mm_fail(p, SF_ERR_FORMAT, "the pattern field cannot be used with the array format");
    if (in->symmetry == SF_MM_HERMITIAN)
        return mm_fail(p, SF_ERR_FORMAT, "hermitian symmetry needs the complex field");
    if (in->field == SF_MM_PATTERN && in->symmetry == SF_MM_SKEW_SYMMETRIC)
        return mm_fail(p, SF_ERR_FORMAT, "skew-symmetric symmetry cannot be used with the pattern field");
    return SF_OK;
}

static sf_status read_banner(mm_parser *p) {
    bool got;
    sf_status st = sf_lr_next(&p->lr, &got);
    if (st) return st;
    if (!got) return mm_fail_at(p, 1, SF_ERR_FORMAT, "empty file, expected a %%%%MatrixMarket banner");
    mm_tok t[6];
    char b[MM_SHOW_MAX];
    int k = mm_split(p->lr.line, p->lr.line_len, t, 6);
    if (k == 0 || t[0].n != 14 || memcmp(t[0].s, "%%MatrixMarket", 14) != 0)
        return mm_fail(p, SF_ERR_FORMAT, "missing %%%%MatrixMarket banner");
    if (k < 5)
        return mm_fail(p, SF_ERR_FORMAT, "incomplete banner: expected "
                       "'%%%%MatrixMarket matrix <format> <field> <symmetry>'");
    if (keyword(t[1], (const char *const[]){"matrix"}, 1) < 0)
        return mm_fail(p, SF_ERR_FORMAT, "unknown object '%s' (expected 'matrix')", mm_show(t[1], b));
    int format = keyword(t[2], format_names, 2);
    if (format < 0)
        return mm_fail(p, SF_ERR_FORMAT, "unknown format '%s' (expected coordinate or array)",
                       mm_show(t[2], b));
    int field = keyword(t[3], field_names, 4);
    if (field < 0)
        return mm_fail(p, SF_ERR_FORMAT,
                       "unknown field '%s' (expected real, integer, pattern or complex)",
                       mm_show(t[3], b));
    int sym = keyword(t[4], symmetry_names, 4);
    if (sym < 0)
        return mm_fail(p, SF_ERR_FORMAT,
                       "unknown symmetry '%s' (expected general, symmetric, skew-symmetric or "
                       "hermitian)", mm_show(t[4], b));
    if (k > 5) return mm_fail(p, SF_ERR_FORMAT, "unexpected '%s' after the banner", mm_show(t[5], b));
    p->info.format = (sf_mm_format)format;
    p->info.field = (sf_mm_field)field;
    p->info.symmetry = (sf_mm_symmetry)sym;
    return check_combination(p);
}

/* One size: a non-negative integer below 2^31. */
static sf_status size_field(mm_parser *p, mm_tok t, const char *what, int64_t *out) {
    char b[MM_SHOW_MAX];
    int64_t v;
    int rc = mm_parse_int(t, &v);
    if (rc == 1) return mm_fail(p, SF_ERR_FORMAT, "%s '%s' is not an integer", what, mm_show(t, b));
    if (rc == 2)
        return mm_fail(p, SF_ERR_TOO_LARGE, "%s %s does not fit in 64 bits", what, mm_show(t, b));
    if (v < 0) return mm_fail(p, SF_ERR_FORMAT, "%s %lld is negative", what, (long long)v);
    *out = v;
    return SF_OK;
}

/* Entries a matrix of this shape and symmetry can list at most: the whole
 * matrix, the lower triangle, or the strict lower triangle.  Dimensions are
 * below 2^31, so no product overflows. */
static int64_t max_entries(const sf_mm_info *in) {
    int64_t n = in->rows;
    switch (in->symmetry) {
    case SF_MM_SYMMETRIC: return n * (n + 1) / 2;
    case SF_MM_SKEW_SYMMETRIC: return n * (n - 1) / 2;
    default: return in->rows * in->cols;
    }
}

/* The size line's fields, validated; one field more is read to see extra text. */
static sf_status parse_size_line(mm_parser *p) {
    bool coord = p->info.format == SF_MM_COORDINATE;
    int want = coord ? 3 : 2;
    mm_tok t[4];
    char b[MM_SHOW_MAX];
    int k = mm_split(p->lr.line, p->lr.line_len, t, want + 1);
    if (k < want)
        return mm_fail(p, SF_ERR_FORMAT, "size line needs %s, found %d field%s",
                       coord ? "3 integers (rows cols entries)" : "2 integers (rows cols)", k,
                       k == 1 ? "" : "s");
    static const char *const what[] = {"row count", "column count", "entry count"};
    int64_t v[3] = {0, 0, 0};
    for (int i = 0; i < want; i++) {
        sf_status st = size_field(p, t[i], what[i], &v[i]);
        if (st) return st;
    }
    if (k > want) return mm_fail(p, SF_ERR_FORMAT, "unexpected '%s' after the size line", mm_show(t[want], b));
    for (int i = 0; i < 2; i++)
        if (v[i] > SF_MAX_DIM)
            return mm_fail(p, SF_ERR_TOO_LARGE, "%s %lld exceeds the limit %lld (2^31 - 1)", what[i],
                           (long long)v[i], (long long)SF_MAX_DIM);
    p->info.rows = v[0];
    p->info.cols = v[1];
    if (p->info.symmetry != SF_MM_GENERAL && v[0] != v[1])
        return mm_fail(p, SF_ERR_FORMAT, "a %s matrix must be square, not %lld x %lld",
                       mm_symmetry_name(p->info.symmetry), (long long)v[0], (long long)v[1]);
    /* More entries than positions is legal (duplicates are summed), and the
     * entry array grows with the input read, not with the announced count;
     * only a matrix without positions can hold no entry at all. */
    int64_t most = max_entries(&p->info);
    if (coord && most == 0 && v[2] > 0)
        return mm_fail(p, SF_ERR_FORMAT, "%lld entries announced but a %s %lld x %lld matrix holds at most %lld",
                       (long long)v[2], mm_symmetry_name(p->info.symmetry), (long long)v[0],
                       (long long)v[1], (long long)most);
    p->expected = coord ? v[2] : most;
    p->info.entries = p->expected;
    return SF_OK;
}

sf_status mm_read_header(mm_parser *p) {
    sf_status st = read_banner(p);
    if (st) return st;
    for (;;) {
        bool got;
        if ((st = sf_lr_next(&p->lr, &got))) return st;
        if (!got)
            return mm_fail_at(p, p->lr.lineno + 1, SF_ERR_FORMAT,
                              "unexpected end of file, expected the size line");
        if (!mm_skippable(p->lr.line, p->lr.line_len)) return parse_size_line(p);
    }
}
