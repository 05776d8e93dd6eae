/* lln search: a budgeted architecture search. Random candidates (cell, wiring, units,
 * sparsity, learning rate, runtime) are first costed on the device (their firmware built
 * and profiled under QEMU as lln compare does; the cost depends on the structure only), the
 * ones outside the budget dropped before any training, the rest trained by successive
 * halving (every survivor a few epochs, the best 1/eta of them longer, ...), each trained
 * candidate deployed (quantized) and scored, and the best one that fits written out for
 * lln export. Every unit of work is a child lln process whose result is a small file in the
 * work folder, so a killed search run again with the same command skips what is done and
 * continues interrupted training from its checkpoint. Under lln-mpi the candidates of each
 * stage are dealt out to the ranks (candidate i to rank i mod ranks) and the results
 * exchanged. Files: search_run.c (the stages), search_space.c (the candidates). */
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "argfile.h"
#include "cli.h"
#include "data_flags.h"
#include "dist.h"
#include "budget_search.h"

static const char SEARCH_HELP_HEAD[] =
    "usage: lln search --data FILE [data options] --device D [budget] -o DIR [OPTIONS]\n"
    "       mpirun -np N lln-mpi search ... (candidates spread over N processes)\n\n"
    "Finds the most accurate model that fits a deployment budget: samples --candidates\n"
    "random models (cell ltc or cfc; wiring autoncp, fc or random; units; sparsity; learning\n"
    "rate; fixed-point or float32 firmware), profiles each one's firmware on device D as\n"
    "lln profile does and drops those outside the budget untrained, trains the rest by\n"
    "successive halving (all for --min-epochs, the best 1/--eta of them for eta times as\n"
    "many, ... up to --epochs), deploys and scores every trained one (lln quantize) and\n"
    "writes the best that fits as DIR/best.lln, ready for lln export / lln verify. Run again\n"
    "with the same command after a kill: finished steps are not redone.\n\n"
    "  -D, --device D       device of the database (lln profile --list-devices)\n"
    "      --devices FILE   a device database instead of the built-in one\n"
    "  -r, --rate HZ        steps per second for the average power (default 100)\n"
    "      --sleep MODE     sleep mode between steps (default: the device's)\n"
    "  Budget (any of them; the device's flash and RAM always apply):\n"
    "      --ram BYTES      RAM of the model (state + scratch, as lln profile counts it)\n"
    "      --flash BYTES    flash (runtime + model tables, as lln profile counts it)\n"
    "      --power-mw MW    average power at --rate\n"
    "      --energy-uj UJ   energy per step\n"
    "      --latency-us US  time per step\n"
    "  Search:\n"
    "  -n, --candidates N   random candidates (default 12)\n"
    "      --cells LIST     ltc,cfc (default both)\n"
    "      --runtimes LIST  fixed,float (default both: int8/int16 or float32 firmware)\n"
    "      --max-units U    largest size tried (default 24)\n"
    "      --min-epochs E   epochs of the first rung (default 2)\n"
    "      --epochs E       epochs of the last rung (default 8)\n"
    "      --eta K          keep the best 1/K at each rung (default 3)\n"
    "      --seed S         sampling and training seed (default 1)\n"
    "      --threads N, --batch N, --loss-steps KIND  passed to lln train\n"
    "  -o, --output DIR     work folder: candidates.tsv (every candidate), search.json (the\n"
    "                       trained ones, with the Pareto front, for lln report), best.lln\n\n";

static const char SEARCH_HELP_TAIL[] =
    "  -h, --help           this text\n\n"
    "Exit status: 0 a model within the budget was found; 1 none fits, or a step failed;\n"
    "2 bad command line.\n";

enum {
    S_DEVICE = 900,
    S_DEVICES,
    S_RATE,
    S_SLEEP,
    S_RAM,
    S_FLASH,
    S_POWER,
    S_ENERGY,
    S_LATENCY,
    S_CANDIDATES,
    S_CELLS,
    S_RUNTIMES,
    S_MAXUNITS,
    S_MINEPOCHS,
    S_EPOCHS,
    S_ETA,
    S_SEED,
    S_THREADS,
    S_BATCH,
    S_LSTEPS,
    S_OUT,
    S_CONFIG
};

static const struct option SEARCH_OPTIONS[] = {
    {"device", required_argument, 0, S_DEVICE},
    {"devices", required_argument, 0, S_DEVICES},
    {"rate", required_argument, 0, S_RATE},
    {"sleep", required_argument, 0, S_SLEEP},
    {"ram", required_argument, 0, S_RAM},
    {"flash", required_argument, 0, S_FLASH},
    {"power-mw", required_argument, 0, S_POWER},
    {"energy-uj", required_argument, 0, S_ENERGY},
    {"latency-us", required_argument, 0, S_LATENCY},
    {"candidates", required_argument, 0, S_CANDIDATES},
    {"cells", required_argument, 0, S_CELLS},
    {"runtimes", required_argument, 0, S_RUNTIMES},
    {"max-units", required_argument, 0, S_MAXUNITS},
    {"min-epochs", required_argument, 0, S_MINEPOCHS},
    {"epochs", required_argument, 0, S_EPOCHS},
    {"eta", required_argument, 0, S_ETA},
    {"seed", required_argument, 0, S_SEED},
    {"threads", required_argument, 0, S_THREADS},
    {"batch", required_argument, 0, S_BATCH},
    {"loss-steps", required_argument, 0, S_LSTEPS},
    {"output", required_argument, 0, S_OUT},
    {"config", required_argument, 0, S_CONFIG},
    {"help", no_argument, 0, 'h'},
    {0, 0, 0, 0},
};

/* "ltc,cfc" into a bit set of names; 0 after printing the problem. */
static int parse_set(const char *opt, const char *v, const char *const *names, int n, int *set)
{
    char buf[64];
    snprintf(buf, sizeof buf, "%s", v);
    *set = 0;
    for (char *save = NULL, *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        int k = 0;
        while (k < n && strcmp(t, names[k]) != 0)
            k++;
        if (k == n) {
            cli_error("search", "%s: '%s' is not one of %s, %s", opt, t, names[0], names[1]);
            return 0;
        }
        *set |= 1 << k;
    }
    return *set != 0;
}

static int budget(const char *opt, const char *v, double *out)
{
    if (!cli_parse_double("search", opt, v, out))
        return 0;
    if (*out > 0 && isfinite(*out))
        return 1;
    cli_error("search", "%s %s: a budget must be a positive number", opt, v);
    return 0;
}

static int pass_train(srch_args_t *a, const char *name, const char *v)
{
    cmp_argv_add(&a->train_argv, name);
    cmp_argv_add(&a->train_argv, v);
    return 1;
}

static int option(srch_args_t *a, int opt, const char *name, const char *v)
{
    static const char *const cells[] = {"ltc", "cfc"}, *const runtimes[] = {"fixed", "float"};
    long n;
    switch (opt) {
    case S_DEVICE: a->device = v; return 1;
    case S_DEVICES: a->devices = v; return 1;
    case S_RATE:
        return cli_parse_double("search", "--rate", v, &a->rate) && a->rate > 0 && a->rate <= 1e6;
    case S_SLEEP: a->sleep = v; return 1;
    case S_RAM: return budget("--ram", v, &a->max_ram);
    case S_FLASH: return budget("--flash", v, &a->max_flash);
    case S_POWER: return budget("--power-mw", v, &a->max_mw);
    case S_ENERGY: return budget("--energy-uj", v, &a->max_uj);
    case S_LATENCY: return budget("--latency-us", v, &a->max_us);
    case S_CANDIDATES:
        return cli_parse_int("search", "--candidates", v, 1, SRCH_MAX, &n) && (a->n = (int)n);
    case S_CELLS: return parse_set("--cells", v, cells, 2, &a->cells);
    case S_RUNTIMES: return parse_set("--runtimes", v, runtimes, 2, &a->runtimes);
    case S_MAXUNITS:
        return cli_parse_int("search", "--max-units", v, 4, 256, &n) && (a->max_units = (int)n);
    case S_MINEPOCHS:
        return cli_parse_int("search", "--min-epochs", v, 1, 100000, &n) &&
               (a->min_epochs = (int)n);
    case S_EPOCHS:
        return cli_parse_int("search", "--epochs", v, 1, 100000, &n) && (a->epochs = (int)n);
    case S_ETA: return cli_parse_int("search", "--eta", v, 2, 16, &n) && (a->eta = (int)n);
    case S_SEED:
        return cli_parse_int("search", "--seed", v, 0, 2147483647L, &n) &&
               (a->seed = (unsigned long long)n, pass_train(a, name, v));
    case S_THREADS:
    case S_BATCH:
    case S_LSTEPS: return pass_train(a, name, v);
    case S_OUT: a->out = v; return 1;
    default: break;
    }
    if (cli_data_option("search", &a->data, opt, v) != 1)
        return 0;
    cmp_argv_add(&a->data_argv, name); /* forwarded to the children as given */
    if (v)
        cmp_argv_add(&a->data_argv, v);
    return 1;
}

static void print_help(void)
{
    fputs(SEARCH_HELP_HEAD, stdout);
    fputs(CLI_DATA_HELP, stdout);
    fputs(SEARCH_HELP_TAIL, stdout);
}

static int long_code(int opt)
{
    switch (opt) {
    case 'D': return S_DEVICE;
    case 'r': return S_RATE;
    case 'n': return S_CANDIDATES;
    case 'o': return S_OUT;
    default: return opt;
    }
}

static int parse(int argc, char **argv, const struct option *opts, srch_args_t *a)
{
    int opt;
    char name[64];
    optind = 1;
    while ((opt = getopt_long(argc, argv, "D:r:n:o:h", opts, NULL)) != -1) {
        if (opt == 'h') {
            print_help();
            return -1;
        }
        opt = long_code(opt);
        cli_option_label(opts, opt, name, sizeof name);
        if (opt == '?' || !option(a, opt, name, optarg))
            return cli_usage_error("search");
    }
    const char *why = optind < argc               ? "unexpected argument"
                      : !a->data.path             ? "--data FILE is required"
                      : !a->device                ? "--device D is required"
                      : !a->out                   ? "-o DIR is required"
                      : a->min_epochs > a->epochs ? "--min-epochs is above --epochs"
                                                  : NULL;
    if (why) {
        cli_error("search", "%s", why);
        return cli_usage_error("search");
    }
    return 0;
}

int cmd_search(int argc, char **argv)
{
    struct option opts[96];
    const struct option *tables[] = {CLI_DATA_OPTIONS, SEARCH_OPTIONS};
    if (!cli_options_join(opts, sizeof opts / sizeof opts[0], tables, 2))
        return EXIT_FAIL;
    int n = 0, code = 0;
    char **av = cli_args_expand("search", argc, argv, opts, NULL, &n, &code);
    if (av == NULL)
        return code;
    srch_args_t a;
    memset(&a, 0, sizeof a);
    cli_data_args_init(&a.data);
    a.rate = 100, a.n = 12, a.cells = 3, a.runtimes = 3, a.max_units = 24;
    a.min_epochs = 2, a.epochs = 8, a.eta = 3, a.seed = 1;
    int rc = parse(n, av, opts, &a);
    size_t len = 0;
    for (int i = 1; rc == 0 && i < n && len + 1 < sizeof a.fingerprint; i++)
        len += (size_t)snprintf(a.fingerprint + len, sizeof a.fingerprint - len, "%s%s",
                                i > 1 ? " " : "", av[i]);
    if (rc == 0 && len + 1 >= sizeof a.fingerprint) {
        cli_error("search", "the command line is too long");
        rc = EXIT_USAGE;
    }
    cli_dist_t dist;
    int started = rc == 0 && (rc = cli_dist_start("search", &dist)) == 0;
    int agreed = 0;
    if (started)
        rc = srch_run(&a, &dist, &agreed);
    cmp_argv_free(&a.data_argv);
    cmp_argv_free(&a.train_argv);
    cli_data_args_free(&a.data);
    cli_args_free(av, n);
    rc = rc < 0 ? EXIT_OK : rc;
    return started ? cli_dist_finish("search", rc, agreed) : rc;
}
