/* The zip container of a PyTorch checkpoint, shared by its reader (pt_zip.c) and the pickle
 * interpreter (ptfile.c). Internal to io/. */
#ifndef LLN_IO_PT_ZIP_H
#define LLN_IO_PT_ZIP_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "lln/status.h"

#if defined(__GNUC__)
/* Flawfinder: ignore (format attribute, not a call) */
#define PT_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define PT_PRINTF( \
    a,             \
    b) /* Frees what the archive functions allocated (the entries' inflated data, the tables). */
void lln__pt_close(pt_t *p);

#endif

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

/* ---- little-endian and sized integer reads (bounds are the caller's) ---------------------- */

static inline uint32_t rd32(const unsigned char *b)
{
    return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

static inline uint64_t rd64(const unsigned char *b)
{
    return (uint64_t)rd32(b) | (uint64_t)rd32(b + 4) << 32;
}

/* Reads n <= 8 bytes as an unsigned integer, little- or big-endian. */
static inline uint64_t rd_uint(const unsigned char *b, unsigned n, int big)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < n; i++)
        v |= (uint64_t)b[big ? n - 1 - i : i] << (8 * i);
    return v;
}

static inline int64_t as_signed(uint64_t u, unsigned bytes)
{
    if (bytes < 8 && bytes > 0 && (u >> (8 * bytes - 1)) & 1u)
        u |= ~(uint64_t)0 << (8 * bytes);
    int64_t v;
    memcpy(&v, &u, sizeof v);
    return v;
}

/* ---- errors ---------------------------------------------------------------------------------- */

/* Sets p->err to "path: what (where, offset N)" and returns code. */
lln_status_t lln__pt_vfail(const pt_t *p, lln_status_t code, const char *where, uint64_t off,
                           const char *fmt, va_list ap);
/* "path: out of memory"; LLN_E_NOMEM. */
lln_status_t lln__pt_nomem(const pt_t *p);
#ifdef __clang_analyzer__
/* Hint for clang-tidy's static analyzer, which does not see the definition from other files
 * and so would assume LLN_OK may be returned (then read a result that was never set). */
#define lln__pt_nomem(p) (lln__pt_nomem(p), LLN_E_NOMEM)
#endif
/* Printable excerpt of untrusted bytes for messages: non-ASCII becomes '?', long text is cut
 * with "...". */
const char *lln__pt_show(char *dst, size_t cap, const unsigned char *s, size_t n);

/* ---- the archive --------------------------------------------------------------------------- */

/* Reads the end records and the central directory of p->file (p->ent, p->byname). */
lln_status_t lln__pt_read_central(pt_t *p);
/* Finds "<folder>/data.pkl" (p->pkl, p->folder) and checks its data. */
lln_status_t lln__pt_find_pickle(pt_t *p);
/* Reads "<folder>/byteorder" when present (p->big_endian). */
lln_status_t lln__pt_read_byteorder(pt_t *p);
/* Checks (and inflates) the data of entry e: e->data, e->usize. */
lln_status_t lln__pt_entry_data(const pt_t *p, pt_entry_t *e);
/* The entry "<folder>/<mid><tail>", or NULL (*nomem = 1 when building the name failed). */
pt_entry_t *lln__pt_find_in_folder(pt_t *p, const char *mid, const unsigned char *tail,
                                   size_t tail_len, int *nomem);
/* Frees what the archive functions allocated (the entries' inflated data, the tables). */
void lln__pt_close(pt_t *p);

#endif
