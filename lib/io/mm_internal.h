/* lib/io/mm_internal.h — the Matrix Market reader's parser state, shared by
 * its three files: mm_lex.c (tokens and numbers), mm_header.c (banner and
 * size line) and mm_read.c (entries, CSR build, entry points). */
#ifndef SF_IO_MM_INTERNAL_H
#define SF_IO_MM_INTERNAL_H

#include "../mat/mat_internal.h"
#include "line_reader.h"
#include "sparsefirst/io.h"

/* A token of a line: not NUL-terminated, may hold any byte but ' ' and '\t'. */
typedef struct mm_tok {
    const char *s;
    size_t n;
} mm_tok;

/* One entry as listed in the file, 0-based (16 bytes, one array). */
typedef struct mm_entry {
    int32_t r, c;
    double v;
} mm_entry;

typedef struct mm_parser {
    sf_ctx *ctx;
    const char *name;   /* path or buffer name, first in every message */
    sf_line_reader lr;
    int64_t input_size; /* bytes of input if known, else -1 */
    sf_mm_info info;
    int64_t expected;   /* coordinate: entries announced; array: values listed */
    int64_t read;       /* how many of `expected` were read */
    int64_t ai, aj;     /* array format: position of the next value */
    mm_entry *e;        /* entries kept (array files: nonzeros only, unless keep_zeros) */
    bool keep_zeros;    /* array files read as arrays: every value, -0.0 included */
    int64_t n, cap;
} mm_parser;

/* Record "NAME: line N: <message>" on the context and return st.  mm_fail
 * names the current line, mm_fail_at an explicit one (end of file). */
sf_status mm_fail(mm_parser *p, sf_status st, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
sf_status mm_fail_at(mm_parser *p, int64_t line, sf_status st, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Split a line at spaces and tabs into at most max tokens; returns how many
 * were stored (callers ask for one more than they need to see extra text). */
int mm_split(const char *s, size_t n, mm_tok *tok, int max);

/* True for a line of only spaces and tabs, or whose first other byte is '%'. */
bool mm_skippable(const char *s, size_t n);

/* Numbers: 0 on success, 1 if the token is not a number of that kind,
 * 2 on overflow (int64 for integers, double range for reals). */
int mm_parse_int(mm_tok t, int64_t *out);
int mm_parse_real(mm_tok t, double *out);

/* A token made safe and short for a message: at most 24 bytes, bytes that
 * are not printable ASCII shown as '?', "..." when cut. */
#define MM_SHOW_MAX 32
const char *mm_show(mm_tok t, char buf[MM_SHOW_MAX]);

/* Read the banner and the size line: fills p->info and p->expected. */
sf_status mm_read_header(mm_parser *p);

/* Name of a symmetry as the banner spells it. */
const char *mm_symmetry_name(sf_mm_symmetry s);

#endif
