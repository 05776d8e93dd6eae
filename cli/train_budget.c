/* lln train --energy-budget-mw: the rounds of lln_train_to_budget with their table, the floor
 * check before any training, and the result recorded in the model (see train_cli.h). */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "lln/sparse.h"
#include "train_cli.h"

typedef struct budget_ui {
    ui_t *u;
    int rounds; /* rounds finished */
} budget_ui_t;

static int on_round(const lln_budget_round_t *r, void *ctx)
{
    budget_ui_t *b = ctx;
    b->rounds++;
    if (b->u->tty && !b->u->quiet)
        fputs("\r\033[K", stderr);
    printf("round %2d  %7ld %9ld %9ld %9ld %7ld  %-9.5g %10.5g  %s\n", r->round, r->pruned,
           r->synapses, r->stats.params, r->stats.macs, r->stats.transcendentals, r->metric, r->mw,
           r->within ? "yes" : "no");
    (void)fflush(stdout);
    return train_interrupted();
}

/* Refuses budgets below the floor before any training. */
static int check_floor(train_args_t *a, lln_model_t *m)
{
    lln_error_t err = {LLN_OK, ""};
    double floor_mw;
    if (lln_budget_floor(m, a->budget.cost, a->budget.cost_ctx, &floor_mw, &err) != LLN_OK) {
        if (err.code == LLN_E_RANGE)
            cli_error("train",
                      "--rate %g Hz: one step takes longer than the period on %s even "
                      "with every synapse removed",
                      a->energy.rate_hz, a->energy.device->id);
        else
            cli_error("train", "%s", err.msg);
        return EXIT_FAIL;
    }
    if (floor_mw > a->budget.budget_mw) {
        cli_error("train",
                  "--energy-budget-mw %g cannot be reached: at %g Hz on %s this model "
                  "needs %.4g mW even with every synapse removed (neurons, maps and sleep "
                  "remain); raise the budget, lower --rate or use fewer --units",
                  a->budget.budget_mw, a->energy.rate_hz, a->energy.device->id, floor_mw);
        return EXIT_FAIL;
    }
    const lln_device_t *d = a->energy.device;
    printf("energy     budget %g mW at %g Hz on %s (%s: estimated instructions x CPI %g at "
           "%g MHz, %g mW active, sleep %s); floor %.4g mW\n",
           a->budget.budget_mw, a->energy.rate_hz, d->id, d->target, d->cpi.value,
           d->clock_mhz.value, d->active_mw.value, d->default_sleep[0] ? d->default_sleep : "none",
           floor_mw);
    return 0;
}

static void record_budget(lln_model_t *m, const train_args_t *a, const lln_budget_round_t *r)
{
    char v[128];
    snprintf(v, sizeof v, "%.9g", a->budget.budget_mw);
    lln_model_set_meta(m, "trained.energy_budget_mw", v);
    snprintf(v, sizeof v, "%.9g mW at %g Hz on %s", r->mw, a->energy.rate_hz, a->energy.device->id);
    lln_model_set_meta(m, "trained.energy_estimate", v);
}

int train_budget(train_args_t *a, lln_model_t *m, const lln_dataset_t *ds, ui_t *u,
                 train_history_t *h)
{
    budget_ui_t b = {u, 0};
    lln_budget_round_t last;
    lln_error_t err = {LLN_OK, ""};
    int rc = check_floor(a, m);
    if (rc == 0)
        rc = train_open_history(a, u, h, -1);
    if (rc != 0)
        return rc;
    a->tc.checkpoint = NULL;
    a->budget.on_round = on_round;
    a->budget.round_ctx = &b;
    printf("round     pruned  synapses    params      MACs  transc  %-9s   power mW  fits\n",
           u->ce ? "accuracy" : "mse");
    (void)fflush(stdout);
    train_catch_signals();
    lln_status_t st = lln_train_to_budget(m, ds, &a->tc, &a->budget, &last, &err);
    train_release_signals(u);
    if (b.rounds > 0) {
        record_budget(m, a, &last);
        if (!cli_save_model("train", m, a->out))
            return EXIT_FAIL;
        printf("wrote      %s\n", a->out);
    }
    if (st != LLN_OK) {
        cli_error("train", "%s", err.msg);
        return EXIT_FAIL;
    }
    if (train_interrupted())
        return EXIT_INTERRUPTED;
    printf("energy     %s: %.4g mW at %g Hz with %ld synapses, %s %.5g (round %d)\n",
           last.within ? "within budget" : "NOT within budget", last.mw, a->energy.rate_hz,
           last.synapses, u->ce ? "accuracy" : "mse", last.metric, last.round);
    (void)fflush(stdout);
    cli_energy_measure(&a->energy, m, ds, last.mw, a->budget.budget_mw);
    return last.within ? 0 : EXIT_FAIL;
}
