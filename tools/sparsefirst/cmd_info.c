/* sparsefirst info: what a matrix or array file holds and what it costs in
 * memory, sparse against dense. */
#include <stdio.h>

#include "cli.h"

const char cmd_info_usage[] =
    "usage: sparsefirst info [options] FILE\n"
    "\n"
    "Print what a matrix (.mtx) or array (.npy) file holds, one 'key: value' per line.\n"
    "  .mtx: rows, cols, nnz (stored entries, symmetry expanded), kind (csr),\n"
    "        symmetry (general|symmetric|skew-symmetric), field (real|integer|pattern),\n"
    "        format (coordinate|array), bytes (the handle, sf_mat_bytes),\n"
    "        dense-bytes (rows*cols*8, the dense float64 equivalent)\n"
    "  .npy: shape, dtype (<f8|<c16|<i4|<i8), size (elements), nonzeros,\n"
    "        bytes (the data)\n"
    "The compute step timed by --time is parsing the file from memory and\n"
    "building the handle (or array).\n";

typedef struct info_state {
    cli_file file;
    sf_mat *m;
    sf_mm_info mm;
    sf_array *a;
    int64_t nonzeros;
} info_state;

static sf_status parse_mtx(sf_ctx *ctx, void *arg) {
    info_state *s = arg;
    return sf_mm_read_buffer(ctx, s->file.data, s->file.len, s->file.path, &s->m, &s->mm);
}

static void drop_mtx(void *arg) {
    info_state *s = arg;
    sf_mat_free(s->m);
    s->m = NULL;
}

static int64_t count_nonzeros(const sf_array *a) {
    int64_t nz = 0, n = a->dtype == SF_NPY_C16 ? 2 * a->size : a->size;
    for (int64_t k = 0; k < n; k++) {
        switch (a->dtype) {
        case SF_NPY_F8: nz += ((const double *)a->data)[k] != 0.0; break;
        case SF_NPY_C16: /* a complex element counts once if either part is nonzero */
            nz += (k % 2 == 0) && (((const double *)a->data)[k] != 0.0 ||
                                   ((const double *)a->data)[k + 1] != 0.0);
            break;
        case SF_NPY_I4: nz += ((const int32_t *)a->data)[k] != 0; break;
        case SF_NPY_I8: nz += ((const int64_t *)a->data)[k] != 0; break;
        }
    }
    return nz;
}

static sf_status parse_npy(sf_ctx *ctx, void *arg) {
    info_state *s = arg;
    sf_status st = sf_npy_read_buffer(ctx, s->file.data, s->file.len, s->file.path, &s->a);
    if (!st) s->nonzeros = count_nonzeros(s->a);
    return st;
}

static void drop_npy(void *arg) {
    info_state *s = arg;
    sf_array_free(s->a);
    s->a = NULL;
}

static const char *symmetry_name(sf_mm_symmetry s) {
    static const char *const names[] = {"general", "symmetric", "skew-symmetric", "hermitian"};
    return (unsigned)s < 4 ? names[s] : "unknown";
}

static const char *field_name(sf_mm_field f) {
    static const char *const names[] = {"real", "integer", "pattern", "complex"};
    return (unsigned)f < 4 ? names[f] : "unknown";
}

/* rows * cols * 8 can pass 2^64 (dimensions reach 2^31), so in 128 bits. */
static void print_u128(const char *key, unsigned __int128 v) {
    char buf[48], *p = buf + sizeof buf - 1;
    *p = '\0';
    do *--p = (char)('0' + (int)(v % 10));
    while ((v /= 10) > 0);
    printf("%s: %s\n", key, p);
}

static void print_mtx(const info_state *s) {
    int64_t r = sf_mat_rows(s->m), c = sf_mat_cols(s->m);
    printf("rows: %lld\ncols: %lld\nnnz: %lld\n", (long long)r, (long long)c,
           (long long)sf_mat_nnz(s->m));
    printf("kind: %s\n", sf_kind_name(sf_mat_kind(s->m)));
    printf("symmetry: %s\nfield: %s\nformat: %s\n", symmetry_name(s->mm.symmetry),
           field_name(s->mm.field), s->mm.format == SF_MM_ARRAY ? "array" : "coordinate");
    printf("bytes: %zu\n", sf_mat_bytes(s->m));
    print_u128("dense-bytes", (unsigned __int128)r * (unsigned __int128)c * 8u);
}

static void print_npy(const info_state *s) {
    char shape[256];
    printf("shape: %s\ndtype: %s\nsize: %lld\nnonzeros: %lld\nbytes: %llu\n",
           sf_shape_format(&s->a->shape, shape, sizeof shape), sf_npy_dtype_descr(s->a->dtype),
           (long long)s->a->size, (long long)s->nonzeros,
           (unsigned long long)s->a->size * sf_npy_dtype_size(s->a->dtype));
}

int cmd_info(cli *c) {
    const char *path;
    int rc = cli_args(c, 1, 1, &path);
    if (!rc) rc = cli_check_format(path);
    if (rc) return rc;
    info_state s = {0};
    if ((rc = cli_file_load(c, path, &s.file))) return rc;
    bool mtx = cli_format_of(path) == CLI_FORMAT_MTX;
    rc = mtx ? cli_timed(c, path, parse_mtx, drop_mtx, &s)
             : cli_timed(c, path, parse_npy, drop_npy, &s);
    cli_file_release(&s.file);
    if (rc) return rc;
    if (mtx) print_mtx(&s);
    else print_npy(&s);
    drop_mtx(&s);
    drop_npy(&s);
    return CLI_OK;
}
