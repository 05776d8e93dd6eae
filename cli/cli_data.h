/* Pieces of `lln data`: the line-follow simulator and the dataset preparations. */
#ifndef LLN_CLI_DATA_H
#define LLN_CLI_DATA_H

#include <string.h>

#include "textout.h"

typedef struct lf_options {
    long rows;              /* stop after this many rows (0: stop by seconds) */
    double seconds;         /* or after this much simulated time */
    double episode_seconds; /* length of one episode (a new track, a new start) */
    unsigned long long seed;
} lf_options_t;

typedef struct lf_stats {
    long rows, episodes, derailed, lost_rows;
    long ms; /* simulated time of all rows */
} lf_stats_t;

/* Writes the header and the rows of the line-follow log to out. */
void lf_generate(const lf_options_t *opt, textout_t *out, lf_stats_t *st);

/* `lln data prepare DATASET --shared DIR -o FILE`: 1 on success (messages printed).
 * unique_hours (traffic only): keep the first row of each hour. */
int prepare_traffic(const char *shared, int unique_hours, textout_t *out, long *rows);
int prepare_walker2d(const char *shared, int unique_hours, textout_t *out, long *rows);

#endif
