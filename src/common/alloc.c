/* The allocator of the library (common/alloc.h): malloc, with a fault-injection hook for the
 * allocation-failure tests. Counters are atomics because training allocates on threads. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "platform.h"

static volatile long count_;     /* allocation attempts so far */
static volatile long fail_when_; /* the attempt number that fails, 0 = none */
static volatile long failed_;    /* the armed failure happened */

/* 1 when this attempt must fail. */
static int injected(void)
{
    long n = lln__atomic_inc(&count_);
    if (lln__atomic_load(&fail_when_) != n)
        return 0;
    lln__atomic_store(&failed_, 1);
    return 1;
}

void *lln__malloc(size_t n) { return injected() ? NULL : malloc(n); }

void *lln__calloc(size_t count, size_t size) { return injected() ? NULL : calloc(count, size); }

void *lln__realloc(void *p, size_t n) { return injected() ? NULL : realloc(p, n); }

void lln__free(void *p) { free(p); }

void *lln__zalloc(void *opaque, unsigned int items, unsigned int size)
{
    (void)opaque;
    if (size != 0 && items > SIZE_MAX / size)
        return NULL;
    return lln__malloc((size_t)items * size);
}

void lln__zfree(void *opaque, void *p)
{
    (void)opaque;
    lln__free(p);
}

char *lln__strdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = lln__malloc(n);
    return d != NULL ? memcpy(d, s, n) : NULL;
}

void lln__alloc_fail_at(long n)
{
    long now = lln__atomic_load(&count_);
    lln__atomic_store(&failed_, 0);
    lln__atomic_store(&fail_when_, n > 0 ? now + n : 0);
}

long lln__alloc_count(void) { return lln__atomic_load(&count_); }

int lln__alloc_failed(void) { return lln__atomic_load(&failed_) != 0; }
