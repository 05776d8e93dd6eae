/* Baseline cells (GRU, LSTM, windowed MLP): the library's float64 and float32 steps against
 * an independent float64 reference written here from the torch formulas, read straight from
 * the named tensors; Δt is ignored; configuration keys, names, sizes and errors; model files
 * round-trip bit for bit. */
#include <stdint.h>
#include <string.h>

#include "check.h"
#include "lln/format.h"
#include "lln/model.h"

enum { B = 2, T = 7, I = 3 };

static uint64_t rng = 0xBA5E11Eull;
static double urand(double lo, double hi)
{
    uint64_t z = (rng += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    z ^= z >> 31;
    return lo + (hi - lo) * (double)(z >> 11) * (1.0 / 9007199254740992.0);
}

static double sig(double v) { return 1.0 / (1.0 + exp(-v)); }

static const double *T_(const lln_model_t *m, const char *name)
{
    const lln_tensor_info_t *t = lln_model_find(m, name);
    CHECK_MSG(t != NULL, "no tensor %s", name);
    return t ? lln_model_params_const(m) + t->offset : NULL;
}

/* y = W x + b for a (out x in) row-major W. */
static void lin(const double *w, const double *b, int out, int in, const double *x, double *y)
{
    for (int o = 0; o < out; o++) {
        double a = b ? b[o] : 0;
        for (int i = 0; i < in; i++)
            a += w[o * in + i] * x[i];
        y[o] = a;
    }
}

static double act(lln_activation_t a, double v)
{
    switch (a) {
    case LLN_ACT_RELU: return v > 0 ? v : 0;
    case LLN_ACT_TANH: return tanh(v);
    case LLN_ACT_LECUN_TANH: return 1.7159 * tanh(0.666 * v);
    case LLN_ACT_SILU: return v * sig(v);
    default: return 0.5 * v * (1 + erf(v / sqrt(2.0)));
    }
}

/* One reference step of one sample: h (and c) updated, y written (normalisation applied). */
static void ref_step(const lln_model_t *m, const double *x, double *h, double *c, double *y)
{
    const lln_config_t *cf = lln_model_config(m);
    int N = lln_model_state_size(m), O = lln_model_output_size(m);
    double xn[I], cell[64], tmp[64];
    const double *mu = T_(m, "norm.input_mean"), *sd = T_(m, "norm.input_std");
    for (int i = 0; i < I; i++)
        xn[i] = (x[i] - mu[i]) / sd[i];
    int width = N;
    if (cf->cell == LLN_CELL_MLP) {
        memmove(h, h + I, (size_t)(N - I) * sizeof *h); /* oldest row dropped */
        memcpy(h + N - I, xn, sizeof xn);
        memcpy(cell, h, (size_t)N * sizeof *h);
        for (int l = 0; l < cf->backbone_layers; l++) {
            char wn[64], bn[64];
            snprintf(wn, sizeof wn, "rnn_cell.hidden.%d.weight", l);
            snprintf(bn, sizeof bn, "rnn_cell.hidden.%d.bias", l);
            lin(T_(m, wn), T_(m, bn), cf->backbone_units, width, cell, tmp);
            for (int k = 0; k < cf->backbone_units; k++)
                cell[k] = act(cf->activation, tmp[k]);
            width = cf->backbone_units;
        }
    } else {
        int G = cf->cell == LLN_CELL_GRU ? 3 : 4;
        double zi[64] = {0}, zh[64] = {0}; /* G N <= 20 here */
        lin(T_(m, "rnn_cell.weight_ih"), T_(m, "rnn_cell.bias_ih"), G * N, I, xn, zi);
        lin(T_(m, "rnn_cell.weight_hh"), T_(m, "rnn_cell.bias_hh"), G * N, N, h, zh);
        for (int j = 0; j < N; j++) {
            if (cf->cell == LLN_CELL_GRU) {
                double r = sig(zi[j] + zh[j]), z = sig(zi[N + j] + zh[N + j]);
                double n = tanh(zi[2 * N + j] + r * zh[2 * N + j]);
                h[j] = (1 - z) * n + z * h[j];
            } else {
                double ig = sig(zi[j] + zh[j]), fg = sig(zi[N + j] + zh[N + j]);
                double gg = tanh(zi[2 * N + j] + zh[2 * N + j]);
                double og = sig(zi[3 * N + j] + zh[3 * N + j]);
                c[j] = fg * c[j] + ig * gg;
                h[j] = og * tanh(c[j]);
            }
        }
        memcpy(cell, h, (size_t)N * sizeof *h);
    }
    if (cf->proj_size > 0) {
        lin(T_(m, "fc.weight"), T_(m, "fc.bias"), O, width, cell, tmp);
        memcpy(cell, tmp, (size_t)O * sizeof *tmp);
    }
    const double *ym = T_(m, "norm.output_mean"), *ys = T_(m, "norm.output_std");
    for (int o = 0; o < O; o++)
        y[o] = cell[o] * ys[o] + ym[o];
}

static lln_model_t *make(lln_cell_kind_t cell, void (*tweak)(lln_config_t *))
{
    lln_config_t c;
    lln_config_default(&c, cell);
    c.input_size = I;
    tweak(&c);
    lln_model_t *m = NULL;
    lln_error_t err = {LLN_OK, ""};
    CHECK_MSG(lln_model_create(&c, 11, &m, &err) == LLN_OK, "%s", err.msg);
    if (m == NULL)
        return NULL;
    double v[8];
    for (int i = 0; i < I; i++)
        v[i] = urand(-0.3, 0.3);
    CHECK(lln_model_set(m, "norm.input_mean", v, I, NULL) == LLN_OK);
    for (int i = 0; i < I; i++)
        v[i] = urand(0.5, 2.0);
    CHECK(lln_model_set(m, "norm.input_std", v, I, NULL) == LLN_OK);
    return m;
}

static void gru(lln_config_t *c)
{
    c->units = 5;
    c->proj_size = 2;
}
static void lstm(lln_config_t *c) { c->units = 4; }
static void mlp(lln_config_t *c)
{
    c->mlp_window = 4;
    c->backbone_layers = 2;
    c->backbone_units = 6;
    c->activation = LLN_ACT_TANH;
    c->proj_size = 2;
}
static void mlp_relu(lln_config_t *c)
{
    c->mlp_window = 5;
    c->backbone_units = 7;
    c->proj_size = 3;
}

/* Library (float64 and float32) against the reference on random sequences; two different
 * Δt sequences give the same outputs (discrete-time baselines ignore Δt). */
static void check_reference(const char *name, lln_cell_kind_t cell, void (*tweak)(lln_config_t *))
{
    lln_model_t *m = make(cell, tweak);
    if (m == NULL)
        return;
    int N = lln_model_state_size(m), O = lln_model_output_size(m), C = lln_model_memory_size(m);
    double x[B * T * I], dt[B * T], dt2[B * T], y[B * T * 8], y2[B * T * 8], yr[8];
    float xf[B * T * I], dtf[B * T], yf[B * T * 8];
    for (int i = 0; i < B * T * I; i++)
        xf[i] = (float)(x[i] = urand(-2, 2));
    for (int i = 0; i < B * T; i++) {
        dtf[i] = (float)(dt[i] = urand(0.1, 3));
        dt2[i] = urand(0.1, 3);
    }
    lln_state_t *s64 = NULL, *s32 = NULL;
    CHECK(lln_state_create(m, LLN_F64, B, &s64) == LLN_OK);
    CHECK(lln_state_create(m, LLN_F32, B, &s32) == LLN_OK);
    CHECK(lln_sequence_f64(m, s64, T, x, dt, y, NULL) == LLN_OK);
    lln_state_reset(s64);
    CHECK(lln_sequence_f64(m, s64, T, x, dt2, y2, NULL) == LLN_OK);
    CHECK(memcmp(y, y2, sizeof(double) * B * T * (size_t)O) == 0);
    CHECK(lln_sequence(m, s32, T, xf, dtf, yf, NULL) == LLN_OK);
    double worst = 0, worst32 = 0;
    for (int b = 0; b < B; b++) {
        double h[64] = {0}, c[64] = {0};
        for (int t = 0; t < T; t++) {
            size_t r = (size_t)b * T + (size_t)t;
            ref_step(m, x + r * I, h, c, yr);
            for (int o = 0; o < O; o++) {
                worst = fmax(worst, fabs(y[r * (size_t)O + o] - yr[o]));
                worst32 = fmax(worst32, fabs((double)yf[r * (size_t)O + o] - yr[o]));
            }
        }
        /* the final state too (window, h, LSTM memory) */
        double hs[B * 64] = {0}, cs[B * 64] = {0};
        CHECK(lln_state_get(s64, hs, C ? cs : NULL) == LLN_OK);
        for (int j = 0; j < N; j++)
            worst = fmax(worst, fabs(hs[b * N + j] - h[j]));
        for (int j = 0; j < C; j++)
            worst = fmax(worst, fabs(cs[b * N + j] - c[j]));
    }
    CHECK_MSG(worst < 1e-12, "%s: float64 differs from the reference by %g", name, worst);
    CHECK_MSG(worst32 < 1e-5, "%s: float32 differs from the reference by %g", name, worst32);
    printf("%-9s N=%d O=%d memory=%d: |f64 - ref| %.2g, |f32 - ref| %.2g\n", name, N, O, C, worst,
           worst32);
    /* the model file keeps every value and the configuration */
    unsigned char *buf = NULL;
    size_t len = 0;
    lln_model_t *m2 = NULL;
    CHECK(lln_model_save_mem(m, &buf, &len, NULL) == LLN_OK);
    CHECK(buf != NULL && lln_model_load_mem(buf, len, NULL, &m2, NULL) == LLN_OK);
    if (m2 != NULL) {
        CHECK(lln_model_config(m2)->cell == cell);
        CHECK(lln_model_config(m2)->mlp_window == lln_model_config(m)->mlp_window);
        CHECK(lln_model_param_count(m2) == lln_model_param_count(m));
        CHECK(memcmp(lln_model_params_const(m2), lln_model_params_const(m),
                     lln_model_param_count(m) * sizeof(double)) == 0);
    }
    free(buf);
    lln_model_free(m2);
    lln_state_free(s64);
    lln_state_free(s32);
    lln_model_free(m);
}

static void check_config(void)
{
    lln_config_t c;
    lln_error_t err = {LLN_OK, ""};
    static const char *const names[] = {"gru", "lstm", "mlp"};
    for (int k = 0; k < 3; k++) {
        lln_config_default(&c, LLN_CELL_LTC);
        CHECK(lln_config_set(&c, "cell", names[k], &err) == LLN_OK);
        CHECK((int)c.cell == LLN_CELL_GRU + k);
        CHECK(strcmp(lln_cell_name(c.cell), names[k]) == 0);
    }
    CHECK(lln_cell_name((lln_cell_kind_t)6) == NULL);
    /* sizes: torch's GRUCell (3N x I, 3N x N, 2 x 3N) and LSTMCell (4N) */
    size_t n = 0;
    lln_config_default(&c, LLN_CELL_GRU);
    c.input_size = 3, c.units = 5;
    CHECK(lln_config_param_count(&c, &n, NULL) == LLN_OK);
    CHECK_EQ_INT(n, 15 * 3 + 15 * 5 + 30 + 2 * 3 + 2 * 5); /* + norm tensors (I, O = N) */
    lln_config_default(&c, LLN_CELL_LSTM);
    c.input_size = 3, c.units = 5, c.proj_size = 2;
    CHECK(lln_config_param_count(&c, &n, NULL) == LLN_OK);
    CHECK_EQ_INT(n, 20 * 3 + 20 * 5 + 40 + 2 * 5 + 2 + 2 * 3 + 2 * 2);
    /* errors name the problem */
    c.mixed_memory = 1;
    CHECK(lln_config_param_count(&c, &n, &err) == LLN_E_CONFIG && strstr(err.msg, "mixed_memory"));
    lln_config_default(&c, LLN_CELL_MLP);
    CHECK(c.activation == LLN_ACT_RELU && c.mlp_window == 8);
    c.input_size = 3, c.units = 10;
    CHECK(lln_config_param_count(&c, &n, &err) == LLN_E_CONFIG && strstr(err.msg, "window"));
    CHECK(lln_config_set(&c, "mlp_window", "0", &err) == LLN_E_CONFIG);
    CHECK(lln_config_set(&c, "mlp_window", "3", &err) == LLN_OK && c.mlp_window == 3);
    c.units = 0;
    lln_model_t *m = NULL;
    CHECK(lln_model_create(&c, 1, &m, &err) == LLN_OK);
    if (m != NULL) {
        CHECK_EQ_INT(lln_model_state_size(m), 9);
        CHECK_EQ_INT(lln_model_memory_size(m), 0);
        CHECK_EQ_INT(lln_model_output_size(m), 128); /* the hidden layer, no fc */
        lln_model_stats_t st;
        lln_model_stats(m, &st);
        CHECK_EQ_INT(st.macs, 9 * 128);
        CHECK_EQ_INT(st.transcendentals, 0); /* relu */
    }
    lln_model_free(m);
    /* torch init: GRU/LSTM tensors within +-1/sqrt(N), not all equal */
    lln_config_default(&c, LLN_CELL_LSTM);
    c.input_size = 3, c.units = 16;
    CHECK(lln_model_create(&c, 5, &m, &err) == LLN_OK);
    if (m != NULL) {
        CHECK_EQ_INT(lln_model_memory_size(m), 16);
        const lln_tensor_info_t *t = lln_model_find(m, "rnn_cell.weight_hh");
        CHECK(t != NULL && t->dims[0] == 64 && t->dims[1] == 16);
        const double *w = lln_model_params_const(m) + (t ? t->offset : 0);
        double lo = 1, hi = -1;
        for (size_t i = 0; t && i < t->count; i++)
            lo = fmin(lo, w[i]), hi = fmax(hi, w[i]);
        CHECK(lo >= -0.25 && hi <= 0.25 && lo < -0.2 && hi > 0.2);
    }
    lln_model_free(m);
}

int main(void)
{
    check_config();
    check_reference("gru", LLN_CELL_GRU, gru);
    check_reference("lstm", LLN_CELL_LSTM, lstm);
    check_reference("mlp", LLN_CELL_MLP, mlp);
    check_reference("mlp_relu", LLN_CELL_MLP, mlp_relu);
    return check_done("test_baselines");
}
