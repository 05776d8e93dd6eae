/* Child processes of the CLI (process.h). */
#include "process.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

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
