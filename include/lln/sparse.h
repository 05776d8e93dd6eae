/** @file
 * liquid-edge: sparsity — L1 and group-lasso penalties on synapses, magnitude pruning into
 * the models' sparsity masks, and a loop that prunes a model until a cost (estimated power)
 * fits a budget.
 *
 * A synapse is one connection a sparsity mask can switch off:
 *   - LTC: an entry of rnn_cell.w (neuron -> neuron, gated by rnn_cell.sparsity_mask) or of
 *     rnn_cell.sensory_w (input -> neuron, gated by rnn_cell.sensory_sparsity_mask). Its
 *     strength is the weight the cell uses: softplus(w) with LLN_POS_SOFTPLUS, |w| otherwise.
 *   - wired CfC: an entry (r, k) of rnn_cell.layer_<l>.sparsity_mask; it gates the same entry
 *     of the layer's ff1 and ff2 weights; its strength is sqrt(ff1^2 + ff2^2).
 *   - dense CfC has no masks: every entry of its rnn_cell weight matrices (backbone and heads)
 *     is a "synapse" for L1 only; group lasso and pruning need masks and are refused
 *     (LLN_E_CONFIG) for it.
 * Pruning sets the mask entry to 0 and the gated weights to 0. The optimizer never changes a
 * masked entry again (lln/train.h), so pruned synapses stay exactly zero, are saved with the
 * model (the masks are tensors of the model file) and cost nothing in lln_model_stats() and
 * in exported firmware.
 *
 * Penalties are applied as proximal steps after every optimizer step with that step's
 * learning rate lr (see lln_optim_config_t.l1 / group_lasso):
 *   L1:          s <- max(s - lr l1, 0) for every synapse weight (soft threshold);
 *   group lasso: one group per neuron = every synapse into or out of it (sensory synapses
 *                count for the neuron they feed); the group's strengths v are scaled by
 *                max(0, 1 - lr gl sqrt(|g|) / ||v||), so whole neurons can reach zero.
 * LTC with softplus positivity cannot store a zero strength: a synapse whose proximal step
 * reaches zero is masked out at once (pruned), which is the exact zero of that cell.
 */
#ifndef LLN_SPARSE_H
#define LLN_SPARSE_H

#include "lln/data.h"
#include "lln/model.h"
#include "lln/status.h"
#include "lln/train.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Synapses of m still present (mask 1; dense CfC: non-zero weights of its matrices). */
LLN_API long lln_sparse_synapses(const lln_model_t *m);

/** 1 when m has sparsity masks (LTC, wired CfC), so it can be pruned; 0 for dense CfC. */
LLN_API int lln_sparse_prunable(const lln_model_t *m);

/** Checks that m supports the given penalties and pruning; LLN_E_CONFIG, naming the cell and
 *  the option, when it does not (dense CfC with group lasso or pruning). */
LLN_API lln_status_t lln_sparse_check(const lln_model_t *m, double group_lasso,
                                      double prune_threshold, lln_error_t *err);

/** Removes every present synapse whose strength is below threshold (> 0): mask 0, weights 0;
 *  re-prepares the model. *pruned (may be NULL) = synapses removed. */
LLN_API lln_status_t lln_prune_threshold(lln_model_t *m, double threshold, long *pruned,
                                         lln_error_t *err);

/** Removes the ceil(fraction x present) weakest present synapses (ties: lower parameter
 *  offset first, so the result is deterministic), fraction in (0, 1]. */
LLN_API lln_status_t lln_prune_fraction(lln_model_t *m, double fraction, long *pruned,
                                        lln_error_t *err);

/* ---- training to a cost budget ------------------------------------------------------------- */

/** A cost estimate of a model, e.g. its average power in mW on a device at a step rate.
 *  Must only read the model. */
typedef lln_status_t (*lln_cost_fn)(const lln_model_t *m, void *ctx, double *mw);

/** One round of lln_train_to_budget(): the model after it. */
typedef struct lln_budget_round {
    int round;               /**< 0: the first training; k: after the k-th pruning */
    long pruned;             /**< synapses removed before this round's training */
    long synapses;           /**< lln_sparse_synapses() */
    lln_model_stats_t stats; /**< lln_model_stats() */
    double metric;           /**< validation (else training) accuracy or MSE (data units) */
    int accuracy;            /**< 1: metric is an accuracy, 0: an MSE */
    double mw;               /**< the cost function's value */
    int within;              /**< 1 when mw <= the budget */
} lln_budget_round_t;

/** Called after every round; non-zero stops the loop (LLN_OK is returned). */
typedef int (*lln_budget_round_fn)(const lln_budget_round_t *r, void *ctx);

/** Settings of lln_train_to_budget(). */
typedef struct lln_budget_config {
    double budget_mw;             /**< > 0 */
    lln_cost_fn cost;             /**< required */
    void *cost_ctx;               /**< passed to cost */
    int max_rounds;               /**< pruning rounds after the first training, default 8 */
    int round_epochs;             /**< fine-tuning epochs per round (0: the training epochs) */
    double prune_fraction;        /**< share of the present synapses removed per round, (0, 1],
                                      default 0.25 */
    lln_budget_round_fn on_round; /**< may be NULL */
    void *round_ctx;              /**< passed to on_round */
} lln_budget_config_t;

/** Fills c with the defaults above (budget and cost left 0 / NULL). */
LLN_API void lln_budget_config_default(lln_budget_config_t *c);

/** Cost of m with every prunable synapse removed (the lowest any pruning reaches). m is
 *  changed and restored. */
LLN_API lln_status_t lln_budget_floor(lln_model_t *m, lln_cost_fn cost, void *ctx, double *mw,
                                      lln_error_t *err);

/** Trains m on ds with tc (its penalties and pruning included), then, while the cost exceeds
 *  the budget, removes prune_fraction of the present synapses (the weakest) and fine-tunes
 *  for round_epochs. Each round is a fresh lln_trainer_t (no checkpoints), so the model kept
 *  is the best epoch of the last round. LLN_E_CONFIG for a model without masks; LLN_E_RANGE
 *  before any training when even the floor (lln_budget_floor()) exceeds the budget, and after
 *  max_rounds when the budget was not reached (the model then holds the last round). *last
 *  (may be NULL) receives the last round. */
LLN_API lln_status_t lln_train_to_budget(lln_model_t *m, const lln_dataset_t *ds,
                                         const lln_train_config_t *tc,
                                         const lln_budget_config_t *bc, lln_budget_round_t *last,
                                         lln_error_t *err);

#ifdef __cplusplus
}
#endif
#endif
