/* Elementary functions for the float kernels. The float64 kernels use libm (they are the
 * accuracy reference, ~1e-15). The float32 kernels use these inline, branch-free versions
 * so the compiler can vectorise the synapse and activation loops; their error (below) is far
 * inside the golden float32 tolerance of 1e-5 absolute.
 *
 * Everything here is deterministic IEEE arithmetic (no table lookups, no rounding-mode
 * dependence beyond the default round-to-nearest), so a vectorised loop and its scalar
 * remainder give bit-identical results; the kernels rely on that to make a sample's result
 * independent of the batch it is stepped in. */
#ifndef LLN_MATHFN_H
#define LLN_MATHFN_H

#include <math.h>
#include <stdint.h>
#include <string.h>

/* Fused multiply-add for the float32 kernels when the target has it in hardware (one
 * rounding, one instruction); a*b+c otherwise (fmaf() would be a slow library call). A build
 * for one target always uses the same form everywhere, so batch independence holds. */
/* MSVC names no __FMA__: its /arch:AVX2 (the AVX2 kernels of the Windows wheels) includes FMA3. */
#if defined(__FMA__) || defined(__ARM_FEATURE_FMA) || (defined(_MSC_VER) && defined(__AVX2__))
#define LLN_FMAF(a, b, c) fmaf((a), (b), (c))
#define LLN_HAVE_FMA 1
#else
#define LLN_FMAF(a, b, c) ((a) * (b) + (c))
#define LLN_HAVE_FMA 0
#endif

/* c ? a : b as a bitwise select. Used for the clamp in lln_expf: written as x < -87 ? -87 : x,
 * compilers thread the constant branch through the whole function and then cannot vectorise
 * the loop around it. */
static inline float lln_selectf(int c, float a, float b)
{
    uint32_t m = 0u - (uint32_t)c, ia, ib;
    memcpy(&ia, &a, sizeof ia);
    memcpy(&ib, &b, sizeof ib);
    ia = (ia & m) | (ib & ~m);
    memcpy(&a, &ia, sizeof a);
    return a;
}

/* e^x for float. x is clamped to [-87, 88] (so 2^n below stays a normal number: e^-87 =
 * 1.6e-38 instead of smaller values, which only matters below float's normal range), then
 * x = n ln2 + r with n = round(x / ln2) found by the 1.5*2^23 shifter (whose low mantissa
 * bits then hold n, used to build 2^n in the exponent field), |r| <= ln2/2, and e^r from a
 * degree-5 minimax polynomial with c0 = 1 (relative error 1.5e-7 with FMA, 1.7e-7 without).
 * With FMA the reduction is one fused step with ln2 rounded to float (adds |n| * 1.9e-9 to r:
 * < 5e-8 where the callers' results are not saturated); without FMA it is the exact
 * two-constant Cody-Waite split. */
static inline float lln_expf(float x)
{
    x = lln_selectf(x < -87.0f, -87.0f, x);
    x = lln_selectf(x > 88.0f, 88.0f, x);
    float t = LLN_FMAF(x, 1.44269504f, 12582912.0f); /* 1.5 * 2^23 + round(x / ln2) */
    float n = t - 12582912.0f;
#if LLN_HAVE_FMA
    float r = LLN_FMAF(n, -0.693147182f, x);
#else
    float r = x - n * 0.693145752f; /* ln2 split in a high part exact in float ... */
    r = r - n * 1.42860677e-06f;    /* ... and the low remainder */
#endif
    float p = LLN_FMAF(0.00828943495f, r, 0.0418978743f);
    p = LLN_FMAF(p, r, 0.166676491f);
    p = LLN_FMAF(p, r, 0.499991506f);
    p = LLN_FMAF(p, r, 0.999999702f);
    p = LLN_FMAF(p, r, 1.0f);
    uint32_t bits;
    memcpy(&bits, &t, sizeof bits);
    bits = (bits + 127u) << 23; /* t's bits = 0x4B400000 + n; the shift drops 0x4B4 */
    float scale;
    memcpy(&scale, &bits, sizeof scale);
    return p * scale;
}

static inline float lln_sigmoidf(float x) { return 1.0f / (1.0f + lln_expf(-x)); }

/* The same functions on a whole vector register (x86: AVX-512, AVX2 or the SSE2 baseline;
 * aarch64: NEON),
 * for the loops the compiler does not vectorise well on its own. Operation for operation
 * these are lln_expf and friends above (fused or not as LLN_FMAF), so every lane gets the
 * bits the scalar code gives (min/max take the constant first so a NaN passes through as in
 * the scalar select). LLN_VEC_BYTES is the register width the kernels block and pad for;
 * results never depend on it. */
#if defined(__AVX512F__)
#include <immintrin.h>
#define LLN_VEC_BYTES 64
typedef __m512 lln_vf;
#define LLN_VF(op) _mm512_##op
#define lln_vf_pow2n(t)  \
    _mm512_castsi512_ps( \
        _mm512_slli_epi32(_mm512_add_epi32(_mm512_castps_si512(t), _mm512_set1_epi32(127)), 23))
/* p 2^n in one instruction (vscalefps: exact for the normal results lln_vf_exp's clamp
 * allows, and rounded like the multiply by the built 2^n of the other ISAs for subnormal ones,
 * so the bits do not change); n is the rounded exponent as a float. */
#define lln_vf_ldexp(p, t, n) _mm512_scalef_ps((p), (n))
#elif defined(__AVX2__)
#include <immintrin.h>
#define LLN_VEC_BYTES 32
typedef __m256 lln_vf;
#define LLN_VF(op) _mm256_##op
#define lln_vf_pow2n(t)  \
    _mm256_castsi256_ps( \
        _mm256_slli_epi32(_mm256_add_epi32(_mm256_castps_si256(t), _mm256_set1_epi32(127)), 23))
#elif defined(__SSE2__) || defined(_M_X64) || (defined(_M_IX86_FP) && _M_IX86_FP >= 2)
#if LLN_HAVE_FMA
#include <immintrin.h> /* FMA3 without AVX2 (e.g. AMD Piledriver) */
#else
#include <emmintrin.h>
#endif
#define LLN_VEC_BYTES 16
typedef __m128 lln_vf;
#define LLN_VF(op) _mm_##op
#define lln_vf_pow2n(t) \
    _mm_castsi128_ps(_mm_slli_epi32(_mm_add_epi32(_mm_castps_si128(t), _mm_set1_epi32(127)), 23))
#elif (defined(__aarch64__) || defined(_M_ARM64)) && defined(__ARM_NEON) && !defined(LLN_NO_NEON)
/* AArch64 Advanced SIMD (NEON, in every ARMv8-A core): 4 floats, fused multiply-add (as the
 * scalar fmaf of LLN_FMAF on this target), and a true vector division. vmaxq/vminq return NaN
 * when either operand is NaN, so a NaN passes through as in the scalar select. LLN_NO_NEON
 * builds the plain C loops instead (the scalar reference the NEON counts are compared with). */
#include <arm_neon.h>
#define LLN_VEC_BYTES 16
typedef float32x4_t lln_vf;
#define LLN_VF(op) lln_neon_##op
#define lln_neon_set1_ps vdupq_n_f32
#define lln_neon_loadu_ps vld1q_f32
#define lln_neon_storeu_ps vst1q_f32
#define lln_neon_add_ps vaddq_f32
#define lln_neon_sub_ps vsubq_f32
#define lln_neon_mul_ps vmulq_f32
#define lln_neon_div_ps vdivq_f32
#define lln_neon_max_ps vmaxq_f32
#define lln_neon_min_ps vminq_f32
#define lln_neon_fmadd_ps(a, b, c) vfmaq_f32((c), (a), (b)) /* a*b + c, one rounding */
#define lln_vf_pow2n(t) \
    vreinterpretq_f32_s32(vshlq_n_s32(vaddq_s32(vreinterpretq_s32_f32(t), vdupq_n_s32(127)), 23))
#else
#define LLN_VEC_BYTES 16 /* no intrinsics: plain C loops, blocked for 4 floats */
#endif

#ifdef LLN_VF
#define LLN_VF_LANES (LLN_VEC_BYTES / 4)
#define lln_vf_set1 LLN_VF(set1_ps)
#define lln_vf_load LLN_VF(loadu_ps)
#define lln_vf_store LLN_VF(storeu_ps)
#define lln_vf_add LLN_VF(add_ps)
#define lln_vf_sub LLN_VF(sub_ps)
#define lln_vf_mul LLN_VF(mul_ps)
#define lln_vf_div LLN_VF(div_ps)
#define lln_vf_max LLN_VF(max_ps)
#define lln_vf_min LLN_VF(min_ps)
#ifndef lln_vf_ldexp /* p 2^n from t = 1.5 * 2^23 + n: the exponent bits built from t */
#define lln_vf_ldexp(p, t, n) lln_vf_mul((p), lln_vf_pow2n(t))
#endif
#if LLN_HAVE_FMA
#define lln_vf_fma LLN_VF(fmadd_ps)
#else
#define lln_vf_fma(a, b, c) lln_vf_add(lln_vf_mul(a, b), c)
#endif

static inline lln_vf lln_vf_exp(lln_vf x)
{
    x = lln_vf_max(lln_vf_set1(-87.0f), x);
    x = lln_vf_min(lln_vf_set1(88.0f), x);
    lln_vf t = lln_vf_fma(x, lln_vf_set1(1.44269504f), lln_vf_set1(12582912.0f));
    lln_vf n = lln_vf_sub(t, lln_vf_set1(12582912.0f));
#if LLN_HAVE_FMA
    lln_vf r = lln_vf_fma(n, lln_vf_set1(-0.693147182f), x);
#else
    lln_vf r = lln_vf_sub(x, lln_vf_mul(n, lln_vf_set1(0.693145752f)));
    r = lln_vf_sub(r, lln_vf_mul(n, lln_vf_set1(1.42860677e-06f)));
#endif
    lln_vf p = lln_vf_fma(lln_vf_set1(0.00828943495f), r, lln_vf_set1(0.0418978743f));
    p = lln_vf_fma(p, r, lln_vf_set1(0.166676491f));
    p = lln_vf_fma(p, r, lln_vf_set1(0.499991506f));
    p = lln_vf_fma(p, r, lln_vf_set1(0.999999702f));
    p = lln_vf_fma(p, r, lln_vf_set1(1.0f));
    return lln_vf_ldexp(p, t, n);
}

/* lln_sigmoidf and lln_tanhf on vectors (-x as -0 - x: exact, also for zeros). */
static inline lln_vf lln_vf_sigmoid(lln_vf x)
{
    lln_vf one = lln_vf_set1(1.0f);
    return lln_vf_div(one, lln_vf_add(one, lln_vf_exp(lln_vf_sub(lln_vf_set1(-0.0f), x))));
}

static inline lln_vf lln_vf_tanh(lln_vf x)
{
    lln_vf one = lln_vf_set1(1.0f), two = lln_vf_set1(2.0f);
    return lln_vf_sub(one, lln_vf_div(two, lln_vf_add(lln_vf_exp(lln_vf_mul(two, x)), one)));
}
#endif

/* tanh(x) = 1 - 2 / (e^{2x} + 1): absolute error < 3e-7 (cancellation near 0 costs relative
 * accuracy, not absolute). */
static inline float lln_tanhf(float x) { return 1.0f - 2.0f / (lln_expf(2.0f * x) + 1.0f); }

static inline double lln_sigmoid(double x) { return 1.0 / (1.0 + exp(-x)); }

/* torch softplus with beta = 1, threshold = 20. Evaluated in double for both kernels:
 * it only touches parameters, once per prepare. */
static inline double lln_softplus(double x) { return x > 20.0 ? x : log1p(exp(x)); }

#endif
