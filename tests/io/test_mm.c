/* Matrix Market reader on memory buffers: what is accepted and how it is
 * read, and every kind of malformed input with its exact message.  Every
 * rejection must leave the output pointer and the info untouched and nothing
 * allocated. */
#include <math.h>
#include <stdlib.h>

#include "testutil.h"

#define COORD(field, sym) "%%MatrixMarket matrix coordinate " field " " sym "\n"
#define GEN COORD("real", "general")
#define ARRAY(sym) "%%MatrixMarket matrix array real " sym "\n"

/* Read `len` bytes named "t" and expect failure with status and message. */
static void expect_fail_n(const char *text, size_t len, sf_status want, const char *msg) {
    sf_ctx *ctx = tu_ctx();
    sf_mat *m = (sf_mat *)0x1;
    sf_mm_info info, sentinel;
    memset(&sentinel, 0xAB, sizeof sentinel);
    info = sentinel;
    sf_status st = sf_mm_read_buffer(ctx, text, len, "t", &m, &info);
    cr_assert_eq(st, want, "input <<%s>>: got %s: %s", text, sf_status_name(st), sf_ctx_message(ctx));
    cr_assert_str_eq(sf_ctx_message(ctx), msg, "input <<%s>>", text);
    cr_assert_eq(m, (sf_mat *)0x1, "output untouched");
    cr_assert(memcmp(&info, &sentinel, sizeof info) == 0, "info untouched");
    tu_ctx_done(ctx);
}
#define expect_fail(text, st, msg) expect_fail_n(text, strlen(text), st, msg)

static sf_mat *read_ok(sf_ctx *ctx, const char *text, sf_mm_info *info) {
    sf_mat *m = NULL;
    cr_assert_eq(sf_mm_read_buffer(ctx, text, strlen(text), "t", &m, info), SF_OK, "<<%s>>: %s",
                 text, sf_ctx_message(ctx));
    return m;
}

/* Read text and compare with a row-major dense matrix, bit for bit. */
static void expect_dense(const char *text, int64_t r, int64_t c, int64_t nnz, const double *want) {
    sf_ctx *ctx = tu_ctx();
    sf_mat *m = read_ok(ctx, text, NULL);
    cr_assert_eq(sf_mat_rows(m), r);
    cr_assert_eq(sf_mat_cols(m), c);
    cr_assert_eq(sf_mat_nnz(m), nnz, "<<%s>>: nnz %lld", text, (long long)sf_mat_nnz(m));
    double *d = tu_dense_of(ctx, m);
    for (int64_t k = 0; k < r * c; k++)
        cr_assert(memcmp(&d[k], &want[k], sizeof *d) == 0, "<<%s>>: element %lld is %g, want %g",
                  text, (long long)k, d[k], want[k]);
    free(d);
    sf_mat_free(m);
    tu_ctx_done(ctx);
}

/* ------------------------------------------------------------ accepted */

Test(mm_read, general_with_duplicates_summed_and_info) {
    sf_ctx *ctx = tu_ctx();
    sf_mm_info info;
    sf_mat *m = read_ok(ctx, GEN "% a comment\n2 3 4\n1 1 1.5\n2 3 -2\n1 1 2.5\n2 1 1e-3\n", &info);
    cr_assert_eq(info.format, SF_MM_COORDINATE);
    cr_assert_eq(info.field, SF_MM_REAL);
    cr_assert_eq(info.symmetry, SF_MM_GENERAL);
    cr_assert_eq(info.rows, 2);
    cr_assert_eq(info.cols, 3);
    cr_assert_eq(info.entries, 4);
    cr_assert_eq(sf_mat_kind(m), SF_CSR);
    cr_assert_eq(sf_mat_nnz(m), 3);
    double *d = tu_dense_of(ctx, m), want[] = {4, 0, 0, 1e-3, 0, -2};
    cr_assert_arr_eq(d, want, sizeof want);
    free(d);
    sf_mat_free(m);
    tu_ctx_done(ctx);
}

Test(mm_read, symmetric_expanded_to_both_triangles) {
    double want[] = {1, 2, 0, 2, 0, 3, 0, 3, 4};
    expect_dense(COORD("real", "symmetric") "3 3 4\n1 1 1\n2 1 2\n3 2 3\n3 3 4\n", 3, 3, 6, want);
}

Test(mm_read, skew_symmetric_mirror_is_negated) {
    double want[] = {0, -2, 1.5, 2, 0, 0, -1.5, 0, 0};
    expect_dense(COORD("real", "skew-symmetric") "3 3 2\n2 1 2\n3 1 -1.5\n", 3, 3, 4, want);
}

Test(mm_read, pattern_and_integer_fields) {
    double pat[] = {2, 0, 1, 1};
    expect_dense(COORD("pattern", "general") "2 2 4\n1 1\n1 1\n2 1\n2 2\n", 2, 2, 3, pat);
    double psym[] = {1, 1, 1, 0};
    expect_dense(COORD("pattern", "symmetric") "2 2 2\n1 1\n2 1\n", 2, 2, 3, psym);
    double ints[] = {-7, 0, 0, 9007199254740992.0};
    expect_dense(COORD("integer", "general") "2 2 2\n1 1 -7\n2 2 +9007199254740992\n", 2, 2, 2, ints);
}

Test(mm_read, array_column_major_zeros_dropped) {
    double gen[] = {1, 0, 5, 2, 4, 0};
    expect_dense(ARRAY("general") "2 3\n1\n2\n0\n4\n5\n0\n", 2, 3, 4, gen);
    double sym[] = {1, 2, 3, 2, 4, 5, 3, 5, 6};
    expect_dense(ARRAY("symmetric") "3 3\n1\n2\n3\n4\n5\n6\n", 3, 3, 9, sym);
    double skew[] = {0, -1, -2, 1, 0, -3, 2, 3, 0};
    expect_dense(ARRAY("skew-symmetric") "3 3\n1\n2\n3\n", 3, 3, 6, skew);
    double ints[] = {3, -1};
    expect_dense("%%MatrixMarket matrix array integer general\n1 2\n3\n-1\n", 1, 2, 2, ints);
}

Test(mm_read, empty_matrices) {
    expect_dense(GEN "0 0 0\n", 0, 0, 0, NULL);
    double z[15] = {0};
    expect_dense(GEN "5 3 0\n", 5, 3, 0, z);
    expect_dense(ARRAY("general") "0 4\n", 0, 4, 0, NULL);
    double one[] = {0};
    expect_dense(ARRAY("skew-symmetric") "1 1\n", 1, 1, 0, one);
}

/* Decisions: blank lines and comment lines are allowed anywhere after the
 * banner; CRLF line endings, tabs, leading and trailing blanks, and a last
 * line without newline are accepted; keywords are case-insensitive. */
Test(mm_read, lenient_layout) {
    double want[] = {1, 0, 0, 2};
    expect_dense(GEN "\n% c\n  \n2 2 2\n\n1 1 1\n% between\n\t\n2 2 2\n\n", 2, 2, 2, want);
    expect_dense(GEN "2 2 2\r\n1 1 1\r\n2 2 2\r\n", 2, 2, 2, want);
    expect_dense("%%MatrixMarket matrix coordinate real general\r\n% c\r\n2 2 2\r\n1 1 1\r\n2 2 2",
                 2, 2, 2, want);
    expect_dense("%%MatrixMarket MATRIX Coordinate REAL General\n  2\t2 2  \n\t1 1\t1\n 2  2 2 \t\n",
                 2, 2, 2, want);
    expect_dense("%%MatrixMarket matrix coordinate real general   \n2 2 2\n1 1 1\n2 2 2", 2, 2, 2,
                 want);
}

/* Decisions on values: an overflow (1e400) is rejected (see the error tests);
 * an underflow gives the nearest double (denormal or zero); inf and nan, as
 * %g writes them, are accepted; -0 keeps its sign in a coordinate file (it is
 * a stored entry) but is dropped from an array file like every exact zero. */
Test(mm_read, special_values) {
    sf_ctx *ctx = tu_ctx();
    sf_mat *m = read_ok(ctx, GEN "1 6 6\n1 1 -0\n1 2 4.9406564584124654e-324\n1 3 1e-400\n"
                                 "1 4 inf\n1 5 -nan\n1 6 .5E+1\n", NULL);
    cr_assert_eq(sf_mat_nnz(m), 6, "explicit zeros of a coordinate file are kept");
    double v[6];
    int64_t rp[2];
    int32_t ci[6];
    cr_assert_eq(sf_mat_export_csr(ctx, m, rp, ci, v), SF_OK);
    cr_assert(v[0] == 0.0 && signbit(v[0]));
    cr_assert_eq(v[1], 0x1p-1074);
    cr_assert(v[2] == 0.0 && !signbit(v[2]));
    cr_assert(isinf(v[3]) && v[3] > 0);
    cr_assert(isnan(v[4]));
    cr_assert_eq(v[5], 5.0);
    sf_mat_free(m);
    m = read_ok(ctx, ARRAY("general") "3 1\n-0\n0.0\n1e-400\n", NULL);
    cr_assert_eq(sf_mat_nnz(m), 0, "zeros of an array file are dropped");
    sf_mat_free(m);
    tu_ctx_done(ctx);
}

Test(mm_read, null_arguments_and_default_name) {
    sf_ctx *ctx = tu_ctx();
    sf_mat *m = NULL;
    cr_assert_eq(sf_mm_read_buffer(NULL, "x", 1, "t", &m, NULL), SF_ERR_ARG);
    cr_assert_eq(sf_mm_read_buffer(ctx, "x", 1, "t", NULL, NULL), SF_ERR_ARG);
    cr_assert_eq(sf_mm_read_buffer(ctx, NULL, 3, "t", &m, NULL), SF_ERR_ARG);
    cr_assert_str_eq(sf_ctx_message(ctx), "sf_mm_read_buffer: NULL argument");
    cr_assert_eq(sf_mm_read_buffer(ctx, NULL, 0, NULL, &m, NULL), SF_ERR_FORMAT);
    cr_assert_str_eq(sf_ctx_message(ctx),
                     "<buffer>: line 1: empty file, expected a %%MatrixMarket banner");
    cr_assert_eq(sf_mm_read(ctx, NULL, &m, NULL), SF_ERR_ARG);
    cr_assert_null(m);
    tu_ctx_done(ctx);
}

/* -------------------------------------------------------------- banner */

Test(mm_errors, banner) {
    expect_fail("", SF_ERR_FORMAT, "t: line 1: empty file, expected a %%MatrixMarket banner");
    expect_fail("% only\n% comments\n", SF_ERR_FORMAT, "t: line 1: missing %%MatrixMarket banner");
    expect_fail("\n" GEN "1 1 0\n", SF_ERR_FORMAT, "t: line 1: missing %%MatrixMarket banner");
    expect_fail("MatrixMarket matrix coordinate real general\n", SF_ERR_FORMAT,
                "t: line 1: missing %%MatrixMarket banner");
    expect_fail("%%matrixmarket matrix coordinate real general\n", SF_ERR_FORMAT,
                "t: line 1: missing %%MatrixMarket banner");
    expect_fail("%%MatrixMarket matrix coordinate real\n", SF_ERR_FORMAT,
                "t: line 1: incomplete banner: expected "
                "'%%MatrixMarket matrix <format> <field> <symmetry>'");
    expect_fail("%%MatrixMarket vector coordinate real general\n", SF_ERR_FORMAT,
                "t: line 1: unknown object 'vector' (expected 'matrix')");
    expect_fail("%%MatrixMarket matrix sparse real general\n", SF_ERR_FORMAT,
                "t: line 1: unknown format 'sparse' (expected coordinate or array)");
    expect_fail("%%MatrixMarket matrix coordinate double general\n", SF_ERR_FORMAT,
                "t: line 1: unknown field 'double' (expected real, integer, pattern or complex)");
    expect_fail("%%MatrixMarket matrix coordinate real skew\n", SF_ERR_FORMAT,
                "t: line 1: unknown symmetry 'skew' (expected general, symmetric, "
                "skew-symmetric or hermitian)");
    expect_fail("%%MatrixMarket matrix coordinate real general extra\n", SF_ERR_FORMAT,
                "t: line 1: unexpected 'extra' after the banner");
}

Test(mm_errors, banner_combinations) {
    expect_fail(COORD("complex", "general") "1 1 1\n1 1 1 0\n", SF_ERR_UNSUPPORTED,
                "t: line 1: complex matrices are not supported yet");
    expect_fail(COORD("Complex", "hermitian"), SF_ERR_UNSUPPORTED,
                "t: line 1: complex matrices are not supported yet");
    expect_fail("%%MatrixMarket matrix array pattern general\n", SF_ERR_FORMAT,
                "t: line 1: the pattern field cannot be used with the array format");
    expect_fail(COORD("real", "hermitian"), SF_ERR_FORMAT,
                "t: line 1: hermitian symmetry needs the complex field");
    expect_fail(COORD("pattern", "skew-symmetric"), SF_ERR_FORMAT,
                "t: line 1: skew-symmetric symmetry cannot be used with the pattern field");
}

/* ----------------------------------------------------------- size line */

Test(mm_errors, size_line) {
    expect_fail(GEN, SF_ERR_FORMAT, "t: line 2: unexpected end of file, expected the size line");
    expect_fail(GEN "% only comments\n\n", SF_ERR_FORMAT,
                "t: line 4: unexpected end of file, expected the size line");
    expect_fail(GEN "3 3\n", SF_ERR_FORMAT,
                "t: line 2: size line needs 3 integers (rows cols entries), found 2 fields");
    expect_fail(ARRAY("general") "3\n", SF_ERR_FORMAT,
                "t: line 2: size line needs 2 integers (rows cols), found 1 field");
    expect_fail(GEN "3 3 1 junk\n", SF_ERR_FORMAT, "t: line 2: unexpected 'junk' after the size line");
    expect_fail(ARRAY("general") "3 3 9\n", SF_ERR_FORMAT,
                "t: line 2: unexpected '9' after the size line");
    expect_fail(GEN "3 x 1\n", SF_ERR_FORMAT, "t: line 2: column count 'x' is not an integer");
    expect_fail(GEN "3 3 1.0\n", SF_ERR_FORMAT, "t: line 2: entry count '1.0' is not an integer");
    expect_fail(GEN "3 3 0x1\n", SF_ERR_FORMAT, "t: line 2: entry count '0x1' is not an integer");
    expect_fail(GEN "-3 3 1\n", SF_ERR_FORMAT, "t: line 2: row count -3 is negative");
    expect_fail(GEN "3 3 -1\n", SF_ERR_FORMAT, "t: line 2: entry count -1 is negative");
    expect_fail(GEN "% c\n3 3 1 % c\n", SF_ERR_FORMAT, "t: line 3: unexpected '%' after the size line");
}

Test(mm_errors, size_overflow_and_limits) {
    expect_fail(GEN "99999999999999999999 3 1\n", SF_ERR_TOO_LARGE,
                "t: line 2: row count 99999999999999999999 does not fit in 64 bits");
    expect_fail(GEN "3 3 9223372036854775808\n", SF_ERR_TOO_LARGE,
                "t: line 2: entry count 9223372036854775808 does not fit in 64 bits");
    expect_fail(GEN "3 2147483648 1\n", SF_ERR_TOO_LARGE,
                "t: line 2: column count 2147483648 exceeds the limit 2147483647 (2^31 - 1)");
    expect_fail(ARRAY("general") "9223372036854775807 1\n", SF_ERR_TOO_LARGE,
                "t: line 2: row count 9223372036854775807 exceeds the limit 2147483647 (2^31 - 1)");
    /* more entries than positions: legal with duplicates, which are summed */
    expect_dense(GEN "1 1 2\n1 1 1\n1 1 2\n", 1, 1, 1, (double[]){3});
    expect_dense(COORD("real", "symmetric") "2 2 4\n1 1 1\n2 1 2\n2 2 3\n2 1 4\n", 2, 2, 4,
                 (double[]){1, 6, 6, 3});
    expect_dense(COORD("real", "skew-symmetric") "2 2 2\n2 1 1\n2 1 2\n", 2, 2, 2,
                 (double[]){0, -3, 3, 0});
    expect_fail(GEN "3 3 10\n1 1 1\n", SF_ERR_FORMAT,
                "t: line 4: unexpected end of file after 1 of 10 entries");
    expect_fail(COORD("real", "symmetric") "3 4 1\n", SF_ERR_FORMAT,
                "t: line 2: a symmetric matrix must be square, not 3 x 4");
    expect_fail(GEN "0 5 1\n", SF_ERR_FORMAT,
                "t: line 2: 1 entries announced but a general 0 x 5 matrix holds at most 0");
}

/* ---------------------------------------------------------- entry lines */

Test(mm_errors, entry_counts) {
    expect_fail(GEN "3 3 3\n1 1 1\n2 2 2\n", SF_ERR_FORMAT,
                "t: line 5: unexpected end of file after 2 of 3 entries");
    expect_fail(GEN "3 3 3\n1 1 1\n2 2 2", SF_ERR_FORMAT,
                "t: line 5: unexpected end of file after 2 of 3 entries");
    expect_fail(GEN "3 3 1\n", SF_ERR_FORMAT, "t: line 3: unexpected end of file after 0 of 1 entries");
    expect_fail(GEN "3 3 1\n1 1 1\n\n2 2 2\n", SF_ERR_FORMAT,
                "t: line 5: more entries than the 1 announced");
    expect_fail(GEN "3 3 0\n1 1 1\n", SF_ERR_FORMAT, "t: line 3: more entries than the 0 announced");
    expect_fail(ARRAY("general") "2 2\n1\n2\n3\n", SF_ERR_FORMAT,
                "t: line 6: unexpected end of file after 3 of 4 values");
    expect_fail(ARRAY("general") "2 2\n1\n2\n3\n4\n5\n", SF_ERR_FORMAT,
                "t: line 7: more values than the 4 expected");
    expect_fail(ARRAY("symmetric") "2 2\n1\n2\n3\n4\n", SF_ERR_FORMAT,
                "t: line 6: more values than the 3 expected");
}

Test(mm_errors, indices) {
    expect_fail(GEN "30 30 2\n1 1 1\n1 0 2\n", SF_ERR_FORMAT,
                "t: line 4: column index 0 is out of range [1, 30]");
    expect_fail(GEN "30 30 1\n0 1 1\n", SF_ERR_FORMAT, "t: line 3: row index 0 is out of range [1, 30]");
    expect_fail(GEN "30 30 1\n-1 1 1\n", SF_ERR_FORMAT,
                "t: line 3: row index -1 is out of range [1, 30]");
    expect_fail(GEN "30 20 1\n25 21 1\n", SF_ERR_FORMAT,
                "t: line 3: column index 21 is out of range [1, 20]");
    expect_fail(GEN "30 20 1\n31 1 1\n", SF_ERR_FORMAT,
                "t: line 3: row index 31 is out of range [1, 30]");
    expect_fail(GEN "3 3 1\n99999999999999999999 1 1\n", SF_ERR_FORMAT,
                "t: line 3: row index 99999999999999999999 is out of range [1, 3]");
    expect_fail(GEN "3 3 1\n4294967297 1 1\n", SF_ERR_FORMAT,
                "t: line 3: row index 4294967297 is out of range [1, 3]");
    expect_fail(GEN "3 3 1\n1.0 1 1\n", SF_ERR_FORMAT, "t: line 3: row index '1.0' is not an integer");
    expect_fail(GEN "3 3 1\n1 a 1\n", SF_ERR_FORMAT, "t: line 3: column index 'a' is not an integer");
    expect_fail(GEN "3 3 1\n1 - 1\n", SF_ERR_FORMAT, "t: line 3: column index '-' is not an integer");
}

Test(mm_errors, fields_and_values) {
    expect_fail(GEN "3 3 1\n1 1\n", SF_ERR_FORMAT,
                "t: line 3: expected 3 fields (row col value), found 2");
    expect_fail(COORD("pattern", "general") "3 3 1\n1\n", SF_ERR_FORMAT,
                "t: line 3: expected 2 fields (row col), found 1");
    expect_fail(COORD("pattern", "general") "3 3 1\n1 1 1\n", SF_ERR_FORMAT,
                "t: line 3: unexpected '1' after the entry");
    expect_fail(GEN "3 3 1\n1 1 1 x\n", SF_ERR_FORMAT, "t: line 3: unexpected 'x' after the entry");
    expect_fail(GEN "3 3 1\n1 1 1 % c\n", SF_ERR_FORMAT, "t: line 3: unexpected '%' after the entry");
    expect_fail(GEN "3 3 1\n1 1 abc\n", SF_ERR_FORMAT, "t: line 3: value 'abc' is not a number");
    expect_fail(GEN "3 3 1\n1 1 1x\n", SF_ERR_FORMAT, "t: line 3: value '1x' is not a number");
    expect_fail(GEN "3 3 1\n1 1 1,5\n", SF_ERR_FORMAT, "t: line 3: value '1,5' is not a number");
    expect_fail(GEN "3 3 1\n1 1 0x10\n", SF_ERR_FORMAT, "t: line 3: value '0x10' is not a number");
    expect_fail(GEN "3 3 1\n1 1 -\n", SF_ERR_FORMAT, "t: line 3: value '-' is not a number");
    expect_fail(GEN "3 3 1\n1 1 1e400\n", SF_ERR_FORMAT, "t: line 3: value 1e400 overflows a double");
    expect_fail(GEN "3 3 1\n1 1 -1e400\n", SF_ERR_FORMAT, "t: line 3: value -1e400 overflows a double");
    expect_fail(COORD("integer", "general") "3 3 1\n1 1 1.5\n", SF_ERR_FORMAT,
                "t: line 3: value '1.5' is not an integer");
    expect_fail(COORD("integer", "general") "3 3 1\n1 1 99999999999999999999\n", SF_ERR_FORMAT,
                "t: line 3: value 99999999999999999999 does not fit in 64 bits");
    expect_fail(ARRAY("general") "1 2\n1\n2 3\n", SF_ERR_FORMAT,
                "t: line 4: unexpected '3' after the value");
    expect_fail(ARRAY("general") "1 2\n1\nx\n", SF_ERR_FORMAT, "t: line 4: value 'x' is not a number");
    expect_fail(GEN "3 3 1\n1 1 12345678901234567890123456789x\n", SF_ERR_FORMAT,
                "t: line 3: value '123456789012345678901234...' is not a number");
}

Test(mm_errors, triangles) {
    expect_fail(COORD("real", "symmetric") "3 3 2\n1 1 1\n1 2 2\n", SF_ERR_FORMAT,
                "t: line 4: entry (1, 2) is above the diagonal in a symmetric file");
    expect_fail(COORD("pattern", "symmetric") "3 3 1\n2 3\n", SF_ERR_FORMAT,
                "t: line 3: entry (2, 3) is above the diagonal in a symmetric file");
    expect_fail(COORD("real", "skew-symmetric") "3 3 2\n2 1 1\n2 2 2\n", SF_ERR_FORMAT,
                "t: line 4: diagonal entry (2, 2) in a skew-symmetric file");
    expect_fail(COORD("real", "skew-symmetric") "3 3 1\n1 3 1\n", SF_ERR_FORMAT,
                "t: line 3: entry (1, 3) is above the diagonal in a skew-symmetric file");
}

/* Bytes that are not text: an embedded NUL, a lone CR, control characters;
 * they show as '?' in the message. */
Test(mm_errors, binary_bytes) {
    static const char nul[] = GEN "3 3 1\n1 1 1\0\n";
    expect_fail_n(nul, sizeof nul - 1, SF_ERR_FORMAT, "t: line 3: value '1?' is not a number");
    static const char nul_banner[] = "%%MatrixMarket\0matrix coordinate real general\n";
    expect_fail_n(nul_banner, sizeof nul_banner - 1, SF_ERR_FORMAT,
                  "t: line 1: missing %%MatrixMarket banner");
    expect_fail(GEN "3 3 1\n1 1\r1\n", SF_ERR_FORMAT,
                "t: line 3: expected 3 fields (row col value), found 2");
    expect_fail(GEN "3 3 1\n1 1 \x01\xff\n", SF_ERR_FORMAT, "t: line 3: value '?" "?' is not a number");
}

Test(mm_errors, line_too_long) {
    size_t n = (1u << 20) + 100;
    char *text = malloc(n + 64);
    strcpy(text, GEN "%");
    size_t h = strlen(text);
    memset(text + h, 'x', n);
    text[h + n] = '\0';
    expect_fail(text, SF_ERR_FORMAT, "t: line 2: line is longer than 1048576 bytes");
    free(text);
}
