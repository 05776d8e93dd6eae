/* LaserScan binning (see scan_bins.h). */
#include "scan_bins.h"

#include <math.h>

int scan_bins(const float *ranges, size_t n, float range_min, float range_max, int bins, float *out,
              size_t *ignored)
{
    if (n == 0 || bins < 1 || !isfinite(range_min) || !isfinite(range_max) || range_min < 0 ||
        !(range_min < range_max))
        return -1;
    size_t bad = 0;
    for (int b = 0; b < bins; b++)
        out[b] = range_max;
    for (size_t i = 0; i < n; i++) {
        float r = ranges[i];
        if (isnan(r)) {
            bad++;
            continue;
        }
        if (isinf(r))
            r = r > 0 ? range_max : range_min;
        else if (r < range_min || r > range_max) {
            bad++;
            continue;
        }
        /* i * bins / n without overflow for any n a message can hold */
        size_t b = (size_t)(((unsigned long long)i * (unsigned)bins) / n);
        if (r < out[b])
            out[b] = r;
    }
    if (ignored != NULL)
        *ignored = bad;
    return 0;
}
