/* Matrix Market reader: the entry lines, and the CSR build.
 *
 * One pass over the input.  Entries are kept as they are listed (16 bytes
 * each, one array sized from the announced count but never beyond what the
 * input's size can hold, so a lying header cannot make us allocate much);
 * then a counting sort by row builds the CSR arrays directly, mirroring the
 * symmetric and skew-symmetric entries on the way, and sf_csr_sort_sum sorts
 * the rows and sums duplicates. */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include "mm_internal.h"

/* ------------------------------------------------------------ entry lines */

static sf_status push(mm_parser *p, int32_t r, int32_t c, double v) {
    if (p->n == p->cap) {
        /* Every entry takes at least 4 bytes of input ("1 1\n") and every
         * array value 2 ("1\n"): with a known input size that bounds the
         * first allocation; otherwise start small and double. */
        int64_t bound = p->input_size < 0 ? 4096
                        : p->info.format == SF_MM_COORDINATE ? p->input_size / 4 + 1
                                                             : p->input_size / 2 + 1;
        int64_t cap = p->cap ? 2 * p->cap : bound;
        if (cap > p->expected) cap = p->expected;
        if (cap <= p->n) cap = p->n + 1;
        mm_entry *e = sf_realloc(p->ctx, p->e, (size_t)cap * sizeof *e, "Matrix Market entries");
        if (!e) {
            sf_error_prefix(p->ctx, "%s: line %lld", p->name, (long long)p->lr.lineno);
            return sf_last_alloc_status(p->ctx);
        }
        p->e = e;
        p->cap = cap;
    }
    p->e[p->n++] = (mm_entry){r, c, v};
    return SF_OK;
}

/* A 1-based index token, returned 0-based. */
static sf_status parse_index(mm_parser *p, mm_tok t, const char *what, int64_t max, int32_t *out) {
    char b[MM_SHOW_MAX];
    int64_t v;
    int rc = mm_parse_int(t, &v);
    if (rc == 1) return mm_fail(p, SF_ERR_FORMAT, "%s '%s' is not an integer", what, mm_show(t, b));
    if (rc == 2 || v < 1 || v > max)
        return mm_fail(p, SF_ERR_FORMAT, "%s %s is out of range [1, %lld]", what, mm_show(t, b),
                       (long long)max);
    *out = (int32_t)(v - 1);
    return SF_OK;
}

static sf_status parse_value(mm_parser *p, mm_tok t, double *out) {
    char b[MM_SHOW_MAX];
    if (p->info.field == SF_MM_INTEGER) {
        int64_t v;
        int rc = mm_parse_int(t, &v);
        if (rc == 1) return mm_fail(p, SF_ERR_FORMAT, "value '%s' is not an integer", mm_show(t, b));
        if (rc == 2) return mm_fail(p, SF_ERR_FORMAT, "value %s does not fit in 64 bits", mm_show(t, b));
        *out = (double)v;
        return SF_OK;
    }
    int rc = mm_parse_real(t, out);
    if (rc == 1) return mm_fail(p, SF_ERR_FORMAT, "value '%s' is not a number", mm_show(t, b));
    if (rc == 2) return mm_fail(p, SF_ERR_FORMAT, "value %s overflows a double", mm_show(t, b));
    return SF_OK;
}

/* "row col [value]"; symmetric kinds list the lower triangle only. */
static sf_status coordinate_line(mm_parser *p) {
    bool pattern = p->info.field == SF_MM_PATTERN;
    int want = pattern ? 2 : 3;
    mm_tok t[4];
    char b[MM_SHOW_MAX];
    int k = mm_split(p->lr.line, p->lr.line_len, t, want + 1);
    if (k < want)
        return mm_fail(p, SF_ERR_FORMAT, "expected %d fields (%s), found %d", want,
                       pattern ? "row col" : "row col value", k);
    int32_t r, c;
    double v = 1.0;
    sf_status st;
    if ((st = parse_index(p, t[0], "row index", p->info.rows, &r))) return st;
    if ((st = parse_index(p, t[1], "column index", p->info.cols, &c))) return st;
    if (!pattern && (st = parse_value(p, t[2], &v))) return st;
    if (k > want) return mm_fail(p, SF_ERR_FORMAT, "unexpected '%s' after the entry", mm_show(t[want], b));
    sf_mm_symmetry sym = p->info.symmetry;
    if (sym != SF_MM_GENERAL && r < c)
        return mm_fail(p, SF_ERR_FORMAT, "entry (%d, %d) is above the diagonal in a %s file",
                       (int)r + 1, (int)c + 1, mm_symmetry_name(sym));
    if (sym == SF_MM_SKEW_SYMMETRIC && r == c)
        return mm_fail(p, SF_ERR_FORMAT, "diagonal entry (%d, %d) in a skew-symmetric file",
                       (int)r + 1, (int)c + 1);
    return push(p, r, c, v);
}

/* One value per line, column by column; symmetric kinds list the lower
 * triangle (skew: strictly lower).  Exact zeros are not kept, unless the
 * file is read as an array. */
static sf_status array_line(mm_parser *p) {
    mm_tok t[2];
    char b[MM_SHOW_MAX];
    int k = mm_split(p->lr.line, p->lr.line_len, t, 2);
    double v;
    sf_status st = parse_value(p, t[0], &v);
    if (st) return st;
    if (k > 1) return mm_fail(p, SF_ERR_FORMAT, "unexpected '%s' after the value", mm_show(t[1], b));
    if ((v != 0.0 || p->keep_zeros) && (st = push(p, (int32_t)p->ai, (int32_t)p->aj, v))) return st;
    if (++p->ai == p->info.rows) {
        p->aj++;
        p->ai = p->info.symmetry == SF_MM_GENERAL ? 0
                : p->info.symmetry == SF_MM_SYMMETRIC ? p->aj
                                                      : p->aj + 1;
    }
    return SF_OK;
}

static sf_status read_entries(mm_parser *p) {
    bool coord = p->info.format == SF_MM_COORDINATE;
    const char *what = coord ? "entries" : "values";
    p->ai = p->info.symmetry == SF_MM_SKEW_SYMMETRIC ? 1 : 0;
    for (;;) {
        bool got;
        sf_status st = sf_lr_next(&p->lr, &got);
        if (st) return st;
        if (!got) break;
        /* Entry lines start with a digit: test that before the general check. */
        char c0 = p->lr.line[0];
        if (!(c0 >= '0' && c0 <= '9') && mm_skippable(p->lr.line, p->lr.line_len)) continue;
        if (p->read == p->expected)
            return mm_fail(p, SF_ERR_FORMAT, "more %s than the %lld %s", what,
                           (long long)p->expected, coord ? "announced" : "expected");
        if ((st = coord ? coordinate_line(p) : array_line(p))) return st;
        p->read++;
    }
    if (p->read < p->expected)
        return mm_fail_at(p, p->lr.lineno + 1, SF_ERR_FORMAT,
                          "unexpected end of file after %lld of %lld %s", (long long)p->read,
                          (long long)p->expected, what);
    return SF_OK;
}

/* -------------------------------------------------------------- CSR build */

static sf_status build(mm_parser *p, sf_mat **out) {
    bool mirror = p->info.symmetry != SF_MM_GENERAL;
    double sign = p->info.symmetry == SF_MM_SKEW_SYMMETRIC ? -1.0 : 1.0;
    int64_t nnz = p->n;
    if (mirror)
        for (int64_t k = 0; k < p->n; k++) nnz += p->e[k].r != p->e[k].c;
    sf_mat *m = NULL;
    sf_status st = sf_csr_new(p->ctx, p->info.rows, p->info.cols, nnz, &m);
    if (st) {
        sf_error_prefix(p->ctx, "%s", p->name);
        return st;
    }
    int64_t *rp = m->u.csr.rowptr;
    int32_t *ci = m->u.csr.colind;
    double *val = m->u.csr.val;
    memset(rp, 0, ((size_t)p->info.rows + 1) * sizeof *rp);
    for (int64_t k = 0; k < p->n; k++) {
        rp[p->e[k].r + 1]++;
        if (mirror && p->e[k].r != p->e[k].c) rp[p->e[k].c + 1]++;
    }
    for (int64_t i = 0; i < p->info.rows; i++) rp[i + 1] += rp[i];
    for (int64_t k = 0; k < p->n; k++) { /* rp[i] walks through row i's slots */
        mm_entry e = p->e[k];
        int64_t q = rp[e.r]++;
        ci[q] = e.c;
        val[q] = e.v;
        if (mirror && e.r != e.c) {
            q = rp[e.c]++;
            ci[q] = e.r;
            val[q] = sign * e.v;
        }
    }
    for (int64_t i = p->info.rows; i > 0; i--) rp[i] = rp[i - 1];
    rp[0] = 0;
    sf_csr_sort_sum(m);
    *out = m;
    return SF_OK;
}

/* ------------------------------------------------------------ array build */

/* The dense (rows, cols) array: an array file's values stored as they are
 * (so -0.0 stays), a coordinate file's entries summed into zeros; symmetric
 * kinds mirrored (skew: negated). */
static sf_status build_array(mm_parser *p, sf_array **out) {
    int64_t cols = p->info.cols;
    sf_shape shape = {2, {p->info.rows, cols}};
    sf_array *a = NULL;
    sf_status st = sf_array_create(p->ctx, SF_NPY_F8, &shape, &a);
    if (st) {
        sf_error_prefix(p->ctx, "%s", p->name);
        return st;
    }
    bool coord = p->info.format == SF_MM_COORDINATE, mirror = p->info.symmetry != SF_MM_GENERAL;
    double sign = p->info.symmetry == SF_MM_SKEW_SYMMETRIC ? -1.0 : 1.0, *d = a->data;
    for (int64_t k = 0; k < p->n; k++) {
        mm_entry e = p->e[k];
        double *at = d + (int64_t)e.r * cols + e.c;
        *at = coord ? *at + e.v : e.v;
        if (mirror && e.r != e.c) { /* square: the mirror is inside too */
            double *mirrored = d + (int64_t)e.c * cols + e.r;
            *mirrored = coord ? *mirrored + sign * e.v : sign * e.v;
        }
    }
    *out = a;
    return SF_OK;
}

/* ------------------------------------------------------------ entry points */

/* Header and entries, then a CSR handle (*m) or a dense array (*a): the
 * one of the two that is not NULL. */
static sf_status parse(mm_parser *p, sf_mat **m, sf_array **a, sf_mm_info *info) {
    sf_status st = mm_read_header(p);
    if (!st) st = read_entries(p);
    sf_mat *mat = NULL;
    sf_array *arr = NULL;
    if (!st) st = m ? build(p, &mat) : build_array(p, &arr);
    sf_lr_close(&p->lr);
    sf_free(p->ctx, p->e);
    if (st) return st;
    if (m) *m = mat;
    else *a = arr;
    if (info) *info = p->info;
    return SF_OK;
}

sf_status sf_mm_read_buffer(sf_ctx *ctx, const char *data, size_t len, const char *name,
                            sf_mat **out, sf_mm_info *info) {
    if (!ctx) return SF_ERR_ARG;
    if (!out || (!data && len > 0))
        return sf_error(ctx, SF_ERR_ARG, "sf_mm_read_buffer: NULL argument");
    mm_parser p = {.ctx = ctx, .name = name ? name : "<buffer>",
                   .input_size = len > INT64_MAX ? INT64_MAX : (int64_t)len};
    sf_status st = sf_lr_open_buffer(&p.lr, ctx, data, len, p.name);
    if (st) return st;
    return parse(&p, out, NULL, info);
}

static sf_status read_file(sf_ctx *ctx, const char *path, sf_mat **m, sf_array **a,
                           sf_mm_info *info) {
    FILE *fp = fopen(path, "rb");
    if (!fp) return sf_error(ctx, SF_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
    struct stat sb;
    mm_parser p = {.ctx = ctx, .name = path, .input_size = -1, .keep_zeros = a != NULL};
    if (fstat(fileno(fp), &sb) == 0 && S_ISREG(sb.st_mode)) p.input_size = (int64_t)sb.st_size;
    sf_status st = sf_lr_open_file(&p.lr, ctx, fp, path);
    if (!st) st = parse(&p, m, a, info);
    fclose(fp);
    return st;
}

sf_status sf_mm_read(sf_ctx *ctx, const char *path, sf_mat **out, sf_mm_info *info) {
    if (!ctx) return SF_ERR_ARG;
    if (!path || !out) return sf_error(ctx, SF_ERR_ARG, "sf_mm_read: NULL argument");
    return read_file(ctx, path, out, NULL, info);
}

sf_status sf_mm_read_array(sf_ctx *ctx, const char *path, sf_array **out, sf_mm_info *info) {
    if (!ctx) return SF_ERR_ARG;
    if (!path || !out) return sf_error(ctx, SF_ERR_ARG, "sf_mm_read_array: NULL argument");
    return read_file(ctx, path, NULL, out, info);
}
