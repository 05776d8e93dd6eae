/* Training to a cost budget (lln_train_to_budget, include/lln/sparse.h): train, then prune the
 * weakest synapses and fine-tune, round after round, until the caller's cost estimate (e.g.
 * the average power on a device) fits the budget. The cost is a callback so the estimate can
 * come from any device model; this file knows nothing about hardware. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sparse_internal.h"
#include "common/alloc.h"

void lln_budget_config_default(lln_budget_config_t *c)
{
    memset(c, 0, sizeof *c);
    c->max_rounds = 8;
    c->prune_fraction = 0.25;
}

static lln_status_t cost_of(const lln_model_t *m, lln_cost_fn cost, void *ctx, double *mw,
                            lln_error_t *err)
{
    lln_status_t st = cost(m, ctx, mw);
    if (st != LLN_OK)
        return lln_error_set(err, st, "budget: the cost estimate failed (%s)", lln_strerror(st));
    if (!isfinite(*mw) || *mw < 0.0)
        return lln_error_set(err, LLN_E_RANGE, "budget: the cost estimate gave %g", *mw);
    return LLN_OK;
}

lln_status_t lln_budget_floor(lln_model_t *m, lln_cost_fn cost, void *ctx, double *mw,
                              lln_error_t *err)
{
    if (m == NULL || cost == NULL || mw == NULL)
        return lln_error_set(err, LLN_E_ARG, "budget: NULL argument");
    lln_status_t st = lln_sparse_check(m, 0.0, 1.0, err);
    if (st != LLN_OK)
        return st;
    size_t P = lln_model_param_count(m);
    double *keep = lln__malloc((P ? P : 1) * sizeof(double));
    if (keep == NULL)
        return lln_error_set(err, LLN_E_NOMEM, "budget: out of memory");
    memcpy(keep, lln_model_params_const(m), P * sizeof(double));
    st = lln_prune_fraction(m, 1.0, NULL, err);
    if (st == LLN_OK)
        st = cost_of(m, cost, ctx, mw, err);
    memcpy(lln_model_params(m), keep, P * sizeof(double));
    lln__free(keep);
    lln_status_t st2 = lln_model_prepare(m, st == LLN_OK ? err : NULL);
    return st != LLN_OK ? st : st2;
}

/* The validation windows, or the training ones when there is no validation split. */
static lln_status_t score(const lln_model_t *m, const lln_dataset_t *ds,
                          const lln_train_config_t *tc, double *metric, lln_error_t *err)
{
    lln_split_t sp = lln_dataset_split_windows(ds, LLN_VALID, NULL) > 0 ? LLN_VALID : LLN_TRAIN;
    size_t n = lln_dataset_split_windows(ds, sp, NULL);
    size_t *idx = lln__malloc((n ? n : 1) * sizeof *idx);
    if (idx == NULL)
        return lln_error_set(err, LLN_E_NOMEM, "budget: out of memory");
    lln_dataset_split_windows(ds, sp, idx);
    lln_batch_stats_t s;
    lln_status_t st =
        lln_evaluate(m, ds, idx, n, tc->loss, tc->loss_steps, tc->dtype,
                     tc->eval_batch > 0 ? tc->eval_batch : 256, tc->threads, NULL, &s, NULL, err);
    lln__free(idx);
    if (st == LLN_OK)
        *metric = tc->loss == LLN_LOSS_CROSS_ENTROPY ? (s.steps > 0 ? s.correct / s.steps : NAN)
                                                     : (s.count > 0 ? s.sq_err_raw / s.count : NAN);
    return st;
}

static lln_status_t train_round(lln_model_t *m, const lln_dataset_t *ds,
                                const lln_train_config_t *tc, int epochs, lln_error_t *err)
{
    lln_train_config_t c = *tc;
    c.checkpoint = NULL;
    if (epochs > 0)
        c.epochs = epochs;
    lln_trainer_t *t;
    lln_status_t st = lln_trainer_create(m, ds, &c, &t, err);
    if (st == LLN_OK)
        st = lln_trainer_run(t, err);
    lln_trainer_free(t);
    return st;
}

static lln_status_t measure(lln_model_t *m, const lln_dataset_t *ds, const lln_train_config_t *tc,
                            const lln_budget_config_t *bc, lln_budget_round_t *r, lln_error_t *err)
{
    r->synapses = lln_sparse_synapses(m);
    lln_model_stats(m, &r->stats);
    r->accuracy = tc->loss == LLN_LOSS_CROSS_ENTROPY;
    lln_status_t st = score(m, ds, tc, &r->metric, err);
    if (st == LLN_OK)
        st = cost_of(m, bc->cost, bc->cost_ctx, &r->mw, err);
    r->within = st == LLN_OK && r->mw <= bc->budget_mw;
    return st;
}

static lln_status_t check_budget(lln_model_t *m, const lln_budget_config_t *bc, lln_error_t *err)
{
    if (!(bc->budget_mw > 0.0) || !isfinite(bc->budget_mw) || bc->cost == NULL ||
        bc->max_rounds < 0 || bc->round_epochs < 0 ||
        !(bc->prune_fraction > 0.0 && bc->prune_fraction <= 1.0))
        return lln_error_set(err, LLN_E_ARG,
                             "budget: needs a budget > 0, a cost function, rounds and epochs "
                             ">= 0 and a prune fraction in (0, 1]");
    double floor_mw;
    lln_status_t st = lln_budget_floor(m, bc->cost, bc->cost_ctx, &floor_mw, err);
    if (st != LLN_OK)
        return st;
    if (floor_mw > bc->budget_mw)
        return lln_error_set(err, LLN_E_RANGE,
                             "budget: %.6g mW cannot be reached: this model costs %.6g mW even "
                             "with every synapse removed (neurons, maps and sleep power "
                             "remain); raise the budget, lower the rate or use fewer units",
                             bc->budget_mw, floor_mw);
    return LLN_OK;
}

lln_status_t lln_train_to_budget(lln_model_t *m, const lln_dataset_t *ds,
                                 const lln_train_config_t *tc, const lln_budget_config_t *bc,
                                 lln_budget_round_t *last, lln_error_t *err)
{
    if (m == NULL || ds == NULL || tc == NULL || bc == NULL)
        return lln_error_set(err, LLN_E_ARG, "budget: NULL argument");
    lln_status_t st = check_budget(m, bc, err);
    if (st != LLN_OK)
        return st;
    lln_budget_round_t r;
    memset(&r, 0, sizeof r);
    st = train_round(m, ds, tc, 0, err);
    if (st == LLN_OK)
        st = measure(m, ds, tc, bc, &r, err);
    int stop = st == LLN_OK && bc->on_round != NULL && bc->on_round(&r, bc->round_ctx);
    while (st == LLN_OK && !stop && !r.within && r.round < bc->max_rounds && r.synapses > 0) {
        r.round++;
        st = lln_prune_fraction(m, bc->prune_fraction, &r.pruned, err);
        if (st == LLN_OK)
            st = train_round(m, ds, tc, bc->round_epochs, err);
        if (st == LLN_OK)
            st = measure(m, ds, tc, bc, &r, err);
        stop = st == LLN_OK && bc->on_round != NULL && bc->on_round(&r, bc->round_ctx);
    }
    if (last != NULL)
        *last = r;
    if (st == LLN_OK && !r.within && !stop)
        st = lln_error_set(err, LLN_E_RANGE,
                           "budget: %.6g mW not reached after %d pruning rounds (%.6g mW with "
                           "%ld synapses left); allow more rounds or a larger prune fraction",
                           bc->budget_mw, r.round, r.mw, r.synapses);
    return st;
}
