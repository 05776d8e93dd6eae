/* libFuzzer target for the PyTorch checkpoint reader (src/io/pt_zip.c, src/io/ptfile.c).
 *
 *   clang -fsanitize=fuzzer,address -Iinclude -Isrc tools/fuzz_ptfile.c build/liblln.a \
 *         -lz -lpthread -lm
 *   ./a.out -max_total_time=60 corpus/      (seed corpus: the golden .pt files)
 *
 * Each input is loaded twice: through lln__pt_load() on a memfd (the real entry point,
 * including the file reading), and from memory with CRC checks off, because with them on
 * almost every mutation of data.pkl or a storage stops at the checksum and the pickle
 * interpreter and tensor code would hardly be exercised. */
#define _GNU_SOURCE /* memfd_create */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "io/ptfile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A successful load must be internally consistent; anything else is a reader bug. */
static void check_result(lln_status_t st, const lln_case_t *c, const lln_error_t *err)
{
    if (st != LLN_OK) {
        if (c->ntensors != 0 || c->tensors != NULL || err->msg[0] == '\0' || err->code != st)
            abort();
        return;
    }
    for (size_t i = 0; i < c->ntensors; i++) {
        const lln_case_tensor_t *t = &c->tensors[i];
        size_t n = 1;
        if (t->name == NULL || t->data == NULL || t->ndim < 0 || t->ndim > LLN_CASE_MAX_DIMS)
            abort();
        for (int d = 0; d < t->ndim; d++)
            n *= (size_t)t->dims[d];
        if (n != t->count)
            abort();
        volatile double sink = 0; /* touch every value so ASan sees the whole buffer */
        for (size_t j = 0; j < t->count; j++)
            sink += t->data[j];
        (void)sink;
    }
}

static void load_via_fd(const uint8_t *data, size_t size)
{
#ifdef MFD_CLOEXEC
    int fd = memfd_create("fuzz_ptfile", MFD_CLOEXEC);
    if (fd < 0)
        return;
    size_t done = 0;
    while (done < size) {
        ssize_t w = write(fd, data + done, size - done);
        if (w <= 0)
            break;
        done += (size_t)w;
    }
    if (done == size) {
        char path[64];
        lln_case_t c;
        lln_error_t err = {LLN_OK, ""};
        snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
        lln_status_t st = lln__pt_load(path, &c, &err);
        check_result(st, &c, &err);
        lln__case_free(&c);
    }
    close(fd);
#else
    (void)data;
    (void)size;
#endif
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    load_via_fd(data, size);
    lln_case_t c;
    lln_error_t err = {LLN_OK, ""};
    lln_status_t st = lln__pt_load_mem(data, size, "fuzz", LLN_PT_NO_CRC, &c, &err);
    check_result(st, &c, &err);
    lln__case_free(&c);
    return 0;
}
