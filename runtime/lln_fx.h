/* liquid-edge fixed-point math: the integer foundation of the fixed-point firmware runtime.
 *
 * C99, integer only (no floating point, no libm, no malloc, no stdio, no writable globals;
 * tables are static const), so every result is bit-identical on every target and on the
 * host. lln_fx.c is the firmware part; lln_fx_host.c holds the host-only helpers that use
 * double (they are never needed on the target).
 *
 * Formats: Qm.n is a signed value v/2^n with m integer bits (int16 Q3.12: [-8, 8) in steps
 * of 1/4096). Weights are int8, states and activations int16, accumulators int32.
 *
 * Rounding: every rounded result is rounded to nearest, ties AWAY FROM ZERO (round(2.5) = 3,
 * round(-2.5) = -3), like C's round() and TFLite's RoundingDivideByPOT; results that do not
 * fit their type saturate. The code never shifts a negative value and never relies on signed
 * overflow, so it is exact C99 on any compiler (no implementation-defined behaviour except
 * two's-complement int types, which <stdint.h>'s exact-width types guarantee).
 *
 * Maximum absolute errors against the exact function, measured over all 65536 inputs by
 * tests/test_fx.c, in output LSBs (2^-15); the final rounding alone accounts for 0.5:
 *   lln_fx_sigmoid  0.536 LSB
 *   lln_fx_tanh     0.576 LSB; 0.993 where |tanh x| > 32767/32768 (|x| > 5.55: the output
 *                   saturates at +-32767)
 *   lln_fx_exp_neg  0.514 LSB for x > 0; 1.0 at x = 0 (exp(0) = 1 saturates at 32767)
 * All three are monotone (non-decreasing sigmoid/tanh, non-increasing exp), tanh is exactly
 * odd and sigmoid(-x) = 32768 - sigmoid(x) exactly.
 */
#ifndef LLN_FX_H
#define LLN_FX_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- saturation and rounding ---------------------------------------------------------- */
/* These are static inline: the fixed-point runtime calls them once or more per value, and a
 * call would cost as much as the work (measured on Cortex-M4 under QEMU). */

/* Helpers of the inline functions (not API). */
static inline int lln_fx__clamp(int v, int lo, int hi) { return v < lo ? lo : v > hi ? hi : v; }
static inline uint32_t lln_fx__abs32(int32_t x) { return x < 0 ? 0u - (uint32_t)x : (uint32_t)x; }
static inline uint64_t lln_fx__abs64(int64_t x) { return x < 0 ? 0u - (uint64_t)x : (uint64_t)x; }
/* sign * mag saturated to int32. */
static inline int32_t lln_fx__sat32(int negative, uint64_t mag)
{
    if (negative)
        return mag >= (uint64_t)1 << 31 ? INT32_MIN : -(int32_t)mag;
    return mag > (uint64_t)INT32_MAX ? INT32_MAX : (int32_t)mag;
}

#if defined(__ARM_FEATURE_DSP) && defined(__ARM_FEATURE_SIMD32)
#include <arm_acle.h>
#endif

/** x saturated to [INT16_MIN, INT16_MAX] (one SSAT on Armv7-M and later). */
static inline int16_t lln_fx_sat16(int32_t x)
{
#if defined(__ARM_FEATURE_SAT) && defined(__GNUC__)
    /* the builtin, not ACLE's __ssat macro: GCC 12's macro is a statement expression whose
     * result type trips -Wsign-conversion */
    return (int16_t)(int32_t)__builtin_arm_ssat(x, 16);
#else
    return (int16_t)(x > INT16_MAX ? INT16_MAX : x < INT16_MIN ? INT16_MIN : x);
#endif
}

/** a + b and a - b, saturated to int16. */
static inline int16_t lln_fx_add16(int16_t a, int16_t b) { return lln_fx_sat16((int32_t)a + b); }
static inline int16_t lln_fx_sub16(int16_t a, int16_t b) { return lln_fx_sat16((int32_t)a - b); }

/** x / 2^shift rounded to nearest, ties away from zero. shift in [0, 31] (values outside
 * are clamped to it); exact for every int32 x (the result never overflows). */
static inline int32_t lln_fx_rshift_round(int32_t x, int shift)
{
    int s = lln_fx__clamp(shift, 0, 31);
    uint32_t mag;
    if (s == 0)
        return x;
    /* |x| <= 2^31 and the half is <= 2^30: the sum fits uint32. */
    mag = (lln_fx__abs32(x) + ((uint32_t)1 << (s - 1))) >> s;
    return x < 0 ? -(int32_t)mag : (int32_t)mag;
}

/** Requantisation (TFLite-style multiplier, one rounding):
 *   round(acc * multiplier_q31 / 2^(31 + shift))
 * computed exactly in 64 bits, rounded to nearest with ties away from zero, then saturated
 * to int32. The real scale is multiplier_q31 * 2^-(31 + shift): a positive shift divides.
 * Any int32 acc and multiplier are exact; shift in [-31, 31] (clamped to it). The host makes
 * (multiplier, shift) from a real scale with lln_fx_quantize_multiplier (multiplier in
 * [2^30, 2^31)). No float, one 32x32->64 multiply. */
/* round(|a| |b| / 2^s) for s in [0, 62] (ties up: a magnitude), as uint32 when it fits,
 * else saturated to 2^31 (callers saturate further). One UMULL; for s >= 33 (the common case
 * of requantisation: multipliers ~2^30, real scales below 1/4) only the high word is
 * shifted: floor(mag / 2^(s-1)) = floor(hi / 2^(s-33)) exactly, as lo / 2^(s-1) < 2^-(s-33)
 * cannot carry the fraction of hi / 2^(s-33) past an integer. */
static inline uint32_t lln_fx__mulshift_mag(uint32_t a, uint32_t b, int s)
{
    uint64_t mag = (uint64_t)a * b;
    if (s >= 33)
        return (((uint32_t)(mag >> 32) >> (s - 33)) + 1u) >> 1;
    /* floor((mag + 2^(s-1)) / 2^s) = floor((floor(mag / 2^(s-1)) + 1) / 2) */
    if (s > 0)
        mag = ((mag >> (s - 1)) + 1u) >> 1;
    return mag > ((uint64_t)1 << 31) ? (uint32_t)1 << 31 : (uint32_t)mag;
}

static inline int32_t lln_fx_requant(int32_t acc, int32_t multiplier_q31, int shift)
{
    int s = 31 + lln_fx__clamp(shift, -31, 31); /* total right shift, [0, 62] */
    uint32_t mag = lln_fx__mulshift_mag(lln_fx__abs32(acc), lln_fx__abs32(multiplier_q31), s);
    return lln_fx__sat32((acc < 0) != (multiplier_q31 < 0), mag);
}

/** round(a * b / 2^s) (ties away from zero) saturated to int32, for s in [0, 62]: the
 * fixed-point product of two int32 with s fractional bits dropped. */
static inline int32_t lln_fx_mulshift(int32_t a, int32_t b, int s)
{
    uint32_t mag =
        lln_fx__mulshift_mag(lln_fx__abs32(a), lln_fx__abs32(b), lln_fx__clamp(s, 0, 62));
    return lln_fx__sat32((a < 0) != (b < 0), mag);
}

/** num * 2^frac_bits / den rounded to nearest (ties away from zero), saturated to int32,
 * computed exactly in 64 bits (for LTC's solver: (cm v + ...) / (cm + ...)). frac_bits in
 * [0, 31] (clamped to it). den is meant to be > 0; den < 0 is handled exactly too (the
 * quotient's sign follows num/den), and den == 0 returns INT32_MAX for num > 0, INT32_MIN for
 * num < 0 and 0 for num == 0 (the limit of a tiny positive den, never a trap). Uses a 32-bit
 * division when |num * 2^frac_bits| + den/2 fits 32 bits (hardware divide on M3/M4/M7/RV32M),
 * otherwise the compiler's 64-bit division routine. */
int32_t lln_fx_div_q(int32_t num, int32_t den, int frac_bits);

/* ---- nonlinearities --------------------------------------------------------------------- */

/** Input and output formats of the nonlinearities. */
#define LLN_FX_ACT_IN_FRAC 12 /**< sigmoid/tanh input: Q3.12 (int16, [-8, 8)) */
#define LLN_FX_EXP_IN_FRAC 11 /**< exp_neg input: Q4.11 (int16, [0, 16)) */
#define LLN_FX_OUT_FRAC 15    /**< outputs: Q0.15 (int16) */

/** sigmoid(x), x in Q3.12 (the whole int16 range, [-8, 8)), result in Q0.15, in
 * [0, 32767] (over this input range actually [11, 32757]). Cubic Hermite interpolation of
 * sigmoid(x) = (1 + tanh(x / 2)) / 2 on the tanh table (65 nodes, 1/8 apart). */
int16_t lln_fx_sigmoid(int16_t x_q12);

/** tanh(x), x in Q3.12, result in Q0.15 in [-32767, 32767] (odd: tanh(-x) = -tanh(x)).
 * Cubic Hermite interpolation between 65 nodes over [0, 8], slopes 1 - tanh^2 from the
 * node values (260 bytes of table). */
int16_t lln_fx_tanh(int16_t x_q12);

/** exp(-x) for x >= 0, x in Q4.11 ([0, 16)), result in Q0.15 in [0, 32767]; for CfC's pure
 * mode, exp(-dt (w_tau + |f1|)). x < 0 saturates to 32767 (exp(-x) > 1); x >= 12 gives 0
 * (exp(-12) = 0.2 LSB). Cubic Hermite between 97 nodes over [0, 12], slopes = -value
 * (388 bytes of table). */
int16_t lln_fx_exp_neg(int16_t x_q11);

/** Table of tanh(k / 16) in Q0.15 for k = 0..128 (the fast activations' nodes). */
extern const int16_t lln_fx_tanh_lut[129];

/* tanh(a / 2^12) in Q0.15 for a in [0, 32768]: linear interpolation between nodes 1/16
 * apart (256 input steps), rounded half up (non-negative terms). */
static inline int32_t lln_fx__tanh_pos_fast(uint32_t a)
{
    uint32_t k = a >> 8, f = a & 255u;
    int32_t t0, t1;
    if (k >= 128)
        return lln_fx_tanh_lut[128];
    t0 = lln_fx_tanh_lut[k];
    t1 = lln_fx_tanh_lut[k + 1];
    return t0 + (int32_t)(((uint32_t)(t1 - t0) * f + 128u) >> 8); /* t1 >= t0 */
}

/* lln_fx_tanh_fast for x in the int16 range held in an int32 (a value just saturated by SSAT
 * needs no sign extension first). */
static inline int32_t lln_fx__tanh_fast32(int32_t x_q12)
{
    int32_t t = lln_fx__tanh_pos_fast(lln_fx__abs32(x_q12));
    return x_q12 < 0 ? -t : t;
}

/** Fast tanh(x): x in Q3.12, result in Q0.15, odd, monotone; linear interpolation on
 * lln_fx_tanh_lut (258 bytes). Max error 12.8 LSB (2^-15) (tests/test_fx.c, exhaustive):
 * far below an int8 weight's resolution, at a fifth of lln_fx_tanh's cost. The fixed-point
 * runtime uses it and lln_fx_sigmoid_lut. */
static inline int16_t lln_fx_tanh_fast(int16_t x_q12)
{
    return (int16_t)lln_fx__tanh_fast32(x_q12);
}

/** Table of sigmoid((k - 128) / 16) in Q0.15 for k = 0..257 (lln_fx_sigmoid_lut's nodes). */
extern const int16_t lln_fx_sigmoid_lut_nodes[258];

/* lln_fx_sigmoid_lut for x in the int16 range held in an int32. */
static inline int32_t lln_fx__sigmoid_lut32(int32_t x_q12)
{
    uint32_t a = (uint32_t)(x_q12 + 32768); /* [0, 65535] */
    uint32_t k = a >> 8, f = a & 255u;
    int32_t t0 = lln_fx_sigmoid_lut_nodes[k], t1 = lln_fx_sigmoid_lut_nodes[k + 1];
    return t0 + (int32_t)(((uint32_t)(t1 - t0) * f + 128u) >> 8); /* t1 >= t0 */
}

/** Fastest sigmoid(x): x in Q3.12, result in Q0.15, monotone: one index, two loads, one
 * multiply-add (linear interpolation between nodes 1/16 apart over [-8, 8), 516 bytes of
 * table). Max error 2.2 LSB (exhaustive, tests/test_fx.c). The runtime's sigmoid (LTC
 * synapses, the hottest loop; CfC time gates; SiLU). */
static inline int16_t lln_fx_sigmoid_lut(int16_t x_q12)
{
    return (int16_t)lln_fx__sigmoid_lut32(x_q12);
}

/** Table of sigmoid((k - 64) / 8) in Q0.15 for k = 0..128 (lln_fx__sigmoid8_32's nodes). */
extern const int16_t lln_fx_sigmoid8_nodes[129];

/* sigmoid(x) for x in Q3.12 (the int16 range held in an int32), result in Q0.15, monotone:
 * linear interpolation between nodes 1/8 apart over [-8, 8] (258 bytes of table, half of
 * lln_fx_sigmoid_lut's). Max error 6.75 LSB (exhaustive, tests/test_fx.c). The CfC gate's
 * sigmoid and tanh (lln_rtq_spec.h): one small table for a CfC without backbone. */
static inline int32_t lln_fx__sigmoid8_32(int32_t x_q12)
{
    uint32_t a = (uint32_t)(x_q12 + 32768); /* [0, 65535] */
    uint32_t k = a >> 9, f = a & 511u;
    int32_t t0 = lln_fx_sigmoid8_nodes[k], t1 = lln_fx_sigmoid8_nodes[k + 1];
    return t0 + (int32_t)(((uint32_t)(t1 - t0) * f + 256u) >> 9); /* t1 >= t0 */
}

/** lln_fx_sigmoid_lut's nodes in pairs, one word a segment: word k holds node k in its low half
 * and node k + 1 - node k (in [0, 512]) in its high half, k = 0..255 (1,024 bytes). */
extern const uint32_t lln_fx_sigmoid_pk_nodes[256];

/** lln_fx_sigmoid_lut(x) bit for bit, from the biased index a = x + 32768 in [0, 65535]: one
 * table load instead of two and no sign extension (the LTC synapses' sigmoid: a caller that
 * saturates its argument folds the bias into that clamp). Returns [11, 32757]. */
static inline uint32_t lln_fx_sigmoid_pk(uint32_t a)
{
    uint32_t pk = lln_fx_sigmoid_pk_nodes[a >> 8]; /* < 2^26 */
#if defined(__ARM_FEATURE_DSP) && defined(__ARM_FEATURE_SIMD32) && !defined(__ARM_BIG_ENDIAN)
    /* SMLATB: the high half times the low half plus 128, one instruction */
    return (pk & 0xFFFFu) + ((uint32_t)__smlatb((int32_t)pk, (int32_t)(a & 255u), 128) >> 8);
#else
    return (pk & 0xFFFFu) + (((pk >> 16) * (a & 255u) + 128u) >> 8);
#endif
}

/* ---- dot product ------------------------------------------------------------------------ */

/** sum_i w[i] * x[i] for i < n (n <= 0: 0), int8 weights times int16 activations.
 * Accumulates modulo 2^32 and returns the sum as two's complement: exact (no wrap) whenever
 * the true sum fits int32, which is guaranteed for n <= 511 with any values (each product is
 * at most 128 * 32768 = 2^22 in magnitude) and for n <= 516 with |w| <= 127 and
 * |x| <= 32767 (4,161,409 each). Longer rows must be split by the caller. Wrapping (rather
 * than saturating) is what SMLAD does, so the DSP version below is bit-identical to the
 * plain one for every input, even past the bound.
 * On Arm cores with the DSP extension (__ARM_FEATURE_DSP: M4, M7, M33, M55) this is the
 * SMLAD version (two MACs per instruction); elsewhere it is lln_fx_dot_s8_s16_ref. */
int32_t lln_fx_dot_s8_s16(const int8_t *w, const int16_t *x, int n);

/** The plain C reference of lln_fx_dot_s8_s16, on every target (for tests). */
int32_t lln_fx_dot_s8_s16_ref(const int8_t *w, const int16_t *x, int n);

/** Plain C reference of lln_fx_dot_s8i_s16 (same interleaved layout). */
int32_t lln_fx_dot_s8i_s16_ref(const int8_t *w, const int16_t *x, int n);

#if defined(__ARM_FEATURE_DSP) && defined(__ARM_FEATURE_SIMD32) && !defined(__ARM_BIG_ENDIAN)
/* DSP helpers, also for Helium cores (which have the DSP extension too; the shape-specialised
 * kernels of lln_rtq_spec.h use them there). */
/* uint32 -> int32 as two's complement (not API). */
static inline int32_t lln_fx__u2s(uint32_t u)
{
    return u <= (uint32_t)INT32_MAX ? (int32_t)u : -(int32_t)(~u) - 1;
}

/* SXTB16 of w rotated right by 8 bits: the sign-extended bytes 1 and 3, (w1, w3) of an
 * interleaved group, in one instruction (GCC 12 does not fold the rotation into SXTB16 by
 * itself, and ACLE has no intrinsic for the rotated form). */
static inline int32_t lln_fx__sxtb16_ror8(uint32_t w)
{
#if defined(__GNUC__)
    int32_t r;
    __asm__("sxtb16 %0, %1, ror #8" : "=r"(r) : "r"(w));
    return r;
#else
    return __sxtb16(lln_fx__u2s((w >> 8) | (w << 24)));
#endif
}
#endif

#if defined(__ARM_FEATURE_MVE) && !defined(__ARM_BIG_ENDIAN)
#include <arm_mve.h>

/* Helium (MVE, Cortex-M55/M85) versions of the two interleaved dot products: eight int8 weights
 * sign-extended to int16 lanes by one widening load, the activations gathered in the order
 * that undoes the weights' (w0, w2, w1, w3) interleave, and one VMLADAVA adding the eight
 * products to a 32-bit accumulator modulo 2^32 (so the result is the reference's bit for bit,
 * as with SMLAD). The row tail (fewer than 8 weights) runs as one predicated step: lanes past
 * the end are neither loaded nor added. Lane k of the weights meets x[off[k]]: both groups of
 * four interleaved (a full step), only the first (4 to 7 left), none (fewer than 4 left). */
static const uint16_t lln_fx__mve_off[3][8] = {
    {0, 2, 1, 3, 4, 6, 5, 7}, {0, 2, 1, 3, 4, 5, 6, 7}, {0, 1, 2, 3, 4, 5, 6, 7}};

/** See the DSP version below; here eight MACs per VMLADAVA. */
static inline int32_t lln_fx_dot_s8i_s16(const int8_t *w, const int16_t *x, int n)
{
    int32_t acc = 0;
    int i = 0;
    uint16x8_t off = vld1q_u16(lln_fx__mve_off[0]);
    for (; i + 8 <= n; i += 8)
        acc = vmladavaq_s16(acc, vldrbq_s16(w + i), vldrhq_gather_shifted_offset_s16(x + i, off));
    if (i < n) {
        mve_pred16_t p = vctp16q((uint32_t)(n - i));
        uint16x8_t o = vld1q_u16(lln_fx__mve_off[n - i >= 4 ? 1 : 2]);
        acc = vmladavaq_s16(acc, vldrbq_z_s16(w + i, p),
                            vldrhq_gather_shifted_offset_z_s16(x + i, o, p));
    }
    return acc;
}

/** See the DSP version below; the activation gather is shared by the two rows. */
static inline void lln_fx_dot2_s8i_s16(const int8_t *w0, const int8_t *w1, const int16_t *x, int n,
                                       int32_t *acc0, int32_t *acc1)
{
    int32_t a0 = 0, a1 = 0;
    int i = 0;
    uint16x8_t off = vld1q_u16(lln_fx__mve_off[0]);
    for (; i + 8 <= n; i += 8) {
        int16x8_t xv = vldrhq_gather_shifted_offset_s16(x + i, off);
        a0 = vmladavaq_s16(a0, vldrbq_s16(w0 + i), xv);
        a1 = vmladavaq_s16(a1, vldrbq_s16(w1 + i), xv);
    }
    if (i < n) {
        mve_pred16_t p = vctp16q((uint32_t)(n - i));
        uint16x8_t o = vld1q_u16(lln_fx__mve_off[n - i >= 4 ? 1 : 2]);
        int16x8_t xv = vldrhq_gather_shifted_offset_z_s16(x + i, o, p);
        a0 = vmladavaq_s16(a0, vldrbq_z_s16(w0 + i, p), xv);
        a1 = vmladavaq_s16(a1, vldrbq_z_s16(w1 + i, p), xv);
    }
    *acc0 = a0;
    *acc1 = a1;
}
#elif defined(__ARM_FEATURE_DSP) && defined(__ARM_FEATURE_SIMD32) && !defined(__ARM_BIG_ENDIAN)
#include <string.h>

/* Four weights (w0, w2, w1, w3) against x[0..3] added to acc: two SXTB16, two SMLAD. */
static inline int32_t lln_fx__mac4i(uint32_t w4, const int16_t *x, int32_t acc)
{
    uint32_t x01, x23;
    memcpy(&x01, x, sizeof x01);
    memcpy(&x23, x + 2, sizeof x23);
    acc = __smlad(__sxtb16(lln_fx__u2s(w4)), lln_fx__u2s(x01), acc);
    return __smlad(lln_fx__sxtb16_ror8(w4), lln_fx__u2s(x23), acc);
}

/** The same sum as lln_fx_dot_s8_s16 with the weights of every complete group of four stored
 * interleaved as (w0, w2, w1, w3) (the tail of n % 4 weights in order; lln_fx_interleave4
 * makes the layout). On DSP cores one SXTB16 then yields the pair (w0, w1) matching the
 * activations' natural pair (x0, x1), so four MACs cost one weight load, two activation
 * loads, two SXTB16 and two SMLAD. Inline: the runtime calls it once per output row, and a
 * call costs as much as a short row. Bit-identical to lln_fx_dot_s8i_s16_ref for every input
 * (SMLAD wraps modulo 2^32 like the reference's sum). */
static inline int32_t lln_fx_dot_s8i_s16(const int8_t *w, const int16_t *x, int n)
{
    int32_t acc = 0;
    int i = 0;
    for (; i + 8 <= n; i += 8) {
        uint32_t wa, wb; /* two scalars: an array would go through the stack */
        memcpy(&wa, w + i, sizeof wa);
        memcpy(&wb, w + i + 4, sizeof wb);
        acc = lln_fx__mac4i(wa, x + i, acc);
        acc = lln_fx__mac4i(wb, x + i + 4, acc);
    }
    if (i + 4 <= n) {
        uint32_t w4;
        memcpy(&w4, w + i, sizeof w4);
        acc = lln_fx__mac4i(w4, x + i, acc);
        i += 4;
    }
    for (; i < n; i++)
        acc = lln_fx__u2s((uint32_t)acc + (uint32_t)((int32_t)w[i] * x[i]));
    return acc;
}

/** Two rows at once (w0 and w1, both interleaved, against the same x): the activation loads
 * are shared, 1.75 instructions a MAC instead of 2.5. *acc0 and *acc1 receive exactly
 * lln_fx_dot_s8i_s16(w0, x, n) and lln_fx_dot_s8i_s16(w1, x, n). */
static inline void lln_fx_dot2_s8i_s16(const int8_t *w0, const int8_t *w1, const int16_t *x, int n,
                                       int32_t *acc0, int32_t *acc1)
{
    int32_t a0 = 0, a1 = 0;
    int i = 0;
    for (; i + 4 <= n; i += 4) {
        uint32_t wa, wb, x01, x23;
        memcpy(&wa, w0 + i, sizeof wa);
        memcpy(&wb, w1 + i, sizeof wb);
        memcpy(&x01, x + i, sizeof x01);
        memcpy(&x23, x + i + 2, sizeof x23);
        int32_t xl = lln_fx__u2s(x01), xh = lln_fx__u2s(x23);
        a0 = __smlad(__sxtb16(lln_fx__u2s(wa)), xl, a0);
        a1 = __smlad(__sxtb16(lln_fx__u2s(wb)), xl, a1);
        a0 = __smlad(lln_fx__sxtb16_ror8(wa), xh, a0);
        a1 = __smlad(lln_fx__sxtb16_ror8(wb), xh, a1);
    }
    for (; i < n; i++) {
        a0 = lln_fx__u2s((uint32_t)a0 + (uint32_t)((int32_t)w0[i] * x[i]));
        a1 = lln_fx__u2s((uint32_t)a1 + (uint32_t)((int32_t)w1[i] * x[i]));
    }
    *acc0 = a0;
    *acc1 = a1;
}
#else
/** See the DSP version above; elsewhere the plain reference. */
static inline int32_t lln_fx_dot_s8i_s16(const int8_t *w, const int16_t *x, int n)
{
    return lln_fx_dot_s8i_s16_ref(w, x, n);
}

/** See the DSP version above; elsewhere the plain reference, twice. */
static inline void lln_fx_dot2_s8i_s16(const int8_t *w0, const int8_t *w1, const int16_t *x, int n,
                                       int32_t *acc0, int32_t *acc1)
{
    *acc0 = lln_fx_dot_s8i_s16_ref(w0, x, n);
    *acc1 = lln_fx_dot_s8i_s16_ref(w1, x, n);
}
#endif

/** Writes the n weights of src into dst in lln_fx_dot_s8i_s16's interleaved layout. */
void lln_fx_interleave4(const int8_t *src, int8_t *dst, int n);

/* ---- host-only (lln_fx_host.c, uses double; not for the firmware) ----------------------- */

/** (multiplier, shift) for lln_fx_requant with multiplier * 2^-(31 + shift) = scale to
 * within half a unit of the multiplier's last place: multiplier in [2^30, 2^31), shift in
 * [-31, 31]. Scales below 2^-32 (where every int32 requantises to 0 or +-1) use shift 31
 * and a smaller multiplier (0 for scale 0). Returns 0, or -1 when scale is negative, not
 * finite, or >= 2^31 (outputs untouched). */
int lln_fx_quantize_multiplier(double scale, int32_t *multiplier_q31, int *shift);

#ifdef __cplusplus
}
#endif

#endif
