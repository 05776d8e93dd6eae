/* Loading and checking the result files of lln report / lln plot. JSON is parsed by cJSON
 * (docs/DESIGN.md, "Reports"); every field the schema names is required with its type and
 * range, unknown keys are ignored (the schema lets writers add fields), and a key given
 * twice is an error (cJSON would silently keep the first). CSV goes through the library's
 * reader, so its messages carry file, line and column. */
#include <cJSON.h>
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "lln/csv.h"
#include "lln/util.h"
#include "os.h"
#include "report.h"

static const char *const HISTORY_COLS[] = {"epoch",        "train_loss", "valid_loss",
                                           "valid_metric", "lr",         "seconds"};
#define NHCOLS 6

static char *dup_text(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d != NULL)
        memcpy(d, s, n);
    return d;
}

/* The file name without folders and extension. */
static char *stem(const char *path)
{
    const char *b = strrchr(path, '/');
    b = b ? b + 1 : path;
    char *s = dup_text(b);
    char *dot = s ? strrchr(s, '.') : NULL;
    if (dot != NULL && dot != s)
        *dot = '\0';
    return s;
}

/* ---- JSON fields ----------------------------------------------------------------------- */

typedef struct jctx {
    const char *cmd, *file;
    char prefix[64]; /* "profiles[1]." while reading that object */
} jctx_t;

static const char *jtype(const cJSON *it)
{
    return cJSON_IsNumber(it)   ? "a number"
           : cJSON_IsString(it) ? "a string"
           : cJSON_IsBool(it)   ? "a boolean"
           : cJSON_IsNull(it)   ? "null"
           : cJSON_IsArray(it)  ? "an array"
           : cJSON_IsObject(it) ? "an object"
                                : "something else";
}

static void jerr(const jctx_t *j, const char *key, const char *what, const char *got)
{
    cli_error(j->cmd, "%s: field '%s%s': %s%s%s", j->file, j->prefix, key, what,
              got ? ", got " : "", got ? got : "");
}

/* The member key of obj, or NULL after "missing field" (optional: no message). */
static const cJSON *jget(const jctx_t *j, const cJSON *obj, const char *key, int optional)
{
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (it == NULL && !optional)
        cli_error(j->cmd, "%s: missing field '%s%s'", j->file, j->prefix, key);
    return it;
}

/* A finite number >= lo (an integer when integer is set); nullable: null gives NaN. */
static int jnum(const jctx_t *j, const cJSON *obj, const char *key, double lo, int integer,
                int nullable, double *out)
{
    const cJSON *it = jget(j, obj, key, 0);
    if (it == NULL)
        return 0;
    if (nullable && cJSON_IsNull(it)) {
        *out = NAN;
        return 1;
    }
    if (!cJSON_IsNumber(it)) {
        jerr(j, key, nullable ? "expected a number or null" : "expected a number", jtype(it));
        return 0;
    }
    double v = it->valuedouble;
    char got[40];
    snprintf(got, sizeof got, "%.9g", v);
    if (!isfinite(v)) {
        jerr(j, key, "not a finite number", got);
        return 0;
    }
    if (v < lo) {
        jerr(j, key, lo == 0 ? "must be >= 0" : "must be > 0", got);
        return 0;
    }
    if (integer && (v != floor(v) || v > 9007199254740992.0)) {
        jerr(j, key, "expected an integer", got);
        return 0;
    }
    *out = v;
    return 1;
}

/* A string (a copy in *out; nullable: null gives NULL); non-empty unless empty_ok. */
static int jstr(const jctx_t *j, const cJSON *obj, const char *key, int nullable, char **out)
{
    const cJSON *it = jget(j, obj, key, 0);
    if (it == NULL)
        return 0;
    if (nullable && cJSON_IsNull(it)) {
        *out = NULL;
        return 1;
    }
    if (!cJSON_IsString(it)) {
        jerr(j, key, nullable ? "expected a string or null" : "expected a string", jtype(it));
        return 0;
    }
    if (it->valuestring[0] == '\0') {
        jerr(j, key, "empty string", NULL);
        return 0;
    }
    *out = dup_text(it->valuestring);
    if (*out == NULL) {
        cli_error(j->cmd, "%s: out of memory", j->file);
        return 0;
    }
    return 1;
}

/* One of the strings of allowed (a NULL-terminated list). */
static int jenum(const jctx_t *j, const cJSON *obj, const char *key, const char *const *allowed,
                 char **out)
{
    if (!jstr(j, obj, key, 0, out))
        return 0;
    for (int i = 0; allowed[i]; i++)
        if (strcmp(*out, allowed[i]) == 0)
            return 1;
    char what[128] = "expected one of";
    for (int i = 0; allowed[i]; i++)
        snprintf(what + strlen(what), sizeof what - strlen(what), "%s '%s'", i ? "," : "",
                 allowed[i]);
    char got[64];
    snprintf(got, sizeof got, "'%.40s'", *out);
    jerr(j, key, what, got);
    free(*out);
    *out = NULL;
    return 0;
}

/* A boolean (nullable: null gives -1). */
static int jbool(const jctx_t *j, const cJSON *obj, const char *key, int nullable, int *out)
{
    const cJSON *it = jget(j, obj, key, 0);
    if (it == NULL)
        return 0;
    if (nullable && cJSON_IsNull(it)) {
        *out = -1;
        return 1;
    }
    if (!cJSON_IsBool(it)) {
        jerr(j, key, nullable ? "expected true, false or null" : "expected true or false",
             jtype(it));
        return 0;
    }
    *out = cJSON_IsTrue(it) ? 1 : 0;
    return 1;
}

/* An array of strings (possibly empty). */
static int jstrings(const jctx_t *j, const cJSON *obj, const char *key, char ***out, int *n)
{
    const cJSON *it = jget(j, obj, key, 0);
    if (it == NULL)
        return 0;
    if (!cJSON_IsArray(it)) {
        jerr(j, key, "expected an array of strings", jtype(it));
        return 0;
    }
    int k = cJSON_GetArraySize(it), i = 0;
    *out = calloc((size_t)(k > 0 ? k : 1), sizeof **out);
    *n = 0;
    if (*out == NULL)
        return 0;
    const cJSON *e;
    cJSON_ArrayForEach(e, it)
    {
        if (!cJSON_IsString(e)) {
            char sub[48];
            snprintf(sub, sizeof sub, "%s[%d]", key, i);
            jerr(j, sub, "expected a string", jtype(e));
            return 0;
        }
        if (((*out)[i++] = dup_text(e->valuestring)) == NULL)
            return 0;
        *n = i;
    }
    return 1;
}

/* An array of objects with at least one element; returns it, or NULL after a message. */
static const cJSON *jobjects(const jctx_t *j, const cJSON *obj, const char *key, int *n)
{
    const cJSON *it = jget(j, obj, key, 0);
    if (it == NULL)
        return NULL;
    if (!cJSON_IsArray(it)) {
        jerr(j, key, "expected an array of objects", jtype(it));
        return NULL;
    }
    *n = cJSON_GetArraySize(it);
    if (*n == 0) {
        jerr(j, key, "empty: at least one entry is needed", NULL);
        return NULL;
    }
    int i = 0;
    const cJSON *e;
    cJSON_ArrayForEach(e, it)
    {
        if (!cJSON_IsObject(e)) {
            char sub[48];
            snprintf(sub, sizeof sub, "%s[%d]", key, i);
            jerr(j, sub, "expected an object", jtype(e));
            return NULL;
        }
        i++;
    }
    return it;
}

/* A key given twice anywhere in the document (cJSON keeps both; lookups see the first). */
static const char *duplicate_key(const cJSON *it)
{
    for (const cJSON *c = it ? it->child : NULL; c; c = c->next) {
        if (cJSON_IsObject(it))
            for (const cJSON *d = c->next; d; d = d->next)
                if (c->string && d->string && strcmp(c->string, d->string) == 0)
                    return c->string;
        const char *k = duplicate_key(c);
        if (k != NULL)
            return k;
    }
    return NULL;
}

/* ---- profile --------------------------------------------------------------------------- */

static void free_device(rep_device_t *d)
{
    free(d->device);
    free(d->core);
    free(d->target);
    free(d->sleep_mode);
    for (int i = 0; i < d->nsources; i++)
        free(d->sources[i]);
    for (int i = 0; i < d->nnotes; i++)
        free(d->notes[i]);
    free(d->sources);
    free(d->notes);
}

static int load_device(jctx_t *j, const cJSON *o, rep_device_t *d)
{
    return jstr(j, o, "device", 0, &d->device) && jstr(j, o, "core", 0, &d->core) &&
           jstr(j, o, "target", 0, &d->target) &&
           jnum(j, o, "clock_mhz", 1e-300, 0, 0, &d->clock_mhz) &&
           jbool(j, o, "emulated", 0, &d->emulated) &&
           jnum(j, o, "instructions_per_step", 0, 0, 0, &d->instructions_per_step) &&
           jnum(j, o, "cpi", 0, 0, 0, &d->cpi) &&
           jnum(j, o, "cycles_per_step", 0, 0, 0, &d->cycles_per_step) &&
           jnum(j, o, "latency_us", 0, 0, 0, &d->latency_us) &&
           jnum(j, o, "energy_per_step_uj", 0, 0, 0, &d->energy_per_step_uj) &&
           jnum(j, o, "rate_hz", 0, 0, 0, &d->rate_hz) &&
           jstr(j, o, "sleep_mode", 0, &d->sleep_mode) &&
           jnum(j, o, "avg_power_mw", 0, 0, 0, &d->avg_power_mw) &&
           jnum(j, o, "max_rate_hz", 0, 0, 0, &d->max_rate_hz) &&
           jnum(j, o, "flash_bytes", 0, 1, 0, &d->flash_bytes) &&
           jnum(j, o, "ram_bytes", 0, 1, 0, &d->ram_bytes) &&
           jnum(j, o, "flash_capacity", 0, 1, 0, &d->flash_capacity) &&
           jnum(j, o, "ram_capacity", 0, 1, 0, &d->ram_capacity) &&
           jbool(j, o, "fits", 0, &d->fits) && jnum(j, o, "budget_mw", 0, 0, 1, &d->budget_mw) &&
           jbool(j, o, "within_budget", 1, &d->within_budget) &&
           jstrings(j, o, "sources", &d->sources, &d->nsources) &&
           jstrings(j, o, "notes", &d->notes, &d->nnotes);
}

static int load_profile(jctx_t *j, const cJSON *root, rep_results_t *r)
{
    static const char *const RUNTIMES[] = {"fixed", "float", NULL};
    rep_profile_t *grown = realloc(r->prof, (size_t)(r->nprof + 1) * sizeof *grown);
    if (grown == NULL)
        return 0;
    r->prof = grown;
    rep_profile_t *p = &r->prof[r->nprof++];
    memset(p, 0, sizeof *p);
    if ((p->path = dup_text(j->file)) == NULL)
        return 0;
    int n = 0;
    const cJSON *arr;
    if (!(jstr(j, root, "model", 0, &p->model) && jstr(j, root, "name", 0, &p->name) &&
          jstr(j, root, "cell", 0, &p->cell) && jnum(j, root, "params", 0, 1, 0, &p->params) &&
          jenum(j, root, "runtime", RUNTIMES, &p->runtime) &&
          (arr = jobjects(j, root, "profiles", &n)) != NULL))
        return 0;
    if ((p->dev = calloc((size_t)n, sizeof *p->dev)) == NULL)
        return 0;
    const cJSON *e;
    cJSON_ArrayForEach(e, arr)
    {
        snprintf(j->prefix, sizeof j->prefix, "profiles[%d].", p->ndev);
        if (!load_device(j, e, &p->dev[p->ndev++]))
            return 0;
    }
    return 1;
}

/* ---- compare --------------------------------------------------------------------------- */

static int load_row(jctx_t *j, const cJSON *o, rep_row_t *w, int accuracy)
{
    if (!(jstr(j, o, "model", 0, &w->model) && jnum(j, o, "params", 0, 1, 0, &w->params) &&
          jnum(j, o, "metric_value", 0, 0, 0, &w->metric_value) &&
          jnum(j, o, "flash_bytes", 0, 1, 0, &w->flash_bytes) &&
          jnum(j, o, "ram_bytes", 0, 1, 0, &w->ram_bytes) &&
          jnum(j, o, "cycles_per_step", 0, 0, 0, &w->cycles_per_step) &&
          jnum(j, o, "energy_per_step_uj", 0, 0, 0, &w->energy_per_step_uj) &&
          jnum(j, o, "avg_power_mw", 0, 0, 0, &w->avg_power_mw) &&
          jstr(j, o, "history", 1, &w->history)))
        return 0;
    if (accuracy && w->metric_value > 1) {
        char got[32];
        snprintf(got, sizeof got, "%.9g", w->metric_value);
        jerr(j, "metric_value", "an accuracy must be in [0, 1]", got);
        return 0;
    }
    return 1;
}

static int load_compare(jctx_t *j, const cJSON *root, rep_results_t *r)
{
    static const char *const METRICS[] = {"accuracy", "mse", NULL};
    static const char *const MATCH[] = {"size", "accuracy", "search", NULL};
    rep_compare_t *grown = realloc(r->cmp, (size_t)(r->ncmp + 1) * sizeof *grown);
    if (grown == NULL)
        return 0;
    r->cmp = grown;
    rep_compare_t *c = &r->cmp[r->ncmp++];
    memset(c, 0, sizeof *c);
    if ((c->path = dup_text(j->file)) == NULL)
        return 0;
    int n = 0;
    const cJSON *arr;
    if (!(jstr(j, root, "data", 0, &c->data) && jstr(j, root, "task", 0, &c->task) &&
          jenum(j, root, "metric", METRICS, &c->metric) && jstr(j, root, "device", 0, &c->device) &&
          jnum(j, root, "rate_hz", 0, 0, 0, &c->rate_hz) &&
          jenum(j, root, "match", MATCH, &c->match) &&
          (arr = jobjects(j, root, "rows", &n)) != NULL))
        return 0;
    if ((c->rows = calloc((size_t)n, sizeof *c->rows)) == NULL)
        return 0;
    const cJSON *e;
    cJSON_ArrayForEach(e, arr)
    {
        snprintf(j->prefix, sizeof j->prefix, "rows[%d].", c->nrows);
        if (!load_row(j, e, &c->rows[c->nrows++], strcmp(c->metric, "accuracy") == 0))
            return 0;
    }
    return 1;
}

/* ---- timing study ---------------------------------------------------------------------- */

/* Both strings set and equal (the fields are set once loaded; a failed load leaves NULLs). */
static int same(const char *a, const char *b)
{
    return a != NULL && b != NULL && strcmp(a, b) == 0;
}

static int load_timing_row(jctx_t *j, const cJSON *o, const rep_timing_t *t, rep_timing_row_t *w)
{
    if (!(jstr(j, o, "task", 0, &w->task) && jstr(j, o, "cell", 0, &w->cell) &&
          jstr(j, o, "column", 0, &w->column) && jstr(j, o, "timing", 0, &w->timing) &&
          jnum(j, o, "params", 0, 1, 0, &w->params) && jnum(j, o, "seeds", 1, 1, 0, &w->seeds) &&
          jnum(j, o, "episodes", 1, 1, 0, &w->episodes) && jnum(j, o, "mean", 0, 0, 0, &w->mean) &&
          jnum(j, o, "min", 0, 0, 0, &w->min) && jnum(j, o, "max", 0, 0, 0, &w->max)))
        return 0;
    int known = 0;
    for (int c = 0; c < t->ncol && !known; c++)
        known = same(w->column, t->col_name[c]);
    char got[96];
    if (!known) {
        snprintf(got, sizeof got, "'%.40s'", w->column);
        jerr(j, "column", "not one of the names in 'columns'", got);
        return 0;
    }
    if (w->max > 1) {
        snprintf(got, sizeof got, "%.9g", w->max);
        jerr(j, "max", "a success rate must be in [0, 1]", got);
        return 0;
    }
    if (w->min > w->mean + 1e-9 || w->mean > w->max + 1e-9) {
        snprintf(got, sizeof got, "min %.9g, mean %.9g, max %.9g", w->min, w->mean, w->max);
        jerr(j, "mean", "expected min <= mean <= max", got);
        return 0;
    }
    return 1;
}

static int load_timing(jctx_t *j, const cJSON *root, rep_results_t *r)
{
    static const char *const AXES[] = {"trained", "jitter", "dropout", "rate", NULL};
    rep_timing_t *grown = realloc(r->tim, (size_t)(r->ntim + 1) * sizeof *grown);
    if (grown == NULL)
        return 0;
    r->tim = grown;
    rep_timing_t *t = &r->tim[r->ntim++];
    memset(t, 0, sizeof *t);
    if ((t->path = dup_text(j->file)) == NULL)
        return 0;
    int nc = 0, n = 0;
    const cJSON *cols = jobjects(j, root, "columns", &nc), *rows, *e;
    if (cols == NULL)
        return 0;
    t->col_name = calloc((size_t)nc, sizeof *t->col_name);
    t->col_title = calloc((size_t)nc, sizeof *t->col_title);
    t->col_axis = calloc((size_t)nc, sizeof *t->col_axis);
    if (t->col_name == NULL || t->col_title == NULL || t->col_axis == NULL)
        return 0;
    cJSON_ArrayForEach(e, cols)
    {
        snprintf(j->prefix, sizeof j->prefix, "columns[%d].", t->ncol);
        int c = t->ncol++;
        if (!(jstr(j, e, "name", 0, &t->col_name[c]) && jstr(j, e, "title", 0, &t->col_title[c]) &&
              jenum(j, e, "axis", AXES, &t->col_axis[c])))
            return 0;
        for (int k = 0; k < c; k++)
            if (same(t->col_name[k], t->col_name[c])) {
                jerr(j, "name", "given twice in 'columns'", t->col_name[c]);
                return 0;
            }
    }
    j->prefix[0] = '\0';
    if ((rows = jobjects(j, root, "rows", &n)) == NULL)
        return 0;
    if ((t->rows = calloc((size_t)n, sizeof *t->rows)) == NULL)
        return 0;
    cJSON_ArrayForEach(e, rows)
    {
        snprintf(j->prefix, sizeof j->prefix, "rows[%d].", t->nrows);
        rep_timing_row_t *w = &t->rows[t->nrows++];
        if (!load_timing_row(j, e, t, w))
            return 0;
        for (int k = 0; k < t->nrows - 1; k++) {
            const rep_timing_row_t *q = &t->rows[k];
            if (same(q->task, w->task) && same(q->cell, w->cell) && same(q->column, w->column)) {
                char got[192];
                snprintf(got, sizeof got, "task '%.40s', cell '%.40s', column '%.40s' as rows[%d]",
                         w->task, w->cell, w->column, k);
                jerr(j, "column", "the same", got);
                return 0;
            }
        }
    }
    return 1;
}

/* Line and column (1-based) of byte offset off in text. */
static void line_col(const char *text, size_t off, long *line, long *col)
{
    *line = 1;
    *col = 1;
    for (size_t i = 0; i < off && text[i]; i++) {
        if (text[i] == '\n') {
            ++*line;
            *col = 1;
        } else {
            ++*col;
        }
    }
}

static int load_json(const char *cmd, const char *path, const char *text, size_t len,
                     rep_results_t *r)
{
    const char *end = NULL;
    cJSON *root = cJSON_ParseWithLengthOpts(text, len + 1, &end, 1); /* + its NUL */
    if (root == NULL) {
        long line, col;
        size_t off = end != NULL && end >= text ? (size_t)(end - text) : 0;
        if (end == NULL && cJSON_GetErrorPtr() != NULL && cJSON_GetErrorPtr() >= text)
            off = (size_t)(cJSON_GetErrorPtr() - text);
        line_col(text, off, &line, &col);
        cli_error(cmd, "%s:%ld:%ld: not valid JSON", path, line, col);
        return 0;
    }
    jctx_t j = {cmd, path, ""};
    int ok = 0;
    const char *dupk = duplicate_key(root);
    const cJSON *kind =
        cJSON_IsObject(root) ? cJSON_GetObjectItemCaseSensitive(root, "lln_result") : NULL;
    double version = 0;
    if (!cJSON_IsObject(root))
        cli_error(cmd, "%s: expected a JSON object with \"lln_result\", got %s", path, jtype(root));
    else if (dupk != NULL)
        cli_error(cmd, "%s: key '%.60s' appears twice in one object", path, dupk);
    else if (kind == NULL)
        cli_error(cmd,
                  "%s: missing field 'lln_result' (not a result of lln profile or lln "
                  "compare)",
                  path);
    else if (!cJSON_IsString(kind) || (strcmp(kind->valuestring, "profile") != 0 &&
                                       strcmp(kind->valuestring, "compare") != 0 &&
                                       strcmp(kind->valuestring, "timing") != 0))
        cli_error(cmd,
                  "%s: field 'lln_result': expected 'profile', 'compare' or 'timing', got "
                  "%s%.40s%s",
                  path, cJSON_IsString(kind) ? "'" : "",
                  cJSON_IsString(kind) ? kind->valuestring : jtype(kind),
                  cJSON_IsString(kind) ? "'" : "");
    else if (!jnum(&j, root, "version", 0, 1, 0, &version))
        ;
    else if (version != 1)
        cli_error(cmd, "%s: field 'version': %.0f is not supported (this lln reads version 1)",
                  path, version);
    else if (strcmp(kind->valuestring, "profile") == 0)
        ok = load_profile(&j, root, r);
    else if (strcmp(kind->valuestring, "timing") == 0)
        ok = load_timing(&j, root, r);
    else
        ok = load_compare(&j, root, r);
    cJSON_Delete(root);
    return ok;
}

/* ---- training history (CSV) ------------------------------------------------------------ */

/* Reads "# key=value" lines at the top (then blanked, so the CSV reader keeps the line
 * numbers); sets the model name and metric. */
static int history_comments(const char *cmd, const char *path, char *text, rep_history_t *h)
{
    char *p = text;
    long line = 1;
    if ((unsigned char)p[0] == 0xef && (unsigned char)p[1] == 0xbb && (unsigned char)p[2] == 0xbf)
        p += 3;
    while (*p == '#') {
        char *eol = strpbrk(p, "\r\n");
        char *stop = eol ? eol : p + strlen(p);
        for (char *q = p + 1; q < stop;) {
            while (q < stop && isspace((unsigned char)*q))
                q++;
            char *tok = q;
            while (q < stop && !isspace((unsigned char)*q))
                q++;
            char *eq = memchr(tok, '=', (size_t)(q - tok));
            if (eq == NULL)
                continue;
            size_t klen = (size_t)(eq - tok), vlen = (size_t)(q - eq - 1);
            if (klen == 5 && strncmp(tok, "model", 5) == 0 && vlen > 0) {
                free(h->name);
                if ((h->name = malloc(vlen + 1)) == NULL)
                    return 0;
                memcpy(h->name, eq + 1, vlen);
                h->name[vlen] = '\0';
            } else if (klen == 6 && strncmp(tok, "metric", 6) == 0) {
                if (vlen == 8 && strncmp(eq + 1, "accuracy", 8) == 0)
                    h->metric = dup_text("accuracy");
                else if (vlen == 3 && strncmp(eq + 1, "mse", 3) == 0)
                    h->metric = dup_text("mse");
                else {
                    cli_error(cmd, "%s:%ld: metric=%.*s: expected 'accuracy' or 'mse'", path, line,
                              (int)(vlen > 40 ? 40 : vlen), eq + 1);
                    return 0;
                }
            }
        }
        memset(p, ' ', (size_t)(stop - p)); /* a blank line for the reader */
        if (eol == NULL)
            break;
        p = eol + (eol[0] == '\r' && eol[1] == '\n' ? 2 : 1);
        line++;
    }
    return 1;
}

static int history_grow(rep_history_t *h, int cap)
{
    double **cols[NHCOLS] = {&h->epoch,        &h->train_loss, &h->valid_loss,
                             &h->valid_metric, &h->lr,         &h->seconds};
    for (int c = 0; c < NHCOLS; c++) {
        double *g = realloc(*cols[c], (size_t)cap * sizeof **cols[c]);
        if (g == NULL)
            return 0;
        *cols[c] = g;
    }
    return 1;
}

/* One record's six values, checked; NaN for an empty validation field. */
static lln_status_t history_row(lln_csv_t *csv, rep_history_t *h, lln_error_t *err)
{
    double v[NHCOLS];
    char q[48];
    if (lln_csv_nfields(csv) != NHCOLS)
        return lln_csv_error(csv, -1, err, LLN_E_FORMAT, "%d fields, expected %d",
                             lln_csv_nfields(csv), NHCOLS);
    for (int c = 0; c < NHCOLS; c++) {
        const char *f = lln_csv_field(csv, c);
        if (f[0] == '\0' && (c == 2 || c == 3)) {
            v[c] = NAN;
            continue;
        }
        lln_csv_quote(f, q, sizeof q);
        if (f[0] == '\0')
            return lln_csv_error(csv, c, err, LLN_E_FORMAT,
                                 "empty (only valid_loss and "
                                 "valid_metric may be)");
        if (lln_csv_number(f, &v[c]) != 0)
            return lln_csv_error(csv, c, err, LLN_E_FORMAT, "'%s' is not a finite number", q);
        if (v[c] < 0)
            return lln_csv_error(csv, c, err, LLN_E_FORMAT, "'%s' is negative", q);
    }
    if (v[0] != floor(v[0]) || v[0] > 1e9)
        return lln_csv_error(csv, 0, err, LLN_E_FORMAT, "epoch %.9g is not an integer", v[0]);
    if (h->n > 0 && v[0] <= h->epoch[h->n - 1])
        return lln_csv_error(csv, 0, err, LLN_E_FORMAT, "epoch %.0f does not follow epoch %.0f",
                             v[0], h->epoch[h->n - 1]);
    if (h->metric != NULL && strcmp(h->metric, "accuracy") == 0 && v[3] > 1)
        return lln_csv_error(csv, 3, err, LLN_E_FORMAT, "accuracy %.9g is above 1", v[3]);
    double *cols[NHCOLS] = {h->epoch,        h->train_loss, h->valid_loss,
                            h->valid_metric, h->lr,         h->seconds};
    for (int c = 0; c < NHCOLS; c++)
        cols[c][h->n] = v[c];
    h->n++;
    return LLN_OK;
}

static lln_status_t history_rows(lln_csv_t *csv, rep_history_t *h, lln_error_t *err)
{
    int got, cap = 0;
    lln_status_t st = lln_csv_next(csv, &got, err);
    if (st != LLN_OK)
        return st;
    if (!got)
        return lln_error_set(err, LLN_E_FORMAT, "%s: empty: no header and no epochs",
                             lln_csv_name(csv));
    int header_ok = lln_csv_nfields(csv) == NHCOLS;
    for (int c = 0; header_ok && c < NHCOLS; c++)
        header_ok = strcmp(lln_csv_field(csv, c), HISTORY_COLS[c]) == 0;
    if (!header_ok)
        return lln_csv_error(csv, -1, err, LLN_E_FORMAT,
                             "not a training history: the header must be exactly "
                             "epoch,train_loss,valid_loss,valid_metric,lr,seconds");
    if ((st = lln_csv_keep_header(csv, err)) != LLN_OK)
        return st;
    while ((st = lln_csv_next(csv, &got, err)) == LLN_OK && got) {
        if (h->n == cap) {
            cap = cap ? cap * 2 : 64;
            if (!history_grow(h, cap))
                return lln_error_set(err, LLN_E_NOMEM, "out of memory");
        }
        if ((st = history_row(csv, h, err)) != LLN_OK)
            return st;
    }
    if (st == LLN_OK && h->n == 0)
        return lln_error_set(err, LLN_E_FORMAT, "%s: no epochs (a header and no rows)",
                             lln_csv_name(csv));
    return st;
}

static void free_history(rep_history_t *h)
{
    free(h->path);
    free(h->name);
    free(h->metric);
    free(h->epoch);
    free(h->train_loss);
    free(h->valid_loss);
    free(h->valid_metric);
    free(h->lr);
    free(h->seconds);
}

static int load_history(const char *cmd, const char *path, char *text, size_t len, const char *name,
                        rep_results_t *r)
{
    rep_history_t h;
    memset(&h, 0, sizeof h);
    h.path = dup_text(path);
    h.name = name ? dup_text(name) : stem(path);
    if (h.path == NULL || h.name == NULL || !history_comments(cmd, path, text, &h)) {
        free_history(&h);
        return 0;
    }
    if (h.metric == NULL)
        h.metric = dup_text("");
    lln_error_t err = {LLN_OK, ""};
    lln_csv_t *csv = NULL;
    lln_cloc_t loc;
    lln_cloc_begin(&loc);
    lln_status_t st = lln_csv_open_mem(path, text, len, &csv, &err);
    if (st == LLN_OK)
        st = history_rows(csv, &h, &err);
    lln_csv_close(csv);
    lln_cloc_end(&loc);
    rep_history_t *grown = NULL;
    if (st == LLN_OK && h.metric == NULL)
        st = lln_error_set(&err, LLN_E_NOMEM, "%s: out of memory", path);
    if (st == LLN_OK) {
        grown = realloc(r->hist, (size_t)(r->nhist + 1) * sizeof *grown);
        if (grown == NULL)
            st = lln_error_set(&err, LLN_E_NOMEM, "%s: out of memory", path);
    }
    if (st != LLN_OK || grown == NULL) {
        cli_error(cmd, "%s", err.msg);
        free_history(&h);
        return 0;
    }
    r->hist = grown;
    r->hist[r->nhist++] = h;
    return 1;
}

/* ---- entry points ---------------------------------------------------------------------- */

static int load_file(const char *cmd, rep_results_t *r, const char *path, const char *name)
{
    unsigned char *buf = NULL;
    size_t len = 0;
    lln_error_t err = {LLN_OK, ""};
    if (lln_read_file(path, &buf, &len, &err) != LLN_OK) {
        cli_error(cmd, "%s", err.msg);
        return 0;
    }
    char *text = (char *)buf;
    size_t bom = len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0, i = bom;
    /* bom: a UTF-8 byte-order mark (editors on Windows write one) is not content */
    while (i < len && isspace((unsigned char)text[i]))
        i++;
    int ok;
    if (i == len)
        cli_error(cmd,
                  "%s: empty file (expected a result of lln profile, lln compare or a "
                  "training history)",
                  path),
            ok = 0;
    else if (memchr(text, '\0', len) != NULL)
        cli_error(cmd, "%s: a NUL byte: not a text result file", path), ok = 0;
    else if (text[i] == '{' || text[i] == '[')
        ok = load_json(cmd, path, text + bom, len - bom, r);
    else
        ok = load_history(cmd, path, text + bom, len - bom, name, r);
    free(buf);
    return ok;
}

int rep_load(const char *cmd, rep_results_t *r, const char *path)
{
    return load_file(cmd, r, path, NULL);
}

/* Whether the file at path is loaded already (the same file by another name counts). */
static int history_loaded(const rep_results_t *r, const char *path)
{
    char *real = cli_realpath(path);
    int found = 0;
    for (int i = 0; i < r->nhist && !found; i++) {
        char *other = real ? cli_realpath(r->hist[i].path) : NULL;
        found = strcmp(r->hist[i].path, path) == 0 || (other && strcmp(other, real) == 0);
        free(other);
    }
    free(real);
    return found;
}

/* A regular file that can be read. The type is checked before opening: opening a FIFO would
 * wait for a writer forever. errno says why not. */
static int readable(const char *path)
{
    struct stat sb;
    if (stat(path, &sb) != 0)
        return 0;
    if (!S_ISREG(sb.st_mode)) {
        errno = EINVAL; /* reported as "not a regular file" below */
        return 0;
    }
    FILE *f = fopen(path, "rb");
    if (f != NULL)
        fclose(f);
    return f != NULL;
}

int rep_load_linked(const char *cmd, rep_results_t *r)
{
    int ncmp = r->ncmp;
    for (int c = 0; c < ncmp; c++) {
        for (int k = 0; k < r->cmp[c].nrows; k++) {
            const rep_row_t *w = &r->cmp[c].rows[k];
            if (w->history == NULL)
                continue;
            /* relative to the comparison's folder, else as given (relative to here) */
            char path[4096];
            const char *cp = r->cmp[c].path, *slash = strrchr(cp, '/');
            if (w->history[0] == '/' || slash == NULL)
                snprintf(path, sizeof path, "%s", w->history);
            else
                snprintf(path, sizeof path, "%.*s/%s", (int)(slash - cp), cp, w->history);
            if (!readable(path) && readable(w->history))
                snprintf(path, sizeof path, "%s", w->history);
            if (!readable(path)) {
                fprintf(stderr,
                        "lln %s: note: %s: rows[%d].history '%s' %s (%s); its "
                        "training curve is left out\n",
                        cmd, cp, k, path, errno == EINVAL ? "is not a regular file" : "not found",
                        errno == EINVAL ? "a FIFO, device or folder" : strerror(errno));
                continue;
            }
            if (history_loaded(r, path))
                continue;
            char name[256];
            snprintf(name, sizeof name, "%s (%s)", w->model, r->cmp[c].task);
            if (!load_file(cmd, r, path, name))
                return 0;
        }
    }
    return 1;
}

int rep_load_all(const char *cmd, rep_results_t *r, char *const *paths, int n)
{
    memset(r, 0, sizeof *r);
    for (int i = 0; i < n; i++)
        if (!rep_load(cmd, r, paths[i]))
            return 0;
    if (!rep_load_linked(cmd, r))
        return 0;
    rep_pareto(r);
    return 1;
}

void rep_free(rep_results_t *r)
{
    for (int i = 0; i < r->nhist; i++)
        free_history(&r->hist[i]);
    for (int i = 0; i < r->nprof; i++) {
        rep_profile_t *p = &r->prof[i];
        free(p->path);
        free(p->model);
        free(p->name);
        free(p->cell);
        free(p->runtime);
        for (int d = 0; d < p->ndev; d++)
            free_device(&p->dev[d]);
        free(p->dev);
    }
    for (int i = 0; i < r->ncmp; i++) {
        rep_compare_t *c = &r->cmp[i];
        free(c->path);
        free(c->data);
        free(c->task);
        free(c->metric);
        free(c->device);
        free(c->match);
        for (int k = 0; k < c->nrows; k++) {
            free(c->rows[k].model);
            free(c->rows[k].history);
        }
        free(c->rows);
    }
    for (int i = 0; i < r->ntim; i++) {
        rep_timing_t *t = &r->tim[i];
        free(t->path);
        for (int c = 0; c < t->ncol; c++) {
            free(t->col_name[c]);
            free(t->col_title[c]);
            free(t->col_axis[c]);
        }
        free(t->col_name);
        free(t->col_title);
        free(t->col_axis);
        for (int k = 0; k < t->nrows; k++) {
            free(t->rows[k].task);
            free(t->rows[k].cell);
            free(t->rows[k].column);
            free(t->rows[k].timing);
        }
        free(t->rows);
    }
    free(r->hist);
    free(r->prof);
    free(r->cmp);
    free(r->tim);
    memset(r, 0, sizeof *r);
}

void rep_pareto(rep_results_t *r)
{
    for (int i = 0; i < r->ncmp; i++) {
        rep_compare_t *c = &r->cmp[i];
        int higher = strcmp(c->metric, "accuracy") == 0;
        for (int a = 0; a < c->nrows; a++) {
            const rep_row_t *p = &c->rows[a];
            double pm = higher ? p->metric_value : -p->metric_value;
            int dominated = 0;
            for (int b = 0; b < c->nrows && !dominated; b++) {
                const rep_row_t *q = &c->rows[b];
                double qm = higher ? q->metric_value : -q->metric_value;
                dominated = b != a && q->energy_per_step_uj <= p->energy_per_step_uj && qm >= pm &&
                            (q->energy_per_step_uj < p->energy_per_step_uj || qm > pm);
            }
            c->rows[a].pareto = !dominated;
        }
    }
}
