/* The robot tasks' pieces the lln command line calls (lln data make TASK, lln sim). */
#ifndef LLN_ROBOTS_CLI_H
#define LLN_ROBOTS_CLI_H

#include "cli.h"
#include "robots.h"
#include "textout.h"

typedef struct rb_data_stats {
    long rows, episodes, failures;
    double seconds;
} rb_data_stats_t;

/* The header line: episode,t,dt,<sensors>,<commands><extra>. */
void rb_csv_header(const rb_task_t *t, textout_t *out, const char *extra);

/* One row without its line end: episode, t and dt (seconds, 3 decimals), the sensors and the
 * commands with `decimals` decimals. */
void rb_csv_row(textout_t *o, const rb_task_t *t, long episode, long t_ms, long dt_ms,
                const double *obs, const double *cmd, int decimals);

/* Expert demonstrations of task `name`: whole episodes until `rows` rows (the last episode
 * cut there) or, with rows == 0, `seconds` of simulated time. episode_s > 0 overrides the
 * task's episode length. Prints problems as "lln data: ..."; 1 on success. */
int rb_data_make(const char *name, long rows, double seconds, double episode_s,
                 unsigned long long seed, textout_t *out, rb_data_stats_t *st);

#endif
