/* Reading .npy files and buffers in one pass.
 *
 * A file is read as prelude, header, then the data straight into the array
 * that is returned; the data section's size is checked against the header
 * (through fstat) before anything large is allocated, so a header that
 * announces gigabytes over a file of a few bytes costs nothing.  Fortran-order
 * data with more than one long axis needs a scratch copy to transpose from. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "npy_internal.h"

/* Where the data comes from: the caller's buffer or an open file. */
typedef struct source {
    const unsigned char *buf; /* buffer mode */
    size_t len, pos;
    FILE *fp;                 /* file mode */
} source;

/* Read up to n bytes at the current position into dst; returns the count. */
static size_t src_read(source *s, void *dst, size_t n) {
    if (s->fp) return fread(dst, 1, n, s->fp);
    size_t left = s->len - s->pos, k = n < left ? n : left;
    if (k) memcpy(dst, s->buf + s->pos, k);
    s->pos += k;
    return k;
}

/* Bytes left after the current position, or SIZE_MAX if unknown (a pipe). */
static size_t src_remaining(source *s) {
    if (!s->fp) return s->len - s->pos;
    struct stat sb;
    long here = ftell(s->fp);
    if (fstat(fileno(s->fp), &sb) != 0 || !S_ISREG(sb.st_mode) || here < 0 ||
        sb.st_size < here)
        return SIZE_MAX;
    return (size_t)(sb.st_size - here);
}

/* After the data: count whatever follows (zero for a well-formed file). */
static size_t src_drain(source *s) {
    if (!s->fp) return s->len - s->pos;
    unsigned char junk[4096];
    size_t extra = 0, k;
    while ((k = fread(junk, 1, sizeof junk, s->fp)) > 0) extra += k;
    return extra;
}

static sf_status io_error(sf_ctx *ctx, const char *name) {
    return sf_error(ctx, SF_ERR_IO, "%s: read error: %s", name, strerror(errno));
}

/* Prelude and dict.  In buffer mode the dict is parsed in place. */
static sf_status read_header(sf_ctx *ctx, source *s, const char *name, sf_npy_header *h) {
    unsigned char pre[12];
    size_t got = src_read(s, pre, 8);
    sf_status st = sf_npy_parse_magic(ctx, pre, got, name, h);
    if (st) return s->fp && ferror(s->fp) ? io_error(ctx, name) : st;
    got += src_read(s, pre + 8, h->prelude - 8);
    if ((st = sf_npy_parse_length(ctx, pre, got, name, h))) return st;
    if (!s->fp) {
        if (s->len - s->pos < h->header_len)
            return sf_error(ctx, SF_ERR_FORMAT,
                            "%s: header is truncated: expected %zu bytes at byte %zu, found %zu",
                            name, h->header_len, h->prelude, s->len - s->pos);
        st = sf_npy_parse_dict(ctx, (const char *)s->buf + s->pos, name, h);
        s->pos += h->header_len;
        return st;
    }
    char *text = sf_alloc(ctx, h->header_len, "the .npy header");
    if (!text) {
        sf_error_prefix(ctx, "%s", name);
        return sf_last_alloc_status(ctx);
    }
    got = src_read(s, text, h->header_len);
    if (got < h->header_len)
        st = ferror(s->fp) ? io_error(ctx, name)
                           : sf_error(ctx, SF_ERR_FORMAT,
                                      "%s: header is truncated: expected %zu bytes at byte %zu, "
                                      "found %zu", name, h->header_len, h->prelude, got);
    else st = sf_npy_parse_dict(ctx, text, name, h);
    sf_free(ctx, text);
    return st;
}

/* The data section into a->data, transposing Fortran order. */
static sf_status read_data(sf_ctx *ctx, source *s, const char *name, const sf_npy_header *h,
                           sf_array *a) {
    bool transpose = h->fortran && !sf_npy_order_irrelevant(&h->shape);
    void *dst = a->data;
    if (transpose && s->fp) {
        dst = sf_alloc(ctx, h->data_bytes, "Fortran-order data to transpose");
        if (!dst) {
            sf_error_prefix(ctx, "%s", name);
            return sf_last_alloc_status(ctx);
        }
    }
    sf_status st = SF_OK;
    if (transpose && !s->fp) {
        sf_npy_fortran_to_c(&h->shape, sf_npy_dtype_size(h->dtype), s->buf + s->pos, a->data);
        s->pos += h->data_bytes;
    } else {
        size_t got = src_read(s, dst, h->data_bytes);
        if (got < h->data_bytes)
            st = s->fp && ferror(s->fp) ? io_error(ctx, name) : sf_npy_data_size_error(ctx, name, h, got);
        else if (transpose)
            sf_npy_fortran_to_c(&h->shape, sf_npy_dtype_size(h->dtype), dst, a->data);
    }
    if (dst != a->data) sf_free(ctx, dst);
    if (st) return st;
    size_t extra = src_drain(s);
    return extra ? sf_npy_data_size_error(ctx, name, h, h->data_bytes + extra) : SF_OK;
}

static sf_status read_npy(sf_ctx *ctx, source *s, const char *name, sf_array **out) {
    sf_npy_header h;
    memset(&h, 0, sizeof h);
    sf_status st = read_header(ctx, s, name, &h);
    if (st) return st;
    size_t left = src_remaining(s);
    if (left != SIZE_MAX && left != h.data_bytes) return sf_npy_data_size_error(ctx, name, &h, left);
    sf_array *a = NULL;
    if ((st = sf_array_alloc(ctx, h.dtype, &h.shape, &a))) {
        sf_error_prefix(ctx, "%s", name);
        return st;
    }
    if ((st = read_data(ctx, s, name, &h, a))) {
        sf_array_free(a);
        return st;
    }
    *out = a;
    return SF_OK;
}

sf_status sf_npy_read(sf_ctx *ctx, const char *path, sf_array **out) {
    if (!ctx) return SF_ERR_ARG;
    if (!path || !out) return sf_error(ctx, SF_ERR_ARG, "sf_npy_read: NULL argument");
    FILE *fp = fopen(path, "rb");
    if (!fp) return sf_error(ctx, SF_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
    source s = {NULL, 0, 0, fp};
    sf_status st = read_npy(ctx, &s, path, out);
    fclose(fp);
    return st;
}

sf_status sf_npy_read_buffer(sf_ctx *ctx, const void *data, size_t len, const char *name,
                             sf_array **out) {
    if (!ctx) return SF_ERR_ARG;
    if (!out || (!data && len > 0))
        return sf_error(ctx, SF_ERR_ARG, "sf_npy_read_buffer: NULL argument");
    source s = {data, len, 0, NULL};
    return read_npy(ctx, &s, name ? name : "buffer", out);
}
