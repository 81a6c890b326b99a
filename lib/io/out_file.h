/* lib/io/out_file.h — output files of the writers (.mtx, .npy, .sfw).
 *
 * A failed write must not leave a partial file that looks like data, so the
 * writer removes it; but the path may name a device or a pipe (/dev/stdout,
 * /dev/full), which must never be unlinked.  The writer therefore notes at
 * open time whether it created or opened a regular file. */
#ifndef SF_IO_OUT_FILE_H
#define SF_IO_OUT_FILE_H

#include <stdbool.h>
#include <stdio.h>

/* fopen(path, mode); *regular tells whether the stream is a regular file. */
FILE *sf_out_open(const char *path, const char *mode, bool *regular);

/* After a failed write: remove path if it was a regular file. */
void sf_out_discard(const char *path, bool regular);

#endif
