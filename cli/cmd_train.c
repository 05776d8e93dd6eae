/* lln train: trains a model on a CSV log (lln/train.h over lln/data.h).
 *
 * The model comes from the same flags as `lln new` or from --init MODEL; inputs and outputs
 * follow the data. Options may also come from --config FILE (argfile.h). Ctrl-C finishes the
 * running batch, writes the checkpoint and the best model so far, and exits with 130; the
 * same command with --resume then continues to exactly the model an uninterrupted run gives.
 * The best model is written (atomically) after every epoch that improves it, so a kill at any
 * moment leaves a loadable model and checkpoint behind. */
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "argfile.h"
#include "cli.h"
#include "data_flags.h"
#include "energy_estimate.h"
#include "lln/format.h"
#include "lln/sparse.h"
#include "model_flags.h"
#include "task_meta.h"
#include "train_history.h"

#define EXIT_INTERRUPTED 130

static const char TRAIN_HELP_HEAD[] =
    "usage: lln train --data FILE [OPTIONS] -o MODEL.lln\n"
    "       lln train --config FILE [OPTIONS]\n\n"
    "Trains a liquid network on a CSV log with exact backpropagation through time and saves\n"
    "the model of the best validation epoch, with the input normalization fitted on the\n"
    "training split. Ctrl-C stops after the running batch and saves (exit status 130); the\n"
    "same command with --resume continues exactly where it stopped.\n\n"
    "  Model (a new one from these flags, as in lln new; inputs and outputs follow the data):\n"
    "      --init MODEL         start from an existing model instead\n"
    "  -i, --inputs I           must equal the number of features (default: from the data)\n";

static const char TRAIN_HELP_TRAIN[] =
    "  Training:\n"
    "      --loss KIND          mse (default for regression), cross-entropy (for labels)\n"
    "      --loss-steps KIND    every (default) or last (sequence classification)\n"
    "      --epochs N           passes over the training windows (default 10)\n"
    "      --batch N            sequences per batch (default 32)\n"
    "      --optimizer KIND     adam (default), adamw, sgd\n"
    "      --lr RATE            learning rate (default 1e-3)\n"
    "      --beta1 B            Adam first-moment decay (default 0.9)\n"
    "      --beta2 B            Adam second-moment decay (default 0.999)\n"
    "      --adam-eps E         Adam epsilon (default 1e-8)\n"
    "      --momentum M         SGD momentum (default 0)\n"
    "      --nesterov           SGD: Nesterov momentum\n"
    "      --weight-decay W     adam/sgd: L2 added to the gradient; adamw: decoupled (default 0)\n"
    "      --clip-norm C        scale the gradient down to L2 norm C (default: no clipping)\n"
    "      --lr-schedule KIND   constant (default), step, cosine\n"
    "      --lr-step-epochs E   step: multiply the rate by --lr-gamma every E epochs (default 1)\n"
    "      --lr-gamma G         step: the factor (default 0.1)\n"
    "      --lr-decay-epochs E  cosine: epochs from --lr to --lr-min (default: the whole run)\n"
    "      --lr-min M           cosine: the final rate (default 0)\n"
    "      --warmup-epochs E    linear warm-up over E epochs first (default 0)\n"
    "      --patience N         stop after N epochs without a better validation value\n"
    "                           (default 0: never)\n"
    "      --monitor KIND       what picks the best epoch: auto (accuracy for labels, else\n"
    "                           loss), loss, accuracy, valid_mse (the validation MSE in the\n"
    "                           data's units, not weighted by the target normalization)\n"
    "      --precision P        f32 (default) or f64\n"
    "      --threads N          threads (default: all online CPUs); the same seed and N give a\n"
    "                           bit-identical model\n"
    "      --eval-batch N       sequences per validation pass (default 256)\n"
    "  Sparsity (synapses: LTC w/sensory_w, wired CfC ff1/ff2; dense CfC: L1 only):\n"
    "      --l1 LAMBDA          L1 on synapse weights (soft threshold lr*LAMBDA per step)\n"
    "      --group-lasso LAMBDA group lasso per neuron (all its synapses in and out)\n"
    "      --prune-threshold T  prune synapses weaker than T into the model's masks\n"
    "      --prune-every E      prune after every E epochs (default: after the last one)\n"
    "  Energy budget (train, then prune the weakest synapses and fine-tune until it fits):\n"
    "      --energy-budget-mw B average power budget in mW\n"
    "      --rate HZ            steps per second the model runs at\n"
    "      --device D           device of the estimate (lln profile --list-devices)\n"
    "      --devices FILE       device database instead of the built-in one (as lln profile)\n"
    "      --budget-rounds N    pruning rounds at most (default 8)\n"
    "      --prune-fraction F   share of the present synapses pruned per round (default 0.25)\n"
    "      --round-epochs N     fine-tuning epochs per round (default: --epochs)\n"
    "  Output:\n"
    "  -o, --output FILE        the best model (also written after every better epoch)\n"
    "      --checkpoint FILE    written atomically after every epoch (default FILE.ckpt)\n"
    "      --history FILE.csv   one row per epoch: epoch,train_loss,valid_loss,valid_metric,\n"
    "                           lr,seconds (rewritten atomically; --resume keeps the rows)\n"
    "      --no-checkpoint      none\n"
    "      --resume             continue from the checkpoint (give the same options)\n"
    "      --config FILE        options as 'key = value' lines (long names; docs/CLI.md)\n"
    "      --quiet              no progress output\n"
    "  -h, --help               this text\n\n"
    "Exit status: 0 trained; 1 bad data, model or I/O; 2 bad command line; 130 interrupted.\n";

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
    T_REPOCHS
};

static const struct option TRAIN_OPTIONS[] = {
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
    {"output", required_argument, 0, 'o'},
    {"help", no_argument, 0, 'h'},
    {0, 0, 0, 0},
};

typedef struct train_args {
    cli_model_args_t model;
    cli_data_args_t data;
    lln_train_config_t tc;
    const char *init, *out, *checkpoint, *history;
    int loss_given, no_checkpoint, resume, quiet, step_epochs_given;
    lln_budget_config_t budget; /* budget_mw > 0: the energy loop */
    cli_energy_ctx_t energy;
    const char *device, *devices_file; /* --device, --devices */
    lln_devices_t db;                  /* loaded for --energy-budget-mw */
    int db_loaded;
} train_args_t;

/* ---- options -------------------------------------------------------------------------------- */

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

static void print_help(void)
{
    fputs(TRAIN_HELP_HEAD, stdout);
    fputs(CLI_MODEL_HELP, stdout);
    fputs(CLI_DATA_HELP, stdout);
    fputs(TRAIN_HELP_TRAIN, stdout);
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
    a->energy.coef = cli_energy_coeffs_find(d->target);
    if (a->energy.coef == NULL) {
        cli_error("train",
                  "--device %s: no instruction estimate for its target '%s' "
                  "(cli/energy_coeffs.c knows the targets of lln verify)",
                  d->id, d->target);
        return EXIT_FAIL;
    }
    a->energy.device = d;
    a->budget.cost = cli_energy_estimate;
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

/* 0, or the exit status (the help was printed: -1 maps to EXIT_OK). */
static int parse(int argc, char **argv, const struct option *opts, train_args_t *a)
{
    int opt;
    optind = 1;
    while ((opt = getopt_long(argc, argv, "c:i:u:m:w:o:h", opts, NULL)) != -1) {
        if (opt == 'h') {
            print_help();
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

/* ---- the model ------------------------------------------------------------------------------ */

/* A new model from the flags, sized by the data: inputs = features, outputs = targets or
 * classes (LTC / wired CfC: the motor neurons; CfC: a projection when units differ). */
static int new_model(train_args_t *a, int I, int O, lln_model_t **m)
{
    cli_model_args_t *ma = &a->model;
    lln_config_t *c = &ma->cfg;
    if (ma->inputs_given && c->input_size != I) {
        cli_error("train", "--inputs %d, but the data have %d feature columns", c->input_size, I);
        return EXIT_USAGE;
    }
    c->input_size = I;
    if (!ma->units_given && c->cell != LLN_CELL_MLP) {
        cli_error("train", "--units N (or --ncp, or --init MODEL) is required");
        return EXIT_USAGE;
    }
    if (c->cell == LLN_CELL_MLP) {
        if (!ma->proj_given)
            c->proj_size = O; /* the output layer after the hidden layers */
    } else if (c->cell == LLN_CELL_CFC || c->cell == LLN_CELL_GRU || c->cell == LLN_CELL_LSTM) {
        if (!ma->proj_given && c->units != O)
            c->proj_size = O;
    } else if (!ma->outputs_given && !ma->proj_given) {
        c->wiring.output_dim = O; /* with --proj-size, every unit feeds the projection */
    }
    lln_error_t err = {LLN_OK, ""};
    if (lln_model_create(c, ma->seed, m, &err) != LLN_OK) {
        cli_error("train", "%s", err.msg);
        return EXIT_USAGE;
    }
    char seed[32];
    snprintf(seed, sizeof seed, "%llu", ma->seed);
    if (lln_model_set_meta(*m, "train.init_seed", seed) != LLN_OK) { /* checked by --resume */
        cli_error("train", "out of memory");
        lln_model_free(*m);
        *m = NULL;
        return EXIT_FAIL;
    }
    if (lln_model_output_size(*m) != O) {
        cli_error("train",
                  "the model has %d outputs, the data need %d (check --outputs, "
                  "--ncp or --proj-size)",
                  lln_model_output_size(*m), O);
        lln_model_free(*m);
        *m = NULL;
        return EXIT_USAGE;
    }
    return 0;
}

static int get_model(train_args_t *a, const lln_dataset_t *ds, lln_model_t **m)
{
    lln_dataset_info_t in;
    lln_dataset_info(ds, &in);
    int O = in.classes > 0 ? in.classes : in.outputs;
    if (a->init == NULL)
        return new_model(a, in.inputs, O, m);
    if ((*m = cli_load_model("train", a->init)) == NULL)
        return EXIT_FAIL;
    int mi = lln_model_input_size(*m), mo = lln_model_output_size(*m);
    if (mi != in.inputs || (in.classes > 0 ? mo < O : mo != O)) {
        cli_error("train", "%s has %d inputs and %d outputs, the data %d features and %d %s",
                  a->init, mi, mo, in.inputs, O, in.classes > 0 ? "classes" : "targets");
        lln_model_free(*m);
        *m = NULL;
        return EXIT_FAIL;
    }
    return 0;
}

/* ---- progress ------------------------------------------------------------------------------ */

static volatile sig_atomic_t g_interrupted; /* set by SIGINT / SIGTERM */

static void on_signal(int sig)
{
    (void)sig;
    g_interrupted = 1;
}

typedef struct ui {
    int tty, quiet, ce;
    const char *out;
    lln_trainer_t *trainer;
    lln_model_t *scratch; /* receives the best parameters to be saved */
    double last_draw;
    int drew, save_failed;
    const lln_model_t *m;  /* the model being trained (prune lines) */
    train_history_t *hist; /* NULL without --history */
    int hist_failed;
} ui_t;

static double mono_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void fmt_time(char *b, size_t n, double s)
{
    if (!(s >= 0) || s > 1e8)
        snprintf(b, n, "?");
    else if (s >= 3600)
        snprintf(b, n, "%d:%02d:%02d", (int)(s / 3600), (int)fmod(s / 60, 60), (int)fmod(s, 60));
    else
        snprintf(b, n, "%d:%02d", (int)(s / 60), (int)fmod(s, 60));
}

/* "valid acc 0.912" / "valid loss 0.0123" (or "" before the first validation). */
static void fmt_valid(char *b, size_t n, const lln_train_progress_t *p, int ce)
{
    b[0] = '\0';
    if (!p->has_valid || isnan(p->valid_loss))
        return;
    if (ce)
        snprintf(b, n, " | valid acc %.4f loss %.4g", p->valid_accuracy, p->valid_loss);
    else
        snprintf(b, n, " | valid loss %.4g", p->valid_loss);
}

static void draw_bar(ui_t *u, const lln_train_progress_t *p)
{
    double now = mono_s();
    if (p->event == LLN_TRAIN_BATCH && now - u->last_draw < 0.1 && p->batch < p->batches)
        return;
    u->last_draw = now;
    char bar[21], valid[96], eta[32];
    int done = p->event == LLN_TRAIN_EPOCH ? p->batches : p->batch; /* of this epoch */
    int fill = p->batches > 0 ? 20 * done / p->batches : 0;
    for (int i = 0; i < 20; i++)
        bar[i] = i < fill ? '#' : '.';
    bar[20] = '\0';
    /* batches left; the rate of this run so far (an upper bound with early stopping) */
    long left = (long)(p->epochs - p->epoch) * p->batches + (p->batches - done);
    fmt_valid(valid, sizeof valid, p, u->ce);
    fmt_time(eta, sizeof eta, u->drew > 0 ? (double)left * p->seconds / u->drew : -1.0);
    fprintf(stderr, "\r\033[Kepoch %d/%d [%s] loss %.4g%s | %.0f seq/s | ETA %s", p->epoch,
            p->epochs, bar, p->loss, valid, p->samples_per_s, eta);
    (void)fflush(stderr);
}

static void epoch_line(const ui_t *u, const lln_train_progress_t *p)
{
    char valid[96], t[32];
    fmt_valid(valid, sizeof valid, p, u->ce);
    fmt_time(t, sizeof t, p->seconds);
    printf("epoch %d/%d: loss %.5g%s | best epoch %d%s | %.0f seq/s | %s\n", p->epoch, p->epochs,
           p->loss, valid, p->best_epoch, p->improved ? " (new)" : "", p->samples_per_s, t);
    (void)fflush(stdout);
}

static void save_best(ui_t *u)
{
    lln_error_t err = {LLN_OK, ""};
    if (u->trainer == NULL) /* the energy loop: its rounds' trainers are not ours */
        return;
    if (lln_trainer_best(u->trainer, u->scratch, &err) != LLN_OK ||
        lln_model_save(u->scratch, u->out, &err) != LLN_OK) {
        if (!u->save_failed)
            cli_error("train", "saving the best model: %s", err.msg);
        u->save_failed = 1;
    }
}

/* The counts after a prune step (lln_model_stats: what a device runs). */
static void prune_line(const ui_t *u, const lln_train_progress_t *p)
{
    lln_model_stats_t st;
    lln_model_stats(u->m, &st);
    if (u->tty)
        fputs("\r\033[K", stderr);
    printf("prune      epoch %d: %ld synapses removed; %ld left, %ld parameters, %ld MACs and "
           "%ld transcendentals per step\n",
           p->epoch, p->pruned, lln_sparse_synapses(u->m), st.params, st.macs, st.transcendentals);
    (void)fflush(stdout);
}

static void epoch_record(ui_t *u, const lln_train_progress_t *p)
{
    if (p->pruned_now && !u->quiet)
        prune_line(u, p);
    if (u->hist != NULL && !u->hist_failed &&
        !history_add(u->hist, p->loss, p->has_valid, p->valid_loss,
                     u->ce ? p->valid_accuracy : p->valid_mse, p->lr))
        u->hist_failed = 1;
}

static int on_progress(const lln_train_progress_t *p, void *ctx)
{
    ui_t *u = ctx;
    if (p->event == LLN_TRAIN_BATCH)
        u->drew++;
    if (p->event == LLN_TRAIN_EPOCH)
        epoch_record(u, p);
    if (p->event == LLN_TRAIN_EPOCH && p->improved)
        save_best(u);
    if (!u->quiet && u->tty)
        draw_bar(u, p);
    else if (!u->quiet && p->event == LLN_TRAIN_EPOCH)
        epoch_line(u, p);
    return g_interrupted != 0;
}

/* ---- the run ------------------------------------------------------------------------------- */

static int check_task(train_args_t *a, const lln_dataset_t *ds)
{
    lln_dataset_info_t in;
    lln_dataset_info(ds, &in);
    if (!a->loss_given)
        a->tc.loss = in.classes > 0 ? LLN_LOSS_CROSS_ENTROPY : LLN_LOSS_MSE;
    if (a->tc.loss == LLN_LOSS_CROSS_ENTROPY && in.classes == 0) {
        cli_error("train", "--loss cross-entropy needs class labels (--labels int|string)");
        return EXIT_USAGE;
    }
    if (a->tc.loss == LLN_LOSS_MSE && in.classes > 0) {
        cli_error("train", "--loss mse needs numeric targets (the data have --labels)");
        return EXIT_USAGE;
    }
    if (a->tc.monitor == LLN_MONITOR_ACCURACY && a->tc.loss != LLN_LOSS_CROSS_ENTROPY) {
        cli_error("train", "--monitor accuracy needs class labels");
        return EXIT_USAGE;
    }
    if (a->tc.monitor == LLN_MONITOR_MSE && a->tc.loss != LLN_LOSS_MSE) {
        cli_error("train", "--monitor valid_mse needs numeric targets and --loss mse");
        return EXIT_USAGE;
    }
    if (in.split_windows[LLN_TRAIN] == 0) {
        cli_error("train", "%s: no training windows (check --window, --split, --valid, --test)",
                  a->data.path);
        return EXIT_FAIL;
    }
    return 0;
}

static lln_model_t *clone(const lln_model_t *m)
{
    unsigned char *b;
    size_t n;
    lln_model_t *c = NULL;
    if (lln_model_save_mem(m, &b, &n, NULL) == LLN_OK) {
        lln_model_load_mem(b, n, "model", &c, NULL);
        free(b);
    }
    return c;
}

static void describe_model(const lln_model_t *m)
{
    lln_model_stats_t st;
    lln_model_stats(m, &st);
    const lln_config_t *c = lln_model_config(m);
    printf("model      %s, %d inputs, %d units, %d outputs, %ld trainable parameters\n",
           lln_cell_name(c->cell), lln_model_input_size(m), lln_model_state_size(m),
           lln_model_output_size(m), st.params);
}

static void report_eval(const char *what, const lln_batch_stats_t *s, int ce)
{
    if (s->count <= 0) {
        printf("%-10s no counted steps\n", what);
        return;
    }
    if (ce)
        printf("%-10s loss %.5g, accuracy %.4f (%.0f steps)\n", what, s->loss_sum / s->count,
               s->correct / s->steps, s->steps);
    else
        printf("%-10s mse %.6g (normalized %.6g), rmse %.6g (%.0f values)\n", what,
               s->sq_err_raw / s->count, s->loss_sum / s->count, sqrt(s->sq_err_raw / s->count),
               s->count);
}

static void test_split(const train_args_t *a, const lln_model_t *m, const lln_dataset_t *ds)
{
    size_t n = lln_dataset_split_windows(ds, LLN_TEST, NULL);
    if (n == 0)
        return;
    size_t *idx = malloc(n * sizeof *idx);
    lln_batch_stats_t s;
    lln_error_t err = {LLN_OK, ""};
    if (idx == NULL)
        return;
    lln_dataset_split_windows(ds, LLN_TEST, idx);
    int eb = a->tc.eval_batch > 0 ? a->tc.eval_batch : 256;
    if (lln_evaluate(m, ds, idx, n, a->tc.loss, a->tc.loss_steps, a->tc.dtype, eb, a->tc.threads,
                     NULL, &s, NULL, &err) == LLN_OK)
        report_eval("test", &s, a->tc.loss == LLN_LOSS_CROSS_ENTROPY);
    else
        cli_error("train", "test evaluation: %s", err.msg);
    free(idx);
}

static void record_result(lln_model_t *m, const lln_train_progress_t *p)
{
    char v[64];
    snprintf(v, sizeof v, "%d", p->best_epoch > 0 ? p->epoch : 0);
    lln_model_set_meta(m, "trained.epochs", v);
    snprintf(v, sizeof v, "%d", p->best_epoch);
    lln_model_set_meta(m, "trained.best_epoch", v);
    if (p->best_epoch > 0) {
        snprintf(v, sizeof v, "%.9g", p->best_metric);
        lln_model_set_meta(m, "trained.best_metric", v);
    }
}

static struct sigaction g_old_int, g_old_term;

static void catch_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sa.sa_flags = (int)SA_RESETHAND; /* a second Ctrl-C ends the process at once */
    sigemptyset(&sa.sa_mask);
    g_interrupted = 0;
    sigaction(SIGINT, &sa, &g_old_int);
    sigaction(SIGTERM, &sa, &g_old_term);
}

static void release_signals(const ui_t *u)
{
    sigaction(SIGINT, &g_old_int, NULL);
    sigaction(SIGTERM, &g_old_term, NULL);
    if (!u->quiet && u->tty)
        fputc('\n', stderr);
}

/* Runs the trainer with signals caught; 0, 130 when interrupted, or 1. */
static int run_trainer(lln_trainer_t *t, ui_t *u)
{
    lln_error_t err = {LLN_OK, ""};
    catch_signals();
    lln_status_t st = lln_trainer_run(t, &err);
    release_signals(u);
    if (st != LLN_OK) {
        cli_error("train", "%s", err.msg);
        return EXIT_FAIL;
    }
    return g_interrupted ? EXIT_INTERRUPTED : 0;
}

/* --history: "# model=" is the model's name, else the output file's stem. */
static int open_history(const train_args_t *a, ui_t *u, train_history_t *h, int keep_upto)
{
    if (a->history == NULL)
        return 0;
    const char *name = lln_model_get_meta(u->m, "name"), *slash = strrchr(a->out, '/');
    char stem[256];
    if (name == NULL) {
        snprintf(stem, sizeof stem, "%s", slash ? slash + 1 : a->out);
        char *dot = strrchr(stem, '.');
        if (dot != NULL && dot != stem)
            *dot = '\0';
        name = stem;
    }
    if (!history_open(h, a->history, name, u->ce, keep_upto))
        return EXIT_FAIL;
    u->hist = h;
    return 0;
}

/* --seed is the initialisation seed, which the trainer's settings do not hold: the model
 * records it (train.init_seed) and a resume must give the same. 0 or the exit status. */
static int same_init_seed(const lln_model_t *m, const char *ckpt)
{
    const char *now = lln_model_get_meta(m, "train.init_seed");
    lln_model_t *c = cli_load_model("train", ckpt);
    if (c == NULL)
        return EXIT_FAIL;
    const char *then = lln_model_get_meta(c, "train.init_seed");
    int same = (now == NULL) == (then == NULL) && (now == NULL || strcmp(now, then) == 0);
    if (!same)
        cli_error("train", "--resume: %s was made with --seed %s, this run has %s (resume with "
                  "the same settings)", ckpt, then ? then : "(none: --init)",
                  now ? now : "--init (no --seed)");
    lln_model_free(c);
    return same ? 0 : EXIT_USAGE;
}

/* The trainer, resumed from ckpt with --resume; 0 or the exit status. */
static int make_trainer(train_args_t *a, lln_model_t *m, const lln_dataset_t *ds, const char *ckpt,
                        ui_t *u)
{
    lln_error_t err = {LLN_OK, ""};
    if (u->scratch == NULL || lln_trainer_create(m, ds, &a->tc, &u->trainer, &err) != LLN_OK) {
        cli_error("train", "%s", u->scratch ? err.msg : "out of memory");
        return EXIT_FAIL;
    }
    if (!a->resume)
        return 0;
    if (ckpt == NULL) {
        cli_error("train", "--resume needs a checkpoint (not --no-checkpoint)");
        return EXIT_USAGE;
    }
    if (lln_trainer_load_checkpoint(u->trainer, ckpt, &err) != LLN_OK) {
        cli_error("train", "--resume: %s%s", err.code == LLN_E_IO ? "no checkpoint: " : "",
                  err.msg);
        return EXIT_FAIL;
    }
    return same_init_seed(m, ckpt);
}

static int train_plain(train_args_t *a, lln_model_t *m, const lln_dataset_t *ds, const char *ckpt,
                       ui_t *u, train_history_t *h)
{
    a->tc.checkpoint = ckpt;
    int rc = make_trainer(a, m, ds, ckpt, u);
    lln_train_progress_t p;
    memset(&p, 0, sizeof p);
    if (rc == 0) {
        lln_trainer_status(u->trainer, &p);
        rc = open_history(a, u, h, a->resume ? (p.batch > 0 ? p.epoch - 1 : p.epoch) : -1);
    }
    if (rc == 0) {
        if (a->resume)
            printf("resume     %s: epoch %d, batch %d of %d\n", ckpt, p.epoch, p.batch, p.batches);
        printf("training   %d epochs of %d batches, %d thread%s\n", a->tc.epochs, p.batches,
               p.threads, p.threads == 1 ? "" : "s");
        (void)fflush(stdout);
        rc = run_trainer(u->trainer, u);
        lln_trainer_status(u->trainer, &p);
        record_result(m, &p);
        if ((rc == 0 || p.best_epoch > 0 || rc == EXIT_INTERRUPTED) &&
            !cli_save_model("train", m, a->out))
            rc = EXIT_FAIL;
    }
    if (rc == 0 || rc == EXIT_INTERRUPTED) {
        printf("best       epoch %d of %d", p.best_epoch, p.epoch);
        if (p.has_valid && p.best_epoch > 0)
            printf(": valid %s %.6g",
                   a->tc.monitor == LLN_MONITOR_MSE                  ? "mse (data units)"
                   : u->ce && a->tc.monitor != LLN_MONITOR_LOSS ? "accuracy"
                                                                     : "loss",
                   p.best_metric);
        printf("\nwrote      %s%s%s\n", a->out, ckpt ? " and " : "", ckpt ? ckpt : "");
    }
    return rc;
}

/* ---- the energy loop ------------------------------------------------------------------------ */

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
    return g_interrupted != 0;
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

static int train_budget(train_args_t *a, lln_model_t *m, const lln_dataset_t *ds, ui_t *u,
                        train_history_t *h)
{
    budget_ui_t b = {u, 0};
    lln_budget_round_t last;
    lln_error_t err = {LLN_OK, ""};
    int rc = check_floor(a, m);
    if (rc == 0)
        rc = open_history(a, u, h, -1);
    if (rc != 0)
        return rc;
    a->tc.checkpoint = NULL;
    a->budget.on_round = on_round;
    a->budget.round_ctx = &b;
    printf("round     pruned  synapses    params      MACs  transc  %-9s   power mW  fits\n",
           u->ce ? "accuracy" : "mse");
    (void)fflush(stdout);
    catch_signals();
    lln_status_t st = lln_train_to_budget(m, ds, &a->tc, &a->budget, &last, &err);
    release_signals(u);
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
    if (g_interrupted)
        return EXIT_INTERRUPTED;
    printf("energy     %s: %.4g mW at %g Hz with %ld synapses, %s %.5g (round %d)\n",
           last.within ? "within budget" : "NOT within budget", last.mw, a->energy.rate_hz,
           last.synapses, u->ce ? "accuracy" : "mse", last.metric, last.round);
    (void)fflush(stdout);
    cli_energy_measure(&a->energy, m, ds, last.mw, a->budget.budget_mw);
    return last.within ? 0 : EXIT_FAIL;
}

static int train_model(train_args_t *a, lln_model_t *m, const lln_dataset_t *ds, const char *ckpt)
{
    ui_t u;
    memset(&u, 0, sizeof u);
    u.tty = isatty(STDERR_FILENO);
    u.quiet = a->quiet;
    u.ce = a->tc.loss == LLN_LOSS_CROSS_ENTROPY;
    u.out = a->out;
    u.scratch = clone(m);
    u.m = m;
    train_history_t h;
    memset(&h, 0, sizeof h);
    a->tc.progress = on_progress;
    a->tc.progress_ctx = &u;
    int rc = a->budget.budget_mw > 0 ? train_budget(a, m, ds, &u, &h)
                                     : train_plain(a, m, ds, ckpt, &u, &h);
    if (rc == 0 && u.hist_failed)
        rc = EXIT_FAIL;
    if (rc == EXIT_INTERRUPTED)
        printf("interrupted: continue with the same command and --resume\n");
    else if (rc == 0)
        test_split(a, m, ds);
    if (rc == 0 && a->history != NULL)
        printf("history    %s\n", a->history);
    history_free(&h);
    lln_trainer_free(u.trainer);
    lln_model_free(u.scratch);
    a->tc.progress_ctx = NULL; /* u ends here */
    return rc;
}

/* Group lasso and pruning need masks: refused for dense CfC before any work. */
static int check_model_sparse(const train_args_t *a, const lln_model_t *m)
{
    lln_error_t err = {LLN_OK, ""};
    double prune = a->tc.prune_threshold > 0 || a->budget.budget_mw > 0 ? 1.0 : 0.0;
    if (lln_sparse_check(m, a->tc.optim.group_lasso, prune, &err) == LLN_OK)
        return 0;
    cli_error("train", "%s", err.msg);
    return EXIT_USAGE;
}

static int run(train_args_t *a)
{
    lln_dataset_t *ds = NULL;
    lln_model_t *m = NULL;
    int rc = cli_data_load("train", &a->data, 1, &ds);
    if (rc == 0)
        rc = check_task(a, ds);
    if (rc == 0)
        rc = get_model(a, ds, &m);
    if (rc == 0)
        rc = check_model_sparse(a, m);
    if (rc == 0 && a->data.norm_mode < 0)
        a->data.norm_mode = a->init != NULL ? 1 : 0;
    if (rc == 0)
        rc = cli_data_norm("train", &a->data, ds, m);
    if (rc == 0 && a->model.name != NULL)
        lln_model_set_meta(m, "name", a->model.name);
    if (rc == 0)
        rc = cli_task_meta_store("train", m, &a->data, ds, a->tc.loss, a->tc.loss_steps);
    char *ckpt = NULL;
    if (rc == 0 && !a->no_checkpoint) {
        const char *c = a->checkpoint;
        size_t n = c ? strlen(c) + 1 : strlen(a->out) + 6;
        ckpt = malloc(n);
        if (ckpt != NULL)
            snprintf(ckpt, n, "%s%s", c ? c : a->out, c ? "" : ".ckpt");
    }
    if (rc == 0) {
        cli_data_describe(ds, a->data.path);
        describe_model(m);
        rc = train_model(a, m, ds, ckpt);
    }
    free(ckpt);
    lln_model_free(m);
    lln_dataset_free(ds);
    return rc;
}

int cmd_train(int argc, char **argv)
{
    struct option opts[160];
    const struct option *tables[] = {CLI_MODEL_OPTIONS, CLI_DATA_OPTIONS, TRAIN_OPTIONS};
    if (!cli_options_join(opts, sizeof opts / sizeof opts[0], tables, 3))
        return EXIT_FAIL;
    int n = 0, code = 0;
    char **av = cli_args_expand("train", argc, argv, opts, NULL, &n, &code);
    if (av == NULL)
        return code;
    train_args_t a;
    memset(&a, 0, sizeof a);
    lln_cell_kind_t cell;
    int rc = cli_model_find_cell("train", n, av, &cell) ? 0 : EXIT_USAGE;
    cli_model_args_init(&a.model, cell);
    cli_data_args_init(&a.data);
    lln_train_config_default(&a.tc);
    lln_budget_config_default(&a.budget);
    if (rc == 0)
        rc = parse(n, av, opts, &a);
    if (rc == 0)
        rc = run(&a);
    if (a.db_loaded)
        lln_devices_free(&a.db);
    cli_data_args_free(&a.data);
    cli_args_free(av, n);
    return rc < 0 ? EXIT_OK : rc;
}
