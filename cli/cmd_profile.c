/* lln profile: instructions per step measured under QEMU (the build-and-run of lln verify),
 * turned into cycles, latency, energy per step and average power on real microcontrollers
 * by the energy model (src/profile/profile.c) and the device database (share/devices.txt). */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "energy_estimate.h"
#include "lln/profile.h"
#include "textout.h"
#include "toolchain.h"
#include "verify_run.h"

static const char PROFILE_HELP[] =
    "usage: lln profile MODEL.lln --device D[,D2...] [--rate HZ] [--sleep MODE]\n"
    "                   [--budget-mw B] [--json] [-o FILE] [--devices FILE] [--float]\n"
    "                   [--database-cpi]\n"
    "       lln profile --list-devices [--devices FILE]\n\n"
    "Exports the model and runs it under QEMU exactly as `lln verify` does (fixed-point\n"
    "runtime for a quantized model, else float32), then turns the instructions per step into\n"
    "cycles (x the CPI: on Cortex-M4/M4F, M33 and M0+ this model's own, from Arm's\n"
    "instruction timings over the same run; else the database's), latency, energy per step,\n"
    "average power at the rate\n"
    "with the sleep mode between steps (and its wake-up cost), the highest sustainable rate\n"
    "and whether flash and RAM fit, for each device. Every figure of the device database\n"
    "carries its source and a trust tag: R source repository, D vendor document,\n"
    "S secondary, U unverified or assumption (docs/ENERGY.md).\n\n"
    "  -d, --device D[,D2...]  devices to profile (see --list-devices)\n"
    "  -r, --rate HZ           steps per second (default 100)\n"
    "  -s, --sleep MODE        sleep mode between steps (default: the device's; 'none' =\n"
    "                          stay awake)\n"
    "  -b, --budget-mw B       also answer: is the average power within B mW? (margin)\n"
    "  -j, --json              JSON (the profile schema of docs/ENERGY.md) instead of a table\n"
    "  -o, --output FILE       write to FILE (atomically) instead of standard output\n"
    "  -D, --devices FILE      device database to use instead of the built-in one\n"
    "  -l, --list-devices      list the devices of the database and exit\n"
    "  -f, --float             profile the float32 runtime even for a quantized model\n"
    "      --database-cpi      use the database's CPI on every core (e.g. a measured figure\n"
    "                          given with --devices) instead of this model's cycles\n"
    "  -h, --help              this text\n\n"
    "Exit status: 0 done; 1 build/run failure, missing tool (named with its Debian package),\n"
    "bad database file; 2 bad command line (unknown device or sleep mode, bad rate).\n";

typedef struct {
    const char *model, *devices_file, *output, *sleep, *device_list;
    double rate_hz, budget_mw;
    int json, list, force_float, database_cpi;
} profile_args_t;

static int parse(int argc, char **argv, profile_args_t *a)
{
    static const struct option opts[] = {
        {"device", required_argument, 0, 'd'},  {"rate", required_argument, 0, 'r'},
        {"sleep", required_argument, 0, 's'},   {"budget-mw", required_argument, 0, 'b'},
        {"json", no_argument, 0, 'j'},          {"output", required_argument, 0, 'o'},
        {"devices", required_argument, 0, 'D'}, {"list-devices", no_argument, 0, 'l'},
        {"float", no_argument, 0, 'f'},         {"database-cpi", no_argument, 0, 'C'},
        {"help", no_argument, 0, 'h'},          {0, 0, 0, 0}};
    int opt;
    optind = 1;
    while ((opt = getopt_long(argc, argv, "d:r:s:b:jo:D:lfh", opts, NULL)) != -1) {
        switch (opt) {
        case 'h': fputs(PROFILE_HELP, stdout); return -1;
        case 'd': a->device_list = optarg; break;
        case 's': a->sleep = optarg; break;
        case 'j': a->json = 1; break;
        case 'o': a->output = optarg; break;
        case 'D': a->devices_file = optarg; break;
        case 'l': a->list = 1; break;
        case 'f': a->force_float = 1; break;
        case 'C': a->database_cpi = 1; break;
        case 'r':
            if (!cli_parse_double("profile", "--rate", optarg, &a->rate_hz))
                return 0;
            if (!(a->rate_hz > 0 && a->rate_hz <= 1e6)) {
                cli_error("profile", "--rate: %s Hz is not in (0, 1000000]", optarg);
                return 0;
            }
            break;
        case 'b':
            if (!cli_parse_double("profile", "--budget-mw", optarg, &a->budget_mw))
                return 0;
            if (!(a->budget_mw > 0)) {
                cli_error("profile", "--budget-mw: %s is not a power > 0 mW", optarg);
                return 0;
            }
            break;
        default: return 0;
        }
    }
    if (a->list)
        return optind == argc ? 1 : (cli_error("profile", "--list-devices takes no model"), 0);
    if (optind != argc - 1 || a->device_list == NULL) {
        cli_error("profile", optind != argc - 1 ? "expected exactly one model file"
                                                : "--device is required (see --list-devices)");
        return 0;
    }
    a->model = argv[optind];
    return 1;
}

static int load_devices(const profile_args_t *a, lln_devices_t *db)
{
    return cli_devices_load("profile", a->devices_file, db);
}

/* ---- --list-devices ---------------------------------------------------------------------- */

static void list_devices(const lln_devices_t *db, textout_t *o)
{
    textout_printf(o, "%-10s %-13s %-10s %6s %9s %5s %9s %9s  %s\n", "device", "core", "target",
                   "MHz", "active mW", "FPU", "flash KiB", "RAM KiB",
                   "sleep modes (default first)");
    for (size_t i = 0; i < db->count; i++) {
        const lln_device_t *d = &db->dev[i];
        textout_printf(o, "%-10s %-13s %-10s %6g %9.4g %5s %9.0f %9.0f  %s", d->id, d->core,
                       d->target, d->clock_mhz.value, d->active_mw.value,
                       d->fpu.value ? "yes" : "no", d->flash_bytes.value / 1024,
                       d->ram_bytes.value / 1024, d->default_sleep[0] ? d->default_sleep : "none");
        for (int k = 0; k < d->nsleep; k++)
            if (strcmp(d->sleep[k].name, d->default_sleep) != 0)
                textout_printf(o, ", %s", d->sleep[k].name);
        textout_printf(o, "%s\n", d->emulated ? "" : "  (no emulator: estimated)");
    }
    textout_str(o, "Figures, sources and trust tags: --devices FILE to use another database; "
                   "docs/ENERGY.md.\n");
}

/* ---- measuring --------------------------------------------------------------------------- */

/* One emulator run per distinct target and cycle timing model (two devices with the same core
 * share it). */
typedef struct {
    const char *target, *cycles;
    verify_result_t r;
} measure_t;

static const verify_result_t *measure(const lln_model_t *m, const profile_args_t *a,
                                      const lln_device_t *d, measure_t *done, size_t *ndone)
{
    const char *target = d->target;
    const char *cycles = a->database_cpi ? NULL : verify_cycle_model(d->core);
    for (size_t i = 0; i < *ndone; i++)
        if (strcmp(done[i].target, target) == 0 &&
            (done[i].cycles == cycles ||
             (done[i].cycles && cycles && strcmp(done[i].cycles, cycles) == 0)))
            return &done[i].r;
    if (!toolchain_check_target("profile", target))
        return NULL;
    verify_job_t job = {"profile", target, NULL, NULL, 24, a->force_float, cycles};
    measure_t *mt = &done[(*ndone)++];
    mt->target = target;
    mt->cycles = cycles;
    if (!verify_model(m, &job, &mt->r) || mt->r.regions <= 0 || mt->r.flash_rt <= 0) {
        if (mt->r.pass)
            cli_error("profile", "%s: %s", target,
                      mt->r.regions <= 0 ? "the instruction counter saw no step"
                                         : "no flash size in the linker map");
        else
            cli_error("profile",
                      "building or running the firmware for %s failed (`lln verify "
                      "MODEL --target %s` shows the details)",
                      target, target);
        return NULL;
    }
    return &mt->r;
}

/* ---- output ------------------------------------------------------------------------------ */

typedef struct {
    const lln_device_t *d; /* the database's, then dev */
    lln_device_t dev;      /* the device with this model's cycles per instruction, if estimated */
    const verify_result_t *r;
    lln_profile_t p;
    double insn, ram;
} row_t;

static void json_str(textout_t *o, const char *s)
{
    textout_put(o, "\"", 1);
    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch == '"' || ch == '\\')
            textout_printf(o, "\\%c", ch);
        else if (ch < 0x20)
            textout_printf(o, "\\u%04x", ch);
        else
            textout_put(o, s, 1);
    }
    textout_put(o, "\"", 1);
}

static const char *weak_names(unsigned w, char *buf, size_t cap)
{
    static const char *const names[] = {"clock",       "active power", "cycles per instruction",
                                        "sleep power", "wake-up",      "flash/RAM capacity"};
    buf[0] = '\0';
    for (unsigned i = 0; i < 6; i++)
        if (w & (1u << i)) {
            size_t n = strlen(buf);
            snprintf(buf + n, cap - n, "%s%s", n ? ", " : "", names[i]);
        }
    return buf;
}

/* The notes of one row (each a sentence), written through put(ctx, note). */
static void notes(const row_t *w, const profile_args_t *a, int generic,
                  void (*put)(void *ctx, const char *note), void *ctx)
{
    char s[640];
    const lln_device_t *d = w->d;
    if (!d->emulated) {
        snprintf(s, sizeof s,
                 "ESTIMATED: no emulator for %s here; instructions counted on %s, "
                 "the nearest emulated core",
                 d->core, d->target);
        put(ctx, s);
    } else if (strcmp(d->core, d->target) != 0) {
        snprintf(s, sizeof s, "instructions counted on %s for a %s core", d->target, d->core);
        put(ctx, s);
    }
    if (!w->r->fixed && !d->fpu.value)
        put(ctx, "float32 runtime on a core without FPU: soft-float (counted as such)");
    if (w->p.weak) {
        char b[160];
        snprintf(s, sizeof s, "only secondary or unverified figures ([S]/[U]) for: %s",
                 weak_names(w->p.weak, b, sizeof b));
        put(ctx, s);
    }
    if (w->p.sleep != NULL && !w->p.sleep->wake_uj.trust && w->p.wake_us > 0)
        put(ctx, "wake-up charged at active power for its duration (no measured wake-up "
                 "energy): an upper bound");
    if (!w->p.retains_state) {
        snprintf(s, sizeof s,
                 "sleep mode %s does not keep RAM: the recurrent state (%zu B) is "
                 "lost between steps unless kept in retention memory (not modelled)",
                 w->p.sleep ? w->p.sleep->name : "none", w->r->sizes.state_bytes);
        put(ctx, s);
    }
    if (!w->p.rate_ok) {
        snprintf(s, sizeof s,
                 "%g Hz is above the highest sustainable rate (%.4g Hz): the core "
                 "never sleeps and falls behind; average power = active power",
                 a->rate_hz, w->p.max_rate_hz);
        put(ctx, s);
    }
    if (!w->p.fits_flash || !w->p.fits_ram)
        put(ctx, !w->p.fits_flash ? "does not fit the flash" : "does not fit the RAM");
    if (generic)
        put(ctx, "cycles = instructions x CPI, the CPI from the core's instruction timings over "
                 "this model's instructions where known (Cortex-M4/M4F, M33, M0+), else (and with "
                 "--database-cpi) the database's: flash wait states and cache misses are not "
                 "included; flash/RAM are "
                 "runtime + model tables and state + scratch (no C "
                 "library, start-up code or stack)");
}

typedef struct {
    textout_t *o;
    int n;
} jnote_t;

static void put_json_note(void *ctx, const char *note)
{
    jnote_t *j = ctx;
    textout_str(j->o, j->n++ ? ", " : "");
    json_str(j->o, note);
}

static void put_text_note(void *ctx, const char *note)
{
    textout_printf(ctx, "    note: %s\n", note);
}

static void json_source(textout_t *o, int *n, const char *key, const lln_figure_t *f)
{
    char s[LLN_DEV_TEXT_MAX + 96];
    snprintf(s, sizeof s, "%s = %.10g [%c] %s", key, f->value, f->trust, f->source);
    textout_str(o, (*n)++ ? ",\n        " : "");
    json_str(o, s);
}

static void json_row(textout_t *o, const row_t *w, const profile_args_t *a)
{
    const lln_device_t *d = w->d;
    const lln_profile_t *p = &w->p;
    textout_str(o, "    {\"device\": ");
    json_str(o, d->id);
    textout_printf(o,
                   ", \"core\": \"%s\", \"target\": \"%s\", \"clock_mhz\": %g, "
                   "\"emulated\": %s,\n     \"instructions_per_step\": %.0f, \"cpi\": %g, "
                   "\"cycles_per_step\": %.0f, \"latency_us\": %.6g,\n     "
                   "\"energy_per_step_uj\": %.6g, \"rate_hz\": %g, \"sleep_mode\": \"%s\", "
                   "\"avg_power_mw\": %.6g, \"max_rate_hz\": %.6g,\n",
                   d->core, d->target, d->clock_mhz.value, d->emulated ? "true" : "false", w->insn,
                   p->cpi, p->cycles, p->latency_us, p->energy_uj, a->rate_hz,
                   p->sleep ? p->sleep->name : "none", p->avg_power_mw, p->max_rate_hz);
    textout_printf(o,
                   "     \"flash_bytes\": %ld, \"ram_bytes\": %.0f, \"flash_capacity\": %.0f, "
                   "\"ram_capacity\": %.0f, \"fits\": %s,\n",
                   w->r->flash_rt, w->ram, d->flash_bytes.value, d->ram_bytes.value,
                   p->fits_flash && p->fits_ram ? "true" : "false");
    if (p->within_budget < 0)
        textout_str(o, "     \"budget_mw\": null, \"within_budget\": null, \"budget_margin_mw\": "
                       "null,\n");
    else
        textout_printf(o,
                       "     \"budget_mw\": %g, \"within_budget\": %s, \"budget_margin_mw\": "
                       "%.6g,\n",
                       a->budget_mw, p->within_budget ? "true" : "false", p->margin_mw);
    textout_printf(o,
                   "     \"active_mw\": %.6g, \"sleep_uw\": %.6g, \"wake_us\": %g, "
                   "\"wake_uj\": %.6g, \"rate_sustainable\": %s, \"retains_state\": %s,\n"
                   "     \"sources\": [",
                   d->active_mw.value, p->sleep_uw, p->wake_us, p->wake_uj,
                   p->rate_ok ? "true" : "false", p->retains_state ? "true" : "false");
    int n = 0;
    json_source(o, &n, "clock_mhz", &d->clock_mhz);
    json_source(o, &n, "voltage_v", &d->voltage_v);
    json_source(o, &n, "active_mw", &d->active_mw);
    json_source(o, &n, "cpi", &d->cpi);
    if (p->sleep != NULL) {
        char k[LLN_DEV_NAME_MAX + 32];
        snprintf(k, sizeof k, "sleep.%s.power_uw", p->sleep->name);
        json_source(o, &n, k, &p->sleep->power_uw);
        snprintf(k, sizeof k, "sleep.%s.wake_us", p->sleep->name);
        json_source(o, &n, k, &p->sleep->wake_us);
        snprintf(k, sizeof k, "sleep.%s.retains_ram", p->sleep->name);
        json_source(o, &n, k, &p->sleep->retains_ram);
    }
    json_source(o, &n, "flash_bytes", &d->flash_bytes);
    json_source(o, &n, "ram_bytes", &d->ram_bytes);
    textout_str(o, "],\n     \"notes\": [");
    jnote_t j = {o, 0};
    notes(w, a, 1, put_json_note, &j);
    textout_str(o, "]}");
}

static void write_json(textout_t *o, const profile_args_t *a, const lln_model_t *m,
                       const row_t *rows, size_t n)
{
    const char *name = lln_model_get_meta(m, "name");
    char stem[256];
    const char *base = strrchr(a->model, '/') ? strrchr(a->model, '/') + 1 : a->model;
    snprintf(stem, sizeof stem, "%s", base);
    char *dot = strrchr(stem, '.');
    if (dot != NULL && dot != stem)
        *dot = '\0';
    textout_str(o, "{\"lln_result\": \"profile\", \"version\": 1, \"model\": ");
    json_str(o, a->model);
    textout_str(o, ", \"name\": ");
    json_str(o, name && *name ? name : stem);
    textout_printf(o,
                   ", \"cell\": \"%s\", \"params\": %zu, \"runtime\": \"%s\",\n \"profiles\": [\n",
                   lln_cell_name(lln_model_config(m)->cell), lln_model_param_count(m),
                   n && rows[0].r->fixed ? "fixed" : "float");
    for (size_t i = 0; i < n; i++) {
        json_row(o, &rows[i], a);
        textout_str(o, i + 1 < n ? ",\n" : "\n");
    }
    textout_str(o, "]}\n");
}

static void write_text(textout_t *o, const profile_args_t *a, const row_t *rows, size_t n)
{
    textout_printf(o, "profile %s: %s runtime, %g steps/s\n", a->model,
                   n && rows[0].r->fixed ? "fixed-point" : "float32", a->rate_hz);
    textout_printf(o, "%-10s %-10s %9s %4s %9s %9s %9s %10s %-10s %10s %9s %8s %5s\n", "device",
                   "target", "instr", "CPI", "cycles", "lat us", "uJ/step", "avg mW", "sleep",
                   "max Hz", "flash B", "RAM B", "fits");
    for (size_t i = 0; i < n; i++) {
        const row_t *w = &rows[i];
        const lln_profile_t *p = &w->p;
        textout_printf(o,
                       "%-10s %-10s %9.0f %4.3g %9.0f %9.4g %9.4g %10.4g %-10s %10.4g %9ld %8.0f "
                       "%5s\n",
                       w->d->id, w->d->target, w->insn, p->cpi, p->cycles, p->latency_us,
                       p->energy_uj, p->avg_power_mw, p->sleep ? p->sleep->name : "none",
                       p->max_rate_hz, w->r->flash_rt, w->ram,
                       p->fits_flash && p->fits_ram ? "yes" : "NO");
    }
    for (size_t i = 0; i < n; i++) {
        const row_t *w = &rows[i];
        const lln_sleep_mode_t *sl = w->p.sleep;
        textout_printf(o, "  %s: %s; active %.4g mW [%c], CPI [%c], ", w->d->id, w->d->name,
                       w->d->active_mw.value, w->d->active_mw.trust, w->d->cpi.trust);
        if (sl != NULL)
            textout_printf(o, "sleep %s %.4g uW [%c], wake-up %g us [%c]\n", sl->name,
                           w->p.sleep_uw, sl->power_uw.trust, w->p.wake_us, sl->wake_us.trust);
        else
            textout_str(o, "no sleep: idle at active power\n");
        if (w->p.within_budget >= 0)
            textout_printf(o, "    budget %g mW: %s (margin %+.4g mW)\n", a->budget_mw,
                           w->p.within_budget ? "YES, within" : "NO, over", w->p.margin_mw);
        notes(w, a, 0, put_text_note, o);
    }
    textout_str(o, "cycles = instructions x CPI; CPI from the core's instruction timings over "
                   "this model's instructions\n(Cortex-M4/M4F, M33, M0+), else (--database-cpi: "
                   "always) the database's; "
                   "flash wait states and cache misses not included.\nflash/RAM: runtime + model "
                   "tables and state + "
                   "scratch (no C library, start-up code or stack).\nSources and trust tags "
                   "of every figure: lln profile --json; docs/ENERGY.md.\n");
}

/* ---- the command ------------------------------------------------------------------------- */

/* Looks every device (and the sleep mode) up before anything is built. */
static int resolve(const profile_args_t *a, const lln_devices_t *db, row_t *rows, size_t *n)
{
    char list[1024];
    snprintf(list, sizeof list, "%s", a->device_list);
    *n = 0;
    for (char *save = NULL, *id = strtok_r(list, ",", &save); id; id = strtok_r(NULL, ",", &save)) {
        const lln_device_t *d = lln_devices_find(db, id);
        if (d == NULL) {
            char known[512];
            cli_devices_known(db, known, sizeof known);
            cli_error("profile", "--device: unknown device '%s' (known: %s)", id, known);
            return 0;
        }
        if (a->sleep && strcmp(a->sleep, "none") != 0 && !lln_device_sleep(d, a->sleep)) {
            lln_profile_in_t in = {1, 0, 0, 1, a->sleep, 0};
            lln_profile_t p;
            lln_error_t err = {LLN_OK, ""};
            lln_profile_compute(d, &in, &p, &err);
            cli_error("profile", "--sleep: %s", err.msg);
            return 0;
        }
        if (*n == db->count + 8) {
            cli_error("profile", "--device: too many devices");
            return 0;
        }
        rows[(*n)++].d = d;
    }
    if (*n == 0)
        cli_error("profile", "--device: no device named");
    return *n > 0;
}

static int run_profiles(const profile_args_t *a, const lln_model_t *m, row_t *rows, size_t n)
{
    measure_t *done = calloc(n, sizeof *done);
    size_t ndone = 0;
    int ok = done != NULL;
    for (size_t i = 0; ok && i < n; i++) {
        const verify_result_t *r = measure(m, a, rows[i].d, done, &ndone);
        if (r == NULL) {
            ok = 0;
            break;
        }
        /* the measure_t array never moves (sized for n), so r stays valid */
        rows[i].r = r;
        /* cycles from the core's timing table where sim/insncount.c has one, else the
         * database's cpi (docs/ENERGY.md) */
        verify_device_cycles(rows[i].d, r, &rows[i].dev);
        rows[i].d = &rows[i].dev;
        /* the mean per step, rounded down: the figure `lln verify` prints */
        long per_step = r->insn_sum / r->regions;
        rows[i].insn = (double)per_step;
        rows[i].ram = (double)(r->sizes.state_bytes + r->sizes.scratch_bytes);
        lln_profile_in_t in = {rows[i].insn, (double)r->flash_rt, rows[i].ram, a->rate_hz,
                               a->sleep,     a->budget_mw};
        lln_error_t err = {LLN_OK, ""};
        if (lln_profile_compute(rows[i].d, &in, &rows[i].p, &err) != LLN_OK) {
            cli_error("profile", "%s: %s", rows[i].d->id, err.msg);
            ok = 0;
        }
    }
    textout_t o;
    if (ok && !textout_open(&o, a->output ? a->output : "-"))
        ok = 0;
    if (ok) {
        if (a->json)
            write_json(&o, a, m, rows, n);
        else
            write_text(&o, a, rows, n);
        ok = textout_finish(&o, "profile", a->output ? a->output : "-");
    }
    free(done);
    return ok;
}

int cmd_profile(int argc, char **argv)
{
    profile_args_t a = {NULL, NULL, NULL, NULL, NULL, 100, 0, 0, 0, 0, 0};
    int pr = parse(argc, argv, &a);
    if (pr <= 0)
        return pr < 0 ? EXIT_OK : cli_usage_error("profile");
    lln_devices_t db;
    if (!load_devices(&a, &db))
        return EXIT_FAIL;
    if (a.list) {
        textout_t o;
        int ok = textout_open(&o, a.output ? a.output : "-");
        if (ok) {
            list_devices(&db, &o);
            ok = textout_finish(&o, "profile", a.output ? a.output : "-");
        }
        lln_devices_free(&db);
        return ok ? EXIT_OK : EXIT_FAIL;
    }
    row_t *rows = calloc(db.count + 8, sizeof *rows);
    size_t n = 0;
    if (rows == NULL || !resolve(&a, &db, rows, &n)) {
        free(rows);
        lln_devices_free(&db);
        return rows == NULL ? EXIT_FAIL : EXIT_USAGE;
    }
    lln_model_t *m = cli_load_model("profile", a.model);
    int ok = m != NULL && run_profiles(&a, m, rows, n);
    lln_model_free(m);
    free(rows);
    lln_devices_free(&db);
    return ok ? EXIT_OK : EXIT_FAIL;
}
