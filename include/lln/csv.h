/** @file
 * liquid-edge: the CSV tokenizer of the training data, public so that front ends read files
 * exactly as the library does. Records of a plain or gzip file (zlib reads both) or a memory
 * buffer, one at a time, with "file:line: column N ('name'): ..." messages.
 *
 * Syntax: fields separated by ',' ; a field may be double-quoted ("" is a quote inside) but
 * may not span lines; blanks around unquoted fields are removed; line ends LF, CRLF or CR
 * alone (each counts one line); a UTF-8 byte-order mark before the first line is skipped;
 * blank lines are skipped. A NUL byte, an unterminated quote, text after a closing quote and
 * a line longer than LLN_CSV_MAX_LINE (lln/data.h) are errors. Lines are read into a growing buffer. */
#ifndef LLN_CSV_H
#define LLN_CSV_H

#include <stddef.h>

#include "lln/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/** A reader (opaque). */
typedef struct lln_csv lln_csv_t;

/** Opens a file (plain or gzip) or standard input ("-"). */
LLN_API lln_status_t lln_csv_open(const char *path, lln_csv_t **out, lln_error_t *err);
/** Reads from memory (not compressed; the buffer must outlive the reader). */
LLN_API lln_status_t lln_csv_open_mem(const char *name, const void *data, size_t size,
                                      lln_csv_t **out, lln_error_t *err);
/** Closes r (NULL is fine). */
LLN_API void lln_csv_close(lln_csv_t *r);

/** The next non-blank record: *got = 1 and its fields, or *got = 0 at the end of the data. */
LLN_API lln_status_t lln_csv_next(lln_csv_t *r, int *got, lln_error_t *err);
/** Fields of the current record. */
LLN_API int lln_csv_nfields(const lln_csv_t *r);
/** Field i of the current record, unquoted and trimmed, NUL-terminated (valid until the
 *  next lln_csv_next). */
LLN_API const char *lln_csv_field(const lln_csv_t *r, int i);
/** Line number (1-based) of the current record; lines counted so far after the end. */
LLN_API long lln_csv_line(const lln_csv_t *r);
/** The path or name given to the open function, for messages. */
LLN_API const char *lln_csv_name(const lln_csv_t *r);

/** Keeps a copy of the current record as the header: later messages name columns. */
LLN_API lln_status_t lln_csv_keep_header(lln_csv_t *r, lln_error_t *err);
/** Header name of column i (0-based), or NULL. */
LLN_API const char *lln_csv_header(const lln_csv_t *r, int i);

/** Sets err to "file:line: column C ('name'): <message>" (col 0-based; col < 0: no column
 *  part) and returns code. */
LLN_API lln_status_t lln_csv_error(const lln_csv_t *r, int col, lln_error_t *err, lln_status_t code,
                                   const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 5, 6))) /* Flawfinder: ignore (format attribute) */
#endif
    ;

/** Writes s for a message: at most 40 bytes, then "...", non-printable bytes as '?'. */
LLN_API void lln_csv_quote(const char *s, char *buf, size_t n);

/** Strict decimal number: [+-] digits [. digits] [e [+-] digits] (a leading or trailing '.'
 *  allowed), parsed with strtod in the "C" locale (lln_cloc_begin). Returns 0 (ok), 1 (not
 *  a number) or 2 (NaN, infinity or overflow). */
LLN_API int lln_csv_number(const char *s, double *v);

/** The "C" locale for strtod while a reader runs, whatever the process locale is;
 *  restored by lln_cloc_end. Thread-local (POSIX uselocale). The members hold locale_t
 *  values (a pointer type on the systems we build on; checked when the library is built). */
typedef struct lln_cloc {
    void *c, *old;
} lln_cloc_t;
LLN_API void lln_cloc_begin(lln_cloc_t *l);
LLN_API void lln_cloc_end(lln_cloc_t *l);

#ifdef __cplusplus
}
#endif
#endif
