/* PyTorch checkpoint reader: zip container, a small pickle interpreter, tensor gather.
 *
 * Layout of a torch.save() file (observed with torch 1.13, unchanged in 2.x):
 *   <folder>/data.pkl      pickle (protocol 2 by default) of the saved object
 *   <folder>/data/<key>    raw bytes of storage <key> (numel * element size)
 *   <folder>/byteorder     "little" or "big" (newer torch; absent = little)
 *   <folder>/version, ... (ignored)
 * torch writes zip64 end records and data descriptors (flag bit 3) even for tiny files,
 * so sizes and CRCs come from the central directory, never from local headers.
 *
 * Safety: the whole file is in memory and every offset/length is checked against it
 * before use; allocations are bounded by sizes already proven to fit in the file (or by
 * deflate's maximum ratio); the interpreter caps stack, marks, memo and objects. */
#define ZLIB_CONST /* zlib's next_in becomes const: no casting away const on our buffer */
#include "lln/util.h"
#include "ptfile.h"
#include "common/alloc.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#if defined(__GNUC__)
/* Flawfinder: ignore (format attribute, not a call) */
#define PT_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define PT_PRINTF(a, b)
#endif

/* ---- limits ---------------------------------------------------------------------------- */

/* Real state_dicts stay far below these (a 10 000-tensor checkpoint needs ~200 000
 * objects, a stack of ~2 000 since pickle batches SETITEMS by 1000, nesting depth < 10). */
#define PK_MAX_VALUES (1u << 22)
#define PK_MAX_STACK (1u << 17)
#define PK_MAX_MARKS 1024u
#define PK_MAX_MEMO (1u << 22)
/* deflate cannot expand more than ~1032:1; anything claiming more is corrupt. */
#define ZIP_MAX_RATIO 1032u
#define ZIP_CENTRAL_SIZE 46u
#define ZIP_LOCAL_SIZE 30u
#define ZIP_EOCD_SIZE 22u
#define ZIP_Z64_LOC_SIZE 20u
#define ZIP_Z64_EOCD_SIZE 56u
#define SIG_LOCAL 0x04034b50u
#define SIG_CENTRAL 0x02014b50u
#define SIG_EOCD 0x06054b50u
#define SIG_Z64_EOCD 0x06064b50u
#define SIG_Z64_LOC 0x07064b50u

/* ---- little helpers ------------------------------------------------------------------- */

static unsigned rd16(const unsigned char *b) { return (unsigned)b[0] | (unsigned)b[1] << 8; }

static uint32_t rd32(const unsigned char *b)
{
    return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

static uint64_t rd64(const unsigned char *b)
{
    return (uint64_t)rd32(b) | (uint64_t)rd32(b + 4) << 32;
}

/* Reads n <= 8 bytes as an unsigned integer, little- or big-endian. */
static uint64_t rd_uint(const unsigned char *b, unsigned n, int big)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < n; i++)
        v |= (uint64_t)b[big ? n - 1 - i : i] << (8 * i);
    return v;
}

static int64_t as_signed(uint64_t u, unsigned bytes)
{
    if (bytes < 8 && bytes > 0 && (u >> (8 * bytes - 1)) & 1u)
        u |= ~(uint64_t)0 << (8 * bytes);
    int64_t v;
    memcpy(&v, &u, sizeof v);
    return v;
}

/* Printable excerpt of untrusted bytes for messages: non-ASCII becomes '?', long text
 * is cut with "...". */
static const char *show(char *dst, size_t cap, const unsigned char *s, size_t n)
{
    size_t j = 0;
    for (size_t i = 0; i < n && j + 4 < cap; i++)
        dst[j++] = (char)((s[i] >= 0x20 && s[i] < 0x7f) ? s[i] : '?');
    if (j < n) { /* cut short */
        memcpy(dst + j, "...", 3);
        j += 3;
    }
    dst[j] = '\0';
    return dst;
}

/* ---- context and errors ---------------------------------------------------------------- */

typedef struct pt_entry {
    const unsigned char *name; /* into the file buffer, not NUL-terminated */
    size_t name_len;
    uint64_t csize, usize, lho; /* compressed / uncompressed size, local header offset */
    uint32_t crc;
    unsigned method, flags;
    size_t cd_off;             /* offset of its central directory record (for messages) */
    const unsigned char *data; /* set once checked (and inflated) */
    unsigned char *owned;      /* inflated copy, freed at the end */
    int ready;
} pt_entry_t;

typedef struct pt {
    const char *path;
    lln_error_t *err;
    unsigned flags;
    const unsigned char *file;
    size_t size;
    pt_entry_t *ent; /* central directory order */
    size_t nent;
    pt_entry_t **byname; /* sorted by name for lookups */
    uint64_t cd_off;     /* entry data must end before the central directory */
    const unsigned char *folder;
    size_t folder_len;
    pt_entry_t *pkl;
    int big_endian;
    char *scratch; /* for building entry names */
    size_t scratch_cap;
} pt_t;

static lln_status_t pt_vfail(const pt_t *p, lln_status_t code, const char *where, uint64_t off,
                             const char *fmt, va_list ap)
{
    char what[360];
    /* Flawfinder: ignore (fmt: a format-checked argument) */
    (void)vsnprintf(what, sizeof what, fmt, ap);
    return lln_error_set(p->err, code, "%s: %s (%s, offset %llu)", p->path, what, where,
                         (unsigned long long)off);
}

static lln_status_t pt_fail(const pt_t *p, lln_status_t code, const char *where, uint64_t off,
                            const char *fmt, ...) PT_PRINTF(5, 6);
static lln_status_t pt_fail(const pt_t *p, lln_status_t code, const char *where, uint64_t off,
                            const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    lln_status_t st = pt_vfail(p, code, where, off, fmt, ap);
    va_end(ap);
    return st;
}

/* Failure about one zip entry: "where" is the entry's (sanitised) name. */
static lln_status_t ent_fail(const pt_t *p, const pt_entry_t *e, lln_status_t code, uint64_t off,
                             const char *fmt, ...) PT_PRINTF(5, 6);
static lln_status_t ent_fail(const pt_t *p, const pt_entry_t *e, lln_status_t code, uint64_t off,
                             const char *fmt, ...)
{
    char where[120], name[96];
    (void)snprintf(where, sizeof where, "entry '%s'",
                   show(name, sizeof name, e->name, e->name_len));
    va_list ap;
    va_start(ap, fmt);
    lln_status_t st = pt_vfail(p, code, where, off, fmt, ap);
    va_end(ap);
    return st;
}

static lln_status_t pt_nomem(const pt_t *p)
{
    (void)lln_error_set(p->err, LLN_E_NOMEM, "%s: out of memory", p->path);
    return LLN_E_NOMEM; /* as lln_error_set, but visible to the static analyzer */
}

#ifdef __clang_analyzer__
/* Hints for clang-tidy's static analyzer, which does not follow calls to variadic functions
 * and so would assume a failure may return LLN_OK: the result is the code argument. */
#define pt_fail(p, code, ...) (pt_fail((p), (code), __VA_ARGS__), (code))
#define ent_fail(p, e, code, ...) (ent_fail((p), (e), (code), __VA_ARGS__), (code))
#endif

/* ---- zip: end records ------------------------------------------------------------------ */

typedef struct zip_end {
    uint64_t nent, cd_size, cd_off;
    uint64_t limit; /* the central directory must end at or before this offset */
} zip_end_t;

/* The end record is the last 22 bytes unless a comment follows it; accept a signature only
 * where its comment length reaches exactly to the end of the file, so that "PK\5\6"
 * inside a comment or inside entry data cannot be mistaken for it. */
static lln_status_t find_eocd(const pt_t *p, size_t *eocd)
{
    if (p->size < ZIP_EOCD_SIZE)
        return pt_fail(p, LLN_E_FORMAT, "zip end record", 0,
                       "file of %zu bytes is too small to be a zip archive", p->size);
    size_t last = p->size - ZIP_EOCD_SIZE;
    size_t lo = last > 0xFFFFu ? last - 0xFFFFu : 0;
    for (size_t o = last + 1; o-- > lo;) {
        if (rd32(p->file + o) == SIG_EOCD &&
            o + ZIP_EOCD_SIZE + rd16(p->file + o + 20) == p->size) {
            *eocd = o;
            return LLN_OK;
        }
    }
    return pt_fail(p, LLN_E_FORMAT, "zip end record", last,
                   "no zip end-of-central-directory record (not a zip archive, or truncated)");
}

static lln_status_t read_zip64_end(const pt_t *p, size_t loc, zip_end_t *ze)
{
    const unsigned char *l = p->file + loc;
    uint64_t rec = rd64(l + 8);
    if (rd32(l + 4) != 0 || rd32(l + 16) > 1)
        return pt_fail(p, LLN_E_UNSUPPORTED, "zip64 locator", loc,
                       "multi-disk zip archives are not supported");
    if (rec > loc || loc - rec < ZIP_Z64_EOCD_SIZE || rd32(p->file + rec) != SIG_Z64_EOCD)
        return pt_fail(p, LLN_E_FORMAT, "zip64 locator", loc,
                       "zip64 end record expected at offset %llu", (unsigned long long)rec);
    const unsigned char *r = p->file + rec;
    if (rd32(r + 16) != 0 || rd32(r + 20) != 0 || rd64(r + 24) != rd64(r + 32))
        return pt_fail(p, LLN_E_UNSUPPORTED, "zip64 end record", rec,
                       "multi-disk zip archives are not supported");
    ze->nent = rd64(r + 32);
    ze->cd_size = rd64(r + 40);
    ze->cd_off = rd64(r + 48);
    ze->limit = rec;
    return LLN_OK;
}

static lln_status_t read_end(const pt_t *p, size_t eocd, zip_end_t *ze)
{
    const unsigned char *e = p->file + eocd;
    /* torch always writes a zip64 locator; when present it is authoritative. */
    if (eocd >= ZIP_Z64_LOC_SIZE && rd32(e - ZIP_Z64_LOC_SIZE) == SIG_Z64_LOC)
        return read_zip64_end(p, eocd - ZIP_Z64_LOC_SIZE, ze);
    if (rd16(e + 4) != 0 || rd16(e + 6) != 0 || rd16(e + 8) != rd16(e + 10))
        return pt_fail(p, LLN_E_UNSUPPORTED, "zip end record", eocd,
                       "multi-disk zip archives are not supported");
    ze->nent = rd16(e + 10);
    ze->cd_size = rd32(e + 12);
    ze->cd_off = rd32(e + 16);
    ze->limit = eocd;
    if (ze->nent == 0xFFFFu || ze->cd_size == 0xFFFFFFFFu || ze->cd_off == 0xFFFFFFFFu)
        return pt_fail(p, LLN_E_FORMAT, "zip end record", eocd,
                       "zip64 placeholder values without a zip64 locator");
    return LLN_OK;
}

/* ---- zip: central directory ------------------------------------------------------------ */

/* Fills the fields a zip64 "extra" record (id 1) replaces: each one is present only if
 * the 32-bit field holds 0xFFFFFFFF, in the order usize, csize, local header offset. */
static lln_status_t zip64_extra(const pt_t *p, pt_entry_t *e, const unsigned char *x, size_t n)
{
    while (n >= 4) {
        unsigned id = rd16(x), len = rd16(x + 2);
        if (len > n - 4)
            break;
        if (id == 1) {
            uint64_t *fields[3] = {&e->usize, &e->csize, &e->lho};
            const unsigned char *f = x + 4;
            for (int i = 0; i < 3; i++) {
                if (*fields[i] != 0xFFFFFFFFu)
                    continue;
                if ((size_t)(f - x - 4) + 8 > len)
                    return ent_fail(p, e, LLN_E_FORMAT, e->cd_off, "zip64 extra field too short");
                *fields[i] = rd64(f);
                f += 8;
            }
            return LLN_OK;
        }
        x += 4 + len;
        n -= 4 + len;
    }
    return ent_fail(p, e, LLN_E_FORMAT, e->cd_off, "zip64 sizes without a valid zip64 extra field");
}

static lln_status_t read_central_entry(const pt_t *p, pt_entry_t *e, uint64_t *pos, uint64_t end,
                                       size_t i)
{
    const unsigned char *c = p->file + *pos;
    if (end - *pos < ZIP_CENTRAL_SIZE || rd32(c) != SIG_CENTRAL)
        return pt_fail(p, LLN_E_FORMAT, "zip central directory", *pos,
                       "record %zu of the central directory is missing or damaged", i);
    size_t nlen = rd16(c + 28), xlen = rd16(c + 30), clen = rd16(c + 32);
    if (ZIP_CENTRAL_SIZE + nlen + xlen + clen > end - *pos)
        return pt_fail(p, LLN_E_FORMAT, "zip central directory", *pos,
                       "record %zu runs past the end of the central directory", i);
    e->flags = rd16(c + 8);
    e->method = rd16(c + 10);
    e->crc = rd32(c + 16);
    e->csize = rd32(c + 20);
    e->usize = rd32(c + 24);
    e->lho = rd32(c + 42);
    e->name = c + ZIP_CENTRAL_SIZE;
    e->name_len = nlen;
    e->cd_off = (size_t)*pos;
    if (nlen == 0)
        return pt_fail(p, LLN_E_FORMAT, "zip central directory", *pos, "entry %zu has no name", i);
    if (e->csize == 0xFFFFFFFFu || e->usize == 0xFFFFFFFFu || e->lho == 0xFFFFFFFFu) {
        lln_status_t st = zip64_extra(p, e, e->name + nlen, xlen);
        if (st != LLN_OK)
            return st;
    }
    *pos += ZIP_CENTRAL_SIZE + nlen + xlen + clen;
    return LLN_OK;
}

static int name_cmp(const unsigned char *a, size_t an, const unsigned char *b, size_t bn)
{
    int c = memcmp(a, b, an < bn ? an : bn);
    return c != 0 ? c : (an > bn) - (an < bn);
}

static int entry_ptr_cmp(const void *a, const void *b)
{
    const pt_entry_t *x = *(const pt_entry_t *const *)a, *y = *(const pt_entry_t *const *)b;
    return name_cmp(x->name, x->name_len, y->name, y->name_len);
}

/* Sorted index for O(log n) storage lookups; two entries with one name would make the
 * archive ambiguous (a reader could pick either), so that is an error. */
static lln_status_t index_entries(pt_t *p)
{
    p->byname = lln__malloc(p->nent * sizeof(pt_entry_t *));
    if (p->byname == NULL)
        return pt_nomem(p);
    for (size_t i = 0; i < p->nent; i++)
        p->byname[i] = &p->ent[i];
    qsort(p->byname, p->nent, sizeof(pt_entry_t *), entry_ptr_cmp);
    for (size_t i = 1; i < p->nent; i++)
        if (entry_ptr_cmp(&p->byname[i - 1], &p->byname[i]) == 0)
            return ent_fail(p, p->byname[i], LLN_E_FORMAT, p->byname[i]->cd_off,
                            "two zip entries have this name");
    return LLN_OK;
}

static lln_status_t read_central(pt_t *p)
{
    size_t eocd = 0;
    zip_end_t ze = {0, 0, 0, 0};
    lln_status_t st = find_eocd(p, &eocd);
    if (st == LLN_OK)
        st = read_end(p, eocd, &ze);
    if (st != LLN_OK)
        return st;
    if (ze.cd_off > ze.limit || ze.cd_size > ze.limit - ze.cd_off)
        return pt_fail(p, LLN_E_FORMAT, "zip end record", eocd,
                       "central directory (%llu bytes at %llu) lies outside the file",
                       (unsigned long long)ze.cd_size, (unsigned long long)ze.cd_off);
    if (ze.nent == 0 || ze.nent > ze.cd_size / ZIP_CENTRAL_SIZE)
        return pt_fail(p, LLN_E_FORMAT, "zip end record", eocd,
                       "%llu entries cannot fit in a %llu-byte central directory",
                       (unsigned long long)ze.nent, (unsigned long long)ze.cd_size);
    p->cd_off = ze.cd_off;
    p->ent = lln__calloc((size_t)ze.nent, sizeof *p->ent);
    if (p->ent == NULL)
        return pt_nomem(p); /* nent stays 0: the cleanup must not walk a missing table */
    p->nent = (size_t)ze.nent;
    uint64_t pos = ze.cd_off, end = ze.cd_off + ze.cd_size;
    for (size_t i = 0; i < p->nent && st == LLN_OK; i++)
        st = read_central_entry(p, &p->ent[i], &pos, end, i);
    return st == LLN_OK ? index_entries(p) : st;
}

static pt_entry_t *find_entry(const pt_t *p, const unsigned char *name, size_t n)
{
    size_t lo = 0, hi = p->nent;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = name_cmp(p->byname[mid]->name, p->byname[mid]->name_len, name, n);
        if (c == 0)
            return p->byname[mid];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

/* ---- zip: entry data ------------------------------------------------------------------- */

/* Raw inflate of exactly outlen bytes; zlib counts in 32-bit uInt, so feed in chunks. */
static int inflate_exact(const unsigned char *in, uint64_t inlen, unsigned char *out,
                         uint64_t outlen)
{
    const uint64_t chunk = 1u << 30;
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    if (inflateInit2(&zs, -15) != Z_OK)
        return 0;
    zs.next_in = in;
    zs.next_out = out;
    int ok = 0;
    for (;;) {
        if (zs.avail_in == 0 && inlen > 0) {
            zs.avail_in = (uInt)(inlen < chunk ? inlen : chunk);
            inlen -= zs.avail_in;
        }
        if (zs.avail_out == 0 && outlen > 0) {
            zs.avail_out = (uInt)(outlen < chunk ? outlen : chunk);
            outlen -= zs.avail_out;
        }
        int rc = inflate(&zs, Z_NO_FLUSH);
        if (rc == Z_STREAM_END) {
            ok = zs.avail_out == 0 && outlen == 0;
            break;
        }
        /* Z_BUF_ERROR with nothing left to give means truncated input or more output
         * than the directory declared. */
        if ((rc != Z_OK && rc != Z_BUF_ERROR) ||
            (rc == Z_BUF_ERROR &&
             ((zs.avail_in == 0 && inlen == 0) || (zs.avail_out == 0 && outlen == 0))))
            break;
    }
    inflateEnd(&zs);
    return ok;
}

static uint32_t crc_of(const unsigned char *b, uint64_t n)
{
    uLong crc = crc32(0L, Z_NULL, 0);
    while (n > 0) {
        uInt k = (uInt)(n < (1u << 30) ? n : (1u << 30));
        crc = crc32(crc, b, k);
        b += k;
        n -= k;
    }
    return (uint32_t)crc;
}

/* Checks the local header against the central record and returns where the data starts. */
static lln_status_t local_header(const pt_t *p, const pt_entry_t *e, uint64_t *data_off)
{
    if (e->lho > p->cd_off || p->cd_off - e->lho < ZIP_LOCAL_SIZE)
        return ent_fail(p, e, LLN_E_FORMAT, e->cd_off, "local header offset %llu out of range",
                        (unsigned long long)e->lho);
    const unsigned char *l = p->file + e->lho;
    uint64_t nlen = rd16(l + 26), xlen = rd16(l + 28);
    if (rd32(l) != SIG_LOCAL)
        return ent_fail(p, e, LLN_E_FORMAT, e->lho, "bad local header signature");
    if (nlen != e->name_len || ZIP_LOCAL_SIZE + nlen > p->cd_off - e->lho ||
        memcmp(l + ZIP_LOCAL_SIZE, e->name, e->name_len) != 0)
        return ent_fail(p, e, LLN_E_FORMAT, e->lho,
                        "local header names a different entry than the central directory");
    if (rd16(l + 8) != e->method)
        return ent_fail(p, e, LLN_E_FORMAT, e->lho,
                        "local header and central directory disagree on the method");
    *data_off = e->lho + ZIP_LOCAL_SIZE + nlen + xlen;
    if (*data_off > p->cd_off || e->csize > p->cd_off - *data_off)
        return ent_fail(p, e, LLN_E_FORMAT, e->lho,
                        "%llu bytes of entry data run into the central directory",
                        (unsigned long long)e->csize);
    return LLN_OK;
}

static lln_status_t inflate_entry(const pt_t *p, pt_entry_t *e, uint64_t off)
{
    if (e->usize > e->csize * ZIP_MAX_RATIO + 1024u || e->usize > (uint64_t)SIZE_MAX - 1)
        return ent_fail(p, e, LLN_E_FORMAT, off,
                        "declared size %llu impossible for %llu compressed bytes",
                        (unsigned long long)e->usize, (unsigned long long)e->csize);
    e->owned = lln__malloc((size_t)e->usize + 1);
    if (e->owned == NULL)
        return pt_nomem(p);
    if (!inflate_exact(p->file + off, e->csize, e->owned, e->usize))
        return ent_fail(p, e, LLN_E_FORMAT, off,
                        "deflate data is corrupt or does not inflate to %llu bytes",
                        (unsigned long long)e->usize);
    e->data = e->owned;
    return LLN_OK;
}

/* Makes e->data point at the entry's verified, uncompressed bytes (cached). */
static lln_status_t entry_data(const pt_t *p, pt_entry_t *e)
{
    if (e->ready)
        return LLN_OK;
    if (e->flags & 0x41u) /* bit 0: encrypted, bit 6: strong encryption */
        return ent_fail(p, e, LLN_E_UNSUPPORTED, e->cd_off,
                        "encrypted zip entries are not supported");
    uint64_t off = 0;
    lln_status_t st = local_header(p, e, &off);
    if (st != LLN_OK)
        return st;
    if (e->method == 0) {
        if (e->csize != e->usize)
            return ent_fail(p, e, LLN_E_FORMAT, e->cd_off,
                            "stored entry has different compressed and uncompressed sizes");
        e->data = p->file + off;
    } else if (e->method == 8) {
        if ((st = inflate_entry(p, e, off)) != LLN_OK)
            return st;
    } else {
        return ent_fail(p, e, LLN_E_UNSUPPORTED, e->cd_off,
                        "zip compression method %u (only 0 = stored and 8 = deflate)", e->method);
    }
    if (!(p->flags & LLN_PT_NO_CRC) && crc_of(e->data, e->usize) != e->crc)
        return ent_fail(p, e, LLN_E_CHECKSUM, off, "CRC-32 mismatch: the entry is damaged");
    e->ready = 1;
    return LLN_OK;
}

/* Builds "<folder>/<mid><tail>" in p->scratch and looks it up. */
static pt_entry_t *find_in_folder(pt_t *p, const char *mid, const unsigned char *tail,
                                  size_t tail_len, int *nomem)
{
    size_t mlen = strlen(mid), n = p->folder_len + 1 + mlen + tail_len;
    *nomem = 0;
    if (n > p->scratch_cap) {
        char *s = lln__realloc(p->scratch, n);
        if (s == NULL) {
            *nomem = 1;
            return NULL;
        }
        p->scratch = s;
        p->scratch_cap = n;
    }
    /* The first call allocates scratch (n >= 1 > scratch_cap = 0); find_pickle set folder. */
    /* NOLINTNEXTLINE(clang-analyzer-core.NonNullParamChecker): scratch, folder both set */
    memcpy(p->scratch, p->folder, p->folder_len);
    p->scratch[p->folder_len] = '/';
    memcpy(p->scratch + p->folder_len + 1, mid, mlen);
    if (tail_len > 0)
        memcpy(p->scratch + p->folder_len + 1 + mlen, tail, tail_len);
    return find_entry(p, (const unsigned char *)p->scratch, n);
}

/* Exactly one "<folder>/data.pkl" with a non-empty folder and no deeper path. */
static lln_status_t find_pickle(pt_t *p)
{
    static const char suffix[] = "/data.pkl";
    const size_t sl = sizeof suffix - 1;
    for (size_t i = 0; i < p->nent; i++) {
        const pt_entry_t *e = &p->ent[i];
        if (e->name_len <= sl || memcmp(e->name + e->name_len - sl, suffix, sl) != 0 ||
            memchr(e->name, '/', e->name_len - sl) != NULL)
            continue;
        if (p->pkl != NULL)
            return ent_fail(p, e, LLN_E_FORMAT, e->cd_off,
                            "more than one '<folder>/data.pkl' in the archive");
        p->pkl = &p->ent[i];
        p->folder = e->name;
        p->folder_len = e->name_len - sl;
    }
    if (p->pkl == NULL)
        return pt_fail(p, LLN_E_FORMAT, "zip central directory", p->cd_off,
                       "no '<folder>/data.pkl' entry: not a torch.save() zip checkpoint");
    return entry_data(p, p->pkl);
}

static lln_status_t read_byteorder(pt_t *p)
{
    int nomem = 0;
    pt_entry_t *e = find_in_folder(p, "byteorder", NULL, 0, &nomem);
    if (nomem)
        return pt_nomem(p);
    if (e == NULL)
        return LLN_OK; /* torch < 1.10 wrote no byteorder entry: little-endian */
    lln_status_t st = entry_data(p, e);
    if (st != LLN_OK)
        return st;
    if (e->usize == 6 && memcmp(e->data, "little", 6) == 0)
        p->big_endian = 0;
    else if (e->usize == 3 && memcmp(e->data, "big", 3) == 0)
        p->big_endian = 1;
    else
        return ent_fail(p, e, LLN_E_FORMAT, e->lho, "byteorder is neither 'little' nor 'big'");
    return LLN_OK;
}

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
    (void)snprintf(where, sizeof where, "%s", show(name, sizeof name, e->name, e->name_len));
    va_list ap;
    va_start(ap, fmt);
    lln_status_t st = pt_vfail(k->p, code, where, k->op_off, fmt, ap);
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
        return pt_nomem(k->p);
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
        return pt_nomem(k->p);
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
        return pt_nomem(k->p);
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
        return pt_nomem(k->p);
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
                   show(m, sizeof m, mod, mlen), show(n, sizeof n, name, nlen));
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
    pt_entry_t *e = find_in_folder(k->p, "data/", key->u.s.p, key->u.s.n, &nomem);
    if (nomem)
        return pt_nomem(k->p);
    if (e == NULL)
        return pk_fail(k, LLN_E_FORMAT, "storage '%s' has no data entry in the archive",
                       show(ks, sizeof ks, key->u.s.p, key->u.s.n));
    if (numel > UINT64_MAX / k_dtype_size[dt] || numel * k_dtype_size[dt] != e->usize)
        return pk_fail(k, LLN_E_FORMAT,
                       "storage '%s' claims %llu elements of %u bytes but its entry has %llu bytes",
                       show(ks, sizeof ks, key->u.s.p, key->u.s.n), (unsigned long long)numel,
                       k_dtype_size[dt], (unsigned long long)e->usize);
    if ((st = entry_data(k->p, e)) != LLN_OK)
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
        return pt_nomem(k->p);
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
        return pt_nomem(k->p);
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
                       show(ks, sizeof ks, kv->u.s.p, kv->u.s.n), k_kind_name[tv->kind]);
    }
    t->name = lln__malloc(kv->u.s.n + 1);
    if (t->name == NULL)
        return pt_nomem(k->p);
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
        return pt_nomem(k->p);
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
    lln_status_t st = read_central(p);
    if (st == LLN_OK)
        st = find_pickle(p);
    if (st == LLN_OK)
        st = read_byteorder(p);
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
    for (size_t i = 0; i < p.nent; i++)
        lln__free(p.ent[i].owned);
    lln__free(p.ent);
    lln__free(p.byname);
    lln__free(p.scratch);
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
