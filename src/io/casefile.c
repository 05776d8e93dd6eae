/* Streaming tokenizer for the golden case format. Lines can be ~100 000 characters, so the
 * file is read whole and tokenized in place rather than with a fixed line buffer. */
#include "casefile.h"

#include "lln/util.h"
#include "common/alloc.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Upper bound on values in one tensor: 2^28 doubles = 2 GiB; anything larger is a bad file. */
#define CASE_MAX_VALUES (1L << 28)

typedef struct reader {
    char *buf;
    size_t len, pos;
    long line;
    const char *path;
    int eol; /* the last token ended its line */
} reader_t;

static char *read_whole(const char *path, size_t *len, lln_error_t *err)
{
    unsigned char *buf;
    if (lln_read_file(path, &buf, len, err) != LLN_OK)
        return NULL;
    const void *nul = memchr(buf, '\0', *len);
    if (nul != NULL) {
        lln_error_set(err, LLN_E_FORMAT, "%s: NUL byte at offset %zu (not a text file)", path,
                      (size_t)((const unsigned char *)nul - buf));
        lln__free(buf);
        return NULL;
    }
    return (char *)buf;
}

/* Next space-separated token on the current line; NULL at end of line / file. The
 * delimiter is overwritten with NUL; a newline delimiter is remembered in r->eol. */
static char *next_token(reader_t *r)
{
    if (r->eol)
        return NULL;
    while (r->pos < r->len &&
           (r->buf[r->pos] == ' ' || r->buf[r->pos] == '\r' || r->buf[r->pos] == '\t'))
        r->pos++;
    if (r->pos >= r->len || r->buf[r->pos] == '\n')
        return NULL;
    char *tok = r->buf + r->pos;
    while (r->pos < r->len && r->buf[r->pos] != ' ' && r->buf[r->pos] != '\n' &&
           r->buf[r->pos] != '\r' && r->buf[r->pos] != '\t')
        r->pos++;
    if (r->pos < r->len) {
        r->eol = r->buf[r->pos] == '\n';
        r->buf[r->pos++] = '\0';
    }
    return tok;
}

static void skip_line(reader_t *r)
{
    if (!r->eol) {
        while (r->pos < r->len && r->buf[r->pos] != '\n')
            r->pos++;
        if (r->pos < r->len)
            r->pos++;
    }
    r->eol = 0;
    r->line++;
}

static int parse_long(const char *s, long *v)
{
    char *end;
    errno = 0;
    *v = strtol(s, &end, 10);
    return errno == 0 && end != s && *end == '\0';
}

static lln_status_t fail(reader_t *r, lln_error_t *err, const char *what, const char *tok)
{
    return lln_error_set(err, LLN_E_FORMAT, "%s:%ld: %s%s%s%s", r->path, r->line, what,
                         tok ? " '" : "", tok ? tok : "", tok ? "'" : "");
}

static lln_status_t add_config(reader_t *r, lln_case_t *c, lln_error_t *err)
{
    char *key = next_token(r), *val = key ? next_token(r) : NULL;
    if (key == NULL || val == NULL)
        return fail(r, err, "config needs a key and a value", NULL);
    if (next_token(r) != NULL)
        return fail(r, err, "config value must be one token for key", key);
    lln_case_config_t *nc = lln__realloc(c->config, (c->nconfig + 1) * sizeof *nc);
    if (nc == NULL)
        return lln_error_set(err, LLN_E_NOMEM, "%s: out of memory", r->path);
    c->config = nc;
    nc[c->nconfig].key = lln__strdup(key);
    nc[c->nconfig].value = lln__strdup(val);
    c->nconfig++;
    if (nc[c->nconfig - 1].key == NULL || nc[c->nconfig - 1].value == NULL)
        return lln_error_set(err, LLN_E_NOMEM, "%s: out of memory", r->path);
    return LLN_OK;
}

static lln_status_t parse_shape(reader_t *r, lln_case_tensor_t *t, lln_error_t *err)
{
    long nd;
    char *tok = next_token(r);
    if (tok == NULL || !parse_long(tok, &nd) || nd < 0 || nd > LLN_CASE_MAX_DIMS)
        return fail(r, err, "bad tensor rank", tok);
    t->ndim = (int)nd;
    t->count = 1;
    for (int d = 0; d < t->ndim; d++) {
        tok = next_token(r);
        if (tok == NULL || !parse_long(tok, &t->dims[d]) || t->dims[d] < 0 ||
            t->dims[d] > CASE_MAX_VALUES)
            return fail(r, err, "bad tensor dimension", tok);
        t->count *= (size_t)t->dims[d];
        if (t->count > (size_t)CASE_MAX_VALUES)
            return fail(r, err, "tensor too large", t->name);
    }
    return LLN_OK;
}

static lln_status_t add_tensor(reader_t *r, lln_case_t *c, lln_error_t *err)
{
    char *name = next_token(r);
    if (name == NULL)
        return fail(r, err, "tensor needs a name", NULL);
    lln_case_tensor_t *nt = lln__realloc(c->tensors, (c->ntensors + 1) * sizeof *nt);
    if (nt == NULL)
        return lln_error_set(err, LLN_E_NOMEM, "%s: out of memory", r->path);
    c->tensors = nt;
    lln_case_tensor_t *t = &nt[c->ntensors++];
    memset(t, 0, sizeof *t);
    t->name = lln__strdup(name);
    if (t->name == NULL)
        return lln_error_set(err, LLN_E_NOMEM, "%s: out of memory", r->path);
    lln_status_t st = parse_shape(r, t, err);
    if (st != LLN_OK)
        return st;
    /* The values must be present on this line: check the text can hold them before
     * allocating (each value needs at least 2 characters). */
    if (t->count > (r->len - r->pos) / 2 + 1)
        return fail(r, err, "fewer values than the shape needs for tensor", t->name);
    t->data = lln__malloc((t->count ? t->count : 1) * sizeof *t->data);
    if (t->data == NULL)
        return lln_error_set(err, LLN_E_NOMEM, "%s: out of memory", r->path);
    for (size_t i = 0; i < t->count; i++) {
        char *tok = next_token(r), *end;
        if (tok == NULL)
            return fail(r, err, "fewer values than the shape needs for tensor", t->name);
        t->data[i] = strtod(tok, &end);
        if (end == tok || *end != '\0')
            return fail(r, err, "not a number", tok);
    }
    if (next_token(r) != NULL)
        return fail(r, err, "more values than the shape needs for tensor", t->name);
    return LLN_OK;
}

static lln_status_t parse_all(reader_t *r, lln_case_t *c, lln_error_t *err)
{
    while (r->pos < r->len) {
        lln_status_t st = LLN_OK;
        char *kw = next_token(r);
        if (kw == NULL || kw[0] == '#') {
            skip_line(r);
            continue;
        }
        if (strcmp(kw, "config") == 0)
            st = add_config(r, c, err);
        else if (strcmp(kw, "tensor") == 0)
            st = add_tensor(r, c, err);
        else
            st = fail(r, err, "unknown record", kw);
        if (st != LLN_OK)
            return st;
        skip_line(r);
    }
    return LLN_OK;
}

lln_status_t lln__case_load(const char *path, lln_case_t *out, lln_error_t *err)
{
    memset(out, 0, sizeof *out);
    reader_t r = {NULL, 0, 0, 1, path, 0};
    r.buf = read_whole(path, &r.len, err);
    if (r.buf == NULL)
        return err ? err->code : LLN_E_IO;
    lln_status_t st = parse_all(&r, out, err);
    lln__free(r.buf);
    if (st != LLN_OK)
        lln__case_free(out);
    return st;
}

void lln__case_free(lln_case_t *c)
{
    if (c == NULL)
        return;
    for (size_t i = 0; i < c->nconfig; i++) {
        lln__free(c->config[i].key);
        lln__free(c->config[i].value);
    }
    for (size_t i = 0; i < c->ntensors; i++) {
        lln__free(c->tensors[i].name);
        lln__free(c->tensors[i].data);
    }
    lln__free(c->config);
    lln__free(c->tensors);
    memset(c, 0, sizeof *c);
}

const lln_case_tensor_t *lln__case_tensor(const lln_case_t *c, const char *name)
{
    for (size_t i = 0; i < c->ntensors; i++)
        if (strcmp(c->tensors[i].name, name) == 0)
            return &c->tensors[i];
    return NULL;
}

const char *lln__case_get(const lln_case_t *c, const char *key)
{
    for (size_t i = 0; i < c->nconfig; i++)
        if (strcmp(c->config[i].key, key) == 0)
            return c->config[i].value;
    return NULL;
}
