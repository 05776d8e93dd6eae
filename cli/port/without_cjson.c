/* lln report and lln plot in a build without cJSON (the Windows cross build: Debian packages
 * cJSON for Linux only; cmake/cli_port.cmake). They read JSON result files, so they say that
 * they are not in this build instead of silently doing part of their job. */
#include "cli.h"

static int unavailable(const char *cmd)
{
    cli_error(cmd, "not available in this build: it reads JSON result files with cJSON, which "
                   "this build was made without (Debian has no cJSON for mingw-w64); use a "
                   "build with cJSON (docs/CLI.md, \"Windows\")");
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
