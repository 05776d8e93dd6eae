/* `lln data make TASK` for the robot tasks: the expert's demonstrations as a CSV in the
 * line-follow log's conventions (docs/DATA.md): episode,t,dt, the sensor columns, the
 * command columns; t and dt in seconds, dt the time since the previous reading. */
#include <stdio.h>
#include <string.h>

#include "robots_cli.h"

typedef struct {
    textout_t *out;
    const rb_task_t *t;
    long rows, limit;
} data_ctx_t;

static void put_row(void *ctx, long index, long t_ms, long dt_ms, const double *obs,
                    const double *cmd, const rb_check_t *c)
{
    (void)c;
    data_ctx_t *d = ctx;
    if (d->limit > 0 && d->rows >= d->limit)
        return;
    rb_csv_row(d->out, d->t, index, t_ms, dt_ms, obs, cmd, 4);
    textout_str(d->out, "\n");
    d->rows++;
}

void rb_csv_row(textout_t *o, const rb_task_t *t, long episode, long t_ms, long dt_ms,
                const double *obs, const double *cmd, int decimals)
{
    textout_printf(o, "%ld,", episode);
    textout_fixed(o, (double)t_ms / 1000.0, 3);
    textout_str(o, ",");
    textout_fixed(o, (double)dt_ms / 1000.0, 3);
    for (int i = 0; i < t->nobs; i++) {
        textout_str(o, ",");
        textout_fixed(o, obs[i], decimals);
    }
    for (int a = 0; a < t->nact; a++) {
        textout_str(o, ",");
        textout_fixed(o, cmd[a], decimals);
    }
}

void rb_csv_header(const rb_task_t *t, textout_t *out, const char *extra)
{
    textout_str(out, "episode,t,dt");
    for (int i = 0; i < t->nobs; i++)
        textout_printf(out, ",%s", t->obs_names[i]);
    for (int a = 0; a < t->nact; a++)
        textout_printf(out, ",%s", t->act_names[a]);
    if (extra)
        textout_str(out, extra);
    textout_str(out, "\n");
}

int rb_data_make(const char *name, long rows, double seconds, double episode_s,
                 unsigned long long seed, textout_t *out, rb_data_stats_t *st)
{
    memset(st, 0, sizeof *st);
    const rb_task_t *base = rb_task_find(name);
    if (base == NULL) {
        if (rb_task_needs_mujoco(name))
            cli_error("data",
                      "make: task '%s' needs MuJoCo, and this lln was built without it "
                      "(install libmujoco-dev and rebuild)",
                      name);
        else
            cli_error("data", "make: unknown dataset '%s' (%s)", name, rb_task_names());
        return 0;
    }
    rb_task_t t = *base;
    if (episode_s > 0)
        t.episode_s = episode_s;
    char err[512];
    rb_env_t *env = NULL;
    if (!t.open(&env, NULL, err, sizeof err)) {
        cli_error("data", "make %s: %s", name, err);
        return 0;
    }
    rb_csv_header(&t, out, NULL);
    rb_controller_t ex;
    rb_expert_controller(&t, &ex);
    data_ctx_t d = {out, &t, 0, rows};
    long ms_limit = rows > 0 ? 0 : (long)(seconds * 1000.0 + 0.5), ms = 0;
    for (uint64_t i = 0;; i++) {
        if (rows > 0 ? d.rows >= rows : ms >= ms_limit)
            break;
        rb_result_t r;
        rb_episode(&t, env, &ex, seed, i, put_row, &d, &r);
        st->episodes++;
        st->failures += r.status != RB_SUCCESS;
        ms += (long)(r.t_end * 1000.0 + 0.5);
    }
    st->rows = d.rows;
    st->seconds = (double)ms / 1000.0;
    t.close(env);
    return 1;
}
