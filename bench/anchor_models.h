/* The five anchor models of shared/anchors/ncps-speed.md (8 inputs), as the speed benchmark
 * (bench/bench_speed.c) and the instruction-count gate (tools/lln_perfcount.c) both build
 * them: ltc_ncp19, ltc_fc32, cfc32, cfc64, wcfc_ncp19. One definition, so the two always
 * measure the same models. */
#ifndef LLN_BENCH_ANCHOR_MODELS_H
#define LLN_BENCH_ANCHOR_MODELS_H

#include <string.h>

#include "lln/model.h"

#define LLN_ANCHOR_INPUTS 8

static inline lln_status_t lln_anchor_model(const char *id, lln_model_t **m, lln_error_t *err)
{
    lln_config_t c;
    int ltc = strncmp(id, "ltc", 3) == 0, wired = strncmp(id, "wcfc", 4) == 0;
    lln_config_default(&c, ltc ? LLN_CELL_LTC : wired ? LLN_CELL_WIRED_CFC : LLN_CELL_CFC);
    c.input_size = LLN_ANCHOR_INPUTS;
    if (strcmp(id, "ltc_ncp19") == 0 || wired) {
        lln_wiring_spec_default(&c.wiring, LLN_WIRING_AUTONCP); /* seed 22222 */
        c.wiring.units = 19;
        c.wiring.output_dim = 4;
    } else if (strcmp(id, "ltc_fc32") == 0) {
        lln_wiring_spec_default(&c.wiring, LLN_WIRING_FULL); /* output_dim = units */
        c.wiring.units = 32;
    } else {
        c.units = strcmp(id, "cfc64") == 0 ? 64 : 32;
    }
    return lln_model_create(&c, 1234, m, err);
}

#endif
