/* energy_mlperf: the energy model of `lln profile` (lln_profile_compute on the built-in device
 * database) applied to a measured instruction count, beside a measured energy per inference.
 *
 *   energy_mlperf DEVICE INSTRUCTIONS MEASURED_UJ MEASURED_INF_PER_S [CYCLES TRUST]
 *
 * With CYCLES (the QEMU plugin's cycle estimate of the same run, sim/insncount.c) the CPI is
 * CYCLES / INSTRUCTIONS with trust tag TRUST (D or U), as `lln profile` takes it on the cores
 * with a timing model; without, the database's cpi.
 *
 * Prints one Markdown table row: device, instructions, the model's CPI, cycles, latency and
 * energy per inference (the step alone, no sleep), its active power, the measured energy,
 * the measured latency (1 / throughput of the performance run) and power (energy / latency),
 * and estimate / measured for energy, latency and power. bench/mcu/mlperf_energy.sh calls it
 * with the QEMU count of our int8 autoencoder and MLPerf Tiny's published measurements. Exit
 * status 0, 1 on a bad argument or an unknown device (the message says which). */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lln/profile.h"

static int number(const char *what, const char *s, double *v)
{
    char *end;
    errno = 0;
    *v = strtod(s, &end);
    if (errno != 0 || end == s || *end != '\0' || !isfinite(*v) || *v <= 0) {
        fprintf(stderr, "energy_mlperf: %s '%s': want a positive number\n", what, s);
        return 0;
    }
    return 1;
}

int main(int argc, char **argv)
{
    if (argc != 5 && argc != 7) {
        fprintf(stderr, "usage: energy_mlperf DEVICE INSTRUCTIONS MEASURED_UJ "
                        "MEASURED_INF_PER_S [CYCLES TRUST]\n");
        return 1;
    }
    double insn, uj, ips, cycles = 0;
    if (!number("INSTRUCTIONS", argv[2], &insn) || !number("MEASURED_UJ", argv[3], &uj) ||
        !number("MEASURED_INF_PER_S", argv[4], &ips) ||
        (argc == 7 && !number("CYCLES", argv[5], &cycles)))
        return 1;
    if (argc == 7 && (strlen(argv[6]) != 1 || !strchr("RDSU", argv[6][0]))) {
        fprintf(stderr, "energy_mlperf: TRUST '%s': want one of R, D, S, U\n", argv[6]);
        return 1;
    }
    size_t len;
    const char *text = lln_devices_builtin(&len);
    lln_devices_t db;
    lln_error_t err;
    if (lln_devices_parse(text, len, "devices.txt", &db, &err) != LLN_OK) {
        fprintf(stderr, "energy_mlperf: %s\n", err.msg);
        return 1;
    }
    const lln_device_t *found = lln_devices_find(&db, argv[1]);
    if (found == NULL) {
        fprintf(stderr, "energy_mlperf: unknown device '%s'\n", argv[1]);
        lln_devices_free(&db);
        return 1;
    }
    static lln_device_t dev; /* large: not on the stack */
    dev = *found;
    if (cycles > 0) {
        dev.cpi.value = cycles / insn;
        dev.cpi.trust = argv[6][0];
    }
    const lln_device_t *d = &dev;
    lln_profile_in_t in = {insn, 0, 0, 1.0, "none", 0};
    lln_profile_t p;
    if (lln_profile_compute(d, &in, &p, &err) != LLN_OK) {
        fprintf(stderr, "energy_mlperf: %s: %s\n", argv[1], err.msg);
        lln_devices_free(&db);
        return 1;
    }
    double lat_us = 1e6 / ips, mw = uj / lat_us * 1e3, est_mw = p.energy_uj / p.latency_us * 1e3;
    printf("| %s | %.0f | %.2f [%c] | %.0f | %.2f | %.1f [%c] | %.1f | %.2f | %.2f | %.1f | %.2f | "
           "%.2f | "
           "%.2f |\n",
           d->id, insn, p.cpi, d->cpi.trust ? d->cpi.trust : '-', p.cycles, p.latency_us * 1e-3,
           est_mw, d->active_mw.trust ? d->active_mw.trust : '-', p.energy_uj, uj, lat_us * 1e-3,
           mw, p.energy_uj / uj, p.latency_us / lat_us, est_mw / mw);
    lln_devices_free(&db);
    return 0;
}
