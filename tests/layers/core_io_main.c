/* The layer check (docs/DESIGN.md, "Layout"): this program is linked from the objects of
 * src/common, src/core and src/io alone, without threads and without the training, data,
 * deployment and profile layers (cmake/layers.cmake). Linking proves that core and io call
 * nothing above them; running proves the lower layers work on their own: a model is created,
 * saved to memory, loaded back and run, and the two runs must agree bit for bit. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "lln/format.h"
#include "lln/model.h"

/* Five steps of two inputs; y gets 5 x outputs values. */
static int run(const lln_model_t *m, float *y)
{
    static const float x[2 * 5] = {0.5f, -1, 0.25f, 0.75f, -0.5f, 1, 0, 0.125f, 2, -2};
    static const float dt[5] = {1, 0.5f, 1, 2, 1};
    lln_state_t *s;
    if (lln_state_create(m, LLN_F32, 1, &s) != LLN_OK)
        return 0;
    int ok = lln_sequence(m, s, 5, x, dt, y, NULL) == LLN_OK;
    lln_state_free(s);
    return ok;
}

int main(void)
{
    lln_config_t c;
    lln_config_default(&c, LLN_CELL_LTC);
    c.input_size = 2;
    c.units = 6, c.output_size = 2;
    lln_model_t *m = NULL, *back = NULL;
    lln_error_t err = {LLN_OK, ""};
    CHECK_MSG(lln_model_create(&c, 7, &m, &err) == LLN_OK, "create: %s", err.msg);
    CHECK_MSG(lln_model_prepare(m, &err) == LLN_OK, "prepare: %s", err.msg);
    unsigned char *buf = NULL;
    size_t len = 0;
    CHECK_MSG(lln_model_save_mem(m, &buf, &len, &err) == LLN_OK, "save: %s", err.msg);
    CHECK_MSG(lln_model_load_mem(buf, len, "memory", &back, &err) == LLN_OK, "load: %s", err.msg);
    size_t n = 5 * (size_t)lln_model_output_size(m);
    CHECK_EQ_INT(lln_model_output_size(back), lln_model_output_size(m));
    float *y1 = calloc(n, sizeof *y1), *y2 = calloc(n, sizeof *y2);
    CHECK(y1 && y2 && run(m, y1) && run(back, y2));
    CHECK_MSG(y1 && y2 && memcmp(y1, y2, n * sizeof *y1) == 0,
              "outputs differ after a save/load round trip");
    free(y1), free(y2), free(buf);
    lln_model_free(m);
    lln_model_free(back);
    return check_done("test_layers");
}
