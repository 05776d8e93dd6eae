/* lln train's pieces (cli/cmd_train.c is the command; see there): the options and their help
 * (train_options.c, train_help.c), the progress display (train_progress.c), Ctrl-C handling
 * (train_signals.c) and the energy-budget mode (train_budget.c). Internal to the CLI. */
#ifndef LLN_CLI_TRAIN_CLI_H
#define LLN_CLI_TRAIN_CLI_H

#include <getopt.h>

#include "data_flags.h"
#include "energy_estimate.h"
#include "lln/sparse.h"
#include "lln/train.h"
#include "model_flags.h"
#include "train_history.h"

#define EXIT_INTERRUPTED 130 /* Ctrl-C or SIGTERM: the checkpoint was written */

typedef struct train_args {
    cli_model_args_t model;
    cli_data_args_t data;
    lln_train_config_t tc;
    const char *init, *out, *checkpoint, *history;
    int loss_given, no_checkpoint, resume, quiet, step_epochs_given;
    lln_budget_config_t budget; /* budget_mw > 0: the energy loop */
    lln_energy_ctx_t energy;
    const char *device, *devices_file; /* --device, --devices */
    lln_devices_t db;                  /* loaded for --energy-budget-mw */
    int db_loaded;
} train_args_t;

/* The progress display's state, shared by the plain and the energy-budget loops. */
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
    int no_write; /* an MPI rank other than 0: rank 0 writes the files */
} ui_t;

/* The options of lln train proper (the model and data options come from model_flags.h and
 * data_flags.h). */
extern const struct option TRAIN_OPTIONS[];
/* Prints lln train --help. */
void train_print_help(void);
/* Parses argv (opts: all three tables joined) into a. 0, -1 after --help, or the exit status
 * after a message. */
int train_parse(int argc, char **argv, const struct option *opts, train_args_t *a);

/* lln_trainer_progress_fn of the plain loop: the bar or epoch lines, history rows, the best
 * model saved when it improves; stops the trainer once interrupted. ctx: the ui_t. */
int train_on_progress(const lln_train_progress_t *p, void *ctx);

/* SIGINT / SIGTERM set a flag while caught (a second one ends the process). */
void train_catch_signals(void);
void train_release_signals(const ui_t *u);
int train_interrupted(void);
/* Runs the trainer with signals caught; 0, EXIT_INTERRUPTED or EXIT_FAIL after a message. */
int train_run_trainer(lln_trainer_t *t, ui_t *u);

/* --history for this run (keep_upto: see history_open); 0 or the exit status. */
int train_open_history(const train_args_t *a, ui_t *u, train_history_t *h, int keep_upto);

/* --energy-budget-mw: prune and retrain in rounds until the estimate fits. 0, or the exit
 * status (EXIT_FAIL also when the budget was not reached). */
int train_budget(train_args_t *a, lln_model_t *m, const lln_dataset_t *ds, ui_t *u,
                 train_history_t *h);

#endif
