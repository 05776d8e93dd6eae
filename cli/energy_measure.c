/* The end of `lln train --energy-budget-mw`: the device database, and the final model
 * profiled for real (quantized in-process, built and run under QEMU as `lln profile` does) to
 * compare the estimate the loop trained against with the measured power. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "lln/export.h"
#include "energy_estimate.h"
#include "lln/util.h"
#include "lln/data.h"
#include "lln/format.h"
#include "lln/quant.h"
#include "toolchain.h"
#include "verify_run.h"

/* The line (1-based) of the first "target" key at or after line `from` of text, or `from`. */
static int target_line(const char *text, size_t len, int from)
{
    int line = 1;
    for (size_t i = 0; i < len; i++) {
        if (line >= from && (i == 0 || text[i - 1] == '\n')) {
            size_t j = i;
            while (j < len && (text[j] == ' ' || text[j] == '\t'))
                j++;
            if (j + 6 <= len && strncmp(text + j, "target", 6) == 0)
                return line;
        }
        line += text[i] == '\n';
    }
    return from;
}

/* Every device's target must be one lln export knows, or the first export would fail far from
 * the database: checked here (the device layer does not know the export layer), at the
 * target key's file:line. */
static int targets_known(const char *cmd, const lln_devices_t *db, const char *origin,
                         const char *text, size_t len)
{
    for (size_t i = 0; i < db->count; i++) {
        const lln_device_t *d = &db->dev[i];
        char known[512] = "";
        int found = 0;
        for (const char *const *t = lln_export_targets(); *t != NULL && !found; t++) {
            size_t k = strlen(known);
            found = strcmp(*t, d->target) == 0;
            snprintf(known + k, sizeof known - k, "%s%s", k ? ", " : "", *t);
        }
        if (!found) {
            cli_error(cmd, "%s:%d: key 'target': '%s' is not a target of lln export (%s)", origin,
                      target_line(text, len, d->line), d->target, known);
            return 0;
        }
    }
    return 1;
}

int cli_devices_load(const char *cmd, const char *file, lln_devices_t *db)
{
    lln_error_t err = {LLN_OK, ""};
    unsigned char *buf = NULL;
    size_t len = 0;
    const char *text;
    if (file != NULL) {
        if (lln_read_file(file, &buf, &len, &err) != LLN_OK) {
            cli_error(cmd, "%s", err.msg);
            return 0;
        }
        text = (const char *)buf;
    } else {
        text = lln_devices_builtin(&len);
    }
    const char *origin = file ? file : "built-in devices.txt";
    lln_status_t st = lln_devices_parse(text, len, origin, db, &err);
    if (st != LLN_OK)
        cli_error(cmd, "%s", err.msg);
    int ok = st == LLN_OK && targets_known(cmd, db, origin, text, len);
    free(buf);
    if (st == LLN_OK && !ok)
        lln_devices_free(db);
    return ok;
}

void cli_devices_known(const lln_devices_t *db, char *buf, size_t cap)
{
    buf[0] = '\0';
    for (size_t i = 0; i < db->count; i++) {
        size_t k = strlen(buf);
        snprintf(buf + k, cap - k, "%s%s", k ? ", " : "", db->dev[i].id);
    }
}

/* Calibrates a copy of m on (at most 64 of) the training windows, as `lln quantize` does. */
static lln_model_t *quantized_copy(const lln_model_t *m, const lln_dataset_t *ds, lln_error_t *err)
{
    unsigned char *bytes;
    size_t nbytes;
    lln_model_t *q = NULL;
    if (lln_model_save_mem(m, &bytes, &nbytes, err) != LLN_OK)
        return NULL;
    lln_status_t st = lln_model_load_mem(bytes, nbytes, "model", &q, err);
    free(bytes);
    if (st != LLN_OK)
        return NULL;
    lln_dataset_info_t in;
    lln_dataset_info(ds, &in);
    size_t n = lln_dataset_split_windows(ds, LLN_TRAIN, NULL);
    size_t *idx = malloc((n ? n : 1) * sizeof *idx);
    size_t take = n < 64 ? n : 64, T = (size_t)in.window_length;
    double *x = malloc((take ? take : 1) * T * (size_t)in.inputs * sizeof *x);
    double *dt = malloc((take ? take : 1) * T * sizeof *dt);
    int ok = idx != NULL && x != NULL && dt != NULL && n > 0;
    if (ok) {
        lln_dataset_split_windows(ds, LLN_TRAIN, idx);
        /* cppcheck-suppress knownConditionTrueFalse ; take > 0 here: ok needs n > 0 */
        for (size_t k = 0; k < take; k++) /* spread over the whole training set */
            idx[k] = idx[k * n / take];
        ok = lln_dataset_gather(ds, idx, (int)take, LLN_F64, x, dt, NULL, NULL, err) == LLN_OK &&
             lln_quant_calibrate(q, (int)take, (int)T, x, dt, err) == LLN_OK;
    } else if (err->msg[0] == '\0') {
        snprintf(err->msg, sizeof err->msg, "%s", n ? "out of memory" : "no training windows");
    }
    free(idx), free(x), free(dt);
    if (!ok) {
        lln_model_free(q);
        return NULL;
    }
    return q;
}

int cli_energy_measure(const lln_energy_ctx_t *c, const lln_model_t *m, const lln_dataset_t *ds,
                       double est_mw, double budget_mw)
{
    const lln_device_t *d = c->device;
    double est_insn = lln_energy_instructions(c->coef, m);
    if (!toolchain_check_target("train", d->target)) {
        fprintf(stderr,
                "lln train: SKIPPED (loud): the final model was not profiled on %s: the cross "
                "tools or QEMU for %s are missing; the power above is the estimate only "
                "(install: sh scripts/deps.sh sim)\n",
                d->id, d->target);
        return 0;
    }
    lln_error_t err = {LLN_OK, ""};
    lln_model_t *q = quantized_copy(m, ds, &err);
    if (q == NULL) {
        cli_error("train", "quantizing the final model for its profile: %s", err.msg);
        return 0;
    }
    verify_job_t job = {"train", d->target, NULL, NULL, 24, 0, NULL};
    verify_result_t r;
    int ok = verify_model(q, &job, &r) && r.regions > 0;
    lln_model_free(q);
    if (!ok) {
        cli_error("train",
                  "the firmware of the final model did not build, run or match on %s "
                  "(`lln quantize` then `lln verify --target %s` shows the details)",
                  d->target, d->target);
        return 0;
    }
    long per_step = r.insn_sum / r.regions; /* rounded down, as lln verify prints */
    double insn = (double)per_step;
    lln_profile_in_t in = {insn,
                           (double)r.flash_rt,
                           (double)(r.sizes.state_bytes + r.sizes.scratch_bytes),
                           c->rate_hz,
                           NULL,
                           0};
    lln_profile_t p;
    if (lln_profile_compute(d, &in, &p, &err) != LLN_OK) {
        cli_error("train", "%s: %s", d->id, err.msg);
        return 0;
    }
    printf("measured   %s on %s: %.0f instructions per step under QEMU (estimate %.0f, %+.1f%%); "
           "%.4g mW at %g Hz (estimate %.4g mW, %+.1f%%); flash %ld B, RAM %.0f B%s\n",
           d->id, d->target, insn, est_insn, 100.0 * (est_insn / insn - 1.0), p.avg_power_mw,
           c->rate_hz, est_mw, 100.0 * (est_mw / p.avg_power_mw - 1.0), r.flash_rt, in.ram_bytes,
           p.fits_flash && p.fits_ram ? "" : " (DOES NOT FIT)");
    if (!d->emulated)
        printf("measured   ESTIMATED: no emulator for the %s core of %s; instructions counted on "
               "%s, the nearest emulated core\n",
               d->core, d->id, d->target);
    if (p.avg_power_mw > budget_mw || !p.rate_ok)
        printf("measured   WARNING: the measured power is over the %g mW budget: the estimate "
               "was optimistic for this model; retrain with a lower --energy-budget-mw\n",
               budget_mw);
    return 1;
}
