/* The training loop (include/lln/train.h, lln_trainer_*): shuffled mini-batches, an optimizer
 * step per batch, validation and early stopping per epoch, the best model kept. Every
 * decision depends only on (data, settings, seed, thread count, position), so a run stopped
 * and resumed from its checkpoint ends with the same bits as one that never stopped. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lln/sparse.h"
#include "train_internal.h"
#include "common/alloc.h"
#include "common/platform.h"

static double now_s(void) { return lln__monotonic_s(); }

void lln_train_config_default(lln_train_config_t *c)
{
    memset(c, 0, sizeof *c);
    lln_optim_config_default(&c->optim);
    c->epochs = 10;
    c->batch_size = 32;
    c->seed = 1;
    c->loss = LLN_LOSS_MSE;
    c->loss_steps = LLN_LOSS_EVERY_STEP;
    c->monitor = LLN_MONITOR_AUTO;
    c->dtype = LLN_F32;
}

static size_t esize(lln_dtype_t d) { return d == LLN_F64 ? sizeof(double) : sizeof(float); }

static void buf_free(lln__batch_buf_t *b)
{
    lln__free(b->x);
    lln__free(b->dt);
    lln__free(b->y);
    lln__free(b->mask);
    b->x = b->dt = b->y = b->mask = NULL; /* fields, not memset: the analyzer follows these */
    b->cap = 0;
}

static int buf_alloc(lln__batch_buf_t *b, int cap, int T, int I, int O, lln_dtype_t d)
{
    size_t bt = (size_t)cap * (size_t)T, e = esize(d);
    b->cap = cap;
    b->x = lln__malloc(bt * (size_t)I * e);
    b->dt = lln__malloc(bt * e);
    b->y = lln__malloc(bt * (size_t)(O > 0 ? O : 1) * e);
    b->mask = lln__malloc(bt * e);
    return b->x && b->dt && b->y && b->mask;
}

void lln_trainer_free(lln_trainer_t *t)
{
    if (t == NULL)
        return;
    lln__free(t->checkpoint);
    lln__free(t->train_idx);
    lln__free(t->order);
    lln__free(t->valid_idx);
    lln_optim_free(t->opt);
    lln_batch_grad_free(t->pool);
    lln_batch_grad_free(t->eval_pool);
    buf_free(&t->buf);
    buf_free(&t->eval_buf);
    lln__free(t->grad);
    lln__free(t->best);
    lln__free(t->cur);
    lln__free(t);
}

/* ---- setup ------------------------------------------------------------------------------- */

static lln_status_t check_config(const lln_train_config_t *c, lln_error_t *err)
{
    if (c->drop_last != 0 && c->drop_last != 1)
        return lln_error_set(err, LLN_E_ARG, "train: drop_last %d is not 0 or 1", c->drop_last);
    if (c->epochs < 1 || c->batch_size < 1 || c->threads < 0 || c->patience < 0 ||
        c->eval_batch < 0)
        return lln_error_set(err, LLN_E_ARG,
                             "train: epochs and batch size must be >= 1, threads, patience "
                             "and eval batch >= 0");
    if (c->loss != LLN_LOSS_MSE && c->loss != LLN_LOSS_CROSS_ENTROPY)
        return lln_error_set(err, LLN_E_ARG, "train: unknown loss %d", (int)c->loss);
    if (c->loss_steps != LLN_LOSS_EVERY_STEP && c->loss_steps != LLN_LOSS_LAST_STEP)
        return lln_error_set(err, LLN_E_ARG, "train: unknown loss steps %d", (int)c->loss_steps);
    if (c->dtype != LLN_F32 && c->dtype != LLN_F64)
        return lln_error_set(err, LLN_E_ARG, "train: unknown precision %d", (int)c->dtype);
    if (c->monitor == LLN_MONITOR_ACCURACY && c->loss != LLN_LOSS_CROSS_ENTROPY)
        return lln_error_set(err, LLN_E_ARG, "train: accuracy needs the cross-entropy loss");
    if (c->monitor == LLN_MONITOR_MSE && c->loss != LLN_LOSS_MSE)
        return lln_error_set(err, LLN_E_ARG, "train: monitor valid_mse needs the MSE loss");
    if (c->monitor < LLN_MONITOR_AUTO || c->monitor > LLN_MONITOR_MSE)
        return lln_error_set(err, LLN_E_ARG, "train: unknown monitor %d", (int)c->monitor);
    if (!(c->lr_step_epochs >= 0) || !(c->lr_decay_epochs >= 0) || !(c->warmup_epochs >= 0))
        return lln_error_set(err, LLN_E_ARG, "train: epoch counts of the schedule must be >= 0");
    if (!(c->prune_threshold >= 0) || !isfinite(c->prune_threshold) || c->prune_every < 0)
        return lln_error_set(err, LLN_E_ARG,
                             "train: prune threshold must be finite and >= 0, prune every >= 0");
    return LLN_OK;
}

static lln_status_t check_fit(const lln_trainer_t *t, const lln_dataset_info_t *info,
                              lln_error_t *err)
{
    int mi = lln_model_input_size(t->m), mo = lln_model_output_size(t->m);
    if (mi != info->inputs)
        return lln_error_set(err, LLN_E_SHAPE,
                             "train: the model has %d inputs, the data %d "
                             "feature columns",
                             mi, info->inputs);
    if (t->cfg.loss == LLN_LOSS_CROSS_ENTROPY) {
        if (info->classes < 1)
            return lln_error_set(err, LLN_E_SHAPE,
                                 "train: cross-entropy needs class labels (the data are "
                                 "regression targets)");
        if (mo < info->classes)
            return lln_error_set(err, LLN_E_SHAPE,
                                 "train: the model has %d outputs for %d "
                                 "classes",
                                 mo, info->classes);
    } else {
        if (info->classes > 0)
            return lln_error_set(err, LLN_E_SHAPE,
                                 "train: the data hold class labels: use the cross-entropy loss");
        if (mo != info->outputs)
            return lln_error_set(err, LLN_E_SHAPE,
                                 "train: the model has %d outputs, the data "
                                 "%d target columns",
                                 mo, info->outputs);
    }
    if (info->window_length < 1)
        return lln_error_set(err, LLN_E_RANGE, "train: the dataset has no windows");
    return LLN_OK;
}

static long epochs_to_steps(double epochs, int batches)
{
    double s = floor(epochs * (double)batches + 0.5);
    return s < 1.0 ? 1 : s > 1e15 ? (long)1e15 : (long)s;
}

/* The optimizer's step-based schedule from the trainer's epoch-based settings. */
static void schedule_steps(lln_trainer_t *t, lln_optim_config_t *o)
{
    const lln_train_config_t *c = &t->cfg;
    long total = (long)c->epochs * t->batches;
    if (c->warmup_epochs > 0)
        o->warmup_steps = epochs_to_steps(c->warmup_epochs, t->batches);
    if (c->lr_step_epochs > 0)
        o->step_size = epochs_to_steps(c->lr_step_epochs, t->batches);
    if (c->lr_decay_epochs > 0)
        o->decay_steps = epochs_to_steps(c->lr_decay_epochs, t->batches);
    else if (o->schedule == LLN_LR_COSINE && o->decay_steps == 0)
        o->decay_steps = total - o->warmup_steps > 1 ? total - o->warmup_steps : 1;
}

static lln_status_t split_lists(lln_trainer_t *t, lln_error_t *err)
{
    t->ntrain = lln_dataset_split_windows(t->ds, LLN_TRAIN, NULL);
    t->nvalid = lln_dataset_split_windows(t->ds, LLN_VALID, NULL);
    if (t->ntrain == 0)
        return lln_error_set(err, LLN_E_RANGE, "train: the training split has no windows");
    t->train_idx = lln__malloc(t->ntrain * sizeof(size_t));
    t->order = lln__malloc(t->ntrain * sizeof(size_t));
    t->valid_idx = lln__malloc((t->nvalid ? t->nvalid : 1) * sizeof(size_t));
    if (!t->train_idx || !t->order || !t->valid_idx)
        return lln_error_set(err, LLN_E_NOMEM, "train: out of memory");
    lln_dataset_split_windows(t->ds, LLN_TRAIN, t->train_idx);
    lln_dataset_split_windows(t->ds, LLN_VALID, t->valid_idx);
    size_t B = (size_t)t->cfg.batch_size;
    t->batches = (int)(t->cfg.drop_last ? t->ntrain / B : (t->ntrain + B - 1) / B);
    if (t->batches == 0)
        return lln_error_set(err, LLN_E_RANGE,
                             "train: %zu training windows make no full batch of %d (drop_last)",
                             t->ntrain, t->cfg.batch_size);
    return LLN_OK;
}

static lln_status_t setup(lln_trainer_t *t, lln_error_t *err)
{
    lln_dataset_info_t info;
    lln_dataset_info(t->ds, &info);
    lln_status_t st = check_fit(t, &info, err);
    if (st == LLN_OK)
        st = lln_sparse_check(t->m, t->cfg.optim.group_lasso, t->cfg.prune_threshold, err);
    if (st != LLN_OK)
        return st;
    t->T = info.window_length;
    t->I = info.inputs;
    t->O = info.outputs;
    t->classes = info.classes;
    t->P = lln_model_param_count(t->m);
    if ((st = split_lists(t, err)) != LLN_OK)
        return st;
    lln_optim_config_t oc = t->cfg.optim;
    schedule_steps(t, &oc);
    t->cfg.optim = oc;
    if ((st = lln_optim_create(t->m, &oc, &t->opt, err)) != LLN_OK)
        return st;
    int cap = t->cfg.batch_size < (int)t->ntrain ? t->cfg.batch_size : (int)t->ntrain;
    if ((st = lln__trainer_pool(t, cap, &t->pool, err)) != LLN_OK ||
        (st = lln_optim_share_threads(t->opt, t->pool)) != LLN_OK)
        return st;
    size_t P = t->P ? t->P : 1;
    t->grad = lln__malloc(P * sizeof(double));
    t->best = lln__malloc(P * sizeof(double));
    t->cur = lln__malloc(P * sizeof(double));
    if (!t->grad || !t->best || !t->cur || !buf_alloc(&t->buf, cap, t->T, t->I, t->O, t->cfg.dtype))
        return lln_error_set(err, LLN_E_NOMEM, "train: out of memory");
    memcpy(t->best, lln_model_params_const(t->m), t->P * sizeof(double));
    return lln__trainer_dist_check(t, err);
}

lln_status_t lln_trainer_create(lln_model_t *m, const lln_dataset_t *ds,
                                const lln_train_config_t *c, lln_trainer_t **out, lln_error_t *err)
{
    if (out == NULL || m == NULL || ds == NULL || c == NULL)
        return lln_error_set(err, LLN_E_ARG, "train: NULL argument");
    *out = NULL;
    lln_status_t st = check_config(c, err);
    if (st != LLN_OK)
        return st;
    lln_trainer_t *t = lln__calloc(1, sizeof *t);
    if (t == NULL)
        return lln_error_set(err, LLN_E_NOMEM, "train: out of memory");
    t->m = m;
    t->ds = ds;
    t->cfg = *c;
    if (t->cfg.monitor == LLN_MONITOR_AUTO)
        t->cfg.monitor =
            c->loss == LLN_LOSS_CROSS_ENTROPY ? LLN_MONITOR_ACCURACY : LLN_MONITOR_LOSS;
    if (t->cfg.eval_batch == 0)
        t->cfg.eval_batch = 256;
    if (c->checkpoint != NULL) {
        size_t n = strlen(c->checkpoint) + 1;
        t->checkpoint = lln__malloc(n);
        if (t->checkpoint == NULL) {
            lln__free(t);
            return lln_error_set(err, LLN_E_NOMEM, "train: out of memory");
        }
        memcpy(t->checkpoint, c->checkpoint, n);
    }
    t->cfg.checkpoint = t->checkpoint;
    t->valid_loss = t->valid_acc = t->valid_mse = t->best_metric = NAN;
    st = setup(t, err);
    if (st != LLN_OK) {
        lln_trainer_free(t);
        return st;
    }
    *out = t;
    return LLN_OK;
}

/* ---- evaluation -------------------------------------------------------------------------- */

static void remap_classes(void *y, lln_dtype_t d, size_t n, const int *map)
{
    for (size_t i = 0; i < n; i++) {
        if (d == LLN_F64) {
            double *v = y;
            v[i] = (double)map[(int)v[i]];
        } else {
            float *v = y;
            v[i] = (float)map[(int)v[i]];
        }
    }
}

/* Arg-max of each counted step against its class, into a K x K table. */
static void add_confusion(const void *yo, const void *target, const void *mask, int nb, int T,
                          int K, lln_loss_steps_t which, lln_dtype_t d, double *conf)
{
#define RD(p, i) (d == LLN_F64 ? ((const double *)(p))[i] : (double)((const float *)(p))[i])
    for (int b = 0; b < nb; b++) {
        int last = -1;
        for (int t = 0; t < T; t++)
            if (RD(mask, (size_t)b * T + t) != 0.0)
                last = t;
        for (int t = 0; t < T; t++) {
            size_t bt = (size_t)b * (size_t)T + (size_t)t;
            if (RD(mask, bt) == 0.0 || (which == LLN_LOSS_LAST_STEP && t != last))
                continue;
            int arg = 0;
            for (int k = 1; k < K; k++)
                if (RD(yo, bt * K + k) > RD(yo, bt * K + arg))
                    arg = k;
            int cls = (int)RD(target, bt);
            if (cls >= 0 && cls < K)
                conf[cls * K + arg] += 1.0;
        }
    }
#undef RD
}

typedef struct eval_job {
    const lln_model_t *m;
    const lln_dataset_t *ds;
    lln_batch_grad_t *pool;
    lln__batch_buf_t *buf;
    void *yout; /* for the confusion matrix */
    lln_dtype_t dtype;
    int T, classes_out;
    lln_loss_steps_t which;
    const int *class_map;
    double *confusion;
} eval_job_t;

static lln_status_t eval_windows(const eval_job_t *j, const size_t *idx, size_t n,
                                 lln_batch_stats_t *stats, lln_error_t *err)
{
    memset(stats, 0, sizeof *stats);
    for (size_t done = 0; done < n;) {
        int nb = n - done < (size_t)j->buf->cap ? (int)(n - done) : j->buf->cap;
        lln_status_t st = lln_dataset_gather(j->ds, idx + done, nb, j->dtype, j->buf->x, j->buf->dt,
                                             j->buf->y, j->buf->mask, err);
        if (st != LLN_OK)
            return st;
        size_t bt = (size_t)nb * (size_t)j->T;
        if (j->class_map != NULL)
            remap_classes(j->buf->y, j->dtype, bt, j->class_map);
        lln_batch_stats_t s;
        st = lln_batch_grad_run(j->pool, j->m, nb, j->buf->x, j->buf->dt, j->buf->y, j->buf->mask,
                                NULL, j->yout, &s, err);
        if (st != LLN_OK)
            return st;
        if (j->confusion != NULL)
            add_confusion(j->yout, j->buf->y, j->buf->mask, nb, j->T, j->classes_out, j->which,
                          j->dtype, j->confusion);
        lln_batch_stats_add(stats, &s);
        done += (size_t)nb;
    }
    return LLN_OK;
}

lln_status_t lln_evaluate(const lln_model_t *m, const lln_dataset_t *ds, const size_t *windows,
                          size_t count, lln_loss_kind_t kind, lln_loss_steps_t which,
                          lln_dtype_t dtype, int batch, int threads, const int *class_map,
                          lln_batch_stats_t *stats, double *confusion, lln_error_t *err)
{
    if (m == NULL || ds == NULL || stats == NULL || (windows == NULL && count > 0) || batch < 1)
        return lln_error_set(err, LLN_E_ARG, "evaluate: invalid argument");
    memset(stats, 0, sizeof *stats);
    if (count == 0)
        return LLN_OK;
    lln_dataset_info_t info;
    lln_dataset_info(ds, &info);
    int K = lln_model_output_size(m), cap = (size_t)batch < count ? batch : (int)count;
    if (info.inputs != lln_model_input_size(m))
        return lln_error_set(err, LLN_E_SHAPE, "evaluate: the model has %d inputs, the data %d",
                             lln_model_input_size(m), info.inputs);
    if (kind == LLN_LOSS_MSE && info.outputs != K)
        return lln_error_set(err, LLN_E_SHAPE, "evaluate: the model has %d outputs, the data %d", K,
                             info.outputs);
    eval_job_t j = {m,
                    ds,
                    NULL,
                    NULL,
                    NULL,
                    dtype,
                    info.window_length,
                    K,
                    which,
                    kind == LLN_LOSS_CROSS_ENTROPY ? class_map : NULL,
                    kind == LLN_LOSS_CROSS_ENTROPY ? confusion : NULL};
    lln__batch_buf_t buf = {0, NULL, NULL, NULL, NULL};
    lln_status_t st = lln_batch_grad_create(m, dtype, cap, j.T, threads, kind, which, &j.pool, err);
    if (st == LLN_OK && !buf_alloc(&buf, cap, j.T, info.inputs, info.outputs, dtype))
        st = lln_error_set(err, LLN_E_NOMEM, "evaluate: out of memory");
    if (st == LLN_OK && j.confusion != NULL) {
        memset(confusion, 0, (size_t)K * (size_t)K * sizeof(double));
        j.yout = lln__malloc((size_t)cap * (size_t)j.T * (size_t)K * esize(dtype));
        if (j.yout == NULL)
            st = lln_error_set(err, LLN_E_NOMEM, "evaluate: out of memory");
    }
    j.buf = &buf;
    if (st == LLN_OK)
        st = eval_windows(&j, windows, count, stats, err);
    lln__free(j.yout);
    buf_free(&buf);
    lln_batch_grad_free(j.pool);
    return st;
}

/* ---- the loop ------------------------------------------------------------------------------ */

void lln_trainer_status(const lln_trainer_t *t, lln_train_progress_t *p)
{
    memset(p, 0, sizeof *p);
    p->epoch = t->batch > 0 ? t->epoch + 1 : t->epoch;
    p->epochs = t->cfg.epochs;
    p->batch = t->batch;
    p->batches = t->batches;
    p->step = lln_optim_steps(t->opt);
    p->loss = t->loss_count > 0 ? t->loss_sum / t->loss_count : NAN;
    p->batch_loss = t->last_batch_loss;
    p->lr = t->last_lr;
    p->grad_norm = t->last_grad_norm;
    p->has_valid = t->nvalid > 0;
    p->valid_loss = t->valid_loss;
    p->valid_accuracy = t->valid_acc;
    p->best_metric = t->best_metric;
    p->best_epoch = t->best_epoch;
    p->improved = t->improved;
    p->bad_epochs = t->bad_epochs;
    p->seconds = t->t0 > 0 ? now_s() - t->t0 : 0.0;
    p->samples_per_s = p->seconds > 0 ? t->run_samples / p->seconds : 0.0;
    p->finished = t->finished;
    p->threads = lln_batch_grad_threads(t->pool);
    p->valid_mse = t->valid_mse;
    p->pruned_now = t->pruned_now;
    p->pruned = t->pruned;
}

static int notify(lln_trainer_t *t, lln_train_event_t ev)
{
    if (t->cfg.progress == NULL)
        return 0;
    lln_train_progress_t p;
    lln_trainer_status(t, &p);
    p.event = ev;
    return t->cfg.progress(&p, t->cfg.progress_ctx);
}

/* After pruning: an LTC model's tapes are laid out for its synapse count, so the workers
 * are made again (the validation ones when next needed). */
lln_status_t lln__trainer_remake_pools(lln_trainer_t *t, lln_error_t *err)
{
    lln_batch_grad_free(t->pool);
    lln_batch_grad_free(t->eval_pool);
    t->pool = t->eval_pool = NULL;
    buf_free(&t->eval_buf);
    lln_status_t st = lln__trainer_pool(t, t->buf.cap, &t->pool, err);
    return st != LLN_OK ? st : lln_optim_share_threads(t->opt, t->pool);
}

static lln_status_t train_batch(lln_trainer_t *t, lln_error_t *err)
{
    size_t first = (size_t)t->batch * (size_t)t->cfg.batch_size;
    int nb = t->ntrain - first < (size_t)t->cfg.batch_size ? (int)(t->ntrain - first)
                                                           : t->cfg.batch_size;
    lln__batch_buf_t *b = &t->buf;
    lln_status_t st = lln_dataset_gather(t->ds, t->order + first, nb, t->cfg.dtype, b->x, b->dt,
                                         b->y, b->mask, err);
    if (st != LLN_OK)
        return st;
    memset(t->grad, 0, t->P * sizeof(double));
    lln_batch_stats_t s;
    st = lln_batch_grad_run(t->pool, t->m, nb, b->x, b->dt, b->y, b->mask, t->grad, NULL, &s, err);
    if (st != LLN_OK)
        return st;
    lln_optim_info_t oi;
    st = lln_optim_step(t->opt, t->m, t->grad, &oi, err);
    if (st == LLN_OK && oi.masked)
        st = lln__trainer_remake_pools(t, err);
    if (st != LLN_OK)
        return st;
    t->loss_sum += s.loss_sum;
    t->loss_count += s.count;
    t->last_batch_loss = s.count > 0 ? s.loss_sum / s.count : NAN;
    t->last_lr = oi.lr;
    t->last_grad_norm = oi.grad_norm;
    t->run_samples += nb;
    t->batch++;
    return LLN_OK;
}

static lln_status_t validate(lln_trainer_t *t, lln_error_t *err)
{
    if (t->nvalid == 0)
        return LLN_OK;
    lln_status_t st;
    int cap = (size_t)t->cfg.eval_batch < t->nvalid ? t->cfg.eval_batch : (int)t->nvalid;
    if (t->eval_pool == NULL) {
        st = lln__trainer_pool(t, cap, &t->eval_pool, err);
        if (st != LLN_OK)
            return st;
        if (!buf_alloc(&t->eval_buf, cap, t->T, t->I, t->O, t->cfg.dtype))
            return lln_error_set(err, LLN_E_NOMEM, "train: out of memory");
    }
    eval_job_t j = {t->m, t->ds, t->eval_pool,      &t->eval_buf, NULL, t->cfg.dtype,
                    t->T, 0,     t->cfg.loss_steps, NULL,         NULL};
    lln_batch_stats_t s;
    st = eval_windows(&j, t->valid_idx, t->nvalid, &s, err);
    if (st != LLN_OK)
        return st;
    t->valid_loss = s.count > 0 ? s.loss_sum / s.count : NAN;
    t->valid_acc = t->cfg.loss == LLN_LOSS_CROSS_ENTROPY && s.steps > 0 ? s.correct / s.steps : NAN;
    t->valid_mse = t->cfg.loss == LLN_LOSS_MSE && s.count > 0 ? s.sq_err_raw / s.count : NAN;
    return LLN_OK;
}

/* The monitored value of the epoch that just ended; without a validation split, the epoch's
 * training loss. */
static void end_epoch(lln_trainer_t *t)
{
    double v;
    int higher = 0;
    if (t->nvalid == 0)
        v = t->loss_count > 0 ? t->loss_sum / t->loss_count : NAN;
    else if (t->cfg.monitor == LLN_MONITOR_ACCURACY) {
        v = t->valid_acc;
        higher = 1;
    } else if (t->cfg.monitor == LLN_MONITOR_MSE)
        v = t->valid_mse;
    else
        v = t->valid_loss;
    t->epoch++;
    t->batch = 0;
    t->improved =
        t->best_epoch == 0 ? isfinite(v) : (higher ? v > t->best_metric : v < t->best_metric);
    if (t->improved) {
        t->best_metric = v;
        t->best_epoch = t->epoch;
        t->bad_epochs = 0;
        memcpy(t->best, lln_model_params_const(t->m), t->P * sizeof(double));
    } else {
        t->bad_epochs++;
    }
    if (t->epoch >= t->cfg.epochs || (t->cfg.patience > 0 && t->bad_epochs >= t->cfg.patience))
        t->finished = 1;
}

/* After run(): the model shows the best parameters; `cur` keeps the current ones. */
static lln_status_t show_best(lln_trainer_t *t, lln_error_t *err)
{
    if (t->best_epoch == 0 || t->model_holds_best)
        return LLN_OK;
    double *p = lln_model_params(t->m);
    memcpy(t->cur, p, t->P * sizeof(double));
    memcpy(p, t->best, t->P * sizeof(double));
    t->model_holds_best = 1;
    return lln_model_prepare(t->m, err);
}

static lln_status_t show_current(lln_trainer_t *t, lln_error_t *err)
{
    if (!t->model_holds_best)
        return LLN_OK;
    memcpy(lln_model_params(t->m), t->cur, t->P * sizeof(double));
    t->model_holds_best = 0;
    return lln_model_prepare(t->m, err);
}

static lln_status_t save_ckpt(lln_trainer_t *t, lln_error_t *err)
{
    return t->checkpoint != NULL && lln__trainer_writer(t)
               ? lln_trainer_save_checkpoint(t, t->checkpoint, err)
               : LLN_OK;
}

/* The prune step after epoch t->epoch + 1 (0-based t->epoch: the one that just ran its
 * batches), when one is due. Removing synapses changes the structure the best model was
 * chosen for, so the best-epoch tracking starts again. */
static lln_status_t prune_step(lln_trainer_t *t, lln_error_t *err)
{
    int e = t->epoch + 1, every = t->cfg.prune_every;
    t->pruned_now = 0;
    t->pruned = 0;
    if (t->cfg.prune_threshold <= 0.0 || !(every > 0 ? e % every == 0 : e == t->cfg.epochs))
        return LLN_OK;
    lln_status_t st = lln_prune_threshold(t->m, t->cfg.prune_threshold, &t->pruned, err);
    if (st == LLN_OK)
        st = lln_optim_refresh_mask(t->opt, t->m, err);
    t->pruned_now = 1;
    if (st == LLN_OK && t->pruned > 0)
        st = lln__trainer_remake_pools(t, err);
    if (t->pruned > 0) {
        t->best_epoch = 0;
        t->bad_epochs = 0;
        t->best_metric = NAN;
    }
    return st;
}

/* One epoch from the current position; *stop set when the callback asked to stop. */
static lln_status_t run_epoch(lln_trainer_t *t, int *stop, lln_error_t *err)
{
    lln_status_t st;
    if (t->batch == 0)
        t->loss_sum = t->loss_count = 0.0;
    memcpy(t->order, t->train_idx, t->ntrain * sizeof(size_t));
    lln_data_shuffle(t->order, t->ntrain, t->cfg.seed, (unsigned long long)t->epoch);
    t->improved = 0;
    while (t->batch < t->batches) {
        if ((st = train_batch(t, err)) != LLN_OK)
            return st;
        *stop = notify(t, LLN_TRAIN_BATCH);
        if ((st = lln__trainer_agree_stop(t, stop, err)) != LLN_OK)
            return st;
        if (*stop)
            return save_ckpt(t, err);
    }
    if ((st = prune_step(t, err)) != LLN_OK || (st = validate(t, err)) != LLN_OK)
        return st;
    end_epoch(t);
    /* the callback first: what it records for this epoch (a history row) is then never
     * behind the checkpoint, so a resume can always rewrite it */
    *stop = notify(t, LLN_TRAIN_EPOCH);
    if ((st = lln__trainer_agree_stop(t, stop, err)) != LLN_OK)
        return st;
    return save_ckpt(t, err);
}

lln_status_t lln_trainer_run(lln_trainer_t *t, lln_error_t *err)
{
    if (t == NULL)
        return lln_error_set(err, LLN_E_ARG, "train: NULL trainer");
    lln_status_t st = show_current(t, err);
    if (st != LLN_OK)
        return st;
    t->t0 = now_s();
    t->run_samples = 0.0;
    int stop = 0;
    while (st == LLN_OK && !t->finished && !stop)
        st = run_epoch(t, &stop, err);
    lln_status_t st2 = show_best(t, st == LLN_OK ? err : NULL);
    return st != LLN_OK ? st : st2;
}

lln_status_t lln_trainer_best(const lln_trainer_t *t, lln_model_t *dst, lln_error_t *err)
{
    if (t == NULL || dst == NULL || lln_model_param_count(dst) != t->P)
        return lln_error_set(err, LLN_E_ARG, "train: best model: NULL or another structure");
    const double *src = t->best_epoch > 0     ? t->best
                        : t->model_holds_best ? t->cur
                                              : lln_model_params_const(t->m);
    memcpy(lln_model_params(dst), src, t->P * sizeof(double));
    return lln_model_prepare(dst, err);
}
