/* The figures of lln report / lln plot, each an SVG and an HTML table of its numbers:
 * training curves, metric vs energy with the Pareto front, per-device latency and energy,
 * flash and RAM against the device's capacity, closed-loop success against the deployed timing. */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "report.h"
#include "svg.h"

#define W 640.0 /* px: every figure's width */
#define H 400.0

typedef struct figs {
    rep_figure_t *f;
    int n, cap, oom;
} figs_t;

/* Adds a figure, taking the two texts (freed here on failure). */
static void add(figs_t *fs, const char *name, lln_text_t *svg, lln_text_t *table)
{
    if (svg->oom || (table != NULL && table->oom) || fs->oom) {
        fs->oom = 1;
        free(svg->s);
        free(table ? table->s : NULL);
        return;
    }
    if (fs->n == fs->cap) {
        int cap = fs->cap ? fs->cap * 2 : 8;
        rep_figure_t *g = realloc(fs->f, (size_t)cap * sizeof *g);
        if (g == NULL) {
            fs->oom = 1;
            free(svg->s);
            free(table ? table->s : NULL);
            return;
        }
        fs->f = g;
        fs->cap = cap;
    }
    rep_figure_t *f = &fs->f[fs->n++];
    snprintf(f->name, sizeof f->name, "%s", name);
    f->svg = svg->s;
    f->table = table ? table->s : NULL;
}

/* ---- HTML tables ----------------------------------------------------------------------- */

static void th(lln_text_t *t, const char *const *cols, int n)
{
    lln_text_put(t, "<table><thead><tr>");
    for (int i = 0; i < n; i++)
        lln_text_put(t, "<th>%s</th>", cols[i]); /* our own constant headings */
    lln_text_put(t, "</tr></thead><tbody>\n");
}

static void td_text(lln_text_t *t, const char *s)
{
    lln_text_put(t, "<td>");
    svg_escape(t, s ? s : "-", 200);
    lln_text_put(t, "</td>");
}

static void td_num(lln_text_t *t, double v, int sig)
{
    char b[40];
    if (isfinite(v) && fabs(v) < 1e15 && v == floor(v) && sig >= 6)
        snprintf(b, sizeof b, "%.0f", v); /* counts: every digit */
    else
        svg_fmt(b, sizeof b, v, sig);
    lln_text_put(t, "<td class=\"n\">%s</td>", b);
}

/* ---- scales ---------------------------------------------------------------------------- */

/* The scale of an axis over v[0..n): opt 1 log (every value must be > 0), 0 linear, -1
 * auto (log when all are > 0 and they span more than 20x). -1 after a message. */
static int choose_log(const char *cmd, const char *opt, int want, const double *v, int n,
                      const char *what)
{
    double lo = INFINITY, hi = 0;
    int positive = 1;
    for (int i = 0; i < n; i++) {
        if (!isfinite(v[i]))
            continue;
        if (v[i] <= 0) {
            positive = 0;
            if (want == 1) {
                cli_error(cmd, "%s log: %s has a value of %g, which a log scale cannot show", opt,
                          what, v[i]);
                return -1;
            }
        }
        lo = v[i] < lo ? v[i] : lo;
        hi = v[i] > hi ? v[i] : hi;
    }
    if (want >= 0)
        return want;
    return positive && lo < INFINITY && hi > 20 * lo;
}

/* ---- training curves ------------------------------------------------------------------- */

static void history_table(lln_text_t *t, const rep_results_t *r)
{
    static const char *const COLS[] = {"model",           "epochs",   "final train loss",
                                       "best valid loss", "at epoch", "best valid metric",
                                       "at epoch",        "seconds"};
    th(t, COLS, 8);
    for (int i = 0; i < r->nhist; i++) {
        const rep_history_t *h = &r->hist[i];
        int bl = -1, bm = -1, lower = strcmp(h->metric, "accuracy") != 0;
        for (int k = 0; k < h->n; k++) {
            if (isfinite(h->valid_loss[k]) && (bl < 0 || h->valid_loss[k] < h->valid_loss[bl]))
                bl = k;
            double m = h->valid_metric[k];
            if (isfinite(m) &&
                (bm < 0 || (lower ? m < h->valid_metric[bm] : m > h->valid_metric[bm])))
                bm = k;
        }
        lln_text_put(t, "<tr>");
        td_text(t, h->name);
        td_num(t, h->n, 9);
        td_num(t, h->train_loss[h->n - 1], 4);
        td_num(t, bl >= 0 ? h->valid_loss[bl] : NAN, 4);
        td_num(t, bl >= 0 ? h->epoch[bl] : NAN, 9);
        char metric[64];
        svg_fmt(metric, sizeof metric, bm >= 0 ? h->valid_metric[bm] : NAN, 4);
        lln_text_put(t, "<td class=\"n\">%s%s%s</td>", metric, bm >= 0 && h->metric[0] ? " " : "",
                     bm >= 0 ? h->metric : "");
        td_num(t, bm >= 0 ? h->epoch[bm] : NAN, 9);
        td_num(t, h->seconds[h->n - 1], 4);
        lln_text_put(t, "</tr>\n");
    }
    lln_text_put(t, "</tbody></table>\n");
}

static int fig_loss(const char *cmd, const rep_results_t *r, const rep_opts_t *o, figs_t *fs)
{
    svg_axis_t x, y;
    int want = o->loss_log;
    double lo = INFINITY, hi = 0;
    for (int i = 0; i < r->nhist; i++) {
        const rep_history_t *h = &r->hist[i];
        int s = choose_log(cmd, "--loss-scale", want, h->train_loss, h->n, h->path);
        int v = s < 0 ? -1 : choose_log(cmd, "--loss-scale", want, h->valid_loss, h->n, h->path);
        if (s < 0 || v < 0)
            return 0;
        for (int k = 0; k < h->n; k++) {
            double a = h->train_loss[k], b = h->valid_loss[k];
            if (a <= 0 || (isfinite(b) && b <= 0))
                lo = 0;
            lo = a < lo ? a : lo;
            hi = a > hi ? a : hi;
            lo = isfinite(b) && b < lo ? b : lo;
            hi = isfinite(b) && b > hi ? b : hi;
        }
    }
    int log = want >= 0 ? want : lo > 0 && hi > 20 * lo;
    svg_axis_init(&x, "epoch", 0, 0);
    svg_axis_init(&y, log ? "loss (log scale)" : "loss", log, 0);
    for (int i = 0; i < r->nhist; i++)
        for (int k = 0; k < r->hist[i].n; k++) {
            svg_axis_add(&x, r->hist[i].epoch[k]);
            svg_axis_add(&y, r->hist[i].train_loss[k]);
            svg_axis_add(&y, r->hist[i].valid_loss[k]);
        }
    svg_axis_fit(&x);
    svg_axis_fit(&y);
    lln_text_t svg = {0}, table = {0};
    svg_chart_t c;
    svg_begin(&c, &svg, "training-loss", "Training curves: loss per epoch", W, H, &x, &y, 0,
              o->xml_decl);
    svg_key_t keys[SVG_NCOLORS + 2];
    int nk = 0, any_valid = 0;
    for (int i = 0; i < r->nhist; i++) {
        const rep_history_t *h = &r->hist[i];
        for (int k = 0; k < h->n; k++)
            any_valid |= isfinite(h->valid_loss[k]);
        if (nk < SVG_NCOLORS)
            keys[nk++] = (svg_key_t){h->name, i, 0, 0};
    }
    keys[nk++] = (svg_key_t){"training (solid)", 6, 0, 0};
    if (any_valid)
        keys[nk++] = (svg_key_t){"validation (dashed)", 6, 1, 0};
    svg_legend(&c, keys, nk);
    svg_axes(&c);
    for (int i = 0; i < r->nhist; i++) {
        const rep_history_t *h = &r->hist[i];
        svg_line(&c, h->epoch, h->train_loss, h->n, i, 0, 2);
        svg_line(&c, h->epoch, h->valid_loss, h->n, i, 1, 2);
    }
    svg_end(&c);
    history_table(&table, r);
    add(fs, "training-loss", &svg, &table);
    return 1;
}

/* The validation metric per epoch, one figure per kind of metric. */
static void fig_metric(const rep_results_t *r, const rep_opts_t *o, const char *kind, figs_t *fs)
{
    svg_axis_t x, y;
    int n = 0;
    for (int i = 0; i < r->nhist; i++)
        if (strcmp(r->hist[i].metric, kind) == 0)
            for (int k = 0; k < r->hist[i].n; k++)
                n += isfinite(r->hist[i].valid_metric[k]);
    if (n == 0)
        return;
    const char *label = kind[0] == 'a'   ? "validation accuracy"
                        : kind[0] == 'm' ? "validation MSE"
                                         : "validation metric";
    char name[64], title[96];
    snprintf(name, sizeof name, "training-%s", kind[0] ? kind : "metric");
    snprintf(title, sizeof title, "Training curves: %s per epoch", label);
    svg_axis_init(&x, "epoch", 0, 0);
    svg_axis_init(&y, label, 0, 0);
    for (int i = 0; i < r->nhist; i++)
        if (strcmp(r->hist[i].metric, kind) == 0)
            for (int k = 0; k < r->hist[i].n; k++) {
                svg_axis_add(&x, r->hist[i].epoch[k]);
                svg_axis_add(&y, r->hist[i].valid_metric[k]);
            }
    svg_axis_fit(&x);
    svg_axis_fit(&y);
    lln_text_t svg = {0};
    svg_chart_t c;
    svg_begin(&c, &svg, name, title, W, H, &x, &y, 0, o->xml_decl);
    svg_key_t keys[SVG_NCOLORS];
    int nk = 0;
    for (int i = 0; i < r->nhist && nk < SVG_NCOLORS; i++)
        if (strcmp(r->hist[i].metric, kind) == 0)
            keys[nk++] = (svg_key_t){r->hist[i].name, i, 0, 0};
    svg_legend(&c, keys, nk);
    svg_axes(&c);
    for (int i = 0; i < r->nhist; i++)
        if (strcmp(r->hist[i].metric, kind) == 0)
            svg_line(&c, r->hist[i].epoch, r->hist[i].valid_metric, r->hist[i].n, i, 0, 2);
    svg_end(&c);
    add(fs, name, &svg, NULL);
}

/* ---- metric vs energy ------------------------------------------------------------------ */

static void compare_table(lln_text_t *t, const rep_compare_t *cm)
{
    static const char *const COLS[] = {"model",          "params",       "metric",
                                       "energy/step µJ", "cycles/step",  "flash B",
                                       "RAM B",          "avg power mW", "Pareto"};
    th(t, COLS, 9);
    for (int k = 0; k < cm->nrows; k++) {
        const rep_row_t *w = &cm->rows[k];
        lln_text_put(t, "<tr%s>", w->pareto ? " class=\"front\"" : "");
        td_text(t, w->model);
        td_num(t, w->params, 9);
        td_num(t, w->metric_value, 4);
        td_num(t, w->energy_per_step_uj, 4);
        td_num(t, w->cycles_per_step, 9);
        td_num(t, w->flash_bytes, 9);
        td_num(t, w->ram_bytes, 9);
        td_num(t, w->avg_power_mw, 4);
        lln_text_put(t, "<td>%s</td></tr>\n", w->pareto ? "front" : "");
    }
    lln_text_put(t, "</tbody></table>\n");
}

static int fig_pareto(const char *cmd, const rep_compare_t *cm, int index, const rep_opts_t *o,
                      figs_t *fs)
{
    int n = cm->nrows;
    double *e = malloc((size_t)n * sizeof *e);
    int *front = malloc((size_t)n * sizeof *front); /* rows on the front, by energy */
    if (e == NULL || front == NULL) {
        free(e);
        free(front);
        fs->oom = 1;
        return 1;
    }
    for (int k = 0; k < n; k++)
        e[k] = cm->rows[k].energy_per_step_uj;
    int log = choose_log(cmd, "--energy-scale", o->energy_log, e, n, cm->path);
    free(e);
    if (log < 0) {
        free(front);
        return 0;
    }
    int acc = strcmp(cm->metric, "accuracy") == 0;
    svg_axis_t x, y;
    svg_axis_init(&x, log ? "energy per step, µJ (log scale)" : "energy per step, µJ", log, 0);
    svg_axis_init(&y, acc ? "accuracy" : "MSE (lower is better)", 0, 0);
    for (int k = 0; k < n; k++) {
        svg_axis_add(&x, cm->rows[k].energy_per_step_uj);
        svg_axis_add(&y, cm->rows[k].metric_value);
    }
    svg_axis_fit(&x);
    svg_axis_fit(&y);
    char name[64], title[256], rate[32], tip[300];
    snprintf(name, sizeof name, "pareto-%d", index + 1);
    svg_fmt(rate, sizeof rate, cm->rate_hz, 6);
    snprintf(title, sizeof title, "%.60s on %.40s at %s Hz: %s vs energy per step (%s)", cm->task,
             cm->device, rate, acc ? "accuracy" : "MSE",
             strcmp(cm->match, "search") == 0     ? "lln search candidates"
             : strcmp(cm->match, "accuracy") == 0 ? "accuracy matched"
                                                  : "size matched");
    lln_text_t svg = {0}, table = {0};
    svg_chart_t c;
    svg_begin(&c, &svg, name, title, W, H, &x, &y, 0, o->xml_decl);
    int nf = 0;
    for (int k = 0; k < n; k++)
        if (cm->rows[k].pareto)
            front[nf++] = k;
    svg_key_t keys[2] = {{"Pareto front", 1, 1, 1}, {"dominated", 0, -2, 2}};
    svg_legend(&c, keys, nf < n ? 2 : 1);
    svg_axes(&c);
    /* the front as a staircase: each step reaches the next front point's better metric */
    for (int a = 1; a < nf; a++) /* insertion sort: a handful of rows */
        for (int b = a; b > 0 && cm->rows[front[b]].energy_per_step_uj <
                                     cm->rows[front[b - 1]].energy_per_step_uj;
             b--) {
            int t = front[b];
            front[b] = front[b - 1];
            front[b - 1] = t;
        }
    double sx[2 * 64], sy[2 * 64];
    int ns = 0;
    for (int k = 0; k < nf && ns + 2 <= 2 * 64; k++) {
        const rep_row_t *w = &cm->rows[front[k]];
        if (k > 0) {
            sx[ns] = w->energy_per_step_uj;
            sy[ns++] = cm->rows[front[k - 1]].metric_value;
        }
        sx[ns] = w->energy_per_step_uj;
        sy[ns++] = w->metric_value;
    }
    free(front);
    svg_line(&c, sx, sy, ns, 1, 1, 1.5);
    char ebuf[32], mbuf[32];
    for (int k = 0; k < n; k++) {
        const rep_row_t *w = &cm->rows[k];
        svg_fmt(ebuf, sizeof ebuf, w->energy_per_step_uj, 4);
        svg_fmt(mbuf, sizeof mbuf, w->metric_value, 4);
        snprintf(tip, sizeof tip, "%.100s: %s %s, %s µJ/step, %.0f params%s", w->model,
                 acc ? "accuracy" : "MSE", mbuf, ebuf, w->params,
                 w->pareto ? " (Pareto front)" : "");
        svg_marker(&c, w->energy_per_step_uj, w->metric_value, w->pareto ? 1 : 0, w->pareto, tip);
    }
    for (int k = 0; k < n; k++)
        svg_point_label(&c, cm->rows[k].energy_per_step_uj, cm->rows[k].metric_value,
                        cm->rows[k].model);
    svg_end(&c);
    compare_table(&table, cm);
    add(fs, name, &svg, &table);
    return 1;
}

/* ---- per-device bars ------------------------------------------------------------------- */

/* Device names in order of first appearance; the count. */
static int device_list(const rep_results_t *r, const char **names, int max)
{
    int n = 0;
    for (int i = 0; i < r->nprof; i++)
        for (int d = 0; d < r->prof[i].ndev; d++) {
            int seen = 0;
            for (int k = 0; k < n && !seen; k++)
                seen = strcmp(names[k], r->prof[i].dev[d].device) == 0;
            if (!seen && n < max)
                names[n++] = r->prof[i].dev[d].device;
        }
    return n;
}

static const rep_device_t *find_device(const rep_profile_t *p, const char *name)
{
    for (int d = 0; d < p->ndev; d++)
        if (strcmp(p->dev[d].device, name) == 0)
            return &p->dev[d];
    return NULL;
}

static void device_table(lln_text_t *t, const rep_results_t *r, int energy)
{
    static const char *const LAT[] = {"model",      "device", "core",        "MHz",       "how",
                                      "instr/step", "CPI",    "cycles/step", "latency µs"};
    static const char *const EN[] = {"model",       "device",    "energy/step µJ",
                                     "rate Hz",     "sleep",     "avg power mW",
                                     "max rate Hz", "budget mW", "within budget"};
    th(t, energy ? EN : LAT, 9);
    for (int i = 0; i < r->nprof; i++)
        for (int d = 0; d < r->prof[i].ndev; d++) {
            const rep_device_t *v = &r->prof[i].dev[d];
            lln_text_put(t, "<tr>");
            td_text(t, r->prof[i].name);
            td_text(t, v->device);
            if (!energy) {
                td_text(t, v->core);
                td_num(t, v->clock_mhz, 4);
                td_text(t, v->emulated ? "emulated" : "estimated");
                td_num(t, v->instructions_per_step, 9);
                td_num(t, v->cpi, 3);
                td_num(t, v->cycles_per_step, 9);
                td_num(t, v->latency_us, 4);
            } else {
                td_num(t, v->energy_per_step_uj, 4);
                td_num(t, v->rate_hz, 6);
                td_text(t, v->sleep_mode);
                td_num(t, v->avg_power_mw, 4);
                td_num(t, v->max_rate_hz, 6);
                td_num(t, v->budget_mw, 4);
                td_text(t, v->within_budget < 0 ? "-" : v->within_budget ? "yes" : "NO");
            }
            lln_text_put(t, "</tr>\n");
        }
    lln_text_put(t, "</tbody></table>\n");
    if (energy)
        return;
    int notes = 0;
    for (int i = 0; i < r->nprof; i++)
        for (int d = 0; d < r->prof[i].ndev; d++)
            for (int k = 0; k < r->prof[i].dev[d].nnotes; k++) {
                lln_text_put(t, "%s<li>", notes++ ? "" : "<ul class=\"notes\">\n");
                svg_escape(t, r->prof[i].name, 100);
                lln_text_put(t, " on ");
                svg_escape(t, r->prof[i].dev[d].device, 100);
                lln_text_put(t, ": ");
                svg_escape(t, r->prof[i].dev[d].notes[k], 1000);
                lln_text_put(t, "</li>\n");
            }
    if (notes)
        lln_text_put(t, "</ul>\n");
}

/* Series names: the profiles' names, "name (2)" for a repeated one. */
static char **series_names(const rep_results_t *r)
{
    char **s = calloc((size_t)r->nprof, sizeof *s);
    for (int i = 0; s != NULL && i < r->nprof; i++) {
        int same = 0;
        for (int k = 0; k < i; k++)
            same += strcmp(r->prof[k].name, r->prof[i].name) == 0;
        size_t len = strlen(r->prof[i].name) + 16;
        if ((s[i] = malloc(len)) == NULL)
            break;
        if (same)
            snprintf(s[i], len, "%s (%d)", r->prof[i].name, same + 1);
        else
            snprintf(s[i], len, "%s", r->prof[i].name);
    }
    return s;
}

static void free_names(char **s, int n)
{
    for (int i = 0; s != NULL && i < n; i++)
        free(s[i]);
    free(s);
}

#define MAX_DEV 64

static int fig_device_bars(const char *cmd, const rep_results_t *r, const rep_opts_t *o, int energy,
                           figs_t *fs)
{
    const char *dev[MAX_DEV];
    int nd = device_list(r, dev, MAX_DEV), np = r->nprof;
    double *v = malloc((size_t)(nd * np) * sizeof *v);
    char **series = series_names(r);
    int ok = 1;
    if (v == NULL || series == NULL) {
        fs->oom = 1;
        goto done;
    }
    for (int g = 0; g < nd; g++)
        for (int s = 0; s < np; s++) {
            const rep_device_t *d = find_device(&r->prof[s], dev[g]);
            v[g * np + s] = d == NULL ? NAN : energy ? d->energy_per_step_uj : d->latency_us;
        }
    int log = choose_log(cmd, "--energy-scale", energy ? o->energy_log : -1, v, nd * np,
                         "energy per step");
    if (log < 0) {
        ok = 0;
        goto done;
    }
    const char *ylabel = energy ? (log ? "µJ per step (log scale)" : "µJ per step")
                                : (log ? "µs per step (log scale)" : "µs per step");
    svg_bars_t b = {energy ? "energy" : "latency",
                    energy ? "Energy per step on each device" : "Latency per step on each device",
                    ylabel,
                    log,
                    nd,
                    np,
                    dev,
                    (const char *const *)series,
                    v,
                    NULL,
                    NULL,
                    3};
    lln_text_t svg = {0}, table = {0};
    svg_bars(&svg, &b, W, H, o->xml_decl);
    device_table(&table, r, energy);
    add(fs, b.id, &svg, &table);
done:
    free(v);
    free_names(series, np);
    return ok;
}

static void memory_table(lln_text_t *t, const rep_results_t *r)
{
    static const char *const COLS[] = {"model", "device", "flash B", "of flash", "flash %",
                                       "RAM B", "of RAM", "RAM %",   "fits"};
    th(t, COLS, 9);
    for (int i = 0; i < r->nprof; i++)
        for (int d = 0; d < r->prof[i].ndev; d++) {
            const rep_device_t *v = &r->prof[i].dev[d];
            lln_text_put(t, "<tr%s>", v->fits ? "" : " class=\"nofit\"");
            td_text(t, r->prof[i].name);
            td_text(t, v->device);
            td_num(t, v->flash_bytes, 9);
            td_num(t, v->flash_capacity, 9);
            td_num(t, v->flash_capacity > 0 ? 100 * v->flash_bytes / v->flash_capacity : NAN, 3);
            td_num(t, v->ram_bytes, 9);
            td_num(t, v->ram_capacity, 9);
            td_num(t, v->ram_capacity > 0 ? 100 * v->ram_bytes / v->ram_capacity : NAN, 3);
            td_text(t, v->fits ? "yes" : "NO");
            lln_text_put(t, "</tr>\n");
        }
    lln_text_put(t, "</tbody></table>\n");
}

static void fig_memory(const rep_results_t *r, const rep_opts_t *o, figs_t *fs)
{
    int n = 0;
    for (int i = 0; i < r->nprof; i++)
        n += r->prof[i].ndev;
    double *v = malloc((size_t)n * 2 * sizeof *v), *cap = malloc((size_t)n * 2 * sizeof *cap);
    char **groups = calloc((size_t)n, sizeof *groups);
    if (v == NULL || cap == NULL || groups == NULL) {
        fs->oom = 1;
        goto done;
    }
    int g = 0;
    for (int i = 0; i < r->nprof; i++)
        for (int d = 0; d < r->prof[i].ndev; d++, g++) {
            const rep_device_t *x = &r->prof[i].dev[d];
            size_t len = strlen(x->device) + strlen(r->prof[i].name) + 4;
            if ((groups[g] = malloc(len)) == NULL) {
                fs->oom = 1;
                goto done;
            }
            if (r->nprof > 1)
                snprintf(groups[g], len, "%s @ %s", r->prof[i].name, x->device);
            else
                snprintf(groups[g], len, "%s", x->device);
            size_t k = 2 * (size_t)g; /* flash, then RAM */
            v[k] = x->flash_bytes;
            v[k + 1] = x->ram_bytes;
            cap[k] = x->flash_capacity;
            cap[k + 1] = x->ram_capacity;
        }
    static const char *const SERIES[] = {"flash used", "RAM used"};
    svg_bars_t b = {"memory",
                    "Flash and RAM used, against each device's capacity",
                    "bytes (log scale)",
                    1,
                    n,
                    2,
                    (const char *const *)groups,
                    SERIES,
                    v,
                    cap,
                    "capacity (dashed outline)",
                    3};
    lln_text_t svg = {0}, table = {0};
    svg_bars(&svg, &b, W, H, o->xml_decl);
    memory_table(&table, r);
    add(fs, "memory", &svg, &table);
done:
    free(v);
    free(cap);
    free_names(groups, n);
}

/* ---- timing study ---------------------------------------------------------------------- */

/* The row of (task, cell, column) in t, or NULL. */
static const rep_timing_row_t *timing_row(const rep_timing_t *t, const char *task, const char *cell,
                                          const char *column)
{
    for (int i = 0; i < t->nrows; i++)
        if (strcmp(t->rows[i].task, task) == 0 && strcmp(t->rows[i].cell, cell) == 0 &&
            strcmp(t->rows[i].column, column) == 0)
            return &t->rows[i];
    return NULL;
}

/* The distinct cells of task in t, in order of appearance (pointers into t); their count. */
static int timing_cells(const rep_timing_t *t, const char *task, const char **cells)
{
    int n = 0;
    for (int i = 0; i < t->nrows; i++) {
        if (strcmp(t->rows[i].task, task) != 0)
            continue;
        int seen = 0;
        for (int k = 0; k < n && !seen; k++)
            seen = strcmp(cells[k], t->rows[i].cell) == 0;
        if (!seen)
            cells[n++] = t->rows[i].cell;
    }
    return n;
}

static void timing_table(lln_text_t *tb, const rep_timing_t *t, const char *task,
                         const char *const *cells, int nc)
{
    static const char *const COLS[] = {"cell", "params", "seeds"};
    lln_text_put(tb, "<table><thead><tr>");
    for (int i = 0; i < 3; i++)
        lln_text_put(tb, "<th>%s</th>", COLS[i]);
    for (int c = 0; c < t->ncol; c++) {
        lln_text_put(tb, "<th>");
        svg_escape(tb, t->col_title[c], 100);
        lln_text_put(tb, "</th>");
    }
    lln_text_put(tb, "</tr></thead><tbody>\n");
    char a[32], b[32], m[32];
    for (int k = 0; k < nc; k++) {
        const rep_timing_row_t *r0 = NULL;
        for (int c = 0; c < t->ncol && r0 == NULL; c++)
            r0 = timing_row(t, task, cells[k], t->col_name[c]);
        lln_text_put(tb, "<tr>");
        td_text(tb, cells[k]);
        td_num(tb, r0 ? r0->params : NAN, 9);
        td_num(tb, r0 ? r0->seeds : NAN, 9);
        for (int c = 0; c < t->ncol; c++) {
            const rep_timing_row_t *w = timing_row(t, task, cells[k], t->col_name[c]);
            if (w == NULL) {
                td_text(tb, NULL);
                continue;
            }
            svg_fmt(m, sizeof m, w->mean, 3);
            svg_fmt(a, sizeof a, w->min, 3);
            svg_fmt(b, sizeof b, w->max, 3);
            if (w->seeds > 1)
                lln_text_put(tb, "<td class=\"n\">%s (%s&#8211;%s)</td>", m, a, b);
            else
                lln_text_put(tb, "<td class=\"n\">%s</td>", m);
        }
        lln_text_put(tb, "</tr>\n");
    }
    lln_text_put(tb, "</tbody></table>\n");
}

/* One figure per task of each timing study: the mean success rate over the seeds per cell
 * (a line each) at every deployed timing (categories; the lines break between axes). The
 * figure's name is "timing-TASK" ("timing-N-TASK" from the N-th study), with every
 * character outside [A-Za-z0-9_-] of the task replaced by '_' (the name is a file stem and
 * an SVG id). */
static void fig_timing(const rep_timing_t *t, int index, const rep_opts_t *o, figs_t *fs)
{
    const char **tasks = calloc((size_t)t->nrows, sizeof *tasks);
    const char **cells = calloc((size_t)t->nrows, sizeof *cells);
    int *join = calloc((size_t)t->ncol, sizeof *join);
    double *v = NULL;
    int ntask = 0;
    if (tasks == NULL || cells == NULL || join == NULL) {
        fs->oom = 1;
        goto done;
    }
    for (int i = 0; i < t->nrows; i++) {
        int seen = 0;
        for (int k = 0; k < ntask && !seen; k++)
            seen = strcmp(tasks[k], t->rows[i].task) == 0;
        if (!seen)
            tasks[ntask++] = t->rows[i].task;
    }
    for (int c = 1; c < t->ncol; c++)
        join[c] = strcmp(t->col_axis[c], t->col_axis[c - 1]) == 0;
    for (int k = 0; k < ntask && !fs->oom; k++) {
        int nc = timing_cells(t, tasks[k], cells);
        free(v);
        if ((v = malloc((size_t)(t->ncol * nc) * sizeof *v)) == NULL) {
            fs->oom = 1;
            break;
        }
        int seeds = 0;
        for (int c = 0; c < t->ncol; c++)
            for (int s = 0; s < nc; s++) {
                const rep_timing_row_t *w = timing_row(t, tasks[k], cells[s], t->col_name[c]);
                v[c * nc + s] = w ? w->mean : NAN;
                if (w != NULL && (int)w->seeds > seeds)
                    seeds = (int)w->seeds;
            }
        char name[64], title[200];
        int len = index > 0 ? snprintf(name, sizeof name, "timing-%d-", index + 1)
                            : snprintf(name, sizeof name, "timing-");
        for (const char *p = tasks[k]; *p && len < (int)sizeof name - 1; p++, len++) {
            name[len] = '_';
            if (isalnum((unsigned char)*p) || *p == '-' || *p == '_')
                name[len] = *p;
        }
        name[len] = '\0';
        snprintf(title, sizeof title, "%.80s: closed-loop success as the deployed timing changes",
                 tasks[k]);
        char ylabel[64];
        snprintf(ylabel, sizeof ylabel, "success rate (mean of up to %d seeds)", seeds);
        svg_cat_lines_t l = {.id = name,
                             .title = title,
                             .ylabel = ylabel,
                             .ngroups = t->ncol,
                             .nseries = nc,
                             .groups = (const char *const *)t->col_title,
                             .series = cells,
                             .value = v,
                             .join = join,
                             .ylo = 0.0,
                             .yhi = 1.0};
        lln_text_t svg = {0}, table = {0};
        svg_cat_lines(&svg, &l, W, H, o->xml_decl);
        timing_table(&table, t, tasks[k], cells, nc);
        add(fs, name, &svg, &table);
    }
done:
    free(tasks);
    free(cells);
    free(join);
    free(v);
}

/* ---- all ------------------------------------------------------------------------------- */

int rep_figures(const char *cmd, const rep_results_t *r, const rep_opts_t *o, rep_figure_t **figs)
{
    figs_t fs = {0};
    int ok = 1;
    *figs = NULL;
    if (r->nhist > 0) {
        ok = fig_loss(cmd, r, o, &fs);
        static const char *const KINDS[] = {"accuracy", "mse", ""};
        for (int k = 0; ok && k < 3; k++)
            fig_metric(r, o, KINDS[k], &fs);
    }
    for (int i = 0; ok && i < r->ncmp; i++)
        ok = fig_pareto(cmd, &r->cmp[i], i, o, &fs);
    for (int i = 0; ok && i < r->ntim; i++)
        fig_timing(&r->tim[i], i, o, &fs);
    if (ok && r->nprof > 0) {
        ok = fig_device_bars(cmd, r, o, 0, &fs) && fig_device_bars(cmd, r, o, 1, &fs);
        if (ok)
            fig_memory(r, o, &fs);
    }
    if (!ok || fs.oom) {
        if (fs.oom)
            cli_error(cmd, "out of memory drawing the figures");
        rep_figures_free(fs.f, fs.n);
        return ok ? 0 : -1;
    }
    *figs = fs.f;
    return fs.n;
}

void rep_figures_free(rep_figure_t *figs, int n)
{
    for (int i = 0; figs != NULL && i < n; i++) {
        free(figs[i].svg);
        free(figs[i].table);
    }
    free(figs);
}

int rep_parse_scale(const char *cmd, const char *opt, const char *v, int *scale)
{
    if (strcmp(v, "auto") == 0)
        *scale = -1;
    else if (strcmp(v, "linear") == 0)
        *scale = 0;
    else if (strcmp(v, "log") == 0)
        *scale = 1;
    else {
        cli_error(cmd, "%s: '%s' is not one of auto, linear, log", opt, v);
        return 0;
    }
    return 1;
}
