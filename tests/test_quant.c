/* Post-training quantization: calibrate models of every kind the fixed-point runtime runs,
 * check that the fixed-point outputs track the float64 model (error relative to the output
 * range), that the formats survive the metadata round trip, that unsupported models and bad
 * data are refused with a message, and that Δt really is a run-time argument. */
#include <string.h>

#include "check.h"
#include "lln/format.h"
#include "lln/model.h"
#include "lln/quant.h"

#define T 80
#define B 3

typedef struct {
    const char *name;
    lln_cell_kind_t cell;
    int units, bb_layers, bb_units, act, mode, proj, autoncp;
    double tol; /* max |fixed - float| / output range */
} spec_t;

static lln_model_t *make(const spec_t *s, int inputs)
{
    lln_config_t c;
    lln_config_default(&c, s->cell);
    c.input_size = inputs;
    c.units = s->units;
    if (s->autoncp) {
        c.wiring.kind = LLN_WIRING_AUTONCP;
        c.wiring.seed = 22222;
        c.wiring.sparsity = 0.5;
        c.wiring.output_dim = 4;
    }
    if (s->cell != LLN_CELL_LTC)
        c.mode = (lln_cfc_mode_t)s->mode;
    if (s->cell == LLN_CELL_MLP) { /* units: the window; the state is mlp_window x inputs */
        c.units = 0;
        c.mlp_window = s->units;
    }
    if (s->cell == LLN_CELL_GRU || s->cell == LLN_CELL_LSTM)
        c.proj_size = s->proj;
    if (s->cell == LLN_CELL_CFC || s->cell == LLN_CELL_MLP) {
        c.backbone_layers = s->bb_layers;
        c.backbone_units = s->bb_units;
        c.activation = (lln_activation_t)s->act;
        c.proj_size = s->proj;
    }
    lln_model_t *m = NULL;
    lln_error_t err = {LLN_OK, ""};
    CHECK_MSG(lln_model_create(&c, 7, &m, &err) == LLN_OK, "%s: %s", s->name, err.msg);
    return m;
}

/* Smooth inputs on several scales with irregular Δt, one saturating burst. */
static void data(int I, double *x, double *dt)
{
    for (int b = 0; b < B; b++)
        for (int t = 0; t < T; t++) {
            size_t k = (size_t)b * T + t;
            for (int i = 0; i < I; i++)
                x[k * I + i] = (1.0 + i % 3) * sin(0.21 * t * (1 + 0.3 * b) + i) + 0.3 * i;
            dt[k] = 0.05 + 0.9 * (double)((t * 7 + b) % 11) / 10.0;
        }
}

static void check_model(const spec_t *s)
{
    const int I = 8;
    lln_model_t *m = make(s, I);
    if (m == NULL)
        return;
    int O = lln_model_output_size(m);
    double *x = calloc((size_t)B * T * I, sizeof *x), *dt = calloc((size_t)B * T, sizeof *dt);
    double *yf = calloc((size_t)B * T * O, sizeof *yf), *yq = calloc((size_t)B * T * O, sizeof *yq);
    data(I, x, dt);
    lln_error_t err = {LLN_OK, ""};
    CHECK(!lln_model_is_quantized(m));
    CHECK_MSG(lln_quant_calibrate(m, B, T, x, dt, &err) == LLN_OK, "%s: %s", s->name, err.msg);
    CHECK(lln_model_is_quantized(m));
    lln_state_t *st;
    CHECK(lln_state_create(m, LLN_F64, 1, &st) == LLN_OK);
    for (int b = 0; b < B; b++) {
        lln_state_reset(st);
        size_t k = (size_t)b * T;
        CHECK(lln_sequence_f64(m, st, T, x + k * I, dt + k, yf + k * O, NULL) == LLN_OK);
    }
    lln_state_free(st);
    lln_quant_t *q = NULL;
    CHECK_MSG(lln_quant_create(m, &q, &err) == LLN_OK, "%s: %s", s->name, err.msg);
    if (q) {
        CHECK_MSG(lln_quant_run(q, B, T, x, dt, yq, NULL, &err) == LLN_OK, "%s", err.msg);
        double lo = 1e300, hi = -1e300, worst = 0;
        for (size_t k = 0; k < (size_t)B * T * O; k++) {
            lo = fmin(lo, yf[k]), hi = fmax(hi, yf[k]);
            worst = fmax(worst, fabs(yf[k] - yq[k]));
        }
        double rel = worst / fmax(hi - lo, 1e-9);
        lln_quant_sizes_t sz;
        lln_quant_sizes(q, &sz);
        printf(
            "%-22s range %8.4f  max err %.5f  rel %.4f  weights %zu B state %zu B scratch %zu B\n",
            s->name, hi - lo, worst, rel, sz.weight_bytes, sz.state_bytes, sz.scratch_bytes);
        CHECK_MSG(rel <= s->tol, "%s: relative error %.4f > %.4f", s->name, rel, s->tol);
        lln_quant_free(q);
    }
    /* the formats survive a save/load round trip and give the same tables */
    unsigned char *buf = NULL;
    size_t len = 0;
    lln_model_t *m2 = NULL;
    CHECK(lln_model_save_mem(m, &buf, &len, &err) == LLN_OK);
    CHECK(lln_model_load_mem(buf, len, "mem", &m2, &err) == LLN_OK);
    if (m2) {
        double *y2 = calloc((size_t)B * T * O, sizeof *y2);
        lln_quant_t *q2 = NULL;
        CHECK(lln_quant_create(m2, &q2, &err) == LLN_OK);
        CHECK(q2 && lln_quant_run(q2, B, T, x, dt, y2, NULL, &err) == LLN_OK);
        CHECK(memcmp(y2, yq, (size_t)B * T * O * sizeof *y2) == 0);
        lln_quant_free(q2);
        lln_model_free(m2);
        free(y2);
    }
    free(buf);
    free(x), free(dt), free(yf), free(yq);
    lln_model_free(m);
}

static void refusals(void)
{
    lln_config_t c;
    lln_config_default(&c, LLN_CELL_CFC);
    c.input_size = 2, c.units = 4, c.mixed_memory = 1;
    lln_model_t *m = NULL;
    lln_error_t err = {LLN_OK, ""};
    double x[4] = {0, 1, 2, 3}, dt[2] = {1, -1};
    CHECK(lln_model_create(&c, 1, &m, &err) == LLN_OK);
    CHECK(lln_quant_calibrate(m, 1, 2, x, NULL, &err) == LLN_E_UNSUPPORTED);
    CHECK(strstr(err.msg, "mixed memory") != NULL);
    lln_model_free(m);
    c.mixed_memory = 0;
    CHECK(lln_model_create(&c, 1, &m, &err) == LLN_OK);
    lln_quant_t *q = NULL;
    CHECK(lln_quant_create(m, &q, &err) == LLN_E_NOTFOUND && q == NULL);
    CHECK(lln_quant_calibrate(m, 1, 2, x, dt, &err) == LLN_E_DT);
    x[3] = NAN;
    CHECK(lln_quant_calibrate(m, 1, 2, x, NULL, &err) == LLN_E_ARG);
    CHECK(strstr(err.msg, "not finite") != NULL);
    /* malformed formats text is refused with the entry named */
    CHECK(lln_model_set_meta(m, "quant.formats", "dt=20 x=1") == LLN_OK);
    CHECK(lln_quant_create(m, &q, &err) == LLN_E_FORMAT);
    CHECK(strstr(err.msg, "'x'") != NULL);
    lln_model_free(m);
    /* the MLP baseline needs its output layer; a GRU's formats need their gin/ghn entries */
    lln_config_default(&c, LLN_CELL_MLP);
    c.input_size = 2;
    CHECK(lln_model_create(&c, 1, &m, &err) == LLN_OK);
    CHECK(lln_quant_calibrate(m, 1, 2, x, NULL, &err) == LLN_E_UNSUPPORTED);
    CHECK_MSG(strstr(err.msg, "output layer") != NULL, "%s", err.msg);
    lln_model_free(m);
    lln_config_default(&c, LLN_CELL_GRU);
    c.input_size = 2, c.units = 3;
    CHECK(lln_model_create(&c, 1, &m, &err) == LLN_OK);
    x[3] = 3;
    CHECK(lln_quant_calibrate(m, 1, 2, x, NULL, &err) == LLN_OK);
    const char *fm = lln_model_get_meta(m, "quant.formats");
    CHECK(fm != NULL && strstr(fm, " gin=") != NULL && strstr(fm, " ghn=") != NULL);
    CHECK(lln_model_set_meta(m, "quant.formats",
                             "dt=20 x=1,1 y=1,1,1 v=0 xin=0 xn=1,1 h= ff= t= act= p=1 gin=3") ==
          LLN_OK);
    CHECK(lln_quant_create(m, &q, &err) == LLN_E_FORMAT);
    CHECK_MSG(strstr(err.msg, "'ghn'") != NULL, "%s", err.msg);
    lln_model_free(m);
}

int main(void)
{
    static const spec_t specs[] = {
        {"ltc_autoncp19", LLN_CELL_LTC, 19, 0, 0, 0, 0, 0, 1, 0.02},
        {"ltc_fc12", LLN_CELL_LTC, 12, 0, 0, 0, 0, 0, 0, 0.02},
        {"cfc32_lecun", LLN_CELL_CFC, 32, 1, 128, 0, 0, 0, 0, 0.03},
        {"cfc16_tanh_bb2", LLN_CELL_CFC, 16, 2, 24, 1, 0, 0, 0, 0.03},
        {"cfc16_relu_nogate", LLN_CELL_CFC, 16, 1, 24, 2, 1, 0, 0, 0.03},
        {"cfc16_silu", LLN_CELL_CFC, 16, 1, 24, 3, 0, 0, 0, 0.03},
        {"cfc16_gelu_proj", LLN_CELL_CFC, 16, 1, 24, 4, 0, 3, 0, 0.03},
        {"cfc16_pure", LLN_CELL_CFC, 16, 1, 24, 1, 2, 0, 0, 0.03},
        {"cfc12_bb0", LLN_CELL_CFC, 12, 0, 0, 0, 0, 0, 0, 0.03},
        {"wcfc_autoncp19", LLN_CELL_WIRED_CFC, 19, 0, 0, 0, 0, 0, 1, 0.03},
        {"wcfc_autoncp19_nogate", LLN_CELL_WIRED_CFC, 19, 0, 0, 0, 1, 0, 1, 0.03},
        {"wcfc_autoncp19_pure", LLN_CELL_WIRED_CFC, 19, 0, 0, 0, 2, 0, 1, 0.03},
        /* the MLP baseline (units = its window of input rows; an output layer is required) */
        {"mlp_w4_relu", LLN_CELL_MLP, 4, 1, 24, 2, 0, 3, 0, 0.03},
        {"mlp_w6_tanh_bb2", LLN_CELL_MLP, 6, 2, 16, 1, 0, 2, 0, 0.03},
        {"mlp_w3_lecun", LLN_CELL_MLP, 3, 1, 24, 0, 0, 2, 0, 0.03},
        {"mlp_w2_gelu", LLN_CELL_MLP, 2, 1, 12, 4, 0, 2, 0, 0.03},
        {"mlp_w5_bb0", LLN_CELL_MLP, 5, 0, 0, 2, 0, 3, 0, 0.03},
        /* GRU / LSTM (h in Q0.15, the LSTM memory in its calibrated format) */
        {"gru16", LLN_CELL_GRU, 16, 0, 0, 0, 0, 0, 0, 0.03},
        {"gru24_proj", LLN_CELL_GRU, 24, 0, 0, 0, 0, 3, 0, 0.03},
        {"lstm16", LLN_CELL_LSTM, 16, 0, 0, 0, 0, 0, 0, 0.03},
        {"lstm24_proj", LLN_CELL_LSTM, 24, 0, 0, 0, 0, 2, 0, 0.03},
    };
    for (size_t i = 0; i < sizeof specs / sizeof specs[0]; i++)
        check_model(&specs[i]);
    refusals();
    return check_failures_;
}
