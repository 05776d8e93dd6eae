/* The few operating-system calls that differ between POSIX and Windows (mingw-w64), behind one
 * name each, so that the files using them keep one code path. Internal. */
#ifndef LLN_PLATFORM_H
#define LLN_PLATFORM_H

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>

/* fnmatch(pattern, s, 0): 0 when s matches the shell pattern (* ? [set] [!set], ranges,
 * backslash escapes; '/' and a leading '.' are not special). POSIX fnmatch where it exists;
 * mingw-w64 has none, so Windows gets this equivalent. */
static inline int lln__fnmatch(const char *p, const char *s);

#ifdef _WIN32
#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN
#endif
#include <direct.h>
#include <io.h>
#include <windows.h>

/* Files are opened in binary mode: no CR LF translation of model files and checkpoints. */
#define LLN_O_BINARY O_BINARY
/* No FIFOs to guard against when opening a file for reading. */
#define LLN_O_NONBLOCK 0

/* Flushes the file's data to the disk (FlushFileBuffers underneath). */
static inline int lln__fsync(int fd) { return _commit(fd); }

/* Atomically replaces path by tmp. MoveFileEx with MOVEFILE_REPLACE_EXISTING (rename() on
 * Windows fails if path exists) and MOVEFILE_WRITE_THROUGH (returns only once the move is on
 * the disk: the directory sync of POSIX). */
static inline int lln__replace_file(const char *tmp, const char *path)
{
    if (MoveFileExA(tmp, path, MOVEFILE_REPLACE_EXISTING | MOVEFILE_WRITE_THROUGH))
        return 0;
    DWORD e = GetLastError();
    errno = e == ERROR_ACCESS_DENIED || e == ERROR_SHARING_VIOLATION ? EACCES
            : e == ERROR_PATH_NOT_FOUND || e == ERROR_FILE_NOT_FOUND ? ENOENT
                                                                     : EIO;
    return -1;
}

/* Nothing to do after lln__replace_file: MOVEFILE_WRITE_THROUGH made the rename durable (and
 * Windows cannot open a directory as a file to sync it). */
static inline int lln__sync_dir(const char *dir)
{
    (void)dir;
    return 1;
}

static inline int lln__mkdir(const char *dir) { return _mkdir(dir); }

static inline int lln__is_sep(char c) { return c == '/' || c == '\\'; }

static inline int lln__fnmatch(const char *p, const char *s)
{
    for (;;) {
        char c = *p++;
        if (c == '\0')
            return *s != '\0';
        if (c == '*') {
            while (*p == '*')
                p++;
            if (*p == '\0')
                return 0;
            for (; *s != '\0'; s++)
                if (lln__fnmatch(p, s) == 0)
                    return 0;
            return 1;
        }
        if (*s == '\0')
            return 1;
        if (c == '[') {
            const char *q = p;
            int neg = *q == '!' || *q == '^', hit = 0, first = 1;
            q += neg;
            for (; *q != '\0' && (first || *q != ']'); first = 0) {
                unsigned char lo = (unsigned char)q[0], x = (unsigned char)*s;
                if (q[1] == '-' && q[2] != '\0' && q[2] != ']') {
                    hit |= x >= lo && x <= (unsigned char)q[2];
                    q += 3;
                } else {
                    hit |= x == lo;
                    q++;
                }
            }
            if (*q == ']') { /* a set; without its ']' the '[' is an ordinary character */
                if (hit == neg)
                    return 1;
                p = q + 1;
                s++;
                continue;
            }
        } else if (c == '?') {
            s++;
            continue;
        } else if (c == '\\' && *p != '\0') {
            c = *p++;
        }
        if (c != *s)
            return 1;
        s++;
    }
}

static inline long lln__online_cpus(void)
{
    SYSTEM_INFO si;
    GetSystemInfo(&si);
    return (long)si.dwNumberOfProcessors;
}
#else
#include <fnmatch.h>
#include <unistd.h>

#define LLN_O_BINARY 0
#define LLN_O_NONBLOCK O_NONBLOCK

static inline int lln__fsync(int fd) { return fsync(fd); }

static inline int lln__replace_file(const char *tmp, const char *path) { return rename(tmp, path); }

/* The rename is durable only once the directory entry is on disk. Filesystems that cannot
 * sync a directory say EINVAL; there is nothing more to do on those. */
static inline int lln__sync_dir(const char *dir)
{
    int fd = open(dir, O_RDONLY), ok = fd >= 0;
    if (ok && fsync(fd) != 0 && errno != EINVAL)
        ok = 0;
    int e = errno;
    if (fd >= 0)
        close(fd);
    errno = e;
    return ok;
}

static inline int lln__mkdir(const char *dir) { return mkdir(dir, 0777); }

static inline int lln__is_sep(char c) { return c == '/'; }

static inline long lln__online_cpus(void) { return sysconf(_SC_NPROCESSORS_ONLN); }

static inline int lln__fnmatch(const char *p, const char *s) { return fnmatch(p, s, 0); }
#endif

#endif
