/* float64 kernels: libm functions and ncps's operation order, the accuracy reference
 * (golden parity at 1e-10). No fused multiply-adds, no reciprocals. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/alloc.h"
#include "common/mathfn.h"
#include "model_internal.h"

#define REAL double
#define SFX f64
#define EXP exp
#define TANH tanh
#define SIGMOID lln_sigmoid
#define ERF erf
#define FMA(a, b, c) ((a) * (b) + (c))
/* LTC synapse: a = sigma, b = mu, as ncps computes it */
#define SYN_SIG(a, b, v) lln_sigmoid((a) * ((v) - (b)))
#define LTC_FOLD 0
#define RECIP_DT 0
#include "prepare_impl.h"
#include "kernels_impl.h"
#include "backprop_impl.h"
#include "template_end.h"
