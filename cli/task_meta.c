/* Data and task metadata of trained models (see task_meta.h). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "task_meta.h"

/* Joins names with commas into a new string, each name with '%' and ',' written as %25 and
 * %2C so that any name (a class label may hold a comma) reads back the same; no length limit.
 * NULL when out of memory or a name is missing. */
static char *join(const char *(*name)(const lln_dataset_t *, int), const lln_dataset_t *ds, int n)
{
    size_t len = 1;
    for (int i = 0; i < n; i++) {
        const char *s = name(ds, i);
        if (s == NULL)
            return NULL;
        len += 1 + 3 * strlen(s); /* every byte escaped at worst */
    }
    char *out = malloc(len), *p = out;
    for (int i = 0; out && i < n; i++) {
        if (i)
            *p++ = ',';
        for (const char *s = name(ds, i); *s; s++) {
            if (*s == ',' || *s == '%') {
                *p++ = '%';
                *p++ = '2';
                *p++ = *s == ',' ? 'C' : '5';
            } else {
                *p++ = *s;
            }
        }
    }
    if (out)
        *p = '\0';
    return out;
}

/* Undoes join()'s %25 / %2C in place. */
static void unescape(char *s)
{
    char *w = s;
    for (const char *r = s; *r; r++) {
        if (r[0] == '%' && r[1] == '2' && (r[2] == 'C' || r[2] == '5')) {
            *w++ = r[2] == 'C' ? ',' : '%';
            r += 2;
        } else {
            *w++ = *r;
        }
    }
    *w = '\0';
}

int cli_task_meta_list(const char *cmd, const char *key, cli_list_t *l, const char *text)
{
    if (!cli_list_parse(cmd, key, l, text))
        return 0;
    for (int i = 0; i < l->n; i++)
        unescape((char *)(uintptr_t)l->names[i]); /* the names point into l->buf, ours */
    return 1;
}

int cli_task_class_map(const char *cmd, const lln_model_t *m, const lln_dataset_t *ds, int K,
                       int **map)
{
    lln_dataset_info_t in;
    lln_dataset_info(ds, &in);
    *map = NULL;
    const char *names = lln_model_get_meta(m, "data.classes");
    if (in.classes > K) {
        cli_error(cmd, "the data have %d classes, the model %d outputs", in.classes, K);
        return EXIT_FAIL;
    }
    if (names == NULL)
        return 0; /* ids as they are */
    cli_list_t l = {NULL, NULL, 0};
    if (!cli_task_meta_list(cmd, "data.classes", &l, names))
        return EXIT_FAIL;
    *map = malloc(((size_t)in.classes + 1) * sizeof **map);
    int rc = *map ? 0 : EXIT_FAIL;
    for (int k = 0; rc == 0 && k < in.classes; k++) {
        const char *c = lln_dataset_class_name(ds, k);
        (*map)[k] = -1;
        for (int j = 0; c && j < l.n && j < K; j++)
            if (strcmp(l.names[j], c) == 0)
                (*map)[k] = j;
        if ((*map)[k] < 0) {
            cli_error(cmd, "class '%s' of the data is not one of the model's %d classes", c ? c : "?",
                      l.n);
            rc = EXIT_FAIL;
        }
    }
    if (rc != 0) {
        free(*map);
        *map = NULL;
    }
    free(l.buf);
    free(l.names);
    return rc;
}

/* The shortest of %.15g / %.17g that reads back as the same double. */
static void fmt_exact(char *b, size_t n, double v)
{
    snprintf(b, n, "%.15g", v);
    if (strtod(b, NULL) != v)
        snprintf(b, n, "%.17g", v);
}

/* Sets key unless value is NULL. A value too long for a model file (class names can be) is
 * refused here, naming the key and the sizes, rather than failing at the save. */
static int put(const char *cmd, int *said, lln_model_t *m, const char *key, const char *value)
{
    if (value != NULL && strlen(value) > LLN_MAX_META_VALUE) {
        *said = 1;
        cli_error(cmd, "%s: the names take %zu bytes, a model file stores at most %d per "
                  "entry; shorten the column names or class labels", key, strlen(value),
                  LLN_MAX_META_VALUE);
        return 0;
    }
    return value == NULL || lln_model_set_meta(m, key, value) == LLN_OK;
}

int cli_task_meta_store(const char *cmd, lln_model_t *m, const cli_data_args_t *a,
                        const lln_dataset_t *ds, lln_loss_kind_t loss, lln_loss_steps_t steps)
{
    lln_dataset_info_t in;
    lln_dataset_info(ds, &in);
    char *buf = join(lln_dataset_feature_name, ds, in.inputs), num[64];
    int said = 0; /* a message was printed */
    int ok = buf != NULL && put(cmd, &said, m, "data.features", buf);
    free(buf);
    if (ok && in.outputs > 0) {
        buf = join(lln_dataset_target_name, ds, in.outputs);
        ok = buf != NULL && put(cmd, &said, m, "data.targets", buf);
        free(buf);
    }
    ok = ok && put(cmd, &said, m, "data.sequence", a->sequence) && put(cmd, &said, m, "data.dt", a->dt) &&
         put(cmd, &said, m, "data.time", a->time);
    if (ok && a->time_scale > 0) {
        fmt_exact(num, sizeof num, a->time_scale);
        ok = put(cmd, &said, m, "data.time_scale", num);
    }
    if (ok && in.classes > 0) {
        ok = put(cmd, &said, m, "data.labels", a->labels == LLN_LABELS_STRING ? "string" : "int");
        buf = ok ? join(lln_dataset_class_name, ds, in.classes) : NULL;
        ok = ok && buf != NULL && put(cmd, &said, m, "data.classes", buf);
        free(buf);
    }
    if (ok && a->windows_file == NULL) {
        snprintf(num, sizeof num, "%d", a->window);
        ok = put(cmd, &said, m, "data.window", num);
        snprintf(num, sizeof num, "%d", a->stride);
        ok = ok && put(cmd, &said, m, "data.stride", num);
    }
    if (ok && a->split_column == NULL && a->windows_file == NULL) {
        static const char *const methods[] = {"shuffle", "chrono", "sequence", "file"};
        ok = put(cmd, &said, m, "data.split", a->split_method < 0 ? "auto" : methods[a->split_method]);
        fmt_exact(num, sizeof num, a->valid);
        ok = ok && put(cmd, &said, m, "data.valid", num);
        fmt_exact(num, sizeof num, a->test);
        ok = ok && put(cmd, &said, m, "data.test", num);
        snprintf(num, sizeof num, "%llu", a->split_seed);
        ok = ok && put(cmd, &said, m, "data.split_seed", num);
    }
    ok = ok && put(cmd, &said, m, "task.loss", loss == LLN_LOSS_MSE ? "mse" : "cross_entropy") &&
         put(cmd, &said, m, "task.loss_steps", steps == LLN_LOSS_LAST_STEP ? "last" : "every");
    if (!ok && !said)
        cli_error(cmd, "cannot store the data description in the model (out of memory?)");
    return ok ? 0 : EXIT_FAIL;
}

int cli_task_meta_apply(const char *cmd, const lln_model_t *m, cli_data_args_t *a)
{
    const char *v;
    int ok = 1;
    if (!a->given_features && (v = lln_model_get_meta(m, "data.features")) != NULL)
        ok = cli_task_meta_list(cmd, "data.features", &a->features, v);
    if (ok && !a->given_targets && (v = lln_model_get_meta(m, "data.targets")) != NULL)
        ok = cli_task_meta_list(cmd, "data.targets", &a->targets, v);
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
