/* Template: builds the kernel tables of one precision from the float64 master parameters.
#include "common/alloc.h"
 * Included by kernels_f32.c / kernels_f64.c with REAL and SFX defined. Parameter-only
#include "common/alloc.h"
 * work (positivity transforms, w*erev, cm*K, masks -> synapse lists) happens here once,
#include "common/alloc.h"
 * not in every step (spec section 8). */
#include "common/alloc.h"

#include "common/alloc.h"
#define PREP_CAT2(a, b) a##_##b
#include "common/alloc.h"
#define PREP_CAT(a, b) PREP_CAT2(a, b)
#include "common/alloc.h"
#define P_(name) PREP_CAT(name, SFX)
#include "common/alloc.h"

#include "common/alloc.h"
/* Elements of REAL per vector register of the target; rows of weight tables are padded to a
#include "common/alloc.h"
 * multiple of it (and all tables start on a 64-byte boundary). */
#include "common/alloc.h"
#define P_LANES ((int)(LLN_VEC_BYTES / sizeof(REAL)))
#include "common/alloc.h"
#define P_ALIGN 64
#include "common/alloc.h"

#include "common/alloc.h"
static int P_(pad)(int n) { return (n + P_LANES - 1) / P_LANES * P_LANES; }
#include "common/alloc.h"

#include "common/alloc.h"
static void *P_(palloc)(lln_model_t *m, size_t bytes)
#include "common/alloc.h"
{
#include "common/alloc.h"
    if (m->nallocs == m->cap_allocs) {
#include "common/alloc.h"
        size_t cap = m->cap_allocs ? m->cap_allocs * 2 : 64;
#include "common/alloc.h"
        void **na = lln__realloc(m->allocs, cap * sizeof *na);
#include "common/alloc.h"
        if (na == NULL)
#include "common/alloc.h"
            return NULL;
#include "common/alloc.h"
        m->allocs = na;
#include "common/alloc.h"
        m->cap_allocs = cap;
#include "common/alloc.h"
    }
#include "common/alloc.h"
    /* allocs keeps calloc's pointer (for free); callers get it rounded up to P_ALIGN */
#include "common/alloc.h"
    void *p = lln__calloc(bytes + P_ALIGN, 1);
#include "common/alloc.h"
    if (p == NULL)
#include "common/alloc.h"
        return NULL;
#include "common/alloc.h"
    m->allocs[m->nallocs++] = p;
#include "common/alloc.h"
    return (char *)p + (P_ALIGN - (uintptr_t)p % P_ALIGN) % P_ALIGN;
#include "common/alloc.h"
}
#include "common/alloc.h"

#include "common/alloc.h"
static REAL *P_(reals)(lln_model_t *m, size_t n, int *ok)
#include "common/alloc.h"
{
#include "common/alloc.h"
    REAL *p = P_(palloc)(m, n * sizeof(REAL));
#include "common/alloc.h"
    if (p == NULL)
#include "common/alloc.h"
        *ok = 0;
#include "common/alloc.h"
    return p;
#include "common/alloc.h"
}
#include "common/alloc.h"

#include "common/alloc.h"
static int *P_(ints)(lln_model_t *m, size_t n, int *ok)
#include "common/alloc.h"
{
#include "common/alloc.h"
    int *p = P_(palloc)(m, n * sizeof(int));
#include "common/alloc.h"
    if (p == NULL)
#include "common/alloc.h"
        *ok = 0;
#include "common/alloc.h"
    return p;
#include "common/alloc.h"
}
#include "common/alloc.h"

#include "common/alloc.h"
static double P_(pos)(const lln_model_t *m, double v)
#include "common/alloc.h"
{
#include "common/alloc.h"
    return m->cfg.positivity == LLN_POS_SOFTPLUS ? lln_softplus(v) : v;
#include "common/alloc.h"
}
#include "common/alloc.h"

#include "common/alloc.h"
/* Copies a tensor (or a constant when absent) into a REAL vector. */
#include "common/alloc.h"
static REAL *P_(vec)(lln_model_t *m, const char *name, size_t n, double dflt, int *ok)
#include "common/alloc.h"
{
#include "common/alloc.h"
    REAL *d = P_(reals)(m, n, ok);
#include "common/alloc.h"
    const double *src = lln__tensor(m, name);
#include "common/alloc.h"
    for (size_t i = 0; d != NULL && i < n; i++)
#include "common/alloc.h"
        d[i] = (REAL)(src ? src[i] : dflt);
#include "common/alloc.h"
    return d;
#include "common/alloc.h"
}
#include "common/alloc.h"

#include "common/alloc.h"
/* The activation parameters of one synapse in this precision's form (model_internal.h). */
#include "common/alloc.h"
static void P_(act_params)(double sigma, double mu, REAL *a, REAL *b)
#include "common/alloc.h"
{
#include "common/alloc.h"
#if LTC_FOLD
#include "common/alloc.h"
    *a = (REAL)-sigma;
#include "common/alloc.h"
    *b = (REAL)(sigma * mu);
#include "common/alloc.h"
#else
#include "common/alloc.h"
    *a = (REAL)sigma;
#include "common/alloc.h"
    *b = (REAL)mu;
#include "common/alloc.h"
#endif
#include "common/alloc.h"
}
#include "common/alloc.h"

#include "common/alloc.h"
/* Synapse lists grouped by destination from an (S x N) source-major mask, plus the dense
#include "common/alloc.h"
 * source-major copy (rows of ld) when at least a third of the matrix is present: then the
#include "common/alloc.h"
 * dense loop (vectorised over destinations, no gathers) is cheaper for one sample than the
#include "common/alloc.h"
 * list. Both orders add a destination's terms by ascending source, and an absent synapse
#include "common/alloc.h"
 * adds an exact +0 (w = 0, finite sigmoid), so both give the same bits. */
#include "common/alloc.h"
static void P_(synapses)(lln_model_t *m, const char *pre, int S, int N, int ld, int **off,
#include "common/alloc.h"
                         int **src, REAL **sig, REAL **mu, REAL **w, REAL **we,
#include "common/alloc.h"
                         P_(lln_syn_dense) *dn, int *ok)
#include "common/alloc.h"
{
#include "common/alloc.h"
    char name[LLN_NAME_MAX];
#include "common/alloc.h"
    snprintf(name, sizeof name, "rnn_cell.%ssparsity_mask", pre);
#include "common/alloc.h"
    const double *mask = lln__tensor(m, name);
#include "common/alloc.h"
    snprintf(name, sizeof name, "rnn_cell.%ssigma", pre);
#include "common/alloc.h"
    const double *tsig = lln__tensor(m, name);
#include "common/alloc.h"
    snprintf(name, sizeof name, "rnn_cell.%smu", pre);
#include "common/alloc.h"
    const double *tmu = lln__tensor(m, name);
#include "common/alloc.h"
    snprintf(name, sizeof name, "rnn_cell.%sw", pre);
#include "common/alloc.h"
    const double *tw = lln__tensor(m, name);
#include "common/alloc.h"
    snprintf(name, sizeof name, "rnn_cell.%serev", pre);
#include "common/alloc.h"
    const double *terev = lln__tensor(m, name);
#include "common/alloc.h"
    size_t count = 0;
#include "common/alloc.h"
    for (size_t i = 0; i < (size_t)S * (size_t)N; i++)
#include "common/alloc.h"
        count += mask[i] != 0;
#include "common/alloc.h"
    *off = P_(ints)(m, (size_t)N + 1, ok);
#include "common/alloc.h"
    *src = P_(ints)(m, count, ok);
#include "common/alloc.h"
    *sig = P_(reals)(m, count, ok);
#include "common/alloc.h"
    *mu = P_(reals)(m, count, ok);
#include "common/alloc.h"
    *w = P_(reals)(m, count, ok);
#include "common/alloc.h"
    *we = P_(reals)(m, count, ok);
#include "common/alloc.h"
    if (!*ok)
#include "common/alloc.h"
        return;
#include "common/alloc.h"
    size_t k = 0;
#include "common/alloc.h"
    for (int j = 0; j < N; j++) {
#include "common/alloc.h"
        (*off)[j] = (int)k;
#include "common/alloc.h"
        for (int i = 0; i < S; i++) {
#include "common/alloc.h"
            size_t e = (size_t)i * (size_t)N + (size_t)j;
#include "common/alloc.h"
            if (mask[e] == 0)
#include "common/alloc.h"
                continue;
#include "common/alloc.h"
            double pw = P_(pos)(m, tw[e]);
#include "common/alloc.h"
            (*src)[k] = i;
#include "common/alloc.h"
            P_(act_params)(tsig[e], tmu[e], &(*sig)[k], &(*mu)[k]);
#include "common/alloc.h"
            (*w)[k] = (REAL)pw;
#include "common/alloc.h"
            (*we)[k] = (REAL)(pw * terev[e]);
#include "common/alloc.h"
            k++;
#include "common/alloc.h"
        }
#include "common/alloc.h"
    }
#include "common/alloc.h"
    (*off)[N] = (int)k;
#include "common/alloc.h"
    memset(dn, 0, sizeof *dn);
#include "common/alloc.h"
    size_t full = (size_t)S * (size_t)N;
#include "common/alloc.h"
    if (count == 0 || 3 * count < full)
#include "common/alloc.h"
        return;
#include "common/alloc.h"
    size_t cells = (size_t)S * (size_t)ld;
#include "common/alloc.h"
    dn->a = P_(reals)(m, cells, ok);
#include "common/alloc.h"
    dn->b = P_(reals)(m, cells, ok);
#include "common/alloc.h"
    dn->w = P_(reals)(m, cells, ok);
#include "common/alloc.h"
    dn->we = P_(reals)(m, cells, ok);
#include "common/alloc.h"
    if (!*ok)
#include "common/alloc.h"
        return;
#include "common/alloc.h"
    for (int j = 0; j < N; j++)
#include "common/alloc.h"
        for (int s = (*off)[j]; s < (*off)[j + 1]; s++) {
#include "common/alloc.h"
            size_t e = (size_t)(*src)[s] * (size_t)ld + (size_t)j;
#include "common/alloc.h"
            dn->a[e] = (*sig)[s];
#include "common/alloc.h"
            dn->b[e] = (*mu)[s];
#include "common/alloc.h"
            dn->w[e] = (*w)[s];
#include "common/alloc.h"
            dn->we[e] = (*we)[s];
#include "common/alloc.h"
        }
#include "common/alloc.h"
}
#include "common/alloc.h"

#include "common/alloc.h"
static void P_(prep_ltc)(lln_model_t *m, int *ok)
#include "common/alloc.h"
{
#include "common/alloc.h"
    const lln_config_t *c = &m->cfg;
#include "common/alloc.h"
    P_(lln_ltc_prep) *p = &m->P_(p).ltc;
#include "common/alloc.h"
    p->I = c->input_size;
#include "common/alloc.h"
    p->N = c->units;
#include "common/alloc.h"
    p->M = m->out_cell;
#include "common/alloc.h"
    p->K = c->ode_unfolds;
#include "common/alloc.h"
    p->eps = (REAL)c->epsilon;
#include "common/alloc.h"
    p->ld = P_(pad)(p->N);
#include "common/alloc.h"
    p->in_w = P_(vec)(m, "rnn_cell.input_w", (size_t)p->I, 1.0, ok);
#include "common/alloc.h"
    p->in_b = P_(vec)(m, "rnn_cell.input_b", (size_t)p->I, 0.0, ok);
#include "common/alloc.h"
    p->out_w = P_(vec)(m, "rnn_cell.output_w", (size_t)p->M, 1.0, ok);
#include "common/alloc.h"
    p->out_b = P_(vec)(m, "rnn_cell.output_b", (size_t)p->M, 0.0, ok);
#include "common/alloc.h"
    p->cm_k = P_(reals)(m, (size_t)p->N, ok);
#include "common/alloc.h"
    p->gleak = P_(reals)(m, (size_t)p->N, ok);
#include "common/alloc.h"
    p->gvleak = P_(reals)(m, (size_t)p->N, ok);
#include "common/alloc.h"
    if (!*ok)
#include "common/alloc.h"
        return;
#include "common/alloc.h"
    const double *cm = lln__tensor(m, "rnn_cell.cm"), *gl = lln__tensor(m, "rnn_cell.gleak");
#include "common/alloc.h"
    const double *vl = lln__tensor(m, "rnn_cell.vleak");
#include "common/alloc.h"
    for (int j = 0; j < p->N; j++) {
#include "common/alloc.h"
        p->cm_k[j] = (REAL)(P_(pos)(m, cm[j]) * p->K);
#include "common/alloc.h"
        p->gleak[j] = (REAL)P_(pos)(m, gl[j]);
#include "common/alloc.h"
        p->gvleak[j] = (REAL)(P_(pos)(m, gl[j]) * vl[j]);
#include "common/alloc.h"
    }
#include "common/alloc.h"
    P_(synapses)(m, "sensory_", p->I, p->N, p->ld, &p->s_off, &p->s_src, &p->s_a, &p->s_b, &p->s_w,
#include "common/alloc.h"
                 &p->s_we, &p->sd, ok);
#include "common/alloc.h"
    P_(synapses)(m, "", p->N, p->N, p->ld, &p->r_off, &p->r_src, &p->r_a, &p->r_b, &p->r_w,
#include "common/alloc.h"
                 &p->r_we, &p->rd, ok);
#include "common/alloc.h"
}
#include "common/alloc.h"

#include "common/alloc.h"
/* Dense layers are stored transposed (W^T: in x out) so the GEMV's inner loop runs over
#include "common/alloc.h"
 * outputs and vectorises without reassociating sums, and packed in column panels: panel p
#include "common/alloc.h"
 * covers outputs [o0, o0 + pw) and holds its in x pw block row by row, so a kernel that
#include "common/alloc.h"
 * keeps a panel's accumulators in registers streams its weights from contiguous memory.
#include "common/alloc.h"
 * Panel widths: the widest of 8, 4, 2, 1 vectors that fits in the padded width ld. */
#include "common/alloc.h"
static int P_(panel_width)(int left)
#include "common/alloc.h"
{
#include "common/alloc.h"
    int L = P_LANES;
#include "common/alloc.h"
    return left >= 8 * L ? 8 * L : left >= 4 * L ? 4 * L : left >= 2 * L ? 2 * L : L;
#include "common/alloc.h"
}
#include "common/alloc.h"

#include "common/alloc.h"
/* Where W[o][i] lives in the packed table. */
#include "common/alloc.h"
static size_t P_(packed)(const P_(lln_dense) *d, int i, int o)
#include "common/alloc.h"
{
#include "common/alloc.h"
    size_t base = 0;
#include "common/alloc.h"
    for (int o0 = 0;;) {
#include "common/alloc.h"
        int pw = P_(panel_width)(d->ld - o0);
#include "common/alloc.h"
        if (o < o0 + pw)
#include "common/alloc.h"
            return base + (size_t)i * (size_t)pw + (size_t)(o - o0);
#include "common/alloc.h"
        base += (size_t)d->in * (size_t)pw;
#include "common/alloc.h"
        o0 += pw;
#include "common/alloc.h"
    }
#include "common/alloc.h"
}
#include "common/alloc.h"

#include "common/alloc.h"
static void P_(dense_alloc)(lln_model_t *m, P_(lln_dense) *d, int out, int in, int *ok)
#include "common/alloc.h"
{
#include "common/alloc.h"
    d->out = out;
#include "common/alloc.h"
    d->in = in;
#include "common/alloc.h"
    d->ld = P_(pad)(out);
#include "common/alloc.h"
    d->w = P_(reals)(m, (size_t)d->ld * (size_t)in, ok); /* zero padding from calloc */
#include "common/alloc.h"
    d->b = P_(reals)(m, (size_t)d->ld, ok);
#include "common/alloc.h"
}
#include "common/alloc.h"

#include "common/alloc.h"
/* Copies a Linear layer (weight out x in, optional bias; mask out x in or NULL) into
#include "common/alloc.h"
 * outputs [col, col + out) of d. */
#include "common/alloc.h"
static void P_(dense_fill)(lln_model_t *m, P_(lln_dense) *d, int col, const char *wname,
#include "common/alloc.h"
                           const char *bname, const double *mask)
#include "common/alloc.h"
{
#include "common/alloc.h"
    const lln_tensor_info_t *t = lln_model_find(m, wname);
#include "common/alloc.h"
    const double *w = lln__tensor(m, wname), *b = bname ? lln__tensor(m, bname) : NULL;
#include "common/alloc.h"
    int out = t->dims[0], in = t->dims[1];
#include "common/alloc.h"
    for (int o = 0; o < out; o++) {
#include "common/alloc.h"
        d->b[col + o] = (REAL)(b ? b[o] : 0.0);
#include "common/alloc.h"
        for (int i = 0; i < in; i++) {
#include "common/alloc.h"
            size_t e = (size_t)o * (size_t)in + (size_t)i;
#include "common/alloc.h"
            d->w[P_(packed)(d, i, col + o)] = (REAL)(mask && mask[e] == 0 ? 0.0 : w[e]);
#include "common/alloc.h"
        }
#include "common/alloc.h"
    }
#include "common/alloc.h"
}
#include "common/alloc.h"

#include "common/alloc.h"
static void P_(dense)(lln_model_t *m, P_(lln_dense) *d, const char *wname, const char *bname,
#include "common/alloc.h"
                      const double *mask, int *ok)
#include "common/alloc.h"
{
#include "common/alloc.h"
    const lln_tensor_info_t *t = lln_model_find(m, wname);
#include "common/alloc.h"
    P_(dense_alloc)(m, d, t->dims[0], t->dims[1], ok);
#include "common/alloc.h"
    if (*ok)
#include "common/alloc.h"
        P_(dense_fill)(m, d, 0, wname, bname, mask);
#include "common/alloc.h"
}
#include "common/alloc.h"

#include "common/alloc.h"
/* The heads ff1 [ff2 time_a time_b] of one cell stacked into one (nheads*H x F) layer. */
#include "common/alloc.h"
static void P_(heads)(lln_model_t *m, P_(lln_cfc_prep) *cp, const char *prefix, int *ok)
#include "common/alloc.h"
{
#include "common/alloc.h"
    static const char *const names[] = {"ff1", "ff2", "time_a", "time_b"};
#include "common/alloc.h"
    char wn[LLN_NAME_MAX], bn[LLN_NAME_MAX];
#include "common/alloc.h"
    snprintf(wn, sizeof wn, "%ssparsity_mask", prefix);
#include "common/alloc.h"
    const double *mask = lln__tensor(m, wn);
#include "common/alloc.h"
    snprintf(wn, sizeof wn, "%sff1.weight", prefix);
#include "common/alloc.h"
    int H = cp->hidden, F = lln_model_find(m, wn)->dims[1];
#include "common/alloc.h"
    P_(dense_alloc)(m, &cp->heads, cp->nheads * H, F, ok);
#include "common/alloc.h"
    for (int h = 0; h < cp->nheads && *ok; h++) {
#include "common/alloc.h"
        snprintf(wn, sizeof wn, "%s%s.weight", prefix, names[h]);
#include "common/alloc.h"
        snprintf(bn, sizeof bn, "%s%s.bias", prefix, names[h]);
#include "common/alloc.h"
        /* the time heads are never masked */
#include "common/alloc.h"
        P_(dense_fill)(m, &cp->heads, h * H, wn, bn, h < 2 ? mask : NULL);
#include "common/alloc.h"
    }
#include "common/alloc.h"
}
#include "common/alloc.h"

#include "common/alloc.h"
static void P_(prep_cfc_cell)(lln_model_t *m, P_(lln_cfc_prep) *cp, const char *prefix, int in,
#include "common/alloc.h"
                              int hidden, int nbackbone, int *ok)
#include "common/alloc.h"
{
#include "common/alloc.h"
    char wn[LLN_NAME_MAX], bn[LLN_NAME_MAX];
#include "common/alloc.h"
    cp->in = in;
#include "common/alloc.h"
    cp->hidden = hidden;
#include "common/alloc.h"
    cp->nheads = m->cfg.mode == LLN_CFC_PURE ? 1 : 4;
#include "common/alloc.h"
    cp->nbackbone = nbackbone;
#include "common/alloc.h"
    for (int l = 0; l < nbackbone && *ok; l++) {
#include "common/alloc.h"
        int k = lln__backbone_index(&m->cfg, l);
#include "common/alloc.h"
        snprintf(wn, sizeof wn, "%sbackbone.%d.weight", prefix, k);
#include "common/alloc.h"
        snprintf(bn, sizeof bn, "%sbackbone.%d.bias", prefix, k);
#include "common/alloc.h"
        P_(dense)(m, &cp->backbone[l], wn, bn, NULL, ok);
#include "common/alloc.h"
    }
#include "common/alloc.h"
    P_(heads)(m, cp, prefix, ok);
#include "common/alloc.h"
    if (m->cfg.mode == LLN_CFC_PURE && *ok) {
#include "common/alloc.h"
        snprintf(wn, sizeof wn, "%sw_tau", prefix);
#include "common/alloc.h"
        const double *wt = lln__tensor(m, wn);
#include "common/alloc.h"
        cp->w_tau_abs = P_(reals)(m, (size_t)hidden, ok);
#include "common/alloc.h"
        snprintf(wn, sizeof wn, "%sA", prefix);
#include "common/alloc.h"
        cp->a = P_(vec)(m, wn, (size_t)hidden, 0.0, ok);
#include "common/alloc.h"
        for (int j = 0; j < hidden && *ok; j++)
#include "common/alloc.h"
            cp->w_tau_abs[j] = (REAL)fabs(wt[j]);
#include "common/alloc.h"
    }
#include "common/alloc.h"
}
#include "common/alloc.h"

#include "common/alloc.h"
static void P_(prep_extras)(lln_model_t *m, int *ok)
#include "common/alloc.h"
{
#include "common/alloc.h"
    P_(lln_prep) *p = &m->P_(p);
#include "common/alloc.h"
    size_t I = (size_t)m->cfg.input_size, O = (size_t)m->out;
#include "common/alloc.h"
    if (m->cfg.mixed_memory) {
#include "common/alloc.h"
        P_(dense)(m, &p->lstm_in, "lstm.input_map.weight", "lstm.input_map.bias", NULL, ok);
#include "common/alloc.h"
        P_(dense)(m, &p->lstm_rec, "lstm.recurrent_map.weight", NULL, NULL, ok);
#include "common/alloc.h"
    }
#include "common/alloc.h"
    if (m->cfg.proj_size > 0)
#include "common/alloc.h"
        P_(dense)(m, &p->proj, "fc.weight", "fc.bias", NULL, ok);
#include "common/alloc.h"
    p->x_mean = P_(vec)(m, "norm.input_mean", I, 0.0, ok);
#include "common/alloc.h"
    p->x_inv_std = P_(vec)(m, "norm.input_std", I, 1.0, ok);
#include "common/alloc.h"
    p->y_mean = P_(vec)(m, "norm.output_mean", O, 0.0, ok);
#include "common/alloc.h"
    p->y_std = P_(vec)(m, "norm.output_std", O, 1.0, ok);
#include "common/alloc.h"
    const double *sd = lln__tensor(m, "norm.input_std");
#include "common/alloc.h"
    for (size_t i = 0; i < I && *ok; i++)
#include "common/alloc.h"
        p->x_inv_std[i] = (REAL)(1.0 / sd[i]);
#include "common/alloc.h"
}
#include "common/alloc.h"

#include "common/alloc.h"
/* GRU / LSTM: the input and recurrent gate layers (biases kept apart: the GRU's candidate
#include "common/alloc.h"
 * gate scales W_hn h + b_hn by r); MLP: the hidden layers. */
#include "common/alloc.h"
static void P_(prep_baseline)(lln_model_t *m, int *ok)
#include "common/alloc.h"
{
#include "common/alloc.h"
    P_(lln_prep) *p = &m->P_(p);
#include "common/alloc.h"
    char wn[LLN_NAME_MAX], bn[LLN_NAME_MAX];
#include "common/alloc.h"
    if (m->cfg.cell != LLN_CELL_MLP) {
#include "common/alloc.h"
        P_(dense)(m, &p->rnn_ih, "rnn_cell.weight_ih", "rnn_cell.bias_ih", NULL, ok);
#include "common/alloc.h"
        P_(dense)(m, &p->rnn_hh, "rnn_cell.weight_hh", "rnn_cell.bias_hh", NULL, ok);
#include "common/alloc.h"
        return;
#include "common/alloc.h"
    }
#include "common/alloc.h"
    p->nmlp = m->cfg.backbone_layers;
#include "common/alloc.h"
    for (int l = 0; l < p->nmlp && *ok; l++) {
#include "common/alloc.h"
        snprintf(wn, sizeof wn, "rnn_cell.hidden.%d.weight", l);
#include "common/alloc.h"
        snprintf(bn, sizeof bn, "rnn_cell.hidden.%d.bias", l);
#include "common/alloc.h"
        P_(dense)(m, &p->mlp[l], wn, bn, NULL, ok);
#include "common/alloc.h"
    }
#include "common/alloc.h"
}
#include "common/alloc.h"

#include "common/alloc.h"
lln_status_t P_(lln__prepare)(lln_model_t *m, lln_error_t *err)
#include "common/alloc.h"
{
#include "common/alloc.h"
    const lln_config_t *c = &m->cfg;
#include "common/alloc.h"
    P_(lln_prep) *p = &m->P_(p);
#include "common/alloc.h"
    int ok = 1;
#include "common/alloc.h"
    memset(p, 0, sizeof *p);
#include "common/alloc.h"
    if (c->cell == LLN_CELL_LTC) {
#include "common/alloc.h"
        P_(prep_ltc)(m, &ok);
#include "common/alloc.h"
    } else if (lln__baseline(c)) {
#include "common/alloc.h"
        P_(prep_baseline)(m, &ok);
#include "common/alloc.h"
    } else if (c->cell == LLN_CELL_CFC) {
#include "common/alloc.h"
        p->ncells = 1;
#include "common/alloc.h"
        P_(prep_cfc_cell)(m, &p->cfc[0], "rnn_cell.", c->input_size, c->units, c->backbone_layers,
#include "common/alloc.h"
                          &ok);
#include "common/alloc.h"
    } else {
#include "common/alloc.h"
        char prefix[32];
#include "common/alloc.h"
        int in = c->input_size;
#include "common/alloc.h"
        p->ncells = c->num_layers;
#include "common/alloc.h"
        for (int l = 0; l < c->num_layers && ok; l++) {
#include "common/alloc.h"
            snprintf(prefix, sizeof prefix, "rnn_cell.layer_%d.", l);
#include "common/alloc.h"
            P_(prep_cfc_cell)(m, &p->cfc[l], prefix, in, c->layer_sizes[l], 0, &ok);
#include "common/alloc.h"
            in = c->layer_sizes[l];
#include "common/alloc.h"
        }
#include "common/alloc.h"
    }
#include "common/alloc.h"
    P_(prep_extras)(m, &ok);
#include "common/alloc.h"
    if (!ok)
#include "common/alloc.h"
        return lln_error_set(err, LLN_E_NOMEM, "model: out of memory preparing kernels");
#include "common/alloc.h"
    return LLN_OK;
#include "common/alloc.h"
}
#include "common/alloc.h"
