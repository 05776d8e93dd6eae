/* kernels_f32.c compiled for AVX2 + FMA (x86-64-v3), chosen at run time by kernels_dispatch.c
 * (cmake/platforms.cmake gives this file its -march). */
#ifdef LLN_ISA_DISPATCH
#define LLN_KERNEL_ISA avx2
/* NOLINTNEXTLINE(bugprone-suspicious-include): the same kernels, compiled again for the ISA */
#include "kernels_f32.c"
#else
typedef int lln__kernels_f32_avx2_unused; /* dispatch off: an (ISO C) non-empty file */
#endif
