/* Which float32 kernels run. On x86-64 builds with LLN_ISA_DISPATCH (cmake/platforms.cmake:
 * GCC or Clang, not LLN_NATIVE; Windows too) kernels_f32.c exists three times, for the SSE2
 * baseline, AVX2 + FMA and AVX-512 (kernels_isa.h), and the entry points here pick one once per
 * process: the best the CPU and OS support (GCC/Clang: __builtin_cpu_supports; MSVC: cpuid and
 * xgetbv, which say whether the OS saves the vector registers), or the one the
 * environment variable LLN_ISA=sse2|avx2|avx512 asks for (tests run every variant that way).
 * The choice is made before the first model is prepared and never changes, because a
 * variant's prepared weights are padded for its own vector width. Elsewhere this file only
 * names the instruction set the one compiled copy uses. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lln/model.h"
#include "model_internal.h"
#include "common/platform.h"

#ifdef LLN_ISA_DISPATCH
#define ISA_PROTOS(sfx)                                                                           \
    lln_status_t lln__prepare_f32_##sfx(lln_model_t *m, lln_error_t *err);                        \
    lln_status_t lln__step_f32_##sfx(const lln_model_t *m, lln_state_t *s, const float *x,        \
                                     size_t xs, const float *dt, size_t dts, float *y, size_t ys, \
                                     float *st, size_t sts);                                      \
    size_t lln__cfc_work_f32_##sfx(const lln_cfc_prep_f32 *cp);                                   \
    size_t lln__tape_carve_f32_##sfx(const lln_model_t *m, int batch, int steps, void *base);     \
    void lln__tape_forward_f32_##sfx(lln_tape_t *t, const float *x, const float *dt,              \
                                     const float *h0, const float *c0, float *y);                 \
    void lln__tape_records_f32_##sfx(const lln_tape_t *t, const void **h, const void **c);        \
    void lln__tape_backward_f32_##sfx(lln_tape_t *t, const float *dy, double *grad, float *dx,    \
                                      float *dh0, float *dc0);
ISA_PROTOS(base)
ISA_PROTOS(avx2)
ISA_PROTOS(avx512)

typedef struct isa {
    const char *name;
    /* cppcheck-suppress unusedStructMember ; called as isa()->prepare(...) below */
    lln_status_t (*prepare)(lln_model_t *, lln_error_t *);
    /* cppcheck-suppress unusedStructMember ; called as isa()->step(...) below */
    lln_status_t (*step)(const lln_model_t *, lln_state_t *, const float *, size_t, const float *,
                         size_t, float *, size_t, float *, size_t);
    /* cppcheck-suppress unusedStructMember ; called as isa()->cfc_work(...) below */
    size_t (*cfc_work)(const lln_cfc_prep_f32 *);
    /* cppcheck-suppress unusedStructMember ; called as isa()->carve(...) below */
    size_t (*carve)(const lln_model_t *, int, int, void *);
    /* cppcheck-suppress unusedStructMember ; called as isa()->forward(...) below */
    void (*forward)(lln_tape_t *, const float *, const float *, const float *, const float *,
                    float *);
    /* cppcheck-suppress unusedStructMember ; called as isa()->records(...) below */
    void (*records)(const lln_tape_t *, const void **, const void **);
    /* cppcheck-suppress unusedStructMember ; called as isa()->backward(...) below */
    void (*backward)(lln_tape_t *, const float *, double *, float *, float *, float *);
} isa_t;

#define ISA_ENTRY(label, sfx)                                                                    \
    {                                                                                            \
        label, lln__prepare_f32_##sfx, lln__step_f32_##sfx, lln__cfc_work_f32_##sfx,             \
            lln__tape_carve_f32_##sfx, lln__tape_forward_f32_##sfx, lln__tape_records_f32_##sfx, \
            lln__tape_backward_f32_##sfx                                                         \
    }
static const isa_t ISAS[] = {ISA_ENTRY("sse2", base), ISA_ENTRY("avx2", avx2),
                             ISA_ENTRY("avx512", avx512)};
enum { I_SSE2, I_AVX2, I_AVX512, N_ISA };

#if defined(_MSC_VER)
#include <intrin.h>

/* Bit `bit` of register reg (0 eax, 1 ebx, 2 ecx, 3 edx) of cpuid(leaf, sub). */
static int cpu_bit(int leaf, int sub, int reg, int bit)
{
    int r[4];
    __cpuid(r, 0);
    if (r[0] < leaf)
        return 0;
    __cpuidex(r, leaf, sub);
    return (int)(((unsigned)r[reg] >> bit) & 1u);
}

/* The OS saves the register state of every bit of mask (XCR0: 0x6 SSE + AVX, 0xe0 AVX-512). */
static int os_saves(unsigned long long mask)
{
    return cpu_bit(1, 0, 2, 27) /* OSXSAVE */ && (_xgetbv(0) & mask) == mask;
}

static int supported(int i)
{
    switch (i) {
    case I_AVX512: /* F (ebx 16), DQ (17), BW (30), VL (31) */
        return cpu_bit(7, 0, 1, 16) && cpu_bit(7, 0, 1, 17) && cpu_bit(7, 0, 1, 30) &&
               cpu_bit(7, 0, 1, 31) && os_saves(0xe6) && supported(I_AVX2);
    case I_AVX2: /* AVX (cpuid 1 ecx 28), FMA (ecx 12), AVX2 (cpuid 7 ebx 5) */
        return cpu_bit(1, 0, 2, 28) && cpu_bit(1, 0, 2, 12) && cpu_bit(7, 0, 1, 5) && os_saves(0x6);
    default: return 1;
    }
}
#else
static int supported(int i)
{
    __builtin_cpu_init();
    switch (i) {
    case I_AVX512:
        return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl") &&
               __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512dq") &&
               supported(I_AVX2);
    case I_AVX2: return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    default: return 1;
    }
}
#endif

/* The best supported variant, or LLN_ISA's; an unknown or unsupported request is refused on
 * stderr (once) and the best one is used. */
static int choose(void)
{
    int best = supported(I_AVX512) ? I_AVX512 : supported(I_AVX2) ? I_AVX2 : I_SSE2;
    const char *want = getenv("LLN_ISA");
    if (want == NULL || want[0] == '\0' || strcmp(want, "auto") == 0)
        return best;
    for (int i = 0; i < N_ISA; i++)
        if (strcmp(want, ISAS[i].name) == 0) {
            if (supported(i))
                return i;
            fprintf(stderr, "liquid-edge: LLN_ISA=%s: this CPU does not support it; using %s\n",
                    want, ISAS[best].name);
            return best;
        }
    fprintf(stderr, "liquid-edge: LLN_ISA=%s: unknown (sse2, avx2, avx512 or auto); using %s\n",
            want, ISAS[best].name);
    return best;
}

static const isa_t *isa(void)
{
    static volatile long chosen = -1; /* every thread computes the same value: a benign race */
    long c = lln__atomic_load(&chosen);
    if (c < 0) {
        c = choose();
        long was = lln__atomic_cas(&chosen, -1, c);
        if (was >= 0)
            c = was;
    }
    return &ISAS[c];
}

lln_status_t lln__prepare_f32(lln_model_t *m, lln_error_t *err) { return isa()->prepare(m, err); }

lln_status_t lln__step_f32(const lln_model_t *m, lln_state_t *s, const float *x, size_t xs,
                           const float *dt, size_t dts, float *y, size_t ys, float *st, size_t sts)
{
    return isa()->step(m, s, x, xs, dt, dts, y, ys, st, sts);
}

size_t lln__cfc_work_f32(const lln_cfc_prep_f32 *cp); /* declared where used: state.c */
size_t lln__cfc_work_f32(const lln_cfc_prep_f32 *cp) { return isa()->cfc_work(cp); }

size_t lln__tape_carve_f32(const lln_model_t *m, int batch, int steps, void *base)
{
    return isa()->carve(m, batch, steps, base);
}

void lln__tape_forward_f32(lln_tape_t *t, const float *x, const float *dt, const float *h0,
                           const float *c0, float *y)
{
    isa()->forward(t, x, dt, h0, c0, y);
}

void lln__tape_records_f32(const lln_tape_t *t, const void **h, const void **c)
{
    isa()->records(t, h, c);
}

void lln__tape_backward_f32(lln_tape_t *t, const float *dy, double *grad, float *dx, float *dh0,
                            float *dc0)
{
    isa()->backward(t, dy, grad, dx, dh0, dc0);
}

const char *lln_kernel_isa(void) { return isa()->name; }
#else
#include "common/mathfn.h"

const char *lln_kernel_isa(void)
{
#if defined(__AVX512F__)
    return "avx512 (fixed at build time)";
#elif defined(__AVX2__)
    return "avx2 (fixed at build time)";
#elif defined(__SSE2__) || defined(_M_X64)
    return "sse2 (fixed at build time)";
#elif defined(LLN_VF_LANES) && defined(__aarch64__)
    return "neon";
#else
    return "plain C";
#endif
}
#endif
