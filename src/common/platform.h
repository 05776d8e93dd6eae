/* The few operating-system calls that differ between POSIX and Windows (mingw-w64 and MSVC),
 * behind one name each, so that the files using them keep one code path: files, threads,
 * atomics, mutexes and condition variables, and the monotonic clock. Windows uses the Win32
 * API for threads and atomics with both compilers (MSVC has neither pthreads nor, reliably,
 * C11 <threads.h>/<stdatomic.h>), so the mingw-w64 build that CI runs under wine tests the
 * code the MSVC wheel runs. Internal. */
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
#ifndef NOMINMAX
#define NOMINMAX
#endif
#include <direct.h>
#include <fenv.h>
#include <io.h>
#include <limits.h>
#include <process.h> /* getpid */
#include <windows.h>

#ifndef STDIN_FILENO
#define STDIN_FILENO 0 /* MSVC has no <unistd.h> */
#endif
/* MSVC's <sys/stat.h> has the mode bits but not POSIX's tests. */
#ifndef S_ISREG
#define S_ISREG(m) (((m)&_S_IFMT) == _S_IFREG)
#endif
#ifndef S_ISDIR
#define S_ISDIR(m) (((m)&_S_IFMT) == _S_IFDIR)
#endif

/* read(2): at most n bytes (n is capped at INT_MAX; a short read is normal), -1 on error. */
static inline long lln__read(int fd, void *buf, size_t n)
{
    return (long)_read(fd, buf, (unsigned)(n > INT_MAX ? INT_MAX : n));
}

/* A duplicate of standard input in binary mode (no CR LF translation of gzip bytes). */
static inline int lln__dup_stdin(void)
{
    int fd = _dup(STDIN_FILENO);
    if (fd >= 0)
        (void)_setmode(fd, _O_BINARY);
    return fd;
}

/* Seconds of a monotonic clock (QueryPerformanceCounter). */
static inline double lln__monotonic_s(void)
{
    LARGE_INTEGER f, c;
    QueryPerformanceFrequency(&f);
    QueryPerformanceCounter(&c);
    return (double)c.QuadPart / (double)f.QuadPart;
}

/* Threads: start fn(arg) on its own thread, wait for it. A Win32 thread runs a trampoline that
 * calls fn; the handle is closed by the join. The trampoline first takes the starting
 * thread's floating-point environment: a POSIX thread inherits it, a Win32 thread starts from
 * the default one (with mingw-w64 53-bit x87 precision instead of the main thread's 64, and
 * its libm computes exp and tanh on the x87 unit), so float64 results would otherwise depend
 * on the thread that computed them. */
typedef void *(*lln__thread_fn)(void *);
typedef struct lln__thread {
    HANDLE h;
    lln__thread_fn fn;
    void *arg;
    fenv_t env;
    int have_env;
} lln__thread_t;

static inline DWORD WINAPI lln__thread_tramp(LPVOID p)
{
    lln__thread_t *t = (lln__thread_t *)p;
    if (t->have_env)
        (void)fesetenv(&t->env);
    (void)t->fn(t->arg);
    return 0;
}

/* 0 when the thread runs; t must stay at its address until lln__thread_join. */
static inline int lln__thread_start(lln__thread_t *t, lln__thread_fn fn, void *arg)
{
    t->fn = fn;
    t->arg = arg;
    t->have_env = fegetenv(&t->env) == 0;
    t->h = CreateThread(NULL, 0, lln__thread_tramp, t, 0, NULL);
    return t->h != NULL ? 0 : -1;
}

static inline void lln__thread_join(lln__thread_t *t)
{
    WaitForSingleObject(t->h, INFINITE);
    CloseHandle(t->h);
}

/* Sequentially consistent operations on a long (LONG is long on Windows). */
static inline long lln__atomic_inc(volatile long *p) { return InterlockedIncrement(p); }
static inline long lln__atomic_load(volatile long *p)
{
    return InterlockedCompareExchange(p, 0, 0);
}
static inline void lln__atomic_store(volatile long *p, long v) { (void)InterlockedExchange(p, v); }
/* Sets *p to desired if it holds expect; returns what *p held. */
static inline long lln__atomic_cas(volatile long *p, long expect, long desired)
{
    return InterlockedCompareExchange(p, desired, expect);
}

static inline long lln__atomic_dec(volatile long *p) { return InterlockedDecrement(p); }
/* A hint to the core that this thread is spinning on a flag. */
static inline void lln__cpu_relax(void) { YieldProcessor(); }
/* Gives the processor to another ready thread (of any process) on this one, if there is one. */
static inline void lln__yield(void) { (void)SwitchToThread(); }

/* A mutex and a condition variable (slim reader/writer lock, Vista's condition variables):
 * nothing to free. */
typedef SRWLOCK lln__mutex_t;
typedef CONDITION_VARIABLE lln__cond_t;
static inline int lln__mutex_init(lln__mutex_t *m)
{
    InitializeSRWLock(m);
    return 0;
}
static inline void lln__mutex_destroy(lln__mutex_t *m) { (void)m; }
static inline void lln__mutex_lock(lln__mutex_t *m) { AcquireSRWLockExclusive(m); }
static inline void lln__mutex_unlock(lln__mutex_t *m) { ReleaseSRWLockExclusive(m); }
static inline int lln__cond_init(lln__cond_t *c)
{
    InitializeConditionVariable(c);
    return 0;
}
static inline void lln__cond_destroy(lln__cond_t *c) { (void)c; }
/* Releases m, waits for a wake-up (spurious ones too), takes m again. */
static inline void lln__cond_wait(lln__cond_t *c, lln__mutex_t *m)
{
    (void)SleepConditionVariableSRW(c, m, INFINITE, 0);
}
static inline void lln__cond_signal(lln__cond_t *c) { WakeConditionVariable(c); }
static inline void lln__cond_broadcast(lln__cond_t *c) { WakeAllConditionVariable(c); }

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
#include <pthread.h>
#include <sched.h>
#include <time.h>
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

static inline long lln__read(int fd, void *buf, size_t n) { return (long)read(fd, buf, n); }

static inline int lln__dup_stdin(void) { return dup(STDIN_FILENO); }

static inline double lln__monotonic_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

typedef void *(*lln__thread_fn)(void *);
typedef struct lln__thread {
    pthread_t id;
} lln__thread_t;

static inline int lln__thread_start(lln__thread_t *t, lln__thread_fn fn, void *arg)
{
    return pthread_create(&t->id, NULL, fn, arg);
}

static inline void lln__thread_join(lln__thread_t *t) { pthread_join(t->id, NULL); }

/* GCC and Clang builtins (every POSIX compiler we build with). */
static inline long lln__atomic_inc(volatile long *p)
{
    return __atomic_add_fetch(p, 1, __ATOMIC_SEQ_CST);
}
static inline long lln__atomic_load(volatile long *p)
{
    return __atomic_load_n(p, __ATOMIC_SEQ_CST);
}
static inline void lln__atomic_store(volatile long *p, long v)
{
    __atomic_store_n(p, v, __ATOMIC_SEQ_CST);
}
static inline long lln__atomic_cas(volatile long *p, long expect, long desired)
{
    __atomic_compare_exchange_n(p, &expect, desired, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
    return expect;
}
static inline long lln__atomic_dec(volatile long *p)
{
    return __atomic_sub_fetch(p, 1, __ATOMIC_SEQ_CST);
}
static inline void lln__cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#endif
}
/* Gives the processor to another ready thread (of any process) on this one, if there is one. */
static inline void lln__yield(void) { (void)sched_yield(); }

typedef pthread_mutex_t lln__mutex_t;
typedef pthread_cond_t lln__cond_t;
static inline int lln__mutex_init(lln__mutex_t *m) { return pthread_mutex_init(m, NULL); }
static inline void lln__mutex_destroy(lln__mutex_t *m) { (void)pthread_mutex_destroy(m); }
static inline void lln__mutex_lock(lln__mutex_t *m) { (void)pthread_mutex_lock(m); }
static inline void lln__mutex_unlock(lln__mutex_t *m) { (void)pthread_mutex_unlock(m); }
static inline int lln__cond_init(lln__cond_t *c) { return pthread_cond_init(c, NULL); }
static inline void lln__cond_destroy(lln__cond_t *c) { (void)pthread_cond_destroy(c); }
static inline void lln__cond_wait(lln__cond_t *c, lln__mutex_t *m)
{
    (void)pthread_cond_wait(c, m);
}
static inline void lln__cond_signal(lln__cond_t *c) { (void)pthread_cond_signal(c); }
static inline void lln__cond_broadcast(lln__cond_t *c) { (void)pthread_cond_broadcast(c); }
#endif

#endif
