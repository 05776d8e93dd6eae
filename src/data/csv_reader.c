/* CSV tokenizer of the training data: a byte source (a plain file, a gzip file of one or more
 * members inflated with zlib, or memory), a line splitter for LF / CRLF / CR, and a field
 * splitter that unquotes in place. The gzip members are walked here rather than by zlib's gz
 * reader, which ends the data silently at bytes that do not start a member (a member with a
 * damaged header would be dropped): here they are an error naming the byte offset. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <locale.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "common/static_assert.h"
#include "lln/csv.h"
#include "lln/data.h"
#include "common/alloc.h"
#include "common/platform.h"

#define CHUNK (1u << 16)

struct lln_csv {
    char *name;
    int fd;                     /* -1 for memory input */
    int zmode;                  /* 0: not known yet, 1: plain, 2: gzip */
    int zinit, zend;            /* inflate initialised; the last member ended */
    z_stream zs;                /* gzip: input zin[..], output buf */
    unsigned char *zin;         /* compressed bytes read from fd, CHUNK of them */
    int zin_eof;                /* fd is at its end */
    unsigned long long zoff;    /* file offset of zin[0] */
    long members;               /* gzip members started */
    unsigned char *buf;         /* chunk buffer */
    const unsigned char *chunk; /* bytes not yet consumed: chunk[pos .. len) */
    size_t len, pos;
    int eof;
    char *line; /* current line, unquoted in place into fields */
    size_t line_len, line_cap;
    long lines;  /* line ends consumed (= number of the current line once it is read) */
    int skip_lf; /* the last line ended with CR: an LF right after it belongs to it */
    int started; /* the byte-order mark check is done */
    char **fields;
    int nfields, fields_cap;
    char **header; /* copies of the header's fields, or NULL */
    int nheader;
};

/* ---- messages ------------------------------------------------------------------------- */

void lln_csv_quote(const char *s, char *buf, size_t n)
{
    size_t k = 0, i = 0;
    if (n == 0)
        return;
    for (; i < 40 && s[i] != '\0' && k + 1 < n; i++)
        buf[k++] = isprint((unsigned char)s[i]) || (unsigned char)s[i] >= 0x80 ? s[i] : '?';
    if (s[i] != '\0' && k + 4 < n) {
        memcpy(buf + k, "...", 3);
        k += 3;
    }
    buf[k < n ? k : n - 1] = '\0';
}

lln_status_t lln_csv_error(const lln_csv_t *r, int col, lln_error_t *err, lln_status_t code,
                           const char *fmt, ...)
{
    char what[384], where[128] = "";
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap); /* Flawfinder: ignore (format-checked argument) */
    va_end(ap);
    if (col >= 0 && col < r->nheader) {
        char q[48];
        lln_csv_quote(r->header[col], q, sizeof q);
        snprintf(where, sizeof where, " column %d ('%s'):", col + 1, q);
    } else if (col >= 0) {
        snprintf(where, sizeof where, " column %d:", col + 1);
    }
    return lln_error_set(err, code, "%s:%ld:%s %s", r->name, r->lines, where, what);
}

/* ---- opening ---------------------------------------------------------------------------- */

static lln_csv_t *new_reader(const char *name)
{
    lln_csv_t *r = lln__calloc(1, sizeof *r);
    if (r == NULL)
        return NULL;
    r->fd = -1;
    size_t n = strlen(name) + 1;
    r->name = lln__malloc(n);
    if (r->name == NULL) {
        lln__free(r);
        return NULL;
    }
    memcpy(r->name, name, n);
    return r;
}

lln_status_t lln_csv_open(const char *path, lln_csv_t **out, lln_error_t *err)
{
    *out = NULL;
    if (path == NULL)
        return lln_error_set(err, LLN_E_ARG, "no CSV path given");
    int is_stdin = strcmp(path, "-") == 0;
    lln_csv_t *r = new_reader(is_stdin ? "stdin" : path);
    if (r == NULL || (r->buf = lln__malloc(CHUNK)) == NULL) {
        lln_csv_close(r);
        return lln_error_set(err, LLN_E_NOMEM, "%s: out of memory", path);
    }
    errno = 0;
    r->fd = is_stdin ? lln__dup_stdin() : open(path, O_RDONLY | LLN_O_BINARY);
    if (r->fd < 0 || (r->zin = lln__malloc(CHUNK)) == NULL) {
        int e = r->fd < 0 ? errno : 0;
        lln_csv_close(r);
        return lln_error_set(err, e ? LLN_E_IO : LLN_E_NOMEM, "%s: cannot open: %s", path,
                             e ? strerror(e) : "out of memory");
    }
    r->chunk = r->buf;
    *out = r;
    return LLN_OK;
}

lln_status_t lln_csv_open_mem(const char *name, const void *data, size_t size, lln_csv_t **out,
                              lln_error_t *err)
{
    *out = NULL;
    if (name == NULL || (data == NULL && size > 0))
        return lln_error_set(err, LLN_E_ARG, "CSV in memory: NULL name or data");
    lln_csv_t *r = new_reader(name);
    if (r == NULL)
        return lln_error_set(err, LLN_E_NOMEM, "%s: out of memory", name);
    r->chunk = data;
    r->len = size;
    r->eof = 1;
    *out = r;
    return LLN_OK;
}

void lln_csv_close(lln_csv_t *r)
{
    if (r == NULL)
        return;
    if (r->fd >= 0)
        close(r->fd);
    if (r->zinit)
        inflateEnd(&r->zs);
    lln__free(r->zin);
    for (int i = 0; i < r->nheader; i++)
        lln__free(r->header[i]);
    lln__free(r->header);
    lln__free(r->fields);
    lln__free(r->line);
    lln__free(r->buf);
    lln__free(r->name);
    lln__free(r);
}

const char *lln_csv_name(const lln_csv_t *r) { return r->name; }
long lln_csv_line(const lln_csv_t *r) { return r->lines; }
int lln_csv_nfields(const lln_csv_t *r) { return r->nfields; }
const char *lln_csv_field(const lln_csv_t *r, int i)
{
    return i >= 0 && i < r->nfields ? r->fields[i] : NULL;
}
const char *lln_csv_header(const lln_csv_t *r, int i)
{
    return i >= 0 && i < r->nheader ? r->header[i] : NULL;
}

lln_status_t lln_csv_keep_header(lln_csv_t *r, lln_error_t *err)
{
    r->header = lln__calloc((size_t)r->nfields + 1, sizeof *r->header);
    if (r->header == NULL)
        return lln_error_set(err, LLN_E_NOMEM, "%s: out of memory", r->name);
    for (int i = 0; i < r->nfields; i++) {
        size_t n = strlen(r->fields[i]) + 1;
        if ((r->header[i] = lln__malloc(n)) == NULL) {
            r->nheader = i;
            return lln_error_set(err, LLN_E_NOMEM, "%s: out of memory", r->name);
        }
        memcpy(r->header[i], r->fields[i], n);
    }
    r->nheader = r->nfields;
    return LLN_OK;
}

/* ---- lines -------------------------------------------------------------------------------- */

/* "at the start" or "after line N", for messages about the byte source. */
static void where_text(const lln_csv_t *r, char *where, size_t n)
{
    snprintf(where, n, "at the start");
    if (r->lines > 0)
        snprintf(where, n, "after line %ld", r->lines);
}

static lln_status_t zfail(const lln_csv_t *r, lln_error_t *err, lln_status_t code, const char *what,
                          const char *detail)
{
    char where[64];
    where_text(r, where, sizeof where);
    return lln_error_set(err, code, "%s: %s: %s: %s", r->name, where, what, detail);
}

/* Keeps the unread compressed bytes and reads more after them until at least want are there
 * or the file ends. */
static lln_status_t zin_fill(lln_csv_t *r, size_t want, lln_error_t *err)
{
    while (r->zs.avail_in < want && !r->zin_eof) {
        size_t keep = r->zs.avail_in;
        if (keep > 0 && r->zs.next_in != r->zin)
            memmove(r->zin, r->zs.next_in, keep);
        r->zoff += (unsigned long long)(r->zs.next_in - r->zin); /* zin[0]'s offset from here */
        r->zs.next_in = r->zin;
        long n = lln__read(r->fd, r->zin + keep, CHUNK - keep);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return zfail(r, err, LLN_E_IO, "read error", strerror(errno));
        if (n == 0)
            r->zin_eof = 1;
        r->zs.avail_in = (uInt)(keep + (size_t)n);
    }
    return LLN_OK;
}

/* Inflates into buf until some bytes come out or the data end; walks member after member. */
static lln_status_t inflate_some(lln_csv_t *r, size_t *n, lln_error_t *err)
{
    *n = 0;
    while (*n == 0) {
        if (r->zend) { /* between members: the next one, or the end of the file */
            lln_status_t st = zin_fill(r, 2, err);
            if (st != LLN_OK)
                return st;
            if (r->zs.avail_in == 0)
                return LLN_OK; /* the end */
            if (r->zs.avail_in < 2 || r->zs.next_in[0] != 0x1f || r->zs.next_in[1] != 0x8b) {
                char detail[160];
                snprintf(detail, sizeof detail,
                         "bytes at offset %llu after gzip member %ld do not start another "
                         "member (a damaged header?)",
                         r->zoff + (unsigned long long)(r->zs.next_in - r->zin), r->members);
                return zfail(r, err, LLN_E_FORMAT, "damaged gzip data", detail);
            }
            inflateReset(&r->zs);
            r->zend = 0;
            r->members++;
        }
        if (r->zs.avail_in == 0) {
            lln_status_t st = zin_fill(r, 1, err);
            if (st != LLN_OK)
                return st;
            if (r->zs.avail_in == 0)
                return zfail(r, err, LLN_E_FORMAT, "damaged gzip data", "unexpected end of file");
        }
        r->zs.next_out = r->buf;
        r->zs.avail_out = CHUNK;
        int rc = inflate(&r->zs, Z_NO_FLUSH);
        *n = CHUNK - r->zs.avail_out;
        if (rc == Z_STREAM_END)
            r->zend = 1;
        else if (rc == Z_MEM_ERROR)
            return zfail(r, err, LLN_E_NOMEM, "gzip", "out of memory");
        else if (rc != Z_OK && rc != Z_BUF_ERROR)
            return zfail(r, err, LLN_E_FORMAT, "damaged gzip data",
                         r->zs.msg ? r->zs.msg : "inflate failed");
    }
    return LLN_OK;
}

/* Refills the chunk from the file (inflating gzip); sets eof at the end. A truncated or
 * damaged gzip stream is an error, never short data. */
static lln_status_t refill(lln_csv_t *r, lln_error_t *err)
{
    r->pos = r->len = 0;
    if (r->eof)
        return LLN_OK;
    lln_status_t st;
    if (r->zmode == 0) { /* the first bytes decide: gzip's magic 1f 8b, else plain */
        r->zs.next_in = r->zin;
        if ((st = zin_fill(r, 2, err)) != LLN_OK)
            return st;
        r->zmode = r->zs.avail_in >= 2 && r->zin[0] == 0x1f && r->zin[1] == 0x8b ? 2 : 1;
        if (r->zmode == 2) {
            r->zs.zalloc = lln__zalloc; /* through the library's allocator (alloc.h) */
            r->zs.zfree = lln__zfree;
            r->zs.opaque = Z_NULL;
            if (inflateInit2(&r->zs, 15 + 16) != Z_OK)
                return zfail(r, err, LLN_E_NOMEM, "gzip", "out of memory");
            r->zinit = 1;
            r->members = 1;
        }
    }
    size_t n = 0;
    if (r->zmode == 2) {
        if ((st = inflate_some(r, &n, err)) != LLN_OK)
            return st;
    } else {
        if (r->zs.avail_in == 0 && (st = zin_fill(r, 1, err)) != LLN_OK)
            return st;
        n = r->zs.avail_in;
        memcpy(r->buf, r->zs.next_in, n);
        r->zs.next_in += n;
        r->zs.avail_in = 0;
    }
    if (n == 0)
        r->eof = 1;
    r->len = n;
    return LLN_OK;
}

static lln_status_t append(lln_csv_t *r, const unsigned char *p, size_t n, lln_error_t *err)
{
    if (r->line_len + n > (size_t)LLN_CSV_MAX_LINE)
        return lln_error_set(err, LLN_E_FORMAT, "%s:%ld: line longer than %d bytes", r->name,
                             r->lines + 1, LLN_CSV_MAX_LINE);
    if (r->line_len + n + 1 > r->line_cap) {
        size_t cap = r->line_cap ? r->line_cap : 256;
        while (cap < r->line_len + n + 1)
            cap *= 2;
        char *nl = lln__realloc(r->line, cap);
        if (nl == NULL)
            return lln_error_set(err, LLN_E_NOMEM, "%s:%ld: out of memory for a line of %zu bytes",
                                 r->name, r->lines + 1, r->line_len + n);
        r->line = nl;
        r->line_cap = cap;
    }
    if (n > 0)
        memcpy(r->line + r->line_len, p, n);
    r->line_len += n;
    return LLN_OK;
}

/* Reads one physical line (without its end) into r->line; *got = 0 at the end. */
static lln_status_t read_line(lln_csv_t *r, int *got, lln_error_t *err)
{
    r->line_len = 0;
    int any = 0;
    for (;;) {
        if (r->pos == r->len) {
            if (r->fd < 0 || r->eof)
                break;
            lln_status_t st = refill(r, err);
            if (st != LLN_OK)
                return st;
            if (r->len == 0)
                break;
        }
        if (r->skip_lf) {
            r->skip_lf = 0;
            if (r->chunk[r->pos] == '\n') {
                r->pos++;
                continue;
            }
        }
        const unsigned char *p = r->chunk + r->pos, *end = r->chunk + r->len, *q = p;
        while (q < end && *q != '\n' && *q != '\r')
            q++;
        any = 1;
        lln_status_t st = append(r, p, (size_t)(q - p), err);
        if (st != LLN_OK)
            return st;
        r->pos = (size_t)(q - r->chunk);
        if (q < end) {
            r->skip_lf = *q == '\r';
            r->pos++;
            r->lines++;
            *got = 1;
            return append(r, q, 0, err); /* ensures room for the terminating NUL */
        }
    }
    *got = any;
    if (any)
        r->lines++;
    return any ? append(r, NULL, 0, err) : LLN_OK;
}

/* ---- fields ------------------------------------------------------------------------------ */

static lln_status_t add_field(lln_csv_t *r, char *f, lln_error_t *err)
{
    if (r->nfields == r->fields_cap) {
        int cap = r->fields_cap ? 2 * r->fields_cap : 16;
        char **nf = lln__realloc(r->fields, (size_t)cap * sizeof *nf);
        if (nf == NULL)
            return lln_error_set(err, LLN_E_NOMEM, "%s:%ld: out of memory", r->name, r->lines);
        r->fields = nf;
        r->fields_cap = cap;
    }
    r->fields[r->nfields++] = f;
    return LLN_OK;
}

static int blank(char c) { return c == ' ' || c == '\t'; }

/* One quoted field starting at s[*i] == '"': unquoted into s[*w ...]. */
static lln_status_t quoted(lln_csv_t *r, char *s, size_t n, size_t *i, size_t *w, int col,
                           lln_error_t *err)
{
    (*i)++;
    for (;;) {
        if (*i >= n)
            return lln_csv_error(r, col, err, LLN_E_FORMAT,
                                 "unterminated quoted field (a field may not span lines)");
        char c = s[*i];
        if (c == '\0')
            return lln_csv_error(r, col, err, LLN_E_FORMAT, "NUL byte");
        if (c == '"' && *i + 1 < n && s[*i + 1] == '"') {
            s[(*w)++] = '"';
            *i += 2;
        } else if (c == '"') {
            (*i)++;
            break;
        } else {
            s[(*w)++] = c;
            (*i)++;
        }
    }
    while (*i < n && blank(s[*i]))
        (*i)++;
    if (*i < n && s[*i] != ',')
        return lln_csv_error(r, col, err, LLN_E_FORMAT, "text after the closing quote");
    return LLN_OK;
}

/* Splits r->line into fields in place (each field NUL-terminated). */
static lln_status_t split_fields(lln_csv_t *r, lln_error_t *err)
{
    char *s = r->line;
    size_t n = r->line_len, i = 0, w = 0;
    r->nfields = 0;
    for (int col = 0;; col++) {
        while (i < n && blank(s[i]))
            i++;
        size_t start = w;
        if (i < n && s[i] == '"') {
            lln_status_t st = quoted(r, s, n, &i, &w, col, err);
            if (st != LLN_OK)
                return st;
        } else {
            for (; i < n && s[i] != ','; i++) {
                if (s[i] == '\0')
                    return lln_csv_error(r, col, err, LLN_E_FORMAT, "NUL byte");
                s[w++] = s[i];
            }
            while (w > start && blank(s[w - 1]))
                w--;
        }
        s[w++] = '\0';
        lln_status_t st = add_field(r, s + start, err);
        if (st != LLN_OK)
            return st;
        if (i >= n)
            return LLN_OK;
        i++; /* the comma */
    }
}

static int is_blank_line(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!blank(s[i]))
            return 0;
    return 1;
}

lln_status_t lln_csv_next(lln_csv_t *r, int *got, lln_error_t *err)
{
    *got = 0;
    r->nfields = 0;
    for (;;) {
        int have = 0;
        lln_status_t st = read_line(r, &have, err);
        if (st != LLN_OK || !have)
            return st;
        if (!r->started) {
            r->started = 1;
            if (r->line_len >= 3 && memcmp(r->line, "\xEF\xBB\xBF", 3) == 0) {
                memmove(r->line, r->line + 3, r->line_len - 3);
                r->line_len -= 3;
            }
        }
        if (is_blank_line(r->line, r->line_len))
            continue;
        st = split_fields(r, err);
        if (st == LLN_OK)
            *got = 1;
        return st;
    }
}

/* ---- numbers ----------------------------------------------------------------------------- */

static int digits(const char *s, size_t *i)
{
    size_t k = *i;
    while (s[*i] >= '0' && s[*i] <= '9')
        (*i)++;
    return *i > k;
}

static int non_finite_word(const char *s)
{
    if (*s == '+' || *s == '-')
        s++;
    static const char *const words[] = {"nan", "inf", "infinity"};
    for (int k = 0; k < 3; k++) {
        size_t n = strlen(words[k]), j = 0;
        while (j < n && s[j] != '\0' && tolower((unsigned char)s[j]) == words[k][j])
            j++;
        if (j == n && (s[j] == '\0' || s[j] == '(')) /* nan(...) too */
            return 1;
    }
    return 0;
}

int lln_csv_number(const char *s, double *v)
{
    size_t i = 0;
    if (s[i] == '+' || s[i] == '-')
        i++;
    int whole = digits(s, &i), frac = 0;
    if (s[i] == '.') {
        i++;
        frac = digits(s, &i);
    }
    if (!whole && !frac)
        return non_finite_word(s) ? 2 : 1;
    if (s[i] == 'e' || s[i] == 'E') {
        i++;
        if (s[i] == '+' || s[i] == '-')
            i++;
        if (!digits(s, &i))
            return 1;
    }
    if (s[i] != '\0')
        return 1;
    errno = 0;
    double d = strtod(s, NULL);
    if (!isfinite(d))
        return 2;
    *v = d; /* underflow to 0 or a subnormal is a fine value */
    return 0;
}

#ifdef _WIN32
/* Windows has no uselocale: the thread gets its own locale (_configthreadlocale), switched
 * to "C" for numbers and back. l->c holds the saved LC_NUMERIC name (allocated), l->old is
 * non-NULL when per-thread locales were off before and must be turned off again. */
static int cloc_was_global = 1;

void lln_cloc_begin(lln_cloc_t *l)
{
    l->c = l->old = NULL;
    int prev = _configthreadlocale(_ENABLE_PER_THREAD_LOCALE);
    if (prev == -1)
        return;
    const char *cur = setlocale(LC_NUMERIC, NULL);
    size_t n = cur != NULL ? strlen(cur) + 1 : 0;
    char *saved = n > 0 ? lln__malloc(n) : NULL;
    if (saved == NULL || setlocale(LC_NUMERIC, "C") == NULL) {
        lln__free(saved);
        if (prev == _DISABLE_PER_THREAD_LOCALE)
            _configthreadlocale(_DISABLE_PER_THREAD_LOCALE);
        return;
    }
    memcpy(saved, cur, n);
    l->c = saved;
    l->old = prev == _DISABLE_PER_THREAD_LOCALE ? (void *)&cloc_was_global : NULL;
}

void lln_cloc_end(lln_cloc_t *l)
{
    if (l->c != NULL) {
        setlocale(LC_NUMERIC, (const char *)l->c);
        lln__free(l->c);
        if (l->old != NULL)
            _configthreadlocale(_DISABLE_PER_THREAD_LOCALE);
    }
    l->c = l->old = NULL;
}
#else
/* lln_cloc_t keeps locale_t values as void *: both are pointers on the systems we build on. */
LLN__STATIC_ASSERT(sizeof(locale_t) == sizeof(void *), locale_is_a_pointer);

void lln_cloc_begin(lln_cloc_t *l)
{
    locale_t c = newlocale(LC_NUMERIC_MASK, "C", (locale_t)0);
    l->c = (void *)c;
    l->old = c != (locale_t)0 ? (void *)uselocale(c) : NULL;
}

void lln_cloc_end(lln_cloc_t *l)
{
    if (l->c != NULL) {
        uselocale((locale_t)l->old);
        freelocale((locale_t)l->c);
    }
    l->c = l->old = NULL;
}
#endif
