/* libFuzzer target for the golden-case text reader (src/io/casefile.c).
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -Iinclude -Isrc tools/fuzz_casefile.c \
 *         build/liblln.a -lz -lpthread -lm -o fuzz_casefile
 *   mkdir -p corpus && ./fuzz_casefile -max_total_time=60 -max_len=4096 corpus \
 *         tests/corpus/casefile
 * (as the CI fuzz stage, .ci/stages/fuzz.sh, does with a clang build of the library; plain
 * ctest replays the corpus through tests/corpus_replay.c).
 *
 * lln__case_load() reads a path, so each input is written to a memfd and loaded through
 * /proc/self/fd/N. Checked:
 *   - a failure leaves the case empty and says what is wrong (err filled, same code);
 *   - a success is internally consistent (count = product of dims, every value readable,
 *     lln__case_get / lln__case_tensor find the first record of each name);
 *   - what loads round-trips: written back in the format (values with %.17g) and loaded
 *     again, it gives the same records, bit for bit (NaNs compare as NaN). Inputs with NUL
 *     bytes are exempt: the reader ends a token at a NUL, so "1\0junk" reads as 1. */
#define _GNU_SOURCE /* memfd_create */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "io/casefile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Loads bytes through a memfd; returns -1 (and leaves *c empty) when no memfd is available. */
static int load_bytes(const void *data, size_t size, lln_case_t *c, lln_error_t *err,
                      lln_status_t *st)
{
    memset(c, 0, sizeof *c);
#ifdef MFD_CLOEXEC
    int fd = memfd_create("fuzz_casefile", MFD_CLOEXEC);
    if (fd < 0)
        return -1;
    size_t done = 0;
    while (done < size) {
        ssize_t w = write(fd, (const char *)data + done, size - done);
        if (w <= 0)
            break;
        done += (size_t)w;
    }
    if (done != size) {
        close(fd);
        return -1;
    }
    char path[64];
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    *st = lln__case_load(path, c, err);
    close(fd);
    return 0;
#else
    (void)data;
    (void)size;
    (void)err;
    (void)st;
    return -1;
#endif
}

static void check_loaded(lln_status_t st, const lln_case_t *c, const lln_error_t *err, int has_nul)
{
    if (st != LLN_OK) {
        if (c->nconfig != 0 || c->ntensors != 0 || c->config != NULL || c->tensors != NULL ||
            err->msg[0] == '\0' || err->code != st)
            abort();
        return;
    }
    for (size_t i = 0; i < c->nconfig; i++) {
        const lln_case_config_t *k = &c->config[i];
        if (k->key == NULL || k->value == NULL || (!has_nul && (!k->key[0] || !k->value[0])))
            abort();
        const char *v = lln__case_get(c, k->key);
        size_t first = 0;
        while (strcmp(c->config[first].key, k->key) != 0)
            first++;
        if (v != c->config[first].value)
            abort();
    }
    for (size_t i = 0; i < c->ntensors; i++) {
        const lln_case_tensor_t *t = &c->tensors[i];
        size_t n = 1;
        if (t->name == NULL || t->data == NULL || t->ndim < 0 || t->ndim > LLN_CASE_MAX_DIMS)
            abort();
        for (int d = 0; d < t->ndim; d++) {
            if (t->dims[d] < 0)
                abort();
            n *= (size_t)t->dims[d];
        }
        if (n != t->count)
            abort();
        volatile double sink = 0; /* touch every value so ASan sees the whole buffer */
        for (size_t j = 0; j < t->count; j++)
            sink += t->data[j];
        (void)sink;
        const lln_case_tensor_t *f = lln__case_tensor(c, t->name);
        if (f == NULL || f > t || strcmp(f->name, t->name) != 0)
            abort();
    }
}

/* ---- write back ----------------------------------------------------------------------------- */

typedef struct text {
    char *p;
    size_t n, cap;
    int oom;
} text_t;

/* Appends n bytes (a text of any length: names and values come from the input). */
static void add_bytes(text_t *t, const char *s, size_t n)
{
    if (t->oom)
        return;
    if (t->n + n + 1 > t->cap) {
        size_t cap = t->cap ? t->cap : 256;
        while (cap < t->n + n + 1)
            cap *= 2;
        char *np = realloc(t->p, cap);
        if (np == NULL) {
            t->oom = 1;
            return;
        }
        t->p = np;
        t->cap = cap;
    }
    memcpy(t->p + t->n, s, n);
    t->n += n;
    t->p[t->n] = '\0';
}

static void add_str(text_t *t, const char *s) { add_bytes(t, s, strlen(s)); }

/* " <v>": integers exactly, doubles with 17 significant digits (round trip). */
static void add_long(text_t *t, long v)
{
    char b[32];
    int k = snprintf(b, sizeof b, " %ld", v);
    add_bytes(t, b, (size_t)k);
}

static void add_double(text_t *t, double v)
{
    char b[40];
    int k = snprintf(b, sizeof b, " %.17g", v);
    add_bytes(t, b, (size_t)k);
}

static void write_back(const lln_case_t *c, text_t *t)
{
    add_str(t, "# written back by fuzz_casefile\n");
    for (size_t i = 0; i < c->nconfig; i++) {
        add_str(t, "config ");
        add_str(t, c->config[i].key);
        add_str(t, " ");
        add_str(t, c->config[i].value);
        add_str(t, "\n");
    }
    for (size_t i = 0; i < c->ntensors; i++) {
        const lln_case_tensor_t *x = &c->tensors[i];
        add_str(t, "tensor ");
        add_str(t, x->name);
        add_long(t, x->ndim);
        for (int d = 0; d < x->ndim; d++)
            add_long(t, x->dims[d]);
        for (size_t j = 0; j < x->count; j++)
            add_double(t, x->data[j]);
        add_str(t, "\n");
    }
}

static int same_value(double a, double b)
{
    /* bit-exact on purpose (-0.0 must stay -0.0) */
    /* NOLINTNEXTLINE(bugprone-suspicious-memory-comparison,cert-exp42-c,cert-flp37-c) */
    return (isnan(a) && isnan(b)) || memcmp(&a, &b, sizeof a) == 0;
}

static int same_case(const lln_case_t *a, const lln_case_t *b)
{
    if (a->nconfig != b->nconfig || a->ntensors != b->ntensors)
        return 0;
    for (size_t i = 0; i < a->nconfig; i++)
        if (strcmp(a->config[i].key, b->config[i].key) != 0 ||
            strcmp(a->config[i].value, b->config[i].value) != 0)
            return 0;
    for (size_t i = 0; i < a->ntensors; i++) {
        const lln_case_tensor_t *x = &a->tensors[i], *y = &b->tensors[i];
        if (strcmp(x->name, y->name) != 0 || x->ndim != y->ndim || x->count != y->count)
            return 0;
        for (int d = 0; d < x->ndim; d++)
            if (x->dims[d] != y->dims[d])
                return 0;
        for (size_t j = 0; j < x->count; j++)
            if (!same_value(x->data[j], y->data[j]))
                return 0;
    }
    return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    lln_case_t c;
    lln_error_t err = {LLN_OK, ""};
    lln_status_t st = LLN_OK;
    if (load_bytes(data, size, &c, &err, &st) != 0)
        return 0;
    /* A NUL byte inside a token cuts it short as a C string (the reader tokenizes in place),
     * so such a text may give empty names and does not round-trip: not a valid file. */
    int has_nul = memchr(data, 0, size) != NULL;
    check_loaded(st, &c, &err, has_nul);
    if (st == LLN_OK && !has_nul) {
        text_t t = {NULL, 0, 0, 0};
        write_back(&c, &t);
        if (!t.oom) {
            lln_case_t back;
            lln_error_t err2 = {LLN_OK, ""};
            lln_status_t st2 = LLN_OK;
            if (load_bytes(t.p, t.n, &back, &err2, &st2) == 0) {
                if (st2 != LLN_OK) {
                    fprintf(stderr, "fuzz_casefile: written back, it does not load: %s\n",
                            err2.msg);
                    abort();
                }
                if (!same_case(&c, &back)) {
                    fprintf(stderr, "fuzz_casefile: written back, it loads differently\n");
                    abort();
                }
                lln__case_free(&back);
            }
        }
        free(t.p);
    }
    lln__case_free(&c);
    return 0;
}
