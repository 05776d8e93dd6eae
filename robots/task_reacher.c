/* Two-link reacher on MuJoCo (robots/reacher.xml): a planar arm (0.12 m + 0.12 m links)
 * starts at a random pose and must bring its fingertip to a random target in front of it
 * (0.07..0.22 m from the shoulder, within +-1.2 rad) and hold it there; an episode of 3 s
 * succeeds when the fingertip ends within 2 cm of the target.
 * Sensors (noisy): the two joint encoders, the joint rates, and the target's position
 * (x, y, from the camera that placed it). Actuators: two torque commands in [-1, 1].
 * Expert: inverse kinematics (elbow-positive solution) to joint targets, then a PD law
 * on the joint errors with rate damping. */
#include <math.h>
#include <mujoco/mujoco.h>
#include <stdio.h>
#include <stdlib.h>

#include "mj_task.h"

#define L1 0.12
#define L2 0.12
#define KP 3.0
#define KD 0.45

struct rb_env {
    rb_mj_t w;
    int target, tip;
    double tx, ty;
};

static const char *const OBS[] = {"q1", "q2", "qd1", "qd2", "tx", "ty", NULL};
static const char *const ACT[] = {"tau1", "tau2", NULL};
static const char *const SITES[] = {"target", "tip", NULL};

static int re_open(rb_env_t **out, const char *mjcf, char *err, size_t errlen)
{
    static const rb_mj_need_t need = {"reacher.xml", 4, 2, 2, NULL, SITES};
    rb_env_t *e = rb_mj_env_open(sizeof *e, &need, mjcf, err, errlen);
    if (e == NULL)
        return 0;
    e->target = mj_name2id(e->w.m, mjOBJ_SITE, "target");
    e->tip = mj_name2id(e->w.m, mjOBJ_SITE, "tip");
    *out = e;
    return 1;
}

static void re_reset(rb_env_t *e, uint64_t seed, uint64_t index, rb_rng_t *r)
{
    (void)seed, (void)index;
    mj_resetData(e->w.m, e->w.d);
    e->w.d->qpos[0] = rb_range(r, -1.0, 1.0);
    e->w.d->qpos[1] = rb_range(r, 0.2, 2.4);
    double rad = rb_range(r, 0.07, 0.22), ang = rb_range(r, -1.2, 1.2);
    e->tx = rad * cos(ang);
    e->ty = rad * sin(ang);
    e->w.m->site_pos[3 * e->target + 0] = e->tx;
    e->w.m->site_pos[3 * e->target + 1] = e->ty;
    mj_forward(e->w.m, e->w.d);
}

static void re_advance(rb_env_t *e, const double *cmd, long ms)
{
    e->w.d->ctrl[0] = cmd[0];
    e->w.d->ctrl[1] = cmd[1];
    rb_mj_run(&e->w, ms);
}

static void re_sense(rb_env_t *e, rb_rng_t *r, double *obs)
{
    const double *s = e->w.d->sensordata;
    obs[0] = s[0] + 0.002 * rb_noise(r);
    obs[1] = s[1] + 0.002 * rb_noise(r);
    obs[2] = s[2] + 0.05 * rb_noise(r);
    obs[3] = s[3] + 0.05 * rb_noise(r);
    obs[4] = e->tx + 0.002 * rb_noise(r);
    obs[5] = e->ty + 0.002 * rb_noise(r);
}

static void re_expert(rb_env_t *e, const double *o, double dt, double *cmd)
{
    (void)e, (void)dt;
    double tx = o[4], ty = o[5], r2 = tx * tx + ty * ty;
    double c2 = (r2 - L1 * L1 - L2 * L2) / (2 * L1 * L2);
    c2 = c2 > 1 ? 1 : c2 < -1 ? -1 : c2;
    double q2 = acos(c2);
    double q1 = atan2(ty, tx) - atan2(L2 * sin(q2), L1 + L2 * cos(q2));
    cmd[0] = KP * (q1 - o[0]) - KD * o[2];
    cmd[1] = KP * (q2 - o[1]) - KD * o[3];
}

static rb_status_t re_check(rb_env_t *e, int at_end, rb_check_t *c)
{
    const double *p = e->w.d->site_xpos + 3 * e->tip;
    double dx = p[0] - e->tx, dy = p[1] - e->ty, dist = sqrt(dx * dx + dy * dy);
    c->track = dist;
    c->collision = 0;
    c->px = p[0];
    c->py = p[1];
    if (!isfinite(dist))
        return RB_FAILURE;
    if (!at_end)
        return RB_RUNNING;
    return dist < 0.02 ? RB_SUCCESS : RB_FAILURE;
}

static int re_scenery(rb_env_t *e, double *xyr, int max)
{
    if (max < 1)
        return 0;
    xyr[0] = e->tx, xyr[1] = e->ty, xyr[2] = 0.02;
    return 1;
}

const rb_task_t rb_task_reacher = {
    .name = "reacher",
    .summary = "a two-link arm brings its fingertip to a random target (MuJoCo)",
    .nobs = 6,
    .nact = 2,
    .obs_names = OBS,
    .act_names = ACT,
    .act_lo = {-1, -1},
    .act_hi = {1, 1},
    .episode_s = 3.0,
    .timing = {20, 6, 5, 20, 1, 40, 100},
    .track_unit = "mean fingertip distance to target, m",
    .fig_x = "x, m",
    .fig_y = "y, m",
    .mjcf_name = "reacher.xml",
    .open = re_open,
    .close = rb_mj_env_close,
    .reset = re_reset,
    .advance = re_advance,
    .sense = re_sense,
    .expert = re_expert,
    .check = re_check,
    .scenery = re_scenery,
};
