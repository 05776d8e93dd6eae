/* The stages of `lln search` (cmd_search.c): cost, successive halving, deployment, choice.
 *
 * Each unit of work leaves a file in the work folder DIR (cNN = candidate NN):
 *   cNN.cost.json    lln profile of the candidate's untrained firmware (the cost depends on
 *                    the structure, not on the weights; the chosen model is profiled again)
 *   cNN.rungR.txt    "metric V": lln train's best validation metric after rung R
 *   cNN.deploy.txt   "valid V test T": the deployed model's metric (lln quantize's fixed-point
 *                    figures, or the float model's)
 * and a run after a kill skips every unit whose file is there; training that was cut short
 * continues from cNN.ckpt. search.args holds the options the files were made with: another
 * command line on the same DIR is refused rather than mixing results.
 * Successive halving (Jamieson and Talwalkar 2016; Li et al., Hyperband 2018): rung r trains
 * the survivors to min_epochs x eta^r epochs (the last rung: --epochs) and keeps the best
 * ceil(n / eta); bad candidates stop early, so most of the time goes to the promising ones. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "budget_search.h"
#include "os.h"
#include "textout.h"

#define MAX_RUNGS 16

typedef struct {
    srch_args_t *a;
    const cli_dist_t *d;
    const lln_dataset_t *ds;
    int I, O, classify;
    srch_cand_t *c;
    int rung_epochs[MAX_RUNGS], nrungs;
} srch_t;

static void file_of(char *out, const srch_t *s, int i, const char *ext)
{
    snprintf(out, CMP_PATH, "%s/c%02d%s", s->a->out, i, ext);
}

static int exists(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0;
}

/* A small result file "key value key value": the values of keys, 1 when all were found. */
static int read_values(const char *path, const char *const *keys, double *v, int n)
{
    FILE *f = fopen(path, "r");
    char line[128];
    int found = 0;
    if (f == NULL)
        return 0;
    while (fgets(line, sizeof line, f) != NULL) {
        char *sp = strchr(line, ' '), *end = NULL;
        if (sp == NULL)
            continue;
        *sp = '\0';
        double x = strtod(sp + 1, &end);
        if (end == sp + 1 || (*end != '\n' && *end != '\0') || !isfinite(x))
            continue;
        for (int k = 0; k < n; k++)
            if (strcmp(line, keys[k]) == 0) {
                v[k] = x;
                found |= 1 << k;
            }
    }
    fclose(f);
    if (found != (1 << n) - 1) {
        cli_error("search", "%s: damaged (redoing that step)", path);
        return 0;
    }
    return 1;
}

static int write_values(const char *path, const char *const *keys, const double *v, int n)
{
    textout_t o;
    if (!textout_open(&o, path))
        return 0;
    for (int k = 0; k < n; k++)
        textout_printf(&o, "%s %.17g\n", keys[k], v[k]);
    return textout_finish(&o, "search", path);
}

static void add_all(cmp_argv_t *v, const cmp_argv_t *more)
{
    for (int i = 0; i < more->n; i++)
        cmp_argv_add(v, more->v[i]);
}

static int run(cmp_argv_t *v, const char *log, const char *what)
{
    int rc = cmp_run_child(v, log, what);
    cmp_argv_free(v);
    return rc;
}

static int owned(const srch_t *s, int i) { return i % s->d->ranks == s->d->rank; }

/* Every process fills the rows (F doubles each) of its own candidates; afterwards all hold
 * all of them. 0 or 1. */
static int share(const srch_t *s, double *v, int F)
{
    int n = s->a->n, R = s->d->ranks;
    if (R == 1)
        return 0;
    double *all = malloc((size_t)R * (size_t)n * (size_t)F * sizeof *all);
    if (all == NULL || cli_dist_allgather(v, (size_t)n * (size_t)F, all) != 0) {
        free(all);
        cli_error("search", "the exchange between processes failed");
        return 1;
    }
    for (int i = 0; i < n; i++)
        memcpy(v + (size_t)i * (size_t)F,
               all + ((size_t)(i % R) * (size_t)n + (size_t)i) * (size_t)F, (size_t)F * sizeof *v);
    free(all);
    return 0;
}

/* "search: [rank R] cNN ltc ...: MSG" on stderr. */
static void tell(const srch_t *s, int i, const char *msg)
{
    char desc[96], who[32] = "";
    srch_describe(&s->c[i], desc, sizeof desc);
    if (s->d->ranks > 1)
        snprintf(who, sizeof who, "[rank %d] ", s->d->rank);
    fprintf(stderr, "search: %sc%02d %s: %s\n", who, i, desc, msg);
}

/* ---- stage 1: cost ------------------------------------------------------------------------ */

static int save_init(const srch_t *s, int i, const char *path)
{
    lln_config_t cfg;
    lln_model_t *m = NULL;
    lln_error_t err;
    if (exists(path))
        return 1;
    if (srch_config(&s->c[i], s->I, s->O, &cfg, NULL) != 0 ||
        lln_model_create(&cfg, s->a->seed, &m, &err) != LLN_OK)
        return 0;
    int ok = cli_save_model("search", m, path);
    lln_model_free(m);
    return ok;
}

static int profile(const srch_t *s, const char *model, const char *json, const char *log)
{
    char rate[32];
    snprintf(rate, sizeof rate, "%.17g", s->a->rate);
    cmp_argv_t v = {{0}, 0};
    const char *head[] = {CMP_SELF, "profile", model,    "--device", s->a->device,
                          "--rate", rate,      "--json", "-o",       json};
    for (size_t k = 0; k < sizeof head / sizeof head[0]; k++)
        cmp_argv_add(&v, head[k]);
    if (s->a->sleep)
        cmp_argv_add(&v, "--sleep"), cmp_argv_add(&v, s->a->sleep);
    if (s->a->devices)
        cmp_argv_add(&v, "--devices"), cmp_argv_add(&v, s->a->devices);
    return run(&v, log, "profiling");
}

/* Quantizes model into q (the data options for calibration). 0 or 1. */
static int quantize(const srch_t *s, const char *model, const char *q, const char *log)
{
    cmp_argv_t v = {{0}, 0};
    const char *head[] = {CMP_SELF, "quantize", model, "-o", q};
    for (size_t k = 0; k < sizeof head / sizeof head[0]; k++)
        cmp_argv_add(&v, head[k]);
    add_all(&v, &s->a->data_argv);
    return run(&v, log, "quantizing");
}

static int cost_one(const srch_t *s, int i)
{
    char init[CMP_PATH], q[CMP_PATH], json[CMP_PATH], log[CMP_PATH];
    srch_cand_t *c = &s->c[i];
    file_of(init, s, i, ".init.lln");
    file_of(q, s, i, ".cost.q.lln");
    file_of(json, s, i, ".cost.json");
    file_of(log, s, i, ".cost.log");
    if (exists(json) && cmp_read_profile(json, &c->row) == 0)
        return 0;
    tell(s, i, "profiling its firmware");
    if (!save_init(s, i, init))
        return 1;
    if (c->fixed && quantize(s, init, q, log) != 0)
        return 1;
    return profile(s, c->fixed ? q : init, json, log) || cmp_read_profile(json, &c->row);
}

static int within(const srch_args_t *a, const cmp_row_t *r)
{
    return r->fits && (a->max_ram <= 0 || (double)r->ram <= a->max_ram) &&
           (a->max_flash <= 0 || (double)r->flash <= a->max_flash) &&
           (a->max_mw <= 0 || r->power_mw <= a->max_mw) &&
           (a->max_uj <= 0 || r->energy_uj <= a->max_uj) &&
           (a->max_us <= 0 || r->latency_us <= a->max_us);
}

enum { CF_OK, CF_FLASH, CF_RAM, CF_INSTR, CF_CYCLES, CF_US, CF_UJ, CF_MW, CF_FITS, CF_N };

static int stage_cost(srch_t *s)
{
    int n = s->a->n;
    double *v = calloc((size_t)n * CF_N, sizeof *v);
    if (v == NULL)
        return 1;
    for (int i = 0; i < n; i++) {
        if (!owned(s, i))
            continue;
        cmp_row_t *r = &s->c[i].row;
        double *x = v + (size_t)i * CF_N;
        x[CF_OK] = cost_one(s, i) == 0;
        x[CF_FLASH] = (double)r->flash, x[CF_RAM] = (double)r->ram, x[CF_INSTR] = r->instr;
        x[CF_CYCLES] = r->cycles, x[CF_US] = r->latency_us, x[CF_UJ] = r->energy_uj;
        x[CF_MW] = r->power_mw, x[CF_FITS] = r->fits;
    }
    int rc = share(s, v, CF_N);
    for (int i = 0; rc == 0 && i < n; i++) {
        srch_cand_t *c = &s->c[i];
        const double *x = v + (size_t)i * CF_N;
        c->costed = x[CF_OK] != 0;
        c->row.flash = (long)x[CF_FLASH], c->row.ram = (long)x[CF_RAM], c->row.instr = x[CF_INSTR];
        c->row.cycles = x[CF_CYCLES], c->row.latency_us = x[CF_US], c->row.energy_uj = x[CF_UJ];
        c->row.power_mw = x[CF_MW], c->row.fits = x[CF_FITS] != 0;
        c->fits = c->costed && within(s->a, &c->row);
    }
    free(v);
    return rc;
}

/* ---- stage 2: successive halving ------------------------------------------------------------ */

/* lln train's best validation metric (trained.best_metric) as a score, lower is better. */
static int trained_score(const srch_t *s, const char *model, double *score)
{
    lln_model_t *m = cli_load_model("search", model);
    const char *t = m ? lln_model_get_meta(m, "trained.best_metric") : NULL;
    char *end = NULL;
    double v = t ? strtod(t, &end) : NAN;
    int ok = t != NULL && end != t && *end == '\0' && isfinite(v);
    lln_model_free(m);
    if (!ok) {
        cli_error("search", "%s: no finite trained.best_metric (no validation split?)", model);
        return 1;
    }
    *score = s->classify ? -v : v; /* accuracy: higher is better */
    return 0;
}

static int train_one(const srch_t *s, int i, int rung, double *score)
{
    static const char *const keys[] = {"score"};
    char init[CMP_PATH], model[CMP_PATH], ckpt[CMP_PATH], hist[CMP_PATH], log[CMP_PATH];
    char done[CMP_PATH], ext[32], ep[16], lr[32];
    snprintf(ext, sizeof ext, ".rung%d.txt", rung);
    file_of(done, s, i, ext);
    if (exists(done) && read_values(done, keys, score, 1))
        return 0;
    file_of(init, s, i, ".init.lln");
    file_of(model, s, i, ".lln");
    file_of(ckpt, s, i, ".ckpt");
    file_of(hist, s, i, ".history.csv");
    file_of(log, s, i, ".train.log");
    snprintf(ep, sizeof ep, "%d", s->rung_epochs[rung]);
    snprintf(lr, sizeof lr, "%.17g", s->c[i].lr);
    int resume = exists(ckpt);
    char msg[64];
    snprintf(msg, sizeof msg, "training%s to %d epochs", resume ? " (resumed)" : "",
             s->rung_epochs[rung]);
    tell(s, i, msg);
    cmp_argv_t v = {{0}, 0};
    const char *head[] = {CMP_SELF,  "train",        "--init", init,        "--norm", "fit",
                          "--quiet", "--checkpoint", ckpt,     "--history", hist,     "--epochs",
                          ep,        "--lr",         lr,       "-o",        model};
    for (size_t k = 0; k < sizeof head / sizeof head[0]; k++)
        cmp_argv_add(&v, head[k]);
    if (resume)
        cmp_argv_add(&v, "--resume");
    add_all(&v, &s->a->data_argv);
    add_all(&v, &s->a->train_argv);
    if (run(&v, log, "training") != 0 || trained_score(s, model, score) != 0)
        return 1;
    return write_values(done, keys, score, 1) ? 0 : 1;
}

static int cmp_score(const void *pa, const void *pb, void *ctx)
{
    const srch_cand_t *c = ctx;
    int a = *(const int *)pa, b = *(const int *)pb;
    double x = c[a].metric, y = c[b].metric;
    return x < y ? -1 : x > y ? 1 : a - b;
}

/* Insertion sort by score (ties: lower id): few candidates, and qsort_r is not portable. */
static void sort_alive(const srch_t *s, int *alive, int n)
{
    for (int i = 1; i < n; i++)
        for (int j = i; j > 0 && cmp_score(&alive[j - 1], &alive[j], s->c) > 0; j--) {
            int t = alive[j];
            alive[j] = alive[j - 1];
            alive[j - 1] = t;
        }
}

static int stage_train(srch_t *s)
{
    int n = s->a->n, alive[SRCH_MAX] = {0}, na = 0;
    for (int i = 0; i < n; i++)
        if (s->c[i].fits)
            alive[na++] = i;
    double *v = malloc((size_t)n * 2 * sizeof *v);
    if (v == NULL)
        return 1;
    for (int r = 0; r < s->nrungs && na > 0; r++) {
        memset(v, 0, (size_t)n * 2 * sizeof *v);
        for (int k = 0; k < na; k++) {
            int i = alive[k];
            if (!owned(s, i))
                continue;
            double score = NAN;
            int ok = train_one(s, i, r, &score) == 0;
            v[2 * (size_t)i] = ok;
            v[2 * (size_t)i + 1] = ok ? score : 0.0;
        }
        if (share(s, v, 2) != 0) {
            free(v);
            return 1;
        }
        int kept = 0;
        for (int k = 0; k < na; k++) {
            srch_cand_t *c = &s->c[alive[k]];
            const double *x = v + 2 * (size_t)alive[k];
            if (x[0] == 0.0) { /* training failed: out of the search */
                c->metric = NAN;
                continue;
            }
            c->metric = x[1];
            c->rungs = r + 1;
            alive[kept++] = alive[k];
        }
        na = kept;
        sort_alive(s, alive, na);
        if (r + 1 < s->nrungs)
            na = (na + s->a->eta - 1) / s->a->eta;
        printf("rung %d    %d epochs: %d trained, best c%02d (validation %s %.6g), %d continue\n",
               r + 1, s->rung_epochs[r], kept, na > 0 ? alive[0] : -1,
               s->classify ? "accuracy" : "loss",
               na > 0 ? (s->classify ? -s->c[alive[0]].metric : s->c[alive[0]].metric) : NAN,
               r + 1 < s->nrungs ? na : 0);
        (void)fflush(stdout);
    }
    free(v);
    return 0;
}

/* ---- stage 3: deployment ----------------------------------------------------------------------- */

static int deployed_file(const srch_t *s, int i, char *out)
{
    file_of(out, s, i, s->c[i].fixed ? ".q.lln" : ".lln");
    return 0;
}

static int meta_value(const lln_model_t *m, const char *key, double *v)
{
    const char *t = lln_model_get_meta(m, key);
    char *end = NULL;
    *v = t ? strtod(t, &end) : NAN;
    return t != NULL && end != t && *end == '\0' && isfinite(*v);
}

static int deploy_one(const srch_t *s, int i, double *vt)
{
    static const char *const keys[] = {"valid", "test"};
    char model[CMP_PATH], dep[CMP_PATH], log[CMP_PATH], done[CMP_PATH];
    file_of(done, s, i, ".deploy.txt");
    if (exists(done) && read_values(done, keys, vt, 2))
        return 0;
    file_of(model, s, i, ".lln");
    file_of(log, s, i, ".quantize.log");
    deployed_file(s, i, dep);
    tell(s, i, s->c[i].fixed ? "quantizing and scoring" : "scoring");
    if (s->c[i].fixed && quantize(s, model, dep, log) != 0)
        return 1;
    lln_model_t *m = cli_load_model("search", dep);
    int ok = m != NULL;
    if (ok && s->c[i].fixed) {
        ok =
            meta_value(m, "quant.valid.fixed", &vt[0]) && meta_value(m, "quant.test.fixed", &vt[1]);
        if (!ok)
            cli_error("search", "%s: no quant.valid.fixed / quant.test.fixed metadata", dep);
    } else if (ok) {
        ok = cmp_float_metric(s->ds, s->classify, m, LLN_VALID, &vt[0]) == 0 &&
             cmp_float_metric(s->ds, s->classify, m, LLN_TEST, &vt[1]) == 0;
    }
    lln_model_free(m);
    return ok && write_values(done, keys, vt, 2) ? 0 : 1;
}

static int stage_deploy(srch_t *s)
{
    int n = s->a->n;
    double *v = calloc((size_t)n * 3, sizeof *v);
    if (v == NULL)
        return 1;
    for (int i = 0; i < n; i++) {
        double *x = v + 3 * (size_t)i;
        if (owned(s, i) && s->c[i].rungs > 0)
            x[0] = deploy_one(s, i, x + 1) == 0;
    }
    int rc = share(s, v, 3);
    for (int i = 0; rc == 0 && i < n; i++) {
        const double *x = v + 3 * (size_t)i;
        s->c[i].deployed = x[0] != 0;
        s->c[i].row.valid = x[1];
        s->c[i].row.test = x[2];
    }
    free(v);
    return rc;
}

/* ---- stage 4: the choice and the outputs (rank 0) ------------------------------------------------ */

static int better(const srch_t *s, const srch_cand_t *x, const srch_cand_t *y)
{
    if (x->row.valid != y->row.valid)
        return s->classify ? x->row.valid > y->row.valid : x->row.valid < y->row.valid;
    return x->row.energy_uj < y->row.energy_uj;
}

/* The best fully trained, deployed candidate within the budget whose trained firmware,
 * profiled again, is still within it; -1 when none. */
static int choose(srch_t *s, cmp_row_t *final)
{
    int tried[SRCH_MAX] = {0};
    for (;;) {
        int best = -1;
        for (int i = 0; i < s->a->n; i++) {
            const srch_cand_t *c = &s->c[i];
            if (!tried[i] && c->deployed && c->rungs == s->nrungs && c->fits &&
                (best < 0 || better(s, c, &s->c[best])))
                best = i;
        }
        if (best < 0)
            return -1;
        tried[best] = 1;
        char dep[CMP_PATH], json[CMP_PATH], log[CMP_PATH];
        deployed_file(s, best, dep);
        file_of(json, s, best, ".profile.json");
        file_of(log, s, best, ".profile.log");
        *final = s->c[best].row;
        if (profile(s, dep, json, log) == 0 && cmp_read_profile(json, final) == 0 &&
            within(s->a, final))
            return best;
        cli_error("search", "c%02d: its trained firmware is outside the budget; the next one",
                  best);
    }
}

static void fill_rows(const srch_t *s, cmp_row_t *rows, int *nrows)
{
    *nrows = 0;
    for (int i = 0; i < s->a->n; i++) {
        const srch_cand_t *c = &s->c[i];
        if (!c->deployed)
            continue;
        cmp_row_t *r = &rows[(*nrows)++];
        *r = c->row;
        snprintf(r->kind, sizeof r->kind, "c%02d-%s", i, c->cell);
        r->units = c->units;
        r->reached = c->rungs == s->nrungs;
        file_of(r->history, s, i, ".history.csv");
        deployed_file(s, i, r->model);
    }
}

static int write_table(const srch_t *s, int chosen)
{
    char path[CMP_PATH];
    snprintf(path, sizeof path, "%s/candidates.tsv", s->a->out);
    textout_t o;
    if (!textout_open(&o, path))
        return 1;
    textout_printf(&o,
                   "id\tcell\twiring\tunits\tsparsity\tlr\truntime\tflash_bytes\tram_bytes\t"
                   "latency_us\tenergy_uj\tpower_mw\twithin_budget\trungs\tepochs\t"
                   "train_metric\tvalid_%s\ttest_%s\tchosen\n",
                   s->classify ? "accuracy" : "mse", s->classify ? "accuracy" : "mse");
    for (int i = 0; i < s->a->n; i++) {
        const srch_cand_t *c = &s->c[i];
        const cmp_row_t *r = &c->row;
        double tm = isnan(c->metric) ? NAN : s->classify ? -c->metric : c->metric;
        textout_printf(&o, "c%02d\t%s\t%s\t%d\t%.2f\t%.3g\t%s\t", i, c->cell, c->wiring, c->units,
                       c->sparsity, c->lr, c->fixed ? "fixed" : "float");
        if (c->costed)
            textout_printf(&o, "%ld\t%ld\t%.6g\t%.6g\t%.6g\t%s\t", r->flash, r->ram, r->latency_us,
                           r->energy_uj, r->power_mw, c->fits ? "yes" : "no");
        else
            textout_printf(&o, "\t\t\t\t\tfailed\t");
        textout_printf(&o, "%d\t%d\t", c->rungs, c->rungs ? s->rung_epochs[c->rungs - 1] : 0);
        if (c->rungs > 0)
            textout_printf(&o, "%.6g", tm);
        textout_printf(&o, "\t");
        if (c->deployed)
            textout_printf(&o, "%.6g\t%.6g", r->valid, r->test);
        else
            textout_printf(&o, "\t");
        textout_printf(&o, "\t%s\n", i == chosen ? "yes" : "");
    }
    return textout_finish(&o, "search", path) ? 0 : 1;
}

static int outputs(srch_t *s)
{
    cmp_row_t *rows = calloc((size_t)s->a->n, sizeof *rows), final;
    int nrows = 0, rc = 0;
    if (rows == NULL)
        return 1;
    int best = choose(s, &final);
    fill_rows(s, rows, &nrows);
    const char *metric = s->classify ? "accuracy" : "mse";
    char json[CMP_PATH], out[CMP_PATH];
    snprintf(json, sizeof json, "%s/search.json", s->a->out);
    snprintf(out, sizeof out, "%s/best.lln", s->a->out);
    if (nrows > 0) {
        cmp_print_table(stdout, rows, nrows, metric, s->a->device, s->a->rate);
        rc = cmp_write_json(json, rows, nrows, s->a->data.path, metric, s->a->device, s->a->rate,
                            "search", s->a->out);
    }
    rc = rc || write_table(s, best);
    if (rc == 0 && best >= 0) {
        char dep[CMP_PATH];
        deployed_file(s, best, dep);
        lln_model_t *m = cli_load_model("search", dep);
        char desc[96];
        srch_describe(&s->c[best], desc, sizeof desc);
        if (m != NULL)
            lln_model_set_meta(m, "search.candidate", desc);
        rc = m == NULL || !cli_save_model("search", m, out);
        lln_model_free(m);
        if (rc == 0)
            printf("\nchosen     c%02d %s: valid %s %.6g, test %.6g; %ld B flash, %ld B RAM, "
                   "%.4g uJ/step, %.4g mW at %g Hz on %s (profiled again)\nwrote      %s, %s, "
                   "%s/candidates.tsv\n",
                   best, desc, metric, final.valid, final.test, final.flash, final.ram,
                   final.energy_uj, final.power_mw, s->a->rate, s->a->device, out, json, s->a->out);
    } else if (rc == 0) {
        cli_error("search", "no trained candidate fits the budget (see %s/candidates.tsv)",
                  s->a->out);
        rc = 1;
    }
    free(rows);
    return rc;
}

/* ---- the whole search -------------------------------------------------------------------------- */

static void plan_rungs(srch_t *s)
{
    const srch_args_t *a = s->a;
    s->nrungs = 0;
    for (long e = a->min_epochs; e < a->epochs && s->nrungs < MAX_RUNGS - 1; e *= a->eta)
        s->rung_epochs[s->nrungs++] = (int)e;
    s->rung_epochs[s->nrungs++] = a->epochs;
}

/* search.args: the options the work folder's files were made with. */
static int check_args(const srch_t *s)
{
    char path[CMP_PATH], now[8200];
    snprintf(path, sizeof path, "%s/search.args", s->a->out);
    snprintf(now, sizeof now, "%s\n", s->a->fingerprint);
    FILE *f = fopen(path, "r");
    if (f != NULL) {
        char old[8200];
        size_t len = fread(old, 1, sizeof old - 1, f);
        fclose(f);
        old[len] = '\0';
        if (strcmp(old, now) == 0)
            return 0;
        cli_error("search",
                  "%s holds a search made with other options (%s): give the same options to "
                  "continue it, or another -o",
                  s->a->out, path);
        return 1;
    }
    if (s->d->rank != 0)
        return 0;
    textout_t o;
    if (!textout_open(&o, path))
        return 1;
    textout_str(&o, now);
    return textout_finish(&o, "search", path) ? 0 : 1;
}

static int make_dir(const char *d)
{
    if (cli_mkdir(d) == 0 || errno == EEXIST)
        return 1;
    cli_error("search", "cannot create %s: %s", d, strerror(errno));
    return 0;
}

static int search(srch_t *s)
{
    int n = s->a->n, rc = stage_cost(s), fit = 0, failed = 0;
    for (int i = 0; i < n; i++)
        fit += s->c[i].fits, failed += !s->c[i].costed;
    printf("cost       %d candidates profiled on %s: %d within the budget, %d outside, %d failed\n",
           n, s->a->device, fit, n - fit - failed, failed);
    (void)fflush(stdout);
    if (rc == 0)
        rc = stage_train(s);
    if (rc == 0)
        rc = stage_deploy(s);
    return rc;
}

int srch_run(srch_args_t *a, const cli_dist_t *d, int *agreed)
{
    *agreed = 0;
    if (cmp_check_device(a->devices, a->device, a->sleep) != 0)
        return EXIT_USAGE;
    lln_dataset_t *ds = NULL;
    int rc = make_dir(a->out) ? cli_data_load("search", &a->data, 1, &ds) : EXIT_FAIL;
    if (rc != 0)
        return rc;
    lln_dataset_info_t in;
    lln_dataset_info(ds, &in);
    srch_t s;
    memset(&s, 0, sizeof s);
    s.a = a, s.d = d, s.ds = ds, s.I = in.inputs;
    s.O = in.classes > 0 ? in.classes : in.outputs;
    s.classify = in.classes > 0;
    s.c = calloc((size_t)a->n, sizeof *s.c);
    plan_rungs(&s);
    rc = s.c == NULL || srch_sample(a, s.I, s.O, s.c, a->n) || check_args(&s) ? EXIT_FAIL : 0;
    if (rc == 0) {
        cli_data_describe(ds, a->data.path);
        printf("search     %d candidates, rungs of", a->n);
        for (int r = 0; r < s.nrungs; r++)
            printf(" %d", s.rung_epochs[r]);
        printf(" epochs (keep 1/%d), on %d process%s\n", a->eta, d->ranks,
               d->ranks == 1 ? "" : "es");
        (void)fflush(stdout);
        rc = search(&s) ? EXIT_FAIL : 0;
    }
    /* rank 0 chooses and writes; the others take its verdict */
    double verdict = rc == 0 && d->rank == 0 ? (outputs(&s) ? EXIT_FAIL : 0) : rc, *all = NULL;
    if (rc == 0 && d->ranks > 1) {
        all = malloc((size_t)d->ranks * sizeof *all);
        int ok = all != NULL && cli_dist_allgather(&verdict, 1, all) == 0;
        rc = ok ? (int)all[0] : EXIT_FAIL;
        *agreed = ok;
        free(all);
    } else if (rc == 0) {
        rc = (int)verdict;
    }
    free(s.c);
    lln_dataset_free(ds);
    return rc;
}
