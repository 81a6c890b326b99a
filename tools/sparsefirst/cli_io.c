/* Files for the subcommands: the format by extension, whole files in memory
 * for timed parsing, and reads and writes of matrices and arrays in either
 * format, with the conversions between the two. */
#include "cli.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/* ------------------------------------------------------------ formats */

cli_format cli_format_of(const char *path) {
    size_t n = strlen(path);
    if (n > 4 && strcasecmp(path + n - 4, ".mtx") == 0) return CLI_FORMAT_MTX;
    if (n > 4 && strcasecmp(path + n - 4, ".npy") == 0) return CLI_FORMAT_NPY;
    return CLI_FORMAT_UNKNOWN;
}

int cli_check_format(const char *path) {
    if (cli_format_of(path) != CLI_FORMAT_UNKNOWN) return CLI_OK;
    return cli_usage_error("cannot tell the format of '%s' (expected .mtx or .npy)", path);
}

/* ------------------------------------------------------------ whole files */

/* Pipes and other streams: read to the end into a growing heap buffer. */
static int load_stream(int fd, cli_file *f) {
    size_t cap = 1 << 16, len = 0;
    char *buf = malloc(cap);
    for (;;) {
        if (!buf) return cli_error("%s: out of memory reading the file", f->path);
        ssize_t k = read(fd, buf + len, cap - len);
        if (k < 0 && errno == EINTR) continue;
        if (k < 0) {
            free(buf);
            return cli_error("%s: read error: %s", f->path, strerror(errno));
        }
        if (k == 0) break;
        len += (size_t)k;
        if (len == cap) {
            char *bigger = realloc(buf, cap *= 2);
            if (!bigger) free(buf);
            buf = bigger;
        }
    }
    f->heap = buf;
    f->data = buf;
    f->len = len;
    return CLI_OK;
}

int cli_file_load(cli *c, const char *path, cli_file *f) {
    (void)c;
    memset(f, 0, sizeof *f);
    f->path = path;
    f->data = "";
    int fd = open(path, O_RDONLY);
    if (fd < 0) return cli_error("%s: cannot open: %s", path, strerror(errno));
    struct stat sb;
    int rc = CLI_OK;
    if (fstat(fd, &sb) != 0) {
        rc = cli_error("%s: cannot open: %s", path, strerror(errno));
    } else if (S_ISDIR(sb.st_mode)) {
        rc = cli_error("%s: cannot open: %s", path, strerror(EISDIR));
    } else if (!S_ISREG(sb.st_mode)) {
        rc = load_stream(fd, f); /* a pipe or a device */
    } else if (sb.st_size > 0) {
        /* MAP_POPULATE reads the file now, so the timed parse sees memory */
        void *m = mmap(NULL, (size_t)sb.st_size, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
        if (m == MAP_FAILED) {
            rc = load_stream(fd, f);
        } else {
            f->map = m;
            f->data = m;
            f->len = (size_t)sb.st_size;
        }
    }
    close(fd);
    return rc;
}

void cli_file_release(cli_file *f) {
    if (f->map) munmap(f->map, f->len);
    free(f->heap);
    memset(f, 0, sizeof *f);
}

/* ------------------------------------------------------------ conversions */

sf_status cli_array_to_f8(sf_ctx *ctx, const sf_array *a, sf_array **out) {
    if (a->dtype == SF_NPY_C16) return SF_ERR_UNSUPPORTED; /* callers check first */
    sf_array *b = NULL;
    sf_status st = sf_array_create(ctx, SF_NPY_F8, &a->shape, &b);
    if (st) return st;
    double *d = b->data;
    for (int64_t k = 0; k < a->size; k++)
        d[k] = a->dtype == SF_NPY_F8   ? ((const double *)a->data)[k]
               : a->dtype == SF_NPY_I4 ? (double)((const int32_t *)a->data)[k]
                                       : (double)((const int64_t *)a->data)[k];
    *out = b;
    return SF_OK;
}

sf_status cli_mat_to_array(sf_ctx *ctx, const sf_mat *m, sf_array **out) {
    sf_shape s = {2, {sf_mat_rows(m), sf_mat_cols(m)}};
    sf_array *a = NULL;
    sf_status st = sf_array_create(ctx, SF_NPY_F8, &s, &a);
    if (st) return st;
    sf_dense v = sf_dense_view(s.dim[0], s.dim[1], SF_ROW_MAJOR, SF_REAL, a->data);
    if ((st = sf_mat_to_dense(ctx, m, &v))) {
        sf_array_free(a);
        return st;
    }
    *out = a;
    return SF_OK;
}

sf_status cli_array_to_mat(sf_ctx *ctx, const sf_array *a, sf_mat **out) {
    sf_dense v;
    sf_status st = sf_array_dense_view(ctx, a, &v);
    if (st) return st;
    return sf_mat_from_dense(ctx, &v, out);
}

const char *cli_matrix_problem(const sf_array *a, char *buf, size_t len) {
    char shape[256];
    if (a->dtype == SF_NPY_C16)
        snprintf(buf, len, "complex arrays (dtype '<c16') cannot be converted to a real matrix");
    else if (a->shape.ndim != 1 && a->shape.ndim != 2)
        snprintf(buf, len, "a %d-d array of shape %s is not a matrix (1-d or 2-d expected)",
                 a->shape.ndim, sf_shape_format(&a->shape, shape, sizeof shape));
    else
        return NULL;
    return buf;
}

/* ------------------------------------------------------------ reads */

int cli_read_mat(cli *c, const char *path, sf_mat **out, sf_mm_info *info) {
    int rc = cli_check_format(path);
    if (rc) return rc;
    if (cli_format_of(path) == CLI_FORMAT_MTX)
        return sf_mm_read(c->ctx, path, out, info) ? cli_ctx_error(c, path) : CLI_OK;
    sf_array *a = NULL, *f = NULL;
    if (sf_npy_read(c->ctx, path, &a)) return cli_ctx_error(c, path);
    char why[512];
    if (cli_matrix_problem(a, why, sizeof why)) {
        sf_array_free(a);
        return cli_error("%s: %s", path, why);
    }
    sf_status st = cli_array_to_f8(c->ctx, a, &f);
    sf_array_free(a);
    if (!st) st = cli_array_to_mat(c->ctx, f, out);
    sf_array_free(f);
    if (st) return cli_ctx_error(c, path);
    if (info) {
        memset(info, 0, sizeof *info);
        info->format = SF_MM_ARRAY;
        info->rows = sf_mat_rows(*out);
        info->cols = sf_mat_cols(*out);
        info->entries = info->rows * info->cols;
    }
    return CLI_OK;
}

int cli_read_array(cli *c, const char *path, sf_array **out) {
    int rc = cli_check_format(path);
    if (rc) return rc;
    if (cli_format_of(path) == CLI_FORMAT_NPY)
        return sf_npy_read(c->ctx, path, out) ? cli_ctx_error(c, path) : CLI_OK;
    /* straight to an array: an array file's -0.0 survives */
    return sf_mm_read_array(c->ctx, path, out, NULL) ? cli_ctx_error(c, path) : CLI_OK;
}

/* ------------------------------------------------------------ writes */

int cli_write_array(cli *c, const char *path, const sf_array *a) {
    int rc = cli_check_format(path);
    if (rc) return rc;
    if (cli_format_of(path) == CLI_FORMAT_NPY)
        return sf_npy_write(c->ctx, path, a->dtype, &a->shape, a->data) ? cli_ctx_error(c, path)
                                                                        : CLI_OK;
    char why[512];
    if (cli_matrix_problem(a, why, sizeof why)) return cli_error("%s: %s", path, why);
    sf_array *f = NULL;
    sf_dense v;
    sf_status st = cli_array_to_f8(c->ctx, a, &f);
    if (!st && !(st = sf_array_dense_view(c->ctx, f, &v))) st = sf_mm_write_dense(c->ctx, path, &v);
    sf_array_free(f);
    return st ? cli_ctx_error(c, path) : CLI_OK;
}

int cli_write_mat(cli *c, const char *path, const sf_mat *m) {
    int rc = cli_check_format(path);
    if (rc) return rc;
    if (cli_format_of(path) == CLI_FORMAT_MTX)
        return sf_mm_write(c->ctx, path, m) ? cli_ctx_error(c, path) : CLI_OK;
    sf_array *a = NULL;
    sf_status st = cli_mat_to_array(c->ctx, m, &a);
    if (!st) st = sf_npy_write(c->ctx, path, SF_NPY_F8, &a->shape, a->data);
    sf_array_free(a);
    return st ? cli_ctx_error(c, path) : CLI_OK;
}

void cli_discard_output(const char *path) {
    struct stat sb;
    if (stat(path, &sb) == 0 && S_ISREG(sb.st_mode)) remove(path);
}

int cli_rhs_views(cli *c, const sf_mat *M, const char *name, const char *mat_path,
                  const char *b_path, const sf_array *B, sf_array **X, sf_dense *bv, sf_dense *xv) {
    int64_t n = sf_mat_rows(M);
    if (n != sf_mat_cols(M))
        return cli_error("%s: %s is %lld x %lld, not square", mat_path, name, (long long)n,
                         (long long)sf_mat_cols(M));
    char shape[160];
    sf_shape_format(&B->shape, shape, sizeof shape);
    if (B->dtype == SF_NPY_C16)
        return cli_error("%s: B is complex (dtype '<c16'); the solvers take float64", b_path);
    if (sf_array_dense_view(c->ctx, B, bv)) return cli_ctx_error(c, b_path);
    if (B->shape.dim[0] != n)
        return cli_error("%s: B has shape %s but %s is %lld x %lld", b_path, shape, mat_path,
                         (long long)n, (long long)n);
    if (sf_array_create(c->ctx, B->dtype, &B->shape, X) || sf_array_dense_view(c->ctx, *X, xv))
        return cli_ctx_error(c, b_path);
    return CLI_OK;
}
