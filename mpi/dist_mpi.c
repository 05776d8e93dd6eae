/* cli/dist.h on MPI, for lln-mpi (cmake/mpi.cmake). Open MPI, MPICH and every cluster's
 * MPI provide what is used here: MPI_Init_thread (FUNNELED: only the main thread calls MPI,
 * the batch workers never do), MPI_Allgather, MPI_Abort. */
#include <limits.h>
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../cli/cli.h"
#include "../cli/dist.h"

static MPI_Comm g_comm = MPI_COMM_NULL;
static int g_rank, g_ranks = 1;
static long g_calls;
static double g_bytes, g_seconds, g_wait;
static double g_min = -1; /* the fastest gradient exchange: the cost without scheduling noise */
static int g_split;       /* LLN_MPI_SPLIT_TIMING=1: a barrier first, to tell waiting from moving */

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int lib_allgather(void *ctx, const double *send, size_t count, double *recv)
{
    (void)ctx;
    return cli_dist_allgather(send, count, recv);
}

int cli_dist_start(const char *cmd, cli_dist_t *d)
{
    memset(d, 0, sizeof *d);
    d->ranks = 1;
    /* A child lln of a process of the group (lln search's training runs) is one process:
     * MPI_Init there would try to join the group its parent belongs to. */
    const char *child = getenv("LLN_MPI_CHILD");
    if (child != NULL && strcmp(child, "1") == 0)
        return 0;
    int inited = 0, provided = 0;
    MPI_Initialized(&inited);
    if (!inited && MPI_Init_thread(NULL, NULL, MPI_THREAD_FUNNELED, &provided) != MPI_SUCCESS) {
        cli_error(cmd, "MPI could not start (run lln-mpi under mpirun or srun)");
        return EXIT_FAIL;
    }
    if (g_comm == MPI_COMM_NULL) {
        MPI_Comm_dup(MPI_COMM_WORLD, &g_comm);
        MPI_Comm_rank(g_comm, &g_rank);
        MPI_Comm_size(g_comm, &g_ranks);
    }
    d->rank = g_rank;
    d->ranks = g_ranks;
    d->lib.rank = g_rank;
    d->lib.ranks = g_ranks;
    d->lib.allgather = lib_allgather;
    d->lib.ctx = NULL;
    if (setenv("LLN_MPI_CHILD", "1", 1) != 0) {
        cli_error(cmd, "cannot set LLN_MPI_CHILD for child processes");
        return EXIT_FAIL;
    }
    const char *split = getenv("LLN_MPI_SPLIT_TIMING");
    g_split = split != NULL && strcmp(split, "1") == 0;
    if (g_rank != 0 && freopen("/dev/null", "w", stdout) == NULL) {
        cli_error(cmd, "rank %d: cannot silence stdout", g_rank);
        return EXIT_FAIL;
    }
    return 0;
}

int cli_dist_allgather(const double *send, size_t count, double *recv)
{
    if (count > (size_t)INT_MAX)
        return -1;
    double a = now_s();
    if (g_split)
        MPI_Barrier(g_comm);
    double b = now_s();
    int rc = MPI_Allgather(send, (int)count, MPI_DOUBLE, recv, (int)count, MPI_DOUBLE, g_comm);
    g_calls++;
    g_bytes += (double)count * sizeof(double) * (double)g_ranks;
    g_wait += b - a;
    double t = now_s() - b;
    g_seconds += t;
    if (count > 1 && (g_min < 0 || t < g_min))
        g_min = t;
    return rc == MPI_SUCCESS ? 0 : -1;
}

void cli_dist_report(const char *cmd, long steps)
{
    if (g_rank != 0 || g_ranks < 2 || steps < 1)
        return;
    if (g_split)
        printf("mpi        %d ranks; exchange: %ld calls, %.0f bytes received per rank, %.3f s "
               "moving (%.1f us per optimizer step, fastest exchange %.1f us) after %.3f s "
               "waiting at a barrier for the slowest rank (%.1f us per step)\n",
               g_ranks, g_calls, g_bytes, g_seconds, 1e6 * g_seconds / (double)steps, 1e6 * g_min,
               g_wait, 1e6 * g_wait / (double)steps);
    else
        printf("mpi        %d ranks; exchange: %ld calls, %.0f bytes received per rank, %.3f s "
               "(%.1f us per optimizer step, waiting for the slowest rank included)\n",
               g_ranks, g_calls, g_bytes, g_seconds, 1e6 * g_seconds / (double)steps);
    (void)cmd;
    (void)fflush(stdout);
}

int cli_dist_finish(const char *cmd, int rc, int agreed)
{
    int inited = 0, finalized = 0;
    MPI_Initialized(&inited);
    MPI_Finalized(&finalized);
    if (!inited || finalized)
        return rc;
    (void)fflush(stdout);
    if (rc != EXIT_OK && rc != 130 && !agreed && g_ranks > 1) {
        fprintf(stderr, "lln %s: rank %d of %d failed (exit status %d): stopping every rank\n", cmd,
                g_rank, g_ranks, rc);
        MPI_Abort(MPI_COMM_WORLD, rc);
    }
    if (g_comm != MPI_COMM_NULL)
        MPI_Comm_free(&g_comm);
    MPI_Finalize();
    return rc;
}
