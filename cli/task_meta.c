/* Data and task metadata of trained models (see task_meta.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "task_meta.h"

/* Joins names with commas; 0 when a name holds a comma (it could not be split again). */
static int join(char *out, size_t cap, const char *(*name)(const lln_dataset_t *, int),
                const lln_dataset_t *ds, int n)
{
    size_t len = 0;
    out[0] = '\0';
    for (int i = 0; i < n; i++) {
        const char *s = name(ds, i);
        if (s == NULL || strchr(s, ',') != NULL)
            return 0;
        int w = snprintf(out + len, cap - len, "%s%s", i ? "," : "", s);
        if (w < 0 || (size_t)w >= cap - len)
            return 0;
        len += (size_t)w;
    }
    return 1;
}

/* The shortest of %.15g / %.17g that reads back as the same double. */
static void fmt_exact(char *b, size_t n, double v)
{
    snprintf(b, n, "%.15g", v);
    if (strtod(b, NULL) != v)
        snprintf(b, n, "%.17g", v);
}

static int put(lln_model_t *m, const char *key, const char *value)
{
    return value == NULL || lln_model_set_meta(m, key, value) == LLN_OK;
}

int cli_task_meta_store(const char *cmd, lln_model_t *m, const cli_data_args_t *a,
                        const lln_dataset_t *ds, lln_loss_kind_t loss, lln_loss_steps_t steps)
{
    lln_dataset_info_t in;
    lln_dataset_info(ds, &in);
    size_t cap = 65536;
    char *buf = malloc(cap), num[64];
    int ok = buf != NULL;
    if (ok && join(buf, cap, lln_dataset_feature_name, ds, in.inputs))
        ok = put(m, "data.features", buf);
    if (ok && in.outputs > 0 && join(buf, cap, lln_dataset_target_name, ds, in.outputs))
        ok = put(m, "data.targets", buf);
    ok = ok && put(m, "data.sequence", a->sequence) && put(m, "data.dt", a->dt) &&
         put(m, "data.time", a->time);
    if (ok && a->time_scale > 0) {
        fmt_exact(num, sizeof num, a->time_scale);
        ok = put(m, "data.time_scale", num);
    }
    if (ok && in.classes > 0) {
        ok = put(m, "data.labels", a->labels == LLN_LABELS_STRING ? "string" : "int");
        if (ok && join(buf, cap, lln_dataset_class_name, ds, in.classes))
            ok = put(m, "data.classes", buf);
    }
    if (ok && a->windows_file == NULL) {
        snprintf(num, sizeof num, "%d", a->window);
        ok = put(m, "data.window", num);
        snprintf(num, sizeof num, "%d", a->stride);
        ok = ok && put(m, "data.stride", num);
    }
    if (ok && a->split_column == NULL && a->windows_file == NULL) {
        static const char *const methods[] = {"shuffle", "chrono", "sequence", "file"};
        ok = put(m, "data.split", a->split_method < 0 ? "auto" : methods[a->split_method]);
        fmt_exact(num, sizeof num, a->valid);
        ok = ok && put(m, "data.valid", num);
        fmt_exact(num, sizeof num, a->test);
        ok = ok && put(m, "data.test", num);
        snprintf(num, sizeof num, "%llu", a->split_seed);
        ok = ok && put(m, "data.split_seed", num);
    }
    ok = ok && put(m, "task.loss", loss == LLN_LOSS_MSE ? "mse" : "cross_entropy") &&
         put(m, "task.loss_steps", steps == LLN_LOSS_LAST_STEP ? "last" : "every");
    free(buf);
    if (!ok)
        cli_error(cmd, "cannot store the data description in the model (out of memory?)");
    return ok ? 0 : EXIT_FAIL;
}

int cli_task_meta_apply(const char *cmd, const lln_model_t *m, cli_data_args_t *a)
{
    const char *v;
    int ok = 1;
    if (!a->given_features && (v = lln_model_get_meta(m, "data.features")) != NULL)
        ok = cli_list_parse(cmd, "data.features", &a->features, v);
    if (ok && !a->given_targets && (v = lln_model_get_meta(m, "data.targets")) != NULL)
        ok = cli_list_parse(cmd, "data.targets", &a->targets, v);
    if (!a->given_sequence)
        a->sequence = lln_model_get_meta(m, "data.sequence");
    if (!a->given_dt && !a->given_time) {
        a->dt = lln_model_get_meta(m, "data.dt");
        a->time = lln_model_get_meta(m, "data.time");
    }
    if (!a->given_scale && (v = lln_model_get_meta(m, "data.time_scale")) != NULL)
        a->time_scale = strtod(v, NULL);
    if (!a->given_labels && (v = lln_model_get_meta(m, "data.labels")) != NULL)
        a->labels = strcmp(v, "string") == 0 ? LLN_LABELS_STRING : LLN_LABELS_INT;
    if (!a->given_window && a->windows_file == NULL &&
        (v = lln_model_get_meta(m, "data.window")) != NULL)
        a->window = (int)strtol(v, NULL, 10);
    if (!a->given_stride && a->windows_file == NULL &&
        (v = lln_model_get_meta(m, "data.stride")) != NULL)
        a->stride = (int)strtol(v, NULL, 10);
    if (!a->given_split && (v = lln_model_get_meta(m, "data.split")) != NULL)
        a->split_method = strcmp(v, "shuffle") == 0    ? LLN_SPLIT_SHUFFLE
                          : strcmp(v, "chrono") == 0   ? LLN_SPLIT_CHRONO
                          : strcmp(v, "sequence") == 0 ? LLN_SPLIT_SEQUENCE
                                                       : -1;
    if (!a->given_valid && (v = lln_model_get_meta(m, "data.valid")) != NULL)
        a->valid = strtod(v, NULL);
    if (!a->given_test && (v = lln_model_get_meta(m, "data.test")) != NULL)
        a->test = strtod(v, NULL);
    if (!a->given_split_seed && (v = lln_model_get_meta(m, "data.split_seed")) != NULL)
        a->split_seed = strtoull(v, NULL, 10);
    return ok ? 0 : EXIT_USAGE;
}

void cli_task_meta_loss(const lln_model_t *m, const lln_dataset_t *ds, lln_loss_kind_t *loss,
                        lln_loss_steps_t *steps)
{
    lln_dataset_info_t in;
    lln_dataset_info(ds, &in);
    const char *l = lln_model_get_meta(m, "task.loss"),
               *s = lln_model_get_meta(m, "task.loss_steps");
    *loss = l != NULL        ? (strcmp(l, "mse") == 0 ? LLN_LOSS_MSE : LLN_LOSS_CROSS_ENTROPY)
            : in.classes > 0 ? LLN_LOSS_CROSS_ENTROPY
                             : LLN_LOSS_MSE;
    *steps = s != NULL && strcmp(s, "last") == 0 ? LLN_LOSS_LAST_STEP : LLN_LOSS_EVERY_STEP;
}
