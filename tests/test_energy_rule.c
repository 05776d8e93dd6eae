/* The energy estimate (src/profile/energy.c) decides from a model's configuration which step
 * `lln export` will write for it: the step specialised to the shapes of a CfC without
 * backbone (export_q_spec.c) or the DSP step of a dense CfC (export_q_dspec.c), each with its
 * own instructions per MAC. The export decides on the quantized image. The two rules are
 * written twice (the estimate runs before any quantization), so this test builds a grid of
 * models around every bound of both rules (cells, modes, activations, backbone depth, odd and
 * even sizes, the width limits of both steps, wired CfC layers narrower than inputs + units),
 * quantizes each and asks both sides: they must agree on every model. */
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "deploy/quant_internal.h"
#include "deploy/export_q.h"
#include "lln/model.h"
#include "lln/profile.h"
#include "lln/quant.h"

#define T 12
#define B 2

typedef struct {
    lln_cell_kind_t cell;
    int inputs, units, bb_layers, bb_units, act, mode, proj, ncp_out;
} shape_t;

/* Which step the estimate assumes: probe coefficients whose per-MAC figure differs by path
 * (a 1, a_spec 2, a_dspec 3, a_ltc 4; nothing else), so instructions / MACs names the path. */
static int estimate_path(const lln_model_t *m)
{
    lln_energy_coeffs_t k;
    memset(&k, 0, sizeof k);
    k.target = "probe";
    k.a = 1, k.a_spec = 2, k.a_dspec = 3, k.a_ltc = 4;
    lln_model_stats_t st;
    lln_model_stats(m, &st);
    return (int)(lln_energy_instructions(&k, m) / (double)st.macs + 0.5);
}

static lln_model_t *make(const shape_t *s)
{
    lln_config_t c;
    lln_config_default(&c, s->cell);
    c.input_size = s->inputs;
    c.units = s->units;
    if (s->ncp_out > 0) {
        c.wiring.kind = LLN_WIRING_AUTONCP;
        c.wiring.seed = 22222;
        c.wiring.sparsity = 0.5;
        c.wiring.output_dim = s->ncp_out;
    }
    if (s->cell != LLN_CELL_LTC)
        c.mode = (lln_cfc_mode_t)s->mode;
    if (s->cell == LLN_CELL_CFC) {
        c.backbone_layers = s->bb_layers;
        c.backbone_units = s->bb_units;
        c.activation = (lln_activation_t)s->act;
        c.proj_size = s->proj;
    }
    lln_model_t *m = NULL;
    lln_error_t err = {LLN_OK, ""};
    if (lln_model_create(&c, 3, &m, &err) != LLN_OK) {
        CHECK_MSG(0, "create: %s", err.msg);
        return NULL;
    }
    static double x[B * T * 600];
    for (int k = 0; k < B * T * s->inputs; k++)
        x[k] = 2.0 * ((k * 37 % 101) / 100.0) - 1.0;
    if (lln_quant_calibrate(m, B, T, x, NULL, &err) != LLN_OK) {
        CHECK_MSG(0, "calibrate: %s", err.msg);
        lln_model_free(m);
        return NULL;
    }
    return m;
}

static int checked, paths[5]; /* paths[k]: models the export gives path k */

static void check_shape(const shape_t *s)
{
    lln_model_t *m = make(s);
    if (m == NULL)
        return;
    lln_quant_t *q = NULL;
    lln_error_t err = {LLN_OK, ""};
    CHECK_MSG(lln_quant_create(m, &q, &err) == LLN_OK, "%s", err.msg);
    if (q != NULL) {
        int spec = lln__export_q_spec_ok(&q->img), dspec = lln__export_q_dspec_ok(&q->img);
        int want = s->cell == LLN_CELL_LTC ? 4 : spec ? 2 : dspec ? 3 : 1;
        int got = estimate_path(m);
        CHECK_MSG(got == want,
                  "cell %d, %d inputs, %d units, backbone %d x %d, activation %d, mode %d, "
                  "proj %d, ncp outputs %d: the estimate assumes path %d, the export writes %d "
                  "(1 generic, 2 specialised, 3 DSP, 4 LTC)",
                  (int)s->cell, s->inputs, s->units, s->bb_layers, s->bb_units, s->act, s->mode,
                  s->proj, s->ncp_out, got, want);
        checked++;
        paths[want]++;
        lln_quant_free(q);
    }
    lln_model_free(m);
}

int main(void)
{
    static const int inputs[] = {3, 4, 8}, units[] = {6, 7, 14}, bb[] = {16, 18, 28};
    static const int acts[] = {LLN_ACT_LECUN_TANH, LLN_ACT_TANH, LLN_ACT_RELU};
    int n = 0;
    /* dense CfC: every mode and activation, 0..2 backbone layers, odd/even sizes */
    for (int l = 0; l <= 2; l++)
        for (int md = 0; md < 3; md++)
            for (int a = 0; a < 3; a++)
                for (int v = 0; v < 3; v++, n++) {
                    shape_t s = {LLN_CELL_CFC,
                                 inputs[(v + n) % 3],
                                 units[(v + a) % 3],
                                 l,
                                 bb[(v + md) % 3],
                                 acts[a],
                                 md,
                                 0,
                                 0};
                    check_shape(&s);
                }
    /* the width bounds: no backbone at inputs + units = 64 / 65; the DSP step near the
     * quantizer's 511-input bound (backbone units a multiple of 4 or not) */
    static const shape_t edge[] = {
        {LLN_CELL_CFC, 8, 56, 0, 16, LLN_ACT_TANH, 0, 0, 0},
        {LLN_CELL_CFC, 9, 56, 0, 16, LLN_ACT_TANH, 0, 0, 0},
        {LLN_CELL_CFC, 8, 32, 1, 64, LLN_ACT_TANH, 0, 2, 0}, /* a projection */
        {LLN_CELL_CFC, 8, 32, 0, 64, LLN_ACT_TANH, 0, 2, 0},
        {LLN_CELL_CFC, 254, 256, 1, 16, LLN_ACT_TANH, 0, 0, 0},
        {LLN_CELL_CFC, 8, 32, 1, 508, LLN_ACT_TANH, 1, 0, 0},
        {LLN_CELL_CFC, 8, 32, 1, 510, LLN_ACT_TANH, 1, 0, 0},
        /* wired CfC: small, and wider than 64 in inputs + units with narrower layers */
        {LLN_CELL_WIRED_CFC, 8, 19, 0, 0, 0, 0, 0, 4},
        {LLN_CELL_WIRED_CFC, 3, 12, 0, 0, 0, 1, 0, 2},
        {LLN_CELL_WIRED_CFC, 8, 19, 0, 0, 0, LLN_CFC_PURE, 0, 4},
        {LLN_CELL_WIRED_CFC, 8, 60, 0, 0, 0, 0, 0, 8},
        {LLN_CELL_WIRED_CFC, 30, 48, 0, 0, 0, 0, 0, 4},
        {LLN_CELL_LTC, 8, 19, 0, 0, 0, 0, 0, 4},
    };
    for (size_t i = 0; i < sizeof edge / sizeof edge[0]; i++)
        check_shape(&edge[i]);
    int total = n + (int)(sizeof edge / sizeof edge[0]);
    printf("%d models: the estimate and the export agree on the step of %d\n", total,
           checked - check_failures_);
    printf("generic %d, specialised %d, DSP %d, LTC %d\n", paths[1], paths[2], paths[3], paths[4]);
    CHECK(checked == total);
    for (int k = 1; k <= 4; k++) /* the grid reaches every path */
        CHECK_MSG(paths[k] > 0, "no model took path %d", k);
    return check_failures_;
}
