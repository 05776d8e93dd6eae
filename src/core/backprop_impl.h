/* Template: backpropagation through time in one precision. Included by kernels_f32.c and
 * kernels_f64.c after kernels_impl.h, so the recorded forward runs the very kernels of
 * lln_sequence() (dense_batch, activate, cfc_combine, lstm, ltc_block / ltc_sample) and
 * gives the same bits.
 *
 * What is recorded (time-major: step t holds nb rows): normalised inputs, Δt, the state
 * before and after every step (and the LSTM memory, gate pre-activations and LSTM output),
 * and for CfC every layer input, backbone pre-activation and head output. LTC keeps only
 * the states: a step's unfolds are recomputed from the state before it during the backward
 * pass (K unfolds x synapses x batch would not fit in cache for a whole sequence).
 *
 * Gradients are accumulated in this precision in tape-local buffers, then added to the
 * caller's float64 vector once per backward pass (finalize), where the chain rule through
 * the positivity transforms and the masks is applied. */

#include "template.h"

#define G_ALIGN 64
#define G_MAX_DENSE (LLN_MAX_LAYERS + LLN_MAX_BACKBONE + 3)
/* CfC weight gradients run once per chunk of steps of about this many rows (steps x batch):
 * a register tile's dW is then loaded and stored once per chunk instead of once per step */
#define G_CHUNK_ROWS 128

enum {
    G_BB = 0,
    G_HEADS = 1,
    G_LSTM_IN = 2,
    G_LSTM_REC = 3,
    G_PROJ = 4,
    G_RNN_IH = 5, /* GRU / LSTM baselines */
    G_RNN_HH = 6,
    G_MLP = 7 /* MLP baseline hidden layer */
};

/* The backward view of one dense layer y = W x + b (out x in). */
typedef struct T_(gdense) {
    int kind, cell, layer; /* which forward layer (G_BB, ...) */
    int out, in, ldw;
    T_(lln_dense) t; /* W transposed and packed (out = in, in = out): dX = dY W */
    REAL *dw, *db;   /* accumulated dW (out x ldw, row-major, ldw = in padded) and db (out) */
} T_(gdense);

/* Record of one CfC cell (or wired layer). */
typedef struct T_(gcell) {
    int in, hidden, nheads, nbb, f0, hw, units;
    REAL *z0;                                             /* T x B x f0: [input, old state] */
    REAL *pre[LLN_MAX_BACKBONE], *post[LLN_MAX_BACKBONE]; /* T x B x units */
    REAL *hd;                                             /* T x B x hw head outputs */
    int gbb[LLN_MAX_BACKBONE], gheads;                    /* gdense indices */
    /* a chunk of steps' dL/d(head outputs) (chunk x B x hw) and dL/d(backbone
     * pre-activations) (chunk x B x units per layer): the weight gradients of a chunk run as
     * one product over chunk x nb rows */
    REAL *cdh, *cdz[LLN_MAX_BACKBONE];
    REAL *da, *dwt, *wt; /* pure: dA, dw_tau, raw w_tau */
} T_(gcell);

/* LTC: per-synapse tables (list order of the prepared model) and lane-block buffers. A
 * block is K_L samples, one per lane; accumulators are [item][lane] and summed at the end. */
typedef struct T_(gltc) {
    REAL *sig, *mu, *pw, *e;     /* internal synapses: sigma, mu, P(w), erev */
    REAL *ssig, *smu, *spw, *se; /* sensory synapses */
    REAL *gr, *gs;               /* [syn][4][lane]: sums of dn sg, dd sg, dpre (u - mu), dpre */
    REAL *gcm, *gg, *gvl;        /* [neuron][lane]: dP(cm), sums of dd and of dn */
    REAL *giw, *gib;             /* [input][lane] */
    REAL *gow, *gob;             /* [motor] */
    /* block buffers */
    REAL *x, *cm, *ns, *dc, *u, *d, *sgs, *sg, *du, *dun, *dn, *dd, *dns, *dds, *dgc, *dx, *dt;
} T_(gltc);

typedef struct T_(tape) {
    REAL *xn, *dt, *h, *c, *hm, *gates; /* records */
    REAL *scr;                          /* forward step scratch */
    T_(gcell) cell[LLN_MAX_LAYERS];
    T_(gltc) ltc;
    int ngd, glstm_in, glstm_rec, gproj;
    T_(gdense) gd[G_MAX_DENSE];
    REAL *zero; /* zero bias of the transposed layers */
    REAL *dh, *dh2, *dc, *dyo, *dyc, *dxn, *dhd, *dza, *dzb, *dgz;
    REAL *xt; /* B x K_L: the last, partial vector of columns of a grad_w input, zero-padded */
    /* head-major CfC combine buffers (combine_flat): heads and their gradients (4 x B x H
     * each), Δt per element and dL/dh or the new state (B x H each) */
    REAL *fh, *fd, *ft, *fg;
    /* baselines: GRU / LSTM gate pre-activations (T x B x G N each) and their gradients
     * (B x G N); MLP hidden layers' pre/post activations (T x B x units) */
    REAL *zi, *zh, *dzi, *dzh;
    REAL *mpre[LLN_MAX_BACKBONE], *mpost[LLN_MAX_BACKBONE];
    int grnn_ih, grnn_hh, gmlp[LLN_MAX_BACKBONE];
} T_(tape);

/* ---- layout ----------------------------------------------------------------------------- */

static void T_(zero_fill)(REAL *v, size_t n) { memset(v, 0, n * sizeof(REAL)); }

typedef struct T_(carver) {
    char *base;
    size_t off;
} T_(carver);

static void *T_(take_bytes)(T_(carver) * c, size_t bytes)
{
    size_t at = (c->off + G_ALIGN - 1) / G_ALIGN * G_ALIGN;
    c->off = at + bytes;
    return c->base ? c->base + at : NULL;
}

static REAL *T_(take)(T_(carver) * c, size_t n) { return T_(take_bytes)(c, n * sizeof(REAL)); }

/* The forward dense layer a gdense refers to (read at use: prepare may have moved it). */
static const T_(lln_dense) * T_(fwd)(const lln_model_t *m, const T_(gdense) * d)
{
    const T_(lln_prep) *p = &m->T_(p);
    switch (d->kind) {
    case G_BB: return &p->cfc[d->cell].backbone[d->layer];
    case G_HEADS: return &p->cfc[d->cell].heads;
    case G_LSTM_IN: return &p->lstm_in;
    case G_LSTM_REC: return &p->lstm_rec;
    case G_RNN_IH: return &p->rnn_ih;
    case G_RNN_HH: return &p->rnn_hh;
    case G_MLP: return &p->mlp[d->layer];
    default: return &p->proj;
    }
}

static int T_(add_dense)(T_(tape) * g, T_(carver) * c, const lln_model_t *m, int kind, int cell,
                         int layer)
{
    T_(gdense) *d = &g->gd[g->ngd];
    d->kind = kind;
    d->cell = cell;
    d->layer = layer;
    const T_(lln_dense) *f = T_(fwd)(m, d);
    d->out = f->out;
    d->in = f->in;
    d->t.out = f->in;
    d->t.in = f->out;
    d->t.ld = T_(pad)(f->in);
    d->t.w = T_(take)(c, (size_t)d->t.ld * (size_t)f->out);
    d->ldw = T_(pad)(f->in);
    d->dw = T_(take)(c, (size_t)f->out * (size_t)d->ldw);
    d->db = T_(take)(c, (size_t)f->out);
    return g->ngd++;
}

static void T_(carve_cfc)(T_(tape) * g, T_(carver) * c, const lln_model_t *m, size_t rows,
                          size_t crows)
{
    const T_(lln_prep) *p = &m->T_(p);
    for (int l = 0; l < p->ncells; l++) {
        const T_(lln_cfc_prep) *cp = &p->cfc[l];
        T_(gcell) *gc = &g->cell[l];
        gc->in = cp->in;
        gc->hidden = cp->hidden;
        gc->nheads = cp->nheads;
        gc->nbb = cp->nbackbone;
        gc->f0 = cp->in + cp->hidden;
        gc->hw = cp->heads.out;
        gc->units = cp->nbackbone > 0 ? cp->backbone[0].out : 0;
        gc->z0 = T_(take)(c, rows * (size_t)gc->f0);
        for (int k = 0; k < gc->nbb; k++) {
            gc->pre[k] = T_(take)(c, rows * (size_t)cp->backbone[k].out);
            gc->post[k] = T_(take)(c, rows * (size_t)cp->backbone[k].out);
            gc->gbb[k] = T_(add_dense)(g, c, m, G_BB, l, k);
            gc->cdz[k] = T_(take)(c, crows * (size_t)cp->backbone[k].out);
        }
        gc->hd = T_(take)(c, rows * (size_t)gc->hw);
        gc->cdh = T_(take)(c, crows * (size_t)gc->hw);
        gc->gheads = T_(add_dense)(g, c, m, G_HEADS, l, 0);
        if (m->cfg.mode == LLN_CFC_PURE) {
            gc->da = T_(take)(c, (size_t)cp->hidden);
            gc->dwt = T_(take)(c, (size_t)cp->hidden);
            gc->wt = T_(take)(c, (size_t)cp->hidden);
        }
    }
}

static void T_(carve_ltc)(T_(tape) * g, T_(carver) * c, const lln_model_t *m)
{
    const T_(lln_ltc_prep) *p = &m->T_(p).ltc;
    T_(gltc) *L = &g->ltc;
    size_t N = (size_t)p->N, I = (size_t)p->I, K = (size_t)p->K, lw = K_L;
    size_t S = (size_t)p->r_off[N], Ss = (size_t)p->s_off[N];
    L->sig = T_(take)(c, S);
    L->mu = T_(take)(c, S);
    L->pw = T_(take)(c, S);
    L->e = T_(take)(c, S);
    L->ssig = T_(take)(c, Ss);
    L->smu = T_(take)(c, Ss);
    L->spw = T_(take)(c, Ss);
    L->se = T_(take)(c, Ss);
    L->gr = T_(take)(c, S * 4 * lw);
    L->gs = T_(take)(c, Ss * 4 * lw);
    L->gcm = T_(take)(c, N * lw);
    L->gg = T_(take)(c, N * lw);
    L->gvl = T_(take)(c, N * lw);
    L->giw = T_(take)(c, I * lw);
    L->gib = T_(take)(c, I * lw);
    L->gow = T_(take)(c, (size_t)p->M);
    L->gob = T_(take)(c, (size_t)p->M);
    L->x = T_(take)(c, I * lw);
    L->cm = T_(take)(c, N * lw);
    L->ns = T_(take)(c, N * lw);
    L->dc = T_(take)(c, N * lw);
    L->u = T_(take)(c, (K + 1) * N * lw);
    L->d = T_(take)(c, K * N * lw);
    L->sgs = T_(take)(c, Ss * lw);
    L->sg = T_(take)(c, K * S * lw);
    L->du = T_(take)(c, N * lw);
    L->dun = T_(take)(c, N * lw);
    L->dn = T_(take)(c, N * lw);
    L->dd = T_(take)(c, N * lw);
    L->dns = T_(take)(c, N * lw);
    L->dds = T_(take)(c, N * lw);
    L->dgc = T_(take)(c, N * lw);
    L->dx = T_(take)(c, I * lw);
    L->dt = T_(take)(c, lw);
}

static void T_(carve_baseline)(T_(tape) * g, T_(carver) * c, const lln_model_t *m, size_t B,
                               size_t rows)
{
    const T_(lln_prep) *p = &m->T_(p);
    size_t gw = (size_t)lln__gates(&m->cfg) * (size_t)m->cfg.units, U = (size_t)m->out_cell;
    if (gw > 0) {
        g->zi = T_(take)(c, rows * gw);
        g->zh = T_(take)(c, rows * gw);
        g->dzi = T_(take)(c, B * gw);
        g->dzh = T_(take)(c, B * gw);
        g->grnn_ih = T_(add_dense)(g, c, m, G_RNN_IH, 0, 0);
        g->grnn_hh = T_(add_dense)(g, c, m, G_RNN_HH, 0, 0);
    }
    for (int l = 0; l < p->nmlp; l++) {
        g->mpre[l] = T_(take)(c, rows * U);
        g->mpost[l] = T_(take)(c, rows * U);
        g->gmlp[l] = T_(add_dense)(g, c, m, G_MLP, 0, l);
    }
}

size_t T_(lln__tape_carve)(const lln_model_t *m, int batch, int steps, void *base)
{
    T_(carver) c = {base, 0};
    T_(tape) *g = T_(take_bytes)(&c, sizeof *g), tmp;
    if (g == NULL)
        g = &tmp;
    memset(g, 0, sizeof *g);
    const T_(lln_prep) *p = &m->T_(p);
    size_t B = (size_t)batch, T = (size_t)steps, rows = B * T;
    size_t I = (size_t)m->cfg.input_size, N = (size_t)m->cfg.units, O = (size_t)m->out;
    size_t Oc = (size_t)m->out_cell, wmax = I + N, hmax = 4 * N, ldmax = 0;
    g->glstm_in = g->glstm_rec = g->gproj = -1;
    /* chunk rows: at most max(nb, G_CHUNK_ROWS) for any nb <= B, and at most the record */
    size_t crows = B > G_CHUNK_ROWS ? B : G_CHUNK_ROWS;
    crows = crows < rows ? crows : rows;
    g->xn = T_(take)(&c, rows * I);
    g->dt = T_(take)(&c, rows);
    g->h = T_(take)(&c, (T + 1) * B * N);
    if (m->cfg.mixed_memory) {
        g->c = T_(take)(&c, (T + 1) * B * N);
        g->hm = T_(take)(&c, rows * N);
        g->gates = T_(take)(&c, rows * 4 * N);
        g->glstm_in = T_(add_dense)(g, &c, m, G_LSTM_IN, 0, 0);
        g->glstm_rec = T_(add_dense)(g, &c, m, G_LSTM_REC, 0, 0);
    }
    if (m->cfg.cell == LLN_CELL_LSTM)
        g->c = T_(take)(&c, (T + 1) * B * N);
    g->scr = T_(take)(&c, B * lln__scratch_per_sample(m));
    if (lln__baseline(&m->cfg))
        T_(carve_baseline)(g, &c, m, B, rows);
    else if (m->cfg.cell == LLN_CELL_LTC)
        T_(carve_ltc)(g, &c, m);
    else
        T_(carve_cfc)(g, &c, m, rows, crows);
    if (p->proj.out > 0)
        g->gproj = T_(add_dense)(g, &c, m, G_PROJ, 0, 0);
    for (int l = 0; l < p->ncells; l++) {
        const T_(gcell) *gc = &g->cell[l];
        wmax = (size_t)gc->f0 > wmax ? (size_t)gc->f0 : wmax;
        wmax = (size_t)gc->units > wmax ? (size_t)gc->units : wmax;
        hmax = (size_t)gc->hw > hmax ? (size_t)gc->hw : hmax;
    }
    if (m->cfg.cell == LLN_CELL_MLP && Oc > wmax)
        wmax = Oc;
    for (int k = 0; k < g->ngd; k++)
        ldmax = (size_t)g->gd[k].t.ld > ldmax ? (size_t)g->gd[k].t.ld : ldmax;
    g->zero = T_(take)(&c, ldmax + 1);
    g->dh = T_(take)(&c, B * N);
    g->dh2 = T_(take)(&c, B * N);
    g->dc = T_(take)(&c, B * N);
    g->dyo = T_(take)(&c, B * O);
    g->dyc = T_(take)(&c, B * (Oc > O ? Oc : O));
    g->dxn = T_(take)(&c, B * I);
    g->dhd = T_(take)(&c, B * hmax);
    g->dza = T_(take)(&c, B * wmax);
    g->dzb = T_(take)(&c, B * wmax);
    g->dgz = T_(take)(&c, B * 4 * N);
    g->xt = T_(take)(&c, crows * (size_t)K_L);
    g->fh = T_(take)(&c, B * hmax);
    g->fd = T_(take)(&c, B * hmax);
    g->ft = T_(take)(&c, B * hmax / 2);
    g->fg = T_(take)(&c, B * hmax / 2);
    if (base != NULL)
        T_(zero_fill)(g->zero, ldmax + 1);
    return c.off;
}

/* ---- forward ----------------------------------------------------------------------------- */

/* ---- CfC combine on head-major copies ----------------------------------------------------
 * A cell's heads sit side by side in each sample's row ([ff1 | ff2 | time_a | time_b], H each),
 * so for H not a multiple of the vector width cfc_combine runs partly scalar. These versions
 * first gather the heads of all nb samples head-major (element e = b H + j), so every vector
 * is full; per element they do cfc_combine's operations (same bits). */

/* fh[q][e] = hd[b][q H + j]; ft[e] = dt[b] */
static void T_(gather_heads)(const T_(tape) * g, int nh, int H, int nb, const REAL *hd, size_t hw,
                             const REAL *dt)
{
    size_t n = (size_t)nb * H;
    for (int b = 0; b < nb; b++)
        for (int j = 0; j < H; j++) {
            size_t e = (size_t)b * H + j;
            for (int q = 0; q < nh; q++)
                g->fh[q * n + e] = hd[(size_t)b * hw + (size_t)q * H + j];
            g->ft[e] = dt[b];
        }
}

static void T_(combine_flat)(const T_(tape) * g, lln_cfc_mode_t mode, int H, int nb, const REAL *hd,
                             size_t hw, const REAL *dt, REAL *h, size_t hs)
{
    size_t n = (size_t)nb * H, e = 0;
    T_(gather_heads)(g, 4, H, nb, hd, hw, dt);
    const REAL *f1 = g->fh, *f2 = f1 + n, *ta = f2 + n, *tb = ta + n;
    REAL *out = g->fg;
    int gate = mode == LLN_CFC_DEFAULT;
#ifdef K_VSIG
    for (; e + LLN_VF_LANES <= n; e += LLN_VF_LANES) {
        lln_vf g1 = lln_vf_tanh(lln_vf_load(f1 + e)), g2 = lln_vf_tanh(lln_vf_load(f2 + e));
        lln_vf ti = lln_vf_sigmoid(
            lln_vf_fma(lln_vf_load(ta + e), lln_vf_load(g->ft + e), lln_vf_load(tb + e)));
        lln_vf keep = gate ? lln_vf_mul(g1, lln_vf_sub(lln_vf_set1(1.0f), ti)) : g1;
        lln_vf_store(out + e, lln_vf_fma(ti, g2, keep));
    }
#endif
    for (; e < n; e++) {
        REAL g1 = TANH(f1[e]), g2 = TANH(f2[e]), ti = SIGMOID(FMA(ta[e], g->ft[e], tb[e]));
        out[e] = FMA(ti, g2, gate ? g1 * (1 - ti) : g1);
    }
    for (int b = 0; b < nb; b++)
        memcpy(h + (size_t)b * hs, out + (size_t)b * H, (size_t)H * sizeof(REAL));
}

/* One CfC cell for nb samples, as cfc_cell in kernels_impl.h, keeping its intermediates:
 * z0, backbone pre/post activations and head outputs of step row block `r0`. */
static void T_(cfc_fwd)(const lln_model_t *m, const T_(tape) * g, const T_(lln_cfc_prep) * cp,
                        const T_(gcell) * gc, size_t r0, int nb, const REAL *inp, size_t is,
                        REAL *h, size_t hs, const REAL *dt)
{
    size_t f0 = (size_t)gc->f0, hw = (size_t)gc->hw, U = (size_t)gc->units;
    REAL *z = gc->z0 + r0 * f0;
    for (int b = 0; b < nb; b++) {
        memcpy(z + (size_t)b * f0, inp + (size_t)b * is, (size_t)cp->in * sizeof(REAL));
        memcpy(z + (size_t)b * f0 + cp->in, h + (size_t)b * hs, (size_t)cp->hidden * sizeof(REAL));
    }
    const REAL *zin = z;
    size_t zs = f0;
    for (int l = 0; l < cp->nbackbone; l++) {
        REAL *pre = gc->pre[l] + r0 * U, *post = gc->post[l] + r0 * U;
        T_(dense_batch)(&cp->backbone[l], nb, zin, zs, pre, U, 0);
        memcpy(post, pre, (size_t)nb * U * sizeof(REAL));
        T_(activate)(m->cfg.activation, post, nb * (int)U);
        zin = post;
        zs = U;
    }
    REAL *hd = gc->hd + r0 * hw;
    T_(dense_batch)(&cp->heads, nb, zin, zs, hd, hw, 0);
    if (m->cfg.mode == LLN_CFC_PURE || cp->hidden % K_L == 0)
        for (int b = 0; b < nb; b++)
            T_(cfc_combine)(cp, m->cfg.mode, hd + (size_t)b * hw, dt[b], h + (size_t)b * hs);
    else
        T_(combine_flat)(g, m->cfg.mode, cp->hidden, nb, hd, hw, dt, h, hs);
}

/* A baseline step as baseline_step in kernels_impl.h, recording the gate pre-activations
 * (GRU / LSTM) or the hidden layers' pre/post activations (MLP). */
static void T_(baseline_fwd)(const lln_model_t *m, const T_(tape) * g, size_t t, int nb, REAL *hnew,
                             REAL *yc)
{
    const T_(lln_prep) *p = &m->T_(p);
    int I = m->cfg.input_size, N = m->cfg.units, Oc = m->out_cell;
    size_t r0 = t * (size_t)nb, nbN = (size_t)nb * N;
    const REAL *xn = g->xn + r0 * (size_t)I;
    if (m->cfg.cell != LLN_CELL_MLP) {
        size_t gw = (size_t)lln__gates(&m->cfg) * (size_t)N;
        REAL *cnew = NULL;
        if (m->cfg.cell == LLN_CELL_LSTM) {
            cnew = g->c + (t + 1) * nbN;
            memcpy(cnew, cnew - nbN, nbN * sizeof(REAL));
        }
        T_(rnn_cell)(m, p, nb, xn, hnew, cnew, g->zi + r0 * gw, g->zh + r0 * gw);
        memcpy(yc, hnew, nbN * sizeof(REAL));
        return;
    }
    T_(mlp_shift)(nb, I, N, xn, hnew);
    const REAL *in = hnew;
    size_t is = (size_t)N, U = (size_t)Oc;
    for (int l = 0; l < p->nmlp; l++) {
        REAL *pre = g->mpre[l] + r0 * U, *post = g->mpost[l] + r0 * U;
        T_(dense_batch)(&p->mlp[l], nb, in, is, pre, U, 0);
        memcpy(post, pre, (size_t)nb * U * sizeof(REAL));
        T_(activate)(m->cfg.activation, post, nb * Oc);
        in = post;
        is = U;
    }
    memcpy(yc, in, (size_t)nb * (size_t)Oc * sizeof(REAL));
}

/* The cell of one step on hnew (in place; it holds the cell's input state on entry); yc
 * receives the cell output (nb x Oc). */
static void T_(cell_fwd)(const lln_model_t *m, const T_(tape) * g, size_t t, int nb, REAL *hnew,
                         REAL *yc)
{
    const T_(lln_prep) *p = &m->T_(p);
    int I = m->cfg.input_size, N = m->cfg.units, Oc = m->out_cell;
    size_t r0 = t * (size_t)nb;
    const REAL *xn = g->xn + r0 * (size_t)I, *dtv = g->dt + r0;
    REAL *cw = yc + (size_t)nb * Oc;
    if (lln__baseline(&m->cfg)) {
        T_(baseline_fwd)(m, g, t, nb, hnew, yc);
        return;
    }
    if (m->cfg.cell == LLN_CELL_LTC) {
        int b = 0;
        for (; b + K_L <= nb; b += K_L)
            T_(ltc_block)
        (&p->ltc, xn + (size_t)b * I, dtv + b, hnew + (size_t)b * N, (size_t)Oc,
         yc + (size_t)b * Oc, cw);
        for (; b < nb; b++)
            T_(ltc_sample)
        (&p->ltc, xn + (size_t)b * I, dtv[b], hnew + (size_t)b * N, yc + (size_t)b * Oc, cw);
        return;
    }
    const REAL *inp = xn;
    size_t is = (size_t)I, col = 0;
    for (int l = 0; l < p->ncells; l++) {
        T_(cfc_fwd)(m, g, &p->cfc[l], &g->cell[l], r0, nb, inp, is, hnew + col, (size_t)N, dtv);
        inp = hnew + col;
        is = (size_t)N;
        col += (size_t)p->cfc[l].hidden;
    }
    for (int b = 0; b < nb; b++)
        memcpy(yc + (size_t)b * Oc, hnew + (size_t)b * N + (N - Oc), (size_t)Oc * sizeof(REAL));
}

void T_(lln__tape_forward)(lln_tape_t *tp, const REAL *x, const REAL *dt, const REAL *h0,
                           const REAL *c0, REAL *y)
{
    const lln_model_t *m = tp->model;
    const T_(lln_prep) *p = &m->T_(p);
    T_(tape) *g = tp->data;
    int nb = tp->nb, T = tp->steps, I = m->cfg.input_size, N = m->cfg.units, O = m->out;
    int Oc = m->out_cell;
    size_t nbN = (size_t)nb * N;
    if (h0)
        memcpy(g->h, h0, nbN * sizeof(REAL));
    else
        memset(g->h, 0, nbN * sizeof(REAL));
    if (lln__nmem(&m->cfg)) {
        if (c0)
            memcpy(g->c, c0, nbN * sizeof(REAL));
        else
            memset(g->c, 0, nbN * sizeof(REAL));
    }
    for (size_t t = 0; t < (size_t)T; t++) {
        size_t r0 = t * (size_t)nb;
        REAL *xn = g->xn + r0 * (size_t)I, *dtv = g->dt + r0;
        for (int b = 0; b < nb; b++) {
            size_t bt = (size_t)b * (size_t)T + t;
            dtv[b] = dt ? dt[bt] : (REAL)1;
            for (int i = 0; i < I; i++)
                xn[(size_t)b * I + i] = (x[bt * (size_t)I + i] - p->x_mean[i]) * p->x_inv_std[i];
        }
        REAL *hprev = g->h + t * nbN, *hnew = hprev + nbN;
        const REAL *hin = hprev;
        if (m->cfg.mixed_memory) {
            REAL *hm = g->hm + t * nbN, *cnew = g->c + (t + 1) * nbN;
            memcpy(hm, hprev, nbN * sizeof(REAL));
            memcpy(cnew, cnew - nbN, nbN * sizeof(REAL));
            T_(lstm)(p, nb, N, xn, (size_t)I, hm, cnew, g->gates + r0 * 4 * (size_t)N);
            hin = hm;
        }
        memcpy(hnew, hin, nbN * sizeof(REAL));
        REAL *yc = g->scr, *cw = yc + (size_t)nb * Oc;
        T_(cell_fwd)(m, g, t, nb, hnew, yc);
        if (y == NULL)
            continue;
        if (p->proj.out > 0)
            T_(dense_batch)(&p->proj, nb, yc, (size_t)Oc, cw, (size_t)O, 0);
        const REAL *yo = p->proj.out > 0 ? cw : yc;
        size_t yos = p->proj.out > 0 ? (size_t)O : (size_t)Oc;
        for (int b = 0; b < nb; b++)
            for (int o = 0; o < O; o++)
                y[((size_t)b * T + t) * O + o] =
                    yo[(size_t)b * yos + o] * p->y_std[o] + p->y_mean[o];
    }
}

/* ---- dense-layer backward pieces --------------------------------------------------------- */

/* dW (out x in) += dY^T X and db += column sums of dY, over nb rows. A tile of MR rows of dW
 * and NV vectors of columns stays in registers while the nb rows stream past; dW rows are
 * padded to whole vectors (ldw) and the last, partial vector of X's columns is read from a
 * zero-padded copy, so every access is a full vector. */
#ifdef K_VSIG
/* With 32 vector registers the NV vectors of X are loaded once per row into registers (the
 * empty asm keeps the compiler from folding them into MR memory-operand FMAs, which would
 * load each one MR times and make the tile load-bound); with 16, the tile's accumulators
 * leave no room, and the memory operands stay. */
#if LLN_VEC_BYTES >= 64 && defined(__GNUC__) && !defined(__aarch64__)
#define G_IN_REGISTER(v) __asm__("" : "+v"(v))
#else
#define G_IN_REGISTER(v) (void)0
#endif
#define G_GW_TILE(NAME, MR, NV)                                                           \
    static void NAME(int nb, const REAL *restrict dy, size_t dys, const REAL *restrict x, \
                     size_t xs, REAL *restrict dw, size_t ldw)                            \
    {                                                                                     \
        lln_vf acc[MR][NV];                                                               \
        for (int r = 0; r < (MR); r++)                                                    \
            for (int v = 0; v < (NV); v++)                                                \
                acc[r][v] = lln_vf_load(dw + (size_t)r * ldw + (size_t)v * LLN_VF_LANES); \
        for (int b = 0; b < nb; b++) {                                                    \
            lln_vf xv[NV];                                                                \
            for (int v = 0; v < (NV); v++) {                                              \
                xv[v] = lln_vf_load(x + (size_t)b * xs + (size_t)v * LLN_VF_LANES);       \
                G_IN_REGISTER(xv[v]);                                                     \
            }                                                                             \
            for (int r = 0; r < (MR); r++) {                                              \
                lln_vf a = lln_vf_set1(dy[(size_t)b * dys + (size_t)r]);                  \
                for (int v = 0; v < (NV); v++)                                            \
                    acc[r][v] = lln_vf_fma(a, xv[v], acc[r][v]);                          \
            }                                                                             \
        }                                                                                 \
        for (int r = 0; r < (MR); r++)                                                    \
            for (int v = 0; v < (NV); v++)                                                \
                lln_vf_store(dw + (size_t)r * ldw + (size_t)v * LLN_VF_LANES, acc[r][v]); \
    }
G_GW_TILE(T_(gw_4x4), 4, 4)
G_GW_TILE(T_(gw_4x2), 4, 2)
G_GW_TILE(T_(gw_4x1), 4, 1)
G_GW_TILE(T_(gw_1x4), 1, 4)
G_GW_TILE(T_(gw_1x2), 1, 2)
G_GW_TILE(T_(gw_1x1), 1, 1)

/* Columns [i0, i0 + nv vectors) for every row of dW. */
static void T_(gw_cols)(int nb, const REAL *dy, size_t dys, const REAL *x, size_t xs, int out,
                        REAL *dw, size_t ldw, int nv)
{
    int o = 0;
    for (; o + 4 <= out; o += 4) {
        REAL *w = dw + (size_t)o * ldw;
        if (nv == 4)
            T_(gw_4x4)(nb, dy + o, dys, x, xs, w, ldw);
        else if (nv == 2)
            T_(gw_4x2)(nb, dy + o, dys, x, xs, w, ldw);
        else
            T_(gw_4x1)(nb, dy + o, dys, x, xs, w, ldw);
    }
    for (; o < out; o++) {
        REAL *w = dw + (size_t)o * ldw;
        if (nv == 4)
            T_(gw_1x4)(nb, dy + o, dys, x, xs, w, ldw);
        else if (nv == 2)
            T_(gw_1x2)(nb, dy + o, dys, x, xs, w, ldw);
        else
            T_(gw_1x1)(nb, dy + o, dys, x, xs, w, ldw);
    }
}

static void T_(grad_w)(T_(tape) * g, T_(gdense) * d, int nb, const REAL *dy, size_t dys,
                       const REAL *x, size_t xs)
{
    enum { L = LLN_VF_LANES };
    int in = d->in, full = in / L, i = 0;
    size_t ldw = (size_t)d->ldw;
    while (i < full) {
        int nv = full - i >= 4 ? 4 : full - i >= 2 ? 2 : 1;
        T_(gw_cols)(nb, dy, dys, x + (size_t)i * L, xs, d->out, d->dw + (size_t)i * L, ldw, nv);
        i += nv;
    }
    if (in % L != 0) {
        int i0 = full * L, rest = in - i0;
        for (int b = 0; b < nb; b++) {
            REAL *t = g->xt + (size_t)b * L;
            memcpy(t, x + (size_t)b * xs + i0, (size_t)rest * sizeof(REAL));
            memset(t + rest, 0, (size_t)(L - rest) * sizeof(REAL));
        }
        T_(gw_cols)(nb, dy, dys, g->xt, (size_t)L, d->out, d->dw + i0, ldw, 1);
    }
    for (int b = 0; b < nb; b++)
        for (int o = 0; o < d->out; o++)
            d->db[o] += dy[(size_t)b * dys + o];
}
#else
static void T_(grad_w)(T_(tape) * g, T_(gdense) * d, int nb, const REAL *restrict dy, size_t dys,
                       const REAL *restrict x, size_t xs)
{
    (void)g;
    for (int o = 0; o < d->out; o++) {
        REAL *restrict w = d->dw + (size_t)o * (size_t)d->ldw, bs = 0;
        for (int b = 0; b < nb; b++) {
            REAL a = dy[(size_t)b * dys + o];
            const REAL *restrict xr = x + (size_t)b * xs;
            bs += a;
            for (int i = 0; i < d->in; i++)
                w[i] = FMA(a, xr[i], w[i]);
        }
        d->db[o] += bs;
    }
}
#endif

/* Fills the transposed copy of a gdense from the forward table (masked weights are zero
 * there already). */
static void T_(build_t)(const lln_model_t *m, T_(gdense) * d, REAL *zero)
{
    const T_(lln_dense) *f = T_(fwd)(m, d);
    T_(lln_dense) *t = &d->t;
    t->b = zero;
    memset(t->w, 0, (size_t)t->ld * (size_t)t->in * sizeof(REAL));
    /* panel by panel of both layouts (T_(packed) per element searches the panels) */
    size_t fb = 0;
    for (int o0 = 0; o0 < f->out;) {
        int fw = T_(panel_width)(f->ld - o0), o1 = o0 + fw < f->out ? o0 + fw : f->out;
        size_t tb = 0;
        for (int i0 = 0; i0 < f->in;) {
            int tw = T_(panel_width)(t->ld - i0), i1 = i0 + tw < f->in ? i0 + tw : f->in;
            for (int o = o0; o < o1; o++)
                for (int i = i0; i < i1; i++)
                    t->w[tb + (size_t)o * (size_t)tw + (size_t)(i - i0)] =
                        f->w[fb + (size_t)i * (size_t)fw + (size_t)(o - o0)];
            tb += (size_t)t->in * (size_t)tw;
            i0 += tw;
        }
        fb += (size_t)f->in * (size_t)fw;
        o0 += fw;
    }
}

/* dX (nb x in, stride xs) (=|+=) dY W through the transposed copy. */
static void T_(back_x)(const T_(gdense) * d, int nb, const REAL *dy, size_t dys, REAL *dx,
                       size_t xs, int accumulate)
{
    T_(dense_batch)(&d->t, nb, dy, dys, dx, xs, accumulate);
}

/* ---- CfC backward ----------------------------------------------------------------------- */

/* Pure mode, one sample: dL/d(ff1) from dL/dh, and the gradients of A and |w_tau|
 * (h = -A e f1 + A with e = exp(-dt (|w_tau| + |f1|)); torch's d|x|/dx is 0 at 0). */
static void T_(combine_back_pure)(const T_(lln_cfc_prep) * cp, const T_(gcell) * gc,
                                  const REAL *restrict hd, REAL dt, const REAL *restrict gh,
                                  REAL *restrict dhd)
{
    const REAL *A = cp->a, *wt = cp->w_tau_abs;
    for (int j = 0; j < cp->hidden; j++) {
        REAL f1 = hd[j], af1 = f1 < 0 ? -f1 : f1, g = gh[j];
        REAL sg = f1 > 0 ? (REAL)1 : f1 < 0 ? (REAL)-1 : (REAL)0;
        REAL e = EXP(-dt * (wt[j] + af1));
        REAL dq = g * A[j] * f1 * dt * e; /* dL/d(|w_tau| + |f1|) */
        gc->da[j] += g * (1 - e * f1);
        gc->dwt[j] += dq;
        dhd[j] = -g * A[j] * e + dq * sg;
    }
}

#ifdef K_VSIG
/* One vector of combine_back_flat's elements: the heads at f1, f2, ta, tb, Δt t and dL/dh at
 * gh in; dL/d(heads) to d1, d2, da, db. */
static inline void T_(combine_back_vec)(int gate, const REAL *f1, const REAL *f2, const REAL *ta,
                                        const REAL *tb, lln_vf t, const REAL *gh, REAL *d1,
                                        REAL *d2, REAL *da, REAL *db)
{
    lln_vf one = lln_vf_set1(1.0f);
    lln_vf g1 = lln_vf_tanh(lln_vf_load(f1)), g2 = lln_vf_tanh(lln_vf_load(f2));
    lln_vf gv = lln_vf_load(gh);
    lln_vf ti = lln_vf_sigmoid(lln_vf_fma(lln_vf_load(ta), t, lln_vf_load(tb)));
    lln_vf dg1 = gate ? lln_vf_mul(gv, lln_vf_sub(one, ti)) : gv;
    lln_vf dti = lln_vf_mul(gv, gate ? lln_vf_sub(g2, g1) : g2);
    lln_vf dp = lln_vf_mul(lln_vf_mul(dti, ti), lln_vf_sub(one, ti));
    lln_vf_store(d1, lln_vf_mul(dg1, lln_vf_sub(one, lln_vf_mul(g1, g1))));
    lln_vf_store(d2, lln_vf_mul(lln_vf_mul(gv, ti), lln_vf_sub(one, lln_vf_mul(g2, g2))));
    lln_vf_store(da, lln_vf_mul(dp, t));
    lln_vf_store(db, dp);
}

/* combine_back_flat for H a multiple of the vector width: every head block of a sample's
 * row is whole vectors, so the rows are read and written in place (no head-major copies). */
static void T_(combine_back_rows)(lln_cfc_mode_t mode, int H, int nb, const REAL *hd, size_t hw,
                                  const REAL *dt, const REAL *gh, size_t gs, REAL *dhd)
{
    int gate = mode == LLN_CFC_DEFAULT;
    size_t h = (size_t)H;
    for (int b = 0; b < nb; b++) {
        const REAL *r = hd + (size_t)b * hw;
        REAL *o = dhd + (size_t)b * hw;
        lln_vf t = lln_vf_set1(dt[b]);
        for (size_t j = 0; j < h; j += LLN_VF_LANES)
            T_(combine_back_vec)
        (gate, r + j, r + h + j, r + 2 * h + j, r + 3 * h + j, t, gh + (size_t)b * gs + j, o + j,
         o + h + j, o + 2 * h + j, o + 3 * h + j);
    }
}
#endif

/* Default / no_gate, nb samples on head-major copies: dL/d(heads) from dL/dh (gh, rows of
 * stride gs) into dhd (rows of stride hw). With g1 = tanh(ff1), g2 = tanh(ff2),
 * ti = sigmoid(ta dt + tb): h = g1 (1 - ti) + ti g2 (default) or g1 + ti g2 (no_gate). */
static void T_(combine_back_flat)(const T_(tape) * g, lln_cfc_mode_t mode, int H, int nb,
                                  const REAL *hd, size_t hw, const REAL *dt, const REAL *gh,
                                  size_t gs, REAL *dhd)
{
    size_t n = (size_t)nb * H, e = 0;
    T_(gather_heads)(g, 4, H, nb, hd, hw, dt);
    for (int b = 0; b < nb; b++)
        memcpy(g->fg + (size_t)b * H, gh + (size_t)b * gs, (size_t)H * sizeof(REAL));
    const REAL *f1 = g->fh, *f2 = f1 + n, *ta = f2 + n, *tb = ta + n, *dte = g->ft, *gg = g->fg;
    REAL *d1 = g->fd, *d2 = d1 + n, *da = d2 + n, *db = da + n;
    int gate = mode == LLN_CFC_DEFAULT;
#ifdef K_VSIG
    for (; e + LLN_VF_LANES <= n; e += LLN_VF_LANES)
        T_(combine_back_vec)
    (gate, f1 + e, f2 + e, ta + e, tb + e, lln_vf_load(dte + e), gg + e, d1 + e, d2 + e, da + e,
     db + e);
#endif
    for (; e < n; e++) {
        REAL g1 = TANH(f1[e]), g2 = TANH(f2[e]), ti = SIGMOID(FMA(ta[e], dte[e], tb[e]));
        REAL gv = gg[e], dg1 = gate ? gv * (1 - ti) : gv, dti = gate ? gv * (g2 - g1) : gv * g2;
        REAL dp = dti * ti * (1 - ti);
        d1[e] = dg1 * (1 - g1 * g1);
        d2[e] = gv * ti * (1 - g2 * g2);
        da[e] = dp * dte[e];
        db[e] = dp;
    }
    for (int b = 0; b < nb; b++)
        for (int q = 0; q < 4; q++)
            memcpy(dhd + (size_t)b * hw + (size_t)q * H, g->fd + q * n + (size_t)b * H,
                   (size_t)H * sizeof(REAL));
}

/* dz *= act'(pre), elementwise over n values (vectors first where there are intrinsics, then
 * the scalar form). The tanh forms take the derivative from the recorded output instead of
 * a second tanh: tanh' = 1 - post^2, and for post = 1.7159 tanh(0.666 x),
 * d post / dx = 0.666 (1.7159 - post^2 / 1.7159). */
static void T_(act_back)(lln_activation_t a, const REAL *restrict pre, const REAL *restrict post,
                         REAL *restrict dz, size_t n)
{
    size_t i = 0;
    if (a == LLN_ACT_LECUN_TANH || a == LLN_ACT_TANH) {
        int lecun = a == LLN_ACT_LECUN_TANH;
        REAL c0 = lecun ? (REAL)0.666 * (REAL)1.7159 : 1,
             c2 = lecun ? (REAL)0.666 / (REAL)1.7159 : 1;
#ifdef K_VSIG
        lln_vf v0 = lln_vf_set1(c0), v2 = lln_vf_set1(c2);
        for (; i + LLN_VF_LANES <= n; i += LLN_VF_LANES) {
            lln_vf y = lln_vf_load(post + i);
            lln_vf d = lln_vf_sub(v0, lln_vf_mul(v2, lln_vf_mul(y, y)));
            lln_vf_store(dz + i, lln_vf_mul(lln_vf_load(dz + i), d));
        }
#endif
        for (; i < n; i++)
            dz[i] *= c0 - c2 * (post[i] * post[i]);
        return;
    }
#ifdef K_VSIG
    lln_vf one = lln_vf_set1(1.0f);
    for (; i + LLN_VF_LANES <= n && a == LLN_ACT_SILU; i += LLN_VF_LANES) {
        lln_vf x = lln_vf_load(pre + i), sg = lln_vf_sigmoid(x);
        lln_vf d = lln_vf_mul(sg, lln_vf_fma(x, lln_vf_sub(one, sg), one));
        lln_vf_store(dz + i, lln_vf_mul(lln_vf_load(dz + i), d));
    }
#endif
    switch (a) {
    case LLN_ACT_RELU: /* derivative 0 at 0, as torch */
        for (; i < n; i++)
            dz[i] = pre[i] > 0 ? dz[i] : 0;
        break;
    case LLN_ACT_SILU:
        for (; i < n; i++) {
            REAL sg = SIGMOID(pre[i]);
            dz[i] *= sg * FMA(pre[i], 1 - sg, 1);
        }
        break;
    default: /* exact GELU: Phi(x) + x phi(x) */
        for (; i < n; i++) {
            REAL x = pre[i];
            dz[i] *= (REAL)0.5 * (1 + ERF(x * (REAL)0.70710678118654752440)) +
                     x * (REAL)0.39894228040143267794 * EXP((REAL)-0.5 * x * x);
        }
        break;
    }
}

/* Backward of one CfC cell at step t of T (row block r0 = t nb). gh: dL/d(new state) (nb
 * rows, stride gs). Writes dL/d(old state) to dprev (stride ps) and adds dL/d(input) to dinp
 * (stride dis). The gradients at the heads and backbone layers go to the step's slot of the
 * cell's chunk buffers; at the first step of a chunk (the last one the backward pass
 * reaches), the chunk's weight gradients run over all its rows at once. */
static void T_(cfc_back)(const lln_model_t *m, T_(tape) * g, int l, size_t t, int T, int nb,
                         const REAL *gh, size_t gs, const REAL *dt, REAL *dprev, size_t ps,
                         REAL *dinp, size_t dis)
{
    const T_(lln_cfc_prep) *cp = &m->T_(p).cfc[l];
    T_(gcell) *gc = &g->cell[l];
    size_t hw = (size_t)gc->hw, f0 = (size_t)gc->f0, U = (size_t)gc->units, r0 = t * (size_t)nb;
    /* the chunk depends on nb only: a slice's gradient is the same whatever the tape's
     * capacity (the (processes x threads) splits of a batch give the same bits) */
    int chunk = nb >= G_CHUNK_ROWS ? 1 : G_CHUNK_ROWS / nb;
    size_t slot = t % (size_t)chunk, s0 = slot * (size_t)nb;
    const REAL *hd = gc->hd + r0 * hw;
    REAL *dhd = gc->cdh + s0 * hw;
    if (m->cfg.mode == LLN_CFC_PURE) {
        for (int b = 0; b < nb; b++) {
            size_t o = (size_t)b * hw;
            T_(combine_back_pure)(cp, gc, hd + o, dt[b], gh + (size_t)b * gs, dhd + o);
        }
    } else {
#ifdef K_VSIG
        if (cp->hidden % K_L == 0) {
            T_(combine_back_rows)(m->cfg.mode, cp->hidden, nb, hd, hw, dt, gh, gs, dhd);
        } else
#endif
            T_(combine_back_flat)(g, m->cfg.mode, cp->hidden, nb, hd, hw, dt, gh, gs, dhd);
    }
    /* dX through the heads and the backbone, last layer first; dz: the current layer's
     * dL/d(output), then (after act_back) dL/d(pre-activation), in its chunk slot */
    T_(gdense) *dh = &g->gd[gc->gheads];
    REAL *dz = gc->nbb > 0 ? gc->cdz[gc->nbb - 1] + s0 * U : g->dza;
    T_(back_x)(dh, nb, dhd, hw, dz, (size_t)dh->in, 0);
    for (int k = gc->nbb - 1; k >= 0; k--) {
        T_(gdense) *d = &g->gd[gc->gbb[k]];
        T_(act_back)
        (m->cfg.activation, gc->pre[k] + r0 * U, gc->post[k] + r0 * U, dz, (size_t)nb * U);
        REAL *next = k > 0 ? gc->cdz[k - 1] + s0 * U : g->dza;
        T_(back_x)(d, nb, dz, U, next, (size_t)d->in, 0);
        dz = next;
    }
    for (int b = 0; b < nb; b++) {
        const REAL *r = dz + (size_t)b * f0;
        REAL *di = dinp + (size_t)b * dis, *dp = dprev + (size_t)b * ps;
        for (int i = 0; i < cp->in; i++)
            di[i] += r[i];
        memcpy(dp, r + cp->in, (size_t)cp->hidden * sizeof(REAL));
    }
    if (slot != 0)
        return;
    /* weight gradients of the chunk: steps t .. t + n - 1, rows r0 .. r0 + n nb - 1 */
    int n = T - (int)t < chunk ? T - (int)t : chunk, rows = n * nb;
    const REAL *zl = gc->nbb > 0 ? gc->post[gc->nbb - 1] + r0 * U : gc->z0 + r0 * f0;
    T_(grad_w)(g, dh, rows, gc->cdh, hw, zl, gc->nbb > 0 ? U : f0);
    for (int k = gc->nbb - 1; k >= 0; k--) {
        T_(gdense) *d = &g->gd[gc->gbb[k]];
        const REAL *zi = k > 0 ? gc->post[k - 1] + r0 * U : gc->z0 + r0 * f0;
        T_(grad_w)(g, d, rows, gc->cdz[k], U, zi, (size_t)d->in);
    }
}

/* ---- LTC backward ----------------------------------------------------------------------- */

/* Sensory sums (U == NULL: sources are the mapped inputs X) or one unfold U -> UN (D: its
 * denominators): ltc_lanes_pass of kernels_impl.h, the pass of inference, also keeping every
 * synapse's sigmoid in SG ([synapse][lane]). */
static void T_(ltc_pass)(const T_(lln_ltc_prep) * p, T_(gltc) * L, const REAL *restrict U,
                         REAL *restrict UN, REAL *restrict D, REAL *restrict SG)
{
    T_(ltc_lanes) t = {L->x, L->cm, L->ns, L->dc};
    T_(ltc_lanes_pass)(p, &t, U, UN, 1, D, SG);
}

/* Backward through the synapses of one pass. For synapse s (source i, destination j) with
 * a = P(w) sg, the pass added a erev to destination j's numerator and a to its
 * denominator; DN, DD: dL/d(numerator), dL/d(denominator) ([neuron][lane]). Accumulates
 * G[s] = (sum dn sg, sum dd sg, sum dpre (v - mu), sum dpre) ([synapse][4][lane]), with dpre
 * = dL/d(sigma (v - mu)), and adds dL/dv to DV ([source][lane]). */
static void T_(syn_back)(const int *off, const int *src, int N, const REAL *restrict DN,
                         const REAL *restrict DD, const REAL *restrict V, const REAL *restrict SG,
                         const REAL *restrict E, const REAL *restrict PW, const REAL *restrict SIG,
                         const REAL *restrict MU, REAL *restrict G, REAL *restrict DV)
{
    enum { LW = K_L };
#ifdef K_VSIG
    for (int j = 0; j < N; j++) {
        lln_vf dn = lln_vf_load(DN + (size_t)j * LW), dd = lln_vf_load(DD + (size_t)j * LW);
        for (int s = off[j], e = off[j + 1]; s < e; s++) {
            const REAL *v = V + (size_t)src[s] * LW;
            REAL *g = G + (size_t)s * 4 * LW, *dv = DV + (size_t)src[s] * LW;
            lln_vf sg = lln_vf_load(SG + (size_t)s * LW);
            lln_vf da = lln_vf_fma(dn, lln_vf_set1(E[s]), dd);
            lln_vf q = lln_vf_mul(lln_vf_mul(da, lln_vf_set1(PW[s])), sg);
            lln_vf dpre = lln_vf_sub(q, lln_vf_mul(q, sg)); /* da P(w) sg (1 - sg) */
            REAL *g1 = g + LW, *g2 = g1 + LW, *g3 = g2 + LW;
            lln_vf_store(g, lln_vf_fma(dn, sg, lln_vf_load(g)));
            lln_vf_store(g1, lln_vf_fma(dd, sg, lln_vf_load(g1)));
            lln_vf_store(g2, lln_vf_fma(dpre, lln_vf_sub(lln_vf_load(v), lln_vf_set1(MU[s])),
                                        lln_vf_load(g2)));
            lln_vf_store(g3, lln_vf_add(dpre, lln_vf_load(g3)));
            lln_vf_store(dv, lln_vf_fma(dpre, lln_vf_set1(SIG[s]), lln_vf_load(dv)));
        }
    }
#else
    for (int j = 0; j < N; j++) {
        const REAL *restrict dn = DN + (size_t)j * LW, *restrict dd = DD + (size_t)j * LW;
        for (int s = off[j], e = off[j + 1]; s < e; s++) {
            const REAL *restrict v = V + (size_t)src[s] * LW, *restrict sg = SG + (size_t)s * LW;
            REAL *restrict g = G + (size_t)s * 4 * LW, *restrict dv = DV + (size_t)src[s] * LW;
            REAL es = E[s], pw = PW[s], sig = SIG[s], mu = MU[s];
            for (int l = 0; l < LW; l++) {
                REAL da = FMA(dn[l], es, dd[l]), q = da * pw * sg[l], dpre = q - q * sg[l];
                g[l] = FMA(dn[l], sg[l], g[l]);
                g[LW + l] = FMA(dd[l], sg[l], g[LW + l]);
                g[2 * LW + l] = FMA(dpre, v[l] - mu, g[2 * LW + l]);
                g[3 * LW + l] += dpre;
                dv[l] = FMA(dpre, sig, dv[l]);
            }
        }
    }
#endif
}

/* Gathers one step of samples b0 .. b0+nv-1 into lanes (the rest: zero input and state,
 * dt 1, zero gradients: finite values whose contributions are exactly zero). */
static void T_(ltc_gather)(const T_(lln_ltc_prep) * p, T_(gltc) * L, const REAL *xn,
                           const REAL *dtv, const REAL *hin, const REAL *dh, int b0, int nv,
                           REAL *rdt)
{
    enum { LW = K_L };
    int I = p->I, N = p->N;
    for (int l = 0; l < LW; l++) {
        L->dt[l] = l < nv ? dtv[b0 + l] : (REAL)1;
        rdt[l] = 1 / L->dt[l];
    }
    for (int i = 0; i < I; i++)
        for (int l = 0; l < LW; l++) {
            REAL v = l < nv ? xn[(size_t)(b0 + l) * I + i] : 0;
            L->x[(size_t)i * LW + l] = FMA(v, p->in_w[i], p->in_b[i]);
        }
    for (int j = 0; j < N; j++)
        for (int l = 0; l < LW; l++) {
            size_t e = (size_t)j * LW + l, row = (size_t)(b0 + l) * N + j;
            L->cm[e] = T_(cm_over_dt)(p->cm_k[j], L->dt[l], rdt[l]);
            L->u[e] = l < nv ? hin[row] : 0;
            L->du[e] = l < nv ? dh[row] : 0;
        }
}

/* Backward of unfold k: DU holds dL/d(its result) on entry, dL/d(its start) on return. */
static void T_(unfold_back)(const T_(lln_ltc_prep) * p, T_(gltc) * L, int k)
{
    size_t NL = (size_t)p->N * K_L;
    const REAL *restrict u = L->u + (size_t)k * NL, *restrict un = u + NL;
    const REAL *restrict dk = L->d + (size_t)k * NL, *restrict cm = L->cm, *restrict du = L->du;
    REAL *restrict dn = L->dn, *restrict dd = L->dd, *restrict dun = L->dun;
    REAL *restrict dgc = L->dgc, *restrict dns = L->dns, *restrict dds = L->dds;
    for (size_t e = 0; e < NL; e++) { /* u' = n / d */
        REAL a = du[e] / dk[e], b = -a * un[e];
        dn[e] = a;
        dd[e] = b;
        dun[e] = a * cm[e];
        dgc[e] += FMA(a, u[e], b); /* dL/d(cm / (dt / K)) */
        dns[e] += a;
        dds[e] += b;
    }
    const REAL *sg = L->sg + (size_t)k * (size_t)p->r_off[p->N] * K_L;
    T_(syn_back)
    (p->r_off, p->r_src, p->N, L->dn, L->dd, u, sg, L->e, L->pw, L->sig, L->mu, L->gr, L->dun);
    REAL *t = L->du;
    L->du = L->dun;
    L->dun = t;
}

/* One step's backward for the samples b0 .. b0+nv-1 (nv <= K_L, one per lane): recompute
 * the unfolds from the state before the step, then run them backwards. On entry dh holds
 * dL/d(new state) of those rows, on return dL/d(cell input state); dyc: dL/d(cell output);
 * dxn += dL/d(normalised input). */
static void T_(ltc_back_block)(const lln_model_t *m, T_(tape) * g, size_t r0, int b0, int nv,
                               const REAL *hin, const REAL *dyc, REAL *dh, REAL *dxn)
{
    enum { LW = K_L };
    const T_(lln_ltc_prep) *p = &m->T_(p).ltc;
    T_(gltc) *L = &g->ltc;
    int I = p->I, N = p->N, M = p->M, K = p->K, Oc = m->out_cell;
    size_t NL = (size_t)N * LW, S = (size_t)p->r_off[N];
    const REAL *xn = g->xn + r0 * (size_t)I;
    REAL rdt[LW];
    T_(ltc_gather)(p, L, xn, g->dt + r0, hin, dh, b0, nv, rdt);
    T_(ltc_pass)(p, L, NULL, NULL, NULL, L->sgs);
    for (size_t k = 0; k < (size_t)K; k++) {
        REAL *u = L->u + k * NL;
        T_(ltc_pass)(p, L, u, u + NL, L->d + k * NL, L->sg + k * S * LW);
    }
    /* the output mapping y = u w + b of the motor neurons */
    const REAL *uK = L->u + (size_t)K * NL;
    for (int l = 0; l < nv; l++)
        for (int o = 0; o < M; o++) {
            REAL gy = dyc[(size_t)(b0 + l) * Oc + o];
            L->du[(size_t)o * LW + l] += gy * p->out_w[o];
            L->gow[o] += gy * uK[(size_t)o * LW + l];
            L->gob[o] += gy;
        }
    memset(L->dns, 0, NL * sizeof(REAL));
    memset(L->dds, 0, NL * sizeof(REAL));
    memset(L->dgc, 0, NL * sizeof(REAL));
    for (int k = K - 1; k >= 0; k--)
        T_(unfold_back)(p, L, k);
    for (int l = 0; l < nv; l++)
        for (int j = 0; j < N; j++)
            dh[(size_t)(b0 + l) * N + j] = L->du[(size_t)j * LW + l];
    /* cm enters as cm K / dt; gleak as P(gleak) vleak in the numerator and P(gleak) in the
     * denominator of every unfold, so sums of dn and dd over the unfolds suffice */
    for (int j = 0; j < N; j++)
        for (int l = 0; l < LW; l++) {
            size_t e = (size_t)j * LW + l;
            L->gcm[e] = FMA(L->dgc[e], (REAL)K * rdt[l], L->gcm[e]);
            L->gg[e] += L->dds[e];
            L->gvl[e] += L->dns[e];
        }
    /* the sensory synapses fed every unfold's numerator and denominator */
    memset(L->dx, 0, (size_t)I * LW * sizeof(REAL));
    T_(syn_back)
    (p->s_off, p->s_src, N, L->dns, L->dds, L->x, L->sgs, L->se, L->spw, L->ssig, L->smu, L->gs,
     L->dx);
    for (int i = 0; i < I; i++)
        for (int l = 0; l < nv; l++) {
            REAL d = L->dx[(size_t)i * LW + l];
            L->giw[(size_t)i * LW + l] += d * xn[(size_t)(b0 + l) * I + i];
            L->gib[(size_t)i * LW + l] += d;
            dxn[(size_t)(b0 + l) * I + i] += d * p->in_w[i];
        }
}

/* ---- mixed memory backward ------------------------------------------------------------------ */

/* dhm: dL/d(LSTM output h'); dc: dL/d(new memory) on entry, dL/d(old memory) on return;
 * writes dL/d(old h) to dhp and adds dL/d(normalised input) to dxn. */
static void T_(lstm_back)(const lln_model_t *m, T_(tape) * g, size_t t, int nb, const REAL *dhm,
                          REAL *dc, REAL *dhp, REAL *dxn)
{
    int N = m->cfg.units, I = m->cfg.input_size;
    size_t nbN = (size_t)nb * N, zw = 4 * (size_t)N, r0 = t * (size_t)nb;
    const REAL *z = g->gates + r0 * zw, *cp = g->c + t * nbN, *cn = cp + nbN;
    for (int b = 0; b < nb; b++) {
        const REAL *zb = z + (size_t)b * zw;
        REAL *dz = g->dgz + (size_t)b * zw;
        for (int j = 0; j < N; j++) {
            size_t e = (size_t)b * N + j;
            REAL ig = TANH(zb[j]), gg = SIGMOID(zb[N + j]), fg = SIGMOID(zb[2 * N + j] + 1);
            REAL og = SIGMOID(zb[3 * N + j]), tc = TANH(cn[e]);
            REAL dcn = dc[e] + dhm[e] * og * (1 - tc * tc);
            dz[j] = dcn * gg * (1 - ig * ig);
            dz[N + j] = dcn * ig * gg * (1 - gg);
            dz[2 * N + j] = dcn * cp[e] * fg * (1 - fg);
            dz[3 * N + j] = dhm[e] * tc * og * (1 - og);
            dc[e] = dcn * fg;
        }
    }
    T_(gdense) *di = &g->gd[g->glstm_in], *dr = &g->gd[g->glstm_rec];
    T_(grad_w)(g, di, nb, g->dgz, zw, g->xn + r0 * (size_t)I, (size_t)I);
    T_(grad_w)(g, dr, nb, g->dgz, zw, g->h + t * nbN, (size_t)N);
    T_(back_x)(dr, nb, g->dgz, zw, dhp, (size_t)N, 0);
    T_(back_x)(di, nb, g->dgz, zw, dxn, (size_t)I, 1);
}

/* ---- baselines backward ------------------------------------------------------------------------ */

/* GRU / LSTM gates of one sample: from dL/dh' (dh) and dL/dc' (dc, LSTM) the gradients of the
 * gate pre-activations zi, zh; dh becomes the direct part of dL/dh (GRU: z dh; LSTM: 0, the
 * recurrent layer adds the rest) and dc dL/dc. */
static void T_(gates_back)(const lln_model_t *m, int N, const REAL *zi, const REAL *zh,
                           const REAL *h, const REAL *cp, const REAL *cn, REAL *dh, REAL *dc,
                           REAL *dzi, REAL *dzh)
{
    for (int j = 0; j < N; j++) {
        if (m->cfg.cell == LLN_CELL_GRU) {
            REAL r = SIGMOID(zi[j] + zh[j]), z = SIGMOID(zi[N + j] + zh[N + j]);
            REAL hn = zh[2 * N + j], n = TANH(zi[2 * N + j] + r * hn), d = dh[j];
            REAL dn = d * (1 - z) * (1 - n * n), dr = dn * hn * r * (1 - r);
            REAL dz = d * (h[j] - n) * z * (1 - z);
            dzi[j] = dzh[j] = dr;
            dzi[N + j] = dzh[N + j] = dz;
            dzi[2 * N + j] = dn;
            dzh[2 * N + j] = dn * r;
            dh[j] = d * z;
            continue;
        }
        REAL i = SIGMOID(zi[j] + zh[j]), f = SIGMOID(zi[N + j] + zh[N + j]);
        REAL g = TANH(zi[2 * N + j] + zh[2 * N + j]), o = SIGMOID(zi[3 * N + j] + zh[3 * N + j]);
        REAL tc = TANH(cn[j]), d = dh[j], dct = dc[j] + d * o * (1 - tc * tc);
        dzi[j] = dzh[j] = dct * g * i * (1 - i);
        dzi[N + j] = dzh[N + j] = dct * cp[j] * f * (1 - f);
        dzi[2 * N + j] = dzh[2 * N + j] = dct * i * (1 - g * g);
        dzi[3 * N + j] = dzh[3 * N + j] = d * tc * o * (1 - o);
        dc[j] = dct * f;
        dh[j] = 0;
    }
}

/* GRU / LSTM step t backward: g->dh holds dL/dh' (cell output included) on entry and dL/dh on
 * return; adds dL/d(normalised input) to g->dxn. */
static void T_(rnn_back)(const lln_model_t *m, T_(tape) * g, size_t t, int nb)
{
    int N = m->cfg.units, I = m->cfg.input_size;
    size_t nbN = (size_t)nb * N, gw = (size_t)lln__gates(&m->cfg) * (size_t)N, r0 = t * (size_t)nb;
    const REAL *zi = g->zi + r0 * gw, *zh = g->zh + r0 * gw, *h = g->h + t * nbN;
    const REAL *cp = g->c ? g->c + t * nbN : NULL;
    for (int b = 0; b < nb; b++) {
        size_t o = (size_t)b * gw, e = (size_t)b * N;
        T_(gates_back)
        (m, N, zi + o, zh + o, h + e, cp ? cp + e : NULL, cp ? cp + nbN + e : NULL, g->dh + e,
         g->dc + e, g->dzi + o, g->dzh + o);
    }
    T_(gdense) *di = &g->gd[g->grnn_ih], *dr = &g->gd[g->grnn_hh];
    T_(grad_w)(g, di, nb, g->dzi, gw, g->xn + r0 * (size_t)I, (size_t)I);
    T_(grad_w)(g, dr, nb, g->dzh, gw, h, (size_t)N);
    T_(back_x)(dr, nb, g->dzh, gw, g->dh, (size_t)N, 1);
    T_(back_x)(di, nb, g->dzi, gw, g->dxn, (size_t)I, 1);
}

/* MLP step t backward: dyc (nb x Oc) through the hidden layers into g->dh (dL/d(new window),
 * which also holds what later steps sent back), then the shift: the newest row goes to the
 * input, the rest moves one row older; g->dh holds dL/d(old window) on return. */
static void T_(mlp_back)(const lln_model_t *m, T_(tape) * g, size_t t, int nb, const REAL *dyc)
{
    const T_(lln_prep) *p = &m->T_(p);
    int N = m->cfg.units, I = m->cfg.input_size, Oc = m->out_cell;
    size_t nbN = (size_t)nb * N, r0 = t * (size_t)nb, U = (size_t)Oc;
    REAL *dz = g->dza, *dz2 = g->dzb;
    memcpy(dz, dyc, (size_t)nb * U * sizeof(REAL));
    for (int l = p->nmlp - 1; l >= 0; l--) {
        T_(gdense) *d = &g->gd[g->gmlp[l]];
        const REAL *in = l > 0 ? g->mpost[l - 1] + r0 * U : g->h + (t + 1) * nbN;
        T_(act_back)
        (m->cfg.activation, g->mpre[l] + r0 * U, g->mpost[l] + r0 * U, dz, (size_t)nb * U);
        T_(grad_w)(g, d, nb, dz, U, in, (size_t)d->in);
        T_(back_x)(d, nb, dz, U, dz2, (size_t)d->in, 0);
        REAL *tmp = dz;
        dz = dz2;
        dz2 = tmp;
    }
    for (size_t e = 0; e < nbN; e++)
        g->dh[e] += dz[e];
    for (int b = 0; b < nb; b++) {
        REAL *dn = g->dh + (size_t)b * N, *dold = g->dh2 + (size_t)b * N;
        for (int i = 0; i < I; i++)
            g->dxn[(size_t)b * I + i] += dn[N - I + i];
        memset(dold, 0, (size_t)I * sizeof(REAL));
        memcpy(dold + I, dn, (size_t)(N - I) * sizeof(REAL));
    }
    REAL *tmp = g->dh;
    g->dh = g->dh2;
    g->dh2 = tmp;
}

/* ---- one step backward ------------------------------------------------------------------------ */

/* dh: dL/d(state after step t) on entry, dL/d(state before it) on return (dc likewise). */
static void T_(step_back)(const lln_model_t *m, T_(tape) * g, size_t t, int nb, int T,
                          const REAL *dy, REAL *dx)
{
    const T_(lln_prep) *p = &m->T_(p);
    int I = m->cfg.input_size, N = m->cfg.units, O = m->out, Oc = m->out_cell;
    size_t nbN = (size_t)nb * N, r0 = t * (size_t)nb;
    const REAL *hnew = g->h + (t + 1) * nbN;
    const REAL *hin = m->cfg.mixed_memory ? g->hm + t * nbN : g->h + t * nbN;
    for (int b = 0; b < nb; b++)
        for (int o = 0; o < O; o++)
            g->dyo[(size_t)b * O + o] = dy[((size_t)b * T + t) * O + o] * p->y_std[o];
    const REAL *dyc = g->dyo;
    if (p->proj.out > 0) {
        T_(gdense) *d = &g->gd[g->gproj];
        int mlp_out = m->cfg.cell == LLN_CELL_MLP && p->nmlp > 0;
        const REAL *yc = mlp_out ? g->mpost[p->nmlp - 1] + r0 * (size_t)Oc : hnew + (N - Oc);
        T_(grad_w)(g, d, nb, g->dyo, (size_t)O, yc, mlp_out ? (size_t)Oc : (size_t)N);
        T_(back_x)(d, nb, g->dyo, (size_t)O, g->dyc, (size_t)Oc, 0);
        dyc = g->dyc;
    }
    memset(g->dxn, 0, (size_t)nb * I * sizeof(REAL));
    REAL *dcell; /* dL/d(cell input state) */
    if (m->cfg.cell == LLN_CELL_MLP) {
        T_(mlp_back)(m, g, t, nb, dyc);
        dcell = g->dh;
    } else if (lln__baseline(&m->cfg)) {
        for (size_t e = 0; e < nbN; e++)
            g->dh[e] += dyc[e]; /* the output is h (Oc = N) */
        T_(rnn_back)(m, g, t, nb);
        dcell = g->dh;
    } else if (m->cfg.cell == LLN_CELL_LTC) {
        for (int b = 0; b < nb; b += K_L)
            T_(ltc_back_block)(m, g, r0, b, nb - b < K_L ? nb - b : K_L, hin, dyc, g->dh, g->dxn);
        dcell = g->dh;
    } else {
        for (int b = 0; b < nb; b++)
            for (int o = 0; o < Oc; o++)
                g->dh[(size_t)b * N + (N - Oc) + o] += dyc[(size_t)b * Oc + o];
        size_t col = (size_t)N;
        for (int l = p->ncells - 1; l >= 0; l--) {
            const T_(lln_cfc_prep) *cp = &p->cfc[l];
            col -= (size_t)cp->hidden;
            REAL *dinp = l > 0 ? g->dh + col - (size_t)p->cfc[l - 1].hidden : g->dxn;
            size_t dis = l > 0 ? (size_t)N : (size_t)I;
            REAL *dh = g->dh + col, *dp = g->dh2 + col;
            T_(cfc_back)
            (m, g, l, t, T, nb, dh, (size_t)N, g->dt + r0, dp, (size_t)N, dinp, dis);
        }
        REAL *tmp = g->dh;
        g->dh = g->dh2;
        g->dh2 = tmp;
        dcell = g->dh;
    }
    if (m->cfg.mixed_memory) {
        T_(lstm_back)(m, g, t, nb, dcell, g->dc, g->dh2, g->dxn);
        REAL *tmp = g->dh;
        g->dh = g->dh2;
        g->dh2 = tmp;
    }
    if (dx != NULL)
        for (int b = 0; b < nb; b++)
            for (int i = 0; i < I; i++)
                dx[((size_t)b * T + t) * I + i] = g->dxn[(size_t)b * I + i] * p->x_inv_std[i];
}

/* ---- tables, finalisation ------------------------------------------------------------------- */

static double T_(dpos)(const lln_model_t *m, double raw)
{
    if (m->cfg.positivity != LLN_POS_SOFTPLUS || raw > 20.0)
        return 1.0; /* torch's softplus is the identity above its threshold of 20 */
    return lln_sigmoid(raw);
}

/* Raw per-synapse parameters in list order (prepare_impl.h: by destination, sources
 * ascending, mask != 0). */
static void T_(syn_tables)(const lln_model_t *m, const char *pre, const int *off, const int *src,
                           int N, REAL *sig, REAL *mu, REAL *pw, REAL *e)
{
    char name[LLN_NAME_MAX];
    const double *t[4];
    static const char *const leaf[] = {"sigma", "mu", "w", "erev"};
    for (int q = 0; q < 4; q++) {
        snprintf(name, sizeof name, "rnn_cell.%s%s", pre, leaf[q]);
        t[q] = lln__tensor(m, name);
    }
    for (int j = 0; j < N; j++)
        for (int s = off[j]; s < off[j + 1]; s++) {
            size_t x = (size_t)src[s] * (size_t)N + (size_t)j;
            sig[s] = (REAL)t[0][x];
            mu[s] = (REAL)t[1][x];
            pw[s] = (REAL)T_(pos)(m, t[2][x]);
            e[s] = (REAL)t[3][x];
        }
}

/* Everything the backward pass reads besides the record, from the current parameters, and
 * zeroed accumulators. */
static void T_(prepare_back)(const lln_model_t *m, T_(tape) * g)
{
    const T_(lln_prep) *p = &m->T_(p);
    for (int k = 0; k < g->ngd; k++) {
        T_(gdense) *d = &g->gd[k];
        T_(build_t)(m, d, g->zero);
        T_(zero_fill)(d->dw, (size_t)d->out * (size_t)d->ldw);
        T_(zero_fill)(d->db, (size_t)d->out);
    }
    if (m->cfg.cell == LLN_CELL_LTC) {
        const T_(lln_ltc_prep) *lp = &p->ltc;
        T_(gltc) *L = &g->ltc;
        size_t N = (size_t)lp->N, I = (size_t)lp->I, lw = K_L;
        size_t S = (size_t)lp->r_off[N], Ss = (size_t)lp->s_off[N];
        T_(syn_tables)(m, "", lp->r_off, lp->r_src, lp->N, L->sig, L->mu, L->pw, L->e);
        T_(syn_tables)(m, "sensory_", lp->s_off, lp->s_src, lp->N, L->ssig, L->smu, L->spw, L->se);
        T_(zero_fill)(L->gr, S * 4 * lw);
        T_(zero_fill)(L->gs, Ss * 4 * lw);
        T_(zero_fill)(L->gcm, N * lw);
        T_(zero_fill)(L->gg, N * lw);
        T_(zero_fill)(L->gvl, N * lw);
        T_(zero_fill)(L->giw, I * lw);
        T_(zero_fill)(L->gib, I * lw);
        T_(zero_fill)(L->gow, (size_t)lp->M);
        T_(zero_fill)(L->gob, (size_t)lp->M);
    }
    for (int l = 0; l < p->ncells && m->cfg.mode == LLN_CFC_PURE; l++) {
        T_(gcell) *gc = &g->cell[l];
        char name[LLN_NAME_MAX];
        if (m->cfg.cell == LLN_CELL_CFC)
            snprintf(name, sizeof name, "rnn_cell.w_tau");
        else
            snprintf(name, sizeof name, "rnn_cell.layer_%d.w_tau", l);
        const double *wt = lln__tensor(m, name);
        for (int j = 0; j < gc->hidden; j++)
            gc->wt[j] = (REAL)wt[j];
        T_(zero_fill)(gc->da, (size_t)gc->hidden);
        T_(zero_fill)(gc->dwt, (size_t)gc->hidden);
    }
}

static double *T_(gslot)(const lln_model_t *m, double *grad, const char *name)
{
    const lln_tensor_info_t *t = lln_model_find(m, name);
    return t ? grad + t->offset : NULL;
}

/* Adds rows [r0, r0 + rows) of a gdense's dW / db to tensors wname / bname (bname may be
 * NULL), zero where mask (rows x in, or NULL) is 0. */
static void T_(add_block)(const lln_model_t *m, double *grad, const T_(gdense) * d, int r0,
                          int rows, const char *wname, const char *bname, const double *mask)
{
    double *gw = T_(gslot)(m, grad, wname), *gb = bname ? T_(gslot)(m, grad, bname) : NULL;
    size_t in = (size_t)d->in;
    for (size_t o = 0; o < (size_t)rows; o++) {
        const REAL *src = d->dw + ((size_t)r0 + o) * (size_t)d->ldw;
        for (size_t i = 0; i < in; i++)
            if (mask == NULL || mask[o * in + i] != 0)
                gw[o * in + i] += (double)src[i];
        if (gb != NULL)
            gb[o] += (double)d->db[(size_t)r0 + o];
    }
}

static void T_(cell_prefix)(const lln_model_t *m, int l, char *buf, size_t n)
{
    if (m->cfg.cell == LLN_CELL_CFC)
        snprintf(buf, n, "rnn_cell.");
    else
        snprintf(buf, n, "rnn_cell.layer_%d.", l);
}

static void T_(finalize_dense)(const lln_model_t *m, const T_(tape) * g, double *grad)
{
    static const char *const heads[] = {"ff1", "ff2", "time_a", "time_b"};
    char pre[32], wn[LLN_NAME_MAX + 32], bn[LLN_NAME_MAX + 32];
    for (int k = 0; k < g->ngd; k++) {
        const T_(gdense) *d = &g->gd[k];
        switch (d->kind) {
        case G_BB:
            snprintf(wn, sizeof wn, "rnn_cell.backbone.%d.weight",
                     lln__backbone_index(&m->cfg, d->layer));
            snprintf(bn, sizeof bn, "rnn_cell.backbone.%d.bias",
                     lln__backbone_index(&m->cfg, d->layer));
            T_(add_block)(m, grad, d, 0, d->out, wn, bn, NULL);
            break;
        case G_HEADS: {
            T_(cell_prefix)(m, d->cell, pre, sizeof pre);
            snprintf(wn, sizeof wn, "%ssparsity_mask", pre);
            const double *mask = lln__tensor(m, wn);
            int H = g->cell[d->cell].hidden;
            for (int h = 0; h < g->cell[d->cell].nheads; h++) {
                snprintf(wn, sizeof wn, "%s%s.weight", pre, heads[h]);
                snprintf(bn, sizeof bn, "%s%s.bias", pre, heads[h]);
                T_(add_block)(m, grad, d, h * H, H, wn, bn, h < 2 ? mask : NULL);
            }
            break;
        }
        case G_LSTM_IN:
            snprintf(wn, sizeof wn, "lstm.input_map.weight");
            T_(add_block)(m, grad, d, 0, d->out, wn, "lstm.input_map.bias", NULL);
            break;
        case G_LSTM_REC:
            T_(add_block)(m, grad, d, 0, d->out, "lstm.recurrent_map.weight", NULL, NULL);
            break;
        case G_RNN_IH:
            T_(add_block)(m, grad, d, 0, d->out, "rnn_cell.weight_ih", "rnn_cell.bias_ih", NULL);
            break;
        case G_RNN_HH:
            T_(add_block)(m, grad, d, 0, d->out, "rnn_cell.weight_hh", "rnn_cell.bias_hh", NULL);
            break;
        case G_MLP:
            snprintf(wn, sizeof wn, "rnn_cell.hidden.%d.weight", d->layer);
            snprintf(bn, sizeof bn, "rnn_cell.hidden.%d.bias", d->layer);
            T_(add_block)(m, grad, d, 0, d->out, wn, bn, NULL);
            break;
        default: T_(add_block)(m, grad, d, 0, d->out, "fc.weight", "fc.bias", NULL); break;
        }
    }
    for (int l = 0; l < m->T_(p).ncells && m->cfg.mode == LLN_CFC_PURE; l++) {
        const T_(gcell) *gc = &g->cell[l];
        T_(cell_prefix)(m, l, pre, sizeof pre);
        snprintf(wn, sizeof wn, "%sA", pre);
        snprintf(bn, sizeof bn, "%sw_tau", pre);
        double *ga = T_(gslot)(m, grad, wn), *gt = T_(gslot)(m, grad, bn);
        for (int j = 0; j < gc->hidden; j++) {
            REAL w = gc->wt[j];
            ga[j] += (double)gc->da[j];
            gt[j] += (double)(w > 0 ? gc->dwt[j] : w < 0 ? -gc->dwt[j] : 0); /* d|w|/dw */
        }
    }
}

static double T_(lanes)(const REAL *v)
{
    double s = 0;
    for (int l = 0; l < K_L; l++)
        s += (double)v[l];
    return s;
}

/* Synapse gradients: accumulators q0 = sum dn sg, q1 = sum dd sg, q2 = sum dpre (u - mu),
 * q3 = sum dpre per synapse, where a = P(w) sg enters num with erev and den with 1. */
static void T_(finalize_syn)(const lln_model_t *m, double *grad, const char *pre, const int *off,
                             const int *src, int N, const REAL *q, const REAL *pw, const REAL *e)
{
    char name[LLN_NAME_MAX];
    static const char *const leaf[] = {"sigma", "mu", "w", "erev"};
    double *gt[4];
    const double *raw_w, *sig;
    for (int k = 0; k < 4; k++) {
        snprintf(name, sizeof name, "rnn_cell.%s%s", pre, leaf[k]);
        gt[k] = T_(gslot)(m, grad, name);
    }
    snprintf(name, sizeof name, "rnn_cell.%sw", pre);
    raw_w = lln__tensor(m, name);
    snprintf(name, sizeof name, "rnn_cell.%ssigma", pre);
    sig = lln__tensor(m, name);
    for (int j = 0; j < N; j++)
        for (int s = off[j]; s < off[j + 1]; s++) {
            size_t x = (size_t)src[s] * (size_t)N + (size_t)j, r = (size_t)s * 4 * K_L;
            size_t lw = K_L;
            double q0 = T_(lanes)(q + r), q1 = T_(lanes)(q + r + lw);
            double q2 = T_(lanes)(q + r + 2 * lw), q3 = T_(lanes)(q + r + 3 * lw);
            gt[0][x] += q2;
            gt[1][x] += -sig[x] * q3;
            gt[2][x] += ((double)e[s] * q0 + q1) * T_(dpos)(m, raw_w[x]);
            gt[3][x] += (double)pw[s] * q0;
        }
}

static void T_(finalize_ltc)(const lln_model_t *m, const T_(tape) * g, double *grad)
{
    const T_(lln_ltc_prep) *p = &m->T_(p).ltc;
    const T_(gltc) *L = &g->ltc;
    T_(finalize_syn)(m, grad, "", p->r_off, p->r_src, p->N, L->gr, L->pw, L->e);
    T_(finalize_syn)(m, grad, "sensory_", p->s_off, p->s_src, p->N, L->gs, L->spw, L->se);
    const double *cm = lln__tensor(m, "rnn_cell.cm"), *gl = lln__tensor(m, "rnn_cell.gleak");
    const double *vl = lln__tensor(m, "rnn_cell.vleak");
    double *gcm = T_(gslot)(m, grad, "rnn_cell.cm"), *ggl = T_(gslot)(m, grad, "rnn_cell.gleak");
    double *gvl = T_(gslot)(m, grad, "rnn_cell.vleak");
    for (int j = 0; j < p->N; j++) {
        size_t r = (size_t)j * K_L;
        double sdd = T_(lanes)(L->gg + r), sdn = T_(lanes)(L->gvl + r);
        gcm[j] += T_(lanes)(L->gcm + r) * T_(dpos)(m, cm[j]);
        ggl[j] += (vl[j] * sdn + sdd) * T_(dpos)(m, gl[j]);
        gvl[j] += T_(pos)(m, gl[j]) * sdn;
    }
    double *giw = T_(gslot)(m, grad, "rnn_cell.input_w"),
           *gib = T_(gslot)(m, grad, "rnn_cell.input_b");
    for (int i = 0; i < p->I; i++) {
        if (giw)
            giw[i] += T_(lanes)(L->giw + (size_t)i * K_L);
        if (gib)
            gib[i] += T_(lanes)(L->gib + (size_t)i * K_L);
    }
    double *gow = T_(gslot)(m, grad, "rnn_cell.output_w");
    double *gob = T_(gslot)(m, grad, "rnn_cell.output_b");
    for (int o = 0; o < p->M; o++) {
        if (gow)
            gow[o] += (double)L->gow[o];
        if (gob)
            gob[o] += (double)L->gob[o];
    }
}

void T_(lln__tape_backward)(lln_tape_t *tp, const REAL *dy, double *grad, REAL *dx, REAL *dh0,
                            REAL *dc0)
{
    const lln_model_t *m = tp->model;
    T_(tape) *g = tp->data;
    int nb = tp->nb, T = tp->steps, N = m->cfg.units;
    size_t nbN = (size_t)nb * N;
    T_(prepare_back)(m, g);
    T_(zero_fill)(g->dh, nbN);
    T_(zero_fill)(g->dc, nbN);
    for (int t = T - 1; t >= 0; t--)
        T_(step_back)(m, g, (size_t)t, nb, T, dy, dx);
    if (dh0 != NULL)
        memcpy(dh0, g->dh, nbN * sizeof(REAL));
    if (dc0 != NULL && lln__nmem(&m->cfg))
        memcpy(dc0, g->dc, nbN * sizeof(REAL));
    T_(finalize_dense)(m, g, grad);
    if (m->cfg.cell == LLN_CELL_LTC)
        T_(finalize_ltc)(m, g, grad);
}

void T_(lln__tape_records)(const lln_tape_t *tp, const void **h, const void **c)
{
    const T_(tape) *g = tp->data;
    *h = g->h;
    *c = g->c;
}

/* end of the template: its own macros stop here */
#undef K_L
#undef G_ALIGN
#undef G_MAX_DENSE
#undef G_CHUNK_ROWS
#undef G_GW_TILE
#undef G_IN_REGISTER
