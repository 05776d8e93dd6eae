/* Training (lln/train.h): optimizer updates against hand-computed values (Adam, AdamW, SGD
 * with and without Nesterov momentum, weight decay, clipping, schedules); pruned synapses,
 * masks and normalisation never change; the batch loss and its gradient against the outputs
 * and central finite differences (MSE with normalised outputs and padding, cross-entropy on
 * every step and on the last step); bit-identical training for the same seed and thread
 * count; 1 and 2 threads agree and both learn; a small LTC learns a task (loss / 5);
 * early stopping; a stopped and resumed run equals an uninterrupted one bit for bit. */
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "lln/data.h"
#include "lln/format.h"
#include "lln/train.h"

static lln_model_t *cfc_model(int inputs, int units, int bb, unsigned long long seed)
{
    lln_config_t c;
    lln_config_default(&c, LLN_CELL_CFC);
    c.input_size = inputs;
    c.units = units;
    c.backbone_units = bb;
    lln_model_t *m = NULL;
    lln_error_t err;
    if (lln_model_create(&c, seed, &m, &err) != LLN_OK)
        fprintf(stderr, "model: %s\n", err.msg);
    return m;
}

static lln_model_t *ncp_model(lln_cell_kind_t cell, int inputs, int units, int outputs,
                              unsigned long long seed)
{
    lln_config_t c;
    lln_config_default(&c, cell);
    c.input_size = inputs;
    lln_wiring_spec_default(&c.wiring, LLN_WIRING_AUTONCP);
    c.wiring.units = units;
    c.wiring.output_dim = outputs;
    c.ode_unfolds = 2;
    lln_model_t *m = NULL;
    lln_error_t err;
    if (lln_model_create(&c, seed, &m, &err) != LLN_OK)
        fprintf(stderr, "model: %s\n", err.msg);
    return m;
}

static lln_model_t *ltc_ncp_model(int inputs, int units, int outputs, unsigned long long seed)
{
    return ncp_model(LLN_CELL_LTC, inputs, units, outputs, seed);
}

/* First parameter entry the optimizer updates. */
static size_t first_updated(const lln_optim_t *o)
{
    for (size_t i = 0; i < lln_optim_size(o); i++)
        if (lln_optim_updates(o, i))
            return i;
    return 0;
}

/* Two steps with gradients 0.5 then -1.0 on one entry that starts at 1.0; returns the value
 * after each step. */
static void two_steps(const lln_optim_config_t *oc, double out[2])
{
    lln_model_t *m = cfc_model(2, 3, 4, 1);
    lln_optim_t *o = NULL;
    lln_error_t err;
    CHECK(lln_optim_create(m, oc, &o, &err) == LLN_OK);
    size_t P = lln_model_param_count(m), i = first_updated(o);
    double *g = calloc(P, sizeof *g), *p = lln_model_params(m);
    p[i] = 1.0;
    CHECK(lln_model_prepare(m, NULL) == LLN_OK);
    const double gs[2] = {0.5, -1.0};
    for (int s = 0; s < 2; s++) {
        memset(g, 0, P * sizeof *g);
        g[i] = gs[s];
        CHECK(lln_optim_step(o, m, g, NULL, &err) == LLN_OK);
        out[s] = lln_model_params(m)[i];
    }
    free(g);
    lln_optim_free(o);
    lln_model_free(m);
}

/* Expected values: torch.optim's update formulas worked through by hand for p0 = 1,
 * g = (0.5, -1.0), lr 0.1, betas (0.9, 0.999), eps 1e-8 (a calculator for the square roots):
 * Adam step 1: m = 0.05, v = 0.00025, p = 1 - 0.1 * 0.5 / (0.5 + 1e-8) = 0.900000002;
 * step 2: m = -0.055, v = 0.00124975, p += 0.1 * (0.055 / 0.19) / (sqrt(0.00124975 /
 * 0.001999) + 1e-8). */
static void test_optimizers(void)
{
    lln_optim_config_t oc;
    double p[2];
    lln_optim_config_default(&oc);
    oc.lr = 0.1;
    two_steps(&oc, p);
    CHECK_NEAR(p[0], 0.900000002, 1e-14);
    CHECK_NEAR(p[1], 0.9366103542405654, 1e-12);

    oc.weight_decay = 0.1; /* Adam: g += 0.1 p; step 1 g = 0.6 */
    two_steps(&oc, p);
    CHECK_NEAR(p[0], 0.9000000016666666, 1e-14);
    CHECK_NEAR(p[1], 0.9252635194456061, 1e-12);

    oc.kind = LLN_OPTIM_ADAMW; /* p *= 1 - lr wd first: 0.99, then the Adam step */
    two_steps(&oc, p);
    CHECK_NEAR(p[0], 0.890000002, 1e-14);
    CHECK_NEAR(p[1], 0.9177103542205653, 1e-12);

    lln_optim_config_default(&oc);
    oc.kind = LLN_OPTIM_SGD;
    oc.lr = 0.1;
    two_steps(&oc, p); /* plain: 1 - 0.05, then + 0.1 */
    CHECK_NEAR(p[0], 0.95, 1e-15);
    CHECK_NEAR(p[1], 1.05, 1e-15);
    oc.momentum = 0.9; /* buf 0.5 -> p 0.95; buf 0.45 - 1 = -0.55 -> p 1.005 */
    two_steps(&oc, p);
    CHECK_NEAR(p[0], 0.95, 1e-15);
    CHECK_NEAR(p[1], 1.005, 1e-15);
    oc.nesterov = 1; /* g + 0.9 buf: 0.95 -> 0.905; -1 + 0.9 (-0.55) = -1.495 -> 1.0545 */
    two_steps(&oc, p);
    CHECK_NEAR(p[0], 0.905, 1e-15);
    CHECK_NEAR(p[1], 1.0545, 1e-15);
    oc.nesterov = 0;
    oc.momentum = 0.0;
    oc.weight_decay = 0.5; /* g + 0.5 p: 1.0 -> 0.9; -1 + 0.45 = -0.55 -> 0.955 */
    two_steps(&oc, p);
    CHECK_NEAR(p[0], 0.9, 1e-15);
    CHECK_NEAR(p[1], 0.955, 1e-15);

    /* invalid settings are refused with a message */
    lln_error_t err;
    lln_optim_config_default(&oc);
    oc.lr = -1;
    CHECK(lln_optim_config_validate(&oc, &err) == LLN_E_ARG && strstr(err.msg, "lr") != NULL);
    lln_optim_config_default(&oc);
    oc.nesterov = 1;
    CHECK(lln_optim_config_validate(&oc, &err) == LLN_E_ARG);
    oc.nesterov = 0;
    oc.schedule = LLN_LR_STEP; /* step_size 0 */
    CHECK(lln_optim_config_validate(&oc, &err) == LLN_E_ARG);
}

static void test_clip_and_schedules(void)
{
    lln_model_t *m = cfc_model(2, 3, 4, 2);
    lln_optim_config_t oc;
    lln_optim_config_default(&oc);
    oc.kind = LLN_OPTIM_SGD;
    oc.lr = 1.0;
    oc.clip_norm = 1.0;
    lln_optim_t *o = NULL;
    CHECK(lln_optim_create(m, &oc, &o, NULL) == LLN_OK);
    size_t P = lln_model_param_count(m), a = first_updated(o), b = a + 1;
    double *g = calloc(P, sizeof *g), *before = malloc(P * sizeof *before);
    memcpy(before, lln_model_params(m), P * sizeof *before);
    g[a] = 3.0;
    g[b] = 4.0; /* norm 5 -> scaled by 1/5 */
    lln_optim_info_t info;
    CHECK(lln_optim_step(o, m, g, &info, NULL) == LLN_OK);
    CHECK_NEAR(info.grad_norm, 5.0, 1e-15);
    CHECK(info.clipped == 1);
    CHECK_NEAR(g[a], 0.6, 1e-15);
    CHECK_NEAR(lln_model_params(m)[a], before[a] - 0.6, 1e-15);
    CHECK_NEAR(lln_model_params(m)[b], before[b] - 0.8, 1e-15);
    /* a non-finite gradient is refused and changes nothing */
    memcpy(before, lln_model_params(m), P * sizeof *before);
    g[a] = NAN;
    lln_error_t err;
    CHECK(lln_optim_step(o, m, g, NULL, &err) == LLN_E_RANGE);
    CHECK(memcmp(before, lln_model_params(m), P * sizeof *before) == 0);
    CHECK(lln_optim_steps(o) == 1);
    free(g);
    free(before);
    lln_optim_free(o);
    lln_model_free(m);

    lln_optim_config_default(&oc);
    oc.lr = 0.1;
    oc.schedule = LLN_LR_STEP;
    oc.step_size = 2;
    oc.gamma = 0.5;
    CHECK_NEAR(lln_optim_lr(&oc, 0), 0.1, 1e-17);
    CHECK_NEAR(lln_optim_lr(&oc, 1), 0.1, 1e-17);
    CHECK_NEAR(lln_optim_lr(&oc, 2), 0.05, 1e-17);
    CHECK_NEAR(lln_optim_lr(&oc, 5), 0.025, 1e-17);
    oc.lr = 1.0;
    oc.schedule = LLN_LR_COSINE;
    oc.decay_steps = 4;
    oc.min_lr = 0.0;
    CHECK_NEAR(lln_optim_lr(&oc, 0), 1.0, 1e-15);
    CHECK_NEAR(lln_optim_lr(&oc, 1), 0.5 + 0.5 * sqrt(0.5), 1e-15); /* (1 + cos(pi/4)) / 2 */
    CHECK_NEAR(lln_optim_lr(&oc, 2), 0.5, 1e-15);
    CHECK_NEAR(lln_optim_lr(&oc, 4), 0.0, 1e-15);
    CHECK_NEAR(lln_optim_lr(&oc, 9), 0.0, 1e-15);
    oc.schedule = LLN_LR_CONSTANT;
    oc.warmup_steps = 3; /* 1/4, 2/4, 3/4, then 1 */
    CHECK_NEAR(lln_optim_lr(&oc, 0), 0.25, 1e-15);
    CHECK_NEAR(lln_optim_lr(&oc, 2), 0.75, 1e-15);
    CHECK_NEAR(lln_optim_lr(&oc, 3), 1.0, 1e-15);
}

/* Pruned synapses, masks and normalisation stay exactly as they were, even with AdamW weight
 * decay, momentum and a gradient that is non-zero everywhere. */
static void test_masked_entries(void)
{
    lln_model_t *m = ltc_ncp_model(3, 10, 2, 3);
    size_t P = lln_model_param_count(m);
    const lln_tensor_info_t *mask = lln_model_find(m, "rnn_cell.sparsity_mask");
    const lln_tensor_info_t *w = lln_model_find(m, "rnn_cell.w");
    const lln_tensor_info_t *erev = lln_model_find(m, "rnn_cell.erev");
    const lln_tensor_info_t *smask = lln_model_find(m, "rnn_cell.sensory_sparsity_mask");
    const lln_tensor_info_t *sw = lln_model_find(m, "rnn_cell.sensory_w");
    CHECK(mask && w && erev && smask && sw);
    double *before = malloc(P * sizeof *before), *g = malloc(P * sizeof *g);
    memcpy(before, lln_model_params(m), P * sizeof *before);
    lln_optim_config_t oc;
    lln_optim_config_default(&oc);
    oc.kind = LLN_OPTIM_ADAMW;
    oc.weight_decay = 0.3;
    oc.lr = 0.01;
    lln_optim_t *o = NULL;
    CHECK(lln_optim_create(m, &oc, &o, NULL) == LLN_OK);
    for (int s = 0; s < 5; s++) {
        for (size_t i = 0; i < P; i++)
            g[i] = 0.01 * (double)((i * 7 + (size_t)s) % 13) - 0.05;
        CHECK(lln_optim_step(o, m, g, NULL, NULL) == LLN_OK);
    }
    const double *p = lln_model_params(m);
    int pruned = 0, changed_real = 0, bad = 0;
    for (size_t i = 0; i < mask->count; i++) {
        if (before[mask->offset + i] == 0.0) {
            pruned++;
            bad += p[w->offset + i] != before[w->offset + i];
            bad += p[erev->offset + i] != before[erev->offset + i];
            bad += p[erev->offset + i] != 0.0; /* pruned reversal potentials are 0 */
        } else {
            changed_real += p[w->offset + i] != before[w->offset + i];
        }
    }
    for (size_t i = 0; i < smask->count; i++)
        if (before[smask->offset + i] == 0.0)
            bad += p[sw->offset + i] != before[sw->offset + i];
    CHECK(pruned > 0);
    CHECK(changed_real > 0);
    CHECK_EQ_INT(bad, 0);
    for (size_t t = 0; t < lln_model_tensor_count(m); t++) {
        const lln_tensor_info_t *ti = lln_model_tensor(m, t);
        if (!(ti->flags & LLN_TENSOR_TRAINABLE))
            CHECK_MSG(memcmp(p + ti->offset, before + ti->offset, ti->count * sizeof *p) == 0,
                      "tensor %s changed", ti->name);
    }
    free(before);
    free(g);
    lln_optim_free(o);
    lln_model_free(m);
}

/* ---- batch loss and gradient -------------------------------------------------------------- */

enum { BB = 5, BT = 6, BI = 2 };

typedef struct batch {
    double x[BB * BT * BI], dt[BB * BT], y[BB * BT * 3], mask[BB * BT];
} batch_t;

static void fill_batch(batch_t *b, int classes)
{
    for (int i = 0; i < BB * BT * BI; i++)
        b->x[i] = 0.8 * sin(0.37 * i + 0.2);
    for (int i = 0; i < BB * BT; i++) {
        b->dt[i] = 0.5 + 0.1 * (i % 4);
        b->mask[i] = (i % BT) < BT - (i / BT) % 3 ? 1.0 : 0.0; /* 0, 1 or 2 padded steps */
    }
    for (int i = 0; i < BB * BT * 3; i++)
        b->y[i] = classes ? (double)(i % classes) : 0.6 * cos(0.23 * i);
}

static double batch_loss(lln_batch_grad_t *bg, const lln_model_t *m, const batch_t *b)
{
    lln_batch_stats_t s;
    if (lln_batch_grad_run(bg, m, BB, b->x, b->dt, b->y, b->mask, NULL, NULL, &s, NULL) != LLN_OK)
        return NAN;
    return s.loss_sum / s.count;
}

/* Central differences of the batch loss against the gradient, on a few entries. */
static void check_fd(lln_model_t *m, lln_loss_kind_t kind, lln_loss_steps_t which, const batch_t *b,
                     const char *what)
{
    size_t P = lln_model_param_count(m);
    lln_batch_grad_t *bg = NULL;
    lln_error_t err;
    CHECK(lln_batch_grad_create(m, LLN_F64, BB, BT, 2, kind, which, &bg, &err) == LLN_OK);
    double *g = calloc(P, sizeof *g);
    CHECK(lln_batch_grad_run(bg, m, BB, b->x, b->dt, b->y, b->mask, g, NULL, NULL, &err) == LLN_OK);
    int tested = 0;
    double *p = lln_model_params(m);
    for (size_t i = 0; i < P && tested < 12; i += P / 23 + 1) {
        const double h = 1e-6, p0 = p[i];
        p[i] = p0 + h;
        if (lln_model_prepare(m, NULL) != LLN_OK) {
            p[i] = p0;
            continue;
        }
        double lp = batch_loss(bg, m, b);
        p[i] = p0 - h;
        lln_model_prepare(m, NULL);
        double lm = batch_loss(bg, m, b);
        p[i] = p0;
        lln_model_prepare(m, NULL);
        double fd = (lp - lm) / (2 * h);
        CHECK_MSG(fabs(fd - g[i]) <= 1e-6 + 1e-5 * fabs(fd), "%s: param %zu: grad %.10g fd %.10g",
                  what, i, g[i], fd);
        tested++;
    }
    CHECK(tested >= 5);
    free(g);
    lln_batch_grad_free(bg);
}

static void test_batch_loss(void)
{
    batch_t b;
    /* MSE with a non-identity output normalisation: the loss is the MSE of normalised errors */
    lln_model_t *m = ltc_ncp_model(BI, 8, 3, 4);
    const double om[3] = {0.1, -0.2, 0.3}, os[3] = {2.0, 0.5, 1.5};
    lln_error_t err;
    CHECK(lln_model_set_norm(m, NULL, NULL, om, os, &err) == LLN_OK);
    fill_batch(&b, 0);
    lln_batch_grad_t *bg = NULL;
    CHECK(lln_batch_grad_create(m, LLN_F64, BB, BT, 1, LLN_LOSS_MSE, LLN_LOSS_EVERY_STEP, &bg,
                                &err) == LLN_OK);
    double yo[BB * BT * 3];
    lln_batch_stats_t s;
    CHECK(lln_batch_grad_run(bg, m, BB, b.x, b.dt, b.y, b.mask, NULL, yo, &s, &err) == LLN_OK);
    double sum = 0, raw = 0;
    int n = 0;
    for (int i = 0; i < BB * BT; i++)
        for (int o = 0; o < 3 && b.mask[i] != 0; o++, n++) {
            double e = yo[i * 3 + o] - b.y[i * 3 + o];
            sum += (e / os[o]) * (e / os[o]);
            raw += e * e;
        }
    CHECK_NEAR(s.count, n, 0);
    CHECK_NEAR(s.loss_sum, sum, 1e-12 * sum);
    CHECK_NEAR(s.sq_err_raw, raw, 1e-12 * raw);
    lln_batch_grad_free(bg);
    check_fd(m, LLN_LOSS_MSE, LLN_LOSS_EVERY_STEP, &b, "mse");
    lln_model_free(m);

    /* cross-entropy: per step and on the last real step */
    m = ltc_ncp_model(BI, 8, 3, 5);
    fill_batch(&b, 3);
    for (int i = 0; i < BB * BT; i++) /* class ids, one per step */
        b.y[i] = (double)(i % 3);
    check_fd(m, LLN_LOSS_CROSS_ENTROPY, LLN_LOSS_EVERY_STEP, &b, "ce every step");
    check_fd(m, LLN_LOSS_CROSS_ENTROPY, LLN_LOSS_LAST_STEP, &b, "ce last step");
    CHECK(lln_batch_grad_create(m, LLN_F64, BB, BT, 1, LLN_LOSS_CROSS_ENTROPY, LLN_LOSS_LAST_STEP,
                                &bg, &err) == LLN_OK);
    CHECK(lln_batch_grad_run(bg, m, BB, b.x, b.dt, b.y, b.mask, NULL, yo, &s, &err) == LLN_OK);
    CHECK_NEAR(s.steps, BB, 0); /* one counted step per sequence */
    b.y[0] = 3.0;               /* out of range: only an error where it counts */
    b.y[BT - 1] = 7.0;          /* sequence 0 has no padding: its last step counts */
    CHECK(lln_batch_grad_run(bg, m, BB, b.x, b.dt, b.y, b.mask, NULL, NULL, &s, &err) ==
          LLN_E_RANGE);
    lln_batch_grad_free(bg);
    lln_model_free(m);
}

/* The same batch on 1 and 2 threads: equal up to rounding; twice on 2 threads: equal bits. */
static void test_threads_gradient(void)
{
    batch_t b;
    fill_batch(&b, 0);
    lln_model_t *m = cfc_model(BI, 3, 8, 6);
    size_t P = lln_model_param_count(m);
    float x[BB * BT * BI], dt[BB * BT], y[BB * BT * 3], mask[BB * BT];
    for (int i = 0; i < BB * BT * BI; i++)
        x[i] = (float)b.x[i];
    for (int i = 0; i < BB * BT; i++) {
        dt[i] = (float)b.dt[i];
        mask[i] = (float)b.mask[i];
    }
    for (int i = 0; i < BB * BT * 3; i++)
        y[i] = (float)b.y[i];
    double *g[5];
    for (int k = 0; k < 5; k++) { /* float64 on 1 and 2 threads, float32 on 2, 2 and 1 */
        lln_batch_grad_t *bg = NULL;
        int threads = k == 0 || k == 4 ? 1 : 2;
        lln_dtype_t d = k < 2 ? LLN_F64 : LLN_F32;
        CHECK(lln_batch_grad_create(m, d, BB, BT, threads, LLN_LOSS_MSE, LLN_LOSS_EVERY_STEP, &bg,
                                    NULL) == LLN_OK);
        CHECK_EQ_INT(lln_batch_grad_threads(bg), threads);
        g[k] = calloc(P, sizeof(double));
        CHECK(lln_batch_grad_run(
                  bg, m, BB, d == LLN_F64 ? (const void *)b.x : x,
                  d == LLN_F64 ? (const void *)b.dt : dt, d == LLN_F64 ? (const void *)b.y : y,
                  d == LLN_F64 ? (const void *)b.mask : mask, g[k], NULL, NULL, NULL) == LLN_OK);
        lln_batch_grad_free(bg);
    }
    double worst = 0;
    for (size_t i = 0; i < P; i++) {
        double d = fabs(g[0][i] - g[1][i]) / (1e-9 + fabs(g[0][i]));
        worst = d > worst ? d : worst;
    }
    CHECK_MSG(worst < 1e-10, "1 vs 2 threads: relative difference %g", worst);
    CHECK(memcmp(g[2], g[3], P * sizeof(double)) == 0);
    for (size_t i = 0; i < P; i++) /* float32 slices: same values up to float rounding */
        CHECK_MSG(fabs(g[2][i] - g[4][i]) <= 1e-5 * (1e-3 + fabs(g[4][i])), "param %zu: %g vs %g",
                  i, g[2][i], g[4][i]);
    for (int k = 0; k < 5; k++)
        free(g[k]);
    lln_model_free(m);
}

/* ---- the loop ----------------------------------------------------------------------------- */

/* 24 sequences of 40 rows: x = a noisy sine of its own frequency; y = the mean of x over the
 * last 3 rows (needs memory), irregular dt. */
static char *make_csv(size_t *len)
{
    size_t cap = 1 << 20, n = 0;
    char *s = malloc(cap);
    n += (size_t)snprintf(s + n, cap - n, "seq,dt,x,y\n");
    for (int q = 0; q < 24; q++) {
        double x1 = 0, x2 = 0, t = 0;
        for (int r = 0; r < 40; r++) {
            double dt = 0.08 + 0.04 * ((q * 7 + r * 3) % 5) / 4.0;
            t += dt;
            double x = sin((1.0 + 0.15 * q) * t + q) + 0.05 * sin(91.7 * t * (q + 1));
            double y = (x + x1 + x2) / 3.0;
            n += (size_t)snprintf(s + n, cap - n, "s%d,%.4f,%.6f,%.6f\n", q, dt, x, y);
            x2 = x1;
            x1 = x;
        }
    }
    *len = n;
    return s;
}

static lln_dataset_t *make_dataset(void)
{
    size_t len;
    char *csv = make_csv(&len);
    lln_csv_spec_t spec;
    lln_csv_spec_default(&spec);
    static const char *const feats[] = {"x"}, *const targs[] = {"y"};
    spec.features = feats;
    spec.nfeatures = 1;
    spec.targets = targs;
    spec.ntargets = 1;
    spec.sequence = "seq";
    spec.dt = "dt";
    lln_dataset_t *ds = NULL;
    lln_error_t err;
    int ok = lln_dataset_read_mem("train.csv", csv, len, &spec, &ds, &err) == LLN_OK &&
             lln_dataset_make_windows(ds, 20, 10, LLN_TAIL_DROP, &err) == LLN_OK &&
             lln_dataset_split(ds, LLN_SPLIT_SEQUENCE, 0.2, 0.0, 5, &err) == LLN_OK;
    if (!ok)
        fprintf(stderr, "dataset: %s\n", err.msg);
    free(csv);
    CHECK(ok);
    return ok ? ds : NULL;
}

/* The persistent threads (3, an uneven split) on a model big enough that the reduction of the
 * workers' gradients and the optimizer steps run on them too: repeated runs give the same
 * bits; an optimizer sharing the threads (lln_optim_share_threads) moves the parameters and
 * moments exactly as one on the calling thread, for AdamW with clipping and Nesterov SGD,
 * also after the batch gradient that lent the threads is freed. */
static void test_shared_threads(void)
{
    batch_t b;
    fill_batch(&b, 0);
    lln_config_t c;
    lln_config_default(&c, LLN_CELL_CFC);
    c.input_size = BI;
    c.units = 3;
    c.backbone_units = 96;
    c.backbone_layers = 2;
    lln_model_t *m[2] = {NULL, NULL};
    for (int k = 0; k < 2; k++)
        CHECK(lln_model_create(&c, 11, &m[k], NULL) == LLN_OK);
    if (m[0] == NULL || m[1] == NULL)
        return;
    size_t P = lln_model_param_count(m[0]);
    CHECK_MSG(P >= 8192, "model has %zu parameters: too few for the parallel paths", P);
    double *g1 = calloc(P, sizeof *g1), *g3 = calloc(P, sizeof *g3), *g3b = calloc(P, sizeof *g3b);
    lln_batch_grad_t *bg1 = NULL, *bg3 = NULL;
    CHECK(lln_batch_grad_create(m[0], LLN_F64, BB, BT, 1, LLN_LOSS_MSE, LLN_LOSS_EVERY_STEP, &bg1,
                                NULL) == LLN_OK);
    CHECK(lln_batch_grad_create(m[0], LLN_F64, BB, BT, 3, LLN_LOSS_MSE, LLN_LOSS_EVERY_STEP, &bg3,
                                NULL) == LLN_OK);
    CHECK_EQ_INT(lln_batch_grad_threads(bg3), 3);
    CHECK(lln_batch_grad_run(bg1, m[0], BB, b.x, b.dt, b.y, b.mask, g1, NULL, NULL, NULL) ==
          LLN_OK);
    CHECK(lln_batch_grad_run(bg3, m[0], BB, b.x, b.dt, b.y, b.mask, g3, NULL, NULL, NULL) ==
          LLN_OK);
    CHECK(lln_batch_grad_run(bg3, m[0], BB, b.x, b.dt, b.y, b.mask, g3b, NULL, NULL, NULL) ==
          LLN_OK);
    CHECK(memcmp(g3, g3b, P * sizeof *g3) == 0);
    double worst = 0, gmax = 0;
    for (size_t i = 0; i < P; i++) {
        double d = fabs(g1[i] - g3[i]) / (1e-9 + fabs(g1[i]));
        worst = d > worst ? d : worst;
        gmax = fabs(g1[i]) > gmax ? fabs(g1[i]) : gmax;
    }
    CHECK_MSG(gmax > 0, "the gradient is zero");
    CHECK_MSG(worst < 1e-10, "1 vs 3 threads: relative difference %g", worst);
    for (int kind = 0; kind < 2; kind++) {
        lln_optim_config_t oc;
        lln_optim_config_default(&oc);
        oc.kind = kind == 0 ? LLN_OPTIM_ADAMW : LLN_OPTIM_SGD;
        oc.weight_decay = 0.01;
        oc.clip_norm = 0.5 * gmax; /* the norm is >= the largest entry: clipping is on */
        if (kind == 1) {
            oc.momentum = 0.9;
            oc.nesterov = 1;
        }
        lln_optim_t *o[2] = {NULL, NULL};
        for (int k = 0; k < 2; k++)
            CHECK(lln_optim_create(m[k], &oc, &o[k], NULL) == LLN_OK);
        if (o[0] == NULL || o[1] == NULL)
            return;
        lln_batch_grad_t *lend = NULL;
        CHECK(lln_batch_grad_create(m[1], LLN_F64, BB, BT, 3, LLN_LOSS_MSE, LLN_LOSS_EVERY_STEP,
                                    &lend, NULL) == LLN_OK);
        CHECK(lln_optim_share_threads(o[1], lend) == LLN_OK);
        lln_batch_grad_free(lend); /* o[1] keeps the threads */
        for (int step = 0; step < 4; step++) {
            lln_optim_info_t info[2];
            for (int k = 0; k < 2; k++) {
                for (size_t i = 0; i < P; i++)
                    g3b[i] = g3[i] * (1.0 + 0.25 * step);
                CHECK(lln_optim_step(o[k], m[k], g3b, &info[k], NULL) == LLN_OK);
            }
            CHECK(info[0].clipped && info[1].clipped);
            CHECK(memcmp(lln_model_params(m[0]), lln_model_params(m[1]), P * sizeof(double)) == 0);
            for (int j = 0; j < lln_optim_moment_count(o[0]); j++)
                CHECK(memcmp(lln_optim_moment(o[0], j), lln_optim_moment(o[1], j),
                             P * sizeof(double)) == 0);
        }
        CHECK(lln_optim_share_threads(NULL, bg3) == LLN_E_ARG);
        for (int k = 0; k < 2; k++)
            lln_optim_free(o[k]);
    }
    CHECK(memcmp(lln_model_params(m[0]), lln_model_params(m[1]), P * sizeof(double)) == 0);
    lln_batch_grad_free(bg1);
    lln_batch_grad_free(bg3);
    free(g1);
    free(g3);
    free(g3b);
    for (int k = 0; k < 2; k++)
        lln_model_free(m[k]);
}

static void fit_norm(lln_model_t *m, const lln_dataset_t *ds)
{
    double im[1], is[1], om[1], os[1];
    CHECK(lln_dataset_fit_norm(ds, 1u << LLN_TRAIN, LLN_NORM_UNIQUE_ROWS, 1e-6, im, is, om, os,
                               NULL) == LLN_OK);
    CHECK(lln_model_set_norm(m, im, is, om, os, NULL) == LLN_OK);
}

typedef struct stopper {
    int stop_after; /* batches; 0 = never */
    int seen;
    double first_loss, last_valid;
} stopper_t;

static int on_progress(const lln_train_progress_t *p, void *ctx)
{
    stopper_t *s = ctx;
    if (p->event == LLN_TRAIN_BATCH) {
        if (s->seen == 0)
            s->first_loss = p->batch_loss;
        return ++s->seen == s->stop_after;
    }
    s->last_valid = p->valid_loss;
    return 0;
}

/* Trains a fresh wired CfC, AutoNCP(8, 1) (seed 11), for `epochs`; stops after stop_after batches when > 0 and then
 * resumes in a new trainer from the checkpoint. Returns the model. */
static lln_model_t *train_once(const lln_dataset_t *ds, int threads, int epochs, int stop_after,
                               const char *ckpt, stopper_t *st)
{
    lln_model_t *m = ncp_model(LLN_CELL_WIRED_CFC, 1, 8, 1, 11);
    fit_norm(m, ds);
    lln_train_config_t c;
    lln_train_config_default(&c);
    c.optim.lr = 0.02;
    c.epochs = epochs;
    c.batch_size = 8;
    c.threads = threads;
    c.seed = 3;
    c.checkpoint = ckpt;
    c.progress = on_progress;
    c.progress_ctx = st;
    st->stop_after = stop_after;
    lln_trainer_t *t = NULL;
    lln_error_t err;
    CHECK(lln_trainer_create(m, ds, &c, &t, &err) == LLN_OK);
    CHECK(lln_trainer_run(t, &err) == LLN_OK);
    lln_train_progress_t p;
    lln_trainer_status(t, &p);
    lln_trainer_free(t);
    if (stop_after > 0 && !p.finished) { /* resume in a new process-like setting */
        lln_model_free(m);
        m = ncp_model(LLN_CELL_WIRED_CFC, 1, 8, 1, 99); /* other values: all from the file */
        fit_norm(m, ds);
        CHECK(lln_trainer_create(m, ds, &c, &t, &err) == LLN_OK);
        CHECK(lln_trainer_load_checkpoint(t, ckpt, &err) == LLN_OK);
        st->stop_after = 0;
        CHECK(lln_trainer_run(t, &err) == LLN_OK);
        lln_trainer_free(t);
    }
    return m;
}

static int same_params(const lln_model_t *a, const lln_model_t *b)
{
    return lln_model_param_count(a) == lln_model_param_count(b) &&
           memcmp(lln_model_params_const(a), lln_model_params_const(b),
                  lln_model_param_count(a) * sizeof(double)) == 0;
}

static void test_loop(void)
{
    lln_dataset_t *ds = make_dataset();
    if (ds == NULL)
        return;
    char ckpt[64];
    snprintf(ckpt, sizeof ckpt, "test_train_%ld.ckpt", (long)getpid());

    /* learns: validation loss after 12 epochs < first batch loss / 5 */
    stopper_t s1 = {0, 0, 0, 0};
    lln_model_t *a = train_once(ds, 2, 12, 0, NULL, &s1);
    CHECK_MSG(s1.last_valid < s1.first_loss / 5, "loss %g -> validation %g", s1.first_loss,
              s1.last_valid);
    /* same seed and threads: the same bits */
    stopper_t s2 = {0, 0, 0, 0};
    lln_model_t *b = train_once(ds, 2, 12, 0, NULL, &s2);
    CHECK(same_params(a, b));
    /* one thread learns as well (other rounding, so other bits) */
    stopper_t s3 = {0, 0, 0, 0};
    lln_model_t *c = train_once(ds, 1, 12, 0, NULL, &s3);
    CHECK_MSG(s3.last_valid < s3.first_loss / 5, "1 thread: %g -> %g", s3.first_loss,
              s3.last_valid);
    /* stopped mid-epoch (batch 7 of 3 per epoch: epoch 3) and resumed: the same bits */
    stopper_t s4 = {0, 0, 0, 0};
    lln_model_t *d = train_once(ds, 2, 12, 7, ckpt, &s4);
    CHECK(same_params(a, d));
    /* the checkpoint is a model file */
    lln_model_t *k = NULL;
    CHECK(lln_model_load(ckpt, &k, NULL) == LLN_OK);
    CHECK(k != NULL && lln_model_get_meta(k, "train.position") != NULL);
    lln_model_free(k);
    (void)remove(ckpt);
    lln_model_free(a);
    lln_model_free(b);
    lln_model_free(c);
    lln_model_free(d);
    lln_dataset_free(ds);
}

static int count_epochs(const lln_train_progress_t *p, void *ctx)
{
    if (p->event == LLN_TRAIN_EPOCH)
        ++*(int *)ctx;
    return 0;
}

/* Writes ckpt with metadata key set to value as `bad`, then expects a trainer of c to refuse it
 * with LLN_E_FORMAT, a message naming the file and containing `what`, and an unchanged
 * position. */
static void refuse_tampered(const lln_model_t *m, const lln_dataset_t *ds,
                            const lln_train_config_t *c, const char *ckpt, const char *bad,
                            const char *key, const char *value, const char *what)
{
    lln_model_t *k = NULL;
    lln_error_t err;
    CHECK(lln_model_load(ckpt, &k, NULL) == LLN_OK);
    if (k == NULL)
        return;
    CHECK(lln_model_set_meta(k, key, value) == LLN_OK);
    CHECK(lln_model_save(k, bad, &err) == LLN_OK);
    lln_model_free(k);
    unsigned char *bytes = NULL;
    size_t len = 0;
    lln_model_t *fresh = NULL;
    CHECK(lln_model_save_mem(m, &bytes, &len, NULL) == LLN_OK);
    CHECK(lln_model_load_mem(bytes, len, "copy", &fresh, NULL) == LLN_OK);
    free(bytes);
    if (fresh == NULL)
        return;
    lln_trainer_t *t = NULL;
    CHECK(lln_trainer_create(fresh, ds, c, &t, &err) == LLN_OK);
    lln_status_t st = lln_trainer_load_checkpoint(t, bad, &err);
    CHECK_MSG(st == LLN_E_FORMAT, "%s = '%s': status %d (%s)", key, value, (int)st, err.msg);
    CHECK_MSG(strstr(err.msg, bad) != NULL && strstr(err.msg, what) != NULL,
              "%s = '%s': message '%s' lacks the file or '%s'", key, value, err.msg, what);
    lln_train_progress_t p;
    lln_trainer_status(t, &p);
    CHECK_EQ_INT(p.epoch, 0);
    lln_trainer_free(t);
    lln_model_free(fresh);
    (void)remove(bad);
}

/* Checkpoint training state is range-checked: an optimizer step count no run can reach (it
 * overflowed the step arithmetic), a NaN best metric after a kept epoch (no epoch would ever
 * be kept again), a non-integer value count. */
static void tampered_checkpoints(const lln_model_t *m, const lln_dataset_t *ds,
                                 const lln_train_config_t *c, const char *ckpt)
{
    char bad[80];
    snprintf(bad, sizeof bad, "test_train_bad_%ld.ckpt", (long)getpid());
    lln_model_t *k = NULL;
    CHECK(lln_model_load(ckpt, &k, NULL) == LLN_OK);
    if (k == NULL)
        return;
    const char *pos = lln_model_get_meta(k, "train.position");
    const char *sc = lln_model_get_meta(k, "train.scalars.0");
    long v[6] = {0, 0, 0, 0, 0, 0};
    int nv = 0; /* "a b c d e f": six decimal numbers */
    for (const char *p = pos; p != NULL && nv < 6; nv++) {
        char *end;
        errno = 0;
        v[nv] = strtol(p, &end, 10);
        if (end == p || errno != 0)
            break;
        p = end;
    }
    CHECK_MSG(pos != NULL && nv == 6, "train.position '%s' is not six numbers",
              pos ? pos : "(none)");
    CHECK(sc != NULL && strlen(sc) == (size_t)5 * 16);
    char text[200];
    snprintf(text, sizeof text, "%ld %ld %ld %ld %ld %ld", v[0], v[1], LONG_MAX, v[3], v[4], v[5]);
    refuse_tampered(m, ds, c, ckpt, bad, "train.position", text, "train.position");
    snprintf(text, sizeof text, "%ld %ld 9223372036854775808 %ld %ld %ld", v[0], v[1], v[3], v[4],
             v[5]);
    refuse_tampered(m, ds, c, ckpt, bad, "train.position", text, "train.position");
    snprintf(text, sizeof text, "%ld %ld %ld %ld %ld 7", v[0], v[1], v[2], v[3], v[4]);
    refuse_tampered(m, ds, c, ckpt, bad, "train.position", text, "train.position");
    if (sc != NULL && strlen(sc) == (size_t)5 * 16 && v[3] > 0) {
        char scal[81];
        snprintf(scal, sizeof scal, "%.64s7ff8000000000000", sc); /* best metric: NaN */
        refuse_tampered(m, ds, c, ckpt, bad, "train.scalars.0", scal, "train.scalars");
        snprintf(scal, sizeof scal, "%.16s3fe0000000000000%s", sc, sc + 32); /* 0.5 values */
        refuse_tampered(m, ds, c, ckpt, bad, "train.scalars.0", scal, "train.scalars");
    }
    lln_model_free(k);
}

/* A learning rate too small to change any bit: no epoch improves on the first, so patience 2
 * stops after epoch 3 of 10. A resume with other settings is refused by name. */
static void test_early_stop(void)
{
    lln_dataset_t *ds = make_dataset();
    if (ds == NULL)
        return;
    lln_model_t *m = ltc_ncp_model(1, 8, 1, 12);
    lln_train_config_t c;
    lln_train_config_default(&c);
    c.optim.kind = LLN_OPTIM_SGD;
    c.optim.lr = 1e-300;
    c.epochs = 10;
    c.patience = 2;
    c.batch_size = 16;
    c.threads = 1;
    int epochs = 0;
    c.progress = count_epochs;
    c.progress_ctx = &epochs;
    char ckpt[64];
    snprintf(ckpt, sizeof ckpt, "test_train_es_%ld.ckpt", (long)getpid());
    c.checkpoint = ckpt;
    lln_trainer_t *t = NULL;
    lln_error_t err;
    CHECK(lln_trainer_create(m, ds, &c, &t, &err) == LLN_OK);
    CHECK(lln_trainer_run(t, &err) == LLN_OK);
    lln_train_progress_t p;
    lln_trainer_status(t, &p);
    CHECK_EQ_INT(epochs, 3);
    CHECK_EQ_INT(p.best_epoch, 1);
    CHECK(p.finished == 1);
    lln_trainer_free(t);
    c.batch_size = 8;
    CHECK(lln_trainer_create(m, ds, &c, &t, &err) == LLN_OK);
    CHECK(lln_trainer_load_checkpoint(t, ckpt, &err) == LLN_E_CONFIG);
    CHECK_MSG(strstr(err.msg, "batch=16") != NULL, "message: %s", err.msg);
    lln_trainer_free(t);
    c.batch_size = 16;
    tampered_checkpoints(m, ds, &c, ckpt);
    (void)remove(ckpt);
    lln_model_free(m);
    lln_dataset_free(ds);
}

/* lln_evaluate: the confusion matrix adds up to the counted steps, its diagonal to the
 * correct ones; a class map permutes its rows; the last-step mode counts one step per window. */
static void test_evaluate(void)
{
    char csv[8192];
    size_t n = (size_t)snprintf(csv, sizeof csv, "seq,x,label\n");
    for (int r = 0; r < 60; r++)
        n += (size_t)snprintf(csv + n, sizeof csv - n, "q%d,%.3f,%s\n", r / 20,
                              sin(0.7 * r) + 0.1 * (r % 3),
                              r % 3 == 0   ? "b"
                              : r % 3 == 1 ? "a"
                                           : "c");
    lln_csv_spec_t spec;
    lln_csv_spec_default(&spec);
    static const char *const targs[] = {"label"};
    spec.targets = targs;
    spec.ntargets = 1;
    spec.sequence = "seq";
    spec.labels = LLN_LABELS_STRING;
    lln_dataset_t *ds = NULL;
    lln_error_t err;
    CHECK(lln_dataset_read_mem("cls.csv", csv, n, &spec, &ds, &err) == LLN_OK);
    CHECK(lln_dataset_make_windows(ds, 5, 5, LLN_TAIL_DROP, &err) == LLN_OK);
    lln_model_t *m = ncp_model(LLN_CELL_WIRED_CFC, 1, 8, 3, 13);
    size_t W = lln_dataset_window_count(ds), idx[64];
    for (size_t i = 0; i < W; i++)
        idx[i] = i;
    lln_batch_stats_t s, s2;
    double conf[9], conf2[9];
    CHECK(lln_evaluate(m, ds, idx, W, LLN_LOSS_CROSS_ENTROPY, LLN_LOSS_EVERY_STEP, LLN_F32, 4, 2,
                       NULL, &s, conf, &err) == LLN_OK);
    double total = 0, diag = 0;
    for (int i = 0; i < 9; i++)
        total += conf[i];
    for (int i = 0; i < 3; i++)
        diag += conf[(size_t)i * 4];
    CHECK_NEAR(total, 60, 0);
    CHECK_NEAR(s.steps, 60, 0);
    CHECK_NEAR(diag, s.correct, 0);
    const int map[3] = {2, 0, 1}; /* data class k is model output map[k] */
    CHECK(lln_evaluate(m, ds, idx, W, LLN_LOSS_CROSS_ENTROPY, LLN_LOSS_EVERY_STEP, LLN_F32, 4, 1,
                       map, &s2, conf2, &err) == LLN_OK);
    for (int k = 0; k < 3; k++) /* the same predictions, rows moved */
        for (int j = 0; j < 3; j++)
            CHECK_NEAR(conf2[map[k] * 3 + j], conf[k * 3 + j], 0);
    CHECK(lln_evaluate(m, ds, idx, W, LLN_LOSS_CROSS_ENTROPY, LLN_LOSS_LAST_STEP, LLN_F64, 5, 1,
                       NULL, &s, NULL, &err) == LLN_OK);
    CHECK_NEAR(s.steps, (double)W, 0);
    lln_model_free(m);
    lln_dataset_free(ds);
}

int main(void)
{
    test_optimizers();
    test_clip_and_schedules();
    test_masked_entries();
    test_batch_loss();
    test_threads_gradient();
    test_shared_threads();
    test_loop();
    test_early_stop();
    test_evaluate();
    return check_done("test_train");
}
