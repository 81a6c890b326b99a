/* Matrix Market writers: any handle as "coordinate real general", a dense
 * view as "array real general".  Values go out in %.17g, which reads back to
 * the same double (-0.0, denormals, inf and nan included).
 *
 * The stream's buffer is allocated through the context, so writing charges
 * the context like everything else.  A failed write removes the partial
 * file when the path is a regular file (never a device or a pipe). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "../mat/mat_internal.h"
#include "out_file.h"
#include "sparsefirst/io.h"

#define WRITE_BUFFER ((size_t)1 << 16)

typedef struct mm_out {
    sf_ctx *ctx;
    const char *path;
    FILE *fp;
    char *buf;
    bool regular; /* a regular file: removed again if the write fails */
} mm_out;

static sf_status out_open(mm_out *o, sf_ctx *ctx, const char *path) {
    *o = (mm_out){.ctx = ctx, .path = path};
    o->buf = sf_alloc(ctx, WRITE_BUFFER, "write buffer");
    if (!o->buf) {
        sf_error_prefix(ctx, "%s", path); /* a memory limit: name the file */
        return sf_last_alloc_status(ctx);
    }
    o->fp = sf_out_open(path, "w", &o->regular);
    if (!o->fp) {
        int err = errno;
        sf_free(ctx, o->buf);
        return sf_error(ctx, SF_ERR_IO, "%s: cannot open for writing: %s", path, strerror(err));
    }
    setvbuf(o->fp, o->buf, _IOFBF, WRITE_BUFFER);
    return SF_OK;
}

/* Close, and turn any write error seen on the way into SF_ERR_IO. */
static sf_status out_close(mm_out *o, sf_status st) {
    bool failed = ferror(o->fp) != 0;
    int err = errno;
    if (fclose(o->fp) != 0 && !failed) {
        failed = true;
        err = errno;
    }
    sf_free(o->ctx, o->buf);
    if (st || failed) sf_out_discard(o->path, o->regular); /* no half-written matrix */
    if (st) return st;
    if (failed) return sf_error(o->ctx, SF_ERR_IO, "%s: write failed: %s", o->path, strerror(err));
    return SF_OK;
}

static void header(FILE *fp, const char *kind, int64_t rows, int64_t cols) {
    fprintf(fp, "%%%%MatrixMarket matrix %s real general\n%% written by sparsefirst\n", kind);
    fprintf(fp, "%lld %lld", (long long)rows, (long long)cols);
}

sf_status sf_mm_write(sf_ctx *ctx, const char *path, const sf_mat *m) {
    if (!ctx) return SF_ERR_ARG;
    if (!path || !m) return sf_error(ctx, SF_ERR_ARG, "sf_mm_write: NULL argument");
    /* CSR is written from its own arrays; other kinds go through a CSR copy. */
    sf_mat *tmp = NULL;
    sf_status st = SF_OK;
    if (m->kind != SF_CSR && (st = sf_mat_to_csr(ctx, m, &tmp))) return st;
    const sf_mat *c = tmp ? tmp : m;
    mm_out o;
    if ((st = out_open(&o, ctx, path))) {
        sf_mat_free(tmp);
        return st;
    }
    header(o.fp, "coordinate", c->rows, c->cols);
    fprintf(o.fp, " %lld\n", (long long)c->nnz);
    const int64_t *rp = c->u.csr.rowptr;
    for (int64_t i = 0; i < c->rows && !ferror(o.fp); i++)
        for (int64_t p = rp[i]; p < rp[i + 1]; p++)
            fprintf(o.fp, "%lld %d %.17g\n", (long long)i + 1, (int)c->u.csr.colind[p] + 1,
                    c->u.csr.val[p]);
    sf_mat_free(tmp);
    return out_close(&o, st);
}

sf_status sf_mm_write_dense(sf_ctx *ctx, const char *path, const sf_dense *d) {
    if (!ctx) return SF_ERR_ARG;
    if (!path || !d) return sf_error(ctx, SF_ERR_ARG, "sf_mm_write_dense: NULL argument");
    sf_status st = sf_dense_check(ctx, d, "sf_mm_write_dense");
    if (st) return st;
    if (d->dtype != SF_REAL)
        return sf_error(ctx, SF_ERR_UNSUPPORTED, "sf_mm_write_dense: complex views are not supported yet");
    mm_out o;
    if ((st = out_open(&o, ctx, path))) return st;
    const double *x = d->data;
    int64_t rs = d->layout == SF_ROW_MAJOR ? d->ld : 1;
    int64_t cs = d->layout == SF_ROW_MAJOR ? 1 : d->ld;
    header(o.fp, "array", d->rows, d->cols);
    fputc('\n', o.fp);
    for (int64_t j = 0; j < d->cols && !ferror(o.fp); j++) /* column-major, as the format says */
        for (int64_t i = 0; i < d->rows; i++) fprintf(o.fp, "%.17g\n", x[i * rs + j * cs]);
    return out_close(&o, st);
}
