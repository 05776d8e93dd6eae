/* The commands of a build without cJSON (the Windows cross build: Debian packages cJSON for
 * Linux only, cmake/cli_port.cmake). They read or write JSON result files, so they say that
 * they are not in this build instead of silently doing part of their job. */
#include "cli.h"

static int unavailable(const char *cmd)
{
    cli_error(cmd, "not available in this build: it reads or writes JSON result files with "
                   "cJSON, which this build was made without (the Windows build: Debian has "
                   "no cJSON for mingw-w64); use a Linux build (docs/CLI.md, \"Windows\")");
    return EXIT_FAIL;
}

int cmd_report(int argc, char **argv)
{
    (void)argc, (void)argv;
    return unavailable("report");
}

int cmd_plot(int argc, char **argv)
{
    (void)argc, (void)argv;
    return unavailable("plot");
}

int cmd_compare(int argc, char **argv)
{
    (void)argc, (void)argv;
    return unavailable("compare");
}

int cmd_search(int argc, char **argv)
{
    (void)argc, (void)argv;
    return unavailable("search");
}

int cmd_sim(int argc, char **argv)
{
    (void)argc, (void)argv;
    return unavailable("sim");
}
