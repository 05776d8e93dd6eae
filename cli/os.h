/* The operating-system layer of the lln command: everything the CLI does differently on POSIX
 * systems and on Windows, behind one name each, so that the commands keep one code path.
 * cli/port/os_posix.c implements it with fork/exec, sigaction, fsync and rename;
 * cli/port/os_win32.c (mingw-w64) with CreateProcess, SetConsoleCtrlHandler, FlushFileBuffers
 * and MoveFileEx. CMake compiles exactly one of the two (cmake/cli_port.cmake). */
#ifndef LLN_CLI_OS_H
#define LLN_CLI_OS_H

#include <stddef.h>
#include <stdio.h>

/* ---- child processes -------------------------------------------------------------------- */

/* Runs argv[0] (searched on PATH unless it holds a path separator) with argv, without a
 * shell. out, err: files for the child's stdout and stderr (NULL: inherited; the same path for
 * both: one file with both streams in order); env: one "NAME=value" added to the child's
 * environment, or NULL. Returns the exit status, 128 + the signal number when the child was
 * killed (POSIX), or -1 (errno set) when it could not be started. */
int cli_run(char *const argv[], const char *out, const char *err, const char *env);

/* Starts argv[0] (searched on PATH) with argv, stdin empty and stdout and stderr into one
 * pipe, without a shell. Returns the pipe's reading end, or NULL when it cannot start; *child
 * names the process for cli_close_reader. */
FILE *cli_open_reader(char *const argv[], long long *child);

/* Closes the reading end of cli_open_reader and waits for the child to end. */
void cli_close_reader(FILE *f, long long child);

/* 1 if name is an executable file in a folder of PATH (on Windows also name + ".exe"). */
int cli_on_path(const char *name);

/* NULL where the emulator tools can run (bash scripts, cross compilers, QEMU: lln verify,
 * profile, setup-toolchains and the measuring step of train --budget); otherwise why not, as
 * one sentence for "lln CMD: <reason>". */
const char *cli_no_toolchains(void);

/* ---- Ctrl-C ----------------------------------------------------------------------------- */

/* From cli_interrupt_catch() to cli_interrupt_release(), Ctrl-C (and SIGTERM on POSIX, the
 * console's close/logoff events on Windows) only sets a flag that cli_interrupted() reports;
 * a second Ctrl-C ends the process at once. */
void cli_interrupt_catch(void);
void cli_interrupt_release(void);
int cli_interrupted(void);

/* ---- files and folders ------------------------------------------------------------------ */

/* Makes the folder (permissions 0777 minus the umask on POSIX). 0, or -1 with errno (EEXIST
 * when something of that name exists). */
int cli_mkdir(const char *dir);

/* Creates a new folder from tmpl, whose last six characters are XXXXXX (replaced). tmpl, or
 * NULL with errno. */
char *cli_mkdtemp(char *tmpl);

/* Flushes f and forces its data to the disk. 0, or -1 with errno. */
int cli_sync_file(FILE *f);

/* Forces the data of the named file, written by another process, to the disk. 0 or -1. */
int cli_sync_path(const char *path);

/* Replaces path by tmp in one step: rename() on POSIX, MoveFileEx(REPLACE_EXISTING |
 * WRITE_THROUGH) on Windows, where rename() refuses an existing target. 0, or -1 with errno. */
int cli_replace_file(const char *tmp, const char *path);

/* Marks the open file f executable (fchmod 0755 on the open file: no window for a swap);
 * nothing to do on Windows, where that is decided by the name. 0, or -1 with errno. */
int cli_make_executable(FILE *f);

/* An absolute, canonical name of an existing path (realpath / GetFullPathName); malloc'd,
 * NULL with errno. */
char *cli_realpath(const char *path);

/* getline(3): reads a line of any length into *line (grown with realloc). The count of bytes
 * read, or -1 at the end of the file or on an error. */
long cli_getline(char **line, size_t *cap, FILE *f);

/* ---- the process itself ----------------------------------------------------------------- */

/* This process's id (for unique temporary names). */
long cli_pid(void);

/* 1 if f is a terminal (a console on Windows). */
int cli_is_tty(FILE *f);

/* 1 if the process may install system packages (root on POSIX; never on Windows, where lln
 * setup-toolchains does not apply). */
int cli_is_admin(void);

#endif
