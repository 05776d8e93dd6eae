/* An optimizer step rebuilds only the float32 kernel tables and marks the float64 ones stale
 * (float32 training never reads them); the first float64 call after it must rebuild them, so
 * every float64 entry point (sequence, multi-threaded sequence, tape forward and backward)
 * gives exactly what a model fully prepared from the same parameters gives. The outputs are
 * also compared with those before the step: a float64 path that read the stale tables would
 * reproduce them and fail. */
#include <string.h>

#include "check.h"
#include "lln/grad.h"
#include "lln/model.h"
#include "lln/train.h"

enum { B = 20, T = 5, MAXO = 16 };

typedef struct run {
    double y[B * T * MAXO], ymt[B * T * MAXO], ytape[B * T * MAXO];
    double *grad;
} run_t;

/* Every float64 entry point on m from a zero state; grad gets the tape's gradient for dy. */
static void run_f64(lln_model_t *m, const double *x, const double *dt, const double *dy, run_t *r)
{
    lln_state_t *s = NULL;
    CHECK(lln_state_create(m, LLN_F64, B, &s) == LLN_OK);
    CHECK(lln_sequence_f64(m, s, T, x, dt, r->y, NULL) == LLN_OK);
    lln_state_reset(s);
    CHECK(lln_sequence_mt_f64(m, s, 2, T, x, dt, r->ymt, NULL) == LLN_OK);
    lln_state_free(s);
    lln_tape_t *t = NULL;
    CHECK(lln_tape_create(m, LLN_F64, B, T, &t) == LLN_OK);
    memset(r->grad, 0, lln_model_param_count(m) * sizeof *r->grad);
    CHECK(lln_tape_forward_f64(t, B, T, x, dt, NULL, NULL, r->ytape) == LLN_OK);
    CHECK(lln_tape_backward_f64(t, dy, r->grad, NULL, NULL, NULL) == LLN_OK);
    lln_tape_free(t);
}

static void check_cell(lln_cell_kind_t cell, const char *what)
{
    lln_config_t c;
    lln_config_default(&c, cell);
    c.input_size = 3;
    c.units = 8;
    lln_model_t *m = NULL, *fresh = NULL;
    lln_error_t err = {LLN_OK, ""};
    CHECK_MSG(lln_model_create(&c, 3, &m, &err) == LLN_OK, "%s: %s", what, err.msg);
    CHECK(lln_model_create(&c, 3, &fresh, &err) == LLN_OK);
    if (m == NULL || fresh == NULL)
        return;
    int I = lln_model_input_size(m), O = lln_model_output_size(m);
    size_t P = lln_model_param_count(m), ny = (size_t)B * T * (size_t)O;
    CHECK(O <= MAXO);
    static double x[B * T * 3], dt[B * T], dy[B * T * MAXO];
    for (int i = 0; i < B * T * I; i++)
        x[i] = 0.8 * __builtin_cos(0.13 * i);
    for (int i = 0; i < B * T; i++)
        dt[i] = 0.5 + 0.25 * (i % 3);
    for (size_t i = 0; i < ny; i++)
        dy[i] = 0.01 * (double)((int)(i % 7) - 3);
    static run_t before, after, ref;
    double *g = calloc(3 * P, sizeof *g), *step = calloc(P, sizeof *step);
    CHECK(g != NULL && step != NULL);
    if (g == NULL || step == NULL) {
        free(g);
        free(step);
        return;
    }
    before.grad = g;
    after.grad = g + P;
    ref.grad = g + 2 * P;
    run_f64(m, x, dt, dy, &before);

    /* one Adam step on m along the gradient just computed */
    lln_optim_config_t oc;
    lln_optim_config_default(&oc);
    oc.lr = 0.05;
    lln_optim_t *o = NULL;
    CHECK(lln_optim_create(m, &oc, &o, &err) == LLN_OK);
    memcpy(step, before.grad, P * sizeof *step);
    CHECK_MSG(lln_optim_step(o, m, step, NULL, &err) == LLN_OK, "%s: step: %s", what, err.msg);
    lln_optim_free(o);

    /* the same parameters in a model prepared in full */
    memcpy(lln_model_params(fresh), lln_model_params_const(m), P * sizeof(double));
    CHECK(lln_model_prepare(fresh, &err) == LLN_OK);
    run_f64(m, x, dt, dy, &after);
    run_f64(fresh, x, dt, dy, &ref);
    size_t yb = ny * sizeof(double);
    CHECK_MSG(memcmp(after.y, ref.y, yb) == 0, "%s: f64 sequence after a step", what);
    CHECK_MSG(memcmp(after.ymt, ref.ymt, yb) == 0, "%s: f64 sequence_mt after a step", what);
    CHECK_MSG(memcmp(after.ytape, ref.ytape, yb) == 0, "%s: f64 tape forward after a step", what);
    CHECK_MSG(memcmp(after.grad, ref.grad, P * sizeof(double)) == 0,
              "%s: f64 tape gradient after a step", what);
    CHECK_MSG(memcmp(after.y, before.y, yb) != 0, "%s: the step changed no f64 output", what);
    free(g);
    free(step);
    lln_model_free(m);
    lln_model_free(fresh);
}

int main(void)
{
    check_cell(LLN_CELL_CFC, "cfc");
    check_cell(LLN_CELL_LTC, "ltc");
    return check_failures_ ? 1 : 0;
}
