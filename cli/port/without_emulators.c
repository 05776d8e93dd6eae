/* lln compare, lln search and lln sim on Windows (cmake/cli_port.cmake): they profile or run
 * firmware under QEMU (compare and search through lln profile, sim --firmware through a
 * POSIX pipe-and-poll link), which a Windows build does not do; they say so (os.h). */
#include "cli.h"
#include "os.h"

static int unsupported(const char *cmd)
{
    cli_error(cmd, "%s (docs/CLI.md, \"Windows\")", cli_no_toolchains());
    return EXIT_FAIL;
}

int cmd_compare(int argc, char **argv)
{
    (void)argc, (void)argv;
    return unsupported("compare");
}

int cmd_search(int argc, char **argv)
{
    (void)argc, (void)argv;
    return unsupported("search");
}

int cmd_sim(int argc, char **argv)
{
    (void)argc, (void)argv;
    return unsupported("sim");
}
