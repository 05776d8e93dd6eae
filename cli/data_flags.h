/* Data options shared by `lln train` and `lln eval`: which columns mean what, windows,
 * splits and normalization, mapped onto lln/data.h. */
#ifndef LLN_CLI_DATA_FLAGS_H
#define LLN_CLI_DATA_FLAGS_H

#include <getopt.h>

#include "lln/data.h"

/* Option values of the data options: CLI_DATA_OPT_FIRST .. CLI_DATA_OPT_LAST. */
enum { CLI_DATA_OPT_FIRST = 400, CLI_DATA_OPT_LAST = 440 };

/* cli_data_args_t.from_model: which column choices are the model's (cli_task_meta_apply) */
enum {
    CLI_FROM_MODEL_FEATURES = 1u << 0,
    CLI_FROM_MODEL_TARGETS = 1u << 1,
    CLI_FROM_MODEL_SEQUENCE = 1u << 2,
    CLI_FROM_MODEL_SPLIT = 1u << 3,
    CLI_FROM_MODEL_TIME = 1u << 4,
    CLI_FROM_MODEL_DT = 1u << 5
};
#define CLI_MAX_NAMED_SEQ 64 /* --valid-sequence / --test-sequence given at most this often */

/* What a text list option (features, targets, ignore) holds after parsing. */
typedef struct cli_list {
    char *buf;          /* the copied text, cut at commas */
    const char **names; /* pointers into buf */
    int n;
} cli_list_t;

typedef struct cli_data_args {
    const char *path; /* --data */
    cli_list_t features, targets, ignore;
    const char *sequence, *split_column, *time, *dt;
    double time_scale, dt_default;
    lln_label_kind_t labels;
    int classes, target_shift;
    /* windows */
    const char *windows_file, *win_sequence, *win_start, *win_length, *win_split;
    int window, stride;
    lln_tail_t tail;
    /* splits */
    int split_method; /* -1: auto */
    double valid, test;
    unsigned long long split_seed;
    const char *valid_seq[CLI_MAX_NAMED_SEQ], *test_seq[CLI_MAX_NAMED_SEQ];
    int nvalid_seq, ntest_seq;
    /* normalization: mode 0 fit, 1 keep (the model's own), 2 none; -1: the command decides */
    int norm_mode;
    unsigned norm_splits; /* bit mask of lln_split_t */
    lln_norm_rows_t norm_rows;
    int target_norm; /* 1: fit the output normalization of regression targets too */
    /* what the model's metadata supplied and this struct owns (cli_data_args_free frees it) */
    cli_list_t model_seq[2]; /* the valid and test sequence names */
    char *model_windows;     /* the windows file found beside the data */
    /* which were given (lln eval takes the others from the model's metadata) */
    int given_features, given_targets, given_sequence, given_time, given_dt, given_scale,
        given_labels, given_window, given_stride, given_split, given_valid, given_test,
        given_split_seed, given_split_column, given_dt_default, given_tail, given_windows,
        given_named_seq, given_target_shift;
    unsigned from_model; /* CLI_FROM_MODEL_* of the choices taken from the model's records */
} cli_data_args_t;

extern const struct option CLI_DATA_OPTIONS[];
extern const char CLI_DATA_HELP[];

void cli_data_args_init(cli_data_args_t *a);
void cli_data_args_free(cli_data_args_t *a);

/* Applies one data option: 1 done, 0 invalid (message printed), -1 not a data option. */
int cli_data_option(const char *cmd, cli_data_args_t *a, int opt, const char *arg);

/* Splits "a,b,c" into l (replacing what it held); 0 on an empty name. */
int cli_list_parse(const char *cmd, const char *opt, cli_list_t *l, const char *text);

/* Reads the file and makes the windows. `split`: 1 to assign splits (the training protocol),
 * 0 to leave them as the file or window list gives them. Returns 0 and sets *ds, or the exit
 * status after printing the problem (1: the data are bad, 2: the options are). */
int cli_data_load(const char *cmd, const cli_data_args_t *a, int split, lln_dataset_t **ds);

/* Prints "data  FILE: R rows, S sequences, I features, ..." lines (windows per split). */
void cli_data_describe(const lln_dataset_t *ds, const char *path);

/* Fits the normalization the options ask for on ds and stores it in m (mode fit), or leaves
 * m's (keep) or sets the identity (none). 0 or the exit status. */
int cli_data_norm(const char *cmd, const cli_data_args_t *a, const lln_dataset_t *ds,
                  lln_model_t *m);

#endif
