/* Tests of the PyTorch checkpoint reader (src/io/ptfile.c).
 *
 * 1. Synthetic checkpoints built here (a small zip writer + pickle writer): every storage
 *    dtype, views (strides, storage offset, 0-d, empty, expanded), pickle protocol 2 and
 *    4 (FRAME, MEMOIZE, STACK_GLOBAL), deflate, zip64, a zip comment, big-endian storages,
 *    _rebuild_parameter; then one broken variant per error path.
 * 2. The golden fixtures: model_state_dict.pt and io.pt against case.txt, bit for bit.
 * 3. Robustness: truncations and byte flips of real checkpoints must give an error or the
 *    unchanged result, never a crash (run under ASan/UBSan in CI). */
#include <stdint.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "io/casefile.h"
#include "check.h"
#include "io/ptfile.h"

/* ---- byte buffer ----------------------------------------------------------------------- */

typedef struct buf {
    unsigned char *p;
    size_t n, cap;
} buf_t;

/* Bit-for-bit equality: values are compared exactly on purpose (-0.0, NaN payloads). */
static int same_bits(const double *a, const double *b)
{
    return memcmp((const void *)a, (const void *)b, sizeof *a) == 0;
}

static void put(buf_t *b, const void *s, size_t n)
{
    if (b->n + n > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->n + n)
            cap *= 2;
        unsigned char *np = realloc(b->p, cap);
        if (np == NULL) {
            fprintf(stderr, "out of memory\n");
            exit(2);
        }
        b->p = np;
        b->cap = cap;
    }
    if (n > 0)
        memcpy(b->p + b->n, s, n);
    b->n += n;
}

static void put_le(buf_t *b, uint64_t v, unsigned bytes)
{
    unsigned char c[8];
    for (unsigned i = 0; i < bytes; i++)
        c[i] = (unsigned char)(v >> (8 * i));
    put(b, c, bytes);
}

static void put_be(buf_t *b, uint64_t v, unsigned bytes)
{
    unsigned char c[8];
    for (unsigned i = 0; i < bytes; i++)
        c[i] = (unsigned char)(v >> (8 * (bytes - 1 - i)));
    put(b, c, bytes);
}

static void put_str(buf_t *b, const char *s) { put(b, s, strlen(s)); }

/* ---- zip writer ------------------------------------------------------------------------ */

typedef struct zent {
    char name[64];
    buf_t data;
} zent_t;

enum { ZIP_DEFLATE = 1, ZIP_ZIP64 = 2 };

static buf_t deflate_raw(const buf_t *in)
{
    buf_t out = {0};
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    if (deflateInit2(&zs, 9, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        exit(2);
    uLong bound = deflateBound(&zs, (uLong)in->n);
    unsigned char *tmp = malloc(bound + 1);
    zs.next_in = in->p;
    zs.avail_in = (uInt)in->n;
    zs.next_out = tmp;
    zs.avail_out = (uInt)bound;
    if (tmp == NULL || deflate(&zs, Z_FINISH) != Z_STREAM_END)
        exit(2);
    put(&out, tmp, zs.total_out);
    deflateEnd(&zs);
    free(tmp);
    return out;
}

static void zip_local(buf_t *z, const zent_t *e, const buf_t *body, unsigned method, uint32_t crc,
                      unsigned opts)
{
    int z64 = (opts & ZIP_ZIP64) != 0;
    put_le(z, 0x04034b50u, 4);
    put_le(z, z64 ? 45 : 20, 2);
    put_le(z, 0, 2); /* flags */
    put_le(z, method, 2);
    put_le(z, 0, 4); /* time, date */
    put_le(z, crc, 4);
    put_le(z, z64 ? 0xFFFFFFFFu : body->n, 4);
    put_le(z, z64 ? 0xFFFFFFFFu : e->data.n, 4);
    put_le(z, strlen(e->name), 2);
    put_le(z, z64 ? 20 : 0, 2);
    put_str(z, e->name);
    if (z64) {
        put_le(z, 1, 2);
        put_le(z, 16, 2);
        put_le(z, e->data.n, 8);
        put_le(z, body->n, 8);
    }
    put(z, body->p, body->n);
}

static void zip_central(buf_t *cd, const zent_t *e, size_t csize, unsigned method, uint32_t crc,
                        size_t lho, unsigned opts)
{
    int z64 = (opts & ZIP_ZIP64) != 0;
    put_le(cd, 0x02014b50u, 4);
    put_le(cd, z64 ? 45 : 20, 2);
    put_le(cd, z64 ? 45 : 20, 2);
    put_le(cd, 0, 2);
    put_le(cd, method, 2);
    put_le(cd, 0, 4);
    put_le(cd, crc, 4);
    put_le(cd, z64 ? 0xFFFFFFFFu : csize, 4);
    put_le(cd, z64 ? 0xFFFFFFFFu : e->data.n, 4);
    put_le(cd, strlen(e->name), 2);
    put_le(cd, z64 ? 28 : 0, 2);
    put_le(cd, 0, 2); /* comment */
    put_le(cd, 0, 2); /* disk */
    put_le(cd, 0, 2); /* internal attributes */
    put_le(cd, 0, 4); /* external attributes */
    put_le(cd, z64 ? 0xFFFFFFFFu : lho, 4);
    put_str(cd, e->name);
    if (z64) {
        put_le(cd, 1, 2);
        put_le(cd, 24, 2);
        put_le(cd, e->data.n, 8);
        put_le(cd, csize, 8);
        put_le(cd, lho, 8);
    }
}

static void zip_end(buf_t *z, size_t n, size_t cd_off, size_t cd_size, unsigned opts,
                    const char *comment)
{
    int z64 = (opts & ZIP_ZIP64) != 0;
    if (z64) {
        size_t rec = z->n;
        put_le(z, 0x06064b50u, 4);
        put_le(z, 44, 8);
        put_le(z, 45, 2);
        put_le(z, 45, 2);
        put_le(z, 0, 4);
        put_le(z, 0, 4);
        put_le(z, n, 8);
        put_le(z, n, 8);
        put_le(z, cd_size, 8);
        put_le(z, cd_off, 8);
        put_le(z, 0x07064b50u, 4);
        put_le(z, 0, 4);
        put_le(z, rec, 8);
        put_le(z, 1, 4);
    }
    put_le(z, 0x06054b50u, 4);
    put_le(z, 0, 4);
    put_le(z, z64 ? 0xFFFF : n, 2);
    put_le(z, z64 ? 0xFFFF : n, 2);
    put_le(z, z64 ? 0xFFFFFFFFu : cd_size, 4);
    put_le(z, z64 ? 0xFFFFFFFFu : cd_off, 4);
    put_le(z, strlen(comment), 2);
    put_str(z, comment);
}

/* bad_crc: name of an entry written with a wrong CRC-32 (or NULL). */
static buf_t make_zip(const zent_t *e, size_t n, unsigned opts, const char *comment,
                      const char *bad_crc)
{
    buf_t z = {0}, cd = {0};
    unsigned method = (opts & ZIP_DEFLATE) ? 8 : 0;
    for (size_t i = 0; i < n; i++) {
        buf_t body = (opts & ZIP_DEFLATE) ? deflate_raw(&e[i].data) : e[i].data;
        uint32_t crc = (uint32_t)crc32(0L, e[i].data.p, (uInt)e[i].data.n);
        if (bad_crc != NULL && strcmp(bad_crc, e[i].name) == 0)
            crc ^= 1u;
        size_t lho = z.n;
        zip_local(&z, &e[i], &body, method, crc, opts);
        zip_central(&cd, &e[i], body.n, method, crc, lho, opts);
        if (opts & ZIP_DEFLATE)
            free(body.p);
    }
    size_t cd_off = z.n;
    put(&z, cd.p, cd.n);
    zip_end(&z, n, cd_off, cd.n, opts, comment);
    free(cd.p);
    return z;
}

/* ---- pickle writer --------------------------------------------------------------------- */

typedef struct pkl {
    buf_t b;
    int proto4;
    unsigned nmemo;
    char gname[16][64]; /* memoised globals: reused with BINGET like pickle does */
    unsigned gmemo[16];
    int ng;
} pkl_t;

static void p_op(pkl_t *p, unsigned op) { put_le(&p->b, op, 1); }

static void p_str(pkl_t *p, const char *s)
{
    size_t n = strlen(s);
    if (p->proto4 && n < 256) {
        p_op(p, 0x8c);
        put_le(&p->b, n, 1);
    } else {
        p_op(p, 'X');
        put_le(&p->b, n, 4);
    }
    put_str(&p->b, s);
}

static void p_int(pkl_t *p, long long v)
{
    if (v >= 0 && v < 256) {
        p_op(p, 'K');
        put_le(&p->b, (uint64_t)v, 1);
    } else if (v >= 0 && v < 65536) {
        p_op(p, 'M');
        put_le(&p->b, (uint64_t)v, 2);
    } else if (v >= INT32_MIN && v <= INT32_MAX) {
        p_op(p, 'J');
        put_le(&p->b, (uint64_t)v, 4);
    } else {
        p_op(p, 0x8a);
        put_le(&p->b, 8, 1);
        put_le(&p->b, (uint64_t)v, 8);
    }
}

static void p_memoize(pkl_t *p)
{
    if (p->proto4) {
        p_op(p, 0x94);
    } else if (p->nmemo < 256) {
        p_op(p, 'q');
        put_le(&p->b, p->nmemo, 1);
    } else {
        p_op(p, 'r');
        put_le(&p->b, p->nmemo, 4);
    }
    p->nmemo++;
}

static void p_global(pkl_t *p, const char *mod, const char *name)
{
    char full[64];
    snprintf(full, sizeof full, "%s %s", mod, name);
    for (int i = 0; i < p->ng; i++) {
        if (strcmp(p->gname[i], full) == 0) {
            p_op(p, p->gmemo[i] < 256 ? 'h' : 'j');
            put_le(&p->b, p->gmemo[i], p->gmemo[i] < 256 ? 1 : 4);
            return;
        }
    }
    if (p->proto4) {
        p_str(p, mod);
        p_str(p, name);
        p_op(p, 0x93);
    } else {
        p_op(p, 'c');
        put_str(&p->b, mod);
        put_str(&p->b, "\n");
        put_str(&p->b, name);
        put_str(&p->b, "\n");
    }
    if (p->ng < 16) {
        snprintf(p->gname[p->ng], sizeof p->gname[p->ng], "%s", full);
        p->gmemo[p->ng++] = p->nmemo;
    }
    p_memoize(p);
}

/* ---- synthetic checkpoints ------------------------------------------------------------- */

typedef struct sdef {
    const char *key, *cls; /* storage key and the global naming its type */
    unsigned size;         /* bytes per element */
    int n;
    uint64_t raw[12]; /* element bit patterns */
    double val[12];   /* what they mean */
} sdef_t;

/* float32 0: v_i = i/4 - 1 (exact); half and bfloat16 bit patterns decoded by hand. */
static sdef_t g_st[] = {
    {"0", "FloatStorage", 4, 12, {0}, {0}},
    {"1", "DoubleStorage", 8, 3, {0}, {0.1, -2.5, 1e300}},
    {"2",
     "HalfStorage",
     2,
     9,
     {0x3c00, 0xc000, 0x0001, 0x7bff, 0x8000, 0x3555, 0x0400, 0x03ff, 0xfc00},
     {1.0, -2.0, 5.9604644775390625e-08, 65504.0, -0.0, 0.333251953125, 6.103515625e-05,
      6.0975551605224609375e-05, -INFINITY}},
    {"3",
     "BFloat16Storage",
     2,
     4,
     {0x3f80, 0xc040, 0x0001, 0x7f80},
     {1.0, -3.0, 9.183549615799121e-41, INFINITY}},
    {"4", "LongStorage", 8, 3, {0}, {-5, 1099511627776.0, 9007199254740992.0}},
    {"5", "BoolStorage", 1, 3, {1, 0, 1}, {1, 0, 1}},
    {"6", "CharStorage", 1, 2, {0}, {-128, 127}},
    {"7", "ByteStorage", 1, 2, {0}, {255, 0}},
    {"8", "ShortStorage", 2, 2, {0}, {-300, 300}},
    {"9", "IntStorage", 4, 2, {0}, {-70000, 70000}},
};
#define NST (sizeof g_st / sizeof g_st[0])

static void fill_raw(void)
{
    for (int i = 0; i < 12; i++) {
        float f = (float)i / 4.0f - 1.0f;
        uint32_t u;
        memcpy(&u, &f, 4);
        g_st[0].raw[i] = u;
        g_st[0].val[i] = f;
    }
    for (int i = 0; i < 3; i++)
        memcpy(&g_st[1].raw[i], &g_st[1].val[i], 8);
    for (size_t s = 4; s < NST; s++)
        if (s != 5)
            for (int i = 0; i < g_st[s].n; i++)
                g_st[s].raw[i] = (uint64_t)(int64_t)g_st[s].val[i];
}

typedef struct tdef {
    const char *name, *skey, *cls; /* cls NULL: the storage's own class */
    long long numel;               /* -1: the storage's own */
    long long off;
    int nd;
    long long size[10], stride[10];
    int param; /* wrap in _rebuild_parameter */
} tdef_t;

static const tdef_t g_tensors[] = {
    {"a", "0", NULL, -1, 0, 2, {3, 4}, {4, 1}, 0},  {"t", "0", NULL, -1, 0, 2, {4, 3}, {1, 4}, 0},
    {"o", "0", NULL, -1, 5, 1, {2}, {3}, 0},        {"s", "0", NULL, -1, 7, 0, {0}, {0}, 0},
    {"e", "0", NULL, -1, 12, 2, {0, 3}, {3, 1}, 0}, {"x", "0", NULL, -1, 2, 2, {2, 3}, {0, 1}, 0},
    {"p", "0", NULL, -1, 8, 2, {2, 2}, {2, 1}, 1},  {"d", "1", NULL, -1, 0, 1, {3}, {1}, 0},
    {"h", "2", NULL, -1, 0, 2, {3, 3}, {3, 1}, 0},  {"b", "3", NULL, -1, 0, 1, {4}, {1}, 0},
    {"l", "4", NULL, -1, 0, 1, {3}, {1}, 0},        {"q", "5", NULL, -1, 0, 1, {3}, {1}, 0},
    {"i8", "6", NULL, -1, 0, 1, {2}, {1}, 0},       {"u8", "7", NULL, -1, 0, 1, {2}, {1}, 0},
    {"i16", "8", NULL, -1, 0, 1, {2}, {1}, 0},      {"i32", "9", NULL, -1, 0, 1, {2}, {1}, 0},
};
#define NT (sizeof g_tensors / sizeof g_tensors[0])

static const sdef_t *find_st(const char *key)
{
    for (size_t i = 0; i < NST; i++)
        if (strcmp(g_st[i].key, key) == 0)
            return &g_st[i];
    return NULL;
}

static void p_tensor(pkl_t *p, const tdef_t *t)
{
    const sdef_t *s = find_st(t->skey);
    if (t->param)
        p_global(p, "torch._utils", "_rebuild_parameter");
    p_global(p, "torch._utils", "_rebuild_tensor_v2");
    p_op(p, '(');
    p_op(p, '(');
    p_str(p, "storage");
    p_global(p, "torch", t->cls ? t->cls : s ? s->cls : "FloatStorage");
    p_str(p, t->skey);
    p_str(p, "cpu");
    p_int(p, t->numel >= 0 ? t->numel : s ? s->n : 0);
    p_op(p, 't');
    p_op(p, 'Q');
    p_int(p, t->off);
    p_op(p, '(');
    for (int d = 0; d < t->nd; d++)
        p_int(p, t->size[d]);
    p_op(p, 't');
    p_op(p, '(');
    for (int d = 0; d < t->nd; d++)
        p_int(p, t->stride[d]);
    p_op(p, 't');
    p_op(p, 0x89);
    p_global(p, "collections", "OrderedDict");
    p_op(p, ')');
    p_op(p, 'R');
    p_op(p, 't');
    p_op(p, 'R');
    if (t->param) {
        p_op(p, 0x88); /* requires_grad */
        p_global(p, "collections", "OrderedDict");
        p_op(p, ')');
        p_op(p, 'R');
        p_op(p, 0x87); /* TUPLE3 */
        p_op(p, 'R');
    }
}

/* What a checkpoint variant looks like. */
typedef struct ckpt {
    int proto4, odict, big, byteorder, use_setitem;
    unsigned zip_opts;
    const char *folder, *comment;
    const tdef_t *tensors;
    size_t nt;
    const char *inject; /* raw pickle bytes inserted after the top-level dict */
    size_t inject_len;
    int stop_early;          /* omit STOP */
    const char *extra_entry; /* name of an additional (empty) zip entry */
    const char *byteorder_text;
    const char *tail;    /* replaces the final STOP */
    const char *bad_crc; /* entry written with a wrong CRC */
} ckpt_t;

static buf_t make_pickle(const ckpt_t *c)
{
    pkl_t p;
    memset(&p, 0, sizeof p);
    p.proto4 = c->proto4;
    if (c->odict) {
        p_global(&p, "collections", "OrderedDict");
        p_op(&p, ')');
        p_op(&p, 'R');
    } else {
        p_op(&p, '}');
    }
    p_memoize(&p);
    if (c->inject)
        put(&p.b, c->inject, c->inject_len);
    if (!c->use_setitem)
        p_op(&p, '(');
    for (size_t i = 0; i < c->nt; i++) {
        p_str(&p, c->tensors[i].name);
        p_tensor(&p, &c->tensors[i]);
        if (c->use_setitem)
            p_op(&p, 's');
    }
    if (!c->use_setitem)
        p_op(&p, 'u');
    if (c->odict) { /* OrderedDict state, like torch's _metadata */
        p_op(&p, '}');
        p_op(&p, 'b');
    }
    if (c->tail)
        put_str(&p.b, c->tail);
    else if (!c->stop_early)
        p_op(&p, '.');
    buf_t out = {0};
    put_le(&out, 0x80, 1);
    put_le(&out, c->proto4 ? 4 : 2, 1);
    if (c->proto4) { /* one frame holding the rest */
        put_le(&out, 0x95, 1);
        put_le(&out, p.b.n, 8);
    }
    put(&out, p.b.p, p.b.n);
    free(p.b.p);
    return out;
}

static buf_t make_ckpt(const ckpt_t *c)
{
    zent_t e[NST + 4];
    size_t n = 0;
    memset(e, 0, sizeof e);
    snprintf(e[n].name, sizeof e[n].name, "%s/data.pkl", c->folder);
    e[n++].data = make_pickle(c);
    if (c->byteorder) {
        snprintf(e[n].name, sizeof e[n].name, "%s/byteorder", c->folder);
        put_str(&e[n++].data, c->byteorder_text ? c->byteorder_text : c->big ? "big" : "little");
    }
    if (c->extra_entry)
        snprintf(e[n++].name, sizeof e[n].name, "%s", c->extra_entry);
    for (size_t s = 0; s < NST; s++) {
        snprintf(e[n].name, sizeof e[n].name, "%s/data/%s", c->folder, g_st[s].key);
        for (int i = 0; i < g_st[s].n; i++) {
            if (c->big)
                put_be(&e[n].data, g_st[s].raw[i], g_st[s].size);
            else
                put_le(&e[n].data, g_st[s].raw[i], g_st[s].size);
        }
        n++;
    }
    snprintf(e[n].name, sizeof e[n].name, "%s/version", c->folder);
    put_str(&e[n++].data, "3\n");
    buf_t z = make_zip(e, n, c->zip_opts, c->comment ? c->comment : "", c->bad_crc);
    for (size_t i = 0; i < n; i++)
        free(e[i].data.p);
    return z;
}

/* Reference gather, independent of the reader: element values come from sdef_t.val. */
static void check_tensor(const lln_case_t *got, const tdef_t *t, const char *variant)
{
    const lln_case_tensor_t *g = lln__case_tensor(got, t->name);
    CHECK_MSG(g != NULL, "%s: tensor '%s' missing", variant, t->name);
    if (g == NULL)
        return;
    const sdef_t *s = find_st(t->skey);
    size_t count = 1;
    CHECK_EQ_INT(g->ndim, t->nd);
    for (int d = 0; d < t->nd && d < g->ndim; d++) {
        CHECK_EQ_INT(g->dims[d], t->size[d]);
        count *= (size_t)t->size[d];
    }
    CHECK_EQ_INT(g->count, count);
    for (size_t i = 0; i < count && i < g->count; i++) {
        long long pos = t->off, rem = (long long)i;
        for (int d = t->nd - 1; d >= 0; d--) {
            pos += (rem % t->size[d]) * t->stride[d];
            rem /= t->size[d];
        }
        double want = s->val[pos];
        CHECK_MSG(same_bits(&want, &g->data[i]), "%s: %s[%zu] = %.17g, want %.17g", variant,
                  t->name, i, g->data[i], want);
    }
}

static void test_good_variant(const ckpt_t *c, const char *variant)
{
    buf_t z = make_ckpt(c);
    lln_case_t got;
    lln_error_t err = {0};
    lln_status_t st = lln__pt_load_mem(z.p, z.n, variant, 0, &got, &err);
    CHECK_MSG(st == LLN_OK, "%s: %s", variant, err.msg);
    CHECK_EQ_INT(got.ntensors, c->nt);
    CHECK_EQ_INT(got.nconfig, 0);
    for (size_t i = 0; i < c->nt && i < got.ntensors; i++) {
        CHECK_MSG(strcmp(got.tensors[i].name, c->tensors[i].name) == 0,
                  "%s: entry %zu is '%s', want '%s' (file order)", variant, i, got.tensors[i].name,
                  c->tensors[i].name);
        check_tensor(&got, &c->tensors[i], variant);
    }
    lln__case_free(&got);
    free(z.p);
}

static void test_synthetic_good(void)
{
    ckpt_t c;
    memset(&c, 0, sizeof c);
    c.folder = "archive";
    c.tensors = g_tensors;
    c.nt = NT;
    test_good_variant(&c, "proto2-stored");

    c.proto4 = 1;
    c.odict = 1;
    c.big = 1;
    c.byteorder = 1;
    c.zip_opts = ZIP_DEFLATE | ZIP_ZIP64;
    c.folder = "weird name-1";
    c.comment = "a trailing zip comment PK\x05\x06";
    test_good_variant(&c, "proto4-deflate-zip64-big");

    c.proto4 = 0;
    c.big = 0;
    c.use_setitem = 1;
    c.zip_opts = ZIP_ZIP64;
    c.comment = NULL;
    test_good_variant(&c, "proto2-setitem-little");

    /* storage type given as a dtype global / an untyped storage */
    static const tdef_t dt[] = {
        {"a", "0", "float32", -1, 0, 2, {3, 4}, {4, 1}, 0},
        {"d", "1", "float64", -1, 0, 1, {3}, {1}, 0},
        {"u8", "7", "UntypedStorage", -1, 0, 1, {2}, {1}, 0},
    };
    c.tensors = dt;
    c.nt = 3;
    test_good_variant(&c, "dtype-globals");
}

/* One broken variant: the load must fail with the given code and message fragment. */
static void expect_fail(const ckpt_t *c, lln_status_t code, const char *fragment)
{
    buf_t z = make_ckpt(c);
    lln_case_t got;
    lln_error_t err = {0};
    lln_status_t st = lln__pt_load_mem(z.p, z.n, "bad.pt", 0, &got, &err);
    CHECK_MSG(st == code, "want status %d, got %d (%s) for '%s'", code, st, err.msg, fragment);
    CHECK_MSG(strstr(err.msg, fragment) != NULL, "message '%s' lacks '%s'", err.msg, fragment);
    CHECK_MSG(strncmp(err.msg, "bad.pt: ", 8) == 0, "message '%s' does not start with the path",
              err.msg);
    CHECK(got.ntensors == 0 && got.tensors == NULL && got.nconfig == 0);
    free(z.p);
}

static void test_synthetic_errors(void)
{
    ckpt_t c;
    tdef_t t[2] = {{"a", "0", NULL, -1, 0, 2, {3, 4}, {4, 1}, 0},
                   {"b", "0", NULL, -1, 0, 2, {3, 4}, {4, 1}, 0}};
    memset(&c, 0, sizeof c);
    c.folder = "f";
    c.tensors = t;
    c.nt = 1;

    ckpt_t v = c;
    v.inject = "cos\nsystem\n";
    v.inject_len = strlen(v.inject);
    expect_fail(&v, LLN_E_UNSUPPORTED, "unsupported pickle global 'os.system'");
    v.inject = "I42\n";
    v.inject_len = 4;
    expect_fail(&v, LLN_E_UNSUPPORTED, "opcode 0x49 'I'");
    v.inject = "h\xc8"; /* BINGET 200 */
    v.inject_len = 2;
    expect_fail(&v, LLN_E_FORMAT, "memo slot 200 is empty");
    v.inject = "\x8a\x09\x01\x01\x01\x01\x01\x01\x01\x01\x01"; /* LONG1 of 9 bytes */
    v.inject_len = 11;
    expect_fail(&v, LLN_E_UNSUPPORTED, "does not fit in 64 bits");
    v.inject = "X\xff\xff\xff\x7f"; /* BINUNICODE longer than the pickle */
    v.inject_len = 5;
    expect_fail(&v, LLN_E_FORMAT, "runs past the end");
    v.inject = "0"; /* POP: not in the subset */
    v.inject_len = 1;
    expect_fail(&v, LLN_E_UNSUPPORTED, "opcode 0x30");
    char marks[2000];
    memset(marks, '(', sizeof marks);
    v.inject = marks;
    v.inject_len = sizeof marks;
    expect_fail(&v, LLN_E_RANGE, "MARKs nested deeper");
    v.inject = "K\x01K\x02"; /* unbalanced: two ints left for SETITEMS, then an odd count */
    v.inject_len = 4;
    expect_fail(&v, LLN_E_UNSUPPORTED, "adding items to a int");

    v = c;
    v.stop_early = 1;
    expect_fail(&v, LLN_E_FORMAT, "without STOP");

    t[0].stride[0] = 5; /* last index 2*5 + 3 = 13 >= 12 */
    expect_fail(&c, LLN_E_FORMAT, "exceeds its storage");
    t[0].stride[0] = 4; /* cppcheck-suppress redundantAssignment ; c reads t */
    t[0].off = 1;
    expect_fail(&c, LLN_E_FORMAT, "exceeds its storage");
    t[0].off = 0; /* cppcheck-suppress redundantAssignment ; c reads t */
    t[0].size[0] = 1LL << 62;
    t[0].size[1] = 1LL << 62;
#if LONG_MAX > (1LL << 62)
    expect_fail(&c, LLN_E_FORMAT, "more elements than its storage");
#else /* 32-bit long (Windows): lln_tensor_t's long dims refuse the size itself first */
    expect_fail(&c, LLN_E_FORMAT, "is not a valid integer");
#endif
    t[0].size[0] = 3;
    t[0].size[1] = 4;
    t[0].stride[1] = -1;
    expect_fail(&c, LLN_E_FORMAT, "not a valid integer");
    t[0].stride[1] = 1;         /* cppcheck-suppress redundantAssignment ; c reads t */
    t[0].stride[0] = 1LL << 62; /* (3-1) * 2^62 + ... overflows nothing but is far out */
    expect_fail(&c, LLN_E_FORMAT, "exceeds its storage");
    t[0].stride[0] = 4; /* cppcheck-suppress redundantAssignment ; c reads t */
    t[0].nd = 9;
    expect_fail(&c, LLN_E_UNSUPPORTED, "9 dims");
    t[0].nd = 2; /* cppcheck-suppress redundantAssignment ; c reads t */
    t[0].numel = 13;
    expect_fail(&c, LLN_E_FORMAT, "claims 13 elements");
    t[0].numel = -1; /* cppcheck-suppress redundantAssignment ; c reads t */
    t[0].skey = "99";
    expect_fail(&c, LLN_E_FORMAT, "storage '99' has no data entry");
    t[0].skey = "0"; /* cppcheck-suppress redundantAssignment ; c reads t */
    t[0].cls = "Storage";
    expect_fail(&c, LLN_E_UNSUPPORTED, "'torch.Storage'");
    t[0].cls = NULL; /* cppcheck-suppress redundantAssignment ; c reads t */

    v = c;
    v.nt = 2;
    t[1].name = "a"; /* cppcheck-suppress unreadVariable ; v reads t */
    expect_fail(&v, LLN_E_FORMAT, "key 'a' appears twice");
    v.nt = 1;
    v.extra_entry = "other/data.pkl";
    expect_fail(&v, LLN_E_FORMAT, "more than one");
    v.extra_entry = "f/data/0"; /* same name as a storage */
    expect_fail(&v, LLN_E_FORMAT, "two zip entries have this name");
    v.extra_entry = NULL;
    v.byteorder = 1;
    v.byteorder_text = "middle";
    expect_fail(&v, LLN_E_FORMAT, "byteorder is neither");
    v.byteorder = 0;
    v.tail = "].";
    expect_fail(&v, LLN_E_UNSUPPORTED, "holds a list, not a dict");
    v.tail = NULL;
    v.inject = "(X\x01\x00\x00\x00zK\x05u";
    v.inject_len = 10;
    expect_fail(&v, LLN_E_UNSUPPORTED, "value of 'z' is a int, not a tensor");
    v.inject = NULL;
    for (int deflate = 0; deflate < 2; deflate++) {
        v.zip_opts = deflate ? ZIP_DEFLATE : 0;
        v.bad_crc = "f/data/0";
        expect_fail(&v, LLN_E_CHECKSUM, "CRC-32 mismatch: the entry is damaged (entry 'f/data/0'");
        v.bad_crc = "f/data.pkl";
        expect_fail(&v, LLN_E_CHECKSUM,
                    "CRC-32 mismatch: the entry is damaged (entry 'f/data.pkl'");
        v.bad_crc = "f/version"; /* not used by the reader: no error */
        buf_t z = make_ckpt(&v);
        lln_case_t got;
        lln_error_t err = {0};
        CHECK_EQ_INT(lln__pt_load_mem(z.p, z.n, "x", 0, &got, &err), LLN_OK);
        lln__case_free(&got);
        free(z.p);
    }
}

/* Opcodes the torch writers rarely use, run for their side effects: the object they
 * build becomes the (ignored) BUILD state of the top-level dict. */
static void test_pickle_odds(void)
{
    /* string pieces are split where a hex escape would swallow the next opcode */
    static const char ops[] = "]" /* EMPTY_LIST */
                              "G\x3f\xf8\x00\x00\x00\x00\x00\x00"
                              "a" /* BINFLOAT 1.5, APPEND */
                              "(N\x88J\xff\xff\xff\xff"
                              "e" /* MARK None True -1 APPENDS */
                              "M\x34\x12"
                              "a"                                       /* BININT2 */
                              "U\x02hia"                                /* SHORT_BINSTRING */
                              "T\x02\x00\x00\x00oka"                    /* BINSTRING */
                              "\x8d\x02\x00\x00\x00\x00\x00\x00\x00u8a" /* BINUNICODE8 */
                              "r\x05\x00\x00\x00j\x05\x00\x00\x00"
                              "a"  /* LONG_BINPUT/GET 5 */
                              "b"; /* BUILD */
    tdef_t t = {"a", "0", NULL, -1, 0, 2, {3, 4}, {4, 1}, 0};
    ckpt_t c;
    memset(&c, 0, sizeof c);
    c.folder = "odd";
    c.tensors = &t;
    c.nt = 1;
    c.inject = ops;
    c.inject_len = sizeof ops - 1;
    test_good_variant(&c, "rare-opcodes");
}

static void expect_inject_fail(const char *ops, size_t n, lln_status_t code, const char *frag)
{
    tdef_t t = {"a", "0", NULL, -1, 0, 2, {3, 4}, {4, 1}, 0};
    ckpt_t c;
    memset(&c, 0, sizeof c);
    c.folder = "f";
    c.tensors = &t;
    c.nt = 1;
    c.inject = ops;
    c.inject_len = n;
    expect_fail(&c, code, frag);
}

static void test_pickle_errors(void)
{
#define INJ(s, code, frag) expect_inject_fail(s, sizeof(s) - 1, code, frag)
    INJ("T\xff\xff\xff\xff", LLN_E_FORMAT, "negative string length");
    INJ("(K\x01u", LLN_E_FORMAT, "odd number of items");
    INJ("t", LLN_E_FORMAT, "no MARK");
    INJ("\x80\x07", LLN_E_VERSION, "pickle protocol 7");
    INJ("\x95\xff\xff\xff\xff\x00\x00\x00\x00", LLN_E_FORMAT, "FRAME longer");
    INJ("K\x01K\x02\x93", LLN_E_FORMAT, "STACK_GLOBAL needs two strings");
    INJ("K\x01)R", LLN_E_UNSUPPORTED, "REDUCE calls a int");
    INJ("]Nb", LLN_E_UNSUPPORTED, "BUILD on a list");
    INJ("r\xff\xff\xff\x00", LLN_E_RANGE, "memo index 16777215 out of range");
    INJ("(\x85", LLN_E_FORMAT, "stack underflow");
    INJ("ccollections\nOrderedDict\nK\x01\x85R", LLN_E_UNSUPPORTED, "OrderedDict() with arguments");
    INJ("ctorch._utils\n_rebuild_tensor_v2\n)R", LLN_E_FORMAT, "takes 6 or 7 arguments, not 0");
    INJ("ctorch._utils\n_rebuild_parameter\nK\x01\x85R", LLN_E_FORMAT, "_rebuild_parameter");
    INJ("(X\x07\x00\x00\x00storageK\x01K\x02K\x03K\x04tQ", LLN_E_UNSUPPORTED,
        "storage type is not");
    INJ("K\x01Q", LLN_E_UNSUPPORTED, "persistent id is not");
#undef INJ
    /* stack depth limit: 2^17 + 1 pushes */
    size_t n = (1u << 17) + 1;
    char *deep = malloc(n);
    memset(deep, 'N', n);
    expect_inject_fail(deep, n, LLN_E_RANGE, "pickle stack deeper");
    free(deep);

    ckpt_t c;
    tdef_t t = {"a", "0", NULL, -1, 0, 2, {3, 4}, {4, 1}, 0};
    memset(&c, 0, sizeof c);
    c.folder = "f";
    c.tensors = &t;
    c.nt = 1;
    c.tail = "K"; /* BININT1 without its byte */
    expect_fail(&c, LLN_E_FORMAT, "ends inside the argument of opcode 0x4b");
    c.tail = "cfoo";
    expect_fail(&c, LLN_E_FORMAT, "not terminated by a newline");
}

/* Patches single fields of a valid archive (no zip64: the classic end record rules). */
static void expect_patch_fail(size_t at_from_cd, int rel_eocd, unsigned bytes, uint64_t value,
                              lln_status_t code, const char *frag)
{
    tdef_t t = {"a", "0", NULL, -1, 0, 2, {3, 4}, {4, 1}, 0};
    ckpt_t c;
    memset(&c, 0, sizeof c);
    c.folder = "f";
    c.tensors = &t;
    c.nt = 1;
    buf_t z = make_ckpt(&c);
    size_t eocd = z.n - 22;
    size_t cd = (size_t)z.p[eocd + 16] | (size_t)z.p[eocd + 17] << 8 |
                (size_t)z.p[eocd + 18] << 16 | (size_t)z.p[eocd + 19] << 24;
    size_t at = (rel_eocd ? eocd : cd) + at_from_cd;
    for (unsigned i = 0; i < bytes; i++)
        z.p[at + i] = (unsigned char)(value >> (8 * i));
    if (!rel_eocd && at_from_cd == 10) /* method: the local header too (data.pkl is first) */
        for (unsigned i = 0; i < bytes; i++)
            z.p[8 + i] = (unsigned char)(value >> (8 * i));
    lln_case_t got;
    lln_error_t err = {0};
    lln_status_t st = lln__pt_load_mem(z.p, z.n, "zip", 0, &got, &err);
    CHECK_MSG(st == code && strstr(err.msg, frag) != NULL, "status %d '%s', want %d '%s'", st,
              err.msg, code, frag);
    free(z.p);
}

static void test_zip_errors(void)
{
    expect_patch_fail(8, 1, 4, 0xFFFFFFFFu, LLN_E_FORMAT, "zip64 placeholder values");
    expect_patch_fail(4, 1, 2, 1, LLN_E_UNSUPPORTED, "multi-disk");
    expect_patch_fail(8, 1, 4, 0x00FF00FFu, LLN_E_FORMAT, "cannot fit");
    expect_patch_fail(16, 1, 4, 0x7FFFFFF0, LLN_E_FORMAT, "lies outside the file");
    expect_patch_fail(10, 0, 2, 12, LLN_E_UNSUPPORTED, "compression method 12");
    expect_patch_fail(8, 0, 2, 1, LLN_E_UNSUPPORTED, "encrypted");
    expect_patch_fail(20, 0, 4, 5, LLN_E_FORMAT, "different compressed and uncompressed sizes");
    expect_patch_fail(42, 0, 4, 3, LLN_E_FORMAT, "bad local header signature");
    expect_patch_fail(42, 0, 4, 0x7FFFFFF0, LLN_E_FORMAT, "local header offset");
    expect_patch_fail(0, 0, 4, 0, LLN_E_FORMAT, "record 0 of the central directory");
}

/* ---- golden fixtures ------------------------------------------------------------------- */

static int is_state_dict_key(const char *name)
{
    return strncmp(name, "rnn_cell.", 9) == 0 || strncmp(name, "lstm.", 5) == 0 ||
           strncmp(name, "fc.", 3) == 0;
}

/* Bit-exact: same shape and the same double bit patterns. */
static int same_tensor(const lln_case_tensor_t *a, const lln_case_tensor_t *b, const char *what)
{
    int ok = a->ndim == b->ndim && a->count == b->count;
    for (int d = 0; ok && d < a->ndim; d++)
        ok = a->dims[d] == b->dims[d];
    if (!ok) {
        fprintf(stderr, "%s: '%s' shape differs (ndim %d vs %d, count %zu vs %zu)\n", what, a->name,
                a->ndim, b->ndim, a->count, b->count);
        return 0;
    }
    for (size_t i = 0; i < a->count; i++) {
        if (!same_bits(&a->data[i], &b->data[i])) {
            fprintf(stderr, "%s: '%s'[%zu] = %.17g vs %.17g\n", what, a->name, i, a->data[i],
                    b->data[i]);
            return 0;
        }
    }
    return 1;
}

static int load_pair(const char *dir, const char *pt, lln_case_t *ref, lln_case_t *got)
{
    char path[1024];
    lln_error_t err = {0};
    snprintf(path, sizeof path, "%s/golden/%s/case.txt", LLN_SHARED_DIR, dir);
    lln_status_t st = lln__case_load(path, ref, &err);
    CHECK_MSG(st == LLN_OK, "%s", err.msg);
    if (st != LLN_OK)
        return 0;
    snprintf(path, sizeof path, "%s/golden/%s/%s", LLN_SHARED_DIR, dir, pt);
    st = lln__pt_load(path, got, &err);
    CHECK_MSG(st == LLN_OK, "%s", err.msg);
    if (st != LLN_OK)
        lln__case_free(ref);
    return st == LLN_OK;
}

static void test_golden_state_dict(const char *dir)
{
    lln_case_t ref, got;
    if (!load_pair(dir, "model_state_dict.pt", &ref, &got))
        return;
    CHECK_EQ_INT(got.nconfig, 0);
    for (size_t i = 0; i < got.ntensors; i++) {
        const lln_case_tensor_t *r = lln__case_tensor(&ref, got.tensors[i].name);
        CHECK_MSG(r != NULL, "%s: '%s' from the .pt is not in case.txt", dir, got.tensors[i].name);
        if (r != NULL)
            CHECK(same_tensor(&got.tensors[i], r, dir));
    }
    /* every state_dict key of case.txt is present, in the same order */
    size_t k = 0;
    for (size_t i = 0; i < ref.ntensors; i++) {
        if (!is_state_dict_key(ref.tensors[i].name))
            continue;
        CHECK_MSG(lln__case_tensor(&got, ref.tensors[i].name) != NULL, "%s: '%s' missing from .pt",
                  dir, ref.tensors[i].name);
        CHECK_MSG(k < got.ntensors && strcmp(got.tensors[k].name, ref.tensors[i].name) == 0,
                  "%s: entry %zu is not '%s' (file order)", dir, k, ref.tensors[i].name);
        k++;
    }
    CHECK_EQ_INT(k, got.ntensors);
    CHECK(k > 0);
    lln__case_free(&ref);
    lln__case_free(&got);
}

static void test_golden_io(const char *dir)
{
    static const char *const names[] = {"input", "h0", "target", "outputs", "h_final", "timespans"};
    lln_case_t ref, got;
    if (!load_pair(dir, "io.pt", &ref, &got))
        return;
    const char *ts = lln__case_get(&ref, "has_timespans");
    size_t want = 0;
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        const lln_case_tensor_t *r = lln__case_tensor(&ref, names[i]);
        const lln_case_tensor_t *g = lln__case_tensor(&got, names[i]);
        if (i == 5 && (ts == NULL || strcmp(ts, "1") != 0)) {
            CHECK_MSG(g == NULL, "%s: io.pt has timespans but case.txt says none", dir);
            continue;
        }
        CHECK_MSG(r != NULL && g != NULL, "%s: '%s' missing (case.txt %p, io.pt %p)", dir, names[i],
                  (const void *)r, (const void *)g);
        if (r != NULL && g != NULL)
            CHECK(same_tensor(g, r, dir));
        want++;
    }
    CHECK_EQ_INT(got.ntensors, want);
    lln__case_free(&ref);
    lln__case_free(&got);
}

/* ---- robustness ------------------------------------------------------------------------ */

static int same_case(const lln_case_t *a, const lln_case_t *b)
{
    if (a->ntensors != b->ntensors || a->nconfig != 0 || b->nconfig != 0)
        return 0;
    for (size_t i = 0; i < a->ntensors; i++)
        if (strcmp(a->tensors[i].name, b->tensors[i].name) != 0 ||
            !same_tensor(&a->tensors[i], &b->tensors[i], "mutated file"))
            return 0;
    return 1;
}

static unsigned char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    unsigned char *b = NULL;
    long n;
    if (f != NULL && fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 &&
        fseek(f, 0, SEEK_SET) == 0 && (b = malloc((size_t)n + 1)) != NULL) {
        *len = fread(b, 1, (size_t)n, f);
    }
    if (f != NULL)
        fclose(f);
    return b;
}

static int write_file(const char *path, const unsigned char *b, size_t n)
{
    FILE *f = fopen(path, "wb");
    if (f == NULL)
        return 0;
    int ok = fwrite(b, 1, n, f) == n;
    return (fclose(f) == 0) && ok;
}

typedef struct mut_stats {
    long runs, errors, harmless;
} mut_stats_t;

/* Loads a mutated image (through a file when tmp is set, else from memory). A failure
 * must be a clean error with a message; a success must give exactly the original. */
static void try_mutant(const unsigned char *b, size_t n, const char *tmp, const lln_case_t *orig,
                       int must_fail, mut_stats_t *ms, const char *what, size_t where)
{
    lln_case_t got;
    lln_error_t err = {LLN_OK, ""};
    lln_status_t st;
    if (tmp != NULL) {
        if (!write_file(tmp, b, n)) {
            CHECK_MSG(0, "cannot write %s", tmp);
            return;
        }
        st = lln__pt_load(tmp, &got, &err);
    } else {
        st = lln__pt_load_mem(b, n, "mutant", 0, &got, &err);
    }
    ms->runs++;
    if (st != LLN_OK) {
        ms->errors++;
        CHECK_MSG(err.msg[0] != '\0' && err.code == st, "%s at %zu: empty message", what, where);
        CHECK_MSG(got.ntensors == 0 && got.tensors == NULL, "%s at %zu: output not cleared", what,
                  where);
        return;
    }
    ms->harmless++;
    CHECK_MSG(!must_fail, "%s at %zu: loaded successfully", what, where);
    CHECK_MSG(same_case(&got, orig), "%s at %zu: loaded but with different content", what, where);
    lln__case_free(&got);
}

static void test_mutations(const unsigned char *img, size_t n, const char *tmp, const char *label)
{
    lln_case_t orig;
    lln_error_t err = {0};
    CHECK_MSG(lln__pt_load_mem(img, n, label, 0, &orig, &err) == LLN_OK, "%s", err.msg);
    unsigned char *m = malloc(n + 1);
    mut_stats_t tr = {0, 0, 0}, fl = {0, 0, 0};
    for (size_t len = 0; len < n; len++) {
        if (len < 200 || n - len <= 2048 || len % 7 == 0) {
            memcpy(m, img, len);
            try_mutant(m, len, tmp, &orig, 1, &tr, "truncation", len);
        }
    }
    static const unsigned char masks[] = {0xFF, 0x01, 0x80, 0x10};
    unsigned rnd = 12345u;
    memcpy(m, img, n);
    for (size_t pos = 0; pos < n; pos++) {
        for (size_t k = 0; k < sizeof masks; k++) {
            /* every byte gets 0xFF; the others on a pseudo-random third of the bytes */
            rnd = rnd * 1103515245u + 12345u;
            if (k > 0 && (rnd >> 16) % 3 != 0)
                continue;
            m[pos] ^= masks[k];
            try_mutant(m, n, tmp, &orig, 0, &fl, "flip", pos);
            m[pos] ^= masks[k];
        }
    }
    printf("%s: %ld truncations (all errors: %s), %ld flips (%ld errors, %ld harmless)\n", label,
           tr.runs, tr.errors == tr.runs ? "yes" : "NO", fl.runs, fl.errors, fl.harmless);
    free(m);
    lln__case_free(&orig);
}

static void test_robustness(void)
{
    char path[1024], tmp[] = "/tmp/lln_ptfile_XXXXXX";
    int fd = mkstemp(tmp);
    CHECK_MSG(fd >= 0, "mkstemp failed");
    if (fd < 0)
        return;
    close(fd);
    size_t n = 0;
    snprintf(path, sizeof path, "%s/golden/ltc_ncp/model_state_dict.pt", LLN_SHARED_DIR);
    unsigned char *img = slurp(path, &n);
    CHECK(img != NULL && n > 0);
    if (img != NULL)
        test_mutations(img, n, tmp, "ltc_ncp/model_state_dict.pt");
    free(img);
    unlink(tmp);

    /* in memory: the deflate + zip64 + protocol 4 variant */
    ckpt_t c;
    memset(&c, 0, sizeof c);
    c.proto4 = 1;
    c.odict = 1;
    c.zip_opts = ZIP_DEFLATE | ZIP_ZIP64;
    c.folder = "m";
    c.tensors = g_tensors;
    c.nt = NT;
    buf_t z = make_ckpt(&c);
    test_mutations(z.p, z.n, NULL, "synthetic proto4/deflate/zip64");
    free(z.p);
}

static void test_api_edges(void)
{
    lln_case_t got;
    lln_error_t err = {0};
    CHECK_EQ_INT(lln__pt_load("/nonexistent/x.pt", &got, &err), LLN_E_IO);
    CHECK(strstr(err.msg, "/nonexistent/x.pt: ") == err.msg);
    CHECK_EQ_INT(lln__pt_load("/tmp", &got, &err), LLN_E_IO);
    CHECK_EQ_INT(lln__pt_load_mem(NULL, 0, NULL, 0, &got, NULL), LLN_E_FORMAT);
    CHECK_EQ_INT(lln__pt_load_mem("PK\x05\x06", 4, "tiny", 0, &got, &err), LLN_E_FORMAT);
    CHECK(got.ntensors == 0 && got.tensors == NULL);
}

/* ---- fuzzer seeds ------------------------------------------------------------------------ */

/* With LLN_PTFILE_CORPUS_DIR set, writes the fuzzer's seed checkpoints there (the variants of
 * test_synthetic_good: pickle protocols 2 and 4, stored and deflated entries, zip64, a zip
 * comment, big-endian storages, SETITEM, dtype globals). tests/corpus/ptfile holds them. */
static void write_seed(const char *dir, const char *name, const ckpt_t *c)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s.pt", dir, name);
    buf_t z = make_ckpt(c);
    FILE *f = fopen(path, "wb");
    CHECK_MSG(f != NULL && fwrite(z.p, 1, z.n, f) == z.n, "cannot write %s", path);
    if (f != NULL)
        CHECK(fclose(f) == 0);
    free(z.p);
}

static void write_corpus(const char *dir)
{
    ckpt_t c;
    memset(&c, 0, sizeof c);
    c.folder = "archive";
    c.tensors = g_tensors;
    c.nt = NT;
    write_seed(dir, "proto2_stored", &c);
    c.proto4 = 1;
    c.odict = 1;
    c.big = 1;
    c.byteorder = 1;
    c.zip_opts = ZIP_DEFLATE | ZIP_ZIP64;
    c.folder = "weird name-1";
    c.comment = "a trailing zip comment";
    write_seed(dir, "proto4_deflate_zip64_big", &c);
    c.proto4 = 0;
    c.big = 0;
    c.use_setitem = 1;
    c.zip_opts = ZIP_ZIP64;
    c.comment = NULL;
    write_seed(dir, "proto2_setitem_zip64", &c);
    static const tdef_t dt[] = {
        {"a", "0", "float32", -1, 0, 2, {3, 4}, {4, 1}, 0},
        {"d", "1", "float64", -1, 0, 1, {3}, {1}, 0},
        {"u8", "7", "UntypedStorage", -1, 0, 1, {2}, {1}, 0},
    };
    memset(&c, 0, sizeof c);
    c.folder = "archive";
    c.tensors = dt;
    c.nt = 3;
    c.proto4 = 1;
    c.byteorder = 1;
    write_seed(dir, "proto4_dtype_globals", &c);
}

int main(void)
{
    fill_raw();
    test_api_edges();
    test_synthetic_good();
    test_synthetic_errors();
    test_pickle_odds();
    test_pickle_errors();
    test_zip_errors();
    if (getenv("LLN_PTFILE_CORPUS_DIR") != NULL)
        write_corpus(getenv("LLN_PTFILE_CORPUS_DIR"));
#ifndef LLN_SHARED_DIR
    if (check_failures_ == 0)
        SKIP("LLN_SHARED_DIR not defined: golden .pt fixtures unavailable");
#else
    char probe[1024];
    snprintf(probe, sizeof probe, "%s/golden/ltc_ncp/model_state_dict.pt", LLN_SHARED_DIR);
    FILE *pf = fopen(probe, "rb");
    if (pf == NULL) {
        if (check_failures_ == 0)
            SKIP("%s missing: golden .pt fixtures unavailable", probe);
    } else {
        fclose(pf);
        static const char *const cases[] = {"ltc_ncp", "cfc_default_bb1_lecun",
                                            "wcfc_autoncp_nogate_ts"};
        for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
            test_golden_state_dict(cases[i]);
            test_golden_io(cases[i]);
        }
        test_robustness();
    }
#endif
    return check_done("test_ptfile");
}
