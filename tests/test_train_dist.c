/* Training over several processes (lln_dist_t, src/train_dist.c, src/batch_grad.c) without
 * MPI: the "ranks" are threads of this test and the allgather is a shared buffer between two
 * barriers. Checks that (ranks, threads) = (1, 4), (2, 2), (4, 1) train bit-identically to
 * one trainer with 4 threads (and that 2 threads differ, so the comparison can fail), that
 * a stop asked on one rank stops every rank after the same batch, and that a rank with
 * another model is refused on every rank. */
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "lln/lln.h"

#define MAX_RANKS 4
#define SLOT (1 << 16) /* doubles per rank and call, enough for this model */

typedef struct group {
    int ranks;
    pthread_barrier_t bar;
    double *buf; /* ranks x SLOT */
    int too_big;
} group_t;

/* The exchange: every rank's thread passes its own rank in. All ranks call it with the same
 * count, so all fail together when it is too big. */
typedef struct rank_ctx {
    group_t *g;
    int rank;
} rank_ctx_t;

static int rank_allgather(void *ctx, const double *send, size_t count, double *recv)
{
    rank_ctx_t *r = ctx;
    group_t *g = r->g;
    if (count > SLOT) {
        g->too_big = 1;
        return -1;
    }
    memcpy(g->buf + (size_t)r->rank * SLOT, send, count * sizeof(double));
    pthread_barrier_wait(&g->bar);
    for (int k = 0; k < g->ranks; k++)
        memcpy(recv + (size_t)k * count, g->buf + (size_t)k * SLOT, count * sizeof(double));
    pthread_barrier_wait(&g->bar); /* nobody overwrites a slot before all have read it */
    return 0;
}

/* 16 sequences of 48 rows: y follows a leaky integral of x, irregular dt. */
static lln_dataset_t *dataset(void)
{
    size_t cap = 1 << 20, n = 0;
    char *s = malloc(cap);
    n += (size_t)snprintf(s + n, cap - n, "seq,dt,x,y\n");
    for (int q = 0; q < 16; q++) {
        double y = 0;
        for (int r = 0; r < 48; r++) {
            double dt = 0.05 + 0.01 * ((q + 5 * r) % 7);
            double x = cos(0.3 * r + 0.7 * q) + 0.2 * ((r * 13 + q) % 3 - 1);
            y += dt * (x - y);
            n += (size_t)snprintf(s + n, cap - n, "%d,%.3f,%.5f,%.5f\n", q, dt, x, y);
        }
    }
    lln_csv_spec_t spec;
    lln_csv_spec_default(&spec);
    static const char *const feats[] = {"x"}, *const targs[] = {"y"};
    spec.features = feats, spec.nfeatures = 1, spec.targets = targs, spec.ntargets = 1;
    spec.sequence = "seq", spec.dt = "dt";
    lln_dataset_t *ds = NULL;
    lln_error_t err;
    int ok = lln_dataset_read_mem("dist.csv", s, n, &spec, &ds, &err) == LLN_OK &&
             lln_dataset_make_windows(ds, 16, 8, LLN_TAIL_DROP, &err) == LLN_OK &&
             lln_dataset_split(ds, LLN_SPLIT_SEQUENCE, 0.25, 0.0, 3, &err) == LLN_OK;
    free(s);
    CHECK_MSG(ok, "dataset: %s", err.msg);
    return ok ? ds : NULL;
}

static lln_model_t *model(unsigned long long seed)
{
    lln_config_t c;
    lln_config_default(&c, LLN_CELL_WIRED_CFC);
    c.input_size = 1;
    lln_wiring_spec_default(&c.wiring, LLN_WIRING_AUTONCP);
    c.wiring.units = 7;
    c.wiring.output_dim = 1;
    lln_model_t *m = NULL;
    lln_error_t err;
    CHECK(lln_model_create(&c, seed, &m, &err) == LLN_OK);
    return m;
}

typedef struct job {
    const lln_dataset_t *ds;
    int rank, threads, stop_at; /* stop_at > 0: this rank asks to stop after that batch */
    unsigned long long model_seed;
    rank_ctx_t rc;
    lln_dist_t dist;
    lln_model_t *m;
    lln_status_t create_st, run_st;
    lln_train_progress_t end;
} job_t;

static int on_progress(const lln_train_progress_t *p, void *ctx)
{
    const job_t *j = ctx;
    return j->stop_at > 0 && p->event == LLN_TRAIN_BATCH && p->step == j->stop_at;
}

static void *train(void *arg)
{
    job_t *j = arg;
    lln_train_config_t c;
    lln_train_config_default(&c);
    c.optim.lr = 0.01;
    c.epochs = 3;
    c.batch_size = 10;
    c.threads = j->threads;
    c.seed = 5;
    c.progress = on_progress;
    c.progress_ctx = j;
    if (j->dist.ranks > 0)
        c.dist = &j->dist;
    j->m = model(j->model_seed);
    lln_trainer_t *t = NULL;
    lln_error_t err;
    j->create_st = lln_trainer_create(j->m, j->ds, &c, &t, &err);
    j->run_st = j->create_st == LLN_OK ? lln_trainer_run(t, &err) : j->create_st;
    if (t != NULL)
        lln_trainer_status(t, &j->end);
    lln_trainer_free(t);
    return NULL;
}

/* Trains on `ranks` threads-as-processes of `threads` threads each (ranks 0: no lln_dist_t). */
static void run_group(const lln_dataset_t *ds, int ranks, int threads, job_t *jobs,
                      const unsigned long long *seeds, const int *stop_at)
{
    group_t g;
    int n = ranks > 0 ? ranks : 1;
    g.ranks = n;
    g.too_big = 0;
    g.buf = malloc((size_t)n * SLOT * sizeof(double));
    pthread_barrier_init(&g.bar, NULL, (unsigned)n);
    pthread_t tid[MAX_RANKS];
    for (int r = 0; r < n; r++) {
        job_t *j = &jobs[r];
        memset(j, 0, sizeof *j);
        j->ds = ds, j->rank = r, j->threads = threads;
        j->model_seed = seeds ? seeds[r] : 2;
        j->stop_at = stop_at ? stop_at[r] : 0;
        j->rc.g = &g, j->rc.rank = r;
        if (ranks > 0) {
            j->dist.rank = r, j->dist.ranks = ranks;
            j->dist.allgather = rank_allgather, j->dist.ctx = &j->rc;
        }
        CHECK(pthread_create(&tid[r], NULL, train, j) == 0);
    }
    for (int r = 0; r < n; r++)
        pthread_join(tid[r], NULL);
    CHECK(!g.too_big);
    pthread_barrier_destroy(&g.bar);
    free(g.buf);
}

static int same_params(const lln_model_t *a, const lln_model_t *b)
{
    size_t P = lln_model_param_count(a);
    return P == lln_model_param_count(b) &&
           memcmp(lln_model_params_const(a), lln_model_params_const(b), P * sizeof(double)) == 0;
}

static void free_jobs(job_t *jobs, int n)
{
    for (int r = 0; r < n; r++)
        lln_model_free(jobs[r].m);
}

int main(void)
{
    lln_dataset_t *ds = dataset();
    if (ds == NULL)
        return 1;
    job_t ref[1], two[1], jobs[MAX_RANKS];
    run_group(ds, 0, 4, ref, NULL, NULL);
    run_group(ds, 0, 2, two, NULL, NULL);
    CHECK(ref[0].run_st == LLN_OK && two[0].run_st == LLN_OK);
    CHECK_MSG(!same_params(ref[0].m, two[0].m), "2 and 4 threads agree: the test cannot fail");

    static const int splits[][2] = {{1, 4}, {2, 2}, {4, 1}};
    for (int s = 0; s < 3; s++) {
        int R = splits[s][0], T = splits[s][1];
        run_group(ds, R, T, jobs, NULL, NULL);
        for (int r = 0; r < R; r++) {
            CHECK_MSG(jobs[r].run_st == LLN_OK, "(%d, %d) rank %d: status %d", R, T, r,
                      (int)jobs[r].run_st);
            CHECK_MSG(same_params(jobs[r].m, ref[0].m),
                      "(ranks, threads) = (%d, %d), rank %d: not the 4-thread model", R, T, r);
            CHECK_EQ_INT(jobs[r].end.best_epoch, ref[0].end.best_epoch);
            CHECK(jobs[r].end.best_metric == ref[0].end.best_metric);
        }
        free_jobs(jobs, R);
    }

    /* a stop asked by rank 1 alone stops both after the same batch */
    int stop_at[2] = {0, 3};
    run_group(ds, 2, 1, jobs, NULL, stop_at);
    for (int r = 0; r < 2; r++) {
        CHECK(jobs[r].run_st == LLN_OK);
        CHECK_MSG(jobs[r].end.step == 3, "rank %d stopped at step %ld, not 3", r, jobs[r].end.step);
    }
    CHECK(same_params(jobs[0].m, jobs[1].m));
    free_jobs(jobs, 2);

    /* a rank with another model: refused on every rank before any training */
    unsigned long long seeds[2] = {2, 3};
    run_group(ds, 2, 1, jobs, seeds, NULL);
    for (int r = 0; r < 2; r++)
        CHECK_MSG(jobs[r].create_st == LLN_E_CONFIG, "rank %d: status %d, not LLN_E_CONFIG", r,
                  (int)jobs[r].create_st);
    free_jobs(jobs, 2);

    lln_model_free(ref[0].m);
    lln_model_free(two[0].m);
    lln_dataset_free(ds);
    if (check_failures_ == 0)
        printf("test_train_dist: (1,4) (2,2) (4,1) bit-identical to 4 threads; stops agreed; "
               "another model refused\n");
    return check_failures_ ? 1 : 0;
}
