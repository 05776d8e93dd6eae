/* The energy model of `lln profile` (docs/ENERGY.md): instructions per step from the emulator,
 * times the core's cycles-per-instruction figure, at the device's clock and active power,
 * with the chosen sleep mode and its wake-up between steps. */
#include <stdio.h>
#include <string.h>

#include "lln/profile.h"

static int weak(const lln_figure_t *f) { return f->trust == 'S' || f->trust == 'U'; }

/* Which inputs of this profile rest on secondary or unverified figures only. */
static unsigned weak_bits(const lln_device_t *d, const lln_sleep_mode_t *s)
{
    unsigned b = 0;
    b |= weak(&d->clock_mhz) ? LLN_FIG_CLOCK : 0u;
    b |= weak(&d->active_mw) ? LLN_FIG_ACTIVE : 0u;
    b |= weak(&d->cpi) ? LLN_FIG_CPI : 0u;
    b |= weak(&d->flash_bytes) || weak(&d->ram_bytes) ? LLN_FIG_MEMORY : 0u;
    if (s != NULL) {
        b |= weak(&s->power_uw) || weak(&s->retains_ram) ? LLN_FIG_SLEEP : 0u;
        b |= weak(&s->wake_us) || (s->wake_uj.trust && weak(&s->wake_uj)) ? LLN_FIG_WAKE : 0u;
    }
    return b;
}

static lln_status_t sleep_unknown(const lln_device_t *d, const char *mode, lln_error_t *err)
{
    char list[LLN_DEV_SLEEP_MAX * LLN_DEV_NAME_MAX + 16];
    size_t n = 0;
    for (int i = 0; i < d->nsleep; i++)
        n += (size_t)snprintf(list + n, sizeof list - n, "%s, ", d->sleep[i].name);
    snprintf(list + n, sizeof list - n, "none");
    return lln_error_set(err, LLN_E_NOTFOUND, "device '%s' has no sleep mode '%s' (modes: %s)",
                         d->id, mode, list);
}

lln_status_t lln_profile_compute(const lln_device_t *d, const lln_profile_in_t *in,
                                 lln_profile_t *out, lln_error_t *err)
{
    if (d == NULL || in == NULL || out == NULL)
        return lln_error_set(err, LLN_E_ARG, "lln_profile_compute: NULL argument");
    if (!(in->instructions > 0) || !(in->rate_hz > 0) || !(in->flash_bytes >= 0) ||
        !(in->ram_bytes >= 0))
        return lln_error_set(err, LLN_E_ARG,
                             "lln_profile_compute: instructions (%g) and rate (%g Hz) must be > 0, "
                             "flash (%g) and RAM (%g) >= 0",
                             in->instructions, in->rate_hz, in->flash_bytes, in->ram_bytes);
    memset(out, 0, sizeof *out);
    const char *mode = in->sleep && *in->sleep ? in->sleep : d->default_sleep;
    const lln_sleep_mode_t *s = NULL;
    if (*mode != '\0' && strcmp(mode, "none") != 0 && (s = lln_device_sleep(d, mode)) == NULL)
        return sleep_unknown(d, mode, err);
    double p_active = d->active_mw.value; /* mW */
    out->cpi = d->cpi.value;
    out->cycles = in->instructions * out->cpi;
    out->latency_us = out->cycles / d->clock_mhz.value; /* cycles / (cycles per µs) */
    out->energy_uj = out->latency_us * p_active * 1e-3; /* µs × mW = nJ */
    out->sleep = s;
    if (s != NULL) {
        out->wake_us = s->wake_us.value;
        /* Without a measured figure the wake-up is charged at full active power: an upper
         * bound, since the clock tree is still starting. */
        out->wake_uj = s->wake_uj.trust ? s->wake_uj.value : out->wake_us * p_active * 1e-3;
        out->sleep_uw = s->power_uw.value;
        out->retains_state = s->retains_ram.value != 0;
    } else {
        out->sleep_uw = p_active * 1e3; /* "none": awake and idle at active power */
        out->retains_state = 1;
    }
    double period_us = 1e6 / in->rate_hz, busy_us = out->latency_us + out->wake_us;
    out->max_rate_hz = 1e6 / busy_us;
    out->rate_ok = busy_us <= period_us;
    out->sleep_us = out->rate_ok ? period_us - busy_us : 0;
    out->period_uj = out->energy_uj + out->wake_uj + out->sleep_uw * 1e-3 * out->sleep_us * 1e-3;
    /* µJ × 1/s = µW; at an unsustainable rate the core never sleeps (and still falls behind) */
    out->avg_power_mw = out->rate_ok ? out->period_uj * in->rate_hz * 1e-3 : p_active;
    out->fits_flash = in->flash_bytes <= d->flash_bytes.value;
    out->fits_ram = in->ram_bytes <= d->ram_bytes.value;
    out->within_budget = -1;
    if (in->budget_mw > 0) {
        out->margin_mw = in->budget_mw - out->avg_power_mw;
        out->within_budget = out->rate_ok && out->margin_mw >= 0;
    }
    out->weak = weak_bits(d, s);
    return LLN_OK;
}
