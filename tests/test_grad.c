/* Gradient tapes (lln/grad.h): central finite differences in float64 on small random models
 * of every kind (irregular Δt, random initial states, non-identity normalisation), exact
 * zeros for pruned synapses, masks and normalisation tensors, the tape forward against
 * lln_sequence bit for bit, accumulation, zero-dy padding, batch slices, argument errors. */
#include <stdint.h>
#include <string.h>

#include "check.h"
#include "lln/util.h"
#include "lln/grad.h"
#include "lln/model.h"

enum { B = 3, T = 5 };

typedef struct spec {
    const char *name;
    lln_cell_kind_t cell;
    void (*tweak)(lln_config_t *);
} spec_t;

static void ncp(lln_config_t *c, int units)
{
    lln_wiring_spec_default(&c->wiring, LLN_WIRING_AUTONCP);
    c->wiring.units = units;
    c->wiring.output_dim = 2;
    c->wiring.sparsity = 0.5;
    c->units = 0;
}

static void ltc_fc(lln_config_t *c) { c->ode_unfolds = 3; }
static void ltc_ncp_identity(lln_config_t *c)
{
    ncp(c, 9);
    c->positivity = LLN_POS_IDENTITY;
    c->input_mapping = LLN_MAP_LINEAR;
    c->output_mapping = LLN_MAP_NONE;
    c->ode_unfolds = 2;
}
static void ltc_random_mixed(lln_config_t *c)
{
    lln_wiring_spec_default(&c->wiring, LLN_WIRING_RANDOM);
    c->wiring.units = 5;
    c->wiring.output_dim = 3;
    c->wiring.sparsity = 0.4;
    c->units = 0;
    c->mixed_memory = 1;
    c->input_mapping = LLN_MAP_NONE;
}
/* the dense readout: fc (3 x N) over every neuron, outputs independent of the motor count */
static void ltc_dense_fc(lln_config_t *c)
{
    c->readout = LLN_READOUT_DENSE;
    c->proj_size = 3;
    c->ode_unfolds = 3;
}
static void ltc_dense_ncp_mixed(lln_config_t *c)
{
    ncp(c, 9);
    c->readout = LLN_READOUT_DENSE;
    c->proj_size = 4;
    c->mixed_memory = 1;
}
static void cfc_default_lecun(lln_config_t *c) { c->backbone_units = 6; }
static void cfc_nogate_silu2(lln_config_t *c)
{
    c->mode = LLN_CFC_NO_GATE;
    c->activation = LLN_ACT_SILU;
    c->backbone_units = 5;
    c->backbone_layers = 2;
}
static void cfc_pure_bb0(lln_config_t *c)
{
    c->mode = LLN_CFC_PURE;
    c->backbone_layers = 0;
}
static void cfc_pure_tanh(lln_config_t *c)
{
    c->mode = LLN_CFC_PURE;
    c->activation = LLN_ACT_TANH;
    c->backbone_units = 4;
}
static void cfc_gelu_proj_mixed(lln_config_t *c)
{
    c->activation = LLN_ACT_GELU;
    c->backbone_units = 6;
    c->proj_size = 2;
    c->mixed_memory = 1;
}
static void cfc_relu_dropout3(lln_config_t *c)
{
    c->activation = LLN_ACT_RELU;
    c->backbone_units = 5;
    c->backbone_layers = 3;
    c->backbone_dropout = 0.2;
}
/* 16 units: whole vectors (AVX2, AVX-512), the path that combines the heads in place */
static void cfc_default_16(lln_config_t *c)
{
    c->units = 16;
    c->backbone_units = 8;
    c->proj_size = 2;
}
static void cfc_nogate_tanh_16(lln_config_t *c)
{
    c->units = 16;
    c->mode = LLN_CFC_NO_GATE;
    c->activation = LLN_ACT_TANH;
    c->backbone_units = 20;
    c->proj_size = 3;
}
static void wired_default(lln_config_t *c) { ncp(c, 9); }
static void wired_nogate_mixed(lln_config_t *c)
{
    ncp(c, 8);
    c->mode = LLN_CFC_NO_GATE;
    c->mixed_memory = 1;
}
static void wired_pure(lln_config_t *c)
{
    ncp(c, 9);
    c->mode = LLN_CFC_PURE;
}

/* Baselines (Δt is ignored, so the irregular Δt of the data must not matter either). */
static void gru_plain(lln_config_t *c) { (void)c; }
static void gru_proj(lln_config_t *c)
{
    c->units = 5;
    c->proj_size = 2;
}
static void lstm_plain(lln_config_t *c) { (void)c; }
static void lstm_proj(lln_config_t *c)
{
    c->units = 3;
    c->proj_size = 4;
}
static void mlp_relu2(lln_config_t *c)
{
    c->units = 0; /* the window: mlp_window * input_size */
    c->mlp_window = 4;
    c->backbone_layers = 2;
    c->backbone_units = 5;
    c->proj_size = 2;
}
static void mlp_tanh_bb0(lln_config_t *c)
{
    c->units = 0;
    c->mlp_window = 3;
    c->activation = LLN_ACT_TANH;
    c->backbone_layers = 0;
    c->proj_size = 3;
}
static void mlp_gelu_noproj(lln_config_t *c)
{
    c->units = 0;
    c->mlp_window = 2;
    c->activation = LLN_ACT_GELU;
    c->backbone_units = 4;
}

static const spec_t SPECS[] = {
    {"ltc_fc", LLN_CELL_LTC, ltc_fc},
    {"ltc_ncp_identity", LLN_CELL_LTC, ltc_ncp_identity},
    {"ltc_random_mixed", LLN_CELL_LTC, ltc_random_mixed},
    {"cfc_default_lecun", LLN_CELL_CFC, cfc_default_lecun},
    {"cfc_nogate_silu2", LLN_CELL_CFC, cfc_nogate_silu2},
    {"cfc_pure_bb0", LLN_CELL_CFC, cfc_pure_bb0},
    {"cfc_pure_tanh", LLN_CELL_CFC, cfc_pure_tanh},
    {"cfc_gelu_proj_mixed", LLN_CELL_CFC, cfc_gelu_proj_mixed},
    {"cfc_relu_dropout3", LLN_CELL_CFC, cfc_relu_dropout3},
    {"wired_default", LLN_CELL_WIRED_CFC, wired_default},
    {"wired_nogate_mixed", LLN_CELL_WIRED_CFC, wired_nogate_mixed},
    {"wired_pure", LLN_CELL_WIRED_CFC, wired_pure},
    {"gru_plain", LLN_CELL_GRU, gru_plain},
    {"gru_proj", LLN_CELL_GRU, gru_proj},
    {"lstm_plain", LLN_CELL_LSTM, lstm_plain},
    {"lstm_proj", LLN_CELL_LSTM, lstm_proj},
    {"mlp_relu2", LLN_CELL_MLP, mlp_relu2},
    {"mlp_tanh_bb0", LLN_CELL_MLP, mlp_tanh_bb0},
    {"mlp_gelu_noproj", LLN_CELL_MLP, mlp_gelu_noproj},
    {"ltc_dense_fc", LLN_CELL_LTC, ltc_dense_fc}, /* appended: check_masked_zero indexes */
    {"ltc_dense_ncp_mixed", LLN_CELL_LTC, ltc_dense_ncp_mixed},
    {"cfc_default_16", LLN_CELL_CFC, cfc_default_16},
    {"cfc_nogate_tanh_16", LLN_CELL_CFC, cfc_nogate_tanh_16},
};
#define NSPECS (sizeof SPECS / sizeof SPECS[0])

/* deterministic test data: splitmix64 (the library's lln_rng) from a fixed state */
static lln_rng_t rng = {0x1234567ull};
static double urand(double lo, double hi)
{
    return lo + (hi - lo) * (double)(lln_rng_next(&rng) >> 11) * (1.0 / 9007199254740992.0);
}

static lln_model_t *make(const spec_t *s)
{
    lln_config_t c;
    lln_config_default(&c, s->cell);
    c.input_size = 3;
    c.units = 4;
    s->tweak(&c);
    lln_model_t *m = NULL;
    lln_error_t err = {LLN_OK, ""};
    CHECK_MSG(lln_model_create(&c, 7, &m, &err) == LLN_OK, "%s: %s", s->name, err.msg);
    if (m == NULL)
        return NULL;
    /* a non-identity normalisation, so the gradient must pass through it */
    int I = lln_model_input_size(m), O = lln_model_output_size(m);
    double v[16];
    for (int i = 0; i < I; i++)
        v[i] = urand(-0.3, 0.3);
    CHECK(lln_model_set(m, "norm.input_mean", v, (size_t)I, NULL) == LLN_OK);
    for (int i = 0; i < I; i++)
        v[i] = urand(0.5, 2.0);
    CHECK(lln_model_set(m, "norm.input_std", v, (size_t)I, NULL) == LLN_OK);
    for (int o = 0; o < O; o++)
        v[o] = urand(-0.5, 0.5);
    CHECK(lln_model_set(m, "norm.output_mean", v, (size_t)O, NULL) == LLN_OK);
    for (int o = 0; o < O; o++)
        v[o] = urand(0.5, 2.0);
    CHECK(lln_model_set(m, "norm.output_std", v, (size_t)O, NULL) == LLN_OK);
    return m;
}

typedef struct data {
    int I, O, N, C; /* C: memory size (0 without mixed memory) */
    double x[B * T * 8], dt[B * T], h0[B * 16], c0[B * 16], r[B * T * 4];
} data_t;

static void make_data(const lln_model_t *m, data_t *d)
{
    d->I = lln_model_input_size(m);
    d->O = lln_model_output_size(m);
    d->N = lln_model_state_size(m);
    d->C = lln_model_memory_size(m);
    for (int i = 0; i < B * T * d->I; i++)
        d->x[i] = urand(-1, 1);
    for (int i = 0; i < B * T; i++)
        d->dt[i] = urand(0.2, 2.0); /* irregular, per sample */
    for (int i = 0; i < B * d->N; i++) {
        d->h0[i] = urand(-0.5, 0.5);
        d->c0[i] = urand(-0.5, 0.5);
    }
    for (int i = 0; i < B * T * d->O; i++)
        d->r[i] = urand(-1, 1);
}

/* The test loss: L = sum r * y (so dL/dy = r), through the inference path lln_sequence. */
static double loss(const lln_model_t *m, const data_t *d, const double *x, const double *h0,
                   const double *c0)
{
    lln_state_t *s = NULL;
    double y[B * T * 4], L = 0;
    CHECK(lln_state_create(m, LLN_F64, B, &s) == LLN_OK);
    CHECK(lln_state_set(s, h0, d->C ? c0 : NULL) == LLN_OK);
    CHECK(lln_sequence_f64(m, s, T, x, d->dt, y, NULL) == LLN_OK);
    for (int i = 0; i < B * T * d->O; i++)
        L += d->r[i] * y[i];
    lln_state_free(s);
    return L;
}

/* |analytic - central difference| <= 1e-6 * max(1, |analytic|) */
static int fd_ok(double an, double fd) { return fabs(an - fd) <= 1e-6 * fmax(1.0, fabs(an)); }

#define FD_H 1e-6

static void check_fd(const spec_t *s)
{
    lln_model_t *m = make(s);
    if (m == NULL)
        return;
    data_t d;
    make_data(m, &d);
    size_t np = lln_model_param_count(m);
    double *grad = calloc(np, sizeof *grad), dx[B * T * 8] = {0}, dh0[B * 16] = {0};
    double dc0[B * 16] = {0};
    lln_tape_t *tp = NULL;
    CHECK(lln_tape_create(m, LLN_F64, B, T, &tp) == LLN_OK);
    CHECK(lln_tape_forward_f64(tp, B, T, d.x, d.dt, d.h0, d.C ? d.c0 : NULL, NULL) == LLN_OK);
    CHECK(lln_tape_backward_f64(tp, d.r, grad, dx, dh0, d.C ? dc0 : NULL) == LLN_OK);
    double *p = lln_model_params(m);
    int bad = 0, checked = 0;
    for (size_t k = 0; k < lln_model_tensor_count(m); k++) {
        const lln_tensor_info_t *t = lln_model_tensor(m, k);
        if (!(t->flags & LLN_TENSOR_TRAINABLE))
            continue;
        for (size_t i = 0; i < t->count; i++) {
            double *v = p + t->offset + i, keep = *v;
            *v = keep + FD_H;
            lln_model_prepare(m, NULL);
            double lp = loss(m, &d, d.x, d.h0, d.c0);
            *v = keep - FD_H;
            lln_model_prepare(m, NULL);
            double lm = loss(m, &d, d.x, d.h0, d.c0), fd = (lp - lm) / (2 * FD_H);
            *v = keep;
            checked++;
            if (!fd_ok(grad[t->offset + i], fd) && bad++ < 5)
                CHECK_MSG(0, "%s: d/d %s[%zu]: tape %.12g, finite difference %.12g", s->name,
                          t->name, i, grad[t->offset + i], fd);
        }
    }
    lln_model_prepare(m, NULL);
    /* inputs and initial states */
    double xp[B * T * 8], hp[B * 16], cp[B * 16];
    for (int i = 0; i < B * T * d.I; i++) {
        memcpy(xp, d.x, sizeof xp);
        xp[i] += FD_H;
        double lp = loss(m, &d, xp, d.h0, d.c0);
        xp[i] -= 2 * FD_H;
        double fd = (lp - loss(m, &d, xp, d.h0, d.c0)) / (2 * FD_H);
        if (!fd_ok(dx[i], fd) && bad++ < 5)
            CHECK_MSG(0, "%s: d/dx[%d]: tape %.12g, fd %.12g", s->name, i, dx[i], fd);
    }
    for (int i = 0; i < B * d.N; i++) {
        memcpy(hp, d.h0, sizeof hp);
        hp[i] += FD_H;
        double lp = loss(m, &d, d.x, hp, d.c0);
        hp[i] -= 2 * FD_H;
        double fd = (lp - loss(m, &d, d.x, hp, d.c0)) / (2 * FD_H);
        if (!fd_ok(dh0[i], fd) && bad++ < 5)
            CHECK_MSG(0, "%s: d/dh0[%d]: tape %.12g, fd %.12g", s->name, i, dh0[i], fd);
        if (d.C == 0)
            continue;
        memcpy(cp, d.c0, sizeof cp);
        cp[i] += FD_H;
        lp = loss(m, &d, d.x, d.h0, cp);
        cp[i] -= 2 * FD_H;
        fd = (lp - loss(m, &d, d.x, d.h0, cp)) / (2 * FD_H);
        if (!fd_ok(dc0[i], fd) && bad++ < 5)
            CHECK_MSG(0, "%s: d/dc0[%d]: tape %.12g, fd %.12g", s->name, i, dc0[i], fd);
    }
    CHECK_MSG(bad == 0, "%s: %d gradient entries differ from finite differences", s->name, bad);
    CHECK(checked > 20);
    /* masks and normalisation tensors: exactly zero */
    for (size_t k = 0; k < lln_model_tensor_count(m); k++) {
        const lln_tensor_info_t *t = lln_model_tensor(m, k);
        for (size_t i = 0; i < t->count && !(t->flags & LLN_TENSOR_TRAINABLE); i++)
            CHECK_MSG(grad[t->offset + i] == 0.0, "%s: %s[%zu] = %g", s->name, t->name, i,
                      grad[t->offset + i]);
    }
    printf("%-22s %d parameter and %d input/state gradients checked, %d differ\n", s->name, checked,
           B * T * d.I + B * d.N * (d.C ? 2 : 1), bad);
    lln_tape_free(tp);
    free(grad);
    lln_model_free(m);
}

/* Pruned synapses (mask 0) get exactly zero gradient, whatever their stored values. */
static void check_masked_zero(void)
{
    static const struct {
        const char *mask, *const tensors[4];
    } L[] = {
        {"rnn_cell.sparsity_mask",
         {"rnn_cell.sigma", "rnn_cell.mu", "rnn_cell.w", "rnn_cell.erev"}},
        {"rnn_cell.sensory_sparsity_mask",
         {"rnn_cell.sensory_sigma", "rnn_cell.sensory_mu", "rnn_cell.sensory_w",
          "rnn_cell.sensory_erev"}},
        {"rnn_cell.layer_0.sparsity_mask",
         {"rnn_cell.layer_0.ff1.weight", "rnn_cell.layer_0.ff2.weight", NULL, NULL}},
        {"rnn_cell.layer_1.sparsity_mask",
         {"rnn_cell.layer_1.ff1.weight", "rnn_cell.layer_1.ff2.weight", NULL, NULL}},
        {"rnn_cell.layer_2.sparsity_mask",
         {"rnn_cell.layer_2.ff1.weight", "rnn_cell.layer_2.ff2.weight", NULL, NULL}},
    };
    const spec_t *specs[] = {&SPECS[1], &SPECS[9]};
    for (int k = 0; k < 2; k++) {
        lln_model_t *m = make(specs[k]);
        if (m == NULL)
            continue;
        data_t d;
        make_data(m, &d);
        double *grad = calloc(lln_model_param_count(m), sizeof *grad);
        float xf[B * T * 8], dyf[B * T * 4];
        for (int i = 0; i < B * T * d.I; i++)
            xf[i] = (float)d.x[i];
        for (int i = 0; i < B * T * d.O; i++)
            dyf[i] = (float)d.r[i];
        for (int f64 = 0; f64 < 2; f64++) {
            lln_tape_t *tp = NULL;
            CHECK(lln_tape_create(m, f64 ? LLN_F64 : LLN_F32, B, T, &tp) == LLN_OK);
            if (f64) {
                CHECK(lln_tape_forward_f64(tp, B, T, d.x, NULL, NULL, NULL, NULL) == LLN_OK);
                CHECK(lln_tape_backward_f64(tp, d.r, grad, NULL, NULL, NULL) == LLN_OK);
            } else {
                CHECK(lln_tape_forward(tp, B, T, xf, NULL, NULL, NULL, NULL) == LLN_OK);
                CHECK(lln_tape_backward(tp, dyf, grad, NULL, NULL, NULL) == LLN_OK);
            }
            lln_tape_free(tp);
        }
        const double *p = lln_model_params_const(m);
        int zeros = 0, nonzero = 0;
        for (size_t q = 0; q < sizeof L / sizeof L[0]; q++) {
            const lln_tensor_info_t *mk = lln_model_find(m, L[q].mask);
            for (int j = 0; j < 4 && mk != NULL && L[q].tensors[j] != NULL; j++) {
                const lln_tensor_info_t *t = lln_model_find(m, L[q].tensors[j]);
                CHECK(t != NULL && t->count == mk->count);
                for (size_t i = 0; t != NULL && i < t->count; i++) {
                    double g = grad[t->offset + i];
                    if (p[mk->offset + i] == 0) {
                        CHECK_MSG(g == 0.0, "%s[%zu] (masked) has gradient %g", t->name, i, g);
                        zeros++;
                    } else {
                        nonzero += g != 0.0;
                    }
                }
            }
        }
        CHECK_MSG(zeros > 10 && nonzero > 10, "%s: %d masked, %d live gradients", specs[k]->name,
                  zeros, nonzero);
        free(grad);
        lln_model_free(m);
    }
}

/* The tape's forward is lln_sequence, bit for bit, in both precisions, for batches that take
 * the vector-block and the single-sample paths; final states too. */
static void check_forward_bits(const spec_t *s)
{
    enum { NB = 19, NT = 4 };
    lln_model_t *m = make(s);
    if (m == NULL)
        return;
    int I = lln_model_input_size(m), O = lln_model_output_size(m), N = lln_model_state_size(m);
    int C = lln_model_memory_size(m);
    double x[NB * NT * 8], dt[NB * NT], h0[NB * 16], c0[NB * 16];
    double y1[NB * NT * 4], y2[NB * NT * 4], hf1[NB * 16], hf2[NB * 16];
    double cf1[NB * 16] = {0}, cf2[NB * 16] = {0};
    float xf[NB * NT * 8], dtf[NB * NT], h0f[NB * 16], c0f[NB * 16];
    float y1f[NB * NT * 4], y2f[NB * NT * 4], hf1f[NB * 16], hf2f[NB * 16];
    for (int i = 0; i < NB * NT * I; i++)
        xf[i] = (float)(x[i] = urand(-1, 1));
    for (int i = 0; i < NB * NT; i++)
        dtf[i] = (float)(dt[i] = urand(0.1, 3));
    for (int i = 0; i < NB * N; i++) {
        h0f[i] = (float)(h0[i] = urand(-1, 1));
        c0f[i] = (float)(c0[i] = urand(-1, 1));
    }
    lln_state_t *s64 = NULL, *s32 = NULL;
    lln_tape_t *t64 = NULL, *t32 = NULL;
    CHECK(lln_state_create(m, LLN_F64, NB, &s64) == LLN_OK);
    CHECK(lln_state_create(m, LLN_F32, NB, &s32) == LLN_OK);
    CHECK(lln_tape_create(m, LLN_F64, NB + 3, NT + 2, &t64) == LLN_OK); /* larger capacity */
    CHECK(lln_tape_create(m, LLN_F32, NB, NT, &t32) == LLN_OK);
    CHECK(lln_state_set(s64, h0, C ? c0 : NULL) == LLN_OK);
    CHECK(lln_state_set(s32, h0f, C ? c0f : NULL) == LLN_OK);
    CHECK(lln_sequence_f64(m, s64, NT, x, dt, y1, NULL) == LLN_OK);
    CHECK(lln_sequence(m, s32, NT, xf, dtf, y1f, NULL) == LLN_OK);
    CHECK(lln_tape_forward_f64(t64, NB, NT, x, dt, h0, C ? c0 : NULL, y2) == LLN_OK);
    CHECK(lln_tape_forward(t32, NB, NT, xf, dtf, h0f, C ? c0f : NULL, y2f) == LLN_OK);
    CHECK(memcmp(y1, y2, sizeof(double) * NB * NT * (size_t)O) == 0);
    CHECK(memcmp(y1f, y2f, sizeof(float) * NB * NT * (size_t)O) == 0);
    CHECK(lln_state_get(s64, hf1, C ? cf1 : NULL) == LLN_OK);
    CHECK(lln_tape_final_state(t64, hf2, C ? cf2 : NULL) == LLN_OK);
    CHECK(memcmp(hf1, hf2, sizeof(double) * NB * (size_t)N) == 0);
    CHECK(!C || memcmp(cf1, cf2, sizeof(double) * NB * (size_t)N) == 0);
    CHECK(lln_state_get(s32, hf1f, NULL) == LLN_OK);
    CHECK(lln_tape_final_state(t32, hf2f, NULL) == LLN_OK);
    CHECK(memcmp(hf1f, hf2f, sizeof(float) * NB * (size_t)N) == 0);
    lln_state_free(s64);
    lln_state_free(s32);
    lln_tape_free(t64);
    lln_tape_free(t32);
    lln_model_free(m);
}

/* Backward adds; zero dy after step k equals a run of k steps (padding); two tapes on the
 * halves of a batch sum to one tape on all of it; float32 agrees with float64. */
static void check_semantics(const spec_t *s)
{
    enum { NB = 6, NT = 7, K = 4 };
    lln_model_t *m = make(s);
    if (m == NULL)
        return;
    int I = lln_model_input_size(m), O = lln_model_output_size(m);
    size_t np = lln_model_param_count(m);
    double x[NB * NT * 8], dt[NB * NT], dy[NB * NT * 4], xk[NB * K * 8], dtk[NB * K],
        dyk[NB * K * 4];
    float xf[NB * NT * 8], dtf[NB * NT], dyf[NB * NT * 4];
    for (int i = 0; i < NB * NT * I; i++)
        xf[i] = (float)(x[i] = urand(-1, 1));
    for (int i = 0; i < NB * NT; i++)
        dtf[i] = (float)(dt[i] = urand(0.3, 2));
    for (int i = 0; i < NB * NT * O; i++)
        dyf[i] = (float)(dy[i] = urand(-1, 1));
    double *g1 = calloc(np, sizeof *g1), *g2 = calloc(np, sizeof *g2), *g3 = calloc(np, 8);
    double *gf = calloc(np, sizeof *gf);
    lln_tape_t *tp = NULL, *tf = NULL;
    CHECK(lln_tape_create(m, LLN_F64, NB, NT, &tp) == LLN_OK);
    CHECK(lln_tape_create(m, LLN_F32, NB, NT, &tf) == LLN_OK);
    /* accumulation: two backward passes = twice one */
    CHECK(lln_tape_forward_f64(tp, NB, NT, x, dt, NULL, NULL, NULL) == LLN_OK);
    CHECK(lln_tape_backward_f64(tp, dy, g1, NULL, NULL, NULL) == LLN_OK);
    CHECK(lln_tape_backward_f64(tp, dy, g2, NULL, NULL, NULL) == LLN_OK);
    CHECK(lln_tape_backward_f64(tp, dy, g2, NULL, NULL, NULL) == LLN_OK);
    int bad = 0;
    for (size_t i = 0; i < np; i++)
        bad += g2[i] != 2 * g1[i];
    CHECK_MSG(bad == 0, "%s: %d entries do not accumulate", s->name, bad);
    /* float32 close to float64 */
    CHECK(lln_tape_forward(tf, NB, NT, xf, dtf, NULL, NULL, NULL) == LLN_OK);
    CHECK(lln_tape_backward(tf, dyf, gf, NULL, NULL, NULL) == LLN_OK);
    double scale = 1, err = 0;
    for (size_t i = 0; i < np; i++)
        scale = fmax(scale, fabs(g1[i]));
    for (size_t i = 0; i < np; i++)
        err = fmax(err, fabs(gf[i] - g1[i]));
    CHECK_MSG(err <= 1e-4 * scale, "%s: float32 gradient off by %g (scale %g)", s->name, err,
              scale);
    /* padding: dy = 0 after step K */
    for (int b = 0; b < NB; b++)
        for (int t = K; t < NT; t++)
            for (int o = 0; o < O; o++)
                dy[((size_t)b * NT + t) * O + o] = 0;
    memset(g1, 0, np * sizeof *g1);
    CHECK(lln_tape_backward_f64(tp, dy, g1, NULL, NULL, NULL) == LLN_OK);
    for (int b = 0; b < NB; b++)
        for (int t = 0; t < K; t++) {
            dtk[b * K + t] = dt[b * NT + t];
            memcpy(xk + ((size_t)b * K + t) * I, x + ((size_t)b * NT + t) * I, sizeof(double) * I);
            memcpy(dyk + ((size_t)b * K + t) * O, dy + ((size_t)b * NT + t) * O,
                   sizeof(double) * O);
        }
    memset(g2, 0, np * sizeof *g2);
    CHECK(lln_tape_forward_f64(tp, NB, K, xk, dtk, NULL, NULL, NULL) == LLN_OK);
    CHECK(lln_tape_backward_f64(tp, dyk, g2, NULL, NULL, NULL) == LLN_OK);
    err = 0;
    for (size_t i = 0; i < np; i++)
        err = fmax(err, fabs(g1[i] - g2[i]));
    CHECK_MSG(err <= 1e-12, "%s: zero-dy padding changes the gradient by %g", s->name, err);
    /* batch slices: rows 0..1 and 2..NB-1 on separate tapes */
    memset(g3, 0, np * sizeof *g3);
    CHECK(lln_tape_forward_f64(tp, 2, K, xk, dtk, NULL, NULL, NULL) == LLN_OK);
    CHECK(lln_tape_backward_f64(tp, dyk, g3, NULL, NULL, NULL) == LLN_OK);
    size_t rest = 2 * (size_t)K;
    CHECK(lln_tape_forward_f64(tp, NB - 2, K, xk + rest * (size_t)I, dtk + rest, NULL, NULL,
                               NULL) == LLN_OK);
    CHECK(lln_tape_backward_f64(tp, dyk + rest * (size_t)O, g3, NULL, NULL, NULL) == LLN_OK);
    err = 0;
    for (size_t i = 0; i < np; i++)
        err = fmax(err, fabs(g3[i] - g2[i]));
    CHECK_MSG(err <= 1e-12, "%s: batch slices differ by %g", s->name, err);
    free(g1);
    free(g2);
    free(g3);
    free(gf);
    lln_tape_free(tp);
    lln_tape_free(tf);
    lln_model_free(m);
}

static void check_errors(void)
{
    lln_model_t *m = make(&SPECS[7]); /* mixed memory */
    lln_model_t *m2 = make(&SPECS[3]);
    if (m == NULL || m2 == NULL)
        return;
    double x[2 * 3 * 3] = {0}, dt[6] = {1, 1, 1, 1, 1, 1}, dy[2 * 3 * 2] = {0};
    double *grad = calloc(lln_model_param_count(m), sizeof *grad);
    float xf[18] = {0};
    lln_tape_t *t = NULL;
    CHECK(lln_tape_bytes(NULL, LLN_F32, 1, 1) == 0);
    CHECK(lln_tape_bytes(m, LLN_F32, 0, 1) == 0);
    CHECK(lln_tape_bytes(m, LLN_F32, 1, 0) == 0);
    CHECK(lln_tape_bytes(m, (lln_dtype_t)7, 1, 1) == 0);
    CHECK(lln_tape_create(m, LLN_F64, 0, 3, &t) == LLN_E_ARG);
    /* caller memory: too small, then enough at an odd address */
    size_t need = lln_tape_bytes(m, LLN_F64, 2, 3);
    char *buf = malloc(need + 64);
    CHECK(lln_tape_init(m, LLN_F64, 2, 3, buf, need - 1, &t) == LLN_E_RANGE);
    CHECK(lln_tape_init(m, LLN_F64, 2, 3, buf + 1, need + 63, &t) == LLN_OK);
    CHECK(lln_tape_backward_f64(t, dy, grad, NULL, NULL, NULL) == LLN_E_ARG); /* no forward */
    CHECK(lln_tape_final_state(t, NULL, NULL) == LLN_E_ARG);
    CHECK(lln_tape_forward(t, 2, 3, xf, NULL, NULL, NULL, NULL) == LLN_E_ARG);    /* precision */
    CHECK(lln_tape_forward_f64(t, 3, 3, x, NULL, NULL, NULL, NULL) == LLN_E_ARG); /* batch */
    CHECK(lln_tape_forward_f64(t, 2, 4, x, NULL, NULL, NULL, NULL) == LLN_E_ARG); /* steps */
    CHECK(lln_tape_forward_f64(t, 2, 3, NULL, NULL, NULL, NULL, NULL) == LLN_E_ARG);
    dt[4] = 0;
    CHECK(lln_tape_forward_f64(t, 2, 3, x, dt, NULL, NULL, NULL) == LLN_E_DT);
    dt[4] = 1;
    x[5] = NAN;
    CHECK(lln_tape_forward_f64(t, 2, 3, x, dt, NULL, NULL, NULL) == LLN_E_RANGE);
    x[5] = 0;
    CHECK(lln_tape_backward_f64(t, dy, grad, NULL, NULL, NULL) == LLN_E_ARG); /* failed forward */
    CHECK(lln_tape_forward_f64(t, 2, 3, x, dt, NULL, NULL, NULL) == LLN_OK);
    CHECK(lln_tape_backward_f64(t, NULL, grad, NULL, NULL, NULL) == LLN_E_ARG);
    CHECK(lln_tape_backward_f64(t, dy, NULL, NULL, NULL, NULL) == LLN_E_ARG);
    float dyf[12] = {0};
    CHECK(lln_tape_backward(t, dyf, grad, NULL, NULL, NULL) == LLN_E_ARG); /* precision */
    CHECK(lln_tape_backward_f64(t, dy, grad, NULL, NULL, NULL) == LLN_OK);
    lln_tape_free(t); /* caller memory: nothing to free */
    free(buf);
    /* c0 / dc0 without mixed memory */
    CHECK(lln_tape_create(m2, LLN_F64, 2, 3, &t) == LLN_OK);
    CHECK(lln_tape_forward_f64(t, 2, 3, x, NULL, NULL, x, NULL) == LLN_E_ARG);
    CHECK(lln_tape_forward_f64(t, 2, 3, x, NULL, NULL, NULL, NULL) == LLN_OK);
    double h[2 * 4], c[2 * 4];
    CHECK(lln_tape_final_state(t, h, c) == LLN_E_ARG);
    CHECK(lln_tape_backward_f64(t, dy, grad, NULL, NULL, c) == LLN_E_ARG);
    lln_tape_free(t);
    lln_tape_free(NULL);
    free(grad);
    lln_model_free(m);
    lln_model_free(m2);
}

/* Weight gradients run per chunk of steps (about 128 rows of steps x batch): a batch of 50
 * over 7 steps (chunks of 2 steps, the last one partial) must give the sum of five tapes of
 * 10 sequences (one chunk each), and float32 must agree with float64 across the chunks. */
static void check_chunks(const spec_t *s)
{
    enum { NB = 50, NT = 7, NS = 10 };
    lln_model_t *m = make(s);
    if (m == NULL)
        return;
    int I = lln_model_input_size(m), O = lln_model_output_size(m);
    size_t np = lln_model_param_count(m);
    double *x = malloc(sizeof(double) * NB * NT * (size_t)I), dt[NB * NT];
    double *dy = malloc(sizeof(double) * NB * NT * (size_t)O);
    float *xf = malloc(sizeof(float) * NB * NT * (size_t)I), dtf[NB * NT];
    float *dyf = malloc(sizeof(float) * NB * NT * (size_t)O);
    double *g1 = calloc(np, sizeof *g1), *g2 = calloc(np, sizeof *g2), *gf = calloc(np, 8);
    CHECK(x && dy && xf && dyf && g1 && g2 && gf);
    for (int i = 0; x && xf && i < NB * NT * I; i++)
        xf[i] = (float)(x[i] = urand(-1, 1));
    for (int i = 0; i < NB * NT; i++)
        dtf[i] = (float)(dt[i] = urand(0.3, 2));
    for (int i = 0; dy && dyf && i < NB * NT * O; i++)
        dyf[i] = (float)(dy[i] = urand(-1, 1));
    lln_tape_t *tp = NULL, *tf = NULL;
    CHECK(lln_tape_create(m, LLN_F64, NB, NT, &tp) == LLN_OK);
    CHECK(lln_tape_create(m, LLN_F32, NB, NT, &tf) == LLN_OK);
    if (tp && tf && x && dy && xf && dyf && g1 && g2 && gf) {
        CHECK(lln_tape_forward_f64(tp, NB, NT, x, dt, NULL, NULL, NULL) == LLN_OK);
        CHECK(lln_tape_backward_f64(tp, dy, g1, NULL, NULL, NULL) == LLN_OK);
        for (int b = 0; b < NB; b += NS) {
            size_t r = (size_t)b * NT;
            CHECK(lln_tape_forward_f64(tp, NS, NT, x + r * (size_t)I, dt + r, NULL, NULL, NULL) ==
                  LLN_OK);
            CHECK(lln_tape_backward_f64(tp, dy + r * (size_t)O, g2, NULL, NULL, NULL) == LLN_OK);
        }
        CHECK(lln_tape_forward(tf, NB, NT, xf, dtf, NULL, NULL, NULL) == LLN_OK);
        CHECK(lln_tape_backward(tf, dyf, gf, NULL, NULL, NULL) == LLN_OK);
        double scale = 1, e2 = 0, ef = 0;
        for (size_t i = 0; i < np; i++)
            scale = fmax(scale, fabs(g1[i]));
        for (size_t i = 0; i < np; i++) {
            e2 = fmax(e2, fabs(g2[i] - g1[i]));
            ef = fmax(ef, fabs(gf[i] - g1[i]));
        }
        CHECK_MSG(e2 <= 1e-12 * scale, "%s: chunked batch of %d differs from its slices by %g",
                  s->name, NB, e2);
        CHECK_MSG(ef <= 1e-4 * scale, "%s: float32 gradient over chunks off by %g (scale %g)",
                  s->name, ef, scale);
    }
    free(x);
    free(dy);
    free(xf);
    free(dyf);
    free(g1);
    free(g2);
    free(gf);
    lln_tape_free(tp);
    lln_tape_free(tf);
    lln_model_free(m);
}

int main(void)
{
    for (size_t i = 0; i < NSPECS; i++) {
        check_fd(&SPECS[i]);
        check_forward_bits(&SPECS[i]);
        check_semantics(&SPECS[i]);
    }
    for (size_t i = 0; i < NSPECS; i++)
        if (SPECS[i].cell == LLN_CELL_CFC || SPECS[i].cell == LLN_CELL_WIRED_CFC)
            check_chunks(&SPECS[i]);
    check_masked_zero();
    check_errors();
    return check_done("test_grad");
}
