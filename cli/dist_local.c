/* cli/dist.h for the one-process `lln` (lln-mpi uses mpi/dist_mpi.c instead). */
#ifndef LLN_MPI
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
#else
typedef int lln_cli_dist_local_unused; /* ISO C: no empty translation unit */
#endif
