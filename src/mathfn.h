/* Elementary functions for the float kernels. The float64 kernels use libm (they are the
 * accuracy reference, ~1e-15). The float32 kernels use these inline, branch-free versions
 * so the compiler can vectorise the synapse loops; their error (below) is far inside the
 * golden float32 tolerance of 1e-5 absolute. */
#ifndef LLN_MATHFN_H
#define LLN_MATHFN_H

#include <math.h>
#include <stdint.h>
#include <string.h>

/* e^x for float: x = n*ln2 + r, |r| <= ln2/2, degree-6 Taylor polynomial for e^r (relative
 * error < 2e-7 over the clamped range), 2^n built in the exponent bits. Inputs are clamped
 * to [-87, 88] so 2^n stays a normal number: e^-87 = 1.6e-38 instead of smaller values,
 * which only matters below float's normal range anyway. */
static inline float lln_expf(float x)
{
    x = x < -87.0f ? -87.0f : (x > 88.0f ? 88.0f : x);
    float n = floorf(x * 1.44269504f + 0.5f);
    float r = x - n * 0.693145752f; /* ln2 split in a high part exact in float ... */
    r = r - n * 1.42860677e-06f;    /* ... and the low remainder */
    float p = 1.0f + r * (1.0f + r * (0.5f + r * (0.166666672f + r * (0.0416666679f +
                                                  r * (0.00833333377f + r * 0.00138888892f)))));
    int32_t bits = ((int32_t)n + 127) << 23;
    float scale;
    memcpy(&scale, &bits, sizeof scale);
    return p * scale;
}

static inline float lln_sigmoidf(float x) { return 1.0f / (1.0f + lln_expf(-x)); }

/* tanh(x) = 1 - 2 / (e^{2x} + 1): absolute error < 3e-7 (cancellation near 0 costs relative
 * accuracy, not absolute). */
static inline float lln_tanhf(float x) { return 1.0f - 2.0f / (lln_expf(2.0f * x) + 1.0f); }

static inline double lln_sigmoid(double x) { return 1.0 / (1.0 + exp(-x)); }

/* torch softplus with beta = 1, threshold = 20. Evaluated in double for both kernels:
 * it only touches parameters, once per prepare. */
static inline double lln_softplus(double x) { return x > 20.0 ? x : log1p(exp(x)); }

#endif
