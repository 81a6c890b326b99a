/* A buffered line reader: fixed chunks in, one growing line buffer out. */
#include <errno.h>
#include <string.h>

#include "line_reader.h"

#define FIRST_CAP 256

static sf_status open_common(sf_line_reader *r, sf_ctx *ctx, const char *name) {
    r->ctx = ctx;
    r->name = name;
    r->line = sf_alloc(ctx, FIRST_CAP, "line buffer");
    if (!r->line) {
        sf_error_prefix(ctx, "%s", name); /* a memory limit: name the input */
        return sf_last_alloc_status(ctx);
    }
    r->line[0] = '\0';
    r->cap = FIRST_CAP;
    return SF_OK;
}

sf_status sf_lr_open_buffer(sf_line_reader *r, sf_ctx *ctx, const char *data, size_t len,
                            const char *name) {
    *r = (sf_line_reader){.data = data, .len = len, .at_end = true};
    return open_common(r, ctx, name);
}

sf_status sf_lr_open_file(sf_line_reader *r, sf_ctx *ctx, FILE *fp, const char *name) {
    *r = (sf_line_reader){.ctx = ctx, .fp = fp};
    /* Our chunk is the buffer; stdio's own would only add a copy. */
    setvbuf(fp, NULL, _IONBF, 0);
    r->chunk = sf_alloc(ctx, SF_LR_CHUNK, "file read buffer");
    if (!r->chunk) {
        sf_error_prefix(ctx, "%s", name);
        return sf_last_alloc_status(ctx);
    }
    r->data = r->chunk;
    sf_status st = open_common(r, ctx, name);
    if (st) sf_lr_close(r);
    return st;
}

void sf_lr_close(sf_line_reader *r) {
    sf_free(r->ctx, r->chunk);
    sf_free(r->ctx, r->line);
    r->chunk = r->line = NULL;
}

/* Next chunk of a file; sets at_end when nothing more comes. */
static sf_status refill(sf_line_reader *r) {
    size_t n = fread(r->chunk, 1, SF_LR_CHUNK, r->fp);
    if (n < SF_LR_CHUNK && ferror(r->fp))
        return sf_error(r->ctx, SF_ERR_IO, "%s: line %lld: read error: %s", r->name,
                        (long long)r->lineno + 1, strerror(errno));
    if (n < SF_LR_CHUNK) r->at_end = true;
    r->len = n;
    r->pos = 0;
    return SF_OK;
}

static sf_status append(sf_line_reader *r, const char *s, size_t n) {
    if (n > SF_LR_MAX_LINE - r->line_len)
        return sf_error(r->ctx, SF_ERR_FORMAT, "%s: line %lld: line is longer than %zu bytes",
                        r->name, (long long)r->lineno + 1, SF_LR_MAX_LINE);
    size_t need = r->line_len + n + 1;
    if (need > r->cap) {
        size_t cap = r->cap * 2 > need ? r->cap * 2 : need;
        char *p = sf_realloc(r->ctx, r->line, cap, "line buffer");
        if (!p) {
            sf_error_prefix(r->ctx, "%s: line %lld", r->name, (long long)r->lineno + 1);
            return sf_last_alloc_status(r->ctx);
        }
        r->line = p;
        r->cap = cap;
    }
    memcpy(r->line + r->line_len, s, n);
    r->line_len += n;
    return SF_OK;
}

sf_status sf_lr_next(sf_line_reader *r, bool *got) {
    *got = false;
    r->line_len = 0;
    bool any = false, ended = false;
    while (!ended) {
        if (r->pos == r->len) {
            if (r->at_end) break;
            sf_status st = refill(r);
            if (st) return st;
            continue;
        }
        const char *s = r->data + r->pos;
        const char *nl = memchr(s, '\n', r->len - r->pos);
        size_t n = nl ? (size_t)(nl - s) : r->len - r->pos;
        sf_status st = append(r, s, n);
        if (st) return st;
        any = true;
        ended = nl != NULL;
        r->pos += n + ended;
    }
    if (!any) {
        r->line[0] = '\0';
        return SF_OK;
    }
    r->lineno++;
    if (r->line_len > 0 && r->line[r->line_len - 1] == '\r') r->line_len--;
    r->line[r->line_len] = '\0';
    *got = true;
    return SF_OK;
}
