/* The shared machinery of the subcommands: option helpers, the one-line
 * error reports and the timing of the compute step.  See cli.h for the
 * contract. */
#include "cli.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ------------------------------------------------------------ errors */

static void vreport(const char *fmt, va_list ap) {
    char line[2048];
    vsnprintf(line, sizeof line, fmt, ap);
    /* one line, whatever the message held */
    for (char *p = line; *p; p++)
        if (*p == '\n' || *p == '\r') *p = ' ';
    fflush(stdout);
    fprintf(stderr, "sparsefirst: error: %s\n", line);
}

int cli_error(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vreport(fmt, ap);
    va_end(ap);
    return CLI_FAIL;
}

int cli_usage_error(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vreport(fmt, ap);
    va_end(ap);
    return CLI_USAGE;
}

int cli_ctx_error(cli *c, const char *what) {
    const char *msg = sf_ctx_message(c->ctx);
    size_t n = what ? strlen(what) : 0;
    if (!what || (strncmp(msg, what, n) == 0 && msg[n] == ':' && msg[n + 1] == ' '))
        return cli_error("%s", msg);
    return cli_error("%s: %s", what, msg);
}

/* ------------------------------------------------------------ options */

/* Record the first usage error only: it is the one the user should fix first. */
static void usage_problem(cli *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void usage_problem(cli *c, const char *fmt, ...) {
    if (c->usage_error[0]) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->usage_error, sizeof c->usage_error, fmt, ap);
    va_end(ap);
}

/* The name of names[] that argument a spells ("--name" or "--name=V"), or
 * NULL. */
static const char *spelled(const char *a, const char *const *names, int count) {
    for (int k = 0; k < count; k++) {
        size_t n = strlen(names[k]);
        if (!strncmp(a, names[k], n) && (a[n] == '=' || a[n] == '\0')) return names[k];
    }
    return NULL;
}

/* Find the last "--name", "--name=V" (and, when it takes a value, "--name V")
 * not yet used, under any of the `count` spellings in names (aliases such as
 * -o and --output: the last of either wins); consume it and return its value
 * through *value (NULL for a flag).  Earlier occurrences are consumed too. */
static bool take_any(cli *c, const char *const *names, int count, bool has_value,
                     const char **value) {
    bool found = false;
    for (int i = 0; i < c->argc; i++) {
        const char *a = c->argv[i], *name;
        if (c->used[i] || c->literal[i] || !(name = spelled(a, names, count))) continue;
        size_t n = strlen(name);
        if (a[n] == '=') {
            if (!has_value) usage_problem(c, "option '%s' takes no value", name);
            *value = a + n + 1;
        } else {
            *value = NULL;
            if (has_value) {
                if (i + 1 < c->argc && !c->used[i + 1]) {
                    *value = c->argv[i + 1];
                    c->used[i + 1] = true; /* and skipped by the loop */
                } else {
                    usage_problem(c, "option '%s' needs a value", name);
                }
            }
        }
        c->used[i] = true;
        found = true;
    }
    return found;
}

static bool take(cli *c, const char *name, bool has_value, const char **value) {
    return take_any(c, &name, 1, has_value, value);
}

bool cli_flag(cli *c, const char *name) {
    const char *v;
    return take(c, name, false, &v);
}

const char *cli_string(cli *c, const char *name) {
    const char *v = NULL;
    return take(c, name, true, &v) ? v : NULL;
}

const char *cli_output(cli *c) {
    static const char *const names[] = {"-o", "--output"};
    const char *v = NULL;
    return take_any(c, names, 2, true, &v) ? v : NULL;
}

static bool parse_i64(const char *s, int64_t *out) {
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno || end == s || *end) return false;
    *out = v;
    return true;
}

int64_t cli_int(cli *c, const char *name, int64_t def, int64_t min, int64_t max) {
    const char *s = cli_string(c, name);
    int64_t v;
    if (!s) return def;
    if (!parse_i64(s, &v) || v < min || v > max) {
        usage_problem(c, "bad number for '%s': '%s' (expected an integer from %lld to %lld)", name,
                      s, (long long)min, (long long)max);
        return def;
    }
    return v;
}

double cli_double(cli *c, const char *name, double def) {
    const char *s = cli_string(c, name);
    if (!s) return def;
    char *end;
    double v = strtod(s, &end);
    if (end == s || *end || !isfinite(v)) {
        usage_problem(c, "bad number for '%s': '%s' (expected a finite number)", name, s);
        return def;
    }
    return v;
}

bool cli_parse_size(const char *s, size_t *out) {
    char *end;
    if (*s < '0' || *s > '9') return false;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno) return false;
    static const char units[] = "KMGT";
    const char *u = *end ? strchr(units, *end & ~0x20) : NULL;
    int shift = u ? 10 * (int)(u - units + 1) : 0;
    if (*end && (!u || end[1])) return false;
    if (shift && v > (SIZE_MAX >> shift)) return false;
    *out = (size_t)v << shift;
    return true;
}

/* A number such as "-3" is a positional argument, not an option. */
static bool looks_like_option(const char *a) {
    return a[0] == '-' && a[1] != '\0' && !(a[1] >= '0' && a[1] <= '9') && a[1] != '.';
}

int cli_args(cli *c, int min, int max, const char **pos) {
    if (c->usage_error[0]) return cli_usage_error("%s", c->usage_error);
    for (int i = 0; i < c->argc; i++)
        if (!c->used[i] && !c->literal[i] && looks_like_option(c->argv[i]))
            return cli_usage_error("unknown option '%s'", c->argv[i]);
    const char *nl = strchr(c->cmd->usage, '\n');
    int syn = nl ? (int)(nl - c->cmd->usage) : (int)strlen(c->cmd->usage);
    int n = 0;
    for (int i = 0; i < c->argc; i++) {
        if (c->used[i]) continue;
        if (n == max)
            return cli_usage_error("unexpected argument '%s' (%.*s)", c->argv[i], syn,
                                   c->cmd->usage);
        pos[n++] = c->argv[i];
    }
    if (n < min) return cli_usage_error("missing argument (%.*s)", syn, c->cmd->usage);
    for (int k = n; k < max; k++) pos[k] = NULL;
    return CLI_OK;
}

/* ------------------------------------------------------------ timing */

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int cli_timed(cli *c, const char *what, cli_step_fn step, cli_undo_fn undo, void *arg) {
    int n = c->repeat > 0 ? c->repeat : 1;
    double *t = malloc((size_t)n * sizeof *t);
    if (!t) return cli_error("%s: out of memory for %d timings", what, n);
    for (int k = 0; k < n; k++) {
        if (k > 0 && undo) undo(arg);
        double t0 = now();
        sf_status st = step(c->ctx, arg);
        t[k] = now() - t0;
        if (st) {
            free(t);
            return cli_ctx_error(c, what);
        }
    }
    qsort(t, (size_t)n, sizeof *t, cmp_double);
    c->seconds += n % 2 ? t[n / 2] : 0.5 * (t[n / 2 - 1] + t[n / 2]);
    c->timed = true;
    free(t);
    return CLI_OK;
}
