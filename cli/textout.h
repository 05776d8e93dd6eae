/* Text output of the data commands: built in memory (gzip-compressed on the fly when the
 * file name ends in ".gz"), then written atomically, or to standard output for "-". */
#ifndef LLN_CLI_TEXTOUT_H
#define LLN_CLI_TEXTOUT_H

#include <stddef.h>
#include <zlib.h>

typedef struct textout {
    char *text; /* pending text */
    size_t len, cap;
    int gz, failed;
    z_stream z;
    gz_header h;         /* must live as long as z */
    unsigned char *zbuf; /* compressed bytes */
    size_t zlen, zcap;
} textout_t;

/* Starts an output for path (".gz": compressed). 0 on failure (out of memory). */
int textout_open(textout_t *o, const char *path);
/* Appends text; a failure is remembered and reported by textout_finish. */
void textout_put(textout_t *o, const char *s, size_t n);
void textout_str(textout_t *o, const char *s);
void textout_printf(textout_t *o, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3))) /* Flawfinder: ignore (format attribute) */
#endif
    ;
/* A value rounded to `decimals` (0..9) digits after the point, printed exactly the same on
 * every machine (integer formatting; never "-0"). */
void textout_fixed(textout_t *o, double v, int decimals);
/* Writes everything to path (atomically) or stdout ("-"); prints the problem as "lln CMD:".
 * Frees the buffers. Returns 1 on success. */
int textout_finish(textout_t *o, const char *cmd, const char *path);
/* Frees without writing. */
void textout_discard(textout_t *o);

#endif
