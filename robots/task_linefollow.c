/* Line following, scored in closed loop: the robot, track, sensors and expert of
 * `lln data make line-follow` (cli/data_linefollow.c), driven here one reading at a time.
 * The world is that module's kinematic model (not MuJoCo): the demonstrations already in
 * use stay valid, and a line on the floor needs no contact physics. An episode of 20 s
 * succeeds when the robot never strays more than 0.25 m from the line. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli_data.h"
#include "robots.h"

struct rb_env {
    lf_episode_t *ep;
    double abs_e;
};

static const char *const OBS[] = {"s0", "s1", "s2", "s3", "s4", "gyro", "enc_l", "enc_r", NULL};
static const char *const ACT[] = {"cmd_l", "cmd_r", NULL};

static int lf_open(rb_env_t **out, const char *mjcf, char *err, size_t errlen)
{
    if (mjcf != NULL) {
        snprintf(err, errlen,
                 "line-follow has no MJCF model (its world is kinematic); drop --mjcf");
        return 0;
    }
    rb_env_t *e = calloc(1, sizeof *e);
    if (e == NULL || (e->ep = lf_episode_create()) == NULL) {
        free(e);
        snprintf(err, errlen, "out of memory");
        return 0;
    }
    *out = e;
    return 1;
}

static void lf_close(rb_env_t *e)
{
    if (e == NULL)
        return;
    lf_episode_free(e->ep);
    free(e);
}

static void lf_reset(rb_env_t *e, uint64_t seed, uint64_t index, rb_rng_t *r)
{
    (void)r;
    lf_episode_reset(e->ep, seed, index);
}

static void lf_advance(rb_env_t *e, const double *cmd, long ms)
{
    lf_episode_advance(e->ep, cmd, ms);
}

static void lf_sense(rb_env_t *e, rb_rng_t *r, double *obs)
{
    (void)r; /* the module draws its own sensor noise, from the episode's stream */
    lf_episode_sense(e->ep, obs);
}

static void lf_expert(rb_env_t *e, const double *obs, double dt, double *cmd)
{
    lf_episode_expert(e->ep, obs, dt, cmd);
}

static rb_status_t lf_check(rb_env_t *e, int at_end, rb_check_t *c)
{
    double s, off;
    int derailed;
    lf_episode_pose(e->ep, &s, &off, &derailed);
    c->track = fabs(off);
    c->collision = 0;
    c->px = s;
    c->py = off;
    if (derailed || !isfinite(off))
        return RB_FAILURE;
    return at_end ? RB_SUCCESS : RB_RUNNING;
}

const rb_task_t rb_task_linefollow = {
    .name = "line-follow",
    .summary = "a differential-drive robot follows a curvy line with gaps (kinematic model)",
    .nobs = 8,
    .nact = 2,
    .obs_names = OBS,
    .act_names = ACT,
    .act_lo = {-0.6, -0.6},
    .act_hi = {0.6, 0.6},
    .episode_s = 20.0,
    .timing = {20, 6, 5, 20, 1, 40, 100},
    .track_unit = "mean |offset from the line|, m",
    .fig_x = "distance along the line, m",
    .fig_y = "offset from the line, m",
    .mjcf_name = NULL,
    .open = lf_open,
    .close = lf_close,
    .reset = lf_reset,
    .advance = lf_advance,
    .sense = lf_sense,
    .expert = lf_expert,
    .check = lf_check,
    .scenery = NULL,
};
