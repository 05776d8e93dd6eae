/* The LTC's dense readout (config readout = dense, docs/DESIGN.md "The LTC's dense readout"):
 * the configuration key and its refusals, the tensors and their initialisation, the forward
 * against an independent float64 reference y = W v + b computed from the recorded states,
 * the cell itself unchanged (the same states as a motor-readout model with the same cell
 * parameters), float32 against float64, and a model-file round trip. The gradient is checked
 * by finite differences in test_grad.c (specs ltc_dense_*). */
#include <stdint.h>
#include <string.h>

#include "check.h"
#include "lln/format.h"
#include "lln/model.h"
#include "lln/util.h"

enum { I = 3, B = 19, T = 6, O = 4 }; /* B = 19: lane blocks and single samples both run */

static lln_rng_t rng = {0x5eed0123ull};
static double urand(double lo, double hi)
{
    return lo + (hi - lo) * (double)(lln_rng_next(&rng) >> 11) * (1.0 / 9007199254740992.0);
}

/* AutoNCP(12, 2): two motor neurons, but the dense readout has O = 4 outputs. */
static void ncp_config(lln_config_t *c, lln_readout_t readout)
{
    lln_config_default(c, LLN_CELL_LTC);
    c->input_size = I;
    lln_wiring_spec_default(&c->wiring, LLN_WIRING_AUTONCP);
    c->wiring.units = 12;
    c->wiring.output_dim = 2;
    c->wiring.sparsity = 0.5;
    c->readout = readout;
    c->proj_size = readout == LLN_READOUT_DENSE ? O : 0;
}

static lln_model_t *create(const lln_config_t *c, const char *what)
{
    lln_model_t *m = NULL;
    lln_error_t err = {LLN_OK, ""};
    CHECK_MSG(lln_model_create(c, 5, &m, &err) == LLN_OK, "%s: %s", what, err.msg);
    return m;
}

static void collect_key(const char *key, const char *value, void *ctx)
{
    char *buf = ctx;
    size_t n = strlen(buf);
    snprintf(buf + n, 1024 - n, "%s=%s\n", key, value);
}

static void check_config(void)
{
    lln_config_t c;
    lln_error_t err = {LLN_OK, ""};
    char text[1024] = "";
    lln_config_default(&c, LLN_CELL_LTC);
    CHECK(c.readout == LLN_READOUT_MOTOR);
    CHECK(lln_config_set(&c, "readout", "dense", &err) == LLN_OK && c.readout == LLN_READOUT_DENSE);
    CHECK(lln_config_set(&c, "readout", "wide", &err) == LLN_E_CONFIG);
    CHECK_MSG(strstr(err.msg, "readout = 'wide' is not one of: motor, dense") != NULL, "%s",
              err.msg);
    CHECK(strcmp(lln_readout_name(LLN_READOUT_DENSE), "dense") == 0);
    CHECK(lln_readout_name((lln_readout_t)7) == NULL);

    /* a motor model's key=value text has no readout key (files written before stay the same) */
    ncp_config(&c, LLN_READOUT_MOTOR);
    lln_model_t *m = create(&c, "motor");
    if (m != NULL)
        lln_config_foreach(lln_model_config(m), collect_key, text);
    CHECK_MSG(strstr(text, "readout") == NULL, "%s", text);
    lln_model_free(m);
    text[0] = '\0';
    ncp_config(&c, LLN_READOUT_DENSE);
    m = create(&c, "dense");
    if (m != NULL)
        lln_config_foreach(lln_model_config(m), collect_key, text);
    CHECK_MSG(strstr(text, "readout=dense\n") != NULL && strstr(text, "proj_size=4\n") != NULL &&
                  strstr(text, "output_mapping=none\n") != NULL,
              "%s", text);
    lln_model_free(m);

    /* refusals, each naming the key */
    ncp_config(&c, LLN_READOUT_MOTOR);
    c.proj_size = 3;
    CHECK(lln_model_create(&c, 1, &m, &err) == LLN_E_CONFIG && m == NULL);
    CHECK_MSG(strstr(err.msg, "proj_size = 3 needs readout = dense") != NULL, "%s", err.msg);
    lln_config_default(&c, LLN_CELL_CFC);
    c.input_size = 2, c.units = 4, c.readout = LLN_READOUT_DENSE;
    CHECK(lln_config_validate(&c, &err) == LLN_E_CONFIG);
    CHECK_MSG(strstr(err.msg, "readout = dense is for the ltc only") != NULL, "%s", err.msg);
    lln_config_default(&c, LLN_CELL_LTC);
    c.input_size = 2, c.units = 4, c.wiring.units = 4, c.readout = (lln_readout_t)2;
    CHECK(lln_config_validate(&c, &err) == LLN_E_CONFIG);
    CHECK_MSG(strstr(err.msg, "bad readout value 2") != NULL, "%s", err.msg);

    /* without proj_size the dense readout has one output per motor neuron */
    ncp_config(&c, LLN_READOUT_DENSE);
    c.proj_size = 0;
    m = create(&c, "dense default outputs");
    CHECK(m != NULL && lln_model_output_size(m) == 2 && lln_model_config(m)->proj_size == 2);
    lln_model_free(m);
}

/* fc.weight O x N and fc.bias O replace output_w/output_b; torch Linear's initialisation. */
static void check_tensors(const lln_model_t *m)
{
    int N = lln_model_state_size(m);
    CHECK_EQ_INT(N, 12);
    CHECK_EQ_INT(lln_model_output_size(m), O);
    CHECK(lln_model_find(m, "rnn_cell.output_w") == NULL);
    CHECK(lln_model_find(m, "rnn_cell.output_b") == NULL);
    const lln_tensor_info_t *w = lln_model_find(m, "fc.weight"), *b = lln_model_find(m, "fc.bias");
    CHECK(w != NULL && b != NULL);
    if (w == NULL || b == NULL)
        return;
    CHECK(w->dims[0] == O && w->dims[1] == N && b->count == (size_t)O);
    CHECK(w->flags & LLN_TENSOR_TRAINABLE);
    const double *p = lln_model_params_const(m);
    double bound = 1.0 / sqrt((double)N), mx = 0;
    for (size_t i = 0; i < w->count; i++)
        mx = fmax(mx, fabs(p[w->offset + i]));
    for (size_t i = 0; i < b->count; i++)
        mx = fmax(mx, fabs(p[b->offset + i]));
    CHECK_MSG(mx > 0.3 * bound && mx <= bound, "max |fc| %g, bound 1/sqrt(N) = %g", mx, bound);
    lln_model_stats_t st;
    lln_model_stats(m, &st);
    CHECK_MSG(st.macs >= (long)(O * N), "macs %ld do not include the %d x %d readout", st.macs, O,
              N);
}

/* Non-identity output normalisation, so the reference must de-normalise too. */
static void set_norm(lln_model_t *m)
{
    double mean[O], sd[O];
    for (int o = 0; o < O; o++)
        mean[o] = urand(-1, 1), sd[o] = urand(0.5, 2);
    CHECK(lln_model_set(m, "norm.output_mean", mean, O, NULL) == LLN_OK);
    CHECK(lln_model_set(m, "norm.output_std", sd, O, NULL) == LLN_OK);
}

static void check_forward(lln_model_t *dense, lln_model_t *motor)
{
    int N = lln_model_state_size(dense);
    static double x[B * T * I], dt[B * T], y[B * T * O], hs[B * T * 12], hm[B * T * 12];
    static double ym[B * T * 2];
    static float xf[B * T * I], dtf[B * T], yf[B * T * O];
    for (int i = 0; i < B * T * I; i++)
        xf[i] = (float)(x[i] = urand(-2, 2));
    for (int i = 0; i < B * T; i++)
        dtf[i] = (float)(dt[i] = urand(0.05, 2)); /* irregular */
    /* the motor model gets the dense model's cell parameters (every rnn_cell.* tensor both have) */
    for (size_t k = 0; k < lln_model_tensor_count(motor); k++) {
        const lln_tensor_info_t *t = lln_model_tensor(motor, k),
                                *d = lln_model_find(dense, t->name);
        if (d != NULL && strncmp(t->name, "rnn_cell.", 9) == 0)
            CHECK(lln_model_set(motor, t->name, lln_model_params_const(dense) + d->offset, d->count,
                                NULL) == LLN_OK);
    }
    lln_state_t *s = NULL, *sm = NULL, *sf = NULL;
    CHECK(lln_state_create(dense, LLN_F64, B, &s) == LLN_OK);
    CHECK(lln_state_create(motor, LLN_F64, B, &sm) == LLN_OK);
    CHECK(lln_state_create(dense, LLN_F32, B, &sf) == LLN_OK);
    if (s == NULL || sm == NULL || sf == NULL)
        return;
    CHECK(lln_sequence_f64(dense, s, T, x, dt, y, hs) == LLN_OK);
    CHECK(lln_sequence_f64(motor, sm, T, x, dt, ym, hm) == LLN_OK);
    CHECK(lln_sequence(dense, sf, T, xf, dtf, yf, NULL) == LLN_OK);
    int differ = 0;
    for (int i = 0; i < B * T * N; i++)
        differ += hs[i] != hm[i];
    CHECK_MSG(differ == 0, "the dense readout changed %d of the cell's states", differ);

    const double *p = lln_model_params_const(dense);
    const double *W = p + lln_model_find(dense, "fc.weight")->offset;
    const double *bias = p + lln_model_find(dense, "fc.bias")->offset;
    const double *mean = p + lln_model_find(dense, "norm.output_mean")->offset;
    const double *sd = p + lln_model_find(dense, "norm.output_std")->offset;
    double worst = 0, worst32 = 0, ymax = 0;
    for (int r = 0; r < B * T; r++)
        for (int o = 0; o < O; o++) {
            double z = bias[o];
            for (int j = 0; j < N; j++)
                z += W[o * N + j] * hs[(size_t)r * N + j];
            double ref = z * sd[o] + mean[o], got = y[(size_t)r * O + o];
            worst = fmax(worst, fabs(got - ref) / fmax(1, fabs(ref)));
            worst32 = fmax(worst32, fabs((double)yf[(size_t)r * O + o] - got) / fmax(1, fabs(got)));
            ymax = fmax(ymax, fabs(ref));
        }
    CHECK_MSG(worst <= 1e-13, "float64 y vs W v + b: relative error %g", worst);
    CHECK_MSG(worst32 <= 1e-5, "float32 vs float64 y: relative error %g", worst32);
    CHECK_MSG(ymax > 0.1, "outputs too small to test anything (max |y| %g)", ymax);
    printf("dense readout: %d x %d steps, float64 vs W v + b %.2g, float32 vs float64 %.2g\n", B, T,
           worst, worst32);
    lln_state_free(s);
    lln_state_free(sm);
    lln_state_free(sf);
}

static void check_file(const lln_model_t *m)
{
    unsigned char *buf = NULL;
    size_t len = 0;
    lln_model_t *back = NULL;
    lln_error_t err = {LLN_OK, ""};
    CHECK(lln_model_save_mem(m, &buf, &len, &err) == LLN_OK);
    CHECK_MSG(lln_model_load_mem(buf, len, "dense.lln", &back, &err) == LLN_OK, "%s", err.msg);
    if (back != NULL) {
        const lln_config_t *c = lln_model_config(back);
        CHECK(c->readout == LLN_READOUT_DENSE && c->proj_size == O);
        CHECK(lln_model_param_count(back) == lln_model_param_count(m));
        const double *a = lln_model_params_const(back), *b = lln_model_params_const(m);
        size_t differ = 0;
        for (size_t k = 0; k < lln_model_param_count(m); k++)
            differ += a[k] != b[k];
        CHECK_EQ_INT(differ, 0);
    }
    lln_model_free(back);
    free(buf);
}

int main(void)
{
    check_config();
    lln_config_t c;
    ncp_config(&c, LLN_READOUT_DENSE);
    lln_model_t *dense = create(&c, "dense");
    ncp_config(&c, LLN_READOUT_MOTOR);
    lln_model_t *motor = create(&c, "motor");
    if (dense != NULL && motor != NULL) {
        check_tensors(dense);
        set_norm(dense);
        check_forward(dense, motor);
        check_file(dense);
    }
    lln_model_free(dense);
    lln_model_free(motor);
    return check_done("test_readout");
}
