/* The device database of the energy model: a text of [id] sections with `key = value | TAG |
 * source` lines (docs/ENERGY.md), parsed with every problem named by line and key. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lln/profile.h"
#include "common/alloc.h"

/* share/devices.txt, embedded by cmake/embed.cmake (NUL-terminated). */
extern const unsigned char lln__devices_text[];
extern const size_t lln__devices_text_len;

const char *lln_devices_builtin(size_t *len)
{
    if (len != NULL)
        *len = lln__devices_text_len;
    return (const char *)lln__devices_text;
}

/* What a section still needs converting once all its lines are read: a current given in
 * place of a power is multiplied by voltage_v, which may come later in the section. */
typedef struct {
    int active_is_ma;
    int sleep_is_ua[LLN_DEV_SLEEP_MAX];
} pending_t;

typedef struct {
    const char *origin;
    int line;
    lln_error_t *err;
} where_t;

static lln_status_t fail(const where_t *w, const char *key, const char *fmt, const char *a,
                         const char *b)
{
    char what[256];
    snprintf(what, sizeof what, fmt, a, b); /* Flawfinder: ignore (fmt: literals of this file) */
    if (key != NULL)
        return lln_error_set(w->err, LLN_E_FORMAT, "%s:%d: key '%s': %s", w->origin, w->line, key,
                             what);
    return lln_error_set(w->err, LLN_E_FORMAT, "%s:%d: %s", w->origin, w->line, what);
}

static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
        s[--n] = '\0';
    return s;
}

static int copy_name(char *dst, size_t cap, const char *src)
{
    size_t n = strlen(src);
    if (n == 0 || n >= cap)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = src[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-'))
            return 0;
    }
    memcpy(dst, src, n + 1);
    return 1;
}

/* A number (bytes may end in K or M: KiB, MiB), or yes/no as 1/0 when boolean. */
static int parse_value(const char *s, int boolean, int bytes, double *v)
{
    if (boolean) {
        if (strcmp(s, "yes") == 0 || strcmp(s, "no") == 0) {
            *v = strcmp(s, "yes") == 0;
            return 1;
        }
        return 0;
    }
    char *end;
    errno = 0;
    double x = strtod(s, &end);
    if (errno != 0 || end == s || !(x == x) || x > 1e300 || x < -1e300)
        return 0;
    if (bytes && (*end == 'K' || *end == 'M')) {
        x *= *end == 'K' ? 1024.0 : 1048576.0;
        end++;
    }
    if (*end != '\0')
        return 0;
    *v = x;
    return 1;
}

/* "value | TAG | source" into a figure; the value is checked by the caller. */
static lln_status_t parse_figure(const where_t *w, const char *key, char *rest, int boolean,
                                 int bytes, lln_figure_t *f)
{
    char *bar1 = strchr(rest, '|');
    char *bar2 = bar1 ? strchr(bar1 + 1, '|') : NULL;
    if (bar2 == NULL)
        return fail(w, key,
                    "expected 'value | TAG | source' (a figure needs its trust tag and "
                    "source)%s%s",
                    "", "");
    *bar1 = *bar2 = '\0';
    char *value = trim(rest), *tag = trim(bar1 + 1), *src = trim(bar2 + 1);
    if (!parse_value(value, boolean, bytes, &f->value))
        return fail(w, key, boolean ? "'%s' is not yes or no%s" : "'%s' is not a number%s", value,
                    "");
    if (strlen(tag) != 1 || strchr("RDSU", tag[0]) == NULL)
        return fail(w, key, "trust tag '%s' is not one of R, D, S, U%s", tag, "");
    if (*src == '\0')
        return fail(w, key, "the source is empty%s%s", "", "");
    f->trust = tag[0];
    f->line = w->line;
    snprintf(f->source, sizeof f->source, "%s", src);
    return LLN_OK;
}

static lln_sleep_mode_t *sleep_slot(lln_device_t *d, const char *name, int create)
{
    for (int i = 0; i < d->nsleep; i++)
        if (strcmp(d->sleep[i].name, name) == 0)
            return &d->sleep[i];
    if (!create || d->nsleep == LLN_DEV_SLEEP_MAX)
        return NULL;
    lln_sleep_mode_t *s = &d->sleep[d->nsleep++];
    memset(s, 0, sizeof *s);
    snprintf(s->name, sizeof s->name, "%s", name);
    return s;
}

/* A figure that must be > 0 (lo_ok: >= 0). */
static lln_status_t check_positive(const where_t *w, const char *key, const lln_figure_t *f,
                                   int zero_ok)
{
    if (zero_ok ? f->value >= 0 : f->value > 0)
        return LLN_OK;
    return fail(w, key, zero_ok ? "%s must be >= 0%s" : "%s must be > 0%s", "the value", "");
}

static lln_status_t set_sleep_key(const where_t *w, lln_device_t *d, pending_t *p, const char *key,
                                  char *rest)
{
    char mode[LLN_DEV_NAME_MAX];
    const char *dot = strchr(key + 6, '.');
    size_t n = dot ? (size_t)(dot - (key + 6)) : 0;
    if (dot == NULL || n == 0 || n >= sizeof mode)
        return fail(w, key, "expected sleep.MODE.FIELD%s%s", "", "");
    memcpy(mode, key + 6, n);
    mode[n] = '\0';
    char tmp[LLN_DEV_NAME_MAX];
    if (!copy_name(tmp, sizeof tmp, mode) || strcmp(mode, "none") == 0)
        return fail(w, key, "sleep mode name '%s' must be [a-z0-9_-] and not 'none'%s", mode, "");
    lln_sleep_mode_t *s = sleep_slot(d, mode, 1);
    if (s == NULL)
        return fail(w, key, "more than %s sleep modes%s", "6", "");
    const char *field = dot + 1;
    lln_figure_t *f = NULL;
    int boolean = 0;
    if (strcmp(field, "power_uw") == 0 || strcmp(field, "current_ua") == 0) {
        if (s->power_uw.trust)
            return fail(w, key, "mode '%s' has its power already (power_uw or current_ua)%s", mode,
                        "");
        f = &s->power_uw;
        p->sleep_is_ua[s - d->sleep] = field[0] == 'c';
    } else if (strcmp(field, "retains_ram") == 0) {
        f = &s->retains_ram, boolean = 1;
    } else if (strcmp(field, "wake_us") == 0) {
        f = &s->wake_us;
    } else if (strcmp(field, "wake_uj") == 0) {
        f = &s->wake_uj;
    } else {
        return fail(w, key,
                    "unknown sleep field '%s' (power_uw, current_ua, retains_ram, "
                    "wake_us, wake_uj)%s",
                    field, "");
    }
    if (f->trust && f != &s->power_uw)
        return fail(w, key, "given twice%s%s", "", "");
    lln_status_t st = parse_figure(w, key, rest, boolean, 0, f);
    return st != LLN_OK ? st : boolean ? LLN_OK : check_positive(w, key, f, 1);
}

/* The device's figure for key, or NULL; *boolean and *bytes say how to read it. */
static lln_figure_t *device_figure(lln_device_t *d, const char *key, int *boolean, int *bytes)
{
    *boolean = *bytes = 0;
    if (strcmp(key, "clock_mhz") == 0)
        return &d->clock_mhz;
    if (strcmp(key, "voltage_v") == 0)
        return &d->voltage_v;
    if (strcmp(key, "active_mw") == 0 || strcmp(key, "active_ma") == 0)
        return &d->active_mw;
    if (strcmp(key, "cpi") == 0)
        return &d->cpi;
    *bytes = 1;
    if (strcmp(key, "flash_bytes") == 0)
        return &d->flash_bytes;
    if (strcmp(key, "ram_bytes") == 0)
        return &d->ram_bytes;
    *bytes = 0, *boolean = 1;
    return strcmp(key, "fpu") == 0 ? &d->fpu : NULL;
}

static lln_status_t set_label(const where_t *w, lln_device_t *d, const char *key, char *value)
{
    if (strchr(value, '|') != NULL)
        return fail(w, key, "a label takes no trust tag or source%s%s", "", "");
    if (strcmp(key, "name") == 0) {
        if (*value == '\0' || strlen(value) >= sizeof d->name)
            return fail(w, key, "empty or longer than %s characters%s", "383", "");
        snprintf(d->name, sizeof d->name, "%s", value);
        return LLN_OK;
    }
    if (strcmp(key, "emulated") == 0) {
        double v;
        if (!parse_value(value, 1, 0, &v))
            return fail(w, key, "'%s' is not yes or no%s", value, "");
        d->emulated = (int)v;
        return LLN_OK;
    }
    char *dst = strcmp(key, "core") == 0     ? d->core
                : strcmp(key, "target") == 0 ? d->target
                                             : d->default_sleep;
    if (!copy_name(dst, LLN_DEV_NAME_MAX, value))
        return fail(w, key, "'%s' is not a name of [a-z0-9_-] (at most 31 characters)%s", value,
                    "");
    return LLN_OK;
}

static lln_status_t set_key(const where_t *w, lln_device_t *d, pending_t *p, const char *key,
                            char *rest)
{
    static const char *const labels[] = {"name", "core", "target", "emulated", "default_sleep"};
    for (size_t i = 0; i < sizeof labels / sizeof labels[0]; i++)
        if (strcmp(key, labels[i]) == 0)
            return set_label(w, d, key, trim(rest));
    if (strncmp(key, "sleep.", 6) == 0)
        return set_sleep_key(w, d, p, key, rest);
    int boolean, bytes;
    lln_figure_t *f = device_figure(d, key, &boolean, &bytes);
    if (f == NULL)
        return fail(w, key, "unknown key (see docs/ENERGY.md for the keys)%s%s", "", "");
    if (f->trust)
        return fail(w, key,
                    f == &d->active_mw ? "active power given twice (active_mw or "
                                         "active_ma)%s%s"
                                       : "given twice%s%s",
                    "", "");
    if (f == &d->active_mw)
        p->active_is_ma = strcmp(key, "active_ma") == 0;
    lln_status_t st = parse_figure(w, key, rest, boolean, bytes, f);
    if (st != LLN_OK || boolean)
        return st;
    if (f == &d->cpi && f->value > 100)
        return fail(w, key, "%s is not a plausible cycles-per-instruction figure (0, 100]%s",
                    "the value", "");
    return check_positive(w, key, f, 0);
}

static char worse(char a, char b)
{
    const char *order = "RDSU";
    if (strchr(order, a) > strchr(order, b))
        return a;
    return b;
}

/* A current (mA or µA) times voltage_v: the result trusts the weaker of the two. */
static void to_power(lln_figure_t *f, const lln_figure_t *volt)
{
    f->value *= volt->value;
    f->trust = worse(f->trust, volt->trust);
}

/* The end of a section: every required figure present; currents turned into powers. */
static lln_status_t finish_device(where_t *w, lln_device_t *d, const pending_t *p)
{
    w->line = d->line;
    static const char *const req[] = {"clock_mhz", "voltage_v", "active_mw", "flash_bytes",
                                      "ram_bytes", "fpu",       "cpi"};
    const lln_figure_t *figs[] = {&d->clock_mhz, &d->voltage_v, &d->active_mw, &d->flash_bytes,
                                  &d->ram_bytes, &d->fpu,       &d->cpi};
    if (d->core[0] == '\0' || d->target[0] == '\0')
        return fail(w, NULL, "device '%s' lacks %s", d->id, d->core[0] ? "target" : "core");
    for (size_t i = 0; i < sizeof req / sizeof req[0]; i++)
        if (!figs[i]->trust)
            return fail(w, NULL, "device '%s' lacks %s", d->id,
                        i == 2 ? "active_mw (or active_ma)" : req[i]);
    if (p->active_is_ma)
        to_power(&d->active_mw, &d->voltage_v); /* mA × V = mW */
    for (int i = 0; i < d->nsleep; i++) {
        lln_sleep_mode_t *s = &d->sleep[i];
        const char *miss = !s->power_uw.trust      ? "power_uw (or current_ua)"
                           : !s->retains_ram.trust ? "retains_ram"
                           : !s->wake_us.trust     ? "wake_us"
                                                   : NULL;
        if (miss != NULL) {
            char what[96];
            snprintf(what, sizeof what, "sleep mode '%s' lacks %s", s->name, miss);
            return fail(w, NULL, "device '%s': %s", d->id, what);
        }
        if (p->sleep_is_ua[i])
            to_power(&s->power_uw, &d->voltage_v); /* µA × V = µW */
    }
    if (d->name[0] == '\0')
        snprintf(d->name, sizeof d->name, "%s", d->id);
    if (d->default_sleep[0] == '\0' && d->nsleep > 0)
        snprintf(d->default_sleep, sizeof d->default_sleep, "%s", d->sleep[0].name);
    if (d->default_sleep[0] != '\0' && strcmp(d->default_sleep, "none") != 0 &&
        sleep_slot(d, d->default_sleep, 0) == NULL)
        return fail(w, NULL, "device '%s': default_sleep '%s' is not one of its sleep modes", d->id,
                    d->default_sleep);
    return LLN_OK;
}

static lln_status_t open_device(const where_t *w, lln_devices_t *db, size_t *cap, char *line)
{
    size_t n = strlen(line);
    if (n < 3 || line[n - 1] != ']')
        return fail(w, NULL, "expected a section header [device-id], got '%s'%s", line, "");
    line[n - 1] = '\0';
    char *id = trim(line + 1);
    char tmp[LLN_DEV_NAME_MAX];
    if (!copy_name(tmp, sizeof tmp, id))
        return fail(w, NULL, "device id '%s' must be 1-31 characters of [a-z0-9_-]%s", id, "");
    if (lln_devices_find(db, id) != NULL)
        return fail(w, NULL, "device '%s' is defined twice%s", id, "");
    if (db->count == *cap) {
        size_t nc = *cap ? 2 * *cap : 8;
        lln_device_t *nd = lln__realloc(db->dev, nc * sizeof *nd);
        if (nd == NULL)
            return lln_error_set(w->err, LLN_E_NOMEM, "%s: out of memory", w->origin);
        db->dev = nd, *cap = nc;
    }
    lln_device_t *d = &db->dev[db->count++];
    memset(d, 0, sizeof *d);
    memcpy(d->id, tmp, sizeof tmp);
    d->emulated = 1;
    d->line = w->line;
    return LLN_OK;
}

/* One line (NUL-terminated copy); *pend is the current device's conversion state. */
static lln_status_t parse_line(where_t *w, lln_devices_t *db, size_t *cap, pending_t *pend,
                               char *raw)
{
    char *line = trim(raw);
    if (*line == '\0' || *line == '#')
        return LLN_OK;
    if (*line == '[') {
        lln_status_t st = LLN_OK;
        if (db->count > 0 && db->dev != NULL) {
            int here = w->line;
            st = finish_device(w, &db->dev[db->count - 1], pend);
            w->line = here;
        }
        memset(pend, 0, sizeof *pend);
        return st != LLN_OK ? st : open_device(w, db, cap, line);
    }
    char *eq = strchr(line, '=');
    if (eq == NULL)
        return fail(w, NULL, "expected 'key = value | TAG | source', got '%.60s'%s", line, "");
    *eq = '\0';
    char *key = trim(line);
    if (db->count == 0)
        return fail(w, key, "before the first [device-id] header%s%s", "", "");
    return set_key(w, &db->dev[db->count - 1], pend, key, eq + 1);
}

lln_status_t lln_devices_parse(const char *text, size_t len, const char *origin, lln_devices_t *db,
                               lln_error_t *err)
{
    where_t w = {origin ? origin : "devices", 0, err};
    if (db == NULL || (text == NULL && len > 0))
        return lln_error_set(err, LLN_E_ARG, "lln_devices_parse: NULL argument");
    db->count = 0;
    db->dev = NULL;
    size_t cap = 0, pos = 0;
    pending_t pend;
    memset(&pend, 0, sizeof pend);
    char buf[1024];
    lln_status_t st = LLN_OK;
    while (st == LLN_OK && pos < len) {
        size_t n = 0;
        while (pos + n < len && text[pos + n] != '\n')
            n++;
        w.line++;
        if (n >= sizeof buf || memchr(text + pos, '\0', n) != NULL) {
            st = fail(&w, NULL,
                      n >= sizeof buf ? "line longer than %s characters%s"
                                      : "NUL byte in the line%s%s",
                      n >= sizeof buf ? "1023" : "", "");
            break;
        }
        memcpy(buf, text + pos, n);
        buf[n] = '\0';
        pos += n + 1;
        st = parse_line(&w, db, &cap, &pend, buf);
    }
    if (st == LLN_OK && db->count == 0)
        st = lln_error_set(err, LLN_E_FORMAT, "%s: no [device-id] section", w.origin);
    if (st == LLN_OK && db->dev != NULL)
        st = finish_device(&w, &db->dev[db->count - 1], &pend);
    if (st != LLN_OK)
        lln_devices_free(db);
    return st;
}

void lln_devices_free(lln_devices_t *db)
{
    if (db == NULL)
        return;
    lln__free(db->dev);
    db->dev = NULL;
    db->count = 0;
}

const lln_device_t *lln_devices_find(const lln_devices_t *db, const char *id)
{
    for (size_t i = 0; db != NULL && id != NULL && i < db->count; i++)
        if (strcmp(db->dev[i].id, id) == 0)
            return &db->dev[i];
    return NULL;
}

const lln_sleep_mode_t *lln_device_sleep(const lln_device_t *d, const char *mode)
{
    if (d == NULL)
        return NULL;
    if (mode == NULL || *mode == '\0')
        mode = d->default_sleep;
    for (int i = 0; i < d->nsleep; i++)
        if (strcmp(d->sleep[i].name, mode) == 0)
            return &d->sleep[i];
    return NULL;
}
