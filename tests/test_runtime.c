/* The firmware runtime (runtime/lln_rt.c, float32, no libm) on tables built from a model
 * agrees with the host library's float64 step within 1e-5 over irregular Δt, for every
 * cell kind (the GRU / LSTM / MLP baselines included); and it rejects bad Δt / inputs without touching the state. */
#include <string.h>

#include "check.h"
#include "lln/model.h"
#include "deploy/rt_image.h"

static lln_model_t *make(lln_cell_kind_t cell, int variant)
{
    lln_config_t c;
    lln_config_default(&c, cell);
    c.input_size = 3;
    c.units = 7;
    if (cell != LLN_CELL_CFC && variant == 1) {
        c.wiring.kind = LLN_WIRING_AUTONCP;
        c.wiring.seed = 22222;
        c.wiring.sparsity = 0.5;
        c.units = 10;
        c.wiring.output_dim = 2;
    }
    if (cell == LLN_CELL_CFC) {
        c.backbone_units = 9;
        c.backbone_layers = variant % 3;
        c.activation = (lln_activation_t)(variant % 5);
        c.mode = (lln_cfc_mode_t)(variant % 3);
        c.proj_size = variant == 2 ? 2 : 0;
    }
    if (cell == LLN_CELL_WIRED_CFC)
        c.mode = (lln_cfc_mode_t)(variant % 3);
    c.mixed_memory = variant == 3;
    lln_model_t *m = NULL;
    lln_error_t err = {LLN_OK, ""};
    CHECK_MSG(lln_model_create(&c, (unsigned long long)variant + 1, &m, &err) == LLN_OK, "%s",
              err.msg);
    return m;
}

/* GRU / LSTM (with and without the output layer) and the MLP (0-2 hidden layers, every
 * activation). */
static lln_model_t *make_baseline(lln_cell_kind_t cell, int variant)
{
    lln_config_t c;
    lln_config_default(&c, cell);
    c.input_size = 3;
    c.units = cell == LLN_CELL_MLP ? 0 : 7;
    c.proj_size = variant % 2 ? 2 : 0;
    c.mlp_window = 4;
    c.backbone_units = 8;
    c.backbone_layers = variant % 3;
    c.activation = (lln_activation_t)(variant % 5);
    if (cell == LLN_CELL_MLP && c.backbone_layers == 0)
        c.proj_size = 3;
    lln_model_t *m = NULL;
    lln_error_t err = {LLN_OK, ""};
    CHECK_MSG(lln_model_create(&c, (unsigned long long)variant + 3, &m, &err) == LLN_OK, "%s",
              err.msg);
    return m;
}

static void compare(lln_model_t *m, const char *what)
{
    lln_rt_image_t img;
    lln_error_t err = {LLN_OK, ""};
    if (lln__rt_image_build(m, &img, &err) != LLN_OK) {
        CHECK_MSG(0, "%s: %s", what, err.msg);
        return;
    }
    const lln_rt_model_t *r = &img.model;
    float *state = calloc(r->state_floats, sizeof(float));
    float *scratch = calloc(r->scratch_floats, sizeof(float));
    lln_state_t *s;
    CHECK(lln_state_create(m, LLN_F64, 1, &s) == LLN_OK);
    double maxerr = 0;
    for (int t = 0; t < 60; t++) {
        float xf[3], yf[8];
        double xd[3], yd[8];
        for (int i = 0; i < 3; i++)
            xd[i] = xf[i] = (float)(1.5 * __builtin_sin(0.37 * t + i) + (t == 30 ? 4.0 : 0.0));
        float dt = 0.05f + 0.9f * (float)((t * 7) % 11) / 10.0f;
        CHECK(lln_rt_step(r, state, xf, dt, yf, scratch) == LLN_RT_OK);
        CHECK(lln_step_f64(m, s, xd, dt, yd) == LLN_OK);
        for (int o = 0; o < lln_model_output_size(m); o++)
            maxerr = fmax(maxerr, fabs(yf[o] - yd[o]));
    }
    CHECK_MSG(maxerr < 1e-5, "%s: runtime vs library max error %.3g", what, maxerr);
    /* bad dt and inputs are refused and leave the state alone */
    float before[64], x[3] = {0, 0, 0};
    memcpy(before, state, r->state_floats * sizeof(float));
    CHECK_EQ_INT(lln_rt_step(r, state, x, 0.0f, NULL, scratch), LLN_RT_E_DT);
    CHECK_EQ_INT(lln_rt_step(r, state, x, -1.0f, NULL, scratch), LLN_RT_E_DT);
    CHECK_EQ_INT(lln_rt_step(r, state, x, NAN, NULL, scratch), LLN_RT_E_DT);
    CHECK_EQ_INT(lln_rt_step(r, state, x, INFINITY, NULL, scratch), LLN_RT_E_DT);
    CHECK_EQ_INT(lln_rt_step(r, state, x, 1e-38f, NULL, scratch), LLN_RT_E_DT);
    x[1] = NAN;
    CHECK_EQ_INT(lln_rt_step(r, state, x, 1.0f, NULL, scratch), LLN_RT_E_INPUT);
    CHECK(memcmp(before, state, r->state_floats * sizeof(float)) == 0);
    printf("%-28s max |runtime - library f64| = %.2e, %zu weight bytes\n", what, maxerr,
           img.weight_bytes);
    lln_state_free(s);
    free(state);
    free(scratch);
    lln__rt_image_free(&img);
}

int main(void)
{
    static const char *const cells[] = {"ltc", "cfc", "wired_cfc"};
    for (int cell = 0; cell < 3; cell++)
        for (int v = 0; v < 5; v++) {
            char what[64];
            snprintf(what, sizeof what, "%s variant %d", cells[cell], v);
            lln_model_t *m = make((lln_cell_kind_t)cell, v);
            if (m != NULL)
                compare(m, what);
            lln_model_free(m);
        }
    static const char *const baselines[] = {"gru", "lstm", "mlp"};
    for (int k = 0; k < 3; k++)
        for (int v = 0; v < 5; v++) {
            char what[64];
            snprintf(what, sizeof what, "%s variant %d", baselines[k], v);
            lln_model_t *m = make_baseline((lln_cell_kind_t)(LLN_CELL_GRU + k), v);
            if (m != NULL)
                compare(m, what);
            lln_model_free(m);
        }
    return check_done("test_runtime");
}
