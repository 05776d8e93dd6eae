/* Calibration: the float model run in double over the runtime's tables (the structure of
 * runtime/lln_rt.c, the math of the spec), recording the largest magnitude of every vector
 * the fixed-point runtime stores, then one binary point per vector. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "quant_internal.h"
#include "common/alloc.h"

typedef struct {
    /* |mapped or normalised input| of every step, per input (n_in values each): their
     * robust range ignores glitches (a raw 9831 mm/h rain reading in a dataset whose other
     * inputs are O(1)), which would otherwise coarsen every input's format */
    double *in_abs;
    size_t n_in, cap_in;
    double x[LLN_Q_MAX_IO], y[LLN_Q_MAX_IO], dt;
    double v, xin, xn, p;
    double h[LLN_MAX_LAYERS], ff[LLN_MAX_LAYERS], t[LLN_MAX_LAYERS];
    double act[LLN_MAX_BACKBONE];
    double gin, ghn, mem; /* GRU candidate halves, LSTM memory */
} ranges_t;

static void upd(double *mx, double v)
{
    double a = fabs(v);
    if (a > *mx)
        *mx = a;
}

static double sigm(double x) { return 1.0 / (1.0 + exp(-x)); }

static double activate(int act, double v)
{
    switch (act) {
    case LLN_RT_ACT_LECUN_TANH: return 1.7159 * tanh(0.666 * v);
    case LLN_RT_ACT_TANH: return tanh(v);
    case LLN_RT_ACT_RELU: return v > 0 ? v : 0;
    case LLN_RT_ACT_SILU: return v * sigm(v);
    default: return 0.5 * v * (1.0 + erf(v / sqrt(2.0)));
    }
}

static void dense(const lln_rt_dense_t *d, const double *x, double *y)
{
    for (int o = 0; o < d->out; o++) {
        double acc = d->b ? d->b[o] : 0.0;
        for (int i = 0; i < d->in; i++)
            acc += (double)d->w[(size_t)o * d->in + i] * x[i];
        y[o] = acc;
    }
}

static void syn(const uint16_t *off, const uint16_t *src, const float *sig, const float *mu,
                const float *w, const float *we, int n, const double *v, double *num, double *den)
{
    for (int j = 0; j < n; j++)
        for (int s = off[j]; s < off[j + 1]; s++) {
            double sg = sigm(sig[s] * (v[src[s]] - mu[s]));
            num[j] += we[s] * sg;
            den[j] += w[s] * sg;
        }
}

static void ltc_step(const lln_rt_model_t *m, const double *xn, double dt, double *h, double *out,
                     double *w, ranges_t *r)
{
    const lln_rt_ltc_t *p = &m->ltc;
    int I = m->inputs, N = m->units;
    double *xin = w, *ns = xin + I, *ds = ns + N, *u = ds + N, *num = u + N, *den = num + N;
    for (int i = 0; i < I; i++) {
        xin[i] = xn[i] * p->in_w[i] + p->in_b[i];
        upd(&r->xin, xin[i]);
        r->in_abs[(size_t)i * r->cap_in + r->n_in] = fabs(xin[i]);
    }
    memset(ns, 0, 2 * (size_t)N * sizeof *ns);
    syn(p->s_off, p->s_src, p->s_sigma, p->s_mu, p->s_w, p->s_we, N, xin, ns, ds);
    memcpy(u, h, (size_t)N * sizeof *u);
    for (int k = 0; k < p->unfolds; k++) {
        for (int j = 0; j < N; j++) {
            double cmt = p->cm_k[j] / dt;
            num[j] = cmt * u[j] + p->gvleak[j] + ns[j];
            den[j] = cmt + p->gleak[j] + ds[j] + p->eps;
        }
        syn(p->r_off, p->r_src, p->r_sigma, p->r_mu, p->r_w, p->r_we, N, u, num, den);
        for (int j = 0; j < N; j++) {
            u[j] = num[j] / den[j];
            upd(&r->v, u[j]);
        }
    }
    memcpy(h, u, (size_t)N * sizeof *h);
    for (int o = 0; o < m->cell_outputs; o++)
        out[o] = u[o] * p->out_w[o] + p->out_b[o];
}

static void cfc_step(const lln_rt_model_t *m, int l, const double *inp, double dt, double *h,
                     double *w, ranges_t *r)
{
    const lln_rt_cfc_t *c = &m->cfc[l];
    int F = c->in + c->hidden, wmax = F, H = c->hidden;
    for (int k = 0; k < c->nbackbone; k++)
        wmax = c->backbone[k].out > wmax ? c->backbone[k].out : wmax;
    double *z = w, *z2 = z + wmax, *hd = z2 + wmax;
    memcpy(z, inp, (size_t)c->in * sizeof *z);
    memcpy(z + c->in, h, (size_t)H * sizeof *z);
    for (int k = 0; k < c->nbackbone; k++) {
        dense(&c->backbone[k], z, z2);
        for (int o = 0; o < c->backbone[k].out; o++) {
            upd(&r->act[k], z2[o]);
            z2[o] = activate(m->activation, z2[o]);
        }
        double *t = z;
        z = z2, z2 = t;
    }
    dense(&c->heads, z, hd);
    for (int j = 0; j < H; j++) {
        double f1 = hd[j];
        upd(&r->ff[l], f1);
        if (m->mode == LLN_RT_MODE_PURE) {
            double a = c->a[j];
            h[j] = -a * exp(-dt * (c->w_tau_abs[j] + fabs(f1))) * f1 + a;
        } else {
            double g1 = tanh(f1), g2 = tanh(hd[H + j]);
            upd(&r->t[l], hd[2 * H + j]);
            upd(&r->t[l], hd[3 * H + j]);
            double ti = sigm(hd[2 * H + j] * dt + hd[3 * H + j]);
            h[j] = m->mode == LLN_RT_MODE_DEFAULT ? g1 * (1.0 - ti) + ti * g2 : g1 + ti * g2;
        }
        upd(&r->h[l], h[j]);
    }
}

/* The MLP baseline (lln_rt_baseline's rt_mlp): the window h moves one row and takes xn, the
 * hidden layers write the cell output to out; w: 2 x cell_outputs. */
static void mlp_step(const lln_rt_model_t *m, const double *xn, double *h, double *out, double *w,
                     ranges_t *r)
{
    int I = m->inputs, N = m->units, U = m->cell_outputs;
    memmove(h, h + I, (size_t)(N - I) * sizeof *h);
    memcpy(h + N - I, xn, (size_t)I * sizeof *h);
    const double *in = h;
    for (int l = 0; l < m->base->nmlp; l++) {
        double *o = l + 1 == m->base->nmlp ? out : w + (size_t)(l % 2) * (size_t)U;
        dense(&m->base->mlp[l], in, o);
        for (int k = 0; k < m->base->mlp[l].out; k++) {
            upd(&r->act[l], o[k]);
            o[k] = activate(m->activation, o[k]);
        }
        in = o;
    }
    if (m->base->nmlp == 0)
        memcpy(out, h, (size_t)N * sizeof *out);
}

/* GRU / LSTM (lln_rt_baseline's rt_rnn); h holds h then the LSTM memory; w: 8 units. */
static void rnn_step(const lln_rt_model_t *m, const double *xn, double *h, double *out, double *w,
                     ranges_t *r)
{
    int N = m->units, G = m->base->rnn_ih.out / N;
    double *zi = w, *zh = zi + (size_t)G * N, *c = h + N;
    dense(&m->base->rnn_ih, xn, zi);
    dense(&m->base->rnn_hh, h, zh);
    for (int j = 0; j < N; j++) {
        if (m->cell == LLN_RT_GRU) {
            double rg = sigm(zi[j] + zh[j]), zg = sigm(zi[N + j] + zh[N + j]);
            upd(&r->gin, zi[2 * N + j]);
            upd(&r->ghn, zh[2 * N + j]);
            double n = tanh(zi[2 * N + j] + rg * zh[2 * N + j]);
            h[j] = (1.0 - zg) * n + zg * h[j];
        } else {
            double ig = sigm(zi[j] + zh[j]), fg = sigm(zi[N + j] + zh[N + j]);
            double gg = tanh(zi[2 * N + j] + zh[2 * N + j]),
                   og = sigm(zi[3 * N + j] + zh[3 * N + j]);
            c[j] = fg * c[j] + ig * gg;
            upd(&r->mem, c[j]);
            h[j] = og * tanh(c[j]);
        }
    }
    memcpy(out, h, (size_t)N * sizeof *out);
}

/* One step of the float model in double, recording ranges. */
static void step(const lln_rt_model_t *m, double *h, const double *x, double dt, double *w,
                 ranges_t *r)
{
    int I = m->inputs, N = m->units, Oc = m->cell_outputs;
    double *xn = w, *yc = xn + I, *s = yc + (Oc > m->outputs ? Oc : m->outputs);
    for (int i = 0; i < I; i++) {
        upd(&r->x[i], x[i]);
        xn[i] = (x[i] - m->x_mean[i]) * m->x_inv_std[i];
        upd(&r->xn, xn[i]);
        if (m->cell != LLN_RT_LTC)
            r->in_abs[(size_t)i * r->cap_in + r->n_in] = fabs(xn[i]);
    }
    upd(&r->dt, dt);
    if (m->cell == LLN_RT_LTC) {
        ltc_step(m, xn, dt, h, yc, s, r);
    } else if (m->cell == LLN_RT_MLP) {
        mlp_step(m, xn, h, yc, s, r);
    } else if (m->cell >= LLN_RT_GRU) {
        rnn_step(m, xn, h, yc, s, r);
    } else {
        const double *inp = xn;
        int col = 0;
        for (int l = 0; l < m->ncells; l++) {
            cfc_step(m, l, inp, dt, h + col, s, r);
            inp = h + col;
            col += m->cfc[l].hidden;
        }
        for (int o = 0; o < Oc; o++)
            yc[o] = h[N - Oc + o];
    }
    if (m->proj.out > 0) {
        dense(&m->proj, yc, s);
        for (int o = 0; o < m->proj.out; o++) {
            upd(&r->p, s[o]);
            yc[o] = s[o];
        }
    }
    for (int o = 0; o < m->outputs; o++)
        upd(&r->y[o], yc[o] * m->y_std[o] + m->y_mean[o]);
    r->n_in++;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* Input i's largest magnitude once the top 0.05 % of its values (1 in 2000) are set aside
 * as glitches: they saturate instead of costing the input its resolution. */
static double robust_range(ranges_t *g, int i)
{
    if (g->n_in == 0)
        return 0;
    double *v = g->in_abs + (size_t)i * g->cap_in;
    qsort(v, g->n_in, sizeof *v, cmp_double);
    return v[g->n_in - 1 - g->n_in / 2000];
}

/* The largest robust range over the inputs (LTC: one format for the mapped inputs). */
static double robust_input_range(ranges_t *g, int inputs)
{
    double worst = 0;
    for (int i = 0; i < inputs; i++)
        worst = fmax(worst, robust_range(g, i));
    return worst;
}

int lln__q_frac_for(double maxabs, double headroom, int lo, int hi)
{
    if (!(maxabs > 0) || !isfinite(maxabs))
        return hi;
    int f = (int)floor(log2(32767.0 / (maxabs * headroom)));
    return f < lo ? lo : f > hi ? hi : f;
}

/* With identity positivity the LTC's cm, gleak and (existing) synapse weights are used as
 * stored: the fixed-point solver's unsigned conductance sums need them positive. */
static int ltc_positive(const lln_model_t *m)
{
    static const char *const vec[] = {"rnn_cell.cm", "rnn_cell.gleak"};
    static const char *const sw[][2] = {{"rnn_cell.w", "rnn_cell.sparsity_mask"},
                                        {"rnn_cell.sensory_w", "rnn_cell.sensory_sparsity_mask"}};
    for (int t = 0; t < 2; t++) {
        const lln_tensor_info_t *ti = lln_model_find(m, vec[t]);
        const double *v = lln__tensor(m, vec[t]);
        for (size_t i = 0; ti && i < ti->count; i++)
            if (!(v[i] > 0))
                return 0;
        ti = lln_model_find(m, sw[t][0]);
        const double *w = lln__tensor(m, sw[t][0]), *mask = lln__tensor(m, sw[t][1]);
        for (size_t i = 0; ti && i < ti->count; i++)
            if (mask[i] != 0 && !(w[i] > 0))
                return 0;
    }
    return 1;
}

const char *lln__quant_unsupported(const lln_model_t *m)
{
    const lln_config_t *c = lln_model_config(m);
    if ((c->cell == LLN_CELL_GRU || c->cell == LLN_CELL_LSTM) &&
        (c->input_size > 511 || c->units > 511))
        return "a gru or lstm with more than 511 inputs or units (int32 accumulators could wrap)";
    if (c->cell == LLN_CELL_MLP && c->proj_size == 0)
        return "fixed point needs the mlp's output layer (proj_size > 0; lln train adds it); "
               "export it with --float";
    if (c->cell == LLN_CELL_MLP && c->units > 511)
        return "an mlp window (mlp_window x inputs) of more than 511 values (int32 accumulators "
               "could wrap)";
    if (c->cell == LLN_CELL_MLP && c->backbone_layers > 0 && c->backbone_units > 511)
        return "mlp hidden layers wider than 511 units (int32 accumulators could wrap)";
    if (c->cell == LLN_CELL_LTC && c->readout == LLN_READOUT_DENSE && c->units > 511)
        return "an ltc dense readout over more than 511 units (int32 accumulators could wrap); "
               "export it with --float";
    if (c->mixed_memory)
        return "mixed memory (the LSTM in front of the cell) has no fixed-point path yet; "
               "export it with --float";
    if (c->cell == LLN_CELL_LTC && c->positivity == LLN_POS_IDENTITY && !ltc_positive(m))
        return "an LTC with identity positivity and a negative or zero cm, gleak or synapse "
               "weight (the fixed-point solver needs positive conductances); export it with "
               "--float";
    if (c->input_size > LLN_Q_MAX_IO || lln_model_output_size(m) > LLN_Q_MAX_IO)
        return "more than 1024 inputs or outputs";
    if (c->cell == LLN_CELL_CFC && c->input_size + c->units > 511)
        return "a dense layer with more than 511 inputs (int32 accumulators could wrap)";
    if (c->cell == LLN_CELL_CFC && c->backbone_layers > 0 && c->backbone_units > 511)
        return "a backbone wider than 511 units (int32 accumulators could wrap)";
    return NULL;
}

/* The formats from the ranges. Headroom: states and inputs may exceed what calibration saw,
 * so they get a factor 2 (one bit); Δt gets 4 before the int32 limit and at most 24
 * fractional bits (Δt up to 128 s for models calibrated at sub-second steps). */
static void choose(const lln_model_t *m, const lln_rt_model_t *r, ranges_t *g, lln_qfmt_t *f)
{
    memset(f, 0, sizeof *f);
    f->nx = r->inputs, f->ny = r->outputs;
    f->dt = g->dt > 0 ? (int)floor(log2(2147483647.0 / (g->dt * 4.0))) : 16;
    f->dt = f->dt < 0 ? 0 : f->dt > 24 ? 24 : f->dt; /* 2^-24 s resolves any real clock */
    /* an input calibration never saw nonzero (a holiday flag) gets the range 1, not the
     * finest format, which would saturate its first nonzero value */
    for (int i = 0; i < r->inputs; i++)
        f->x[i] = lln__q_frac_for(g->x[i] > 0 ? g->x[i] : 1.0, 2.0, -16, 24);
    for (int o = 0; o < r->outputs; o++)
        f->y[o] = lln__q_frac_for(g->y[o], 2.0, -16, 24);
    if (r->cell == LLN_RT_LTC) {
        /* v is a convex combination of v, vleak and the erevs: they bound it too */
        double mv = g->v;
        const lln_config_t *c = lln_model_config(m);
        const double *vl = lln__tensor(m, "rnn_cell.vleak");
        for (int j = 0; j < c->units; j++)
            mv = fabs(vl[j]) > mv ? fabs(vl[j]) : mv;
        for (int k = 0; k < r->ltc.r_off[r->units]; k++)
            if (r->ltc.r_w[k] != 0.0f)
                mv = fmax(mv, fabs(r->ltc.r_we[k] / r->ltc.r_w[k]));
        for (int k = 0; k < r->ltc.s_off[r->units]; k++)
            if (r->ltc.s_w[k] != 0.0f)
                mv = fmax(mv, fabs(r->ltc.s_we[k] / r->ltc.s_w[k]));
        f->v = lln__q_frac_for(mv, 1.0, -8, 14);
        f->xin = lln__q_frac_for(robust_input_range(g, r->inputs), 2.0, -8, 14);
        if (r->proj.out > 0) /* the dense readout's output (motor readouts keep p = 0) */
            f->p = lln__q_frac_for(g->p, 2.0, -8, 14);
        return;
    }
    f->nxn = r->inputs;
    f->cell = (int)lln_model_config(m)->cell;
    f->gin = lln__q_frac_for(g->gin, 2.0, -8, 14);
    f->ghn = lln__q_frac_for(g->ghn, 2.0, -8, 14);
    f->mem = lln__q_frac_for(g->mem, 2.0, 0, 14);
    for (int i = 0; i < r->inputs; i++) /* each its own: the first layer folds them */
        f->xn[i] = lln__q_frac_for(robust_range(g, i), 2.0, -8, 14);
    f->ncells = r->ncells;
    for (int l = 0; l < r->ncells; l++) {
        int pure = r->mode == LLN_RT_MODE_PURE;
        f->h[l] = pure ? lln__q_frac_for(g->h[l], 2.0, -8, 14)
                       : (r->mode == LLN_RT_MODE_DEFAULT ? 15 : 14);
        f->ff[l] = pure ? lln__q_frac_for(g->ff[l], 2.0, -8, 14) : 12;
        f->t[l] = lln__q_frac_for(g->t[l], 2.0, -3, 12);
        /* the runtime's time gate needs t in [-3, 12] and t + dt - 12 >= -14 (lln_rtq.c, q_cfc) */
        f->t[l] = f->t[l] < -2 - f->dt ? -2 - f->dt : f->t[l];
    }
    f->nact = r->ncells ? r->cfc[0].nbackbone : r->base ? r->base->nmlp : 0;
    int tanh_like = r->activation == LLN_RT_ACT_TANH || r->activation == LLN_RT_ACT_LECUN_TANH;
    for (int k = 0; k < f->nact; k++)
        f->act[k] = tanh_like ? 12 : lln__q_frac_for(g->act[k], 2.0, -8, 14);
    f->p = lln__q_frac_for(g->p, 2.0, -8, 14);
}

lln_status_t lln_quant_calibrate(lln_model_t *m, int batch, int steps, const double *x,
                                 const double *dt, lln_error_t *err)
{
    const char *why = lln__quant_unsupported(m);
    if (why)
        return lln_error_set(err, LLN_E_UNSUPPORTED, "quantize: %s", why);
    if (batch < 1 || steps < 1 || x == NULL)
        return lln_error_set(err, LLN_E_ARG, "quantize: no calibration data");
    int I = lln_model_input_size(m), N = lln_model_state_size(m);
    size_t total = (size_t)batch * (size_t)steps;
    for (size_t k = 0; k < total * (size_t)I; k++)
        if (!isfinite(x[k]))
            return lln_error_set(err, LLN_E_ARG, "quantize: input %zu of step %zu is not finite",
                                 k % (size_t)I, k / (size_t)I);
    for (size_t k = 0; dt && k < total; k++)
        if (!(dt[k] >= LLN_DT_MIN) || !isfinite(dt[k]))
            return lln_error_set(err, LLN_E_DT, "quantize: dt of step %zu is %g", k, dt[k]);
    lln_rt_image_t img;
    lln_status_t st = lln__rt_image_build(m, &img, err);
    if (st != LLN_OK)
        return st;
    ranges_t *g = lln__calloc(1, sizeof *g);
    if (g != NULL) {
        g->cap_in = total;
        g->in_abs = lln__malloc(total * (size_t)I * sizeof *g->in_abs + 1);
    }
    double *h = lln__calloc(2 * (size_t)N, sizeof *h); /* h, and the LSTM memory */
    double *w = lln__calloc((size_t)img.model.scratch_floats * 2 + 64, sizeof *w);
    lln_qfmt_t *f = lln__malloc(sizeof *f);
    if (!g || !g->in_abs || !h || !w || !f) {
        st = lln_error_set(err, LLN_E_NOMEM, "quantize: out of memory");
    } else {
        for (int b = 0; b < batch; b++) {
            memset(h, 0, 2 * (size_t)N * sizeof *h);
            for (int t = 0; t < steps; t++) {
                size_t k = (size_t)b * (size_t)steps + (size_t)t;
                step(&img.model, h, x + k * (size_t)I, dt ? dt[k] : 1.0, w, g);
            }
        }
        choose(m, &img.model, g, f);
        char *text = lln__malloc(16384);
        if (text == NULL) {
            st = lln_error_set(err, LLN_E_NOMEM, "quantize: out of memory");
        } else {
            lln__qfmt_format(f, text, 16384);
            st = lln_model_set_meta(m, LLN_Q_META, text);
            if (st != LLN_OK)
                lln_error_set(err, st, "quantize: cannot store the formats");
            lln__free(text);
        }
    }
    if (g)
        lln__free(g->in_abs);
    lln__free(g), lln__free(h), lln__free(w), lln__free(f);
    lln__rt_image_free(&img);
    return st;
}
