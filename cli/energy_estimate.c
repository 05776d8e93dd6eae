/* PROVISIONAL energy estimate (see energy_estimate.h). Replace with include/lln/profile.h.
 *
 * Instructions per step of the int8/int16 fixed-point runtime on a Cortex-M4 are modelled as
 * a MACs + b transcendentals + c. The coefficients solve the three equations given by the
 * measured QEMU counts of docs/HARDWARE.md (section "Fixed point", target cortex-m4) for the
 * three reference models, whose counts come from `lln info`:
 *     LTC AutoNCP(19,4)  1174 MACs, 305 transcendentals -> 19649 instructions
 *     wired CfC (19,4)    980 MACs,  57 transcendentals -> 12189 instructions
 *     CfC 32 / 1x64     10752 MACs, 160 transcendentals -> 43679 instructions
 * giving a = 2.930, b = 27.79, c = 7734 (c absorbs every per-neuron and per-call cost, so the
 * model overstates the fixed part of small models and cannot see neurons removed).
 * Cycles = instructions (CPI 1: an assumption, no measured CPI yet).
 * Power, /work/shared/docs/energy-data.md section 1, at rate r with period T = 1/r:
 *     E_step = t_act P_active + P_sleep (T - t_act) (+ E_wake, no figure: 0),  P = r E_step
 * STM32L4R5 (Cortex-M4, 120 MHz): P_active = 74.5 mW, the mean of the four MLPerf Tiny
 * X-CUBE-AI derived figures of section 3 (69.8, 78.0, 75.4, 74.9 mW); P_sleep = 0.010 mW,
 * the "Stop-2-class retention floor (a few uA ~ 10 uW)" of section 4 (unverified there). */
#include "energy_estimate.h"

#include <string.h>

int cli_energy_device_known(const char *device)
{
    return device != NULL && strcmp(device, "stm32l4r5") == 0;
}

lln_status_t cli_energy_estimate(const lln_model_t *m, void *ctx, double *mw)
{
    const cli_energy_ctx_t *c = ctx;
    const double a = 2.930, b = 27.79, k = 7734.0;            /* instructions, Cortex-M4 */
    const double f_hz = 120e6, p_act = 74.5, p_sleep = 0.010; /* STM32L4R5, mW */
    lln_model_stats_t st;
    lln_model_stats(m, &st);
    double t_act = (a * (double)st.macs + b * (double)st.transcendentals + k) / f_hz;
    double period = 1.0 / c->rate_hz;
    if (t_act > period)
        return LLN_E_RANGE;
    *mw = c->rate_hz * (t_act * p_act + p_sleep * (period - t_act));
    return LLN_OK;
}
