/* libFuzzer target for the float32 and float64 steps (lln_step, lln_step_batch,
 * lln_sequence and their _f64 forms) on fuzzer-chosen models and inputs.
 *
 *   CI_FUZZ_SECONDS=60 bash .ci/stages/fuzz.sh      builds and runs every target, or by hand
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -Iinclude -Isrc tools/fuzz_step.c \
 *         build-ci/build-fuzz/liblln.a -lz -lm -o fuzz_step      (the stage's library build)
 *   mkdir -p corpus && ./fuzz_step -max_total_time=60 -max_len=512 corpus tests/corpus/step
 *
 * Input layout (every byte is used modulo its range, so any input is a valid program):
 *   16 header bytes, the model and the stream:
 *     0  cell = b % 3 (ltc, cfc, wired_cfc); mixed_memory = bit 2; dtype f64 = bit 3;
 *        state buffer: bit 4 = misaligned by 1 + (b >> 5) bytes instead of an exact-size block
 *     1  input_size = 1 + b % 6
 *     2  wiring kind = 1 + b % 4 (fc, random, ncp, autoncp; LTC and wired CfC);
 *        self_connections = bit 2 (fc)
 *     3  units = 1 + b % 24 (fc, random, dense CfC); autoncp: units = 3 + b % 22
 *     4  output_dim = b % 8 (fc/random, 0 = units; autoncp output_size = 1 + b % 8);
 *        ncp motor = 1 + b % 4
 *     5  sparsity: random = (b % 10) / 10; autoncp = 0.1 + (b % 10) / 10
 *     6  ncp inter = 1 + b % 6, command = 1 + (b >> 4) % 6
 *     7  ncp fanouts: sensory = 1 + b % 4, inter = 1 + (b >> 2) % 4,
 *        motor_fanin = 1 + (b >> 4) % 4, recurrent_command = (b >> 6) * 2
 *     8  LTC: ode_unfolds = 1 + b % 8, positivity = bit 3, input_mapping = (b >> 4) % 3,
 *        output_mapping = (b >> 6) % 3
 *     9  CfC: mode = b % 3, activation = (b >> 2) % 5, epsilon 0 instead of 1e-8 = bit 5
 *    10  backbone_layers = b % 4, backbone_units = 1 + (b >> 2) % 24
 *    11  proj_size = b % 5 (0: none)
 *    12  wiring seed, 13 model seed, 14 batch = 1 + b % 9
 *    15  bit 0: a baseline instead of byte 0's cell: gru, lstm, mlp = (b >> 1) % 3 (no mixed
 *        memory; units from byte 3, mlp: mlp_window = 1 + byte 3 % 8, hidden layers from
 *        byte 10, activation from byte 9)
 *   then operations until the data runs out (at most 48):
 *     op % 4: 0 lln_step (x: batch*I values, dt: 1 value)
 *             1 lln_step_batch (dt: NULL when bit 2 is set, else batch values)
 *             2 lln_sequence of 1 + (op >> 4) % 4 steps (dt NULL when bit 2 is set;
 *               y NULL when bit 3; states NULL when bit 6)
 *             3 lln_state_reset
 *     and each value is a selector byte plus payload (see next_value / next_dt):
 *     zero, small, raw float32 / float64 bits (NaN, inf, denormals), extremes, 1e30.
 *
 * Checked for every call:
 *   - the status is exactly what the arguments call for: LLN_E_DT when any used dt is
 *     not finite or <= 0, else LLN_E_RANGE when any x is not finite, else LLN_OK;
 *   - a failing call leaves the state (h and the LSTM memory) bit-for-bit unchanged;
 *   - when the call succeeds and every input since the last reset was bounded
 *     (|x| <= 1e6, 1e-6 <= dt <= 1e6), every output, every returned state and the new
 *     hidden state are finite. Unbounded but accepted inputs (x = 1e30, dt = 1e-40) may
 *     saturate to inf/NaN: they only taint the stream until the next reset.
 * A violated check aborts (the fuzzer reports it as a crash). ASan sees any access
 * outside the state block, which is allocated with the exact size lln_state_bytes() asks
 * for (or misaligned inside a block with only the documented slack). */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lln/model.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define X_BOUND 1e6
#define DT_MIN 1e-6
#define DT_MAX 1e6
#define MAX_OPS 48
#define MAX_BATCH 9
#define MAX_SEQ 4

typedef struct reader {
    const uint8_t *p;
    size_t n, pos;
    int eof;
} reader_t;

static unsigned next_byte(reader_t *r)
{
    if (r->pos >= r->n) {
        r->eof = 1;
        return 0;
    }
    return r->p[r->pos++];
}

static uint64_t next_bytes(reader_t *r, unsigned k)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < k; i++)
        v |= (uint64_t)next_byte(r) << (8 * i);
    return v;
}

static double from_f32_bits(uint32_t u)
{
    float f;
    memcpy(&f, &u, sizeof f);
    return (double)f;
}

static double from_f64_bits(uint64_t u)
{
    double d;
    memcpy(&d, &u, sizeof d);
    return d;
}

/* A special value: NaN, infinities, zeros, the smallest denormals, the largest finite. */
static double special(unsigned b)
{
    switch (b % 10) {
    case 0: return NAN;
    case 1: return INFINITY;
    case 2: return -INFINITY;
    case 3: return -0.0;
    case 4: return from_f32_bits(1u); /* smallest float denormal */
    case 5: return 4.9406564584124654e-324;
    case 6: return 3.4028234663852886e38; /* FLT_MAX */
    case 7: return -3.4028234663852886e38;
    case 8: return 1.7976931348623157e308;
    default: return 1.1754943508222875e-38; /* FLT_MIN */
    }
}

/* One input value (before rounding to the stream's precision). */
static double next_value(reader_t *r)
{
    unsigned sel = next_byte(r);
    switch (sel % 8) {
    case 0: return 0.0;
    case 1: return (double)(int8_t)next_byte(r) / 16.0;
    case 2: return (double)(int16_t)next_bytes(r, 2) / 64.0;
    case 3: return from_f32_bits((uint32_t)next_bytes(r, 4));
    case 4: return from_f64_bits(next_bytes(r, 8));
    case 5: return (sel & 8) ? -X_BOUND : X_BOUND;
    case 6: return (sel & 8) ? -1e30 : 1e30;
    default: return special(next_byte(r));
    }
}

/* One Δt: mostly positive and bounded, but also zero, negative, tiny, huge and special. */
static double next_dt(reader_t *r)
{
    unsigned sel = next_byte(r);
    switch (sel % 8) {
    case 0: return 1.0;
    case 1: return (1.0 + next_byte(r)) / 64.0;
    case 2: return (sel & 8) ? DT_MIN : DT_MAX;
    case 3: return from_f32_bits((uint32_t)next_bytes(r, 4));
    case 4: return from_f64_bits(next_bytes(r, 8));
    case 5: return (sel & 8) ? 0.0 : -(double)next_byte(r) / 8.0;
    case 6: return (sel & 8) ? 1e-30 : 1e30;
    default: return special(next_byte(r));
    }
}

/* ---- the model -------------------------------------------------------------------------- */

static lln_model_t *make_model(reader_t *r, int *f64, int *misalign, int *batch)
{
    uint8_t h[16];
    for (int i = 0; i < 16; i++)
        h[i] = (uint8_t)next_byte(r);
    if (r->eof)
        return NULL;
    lln_config_t c;
    lln_cell_kind_t cell = (lln_cell_kind_t)(h[0] % 3);
    if (h[15] & 1)
        cell = (lln_cell_kind_t)(LLN_CELL_GRU + (h[15] >> 1) % 3);
    lln_config_default(&c, cell);
    c.mixed_memory = cell < LLN_CELL_GRU && ((h[0] >> 2) & 1);
    *f64 = (h[0] >> 3) & 1;
    *misalign = (h[0] >> 4) & 1 ? 1 + (h[0] >> 5) : 0;
    c.input_size = 1 + h[1] % 6;
    if (cell == LLN_CELL_MLP) {
        c.mlp_window = 1 + h[3] % 8;
    } else if (cell == LLN_CELL_CFC || cell >= LLN_CELL_GRU) {
        c.units = 1 + h[3] % 24;
    } else {
        lln_wiring_kind_t kind = (lln_wiring_kind_t)(1 + h[2] % 4);
        lln_wiring_spec_t *w = &c.wiring;
        lln_wiring_spec_default(w, kind);
        w->seed = h[12];
        switch (kind) {
        case LLN_WIRING_FULL:
        case LLN_WIRING_RANDOM:
            w->units = 1 + h[3] % 24;
            w->output_dim = h[4] % 8;
            if (w->output_dim > w->units)
                w->output_dim = w->units;
            w->self_connections = (h[2] >> 2) & 1;
            w->sparsity = (h[5] % 10) / 10.0;
            break;
        case LLN_WIRING_NCP:
            w->inter = 1 + h[6] % 6;
            w->command = 1 + (h[6] >> 4) % 6;
            w->motor = 1 + h[4] % 4;
            w->sensory_fanout = 1 + h[7] % 4;
            w->inter_fanout = 1 + (h[7] >> 2) % 4;
            w->motor_fanin = 1 + (h[7] >> 4) % 4;
            w->recurrent_command = (h[7] >> 6) * 2;
            break;
        default: /* AutoNCP */
            w->units = 3 + h[3] % 22;
            w->output_dim = 1 + h[4] % 8;
            w->sparsity = 0.1 + (h[5] % 10) / 10.0;
            break;
        }
    }
    c.ode_unfolds = 1 + h[8] % 8;
    c.positivity = (lln_positivity_t)((h[8] >> 3) & 1);
    c.input_mapping = (lln_mapping_t)((h[8] >> 4) % 3);
    c.output_mapping = (lln_mapping_t)((h[8] >> 6) % 3);
    c.mode = (lln_cfc_mode_t)(h[9] % 3);
    c.activation = (lln_activation_t)((h[9] >> 2) % 5);
    if ((h[9] >> 5) & 1)
        c.epsilon = 0.0;
    c.backbone_layers = h[10] % 4;
    c.backbone_units = 1 + (h[10] >> 2) % 24;
    c.proj_size = h[11] % 5;
    *batch = 1 + h[14] % MAX_BATCH;
    lln_model_t *m = NULL;
    if (lln_model_create(&c, h[13], &m, NULL) != LLN_OK)
        return NULL; /* not every combination is a valid model */
    return m;
}

/* ---- one stream ---------------------------------------------------------------------------- */

typedef struct stream {
    const lln_model_t *m;
    lln_state_t *s;
    int f64, batch, I, O, N, NM; /* NM: LSTM memory size (0 without mixed memory) */
    int clean;                   /* every accepted input since the last reset was bounded */
    /* scratch for one call, in the stream's precision (float or double arrays) */
    void *x, *dt, *y, *st, *h0, *c0, *h1, *c1;
    double *xd, *dtd; /* the same values in double, for the checks */
} stream_t;

static size_t esize(const stream_t *s) { return s->f64 ? sizeof(double) : sizeof(float); }

static void put(const stream_t *s, void *arr, size_t i, double v)
{
    if (s->f64)
        ((double *)arr)[i] = v;
    else
        ((float *)arr)[i] = (float)v; /* out-of-range values round to inf, as callers' would */
}

static double get(const stream_t *s, const void *arr, size_t i)
{
    return s->f64 ? ((const double *)arr)[i] : (double)((const float *)arr)[i];
}

static int all_finite(const stream_t *s, const void *arr, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!isfinite(get(s, arr, i)))
            return 0;
    return 1;
}

static void fail(const char *what, const stream_t *s)
{
    fprintf(stderr, "fuzz_step: %s (%s, batch %d, I %d, O %d, N %d)\n", what,
            s->f64 ? "float64" : "float32", s->batch, s->I, s->O, s->N);
    abort();
}

/* Runs one operation; returns 0 when the input ran out. */
static int run_op(stream_t *s, reader_t *r)
{
    unsigned op = next_byte(r);
    if (r->eof)
        return 0;
    if (op % 4 == 3) {
        lln_state_reset(s->s);
        s->clean = 1;
        return 1;
    }
    size_t B = (size_t)s->batch, T = op % 4 == 2 ? 1 + (op >> 4) % MAX_SEQ : 1;
    size_t I = (size_t)s->I, O = (size_t)s->O, N = (size_t)s->N;
    size_t ndt = op % 4 == 0 ? 1 : (op & 4) ? 0 : B * T;
    int want_y = op % 4 != 2 || !(op & 8), want_st = op % 4 == 2 && !(op & 64);
    for (size_t i = 0; i < B * T * I; i++) {
        s->xd[i] = next_value(r);
        put(s, s->x, i, s->xd[i]);
        s->xd[i] = get(s, s->x, i); /* what the library sees */
    }
    for (size_t i = 0; i < ndt; i++) {
        s->dtd[i] = next_dt(r);
        put(s, s->dt, i, s->dtd[i]);
        s->dtd[i] = get(s, s->dt, i);
    }
    if (r->eof)
        return 0;

    lln_status_t want = LLN_OK;
    int bounded = 1;
    for (size_t i = 0; i < ndt; i++) {
        double d = s->dtd[i];
        double lim = s->f64 ? LLN_DT_MIN : (double)(float)LLN_DT_MIN; /* as the library */
        if (!(d >= lim) || !isfinite(d))
            want = LLN_E_DT;
        else if (d < DT_MIN * 0.999 || d > DT_MAX) /* 0.999: 1e-6 rounded to float */
            bounded = 0;
    }
    for (size_t i = 0; i < B * T * I; i++) {
        double v = s->xd[i];
        if (!isfinite(v)) {
            if (want == LLN_OK)
                want = LLN_E_RANGE;
        } else if (fabs(v) > X_BOUND) {
            bounded = 0;
        }
    }

    void *y = want_y ? s->y : NULL, *st = want_st ? s->st : NULL;
    const void *dt = ndt > 0 ? s->dt : NULL;
    if (lln_state_get(s->s, s->h0, s->NM ? s->c0 : NULL) != LLN_OK)
        fail("lln_state_get failed", s);
    lln_status_t got;
    if (s->f64) {
        const double *xv = s->x, *dv = dt;
        double *yv = y, *sv = st;
        got = op % 4 == 0   ? lln_step_f64(s->m, s->s, xv, *dv, yv)
              : op % 4 == 1 ? lln_step_batch_f64(s->m, s->s, xv, dv, yv)
                            : lln_sequence_f64(s->m, s->s, (int)T, xv, dv, yv, sv);
    } else {
        const float *xv = s->x, *dv = dt;
        float *yv = y, *sv = st;
        got = op % 4 == 0   ? lln_step(s->m, s->s, xv, *dv, yv)
              : op % 4 == 1 ? lln_step_batch(s->m, s->s, xv, dv, yv)
                            : lln_sequence(s->m, s->s, (int)T, xv, dv, yv, sv);
    }
    if (got != want) {
        fprintf(stderr, "fuzz_step: status %d (%s), expected %d (%s)\n", (int)got,
                lln_strerror(got), (int)want, lln_strerror(want));
        fail("wrong status", s);
    }
    if (lln_state_get(s->s, s->h1, s->NM ? s->c1 : NULL) != LLN_OK)
        fail("lln_state_get failed", s);
    size_t es = esize(s);
    if (got != LLN_OK) {
        if (memcmp(s->h0, s->h1, B * N * es) != 0 ||
            (s->NM && memcmp(s->c0, s->c1, B * N * es) != 0))
            fail("a failing call changed the state", s);
        return 1;
    }
    if (!bounded)
        s->clean = 0;
    if (!s->clean)
        return 1;
    if (!all_finite(s, s->h1, B * N) || (s->NM && !all_finite(s, s->c1, B * N)))
        fail("non-finite state after bounded inputs", s);
    if (y != NULL && !all_finite(s, y, B * T * O))
        fail("non-finite output after bounded inputs", s);
    if (st != NULL && !all_finite(s, st, B * T * N))
        fail("non-finite returned states after bounded inputs", s);
    return 1;
}

/* The state block: exactly lln_state_bytes() at a 16-byte aligned address, or misaligned by
 * 1..8 bytes inside a block that has the 15 bytes of slack lln_state_init() documents. */
static void *alloc_state(const stream_t *s, int misalign, size_t need, lln_state_t **out)
{
    lln_dtype_t dt = s->f64 ? LLN_F64 : LLN_F32;
    if (misalign == 0) {
        unsigned char *p = malloc(need);
        if (p != NULL && (uintptr_t)p % 16 == 0 &&
            lln_state_init(s->m, dt, s->batch, p, need, out) == LLN_OK)
            return p;
        free(p);
        misalign = 1;
    }
    unsigned char *p = malloc(need + 16);
    if (p == NULL)
        return NULL;
    unsigned char *buf = p + misalign;
    size_t shift = (16 - ((uintptr_t)buf % 16)) % 16;
    if (lln_state_init(s->m, dt, s->batch, buf, need + shift, out) != LLN_OK ||
        lln_state_init(s->m, dt, s->batch, buf, need + shift - 1, out) != LLN_E_RANGE ||
        lln_state_init(s->m, dt, s->batch, buf, need + shift, out) != LLN_OK) {
        fprintf(stderr, "fuzz_step: lln_state_init refused its documented size\n");
        abort();
    }
    return p;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    reader_t r = {data, size, 0, 0};
    int f64 = 0, misalign = 0, batch = 1;
    lln_model_t *m = make_model(&r, &f64, &misalign, &batch);
    if (m == NULL)
        return 0;
    stream_t s;
    memset(&s, 0, sizeof s);
    s.m = m;
    s.f64 = f64;
    s.batch = batch;
    s.I = lln_model_input_size(m);
    s.O = lln_model_output_size(m);
    s.N = lln_model_state_size(m);
    s.NM = lln_model_memory_size(m);
    s.clean = 1;
    size_t B = (size_t)batch, T = MAX_SEQ, es = esize(&s);
    size_t need = lln_state_bytes(m, f64 ? LLN_F64 : LLN_F32, batch);
    void *block = need > 0 ? alloc_state(&s, misalign, need, &s.s) : NULL;
    /* exact-size arrays, so ASan sees any access past the documented extents */
    s.x = malloc(B * T * (size_t)s.I * es);
    s.dt = malloc(B * T * es);
    s.y = malloc(B * T * (size_t)s.O * es);
    s.st = malloc(B * T * (size_t)s.N * es);
    s.h0 = malloc(B * (size_t)s.N * es);
    s.c0 = malloc(B * (size_t)s.N * es);
    s.h1 = malloc(B * (size_t)s.N * es);
    s.c1 = malloc(B * (size_t)s.N * es);
    s.xd = malloc(B * T * (size_t)s.I * sizeof *s.xd);
    s.dtd = malloc(B * T * sizeof *s.dtd);
    if (block != NULL && s.x && s.dt && s.y && s.st && s.h0 && s.c0 && s.h1 && s.c1 && s.xd &&
        s.dtd)
        for (int k = 0; k < MAX_OPS && run_op(&s, &r); k++)
            ;
    free(s.x);
    free(s.dt);
    free(s.y);
    free(s.st);
    free(s.h0);
    free(s.c0);
    free(s.h1);
    free(s.c1);
    free(s.xd);
    free(s.dtd);
    free(block);
    lln_model_free(m);
    return 0;
}
