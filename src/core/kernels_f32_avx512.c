/* kernels_f32.c compiled for AVX-512 (x86-64-v4), chosen at run time by kernels_dispatch.c
 * (cmake/platforms.cmake gives this file its -march). */
#ifdef LLN_ISA_DISPATCH
#define LLN_KERNEL_ISA avx512
/* NOLINTNEXTLINE(bugprone-suspicious-include): the same kernels, compiled again for the ISA */
#include "kernels_f32.c"
#else
typedef int lln__kernels_f32_avx512_unused; /* dispatch off: an (ISO C) non-empty file */
#endif
