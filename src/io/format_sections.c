/* .lln model files: parsers of the CONF, TENS and META sections (docs/FORMAT.md). Every
 * count, length and offset is checked against the section that holds it, with overflow-
 * safe arithmetic, before it is used; arrays are allocated only after their count has been
 * bounded by the bytes the section actually has. */
#include <stdlib.h>
#include <string.h>

#include "format_loader.h"
#include "common/alloc.h"

/* ---- CONF: "key=value\n" lines ----------------------------------------------------------- */

typedef struct conf_line {
    size_t start, key_len, value_len; /* key at start, value after the '=' */
} conf_line_t;

/* Splits and checks line `no` (1-based) at p[0..n) (without its '\n'). */
static lln_status_t conf_split(lln_fmt_loader_t *L, const unsigned char *p, size_t n, size_t no,
                               conf_line_t *out)
{
    const unsigned char *eq = memchr(p, '=', n);
    for (size_t i = 0; i < n; i++)
        if (p[i] < 0x20 || p[i] > 0x7E)
            return lln__fmt_fail(L, LLN_E_FORMAT,
                                 "section CONF line %zu: byte %zu is 0x%02x "
                                 "(CONF is printable ASCII)",
                                 no, i + 1, p[i]);
    if (eq == NULL)
        return lln__fmt_fail(L, LLN_E_FORMAT,
                             "section CONF line %zu: no '=' (lines are "
                             "key=value)",
                             no);
    out->key_len = (size_t)(eq - p);
    out->value_len = n - out->key_len - 1;
    if (out->key_len == 0 || out->key_len > LLN_FMT_CONF_KEY || memchr(p, ' ', out->key_len))
        return lln__fmt_fail(L, LLN_E_FORMAT,
                             "section CONF line %zu: key must be 1..%u "
                             "characters without spaces",
                             no, LLN_FMT_CONF_KEY);
    if (out->value_len > LLN_FMT_CONF_VALUE)
        return lln__fmt_fail(L, LLN_E_FORMAT,
                             "section CONF line %zu ('%.*s'): value of %zu "
                             "bytes (at most %u)",
                             no, (int)out->key_len, (const char *)p, out->value_len,
                             LLN_FMT_CONF_VALUE);
    return LLN_OK;
}

/* Splits CONF into lines, rejecting malformed and repeated keys. */
static lln_status_t conf_lines(lln_fmt_loader_t *L, conf_line_t *lines, size_t *nlines)
{
    const unsigned char *s = L->buf + L->conf->off;
    size_t len = (size_t)L->conf->len, pos = 0, n = 0;
    if (len == 0 || len > LLN_FMT_CONF_MAX || s[len - 1] != '\n')
        return lln__fmt_fail(L, LLN_E_FORMAT,
                             "section CONF: %zu bytes; must be 1..%u bytes "
                             "of newline-terminated lines",
                             len, LLN_FMT_CONF_MAX);
    while (pos < len) {
        const unsigned char *nl = memchr(s + pos, '\n', len - pos); /* found: s ends in \n */
        size_t end = (size_t)(nl - s);
        if (n == LLN_FMT_CONF_LINES)
            return lln__fmt_fail(L, LLN_E_FORMAT, "section CONF: more than %u lines",
                                 LLN_FMT_CONF_LINES);
        lines[n].start = pos;
        lln_status_t st = conf_split(L, s + pos, end - pos, n + 1, &lines[n]);
        for (size_t k = 0; st == LLN_OK && k < n; k++)
            if (lines[k].key_len == lines[n].key_len &&
                memcmp(s + lines[k].start, s + pos, lines[n].key_len) == 0)
                st = lln__fmt_fail(L, LLN_E_FORMAT,
                                   "section CONF line %zu: key '%.*s' repeats "
                                   "line %zu",
                                   n + 1, (int)lines[n].key_len, (const char *)(s + pos), k + 1);
        if (st != LLN_OK)
            return st;
        n++;
        pos = end + 1;
    }
    *nlines = n;
    return LLN_OK;
}

static lln_status_t conf_apply(lln_fmt_loader_t *L, const conf_line_t *lines, size_t n)
{
    const char *s = (const char *)(L->buf + L->conf->off);
    for (size_t i = 0; i < n; i++) {
        char key[LLN_FMT_CONF_KEY + 1], value[LLN_FMT_CONF_VALUE + 1];
        lln_error_t sub = {LLN_OK, ""};
        memcpy(key, s + lines[i].start, lines[i].key_len);
        key[lines[i].key_len] = '\0';
        memcpy(value, s + lines[i].start + lines[i].key_len + 1, lines[i].value_len);
        value[lines[i].value_len] = '\0';
        lln_status_t st = lln_config_set(&L->cfg, key, value, &sub);
        if (st != LLN_OK)
            return lln__fmt_fail(L, st, "section CONF line %zu: %s", i + 1, sub.msg);
    }
    return LLN_OK;
}

lln_status_t lln__fmt_parse_conf(lln_fmt_loader_t *L)
{
    conf_line_t lines[LLN_FMT_CONF_LINES];
    size_t n = 0;
    lln_error_t sub = {LLN_OK, ""};
    lln_status_t st = conf_lines(L, lines, &n);
    /* Keys a file leaves out take the defaults of its cell kind, which is known only once
     * the "cell" line has been applied: apply once over LTC defaults, and again over the
     * right defaults if the cell turned out to be another. */
    lln_config_default(&L->cfg, LLN_CELL_LTC);
    if (st == LLN_OK)
        st = conf_apply(L, lines, n);
    if (st == LLN_OK && L->cfg.cell != LLN_CELL_LTC) {
        lln_config_default(&L->cfg, L->cfg.cell);
        st = conf_apply(L, lines, n);
    }
    if (st == LLN_OK && (st = lln_config_validate(&L->cfg, &sub)) != LLN_OK)
        return lln__fmt_fail(L, st, "section CONF: %s", sub.msg);
    return st;
}

/* ---- TENS: the tensor table ------------------------------------------------------------ */

#define TNAME(t) (int)(t)->name_len, (const char *)(t)->name

/* Shape and name of the entry at p (avail bytes left in TENS); sets *size to its length. */
static lln_status_t tens_head(lln_fmt_loader_t *L, const unsigned char *p, uint64_t avail,
                              lln_fmt_tensor_t *t, uint64_t *size)
{
    size_t i = t->index;
    if (avail < LLN_FMT_TENS_FIXED)
        return lln__fmt_fail(L, LLN_E_FORMAT,
                             "section TENS entry %zu: truncated (%llu bytes "
                             "left, an entry needs %u)",
                             i, (unsigned long long)avail, LLN_FMT_TENS_FIXED);
    t->off = lln_fmt_rd64(p);
    t->count = lln_fmt_rd64(p + 8);
    t->dtype = p[16];
    t->ndim = p[17];
    t->name_len = lln_fmt_rd16(p + 18);
    if (t->dtype > LLN_FMT_F64)
        return lln__fmt_fail(L, LLN_E_UNSUPPORTED,
                             "section TENS entry %zu: unknown dtype %u "
                             "(0 = f32, 1 = f64)",
                             i, t->dtype);
    if (t->ndim < 1 || t->ndim > LLN_FMT_MAX_NDIM || t->name_len < 1 ||
        t->name_len > LLN_FMT_MAX_NAME || lln_fmt_rd32(p + 20) != 0)
        return lln__fmt_fail(L, LLN_E_FORMAT,
                             "section TENS entry %zu: ndim %u (1..%u), name "
                             "length %zu (1..%u), reserved %lu (0)",
                             i, t->ndim, LLN_FMT_MAX_NDIM, t->name_len, LLN_FMT_MAX_NAME,
                             (unsigned long)lln_fmt_rd32(p + 20));
    *size = LLN_FMT_TENS_FIXED + 4u * t->ndim + t->name_len;
    *size += lln_fmt_pad8((size_t)*size);
    if (avail < *size)
        return lln__fmt_fail(L, LLN_E_FORMAT,
                             "section TENS entry %zu: truncated (%llu bytes "
                             "left, this entry needs %llu)",
                             i, (unsigned long long)avail, (unsigned long long)*size);
    t->name = p + LLN_FMT_TENS_FIXED + 4 * (size_t)t->ndim;
    for (size_t k = 0; k < t->name_len; k++)
        if (t->name[k] <= 0x20 || t->name[k] > 0x7E)
            return lln__fmt_fail(L, LLN_E_FORMAT,
                                 "section TENS entry %zu: name byte %zu is "
                                 "0x%02x (names are printable ASCII without spaces)",
                                 i, k, t->name[k]);
    for (uint64_t k = LLN_FMT_TENS_FIXED + 4u * t->ndim + t->name_len; k < *size; k++)
        if (p[k] != 0)
            return lln__fmt_fail(L, LLN_E_FORMAT,
                                 "section TENS entry %zu ('%.*s'): nonzero "
                                 "padding",
                                 i, TNAME(t));
    return LLN_OK;
}

/* Dims against count, and the data range against DATA. */
static lln_status_t tens_range(lln_fmt_loader_t *L, const unsigned char *p, lln_fmt_tensor_t *t)
{
    uint64_t prod = 1, dlen = L->data->len;
    int overflow = 0;
    for (unsigned d = 0; d < t->ndim; d++) {
        t->dims[d] = lln_fmt_rd32(p + LLN_FMT_TENS_FIXED + 4 * (size_t)d);
        if (t->dims[d] != 0 && prod > UINT64_MAX / t->dims[d])
            overflow = 1;
        else
            prod *= t->dims[d];
    }
    if (overflow || prod != t->count)
        return lln__fmt_fail(L, LLN_E_FORMAT,
                             "section TENS entry %zu ('%.*s'): dims give %s%llu "
                             "elements but count is %llu",
                             t->index, TNAME(t), overflow ? "more than " : "",
                             (unsigned long long)prod, (unsigned long long)t->count);
    unsigned size = t->dtype == LLN_FMT_F32 ? 4u : 8u;
    int too_big = t->count > dlen / size; /* also keeps count * size from overflowing */
    t->bytes = too_big ? 0 : t->count * size;
    if (too_big || t->off > dlen || t->bytes > dlen - t->off)
        return lln__fmt_fail(L, LLN_E_FORMAT,
                             "section TENS entry %zu ('%.*s'): data range "
                             "%llu+%llu%s exceeds DATA section (size %llu)",
                             t->index, TNAME(t), (unsigned long long)t->off,
                             (unsigned long long)(too_big ? t->count : t->bytes),
                             too_big ? (size == 4 ? "x4" : "x8") : "", (unsigned long long)dlen);
    if (t->off % LLN_FMT_ALIGN != 0)
        return lln__fmt_fail(L, LLN_E_FORMAT,
                             "section TENS entry %zu ('%.*s'): data offset "
                             "%llu is not a multiple of 8",
                             t->index, TNAME(t), (unsigned long long)t->off);
    return LLN_OK;
}

static int name_order(const lln_fmt_tensor_t *x, const lln_fmt_tensor_t *y)
{
    size_t n = x->name_len < y->name_len ? x->name_len : y->name_len;
    int c = memcmp(x->name, y->name, n);
    return c != 0 ? c : (x->name_len > y->name_len) - (x->name_len < y->name_len);
}

/* qsort is not stable, and C libraries order equal elements differently (glibc's merge sort
 * keeps them in input order, Windows' does not): ties are broken by entry index, so that the
 * entries a message names are the same on every platform. */
static int cmp_name(const void *a, const void *b)
{
    const lln_fmt_tensor_t *x = *(const lln_fmt_tensor_t *const *)a;
    const lln_fmt_tensor_t *y = *(const lln_fmt_tensor_t *const *)b;
    int c = name_order(x, y);
    return c != 0 ? c : (x->index > y->index) - (x->index < y->index);
}

static int cmp_off(const void *a, const void *b)
{
    const lln_fmt_tensor_t *x = *(const lln_fmt_tensor_t *const *)a;
    const lln_fmt_tensor_t *y = *(const lln_fmt_tensor_t *const *)b;
    if (x->off != y->off)
        return x->off < y->off ? -1 : 1;
    if (x->bytes != y->bytes)
        return x->bytes < y->bytes ? -1 : 1;
    return (x->index > y->index) - (x->index < y->index); /* see cmp_name */
}

static lln_status_t zero_gap(lln_fmt_loader_t *L, uint64_t from, uint64_t to)
{
    const unsigned char *d = L->buf + L->data->off;
    for (uint64_t k = from; k < to; k++)
        if (d[k] != 0)
            return lln__fmt_fail(L, LLN_E_FORMAT,
                                 "section DATA: nonzero byte at offset %llu, "
                                 "which belongs to no tensor (padding must be 0)",
                                 (unsigned long long)k);
    return LLN_OK;
}

/* Unique names; tensor data ranges disjoint; bytes between them zero. */
static lln_status_t tens_cross(lln_fmt_loader_t *L, const lln_fmt_tensor_t **v)
{
    size_t n = L->ntens;
    uint64_t end = 0;
    qsort(v, n, sizeof(const lln_fmt_tensor_t *), cmp_name);
    for (size_t i = 1; i < n; i++)
        if (name_order(v[i - 1], v[i]) == 0)
            return lln__fmt_fail(L, LLN_E_FORMAT,
                                 "section TENS entries %zu and %zu both name "
                                 "'%.*s'",
                                 v[i - 1]->index, v[i]->index, TNAME(v[i]));
    qsort(v, n, sizeof(const lln_fmt_tensor_t *), cmp_off);
    for (size_t i = 0; i < n; i++) {
        if (v[i]->bytes == 0)
            continue;
        if (v[i]->off < end)
            return lln__fmt_fail(L, LLN_E_FORMAT,
                                 "section TENS entry %zu ('%.*s'): data "
                                 "range %llu+%llu overlaps another tensor's (which ends at %llu)",
                                 v[i]->index, TNAME(v[i]), (unsigned long long)v[i]->off,
                                 (unsigned long long)v[i]->bytes, (unsigned long long)end);
        lln_status_t st = zero_gap(L, end, v[i]->off);
        if (st != LLN_OK)
            return st;
        end = v[i]->off + v[i]->bytes;
    }
    return zero_gap(L, end, L->data->len);
}

static lln_status_t tens_entries(lln_fmt_loader_t *L)
{
    const unsigned char *s = L->buf + L->tens->off;
    uint64_t pos = LLN_FMT_TENS_HEAD, len = L->tens->len;
    for (size_t i = 0; i < L->ntens; i++) {
        lln_fmt_tensor_t *t = &L->tens_v[i];
        uint64_t size = 0;
        t->index = i;
        lln_status_t st = tens_head(L, s + pos, len - pos, t, &size);
        if (st == LLN_OK)
            st = tens_range(L, s + pos, t);
        if (st != LLN_OK)
            return st;
        L->total_values += t->count; /* each count <= DATA size / 4: no overflow */
        pos += size;
    }
    if (pos != len)
        return lln__fmt_fail(L, LLN_E_FORMAT, "section TENS: %llu bytes after the last entry",
                             (unsigned long long)(len - pos));
    return LLN_OK;
}

lln_status_t lln__fmt_parse_tens(lln_fmt_loader_t *L)
{
    const unsigned char *s = L->buf + L->tens->off;
    uint64_t len = L->tens->len;
    if (len < LLN_FMT_TENS_HEAD || lln_fmt_rd32(s + 4) != 0)
        return lln__fmt_fail(L, LLN_E_FORMAT,
                             "section TENS: %llu bytes, or reserved field "
                             "not 0",
                             (unsigned long long)len);
    uint32_t n = lln_fmt_rd32(s);
    if (n > (len - LLN_FMT_TENS_HEAD) / LLN_FMT_TENS_MIN)
        return lln__fmt_fail(L, LLN_E_FORMAT,
                             "section TENS: %lu entries cannot fit in %llu "
                             "bytes",
                             (unsigned long)n, (unsigned long long)len);
    L->ntens = n;
    L->tens_v = lln__fmt_alloc(L, n, sizeof *L->tens_v);
    const lln_fmt_tensor_t **v = lln__fmt_alloc(L, n, sizeof(const lln_fmt_tensor_t *));
    lln_status_t st = L->tens_v == NULL || v == NULL
                          ? lln__fmt_fail(L, LLN_E_NOMEM, "out of memory for %lu tensor entries",
                                          (unsigned long)n)
                          : tens_entries(L);
    for (size_t i = 0; st == LLN_OK && i < n; i++)
        v[i] = &L->tens_v[i];
    if (st == LLN_OK)
        st = tens_cross(L, v);
    lln__free((void *)v);
    return st;
}

/* ---- META: UTF-8 key/value pairs --------------------------------------------------------- */

static lln_status_t meta_entry(lln_fmt_loader_t *L, const unsigned char *p, uint64_t avail,
                               lln_fmt_meta_t *e, uint64_t *size)
{
    size_t i = e->index;
    if (avail < 8)
        return lln__fmt_fail(L, LLN_E_FORMAT, "section META entry %zu: truncated", i);
    uint32_t kl = lln_fmt_rd32(p), vl = lln_fmt_rd32(p + 4);
    if (kl < 1 || kl > LLN_FMT_MAX_META_KEY || vl > LLN_FMT_MAX_META_VALUE)
        return lln__fmt_fail(L, LLN_E_FORMAT,
                             "section META entry %zu: key of %lu bytes "
                             "(1..%u) or value of %lu bytes (at most %u)",
                             i, (unsigned long)kl, LLN_FMT_MAX_META_KEY, (unsigned long)vl,
                             LLN_FMT_MAX_META_VALUE);
    *size = 8u + (uint64_t)kl + vl;
    *size += lln_fmt_pad8((size_t)*size);
    if (avail < *size)
        return lln__fmt_fail(L, LLN_E_FORMAT,
                             "section META entry %zu: %llu bytes needed, %llu "
                             "left",
                             i, (unsigned long long)*size, (unsigned long long)avail);
    e->key = p + 8;
    e->key_len = kl;
    e->value = e->key + kl;
    e->value_len = vl;
    if (!lln__fmt_utf8_ok(e->key, kl) || !lln__fmt_utf8_ok(e->value, vl))
        return lln__fmt_fail(L, LLN_E_FORMAT,
                             "section META entry %zu: key or value is not "
                             "valid UTF-8 (or contains NUL)",
                             i);
    for (uint64_t k = 8u + (uint64_t)kl + vl; k < *size; k++)
        if (p[k] != 0)
            return lln__fmt_fail(L, LLN_E_FORMAT, "section META entry %zu: nonzero padding", i);
    return LLN_OK;
}

static int key_order(const lln_fmt_meta_t *x, const lln_fmt_meta_t *y)
{
    size_t n = x->key_len < y->key_len ? x->key_len : y->key_len;
    int c = memcmp(x->key, y->key, n);
    return c != 0 ? c : (x->key_len > y->key_len) - (x->key_len < y->key_len);
}

static int cmp_key(const void *a, const void *b) /* ties by index: see cmp_name */
{
    const lln_fmt_meta_t *x = a, *y = b;
    int c = key_order(x, y);
    return c != 0 ? c : (x->index > y->index) - (x->index < y->index);
}

/* Unique keys: sorted copy, so the entries keep their file order for the model. */
static lln_status_t meta_unique(lln_fmt_loader_t *L)
{
    lln_fmt_meta_t *v = lln__fmt_alloc(L, L->nmeta, sizeof *v);
    lln_status_t st = LLN_OK;
    if (v == NULL)
        return lln__fmt_fail(L, LLN_E_NOMEM, "out of memory for %zu metadata entries", L->nmeta);
    if (L->nmeta > 0)
        memcpy(v, L->meta_v, L->nmeta * sizeof *v);
    qsort(v, L->nmeta, sizeof *v, cmp_key);
    for (size_t i = 1; st == LLN_OK && i < L->nmeta; i++)
        if (key_order(&v[i - 1], &v[i]) == 0)
            st = lln__fmt_fail(L, LLN_E_FORMAT,
                               "section META entries %zu and %zu have the same "
                               "key",
                               v[i - 1].index, v[i].index);
    lln__free(v);
    return st;
}

lln_status_t lln__fmt_parse_meta(lln_fmt_loader_t *L)
{
    if (L->meta == NULL)
        return LLN_OK; /* optional: no metadata */
    const unsigned char *s = L->buf + L->meta->off;
    uint64_t len = L->meta->len, pos = LLN_FMT_META_HEAD;
    if (len < LLN_FMT_META_HEAD || lln_fmt_rd32(s + 4) != 0)
        return lln__fmt_fail(L, LLN_E_FORMAT,
                             "section META: %llu bytes, or reserved field "
                             "not 0",
                             (unsigned long long)len);
    uint32_t n = lln_fmt_rd32(s);
    if (n > LLN_FMT_MAX_META || n > (len - LLN_FMT_META_HEAD) / LLN_FMT_META_MIN)
        return lln__fmt_fail(L, LLN_E_FORMAT,
                             "section META: %lu entries (at most %u, and "
                             "what %llu bytes can hold)",
                             (unsigned long)n, LLN_FMT_MAX_META, (unsigned long long)len);
    L->nmeta = n;
    if ((L->meta_v = lln__fmt_alloc(L, n, sizeof *L->meta_v)) == NULL)
        return lln__fmt_fail(L, LLN_E_NOMEM, "out of memory for %lu metadata entries",
                             (unsigned long)n);
    for (size_t i = 0; i < n; i++) {
        uint64_t size = 0;
        L->meta_v[i].index = i;
        lln_status_t st = meta_entry(L, s + pos, len - pos, &L->meta_v[i], &size);
        if (st != LLN_OK)
            return st;
        pos += size;
    }
    if (pos != len)
        return lln__fmt_fail(L, LLN_E_FORMAT, "section META: %llu bytes after the last entry",
                             (unsigned long long)(len - pos));
    return meta_unique(L);
}
