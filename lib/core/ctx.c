/* The context: thread count, memory limit, accounting and the last message. */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

sf_status sf_ctx_create(sf_ctx **out) {
    if (!out) return SF_ERR_ARG;
    sf_ctx *ctx = calloc(1, sizeof *ctx);
    if (!ctx) return SF_ERR_NOMEM;
    ctx->threads = 1;
    atomic_init(&ctx->bytes_in_use, 0);
    atomic_init(&ctx->bytes_peak, 0);
    atomic_init(&ctx->alloc_count, 0);
    atomic_init(&ctx->fail_at, 0);
    *out = ctx;
    return SF_OK;
}

void sf_ctx_free(sf_ctx *ctx) { free(ctx); }

sf_status sf_ctx_set_threads(sf_ctx *ctx, int threads) {
    if (!ctx) return SF_ERR_ARG;
    if (threads < 1 || threads > 1024)
        return sf_error(ctx, SF_ERR_ARG, "threads must be in [1, 1024], got %d", threads);
    ctx->threads = threads;
    return SF_OK;
}

int sf_ctx_threads(const sf_ctx *ctx) { return ctx ? ctx->threads : 1; }

sf_status sf_ctx_set_memory_limit(sf_ctx *ctx, size_t bytes) {
    if (!ctx) return SF_ERR_ARG;
    ctx->memory_limit = bytes;
    return SF_OK;
}

size_t sf_ctx_memory_limit(const sf_ctx *ctx) { return ctx ? ctx->memory_limit : 0; }

size_t sf_ctx_bytes_in_use(const sf_ctx *ctx) {
    return ctx ? atomic_load(&((sf_ctx *)ctx)->bytes_in_use) : 0;
}

size_t sf_ctx_bytes_peak(const sf_ctx *ctx) {
    return ctx ? atomic_load(&((sf_ctx *)ctx)->bytes_peak) : 0;
}

void sf_ctx_reset_peak(sf_ctx *ctx) {
    if (ctx) atomic_store(&ctx->bytes_peak, atomic_load(&ctx->bytes_in_use));
}

uint64_t sf_ctx_alloc_count(const sf_ctx *ctx) {
    return ctx ? atomic_load(&((sf_ctx *)ctx)->alloc_count) : 0;
}

const char *sf_ctx_message(const sf_ctx *ctx) { return ctx ? ctx->message : ""; }

void sf_ctx_fail_allocation_after(sf_ctx *ctx, uint64_t n) {
    if (!ctx) return;
    atomic_store(&ctx->fail_at, n ? atomic_load(&ctx->alloc_count) + n : 0);
}

int sf_threads_above(const sf_ctx *ctx, int64_t work, int64_t min_work) {
    return ctx && work >= min_work ? ctx->threads : 1;
}

int sf_threads_for(const sf_ctx *ctx, int64_t work) {
    /* Below ~32k units a parallel region costs more than it saves. */
    return sf_threads_above(ctx, work, 32768);
}
