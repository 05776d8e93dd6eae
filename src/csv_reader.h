/* CSV tokenizer of the training data (internal): records of a plain or gzip file (zlib reads
 * both) or a memory buffer, one at a time, with "file:line: column N ('name'): ..." messages.
 *
 * Syntax: fields separated by ',' ; a field may be double-quoted ("" is a quote inside) but
 * may not span lines; blanks around unquoted fields are removed; line ends LF, CRLF or CR
 * alone (each counts one line); a UTF-8 byte-order mark before the first line is skipped;
 * blank lines are skipped. A NUL byte, an unterminated quote, text after a closing quote and
 * a line longer than LLN_CSV_MAX_LINE are errors. Lines are read into a growing buffer. */
#ifndef LLN_CSV_READER_H
#define LLN_CSV_READER_H

#include <locale.h>
#include <stddef.h>

#include "lln/status.h"

typedef struct lln__csv lln__csv_t;

/* Opens a file (plain or gzip) or standard input ("-"). */
lln_status_t lln__csv_open(const char *path, lln__csv_t **out, lln_error_t *err);
/* Reads from memory (not compressed; the buffer must outlive the reader). */
lln_status_t lln__csv_open_mem(const char *name, const void *data, size_t size, lln__csv_t **out,
                               lln_error_t *err);
void lln__csv_close(lln__csv_t *r);

/* The next non-blank record: *got = 1 and its fields, or *got = 0 at the end of the data. */
lln_status_t lln__csv_next(lln__csv_t *r, int *got, lln_error_t *err);
int lln__csv_nfields(const lln__csv_t *r);
/* Field i of the current record, unquoted and trimmed, NUL-terminated (valid until the
 * next lln__csv_next). */
const char *lln__csv_field(const lln__csv_t *r, int i);
/* Line number (1-based) of the current record; lines counted so far after the end. */
long lln__csv_line(const lln__csv_t *r);
const char *lln__csv_name(const lln__csv_t *r);

/* Keeps a copy of the current record as the header: later messages name columns. */
lln_status_t lln__csv_keep_header(lln__csv_t *r, lln_error_t *err);
/* Header name of column i (0-based), or NULL. */
const char *lln__csv_header(const lln__csv_t *r, int i);

/* Sets err to "file:line: column C ('name'): <message>" (col 0-based; col < 0: no column
 * part) and returns code. */
lln_status_t lln__csv_error(const lln__csv_t *r, int col, lln_error_t *err, lln_status_t code,
                            const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 5, 6))) /* Flawfinder: ignore (format attribute) */
#endif
    ;

/* Writes s for a message: at most 40 bytes, then "...", non-printable bytes as '?'. */
void lln__csv_quote(const char *s, char *buf, size_t n);

/* Strict decimal number: [+-] digits [. digits] [e [+-] digits] (a leading or trailing '.'
 * allowed), parsed with strtod in the "C" locale (lln__cloc_begin). Returns 0 (ok), 1 (not
 * a number) or 2 (NaN, infinity or overflow). */
int lln__csv_number(const char *s, double *v);

/* The "C" locale for strtod while a reader runs, whatever the process locale is;
 * restored by lln__cloc_end. Thread-local (uselocale). */
typedef struct lln__cloc {
    locale_t c, old;
} lln__cloc_t;
void lln__cloc_begin(lln__cloc_t *l);
void lln__cloc_end(lln__cloc_t *l);

#endif
