/* Optimizers (include/lln/train.h): Adam, AdamW and SGD with momentum over a model's float64
 * parameter vector, gradient-norm clipping, weight decay and learning-rate schedules.
 * The formulas are torch.optim's, in the same order of operations, so a run can be compared
 * with PyTorch step by step. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lln/train.h"
#include "sparse_internal.h"
#include "train_internal.h"
#include "common/alloc.h"
#include "common/pool.h"
#include "core/model_internal.h"

struct lln_optim {
    lln_optim_config_t cfg;
    size_t n;            /* parameter count */
    long steps;          /* steps taken */
    unsigned char *upd;  /* 1: the entry may change */
    double *mom[2];      /* Adam m, v; SGD momentum buffer in mom[0] */
    double *backup;      /* parameters before a step (restored when it fails) */
    double *backup_m[2]; /* moments before a step */
    lln__synmap_t syn;   /* synapses, for the proximal steps (l1 / group_lasso > 0) */
    int has_syn;
    lln__pool_t *pool; /* borrowed threads (lln_optim_share_threads), or NULL */
};

void lln_optim_config_default(lln_optim_config_t *c)
{
    memset(c, 0, sizeof *c);
    c->kind = LLN_OPTIM_ADAM;
    c->lr = 1e-3;
    c->beta1 = 0.9;
    c->beta2 = 0.999;
    c->eps = 1e-8;
    c->gamma = 0.1;
    c->schedule = LLN_LR_CONSTANT;
}

static int in01(double x) { return x >= 0.0 && x < 1.0; }

static lln_status_t check_schedule(const lln_optim_config_t *c, lln_error_t *err)
{
    if (c->warmup_steps < 0)
        return lln_error_set(err, LLN_E_ARG, "optimizer: warmup_steps %ld is negative",
                             c->warmup_steps);
    switch (c->schedule) {
    case LLN_LR_CONSTANT: return LLN_OK;
    case LLN_LR_STEP:
        if (c->step_size < 1)
            return lln_error_set(err, LLN_E_ARG, "optimizer: step schedule needs step_size >= 1");
        if (!(c->gamma > 0.0 && c->gamma <= 1.0))
            return lln_error_set(err, LLN_E_ARG, "optimizer: gamma %g is not in (0, 1]", c->gamma);
        return LLN_OK;
    case LLN_LR_COSINE:
        if (c->decay_steps < 1)
            return lln_error_set(err, LLN_E_ARG,
                                 "optimizer: cosine schedule needs decay_steps >= 1");
        if (!(c->min_lr >= 0.0 && c->min_lr <= c->lr))
            return lln_error_set(err, LLN_E_ARG, "optimizer: min_lr %g is not in [0, lr]",
                                 c->min_lr);
        return LLN_OK;
    }
    return lln_error_set(err, LLN_E_ARG, "optimizer: unknown schedule %d", (int)c->schedule);
}

lln_status_t lln_optim_config_validate(const lln_optim_config_t *c, lln_error_t *err)
{
    if (c == NULL)
        return lln_error_set(err, LLN_E_ARG, "optimizer: NULL configuration");
    if (c->kind != LLN_OPTIM_ADAM && c->kind != LLN_OPTIM_ADAMW && c->kind != LLN_OPTIM_SGD)
        return lln_error_set(err, LLN_E_ARG, "optimizer: unknown kind %d", (int)c->kind);
    if (!(c->lr > 0.0 && isfinite(c->lr)))
        return lln_error_set(err, LLN_E_ARG, "optimizer: lr %g must be finite and > 0", c->lr);
    if (!in01(c->beta1) || !in01(c->beta2))
        return lln_error_set(err, LLN_E_ARG, "optimizer: betas (%g, %g) must be in [0, 1)",
                             c->beta1, c->beta2);
    if (!(c->eps > 0.0 && isfinite(c->eps)))
        return lln_error_set(err, LLN_E_ARG, "optimizer: eps %g must be finite and > 0", c->eps);
    if (!in01(c->momentum))
        return lln_error_set(err, LLN_E_ARG, "optimizer: momentum %g is not in [0, 1)",
                             c->momentum);
    if (c->nesterov && !(c->kind == LLN_OPTIM_SGD && c->momentum > 0.0))
        return lln_error_set(err, LLN_E_ARG, "optimizer: Nesterov needs SGD with momentum > 0");
    if (!(c->weight_decay >= 0.0 && isfinite(c->weight_decay)))
        return lln_error_set(err, LLN_E_ARG, "optimizer: weight_decay %g must be >= 0",
                             c->weight_decay);
    if (!(c->clip_norm >= 0.0 && isfinite(c->clip_norm)))
        return lln_error_set(err, LLN_E_ARG, "optimizer: clip_norm %g must be >= 0", c->clip_norm);
    if (!(c->l1 >= 0.0 && isfinite(c->l1)) || !(c->group_lasso >= 0.0 && isfinite(c->group_lasso)))
        return lln_error_set(err, LLN_E_ARG, "optimizer: l1 %g and group_lasso %g must be >= 0",
                             c->l1, c->group_lasso);
    return check_schedule(c, err);
}

static double scheduled(const lln_optim_config_t *c, long s)
{
    switch (c->schedule) {
    case LLN_LR_STEP: {
        long decays = s / c->step_size; /* whole periods: integer division on purpose */
        return c->lr * pow(c->gamma, (double)decays);
    }
    case LLN_LR_COSINE:
        if (s >= c->decay_steps)
            return c->min_lr;
        return c->min_lr +
               (c->lr - c->min_lr) *
                   (1.0 + cos(3.14159265358979323846 * (double)s / (double)c->decay_steps)) / 2.0;
    case LLN_LR_CONSTANT:
    default: return c->lr;
    }
}

double lln_optim_lr(const lln_optim_config_t *c, long s)
{
    if (s < c->warmup_steps)
        return scheduled(c, 0) * (double)(s + 1) / (double)(c->warmup_steps + 1);
    return scheduled(c, s - c->warmup_steps);
}

/* ---- which entries may change ------------------------------------------------------------ */

/* The sparsity mask that gates tensor `name` in the forward pass, or "" for none. */
static void mask_for(const char *name, char *out, size_t cap)
{
    static const char *const ltc[] = {"w", "sigma", "mu", "erev"};
    out[0] = '\0';
    for (int k = 0; k < 4; k++) {
        char buf[64];
        snprintf(buf, sizeof buf, "rnn_cell.%s", ltc[k]);
        if (strcmp(name, buf) == 0) {
            snprintf(out, cap, "rnn_cell.sparsity_mask");
            return;
        }
        snprintf(buf, sizeof buf, "rnn_cell.sensory_%s", ltc[k]);
        if (strcmp(name, buf) == 0) {
            snprintf(out, cap, "rnn_cell.sensory_sparsity_mask");
            return;
        }
    }
    /* wired CfC: rnn_cell.layer_<l>.ff1.weight / ff2.weight */
    static const char pre[] = "rnn_cell.layer_";
    if (strncmp(name, pre, sizeof pre - 1) != 0)
        return;
    char *end;
    long layer = strtol(name + sizeof pre - 1, &end, 10);
    if (end == name + sizeof pre - 1 || layer < 0 ||
        (strcmp(end, ".ff1.weight") != 0 && strcmp(end, ".ff2.weight") != 0))
        return;
    snprintf(out, cap, "rnn_cell.layer_%ld.sparsity_mask", layer);
}

static lln_status_t build_update_mask(lln_optim_t *o, const lln_model_t *m, lln_error_t *err)
{
    const double *p = lln_model_params_const(m);
    for (size_t t = 0; t < lln_model_tensor_count(m); t++) {
        const lln_tensor_info_t *ti = lln_model_tensor(m, t);
        if (!(ti->flags & LLN_TENSOR_TRAINABLE))
            continue;
        char mname[96];
        mask_for(ti->name, mname, sizeof mname);
        const lln_tensor_info_t *mi = mname[0] ? lln_model_find(m, mname) : NULL;
        if (mi != NULL && mi->count != ti->count)
            return lln_error_set(err, LLN_E_SHAPE,
                                 "optimizer: mask '%s' has %zu entries, tensor '%s' %zu", mname,
                                 mi->count, ti->name, ti->count);
        for (size_t i = 0; i < ti->count; i++)
            o->upd[ti->offset + i] = mi == NULL || p[mi->offset + i] != 0.0;
    }
    return LLN_OK;
}

lln_status_t lln_optim_create(const lln_model_t *m, const lln_optim_config_t *c, lln_optim_t **out,
                              lln_error_t *err)
{
    if (out == NULL || m == NULL)
        return lln_error_set(err, LLN_E_ARG, "optimizer: NULL argument");
    *out = NULL;
    lln_status_t st = lln_optim_config_validate(c, err);
    if (st != LLN_OK)
        return st;
    lln_optim_t *o = lln__calloc(1, sizeof *o);
    if (o == NULL)
        return lln_error_set(err, LLN_E_NOMEM, "optimizer: out of memory");
    o->cfg = *c;
    o->n = lln_model_param_count(m);
    size_t n = o->n ? o->n : 1;
    int nm = c->kind == LLN_OPTIM_SGD ? 1 : 2;
    o->upd = lln__calloc(n, 1);
    o->backup = lln__malloc(n * sizeof(double));
    for (int k = 0; k < nm; k++) {
        o->mom[k] = lln__calloc(n, sizeof(double));
        o->backup_m[k] = lln__malloc(n * sizeof(double));
    }
    if (o->upd == NULL || o->backup == NULL || o->mom[0] == NULL || o->backup_m[0] == NULL ||
        (nm == 2 && (o->mom[1] == NULL || o->backup_m[1] == NULL))) {
        lln_optim_free(o);
        return lln_error_set(err, LLN_E_NOMEM, "optimizer: out of memory");
    }
    st = build_update_mask(o, m, err);
    if (st == LLN_OK && c->group_lasso > 0.0)
        st = lln_sparse_check(m, c->group_lasso, 0.0, err);
    if (st == LLN_OK && (c->l1 > 0.0 || c->group_lasso > 0.0)) {
        st = lln__synmap_build(m, &o->syn, err);
        o->has_syn = st == LLN_OK;
    }
    if (st != LLN_OK) {
        lln_optim_free(o);
        return st;
    }
    *out = o;
    return LLN_OK;
}

void lln_optim_free(lln_optim_t *o)
{
    if (o == NULL)
        return;
    if (o->has_syn)
        lln__synmap_free(&o->syn);
    lln__free(o->upd);
    lln__free(o->backup);
    for (int k = 0; k < 2; k++) {
        lln__free(o->mom[k]);
        lln__free(o->backup_m[k]);
    }
    lln__pool_free(o->pool);
    lln__free(o);
}

long lln_optim_steps(const lln_optim_t *o) { return o ? o->steps : 0; }

lln_status_t lln_optim_set_steps(lln_optim_t *o, long steps)
{
    if (o == NULL || steps < 0)
        return LLN_E_ARG;
    o->steps = steps;
    return LLN_OK;
}

size_t lln_optim_size(const lln_optim_t *o) { return o ? o->n : 0; }

int lln_optim_moment_count(const lln_optim_t *o)
{
    return o == NULL ? 0 : o->cfg.kind == LLN_OPTIM_SGD ? 1 : 2;
}

double *lln_optim_moment(lln_optim_t *o, int k)
{
    if (o == NULL || k < 0 || k >= lln_optim_moment_count(o))
        return NULL;
    return o->mom[k];
}

int lln_optim_updates(const lln_optim_t *o, size_t i) { return o && i < o->n ? o->upd[i] : 0; }

lln_status_t lln_optim_refresh_mask(lln_optim_t *o, const lln_model_t *m, lln_error_t *err)
{
    if (o == NULL || m == NULL || lln_model_param_count(m) != o->n)
        return lln_error_set(err, LLN_E_ARG, "optimizer: NULL or another model structure");
    lln_status_t st = build_update_mask(o, m, err);
    for (size_t i = 0; st == LLN_OK && i < o->n; i++)
        if (!o->upd[i]) /* never read again; zero so a checkpoint holds the same bits */
            for (int k = 0; k < lln_optim_moment_count(o); k++)
                o->mom[k][i] = 0.0;
    return st;
}

/* ---- the step ------------------------------------------------------------------------------ */

/* Below this many parameters a step runs on the calling thread alone. */
#define STEP_PARALLEL_MIN 4096

/* L2 norm over the entries that may change; -1 when a gradient entry is not finite. The
 * squares go into 8 interleaved partial sums (entry i into sum i mod 8, added pairwise at the
 * end): a fixed order, whatever the thread count, that is not one chain of dependent
 * additions, and a loop the compiler vectorises. A square of a non-finite entry makes the
 * total non-finite; only then are the entries looked at one by one. */
static double grad_norm(const lln_optim_t *o, const double *g)
{
    double s[8] = {0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0};
    size_t n8 = o->n / 8 * 8;
    for (size_t i = 0; i < n8; i += 8)
        for (int l = 0; l < 8; l++)
            s[l] += o->upd[i + (size_t)l] ? g[i + (size_t)l] * g[i + (size_t)l] : 0.0;
    for (size_t i = n8; i < o->n; i++)
        s[i - n8] += o->upd[i] ? g[i] * g[i] : 0.0;
    double t = ((s[0] + s[1]) + (s[2] + s[3])) + ((s[4] + s[5]) + (s[6] + s[7]));
    if (isfinite(t))
        return sqrt(t);
    for (size_t i = 0; i < o->n; i++)
        if (o->upd[i] && !isfinite(g[i]))
            return -1.0;
    return sqrt(t); /* finite entries whose squares overflow: +inf, as before */
}

/* One step's element-wise work, done by share k of n of the parameters (pool job). */
typedef struct step_job {
    lln_optim_t *o;
    double *p, *g;
    double lr, clip; /* clip: scale of the gradient, 1 = none */
} step_job_t;

/* Adam and AdamW, torch.optim's formulas element by element. The loop has no branches (an
 * entry that may not change is computed and then not stored), so the compiler vectorises
 * it (cmake/train.cmake compiles this file without errno from sqrt, whose error branch
 * would stop that); every entry's arithmetic is that of the plain formulas: Adam's decay factor is 1
 * (p * 1 = p) and AdamW's L2 term 0 (g + 0 p = g, up to the sign of a zero g, which
 * g^2 and (1 - b1) g + b1 m do not see). */
static void adam(lln_optim_t *o, double *pp, const double *gp, double lr, size_t lo, size_t hi)
{
    const lln_optim_config_t *c = &o->cfg;
    double b1 = c->beta1, b2 = c->beta2, wd = c->weight_decay, t = (double)o->steps;
    double bc1 = 1.0 - pow(b1, t), bc2 = 1.0 - pow(b2, t);
    double step_size = lr / bc1, bc2_sqrt = sqrt(bc2), eps = c->eps;
    int adamw = c->kind == LLN_OPTIM_ADAMW;
    double keep = adamw ? 1.0 - lr * wd : 1.0, l2 = adamw ? 0.0 : wd;
    double *restrict p = pp, *restrict m = o->mom[0], *restrict v = o->mom[1];
    const double *restrict g = gp;
    const unsigned char *restrict u = o->upd;
    for (size_t i = lo; i < hi; i++) {
        double pi = p[i] * keep, gi = g[i] + l2 * p[i];
        double mi = b1 * m[i] + (1.0 - b1) * gi;
        double vi = b2 * v[i] + (1.0 - b2) * gi * gi;
        pi -= step_size * mi / (sqrt(vi) / bc2_sqrt + eps);
        m[i] = u[i] ? mi : m[i];
        v[i] = u[i] ? vi : v[i];
        p[i] = u[i] ? pi : p[i];
    }
}

static void sgd(lln_optim_t *o, double *p, const double *g, double lr, size_t lo, size_t hi)
{
    const lln_optim_config_t *c = &o->cfg;
    double mu = c->momentum, wd = c->weight_decay, *buf = o->mom[0];
    for (size_t i = lo; i < hi; i++) {
        if (!o->upd[i])
            continue;
        double gi = g[i] + wd * p[i];
        if (mu != 0.0) {
            buf[i] = o->steps == 1 ? gi : mu * buf[i] + gi; /* torch: first buffer = g */
            gi = c->nesterov ? gi + mu * buf[i] : buf[i];
        }
        p[i] -= lr * gi;
    }
}

static void save_state(lln_optim_t *o, const double *p, size_t lo, size_t hi)
{
    size_t bytes = (hi - lo) * sizeof(double);
    memcpy(o->backup + lo, p + lo, bytes);
    for (int k = 0; k < lln_optim_moment_count(o); k++)
        memcpy(o->backup_m[k] + lo, o->mom[k] + lo, bytes);
}

/* Share k of n: clipping, the saved copy and the update, element by element. */
static void step_job(void *arg, int k, int n)
{
    step_job_t *j = arg;
    size_t lo, hi;
    lln__pool_share(j->o->n, k, n, &lo, &hi);
    if (j->clip != 1.0)
        for (size_t i = lo; i < hi; i++)
            j->g[i] *= j->clip;
    save_state(j->o, j->p, lo, hi);
    if (j->o->cfg.kind == LLN_OPTIM_SGD)
        sgd(j->o, j->p, j->g, j->lr, lo, hi);
    else
        adam(j->o, j->p, j->g, j->lr, lo, hi);
}

lln_status_t lln_optim_share_threads(lln_optim_t *o, lln_batch_grad_t *g)
{
    if (o == NULL)
        return LLN_E_ARG;
    lln__pool_t *p = lln__pool_ref(lln__batch_grad_pool(g));
    lln__pool_free(o->pool);
    o->pool = p;
    return LLN_OK;
}

static void restore_state(lln_optim_t *o, double *p)
{
    memcpy(p, o->backup, o->n * sizeof(double));
    for (int k = 0; k < lln_optim_moment_count(o); k++)
        memcpy(o->mom[k], o->backup_m[k], o->n * sizeof(double));
    o->steps--;
}

lln_status_t lln_optim_step(lln_optim_t *o, lln_model_t *m, double *grad, lln_optim_info_t *info,
                            lln_error_t *err)
{
    if (o == NULL || m == NULL || grad == NULL)
        return lln_error_set(err, LLN_E_ARG, "optimizer step: NULL argument");
    if (lln_model_param_count(m) != o->n)
        return lln_error_set(err, LLN_E_ARG,
                             "optimizer step: model has %zu parameters, optimizer %zu",
                             lln_model_param_count(m), o->n);
    double norm = grad_norm(o, grad);
    if (norm < 0.0)
        return lln_error_set(err, LLN_E_RANGE,
                             "optimizer step %ld: the gradient is not finite (the loss "
                             "diverged: try a smaller learning rate or --clip-norm)",
                             o->steps + 1);
    int clipped = o->cfg.clip_norm > 0.0 && norm > o->cfg.clip_norm;
    double lr = lln_optim_lr(&o->cfg, o->steps);
    double *p = lln_model_params(m);
    o->steps++; /* the update's bias corrections use the new count */
    step_job_t job = {o, p, grad, lr, clipped ? o->cfg.clip_norm / norm : 1.0};
    /* a step of a small model is over before a hand-off to the pool would be */
    if (o->pool != NULL && o->n >= STEP_PARALLEL_MIN)
        lln__pool_run(o->pool, step_job, &job);
    else
        step_job(&job, 0, 1);
    int masked = o->has_syn && lln__sparse_prox(&o->syn, p, o->cfg.l1, o->cfg.group_lasso, lr);
    lln_error_t perr;
    /* the float32 tables only: float64 ones are rebuilt by the first float64 call that needs
     * them (float32 training never does) */
    if (lln__model_prepare_f32(m, &perr) != LLN_OK) {
        restore_state(o, p);
        (void)lln_model_prepare(m, NULL);
        return lln_error_set(err, LLN_E_RANGE,
                             "optimizer step %ld made the model invalid (%s); try a smaller "
                             "learning rate or --clip-norm",
                             o->steps + 1, perr.msg);
    }
    if (masked && lln_optim_refresh_mask(o, m, err) != LLN_OK)
        return LLN_E_SHAPE;
    if (info != NULL) {
        info->grad_norm = norm;
        info->lr = lr;
        info->clipped = clipped;
        info->masked = masked;
    }
    return LLN_OK;
}
