/* Option-table joining and `--config FILE` expansion (see argfile.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "argfile.h"
#include "cli.h"
#include "os.h"

int cli_options_join(struct option *out, size_t cap, const struct option *const *tables,
                     size_t ntables)
{
    size_t n = 0;
    for (size_t t = 0; t < ntables; t++)
        for (const struct option *o = tables[t]; o->name != NULL; o++) {
            if (n + 1 >= cap)
                return 0;
            out[n++] = *o;
        }
    memset(&out[n], 0, sizeof out[n]);
    return 1;
}

/* ---- a growing argument list -------------------------------------------------------------- */

typedef struct args {
    char **v;
    int n, cap;
} args_t;

static int args_push(args_t *a, const char *s)
{
    if (s == NULL)
        return 0;
    if (a->n + 1 >= a->cap) {
        int cap = a->cap ? 2 * a->cap : 32;
        char **v = realloc(a->v, (size_t)cap * sizeof *v);
        if (v == NULL)
            return 0;
        a->v = v;
        a->cap = cap;
    }
    size_t len = strlen(s) + 1;
    a->v[a->n] = malloc(len);
    if (a->v[a->n] == NULL)
        return 0;
    memcpy(a->v[a->n++], s, len);
    a->v[a->n] = NULL;
    return 1;
}

void cli_args_free(char **argv, int argc)
{
    for (int i = 0; argv != NULL && i < argc; i++)
        free(argv[i]);
    free(argv);
}

/* ---- one config file ---------------------------------------------------------------------- */

static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' || s[n - 1] == '\n'))
        s[--n] = '\0';
    return s;
}

static const struct option *find_opt(const struct option *opts, const char *name)
{
    for (; opts->name != NULL; opts++)
        if (strcmp(opts->name, name) == 0)
            return opts;
    return NULL;
}

static int listed(const char *const *list, const char *name)
{
    for (; list != NULL && *list != NULL; list++)
        if (strcmp(*list, name) == 0)
            return 1;
    return 0;
}

typedef struct where {
    const char *cmd, *path;
    long line;
} where_t;

/* A flag's value: 1 on, 0 off, -1 not a boolean. */
static int boolean(const char *v)
{
    if (*v == '\0' || strcmp(v, "true") == 0 || strcmp(v, "yes") == 0 || strcmp(v, "1") == 0)
        return 1;
    if (strcmp(v, "false") == 0 || strcmp(v, "no") == 0 || strcmp(v, "0") == 0)
        return 0;
    return -1;
}

static int config_line(const where_t *w, char *s, const struct option *opts,
                       const char *const *skip, args_t *out)
{
    s = trim(s);
    if (*s == '\0' || *s == '#')
        return 1;
    char *eq = strchr(s, '=');
    char *key = s, *val = (char *)"";
    if (eq != NULL) {
        *eq = '\0';
        val = trim(eq + 1);
    }
    key = trim(key);
    size_t vl = strlen(val);
    if (vl >= 2 && val[0] == '"' && val[vl - 1] == '"') {
        val[vl - 1] = '\0';
        val++;
    }
    const struct option *o = find_opt(opts, key);
    if (o == NULL || strcmp(key, "config") == 0 || strcmp(key, "help") == 0) {
        if (o == NULL && listed(skip, key))
            return 1;
        cli_error(w->cmd, "%s:%ld: '%s' is not an option of 'lln %s' here", w->path, w->line, key,
                  w->cmd);
        return 0;
    }
    char buf[8192];
    if (o->has_arg == no_argument) {
        int b = boolean(val);
        if (b < 0) {
            cli_error(w->cmd, "%s:%ld: '%s' is a flag: true or false, not '%s'", w->path, w->line,
                      key, val);
            return 0;
        }
        snprintf(buf, sizeof buf, "--%s", key);
        return b == 0 || args_push(out, buf);
    }
    if (eq == NULL || *val == '\0') {
        cli_error(w->cmd, "%s:%ld: '%s' needs a value (%s = VALUE)", w->path, w->line, key, key);
        return 0;
    }
    if ((size_t)snprintf(buf, sizeof buf, "--%s=%s", key, val) >= sizeof buf) {
        cli_error(w->cmd, "%s:%ld: the value of '%s' is too long", w->path, w->line, key);
        return 0;
    }
    return args_push(out, buf);
}

/* 0 ok, else the exit status. */
static int read_config(const char *cmd, const char *path, const struct option *opts,
                       const char *const *skip, args_t *out)
{
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        cli_error(cmd, "--config %s: %s", path, strerror(errno));
        return EXIT_FAIL;
    }
    char *line = NULL;
    size_t cap = 0;
    long len;
    where_t w = {cmd, path, 0};
    int rc = 0;
    while (rc == 0 && (len = cli_getline(&line, &cap, f)) != -1) {
        w.line++;
        char *s = line;
        if (w.line == 1 && len >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0)
            s += 3; /* a UTF-8 byte-order mark, as some editors write: not content */
        if (memchr(line, '\0', (size_t)len) != NULL) {
            cli_error(cmd, "%s:%ld: a NUL byte: a config file is text (key = value lines)", path,
                      w.line);
            rc = EXIT_USAGE;
        } else if (len > 8190) {
            cli_error(cmd, "%s:%ld: line longer than 8190 bytes", path, w.line);
            rc = EXIT_USAGE;
        } else if (!config_line(&w, s, opts, skip, out)) {
            rc = EXIT_USAGE;
        }
    }
    free(line);
    if (rc == 0 && ferror(f)) {
        cli_error(cmd, "--config %s: read error: %s", path, strerror(errno));
        rc = EXIT_FAIL;
    }
    fclose(f);
    return rc;
}

char **cli_args_expand(const char *cmd, int argc, char **argv, const struct option *opts,
                       const char *const *skip, int *argc_out, int *code)
{
    args_t file = {NULL, 0, 0}, rest = {NULL, 0, 0}, all = {NULL, 0, 0};
    int ok = args_push(&all, argv[0]);
    *code = EXIT_FAIL;
    for (int i = 1; ok && i < argc; i++) {
        const char *path = NULL;
        if (strcmp(argv[i], "--config") == 0) {
            if (i + 1 >= argc) {
                cli_error(cmd, "--config needs a FILE");
                *code = EXIT_USAGE;
                ok = 0;
                break;
            }
            path = argv[++i];
        } else if (strncmp(argv[i], "--config=", 9) == 0) {
            path = argv[i] + 9;
        } else if (strcmp(argv[i], "--") == 0) { /* the rest are operands */
            for (; ok && i < argc; i++)
                ok = args_push(&rest, argv[i]);
            break;
        }
        if (path != NULL) {
            int rc = read_config(cmd, path, opts, skip, &file);
            if (rc != 0) {
                *code = rc;
                ok = 0;
            }
        } else {
            ok = args_push(&rest, argv[i]);
        }
    }
    for (int i = 0; ok && i < file.n; i++)
        ok = args_push(&all, file.v[i]);
    for (int i = 0; ok && i < rest.n; i++)
        ok = args_push(&all, rest.v[i]);
    cli_args_free(file.v, file.n);
    cli_args_free(rest.v, rest.n);
    if (!ok) {
        cli_args_free(all.v, all.n);
        return NULL;
    }
    *argc_out = all.n;
    return all.v;
}
