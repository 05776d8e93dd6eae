/* Trained policies as controllers: the float32 host runtime (lln_step) and the fixed-point
 * host runtime (lln_quant_stream_*), one reading at a time. Public API only. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "lln/quant.h"
#include "policy.h"

static int float_reset(void *ctx)
{
    rb_policy_t *p = ctx;
    lln_state_reset(p->state);
    return 1;
}

static int float_act(void *ctx, rb_env_t *env, const double *obs, double dt, double *cmd, char *err,
                     size_t errlen)
{
    (void)env;
    rb_policy_t *p = ctx;
    float x[RB_MAX_OBS], y[RB_MAX_ACT];
    for (int i = 0; i < p->inputs; i++)
        x[i] = (float)obs[i];
    lln_status_t st = lln_step(p->model, p->state, x, (float)dt, y);
    if (st != LLN_OK) {
        snprintf(err, errlen, "float policy: step refused: %s", lln_strerror(st));
        return 0;
    }
    for (int o = 0; o < p->outputs; o++)
        cmd[o] = y[o];
    return 1;
}

static int quant_reset(void *ctx)
{
    rb_policy_t *p = ctx;
    lln_quant_stream_reset(p->stream);
    return 1;
}

int rb_quant_step(rb_policy_t *p, const double *obs, double dt, short *xq, long *dtq, short *yq,
                  double *cmd, char *err, size_t errlen)
{
    lln_error_t e = {LLN_OK, ""};
    for (int i = 0; i < p->inputs; i++)
        if (!isfinite(obs[i])) {
            snprintf(err, errlen, "fixed-point policy: input %d is not finite", i);
            return 0;
        }
    if (!(dt > 0) || !isfinite(dt)) {
        snprintf(err, errlen, "fixed-point policy: dt %g is not a finite value > 0", dt);
        return 0;
    }
    int16_t x16[RB_MAX_OBS];
    int32_t d32;
    lln_quant_input(p->quant, obs, dt, x16, &d32);
    for (int i = 0; i < p->inputs; i++)
        xq[i] = x16[i];
    *dtq = d32;
    if (lln_quant_stream_step(p->stream, xq, *dtq, yq, &e) != LLN_OK) {
        snprintf(err, errlen, "fixed-point policy: %s", e.msg);
        return 0;
    }
    for (int o = 0; o < p->outputs; o++)
        cmd[o] = lln_quant_decode(p->quant, o, yq[o]);
    return 1;
}

static int quant_act(void *ctx, rb_env_t *env, const double *obs, double dt, double *cmd, char *err,
                     size_t errlen)
{
    (void)env;
    short xq[RB_MAX_OBS], yq[RB_MAX_ACT];
    long dtq;
    return rb_quant_step(ctx, obs, dt, xq, &dtq, yq, cmd, err, errlen);
}

int rb_policy_open(rb_policy_t *p, const lln_model_t *m, const rb_task_t *t, int quantized,
                   char *err, size_t errlen)
{
    memset(p, 0, sizeof *p);
    p->model = m;
    p->inputs = lln_model_input_size(m);
    p->outputs = lln_model_output_size(m);
    if (p->inputs != t->nobs || p->outputs != t->nact) {
        snprintf(err, errlen,
                 "the model has %d inputs and %d outputs; task %s needs %d inputs (the sensor "
                 "columns of `lln data make %s`) and %d outputs",
                 p->inputs, p->outputs, t->name, t->nobs, t->name, t->nact);
        return 0;
    }
    lln_error_t e = {LLN_OK, ""};
    if (quantized) {
        if (lln_quant_create(m, &p->quant, &e) != LLN_OK ||
            lln_quant_stream_create(p->quant, &p->stream, &e) != LLN_OK) {
            snprintf(err, errlen, "%s", e.msg);
            rb_policy_close(p);
            return 0;
        }
        p->ctrl.name = "int-host";
        p->ctrl.reset = quant_reset;
        p->ctrl.act = quant_act;
    } else {
        lln_status_t st = lln_state_create(m, LLN_F32, 1, &p->state);
        if (st != LLN_OK) {
            snprintf(err, errlen, "cannot create a state: %s", lln_strerror(st));
            return 0;
        }
        p->ctrl.name = "float-host";
        p->ctrl.reset = float_reset;
        p->ctrl.act = float_act;
    }
    p->ctrl.ctx = p;
    return 1;
}

void rb_policy_close(rb_policy_t *p)
{
    lln_state_free(p->state);
    lln_quant_stream_free(p->stream);
    lln_quant_free(p->quant);
    p->state = NULL, p->stream = NULL, p->quant = NULL;
}
