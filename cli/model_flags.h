/* The flags that describe a model's structure, shared by `lln new` and `lln train`. Every
 * flag becomes a configuration key (lln_config_set), so the CLI, model files and config files
 * share one validation path. */
#ifndef LLN_CLI_MODEL_FLAGS_H
#define LLN_CLI_MODEL_FLAGS_H

#include <getopt.h>

#include "lln/model.h"

/* Option values: short letters c, i, u, m, w and the range below. */
enum { CLI_MODEL_OPT_FIRST = 300, CLI_MODEL_OPT_LAST = 330 };

typedef struct cli_model_args {
    lln_config_t cfg;
    int wiring_given, inputs_given, outputs_given, units_given, proj_given;
    unsigned long long seed; /* parameter initialisation (--seed) */
    const char *name;        /* --name */
} cli_model_args_t;

/* The long options (terminated by a zero entry) and their lines of --help text. */
extern const struct option CLI_MODEL_OPTIONS[];
extern const char CLI_MODEL_HELP[];

/* Finds --cell / -c in argv (the cell selects the defaults every other flag starts from). */
int cli_model_find_cell(const char *cmd, int argc, char **argv, lln_cell_kind_t *cell);

/* Defaults for the cell; seed 1. */
void cli_model_args_init(cli_model_args_t *a, lln_cell_kind_t cell);

/* Applies one model option: 1 done, 0 invalid (message printed), -1 not a model option. */
int cli_model_option(const char *cmd, cli_model_args_t *a, int opt, const char *arg);

#endif
