/* lln train: trains a model on a CSV log (lln/train.h over lln/data.h).
 *
 * The model comes from the same flags as `lln new` or from --init MODEL; inputs and outputs
 * follow the data. Options may also come from --config FILE (argfile.h). Ctrl-C finishes the
 * running batch, writes the checkpoint and the best model so far, and exits with 130; the
 * same command with --resume then continues to exactly the model an uninterrupted run gives.
 * The best model is written (atomically) after every epoch that improves it, so a kill at any
 * moment leaves a loadable model and checkpoint behind. Here: the model, the trainer and the
 * run; the options, help, progress display, signals and the energy-budget mode are in the
 * train_*.c files beside this one (train_cli.h). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "argfile.h"
#include "cli.h"
#include "dist.h"
#include "lln/format.h"
#include "lln/sparse.h"
#include "os.h"
#include "task_meta.h"
#include "train_cli.h"

/* ---- the model ------------------------------------------------------------------------------ */

/* A new model from the flags, sized by the data: inputs = features, outputs = targets or
 * classes (LTC / wired CfC: the motor neurons, or an LTC's dense readout; CfC: a projection
 * when units differ). */
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
    } else {
        if (c->readout == LLN_READOUT_DENSE && !ma->proj_given)
            c->proj_size = O; /* the dense readout's rows: one per target or class */
        if (!ma->outputs_given && !ma->proj_given)
            c->wiring.output_dim = O;
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
    if (a->tc.drop_last && in.split_windows[LLN_TRAIN] > 0 &&
        in.split_windows[LLN_TRAIN] < (size_t)a->tc.batch_size) {
        cli_error("train", "--drop-last: the %zu training windows make no full batch of --batch %d",
                  in.split_windows[LLN_TRAIN], a->tc.batch_size);
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

/* --history: "# model=" is the model's name, else the output file's stem. */
int train_open_history(const train_args_t *a, ui_t *u, train_history_t *h, int keep_upto)
{
    if (a->history == NULL || u->no_write)
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
        cli_error("train",
                  "--resume: %s was made with --seed %s, this run has %s (resume with "
                  "the same settings)",
                  ckpt, then ? then : "(none: --init)", now ? now : "--init (no --seed)");
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
        rc = train_open_history(a, u, h, a->resume ? (p.batch > 0 ? p.epoch - 1 : p.epoch) : -1);
    }
    if (rc == 0) {
        if (a->resume)
            printf("resume     %s: epoch %d, batch %d of %d\n", ckpt, p.epoch, p.batch, p.batches);
        if (a->tc.dist != NULL)
            printf("training   %d epochs of %d batches, %d processes x %d thread%s = %d workers\n",
                   a->tc.epochs, p.batches, a->tc.dist->ranks, p.threads, p.threads == 1 ? "" : "s",
                   a->tc.dist->ranks * p.threads);
        else
            printf("training   %d epochs of %d batches, %d thread%s\n", a->tc.epochs, p.batches,
                   p.threads, p.threads == 1 ? "" : "s");
        (void)fflush(stdout);
        long step0 = p.step;
        rc = train_run_trainer(u->trainer, u);
        lln_trainer_status(u->trainer, &p);
        cli_dist_report("train", p.step - step0);
        record_result(m, &p);
        if ((rc == 0 || p.best_epoch > 0 || rc == EXIT_INTERRUPTED) && !u->no_write &&
            !cli_save_model("train", m, a->out))
            rc = EXIT_FAIL;
    }
    if (rc == 0 || rc == EXIT_INTERRUPTED) {
        printf("best       epoch %d of %d", p.best_epoch, p.epoch);
        if (p.has_valid && p.best_epoch > 0)
            printf(": valid %s %.6g",
                   a->tc.monitor == LLN_MONITOR_MSE             ? "mse (data units)"
                   : u->ce && a->tc.monitor != LLN_MONITOR_LOSS ? "accuracy"
                                                                : "loss",
                   p.best_metric);
        printf("\nwrote      %s%s%s\n", a->out, ckpt ? " and " : "", ckpt ? ckpt : "");
    }
    return rc;
}

static int train_model(train_args_t *a, lln_model_t *m, const lln_dataset_t *ds, const char *ckpt)
{
    ui_t u;
    memset(&u, 0, sizeof u);
    u.tty = cli_is_tty(stderr);
    u.quiet = a->quiet;
    u.ce = a->tc.loss == LLN_LOSS_CROSS_ENTROPY;
    u.out = a->out;
    u.scratch = clone(m);
    u.m = m;
    u.no_write = a->tc.dist != NULL && a->tc.dist->rank != 0;
    train_history_t h;
    memset(&h, 0, sizeof h);
    a->tc.progress = train_on_progress;
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
        rc = train_parse(n, av, opts, &a);
    cli_dist_t dist;
    int started = rc == 0 && (rc = cli_dist_start("train", &dist)) == 0;
    if (started && dist.ranks > 1) {
        a.tc.dist = &dist.lib;
        if (a.budget.budget_mw > 0) {
            cli_error("train", "--energy-budget-mw runs on one process (use lln, not lln-mpi)");
            rc = EXIT_USAGE;
        }
    }
    if (rc == 0)
        rc = run(&a);
    if (a.db_loaded)
        lln_devices_free(&a.db);
    cli_data_args_free(&a.data);
    cli_args_free(av, n);
    rc = rc < 0 ? EXIT_OK : rc;
    return started ? cli_dist_finish("train", rc, 0) : rc;
}
