/* Private to the .lln model file code (format_*.c) and its tests/fuzzer: the layout
 * constants of docs/FORMAT.md, little-endian byte access, CRC-32, and test hooks. */
#ifndef LLN_FORMAT_INTERNAL_H
#define LLN_FORMAT_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "lln/format.h"

/* ---- layout (docs/FORMAT.md; every number here is a byte count) ----------------------- */

#define LLN_FMT_MAGIC "LLNMODEL"
#define LLN_FMT_END "LEND"
#define LLN_FMT_HEADER_SIZE 40u /* header size written by 1.0; readers accept larger */
#define LLN_FMT_ENTRY_SIZE 32u  /* section table entry size written by 1.0 */
#define LLN_FMT_TRAILER_SIZE 8u /* "LEND" + CRC-32 of everything before the CRC */
#define LLN_FMT_ALIGN 8u

#define LLN_FMT_SEC_OPTIONAL 1u /* section flag: a reader that does not know the tag skips it */

#define LLN_FMT_MAX_SECTIONS 64u
#define LLN_FMT_CONF_MAX 65536u /* bytes of the CONF section */
#define LLN_FMT_CONF_LINES 256u /* lines of the CONF section */
#define LLN_FMT_CONF_KEY 63u    /* bytes of a CONF key */
#define LLN_FMT_CONF_VALUE 255u /* bytes of a CONF value */
#define LLN_FMT_TENS_HEAD 8u    /* TENS: u32 count, u32 reserved */
#define LLN_FMT_TENS_FIXED 24u  /* TENS entry bytes before the dims */
#define LLN_FMT_TENS_MIN 32u    /* smallest TENS entry (1 dim, 1-byte name, padded) */
#define LLN_FMT_MAX_NDIM 4u
#define LLN_FMT_MAX_NAME 255u  /* bytes of a tensor name */
#define LLN_FMT_META_HEAD 8u   /* META: u32 count, u32 reserved */
#define LLN_FMT_META_MIN 16u   /* smallest META entry (8-byte lengths + 1-byte key, padded) */
#define LLN_FMT_MAX_META 4096u /* META entries */
#define LLN_FMT_MAX_META_KEY 256u
#define LLN_FMT_MAX_META_VALUE ((unsigned)LLN_MAX_META_VALUE) /* public: lln/model.h */

enum { LLN_FMT_F32 = 0, LLN_FMT_F64 = 1 };

/* ---- little-endian access: explicit bytes, so host endianness and alignment never matter */

static inline uint16_t lln_fmt_rd16(const unsigned char *p)
{
    return (uint16_t)(p[0] | (unsigned)p[1] << 8);
}
static inline uint32_t lln_fmt_rd32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static inline uint64_t lln_fmt_rd64(const unsigned char *p)
{
    return (uint64_t)lln_fmt_rd32(p) | (uint64_t)lln_fmt_rd32(p + 4) << 32;
}
static inline void lln_fmt_wr16(unsigned char *p, uint16_t v)
{
    p[0] = (unsigned char)v;
    p[1] = (unsigned char)(v >> 8);
}
static inline void lln_fmt_wr32(unsigned char *p, uint32_t v)
{
    lln_fmt_wr16(p, (uint16_t)v);
    lln_fmt_wr16(p + 2, (uint16_t)(v >> 16));
}
static inline void lln_fmt_wr64(unsigned char *p, uint64_t v)
{
    lln_fmt_wr32(p, (uint32_t)v);
    lln_fmt_wr32(p + 4, (uint32_t)(v >> 32));
}
/* Zero bytes that bring n up to a multiple of 8. */
static inline size_t lln_fmt_pad8(size_t n)
{
    return (LLN_FMT_ALIGN - n % LLN_FMT_ALIGN) % LLN_FMT_ALIGN;
}

/* ---- shared helpers (format_common.c) -------------------------------------------------- */

/* zlib's crc32 over any length (zlib takes at most UINT_MAX bytes per call). */
uint32_t lln__fmt_crc32(const unsigned char *p, size_t n);

/* 1 when s[0..n) is well-formed UTF-8 (no overlongs, surrogates or code points > 10FFFF)
 * without NUL bytes. */
int lln__fmt_utf8_ok(const unsigned char *s, size_t n);

/* Test hook: recomputes the CRC of every section whose table entry lies inside buf, then
 * the whole-file CRC, so that tests and the fuzzer can reach the field checks behind the
 * checksums with deliberately corrupted files. Does nothing to a buffer too short to hold
 * a header and trailer. */
void lln__format_reseal(unsigned char *buf, size_t len);

/* lln_model_load_mem that also reports the largest single allocation the loader itself made
 * (bytes; not counting the model's own), so tests can check that hostile sizes are
 * rejected before anything large is allocated. largest_alloc may be NULL. */
lln_status_t lln__format_load_mem_ex(const unsigned char *buf, size_t len, const char *name,
                                     lln_model_t **out, lln_error_t *err, size_t *largest_alloc);

#endif
