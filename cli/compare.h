/* Pieces of `lln compare` (cmd_compare.c): child `lln` processes, model sizing, the profile
 * reader and the output table. Internal to the CLI. */
#ifndef LLN_CLI_COMPARE_H
#define LLN_CLI_COMPARE_H

#include <stdio.h>

#include "lln/data.h"
#include "lln/model.h"

#define CMP_MAX_MODELS 8
#define CMP_MAX_ARGS 160
#define CMP_PATH 1024

/* One row of the comparison: what was trained and what it costs. */
typedef struct cmp_row {
    char kind[16];      /* ltc, cfc, gru, lstm, mlp */
    int units;          /* the size chosen */
    long params;        /* trainable scalars */
    double valid, test; /* task metric of the deployed runtime (valid picks sizes) */
    int reached;        /* --match accuracy: 1 when the target was reached */
    double instr, cycles, latency_us, energy_uj, power_mw;
    long flash, ram;
    int fits;
    char history[CMP_PATH]; /* training-history CSV */
    char model[CMP_PATH];   /* the deployed model file */
} cmp_row_t;

/* A growing argument vector for a child process (strings are copied). */
typedef struct cmp_argv {
    char *v[CMP_MAX_ARGS + 1];
    int n;
} cmp_argv_t;

void cmp_argv_add(cmp_argv_t *a, const char *s);
void cmp_argv_free(cmp_argv_t *a);

/* This program, as the first argument of a child's vector (Linux). */
#define CMP_SELF "/proc/self/exe"

/* Runs the vector (its first entry CMP_SELF), its stdout and stderr going to log.
 * 0 on exit status 0; otherwise prints "lln compare: WHAT failed (...), see LOG" and the log's
 * last lines, and returns 1. */
int cmp_run_child(const cmp_argv_t *a, const char *log, const char *what);

/* The configuration `lln compare` uses for kind with units u, I inputs and O outputs
 * (LTC and CfC with an AutoNCP wiring, as ncps's CfC(in, AutoNCP(u, O)); GRU, LSTM with
 * u units and an output layer; the MLP with u hidden units over a window of 8 input rows).
 * 0 and a valid cfg, or 1 when that size is not possible for the kind. */
int cmp_config(const char *kind, int u, int I, int O, lln_config_t *cfg);

/* Trainable parameters of kind at size u (-1 when not possible). */
long cmp_params(const char *kind, int u, int I, int O);

/* The size of kind whose parameter count is closest to target (ties: the smaller). 0 when no
 * size between 2 and 512 units is possible. */
int cmp_units_for(const char *kind, long target, int I, int O);

/* Checks that the device (and sleep mode, NULL: its default) exist in the database (file, or
 * the built-in one when NULL). 0, or 1 after printing the problem. */
int cmp_check_device(const char *file, const char *id, const char *sleep);

/* The float model's metric on one split of ds (accuracy when classify, else MSE in the
 * data's units), computed in this process as lln train evaluates. 0, or 1 (printed). */
int cmp_float_metric(const lln_dataset_t *ds, int classify, const lln_model_t *m, lln_split_t split,
                     double *v);

/* Reads the first device of a `lln profile --json` file into the row. 0 or 1 (printed). */
int cmp_read_profile(const char *path, cmp_row_t *r);

/* The table, and the JSON (results schema "compare"; file paths in the folder base are
 * written relative to it, NULL: as they are). */
void cmp_print_table(FILE *f, const cmp_row_t *rows, int n, const char *metric, const char *device,
                     double rate);
int cmp_write_json(const char *path, const cmp_row_t *rows, int n, const char *data,
                   const char *metric, const char *device, double rate, const char *match,
                   const char *base);

#endif
