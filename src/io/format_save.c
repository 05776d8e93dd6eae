/* .lln model files: serialization to memory (docs/FORMAT.md). The file is built in one
 * growing buffer; the header and section table are written last, once every section's
 * offset, length and CRC is known. */
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "format_internal.h"
#include "common/alloc.h"

/* Parameters are written through their IEEE-754 bit patterns. */
#if FLT_MANT_DIG != 24 || DBL_MANT_DIG != 53 || FLT_RADIX != 2
#error "the .lln writer needs IEEE-754 binary32 float and binary64 double"
#endif

enum { SEC_CONF, SEC_TENS, SEC_DATA, SEC_META, NSEC };
static const char *const SEC_TAGS[NSEC] = {"CONF", "TENS", "DATA", "META"};
/* META is optional: a reader that ignores it still gets a working model. */
static const uint32_t SEC_FLAGS[NSEC] = {0, 0, 0, LLN_FMT_SEC_OPTIONAL};

/* Growing output buffer. An allocation failure is sticky, so writers need not check
 * every call; the caller checks `oom` once at the end. */
typedef struct wbuf {
    unsigned char *p;
    size_t len, cap;
    int oom;
} wbuf_t;

/* Returns a pointer to n fresh zeroed bytes at the end of b, or NULL (b->oom set). */
static unsigned char *wb_grow(wbuf_t *b, size_t n)
{
    if (b->oom || n > SIZE_MAX / 2 - b->len) {
        b->oom = 1;
        return NULL;
    }
    if (b->len + n > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        while (cap < b->len + n)
            cap *= 2;
        unsigned char *np = lln__realloc(b->p, cap);
        if (np == NULL) {
            b->oom = 1;
            return NULL;
        }
        b->p = np;
        b->cap = cap;
    }
    unsigned char *at = b->p + b->len;
    memset(at, 0, n);
    b->len += n;
    return at;
}

static void wb_bytes(wbuf_t *b, const void *src, size_t n)
{
    unsigned char *at = wb_grow(b, n);
    if (at != NULL && n > 0)
        memcpy(at, src, n);
}

static void wb_u32(wbuf_t *b, uint32_t v)
{
    unsigned char *at = wb_grow(b, 4);
    if (at != NULL)
        lln_fmt_wr32(at, v);
}

static void wb_u64(wbuf_t *b, uint64_t v)
{
    unsigned char *at = wb_grow(b, 8);
    if (at != NULL)
        lln_fmt_wr64(at, v);
}

static void wb_align(wbuf_t *b) { (void)wb_grow(b, lln_fmt_pad8(b->len)); }

/* ---- checks: never write a file the reader would reject --------------------------------- */

static lln_status_t check_params(const lln_model_t *m, lln_error_t *err)
{
    const double *p = lln_model_params_const(m);
    for (size_t i = 0; i < lln_model_tensor_count(m); i++) {
        const lln_tensor_info_t *t = lln_model_tensor(m, i);
        size_t n = strlen(t->name);
        if (n == 0 || n > LLN_FMT_MAX_NAME || t->ndim < 1 || t->ndim > (int)LLN_FMT_MAX_NDIM)
            return lln_error_set(err, LLN_E_ARG,
                                 "save: tensor %zu ('%.64s') has no storable "
                                 "name or shape",
                                 i, t->name);
        for (size_t k = 0; k < t->count; k++)
            if (!isfinite(p[t->offset + k]))
                return lln_error_set(err, LLN_E_RANGE,
                                     "save: tensor '%s': element %zu is not finite", t->name, k);
    }
    return LLN_OK;
}

static lln_status_t check_meta(const lln_model_t *m, lln_error_t *err)
{
    size_t n = lln_model_meta_count(m);
    if (n > LLN_FMT_MAX_META)
        return lln_error_set(err, LLN_E_ARG, "save: %zu metadata entries (at most %u)", n,
                             LLN_FMT_MAX_META);
    for (size_t i = 0; i < n; i++) {
        const char *k = NULL, *v = NULL;
        if (lln_model_meta_at(m, i, &k, &v) != LLN_OK)
            return lln_error_set(err, LLN_E_ARG, "save: metadata entry %zu is unreadable", i);
        size_t kl = strlen(k), vl = strlen(v);
        if (kl == 0 || kl > LLN_FMT_MAX_META_KEY || vl > LLN_FMT_MAX_META_VALUE)
            return lln_error_set(err, LLN_E_ARG,
                                 "save: metadata '%.64s': key must be 1..%u "
                                 "bytes and value at most %u",
                                 k, LLN_FMT_MAX_META_KEY, LLN_FMT_MAX_META_VALUE);
        if (!lln__fmt_utf8_ok((const unsigned char *)k, kl) ||
            !lln__fmt_utf8_ok((const unsigned char *)v, vl))
            return lln_error_set(err, LLN_E_ARG, "save: metadata entry %zu is not valid UTF-8", i);
    }
    return LLN_OK;
}

/* ---- CONF ------------------------------------------------------------------------------ */

typedef struct conf_ctx {
    wbuf_t *b;
    lln_status_t st;
    lln_error_t *err;
    size_t lines;
} conf_ctx_t;

static int conf_text_ok(const char *s, size_t max, int is_key)
{
    size_t n = strlen(s);
    if (n > max || (is_key && n == 0))
        return 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 || c > 0x7E || (is_key && (c == ' ' || c == '=')))
            return 0;
    }
    return 1;
}

static void conf_line(const char *key, const char *value, void *vctx)
{
    conf_ctx_t *c = vctx;
    if (c->st != LLN_OK)
        return;
    if (!conf_text_ok(key, LLN_FMT_CONF_KEY, 1) || !conf_text_ok(value, LLN_FMT_CONF_VALUE, 0) ||
        ++c->lines > LLN_FMT_CONF_LINES) {
        c->st = lln_error_set(c->err, LLN_E_ARG,
                              "save: configuration entry '%.64s' cannot "
                              "be stored as a CONF line",
                              key);
        return;
    }
    wb_bytes(c->b, key, strlen(key));
    wb_bytes(c->b, "=", 1);
    wb_bytes(c->b, value, strlen(value));
    wb_bytes(c->b, "\n", 1);
}

static lln_status_t write_conf(wbuf_t *b, const lln_model_t *m, lln_error_t *err)
{
    conf_ctx_t c = {b, LLN_OK, err, 0};
    size_t start = b->len;
    lln_config_foreach(lln_model_config(m), conf_line, &c);
    if (c.st == LLN_OK && b->len - start > LLN_FMT_CONF_MAX)
        c.st = lln_error_set(err, LLN_E_ARG, "save: configuration text exceeds %u bytes",
                             LLN_FMT_CONF_MAX);
    return c.st;
}

/* ---- TENS and DATA ---------------------------------------------------------------------- */

/* float32 when every value survives the round trip through float exactly (the range test
 * first: converting an out-of-range double to float is undefined behaviour in C). */
static int fits_f32(const double *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!(fabs(v[i]) <= FLT_MAX) || (double)(float)v[i] != v[i])
            return 0;
    return 1;
}

static size_t tensor_bytes(const lln_model_t *m, const lln_tensor_info_t *t)
{
    int f32 = fits_f32(lln_model_params_const(m) + t->offset, t->count);
    return t->count * (f32 ? 4u : 8u);
}

static void write_tens(wbuf_t *b, const lln_model_t *m)
{
    size_t n = lln_model_tensor_count(m);
    uint64_t data_off = 0;
    wb_u32(b, (uint32_t)n);
    wb_u32(b, 0);
    for (size_t i = 0; i < n; i++) {
        const lln_tensor_info_t *t = lln_model_tensor(m, i);
        size_t name_len = strlen(t->name), bytes = tensor_bytes(m, t);
        wb_u64(b, data_off);
        wb_u64(b, t->count);
        unsigned char *at = wb_grow(b, 8);
        if (at != NULL) {
            at[0] = bytes == t->count * 4u ? LLN_FMT_F32 : LLN_FMT_F64;
            at[1] = (unsigned char)t->ndim;
            lln_fmt_wr16(at + 2, (uint16_t)name_len);
        }
        for (int d = 0; d < t->ndim; d++)
            wb_u32(b, (uint32_t)t->dims[d]);
        wb_bytes(b, t->name, name_len);
        wb_align(b);
        data_off += bytes + lln_fmt_pad8(bytes);
    }
}

static void write_values(wbuf_t *b, const double *v, size_t n, int f32)
{
    unsigned char *at = wb_grow(b, n * (f32 ? 4u : 8u));
    for (size_t i = 0; at != NULL && i < n; i++) {
        if (f32) {
            float f = (float)v[i];
            uint32_t u;
            memcpy(&u, &f, sizeof u);
            lln_fmt_wr32(at + 4 * i, u);
        } else {
            uint64_t u;
            memcpy(&u, &v[i], sizeof u);
            lln_fmt_wr64(at + 8 * i, u);
        }
    }
}

/* DATA starts 8-aligned in the file, so aligning b->len aligns each tensor within DATA
 * exactly as write_tens computed its offset. */
static void write_data(wbuf_t *b, const lln_model_t *m)
{
    const double *p = lln_model_params_const(m);
    for (size_t i = 0; i < lln_model_tensor_count(m); i++) {
        const lln_tensor_info_t *t = lln_model_tensor(m, i);
        wb_align(b);
        write_values(b, p + t->offset, t->count, fits_f32(p + t->offset, t->count));
    }
}

/* ---- META ------------------------------------------------------------------------------- */

static void write_meta(wbuf_t *b, const lln_model_t *m)
{
    size_t n = lln_model_meta_count(m);
    wb_u32(b, (uint32_t)n);
    wb_u32(b, 0);
    for (size_t i = 0; i < n; i++) {
        const char *k = "", *v = "";
        (void)lln_model_meta_at(m, i, &k, &v); /* checked by check_meta */
        wb_u32(b, (uint32_t)strlen(k));
        wb_u32(b, (uint32_t)strlen(v));
        wb_bytes(b, k, strlen(k));
        wb_bytes(b, v, strlen(v));
        wb_align(b);
    }
}

/* ---- assembly --------------------------------------------------------------------------- */

static void write_header(unsigned char *p, size_t file_size)
{
    memcpy(p, LLN_FMT_MAGIC, 8);
    lln_fmt_wr16(p + 8, LLN_FORMAT_VERSION_MAJOR);
    lln_fmt_wr16(p + 10, LLN_FORMAT_VERSION_MINOR);
    lln_fmt_wr32(p + 12, LLN_FMT_HEADER_SIZE);
    lln_fmt_wr32(p + 16, 0); /* flags: none defined in 1.0 */
    lln_fmt_wr32(p + 20, NSEC);
    lln_fmt_wr64(p + 24, file_size);
    lln_fmt_wr32(p + 32, LLN_FMT_ENTRY_SIZE);
    lln_fmt_wr32(p + 36, 0);
}

static void write_entry(unsigned char *buf, int s, size_t off, size_t len)
{
    unsigned char *e = buf + LLN_FMT_HEADER_SIZE + (size_t)s * LLN_FMT_ENTRY_SIZE;
    memcpy(e, SEC_TAGS[s], 4);
    lln_fmt_wr32(e + 4, SEC_FLAGS[s]);
    lln_fmt_wr64(e + 8, off);
    lln_fmt_wr64(e + 16, len);
    lln_fmt_wr32(e + 24, lln__fmt_crc32(buf + off, len));
    lln_fmt_wr32(e + 28, 0);
}

static lln_status_t serialize(const lln_model_t *m, wbuf_t *b, lln_error_t *err)
{
    size_t off[NSEC], len[NSEC];
    (void)wb_grow(b, LLN_FMT_HEADER_SIZE + NSEC * LLN_FMT_ENTRY_SIZE);
    for (int s = 0; s < NSEC; s++) {
        wb_align(b);
        off[s] = b->len;
        if (s == SEC_CONF) {
            lln_status_t st = write_conf(b, m, err);
            if (st != LLN_OK)
                return st;
        } else if (s == SEC_TENS)
            write_tens(b, m);
        else if (s == SEC_DATA)
            write_data(b, m);
        else
            write_meta(b, m);
        len[s] = b->len - off[s];
    }
    wb_align(b);
    wb_bytes(b, LLN_FMT_END, 4);
    (void)wb_grow(b, 4);
    if (b->oom)
        return lln_error_set(err, LLN_E_NOMEM, "save: out of memory");
    write_header(b->p, b->len);
    for (int s = 0; s < NSEC; s++)
        write_entry(b->p, s, off[s], len[s]);
    lln_fmt_wr32(b->p + b->len - 4, lln__fmt_crc32(b->p, b->len - 4));
    return LLN_OK;
}

lln_status_t lln_model_save_mem(const lln_model_t *m, unsigned char **buf, size_t *len,
                                lln_error_t *err)
{
    if (buf != NULL)
        *buf = NULL;
    if (len != NULL)
        *len = 0;
    if (m == NULL || buf == NULL || len == NULL)
        return lln_error_set(err, LLN_E_ARG, "save: NULL argument");
    lln_status_t st = check_params(m, err);
    if (st == LLN_OK)
        st = check_meta(m, err);
    wbuf_t b = {NULL, 0, 0, 0};
    if (st == LLN_OK)
        st = serialize(m, &b, err);
    if (st != LLN_OK) {
        lln__free(b.p);
        return st;
    }
    *buf = b.p;
    *len = b.len;
    return LLN_OK;
}
