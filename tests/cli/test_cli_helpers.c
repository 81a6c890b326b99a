/* The helpers of tools/sparsefirst/cli.h that subcommands build on, called
 * directly: option taking, positionals, sizes, timing, and the .mtx/.npy
 * readers and writers of cli_io.c. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "testutil.h"
#include <criterion/redirect.h>
#include "../../tools/sparsefirst/cli.h"

static char tmpdir[64];

static void setup(void) {
    snprintf(tmpdir, sizeof tmpdir, "/tmp/sf_clih_XXXXXX");
    cr_assert_not_null(mkdtemp(tmpdir));
    cr_redirect_stderr(); /* helpers print their error lines */
}

static void teardown(void) {
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    cr_assert_eq(system(cmd), 0);
}

TestSuite(cli_helpers, .init = setup, .fini = teardown);

static const char *tmp(const char *name) {
    static char bufs[4][256];
    static int next;
    char *b = bufs[next++ % 4];
    snprintf(b, 256, "%s/%s", tmpdir, name);
    return b;
}

static int dummy(cli *c) {
    (void)c;
    return 0;
}

static const cli_command test_cmd = {"test", "a test", dummy,
                                     "usage: sparsefirst test [options] A B\n\nmore text\n"};

/* A cli over argv (NULL-terminated), as main would hand it to a subcommand. */
static cli make(char **argv) {
    static bool used[32], literal[32];
    memset(used, 0, sizeof used);
    memset(literal, 0, sizeof literal);
    cli c = {0};
    c.cmd = &test_cmd;
    c.ctx = tu_ctx();
    c.repeat = 1;
    c.threads = 1;
    c.argv = argv;
    while (argv[c.argc]) c.argc++;
    c.used = used;
    c.literal = literal;
    return c;
}

Test(cli_helpers, options_in_any_place) {
    char *argv[] = {"-o", "out.npy", "--axis", "3", "--flag", "a.mtx", "--scale=2.5", "-7", NULL};
    cli c = make(argv);
    cr_assert_str_eq(cli_output(&c), "out.npy");
    cr_assert_eq(cli_int(&c, "--axis", 0, 0, 10), 3);
    cr_assert(cli_flag(&c, "--flag"));
    cr_assert_not(cli_flag(&c, "--other"));
    cr_assert_eq(cli_double(&c, "--scale", 1.0), 2.5);
    cr_assert_eq(cli_int(&c, "--absent", 42, 0, 100), 42);
    cr_assert_null(cli_string(&c, "--name"));
    const char *pos[2];
    cr_assert_eq(cli_args(&c, 2, 2, pos), CLI_OK);
    cr_assert_str_eq(pos[0], "a.mtx");
    cr_assert_str_eq(pos[1], "-7", "a negative number is a positional argument");
    tu_ctx_done(c.ctx);
}

Test(cli_helpers, last_occurrence_wins_and_output_spellings) {
    char *argv[] = {"-o", "a.npy", "x", "-o=b.npy", "--output", "c.npy", NULL};
    cli c = make(argv);
    cr_assert_str_eq(cli_output(&c), "c.npy");
    const char *pos[1];
    cr_assert_eq(cli_args(&c, 1, 1, pos), CLI_OK);
    cr_assert_str_eq(pos[0], "x");
    tu_ctx_done(c.ctx);
    char *argv2[] = {"-o", "a.npy", "-o", "b.npy", NULL};
    c = make(argv2);
    cr_assert_str_eq(cli_output(&c), "b.npy");
    tu_ctx_done(c.ctx);
    /* the spellings are one option: the last given wins whichever it is */
    char *argv3[] = {"--output", "a.npy", "-o", "b.npy", "y", NULL};
    c = make(argv3);
    cr_assert_str_eq(cli_output(&c), "b.npy");
    cr_assert_eq(cli_args(&c, 1, 1, pos), CLI_OK);
    cr_assert_str_eq(pos[0], "y");
    tu_ctx_done(c.ctx);
    char *argv4[] = {"-o=a.npy", "--output=b.npy", NULL};
    c = make(argv4);
    cr_assert_str_eq(cli_output(&c), "b.npy");
    tu_ctx_done(c.ctx);
}

Test(cli_helpers, usage_problems_reported_by_cli_args) {
    char *a1[] = {"x", "--axis", "11", NULL};
    cli c = make(a1);
    cr_assert_eq(cli_int(&c, "--axis", 5, 0, 10), 5, "default on a bad value");
    cr_assert_str_eq(c.usage_error, "bad number for '--axis': '11' (expected an integer from 0 to 10)");
    const char *pos[3];
    cr_assert_eq(cli_args(&c, 1, 1, pos), CLI_USAGE);
    tu_ctx_done(c.ctx);

    char *a2[] = {"x", "-o", NULL};
    c = make(a2);
    cr_assert_null(cli_output(&c));
    cr_assert_str_eq(c.usage_error, "option '-o' needs a value");
    tu_ctx_done(c.ctx);

    char *a3[] = {"x", "--scale", "nan", "--flag=1", NULL};
    c = make(a3);
    cr_assert_eq(cli_double(&c, "--scale", 1.0), 1.0);
    cr_assert_str_eq(c.usage_error, "bad number for '--scale': 'nan' (expected a finite number)");
    cli_flag(&c, "--flag");
    cr_assert_str_eq(c.usage_error, "bad number for '--scale': 'nan' (expected a finite number)",
                     "the first problem is kept");
    tu_ctx_done(c.ctx);

    char *a4[] = {"a", "--bogus", NULL};
    c = make(a4);
    cr_assert_eq(cli_args(&c, 1, 1, pos), CLI_USAGE, "unknown option");
    tu_ctx_done(c.ctx);
    char *a5[] = {"a", "b", "c", NULL};
    c = make(a5);
    cr_assert_eq(cli_args(&c, 1, 2, pos), CLI_USAGE, "one too many");
    cr_assert_eq(cli_args(&c, 3, 3, pos), CLI_OK);
    cr_assert_str_eq(pos[2], "c");
    tu_ctx_done(c.ctx);
    char *a7[] = {"a", NULL};
    c = make(a7);
    cr_assert_eq(cli_args(&c, 2, 3, pos), CLI_USAGE, "too few");
    cr_assert_eq(cli_args(&c, 0, 3, pos), CLI_OK);
    cr_assert_null(pos[1], "unused slots are NULL");
    tu_ctx_done(c.ctx);

    char *a6[] = {"--weird", NULL}; /* after "--" */
    c = make(a6);
    c.literal[0] = true;
    cr_assert_eq(cli_args(&c, 1, 1, pos), CLI_OK);
    cr_assert_str_eq(pos[0], "--weird");
    tu_ctx_done(c.ctx);
}

Test(cli_helpers, sizes) {
    size_t v;
    cr_assert(cli_parse_size("0", &v) && v == 0);
    cr_assert(cli_parse_size("123", &v) && v == 123);
    cr_assert(cli_parse_size("1K", &v) && v == 1024);
    cr_assert(cli_parse_size("1k", &v) && v == 1024);
    cr_assert(cli_parse_size("512M", &v) && v == 512u << 20);
    cr_assert(cli_parse_size("2G", &v) && v == (size_t)2 << 30);
    cr_assert(cli_parse_size("3t", &v) && v == (size_t)3 << 40);
    static const char *const bad[] = {"", "M", "-1", "+5", "12MB", "1.5G", "12Q", " 5",
                                      "16777216T", "99999999999999999999"};
    for (size_t k = 0; k < sizeof bad / sizeof *bad; k++)
        cr_assert_not(cli_parse_size(bad[k], &v), "'%s'", bad[k]);
}

typedef struct counter {
    int steps, undos, fail_at;
} counter;

static sf_status count_step(sf_ctx *ctx, void *arg) {
    counter *k = arg;
    if (++k->steps == k->fail_at) {
        sf_shape s;
        return sf_shape_make(ctx, -1, NULL, &s); /* any library failure */
    }
    return SF_OK;
}

static void count_undo(void *arg) { ((counter *)arg)->undos++; }

Test(cli_helpers, timed_runs_repeat_times_and_undoes_between) {
    char *argv[] = {NULL};
    cli c = make(argv);
    c.repeat = 5;
    counter k = {0, 0, 0};
    cr_assert_eq(cli_timed(&c, "what", count_step, count_undo, &k), CLI_OK);
    cr_assert_eq(k.steps, 5);
    cr_assert_eq(k.undos, 4, "the last result stays");
    cr_assert(c.timed);
    cr_assert_geq(c.seconds, 0.0);
    counter f = {0, 0, 3};
    cr_assert_eq(cli_timed(&c, "what", count_step, count_undo, &f), CLI_FAIL);
    cr_assert_eq(f.steps, 3);
    tu_ctx_done(c.ctx);
}

Test(cli_helpers, formats_by_extension) {
    cr_assert_eq(cli_format_of("a.mtx"), CLI_FORMAT_MTX);
    cr_assert_eq(cli_format_of("dir/A.MTX"), CLI_FORMAT_MTX);
    cr_assert_eq(cli_format_of("x.npy"), CLI_FORMAT_NPY);
    cr_assert_eq(cli_format_of("x.Npy"), CLI_FORMAT_NPY);
    cr_assert_eq(cli_format_of("npy"), CLI_FORMAT_UNKNOWN);
    cr_assert_eq(cli_format_of("x.npz"), CLI_FORMAT_UNKNOWN);
    cr_assert_eq(cli_check_format("x.txt"), CLI_USAGE);
    cr_assert_eq(cli_check_format("x.npy"), CLI_OK);
}

Test(cli_helpers, reads_and_writes_in_both_formats) {
    char *argv[] = {NULL};
    cli c = make(argv);
    double d[6] = {1, 0, 2, 0, 0, 3};
    sf_shape s = {2, {2, 3}};
    cr_assert_eq(sf_npy_write(c.ctx, tmp("m.npy"), SF_NPY_F8, &s, d), SF_OK);

    sf_mat *m = NULL;
    sf_mm_info info;
    cr_assert_eq(cli_read_mat(&c, tmp("m.npy"), &m, &info), CLI_OK);
    cr_assert_eq(sf_mat_nnz(m), 3);
    cr_assert_eq(info.rows, 2);
    cr_assert_eq(info.cols, 3);
    cr_assert_eq(cli_write_mat(&c, tmp("m.mtx"), m), CLI_OK);
    cr_assert_eq(cli_write_mat(&c, tmp("m2.npy"), m), CLI_OK);
    sf_mat_free(m);

    sf_array *a = NULL;
    cr_assert_eq(cli_read_array(&c, tmp("m.mtx"), &a), CLI_OK);
    cr_assert_eq(a->dtype, SF_NPY_F8);
    cr_assert_eq(a->shape.ndim, 2);
    cr_assert_arr_eq(a->data, d, sizeof d);
    cr_assert_eq(cli_write_array(&c, tmp("dense.mtx"), a), CLI_OK);
    sf_array_free(a);
    cr_assert_eq(cli_read_array(&c, tmp("m2.npy"), &a), CLI_OK);
    cr_assert_arr_eq(a->data, d, sizeof d);
    sf_array_free(a);
    cr_assert_eq(cli_read_mat(&c, tmp("dense.mtx"), &m, &info), CLI_OK);
    cr_assert_eq(info.format, SF_MM_ARRAY);
    double *back = tu_dense_of(c.ctx, m);
    cr_assert_arr_eq(back, d, sizeof d);
    free(back);
    sf_mat_free(m);

    /* integers become float64; complex and 3-d arrays are not matrices */
    int32_t iv[3] = {4, 0, -5};
    sf_shape v = {1, {3}};
    cr_assert_eq(sf_npy_write(c.ctx, tmp("i.npy"), SF_NPY_I4, &v, iv), SF_OK);
    cr_assert_eq(cli_read_mat(&c, tmp("i.npy"), &m, NULL), CLI_OK);
    cr_assert_eq(sf_mat_rows(m), 3);
    cr_assert_eq(sf_mat_cols(m), 1);
    cr_assert_eq(sf_mat_nnz(m), 2);
    sf_mat_free(m);
    double z[6] = {0};
    cr_assert_eq(sf_npy_write(c.ctx, tmp("z.npy"), SF_NPY_C16, &v, z), SF_OK);
    m = (sf_mat *)0x1;
    cr_assert_eq(cli_read_mat(&c, tmp("z.npy"), &m, NULL), CLI_FAIL);
    cr_assert_eq(m, (sf_mat *)0x1);
    cr_assert_eq(cli_read_array(&c, tmp("z.npy"), &a), CLI_OK);
    cr_assert_eq(cli_write_array(&c, tmp("z.mtx"), a), CLI_FAIL);
    sf_array_free(a);
    cr_assert_eq(cli_read_mat(&c, tmp("missing.mtx"), &m, NULL), CLI_FAIL);
    cr_assert_eq(cli_read_array(&c, tmp("missing.npy"), &a), CLI_FAIL);
    cr_assert_eq(cli_read_mat(&c, "x.txt", &m, NULL), CLI_USAGE);
    tu_ctx_done(c.ctx);
}

Test(cli_helpers, file_load_maps_regular_and_empty_files) {
    char *argv[] = {NULL};
    cli c = make(argv);
    FILE *f = fopen(tmp("e.mtx"), "wb");
    fclose(f);
    cli_file file;
    cr_assert_eq(cli_file_load(&c, tmp("e.mtx"), &file), CLI_OK);
    cr_assert_eq(file.len, 0);
    cli_file_release(&file);
    f = fopen(tmp("h.mtx"), "wb");
    fputs("hello", f);
    fclose(f);
    cr_assert_eq(cli_file_load(&c, tmp("h.mtx"), &file), CLI_OK);
    cr_assert_eq(file.len, 5);
    cr_assert_arr_eq(file.data, "hello", 5);
    cli_file_release(&file);
    cr_assert_eq(cli_file_load(&c, tmp("none.mtx"), &file), CLI_FAIL);
    cr_assert_eq(cli_file_load(&c, tmpdir, &file), CLI_FAIL);
    tu_ctx_done(c.ctx);
}
