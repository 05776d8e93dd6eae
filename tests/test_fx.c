/* The fixed-point math of the firmware (runtime/lln_fx.c): the nonlinearities measured
 * exhaustively (all 65536 inputs) against double precision and held to the bounds lln_fx.h
 * documents; requantisation, rounding shifts and division exactly equal to independent
 * integer references (and to an extended-precision floating reference) on millions of
 * random and edge cases; the dot product against a 64-bit sum. Prints the measured errors. */
#include <float.h>
#include <stdint.h>

#include "check.h"
#include "lln/util.h"
#include "../runtime/lln_fx.h"
#include "../runtime/lln_rtq_spec.h"

/* Documented bounds (lln_fx.h), in output LSBs (2^-15). "interp" is against the exact value
 * clamped to the output range; "total" against the exact value itself. */
#define SIGMOID_BOUND 0.536
#define TANH_INTERP_BOUND 0.576
#define TANH_TOTAL_BOUND 0.993
#define EXP_INTERP_BOUND 0.514
#define EXP_TOTAL_BOUND 1.0

/* splitmix64 (the library's lln_rng) from a fixed state */
static lln_rng_t rng_state = {0x9E3779B97F4A7C15u};

static uint64_t rnd64(void) { return lln_rng_next(&rng_state); }

static int32_t rnd32(void) { return (int32_t)(uint32_t)(rnd64() >> 32); }

/* A random int32 of random magnitude (uniform bit length), so small values and ties are hit
 * as often as large ones; sometimes an edge value. */
static int32_t rnd_any32(void)
{
    static const int32_t edges[] = {
        0,       1,          -1,    2,     -2, INT32_MAX, INT32_MIN, INT32_MAX - 1, INT32_MIN + 1,
        1 << 30, -(1 << 30), 32767, -32768};
    uint64_t r = rnd64();
    int bits = (int)(r % 33);
    int32_t v;
    if ((r >> 8) % 16 == 0)
        return edges[(r >> 16) % (sizeof edges / sizeof edges[0])];
    v = rnd32();
    if (bits < 32)
        v = (int32_t)((uint32_t)v & ((1u << bits) - 1u)) * ((r >> 40) & 1 ? -1 : 1);
    return v;
}

static int32_t sat32_i64(int64_t v)
{
    return v > INT32_MAX ? INT32_MAX : v < INT32_MIN ? INT32_MIN : (int32_t)v;
}

/* p / 2^s (s in [0, 62]) rounded half away from zero, by truncating division + remainder. */
static int64_t ref_round_shift64(int64_t p, int s)
{
    int64_t d = (int64_t)1 << s, q, r;
    if (s == 0)
        return p;
    q = p / d;
    r = p % d;
    if (r < 0)
        r = -r;
    if (r >= d - r)
        q += p < 0 ? -1 : 1;
    return q;
}

/* ---- saturation and rounding shift -------------------------------------------------------- */

static void test_saturation(void)
{
    int32_t i;
    long n;
    for (i = -70000; i <= 70000; i++) {
        int32_t e = i > 32767 ? 32767 : i < -32768 ? -32768 : i;
        if (lln_fx_sat16(i) != e)
            CHECK_MSG(0, "sat16(%ld) = %d", (long)i, lln_fx_sat16(i));
    }
    CHECK_EQ_INT(lln_fx_sat16(INT32_MAX), 32767);
    CHECK_EQ_INT(lln_fx_sat16(INT32_MIN), -32768);
    for (n = 0; n < 2000000; n++) {
        int16_t a = (int16_t)(rnd64() >> 48), b = (int16_t)(rnd64() >> 48);
        if (n < 9) { /* the corners */
            static const int16_t c[3] = {INT16_MIN, 0, INT16_MAX};
            a = c[n % 3];
            b = c[n / 3];
        }
        if (lln_fx_add16(a, b) != lln_fx_sat16((int32_t)a + b) ||
            lln_fx_sub16(a, b) != lln_fx_sat16((int32_t)a - b)) {
            CHECK_MSG(0, "add16/sub16(%d, %d) = %d, %d", a, b, lln_fx_add16(a, b),
                      lln_fx_sub16(a, b));
            break;
        }
    }
    CHECK_EQ_INT(lln_fx_add16(32767, 1), 32767);
    CHECK_EQ_INT(lln_fx_sub16(-32768, 1), -32768);
    CHECK_EQ_INT(lln_fx_sub16(0, -32768), 32767);
}

static void test_rshift(void)
{
    long n, bad = 0;
    /* documented ties */
    CHECK_EQ_INT(lln_fx_rshift_round(5, 1), 3);
    CHECK_EQ_INT(lln_fx_rshift_round(-5, 1), -3);
    CHECK_EQ_INT(lln_fx_rshift_round(3, 1), 2);
    CHECK_EQ_INT(lln_fx_rshift_round(-3, 1), -2);
    CHECK_EQ_INT(lln_fx_rshift_round(-1, 1), -1);
    CHECK_EQ_INT(lln_fx_rshift_round(1, 2), 0);
    CHECK_EQ_INT(lln_fx_rshift_round(INT32_MIN, 31), -1);
    CHECK_EQ_INT(lln_fx_rshift_round(INT32_MAX, 31), 1);
    CHECK_EQ_INT(lln_fx_rshift_round(INT32_MIN, 0), INT32_MIN);
    CHECK_EQ_INT(lln_fx_rshift_round(INT32_MIN, 1), -(1 << 30));
    CHECK_EQ_INT(lln_fx_rshift_round(12345, -4), 12345);  /* clamped to shift 0 */
    CHECK_EQ_INT(lln_fx_rshift_round(INT32_MIN, 40), -1); /* clamped to shift 31 */
    for (n = 0; n < 4000000; n++) {
        int32_t x = rnd_any32();
        int s = (int)(rnd64() % 32);
        int32_t got = lln_fx_rshift_round(x, s);
        int64_t want = ref_round_shift64(x, s);
        if (got != want && bad++ < 5)
            CHECK_MSG(0, "rshift_round(%ld, %d) = %ld, want %lld", (long)x, s, (long)got,
                      (long long)want);
    }
    CHECK_EQ_INT(bad, 0);
}

/* ---- requantisation --------------------------------------------------------------------- */

static int32_t ref_requant(int32_t acc, int32_t mult, int shift)
{
    int s = 31 + (shift < -31 ? -31 : shift > 31 ? 31 : shift);
    return sat32_i64(ref_round_shift64((int64_t)acc * mult, s));
}

/* The same in extended floating point: exact when the 62-bit product fits the mantissa. */
static int ldouble_exact(int64_t p)
{
    return LDBL_MANT_DIG >= 64 || (p < ((int64_t)1 << 53) && p > -((int64_t)1 << 53));
}

static int32_t ref_requant_ld(int32_t acc, int32_t mult, int shift)
{
    long double v = (long double)acc * (long double)mult;
    long double r;
    int s = 31 + shift;
    for (; s > 0; s--)
        v *= 0.5L; /* exact */
    r = roundl(v); /* half away from zero */
    return r > (long double)INT32_MAX   ? INT32_MAX
           : r < (long double)INT32_MIN ? INT32_MIN
                                        : (int32_t)r;
}

static void test_requant(void)
{
    long n, bad = 0, bad_ld = 0, ld_cases = 0, ties = 0;
    /* spot values: 0.5 * 3 = 1.5 -> 2, -1.5 -> -2; scale 2^-31 * 2^30 ... */
    CHECK_EQ_INT(lln_fx_requant(3, 1 << 30, 0), 2);
    CHECK_EQ_INT(lln_fx_requant(-3, 1 << 30, 0), -2);
    CHECK_EQ_INT(lln_fx_requant(1, 1 << 30, 0), 1);   /* 0.5 -> 1 */
    CHECK_EQ_INT(lln_fx_requant(-1, 1 << 30, 0), -1); /* -0.5 -> -1 */
    CHECK_EQ_INT(lln_fx_requant(INT32_MAX, INT32_MAX, -31), INT32_MAX);
    CHECK_EQ_INT(lln_fx_requant(INT32_MIN, INT32_MAX, -31), INT32_MIN);
    CHECK_EQ_INT(lln_fx_requant(INT32_MIN, INT32_MIN, 31), 1);        /* 2^62 / 2^62 */
    CHECK_EQ_INT(lln_fx_requant(INT32_MIN, INT32_MIN, 0), INT32_MAX); /* 2^31: saturated */
    CHECK_EQ_INT(lln_fx_requant(1000, 1 << 30, -1), 1000);            /* scale 1 */
    CHECK_EQ_INT(lln_fx_requant(1, 1 << 30, -40), 1 << 30);           /* shift clamped to -31 */
    for (n = 0; n < 6000000; n++) {
        int32_t acc = rnd_any32(), mult;
        int shift = (int)(rnd64() % 63) - 31;
        int32_t got, want;
        int64_t p;
        switch (n % 4) {
        case 0: mult = rnd_any32(); break;
        case 1: mult = (int32_t)((uint32_t)rnd32() | 0x40000000u) & INT32_MAX; break;
        case 2: /* a tie: acc * mult = odd * 2^(30 + shift) */
            shift = (int)(rnd64() % 31);
            mult = 1 << (30 - shift / 2);
            acc = (int32_t)((rnd32() | 1) & 0xFFFF) * (rnd32() < 0 ? -1 : 1) *
                  (1 << (shift - shift / 2));
            ties++;
            break;
        default: mult = (int32_t)(rnd64() % 2048) - 1024; break;
        }
        got = lln_fx_requant(acc, mult, shift);
        want = ref_requant(acc, mult, shift);
        if (got != want && bad++ < 5)
            CHECK_MSG(0, "requant(%ld, %ld, %d) = %ld, want %ld", (long)acc, (long)mult, shift,
                      (long)got, (long)want);
        p = (int64_t)acc * mult;
        if (ldouble_exact(p)) {
            ld_cases++;
            if (got != ref_requant_ld(acc, mult, shift) && bad_ld++ < 5)
                CHECK_MSG(0, "requant(%ld, %ld, %d) = %ld, long double %ld", (long)acc, (long)mult,
                          shift, (long)got, (long)ref_requant_ld(acc, mult, shift));
        }
    }
    CHECK_EQ_INT(bad, 0);
    CHECK_EQ_INT(bad_ld, 0);
    CHECK(ld_cases > 1000000);
    printf("requant: %ld random cases (%ld constructed ties) equal the integer reference, "
           "%ld the long double one (%d-bit mantissa)\n",
           n, ties, ld_cases, LDBL_MANT_DIG);
}

static void test_quantize_multiplier(void)
{
    long n, bad = 0;
    int32_t m = 7;
    int sh = 7;
    CHECK_EQ_INT(lln_fx_quantize_multiplier(-1.0, &m, &sh), -1);
    CHECK_EQ_INT(lln_fx_quantize_multiplier((double)NAN, &m, &sh), -1);
    CHECK_EQ_INT(lln_fx_quantize_multiplier((double)INFINITY, &m, &sh), -1);
    CHECK_EQ_INT(lln_fx_quantize_multiplier(2147483648.0, &m, &sh), -1);
    CHECK_EQ_INT(m, 7); /* untouched on error */
    CHECK_EQ_INT(lln_fx_quantize_multiplier(0.0, &m, &sh), 0);
    CHECK_EQ_INT(m, 0);
    CHECK_EQ_INT(lln_fx_quantize_multiplier(1.0, &m, &sh), 0);
    CHECK(m == 1 << 30 && sh == -1);
    CHECK_EQ_INT(lln_fx_quantize_multiplier(0.75, &m, &sh), 0);
    CHECK(m == 3 << 29 && sh == 0);
    CHECK_EQ_INT(lln_fx_quantize_multiplier(1073741824.0, &m, &sh), 0); /* 2^30 */
    CHECK(m == 1 << 30 && sh == -31);
    CHECK_EQ_INT(lln_fx_quantize_multiplier(2147483647.9, &m, &sh), -1); /* rounds to 2^31 */
    CHECK_EQ_INT(lln_fx_quantize_multiplier(ldexp(1.0, -40), &m, &sh), 0);
    CHECK(m == 1 << 22 && sh == 31);
    for (n = 0; n < 200000; n++) {
        double scale =
            ldexp(1.0 + (double)(rnd64() >> 11) / 9007199254740992.0, (int)(rnd64() % 62) - 31);
        double got, ulp;
        if (lln_fx_quantize_multiplier(scale, &m, &sh) != 0 || sh < -31 || sh > 31 ||
            (scale >= ldexp(1.0, -32) && (m < (1 << 30)))) {
            if (bad++ < 5)
                CHECK_MSG(0, "quantize_multiplier(%.17g) -> %ld, %d", scale, (long)m, sh);
            continue;
        }
        got = ldexp((double)m, -(31 + sh));
        ulp = ldexp(1.0, -(31 + sh));
        if (fabs(got - scale) > 0.5 * ulp && bad++ < 5)
            CHECK_MSG(0, "quantize_multiplier(%.17g) -> %ld, %d = %.17g", scale, (long)m, sh, got);
        /* end to end: requant(acc) is round(acc * scale) up to the multiplier's rounding */
        {
            int32_t acc = rnd_any32();
            double exact = (double)acc * scale;
            double err = fabs((double)lln_fx_requant(acc, m, sh) - exact);
            if (fabs(exact) < 2e9 && err > 0.5 + fabs((double)acc) * 0.5 * ulp + 1e-6 && bad++ < 5)
                CHECK_MSG(0, "requant(%ld, scale %.17g) = %ld", (long)acc, scale,
                          (long)lln_fx_requant(acc, m, sh));
        }
    }
    CHECK_EQ_INT(bad, 0);
}

/* ---- division --------------------------------------------------------------------------- */

static int32_t ref_div(int32_t num, int32_t den, int frac)
{
    int f = frac < 0 ? 0 : frac > 31 ? 31 : frac;
    int64_t n = (int64_t)num * ((int64_t)1 << f), d = den, q, r;
    if (d == 0)
        return num > 0 ? INT32_MAX : num < 0 ? INT32_MIN : 0;
    q = n / d;
    r = n % d;
    if (r < 0)
        r = -r;
    if (d < 0)
        d = -d;
    if (r >= d - r) /* |r| >= |d| / 2: round away from zero */
        q += (n < 0) != (den < 0) ? -1 : 1;
    return sat32_i64(q);
}

static void test_div(void)
{
    static const int32_t nums[] = {0,
                                   1,
                                   -1,
                                   2,
                                   3,
                                   -3,
                                   7,
                                   32767,
                                   -32768,
                                   65535,
                                   1 << 30,
                                   INT32_MAX,
                                   INT32_MIN,
                                   INT32_MAX - 1,
                                   INT32_MIN + 1,
                                   123456789,
                                   -987654321};
    static const int32_t dens[] = {1,
                                   2,
                                   3,
                                   4,
                                   5,
                                   7,
                                   255,
                                   32767,
                                   65536,
                                   1 << 30,
                                   INT32_MAX,
                                   INT32_MAX - 1,
                                   -1,
                                   -2,
                                   -3,
                                   INT32_MIN,
                                   INT32_MIN + 1,
                                   0};
    static const int fracs[] = {-3, 0, 1, 8, 12, 15, 16, 24, 30, 31, 40};
    size_t a, b, c;
    long n, bad = 0, edge = 0;
    /* exact rationals by hand */
    CHECK_EQ_INT(lln_fx_div_q(1, 3, 15), 10923); /* 32768/3 = 10922.67 */
    CHECK_EQ_INT(lln_fx_div_q(-1, 3, 15), -10923);
    CHECK_EQ_INT(lln_fx_div_q(1, 2, 0), 1);          /* 0.5 -> 1 */
    CHECK_EQ_INT(lln_fx_div_q(-1, 2, 0), -1);        /* -0.5 -> -1 */
    CHECK_EQ_INT(lln_fx_div_q(5, 4, 0), 1);          /* 1.25 */
    CHECK_EQ_INT(lln_fx_div_q(7, 4, 0), 2);          /* 1.75 */
    CHECK_EQ_INT(lln_fx_div_q(3, 2, 0), 2);          /* 1.5 */
    CHECK_EQ_INT(lln_fx_div_q(1, INT32_MAX, 31), 1); /* 2^31 / (2^31 - 1) = 1.0000000005 */
    CHECK_EQ_INT(lln_fx_div_q(INT32_MAX, 1, 0), INT32_MAX);
    CHECK_EQ_INT(lln_fx_div_q(INT32_MAX, 1, 1), INT32_MAX); /* saturated */
    CHECK_EQ_INT(lln_fx_div_q(INT32_MIN, 1, 0), INT32_MIN);
    CHECK_EQ_INT(lln_fx_div_q(INT32_MIN, 1, 31), INT32_MIN);
    CHECK_EQ_INT(lln_fx_div_q(INT32_MIN, INT32_MIN, 30), 1 << 30);
    CHECK_EQ_INT(lln_fx_div_q(INT32_MIN, INT32_MIN, 31), INT32_MAX); /* 2^31: saturated */
    CHECK_EQ_INT(lln_fx_div_q(INT32_MIN, -1, 0), INT32_MAX);
    CHECK_EQ_INT(lln_fx_div_q(INT32_MIN, 2, 0), -(1 << 30));
    CHECK_EQ_INT(lln_fx_div_q(100, 0, 12), INT32_MAX);
    CHECK_EQ_INT(lln_fx_div_q(-100, 0, 12), INT32_MIN);
    CHECK_EQ_INT(lln_fx_div_q(0, 0, 12), 0);
    CHECK_EQ_INT(lln_fx_div_q(6, -4, 0), -2); /* -1.5 -> -2 */
    CHECK_EQ_INT(lln_fx_div_q(4096, 4096, 12), 4096);
    for (a = 0; a < sizeof nums / sizeof nums[0]; a++)
        for (b = 0; b < sizeof dens / sizeof dens[0]; b++)
            for (c = 0; c < sizeof fracs / sizeof fracs[0]; c++) {
                int32_t got = lln_fx_div_q(nums[a], dens[b], fracs[c]);
                int32_t want = ref_div(nums[a], dens[b], fracs[c]);
                edge++;
                if (got != want && bad++ < 8)
                    CHECK_MSG(0, "div_q(%ld, %ld, %d) = %ld, want %ld", (long)nums[a],
                              (long)dens[b], fracs[c], (long)got, (long)want);
            }
    for (n = 0; n < 4000000; n++) {
        int32_t num = rnd_any32(), den = rnd_any32();
        int frac = (int)(rnd64() % 32);
        int32_t got, want;
        if (n % 3 == 0)
            den = (int32_t)(rnd64() % 64) + 1; /* tiny denominators */
        else if (n % 3 == 1)
            den = den == INT32_MIN ? INT32_MAX : den < 0 ? -den : den; /* den > 0 */
        got = lln_fx_div_q(num, den, frac);
        want = ref_div(num, den, frac);
        if (got != want && bad++ < 8)
            CHECK_MSG(0, "div_q(%ld, %ld, %d) = %ld, want %ld", (long)num, (long)den, frac,
                      (long)got, (long)want);
    }
    CHECK_EQ_INT(bad, 0);
    printf("div_q: %ld edge and %ld random cases equal the exact rational, rounded\n", edge, n);
}

/* ---- nonlinearities --------------------------------------------------------------------- */

typedef struct {
    double interp, total; /* max |err| in LSBs vs clamped / unclamped exact values */
    long at_interp, at_total;
} err_t;

static void err_add(err_t *e, long x, double got, double exact, double lo, double hi)
{
    double c = exact < lo ? lo : exact > hi ? hi : exact;
    double ei = fabs(got - c), et = fabs(got - exact);
    if (ei > e->interp) {
        e->interp = ei;
        e->at_interp = x;
    }
    if (et > e->total) {
        e->total = et;
        e->at_total = x;
    }
}

static void test_nonlinearities(void)
{
    err_t es = {0, 0, 0, 0}, et = {0, 0, 0, 0}, ee = {0, 0, 0, 0};
    long v, nonmono = 0, asym = 0, range = 0;
    int16_t prev_s = 0, prev_t = 0, prev_e = 0;
    for (v = -32768; v <= 32767; v++) {
        int16_t x = (int16_t)v;
        double xr = (double)v / 4096.0;
        int16_t s = lln_fx_sigmoid(x), t = lln_fx_tanh(x), e = lln_fx_exp_neg(x);
        err_add(&es, v, s, 32768.0 / (1.0 + exp(-xr)), 0, 32767);
        err_add(&et, v, t, 32768.0 * tanh(xr), -32767, 32767);
        err_add(&ee, v, e, v >= 0 ? 32768.0 * exp(-(double)v / 2048.0) : 32767, 0, 32767);
        if (s < 0 || t < -32767 || e < 0)
            range++;
        if (v > -32768 && (s < prev_s || t < prev_t || (v > 0 && e > prev_e)))
            nonmono++;
        if (v > -32768 &&
            (lln_fx_tanh((int16_t)-v) != -t || (long)lln_fx_sigmoid((int16_t)-v) + s != 32768))
            asym++;
        prev_s = s;
        prev_t = t;
        prev_e = e;
    }
    printf("sigmoid Q3.12->Q0.15: max |err| %.5f LSB at x=%ld/4096 (exhaustive, 65536 inputs)\n",
           es.total, es.at_total);
    printf("tanh    Q3.12->Q0.15: max |err| %.5f LSB at x=%ld/4096; %.5f LSB against tanh "
           "clamped to +-32767 (at x=%ld/4096)\n",
           et.total, et.at_total, et.interp, et.at_interp);
    printf("exp(-x) Q4.11->Q0.15: max |err| %.5f LSB at x=%ld/2048; %.5f LSB against exp "
           "clamped to 32767 (at x=%ld/2048)\n",
           ee.total, ee.at_total, ee.interp, ee.at_interp);
    CHECK_MSG(es.total <= SIGMOID_BOUND, "sigmoid error %.4f LSB", es.total);
    CHECK_MSG(et.interp <= TANH_INTERP_BOUND, "tanh error %.4f LSB", et.interp);
    CHECK_MSG(et.total <= TANH_TOTAL_BOUND, "tanh error %.4f LSB", et.total);
    CHECK_MSG(ee.interp <= EXP_INTERP_BOUND, "exp error %.4f LSB", ee.interp);
    CHECK_MSG(ee.total <= EXP_TOTAL_BOUND, "exp error %.4f LSB", ee.total);
    CHECK_EQ_INT(range, 0);
    CHECK_EQ_INT(nonmono, 0);
    CHECK_EQ_INT(asym, 0);
    CHECK_EQ_INT(lln_fx_tanh(0), 0);
    CHECK_EQ_INT(lln_fx_sigmoid(0), 16384);
    CHECK_EQ_INT(lln_fx_tanh(INT16_MAX), 32767);
    CHECK_EQ_INT(lln_fx_tanh(INT16_MIN), -32767);
    CHECK_EQ_INT(lln_fx_exp_neg(0), 32767);
    CHECK_EQ_INT(lln_fx_exp_neg(-1), 32767);
    CHECK_EQ_INT(lln_fx_exp_neg(INT16_MIN), 32767);
    CHECK_EQ_INT(lln_fx_exp_neg(INT16_MAX), 0);
    CHECK_EQ_INT(lln_fx_exp_neg(12 * 2048), 0);
}

/* ---- dot product ------------------------------------------------------------------------ */

static void test_dot(void)
{
    static int8_t w[1200];
    static int16_t x[1200];
    long trial, bad = 0;
    int i;
    for (trial = 0; trial < 20000; trial++) {
        int n = (int)(rnd64() % 600), off = (int)(rnd64() % 4), mode = (int)(trial % 3);
        int64_t exact = 0;
        uint32_t wrapped;
        int32_t got, ref;
        for (i = 0; i < n + off; i++) {
            w[i] = (int8_t)(rnd64() >> 56);
            x[i] = (int16_t)(rnd64() >> 48);
            if (mode == 1) { /* extremes: the largest products */
                w[i] = (rnd64() & 1) ? INT8_MIN : INT8_MAX;
                x[i] = (rnd64() & 1) ? INT16_MIN : INT16_MAX;
            }
        }
        for (i = 0; i < n; i++)
            exact += (int64_t)w[off + i] * x[off + i];
        got = lln_fx_dot_s8_s16(w + off, x + off, n);
        ref = lln_fx_dot_s8_s16_ref(w + off, x + off, n);
        wrapped = (uint32_t)(uint64_t)exact;
        if ((got != ref || (uint32_t)ref != wrapped ||
             (exact >= INT32_MIN && exact <= INT32_MAX && ref != exact)) &&
            bad++ < 5)
            CHECK_MSG(0, "dot n=%d: %ld / ref %ld, exact %lld", n, (long)got, (long)ref,
                      (long long)exact);
    }
    CHECK_EQ_INT(bad, 0);
    /* the documented bound: 511 worst-case products fit, 512 wrap to INT32_MIN */
    for (i = 0; i < 512; i++) {
        w[i] = INT8_MIN;
        x[i] = INT16_MIN;
    }
    CHECK_EQ_INT(lln_fx_dot_s8_s16(w, x, 511), 511L * 4194304L);
    CHECK_EQ_INT(lln_fx_dot_s8_s16(w, x, 512), INT32_MIN);
    CHECK_EQ_INT(lln_fx_dot_s8_s16_ref(w, x, 512), INT32_MIN);
    for (i = 0; i < 516; i++) {
        w[i] = INT8_MAX;
        x[i] = INT16_MAX;
    }
    CHECK_EQ_INT(lln_fx_dot_s8_s16(w, x, 516), 516L * 127 * 32767);
    CHECK_EQ_INT(lln_fx_dot_s8_s16(w, x, 0), 0);
    CHECK_EQ_INT(lln_fx_dot_s8_s16(w, x, -5), 0);
}

/* ---- the runtime's fast paths ------------------------------------------------------------- */

/* Fast tanh and table sigmoid (linear interpolation): exhaustive error bounds (documented in
 * lln_fx.h), monotone, tanh exactly odd. */
static void test_fast_nonlinearities(void)
{
    double e_tanh = 0, e_lut = 0;
    int prev_t = -32768, prev_l = -1;
    for (int32_t v = -32768; v <= 32767; v++) {
        double xr = v / 4096.0;
        int t = lln_fx_tanh_fast((int16_t)v);
        int l = lln_fx_sigmoid_lut((int16_t)v);
        e_tanh = fmax(e_tanh, fabs(t - fmin(32767.0, fmax(-32767.0, tanh(xr) * 32768.0))));
        e_lut = fmax(e_lut, fabs(l - fmin(32767.0, 32768.0 / (1.0 + exp(-xr)))));
        CHECK_MSG(t >= prev_t && l >= prev_l, "not monotone at %ld", (long)v);
        prev_t = t, prev_l = l;
        if (v > -32768) {
            CHECK_MSG(lln_fx_tanh_fast((int16_t)-v) == -t, "tanh_fast not odd at %ld", (long)v);
        }
        /* the packed table's sigmoid (LTC synapses) is the same function bit for bit */
        CHECK_MSG((int)lln_fx_sigmoid_pk((uint32_t)(v + 32768)) == l,
                  "sigmoid_pk %ld != sigmoid_lut %d at %ld",
                  (long)lln_fx_sigmoid_pk((uint32_t)(v + 32768)), l, (long)v);
    }
    for (int k = 0; k < 256; k++) /* node k low, node k + 1 - node k high */
        CHECK_MSG(
            lln_fx_sigmoid_pk_nodes[k] ==
                ((uint32_t)lln_fx_sigmoid_lut_nodes[k] |
                 (uint32_t)(lln_fx_sigmoid_lut_nodes[k + 1] - lln_fx_sigmoid_lut_nodes[k]) << 16),
            "packed sigmoid node %d", k);
    printf("tanh_fast max |err| %.3f LSB, sigmoid_lut %.3f LSB\n", e_tanh, e_lut);
    CHECK(e_tanh <= 12.82); /* the bounds lln_fx.h documents (measured 12.811, 2.199) */
    CHECK(e_lut <= 2.2);
}

/* The CfC gate's sigmoid on nodes 1/8 apart (lln_fx__sigmoid8_32) and its tanh, 2 sigmoid(2x) - 1
 * (lln_rtq__tanh_sg): the nodes against sigmoid rounded half up, exhaustive error bounds
 * (documented in lln_fx.h and lln_rtq_spec.h), monotone, the tanh within [-32746, 32746]. */
static void test_gate_nonlinearities(void)
{
    double e = 0, e_in = 0, e_s = 0;
    int32_t prev = -32768, prev_s = -1;
    for (int k = 0; k <= 128; k++) {
        double n = fmin(32767.0, floor(32768.0 / (1.0 + exp(-(k - 64) / 8.0)) + 0.5));
        CHECK_MSG(lln_fx_sigmoid8_nodes[k] == (int16_t)n, "sigmoid8 node %d", k);
    }
    for (int32_t v = -32768; v <= 32767; v++) {
        int32_t t = lln_rtq__tanh_sg(v), sg = lln_fx__sigmoid8_32(v);
        double d = fabs(t - tanh(v / 4096.0) * 32768.0);
        e = fmax(e, d);
        if (v > -16384 && v < 16384)
            e_in = fmax(e_in, d);
        e_s = fmax(e_s, fabs(sg - fmin(32767.0, 32768.0 / (1.0 + exp(-v / 4096.0)))));
        CHECK_MSG(t >= prev && t >= -32746 && t <= 32746, "tanh_sg at %ld: %ld", (long)v, (long)t);
        CHECK_MSG(sg >= prev_s, "sigmoid8 not monotone at %ld", (long)v);
        prev = t, prev_s = sg;
    }
    /* the gate's sigmoid of any int32 argument: sigmoid8 of it saturated to the int16 range */
    const int32_t big[] = {INT32_MIN, INT32_MIN + 1, -65536, -32769,  -32768,
                           32767,     32768,         65535,  1 << 20, INT32_MAX - 32767,
                           INT32_MAX};
    for (size_t i = 0; i < sizeof big / sizeof big[0]; i++) {
        int32_t v = big[i], sat = v < -32768 ? -32768 : v > 32767 ? 32767 : v;
        CHECK_MSG(lln_rtq__sigmoid_sat(v) == lln_fx__sigmoid8_32(sat), "sigmoid_sat(%ld)", (long)v);
    }
    printf("sigmoid8 max |err| %.3f LSB; tanh_sg %.3f LSB (|x| < 4: %.3f LSB)\n", e_s, e, e_in);
    CHECK(e_s <= 6.75); /* measured 6.746, 21.993, 13.493 */
    CHECK(e_in <= 13.5);
    CHECK(e <= 22.0);
}

/* lln_fx_mulshift against an exact reference: |a b| <= 2^62 fits uint64, rounded half away
 * from zero on the magnitude, saturated to int32. */
static void test_mulshift(void)
{
    long bad = 0;
    for (long i = 0; i < 2000000; i++) {
        int32_t a = (int32_t)(uint32_t)rnd64(), b = (int32_t)(uint32_t)rnd64();
        int s = (int)(rnd64() % 63);
        if (i % 5 == 0)
            a = (int32_t)((int64_t)a / ((int64_t)1 << (rnd64() % 31))); /* smaller magnitudes */
        uint64_t ma = a < 0 ? 0u - (uint64_t)(int64_t)a : (uint64_t)a;
        uint64_t mb = b < 0 ? 0u - (uint64_t)(int64_t)b : (uint64_t)b;
        uint64_t mag = ma * mb, r = s ? (mag >> s) + ((mag >> (s - 1)) & 1u) : mag;
        int neg = (a < 0) != (b < 0);
        int64_t want = neg ? (r >= ((uint64_t)1 << 31) ? INT32_MIN : -(int64_t)r)
                           : (r > (uint64_t)INT32_MAX ? INT32_MAX : (int64_t)r);
        int32_t got = lln_fx_mulshift(a, b, s);
        if (got != want && bad++ < 5)
            CHECK_MSG(0, "mulshift(%ld, %ld, %d) = %ld, want %lld", (long)a, (long)b, s, (long)got,
                      (long long)want);
    }
    CHECK_EQ_INT(bad, 0);
}

/* Interleaved single- and two-row dot products against the plain sum of the un-interleaved
 * weights (the layout is only a storage order). */
static void test_dot_interleaved(void)
{
    static int8_t w[2][600], wi[2][600];
    static int16_t x[600];
    long bad = 0;
    for (int trial = 0; trial < 5000; trial++) {
        int n = (int)(rnd64() % 520);
        for (int i = 0; i < n; i++) {
            w[0][i] = (int8_t)(rnd64() >> 56);
            w[1][i] = (int8_t)(rnd64() >> 56);
            x[i] = (int16_t)(rnd64() >> 48);
        }
        lln_fx_interleave4(w[0], wi[0], n);
        lln_fx_interleave4(w[1], wi[1], n);
        int32_t p0 = lln_fx_dot_s8_s16_ref(w[0], x, n), p1 = lln_fx_dot_s8_s16_ref(w[1], x, n);
        int32_t a0, a1;
        lln_fx_dot2_s8i_s16(wi[0], wi[1], x, n, &a0, &a1);
        if ((lln_fx_dot_s8i_s16(wi[0], x, n) != p0 || lln_fx_dot_s8i_s16_ref(wi[1], x, n) != p1 ||
             a0 != p0 || a1 != p1) &&
            bad++ < 5)
            CHECK_MSG(0, "interleaved dot n=%d differs from the plain sum", n);
    }
    CHECK_EQ_INT(bad, 0);
}

/* The runtime's requantisation rq(p, s) = floor(p / 2^s + 1/2) (runtime/lln_rtq_spec.h; its
 * one-word path for s >= 33 with the offset constants of lln_rtq__rq_prep and of
 * lln_rtq__rq_prep_imm) against the formula
 * in 64-bit arithmetic, for every s in [33, 62] on random products |p| < 2^62 of every size
 * and on the edges. */
static void test_rq(void)
{
    long bad = 0, n = 0;
    for (int s = 33; s <= 62; s++) {
        const lln_rtq__rq_t cs[2] = {lln_rtq__rq_prep(s), lln_rtq__rq_prep_imm(s)};
        for (int i = 0; i < 200000; i++, n++) {
            lln_rtq__rq_t c = cs[i % 4 / 2]; /* i % 2 picks the magnitude below */
            int64_t p = (int64_t)(rnd64() >> 2) - ((int64_t)1 << 61) * 2 + 1; /* |p| < 2^62 */
            if (i % 2)
                p /= (int64_t)1 << (rnd64() % 60);
            if (i < 4)
                p = i == 0 ? -((int64_t)1 << 62) + 1 : i == 1 ? ((int64_t)1 << 62) - 1 : i - 2;
            /* floor((p + 2^(s-1)) / 2^s) without shifting a negative value */
            int64_t v = p + ((int64_t)1 << (s - 1));
            int64_t want = v >= 0 ? v / ((int64_t)1 << s)
                                  : -((-v + ((int64_t)1 << s) - 1) / ((int64_t)1 << s));
            int32_t got = lln_rtq__rq(p, c);
            if (got != want && bad++ < 5)
                printf("rq(%lld, %d) = %ld, want %lld\n", (long long)p, s, (long)got,
                       (long long)want);
        }
    }
    printf("rq: %ld cases, %ld wrong\n", n, bad);
    CHECK_EQ_INT(bad, 0);
}

int main(void)
{
    test_saturation();
    test_rshift();
    test_requant();
    test_quantize_multiplier();
    test_div();
    test_nonlinearities();
    test_dot();
    test_fast_nonlinearities();
    test_gate_nonlinearities();
    test_mulshift();
    test_dot_interleaved();
    test_rq();
    return check_done("test_fx");
}
