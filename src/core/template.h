/* The parameters and the name mangling of the kernel templates (prepare_impl.h,
 * kernels_impl.h, backprop_impl.h), included at the top of each. No include guard: every
 * template checks its parameters again. The includer (kernels_f32.c, kernels_f64.c) defines
 * REAL (float or double), SFX (f32 or f64), EXP, TANH, SIGMOID, ERF, FMA(a, b, c),
 * SYN_SIG(a, b, v), LTC_FOLD and RECIP_DT, then includes the templates, then template_end.h.
 * T_(name) is the precision's copy of a template function: name_f32 or name_f64. */
#if !defined(REAL) || !defined(SFX)
#error "a kernel template needs REAL and SFX: include it from kernels_f32.c or kernels_f64.c"
#endif
#if !defined(EXP) || !defined(TANH) || !defined(SIGMOID) || !defined(ERF) || !defined(FMA)
#error "a kernel template needs EXP, TANH, SIGMOID, ERF and FMA of its precision"
#endif
#if !defined(SYN_SIG) || !defined(LTC_FOLD) || !defined(RECIP_DT)
#error "a kernel template needs SYN_SIG, LTC_FOLD and RECIP_DT"
#endif

/* A template function that every caller must get its own copy of (constant arguments that
 * remove work are then folded away): forced inlining where the compiler has a way to say it */
#ifndef K_FORCE_INLINE
#if defined(__GNUC__) || defined(__clang__)
#define K_FORCE_INLINE static inline __attribute__((always_inline))
#elif defined(_MSC_VER)
#define K_FORCE_INLINE static __forceinline
#else
#define K_FORCE_INLINE static inline
#endif
#endif

#ifndef T_
#define T_CAT2(a, b) a##_##b
#define T_CAT(a, b) T_CAT2(a, b)
#define T_(name) T_CAT(name, SFX)
#endif
