/* The external tools lln uses (cross compilers, C libraries, emulators, optional helpers):
 * how to find each, its version and the Debian package that installs it. Shared by
 * `lln doctor`, `lln setup-toolchains` and the pre-flight check of `lln profile`. */
#ifndef LLN_CLI_TOOLCHAIN_H
#define LLN_CLI_TOOLCHAIN_H

#include <stddef.h>

typedef enum { TOOL_SIM_ARM, TOOL_SIM_RISCV, TOOL_HOST, TOOL_OPTIONAL } tool_group_t;

typedef struct tool {
    const char *name;    /* a command on PATH, or a label for a file probe */
    const char *file;    /* NULL: find `name` on PATH; else this file must exist */
    const char *package; /* Debian package */
    tool_group_t group;
    const char *purpose; /* what lln needs it for */
} tool_t;

/* The table, terminated by an entry with name NULL. */
const tool_t *toolchain_tools(void);

/* 1 if the tool is installed. */
int toolchain_present(const tool_t *t);

/* First line of `TOOL --version` (or the package version from dpkg for a file probe) into
 * buf; "" when unknown. */
void toolchain_version(const tool_t *t, char *buf, size_t cap);

/* For an emulated target (cortex-*, rv32*): 1 when its compiler, C library and emulator are
 * installed; else prints "lln CMD: missing ...: apt-get install ..." naming the Debian
 * packages and returns 0. */
int toolchain_check_target(const char *cmd, const char *target);

#endif
