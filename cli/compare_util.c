/* lln compare's pieces: child processes, model sizes, the profile reader, the outputs. */
#include <cjson/cJSON.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "compare.h"
#include "energy_estimate.h"
#include "lln/util.h"
#include "lln/profile.h"
#include "os.h"

/* ---- child processes ------------------------------------------------------------------- */

void cmp_argv_add(cmp_argv_t *a, const char *s)
{
    if (a->n < CMP_MAX_ARGS && (a->v[a->n] = strdup(s)) != NULL)
        a->n++;
    a->v[a->n] = NULL;
}

void cmp_argv_free(cmp_argv_t *a)
{
    for (int i = 0; i < a->n; i++)
        free(a->v[i]);
    a->n = 0;
    a->v[0] = NULL;
}

/* Prints the last lines of a log (what went wrong is usually at its end). */
static void print_tail(const char *log, int lines)
{
    FILE *f = fopen(log, "r");
    char buf[8192];
    if (f == NULL)
        return;
    long size = fseek(f, 0, SEEK_END) == 0 ? ftell(f) : 0;
    long from = size > (long)sizeof buf - 1 ? size - (long)sizeof buf + 1 : 0;
    size_t n = fseek(f, from, SEEK_SET) == 0 ? fread(buf, 1, sizeof buf - 1, f) : 0;
    fclose(f);
    buf[n] = '\0';
    char *p = buf + n;
    for (int k = 0; p > buf && k <= lines;)
        if (*--p == '\n' && p[1] != '\0')
            k++;
    fprintf(stderr, "%s%s", p == buf ? "" : "  ...\n", p == buf ? p : p + 1);
}

int cmp_run_child(const cmp_argv_t *a, const char *log, const char *what)
{
    if (a->n >= CMP_MAX_ARGS) {
        cli_error("compare", "%s: too many arguments", what);
        return 1;
    }
    int rc = cli_run(a->v, log, log, NULL);
    if (rc == 0)
        return 0;
    if (rc < 0)
        cli_error("compare", "%s: cannot start a process: %s", what, strerror(errno));
    else if (rc <= 128)
        cli_error("compare", "%s failed (exit status %d); its output is in %s:", what, rc, log);
    else
        cli_error("compare", "%s was killed (signal %d); its output is in %s:", what, rc - 128,
                  log);
    print_tail(log, 6);
    return 1;
}

/* ---- model sizes -------------------------------------------------------------------------- */

static int set(lln_config_t *cfg, const char *key, long v)
{
    char t[32];
    lln_error_t err;
    snprintf(t, sizeof t, "%ld", v);
    return lln_config_set(cfg, key, t, &err) == LLN_OK;
}

int cmp_config(const char *kind, int u, int I, int O, lln_config_t *cfg)
{
    lln_error_t err;
    int liquid = strcmp(kind, "ltc") == 0 || strcmp(kind, "cfc") == 0;
    lln_config_default(cfg, LLN_CELL_LTC);
    if (lln_config_set(cfg, "cell", strcmp(kind, "cfc") == 0 ? "wired_cfc" : kind, &err) != LLN_OK)
        return 1;
    lln_config_default(cfg, cfg->cell); /* the defaults of that cell */
    cfg->input_size = I;
    int ok = 1;
    if (liquid) /* ncps's CfC(in, AutoNCP(u, O)) / LTC(in, AutoNCP(u, O)) */
        ok = lln_config_set(cfg, "wiring", "autoncp", &err) == LLN_OK && set(cfg, "units", u) &&
             set(cfg, "wiring.units", u) && set(cfg, "wiring.output_dim", O);
    else if (cfg->cell == LLN_CELL_MLP) /* u hidden units over the default window */
        ok = set(cfg, "units", (long)cfg->mlp_window * I) && set(cfg, "backbone_units", u) &&
             set(cfg, "backbone_layers", 1) && set(cfg, "proj_size", O);
    else /* GRU, LSTM: u units, then the output layer fc */
        ok = set(cfg, "units", u) && (u == O || set(cfg, "proj_size", O));
    return ok && lln_config_validate(cfg, &err) == LLN_OK ? 0 : 1;
}

long cmp_params(const char *kind, int u, int I, int O)
{
    lln_config_t cfg;
    lln_model_t *m = NULL;
    lln_error_t err;
    lln_model_stats_t st;
    if (cmp_config(kind, u, I, O, &cfg) != 0 || lln_model_create(&cfg, 1, &m, &err) != LLN_OK)
        return -1;
    long p = lln_model_output_size(m) == O ? (lln_model_stats(m, &st), st.params) : -1;
    lln_model_free(m);
    return p;
}

int cmp_units_for(const char *kind, long target, int I, int O)
{
    int best = 0;
    long best_d = 0;
    for (int u = 2; u <= 512; u++) {
        long p = cmp_params(kind, u, I, O);
        if (p < 0)
            continue;
        long d = labs(p - target);
        if (best == 0 || d < best_d)
            best = u, best_d = d;
        if (p > 2 * target)
            break; /* parameter counts grow with u: nothing closer beyond */
    }
    return best;
}

/* ---- the device, checked before any training ---------------------------------------------- */

int cmp_check_device(const char *file, const char *id, const char *sleep)
{
    lln_devices_t db;
    if (!cli_devices_load("compare", file, &db))
        return 1;
    const lln_device_t *d = lln_devices_find(&db, id);
    int ok =
        d != NULL && (sleep == NULL || strcmp(sleep, "none") == 0 || lln_device_sleep(d, sleep));
    if (d == NULL) {
        char known[512];
        cli_devices_known(&db, known, sizeof known);
        cli_error("compare", "--device: unknown device '%s' (known: %s)", id, known);
    } else if (!ok) {
        cli_error("compare", "--sleep: device '%s' has no sleep mode '%s'", id, sleep);
    }
    lln_devices_free(&db);
    return ok ? 0 : 1;
}

/* ---- the profile ---------------------------------------------------------------------------- */

static int num(const char *path, const cJSON *o, const char *key, double *v)
{
    const cJSON *x = cJSON_GetObjectItemCaseSensitive(o, key);
    if (!cJSON_IsNumber(x)) {
        cli_error("compare", "%s: '%s' is missing or not a number", path, key);
        return 0;
    }
    *v = x->valuedouble;
    return 1;
}

int cmp_read_profile(const char *path, cmp_row_t *r)
{
    unsigned char *buf = NULL;
    size_t len = 0;
    lln_error_t err;
    if (lln_read_file(path, &buf, &len, &err) != LLN_OK) {
        cli_error("compare", "%s", err.msg);
        return 1;
    }
    cJSON *root = cJSON_ParseWithLength((const char *)buf, len);
    free(buf);
    const cJSON *kind = cJSON_GetObjectItemCaseSensitive(root, "lln_result");
    const cJSON *p = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(root, "profiles"), 0);
    double flash = 0, ram = 0;
    int ok = cJSON_IsString(kind) && strcmp(kind->valuestring, "profile") == 0 && cJSON_IsObject(p);
    if (!ok)
        cli_error("compare", "%s: not a `lln profile --json` result", path);
    ok = ok && num(path, p, "instructions_per_step", &r->instr) &&
         num(path, p, "cycles_per_step", &r->cycles) &&
         num(path, p, "latency_us", &r->latency_us) &&
         num(path, p, "energy_per_step_uj", &r->energy_uj) &&
         num(path, p, "avg_power_mw", &r->power_mw) && num(path, p, "flash_bytes", &flash) &&
         num(path, p, "ram_bytes", &ram);
    r->flash = (long)flash, r->ram = (long)ram;
    r->fits = ok && cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(p, "fits"));
    cJSON_Delete(root);
    return ok ? 0 : 1;
}

/* ---- outputs ---------------------------------------------------------------------------------- */

void cmp_print_table(FILE *f, const cmp_row_t *rows, int n, const char *metric, const char *device,
                     double rate)
{
    fprintf(f, "\n%-5s %5s %7s %10s %10s %7s %6s %11s %9s %9s %10s\n", "model", "units", "params",
            strcmp(metric, "accuracy") == 0 ? "valid acc" : "valid mse",
            strcmp(metric, "accuracy") == 0 ? "test acc" : "test mse", "flash", "RAM",
            "cycles/step", "µs/step", "µJ/step", "mW");
    for (int i = 0; i < n; i++) {
        const cmp_row_t *r = &rows[i];
        fprintf(f, "%-5s %5d %7ld %10.4g %10.4g %7ld %6ld %11.0f %9.2f %9.4f %10.4g%s\n", r->kind,
                r->units, r->params, r->valid, r->test, r->flash, r->ram, r->cycles, r->latency_us,
                r->energy_uj, r->power_mw, r->fits ? "" : "  (does not fit)");
    }
    fprintf(f,
            "device %s, %g Hz; flash and RAM in bytes (runtime + model); mW = average power "
            "at that rate with sleep between steps (lln profile)\n",
            device, rate);
}

/* path relative to the folder base when it lies in it (the JSON then moves with its folder) */
static const char *rel(const char *path, const char *base)
{
    size_t n = base ? strlen(base) : 0;
    return n && strncmp(path, base, n) == 0 && path[n] == '/' ? path + n + 1 : path;
}

static cJSON *row_json(const cmp_row_t *r, const char *base)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "model", r->kind);
    cJSON_AddNumberToObject(o, "units", r->units);
    cJSON_AddNumberToObject(o, "params", (double)r->params);
    cJSON_AddNumberToObject(o, "metric_value", r->test);
    cJSON_AddNumberToObject(o, "valid_metric_value", r->valid);
    cJSON_AddNumberToObject(o, "flash_bytes", (double)r->flash);
    cJSON_AddNumberToObject(o, "ram_bytes", (double)r->ram);
    cJSON_AddNumberToObject(o, "instructions_per_step", r->instr);
    cJSON_AddNumberToObject(o, "cycles_per_step", r->cycles);
    cJSON_AddNumberToObject(o, "latency_us", r->latency_us);
    cJSON_AddNumberToObject(o, "energy_per_step_uj", r->energy_uj);
    cJSON_AddNumberToObject(o, "avg_power_mw", r->power_mw);
    cJSON_AddBoolToObject(o, "fits", r->fits);
    cJSON_AddBoolToObject(o, "reached", r->reached);
    cJSON_AddStringToObject(o, "model_file", rel(r->model, base));
    if (r->history[0])
        cJSON_AddStringToObject(o, "history", rel(r->history, base));
    else
        cJSON_AddNullToObject(o, "history");
    return o;
}

/* The data file's name without folders and extensions ("lf.csv.gz" -> "lf"). */
static const char *task_name(const char *data, char *name, size_t n)
{
    const char *b = strrchr(data, '/');
    snprintf(name, n, "%s", b ? b + 1 : data);
    char *dot = strchr(name, '.');
    if (dot && dot != name)
        *dot = '\0';
    return name;
}

int cmp_write_json(const char *path, const cmp_row_t *rows, int n, const char *data,
                   const char *metric, const char *device, double rate, const char *match,
                   const char *base)
{
    cJSON *root = cJSON_CreateObject(), *arr = cJSON_CreateArray();
    cJSON_AddStringToObject(root, "lln_result", "compare");
    cJSON_AddNumberToObject(root, "version", 1);
    cJSON_AddStringToObject(root, "data", data);
    char task[128];
    cJSON_AddStringToObject(root, "task", task_name(data, task, sizeof task));
    cJSON_AddStringToObject(root, "metric", metric);
    cJSON_AddStringToObject(root, "device", device);
    cJSON_AddNumberToObject(root, "rate_hz", rate);
    cJSON_AddStringToObject(root, "match", match);
    for (int i = 0; i < n; i++)
        cJSON_AddItemToArray(arr, row_json(&rows[i], base));
    cJSON_AddItemToObject(root, "rows", arr);
    char *text = cJSON_Print(root);
    cJSON_Delete(root);
    lln_error_t err;
    int ok =
        text && lln_write_atomic(path, (const unsigned char *)text, strlen(text), &err) == LLN_OK;
    if (text && !ok)
        cli_error("compare", "%s", err.msg);
    free(text);
    return ok ? 0 : 1;
}
