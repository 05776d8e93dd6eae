/* liquid-edge firmware runtime, fixed-point path. See lln_rtq.h for the contract and
 * docs/DESIGN.md ("Fixed point") for the number formats and why they were chosen.
 * Integer only. Signed values are never shifted (lln_fx does the rounding shifts on
 * magnitudes), so every result is defined C99 and identical on every target. */
#include "lln_rtq.h"

#include <stddef.h>

#include "lln_fx.h"
#include "lln_rtq_config.h"
#include "lln_rtq_spec.h"

#ifndef LLN_RTQ_WITH_CFC_GENERIC
#define LLN_RTQ_WITH_CFC_GENERIC LLN_RTQ_WITH_CFC /* a configuration from before the option */
#endif
/* any of the generic code paths (a specialised step alone needs none of them) */
#define LLN_RTQ__GENERIC (LLN_RTQ_WITH_LTC || LLN_RTQ_WITH_CFC_GENERIC || LLN_RTQ_WITH_BASELINES)

/* ---- integer helpers ------------------------------------------------------------------- */

#define q_shift lln_rtq__shift /* lln_rtq_spec.h */

#if LLN_RTQ_WITH_BACKBONE
static int16_t q_sat16_64(int64_t v)
{
    return (int16_t)(v > INT16_MAX ? INT16_MAX : v < INT16_MIN ? INT16_MIN : v);
}

#endif

#if LLN_RTQ_WITH_LTC || (LLN_RTQ_WITH_CFC && LLN_RTQ_WITH_PURE)
/* |v| as uint64 (INT64_MIN gives 2^63). */
static uint64_t q_abs64(int64_t v) { return v < 0 ? 0u - (uint64_t)v : (uint64_t)v; }

/* v * 2^-s rounded to nearest (ties away from zero) for s in [0, 62], or v * 2^-s for
 * s < 0 (|s| <= 30: the callers' values stay far below 2^32), saturated to int32. */
static int32_t q_shift64(int64_t v, int s)
{
    uint64_t mag = q_abs64(v);
    if (s > 0)
        mag = (mag + ((uint64_t)1 << (s - 1))) >> s;
    else if (s < 0)
        mag = mag < ((uint64_t)1 << 40) ? mag << -s : (uint64_t)1 << 40;
    if (v < 0)
        return mag >= (uint64_t)1 << 31 ? INT32_MIN : -(int32_t)mag;
    return mag > (uint64_t)INT32_MAX ? INT32_MAX : (int32_t)mag;
}

#endif

#if LLN_RTQ_WITH_CFC && LLN_RTQ_WITH_PURE
/* round(a b / 2^s) saturated to int32, for any s (the 64-bit path when s < 0). */
static int32_t q_mul(int32_t a, int32_t b, int s)
{
    return s >= 0 ? lln_fx_mulshift(a, b, s) : q_shift64((int64_t)a * b, s);
}

#endif

#if LLN_RTQ_WITH_LTC
/* Number of significant bits of d (CLZ where the compiler has it: one instruction on
 * Armv7-M and RV32 with Zbb; a loop elsewhere). */
static int q_bitlen64(uint64_t d)
{
    uint32_t hi = (uint32_t)(d >> 32), x = hi ? hi : (uint32_t)d;
    int n = hi ? 32 : 0;
    if (x == 0)
        return n;
#if defined(__GNUC__)
    return n + 32 - __builtin_clz(x);
#else
    while (x) {
        n++;
        x >>= 1;
    }
    return n;
#endif
}

#endif

/* ---- layers ------------------------------------------------------------------------------ */

/* The requantisation rq of lln_rtq.h (lln_rtq_spec.h, shared with the specialised step). */
typedef lln_rtq__rq_t q_rq_t;
#define q_rq_prep lln_rtq__rq_prep
#define q_rq lln_rtq__rq

#if LLN_RTQ__GENERIC
static void q_affine(const lln_rtq_affine_t *a, const int16_t *x, int16_t *y, uint16_t n)
{
    for (uint16_t i = 0; i < n; i++)
        y[i] = lln_rtq__affine1(x[i], a->mult[i], q_rq_prep(a->shift[i]), a->bias[i]);
}
#endif

#if LLN_RTQ_WITH_CFC_GENERIC || LLN_RTQ_WITH_BASELINES || LLN_RTQ_WITH_PROJ
/* rq (lln_rtq_spec.h) for its usual case s >= 33 (k = s - 32): the high word rounded and
 * shifted; GCC and Clang shift a negative value arithmetically, elsewhere rq itself. */
LLN_RTQ__INLINE int32_t q_rq_hi(int64_t p, q_rq_t s, int32_t half)
{
#if defined(__GNUC__)
    return ((int32_t)(p >> 32) + half) >> s.k;
#else
    (void)half;
    return q_rq(p, s);
#endif
}

/* y[0..3] of four whole rows of a dense layer from their sums a (group A) and b (group B, when
 * nb > 0): sat16(rq(a ma + b mb) + bias) for the usual shift (s >= 33), in straight-line code
 * (bias NULL: none). */
LLN_RTQ__INLINE void q_out4(int32_t a0, int32_t a1, int32_t a2, int32_t a3, int32_t b0, int32_t b1,
                            int32_t b2, int32_t b3, int nb, const int32_t *ma, const int32_t *mb,
                            const int32_t *bias, q_rq_t s, int32_t half, int16_t *y)
{
    int64_t p0 = (int64_t)a0 * ma[0], p1 = (int64_t)a1 * ma[1];
    int64_t p2 = (int64_t)a2 * ma[2], p3 = (int64_t)a3 * ma[3];
    if (nb > 0) { /* one SMULL and one SMLAL a row */
        p0 = (int64_t)a0 * ma[0] + (int64_t)b0 * mb[0];
        p1 = (int64_t)a1 * ma[1] + (int64_t)b1 * mb[1];
        p2 = (int64_t)a2 * ma[2] + (int64_t)b2 * mb[2];
        p3 = (int64_t)a3 * ma[3] + (int64_t)b3 * mb[3];
    }
    int32_t v0 = q_rq_hi(p0, s, half), v1 = q_rq_hi(p1, s, half);
    int32_t v2 = q_rq_hi(p2, s, half), v3 = q_rq_hi(p3, s, half);
    if (bias) {
        v0 += bias[0], v1 += bias[1], v2 += bias[2], v3 += bias[3];
    }
    y[0] = lln_fx_sat16(v0), y[1] = lln_fx_sat16(v1);
    y[2] = lln_fx_sat16(v2), y[3] = lln_fx_sat16(v3);
}
#endif

#if (LLN_RTQ_WITH_CFC_GENERIC || LLN_RTQ_WITH_BASELINES || LLN_RTQ_WITH_PROJ) && !LLN_RTQ_W16
/* The sums of the four interleaved int8 rows w, w + in, w + 2 in and w + 3 in against n columns
 * of x (each exactly lln_fx_dot_s8i_s16's). On Helium one gather of the activations serves the
 * four rows (a widening load and a VMLADAVA each: 9 instructions for 32 MACs), the row tail
 * one predicated step as in lln_fx_dot2_s8i_s16; elsewhere two lln_fx_dot2_s8i_s16. */
LLN_RTQ__INLINE void q_dot4_s8(const int8_t *w, size_t in, const int16_t *x, int n, int32_t *a0,
                               int32_t *a1, int32_t *a2, int32_t *a3)
{
#if defined(__ARM_FEATURE_MVE) && !defined(__ARM_BIG_ENDIAN)
    int32_t c0 = 0, c1 = 0, c2 = 0, c3 = 0;
    const int8_t *w1 = w + in, *w2 = w1 + in, *w3 = w2 + in;
    int i = 0;
    uint16x8_t off = vld1q_u16(lln_fx__mve_off[0]);
    for (; i + 8 <= n; i += 8) {
        int16x8_t xv = vldrhq_gather_shifted_offset_s16(x + i, off);
        c0 = vmladavaq_s16(c0, vldrbq_s16(w + i), xv);
        c1 = vmladavaq_s16(c1, vldrbq_s16(w1 + i), xv);
        c2 = vmladavaq_s16(c2, vldrbq_s16(w2 + i), xv);
        c3 = vmladavaq_s16(c3, vldrbq_s16(w3 + i), xv);
    }
    if (i < n) {
        mve_pred16_t p = vctp16q((uint32_t)(n - i));
        uint16x8_t o = vld1q_u16(lln_fx__mve_off[n - i >= 4 ? 1 : 2]);
        int16x8_t xv = vldrhq_gather_shifted_offset_z_s16(x + i, o, p);
        c0 = vmladavaq_s16(c0, vldrbq_z_s16(w + i, p), xv);
        c1 = vmladavaq_s16(c1, vldrbq_z_s16(w1 + i, p), xv);
        c2 = vmladavaq_s16(c2, vldrbq_z_s16(w2 + i, p), xv);
        c3 = vmladavaq_s16(c3, vldrbq_z_s16(w3 + i, p), xv);
    }
    *a0 = c0, *a1 = c1, *a2 = c2, *a3 = c3;
#else
    lln_fx_dot2_s8i_s16(w, w + in, x, n, a0, a1);
    lln_fx_dot2_s8i_s16(w + 2 * in, w + 3 * in, x, n, a2, a3);
#endif
}

/* q_dense's blocks of four whole rows for the usual shift (s >= 33), from row 0: returns the
 * rows done. two: the layer has a group B, a constant in the callers' two copies. */
LLN_RTQ__INLINE uint16_t q_dense4_body(const lln_rtq_dense_t *d, const int16_t *xa,
                                       const int16_t *xb, int16_t *y, int two)
{
    int na = d->split ? d->split : d->in, nb = two ? d->in - na : 0;
    q_rq_t s = q_rq_prep(d->shift);
    const int32_t *ma = d->mult, *mb = d->mult2 ? d->mult2 : d->mult, *bias = d->bias;
    int32_t half = s.s >= 33 ? (int32_t)(1u << (s.k - 1)) : 0;
    size_t in = d->in;
    uint16_t o = 0;
    for (; s.s >= 33 && o + 4 <= d->out; o += 4) {
        int32_t a0, a1, a2, a3, b0 = 0, b1 = 0, b2 = 0, b3 = 0;
        const int8_t *w = d->w + o * in;
        q_dot4_s8(w, in, xa, na, &a0, &a1, &a2, &a3);
        if (two)
            q_dot4_s8(w + na, in, xb, nb, &b0, &b1, &b2, &b3);
        q_out4(a0, a1, a2, a3, b0, b1, b2, b3, two, ma + o, mb + o, bias ? bias + o : NULL, s, half,
               y + o);
    }
    return o;
}

static uint16_t q_dense4(const lln_rtq_dense_t *d, const int16_t *xa, const int16_t *xb, int16_t *y)
{
    if (d->in > (d->split ? d->split : d->in))
        return q_dense4_body(d, xa, xb, y, 1);
    return q_dense4_body(d, xa, xb, y, 0);
}
#endif

#if (LLN_RTQ_WITH_CFC_GENERIC || LLN_RTQ_WITH_BASELINES || LLN_RTQ_WITH_PROJ) && LLN_RTQ_W16
#if defined(__ARM_FEATURE_DSP) && defined(__ARM_FEATURE_SIMD32) && !defined(__ARM_BIG_ENDIAN) && \
    defined(__GNUC__)
#define Q_W16_ASM 1
#include <arm_acle.h>
#else
#define Q_W16_ASM 0
#endif

/* acc + the two int16 products of the words w and x (SMLAD: modulo 2^32). */
static inline int32_t q_smlad(int32_t w, uint32_t x, int32_t acc)
{
#if Q_W16_ASM
    return __smlad(w, lln_fx__u2s(x), acc);
#else
    uint32_t uw = (uint32_t)w;
    int32_t w0 = (int32_t)(uw & 0xFFFFu) - (int32_t)((uw & 0x8000u) << 1);
    int32_t w1 = (int32_t)(uw >> 16) - (int32_t)((uw >> 31) << 16);
    int32_t x0 = (int32_t)(x & 0xFFFFu) - (int32_t)((x & 0x8000u) << 1);
    int32_t x1 = (int32_t)(x >> 16) - (int32_t)((x >> 31) << 16);
    uint32_t s = (uint32_t)acc + (uint32_t)(w0 * x0) + (uint32_t)(w1 * x1);
    return s <= (uint32_t)INT32_MAX ? (int32_t)s : -(int32_t)(~s) - 1;
#endif
}

/* The four rows of one block of pre-widened weights (lln_rtq_dense_t.w) against n columns of
 * x, added to *a0..*a3 (scalars: inlined, they stay in registers); returns w past the block's
 * group. Two columns a step: one activation word met by the four rows' weight words (one
 * LDM) and four SMLAD, four steps a loop pass: 26 instructions for 32 MACs on Armv7E-M. The
 * same sums as lln_fx_dot_s8i_s16 (the same products modulo 2^32). */
LLN_RTQ__INLINE const int32_t *q_dot4_w16(const int32_t *w, const int16_t *x, int n, int32_t *a0,
                                          int32_t *a1, int32_t *a2, int32_t *a3)
{
    int32_t c0 = *a0, c1 = *a1, c2 = *a2, c3 = *a3;
    int q = n >> 2;
#if Q_W16_ASM
/* two columns of the four rows: one activation word, the four rows' weight words, 4 SMLAD */
#define Q_W16_STEP                      \
    "ldr %[xw], [%[x]], #4\n\t"         \
    "ldmia %[w]!, {r4, r5, r6, r8}\n\t" \
    "smlad %[c0], r4, %[xw], %[c0]\n\t" \
    "smlad %[c1], r5, %[xw], %[c1]\n\t" \
    "smlad %[c2], r6, %[xw], %[c2]\n\t" \
    "smlad %[c3], r8, %[xw], %[c3]\n\t"
    if (q > 0) {
        /* eight columns a pass (26 instructions for 32 MACs), then four if q is odd */
        const int16_t *xe = x + 8 * (q >> 1);
        uint32_t xw;
        __asm__("cmp %[x], %[xe]\n\t"
                "beq 2f\n"
                "1:\n\t" Q_W16_STEP Q_W16_STEP Q_W16_STEP Q_W16_STEP "cmp %[x], %[xe]\n\t"
                "bne 1b\n"
                "2:\n\t"
                "tst %[q], #1\n\t"
                "beq 3f\n\t" Q_W16_STEP Q_W16_STEP "3:"
                : [c0] "+r"(c0), [c1] "+r"(c1), [c2] "+r"(c2), [c3] "+r"(c3), [w] "+r"(w),
                  [x] "+r"(x), [xw] "=&r"(xw)
                : [xe] "r"(xe), [q] "r"(q)
                : "r4", "r5", "r6", "r8", "cc", "memory");
    }
#undef Q_W16_STEP
#else
    for (; q > 0; q--, x += 4, w += 8) {
        uint32_t x01 = (uint16_t)x[0] | (uint32_t)(uint16_t)x[1] << 16;
        uint32_t x23 = (uint16_t)x[2] | (uint32_t)(uint16_t)x[3] << 16;
        c0 = q_smlad(w[0], x01, c0), c1 = q_smlad(w[1], x01, c1);
        c2 = q_smlad(w[2], x01, c2), c3 = q_smlad(w[3], x01, c3);
        c0 = q_smlad(w[4], x23, c0), c1 = q_smlad(w[5], x23, c1);
        c2 = q_smlad(w[6], x23, c2), c3 = q_smlad(w[7], x23, c3);
    }
#endif
    /* the last 1 to 3 columns: pairs, the odd one against its zero weight (x read no further) */
    for (int i = 0; i < (n & 3); i += 2, w += 4) {
        uint32_t xw = (uint16_t)x[i];
        if (i + 1 < (n & 3))
            xw |= (uint32_t)(uint16_t)x[i + 1] << 16;
        c0 = q_smlad(w[0], xw, c0), c1 = q_smlad(w[1], xw, c1);
        c2 = q_smlad(w[2], xw, c2), c3 = q_smlad(w[3], xw, c3);
    }
    *a0 = c0, *a1 = c1, *a2 = c2, *a3 = c3;
    return w;
}

/* q_dense on the pre-widened weights (lln_rtq_dense_t.w, LLN_RTQ_W16): four rows a block,
 * the blocks of four whole rows and the usual shift (s >= 33) with straight-line
 * requantisation. two: the layer has a group B (nb > 0), a constant in q_dense16's two
 * copies. */
LLN_RTQ__INLINE void q_dense16_body(const lln_rtq_dense_t *d, const int16_t *xa, const int16_t *xb,
                                    int16_t *y, int two)
{
    int na = d->split ? d->split : d->in, nb = two ? d->in - na : 0, out = d->out;
    q_rq_t s = q_rq_prep(d->shift);
    const int32_t *ma = d->mult, *mb = d->mult2 ? d->mult2 : d->mult, *bias = d->bias;
    const int32_t *w = (const int32_t *)(const void *)d->w; /* int32 words (lln_rtq.h) */
    int32_t half = s.s >= 33 ? (int32_t)(1u << (s.k - 1)) : 0;
    for (int o = 0; o < out; o += 4, ma += 4, mb += 4, y += 4) {
        int32_t a0 = 0, a1 = 0, a2 = 0, a3 = 0, b0 = 0, b1 = 0, b2 = 0, b3 = 0;
        w = q_dot4_w16(w, xa, na, &a0, &a1, &a2, &a3);
        if (two)
            w = q_dot4_w16(w, xb, nb, &b0, &b1, &b2, &b3);
        if (o + 4 > out || s.s < 33) { /* a last block of fewer rows, or a wide shift */
            int32_t a[4] = {a0, a1, a2, a3}, b[4] = {b0, b1, b2, b3};
            for (int r = 0; r < 4 && o + r < out; r++) {
                int32_t v = q_rq((int64_t)a[r] * ma[r] + (int64_t)b[r] * mb[r], s);
                y[r] = lln_fx_sat16(bias ? v + bias[o + r] : v);
            }
            continue;
        }
        q_out4(a0, a1, a2, a3, b0, b1, b2, b3, two, ma, mb, bias ? bias + o : NULL, s, half, y);
    }
}

static void q_dense16(const lln_rtq_dense_t *d, const int16_t *xa, const int16_t *xb, int16_t *y)
{
    if (d->in > (d->split ? d->split : d->in))
        q_dense16_body(d, xa, xb, y, 1);
    else
        q_dense16_body(d, xa, xb, y, 0);
}
#endif

#if LLN_RTQ_WITH_CFC_GENERIC || LLN_RTQ_WITH_BASELINES || LLN_RTQ_WITH_PROJ
#if LLN_RTQ_W16
/* y = W x + b (lln_rtq_dense_t) on the pre-widened weights. */
static void q_dense(const lln_rtq_dense_t *d, const int16_t *xa, const int16_t *xb, int16_t *y)
{
    q_dense16(d, xa, xb, y);
}
#else
/* y = W x + b (lln_rtq_dense_t), group A read from xa, group B from xb; four rows at a time
 * (then pairs) share the activation loads, and each row's groups meet in one 64-bit sum. */
static void q_dense(const lln_rtq_dense_t *d, const int16_t *xa, const int16_t *xb, int16_t *y)
{
    int na = d->split ? d->split : d->in, nb = d->in - na;
    q_rq_t s = q_rq_prep(d->shift);
    /* mult2 NULL: group B has A's scale (two products rather than A + B, which could wrap) */
    const int32_t *ma = d->mult, *mb = d->mult2 ? d->mult2 : d->mult, *bias = d->bias;
    uint16_t o = q_dense4(d, xa, xb, y); /* blocks of four rows, then pairs */
    for (; o + 2 <= d->out; o += 2) {
        int32_t a0, a1, b0 = 0, b1 = 0;
        int64_t p0, p1;
        const int8_t *w = d->w + (size_t)o * d->in;
        lln_fx_dot2_s8i_s16(w, w + d->in, xa, na, &a0, &a1);
        if (nb > 0)
            lln_fx_dot2_s8i_s16(w + na, w + d->in + na, xb, nb, &b0, &b1);
        p0 = (int64_t)a0 * ma[o] + (int64_t)b0 * mb[o];
        p1 = (int64_t)a1 * ma[o + 1] + (int64_t)b1 * mb[o + 1];
        a0 = q_rq(p0, s), a1 = q_rq(p1, s);
        y[o] = lln_fx_sat16(bias ? a0 + bias[o] : a0);
        y[o + 1] = lln_fx_sat16(bias ? a1 + bias[o + 1] : a1);
    }
    if (o < d->out) {
        const int8_t *w = d->w + (size_t)o * d->in;
        int32_t a = lln_fx_dot_s8i_s16(w, xa, na),
                b = nb > 0 ? lln_fx_dot_s8i_s16(w + na, xb, nb) : 0;
        int64_t p = (int64_t)a * ma[o] + (int64_t)b * mb[o];
        a = q_rq(p, s);
        y[o] = lln_fx_sat16(bias ? a + bias[o] : a);
    }
}
#endif

#endif

#if LLN_RTQ_WITH_BACKBONE
/* Backbone activation of v (frac fractional bits). tanh-like activations get their input in
 * Q3.12 (frac 12) and return Q0.15; relu, silu and gelu keep v's format. */
static int16_t q_act(uint8_t act, int16_t v, int frac)
{
    if (act == LLN_RTQ_ACT_TANH || act == LLN_RTQ_ACT_LECUN_TANH)
        return lln_fx_tanh_fast(v);
    if (act == LLN_RTQ_ACT_RELU)
        return (int16_t)(v > 0 ? v : 0);
    int16_t x12 = lln_fx_sat16(q_shift(v, frac - 12));
    int16_t gate;
    if (act == LLN_RTQ_ACT_SILU) {
        gate = lln_fx_sigmoid_lut(x12);
    } else {
        /* GELU = x Phi(x), Phi(x) ~ (1 + tanh(0.79788456 (x + 0.044715 x^3))) / 2 (max error
         * of the form 3e-4, below an int8 weight's resolution) */
        int64_t x3 = ((int64_t)x12 * x12 * x12 + ((int64_t)1 << 23)) / ((int64_t)1 << 24);
        int64_t u = ((int64_t)x12 * 4096 + x3 * 183) * 3268 / ((int64_t)1 << 24);
        gate = (int16_t)((32768 + lln_fx_tanh_fast(q_sat16_64(u))) / 2);
    }
    return lln_fx_sat16(lln_fx_rshift_round((int32_t)v * gate, 15));
}

#endif

#if LLN_RTQ_WITH_CFC_GENERIC
/* One CfC cell (the closed form: t = sigmoid(time_a dt + time_b), h = ff1 (1 - t) + t ff2 and
 * the no_gate and pure variants) in place on h. Its first dense layer reads inp and h where
 * they are (two column groups), so nothing is copied. */
static void q_cfc(const lln_rtq_model_t *m, const lln_rtq_cfc_t *c, const int16_t *inp, int32_t dt,
                  int16_t *h, int16_t *w)
{
    uint16_t wmax = (uint16_t)(c->in + c->hidden), H = c->hidden;
    for (uint16_t l = 0; l < c->nbackbone; l++)
        wmax = c->backbone[l].out > wmax ? c->backbone[l].out : wmax;
    /* the backbone's outputs alternate between w and w + wmax */
    int16_t *hd = w + 2 * (size_t)wmax;
    const int16_t *xa = inp, *xb = h;
#if LLN_RTQ_WITH_BACKBONE
    for (uint16_t l = 0; l < c->nbackbone; l++) {
        int16_t *o = w + (l % 2 ? 0 : wmax);
        uint16_t n = c->backbone[l].out;
        q_dense(&c->backbone[l], xa, xb, o);
        if (m->activation == LLN_RTQ_ACT_TANH || m->activation == LLN_RTQ_ACT_LECUN_TANH)
            for (uint16_t k = 0; k < n; k++) /* q_act's tanh without its tests per value */
                o[k] = lln_fx_tanh_fast(o[k]);
        else
            for (uint16_t k = 0; k < n; k++)
                o[k] = q_act(m->activation, o[k], c->act_frac[l]);
        xa = xb = o;
    }
#endif
    q_dense(&c->heads, xa, xb, hd);
    lln_rtq__tgate_t tg = lln_rtq__tgate_prep(c->t_frac, m->dt_frac); /* lln_rtq_spec.h */
    int mode = m->mode; /* locals: the stores to h could alias m and c */
    int8_t h_frac = c->h_frac;
    for (uint16_t j = 0; j < H; j++) {
#if LLN_RTQ_WITH_PURE
        if (mode == LLN_RTQ_MODE_PURE) {
            /* h = A - A exp(-dt (|w_tau| + |f1|)) f1 */
            int32_t f1 = hd[j], t = c->w_tau[j] + (f1 < 0 ? -f1 : f1);
            int16_t e = lln_fx_exp_neg(lln_fx_sat16(q_mul(t, dt, c->ff_frac + m->dt_frac - 11)));
            int64_t v = (int64_t)c->a[j] * (((int64_t)1 << (15 + c->ff_frac)) - (int64_t)e * f1);
            h[j] = lln_fx_sat16(q_shift64(v, c->a_frac + 15 + c->ff_frac - c->h_frac));
            continue;
        }
#endif
        h[j] =
            lln_rtq__cfc_gate(hd[j], hd[H + j], hd[2 * H + j], hd[3 * H + j], dt, tg, mode, h_frac);
    }
}

#endif

/* ---- LTC ----------------------------------------------------------------------------------- */

#if LLN_RTQ_WITH_LTC
#if defined(__GNUC__)
#define LLN_RTQ_NOINLINE __attribute__((noinline))
#define LLN_RTQ_ALWAYS_INLINE __attribute__((always_inline))
#else
#define LLN_RTQ_NOINLINE
#define LLN_RTQ_ALWAYS_INLINE
#endif

/* clamp(x, 0, 65535) (one USAT on Armv7-M and later). */
static inline uint32_t q_usat16(int32_t x)
{
#if defined(__ARM_FEATURE_SAT) && defined(__GNUC__)
    return (uint32_t)__builtin_arm_usat(x, 16);
#else
    return x < 0 ? 0u : x > 65535 ? 65535u : (uint32_t)x;
#endif
}

/* sigmoid(sigma (src - mu)) of one synapse, Q0.15. sigma (src - mu) comes to Q3.12 by a
 * right shift sh in [1, 30] (the quantizer guarantees the range), done half-up on the operand
 * biased by 2^31 (no shift of a negative value): sigma src + c = sigma (src - mu) + 2^31 +
 * 2^(sh-1) (lln_rtq_synapse_t.c; modulo 2^32, and |sigma (src - mu)| <= 65535 * 16383 keeps
 * the true sum in uint32). The bias 2^31 / 2^sh comes off and the table's 2^15 goes on in one
 * constant, sub = 2^31 / 2^sh - 2^15, so that one clamp to [0, 65535] is sat16(arg) + 2^15,
 * lln_fx_sigmoid_pk's index (no overflow: the shifted sum is below 2^(32-sh) and sub >=
 * 2^(31-sh) - 2^15). */
static inline uint32_t q_syn_sig(const lln_rtq_synapse_t *y, const int16_t *v, int sh, int32_t sub)
{
    uint32_t a = (uint32_t)((int32_t)v[y->src] * y->sigma) + y->c;
    return lln_fx_sigmoid_pk(q_usat16((int32_t)(a >> sh) - sub));
}

/* u as int32 (two's complement) without implementation-defined conversion: no code. */
static inline int32_t q_u2s(uint32_t u) { return u <= INT32_MAX ? (int32_t)u : -(int32_t)(~u) - 1; }

/* acc + a b (64-bit), one SMLAL on Armv7-M and later (GCC widens a non-negative a with
 * UMULL and a sign correction otherwise: five instructions). */
static inline int64_t q_mac64(int64_t acc, int32_t a, int32_t b)
{
#if defined(__GNUC__) && defined(__ARM_ARCH_ISA_THUMB) && __ARM_ARCH_ISA_THUMB >= 2 && \
    !defined(__ARM_BIG_ENDIAN)
    __asm__("smlal %Q0, %R0, %1, %2" : "+r"(acc) : "r"(a), "r"(b));
    return acc;
#else
    return acc + (int64_t)a * b;
#endif
}

/* round(|num| / den) with num's sign, saturated to int16 (as int32: the caller's int16 store
 * then needs no sign extension) for test > 0, else the limit of a tiny positive den. */
static inline int32_t q_solve(int32_t num, int32_t test, int32_t den)
{
    int32_t v;
    if (test > 0) { /* test: den, or a constant 1 where den > 0 is known */
        uint32_t mag = lln_fx__abs32(num), d = (uint32_t)den;
        uint32_t q = (mag + d / 2) / d; /* mag <= 2^31, d / 2 < 2^30: no wrap */
        v = num < 0 ? -(int32_t)q : (int32_t)q;
    } else {
        v = num == 0 ? 0 : num > 0 ? INT32_MAX : INT32_MIN; /* the limit */
    }
#if defined(__ARM_FEATURE_SAT) && defined(__GNUC__)
    return __builtin_arm_ssat(v, 16);
#else
    return v > INT16_MAX ? INT16_MAX : v < INT16_MIN ? INT16_MIN : v;
#endif
}

/* x / 2^k rounded half up, for x >= 0 and k in [0, 31]. */
static inline uint32_t q_down(uint32_t x, int k)
{
    return k ? (uint32_t)(((uint64_t)x + ((uint64_t)1 << (k - 1))) >> k) : x;
}

/* Per-neuron values of one step in the LTC's int32 scratch, one record a neuron. */
enum { Q_NUM0, Q_CMT, Q_DEN0, Q_NSYN, Q_RND, Q_SHG, Q_REC };

/* cm/Δt in g units for every neuron (rec[Q_CMT]): one 64-bit division per step for the
 * reciprocal r = 2^(dt_frac + R) / dt in [2^29, 2^30], then a multiply per neuron, saturated at
 * 2^30 so the denominator's sum stays below 2^31 (a Δt that small is far below calibration). */
static void q_cm_over_dt(const lln_rtq_model_t *m, int32_t dt, int32_t *rec)
{
    const lln_rtq_ltc_t *p = &m->ltc;
    int bl = q_bitlen64((uint32_t)dt), R = 29 + bl - m->dt_frac;
    uint32_t r = (uint32_t)((((uint64_t)1 << (29 + bl)) + (uint32_t)dt / 2) / (uint32_t)dt);
    /* lln_fx_mulshift(cm_k, r, R) for cm_k >= 0 (P(cm) > 0: every model): round(cm_k r / 2^s),
     * s = R clamped to [0, 62] (cm_k r < 2^61: no wrap), saturated at 2^30 */
    int s = R < 0 ? 0 : R > 62 ? 62 : R;
    uint64_t half = s ? (uint64_t)1 << (s - 1) : 0u;
    for (uint16_t j = 0; j < m->units; j++, rec += Q_REC) {
        uint32_t ck = (uint32_t)p->cm_k[j];
        if (ck > INT32_MAX) { /* cm_k < 0: not made by lln quantize; <= 0, no saturation */
            rec[Q_CMT] = lln_fx_mulshift(p->cm_k[j], (int32_t)r, R);
            continue;
        }
        uint64_t pr = (uint64_t)ck * r + half; /* r <= 2^30 */
        uint32_t hi = (uint32_t)(pr >> 32), c;
        if (s < 32) /* the usual case (R = 24..28 for Δt of 0.02..0.5 s at dt_frac 24) */
            c = (hi >> s) != 0 ? 1u << 30 : (hi << (31 - s) << 1) | ((uint32_t)pr >> s);
        else
            c = hi >> (s - 32);
        rec[Q_CMT] = (int32_t)(c > (1u << 30) ? 1u << 30 : c);
    }
}

/* The K unfolds: un = (num0 + cmt u + sum g erev) / (den0 + sum g) for every neuron, the
 * internal synapses' conductances g at u (the records of q_ltc), K times; u and un change
 * places after each, so the result is in h (= u at the start) or returned in the other
 * buffer. pos: every den0 > 0 (so every denominator, as g >= 0): the solve needs no test for
 * the limit; a constant in the two copies q_unfolds makes. */
LLN_RTQ_ALWAYS_INLINE static inline const int16_t *q_unfolds_body(const lln_rtq_ltc_t *p,
                                                                  const int32_t *rec, int16_t *u,
                                                                  int16_t *un, uint16_t N, int sh,
                                                                  int pos)
{
    int32_t sub = (int32_t)(0x80000000u >> sh) - 32768; /* q_syn_sig */
    for (uint16_t it = p->unfolds; it > 0; it--) {
        const lln_rtq_synapse_t *y = p->internal.syn + p->internal.off[0];
        const int32_t *r = rec;
        for (uint16_t j = 0; j < N; j++, r += Q_REC) {
            int32_t num = r[Q_NUM0] + r[Q_CMT] * u[j], den = r[Q_DEN0], n = r[Q_NSYN];
            if (n > 0) {
                uint32_t rg = (uint32_t)r[Q_RND];
                int shg = r[Q_SHG];
                const lln_rtq_synapse_t *e = y + n;
                do {
                    int32_t g = (int32_t)(((uint32_t)y->w * q_syn_sig(y, u, sh, sub) + rg) >> shg);
                    den += g;
                    num += g * y->erev;
                } while (++y < e);
            }
            un[j] = (int16_t)q_solve(num, pos ? 1 : den, den);
        }
        int16_t *t = u;
        u = un;
        un = t;
    }
    return u;
}

/* q_unfolds_body in a function of its own: its loops get every register (inlined into q_ltc
 * they spilled on every neuron). */
LLN_RTQ_NOINLINE static const int16_t *q_unfolds(const lln_rtq_ltc_t *p, const int32_t *rec,
                                                 int16_t *u, int16_t *un, uint16_t N, int sh,
                                                 int pos)
{
#ifdef LLN_RTQ_LTC_SH_R
    sh = LLN_RTQ_LTC_SH_R; /* the same value (q_parts_ok), as a constant */
#endif
    return pos ? q_unfolds_body(p, rec, u, un, N, sh, 1) : q_unfolds_body(p, rec, u, un, N, sh, 0);
}

/* The unfold-invariant part of one step (q_ltc) into the records: the sensory synapses, the
 * scale 2^-k of each neuron and the scaled terms. Returns whether every den0 > 0. A function
 * of its own, like q_unfolds. */
LLN_RTQ_NOINLINE static int q_prep(const lln_rtq_ltc_t *p, const int16_t *xin, int32_t *rec,
                                   uint16_t N, int sh_s)
{
    uint32_t zero = 0; /* 1 once some den0 is 0 (den0 >= 0: den < 2^32, k >= 17 past 2^31) */
#ifdef LLN_RTQ_LTC_SH_S
    sh_s = LLN_RTQ_LTC_SH_S; /* the same value (q_parts_ok), as a constant */
#endif
    int32_t sub_s = (int32_t)(0x80000000u >> sh_s) - 32768; /* q_syn_sig */
    const lln_rtq_synapse_t *ys = p->sensory.syn + p->sensory.off[0];
    const uint16_t *so = p->sensory.off + 1, *ro = p->internal.off;
    uint32_t eps = (uint32_t)p->eps;
    int32_t *r = rec;
    /* two passes, so that each loop's values fit the registers: first the sums (the
     * numerator, 64-bit, kept as its high word and low bits), then the scaling */
    for (uint16_t j = 0; j < N; j++, r += Q_REC) {
        int64_t num = p->gvleak[j];
        uint32_t den = (uint32_t)r[Q_CMT] + (uint32_t)p->gleak[j] + eps;
        /* the lists are by destination with non-decreasing offsets: neuron j's begins where
         * neuron j - 1's ends */
        for (const lln_rtq_synapse_t *e = p->sensory.syn + so[j]; ys < e; ys++) {
            uint32_t g = ((uint32_t)ys->w * q_syn_sig(ys, xin, sh_s, sub_s) + 16384u) >> 15;
            den += g;
            num = q_mac64(num, (int32_t)g, ys->erev); /* g < 2^16 */
        }
        uint64_t bits = (uint64_t)num; /* two's complement: num = hi 2^32 + lo */
        r[Q_NUM0] = q_u2s((uint32_t)bits), r[Q_RND] = q_u2s((uint32_t)(bits >> 32));
        r[Q_DEN0] = q_u2s(den);
    }
    for (uint16_t j = 0; j < N; j++, rec += Q_REC) {
        uint32_t den = (uint32_t)rec[Q_DEN0];
        int64_t num = (int64_t)rec[Q_RND] * ((int64_t)1 << 32) + (uint32_t)rec[Q_NUM0];
        /* bit length of den + wmax (< 2^30 + 2^16 (1 + I + 2 N)), computed as 64-bit */
        uint32_t tot = den + (uint32_t)p->wmax[j], cmt = (uint32_t)rec[Q_CMT];
        int k = (tot < den ? 33 : q_bitlen64(tot)) - 15;
        k = k < 0 ? 0 : k;
        uint32_t half = (1u << k) >> 1; /* 2^(k-1), 0 for k = 0 (k <= 18) */
        /* 32-bit paths where the values allow (every calibrated model), the same results as
         * q_shift64 and q_down */
        if ((uint64_t)(num + 0x80000000) <= 0xFFFFFFFFu) {
            int32_t n32 = (int32_t)num;
            uint32_t q = (lln_fx__abs32(n32) + half) >> k;
            rec[Q_NUM0] = k == 0 ? n32 : n32 < 0 ? -(int32_t)q : (int32_t)q;
        } else {
            rec[Q_NUM0] = q_shift64(num, k);
        }
        rec[Q_CMT] = (int32_t)((cmt + half) >> k); /* cm/dt <= 2^30 */
        rec[Q_DEN0] = (int32_t)(den < 0x80000000u ? (den + half) >> k : q_down(den, k));
        zero |= ((uint32_t)rec[Q_DEN0] - 1u) >> 31;
        rec[Q_NSYN] = ro[j + 1] - ro[j];
        rec[Q_RND] = k > 16 ? 0 : (int32_t)((1u << 14) + (half << 15));
        rec[Q_SHG] = k > 16 ? 31 : 15 + k;
    }
    return !zero;
}

/* The LTC step (K fused semi-implicit Euler unfolds of dt/K, as in lln_rt.c). Conductances
 * are in g units with up to 16 bits each, so sums need more than 32 bits; but the new state is
 * a ratio whose denominator needs only 15 significant bits. So once per step each neuron gets
 * a scale 2^-k that brings its largest possible denominator (the unfold-invariant part:
 * cm/Δt, leak, sensory synapses, plus every internal synapse fully open) below 2^15; every
 * term is scaled by it, and the unfolds then run in 32-bit arithmetic: |numerator| <=
 * denominator * 2^15 <= 2^30 (a convex combination of v units).
 * An internal synapse's conductance is P(w) sigmoid rounded to g units, then scaled by 2^-k
 * rounded half up: floor((floor((w s + 2^14) / 2^15) + 2^(k-1)) / 2^k), which is (successive
 * floors of divisions compose) floor((w s + rnd) / 2^shg) with rnd = 2^14 + 2^(k+14) and
 * shg = 15 + k: one multiply-add and one shift (w s < 2^31, rnd <= 2^30 + 2^14 for k <= 16:
 * no wrap). For k = 0, rnd = 2^14; for k >= 17 the conductance is 0 (floor((w s + 2^14) /
 * 2^15) < 2^16 <= 2^(k-1)), as rnd = 0 and shg = 31 give. */
static void q_ltc(const lln_rtq_model_t *m, const int16_t *x, int32_t dt, int16_t *h, int16_t *w16,
                  int32_t *w32)
{
    const lln_rtq_ltc_t *p = &m->ltc;
    uint16_t N = m->units;
    /* the unfolds alternate between h and un: no copy in, and one out for an odd count */
    int16_t *xin = w16, *un = xin + m->inputs;
    int32_t *rec = w32;
    int sh_s = p->xin_frac + p->sensory.sig_frac - 12, sh_r = p->v_frac + p->internal.sig_frac - 12;
    q_affine(&p->in_map, x, xin, m->inputs);
    q_cm_over_dt(m, dt, rec);
    const int16_t *v = q_unfolds(p, rec, h, un, N, sh_r, q_prep(p, xin, rec, N, sh_s));
    for (uint16_t j = 0; v != h && j < N; j++)
        h[j] = v[j];
}

#endif

/* ---- the baselines ----------------------------------------------------------------------------- */

#if LLN_RTQ_WITH_BASELINES
/* GRU / LSTM (torch's cells). [xn, h] (two column groups) feeds one split layer of the sigmoid/tanh
 * gates in Q3.12; the GRU's candidate keeps W_in xn + b_in and W_hn h + b_hn apart (r scales
 * the second), each in its calibrated format. h is Q0.15, the LSTM memory mem_frac. */
static void q_rnn(const lln_rtq_model_t *m, const int16_t *xn, int16_t *h, int16_t *out, int16_t *w)
{
    uint16_t I = m->inputs, N = m->units;
    int16_t *g = w + I + N, *ci = g + 4 * (size_t)N, *ch = ci + N;
    q_dense(&m->base->gates, xn, h, g);
    if (m->cell == LLN_RTQ_GRU) {
        q_dense(&m->base->cand_in, xn, xn, ci);
        q_dense(&m->base->cand_h, h, h, ch);
        for (uint16_t j = 0; j < N; j++) {
            int32_t r = lln_fx_sigmoid_lut(g[j]), zg = lln_fx_sigmoid_lut(g[N + j]);
            int32_t a = q_shift(ci[j], m->base->gin_frac - 12) +
                        q_shift(lln_fx_rshift_round(r * ch[j], 15), m->base->ghn_frac - 12);
            int32_t n = lln_fx_tanh_fast(lln_fx_sat16(a));
            /* (1 - z) n + z h = n + z (h - n): |z (h - n)| < 2^31 */
            h[j] = lln_fx_sat16(n + lln_fx_rshift_round(zg * ((int32_t)h[j] - n), 15));
            out[j] = h[j];
        }
        return;
    }
    int16_t *c = h + N;
    int mf = (int)m->base->mem_frac; /* in [0, 14] */
    for (uint16_t j = 0; j < N; j++) {
        int32_t ig = lln_fx_sigmoid_lut(g[j]), fg = lln_fx_sigmoid_lut(g[N + j]);
        int32_t gg = lln_fx_tanh_fast(g[2 * N + j]), og = lln_fx_sigmoid_lut(g[3 * N + j]);
        /* c' = f c + i g: Q0.15 x mem_frac and Q0.30 -> mem_frac (mem_frac in [0, 14]) */
        int32_t cn = lln_fx_rshift_round(fg * c[j], 15) + lln_fx_rshift_round(ig * gg, 30 - mf);
        c[j] = lln_fx_sat16(cn);
        int32_t tc = lln_fx_tanh_fast(lln_fx_sat16(q_shift(c[j], mf - 12)));
        h[j] = lln_fx_sat16(lln_fx_rshift_round(og * tc, 15));
        out[j] = h[j];
    }
}

void lln_rtq_baseline(const lln_rtq_model_t *m, const int16_t *xn, int16_t *state, int16_t *out)
{
    uint16_t I = m->inputs, N = m->units, U = m->cell_outputs;
    if (m->cell != LLN_RTQ_MLP) {
        q_rnn(m, xn, state, out, out + N);
        return;
    }
    for (uint16_t k = 0; k + I < N; k++)
        state[k] = state[k + I];
    for (uint16_t i = 0; i < I; i++)
        state[N - I + i] = xn[i];
    const int16_t *in = state;
#if LLN_RTQ_WITH_BACKBONE
    for (uint16_t l = 0; l < m->base->nmlp; l++) {
        int16_t *o = l + 1 == m->base->nmlp ? out : out + U + (size_t)(l % 2) * U;
        q_dense(&m->base->mlp[l], in, in, o);
        for (uint16_t k = 0; k < m->base->mlp[l].out; k++)
            o[k] = q_act(m->activation, o[k], m->base->mlp_frac[l]);
        in = o;
    }
#endif
    (void)in, (void)U;
    for (uint16_t k = 0; m->base->nmlp == 0 && k < N; k++)
        out[k] = state[k];
}

#endif

/* ---- the pre-widened dense weights -------------------------------------------------------- */

/* Weight k of a group of n in a row stored in lln_fx_interleave4's layout: each complete group
 * of four as (w0, w2, w1, w3), the tail in order. */
static int32_t q_w_at(const int8_t *g, int n, int k)
{
    static const uint8_t pos[4] = {0, 2, 1, 3};
    return k < n - n % 4 ? g[k - k % 4 + pos[k % 4]] : g[k];
}

void lln_rtq_dense_widen(const int8_t *w, uint16_t out, uint16_t in, uint16_t split, int32_t *dst)
{
    int na = split ? split : in;
    for (int o = 0; o < out; o += 4)
        for (int g = 0; g < 2; g++) {
            int c0 = g ? na : 0, n = g ? in - na : na;
            for (int c = 0; c < n; c += 2)
                for (int r = o; r < o + 4; r++) {
                    const int8_t *row = w + (size_t)r * in + c0;
                    int32_t lo = r < out ? q_w_at(row, n, c) : 0;
                    int32_t hi = r < out && c + 1 < n ? q_w_at(row, n, c + 1) : 0;
                    /* two int16 in one word, lo in the low half: (lo mod 2^16) + hi 2^16 */
                    uint32_t u = ((uint32_t)lo & 0xFFFFu) | (uint32_t)hi << 16;
                    *dst++ = u <= (uint32_t)INT32_MAX ? (int32_t)u : -(int32_t)(~u) - 1;
                }
        }
}

/* ---- the step ------------------------------------------------------------------------------ */

void lln_rtq_reset(const lln_rtq_model_t *m, int16_t *state)
{
    for (uint32_t i = 0; i < m->state_len; i++)
        state[i] = 0;
}

/* Whether this build has every part of the runtime m needs (lln_rtq_config.h); constant
 * true when everything is compiled in. */
static int q_parts_ok(const lln_rtq_model_t *m)
{
    if (m->proj.out > 0 && !LLN_RTQ_WITH_PROJ)
        return 0;
    if (m->cell == LLN_RTQ_LTC) {
#ifdef LLN_RTQ_LTC_SH_S /* the exporter's constants must be this model's */
        if (m->ltc.xin_frac + m->ltc.sensory.sig_frac - 12 != LLN_RTQ_LTC_SH_S)
            return 0;
#endif
#ifdef LLN_RTQ_LTC_SH_R
        if (m->ltc.v_frac + m->ltc.internal.sig_frac - 12 != LLN_RTQ_LTC_SH_R)
            return 0;
#endif
        return LLN_RTQ_WITH_LTC;
    }
    if (m->baseline)
        return LLN_RTQ_WITH_BASELINES && (m->base->nmlp == 0 || LLN_RTQ_WITH_BACKBONE);
    if (m->step)
        return LLN_RTQ_WITH_CFC;
    return LLN_RTQ_WITH_CFC_GENERIC && (m->mode != LLN_RTQ_MODE_PURE || LLN_RTQ_WITH_PURE) &&
           (m->ncells == 0 || m->cfc[0].nbackbone == 0 || LLN_RTQ_WITH_BACKBONE);
}

int lln_rtq_step(const lln_rtq_model_t *m, int16_t *state, const int16_t *x, int32_t dt, int16_t *y,
                 int16_t *scratch16, int32_t *scratch32)
{
    if (dt <= 0)
        return LLN_RTQ_E_DT;
    if (!q_parts_ok(m))
        return LLN_RTQ_E_PART;
#if LLN_RTQ_WITH_CFC
    if (m->step) /* the model's specialised step (lln_rtq_spec.h) */
        return m->step(m, state, x, dt, y, scratch16);
#endif
#if !LLN_RTQ__GENERIC
    (void)state, (void)x, (void)y, (void)scratch16, (void)scratch32;
    return LLN_RTQ_E_PART; /* not reached: q_parts_ok said no */
#else
    uint16_t N = m->units, Oc = m->cell_outputs;
    const int16_t *out = state;
    int16_t *w = scratch16;
    (void)N, (void)Oc, (void)scratch32;
    if (m->cell == LLN_RTQ_LTC) {
#if LLN_RTQ_WITH_LTC
        q_ltc(m, x, dt, state, scratch16, scratch32);
#endif
    } else {
        int16_t *xn = scratch16;
        w = xn + m->inputs;
        q_affine(&m->in_norm, x, xn, m->inputs);
        if (m->baseline) {
            m->baseline(m, xn, state, w);
            out = w;
            w += Oc;
        } else {
#if LLN_RTQ_WITH_CFC
#if LLN_RTQ_WITH_CFC_GENERIC
            const int16_t *inp = xn;
            uint16_t col = 0;
            for (uint16_t l = 0; l < m->ncells; l++) {
                q_cfc(m, &m->cfc[l], inp, dt, state + col, w);
                inp = state + col; /* the next layer reads this layer's new state */
                col = (uint16_t)(col + m->cfc[l].hidden);
            }
#endif
            out = state + N - Oc;
#endif
        }
    }
    if (y == 0)
        return LLN_RTQ_OK;
#if LLN_RTQ_WITH_PROJ
    if (m->proj.out > 0) {
        q_dense(&m->proj, out, out, w);
        out = w;
    }
#endif
    q_affine(&m->out_map, out, y, m->outputs);
    return LLN_RTQ_OK;
#endif
}
