/* The CLI's operating-system layer on POSIX systems (cli/os.h). */
#include "os.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

/* ---- child processes -------------------------------------------------------------------- */

int cli_run(char *const argv[], const char *out, const char *err, const char *env)
{
    (void)fflush(NULL); /* nothing the parent buffered is written twice by the child */
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        if (out && !freopen(out, "w", stdout))
            _exit(126);
        if (err && out && strcmp(err, out) == 0) { /* one file: share stdout's offset */
            if (dup2(STDOUT_FILENO, STDERR_FILENO) < 0)
                _exit(126);
        } else if (err && !freopen(err, "w", stderr)) {
            _exit(126);
        }
        if (env)
            putenv((char *)env); /* the child's own copy of the environment */
        /* every caller passes a fixed program, never user text: bash, rm, apt-get,
         * rsvg-convert found on PATH, or this program itself */
        /* Flawfinder: ignore (fixed programs only, see above; no shell) */
        execvp(argv[0], argv);
        _exit(127);
    }
    int status;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            return -1;
    if (WIFSIGNALED(status))
        return 128 + WTERMSIG(status);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

FILE *cli_open_reader(char *const argv[], long long *child)
{
    int fd[2];
    *child = -1;
    if (pipe(fd) != 0)
        return NULL;
    pid_t pid = fork();
    if (pid == 0) {
        int dev_null = open("/dev/null", O_RDONLY);
        if (dev_null < 0 || dup2(dev_null, 0) < 0 || dup2(fd[1], 1) < 0 || dup2(fd[1], 2) < 0)
            _exit(126);
        close(fd[0]);
        /* Flawfinder: ignore (argv comes from the CLI's tool table, never from input) */
        execvp(argv[0], argv);
        _exit(127);
    }
    close(fd[1]);
    FILE *f = pid > 0 ? fdopen(fd[0], "r") : NULL;
    if (f == NULL) { /* the child ends on SIGPIPE; collect it */
        close(fd[0]);
        cli_close_reader(NULL, pid);
        pid = -1;
    }
    *child = pid;
    return f;
}

void cli_close_reader(FILE *f, long long child)
{
    if (f != NULL)
        fclose(f);
    int status;
    while (child > 0 && waitpid((pid_t)child, &status, 0) < 0 && errno == EINTR)
        ;
}

int cli_on_path(const char *name)
{
    const char *path = getenv("PATH");
    char buf[4096];
    while (path != NULL && *path) {
        size_t n = strcspn(path, ":");
        if (n > 0 && n + strlen(name) + 2 < sizeof buf) {
            snprintf(buf, sizeof buf, "%.*s/%s", (int)n, path, name);
            /* Flawfinder: ignore (a presence check: nothing is opened by this name later) */
            if (access(buf, X_OK) == 0)
                return 1;
        }
        path += n + (path[n] == ':');
    }
    return 0;
}

const char *cli_no_toolchains(void) { return NULL; }

/* ---- Ctrl-C ----------------------------------------------------------------------------- */

static volatile sig_atomic_t g_interrupted; /* set by SIGINT / SIGTERM */
static struct sigaction g_old_int, g_old_term;

static void on_signal(int sig)
{
    (void)sig;
    g_interrupted = 1;
}

void cli_interrupt_catch(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sa.sa_flags = (int)SA_RESETHAND; /* a second Ctrl-C ends the process at once */
    sigemptyset(&sa.sa_mask);
    g_interrupted = 0;
    sigaction(SIGINT, &sa, &g_old_int);
    sigaction(SIGTERM, &sa, &g_old_term);
}

void cli_interrupt_release(void)
{
    sigaction(SIGINT, &g_old_int, NULL);
    sigaction(SIGTERM, &g_old_term, NULL);
}

int cli_interrupted(void) { return g_interrupted != 0; }

/* ---- files and folders ------------------------------------------------------------------ */

int cli_mkdir(const char *dir) { return mkdir(dir, 0777); }

char *cli_mkdtemp(char *tmpl) { return mkdtemp(tmpl); }

int cli_sync_file(FILE *f) { return fflush(f) == 0 && fsync(fileno(f)) == 0 ? 0 : -1; }

int cli_sync_path(const char *path)
{
    int fd = open(path, O_RDONLY);
    int ok = fd >= 0 && fsync(fd) == 0;
    if (fd >= 0)
        close(fd);
    return ok ? 0 : -1;
}

int cli_replace_file(const char *tmp, const char *path) { return rename(tmp, path); }

int cli_make_executable(FILE *f) { return fchmod(fileno(f), 0755); }

char *cli_realpath(const char *path) { return realpath(path, NULL); }

long cli_getline(char **line, size_t *cap, FILE *f) { return (long)getline(line, cap, f); }

/* ---- the process itself ----------------------------------------------------------------- */

long cli_pid(void) { return (long)getpid(); }

int cli_is_tty(FILE *f) { return isatty(fileno(f)); }

int cli_is_admin(void) { return geteuid() == 0; }
