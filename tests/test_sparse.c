/* Sparsity (lln/sparse.h) and its use by the optimizer and the trainer: the L1 proximal step
 * shrinks every synapse weight by exactly lr*l1 and zeroes the small ones (wired CfC) while
 * unmasked non-synapse weights and masked entries do not move; group lasso takes whole neurons
 * to zero (LTC identity: zero weights; LTC softplus: masked out); pruning by threshold and by
 * fraction; pruned entries stay exactly zero through further training and through a model
 * file; with penalties and pruning the same seed and threads give bit-identical models, and a
 * stopped and resumed run equals an uninterrupted one; training to a budget reaches a
 * reachable one and refuses one below the floor before training; dense CfC refuses masks. */
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "lln/data.h"
#include "lln/format.h"
#include "lln/sparse.h"
#include "lln/train.h"

static lln_model_t *ncp_model(lln_cell_kind_t cell, int units, lln_positivity_t pos,
                              unsigned long long seed)
{
    lln_config_t c;
    lln_config_default(&c, cell);
    c.input_size = 1;
    lln_wiring_spec_default(&c.wiring, LLN_WIRING_AUTONCP);
    c.wiring.units = units;
    c.wiring.output_dim = 1;
    c.ode_unfolds = 2;
    if (cell == LLN_CELL_LTC)
        c.positivity = pos;
    lln_model_t *m = NULL;
    lln_error_t err;
    if (lln_model_create(&c, seed, &m, &err) != LLN_OK)
        fprintf(stderr, "model: %s\n", err.msg);
    return m;
}

static lln_model_t *cfc_model(void)
{
    lln_config_t c;
    lln_config_default(&c, LLN_CELL_CFC);
    c.input_size = 1;
    c.units = 4;
    c.backbone_units = 6;
    c.proj_size = 1;
    lln_model_t *m = NULL;
    CHECK(lln_model_create(&c, 5, &m, NULL) == LLN_OK);
    return m;
}

static const double *tensor(const lln_model_t *m, const char *name)
{
    const lln_tensor_info_t *t = lln_model_find(m, name);
    return t ? lln_model_params_const(m) + t->offset : NULL;
}

/* One optimizer step with a zero gradient: Adam moves nothing, so only the proximal steps
 * act. */
static lln_status_t prox_only(lln_model_t *m, double l1, double gl, double lr, int *masked)
{
    lln_optim_config_t oc;
    lln_optim_config_default(&oc);
    oc.lr = lr;
    oc.l1 = l1;
    oc.group_lasso = gl;
    lln_optim_t *o = NULL;
    lln_error_t err;
    lln_status_t st = lln_optim_create(m, &oc, &o, &err);
    size_t P = lln_model_param_count(m);
    double *g = calloc(P, sizeof *g);
    lln_optim_info_t info;
    memset(&info, 0, sizeof info);
    if (st == LLN_OK)
        st = lln_optim_step(o, m, g, &info, &err);
    if (st != LLN_OK)
        fprintf(stderr, "prox: %s\n", err.msg);
    *masked = info.masked;
    free(g);
    lln_optim_free(o);
    return st;
}

static void test_l1_wired(void)
{
    lln_model_t *m = ncp_model(LLN_CELL_WIRED_CFC, 8, LLN_POS_SOFTPLUS, 3);
    const lln_tensor_info_t *ff1 = lln_model_find(m, "rnn_cell.layer_0.ff1.weight");
    const lln_tensor_info_t *mk = lln_model_find(m, "rnn_cell.layer_0.sparsity_mask");
    const lln_tensor_info_t *ta = lln_model_find(m, "rnn_cell.layer_0.time_a.weight");
    size_t P = lln_model_param_count(m);
    double *before = malloc(P * sizeof *before);
    memcpy(before, lln_model_params_const(m), P * sizeof *before);
    const double lr = 0.1, l1 = 1.0, by = lr * l1;
    int masked = -1;
    CHECK(prox_only(m, l1, 0.0, lr, &masked) == LLN_OK);
    CHECK_EQ_INT(masked, 0);
    const double *p = lln_model_params_const(m);
    int zeros = 0, shrunk = 0;
    for (size_t i = 0; i < ff1->count; i++) {
        double w0 = before[ff1->offset + i], w1 = p[ff1->offset + i];
        if (p[mk->offset + i] == 0.0) { /* masked: untouched */
            CHECK(w1 == w0);
            continue;
        }
        double want = fabs(w0) <= by ? 0.0 : (w0 > 0 ? w0 - by : w0 + by);
        CHECK_NEAR(w1, want, 1e-15);
        zeros += w1 == 0.0;
        shrunk += w1 != 0.0;
    }
    CHECK_MSG(zeros > 0 && shrunk > 0, "zeros %d shrunk %d", zeros, shrunk);
    CHECK(memcmp(before + ta->offset, p + ta->offset, ta->count * sizeof(double)) == 0);
    free(before);
    lln_model_free(m);
}

static void test_group_lasso(void)
{
    /* LTC, identity positivity: a large lambda zeroes every synapse weight, no mask moves */
    lln_model_t *m = ncp_model(LLN_CELL_LTC, 8, LLN_POS_IDENTITY, 4);
    long syn = lln_sparse_synapses(m);
    int masked = -1;
    CHECK(syn > 0);
    CHECK(prox_only(m, 0.0, 100.0, 0.1, &masked) == LLN_OK);
    CHECK_EQ_INT(masked, 0);
    CHECK_EQ_INT(lln_sparse_synapses(m), syn);
    const lln_tensor_info_t *w = lln_model_find(m, "rnn_cell.w");
    const double *p = lln_model_params_const(m), *mk = tensor(m, "rnn_cell.sparsity_mask");
    for (size_t i = 0; i < w->count; i++)
        if (mk[i] != 0.0)
            CHECK(p[w->offset + i] == 0.0);
    lln_model_free(m);

    /* LTC softplus: strengths cannot be 0, so the neurons' synapses are masked out */
    m = ncp_model(LLN_CELL_LTC, 8, LLN_POS_SOFTPLUS, 4);
    lln_model_stats_t st0, st1;
    lln_model_stats(m, &st0);
    CHECK(prox_only(m, 0.0, 100.0, 0.1, &masked) == LLN_OK);
    CHECK_EQ_INT(masked, 1);
    CHECK_EQ_INT(lln_sparse_synapses(m), 0);
    lln_model_stats(m, &st1);
    CHECK(st1.macs < st0.macs && st1.synapses == 0 && st1.transcendentals == 0);
    lln_model_free(m);

    /* a small lambda shrinks (wired CfC) without zeroing any present synapse */
    m = ncp_model(LLN_CELL_WIRED_CFC, 8, LLN_POS_SOFTPLUS, 4);
    const lln_tensor_info_t *f = lln_model_find(m, "rnn_cell.layer_1.ff2.weight");
    double n0 = 0.0, n1 = 0.0;
    for (size_t i = 0; i < f->count; i++)
        n0 += fabs(lln_model_params_const(m)[f->offset + i]);
    CHECK(prox_only(m, 0.0, 0.01, 0.1, &masked) == LLN_OK);
    for (size_t i = 0; i < f->count; i++)
        n1 += fabs(lln_model_params_const(m)[f->offset + i]);
    CHECK_MSG(n1 < n0 && n1 > 0.5 * n0, "%g -> %g", n0, n1);
    lln_model_free(m);

    /* dense CfC: L1 yes, group lasso and pruning no */
    m = cfc_model();
    lln_error_t err;
    CHECK(prox_only(m, 1.0, 0.0, 0.1, &masked) == LLN_OK);
    CHECK(tensor(m, "rnn_cell.ff1.weight") != NULL);
    CHECK(lln_sparse_check(m, 0.1, 0.0, &err) == LLN_E_CONFIG && strstr(err.msg, "dense CfC"));
    CHECK(lln_prune_threshold(m, 0.1, NULL, &err) == LLN_E_CONFIG);
    lln_model_free(m);
}

static void test_prune(void)
{
    lln_model_t *m = ncp_model(LLN_CELL_LTC, 10, LLN_POS_SOFTPLUS, 6);
    long s0 = lln_sparse_synapses(m), pruned = 0;
    const lln_tensor_info_t *mt = lln_model_find(m, "rnn_cell.sparsity_mask");
    double *mask0 = malloc(mt->count * sizeof *mask0);
    memcpy(mask0, lln_model_params_const(m) + mt->offset, mt->count * sizeof *mask0);
    lln_model_stats_t a, b;
    lln_model_stats(m, &a);
    CHECK(lln_prune_fraction(m, 0.5, &pruned, NULL) == LLN_OK);
    CHECK_EQ_INT(pruned, (s0 + 1) / 2);
    CHECK_EQ_INT(lln_sparse_synapses(m), s0 - pruned);
    lln_model_stats(m, &b);
    CHECK_EQ_INT(a.synapses + a.sensory_synapses - pruned, b.synapses + b.sensory_synapses);
    CHECK(b.macs < a.macs && b.params < a.params);
    /* pruned: mask 0 and weight 0 */
    const lln_tensor_info_t *w = lln_model_find(m, "rnn_cell.w");
    const double *mk = tensor(m, "rnn_cell.sparsity_mask"), *p = lln_model_params_const(m);
    int removed = 0;
    for (size_t i = 0; i < w->count; i++)
        if (mk[i] == 0.0 && mask0[i] != 0.0) {
            CHECK(p[w->offset + i] == 0.0);
            removed++;
        }
    CHECK(removed > 0);
    free(mask0);
    /* threshold: every present synapse is at least as strong as it afterwards */
    CHECK(lln_prune_threshold(m, 1.2, &pruned, NULL) == LLN_OK);
    CHECK(pruned > 0);
    CHECK(lln_prune_fraction(m, 1.0, &pruned, NULL) == LLN_OK);
    CHECK_EQ_INT(lln_sparse_synapses(m), 0);
    lln_model_free(m);
}

/* ---- training -------------------------------------------------------------------------- */

static char *make_csv(size_t *len)
{
    size_t cap = 1 << 20, n = 0;
    char *s = malloc(cap);
    n += (size_t)snprintf(s + n, cap - n, "seq,dt,x,y\n");
    for (int q = 0; q < 16; q++) {
        double x1 = 0, t = 0;
        for (int r = 0; r < 40; r++) {
            double dt = 0.08 + 0.04 * ((q * 7 + r * 3) % 5) / 4.0;
            t += dt;
            double x = sin((1.0 + 0.15 * q) * t + q);
            n += (size_t)snprintf(s + n, cap - n, "s%d,%.4f,%.6f,%.6f\n", q, dt, x, (x + x1) / 2.0);
            x1 = x;
        }
    }
    *len = n;
    return s;
}

static lln_dataset_t *make_dataset(void)
{
    size_t len;
    char *csv = make_csv(&len);
    lln_csv_spec_t spec;
    lln_csv_spec_default(&spec);
    static const char *const feats[] = {"x"}, *const targs[] = {"y"};
    spec.features = feats;
    spec.nfeatures = 1;
    spec.targets = targs;
    spec.ntargets = 1;
    spec.sequence = "seq";
    spec.dt = "dt";
    lln_dataset_t *ds = NULL;
    lln_error_t err;
    int ok = lln_dataset_read_mem("sparse.csv", csv, len, &spec, &ds, &err) == LLN_OK &&
             lln_dataset_make_windows(ds, 20, 10, LLN_TAIL_DROP, &err) == LLN_OK &&
             lln_dataset_split(ds, LLN_SPLIT_SEQUENCE, 0.25, 0.0, 5, &err) == LLN_OK;
    if (!ok)
        fprintf(stderr, "dataset: %s\n", err.msg);
    free(csv);
    CHECK(ok);
    return ok ? ds : NULL;
}

typedef struct stopper {
    int stop_after, seen, prunes;
} stopper_t;

static int on_progress(const lln_train_progress_t *p, void *ctx)
{
    stopper_t *s = ctx;
    if (p->event == LLN_TRAIN_EPOCH) {
        s->prunes += p->pruned_now && p->pruned > 0;
        return 0;
    }
    return ++s->seen == s->stop_after;
}

static void sparse_config(lln_train_config_t *c, stopper_t *st, const char *ckpt)
{
    lln_train_config_default(c);
    c->optim.lr = 0.05;
    c->optim.l1 = 0.1;
    c->optim.group_lasso = 0.01;
    c->prune_threshold = 0.62; /* softplus strengths start in 0.69 .. 1.31 */
    c->prune_every = 2;
    c->epochs = 6;
    c->batch_size = 4;
    c->threads = 2;
    c->seed = 9;
    c->checkpoint = ckpt;
    c->progress = on_progress;
    c->progress_ctx = st;
}

/* A fresh LTC AutoNCP(6, 1) trained with penalties and pruning; stopped after stop_after
 * batches (> 0) and resumed in a new trainer from ckpt. */
static lln_model_t *train_sparse(const lln_dataset_t *ds, int stop_after, const char *ckpt,
                                 stopper_t *st)
{
    lln_model_t *m = ncp_model(LLN_CELL_LTC, 6, LLN_POS_SOFTPLUS, 8);
    lln_train_config_t c;
    sparse_config(&c, st, ckpt);
    st->stop_after = stop_after;
    lln_trainer_t *t = NULL;
    lln_error_t err;
    CHECK(lln_trainer_create(m, ds, &c, &t, &err) == LLN_OK);
    CHECK_MSG(lln_trainer_run(t, &err) == LLN_OK, "%s", err.msg);
    lln_train_progress_t p;
    lln_trainer_status(t, &p);
    lln_trainer_free(t);
    if (stop_after > 0 && !p.finished) {
        lln_model_free(m);
        m = ncp_model(LLN_CELL_LTC, 6, LLN_POS_SOFTPLUS, 8);
        st->stop_after = 0;
        CHECK(lln_trainer_create(m, ds, &c, &t, &err) == LLN_OK);
        CHECK_MSG(lln_trainer_load_checkpoint(t, ckpt, &err) == LLN_OK, "%s", err.msg);
        CHECK_MSG(lln_trainer_run(t, &err) == LLN_OK, "%s", err.msg);
        lln_trainer_free(t);
    }
    return m;
}

static int same_params(const lln_model_t *a, const lln_model_t *b)
{
    return lln_model_param_count(a) == lln_model_param_count(b) &&
           memcmp(lln_model_params_const(a), lln_model_params_const(b),
                  lln_model_param_count(a) * sizeof(double)) == 0;
}

static void test_training(void)
{
    lln_dataset_t *ds = make_dataset();
    if (ds == NULL)
        return;
    char ckpt[64];
    snprintf(ckpt, sizeof ckpt, "test_sparse_%ld.ckpt", (long)getpid());
    stopper_t s1 = {0, 0, 0}, s2 = {0, 0, 0}, s3 = {0, 0, 0};
    lln_model_t *a = train_sparse(ds, 0, NULL, &s1);
    lln_model_t *b = train_sparse(ds, 0, NULL, &s2);
    CHECK_MSG(s1.prunes > 0, "no prune step removed anything");
    CHECK(lln_sparse_synapses(a) < 30); /* AutoNCP(6,1) with 1 input starts above */
    CHECK_MSG(same_params(a, b), "same seed and threads, different models");
    lln_model_t *c =
        train_sparse(ds, 21, ckpt, &s3); /* 9 batches per epoch: inside epoch 3, after a prune */
    CHECK_EQ_INT(s1.seen, 6 * 9);
    CHECK(s3.seen > 21); /* it stopped, then resumed */
    CHECK_MSG(same_params(a, c), "stopped and resumed differs from uninterrupted");
    (void)remove(ckpt);

    /* pruned entries stay exactly zero through more training (no pruning, L1 off) */
    const lln_tensor_info_t *w = lln_model_find(a, "rnn_cell.w");
    const lln_tensor_info_t *mk = lln_model_find(a, "rnn_cell.sparsity_mask");
    size_t P = lln_model_param_count(a);
    double *before = malloc(P * sizeof *before);
    memcpy(before, lln_model_params_const(a), P * sizeof *before);
    lln_train_config_t tc;
    lln_train_config_default(&tc);
    tc.optim.lr = 0.05;
    tc.epochs = 3;
    tc.batch_size = 4;
    tc.threads = 2;
    lln_trainer_t *t = NULL;
    CHECK(lln_trainer_create(a, ds, &tc, &t, NULL) == LLN_OK);
    CHECK(lln_trainer_run(t, NULL) == LLN_OK);
    lln_trainer_free(t);
    const double *p = lln_model_params_const(a);
    int pruned = 0, moved = 0;
    for (size_t i = 0; i < w->count; i++) {
        if (before[mk->offset + i] == 0.0) {
            pruned++;
            CHECK(p[mk->offset + i] == 0.0 && p[w->offset + i] == before[w->offset + i]);
        }
    }
    moved = memcmp(before, p, P * sizeof *before) != 0; /* the rest trained on */
    CHECK_MSG(pruned > 0 && moved > 0, "pruned %d moved %d present %ld", pruned, moved,
              lln_sparse_synapses(a));
    /* the masks travel in the model file */
    unsigned char *bytes;
    size_t len;
    lln_model_t *d = NULL;
    CHECK(lln_model_save_mem(a, &bytes, &len, NULL) == LLN_OK);
    CHECK(lln_model_load_mem(bytes, len, "m", &d, NULL) == LLN_OK);
    free(bytes);
    CHECK(d != NULL && lln_sparse_synapses(d) == lln_sparse_synapses(a) && same_params(a, d));
    free(before);
    lln_model_free(a);
    lln_model_free(b);
    lln_model_free(c);
    lln_model_free(d);
    lln_dataset_free(ds);
}

/* LTC softplus: L1 alone masks synapses out between batches; the trainer keeps going on the
 * smaller structure (its workers remade) and the masks it leaves are in the model. */
static void test_l1_masks_while_training(void)
{
    lln_dataset_t *ds = make_dataset();
    if (ds == NULL)
        return;
    lln_model_t *m = ncp_model(LLN_CELL_LTC, 6, LLN_POS_SOFTPLUS, 8);
    long s0 = lln_sparse_synapses(m);
    lln_train_config_t c;
    lln_train_config_default(&c);
    c.optim.lr = 0.05;
    c.optim.l1 = 1.0; /* 0.05 per step: strengths under 1.31 reach 0 within 27 steps */
    c.epochs = 4;
    c.batch_size = 4;
    c.threads = 2;
    lln_trainer_t *t = NULL;
    lln_error_t err;
    CHECK(lln_trainer_create(m, ds, &c, &t, &err) == LLN_OK);
    CHECK_MSG(lln_trainer_run(t, &err) == LLN_OK, "%s", err.msg);
    lln_trainer_free(t);
    long s1 = lln_sparse_synapses(m);
    CHECK_MSG(s1 < s0, "%ld -> %ld synapses", s0, s1);
    lln_model_free(m);
    lln_dataset_free(ds);
}

/* ---- the budget loop ------------------------------------------------------------------------- */

static lln_status_t macs_cost(const lln_model_t *m, void *ctx, double *mw)
{
    (void)ctx;
    lln_model_stats_t st;
    lln_model_stats(m, &st);
    *mw = 0.001 * (double)st.macs;
    return LLN_OK;
}

static void test_budget(void)
{
    lln_dataset_t *ds = make_dataset();
    if (ds == NULL)
        return;
    lln_model_t *m = ncp_model(LLN_CELL_LTC, 8, LLN_POS_SOFTPLUS, 2);
    lln_train_config_t tc;
    lln_train_config_default(&tc);
    tc.epochs = 2;
    tc.batch_size = 4;
    tc.threads = 2;
    double full, floor_mw;
    CHECK(macs_cost(m, NULL, &full) == LLN_OK);
    CHECK(lln_budget_floor(m, macs_cost, NULL, &floor_mw, NULL) == LLN_OK);
    CHECK(floor_mw < full);
    CHECK_EQ_INT(lln_sparse_synapses(m) > 0, 1); /* restored after the floor */

    lln_budget_config_t bc;
    lln_budget_config_default(&bc);
    bc.cost = macs_cost;
    bc.round_epochs = 1;
    bc.budget_mw = 0.5 * (floor_mw + full);
    lln_budget_round_t r;
    lln_error_t err;
    CHECK_MSG(lln_train_to_budget(m, ds, &tc, &bc, &r, &err) == LLN_OK, "%s", err.msg);
    CHECK(r.within && r.mw <= bc.budget_mw && r.round > 0 && r.synapses < 100);
    double now;
    CHECK(macs_cost(m, NULL, &now) == LLN_OK && now == r.mw);

    /* below the floor: refused before any training, the model untouched */
    size_t P = lln_model_param_count(m);
    double *keep = malloc(P * sizeof *keep);
    memcpy(keep, lln_model_params_const(m), P * sizeof *keep);
    bc.budget_mw = 0.5 * floor_mw;
    CHECK(lln_train_to_budget(m, ds, &tc, &bc, &r, &err) == LLN_E_RANGE);
    CHECK_MSG(strstr(err.msg, "cannot be reached") != NULL, "%s", err.msg);
    CHECK(memcmp(keep, lln_model_params_const(m), P * sizeof *keep) == 0);
    free(keep);
    lln_model_free(m);

    m = cfc_model();
    bc.budget_mw = 1.0;
    CHECK(lln_train_to_budget(m, ds, &tc, &bc, &r, &err) == LLN_E_CONFIG);
    lln_model_free(m);
    lln_dataset_free(ds);
}

int main(void)
{
    test_l1_wired();
    test_group_lasso();
    test_prune();
    test_training();
    test_l1_masks_while_training();
    test_budget();
    return check_done("test_sparse");
}
