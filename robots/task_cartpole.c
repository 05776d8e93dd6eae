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

#include "mj_task.h"

struct rb_env {
    rb_mj_t w;
};

static const char *const OBS[] = {"x", "theta", "xdot", "thetadot", NULL};
static const char *const ACT[] = {"push", NULL};

static int cp_open(rb_env_t **out, const char *mjcf, char *err, size_t errlen)
{
    static const rb_mj_need_t need = {"cartpole.xml", 4, 1, 2, NULL, NULL};
    return (*out = rb_mj_env_open(sizeof(rb_env_t), &need, mjcf, err, errlen)) != NULL;
}

static void cp_reset(rb_env_t *e, uint64_t seed, uint64_t index, rb_rng_t *r)
{
    (void)seed, (void)index;
    mj_resetData(e->w.m, e->w.d);
    e->w.d->qpos[0] = rb_range(r, -0.5, 0.5);
    e->w.d->qpos[1] = rb_range(r, -0.25, 0.25);
    e->w.d->qvel[0] = rb_range(r, -0.2, 0.2);
    e->w.d->qvel[1] = rb_range(r, -0.2, 0.2);
    mj_forward(e->w.m, e->w.d);
}

static void cp_advance(rb_env_t *e, const double *cmd, long ms)
{
    e->w.d->ctrl[0] = cmd[0];
    rb_mj_run(&e->w, ms);
}

static void cp_sense(rb_env_t *e, rb_rng_t *r, double *obs)
{
    const double *s = e->w.d->sensordata;
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
    double x = e->w.d->qpos[0], th = e->w.d->qpos[1];
    c->track = fabs(th);
    c->collision = 0;
    c->px = e->w.d->time;
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
    .close = rb_mj_env_close,
    .reset = cp_reset,
    .advance = cp_advance,
    .sense = cp_sense,
    .expert = cp_expert,
    .check = cp_check,
    .scenery = NULL,
};
