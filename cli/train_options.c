/* lln train's own options: the optimizer, the loop, sparsity and the energy budget; their
 * checks (see train_cli.h). */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "train_cli.h"

enum {
    T_INIT = 500,
    T_LOSS,
    T_LSTEPS,
    T_EPOCHS,
    T_BATCH,
    T_OPT,
    T_LR,
    T_BETA1,
    T_BETA2,
    T_AEPS,
    T_MOM,
    T_NEST,
    T_WD,
    T_CLIP,
    T_SCHED,
    T_STEPEP,
    T_GAMMA,
    T_DECAYEP,
    T_LRMIN,
    T_WARM,
    T_PAT,
    T_MON,
    T_PREC,
    T_THREADS,
    T_EVALB,
    T_CKPT,
    T_NOCKPT,
    T_RESUME,
    T_CONFIG,
    T_QUIET,
    T_HISTORY,
    T_L1,
    T_GLASSO,
    T_PTHR,
    T_PEVERY,
    T_BUDGET,
    T_RATE,
    T_DEVICE,
    T_DEVICES,
    T_ROUNDS,
    T_PFRAC,
    T_REPOCHS,
    T_DROPLAST
};

const struct option TRAIN_OPTIONS[] = {
    {"init", required_argument, 0, T_INIT},
    {"loss", required_argument, 0, T_LOSS},
    {"loss-steps", required_argument, 0, T_LSTEPS},
    {"epochs", required_argument, 0, T_EPOCHS},
    {"batch", required_argument, 0, T_BATCH},
    {"optimizer", required_argument, 0, T_OPT},
    {"lr", required_argument, 0, T_LR},
    {"beta1", required_argument, 0, T_BETA1},
    {"beta2", required_argument, 0, T_BETA2},
    {"adam-eps", required_argument, 0, T_AEPS},
    {"momentum", required_argument, 0, T_MOM},
    {"nesterov", no_argument, 0, T_NEST},
    {"weight-decay", required_argument, 0, T_WD},
    {"clip-norm", required_argument, 0, T_CLIP},
    {"lr-schedule", required_argument, 0, T_SCHED},
    {"lr-step-epochs", required_argument, 0, T_STEPEP},
    {"lr-gamma", required_argument, 0, T_GAMMA},
    {"lr-decay-epochs", required_argument, 0, T_DECAYEP},
    {"lr-min", required_argument, 0, T_LRMIN},
    {"warmup-epochs", required_argument, 0, T_WARM},
    {"patience", required_argument, 0, T_PAT},
    {"monitor", required_argument, 0, T_MON},
    {"precision", required_argument, 0, T_PREC},
    {"threads", required_argument, 0, T_THREADS},
    {"eval-batch", required_argument, 0, T_EVALB},
    {"checkpoint", required_argument, 0, T_CKPT},
    {"no-checkpoint", no_argument, 0, T_NOCKPT},
    {"resume", no_argument, 0, T_RESUME},
    {"config", required_argument, 0, T_CONFIG},
    {"quiet", no_argument, 0, T_QUIET},
    {"history", required_argument, 0, T_HISTORY},
    {"l1", required_argument, 0, T_L1},
    {"group-lasso", required_argument, 0, T_GLASSO},
    {"prune-threshold", required_argument, 0, T_PTHR},
    {"prune-every", required_argument, 0, T_PEVERY},
    {"energy-budget-mw", required_argument, 0, T_BUDGET},
    {"rate", required_argument, 0, T_RATE},
    {"device", required_argument, 0, T_DEVICE},
    {"devices", required_argument, 0, T_DEVICES},
    {"budget-rounds", required_argument, 0, T_ROUNDS},
    {"prune-fraction", required_argument, 0, T_PFRAC},
    {"round-epochs", required_argument, 0, T_REPOCHS},
    {"drop-last", no_argument, 0, T_DROPLAST},
    {"output", required_argument, 0, 'o'},
    {"help", no_argument, 0, 'h'},
    {0, 0, 0, 0},
};

static int choose(const char *opt, const char *v, const char *const *names, int n, int *out)
{
    for (int i = 0; i < n; i++)
        if (strcmp(v, names[i]) == 0) {
            *out = i;
            return 1;
        }
    cli_error("train", "%s: '%s' is not one of the accepted values (lln train --help)", opt, v);
    return 0;
}

static int number(const char *opt, const char *v, double lo, double hi, double *out)
{
    if (!cli_parse_double("train", opt, v, out))
        return 0;
    if (*out < lo || *out > hi) {
        cli_error("train", "%s: %s is not in [%g, %g]", opt, v, lo, hi);
        return 0;
    }
    return 1;
}

static int integer(const char *opt, const char *v, long lo, long hi, int *out)
{
    long x;
    if (!cli_parse_int("train", opt, v, lo, hi, &x))
        return 0;
    *out = (int)x;
    return 1;
}

static int optim_option(train_args_t *a, int opt, const char *v)
{
    static const char *const kinds[] = {"adam", "adamw", "sgd"};
    static const char *const scheds[] = {"constant", "step", "cosine"};
    lln_optim_config_t *o = &a->tc.optim;
    int k;
    switch (opt) {
    case T_OPT:
        if (!choose("--optimizer", v, kinds, 3, &k))
            return 0;
        o->kind = (lln_optim_kind_t)k;
        return 1;
    case T_LR: return number("--lr", v, 1e-300, 1e6, &o->lr);
    case T_BETA1: return number("--beta1", v, 0, 0.999999999, &o->beta1);
    case T_BETA2: return number("--beta2", v, 0, 0.999999999, &o->beta2);
    case T_AEPS: return number("--adam-eps", v, 1e-300, 1, &o->eps);
    case T_MOM: return number("--momentum", v, 0, 0.999999999, &o->momentum);
    case T_NEST: o->nesterov = 1; return 1;
    case T_WD: return number("--weight-decay", v, 0, 1e6, &o->weight_decay);
    case T_CLIP: return number("--clip-norm", v, 0, 1e300, &o->clip_norm);
    case T_SCHED:
        if (!choose("--lr-schedule", v, scheds, 3, &k))
            return 0;
        o->schedule = (lln_lr_schedule_t)k;
        return 1;
    case T_STEPEP:
        a->step_epochs_given = 1;
        return number("--lr-step-epochs", v, 1e-6, 1e9, &a->tc.lr_step_epochs);
    case T_GAMMA: return number("--lr-gamma", v, 1e-300, 1, &o->gamma);
    case T_DECAYEP: return number("--lr-decay-epochs", v, 1e-6, 1e9, &a->tc.lr_decay_epochs);
    case T_LRMIN: return number("--lr-min", v, 0, 1e6, &o->min_lr);
    case T_WARM: return number("--warmup-epochs", v, 0, 1e9, &a->tc.warmup_epochs);
    default: return -1;
    }
}

static int loop_option(train_args_t *a, int opt, const char *v)
{
    static const char *const losses[] = {"mse", "cross-entropy", "ce", "cross_entropy"};
    static const char *const steps[] = {"every", "last"};
    static const char *const monitors[] = {"auto", "loss", "accuracy", "valid_mse"};
    static const char *const precs[] = {"f32", "f64"};
    int k;
    switch (opt) {
    case T_INIT: a->init = v; return 1;
    case T_LOSS:
        if (!choose("--loss", v, losses, 4, &k))
            return 0;
        a->tc.loss = k == 0 ? LLN_LOSS_MSE : LLN_LOSS_CROSS_ENTROPY;
        a->loss_given = 1;
        return 1;
    case T_LSTEPS:
        if (!choose("--loss-steps", v, steps, 2, &k))
            return 0;
        a->tc.loss_steps = (lln_loss_steps_t)k;
        return 1;
    case T_EPOCHS: return integer("--epochs", v, 1, 100000000L, &a->tc.epochs);
    case T_BATCH: return integer("--batch", v, 1, 1000000L, &a->tc.batch_size);
    case T_PAT: return integer("--patience", v, 0, 100000000L, &a->tc.patience);
    case T_MON:
        if (!choose("--monitor", v, monitors, 4, &k))
            return 0;
        a->tc.monitor = (lln_monitor_t)k;
        return 1;
    case T_PREC:
        if (!choose("--precision", v, precs, 2, &k))
            return 0;
        a->tc.dtype = k ? LLN_F64 : LLN_F32;
        return 1;
    case T_THREADS: return integer("--threads", v, 0, 256, &a->tc.threads);
    case T_EVALB: return integer("--eval-batch", v, 1, 1000000L, &a->tc.eval_batch);
    case T_CKPT: a->checkpoint = v; return 1;
    case T_NOCKPT: a->no_checkpoint = 1; return 1;
    case T_RESUME: a->resume = 1; return 1;
    case T_CONFIG: return 1; /* expanded before parsing */
    case T_QUIET: a->quiet = 1; return 1;
    case T_DROPLAST: a->tc.drop_last = 1; return 1;
    case 'o': a->out = v; return 1;
    default: return -1;
    }
}

static int sparse_option(train_args_t *a, int opt, const char *v)
{
    lln_budget_config_t *b = &a->budget;
    switch (opt) {
    case T_HISTORY: a->history = v; return 1;
    case T_L1: return number("--l1", v, 0, 1e6, &a->tc.optim.l1);
    case T_GLASSO: return number("--group-lasso", v, 0, 1e6, &a->tc.optim.group_lasso);
    case T_PTHR: return number("--prune-threshold", v, 1e-300, 1e30, &a->tc.prune_threshold);
    case T_PEVERY: return integer("--prune-every", v, 1, 100000000L, &a->tc.prune_every);
    case T_BUDGET: return number("--energy-budget-mw", v, 1e-9, 1e9, &b->budget_mw);
    case T_RATE: return number("--rate", v, 1e-6, 1e9, &a->energy.rate_hz);
    case T_DEVICE: a->device = v; return 1;
    case T_DEVICES: a->devices_file = v; return 1;
    case T_ROUNDS: return integer("--budget-rounds", v, 0, 1000, &b->max_rounds);
    case T_PFRAC: return number("--prune-fraction", v, 1e-6, 1, &b->prune_fraction);
    case T_REPOCHS: return integer("--round-epochs", v, 1, 100000000L, &b->round_epochs);
    default: return -1;
    }
}

static int one_option(train_args_t *a, int opt, const char *v)
{
    int r = cli_model_option("train", &a->model, opt, v);
    if (r < 0)
        r = cli_data_option("train", &a->data, opt, v);
    if (r < 0)
        r = optim_option(a, opt, v);
    if (r < 0)
        r = loop_option(a, opt, v);
    if (r < 0)
        r = sparse_option(a, opt, v);
    return r == 1;
}

/* Loads the device database and looks --device and its target's coefficients up. */
static int find_device(train_args_t *a)
{
    if (!cli_devices_load("train", a->devices_file, &a->db))
        return EXIT_FAIL;
    a->db_loaded = 1;
    const lln_device_t *d = lln_devices_find(&a->db, a->device);
    if (d == NULL) {
        char known[512];
        cli_devices_known(&a->db, known, sizeof known);
        cli_error("train", "--device: unknown device '%s' (known: %s)", a->device, known);
        return EXIT_USAGE;
    }
    a->energy.coef = lln_energy_coeffs_find(d->target);
    if (a->energy.coef == NULL) {
        cli_error("train",
                  "--device %s: no instruction estimate for its target '%s' "
                  "(the estimate knows the targets of lln verify)",
                  d->id, d->target);
        return EXIT_FAIL;
    }
    a->energy.device = d;
    a->budget.cost = lln_energy_cost;
    a->budget.cost_ctx = &a->energy;
    return 0;
}

/* The sparsity and energy options that only make sense together. */
static int check_sparse_args(train_args_t *a)
{
    const char *bad = NULL;
    int budget = a->budget.budget_mw > 0;
    if (a->tc.prune_every > 0 && a->tc.prune_threshold <= 0)
        bad = "--prune-every needs --prune-threshold";
    else if (!budget && (a->energy.rate_hz > 0 || a->device != NULL || a->devices_file != NULL))
        bad = "--rate, --device and --devices belong to --energy-budget-mw";
    else if (budget && (a->energy.rate_hz <= 0 || a->device == NULL))
        bad = "--energy-budget-mw needs --rate HZ and --device D";
    else if (budget && a->resume)
        bad = "--resume is not supported with --energy-budget-mw (each round starts afresh)";
    if (bad != NULL) {
        cli_error("train", "%s", bad);
        return EXIT_USAGE;
    }
    return budget ? find_device(a) : 0;
}

int train_parse(int argc, char **argv, const struct option *opts, train_args_t *a)
{
    int opt;
    optind = 1;
    while ((opt = getopt_long(argc, argv, "c:i:u:m:w:o:h", opts, NULL)) != -1) {
        if (opt == 'h') {
            train_print_help();
            return -1;
        }
        if (opt == '?' || !one_option(a, opt, optarg))
            return cli_usage_error("train");
    }
    if (optind < argc) {
        cli_error("train", "unexpected argument '%s'", argv[optind]);
        return cli_usage_error("train");
    }
    if (a->data.path == NULL || a->out == NULL) {
        cli_error("train", "%s is required", a->data.path == NULL ? "--data" : "-o/--output");
        return cli_usage_error("train");
    }
    if (a->tc.optim.schedule == LLN_LR_STEP && !a->step_epochs_given)
        a->tc.lr_step_epochs = 1.0;
    return check_sparse_args(a);
}
