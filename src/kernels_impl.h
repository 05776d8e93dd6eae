/* Template: the float kernels of one precision (REAL, SFX, EXP, TANH, SIGMOID, ERF defined by
 * the includer). All loops read the tables built by prepare_impl.h; nothing allocates. */

#define K_(name) PREP_CAT(name, SFX)

/* Y[b] (=|+=) W X[b] + bias for nb rows. Samples are processed 8 at a time so each weight row
 * is loaded once per block (the batched path is bandwidth-bound otherwise). Sums run over
 * inputs in order, so results do not depend on the batch size. */
static void K_(dense_batch)(const K_(lln_dense) *d, int nb, const REAL *x, size_t xs, REAL *y,
                            size_t ys, int accumulate)
{
    for (int b0 = 0; b0 < nb; b0 += 8) {
        int bn = nb - b0 < 8 ? nb - b0 : 8;
        for (int bb = 0; bb < bn; bb++) {
            REAL *yr = y + (size_t)(b0 + bb) * ys;
            if (!accumulate)
                memcpy(yr, d->b, (size_t)d->out * sizeof(REAL));
        }
        for (int i = 0; i < d->in; i++) {
            const REAL *wr = d->w + (size_t)i * (size_t)d->out;
            for (int bb = 0; bb < bn; bb++) {
                REAL xi = x[(size_t)(b0 + bb) * xs + (size_t)i];
                REAL *yr = y + (size_t)(b0 + bb) * ys;
                for (int o = 0; o < d->out; o++)
                    yr[o] += wr[o] * xi;
            }
        }
    }
}

static REAL K_(activate)(lln_activation_t a, REAL v)
{
    switch (a) {
    case LLN_ACT_LECUN_TANH:
        return (REAL)1.7159 * TANH((REAL)0.666 * v); /* ncps's 0.666, not 2/3 */
    case LLN_ACT_TANH:
        return TANH(v);
    case LLN_ACT_RELU:
        return v > 0 ? v : 0;
    case LLN_ACT_SILU:
        return v * SIGMOID(v);
    default: /* exact GELU */
        return (REAL)0.5 * v * (1 + ERF(v * (REAL)0.70710678118654752440));
    }
}

/* ---- LTC --------------------------------------------------------------------------------- */

/* Conductance-weighted sums over one synapse list: sg[s] = sigmoid(sigma (v_src - mu)), then
 * num[j] (+)= sum w*erev*sg, den[j] (+)= sum w*sg over the synapses ending at j. */
static void K_(ltc_synapses)(const int *off, const int *src, const REAL *sig, const REAL *mu,
                             const REAL *w, const REAL *we, int n, const REAL *v, REAL *sg,
                             REAL *num, REAL *den)
{
    int S = off[n];
    for (int s = 0; s < S; s++)
        sg[s] = SIGMOID(sig[s] * (v[src[s]] - mu[s]));
    for (int j = 0; j < n; j++) {
        REAL a = num[j], b = den[j];
        for (int s = off[j]; s < off[j + 1]; s++) {
            a += we[s] * sg[s];
            b += w[s] * sg[s];
        }
        num[j] = a;
        den[j] = b;
    }
}

/* One LTC step for one sample: K fused semi-implicit Euler unfolds of size dt/K (spec 3.2).
 * h (N) is updated in place; out (M) receives the mapped motor neurons. */
static void K_(ltc_sample)(const K_(lln_ltc_prep) *p, const REAL *xn, REAL dt, REAL *h, REAL *out,
                           REAL *work)
{
    int I = p->I, N = p->N;
    REAL *xin = work, *num_s = xin + I, *den_s = num_s + N, *cmt = den_s + N, *u = cmt + N;
    REAL *un = u + N, *den = un + N, *sg = den + N; /* sg: one activation per synapse */
    for (int i = 0; i < I; i++)
        xin[i] = xn[i] * p->in_w[i] + p->in_b[i];
    for (int j = 0; j < N; j++) {
        num_s[j] = den_s[j] = 0;
        cmt[j] = p->cm_k[j] / dt; /* cm / (dt / K) */
        u[j] = h[j];
    }
    K_(ltc_synapses)(p->s_off, p->s_src, p->s_sigma, p->s_mu, p->s_w, p->s_we, N, xin, sg, num_s,
                     den_s);
    for (int k = 0; k < p->K; k++) {
        for (int j = 0; j < N; j++) {
            un[j] = cmt[j] * u[j] + p->gvleak[j] + num_s[j];
            den[j] = cmt[j] + p->gleak[j] + den_s[j] + p->eps;
        }
        K_(ltc_synapses)(p->r_off, p->r_src, p->r_sigma, p->r_mu, p->r_w, p->r_we, N, u, sg, un,
                         den);
        for (int j = 0; j < N; j++)
            un[j] /= den[j];
        REAL *t = u;
        u = un;
        un = t;
    }
    for (int j = 0; j < N; j++)
        h[j] = u[j];
    for (int o = 0; o < p->M; o++)
        out[o] = u[o] * p->out_w[o] + p->out_b[o];
}

/* ---- CfC ---------------------------------------------------------------------------------- */

/* New state of one CfC cell from its head outputs (spec 4.2 steps 4-5). */
static void K_(cfc_combine)(const K_(lln_cfc_prep) *cp, lln_cfc_mode_t mode, const REAL *hd,
                            REAL dt, REAL *h)
{
    int H = cp->hidden;
    for (int j = 0; j < H; j++) {
        REAL f1 = hd[j];
        if (mode == LLN_CFC_PURE) {
            REAL a = cp->a[j];
            h[j] = -a * EXP(-dt * (cp->w_tau_abs[j] + (f1 < 0 ? -f1 : f1))) * f1 + a;
            continue;
        }
        REAL g1 = TANH(f1), g2 = TANH(hd[H + j]);
        REAL ti = SIGMOID(hd[2 * H + j] * dt + hd[3 * H + j]);
        h[j] = mode == LLN_CFC_DEFAULT ? g1 * (1 - ti) + ti * g2 : g1 + ti * g2;
    }
}

/* One CfC cell (dense with backbone, or one wired layer) for nb samples.
 * inp: nb rows of cp->in values (stride is); h: the cell's state columns (stride hs). */
static void K_(cfc_cell)(const lln_model_t *m, const K_(lln_cfc_prep) *cp, int nb,
                         const REAL *inp, size_t is, REAL *h, size_t hs, const REAL *dt,
                         REAL *work)
{
    size_t F = (size_t)(cp->in + cp->hidden), wmax = F;
    for (int l = 0; l < cp->nbackbone; l++)
        if ((size_t)cp->backbone[l].out > wmax)
            wmax = (size_t)cp->backbone[l].out;
    REAL *z = work, *z2 = z + (size_t)nb * wmax, *hd = z2 + (size_t)nb * wmax;
    for (int b = 0; b < nb; b++) {
        memcpy(z + (size_t)b * wmax, inp + (size_t)b * is, (size_t)cp->in * sizeof(REAL));
        memcpy(z + (size_t)b * wmax + cp->in, h + (size_t)b * hs, (size_t)cp->hidden * sizeof(REAL));
    }
    for (int l = 0; l < cp->nbackbone; l++) {
        const K_(lln_dense) *d = &cp->backbone[l];
        K_(dense_batch)(d, nb, z, wmax, z2, wmax, 0);
        for (int b = 0; b < nb; b++)
            for (int o = 0; o < d->out; o++)
                z2[(size_t)b * wmax + o] = K_(activate)(m->cfg.activation, z2[(size_t)b * wmax + o]);
        REAL *t = z;
        z = z2;
        z2 = t;
    }
    size_t hw = (size_t)cp->heads.out;
    K_(dense_batch)(&cp->heads, nb, z, wmax, hd, hw, 0);
    for (int b = 0; b < nb; b++)
        K_(cfc_combine)(cp, m->cfg.mode, hd + (size_t)b * hw, dt[b], h + (size_t)b * hs);
}

size_t K_(lln__cfc_work)(const K_(lln_cfc_prep) *cp);
size_t K_(lln__cfc_work)(const K_(lln_cfc_prep) *cp)
{
    size_t wmax = (size_t)(cp->in + cp->hidden);
    for (int l = 0; l < cp->nbackbone; l++)
        if ((size_t)cp->backbone[l].out > wmax)
            wmax = (size_t)cp->backbone[l].out;
    return 2 * wmax + (size_t)cp->heads.out;
}

/* ---- mixed memory (LSTM in front of the cell, spec 6.1) ----------------------------------- */

static void K_(lstm)(const K_(lln_prep) *p, int nb, int N, const REAL *xn, size_t xs, REAL *h,
                     REAL *c, REAL *z)
{
    size_t zw = 4 * (size_t)N;
    K_(dense_batch)(&p->lstm_in, nb, xn, xs, z, zw, 0);
    K_(dense_batch)(&p->lstm_rec, nb, h, (size_t)N, z, zw, 1);
    for (int b = 0; b < nb; b++) {
        const REAL *zb = z + (size_t)b * zw;
        REAL *hb = h + (size_t)b * N, *cb = c + (size_t)b * N;
        for (int j = 0; j < N; j++) {
            REAL cn = cb[j] * SIGMOID(zb[2 * N + j] + 1) + TANH(zb[j]) * SIGMOID(zb[N + j]);
            cb[j] = cn;
            hb[j] = TANH(cn) * SIGMOID(zb[3 * N + j]);
        }
    }
}

/* ---- one step for the whole batch ---------------------------------------------------------- */

/* Work layout (elements): xn (nb*I) | y_cell (nb*Oc) | cell scratch. */
lln_status_t K_(lln__step)(const lln_model_t *m, lln_state_t *s, const REAL *x, size_t xs,
                           const REAL *dt, size_t dts, REAL *y, size_t ys, REAL *st, size_t sts)
{
    const K_(lln_prep) *p = &m->K_(p);
    int nb = s->batch, I = m->cfg.input_size, N = m->cfg.units, Oc = m->out_cell;
    REAL *h = s->h, *xn = s->work, *yc = xn + (size_t)nb * I, *cw = yc + (size_t)nb * Oc;
    REAL *dtv = cw; /* per-sample dt gathered first; the cell scratch follows */
    cw += nb;
    for (int b = 0; b < nb; b++) {
        dtv[b] = dt ? dt[(size_t)b * dts] : (REAL)1;
        for (int i = 0; i < I; i++)
            xn[(size_t)b * I + i] = (x[(size_t)b * xs + i] - p->x_mean[i]) * p->x_inv_std[i];
    }
    if (m->cfg.mixed_memory)
        K_(lstm)(p, nb, N, xn, (size_t)I, h, s->c, cw);
    if (m->cfg.cell == LLN_CELL_LTC) {
        for (int b = 0; b < nb; b++)
            K_(ltc_sample)(&p->ltc, xn + (size_t)b * I, dtv[b], h + (size_t)b * N, yc + (size_t)b * Oc,
                           cw);
    } else {
        const REAL *inp = xn;
        size_t is = (size_t)I, col = 0;
        for (int l = 0; l < p->ncells; l++) {
            K_(cfc_cell)(m, &p->cfc[l], nb, inp, is, h + col, (size_t)N, dtv, cw);
            inp = h + col; /* the next layer reads this layer's new state */
            is = (size_t)N;
            col += (size_t)p->cfc[l].hidden;
        }
        for (int b = 0; b < nb; b++)
            memcpy(yc + (size_t)b * Oc, h + (size_t)b * N + (N - Oc), (size_t)Oc * sizeof(REAL));
    }
    if (st != NULL)
        for (int b = 0; b < nb; b++)
            memcpy(st + (size_t)b * sts, h + (size_t)b * N, (size_t)N * sizeof(REAL));
    if (y == NULL)
        return LLN_OK;
    if (p->proj.out > 0)
        K_(dense_batch)(&p->proj, nb, yc, (size_t)Oc, cw, (size_t)m->out, 0);
    const REAL *yo = p->proj.out > 0 ? cw : yc;
    size_t yos = p->proj.out > 0 ? (size_t)m->out : (size_t)Oc;
    for (int b = 0; b < nb; b++)
        for (int o = 0; o < m->out; o++)
            y[(size_t)b * ys + o] = yo[(size_t)b * yos + o] * p->y_std[o] + p->y_mean[o];
    return LLN_OK;
}
