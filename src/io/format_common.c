/* .lln model files: helpers shared by the writer, the reader and the tests. */
#include <limits.h>
#include <zlib.h>

#include "format_internal.h"

uint32_t lln__fmt_crc32(const unsigned char *p, size_t n)
{
    uLong crc = crc32(0L, Z_NULL, 0);
    while (n > 0) {
        uInt chunk = n > (size_t)(UINT_MAX / 2) ? (uInt)(UINT_MAX / 2) : (uInt)n;
        crc = crc32(crc, p, chunk);
        p += chunk;
        n -= chunk;
    }
    return (uint32_t)crc;
}

/* Length of the UTF-8 sequence starting at s (at most n bytes), 0 if malformed. Follows
 * RFC 3629 / Unicode table 3-7: the second byte's range depends on the lead byte. */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
    unsigned c = s[0], lo = 0x80, hi = 0xBF;
    size_t len;
    if (c >= 0x01 && c <= 0x7F)
        return 1;
    if (c >= 0xC2 && c <= 0xDF)
        len = 2;
    else if (c >= 0xE0 && c <= 0xEF) {
        len = 3;
        lo = c == 0xE0 ? 0xA0 : 0x80; /* no overlongs */
        hi = c == 0xED ? 0x9F : 0xBF; /* no surrogates */
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4;
        lo = c == 0xF0 ? 0x90 : 0x80;
        hi = c == 0xF4 ? 0x8F : 0xBF; /* <= U+10FFFF */
    } else
        return 0; /* NUL, continuation byte, C0/C1, F5..FF */
    if (n < len || s[1] < lo || s[1] > hi)
        return 0;
    for (size_t i = 2; i < len; i++)
        if (s[i] < 0x80 || s[i] > 0xBF)
            return 0;
    return len;
}

int lln__fmt_utf8_ok(const unsigned char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        size_t k = utf8_seq(s + i, n - i);
        if (k == 0)
            return 0;
        i += k;
    }
    return 1;
}

void lln__format_reseal(unsigned char *buf, size_t len)
{
    if (len < LLN_FMT_HEADER_SIZE + LLN_FMT_TRAILER_SIZE)
        return;
    uint64_t pos = lln_fmt_rd32(buf + 12), entry = lln_fmt_rd32(buf + 32);
    uint32_t count = lln_fmt_rd32(buf + 20);
    for (uint32_t i = 0; i < count && i < LLN_FMT_MAX_SECTIONS; i++, pos += entry) {
        if (pos > len || len - pos < LLN_FMT_ENTRY_SIZE)
            break;
        unsigned char *e = buf + pos;
        uint64_t off = lln_fmt_rd64(e + 8), n = lln_fmt_rd64(e + 16);
        if (off <= len && n <= len - off)
            lln_fmt_wr32(e + 24, lln__fmt_crc32(buf + off, (size_t)n));
    }
    lln_fmt_wr32(buf + len - 4, lln__fmt_crc32(buf, len - 4));
}
