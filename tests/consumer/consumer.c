/* A program outside the liquid-edge tree, built against an installed liquid-edge with
 * CMake (find_package(lln)) and with pkg-config: creates an LTC AutoNCP(12, 3) model,
 * round-trips it through the model file format in memory (which uses zlib's CRC-32, so a
 * static link needs the package's zlib dependency), steps the loaded model over a short
 * signal, and checks every output is finite, that dt = 0 is refused, and that the library
 * reports the version it was built against (LLN_EXPECT_VERSION, when given).
 * Exit status 0 = the installed library works. */
#include <lln/lln.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define INPUTS 4
#define STEPS 50

int main(void)
{
    lln_config_t cfg;
    lln_model_t *m = NULL, *made = NULL;
    unsigned char *bytes = NULL;
    size_t nbytes = 0;
    lln_state_t *s = NULL;
    lln_error_t err;
    float x[INPUTS], y[16];
    int t, i, outputs, bad = 0;

    lln_config_default(&cfg, LLN_CELL_LTC);
    cfg.input_size = INPUTS;
    if (lln_config_set(&cfg, "wiring", "autoncp", &err) != LLN_OK ||
        lln_config_set(&cfg, "wiring.units", "12", &err) != LLN_OK ||
        lln_config_set(&cfg, "wiring.output_dim", "3", &err) != LLN_OK) {
        fprintf(stderr, "consumer: config: %s\n", err.msg);
        return 1;
    }
    if (lln_model_create(&cfg, 7, &made, &err) != LLN_OK) {
        fprintf(stderr, "consumer: lln_model_create: %s\n", err.msg);
        return 1;
    }
    if (lln_model_save_mem(made, &bytes, &nbytes, &err) != LLN_OK ||
        lln_model_load_mem(bytes, nbytes, "consumer", &m, &err) != LLN_OK) {
        fprintf(stderr, "consumer: model file round trip: %s\n", err.msg);
        free(bytes);
        lln_model_free(made);
        return 1;
    }
    free(bytes);
    lln_model_free(made);
    outputs = lln_model_output_size(m);
    if (outputs != 3 || lln_model_input_size(m) != INPUTS) {
        fprintf(stderr, "consumer: unexpected sizes %d -> %d\n", lln_model_input_size(m), outputs);
        lln_model_free(m);
        return 1;
    }
    if (lln_state_create(m, LLN_F32, 1, &s) != LLN_OK) {
        fprintf(stderr, "consumer: lln_state_create failed\n");
        lln_model_free(m);
        return 1;
    }
    for (t = 0; t < STEPS; t++) {
        lln_status_t st;
        for (i = 0; i < INPUTS; i++)
            x[i] = (float)sin(0.1 * t + i);
        st = lln_step(m, s, x, 0.05f, y);
        if (st != LLN_OK) {
            fprintf(stderr, "consumer: lln_step: %s\n", lln_strerror(st));
            bad = 1;
            break;
        }
        for (i = 0; i < outputs; i++)
            if (!isfinite(y[i]))
                bad = 1;
    }
    if (lln_step(m, s, x, 0.0f, y) != LLN_E_DT) { /* dt <= 0 must be refused */
        fprintf(stderr, "consumer: dt = 0 was not refused\n");
        bad = 1;
    }
#ifdef LLN_EXPECT_VERSION
    if (strcmp(lln_version(), LLN_EXPECT_VERSION) != 0) {
        fprintf(stderr, "consumer: library version %s, expected %s\n", lln_version(),
                LLN_EXPECT_VERSION);
        bad = 1;
    }
#endif
    if (!bad)
        printf("consumer: liblln %s, model file %lu bytes, %d steps, y = %.6f %.6f %.6f\n",
               lln_version(), (unsigned long)nbytes, STEPS, y[0], y[1], y[2]);
    lln_state_free(s);
    lln_model_free(m);
    return bad;
}
