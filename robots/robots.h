/* The robot task zoo of `lln data make TASK` and `lln sim TASK`: four closed-loop control
 * tasks, each with a world (MuJoCo, or the line-follow kinematics), noisy sensors read at
 * irregular times, actuator limits, an expert controller and task metrics. A task only
 * describes its world; robots/episode.c runs episodes (timing, controllers, metrics,
 * traces) the same way for all of them. */
#ifndef LLN_ROBOTS_H
#define LLN_ROBOTS_H

#include <stddef.h>
#include <stdint.h>

#define RB_MAX_OBS 16
#define RB_MAX_ACT 4
/* Episode indices of `lln data make` are 0, 1, 2, ...; `lln sim` uses indices from this
 * base on, so its episodes (tracks, starts, noise, timing) are never those of the data. */
#define RB_HELDOUT_BASE 0x100000000ULL
/* DAgger roll-outs (lln sim --dagger-out) use indices from this base: neither demonstrations
 * nor held-out episodes. */
#define RB_DAGGER_BASE 0x80000000ULL

/* splitmix64: one independent stream per (seed, episode index). */
typedef struct rb_rng {
    uint64_t s;
} rb_rng_t;
void rb_rng_seed(rb_rng_t *r, uint64_t seed, uint64_t stream);
uint64_t rb_rng_next(rb_rng_t *r);
double rb_uniform(rb_rng_t *r);                     /* [0, 1) */
double rb_range(rb_rng_t *r, double lo, double hi); /* [lo, hi) */
double rb_noise(rb_rng_t *r);                       /* ~N(0, 1), |value| <= 3.46 */
long rb_below(rb_rng_t *r, long n);                 /* [0, n) */

/* Irregular sensor timing: a reading every base_ms +- jitter_ms; a dropped frame adds
 * drop_ms (drop_pct % of readings); a stall adds stall_lo..stall_hi ms (stall_pct %). */
typedef struct rb_timing {
    int base_ms, jitter_ms, drop_pct, drop_ms, stall_pct, stall_lo_ms, stall_hi_ms;
} rb_timing_t;

/* What the task reports after each control interval. */
typedef enum { RB_RUNNING = 0, RB_SUCCESS = 1, RB_FAILURE = 2 } rb_status_t;
typedef struct rb_check {
    double track;  /* the task's tracking error now (units: see the task's track_unit) */
    int collision; /* 1: in contact with an obstacle now */
    double px, py; /* a point of the trajectory figure */
} rb_check_t;

typedef struct rb_env rb_env_t; /* one task's world, opaque */

typedef struct rb_task {
    const char *name, *summary;
    int nobs, nact;
    const char *const *obs_names, *const *act_names;
    double act_lo[RB_MAX_ACT], act_hi[RB_MAX_ACT];
    double episode_s;
    rb_timing_t timing;
    const char *track_unit, *fig_x, *fig_y; /* metric and figure axis labels */
    const char *mjcf_name;                  /* embedded MJCF (NULL: no MuJoCo model) */
    /* mjcf: a file to load instead of the embedded model (NULL: embedded). 0 + err on failure */
    int (*open)(rb_env_t **env, const char *mjcf, char *err, size_t errlen);
    void (*close)(rb_env_t *env);
    void (*reset)(rb_env_t *env, uint64_t seed, uint64_t index, rb_rng_t *rng);
    void (*advance)(rb_env_t *env, const double *cmd, long ms);
    void (*sense)(rb_env_t *env, rb_rng_t *rng, double *obs);
    void (*expert)(rb_env_t *env, const double *obs, double dt, double *cmd);
    /* at_end: the episode's time is up (must say SUCCESS or FAILURE) */
    rb_status_t (*check)(rb_env_t *env, int at_end, rb_check_t *c);
    /* static scenery of the figure (obstacles...), drawn by the caller: circles x, y, r */
    int (*scenery)(rb_env_t *env, double *xyr, int max);
} rb_task_t;

/* The task table (with MuJoCo or without: a task that needs it is listed either way). */
const rb_task_t *rb_task_find(const char *name);
const char *rb_task_names(void); /* "line-follow, cartpole, reacher, avoid" */
/* 1 for a task of the zoo that needs MuJoCo (known even when lln was built without it). */
int rb_task_needs_mujoco(const char *name);
int rb_have_mujoco(void);

/* ---- controllers ------------------------------------------------------------------------- */
/* act: commands for a reading obs that arrived dt s after the previous one. 0 on failure
 * (why: in err) — the episode then ends as a counted controller failure. */
typedef struct rb_controller {
    const char *name;
    void *ctx;
    int (*reset)(void *ctx);
    int (*act)(void *ctx, rb_env_t *env, const double *obs, double dt, double *cmd, char *err,
               size_t errlen);
} rb_controller_t;

/* The task's expert. */
void rb_expert_controller(const rb_task_t *t, rb_controller_t *c);

/* ---- episodes ---------------------------------------------------------------------------- */
typedef struct rb_result {
    int status;      /* RB_SUCCESS or RB_FAILURE */
    int ctrl_failed; /* the controller failed (non-finite output, error) */
    double t_end;    /* seconds: failure time, or the episode length */
    double track;    /* mean tracking error over the readings */
    double effort;   /* mean of sum over actuators of (cmd / limit)^2 */
    long collisions; /* contact episodes begun */
    long steps;
    char why[160]; /* controller failure message */
} rb_result_t;

/* Called after every reading (t, dt in ms; obs; cmd; check), for traces and data rows. */
typedef void (*rb_row_fn)(void *ctx, long index, long t_ms, long dt_ms, const double *obs,
                          const double *cmd, const rb_check_t *c);

/* Runs one episode of task t in env with controller c: world (seed, index). */
void rb_episode(const rb_task_t *t, rb_env_t *env, const rb_controller_t *c, uint64_t seed,
                uint64_t index, rb_row_fn row, void *row_ctx, rb_result_t *res);

/* ---- MuJoCo helpers (robots/mj_load.c) -------------------------------------------------- */
/* Loads the embedded MJCF `name` (or the file `path` when not NULL). Returns an mjModel* as
 * void* (NULL + message on failure). */
void *rb_mj_load(const char *name, const char *path, char *err, size_t errlen);
#endif
