/* .lln model files on disk: whole-file read, and the atomic save (temporary file in the
 * target's directory, fsync, rename, fsync of the directory), so that a crash or a full
 * disk leaves either the old file or the new one, never a mix. POSIX. */
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
#include <unistd.h>

#include "lln/util.h"
#include "lln/format.h"

/* ---- save ----------------------------------------------------------------------------------- */

#define TEMP_EXTRA 48 /* ".tmp.<pid>" and create_temp's ".<n>" */

/* "<path>.tmp.<pid>": same directory as path, so rename() is atomic (same filesystem), and
 * distinct per process, so concurrent savers do not write into each other's file. */
static char *temp_name(const char *path)
{
    size_t n = strlen(path) + TEMP_EXTRA;
    char *t = malloc(n);
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
    int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL, 0666);
    for (int k = 1; fd < 0 && errno == EEXIST && k < 100; k++) {
        snprintf(tmp + base, cap - base, ".%d", k);
        fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL, 0666);
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
    else if (fsync(fileno(f)) != 0)
        step = "sync";
    int e = errno;
    if (fclose(f) != 0 && step == NULL) {
        step = "close";
        e = errno;
    }
    errno = e;
    return step;
}

/* Directory part of path ("." when there is none, "/" for "/name"). */
static char *dir_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    size_t n = slash == NULL ? 1 : slash == path ? 1 : (size_t)(slash - path);
    char *d = malloc(n + 1);
    if (d != NULL) {
        memcpy(d, slash == NULL ? "." : path, n);
        d[n] = '\0';
    }
    return d;
}

/* The rename is durable only once the directory entry is on disk. Filesystems that cannot
 * sync a directory say EINVAL; there is nothing more to do on those. */
static int sync_dir(const char *path)
{
    char *dir = dir_of(path);
    int fd = dir != NULL ? open(dir, O_RDONLY) : -1, ok = fd >= 0;
    if (ok && fsync(fd) != 0 && errno != EINVAL)
        ok = 0;
    int e = errno;
    if (fd >= 0)
        close(fd);
    free(dir);
    errno = e;
    return ok;
}

lln_status_t lln_write_atomic(const char *path, const unsigned char *buf, size_t len,
                              lln_error_t *err)
{
    char *tmp = temp_name(path);
    if (tmp == NULL)
        return lln_error_set(err, LLN_E_NOMEM, "%s: out of memory", path);
    const char *step = write_temp(tmp, strlen(path) + TEMP_EXTRA, buf, len);
    if (step == NULL && rename(tmp, path) != 0)
        step = "rename";
    if (step != NULL) {
        int e = errno;
        if (strcmp(step, "create") != 0)
            unlink(tmp); /* never leave a partial file behind */
        lln_error_set(err, LLN_E_IO, "%s: cannot save: %s of temporary file '%s' failed: %s", path,
                      step, tmp, strerror(e));
        free(tmp);
        return LLN_E_IO;
    }
    free(tmp);
    if (!sync_dir(path))
        return lln_error_set(err, LLN_E_IO,
                             "%s: saved, but syncing its directory failed: %s "
                             "(the new file may not survive a crash)",
                             path, strerror(errno));
    return LLN_OK;
}

lln_status_t lln_model_save(const lln_model_t *m, const char *path, lln_error_t *err)
{
    unsigned char *buf = NULL;
    size_t len = 0;
    if (m == NULL || path == NULL || path[0] == '\0')
        return lln_error_set(err, LLN_E_ARG, "save: NULL model or empty path");
    lln_status_t st = lln_model_save_mem(m, &buf, &len, err);
    if (st == LLN_OK)
        st = lln_write_atomic(path, buf, len, err);
    free(buf);
    return st;
}

/* ---- load ----------------------------------------------------------------------------------- */

lln_status_t lln_model_load(const char *path, lln_model_t **out, lln_error_t *err)
{
    if (out != NULL)
        *out = NULL;
    if (path == NULL || out == NULL)
        return lln_error_set(err, LLN_E_ARG, "load: NULL path or output");
    unsigned char *buf = NULL;
    size_t len = 0;
    lln_status_t st = lln_read_file(path, &buf, &len, err);
    if (st == LLN_OK)
        st = lln_model_load_mem(buf, len, path, out, err);
    free(buf);
    return st;
}
