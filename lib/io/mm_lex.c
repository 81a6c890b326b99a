/* Matrix Market lexing: tokens, integers, reals, and the error message
 * format shared by every rejection ("NAME: line N: ..."). */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "mm_internal.h"

static sf_status vfail(mm_parser *p, int64_t line, sf_status st, const char *fmt, va_list ap) {
    char msg[SF_MESSAGE_MAX];
    vsnprintf(msg, sizeof msg, fmt, ap);
    return sf_error(p->ctx, st, "%s: line %lld: %s", p->name, (long long)line, msg);
}

sf_status mm_fail(mm_parser *p, sf_status st, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vfail(p, p->lr.lineno, st, fmt, ap);
    va_end(ap);
    return st;
}

sf_status mm_fail_at(mm_parser *p, int64_t line, sf_status st, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vfail(p, line, st, fmt, ap);
    va_end(ap);
    return st;
}

static bool is_blank(char c) { return c == ' ' || c == '\t'; }

int mm_split(const char *s, size_t n, mm_tok *tok, int max) {
    int k = 0;
    size_t i = 0;
    while (k < max) {
        while (i < n && is_blank(s[i])) i++;
        if (i == n) break;
        size_t b = i;
        while (i < n && !is_blank(s[i])) i++;
        tok[k++] = (mm_tok){s + b, i - b};
    }
    return k;
}

bool mm_skippable(const char *s, size_t n) {
    size_t i = 0;
    while (i < n && is_blank(s[i])) i++;
    return i == n || s[i] == '%';
}

/* Hand-written rather than strtoll: no locale, no leading whitespace, no
 * base prefixes, and the whole token must be digits. */
int mm_parse_int(mm_tok t, int64_t *out) {
    size_t i = 0;
    bool neg = false;
    if (t.n > 0 && (t.s[0] == '+' || t.s[0] == '-')) neg = t.s[i++] == '-';
    if (i == t.n) return 1;
    uint64_t v = 0, limit = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
    uint64_t top = limit / 10, last = limit % 10; /* hoisted: no division per digit */
    bool overflow = false;
    for (; i < t.n; i++) {
        unsigned d = (unsigned char)t.s[i] - '0';
        if (d > 9) return 1;
        if (v > top || (v == top && d > last)) overflow = true; /* keep scanning: syntax wins */
        else v = v * 10 + d;
    }
    if (overflow) return 2;
    *out = neg ? (int64_t)(0 - v) : (int64_t)v;
    return 0;
}

/* strtod, restricted to what a Matrix Market writer produces: decimal
 * numbers, inf and nan; no hexadecimal floats, no leading whitespace.  An
 * overflow (1e400) is an error; an underflow gives the denormal or zero
 * strtod rounds to, which is the closest double. */
int mm_parse_real(mm_tok t, double *out) {
    if (t.n == 0) return 1;
    size_t i = t.s[0] == '+' || t.s[0] == '-';
    if (i == t.n) return 1;
    char c = t.s[i];
    bool digit = (c >= '0' && c <= '9') || c == '.';
    bool word = c == 'i' || c == 'I' || c == 'n' || c == 'N';
    if (!digit && !word) return 1;
    if (c == '0' && i + 1 < t.n && (t.s[i + 1] == 'x' || t.s[i + 1] == 'X')) return 1;
    /* The line is NUL-terminated and the token ends at a blank or at the
     * NUL, so strtod cannot read past the line; it stops early on an
     * embedded NUL, which the length check then rejects. */
    char *end;
    errno = 0;
    double v = strtod(t.s, &end);
    if (end != t.s + t.n) return 1;
    if (errno == ERANGE && fabs(v) > 1.0) return 2;
    *out = v;
    return 0;
}

const char *mm_show(mm_tok t, char buf[MM_SHOW_MAX]) {
    size_t n = t.n > 24 ? 24 : t.n, k = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)t.s[i];
        buf[k++] = c >= 0x20 && c < 0x7f ? (char)c : '?';
    }
    if (t.n > n)
        for (int d = 0; d < 3; d++) buf[k++] = '.';
    buf[k] = '\0';
    return buf;
}
