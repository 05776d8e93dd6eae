/* libFuzzer target for the device database parser and the energy model (src/profile/devices.c,
 * src/profile/profile.c).
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -Iinclude -Isrc tools/fuzz_devices.c \
 *         build/liblln.a -lz -lpthread -lm -o fuzz_devices
 *   mkdir -p corpus && ./fuzz_devices -max_total_time=60 -max_len=16384 corpus \
 *         tests/corpus/devices
 *
 * Checked:
 *   - a failure leaves the database empty and names the input ("fuzz:" prefix);
 *   - a success holds at least one device, each with every required figure tagged R/D/S/U,
 *     positive clock, CPI in (0, 100], and a default sleep mode that exists (or "none");
 *   - the model runs on every device and sleep mode without failing, and its times and
 *     energies are not negative. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lln/profile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(int ok, const char *what)
{
    if (!ok) {
        fprintf(stderr, "fuzz_devices: %s\n", what);
        abort();
    }
}

static int tagged(const lln_figure_t *f) { return f->trust && strchr("RDSU", f->trust); }

static void check_device(const lln_device_t *d)
{
    check(tagged(&d->clock_mhz) && tagged(&d->voltage_v) && tagged(&d->active_mw) &&
              tagged(&d->flash_bytes) && tagged(&d->ram_bytes) && tagged(&d->fpu) &&
              tagged(&d->cpi),
          "a device without a required tagged figure");
    check(d->clock_mhz.value > 0 && d->cpi.value > 0 && d->cpi.value <= 100, "figure range");
    check(d->default_sleep[0] == '\0' || strcmp(d->default_sleep, "none") == 0 ||
              lln_device_sleep(d, NULL) != NULL,
          "default sleep mode missing");
    for (int k = -1; k < d->nsleep; k++) {
        lln_profile_in_t in = {1000, 100, 100, 10, k < 0 ? "none" : d->sleep[k].name, 1};
        lln_profile_t p;
        check(lln_profile_compute(d, &in, &p, NULL) == LLN_OK, "profile failed");
        check(p.cycles >= 0 && p.latency_us >= 0 && p.energy_uj >= 0 && p.wake_us >= 0 &&
                  !(p.period_uj < 0),
              "negative time or energy");
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    lln_devices_t db;
    lln_error_t err = {LLN_OK, ""};
    lln_status_t st = lln_devices_parse((const char *)data, size, "fuzz", &db, &err);
    if (st != LLN_OK) {
        check(db.count == 0 && db.dev == NULL, "a failure left devices behind");
        check(err.code == st && strncmp(err.msg, "fuzz", 4) == 0, "message does not name input");
        return 0;
    }
    check(db.count > 0 && db.dev != NULL, "success without a device");
    for (size_t i = 0; i < db.count; i++)
        check_device(&db.dev[i]);
    lln_devices_free(&db);
    return 0;
}
