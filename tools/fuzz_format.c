/* libFuzzer target for the .lln reader (docs/FORMAT.md).
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -DLLN_VERSION_STRING='"fuzz"' \
 *         -Iinclude -Isrc tools/fuzz_format.c $(ls src/[a-z]*.c) -lz -lm -o fuzz_format
 *   mkdir -p corpus && ./fuzz_format -max_total_time=60 -max_len=16384 corpus \
 *         tests/corpus/format
 * (model.c needs LLN_VERSION_STRING, which CMake normally defines.) The seeds are small
 * models written by tests/test_format.c (LLN_FORMAT_CORPUS_DIR=tests/corpus/format).
 *
 * Each input is loaded twice: as given (mostly stopped by the checksums, which is what
 * real corruption meets) and with its checksums recomputed (lln__format_reseal), so that
 * mutations reach the field checks behind them. Whatever loads must save, load again,
 * and save to the same bytes: a file the reader accepts is one the writer reproduces. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "io/format_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_round_trip(const lln_model_t *m)
{
    unsigned char *a = NULL, *b = NULL;
    size_t na = 0, nb = 0;
    lln_model_t *back = NULL;
    if (lln_model_save_mem(m, &a, &na, NULL) != LLN_OK)
        __builtin_trap(); /* the reader accepted what the writer refuses */
    if (lln_model_load_mem(a, na, "resaved", &back, NULL) != LLN_OK)
        __builtin_trap();
    if (lln_model_save_mem(back, &b, &nb, NULL) != LLN_OK || na != nb || memcmp(a, b, na) != 0)
        __builtin_trap();
    lln_model_free(back);
    free(a);
    free(b);
}

static void load_one(const unsigned char *buf, size_t len)
{
    lln_model_t *m = NULL;
    lln_error_t err = {LLN_OK, ""};
    lln_status_t st = lln_model_load_mem(buf, len, "fuzz", &m, &err);
    if ((st == LLN_OK) != (m != NULL) || (st != LLN_OK && err.msg[0] == '\0'))
        __builtin_trap();
    if (m != NULL)
        check_round_trip(m);
    lln_model_free(m);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* exact-size heap copies, so ASan sees any read past the end */
    unsigned char *copy = malloc(size > 0 ? size : 1);
    if (copy == NULL)
        return 0;
    if (size > 0)
        memcpy(copy, data, size);
    load_one(copy, size);
    lln__format_reseal(copy, size);
    load_one(copy, size);
    free(copy);
    return 0;
}
