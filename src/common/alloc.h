/* The library's one allocator and its shared helpers (internal to liblln).
 *
 * Every allocation of src/ goes through lln__malloc / lln__calloc / lln__realloc and is
 * released with lln__free (memory handed to the caller is plain malloc memory: the public API
 * says "free it with free()"). The allocator is malloc underneath, plus a fault-injection
 * hook for tests: lln__alloc_fail_at(n) makes the n-th allocation from now fail, so that a
 * test can walk n over every allocation of an operation and check that each failure comes
 * back as LLN_E_NOMEM with nothing leaked (tests/test_alloc.c). The hook is off unless a test
 * sets it; it costs an atomic increment and load per allocation. */
#ifndef LLN_COMMON_ALLOC_H
#define LLN_COMMON_ALLOC_H

#include <stddef.h>

#include "lln/status.h"

void *lln__malloc(size_t n);
void *lln__calloc(size_t count, size_t size);
void *lln__realloc(void *p, size_t n);
void lln__free(void *p);
/* A copy of s (lln__malloc), or NULL. */
char *lln__strdup(const char *s);
/* zlib's allocation hooks (z_stream.zalloc / zfree, opaque unused): a stream set up with
 * them allocates through lln__malloc, so the fault injection below covers gzip and zip
 * reads too. Types as zlib's alloc_func / free_func (uInt = unsigned int, voidpf = void *),
 * spelled out so that this header does not need zlib.h. */
void *lln__zalloc(void *opaque, unsigned int items, unsigned int size);
void lln__zfree(void *opaque, void *p);

/* Tests only. n > 0: allocation number n from now fails (1 = the next one), and every later
 * one succeeds again; n = 0: off. lln__alloc_count() counts every allocation attempt since
 * the start; lln__alloc_failed() says whether the armed failure has happened. */
void lln__alloc_fail_at(long n);
long lln__alloc_count(void);
int lln__alloc_failed(void);

/* Returns from the calling function with the status of expr when it is not LLN_OK. */
#define LLN__TRY(expr)                  \
    do {                                \
        lln_status_t lln_try_ = (expr); \
        if (lln_try_ != LLN_OK)         \
            return lln_try_;            \
    } while (0)

#endif
