/* The trainer's state, shared by the loop (train.c) and its checkpoints (train_ckpt.c). */
#ifndef LLN_TRAIN_INTERNAL_H
#define LLN_TRAIN_INTERNAL_H

#include "lln/train.h"

/* Batch arrays for `cap` windows of T steps in the training precision. */
typedef struct lln__batch_buf {
    int cap;
    void *x, *dt, *y, *mask;
} lln__batch_buf_t;

struct lln_trainer {
    lln_model_t *m;
    const lln_dataset_t *ds;
    lln_train_config_t cfg;
    char *checkpoint; /* own copy of cfg.checkpoint */
    int T, I, O, classes;
    size_t P;
    size_t *train_idx, ntrain, *order;
    size_t *valid_idx, nvalid;
    int batches; /* per epoch */
    lln_optim_t *opt;
    lln_batch_grad_t *pool, *eval_pool;
    lln__batch_buf_t buf, eval_buf;
    double *grad, *best, *cur;
    int model_holds_best; /* after run(): the model has `best`, `cur` the current parameters */
    /* position (all of it is in a checkpoint) */
    int epoch, batch; /* next batch to run: epoch (0-based), batch within it */
    double loss_sum, loss_count;
    double valid_loss, valid_acc, valid_mse, best_metric;
    int best_epoch, bad_epochs, finished;
    /* this run */
    double t0, run_samples, last_lr, last_grad_norm, last_batch_loss;
    int improved, pruned_now;
    long pruned;
};

/* Remakes the gradient workers after the model's masks changed (pruning, a checkpoint). */
lln_status_t lln__trainer_remake_pools(lln_trainer_t *t, lln_error_t *err);

/* The persistent threads of g (common/pool.h), which an optimizer may borrow. */
struct lln__pool *lln__batch_grad_pool(lln_batch_grad_t *g);

/* ---- several processes (train_dist.c, batch_grad.c) ---- */

/* Makes g one process's share of a distributed pool (lln_dist_t). */
lln_status_t lln__batch_grad_set_dist(lln_batch_grad_t *g, const lln_dist_t *dist,
                                      lln_error_t *err);

/* A gradient pool of the trainer's settings for batches of up to cap sequences,
 * distributed when the configuration says so. */
lln_status_t lln__trainer_pool(const lln_trainer_t *t, int cap, lln_batch_grad_t **out,
                               lln_error_t *err);

/* Checks that every process trains the same model on the same data with the same settings. */
lln_status_t lln__trainer_dist_check(const lln_trainer_t *t, lln_error_t *err);

/* *stop becomes 1 on every process when it is 1 on any (one process alone). */
lln_status_t lln__trainer_agree_stop(const lln_trainer_t *t, int *stop, lln_error_t *err);

/* 1 when this process writes files (checkpoints): one process alone, or rank 0. */
int lln__trainer_writer(const lln_trainer_t *t);

#endif
