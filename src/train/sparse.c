/* Sparsity (include/lln/sparse.h): the synapse map of each cell, proximal L1 / group-lasso
 * steps, and magnitude pruning into the sparsity masks. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/mathfn.h"
#include "sparse_internal.h"
#include "common/alloc.h"

/* ---- the map ------------------------------------------------------------------------------ */

typedef struct builder {
    lln__syn_t *s;
    size_t n, cap;
} builder_t;

static int push(builder_t *b, lln__syn_t s)
{
    if (b->n == b->cap) {
        size_t cap = b->cap ? 2 * b->cap : 256;
        lln__syn_t *t = lln__realloc(b->s, cap * sizeof *t);
        if (t == NULL)
            return 0;
        b->s = t;
        b->cap = cap;
    }
    b->s[b->n++] = s;
    return 1;
}

/* LTC: w (N x N, row = presynaptic neuron) and sensory_w (I x N, row = input). */
static int map_ltc(const lln_model_t *m, builder_t *b)
{
    static const char *const w[2] = {"rnn_cell.w", "rnn_cell.sensory_w"};
    static const char *const mk[2] = {"rnn_cell.sparsity_mask", "rnn_cell.sensory_sparsity_mask"};
    for (int k = 0; k < 2; k++) {
        const lln_tensor_info_t *wt = lln_model_find(m, w[k]), *mt = lln_model_find(m, mk[k]);
        if (wt == NULL || mt == NULL)
            continue;
        int cols = wt->dims[1];
        for (size_t i = 0; i < wt->count; i++) {
            int row = (int)(i / (size_t)cols), col = (int)(i % (size_t)cols);
            lln__syn_t s = {mt->offset + i, {wt->offset + i, 0}, 1, k == 0 ? row : -1, col};
            if (!push(b, s))
                return 0;
        }
    }
    return 1;
}

/* Wired CfC layer l: mask (n x (in + n)); entry (r, k) feeds neuron first + r from the
 * previous layer (k < in; the inputs for layer 0) or from this layer (k >= in). */
static int map_wired(const lln_model_t *m, builder_t *b)
{
    const lln_config_t *c = lln_model_config(m);
    int in = c->input_size, first = 0, prev_first = 0;
    for (int l = 0; l < c->num_layers; l++) {
        char name[64];
        int n = c->layer_sizes[l];
        snprintf(name, sizeof name, "rnn_cell.layer_%d.sparsity_mask", l);
        const lln_tensor_info_t *mt = lln_model_find(m, name);
        snprintf(name, sizeof name, "rnn_cell.layer_%d.ff1.weight", l);
        const lln_tensor_info_t *f1 = lln_model_find(m, name);
        snprintf(name, sizeof name, "rnn_cell.layer_%d.ff2.weight", l);
        const lln_tensor_info_t *f2 = lln_model_find(m, name);
        for (int r = 0; mt != NULL && f1 != NULL && r < n; r++)
            for (int k = 0; k < in + n; k++) {
                size_t i = (size_t)r * (size_t)(in + n) + (size_t)k;
                int pre = k >= in ? first + k - in : l == 0 ? -1 : prev_first + k;
                lln__syn_t s = {mt->offset + i,
                                {f1->offset + i, f2 ? f2->offset + i : 0},
                                f2 ? 2 : 1,
                                pre,
                                first + r};
                if (!push(b, s))
                    return 0;
            }
        prev_first = first;
        first += n;
        in = n;
    }
    return 1;
}

/* Dense CfC: every entry of the cell's weight matrices, no mask, no neuron. */
static int map_dense(const lln_model_t *m, builder_t *b)
{
    for (size_t t = 0; t < lln_model_tensor_count(m); t++) {
        const lln_tensor_info_t *ti = lln_model_tensor(m, t);
        size_t len = strlen(ti->name);
        if (!(ti->flags & LLN_TENSOR_TRAINABLE) || ti->ndim != 2 ||
            strncmp(ti->name, "rnn_cell.", 9) != 0 || len < 7 ||
            strcmp(ti->name + len - 7, ".weight") != 0)
            continue;
        for (size_t i = 0; i < ti->count; i++) {
            lln__syn_t s = {LLN__NO_MASK, {ti->offset + i, 0}, 1, -1, -1};
            if (!push(b, s))
                return 0;
        }
    }
    return 1;
}

/* Neuron groups as compressed rows: each synapse is listed under its pre and its post. */
static int build_groups(lln__synmap_t *map)
{
    size_t N = (size_t)map->neurons;
    map->grp_start = lln__calloc(N + 2, sizeof(size_t));
    map->grp = lln__malloc((2 * map->n + 1) * sizeof(size_t));
    if (map->grp_start == NULL || map->grp == NULL)
        return 0;
    for (size_t i = 0; i < map->n; i++) {
        const lln__syn_t *s = &map->s[i];
        if (s->post >= 0)
            map->grp_start[s->post + 2]++;
        if (s->pre >= 0 && s->pre != s->post)
            map->grp_start[s->pre + 2]++;
    }
    for (size_t k = 2; k < N + 2; k++)
        map->grp_start[k] += map->grp_start[k - 1];
    for (size_t i = 0; i < map->n; i++) { /* fill in synapse order: deterministic */
        const lln__syn_t *s = &map->s[i];
        if (s->post >= 0)
            map->grp[map->grp_start[s->post + 1]++] = i;
        if (s->pre >= 0 && s->pre != s->post)
            map->grp[map->grp_start[s->pre + 1]++] = i;
    }
    return 1;
}

lln_status_t lln__synmap_build(const lln_model_t *m, lln__synmap_t *map, lln_error_t *err)
{
    const lln_config_t *c = lln_model_config(m);
    builder_t b = {NULL, 0, 0};
    memset(map, 0, sizeof *map);
    map->masked = c->cell != LLN_CELL_CFC;
    map->softplus = c->cell == LLN_CELL_LTC && c->positivity == LLN_POS_SOFTPLUS;
    map->neurons = map->masked ? lln_model_state_size(m) : 0;
    int ok = c->cell == LLN_CELL_LTC   ? map_ltc(m, &b)
             : c->cell == LLN_CELL_CFC ? map_dense(m, &b)
                                       : map_wired(m, &b);
    map->s = b.s;
    map->n = b.n;
    if (ok)
        ok = build_groups(map);
    if (!ok) {
        lln__synmap_free(map);
        return lln_error_set(err, LLN_E_NOMEM, "sparsity: out of memory");
    }
    return LLN_OK;
}

void lln__synmap_free(lln__synmap_t *map)
{
    lln__free(map->s);
    lln__free(map->grp);
    lln__free(map->grp_start);
    memset(map, 0, sizeof *map);
}

/* 1 when synapse s is present (mask 1 or no mask). */
static int syn_present(const lln__synmap_t *map, const double *p, const lln__syn_t *s)
{
    (void)map;
    return s->mask == LLN__NO_MASK ? p[s->w[0]] != 0.0 : p[s->mask] != 0.0;
}

/* The strength the cell uses (>= 0). */
static double syn_strength(const lln__synmap_t *map, const double *p, const lln__syn_t *s)
{
    if (map->softplus)
        return lln_softplus(p[s->w[0]]);
    if (s->nw == 1)
        return fabs(p[s->w[0]]);
    return sqrt(p[s->w[0]] * p[s->w[0]] + p[s->w[1]] * p[s->w[1]]);
}

/* Removes synapse s: mask 0 (when it has one) and weights 0. */
static void syn_remove(const lln__synmap_t *map, double *p, const lln__syn_t *s)
{
    (void)map;
    if (s->mask != LLN__NO_MASK)
        p[s->mask] = 0.0;
    for (int k = 0; k < s->nw; k++)
        p[s->w[k]] = 0.0;
}

/* ---- proximal steps ------------------------------------------------------------------------ */

/* The raw LTC weight whose softplus is s > 0 (torch's softplus is linear above 20). */
static double softplus_inv(double s) { return s > 20.0 ? s : log(expm1(s)); }

static double shrink(double w, double by)
{
    double a = fabs(w) - by;
    return a > 0.0 ? (w < 0.0 ? -a : a) : 0.0;
}

/* Scales synapse s's strength by f in [0, 1); returns 1 when it masked the synapse out. */
static int scale_syn(const lln__synmap_t *map, double *p, const lln__syn_t *s, double f)
{
    if (!map->softplus) {
        for (int k = 0; k < s->nw; k++)
            p[s->w[k]] *= f;
        return 0;
    }
    double v = lln_softplus(p[s->w[0]]) * f;
    if (v > 0.0 && isfinite(softplus_inv(v))) {
        p[s->w[0]] = softplus_inv(v);
        return 0;
    }
    syn_remove(map, p, s);
    return 1;
}

static int prox_l1(const lln__synmap_t *map, double *p, double by)
{
    int changed = 0;
    for (size_t i = 0; i < map->n; i++) {
        const lln__syn_t *s = &map->s[i];
        if (!syn_present(map, p, s))
            continue;
        if (map->softplus) {
            double v = lln_softplus(p[s->w[0]]);
            changed |= scale_syn(map, p, s, v > by ? (v - by) / v : 0.0);
        } else {
            for (int k = 0; k < s->nw; k++)
                p[s->w[k]] = shrink(p[s->w[k]], by);
        }
    }
    return changed;
}

static int prox_group(const lln__synmap_t *map, double *p, double by)
{
    int changed = 0;
    for (int k = 0; k < map->neurons; k++) {
        double sq = 0.0, size = 0.0;
        for (size_t j = map->grp_start[k]; j < map->grp_start[k + 1]; j++) {
            const lln__syn_t *s = &map->s[map->grp[j]];
            if (!syn_present(map, p, s))
                continue;
            double v = syn_strength(map, p, s);
            sq += v * v;
            size += 1.0;
        }
        if (size == 0.0)
            continue;
        double norm = sqrt(sq), f = norm > 0.0 ? 1.0 - by * sqrt(size) / norm : 0.0;
        if (f >= 1.0)
            continue;
        for (size_t j = map->grp_start[k]; j < map->grp_start[k + 1]; j++) {
            const lln__syn_t *s = &map->s[map->grp[j]];
            if (syn_present(map, p, s))
                changed |= scale_syn(map, p, s, f > 0.0 ? f : 0.0);
        }
    }
    return changed;
}

int lln__sparse_prox(const lln__synmap_t *map, double *p, double l1, double gl, double lr)
{
    int changed = 0;
    if (l1 > 0.0)
        changed |= prox_l1(map, p, lr * l1);
    if (gl > 0.0 && map->neurons > 0)
        changed |= prox_group(map, p, lr * gl);
    return changed;
}

/* ---- public functions ------------------------------------------------------------------------ */

long lln_sparse_synapses(const lln_model_t *m)
{
    lln__synmap_t map;
    if (m == NULL || lln__synmap_build(m, &map, NULL) != LLN_OK)
        return -1;
    const double *p = lln_model_params_const(m);
    long n = 0;
    for (size_t i = 0; i < map.n; i++)
        n += syn_present(&map, p, &map.s[i]);
    lln__synmap_free(&map);
    return n;
}

int lln_sparse_prunable(const lln_model_t *m)
{
    return m != NULL && lln_model_config(m)->cell != LLN_CELL_CFC;
}

lln_status_t lln_sparse_check(const lln_model_t *m, double group_lasso, double prune_threshold,
                              lln_error_t *err)
{
    if (m == NULL)
        return lln_error_set(err, LLN_E_ARG, "sparsity: NULL model");
    if (!(group_lasso >= 0.0) || !(prune_threshold >= 0.0))
        return lln_error_set(err, LLN_E_ARG, "sparsity: negative group lasso or threshold");
    if (lln_sparse_prunable(m) || (group_lasso == 0.0 && prune_threshold == 0.0))
        return LLN_OK;
    return lln_error_set(err, LLN_E_CONFIG,
                         "sparsity: a dense CfC has no sparsity masks, so %s is not supported "
                         "for it (L1 is); use --cell ltc or --cell wired_cfc to prune",
                         group_lasso > 0.0 ? "group lasso" : "pruning");
}

lln_status_t lln_prune_threshold(lln_model_t *m, double threshold, long *pruned, lln_error_t *err)
{
    if (pruned != NULL)
        *pruned = 0;
    lln_status_t st = lln_sparse_check(m, 0.0, threshold, err);
    if (st != LLN_OK)
        return st;
    if (!(threshold > 0.0) || !isfinite(threshold))
        return lln_error_set(err, LLN_E_ARG, "prune: threshold %g must be finite and > 0",
                             threshold);
    lln__synmap_t map;
    if ((st = lln__synmap_build(m, &map, err)) != LLN_OK)
        return st;
    double *p = lln_model_params(m);
    long n = 0;
    for (size_t i = 0; i < map.n; i++) {
        const lln__syn_t *s = &map.s[i];
        if (syn_present(&map, p, s) && syn_strength(&map, p, s) < threshold) {
            syn_remove(&map, p, s);
            n++;
        }
    }
    lln__synmap_free(&map);
    if (pruned != NULL)
        *pruned = n;
    return lln_model_prepare(m, err);
}

typedef struct ranked {
    double strength;
    size_t index;
} ranked_t;

static int by_strength(const void *a, const void *b)
{
    const ranked_t *x = a, *y = b;
    if (x->strength != y->strength)
        return x->strength < y->strength ? -1 : 1;
    return x->index < y->index ? -1 : x->index > y->index;
}

lln_status_t lln_prune_fraction(lln_model_t *m, double fraction, long *pruned, lln_error_t *err)
{
    if (pruned != NULL)
        *pruned = 0;
    lln_status_t st = lln_sparse_check(m, 0.0, 1.0, err);
    if (st != LLN_OK)
        return st;
    if (!(fraction > 0.0 && fraction <= 1.0))
        return lln_error_set(err, LLN_E_ARG, "prune: fraction %g is not in (0, 1]", fraction);
    lln__synmap_t map;
    if ((st = lln__synmap_build(m, &map, err)) != LLN_OK)
        return st;
    double *p = lln_model_params(m);
    ranked_t *r = lln__malloc((map.n ? map.n : 1) * sizeof *r);
    if (r == NULL) {
        lln__synmap_free(&map);
        return lln_error_set(err, LLN_E_NOMEM, "prune: out of memory");
    }
    size_t present = 0;
    for (size_t i = 0; i < map.n; i++)
        if (syn_present(&map, p, &map.s[i]))
            r[present++] = (ranked_t){syn_strength(&map, p, &map.s[i]), i};
    qsort(r, present, sizeof *r, by_strength);
    size_t k = (size_t)ceil(fraction * (double)present);
    for (size_t j = 0; j < k && j < present; j++)
        syn_remove(&map, p, &map.s[r[j].index]);
    lln__free(r);
    lln__synmap_free(&map);
    if (pruned != NULL)
        *pruned = (long)(k < present ? k : present);
    return lln_model_prepare(m, err);
}
