/* Parsing the .npy header: the binary prelude and the dict literal.
 *
 * The dict is a Python literal, so we accept what Python would read for the
 * three keys NumPy defines (any order, any whitespace, a trailing comma, either
 * quote) and reject the rest with the byte offset of the problem: a reader
 * that guesses would turn a damaged file into silently wrong numbers. */
#include <stdio.h>
#include <string.h>

#include "npy_internal.h"

sf_status sf_npy_parse_magic(sf_ctx *ctx, const unsigned char *p, size_t avail, const char *name,
                             sf_npy_header *h) {
    size_t cmp = avail < SF_NPY_MAGIC_LEN ? avail : SF_NPY_MAGIC_LEN;
    if (memcmp(p, SF_NPY_MAGIC, cmp) != 0)
        return sf_error(ctx, SF_ERR_FORMAT, "%s: not a .npy file: bad magic string at byte 0", name);
    if (avail < 8)
        return sf_error(ctx, SF_ERR_FORMAT,
                        "%s: header is truncated: expected 8 bytes of magic and version at byte 0, "
                        "found %zu", name, avail);
    h->major = p[6];
    h->minor = p[7];
    if (h->major < 1 || h->major > 3 || h->minor != 0)
        return sf_error(ctx, SF_ERR_UNSUPPORTED,
                        "%s: unsupported format version %u.%u at byte 6 (supported: 1.0, 2.0, 3.0)",
                        name, h->major, h->minor);
    h->prelude = h->major == 1 ? 10 : 12;
    return SF_OK;
}

sf_status sf_npy_parse_length(sf_ctx *ctx, const unsigned char *p, size_t avail,
                              const char *name, sf_npy_header *h) {
    if (avail < h->prelude)
        return sf_error(ctx, SF_ERR_FORMAT,
                        "%s: header is truncated: expected a %zu-byte header length at byte 8, "
                        "found %zu", name, h->prelude - 8, avail - 8);
    size_t len = (size_t)p[8] | (size_t)p[9] << 8;
    if (h->prelude == 12) len |= (size_t)p[10] << 16 | (size_t)p[11] << 24;
    if (len > SF_NPY_HEADER_MAX)
        return sf_error(ctx, SF_ERR_UNSUPPORTED,
                        "%s: header length %zu at byte 8 is larger than the %zu bytes this reader "
                        "accepts", name, len, SF_NPY_HEADER_MAX);
    h->header_len = len;
    h->data_offset = h->prelude + len;
    return SF_OK;
}

sf_status sf_npy_data_size_error(sf_ctx *ctx, const char *name, const sf_npy_header *h,
                                 size_t found) {
    if (found < h->data_bytes)
        return sf_error(ctx, SF_ERR_FORMAT, "%s: data is truncated: expected %zu bytes, found %zu",
                        name, h->data_bytes, found);
    return sf_error(ctx, SF_ERR_FORMAT,
                    "%s: extra data after the array: expected %zu bytes, found %zu", name,
                    h->data_bytes, found);
}

/* ------------------------------------------------------------- dict text */

/* A cursor over the dict text; `base` turns positions into file offsets. */
typedef struct cursor {
    sf_ctx *ctx;
    const char *name;
    const char *s;
    size_t n, i, base;
} cursor;

#define STR_MAX 64 /* longest key or descr we keep; longer ones are unknown anyway */

static sf_status malformed(cursor *c, const char *what) {
    return sf_error(c->ctx, SF_ERR_FORMAT, "%s: malformed header at byte %zu: %s", c->name,
                    c->base + c->i, what);
}

static bool is_space(char ch) { return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n'; }

static bool is_ident(char ch) {
    return ch == '_' || (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
           (ch >= '0' && ch <= '9');
}

static void skip_ws(cursor *c) {
    while (c->i < c->n && is_space(c->s[c->i])) c->i++;
}

static int peek(const cursor *c) { return c->i < c->n ? (unsigned char)c->s[c->i] : -1; }

/* Copy a printable form of s (non-printable bytes as \xNN) for messages. */
static const char *printable(const char *s, char *buf, size_t len) {
    size_t o = 0;
    for (; *s && o + 5 < len; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch >= 0x20 && ch < 0x7f) buf[o++] = (char)ch;
        else o += (size_t)snprintf(buf + o, len - o, "\\x%02x", ch);
    }
    buf[o] = '\0';
    return buf;
}

/* A quoted string ('...' or "..."); a backslash takes the next byte as is. */
static sf_status parse_string(cursor *c, char out[STR_MAX]) {
    int q = peek(c);
    if (q != '\'' && q != '"') return malformed(c, "expected a quoted string");
    c->i++;
    size_t o = 0;
    while (c->i < c->n && c->s[c->i] != q) {
        if (c->s[c->i] == '\\' && c->i + 1 < c->n) c->i++;
        if (c->s[c->i] == '\n') return malformed(c, "newline inside a string");
        if (c->s[c->i] == '\0') return malformed(c, "NUL byte inside a string");
        if (o + 1 < STR_MAX) out[o++] = c->s[c->i];
        c->i++;
    }
    if (c->i >= c->n) return malformed(c, "unterminated string");
    c->i++;
    out[o] = '\0';
    return SF_OK;
}

static bool take_word(cursor *c, const char *w) {
    size_t len = strlen(w);
    if (c->n - c->i < len || memcmp(c->s + c->i, w, len) != 0) return false;
    size_t after = c->i + len;
    if (after < c->n && is_ident(c->s[after])) return false; /* "Trueish" is not True */
    c->i = after;
    return true;
}

/* The descr: a byte order mark and one of our four type codes. */
static sf_status parse_descr(cursor *c, sf_npy_header *h) {
    if (peek(c) == '[')
        return sf_error(c->ctx, SF_ERR_UNSUPPORTED,
                        "%s: structured dtypes (a list 'descr' at byte %zu) are not supported",
                        c->name, c->base + c->i);
    char d[STR_MAX], shown[4 * STR_MAX + 8];
    sf_status st = parse_string(c, d);
    if (st) return st;
    /* '<' little-endian; '=' native and '|' "not applicable", both little
     * here; no mark at all is native too. */
    char order = d[0] == '<' || d[0] == '>' || d[0] == '=' || d[0] == '|' ? d[0] : '=';
    const char *code = d[0] == order ? d + 1 : d;
    printable(d, shown, sizeof shown);
    if (order == '>')
        return sf_error(c->ctx, SF_ERR_UNSUPPORTED,
                        "%s: unsupported dtype '%s': big-endian data is not supported", c->name,
                        shown);
    static const char *const codes[] = {"f8", "c16", "i4", "i8"};
    for (int k = 0; k < 4; k++)
        if (strcmp(code, codes[k]) == 0) {
            h->dtype = (sf_npy_dtype)k;
            return SF_OK;
        }
    if (code[0] == 'O')
        return sf_error(c->ctx, SF_ERR_UNSUPPORTED,
                        "%s: unsupported dtype '%s': object arrays cannot be read", c->name, shown);
    return sf_error(c->ctx, SF_ERR_UNSUPPORTED,
                    "%s: unsupported dtype '%s' (supported: <f8, <c16, <i4, <i8)", c->name, shown);
}

static sf_status parse_bool(cursor *c, bool *out) {
    if (take_word(c, "True")) *out = true;
    else if (take_word(c, "False")) *out = false;
    else return malformed(c, "'fortran_order' must be True or False");
    return SF_OK;
}

/* A non-negative Python integer (an 'L' suffix from Python 2 writers is fine). */
static sf_status parse_extent(cursor *c, int64_t *out) {
    size_t at = c->i;
    if (peek(c) == '-') {
        size_t j = c->i + 1;
        while (j < c->n && c->s[j] >= '0' && c->s[j] <= '9') j++;
        return sf_error(c->ctx, SF_ERR_FORMAT, "%s: malformed header at byte %zu: negative extent "
                        "%.*s in 'shape'", c->name, c->base + at, (int)(j - at), c->s + at);
    }
    if (peek(c) < '0' || peek(c) > '9') return malformed(c, "expected an integer in 'shape'");
    int64_t v = 0;
    while (peek(c) >= '0' && peek(c) <= '9') {
        if (!sf_mul_i64(v, 10, &v) || !sf_add_i64(v, c->s[c->i] - '0', &v))
            return sf_error(c->ctx, SF_ERR_TOO_LARGE,
                            "%s: extent at byte %zu of 'shape' does not fit in 64 bits", c->name,
                            c->base + at);
        c->i++;
    }
    if (peek(c) == 'L' || peek(c) == 'l') c->i++;
    *out = v;
    return SF_OK;
}

/* A tuple of extents: (), (3,), (3, 4), (3, 4,). */
static sf_status parse_shape(cursor *c, sf_npy_header *h) {
    if (peek(c) != '(') return malformed(c, "'shape' must be a tuple such as (3, 4)");
    c->i++;
    sf_shape s = {0, {0}};
    bool comma = false; /* (3) is the integer 3 in Python, not a tuple */
    for (skip_ws(c); peek(c) != ')'; skip_ws(c)) {
        if (s.ndim == SF_MAX_NDIM)
            return sf_error(c->ctx, SF_ERR_UNSUPPORTED,
                            "%s: 'shape' at byte %zu has more than %d axes", c->name,
                            c->base + c->i, SF_MAX_NDIM);
        sf_status st = parse_extent(c, &s.dim[s.ndim++]);
        if (st) return st;
        skip_ws(c);
        comma = peek(c) == ',';
        if (comma) c->i++;
        else if (peek(c) != ')') return malformed(c, "expected ',' or ')' in 'shape'");
    }
    if (s.ndim == 1 && !comma) return malformed(c, "'shape' of one axis needs a comma: (n,)");
    c->i++;
    h->shape = s;
    return SF_OK;
}

enum { KEY_DESCR = 1, KEY_FORTRAN = 2, KEY_SHAPE = 4 };

static sf_status parse_item(cursor *c, sf_npy_header *h, unsigned *seen) {
    size_t at = c->i;
    char key[STR_MAX], shown[4 * STR_MAX + 8];
    sf_status st = parse_string(c, key);
    if (st) return st;
    unsigned k = !strcmp(key, "descr") ? KEY_DESCR
                 : !strcmp(key, "fortran_order") ? KEY_FORTRAN
                 : !strcmp(key, "shape") ? KEY_SHAPE : 0;
    if (!k || (*seen & k)) {
        c->i = at;
        return sf_error(c->ctx, SF_ERR_FORMAT, "%s: malformed header at byte %zu: %s key '%s'",
                        c->name, c->base + at, k ? "duplicate" : "unknown",
                        printable(key, shown, sizeof shown));
    }
    *seen |= k;
    skip_ws(c);
    if (peek(c) != ':') return malformed(c, "expected ':' after a key");
    c->i++;
    skip_ws(c);
    if (k == KEY_DESCR) return parse_descr(c, h);
    if (k == KEY_FORTRAN) return parse_bool(c, &h->fortran);
    return parse_shape(c, h);
}

static sf_status parse_items(cursor *c, sf_npy_header *h) {
    skip_ws(c);
    if (peek(c) != '{') return malformed(c, "expected '{'");
    c->i++;
    unsigned seen = 0;
    for (skip_ws(c); peek(c) != '}'; skip_ws(c)) {
        sf_status st = parse_item(c, h, &seen);
        if (st) return st;
        skip_ws(c);
        if (peek(c) == ',') c->i++;
        else if (peek(c) != '}') return malformed(c, "expected ',' or '}'");
    }
    c->i++;
    skip_ws(c);
    if (c->i < c->n) return malformed(c, "unexpected text after the dictionary");
    static const char *const names[] = {"descr", "fortran_order", "shape"};
    for (int k = 0; k < 3; k++)
        if (!(seen & (1u << k)))
            return sf_error(c->ctx, SF_ERR_FORMAT, "%s: malformed header: no '%s' key", c->name,
                            names[k]);
    return SF_OK;
}

sf_status sf_npy_parse_dict(sf_ctx *ctx, const char *text, const char *name, sf_npy_header *h) {
    cursor c = {ctx, name, text, h->header_len, 0, h->prelude};
    sf_status st = parse_items(&c, h);
    if (st) return st;
    if ((st = sf_shape_size(ctx, &h->shape, &h->size))) {
        sf_error_prefix(ctx, "%s", name);
        return st;
    }
    int64_t bytes;
    if (!sf_mul_i64(h->size, (int64_t)sf_npy_dtype_size(h->dtype), &bytes) ||
        (uint64_t)bytes > SIZE_MAX) {
        char buf[256];
        return sf_error(ctx, SF_ERR_TOO_LARGE, "%s: shape %s of '%s' overflows the address space",
                        name, sf_shape_format(&h->shape, buf, sizeof buf),
                        sf_npy_dtype_descr(h->dtype));
    }
    h->data_bytes = (size_t)bytes;
    return SF_OK;
}
