/** @file
 * liquid-edge: device database and energy model (`lln profile`).
 *
 * A device database is a text file (format in docs/ENERGY.md; the built-in one is
 * share/devices.txt, embedded at build time): per microcontroller its clock, supply voltage,
 * active power, sleep modes, memory, FPU and cycles-per-instruction figure, every figure with
 * its source and a trust tag (R, D, S, U). lln_profile_compute() turns an instruction count
 * per step (measured under QEMU by `lln verify`) into cycles, latency, energy per step and
 * average power at a step rate with sleep between steps. Pure functions: no global state,
 * no I/O.
 */
#ifndef LLN_PROFILE_H
#define LLN_PROFILE_H

#include <stddef.h>

#include "lln/model.h"
#include "lln/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Longest device id, sleep mode name, core or target name (with the NUL). */
#define LLN_DEV_NAME_MAX 32
/** Longest source text of a figure, or display name of a device (with the NUL). */
#define LLN_DEV_TEXT_MAX 384
/** Most sleep modes one device may list. */
#define LLN_DEV_SLEEP_MAX 6

/** One figure of the database: a value, how far to trust it, and where it comes from. */
typedef struct lln_figure {
    double value;                  /**< in the unit of the field that holds it; yes/no = 1/0 */
    char trust;                    /**< 'R', 'D', 'S' or 'U' (energy-data.md); 0: absent */
    int line;                      /**< line of the database it was read from (0: derived) */
    char source[LLN_DEV_TEXT_MAX]; /**< the source text of that line */
} lln_figure_t;

/** A low-power mode the device waits in between two steps. */
typedef struct lln_sleep_mode {
    char name[LLN_DEV_NAME_MAX]; /**< e.g. "stop2" */
    lln_figure_t power_uw;    /**< power while asleep, µW (current_ua × voltage_v if so given) */
    lln_figure_t retains_ram; /**< 1 if RAM (the recurrent state) survives the mode */
    lln_figure_t wake_us;     /**< time from the wake-up event to running code, µs */
    lln_figure_t wake_uj;     /**< energy of one wake-up, µJ; trust 0: charged at active
                                      power for wake_us by lln_profile_compute() */
} lln_sleep_mode_t;

/** One microcontroller of the database. */
typedef struct lln_device {
    char id[LLN_DEV_NAME_MAX];            /**< the [id] of its section, e.g. "stm32l4r5" */
    char name[LLN_DEV_TEXT_MAX];          /**< display name */
    char core[LLN_DEV_NAME_MAX];          /**< CPU core, e.g. "cortex-m4f", "xtensa-lx7" */
    char target[LLN_DEV_NAME_MAX];        /**< the `lln verify` target that counts instructions */
    int emulated;                         /**< 0: target is a stand-in for an unemulated core */
    int line;                             /**< line of the section header */
    lln_figure_t clock_mhz;               /**< CPU clock the figures belong to, MHz */
    lln_figure_t voltage_v;               /**< supply voltage, V */
    lln_figure_t active_mw;               /**< power while running the step, mW */
    lln_figure_t flash_bytes;             /**< flash capacity, bytes */
    lln_figure_t ram_bytes;               /**< RAM capacity, bytes */
    lln_figure_t fpu;                     /**< 1: hardware single-precision float */
    lln_figure_t cpi;                     /**< cycles per instruction of the core (model) */
    char default_sleep[LLN_DEV_NAME_MAX]; /**< the sleep mode used when none is asked for */
    int nsleep;                           /**< entries used in sleep[] */
    lln_sleep_mode_t sleep[LLN_DEV_SLEEP_MAX]; /**< the sleep modes, in file order */
} lln_device_t;

/** A parsed database (lln_devices_parse() allocates `dev`; lln_devices_free() frees it). */
typedef struct lln_devices {
    size_t count;      /**< number of devices */
    lln_device_t *dev; /**< the devices, in file order */
} lln_devices_t;

/** The database built into the library (share/devices.txt at build time), NUL-terminated;
 *  *len (if non-NULL) receives its length. */
LLN_API const char *lln_devices_builtin(size_t *len);

/** Parses a database text of len bytes. origin names it in error messages ("devices.txt").
 *  Every problem is reported as "ORIGIN:LINE: key 'K': what is wrong" (LLN_E_FORMAT), e.g. a
 *  missing tag or source, an unknown key, a non-positive clock, a missing required figure
 *  (reported at the device's header line). On success *db holds the devices. */
LLN_API lln_status_t lln_devices_parse(const char *text, size_t len, const char *origin,
                                       lln_devices_t *db, lln_error_t *err);

/** Frees what lln_devices_parse() allocated (db itself is the caller's); NULL is fine. */
LLN_API void lln_devices_free(lln_devices_t *db);

/** The device with this id, or NULL. */
LLN_API const lln_device_t *lln_devices_find(const lln_devices_t *db, const char *id);

/** The sleep mode of d named mode (NULL or "": the device's default), or NULL. The pseudo
 *  mode "none" (stay awake, idle at active power, no wake-up cost) is not in the list:
 *  lln_profile_compute() handles it. */
LLN_API const lln_sleep_mode_t *lln_device_sleep(const lln_device_t *d, const char *mode);

/** What to profile: the measured cost of one step and how often it runs. */
typedef struct lln_profile_in {
    double instructions; /**< executed instructions per step (QEMU count), > 0 */
    double flash_bytes;  /**< flash the model needs (runtime + tables), >= 0 */
    double ram_bytes;    /**< RAM the model needs (state + scratch), >= 0 */
    double rate_hz;      /**< steps per second, > 0 */
    const char *sleep;   /**< sleep mode between steps; NULL: the device's default; "none" */
    double budget_mw;    /**< average-power budget, mW; <= 0: no budget */
} lln_profile_in_t;

/** The energy model's answer. Times in µs, energies in µJ, powers in mW unless named. */
typedef struct lln_profile {
    double cpi;          /**< cycles per instruction used */
    double cycles;       /**< instructions × cpi */
    double latency_us;   /**< cycles / clock */
    double energy_uj;    /**< latency × active power: the step alone */
    double wake_us;      /**< wake-up time of the sleep mode (0 for "none") */
    double wake_uj;      /**< wake-up energy (given, or wake_us × active power) */
    double sleep_uw;     /**< power while waiting, µW (active power for "none") */
    double sleep_us;     /**< time asleep per period: 1e6/rate − latency − wake */
    double period_uj;    /**< energy of one period: step + wake-up + sleep */
    double avg_power_mw; /**< period_uj × rate / 1000; if !rate_ok the active power (the core
                              is busy all the time and still falls behind) */
    double max_rate_hz;  /**< 1e6 / (latency + wake): the highest sustainable rate */
    int rate_ok;         /**< rate_hz <= max_rate_hz */
    int fits_flash;      /**< flash_bytes <= the device's flash */
    int fits_ram;        /**< ram_bytes <= the device's RAM */
    int retains_state;   /**< the sleep mode keeps RAM (else the state is lost between steps) */
    int within_budget;   /**< -1: no budget; 1: rate_ok and avg_power_mw <= budget; 0: not */
    double margin_mw;    /**< budget − avg_power_mw (positive: headroom) when a budget is set */
    const lln_sleep_mode_t *sleep; /**< the mode used (points into the device); NULL: "none" */
    unsigned weak;                 /**< LLN_FIG_* bits of the inputs that only have S/U figures */
} lln_profile_t;

/** Bits of lln_profile_t.weak: which model inputs rest on [S]/[U] figures only. */
enum lln_figure_bits {
    LLN_FIG_CLOCK = 1u << 0,  /**< clock_mhz */
    LLN_FIG_ACTIVE = 1u << 1, /**< active_mw (or active_ma, voltage_v) */
    LLN_FIG_CPI = 1u << 2,    /**< cpi */
    LLN_FIG_SLEEP = 1u << 3,  /**< the sleep mode's power (or current, voltage_v) */
    LLN_FIG_WAKE = 1u << 4,   /**< the sleep mode's wake_us / wake_uj */
    LLN_FIG_MEMORY = 1u << 5  /**< flash_bytes, ram_bytes */
};

/** Computes the profile of one step on device d (see docs/ENERGY.md for the model):
 *  cycles = instructions × cpi; latency = cycles / clock; E_step = latency × P_active;
 *  per period T = 1/rate: E = E_step + E_wake + P_sleep × (T − latency − wake);
 *  average power = E / T. LLN_E_ARG for a non-positive instruction count or rate, negative
 *  sizes; LLN_E_NOTFOUND for an unknown sleep mode (the message lists the device's modes). */
LLN_API lln_status_t lln_profile_compute(const lln_device_t *d, const lln_profile_in_t *in,
                                         lln_profile_t *out, lln_error_t *err);

/* ---- the energy estimate (lln_train_to_budget's cost) --------------------------------- */

/** Coefficients of the analytic instruction estimate on one `lln verify` target. The
 *  fixed-point runtime executes per step about
 *      a*MACs + b*transcendentals + c_ltc*LTC_updates + c_cfc*CfC_neurons + d
 *  (a_spec or a_ltc in place of a: below)
 *  instructions, where MACs and transcendentals are those of lln_model_stats(),
 *  LTC_updates = units x ode_unfolds of an LTC (0 otherwise) and CfC_neurons = units of a CfC
 *  or wired CfC (0 for an LTC): the LTC's fused ODE solver runs ode_unfolds times per step, a
 *  CfC neuron evaluates its closed form once. A CfC or wired CfC that `lln export` gives the
 *  step specialised to its shapes (no backbone, no projection, not pure mode, each layer's
 *  input + state at most 64 wide: inputs + units, or per wired layer) runs its MACs on other code (unrolled rows) and its neurons' work is
 *  then the gate's transcendentals: for it a_spec takes the place of a and c_cfc is 0
 *  (a separate per-neuron term was not identifiable: such a model has exactly three
 *  transcendentals per neuron). An LTC's MACs are its synapse evaluations, not dot products
 *  (on the DSP cores the generic dense layers take under one instruction per MAC, an LTC
 *  synapse several, its sigmoid included): for an LTC a_ltc takes the place of a, and b
 *  does not apply (a_ltc and b were not separately identifiable). On the targets where `lln
 *  export` gives a dense CfC (one tanh or lecun_tanh backbone layer, default or no_gate mode,
 *  no projection, even input and unit counts, backbone units a multiple of 4) a step of its
 *  own in DSP assembly, a_dspec takes the place of a for such a model; a_dspec is 0 on the
 *  targets without that step. The coefficients are a least-squares fit on
 *  QEMU counts of quantized models of several kinds and sizes (scripts/fit_energy_estimate.sh
 *  regenerates them); the fit's relative errors (estimate/measured - 1) are recorded with
 *  them. */
typedef struct lln_energy_coeffs {
    const char *target; /**< the `lln verify` target, e.g. "cortex-m4" */
    double a;           /**< instructions per multiply-accumulate */
    double b;           /**< instructions per transcendental (exp, tanh, ...) */
    double c_ltc;       /**< instructions per LTC neuron update (x ode_unfolds) */
    double c_cfc;       /**< instructions per CfC neuron and step */
    double d;           /**< fixed instructions per step */
    double a_spec;      /**< instructions per MAC of a specialised CfC step */
    double a_ltc;       /**< instructions per MAC of an LTC (its synapse evaluations) */
    double a_dspec;     /**< instructions per MAC of a dense CfC's DSP step (0: no such step) */
    double fit_rms;     /**< rms relative error on the models of the fit */
    double fit_max;     /**< largest relative error on the models of the fit */
    double hold_rms;    /**< rms relative error on held-out models */
    double hold_max;    /**< largest relative error on held-out models */
} lln_energy_coeffs_t;

/** The built-in table of coefficients, one entry per `lln verify` target; *count (if
 *  non-NULL) receives the number of entries. */
LLN_API const lln_energy_coeffs_t *lln_energy_coeffs_table(size_t *count);

/** The coefficients for target (e.g. a device's lln_device_t.target), or NULL when the
 *  table has none (or target is NULL). */
LLN_API const lln_energy_coeffs_t *lln_energy_coeffs_find(const char *target);

/** The estimated instructions per step of m's fixed-point firmware on coef's target (the
 *  formula of lln_energy_coeffs_t), never less than 1. Needs no quantization or emulator. */
LLN_API double lln_energy_instructions(const lln_energy_coeffs_t *coef, const lln_model_t *m);

/** What lln_energy_cost() needs: a device of the database and its target's coefficients. */
typedef struct lln_energy_ctx {
    const lln_device_t *device;      /**< e.g. from lln_devices_find() */
    const lln_energy_coeffs_t *coef; /**< lln_energy_coeffs_find(device->target) */
    double rate_hz;                  /**< steps per second, > 0 */
} lln_energy_ctx_t;

/** Estimated average power (mW) of m at ctx->rate_hz on ctx->device in its default sleep
 *  mode: lln_profile_compute() on lln_energy_instructions(). ctx is an lln_energy_ctx_t;
 *  the signature is that of lln_cost_fn (lln/sparse.h), so this function is the cost of
 *  lln_train_to_budget() under an average-power budget. LLN_E_ARG for a NULL argument or
 *  context field; LLN_E_RANGE when a step and the wake-up take longer than the period (the
 *  rate cannot be met); the errors of lln_profile_compute(). */
LLN_API lln_status_t lln_energy_cost(const lln_model_t *m, void *ctx, double *mw);

#ifdef __cplusplus
}
#endif
#endif
