/* liquid-edge fixed-point math (see lln_fx.h for formats, rounding and error bounds).
 *
 * Integer only: no float or double anywhere in this file, so the firmware needs no FPU and
 * no soft-float routines, and host and target compute the same bits. Signed values are
 * never shifted when negative (magnitudes are shifted as unsigned), so no result depends
 * on implementation-defined behaviour.
 */
#include "lln_fx.h"

#if defined(__ARM_FEATURE_DSP) && defined(__ARM_FEATURE_SIMD32) && !defined(__ARM_BIG_ENDIAN)
#include <arm_acle.h>
#include <string.h>
#define LLN_FX_DSP 1
#endif

/* uint32 -> int32 as two's complement, without implementation-defined conversion. */
static int32_t fx_u2s(uint32_t u)
{
    return u <= (uint32_t)INT32_MAX ? (int32_t)u : -(int32_t)(~u) - 1;
}

/* |x| as uint32 (INT32_MIN gives 2^31). */
static uint32_t fx_abs32(int32_t x) { return x < 0 ? 0u - (uint32_t)x : (uint32_t)x; }

/* |x| as uint64 (INT64_MIN gives 2^63). */
static uint64_t fx_abs64(int64_t x) { return x < 0 ? 0u - (uint64_t)x : (uint64_t)x; }

/* sign * mag saturated to int32. */
static int32_t fx_signed_sat32(int negative, uint64_t mag)
{
    if (negative)
        return mag >= (uint64_t)1 << 31 ? INT32_MIN : -(int32_t)mag;
    return mag > (uint64_t)INT32_MAX ? INT32_MAX : (int32_t)mag;
}

/* floor(x / 2^s) for s in [0, 31], for any sign, without shifting a negative value. */
static int32_t fx_asr(int32_t x, int s)
{
    return x >= 0 ? (int32_t)((uint32_t)x >> s) : -(int32_t)(~(uint32_t)x >> s) - 1;
}

static int fx_clamp(int v, int lo, int hi) { return v < lo ? lo : v > hi ? hi : v; }

int16_t lln_fx_sat16(int32_t x)
{
    return (int16_t)(x > INT16_MAX ? INT16_MAX : x < INT16_MIN ? INT16_MIN : x);
}

int16_t lln_fx_add16(int16_t a, int16_t b) { return lln_fx_sat16((int32_t)a + b); }

int16_t lln_fx_sub16(int16_t a, int16_t b) { return lln_fx_sat16((int32_t)a - b); }

int32_t lln_fx_rshift_round(int32_t x, int shift)
{
    int s = fx_clamp(shift, 0, 31);
    uint32_t mag;
    if (s == 0)
        return x;
    /* |x| <= 2^31 and the half is <= 2^30: the sum fits uint32. */
    mag = (fx_abs32(x) + ((uint32_t)1 << (s - 1))) >> s;
    return x < 0 ? -(int32_t)mag : (int32_t)mag;
}

int32_t lln_fx_requant(int32_t acc, int32_t multiplier_q31, int shift)
{
    int s = 31 + fx_clamp(shift, -31, 31); /* total right shift, [0, 62] */
    int64_t p = (int64_t)acc * multiplier_q31; /* |p| <= 2^62: exact */
    uint64_t mag = fx_abs64(p);
    if (s > 0)
        mag = (mag + ((uint64_t)1 << (s - 1))) >> s; /* <= 2^62 + 2^61: no overflow */
    return fx_signed_sat32(p < 0, mag);
}

int32_t lln_fx_div_q(int32_t num, int32_t den, int frac_bits)
{
    int f = fx_clamp(frac_bits, 0, 31);
    /* |num| * 2^f <= 2^62: exact (a multiplication, as left shifts of negatives are UB). */
    uint64_t n = (uint64_t)fx_abs32(num) << f;
    uint64_t d = fx_abs32(den);
    uint64_t q;
    int negative = (num < 0) != (den < 0);
    if (num == 0)
        return 0;
    if (d == 0)
        return num > 0 ? INT32_MAX : INT32_MIN;
    /* n/d rounded half away from zero: floor((n + floor(d/2)) / d). A tie needs an even d,
     * where d/2 is exact; for odd d there is no tie and floor(d/2) < d/2 rounds right. */
    if (n + d / 2 <= UINT32_MAX)
        q = (uint32_t)(n + d / 2) / (uint32_t)d; /* 32-bit divide: hardware on most MCUs */
    else
        q = (n + d / 2) / d;
    return fx_signed_sat32(negative, q);
}

/* ---- nonlinearities --------------------------------------------------------------------- */

/* tanh(k/8) in Q16 for k = 0..64, rounded, clamped to 65535 (k >= 46). */
static const uint16_t fx_tanh_q16[65] = {
    0,     8150,  16051, 23485, 30285, 36346, 41625, 46131, 49912, 53038, 55593, 57660, 59320,
    60643, 61694, 62524, 63179, 63693, 64096, 64412, 64659, 64852, 65003, 65120, 65212, 65283,
    65339, 65383, 65417, 65443, 65464, 65480, 65492, 65502, 65509, 65515, 65520, 65523, 65526,
    65528, 65530, 65531, 65532, 65533, 65534, 65534, 65535, 65535, 65535, 65535, 65535, 65535,
    65535, 65535, 65535, 65535, 65535, 65535, 65535, 65535, 65535, 65535, 65535, 65535, 65535,
};

/* exp(-k/8) in Q16 for k = 0..96, rounded; entry 0 (1.0 = 65536) does not fit and is read
 * as 65536 by fx_exp_node. */
static const uint16_t fx_exp_q16[97] = {
    65535, 57835, 51039, 45042, 39750, 35079, 30957, 27319, 24109, 21276, 18776, 16570, 14623,
    12905, 11388, 10050, 8869,  7827,  6907,  6096,  5380,  4747,  4190,  3697,  3263,  2879,
    2541,  2243,  1979,  1746,  1541,  1360,  1200,  1059,  935,   825,   728,   642,   567,
    500,   442,   390,   344,   303,   268,   236,   209,   184,   162,   143,   127,   112,
    99,    87,    77,    68,    60,    53,    47,    41,    36,    32,    28,    25,    22,
    19,    17,    15,    13,    12,    10,    9,     8,     7,     6,     6,     5,     4,
    4,     3,     3,     3,     2,     2,     2,     2,     1,     1,     1,     1,     1,
    1,     1,     1,     1,     0,     0,
};

/* Cubic Hermite interpolation on one segment of width h = 1/8:
 *   p(u) = y0 + u (g0 + u (3D - 2 g0 - g1 + u (g0 + g1 - 2D))),  D = y1 - y0,
 * with u = frac / 2^ub in [0, 1), node values y in Q16 and g = h * f'(node) in Q19
 * (= f' in Q16, as h = 2^-3). Result in Q19. All terms stay below 2^20, so r * frac
 * (frac < 2^10) fits int32. */
static int32_t fx_hermite(int32_t y0, int32_t y1, int32_t g0, int32_t g1, int32_t frac, int ub)
{
    int32_t d = (y1 - y0) * 8;
    int32_t r = g0 + g1 - 2 * d;
    r = 3 * d - 2 * g0 - g1 + fx_asr(r * frac, ub);
    r = g0 + fx_asr(r * frac, ub);
    return y0 * 8 + fx_asr(r * frac, ub);
}

/* tanh'(x) = 1 - tanh(x)^2 in Q16 from tanh(x) in Q16 (t <= 65535: t * t fits uint32). */
static int32_t fx_tanh_slope(uint32_t t) { return 65536 - (int32_t)((t * t + 32768u) >> 16); }

/* p clamped to [0, 2^19] (1.0 in Q19), against a cubic's overshoot between rounded nodes. */
static uint32_t fx_unit_q19(int32_t p)
{
    return p < 0 ? 0u : p > (1 << 19) ? 1u << 19 : (uint32_t)p;
}

/* tanh(a / 2^13) in Q19, in [0, 2^19], for a in [0, 65536] (Q3.13, [0, 8]). */
static uint32_t fx_tanh_pos_q19(uint32_t a)
{
    uint32_t k = a >> 10, t0, t1;
    if (k >= 64)
        return (uint32_t)fx_tanh_q16[64] * 8u;
    t0 = fx_tanh_q16[k];
    t1 = fx_tanh_q16[k + 1];
    return fx_unit_q19(fx_hermite((int32_t)t0, (int32_t)t1, fx_tanh_slope(t0),
                                  fx_tanh_slope(t1), (int32_t)(a & 1023u), 10));
}

int16_t lln_fx_tanh(int16_t x_q12)
{
    /* Q3.12 -> Q3.13; Q19 -> Q15 rounded (p >= 0: half up = half away from zero). */
    uint32_t mag = (fx_tanh_pos_q19(fx_abs32(x_q12) << 1) + 8u) >> 4;
    int32_t t = mag > 32767u ? 32767 : (int32_t)mag;
    return (int16_t)(x_q12 < 0 ? -t : t);
}

int16_t lln_fx_sigmoid(int16_t x_q12)
{
    /* sigmoid(x) = (1 + tanh(x/2)) / 2; x/2 in Q3.13 has the same integer as x in Q3.12.
     * (2^19 +- p) / 2 in Q19 = (2^19 +- p) / 2^5 in Q15, a non-negative numerator. */
    uint32_t p = fx_tanh_pos_q19(fx_abs32(x_q12));
    uint32_t num = x_q12 < 0 ? (1u << 19) - p : (1u << 19) + p;
    uint32_t s = (num + 16u) >> 5;
    return (int16_t)(s > 32767u ? 32767u : s);
}

static int32_t fx_exp_node(uint32_t k) { return k == 0 ? 65536 : (int32_t)fx_exp_q16[k]; }

int16_t lln_fx_exp_neg(int16_t x_q11)
{
    uint32_t k, p;
    int32_t y0, y1;
    if (x_q11 <= 0)
        return 32767; /* exp(0) = 1 and exp(-x) > 1 for x < 0: saturated */
    k = (uint32_t)x_q11 >> 8; /* nodes 1/8 apart: 256 units of Q4.11 */
    if (k >= 96)
        return 0;
    y0 = fx_exp_node(k);
    y1 = fx_exp_node(k + 1);
    /* exp' = -exp: the slopes are the negated node values. */
    p = fx_unit_q19(fx_hermite(y0, y1, -y0, -y1, (int32_t)((uint32_t)x_q11 & 255u), 8));
    p = (p + 8u) >> 4;
    return (int16_t)(p > 32767u ? 32767u : p);
}

/* ---- dot product ------------------------------------------------------------------------ */

int32_t lln_fx_dot_s8_s16_ref(const int8_t *w, const int16_t *x, int n)
{
    uint32_t acc = 0; /* modulo 2^32, like SMLAD's accumulator */
    int i;
    for (i = 0; i < n; i++)
        acc += (uint32_t)((int32_t)w[i] * x[i]); /* |product| <= 2^22: exact */
    return fx_u2s(acc);
}

#ifdef LLN_FX_DSP
/* Two int16 lanes in one word: lo in bits 0..15, hi in bits 16..31 (SMLAD's layout). */
static uint32_t fx_pack16(int32_t lo, int32_t hi)
{
    return ((uint32_t)lo & 0xFFFFu) | ((uint32_t)hi << 16);
}

int32_t lln_fx_dot_s8_s16(const int8_t *w, const int16_t *x, int n)
{
    int32_t acc = 0;
    int i = 0;
    /* Four MACs per iteration: the int8 weights sign-extended in pairs (w0,w1), (w2,w3), the
     * int16 activations read two at a time (memcpy: no alignment assumption, one LDR). */
    for (; i + 4 <= n; i += 4) {
        uint32_t x01, x23;
        memcpy(&x01, x + i, sizeof x01);
        memcpy(&x23, x + i + 2, sizeof x23);
        acc = __smlad(fx_pack16(w[i], w[i + 1]), x01, acc);
        acc = __smlad(fx_pack16(w[i + 2], w[i + 3]), x23, acc);
    }
    for (; i < n; i++)
        acc = fx_u2s((uint32_t)acc + (uint32_t)((int32_t)w[i] * x[i]));
    return acc;
}
#else
int32_t lln_fx_dot_s8_s16(const int8_t *w, const int16_t *x, int n)
{
    return lln_fx_dot_s8_s16_ref(w, x, n);
}
#endif
