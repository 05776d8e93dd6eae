/* Cart-pole balance on MuJoCo (robots/cartpole.xml): the pole starts tilted up to 0.25 rad
 * with the cart anywhere in +-0.5 m; an episode of 10 s succeeds when the pole stays within
 * 0.6 rad of upright and the cart within 2.2 m of the centre throughout.
 * Sensors (noisy): cart position and pole angle (encoders), their rates (noisier).
 * Actuator: the motor command in [-1, 1] (10 N).
 * Expert: a linear state feedback u = kx x + kv xdot + kt theta + kw thetadot, with gains of
 * an LQR design for this cart and pole (the cart-position gain has the same sign as the angle
 * gain: to come back to the centre the cart first moves away, tilting the pole inwards). */
#include <math.h>
#include <mujoco/mujoco.h>
#include <stdio.h>
#include <stdlib.h>

#include "robots.h"

struct rb_env {
    mjModel *m;
    mjData *d;
};

static const char *const OBS[] = {"x", "theta", "xdot", "thetadot", NULL};
static const char *const ACT[] = {"push", NULL};

static int cp_open(rb_env_t **out, const char *mjcf, char *err, size_t errlen)
{
    mjModel *m = rb_mj_load("cartpole.xml", mjcf, err, errlen);
    if (m == NULL)
        return 0;
    if (!rb_mj_require(m, 4, 1, NULL, 0, err, errlen) || m->nq != 2) {
        if (m->nq != 2 && m->nsensordata == 4 && m->nu == 1)
            snprintf(err, errlen, "the MJCF model has %d position coordinates; the cart-pole needs 2 (slide, hinge)", m->nq);
        mj_deleteModel(m);
        return 0;
    }
    rb_env_t *e = calloc(1, sizeof *e);
    if (e == NULL || (e->d = mj_makeData(m)) == NULL) {
        snprintf(err, errlen, "out of memory");
        free(e);
        mj_deleteModel(m);
        return 0;
    }
    e->m = m;
    *out = e;
    return 1;
}

static void cp_close(rb_env_t *e)
{
    if (e == NULL)
        return;
    mj_deleteData(e->d);
    mj_deleteModel(e->m);
    free(e);
}

static void cp_reset(rb_env_t *e, uint64_t seed, uint64_t index, rb_rng_t *r)
{
    (void)seed, (void)index;
    mj_resetData(e->m, e->d);
    e->d->qpos[0] = rb_range(r, -0.5, 0.5);
    e->d->qpos[1] = rb_range(r, -0.25, 0.25);
    e->d->qvel[0] = rb_range(r, -0.2, 0.2);
    e->d->qvel[1] = rb_range(r, -0.2, 0.2);
    mj_forward(e->m, e->d);
}

static void cp_advance(rb_env_t *e, const double *cmd, long ms)
{
    e->d->ctrl[0] = cmd[0];
    long n = (long)(0.001 * (double)ms / e->m->opt.timestep + 0.5);
    for (long k = 0; k < n; k++)
        mj_step(e->m, e->d);
    mj_forward(e->m, e->d); /* sensors and sites at the state reached */
}

static void cp_sense(rb_env_t *e, rb_rng_t *r, double *obs)
{
    const double *s = e->d->sensordata;
    obs[0] = s[0] + 0.002 * rb_noise(r);
    obs[1] = s[1] + 0.003 * rb_noise(r);
    obs[2] = s[2] + 0.02 * rb_noise(r);
    obs[3] = s[3] + 0.03 * rb_noise(r);
}

static void cp_expert(rb_env_t *e, const double *o, double dt, double *cmd)
{
    (void)e, (void)dt;
    cmd[0] = 0.5 * o[0] + 1.0 * o[2] + 20.0 * o[1] + 3.0 * o[3];
}

static rb_status_t cp_check(rb_env_t *e, int at_end, rb_check_t *c)
{
    double x = e->d->qpos[0], th = e->d->qpos[1];
    c->track = fabs(th);
    c->collision = 0;
    c->px = e->d->time;
    c->py = th;
    if (fabs(th) > 0.6 || fabs(x) > 2.2 || !isfinite(th))
        return RB_FAILURE;
    return at_end ? RB_SUCCESS : RB_RUNNING;
}

const rb_task_t rb_task_cartpole = {
    .name = "cartpole",
    .summary = "balance a pole on a cart from random tilted starts (MuJoCo)",
    .nobs = 4,
    .nact = 1,
    .obs_names = OBS,
    .act_names = ACT,
    .act_lo = {-1},
    .act_hi = {1},
    .episode_s = 10.0,
    .timing = {10, 3, 5, 10, 1, 20, 40},
    .track_unit = "mean |pole angle|, rad",
    .fig_x = "time, s",
    .fig_y = "pole angle, rad",
    .mjcf_name = "cartpole.xml",
    .open = cp_open,
    .close = cp_close,
    .reset = cp_reset,
    .advance = cp_advance,
    .sense = cp_sense,
    .expert = cp_expert,
    .check = cp_check,
    .scenery = NULL,
};
