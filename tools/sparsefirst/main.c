/* sparsefirst — the command-line program: global options, the table of
 * subcommands, and the run of one subcommand.  See cli.h for the contract. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "cli.h"

#ifndef SF_VERSION
#define SF_VERSION "unknown"
#endif

/* One line per subcommand: X(name as typed, C identifier, summary).  The
 * identifier names `int cmd_ID(cli *)` and `const char cmd_ID_usage[]`. */
#define COMMANDS(X)                                                                  \
    X("info", info, "print the shape, symmetry and storage of a .mtx or .npy file") \
    X("jacobian", jacobian, "Jacobian of an elementwise function of an array, as its diagonal") \
    X("assemble", assemble, "assemble a sparse matrix from element matrices (duplicates summed)") \
    X("spmm", spmm, "sparse times dense product C = A*B or A^T*B") \
    X("gram", gram, "weighted Gram product G = B^H diag(W) B") \
    X("trisolve", trisolve, "solve a sparse triangular system op(T) X = B") \
    X("cholsolve", cholsolve, "solve A X = B by sparse Cholesky (CHOLMOD)") \
    X("convert", convert, "convert between .mtx and .npy (dense float64)") \
    X("interp", interp, "interpolate an array along one axis (weights built and applied)") \
    X("interp-weights", interp_weights, "build interpolation weights and save them (.sfw)") \
    X("interp-apply", interp_apply, "apply saved weights (or their adjoint) to fields")

#define DECLARE(name, id, summary) int cmd_##id(cli *c); extern const char cmd_##id##_usage[];
COMMANDS(DECLARE)
#define ENTRY(name, id, summary) {name, summary, cmd_##id, cmd_##id##_usage},
static const cli_command commands[] = {COMMANDS(ENTRY)};
#define NCOMMANDS (int)(sizeof commands / sizeof commands[0])

static const char global_help[] =
    "Global options (accepted anywhere on the line, also as --option=VALUE):\n"
    "  --threads N         threads for parallel kernels (default 1)\n"
    "  --memory-limit SIZE cap the library's memory: bytes, or with K/M/G/T (x1024)\n"
    "  --time              print 'time: SECONDS' (compute step only, median of the\n"
    "                      runs) and 'peak-memory: BYTES' (peak RSS) to stderr\n"
    "  --repeat N          run the compute step N times (default 1)\n"
    "  --help, -h          show help; --version: show the version\n"
    "Exit status: 0 success, 1 bad input or failed computation, 2 usage error.\n";

static void list_commands(void) {
    printf("usage: sparsefirst SUBCOMMAND [options] ARGS...\n\nSubcommands:\n");
    for (int k = 0; k < NCOMMANDS; k++)
        printf("  %-16s %s\n", commands[k].name, commands[k].summary);
    printf("\n%s\nRun 'sparsefirst SUBCOMMAND --help' for the usage of one subcommand.\n",
           global_help);
}

/* What the scan of the line found before any subcommand runs. */
typedef struct line {
    const char *command;
    bool help, version;
    char error[512]; /* the first usage error among the global options */
} line;

static void line_error(line *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void line_error(line *l, const char *fmt, ...) {
    if (l->error[0]) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(l->error, sizeof l->error, fmt, ap);
    va_end(ap);
}

/* A global option with a value: its name matches a exactly or as "name=". */
static const char *value_of(int argc, char **argv, int *i, const char *name, line *l) {
    size_t n = strlen(name);
    const char *a = argv[*i];
    if (strncmp(a, name, n) != 0 || (a[n] != '\0' && a[n] != '=')) return NULL;
    if (a[n] == '=') return a + n + 1;
    if (*i + 1 < argc) return argv[++*i];
    line_error(l, "option '%s' needs a value", name);
    return "";
}

static bool parse_global(int argc, char **argv, int *i, cli *c, line *l) {
    const char *a = argv[*i], *v;
    int64_t n;
    char *end;
    if (!strcmp(a, "--help") || !strcmp(a, "-h")) l->help = true;
    else if (!strcmp(a, "--version")) l->version = true;
    else if (!strcmp(a, "--time")) c->time = true;
    else if (!strncmp(a, "--time=", 7)) line_error(l, "option '%s' takes no value", "--time");
    else if ((v = value_of(argc, argv, i, "--threads", l))) {
        n = strtoll(v, &end, 10);
        if (!*v || *end || n < 1 || n > 1024)
            line_error(l, "bad number for '--threads': '%s' (expected an integer from 1 to 1024)", v);
        else c->threads = (int)n;
    } else if ((v = value_of(argc, argv, i, "--repeat", l))) {
        n = strtoll(v, &end, 10);
        if (!*v || *end || n < 1 || n > 1000000)
            line_error(l, "bad number for '--repeat': '%s' (expected an integer from 1 to 1000000)", v);
        else c->repeat = (int)n;
    } else if ((v = value_of(argc, argv, i, "--memory-limit", l))) {
        if (!cli_parse_size(v, &c->memory_limit))
            line_error(l, "bad size for '--memory-limit': '%s' (expected bytes or a K/M/G/T suffix)", v);
    } else return false;
    return true;
}

/* Split the line into global options, the subcommand and the rest. */
static void scan(int argc, char **argv, cli *c, line *l) {
    bool literal = false;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!literal && !strcmp(a, "--")) {
            literal = true;
            continue;
        }
        if (!literal && parse_global(argc, argv, &i, c, l)) continue;
        if (!l->command && (literal || a[0] != '-')) {
            l->command = a;
            continue;
        }
        c->literal[c->argc] = literal;
        c->argv[c->argc++] = argv[i];
    }
}

static int run(cli *c) {
    if (sf_ctx_create(&c->ctx)) return cli_error("cannot create a context: out of memory");
    int rc = CLI_OK;
    if (sf_ctx_set_threads(c->ctx, c->threads) ||
        sf_ctx_set_memory_limit(c->ctx, c->memory_limit))
        rc = cli_ctx_error(c, NULL);
    if (!rc) rc = c->cmd->fn(c);
    if (!rc && sf_ctx_bytes_in_use(c->ctx))
        rc = cli_error("internal: %s kept %zu bytes", c->cmd->name, sf_ctx_bytes_in_use(c->ctx));
    sf_ctx_free(c->ctx);
    return rc;
}

/* --time's two lines, printed only once the whole command has succeeded
 * (its output to stdout included). */
static void print_time(const cli *c) {
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    if (c->timed) fprintf(stderr, "time: %.6f\n", c->seconds);
    fprintf(stderr, "peak-memory: %lld\n", (long long)ru.ru_maxrss * 1024);
}

int main(int argc, char **argv) {
    cli c = {0};
    c.threads = 1;
    c.repeat = 1;
    c.argv = calloc((size_t)argc + 1, sizeof *c.argv);
    c.used = calloc((size_t)argc + 1, sizeof *c.used);
    c.literal = calloc((size_t)argc + 1, sizeof *c.literal);
    if (!c.argv || !c.used || !c.literal) return cli_error("out of memory");
    line l = {0};
    scan(argc, argv, &c, &l);
    int rc = CLI_OK;
    if (l.error[0]) rc = cli_usage_error("%s", l.error);
    else if (l.version) printf("sparsefirst %s\n", SF_VERSION);
    else if (!l.command && l.help) list_commands();
    else if (!l.command) rc = cli_usage_error("missing subcommand (try 'sparsefirst --help')");
    else {
        for (int k = 0; k < NCOMMANDS && !c.cmd; k++)
            if (!strcmp(commands[k].name, l.command)) c.cmd = &commands[k];
        if (!c.cmd)
            rc = cli_usage_error("unknown subcommand '%s' (try 'sparsefirst --help')", l.command);
        else if (l.help) printf("%s\n%s", c.cmd->usage, global_help);
        else rc = run(&c);
    }
    if (fflush(stdout) != 0 || ferror(stdout)) {
        fprintf(stderr, "sparsefirst: error: stdout: write error\n");
        if (!rc) rc = CLI_FAIL;
    }
    if (!rc && c.cmd && c.time && !l.help) print_time(&c);
    free(c.argv);
    free(c.used);
    free(c.literal);
    return rc;
}
