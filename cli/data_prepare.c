/* `lln data prepare`: the two reference datasets whose paper protocol needs columns our
 * reader cannot derive by itself (docs/DATA.md).
 *   traffic:  weekday and sin(hour pi / 24) from the date, temperature centred by the mean of
 *             ltc_norm.json, the z-scored volume, the paper's always-0 holiday input beside
 *             the real holiday flag; --unique-hours (option of the command) keeps the first
 *             row of each hour, so Δt > 0 everywhere after the first row.
 *   walker2d: the samples the CfC code keeps as inputs (cfc_kept = 1) with their elapsed
 *             time, and as targets the next raw step of the same rollout.
 * Values copied from the input keep their text exactly; derived ones are printed with 9
 * significant digits. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cli_data.h"
#include "lln/csv.h"
#include "lln/util.h"

typedef struct src {
    lln_csv_t *csv;
    int ncols; /* of the header */
    lln_cloc_t loc;
} src_t;

static int src_open(src_t *s, const char *shared, const char *rel)
{
    char path[4096];
    lln_error_t err = {LLN_OK, ""};
    int got = 0;
    snprintf(path, sizeof path, "%s/data/%s", shared, rel);
    s->csv = NULL;
    lln_cloc_begin(&s->loc);
    if (lln_csv_open(path, &s->csv, &err) != LLN_OK || lln_csv_next(s->csv, &got, &err) != LLN_OK ||
        (got && lln_csv_keep_header(s->csv, &err) != LLN_OK)) {
        cli_error("data", "%s", err.msg);
        return 0;
    }
    if (!got) {
        cli_error("data", "%s: empty file", path);
        return 0;
    }
    s->ncols = lln_csv_nfields(s->csv);
    return 1;
}

static void src_close(src_t *s)
{
    lln_csv_close(s->csv);
    lln_cloc_end(&s->loc);
}

/* Columns by name: col[i] for names[i]; 0 (message printed) when one is missing. */
static int columns(const src_t *s, const char *const *names, int n, int *col)
{
    for (int i = 0; i < n; i++) {
        col[i] = -1;
        for (int c = 0; c < lln_csv_nfields(s->csv); c++)
            if (strcmp(lln_csv_header(s->csv, c), names[i]) == 0)
                col[i] = c;
        if (col[i] < 0) {
            cli_error("data", "%s: no column '%s'", lln_csv_name(s->csv), names[i]);
            return 0;
        }
    }
    return 1;
}

/* The next row (0 at the end or on an error, *ok says which), with the header's count. */
static int next_row(src_t *s, int *ok)
{
    lln_error_t err = {LLN_OK, ""};
    int got = 0;
    *ok = 1;
    if (lln_csv_next(s->csv, &got, &err) != LLN_OK) {
        cli_error("data", "%s", err.msg);
        *ok = 0;
        return 0;
    }
    int nf = got ? lln_csv_nfields(s->csv) : 0, nh = s->ncols;
    if (got && nf != nh) {
        cli_error("data", "%s:%ld: %d fields, expected %d", lln_csv_name(s->csv),
                  lln_csv_line(s->csv), nf, nh);
        *ok = 0;
        return 0;
    }
    return got;
}

static int number_at(src_t *s, int col, double *v)
{
    const char *f = lln_csv_field(s->csv, col);
    if (lln_csv_number(f, v) == 0)
        return 1;
    lln_error_t err;
    char q[48];
    lln_csv_quote(f, q, sizeof q);
    lln_csv_error(s->csv, col, &err, LLN_E_FORMAT, "'%s' is not a number", q);
    cli_error("data", "%s", err.msg);
    return 0;
}

/* ---- traffic ------------------------------------------------------------------------------ */

/* A number after "key": in a small JSON text (the ltc_norm.json files). */
static int json_number(const char *text, const char *key, double *v)
{
    char pat[64];
    snprintf(pat, sizeof pat, "\"%s\"", key);
    const char *p = strstr(text, pat);
    if (p == NULL)
        return 0;
    p += strlen(pat);
    while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
        p++;
    if (*p++ != ':')
        return 0;
    char *end;
    *v = strtod(p, &end);
    return end != p && isfinite(*v);
}

/* Days since 1970-01-01 of a proleptic Gregorian date (civil calendar arithmetic). */
static long days_from_civil(long y, long m, long d)
{
    y -= m <= 2;
    long era = (y >= 0 ? y : y - 399) / 400;
    long yoe = y - era * 400;
    long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

/* "YYYY-MM-DD HH:MM:SS" -> weekday (Monday 0) and hour; 0 when malformed. */
static int parse_date(const char *s, int *weekday, int *hour)
{
    int n[6] = {0};
    static const int width[6] = {4, 2, 2, 2, 2, 2};
    static const char sep[6] = {'-', '-', ' ', ':', ':', '\0'};
    for (int k = 0; k < 6; k++) {
        for (int j = 0; j < width[k]; j++, s++) {
            if (*s < '0' || *s > '9')
                return 0;
            n[k] = n[k] * 10 + (*s - '0');
        }
        if (*s++ != sep[k])
            return 0;
    }
    if (n[1] < 1 || n[1] > 12 || n[2] < 1 || n[2] > 31 || n[3] > 23)
        return 0;
    long days = days_from_civil(n[0], n[1], n[2]);
    *weekday = (int)(((days + 3) % 7 + 7) % 7); /* 1970-01-01 was a Thursday (3) */
    *hour = n[3];
    return 1;
}

typedef struct traffic_norm {
    double temp_mean, vol_mean, vol_std;
} traffic_norm_t;

static int traffic_norm(const char *shared, traffic_norm_t *nm)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/data/traffic/ltc_norm.json", shared);
    unsigned char *text = NULL;
    size_t len = 0;
    lln_error_t err = {LLN_OK, ""};
    if (lln_read_file(path, &text, &len, &err) != LLN_OK) {
        cli_error("data", "%s", err.msg);
        return 0;
    }
    int ok = json_number((char *)text, "temp_mean", &nm->temp_mean) &&
             json_number((char *)text, "traffic_volume_mean", &nm->vol_mean) &&
             json_number((char *)text, "traffic_volume_std", &nm->vol_std) && nm->vol_std > 0;
    free(text);
    if (!ok)
        cli_error("data", "%s: temp_mean, traffic_volume_mean or traffic_volume_std missing", path);
    return ok;
}

enum { T_ROW, T_HOLIDAY, T_TEMP, T_RAIN, T_SNOW, T_CLOUDS, T_DATE, T_VOLUME, T_T, T_DT, T_N };

static int traffic_row(src_t *s, const int *c, const traffic_norm_t *nm, textout_t *out)
{
    int weekday, hour;
    double temp, vol;
    const char *date = lln_csv_field(s->csv, c[T_DATE]);
    if (!parse_date(date, &weekday, &hour)) {
        lln_error_t err;
        lln_csv_error(s->csv, c[T_DATE], &err, LLN_E_FORMAT, "not a YYYY-MM-DD HH:MM:SS date");
        cli_error("data", "%s", err.msg);
        return 0;
    }
    if (!number_at(s, c[T_TEMP], &temp) || !number_at(s, c[T_VOLUME], &vol))
        return 0;
    const char *holiday = lln_csv_field(s->csv, c[T_HOLIDAY]);
    textout_printf(out, "%s,%s,%s,0,%.9g,%s,%s,%s,%d,%.9g,%d,%s,%.9g\n",
                   lln_csv_field(s->csv, c[T_ROW]), lln_csv_field(s->csv, c[T_T]),
                   lln_csv_field(s->csv, c[T_DT]), temp - nm->temp_mean,
                   lln_csv_field(s->csv, c[T_RAIN]), lln_csv_field(s->csv, c[T_SNOW]),
                   lln_csv_field(s->csv, c[T_CLOUDS]), weekday,
                   sin((double)hour * 3.14159265358979323846 / 24.0), strcmp(holiday, "None") != 0,
                   lln_csv_field(s->csv, c[T_VOLUME]), (vol - nm->vol_mean) / nm->vol_std);
    return 1;
}

int prepare_traffic(const char *shared, int unique_hours, textout_t *out, long *rows)
{
    static const char *const names[T_N] = {"row",     "holiday",    "temp",      "rain_1h",
                                           "snow_1h", "clouds_all", "date_time", "traffic_volume",
                                           "t_hours", "dt_hours"};
    traffic_norm_t nm;
    int c[T_N], ok = 1;
    src_t s;
    if (!traffic_norm(shared, &nm))
        return 0;
    if (!src_open(&s, shared, "traffic/traffic.csv") || !columns(&s, names, T_N, c)) {
        src_close(&s);
        return 0;
    }
    textout_str(out, "row,t_hours,dt_hours,holiday,temp_centred,rain_1h,snow_1h,clouds_all,"
                     "weekday,hour_sin,is_holiday,traffic_volume,volume_z\n");
    *rows = 0;
    double dt;
    while (next_row(&s, &ok)) {
        if (!number_at(&s, c[T_DT], &dt)) {
            ok = 0;
            break;
        }
        if (unique_hours && *rows > 0 && dt == 0)
            continue; /* another weather report of the same hour */
        if (!traffic_row(&s, c, &nm, out)) {
            ok = 0;
            break;
        }
        (*rows)++;
    }
    src_close(&s);
    return ok;
}

/* ---- walker2d ----------------------------------------------------------------------------- */

#define W_OBS 17
enum { W_ROLLOUT, W_STEP, W_SPLIT, W_KEPT, W_ELAPSED, W_N };

typedef struct held {
    char *text[W_N + W_OBS]; /* the previous row's fields */
    double rollout, step, kept;
    int have;
} held_t;

static int hold(held_t *h, src_t *s, const int *c, const int *obs)
{
    for (int i = 0; i < W_N + W_OBS; i++) {
        const char *f = lln_csv_field(s->csv, i < W_N ? c[i] : obs[i - W_N]);
        size_t n = strlen(f) + 1;
        char *t = realloc(h->text[i], n);
        if (t == NULL) {
            cli_error("data", "out of memory");
            return 0;
        }
        h->text[i] = memcpy(t, f, n);
    }
    h->have = 1;
    return number_at(s, c[W_ROLLOUT], &h->rollout) && number_at(s, c[W_STEP], &h->step) &&
           number_at(s, c[W_KEPT], &h->kept);
}

/* The held (kept) row as an input sample, the current row's state as its target. */
static int walker_emit(const held_t *h, src_t *s, const int *c, const int *obs, textout_t *out)
{
    double r, st;
    if (!number_at(s, c[W_ROLLOUT], &r) || !number_at(s, c[W_STEP], &st))
        return 0;
    if (r != h->rollout || st != h->step + 1) {
        lln_error_t err;
        lln_csv_error(s->csv, c[W_STEP], &err, LLN_E_FORMAT,
                      "a kept step has no next step in its rollout (rollout %.0f step %.0f)",
                      h->rollout, h->step);
        cli_error("data", "%s", err.msg);
        return 0;
    }
    textout_printf(out, "%s,%s,%s,%s", h->text[W_ROLLOUT], h->text[W_STEP], h->text[W_SPLIT],
                   h->text[W_ELAPSED]);
    for (int i = 0; i < W_OBS; i++) {
        textout_str(out, ",");
        textout_str(out, h->text[W_N + i]);
    }
    for (int i = 0; i < W_OBS; i++) {
        textout_str(out, ",");
        textout_str(out, lln_csv_field(s->csv, obs[i]));
    }
    textout_str(out, "\n");
    return 1;
}

int prepare_walker2d(const char *shared, int unique_hours, textout_t *out, long *rows)
{
    static const char *const names[W_N] = {"rollout", "step", "split", "cfc_kept", "cfc_elapsed"};
    static const char *const obs_names[W_OBS] = {
        "rootz",    "rooty",     "thigh",          "leg",          "foot",         "thigh_left",
        "leg_left", "foot_left", "vel_rootx",      "vel_rootz",    "vel_rooty",    "vel_thigh",
        "vel_leg",  "vel_foot",  "vel_thigh_left", "vel_leg_left", "vel_foot_left"};
    (void)unique_hours;
    int c[W_N], obs[W_OBS], ok = 1;
    src_t s;
    held_t h;
    memset(&h, 0, sizeof h);
    if (!src_open(&s, shared, "walker2d/walker2d.csv.gz") || !columns(&s, names, W_N, c) ||
        !columns(&s, obs_names, W_OBS, obs)) {
        src_close(&s);
        return 0;
    }
    textout_str(out, "rollout,step,split,elapsed");
    for (int i = 0; i < W_OBS; i++)
        textout_printf(out, ",%s", obs_names[i]);
    for (int i = 0; i < W_OBS; i++)
        textout_printf(out, ",next_%s", obs_names[i]);
    textout_str(out, "\n");
    *rows = 0;
    while (ok && next_row(&s, &ok)) {
        if (h.have && h.kept == 1) {
            if (!(ok = walker_emit(&h, &s, c, obs, out)))
                break;
            (*rows)++;
        }
        ok = hold(&h, &s, c, obs);
    }
    if (ok && h.have && h.kept == 1) {
        cli_error("data", "%s: the last row is a kept step without a next step",
                  lln_csv_name(s.csv));
        ok = 0;
    }
    for (int i = 0; i < W_N + W_OBS; i++)
        free(h.text[i]);
    src_close(&s);
    return ok;
}
