/* cli/dist.h for the one-process `lln`: a static library (lln_dist_local, cmake/mpi.cmake)
 * that every user of the CLI's objects links; lln-mpi links mpi/dist_mpi.c as an object
 * first, so the linker never takes these from the archive there. */
#include <string.h>

#include "dist.h"

int cli_dist_start(const char *cmd, cli_dist_t *d)
{
    (void)cmd;
    memset(d, 0, sizeof *d);
    d->ranks = 1;
    return 0;
}

int cli_dist_allgather(const double *send, size_t count, double *recv)
{
    memmove(recv, send, count * sizeof *send);
    return 0;
}

int cli_dist_finish(const char *cmd, int rc, int agreed)
{
    (void)cmd;
    (void)agreed;
    return rc;
}

void cli_dist_report(const char *cmd, long steps)
{
    (void)cmd;
    (void)steps;
}
