/** @file
 * liquid-edge: training — optimizers, batch gradients on several threads, and the loop.
 *
 * Three layers, each usable on its own:
 *   1. lln_optim_t: Adam, AdamW or SGD with momentum over a model's parameter vector, with
 *      gradient-norm clipping, weight decay and a learning-rate schedule (constant, step,
 *      cosine; linear warm-up in front of any of them). It updates only trainable tensors
 *      (LLN_TENSOR_TRAINABLE) and, inside them, only real synapses: an entry whose sparsity
 *      mask is 0 is never changed, whatever the gradient, weight decay or momentum say.
 *   2. lln_batch_grad_t: the loss of one batch of sequences (mean squared error or softmax
 *      cross-entropy, on every step or on the last real step of each sequence, with a 0/1
 *      mask for padding) and its exact gradient (lln/grad.h tapes), data-parallel: the batch
 *      is cut into contiguous slices, one per thread, each with its own tape and gradient
 *      buffer, and the buffers are summed in thread order. The same thread count therefore
 *      gives bit-identical gradients on every run.
 *   3. lln_trainer_t: epochs of shuffled mini-batches from an lln_dataset_t (lln/data.h),
 *      validation after every epoch, early stopping, the best model kept, checkpoints that a
 *      later run resumes bit for bit, and a progress callback.
 *
 * Nothing here keeps global state; threads live only while a batch runs.
 */
#ifndef LLN_TRAIN_H
#define LLN_TRAIN_H

#include <stddef.h>

#include "lln/data.h"
#include "lln/model.h"
#include "lln/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- optimizers ----------------------------------------------------------------------- */

/** Which update rule lln_optim_step() applies (g: the clipped gradient, p: a parameter). */
typedef enum lln_optim_kind {
    LLN_OPTIM_ADAM = 0,  /**< Adam (torch.optim.Adam): weight decay adds wd p to g */
    LLN_OPTIM_ADAMW = 1, /**< AdamW (torch.optim.AdamW): p -= lr wd p, decoupled from g */
    LLN_OPTIM_SGD = 2    /**< SGD with (optionally Nesterov) momentum (torch.optim.SGD) */
} lln_optim_kind_t;

/** How the learning rate changes with the optimizer step s (0-based). */
typedef enum lln_lr_schedule {
    LLN_LR_CONSTANT = 0, /**< lr */
    LLN_LR_STEP = 1,     /**< lr gamma^floor(s' / step_size) */
    LLN_LR_COSINE = 2    /**< min_lr + (lr - min_lr) (1 + cos(pi s' / decay_steps)) / 2, then
                              min_lr once s' >= decay_steps */
} lln_lr_schedule_t;

/** Optimizer settings. Start from lln_optim_config_default(). Step counts are optimizer
 *  steps (batches); the trainer converts its epoch-based settings into them. */
typedef struct lln_optim_config {
    lln_optim_kind_t kind;      /**< default Adam */
    double lr;                  /**< base learning rate (> 0), default 1e-3 */
    double beta1;               /**< Adam/AdamW first-moment decay in [0, 1), default 0.9 */
    double beta2;               /**< Adam/AdamW second-moment decay in [0, 1), default 0.999 */
    double eps;                 /**< Adam/AdamW denominator epsilon (> 0), default 1e-8 */
    double momentum;            /**< SGD momentum in [0, 1), default 0 (plain SGD) */
    int nesterov;               /**< SGD: 1 for Nesterov momentum (needs momentum > 0) */
    double weight_decay;        /**< >= 0, default 0 (see lln_optim_kind_t for how it applies) */
    double clip_norm;           /**< > 0: when the gradient's L2 norm over the updated entries
                                exceeds it, the gradient is scaled by clip_norm / norm.
                                0 (default): no clipping */
    lln_lr_schedule_t schedule; /**< default constant */
    long step_size;             /**< LLN_LR_STEP: steps per decay (>= 1) */
    double gamma;               /**< LLN_LR_STEP: factor per decay, in (0, 1], default 0.1 */
    long decay_steps;           /**< LLN_LR_COSINE: steps from lr to min_lr (>= 1) */
    double min_lr;              /**< LLN_LR_COSINE: final rate, in [0, lr], default 0 */
    long warmup_steps;          /**< >= 0: the first warmup_steps steps use
                                     lr_schedule(0) (s + 1) / (warmup_steps + 1); the
                                     schedule's s' = s - warmup_steps starts after them */
    double l1;                  /**< >= 0: L1 on synapse weights, applied after every step
                                     as a soft threshold by lr l1 (lln/sparse.h), default 0 */
    double group_lasso;         /**< >= 0: group lasso on neurons (all synapses into and out
                                     of each), applied as a proximal step by lr group_lasso
                                     after every step (lln/sparse.h), default 0 */
} lln_optim_config_t;

/** Fills c with the defaults documented in lln_optim_config_t (Adam, lr 1e-3). */
LLN_API void lln_optim_config_default(lln_optim_config_t *c);

/** Checks an optimizer configuration; the message names the offending field. */
LLN_API lln_status_t lln_optim_config_validate(const lln_optim_config_t *c, lln_error_t *err);

/** The learning rate of step s (0-based) under c's schedule and warm-up. */
LLN_API double lln_optim_lr(const lln_optim_config_t *c, long s);

/** An optimizer's state for one model structure (opaque): the configuration, the step count,
 *  the moment vectors (parameter-vector layout) and which entries it may change. */
typedef struct lln_optim lln_optim_t;

/** Creates an optimizer for m's parameter layout: moments zero, step count 0. The entries it
 *  updates are those of trainable tensors whose sparsity mask (LTC: sparsity_mask for
 *  w/sigma/mu/erev, sensory_sparsity_mask for the sensory_* tensors; wired CfC: each layer's
 *  sparsity_mask for its ff1/ff2 weights) is not 0. m is only read. */
LLN_API lln_status_t lln_optim_create(const lln_model_t *m, const lln_optim_config_t *c,
                                      lln_optim_t **out, lln_error_t *err);
/** Frees an optimizer. NULL-safe. */
LLN_API void lln_optim_free(lln_optim_t *o);

/** What one lln_optim_step() did. */
typedef struct lln_optim_info {
    double grad_norm; /**< L2 norm of the gradient over the updated entries, before clipping */
    double lr;        /**< learning rate used */
    int clipped;      /**< 1 when the gradient was scaled down */
    int masked;       /**< 1 when the proximal step masked synapses out (LTC softplus): the
                           model's structure changed, so tapes made for it must be remade */
} lln_optim_info_t;

/** One update of m's parameters from grad (lln_model_param_count() doubles, as a tape's
 *  backward leaves it; clipped in place), the proximal steps of l1 / group_lasso, then
 *  lln_model_prepare(m). An LTC softplus synapse the proximal step takes to zero is masked
 *  out (lln/sparse.h) and the optimizer stops updating it. m must have the
 *  structure the optimizer was created for. LLN_E_RANGE when the gradient is not finite or
 *  the update makes a parameter invalid (the model is then left as before the step);
 *  LLN_E_ARG for NULL arguments or another parameter count. info may be NULL. */
LLN_API lln_status_t lln_optim_step(lln_optim_t *o, lln_model_t *m, double *grad,
                                    lln_optim_info_t *info, lln_error_t *err);

/** Steps taken so far (the bias corrections and the schedule use it). */
LLN_API long lln_optim_steps(const lln_optim_t *o);
/** Sets the step count (restoring a checkpoint). LLN_E_ARG for a negative count. */
LLN_API lln_status_t lln_optim_set_steps(lln_optim_t *o, long steps);
/** Number of doubles in each moment vector (= the model's parameter count). */
LLN_API size_t lln_optim_size(const lln_optim_t *o);
/** Moment vector k, writable (for checkpoints): k = 0 is Adam's first moment or SGD's
 *  momentum buffer, k = 1 Adam's second moment. NULL for any other k (SGD has only k = 0). */
LLN_API double *lln_optim_moment(lln_optim_t *o, int k);
/** Number of moment vectors: 2 for Adam and AdamW, 1 for SGD. */
LLN_API int lln_optim_moment_count(const lln_optim_t *o);
/** 1 when the optimizer may change parameter entry i (see lln_optim_create()), else 0. */
LLN_API int lln_optim_updates(const lln_optim_t *o, size_t i);
/** Re-reads which entries may change from m's masks (after pruning, or after a checkpoint
 *  restored other masks). The moments of entries that may no longer change are zeroed. */
LLN_API lln_status_t lln_optim_refresh_mask(lln_optim_t *o, const lln_model_t *m, lln_error_t *err);

/* ---- losses and batch gradients ----------------------------------------------------------- */

/** The loss a batch is scored with. */
typedef enum lln_loss_kind {
    LLN_LOSS_MSE = 0,          /**< mean squared error; with an output normalization the
                                    error of output j is divided by norm.output_std[j], so the
                                    loss is the MSE of the normalized targets */
    LLN_LOSS_CROSS_ENTROPY = 1 /**< softmax cross-entropy: the outputs are K logits, the
                                    target is a class id 0 .. K-1 */
} lln_loss_kind_t;

/** Which steps of a sequence count. */
typedef enum lln_loss_steps {
    LLN_LOSS_EVERY_STEP = 0, /**< every real (mask 1) step: per-step regression / labelling */
    LLN_LOSS_LAST_STEP = 1   /**< only the last real step: sequence classification */
} lln_loss_steps_t;

/** Sums over one batch (or several: lln_batch_stats_add()). The loss of the batch is
 *  loss_sum / count. */
typedef struct lln_batch_stats {
    double loss_sum;   /**< sum of the per-step losses (MSE: over every output value) */
    double count;      /**< MSE: counted steps x O; cross-entropy: counted steps */
    double steps;      /**< counted steps */
    double correct;    /**< cross-entropy: counted steps whose arg-max logit is the target */
    double sq_err_raw; /**< MSE: sum of (y - target)^2 in the data's units (unnormalized) */
} lln_batch_stats_t;

/** a += b. */
LLN_API void lln_batch_stats_add(lln_batch_stats_t *a, const lln_batch_stats_t *b);

/** Batch loss and gradient for one model on several threads (opaque). */
typedef struct lln_batch_grad lln_batch_grad_t;

/** Sets up `threads` workers (>= 1; 0 = the number of online CPUs) for batches of up to
 *  max_batch sequences of `steps` steps in precision dtype, scored with (kind, which). Each
 *  worker gets a tape for its slice (at most ceil(max_batch / threads) sequences) and a
 *  gradient buffer. The model is only read, here and in every run; it may change between
 *  runs (an optimizer step) but not its structure. */
LLN_API lln_status_t lln_batch_grad_create(const lln_model_t *m, lln_dtype_t dtype, int max_batch,
                                           int steps, int threads, lln_loss_kind_t kind,
                                           lln_loss_steps_t which, lln_batch_grad_t **out,
                                           lln_error_t *err);
/** Frees it. NULL-safe. */
LLN_API void lln_batch_grad_free(lln_batch_grad_t *g);
/** The number of worker threads it uses. */
LLN_API int lln_batch_grad_threads(const lln_batch_grad_t *g);

/** Runs the element-wise work of o's later lln_optim_step() calls (the copy kept for a failed
 *  step, clipping, the Adam or SGD update) on g's threads, each thread its own share of the
 *  parameters; the result is bit for bit that of one thread (the gradient norm is still
 *  summed in one order). The threads are started once, by lln_batch_grad_create(), and wait
 *  between runs. o keeps its own reference to them: g may be freed before o. g NULL returns
 *  o to the calling thread alone. LLN_E_ARG when o is NULL. */
LLN_API lln_status_t lln_optim_share_threads(lln_optim_t *o, lln_batch_grad_t *g);

/** Runs `batch` sequences (<= max_batch) of the configured steps, batch-first as
 *  lln_dataset_gather() lays them out, in the configured precision (float or double):
 *  x (batch, T, I); dt (batch, T) or NULL (1.0); target (batch, T, O) for MSE or
 *  (batch, T) class ids for cross-entropy; mask (batch, T) 1/0 or NULL (all 1).
 *  With grad != NULL, adds the gradient of the batch loss (loss_sum / count over the whole
 *  batch) into grad (lln_model_param_count() doubles); with grad NULL it only runs forward.
 *  y_out (may be NULL) receives the outputs (batch, T, O) in the same precision. stats (may
 *  be NULL) gets this batch's sums. Steps past a window's end must be masked; a batch with
 *  no counted step adds nothing. LLN_E_RANGE for a class id out of range or a non-finite
 *  input, LLN_E_DT for a bad Δt (the message names the sequence), LLN_E_ARG otherwise. */
LLN_API lln_status_t lln_batch_grad_run(lln_batch_grad_t *g, const lln_model_t *m, int batch,
                                        const void *x, const void *dt, const void *target,
                                        const void *mask, double *grad, void *y_out,
                                        lln_batch_stats_t *stats, lln_error_t *err);

/* ---- the training loop ---------------------------------------------------------------------- */

/** What the trainer watches on the validation split for early stopping and for the best
 *  model. */
typedef enum lln_monitor {
    LLN_MONITOR_AUTO = 0,     /**< accuracy for cross-entropy, loss otherwise */
    LLN_MONITOR_LOSS = 1,     /**< validation loss, lower is better */
    LLN_MONITOR_ACCURACY = 2, /**< validation accuracy, higher is better (cross-entropy) */
    LLN_MONITOR_MSE = 3       /**< validation MSE in the data's units (targets not normalized),
                                   lower is better (MSE loss): the loss normalized per target
                                   weighs targets by 1/std^2, this weighs them as the data do */
} lln_monitor_t;

/** Why lln_trainer_progress_fn was called. */
typedef enum lln_train_event {
    LLN_TRAIN_BATCH = 0, /**< after an optimizer step */
    LLN_TRAIN_EPOCH = 1  /**< after an epoch and its validation (and checkpoint) */
} lln_train_event_t;

/** Where training stands (given to the progress callback; also lln_trainer_status()). */
typedef struct lln_train_progress {
    lln_train_event_t event; /**< what just happened */
    int epoch;               /**< epoch running (BATCH) or just finished (EPOCH), 1-based */
    int epochs;              /**< epochs configured */
    int batch;               /**< batches done in this epoch */
    int batches;             /**< batches per epoch */
    long step;               /**< optimizer steps done */
    double loss;             /**< mean training loss of this epoch so far */
    double batch_loss;       /**< loss of the last batch */
    double lr;               /**< learning rate of the last step */
    double grad_norm;        /**< gradient norm of the last step (before clipping) */
    int has_valid;           /**< 1 when a validation split exists */
    double valid_loss;       /**< last validation loss (NaN before the first) */
    double valid_accuracy;   /**< last validation accuracy (NaN for MSE or before the first) */
    double best_metric;      /**< best monitored value so far (NaN before the first epoch) */
    int best_epoch;          /**< epoch of the best value (0 = none yet) */
    int improved;            /**< EPOCH: 1 when this epoch set a new best */
    int bad_epochs;          /**< epochs since the best one (early stopping counter) */
    double samples_per_s;    /**< training sequences per second in this run (excludes time
                                  before a resume) */
    double seconds;          /**< wall time of this run so far */
    int finished;            /**< 1 once the last epoch ran or early stopping struck */
    int threads;             /**< worker threads in use */
    double valid_mse;        /**< last validation MSE in the data's units (NaN for
                                  cross-entropy or before the first) */
    int pruned_now;          /**< EPOCH: 1 when a prune step ran before this validation */
    long pruned;             /**< EPOCH: synapses that prune step removed */
} lln_train_progress_t;

/** Called after every batch and every epoch; returning non-zero stops training after this
 *  point (a checkpoint is written first when one is configured). Must not change the model. */
typedef int (*lln_train_progress_fn)(const lln_train_progress_t *p, void *ctx);

/** Sends `count` doubles from this process and receives every process's: recv gets rank
 *  0's `count` values, then rank 1's, and so on (ranks x count doubles), like
 *  MPI_Allgather. Every process calls it at the same points with the same count. Returns 0 on
 *  success; anything else stops training with an error on this process. */
typedef int (*lln_allgather_fn)(void *ctx, const double *send, size_t count, double *recv);

/** Data-parallel training over several processes (e.g. MPI ranks; the library itself does
 *  not use MPI). Each of the `ranks` processes runs the same trainer on the same data and
 *  model with the same settings and `threads` worker threads; the W = ranks x threads workers
 *  take fixed slices of every batch (worker k = rank x threads + thread: sequences
 *  k B / W .. (k+1) B / W - 1), the per-slice gradients and loss sums are gathered and added
 *  in slice order on every process. The trained model is therefore bit-identical for every
 *  split of the same W, and to a single process with W threads. Only rank 0 writes
 *  checkpoints. */
typedef struct lln_dist {
    int rank;                   /**< this process, 0 .. ranks - 1 */
    int ranks;                  /**< number of processes, >= 1 */
    lln_allgather_fn allgather; /**< the exchange between processes */
    void *ctx;                  /**< passed to allgather */
} lln_dist_t;

/** Training settings. Start from lln_train_config_default(). */
typedef struct lln_train_config {
    lln_optim_config_t optim;       /**< optimizer; its step_size / decay_steps / warmup_steps
                                      are overridden by the epoch fields below when those
                                      are > 0, and decay_steps 0 means the whole run */
    int epochs;                     /**< >= 1, default 10 */
    int batch_size;                 /**< >= 1, default 32 */
    int drop_last;                  /**< 1: each epoch leaves out its last batch when it is
                                      smaller than batch_size (PyTorch's drop_last=True); 0
                                      (default): that batch is trained on too */
    int threads;                    /**< worker threads, 0 (default) = online CPUs */
    unsigned long long seed;        /**< batch order: epoch e shuffles with (seed, e) */
    int patience;                   /**< stop after this many epochs without a new best;
                                      0 (default) = never */
    double lr_step_epochs;          /**< > 0: LLN_LR_STEP decays every this many epochs */
    double lr_decay_epochs;         /**< > 0: LLN_LR_COSINE reaches min_lr after this many
                                      epochs (0: after the last epoch) */
    double warmup_epochs;           /**< > 0: warm-up over this many epochs */
    lln_loss_kind_t loss;           /**< default MSE */
    lln_loss_steps_t loss_steps;    /**< default every step */
    lln_monitor_t monitor;          /**< default auto */
    lln_dtype_t dtype;              /**< training precision, default float32 */
    int eval_batch;                 /**< sequences per forward pass when validating (0: 256) */
    const char *checkpoint;         /**< written atomically after every epoch and when stopped
                                      early (NULL: none); see lln_trainer_save_checkpoint() */
    double prune_threshold;         /**< > 0: after the epochs below, synapses weaker than
                                      this are pruned (lln_prune_threshold(), lln/sparse.h)
                                      before validating; 0 (default): no pruning */
    int prune_every;                /**< >= 0: prune after every this many epochs; 0 (default):
                                      after the last epoch only. A prune step that removes
                                      synapses restarts the best-epoch tracking (the model
                                      kept is then the best one after the last prune) */
    lln_train_progress_fn progress; /**< may be NULL */
    void *progress_ctx;             /**< passed to progress */
    const lln_dist_t *dist;         /**< NULL (default): one process. Else data-parallel over
                                      processes (lln_dist_t; must outlive the trainer): the
                                      progress callbacks' stop requests are agreed (any
                                      process stopping stops all), the checkpoint records
                                      ranks x threads as its thread count */
} lln_train_config_t;

/** Fills c with the defaults documented in lln_train_config_t. */
LLN_API void lln_train_config_default(lln_train_config_t *c);

/** A training run (opaque): the model being trained, the dataset, optimizer, workers and
 *  position (epoch, batch, best model). */
typedef struct lln_trainer lln_trainer_t;

/** Sets up training of m on ds's LLN_TRAIN windows, validating on its LLN_VALID windows.
 *  The model (inputs = the dataset's features; outputs = its targets for MSE, its classes for
 *  cross-entropy) is trained in place and must outlive the trainer; ds must not change while
 *  the trainer exists. Normalization is the caller's job (lln_dataset_fit_norm(),
 *  lln_model_set_norm()) before this call. The configuration is copied (the checkpoint
 *  string too). LLN_E_SHAPE when model and data do not fit, LLN_E_RANGE without training
 *  windows. */
LLN_API lln_status_t lln_trainer_create(lln_model_t *m, const lln_dataset_t *ds,
                                        const lln_train_config_t *c, lln_trainer_t **out,
                                        lln_error_t *err);
/** Frees the trainer (not the model or the dataset). NULL-safe. */
LLN_API void lln_trainer_free(lln_trainer_t *t);

/** Trains from the current position until the last epoch, early stopping, or a stop request
 *  from the progress callback; then leaves the best model's parameters in the model (the
 *  current ones when no epoch has finished). Calling it again after a stop continues.
 *  Errors (bad data in a batch, a diverging model) stop training and are returned; the
 *  model then holds the best parameters seen. */
LLN_API lln_status_t lln_trainer_run(lln_trainer_t *t, lln_error_t *err);

/** Where training stands, as the progress callback sees it. */
LLN_API void lln_trainer_status(const lln_trainer_t *t, lln_train_progress_t *p);

/** Copies the best parameters so far (the current ones before the first epoch ends) into
 *  dst, a model of the same structure (e.g. to save the best model after every epoch). */
LLN_API lln_status_t lln_trainer_best(const lln_trainer_t *t, lln_model_t *dst, lln_error_t *err);

/** Writes a checkpoint: a valid model file (lln_model_load() and `lln info` read it; it holds
 *  the current parameters) whose "train.*" metadata carry the position, the optimizer
 *  moments, the best parameters and the settings a resume must share (batch size, seed,
 *  threads, precision, optimizer), all exact. Written atomically (lln_model_save()). */
LLN_API lln_status_t lln_trainer_save_checkpoint(const lln_trainer_t *t, const char *path,
                                                 lln_error_t *err);
/** Restores a checkpoint written by lln_trainer_save_checkpoint() for the same model
 *  structure and settings: parameters, moments, position, best model. A resumed run then
 *  ends with exactly the model an uninterrupted one would have. LLN_E_CONFIG (naming the
 *  setting) when the checkpoint was made with other settings or another model structure;
 *  LLN_E_FORMAT when its training metadata are missing or damaged; on any failure the
 *  trainer and the model are left as they were. The number of epochs may differ (training
 *  can be extended). */
LLN_API lln_status_t lln_trainer_load_checkpoint(lln_trainer_t *t, const char *path,
                                                 lln_error_t *err);

/** Scores m on windows (list indices) of ds in forward passes of `batch` sequences on
 *  `threads` threads (0 = online CPUs), in precision dtype; stats gets the sums.
 *  Cross-entropy only: class_map (may be NULL = identity) maps the dataset's class ids to the
 *  model's output index (another file may number text labels differently); confusion (may
 *  be NULL) receives K x K counts, K = the model's outputs, row = true class, column =
 *  predicted. */
LLN_API lln_status_t lln_evaluate(const lln_model_t *m, const lln_dataset_t *ds,
                                  const size_t *windows, size_t count, lln_loss_kind_t kind,
                                  lln_loss_steps_t which, lln_dtype_t dtype, int batch, int threads,
                                  const int *class_map, lln_batch_stats_t *stats, double *confusion,
                                  lln_error_t *err);

#ifdef __cplusplus
}
#endif
#endif
