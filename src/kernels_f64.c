/* float64 kernels: libm functions, the accuracy reference (golden parity at 1e-10). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mathfn.h"
#include "model_internal.h"

#define REAL double
#define SFX f64
#define EXP exp
#define TANH tanh
#define SIGMOID lln_sigmoid
#define ERF erf
#include "prepare_impl.h"
#include "kernels_impl.h"
