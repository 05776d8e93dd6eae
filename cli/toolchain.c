/* The external tools of lln (see toolchain.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "os.h"
#include "toolchain.h"

static const tool_t TOOLS[] = {
    {"arm-none-eabi-gcc", NULL, "gcc-arm-none-eabi", TOOL_SIM_ARM,
     "cross compiler for the Cortex-M targets (lln verify, lln profile)"},
    {"newlib (arm-none-eabi)", "/usr/lib/arm-none-eabi/newlib/libc_nano.a",
     "libnewlib-arm-none-eabi", TOOL_SIM_ARM, "C library of the Cortex-M images"},
    {"qemu-system-arm", NULL, "qemu-system-arm", TOOL_SIM_ARM,
     "emulator of the Cortex-M boards (mps2, mps3, microbit)"},
    {"riscv64-unknown-elf-gcc", NULL, "gcc-riscv64-unknown-elf", TOOL_SIM_RISCV,
     "cross compiler for the RV32 targets (ESP32-C3 stand-in)"},
    {"picolibc (riscv64-unknown-elf)", "/usr/lib/picolibc/riscv64-unknown-elf/picolibc.specs",
     "picolibc-riscv64-unknown-elf", TOOL_SIM_RISCV, "C library of the RV32 images"},
    {"qemu-system-riscv32", NULL, "qemu-system-misc", TOOL_SIM_RISCV,
     "emulator of the RV32 board (virt)"},
    {"cc", NULL, "gcc", TOOL_HOST, "host compiler: builds the QEMU instruction-count plugin"},
    {"bash", NULL, "bash", TOOL_HOST, "runs the emulator harness scripts"},
    {"timeout", NULL, "coreutils", TOOL_HOST, "bounds every emulator run"},
    {"chromium", NULL, "chromium", TOOL_OPTIONAL, "renders lln report pages in the report test"},
    {"rsvg-convert", NULL, "librsvg2-bin", TOOL_OPTIONAL, "PNG copies of lln plot's SVG figures"},
    {"clang", NULL, "clang", TOOL_OPTIONAL, "second compiler of CI, fuzzers, sanitizers"},
    {"gcovr", NULL, "gcovr", TOOL_OPTIONAL, "coverage report of CI"},
    {"valgrind", NULL, "valgrind", TOOL_OPTIONAL, "memory checks of CI"},
    {"clang-format", NULL, "clang-format", TOOL_OPTIONAL, "formatting check (lint)"},
    {"shellcheck", NULL, "shellcheck", TOOL_OPTIONAL, "shell script check (lint)"},
    {"cppcheck", NULL, "cppcheck", TOOL_OPTIONAL, "static analysis of CI"},
    {"doxygen", NULL, "doxygen", TOOL_OPTIONAL, "API reference (CI docs stage)"},
    {"python3", NULL, "python3", TOOL_OPTIONAL, "CI helper scripts, JSON checks in tests"},
    {NULL, NULL, NULL, TOOL_OPTIONAL, NULL}};

const tool_t *toolchain_tools(void) { return TOOLS; }

int toolchain_present(const tool_t *t)
{
    /* Flawfinder: ignore (a presence check: the file is not opened here) */
    return t->file ? access(t->file, R_OK) == 0 : cli_on_path(t->name);
}

/* Runs argv (a command of this file's table, no shell) with stdout and stderr into a pipe
 * and keeps the first line that holds a digit and is not a shell complaint
 * ("/usr/bin/x: 9: ..."): the version line, without its newline. */
static void first_line(char *const argv[], char *buf, size_t cap)
{
    buf[0] = '\0';
    long long child;
    FILE *f = cli_open_reader(argv, &child);
    char line[256];
    while (f != NULL && fgets(line, sizeof line, f) != NULL) /* to the end: no blocked child */
        if (buf[0] == '\0' && line[0] != '/' && strpbrk(line, "0123456789") != NULL) {
            line[strcspn(line, "\r\n")] = '\0';
            snprintf(buf, cap, "%s", line);
        }
    if (f != NULL)
        cli_close_reader(f, child);
}

void toolchain_version(const tool_t *t, char *buf, size_t cap)
{
    if (t->file != NULL) {
        char fmt[160];
        snprintf(fmt, sizeof fmt, "-f=%s ${Version}", t->package);
        char *dpkg[] = {"dpkg-query", "-W", fmt, (char *)t->package, NULL};
        first_line(dpkg, buf, cap);
    } else if (strcmp(t->name, "timeout") == 0 || strcmp(t->name, "bash") == 0) {
        char *plain[] = {(char *)t->name, "--version", NULL};
        first_line(plain, buf, cap);
    } else {
        char *bounded[] = {"timeout", "10", (char *)t->name, "--version", NULL};
        first_line(bounded, buf, cap);
    }
}

int toolchain_check_target(const char *cmd, const char *target)
{
    if (cli_no_toolchains() != NULL) {
        cli_error(cmd, "target %s: %s", target, cli_no_toolchains());
        return 0;
    }
    tool_group_t g = strncmp(target, "cortex-", 7) == 0 ? TOOL_SIM_ARM : TOOL_SIM_RISCV;
    char missing[256] = "", pkgs[256] = "";
    for (const tool_t *t = TOOLS; t->name; t++) {
        if ((t->group != g && t->group != TOOL_HOST) || toolchain_present(t))
            continue;
        size_t m = strlen(missing), p = strlen(pkgs);
        snprintf(missing + m, sizeof missing - m, "%s%s", m ? ", " : "", t->name);
        snprintf(pkgs + p, sizeof pkgs - p, " %s", t->package);
    }
    if (missing[0] == '\0')
        return 1;
    cli_error(cmd,
              "target %s needs %s, which %s not installed: apt-get install -y "
              "--no-install-recommends%s (or: lln setup-toolchains; lln doctor lists "
              "every tool)",
              target, missing, strchr(missing, ',') ? "are" : "is", pkgs);
    return 0;
}
