/* A growable text buffer for code generation (export). Internal. */
#ifndef LLN_TEXTBUF_H
#define LLN_TEXTBUF_H

#include <stddef.h>

typedef struct lln__text {
    char *s;
    size_t len, cap;
    int oom; /* an allocation failed: the text is incomplete */
} lln__text_t;

/* Appends printf-formatted text (sets oom on failure). */
void lln__put(lln__text_t *t, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3))) /* Flawfinder: ignore (format attribute, not a call) */
#endif
    ;

#endif
