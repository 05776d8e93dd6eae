/* lln_sequence_mt runs on a pool of threads the model keeps between calls (src/core/state.c).
 * This test steps ONE model from several application threads at once, each with its own
 * state and its own thread count, so the calls contend for the model's pool: the call that
 * holds it runs there, the others on a pool of their own, and a call with another thread
 * count restarts it. Every call must still give exactly lln_sequence's bits, and freeing the
 * model afterwards stops the pool's threads (the sanitizer and valgrind runs of ctest see
 * any leak). */
#include <pthread.h>
#include <string.h>

#include "check.h"
#include "lln/model.h"

enum { B = 40, T = 6, APPS = 3, CALLS = 25, MAXW = 8 };

typedef struct app {
    const lln_model_t *m;
    const float *x, *dt, *yref;
    int threads[2]; /* alternated call by call */
    int bad, failed;
} app_t;

static void *app_run(void *arg)
{
    app_t *a = arg;
    int O = lln_model_output_size(a->m);
    lln_state_t *s = NULL;
    if (lln_state_create(a->m, LLN_F32, B, &s) != LLN_OK) {
        a->failed = 1;
        return NULL;
    }
    float *out = calloc((size_t)B * T * (size_t)O, sizeof *out);
    if (out == NULL) {
        a->failed = 1;
        lln_state_free(s);
        return NULL;
    }
    for (int call = 0; call < CALLS; call++) {
        lln_state_reset(s);
        if (lln_sequence_mt(a->m, s, a->threads[call % 2], T, a->x, a->dt, out, NULL) != LLN_OK)
            a->failed++;
        else
            a->bad += memcmp(out, a->yref, (size_t)B * T * (size_t)O * sizeof *out) != 0;
    }
    free(out);
    lln_state_free(s);
    return NULL;
}

static void check_model(lln_cell_kind_t cell, int backbone, const char *what)
{
    lln_config_t c;
    lln_config_default(&c, cell);
    c.input_size = 3;
    c.units = 8;
    if (cell == LLN_CELL_CFC)
        c.backbone_layers = backbone;
    lln_model_t *m = NULL;
    lln_error_t err = {LLN_OK, ""};
    CHECK_MSG(lln_model_create(&c, 7, &m, &err) == LLN_OK, "%s: %s", what, err.msg);
    if (m == NULL)
        return;
    int I = lln_model_input_size(m), O = lln_model_output_size(m);
    CHECK(O <= MAXW);
    static float x[B * T * 3], dt[B * T], yref[B * T * MAXW];
    for (int i = 0; i < B * T * I; i++)
        x[i] = (float)(0.7 * __builtin_sin(0.11 * i));
    for (int i = 0; i < B * T; i++)
        dt[i] = 0.5f + 0.25f * (float)(i % 3);
    lln_state_t *s;
    CHECK(lln_state_create(m, LLN_F32, B, &s) == LLN_OK);
    CHECK(lln_sequence(m, s, T, x, dt, yref, NULL) == LLN_OK);
    lln_state_reset(s);
    /* the model's pool exists before the application threads start */
    static float y[B * T * MAXW];
    CHECK(lln_sequence_mt(m, s, 2, T, x, dt, y, NULL) == LLN_OK);
    CHECK_MSG(memcmp(y, yref, (size_t)B * T * (size_t)O * sizeof *y) == 0,
              "%s: 2 threads differ from lln_sequence", what);
    lln_state_free(s);

    app_t apps[APPS] = {{m, x, dt, yref, {2, 2}, 0, 0},
                        {m, x, dt, yref, {2, 3}, 0, 0},
                        {m, x, dt, yref, {4, 1}, 0, 0}};
    pthread_t tid[APPS];
    int started[APPS];
    for (int k = 0; k < APPS; k++)
        started[k] = pthread_create(&tid[k], NULL, app_run, &apps[k]) == 0;
    for (int k = 0; k < APPS; k++) {
        CHECK_MSG(started[k], "%s: application thread %d did not start", what, k);
        if (started[k])
            pthread_join(tid[k], NULL);
        CHECK_MSG(apps[k].failed == 0, "%s: app %d: %d calls failed", what, k, apps[k].failed);
        CHECK_MSG(apps[k].bad == 0, "%s: app %d (threads %d/%d): %d of %d calls differ", what, k,
                  apps[k].threads[0], apps[k].threads[1], apps[k].bad, CALLS);
    }
    lln_model_free(m);
}

int main(void)
{
    check_model(LLN_CELL_CFC, 1, "cfc (dense, backbone: chunks of 4 streams)");
    check_model(LLN_CELL_LTC, 0, "ltc (16-stream chunks)");
    return check_failures_ ? 1 : 0;
}
