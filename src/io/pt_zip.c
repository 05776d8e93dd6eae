/* The zip container of a PyTorch checkpoint (torch.save() files, torch >= 1.6): end records
 * (zip64 included), the central directory, entry data (stored or deflated, CRC-checked), and
 * the entries torch writes: "<folder>/data.pkl", "<folder>/byteorder", "<folder>/data/<key>".
 * torch writes zip64 end records and data descriptors (flag bit 3) even for tiny files, so
 * sizes and CRCs come from the central directory, never from local headers.
 *
 * Safety: the whole file is in memory and every offset/length is checked against it before
 * use; allocations are bounded by sizes already proven to fit in the file (or by deflate's
 * maximum ratio). The pickle interpreter that reads data.pkl is ptfile.c. */
#define ZLIB_CONST /* zlib's next_in becomes const: no casting away const on our buffer */
#include "lln/util.h"
#include "pt_zip.h"
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

/* ---- limits ---------------------------------------------------------------------------- */

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

/* Printable excerpt of untrusted bytes for messages: non-ASCII becomes '?', long text
 * is cut with "...". */
const char *lln__pt_show(char *dst, size_t cap, const unsigned char *s, size_t n)
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

lln_status_t lln__pt_vfail(const pt_t *p, lln_status_t code, const char *where, uint64_t off,
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
    lln_status_t st = lln__pt_vfail(p, code, where, off, fmt, ap);
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
                   lln__pt_show(name, sizeof name, e->name, e->name_len));
    va_list ap;
    va_start(ap, fmt);
    lln_status_t st = lln__pt_vfail(p, code, where, off, fmt, ap);
    va_end(ap);
    return st;
}

lln_status_t(lln__pt_nomem)(const pt_t *p) /* (name in parentheses: not the analyzer hint) */
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
        return lln__pt_nomem(p);
    for (size_t i = 0; i < p->nent; i++)
        p->byname[i] = &p->ent[i];
    qsort(p->byname, p->nent, sizeof(pt_entry_t *), entry_ptr_cmp);
    for (size_t i = 1; i < p->nent; i++)
        if (entry_ptr_cmp(&p->byname[i - 1], &p->byname[i]) == 0)
            return ent_fail(p, p->byname[i], LLN_E_FORMAT, p->byname[i]->cd_off,
                            "two zip entries have this name");
    return LLN_OK;
}

lln_status_t lln__pt_read_central(pt_t *p)
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
        return lln__pt_nomem(p); /* nent stays 0: the cleanup must not walk a missing table */
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

/* Raw inflate of exactly outlen bytes; zlib counts in 32-bit uInt, so feed in chunks.
 * 1: done; 0: corrupt data or another size than declared; -1: out of memory. */
static int inflate_exact(const unsigned char *in, uint64_t inlen, unsigned char *out,
                         uint64_t outlen)
{
    const uint64_t chunk = 1u << 30;
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    zs.zalloc = lln__zalloc; /* through the library's allocator (common/alloc.h) */
    zs.zfree = lln__zfree;
    int rc0 = inflateInit2(&zs, -15);
    if (rc0 != Z_OK)
        return rc0 == Z_MEM_ERROR ? -1 : 0;
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
        if (rc == Z_MEM_ERROR) { /* the window is allocated by the first inflate() */
            ok = -1;
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
        return lln__pt_nomem(p);
    int inflated = inflate_exact(p->file + off, e->csize, e->owned, e->usize);
    if (inflated < 0)
        return lln__pt_nomem(p);
    if (inflated == 0)
        return ent_fail(p, e, LLN_E_FORMAT, off,
                        "deflate data is corrupt or does not inflate to %llu bytes",
                        (unsigned long long)e->usize);
    e->data = e->owned;
    return LLN_OK;
}

/* Makes e->data point at the entry's verified, uncompressed bytes (cached). */
lln_status_t lln__pt_entry_data(const pt_t *p, pt_entry_t *e)
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
pt_entry_t *lln__pt_find_in_folder(pt_t *p, const char *mid, const unsigned char *tail,
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
lln_status_t lln__pt_find_pickle(pt_t *p)
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
    return lln__pt_entry_data(p, p->pkl);
}

lln_status_t lln__pt_read_byteorder(pt_t *p)
{
    int nomem = 0;
    pt_entry_t *e = lln__pt_find_in_folder(p, "byteorder", NULL, 0, &nomem);
    if (nomem)
        return lln__pt_nomem(p);
    if (e == NULL)
        return LLN_OK; /* torch < 1.10 wrote no byteorder entry: little-endian */
    lln_status_t st = lln__pt_entry_data(p, e);
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

void lln__pt_close(pt_t *p)
{
    for (size_t i = 0; i < p->nent; i++)
        lln__free(p->ent[i].owned);
    lln__free(p->ent);
    lln__free(p->byname);
    lln__free(p->scratch);
    p->ent = NULL, p->byname = NULL, p->scratch = NULL;
    p->nent = 0;
}
