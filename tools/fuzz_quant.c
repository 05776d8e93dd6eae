/* libFuzzer target for post-training quantization and the integer firmware runtime
 * (lln_quant_calibrate, lln_quant_create, lln_rtq_step) on fuzzer-chosen models, calibration
 * ranges and raw integer inputs.
 *
 *   CI_FUZZ_SECONDS=60 bash .ci/stages/fuzz.sh      builds and runs every target, or by hand
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -Iinclude -Isrc tools/fuzz_quant.c \
 *         build-ci/build-fuzz/liblln.a -lz -lm -o fuzz_quant
 *   mkdir -p corpus && ./fuzz_quant -max_total_time=60 -max_len=512 corpus
 *
 * Input layout (every byte is used modulo its range, so any input is valid):
 *   0  cell = b % 3 (ltc, cfc, wired_cfc); mode = (b >> 2) % 3; activation = (b >> 4) % 5
 *   1  input_size = 1 + b % 6;  2 units = 3 + b % 20;  3 backbone_layers = b % 3,
 *      backbone_units = 1 + (b >> 2) % 32;  4 proj_size = b % 4;  5 wiring = b % 2 (fc,
 *      autoncp), ltc ode_unfolds = 1 + (b >> 1) % 8;  6 model seed
 *   7  calibration amplitude = 10^((b % 13) - 6) (1e-6 .. 1e6);  8 calibration dt =
 *      10^((b % 9) - 4) (1e-4 .. 1e4), irregular around it
 *   then steps until the data runs out (at most 64): I int16 inputs and one int32 dt, raw
 *   little-endian bytes (any value: negative, zero and huge dt included).
 * Checked: calibration succeeds or refuses with a message (never crashes); every step
 * returns LLN_RTQ_E_DT exactly when dt <= 0, and then leaves the state unchanged; the step
 * is deterministic (a second state fed the same inputs stays identical). UBSan (signed
 * overflow, shifts) and ASan (the scratch and state buffers are allocated with exactly the
 * lengths the model declares) see the rest: the runtime must be exact C99 for any input,
 * or host and firmware could disagree. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lln/model.h"
#include "lln/quant.h"
#include "deploy/quant_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CALIB_T 24

static lln_model_t *make(const uint8_t *h)
{
    lln_config_t c;
    lln_cell_kind_t cell = (lln_cell_kind_t)(h[0] % 3);
    lln_config_default(&c, cell);
    c.input_size = 1 + h[1] % 6;
    c.units = 3 + h[2] % 20;
    if (cell != LLN_CELL_LTC)
        c.mode = (lln_cfc_mode_t)((h[0] >> 2) % 3);
    if (cell == LLN_CELL_CFC) {
        c.activation = (lln_activation_t)((h[0] >> 4) % 5);
        c.backbone_layers = h[3] % 3;
        c.backbone_units = 1 + (h[3] >> 2) % 32;
        c.proj_size = h[4] % 4;
    } else {
        c.wiring.kind = h[5] % 2 ? LLN_WIRING_AUTONCP : LLN_WIRING_FULL;
        if (c.wiring.kind == LLN_WIRING_AUTONCP) {
            c.units = c.units < 4 ? 4 : c.units;
            c.wiring.output_dim = 1 + c.units / 4;
            c.wiring.sparsity = 0.5;
            c.wiring.seed = h[6];
        }
        c.ode_unfolds = 1 + (h[5] >> 1) % 8;
    }
    lln_model_t *m = NULL;
    lln_error_t err = {LLN_OK, ""};
    if (lln_model_create(&c, h[6], &m, &err) != LLN_OK)
        return NULL; /* a configuration the model refuses (e.g. a wiring too small) */
    return m;
}

static int32_t rd32(const uint8_t *p)
{
    uint32_t u = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
    return u <= (uint32_t)INT32_MAX ? (int32_t)u : -(int32_t)(~u) - 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 9)
        return 0;
    lln_model_t *m = make(data);
    if (m == NULL)
        return 0;
    int I = lln_model_input_size(m);
    double amp = pow(10.0, (double)(data[7] % 13) - 6.0), dt0 = pow(10.0, (data[8] % 9) - 4.0);
    double x[CALIB_T * 6], dt[CALIB_T];
    for (int t = 0; t < CALIB_T; t++) {
        dt[t] = dt0 * (0.5 + (double)((t * 7) % 5) / 4.0);
        for (int i = 0; i < I; i++)
            x[t * I + i] = amp * sin(0.4 * t + i);
    }
    lln_error_t err = {LLN_OK, ""};
    lln_quant_t *q = NULL;
    if (lln_quant_calibrate(m, 1, CALIB_T, x, dt, &err) != LLN_OK ||
        lln_quant_create(m, &q, &err) != LLN_OK) {
        if (err.msg[0] == '\0')
            abort(); /* a refusal must say why */
        lln_model_free(m);
        return 0;
    }
    const lln_rtq_model_t *r = &q->img.model;
    int16_t *s1 = calloc(r->state_len, 2), *s2 = calloc(r->state_len, 2),
            *keep = calloc(r->state_len, 2);
    int16_t *w16 = malloc((size_t)r->scratch16_len * 2), *y1 = malloc((size_t)r->outputs * 2 + 2);
    int16_t *y2 = malloc((size_t)r->outputs * 2 + 2), *xi = malloc((size_t)I * 2);
    int32_t *w32 = malloc((size_t)r->scratch32_len * 4);
    size_t pos = 9, per = (size_t)I * 2 + 4;
    for (int step = 0;
         step < 64 && s1 && s2 && keep && w16 && y1 && y2 && xi && w32 && pos + per <= size;
         step++, pos += per) {
        for (int i = 0; i < I; i++)
            xi[i] = (int16_t)(data[pos + 2 * (size_t)i] | data[pos + 2 * (size_t)i + 1] << 8);
        int32_t d = rd32(data + pos + 2 * (size_t)I);
        memcpy(keep, s1, (size_t)r->state_len * 2);
        int rc1 = lln_rtq_step(r, s1, xi, d, y1, w16, w32);
        int rc2 = lln_rtq_step(r, s2, xi, d, y2, w16, w32);
        if (rc1 != (d <= 0 ? LLN_RTQ_E_DT : LLN_RTQ_OK) || rc2 != rc1)
            abort();
        if (rc1 != LLN_RTQ_OK && memcmp(keep, s1, (size_t)r->state_len * 2) != 0)
            abort(); /* a refused step changed the state */
        if (memcmp(s1, s2, (size_t)r->state_len * 2) != 0 ||
            (rc1 == LLN_RTQ_OK && memcmp(y1, y2, (size_t)r->outputs * 2) != 0))
            abort(); /* not deterministic */
    }
    free(s1), free(s2), free(keep), free(w16), free(y1), free(y2), free(xi), free(w32);
    lln_quant_free(q);
    lln_model_free(m);
    return 0;
}
