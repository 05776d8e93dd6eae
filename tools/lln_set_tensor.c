/* lln_set_tensor: sets every value of one tensor of a model file, for tests that need a
 * model the trainer would never make (e.g. an output scale that overflows float32, so the
 * policy outputs infinity: lln sim must count that as a failed episode, not crash).
 *   lln_set_tensor MODEL.lln TENSOR VALUE OUT.lln
 * Public API only. Exit status 0 written, 1 bad model / tensor / value, 2 usage. */
#include <stdio.h>
#include <stdlib.h>

#include "lln/format.h"
#include "lln/model.h"

int main(int argc, char **argv)
{
    if (argc != 5) {
        fprintf(stderr, "usage: lln_set_tensor MODEL.lln TENSOR VALUE OUT.lln\n");
        return 2;
    }
    char *end;
    double v = strtod(argv[3], &end);
    if (end == argv[3] || *end != '\0') {
        fprintf(stderr, "lln_set_tensor: '%s' is not a number\n", argv[3]);
        return 2;
    }
    lln_model_t *m = NULL;
    lln_error_t err = {LLN_OK, ""};
    if (lln_model_load(argv[1], &m, &err) != LLN_OK) {
        fprintf(stderr, "lln_set_tensor: %s\n", err.msg);
        return 1;
    }
    const lln_tensor_info_t *t = lln_model_find(m, argv[2]);
    double *vals = t ? malloc(t->count * sizeof *vals) : NULL;
    int rc = 1;
    if (t == NULL)
        fprintf(stderr, "lln_set_tensor: %s has no tensor '%s'\n", argv[1], argv[2]);
    else if (vals == NULL)
        fprintf(stderr, "lln_set_tensor: out of memory\n");
    else {
        for (size_t i = 0; i < t->count; i++)
            vals[i] = v;
        if (lln_model_set(m, argv[2], vals, t->count, &err) != LLN_OK ||
            lln_model_save(m, argv[4], &err) != LLN_OK)
            fprintf(stderr, "lln_set_tensor: %s\n", err.msg);
        else
            rc = 0;
    }
    free(vals);
    lln_model_free(m);
    return rc;
}
