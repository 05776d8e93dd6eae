/* File reads and atomic writes shared by the loaders, the saver and the exporter. Internal. */
#ifndef LLN_FILEIO_H
#define LLN_FILEIO_H

#include <stddef.h>

#include "lln/status.h"

/* Writes buf to "<path>.tmp.<pid>", fsyncs, renames over path and fsyncs the directory; on
 * failure removes the temporary file and leaves path as it was. */
lln_status_t lln__write_atomic(const char *path, const unsigned char *buf, size_t len,
                               lln_error_t *err);

/* Reads the whole regular file at path into a new buffer (*buf, freed by the caller) of
 * *len bytes plus a terminating NUL. */
lln_status_t lln__read_file(const char *path, unsigned char **buf, size_t *len, lln_error_t *err);

#endif
