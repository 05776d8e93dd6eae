/* mlperf_ad.c: the MLPerf Tiny anomaly-detection autoencoder through our int8 dense path, for
 * the instruction counter of sim/ (bench/mcu/mlperf_energy.sh builds and runs it).
 *
 * The network: 640 inputs, dense 128-128-128-128, bottleneck 8, dense 128-128-128-128, 640
 * outputs, ReLU between layers (264,192 multiply-accumulates per inference). Every layer is
 * q_dense of runtime/lln_rtq.c (int8 weights with a Q31 multiplier and shift per row, int16
 * activations), as in the MLP baseline of our fixed-point runtime; the 640-wide first layer
 * reads its input in two column groups of 320 with their own scales (an int32 accumulator is
 * exact for rows up to 511 wide; the quantizer splits the same way). Weights and inputs are
 * fixed pseudo-random numbers, scaled so that activations stay away from 0 and saturation.
 * One inference runs between lln_prof_begin() and lln_prof_end() (after one untimed warm-up
 * inference); the firmware prints "macs N live L" (L: outputs neither 0 nor saturated). */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "lln_prof.h"

/* The runtime's dense layer is static in lln_rtq.c: compiled in here to call it directly. */
#include "lln_rtq.c"

#define NL 10
static const uint16_t DIMS[NL + 1] = {640, 128, 128, 128, 128, 8, 128, 128, 128, 128, 640};

#define W_TOTAL (640 * 128 + 3 * 128 * 128 + 128 * 8 + 8 * 128 + 3 * 128 * 128 + 128 * 640)
static int8_t w_all[W_TOTAL];
static int32_t m_all[NL][640];
static int16_t buf_a[640], buf_b[640];
static lln_rtq_dense_t layer[NL];
static uint32_t seed = 777u;

static int32_t rnd(int lo, int hi)
{
    seed = seed * 1664525u + 1013904223u;
    return lo + (int32_t)((seed >> 8) % (uint32_t)(hi - lo + 1));
}

/* Right shift that maps a row of n int8 x int16 products (|w| ~ 73, |x| ~ 2000) to ~2000. */
static int8_t shift_for(int n)
{
    int s = 0;
    while ((1 << s) * 64 < n * 4) /* sqrt-ish growth is enough for a live signal */
        s++;
    return (int8_t)(s + 4);
}

#if LLN_RTQ_W16
/* every layer's rows are a multiple of 4 and its groups even: in * out / 2 words a layer */
static int32_t w16_all[W_TOTAL / 2];
#endif

static void setup(void)
{
    int8_t *w = w_all;
#if LLN_RTQ_W16
    int32_t *w16 = w16_all;
#endif
    for (int l = 0; l < NL; l++) {
        int in = DIMS[l], out = DIMS[l + 1];
        for (int r = 0; r < out; r++) {
            int8_t row[640];
            for (int c = 0; c < in; c++)
                row[c] = (int8_t)rnd(-127, 127);
            if (in > 511) { /* two column groups, each interleaved on its own */
                lln_fx_interleave4(row, w + (size_t)r * in, in / 2);
                lln_fx_interleave4(row + in / 2, w + (size_t)r * in + in / 2, in - in / 2);
            } else {
                lln_fx_interleave4(row, w + (size_t)r * in, in);
            }
            m_all[l][r] = 759250125; /* 0.7071 * 2^30, over 2^(30 + shift_for) */
        }
        memset(&layer[l], 0, sizeof layer[l]);
        layer[l].in = (uint16_t)in;
        layer[l].out = (uint16_t)out;
        layer[l].w = w;
        layer[l].mult = m_all[l];
        layer[l].shift = (int8_t)(30 + shift_for(in > 511 ? in / 2 : in));
        if (in > 511) /* the second group has the first's scale (mult2 NULL) */
            layer[l].split = (uint16_t)(in / 2);
#if LLN_RTQ_W16 /* the runtime reads the same weights pre-widened to int16 (lln_rtq.h) */
        lln_rtq_dense_widen(w, layer[l].out, layer[l].in, layer[l].split, w16);
        layer[l].w = (const int8_t *)(const void *)w16;
        w16 += lln_rtq_dense_w16_words(layer[l].out, layer[l].in, layer[l].split);
#endif
        w += (size_t)in * out;
    }
}

static void inference(const int16_t *x, int16_t *y)
{
    const int16_t *src = x;
    for (int l = 0; l < NL; l++) {
        int16_t *dst = l % 2 ? buf_b : buf_a;
        if (l == NL - 1)
            dst = y;
        q_dense(&layer[l], src, src + layer[l].split, dst);
        if (l < NL - 1) /* ReLU */
            for (int i = 0; i < DIMS[l + 1]; i++)
                dst[i] = dst[i] < 0 ? 0 : dst[i];
        src = dst;
    }
}

int main(void)
{
    static int16_t x[640], y[640];
    setup();
    for (int i = 0; i < 640; i++)
        x[i] = (int16_t)rnd(0, 4000); /* log-mel features after the input scale: >= 0 */
    inference(x, y);
    lln_prof_begin();
    inference(x, y);
    lln_prof_end();
    long macs = 0;
    for (int l = 0; l < NL; l++)
        macs += (long)DIMS[l] * DIMS[l + 1];
    int live = 0;
    for (int i = 0; i < 640; i++)
        live += y[i] != 0 && y[i] != 32767 && y[i] != -32768;
    printf("macs %ld live %d\n", macs, live);
    return live > 0 ? 0 : 3;
}
