/* Recording failures on the context. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"

sf_status sf_error(sf_ctx *ctx, sf_status status, const char *fmt, ...) {
    if (!ctx) return status;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(ctx->message, sizeof ctx->message, fmt, ap);
    va_end(ap);
    ctx->last_status = status;
    return status;
}

void sf_error_prefix(sf_ctx *ctx, const char *fmt, ...) {
    if (!ctx) return;
    char prefix[SF_MESSAGE_MAX], joined[2 * SF_MESSAGE_MAX + 2];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(prefix, sizeof prefix, fmt, ap);
    va_end(ap);
    snprintf(joined, sizeof joined, "%s: %s", prefix, ctx->message);
    memcpy(ctx->message, joined, SF_MESSAGE_MAX - 1);
    ctx->message[SF_MESSAGE_MAX - 1] = '\0';
}

sf_status sf_last_alloc_status(const sf_ctx *ctx) {
    if (ctx && ctx->last_status == SF_ERR_TOO_LARGE) return SF_ERR_TOO_LARGE;
    return SF_ERR_NOMEM;
}
