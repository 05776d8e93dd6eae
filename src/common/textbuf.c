/* Growable text buffer for code generation. */
#include "lln/util.h"
#include "alloc.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

void lln_text_put(lln_text_t *t, const char *fmt, ...)
{
    va_list ap;
    for (int pass = 0; pass < 2 && !t->oom; pass++) {
        va_start(ap, fmt);
        /* Flawfinder: ignore (fmt: a format-checked argument) */
        int n = vsnprintf(t->s ? t->s + t->len : NULL, t->s ? t->cap - t->len : 0, fmt, ap);
        va_end(ap);
        if (n < 0) {
            t->oom = 1;
            return;
        }
        if (t->s && t->len + (size_t)n < t->cap) {
            t->len += (size_t)n;
            return;
        }
        size_t cap = (t->cap + (size_t)n + 1) * 2; /* the second pass fits */
        char *ns = lln__realloc(t->s, cap);
        if (ns == NULL) {
            t->oom = 1;
            return;
        }
        t->s = ns;
        t->cap = cap;
    }
}
