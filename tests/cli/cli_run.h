/* tests/cli/cli_run.h — running the built `sparsefirst` program from the CLI
 * suites: a temporary directory per suite, captured stdout/stderr, and the
 * expectations every CLI test makes (exit status, one error line). */
#ifndef SF_CLI_RUN_H
#define SF_CLI_RUN_H

#include <stddef.h>
#include <stdint.h>

#include "sparsefirst.h"

#ifndef SF_CLI_PATH
#error "SF_CLI_PATH must name the built sparsefirst program"
#endif

/* The suite's temporary directory: create in .init, remove in .fini. */
extern char tmpdir[64];
void make_tmpdir(void);
void remove_tmpdir(void);
/* A path inside it (rotating static buffers), and a shared data file. */
const char *tmp(const char *name);
const char *matrix(const char *name);

/* A whole file (NUL-terminated, malloc'ed), and writing bytes to a file. */
char *slurp(const char *path, size_t *len);
void write_bytes(const char *path, const void *p, size_t n);
/* Write a 1-d (d0) or 2-d (d0 x d1) .npy file of the dtype through the library. */
void save_npy(const char *path, sf_npy_dtype dt, int ndim, int64_t d0, int64_t d1, const void *data);

typedef struct result {
    int status;
    char *out, *err;
} result;
void result_free(result *r);

/* Run the program with the NULL-terminated arguments, stdout and stderr
 * captured. */
result run(const char *first, ...);

/* Exit status `status`, nothing on stdout, and stderr exactly `line` + '\n'. */
void expect_error(result r, int status, const char *line);
/* One error line starting with `prefix`, status 1. */
void expect_input_error(result r, const char *prefix);
/* Status 0 and nothing on stderr (expect_success also frees r). */
void expect_ok(result r);
void expect_success(result r);

#endif
