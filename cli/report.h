/* Result files of lln report / lln plot (docs/CLI.md, "Result files"): training histories
 * (CSV of lln train --history), profiles (JSON of lln profile --json), comparisons (JSON
 * of lln compare --json) and timing studies (JSON of scripts/timing_study.sh), loaded and
 * checked field by field; and the figures drawn from them, shared by the HTML page and the
 * SVG files. */
#ifndef LLN_CLI_REPORT_H
#define LLN_CLI_REPORT_H

#include "lln/util.h"

/* A training history: one row per epoch; NaN where a field is empty (no validation). */
typedef struct rep_history {
    char *path, *name;
    char *metric; /* "accuracy", "mse" or "" (not said by a '# metric=' line) */
    int n;
    double *epoch, *train_loss, *valid_loss, *valid_metric, *lr, *seconds;
} rep_history_t;

/* One device of a profile. */
typedef struct rep_device {
    char *device, *core, *target, *sleep_mode;
    int emulated, fits;
    int within_budget; /* -1: null */
    double clock_mhz, instructions_per_step, cpi, cycles_per_step, latency_us;
    double energy_per_step_uj, rate_hz, avg_power_mw, max_rate_hz;
    double flash_bytes, ram_bytes, flash_capacity, ram_capacity;
    double budget_mw; /* NaN: null */
    char **sources, **notes;
    int nsources, nnotes;
} rep_device_t;

typedef struct rep_profile {
    char *path, *model, *name, *cell, *runtime;
    double params;
    rep_device_t *dev;
    int ndev;
} rep_profile_t;

/* One model of a comparison. */
typedef struct rep_row {
    char *model;
    char *history; /* NULL: null */
    double params, metric_value, flash_bytes, ram_bytes, cycles_per_step, energy_per_step_uj;
    double avg_power_mw;
    int pareto; /* set by rep_pareto */
} rep_row_t;

typedef struct rep_compare {
    char *path, *data, *task, *metric, *device, *match;
    double rate_hz;
    rep_row_t *rows;
    int nrows;
} rep_compare_t;

/* A timing study (scripts/timing_study.sh): per task, cell and deployed timing column, the
 * closed-loop success rate over the seeds (mean, lowest and highest seed). */
typedef struct rep_timing_row {
    char *task, *cell, *column, *timing;
    double params, seeds, episodes, mean, min, max;
} rep_timing_row_t;

typedef struct rep_timing {
    char *path;
    char **col_name, **col_title, **col_axis; /* the columns, in order */
    int ncol;
    rep_timing_row_t *rows;
    int nrows;
} rep_timing_t;

typedef struct rep_results {
    rep_history_t *hist;
    rep_profile_t *prof;
    rep_compare_t *cmp;
    rep_timing_t *tim;
    int nhist, nprof, ncmp, ntim;
} rep_results_t;

/* Loads one result file (the kind is told by its content: JSON with "lln_result", or a CSV
 * with the history header). On a problem prints "lln CMD: FILE: ..." naming the field (or
 * line and column) and returns 0; r then holds what was read and is freed by rep_free. */
int rep_load(const char *cmd, rep_results_t *r, const char *path);
/* Loads the histories named by the comparisons' rows that are not loaded yet (a relative
 * name is relative to the comparison's folder); a missing one is a note on stderr, a bad
 * one an error (returns 0). */
int rep_load_linked(const char *cmd, rep_results_t *r);
/* Clears r and loads paths[0..n), the linked histories, and marks the Pareto fronts. */
int rep_load_all(const char *cmd, rep_results_t *r, char *const *paths, int n);
void rep_free(rep_results_t *r);

/* Marks the rows of each comparison on the Pareto front: no other row has lower or equal
 * energy and a better or equal metric (higher accuracy, lower MSE), one of them strictly. */
void rep_pareto(rep_results_t *r);

/* Scales: -1 auto (log when all values are positive and span more than 20x), 0 linear,
 * 1 log. */
typedef struct rep_opts {
    int energy_log, loss_log;
    int xml_decl; /* standalone SVG files */
} rep_opts_t;

/* One figure: its name (the file stem of lln plot, the id in the page), its SVG text, and
 * an HTML table of its numbers (NULL for none). */
typedef struct rep_figure {
    char name[64];
    char *svg, *table;
} rep_figure_t;

/* Draws every figure the results allow; returns the count (0 on out of memory, with
 * *figs NULL; a failed scale choice, e.g. a forced log scale over a value <= 0, prints a
 * message and returns -1). */
int rep_figures(const char *cmd, const rep_results_t *r, const rep_opts_t *o, rep_figure_t **figs);
void rep_figures_free(rep_figure_t *figs, int n);

/* Parses "auto", "linear" or "log" for OPT; 0 and a message when it is none of them. */
int rep_parse_scale(const char *cmd, const char *opt, const char *v, int *scale);

#endif
