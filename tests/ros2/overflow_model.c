/* Writes a copy of an LTC model whose outputs overflow float32: reversal potentials of 1e30 pull
 * the state towards 1e30 and an output weight of 1e30 multiplies it (1e60 = inf), so lln-ros2's
 * guard against non-finite outputs can be tested: the node must drop those outputs, reset, and
 * publish the safe command instead. Only the public API.
 *   overflow_model IN.lln OUT.lln */
#include <stdio.h>
#include <stdlib.h>

#include "lln/data.h"
#include "lln/format.h"
#include "lln/model.h"

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: overflow_model IN.lln OUT.lln\n");
        return 2;
    }
    lln_model_t *m;
    lln_error_t err;
    if (lln_model_load(argv[1], &m, &err) != LLN_OK) {
        fprintf(stderr, "%s\n", err.msg);
        return 1;
    }
    static const char *const names[] = {"rnn_cell.erev", "rnn_cell.sensory_erev",
                                        "rnn_cell.output_w"};
    int rc = 1;
    double *v = NULL;
    for (int t = 0; t < 3 && rc; t++) {
        const lln_tensor_info_t *ti = lln_model_find(m, names[t]);
        if (ti == NULL) {
            snprintf(err.msg, sizeof err.msg, "no tensor %s (an LTC model is needed)", names[t]);
            rc = 0;
            break;
        }
        free(v);
        v = malloc(ti->count * sizeof *v);
        for (size_t k = 0; k < ti->count; k++)
            v[k] = 1e30;
        rc = lln_model_set(m, names[t], v, ti->count, &err) == LLN_OK;
    }
    rc = rc && lln_model_save(m, argv[2], &err) == LLN_OK;
    if (!rc)
        fprintf(stderr, "%s\n", err.msg);
    free(v);
    lln_model_free(m);
    return rc ? 0 : 1;
}
