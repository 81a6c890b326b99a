/* tools/sparsefirst/cli.h — what every subcommand of the `sparsefirst`
 * program shares: global options, option helpers, error reporting, timing of
 * the compute step, and reading/writing .mtx and .npy files by extension.
 *
 * Contract (scripts depend on it):
 *   exit status   CLI_OK 0 success, CLI_FAIL 1 bad input or failed
 *                 computation, CLI_USAGE 2 usage error.
 *   errors        exactly one line on stderr, nothing on stdout after it:
 *                   sparsefirst: error: FILE: reason   an input, output or compute failure;
 *                                                      reason is the library's message
 *                   sparsefirst: error: reason         a usage error, one of
 *                     missing subcommand (try 'sparsefirst --help')
 *                     unknown subcommand 'foo' (try 'sparsefirst --help')
 *                     unknown option '--foo'
 *                     option '--threads' needs a value
 *                     bad number for '--threads': 'x' (expected an integer from 1 to 1024)
 *                     bad size for '--memory-limit': 'x' (expected bytes or a K/M/G/T suffix)
 *                     option '--time' takes no value
 *                     missing argument (usage: sparsefirst info [options] FILE)
 *                     unexpected argument 'x' (usage: sparsefirst info [options] FILE)
 *                     cannot tell the format of 'x.txt' (expected .mtx or .npy)
 *   global options, accepted anywhere on the line, as "--opt V" or "--opt=V":
 *     --threads N        threads of the library's parallel kernels (sf_ctx)
 *     --memory-limit S   cap on the library's memory, bytes or K/M/G/T (x1024)
 *     --time             after success print to stderr "time: SECONDS" (the
 *                        compute step, median over --repeat runs, "%.6f") and
 *                        "peak-memory: BYTES" (peak RSS of the process)
 *     --repeat N         run the compute step N times
 *     --help, -h         `sparsefirst --help` lists subcommands,
 *                        `sparsefirst SUB --help` prints SUB's usage; exit 0
 *     --version          prints "sparsefirst VERSION"
 *   "--" ends the options: everything after it is a positional argument.
 *
 * Adding a subcommand NAME: write cmd_NAME.c defining `int cmd_NAME(cli *c)`
 * and `const char cmd_NAME_usage[]` (first line "usage: sparsefirst NAME ..."),
 * add one X(...) line to COMMANDS in main.c and one `cli_sources += files(...)`
 * line to meson.build.  In cmd_NAME: take options (cli_output, cli_flag,
 * cli_int, ...), then cli_args for the positionals, read the inputs, run the
 * computation through cli_timed, write the outputs.
 */
#ifndef SF_CLI_H
#define SF_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sparsefirst.h"

enum { CLI_OK = 0, CLI_FAIL = 1, CLI_USAGE = 2 };

typedef struct cli cli;

typedef struct cli_command {
    const char *name;    /* as typed: "interp-weights" */
    const char *summary; /* one line for `sparsefirst --help` */
    int (*fn)(cli *c);   /* returns CLI_OK, CLI_FAIL or CLI_USAGE, after printing */
    const char *usage;   /* `sparsefirst NAME --help`; its first line is the synopsis */
} cli_command;

struct cli {
    const cli_command *cmd;
    sf_ctx *ctx;         /* threads and memory limit applied; must hold 0 bytes at the end */
    int threads;         /* --threads (default 1) */
    int repeat;          /* --repeat (default 1) */
    size_t memory_limit; /* --memory-limit (0 = none) */
    bool time;           /* --time */
    /* The arguments after the subcommand that are not global options, in
     * order; the option helpers consume them. */
    int argc;
    char **argv;
    bool *used;          /* argv[i] consumed by a helper */
    bool *literal;       /* argv[i] came after "--": never an option */
    char usage_error[512]; /* the first usage error an option helper found */
    double seconds;      /* sum over cli_timed calls of each call's median */
    bool timed;
};

/* ------------------------------------------------------------ options
 * Each helper consumes "--name V" or "--name=V" (the last one given wins) and
 * records a usage error in c->usage_error if the value is missing or bad;
 * cli_args then reports it.  Call them before cli_args. */

/* True if the flag is present. */
bool cli_flag(cli *c, const char *name);
/* The value of --name, or NULL if absent. */
const char *cli_string(cli *c, const char *name);
/* The conventional output option "-o FILE" (also "--output FILE", the same
 * option: the last of either wins); NULL if absent. */
const char *cli_output(cli *c);
/* An integer in [min, max], def if absent. */
int64_t cli_int(cli *c, const char *name, int64_t def, int64_t min, int64_t max);
/* A finite double, def if absent. */
double cli_double(cli *c, const char *name, double def);

/* Check the rest of the line: a usage error recorded by a helper, then any
 * unconsumed option, then between min and max positional arguments (stored
 * in pos[], which must hold max).  Returns CLI_OK, or CLI_USAGE after
 * printing the error line. */
int cli_args(cli *c, int min, int max, const char **pos);

/* Parse "123", "512M", "1K", "2g" (powers of 1024) into bytes. */
bool cli_parse_size(const char *s, size_t *out);

/* ------------------------------------------------------------ errors */

/* "sparsefirst: error: <printf>" on stderr; returns CLI_FAIL. */
int cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The same, returning CLI_USAGE. */
int cli_usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* "sparsefirst: error: WHAT: <context message>" (the library's messages for
 * files already start with "PATH: ", which is then not repeated); WHAT may
 * be NULL.  Returns CLI_FAIL. */
int cli_ctx_error(cli *c, const char *what);

/* ------------------------------------------------------------ timing */

/* The compute step: a function of the context and the caller's state, and
 * what undoes it between repeated runs (frees its result; may be NULL). */
typedef sf_status (*cli_step_fn)(sf_ctx *ctx, void *arg);
typedef void (*cli_undo_fn)(void *arg);

/* Run step c->repeat times, undo between runs (not timed), each run timed
 * with CLOCK_MONOTONIC; adds the median to c->seconds for --time.  The last
 * run's result stays.  On failure prints "sparsefirst: error: WHAT: message"
 * and returns CLI_FAIL. */
int cli_timed(cli *c, const char *what, cli_step_fn step, cli_undo_fn undo, void *arg);

/* ------------------------------------------------------------ files */

typedef enum cli_format { CLI_FORMAT_UNKNOWN = 0, CLI_FORMAT_MTX, CLI_FORMAT_NPY } cli_format;

/* By extension (case-insensitive). */
cli_format cli_format_of(const char *path);
/* CLI_USAGE error "cannot tell the format of ..." for an unknown extension. */
int cli_check_format(const char *path);

/* A file's bytes in memory (mapped read-only when it is a regular file), so
 * that parsing can be timed apart from the disk. */
typedef struct cli_file {
    const char *path;
    const char *data;
    size_t len;
    void *map;  /* munmap on release, or NULL */
    char *heap; /* free on release, or NULL */
} cli_file;
int cli_file_load(cli *c, const char *path, cli_file *f);
void cli_file_release(cli_file *f);

/* Untimed reads and writes, by extension; each prints its error and returns
 * CLI_FAIL (CLI_USAGE for an unknown extension).
 *   cli_read_mat    .mtx as read; .npy 1-d (n x 1) or 2-d float64 or
 *                   integer array, exact zeros dropped
 *   cli_read_array  .npy as read; .mtx as a dense float64 (rows, cols) array
 *   cli_write_array .npy as is; .mtx "array real general" (1-d/2-d float64)
 *   cli_write_mat   .mtx coordinate real general; .npy dense float64 */
int cli_read_mat(cli *c, const char *path, sf_mat **out, sf_mm_info *info);
int cli_read_array(cli *c, const char *path, sf_array **out);
int cli_write_array(cli *c, const char *path, const sf_array *a);
int cli_write_mat(cli *c, const char *path, const sf_mat *m);
/* A solve's square matrix M (called `name` in messages, read from mat_path)
 * and right-hand side B: M square (else an error naming mat_path), B float64,
 * 1-d or 2-d, of M's rows (else one error line naming B's file, B's shape as
 * written); X is created of B's shape, and both views. */
int cli_rhs_views(cli *c, const sf_mat *M, const char *name, const char *mat_path,
                  const char *b_path, const sf_array *B, sf_array **X, sf_dense *bv, sf_dense *xv);
/* Remove an output this command wrote before a later step failed (outputs
 * are written only on success); only a regular file, never a device. */
void cli_discard_output(const char *path);

/* Conversions shared by readers and commands (the library sets the context
 * message on failure): a new float64 array with the values of a float64 or
 * integer array (a complex one must be rejected before: it gives
 * SF_ERR_UNSUPPORTED with no message), and a dense float64 (rows, cols) array
 * of a handle. */
sf_status cli_array_to_f8(sf_ctx *ctx, const sf_array *a, sf_array **out);
sf_status cli_mat_to_array(sf_ctx *ctx, const sf_mat *m, sf_array **out);
/* Why an array cannot be a real matrix (complex, or not 1-d/2-d) written
 * into buf, or NULL if it can. */
const char *cli_matrix_problem(const sf_array *a, char *buf, size_t len);
/* A CSR handle of a 1-d (n x 1) or 2-d float64 array, exact zeros dropped. */
sf_status cli_array_to_mat(sf_ctx *ctx, const sf_array *a, sf_mat **out);

#endif
