/* lln plot: the figures of lln report as separate SVG files, and PNG files converted by
 * rsvg-convert (Debian package librsvg2-bin) when it is installed. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "lln/util.h"
#include "os.h"
#include "report.h"

static const char PLOT_HELP[] =
    "usage: lln plot RESULTS... -o DIR [OPTIONS]\n\n"
    "Writes the figures of lln report as separate SVG files in DIR (made if missing):\n"
    "training-loss.svg, training-accuracy.svg / training-mse.svg (training histories),\n"
    "pareto-1.svg, pareto-2.svg... (one per lln compare result), latency.svg, energy.svg and\n"
    "memory.svg (lln profile results), timing-TASK.svg (a timing study's timing.json); and\n"
    "each also as PNG when rsvg-convert (Debian package librsvg2-bin) is installed, saying\n"
    "so when it is not. Files are written atomically; other files in DIR are left alone.\n"
    "RESULTS: as for lln report.\n\n"
    "  -o, --output DIR        the folder of the figures\n"
    "      --no-png            SVG only, even when rsvg-convert is installed\n"
    "      --energy-scale S    auto (default: log when the values span more than 20x), log or\n"
    "                          linear: the energy axes\n"
    "      --loss-scale S      auto (default), log or linear: the training loss axis\n"
    "  -h, --help              this text\n\n"
    "Exit status: 0 success; 1 a bad or missing result file (the message names the file and\n"
    "the field), an I/O error or a failed conversion; 2 bad command line.\n";

enum { P_NOPNG = 720, P_ESCALE, P_LSCALE };

static const struct option PLOT_OPTIONS[] = {
    {"output", required_argument, 0, 'o'},
    {"no-png", no_argument, 0, P_NOPNG},
    {"energy-scale", required_argument, 0, P_ESCALE},
    {"loss-scale", required_argument, 0, P_LSCALE},
    {"help", no_argument, 0, 'h'},
    {0, 0, 0, 0},
};

#define PATH_LEN 4096

/* The full path of rsvg-convert found on PATH, or 0. */
static int find_converter(char *path, size_t n)
{
    const char *env = getenv("PATH");
    if (env == NULL || env[0] == '\0')
        return 0;
    while (*env) {
        const char *end = strchr(env, ':');
        size_t len = end ? (size_t)(end - env) : strlen(env);
        if (len > 0 && len + 16 < n) {
            struct stat st;
            snprintf(path, n, "%.*s/rsvg-convert", (int)len, env);
            if (stat(path, &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & 0111) != 0)
                return 1;
        }
        env += len + (end != NULL);
    }
    return 0;
}

/* Runs converter -f png -o tmp svg, then fsyncs and renames tmp over png. */
static int to_png(const char *converter, const char *svg, const char *png)
{
    char tmp[PATH_LEN + 32];
    snprintf(tmp, sizeof tmp, "%s.tmp.%ld", png, cli_pid());
    char *const args[] = {(char *)converter, "-f", "png", "-o", tmp, (char *)svg, NULL};
    int rc = cli_run(args, NULL, NULL, NULL); /* converter: the full path found on PATH */
    if (rc < 0) {
        cli_error("plot", "cannot start %s: %s", converter, strerror(errno));
        return 0;
    }
    int ok = rc == 0;
    ok = ok && cli_sync_path(tmp) == 0;
    ok = ok && cli_replace_file(tmp, png) == 0;
    if (!ok) {
        (void)remove(tmp);
        cli_error("plot", "%s: rsvg-convert failed to convert %s", png, svg);
    }
    return ok;
}

static int make_dir(const char *dir)
{
    struct stat st;
    if (cli_mkdir(dir) == 0)
        return 1;
    if (errno == EEXIST && stat(dir, &st) == 0 && S_ISDIR(st.st_mode))
        return 1;
    cli_error("plot", "%s: cannot make the folder: %s", dir,
              errno == EEXIST ? "a file of that name exists" : strerror(errno));
    return 0;
}

static int write_figures(const char *dir, const rep_figure_t *f, int nf, int png)
{
    char converter[PATH_LEN];
    if (png && !find_converter(converter, sizeof converter)) {
        fprintf(stderr, "lln plot: note: rsvg-convert is not installed (Debian package "
                        "librsvg2-bin): SVG files only, no PNG\n");
        png = 0;
    }
    for (int i = 0; i < nf; i++) {
        char svg[PATH_LEN], pngp[PATH_LEN];
        lln_error_t err = {LLN_OK, ""};
        snprintf(svg, sizeof svg, "%s/%s.svg", dir, f[i].name);
        snprintf(pngp, sizeof pngp, "%s/%s.png", dir, f[i].name);
        if (lln_write_atomic(svg, (const unsigned char *)f[i].svg, strlen(f[i].svg), &err) !=
            LLN_OK) {
            cli_error("plot", "%s", err.msg);
            return 0;
        }
        printf("wrote %s\n", svg);
        if (png) {
            if (!to_png(converter, svg, pngp))
                return 0;
            printf("wrote %s\n", pngp);
        }
    }
    return 1;
}

int cmd_plot(int argc, char **argv)
{
    const char *dir = NULL;
    rep_opts_t o = {-1, -1, 1};
    int c, png = 1, nf = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, "o:h", PLOT_OPTIONS, NULL)) != -1) {
        switch (c) {
        case 'o': dir = optarg; break;
        case P_NOPNG: png = 0; break;
        case P_ESCALE:
            if (!rep_parse_scale("plot", "--energy-scale", optarg, &o.energy_log))
                return cli_usage_error("plot");
            break;
        case P_LSCALE:
            if (!rep_parse_scale("plot", "--loss-scale", optarg, &o.loss_log))
                return cli_usage_error("plot");
            break;
        case 'h': fputs(PLOT_HELP, stdout); return EXIT_OK;
        default: return cli_usage_error("plot");
        }
    }
    if (optind >= argc) {
        cli_error("plot", "no result files given");
        return cli_usage_error("plot");
    }
    if (dir == NULL || dir[0] == '\0') {
        cli_error("plot", "no output folder: give -o DIR");
        return cli_usage_error("plot");
    }
    if (strlen(dir) > PATH_LEN - 100) {
        cli_error("plot", "-o: the folder name is too long");
        return cli_usage_error("plot");
    }
    rep_results_t r;
    rep_figure_t *figs = NULL;
    int rc = EXIT_FAIL;
    if (rep_load_all("plot", &r, argv + optind, argc - optind) &&
        (nf = rep_figures("plot", &r, &o, &figs)) > 0 && make_dir(dir) &&
        write_figures(dir, figs, nf, png))
        rc = EXIT_OK;
    rep_figures_free(figs, nf > 0 ? nf : 0);
    rep_free(&r);
    return rc;
}
