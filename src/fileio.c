/* Whole-file reads shared by every reader of untrusted files (model files, checkpoints,
 * golden cases, the verifier's logs). */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fileio.h"

/* Size of the open regular file f, or an error. */
static lln_status_t file_size(FILE *f, const char *path, size_t *n, lln_error_t *err)
{
    struct stat sb;
    if (fstat(fileno(f), &sb) != 0)
        return lln_error_set(err, LLN_E_IO, "%s: cannot stat: %s", path, strerror(errno));
    if (!S_ISREG(sb.st_mode))
        return lln_error_set(err, LLN_E_IO, "%s: not a regular file", path);
    if (sb.st_size < 0 || (uintmax_t)sb.st_size >= SIZE_MAX)
        return lln_error_set(err, LLN_E_IO, "%s: file too large", path);
    *n = (size_t)sb.st_size;
    return LLN_OK;
}

lln_status_t lln__read_file(const char *path, unsigned char **buf, size_t *len, lln_error_t *err)
{
    *buf = NULL;
    *len = 0;
    /* O_NONBLOCK: opening a FIFO for reading would wait for a writer forever; the file type is
     * checked (file_size) before any read, so non-blocking mode never matters for a file. */
    int fd = open(path, O_RDONLY | O_NONBLOCK);
    FILE *f = fd >= 0 ? fdopen(fd, "rb") : NULL;
    if (f == NULL) {
        int e = errno;
        if (fd >= 0)
            close(fd);
        return lln_error_set(err, LLN_E_IO, "%s: cannot open: %s", path, strerror(e));
    }
    size_t n = 0;
    /* the size comes from the file itself, so the allocation is what the disk holds */
    lln_status_t st = file_size(f, path, &n, err);
    unsigned char *b = st == LLN_OK ? malloc(n + 1) : NULL;
    if (st == LLN_OK && b == NULL)
        st = lln_error_set(err, LLN_E_NOMEM, "%s: out of memory for %zu bytes", path, n);
    if (b != NULL && (fread(b, 1, n, f) != n || getc(f) != EOF))
        st = lln_error_set(err, LLN_E_IO, "%s: %s", path,
                           ferror(f) ? "read error" : "file changed size while being read");
    fclose(f);
    if (b == NULL || st != LLN_OK) {
        free(b);
        return st != LLN_OK ? st : LLN_E_NOMEM;
    }
    b[n] = 0; /* text readers may treat the buffer as a string */
    *buf = b;
    *len = n;
    return LLN_OK;
}
