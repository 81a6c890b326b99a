/* .npy reading and writing: round trips of every dtype and rank, Fortran
 * order against hand-written references, hand-crafted version 2.0 and 3.0
 * files, header spellings NumPy and Python allow, and every kind of bad
 * input with its status and exact message (through a buffer and a file). */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "testutil.h"

/* ------------------------------------------------------------ helpers */

static char tmpdir[64];

static void make_tmpdir(void) {
    snprintf(tmpdir, sizeof tmpdir, "/tmp/sf_npy_XXXXXX");
    cr_assert_not_null(mkdtemp(tmpdir));
}

static void remove_tmpdir(void) {
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    cr_assert_eq(system(cmd), 0);
}

TestSuite(npy, .init = make_tmpdir, .fini = remove_tmpdir);

static const char *tmp_path(const char *name, char *buf, size_t len) {
    snprintf(buf, len, "%s/%s", tmpdir, name);
    return buf;
}

static void write_bytes(const char *path, const void *p, size_t n) {
    FILE *f = fopen(path, "wb");
    cr_assert_not_null(f);
    cr_assert_eq(fwrite(p, 1, n, f), n);
    cr_assert_eq(fclose(f), 0);
}

static unsigned char *slurp(const char *path, size_t *n) {
    FILE *f = fopen(path, "rb");
    cr_assert_not_null(f, "%s", path);
    fseek(f, 0, SEEK_END);
    *n = (size_t)ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *p = malloc(*n + 1);
    cr_assert_eq(fread(p, 1, *n, f), *n);
    fclose(f);
    return p;
}

/* A .npy image of the given version: prelude, dict text verbatim (the caller
 * spells padding and '\n' if it wants them), then n data bytes. */
static unsigned char *craft_n(unsigned major, const char *dict, size_t hl, const void *data,
                              size_t n, size_t *len) {
    size_t pre = major == 1 ? 10 : 12;
    *len = pre + hl + n;
    unsigned char *p = malloc(*len + 1);
    memcpy(p, "\x93NUMPY", 6);
    p[6] = (unsigned char)major;
    p[7] = 0;
    for (size_t k = 8; k < pre; k++) p[k] = (unsigned char)(hl >> (8 * (k - 8)));
    memcpy(p + pre, dict, hl);
    if (n) memcpy(p + pre + hl, data, n);
    return p;
}

static unsigned char *craft(unsigned major, const char *dict, const void *data, size_t n,
                            size_t *len) {
    return craft_n(major, dict, strlen(dict), data, n, len);
}

/* Read an image both through a buffer and through a file; both must agree. */
static sf_array *read_image(sf_ctx *ctx, const unsigned char *img, size_t len) {
    sf_array *a = NULL, *b = NULL;
    cr_assert_eq(sf_npy_read_buffer(ctx, img, len, "t.npy", &a), SF_OK, "%s", sf_ctx_message(ctx));
    char path[128];
    write_bytes(tmp_path("image.npy", path, sizeof path), img, len);
    cr_assert_eq(sf_npy_read(ctx, path, &b), SF_OK, "%s", sf_ctx_message(ctx));
    cr_assert_eq(a->dtype, b->dtype);
    cr_assert_eq(a->size, b->size);
    cr_assert_eq(a->shape.ndim, b->shape.ndim);
    cr_assert_arr_eq(a->shape.dim, b->shape.dim, sizeof a->shape.dim);
    cr_assert_arr_eq(a->data, b->data, (size_t)a->size * sf_npy_dtype_size(a->dtype));
    sf_array_free(b);
    return a;
}

/* A bad image must fail the same way through a buffer (named t.npy) and a
 * file (named by its path), leave the output alone and leak nothing. */
static void expect_bad(const unsigned char *img, size_t len, sf_status want, const char *msg) {
    sf_ctx *ctx = tu_ctx();
    sf_array *a = (sf_array *)0x1;
    char exp[1024], path[128];
    cr_assert_eq(sf_npy_read_buffer(ctx, img, len, "t.npy", &a), want, "want %s: %s", msg,
                 sf_ctx_message(ctx));
    snprintf(exp, sizeof exp, "t.npy: %s", msg);
    cr_assert_str_eq(sf_ctx_message(ctx), exp);
    cr_assert_eq(a, (sf_array *)0x1, "output untouched");
    write_bytes(tmp_path("bad.npy", path, sizeof path), img, len);
    cr_assert_eq(sf_npy_read(ctx, path, &a), want, "%s", sf_ctx_message(ctx));
    snprintf(exp, sizeof exp, "%s: %s", path, msg);
    cr_assert_str_eq(sf_ctx_message(ctx), exp);
    cr_assert_eq(a, (sf_array *)0x1, "output untouched");
    tu_ctx_done(ctx);
}

static void expect_bad_dict(const char *dict, const void *data, size_t n, sf_status want,
                            const char *msg) {
    size_t len;
    unsigned char *img = craft(1, dict, data, n, &len);
    expect_bad(img, len, want, msg);
    free(img);
}

static void fill_random(void *p, size_t n, uint64_t seed) {
    unsigned char *b = p;
    for (size_t k = 0; k < n; k++) b[k] = (unsigned char)(tu_rand(&seed) >> 24);
}

/* Naive reference: the C-order copy of Fortran-order data, through full
 * multi-index decomposition of every element. */
static void naive_f2c(const sf_shape *s, size_t esize, const unsigned char *f, unsigned char *c) {
    int64_t n;
    cr_assert_eq(sf_shape_size(NULL, s, &n), SF_OK);
    for (int64_t q = 0; q < n; q++) {
        int64_t rest = q, idx[SF_MAX_NDIM], off = 0, stride = 1;
        for (int k = s->ndim - 1; k >= 0; k--) {
            idx[k] = rest % s->dim[k];
            rest /= s->dim[k];
        }
        for (int k = 0; k < s->ndim; k++) {
            off += idx[k] * stride;
            stride *= s->dim[k];
        }
        memcpy(c + (size_t)q * esize, f + (size_t)off * esize, esize);
    }
}

static const int64_t shapes[][4] = {{0}, {5}, {3, 4}, {2, 3, 4}, {3, 1, 4, 2}};

/* ------------------------------------------------------------ dtypes */

Test(npy, dtype_sizes_and_descrs) {
    cr_assert_eq(sf_npy_dtype_size(SF_NPY_F8), 8);
    cr_assert_eq(sf_npy_dtype_size(SF_NPY_C16), 16);
    cr_assert_eq(sf_npy_dtype_size(SF_NPY_I4), 4);
    cr_assert_eq(sf_npy_dtype_size(SF_NPY_I8), 8);
    cr_assert_str_eq(sf_npy_dtype_descr(SF_NPY_F8), "<f8");
    cr_assert_str_eq(sf_npy_dtype_descr(SF_NPY_C16), "<c16");
    cr_assert_str_eq(sf_npy_dtype_descr(SF_NPY_I4), "<i4");
    cr_assert_str_eq(sf_npy_dtype_descr(SF_NPY_I8), "<i8");
    cr_assert_eq(sf_npy_dtype_size((sf_npy_dtype)9), 0);
}

/* ------------------------------------------------------------ round trips */

Test(npy, round_trip_every_dtype_and_rank_bit_exact) {
    sf_ctx *ctx = tu_ctx();
    for (int dt = 0; dt < 4; dt++) {
        for (int nd = 0; nd <= 4; nd++) {
            sf_shape s;
            cr_assert_eq(sf_shape_make(ctx, nd, shapes[nd], &s), SF_OK);
            int64_t n;
            sf_shape_size(ctx, &s, &n);
            size_t bytes = (size_t)n * sf_npy_dtype_size((sf_npy_dtype)dt);
            unsigned char *data = malloc(bytes);
            fill_random(data, bytes, (uint64_t)(dt * 10 + nd + 1));
            char path[128];
            tmp_path("rt.npy", path, sizeof path);
            cr_assert_eq(sf_npy_write(ctx, path, (sf_npy_dtype)dt, &s, data), SF_OK, "%s",
                         sf_ctx_message(ctx));
            size_t len;
            unsigned char *img = slurp(path, &len);
            cr_assert_eq(img[6], 1, "version 1.0");
            size_t hl = (size_t)img[8] | (size_t)img[9] << 8;
            cr_assert_eq((10 + hl) % 64, 0, "data aligned to 64 bytes");
            cr_assert_eq(img[10 + hl - 1], '\n');
            cr_assert_eq(len, 10 + hl + bytes);
            sf_array *a = read_image(ctx, img, len);
            cr_assert_eq(a->dtype, (sf_npy_dtype)dt);
            cr_assert_eq(a->shape.ndim, nd);
            cr_assert_arr_eq(a->shape.dim, s.dim, sizeof s.dim);
            cr_assert_eq(a->size, n);
            cr_assert_arr_eq(a->data, data, bytes, "dtype %d ndim %d", dt, nd);
            sf_array_free(a);
            free(img);
            free(data);
        }
    }
    tu_ctx_done(ctx);
}

/* Byte for byte what NumPy 1.x writes for np.save(f, np.zeros((3, 4))). */
Test(npy, header_is_numpys_spelling) {
    sf_ctx *ctx = tu_ctx();
    double z[12] = {0};
    sf_shape s;
    sf_shape_make(ctx, 2, (int64_t[]){3, 4}, &s);
    char path[128];
    cr_assert_eq(sf_npy_write(ctx, tmp_path("z.npy", path, sizeof path), SF_NPY_F8, &s, z), SF_OK);
    size_t len;
    unsigned char *img = slurp(path, &len);
    const char *dict = "{'descr': '<f8', 'fortran_order': False, 'shape': (3, 4), }";
    cr_assert_eq(len, 128 + sizeof z);
    cr_assert_arr_eq(img, "\x93NUMPY\x01\x00\x76\x00", 10);
    cr_assert_arr_eq(img + 10, dict, strlen(dict));
    for (size_t k = 10 + strlen(dict); k < 127; k++) cr_assert_eq(img[k], ' ');
    cr_assert_eq(img[127], '\n');
    free(img);
    /* 1-d and 0-d shapes are spelled as Python tuples */
    sf_shape_make(ctx, 1, (int64_t[]){7}, &s);
    double seven[7] = {0};
    cr_assert_eq(sf_npy_write(ctx, path, SF_NPY_F8, &s, seven), SF_OK);
    img = slurp(path, &len);
    cr_assert(strstr((char *)img + 10, "'shape': (7,), }"));
    free(img);
    sf_shape_make(ctx, 0, NULL, &s);
    cr_assert_eq(sf_npy_write(ctx, path, SF_NPY_I4, &s, seven), SF_OK);
    img = slurp(path, &len);
    cr_assert(strstr((char *)img + 10, "{'descr': '<i4', 'fortran_order': False, 'shape': (), }"));
    cr_assert_eq(len, 128 + 4, "56 + 10 + 1 bytes pad to 128");
    free(img);
    tu_ctx_done(ctx);
}

Test(npy, empty_and_scalar_arrays) {
    sf_ctx *ctx = tu_ctx();
    size_t len;
    unsigned char *img = craft(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (0, 5), }\n",
                               NULL, 0, &len);
    sf_array *a = read_image(ctx, img, len);
    cr_assert_eq(a->shape.ndim, 2);
    cr_assert_eq(a->shape.dim[0], 0);
    cr_assert_eq(a->shape.dim[1], 5);
    cr_assert_eq(a->size, 0);
    sf_array_free(a);
    free(img);
    double pi = 3.25;
    img = craft(1, "{'descr': '<f8', 'fortran_order': True, 'shape': (), }\n", &pi, 8, &len);
    a = read_image(ctx, img, len);
    cr_assert_eq(a->shape.ndim, 0);
    cr_assert_eq(a->size, 1);
    cr_assert_eq(((double *)a->data)[0], 3.25);
    sf_array_free(a);
    free(img);
    tu_ctx_done(ctx);
}

/* ------------------------------------------------------------ Fortran order */

/* np.asfortranarray(np.arange(6.).reshape(2, 3)) stores 0 3 1 4 2 5. */
Test(npy, fortran_2d_hand_reference) {
    sf_ctx *ctx = tu_ctx();
    double f[6] = {0, 3, 1, 4, 2, 5}, want[6] = {0, 1, 2, 3, 4, 5};
    size_t len;
    unsigned char *img =
        craft(1, "{'descr': '<f8', 'fortran_order': True, 'shape': (2, 3), }\n", f, sizeof f, &len);
    sf_array *a = read_image(ctx, img, len);
    cr_assert_arr_eq(a->data, want, sizeof want);
    sf_array_free(a);
    free(img);
    tu_ctx_done(ctx);
}

/* np.asfortranarray(np.arange(24, dtype='<i4').reshape(2, 3, 4)): element
 * (i, j, k) = 12 i + 4 j + k sits at i + 2 j + 6 k. */
Test(npy, fortran_3d_hand_reference) {
    sf_ctx *ctx = tu_ctx();
    int32_t f[24], want[24];
    for (int i = 0; i < 2; i++)
        for (int j = 0; j < 3; j++)
            for (int k = 0; k < 4; k++) f[i + 2 * j + 6 * k] = 12 * i + 4 * j + k;
    for (int q = 0; q < 24; q++) want[q] = q;
    size_t len;
    unsigned char *img = craft(
        1, "{'descr': '<i4', 'fortran_order': True, 'shape': (2, 3, 4), }\n", f, sizeof f, &len);
    sf_array *a = read_image(ctx, img, len);
    cr_assert_arr_eq(a->data, want, sizeof want);
    sf_array_free(a);
    free(img);
    tu_ctx_done(ctx);
}

Test(npy, fortran_every_dtype_and_rank_against_naive) {
    sf_ctx *ctx = tu_ctx();
    static const char *const descr[] = {"<f8", "<c16", "<i4", "<i8"};
    for (int dt = 0; dt < 4; dt++) {
        for (int nd = 0; nd <= 4; nd++) {
            sf_shape s;
            sf_shape_make(ctx, nd, shapes[nd], &s);
            int64_t n;
            sf_shape_size(ctx, &s, &n);
            size_t es = sf_npy_dtype_size((sf_npy_dtype)dt), bytes = (size_t)n * es;
            unsigned char *f = malloc(bytes), *want = malloc(bytes);
            fill_random(f, bytes, (uint64_t)(dt * 7 + nd + 3));
            naive_f2c(&s, es, f, want);
            char dict[256], dims[128];
            snprintf(dict, sizeof dict, "{'descr': '%s', 'fortran_order': True, 'shape': %s, }\n",
                     descr[dt], sf_shape_format(&s, dims, sizeof dims));
            size_t len;
            unsigned char *img = craft(1, dict, f, bytes, &len);
            sf_array *a = read_image(ctx, img, len);
            cr_assert_arr_eq(a->data, want, bytes, "dtype %d ndim %d", dt, nd);
            sf_array_free(a);
            free(img);
            free(f);
            free(want);
        }
    }
    tu_ctx_done(ctx);
}

/* ------------------------------------------------------------ versions, spellings */

Test(npy, versions_2_and_3) {
    sf_ctx *ctx = tu_ctx();
    int64_t v[3] = {-1, 1LL << 40, 7};
    for (unsigned major = 2; major <= 3; major++) {
        size_t len;
        unsigned char *img = craft(
            major, "{'descr': '<i8', 'fortran_order': False, 'shape': (3,), }          \n", v,
            sizeof v, &len);
        sf_array *a = read_image(ctx, img, len);
        cr_assert_eq(a->dtype, SF_NPY_I8);
        cr_assert_arr_eq(a->data, v, sizeof v);
        sf_array_free(a);
        free(img);
    }
    tu_ctx_done(ctx);
}

Test(npy, header_spellings_python_accepts) {
    static const char *const dicts[] = {
        "{'shape': (2, 2), 'fortran_order': False, 'descr': '<f8'}",
        "{\"descr\": \"<f8\", \"fortran_order\": False, \"shape\": (2, 2)}\n",
        "  {  'descr' :'<f8' ,\n 'fortran_order':False,'shape':(2,2,) , }   \n",
        "{'descr': '=f8', 'fortran_order': False, 'shape': (2L, 2L), }\n",
        "{'descr': '|f8', 'fortran_order': False, 'shape': (2, 2), }\n",
        "{'descr': 'f8', 'fortran_order': False, 'shape': (\n2,\n2), }\t\r\n",
    };
    double d[4] = {1.5, -2, 1e300, 0x1p-1074};
    for (size_t k = 0; k < sizeof dicts / sizeof *dicts; k++) {
        sf_ctx *ctx = tu_ctx();
        size_t len;
        unsigned char *img = craft(1, dicts[k], d, sizeof d, &len);
        sf_array *a = read_image(ctx, img, len);
        cr_assert_eq(a->dtype, SF_NPY_F8);
        cr_assert_eq(a->shape.ndim, 2, "dict %zu", k);
        cr_assert_arr_eq(a->data, d, sizeof d);
        sf_array_free(a);
        free(img);
        tu_ctx_done(ctx);
    }
}

Test(npy, eight_axes_is_the_limit) {
    sf_ctx *ctx = tu_ctx();
    double d[2] = {1, 2};
    size_t len;
    unsigned char *img = craft(
        1, "{'descr': '<f8', 'fortran_order': True, 'shape': (1, 1, 1, 2, 1, 1, 1, 1), }\n", d,
        sizeof d, &len);
    sf_array *a = read_image(ctx, img, len);
    cr_assert_eq(a->shape.ndim, 8);
    cr_assert_eq(a->shape.dim[3], 2);
    sf_array_free(a);
    free(img);
    tu_ctx_done(ctx);
}

/* ------------------------------------------------------------ bad input */

#define DICT(descr, shape) "{'descr': " descr ", 'fortran_order': False, 'shape': " shape ", }\n"

Test(npy, bad_magic_and_versions) {
    static const unsigned char junk[] = "%%MatrixMarket matrix coordinate real general\n";
    expect_bad(junk, sizeof junk - 1, SF_ERR_FORMAT, "not a .npy file: bad magic string at byte 0");
    expect_bad((const unsigned char *)"\x93NUM", 4, SF_ERR_FORMAT,
               "header is truncated: expected 8 bytes of magic and version at byte 0, found 4");
    expect_bad((const unsigned char *)"", 0, SF_ERR_FORMAT,
               "header is truncated: expected 8 bytes of magic and version at byte 0, found 0");
    size_t len;
    unsigned char *img = craft(1, DICT("'<f8'", "()"), "\0\0\0\0\0\0\0\0", 8, &len);
    img[6] = 4;
    expect_bad(img, len, SF_ERR_UNSUPPORTED,
               "unsupported format version 4.0 at byte 6 (supported: 1.0, 2.0, 3.0)");
    img[6] = 1;
    img[7] = 1;
    expect_bad(img, len, SF_ERR_UNSUPPORTED,
               "unsupported format version 1.1 at byte 6 (supported: 1.0, 2.0, 3.0)");
    img[7] = 0;
    expect_bad(img, 9, SF_ERR_FORMAT,
               "header is truncated: expected a 2-byte header length at byte 8, found 1");
    expect_bad(img, 40, SF_ERR_FORMAT,
               "header is truncated: expected 56 bytes at byte 10, found 30");
    free(img);
    img = craft(2, DICT("'<f8'", "()"), "\0\0\0\0\0\0\0\0", 8, &len);
    expect_bad(img, 11, SF_ERR_FORMAT,
               "header is truncated: expected a 4-byte header length at byte 8, found 3");
    img[10] = 0x20; /* 2 MiB of header */
    expect_bad(img, len, SF_ERR_UNSUPPORTED,
               "header length 2097208 at byte 8 is larger than the 1048576 bytes this reader "
               "accepts");
    free(img);
}

Test(npy, data_size_must_match_the_header) {
    double d[100] = {0};
    expect_bad_dict(DICT("'<f8'", "(100,)"), d, 16, SF_ERR_FORMAT,
                    "data is truncated: expected 800 bytes, found 16");
    expect_bad_dict(DICT("'<f8'", "(10, 10)"), d, 0, SF_ERR_FORMAT,
                    "data is truncated: expected 800 bytes, found 0");
    expect_bad_dict(DICT("'<f8'", "(99,)"), d, 800, SF_ERR_FORMAT,
                    "extra data after the array: expected 792 bytes, found 800");
    expect_bad_dict(DICT("'<i4'", "(0, 5)"), d, 1, SF_ERR_FORMAT,
                    "extra data after the array: expected 0 bytes, found 1");
}

/* A header announcing 8 GB over a 16-byte file fails before allocating it. */
Test(npy, lying_header_allocates_nothing_big) {
    double d[2] = {0};
    size_t len;
    unsigned char *img = craft(1, DICT("'<f8'", "(1000000000,)"), d, sizeof d, &len);
    char path[128];
    write_bytes(tmp_path("lie.npy", path, sizeof path), img, len);
    sf_ctx *ctx = tu_ctx();
    sf_array *a = NULL;
    cr_assert_eq(sf_npy_read(ctx, path, &a), SF_ERR_FORMAT);
    cr_assert(strstr(sf_ctx_message(ctx), "data is truncated: expected 8000000000 bytes, found 16"));
    cr_assert_lt(sf_ctx_bytes_peak(ctx), 4096);
    tu_ctx_done(ctx);
    free(img);
}

Test(npy, unsupported_dtypes_named) {
    double d[8] = {0};
    expect_bad_dict(DICT("'>f8'", "(2,)"), d, 16, SF_ERR_UNSUPPORTED,
                    "unsupported dtype '>f8': big-endian data is not supported");
    expect_bad_dict(DICT("'>i4'", "(2,)"), d, 8, SF_ERR_UNSUPPORTED,
                    "unsupported dtype '>i4': big-endian data is not supported");
    expect_bad_dict(DICT("'<f4'", "(2,)"), d, 8, SF_ERR_UNSUPPORTED,
                    "unsupported dtype '<f4' (supported: <f8, <c16, <i4, <i8)");
    expect_bad_dict(DICT("'<U5'", "(2,)"), d, 40, SF_ERR_UNSUPPORTED,
                    "unsupported dtype '<U5' (supported: <f8, <c16, <i4, <i8)");
    expect_bad_dict(DICT("'|b1'", "(2,)"), d, 2, SF_ERR_UNSUPPORTED,
                    "unsupported dtype '|b1' (supported: <f8, <c16, <i4, <i8)");
    expect_bad_dict(DICT("'|O'", "(2,)"), d, 16, SF_ERR_UNSUPPORTED,
                    "unsupported dtype '|O': object arrays cannot be read");
    expect_bad_dict(DICT("'O'", "(2,)"), d, 16, SF_ERR_UNSUPPORTED,
                    "unsupported dtype 'O': object arrays cannot be read");
    expect_bad_dict(DICT("[('a', '<f8')]", "(2,)"), d, 16, SF_ERR_UNSUPPORTED,
                    "structured dtypes (a list 'descr' at byte 20) are not supported");
    expect_bad_dict(DICT("'<f8\\x01'", "(2,)"), d, 16, SF_ERR_UNSUPPORTED,
                    "unsupported dtype '<f8x01' (supported: <f8, <c16, <i4, <i8)");
}

Test(npy, malformed_dicts_named_with_offsets) {
    double d[4] = {0};
    expect_bad_dict("'descr': '<f8'}", d, 8, SF_ERR_FORMAT,
                    "malformed header at byte 10: expected '{'");
    expect_bad_dict("{'descr' '<f8', 'fortran_order': False, 'shape': ()}", d, 8, SF_ERR_FORMAT,
                    "malformed header at byte 19: expected ':' after a key");
    expect_bad_dict("{'descr': '<f8' 'fortran_order': False, 'shape': ()}", d, 8, SF_ERR_FORMAT,
                    "malformed header at byte 26: expected ',' or '}'");
    /* the string runs to the next quote, and that descr is the first problem */
    expect_bad_dict("{'descr': '<f8, 'fortran_order': False, 'shape': ()}", d, 8,
                    SF_ERR_UNSUPPORTED, "unsupported dtype '<f8, ' (supported: <f8, <c16, <i4, <i8)");
    expect_bad_dict("{'descr': '<f8", d, 8, SF_ERR_FORMAT,
                    "malformed header at byte 24: unterminated string");
    expect_bad_dict("{'descr': '<f8', 'fortran_order': False}\n", d, 8, SF_ERR_FORMAT,
                    "malformed header: no 'shape' key");
    expect_bad_dict("{'fortran_order': False, 'shape': ()}", d, 8, SF_ERR_FORMAT,
                    "malformed header: no 'descr' key");
    expect_bad_dict("{'descr': '<f8', 'shape': ()}", d, 8, SF_ERR_FORMAT,
                    "malformed header: no 'fortran_order' key");
    expect_bad_dict("{'descr': '<f8', 'fortran_order': False, 'shape': (), 'x': 1}", d, 8,
                    SF_ERR_FORMAT, "malformed header at byte 64: unknown key 'x'");
    expect_bad_dict("{'descr': '<f8', 'descr': '<f8', 'fortran_order': False, 'shape': ()}", d, 8,
                    SF_ERR_FORMAT, "malformed header at byte 27: duplicate key 'descr'");
    expect_bad_dict("{'descr': '<f8', 'fortran_order': 0, 'shape': ()}", d, 8, SF_ERR_FORMAT,
                    "malformed header at byte 44: 'fortran_order' must be True or False");
    expect_bad_dict("{'descr': '<f8', 'fortran_order': Truely, 'shape': ()}", d, 8, SF_ERR_FORMAT,
                    "malformed header at byte 44: 'fortran_order' must be True or False");
    expect_bad_dict(DICT("'<f8'", "(2)"), d, 16, SF_ERR_FORMAT,
                    "malformed header at byte 62: 'shape' of one axis needs a comma: (n,)");
    expect_bad_dict(DICT("'<f8'", "[2]"), d, 16, SF_ERR_FORMAT,
                    "malformed header at byte 60: 'shape' must be a tuple such as (3, 4)");
    expect_bad_dict(DICT("'<f8'", "(2 2)"), d, 16, SF_ERR_FORMAT,
                    "malformed header at byte 63: expected ',' or ')' in 'shape'");
    expect_bad_dict(DICT("'<f8'", "(2, x)"), d, 16, SF_ERR_FORMAT,
                    "malformed header at byte 64: expected an integer in 'shape'");
    expect_bad_dict(DICT("'<f8'", "(2, -3)"), d, 16, SF_ERR_FORMAT,
                    "malformed header at byte 64: negative extent -3 in 'shape'");
    expect_bad_dict(DICT("'<f8'", "(2,)") "junk", d, 16, SF_ERR_FORMAT,
                    "malformed header at byte 68: unexpected text after the dictionary");
    expect_bad_dict(DICT("'<f8'", "(1, 1, 1, 1, 1, 1, 1, 1, 1)"), d, 8, SF_ERR_UNSUPPORTED,
                    "'shape' at byte 85 has more than 8 axes");
}

Test(npy, nul_bytes_in_the_header_are_malformed) {
    static const char in_key[] = "{'descr\0': '<f8', 'fortran_order': False, 'shape': ()}\n";
    static const char after[] = "{'descr': '<f8', 'fortran_order': False, 'shape': ()}\0\n";
    double d = 0;
    size_t len;
    unsigned char *img = craft_n(1, in_key, sizeof in_key - 1, &d, 8, &len);
    expect_bad(img, len, SF_ERR_FORMAT, "malformed header at byte 17: NUL byte inside a string");
    free(img);
    img = craft_n(1, after, sizeof after - 1, &d, 8, &len);
    expect_bad(img, len, SF_ERR_FORMAT,
               "malformed header at byte 63: unexpected text after the dictionary");
    free(img);
}

Test(npy, shapes_too_large) {
    double d[1] = {0};
    expect_bad_dict(DICT("'<f8'", "(1099511627776, 1099511627776)"), d, 8, SF_ERR_TOO_LARGE,
                    "shape (1099511627776, 1099511627776) has too many elements");
    expect_bad_dict(DICT("'<c16'", "(1152921504606846976,)"), d, 8, SF_ERR_TOO_LARGE,
                    "shape (1152921504606846976,) of '<c16' overflows the address space");
    expect_bad_dict(DICT("'<f8'", "(99999999999999999999,)"), d, 8, SF_ERR_TOO_LARGE,
                    "extent at byte 61 of 'shape' does not fit in 64 bits");
}

Test(npy, missing_file_and_bad_arguments) {
    sf_ctx *ctx = tu_ctx();
    sf_array *a = (sf_array *)0x1;
    cr_assert_eq(sf_npy_read(ctx, "/nonexistent/x.npy", &a), SF_ERR_IO);
    cr_assert_str_eq(sf_ctx_message(ctx), "/nonexistent/x.npy: cannot open: No such file or directory");
    cr_assert_eq(sf_npy_read(ctx, NULL, &a), SF_ERR_ARG);
    cr_assert_eq(sf_npy_read_buffer(ctx, NULL, 5, "x", &a), SF_ERR_ARG);
    cr_assert_eq(a, (sf_array *)0x1);
    sf_shape s;
    sf_shape_make(ctx, 1, (int64_t[]){3}, &s);
    cr_assert_eq(sf_npy_write(ctx, "/nonexistent/y.npy", SF_NPY_F8, &s, (double[3]){0}),
                 SF_ERR_IO);
    cr_assert_str_eq(sf_ctx_message(ctx), "/nonexistent/y.npy: cannot create: No such file or directory");
    cr_assert_eq(sf_npy_write(ctx, "/tmp/never.npy", SF_NPY_F8, &s, NULL), SF_ERR_ARG);
    cr_assert_eq(sf_npy_write(ctx, "/tmp/never.npy", (sf_npy_dtype)7, &s, (double[3]){0}),
                 SF_ERR_ARG);
    cr_assert_eq(access("/tmp/never.npy", F_OK), -1);
    tu_ctx_done(ctx);
}

/* ------------------------------------------------------------ memory */

Test(npy, memory_limit_honoured_and_named) {
    double d[100] = {0};
    sf_shape s;
    sf_shape_make(NULL, 2, (int64_t[]){10, 10}, &s);
    char path[128];
    tmp_path("lim.npy", path, sizeof path);
    sf_ctx *ctx = tu_ctx();
    cr_assert_eq(sf_npy_write(ctx, path, SF_NPY_F8, &s, d), SF_OK);
    sf_ctx_set_memory_limit(ctx, 700);
    sf_array *a = (sf_array *)0x1;
    cr_assert_eq(sf_npy_read(ctx, path, &a), SF_ERR_NOMEM);
    cr_assert(strstr(sf_ctx_message(ctx), path) == sf_ctx_message(ctx), "%s", sf_ctx_message(ctx));
    cr_assert(strstr(sf_ctx_message(ctx), "memory limit of 700 bytes"), "%s", sf_ctx_message(ctx));
    cr_assert_eq(a, (sf_array *)0x1);
    sf_ctx_set_memory_limit(ctx, 1000);
    cr_assert_eq(sf_npy_read(ctx, path, &a), SF_OK, "%s", sf_ctx_message(ctx));
    sf_array_free(a);
    tu_ctx_done(ctx);
}

typedef struct reader_case {
    const char *path;
    const unsigned char *img;
    size_t len;
} reader_case;

static sf_status read_file_body(sf_ctx *ctx, void *arg) {
    const reader_case *rc = arg;
    sf_array *a = NULL;
    sf_status st = sf_npy_read(ctx, rc->path, &a);
    sf_array_free(a);
    return st;
}

static sf_status read_buffer_body(sf_ctx *ctx, void *arg) {
    const reader_case *rc = arg;
    sf_array *a = NULL;
    sf_status st = sf_npy_read_buffer(ctx, rc->img, rc->len, "t.npy", &a);
    sf_array_free(a);
    return st;
}

Test(npy, allocation_failures_clean_up) {
    for (int fortran = 0; fortran < 2; fortran++) {
        double d[12];
        for (int k = 0; k < 12; k++) d[k] = k;
        size_t len;
        unsigned char *img = craft(
            1, fortran ? "{'descr': '<f8', 'fortran_order': True, 'shape': (3, 4), }\n"
                       : "{'descr': '<f8', 'fortran_order': False, 'shape': (3, 4), }\n",
            d, sizeof d, &len);
        char path[128];
        write_bytes(tmp_path("alloc.npy", path, sizeof path), img, len);
        reader_case rc = {path, img, len};
        tu_check_alloc_failures(read_file_body, &rc);
        tu_check_alloc_failures(read_buffer_body, &rc);
        free(img);
    }
}

/* ------------------------------------------------------------ arrays */

Test(npy, array_create_and_dense_views) {
    sf_ctx *ctx = tu_ctx();
    sf_shape s;
    sf_array *a = NULL;
    sf_shape_make(ctx, 2, (int64_t[]){3, 4}, &s);
    cr_assert_eq(sf_array_create(ctx, SF_NPY_C16, &s, &a), SF_OK);
    cr_assert_eq(a->size, 12);
    for (int k = 0; k < 24; k++) cr_assert_eq(((double *)a->data)[k], 0.0);
    sf_dense v;
    cr_assert_eq(sf_array_dense_view(ctx, a, &v), SF_OK);
    cr_assert_eq(v.rows, 3);
    cr_assert_eq(v.cols, 4);
    cr_assert_eq(v.ld, 4);
    cr_assert_eq(v.layout, SF_ROW_MAJOR);
    cr_assert_eq(v.dtype, SF_COMPLEX);
    cr_assert_eq(v.data, a->data);
    sf_array_free(a);

    sf_shape_make(ctx, 1, (int64_t[]){5}, &s);
    cr_assert_eq(sf_array_create(ctx, SF_NPY_F8, &s, &a), SF_OK);
    cr_assert_eq(sf_array_dense_view(ctx, a, &v), SF_OK);
    cr_assert_eq(v.rows, 5);
    cr_assert_eq(v.cols, 1);
    cr_assert_eq(v.dtype, SF_REAL);
    sf_array_free(a);

    sf_shape_make(ctx, 3, (int64_t[]){2, 2, 2}, &s);
    cr_assert_eq(sf_array_create(ctx, SF_NPY_F8, &s, &a), SF_OK);
    sf_dense untouched = {0};
    v = untouched;
    cr_assert_eq(sf_array_dense_view(ctx, a, &v), SF_ERR_SHAPE);
    cr_assert_str_eq(sf_ctx_message(ctx), "sf_array_dense_view: shape (2, 2, 2) is not 1-d or 2-d");
    sf_array_free(a);
    sf_shape_make(ctx, 2, (int64_t[]){2, 2}, &s);
    cr_assert_eq(sf_array_create(ctx, SF_NPY_I4, &s, &a), SF_OK);
    cr_assert_eq(sf_array_dense_view(ctx, a, &v), SF_ERR_UNSUPPORTED);
    cr_assert_str_eq(sf_ctx_message(ctx),
                     "sf_array_dense_view: dtype '<i4' is not float64 or complex128");
    cr_assert_eq(v.data, NULL, "output untouched");
    sf_array_free(a);
    sf_array_free(NULL);

    sf_shape_make(ctx, 2, (int64_t[]){1LL << 40, 1LL << 40}, &s);
    a = (sf_array *)0x1;
    cr_assert_eq(sf_array_create(ctx, SF_NPY_F8, &s, &a), SF_ERR_TOO_LARGE);
    sf_shape_make(ctx, 2, (int64_t[]){1LL << 20, 1LL << 20}, &s);
    sf_ctx_set_memory_limit(ctx, 1 << 20);
    cr_assert_eq(sf_array_create(ctx, SF_NPY_F8, &s, &a), SF_ERR_NOMEM);
    cr_assert_eq(a, (sf_array *)0x1);
    tu_ctx_done(ctx);
}

/* A write that fails part-way removes the partial regular file; writing to
 * a device (/dev/full) fails without removing it. */
Test(npy, failed_write_removes_partial_file_not_device) {
    sf_ctx *ctx = tu_ctx();
    char path[128];
    tmp_path("partial.npy", path, sizeof path);
    static double d[100000];
    sf_shape s = {1, {100000}};
    tu_limit_file_size(65536);
    cr_assert_eq(sf_npy_write(ctx, path, SF_NPY_F8, &s, d), SF_ERR_IO);
    cr_assert_str_eq(sf_ctx_message(ctx) + strlen(path), ": write error: File too large");
    tu_assert_write_cleanup(path, sf_npy_write(ctx, "/dev/full", SF_NPY_F8, &s, d));
    tu_ctx_done(ctx);
}
