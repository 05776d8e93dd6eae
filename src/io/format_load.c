/* .lln model files: the reader (docs/FORMAT.md). Order of work: the header and the
 * whole-file CRC; the section table and layout; each section's CRC; the CONF, TENS and META
 * parsers (format_sections.c); a size check of the configuration against the values the
 * file holds; and only then the model, its tensors and its metadata. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "format_loader.h"
#include "core/model_internal.h"
#include "common/alloc.h"

void *lln__fmt_alloc(lln_fmt_loader_t *L, size_t count, size_t size)
{
    if (size != 0 && count > SIZE_MAX / size)
        return NULL;
    size_t bytes = count * size > 0 ? count * size : 1;
    if (bytes > L->largest_alloc)
        L->largest_alloc = bytes;
    return lln__malloc(bytes);
}

/* ---- header, section table, layout -------------------------------------------------------- */

/* Checks that decide whether the bytes are a complete, uncorrupted 1.x file at all. */
static lln_status_t check_envelope(lln_fmt_loader_t *L)
{
    const unsigned char *b = L->buf;
    size_t min = LLN_FMT_HEADER_SIZE + LLN_FMT_TRAILER_SIZE;
    if (L->len < min)
        return lln__fmt_fail(L, LLN_E_FORMAT,
                             "%zu bytes is too short for a model file (at "
                             "least %zu)",
                             L->len, min);
    if (memcmp(b, LLN_FMT_MAGIC, 8) != 0)
        return lln__fmt_fail(L, LLN_E_FORMAT, "not a liquid-edge model file (no LLNMODEL magic)");
    if (lln_fmt_rd16(b + 8) != LLN_FORMAT_VERSION_MAJOR)
        return lln__fmt_fail(L, LLN_E_VERSION,
                             "format version %u.%u is not supported (this "
                             "reader reads %d.x)",
                             lln_fmt_rd16(b + 8), lln_fmt_rd16(b + 10), LLN_FORMAT_VERSION_MAJOR);
    if (lln_fmt_rd64(b + 24) != L->len)
        return lln__fmt_fail(L, LLN_E_FORMAT,
                             "header says %llu bytes but there are %zu "
                             "(truncated or extended file)",
                             (unsigned long long)lln_fmt_rd64(b + 24), L->len);
    if (memcmp(b + L->len - LLN_FMT_TRAILER_SIZE, LLN_FMT_END, 4) != 0)
        return lln__fmt_fail(L, LLN_E_FORMAT, "no end marker at offset %zu (truncated file?)",
                             L->len - LLN_FMT_TRAILER_SIZE);
    uint32_t stored = lln_fmt_rd32(b + L->len - 4), crc = lln__fmt_crc32(b, L->len - 4);
    if (stored != crc)
        return lln__fmt_fail(L, LLN_E_CHECKSUM,
                             "file checksum mismatch (stored 0x%08lx, "
                             "computed 0x%08lx): the file is corrupted",
                             (unsigned long)stored, (unsigned long)crc);
    return LLN_OK;
}

static lln_status_t check_header(lln_fmt_loader_t *L, uint32_t *entry_size)
{
    const unsigned char *b = L->buf;
    uint32_t hsize = lln_fmt_rd32(b + 12), flags = lln_fmt_rd32(b + 16);
    uint32_t count = lln_fmt_rd32(b + 20);
    *entry_size = lln_fmt_rd32(b + 32);
    if (flags != 0)
        return lln__fmt_fail(L, LLN_E_UNSUPPORTED,
                             "header flags 0x%08lx name features this "
                             "reader does not know (written by a newer version?)",
                             (unsigned long)flags);
    if (hsize < LLN_FMT_HEADER_SIZE || hsize % LLN_FMT_ALIGN || *entry_size < LLN_FMT_ENTRY_SIZE ||
        *entry_size % LLN_FMT_ALIGN || lln_fmt_rd32(b + 36) != 0)
        return lln__fmt_fail(L, LLN_E_FORMAT,
                             "header: header size %lu, entry size %lu or "
                             "reserved field %lu invalid (want >= %u, >= %u, multiples of 8; 0)",
                             (unsigned long)hsize, (unsigned long)*entry_size,
                             (unsigned long)lln_fmt_rd32(b + 36), LLN_FMT_HEADER_SIZE,
                             LLN_FMT_ENTRY_SIZE);
    /* count <= 64 and entry_size < 2^32: the product cannot overflow 64 bits */
    L->table_end = count <= LLN_FMT_MAX_SECTIONS ? hsize + (uint64_t)count * *entry_size : 0;
    if (count < 1 || count > LLN_FMT_MAX_SECTIONS || L->table_end > L->len - LLN_FMT_TRAILER_SIZE)
        return lln__fmt_fail(L, LLN_E_FORMAT,
                             "header: %lu sections (1..%u) of %lu bytes after a "
                             "%lu-byte header do not fit in the file",
                             (unsigned long)count, LLN_FMT_MAX_SECTIONS, (unsigned long)*entry_size,
                             (unsigned long)hsize);
    L->nsec = count;
    return LLN_OK;
}

static int tag_printable(const unsigned char *t)
{
    for (int i = 0; i < 4; i++)
        if (t[i] < 0x20 || t[i] > 0x7E)
            return 0;
    return 1;
}

/* One table entry: fields and range. */
static lln_status_t read_entry(lln_fmt_loader_t *L, const unsigned char *e, uint32_t i)
{
    lln_fmt_sec_t *s = &L->sec[i];
    uint64_t end = L->len - LLN_FMT_TRAILER_SIZE;
    if (!tag_printable(e))
        return lln__fmt_fail(L, LLN_E_FORMAT, "section %lu: tag is not printable ASCII",
                             (unsigned long)i);
    memcpy(s->tag, e, 4);
    s->tag[4] = '\0';
    s->index = i;
    s->flags = lln_fmt_rd32(e + 4);
    s->off = lln_fmt_rd64(e + 8);
    s->len = lln_fmt_rd64(e + 16);
    s->crc = lln_fmt_rd32(e + 24);
    if ((s->flags & ~LLN_FMT_SEC_OPTIONAL) != 0 || lln_fmt_rd32(e + 28) != 0)
        return lln__fmt_fail(L, LLN_E_FORMAT,
                             "section %lu ('%s'): unknown flags 0x%08lx or "
                             "reserved field not 0",
                             (unsigned long)i, s->tag, (unsigned long)s->flags);
    if (s->off % LLN_FMT_ALIGN != 0 || s->off < L->table_end || s->off > end ||
        s->len > end - s->off)
        return lln__fmt_fail(L, LLN_E_FORMAT,
                             "section %lu ('%s'): range %llu+%llu is not "
                             "8-byte aligned inside [%llu, %llu) (after the table, before "
                             "the trailer)",
                             (unsigned long)i, s->tag, (unsigned long long)s->off,
                             (unsigned long long)s->len, (unsigned long long)L->table_end,
                             (unsigned long long)end);
    return LLN_OK;
}

/* Binds a known tag to its slot; NULL for unknown tags. */
static const lln_fmt_sec_t **known_slot(lln_fmt_loader_t *L, const char *tag)
{
    if (strcmp(tag, "CONF") == 0)
        return &L->conf;
    if (strcmp(tag, "TENS") == 0)
        return &L->tens;
    if (strcmp(tag, "DATA") == 0)
        return &L->data;
    if (strcmp(tag, "META") == 0)
        return &L->meta;
    return NULL;
}

static lln_status_t bind_section(lln_fmt_loader_t *L, const lln_fmt_sec_t *s)
{
    const lln_fmt_sec_t **slot = known_slot(L, s->tag);
    if (slot == NULL && !(s->flags & LLN_FMT_SEC_OPTIONAL))
        return lln__fmt_fail(L, LLN_E_UNSUPPORTED,
                             "section %lu: unknown required section '%s' "
                             "(written by a newer version?)",
                             (unsigned long)s->index, s->tag);
    if (slot != NULL && *slot != NULL)
        return lln__fmt_fail(L, LLN_E_FORMAT,
                             "section %lu: a second '%s' section (the first "
                             "is section %lu)",
                             (unsigned long)s->index, s->tag, (unsigned long)(*slot)->index);
    if (slot != NULL)
        *slot = s;
    return LLN_OK;
}

static lln_status_t read_table(lln_fmt_loader_t *L)
{
    uint32_t entry_size = 0;
    lln_status_t st = check_header(L, &entry_size);
    uint64_t pos = lln_fmt_rd32(L->buf + 12);
    for (uint32_t i = 0; st == LLN_OK && i < L->nsec; i++, pos += entry_size) {
        st = read_entry(L, L->buf + pos, i);
        if (st == LLN_OK)
            st = bind_section(L, &L->sec[i]);
    }
    if (st != LLN_OK)
        return st;
    if (L->conf == NULL || L->tens == NULL || L->data == NULL)
        return lln__fmt_fail(L, LLN_E_FORMAT, "missing required section %s",
                             L->conf == NULL   ? "CONF"
                             : L->tens == NULL ? "TENS"
                                               : "DATA");
    return LLN_OK;
}

static int cmp_sec(const void *a, const void *b)
{
    const lln_fmt_sec_t *x = *(const lln_fmt_sec_t *const *)a;
    const lln_fmt_sec_t *y = *(const lln_fmt_sec_t *const *)b;
    if (x->off != y->off)
        return x->off < y->off ? -1 : 1;
    return (x->len > y->len) - (x->len < y->len);
}

static lln_status_t zero_bytes(lln_fmt_loader_t *L, uint64_t from, uint64_t to)
{
    for (uint64_t k = from; k < to; k++)
        if (L->buf[k] != 0)
            return lln__fmt_fail(L, LLN_E_FORMAT,
                                 "nonzero byte at offset %llu between sections "
                                 "(padding must be 0)",
                                 (unsigned long long)k);
    return LLN_OK;
}

/* Sections disjoint, bytes between them zero, each section's CRC right. */
static lln_status_t check_layout(lln_fmt_loader_t *L)
{
    const lln_fmt_sec_t *v[LLN_FMT_MAX_SECTIONS] = {NULL};
    uint64_t end = L->table_end;
    for (uint32_t i = 0; i < L->nsec; i++)
        v[i] = &L->sec[i];
    qsort(v, L->nsec, sizeof(const lln_fmt_sec_t *), cmp_sec);
    for (uint32_t i = 0; i < L->nsec; i++) {
        if (v[i]->off < end)
            return lln__fmt_fail(L, LLN_E_FORMAT,
                                 "section %lu ('%s') at %llu+%llu overlaps the "
                                 "section before it (which ends at %llu)",
                                 (unsigned long)v[i]->index, v[i]->tag,
                                 (unsigned long long)v[i]->off, (unsigned long long)v[i]->len,
                                 (unsigned long long)end);
        lln_status_t st = zero_bytes(L, end, v[i]->off);
        if (st != LLN_OK)
            return st;
        end = v[i]->off + v[i]->len;
        uint32_t crc = lln__fmt_crc32(L->buf + v[i]->off, (size_t)v[i]->len);
        if (crc != v[i]->crc)
            return lln__fmt_fail(L, LLN_E_CHECKSUM,
                                 "section %lu ('%s') checksum mismatch "
                                 "(stored 0x%08lx, computed 0x%08lx)",
                                 (unsigned long)v[i]->index, v[i]->tag, (unsigned long)v[i]->crc,
                                 (unsigned long)crc);
    }
    return zero_bytes(L, end, L->len - LLN_FMT_TRAILER_SIZE);
}

/* ---- size check before the model exists ------------------------------------------------- */

/* ---- the model ---------------------------------------------------------------------------- */

static void cname(const lln_fmt_tensor_t *t, char out[LLN_FMT_MAX_NAME + 1])
{
    memcpy(out, t->name, t->name_len);
    out[t->name_len] = '\0';
}

/* "(4,12)" for messages. */
static void shape_str(char *out, size_t size, unsigned ndim, const unsigned long *dims)
{
    size_t n = 0;
    for (unsigned d = 0; d < ndim && n < size; d++)
        n += (size_t)snprintf(out + n, size - n, "%s%lu", d ? "," : "(", dims[d]);
    if (n < size)
        snprintf(out + n, size - n, ")");
}

static lln_status_t check_shape(lln_fmt_loader_t *L, size_t i, const char *name,
                                const lln_fmt_tensor_t *t, const lln_tensor_info_t *mt)
{
    unsigned long fd[LLN_FMT_MAX_NDIM], md[2];
    char fs[64], ms[64];
    int same = mt->ndim >= 1 && mt->ndim <= 2 && (unsigned)mt->ndim == t->ndim;
    for (unsigned d = 0; d < t->ndim; d++)
        fd[d] = t->dims[d];
    for (int d = 0; d < 2; d++) {
        md[d] = mt->dims[d] > 0 ? (unsigned long)mt->dims[d] : 0;
        same = same && (d >= mt->ndim || md[d] == t->dims[d]);
    }
    if (same)
        return LLN_OK;
    shape_str(fs, sizeof fs, t->ndim, fd);
    shape_str(ms, sizeof ms, mt->ndim == 2 ? 2u : 1u, md);
    return lln__fmt_fail(L, LLN_E_SHAPE,
                         "section TENS entry %zu ('%s'): shape %s but the "
                         "configuration gives %s",
                         i, name, fs, ms);
}

/* Every file tensor names a model tensor of the same shape, and (names being unique and the
 * counts equal) every model tensor is in the file. */
static lln_status_t match_tensors(lln_fmt_loader_t *L, const lln_model_t *m)
{
    char name[LLN_FMT_MAX_NAME + 1];
    for (size_t i = 0; i < L->ntens; i++) {
        const lln_fmt_tensor_t *t = &L->tens_v[i];
        cname(t, name);
        const lln_tensor_info_t *mt = lln_model_find(m, name);
        if (mt == NULL)
            return lln__fmt_fail(L, LLN_E_FORMAT,
                                 "section TENS entry %zu ('%s'): the "
                                 "configuration has no tensor of that name",
                                 i, name);
        lln_status_t st = check_shape(L, i, name, t, mt);
        if (st != LLN_OK)
            return st;
    }
    for (size_t k = 0; k < lln_model_tensor_count(m); k++) {
        const char *want = lln_model_tensor(m, k)->name;
        size_t i = 0;
        while (i < L->ntens && (L->tens_v[i].name_len != strlen(want) ||
                                memcmp(L->tens_v[i].name, want, L->tens_v[i].name_len) != 0))
            i++;
        if (i == L->ntens)
            return lln__fmt_fail(L, LLN_E_FORMAT,
                                 "section TENS: no entry for tensor '%s' "
                                 "(the configuration needs it)",
                                 want);
    }
    return LLN_OK;
}

static void decode(const unsigned char *p, const lln_fmt_tensor_t *t, double *v)
{
    for (uint64_t i = 0; i < t->count; i++) {
        if (t->dtype == LLN_FMT_F32) {
            uint32_t u = lln_fmt_rd32(p + 4 * i);
            float f;
            memcpy(&f, &u, sizeof f);
            v[i] = f;
        } else {
            uint64_t u = lln_fmt_rd64(p + 8 * i);
            memcpy(&v[i], &u, sizeof v[i]);
        }
    }
}

static lln_status_t set_values(lln_fmt_loader_t *L, lln_model_t *m)
{
    uint64_t most = 0;
    for (size_t i = 0; i < L->ntens; i++)
        most = L->tens_v[i].count > most ? L->tens_v[i].count : most;
    double *v = lln__fmt_alloc(L, (size_t)most, sizeof *v); /* most <= DATA size / 4 */
    if (v == NULL)
        return lln__fmt_fail(L, LLN_E_NOMEM, "out of memory for %llu values",
                             (unsigned long long)most);
    lln_status_t st = LLN_OK;
    for (size_t i = 0; st == LLN_OK && i < L->ntens; i++) {
        const lln_fmt_tensor_t *t = &L->tens_v[i];
        char name[LLN_FMT_MAX_NAME + 1];
        lln_error_t sub = {LLN_OK, ""};
        cname(t, name);
        decode(L->buf + L->data->off + t->off, t, v);
        st = lln__model_copy(m, name, v, (size_t)t->count, &sub);
        if (st != LLN_OK)
            st = lln__fmt_fail(L, st, "section TENS entry %zu ('%s'): %s", i, name, sub.msg);
    }
    lln__free(v);
    if (st == LLN_OK) {
        lln_error_t sub = {LLN_OK, ""};
        st = lln_model_prepare(m, &sub); /* once, after every tensor is in */
        if (st != LLN_OK)
            st = lln__fmt_fail(L, st, "section TENS: %s", sub.msg);
    }
    return st;
}

static lln_status_t set_meta(lln_fmt_loader_t *L, lln_model_t *m)
{
    for (size_t i = 0; i < L->nmeta; i++) {
        const lln_fmt_meta_t *e = &L->meta_v[i];
        char *k = lln__fmt_alloc(L, e->key_len + 1, 1), *v = lln__fmt_alloc(L, e->value_len + 1, 1);
        lln_status_t st = k == NULL || v == NULL ? LLN_E_NOMEM : LLN_OK;
        if (st == LLN_OK) {
            memcpy(k, e->key, e->key_len);
            k[e->key_len] = '\0';
            memcpy(v, e->value, e->value_len);
            v[e->value_len] = '\0';
            st = lln_model_set_meta(m, k, v);
        }
        lln__free(k);
        lln__free(v);
        if (st != LLN_OK)
            return lln__fmt_fail(L, st, "section META entry %zu: %s", i, lln_strerror(st));
    }
    return LLN_OK;
}

static lln_status_t build_model(lln_fmt_loader_t *L, lln_model_t **out)
{
    lln_model_t *m = NULL;
    lln_error_t sub = {LLN_OK, ""};
    size_t need = 0;
    /* Sized from the configuration alone, before anything is built: a small file cannot make
     * lln_model_create allocate more than the values it actually carries. */
    lln_status_t st = lln_config_param_count(&L->cfg, &need, &sub);
    if (st != LLN_OK)
        return lln__fmt_fail(L, st, "section CONF: %s", sub.msg);
    if ((uint64_t)need != L->total_values)
        return lln__fmt_fail(L, LLN_E_FORMAT,
                             "the configuration needs %zu parameter values but "
                             "section TENS declares %llu",
                             need, (unsigned long long)L->total_values);
    st = lln_model_create(&L->cfg, 0, &m, &sub);
    if (st != LLN_OK)
        return lln__fmt_fail(L, st, "section CONF: %s", sub.msg);
    st = match_tensors(L, m);
    if (st == LLN_OK)
        st = set_values(L, m);
    if (st == LLN_OK)
        st = set_meta(L, m);
    if (st != LLN_OK) {
        lln_model_free(m);
        return st;
    }
    *out = m;
    return LLN_OK;
}

lln_status_t lln__format_load_mem_ex(const unsigned char *buf, size_t len, const char *name,
                                     lln_model_t **out, lln_error_t *err, size_t *largest_alloc)
{
    lln_fmt_loader_t L;
    memset(&L, 0, sizeof L);
    L.buf = buf;
    L.len = len;
    L.name = name != NULL ? name : "<memory>";
    L.err = err;
    if (out != NULL)
        *out = NULL;
    lln_status_t st = buf == NULL || out == NULL
                          ? lln__fmt_fail(&L, LLN_E_ARG, "load: NULL buffer or output")
                          : check_envelope(&L);
    if (st == LLN_OK)
        st = read_table(&L);
    if (st == LLN_OK)
        st = check_layout(&L);
    if (st == LLN_OK)
        st = lln__fmt_parse_conf(&L);
    if (st == LLN_OK)
        st = lln__fmt_parse_tens(&L);
    if (st == LLN_OK)
        st = lln__fmt_parse_meta(&L);
    if (st == LLN_OK)
        st = build_model(&L, out);
    lln__free(L.tens_v);
    lln__free(L.meta_v);
    if (largest_alloc != NULL)
        *largest_alloc = L.largest_alloc;
    return st;
}

lln_status_t lln_model_load_mem(const unsigned char *buf, size_t len, const char *name_for_messages,
                                lln_model_t **out, lln_error_t *err)
{
    return lln__format_load_mem_ex(buf, len, name_for_messages, out, err, NULL);
}

/* Defined last: the analyzer hint of the same name in format_loader.h applies to every use
 * above and must not apply to the definition. */
#undef lln__fmt_fail
lln_status_t lln__fmt_fail(lln_fmt_loader_t *L, lln_status_t code, const char *fmt, ...)
{
    char msg[sizeof L->err->msg];
    va_list ap;
    va_start(ap, fmt);
    /* Flawfinder: ignore (fmt: a format-checked argument) */
    (void)vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return lln_error_set(L->err, code, "%s: %s", L->name, msg);
}
