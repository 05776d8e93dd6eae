/* Shared pieces of the lln command line. */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "lln/format.h"

void cli_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "lln %s: ", cmd);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap); /* Flawfinder: ignore (fmt: a format-checked argument) */
    va_end(ap);
    fputc('\n', stderr);
}

int cli_usage_error(const char *cmd)
{
    fprintf(stderr, "Try 'lln %s --help'.\n", cmd);
    return EXIT_USAGE;
}

void cli_option_label(const struct option *opts, int val, char *buf, size_t n)
{
    const char *name = "?";
    for (int k = 0; opts[k].name; k++)
        if (opts[k].val == val)
            name = opts[k].name;
    snprintf(buf, n, "--%s", name);
}

int cli_parse_int(const char *cmd, const char *opt, const char *s, long lo, long hi, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno != 0 || end == s || *end != '\0' || v < lo || v > hi) {
        cli_error(cmd, "%s: '%s' is not an integer in [%ld, %ld]", opt, s, lo, hi);
        return 0;
    }
    *out = v;
    return 1;
}

int cli_parse_double(const char *cmd, const char *opt, const char *s, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno != 0 || end == s || *end != '\0' || !isfinite(v)) {
        cli_error(cmd, "%s: '%s' is not a finite number", opt, s);
        return 0;
    }
    *out = v;
    return 1;
}

int cli_config_set(const char *cmd, const char *opt, lln_config_t *cfg, const char *key,
                   const char *value)
{
    lln_error_t err = {LLN_OK, ""};
    if (lln_config_set(cfg, key, value, &err) == LLN_OK)
        return 1;
    const char *msg = err.msg;
    if (opt != NULL && strncmp(msg, "config: ", 8) == 0)
        msg += 8; /* the option says where */
    if (opt != NULL)
        cli_error(cmd, "%s: %s", opt, msg);
    else
        cli_error(cmd, "%s", err.msg);
    return 0;
}

lln_model_t *cli_load_model(const char *cmd, const char *path)
{
    lln_model_t *m = NULL;
    lln_error_t err = {LLN_OK, ""};
    if (lln_model_load(path, &m, &err) != LLN_OK) {
        cli_error(cmd, "%s", err.msg);
        return NULL;
    }
    return m;
}

int cli_save_model(const char *cmd, const lln_model_t *m, const char *path)
{
    lln_error_t err = {LLN_OK, ""};
    if (lln_model_save(m, path, &err) != LLN_OK) {
        cli_error(cmd, "%s", err.msg);
        return 0;
    }
    return 1;
}
