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

/** x saturated to [INT16_MIN, INT16_MAX]. */
int16_t lln_fx_sat16(int32_t x);

/** a + b and a - b, saturated to int16. */
int16_t lln_fx_add16(int16_t a, int16_t b);
int16_t lln_fx_sub16(int16_t a, int16_t b);

/** x / 2^shift rounded to nearest, ties away from zero. shift in [0, 31] (values outside
 * are clamped to it); exact for every int32 x (the result never overflows). */
int32_t lln_fx_rshift_round(int32_t x, int shift);

/** Requantisation (TFLite-style multiplier, one rounding):
 *   round(acc * multiplier_q31 / 2^(31 + shift))
 * computed exactly in 64 bits, rounded to nearest with ties away from zero, then saturated
 * to int32. The real scale is multiplier_q31 * 2^-(31 + shift): a positive shift divides.
 * Any int32 acc and multiplier are exact; shift in [-31, 31] (clamped to it). The host makes
 * (multiplier, shift) from a real scale with lln_fx_quantize_multiplier (multiplier in
 * [2^30, 2^31)). No float, one 32x32->64 multiply. */
int32_t lln_fx_requant(int32_t acc, int32_t multiplier_q31, int shift);

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
