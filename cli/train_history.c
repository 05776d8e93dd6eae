/* `lln train --history`: see train_history.h. */
#include "train_history.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "lln/util.h"

static const char HEADER[] = "epoch,train_loss,valid_loss,valid_metric,lr,seconds\n";

static double mono(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* Adds text to the file's contents. */
static int append(train_history_t *h, const char *text)
{
    size_t n = strlen(text);
    if (h->len + n + 1 > h->cap) {
        size_t cap = 2 * (h->len + n + 1) + 256;
        char *t = realloc(h->text, cap);
        if (t == NULL)
            return 0;
        h->text = t;
        h->cap = cap;
    }
    memcpy(h->text + h->len, text, n + 1);
    h->len += n;
    return 1;
}

static int flush(train_history_t *h)
{
    lln_error_t err = {LLN_OK, ""};
    if (lln_write_atomic(h->path, (const unsigned char *)h->text, h->len, &err) == LLN_OK)
        return 1;
    cli_error("train", "--history: %s", err.msg);
    return 0;
}

/* Keeps the comments, the header and the rows up to epoch keep_upto of an earlier file. */
static int keep_rows(train_history_t *h, char *old, int keep_upto)
{
    int header = 0;
    for (char *line = old, *next; *line != '\0'; line = next) {
        next = line + strcspn(line, "\n");
        if (*next != '\0')
            *next++ = '\0';
        if (*line == '\0')
            continue;
        if (line[0] == '#' || (!header && strcmp(line, "epoch,train_loss,valid_loss,valid_metric,"
                                                       "lr,seconds") == 0)) {
            header |= line[0] != '#';
            if (!append(h, line) || !append(h, "\n"))
                return 0;
            continue;
        }
        char *end;
        long e = strtol(line, &end, 10);
        if (!header || end == line || *end != ',' || e <= h->last_epoch || e > keep_upto)
            continue; /* a row the resumed run will write again (or not ours) */
        const char *sec = strrchr(line, ',');
        h->last_epoch = (int)e;
        h->seconds_base = sec ? strtod(sec + 1, NULL) : 0.0;
        if (!append(h, line) || !append(h, "\n"))
            return 0;
    }
    return header || append(h, HEADER);
}

/* 1 when text holds the history header line (the file is one of ours). */
static int is_history(const char *text)
{
    const char *h = strstr(text, "epoch,train_loss,valid_loss,valid_metric,lr,seconds");
    return h != NULL && (h == text || h[-1] == '\n');
}

/* The file at path: 1 read into *old, 0 missing, -1 present but unreadable (message printed). */
static int read_old(const char *path, char **old)
{
    unsigned char *b = NULL;
    size_t n = 0;
    lln_error_t err = {LLN_OK, ""};
    *old = NULL;
    errno = 0;
    FILE *f = fopen(path, "rb");
    if (f == NULL && errno == ENOENT)
        return 0;
    if (f != NULL)
        fclose(f);
    if (f == NULL || lln_read_file(path, &b, &n, &err) != LLN_OK) {
        cli_error("train", "--history %s: cannot read it: %s", path,
                  f == NULL ? strerror(errno) : err.msg);
        return -1;
    }
    char *t = realloc(b, n + 1);
    if (t == NULL) {
        free(b);
        cli_error("train", "--history %s: out of memory", path);
        return -1;
    }
    t[n] = '\0';
    if (memchr(t, '\0', n) != NULL) /* binary: never a history, so never overwritten */
        memcpy(t, "\1", 2);         /* n + 1 >= 2 bytes: a NUL was in it */
    *old = t;
    return 1;
}

int history_open(train_history_t *h, const char *path, const char *model, int accuracy,
                 int keep_upto)
{
    memset(h, 0, sizeof *h);
    h->path = path;
    h->t0 = mono();
    char *old = NULL;
    int have = read_old(path, &old);
    if (have < 0)
        return 0;
    if (have && old[strspn(old, " \t\r\n")] != '\0' && !is_history(old)) {
        cli_error("train",
                  "--history %s: the file exists and is not a training history (no "
                  "'epoch,train_loss,...' header); not overwriting it",
                  path);
        free(old);
        return 0;
    }
    int ok;
    if (keep_upto >= 0 && have) {
        ok = keep_rows(h, old, keep_upto);
        if (ok && h->last_epoch < keep_upto) {
            fprintf(stderr,
                    "lln train: warning: --history %s has rows up to epoch %d, the "
                    "checkpoint is at epoch %d; rows %d..%d are missing\n",
                    path, h->last_epoch, keep_upto, h->last_epoch + 1, keep_upto);
            h->last_epoch = keep_upto;
        }
    } else {
        if (keep_upto > 0)
            fprintf(stderr,
                    "lln train: warning: --history %s is missing; the resumed run "
                    "numbers its rows from epoch %d, and seconds count from this run's start\n",
                    path, keep_upto + 1);
        char name[401], head[512];
        snprintf(name, sizeof name, "%s", model);
        for (char *c = name; *c != '\0'; c++) /* a name cannot end the comment line */
            if (*c == '\n' || *c == '\r')
                *c = ' ';
        snprintf(head, sizeof head, "# model=%s\n# metric=%s\n", name,
                 accuracy ? "accuracy" : "mse");
        ok = append(h, head) && append(h, HEADER);
        h->last_epoch = keep_upto > 0 ? keep_upto : 0;
    }
    free(old);
    if (!ok) {
        cli_error("train", "--history: out of memory");
        return 0;
    }
    return flush(h);
}

static void num(char *b, size_t n, double v)
{
    if (isfinite(v))
        snprintf(b, n, "%.9g", v);
    else
        snprintf(b, n, "%s", isnan(v) ? "nan" : v > 0 ? "inf" : "-inf");
}

int history_add(train_history_t *h, double train_loss, int has_valid, double valid_loss,
                double valid_metric, double lr)
{
    char tl[32], vl[32] = "", vm[32] = "", r[32];
    num(tl, sizeof tl, train_loss);
    if (has_valid) {
        num(vl, sizeof vl, valid_loss);
        num(vm, sizeof vm, valid_metric);
    }
    num(r, sizeof r, lr);
    char row[256];
    h->last_epoch++;
    snprintf(row, sizeof row, "%d,%s,%s,%s,%s,%.3f\n", h->last_epoch, tl, vl, vm, r,
             h->seconds_base + (mono() - h->t0));
    if (!append(h, row)) {
        cli_error("train", "--history: out of memory");
        return 0;
    }
    return flush(h);
}

void history_free(train_history_t *h)
{
    free(h->text);
    h->text = NULL;
}
