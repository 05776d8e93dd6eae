/* The integer tables of runtime/lln_rtq.h from a model's float tables (rt_image) and the
 * formats calibration chose. Every real factor of a layer (weight row scale, input and output
 * binary points, lecun_tanh's constants, normalisation) is folded into one Q31 multiplier per
 * row, so the runtime does one requantisation per output. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "quant_internal.h"
#include "common/alloc.h"

int16_t lln__q16(double v, int frac)
{
    double s = nearbyint(ldexp(v, frac));
    return (int16_t)(s > 32767.0 ? 32767 : s < -32768.0 ? -32768 : s);
}

int32_t lln__q32(double v, int frac)
{
    double s = round(ldexp(v, frac));
    return (int32_t)(s > 2147483647.0 ? 2147483647.0 : s < -2147483648.0 ? -2147483648.0 : s);
}

typedef struct {
    lln_qimage_t *q;
    int ok;
} build_t;

static void *arr(build_t *b, const char *name, lln_qa_type_t type, size_t n)
{
    static const size_t SZ[] = {1, 2, 2, 4, sizeof(lln_rtq_synapse_t)};
    lln_qimage_t *q = b->q;
    if (!b->ok || q->narrays >= LLN_Q_MAX_ARRAYS) {
        b->ok = 0;
        return NULL;
    }
    lln_qarray_t *a = &q->arrays[q->narrays];
    if ((a->data = lln__calloc(n ? n : 1, SZ[type])) == NULL) {
        b->ok = 0;
        return NULL;
    }
    snprintf(a->name, sizeof a->name, "%s", name);
    a->type = type, a->n = n;
    q->narrays++;
    q->weight_bytes += n * SZ[type];
    return a->data;
}

/* A bias in output units, within +-2^23 (the runtime's q_out relies on it; larger biases
 * saturate the int16 output anyway). */
static int32_t q_bias(double v, int frac)
{
    int32_t b = lln__q32(v, frac);
    return b > (1 << 23) ? 1 << 23 : b < -(1 << 23) ? -(1 << 23) : b;
}

/* The runtime's requantisation (lln_rtq.h) is rq(acc mult, shift) = round(acc mult / 2^shift)
 * with |mult| < 2^30: the largest shift in [1, 62] that keeps every factor of f (n of them,
 * the rows of a layer or one element) below 2^30 after scaling, so the largest multiplier has
 * 30 significant bits and a shift >= 33 (one word: the runtime's fast path) whenever the
 * factors are below 1/8. */
static int shift_for(const double *f, size_t n)
{
    double mx = 0;
    for (size_t i = 0; i < n; i++)
        mx = fmax(mx, fabs(f[i]));
    int s = 62;
    while (s > 1 && ldexp(mx, s) >= 1073741823.0)
        s--;
    return s;
}

/* round(factor 2^s), within +-(2^30 - 1). */
static int32_t mult_at(double factor, int s)
{
    double v = nearbyint(ldexp(factor, s));
    return (int32_t)(v > 1073741823.0 ? 1073741823.0 : v < -1073741823.0 ? -1073741823.0 : v);
}

/* y = a x + c per element: x with in_frac bits, y with out_frac[i] bits. */
static void affine(build_t *b, lln_rtq_affine_t *af, const char *tag, int n, const double *a,
                   const double *c, int in_frac, const int *out_frac)
{
    char nm[48];
    int32_t *mult, *bias;
    int8_t *shift;
    snprintf(nm, sizeof nm, "%s_mult", tag), mult = arr(b, nm, LLN_QA_I32, (size_t)n);
    snprintf(nm, sizeof nm, "%s_shift", tag), shift = arr(b, nm, LLN_QA_I8, (size_t)n);
    snprintf(nm, sizeof nm, "%s_bias", tag), bias = arr(b, nm, LLN_QA_I32, (size_t)n);
    for (int i = 0; b->ok && i < n; i++) {
        double f = ldexp(a[i], out_frac[i] - in_frac - 16); /* the runtime reads x 2^16 */
        shift[i] = (int8_t)shift_for(&f, 1);
        mult[i] = mult_at(f, shift[i]);
        bias[i] = q_bias(c[i], out_frac[i]);
    }
    af->mult = mult, af->shift = shift, af->bias = bias;
}

/* A dense layer: int8 rows with one scale each. out = alpha (W x + bias) with x of real scale
 * in_scale per unit (times col_scale[i] for column i of the first group when given: each
 * input's own format, folded into its weights), out with out_frac[o] bits (rows with
 * out_frac NULL use frac0). With split > 0 the columns [split, in) are a second group read
 * from the runtime's second input vector and interleaved on their own (lln_rtq.h); own2: with
 * their own row scales and input scale in_scale2 (multipliers mult2), else the row's scale
 * covers both groups (then in_scale2 must equal in_scale). One shift for the layer. */
static void dense(build_t *b, lln_rtq_dense_t *d, const char *tag, const lln_rt_dense_t *src,
                  double in_scale, const double *col_scale, double alpha, const int *out_frac,
                  int frac0, int split, int own2, double in_scale2)
{
    char nm[48];
    size_t n = (size_t)src->out * src->in;
    d->out = src->out, d->in = src->in, d->split = (uint16_t)split;
    int8_t *w;
    int32_t *mult, *bias = NULL, *mult2 = NULL;
    int groups = split > 0 && own2 ? 2 : 1;
    snprintf(nm, sizeof nm, "%.40s_w", tag), w = arr(b, nm, LLN_QA_I8, n);
    snprintf(nm, sizeof nm, "%.40s_mult", tag), mult = arr(b, nm, LLN_QA_I32, src->out);
    if (groups == 2)
        snprintf(nm, sizeof nm, "%.40s_mult2", tag), mult2 = arr(b, nm, LLN_QA_I32, src->out);
    if (src->b)
        snprintf(nm, sizeof nm, "%.40s_bias", tag), bias = arr(b, nm, LLN_QA_I32, src->out);
    int8_t *tmp = lln__malloc((size_t)src->in + 1);
    double *fac = lln__malloc(2 * (size_t)src->out * sizeof *fac + 1);
    if (tmp == NULL || fac == NULL)
        b->ok = 0;
    /* column groups by their scale: [f0[g], f1[g]) */
    const int f0[2] = {0, groups == 2 ? split : src->in}, f1[2] = {f0[1], src->in};
    for (int o = 0; b->ok && o < src->out; o++) {
        const float *row = src->w + (size_t)o * src->in;
        int f = out_frac ? out_frac[o] : frac0;
        for (int g = 0; g < groups; g++) {
            /* the first group's columns may each have their own format (col_scale) */
            const double *cs = g == 0 ? col_scale : NULL;
            double mx = 0;
            for (int i = f0[g]; i < f1[g]; i++)
                mx = fmax(mx, fabs(row[i] * (cs && i < (split ? split : src->in) ? cs[i] : 1.0)));
            double s = mx > 0 ? mx / 127.0 : 1.0;
            for (int i = f0[g]; i < f1[g]; i++)
                tmp[i] =
                    (int8_t)lrint(row[i] * (cs && i < (split ? split : src->in) ? cs[i] : 1.0) / s);
            fac[(size_t)g * src->out + (size_t)o] =
                ldexp(alpha * s * (g ? in_scale2 : in_scale), f);
        }
        /* interleaved per input vector (group A, then B) */
        int na = split > 0 ? split : src->in;
        lln_fx_interleave4(tmp, w + (size_t)o * src->in, na);
        lln_fx_interleave4(tmp + na, w + (size_t)o * src->in + na, src->in - na);
        if (bias)
            bias[o] = q_bias(alpha * src->b[o], f);
    }
    if (b->ok) {
        d->shift = (int8_t)shift_for(fac, (size_t)groups * src->out);
        for (int o = 0; o < src->out; o++) {
            mult[o] = mult_at(fac[o], d->shift);
            if (mult2)
                mult2[o] = mult_at(fac[src->out + o], d->shift);
        }
    }
    lln__free(tmp);
    lln__free(fac);
    d->w = w, d->mult = mult, d->bias = bias, d->mult2 = mult2;
}

/* Per-element scale of an activation's output (real value = int * scale). */
static double act_scale(int act, int pre_frac)
{
    if (act == LLN_RT_ACT_TANH)
        return ldexp(1.0, -15);
    if (act == LLN_RT_ACT_LECUN_TANH)
        return 1.7159 * ldexp(1.0, -15);
    return ldexp(1.0, -pre_frac);
}

static void cfc_cell(build_t *b, const lln_rt_model_t *r, int l, const lln_qfmt_t *f)
{
    lln_qimage_t *q = b->q;
    const lln_rt_cfc_t *c = &r->cfc[l];
    lln_rtq_cfc_t *d = &q->cfc[l];
    char nm[48];
    d->in = c->in, d->hidden = c->hidden, d->nbackbone = c->nbackbone;
    d->h_frac = (int8_t)f->h[l];
    /* the time heads' format within what the runtime's time gate takes (lln_rtq.c, q_cfc):
     * [-3, 12] and t + dt - 12 >= -14; calibration chooses so, a model quantized by an
     * older version may carry 13 or 14 */
    int tf = f->t[l] > 12 ? 12 : f->t[l] < -3 ? -3 : f->t[l];
    tf = tf < -2 - f->dt ? -2 - f->dt : tf;
    d->ff_frac = (int8_t)f->ff[l], d->t_frac = (int8_t)tf;
    /* the first dense layer reads [input, h] as stored: two column groups */
    double scale = l == 0 ? 1.0 : ldexp(1.0, -f->h[l - 1]), scale_h = ldexp(1.0, -f->h[l]);
    /* the first layer reads input and h as two groups; a wired layer whose input (the
     * previous layer's state) has its own state's format needs no scale of their own */
    int split = c->in, own2 = l == 0 || f->h[l - 1] != f->h[l];
    double *col = NULL; /* cell 0's inputs: a format each (f->xn) */
    if (l == 0 && (col = lln__malloc((size_t)c->in * sizeof *col)) == NULL) {
        b->ok = 0;
        return;
    }
    for (int i = 0; col && i < c->in; i++)
        col[i] = ldexp(1.0, -f->xn[i]);
    const double *first = col;
    int lecun = r->activation == LLN_RT_ACT_LECUN_TANH;
    d->backbone = q->backbone;
    if (c->nbackbone > 0) {
        int8_t *af = arr(b, "act_frac", LLN_QA_I8, c->nbackbone);
        for (int k = 0; af && k < c->nbackbone; k++) {
            af[k] = (int8_t)f->act[k];
            snprintf(nm, sizeof nm, "bb%d", k);
            dense(b, &q->backbone[k], nm, &c->backbone[k], scale, first, lecun ? 0.666 : 1.0, NULL,
                  f->act[k], split, own2, scale_h);
            scale = act_scale(r->activation, f->act[k]);
            split = 0, own2 = 0, first = NULL;
        }
        d->act_frac = af;
    }
    int H = c->hidden, nh = c->heads.out / H;
    int *fr = lln__malloc((size_t)c->heads.out * sizeof *fr);
    if (fr == NULL) {
        b->ok = 0;
        lln__free(col);
        return;
    }
    for (int o = 0; o < c->heads.out; o++)
        fr[o] = o < (nh == 1 ? H : 2 * H) ? f->ff[l] : tf;
    snprintf(nm, sizeof nm, "c%d_heads", l);
    dense(b, &d->heads, nm, &c->heads, scale, first, 1.0, fr, 0, split, own2, scale_h);
    lln__free(fr);
    lln__free(col);
    if (r->mode == LLN_RT_MODE_PURE) {
        double ma = 0;
        for (int j = 0; j < H; j++)
            ma = fmax(ma, fabs(c->a[j]));
        d->a_frac = (int8_t)lln__q_frac_for(ma, 1.0, -8, 14);
        int16_t *wt, *a;
        snprintf(nm, sizeof nm, "c%d_w_tau", l), wt = arr(b, nm, LLN_QA_I16, (size_t)H);
        snprintf(nm, sizeof nm, "c%d_a", l), a = arr(b, nm, LLN_QA_I16, (size_t)H);
        for (int j = 0; b->ok && j < H; j++) {
            wt[j] = lln__q16(c->w_tau_abs[j], d->ff_frac);
            a[j] = lln__q16(c->a[j], d->a_frac);
        }
        d->w_tau = wt, d->a = a;
    }
}

/* The MLP baseline's hidden layers: the first reads the window, whose column k holds input
 * k % I in that input's own format (folded into the weights, as a CfC's first layer).
 * Returns the real scale of one unit of the cell output (the projection's input). */
static double mlp_layers(build_t *b, const lln_rt_model_t *r, const lln_qfmt_t *f)
{
    lln_qimage_t *q = b->q;
    int N = r->units, I = r->inputs, lecun = r->activation == LLN_RT_ACT_LECUN_TANH;
    double *col = lln__malloc((size_t)N * sizeof *col), scale = 1.0;
    int8_t *af = r->base->nmlp ? arr(b, "mlp_frac", LLN_QA_I8, r->base->nmlp) : NULL;
    if (col == NULL) {
        b->ok = 0;
        return 1.0;
    }
    for (int k = 0; k < N; k++)
        col[k] = ldexp(1.0, -f->xn[k % I]);
    const double *first = col;
    char nm[16]; /* short: dense() appends suffixes to it in 48 bytes */
    for (int l = 0; af && l < r->base->nmlp; l++) {
        af[l] = (int8_t)f->act[l];
        snprintf(nm, sizeof nm, "mlp%d", l);
        dense(b, &q->backbone[l], nm, &r->base->mlp[l], scale, first, lecun ? 0.666 : 1.0, NULL,
              f->act[l], 0, 0, 1.0);
        scale = act_scale(r->activation, f->act[l]);
        first = NULL;
    }
    q->base.nmlp = r->base->nmlp;
    q->base.mlp = r->base->nmlp ? q->backbone : NULL;
    q->base.mlp_frac = af;
    q->model.base = &q->base;
    q->model.baseline = lln_rtq_baseline;
    if (r->base->nmlp == 0 && r->proj.out > 0) /* the projection reads the window: per column */
        dense(b, &q->model.proj, "proj", &r->proj, 1.0, col, 1.0, NULL, f->p, 0, 0, 1.0);
    lln__free(col);
    return scale;
}

/* GRU / LSTM: the sigmoid/tanh gates as one split layer over [xn, h] (W_ih | W_hh, bias
 * b_ih + b_hh, out Q3.12; the inputs' own formats folded into their columns, h Q0.15); the
 * GRU's candidate halves W_in xn + b_in and W_hn h + b_hn as layers of their own. */
static void rnn_tables(build_t *b, const lln_rt_model_t *r, const lln_qfmt_t *f)
{
    lln_rtq_model_t *d = &b->q->model;
    int I = r->inputs, N = r->units, gru = r->cell == LLN_RT_GRU, R = (gru ? 2 : 4) * N;
    float *w = lln__malloc((size_t)R * (size_t)(I + N) * sizeof *w),
          *bs = lln__malloc((size_t)R * sizeof *bs);
    double *col = lln__malloc((size_t)I * sizeof *col);
    if (!w || !bs || !col) {
        b->ok = 0;
    } else {
        for (int o = 0; o < R; o++) {
            memcpy(w + (size_t)o * (I + N), r->base->rnn_ih.w + (size_t)o * I,
                   (size_t)I * sizeof *w);
            memcpy(w + (size_t)o * (I + N) + I, r->base->rnn_hh.w + (size_t)o * N,
                   (size_t)N * sizeof *w);
            bs[o] = (float)((double)r->base->rnn_ih.b[o] + r->base->rnn_hh.b[o]);
        }
        for (int i = 0; i < I; i++)
            col[i] = ldexp(1.0, -f->xn[i]);
        lln_rt_dense_t gates = {(uint16_t)R, (uint16_t)(I + N), w, bs};
        dense(b, &b->q->base.gates, "gates", &gates, 1.0, col, 1.0, NULL, 12, I, 1,
              ldexp(1.0, -15));
    }
    if (gru && col) {
        size_t at = 2 * (size_t)N;
        lln_rt_dense_t ci = {(uint16_t)N, (uint16_t)I, r->base->rnn_ih.w + at * I,
                             r->base->rnn_ih.b + at};
        lln_rt_dense_t ch = {(uint16_t)N, (uint16_t)N, r->base->rnn_hh.w + at * N,
                             r->base->rnn_hh.b + at};
        dense(b, &b->q->base.cand_in, "cand_in", &ci, 1.0, col, 1.0, NULL, f->gin, 0, 0, 1.0);
        dense(b, &b->q->base.cand_h, "cand_h", &ch, ldexp(1.0, -15), NULL, 1.0, NULL, f->ghn, 0, 0,
              1.0);
        b->q->base.gin_frac = (int8_t)f->gin, b->q->base.ghn_frac = (int8_t)f->ghn;
    }
    b->q->base.mem_frac = (int8_t)(gru ? 0 : f->mem);
    d->base = &b->q->base;
    d->baseline = lln_rtq_baseline;
    lln__free(w), lln__free(bs), lln__free(col);
}

/* LTC synapses: sigma with up to 14 bits, mu in the source's units (folded into c), P(w) in
 * g units (16 bits), erev in v units. */
static void ltc_syn(build_t *b, lln_rtq_syn_t *d, const char *tag, int N, const uint16_t *off,
                    const uint16_t *src, const float *sig, const float *mu, const float *w,
                    const float *we, int src_frac, int g_frac, int v_frac)
{
    char nm[48];
    int ns = off[N];
    double ms = 0;
    for (int k = 0; k < ns; k++)
        ms = fmax(ms, fabs(sig[k]));
    /* src_frac + sig_frac - 12 in [1, 30]: the runtime's one-shift path (lln_rtq.h). A
     * sigma too steep for that saturates at 2^14 units (a step function either way). */
    int sf = lln__q_frac_for(ms, 2.0, -8, 24);
    sf = sf < 13 - src_frac ? 13 - src_frac : sf > 42 - src_frac ? 42 - src_frac : sf;
    d->sig_frac = (int8_t)sf;
    uint16_t *o;
    lln_rtq_synapse_t *y;
    snprintf(nm, sizeof nm, "%s_off", tag), o = arr(b, nm, LLN_QA_U16, (size_t)N + 1);
    snprintf(nm, sizeof nm, "%s_syn", tag), y = arr(b, nm, LLN_QA_SYN, (size_t)ns);
    if (!b->ok)
        return;
    memcpy(o, off, ((size_t)N + 1) * sizeof *o);
    for (int k = 0; k < ns; k++) {
        int16_t q = lln__q16(sig[k], d->sig_frac);
        double g = nearbyint(ldexp(w[k], g_frac));
        int sh = src_frac + sf - 12; /* in [1, 30] */
        y[k].src = src[k];
        y[k].sigma = (int16_t)(q > 16383 ? 16383 : q < -16383 ? -16383 : q);
        /* mu folded into the sigmoid argument's offset (lln_rtq.h); |mu sigma| < 2^29 */
        y[k].c = 0x80000000u + (1u << (sh - 1)) -
                 (uint32_t)((int32_t)lln__q16(mu[k], src_frac) * y[k].sigma);
        y[k].w = (uint16_t)(g < 0 ? 0 : g > 65535 ? 65535 : g);
        y[k].erev = lln__q16(w[k] != 0.0f ? (double)we[k] / w[k] : 0.0, v_frac);
    }
    d->off = o, d->syn = y;
}

/* g units: the largest conductance (a synapse or a leak) gets 16 bits; cm * unfolds must
 * still fit int32. */
static int g_frac_of(const lln_rt_model_t *r)
{
    const lln_rt_ltc_t *p = &r->ltc;
    double mg = 0, mc = 0;
    for (int k = 0; k < p->s_off[r->units]; k++)
        mg = fmax(mg, p->s_w[k]);
    for (int k = 0; k < p->r_off[r->units]; k++)
        mg = fmax(mg, p->r_w[k]);
    for (int j = 0; j < r->units; j++) {
        mg = fmax(mg, p->gleak[j]);
        mc = fmax(mc, p->cm_k[j]);
    }
    int g = mg > 0 ? (int)floor(log2(65535.0 / mg)) : 16;
    while (g > -16 && mc * ldexp(1.0, g) > 1073741823.0)
        g--;
    return g > 30 ? 30 : g;
}

static void ltc(build_t *b, const lln_rt_model_t *r, const lln_qfmt_t *f)
{
    lln_rtq_ltc_t *d = &b->q->model.ltc;
    const lln_rt_ltc_t *p = &r->ltc;
    int I = r->inputs, N = r->units, g = g_frac_of(r);
    d->unfolds = p->unfolds;
    d->v_frac = (int8_t)f->v, d->g_frac = (int8_t)g, d->xin_frac = (int8_t)f->xin;
    d->eps = lln__q32(p->eps, g); /* >= 0; kept below 2^24 so the denominator fits 32 bits */
    d->eps = d->eps < 0 ? 0 : d->eps > (1 << 24) ? 1 << 24 : d->eps;
    int32_t *cm = arr(b, "cm_k", LLN_QA_I32, (size_t)N),
            *gl = arr(b, "gleak", LLN_QA_I32, (size_t)N);
    int32_t *gv = arr(b, "gvleak", LLN_QA_I32, (size_t)N);
    for (int j = 0; b->ok && j < N; j++) {
        cm[j] = lln__q32(p->cm_k[j], g);
        gl[j] = lln__q32(p->gleak[j], g);
        gv[j] = lln__q32(p->gvleak[j], g + f->v);
    }
    d->cm_k = cm, d->gleak = gl, d->gvleak = gv;
    double *a = lln__malloc(2 * (size_t)I * sizeof *a);
    int *fr = lln__malloc((size_t)I * sizeof *fr);
    if (!a || !fr) {
        b->ok = 0;
    } else {
        /* xin = ((x - mean) / std) in_w + in_b: one affine map per input */
        for (int i = 0; i < I; i++) {
            a[i] = (double)r->x_inv_std[i] * p->in_w[i];
            a[I + i] = p->in_b[i] - (double)r->x_mean[i] * a[i];
            fr[i] = f->xin;
        }
        for (int i = 0; i < I; i++)
            a[i] = ldexp(a[i], -f->x[i]) * ldexp(1.0, 0);
        /* in_frac 0: the per-input binary point is already in a[i] */
        affine(b, &d->in_map, "in_map", I, a, a + I, 0, fr);
    }
    lln__free(a), lln__free(fr);
    ltc_syn(b, &d->sensory, "s", N, p->s_off, p->s_src, p->s_sigma, p->s_mu, p->s_w, p->s_we,
            f->xin, g, f->v);
    ltc_syn(b, &d->internal, "r", N, p->r_off, p->r_src, p->r_sigma, p->r_mu, p->r_w, p->r_we, f->v,
            g, f->v);
    /* every internal synapse of a neuron fully open: the step's denominator bound (lln_rtq.c) */
    int32_t *wm = arr(b, "wmax", LLN_QA_I32, (size_t)N);
    for (int j = 0; b->ok && j < N; j++) {
        uint32_t s = 0;
        for (int k = d->internal.off[j]; k < d->internal.off[j + 1]; k++)
            s += d->internal.syn[k].w;
        wm[j] = (int32_t)s; /* < 2^16 N */
    }
    d->wmax = wm;
}

/* Output map: y = a c + m with c the cell (or projection) output; an LTC without a
 * projection (the motor readout) adds its output mapping; with one (the dense readout) the
 * mapping is the identity and the projection reads the states. */
static void out_map(build_t *b, const lln_rt_model_t *r, const lln_qfmt_t *f, int c_frac)
{
    int O = r->outputs;
    double *a = lln__malloc(2 * (size_t)O * sizeof *a);
    if (a == NULL) {
        b->ok = 0;
        return;
    }
    for (int o = 0; o < O; o++) {
        double w = 1.0, c = 0.0;
        if (r->cell == LLN_RT_LTC && r->proj.out == 0)
            w = r->ltc.out_w[o], c = r->ltc.out_b[o];
        a[o] = w * r->y_std[o];
        a[O + o] = c * r->y_std[o] + r->y_mean[o];
    }
    b->q->model.c_frac = (int8_t)c_frac;
    affine(b, &b->q->model.out_map, "out_map", O, a, a + O, c_frac, f->y);
    lln__free(a);
}

static void io_formats(build_t *b, const lln_rt_model_t *r, const lln_qfmt_t *f)
{
    lln_rtq_model_t *d = &b->q->model;
    int8_t *xf = arr(b, "x_frac", LLN_QA_I8, r->inputs),
           *yf = arr(b, "y_frac", LLN_QA_I8, r->outputs);
    for (int i = 0; xf && i < r->inputs; i++)
        xf[i] = (int8_t)f->x[i];
    for (int o = 0; yf && o < r->outputs; o++)
        yf[o] = (int8_t)f->y[o];
    d->x_frac = xf, d->y_frac = yf;
}

static void cfc_norm(build_t *b, const lln_rt_model_t *r, const lln_qfmt_t *f)
{
    int I = r->inputs;
    double *a = lln__malloc(2 * (size_t)I * sizeof *a);
    int *fr = lln__malloc((size_t)I * sizeof *fr);
    if (a && fr) {
        for (int i = 0; i < I; i++) {
            a[i] = ldexp((double)r->x_inv_std[i], -f->x[i]);
            a[I + i] = -(double)r->x_mean[i] * r->x_inv_std[i];
            fr[i] = f->xn[i];
        }
        affine(b, &b->q->model.in_norm, "in_norm", I, a, a + I, 0, fr);
    } else {
        b->ok = 0;
    }
    lln__free(a), lln__free(fr);
}

static void scratch_sizes(lln_rtq_model_t *d)
{
    uint32_t I = d->inputs, N = d->units, s16 = 0, s32 = 1;
    if (d->cell == LLN_RTQ_LTC) {
        s16 = I + N; /* xin, one of the two unfold buffers (the other is the state) */
        s32 = 6 * N; /* a record of 6 per neuron (lln_rtq.c) */
    }
    if (d->cell == LLN_RTQ_GRU || d->cell == LLN_RTQ_LSTM) { /* xn, h out, [xn h], gates */
        uint32_t rest = I + N + 4 * N + 2 * N;
        s16 = I + N + (rest > d->proj.out ? rest : d->proj.out);
    }
    if (d->cell == LLN_RTQ_MLP) { /* xn, the cell output, two hidden buffers or the projection */
        uint32_t U = d->cell_outputs, rest = 2 * U > d->proj.out ? 2 * U : d->proj.out;
        s16 = I + U + rest;
    }
    for (uint16_t l = 0; l < d->ncells; l++) {
        const lln_rtq_cfc_t *c = &d->cfc[l];
        uint32_t wmax = (uint32_t)c->in + c->hidden;
        for (uint16_t k = 0; k < c->nbackbone; k++)
            wmax = c->backbone[k].out > wmax ? c->backbone[k].out : wmax;
        uint32_t need = I + 2 * wmax + c->heads.out;
        s16 = need > s16 ? need : s16;
    }
    s16 = d->proj.out > s16 ? d->proj.out : s16;
    d->scratch16_len = s16 ? s16 : 1;
    d->scratch32_len = s32;
}

lln_status_t lln__qimage_build(const lln_model_t *m, const lln_qfmt_t *f, lln_qimage_t *q,
                               lln_error_t *err)
{
    const char *why = lln__quant_unsupported(m);
    if (why)
        return lln_error_set(err, LLN_E_UNSUPPORTED, "quantize: %s", why);
    lln_rt_image_t img;
    lln_status_t st = lln__rt_image_build(m, &img, err);
    if (st != LLN_OK)
        return st;
    const lln_rt_model_t *r = &img.model;
    memset(q, 0, sizeof *q);
    q->fmt = *f;
    build_t b = {q, 1};
    lln_rtq_model_t *d = &q->model;
    d->cell = r->cell, d->mode = r->mode, d->activation = r->activation;
    d->inputs = r->inputs, d->units = r->units, d->outputs = r->outputs;
    d->cell_outputs = r->cell_outputs;
    d->dt_frac = (int8_t)f->dt;
    io_formats(&b, r, f);
    int c_frac;
    if (r->cell == LLN_RT_LTC) {
        ltc(&b, r, f);
        c_frac = f->v;
    } else if (r->cell == LLN_RT_GRU || r->cell == LLN_RT_LSTM) {
        cfc_norm(&b, r, f);
        rnn_tables(&b, r, f);
        c_frac = 15; /* the cell output is h, Q0.15 */
    } else if (r->cell == LLN_RT_MLP) {
        cfc_norm(&b, r, f);
        double scale = mlp_layers(&b, r, f);
        if (r->base->nmlp > 0) /* (proj_size > 0 is required: lln__quant_unsupported) */
            dense(&b, &d->proj, "proj", &r->proj, scale, NULL, 1.0, NULL, f->p, 0, 0, 1.0);
        c_frac = f->p;
    } else {
        cfc_norm(&b, r, f);
        d->ncells = r->ncells;
        d->cfc = q->cfc;
        for (int l = 0; l < r->ncells && b.ok; l++)
            cfc_cell(&b, r, l, f);
        c_frac = f->h[r->ncells - 1];
    }
    if (r->proj.out > 0 && r->cell != LLN_RT_MLP) {
        dense(&b, &d->proj, "proj", &r->proj, ldexp(1.0, -c_frac), NULL, 1.0, NULL, f->p, 0, 0,
              1.0);
        c_frac = f->p;
    }
    out_map(&b, r, f, c_frac);
    d->state_len = r->state_floats; /* N, or 2N for the LSTM's h and c */
    scratch_sizes(d);
    lln__rt_image_free(&img);
    if (!b.ok) {
        lln__qimage_free(q);
        return lln_error_set(err, LLN_E_NOMEM, "quantize: out of memory building tables");
    }
    return LLN_OK;
}

void lln__qimage_free(lln_qimage_t *q)
{
    for (int i = 0; i < q->narrays; i++)
        lln__free(q->arrays[i].data);
    q->narrays = 0;
}

const lln_qarray_t *lln__qimage_array(const lln_qimage_t *q, const void *p)
{
    for (int i = 0; p != NULL && i < q->narrays; i++)
        if (q->arrays[i].data == p)
            return &q->arrays[i];
    return NULL;
}
