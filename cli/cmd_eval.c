/* lln eval: scores a model on a CSV log: loss and accuracy with a confusion matrix for
 * classification, MSE and RMSE for regression. The columns, labels and windows default to
 * what `lln train` recorded in the model (task_meta.h), so `lln eval MODEL --data FILE` is
 * enough for a model trained here. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "argfile.h"
#include "cli.h"
#include "data_flags.h"
#include "task_meta.h"

static const char EVAL_HELP_HEAD[] =
    "usage: lln eval MODEL --data FILE [OPTIONS]\n\n"
    "Runs the model over the windows of a CSV log and prints the loss and the accuracy and a\n"
    "confusion matrix (classification) or the MSE and RMSE in the data's units and normalized\n"
    "(regression). Columns, labels and windows default to those the model was trained with\n"
    "(recorded by lln train); the options below override them.\n\n";

static const char EVAL_HELP_TAIL[] =
    "  Evaluation:\n"
    "      --on SPLIT           all (default), train, valid or test: the windows of that split\n"
    "                           (made with the split options above, as lln train makes them)\n"
    "      --loss-steps KIND    every or last (default: as trained)\n"
    "      --precision P        f32 (default) or f64\n"
    "      --batch N            sequences per forward pass (default 256)\n"
    "      --threads N          threads (default: all online CPUs)\n"
    "      --config FILE        options as 'key = value' lines; training options in the file\n"
    "                           are skipped, so lln train's file can be reused\n"
    "  -h, --help               this text\n\n"
    "Exit status: 0 success; 1 bad model, data or I/O; 2 bad command line.\n";

enum { E_ON = 600, E_LSTEPS, E_PREC, E_BATCH, E_THREADS, E_CONFIG };

static const struct option EVAL_OPTIONS[] = {
    {"on", required_argument, 0, E_ON},
    {"loss-steps", required_argument, 0, E_LSTEPS},
    {"precision", required_argument, 0, E_PREC},
    {"batch", required_argument, 0, E_BATCH},
    {"threads", required_argument, 0, E_THREADS},
    {"config", required_argument, 0, E_CONFIG},
    {"help", no_argument, 0, 'h'},
    {0, 0, 0, 0},
};

/* lln train's own options: skipped when a config file gives them to lln eval. */
static const char *const TRAIN_ONLY[] = {"init",
                                         "loss",
                                         "epochs",
                                         "optimizer",
                                         "lr",
                                         "beta1",
                                         "beta2",
                                         "adam-eps",
                                         "momentum",
                                         "nesterov",
                                         "weight-decay",
                                         "clip-norm",
                                         "lr-schedule",
                                         "lr-step-epochs",
                                         "lr-gamma",
                                         "lr-decay-epochs",
                                         "lr-min",
                                         "warmup-epochs",
                                         "patience",
                                         "monitor",
                                         "eval-batch",
                                         "checkpoint",
                                         "no-checkpoint",
                                         "resume",
                                         "quiet",
                                         "output",
                                         "cell",
                                         "inputs",
                                         "units",
                                         "outputs",
                                         "wiring",
                                         "sparsity",
                                         "ncp",
                                         "no-self-connections",
                                         "wiring-seed",
                                         "seed",
                                         "ode-unfolds",
                                         "epsilon",
                                         "positivity",
                                         "input-mapping",
                                         "output-mapping",
                                         "mode",
                                         "activation",
                                         "backbone-units",
                                         "backbone-layers",
                                         "backbone-dropout",
                                         "proj-size",
                                         "mixed-memory",
                                         "set",
                                         "name",
                                         NULL};

typedef struct eval_args {
    cli_data_args_t data;
    const char *model;
    int on; /* -1 all, else lln_split_t */
    int steps_given;
    lln_loss_steps_t steps;
    lln_dtype_t dtype;
    int batch, threads;
} eval_args_t;

static int eval_option(eval_args_t *a, int opt, const char *v)
{
    long x;
    switch (opt) {
    case E_ON:
        if (strcmp(v, "all") == 0)
            a->on = -1;
        else if (strcmp(v, "train") == 0 || strcmp(v, "valid") == 0 || strcmp(v, "test") == 0)
            a->on = v[0] == 't' ? (v[1] == 'r' ? LLN_TRAIN : LLN_TEST) : LLN_VALID;
        else {
            cli_error("eval", "--on: '%s' is not one of all, train, valid, test", v);
            return 0;
        }
        return 1;
    case E_LSTEPS:
        if (strcmp(v, "every") != 0 && strcmp(v, "last") != 0) {
            cli_error("eval", "--loss-steps: '%s' is not one of every, last", v);
            return 0;
        }
        a->steps_given = 1;
        a->steps = v[0] == 'l' ? LLN_LOSS_LAST_STEP : LLN_LOSS_EVERY_STEP;
        return 1;
    case E_PREC:
        if (strcmp(v, "f32") != 0 && strcmp(v, "f64") != 0) {
            cli_error("eval", "--precision: '%s' is not one of f32, f64", v);
            return 0;
        }
        a->dtype = strcmp(v, "f64") == 0 ? LLN_F64 : LLN_F32;
        return 1;
    case E_BATCH:
        if (!cli_parse_int("eval", "--batch", v, 1, 1000000L, &x))
            return 0;
        a->batch = (int)x;
        return 1;
    case E_THREADS:
        if (!cli_parse_int("eval", "--threads", v, 0, 256, &x))
            return 0;
        a->threads = (int)x;
        return 1;
    case E_CONFIG: return 1;
    default: return cli_data_option("eval", &a->data, opt, v) == 1;
    }
}

static int parse(int argc, char **argv, const struct option *opts, eval_args_t *a)
{
    int opt;
    optind = 1;
    while ((opt = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        if (opt == 'h') {
            fputs(EVAL_HELP_HEAD, stdout);
            fputs(CLI_DATA_HELP, stdout);
            fputs(EVAL_HELP_TAIL, stdout);
            return -1;
        }
        if (opt == '?' || !eval_option(a, opt, optarg))
            return cli_usage_error("eval");
    }
    if (optind + 1 != argc) {
        cli_error("eval", optind >= argc ? "which MODEL?" : "one MODEL only");
        return cli_usage_error("eval");
    }
    a->model = argv[optind];
    if (a->data.path == NULL) {
        cli_error("eval", "--data FILE is required");
        return cli_usage_error("eval");
    }
    return 0;
}

/* ---- output ----------------------------------------------------------------------------- */

static void print_confusion(const lln_model_t *m, const lln_dataset_t *ds, const double *conf,
                            int K)
{
    const char *names = lln_model_get_meta(m, "data.classes");
    cli_list_t l = {NULL, NULL, 0};
    if (names == NULL || !cli_task_meta_list("eval", "data.classes", &l, names) || l.n < K) {
        free(l.buf);
        free(l.names);
        l.buf = NULL;
        l.names = NULL;
        l.n = 0;
    }
    char label[64];
    printf("confusion  rows: true class, columns: predicted\n%-12s", "");
    for (int j = 0; j < K; j++) {
        snprintf(label, sizeof label, "%s",
                 l.n                             ? l.names[j]
                 : lln_dataset_class_name(ds, j) ? lln_dataset_class_name(ds, j)
                                                 : "?");
        printf(" %9.9s", label);
    }
    printf("\n");
    for (int i = 0; i < K; i++) {
        snprintf(label, sizeof label, "%s",
                 l.n                             ? l.names[i]
                 : lln_dataset_class_name(ds, i) ? lln_dataset_class_name(ds, i)
                                                 : "?");
        printf("  %-10.10s", label);
        for (int j = 0; j < K; j++)
            printf(" %9.0f", conf[i * K + j]);
        printf("\n");
    }
    free(l.buf);
    free(l.names);
}

static void print_result(const lln_model_t *m, const lln_dataset_t *ds, lln_loss_kind_t loss,
                         lln_loss_steps_t steps, const lln_batch_stats_t *s, const double *conf)
{
    int K = lln_model_output_size(m);
    const char *which = steps == LLN_LOSS_LAST_STEP ? "last step" : "every step";
    if (s->count <= 0) {
        printf("no counted steps\n");
        return;
    }
    if (loss == LLN_LOSS_CROSS_ENTROPY) {
        printf("loss       %.6g (cross-entropy, %s)\n", s->loss_sum / s->count, which);
        printf("accuracy   %.4f (%.0f of %.0f steps)\n", s->correct / s->steps, s->correct,
               s->steps);
        print_confusion(m, ds, conf, K);
    } else {
        printf("mse        %.6g (data units, %s; %.0f values)\n", s->sq_err_raw / s->count, which,
               s->count);
        printf("rmse       %.6g\n", sqrt(s->sq_err_raw / s->count));
        printf("normalized %.6g (mse of targets scaled by the model's output std: the training "
               "loss)\n",
               s->loss_sum / s->count);
    }
}

/* ---- main ------------------------------------------------------------------------------- */

static int evaluate(eval_args_t *a, const lln_model_t *m, const lln_dataset_t *ds)
{
    lln_loss_kind_t loss;
    lln_loss_steps_t steps;
    cli_task_meta_loss(m, ds, &loss, &steps);
    if (a->steps_given)
        steps = a->steps;
    lln_dataset_info_t in;
    lln_dataset_info(ds, &in);
    if ((loss == LLN_LOSS_CROSS_ENTROPY) != (in.classes > 0)) {
        cli_error("eval", "the model was trained for %s, the data have %s",
                  loss == LLN_LOSS_MSE ? "regression" : "classification",
                  in.classes > 0 ? "class labels (--labels)" : "numeric targets");
        return EXIT_USAGE;
    }
    int K = lln_model_output_size(m), *map = NULL;
    int rc = loss == LLN_LOSS_CROSS_ENTROPY ? cli_task_class_map("eval", m, ds, K, &map) : 0;
    size_t n = a->on < 0 ? lln_dataset_window_count(ds)
                         : lln_dataset_split_windows(ds, (lln_split_t)a->on, NULL);
    size_t *idx = malloc((n ? n : 1) * sizeof *idx);
    double *conf = calloc((size_t)K * (size_t)K, sizeof *conf);
    if (rc == 0 && (idx == NULL || conf == NULL)) {
        cli_error("eval", "out of memory");
        rc = EXIT_FAIL;
    }
    if (rc == 0 && n == 0) {
        cli_error("eval", "%s: no windows to evaluate", a->data.path);
        rc = EXIT_FAIL;
    }
    lln_batch_stats_t s;
    lln_error_t err = {LLN_OK, ""};
    if (rc == 0) {
        for (size_t i = 0; a->on < 0 && i < n; i++)
            idx[i] = i;
        if (a->on >= 0)
            lln_dataset_split_windows(ds, (lln_split_t)a->on, idx);
        if (lln_evaluate(m, ds, idx, n, loss, steps, a->dtype, a->batch, a->threads, map, &s, conf,
                         &err) != LLN_OK) {
            cli_error("eval", "%s", err.msg);
            rc = EXIT_FAIL;
        }
    }
    if (rc == 0) {
        static const char *const splits[] = {"train", "valid", "test"};
        printf("evaluated  %zu windows (%s)\n", n, a->on < 0 ? "all" : splits[a->on]);
        print_result(m, ds, loss, steps, &s, conf);
    }
    free(map);
    free(idx);
    free(conf);
    return rc;
}

int cmd_eval(int argc, char **argv)
{
    struct option opts[96];
    const struct option *tables[] = {CLI_DATA_OPTIONS, EVAL_OPTIONS};
    if (!cli_options_join(opts, sizeof opts / sizeof opts[0], tables, 2))
        return EXIT_FAIL;
    int n = 0, code = 0;
    char **av = cli_args_expand("eval", argc, argv, opts, TRAIN_ONLY, &n, &code);
    if (av == NULL)
        return code;
    eval_args_t a;
    memset(&a, 0, sizeof a);
    cli_data_args_init(&a.data);
    a.on = -1;
    a.batch = 256;
    int rc = parse(n, av, opts, &a);
    lln_model_t *m = NULL;
    lln_dataset_t *ds = NULL;
    if (rc == 0 && (m = cli_load_model("eval", a.model)) == NULL)
        rc = EXIT_FAIL;
    if (rc == 0)
        rc = cli_task_meta_apply("eval", m, &a.data);
    if (rc == 0)
        rc = cli_data_load("eval", &a.data, a.on >= 0, &ds);
    if (rc == 0) {
        printf("model      %s\n", a.model);
        cli_data_describe(ds, a.data.path);
        rc = evaluate(&a, m, ds);
    }
    lln_dataset_free(ds);
    lln_model_free(m);
    cli_data_args_free(&a.data);
    cli_args_free(av, n);
    return rc < 0 ? EXIT_OK : rc;
}
