/* Private: the state of one .lln load, shared by format_load.c (container, model) and
 * format_sections.c (CONF, TENS, META parsers). Everything here points into the caller's
 * buffer; nothing is copied until the values go into the model. */
#ifndef LLN_FORMAT_LOADER_H
#define LLN_FORMAT_LOADER_H

#include "format_internal.h"

/* One section table entry, validated against the file. */
typedef struct lln_fmt_sec {
    char tag[5];
    uint32_t flags, crc, index;
    uint64_t off, len;
} lln_fmt_sec_t;

/* One TENS entry; name is not NUL-terminated (printable ASCII, checked). */
typedef struct lln_fmt_tensor {
    const unsigned char *name;
    size_t name_len, index;
    unsigned dtype, ndim;
    uint32_t dims[LLN_FMT_MAX_NDIM];
    uint64_t count, off, bytes; /* off, bytes: within DATA */
} lln_fmt_tensor_t;

/* One META entry (UTF-8, checked; not NUL-terminated). */
typedef struct lln_fmt_meta {
    const unsigned char *key, *value;
    size_t key_len, value_len, index;
} lln_fmt_meta_t;

typedef struct lln_fmt_loader {
    const unsigned char *buf;
    size_t len;
    const char *name; /* prefix of every message */
    lln_error_t *err;
    size_t largest_alloc;
    uint64_t table_end; /* end of the section table */
    uint32_t nsec;
    lln_fmt_sec_t sec[LLN_FMT_MAX_SECTIONS];
    const lln_fmt_sec_t *conf, *tens, *data, *meta;
    lln_config_t cfg;
    size_t ntens;
    lln_fmt_tensor_t *tens_v;
    uint64_t total_values; /* sum of TENS counts */
    size_t nmeta;
    lln_fmt_meta_t *meta_v;
} lln_fmt_loader_t;

/* Sets L->err to code and "<name>: <message>"; returns code. */
lln_status_t lln__fmt_fail(lln_fmt_loader_t *L, lln_status_t code, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4))) /* Flawfinder: ignore (format attribute, not a call) */
#endif
    ;
#ifdef __clang_analyzer__
/* Hint for clang-tidy's static analyzer, which does not follow calls to variadic functions
 * and so would assume a failure may return LLN_OK: the result is the code argument. */
#define lln__fmt_fail(L, code, ...) (lln__fmt_fail((L), (code), __VA_ARGS__), (code))
#endif

/* malloc that records the largest request in L (for the tests' allocation bound). */
void *lln__fmt_alloc(lln_fmt_loader_t *L, size_t count, size_t size);

/* Section parsers: validate everything, allocate only arrays bounded by the section
 * length, and fill L. */
lln_status_t lln__fmt_parse_conf(lln_fmt_loader_t *L);
lln_status_t lln__fmt_parse_tens(lln_fmt_loader_t *L);
lln_status_t lln__fmt_parse_meta(lln_fmt_loader_t *L);

#endif
