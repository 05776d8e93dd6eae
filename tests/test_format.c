/* Tests of the .lln model file (src/format_*.c, docs/FORMAT.md): round trips that must be
 * bit-exact, and corrupted, truncated and hostile files that must be rejected cleanly (no
 * crash, no leak, no large allocation, a message that says where). Runs under ASan/UBSan
 * and valgrind: every buffer handed to the loader is a heap copy of exactly its length.
 *
 * With LLN_FORMAT_CORPUS_DIR set, also writes the fuzzer's seed files there. */
#include <dirent.h>
#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "io/format_internal.h"
#include "lln/format.h"

/* ---- models ------------------------------------------------------------------------------ */

/* The first NDAMAGE models also go through the truncation and flip tests. */
enum {
    M_LTC,
    M_CFC,
    M_WIRED,
    M_PURE,
    M_TINY,
    NDAMAGE,
    M_WAUTO = NDAMAGE,
    M_WCUSTOM,
    M_LCUSTOM,
    NMODELS
};
static const char *const MODEL_NAMES[NMODELS] = {
    "ltc_autoncp_mixed", "cfc_bb2_proj",       "wired_cfc_ncp",   "cfc_pure",
    "ltc_tiny",          "wired_autoncp_pure", "wired_custom_fc", "ltc_custom"};

/* More wirings: wired CfC on AutoNCP (pure, mixed memory, projection), wired CfC with
 * custom layer sizes, LTC with a custom wiring (structure from the mask tensors). */
static void config_more(int which, lln_config_t *c)
{
    lln_config_default(c, which == M_LCUSTOM ? LLN_CELL_LTC : LLN_CELL_WIRED_CFC);
    c->input_size = 2;
    lln_wiring_spec_default(&c->wiring, which == M_WAUTO ? LLN_WIRING_AUTONCP : LLN_WIRING_CUSTOM);
    if (which == M_WAUTO) {
        c->wiring.units = 8, c->wiring.output_dim = 2;
        c->mode = LLN_CFC_PURE, c->mixed_memory = 1, c->proj_size = 3;
    } else if (which == M_WCUSTOM) {
        c->units = 5, c->num_layers = 2, c->layer_sizes[0] = 3, c->layer_sizes[1] = 2;
    } else {
        c->units = 4, c->output_size = 2;
    }
}

static void config_for(int which, lln_config_t *c)
{
    if (which >= NDAMAGE)
        config_more(which, c);
    else if (which == M_LTC || which == M_TINY) {
        lln_config_default(c, LLN_CELL_LTC);
        c->input_size = which == M_TINY ? 2 : 3;
        c->units = which == M_TINY ? 3 : 7;
        if (which == M_LTC) {
            lln_wiring_spec_default(&c->wiring, LLN_WIRING_AUTONCP);
            c->wiring.units = 7;
            c->wiring.output_dim = 2;
            c->mixed_memory = 1;
        } else {
            c->input_mapping = LLN_MAP_NONE;
            c->output_mapping = LLN_MAP_LINEAR;
            c->positivity = LLN_POS_IDENTITY;
            c->ode_unfolds = 3;
        }
    } else if (which == M_WIRED) {
        lln_config_default(c, LLN_CELL_WIRED_CFC);
        c->input_size = 3;
        lln_wiring_spec_default(&c->wiring, LLN_WIRING_NCP);
        c->wiring.inter = 3, c->wiring.command = 2, c->wiring.motor = 2;
        c->wiring.sensory_fanout = 2, c->wiring.inter_fanout = 2;
        c->wiring.recurrent_command = 2, c->wiring.motor_fanin = 2;
        c->mode = LLN_CFC_NO_GATE;
    } else {
        lln_config_default(c, LLN_CELL_CFC);
        c->input_size = 3;
        c->units = 4;
        c->backbone_units = 5;
        c->backbone_layers = which == M_CFC ? 2 : 0;
        if (which == M_CFC) {
            c->proj_size = 2;
            c->activation = LLN_ACT_SILU;
            c->backbone_dropout = 0.25;
        } else {
            c->mode = LLN_CFC_PURE;
        }
    }
}

/* Parameters like an ncps import (float32 values), except every third tensor, which keeps
 * full float64 values so both storage types are exercised. */
static lln_model_t *make_model(int which)
{
    lln_config_t c;
    lln_model_t *m = NULL;
    lln_error_t err = {LLN_OK, ""};
    config_for(which, &c);
    lln_status_t st = lln_model_create(&c, 1234 + (unsigned)which, &m, &err);
    CHECK_MSG(st == LLN_OK, "%s: %s", MODEL_NAMES[which], err.msg);
    if (m == NULL)
        return NULL;
    double *p = lln_model_params(m);
    for (size_t i = 0; i < lln_model_tensor_count(m); i++) {
        const lln_tensor_info_t *t = lln_model_tensor(m, i);
        for (size_t k = 0; k < t->count && i % 3 != 1; k++)
            p[t->offset + k] = (double)(float)p[t->offset + k];
    }
    CHECK(lln_model_prepare(m, &err) == LLN_OK);
    CHECK(lln_model_set_meta(m, "name", MODEL_NAMES[which]) == LLN_OK);
    CHECK(lln_model_set_meta(m, "note", "caf\xc3\xa9 \xe2\x9c\x93 \xf0\x9f\x8c\x8a") == LLN_OK);
    CHECK(lln_model_set_meta(m, "empty", "") == LLN_OK);
    return m;
}

static unsigned char *save_mem(const lln_model_t *m, size_t *len)
{
    unsigned char *buf = NULL;
    lln_error_t err = {LLN_OK, ""};
    lln_status_t st = lln_model_save_mem(m, &buf, len, &err);
    CHECK_MSG(st == LLN_OK && buf != NULL, "save_mem: %s", err.msg);
    return buf;
}

/* ---- comparisons ------------------------------------------------------------------------- */

typedef struct text {
    char s[8192];
    size_t n;
} text_t;

static void append_kv(const char *k, const char *v, void *ctx)
{
    text_t *t = ctx;
    int w = snprintf(t->s + t->n, sizeof t->s - t->n, "%s=%s\n", k, v);
    if (w > 0 && (size_t)w < sizeof t->s - t->n)
        t->n += (size_t)w;
}

static int same_config(const lln_model_t *a, const lln_model_t *b)
{
    static text_t ta, tb; /* large; not re-entrant, fine for a test */
    ta.n = tb.n = 0;
    ta.s[0] = tb.s[0] = '\0';
    lln_config_foreach(lln_model_config(a), append_kv, &ta);
    lln_config_foreach(lln_model_config(b), append_kv, &tb);
    return ta.n > 0 && strcmp(ta.s, tb.s) == 0;
}

static int same_tensor(const lln_model_t *a, const lln_model_t *b, size_t i)
{
    const lln_tensor_info_t *x = lln_model_tensor(a, i), *y = lln_model_tensor(b, i);
    if (strcmp(x->name, y->name) != 0 || x->ndim != y->ndim || x->dims[0] != y->dims[0] ||
        (x->ndim == 2 && x->dims[1] != y->dims[1]) || x->count != y->count || x->flags != y->flags)
        return 0;
    return memcmp(lln_model_params_const(a) + x->offset, lln_model_params_const(b) + y->offset,
                  x->count * sizeof(double)) == 0; /* bit-exact, -0.0 included */
}

static int same_meta(const lln_model_t *a, const lln_model_t *b)
{
    if (lln_model_meta_count(a) != lln_model_meta_count(b))
        return 0;
    for (size_t i = 0; i < lln_model_meta_count(a); i++) {
        const char *ka, *va, *kb, *vb;
        if (lln_model_meta_at(a, i, &ka, &va) != LLN_OK ||
            lln_model_meta_at(b, i, &kb, &vb) != LLN_OK || strcmp(ka, kb) != 0 ||
            strcmp(va, vb) != 0)
            return 0;
    }
    return 1;
}

static void check_same_model(const lln_model_t *a, const lln_model_t *b, const char *what)
{
    CHECK_MSG(same_config(a, b), "%s: configurations differ", what);
    CHECK_MSG(lln_model_tensor_count(a) == lln_model_tensor_count(b), "%s: tensor counts", what);
    for (size_t i = 0; i < lln_model_tensor_count(a) && i < lln_model_tensor_count(b); i++)
        CHECK_MSG(same_tensor(a, b, i), "%s: tensor %zu ('%s') differs", what, i,
                  lln_model_tensor(a, i)->name);
    CHECK_MSG(same_meta(a, b), "%s: metadata differs", what);
}

/* ---- loading copies of exactly the given length ------------------------------------------ */

typedef struct outcome {
    lln_status_t st;
    size_t largest_alloc;
    char msg[512];
} outcome_t;

static outcome_t load_copy(const unsigned char *buf, size_t len, lln_model_t **keep)
{
    outcome_t o;
    lln_error_t err = {LLN_OK, ""};
    lln_model_t *m = (lln_model_t *)&o; /* must be reset to NULL by the loader */
    unsigned char *copy = malloc(len > 0 ? len : 1);
    if (len > 0)
        memcpy(copy, buf, len);
    o.st = lln__format_load_mem_ex(copy, len, "t.lln", &m, &err, &o.largest_alloc);
    snprintf(o.msg, sizeof o.msg, "%s", err.msg);
    free(copy);
    CHECK_MSG((o.st == LLN_OK) == (m != NULL), "status %d but model %p", (int)o.st, (void *)m);
    if (o.st != LLN_OK)
        CHECK_MSG(err.code == o.st && strncmp(err.msg, "t.lln: ", 7) == 0 && strlen(err.msg) > 9,
                  "status %d, message '%s'", (int)o.st, err.msg);
    if (keep != NULL)
        *keep = m;
    else
        lln_model_free(m);
    return o;
}

/* ---- the file's structure, as a test sees it --------------------------------------------- */

typedef struct part {
    char tag[5];
    uint32_t flags;
    const unsigned char *p;
    size_t n;
} part_t;

/* Finds section tag; returns its table entry's offset in the file (0 if absent). */
static size_t find_entry(const unsigned char *b, const char *tag, size_t *off, size_t *len)
{
    size_t hsize = lln_fmt_rd32(b + 12), count = lln_fmt_rd32(b + 20), esize = lln_fmt_rd32(b + 32);
    for (size_t i = 0; i < count; i++) {
        size_t e = hsize + i * esize;
        if (memcmp(b + e, tag, 4) == 0) {
            *off = (size_t)lln_fmt_rd64(b + e + 8);
            *len = (size_t)lln_fmt_rd64(b + e + 16);
            return e;
        }
    }
    return 0;
}

static int split_parts(const unsigned char *b, part_t parts[4])
{
    static const char *const tags[4] = {"CONF", "TENS", "DATA", "META"};
    for (int i = 0; i < 4; i++) {
        size_t off = 0, len = 0, e = find_entry(b, tags[i], &off, &len);
        if (e == 0)
            return 0;
        memcpy(parts[i].tag, tags[i], 5);
        parts[i].flags = lln_fmt_rd32(b + e + 4);
        parts[i].p = b + off;
        parts[i].n = len;
    }
    return 1;
}

/* Builds a sealed file from parts: a test-side writer for files the library never writes
 * (other header sizes, extra or missing sections). hsize/esize >= 40/32. */
static unsigned char *assemble(const part_t *parts, int n, unsigned minor, size_t hsize,
                               size_t esize, size_t *len)
{
    size_t pos = hsize + (size_t)n * esize, off[16];
    for (int i = 0; i < n; i++) {
        pos += lln_fmt_pad8(pos);
        off[i] = pos;
        pos += parts[i].n;
    }
    pos += lln_fmt_pad8(pos) + LLN_FMT_TRAILER_SIZE;
    unsigned char *b = calloc(1, pos);
    memcpy(b, LLN_FMT_MAGIC, 8);
    lln_fmt_wr16(b + 8, 1);
    lln_fmt_wr16(b + 10, (uint16_t)minor);
    lln_fmt_wr32(b + 12, (uint32_t)hsize);
    lln_fmt_wr32(b + 20, (uint32_t)n);
    lln_fmt_wr64(b + 24, pos);
    lln_fmt_wr32(b + 32, (uint32_t)esize);
    for (int i = 0; i < n; i++) {
        unsigned char *e = b + hsize + (size_t)i * esize;
        memcpy(e, parts[i].tag, 4);
        lln_fmt_wr32(e + 4, parts[i].flags);
        lln_fmt_wr64(e + 8, off[i]);
        lln_fmt_wr64(e + 16, parts[i].n);
        if (parts[i].n > 0)
            memcpy(b + off[i], parts[i].p, parts[i].n);
    }
    memcpy(b + pos - 8, LLN_FMT_END, 4);
    lln__format_reseal(b, pos);
    *len = pos;
    return b;
}

/* Offset of TENS entry i within the file. */
static size_t tens_entry(const unsigned char *b, size_t i)
{
    size_t off = 0, len = 0, pos;
    find_entry(b, "TENS", &off, &len);
    pos = off + LLN_FMT_TENS_HEAD;
    while (i-- > 0) {
        size_t size = LLN_FMT_TENS_FIXED + 4u * b[pos + 17] + lln_fmt_rd16(b + pos + 18);
        pos += size + lln_fmt_pad8(size);
    }
    return pos;
}

/* ---- round trips ------------------------------------------------------------------------- */

static void test_round_trip(int which)
{
    lln_model_t *m = make_model(which), *back = NULL;
    size_t len = 0, len2 = 0;
    unsigned char *buf = m ? save_mem(m, &len) : NULL;
    if (buf == NULL)
        goto done;
    CHECK_MSG(len % 8 == 0, "%s: file size %zu not a multiple of 8", MODEL_NAMES[which], len);
    outcome_t o = load_copy(buf, len, &back);
    CHECK_MSG(o.st == LLN_OK, "%s: %s", MODEL_NAMES[which], o.msg);
    if (back != NULL) {
        check_same_model(m, back, MODEL_NAMES[which]);
        unsigned char *again = save_mem(back, &len2);
        CHECK_MSG(again && len2 == len && memcmp(again, buf, len) == 0,
                  "%s: saving the loaded model gives other bytes", MODEL_NAMES[which]);
        free(again);
    }
    CHECK_MSG(o.largest_alloc <= 2 * len, "%s: loader allocated %zu bytes for a %zu-byte file",
              MODEL_NAMES[which], o.largest_alloc, len);
done:
    lln_model_free(back);
    lln_model_free(m);
    free(buf);
}

/* Values that need float64, and float32 edge values, survive bit for bit, and the writer
 * picks the storage type per tensor. */
static void test_value_types(void)
{
    lln_model_t *m = make_model(M_TINY), *back = NULL;
    if (m == NULL)
        return;
    const lln_tensor_info_t *a = lln_model_find(m, "rnn_cell.vleak");
    const lln_tensor_info_t *b = lln_model_find(m, "rnn_cell.gleak");
    double va[3] = {0.1, 1e-300, 3.0000000000000004};
    /* exact in float32; 2^99 is near the 1e30 bound on parameters */
    double vb[3] = {-0.0, ldexp(1.0, 99), ldexp(1.0, -149)};
    CHECK(a && b && a->count == 3 && b->count == 3);
    CHECK(lln_model_set(m, "rnn_cell.vleak", va, 3, NULL) == LLN_OK);
    CHECK(lln_model_set(m, "rnn_cell.gleak", vb, 3, NULL) == LLN_OK);
    size_t len = 0;
    unsigned char *buf = save_mem(m, &len);
    for (size_t i = 0; buf != NULL && i < lln_model_tensor_count(m); i++) {
        const char *name = lln_model_tensor(m, i)->name;
        size_t e = tens_entry(buf, i);
        int want = strcmp(name, "rnn_cell.vleak") == 0 ? LLN_FMT_F64 : -1;
        want = strcmp(name, "rnn_cell.gleak") == 0 ? LLN_FMT_F32 : want;
        if (want >= 0)
            CHECK_MSG(buf[e + 16] == want, "%s stored as dtype %d", name, buf[e + 16]);
    }
    outcome_t o = buf ? load_copy(buf, len, &back) : (outcome_t){LLN_E_ARG, 0, ""};
    CHECK_MSG(o.st == LLN_OK, "%s", o.msg);
    if (back != NULL)
        check_same_model(m, back, "value types");
    lln_model_free(back);
    lln_model_free(m);
    free(buf);
}

/* ---- damaged files ----------------------------------------------------------------------- */

static void test_truncation(const unsigned char *buf, size_t len, const char *what)
{
    for (size_t n = 0; n < len; n++) {
        outcome_t o = load_copy(buf, n, NULL);
        CHECK_MSG(o.st == LLN_E_FORMAT, "%s: truncated to %zu of %zu bytes: status %d (%s)", what,
                  n, len, (int)o.st, o.msg);
    }
}

/* Every byte flipped (xor 0xFF, and one bit) at every position: the checksums must catch
 * all of it. Then the same with the checksums recomputed, which exercises every field
 * check: no crash or leak, and in the header and tensor table every flip rejected.
 * data_stride > 1 samples the DATA section in resealed runs: a flipped value there loads
 * (or fails lln_model_set) the same way at every position, and each load that succeeds
 * builds a whole model, which under valgrind is what costs time. */
static void test_flips(const unsigned char *buf, size_t len, const char *what, int reseal,
                       size_t data_stride)
{
    unsigned char *b = malloc(len);
    size_t tens_off = 0, tens_len = 0, data_off = 0, data_len = 0, accepted = 0, tried = 0;
    find_entry(buf, "TENS", &tens_off, &tens_len);
    find_entry(buf, "DATA", &data_off, &data_len);
    for (size_t pos = 0; pos < len; pos++) {
        if (reseal && pos >= data_off && pos < data_off + data_len &&
            (pos - data_off) % data_stride != 0)
            continue;
        tried += 2;
        for (int kind = 0; kind < 2; kind++) {
            memcpy(b, buf, len);
            b[pos] ^= kind == 0 ? 0xFF : (unsigned char)(1u << (pos % 8));
            if (reseal)
                lln__format_reseal(b, len);
            outcome_t o = load_copy(b, len, NULL);
            accepted += o.st == LLN_OK;
            int must_fail = !reseal || (pos < LLN_FMT_HEADER_SIZE && pos != 10 && pos != 11) ||
                            (pos >= tens_off && pos < tens_off + tens_len);
            CHECK_MSG(o.st != LLN_OK || !must_fail, "%s: flip %s at byte %zu of %zu accepted", what,
                      kind ? "bit" : "0xFF", pos, len);
            CHECK_MSG(o.largest_alloc <= 4 * len + 4096, "%s: flip at %zu: %zu-byte allocation",
                      what, pos, o.largest_alloc);
        }
    }
    if (reseal)
        printf("  %s: %zu of %zu resealed flips load (data values, metadata text, minor "
               "version, ...)\n",
               what, accepted, tried);
    free(b);
}

static void test_damage(int which, size_t data_stride)
{
    lln_model_t *m = make_model(which);
    size_t len = 0;
    unsigned char *buf = m ? save_mem(m, &len) : NULL;
    if (buf != NULL) {
        test_truncation(buf, len, MODEL_NAMES[which]);
        test_flips(buf, len, MODEL_NAMES[which], 0, 1);
        test_flips(buf, len, MODEL_NAMES[which], 1, data_stride);
    }
    lln_model_free(m);
    free(buf);
}

/* ---- hostile sizes (checksums recomputed, so only the field checks stand in the way) ----- */

typedef void (*mutate_fn)(unsigned char *b);

static void expect_reject(const unsigned char *buf, size_t len, mutate_fn f, lln_status_t want,
                          const char *needle, const char *what)
{
    unsigned char *b = malloc(len);
    memcpy(b, buf, len);
    f(b);
    lln__format_reseal(b, len);
    outcome_t o = load_copy(b, len, NULL);
    CHECK_MSG(o.st == want, "%s: status %d, want %d (%s)", what, (int)o.st, (int)want, o.msg);
    CHECK_MSG(strstr(o.msg, needle) != NULL, "%s: message '%s' lacks '%s'", what, o.msg, needle);
    CHECK_MSG(o.largest_alloc <= 4 * len + 4096, "%s: %zu-byte allocation", what, o.largest_alloc);
    free(b);
}

static size_t sec_field(unsigned char *b, const char *tag, size_t field)
{
    size_t off = 0, len = 0;
    return find_entry(b, tag, &off, &len) + field;
}
static size_t sec_data(unsigned char *b, const char *tag)
{
    size_t off = 0, len = 0;
    find_entry(b, tag, &off, &len);
    return off;
}

/* Mutators: each plants one hostile value in a copy of the tiny LTC model's file. TENS
 * entry 3 is rnn_cell.sigma (3x3, f32), entry 11 rnn_cell.sparsity_mask. */
static void m_sections(unsigned char *b) { lln_fmt_wr32(b + 20, 0xFFFFFFFFu); }
static void m_hsize(unsigned char *b) { lln_fmt_wr32(b + 12, 0xFFFFFFF8u); }
static void m_tcount(unsigned char *b) { lln_fmt_wr32(b + sec_data(b, "TENS"), 0xFFFFFFFFu); }
static void m_dims(unsigned char *b)
{
    size_t e = tens_entry(b, 3);
    lln_fmt_wr32(b + e + 24, 0xFFFFFFFFu);
    lln_fmt_wr32(b + e + 28, 0xFFFFFFFFu);
    lln_fmt_wr64(b + e + 8, 0xFFFFFFFE00000001ull); /* the product: dims and count agree */
}
static void m_count(unsigned char *b)
{
    size_t e = tens_entry(b, 3);
    lln_fmt_wr32(b + e + 24, 0xFFFFFFFFu);
    lln_fmt_wr32(b + e + 28, 1);
    lln_fmt_wr64(b + e + 8, 0xFFFFFFFFull);
}
static void m_toff(unsigned char *b) { lln_fmt_wr64(b + tens_entry(b, 3), ~7ull); }
static void m_toff2(unsigned char *b) { lln_fmt_wr64(b + tens_entry(b, 3), 1200); }
static void m_toff3(unsigned char *b) { lln_fmt_wr64(b + tens_entry(b, 3), 4); }
static void m_namelen(unsigned char *b) { lln_fmt_wr16(b + tens_entry(b, 0) + 18, 0xFFFF); }
static void m_ndim(unsigned char *b) { b[tens_entry(b, 0) + 17] = 200; }
static void m_secoff(unsigned char *b) { lln_fmt_wr64(b + sec_field(b, "DATA", 8), ~7ull); }
static void m_seclen(unsigned char *b) { lln_fmt_wr64(b + sec_field(b, "DATA", 16), ~0ull); }
static void m_secdup(unsigned char *b) { memcpy(b + sec_field(b, "TENS", 0), "CONF", 4); }
static void m_mcount(unsigned char *b) { lln_fmt_wr32(b + sec_data(b, "META"), 0xFFFFFFFFu); }
static void m_mkey(unsigned char *b) { lln_fmt_wr32(b + sec_data(b, "META") + 8, 0xFFFFFFFFu); }
static void m_mval(unsigned char *b) { lln_fmt_wr32(b + sec_data(b, "META") + 12, 0xFFFFFFFFu); }
static void m_major(unsigned char *b) { lln_fmt_wr16(b + 8, 2); }
static void m_flags(unsigned char *b) { lln_fmt_wr32(b + 16, 4); }
static void m_unknown(unsigned char *b)
{
    size_t e = sec_field(b, "META", 0);
    memcpy(b + e, "XTRA", 4);
    lln_fmt_wr32(b + e + 4, 0); /* required */
}
static void m_mask(unsigned char *b)
{
    size_t e = tens_entry(b, 11); /* first mask element := 0.5f */
    lln_fmt_wr32(b + sec_data(b, "DATA") + lln_fmt_rd64(b + e), 0x3F000000u);
}
/* name bytes start at 24 + 4 * ndim; "rnn_cell." is 9 bytes */
static void m_name(unsigned char *b) { b[tens_entry(b, 0) + 24 + 4 + 9] = 'X'; }
static void m_rename_dup(unsigned char *b) { b[tens_entry(b, 1) + 24 + 4 + 9] = 'g'; }

static void test_hostile(void)
{
    static const struct {
        mutate_fn f;
        lln_status_t st;
        const char *needle, *what;
    } cases[] = {
        {m_sections, LLN_E_FORMAT, "4294967295 sections", "section count"},
        {m_hsize, LLN_E_FORMAT, "4294967288-byte header", "header size"},
        {m_tcount, LLN_E_FORMAT, "4294967295 entries cannot fit", "tensor count"},
        {m_dims, LLN_E_FORMAT, "'rnn_cell.sigma'): data range", "huge dims"},
        {m_count, LLN_E_FORMAT, "exceeds DATA section (size", "huge count"},
        {m_toff, LLN_E_FORMAT, "data range 18446744073709551608+", "tensor offset"},
        {m_toff2, LLN_E_FORMAT,
         "entry 3 ('rnn_cell.sigma'): data range 1200+36 exceeds DATA "
         "section (size",
         "tensor offset past DATA"},
        {m_toff3, LLN_E_FORMAT,
         "entry 3 ('rnn_cell.sigma'): data offset 4 is not a multiple "
         "of 8",
         "misaligned tensor"},
        {m_namelen, LLN_E_FORMAT, "name length 65535", "name length"},
        {m_ndim, LLN_E_FORMAT, "ndim 200", "ndim"},
        {m_secoff, LLN_E_FORMAT, "range 18446744073709551608+", "section offset"},
        {m_seclen, LLN_E_FORMAT, "+18446744073709551615", "section length"},
        {m_secdup, LLN_E_FORMAT, "a second 'CONF' section", "duplicate section"},
        {m_mcount, LLN_E_FORMAT, "section META: 4294967295 entries", "metadata count"},
        {m_mkey, LLN_E_FORMAT, "key of 4294967295 bytes", "metadata key length"},
        {m_mval, LLN_E_FORMAT, "value of 4294967295 bytes", "metadata value length"},
        {m_major, LLN_E_VERSION, "format version 2.0", "major version"},
        {m_flags, LLN_E_UNSUPPORTED, "header flags", "header flags"},
        {m_unknown, LLN_E_UNSUPPORTED, "unknown required section 'XTRA'", "unknown section"},
        {m_mask, LLN_E_RANGE,
         "'rnn_cell.sparsity_mask'): tensor 'rnn_cell.sparsity_mask': "
         "element 0 = 0.5",
         "mask value"},
        {m_name, LLN_E_FORMAT, "the configuration has no tensor", "unknown tensor"},
        {m_rename_dup, LLN_E_FORMAT, "both name 'rnn_cell.gleak'", "duplicate tensor"},
    };
    lln_model_t *m = make_model(M_TINY);
    size_t len = 0;
    unsigned char *buf = m ? save_mem(m, &len) : NULL;
    for (size_t i = 0; buf != NULL && i < sizeof cases / sizeof cases[0]; i++)
        expect_reject(buf, len, cases[i].f, cases[i].st, cases[i].needle, cases[i].what);
    lln_model_free(m);
    free(buf);
}

/* ---- structure variants built by the test's own writer ----------------------------------- */

static void expect_parts(const part_t *p, int n, unsigned minor, size_t hsize, size_t esize,
                         lln_status_t want, const char *needle, const char *what)
{
    size_t len = 0;
    unsigned char *b = assemble(p, n, minor, hsize, esize, &len);
    outcome_t o = load_copy(b, len, NULL);
    CHECK_MSG(o.st == want, "%s: status %d, want %d (%s)", what, (int)o.st, (int)want, o.msg);
    CHECK_MSG(needle == NULL || strstr(o.msg, needle) != NULL, "%s: message '%s' lacks '%s'", what,
              o.msg, needle);
    CHECK_MSG(o.largest_alloc <= 4 * len + 4096, "%s: %zu-byte allocation", what, o.largest_alloc);
    free(b);
}

static void test_conf_text(const part_t *p);
static void test_meta_section(const part_t *p);
static void test_missing_tensor(const unsigned char *buf, const part_t *p, size_t ntens);
static void test_section_crc(const unsigned char *buf, size_t len);

static void test_structure(void)
{
    lln_model_t *m = make_model(M_CFC);
    size_t len = 0;
    unsigned char *buf = m ? save_mem(m, &len) : NULL;
    part_t p[6];
    if (buf == NULL || !split_parts(buf, p)) {
        CHECK(0);
        goto done;
    }
    expect_parts(p, 4, 0, 40, 32, LLN_OK, NULL, "rebuilt file");
    expect_parts(p, 4, 7, 56, 48, LLN_OK, NULL, "newer minor: larger header and entries");
    expect_parts(p, 3, 0, 40, 32, LLN_OK, NULL, "no META");
    p[4] = (part_t){"XTRA", LLN_FMT_SEC_OPTIONAL, (const unsigned char *)"future", 6};
    expect_parts(p, 5, 1, 40, 32, LLN_OK, NULL, "unknown optional section");
    p[4].flags = 0;
    expect_parts(p, 5, 1, 40, 32, LLN_E_UNSUPPORTED, "unknown required section 'XTRA'",
                 "unknown required section");
    p[4] = p[2];
    expect_parts(p + 1, 3, 0, 40, 32, LLN_E_FORMAT, "missing required section CONF", "no CONF");
    expect_parts(p, 5, 0, 40, 32, LLN_E_FORMAT, "a second 'DATA' section", "two DATA");
    /* A small file whose configuration would need gigabytes: refused before the model. */
    static const char *const huge[] = {
        "cell=cfc\ninput_size=65536\nunits=65536\nbackbone_units=65536\nbackbone_layers=16\n",
        "cell=ltc\ninput_size=4\nunits=60000\nwiring=fc\nwiring.units=60000\n",
        "cell=ltc\ninput_size=4\nunits=60000\nwiring=custom\noutput_size=1\n",
        "cell=wired_cfc\ninput_size=4\nunits=60000\nwiring=autoncp\nwiring.units=60000\n"
        "wiring.output_dim=10\n",
        "cell=wired_cfc\ninput_size=4\nunits=60000\nwiring=custom\nlayer_sizes=30000,30000\n",
        "cell=wired_cfc\ninput_size=4\nunits=60000\nwiring=ncp\nwiring.inter=20000\n"
        "wiring.command=20000\nwiring.motor=20000\nwiring.sensory_fanout=1\n"
        "wiring.inter_fanout=1\nwiring.recurrent_command=1\nwiring.motor_fanin=1\n",
        "cell=cfc\ninput_size=4\nunits=4\nbackbone_layers=0\nmixed_memory=1\nproj_size=65536\n"};
    part_t h[4] = {p[0], p[1], p[2], p[3]};
    for (size_t i = 0; i < sizeof huge / sizeof huge[0]; i++) {
        h[0].p = (const unsigned char *)huge[i];
        h[0].n = strlen(huge[i]);
        expect_parts(h, 4, 0, 40, 32, LLN_E_FORMAT, "parameter values but section TENS declares",
                     huge[i]);
    }
    static const char bad[] = "cell=cfc\nunits=4\nunits=5\n";
    h[0].p = (const unsigned char *)bad;
    h[0].n = sizeof bad - 1;
    expect_parts(h, 4, 0, 40, 32, LLN_E_FORMAT, "line 3: key 'units' repeats line 2",
                 "repeated key");
    static const char unknown[] = "cell=cfc\nfrobnicate=4\n";
    h[0].p = (const unsigned char *)unknown;
    h[0].n = sizeof unknown - 1;
    expect_parts(h, 4, 0, 40, 32, LLN_E_CONFIG, "line 2: config: unknown key 'frobnicate'",
                 "unknown key");
    test_conf_text(p);
    test_meta_section(p);
    test_missing_tensor(buf, p, lln_model_tensor_count(m));
    test_section_crc(buf, len);
done:
    lln_model_free(m);
    free(buf);
}

/* CONF texts that must be refused before any key reaches the configuration. */
static void test_conf_text(const part_t *p)
{
    static char many[257 * 8 + 1], longv[400];
    static const struct {
        const char *text, *needle;
    } cases[] = {
        {"cell=cfc\nunits=4", "newline-terminated"},
        {"cell=cfc\nbad key=1\n", "line 2: key must be 1..63 characters without spaces"},
        {"cell=cfc\nunits\n", "line 2: no '='"},
        {"cell=cfc\r\n", "line 1: byte 9 is 0x0d"},
        {"", "section CONF: 0 bytes"},
        {many, "more than 256 lines"},
        {longv, "('units'): value of 300 bytes"},
    };
    for (int i = 0; i < 257; i++)
        snprintf(many + 8 * (size_t)i, 9, "k%05d=\n", i);
    snprintf(longv, sizeof longv, "units=%0300d\n", 4);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        part_t h[4] = {p[0], p[1], p[2], p[3]};
        h[0].p = (const unsigned char *)cases[i].text;
        h[0].n = strlen(cases[i].text);
        expect_parts(h, 4, 0, 40, 32, LLN_E_FORMAT, cases[i].needle, cases[i].text);
    }
}

/* A META section from (key, value) pairs; extra > 0 appends that many stray bytes. */
static size_t make_meta(unsigned char *out, const char *const *kv, int n, size_t extra)
{
    size_t pos = 8;
    memset(out, 0, 1024);
    lln_fmt_wr32(out, (uint32_t)n);
    for (size_t i = 0; i < (size_t)n; i++) {
        size_t kl = strlen(kv[2 * i]), vl = strlen(kv[2 * i + 1]);
        lln_fmt_wr32(out + pos, (uint32_t)kl);
        lln_fmt_wr32(out + pos + 4, (uint32_t)vl);
        memcpy(out + pos + 8, kv[2 * i], kl);
        memcpy(out + pos + 8 + kl, kv[2 * i + 1], vl);
        pos += 8 + kl + vl;
        pos += lln_fmt_pad8(pos);
    }
    return pos + extra;
}

static void test_meta_section(const part_t *p)
{
    static const char *const dup[] = {"a", "1", "b", "2", "a", "3"};
    static const char *const overlong[] = {"k", "\xc0\x80"};
    static const char *const surrogate[] = {"\xed\xa0\x80", "v"};
    static const char *const nul_free[] = {"k", "v"};
    unsigned char meta[1024];
    part_t h[4] = {p[0], p[1], p[2], p[3]};
    h[3].p = meta;
    h[3].n = make_meta(meta, dup, 3, 0);
    expect_parts(h, 4, 0, 40, 32, LLN_E_FORMAT, "entries 0 and 2 have the same key", "dup key");
    h[3].n = make_meta(meta, overlong, 1, 0);
    expect_parts(h, 4, 0, 40, 32, LLN_E_FORMAT, "entry 0: key or value is not valid UTF-8",
                 "overlong");
    h[3].n = make_meta(meta, surrogate, 1, 0);
    expect_parts(h, 4, 0, 40, 32, LLN_E_FORMAT, "not valid UTF-8", "surrogate");
    h[3].n = make_meta(meta, nul_free, 1, 8);
    expect_parts(h, 4, 0, 40, 32, LLN_E_FORMAT, "8 bytes after the last entry", "stray bytes");
    h[3].n = make_meta(meta, nul_free, 1, 0);
    meta[18] = 1; /* padding after "kv" */ /* cppcheck-suppress unreadVariable ; h reads it */
    expect_parts(h, 4, 0, 40, 32, LLN_E_FORMAT, "entry 0: nonzero padding", "meta padding");
}

/* The last tensor left out of TENS (and its values out of DATA). */
static void test_missing_tensor(const unsigned char *buf, const part_t *p, size_t ntens)
{
    size_t last = tens_entry(buf, ntens - 1);
    unsigned char *tens = malloc(p[1].n);
    memcpy(tens, p[1].p, p[1].n);
    lln_fmt_wr32(tens, (uint32_t)(ntens - 1));
    part_t h[4] = {p[0], p[1], p[2], p[3]};
    h[1].p = tens;
    h[1].n = last - (size_t)(p[1].p - buf);
    h[2].n = (size_t)lln_fmt_rd64(buf + last);
    expect_parts(h, 4, 0, 40, 32, LLN_E_FORMAT,
                 "needs 186 parameter values but section TENS declares 184", "missing tensor");
    free(tens);
}

/* A damaged section under a correct whole-file CRC: the section's own CRC names it. */
static void test_section_crc(const unsigned char *buf, size_t len)
{
    unsigned char *b = malloc(len);
    size_t off = 0, n = 0;
    memcpy(b, buf, len);
    find_entry(b, "TENS", &off, &n);
    b[off + 12] ^= 1;
    lln_fmt_wr32(b + len - 4, lln__fmt_crc32(b, len - 4));
    outcome_t o = load_copy(b, len, NULL);
    CHECK_MSG(o.st == LLN_E_CHECKSUM && strstr(o.msg, "section 1 ('TENS') checksum mismatch"), "%s",
              o.msg);
    free(b);
}

/* ---- files ------------------------------------------------------------------------------- */

static int dir_has_temp(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    int found = 0;
    while (d != NULL && (e = readdir(d)) != NULL)
        found |= strstr(e->d_name, ".tmp.") != NULL;
    if (d != NULL)
        closedir(d);
    return found;
}

/* A leftover "<path>.tmp.<pid>" (a crashed process that had our pid) is neither used nor
 * removed: the save goes through another temporary name. */
static void test_stale_temp(const lln_model_t *m, const char *path)
{
    char stale[300];
    lln_error_t err = {LLN_OK, ""};
    lln_model_t *back = NULL;
    snprintf(stale, sizeof stale, "%s.tmp.%ld", path, (long)getpid());
    FILE *f = fopen(stale, "wb");
    CHECK(f != NULL && fputs("stale", f) >= 0 && fclose(f) == 0);
    CHECK_MSG(lln_model_save(m, path, &err) == LLN_OK, "%s", err.msg);
    CHECK(lln_model_load(path, &back, &err) == LLN_OK);
    if (back != NULL)
        check_same_model(m, back, "saved past a stale temporary file");
    lln_model_free(back);
    struct stat sb;
    CHECK(stat(stale, &sb) == 0 && sb.st_size == 5);
    CHECK(unlink(stale) == 0);
}

static void test_files(void)
{
    char dir[] = "/tmp/lln_test_format_XXXXXX", path[256], sub[256], bad[256];
    lln_model_t *a = make_model(M_TINY), *b = make_model(M_PURE), *back = NULL;
    lln_error_t err = {LLN_OK, ""};
    struct stat s1, s2;
    if (mkdtemp(dir) == NULL || a == NULL || b == NULL) {
        CHECK(0);
        goto done;
    }
    snprintf(path, sizeof path, "%s/model.lln", dir);
    snprintf(sub, sizeof sub, "%s/sub", dir);
    snprintf(bad, sizeof bad, "%s/missing/model.lln", dir);
    CHECK_MSG(lln_model_save(a, path, &err) == LLN_OK, "%s", err.msg);
    CHECK(stat(path, &s1) == 0);
    /* overwrite: a new file (inode) is renamed over the old one */
    CHECK_MSG(lln_model_save(b, path, &err) == LLN_OK, "%s", err.msg);
#ifndef _WIN32 /* Windows' stat has no inode numbers (st_ino is 0) */
    CHECK(stat(path, &s2) == 0 && s1.st_ino != s2.st_ino);
#else
    CHECK(stat(path, &s2) == 0);
#endif
    CHECK_MSG(lln_model_load(path, &back, &err) == LLN_OK, "%s", err.msg);
    if (back != NULL)
        check_same_model(b, back, "overwritten file");
    lln_model_free(back);
    back = NULL;
    CHECK(!dir_has_temp(dir));
    test_stale_temp(a, path);
    /* a directory that does not exist */
    CHECK(lln_model_save(a, bad, &err) == LLN_E_IO && strstr(err.msg, "missing/model.lln"));
    /* failure after the temporary file was written: target is a directory */
    CHECK(mkdir(sub, 0755) == 0);
    CHECK(lln_model_save(a, sub, &err) == LLN_E_IO && strstr(err.msg, "rename"));
    CHECK_MSG(!dir_has_temp(dir), "temporary file left behind (%s)", err.msg);
    CHECK(lln_model_load(bad, &back, &err) == LLN_E_IO && back == NULL);
#ifndef _WIN32
    CHECK(lln_model_load(sub, &back, &err) == LLN_E_IO && strstr(err.msg, "regular"));
#else /* Windows refuses to open a folder as a file */
    CHECK(lln_model_load(sub, &back, &err) == LLN_E_IO && strstr(err.msg, "cannot open"));
#endif
    rmdir(sub);
    unlink(path);
    rmdir(dir);
done:
    lln_model_free(back);
    lln_model_free(a);
    lln_model_free(b);
}

/* Saving refuses what loading would refuse. */
static void test_save_checks(void)
{
    lln_model_t *m = make_model(M_TINY);
    unsigned char *buf = NULL;
    size_t len = 1;
    if (m == NULL)
        return;
    CHECK(lln_model_set_meta(m, "bad", "\xff\xfe") == LLN_OK);
    CHECK(lln_model_save_mem(m, &buf, &len, NULL) == LLN_E_ARG && buf == NULL && len == 0);
    CHECK(lln_model_set_meta(m, "bad", "ok") == LLN_OK);
    lln_model_params(m)[0] = NAN;
    lln_error_t err = {LLN_OK, ""};
    CHECK(lln_model_save_mem(m, &buf, &len, &err) == LLN_E_RANGE && strstr(err.msg, "finite"));
    CHECK(lln_model_save_mem(NULL, &buf, &len, NULL) == LLN_E_ARG);
    lln_model_free(m);
}

/* ---- fuzzer seeds ------------------------------------------------------------------------ */

static void write_corpus(const char *dir)
{
    for (int w = 0; w < NMODELS; w++) {
        char path[512];
        lln_model_t *m = make_model(w);
        lln_error_t err = {LLN_OK, ""};
        snprintf(path, sizeof path, "%s/%s.lln", dir, MODEL_NAMES[w]);
        CHECK_MSG(m && lln_model_save(m, path, &err) == LLN_OK, "%s", err.msg);
        lln_model_free(m);
    }
}

int main(void)
{
    clock_t t0 = clock();
    for (int w = 0; w < NMODELS; w++)
        test_round_trip(w);
    test_value_types();
    test_hostile();
    test_structure();
    test_files();
    test_save_checks();
    for (int w = 0; w < NDAMAGE; w++)
        test_damage(w, w == M_TINY ? 1 : 13); /* 13: odd, so it visits every byte lane */
    if (getenv("LLN_FORMAT_CORPUS_DIR") != NULL)
        write_corpus(getenv("LLN_FORMAT_CORPUS_DIR"));
    printf("  %.1f s CPU\n", (double)(clock() - t0) / CLOCKS_PER_SEC);
    return check_done("test_format");
}
