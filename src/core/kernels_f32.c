/* float32 kernels: fast inline exp/tanh (src/common/mathfn.h), fused multiply-adds where the target
 * has them, vectorisable loops. Within the golden float32 tolerance of the float64 path. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernels_isa.h" /* before the prototypes: renames them per ISA */
#include "common/alloc.h"
#include "common/mathfn.h"
#include "model_internal.h"

#define REAL float
#define SFX f32
#define EXP lln_expf
#define TANH lln_tanhf
#define SIGMOID lln_sigmoidf
#define ERF erff
#define FMA(a, b, c) LLN_FMAF(a, b, c)
/* LTC synapse: a = -sigma, b = sigma*mu, so sigma (v - mu) = -(a v + b) */
#define SYN_SIG(a, b, v) (1.0f / (1.0f + lln_expf(LLN_FMAF((a), (v), (b)))))
#ifdef LLN_VF_LANES /* the same on a vector of lanes (mathfn.h) */
#define K_VSIG(a, b, v) \
    lln_vf_div(lln_vf_set1(1.0f), lln_vf_add(lln_vf_set1(1.0f), lln_vf_exp(lln_vf_fma(a, v, b))))
#endif
#define LTC_FOLD 1
#define RECIP_DT 1
#include "prepare_impl.h"
#include "kernels_impl.h"
#include "backprop_impl.h"
#include "template_end.h"
