/* Device database and energy model: the built-in database parses and holds the devices the
 * issue asks for; the model's numbers equal hand computations; malformed databases are
 * refused with the line and key named; the energy estimate of lln_train_to_budget. */
#include <string.h>

#include "check.h"
#include "lln/profile.h"

/* A toy device with round figures, so every expectation below can be derived by hand. */
static const char TOY[] = "# a comment\n"
                          "[toy]\n"                                      /* line 2 */
                          "core = cortex-m4\n"                           /* 3 */
                          "target = cortex-m4\n"                         /* 4 */
                          "clock_mhz = 100 | D | test clock\n"           /* 5 */
                          "voltage_v = 2 | D | test supply\n"            /* 6 */
                          "active_ma = 5 | D | test run current\n"       /* 7: 5 mA x 2 V */
                          "flash_bytes = 64K | D | test flash\n"         /* 8 */
                          "ram_bytes = 16K | D | test ram\n"             /* 9 */
                          "fpu = no | D | test\n"                        /* 10 */
                          "cpi = 1.5 | U | test assumption\n"            /* 11 */
                          "default_sleep = stop\n"                       /* 12 */
                          "sleep.stop.current_ua = 3 | S | test\n"       /* 13: 3 uA x 2 V */
                          "sleep.stop.retains_ram = yes | D | test\n"    /* 14 */
                          "sleep.stop.wake_us = 10 | U | test\n"         /* 15 */
                          "sleep.off.power_uw = 1 | D | test\n"          /* 16 */
                          "sleep.off.retains_ram = no | D | test\n"      /* 17 */
                          "sleep.off.wake_us = 1000 | D | test\n"        /* 18 */
                          "sleep.off.wake_uj = 2 | D | test measured\n"; /* 19 */

static void test_builtin(void)
{
    size_t len = 0;
    const char *text = lln_devices_builtin(&len);
    CHECK(text != NULL && len > 1000 && strlen(text) == len);
    lln_devices_t db;
    lln_error_t err = {LLN_OK, ""};
    lln_status_t st = lln_devices_parse(text, len, "devices.txt", &db, &err);
    CHECK_MSG(st == LLN_OK, "%s", err.msg);
    if (st != LLN_OK)
        return;
    static const char *const want[][2] = {{"stm32h743", "cortex-m7"}, {"stm32l4r5", "cortex-m4f"},
                                          {"stm32u5", "cortex-m33"},  {"nrf52840", "cortex-m4f"},
                                          {"rp2040", "cortex-m0"},    {"teensy41", "cortex-m7"},
                                          {"esp32c3", "rv32imc"},     {"esp32s3", "rv32imafc"}};
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        const lln_device_t *d = lln_devices_find(&db, want[i][0]);
        CHECK_MSG(d != NULL, "device %s missing", want[i][0]);
        if (d == NULL)
            continue;
        CHECK_MSG(strcmp(d->target, want[i][1]) == 0, "%s target %s", d->id, d->target);
        /* every figure carries a tag and a source; the default sleep mode exists */
        const lln_figure_t *f[] = {&d->clock_mhz, &d->voltage_v, &d->active_mw, &d->flash_bytes,
                                   &d->ram_bytes, &d->fpu,       &d->cpi};
        for (size_t k = 0; k < sizeof f / sizeof f[0]; k++)
            CHECK_MSG(f[k]->trust && f[k]->source[0], "%s figure %zu untagged", d->id, k);
        CHECK_MSG(lln_device_sleep(d, NULL) != NULL, "%s: no default sleep mode", d->id);
        /* only the ESP32-S3 is estimated from another core */
        CHECK_EQ_INT(d->emulated, strcmp(d->id, "esp32s3") != 0);
    }
    /* the MLPerf-derived STM32L4R5 figure is the one tagged [R] */
    const lln_device_t *l4 = lln_devices_find(&db, "stm32l4r5");
    if (l4 != NULL) {
        CHECK_NEAR(l4->active_mw.value, 74.5, 1e-12);
        CHECK(l4->active_mw.trust == 'R');
        CHECK_NEAR(l4->ram_bytes.value, 655360, 0);
    }
    /* the cpi of the cores with a timing model in sim/insncount.c is derived from it (the mean
     * over the energy fit's models, scripts/fit_energy_estimate.sh): a single-issue core
     * modelled without dual issue retires at most one instruction a cycle, and the zoo's
     * per-model figures lie in [1.18, 1.56]: a mean outside [1.1, 1.7] is not the fit's.
     * [D] where Arm publishes the table (M4, M0+), [U] for M33 (the M4 table assumed). */
    static const char *const derived[][2] = {{"stm32l4r5", "D"},
                                             {"stm32l4r5-smps", "D"},
                                             {"nrf52840", "D"},
                                             {"rp2040", "D"},
                                             {"stm32u5", "U"}};
    for (size_t i = 0; i < sizeof derived / sizeof derived[0]; i++) {
        const lln_device_t *d = lln_devices_find(&db, derived[i][0]);
        CHECK_MSG(d != NULL, "device %s missing", derived[i][0]);
        if (d == NULL)
            continue;
        CHECK_MSG(d->cpi.value >= 1.1 && d->cpi.value <= 1.7, "%s: cpi %g", d->id, d->cpi.value);
        CHECK_MSG(d->cpi.trust == derived[i][1][0], "%s: cpi tag %c", d->id, d->cpi.trust);
        CHECK_MSG(strstr(d->cpi.source, "fit_energy_estimate.sh") &&
                      strstr(d->cpi.source, "sim/insncount.c"),
                  "%s: cpi source does not name its derivation: %s", d->id, d->cpi.source);
    }
    /* the same chip on the MLPerf v1.3 board's SMPS: less power, same clock and core */
    const lln_device_t *l4s = lln_devices_find(&db, "stm32l4r5-smps");
    if (l4 != NULL && l4s != NULL) {
        CHECK(l4s->active_mw.trust == 'R' && l4s->active_mw.value < 0.5 * l4->active_mw.value);
        CHECK_NEAR(l4s->clock_mhz.value, l4->clock_mhz.value, 0);
        CHECK(strcmp(l4s->target, l4->target) == 0 && l4s->cpi.value == l4->cpi.value);
    }
    /* ESP32-C3: 20.48 mA x 3.3 V = 67.584 mW; the weaker tag of the two ([U] voltage) wins */
    const lln_device_t *c3 = lln_devices_find(&db, "esp32c3");
    if (c3 != NULL) {
        CHECK_NEAR(c3->active_mw.value, 67.584, 1e-9);
        CHECK(c3->active_mw.trust == 'U');
        CHECK(lln_device_sleep(c3, "deep") != NULL &&
              lln_device_sleep(c3, "deep")->retains_ram.value == 0);
    }
    CHECK(lln_devices_find(&db, "nope") == NULL);
    lln_devices_free(&db);
    CHECK(db.dev == NULL && db.count == 0);
}

static int parse_toy(lln_devices_t *db)
{
    lln_error_t err = {LLN_OK, ""};
    lln_status_t st = lln_devices_parse(TOY, strlen(TOY), "toy.txt", db, &err);
    CHECK_MSG(st == LLN_OK, "%s", err.msg);
    return st == LLN_OK;
}

static void test_model(void)
{
    lln_devices_t db;
    if (!parse_toy(&db))
        return;
    const lln_device_t *d = lln_devices_find(&db, "toy");
    CHECK(d != NULL);
    if (d == NULL) {
        lln_devices_free(&db);
        return;
    }
    CHECK(d->emulated == 1 && strcmp(d->name, "toy") == 0);
    CHECK_NEAR(d->active_mw.value, 10, 1e-12);  /* 5 mA x 2 V */
    CHECK_NEAR(d->flash_bytes.value, 65536, 0); /* 64 KiB */
    CHECK_EQ_INT(d->active_mw.line, 7);
    lln_profile_in_t in = {20000, 1000, 400, 100, NULL, 0};
    lln_profile_t p;
    lln_error_t err = {LLN_OK, ""};
    CHECK(lln_profile_compute(d, &in, &p, &err) == LLN_OK);
    /* cycles = 20000 x 1.5 = 30000; latency = 30000 / 100 MHz = 300 us;
     * step energy = 300 us x 10 mW = 3000 nJ = 3 uJ */
    CHECK_NEAR(p.cycles, 30000, 1e-9);
    CHECK_NEAR(p.latency_us, 300, 1e-9);
    CHECK_NEAR(p.energy_uj, 3, 1e-12);
    /* stop: 3 uA x 2 V = 6 uW; wake 10 us charged at 10 mW = 0.1 uJ; period 10000 us, asleep
     * 10000 - 300 - 10 = 9690 us -> 6 uW x 9690 us = 0.05814 uJ; per period 3.15814 uJ, x 100/s
     * = 315.814 uW = 0.315814 mW; highest rate 1e6 / 310 us = 3225.806... Hz */
    CHECK(p.sleep != NULL && strcmp(p.sleep->name, "stop") == 0);
    CHECK_NEAR(p.sleep_uw, 6, 1e-12);
    CHECK_NEAR(p.wake_uj, 0.1, 1e-12);
    CHECK_NEAR(p.sleep_us, 9690, 1e-9);
    CHECK_NEAR(p.period_uj, 3.15814, 1e-12);
    CHECK_NEAR(p.avg_power_mw, 0.315814, 1e-12);
    CHECK_NEAR(p.max_rate_hz, 1e6 / 310, 1e-9);
    CHECK(p.rate_ok && p.fits_flash && p.fits_ram && p.retains_state);
    CHECK_EQ_INT(p.within_budget, -1);
    /* clock, active and memory are [D]; cpi [U], stop's power [S], its wake-up [U] */
    CHECK_EQ_INT(p.weak, LLN_FIG_CPI | LLN_FIG_SLEEP | LLN_FIG_WAKE);

    /* budgets: 0.3 mW is exceeded by 0.015814 mW; 1 mW leaves 0.684186 mW */
    in.budget_mw = 0.3;
    CHECK(lln_profile_compute(d, &in, &p, NULL) == LLN_OK);
    CHECK_EQ_INT(p.within_budget, 0);
    CHECK_NEAR(p.margin_mw, -0.015814, 1e-12);
    in.budget_mw = 1;
    CHECK(lln_profile_compute(d, &in, &p, NULL) == LLN_OK);
    CHECK_EQ_INT(p.within_budget, 1);
    CHECK_NEAR(p.margin_mw, 0.684186, 1e-12);

    /* off: the measured wake-up energy (2 uJ) is used; asleep 10000 - 300 - 1000 = 8700 us at
     * 1 uW = 0.0087 uJ; 3 + 2 + 0.0087 = 5.0087 uJ per period -> 0.50087 mW; RAM is lost */
    in.sleep = "off";
    CHECK(lln_profile_compute(d, &in, &p, NULL) == LLN_OK);
    CHECK_NEAR(p.wake_uj, 2, 0);
    CHECK_NEAR(p.avg_power_mw, 0.50087, 1e-12);
    CHECK_EQ_INT(p.retains_state, 0);
    CHECK_EQ_INT(p.weak, LLN_FIG_CPI);

    /* none: idle at 10 mW all period: 3 + 10 mW x 9700 us = 100 uJ -> exactly 10 mW */
    in.sleep = "none";
    CHECK(lln_profile_compute(d, &in, &p, NULL) == LLN_OK);
    CHECK(p.sleep == NULL && p.wake_us == 0);
    CHECK_NEAR(p.avg_power_mw, 10, 1e-12);
    CHECK_NEAR(p.max_rate_hz, 1e6 / 300, 1e-9);

    /* faster than one step + wake-up per period: not sustainable, so never within budget */
    in.sleep = NULL, in.rate_hz = 5000, in.budget_mw = 100;
    CHECK(lln_profile_compute(d, &in, &p, NULL) == LLN_OK);
    CHECK_EQ_INT(p.rate_ok, 0);
    CHECK_EQ_INT(p.within_budget, 0);
    CHECK_NEAR(p.avg_power_mw, 10, 0); /* always busy: the active power */

    /* memory: one byte over either capacity does not fit */
    in.rate_hz = 100, in.flash_bytes = 65537, in.ram_bytes = 16384;
    CHECK(lln_profile_compute(d, &in, &p, NULL) == LLN_OK);
    CHECK(!p.fits_flash && p.fits_ram);
    in.flash_bytes = 0, in.ram_bytes = 16385;
    CHECK(lln_profile_compute(d, &in, &p, NULL) == LLN_OK);
    CHECK(p.fits_flash && !p.fits_ram);

    /* argument errors */
    in.sleep = "hibernate";
    CHECK(lln_profile_compute(d, &in, &p, &err) == LLN_E_NOTFOUND);
    CHECK_MSG(strstr(err.msg, "'hibernate'") && strstr(err.msg, "stop, off, none"), "%s", err.msg);
    in.sleep = NULL, in.instructions = 0;
    CHECK(lln_profile_compute(d, &in, &p, &err) == LLN_E_ARG);
    in.instructions = 1, in.rate_hz = -1;
    CHECK(lln_profile_compute(d, &in, &p, &err) == LLN_E_ARG);
    CHECK(lln_profile_compute(NULL, &in, &p, &err) == LLN_E_ARG);
    lln_devices_free(&db);
}

/* The toy text with line `line` (1-based) replaced by `with` ("" deletes it). */
static void expect_error(int line, const char *with, const char *want)
{
    char text[4096];
    size_t used = 0;
    const char *p = TOY;
    for (int n = 1; *p; n++) {
        int len = (int)strcspn(p, "\n");
        if (n != line)
            used += (size_t)snprintf(text + used, sizeof text - used, "%.*s\n", len, p);
        else if (*with)
            used += (size_t)snprintf(text + used, sizeof text - used, "%s\n", with);
        p += len + (p[len] == '\n');
    }
    lln_devices_t db = {99, NULL};
    lln_error_t err = {LLN_OK, ""};
    lln_status_t st = lln_devices_parse(text, strlen(text), "toy.txt", &db, &err);
    CHECK_MSG(st == LLN_E_FORMAT, "line %d -> '%s': status %d", line, with, (int)st);
    CHECK_MSG(strstr(err.msg, want) != NULL, "want '%s' in '%s'", want, err.msg);
    CHECK(db.dev == NULL && db.count == 0);
}

static void test_errors(void)
{
    expect_error(5, "clock_mhz = 100", "toy.txt:5: key 'clock_mhz': expected 'value | TAG");
    expect_error(5, "clock_mhz = fast | D | x",
                 "toy.txt:5: key 'clock_mhz': 'fast' is not a number");
    expect_error(5, "clock_mhz = 0 | D | x", "toy.txt:5: key 'clock_mhz': the value must be > 0");
    expect_error(5, "clock_mhz = 100 | X | x", "trust tag 'X' is not one of R, D, S, U");
    expect_error(5, "clock_mhz = 100 | D |  ", "toy.txt:5: key 'clock_mhz': the source is empty");
    expect_error(5, "clockmhz = 100 | D | x", "toy.txt:5: key 'clockmhz': unknown key");
    expect_error(5, "", "toy.txt:2: device 'toy' lacks clock_mhz");
    expect_error(7, "", "toy.txt:2: device 'toy' lacks active_mw (or active_ma)");
    expect_error(4, "", "toy.txt:2: device 'toy' lacks target");
    expect_error(7, "active_mw = 1 | D | x\nactive_ma = 5 | D | x", "active power given twice");
    expect_error(10, "fpu = maybe | D | x", "toy.txt:10: key 'fpu': 'maybe' is not yes or no");
    expect_error(11, "cpi = 500 | U | x", "toy.txt:11: key 'cpi'");
    expect_error(12, "default_sleep = deep", "default_sleep 'deep' is not one of its sleep modes");
    expect_error(15, "", "toy.txt:2: device 'toy': sleep mode 'stop' lacks wake_us");
    expect_error(15, "sleep.stop.wake_ms = 1 | U | x", "unknown sleep field 'wake_ms'");
    expect_error(15, "sleep.stop.wake_us = -1 | U | x",
                 "key 'sleep.stop.wake_us': the value must be >= 0");
    expect_error(16, "sleep.none.power_uw = 1 | D | x", "not 'none'");
    expect_error(3, "core = Cortex M4", "toy.txt:3: key 'core': 'Cortex M4' is not a name");
    expect_error(3, "core = cortex-m4 | D | x", "a label takes no trust tag");
    expect_error(2, "[toy", "toy.txt:2: expected a section header");
    expect_error(2, "", "toy.txt:2: key 'core': before the first [device-id] header");
    expect_error(19, "[toy]", "toy.txt:19: device 'toy' is defined twice");
    expect_error(19, "just words", "toy.txt:19: expected 'key = value | TAG | source'");
    lln_devices_t db;
    lln_error_t err = {LLN_OK, ""};
    /* default_sleep = none is allowed: the pseudo mode, no wake-up */
    char text[2048];
    snprintf(text, sizeof text, "%s", TOY);
    char *ds = strstr(text, "default_sleep = stop");
    if (ds != NULL) {
        memcpy(ds + 16, "none", 4); /* "stop" -> "none", same length */
        CHECK(lln_devices_parse(text, strlen(text), "none.txt", &db, &err) == LLN_OK);
        lln_profile_in_t in = {20000, 0, 0, 100, NULL, 0};
        lln_profile_t p;
        memset(&p, 0, sizeof p);
        CHECK(db.count == 1 && lln_profile_compute(&db.dev[0], &in, &p, &err) == LLN_OK);
        CHECK(db.count == 1 && p.sleep == NULL && p.wake_us == 0);
        CHECK_NEAR(p.avg_power_mw, 10, 1e-12);
        lln_devices_free(&db);
    }
    CHECK(lln_devices_parse("# nothing\n", 10, "empty.txt", &db, &err) == LLN_E_FORMAT);
    CHECK_MSG(strstr(err.msg, "empty.txt: no [device-id] section"), "%s", err.msg);
    CHECK(lln_devices_parse("[a]\0x", 5, "nul.txt", &db, &err) == LLN_E_FORMAT);
    CHECK_MSG(strstr(err.msg, "nul.txt:1: NUL byte"), "%s", err.msg);
    CHECK(lln_devices_parse(NULL, 3, "x", &db, &err) == LLN_E_ARG);
}

/* The energy estimate (lln_energy_*): the table covers every target of the built-in database;
 * the instruction formula and the power on the toy device equal hand computations. */
static void test_energy_table(void)
{
    size_t n = 0;
    const lln_energy_coeffs_t *t = lln_energy_coeffs_table(&n);
    CHECK(t != NULL && n >= 1);
    for (size_t i = 0; t != NULL && i < n; i++) {
        CHECK_MSG(lln_energy_coeffs_find(t[i].target) == &t[i], "%s not found", t[i].target);
        /* a fitted count never falls as the work grows: every coefficient >= 0 (the fit fixes
         * at 0 one that nearly collinear features drive negative), the MAC terms and the
         * constant > 0; errors in [0, 1) */
        CHECK_MSG(t[i].a > 0 && t[i].b >= 0 && t[i].c_ltc >= 0 && t[i].c_cfc >= 0 && t[i].d > 0 &&
                      t[i].a_spec > 0 && t[i].a_ltc > 0 && t[i].a_dspec >= 0,
                  "%s: negative coefficient or a MAC term not positive", t[i].target);
        CHECK_MSG(t[i].fit_rms >= 0 && t[i].fit_max < 1 && t[i].hold_rms >= 0 && t[i].hold_max < 1,
                  "%s: fit error out of range", t[i].target);
    }
    CHECK(lln_energy_coeffs_find("z80") == NULL);
    CHECK(lln_energy_coeffs_find(NULL) == NULL);
    lln_devices_t db;
    lln_error_t err = {LLN_OK, ""};
    size_t len = 0;
    const char *text = lln_devices_builtin(&len);
    if (lln_devices_parse(text, len, "devices.txt", &db, &err) != LLN_OK) {
        CHECK_MSG(0, "%s", err.msg);
        return;
    }
    for (size_t i = 0; i < db.count; i++)
        CHECK_MSG(lln_energy_coeffs_find(db.dev[i].target) != NULL,
                  "device %s: no coefficients for target %s", db.dev[i].id, db.dev[i].target);
    lln_devices_free(&db);
}

/* The model of configuration c (seed 7), or NULL with a failed check. */
static lln_model_t *variant(const lln_config_t *c)
{
    lln_model_t *m = NULL;
    lln_error_t err = {LLN_OK, ""};
    CHECK_MSG(lln_model_create(c, 7, &m, &err) == LLN_OK, "%s", err.msg);
    return m;
}

static lln_model_t *energy_model(lln_cell_kind_t cell)
{
    lln_config_t c;
    lln_config_default(&c, cell);
    c.input_size = 3;
    if (cell == LLN_CELL_LTC) {
        lln_wiring_spec_default(&c.wiring, LLN_WIRING_FULL);
        c.wiring.units = 8, c.wiring.output_dim = 2;
    } else {
        c.units = 8;
    }
    return variant(&c);
}

static void test_energy_model(void)
{
    const lln_energy_coeffs_t k = {"toy", 1, 2, 3, 5, 7, 11, 13, 17, 0, 0, 0, 0};
    lln_model_t *ltc = energy_model(LLN_CELL_LTC), *cfc = energy_model(LLN_CELL_CFC);
    if (ltc == NULL || cfc == NULL) {
        lln_model_free(ltc);
        lln_model_free(cfc);
        return;
    }
    lln_model_stats_t st;
    lln_model_stats(ltc, &st);
    int unfolds = lln_model_config(ltc)->ode_unfolds;
    CHECK(st.macs > 0 && st.transcendentals > 0 && unfolds > 0);
    CHECK_EQ_INT(lln_model_config(ltc)->units, 8);
    CHECK_EQ_INT(lln_model_config(cfc)->units, 8);
    /* LTC: 13 per MAC (its sigmoids included: no b term) + 3 x 8 units x unfolds + 7 */
    CHECK_NEAR(lln_energy_instructions(&k, ltc), 13.0 * (double)st.macs + 3.0 * 8 * unfolds + 7,
               1e-9);
    /* CfC: the per-neuron term is 5 x 8 units, once */
    lln_model_stats(cfc, &st);
    CHECK_NEAR(lln_energy_instructions(&k, cfc),
               (double)st.macs + 2.0 * (double)st.transcendentals + 5.0 * 8 + 7, 1e-9);
    /* with an even input count the dense CfC gets the DSP step where the target has one
     * (a_dspec 17 per MAC), and the generic a where it has none (a_dspec 0) */
    lln_config_t ce = *lln_model_config(cfc);
    ce.input_size = 4;
    lln_model_t *even = variant(&ce);
    if (even != NULL) {
        lln_model_stats(even, &st);
        double rest = 2.0 * (double)st.transcendentals + 5.0 * 8 + 7;
        CHECK_NEAR(lln_energy_instructions(&k, even), 17.0 * (double)st.macs + rest, 1e-9);
        lln_energy_coeffs_t nodsp = k;
        nodsp.a_dspec = 0;
        CHECK_NEAR(lln_energy_instructions(&nodsp, even), (double)st.macs + rest, 1e-9);
        lln_model_free(even);
    }
    lln_model_stats(cfc, &st);
    /* a CfC without backbone gets the specialised step: 11 per MAC, no per-neuron term */
    lln_config_t c = *lln_model_config(cfc);
    c.backbone_layers = 0;
    lln_model_t *nb = variant(&c);
    if (nb != NULL) {
        lln_model_stats(nb, &st);
        CHECK_NEAR(lln_energy_instructions(&k, nb),
                   11.0 * (double)st.macs + 2.0 * (double)st.transcendentals + 7, 1e-9);
        lln_model_free(nb);
    }
    /* a fit below the smallest model is clamped to one instruction */
    const lln_energy_coeffs_t neg = {"toy", 0, 0, 0, 0, -50, 0, 0, 0, 0, 0, 0, 0};
    CHECK_NEAR(lln_energy_instructions(&neg, ltc), 1.0, 0);

    lln_devices_t db;
    if (parse_toy(&db)) {
        /* 20000 instructions x cpi 1.5 / 100 MHz = 300 us at 10 mW = 3 uJ; wake-up 10 us at
         * 10 mW = 0.1 uJ; at 100 Hz asleep 10000 - 300 - 10 = 9690 us at 6 uW = 0.05814 uJ;
         * 3.15814 uJ x 100 Hz = 0.315814 mW */
        const lln_energy_coeffs_t flat = {"toy", 0, 0, 0, 0, 20000, 0, 0, 0, 0, 0, 0, 0};
        lln_energy_ctx_t ctx = {lln_devices_find(&db, "toy"), &flat, 100};
        double mw = -1;
        CHECK_EQ_INT(lln_energy_cost(ltc, &ctx, &mw), LLN_OK);
        CHECK_NEAR(mw, 0.315814, 1e-9);
        /* 10 kHz: the period (100 us) is shorter than step and wake-up (310 us) */
        ctx.rate_hz = 10000;
        CHECK_EQ_INT(lln_energy_cost(ltc, &ctx, &mw), LLN_E_RANGE);
        ctx.rate_hz = 0;
        CHECK_EQ_INT(lln_energy_cost(ltc, &ctx, &mw), LLN_E_ARG);
        ctx.rate_hz = 100;
        ctx.coef = NULL;
        CHECK_EQ_INT(lln_energy_cost(ltc, &ctx, &mw), LLN_E_ARG);
        CHECK_EQ_INT(lln_energy_cost(ltc, NULL, &mw), LLN_E_ARG);
        lln_devices_free(&db);
    }
    lln_model_free(ltc);
    lln_model_free(cfc);
}

int main(void)
{
    test_builtin();
    test_model();
    test_errors();
    test_energy_table();
    test_energy_model();
    return check_done("test_profile");
}
