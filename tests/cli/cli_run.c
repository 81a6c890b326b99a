/* Running the built `sparsefirst` program for the CLI suites (cli_run.h). */
#include "cli_run.h"

#include <fcntl.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testutil.h"

extern char **environ;

char tmpdir[64];

void make_tmpdir(void) {
    snprintf(tmpdir, sizeof tmpdir, "/tmp/sf_cli_XXXXXX");
    cr_assert_not_null(mkdtemp(tmpdir));
}

void remove_tmpdir(void) {
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    cr_assert_eq(system(cmd), 0);
}

const char *tmp(const char *name) {
    static char bufs[8][256];
    static int next;
    char *b = bufs[next++ % 8];
    snprintf(b, 256, "%s/%s", tmpdir, name);
    return b;
}

const char *matrix(const char *name) {
    static char bufs[4][512];
    static int next;
    return tu_data_path(name, bufs[next++ % 4], 512);
}

char *slurp(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    cr_assert_not_null(f, "%s", path);
    fseek(f, 0, SEEK_END);
    size_t n = (size_t)ftell(f);
    fseek(f, 0, SEEK_SET);
    char *p = malloc(n + 1);
    cr_assert_eq(fread(p, 1, n, f), n);
    p[n] = '\0';
    fclose(f);
    if (len) *len = n;
    return p;
}

void write_bytes(const char *path, const void *p, size_t n) {
    FILE *f = fopen(path, "wb");
    cr_assert_not_null(f);
    cr_assert_eq(fwrite(p, 1, n, f), n);
    cr_assert_eq(fclose(f), 0);
}


void result_free(result *r) {
    free(r->out);
    free(r->err);
}

/* Run the program with the NULL-terminated arguments, stdout and stderr
 * captured into files. */
result run(const char *first, ...) {
    const char *argv[32] = {"sparsefirst"};
    int n = 1;
    va_list ap;
    va_start(ap, first);
    for (const char *a = first; a; a = va_arg(ap, const char *)) argv[n++] = a;
    va_end(ap);
    argv[n] = NULL;
    const char *out = tmp("stdout.txt"), *err = tmp("stderr.txt");
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_addopen(&fa, 2, err, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    pid_t pid;
    cr_assert_eq(posix_spawn(&pid, SF_CLI_PATH, &fa, NULL, (char *const *)argv, environ), 0);
    posix_spawn_file_actions_destroy(&fa);
    int ws;
    cr_assert_eq(waitpid(pid, &ws, 0), pid);
    cr_assert(WIFEXITED(ws), "killed by signal %d", WTERMSIG(ws));
    result r = {WEXITSTATUS(ws), slurp(out, NULL), slurp(err, NULL)};
    return r;
}

/* Exit status `status`, nothing on stdout, and stderr exactly `line` + '\n'. */
void expect_error(result r, int status, const char *line) {
    char want[2048];
    snprintf(want, sizeof want, "%s\n", line);
    cr_assert_eq(r.status, status, "status %d, stderr: %s", r.status, r.err);
    cr_assert_str_eq(r.err, want);
    cr_assert_str_empty(r.out);
    result_free(&r);
}

/* One error line starting with `prefix`, status 1. */
void expect_input_error(result r, const char *prefix) {
    cr_assert_eq(r.status, 1, "status %d, stderr: %s", r.status, r.err);
    cr_assert_eq(strncmp(r.err, prefix, strlen(prefix)), 0, "stderr: %s", r.err);
    cr_assert_eq(strchr(r.err, '\n'), r.err + strlen(r.err) - 1, "one line: %s", r.err);
    cr_assert_str_empty(r.out);
    result_free(&r);
}

void expect_ok(result r) {
    cr_assert_eq(r.status, 0, "status %d, stderr: %s", r.status, r.err);
    cr_assert_str_empty(r.err);
}

/* expect_ok for a run whose output is not looked at. */
void expect_success(result r) {
    expect_ok(r);
    result_free(&r);
}


void save_npy(const char *path, sf_npy_dtype dt, int ndim, int64_t d0, int64_t d1, const void *data) {
    sf_ctx *ctx = tu_ctx();
    int64_t dims[2] = {d0, d1};
    sf_shape s;
    cr_assert_eq(sf_shape_make(ctx, ndim, dims, &s), SF_OK);
    cr_assert_eq(sf_npy_write(ctx, path, dt, &s, data), SF_OK, "%s", sf_ctx_message(ctx));
    tu_ctx_done(ctx);
}
