/* liquid-edge fixed-point math (see lln_fx.h for formats, rounding and error bounds).
 *
 * Integer only: no float or double anywhere in this file, so the firmware needs no FPU and
 * no soft-float routines, and host and target compute the same bits. Signed values are
 * never shifted when negative (magnitudes are shifted as unsigned), so no result depends
 * on implementation-defined behaviour.
 */
#include "lln_fx.h"

#if defined(__ARM_FEATURE_DSP) && defined(__ARM_FEATURE_SIMD32) && !defined(__ARM_BIG_ENDIAN)
#include <arm_acle.h>
#include <string.h>
#define LLN_FX_DSP 1
#endif

/* uint32 -> int32 as two's complement, without implementation-defined conversion. */
static int32_t fx_u2s(uint32_t u)
{
    return u <= (uint32_t)INT32_MAX ? (int32_t)u : -(int32_t)(~u) - 1;
}

/* floor(x / 2^s) for s in [0, 31], for any sign, without shifting a negative value. */
static int32_t fx_asr(int32_t x, int s)
{
    return x >= 0 ? (int32_t)((uint32_t)x >> s) : -(int32_t)(~(uint32_t)x >> s) - 1;
}

int32_t lln_fx_div_q(int32_t num, int32_t den, int frac_bits)
{
    int f = lln_fx__clamp(frac_bits, 0, 31);
    /* |num| * 2^f <= 2^62: exact (a multiplication, as left shifts of negatives are UB). */
    uint64_t n = (uint64_t)lln_fx__abs32(num) << f;
    uint64_t d = lln_fx__abs32(den);
    uint64_t q;
    int negative = (num < 0) != (den < 0);
    if (num == 0)
        return 0;
    if (d == 0)
        return num > 0 ? INT32_MAX : INT32_MIN;
    /* n/d rounded half away from zero: floor((n + floor(d/2)) / d). A tie needs an even d,
     * where d/2 is exact; for odd d there is no tie and floor(d/2) < d/2 rounds right. */
    if (n + d / 2 <= UINT32_MAX)
        q = (uint32_t)(n + d / 2) / (uint32_t)d; /* 32-bit divide: hardware on most MCUs */
    else
        q = (n + d / 2) / d;
    return lln_fx__sat32(negative, q);
}

/* ---- nonlinearities --------------------------------------------------------------------- */

/* Tables of node values in Q21 (uint32: flash cost 4 bytes a node; 2^-21 keeps the nodes'
 * rounding at 1/64 of an output LSB, so the error is the final rounding plus ~0.1 LSB). */

/* tanh(k/8) in Q21, k = 0..64. */
static const uint32_t fx_tanh_q21[65] = {
    0u,       260787u,  513632u,  751530u,  969130u,  1163080u, 1332004u, 1476197u, 1597179u,
    1697227u, 1778980u, 1845130u, 1898233u, 1940592u, 1974208u, 2000778u, 2021712u, 2038165u,
    2051069u, 2061175u, 2069080u, 2075257u, 2080081u, 2083845u, 2086781u, 2089071u, 2090856u,
    2092247u, 2093331u, 2094175u, 2094833u, 2095346u, 2095745u, 2096056u, 2096299u, 2096487u,
    2096634u, 2096749u, 2096838u, 2096908u, 2096962u, 2097004u, 2097037u, 2097062u, 2097082u,
    2097097u, 2097110u, 2097119u, 2097126u, 2097132u, 2097136u, 2097140u, 2097143u, 2097145u,
    2097146u, 2097148u, 2097149u, 2097149u, 2097150u, 2097150u, 2097151u, 2097151u, 2097151u,
    2097151u, 2097152u,
};

/* exp(-k/8) in Q21, k = 0..96. */
static const uint32_t fx_exp_q21[97] = {
    2097152u, 1850730u, 1633264u, 1441350u, 1271987u, 1122525u, 990624u, 874223u, 771499u, 680846u,
    600844u,  530243u,  467938u,  412954u,  364430u,  321609u,  283819u, 250469u, 221038u, 195066u,
    172145u,  151917u,  134066u,  118313u,  104411u,  92142u,   81315u,  71761u,  63329u,  55887u,
    49320u,   43525u,   38411u,   33897u,   29914u,   26399u,   23297u,  20560u,  18144u,  16012u,
    14130u,   12470u,   11005u,   9712u,    8571u,    7564u,    6675u,   5890u,   5198u,   4588u,
    4048u,    3573u,    3153u,    2782u,    2456u,    2167u,    1912u,   1688u,   1489u,   1314u,
    1160u,    1024u,    903u,     797u,     704u,     621u,     548u,    484u,    427u,    377u,
    332u,     293u,     259u,     228u,     202u,     178u,     157u,    139u,    122u,    108u,
    95u,      84u,      74u,      65u,      58u,      51u,      45u,     40u,     35u,     31u,
    27u,      24u,      21u,      19u,      17u,      15u,      13u,
};

/* x / 2^s rounded half up, s in [1, 31] (for interpolation terms of either sign). */
static int32_t fx_asr_round(int32_t x, int s) { return fx_asr(x + (1 << (s - 1)), s); }

/* Cubic Hermite interpolation on one segment of width h = 1/8:
 *   p(u) = y0 + u (g0 + u (3D - 2 g0 - g1 + u (g0 + g1 - 2D))),  D = y1 - y0,
 * u = frac / 2^ub in [0, 1) (ub = 8 or 10), node values y and slopes g = h f'(node) all in
 * Q21. With |D|, |g| <= 2^18 the inner terms stay below 2^21, so r * frac (frac < 2^10)
 * fits int32. Result in Q21. */
static int32_t fx_hermite(int32_t y0, int32_t y1, int32_t g0, int32_t g1, int32_t frac, int ub)
{
    int32_t d = y1 - y0;
    int32_t r = g0 + g1 - 2 * d;
    r = 3 * d - 2 * g0 - g1 + fx_asr_round(r * frac, ub);
    /* The last two steps carry 12 - ub more fractional bits (2 for tanh, 4 for exp), so
     * rounding wobbles stay far below the function's change per input step where it is flat
     * (the results are monotone: tested exhaustively). This r is about the segment's mean
     * slope (<= 2^18) times 2^(12 - ub), so r * frac < 2^30. */
    r = g0 * (1 << (12 - ub)) + fx_asr_round(r * frac, 2 * ub - 12);
    return y0 + fx_asr_round(r * frac, 12);
}

/* p clamped to [0, 2^21] (1.0 in Q21), against a cubic's overshoot between rounded nodes. */
static uint32_t fx_unit_q21(int32_t p)
{
    return p < 0 ? 0u : p > (1 << 21) ? 1u << 21 : (uint32_t)p;
}

/* h tanh'(x) = (1 - tanh(x)^2) / 8 in Q21 from tanh(x) in Q21: 1 - t^2 in Q16 (t rounded
 * to Q16 and kept below 2^16 so t^2 fits uint32), times 2^5 / 8. Error <= 2 Q16 units of
 * slope, i.e. < 0.02 output LSB after interpolation. */
static int32_t fx_tanh_slope(uint32_t t_q21)
{
    uint32_t t = (t_q21 + 16u) >> 5;
    if (t > 65535u)
        t = 65535u;
    return (65536 - (int32_t)((t * t + 32768u) >> 16)) * 4;
}

/* tanh(a / 2^13) in Q21, in [0, 2^21], for a in [0, 65536] (Q3.13, [0, 8]). */
static uint32_t fx_tanh_pos_q21(uint32_t a)
{
    uint32_t k = a >> 10, t0, t1;
    if (k >= 64)
        return fx_tanh_q21[64];
    t0 = fx_tanh_q21[k];
    t1 = fx_tanh_q21[k + 1];
    return fx_unit_q21(fx_hermite((int32_t)t0, (int32_t)t1, fx_tanh_slope(t0), fx_tanh_slope(t1),
                                  (int32_t)(a & 1023u), 10));
}

int16_t lln_fx_tanh(int16_t x_q12)
{
    /* Q3.12 -> Q3.13; Q21 -> Q15 rounded (non-negative: half up = half away from zero);
     * odd symmetry exactly. */
    uint32_t mag = (fx_tanh_pos_q21(lln_fx__abs32(x_q12) << 1) + 32u) >> 6;
    int32_t t = mag > 32767u ? 32767 : (int32_t)mag;
    return (int16_t)(x_q12 < 0 ? -t : t);
}

int16_t lln_fx_sigmoid(int16_t x_q12)
{
    /* sigmoid(|x|) = (1 + tanh(|x|/2)) / 2: |x|/2 in Q3.13 has the same integer as |x| in
     * Q3.12, and (2^21 + p) / 2 in Q21 is (2^21 + p) / 2^7 in Q15. sigmoid(-x) = 1 -
     * sigmoid(x) exactly, so both halves have the same error. */
    uint32_t s = ((1u << 21) + fx_tanh_pos_q21(lln_fx__abs32(x_q12)) + 64u) >> 7;
    if (s > 32767u)
        s = 32767u; /* not reached for |x| <= 8 (s <= 32757); keeps 32768 - s >= 1 */
    return (int16_t)(x_q12 < 0 ? 32768u - s : s);
}

int16_t lln_fx_exp_neg(int16_t x_q11)
{
    uint32_t k, p;
    int32_t y0, y1;
    if (x_q11 <= 0)
        return 32767;         /* exp(0) = 1 and exp(-x) > 1 for x < 0: saturated */
    k = (uint32_t)x_q11 >> 8; /* nodes 1/8 apart: 256 units of Q4.11 */
    if (k >= 96)
        return 0; /* x >= 12: exp(-x) < 0.2 LSB */
    y0 = (int32_t)fx_exp_q21[k];
    y1 = (int32_t)fx_exp_q21[k + 1];
    /* exp' = -exp: the slopes h f' are the node values / 8, negated. */
    p = fx_unit_q21(fx_hermite(y0, y1, -fx_asr_round(y0, 3), -fx_asr_round(y1, 3),
                               (int32_t)((uint32_t)x_q11 & 255u), 8));
    p = (p + 32u) >> 6;
    return (int16_t)(p > 32767u ? 32767u : p);
}

/* tanh(k / 16) * 2^15 rounded (32767 at most), k = 0..128: the fast activations' nodes. */
const int16_t lln_fx_tanh_lut[129] = {
    0,     2045,  4075,  6073,  8025,  9919,  11743, 13486, 15143, 16706, 18173, 19542, 20813,
    21986, 23066, 24054, 24956, 25776, 26519, 27191, 27797, 28341, 28830, 29268, 29660, 30010,
    30322, 30600, 30847, 31067, 31262, 31435, 31589, 31726, 31846, 31953, 32048, 32132, 32206,
    32271, 32329, 32381, 32426, 32466, 32501, 32532, 32560, 32584, 32606, 32625, 32642, 32657,
    32670, 32681, 32691, 32700, 32708, 32715, 32721, 32727, 32732, 32736, 32740, 32743, 32746,
    32749, 32751, 32753, 32755, 32756, 32758, 32759, 32760, 32761, 32762, 32762, 32763, 32764,
    32764, 32765, 32765, 32765, 32766, 32766, 32766, 32766, 32767, 32767, 32767, 32767, 32767,
    32767, 32767, 32767, 32767, 32767, 32767, 32767, 32767, 32767, 32767, 32767, 32767, 32767,
    32767, 32767, 32767, 32767, 32767, 32767, 32767, 32767, 32767, 32767, 32767, 32767, 32767,
    32767, 32767, 32767, 32767, 32767, 32767, 32767, 32767, 32767, 32767, 32767, 32767,
};

/* sigmoid((k - 64) / 8) * 2^15 rounded half up (32767 at most), k = 0..128: the nodes of
 * lln_fx__sigmoid8_32, the CfC gate's sigmoid and (through 2 sigmoid(2x) - 1) tanh. */
const int16_t lln_fx_sigmoid8_nodes[129] = {
    11,    12,    14,    16,    18,    21,    23,    26,    30,    34,    38,    43,    49,
    56,    63,    72,    81,    92,    104,   118,   133,   151,   171,   194,   219,   248,
    281,   318,   360,   407,   461,   521,   589,   666,   753,   851,   961,   1084,  1223,
    1379,  1554,  1750,  1969,  2213,  2486,  2789,  3124,  3496,  3906,  4357,  4851,  5391,
    5978,  6613,  7297,  8031,  8813,  9641,  10513, 11424, 12371, 13348, 14347, 15361, 16384,
    17407, 18421, 19420, 20397, 21344, 22255, 23127, 23955, 24737, 25471, 26155, 26790, 27377,
    27917, 28411, 28862, 29272, 29644, 29979, 30282, 30555, 30799, 31018, 31214, 31389, 31545,
    31684, 31807, 31917, 32015, 32102, 32179, 32247, 32307, 32361, 32408, 32450, 32487, 32520,
    32549, 32574, 32597, 32617, 32635, 32650, 32664, 32676, 32687, 32696, 32705, 32712, 32719,
    32725, 32730, 32734, 32738, 32742, 32745, 32747, 32750, 32752, 32754, 32756, 32757,
};

/* sigmoid((k - 128) / 16) * 2^15 rounded (32767 at most), k = 0..257 (node 257 repeats
 * node 256 so x = 8 - 2^-12 interpolates inside the table): lln_fx_sigmoid_lut's nodes. */
const int16_t lln_fx_sigmoid_lut_nodes[258] = {
    11,    12,    12,    13,    14,    15,    16,    17,    18,    19,    21,    22,    23,
    25,    26,    28,    30,    32,    34,    36,    38,    41,    43,    46,    49,    52,
    56,    59,    63,    67,    72,    76,    81,    86,    92,    98,    104,   111,   118,
    125,   133,   142,   151,   161,   171,   182,   194,   206,   219,   233,   248,   264,
    281,   299,   318,   338,   360,   383,   407,   433,   461,   490,   521,   554,   589,
    627,   666,   708,   753,   800,   851,   904,   961,   1021,  1084,  1152,  1223,  1299,
    1379,  1464,  1554,  1649,  1750,  1856,  1969,  2088,  2213,  2346,  2486,  2633,  2789,
    2952,  3124,  3306,  3496,  3696,  3906,  4126,  4357,  4599,  4851,  5115,  5391,  5678,
    5978,  6289,  6613,  6949,  7297,  7658,  8031,  8416,  8813,  9221,  9641,  10072, 10513,
    10964, 11424, 11894, 12371, 12856, 13348, 13845, 14347, 14852, 15361, 15872, 16384, 16896,
    17407, 17916, 18421, 18923, 19420, 19912, 20397, 20874, 21344, 21804, 22255, 22696, 23127,
    23547, 23955, 24352, 24737, 25110, 25471, 25819, 26155, 26479, 26790, 27090, 27377, 27653,
    27917, 28169, 28411, 28642, 28862, 29072, 29272, 29462, 29644, 29816, 29979, 30135, 30282,
    30422, 30555, 30680, 30799, 30912, 31018, 31119, 31214, 31304, 31389, 31469, 31545, 31616,
    31684, 31747, 31807, 31864, 31917, 31968, 32015, 32060, 32102, 32141, 32179, 32214, 32247,
    32278, 32307, 32335, 32361, 32385, 32408, 32430, 32450, 32469, 32487, 32504, 32520, 32535,
    32549, 32562, 32574, 32586, 32597, 32607, 32617, 32626, 32635, 32643, 32650, 32657, 32664,
    32670, 32676, 32682, 32687, 32692, 32696, 32701, 32705, 32709, 32712, 32716, 32719, 32722,
    32725, 32727, 32730, 32732, 32734, 32736, 32738, 32740, 32742, 32743, 32745, 32746, 32747,
    32749, 32750, 32751, 32752, 32753, 32754, 32755, 32756, 32756, 32757, 32757,
};

/* lln_fx_sigmoid_lut_nodes in pairs (lln_fx.h): node k | (node k + 1 - node k) << 16, k = 0..255;
 * tests/test_fx.c checks it against the nodes and lln_fx_sigmoid_pk against lln_fx_sigmoid_lut
 * for every input. */
const uint32_t lln_fx_sigmoid_pk_nodes[256] = {
    0x0001000bu, 0x0000000cu, 0x0001000cu, 0x0001000du, 0x0001000eu, 0x0001000fu, 0x00010010u,
    0x00010011u, 0x00010012u, 0x00020013u, 0x00010015u, 0x00010016u, 0x00020017u, 0x00010019u,
    0x0002001au, 0x0002001cu, 0x0002001eu, 0x00020020u, 0x00020022u, 0x00020024u, 0x00030026u,
    0x00020029u, 0x0003002bu, 0x0003002eu, 0x00030031u, 0x00040034u, 0x00030038u, 0x0004003bu,
    0x0004003fu, 0x00050043u, 0x00040048u, 0x0005004cu, 0x00050051u, 0x00060056u, 0x0006005cu,
    0x00060062u, 0x00070068u, 0x0007006fu, 0x00070076u, 0x0008007du, 0x00090085u, 0x0009008eu,
    0x000a0097u, 0x000a00a1u, 0x000b00abu, 0x000c00b6u, 0x000c00c2u, 0x000d00ceu, 0x000e00dbu,
    0x000f00e9u, 0x001000f8u, 0x00110108u, 0x00120119u, 0x0013012bu, 0x0014013eu, 0x00160152u,
    0x00170168u, 0x0018017fu, 0x001a0197u, 0x001c01b1u, 0x001d01cdu, 0x001f01eau, 0x00210209u,
    0x0023022au, 0x0026024du, 0x00270273u, 0x002a029au, 0x002d02c4u, 0x002f02f1u, 0x00330320u,
    0x00350353u, 0x00390388u, 0x003c03c1u, 0x003f03fdu, 0x0044043cu, 0x00470480u, 0x004c04c7u,
    0x00500513u, 0x00550563u, 0x005a05b8u, 0x005f0612u, 0x00650671u, 0x006a06d6u, 0x00710740u,
    0x007707b1u, 0x007d0828u, 0x008508a5u, 0x008c092au, 0x009309b6u, 0x009c0a49u, 0x00a30ae5u,
    0x00ac0b88u, 0x00b60c34u, 0x00be0ceau, 0x00c80da8u, 0x00d20e70u, 0x00dc0f42u, 0x00e7101eu,
    0x00f21105u, 0x00fc11f7u, 0x010812f3u, 0x011413fbu, 0x011f150fu, 0x012c162eu, 0x0137175au,
    0x01441891u, 0x015019d5u, 0x015c1b25u, 0x01691c81u, 0x01751deau, 0x01811f5fu, 0x018d20e0u,
    0x0198226du, 0x01a42405u, 0x01af25a9u, 0x01b92758u, 0x01c32911u, 0x01cc2ad4u, 0x01d62ca0u,
    0x01dd2e76u, 0x01e53053u, 0x01ec3238u, 0x01f13424u, 0x01f63615u, 0x01f9380bu, 0x01fd3a04u,
    0x01ff3c01u, 0x02003e00u, 0x02004000u, 0x01ff4200u, 0x01fd43ffu, 0x01f945fcu, 0x01f647f5u,
    0x01f149ebu, 0x01ec4bdcu, 0x01e54dc8u, 0x01dd4fadu, 0x01d6518au, 0x01cc5360u, 0x01c3552cu,
    0x01b956efu, 0x01af58a8u, 0x01a45a57u, 0x01985bfbu, 0x018d5d93u, 0x01815f20u, 0x017560a1u,
    0x01696216u, 0x015c637fu, 0x015064dbu, 0x0144662bu, 0x0137676fu, 0x012c68a6u, 0x011f69d2u,
    0x01146af1u, 0x01086c05u, 0x00fc6d0du, 0x00f26e09u, 0x00e76efbu, 0x00dc6fe2u, 0x00d270beu,
    0x00c87190u, 0x00be7258u, 0x00b67316u, 0x00ac73ccu, 0x00a37478u, 0x009c751bu, 0x009375b7u,
    0x008c764au, 0x008576d6u, 0x007d775bu, 0x007777d8u, 0x0071784fu, 0x006a78c0u, 0x0065792au,
    0x005f798fu, 0x005a79eeu, 0x00557a48u, 0x00507a9du, 0x004c7aedu, 0x00477b39u, 0x00447b80u,
    0x003f7bc4u, 0x003c7c03u, 0x00397c3fu, 0x00357c78u, 0x00337cadu, 0x002f7ce0u, 0x002d7d0fu,
    0x002a7d3cu, 0x00277d66u, 0x00267d8du, 0x00237db3u, 0x00217dd6u, 0x001f7df7u, 0x001d7e16u,
    0x001c7e33u, 0x001a7e4fu, 0x00187e69u, 0x00177e81u, 0x00167e98u, 0x00147eaeu, 0x00137ec2u,
    0x00127ed5u, 0x00117ee7u, 0x00107ef8u, 0x000f7f08u, 0x000e7f17u, 0x000d7f25u, 0x000c7f32u,
    0x000c7f3eu, 0x000b7f4au, 0x000a7f55u, 0x000a7f5fu, 0x00097f69u, 0x00097f72u, 0x00087f7bu,
    0x00077f83u, 0x00077f8au, 0x00077f91u, 0x00067f98u, 0x00067f9eu, 0x00067fa4u, 0x00057faau,
    0x00057fafu, 0x00047fb4u, 0x00057fb8u, 0x00047fbdu, 0x00047fc1u, 0x00037fc5u, 0x00047fc8u,
    0x00037fccu, 0x00037fcfu, 0x00037fd2u, 0x00027fd5u, 0x00037fd7u, 0x00027fdau, 0x00027fdcu,
    0x00027fdeu, 0x00027fe0u, 0x00027fe2u, 0x00027fe4u, 0x00017fe6u, 0x00027fe7u, 0x00017fe9u,
    0x00017feau, 0x00027febu, 0x00017fedu, 0x00017feeu, 0x00017fefu, 0x00017ff0u, 0x00017ff1u,
    0x00017ff2u, 0x00017ff3u, 0x00007ff4u, 0x00017ff4u,
};

/* ---- dot product ------------------------------------------------------------------------ */

int32_t lln_fx_dot_s8_s16_ref(const int8_t *w, const int16_t *x, int n)
{
    uint32_t acc = 0; /* modulo 2^32, like SMLAD's accumulator */
    int i;
    for (i = 0; i < n; i++)
        acc += (uint32_t)((int32_t)w[i] * x[i]); /* |product| <= 2^22: exact */
    return fx_u2s(acc);
}

#ifdef LLN_FX_DSP
int32_t lln_fx_dot_s8_s16(const int8_t *w, const int16_t *x, int n)
{
    int32_t acc = 0;
    int i = 0;
    /* Four MACs per iteration (CMSIS-NN's scheme): one LDR of four int8 weights, SXTB16
     * sign-extends lanes (w0, w2) and, after a rotate by 8, (w1, w3); the activations
     * (x0, x1), (x2, x3) are read as words (memcpy: no alignment assumption, one LDR each;
     * x[i] lands in the low half on little-endian cores) and regrouped into (x0, x2) and
     * (x1, x3) (PKHBT / PKHTB). SMLAD adds both products to the accumulator modulo 2^32 and
     * the order of the additions does not change a modular sum, so the result is the
     * reference's bit for bit. */
    for (; i + 4 <= n; i += 4) {
        uint32_t w4, x01, x23;
        memcpy(&w4, w + i, sizeof w4);
        memcpy(&x01, x + i, sizeof x01);
        memcpy(&x23, x + i + 2, sizeof x23);
        int32_t w02 = __sxtb16(fx_u2s(w4)), w13 = __sxtb16(fx_u2s((w4 >> 8) | (w4 << 24)));
        acc = __smlad(w02, fx_u2s((x01 & 0xFFFFu) | (x23 << 16)), acc);
        acc = __smlad(w13, fx_u2s((x01 >> 16) | (x23 & 0xFFFF0000u)), acc);
    }
    for (; i < n; i++)
        acc = fx_u2s((uint32_t)acc + (uint32_t)((int32_t)w[i] * x[i]));
    return acc;
}
#else
int32_t lln_fx_dot_s8_s16(const int8_t *w, const int16_t *x, int n)
{
    return lln_fx_dot_s8_s16_ref(w, x, n);
}
#endif

/* ---- interleaved dot product ------------------------------------------------------------- */

void lln_fx_interleave4(const int8_t *src, int8_t *dst, int n)
{
    int i = 0;
    for (; i + 4 <= n; i += 4) {
        dst[i] = src[i];
        dst[i + 1] = src[i + 2];
        dst[i + 2] = src[i + 1];
        dst[i + 3] = src[i + 3];
    }
    for (; i < n; i++)
        dst[i] = src[i];
}

int32_t lln_fx_dot_s8i_s16_ref(const int8_t *w, const int16_t *x, int n)
{
    uint32_t acc = 0; /* modulo 2^32, like SMLAD's accumulator */
    int i = 0;
    for (; i + 4 <= n; i += 4)
        acc += (uint32_t)((int32_t)w[i] * x[i]) + (uint32_t)((int32_t)w[i + 2] * x[i + 1]) +
               (uint32_t)((int32_t)w[i + 1] * x[i + 2]) + (uint32_t)((int32_t)w[i + 3] * x[i + 3]);
    for (; i < n; i++)
        acc += (uint32_t)((int32_t)w[i] * x[i]);
    return fx_u2s(acc);
}
