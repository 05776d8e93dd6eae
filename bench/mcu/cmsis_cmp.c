/* cmsis_cmp.c: firmware that runs our int8 dense layer and CMSIS-NN's on the same layer shapes,
 * each between lln_prof_begin() and lln_prof_end(), for the instruction counter of sim/
 * (bench/mcu/cmsis_compare.sh builds it with sim/build.sh and runs it with COUNT=each).
 *
 * The layer: y = sat16(requant(W x)), W rows x cols int8, x int16, y int16 — our q_dense (the
 * dense path of runtime/lln_rtq.c: the CfC backbone and heads, the GRU/LSTM gates and the MLP
 * baseline all run through it; per-row multiplier and shift) against CMSIS-NN's
 * arm_nn_vec_mat_mult_t_s16 (int8 weights, int16 activations: the same types; one multiplier
 * for the layer). For reference also CMSIS-NN's all-int8 arm_nn_vec_mat_mult_t_s8 (int8
 * activations, a different and cheaper data type than ours).
 *
 * Per shape the firmware prints
 *   shape NAME ROWS COLS maxdiff D live L
 * where D is the largest |ours - CMSIS-NN s16| over the outputs (the two requantize with
 * different rounding; D <= 1 shows both computed the same layer) and L the number of our
 * outputs that are neither 0 nor saturated (so the check compares real values), and runs
 * four regions in
 * this order: empty (the marker overhead), ours, CMSIS-NN s16, CMSIS-NN s8. Ours is q_dense,
 * except on the wired CfC's three layer shapes, which its exported firmware runs as specialised
 * rows (spec_dense below, checked equal to q_dense bit for bit). CMSIS-NN itself
 * is compiled from its unmodified source by the script; nothing of it is in this file. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "arm_nnfunctions.h"
#include "arm_nnsupportfunctions.h"
#include "lln_prof.h"

/* The runtime's dense layer is static in lln_rtq.c: compiled in here to call it directly. */
#include "lln_rtq.c"
#include "lln_rtq_spec.h"

typedef struct shape {
    const char *name;
    uint16_t rows, cols;
} shape_t;

/* The layer shapes of the models (8 inputs; z = [x, h] is a layer's input). */
static const shape_t SHAPES[] = {
    {"cfc32.backbone", 128, 40}, {"cfc32.heads", 128, 128}, {"cfc64.backbone", 128, 72},
    {"cfc64.heads", 256, 128},   {"wcfc19.inter", 36, 17},  {"wcfc19.command", 24, 15},
    {"wcfc19.motor", 16, 10},    {"gru32.gates", 64, 40},   {"gru32.cand_in", 32, 8},
    {"gru32.cand_h", 32, 32},    {"lstm32.gates", 128, 40},
};

#define MAX_W (256 * 128)
#define MAX_R 256
#define MAX_C 128

static int8_t w_plain[MAX_W], w_il[MAX_W];
#if LLN_RTQ_W16
static int32_t w16[MAX_W / 2 + 4 * MAX_R]; /* lln_rtq_dense_w16_words of any shape above */
#endif
static int16_t x16[MAX_C], y_ours[MAX_R], y_cm[MAX_R];
static int8_t x8[MAX_C], y8[MAX_R];
static int32_t mult[MAX_R], ksum[MAX_R];
static uint32_t seed = 12345u;

static int32_t rnd(int lo, int hi) /* a fixed LCG: the same data on every target */
{
    seed = seed * 1664525u + 1013904223u;
    return lo + (int32_t)((seed >> 8) % (uint32_t)(hi - lo + 1));
}

/* The wired CfC's layers as its exported firmware runs them (`lln export` specialises the
 * step of a CfC without backbone: runtime/lln_rtq_spec.h): the rows' shapes are literals, the
 * weights words of four (interleaved, the row padded with zeros), the activations packed once. */
static uint32_t w_words[MAX_W / 4 + MAX_R];

static void spec_pack(int R, int C)
{
    int W = (C + 3) / 4;
    for (int r = 0; r < R; r++) {
        int8_t pad[MAX_C + 4] = {0}, il[MAX_C + 4];
        memcpy(pad, w_plain + r * C, (size_t)C);
        lln_fx_interleave4(pad, il, 4 * W);
        for (int i = 0; i < W; i++)
            w_words[r * W + i] =
                (uint32_t)(uint8_t)il[4 * i] | (uint32_t)(uint8_t)il[4 * i + 1] << 8 |
                (uint32_t)(uint8_t)il[4 * i + 2] << 16 | (uint32_t)(uint8_t)il[4 * i + 3] << 24;
    }
}

LLN_RTQ__INLINE void spec_dense(int R, int C, int shift)
{
    enum { W_MAX = MAX_C / 4 };
    int W = (C + 3) / 4;
    lln_rtq__xv_t xv[W_MAX * LLN_RTQ__XV_PER_WORD];
    lln_rtq__rq_t rq = lln_rtq__rq_prep_imm(shift);
    lln_rtq__load(x16, C, x16, 0, 0, 4 * W, xv);
    for (int r = 0; r < R; r++)
        y_ours[r] = (int16_t)lln_rtq__spec_row(w_words + r * W, xv, xv, C, 0, 0, W, 0,
                                               (uint32_t)mult[r], 0, 0, rq);
}

/* shift 39: the layer's (30 - sh below) */
static void spec_36_17(void) { spec_dense(36, 17, 39); }
static void spec_24_15(void) { spec_dense(24, 15, 39); }
static void spec_16_10(void) { spec_dense(16, 10, 39); }

static void run_shape(const shape_t *s)
{
    int R = s->rows, C = s->cols;
    for (int i = 0; i < R * C; i++)
        w_plain[i] = (int8_t)rnd(-127, 127);
    for (int r = 0; r < R; r++)
        lln_fx_interleave4(w_plain + r * C, w_il + r * C, C);
    for (int c = 0; c < C; c++) {
        x16[c] = (int16_t)rnd(-8192, 8191);
        x8[c] = (int8_t)rnd(-127, 127);
    }
    /* One scale for every row (CMSIS-NN's s16 layer has one): 0.7071 * 2^-9. CMSIS-NN's
     * multiplier is Q31 with a left shift (negative: right); ours (lln_rtq.h) is below 2^30
     * over a right shift of the layer: 0.7071 * 2^30 over 2^(30 + 9). */
    int32_t m = 1518500250; /* 0.7071 in Q31 */
    int sh = -9;
    for (int r = 0; r < R; r++)
        mult[r] = m / 2;
    lln_rtq_dense_t d;
    memset(&d, 0, sizeof d);
    d.in = (uint16_t)C;
    d.out = (uint16_t)R;
#if LLN_RTQ_W16 /* the runtime reads the same weights pre-widened to int16 (lln_rtq.h) */
    lln_rtq_dense_widen(w_il, d.out, d.in, 0, w16);
    d.w = (const int8_t *)(const void *)w16;
#else
    d.w = w_il;
#endif
    d.mult = mult;
    d.shift = (int8_t)(30 - sh);
    arm_vector_sum_s8(ksum, C, R, w_plain, 0, 0, NULL);

    lln_prof_begin();
    lln_prof_end();

    void (*spec)(void) = R == 36 && C == 17   ? spec_36_17
                         : R == 24 && C == 15 ? spec_24_15
                         : R == 16 && C == 10 ? spec_16_10
                                              : NULL;
    if (spec)
        spec_pack(R, C);

    lln_prof_begin();
    if (spec)
        spec();
    else
        q_dense(&d, x16, x16, y_ours);
    lln_prof_end();

    lln_prof_begin();
    /* as arm_fully_connected_s16 calls it: with the multiplier reduced to Q15 */
    arm_nn_vec_mat_mult_t_s16(x16, w_plain, NULL, y_cm, REDUCE_MULTIPLIER(m), sh, C, R, -32768,
                              32767);
    lln_prof_end();

    lln_prof_begin();
    arm_nn_vec_mat_mult_t_s8(x8, w_plain, ksum, NULL, y8, 0, 0, m, sh, C, R, -128, 127, 1, 0);
    lln_prof_end();

    int maxdiff = 0, live = 0;
    if (spec) { /* the specialised rows must equal q_dense bit for bit (else flagged as 999) */
        static int16_t y_ref[MAX_R];
        q_dense(&d, x16, x16, y_ref);
        for (int r = 0; r < R; r++)
            maxdiff = y_ref[r] != y_ours[r] ? 999 : maxdiff;
    }
    for (int r = 0; r < R; r++) {
        int dlt = y_ours[r] - y_cm[r];
        dlt = dlt < 0 ? -dlt : dlt;
        maxdiff = dlt > maxdiff ? dlt : maxdiff;
        live += y_ours[r] != 0 && y_ours[r] != 32767 && y_ours[r] != -32768;
    }
    printf("shape %s %d %d maxdiff %d live %d\n", s->name, R, C, maxdiff, live);
}

int main(void)
{
    for (size_t k = 0; k < sizeof SHAPES / sizeof SHAPES[0]; k++)
        run_shape(&SHAPES[k]);
    return 0;
}
