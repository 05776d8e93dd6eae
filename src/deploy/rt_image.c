/* Runtime tables from the master parameters: the same parameter-only precomputation as the
 * host kernels (positivity transforms, w*erev, cm*K, masks turned into synapse lists: work
 * that depends only on the parameters, done once instead of every step), in the simple
 * layout of runtime/lln_rt.h. */
#include "rt_image.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/model_internal.h"
#include "common/alloc.h"

static void *new_array(lln_rt_image_t *img, const char *name, size_t n, int is_u16, int *ok)
{
    if (!*ok || img->narrays >= LLN_RT_MAX_ARRAYS) {
        *ok = 0;
        return NULL;
    }
    lln_rt_array_t *a = &img->arrays[img->narrays];
    a->data = lln__calloc(n ? n : 1, is_u16 ? sizeof(uint16_t) : sizeof(float));
    if (a->data == NULL) {
        *ok = 0;
        return NULL;
    }
    snprintf(a->name, sizeof a->name, "%s", name);
    a->is_u16 = is_u16;
    a->n = n;
    img->narrays++;
    img->weight_bytes += n * (is_u16 ? sizeof(uint16_t) : sizeof(float));
    return a->data;
}

static float *vec(lln_rt_image_t *img, const lln_model_t *m, const char *tensor, const char *name,
                  size_t n, double dflt, int *ok)
{
    float *d = new_array(img, name, n, 0, ok);
    const double *src = lln__tensor(m, tensor);
    for (size_t i = 0; d && i < n; i++)
        d[i] = (float)(src ? src[i] : dflt);
    return d;
}

static double pos(const lln_model_t *m, double v)
{
    return m->cfg.positivity == LLN_POS_SOFTPLUS ? (v > 20.0 ? v : log1p(exp(v))) : v;
}

/* Synapse lists by destination from the (S x N) source-major mask (pre "" or "sensory_"). */
static void synapses(lln_rt_image_t *img, const lln_model_t *m, const char *pre, int S, int N,
                     const uint16_t **off, const uint16_t **src, const float **sig,
                     const float **mu, const float **w, const float **we, int *ok)
{
    char t[64], nm[48];
    const double *mask, *ts, *tm, *tw, *te;
    snprintf(t, sizeof t, "rnn_cell.%ssparsity_mask", pre), mask = lln__tensor(m, t);
    snprintf(t, sizeof t, "rnn_cell.%ssigma", pre), ts = lln__tensor(m, t);
    snprintf(t, sizeof t, "rnn_cell.%smu", pre), tm = lln__tensor(m, t);
    snprintf(t, sizeof t, "rnn_cell.%sw", pre), tw = lln__tensor(m, t);
    snprintf(t, sizeof t, "rnn_cell.%serev", pre), te = lln__tensor(m, t);
    size_t count = 0;
    for (size_t i = 0; i < (size_t)S * (size_t)N; i++)
        count += mask[i] != 0;
    const char *tag = pre[0] ? "s" : "r";
    uint16_t *o, *s;
    float *a, *b, *c, *d;
    snprintf(nm, sizeof nm, "%s_off", tag), o = new_array(img, nm, (size_t)N + 1, 1, ok);
    snprintf(nm, sizeof nm, "%s_src", tag), s = new_array(img, nm, count, 1, ok);
    snprintf(nm, sizeof nm, "%s_sigma", tag), a = new_array(img, nm, count, 0, ok);
    snprintf(nm, sizeof nm, "%s_mu", tag), b = new_array(img, nm, count, 0, ok);
    snprintf(nm, sizeof nm, "%s_w", tag), c = new_array(img, nm, count, 0, ok);
    snprintf(nm, sizeof nm, "%s_we", tag), d = new_array(img, nm, count, 0, ok);
    if (!*ok)
        return;
    size_t k = 0;
    for (int j = 0; j < N; j++) {
        o[j] = (uint16_t)k;
        for (int i = 0; i < S; i++) {
            size_t e = (size_t)i * (size_t)N + (size_t)j;
            if (mask[e] == 0)
                continue;
            double pw = pos(m, tw[e]);
            s[k] = (uint16_t)i, a[k] = (float)ts[e], b[k] = (float)tm[e];
            c[k] = (float)pw, d[k] = (float)(pw * te[e]);
            k++;
        }
    }
    o[N] = (uint16_t)k;
    *off = o, *src = s, *sig = a, *mu = b, *w = c, *we = d;
}

static void build_ltc(lln_rt_image_t *img, const lln_model_t *m, int *ok)
{
    const lln_config_t *c = &m->cfg;
    lln_rt_ltc_t *p = &img->model.ltc;
    size_t I = (size_t)c->input_size, N = (size_t)c->units, M = (size_t)m->out_cell;
    p->unfolds = (uint16_t)c->ode_unfolds;
    p->eps = (float)c->epsilon;
    p->in_w = vec(img, m, "rnn_cell.input_w", "in_w", I, 1.0, ok);
    p->in_b = vec(img, m, "rnn_cell.input_b", "in_b", I, 0.0, ok);
    p->out_w = vec(img, m, "rnn_cell.output_w", "out_w", M, 1.0, ok);
    p->out_b = vec(img, m, "rnn_cell.output_b", "out_b", M, 0.0, ok);
    float *cm = new_array(img, "cm_k", N, 0, ok), *g = new_array(img, "gleak", N, 0, ok);
    float *gv = new_array(img, "gvleak", N, 0, ok);
    const double *tc = lln__tensor(m, "rnn_cell.cm"), *tg = lln__tensor(m, "rnn_cell.gleak");
    const double *tv = lln__tensor(m, "rnn_cell.vleak");
    for (size_t j = 0; *ok && j < N; j++) {
        cm[j] = (float)(pos(m, tc[j]) * c->ode_unfolds);
        g[j] = (float)pos(m, tg[j]);
        gv[j] = (float)(pos(m, tg[j]) * tv[j]);
    }
    p->cm_k = cm, p->gleak = g, p->gvleak = gv;
    synapses(img, m, "sensory_", c->input_size, c->units, &p->s_off, &p->s_src, &p->s_sigma,
             &p->s_mu, &p->s_w, &p->s_we, ok);
    synapses(img, m, "", c->units, c->units, &p->r_off, &p->r_src, &p->r_sigma, &p->r_mu, &p->r_w,
             &p->r_we, ok);
}

/* A Linear layer from tensors wname (out x in, row-major) and bname (may be absent); masked
 * entries (mask out x in, may be NULL) are zero. */
static void dense_named(lln_rt_image_t *img, const lln_model_t *m, lln_rt_dense_t *d,
                        const char *wname, const char *bname, const char *tag, const double *mask,
                        int *ok)
{
    char nm[64]; /* longer than any tag given below */
    const lln_tensor_info_t *ti = lln_model_find(m, wname);
    const double *w = lln__tensor(m, wname), *b = lln__tensor(m, bname);
    d->out = (uint16_t)ti->dims[0];
    d->in = (uint16_t)ti->dims[1];
    size_t n = (size_t)d->out * d->in;
    snprintf(nm, sizeof nm, "%s_w", tag);
    float *dw = new_array(img, nm, n, 0, ok);
    float *db = NULL;
    if (b != NULL) {
        snprintf(nm, sizeof nm, "%s_b", tag);
        db = new_array(img, nm, d->out, 0, ok);
    }
    for (size_t i = 0; *ok && i < n; i++)
        dw[i] = (float)(mask && mask[i] == 0 ? 0.0 : w[i]);
    for (size_t o = 0; *ok && db && o < d->out; o++)
        db[o] = (float)b[o];
    d->w = dw, d->b = db;
}

/* The Linear layer "<prefix>.weight" / "<prefix>.bias". */
static void dense(lln_rt_image_t *img, const lln_model_t *m, lln_rt_dense_t *d, const char *prefix,
                  const char *tag, const double *mask, int *ok)
{
    char wn[96], bn[96];
    snprintf(wn, sizeof wn, "%s.weight", prefix);
    snprintf(bn, sizeof bn, "%s.bias", prefix);
    dense_named(img, m, d, wn, bn, tag, mask, ok);
}

/* GRU / LSTM gate layers (torch's tensor names) or the MLP's hidden layers. */
static void build_baseline(lln_rt_image_t *img, const lln_model_t *m, int *ok)
{
    lln_rt_model_t *r = &img->model;
    lln_rt_base_t *bs = &img->base;
    char t[64], nm[48];
    r->base = bs;
    if (m->cfg.cell != LLN_CELL_MLP) {
        dense_named(img, m, &bs->rnn_ih, "rnn_cell.weight_ih", "rnn_cell.bias_ih", "ih", NULL, ok);
        dense_named(img, m, &bs->rnn_hh, "rnn_cell.weight_hh", "rnn_cell.bias_hh", "hh", NULL, ok);
        r->baseline = lln_rt_baseline;
        return;
    }
    bs->nmlp = (uint16_t)m->cfg.backbone_layers;
    r->baseline = lln_rt_baseline;
    bs->mlp = bs->nmlp ? img->backbone : NULL;
    for (int l = 0; l < bs->nmlp && *ok; l++) {
        snprintf(t, sizeof t, "rnn_cell.hidden.%d", l);
        snprintf(nm, sizeof nm, "mlp%d", l);
        dense(img, m, &img->backbone[l], t, nm, NULL, ok);
    }
}

/* Heads ff1 [ff2 time_a time_b] stacked row-wise into one layer (ff1/ff2 masked). */
static void heads(lln_rt_image_t *img, const lln_model_t *m, lln_rt_cfc_t *cc, const char *pre,
                  int l, int *ok)
{
    static const char *const names[] = {"ff1", "ff2", "time_a", "time_b"};
    int nh = m->cfg.mode == LLN_CFC_PURE ? 1 : 4;
    char t[64], nm[48];
    snprintf(t, sizeof t, "%ssparsity_mask", pre);
    const double *mask = lln__tensor(m, t);
    size_t H = cc->hidden, F = 0;
    float *w = NULL, *b = NULL;
    for (int h = 0; h < nh && *ok; h++) {
        lln_rt_dense_t one;
        snprintf(t, sizeof t, "%s%s", pre, names[h]);
        snprintf(nm, sizeof nm, "tmp%d", h);
        dense(img, m, &one, t, nm, h < 2 ? mask : NULL, ok);
        if (!*ok)
            return;
        if (h == 0) {
            F = one.in;
            snprintf(nm, sizeof nm, "c%d_heads_w", l), w = new_array(img, nm, nh * H * F, 0, ok);
            snprintf(nm, sizeof nm, "c%d_heads_b", l), b = new_array(img, nm, nh * H, 0, ok);
            if (!*ok)
                return;
        }
        memcpy(w + h * H * F, one.w, H * F * sizeof(float));
        if (one.b != NULL) /* a head without bias keeps the zeros of new_array */
            memcpy(b + h * H, one.b, H * sizeof(float));
    }
    cc->heads.out = (uint16_t)(nh * H), cc->heads.in = (uint16_t)F;
    cc->heads.w = w, cc->heads.b = b;
}

static void build_cfc(lln_rt_image_t *img, const lln_model_t *m, int *ok)
{
    const lln_config_t *c = &m->cfg;
    int wired = c->cell == LLN_CELL_WIRED_CFC, n = wired ? c->num_layers : 1, in = c->input_size;
    char pre[32], t[64], nm[48];
    img->model.ncells = (uint16_t)n;
    img->model.cfc = img->cfc;
    for (int l = 0; l < n && *ok; l++) {
        lln_rt_cfc_t *cc = &img->cfc[l];
        int H = wired ? c->layer_sizes[l] : c->units;
        if (wired)
            snprintf(pre, sizeof pre, "rnn_cell.layer_%d.", l);
        else
            snprintf(pre, sizeof pre, "rnn_cell.");
        cc->in = (uint16_t)in, cc->hidden = (uint16_t)H;
        cc->nbackbone = (uint16_t)(wired ? 0 : c->backbone_layers);
        cc->backbone = img->backbone;
        for (int k = 0; k < cc->nbackbone && *ok; k++) {
            snprintf(t, sizeof t, "rnn_cell.backbone.%d", lln__backbone_index(c, k));
            snprintf(nm, sizeof nm, "bb%d", k);
            dense(img, m, &img->backbone[k], t, nm, NULL, ok);
        }
        heads(img, m, cc, pre, l, ok);
        if (c->mode == LLN_CFC_PURE && *ok) {
            snprintf(t, sizeof t, "%sw_tau", pre), snprintf(nm, sizeof nm, "c%d_w_tau_abs", l);
            float *wt = vec(img, m, t, nm, (size_t)H, 0.0, ok);
            for (int j = 0; wt && j < H; j++)
                wt[j] = wt[j] < 0 ? -wt[j] : wt[j];
            snprintf(t, sizeof t, "%sA", pre), snprintf(nm, sizeof nm, "c%d_a", l);
            cc->w_tau_abs = wt;
            cc->a = vec(img, m, t, nm, (size_t)H, 0.0, ok);
        }
        in = H;
    }
}

/* Drops the temporary per-head arrays ("tmp*") the stacking used. */
static void drop_temporaries(lln_rt_image_t *img)
{
    int k = 0;
    for (int i = 0; i < img->narrays; i++) {
        lln_rt_array_t *a = &img->arrays[i];
        if (strncmp(a->name, "tmp", 3) == 0) {
            img->weight_bytes -= a->n * (a->is_u16 ? sizeof(uint16_t) : sizeof(float));
            lln__free(a->data);
            continue;
        }
        img->arrays[k++] = *a;
    }
    img->narrays = k;
}

static uint32_t scratch_floats(const lln_rt_model_t *r)
{
    uint32_t I = r->inputs, N = r->units, cell = 0;
    if (r->cell == LLN_RT_LTC) {
        uint32_t ss = r->ltc.s_off[N], sr = r->ltc.r_off[N];
        cell = I + 6 * N + (ss > sr ? ss : sr);
    }
    for (uint16_t l = 0; l < r->ncells; l++) {
        const lln_rt_cfc_t *c = &r->cfc[l];
        uint32_t wmax = (uint32_t)c->in + c->hidden;
        for (uint16_t k = 0; k < c->nbackbone; k++)
            wmax = c->backbone[k].out > wmax ? c->backbone[k].out : wmax;
        cell = 2 * wmax + c->heads.out > cell ? 2 * wmax + c->heads.out : cell;
    }
    cell = r->mixed_memory && 4 * N > cell ? 4 * N : cell;
    uint32_t gates = r->base ? r->base->rnn_ih.out : 0u;
    cell = 2u * gates > cell ? 2u * gates : cell; /* GRU / LSTM: zi, zh */
    cell = r->cell == LLN_RT_MLP && 2u * r->cell_outputs > cell ? 2u * r->cell_outputs : cell;
    cell = r->outputs > cell ? r->outputs : cell;
    return I + r->cell_outputs + cell;
}

lln_status_t lln__rt_image_build(const lln_model_t *m, lln_rt_image_t *img, lln_error_t *err)
{
    const lln_config_t *c = &m->cfg;
    lln_rt_model_t *r = &img->model;
    int ok = 1;
    memset(img, 0, sizeof *img);
    if (c->units > 65535 || c->input_size > 65535 || m->nparams > (size_t)1 << 28)
        return lln_error_set(err, LLN_E_UNSUPPORTED, "export: model too large for the runtime");
    r->cell = (uint8_t)c->cell, r->mode = (uint8_t)c->mode, r->activation = (uint8_t)c->activation;
    r->mixed_memory = (uint8_t)c->mixed_memory;
    r->inputs = (uint16_t)c->input_size, r->units = (uint16_t)c->units;
    r->outputs = (uint16_t)m->out, r->cell_outputs = (uint16_t)m->out_cell;
    if (c->cell == LLN_CELL_LTC)
        build_ltc(img, m, &ok);
    else if (lln__baseline(c))
        build_baseline(img, m, &ok);
    else
        build_cfc(img, m, &ok);
    if (c->mixed_memory) {
        dense(img, m, &r->lstm_in, "lstm.input_map", "lstm_in", NULL, &ok);
        dense(img, m, &r->lstm_rec, "lstm.recurrent_map", "lstm_rec", NULL, &ok);
    }
    if (c->proj_size > 0)
        dense(img, m, &r->proj, "fc", "proj", NULL, &ok);
    r->x_mean = vec(img, m, "norm.input_mean", "x_mean", (size_t)c->input_size, 0.0, &ok);
    float *inv = vec(img, m, "norm.input_std", "x_inv_std", (size_t)c->input_size, 1.0, &ok);
    for (int i = 0; inv && i < c->input_size; i++)
        inv[i] = (float)(1.0 / lln__tensor(m, "norm.input_std")[i]);
    r->x_inv_std = inv;
    r->y_mean = vec(img, m, "norm.output_mean", "y_mean", (size_t)m->out, 0.0, &ok);
    r->y_std = vec(img, m, "norm.output_std", "y_std", (size_t)m->out, 1.0, &ok);
    drop_temporaries(img);
    if (!ok) {
        lln__rt_image_free(img);
        return lln_error_set(err, LLN_E_NOMEM, "export: out of memory building tables");
    }
    r->state_floats = (uint32_t)c->units * (lln__nmem(c) ? 2u : 1u);
    r->scratch_floats = scratch_floats(r);
    return LLN_OK;
}

void lln__rt_image_free(lln_rt_image_t *img)
{
    for (int i = 0; i < img->narrays; i++)
        lln__free(img->arrays[i].data);
    img->narrays = 0;
}

const char *lln__rt_image_name(const lln_rt_image_t *img, const void *p)
{
    for (int i = 0; p != NULL && i < img->narrays; i++)
        if (img->arrays[i].data == p)
            return img->arrays[i].name;
    return NULL;
}
