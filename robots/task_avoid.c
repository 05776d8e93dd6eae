/* Obstacle avoidance on MuJoCo (robots/avoid.xml): a round differential-drive robot starts
 * near the west wall of a 3 m x 3 m arena and must reach a goal near the east wall (within
 * 0.15 m) in 20 s without touching a wall or one of six cylinders that each episode places
 * at random (radius 0.08..0.15 m, at least 0.5 m apart, none on the start or the goal).
 * Sensors: five rangefinders at -60, -30, 0, 30, 60 degrees (MuJoCo `rangefinder`, which
 * ray-casts from a site; no hit or beyond 2 m reads 2 m; noise 1 cm) and the goal in the
 * robot's frame (x ahead, y left; odometry with 1 cm noise).
 * Actuators: forward speed in [0, 0.5] m/s and turn rate in [-3, 3] rad/s, tracked by
 * velocity servos (the wheel drive).
 * Expert: turn toward the goal, away from near readings (a potential field over the five
 * rays), slowing down when the way ahead is short. */
#include <math.h>
#include <mujoco/mujoco.h>
#include <stdio.h>
#include <stdlib.h>

#include "mj_task.h"

#define NOBST 6
#define RANGE_MAX 2.0
#define GOAL_R 0.15

struct rb_env {
    rb_mj_t w;
    int obst[NOBST], robot, goal;
    double gx, gy;
};

static const char *const OBS[] = {"r0", "r1", "r2", "r3", "r4", "goal_x", "goal_y", NULL};
static const char *const ACT[] = {"v", "w", NULL};
static const char *const GEOMS[] = {"obs0", "obs1", "obs2", "obs3", "obs4", "obs5", "robot", NULL};
static const char *const SITES[] = {"goal", NULL};

static int av_open(rb_env_t **out, const char *mjcf, char *err, size_t errlen)
{
    static const rb_mj_need_t need = {"avoid.xml", 5, 3, 3, GEOMS, SITES};
    rb_env_t *e = rb_mj_env_open(sizeof *e, &need, mjcf, err, errlen);
    if (e == NULL)
        return 0;
    for (int i = 0; i < NOBST; i++)
        e->obst[i] = mj_name2id(e->w.m, mjOBJ_GEOM, GEOMS[i]);
    e->robot = mj_name2id(e->w.m, mjOBJ_GEOM, "robot");
    e->goal = mj_name2id(e->w.m, mjOBJ_SITE, "goal");
    *out = e;
    return 1;
}

static void av_reset(rb_env_t *e, uint64_t seed, uint64_t index, rb_rng_t *r)
{
    (void)seed, (void)index;
    mj_resetData(e->w.m, e->w.d);
    double sx = -1.15, sy = rb_range(r, -1.0, 1.0);
    e->gx = 1.15;
    e->gy = rb_range(r, -1.0, 1.0);
    double px[NOBST], py[NOBST];
    for (int i = 0; i < NOBST; i++) {
        double x, y, rad = rb_range(r, 0.08, 0.15);
        for (int tries = 0;; tries++) {
            x = rb_range(r, -0.75, 0.75);
            y = rb_range(r, -1.2, 1.2);
            int ok = 1;
            for (int j = 0; j < i && ok; j++)
                ok = hypot(x - px[j], y - py[j]) >= 0.5;
            if (ok || tries > 200)
                break;
        }
        px[i] = x, py[i] = y;
        int g = e->obst[i];
        e->w.m->geom_pos[3 * g + 0] = x;
        e->w.m->geom_pos[3 * g + 1] = y;
        e->w.m->geom_size[3 * g + 0] = rad;
        e->w.m->geom_rbound[g] = hypot(rad, e->w.m->geom_size[3 * g + 1]);
    }
    e->w.m->site_pos[3 * e->goal + 0] = e->gx;
    e->w.m->site_pos[3 * e->goal + 1] = e->gy;
    e->w.d->qpos[0] = sx;
    e->w.d->qpos[1] = sy;
    e->w.d->qpos[2] = rb_range(r, -0.6, 0.6);
    mj_forward(e->w.m, e->w.d);
}

static void av_advance(rb_env_t *e, const double *cmd, long ms)
{
    long n = (long)(0.001 * (double)ms / e->w.m->opt.timestep + 0.5);
    for (long k = 0; k < n; k++) {
        double yaw = e->w.d->qpos[2]; /* the drive turns body-frame commands into the world's */
        e->w.d->ctrl[0] = cmd[0] * cos(yaw);
        e->w.d->ctrl[1] = cmd[0] * sin(yaw);
        e->w.d->ctrl[2] = cmd[1];
        mj_step(e->w.m, e->w.d);
    }
    mj_forward(e->w.m, e->w.d);
}

static void av_sense(rb_env_t *e, rb_rng_t *r, double *obs)
{
    for (int i = 0; i < 5; i++) {
        double v = e->w.d->sensordata[i];
        v = (v < 0 || v > RANGE_MAX) ? RANGE_MAX : v + 0.01 * rb_noise(r);
        obs[i] = v < 0 ? 0 : v > RANGE_MAX ? RANGE_MAX : v;
    }
    double yaw = e->w.d->qpos[2], dx = e->gx - e->w.d->qpos[0], dy = e->gy - e->w.d->qpos[1];
    obs[5] = cos(yaw) * dx + sin(yaw) * dy + 0.01 * rb_noise(r);
    obs[6] = -sin(yaw) * dx + cos(yaw) * dy + 0.01 * rb_noise(r);
}

static void av_expert(rb_env_t *e, const double *o, double dt, double *cmd)
{
    (void)e, (void)dt;
    double gx = o[5], gy = o[6], dist = hypot(gx, gy);
    double w = 2.5 * atan2(gy, gx), front = o[2];
    /* never turn toward the goal into an obstacle close at that side */
    if ((o[0] < 0.3 || o[1] < 0.3) && w < 0)
        w = 0;
    if ((o[3] < 0.3 || o[4] < 0.3) && w > 0)
        w = 0;
    for (int i = 0; i < 5; i++) {
        double near = 0.55 - o[i];
        if (near <= 0)
            continue;
        /* a ray on the right pushes left and vice versa; the front ray pushes toward the
         * side with more room */
        double side = i < 2 ? 1.0 : i > 2 ? -1.0 : (o[1] + o[0] > o[3] + o[4] ? -1.0 : 1.0);
        w += side * 9.0 * near * (i == 2 ? 1.5 : 1.0);
        if (o[i] < front && (i == 1 || i == 3))
            front = o[i] + 0.1;
    }
    double v = 0.45 * (dist < 0.5 ? 0.4 + 1.2 * dist : 1.0);
    if (front < 0.5)
        v *= front < 0.2 ? 0.0 : (front - 0.2) / 0.3;
    cmd[0] = v;
    cmd[1] = w;
}

static rb_status_t av_check(rb_env_t *e, int at_end, rb_check_t *c)
{
    double x = e->w.d->qpos[0], y = e->w.d->qpos[1], dist = hypot(e->gx - x, e->gy - y);
    int hit = 0;
    for (int i = 0; i < e->w.d->ncon; i++)
        if (e->w.d->contact[i].geom1 == e->robot || e->w.d->contact[i].geom2 == e->robot)
            hit = 1;
    c->track = dist;
    c->collision = hit;
    c->px = x;
    c->py = y;
    if (hit || !isfinite(dist))
        return RB_FAILURE;
    if (dist < GOAL_R)
        return RB_SUCCESS;
    return at_end ? RB_FAILURE : RB_RUNNING;
}

static int av_scenery(rb_env_t *e, double *xyr, int max)
{
    int n = 0;
    for (int i = 0; i < NOBST && n < max; i++, n++) {
        int g = e->obst[i];
        xyr[3 * n] = e->w.m->geom_pos[3 * g];
        xyr[3 * n + 1] = e->w.m->geom_pos[3 * g + 1];
        xyr[3 * n + 2] = e->w.m->geom_size[3 * g];
    }
    if (n < max) {
        xyr[3 * n] = e->gx, xyr[3 * n + 1] = e->gy, xyr[3 * n + 2] = GOAL_R;
        n++;
    }
    return n;
}

const rb_task_t rb_task_avoid = {
    .name = "avoid",
    .summary =
        "a differential-drive robot with rangefinders reaches a goal past obstacles (MuJoCo)",
    .nobs = 7,
    .nact = 2,
    .obs_names = OBS,
    .act_names = ACT,
    .act_lo = {0, -3},
    .act_hi = {0.5, 3},
    .episode_s = 20.0,
    .timing = {20, 6, 5, 20, 1, 40, 100},
    .track_unit = "mean distance to goal, m",
    .fig_x = "x, m",
    .fig_y = "y, m",
    .mjcf_name = "avoid.xml",
    .open = av_open,
    .close = rb_mj_env_close,
    .reset = av_reset,
    .advance = av_advance,
    .sense = av_sense,
    .expert = av_expert,
    .check = av_check,
    .scenery = av_scenery,
};
