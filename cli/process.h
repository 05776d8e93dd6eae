/* Child processes of the CLI (the cross compiler and QEMU scripts, apt-get, rsvg-convert,
 * lln itself for lln compare): one fork/exec/wait with the outputs redirected, no shell. */
#ifndef LLN_CLI_PROCESS_H
#define LLN_CLI_PROCESS_H

/* Runs argv[0] (searched on PATH unless it holds a '/') with argv, without a shell. out, err:
 * files for the child's stdout and stderr (NULL: inherited; the same path for both: one file
 * with both streams in order); env: one "NAME=value" added to the child's environment, or
 * NULL. Returns the exit status, 128 + the signal number when the child was killed, or -1
 * (errno set) when it could not be started. */
int cli_run(char *const argv[], const char *out, const char *err, const char *env);

#endif
