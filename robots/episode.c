/* One closed-loop episode, the same for every task: the world holds the last commands while
 * the time to the next reading passes (irregular: jitter, dropped frames, stalls), then the
 * sensors are read, the controller answers with new commands (clamped to the actuator
 * limits), and the task says whether the robot is still on course. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "robots.h"

static long next_gap_ms(const rb_timing_t *tm, rb_rng_t *r)
{
    long ms = tm->base_ms - tm->jitter_ms + rb_below(r, 2L * tm->jitter_ms + 1);
    long u = rb_below(r, 100);
    if (u < tm->drop_pct)
        ms += tm->drop_ms;
    else if (u < tm->drop_pct + tm->stall_pct)
        ms += tm->stall_lo_ms + rb_below(r, tm->stall_hi_ms - tm->stall_lo_ms + 1);
    return ms < 1 ? 1 : ms;
}

void rb_episode(const rb_task_t *t, rb_env_t *env, const rb_controller_t *c, uint64_t seed,
                uint64_t index, rb_row_fn row, void *row_ctx, rb_result_t *res)
{
    rb_rng_t timing, sensors, world;
    /* three streams, so a controller's choices never shift the noise or the timing */
    rb_rng_seed(&world, seed, index * 3);
    rb_rng_seed(&timing, seed, index * 3 + 1);
    rb_rng_seed(&sensors, seed, index * 3 + 2);
    memset(res, 0, sizeof *res);
    t->reset(env, seed, index, &world);
    double cmd[RB_MAX_ACT] = {0}, obs[RB_MAX_OBS];
    long t_ms = 0, end_ms = (long)(t->episode_s * 1000.0 + 0.5);
    double track_sum = 0, effort_sum = 0;
    int was_colliding = 0;
    rb_status_t st = RB_RUNNING;
    rb_check_t chk;
    if (c->reset && !c->reset(c->ctx)) {
        res->status = RB_FAILURE;
        res->ctrl_failed = 1;
        snprintf(res->why, sizeof res->why, "%s: reset failed", c->name);
        return;
    }
    for (;;) {
        long gap = next_gap_ms(&t->timing, &timing);
        if (t_ms + gap > end_ms) {
            t->advance(env, cmd, end_ms - t_ms);
            t_ms = end_ms;
            st = t->check(env, 1, &chk);
            break;
        }
        t->advance(env, cmd, gap);
        t_ms += gap;
        st = t->check(env, 0, &chk);
        if (chk.collision && !was_colliding)
            res->collisions++;
        was_colliding = chk.collision;
        track_sum += chk.track;
        if (st != RB_RUNNING)
            break;
        t->sense(env, &sensors, obs);
        double next[RB_MAX_ACT];
        if (!c->act(c->ctx, env, obs, (double)gap / 1000.0, next, res->why, sizeof res->why)) {
            res->ctrl_failed = 1;
            st = RB_FAILURE;
            break;
        }
        double e = 0;
        for (int a = 0; a < t->nact; a++) {
            if (!isfinite(next[a])) {
                snprintf(res->why, sizeof res->why, "%s: output %d (%s) is not finite at t=%.3f s",
                         c->name, a, t->act_names[a], (double)t_ms / 1000.0);
                res->ctrl_failed = 1;
                st = RB_FAILURE;
                break;
            }
            cmd[a] = next[a] < t->act_lo[a]   ? t->act_lo[a]
                     : next[a] > t->act_hi[a] ? t->act_hi[a]
                                              : next[a];
            double lim =
                fabs(t->act_hi[a]) > fabs(t->act_lo[a]) ? fabs(t->act_hi[a]) : fabs(t->act_lo[a]);
            e += (cmd[a] / lim) * (cmd[a] / lim);
        }
        if (st != RB_RUNNING)
            break;
        effort_sum += e;
        res->steps++;
        if (row)
            row(row_ctx, (long)index, t_ms, gap, obs, cmd, &chk);
    }
    res->status = st == RB_SUCCESS ? RB_SUCCESS : RB_FAILURE;
    res->t_end = (double)t_ms / 1000.0;
    res->track = res->steps ? track_sum / (double)(res->steps + 1) : track_sum;
    res->effort = res->steps ? effort_sum / (double)res->steps : 0;
}

/* ---- the expert as a controller ---------------------------------------------------------- */

static int expert_act(void *ctx, rb_env_t *env, const double *obs, double dt, double *cmd,
                      char *err, size_t errlen)
{
    (void)err, (void)errlen;
    ((const rb_task_t *)ctx)->expert(env, obs, dt, cmd);
    return 1;
}

void rb_expert_controller(const rb_task_t *t, rb_controller_t *c)
{
    c->name = "expert";
    c->ctx = (void *)(uintptr_t)t;
    c->reset = NULL;
    c->act = expert_act;
}
