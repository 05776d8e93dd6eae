/* The CLI's operating-system layer on Windows (cli/os.h), built with mingw-w64. */
#include "os.h"

#include <direct.h>
#include <errno.h>
#include <fcntl.h>
#include <io.h>
#include <process.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN
#endif
#include <windows.h>

/* errno for the last Windows error of a file operation. */
static int errno_of(DWORD e)
{
    switch (e) {
    case ERROR_FILE_NOT_FOUND:
    case ERROR_PATH_NOT_FOUND:
    case ERROR_INVALID_NAME: return ENOENT;
    case ERROR_ACCESS_DENIED:
    case ERROR_SHARING_VIOLATION:
    case ERROR_LOCK_VIOLATION: return EACCES;
    case ERROR_ALREADY_EXISTS:
    case ERROR_FILE_EXISTS: return EEXIST;
    case ERROR_NOT_ENOUGH_MEMORY:
    case ERROR_OUTOFMEMORY: return ENOMEM;
    default: return EIO;
    }
}

/* ---- child processes -------------------------------------------------------------------- */

/* The command line of argv as the C runtime's parser (CommandLineToArgvW's rules) splits it
 * back: each argument in double quotes, a quote escaped by a backslash, and the backslashes
 * before a quote (or the closing quote) doubled. malloc'd, NULL when out of memory. */
static char *command_line(char *const argv[])
{
    size_t cap = 1;
    for (int i = 0; argv[i]; i++)
        cap += 2 * strlen(argv[i]) + 3;
    char *s = malloc(cap), *p = s;
    if (s == NULL)
        return NULL;
    for (int i = 0; argv[i]; i++) {
        if (i > 0)
            *p++ = ' ';
        *p++ = '"';
        size_t slashes = 0;
        for (const char *a = argv[i]; *a; a++) {
            if (*a == '\\') {
                slashes++;
            } else {
                if (*a == '"')
                    for (size_t k = 0; k < slashes + 1; k++)
                        *p++ = '\\';
                slashes = 0;
            }
            *p++ = *a;
        }
        for (size_t k = 0; k < slashes; k++)
            *p++ = '\\';
        *p++ = '"';
    }
    *p = '\0';
    return s;
}

/* The calling process's environment block with "NAME=value" set (replacing NAME if it is
 * there), for CreateProcess; malloc'd, NULL when out of memory. */
static char *environment_with(const char *set)
{
    char *cur = GetEnvironmentStringsA();
    if (cur == NULL)
        return NULL;
    size_t klen = strcspn(set, "=") + 1, total = 0, n;
    for (const char *e = cur; (n = strlen(e)) > 0; e += n + 1)
        total += n + 1;
    char *blk = malloc(total + strlen(set) + 2), *p = blk;
    if (blk != NULL) {
        for (const char *e = cur; (n = strlen(e)) > 0; e += n + 1)
            if (_strnicmp(e, set, klen) != 0) { /* names are case-insensitive on Windows */
                memcpy(p, e, n + 1);
                p += n + 1;
            }
        memcpy(p, set, strlen(set) + 1);
        p += strlen(set) + 1;
        *p = '\0';
    }
    FreeEnvironmentStringsA(cur);
    return blk;
}

/* A handle the child inherits: path (a file, or NUL) opened with rights and disposition. */
static HANDLE inheritable(const char *path, DWORD rights, DWORD disposition)
{
    SECURITY_ATTRIBUTES sa = {sizeof sa, NULL, TRUE};
    return CreateFileA(path, rights, FILE_SHARE_READ | FILE_SHARE_WRITE, &sa, disposition,
                       FILE_ATTRIBUTE_NORMAL, NULL);
}

/* Starts argv with the given standard handles (inherited); the process handle, or NULL with
 * errno. */
static HANDLE start(char *const argv[], HANDLE in, HANDLE out, HANDLE err, const char *env)
{
    char *cmd = command_line(argv), *blk = env ? environment_with(env) : NULL;
    STARTUPINFOA si;
    PROCESS_INFORMATION pi;
    memset(&si, 0, sizeof si);
    si.cb = sizeof si;
    si.dwFlags = STARTF_USESTDHANDLES;
    si.hStdInput = in;
    si.hStdOutput = out;
    si.hStdError = err;
    BOOL ok = cmd != NULL && (env == NULL || blk != NULL) &&
              CreateProcessA(NULL, cmd, NULL, NULL, TRUE, 0, blk, NULL, &si, &pi);
    DWORD e = GetLastError();
    free(cmd);
    free(blk);
    if (!ok) {
        errno = e == ERROR_FILE_NOT_FOUND || e == ERROR_PATH_NOT_FOUND ? ENOENT : errno_of(e);
        return NULL;
    }
    CloseHandle(pi.hThread);
    return pi.hProcess;
}

/* Waits for the process and closes its handle: its exit code, 255 for one that does not fit
 * in 8 bits (an exception such as 0xC0000005: Windows has no signals), -1 if the wait fails. */
static int finish(HANDLE proc)
{
    DWORD code = 0;
    int ok =
        WaitForSingleObject(proc, INFINITE) == WAIT_OBJECT_0 && GetExitCodeProcess(proc, &code);
    CloseHandle(proc);
    if (!ok) {
        errno = EIO;
        return -1;
    }
    return code > 255 ? 255 : (int)code;
}

int cli_run(char *const argv[], const char *out, const char *err, const char *env)
{
    (void)fflush(NULL); /* what this process buffered comes before the child's output */
    HANDLE ho = GetStdHandle(STD_OUTPUT_HANDLE), he = GetStdHandle(STD_ERROR_HANDLE);
    HANDLE fo = NULL, fe = NULL;
    if (out && (fo = inheritable(out, GENERIC_WRITE, CREATE_ALWAYS)) == INVALID_HANDLE_VALUE)
        return errno = errno_of(GetLastError()), -1;
    if (err && out && strcmp(err, out) == 0) {
        fe = fo;
    } else if (err &&
               (fe = inheritable(err, GENERIC_WRITE, CREATE_ALWAYS)) == INVALID_HANDLE_VALUE) {
        int e = errno_of(GetLastError());
        if (fo)
            CloseHandle(fo);
        return errno = e, -1;
    }
    HANDLE proc = start(argv, GetStdHandle(STD_INPUT_HANDLE), fo ? fo : ho, fe ? fe : he, env);
    if (fo)
        CloseHandle(fo);
    if (fe && fe != fo)
        CloseHandle(fe);
    return proc ? finish(proc) : -1;
}

FILE *cli_open_reader(char *const argv[], long long *child)
{
    *child = 0;
    SECURITY_ATTRIBUTES sa = {sizeof sa, NULL, TRUE};
    HANDLE rd, wr;
    if (!CreatePipe(&rd, &wr, &sa, 0))
        return NULL;
    SetHandleInformation(rd, HANDLE_FLAG_INHERIT, 0); /* the child holds the writing end only */
    HANDLE nul = inheritable("NUL", GENERIC_READ, OPEN_EXISTING);
    HANDLE proc = nul == INVALID_HANDLE_VALUE ? NULL : start(argv, nul, wr, wr, NULL);
    if (nul != INVALID_HANDLE_VALUE)
        CloseHandle(nul);
    CloseHandle(wr); /* the pipe ends when the child's copy closes */
    int fd = proc ? _open_osfhandle((intptr_t)rd, _O_RDONLY) : -1;
    FILE *f = fd >= 0 ? _fdopen(fd, "r") : NULL;
    if (f == NULL) {
        if (fd >= 0)
            _close(fd);
        else
            CloseHandle(rd);
        if (proc)
            (void)finish(proc);
        return NULL;
    }
    *child = (long long)(intptr_t)proc;
    return f;
}

void cli_close_reader(FILE *f, long long child)
{
    if (f != NULL)
        fclose(f);
    if (child != 0)
        (void)finish((HANDLE)(intptr_t)child);
}

/* 1 if path names an existing file (not a folder). */
static int is_file(const char *path)
{
    DWORD a = GetFileAttributesA(path);
    return a != INVALID_FILE_ATTRIBUTES && !(a & FILE_ATTRIBUTE_DIRECTORY);
}

int cli_on_path(const char *name)
{
    const char *path = getenv("PATH");
    char buf[4096];
    while (path != NULL && *path) {
        size_t n = strcspn(path, ";");
        if (n > 0 && n + strlen(name) + 6 < sizeof buf) {
            snprintf(buf, sizeof buf, "%.*s\\%s", (int)n, path, name);
            if (is_file(buf))
                return 1;
            strcat(buf, ".exe");
            if (is_file(buf))
                return 1;
        }
        path += n + (path[n] == ';');
    }
    return 0;
}

const char *cli_no_toolchains(void)
{
    return "not supported on Windows: the firmware is built by bash scripts with the "
           "arm-none-eabi / riscv64 cross compilers and run under QEMU; use Linux or WSL";
}

/* ---- Ctrl-C ----------------------------------------------------------------------------- */

static volatile LONG g_interrupted; /* set by the console handler (its own thread) */

static BOOL WINAPI on_console(DWORD event)
{
    if (event != CTRL_C_EVENT && event != CTRL_BREAK_EVENT && event != CTRL_CLOSE_EVENT)
        return FALSE;
    /* the first one is ours; a second falls through to the default: the process ends */
    return InterlockedExchange(&g_interrupted, 1) == 0 ? TRUE : FALSE;
}

void cli_interrupt_catch(void)
{
    InterlockedExchange(&g_interrupted, 0);
    SetConsoleCtrlHandler(on_console, TRUE);
}

void cli_interrupt_release(void) { SetConsoleCtrlHandler(on_console, FALSE); }

int cli_interrupted(void) { return InterlockedCompareExchange(&g_interrupted, 0, 0) != 0; }

/* ---- files and folders ------------------------------------------------------------------ */

int cli_mkdir(const char *dir) { return _mkdir(dir); }

char *cli_mkdtemp(char *tmpl)
{
    if (_mktemp_s(tmpl, strlen(tmpl) + 1) != 0 || _mkdir(tmpl) != 0)
        return NULL;
    return tmpl;
}

int cli_sync_file(FILE *f) { return fflush(f) == 0 && _commit(_fileno(f)) == 0 ? 0 : -1; }

int cli_sync_path(const char *path)
{
    int fd = _open(path, _O_RDWR | _O_BINARY); /* FlushFileBuffers needs write access */
    int ok = fd >= 0 && _commit(fd) == 0;
    if (fd >= 0)
        _close(fd);
    return ok ? 0 : -1;
}

int cli_replace_file(const char *tmp, const char *path)
{
    if (MoveFileExA(tmp, path, MOVEFILE_REPLACE_EXISTING | MOVEFILE_WRITE_THROUGH))
        return 0;
    errno = errno_of(GetLastError());
    return -1;
}

int cli_make_executable(FILE *f)
{
    (void)f;
    return 0;
}

char *cli_realpath(const char *path)
{
    if (GetFileAttributesA(path) == INVALID_FILE_ATTRIBUTES) {
        errno = errno_of(GetLastError());
        return NULL;
    }
    return _fullpath(NULL, path, 0);
}

long cli_getline(char **line, size_t *cap, FILE *f)
{
    size_t n = 0; /* counted byte by byte: a NUL inside the line is kept and counted */
    int c;
    while ((c = getc(f)) != EOF) {
        if (*line == NULL || n + 2 > *cap) {
            size_t grow = *cap < 128 ? 128 : 2 * *cap;
            char *p = realloc(*line, grow);
            if (p == NULL)
                return -1;
            *line = p;
            *cap = grow;
        }
        (*line)[n++] = (char)c;
        if (c == '\n')
            break;
    }
    if (n == 0)
        return -1;
    (*line)[n] = '\0';
    return (long)n;
}

/* ---- the process itself ----------------------------------------------------------------- */

long cli_pid(void) { return (long)_getpid(); }

int cli_is_tty(FILE *f) { return _isatty(_fileno(f)) != 0; }

int cli_is_admin(void) { return 0; }
