/* Accounted allocation.  Every block carries a 16-byte header with its size so
 * that frees can be charged back without the caller remembering sizes, and so
 * that the context always knows the bytes in use and the peak. */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "internal.h"

#define HEADER 16 /* keeps the payload 16-byte aligned */

/* Blocks of 4 MiB or more are about to be written for the first time by a
 * builder or a product; first-touch faults of 4 KiB pages cost more than the
 * writing itself on some machines (1.5-13 us per page measured on the
 * benchmark VM).  Ask for transparent huge pages on the 2 MiB-aligned
 * interior: one fault per 2 MiB.  Only a hint; harmless where unsupported. */
static void advise_huge_pages(void *p, size_t bytes) {
#if defined(__linux__) && defined(MADV_HUGEPAGE)
    const uintptr_t huge = (uintptr_t)2 << 20;
    if (bytes < ((size_t)4 << 20)) return;
    uintptr_t lo = ((uintptr_t)p + huge - 1) & ~(huge - 1);
    uintptr_t hi = ((uintptr_t)p + bytes) & ~(huge - 1);
    if (hi > lo) (void)madvise((void *)lo, hi - lo, MADV_HUGEPAGE);
#else
    (void)p;
    (void)bytes;
#endif
}

static bool injected_failure(sf_ctx *ctx) {
    uint64_t n = atomic_fetch_add(&ctx->alloc_count, 1) + 1;
    uint64_t fail_at = atomic_load(&ctx->fail_at);
    return fail_at != 0 && n == fail_at;
}

/* Charge `bytes` to ctx, or report why not. */
static bool charge(sf_ctx *ctx, size_t bytes, const char *what) {
    size_t now = atomic_fetch_add(&ctx->bytes_in_use, bytes) + bytes;
    if (ctx->memory_limit && now > ctx->memory_limit) {
        atomic_fetch_sub(&ctx->bytes_in_use, bytes);
        sf_error(ctx, SF_ERR_NOMEM,
                 "allocating %zu bytes for %s would pass the memory limit of %zu bytes "
                 "(%zu in use)",
                 bytes, what, ctx->memory_limit, now - bytes);
        return false;
    }
    size_t peak = atomic_load(&ctx->bytes_peak);
    while (now > peak && !atomic_compare_exchange_weak(&ctx->bytes_peak, &peak, now)) {
    }
    return true;
}

/* sf_alloc, zeroed or not.  Zeroing goes through calloc, which skips the
 * memset for memory fresh from the kernel (already zero): a large zeroed
 * array is then written once, by its user, instead of twice. */
static void *alloc_block(sf_ctx *ctx, size_t bytes, bool zero, const char *what) {
    if (bytes > SIZE_MAX - HEADER) {
        sf_error(ctx, SF_ERR_TOO_LARGE, "allocation of %zu bytes for %s is too large", bytes, what);
        return NULL;
    }
    if (injected_failure(ctx)) {
        sf_error(ctx, SF_ERR_NOMEM, "out of memory allocating %zu bytes for %s (injected)", bytes,
                 what);
        return NULL;
    }
    if (!charge(ctx, bytes, what)) return NULL;
    unsigned char *block = zero ? calloc(1, bytes + HEADER) : malloc(bytes + HEADER);
    if (!block) {
        atomic_fetch_sub(&ctx->bytes_in_use, bytes);
        sf_error(ctx, SF_ERR_NOMEM, "out of memory allocating %zu bytes for %s", bytes, what);
        return NULL;
    }
    memcpy(block, &bytes, sizeof bytes);
    advise_huge_pages(block + HEADER, bytes);
    return block + HEADER;
}

void *sf_alloc(sf_ctx *ctx, size_t bytes, const char *what) {
    return alloc_block(ctx, bytes, false, what);
}

/* count * size bytes, or SF_ERR_TOO_LARGE naming what. */
static bool array_bytes(sf_ctx *ctx, size_t count, size_t size, const char *what, size_t *bytes) {
    if (!__builtin_mul_overflow(count, size, bytes)) return true;
    sf_error(ctx, SF_ERR_TOO_LARGE, "%zu elements of %zu bytes for %s overflow the address space",
             count, size, what);
    return false;
}

void *sf_alloc_array(sf_ctx *ctx, size_t count, size_t size, const char *what) {
    size_t bytes;
    return array_bytes(ctx, count, size, what, &bytes) ? alloc_block(ctx, bytes, false, what)
                                                       : NULL;
}

void *sf_calloc(sf_ctx *ctx, size_t count, size_t size, const char *what) {
    size_t bytes;
    return array_bytes(ctx, count, size, what, &bytes) ? alloc_block(ctx, bytes, true, what)
                                                       : NULL;
}

size_t sf_alloc_size(const void *p) {
    size_t bytes;
    memcpy(&bytes, (const unsigned char *)p - HEADER, sizeof bytes);
    return bytes;
}

void sf_free(sf_ctx *ctx, void *p) {
    if (!p) return;
    atomic_fetch_sub(&ctx->bytes_in_use, sf_alloc_size(p));
    free((unsigned char *)p - HEADER);
}

/* Growth is an allocation of the difference (limit, injected failures);
 * shrinking only gives bytes back.  The C library resizes in place where it
 * can (large blocks are remapped, not copied). */
void *sf_realloc(sf_ctx *ctx, void *p, size_t bytes, const char *what) {
    if (!p) return sf_alloc(ctx, bytes, what);
    size_t old = sf_alloc_size(p);
    if (bytes > SIZE_MAX - HEADER) {
        sf_error(ctx, SF_ERR_TOO_LARGE, "allocation of %zu bytes for %s is too large", bytes, what);
        return NULL;
    }
    if (bytes > old) {
        if (injected_failure(ctx)) {
            sf_error(ctx, SF_ERR_NOMEM, "out of memory growing %s to %zu bytes (injected)", what,
                     bytes);
            return NULL;
        }
        if (!charge(ctx, bytes - old, what)) return NULL;
    }
    unsigned char *block = realloc((unsigned char *)p - HEADER, bytes + HEADER);
    if (!block) {
        if (bytes > old) atomic_fetch_sub(&ctx->bytes_in_use, bytes - old);
        sf_error(ctx, SF_ERR_NOMEM, "out of memory growing %s to %zu bytes", what, bytes);
        return NULL;
    }
    if (bytes < old) atomic_fetch_sub(&ctx->bytes_in_use, old - bytes);
    memcpy(block, &bytes, sizeof bytes);
    return block + HEADER;
}
