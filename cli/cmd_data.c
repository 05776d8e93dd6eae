/* lln data: training data at the command line. `make` generates a built-in dataset (a
 * simulated line-following robot's sensor log), `info` describes a CSV file, `prepare`
 * turns a reference dataset of ../shared/data into a CSV our reader takes as it is. */
#include <getopt.h>
#include <math.h>
#include <search.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cli_data.h"
#include "lln/csv.h"
#include "robots_cli.h"

static const char DATA_HELP[] =
    "usage: lln data make line-follow|cartpole|reacher|avoid [--rows N | --seconds S]\n"
    "                     [--episode-seconds E] [--seed S] -o FILE.csv[.gz]\n"
    "       lln data info FILE.csv[.gz]\n"
    "       lln data prepare DATASET --shared DIR -o FILE.csv[.gz]\n\n"
    "make line-follow: a simulated sensor log of a differential-drive robot following a curvy\n"
    "line: five reflectance sensors, a gyro and two wheel encoders read at irregular times\n"
    "(Δt 14..126 ms), and an expert PID controller's wheel commands (cmd_l, cmd_r) as targets.\n"
    "Columns: episode,t,dt,s0..s4,gyro,enc_l,enc_r,cmd_l,cmd_r. The same seed and options give\n"
    "the same bytes on every machine (a .gz output: the same data; the compressed bytes may\n"
    "differ between zlib versions).\n"
    "make cartpole | reacher | avoid (MuJoCo tasks, see lln sim --help): the task's expert\n"
    "controller's demonstrations in the same conventions: episode,t,dt, the sensor columns,\n"
    "the command columns, readings at irregular times (jitter, dropped frames, stalls). They\n"
    "use episodes 0, 1, 2... of the seed; lln sim scores on other episodes.\n"
    "  -n, --rows N             rows to write (default 20000)\n"
    "  -t, --seconds S          or: seconds of simulated time to write\n"
    "      --episode-seconds E  length of one episode (new track and start; default 30)\n"
    "  -s, --seed S             generator seed (default 1)\n"
    "  -o, --output FILE        where to write (atomically; '-': standard output; a name\n"
    "                           ending in .gz is gzip-compressed)\n\n"
    "info: rows and columns of a CSV file (plain or gzip): per column whether it holds\n"
    "numbers or text, its range and mean, or its distinct values.\n\n"
    "prepare: datasets whose paper protocol needs derived columns (docs/DATA.md):\n"
    "  traffic   the LTC paper's seven inputs (weekday, hour sine, centred temperature...)\n"
    "            and the z-scored volume, from DIR/data/traffic\n"
    "  walker2d  the CfC paper's kept samples with their elapsed time and next-state\n"
    "            targets, from DIR/data/walker2d\n"
    "      --shared DIR         the shared reference folder (holds data/)\n"
    "      --unique-hours       traffic: keep only the first row of each hour (Δt > 0)\n"
    "  -o, --output FILE        where to write (atomically; .gz: compressed)\n\n"
    "  -h, --help               this text\n\n"
    "Exit status: 0 success; 1 bad input data or I/O error; 2 bad command line.\n";

enum { O_EPISODE = 256, O_SHARED, O_UNIQUE };

/* ---- make ------------------------------------------------------------------------------- */

/* A robot task's expert demonstrations (robots/data.c). */
static int data_make_robot(const char *task, const lf_options_t *o, int have_episode, textout_t *t,
                           const char *out)
{
    rb_data_stats_t st;
    if (!rb_data_make(task, o->rows, o->seconds, have_episode ? o->episode_seconds : 0, o->seed, t,
                      &st)) {
        textout_discard(t);
        return EXIT_FAIL;
    }
    if (!textout_finish(t, "data", out))
        return EXIT_FAIL;
    if (strcmp(out, "-") != 0)
        fprintf(stderr, "wrote %s: %ld rows, %ld episodes, %.1f s simulated, expert failed %ld\n",
                out, st.rows, st.episodes, st.seconds, st.failures);
    return EXIT_OK;
}

static int data_make(int argc, char **argv)
{
    static const struct option opts[] = {
        {"rows", required_argument, 0, 'n'},
        {"seconds", required_argument, 0, 't'},
        {"seed", required_argument, 0, 's'},
        {"episode-seconds", required_argument, 0, O_EPISODE},
        {"output", required_argument, 0, 'o'},
        {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0},
    };
    lf_options_t o = {20000, 0, 30.0, 1};
    const char *out = NULL;
    int c, have_rows = 0, have_seconds = 0, have_episode = 0;
    long v;
    while ((c = getopt_long(argc, argv, "n:t:s:o:h", opts, NULL)) != -1) {
        switch (c) {
        case 'n':
            if (!cli_parse_int("data", "--rows", optarg, 1, 100000000L, &v))
                return EXIT_USAGE;
            o.rows = v;
            have_rows = 1;
            break;
        case 't':
            if (!cli_parse_double("data", "--seconds", optarg, &o.seconds) || o.seconds <= 0 ||
                o.seconds > 1e7) {
                cli_error("data", "--seconds: '%s' is not in (0, 1e7]", optarg);
                return EXIT_USAGE;
            }
            have_seconds = 1;
            break;
        case O_EPISODE:
            if (!cli_parse_double("data", "--episode-seconds", optarg, &o.episode_seconds) ||
                o.episode_seconds < 1 || o.episode_seconds > 1e6) {
                cli_error("data", "--episode-seconds: '%s' is not in [1, 1e6]", optarg);
                return EXIT_USAGE;
            }
            have_episode = 1;
            break;
        case 's':
            if (!cli_parse_int("data", "--seed", optarg, 0, 2147483647L, &v))
                return EXIT_USAGE;
            o.seed = (unsigned long long)v;
            break;
        case 'o': out = optarg; break;
        case 'h': fputs(DATA_HELP, stdout); return EXIT_OK;
        default: return cli_usage_error("data");
        }
    }
    if (optind >= argc) {
        cli_error("data", "make: which dataset? (line-follow)");
        return cli_usage_error("data");
    }
    int robot = strcmp(argv[optind], "line-follow") != 0; /* a task of robots/ */
    if (optind + 1 < argc ||
        (robot && rb_task_find(argv[optind]) == NULL && !rb_task_needs_mujoco(argv[optind]))) {
        cli_error("data", "make: unknown dataset '%s' (%s)", argv[optind], rb_task_names());
        return cli_usage_error("data");
    }
    if (have_rows && have_seconds) {
        cli_error("data", "make: give --rows or --seconds, not both");
        return cli_usage_error("data");
    }
    if (out == NULL) {
        cli_error("data", "make: -o FILE is required ('-' for standard output)");
        return cli_usage_error("data");
    }
    if (have_seconds)
        o.rows = 0;
    textout_t t;
    if (!textout_open(&t, out)) {
        cli_error("data", "out of memory");
        return EXIT_FAIL;
    }
    if (robot)
        return data_make_robot(argv[optind], &o, have_episode, &t, out);
    lf_stats_t st;
    lf_generate(&o, &t, &st);
    if (!textout_finish(&t, "data", out))
        return EXIT_FAIL;
    if (strcmp(out, "-") != 0)
        fprintf(stderr,
                "wrote %s: %ld rows, %ld episodes, %.1f s simulated, line lost in %.1f %% of rows, "
                "%ld derailed\n",
                out, st.rows, st.episodes, (double)st.ms / 1000.0,
                st.rows ? 100.0 * (double)st.lost_rows / (double)st.rows : 0.0, st.derailed);
    return EXIT_OK;
}

/* ---- info -------------------------------------------------------------------------------- */

typedef struct colstat {
    long numbers, texts, empty;
    double min, max, sum;
    void *distinct;   /* tsearch() tree of the text values (copies), up to MAX_DISTINCT */
    size_t ndistinct; /* values in the tree */
    char *first[4];   /* the first distinct text values (keys of the tree), for the listing */
} colstat_t;

#define MAX_DISTINCT 1000

static int cmp_text(const void *a, const void *b) { return strcmp(a, b); }

static void col_add(colstat_t *s, const char *f)
{
    double v;
    if (f[0] == '\0') {
        s->empty++;
        return;
    }
    if (lln_csv_number(f, &v) == 0) {
        if (s->numbers == 0 || v < s->min)
            s->min = v;
        if (s->numbers == 0 || v > s->max)
            s->max = v;
        s->sum += v;
        s->numbers++;
        return;
    }
    s->texts++;
    if (s->ndistinct <= MAX_DISTINCT && tfind(f, &s->distinct, cmp_text) == NULL) {
        char *key = strdup(f);
        if (key == NULL || tsearch(key, &s->distinct, cmp_text) == NULL) {
            free(key); /* out of memory: the value is not counted */
            return;
        }
        if (s->ndistinct < 4)
            s->first[s->ndistinct] = key;
        s->ndistinct++;
    }
}

static void col_print(const colstat_t *s, int i, const char *name)
{
    printf("%4d  %-22s ", i + 1, name);
    if (s->texts == 0 && s->numbers > 0) {
        printf("number  min %-12.6g max %-12.6g mean %.6g", s->min, s->max,
               s->sum / (double)s->numbers);
    } else {
        printf("text    %s%zu distinct:", s->ndistinct > MAX_DISTINCT ? "> " : "",
               s->ndistinct > MAX_DISTINCT ? (size_t)MAX_DISTINCT : s->ndistinct);
        for (size_t k = 0; k < 4 && k < s->ndistinct; k++) {
            char q[48];
            lln_csv_quote(s->first[k] ? s->first[k] : "?", q, sizeof q);
            printf("%s %s", k ? "," : "", q);
        }
        if (s->ndistinct > 4)
            printf(", ...");
        if (s->numbers > 0)
            printf(" (and %ld numbers)", s->numbers);
    }
    if (s->empty > 0)
        printf(" (%ld empty)", s->empty);
    printf("\n");
}

static int info_scan(lln_csv_t *r, colstat_t **stats, int *ncols, long *rows)
{
    lln_error_t err = {LLN_OK, ""};
    int got;
    if (lln_csv_next(r, &got, &err) != LLN_OK) {
        cli_error("data", "%s", err.msg);
        return 0;
    }
    if (!got) {
        cli_error("data", "%s: empty file (no header line)", lln_csv_name(r));
        return 0;
    }
    if (lln_csv_keep_header(r, &err) != LLN_OK) {
        cli_error("data", "%s", err.msg);
        return 0;
    }
    *ncols = lln_csv_nfields(r);
    *stats = calloc((size_t)*ncols, sizeof **stats);
    if (*stats == NULL) {
        cli_error("data", "out of memory");
        return 0;
    }
    for (*rows = 0;; (*rows)++) {
        if (lln_csv_next(r, &got, &err) != LLN_OK) {
            cli_error("data", "%s", err.msg);
            return 0;
        }
        if (!got)
            return 1;
        int nf = lln_csv_nfields(r);
        if (nf != *ncols) {
            cli_error("data", "%s:%ld: %d fields, expected %d", lln_csv_name(r), lln_csv_line(r),
                      nf, *ncols);
            return 0;
        }
        for (int i = 0; i < nf; i++)
            col_add(&(*stats)[i], lln_csv_field(r, i));
    }
}

static int data_info(int argc, char **argv)
{
    static const struct option opts[] = {{"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
    int c;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        if (c == 'h') {
            fputs(DATA_HELP, stdout);
            return EXIT_OK;
        }
        return cli_usage_error("data");
    }
    if (optind + 1 != argc) {
        cli_error("data", "info: one FILE is needed");
        return cli_usage_error("data");
    }
    lln_error_t err = {LLN_OK, ""};
    lln_csv_t *r;
    if (lln_csv_open(argv[optind], &r, &err) != LLN_OK) {
        cli_error("data", "%s", err.msg);
        return EXIT_FAIL;
    }
    lln_cloc_t loc;
    lln_cloc_begin(&loc);
    colstat_t *stats = NULL;
    int ncols = 0;
    long rows = 0;
    int ok = info_scan(r, &stats, &ncols, &rows);
    if (ok) {
        printf("file     %s\nrows     %ld\ncolumns  %d\n", lln_csv_name(r), rows, ncols);
        for (int i = 0; i < ncols; i++)
            col_print(&stats[i], i, lln_csv_header(r, i));
    }
    for (int i = 0; stats != NULL && i < ncols; i++)
        while (stats[i].distinct != NULL) { /* first[] are keys of the tree: freed here */
            char *key = *(char **)stats[i].distinct;
            tdelete(key, &stats[i].distinct, cmp_text);
            free(key);
        }
    free(stats);
    lln_cloc_end(&loc);
    lln_csv_close(r);
    return ok ? EXIT_OK : EXIT_FAIL;
}

/* ---- prepare ----------------------------------------------------------------------------- */

static int data_prepare(int argc, char **argv)
{
    static const struct option opts[] = {
        {"shared", required_argument, 0, O_SHARED},
        {"unique-hours", no_argument, 0, O_UNIQUE},
        {"output", required_argument, 0, 'o'},
        {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0},
    };
    const char *shared = NULL, *out = NULL;
    int c, unique = 0;
    while ((c = getopt_long(argc, argv, "o:h", opts, NULL)) != -1) {
        switch (c) {
        case O_SHARED: shared = optarg; break;
        case O_UNIQUE: unique = 1; break;
        case 'o': out = optarg; break;
        case 'h': fputs(DATA_HELP, stdout); return EXIT_OK;
        default: return cli_usage_error("data");
        }
    }
    if (optind + 1 != argc || shared == NULL || out == NULL) {
        cli_error("data", "prepare: DATASET, --shared DIR and -o FILE are needed");
        return cli_usage_error("data");
    }
    const char *name = argv[optind];
    if (unique && strcmp(name, "traffic") != 0) {
        cli_error("data", "prepare: --unique-hours applies to traffic only");
        return cli_usage_error("data");
    }
    int (*fn)(const char *, int, textout_t *, long *) = NULL;
    if (strcmp(name, "traffic") == 0)
        fn = prepare_traffic;
    else if (strcmp(name, "walker2d") == 0)
        fn = prepare_walker2d;
    if (fn == NULL) {
        int direct = strcmp(name, "gesture") == 0 || strcmp(name, "occupancy") == 0;
        cli_error("data", "prepare: %s '%s' (prepare knows: traffic, walker2d)",
                  direct ? "no preparation is needed for" : "unknown dataset", name);
        if (direct)
            fprintf(stderr, "  read %s/data/%s/ directly: docs/DATA.md gives the options\n", shared,
                    name);
        return EXIT_USAGE;
    }
    textout_t t;
    if (!textout_open(&t, out)) {
        cli_error("data", "out of memory");
        return EXIT_FAIL;
    }
    long rows = 0;
    if (!fn(shared, unique, &t, &rows)) {
        textout_discard(&t);
        return EXIT_FAIL;
    }
    if (!textout_finish(&t, "data", out))
        return EXIT_FAIL;
    if (strcmp(out, "-") != 0)
        fprintf(stderr, "wrote %s: %ld rows\n", out, rows);
    return EXIT_OK;
}

int cmd_data(int argc, char **argv)
{
    if (argc < 2) {
        fputs(DATA_HELP, stderr);
        return EXIT_USAGE;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        fputs(DATA_HELP, stdout);
        return EXIT_OK;
    }
    static const struct {
        const char *name;
        int (*run)(int, char **);
    } subs[] = {{"make", data_make}, {"info", data_info}, {"prepare", data_prepare}};
    for (size_t i = 0; i < sizeof subs / sizeof subs[0]; i++)
        if (strcmp(argv[1], subs[i].name) == 0) {
            char prog[48]; /* getopt's messages: "lln data info: ..." */
            snprintf(prog, sizeof prog, "lln data %s", subs[i].name);
            argv[1] = prog;
            return subs[i].run(argc - 1, argv + 1);
        }
    cli_error("data", "unknown subcommand '%s' (make, info, prepare)", argv[1]);
    return cli_usage_error("data");
}
