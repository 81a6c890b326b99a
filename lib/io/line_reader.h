/* lib/io/line_reader.h — a buffered line reader over a FILE* or a memory
 * buffer, for the text readers of the io layer.
 *
 * The input is read once, in fixed chunks, and never held whole: only the
 * current line is copied into a growing buffer (charged to the context), so a
 * multi-gigabyte file costs one chunk plus its longest line.  Lines end at
 * '\n'; a '\r' before it is dropped (CRLF files).  The line is NUL-terminated
 * for strtod, but its length is kept, so an embedded NUL byte is still seen. */
#ifndef SF_IO_LINE_READER_H
#define SF_IO_LINE_READER_H

#include <stdbool.h>
#include <stdio.h>

#include "../core/internal.h"

/* Bytes read from a file at once, and the longest line accepted (a file with
 * no newline at all must not grow the line buffer without bound). */
#define SF_LR_CHUNK ((size_t)1 << 16)
#define SF_LR_MAX_LINE ((size_t)1 << 20)

typedef struct sf_line_reader {
    sf_ctx *ctx;
    const char *name; /* for messages */
    FILE *fp;         /* NULL when reading a memory buffer */
    const char *data; /* unread input: the caller's buffer or `chunk` */
    size_t len, pos;
    char *chunk;      /* file mode: SF_LR_CHUNK bytes */
    char *line;       /* the current line, NUL-terminated, without "\r\n" */
    size_t line_len, cap;
    int64_t lineno;   /* 1-based number of the current line */
    bool at_end;      /* the input is exhausted */
} sf_line_reader;

/* Start reading a memory buffer of len bytes, or an open file (not closed by
 * the reader).  NOMEM if the buffers cannot be allocated. */
sf_status sf_lr_open_buffer(sf_line_reader *r, sf_ctx *ctx, const char *data, size_t len,
                            const char *name);
sf_status sf_lr_open_file(sf_line_reader *r, sf_ctx *ctx, FILE *fp, const char *name);

/* Read the next line into r->line.  *got is false at the end of the input.
 * Errors: SF_ERR_IO (read failure), SF_ERR_FORMAT (line longer than
 * SF_LR_MAX_LINE), SF_ERR_NOMEM; the message names the line. */
sf_status sf_lr_next(sf_line_reader *r, bool *got);

/* Release the reader's buffers (safe on a reader that failed to open). */
void sf_lr_close(sf_line_reader *r);

#endif
