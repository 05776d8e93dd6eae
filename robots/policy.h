/* A trained model as a controller of a robot task (robots/policy.c). */
#ifndef LLN_ROBOTS_POLICY_H
#define LLN_ROBOTS_POLICY_H

#include <string.h>

#include "lln/model.h"
#include "lln/quant.h"
#include "robots.h"

typedef struct rb_policy {
    rb_controller_t ctrl; /* ctx points back here */
    const lln_model_t *model;
    int inputs, outputs;
    lln_state_t *state; /* float32 host */
    lln_quant_t *quant; /* fixed point */
    lln_quant_stream_t *stream;
} rb_policy_t;

/* Checks the model's input and output counts against the task; quantized: the fixed-point
 * runtime (the model must be calibrated). 0 + message on failure. */
int rb_policy_open(rb_policy_t *p, const lln_model_t *m, const rb_task_t *t, int quantized,
                   char *err, size_t errlen);
void rb_policy_close(rb_policy_t *p);

/* One fixed-point step: the integer inputs and Δt it fed the runtime, its integer outputs,
 * and their values. 0 + message on failure. */
int rb_quant_step(rb_policy_t *p, const double *obs, double dt, short *xq, long *dtq, short *yq,
                  double *cmd, char *err, size_t errlen);

#endif
