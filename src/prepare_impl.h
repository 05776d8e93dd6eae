/* Template: builds the kernel tables of one precision from the float64 master parameters.
 * Included by kernels_f32.c / kernels_f64.c with REAL and SFX defined. Parameter-only
 * work (positivity transforms, w*erev, cm*K, masks -> synapse lists) happens here once,
 * not in every step (spec section 8). */

#define PREP_CAT2(a, b) a##_##b
#define PREP_CAT(a, b) PREP_CAT2(a, b)
#define P_(name) PREP_CAT(name, SFX)

static void *P_(palloc)(lln_model_t *m, size_t bytes)
{
    if (m->nallocs == m->cap_allocs) {
        size_t cap = m->cap_allocs ? m->cap_allocs * 2 : 64;
        void **na = realloc(m->allocs, cap * sizeof *na);
        if (na == NULL)
            return NULL;
        m->allocs = na;
        m->cap_allocs = cap;
    }
    void *p = calloc(bytes ? bytes : 1, 1);
    if (p != NULL)
        m->allocs[m->nallocs++] = p;
    return p;
}

static REAL *P_(reals)(lln_model_t *m, size_t n, int *ok)
{
    REAL *p = P_(palloc)(m, n * sizeof(REAL));
    if (p == NULL)
        *ok = 0;
    return p;
}

static int *P_(ints)(lln_model_t *m, size_t n, int *ok)
{
    int *p = P_(palloc)(m, n * sizeof(int));
    if (p == NULL)
        *ok = 0;
    return p;
}

static double P_(pos)(const lln_model_t *m, double v)
{
    return m->cfg.positivity == LLN_POS_SOFTPLUS ? lln_softplus(v) : v;
}

/* Copies a tensor (or a constant when absent) into a REAL vector. */
static REAL *P_(vec)(lln_model_t *m, const char *name, size_t n, double dflt, int *ok)
{
    REAL *d = P_(reals)(m, n, ok);
    const double *src = lln__tensor(m, name);
    for (size_t i = 0; d != NULL && i < n; i++)
        d[i] = (REAL)(src ? src[i] : dflt);
    return d;
}

/* Synapse lists grouped by destination from an (S x N) source-major mask. */
static void P_(synapses)(lln_model_t *m, const char *pre, int S, int N, int **off, int **src,
                         REAL **sig, REAL **mu, REAL **w, REAL **we, int *ok)
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
    *off = P_(ints)(m, (size_t)N + 1, ok);
    *src = P_(ints)(m, count, ok);
    *sig = P_(reals)(m, count, ok);
    *mu = P_(reals)(m, count, ok);
    *w = P_(reals)(m, count, ok);
    *we = P_(reals)(m, count, ok);
    if (!*ok)
        return;
    size_t k = 0;
    for (int j = 0; j < N; j++) {
        (*off)[j] = (int)k;
        for (int i = 0; i < S; i++) {
            size_t e = (size_t)i * (size_t)N + (size_t)j;
            if (mask[e] == 0)
                continue;
            double pw = P_(pos)(m, tw[e]);
            (*src)[k] = i;
            (*sig)[k] = (REAL)tsig[e];
            (*mu)[k] = (REAL)tmu[e];
            (*w)[k] = (REAL)pw;
            (*we)[k] = (REAL)(pw * terev[e]);
            k++;
        }
    }
    (*off)[N] = (int)k;
}

static void P_(prep_ltc)(lln_model_t *m, int *ok)
{
    const lln_config_t *c = &m->cfg;
    P_(lln_ltc_prep) *p = &m->P_(p).ltc;
    p->I = c->input_size;
    p->N = c->units;
    p->M = m->out_cell;
    p->K = c->ode_unfolds;
    p->eps = (REAL)c->epsilon;
    p->in_w = P_(vec)(m, "rnn_cell.input_w", (size_t)p->I, 1.0, ok);
    p->in_b = P_(vec)(m, "rnn_cell.input_b", (size_t)p->I, 0.0, ok);
    p->out_w = P_(vec)(m, "rnn_cell.output_w", (size_t)p->M, 1.0, ok);
    p->out_b = P_(vec)(m, "rnn_cell.output_b", (size_t)p->M, 0.0, ok);
    p->cm_k = P_(reals)(m, (size_t)p->N, ok);
    p->gleak = P_(reals)(m, (size_t)p->N, ok);
    p->gvleak = P_(reals)(m, (size_t)p->N, ok);
    if (!*ok)
        return;
    const double *cm = lln__tensor(m, "rnn_cell.cm"), *gl = lln__tensor(m, "rnn_cell.gleak");
    const double *vl = lln__tensor(m, "rnn_cell.vleak");
    for (int j = 0; j < p->N; j++) {
        p->cm_k[j] = (REAL)(P_(pos)(m, cm[j]) * p->K);
        p->gleak[j] = (REAL)P_(pos)(m, gl[j]);
        p->gvleak[j] = (REAL)(P_(pos)(m, gl[j]) * vl[j]);
    }
    P_(synapses)(m, "sensory_", p->I, p->N, &p->s_off, &p->s_src, &p->s_sigma, &p->s_mu, &p->s_w,
                 &p->s_we, ok);
    P_(synapses)(m, "", p->N, p->N, &p->r_off, &p->r_src, &p->r_sigma, &p->r_mu, &p->r_w,
                 &p->r_we, ok);
}

/* A Linear layer stored transposed (in x out) so the GEMV's inner loop runs over outputs
 * and vectorises without reassociating sums. mask (out x in) may be NULL. */
static void P_(dense)(lln_model_t *m, P_(lln_dense) *d, const char *wname, const char *bname,
                      const double *mask, int *ok)
{
    const lln_tensor_info_t *t = lln_model_find(m, wname);
    const double *w = lln__tensor(m, wname), *b = bname ? lln__tensor(m, bname) : NULL;
    d->out = t->dims[0];
    d->in = t->dims[1];
    d->w = P_(reals)(m, (size_t)d->out * (size_t)d->in, ok);
    d->b = P_(reals)(m, (size_t)d->out, ok);
    if (!*ok)
        return;
    for (int o = 0; o < d->out; o++) {
        d->b[o] = (REAL)(b ? b[o] : 0.0);
        for (int i = 0; i < d->in; i++) {
            size_t e = (size_t)o * (size_t)d->in + (size_t)i;
            d->w[(size_t)i * (size_t)d->out + (size_t)o] =
                (REAL)(mask && mask[e] == 0 ? 0.0 : w[e]);
        }
    }
}

/* The heads ff1 [ff2 time_a time_b] of one cell stacked into one (nheads*H x F) layer. */
static void P_(heads)(lln_model_t *m, P_(lln_cfc_prep) *cp, const char *prefix, int *ok)
{
    static const char *const names[] = {"ff1", "ff2", "time_a", "time_b"};
    char wn[LLN_NAME_MAX], bn[LLN_NAME_MAX];
    snprintf(wn, sizeof wn, "%ssparsity_mask", prefix);
    const double *mask = lln__tensor(m, wn);
    snprintf(wn, sizeof wn, "%sff1.weight", prefix);
    int H = cp->hidden, F = lln_model_find(m, wn)->dims[1];
    P_(lln_dense) *d = &cp->heads;
    d->out = cp->nheads * H;
    d->in = F;
    d->w = P_(reals)(m, (size_t)d->out * (size_t)F, ok);
    d->b = P_(reals)(m, (size_t)d->out, ok);
    for (int h = 0; h < cp->nheads && *ok; h++) {
        P_(lln_dense) one;
        snprintf(wn, sizeof wn, "%s%s.weight", prefix, names[h]);
        snprintf(bn, sizeof bn, "%s%s.bias", prefix, names[h]);
        P_(dense)(m, &one, wn, bn, h < 2 ? mask : NULL, ok); /* time heads are never masked */
        for (int i = 0; i < F && *ok; i++)
            memcpy(d->w + (size_t)i * (size_t)d->out + (size_t)h * (size_t)H,
                   one.w + (size_t)i * (size_t)H, (size_t)H * sizeof(REAL));
        if (*ok)
            memcpy(d->b + (size_t)h * (size_t)H, one.b, (size_t)H * sizeof(REAL));
    }
}

static void P_(prep_cfc_cell)(lln_model_t *m, P_(lln_cfc_prep) *cp, const char *prefix, int in,
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
        P_(dense)(m, &cp->backbone[l], wn, bn, NULL, ok);
    }
    P_(heads)(m, cp, prefix, ok);
    if (m->cfg.mode == LLN_CFC_PURE && *ok) {
        snprintf(wn, sizeof wn, "%sw_tau", prefix);
        const double *wt = lln__tensor(m, wn);
        cp->w_tau_abs = P_(reals)(m, (size_t)hidden, ok);
        snprintf(wn, sizeof wn, "%sA", prefix);
        cp->a = P_(vec)(m, wn, (size_t)hidden, 0.0, ok);
        for (int j = 0; j < hidden && *ok; j++)
            cp->w_tau_abs[j] = (REAL)fabs(wt[j]);
    }
}

static void P_(prep_extras)(lln_model_t *m, int *ok)
{
    P_(lln_prep) *p = &m->P_(p);
    size_t I = (size_t)m->cfg.input_size, O = (size_t)m->out;
    if (m->cfg.mixed_memory) {
        P_(dense)(m, &p->lstm_in, "lstm.input_map.weight", "lstm.input_map.bias", NULL, ok);
        P_(dense)(m, &p->lstm_rec, "lstm.recurrent_map.weight", NULL, NULL, ok);
    }
    if (m->cfg.proj_size > 0)
        P_(dense)(m, &p->proj, "fc.weight", "fc.bias", NULL, ok);
    p->x_mean = P_(vec)(m, "norm.input_mean", I, 0.0, ok);
    p->x_inv_std = P_(vec)(m, "norm.input_std", I, 1.0, ok);
    p->y_mean = P_(vec)(m, "norm.output_mean", O, 0.0, ok);
    p->y_std = P_(vec)(m, "norm.output_std", O, 1.0, ok);
    const double *sd = lln__tensor(m, "norm.input_std");
    for (size_t i = 0; i < I && *ok; i++)
        p->x_inv_std[i] = (REAL)(1.0 / sd[i]);
}

lln_status_t P_(lln__prepare)(lln_model_t *m, lln_error_t *err)
{
    const lln_config_t *c = &m->cfg;
    P_(lln_prep) *p = &m->P_(p);
    int ok = 1;
    memset(p, 0, sizeof *p);
    if (c->cell == LLN_CELL_LTC) {
        P_(prep_ltc)(m, &ok);
    } else if (c->cell == LLN_CELL_CFC) {
        p->ncells = 1;
        P_(prep_cfc_cell)(m, &p->cfc[0], "rnn_cell.", c->input_size, c->units, c->backbone_layers,
                          &ok);
    } else {
        char prefix[32];
        int in = c->input_size;
        p->ncells = c->num_layers;
        for (int l = 0; l < c->num_layers && ok; l++) {
            snprintf(prefix, sizeof prefix, "rnn_cell.layer_%d.", l);
            P_(prep_cfc_cell)(m, &p->cfc[l], prefix, in, c->layer_sizes[l], 0, &ok);
            in = c->layer_sizes[l];
        }
    }
    P_(prep_extras)(m, &ok);
    if (!ok)
        return lln_error_set(err, LLN_E_NOMEM, "model: out of memory preparing kernels");
    return LLN_OK;
}
