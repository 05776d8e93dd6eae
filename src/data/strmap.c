/* String -> int hash map (open addressing, FNV-1a): sequence ids, class labels, column names. */
#include <stdlib.h>
#include <string.h>

#include "data_internal.h"
#include "common/alloc.h"

static uint64_t hash(const char *s)
{
    uint64_t h = 14695981039346656037ull;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h;
}

static size_t slot(const lln__strmap_t *m, const char *key)
{
    size_t i = (size_t)(hash(key) & (m->cap - 1));
    while (m->keys[i] != NULL && strcmp(m->keys[i], key) != 0)
        i = (i + 1) & (m->cap - 1);
    return i;
}

int lln__strmap_get(const lln__strmap_t *m, const char *key)
{
    if (m->cap == 0)
        return -1;
    size_t i = slot(m, key);
    return m->keys[i] != NULL ? m->vals[i] : -1;
}

/* Doubles the table (the load stays below one half). */
static lln_status_t grow(lln__strmap_t *m)
{
    size_t cap = m->cap ? 2 * m->cap : 16;
    lln__strmap_t n = {NULL, NULL, cap, m->n};
    n.keys = lln__calloc(cap, sizeof(char *));
    n.vals = lln__calloc(cap, sizeof(int));
    if (n.keys == NULL || n.vals == NULL) {
        lln__free(n.keys);
        lln__free(n.vals);
        return LLN_E_NOMEM;
    }
    for (size_t i = 0; i < m->cap; i++)
        if (m->keys[i] != NULL) {
            size_t j = slot(&n, m->keys[i]);
            n.keys[j] = m->keys[i];
            n.vals[j] = m->vals[i];
        }
    /* Field by field: the old arrays are freed, the new ones take their place. */
    lln__free(m->keys);
    lln__free(m->vals);
    m->keys = n.keys;
    m->vals = n.vals;
    m->cap = cap;
    return LLN_OK;
}

lln_status_t lln__strmap_put(lln__strmap_t *m, const char *key, int val)
{
    if (2 * (m->n + 1) > m->cap && grow(m) != LLN_OK)
        return LLN_E_NOMEM;
    size_t len = strlen(key) + 1, i = slot(m, key);
    if (m->keys[i] != NULL) { /* present: a new value */
        m->vals[i] = val;
        return LLN_OK;
    }
    char *k = lln__malloc(len);
    if (k == NULL)
        return LLN_E_NOMEM;
    memcpy(k, key, len);
    m->keys[i] = k;
    m->vals[i] = val;
    m->n++;
    return LLN_OK;
}

void lln__strmap_free(lln__strmap_t *m)
{
    for (size_t i = 0; i < m->cap; i++)
        lln__free(m->keys[i]);
    lln__free(m->keys);
    lln__free(m->vals);
    memset(m, 0, sizeof *m);
}
