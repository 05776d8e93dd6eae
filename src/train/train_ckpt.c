/* Training checkpoints (lln_trainer_save_checkpoint / lln_trainer_load_checkpoint).
 *
 * A checkpoint is an ordinary model file holding the current parameters, so `lln info`,
 * `lln run` and lln_model_load() read it like any model. Everything else a resume needs is
 * in "train.*" metadata entries:
 *   train.checkpoint  format version ("1")
 *   train.settings    "batch=32 seed=1 threads=2 ..." (must match when resuming)
 *   train.position    "epoch batch steps best_epoch bad_epochs finished"
 *   train.scalars     loss_sum loss_count valid_loss valid_acc best_metric (bit patterns)
 *   train.best.K, train.moment0.K, train.moment1.K   vectors as bit patterns
 * Doubles are written as the 16 hex digits of their IEEE-754 bits, so every value, NaN
 * included, comes back exact. A vector is cut into entries of CHUNK values (the format allows
 * 64 KiB per metadata value). The file is written with lln_model_save(): temporary file,
 * fsync, rename, so a crash leaves either the old or the new checkpoint. */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lln/format.h"
#include "train_internal.h"
#include "common/alloc.h"

#define CHUNK 4000 /* doubles per metadata entry: 64000 hex digits */
#define CKPT_VERSION "1"

/* "batch=32 seed=1 ...": the settings a resumed run must share with the original one. */
static void train_settings(const lln_trainer_t *t, char *out, size_t cap)
{
    static const char *const kinds[] = {"adam", "adamw", "sgd"};
    const lln_train_config_t *c = &t->cfg;
    snprintf(out, cap,
             "batch=%d seed=%llu threads=%d precision=%s optimizer=%s lr=%a loss=%s "
             "loss_steps=%s train_windows=%zu valid_windows=%zu steps=%d params=%zu",
             c->batch_size, c->seed,
             lln_batch_grad_threads(t->pool) * (c->dist != NULL ? c->dist->ranks : 1),
             c->dtype == LLN_F64 ? "f64" : "f32", kinds[c->optim.kind], c->optim.lr,
             c->loss == LLN_LOSS_MSE ? "mse" : "cross_entropy",
             c->loss_steps == LLN_LOSS_LAST_STEP ? "last" : "every", t->ntrain, t->nvalid, t->T,
             t->P);
    /* only when used, so checkpoints of runs without sparsity keep their settings string */
    size_t len = strlen(out);
    if (c->optim.l1 > 0 || c->optim.group_lasso > 0 || c->prune_threshold > 0)
        snprintf(out + len, cap - len, " l1=%a group_lasso=%a prune=%a/%d", c->optim.l1,
                 c->optim.group_lasso, c->prune_threshold, c->prune_every);
    len = strlen(out);
    if (c->drop_last) /* the same: only when used */
        snprintf(out + len, cap - len, " drop_last=1");
}

/* ---- encoding ------------------------------------------------------------------------------ */

static void put_hex(char *s, double v)
{
    static const char digits[] = "0123456789abcdef";
    uint64_t u;
    memcpy(&u, &v, sizeof u);
    for (int i = 15; i >= 0; i--, u >>= 4)
        s[i] = digits[u & 15u];
}

static int get_hex(const char *s, double *v)
{
    uint64_t u = 0;
    for (int i = 0; i < 16; i++) {
        char c = s[i];
        unsigned d = c >= '0' && c <= '9'   ? (unsigned)(c - '0')
                     : c >= 'a' && c <= 'f' ? (unsigned)(c - 'a' + 10)
                                            : 16u;
        if (d > 15)
            return 0;
        u = u << 4 | d;
    }
    memcpy(v, &u, sizeof u);
    return 1;
}

static lln_status_t put_vector(lln_model_t *m, const char *name, const double *v, size_t n,
                               char *text)
{
    char key[64];
    for (size_t k = 0, i = 0; i < n; k++) {
        size_t len = n - i;
        if (len > CHUNK)
            len = CHUNK;
        for (size_t j = 0; j < len; j++)
            put_hex(text + 16 * j, v[i + j]);
        text[16 * len] = '\0';
        snprintf(key, sizeof key, "train.%s.%zu", name, k);
        lln_status_t st = lln_model_set_meta(m, key, text);
        if (st != LLN_OK)
            return st;
        i += len;
    }
    return LLN_OK;
}

static lln_status_t get_vector(const lln_model_t *m, const char *path, const char *name, double *v,
                               size_t n, lln_error_t *err)
{
    char key[64];
    size_t i = 0;
    for (size_t k = 0;; k++) {
        snprintf(key, sizeof key, "train.%s.%zu", name, k);
        const char *s = lln_model_get_meta(m, key);
        if (s == NULL)
            break;
        size_t len = strlen(s);
        if (len % 16 != 0 || i + len / 16 > n)
            return lln_error_set(err, LLN_E_FORMAT, "%s: checkpoint entry '%s' has a bad length",
                                 path, key);
        for (size_t j = 0; j < len / 16; j++)
            if (!get_hex(s + 16 * j, &v[i + j]))
                return lln_error_set(err, LLN_E_FORMAT,
                                     "%s: checkpoint entry '%s': value %zu is not 16 hex digits",
                                     path, key, j);
        i += len / 16;
    }
    if (i != n)
        return lln_error_set(err, LLN_E_FORMAT, "%s: checkpoint vector '%s' has %zu of %zu values",
                             path, name, i, n);
    return LLN_OK;
}

/* ---- save ------------------------------------------------------------------------------------ */

static lln_status_t put_state(const lln_trainer_t *t, lln_model_t *c, char *text)
{
    char s[1024];
    lln_status_t st = lln_model_set_meta(c, "train.checkpoint", CKPT_VERSION);
    train_settings(t, s, sizeof s);
    if (st == LLN_OK)
        st = lln_model_set_meta(c, "train.settings", s);
    snprintf(s, sizeof s, "%d %d %ld %d %d %d", t->epoch, t->batch, lln_optim_steps(t->opt),
             t->best_epoch, t->bad_epochs, t->finished);
    if (st == LLN_OK)
        st = lln_model_set_meta(c, "train.position", s);
    if (st == LLN_OK) {
        double sc[5] = {t->loss_sum, t->loss_count, t->valid_loss, t->valid_acc, t->best_metric};
        st = put_vector(c, "scalars", sc, 5, text);
    }
    if (st == LLN_OK)
        st = put_vector(c, "best", t->best, t->P, text);
    for (int k = 0; st == LLN_OK && k < lln_optim_moment_count(t->opt); k++) {
        char name[32];
        snprintf(name, sizeof name, "moment%d", k);
        st = put_vector(c, name, lln_optim_moment(t->opt, k), t->P, text);
    }
    return st;
}

/* A copy of the model (same file bytes) to hang the training state on. */
static lln_status_t clone_model(const lln_model_t *m, lln_model_t **out, lln_error_t *err)
{
    unsigned char *bytes;
    size_t len;
    lln_status_t st = lln_model_save_mem(m, &bytes, &len, err);
    if (st != LLN_OK)
        return st;
    st = lln_model_load_mem(bytes, len, "checkpoint", out, err);
    lln__free(bytes);
    return st;
}

lln_status_t lln_trainer_save_checkpoint(const lln_trainer_t *t, const char *path, lln_error_t *err)
{
    if (t == NULL || path == NULL)
        return lln_error_set(err, LLN_E_ARG, "checkpoint: NULL argument");
    lln_model_t *c;
    lln_status_t st = clone_model(t->m, &c, err);
    if (st != LLN_OK)
        return st;
    if (t->model_holds_best) {
        memcpy(lln_model_params(c), t->cur, t->P * sizeof(double));
        st = lln_model_prepare(c, err);
    }
    char *text = lln__malloc(16 * CHUNK + 1);
    if (text == NULL)
        st = lln_error_set(err, LLN_E_NOMEM, "checkpoint: out of memory");
    if (st == LLN_OK && (st = put_state(t, c, text)) != LLN_OK)
        lln_error_set(err, st, "checkpoint %s: cannot store the training state", path);
    lln__free(text);
    if (st == LLN_OK)
        st = lln_model_save(c, path, err);
    lln_model_free(c);
    return st;
}

/* ---- load ------------------------------------------------------------------------------------ */

/* n blank-separated integers filling all of s (NULL: 0). */
static int parse_longs(const char *s, long *v, int n)
{
    if (s == NULL)
        return 0;
    for (int i = 0; i < n; i++) {
        char *end;
        errno = 0;
        v[i] = strtol(s, &end, 10);
        if (end == s || errno == ERANGE || (*end != ' ' && *end != '\0'))
            return 0;
        s = end;
    }
    return *s == '\0';
}

static lln_status_t same_structure(const lln_model_t *a, const lln_model_t *b, const char *path,
                                   lln_error_t *err)
{
    size_t n = lln_model_tensor_count(a);
    if (n != lln_model_tensor_count(b) || lln_model_param_count(a) != lln_model_param_count(b))
        return lln_error_set(err, LLN_E_CONFIG, "%s: the checkpoint's model has another structure",
                             path);
    for (size_t i = 0; i < n; i++) {
        const lln_tensor_info_t *x = lln_model_tensor(a, i), *y = lln_model_tensor(b, i);
        if (strcmp(x->name, y->name) != 0 || x->count != y->count || x->offset != y->offset)
            return lln_error_set(err, LLN_E_CONFIG,
                                 "%s: the checkpoint's tensor '%s' differs from the model's '%s'",
                                 path, y->name, x->name);
    }
    return LLN_OK;
}

/* Names the first setting that differs ("batch=32" vs "batch=16"). */
static lln_status_t check_settings(const lln_trainer_t *t, const char *saved, const char *path,
                                   lln_error_t *err)
{
    char now[1024];
    train_settings(t, now, sizeof now);
    if (strcmp(now, saved) == 0)
        return LLN_OK;
    const char *a = now, *b = saved;
    while (*a != '\0' || *b != '\0') {
        size_t la = strcspn(a, " "), lb = strcspn(b, " ");
        if (la != lb || strncmp(a, b, la) != 0)
            return lln_error_set(err, LLN_E_CONFIG,
                                 "%s: the checkpoint was made with %.*s, this run has %.*s "
                                 "(resume with the same settings)",
                                 path, (int)lb, b, (int)la, a);
        a += la + (a[la] == ' ');
        b += lb + (b[lb] == ' ');
    }
    return LLN_OK;
}

static lln_status_t get_state(lln_trainer_t *t, const lln_model_t *c, const char *path,
                              lln_error_t *err)
{
    const char *pos = lln_model_get_meta(c, "train.position");
    long v[6];
    /* epoch, batch, optimizer steps (at most one per batch taken), best epoch (<= epoch),
     * epochs without improvement, finished (0/1) */
    if (!parse_longs(pos, v, 6) || v[0] < 0 || v[0] > 1000000000L || v[1] < 0 ||
        v[1] > t->batches || v[2] < 0 || v[2] > v[0] * (long)t->batches + v[1] || v[3] < 0 ||
        v[3] > v[0] || v[4] < 0 || v[4] > v[0] || (v[5] != 0 && v[5] != 1))
        return lln_error_set(err, LLN_E_FORMAT,
                             "%s: 'train.position' is missing, damaged or out of range ('%s')",
                             path, pos ? pos : "");
    int e = (int)v[0], b = (int)v[1], be = (int)v[3], bad = (int)v[4], fin = v[5] != 0;
    long steps = v[2];
    double sc[5] = {0, 0, 0, 0, 0};
    int nm = lln_optim_moment_count(t->opt);
    double *tmp = lln__malloc((size_t)(1 + nm) * (t->P ? t->P : 1) * sizeof(double));
    if (tmp == NULL)
        return lln_error_set(err, LLN_E_NOMEM, "%s: out of memory", path);
    lln_status_t st = get_vector(c, path, "scalars", sc, 5, err);
    /* loss_sum, loss_count (a count of values), valid_loss, valid_acc, best_metric (finite once
     * an epoch was kept: a NaN there would keep no epoch ever again) */
    if (st == LLN_OK && (!(sc[1] >= 0 && sc[1] <= 9.0e15 && sc[1] == floor(sc[1])) ||
                         isnan(sc[0]) || (v[3] > 0 && !isfinite(sc[4]))))
        st = lln_error_set(err, LLN_E_FORMAT,
                           "%s: 'train.scalars' out of range (loss sum %g over %g values, best "
                           "metric %g at epoch %ld)",
                           path, sc[0], sc[1], sc[4], v[3]);
    if (st == LLN_OK)
        st = get_vector(c, path, "best", tmp, t->P, err);
    for (int k = 0; st == LLN_OK && k < nm; k++) {
        char name[32];
        snprintf(name, sizeof name, "moment%d", k);
        st = get_vector(c, path, name, tmp + (size_t)(k + 1) * t->P, t->P, err);
    }
    if (st == LLN_OK) { /* everything read: now change the trainer */
        memcpy(t->best, tmp, t->P * sizeof(double));
        for (int k = 0; k < nm; k++)
            memcpy(lln_optim_moment(t->opt, k), tmp + (size_t)(k + 1) * t->P,
                   t->P * sizeof(double));
        t->epoch = e;
        t->batch = b;
        t->best_epoch = be;
        t->bad_epochs = bad;
        t->finished = fin;
        if (e < t->cfg.epochs && !(t->cfg.patience > 0 && bad >= t->cfg.patience))
            t->finished = 0; /* more epochs asked for than the checkpoint's run had */
        t->loss_sum = sc[0];
        t->loss_count = sc[1];
        t->valid_loss = sc[2];
        t->valid_acc = sc[3];
        t->best_metric = sc[4];
        st = lln_optim_set_steps(t->opt, steps);
    }
    lln__free(tmp);
    return st;
}

lln_status_t lln_trainer_load_checkpoint(lln_trainer_t *t, const char *path, lln_error_t *err)
{
    if (t == NULL || path == NULL)
        return lln_error_set(err, LLN_E_ARG, "checkpoint: NULL argument");
    lln_model_t *c;
    lln_status_t st = lln_model_load(path, &c, err);
    if (st != LLN_OK)
        return st;
    const char *ver = lln_model_get_meta(c, "train.checkpoint");
    const char *set = lln_model_get_meta(c, "train.settings");
    if (ver == NULL || set == NULL) {
        lln_model_free(c);
        return lln_error_set(err, LLN_E_FORMAT, "%s: a model file, but not a training checkpoint",
                             path);
    }
    if (strcmp(ver, CKPT_VERSION) != 0)
        st = lln_error_set(err, LLN_E_FORMAT, "%s: checkpoint version '%s' (this is %s)", path, ver,
                           CKPT_VERSION);
    if (st == LLN_OK)
        st = same_structure(t->m, c, path, err);
    if (st == LLN_OK)
        st = check_settings(t, set, path, err);
    if (st == LLN_OK)
        st = get_state(t, c, path, err);
    if (st == LLN_OK) {
        memcpy(lln_model_params(t->m), lln_model_params_const(c), t->P * sizeof(double));
        t->model_holds_best = 0;
        st = lln_model_prepare(t->m, err);
    }
    if (st == LLN_OK) /* the checkpoint's masks may hold synapses pruned since the start */
        st = lln_optim_refresh_mask(t->opt, t->m, err);
    if (st == LLN_OK)
        st = lln__trainer_remake_pools(t, err);
    lln_model_free(c);
    return lln_error_prefix(err, st, path); /* every message names the checkpoint */
}
