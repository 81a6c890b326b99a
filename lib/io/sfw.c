/* .sfw files: interpolation weights kept on disk (docs/sfw-format.md).
 *
 * A 120-byte little-endian header (magic, version, endianness marker, data
 * shape, axis, method, policy, fill, target count, output count), the int32
 * sources and the float64 weights of every output, and an FNV-1a 64 checksum
 * of everything before it.  The loader checks the size against the header
 * before allocating, the checksum before trusting the arrays, and that every
 * source lies in its output's column before returning a handle. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "../mat/kind_interp.h"
#include "out_file.h"
#include "sparsefirst/interp.h"

#define SFW_MAGIC "SFWEIGHT"
#define SFW_VERSION 1u
#define SFW_ENDIAN 0x01020304u
#define SFW_HEADER 120

static const uint64_t FNV_OFFSET = 14695981039346656037ull, FNV_PRIME = 1099511628211ull;

static uint64_t fnv1a(uint64_t h, const void *data, size_t len) {
    const unsigned char *p = data;
    for (size_t i = 0; i < len; i++) h = (h ^ p[i]) * FNV_PRIME;
    return h;
}

/* The header's fields, in file order. */
typedef struct sfw_header {
    char magic[8];
    uint32_t version, endian, ndim;
    int32_t axis, method, extrapolate;
    double fill;
    int64_t dim[SF_MAX_NDIM];
    int64_t m, rows;
} sfw_header;

/* Copy one field into (write) or out of the header bytes. */
static void field(unsigned char *buf, size_t *at, void *v, size_t n, bool write) {
    if (write) memcpy(buf + *at, v, n);
    else memcpy(v, buf + *at, n);
    *at += n;
}

/* Serialize or parse the header with one field list. */
static void header_bytes(sfw_header *h, unsigned char *buf, bool write) {
    size_t at = 0;
    field(buf, &at, h->magic, 8, write);
    field(buf, &at, &h->version, 4, write);
    field(buf, &at, &h->endian, 4, write);
    field(buf, &at, &h->ndim, 4, write);
    field(buf, &at, &h->axis, 4, write);
    field(buf, &at, &h->method, 4, write);
    field(buf, &at, &h->extrapolate, 4, write);
    field(buf, &at, &h->fill, 8, write);
    field(buf, &at, h->dim, sizeof h->dim, write);
    field(buf, &at, &h->m, 8, write);
    field(buf, &at, &h->rows, 8, write);
}

static sf_status io_error(sf_ctx *ctx, const char *path, const char *what) {
    return sf_error(ctx, SF_ERR_IO, "%s: %s: %s", path, what, strerror(errno));
}

static bool write_all(FILE *f, const void *p, size_t n, uint64_t *h) {
    *h = fnv1a(*h, p, n);
    return fwrite(p, 1, n, f) == n;
}

sf_status sf_interp_save(sf_ctx *ctx, const sf_mat *W, const char *path) {
    if (!ctx) return SF_ERR_ARG;
    if (!W || W->kind != SF_INTERP || !path)
        return sf_error(ctx, SF_ERR_ARG, "sf_interp_save: W is not an interpolation handle");
    const sf_interp_w *p = &W->u.interp;
    sfw_header h = {SFW_MAGIC, SFW_VERSION, SFW_ENDIAN, (uint32_t)p->data_shape.ndim, p->axis,
                    p->method, p->extrapolate, p->fill, {0}, p->out_shape.dim[p->axis], W->rows};
    memcpy(h.dim, p->data_shape.dim, sizeof h.dim);
    for (int k = p->data_shape.ndim; k < SF_MAX_NDIM; k++) h.dim[k] = 0;
    unsigned char buf[SFW_HEADER];
    header_bytes(&h, buf, true);
    bool regular;
    FILE *f = sf_out_open(path, "wb", &regular);
    if (!f) return io_error(ctx, path, "cannot create");
    uint64_t sum = FNV_OFFSET;
    bool ok = write_all(f, buf, SFW_HEADER, &sum) &&
              write_all(f, p->src, (size_t)W->rows * sizeof *p->src, &sum) &&
              write_all(f, p->w, (size_t)W->rows * sizeof *p->w, &sum);
    ok = ok && fwrite(&sum, 1, 8, f) == 8;
    if (fclose(f) != 0) ok = false;
    if (!ok) {
        sf_out_discard(path, regular);
        return io_error(ctx, path, "write failed");
    }
    return SF_OK;
}

/* Everything the header alone can tell, before any allocation. */
static sf_status check_header(sf_ctx *ctx, const char *path, const sfw_header *h,
                              long long file_size) {
    if (memcmp(h->magic, SFW_MAGIC, 8))
        return sf_error(ctx, SF_ERR_FORMAT, "%s: not a .sfw file (bad magic)", path);
    if (h->endian != SFW_ENDIAN)
        return sf_error(ctx, SF_ERR_UNSUPPORTED, "%s: written with another byte order", path);
    if (h->version != SFW_VERSION)
        return sf_error(ctx, SF_ERR_UNSUPPORTED, "%s: version %u (this library reads %u)", path,
                        h->version, SFW_VERSION);
    if (h->ndim < 1 || h->ndim > SF_MAX_NDIM || h->axis < 0 || h->axis >= (int32_t)h->ndim ||
        h->method < 0 || h->method > SF_INTERP_LOG || h->extrapolate < 0 ||
        h->extrapolate > SF_EXTRAP_LINEAR || h->m < 1 || h->rows < 0)
        return sf_error(ctx, SF_ERR_FORMAT, "%s: header fields out of range", path);
    if (h->rows > SF_MAX_DIM)
        return sf_error(ctx, SF_ERR_FORMAT, "%s: header says %lld outputs (at most %lld)", path,
                        (long long)h->rows, (long long)SF_MAX_DIM);
    long long want = SFW_HEADER + 12LL * h->rows + 8;
    if (file_size != want)
        return sf_error(ctx, SF_ERR_FORMAT, "%s: file has %lld bytes, its header needs %lld%s",
                        path, file_size, want, file_size < want ? " (truncated)" : "");
    return SF_OK;
}

/* The output count the header's shapes imply must be the header's row
 * count (which the file size has confirmed) before anything is allocated:
 * a damaged extent must not make the loader ask for gigabytes. */
static sf_status check_shapes(sf_ctx *ctx, const char *path, const sfw_header *h,
                              sf_shape *data) {
    *data = (sf_shape){(int)h->ndim, {0}};
    for (int k = 0; k < data->ndim; k++) {
        if (h->dim[k] < 0)
            return sf_error(ctx, SF_ERR_FORMAT, "%s: negative extent in the data shape", path);
        data->dim[k] = h->dim[k];
    }
    if (data->dim[h->axis] == 0)
        return sf_error(ctx, SF_ERR_FORMAT, "%s: empty interpolation axis", path);
    sf_shape out = *data;
    out.dim[h->axis] = h->m;
    int64_t n_data, n_out;
    char b[160];
    if (sf_shape_size(NULL, data, &n_data) || sf_shape_size(NULL, &out, &n_out) ||
        n_out != h->rows)
        return sf_error(ctx, SF_ERR_FORMAT, "%s: header says %lld outputs but shape %s does not "
                        "have that many", path, (long long)h->rows,
                        sf_shape_format(&out, b, sizeof b));
    return SF_OK;
}

/* A handle of the header's (checked) shapes. */
static sf_status handle_for(sf_ctx *ctx, const char *path, const sfw_header *h, sf_mat **out) {
    sf_shape data;
    sf_status st = check_shapes(ctx, path, h, &data);
    if (st || !(st = sf_interp_alloc(ctx, &data, h->axis, h->m, out))) return st;
    sf_error_prefix(ctx, "%s", path); /* over a limit: name the file */
    return st;
}

static sf_status read_arrays(sf_ctx *ctx, const char *path, FILE *f, const unsigned char *head,
                             sf_mat *W) {
    sf_interp_w *p = &W->u.interp;
    size_t n = (size_t)W->rows;
    uint64_t stored, sum = fnv1a(FNV_OFFSET, head, SFW_HEADER);
    if (fread(p->src, sizeof *p->src, n, f) != n || fread(p->w, sizeof *p->w, n, f) != n ||
        fread(&stored, 1, 8, f) != 8)
        return sf_error(ctx, SF_ERR_FORMAT, "%s: truncated while reading the weights", path);
    sum = fnv1a(fnv1a(sum, p->src, n * sizeof *p->src), p->w, n * sizeof *p->w);
    if (sum != stored)
        return sf_error(ctx, SF_ERR_CORRUPT, "%s: checksum mismatch (stored %016llx, computed %016llx)",
                        path, (unsigned long long)stored, (unsigned long long)sum);
    return sf_interp_check_sources(ctx, W, path);
}

static sf_status load_file(sf_ctx *ctx, const char *path, FILE *f, sf_mat **out) {
    struct stat sb;
    unsigned char head[SFW_HEADER];
    if (fstat(fileno(f), &sb) != 0) return io_error(ctx, path, "cannot stat");
    if (sb.st_size < SFW_HEADER || fread(head, 1, SFW_HEADER, f) != SFW_HEADER)
        return sf_error(ctx, SF_ERR_FORMAT, "%s: file has %lld bytes, the header needs %d (truncated)",
                        path, (long long)sb.st_size, SFW_HEADER);
    sfw_header h;
    header_bytes(&h, head, false);
    sf_status st = check_header(ctx, path, &h, (long long)sb.st_size);
    sf_mat *W = NULL;
    if (st || (st = handle_for(ctx, path, &h, &W))) return st;
    if ((st = read_arrays(ctx, path, f, head, W))) {
        sf_mat_free(W);
        return st;
    }
    W->u.interp.method = h.method;
    W->u.interp.extrapolate = h.extrapolate;
    W->u.interp.fill = h.fill;
    sf_interp_count_nnz(W);
    *out = W;
    return SF_OK;
}

sf_status sf_interp_load(sf_ctx *ctx, const char *path, sf_mat **W) {
    if (!ctx) return SF_ERR_ARG;
    if (!path || !W) return sf_error(ctx, SF_ERR_ARG, "sf_interp_load: NULL argument");
    FILE *f = fopen(path, "rb");
    if (!f) return io_error(ctx, path, "cannot open");
    sf_status st = load_file(ctx, path, f, W);
    fclose(f);
    return st;
}
