/* float32 kernels: fast inline exp/tanh (src/mathfn.h), vectorisable loops. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mathfn.h"
#include "model_internal.h"

#define REAL float
#define SFX f32
#define EXP lln_expf
#define TANH lln_tanhf
#define SIGMOID lln_sigmoidf
#define ERF erff
#include "prepare_impl.h"
#include "kernels_impl.h"
