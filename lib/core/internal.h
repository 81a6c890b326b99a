/* lib/core/internal.h — what every layer of the library shares but users do not see:
 * the context's layout, accounted allocation and error reporting. */
#ifndef SF_CORE_INTERNAL_H
#define SF_CORE_INTERNAL_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sparsefirst/core.h"

#define SF_MESSAGE_MAX 512

struct sf_ctx {
    int threads;
    size_t memory_limit;          /* 0 = none */
    atomic_size_t bytes_in_use;
    atomic_size_t bytes_peak;
    atomic_uint_fast64_t alloc_count;
    atomic_uint_fast64_t fail_at; /* allocation number that fails; 0 = never */
    sf_status last_status;        /* status of the last sf_error */
    char message[SF_MESSAGE_MAX];
};

/* Allocate `bytes` charged to ctx.  `what` names the request in the
 * out-of-memory message ("CSR column indices").  Returns NULL and sets
 * SF_ERR_NOMEM on ctx on failure.  A request of 0 bytes returns a valid
 * pointer. */
void *sf_alloc(sf_ctx *ctx, size_t bytes, const char *what);
void *sf_calloc(sf_ctx *ctx, size_t count, size_t size, const char *what);
/* count * size with overflow reported as SF_ERR_TOO_LARGE (NULL returned). */
void *sf_alloc_array(sf_ctx *ctx, size_t count, size_t size, const char *what);
/* Grow or shrink a block from sf_alloc; on failure the old block is intact.
 * Growth counts as an allocation (memory limit, injected failures); a
 * shrink never fails for those reasons and returns the bytes to the count. */
void *sf_realloc(sf_ctx *ctx, void *p, size_t bytes, const char *what);
/* Free a block from sf_alloc; NULL does nothing. */
void sf_free(sf_ctx *ctx, void *p);
/* Usable size of a block from sf_alloc (the bytes it is charged for). */
size_t sf_alloc_size(const void *p);

/* Record status and a printf-style message on ctx; returns status so callers
 * can write `return sf_error(ctx, SF_ERR_ARG, "...")`. */
sf_status sf_error(sf_ctx *ctx, sf_status status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Prefix the context's current message with "prefix: " (for callers that add
 * a file name or an argument name to a lower layer's message). */
void sf_error_prefix(sf_ctx *ctx, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Whether the memory spans of two checked views intersect (padding
 * included: interleaved views count as overlapping).  Empty views never do. */
bool sf_dense_overlap(const sf_dense *a, const sf_dense *b);

/* The status of the last allocation failure (NOMEM or TOO_LARGE) is in the
 * message already; this macro returns it from a function on a NULL pointer. */
#define SF_CHECK_ALLOC(ctx, p) \
    do { if (!(p)) return sf_last_alloc_status(ctx); } while (0)
sf_status sf_last_alloc_status(const sf_ctx *ctx);

/* Checked int64 arithmetic: false on overflow. */
static inline bool sf_mul_i64(int64_t a, int64_t b, int64_t *out) {
    return !__builtin_mul_overflow(a, b, out);
}
static inline bool sf_add_i64(int64_t a, int64_t b, int64_t *out) {
    return !__builtin_add_overflow(a, b, out);
}

/* Threads to use for a loop of `work` units: 1 when the work is too small to pay
 * for starting a parallel region. */
int sf_threads_for(const sf_ctx *ctx, int64_t work);

/* The same with the caller's own threshold, for loops whose units are
 * cheaper or dearer than the default's (a CSR product's multiply-adds). */
int sf_threads_above(const sf_ctx *ctx, int64_t work, int64_t min_work);

#endif
