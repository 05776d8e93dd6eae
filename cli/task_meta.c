/* Data and task metadata of trained models (see task_meta.h). */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "cli.h"
#include "task_meta.h"

/* Joins names with commas into a new string, each name with '%' and ',' written as %25 and
 * %2C so that any name (a class label may hold a comma) reads back the same; no length limit.
 * NULL when out of memory or a name is missing. */
static char *join(const char *(*name)(const void *, int), const void *ctx, int n)
{
    size_t len = 1;
    for (int i = 0; i < n; i++) {
        const char *s = name(ctx, i);
        if (s == NULL)
            return NULL;
        len += 1 + 3 * strlen(s); /* every byte escaped at worst */
    }
    char *out = malloc(len), *p = out;
    for (int i = 0; out && i < n; i++) {
        if (i)
            *p++ = ',';
        for (const char *s = name(ctx, i); *s; s++) {
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

static const char *feature_name(const void *ds, int i) { return lln_dataset_feature_name(ds, i); }
static const char *target_name(const void *ds, int i) { return lln_dataset_target_name(ds, i); }
static const char *class_name(const void *ds, int i) { return lln_dataset_class_name(ds, i); }
static const char *list_name(const void *list, int i) { return ((const char *const *)list)[i]; }

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
            cli_error(cmd, "class '%s' of the data is not one of the model's %d classes",
                      c ? c : "?", l.n);
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
        cli_error(cmd,
                  "%s: the names take %zu bytes, a model file stores at most %d per "
                  "entry; shorten the column names or class labels",
                  key, strlen(value), LLN_MAX_META_VALUE);
        return 0;
    }
    return value == NULL || lln_model_set_meta(m, key, value) == LLN_OK;
}

/* The data options recorded in a model (key), the option that sets each (opt) and how. */
typedef enum {
    K_SEQUENCE,
    K_DT,
    K_TIME,
    K_TSCALE,
    K_DTDEF,
    K_SPLITCOL,
    K_WINDOW,
    K_STRIDE,
    K_TAIL,
    K_WFILE,
    K_WSTART,
    K_WSEQ,
    K_WLEN,
    K_WSPLIT,
    K_SPLIT,
    K_VALID,
    K_TEST,
    K_SSEED,
    K_VSEQ,
    K_TSEQ,
    K_TSHIFT
} key_what_t;

typedef struct {
    const char *key, *opt;
    key_what_t what;
} meta_key_t;

static const meta_key_t KEYS[] = {
    {"data.sequence", "--sequence", K_SEQUENCE},
    {"data.dt", "--dt-column", K_DT},
    {"data.time", "--time", K_TIME},
    {"data.time_scale", "--time-scale", K_TSCALE},
    {"data.dt_default", "--dt-default", K_DTDEF},
    {"data.split_column", "--split-column", K_SPLITCOL},
    {"data.window", "--window", K_WINDOW},
    {"data.stride", "--stride", K_STRIDE},
    {"data.tail", "--tail", K_TAIL},
    {"data.windows_file", "--windows-file", K_WFILE},
    {"data.windows_start", "--windows-start", K_WSTART},
    {"data.windows_sequence", "--windows-sequence", K_WSEQ},
    {"data.windows_length", "--windows-length", K_WLEN},
    {"data.windows_split", "--windows-split", K_WSPLIT},
    {"data.split", "--split", K_SPLIT},
    {"data.valid", "--valid", K_VALID},
    {"data.test", "--test", K_TEST},
    {"data.split_seed", "--split-seed", K_SSEED},
    {"data.valid_sequences", "--valid-sequence", K_VSEQ},
    {"data.test_sequences", "--test-sequence", K_TSEQ},
    {"data.target_shift", "--target-shift", K_TSHIFT},
};

/* Whether the option of k was given on the command line. */
static int given(const cli_data_args_t *a, const meta_key_t *k)
{
    switch (k->what) {
    case K_SEQUENCE: return a->given_sequence;
    case K_DT:
    case K_TIME: return a->given_dt || a->given_time;
    case K_TSCALE: return a->given_scale;
    case K_DTDEF: return a->given_dt_default;
    case K_SPLITCOL: return a->given_split_column;
    case K_WINDOW: return a->given_window;
    case K_STRIDE: return a->given_stride;
    case K_TAIL: return a->given_tail;
    case K_WFILE:
    case K_WSTART:
    case K_WSEQ:
    case K_WLEN:
    case K_WSPLIT: return a->given_windows;
    case K_SPLIT: return a->given_split;
    case K_VALID: return a->given_valid;
    case K_TEST: return a->given_test;
    case K_SSEED: return a->given_split_seed;
    case K_VSEQ:
    case K_TSEQ: return a->given_named_seq;
    case K_TSHIFT: return a->given_target_shift;
    }
    return 0;
}

/* The text a model records for k from the options in a (NULL: nothing to record); num holds
 * numbers, *owned a list the caller frees. The same text is compared by cli_task_meta_apply. */
static const char *current(const cli_data_args_t *a, const meta_key_t *k, char *num, size_t n,
                           char **owned)
{
    static const char *const methods[] = {"shuffle", "chrono", "sequence", "file"};
    *owned = NULL;
    switch (k->what) {
    case K_SEQUENCE: return a->sequence;
    case K_DT: return a->dt;
    case K_TIME: return a->time;
    case K_TSCALE:
        if (!(a->time_scale > 0))
            return NULL;
        fmt_exact(num, n, a->time_scale);
        return num;
    case K_DTDEF: fmt_exact(num, n, a->dt_default); return num; /* 0: the median */
    case K_SPLITCOL: return a->split_column;
    case K_WINDOW: snprintf(num, n, "%d", a->window); return num;
    case K_STRIDE: snprintf(num, n, "%d", a->stride); return num;
    case K_TAIL: return a->tail == LLN_TAIL_PAD ? "pad" : "drop";
    case K_WFILE: return a->windows_file;
    case K_WSTART: return a->windows_file ? a->win_start : NULL;
    case K_WSEQ: return a->windows_file ? a->win_sequence : NULL;
    case K_WLEN: return a->windows_file ? a->win_length : NULL;
    case K_WSPLIT: return a->windows_file ? a->win_split : NULL;
    case K_SPLIT: return a->split_method < 0 ? "auto" : methods[a->split_method];
    case K_VALID: fmt_exact(num, n, a->valid); return num;
    case K_TEST: fmt_exact(num, n, a->test); return num;
    case K_SSEED: snprintf(num, n, "%llu", a->split_seed); return num;
    case K_TSHIFT:
        if (a->target_shift == 0)
            return NULL; /* the default: models of other data keep their metadata */
        snprintf(num, n, "%d", a->target_shift);
        return num;
    case K_VSEQ:
    case K_TSEQ: {
        int t = k->what == K_TSEQ, cnt = t ? a->ntest_seq : a->nvalid_seq;
        return cnt == 0 ? NULL : (*owned = join(list_name, t ? a->test_seq : a->valid_seq, cnt));
    }
    }
    return NULL;
}

/* CRC-32 (zlib's) of a file's bytes: what the model records of a window list. */
static int file_crc(const char *cmd, const char *path, unsigned long *crc)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        cli_error(cmd, "--windows-file %s: %s", path, strerror(errno));
        return 0;
    }
    unsigned char buf[65536];
    size_t got;
    *crc = crc32(0L, Z_NULL, 0);
    while ((got = fread(buf, 1, sizeof buf, f)) > 0)
        *crc = crc32(*crc, buf, (uInt)got);
    int ok = !ferror(f);
    fclose(f);
    if (!ok)
        cli_error(cmd, "--windows-file %s: read error", path);
    return ok;
}

int cli_task_meta_store(const char *cmd, lln_model_t *m, const cli_data_args_t *a,
                        const lln_dataset_t *ds, lln_loss_kind_t loss, lln_loss_steps_t steps)
{
    lln_dataset_info_t in;
    lln_dataset_info(ds, &in);
    char *buf = join(feature_name, ds, in.inputs), num[64];
    int said = 0; /* a message was printed */
    int ok = buf != NULL && put(cmd, &said, m, "data.features", buf);
    free(buf);
    if (ok && in.outputs > 0) {
        buf = join(target_name, ds, in.outputs);
        ok = buf != NULL && put(cmd, &said, m, "data.targets", buf);
        free(buf);
    }
    if (ok && in.classes > 0) {
        ok = put(cmd, &said, m, "data.labels", a->labels == LLN_LABELS_STRING ? "string" : "int");
        buf = ok ? join(class_name, ds, in.classes) : NULL;
        ok = ok && buf != NULL && put(cmd, &said, m, "data.classes", buf);
        free(buf);
    }
    for (size_t k = 0; ok && k < sizeof KEYS / sizeof KEYS[0]; k++) {
        char *owned = NULL;
        const char *v = current(a, &KEYS[k], num, sizeof num, &owned);
        ok = put(cmd, &said, m, KEYS[k].key, v);
        free(owned);
    }
    if (ok && a->windows_file != NULL) { /* a changed window list must not pass unnoticed */
        unsigned long crc;
        ok = file_crc(cmd, a->windows_file, &crc);
        snprintf(num, sizeof num, "%08lx", crc);
        ok = ok && put(cmd, &said, m, "data.windows_crc32", num);
        said |= !ok;
    }
    ok = ok && put(cmd, &said, m, "task.loss", loss == LLN_LOSS_MSE ? "mse" : "cross_entropy") &&
         put(cmd, &said, m, "task.loss_steps", steps == LLN_LOSS_LAST_STEP ? "last" : "every");
    if (!ok && !said)
        cli_error(cmd, "cannot store the data description in the model (out of memory?)");
    return ok ? 0 : EXIT_FAIL;
}

/* Sets the option of key k from the model's text v. 0 after a message. */
static int set_from(const char *cmd, cli_data_args_t *a, const meta_key_t *k, const char *v)
{
    static const char *const methods[] = {"shuffle", "chrono", "sequence", "file"};
    switch (k->what) {
    case K_SEQUENCE: a->sequence = v, a->from_model |= CLI_FROM_MODEL_SEQUENCE; return 1;
    case K_DT: a->dt = v, a->from_model |= v ? CLI_FROM_MODEL_DT : 0; return 1;
    case K_TIME: a->time = v, a->from_model |= v ? CLI_FROM_MODEL_TIME : 0; return 1;
    case K_TSCALE: a->time_scale = strtod(v, NULL); return 1;
    case K_DTDEF: a->dt_default = strtod(v, NULL); return 1;
    case K_SPLITCOL: a->split_column = v, a->from_model |= CLI_FROM_MODEL_SPLIT; return 1;
    case K_WINDOW: a->window = (int)strtol(v, NULL, 10); return 1;
    case K_STRIDE: a->stride = (int)strtol(v, NULL, 10); return 1;
    case K_TAIL: a->tail = strcmp(v, "pad") == 0 ? LLN_TAIL_PAD : LLN_TAIL_DROP; return 1;
    case K_WFILE: a->windows_file = v; return 1;
    case K_WSTART: a->win_start = v; return 1;
    case K_WSEQ: a->win_sequence = v; return 1;
    case K_WLEN: a->win_length = v; return 1;
    case K_WSPLIT: a->win_split = v; return 1;
    case K_SPLIT:
        a->split_method = -1;
        for (int i = 0; i < 4; i++)
            if (strcmp(v, methods[i]) == 0)
                a->split_method = i;
        return 1;
    case K_VALID: a->valid = strtod(v, NULL); return 1;
    case K_TEST: a->test = strtod(v, NULL); return 1;
    case K_SSEED: a->split_seed = strtoull(v, NULL, 10); return 1;
    case K_TSHIFT: a->target_shift = (int)strtol(v, NULL, 10); return 1;
    case K_VSEQ:
    case K_TSEQ: {
        int t = k->what == K_TSEQ;
        cli_list_t *l = &a->model_seq[t];
        if (!cli_task_meta_list(cmd, k->key, l, v))
            return 0;
        const char **dst = t ? a->test_seq : a->valid_seq;
        int *n = t ? &a->ntest_seq : &a->nvalid_seq;
        for (*n = 0; *n < l->n && *n < CLI_MAX_NAMED_SEQ; ++*n)
            dst[*n] = l->names[*n];
        return 1;
    }
    }
    return 1;
}

/* The windows file the model names, when --windows-file was not given: as recorded, else the
 * file of that name beside the data; it must have the recorded checksum. 0 after a message. */
static int find_windows(const char *cmd, const lln_model_t *m, cli_data_args_t *a)
{
    const char *want = lln_model_get_meta(m, "data.windows_crc32");
    const char *rec = a->windows_file, *base = strrchr(rec, '/');
    unsigned long crc = 0;
    char got[16] = "";
    FILE *f = fopen(rec, "rb");
    if (f == NULL && a->path != NULL && strcmp(a->path, "-") != 0) { /* beside the data? */
        const char *slash = strrchr(a->path, '/');
        size_t dir = slash ? (size_t)(slash - a->path) + 1 : 0;
        base = base ? base + 1 : rec;
        size_t blen = strlen(base);
        a->model_windows = malloc(dir + blen + 1);
        if (a->model_windows != NULL) {
            memcpy(a->model_windows, a->path, dir);
            memcpy(a->model_windows + dir, base, blen + 1); /* with its NUL */
            f = fopen(a->model_windows, "rb");
            if (f != NULL)
                rec = a->windows_file = a->model_windows;
        }
    }
    if (f == NULL) {
        cli_error(cmd,
                  "the model was trained with --windows-file %s, which cannot be read here "
                  "(%s); give --windows-file FILE (and the --windows-* columns) to evaluate "
                  "on the same windows",
                  a->windows_file, strerror(errno));
        return 0;
    }
    fclose(f);
    if (!file_crc(cmd, rec, &crc))
        return 0;
    snprintf(got, sizeof got, "%08lx", crc);
    if (want != NULL && strcmp(want, got) != 0) {
        cli_error(cmd,
                  "%s: the window list has changed since training (CRC-32 %s, the model "
                  "recorded %s); give --windows-file explicitly to use it anyway",
                  rec, got, want);
        return 0;
    }
    return 1;
}

int cli_task_meta_apply(const char *cmd, const lln_model_t *m, cli_data_args_t *a)
{
    const char *v;
    int ok = 1;
    if (!a->given_features && (v = lln_model_get_meta(m, "data.features")) != NULL) {
        ok = cli_task_meta_list(cmd, "data.features", &a->features, v);
        a->from_model |= CLI_FROM_MODEL_FEATURES;
    }
    if (ok && !a->given_targets && (v = lln_model_get_meta(m, "data.targets")) != NULL) {
        ok = cli_task_meta_list(cmd, "data.targets", &a->targets, v);
        a->from_model |= CLI_FROM_MODEL_TARGETS;
    }
    if (!a->given_labels && (v = lln_model_get_meta(m, "data.labels")) != NULL)
        a->labels = strcmp(v, "string") == 0 ? LLN_LABELS_STRING : LLN_LABELS_INT;
    int windows_from_model = 0;
    for (size_t i = 0; ok && i < sizeof KEYS / sizeof KEYS[0]; i++) {
        const meta_key_t *k = &KEYS[i];
        const char *rec = lln_model_get_meta(m, k->key);
        if (!given(a, k)) {
            /* dt and time are set even when absent (NULL): one of the two, as recorded */
            if (rec != NULL || k->what == K_DT || k->what == K_TIME)
                ok = set_from(cmd, a, k, rec);
            windows_from_model |= k->what == K_WFILE && rec != NULL;
            continue;
        }
        char num[64];
        char *owned = NULL;
        const char *now = current(a, k, num, sizeof num, &owned);
        if (rec != NULL && (now == NULL || strcmp(now, rec) != 0))
            fprintf(stderr,
                    "lln %s: warning: %s %s overrides the training's %s = %s; the "
                    "windows, splits and figures may differ from training\n",
                    cmd, k->opt, now ? now : "(none)", k->key, rec);
        free(owned);
    }
    if (ok && windows_from_model)
        ok = find_windows(cmd, m, a);
    else if (ok && a->given_windows && a->windows_file != NULL &&
             (v = lln_model_get_meta(m, "data.windows_crc32")) != NULL) {
        unsigned long crc;
        char got[16];
        ok = file_crc(cmd, a->windows_file, &crc);
        snprintf(got, sizeof got, "%08lx", crc);
        if (ok && strcmp(got, v) != 0)
            fprintf(stderr,
                    "lln %s: warning: --windows-file %s has CRC-32 %s, the training's "
                    "window list had %s\n",
                    cmd, a->windows_file, got, v);
    }
    return ok ? 0 : EXIT_FAIL;
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
