/* The energy estimate of `lln train --energy-budget-mw` (see energy_estimate.h): an analytic
 * instruction count fed to the same energy model and device database as `lln profile`. */
#include "energy_estimate.h"

#include <string.h>

const cli_energy_coeffs_t *cli_energy_coeffs_find(const char *target)
{
    for (int i = 0; target != NULL && i < cli_energy_ncoeffs; i++)
        if (strcmp(cli_energy_coeffs[i].target, target) == 0)
            return &cli_energy_coeffs[i];
    return NULL;
}

double cli_energy_instructions(const cli_energy_coeffs_t *coef, const lln_model_t *m)
{
    lln_model_stats_t st;
    lln_model_stats(m, &st);
    const lln_config_t *cfg = lln_model_config(m);
    /* the per-neuron work of the two cells differs: the LTC's fused ODE solver runs
     * ode_unfolds times per step, a CfC neuron evaluates its closed form once */
    double ltc = cfg->cell == LLN_CELL_LTC ? (double)cfg->units * cfg->ode_unfolds : 0.0;
    double cfc = cfg->cell == LLN_CELL_LTC ? 0.0 : (double)cfg->units;
    double n = coef->a * (double)st.macs + coef->b * (double)st.transcendentals +
               coef->c_ltc * ltc + coef->c_cfc * cfc + coef->d;
    /* a fit may go below the smallest models it saw: never fewer than one instruction */
    return n < 1.0 ? 1.0 : n;
}

lln_status_t cli_energy_estimate(const lln_model_t *m, void *ctx, double *mw)
{
    const cli_energy_ctx_t *c = ctx;
    lln_profile_in_t in = {cli_energy_instructions(c->coef, m), 0, 0, c->rate_hz, NULL, 0};
    lln_profile_t p;
    lln_error_t err = {LLN_OK, ""};
    lln_status_t st = lln_profile_compute(c->device, &in, &p, &err);
    if (st != LLN_OK)
        return st;
    if (!p.rate_ok)
        return LLN_E_RANGE;
    *mw = p.avg_power_mw;
    return LLN_OK;
}
