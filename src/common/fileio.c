/* Whole-file reads shared by every reader of untrusted files (model files, checkpoints,
 * golden cases, the verifier's logs), and the atomic write of every file the library and the
 * CLI produce (temporary file in the target's directory, fsync, rename, fsync of the
 * directory), so that a crash or a full disk leaves either the old file or the new one,
 * never a mix. POSIX and Windows (platform.h). */
#if !defined(_POSIX_C_SOURCE) || _POSIX_C_SOURCE < 200809L
#undef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L /* fsync, fdopen, fileno (also when built outside CMake) */
#endif

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "lln/util.h"
#include "alloc.h"
#include "platform.h"

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

lln_status_t lln_read_file(const char *path, unsigned char **buf, size_t *len, lln_error_t *err)
{
    *buf = NULL;
    *len = 0;
    /* O_NONBLOCK: opening a FIFO for reading would wait for a writer forever; the file type is
     * checked (file_size) before any read, so non-blocking mode never matters for a file. */
    int fd = open(path, O_RDONLY | LLN_O_NONBLOCK | LLN_O_BINARY);
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
    unsigned char *b = st == LLN_OK ? lln__malloc(n + 1) : NULL;
    if (st == LLN_OK && b == NULL)
        st = lln_error_set(err, LLN_E_NOMEM, "%s: out of memory for %zu bytes", path, n);
    if (b != NULL && (fread(b, 1, n, f) != n || getc(f) != EOF))
        st = lln_error_set(err, LLN_E_IO, "%s: %s", path,
                           ferror(f) ? "read error" : "file changed size while being read");
    fclose(f);
    if (b == NULL || st != LLN_OK) {
        lln__free(b);
        return st != LLN_OK ? st : LLN_E_NOMEM;
    }
    b[n] = 0; /* text readers may treat the buffer as a string */
    *buf = b;
    *len = n;
    return LLN_OK;
}

/* ---- save ----------------------------------------------------------------------------------- */

#define TEMP_EXTRA 48 /* ".tmp.<pid>" and create_temp's ".<n>" */

/* "<path>.tmp.<pid>": same directory as path, so rename() is atomic (same filesystem), and
 * distinct per process, so concurrent savers do not write into each other's file. */
static char *temp_name(const char *path)
{
    size_t n = strlen(path) + TEMP_EXTRA;
    char *t = lln__malloc(n);
    if (t != NULL)
        snprintf(t, n, "%s.tmp.%ld", path, (long)getpid());
    return t;
}

/* Creates the temporary file with O_EXCL, so that a link planted at its name is never
 * followed and no other writer's file is ever truncated. If the name is taken (a leftover
 * of a crashed process that had our pid, or another thread of ours saving to the same
 * path), ".1", ".2", ... are appended; nobody else's file is removed. */
static int create_temp(char *tmp, size_t cap)
{
    size_t base = strlen(tmp);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | LLN_O_BINARY, 0666);
    for (int k = 1; fd < 0 && errno == EEXIST && k < 100; k++) {
        snprintf(tmp + base, cap - base, ".%d", k);
        fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | LLN_O_BINARY, 0666);
    }
    return fd;
}

/* Writes, flushes and syncs buf into the new file tmp; closes it in every case. Returns
 * the failed step's name, or NULL on success (errno tells why). */
static const char *write_temp(char *tmp, size_t cap, const unsigned char *buf, size_t len)
{
    int fd = create_temp(tmp, cap);
    if (fd < 0)
        return "create";
    FILE *f = fdopen(fd, "wb");
    if (f == NULL) {
        int e = errno;
        close(fd);
        errno = e;
        return "open";
    }
    const char *step = NULL;
    if (fwrite(buf, 1, len, f) != len)
        step = "write";
    else if (fflush(f) != 0)
        step = "flush";
    else if (lln__fsync(fileno(f)) != 0)
        step = "sync";
    int e = errno;
    if (fclose(f) != 0 && step == NULL) {
        step = "close";
        e = errno;
    }
    errno = e;
    return step;
}

/* Directory part of path ("." when there is none, "/" for "/name"; on Windows '\\' separates
 * too). */
static char *dir_of(const char *path)
{
    const char *slash = NULL;
    for (const char *c = path; *c != '\0'; c++)
        if (lln__is_sep(*c))
            slash = c;
    size_t n = slash == NULL ? 1 : slash == path ? 1 : (size_t)(slash - path);
    char *d = lln__malloc(n + 1);
    if (d != NULL) {
        memcpy(d, slash == NULL ? "." : path, n);
        d[n] = '\0';
    }
    return d;
}

lln_status_t lln_write_atomic(const char *path, const unsigned char *buf, size_t len,
                              lln_error_t *err)
{
    /* both names first: running out of memory must not leave a file half done */
    char *tmp = temp_name(path), *dir = dir_of(path);
    if (tmp == NULL || dir == NULL) {
        lln__free(tmp), lln__free(dir);
        return lln_error_set(err, LLN_E_NOMEM, "%s: out of memory", path);
    }
    const char *step = write_temp(tmp, strlen(path) + TEMP_EXTRA, buf, len);
    if (step == NULL && lln__replace_file(tmp, path) != 0)
        step = "rename";
    if (step != NULL) {
        int e = errno;
        if (strcmp(step, "create") != 0)
            unlink(tmp); /* never leave a partial file behind */
        lln_error_set(err, LLN_E_IO, "%s: cannot save: %s of temporary file '%s' failed: %s", path,
                      step, tmp, strerror(e));
        lln__free(tmp), lln__free(dir);
        return LLN_E_IO;
    }
    lln__free(tmp);
    int synced = lln__sync_dir(dir);
    lln__free(dir);
    if (!synced)
        return lln_error_set(err, LLN_E_IO,
                             "%s: saved, but syncing its directory failed: %s "
                             "(the new file may not survive a crash)",
                             path, strerror(errno));
    return LLN_OK;
}
