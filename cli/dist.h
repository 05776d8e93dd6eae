/* Several processes for `lln train` and `lln search` (docs/CLUSTER.md).
 *
 * The `lln` command runs as one process: these functions then describe a group of one.
 * The `lln-mpi` command (built when CMake finds MPI, cmake/mpi.cmake) is the same program
 * with mpi/dist_mpi.c instead of mpi/dist_local.c: started by mpirun or srun, its processes
 * form an MPI group. */
#ifndef LLN_CLI_DIST_H
#define LLN_CLI_DIST_H

#include <stddef.h>

#include "lln/train.h"

typedef struct cli_dist {
    int rank, ranks;
    lln_dist_t lib; /* for lln_train_config_t.dist (ranks > 1) */
} cli_dist_t;

/* Joins the group (MPI_Init in lln-mpi). Processes other than rank 0 then print nothing on
 * stdout (their stderr stays). 0 or an exit status. */
int cli_dist_start(const char *cmd, cli_dist_t *d);

/* Like MPI_Allgather of doubles; 0 on success. */
int cli_dist_allgather(const double *send, size_t count, double *recv);

/* Ends the group with the command's exit status: an error on a process stops all of them
 * (MPI_Abort), since the others could wait for it forever; unless agreed: every process
 * knows the outcome and ends with the same rc. Returns rc. */
int cli_dist_finish(const char *cmd, int rc, int agreed);

/* Prints the exchange's cost so far (calls, bytes, seconds) on rank 0 (nothing alone). */
void cli_dist_report(const char *cmd, long steps);

#endif
