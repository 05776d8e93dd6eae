/* PyTorch checkpoint reader, part two: a small pickle interpreter over data.pkl of the zip
 * container (pt_zip.c), and the gather of tensors from their storages.
 *
 * Layout of a torch.save() file (observed with torch 1.13, unchanged in 2.x):
 *   <folder>/data.pkl      pickle (protocol 2 by default) of the saved object
 *   <folder>/data/<key>    raw bytes of storage <key> (numel * element size)
 *   <folder>/byteorder     "little" or "big" (newer torch; absent = little)
 *   <folder>/version, ... (ignored)
 *
 * Safety: the interpreter understands only the opcodes and globals torch uses for tensors
 * and caps stack, marks, memo and objects. */
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/alloc.h"
#include "lln/util.h"
#include "pt_zip.h"
#include "ptfile.h"

/* ---- limits ---------------------------------------------------------------------------- */

/* Real state_dicts stay far below these (a 10 000-tensor checkpoint needs ~200 000
 * objects, a stack of ~2 000 since pickle batches SETITEMS by 1000, nesting depth < 10). */
#define PK_MAX_VALUES (1u << 22)
#define PK_MAX_STACK (1u << 17)
#define PK_MAX_MARKS 1024u
#define PK_MAX_MEMO (1u << 22)

/* ---- element types --------------------------------------------------------------------- */

typedef enum pt_dtype {
    DT_F32,
    DT_F64,
    DT_F16,
    DT_BF16,
    DT_I64,
    DT_I32,
    DT_I16,
    DT_I8,
    DT_U8,
    DT_BOOL
} pt_dtype_t;

static const unsigned k_dtype_size[] = {4, 8, 2, 2, 8, 4, 2, 1, 1, 1};

static double bits_to_float(uint32_t bits)
{
    float f;
    memcpy(&f, &bits, sizeof f);
    return f;
}

/* IEEE binary16 -> binary32 bits (exact: every half value is a float). */
static double half_to_double(unsigned h)
{
    uint32_t sign = (uint32_t)(h >> 15) << 31, exp = (h >> 10) & 0x1fu, man = h & 0x3ffu;
    if (exp == 0x1f)
        return bits_to_float(sign | 0x7f800000u | man << 13);
    if (exp == 0 && man == 0)
        return bits_to_float(sign);
    if (exp == 0) { /* subnormal: renormalise so the leading 1 is implicit */
        uint32_t e = 113;
        while (!(man & 0x400u)) {
            man <<= 1;
            e--;
        }
        return bits_to_float(sign | e << 23 | (man & 0x3ffu) << 13);
    }
    return bits_to_float(sign | (exp + 112) << 23 | man << 13);
}

/* Element i of a storage (i < numel has been checked by the caller). */
static double load_elem(const unsigned char *data, uint64_t i, pt_dtype_t dt, int big)
{
    unsigned sz = k_dtype_size[dt];
    uint64_t u = rd_uint(data + i * sz, sz, big);
    double d;
    switch (dt) {
    case DT_F32: return bits_to_float((uint32_t)u);
    case DT_F64: memcpy(&d, &u, sizeof d); return d;
    case DT_F16: return half_to_double((unsigned)u);
    case DT_BF16: return bits_to_float((uint32_t)u << 16);
    case DT_BOOL: return u != 0;
    case DT_U8: return (double)u;
    default: return (double)as_signed(u, sz);
    }
}

/* ---- pickle values --------------------------------------------------------------------- */

typedef uint32_t ref_t;

typedef enum pv_kind {
    V_NONE,
    V_BOOL,
    V_INT,
    V_FLOAT,
    V_STR,
    V_TUPLE,
    V_LIST,
    V_DICT,
    V_GLOBAL,
    V_STORAGE,
    V_TENSOR
} pv_kind_t;

static const char *const k_kind_name[] = {"None", "bool", "int",    "float",   "str",   "tuple",
                                          "list", "dict", "global", "storage", "tensor"};

typedef enum pt_global { G_ODICT, G_TENSOR, G_PARAM, G_PARAM_STATE, G_DTYPE } pt_global_t;

typedef struct pv {
    unsigned char kind;
    union {
        int64_t i;
        double f;
        struct {
            const unsigned char *p;
            size_t n;
        } s; /* into data.pkl */
        struct {
            ref_t *items;
            size_t n, cap;
        } seq; /* dict: key, value pairs */
        struct {
            pt_global_t fn;
            pt_dtype_t dtype;
        } g;
        struct {
            pt_dtype_t dtype;
            pt_entry_t *entry;
            uint64_t numel;
        } st;
        struct {
            ref_t storage, size, stride;
            uint64_t offset, count;
        } t;
    } u;
} pv_t;

typedef struct pk {
    pt_t *p;
    const unsigned char *b; /* data.pkl */
    size_t len, pos, op_off;
    pv_t *vals;
    size_t nvals, capvals;
    ref_t *stack;
    size_t sp, capstack;
    size_t marks[PK_MAX_MARKS];
    size_t nmarks;
    ref_t *memo; /* memo[i] = ref + 1; 0 = empty */
    size_t capmemo, nmemo;
} pk_t;

static lln_status_t pk_fail(const pk_t *k, lln_status_t code, const char *fmt, ...) PT_PRINTF(3, 4);
static lln_status_t pk_fail(const pk_t *k, lln_status_t code, const char *fmt, ...)
{
    char where[120], name[96];
    const pt_entry_t *e = k->p->pkl;
    (void)snprintf(where, sizeof where, "%s",
                   lln__pt_show(name, sizeof name, e->name, e->name_len));
    va_list ap;
    va_start(ap, fmt);
    lln_status_t st = lln__pt_vfail(k->p, code, where, k->op_off, fmt, ap);
    va_end(ap);
    return st;
}
#ifdef __clang_analyzer__
#define pk_fail(k, code, ...) (pk_fail((k), (code), __VA_ARGS__), (code)) /* as pt_fail */
#endif

/* Grows *arr to hold need elements; NULL (and *arr untouched) when out of memory. */
static void *grow(void *arr, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap)
        return arr;
    size_t nc = *cap ? *cap : 16;
    while (nc < need)
        nc *= 2;
    void *na = lln__realloc(arr, nc * elem);
    if (na != NULL)
        *cap = nc;
    return na;
}

static lln_status_t pk_new(pk_t *k, pv_kind_t kind, ref_t *r)
{
    if (k->nvals >= PK_MAX_VALUES)
        return pk_fail(k, LLN_E_RANGE, "more than %u pickle objects", PK_MAX_VALUES);
    pv_t *nv = grow(k->vals, &k->capvals, k->nvals + 1, sizeof *nv);
    if (nv == NULL)
        return lln__pt_nomem(k->p);
    k->vals = nv;
    memset(&nv[k->nvals], 0, sizeof *nv);
    nv[k->nvals].kind = (unsigned char)kind;
    *r = (ref_t)k->nvals++;
    return LLN_OK;
}

static lln_status_t pk_push(pk_t *k, ref_t r)
{
    if (k->sp >= PK_MAX_STACK)
        return pk_fail(k, LLN_E_RANGE, "pickle stack deeper than %u", PK_MAX_STACK);
    ref_t *ns = grow(k->stack, &k->capstack, k->sp + 1, sizeof *ns);
    if (ns == NULL)
        return lln__pt_nomem(k->p);
    k->stack = ns;
    k->stack[k->sp++] = r;
    return LLN_OK;
}

static lln_status_t pk_push_new(pk_t *k, pv_kind_t kind, ref_t *r)
{
    lln_status_t st = pk_new(k, kind, r);
    return st == LLN_OK ? pk_push(k, *r) : st;
}

/* Items above the innermost MARK (pickle's "current frame"). */
static size_t pk_avail(const pk_t *k) { return k->sp - (k->nmarks ? k->marks[k->nmarks - 1] : 0); }

static lln_status_t pk_pop(pk_t *k, ref_t *r)
{
    if (pk_avail(k) < 1)
        return pk_fail(k, LLN_E_FORMAT, "pickle stack underflow");
    /* sp >= pk_avail() >= 1 here, and pk_push allocated the stack before sp became > 0. */
    /* NOLINTNEXTLINE(clang-analyzer-core.NullDereference): sp >= 1, so pk_push allocated it */
    *r = k->stack[--k->sp];
    return LLN_OK;
}

static lln_status_t pk_pop_mark(pk_t *k, size_t *base)
{
    if (k->nmarks == 0)
        return pk_fail(k, LLN_E_FORMAT, "no MARK on the pickle stack");
    *base = k->marks[--k->nmarks];
    return LLN_OK;
}

/* Value below a frame that starts at base (the container SETITEMS/APPENDS fill). */
static lln_status_t pk_below(pk_t *k, size_t base, pv_kind_t want, ref_t *r)
{
    size_t floor = k->nmarks ? k->marks[k->nmarks - 1] : 0;
    if (base <= floor)
        return pk_fail(k, LLN_E_FORMAT, "pickle stack underflow");
    *r = k->stack[base - 1];
    if (k->vals[*r].kind != want)
        return pk_fail(k, LLN_E_UNSUPPORTED, "adding items to a %s (only %s supported)",
                       k_kind_name[k->vals[*r].kind], k_kind_name[want]);
    return LLN_OK;
}

/* Appends n refs to the items of a list/dict/tuple value. */
static lln_status_t pk_add_items(pk_t *k, ref_t target, const ref_t *items, size_t n)
{
    pv_t *v = &k->vals[target];
    if (n == 0) /* grow() would hand back the NULL items of an empty value */
        return LLN_OK;
    ref_t *ni = grow(v->u.seq.items, &v->u.seq.cap, v->u.seq.n + n, sizeof *ni);
    if (ni == NULL)
        return lln__pt_nomem(k->p);
    v->u.seq.items = ni;
    memcpy(ni + v->u.seq.n, items, n * sizeof *ni);
    v->u.seq.n += n;
    return LLN_OK;
}

/* Replaces the stack items from base up with one tuple holding them. */
static lln_status_t pk_tuple_of(pk_t *k, size_t base)
{
    ref_t r = 0;
    lln_status_t st = pk_new(k, V_TUPLE, &r);
    if (st == LLN_OK)
        st = pk_add_items(k, r, k->stack + base, k->sp - base);
    if (st != LLN_OK)
        return st;
    k->sp = base;
    return pk_push(k, r);
}

static lln_status_t pk_take(pk_t *k, size_t n, const unsigned char **a)
{
    if (n > k->len - k->pos)
        return pk_fail(k, LLN_E_FORMAT, "pickle ends inside the argument of opcode 0x%02x",
                       k->b[k->op_off]);
    *a = k->b + k->pos;
    k->pos += n;
    return LLN_OK;
}

/* ---- pickle opcodes: literals ---------------------------------------------------------- */

/* SHORT_BINUNICODE/SHORT_BINSTRING (1-byte length), BINUNICODE (4), BINSTRING (signed 4),
 * BINUNICODE8 (8). Strings are not copied: they point into data.pkl. */
static lln_status_t op_string(pk_t *k, unsigned lenbytes, int is_signed)
{
    const unsigned char *a = NULL;
    lln_status_t st = pk_take(k, lenbytes, &a);
    if (st != LLN_OK)
        return st;
    uint64_t n = rd_uint(a, lenbytes, 0);
    if (is_signed && as_signed(n, lenbytes) < 0)
        return pk_fail(k, LLN_E_FORMAT, "negative string length");
    if (n > k->len - k->pos)
        return pk_fail(k, LLN_E_FORMAT, "string of %llu bytes runs past the end of the pickle",
                       (unsigned long long)n);
    ref_t r = 0;
    if ((st = pk_push_new(k, V_STR, &r)) != LLN_OK)
        return st;
    k->vals[r].u.s.p = k->b + k->pos;
    k->vals[r].u.s.n = (size_t)n;
    k->pos += (size_t)n;
    return LLN_OK;
}

static lln_status_t push_int(pk_t *k, int64_t v)
{
    ref_t r = 0;
    lln_status_t st = pk_push_new(k, V_INT, &r);
    if (st == LLN_OK)
        k->vals[r].u.i = v;
    return st;
}

/* BININT (signed 4 bytes), BININT1 (unsigned 1), BININT2 (unsigned 2). */
static lln_status_t op_binint(pk_t *k, unsigned bytes, int is_signed)
{
    const unsigned char *a = NULL;
    lln_status_t st = pk_take(k, bytes, &a);
    if (st != LLN_OK)
        return st;
    uint64_t u = rd_uint(a, bytes, 0);
    return push_int(k, is_signed ? as_signed(u, bytes) : (int64_t)u);
}

/* LONG1: n-byte little-endian two's complement; we keep what fits in int64. */
static lln_status_t op_long1(pk_t *k)
{
    const unsigned char *a = NULL;
    lln_status_t st = pk_take(k, 1, &a);
    if (st != LLN_OK)
        return st;
    unsigned n = a[0];
    if (n > 8)
        return pk_fail(k, LLN_E_UNSUPPORTED, "LONG1 integer of %u bytes does not fit in 64 bits",
                       n);
    if ((st = pk_take(k, n, &a)) != LLN_OK)
        return st;
    return push_int(k, as_signed(rd_uint(a, n, 0), n));
}

static lln_status_t op_binfloat(pk_t *k)
{
    const unsigned char *a = NULL;
    lln_status_t st = pk_take(k, 8, &a);
    ref_t r = 0;
    if (st == LLN_OK)
        st = pk_push_new(k, V_FLOAT, &r);
    if (st != LLN_OK)
        return st;
    uint64_t u = rd_uint(a, 8, 1); /* pickle floats are big-endian */
    memcpy(&k->vals[r].u.f, &u, sizeof u);
    return LLN_OK;
}

static lln_status_t push_bool(pk_t *k, int v)
{
    ref_t r = 0;
    lln_status_t st = pk_push_new(k, V_BOOL, &r);
    if (st == LLN_OK)
        k->vals[r].u.i = v;
    return st;
}

/* ---- pickle opcodes: stack, memo, containers ------------------------------------------- */

static lln_status_t op_mark(pk_t *k)
{
    if (k->nmarks >= PK_MAX_MARKS)
        return pk_fail(k, LLN_E_RANGE, "pickle MARKs nested deeper than %u", PK_MAX_MARKS);
    k->marks[k->nmarks++] = k->sp;
    return LLN_OK;
}

static lln_status_t op_tuple_n(pk_t *k, size_t n)
{
    if (pk_avail(k) < n)
        return pk_fail(k, LLN_E_FORMAT, "pickle stack underflow");
    return pk_tuple_of(k, k->sp - n);
}

static lln_status_t op_tuple_mark(pk_t *k)
{
    size_t base = 0;
    lln_status_t st = pk_pop_mark(k, &base);
    return st == LLN_OK ? pk_tuple_of(k, base) : st;
}

static lln_status_t memo_put(pk_t *k, uint64_t idx)
{
    if (pk_avail(k) < 1)
        return pk_fail(k, LLN_E_FORMAT, "memo store with an empty pickle stack");
    /* Memo keys are handed out sequentially, so a valid one is below the pickle length. */
    if (idx >= PK_MAX_MEMO || idx >= k->len)
        return pk_fail(k, LLN_E_RANGE, "memo index %llu out of range", (unsigned long long)idx);
    size_t old = k->capmemo;
    ref_t *nm = grow(k->memo, &k->capmemo, (size_t)idx + 1, sizeof *nm);
    if (nm == NULL)
        return lln__pt_nomem(k->p);
    k->memo = nm;
    if (k->capmemo > old)
        memset(nm + old, 0, (k->capmemo - old) * sizeof *nm);
    k->nmemo += nm[idx] == 0;
    nm[idx] = k->stack[k->sp - 1] + 1;
    return LLN_OK;
}

static lln_status_t op_put(pk_t *k, unsigned bytes)
{
    const unsigned char *a = NULL;
    lln_status_t st = pk_take(k, bytes, &a);
    return st == LLN_OK ? memo_put(k, rd_uint(a, bytes, 0)) : st;
}

static lln_status_t op_get(pk_t *k, unsigned bytes)
{
    const unsigned char *a = NULL;
    lln_status_t st = pk_take(k, bytes, &a);
    if (st != LLN_OK)
        return st;
    uint64_t idx = rd_uint(a, bytes, 0);
    if (idx >= k->capmemo || k->memo[idx] == 0)
        return pk_fail(k, LLN_E_FORMAT, "memo slot %llu is empty", (unsigned long long)idx);
    return pk_push(k, k->memo[idx] - 1);
}

static lln_status_t op_setitems(pk_t *k, int single)
{
    size_t base = 0;
    ref_t d = 0;
    lln_status_t st;
    if (single) { /* [... dict key value] */
        if (pk_avail(k) < 3)
            return pk_fail(k, LLN_E_FORMAT, "pickle stack underflow");
        base = k->sp - 2;
        st = LLN_OK;
    } else { /* [... dict MARK k1 v1 k2 v2 ...] */
        st = pk_pop_mark(k, &base);
        if (st == LLN_OK && (k->sp - base) % 2 != 0)
            st = pk_fail(k, LLN_E_FORMAT, "SETITEMS with an odd number of items");
    }
    if (st == LLN_OK)
        st = pk_below(k, base, V_DICT, &d);
    if (st == LLN_OK)
        st = pk_add_items(k, d, k->stack + base, k->sp - base);
    if (st == LLN_OK)
        k->sp = base;
    return st;
}

static lln_status_t op_appends(pk_t *k, int single)
{
    size_t base = 0;
    ref_t l = 0;
    lln_status_t st;
    if (single) {
        if (pk_avail(k) < 2)
            return pk_fail(k, LLN_E_FORMAT, "pickle stack underflow");
        base = k->sp - 1;
        st = pk_below(k, base, V_LIST, &l);
    } else {
        st = pk_pop_mark(k, &base);
        if (st == LLN_OK)
            st = pk_below(k, base, V_LIST, &l);
    }
    if (st == LLN_OK)
        st = pk_add_items(k, l, k->stack + base, k->sp - base);
    if (st == LLN_OK)
        k->sp = base;
    return st;
}

/* ---- pickle opcodes: globals, persistent ids, calls ------------------------------------ */

static const struct {
    const char *module, *name;
    pt_global_t fn;
    pt_dtype_t dtype;
} k_globals[] = {
    {"collections", "OrderedDict", G_ODICT, DT_F32},
    {"torch._utils", "_rebuild_tensor_v2", G_TENSOR, DT_F32},
    {"torch._utils", "_rebuild_parameter", G_PARAM, DT_F32},
    {"torch._utils", "_rebuild_parameter_with_state", G_PARAM_STATE, DT_F32},
    {"torch", "FloatStorage", G_DTYPE, DT_F32},
    {"torch", "DoubleStorage", G_DTYPE, DT_F64},
    {"torch", "HalfStorage", G_DTYPE, DT_F16},
    {"torch", "BFloat16Storage", G_DTYPE, DT_BF16},
    {"torch", "LongStorage", G_DTYPE, DT_I64},
    {"torch", "IntStorage", G_DTYPE, DT_I32},
    {"torch", "ShortStorage", G_DTYPE, DT_I16},
    {"torch", "CharStorage", G_DTYPE, DT_I8},
    {"torch", "ByteStorage", G_DTYPE, DT_U8},
    {"torch", "BoolStorage", G_DTYPE, DT_BOOL},
    /* an untyped storage is bytes; torch.<dtype> may stand in for the storage class */
    {"torch", "UntypedStorage", G_DTYPE, DT_U8},
    {"torch.storage", "UntypedStorage", G_DTYPE, DT_U8},
    {"torch", "float32", G_DTYPE, DT_F32},
    {"torch", "float", G_DTYPE, DT_F32},
    {"torch", "float64", G_DTYPE, DT_F64},
    {"torch", "double", G_DTYPE, DT_F64},
    {"torch", "float16", G_DTYPE, DT_F16},
    {"torch", "half", G_DTYPE, DT_F16},
    {"torch", "bfloat16", G_DTYPE, DT_BF16},
    {"torch", "int64", G_DTYPE, DT_I64},
    {"torch", "long", G_DTYPE, DT_I64},
    {"torch", "int32", G_DTYPE, DT_I32},
    {"torch", "int", G_DTYPE, DT_I32},
    {"torch", "int16", G_DTYPE, DT_I16},
    {"torch", "short", G_DTYPE, DT_I16},
    {"torch", "int8", G_DTYPE, DT_I8},
    {"torch", "uint8", G_DTYPE, DT_U8},
    {"torch", "bool", G_DTYPE, DT_BOOL},
};

static int str_is(const unsigned char *s, size_t n, const char *lit)
{
    return strlen(lit) == n && memcmp(s, lit, n) == 0;
}

static lln_status_t push_global(pk_t *k, const unsigned char *mod, size_t mlen,
                                const unsigned char *name, size_t nlen)
{
    for (size_t i = 0; i < sizeof k_globals / sizeof k_globals[0]; i++) {
        if (str_is(mod, mlen, k_globals[i].module) && str_is(name, nlen, k_globals[i].name)) {
            ref_t r = 0;
            lln_status_t st = pk_push_new(k, V_GLOBAL, &r);
            if (st == LLN_OK) {
                k->vals[r].u.g.fn = k_globals[i].fn;
                k->vals[r].u.g.dtype = k_globals[i].dtype;
            }
            return st;
        }
    }
    char m[72], n[72];
    return pk_fail(k, LLN_E_UNSUPPORTED, "unsupported pickle global '%s.%s'",
                   lln__pt_show(m, sizeof m, mod, mlen), lln__pt_show(n, sizeof n, name, nlen));
}

/* GLOBAL: "module\nname\n" inline. */
static lln_status_t op_global(pk_t *k)
{
    const unsigned char *line[2];
    size_t len[2];
    for (int i = 0; i < 2; i++) {
        const unsigned char *nl = memchr(k->b + k->pos, '\n', k->len - k->pos);
        if (nl == NULL)
            return pk_fail(k, LLN_E_FORMAT, "GLOBAL name not terminated by a newline");
        line[i] = k->b + k->pos;
        len[i] = (size_t)(nl - line[i]);
        k->pos += len[i] + 1;
    }
    return push_global(k, line[0], len[0], line[1], len[1]);
}

static lln_status_t op_stack_global(pk_t *k)
{
    ref_t mod = 0, name = 0;
    lln_status_t st = pk_pop(k, &name);
    if (st == LLN_OK)
        st = pk_pop(k, &mod);
    if (st != LLN_OK)
        return st;
    const pv_t *m = &k->vals[mod], *n = &k->vals[name];
    if (m->kind != V_STR || n->kind != V_STR)
        return pk_fail(k, LLN_E_FORMAT, "STACK_GLOBAL needs two strings");
    return push_global(k, m->u.s.p, m->u.s.n, n->u.s.p, n->u.s.n);
}

/* The persistent id of a storage: ('storage', <type>, '<key>', '<location>', numel). */
static lln_status_t check_pid(pk_t *k, ref_t pid, const pv_t **key, pt_dtype_t *dt, uint64_t *numel)
{
    const pv_t *t = &k->vals[pid];
    if (t->kind != V_TUPLE || t->u.seq.n != 5)
        return pk_fail(k, LLN_E_UNSUPPORTED,
                       "persistent id is not ('storage', type, key, location, numel)");
    const pv_t *it[5];
    for (int i = 0; i < 5; i++)
        it[i] = &k->vals[t->u.seq.items[i]];
    if (it[0]->kind != V_STR || !str_is(it[0]->u.s.p, it[0]->u.s.n, "storage"))
        return pk_fail(k, LLN_E_UNSUPPORTED, "persistent id is not a 'storage' record");
    if (it[1]->kind != V_GLOBAL || it[1]->u.g.fn != G_DTYPE)
        return pk_fail(k, LLN_E_UNSUPPORTED, "storage type is not a torch storage class or dtype");
    if (it[2]->kind != V_STR || it[3]->kind != V_STR || it[4]->kind != V_INT || it[4]->u.i < 0)
        return pk_fail(k, LLN_E_FORMAT, "storage key, location or size has the wrong type");
    *key = it[2];
    *dt = it[1]->u.g.dtype;
    *numel = (uint64_t)it[4]->u.i;
    return LLN_OK;
}

static lln_status_t op_persid(pk_t *k)
{
    ref_t pid = 0, r = 0;
    const pv_t *key = NULL;
    pt_dtype_t dt = DT_F32;
    uint64_t numel = 0;
    int nomem = 0;
    char ks[72];
    lln_status_t st = pk_pop(k, &pid);
    if (st == LLN_OK)
        st = check_pid(k, pid, &key, &dt, &numel);
    if (st != LLN_OK)
        return st;
    pt_entry_t *e = lln__pt_find_in_folder(k->p, "data/", key->u.s.p, key->u.s.n, &nomem);
    if (nomem)
        return lln__pt_nomem(k->p);
    if (e == NULL)
        return pk_fail(k, LLN_E_FORMAT, "storage '%s' has no data entry in the archive",
                       lln__pt_show(ks, sizeof ks, key->u.s.p, key->u.s.n));
    if (numel > UINT64_MAX / k_dtype_size[dt] || numel * k_dtype_size[dt] != e->usize)
        return pk_fail(k, LLN_E_FORMAT,
                       "storage '%s' claims %llu elements of %u bytes but its entry has %llu bytes",
                       lln__pt_show(ks, sizeof ks, key->u.s.p, key->u.s.n),
                       (unsigned long long)numel, k_dtype_size[dt], (unsigned long long)e->usize);
    if ((st = lln__pt_entry_data(k->p, e)) != LLN_OK)
        return st;
    if ((st = pk_push_new(k, V_STORAGE, &r)) != LLN_OK)
        return st;
    k->vals[r].u.st.dtype = dt;
    k->vals[r].u.st.entry = e;
    k->vals[r].u.st.numel = numel;
    return LLN_OK;
}

/* Number of elements of a (size, stride) view and whether all of them fall inside a
 * storage of numel elements: strides are >= 0, so the largest index is
 * offset + sum((size_d - 1) * stride_d), computed without overflow. A view with a zero
 * size has no elements and reads nothing. */
static lln_status_t check_view(pk_t *k, const pv_t *size, const pv_t *stride, uint64_t offset,
                               uint64_t numel, uint64_t *count)
{
    int empty = 0;
    for (size_t d = 0; d < size->u.seq.n; d++) {
        const pv_t *sz = &k->vals[size->u.seq.items[d]], *sd = &k->vals[stride->u.seq.items[d]];
        if (sz->kind != V_INT || sd->kind != V_INT || sz->u.i < 0 || sd->u.i < 0 ||
            (uint64_t)sz->u.i > (uint64_t)LONG_MAX)
            return pk_fail(k, LLN_E_FORMAT, "tensor size/stride %zu is not a valid integer", d);
        empty |= sz->u.i == 0;
    }
    *count = 0;
    if (empty)
        return offset <= numel ? LLN_OK
                               : pk_fail(k, LLN_E_FORMAT, "storage offset beyond the storage");
    uint64_t n = 1, last = offset;
    for (size_t d = 0; d < size->u.seq.n; d++) {
        uint64_t s = (uint64_t)k->vals[size->u.seq.items[d]].u.i;
        uint64_t t = (uint64_t)k->vals[stride->u.seq.items[d]].u.i;
        if (s > numel / n)
            return pk_fail(k, LLN_E_FORMAT, "tensor has more elements than its storage (%llu)",
                           (unsigned long long)numel);
        n *= s;
        if (s > 1 && t > (UINT64_MAX - last) / (s - 1))
            return pk_fail(k, LLN_E_FORMAT, "tensor strides overflow");
        last += (s - 1) * t;
    }
    if (last >= numel)
        return pk_fail(k, LLN_E_FORMAT,
                       "tensor view (offset %llu, last index %llu) exceeds its storage of %llu "
                       "elements",
                       (unsigned long long)offset, (unsigned long long)last,
                       (unsigned long long)numel);
    *count = n;
    return LLN_OK;
}

/* _rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad, hooks
 *                    [, metadata]) */
static lln_status_t rebuild_tensor(pk_t *k, const pv_t *args)
{
    const ref_t *a = args->u.seq.items;
    if (args->u.seq.n != 6 && args->u.seq.n != 7)
        return pk_fail(k, LLN_E_FORMAT, "_rebuild_tensor_v2 takes 6 or 7 arguments, not %zu",
                       args->u.seq.n);
    const pv_t *st_ = &k->vals[a[0]], *off = &k->vals[a[1]], *size = &k->vals[a[2]],
               *stride = &k->vals[a[3]];
    if (st_->kind != V_STORAGE || off->kind != V_INT || off->u.i < 0 || size->kind != V_TUPLE ||
        stride->kind != V_TUPLE || k->vals[a[4]].kind != V_BOOL)
        return pk_fail(k, LLN_E_FORMAT, "_rebuild_tensor_v2 arguments have the wrong types");
    if (size->u.seq.n > LLN_CASE_MAX_DIMS || stride->u.seq.n != size->u.seq.n)
        return pk_fail(k, LLN_E_UNSUPPORTED, "tensor with %zu dims and %zu strides (max %d dims)",
                       size->u.seq.n, stride->u.seq.n, LLN_CASE_MAX_DIMS);
    uint64_t count = 0;
    lln_status_t st = check_view(k, size, stride, (uint64_t)off->u.i, st_->u.st.numel, &count);
    ref_t r, s0 = a[0], s2 = a[2], s3 = a[3];
    uint64_t o = (uint64_t)off->u.i;
    if (st == LLN_OK)
        st = pk_push_new(k, V_TENSOR, &r); /* may move k->vals: no pv_t pointers after this */
    if (st != LLN_OK)
        return st;
    k->vals[r].u.t.storage = s0;
    k->vals[r].u.t.size = s2;
    k->vals[r].u.t.stride = s3;
    k->vals[r].u.t.offset = o;
    k->vals[r].u.t.count = count;
    return LLN_OK;
}

static lln_status_t op_reduce(pk_t *k)
{
    ref_t args = 0, fn = 0, r = 0;
    lln_status_t st = pk_pop(k, &args);
    if (st == LLN_OK)
        st = pk_pop(k, &fn);
    if (st != LLN_OK)
        return st;
    const pv_t *f = &k->vals[fn], *a = &k->vals[args];
    if (f->kind != V_GLOBAL || f->u.g.fn == G_DTYPE)
        return pk_fail(k, LLN_E_UNSUPPORTED, "REDUCE calls a %s that is not a supported function",
                       k_kind_name[f->kind]);
    if (a->kind != V_TUPLE)
        return pk_fail(k, LLN_E_FORMAT, "REDUCE arguments are not a tuple");
    switch (f->u.g.fn) {
    case G_ODICT:
        if (a->u.seq.n != 0)
            return pk_fail(k, LLN_E_UNSUPPORTED, "OrderedDict() with arguments");
        return pk_push_new(k, V_DICT, &r);
    case G_TENSOR: return rebuild_tensor(k, a);
    default: /* _rebuild_parameter(data, requires_grad, hooks[, state]): the data is it */
        if (a->u.seq.n != (f->u.g.fn == G_PARAM ? 3u : 4u) ||
            k->vals[a->u.seq.items[0]].kind != V_TENSOR)
            return pk_fail(k, LLN_E_FORMAT, "_rebuild_parameter arguments have the wrong types");
        return pk_push(k, a->u.seq.items[0]);
    }
}

/* BUILD sets object state; the only object torch gives state is the OrderedDict
 * (its _metadata attribute), which a reader of tensors can ignore. */
static lln_status_t op_build(pk_t *k)
{
    ref_t state = 0;
    lln_status_t st = pk_pop(k, &state);
    if (st != LLN_OK)
        return st;
    if (pk_avail(k) < 1)
        return pk_fail(k, LLN_E_FORMAT, "pickle stack underflow");
    pv_kind_t kind = (pv_kind_t)k->vals[k->stack[k->sp - 1]].kind;
    if (kind != V_DICT)
        return pk_fail(k, LLN_E_UNSUPPORTED, "BUILD on a %s is not supported", k_kind_name[kind]);
    return LLN_OK;
}

/* ---- pickle: dispatch ------------------------------------------------------------------ */

static lln_status_t op_proto(pk_t *k)
{
    const unsigned char *a = NULL;
    lln_status_t st = pk_take(k, 1, &a);
    if (st == LLN_OK && (a[0] < 2 || a[0] > 5))
        return pk_fail(k, LLN_E_VERSION, "pickle protocol %u (supported: 2 to 5)", a[0]);
    return st;
}

/* FRAME only announces how many bytes follow; the opcodes inside are read as usual. */
static lln_status_t op_frame(pk_t *k)
{
    const unsigned char *a = NULL;
    lln_status_t st = pk_take(k, 8, &a);
    if (st == LLN_OK && rd64(a) > k->len - k->pos)
        return pk_fail(k, LLN_E_FORMAT, "FRAME longer than the rest of the pickle");
    return st;
}

static lln_status_t pk_literal(pk_t *k, unsigned op, int *handled)
{
    ref_t r = 0;
    *handled = 1;
    switch (op) {
    case 0x8c: return op_string(k, 1, 0); /* SHORT_BINUNICODE */
    case 'X': return op_string(k, 4, 0);  /* BINUNICODE */
    case 0x8d: return op_string(k, 8, 0); /* BINUNICODE8 */
    case 'U': return op_string(k, 1, 0);  /* SHORT_BINSTRING */
    case 'T': return op_string(k, 4, 1);  /* BINSTRING */
    case 'J': return op_binint(k, 4, 1);  /* BININT */
    case 'K': return op_binint(k, 1, 0);  /* BININT1 */
    case 'M': return op_binint(k, 2, 0);  /* BININT2 */
    case 0x8a: return op_long1(k);        /* LONG1 */
    case 'G': return op_binfloat(k);      /* BINFLOAT */
    case 'N': return pk_push_new(k, V_NONE, &r);
    case 0x88: return push_bool(k, 1);            /* NEWTRUE */
    case 0x89: return push_bool(k, 0);            /* NEWFALSE */
    case '}': return pk_push_new(k, V_DICT, &r);  /* EMPTY_DICT */
    case ']': return pk_push_new(k, V_LIST, &r);  /* EMPTY_LIST */
    case ')': return pk_push_new(k, V_TUPLE, &r); /* EMPTY_TUPLE */
    default: *handled = 0; return LLN_OK;
    }
}

static lln_status_t pk_structural(pk_t *k, unsigned op)
{
    switch (op) {
    case 0x80: return op_proto(k);
    case 0x95: return op_frame(k);
    case '(': return op_mark(k);
    case 't': return op_tuple_mark(k);
    case 0x85: return op_tuple_n(k, 1);
    case 0x86: return op_tuple_n(k, 2);
    case 0x87: return op_tuple_n(k, 3);
    case 'q': return op_put(k, 1);           /* BINPUT */
    case 'r': return op_put(k, 4);           /* LONG_BINPUT */
    case 0x94: return memo_put(k, k->nmemo); /* MEMOIZE */
    case 'h': return op_get(k, 1);           /* BINGET */
    case 'j': return op_get(k, 4);           /* LONG_BINGET */
    case 'c': return op_global(k);
    case 0x93: return op_stack_global(k);
    case 'Q': return op_persid(k); /* BINPERSID */
    case 'R': return op_reduce(k);
    case 'b': return op_build(k);
    case 's': return op_setitems(k, 1);
    case 'u': return op_setitems(k, 0);
    case 'a': return op_appends(k, 1);
    case 'e': return op_appends(k, 0);
    default: {
        char c[8] = "";
        if (op >= 0x20 && op < 0x7f)
            (void)snprintf(c, sizeof c, " '%c'", (int)op);
        return pk_fail(k, LLN_E_UNSUPPORTED, "unsupported pickle opcode 0x%02x%s", op, c);
    }
    }
}

/* Runs data.pkl to STOP; *root is the unpickled object. */
static lln_status_t pk_run(pk_t *k, ref_t *root)
{
    while (k->pos < k->len) {
        k->op_off = k->pos;
        unsigned op = k->b[k->pos++];
        if (op == '.') /* STOP */
            return pk_pop(k, root);
        int handled = 0;
        lln_status_t st = pk_literal(k, op, &handled);
        if (st == LLN_OK && !handled)
            st = pk_structural(k, op);
        if (st != LLN_OK)
            return st;
    }
    k->op_off = k->len;
    return pk_fail(k, LLN_E_FORMAT, "pickle ends without STOP");
}

static void pk_free(pk_t *k)
{
    for (size_t i = 0; i < k->nvals; i++) {
        unsigned kind = k->vals[i].kind;
        if (kind == V_TUPLE || kind == V_LIST || kind == V_DICT)
            lln__free(k->vals[i].u.seq.items);
    }
    lln__free(k->vals);
    lln__free(k->stack);
    lln__free(k->memo);
}

/* ---- output ---------------------------------------------------------------------------- */

/* Copies one tensor view out of its storage, converting to double. */
static lln_status_t gather(pk_t *k, const pv_t *t, lln_case_tensor_t *out)
{
    const pv_t *sv = &k->vals[t->u.t.storage], *size = &k->vals[t->u.t.size],
               *stride = &k->vals[t->u.t.stride];
    uint64_t sz[LLN_CASE_MAX_DIMS], sd[LLN_CASE_MAX_DIMS], idx[LLN_CASE_MAX_DIMS] = {0};
    int nd = (int)size->u.seq.n;
    for (int d = 0; d < nd; d++) {
        sz[d] = (uint64_t)k->vals[size->u.seq.items[d]].u.i;
        sd[d] = (uint64_t)k->vals[stride->u.seq.items[d]].u.i;
        out->dims[d] = (long)sz[d];
    }
    out->ndim = nd;
    out->count = (size_t)t->u.t.count;
    out->data = lln__malloc((out->count ? out->count : 1) * sizeof *out->data);
    if (out->data == NULL)
        return lln__pt_nomem(k->p);
    for (size_t i = 0; i < out->count; i++) {
        uint64_t pos = t->u.t.offset;
        for (int d = 0; d < nd; d++)
            pos += idx[d] * sd[d];
        /* check_view() proved this; re-checked so a bug cannot become an overread */
        if (pos >= sv->u.st.numel)
            return pk_fail(k, LLN_E_FORMAT, "tensor element outside its storage");
        out->data[i] = load_elem(sv->u.st.entry->data, pos, sv->u.st.dtype, k->p->big_endian);
        for (int d = nd - 1; d >= 0 && ++idx[d] == sz[d]; d--)
            idx[d] = 0;
    }
    return LLN_OK;
}

static int tensor_name_cmp(const void *a, const void *b)
{
    return strcmp((*(const lln_case_tensor_t *const *)a)->name,
                  (*(const lln_case_tensor_t *const *)b)->name);
}

static lln_status_t check_unique(pk_t *k, const lln_case_t *out)
{
    const lln_case_tensor_t **v =
        lln__malloc((out->ntensors ? out->ntensors : 1) * sizeof(const lln_case_tensor_t *));
    if (v == NULL)
        return lln__pt_nomem(k->p);
    for (size_t i = 0; i < out->ntensors; i++)
        v[i] = &out->tensors[i];
    qsort(v, out->ntensors, sizeof(const lln_case_tensor_t *), tensor_name_cmp);
    lln_status_t st = LLN_OK;
    for (size_t i = 1; i < out->ntensors && st == LLN_OK; i++)
        if (strcmp(v[i - 1]->name, v[i]->name) == 0)
            st = pk_fail(k, LLN_E_FORMAT, "key '%.80s' appears twice", v[i]->name);
    lln__free(v);
    return st;
}

static lln_status_t emit_entry(pk_t *k, ref_t key, ref_t val, lln_case_tensor_t *t)
{
    const pv_t *kv = &k->vals[key], *tv = &k->vals[val];
    if (kv->kind != V_STR || memchr(kv->u.s.p, '\0', kv->u.s.n) != NULL)
        return pk_fail(k, LLN_E_UNSUPPORTED, "dict key is a %s, not a string without NULs",
                       k_kind_name[kv->kind]);
    if (tv->kind != V_TENSOR) {
        char ks[72];
        return pk_fail(k, LLN_E_UNSUPPORTED, "value of '%s' is a %s, not a tensor",
                       lln__pt_show(ks, sizeof ks, kv->u.s.p, kv->u.s.n), k_kind_name[tv->kind]);
    }
    t->name = lln__malloc(kv->u.s.n + 1);
    if (t->name == NULL)
        return lln__pt_nomem(k->p);
    memcpy(t->name, kv->u.s.p, kv->u.s.n);
    t->name[kv->u.s.n] = '\0';
    return gather(k, tv, t);
}

static lln_status_t emit(pk_t *k, ref_t root, lln_case_t *out)
{
    const pv_t *d = &k->vals[root];
    if (d->kind != V_DICT)
        return pk_fail(k, LLN_E_UNSUPPORTED, "checkpoint holds a %s, not a dict of tensors",
                       k_kind_name[d->kind]);
    size_t n = d->u.seq.n / 2;
    out->tensors = lln__calloc(n ? n : 1, sizeof *out->tensors);
    if (out->tensors == NULL)
        return lln__pt_nomem(k->p);
    for (size_t i = 0; i < n; i++) {
        out->ntensors++; /* counted first so lln__case_free() releases a partial entry */
        lln_status_t st =
            emit_entry(k, d->u.seq.items[2 * i], d->u.seq.items[2 * i + 1], &out->tensors[i]);
        if (st != LLN_OK)
            return st;
    }
    return check_unique(k, out);
}

/* ---- entry points ---------------------------------------------------------------------- */

static lln_status_t load_archive(pt_t *p, lln_case_t *out)
{
    lln_status_t st = lln__pt_read_central(p);
    if (st == LLN_OK)
        st = lln__pt_find_pickle(p);
    if (st == LLN_OK)
        st = lln__pt_read_byteorder(p);
    if (st != LLN_OK)
        return st;
    pk_t k;
    memset(&k, 0, sizeof k);
    k.p = p;
    k.b = p->pkl->data;
    k.len = (size_t)p->pkl->usize;
    ref_t root = 0;
    st = pk_run(&k, &root);
    if (st == LLN_OK)
        st = emit(&k, root, out);
    pk_free(&k);
    return st;
}

lln_status_t lln__pt_load_mem(const void *buf, size_t len, const char *name, unsigned flags,
                              lln_case_t *out, lln_error_t *err)
{
    pt_t p;
    memset(out, 0, sizeof *out);
    memset(&p, 0, sizeof p);
    p.path = name != NULL ? name : "<memory>";
    p.err = err;
    p.flags = flags;
    p.file = buf;
    p.size = len;
    if (buf == NULL && len > 0)
        return lln_error_set(err, LLN_E_ARG, "%s: no buffer", p.path);
    lln_status_t st = load_archive(&p, out);
    lln__pt_close(&p);
    if (st != LLN_OK)
        lln__case_free(out);
    return st;
}

lln_status_t lln__pt_load(const char *path, lln_case_t *out, lln_error_t *err)
{
    unsigned char *buf = NULL;
    size_t len = 0;
    memset(out, 0, sizeof *out);
    if (path == NULL)
        return lln_error_set(err, LLN_E_ARG, "lln__pt_load: no path");
    lln_status_t st = lln_read_file(path, &buf, &len, err);
    if (st != LLN_OK)
        return st;
    st = lln__pt_load_mem(buf, len, path, 0, out, err);
    lln__free(buf);
    return st;
}
