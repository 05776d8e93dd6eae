/* Pieces of `lln search` (cmd_search.c: options; search_space.c: the candidates;
 * search_run.c: the stages). Internal to the CLI. Not "search.h": that is the C library's
 * <search.h>, which cli/ on the include path would shadow. */
#ifndef LLN_CLI_BUDGET_SEARCH_H
#define LLN_CLI_BUDGET_SEARCH_H

#include "compare.h"
#include "data_flags.h"
#include "dist.h"

#define SRCH_MAX 256 /* candidates */

typedef struct srch_args {
    cli_data_args_t data;
    cmp_argv_t data_argv;  /* the data options as given, for the children */
    cmp_argv_t train_argv; /* --threads, --batch, --loss-steps, --seed for lln train */
    const char *device, *devices, *sleep, *out;
    double rate;
    double max_ram, max_flash, max_mw, max_uj, max_us; /* budget; 0 = none */
    int n, cells, runtimes; /* sets: bit 0 ltc / fixed, bit 1 cfc / float */
    int max_units, min_epochs, epochs, eta;
    unsigned long long seed;
    char fingerprint[8192]; /* the options, as the work folder's search.args records them */
} srch_args_t;

/* One candidate: what it is, then what the search learnt about it. */
typedef struct srch_cand {
    char cell[4];   /* ltc, cfc */
    char wiring[8]; /* autoncp, fc, random */
    int units;
    double sparsity; /* autoncp, random */
    double lr;
    int fixed; /* 1: int8/int16 fixed-point firmware, 0: float32 */
    /* results */
    cmp_row_t row;    /* cost (profile) and, once deployed, valid / test metrics */
    int costed, fits; /* profiled; within the budget and the device */
    int rungs;        /* rungs trained */
    double metric;    /* float validation metric after the last rung (NaN: failed) */
    int deployed;     /* row.valid / row.test are the deployed model's */
} srch_cand_t;

/* Draws count candidates for I inputs and O outputs from the seed: every one a valid model
 * (drawn again when not). 0, or 1 when the space holds none (printed). */
int srch_sample(const srch_args_t *a, int I, int O, srch_cand_t *c, int count);

/* The model configuration of a candidate and (params may be NULL) its trainable parameter
 * count. 0 or 1 (not a valid model). */
int srch_config(const srch_cand_t *c, int I, int O, lln_config_t *cfg, long *params);

/* "ltc autoncp 12u s0.50 lr0.0123 fixed" */
void srch_describe(const srch_cand_t *c, char *buf, size_t n);

/* The search (all stages); an exit status. *agreed: 1 when every process returns the same
 * status (rank 0's verdict), so the group may end without MPI_Abort. */
int srch_run(srch_args_t *a, const cli_dist_t *d, int *agreed);

#endif
