/* Matrix Market reader on files: the shared SuiteSparse matrices against
 * counts verified with an independent Python parse and against a naive
 * sscanf parse in this file; the malformed shared files; I/O errors; and
 * allocation failures at every step. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "testutil.h"

typedef struct shared_matrix {
    const char *file;
    int64_t rows, cols, entries, nnz; /* nnz after symmetric expansion */
    double sum;                        /* sum of all values, from Python */
} shared_matrix;

/* Counted by a plain Python parser (dictionary of expanded entries). */
static const shared_matrix shared[] = {
    {"494_bus.mtx", 494, 494, 1080, 1666, 2198.6557470000043},
    {"arrow.mtx", 46500, 46500, 139498, 139498, 185998.0},
    {"bayer10.mtx", 13436, 13436, 94926, 94926, -83193.9848589527},
    {"bcsstk13.mtx", 2003, 2003, 42943, 83883, 30220739908119.996},
    {"cage5.mtx", 37, 37, 233, 233, 37.00000000000005},
    {"can___24.mtx", 24, 24, 92, 160, 160.0},
    {"dwt_992.mtx", 992, 992, 8868, 16744, 16744.0},
    {"hangGlider_2.mtx", 1647, 1647, 7834, 14754, 5997.77554965417},
    {"jagmesh7.mtx", 1138, 1138, 4294, 7450, 7450.0},
    {"nnc1374.mtx", 1374, 1374, 8606, 8606, 147410.37725754813},
    {"olm1000.mtx", 1000, 1000, 3996, 3996, -48513.386879999074},
    {"pts5ldd03.mtx", 161, 161, 745, 745, 3840.0},
    {"rajat01.mtx", 6833, 6833, 43250, 43250, 43250.0},
    {"watt_2.mtx", 1856, 1856, 11550, 11550, 63.999999999997385},
    {"west0479.mtx", 479, 479, 1910, 1910, -1750540.0748997687},
};

/* Value at (i, j) of exported CSR arrays, by binary search; NAN if absent. */
static double lookup(const int64_t *rp, const int32_t *ci, const double *v, int64_t i, int64_t j) {
    int64_t lo = rp[i], hi = rp[i + 1];
    while (lo < hi) {
        int64_t mid = lo + (hi - lo) / 2;
        if (ci[mid] < j) lo = mid + 1;
        else hi = mid;
    }
    return lo < rp[i + 1] && ci[lo] == j ? v[lo] : NAN;
}

/* Re-read the file naively with fgets/sscanf and check every listed entry
 * (and its mirror) in the matrix.  The shared files have no duplicates. */
static void check_against_naive(sf_ctx *ctx, const char *path, const sf_mat *m) {
    FILE *f = fopen(path, "r");
    cr_assert_not_null(f);
    static char line[4096];
    cr_assert_not_null(fgets(line, sizeof line, f));
    bool pattern = strstr(line, "pattern") != NULL, sym = strstr(line, "symmetric") != NULL;
    do cr_assert_not_null(fgets(line, sizeof line, f));
    while (line[0] == '%');
    int64_t r = sf_mat_rows(m), nnz = sf_mat_nnz(m);
    int64_t *rp = malloc((size_t)(r + 1) * sizeof *rp);
    int32_t *ci = malloc((size_t)nnz * sizeof *ci);
    double *v = malloc((size_t)nnz * sizeof *v);
    cr_assert_eq(sf_mat_export_csr(ctx, m, rp, ci, v), SF_OK);
    long long i, j;
    double x = 1.0;
    int64_t seen = 0;
    while (fgets(line, sizeof line, f)) {
        if (line[strspn(line, " \t\n")] == '\0') continue;
        cr_assert_geq(sscanf(line, "%lld %lld %lf", &i, &j, &x), pattern ? 2 : 3, "%s", line);
        if (pattern) x = 1.0;
        cr_assert_eq(lookup(rp, ci, v, i - 1, j - 1), x, "%s (%lld, %lld)", path, i, j);
        if (sym) cr_assert_eq(lookup(rp, ci, v, j - 1, i - 1), x, "%s (%lld, %lld)", path, j, i);
        seen++;
    }
    cr_assert_gt(seen, 0);
    fclose(f);
    free(rp);
    free(ci);
    free(v);
}

Test(mm_files, every_shared_matrix) {
    char path[4096];
    for (size_t k = 0; k < sizeof shared / sizeof *shared; k++) {
        const shared_matrix *s = &shared[k];
        char rel[256];
        snprintf(rel, sizeof rel, "matrices/%s", s->file);
        tu_data_path(rel, path, sizeof path);
        sf_ctx *ctx = tu_ctx();
        sf_mat *m = NULL;
        sf_mm_info info;
        cr_assert_eq(sf_mm_read(ctx, path, &m, &info), SF_OK, "%s", sf_ctx_message(ctx));
        cr_assert_eq(info.rows, s->rows, "%s", s->file);
        cr_assert_eq(info.cols, s->cols, "%s", s->file);
        cr_assert_eq(info.entries, s->entries, "%s", s->file);
        cr_assert_eq(sf_mat_rows(m), s->rows, "%s", s->file);
        cr_assert_eq(sf_mat_cols(m), s->cols, "%s", s->file);
        cr_assert_eq(sf_mat_nnz(m), s->nnz, "%s: nnz %lld", s->file, (long long)sf_mat_nnz(m));
        cr_assert_eq(sf_mat_bytes(m), sf_ctx_bytes_in_use(ctx), "%s: nothing else held", s->file);
        check_against_naive(ctx, path, m);
        int64_t nnz = sf_mat_nnz(m);
        double *v = malloc((size_t)nnz * sizeof *v), sum = 0;
        int64_t *rp = malloc((size_t)(s->rows + 1) * sizeof *rp);
        cr_assert_eq(sf_mat_export_csr(ctx, m, rp, NULL, v), SF_OK);
        for (int64_t p = 0; p < nnz; p++) sum += v[p];
        cr_assert_leq(fabs(sum - s->sum), 1e-9 * fmax(1, fabs(s->sum)), "%s: sum %.17g", s->file, sum);
        free(v);
        free(rp);
        sf_mat_free(m);
        tu_ctx_done(ctx);
    }
}

Test(mm_files, complex_file_unsupported) {
    char path[4096];
    tu_data_path("matrices/young1c.mtx", path, sizeof path);
    sf_ctx *ctx = tu_ctx();
    sf_mat *m = (sf_mat *)0x1;
    cr_assert_eq(sf_mm_read(ctx, path, &m, NULL), SF_ERR_UNSUPPORTED);
    char want[4200];
    snprintf(want, sizeof want, "%s: line 1: complex matrices are not supported yet", path);
    cr_assert_str_eq(sf_ctx_message(ctx), want);
    cr_assert_eq(m, (sf_mat *)0x1);
    tu_ctx_done(ctx);
}

Test(mm_files, mangled_shared_files) {
    static const char *const expect[4] = {
        "line 1: unknown object 'junk' (expected 'matrix')",
        "line 1: unknown format 'junk' (expected coordinate or array)",
        "line 1: unknown field 'junk' (expected real, integer, pattern or complex)",
        "line 1: unknown symmetry 'junk' (expected general, symmetric, skew-symmetric or hermitian)",
    };
    for (int k = 0; k < 4; k++) {
        char rel[64], path[4096], want[4400];
        snprintf(rel, sizeof rel, "matrices/bad/mangle%d.mtx", k + 1);
        tu_data_path(rel, path, sizeof path);
        sf_ctx *ctx = tu_ctx();
        sf_mat *m = (sf_mat *)0x1;
        cr_assert_eq(sf_mm_read(ctx, path, &m, NULL), SF_ERR_FORMAT, "%s", path);
        snprintf(want, sizeof want, "%s: %s", path, expect[k]);
        cr_assert_str_eq(sf_ctx_message(ctx), want);
        cr_assert_eq(m, (sf_mat *)0x1);
        tu_ctx_done(ctx);
    }
}

Test(mm_files, io_errors) {
    sf_ctx *ctx = tu_ctx();
    sf_mat *m = (sf_mat *)0x1;
    cr_assert_eq(sf_mm_read(ctx, "/nonexistent/x.mtx", &m, NULL), SF_ERR_IO);
    cr_assert_str_eq(sf_ctx_message(ctx), "/nonexistent/x.mtx: cannot open: No such file or directory");
    cr_assert_eq(sf_mm_read(ctx, "/tmp", &m, NULL), SF_ERR_IO);
    cr_assert_str_eq(sf_ctx_message(ctx), "/tmp: line 1: read error: Is a directory");
    cr_assert_eq(m, (sf_mat *)0x1);
    tu_ctx_done(ctx);
}

/* A temporary file holding text; the caller unlinks it. */
static void temp_file(char *path, const char *text, size_t len) {
    strcpy(path, "/tmp/sf_test_mm_XXXXXX");
    int fd = mkstemp(path);
    cr_assert_geq(fd, 0);
    cr_assert_eq(write(fd, text, len), (ssize_t)len);
    close(fd);
}

/* A line that straddles the reader's 64 KiB chunks reads the same from a
 * file as from memory. */
Test(mm_files, long_lines_across_chunks) {
    size_t n = 200000;
    char *text = malloc(n + 256);
    int h = sprintf(text, "%%%%MatrixMarket matrix coordinate real general\n%%");
    memset(text + h, 'c', n);
    size_t len = (size_t)h + n;
    len += (size_t)sprintf(text + len, "\n3 3 2\n1 1 1\n3 2 2\n");
    char path[64];
    temp_file(path, text, len);
    sf_ctx *ctx = tu_ctx();
    sf_mat *a = NULL, *b = NULL;
    cr_assert_eq(sf_mm_read(ctx, path, &a, NULL), SF_OK, "%s", sf_ctx_message(ctx));
    cr_assert_eq(sf_mm_read_buffer(ctx, text, len, "t", &b, NULL), SF_OK);
    cr_assert_eq(sf_mat_nnz(a), 2);
    double *da = tu_dense_of(ctx, a), *db = tu_dense_of(ctx, b);
    cr_assert_arr_eq(da, db, 9 * sizeof *da);
    cr_assert_eq(da[7], 2.0);
    free(da);
    free(db);
    sf_mat_free(a);
    sf_mat_free(b);
    tu_ctx_done(ctx);
    unlink(path);
    free(text);
}

/* Errors name the path and the line when reading a file too. */
Test(mm_files, file_errors_name_path_and_line) {
    static const char text[] = "%%MatrixMarket matrix coordinate real general\n30 30 1\n1 0 1\n";
    char path[64], want[200];
    temp_file(path, text, sizeof text - 1);
    sf_ctx *ctx = tu_ctx();
    sf_mat *m = (sf_mat *)0x1;
    cr_assert_eq(sf_mm_read(ctx, path, &m, NULL), SF_ERR_FORMAT);
    snprintf(want, sizeof want, "%s: line 3: column index 0 is out of range [1, 30]", path);
    cr_assert_str_eq(sf_ctx_message(ctx), want);
    cr_assert_eq(m, (sf_mat *)0x1);
    tu_ctx_done(ctx);
    unlink(path);
}

/* ------------------------------------------------------ allocation failures */

static sf_status read_buffer_body(sf_ctx *ctx, void *arg) {
    const char *text = arg;
    sf_mat *m = NULL;
    sf_status st = sf_mm_read_buffer(ctx, text, strlen(text), "t", &m, NULL);
    sf_mat_free(m);
    return st;
}

static sf_status read_file_body(sf_ctx *ctx, void *arg) {
    sf_mat *m = NULL;
    sf_status st = sf_mm_read(ctx, arg, &m, NULL);
    sf_mat_free(m);
    return st;
}

Test(mm_alloc, every_allocation_can_fail) {
    tu_check_alloc_failures(read_buffer_body,
                            "%%MatrixMarket matrix coordinate real symmetric\n3 3 3\n1 1 1\n"
                            "2 1 2\n3 3 3\n");
    tu_check_alloc_failures(read_buffer_body, "%%MatrixMarket matrix array real general\n2 2\n1\n0\n3\n4\n");
    char path[4096];
    tu_check_alloc_failures(read_file_body, (void *)tu_data_path("matrices/can___24.mtx", path, sizeof path));
    tu_check_alloc_failures(read_file_body, (void *)tu_data_path("matrices/bcsstk13.mtx", path, sizeof path));
}

/* A line that outgrows the line buffer makes it grow: that can fail too. */
Test(mm_alloc, line_buffer_growth_can_fail) {
    char text[2000];
    int h = sprintf(text, "%%%%MatrixMarket matrix coordinate real general\n%%");
    memset(text + h, 'c', 1000);
    strcpy(text + h + 1000, "\n1 1 1\n1 1 1\n");
    tu_check_alloc_failures(read_buffer_body, text);
}

Test(mm_alloc, memory_limit_honoured) {
    char path[4096], want[4400];
    tu_data_path("matrices/bcsstk13.mtx", path, sizeof path);
    sf_ctx *ctx = tu_ctx();
    sf_ctx_set_memory_limit(ctx, 200000);
    sf_mat *m = (sf_mat *)0x1;
    cr_assert_eq(sf_mm_read(ctx, path, &m, NULL), SF_ERR_NOMEM);
    snprintf(want, sizeof want, "%s: line 15: allocating", path);
    cr_assert(strncmp(sf_ctx_message(ctx), want, strlen(want)) == 0, "%s", sf_ctx_message(ctx));
    cr_assert(strstr(sf_ctx_message(ctx), "memory limit of 200000 bytes"), "%s", sf_ctx_message(ctx));
    cr_assert_eq(m, (sf_mat *)0x1);
    /* a limit below the first buffers: still the file is named */
    sf_ctx_set_memory_limit(ctx, 1000);
    cr_assert_eq(sf_mm_read(ctx, path, &m, NULL), SF_ERR_NOMEM);
    snprintf(want, sizeof want, "%s: allocating 65536 bytes for file read buffer", path);
    cr_assert(strncmp(sf_ctx_message(ctx), want, strlen(want)) == 0, "%s", sf_ctx_message(ctx));
    sf_ctx_set_memory_limit(ctx, 100);
    cr_assert_eq(sf_mm_read_buffer(ctx, "x", 1, "buf", &m, NULL), SF_ERR_NOMEM);
    cr_assert(strncmp(sf_ctx_message(ctx), "buf: allocating 256 bytes for line buffer", 41) == 0, "%s",
              sf_ctx_message(ctx));
    cr_assert_eq(m, (sf_mat *)0x1);
    sf_ctx_set_memory_limit(ctx, 0);
    cr_assert_eq(sf_mm_read(ctx, path, &m, NULL), SF_OK);
    cr_assert_leq(sf_ctx_bytes_peak(ctx), 3 * sf_mat_bytes(m) + (1 << 17),
                  "peak %zu for a %zu-byte matrix", sf_ctx_bytes_peak(ctx), sf_mat_bytes(m));
    sf_mat_free(m);
    tu_ctx_done(ctx);
}
