/* liquid-edge fixed-point math, host-only helpers (they use double; the firmware never needs
 * them: the exporter bakes their results into the model tables). No libm: scaling by 2 is
 * exact in binary floating point. */
#include "lln_fx.h"

int lln_fx_quantize_multiplier(double scale, int32_t *multiplier_q31, int *shift)
{
    double frac = scale;
    int e = 0; /* scale = frac * 2^e */
    int64_t q;
    if (!(scale >= 0.0) || scale >= 2147483648.0) /* negative, NaN, +inf or >= 2^31 */
        return -1;
    if (scale == 0.0) {
        *multiplier_q31 = 0;
        *shift = 0;
        return 0;
    }
    while (frac >= 1.0) {
        frac *= 0.5;
        e++;
    }
    while (frac < 0.5 && e > -31) { /* stop at shift 31: smaller scales get a smaller multiplier */
        frac *= 2.0;
        e--;
    }
    /* multiplier = round(frac * 2^31), half away from zero (frac > 0) */
    q = (int64_t)(frac * 2147483648.0 + 0.5);
    if (q >= (int64_t)1 << 31) { /* frac rounded up to 1.0 */
        q >>= 1;
        e++;
    }
    if (e > 31) /* only reachable for scale just below 2^31 rounding up to it */
        return -1;
    *multiplier_q31 = (int32_t)q;
    *shift = -e;
    return 0;
}
