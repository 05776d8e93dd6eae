/* Template: the float kernels of one precision. The includer defines REAL, SFX, EXP, TANH,
 * SIGMOID, ERF, FMA(a, b, c) (= a*b + c, fused or not) and SYN_SIG(a, b, v) (one LTC synapse's
 * sigmoid from its table parameters, see model_internal.h), and RECIP_DT (1: divide by dt
 * through one reciprocal per step). All loops read the tables built by prepare_impl.h;
 * nothing allocates.
 *
 * Batch independence: every sample is computed with the same scalar operations in the same
 * order whatever batch it is stepped in and whichever loop (vectorised over outputs, over
 * synapses or over samples) runs it: sums run over inputs / sources in ascending order, and
 * the elementary functions are branch-free IEEE arithmetic. Only the loop structure differs
 * between the single-sample and the blocked paths. */

#include "template.h"

#define K_L ((int)(LLN_VEC_BYTES / sizeof(REAL))) /* REALs per vector register */

/* ---- dense layers ---------------------------------------------------------------------------
 * y[s] (=|+=) W x[s] + bias, W packed in column panels (prepare_impl.h). A panel kernel keeps
 * a block of SB samples x PW outputs in registers while it streams the weight rows once, so
 * each weight load feeds SB multiply-adds. One sample uses wide panels (8 vectors: enough
 * independent accumulators to hide the FMA latency); a batch uses 2-4 vectors x 4 samples. */

#ifdef K_VSIG /* the includer's f32 build has vector intrinsics (mathfn.h) */
/* Written with vector registers: compilers otherwise re-load each weight vector once per
 * sample (memory-operand FMAs) and run out of load bandwidth. The same operations in the
 * same order as the plain C version below. */
#if defined(__GNUC__) && defined(__aarch64__) /* "w": an FP/SIMD register */
#define K_IN_REGISTER(v) __asm__("" : "+w"(v))
#elif defined(__GNUC__) /* load once into a register: no per-sample memory-operand reloads */
#define K_IN_REGISTER(v) __asm__("" : "+v"(v))
#else
#define K_IN_REGISTER(v) (void)0
#endif
#define K_PANEL(NAME, PW, SB)                                                                \
    static void NAME(const REAL *restrict w, size_t ld, const REAL *restrict bias, int in,   \
                     const REAL *restrict x, size_t xs, REAL *restrict y, size_t ys, int ow, \
                     int accumulate)                                                         \
    {                                                                                        \
        enum { NV = (PW) / LLN_VF_LANES };                                                   \
        lln_vf acc[SB][NV];                                                                  \
        REAL tmp[PW];                                                                        \
        for (int s = 0; s < (SB); s++) {                                                     \
            const REAL *src = bias;                                                          \
            if (accumulate) {                                                                \
                memcpy(tmp, bias, sizeof tmp);                                               \
                memcpy(tmp, y + (size_t)s * ys, (size_t)ow * sizeof(REAL));                  \
                src = tmp;                                                                   \
            }                                                                                \
            for (int v = 0; v < NV; v++)                                                     \
                acc[s][v] = lln_vf_load(src + (size_t)v * LLN_VF_LANES);                     \
        }                                                                                    \
        for (int i = 0; i < in; i++) {                                                       \
            const REAL *wr = w + (size_t)i * ld;                                             \
            lln_vf wv[NV];                                                                   \
            for (int v = 0; v < NV; v++) {                                                   \
                wv[v] = lln_vf_load(wr + (size_t)v * LLN_VF_LANES);                          \
                if ((SB) > 1)                                                                \
                    K_IN_REGISTER(wv[v]);                                                    \
            }                                                                                \
            for (int s = 0; s < (SB); s++) {                                                 \
                lln_vf xv = lln_vf_set1(x[(size_t)s * xs + (size_t)i]);                      \
                for (int v = 0; v < NV; v++)                                                 \
                    acc[s][v] = lln_vf_fma(wv[v], xv, acc[s][v]);                            \
            }                                                                                \
        }                                                                                    \
        for (int s = 0; s < (SB); s++) {                                                     \
            if (ow == (PW)) {                                                                \
                for (int v = 0; v < NV; v++)                                                 \
                    lln_vf_store(y + (size_t)s * ys + (size_t)v * LLN_VF_LANES, acc[s][v]);  \
            } else {                                                                         \
                for (int v = 0; v < NV; v++)                                                 \
                    lln_vf_store(tmp + (size_t)v * LLN_VF_LANES, acc[s][v]);                 \
                memcpy(y + (size_t)s * ys, tmp, (size_t)ow * sizeof(REAL));                  \
            }                                                                                \
        }                                                                                    \
    }
#else /* plain C */
#define K_PANEL(NAME, PW, SB)                                                                \
    static void NAME(const REAL *restrict w, size_t ld, const REAL *restrict bias, int in,   \
                     const REAL *restrict x, size_t xs, REAL *restrict y, size_t ys, int ow, \
                     int accumulate)                                                         \
    {                                                                                        \
        REAL acc[SB][PW];                                                                    \
        for (int s = 0; s < (SB); s++)                                                       \
            for (int k = 0; k < (PW); k++)                                                   \
                acc[s][k] = bias[k];                                                         \
        if (accumulate)                                                                      \
            for (int s = 0; s < (SB); s++)                                                   \
                for (int k = 0; k < ow; k++)                                                 \
                    acc[s][k] = y[(size_t)s * ys + (size_t)k];                               \
        for (int i = 0; i < in; i++) {                                                       \
            const REAL *wr = w + (size_t)i * ld;                                             \
            for (int s = 0; s < (SB); s++) {                                                 \
                REAL xv = x[(size_t)s * xs + (size_t)i];                                     \
                for (int k = 0; k < (PW); k++)                                               \
                    acc[s][k] = FMA(wr[k], xv, acc[s][k]);                                   \
            }                                                                                \
        }                                                                                    \
        for (int s = 0; s < (SB); s++)                                                       \
            for (int k = 0; k < ow; k++)                                                     \
                y[(size_t)s * ys + (size_t)k] = acc[s][k];                                   \
    }
#endif

#define K_SB 4 /* samples per block in the batched panels */
#if LLN_VEC_BYTES >= 64
#define K_BPW 4 /* vectors per batched panel: 16 accumulators of 32 registers */
#else
#define K_BPW 2 /* 8 accumulators of 16 registers */
#endif

K_PANEL(T_(panel8x1), 8 * K_L, 1)
K_PANEL(T_(panel4x1), 4 * K_L, 1)
K_PANEL(T_(panel2x1), 2 * K_L, 1)
K_PANEL(T_(panel1x1), K_L, 1)
#if K_BPW >= 4
K_PANEL(T_(panel4xS), 4 * K_L, K_SB)
#endif
K_PANEL(T_(panel2xS), 2 * K_L, K_SB)
K_PANEL(T_(panel1xS), K_L, K_SB)

typedef void (*T_(panel_fn))(const REAL *, size_t, const REAL *, int, const REAL *, size_t, REAL *,
                             size_t, int, int);

/* Walks the packed panels (prepare_impl.h). A batch runs blocks of K_SB samples over
 * sub-panels of at most K_BPW vectors; single samples (and a batch's last nb % K_SB) run the
 * whole panel, up to 8 vectors wide. */
static void T_(dense_batch)(const T_(lln_dense) * d, int nb, const REAL *x, size_t xs, REAL *y,
                            size_t ys, int accumulate)
{
    int out = d->out, in = d->in, L = K_L, nblk = nb - nb % K_SB;
    const REAL *wp = d->w;
    for (int o0 = 0; o0 < out;) {
        int pw = T_(panel_width)(d->ld - o0);
        if (nblk > 0) {
            int bw = pw < K_BPW * L ? pw : K_BPW * L;
#if K_BPW >= 4
            T_(panel_fn)
            /* cppcheck-suppress knownConditionTrueFalse ; panels are 8, 4, 2 or 1 vectors wide */
            blk = bw == 4 * L ? T_(panel4xS) : bw == 2 * L ? T_(panel2xS) : T_(panel1xS);
#else
            /* cppcheck-suppress knownConditionTrueFalse ; panels are 8, 4, 2 or 1 vectors wide */
            T_(panel_fn) blk = bw == 2 * L ? T_(panel2xS) : T_(panel1xS);
#endif
            for (int c = o0; c < o0 + pw && c < out; c += bw)
                for (int b = 0; b < nblk; b += K_SB)
                    blk(wp + (c - o0), (size_t)pw, d->b + c, in, x + (size_t)b * xs, xs,
                        y + (size_t)b * ys + c, ys, out - c < bw ? out - c : bw, accumulate);
        }
        T_(panel_fn)
        one = pw == 8 * L   ? T_(panel8x1)
              : pw == 4 * L ? T_(panel4x1)
              : pw == 2 * L ? T_(panel2x1)
                            : T_(panel1x1);
        for (int b = nblk; b < nb; b++)
            one(wp, (size_t)pw, d->b + o0, in, x + (size_t)b * xs, xs, y + (size_t)b * ys + o0, ys,
                out - o0 < pw ? out - o0 : pw, accumulate);
        wp += (size_t)in * (size_t)pw;
        o0 += pw;
    }
}

/* Backbone activation in place. With intrinsics the common ones run a vector at a time; the
 * last n % K_L values take the scalar form of the same operations. */
static void T_(activate)(lln_activation_t a, REAL *restrict v, int n)
{
    int i0 = 0;
#ifdef K_VSIG
    for (; i0 + LLN_VF_LANES <= n && a <= LLN_ACT_TANH; i0 += LLN_VF_LANES) {
        lln_vf x = lln_vf_load(v + i0);
        if (a == LLN_ACT_LECUN_TANH)
            x = lln_vf_mul(lln_vf_set1(1.7159f), lln_vf_tanh(lln_vf_mul(lln_vf_set1(0.666f), x)));
        else
            x = lln_vf_tanh(x);
        lln_vf_store(v + i0, x);
    }
#endif
    v += i0;
    n -= i0;
    switch (a) {
    case LLN_ACT_LECUN_TANH:
        for (int i = 0; i < n; i++)
            v[i] = (REAL)1.7159 * TANH((REAL)0.666 * v[i]); /* ncps's 0.666, not 2/3 */
        break;
    case LLN_ACT_TANH:
        for (int i = 0; i < n; i++)
            v[i] = TANH(v[i]);
        break;
    case LLN_ACT_RELU:
        for (int i = 0; i < n; i++)
            v[i] = v[i] > 0 ? v[i] : 0;
        break;
    case LLN_ACT_SILU:
        for (int i = 0; i < n; i++)
            v[i] = v[i] * SIGMOID(v[i]);
        break;
    default: /* exact GELU */
        for (int i = 0; i < n; i++)
            v[i] = (REAL)0.5 * v[i] * (1 + ERF(v[i] * (REAL)0.70710678118654752440));
        break;
    }
}

/* ---- LTC ---------------------------------------------------------------------------------
 * Per step: sensory sums once, then K fused semi-implicit Euler unfolds of size dt/K
 * of ncps's LTC: with cm_t = cm * K / dt,
 *   v_j <- (cm_t v_j + gleak vleak + sum_i w_ij erev_ij sg_ij) / (cm_t + gleak + sum_i w_ij sg_ij + eps).
 * Per destination j, both the numerator and the denominator add their synapse
 * terms w*erev*sg and w*sg by ascending source; sg = sigmoid(sigma (v_src - mu)). */

/* Dense source-major rows (one vectorised pass over destinations per source). */
#ifdef K_VSIG
/* With intrinsics: a block of NV vectors of destinations keeps its numerator and denominator
 * sums in registers while the sources stream past (same order of operations as below).
 * j0: first destination, cnt: destinations of the block that exist (<= NV * K_L). */
#define K_DENSE_BLOCK(NAME, NV)                                                       \
    static void NAME(const T_(lln_syn_dense) * d, size_t ld, int S, int j0, int cnt,  \
                     const REAL *restrict v, REAL *restrict num, REAL *restrict den)  \
    {                                                                                 \
        enum { LW = LLN_VF_LANES };                                                   \
        REAL tn[(NV)*LW] = {0}, td[(NV)*LW] = {0};                                    \
        memcpy(tn, num + j0, (size_t)cnt * sizeof(REAL));                             \
        memcpy(td, den + j0, (size_t)cnt * sizeof(REAL));                             \
        lln_vf an[NV], ad[NV];                                                        \
        for (int q = 0; q < (NV); q++) {                                              \
            an[q] = lln_vf_load(tn + (size_t)q * LW);                                 \
            ad[q] = lln_vf_load(td + (size_t)q * LW);                                 \
        }                                                                             \
        for (int i = 0; i < S; i++) {                                                 \
            size_t r = (size_t)i * ld + (size_t)j0;                                   \
            lln_vf vi = lln_vf_set1(v[i]);                                            \
            for (int q = 0; q < (NV); q++) {                                          \
                size_t e = r + (size_t)q * LW;                                        \
                lln_vf sg = K_VSIG(lln_vf_load(d->a + e), lln_vf_load(d->b + e), vi); \
                an[q] = lln_vf_fma(lln_vf_load(d->we + e), sg, an[q]);                \
                ad[q] = lln_vf_fma(lln_vf_load(d->w + e), sg, ad[q]);                 \
            }                                                                         \
        }                                                                             \
        for (int q = 0; q < (NV); q++) {                                              \
            lln_vf_store(tn + (size_t)q * LW, an[q]);                                 \
            lln_vf_store(td + (size_t)q * LW, ad[q]);                                 \
        }                                                                             \
        memcpy(num + j0, tn, (size_t)cnt * sizeof(REAL));                             \
        memcpy(den + j0, td, (size_t)cnt * sizeof(REAL));                             \
    }
K_DENSE_BLOCK(T_(ltc_dense1), 1)
K_DENSE_BLOCK(T_(ltc_dense2), 2)
#if LLN_VEC_BYTES >= 64 /* 32 registers: 4 vectors of destinations per block */
K_DENSE_BLOCK(T_(ltc_dense3), 3)
K_DENSE_BLOCK(T_(ltc_dense4), 4)
#define K_DNV 4
#else
#define K_DNV 2
#endif

static void T_(ltc_dense)(const T_(lln_syn_dense) * d, size_t ld, int S, int N,
                          const REAL *restrict v, REAL *restrict num, REAL *restrict den)
{
    int LW = LLN_VF_LANES, nvec = (int)ld / LW;
    for (int q0 = 0; q0 < nvec; q0 += K_DNV) {
        int nv = nvec - q0 < K_DNV ? nvec - q0 : K_DNV, j0 = q0 * LW;
        int cnt = N - j0 < nv * LW ? N - j0 : nv * LW;
        switch (nv) {
#if K_DNV >= 4
        case 4: T_(ltc_dense4)(d, ld, S, j0, cnt, v, num, den); break;
        case 3: T_(ltc_dense3)(d, ld, S, j0, cnt, v, num, den); break;
#endif
        case 2: T_(ltc_dense2)(d, ld, S, j0, cnt, v, num, den); break;
        default: T_(ltc_dense1)(d, ld, S, j0, cnt, v, num, den); break;
        }
    }
}
#else
static void T_(ltc_dense)(const T_(lln_syn_dense) * d, size_t ld, int S, int N,
                          const REAL *restrict v, REAL *restrict num, REAL *restrict den)
{
    for (int i = 0; i < S; i++) {
        const REAL *restrict a = d->a + (size_t)i * ld, *restrict b = d->b + (size_t)i * ld;
        const REAL *restrict w = d->w + (size_t)i * ld, *restrict we = d->we + (size_t)i * ld;
        REAL vi = v[i];
        for (int j = 0; j < N; j++) {
            REAL sg = SYN_SIG(a[j], b[j], vi);
            num[j] = FMA(we[j], sg, num[j]);
            den[j] = FMA(w[j], sg, den[j]);
        }
    }
}
#endif

/* Synapse lists grouped by destination: all activations in one vectorised (gathering) pass,
 * then the per-destination sums. sg: one value per synapse. */
static void T_(ltc_list)(const int *restrict off, const int *restrict src, const REAL *restrict a,
                         const REAL *restrict b, const REAL *restrict w, const REAL *restrict we,
                         int N, const REAL *restrict v, REAL *restrict sg, REAL *restrict num,
                         REAL *restrict den)
{
    int S = off[N];
    for (int s = 0; s < S; s++)
        sg[s] = SYN_SIG(a[s], b[s], v[src[s]]);
    for (int j = 0; j < N; j++) {
        REAL x = num[j], y = den[j];
        for (int s = off[j]; s < off[j + 1]; s++) {
            x = FMA(we[s], sg[s], x);
            y = FMA(w[s], sg[s], y);
        }
        num[j] = x;
        den[j] = y;
    }
}

static REAL T_(cm_over_dt)(REAL cm_k, REAL dt, REAL rdt)
{
#if RECIP_DT
    (void)dt;
    return cm_k * rdt; /* float32: one reciprocal per step, within 2 ulp of cm_k / dt */
#else
    (void)rdt;
    return cm_k / dt;
#endif
}

/* The end of an LTC step for one sample: the state h (N) from the last unfold's u, and out (M)
 * the mapped motor neurons. */
static inline void T_(ltc_sample_end)(const T_(lln_ltc_prep) * p, const REAL *u, REAL *h, REAL *out)
{
    for (int j = 0; j < p->N; j++)
        h[j] = u[j];
    for (int o = 0; o < p->M; o++)
        out[o] = FMA(u[o], p->out_w[o], p->out_b[o]);
}

#ifdef K_VSIG
#if defined(__GNUC__) /* hides where p points: compilers then keep copy loops as loops */
#define K_OPAQUE(p) __asm__("" : "+r"(p))
#else
#define K_OPAQUE(p) (void)0
#endif
/* V[idx[l]] for the lanes l of one vector; idx < nv, and V is readable up to nv rounded up to
 * 16, 32 or 64 values. AVX-512 looks up to 64 values up in registers. */
static inline lln_vf T_(ell_gather)(const REAL *restrict V, int nv, const int *restrict idx)
{
#if defined(__AVX512F__)
    __m512i ix = _mm512_loadu_si512((const void *)idx);
    if (nv <= 16)
        return _mm512_permutexvar_ps(ix, _mm512_loadu_ps(V));
    if (nv <= 32)
        return _mm512_permutex2var_ps(_mm512_loadu_ps(V), ix, _mm512_loadu_ps(V + 16));
    if (nv <= 64) { /* two 32-value lookups; bit 5 of the index picks one */
        __m512 lo = _mm512_permutex2var_ps(_mm512_loadu_ps(V), ix, _mm512_loadu_ps(V + 16));
        __m512 hi = _mm512_permutex2var_ps(_mm512_loadu_ps(V + 32), ix, _mm512_loadu_ps(V + 48));
        return _mm512_mask_blend_ps(_mm512_test_epi32_mask(ix, _mm512_set1_epi32(32)), lo, hi);
    }
    return _mm512_i32gather_ps(ix, V, 4);
#elif defined(__AVX2__)
    (void)nv;
    return _mm256_i32gather_ps(V, _mm256_loadu_si256((const __m256i *)(const void *)idx), 4);
#else
    (void)nv;
    REAL t[LLN_VF_LANES];
    for (int l = 0; l < LLN_VF_LANES; l++)
        t[l] = V[idx[l]];
    return lln_vf_load(t);
#endif
}

/* All sigmoids of one list with the synapses in lanes (V: the sources, nv values), into sg. */
static void T_(ell_sig)(const T_(lln_syn_ell) * e, const REAL *restrict V, int nv,
                        REAL *restrict sg)
{
    for (int s = 0; s < e->nsyn; s += LLN_VF_LANES)
        lln_vf_store(sg + s, K_VSIG(lln_vf_load(e->a + s), lln_vf_load(e->b + s),
                                    T_(ell_gather)(V, nv, e->src + s)));
}

/* The synapse sums of one block of lanes (destinations q LW ...) over its ELL slots. */
#define K_ELL_SUMS(E, q, SG, an, ad)                                 \
    for (int f = (E)->slot0[q]; f < (E)->slot0[(q) + 1]; f++) {      \
        size_t e_ = (size_t)f * LLN_VF_LANES;                        \
        lln_vf sg_ = T_(ell_gather)((SG), (E)->nsyn, (E)->syn + e_); \
        (an) = lln_vf_fma(lln_vf_load((E)->we + e_), sg_, (an));     \
        (ad) = lln_vf_fma(lln_vf_load((E)->w + e_), sg_, (ad));      \
    }

/* ltc_sample on the one-sample copies (prepare_impl.h, ell). Per unfold: one pass of all
 * sigmoids with the synapses in vector lanes, then per block of destinations in lanes the
 * sums started, every fan-in slot added (the synapse's sigmoid looked up in registers with
 * AVX-512) and the division, in registers. The same operations in the same order per
 * destination as the list path (padding slots add an exact +0). Lanes past N compute
 * 0 / (1 + eps); values I (input) and N (state) stay 0 for the padding synapses to read. */
static void T_(ltc_sample_ell)(const T_(lln_ltc_prep) * p, const REAL *xn, REAL dt, REAL *h,
                               REAL *out)
{
    enum { LW = LLN_VF_LANES, CAP = P_ELL_MAX + 2 * LLN_VF_LANES };
    int I = p->I, N = p->N, nb = p->re.nblk;
    REAL xin[CAP], ns[CAP], dc[CAP], cmt[CAP], ub[2][CAP], sgb[CAP];
    REAL *u = ub[0], *un = ub[1], *xp = xin, *sg = sgb;
#if RECIP_DT
    lln_vf rv = lln_vf_set1(1 / dt); /* one reciprocal per step, as cm_over_dt */
#else
    lln_vf rv = lln_vf_set1(dt);
#endif
    /* zeros where the lookups may read (64 values; the lanes up to ld + one vector), then
     * the values, with no library calls per step: the zero vector and the buffers' addresses
     * are opaque to the compiler, which would otherwise turn these loops into memset / memcpy */
    lln_vf zero = lln_vf_set1(0);
    K_IN_REGISTER(zero);
    K_OPAQUE(u);
    K_OPAQUE(un);
    K_OPAQUE(xp);
    K_OPAQUE(sg);
    for (int i = 0; i < P_ELL_MAX; i += LW) { /* the lookups read up to 64 values */
        lln_vf_store(sg + i, zero);
        lln_vf_store(xp + i, zero);
    }
    for (int j = 0; j < P_ELL_MAX + LW; j += LW) { /* and the lanes up to ld + LW */
        lln_vf_store(u + j, zero);
        lln_vf_store(un + j, zero);
    }
    for (int i = 0; i < I; i++)
        xp[i] = FMA(xn[i], p->in_w[i], p->in_b[i]);
    for (int j = 0; j < N; j++)
        u[j] = h[j];
    T_(ell_sig)(&p->se, xp, I + 1, sg);
    for (int q = 0; q < nb; q++) {
        size_t r = (size_t)q * LW;
#if RECIP_DT
        lln_vf cm = lln_vf_mul(lln_vf_load(p->cm_k + r), rv);
#else
        lln_vf cm = lln_vf_div(lln_vf_load(p->cm_k + r), rv);
#endif
        lln_vf an = lln_vf_set1(0), ad = an;
        K_ELL_SUMS(&p->se, q, sg, an, ad)
        lln_vf_store(ns + r, an);
        lln_vf_store(cmt + r, cm);
        lln_vf d = lln_vf_add(lln_vf_add(cm, lln_vf_load(p->gleak + r)), ad);
        lln_vf_store(dc + r, lln_vf_add(d, lln_vf_set1(p->eps)));
    }
    for (int k = 0; k < p->K; k++) {
        T_(ell_sig)(&p->re, u, N + 1, sg);
        for (int q = 0; q < nb; q++) {
            size_t r = (size_t)q * LW;
            lln_vf an = lln_vf_add(
                lln_vf_fma(lln_vf_load(cmt + r), lln_vf_load(u + r), lln_vf_load(p->gvleak + r)),
                lln_vf_load(ns + r));
            lln_vf ad = lln_vf_load(dc + r);
            K_ELL_SUMS(&p->re, q, sg, an, ad)
            lln_vf_store(un + r, lln_vf_div(an, ad));
        }
        REAL *t = u;
        u = un;
        un = t;
    }
    T_(ltc_sample_end)(p, u, h, out);
}
#undef K_ELL_SUMS
#endif

/* One LTC step for one sample. h (N) is updated in place; out (M) receives the mapped motor
 * neurons. work: I + 6N + max(synapses) elements. */
static void T_(ltc_sample)(const T_(lln_ltc_prep) * p, const REAL *xn, REAL dt, REAL *h, REAL *out,
                           REAL *work)
{
#ifdef K_VSIG
    if (p->re.w != NULL) { /* sparse and small: destinations in lanes */
        T_(ltc_sample_ell)(p, xn, dt, h, out);
        return;
    }
#endif
    int I = p->I, N = p->N;
    size_t ld = (size_t)p->ld;
    REAL *xin = work, *nums = xin + I, *dc = nums + N, *cmt = dc + N, *u = cmt + N;
    REAL *un = u + N, *den = un + N, *sg = den + N; /* sg: list path only */
    REAL rdt = 1 / dt;
    for (int i = 0; i < I; i++)
        xin[i] = FMA(xn[i], p->in_w[i], p->in_b[i]);
    for (int j = 0; j < N; j++) {
        nums[j] = dc[j] = 0;
        cmt[j] = T_(cm_over_dt)(p->cm_k[j], dt, rdt); /* cm / (dt / K) */
        u[j] = h[j];
    }
    if (p->sd.a != NULL)
        T_(ltc_dense)(&p->sd, ld, I, N, xin, nums, dc);
    else
        T_(ltc_list)(p->s_off, p->s_src, p->s_a, p->s_b, p->s_w, p->s_we, N, xin, sg, nums, dc);
    for (int j = 0; j < N; j++) /* the unfold-invariant part of the denominator */
        dc[j] = cmt[j] + p->gleak[j] + dc[j] + p->eps;
    for (int k = 0; k < p->K; k++) {
        for (int j = 0; j < N; j++) {
            un[j] = FMA(cmt[j], u[j], p->gvleak[j]) + nums[j];
            den[j] = dc[j];
        }
        if (p->rd.a != NULL)
            T_(ltc_dense)(&p->rd, ld, N, N, u, un, den);
        else
            T_(ltc_list)(p->r_off, p->r_src, p->r_a, p->r_b, p->r_w, p->r_we, N, u, sg, un, den);
        for (int j = 0; j < N; j++)
            un[j] = un[j] / den[j];
        REAL *t = u;
        u = un;
        un = t;
    }
    T_(ltc_sample_end)(p, u, h, out);
}

/* Lane-block tables of one LTC step: [row][lane] arrays of K_L lanes. */
typedef struct T_(ltc_lanes) {
    REAL *X, *CM, *NS, *DC; /* mapped input; cm/(dt/K); sensory num; unfold-invariant den */
} T_(ltc_lanes);

/* Sensory sums (U == NULL) or one unfold U -> UN for K_L samples: per destination, the
 * numerator and denominator start as in ltc_sample, add the synapses in list order, and the
 * unfold divides. With K_VSIG (the includer's vector form of SYN_SIG) the loop is written
 * with vector intrinsics; compilers keep a plain lane loop's accumulators in memory. The
 * backward pass (backprop_impl.h) runs the same pass with keep = 1: D (an unfold's
 * denominators) and SG (every synapse's sigmoid, [synapse][lane]) kept; inference passes
 * keep = 0, and the forced inlining gives each caller its own copy, the stores folded away
 * in inference's. */
K_FORCE_INLINE void T_(ltc_lanes_pass)(const T_(lln_ltc_prep) * p, const T_(ltc_lanes) * t,
                                       const REAL *restrict U, REAL *restrict UN, int keep,
                                       REAL *restrict D, REAL *restrict SG)
{
    enum { LW = K_L };
    const int *off = U ? p->r_off : p->s_off, *src = U ? p->r_src : p->s_src;
    const REAL *sa = U ? p->r_a : p->s_a, *sb = U ? p->r_b : p->s_b;
    const REAL *sw = U ? p->r_w : p->s_w, *swe = U ? p->r_we : p->s_we;
    const REAL *V = U ? U : t->X;
    const REAL *restrict CM = t->CM, *gleak = p->gleak, *gvleak = p->gvleak;
    REAL *restrict NS = t->NS, *restrict DC = t->DC;
    REAL eps = p->eps;
#ifdef K_VSIG
    for (int j = 0, N = p->N; j < N; j++) {
        size_t r = (size_t)j * LW;
        lln_vf an = lln_vf_set1(0), ad = an;
        if (U != NULL) {
            lln_vf cu = lln_vf_fma(lln_vf_load(CM + r), lln_vf_load(U + r), lln_vf_set1(gvleak[j]));
            an = lln_vf_add(cu, lln_vf_load(NS + r));
            ad = lln_vf_load(DC + r);
        }
        for (int s = off[j], e = off[j + 1]; s < e; s++) {
            lln_vf sg = K_VSIG(lln_vf_set1(sa[s]), lln_vf_set1(sb[s]),
                               lln_vf_load(V + (size_t)src[s] * LW));
            if (keep)
                lln_vf_store(SG + (size_t)s * LW, sg);
            an = lln_vf_fma(lln_vf_set1(swe[s]), sg, an);
            ad = lln_vf_fma(lln_vf_set1(sw[s]), sg, ad);
        }
        if (U != NULL) {
            lln_vf_store(UN + r, lln_vf_div(an, ad));
            if (keep)
                lln_vf_store(D + r, ad);
        } else {
            lln_vf_store(NS + r, an);
            lln_vf d = lln_vf_add(lln_vf_add(lln_vf_load(CM + r), lln_vf_set1(gleak[j])), ad);
            lln_vf_store(DC + r, lln_vf_add(d, lln_vf_set1(eps)));
        }
    }
#else
    REAL acc_n[LW], acc_d[LW];
    for (int j = 0, N = p->N; j < N; j++) {
        size_t r = (size_t)j * LW;
        for (int l = 0; l < LW; l++) {
            size_t e = r + (size_t)l;
            acc_n[l] = U ? FMA(CM[e], U[e], gvleak[j]) + NS[e] : 0;
            acc_d[l] = U ? DC[e] : 0;
        }
        for (int s = off[j], e = off[j + 1]; s < e; s++) {
            const REAL *restrict v = V + (size_t)src[s] * LW;
            REAL a = sa[s], b = sb[s], w = sw[s], we = swe[s];
            for (int l = 0; l < LW; l++) {
                REAL sg = SYN_SIG(a, b, v[l]);
                if (keep)
                    SG[(size_t)s * LW + (size_t)l] = sg;
                acc_n[l] = FMA(we, sg, acc_n[l]);
                acc_d[l] = FMA(w, sg, acc_d[l]);
            }
        }
        for (int l = 0; l < LW; l++) {
            if (U != NULL) {
                UN[r + (size_t)l] = acc_n[l] / acc_d[l];
                if (keep)
                    D[r + (size_t)l] = acc_d[l];
            } else {
                NS[r + (size_t)l] = acc_n[l];
                DC[r + (size_t)l] = CM[r + (size_t)l] + gleak[j] + acc_d[l] + eps;
            }
        }
    }
#endif
}

/* The inference pass: ltc_lanes_pass without the backward pass's records. */
static void T_(ltc_block_pass)(const T_(lln_ltc_prep) * p, const T_(ltc_lanes) * t,
                               const REAL *restrict U, REAL *restrict UN)
{
    T_(ltc_lanes_pass)(p, t, U, UN, 0, NULL, NULL);
}

/* The same step as ltc_sample for K_L samples at once, one sample per vector lane: no
 * gathers and no horizontal sums, and only the synapses that exist are evaluated.
 * xn, h, out: K_L rows (strides I, N, Oc). work: (I + 5N) * K_L elements. */
static void T_(ltc_block)(const T_(lln_ltc_prep) * p, const REAL *xn, const REAL *dt, REAL *h,
                          size_t Oc, REAL *out, REAL *work)
{
    enum { LW = K_L };
    size_t I = (size_t)p->I, N = (size_t)p->N, M = (size_t)p->M, lw = LW;
    T_(ltc_lanes) t;
    t.X = work;
    t.CM = t.X + I * lw;
    t.NS = t.CM + N * lw;
    t.DC = t.NS + N * lw;
    REAL *U = t.DC + N * lw, *UN = U + N * lw, rdt[LW];
    for (size_t l = 0; l < lw; l++)
        rdt[l] = 1 / dt[l];
    for (size_t i = 0; i < I; i++)
        for (size_t l = 0; l < lw; l++)
            t.X[i * lw + l] = FMA(xn[l * I + i], p->in_w[i], p->in_b[i]);
    for (size_t j = 0; j < N; j++)
        for (size_t l = 0; l < lw; l++) {
            t.CM[j * lw + l] = T_(cm_over_dt)(p->cm_k[j], dt[l], rdt[l]);
            U[j * lw + l] = h[l * N + j];
        }
    T_(ltc_block_pass)(p, &t, NULL, NULL);
    for (int k = 0; k < p->K; k++) {
        T_(ltc_block_pass)(p, &t, U, UN);
        REAL *sw = U;
        U = UN;
        UN = sw;
    }
    for (size_t l = 0; l < lw; l++) {
        for (size_t j = 0; j < N; j++)
            h[l * N + j] = U[j * lw + l];
        for (size_t o = 0; o < M; o++)
            out[l * Oc + o] = FMA(U[o * lw + l], p->out_w[o], p->out_b[o]);
    }
}

/* ---- CfC ---------------------------------------------------------------------------------- */

/* New state of one CfC cell from its head outputs ff1, ff2, time_a, time_b (ncps's closed
 * form): t = sigmoid(time_a dt + time_b); default mode h = ff1 (1 - t) + t ff2; no_gate
 * h = ff1 + t ff2; pure h = -A exp(-dt (|w_tau| + |ff1|)) ff1 + A. */
static void T_(cfc_combine)(const T_(lln_cfc_prep) * cp, lln_cfc_mode_t mode,
                            const REAL *restrict hd, REAL dt, REAL *restrict h)
{
    int H = cp->hidden;
    if (mode == LLN_CFC_PURE) {
        const REAL *restrict A = cp->a, *restrict wt = cp->w_tau_abs;
        for (int j = 0; j < H; j++) {
            REAL f1 = hd[j], af1 = f1 < 0 ? -f1 : f1;
            h[j] = -A[j] * EXP(-dt * (wt[j] + af1)) * f1 + A[j];
        }
        return;
    }
    int j = 0, gate = mode == LLN_CFC_DEFAULT;
#ifdef K_VSIG
    for (; j + LLN_VF_LANES <= H; j += LLN_VF_LANES) {
        lln_vf g1 = lln_vf_tanh(lln_vf_load(hd + j)), g2 = lln_vf_tanh(lln_vf_load(hd + H + j));
        lln_vf ti = lln_vf_sigmoid(lln_vf_fma(lln_vf_load(hd + 2 * (size_t)H + j), lln_vf_set1(dt),
                                              lln_vf_load(hd + 3 * (size_t)H + j)));
        lln_vf keep = gate ? lln_vf_mul(g1, lln_vf_sub(lln_vf_set1(1.0f), ti)) : g1;
        lln_vf_store(h + j, lln_vf_fma(ti, g2, keep));
    }
    if (j < H) { /* the last H % lanes units (all of a wired layer's few) in one zero-padded
                  * vector: the same operations per lane as the scalar loop below */
        enum { LW = LLN_VF_LANES };
        REAL t[4][LW] = {{0}}, hn[LW];
        size_t r = (size_t)(H - j);
        for (int q = 0; q < 4; q++)
            memcpy(t[q], hd + (size_t)q * (size_t)H + (size_t)j, r * sizeof(REAL));
        lln_vf g1 = lln_vf_tanh(lln_vf_load(t[0])), g2 = lln_vf_tanh(lln_vf_load(t[1]));
        lln_vf ti =
            lln_vf_sigmoid(lln_vf_fma(lln_vf_load(t[2]), lln_vf_set1(dt), lln_vf_load(t[3])));
        lln_vf keep = gate ? lln_vf_mul(g1, lln_vf_sub(lln_vf_set1(1.0f), ti)) : g1;
        lln_vf_store(hn, lln_vf_fma(ti, g2, keep));
        memcpy(h + j, hn, r * sizeof(REAL));
        return;
    }
#endif
    for (; j < H; j++) {
        REAL g1 = TANH(hd[j]), g2 = TANH(hd[H + j]);
        REAL ti = SIGMOID(FMA(hd[2 * H + j], dt, hd[3 * H + j]));
        h[j] = FMA(ti, g2, gate ? g1 * (1 - ti) : g1); /* default: g1 (1 - ti) + ti g2 */
    }
}

static size_t T_(cfc_width)(const T_(lln_cfc_prep) * cp)
{
    size_t wmax = (size_t)cp->in + (size_t)cp->hidden;
    for (int l = 0; l < cp->nbackbone; l++)
        if ((size_t)cp->backbone[l].out > wmax)
            wmax = (size_t)cp->backbone[l].out;
    return wmax;
}

/* One CfC cell (dense with backbone, or one wired layer) for nb samples.
 * inp: nb rows of cp->in values (stride is); h: the cell's state columns (stride hs). */
static void T_(cfc_cell)(const lln_model_t *m, const T_(lln_cfc_prep) * cp, int nb, const REAL *inp,
                         size_t is, REAL *h, size_t hs, const REAL *dt, REAL *work)
{
    size_t wmax = T_(cfc_width)(cp);
    REAL *z = work, *z2 = z + (size_t)nb * wmax, *hd = z2 + (size_t)nb * wmax;
    for (int b = 0; b < nb; b++) {
        memcpy(z + (size_t)b * wmax, inp + (size_t)b * is, (size_t)cp->in * sizeof(REAL));
        memcpy(z + (size_t)b * wmax + cp->in, h + (size_t)b * hs,
               (size_t)cp->hidden * sizeof(REAL));
    }
    for (int l = 0; l < cp->nbackbone; l++) {
        const T_(lln_dense) *d = &cp->backbone[l];
        T_(dense_batch)(d, nb, z, wmax, z2, wmax, 0);
        if ((size_t)d->out == wmax) /* rows back to back: one pass over the whole block */
            T_(activate)(m->cfg.activation, z2, nb * d->out);
        else
            for (int b = 0; b < nb; b++)
                T_(activate)(m->cfg.activation, z2 + (size_t)b * wmax, d->out);
        REAL *t = z;
        z = z2;
        z2 = t;
    }
    size_t hw = (size_t)cp->heads.out;
    T_(dense_batch)(&cp->heads, nb, z, wmax, hd, hw, 0);
    for (int b = 0; b < nb; b++)
        T_(cfc_combine)(cp, m->cfg.mode, hd + (size_t)b * hw, dt[b], h + (size_t)b * hs);
}

/* One CfC cell without backbone (every wired CfC layer; a CfC with backbone_layers = 0) for
 * K_L samples at once, one sample per vector lane, as ltc_block does for LTC: no padding of
 * the cell's few outputs to a vector, no per-sample calls, and the gates combined a vector of
 * samples at a time. The same operations in the same order as cfc_cell: each head output
 * starts at its bias and adds w x over the inputs [in, h] in ascending order (masked weights
 * are stored zeros and add them as the packed panels do), then cfc_combine's formulas.
 * Default and no_gate modes (4 heads). inp, h: K_L rows (strides is, hs); dt: K_L values;
 * work: (in + hidden + 4 hidden) * K_L elements. */
static void T_(cfc_lanes)(const lln_model_t *m, const T_(lln_cfc_prep) * cp, const REAL *inp,
                          size_t is, REAL *h, size_t hs, const REAL *dt, REAL *work)
{
    enum { LW = K_L };
    const T_(lln_dense) *d = &cp->heads;
    int I = cp->in, H = cp->hidden, F = I + H, NO = d->out, gate = m->cfg.mode == LLN_CFC_DEFAULT;
    REAL *restrict Z = work, *restrict HD = Z + (size_t)F * LW;
    for (int l = 0; l < LW; l++) {
        for (int i = 0; i < I; i++)
            Z[(size_t)i * LW + (size_t)l] = inp[(size_t)l * is + (size_t)i];
        for (int j = 0; j < H; j++)
            Z[(size_t)(I + j) * LW + (size_t)l] = h[(size_t)l * hs + (size_t)j];
    }
    const REAL *wp = d->w;
    for (int o0 = 0; o0 < NO;) { /* the packed panels: W[i][o] = wp[i * pw + o - o0] */
        int pw = T_(panel_width)(d->ld - o0);
        for (int o = o0; o < o0 + pw && o < NO; o += 4) { /* NO = 4 H: whole groups of 4 */
            const REAL *restrict wc = wp + (o - o0);
#ifdef K_VSIG
            lln_vf acc[4];
            for (int q = 0; q < 4; q++)
                acc[q] = lln_vf_set1(d->b[o + q]);
            for (int i = 0; i < F; i++) {
                lln_vf z = lln_vf_load(Z + (size_t)i * LW);
                const REAL *wr = wc + (size_t)i * (size_t)pw;
                for (int q = 0; q < 4; q++)
                    acc[q] = lln_vf_fma(lln_vf_set1(wr[q]), z, acc[q]);
            }
            for (int q = 0; q < 4; q++)
                lln_vf_store(HD + (size_t)(o + q) * LW, acc[q]);
#else
            REAL acc[4][LW];
            for (int q = 0; q < 4; q++)
                for (int l = 0; l < LW; l++)
                    acc[q][l] = d->b[o + q];
            for (int i = 0; i < F; i++) {
                const REAL *z = Z + (size_t)i * LW, *wr = wc + (size_t)i * (size_t)pw;
                for (int q = 0; q < 4; q++)
                    for (int l = 0; l < LW; l++)
                        acc[q][l] = FMA(wr[q], z[l], acc[q][l]);
            }
            for (int q = 0; q < 4; q++)
                memcpy(HD + (size_t)(o + q) * LW, acc[q], sizeof acc[q]);
#endif
        }
        wp += (size_t)F * (size_t)pw;
        o0 += pw;
    }
    for (int j = 0; j < H; j++) {
        const REAL *f1 = HD + (size_t)j * LW, *f2 = HD + (size_t)(H + j) * LW;
        const REAL *ta = HD + (size_t)(2 * H + j) * LW, *tb = HD + (size_t)(3 * H + j) * LW;
        REAL hn[LW];
#ifdef K_VSIG
        lln_vf g1 = lln_vf_tanh(lln_vf_load(f1)), g2 = lln_vf_tanh(lln_vf_load(f2));
        lln_vf ti = lln_vf_sigmoid(lln_vf_fma(lln_vf_load(ta), lln_vf_load(dt), lln_vf_load(tb)));
        lln_vf keep = gate ? lln_vf_mul(g1, lln_vf_sub(lln_vf_set1(1.0f), ti)) : g1;
        lln_vf_store(hn, lln_vf_fma(ti, g2, keep));
#else
        for (int l = 0; l < LW; l++) {
            REAL g1 = TANH(f1[l]), g2 = TANH(f2[l]), ti = SIGMOID(FMA(ta[l], dt[l], tb[l]));
            hn[l] = FMA(ti, g2, gate ? g1 * (1 - ti) : g1);
        }
#endif
        for (int l = 0; l < LW; l++)
            h[(size_t)l * hs + (size_t)j] = hn[l];
    }
}

#ifdef K_VSIG
/* The largest wired layer cfc_one keeps on its stack: inputs [in, h] and padded head outputs. */
#define K_ONE_F 128
#define K_ONE_HD 512
static int T_(cfc_one_fits)(const T_(lln_cfc_prep) * cp)
{
    return cp->nbackbone == 0 && cp->nheads == 4 && cp->in + cp->hidden <= K_ONE_F &&
           cp->heads.ld + LLN_VF_LANES <= K_ONE_HD;
}

/* cfc_cell for one sample of a cell without backbone (a wired layer), default or no_gate:
 * the packed panels write the head outputs straight into a padded buffer (no partial-panel
 * copies), and the gates run a vector of units at a time, reading each head's H values from
 * hd + q H (lanes past H read the next head or the zero padding and are not stored). The same
 * panel kernels as dense_batch and the same operations per unit as cfc_combine. */
static void T_(cfc_one)(const lln_model_t *m, const T_(lln_cfc_prep) * cp, const REAL *inp, REAL *h,
                        REAL dt)
{
    const T_(lln_dense) *d = &cp->heads;
    int I = cp->in, H = cp->hidden, F = I + H, L = K_L, gate = m->cfg.mode == LLN_CFC_DEFAULT;
    REAL zb[K_ONE_F], hd[K_ONE_HD], *z = zb;
    K_OPAQUE(z);                              /* no memcpy calls for the copies below */
    lln_vf_store(hd + d->ld, lln_vf_set1(0)); /* the panels write [0, ld); the gates read on */
    for (int i = 0; i < I; i++)               /* plain loops: no library calls per layer */
        z[i] = inp[i];
    for (int j = 0; j < H; j++)
        z[I + j] = h[j];
    const REAL *wp = d->w;
    for (int o0 = 0; o0 < d->out;) {
        int pw = T_(panel_width)(d->ld - o0);
        T_(panel_fn)
        one = pw == 8 * L   ? T_(panel8x1)
              : pw == 4 * L ? T_(panel4x1)
              : pw == 2 * L ? T_(panel2x1)
                            : T_(panel1x1);
        one(wp, (size_t)pw, d->b + o0, F, z, 0, hd + o0, 0, pw, 0);
        wp += (size_t)F * (size_t)pw;
        o0 += pw;
    }
    for (int j = 0; j < H; j += LLN_VF_LANES) {
        REAL hb[LLN_VF_LANES], *hn = hb;
        K_OPAQUE(hn);
        lln_vf g1 = lln_vf_tanh(lln_vf_load(hd + j)), g2 = lln_vf_tanh(lln_vf_load(hd + H + j));
        lln_vf ti = lln_vf_sigmoid(lln_vf_fma(lln_vf_load(hd + 2 * (size_t)H + j), lln_vf_set1(dt),
                                              lln_vf_load(hd + 3 * (size_t)H + j)));
        lln_vf keep = gate ? lln_vf_mul(g1, lln_vf_sub(lln_vf_set1(1.0f), ti)) : g1;
        lln_vf_store(hn, lln_vf_fma(ti, g2, keep));
        int r = H - j < LLN_VF_LANES ? H - j : LLN_VF_LANES;
        for (int l = 0; l < r; l++)
            h[j + l] = hn[l];
    }
}
#endif

size_t T_(lln__cfc_work)(const T_(lln_cfc_prep) * cp);
size_t T_(lln__cfc_work)(const T_(lln_cfc_prep) * cp)
{
    return 2 * T_(cfc_width)(cp) + (size_t)cp->heads.out;
}

/* ---- mixed memory (LSTM in front of the cell, spec 6.1) ----------------------------------- */

static void T_(lstm)(const T_(lln_prep) * p, int nb, int N, const REAL *xn, size_t xs, REAL *h,
                     REAL *c, REAL *z)
{
    size_t zw = 4 * (size_t)N;
    T_(dense_batch)(&p->lstm_in, nb, xn, xs, z, zw, 0);
    T_(dense_batch)(&p->lstm_rec, nb, h, (size_t)N, z, zw, 1);
    for (int b = 0; b < nb; b++) {
        const REAL *restrict zb = z + (size_t)b * zw;
        REAL *restrict hb = h + (size_t)b * N, *restrict cb = c + (size_t)b * N;
        for (int j = 0; j < N; j++) {
            REAL cn = cb[j] * SIGMOID(zb[2 * N + j] + 1) + TANH(zb[j]) * SIGMOID(zb[N + j]);
            cb[j] = cn;
            hb[j] = TANH(cn) * SIGMOID(zb[3 * N + j]);
        }
    }
}

/* ---- baselines: GRU, LSTM, MLP (discrete time: no dt) --------------------------------------- */

/* torch GRUCell on one sample from zi = W_ih x + b_ih and zh = W_hh h + b_hh (gates r, z, n
 * stacked): r = s(zi_r + zh_r), z = s(zi_z + zh_z), n = tanh(zi_n + r zh_n),
 * h' = (1 - z) n + z h, in place. */
static void T_(gru_gates)(int N, const REAL *restrict zi, const REAL *restrict zh, REAL *restrict h)
{
    for (int j = 0; j < N; j++) {
        REAL r = SIGMOID(zi[j] + zh[j]), z = SIGMOID(zi[N + j] + zh[N + j]);
        REAL n = TANH(zi[2 * N + j] + r * zh[2 * N + j]);
        h[j] = (1 - z) * n + z * h[j];
    }
}

/* torch LSTMCell on one sample (gates i, f, g, o stacked): c' = f c + i g, h' = o tanh(c'). */
static void T_(lstm_gates)(int N, const REAL *restrict zi, const REAL *restrict zh,
                           REAL *restrict h, REAL *restrict c)
{
    for (int j = 0; j < N; j++) {
        REAL i = SIGMOID(zi[j] + zh[j]), f = SIGMOID(zi[N + j] + zh[N + j]);
        REAL g = TANH(zi[2 * N + j] + zh[2 * N + j]), o = SIGMOID(zi[3 * N + j] + zh[3 * N + j]);
        REAL cn = f * c[j] + i * g;
        c[j] = cn;
        h[j] = o * TANH(cn);
    }
}

/* GRU / LSTM for nb samples: both gate layers into zi, zh (nb x G N each), then the gates. */
static void T_(rnn_cell)(const lln_model_t *m, const T_(lln_prep) * p, int nb, const REAL *xn,
                         REAL *h, REAL *c, REAL *zi, REAL *zh)
{
    int N = m->cfg.units, I = m->cfg.input_size;
    size_t gw = (size_t)lln__gates(&m->cfg) * (size_t)N;
    T_(dense_batch)(&p->rnn_ih, nb, xn, (size_t)I, zi, gw, 0);
    T_(dense_batch)(&p->rnn_hh, nb, h, (size_t)N, zh, gw, 0);
    for (int b = 0; b < nb; b++) {
        size_t o = (size_t)b * gw;
        if (m->cfg.cell == LLN_CELL_GRU)
            T_(gru_gates)(N, zi + o, zh + o, h + (size_t)b * N);
        else
            T_(lstm_gates)(N, zi + o, zh + o, h + (size_t)b * N, c + (size_t)b * N);
    }
}

/* The MLP's state is the window of the last K normalised input rows, oldest first: drop the
 * oldest row, append xn. win: nb rows of N = K I values. */
static void T_(mlp_shift)(int nb, int I, int N, const REAL *xn, REAL *win)
{
    for (int b = 0; b < nb; b++) {
        REAL *w = win + (size_t)b * N;
        memmove(w, w + I, (size_t)(N - I) * sizeof(REAL));
        memcpy(w + (N - I), xn + (size_t)b * I, (size_t)I * sizeof(REAL));
    }
}

/* The MLP's hidden layers on the window into yc (nb x Oc); work: 2 nb Oc elements. */
static void T_(mlp_layers)(const lln_model_t *m, const T_(lln_prep) * p, int nb, const REAL *win,
                           REAL *yc, REAL *work)
{
    int N = m->cfg.units, Oc = m->out_cell;
    const REAL *in = win;
    size_t is = (size_t)N;
    if (p->nmlp == 0)
        memcpy(yc, win, (size_t)nb * (size_t)N * sizeof(REAL));
    for (int l = 0; l < p->nmlp; l++) {
        REAL *out = l == p->nmlp - 1 ? yc : work + (size_t)(l % 2) * (size_t)nb * (size_t)Oc;
        T_(dense_batch)(&p->mlp[l], nb, in, is, out, (size_t)Oc, 0);
        T_(activate)(m->cfg.activation, out, nb * Oc);
        in = out;
        is = (size_t)Oc;
    }
}

/* One baseline step for nb samples; yc receives the cell output (nb x Oc). */
static void T_(baseline_step)(const lln_model_t *m, const T_(lln_prep) * p, int nb, const REAL *xn,
                              REAL *h, REAL *c, REAL *yc, REAL *work)
{
    int N = m->cfg.units;
    if (m->cfg.cell == LLN_CELL_MLP) {
        T_(mlp_shift)(nb, m->cfg.input_size, N, xn, h);
        T_(mlp_layers)(m, p, nb, h, yc, work);
        return;
    }
    size_t gw = (size_t)lln__gates(&m->cfg) * (size_t)N;
    T_(rnn_cell)(m, p, nb, xn, h, c, work, work + (size_t)nb * gw);
    memcpy(yc, h, (size_t)nb * (size_t)N * sizeof(REAL));
}

/* ---- one step for the whole batch ---------------------------------------------------------- */

/* Work layout (elements): xn (nb*I) | y_cell (nb*Oc) | dt (nb) | cell scratch (nb * the
 * per-sample cell scratch of state.c, which also covers an LTC block of K_L samples). */
lln_status_t T_(lln__step)(const lln_model_t *m, lln_state_t *s, const REAL *x, size_t xs,
                           const REAL *dt, size_t dts, REAL *y, size_t ys, REAL *st, size_t sts)
{
    const T_(lln_prep) *p = &m->T_(p);
    int nb = s->batch, I = m->cfg.input_size, N = m->cfg.units, Oc = m->out_cell;
    REAL *h = s->h, *xn = s->work, *yc = xn + (size_t)nb * I, *cw = yc + (size_t)nb * Oc;
    REAL *dtv = cw; /* per-sample dt gathered first; the cell scratch follows */
    cw += nb;
    for (int b = 0; b < nb; b++) {
        dtv[b] = dt ? dt[(size_t)b * dts] : (REAL)1;
        for (int i = 0; i < I; i++)
            xn[(size_t)b * I + i] = (x[(size_t)b * xs + i] - p->x_mean[i]) * p->x_inv_std[i];
    }
    if (m->cfg.mixed_memory)
        T_(lstm)(p, nb, N, xn, (size_t)I, h, s->c, cw);
    if (lln__baseline(&m->cfg)) {
        T_(baseline_step)(m, p, nb, xn, h, s->c, yc, cw);
    } else if (m->cfg.cell == LLN_CELL_LTC) {
        int b = 0;
        for (; b + K_L <= nb; b += K_L)
            T_(ltc_block)
        (&p->ltc, xn + (size_t)b * I, dtv + b, h + (size_t)b * N, (size_t)Oc, yc + (size_t)b * Oc,
         cw);
        for (; b < nb; b++)
            T_(ltc_sample)
        (&p->ltc, xn + (size_t)b * I, dtv[b], h + (size_t)b * N, yc + (size_t)b * Oc, cw);
    } else {
        const REAL *inp = xn;
        size_t is = (size_t)I, col = 0;
        for (int l = 0; l < p->ncells; l++) {
            const T_(lln_cfc_prep) *cp = &p->cfc[l];
            int b = 0;
            if (cp->nbackbone == 0 && cp->nheads == 4) /* blocks of K_L samples in lanes */
                for (; b + K_L <= nb; b += K_L)
                    T_(cfc_lanes)
            (m, cp, inp + (size_t)b * is, is, h + (size_t)b * N + col, (size_t)N, dtv + b, cw);
#ifdef K_VSIG
            if (T_(cfc_one_fits)(cp))
                for (; b < nb; b++)
                    T_(cfc_one)(m, cp, inp + (size_t)b * is, h + (size_t)b * N + col, dtv[b]);
#endif
            if (b < nb)
                T_(cfc_cell)
            (m, cp, nb - b, inp + (size_t)b * is, is, h + (size_t)b * N + col, (size_t)N, dtv + b,
             cw);
            inp = h + col; /* the next layer reads this layer's new state */
            is = (size_t)N;
            col += (size_t)p->cfc[l].hidden;
        }
        for (int b = 0; b < nb; b++)
            memcpy(yc + (size_t)b * Oc, h + (size_t)b * N + (N - Oc), (size_t)Oc * sizeof(REAL));
    }
    if (st != NULL)
        for (int b = 0; b < nb; b++)
            memcpy(st + (size_t)b * sts, h + (size_t)b * N, (size_t)N * sizeof(REAL));
    if (y == NULL)
        return LLN_OK;
    if (p->proj.out > 0)
        T_(dense_batch)(&p->proj, nb, yc, (size_t)Oc, cw, (size_t)m->out, 0);
    const REAL *yo = p->proj.out > 0 ? cw : yc;
    size_t yos = p->proj.out > 0 ? (size_t)m->out : (size_t)Oc;
    for (int b = 0; b < nb; b++)
        for (int o = 0; o < m->out; o++)
            y[(size_t)b * ys + o] = yo[(size_t)b * yos + o] * p->y_std[o] + p->y_mean[o];
    return LLN_OK;
}

/* end of the template: its own macros stop here */
#undef K_IN_REGISTER
#undef K_PANEL
#undef K_SB
#undef K_BPW
#undef K_DENSE_BLOCK
#undef K_DNV
#undef P_ELL_MAX
#undef K_ONE_F
#undef K_ONE_HD
#undef K_OPAQUE
