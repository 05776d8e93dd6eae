/* liquid-edge fixed-point runtime: inline kernels shared by lln_rtq.c and by the CfC step that
 * `lln export` specialises for one model's shapes.
 *
 * The requantisation, the shift and the CfC gate below are the only copies of that arithmetic:
 * the generic runtime (lln_rtq.c, the host reference of `lln verify`) and the specialised step
 * both call them, so both compute the same bits by construction. The specialised step differs
 * only in how it forms the dot products (every shape a compile-time constant, the activations
 * packed once per layer, zero padding instead of scalar tails), and a dot product is a sum
 * modulo 2^32 of the same int8 x int16 products, whose order does not change its value.
 *
 * C99, integer only, no writable globals. Every function is always inlined: called with
 * literal shapes (as the generated code does), the loops over a row's words unroll completely
 * and the branches on the shape vanish. */
#ifndef LLN_RTQ_SPEC_H
#define LLN_RTQ_SPEC_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "lln_fx.h"
#include "lln_rtq.h"

#if defined(__GNUC__)
#define LLN_RTQ__INLINE static inline __attribute__((always_inline))
#else
#define LLN_RTQ__INLINE static inline
#endif

/* Cold or shared code: one copy per file, not inlined. */
#if defined(__GNUC__) /* one copy, and no warning in files that do not call it */
#define LLN_RTQ__NOINLINE static __attribute__((noinline, unused))
#else
#define LLN_RTQ__NOINLINE static inline
#endif

/* Widest first layer (columns of [input, h]) the specialised step takes: its packed
 * activations live in registers or on the stack (LLN_RTQ_SPEC_MAX_IN / 2 words). */
#define LLN_RTQ_SPEC_MAX_IN 64

/* ---- requantisation ------------------------------------------------------------------------ */

/* rq(p, s) = floor(p / 2^s + 1/2) for |p| < 2^62 and s in [1, 62]: the requantisation of
 * lln_rtq.h. For s >= 33 (multipliers are chosen so; the usual case) only the high word h =
 * floor(p / 2^32) is needed: floor((h + 2^(s-33)) / 2^(s-32)) (successive floors of divisions
 * by powers of two compose exactly), computed on h + B as unsigned (B a multiple of 2^(s-32)
 * near 2^31: a monotone map of the signed range, |h| < 2^30) so no negative value is shifted:
 * h + add, a shift, - sub, with the constants of lln_rtq__rq_prep or lln_rtq__rq_prep_imm
 * (one SMULL before it, three instructions here). The result then
 * has |r| < 2^30, which with |bias| <= 2^23 stays in 32 bits and saturates to int16 as the
 * clamp at +-2^24 of the 64-bit path below would. Smaller s (large scales) take that path. */
typedef struct {
    int s, k;
    uint32_t add;
    int32_t sub;
} lln_rtq__rq_t;

LLN_RTQ__INLINE lln_rtq__rq_t lln_rtq__rq_prep(int s)
{
    lln_rtq__rq_t r = {s, s - 32, 0, 0};
    if (s >= 33) { /* B = 2^31 */
        r.add = 0x80000000u + (1u << (r.k - 1));
        r.sub = (int32_t)(0x80000000u >> r.k);
    }
    return r;
}

/* The same rq with, for k <= 16, B chosen so that add is one of Thumb-2's immediates
 * (0xXYXYXYXY, 0xXY00XY00): one ADD instead of two where s is a compile-time constant (the
 * specialised step); with a run-time s the choice costs more than it saves (lln_rtq__rq_prep).
 * Any B gives the same results: B is a multiple of 2^k in [2^30, 3 2^30 - 2^(k-1)], so h + add
 * stays in [0, 2^32). */
LLN_RTQ__INLINE lln_rtq__rq_t lln_rtq__rq_prep_imm(int s)
{
    lln_rtq__rq_t r = lln_rtq__rq_prep(s);
    if (s >= 33 && r.k <= 16) {
        uint32_t h = 1u << (r.k - 1);
        if (r.k <= 8)
            r.add = (0x40u + ((h - 0x40u) & ((1u << r.k) - 1u))) * 0x01010101u;
        else
            r.add = (0x40u + (((h >> 8) - 0x40u) & ((1u << (r.k - 8)) - 1u))) * 0x01000100u;
        r.sub = (int32_t)((r.add - h) >> r.k);
    }
    return r;
}

/* rq for s < 33 (large scales: rare), on the 64-bit value, clamped at +-2^24: out of line, as
 * its 64-bit shifts by a run-time s are long code and the usual s >= 33 never reaches it. */
LLN_RTQ__NOINLINE int32_t lln_rtq__rq_wide(int64_t p, int s)
{
    int64_t v = p + ((int64_t)1 << (s - 1));
    uint64_t mag = v >= 0 ? (uint64_t)v >> s : ((0u - (uint64_t)v) + ((uint64_t)1 << s) - 1u) >> s;
    int32_t r = mag > (1u << 24) ? 1 << 24 : (int32_t)mag;
    return v >= 0 ? r : -r;
}

LLN_RTQ__INLINE int32_t lln_rtq__rq(int64_t p, lln_rtq__rq_t c)
{
#if defined(__GNUC__)
    /* GCC and Clang define >> of a negative value as the arithmetic shift (floor): the same
     * value as below in two instructions, with no constant to subtract (so a row's bias alone
     * can follow, as int16 where it fits) */
    if (c.s >= 33)
        return ((int32_t)(p >> 32) + (int32_t)(1u << (c.k - 1))) >> c.k;
#else
    if (c.s >= 33)
        return (int32_t)(((uint32_t)((uint64_t)p >> 32) + c.add) >> c.k) - c.sub;
#endif
    return lln_rtq__rq_wide(p, c.s);
}

/* x * 2^-s rounded (s > 0) or x * 2^-s saturated (s < 0), as int32. */
LLN_RTQ__INLINE int32_t lln_rtq__shift(int32_t x, int s)
{
    if (s >= 0)
        return lln_fx_rshift_round(x, s);
    int64_t v = (int64_t)x * ((int64_t)1 << (s < -31 ? 31 : -s));
    return v > INT32_MAX ? INT32_MAX : v < INT32_MIN ? INT32_MIN : (int32_t)v;
}

/* One element of an affine map (lln_rtq_affine_t; rq prepared for its shift): x enters as
 * x 2^16, so factors up to 2^13 keep rq's one-word path. */
LLN_RTQ__INLINE int16_t lln_rtq__affine1(int16_t x, int32_t mult, lln_rtq__rq_t rq, int32_t bias)
{
    return lln_fx_sat16(lln_rtq__rq((int64_t)((int32_t)x * 65536) * mult, rq) + bias);
}

/* x saturated to the int16 range, kept in an int32 (one SSAT on Armv7-M and later). */
LLN_RTQ__INLINE int32_t lln_rtq__sat(int32_t x)
{
#if defined(__ARM_FEATURE_SAT) && defined(__GNUC__)
    return (int32_t)__builtin_arm_ssat(x, 16);
#else
    return x > INT16_MAX ? INT16_MAX : x < INT16_MIN ? INT16_MIN : x;
#endif
}

/* ---- the CfC gate ---------------------------------------------------------------------------- */

/* Constants of the time gate's argument time_a dt + time_b in Q3.12: time_a dt (S = t_frac +
 * dt_frac - 12 fractional bits to drop) rounded once, time_a first scaled by 2^k (|time_a| 2^k
 * <= 2^30) so that S + k reaches 33 where it can (rq's one-word path; the quantizer keeps
 * S >= -14), plus time_b 2^(12 - t_frac), exact as the quantizer keeps t_frac in [-3, 12]. */
typedef struct {
    lln_rtq__rq_t rq;
    int32_t ka, tb_mul;
} lln_rtq__tgate_t;

LLN_RTQ__INLINE lln_rtq__tgate_t lln_rtq__tgate_prep(int t_frac, int dt_frac)
{
    int S = t_frac + dt_frac - 12, k = S >= 33 ? 0 : 33 - S > 15 ? 15 : 33 - S;
    lln_rtq__tgate_t g;
    g.rq = lln_rtq__rq_prep_imm(S + k < 1 ? 1 : S + k);
    g.ka = (int32_t)1 << k;
    g.tb_mul = (int32_t)1 << (12 - t_frac);
    return g;
}

/* lln_fx__sigmoid8_32 of x saturated to the int16 range, for any int32 x: SSAT where there is
 * one; elsewhere the clamp as one unsigned test in the common (in-range) case. */
LLN_RTQ__INLINE int32_t lln_rtq__sigmoid_sat(int32_t x_q12)
{
#if defined(__ARM_FEATURE_SAT) && defined(__GNUC__)
    return lln_fx__sigmoid8_32(lln_rtq__sat(x_q12));
#else
    uint32_t a = (uint32_t)x_q12 + 32768u; /* sat16(x) + 32768 when in [0, 65535] */
    if (a > 65535u)
        a = x_q12 < 0 ? 0u : 65535u;
    return lln_fx__sigmoid8_32((int32_t)a - 32768);
#endif
}

/* tanh(x) = 2 sigmoid(2x) - 1 on lln_fx__sigmoid8_32's table: x in Q3.12 (an int16 value held in
 * an int32), result in Q0.15, in [-32746, 32746] (2 x saturated to the int16 range: |tanh| reaches
 * tanh(4) = 0.99933 and stays there; below 4 the nodes are 1/16 apart in x). Max error against
 * tanh (exhaustive, tests/test_fx.c): 13.5 LSB (2^-15) for |x| < 4, 22.0 LSB beyond (1 - tanh(4)),
 * below an int8 weight's resolution; monotone. The CfC gate's tanh and sigmoid share that one
 * 258-byte table (774 bytes of tables before), and the tanh has no branch on the sign or the
 * table's end. */
LLN_RTQ__INLINE int32_t lln_rtq__tanh_sg(int32_t x_q12)
{
    return 2 * lln_rtq__sigmoid_sat(2 * x_q12) - 32768;
}

/* The time gate's argument time_a dt + time_b in Q3.12 (lln_rtq__tgate_t) from the heads' ta, tb
 * (t_frac). */
LLN_RTQ__INLINE int32_t lln_rtq__tgate_arg(int32_t ta, int32_t tb, int32_t dt, lln_rtq__tgate_t tg)
{
    return lln_rtq__rq((int64_t)(ta * tg.ka) * dt, tg.rq) + tb * tg.tb_mul;
}

/* A CfC neuron's new state from the gate's three sigmoids in Q0.15: s1 = sigmoid(2 ff1) and
 * s2 = sigmoid(2 ff2) (so g = tanh(ff) = 2 s - 2^15) and s = t = sigmoid(time_a dt + time_b):
 * default mode h = ff1 (1 - t) + t ff2 = g1 + t (g2 - g1), no_gate h = g1 + t g2 (the product
 * is below 2^31: |t| < 2^15, |g2 - g1| < 2^16), then to the state's h_frac. */
LLN_RTQ__INLINE int16_t lln_rtq__cfc_blend(int32_t s1, int32_t s2, int32_t s, int mode, int h_frac)
{
    int32_t g1 = 2 * s1 - 32768;
    int32_t d =
        s * (mode == LLN_RTQ_MODE_DEFAULT ? 2 * (s2 - s1) : 2 * s2 - 32768); /* g2 - g1, g2 */
    /* lln_fx_rshift_round(d, 15) without a branch: d / 2^15 rounded half away from zero is
     * floor((d + 2^14 - [d < 0]) / 2^15), taken on d + 2^31 as unsigned (no negative value
     * shifted; |d| < 2^31 - 2^14 keeps the sum in range) */
    uint32_t u = (uint32_t)d + 0x80004000u - ((uint32_t)d >> 31);
    int32_t v = g1 + ((int32_t)(u >> 15) - 0x10000);
    return lln_fx_sat16(lln_rtq__shift(v, 15 - h_frac));
}

/* A CfC neuron's new state from its four head outputs (ff1, ff2 in Q3.12, time_a and time_b in
 * t_frac): t = sigmoid(time_a dt + time_b), the tanh of ff1, ff2 by lln_rtq__tanh_sg (Q0.15),
 * then lln_rtq__cfc_blend. */
LLN_RTQ__INLINE int16_t lln_rtq__cfc_gate(int32_t f1, int32_t f2, int32_t ta, int32_t tb,
                                          int32_t dt, lln_rtq__tgate_t tg, int mode, int h_frac)
{
    int32_t s = lln_rtq__sigmoid_sat(lln_rtq__tgate_arg(ta, tb, dt, tg));
    return lln_rtq__cfc_blend(lln_rtq__sigmoid_sat(2 * f1), lln_rtq__sigmoid_sat(2 * f2), s, mode,
                              h_frac);
}

/* ---- the specialised CfC layer ---------------------------------------------------------------- */

/* uint32 -> int32 as two's complement, without implementation-defined conversion. */
LLN_RTQ__INLINE int32_t lln_rtq__u2s(uint32_t u)
{
    return u <= (uint32_t)INT32_MAX ? (int32_t)u : -(int32_t)(~u) - 1;
}

/* Column i of the layer's input [xa (na values), xb (nb values)], 0 past the end (padding). */
LLN_RTQ__INLINE int16_t lln_rtq__col(const int16_t *xa, int na, const int16_t *xb, int nb, int i)
{
    if (i < na)
        return xa[i];
    if (i < na + nb)
        return xb[i - na];
    return 0;
}

#if defined(__ARM_FEATURE_DSP) && defined(__ARM_FEATURE_SIMD32) && !defined(__ARM_BIG_ENDIAN)
#define LLN_RTQ__SPEC_PAIRS 1
/* An activation pair as SMLAD reads it: x[i] in the low half, x[i + 1] in the high half. */
typedef uint32_t lln_rtq__xv_t;
#define LLN_RTQ__XV_PER_WORD 2
#else
/* Elsewhere one activation per value (the products are the reference's, in plain C). */
typedef int32_t lln_rtq__xv_t;
#define LLN_RTQ__XV_PER_WORD 4
#endif

/* Columns c .. c + 3 of [xa, xb] (0 past the end) in the dot product's form: the activations
 * that meet one word of four weights (LLN_RTQ__XV_PER_WORD values). */
LLN_RTQ__INLINE void lln_rtq__load_word(const int16_t *xa, int na, const int16_t *xb, int nb, int c,
                                        lln_rtq__xv_t *xv)
{
#if LLN_RTQ__SPEC_PAIRS
#pragma GCC unroll 2
    for (int i = 0; i < 4; i += 2)
        xv[i / 2] = (uint32_t)(uint16_t)lln_rtq__col(xa, na, xb, nb, c + i) |
                    (uint32_t)(uint16_t)lln_rtq__col(xa, na, xb, nb, c + i + 1) << 16;
#else
#pragma GCC unroll 4
    for (int i = 0; i < 4; i++)
        xv[i] = lln_rtq__col(xa, na, xb, nb, c + i);
#endif
}

/* The n columns [xa, xb] from column c0 on (n a multiple of 4), in the dot product's form. */
LLN_RTQ__INLINE void lln_rtq__load(const int16_t *xa, int na, const int16_t *xb, int nb, int c0,
                                   int n, lln_rtq__xv_t *xv)
{
#pragma GCC unroll 16
    for (int i = 0; i < n; i += 4)
        lln_rtq__load_word(xa, na, xb, nb, c0 + i, xv + (ptrdiff_t)(i / 4) * LLN_RTQ__XV_PER_WORD);
}

/* sum of w[i] x[i] modulo 2^32 over the words of one row: four int8 weights a word (weight k in
 * bits 8k..8k+7, so the layout does not depend on the memory's byte order), each word in
 * lln_fx_dot_s8i_s16's interleaved order (w0, w2, w1, w3), zero weights padding the last; `used`
 * columns are real (the products of columns past it are skipped: their activations are the
 * padding's zeros). */
LLN_RTQ__INLINE int32_t lln_rtq__dot(const uint32_t *w, const lln_rtq__xv_t *xv, int words,
                                     int used)
{
    uint32_t acc = 0;
#pragma GCC unroll 32
    for (int i = 0; i < words; i++) {
#if LLN_RTQ__SPEC_PAIRS
        uint32_t w4 = w[i];
        /* lanes (w0, w1) meet (x0, x1); (w2, w3) meet (x2, x3) */
        acc = (uint32_t)__smlad(__sxtb16(lln_rtq__u2s(w4)), lln_rtq__u2s(xv[2 * i]),
                                lln_rtq__u2s(acc));
        if (4 * i + 2 < used)
            acc = (uint32_t)__smlad(lln_fx__sxtb16_ror8(w4), lln_rtq__u2s(xv[2 * i + 1]),
                                    lln_rtq__u2s(acc));
#else
        /* bytes (w0, w2, w1, w3) against (x0, x1, x2, x3), each byte sign-extended */
#pragma GCC unroll 4
        for (int k = 0; k < 4; k++) {
            int b = k == 1 ? 2 : k == 2 ? 1 : k; /* the byte of weight k */
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
            /* byte b of the word is at address + b: one sign-extending byte load */
            int32_t wk = (int32_t)((const int8_t *)(w + i))[b];
#else
            int32_t wk = (int32_t)(((w[i] >> 8 * b) & 0xFFu) ^ 0x80u) - 0x80;
#endif
            if (4 * i + k < used)
                acc += (uint32_t)(wk * xv[4 * i + k]);
        }
#endif
    }
    return lln_rtq__u2s(acc);
}

/* A row's output from its dot products a (group A, or both groups for one multiplier) and b
 * (group B when two): sat16(rq(a ma + b mb, shift) + c), c the row's bias or 0; ma, mb as
 * stored (uint32 words holding int32 values). */
LLN_RTQ__INLINE int32_t lln_rtq__row_out(int32_t a, int32_t b, int two, uint32_t ma, uint32_t mb,
                                         int32_t c, lln_rtq__rq_t rq)
{
    int64_t p = (int64_t)a * lln_rtq__u2s(ma);
    if (two)
        p += (int64_t)b * lln_rtq__u2s(mb);
    return lln_rtq__sat(lln_rtq__rq(p, rq) + c);
}

/* One row of a specialised layer (lln_rtq__cfc_spec: groups, words, multipliers) with every
 * word unrolled, its output by lln_rtq__row_out. */
LLN_RTQ__INLINE int32_t lln_rtq__spec_row(const uint32_t *wr, const lln_rtq__xv_t *xv,
                                          const lln_rtq__xv_t *xvb, int na, int nb, int two, int wa,
                                          int wb, uint32_t ma, uint32_t mb, int32_t c,
                                          lln_rtq__rq_t rq)
{
    return lln_rtq__row_out(lln_rtq__dot(wr, xv, wa, two ? na : na + nb),
                            two ? lln_rtq__dot(wr + wa, xvb, wb, nb) : 0, two, ma, mb, c, rq);
}

/* Bias of head g (0..3) from a neuron's bias words c: bias = 1, one int32 a word; bias = 2,
 * int16 pairs (head 2i in the low half of word i, head 2i + 1 in the high half: the layout does
 * not depend on the memory's byte order; an SXTAH or an ADD with ASR #16 on Armv7E-M); bias =
 * 0, none. */
LLN_RTQ__INLINE int32_t lln_rtq__bias(const uint32_t *c, int bias, int g)
{
    if (bias == 1)
        return lln_rtq__u2s(c[g]);
#if defined(__GNUC__)
    /* the high half by an arithmetic shift (see lln_rtq__rq): an ADD with ASR #16 */
    if (bias == 2 && g % 2)
        return lln_rtq__u2s(c[g / 2]) >> 16;
#endif
    if (bias == 2)
        return (int32_t)(((c[g / 2] >> (16 * (g % 2))) & 0xFFFFu) ^ 0x8000u) - 0x8000;
    return 0;
}

/* One CfC cell (default or no_gate mode, no backbone) in place on h. blk holds, neuron by
 * neuron, the four heads' rows of neuron j (ff1_j, ff2_j, time_a_j, time_b_j; wa + wb words
 * each), then their multipliers ma (4 words), for two groups mb (4), then their biases (4 words
 * for bias = 1, 2 words of int16 pairs for bias = 2, none for 0; lln_rtq__bias): one pointer
 * walks it all. The gate follows its neuron's four rows, so no head output goes to memory.
 *   two = 1: columns [0, na) from xa (words wa) and [na, na + nb) from xb (words wb) are two
 *            groups with their own row multipliers ma, mb: rq(A ma + B mb, shift);
 *   two = 0: one group of wa words over [xa, xb] and one multiplier: rq((A + B) ma, shift),
 *            the same value as the generic runtime's rq(A ma + B ma) as long as A + B does not
 *            wrap (na + nb <= 511: each product is at most 2^22; the exporter checks).
 * xb may be h itself: the activations are read before any h[j] is written. */
LLN_RTQ__INLINE void lln_rtq__cfc_spec(const uint32_t *blk, int H, int na, int nb, int two, int wa,
                                       int wb, int bias, int shift, int t_frac, int dt_frac,
                                       int h_frac, int mode, const int16_t *xa, const int16_t *xb,
                                       int32_t dt, int16_t *h)
{
    lln_rtq__xv_t xv[LLN_RTQ_SPEC_MAX_IN / 4 * LLN_RTQ__XV_PER_WORD + 2 * LLN_RTQ__XV_PER_WORD];
    lln_rtq__xv_t *xvb = xv + (two ? wa * LLN_RTQ__XV_PER_WORD : 0);
    lln_rtq__rq_t rq = lln_rtq__rq_prep_imm(shift);
    lln_rtq__tgate_t tg = lln_rtq__tgate_prep(t_frac, dt_frac);
    int row = wa + wb, mo = 4 * row, co = mo + 4 + 4 * two;
    if (two) {
        lln_rtq__load(xa, na, xa, 0, 0, 4 * wa, xv);
        lln_rtq__load(xb, nb, xb, 0, 0, 4 * wb, xvb);
    } else {
        lln_rtq__load(xa, na, xb, nb, 0, 4 * wa, xv);
    }
    for (int j = 0; j < H; j++, blk += co + (bias == 2 ? 2 : 4 * bias)) {
        int32_t hd[4]; /* int16 values */
#pragma GCC unroll 4
        for (int g = 0; g < 4; g++)
            hd[g] = lln_rtq__spec_row(blk + (ptrdiff_t)g * row, xv, xvb, na, nb, two, wa, wb,
                                      blk[mo + g], two ? blk[mo + 4 + g] : 0,
                                      lln_rtq__bias(blk + co, bias, g), rq);
        h[j] = lln_rtq__cfc_gate(hd[0], hd[1], hd[2], hd[3], dt, tg, mode, h_frac);
    }
}

/* ---- the size variant ------------------------------------------------------------------------ */

/* LLN_RTQ_SPEC_SMALL = 1 (e.g. -DLLN_RTQ_SPEC_SMALL=1, with -Os): the exported step calls
 * lln_rtq__cfc_small, one rolled copy of the layer for all layers, instead of an unrolled
 * lln_rtq__cfc_spec per layer. Same tables, same results bit for bit; less code, more
 * instructions per step (docs/PERFORMANCE.md has both measured). */
#ifndef LLN_RTQ_SPEC_SMALL
#define LLN_RTQ_SPEC_SMALL 0
#endif

/* lln_rtq__cfc_spec with the layer's shape as data: sh = {H, na, nb, two, wa, wb, bias, shift,
 * t_frac, dt_frac, h_frac, mode} (the exporter writes it beside the layer's block), every loop
 * rolled. A word's dot product is the same sum modulo 2^32 as the unrolled row's (the padding's
 * activations are zeros, so all four products of a word are taken). */
LLN_RTQ__NOINLINE void lln_rtq__cfc_small(const uint32_t *blk, const int16_t *sh, const int16_t *xa,
                                          const int16_t *xb, int32_t dt, int16_t *h)
{
    lln_rtq__xv_t xv[LLN_RTQ_SPEC_MAX_IN / 4 * LLN_RTQ__XV_PER_WORD + 2 * LLN_RTQ__XV_PER_WORD];
    int16_t xs[LLN_RTQ_SPEC_MAX_IN + 8] = {0}; /* the columns as the words meet them, padded */
    int H = sh[0], na = sh[1], nb = sh[2], two = sh[3], wa = sh[4], wb = sh[5], bias = sh[6];
    int row = wa + wb, co = 4 * row + 4 + 4 * two;
    lln_rtq__rq_t rq = lln_rtq__rq_prep(sh[7]);
    lln_rtq__tgate_t tg = lln_rtq__tgate_prep(sh[8], sh[9]);
    for (int i = 0; i < na; i++)
        xs[i] = xa[i];
    for (int i = 0; i < nb; i++)
        xs[(two ? 4 * wa : na) + i] = xb[i];
    for (int w = 0; w < row; w++)
        lln_rtq__load_word(xs, 4 * row, xs, 0, 4 * w, xv + (ptrdiff_t)w * LLN_RTQ__XV_PER_WORD);
    for (int j = 0; j < H; j++, blk += co + (bias == 2 ? 2 : 4 * bias)) {
        int32_t hd[4]; /* int16 values */
        for (int g = 0; g < 4; g++) {
            const uint32_t *wr = blk + (ptrdiff_t)g * row;
            uint32_t a = 0, b = 0; /* groups A and B */
            int w = 0;
            for (; w < wa; w++)
                a += (uint32_t)lln_rtq__dot(wr + w, xv + (ptrdiff_t)w * LLN_RTQ__XV_PER_WORD, 1, 4);
            for (; w < row; w++)
                b += (uint32_t)lln_rtq__dot(wr + w, xv + (ptrdiff_t)w * LLN_RTQ__XV_PER_WORD, 1, 4);
            hd[g] = lln_rtq__row_out(lln_rtq__u2s(a), lln_rtq__u2s(b), two, blk[4 * row + g],
                                     two ? blk[4 * row + 4 + g] : 0,
                                     lln_rtq__bias(blk + co, bias, g), rq);
        }
        h[j] = lln_rtq__cfc_gate(hd[0], hd[1], hd[2], hd[3], dt, tg, sh[11], sh[10]);
    }
}

/* ---- the rolled step on DSP cores (LLN_RTQ_SPEC_ROLL) ----------------------------------------- */

/* On Armv7E-M and later (M4, M7, M33, M55: SMLAD) with GCC or Clang (inline assembly) and
 * unaligned word loads allowed (GCC's and Clang's default there: __ARM_FEATURE_UNALIGNED), the
 * exported step calls lln_rtq__cfc_roll: one rolled copy of the layer for every layer instead
 * of an unrolled lln_rtq__cfc_spec per layer, its tables laid out so that the rolled loop
 * needs about as many instructions per multiply-accumulate as the unrolled rows, and its
 * code is the same few hundred bytes for any model (docs/DESIGN.md "The 3 KB round").
 * -DLLN_RTQ_SPEC_ROLL=0 takes the unrolled step there too; elsewhere (M0, M3, RISC-V) it is
 * the only one. Same results bit for bit either way. */
#ifndef LLN_RTQ_SPEC_ROLL
#define LLN_RTQ_SPEC_ROLL 1
#endif
#if LLN_RTQ_SPEC_ROLL && defined(LLN_RTQ__SPEC_PAIRS) && defined(__GNUC__) && \
    defined(__ARM_FEATURE_UNALIGNED) && defined(__thumb2__)
#define LLN_RTQ__ROLL 1
#else
#define LLN_RTQ__ROLL 0
#endif

/* A layer's record for lln_rtq__cfc_roll: bytes, written by the exporter one layer after the
 * other, the fields the layers do not share (lln_rtq__cfc_roll's lit). */
enum {
    LLN_RTQ__R_H,     /* neurons */
    LLN_RTQ__R_XA,    /* xa: the state from this index on, or LLN_RTQ__R_INPUT for the input */
    LLN_RTQ__R_XB,    /* the layer's own state (written in place): its index */
    LLN_RTQ__R_GA,    /* columns of group A: of xa, or with one group of xa and then xb */
    LLN_RTQ__R_GB,    /* columns of group B (of xb), 0 for one group */
    LLN_RTQ__R_PA,    /* group A's column pairs p as 2 ceil(p / 2) + p mod 2 (LLN_RTQ__RP_NEURON) */
    LLN_RTQ__R_PB,    /* group B's likewise; 0: one group, one multiplier a row */
    LLN_RTQ__R_K,     /* the rows' shift - 32 (rq's one-word path: shift >= 33) */
    LLN_RTQ__R_TK,    /* the time gate's rq: its shift - 32 (>= 1) */
    LLN_RTQ__R_TL,    /* log2 of the time gate's ka (lln_rtq__tgate_t) */
    LLN_RTQ__R_TB,    /* log2 of its tb_mul */
    LLN_RTQ__R_HFRAC, /* h_frac */
    LLN_RTQ__R_MODE,  /* LLN_RTQ_MODE_DEFAULT or no_gate */
    LLN_RTQ__R_BIAS,  /* 1: int16 bias pairs after the multipliers, 0: no bias */
    LLN_RTQ__R_LEN
};
#define LLN_RTQ__R_INPUT 255

#if LLN_RTQ__ROLL
/* One neuron's four heads (rows ff1, ff2, time_a, time_b) in inline assembly with fixed
 * registers: per column pair one word of activations (the pair as SMLAD reads it) and two
 * weight words, each [row r col 0, row r + 1 col 0, row r col 1, row r + 1 col 1] (int8 bytes,
 * the first in bits 0..7): SXTB16 of the word gives row r's pair, SXTB16 of it rotated by 8
 * row r + 1's. 10 instructions for 8 multiply-accumulates, two pairs a pass; a group's pair
 * count p comes as 2 ceil(p / 2) + p mod 2 (one shift gives the passes, its carry sends an
 * odd count in at the second pair). The sums start at zero: for group A one LDMDB of the four
 * zero words before the activations, for group B two UMULL of the spent count (0) by itself.
 * Group A's pairs, then (pb > 0) group B's, whose sums wait on the stack meanwhile; then the
 * rows' multipliers and rq's rounding term c = 2^(k-1): one group, 4 words m, each row's
 * c + floor(a m / 2^32) by SMMLA; two groups, per row (ma, mb), c + floor((a ma + b mb) /
 * 2^32) by SMULL, SMLAL and an ADD. The sums are those of lln_rtq__dot: sums modulo 2^32 of the
 * same products (|a|, |b| < 2^28 for at most 64 columns). Registers: r0-r3 the sums (then
 * the results), r4 the activations, r5, r6 the weights, r8 a temporary, r9 the pair count
 * (group A's on entry), r10 group B's (0: one group; -1 once group B runs), r11 c, r12 the
 * weights' pointer (advanced past the multipliers), lr the activations' pointer (group A's
 * pairs, then group B's). */
#define LLN_RTQ__RP_PAIR                                                        \
    "ldr r4, [lr], #4\n\tldrd r5, r6, [r12], #8\n\tsxtb16 r8, r5\n\t"           \
    "smlad r0, r8, r4, r0\n\tsxtb16 r8, r5, ror #8\n\tsmlad r1, r8, r4, r1\n\t" \
    "sxtb16 r8, r6\n\tsmlad r2, r8, r4, r2\n\tsxtb16 r8, r6, ror #8\n\t"        \
    "smlad r3, r8, r4, r3\n\t"
#define LLN_RTQ__RP_ROW2(r, a)                                                        \
    "ldrd r9, r10, [r12], #8\n\tsmull r10, " r ", " r ", r10\n\tsmlal r10, " r ", " a \
    ", r9\n\tadd " r ", " r ", r11\n\t"
#define LLN_RTQ__RP_NEURON                                                                     \
    "ldmdb lr, {r0-r3}\n"                                                                      \
    "1:\n\tlsrs r9, r9, #1\n\tbcs 3f\n"                                                        \
    "2:\n\t" LLN_RTQ__RP_PAIR "3:\n\t" LLN_RTQ__RP_PAIR "subs r9, r9, #1\n\tbne 2b\n\t"        \
    "cmp r10, #0\n\tbeq 4f\n\tblt 5f\n\t"                                                      \
    "push {r0-r3}\n\tumull r0, r1, r9, r9\n\tumull r2, r3, r9, r9\n\tmov r9, r10\n\t"          \
    "mov r10, #-1\n\tb 1b\n"                                                                   \
    "5:\n\tpop {r4-r6, r8}\n\t" LLN_RTQ__RP_ROW2("r0", "r4") LLN_RTQ__RP_ROW2("r1", "r5")      \
        LLN_RTQ__RP_ROW2("r2", "r6")                                                           \
            LLN_RTQ__RP_ROW2("r3", "r8") "b 6f\n"                                              \
                                         "4:\n\tldmia r12!, {r4-r6, r8}\n\tsmmla r0, r0, r4, " \
                                         "r11\n\tsmmla r1, r1, r5, r11\n\t"                    \
                                         "smmla r2, r2, r6, r11\n\tsmmla r3, r3, r8, r11\n"    \
                                         "6:\n\t"

/* Field f of a layer's record: the literal lit[f] where the exporter made it one (every layer
 * has the same value), else byte -1 - lit[f] of the record. */
#define LLN_RTQ__RV(f) (lit[f] >= 0 ? lit[f] : rec[-1 - lit[f]])

/* The model's CfC layers (default or no_gate mode) in place on the state h, as
 * lln_rtq__cfc_spec computes them: blk holds, layer by layer and in a layer neuron by neuron,
 * its four heads' rows (ff1, ff2, time_a, time_b) as LLN_RTQ__RP_NEURON's column pairs (group
 * A's, then group B's), the rows' multipliers (one group: 4 words; two: per row ma, mb), then
 * with a bias the rows' biases as two words of int16 pairs (lln_rtq__bias). rec holds the
 * layers' records (stride bytes each), lit the model's literals (LLN_RTQ__RV): the exporter's
 * wrapper passes a static table, so that what every layer shares is a constant here. A layer's
 * activations are copied once, group after group (xb is the state it writes; with one group
 * xb follows xa in memory). Every row's rq is on the one-word path (shift >= 33), and the time
 * gate's too (the exporter checks): floor((floor(p / 2^32) + 2^(k-1)) / 2^k) + bias. ff1 and
 * ff2 are saturated only as 2 ff (sat16(2 sat16(v)) = sat16(2 v); |v| < 2^29). */
LLN_RTQ__INLINE void lln_rtq__cfc_roll(const uint32_t *blk, const uint8_t *rec, const int16_t *lit,
                                       int stride, int layers, const int16_t *x, int32_t dt,
                                       int16_t *h, uint32_t *xs)
{
    /* xs: the activations (the caller's, 4 + the most pairs of a layer words): four zero
     * words, group A's pairs, group B's pairs */
    xs[0] = xs[1] = xs[2] = xs[3] = 0;
    for (; layers > 0; layers--, rec += stride) {
        int xo = LLN_RTQ__RV(LLN_RTQ__R_XA), pb = LLN_RTQ__RV(LLN_RTQ__R_PB);
        int k = LLN_RTQ__RV(LLN_RTQ__R_K), tk = LLN_RTQ__RV(LLN_RTQ__R_TK);
        int bias = LLN_RTQ__RV(LLN_RTQ__R_BIAS);
        int32_t ka = (int32_t)1 << LLN_RTQ__RV(LLN_RTQ__R_TL);
        int32_t tbm = (int32_t)1 << LLN_RTQ__RV(LLN_RTQ__R_TB);
        int16_t *y = h + LLN_RTQ__RV(LLN_RTQ__R_XB), *yend = y + LLN_RTQ__RV(LLN_RTQ__R_H);
        /* the columns as pairs: group A's from xa, then group B's from y (a pair by one load:
         * these cores load words at any even address) */
        const int16_t *src = xo == LLN_RTQ__R_INPUT ? x : h + xo;
        uint32_t *d = xs + 4;
        for (int n = LLN_RTQ__RV(LLN_RTQ__R_GA), g = 0;; n = LLN_RTQ__RV(LLN_RTQ__R_GB)) {
            uint32_t q = (uint32_t)n >> 1, t;
            if (q)
                __asm__ volatile("1:\n\tldr %[t], [%[s]], #4\n\tstr %[t], [%[d]], #4\n\t"
                                 "subs %[q], %[q], #1\n\tbne 1b"
                                 : [s] "+r"(src), [d] "+r"(d), [q] "+r"(q), [t] "=&r"(t)
                                 :
                                 : "cc", "memory");
            if (n & 1)
                *d++ = (uint16_t)src[0];
            if (g++ || !pb)
                break;
            src = y;
        }
        for (; y < yend; y++) {
            int32_t v[4]; /* the rows' values */
            {
                register int32_t r0 __asm__("r0"), r1 __asm__("r1"), r2 __asm__("r2"),
                    r3 __asm__("r3");
                register uint32_t n __asm__("r9") = (uint32_t)LLN_RTQ__RV(LLN_RTQ__R_PA);
                register int32_t nb __asm__("r10") = pb;
                register int32_t c __asm__("r11") = 1 << (k - 1);
                register const uint32_t *w __asm__("r12") = blk;
                register const uint32_t *xp __asm__("lr") = xs + 4;
                __asm__ volatile(LLN_RTQ__RP_NEURON
                                 : "=r"(r0), "=r"(r1), "=r"(r2), "=r"(r3), "+r"(w), "+r"(xp),
                                   "+r"(n), "+r"(nb)
                                 : "r"(c)
                                 : "r4", "r5", "r6", "r8", "cc", "memory");
                v[0] = r0, v[1] = r1, v[2] = r2, v[3] = r3;
                blk = w;
            }
            const uint32_t *cb = blk; /* the bias words follow the multipliers */
            blk += 2 * bias;
#pragma GCC unroll 4
            for (int g = 0; g < 4; g++) /* rq (one word) + bias */
                v[g] = (v[g] >> k) + (bias ? lln_rtq__bias(cb, 2, g) : 0);
            v[2] = lln_rtq__sat(v[2]), v[3] = lln_rtq__sat(v[3]);
            int32_t arg =
                ((((int32_t)(((int64_t)(v[2] * ka) * dt) >> 32)) + (1 << (tk - 1))) >> tk) +
                v[3] * tbm;
            *y = lln_rtq__cfc_blend(lln_rtq__sigmoid_sat(2 * v[0]), lln_rtq__sigmoid_sat(2 * v[1]),
                                    lln_rtq__sigmoid_sat(arg), LLN_RTQ__RV(LLN_RTQ__R_MODE),
                                    LLN_RTQ__RV(LLN_RTQ__R_HFRAC));
        }
    }
}
#endif

/* ---- the dense CfC step on DSP cores (LLN_RTQ_DSPEC, lln_rtq.h) ------------------------------ */

/* `lln export` writes this step for a CfC with one tanh backbone layer (default or no_gate
 * mode; src/deploy/export_q_dspec.c): every loop count, shift and format a literal, the layers'
 * weights pre-widened to int16 and laid out in blocks of four rows, each block followed by its
 * rows' requantisation constants. A block's dot products run in inline assembly with fixed
 * registers: r0-r3 the four rows' sums, r4-r7 four activation words (eight columns, one LDM),
 * r8-r11 the four rows' weight words for one activation word (one LDM), then four SMLAD; r12
 * walks the weights, lr the activations (word aligned). 21 instructions for 32
 * multiply-accumulates. The exporter composes a layer's passes from the pieces below (the last
 * pass of a group may be shorter), the first multiply of each group by SMUAD (no zeroing). */
#if LLN_RTQ_DSPEC
#define LLN_RTQ__DS_X1 "ldmia lr!, {r4}\n\t"
#define LLN_RTQ__DS_X2 "ldmia lr!, {r4-r5}\n\t"
#define LLN_RTQ__DS_X3 "ldmia lr!, {r4-r6}\n\t"
#define LLN_RTQ__DS_X4 "ldmia lr!, {r4-r7}\n\t"
/* the four rows' weight words against activation word x (a register name), first or not */
#define LLN_RTQ__DS_MUL(x)                                                                    \
    "ldmia r12!, {r8-r11}\n\tsmuad r0, r8, " x "\n\tsmuad r1, r9, " x "\n\tsmuad r2, r10, " x \
    "\n\tsmuad r3, r11, " x "\n\t"
#define LLN_RTQ__DS_MAC(x)                                                \
    "ldmia r12!, {r8-r11}\n\tsmlad r0, r8, " x ", r0\n\tsmlad r1, r9, " x \
    ", r1\n\tsmlad r2, r10, " x ", r2\n\tsmlad r3, r11, " x ", r3\n\t"

/* The requantisation fused into the block's end. A row's value is rq(p, s) + bias with
 * rq(p, s) = floor((floor(p / 2^32) + 2^(k-1)) / 2^k), k = s - 32 >= 1 (lln_rtq__rq): as
 * floor((floor(p / 2^32) + c) / 2^k) with c = 2^(k-1) + bias 2^k (successive floors compose),
 * the caller's arithmetic shift by k and SSAT then finish it (one instruction:
 * "ssat r, #16, v, asr #k"). The exporter checks that floor(p / 2^32) + c cannot leave the int32
 * range for any activations. One group (the heads): SMMLA gives c + floor(a m / 2^32) exactly;
 * the block's multipliers m0-m3 and constants c0-c3 follow its weights (one LDM of eight). */
#define LLN_RTQ__DS_END1                                                                         \
    "ldmia r12!, {r4-r11}\n\tsmmla r0, r0, r4, r8\n\tsmmla r1, r1, r5, r9\n\tsmmla r2, r2, r6, " \
    "r10\n\tsmmla r3, r3, r7, r11\n\t"
/* Two groups (the backbone: [input, h] with a multiplier each): the group-A sums wait on the
 * stack while group B's run; then per row (ma, mb, c) by one LDM, floor((a ma + b mb) / 2^32)
 * by SMULL + SMLAL and + c. */
#define LLN_RTQ__DS_ROW2(i, a)                                                                     \
    "ldmia r12!, {r8-r10}\n\tsmull r11, r9, r" #i ", r9\n\tsmlal r11, r9, r" #a ", r8\n\tadd r" #i \
    ", r9, r10\n\t"
#define LLN_RTQ__DS_END2                                                                   \
    "pop {r4-r7}\n\t" LLN_RTQ__DS_ROW2(0, 4) LLN_RTQ__DS_ROW2(1, 5) LLN_RTQ__DS_ROW2(2, 6) \
        LLN_RTQ__DS_ROW2(3, 7)

/* One block: DOT the passes (for two groups: group A's, LLN_RTQ__DS_MID, group B's), END its
 * end; w advances past the block, x (the aligned activations) is read from its start; v0-v3
 * get the four rows' c + floor(p / 2^32). */
#define LLN_RTQ__DS_MID "push {r0-r3}\n\t"
/* The block's asm statement: code, the weights' register rw, the sums' registers s0-s3, the
 * clobbers after them (the activations' pointer is lr in both instruction sets). */
#define LLN_RTQ__DS_ASM(w, x, code, rw, s0, s1, s2, s3, v0, v1, v2, v3, ...)            \
    do {                                                                                \
        register const void *lln__w __asm__(rw) = (w);                                  \
        register const void *lln__x __asm__("lr") = (x);                                \
        register int32_t lln__0 __asm__(s0), lln__1 __asm__(s1), lln__2 __asm__(s2),    \
            lln__3 __asm__(s3);                                                         \
        __asm__(code                                                                    \
                : "=r"(lln__0), "=r"(lln__1), "=r"(lln__2), "=r"(lln__3), "+r"(lln__w), \
                  "+r"(lln__x)                                                          \
                :                                                                       \
                : __VA_ARGS__);                                                         \
        (w) = lln__w;                                                                   \
        (v0) = lln__0, (v1) = lln__1, (v2) = lln__2, (v3) = lln__3;                     \
    } while (0)
#define LLN_RTQ__DS_BLOCK(w, x, DOT, END, v0, v1, v2, v3)                                     \
    LLN_RTQ__DS_ASM(w, x, DOT END, "r12", "r0", "r1", "r2", "r3", v0, v1, v2, v3, "r4", "r5", \
                    "r6", "r7", "r8", "r9", "r10", "r11", "cc", "memory")
#endif

/* On Helium (Cortex-M55) the blocks' sums come from MVE instead, on int8 weights: per block
 * and column group, chunks of eight columns, each the four rows' eight weights in order (32
 * bytes; a group's last chunk padded with zeros), then the same constants as above. One
 * activation load (VLDRH) serves the four rows, each row one widening load (VLDRB) and one
 * VMLADAV(A): 9 instructions for 32 multiply-accumulates. Registers: r0, r2, r4, r6 the sums
 * (VMLADAV takes even ones), q0 the activations, q1-q3 the weights, r1 the weights (a widening
 * load takes a low register), lr the activations. A group's last chunk of n < 8 columns moves
 * the activations by n only (its loads read up to 8 - n values past the group: the next
 * group's, or the scratch's, each against a zero weight; the exporter checks the scratch is
 * long enough). The same sums modulo 2^32. */
#if LLN_RTQ_DSPEC && defined(__ARM_FEATURE_MVE)
#define LLN_RTQ__DSV_CH(op, xb)                                                      \
    "vldrh.s16 q0, [lr], #" xb "\n\tvldrb.s16 q1, [r1], #8\n\t" op " r0, q1, q0\n\t" \
    "vldrb.s16 q2, [r1], #8\n\t" op " r2, q2, q0\n\tvldrb.s16 q3, [r1], #8\n\t" op   \
    " r4, q3, q0\n\tvldrb.s16 q1, [r1], #8\n\t" op " r6, q1, q0\n\t"
#define LLN_RTQ__DSV_MUL(xb) LLN_RTQ__DSV_CH("vmladav.s16", xb)
#define LLN_RTQ__DSV_MAC(xb) LLN_RTQ__DSV_CH("vmladava.s16", xb)
#define LLN_RTQ__DSV_MID "push {r0, r2, r4, r6}\n\t"
#define LLN_RTQ__DSV_END1                                                                          \
    "ldmia r1!, {r3, r5, r7, r8, r9, r10, r11, r12}\n\tsmmla r0, r0, r3, r9\n\tsmmla r2, r2, r5, " \
    "r10\n\tsmmla r4, r4, r7, r11\n\tsmmla r6, r6, r8, r12\n\t"
#define LLN_RTQ__DSV_ROW2(b, a)                                                   \
    "ldmia r1!, {r9-r11}\n\tsmull r12, r10, r" #b ", r10\n\tsmlal r12, r10, r" #a \
    ", r9\n\tadd r" #b ", r10, r11\n\t"
#define LLN_RTQ__DSV_END2                                                      \
    "pop {r3, r5, r7, r8}\n\t" LLN_RTQ__DSV_ROW2(0, 3) LLN_RTQ__DSV_ROW2(2, 5) \
        LLN_RTQ__DSV_ROW2(4, 7) LLN_RTQ__DSV_ROW2(6, 8)
#define LLN_RTQ__DSV_BLOCK(w, x, DOT, END, v0, v1, v2, v3)                                         \
    LLN_RTQ__DS_ASM(w, x, DOT END, "r1", "r0", "r2", "r4", "r6", v0, v1, v2, v3, "r3", "r5", "r7", \
                    "r8", "r9", "r10", "r11", "r12", "q0", "q1", "q2", "q3", "cc", "memory")
#endif

#if defined(__GNUC__) /* the arithmetic shifts of negative values below (see lln_rtq__rq) */
/* The step's table nonlinearities without a branch or a sign test: one bit field of x picks a
 * segment j, and the segment's pair (b[j], d[j]) gives the value as (b[j] + d[j] x) >> n: two
 * loads, an MLA and a shift. The exporter computes the pairs from the runtime's node tables so
 * that the value is the runtime's function's bit for bit (tests/test_dspec.c checks every
 * int16 x):
 *   lln_rtq__ds_tanh: lln_fx__tanh_fast32(x), j = (x >> 8) mod 256, n = 8;
 *   lln_rtq__ds_sig: lln_fx__sigmoid8_32(x), j = (x >> 9) mod 128, n = 9.
 * The slopes d (at most 2^11) are int16: 768 bytes less than int32 pairs, the same loads. */
LLN_RTQ__INLINE int32_t lln_rtq__ds_tanh(const int32_t *b, const int16_t *d, int32_t x)
{
    uint32_t j = ((uint32_t)x >> 8) & 255u;
    return (b[j] + d[j] * x) >> 8; /* GCC and Clang: an arithmetic shift (floor) */
}

LLN_RTQ__INLINE int32_t lln_rtq__ds_sig(const int32_t *b, const int16_t *d, int32_t x)
{
    uint32_t j = ((uint32_t)x >> 9) & 127u;
    return (b[j] + d[j] * x) >> 9; /* non-negative */
}

/* A neuron's new state from its heads' block values v = c + floor(p / 2^32) (ff1, ff2, time_a,
 * time_b; k the heads' shift - 32): the rows' outputs sat16(v >> k) as the generic heads give
 * them, then lln_rtq__cfc_gate's arithmetic with the sigmoids from the table (sb, sd). */
LLN_RTQ__INLINE int16_t lln_rtq__ds_gate(int32_t v0, int32_t v1, int32_t v2, int32_t v3, int k,
                                         const int32_t *sb, const int16_t *sd, int32_t dt,
                                         lln_rtq__tgate_t tg, int mode, int h_frac)
{
    int32_t f1 = lln_rtq__sat(v0 >> k), f2 = lln_rtq__sat(v1 >> k);
    int32_t ta = lln_rtq__sat(v2 >> k), tb = lln_rtq__sat(v3 >> k);
    int32_t s = lln_rtq__ds_sig(sb, sd, lln_rtq__sat(lln_rtq__tgate_arg(ta, tb, dt, tg)));
    return lln_rtq__cfc_blend(lln_rtq__ds_sig(sb, sd, lln_rtq__sat(2 * f1)),
                              lln_rtq__ds_sig(sb, sd, lln_rtq__sat(2 * f2)), s, mode, h_frac);
}

#endif

#endif
