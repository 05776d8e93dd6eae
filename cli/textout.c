/* Text output of the data commands (see textout.h). Compression is deterministic: a gzip
 * header with no name and no time stamp, OS byte 255 ("unknown"), level 6. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "lln/util.h"
#include "textout.h"

#define FLUSH_AT (1u << 20)

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && strcmp(s + n - k, suffix) == 0;
}

int textout_open(textout_t *o, const char *path)
{
    memset(o, 0, sizeof *o);
    o->gz = strcmp(path, "-") != 0 && ends_with(path, ".gz");
    if (!o->gz)
        return 1;
    if (deflateInit2(&o->z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        return 0;
    o->h.os = 255; /* the rest zeroed: no name, comment, extra or time stamp */
    if (deflateSetHeader(&o->z, &o->h) != Z_OK) {
        deflateEnd(&o->z);
        return 0;
    }
    return 1;
}

/* Compresses the pending text (all of it when finishing). */
static void compress_pending(textout_t *o, int finish)
{
    o->z.next_in = (unsigned char *)o->text;
    o->z.avail_in = (uInt)o->len;
    int ret;
    do {
        if (o->zcap - o->zlen < 65536) {
            size_t cap = o->zcap ? 2 * o->zcap : 1u << 20;
            unsigned char *nb = realloc(o->zbuf, cap);
            if (nb == NULL) {
                o->failed = 1;
                return;
            }
            o->zbuf = nb;
            o->zcap = cap;
        }
        o->z.next_out = o->zbuf + o->zlen;
        o->z.avail_out = (uInt)(o->zcap - o->zlen);
        ret = deflate(&o->z, finish ? Z_FINISH : Z_NO_FLUSH);
        o->zlen = o->zcap - o->z.avail_out;
        if (ret == Z_STREAM_ERROR) {
            o->failed = 1;
            return;
        }
    } while (o->z.avail_in > 0 || (finish && ret != Z_STREAM_END));
    o->len = 0;
}

void textout_put(textout_t *o, const char *s, size_t n)
{
    if (o->failed)
        return;
    if (o->len + n + 1 > o->cap) {
        size_t cap = o->cap ? o->cap : 65536;
        while (cap < o->len + n + 1)
            cap *= 2;
        char *nt = realloc(o->text, cap);
        if (nt == NULL) {
            o->failed = 1;
            return;
        }
        o->text = nt;
        o->cap = cap;
    }
    memcpy(o->text + o->len, s, n);
    o->len += n;
    if (o->gz && o->len >= FLUSH_AT)
        compress_pending(o, 0);
}

void textout_str(textout_t *o, const char *s) { textout_put(o, s, strlen(s)); }

void textout_printf(textout_t *o, const char *fmt, ...)
{
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof buf, fmt, ap); /* Flawfinder: ignore (format-checked) */
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof buf)
        o->failed = 1;
    else
        textout_put(o, buf, (size_t)n);
}

void textout_fixed(textout_t *o, double v, int decimals)
{
    static const double p10[] = {1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9};
    if (decimals < 0 || decimals > 9 || !(fabs(v) < 1e9)) {
        o->failed = 1;
        return;
    }
    /* floor is exact, so the rounding is the same everywhere (ties go up) */
    long long q = (long long)floor(v * p10[decimals] + 0.5), scale = (long long)p10[decimals];
    unsigned long long a = (unsigned long long)(q < 0 ? -q : q);
    char buf[48];
    int n;
    if (decimals == 0)
        n = snprintf(buf, sizeof buf, "%s%llu", q < 0 ? "-" : "", a);
    else
        n = snprintf(buf, sizeof buf, "%s%llu.%0*llu", q < 0 ? "-" : "",
                     a / (unsigned long long)scale, decimals, a % (unsigned long long)scale);
    textout_put(o, buf, (size_t)n);
}

void textout_discard(textout_t *o)
{
    if (o->gz)
        deflateEnd(&o->z);
    free(o->text);
    free(o->zbuf);
    memset(o, 0, sizeof *o);
}

int textout_finish(textout_t *o, const char *cmd, const char *path)
{
    if (o->gz && !o->failed)
        compress_pending(o, 1);
    if (o->failed) {
        cli_error(cmd, "%s: out of memory while building the output", path);
        textout_discard(o);
        return 0;
    }
    int ok = 1;
    if (strcmp(path, "-") == 0) {
        ok = fwrite(o->text, 1, o->len, stdout) == o->len && fflush(stdout) == 0;
        if (!ok)
            cli_error(cmd, "cannot write to standard output");
    } else {
        lln_error_t err = {LLN_OK, ""};
        const unsigned char *b = o->gz ? o->zbuf : (const unsigned char *)o->text;
        size_t n = o->gz ? o->zlen : o->len;
        if (lln_write_atomic(path, b ? b : (const unsigned char *)"", n, &err) != LLN_OK) {
            cli_error(cmd, "%s", err.msg);
            ok = 0;
        }
    }
    textout_discard(o);
    return ok;
}
