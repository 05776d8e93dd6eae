/* liquid-edge firmware runtime, float32 path. See lln_rt.h for the contract.
 * The algorithms are those of the host library (src/core/kernels_impl.h: LTC, CfC, wirings);
 * elementary functions are our own so no libm is needed, and every expression is written
 * so that compilers without contraction produce the same roundings on every target. */
#include "lln_rt.h"

/* ---- elementary functions (no libm) ---------------------------------------------------- */

typedef union {
    float f;
    int32_t i;
} rt_bits_t;

static int rt_finite(float v) { return (v - v) == 0.0f; /* NaN and inf give NaN */ }

/* e^x: x = n ln2 + r with |r| <= ln2/2, degree-6 Taylor polynomial for e^r (relative error
 * < 2e-7), 2^n in the exponent bits. x is clamped to [-87, 88] (e^-87 ~ 1.6e-38). */
static float rt_exp(float x)
{
    x = x < -87.0f ? -87.0f : (x > 88.0f ? 88.0f : x);
    float t = x * 1.44269504f;
    int32_t n = (int32_t)(t < 0.0f ? t - 0.5f : t + 0.5f); /* round to nearest */
    float fn = (float)n;
    float r = x - fn * 0.693145752f; /* ln 2, high part (exact in float) */
    r = r - fn * 1.42860677e-06f;    /* ln 2, low part */
    float p = 0.00138888892f;
    p = p * r + 0.00833333377f;
    p = p * r + 0.0416666679f;
    p = p * r + 0.166666672f;
    p = p * r + 0.5f;
    p = p * r + 1.0f;
    p = p * r + 1.0f;
    rt_bits_t s;
    s.i = (n + 127) * 8388608; /* (n + 127) << 23, n in [-126, 127] */
    return p * s.f;
}

static float rt_sigmoid(float x) { return 1.0f / (1.0f + rt_exp(-x)); }

/* tanh(x) = 1 - 2 / (e^{2x} + 1): absolute error < 3e-7. */
static float rt_tanh(float x) { return 1.0f - 2.0f / (rt_exp(2.0f * x) + 1.0f); }

static float rt_abs(float x) { return x < 0.0f ? -x : x; }

/* erf by Abramowitz & Stegun 7.1.26 (absolute error < 1.5e-7). */
static float rt_erf(float x)
{
    float ax = rt_abs(x);
    float t = 1.0f / (1.0f + 0.3275911f * ax);
    float p = 1.061405429f;
    p = p * t - 1.453152027f;
    p = p * t + 1.421413741f;
    p = p * t - 0.284496736f;
    p = p * t + 0.254829592f;
    float y = 1.0f - p * t * rt_exp(-ax * ax);
    return x < 0.0f ? -y : y;
}

static float rt_activate(int act, float v)
{
    switch (act) {
    case LLN_RT_ACT_LECUN_TANH: return 1.7159f * rt_tanh(0.666f * v); /* ncps's 0.666, not 2/3 */
    case LLN_RT_ACT_TANH: return rt_tanh(v);
    case LLN_RT_ACT_RELU: return v > 0.0f ? v : 0.0f;
    case LLN_RT_ACT_SILU: return v * rt_sigmoid(v);
    default: return 0.5f * v * (1.0f + rt_erf(v * 0.707106781f));
    }
}

/* ---- layers ---------------------------------------------------------------------------- */

static void rt_dense(const lln_rt_dense_t *d, const float *x, float *y, int accumulate)
{
    for (uint16_t o = 0; o < d->out; o++) {
        /* NOLINTNEXTLINE(bugprone-implicit-widening-of-multiplication-result): u16 x u16 fits */
        const float *w = d->w + (uint32_t)o * d->in;
        float acc = accumulate ? y[o] : (d->b ? d->b[o] : 0.0f);
        for (uint16_t i = 0; i < d->in; i++)
            acc = acc + w[i] * x[i];
        y[o] = acc;
    }
}

/* A hidden layer: y = act(W x + b) (the CfC backbone and the MLP baseline share it, so the
 * activation has one call site and stays inlined). */
static void rt_dense_act(const lln_rt_dense_t *d, int act, const float *x, float *y)
{
    rt_dense(d, x, y, 0);
    for (uint16_t o = 0; o < d->out; o++)
        y[o] = rt_activate(act, y[o]);
}

/* sg[s] = sigmoid(sigma (v_src - mu)); num[j] += sum w*erev*sg, den[j] += sum w*sg. */
static void rt_synapses(const uint16_t *off, const uint16_t *src, const float *sig, const float *mu,
                        const float *w, const float *we, uint16_t n, const float *v, float *sg,
                        float *num, float *den)
{
    for (uint16_t s = 0; s < off[n]; s++)
        sg[s] = rt_sigmoid(sig[s] * (v[src[s]] - mu[s]));
    for (uint16_t j = 0; j < n; j++) {
        float a = num[j], b = den[j];
        for (uint16_t s = off[j]; s < off[j + 1]; s++) {
            a = a + we[s] * sg[s];
            b = b + w[s] * sg[s];
        }
        num[j] = a;
        den[j] = b;
    }
}

/* LTC: unfolds fused semi-implicit Euler steps of dt/unfolds: with cm_t = cm * unfolds / dt,
 * v <- (cm_t v + gleak vleak + sum w erev sg) / (cm_t + gleak + sum w sg + eps). */
static void rt_ltc(const lln_rt_model_t *m, const float *xn, float dt, float *h, float *out,
                   float *w)
{
    const lln_rt_ltc_t *p = &m->ltc;
    uint16_t I = m->inputs, N = m->units;
    float *xin = w, *num_s = xin + I, *den_s = num_s + N, *cmt = den_s + N, *u = cmt + N;
    float *un = u + N, *den = un + N, *sg = den + N;
    for (uint16_t i = 0; i < I; i++)
        xin[i] = xn[i] * p->in_w[i] + p->in_b[i];
    for (uint16_t j = 0; j < N; j++) {
        num_s[j] = 0.0f;
        den_s[j] = 0.0f;
        cmt[j] = p->cm_k[j] / dt;
        u[j] = h[j];
    }
    rt_synapses(p->s_off, p->s_src, p->s_sigma, p->s_mu, p->s_w, p->s_we, N, xin, sg, num_s, den_s);
    for (uint16_t k = 0; k < p->unfolds; k++) {
        for (uint16_t j = 0; j < N; j++) {
            un[j] = cmt[j] * u[j] + p->gvleak[j] + num_s[j];
            den[j] = cmt[j] + p->gleak[j] + den_s[j] + p->eps;
        }
        rt_synapses(p->r_off, p->r_src, p->r_sigma, p->r_mu, p->r_w, p->r_we, N, u, sg, un, den);
        for (uint16_t j = 0; j < N; j++)
            un[j] = un[j] / den[j];
        float *t = u;
        u = un;
        un = t;
    }
    for (uint16_t j = 0; j < N; j++)
        h[j] = u[j];
    for (uint16_t o = 0; o < m->cell_outputs; o++)
        out[o] = u[o] * p->out_w[o] + p->out_b[o];
}

/* One CfC cell: z = [inp, h], backbone, heads, closed-form update of h. */
static void rt_cfc(const lln_rt_model_t *m, const lln_rt_cfc_t *c, const float *inp, float dt,
                   float *h, float *w)
{
    uint16_t F = (uint16_t)(c->in + c->hidden), wmax = F, H = c->hidden;
    for (uint16_t l = 0; l < c->nbackbone; l++)
        wmax = c->backbone[l].out > wmax ? c->backbone[l].out : wmax;
    float *z = w, *z2 = z + wmax, *hd = z2 + wmax;
    for (uint16_t i = 0; i < c->in; i++)
        z[i] = inp[i];
    for (uint16_t j = 0; j < H; j++)
        z[c->in + j] = h[j];
    for (uint16_t l = 0; l < c->nbackbone; l++) {
        rt_dense_act(&c->backbone[l], m->activation, z, z2);
        float *t = z;
        z = z2;
        z2 = t;
    }
    rt_dense(&c->heads, z, hd, 0);
    for (uint16_t j = 0; j < H; j++) {
        float f1 = hd[j];
        if (m->mode == LLN_RT_MODE_PURE) {
            float a = c->a[j];
            h[j] = -a * rt_exp(-dt * (c->w_tau_abs[j] + rt_abs(f1))) * f1 + a;
            continue;
        }
        float g1 = rt_tanh(f1), g2 = rt_tanh(hd[H + j]);
        float ti = rt_sigmoid(hd[2 * H + j] * dt + hd[3 * H + j]);
        h[j] = m->mode == LLN_RT_MODE_DEFAULT ? g1 * (1.0f - ti) + ti * g2 : g1 + ti * g2;
    }
}

/* Mixed memory: the LSTM of spec 6.1 on the normalised input, before the cell. */
static void rt_lstm(const lln_rt_model_t *m, const float *xn, float *h, float *c, float *z)
{
    uint16_t N = m->units;
    rt_dense(&m->lstm_in, xn, z, 0);
    rt_dense(&m->lstm_rec, h, z, 1);
    for (uint16_t j = 0; j < N; j++) {
        float cn = c[j] * rt_sigmoid(z[2 * N + j] + 1.0f) + rt_tanh(z[j]) * rt_sigmoid(z[N + j]);
        c[j] = cn;
        h[j] = rt_tanh(cn) * rt_sigmoid(z[3 * N + j]);
    }
}

/* ---- baselines (torch GRUCell / LSTMCell, windowed MLP; dt unused) --------------------------- */

/* GRU or LSTM on the normalised input: zi = W_ih x + b_ih and zh = W_hh h + b_hh (G N each,
 * gates r z n or i f g o), then torch's cell formulas; c: the LSTM memory. */
static void rt_rnn(const lln_rt_model_t *m, const float *xn, float *h, float *c, float *w)
{
    uint16_t N = m->units;
    float *zi = w, *zh = w + m->base->rnn_ih.out;
    rt_dense(&m->base->rnn_ih, xn, zi, 0);
    rt_dense(&m->base->rnn_hh, h, zh, 0);
    for (uint16_t j = 0; j < N; j++) {
        if (m->cell == LLN_RT_GRU) {
            float r = rt_sigmoid(zi[j] + zh[j]), z = rt_sigmoid(zi[N + j] + zh[N + j]);
            float n = rt_tanh(zi[2 * N + j] + r * zh[2 * N + j]);
            h[j] = (1.0f - z) * n + z * h[j];
            continue;
        }
        float i = rt_sigmoid(zi[j] + zh[j]), f = rt_sigmoid(zi[N + j] + zh[N + j]);
        float g = rt_tanh(zi[2 * N + j] + zh[2 * N + j]);
        float o = rt_sigmoid(zi[3 * N + j] + zh[3 * N + j]);
        float cn = f * c[j] + i * g;
        c[j] = cn;
        h[j] = o * rt_tanh(cn);
    }
}

/* MLP: the window (state, oldest row first) moves one row and takes xn; the hidden layers
 * then write the cell output out (cell_outputs values). w: 2 x cell_outputs. */
static void rt_mlp(const lln_rt_model_t *m, const float *xn, float *win, float *out, float *w)
{
    uint16_t I = m->inputs, N = m->units;
    for (uint16_t k = 0; k + I < N; k++)
        win[k] = win[k + I];
    for (uint16_t i = 0; i < I; i++)
        win[N - I + i] = xn[i];
    const float *in = win;
    for (uint16_t l = 0; l < m->base->nmlp; l++) {
        float *o = l + 1 == m->base->nmlp ? out : w + (l % 2 ? m->cell_outputs : 0);
        rt_dense_act(&m->base->mlp[l], m->activation, in, o);
        in = o;
    }
    for (uint16_t k = 0; m->base->nmlp == 0 && k < N; k++)
        out[k] = win[k];
}

void lln_rt_baseline(const lln_rt_model_t *m, const float *xn, float *state, float *yc, float *w)
{
    if (m->cell == LLN_RT_MLP) {
        rt_mlp(m, xn, state, yc, w);
        return;
    }
    rt_rnn(m, xn, state, state + m->units, w);
    for (uint16_t j = 0; j < m->units; j++)
        yc[j] = state[j];
}

/* ---- the step ------------------------------------------------------------------------------ */

void lln_rt_reset(const lln_rt_model_t *m, float *state)
{
    for (uint32_t i = 0; i < m->state_floats; i++)
        state[i] = 0.0f;
}

int lln_rt_step(const lln_rt_model_t *m, float *state, const float *x, float dt, float *y,
                float *scratch)
{
    if (!(dt >= LLN_RT_DT_MIN) || !rt_finite(dt))
        return LLN_RT_E_DT;
    for (uint16_t i = 0; i < m->inputs; i++)
        if (!rt_finite(x[i]))
            return LLN_RT_E_INPUT;
    uint16_t I = m->inputs, N = m->units, Oc = m->cell_outputs;
    float *h = state, *xn = scratch, *yc = xn + I, *w = yc + Oc;
    for (uint16_t i = 0; i < I; i++)
        xn[i] = (x[i] - m->x_mean[i]) * m->x_inv_std[i];
    if (m->mixed_memory)
        rt_lstm(m, xn, h, state + N, w);
    if (m->cell == LLN_RT_LTC) {
        rt_ltc(m, xn, dt, h, yc, w);
    } else if (m->cell >= LLN_RT_GRU) {
        m->baseline(m, xn, h, yc, w);
    } else {
        const float *inp = xn;
        uint16_t col = 0;
        for (uint16_t l = 0; l < m->ncells; l++) {
            rt_cfc(m, &m->cfc[l], inp, dt, h + col, w);
            inp = h + col; /* the next layer reads this layer's new state */
            col = (uint16_t)(col + m->cfc[l].hidden);
        }
        for (uint16_t o = 0; o < Oc; o++)
            yc[o] = h[N - Oc + o];
    }
    if (y == 0)
        return LLN_RT_OK;
    const float *yo = yc;
    if (m->proj.out > 0) {
        rt_dense(&m->proj, yc, w, 0);
        yo = w;
    }
    for (uint16_t o = 0; o < m->outputs; o++)
        y[o] = yo[o] * m->y_std[o] + m->y_mean[o];
    return LLN_RT_OK;
}
