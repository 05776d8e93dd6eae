/* Model API: configuration checks, tensors, states, Δt validation, and the equivalences
 * the streaming design promises (batch = samples one by one, sequence = loop of steps). */
#include <stdint.h>
#include <string.h>

#include "check.h"
#include "lln/model.h"
#include "core/model_internal.h"

static lln_model_t *make(lln_cell_kind_t cell, void (*tweak)(lln_config_t *))
{
    lln_config_t c;
    lln_config_default(&c, cell);
    c.input_size = 3;
    c.units = 7;
    if (tweak)
        tweak(&c);
    lln_model_t *m = NULL;
    lln_error_t err = {LLN_OK, ""};
    lln_status_t st = lln_model_create(&c, 5, &m, &err);
    CHECK_MSG(st == LLN_OK, "create: %s", err.msg);
    return m;
}

static void t_ltc_ncp(lln_config_t *c)
{
    c->wiring.kind = LLN_WIRING_AUTONCP;
    c->wiring.seed = 22222;
    c->wiring.sparsity = 0.5;
    c->units = 9;
    c->wiring.output_dim = 2;
}
static void t_cfc_mixed(lln_config_t *c)
{
    c->backbone_units = 12;
    c->backbone_layers = 2;
    c->mixed_memory = 1;
    c->proj_size = 2;
}
static void t_cfc_pure(lln_config_t *c)
{
    c->mode = LLN_CFC_PURE;
    c->activation = LLN_ACT_GELU;
}
static void t_wired(lln_config_t *c)
{
    c->wiring.kind = LLN_WIRING_AUTONCP;
    c->wiring.seed = 22222;
    c->wiring.sparsity = 0.5;
    c->units = 10;
    c->wiring.output_dim = 2;
    c->mode = LLN_CFC_NO_GATE;
}

/* Stepping a batch of B with per-sample dt equals stepping each sample alone, bit for bit;
 * and lln_sequence equals a loop of lln_step_batch. */
static void check_equivalences(lln_model_t *m, const char *what)
{
    enum { B = 37, T = 5 }; /* 37: two 16-sample vector blocks and a remainder */
    int I = lln_model_input_size(m), O = lln_model_output_size(m), N = lln_model_state_size(m);
    float x[B * T * 32], dt[B * T], y_seq[B * T * 32], st_seq[B * T * 32];
    for (int i = 0; i < B * T * I; i++)
        x[i] = (float)(0.7 * __builtin_sin(0.3 * i) - 0.2);
    for (int i = 0; i < B * T; i++)
        dt[i] = 0.2f + 0.3f * (float)(i % 7);
    lln_state_t *sb, *s1;
    CHECK(lln_state_create(m, LLN_F32, B, &sb) == LLN_OK);
    CHECK(lln_state_create(m, LLN_F32, 1, &s1) == LLN_OK);
    CHECK(lln_sequence(m, sb, T, x, dt, y_seq, st_seq) == LLN_OK);
    float hb[B * 32];
    CHECK(lln_state_get(sb, hb, NULL) == LLN_OK);
    int mismatches = 0;
    for (int b = 0; b < B; b++) {
        lln_state_reset(s1);
        for (int t = 0; t < T; t++) {
            float y[32], h[32];
            CHECK(lln_step(m, s1, x + (size_t)(b * T + t) * I, dt[b * T + t], y) == LLN_OK);
            CHECK(lln_state_get(s1, h, NULL) == LLN_OK);
            mismatches +=
                memcmp(y, y_seq + (size_t)(b * T + t) * O, (size_t)O * sizeof(float)) != 0;
            mismatches +=
                memcmp(h, st_seq + (size_t)(b * T + t) * N, (size_t)N * sizeof(float)) != 0;
        }
        float h[32];
        lln_state_get(s1, h, NULL);
        mismatches += memcmp(h, hb + (size_t)b * N, (size_t)N * sizeof(float)) != 0;
    }
    CHECK_MSG(mismatches == 0, "%s: %d batch/stream mismatches", what, mismatches);
    for (int i = 0; i < B * T * O; i++)
        CHECK_MSG(isfinite(y_seq[i]), "%s: output %d not finite", what, i);
    lln_state_free(sb);
    lln_state_free(s1);
}

/* lln_sequence_mt equals lln_sequence bit for bit, for thread counts that hand out chunks of
 * different sizes (LTC and CfC without backbone: 16 streams, so 4 chunks of 16 and one of 6;
 * dense CfC: 12 streams at 2 threads, 8 at 3, 4 at 5 and 40) and the online-CPU default (0);
 * in both precisions, for y, the recorded states, and the final h and LSTM memory c. Two
 * calls each, so the second starts from a non-zero state. */
static void check_threads(lln_model_t *m, const char *what)
{
    enum { B = 70, T = 4, K = 16 };
    int I = lln_model_input_size(m), O = lln_model_output_size(m), N = lln_model_state_size(m);
    int mem = lln_model_config(m)->mixed_memory;
    /* outputs of either precision: the f32 runs fill .f, the f64 runs .d */
    typedef union {
        double d[B * T * K];
        float f[B * T * K];
    } buf_t;
    static buf_t yr, sr, y, st;
    static double xd[B * T * K], dtd[B * T], hr[B * K], h[B * K], cr[B * K], c[B * K];
    static float xf[B * T * K], dtf[B * T];
    for (int i = 0; i < B * T * I; i++)
        xf[i] = (float)(xd[i] = 0.6 * __builtin_cos(0.17 * i) + 0.1);
    for (int i = 0; i < B * T; i++)
        dtf[i] = (float)(dtd[i] = 0.25 + 0.5 * (i % 5));
    const int threads[] = {1, 2, 3, 5, 0, 40};
    for (int prec = 0; prec < 2; prec++) {
        lln_dtype_t dt = prec ? LLN_F64 : LLN_F32;
        size_t es = prec ? sizeof(double) : sizeof(float);
        lln_state_t *a, *b;
        CHECK(lln_state_create(m, dt, B, &a) == LLN_OK);
        CHECK(lln_state_create(m, dt, B, &b) == LLN_OK);
        for (int call = 0; call < 2; call++)
            CHECK(prec ? lln_sequence_f64(m, a, T, xd, dtd, yr.d, sr.d) == LLN_OK
                       : lln_sequence(m, a, T, xf, dtf, yr.f, sr.f) == LLN_OK);
        CHECK(lln_state_get(a, hr, mem ? cr : NULL) == LLN_OK);
        for (size_t k = 0; k < sizeof threads / sizeof threads[0]; k++) {
            int n = threads[k], bad = 0;
            lln_state_reset(b);
            for (int call = 0; call < 2; call++)
                CHECK(prec ? lln_sequence_mt_f64(m, b, n, T, xd, dtd, y.d, st.d) == LLN_OK
                           : lln_sequence_mt(m, b, n, T, xf, dtf, y.f, st.f) == LLN_OK);
            CHECK(lln_state_get(b, h, mem ? c : NULL) == LLN_OK);
            bad += memcmp(&y, &yr, (size_t)(B * T * O) * es) != 0;
            bad += memcmp(&st, &sr, (size_t)(B * T * N) * es) != 0;
            bad += memcmp(h, hr, (size_t)(B * N) * es) != 0;
            bad += mem && memcmp(c, cr, (size_t)(B * N) * es) != 0;
            CHECK_MSG(bad == 0, "%s: %s, %d threads: %d of y/states/h/c differ from lln_sequence",
                      what, prec ? "f64" : "f32", n, bad);
        }
        /* checked before any work: bad thread counts and a bad dt leave the state alone */
        CHECK(lln_state_get(b, h, NULL) == LLN_OK);
        for (int n = -1; n <= LLN_MAX_THREADS + 1; n += LLN_MAX_THREADS + 2)
            CHECK_EQ_INT(prec ? lln_sequence_mt_f64(m, b, n, T, xd, dtd, NULL, NULL)
                              : lln_sequence_mt(m, b, n, T, xf, dtf, NULL, NULL),
                         LLN_E_ARG);
        /* a NaN or an infinity anywhere in a long input (the vectorised check's blocks and
         * its tail) is refused, in either entry point */
        const int at[] = {0, 257, B * T * I - 1};
        for (size_t k = 0; k < sizeof at / sizeof at[0]; k++) {
            float fk = xf[at[k]];
            double dk = xd[at[k]];
            xf[at[k]] = k == 1 ? -INFINITY : NAN;
            xd[at[k]] = k == 1 ? INFINITY : NAN;
            CHECK_EQ_INT(prec ? lln_sequence_mt_f64(m, b, 2, T, xd, dtd, NULL, NULL)
                              : lln_sequence_mt(m, b, 2, T, xf, dtf, NULL, NULL),
                         LLN_E_RANGE);
            CHECK_EQ_INT(prec ? lln_sequence_f64(m, b, T, xd, dtd, NULL, NULL)
                              : lln_sequence(m, b, T, xf, dtf, NULL, NULL),
                         LLN_E_RANGE);
            xf[at[k]] = fk;
            xd[at[k]] = dk;
        }
        dtf[B * T - 1] = 0.0f;
        dtd[B * T - 1] = 0.0;
        CHECK_EQ_INT(prec ? lln_sequence_mt_f64(m, b, 2, T, xd, dtd, NULL, NULL)
                          : lln_sequence_mt(m, b, 2, T, xf, dtf, NULL, NULL),
                     LLN_E_DT);
        dtf[B * T - 1] = 1.0f;
        dtd[B * T - 1] = 1.0;
        CHECK(lln_state_get(b, hr, NULL) == LLN_OK);
        CHECK_MSG(memcmp(h, hr, (size_t)(B * N) * es) == 0, "%s: a rejected call moved the state",
                  what);
        lln_state_free(a);
        lln_state_free(b);
    }
}

static void check_dt_errors(lln_model_t *m)
{
    lln_state_t *s;
    float x[16] = {0.5f, -0.5f, 0.25f}, y[16], h0[16], h1[16];
    double xd[16] = {0.5, -0.5, 0.25}, yd[16];
    CHECK(lln_state_create(m, LLN_F32, 1, &s) == LLN_OK);
    CHECK(lln_step(m, s, x, 0.5f, y) == LLN_OK);
    lln_state_get(s, h0, NULL);
    const float bad[] = {0.0f,  -1.0f,  NAN,   INFINITY,
                         -0.0f, 1e-38f, 1e-21f}; /* tiny: cm/dt overflow */
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        CHECK_EQ_INT(lln_step(m, s, x, bad[i], y), LLN_E_DT);
    float dtv[1] = {NAN};
    CHECK_EQ_INT(lln_step_batch(m, s, x, dtv, y), LLN_E_DT);
    float xs[16 * 3] = {0}, dts[3] = {1, 1, 0};
    CHECK_EQ_INT(lln_sequence(m, s, 3, xs, dts, NULL, NULL), LLN_E_DT);
    x[1] = NAN;
    CHECK_EQ_INT(lln_step(m, s, x, 1.0f, y), LLN_E_RANGE);
    lln_state_get(s, h1, NULL);
    CHECK_MSG(memcmp(h0, h1, sizeof(float) * (size_t)lln_model_state_size(m)) == 0,
              "a rejected step changed the state");
    /* precision mismatch and foreign states are argument errors */
    CHECK_EQ_INT(lln_step_f64(m, s, xd, 1.0, yd), LLN_E_ARG);
    lln_state_free(s);
}

static void check_caller_buffer(lln_model_t *m)
{
    size_t need = lln_state_bytes(m, LLN_F64, 2);
    CHECK(need > 0);
    unsigned char *buf = malloc(need + 32);
    lln_state_t *s;
    CHECK_EQ_INT(lln_state_init(m, LLN_F64, 2, buf + 1, need - 1, &s), LLN_E_RANGE);
    CHECK_EQ_INT(lln_state_init(m, LLN_F64, 2, buf + 1, need + 15, &s), LLN_OK);
    double x[2 * 16] = {0.1, 0.2, 0.3, -0.1, -0.2, -0.3}, dt[2] = {0.5, 2.0}, y[2 * 16];
    CHECK_EQ_INT(lln_step_batch_f64(m, s, x, dt, y), LLN_OK);
    double h[2 * 16];
    lln_state_get(s, h, NULL);
    double sum = 0;
    for (int i = 0; i < 2 * lln_model_state_size(m); i++)
        sum += fabs(h[i]);
    CHECK_MSG(sum > 0, "state did not move");
    lln_state_reset(s);
    lln_state_get(s, h, NULL);
    for (int i = 0; i < 2 * lln_model_state_size(m); i++)
        CHECK(h[i] == 0);
    CHECK_EQ_INT(lln_state_bytes(m, LLN_F32, 0), 0);
    free(buf);
}

static void check_config_errors(void)
{
    lln_config_t c;
    lln_error_t err = {LLN_OK, ""};
    lln_model_t *m;
    lln_config_default(&c, LLN_CELL_LTC);
    c.input_size = 3;
    c.units = 0;
    CHECK_EQ_INT(lln_model_create(&c, 1, &m, &err), LLN_E_CONFIG);
    c.units = 4;
    c.ode_unfolds = 0;
    CHECK_EQ_INT(lln_model_create(&c, 1, &m, &err), LLN_E_CONFIG);
    CHECK_MSG(strstr(err.msg, "ode_unfolds") != NULL, "message: %s", err.msg);
    c.ode_unfolds = 6;
    c.proj_size = 2;
    CHECK_EQ_INT(lln_model_create(&c, 1, &m, &err), LLN_E_CONFIG);
    CHECK_EQ_INT(lln_config_set(&c, "mode", "fast", &err), LLN_E_CONFIG);
    CHECK_MSG(strstr(err.msg, "no_gate") != NULL, "message lists choices: %s", err.msg);
    CHECK_EQ_INT(lln_config_set(&c, "ode_unfolds", "6x", &err), LLN_E_CONFIG);
    CHECK_EQ_INT(lln_config_set(&c, "epsilon", "nan", &err), LLN_E_CONFIG);
    CHECK_EQ_INT(lln_config_set(&c, "no_such_key", "1", &err), LLN_E_CONFIG);
    CHECK_EQ_INT(lln_config_set(&c, "layer_sizes", "3,,2", &err), LLN_E_CONFIG);
    lln_config_default(&c, LLN_CELL_CFC);
    c.input_size = 2;
    c.units = 4;
    c.backbone_layers = LLN_MAX_BACKBONE + 1;
    CHECK_EQ_INT(lln_model_create(&c, 1, &m, &err), LLN_E_CONFIG);
    CHECK_MSG(strstr(err.msg, "backbone_layers") != NULL, "message: %s", err.msg);
}

static void collect(const char *k, const char *v, void *ctx)
{
    lln_error_t err = {LLN_OK, ""};
    CHECK_MSG(lln_config_set(ctx, k, v, &err) == LLN_OK, "%s=%s: %s", k, v, err.msg);
}

static void check_config_roundtrip(const lln_model_t *m)
{
    lln_config_t c;
    lln_config_default(&c, LLN_CELL_CFC);
    lln_config_foreach(lln_model_config(m), collect, &c);
    /* Byte for byte: both start from lln_config_default's memset, so padding matches too. */
    CHECK(memcmp((const void *)&c, (const void *)lln_model_config(m), sizeof c) == 0);
}

static void check_set(lln_model_t *m)
{
    lln_error_t err = {LLN_OK, ""};
    double v[64] = {0};
    const lln_tensor_info_t *t = lln_model_find(m, "rnn_cell.sparsity_mask");
    CHECK(t != NULL && t->count <= 64);
    CHECK_EQ_INT(lln_model_set(m, "rnn_cell.sparsity_mask", v, 3, &err), LLN_E_SHAPE);
    v[0] = 0.5;
    CHECK_EQ_INT(lln_model_set(m, "rnn_cell.sparsity_mask", v, t->count, &err), LLN_E_RANGE);
    v[0] = NAN;
    CHECK_EQ_INT(lln_model_set(m, "rnn_cell.gleak", v, 7, &err), LLN_E_RANGE);
    CHECK_EQ_INT(lln_model_set(m, "rnn_cell.nope", v, 7, &err), LLN_E_NOTFOUND);
    v[0] = 0;
    CHECK_EQ_INT(lln_model_set(m, "norm.input_std", v, 3, &err), LLN_E_RANGE);
}

/* norm.* tensors: the model applies (x - mean) / std before the cell and y * std + mean
 * after it; equal to feeding pre-normalised inputs to the same model without norm. */
static void check_norm(void)
{
    lln_model_t *a = make(LLN_CELL_CFC, NULL), *b = make(LLN_CELL_CFC, NULL);
    double mean[3] = {1, -2, 0.5}, sd[3] = {2, 0.5, 4}, ym[7] = {3, 3, 3, 3, 3, 3, 3};
    double ys[7] = {2, 2, 2, 2, 2, 2, 2};
    CHECK(lln_model_set(a, "norm.input_mean", mean, 3, NULL) == LLN_OK);
    CHECK(lln_model_set(a, "norm.input_std", sd, 3, NULL) == LLN_OK);
    CHECK(lln_model_set(a, "norm.output_mean", ym, 7, NULL) == LLN_OK);
    CHECK(lln_model_set(a, "norm.output_std", ys, 7, NULL) == LLN_OK);
    lln_state_t *sa, *sb;
    lln_state_create(a, LLN_F64, 1, &sa);
    lln_state_create(b, LLN_F64, 1, &sb);
    double x[3] = {2, -1, 3}, xn[3], ya[7], yb[7];
    for (int i = 0; i < 3; i++)
        xn[i] = (x[i] - mean[i]) / sd[i];
    for (int t = 0; t < 3; t++) {
        CHECK(lln_step_f64(a, sa, x, 1.0, ya) == LLN_OK);
        CHECK(lln_step_f64(b, sb, xn, 1.0, yb) == LLN_OK);
    }
    for (int o = 0; o < 7; o++)
        CHECK_NEAR(ya[o], yb[o] * 2 + 3, 1e-12);
    lln_state_free(sa), lln_state_free(sb);
    lln_model_free(a), lln_model_free(b);
}

/* Only existing synapses are evaluated: the kernels walk lists built from the masks. */
static void check_sparse_cost(void)
{
    lln_config_t c;
    lln_config_default(&c, LLN_CELL_LTC);
    c.input_size = 8;
    c.wiring.kind = LLN_WIRING_AUTONCP;
    c.wiring.units = 19;
    c.wiring.output_dim = 4;
    c.wiring.seed = 22222;
    c.wiring.sparsity = 0.5;
    lln_model_t *m;
    CHECK(lln_model_create(&c, 1, &m, NULL) == LLN_OK);
    lln_model_stats_t st;
    lln_model_stats(m, &st);
    CHECK_EQ_INT(st.synapses, 45);
    CHECK_EQ_INT(st.sensory_synapses, 35);
    CHECK_EQ_INT(st.transcendentals,
                 6 * 45 + 35); /* 6 unfolds x 45 synapses + 35 sensory: 305 sigmoids */
    CHECK_EQ_INT(m->p_f32.ltc.r_off[19], 45);
    CHECK_EQ_INT(m->p_f32.ltc.s_off[19], 35);
    CHECK_EQ_INT(m->p_f64.ltc.r_off[19], 45);
    lln_model_free(m);
}

/* A sparse LTC small enough for the one-sample ELL step (kernels_impl.h, ltc_sample_ell):
 * the benchmark's AutoNCP(19, 4) with 3 inputs. Its streaming path must be the ELL one, and
 * check_equivalences compares it with the 16-lane blocks bit for bit. */
static void t_ltc_ncp19(lln_config_t *c)
{
    t_ltc_ncp(c);
    c->units = 19;
    c->wiring.output_dim = 4;
}

/* The cells without backbone run in lane blocks (kernels_impl.h, cfc_lanes): default mode,
 * and mixed memory in front. */
static void t_wired_default(lln_config_t *c)
{
    t_wired(c);
    c->mode = LLN_CFC_DEFAULT;
}
static void t_cfc_bb0_mixed(lln_config_t *c)
{
    c->backbone_layers = 0;
    c->mixed_memory = 1;
}

int main(void)
{
    void (*tweaks[])(lln_config_t *) = {
        NULL, t_ltc_ncp, NULL, t_cfc_mixed, t_cfc_pure, t_wired, t_wired_default, t_cfc_bb0_mixed};
    lln_cell_kind_t cells[] = {LLN_CELL_LTC, LLN_CELL_LTC,       LLN_CELL_CFC,       LLN_CELL_CFC,
                               LLN_CELL_CFC, LLN_CELL_WIRED_CFC, LLN_CELL_WIRED_CFC, LLN_CELL_CFC};
    const char *names[] = {"ltc fc",         "ltc autoncp",          "cfc",
                           "cfc mixed proj", "cfc pure gelu",        "wired cfc no_gate",
                           "wired cfc",      "cfc no backbone mixed"};
    lln_model_t *ell = make(LLN_CELL_LTC, t_ltc_ncp19);
    if (ell != NULL) {
#if defined(__x86_64__) || defined(_M_X64) || defined(__aarch64__) || defined(__SSE2__)
        CHECK_MSG(ell->p_f32.ltc.re.w != NULL, "ltc ncp19: the one-sample ELL tables are missing");
#endif
        check_equivalences(ell, "ltc ncp19 (ELL)");
        lln_model_free(ell);
    }
    for (int i = 0; i < 8; i++) {
        lln_model_t *m = make(cells[i], tweaks[i]);
        if (m == NULL)
            continue;
        check_equivalences(m, names[i]);
        check_threads(m, names[i]);
        check_dt_errors(m);
        check_caller_buffer(m);
        check_config_roundtrip(m);
        lln_model_free(m);
    }
    lln_model_t *m = make(LLN_CELL_LTC, NULL);
    check_set(m);
    lln_model_free(m);
    check_config_errors();
    check_norm();
    check_sparse_cost();
    return check_done("test_model");
}
