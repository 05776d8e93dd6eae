/* libFuzzer target for the training-data reader (src/data/csv_reader.c, src/dataset_*.c).
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -D_POSIX_C_SOURCE=200809L \
 *         -Iinclude -Isrc tools/fuzz_csv.c build/liblln.a -lz -lm -o fuzz_csv
 *   mkdir -p corpus && ./fuzz_csv -max_total_time=60 -max_len=4096 corpus tests/corpus/csv
 * (the CI fuzz stage, .ci/stages/fuzz.sh, builds it the same way against a sanitized library).
 *
 * Input: one control byte, then the CSV text. The control byte picks the columns' roles
 * among fixed names (features: every other column; targets "y"; sequence "s"; time or Δt
 * "t"; split "p"; class labels as integers or text), and the second byte (if any) the
 * window length, stride and tail. Text starting with the gzip magic goes through a memfd
 * and zlib (lln_dataset_read), other text through lln_dataset_read_mem. Checked:
 *   - a failure returns no dataset and a message that starts with the file name and has
 *     the returned code;
 *   - a success is consistent: rows > 0, every value finite, Δt >= LLN_DT_MIN, sequences
 *     contiguous and covering every row, class ids in [0, K);
 *   - windows, a shuffled split, a normalization fit and float32/float64 batches of the
 *     result work and agree with each other (mask = window length, finite values). */
#define _GNU_SOURCE /* memfd_create */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "lln/data.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define NAME "fuzz.csv"

static lln_status_t read_any(const uint8_t *d, size_t n, const lln_csv_spec_t *s,
                             lln_dataset_t **ds, lln_error_t *err)
{
#ifdef MFD_CLOEXEC
    if (n >= 2 && d[0] == 0x1f && d[1] == 0x8b) {
        int fd = memfd_create(NAME, MFD_CLOEXEC);
        if (fd < 0)
            return LLN_E_IO;
        size_t done = 0;
        while (done < n) {
            ssize_t w = write(fd, d + done, n - done);
            if (w <= 0)
                break;
            done += (size_t)w;
        }
        char path[64];
        snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
        lln_status_t st =
            done == n ? lln_dataset_read(path, s, ds, err) : lln_error_set(err, LLN_E_IO, "x");
        close(fd);
        return st;
    }
#endif
    return lln_dataset_read_mem(NAME, d, n, s, ds, err);
}

static void check_rows(const lln_dataset_t *ds, const lln_dataset_info_t *in)
{
    if (in->rows == 0 || in->inputs < 1 || in->sequences < 1)
        abort();
    const double *x = lln_dataset_inputs(ds), *y = lln_dataset_targets(ds);
    const double *dt = lln_dataset_dt(ds);
    for (size_t r = 0; r < in->rows; r++) {
        for (int i = 0; i < in->inputs; i++)
            if (!isfinite(x[r * (size_t)in->inputs + (size_t)i]))
                abort();
        for (int j = 0; j < in->outputs; j++) {
            double v = y[r * (size_t)in->outputs + (size_t)j];
            if (!isfinite(v) || (in->classes > 0 && (v < 0 || v >= in->classes || v != floor(v))))
                abort();
        }
        if (!(dt[r] >= LLN_DT_MIN) || !isfinite(dt[r]) || lln_dataset_row_line(ds, r) < 2)
            abort();
    }
    size_t next = 0;
    for (int q = 0; q < in->sequences; q++) {
        size_t first, rows;
        const char *name;
        if (lln_dataset_sequence(ds, q, &name, &first, &rows) != LLN_OK || first != next ||
            rows == 0 || name == NULL)
            abort();
        next = first + rows;
    }
    if (next != in->rows)
        abort();
}

static void check_batches(lln_dataset_t *ds, int length, int stride, lln_tail_t tail)
{
    lln_error_t err;
    if (lln_dataset_make_windows(ds, length, stride, tail, &err) != LLN_OK)
        return;
    lln_dataset_info_t in;
    lln_dataset_info(ds, &in);
    if (in.windows == 0 || in.window_length < 1)
        abort();
    lln_dataset_split(ds, LLN_SPLIT_SHUFFLE, 0.2, 0.2, 5, &err);
    double m[64], sd[64], om[64], os[64];
    if (in.inputs <= 64 && in.outputs <= 64 &&
        lln_dataset_fit_norm(ds, 7, LLN_NORM_UNIQUE_ROWS, 1e-9, m, sd, om, os, &err) == LLN_OK)
        for (int i = 0; i < in.inputs; i++)
            if (!isfinite(m[i]) || !(sd[i] >= 1e-9))
                abort();
    size_t idx[4];
    int b = (int)(in.windows < 4 ? in.windows : 4);
    for (int i = 0; i < b; i++)
        idx[i] = in.windows - 1 - (size_t)i;
    lln_data_shuffle(idx, (size_t)b, 1, 2);
    size_t T = (size_t)in.window_length, cells = (size_t)b * T;
    if (cells * (size_t)(in.inputs > in.outputs ? in.inputs : in.outputs) > 1u << 20)
        return;
    float *x = malloc(cells * (size_t)in.inputs * sizeof *x), *mask = malloc(cells * sizeof *x);
    double *xd = malloc(cells * (size_t)in.inputs * sizeof *xd), *dt = malloc(cells * sizeof *dt);
    double *y = malloc((cells * (size_t)in.outputs + 1) * sizeof *y);
    if (x && mask && xd && dt && y &&
        (lln_dataset_gather(ds, idx, b, LLN_F32, x, NULL, NULL, mask, &err) != LLN_OK ||
         lln_dataset_gather(ds, idx, b, LLN_F64, xd, dt, y, NULL, &err) != LLN_OK))
        abort();
    for (int k = 0; x && mask && xd && dt && y && k < b; k++) {
        const lln_window_t *w = lln_dataset_window(ds, idx[k]);
        for (size_t t = 0; t < T; t++) {
            if (mask[(size_t)k * T + t] != ((int)t < w->length ? 1.0f : 0.0f) ||
                !(dt[(size_t)k * T + t] >= LLN_DT_MIN))
                abort();
            for (int i = 0; i < in.inputs; i++) {
                size_t c = ((size_t)k * T + t) * (size_t)in.inputs + (size_t)i;
                if (x[c] != (float)xd[c])
                    abort();
            }
        }
    }
    free(x);
    free(mask);
    free(xd);
    free(dt);
    free(y);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    unsigned c = data[0], w = data[1];
    lln_csv_spec_t s;
    lln_csv_spec_default(&s);
    const char *targets[] = {"y"};
    if (c & 1) {
        s.targets = targets;
        s.ntargets = 1;
        s.labels = (lln_label_kind_t)((c >> 5) % 3);
    }
    if (c & 2)
        s.sequence = "s";
    if (c & 4)
        s.time = "t";
    else if (c & 8)
        s.dt = "t";
    if (c & 16)
        s.split = "p";
    lln_dataset_t *ds = NULL;
    lln_error_t err = {LLN_OK, ""};
    lln_status_t st = read_any(data + 2, size - 2, &s, &ds, &err);
    if (st != LLN_OK) {
        if (ds != NULL || err.code != st || err.msg[0] == '\0' ||
            (st != LLN_E_IO && strncmp(err.msg, NAME, strlen(NAME)) != 0 &&
             strncmp(err.msg, "/proc/self/fd/", 14) != 0))
            abort();
        return 0;
    }
    lln_dataset_info_t in;
    lln_dataset_info(ds, &in);
    check_rows(ds, &in);
    check_batches(ds, (int)(w & 7), (int)((w >> 3) & 3), (lln_tail_t)((w >> 5) & 1));
    lln_dataset_free(ds);
    return 0;
}
