/* Template: builds the kernel tables of one precision from the float64 master parameters.
 * Included by kernels_f32.c / kernels_f64.c with REAL and SFX defined. Parameter-only
 * work (positivity transforms, w*erev, cm*K, masks -> synapse lists) happens here once,
 * not in every step (ncps recomputes them in every step). */

#include "template.h"

/* Elements of REAL per vector register of the target; rows of weight tables are padded to a
 * multiple of it (and all tables start on a 64-byte boundary). */
#define P_LANES ((int)(LLN_VEC_BYTES / sizeof(REAL)))
#define P_ALIGN 64

static int T_(pad)(int n) { return (n + P_LANES - 1) / P_LANES * P_LANES; }

static void *T_(palloc)(lln_model_t *m, size_t bytes)
{
    lln_prep_blocks_t *pb = &m->blocks[sizeof(REAL) == sizeof(double)];
    if (pb->nallocs == pb->cap_allocs) {
        size_t cap = pb->cap_allocs ? pb->cap_allocs * 2 : 64;
        void **na = lln__realloc(pb->allocs, cap * sizeof *na);
        if (na == NULL)
            return NULL;
        pb->allocs = na;
        size_t *nb = lln__realloc(pb->alloc_bytes, cap * sizeof *nb);
        if (nb == NULL)
            return NULL;
        pb->alloc_bytes = nb;
        pb->cap_allocs = cap;
    }
    /* allocs keeps calloc's pointer (for free); callers get it rounded up to P_ALIGN. The
     * previous preparation's block of this index is reused, zeroed, when its size matches. */
    size_t i = pb->nallocs;
    void *p =
        i < pb->nspare && pb->spare[i] != NULL && pb->spare_bytes[i] == bytes ? pb->spare[i] : NULL;
    if (p != NULL) {
        pb->spare[i] = NULL;
        memset(p, 0, bytes + P_ALIGN);
    } else {
        p = lln__calloc(bytes + P_ALIGN, 1);
    }
    if (p == NULL)
        return NULL;
    pb->alloc_bytes[i] = bytes;
    pb->allocs[pb->nallocs++] = p;
    return (char *)p + (P_ALIGN - (uintptr_t)p % P_ALIGN) % P_ALIGN;
}

static REAL *T_(reals)(lln_model_t *m, size_t n, int *ok)
{
    REAL *p = T_(palloc)(m, n * sizeof(REAL));
    if (p == NULL)
        *ok = 0;
    return p;
}

static int *T_(ints)(lln_model_t *m, size_t n, int *ok)
{
    int *p = T_(palloc)(m, n * sizeof(int));
    if (p == NULL)
        *ok = 0;
    return p;
}

static double T_(pos)(const lln_model_t *m, double v)
{
    return m->cfg.positivity == LLN_POS_SOFTPLUS ? lln_softplus(v) : v;
}

/* Copies a tensor (or a constant when absent) into a REAL vector. */
static REAL *T_(vec)(lln_model_t *m, const char *name, size_t n, double dflt, int *ok)
{
    REAL *d = T_(reals)(m, n, ok);
    const double *src = lln__tensor(m, name);
    for (size_t i = 0; d != NULL && i < n; i++)
        d[i] = (REAL)(src ? src[i] : dflt);
    return d;
}

/* The activation parameters of one synapse in this precision's form (model_internal.h). */
static void T_(act_params)(double sigma, double mu, REAL *a, REAL *b)
{
#if LTC_FOLD
    *a = (REAL)-sigma;
    *b = (REAL)(sigma * mu);
#else
    *a = (REAL)sigma;
    *b = (REAL)mu;
#endif
}

/* Synapse lists grouped by destination from an (S x N) source-major mask, plus the dense
 * source-major copy (rows of ld) when at least a third of the matrix is present: then the
 * dense loop (vectorised over destinations, no gathers) is cheaper for one sample than the
 * list. Both orders add a destination's terms by ascending source, and an absent synapse
 * adds an exact +0 (w = 0, finite sigmoid), so both give the same bits. */
static void T_(synapses)(lln_model_t *m, const char *pre, int S, int N, int ld, int **off,
                         int **src, REAL **sig, REAL **mu, REAL **w, REAL **we,
                         T_(lln_syn_dense) * dn, int *ok)
{
    char name[LLN_NAME_MAX];
    snprintf(name, sizeof name, "rnn_cell.%ssparsity_mask", pre);
    const double *mask = lln__tensor(m, name);
    snprintf(name, sizeof name, "rnn_cell.%ssigma", pre);
    const double *tsig = lln__tensor(m, name);
    snprintf(name, sizeof name, "rnn_cell.%smu", pre);
    const double *tmu = lln__tensor(m, name);
    snprintf(name, sizeof name, "rnn_cell.%sw", pre);
    const double *tw = lln__tensor(m, name);
    snprintf(name, sizeof name, "rnn_cell.%serev", pre);
    const double *terev = lln__tensor(m, name);
    size_t count = 0;
    for (size_t i = 0; i < (size_t)S * (size_t)N; i++)
        count += mask[i] != 0;
    *off = T_(ints)(m, (size_t)N + 1, ok);
    *src = T_(ints)(m, count, ok);
    *sig = T_(reals)(m, count, ok);
    *mu = T_(reals)(m, count, ok);
    *w = T_(reals)(m, count, ok);
    *we = T_(reals)(m, count, ok);
    if (!*ok)
        return;
    size_t k = 0;
    for (int j = 0; j < N; j++) {
        (*off)[j] = (int)k;
        for (int i = 0; i < S; i++) {
            size_t e = (size_t)i * (size_t)N + (size_t)j;
            if (mask[e] == 0)
                continue;
            double pw = T_(pos)(m, tw[e]);
            (*src)[k] = i;
            T_(act_params)(tsig[e], tmu[e], &(*sig)[k], &(*mu)[k]);
            (*w)[k] = (REAL)pw;
            (*we)[k] = (REAL)(pw * terev[e]);
            k++;
        }
    }
    (*off)[N] = (int)k;
    memset(dn, 0, sizeof *dn);
    size_t full = (size_t)S * (size_t)N;
    if (count == 0 || 3 * count < full)
        return;
    size_t cells = (size_t)S * (size_t)ld;
    dn->a = T_(reals)(m, cells, ok);
    dn->b = T_(reals)(m, cells, ok);
    dn->w = T_(reals)(m, cells, ok);
    dn->we = T_(reals)(m, cells, ok);
    if (!*ok)
        return;
    for (int j = 0; j < N; j++)
        for (int s = (*off)[j]; s < (*off)[j + 1]; s++) {
            size_t e = (size_t)(*src)[s] * (size_t)ld + (size_t)j;
            dn->a[e] = (*sig)[s];
            dn->b[e] = (*mu)[s];
            dn->w[e] = (*w)[s];
            dn->we[e] = (*we)[s];
        }
}

#ifdef K_VSIG
/* The largest padded width (and mapped input) the one-sample ELL step keeps on its stack. */
#define P_ELL_MAX 64
/* One-sample copy of a destination-grouped list (kernels_impl.h, ltc_sample_ell). The
 * sigmoids run with the synapses in vector lanes (list order, padded to whole vectors with
 * synapses that read source zslot, a value the step keeps at 0, with a = b = 0); the sums run
 * with the destinations in lanes (ELL): blocks of P_LANES destinations, per block as many
 * fan-in slots as its largest fan-in, slot f of lane j naming destination j's f-th synapse in
 * list order, so every destination adds its terms in the list's order. Padding slots name
 * the padding synapse S with w = we = 0: their term is an exact +0 (0 times sigmoid(0)),
 * which leaves the sums' bits alone (they start at +0 or at a non-zero value and never
 * become -0). */
static void T_(ell)(lln_model_t *m, const int *off, const int *src, const REAL *sa, const REAL *sb,
                    const REAL *sw, const REAL *swe, int N, int ld, int zslot, T_(lln_syn_ell) * e,
                    int *ok)
{
    int L = P_LANES, nblk = ld / L, S = off[N];
    memset(e, 0, sizeof *e);
    size_t ns = (size_t)T_(pad)(S + 1);
    e->slot0 = T_(ints)(m, (size_t)nblk + 1, ok);
    e->src = T_(ints)(m, ns, ok);
    e->a = T_(reals)(m, ns, ok);
    e->b = T_(reals)(m, ns, ok);
    if (!*ok)
        return;
    for (size_t s = 0; s < ns; s++) {
        int in = s < (size_t)S;
        e->src[s] = in ? src[s] : zslot;
        e->a[s] = in ? sa[s] : 0;
        e->b[s] = in ? sb[s] : 0;
    }
    e->nblk = nblk;
    e->nsyn = S + 1;
    e->slot0[0] = 0;
    for (int q = 0; q < nblk; q++) {
        int fmax = 0;
        for (int j = q * L; j < (q + 1) * L && j < N; j++)
            fmax = off[j + 1] - off[j] > fmax ? off[j + 1] - off[j] : fmax;
        e->slot0[q + 1] = e->slot0[q] + fmax;
    }
    size_t cells = (size_t)e->slot0[nblk] * (size_t)L + 1; /* + 1: never a zero-size block */
    e->syn = T_(ints)(m, cells, ok);
    REAL *w = T_(reals)(m, cells, ok), *we = T_(reals)(m, cells, ok);
    if (!*ok)
        return;
    for (size_t c = 0; c < cells; c++)
        e->syn[c] = S;
    for (int j = 0; j < N; j++)
        for (int s = off[j]; s < off[j + 1]; s++) {
            size_t c =
                ((size_t)e->slot0[j / L] + (size_t)(s - off[j])) * (size_t)L + (size_t)(j % L);
            e->syn[c] = s;
            w[c] = sw[s];
            we[c] = swe[s];
        }
    e->w = w;
    e->we = we;
}
#endif

static void T_(prep_ltc)(lln_model_t *m, int *ok)
{
    const lln_config_t *c = &m->cfg;
    T_(lln_ltc_prep) *p = &m->T_(p).ltc;
    p->I = c->input_size;
    p->N = c->units;
    p->M = m->out_cell;
    p->K = c->ode_unfolds;
    p->eps = (REAL)c->epsilon;
    p->ld = T_(pad)(p->N);
    p->in_w = T_(vec)(m, "rnn_cell.input_w", (size_t)p->I, 1.0, ok);
    p->in_b = T_(vec)(m, "rnn_cell.input_b", (size_t)p->I, 0.0, ok);
    p->out_w = T_(vec)(m, "rnn_cell.output_w", (size_t)p->M, 1.0, ok);
    p->out_b = T_(vec)(m, "rnn_cell.output_b", (size_t)p->M, 0.0, ok);
    p->cm_k = T_(reals)(m, (size_t)p->ld, ok); /* zero-padded to ld for the ELL step */
    p->gleak = T_(reals)(m, (size_t)p->ld, ok);
    p->gvleak = T_(reals)(m, (size_t)p->ld, ok);
    if (!*ok)
        return;
    const double *cm = lln__tensor(m, "rnn_cell.cm"), *gl = lln__tensor(m, "rnn_cell.gleak");
    const double *vl = lln__tensor(m, "rnn_cell.vleak");
    for (int j = 0; j < p->N; j++) {
        p->cm_k[j] = (REAL)(T_(pos)(m, cm[j]) * p->K);
        p->gleak[j] = (REAL)T_(pos)(m, gl[j]);
        p->gvleak[j] = (REAL)(T_(pos)(m, gl[j]) * vl[j]);
    }
    for (int j = p->N; j < p->ld; j++) /* padding lanes of the ELL step: v' = 0 / (1 + eps) */
        p->gleak[j] = 1;
    T_(synapses)
    (m, "sensory_", p->I, p->N, p->ld, &p->s_off, &p->s_src, &p->s_a, &p->s_b, &p->s_w, &p->s_we,
     &p->sd, ok);
    T_(synapses)
    (m, "", p->N, p->N, p->ld, &p->r_off, &p->r_src, &p->r_a, &p->r_b, &p->r_w, &p->r_we, &p->rd,
     ok);
    memset(&p->se, 0, sizeof p->se);
    memset(&p->re, 0, sizeof p->re);
#ifdef K_VSIG /* both lists sparse and small: one-sample ELL copies (zero value at I and N) */
    if (*ok && p->sd.a == NULL && p->rd.a == NULL && p->ld <= P_ELL_MAX && p->I < P_ELL_MAX &&
        p->s_off[p->N] < P_ELL_MAX && p->r_off[p->N] < P_ELL_MAX) {
        T_(ell)
        (m, p->s_off, p->s_src, p->s_a, p->s_b, p->s_w, p->s_we, p->N, p->ld, p->I, &p->se, ok);
        T_(ell)
        (m, p->r_off, p->r_src, p->r_a, p->r_b, p->r_w, p->r_we, p->N, p->ld, p->N, &p->re, ok);
    }
#endif
}

/* Dense layers are stored transposed (W^T: in x out) so the GEMV's inner loop runs over
 * outputs and vectorises without reassociating sums, and packed in column panels: panel p
 * covers outputs [o0, o0 + pw) and holds its in x pw block row by row, so a kernel that
 * keeps a panel's accumulators in registers streams its weights from contiguous memory.
 * Panel widths: the widest of 8, 4, 2, 1 vectors that fits in the padded width ld. */
static int T_(panel_width)(int left)
{
    int L = P_LANES;
    return left >= 8 * L ? 8 * L : left >= 4 * L ? 4 * L : left >= 2 * L ? 2 * L : L;
}

/* Where W[o][i] lives in the packed table. */
/* Where output o's column lives: element (i, o) is at *at + i * *stride. */
static void T_(packed_col)(const T_(lln_dense) * d, int o, size_t *at, size_t *stride)
{
    size_t base = 0;
    for (int o0 = 0;;) {
        int pw = T_(panel_width)(d->ld - o0);
        if (o < o0 + pw) {
            *at = base + (size_t)(o - o0);
            *stride = (size_t)pw;
            return;
        }
        base += (size_t)d->in * (size_t)pw;
        o0 += pw;
    }
}

static void T_(dense_alloc)(lln_model_t *m, T_(lln_dense) * d, int out, int in, int *ok)
{
    d->out = out;
    d->in = in;
    d->ld = T_(pad)(out);
    d->w = T_(reals)(m, (size_t)d->ld * (size_t)in, ok); /* zero padding from calloc */
    d->b = T_(reals)(m, (size_t)d->ld, ok);
}

/* Copies a Linear layer (weight out x in, optional bias; mask out x in or NULL) into
 * outputs [col, col + out) of d. */
static void T_(dense_fill)(lln_model_t *m, T_(lln_dense) * d, int col, const char *wname,
                           const char *bname, const double *mask)
{
    const lln_tensor_info_t *t = lln_model_find(m, wname);
    const double *w = lln__tensor(m, wname), *b = bname ? lln__tensor(m, bname) : NULL;
    int out = t->dims[0], in = t->dims[1];
    for (int o = 0; o < out; o++) {
        d->b[col + o] = (REAL)(b ? b[o] : 0.0);
        size_t at, stride; /* the panel is found once per output, not per element */
        T_(packed_col)(d, col + o, &at, &stride);
        for (int i = 0; i < in; i++) {
            size_t e = (size_t)o * (size_t)in + (size_t)i;
            d->w[at + (size_t)i * stride] = (REAL)(mask && mask[e] == 0 ? 0.0 : w[e]);
        }
    }
}

static void T_(dense)(lln_model_t *m, T_(lln_dense) * d, const char *wname, const char *bname,
                      const double *mask, int *ok)
{
    const lln_tensor_info_t *t = lln_model_find(m, wname);
    T_(dense_alloc)(m, d, t->dims[0], t->dims[1], ok);
    if (*ok)
        T_(dense_fill)(m, d, 0, wname, bname, mask);
}

/* The heads ff1 [ff2 time_a time_b] of one cell stacked into one (nheads*H x F) layer. */
static void T_(heads)(lln_model_t *m, T_(lln_cfc_prep) * cp, const char *prefix, int *ok)
{
    static const char *const names[] = {"ff1", "ff2", "time_a", "time_b"};
    char wn[LLN_NAME_MAX], bn[LLN_NAME_MAX];
    snprintf(wn, sizeof wn, "%ssparsity_mask", prefix);
    const double *mask = lln__tensor(m, wn);
    snprintf(wn, sizeof wn, "%sff1.weight", prefix);
    int H = cp->hidden, F = lln_model_find(m, wn)->dims[1];
    T_(dense_alloc)(m, &cp->heads, cp->nheads * H, F, ok);
    for (int h = 0; h < cp->nheads && *ok; h++) {
        snprintf(wn, sizeof wn, "%s%s.weight", prefix, names[h]);
        snprintf(bn, sizeof bn, "%s%s.bias", prefix, names[h]);
        /* the time heads are never masked */
        T_(dense_fill)(m, &cp->heads, h * H, wn, bn, h < 2 ? mask : NULL);
    }
}

static void T_(prep_cfc_cell)(lln_model_t *m, T_(lln_cfc_prep) * cp, const char *prefix, int in,
                              int hidden, int nbackbone, int *ok)
{
    char wn[LLN_NAME_MAX], bn[LLN_NAME_MAX];
    cp->in = in;
    cp->hidden = hidden;
    cp->nheads = m->cfg.mode == LLN_CFC_PURE ? 1 : 4;
    cp->nbackbone = nbackbone;
    for (int l = 0; l < nbackbone && *ok; l++) {
        int k = lln__backbone_index(&m->cfg, l);
        snprintf(wn, sizeof wn, "%sbackbone.%d.weight", prefix, k);
        snprintf(bn, sizeof bn, "%sbackbone.%d.bias", prefix, k);
        T_(dense)(m, &cp->backbone[l], wn, bn, NULL, ok);
    }
    T_(heads)(m, cp, prefix, ok);
    if (m->cfg.mode == LLN_CFC_PURE && *ok) {
        snprintf(wn, sizeof wn, "%sw_tau", prefix);
        const double *wt = lln__tensor(m, wn);
        cp->w_tau_abs = T_(reals)(m, (size_t)hidden, ok);
        snprintf(wn, sizeof wn, "%sA", prefix);
        cp->a = T_(vec)(m, wn, (size_t)hidden, 0.0, ok);
        for (int j = 0; j < hidden && *ok; j++)
            cp->w_tau_abs[j] = (REAL)fabs(wt[j]);
    }
}

static void T_(prep_extras)(lln_model_t *m, int *ok)
{
    T_(lln_prep) *p = &m->T_(p);
    size_t I = (size_t)m->cfg.input_size, O = (size_t)m->out;
    if (m->cfg.mixed_memory) {
        T_(dense)(m, &p->lstm_in, "lstm.input_map.weight", "lstm.input_map.bias", NULL, ok);
        T_(dense)(m, &p->lstm_rec, "lstm.recurrent_map.weight", NULL, NULL, ok);
    }
    if (m->cfg.proj_size > 0)
        T_(dense)(m, &p->proj, "fc.weight", "fc.bias", NULL, ok);
    p->x_mean = T_(vec)(m, "norm.input_mean", I, 0.0, ok);
    p->x_inv_std = T_(vec)(m, "norm.input_std", I, 1.0, ok);
    p->y_mean = T_(vec)(m, "norm.output_mean", O, 0.0, ok);
    p->y_std = T_(vec)(m, "norm.output_std", O, 1.0, ok);
    const double *sd = lln__tensor(m, "norm.input_std");
    for (size_t i = 0; i < I && *ok; i++)
        p->x_inv_std[i] = (REAL)(1.0 / sd[i]);
}

/* GRU / LSTM: the input and recurrent gate layers (biases kept apart: the GRU's candidate
 * gate scales W_hn h + b_hn by r); MLP: the hidden layers. */
static void T_(prep_baseline)(lln_model_t *m, int *ok)
{
    T_(lln_prep) *p = &m->T_(p);
    char wn[LLN_NAME_MAX], bn[LLN_NAME_MAX];
    if (m->cfg.cell != LLN_CELL_MLP) {
        T_(dense)(m, &p->rnn_ih, "rnn_cell.weight_ih", "rnn_cell.bias_ih", NULL, ok);
        T_(dense)(m, &p->rnn_hh, "rnn_cell.weight_hh", "rnn_cell.bias_hh", NULL, ok);
        return;
    }
    p->nmlp = m->cfg.backbone_layers;
    for (int l = 0; l < p->nmlp && *ok; l++) {
        snprintf(wn, sizeof wn, "rnn_cell.hidden.%d.weight", l);
        snprintf(bn, sizeof bn, "rnn_cell.hidden.%d.bias", l);
        T_(dense)(m, &p->mlp[l], wn, bn, NULL, ok);
    }
}

lln_status_t T_(lln__prepare)(lln_model_t *m, lln_error_t *err)
{
    const lln_config_t *c = &m->cfg;
    T_(lln_prep) *p = &m->T_(p);
    int ok = 1;
    memset(p, 0, sizeof *p);
    if (c->cell == LLN_CELL_LTC) {
        T_(prep_ltc)(m, &ok);
    } else if (lln__baseline(c)) {
        T_(prep_baseline)(m, &ok);
    } else if (c->cell == LLN_CELL_CFC) {
        p->ncells = 1;
        T_(prep_cfc_cell)
        (m, &p->cfc[0], "rnn_cell.", c->input_size, c->units, c->backbone_layers, &ok);
    } else {
        char prefix[32];
        int in = c->input_size;
        p->ncells = c->num_layers;
        for (int l = 0; l < c->num_layers && ok; l++) {
            snprintf(prefix, sizeof prefix, "rnn_cell.layer_%d.", l);
            T_(prep_cfc_cell)(m, &p->cfc[l], prefix, in, c->layer_sizes[l], 0, &ok);
            in = c->layer_sizes[l];
        }
    }
    T_(prep_extras)(m, &ok);
    if (!ok)
        return lln_error_set(err, LLN_E_NOMEM, "model: out of memory preparing kernels");
    return LLN_OK;
}

/* end of the template: its own macros stop here */
#undef P_LANES
#undef P_ALIGN
