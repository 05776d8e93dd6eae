/* Shared pieces of the lln command line: exit codes, messages, number parsing. */
#ifndef LLN_CLI_H
#define LLN_CLI_H

#include <stdio.h>

#include "lln/model.h"

/* Exit codes (documented in `lln --help` and docs/CLI.md). */
enum {
    EXIT_OK = 0,
    EXIT_FAIL = 1, /* the command could not do its job: bad input data, model, I/O */
    EXIT_USAGE = 2 /* bad command line */
};

/* Prints "lln CMD: message" to stderr. */
void cli_error(const char *cmd, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3))) /* Flawfinder: ignore (format attribute, not a call) */
#endif
    ;

/* Prints "lln CMD: <usage hint>" for an unknown/invalid option and returns EXIT_USAGE. */
int cli_usage_error(const char *cmd);

/* "--NAME" of the long option whose val is val in opts (getopt_long's table, ended by a NULL
 * name), or "--?" when none has it: how a command's messages name the option at fault. */
struct option;
void cli_option_label(const struct option *opts, int val, char *buf, size_t n);

/* Strict parsers: whole string, in range; on failure print what is wrong and return 0. */
int cli_parse_int(const char *cmd, const char *opt, const char *s, long lo, long hi, long *out);
int cli_parse_double(const char *cmd, const char *opt, const char *s, double *out);

/* lln_config_set printing its message as "lln CMD: [OPT: ]message"; returns 1 on success. */
int cli_config_set(const char *cmd, const char *opt, lln_config_t *cfg, const char *key,
                   const char *value);

/* Loads a model file, printing the loader's message on failure. NULL on failure. */
lln_model_t *cli_load_model(const char *cmd, const char *path);

/* Saves atomically, printing the message on failure; returns 1 on success. */
int cli_save_model(const char *cmd, const lln_model_t *m, const char *path);

/* A sequence of inputs (steps x inputs, row-major) and per-step elapsed times. */
typedef struct {
    int steps, inputs;
    float *x, *dt;
} seq_t;
/* Deterministic test sequence: smooth inputs, saturating values every 7th step, irregular Δt. */
int cli_gen_sequence(seq_t *s, int steps, int inputs);
/* Reads a CSV (header; numeric rows; optional 'dt' column), printing problems as "lln CMD:". */
int cli_read_sequence(const char *cmd, seq_t *s, const char *path, int inputs);

int cmd_new(int argc, char **argv);
int cmd_info(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_import_ncps(int argc, char **argv);
int cmd_export(int argc, char **argv);
int cmd_verify(int argc, char **argv);
int cmd_quantize(int argc, char **argv);
int cmd_data(int argc, char **argv);
int cmd_train(int argc, char **argv);
int cmd_eval(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_plot(int argc, char **argv);
int cmd_profile(int argc, char **argv);
int cmd_doctor(int argc, char **argv);
int cmd_setup_toolchains(int argc, char **argv);
int cmd_compare(int argc, char **argv);
int cmd_sim(int argc, char **argv);
int cmd_search(int argc, char **argv);

#endif
