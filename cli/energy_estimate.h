/* The CLI's side of the energy estimate of `lln train --energy-budget-mw`: the estimate itself
 * is the library's (lln_energy_cost() and lln_energy_instructions() in lln/profile.h: an
 * analytic instruction count per step with per-target fitted coefficients, then
 * lln_profile_compute() on a device of the database, exactly as `lln profile` does); here are
 * the loading of the device database and the check of the estimate under QEMU. */
#ifndef LLN_CLI_ENERGY_ESTIMATE_H
#define LLN_CLI_ENERGY_ESTIMATE_H

#include "lln/profile.h"

/* Parses the database FILE, or the built-in one for NULL (as `lln profile --devices`); prints
 * "lln CMD: ..." and returns 0 on an error. */
int cli_devices_load(const char *cmd, const char *file, lln_devices_t *db);

/* "id1, id2, ..." of every device, for error messages. */
void cli_devices_known(const lln_devices_t *db, char *buf, size_t cap);

struct lln_dataset;
/* Quantizes a copy of m on (up to 64 of) the training windows of ds, builds and runs it under
 * QEMU for c->device's target (verify_run.h) and prints the measured instructions and power
 * next to the estimate (est_mw), and a warning when the measured power exceeds budget_mw.
 * Without the cross tools or QEMU: says so loudly on stderr. 1 when measured. */
int cli_energy_measure(const lln_energy_ctx_t *c, const lln_model_t *m,
                       const struct lln_dataset *ds, double est_mw, double budget_mw);

#endif
