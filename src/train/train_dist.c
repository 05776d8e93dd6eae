/* Training over several processes (lln_dist_t, include/lln/train.h): the trainer's side.
 *
 * Every process runs the whole loop on the same data, model and settings; only the batch
 * gradient is shared (batch_grad.c exchanges one record per slice and adds them in slice
 * order). So every process takes the same optimizer steps and holds the same bits, and the
 * decisions that could differ between processes are agreed here: whether to stop (a
 * progress callback may see a signal on one process only) and, at the start, that they all
 * train the same thing. The library knows nothing of MPI: the caller's allgather moves the
 * doubles. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/alloc.h"
#include "train_internal.h"

lln_status_t lln__trainer_pool(const lln_trainer_t *t, int cap, lln_batch_grad_t **out,
                               lln_error_t *err)
{
    lln_status_t st = lln_batch_grad_create(t->m, t->cfg.dtype, cap, t->T, t->cfg.threads,
                                            t->cfg.loss, t->cfg.loss_steps, out, err);
    if (st == LLN_OK && t->cfg.dist != NULL)
        st = lln__batch_grad_set_dist(*out, t->cfg.dist, err);
    return st;
}

int lln__trainer_writer(const lln_trainer_t *t)
{
    return t->cfg.dist == NULL || t->cfg.dist->rank == 0;
}

/* FNV-1a over the parameters' bytes: different data give different normalization tensors,
 * so this also tells when a process read other data. */
static uint64_t params_hash(const lln_trainer_t *t)
{
    const unsigned char *p = (const unsigned char *)lln_model_params_const(t->m);
    uint64_t h = 1469598103934665603u;
    for (size_t i = 0; i < t->P * sizeof(double); i++)
        h = (h ^ p[i]) * 1099511628211u;
    return h;
}

enum { F_HASH_HI, F_HASH_LO, F_PARAMS, F_TRAIN, F_VALID, F_STEPS, F_THREADS, F_BATCH, F_SEED, NF };

lln_status_t lln__trainer_dist_check(const lln_trainer_t *t, lln_error_t *err)
{
    const lln_dist_t *d = t->cfg.dist;
    if (d == NULL)
        return LLN_OK;
    static const char *const what[NF] = {"model parameters or data",
                                         "model parameters or data",
                                         "parameter count",
                                         "training windows",
                                         "validation windows",
                                         "window length",
                                         "thread count",
                                         "batch size",
                                         "seed"};
    uint64_t h = params_hash(t);
    double mine[NF] = {(double)(h >> 32),
                       (double)(h & 0xffffffffu),
                       (double)t->P,
                       (double)t->ntrain,
                       (double)t->nvalid,
                       (double)t->T,
                       (double)lln_batch_grad_threads(t->pool),
                       (double)t->cfg.batch_size,
                       (double)(t->cfg.seed & 0xffffffffu)};
    double *all = lln__malloc((size_t)d->ranks * NF * sizeof(double));
    if (all == NULL)
        return lln_error_set(err, LLN_E_NOMEM, "train: out of memory");
    if (d->allgather(d->ctx, mine, NF, all) != 0) {
        lln__free(all);
        return lln_error_set(err, LLN_E_IO, "train: the exchange between processes failed");
    }
    lln_status_t st = LLN_OK;
    for (int r = 1; r < d->ranks && st == LLN_OK; r++)
        for (int f = 0; f < NF && st == LLN_OK; f++)
            if (all[(size_t)r * NF + (size_t)f] != all[f])
                st = lln_error_set(err, LLN_E_CONFIG,
                                   "train: process %d has another %s than process 0 (%.17g vs "
                                   "%.17g): every process must read the same data and model "
                                   "files with the same options and --threads",
                                   r, what[f], all[(size_t)r * NF + (size_t)f], all[f]);
    lln__free(all);
    return st;
}

lln_status_t lln__trainer_agree_stop(const lln_trainer_t *t, int *stop, lln_error_t *err)
{
    const lln_dist_t *d = t->cfg.dist;
    if (d == NULL || d->ranks == 1)
        return LLN_OK;
    double mine = *stop ? 1.0 : 0.0, *all = lln__malloc((size_t)d->ranks * sizeof(double));
    if (all == NULL)
        return lln_error_set(err, LLN_E_NOMEM, "train: out of memory");
    int rc = d->allgather(d->ctx, &mine, 1, all);
    for (int r = 0; rc == 0 && r < d->ranks; r++)
        if (all[r] != 0.0)
            *stop = 1;
    lln__free(all);
    return rc == 0 ? LLN_OK
                   : lln_error_set(err, LLN_E_IO, "train: the exchange between processes failed");
}
