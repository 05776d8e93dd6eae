/* lln report: one self-contained HTML page (inline SVG and CSS; nothing fetched, no script)
 * with the figures of the result files and the numbers beside them. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "lln/util.h"
#include "lln/model.h"
#include "report.h"
#include "svg.h"

static const char REPORT_HELP[] =
    "usage: lln report RESULTS... -o REPORT.html [OPTIONS]\n\n"
    "Writes one HTML page, viewable with no network (inline SVG and CSS, no scripts or fonts\n"
    "to fetch), with the figures of the result files and their numbers in tables beside them:\n"
    "training curves (training histories), accuracy or MSE against energy per step with the\n"
    "Pareto front marked (lln compare --json), latency and energy per step on each device and\n"
    "flash/RAM against each device's capacity (lln profile --json), closed-loop success per\n"
    "cell as the deployed sensor timing changes (timing.json of scripts/timing_study.sh).\n"
    "RESULTS are those files, any mix; the kind of each is told by its content (docs/CLI.md,\n"
    "'Result files'). The training histories a comparison names are included when they\n"
    "exist.\n\n"
    "  -o, --output FILE       the HTML page (written atomically; - for standard output)\n"
    "      --title TEXT        the page's title (default: liquid-edge report)\n"
    "      --energy-scale S    auto (default: log when the values span more than 20x), log or\n"
    "                          linear: the energy axes\n"
    "      --loss-scale S      auto (default), log or linear: the training loss axis\n"
    "  -h, --help              this text\n\n"
    "Exit status: 0 success; 1 a bad or missing result file (the message names the file and\n"
    "the field) or an I/O error; 2 bad command line.\n";

enum { R_TITLE = 700, R_ESCALE, R_LSCALE };

static const struct option REPORT_OPTIONS[] = {
    {"output", required_argument, 0, 'o'},
    {"title", required_argument, 0, R_TITLE},
    {"energy-scale", required_argument, 0, R_ESCALE},
    {"loss-scale", required_argument, 0, R_LSCALE},
    {"help", no_argument, 0, 'h'},
    {0, 0, 0, 0},
};

static const char CSS[] =
    "body{font-family:sans-serif;margin:24px auto;max-width:1400px;padding:0 16px;"
    "color:#111;background:#fff}\n"
    "h1{font-size:24px;margin-bottom:4px}h2{font-size:19px;margin-top:32px;"
    "border-bottom:1px solid #ccc;padding-bottom:4px}\n"
    ".meta{color:#555;font-size:13px}.meta code{font-size:12px}\n"
    ".fig{display:flex;flex-wrap:wrap;gap:24px;align-items:flex-start;margin:16px 0}\n"
    ".plot svg{display:block;border:1px solid #ddd;max-width:100%;height:auto}\n"
    ".numbers{flex:1 1 420px;overflow-x:auto}\n"
    "table{border-collapse:collapse;font-size:12px}\n"
    "th,td{border:1px solid #ccc;padding:3px 5px;text-align:left}\n"
    "td{white-space:nowrap}th{vertical-align:bottom}\n"
    "th{background:#f2f2f2}td.n{text-align:right;font-variant-numeric:tabular-nums}\n"
    "tr.front td{font-weight:bold}tr.nofit td{color:#b00}\n"
    "ul.notes{font-size:13px;color:#444;max-width:640px}\n"
    "nav a{margin-right:14px}\n";

/* Section of the page a figure belongs to. */
typedef struct section {
    const char *id, *heading, *prefix;
} section_t;

static const section_t SECTIONS[] = {
    {"training", "Training curves", "training-"},
    {"pareto", "Accuracy / MSE against energy per step (Pareto front)", "pareto-"},
    {"devices", "Latency and energy per step on each device", "latency"},
    {"devices-energy", NULL, "energy"}, /* same section as the one before */
    {"timing", "Closed-loop success as the sensor timing changes (timing study)", "timing-"},
    {"memory", "Flash and RAM against capacity", "memory"}, /* last: the fallback */
};
#define NSECTIONS (int)(sizeof SECTIONS / sizeof SECTIONS[0])

static int section_of(const rep_figure_t *f)
{
    for (int s = 0; s < NSECTIONS; s++)
        if (strncmp(f->name, SECTIONS[s].prefix, strlen(SECTIONS[s].prefix)) == 0)
            return s;
    return NSECTIONS - 1;
}

/* Every source the profiles cite, each once, in order of first appearance. */
static void sources(lln_text_t *t, const rep_results_t *r)
{
    const char **seen = NULL;
    int n = 0, cap = 0;
    for (int i = 0; i < r->nprof; i++)
        for (int d = 0; d < r->prof[i].ndev; d++)
            for (int k = 0; k < r->prof[i].dev[d].nsources; k++) {
                const char *s = r->prof[i].dev[d].sources[k];
                int dup = 0;
                for (int j = 0; j < n && !dup; j++)
                    dup = strcmp(seen[j], s) == 0;
                if (dup)
                    continue;
                if (n == cap) {
                    cap = cap ? 2 * cap : 16;
                    const char **g = realloc(seen, (size_t)cap * sizeof *g);
                    if (g == NULL) {
                        t->oom = 1;
                        free(seen);
                        return;
                    }
                    seen = g;
                }
                seen[n++] = s;
            }
    if (n > 0)
        lln_text_put(t, "<details><summary>Sources of the device figures</summary>"
                        "<ul class=\"notes\">\n");
    for (int j = 0; j < n; j++) {
        lln_text_put(t, "<li>");
        svg_escape(t, seen[j], 1000);
        lln_text_put(t, "</li>\n");
    }
    if (n > 0)
        lln_text_put(t, "</ul></details>\n");
    free(seen);
}

static void inputs(lln_text_t *t, const rep_results_t *r)
{
    lln_text_put(t, "<p class=\"meta\">Made by lln report %s from ", lln_version());
    int n = 0;
    for (int i = 0; i < r->nhist; i++) {
        lln_text_put(t, "%s<code>", n++ ? ", " : "");
        svg_escape(t, r->hist[i].path, 300);
        lln_text_put(t, "</code>");
    }
    for (int i = 0; i < r->ncmp; i++) {
        lln_text_put(t, "%s<code>", n++ ? ", " : "");
        svg_escape(t, r->cmp[i].path, 300);
        lln_text_put(t, "</code>");
    }
    for (int i = 0; i < r->nprof; i++) {
        lln_text_put(t, "%s<code>", n++ ? ", " : "");
        svg_escape(t, r->prof[i].path, 300);
        lln_text_put(t, "</code>");
    }
    for (int i = 0; i < r->ntim; i++) {
        lln_text_put(t, "%s<code>", n++ ? ", " : "");
        svg_escape(t, r->tim[i].path, 300);
        lln_text_put(t, "</code>");
    }
    lln_text_put(t, ". Energy and latency are estimates from emulator instruction counts and the "
                    "cited device figures (docs/HARDWARE.md); comparisons are measured on the "
                    "named data.</p>\n");
}

static void page(lln_text_t *t, const char *title, const rep_results_t *r, const rep_figure_t *f,
                 int nf)
{
    lln_text_put(t,
                 "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                 "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                 "<meta name=\"generator\" content=\"lln report %s\">\n<title>",
                 lln_version());
    svg_escape(t, title, 300);
    lln_text_put(t, "</title>\n<style>\n%s</style>\n</head>\n<body>\n<h1>", CSS);
    svg_escape(t, title, 300);
    lln_text_put(t, "</h1>\n");
    inputs(t, r);
    int present[NSECTIONS] = {0};
    for (int i = 0; i < nf; i++)
        present[section_of(&f[i])] = 1;
    lln_text_put(t, "<nav>");
    for (int s = 0; s < NSECTIONS; s++)
        if (present[s] && SECTIONS[s].heading != NULL)
            lln_text_put(t, "<a href=\"#%s\">%s</a>", SECTIONS[s].id, SECTIONS[s].heading);
    lln_text_put(t, "</nav>\n");
    int open = -1;
    for (int i = 0; i < nf; i++) {
        int s = section_of(&f[i]);
        if (SECTIONS[s].heading != NULL && s != open) {
            lln_text_put(t, "%s<section id=\"%s\">\n<h2>%s</h2>\n", open >= 0 ? "</section>\n" : "",
                         SECTIONS[s].id, SECTIONS[s].heading);
            open = s;
        }
        lln_text_put(t, "<div class=\"fig\" id=\"fig-%s\">\n<div class=\"plot\">\n%s</div>\n",
                     f[i].name, f[i].svg);
        if (f[i].table != NULL)
            lln_text_put(t, "<div class=\"numbers\">\n%s</div>\n", f[i].table);
        lln_text_put(t, "</div>\n");
    }
    if (r->nprof > 0)
        sources(t, r);
    lln_text_put(t, "%s</body>\n</html>\n", open >= 0 ? "</section>\n" : "");
}

int cmd_report(int argc, char **argv)
{
    const char *out = NULL, *title = "liquid-edge report";
    rep_opts_t o = {-1, -1, 0};
    int c, nf = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, "o:h", REPORT_OPTIONS, NULL)) != -1) {
        switch (c) {
        case 'o': out = optarg; break;
        case R_TITLE: title = optarg; break;
        case R_ESCALE:
            if (!rep_parse_scale("report", "--energy-scale", optarg, &o.energy_log))
                return cli_usage_error("report");
            break;
        case R_LSCALE:
            if (!rep_parse_scale("report", "--loss-scale", optarg, &o.loss_log))
                return cli_usage_error("report");
            break;
        case 'h': fputs(REPORT_HELP, stdout); return EXIT_OK;
        default: return cli_usage_error("report");
        }
    }
    if (optind >= argc) {
        cli_error("report", "no result files given");
        return cli_usage_error("report");
    }
    if (out == NULL) {
        cli_error("report", "no output file: give -o REPORT.html");
        return cli_usage_error("report");
    }
    rep_results_t r;
    rep_figure_t *figs = NULL;
    lln_text_t t = {0};
    lln_error_t err = {LLN_OK, ""};
    int rc = EXIT_FAIL;
    if (!rep_load_all("report", &r, argv + optind, argc - optind))
        goto done;
    nf = rep_figures("report", &r, &o, &figs);
    if (nf <= 0)
        goto done;
    page(&t, title, &r, figs, nf);
    if (t.oom) {
        cli_error("report", "out of memory writing the page");
        goto done;
    }
    if (strcmp(out, "-") == 0) {
        rc = fwrite(t.s, 1, t.len, stdout) == t.len && fflush(stdout) == 0 ? EXIT_OK : EXIT_FAIL;
        if (rc != EXIT_OK)
            cli_error("report", "standard output: write error");
        goto done;
    }
    if (lln_write_atomic(out, (const unsigned char *)t.s, t.len, &err) != LLN_OK) {
        cli_error("report", "%s", err.msg);
        goto done;
    }
    fprintf(stderr, "wrote %s (%d figures, %zu bytes)\n", out, nf, t.len);
    rc = EXIT_OK;
done:
    free(t.s);
    rep_figures_free(figs, nf > 0 ? nf : 0);
    rep_free(&r);
    return rc;
}
