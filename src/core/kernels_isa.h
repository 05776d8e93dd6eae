/* Run-time ISA dispatch of the float32 kernels (x86-64, kernels_dispatch.c): kernels_f32.c is
 * compiled once per instruction set (baseline SSE2, AVX2 + FMA, AVX-512) with
 * LLN_KERNEL_ISA = base, avx2 or avx512, and each copy's entry points get that suffix
 * (lln__step_f32 becomes lln__step_f32_avx2, ...). The dispatcher defines the plain names.
 * Without LLN_KERNEL_ISA (other targets, LLN_NATIVE builds) nothing is renamed. */
#ifndef LLN_KERNELS_ISA_H
#define LLN_KERNELS_ISA_H
#ifdef LLN_KERNEL_ISA
#define LLN_ISA_CAT2(a, b) a##_##b
#define LLN_ISA_CAT(a, b) LLN_ISA_CAT2(a, b)
#define lln__prepare_f32 LLN_ISA_CAT(lln__prepare_f32, LLN_KERNEL_ISA)
#define lln__step_f32 LLN_ISA_CAT(lln__step_f32, LLN_KERNEL_ISA)
#define lln__cfc_work_f32 LLN_ISA_CAT(lln__cfc_work_f32, LLN_KERNEL_ISA)
#define lln__tape_carve_f32 LLN_ISA_CAT(lln__tape_carve_f32, LLN_KERNEL_ISA)
#define lln__tape_forward_f32 LLN_ISA_CAT(lln__tape_forward_f32, LLN_KERNEL_ISA)
#define lln__tape_records_f32 LLN_ISA_CAT(lln__tape_records_f32, LLN_KERNEL_ISA)
#define lln__tape_backward_f32 LLN_ISA_CAT(lln__tape_backward_f32, LLN_KERNEL_ISA)
#endif
#endif
