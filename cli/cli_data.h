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

/* The same robot step by step (closed-loop scoring by lln sim): the world of one episode
 * (track, calibration, start) from (seed, index); commands held for ms milliseconds; a
 * noisy reading (five reflectance sensors, gyro, two encoders); the expert's commands for a
 * reading that arrived dt seconds after the previous one; the true pose. */
#define LF_NOBS 8
typedef struct lf_episode lf_episode_t;
lf_episode_t *lf_episode_create(void);
void lf_episode_free(lf_episode_t *e);
void lf_episode_reset(lf_episode_t *e, unsigned long long seed, unsigned long long index);
void lf_episode_advance(lf_episode_t *e, const double cmd[2], long ms);
void lf_episode_sense(lf_episode_t *e, double obs[LF_NOBS]);
void lf_episode_expert(lf_episode_t *e, const double obs[LF_NOBS], double dt, double cmd[2]);
void lf_episode_pose(const lf_episode_t *e, double *s, double *offset, int *derailed);

/* `lln data prepare DATASET --shared DIR -o FILE`: 1 on success (messages printed).
 * unique_hours (traffic only): keep the first row of each hour. */
int prepare_traffic(const char *shared, int unique_hours, textout_t *out, long *rows);
int prepare_walker2d(const char *shared, int unique_hours, textout_t *out, long *rows);

#endif
