/* Reducing a sensor_msgs/LaserScan to a few model inputs, with REP 117's meaning of special
 * range values. No DDS here (unit-tested by tests/ros2/test_scan_bins.c). */
#ifndef LLN_ROS2_SCAN_BINS_H
#define LLN_ROS2_SCAN_BINS_H

#include <stddef.h>

/* Splits ranges[0..n-1] into `bins` consecutive sectors of (nearly) equal count (reading i
 * falls in sector i * bins / n) and writes the nearest obstacle of each sector to out[]:
 *   finite r in [range_min, range_max]  a measurement;
 *   +inf                                no return within range: counts as range_max;
 *   -inf                                too close to measure: counts as range_min;
 *   NaN, or finite r outside the limits invalid reading: ignored.
 * A sector with no usable reading reads range_max (nothing seen). Returns 0, or -1 when the
 * geometry is unusable (n == 0, bins < 1, range limits not finite or not 0 <= min < max);
 * *ignored (may be NULL) gets the number of ignored readings. */
int scan_bins(const float *ranges, size_t n, float range_min, float range_max, int bins, float *out,
              size_t *ignored);

#endif
