/* Data options shared by `lln train` and `lln eval` (see data_flags.h). */
#include <stdio.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "data_flags.h"

enum {
    O_DATA = CLI_DATA_OPT_FIRST,
    O_FEATURES,
    O_TARGETS,
    O_IGNORE,
    O_SEQUENCE,
    O_SPLITCOL,
    O_TIME,
    O_DT,
    O_TSCALE,
    O_DTDEF,
    O_LABELS,
    O_CLASSES,
    O_WFILE,
    O_WSEQ,
    O_WSTART,
    O_WLEN,
    O_WSPLIT,
    O_WINDOW,
    O_STRIDE,
    O_TAIL,
    O_SPLIT,
    O_VALID,
    O_TEST,
    O_SSEED,
    O_VSEQ,
    O_TSEQ,
    O_NORM,
    O_NSPLIT,
    O_NROWS,
    O_NOTNORM,
    O_TSHIFT
};

const struct option CLI_DATA_OPTIONS[] = {
    {"data", required_argument, 0, O_DATA},
    {"features", required_argument, 0, O_FEATURES},
    {"targets", required_argument, 0, O_TARGETS},
    {"ignore", required_argument, 0, O_IGNORE},
    {"sequence", required_argument, 0, O_SEQUENCE},
    {"split-column", required_argument, 0, O_SPLITCOL},
    {"time", required_argument, 0, O_TIME},
    {"dt-column", required_argument, 0, O_DT},
    {"time-scale", required_argument, 0, O_TSCALE},
    {"dt-default", required_argument, 0, O_DTDEF},
    {"labels", required_argument, 0, O_LABELS},
    {"classes", required_argument, 0, O_CLASSES},
    {"windows-file", required_argument, 0, O_WFILE},
    {"windows-sequence", required_argument, 0, O_WSEQ},
    {"windows-start", required_argument, 0, O_WSTART},
    {"windows-length", required_argument, 0, O_WLEN},
    {"windows-split", required_argument, 0, O_WSPLIT},
    {"window", required_argument, 0, O_WINDOW},
    {"stride", required_argument, 0, O_STRIDE},
    {"tail", required_argument, 0, O_TAIL},
    {"split", required_argument, 0, O_SPLIT},
    {"valid", required_argument, 0, O_VALID},
    {"test", required_argument, 0, O_TEST},
    {"split-seed", required_argument, 0, O_SSEED},
    {"valid-sequence", required_argument, 0, O_VSEQ},
    {"test-sequence", required_argument, 0, O_TSEQ},
    {"norm", required_argument, 0, O_NORM},
    {"norm-split", required_argument, 0, O_NSPLIT},
    {"norm-rows", required_argument, 0, O_NROWS},
    {"no-target-norm", no_argument, 0, O_NOTNORM},
    {"target-shift", required_argument, 0, O_TSHIFT},
    {0, 0, 0, 0},
};

const char CLI_DATA_HELP[] =
    "  Data (CSV with a header, plain or gzip; docs/DATA.md):\n"
    "      --data FILE          the data file ('-': standard input)\n"
    "      --features LIST      input columns, comma-separated (default: every column that\n"
    "                           has no other role and is not in --ignore)\n"
    "      --targets LIST       target columns (regression), or the one label column\n"
    "                           (lists may hold ranges A..B and patterns like 's*')\n"
    "      --target-shift K     targets are the target columns K rows later in the sequence\n"
    "                           (1: predict the next step; a target column may then also be\n"
    "                           a feature); the last K rows of each sequence are dropped\n"
    "      --ignore LIST        columns left out of the default feature list\n"
    "      --sequence COL       sequence-id column (rows of a sequence are contiguous)\n"
    "      --split-column COL   column naming each row's split (train/valid/test or 0/1/2)\n"
    "      --time COL           absolute time column (dt = difference within a sequence)\n"
    "      --dt-column COL      elapsed-time column\n"
    "      --time-scale S       multiplies time/dt values (0.001: ms to s; default 1)\n"
    "      --dt-default D       dt where the file gives none (default: the median dt)\n"
    "      --labels KIND        none (regression, default), int (ids 0..K-1), string\n"
    "      --classes K          int labels: number of classes (default: largest id + 1)\n"
    "  Windows:\n"
    "      --window L           steps per training sequence (default 0: whole sequences)\n"
    "      --stride S           steps between window starts (default: L, no overlap)\n"
    "      --tail KIND          drop (default) or pad: a shorter last window per sequence\n"
    "      --windows-file FILE  an explicit window list (CSV) instead of --window\n"
    "      --windows-start COL  its column of first rows (required with --windows-file)\n"
    "      --windows-sequence COL  its sequence-id column\n"
    "      --windows-length COL    its length column (default: --window)\n"
    "      --windows-split COL     its split column\n"
    "  Splits:\n"
    "      --split METHOD       auto (default), shuffle (windows), chrono (rows in order),\n"
    "                           sequence (whole sequences), file (split column or window list).\n"
    "                           auto: file when the data name splits, else sequence when\n"
    "                           there are enough sequences for every split, else chrono\n"
    "      --valid F            validation fraction (default 0.15)\n"
    "      --test F             test fraction (default 0.15)\n"
    "      --split-seed S       seed of the shuffled splits (default 1)\n"
    "      --valid-sequence ID  put a whole sequence into validation (repeatable)\n"
    "      --test-sequence ID   put a whole sequence into test (repeatable)\n"
    "  Normalization (stored in the model; lln run and the firmware apply it):\n"
    "      --norm MODE          fit (default for new models), keep (default with --init),\n"
    "                           none (identity)\n"
    "      --norm-split LIST    splits it is fitted on (default train; e.g. train,valid; all)\n"
    "      --norm-rows KIND     unique (default: each row of a window once), steps (every\n"
    "                           window step) or sequence (all rows of those sequences)\n"
    "      --no-target-norm     leave regression targets in their own units\n";

void cli_data_args_init(cli_data_args_t *a)
{
    memset(a, 0, sizeof *a);
    a->tail = LLN_TAIL_DROP;
    a->split_method = -1;
    a->valid = 0.15;
    a->test = 0.15;
    a->split_seed = 1;
    a->norm_mode = -1;
    a->norm_splits = 1u << LLN_TRAIN;
    a->norm_rows = LLN_NORM_UNIQUE_ROWS;
    a->target_norm = 1;
}

static void list_free(cli_list_t *l)
{
    free(l->buf);
    free(l->names);
    memset(l, 0, sizeof *l);
}

void cli_data_args_free(cli_data_args_t *a)
{
    list_free(&a->features);
    list_free(&a->targets);
    list_free(&a->ignore);
    list_free(&a->model_seq[0]);
    list_free(&a->model_seq[1]);
    free(a->model_windows);
    a->model_windows = NULL;
}

int cli_list_parse(const char *cmd, const char *opt, cli_list_t *l, const char *text)
{
    list_free(l);
    size_t len = strlen(text) + 1;
    int n = 1;
    for (const char *p = text; *p; p++)
        n += *p == ',';
    l->buf = malloc(len);
    l->names = malloc((size_t)n * sizeof *l->names);
    if (l->buf == NULL || l->names == NULL) {
        cli_error(cmd, "out of memory");
        return 0;
    }
    memcpy(l->buf, text, len);
    char *p = l->buf;
    for (int i = 0; i < n; i++) {
        char *c = strchr(p, ',');
        if (c != NULL)
            *c = '\0';
        if (*p == '\0') {
            cli_error(cmd, "%s: empty column name in '%s'", opt, text);
            return 0;
        }
        l->names[l->n++] = p;
        p = c ? c + 1 : p + strlen(p);
    }
    return 1;
}

static int pick(const char *cmd, const char *opt, const char *v, const char *const *names, int n,
                int *out)
{
    for (int i = 0; i < n; i++)
        if (strcmp(v, names[i]) == 0) {
            *out = i;
            return 1;
        }
    char list[256] = "";
    for (int i = 0; i < n; i++)
        snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s", i ? ", " : "", names[i]);
    cli_error(cmd, "%s: '%s' is not one of %s", opt, v, list);
    return 0;
}

static int fraction(const char *cmd, const char *opt, const char *v, double *out)
{
    if (!cli_parse_double(cmd, opt, v, out))
        return 0;
    if (*out < 0 || *out >= 1) {
        cli_error(cmd, "%s: %s is not in [0, 1)", opt, v);
        return 0;
    }
    return 1;
}

/* --norm-split train,valid | all */
static int norm_splits(const char *cmd, const char *v, unsigned *mask)
{
    cli_list_t l = {NULL, NULL, 0};
    static const char *const names[] = {"train", "valid", "test", "all"};
    *mask = 0;
    int ok = cli_list_parse(cmd, "--norm-split", &l, v);
    for (int i = 0; ok && i < l.n; i++) {
        int k = 0;
        ok = pick(cmd, "--norm-split", l.names[i], names, 4, &k);
        *mask |= k == 3 ? 7u : 1u << k;
    }
    list_free(&l);
    return ok;
}

static int named_seq(const char *cmd, const char *opt, const char **list, int *n, const char *v)
{
    if (*n >= CLI_MAX_NAMED_SEQ) {
        cli_error(cmd, "%s: at most %d", opt, CLI_MAX_NAMED_SEQ);
        return 0;
    }
    list[(*n)++] = v;
    return 1;
}

static int columns_option(const char *cmd, cli_data_args_t *a, int opt, const char *v)
{
    static const char *const labels[] = {"none", "int", "string"};
    long x;
    int k;
    switch (opt) {
    case O_DATA: a->path = v; return 1;
    case O_FEATURES:
        a->given_features = 1;
        return cli_list_parse(cmd, "--features", &a->features, v);
    case O_TARGETS: a->given_targets = 1; return cli_list_parse(cmd, "--targets", &a->targets, v);
    case O_IGNORE: return cli_list_parse(cmd, "--ignore", &a->ignore, v);
    case O_SEQUENCE:
        a->given_sequence = 1;
        a->sequence = v;
        return 1;
    case O_SPLITCOL:
        a->given_split_column = 1;
        a->split_column = v;
        return 1;
    case O_TIME:
        a->given_time = 1;
        a->time = v;
        return 1;
    case O_DT:
        a->given_dt = 1;
        a->dt = v;
        return 1;
    case O_TSCALE:
        a->given_scale = 1;
        if (!cli_parse_double(cmd, "--time-scale", v, &a->time_scale) || a->time_scale <= 0) {
            cli_error(cmd, "--time-scale must be > 0");
            return 0;
        }
        return 1;
    case O_DTDEF:
        a->given_dt_default = 1;
        if (!cli_parse_double(cmd, "--dt-default", v, &a->dt_default) || a->dt_default < 0) {
            cli_error(cmd, "--dt-default must be >= 0");
            return 0;
        }
        return 1;
    case O_LABELS:
        a->given_labels = 1;
        if (!pick(cmd, "--labels", v, labels, 3, &k))
            return 0;
        a->labels = (lln_label_kind_t)k;
        return 1;
    case O_CLASSES:
        if (!cli_parse_int(cmd, "--classes", v, 1, 1000000, &x))
            return 0;
        a->classes = (int)x;
        return 1;
    case O_TSHIFT:
        a->given_target_shift = 1;
        if (!cli_parse_int(cmd, "--target-shift", v, 0, 1000000000L, &x))
            return 0;
        a->target_shift = (int)x;
        return 1;
    default: return -1;
    }
}

static int window_option(const char *cmd, cli_data_args_t *a, int opt, const char *v)
{
    static const char *const tails[] = {"drop", "pad"};
    long x;
    int k;
    switch (opt) {
    case O_WFILE: a->given_windows = 1, a->windows_file = v; return 1;
    case O_WSEQ: a->given_windows = 1, a->win_sequence = v; return 1;
    case O_WSTART: a->given_windows = 1, a->win_start = v; return 1;
    case O_WLEN: a->given_windows = 1, a->win_length = v; return 1;
    case O_WSPLIT: a->given_windows = 1, a->win_split = v; return 1;
    case O_WINDOW:
        a->given_window = 1;
        if (!cli_parse_int(cmd, "--window", v, 0, 1000000000L, &x))
            return 0;
        a->window = (int)x;
        return 1;
    case O_STRIDE:
        a->given_stride = 1;
        if (!cli_parse_int(cmd, "--stride", v, 0, 1000000000L, &x))
            return 0;
        a->stride = (int)x;
        return 1;
    case O_TAIL:
        a->given_tail = 1;
        if (!pick(cmd, "--tail", v, tails, 2, &k))
            return 0;
        a->tail = (lln_tail_t)k;
        return 1;
    default: return -1;
    }
}

static int split_option(const char *cmd, cli_data_args_t *a, int opt, const char *v)
{
    static const char *const methods[] = {"shuffle", "chrono", "sequence", "file", "auto"};
    static const char *const modes[] = {"fit", "keep", "none"};
    static const char *const rows[] = {"unique", "steps", "sequence"};
    long x;
    int k;
    switch (opt) {
    case O_SPLIT:
        a->given_split = 1;
        if (!pick(cmd, "--split", v, methods, 5, &k))
            return 0;
        a->split_method = k == 4 ? -1 : k;
        return 1;
    case O_VALID: a->given_valid = 1; return fraction(cmd, "--valid", v, &a->valid);
    case O_TEST: a->given_test = 1; return fraction(cmd, "--test", v, &a->test);
    case O_SSEED:
        a->given_split_seed = 1;
        if (!cli_parse_int(cmd, "--split-seed", v, 0, 0x7fffffffL, &x))
            return 0;
        a->split_seed = (unsigned long long)x;
        return 1;
    case O_VSEQ:
        a->given_named_seq = 1;
        return named_seq(cmd, "--valid-sequence", a->valid_seq, &a->nvalid_seq, v);
    case O_TSEQ:
        a->given_named_seq = 1;
        return named_seq(cmd, "--test-sequence", a->test_seq, &a->ntest_seq, v);
    case O_NORM:
        if (!pick(cmd, "--norm", v, modes, 3, &k))
            return 0;
        a->norm_mode = k;
        return 1;
    case O_NSPLIT: return norm_splits(cmd, v, &a->norm_splits);
    case O_NROWS:
        if (!pick(cmd, "--norm-rows", v, rows, 3, &k))
            return 0;
        a->norm_rows = (lln_norm_rows_t)k;
        return 1;
    case O_NOTNORM: a->target_norm = 0; return 1;
    default: return -1;
    }
}

int cli_data_option(const char *cmd, cli_data_args_t *a, int opt, const char *v)
{
    if (opt < CLI_DATA_OPT_FIRST || opt > CLI_DATA_OPT_LAST)
        return -1;
    int r = columns_option(cmd, a, opt, v);
    if (r < 0)
        r = window_option(cmd, a, opt, v);
    if (r < 0)
        r = split_option(cmd, a, opt, v);
    return r;
}

/* ---- loading ----------------------------------------------------------------------------- */

static int exit_for(lln_status_t st) { return st == LLN_E_ARG ? EXIT_USAGE : EXIT_FAIL; }

static int make_windows(const char *cmd, const cli_data_args_t *a, lln_dataset_t *ds)
{
    lln_error_t err = {LLN_OK, ""};
    lln_status_t st;
    if (a->windows_file != NULL) {
        if (a->win_start == NULL) {
            cli_error(cmd, "--windows-file needs --windows-start COL");
            return EXIT_USAGE;
        }
        if (a->win_length == NULL && a->window < 1) {
            cli_error(cmd, "--windows-file needs --windows-length COL or --window L");
            return EXIT_USAGE;
        }
        lln_window_file_spec_t ws = {a->win_sequence, a->win_start, a->win_length, a->win_split,
                                     a->window};
        st = lln_dataset_read_windows(ds, a->windows_file, &ws, &err);
    } else {
        st = lln_dataset_make_windows(ds, a->window, a->stride, a->tail, &err);
    }
    if (st != LLN_OK) {
        cli_error(cmd, "%s", err.msg);
        return exit_for(st);
    }
    return 0;
}

static int assign_splits(const char *cmd, const cli_data_args_t *a, lln_dataset_t *ds)
{
    lln_error_t err = {LLN_OK, ""};
    lln_dataset_info_t info;
    lln_dataset_info(ds, &info);
    int method = a->split_method;
    int from_file = a->split_column != NULL || (a->windows_file != NULL && a->win_split != NULL);
    /* auto: whole sequences when there are enough to give every asked-for split one */
    int enough = (a->valid <= 0 || (int)(a->valid * info.sequences) >= 1) &&
                 (a->test <= 0 || (int)(a->test * info.sequences) >= 1);
    if (method < 0)
        method = from_file ? 3 : enough ? LLN_SPLIT_SEQUENCE : LLN_SPLIT_CHRONO;
    if (method == 3 && !from_file) {
        cli_error(cmd, "--split file: the data have no split column or window-list split");
        return EXIT_USAGE;
    }
    lln_status_t st = LLN_OK;
    if (method != 3)
        st = lln_dataset_split(ds, (lln_split_method_t)method, a->valid, a->test, a->split_seed,
                               &err);
    for (int i = 0; st == LLN_OK && i < a->nvalid_seq; i++)
        st = lln_dataset_assign_sequence(ds, a->valid_seq[i], LLN_VALID, &err);
    for (int i = 0; st == LLN_OK && i < a->ntest_seq; i++)
        st = lln_dataset_assign_sequence(ds, a->test_seq[i], LLN_TEST, &err);
    if (st != LLN_OK) {
        cli_error(cmd, "%s", err.msg);
        return exit_for(st);
    }
    return 0;
}

/* "--flag", or "data.key of the model (--flag overrides)" when the choice is the model's. */
static const char *origin(const cli_data_args_t *a, unsigned bit, const char *flag, const char *key)
{
    static char buf[6][96];
    static int next;
    if (!(a->from_model & bit))
        return flag;
    char *b = buf[next++ % 6];
    snprintf(b, sizeof buf[0], "%s of the model (%s overrides)", key, flag);
    return b;
}

int cli_data_load(const char *cmd, const cli_data_args_t *a, int split, lln_dataset_t **ds)
{
    *ds = NULL;
    if (a->path == NULL) {
        cli_error(cmd, "--data FILE is required");
        return EXIT_USAGE;
    }
    if (a->time != NULL && a->dt != NULL) {
        cli_error(cmd, "--time and --dt-column exclude each other");
        return EXIT_USAGE;
    }
    lln_csv_spec_t spec;
    lln_csv_spec_default(&spec);
    spec.features = a->features.names;
    spec.nfeatures = a->features.n;
    spec.targets = a->targets.names;
    spec.ntargets = a->targets.n;
    spec.ignore = a->ignore.names;
    spec.nignore = a->ignore.n;
    spec.sequence = a->sequence;
    spec.split = a->split_column;
    spec.time = a->time;
    spec.dt = a->dt;
    spec.time_scale = a->time_scale;
    spec.dt_default = a->dt_default;
    spec.labels = a->labels;
    spec.classes = a->classes;
    spec.target_shift = a->target_shift;
    /* errors about a column name the option, or the model's record, that chose it */
    spec.features_origin = origin(a, CLI_FROM_MODEL_FEATURES, "--features", "data.features");
    spec.targets_origin = origin(a, CLI_FROM_MODEL_TARGETS, "--targets", "data.targets");
    spec.ignore_origin = "--ignore";
    spec.sequence_origin = origin(a, CLI_FROM_MODEL_SEQUENCE, "--sequence", "data.sequence");
    spec.split_origin = origin(a, CLI_FROM_MODEL_SPLIT, "--split-column", "data.split_column");
    spec.time_origin = origin(a, CLI_FROM_MODEL_TIME, "--time", "data.time");
    spec.dt_origin = origin(a, CLI_FROM_MODEL_DT, "--dt-column", "data.dt");
    lln_error_t err = {LLN_OK, ""};
    lln_status_t st = lln_dataset_read(a->path, &spec, ds, &err);
    if (st != LLN_OK) {
        cli_error(cmd, "%s", err.msg);
        return exit_for(st);
    }
    int rc = make_windows(cmd, a, *ds);
    if (rc == 0 && split)
        rc = assign_splits(cmd, a, *ds);
    if (rc != 0) {
        lln_dataset_free(*ds);
        *ds = NULL;
    }
    return rc;
}

void cli_data_describe(const lln_dataset_t *ds, const char *path)
{
    lln_dataset_info_t in;
    lln_dataset_info(ds, &in);
    printf("data       %s: %zu rows, %d sequence%s, %d feature%s -> ", path, in.rows, in.sequences,
           in.sequences == 1 ? "" : "s", in.inputs, in.inputs == 1 ? "" : "s");
    if (in.classes > 0)
        printf("%d classes", in.classes);
    else
        printf("%d target%s", in.outputs, in.outputs == 1 ? "" : "s");
    printf("; dt %.4g..%.4g (median %.4g)\n", in.dt_min, in.dt_max, in.dt_median);
    printf("windows    %zu of %d steps: train %zu, valid %zu, test %zu", in.windows,
           in.window_length, in.split_windows[0], in.split_windows[1], in.split_windows[2]);
    if (in.padded_windows > 0)
        printf(" (%zu padded)", in.padded_windows);
    if (in.dropped_windows > 0)
        printf(" (%zu dropped: they span two splits)", in.dropped_windows);
    printf("\n");
}

/* ---- normalization ----------------------------------------------------------------------- */

static int set_identity(const char *cmd, lln_model_t *m, int outputs)
{
    int I = lln_model_input_size(m), O = lln_model_output_size(m);
    int n = I > O ? I : O;
    double *zero = calloc((size_t)n, sizeof(double)), *one = malloc((size_t)n * sizeof(double));
    lln_error_t err = {LLN_OK, ""};
    int ok = zero != NULL && one != NULL;
    for (int i = 0; ok && i < n; i++)
        one[i] = 1.0;
    ok = ok && lln_model_set_norm(m, zero, one, outputs ? zero : NULL, outputs ? one : NULL,
                                  &err) == LLN_OK;
    if (!ok)
        cli_error(cmd, "normalization: %s", err.msg[0] ? err.msg : "out of memory");
    free(zero);
    free(one);
    return ok ? 0 : EXIT_FAIL;
}

int cli_data_norm(const char *cmd, const cli_data_args_t *a, const lln_dataset_t *ds,
                  lln_model_t *m)
{
    lln_dataset_info_t in;
    lln_dataset_info(ds, &in);
    int regression = in.classes == 0;
    if (a->norm_mode == 1)
        return 0;
    if (a->norm_mode == 2)
        return set_identity(cmd, m, regression);
    size_t n = (size_t)in.inputs + (size_t)in.outputs;
    double *v = malloc(4 * n * sizeof(double));
    if (v == NULL) {
        cli_error(cmd, "out of memory");
        return EXIT_FAIL;
    }
    double *im = v, *is = v + n, *om = v + 2 * n, *os = v + 3 * n;
    lln_error_t err = {LLN_OK, ""};
    lln_status_t st =
        lln_dataset_fit_norm(ds, a->norm_splits, a->norm_rows, 1e-6, im, is, om, os, &err);
    if (st == LLN_OK && regression && !a->target_norm)
        for (int j = 0; j < in.outputs; j++) {
            om[j] = 0.0;
            os[j] = 1.0;
        }
    /* a mean or std that overflowed (values near 1e308) is the data's problem: name the column,
     * not the index the library would name */
    for (size_t k = 0; st == LLN_OK && k < n; k++) {
        int out = k >= (size_t)in.inputs, j = out ? (int)(k - (size_t)in.inputs) : (int)k;
        double mean = out ? om[j] : im[k], sd = out ? os[j] : is[k];
        if (out && !regression)
            break;
        if (isfinite(mean) && isfinite(sd))
            continue;
        const char *col = out ? lln_dataset_target_name(ds, j) : lln_dataset_feature_name(ds, j);
        cli_error(cmd,
                  "%s: column '%s' (%s %d): mean %g, std %g: its values are too large to "
                  "normalize; rescale the column (or use --norm none)",
                  a->path, col ? col : "?", out ? "target" : "feature", j + 1, mean, sd);
        free(v);
        return EXIT_FAIL;
    }
    if (st == LLN_OK)
        st = lln_model_set_norm(m, im, is, regression ? om : NULL, regression ? os : NULL, &err);
    free(v);
    if (st != LLN_OK) {
        cli_error(cmd, "normalization: %s", err.msg);
        return EXIT_FAIL;
    }
    return 0;
}
