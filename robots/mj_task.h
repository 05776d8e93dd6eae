/* What the MuJoCo tasks share (robots/mj_load.c): a model and its data, opened from the
 * embedded MJCF or a --mjcf file and checked for what the task reads and drives. */
#ifndef LLN_ROBOTS_MJ_TASK_H
#define LLN_ROBOTS_MJ_TASK_H

#include <mujoco/mujoco.h>

#include "robots.h"

typedef struct rb_mj {
    mjModel *m;
    mjData *d;
} rb_mj_t;

/* What a task needs of its model: sensor values, actuators, position coordinates and the
 * geoms and sites it names (NULL-terminated lists, or NULL). */
typedef struct rb_mj_need {
    const char *name; /* embedded MJCF */
    int nsensordata, nu, nq;
    const char *const *geoms, *const *sites;
} rb_mj_need_t;

/* Loads and checks; 0 + message on failure (nothing left open). */
int rb_mj_open(rb_mj_t *w, const rb_mj_need_t *need, const char *mjcf, char *err, size_t errlen);
void rb_mj_close(rb_mj_t *w);
/* A task's world of `size` bytes whose first member is an rb_mj_t, zeroed, with the model
 * opened in it (NULL + message on failure); and its close, for rb_task_t.close. */
void *rb_mj_env_open(size_t size, const rb_mj_need_t *need, const char *mjcf, char *err,
                     size_t errlen);
void rb_mj_env_close(rb_env_t *env);
/* Runs the physics for ms milliseconds with the current controls, then computes sensors and
 * positions at the state reached. */
void rb_mj_run(rb_mj_t *w, long ms);

#endif
