/* `lln export`: the runtime tables of a model as const C (<prefix>_model.c/.h), the runtime
 * sources, an example main.c, and build glue (Make, CMake, ESP-IDF, Arduino, PlatformIO).
 * Generated code is data: the logic stays in the runtime sources shipped beside it. */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "lln/util.h"
#include "lln/export.h"
#include "rt_image.h"
#include "lln/util.h"
#include "export_q.h"
#include "common/alloc.h"
#include "common/platform.h"

extern const unsigned char lln__rt_header[], lln__rt_source[], lln__fx_header[], lln__fx_source[];
extern const unsigned char lln__rtq_header[], lln__rtq_source[], lln__rtq_spec_header[];
extern const size_t lln__rt_header_len, lln__rt_source_len, lln__fx_header_len, lln__fx_source_len;
extern const size_t lln__rtq_header_len, lln__rtq_source_len, lln__rtq_spec_header_len;

typedef struct {
    const char *name, *cc, *cflags, *about;
} target_t;

static const target_t TARGETS[] = {
    {"cortex-m0", "arm-none-eabi-gcc", "-mthumb -mcpu=cortex-m0 -mfloat-abi=soft",
     "Armv6-M, no FPU"},
    {"cortex-m3", "arm-none-eabi-gcc", "-mthumb -mcpu=cortex-m3 -mfloat-abi=soft",
     "Armv7-M, no FPU"},
    {"cortex-m4", "arm-none-eabi-gcc", "-mthumb -mcpu=cortex-m4 -mfloat-abi=soft",
     "Armv7E-M (DSP), no FPU"},
    {"cortex-m4f", "arm-none-eabi-gcc",
     "-mthumb -mcpu=cortex-m4 -mfloat-abi=hard -mfpu=fpv4-sp-d16",
     "Armv7E-M, single-precision FPU"},
    {"cortex-m7", "arm-none-eabi-gcc", "-mthumb -mcpu=cortex-m7 -mfloat-abi=hard -mfpu=fpv5-d16",
     "Armv7E-M, double-precision FPU"},
    {"cortex-m33", "arm-none-eabi-gcc",
     "-mthumb -mcpu=cortex-m33 -mfloat-abi=hard -mfpu=fpv5-sp-d16", "Armv8-M Mainline, FPU"},
    {"cortex-m55", "arm-none-eabi-gcc", "-mthumb -mcpu=cortex-m55 -mfloat-abi=hard",
     "Armv8.1-M, FPU + Helium"},
    {"rv32imc", "riscv64-unknown-elf-gcc", "-march=rv32imc -mabi=ilp32 --specs=picolibc.specs",
     "RISC-V RV32IMC (ESP32-C3 class), no FPU"},
    {"rv32imafc", "riscv64-unknown-elf-gcc", "-march=rv32imafc -mabi=ilp32f --specs=picolibc.specs",
     "RISC-V RV32IMAFC, single-precision FPU"},
    {"generic", "cc", "", "any C99 compiler (host)"},
};
#define NTARGETS (sizeof TARGETS / sizeof TARGETS[0])

const char *const *lln_export_targets(void)
{
    static const char *names[NTARGETS + 1];
    for (size_t i = 0; i < NTARGETS; i++)
        names[i] = TARGETS[i].name;
    names[NTARGETS] = NULL;
    return names;
}

static const target_t *find_target(const char *name)
{
    for (size_t i = 0; name != NULL && i < NTARGETS; i++)
        if (strcmp(TARGETS[i].name, name) == 0)
            return &TARGETS[i];
    return NULL;
}

typedef lln_text_t text_t;

/* What differs between the float32 and the fixed-point export. */
typedef struct {
    int fixed;
    const char *srcs[2], *objs, *hdrs, *what;
} flavour_t;
static const flavour_t FLOAT_FL = {
    0, {"lln_rt.c", NULL}, "lln_rt.o", "lln_rt.h", "float32 runtime"};
static const flavour_t FIXED_FL = {1,
                                   {"lln_fx.c", "lln_rtq.c"},
                                   "lln_fx.o lln_rtq.o",
                                   "lln_fx.h lln_rtq.h lln_rtq_spec.h lln_rtq_config.h",
                                   "fixed-point int8/int16 runtime"};

/* The tables of one export: float32 (rt_image) or fixed point (quantized image). */
typedef struct {
    const flavour_t *fl;
    lln_rt_image_t img;
    lln_quant_t *q;
    size_t w8; /* fixed point: the tables' bytes with int8 dense weights */
    lln_export_sizes_t s;
} image_t;

/* ---- checks and sizes ---------------------------------------------------------------------- */

static lln_status_t check_opts(const lln_export_opts_t *o, const char **prefix, lln_error_t *err)
{
    if (find_target(o->target) == NULL) {
        char list[256] = "";
        for (size_t i = 0; i < NTARGETS; i++)
            snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s", i ? ", " : "",
                     TARGETS[i].name);
        return lln_error_set(err, LLN_E_ARG, "export: unknown target '%s' (one of: %s)",
                             o->target ? o->target : "(none)", list);
    }
    *prefix = o->prefix && o->prefix[0] ? o->prefix : "lln";
    size_t n = strlen(*prefix);
    int ok = n <= 32 && (isalpha((unsigned char)(*prefix)[0]) || (*prefix)[0] == '_');
    for (size_t i = 0; ok && i < n; i++)
        ok = isalnum((unsigned char)(*prefix)[i]) || (*prefix)[i] == '_';
    if (!ok)
        return lln_error_set(err, LLN_E_ARG,
                             "export: prefix '%s' must be a C identifier of at most 32 characters",
                             *prefix);
    return LLN_OK;
}

static void sizes_of(const lln_rt_image_t *img, lln_export_sizes_t *s)
{
    s->weight_bytes =
        img->weight_bytes + sizeof(lln_rt_model_t) + img->model.ncells * sizeof(lln_rt_cfc_t) +
        (img->model.base ? sizeof(lln_rt_base_t) + img->model.base->nmlp * sizeof(lln_rt_dense_t)
                         : 0);
    s->state_bytes = img->model.state_floats * sizeof(float);
    s->scratch_bytes = img->model.scratch_floats * sizeof(float);
}

static lln_status_t check_limit(const lln_export_opts_t *o, const lln_export_sizes_t *s,
                                lln_error_t *err)
{
    size_t total = s->weight_bytes + s->state_bytes + s->scratch_bytes;
    size_t limit = o->memory_limit_kb > 0 ? (size_t)o->memory_limit_kb * 1024 : 0;
    if (limit > 0 && total > limit)
        return lln_error_set(err, LLN_E_RANGE,
                             "export: the model needs %zu bytes (weights %zu + state %zu + "
                             "scratch %zu), %zu bytes over the %ld KB limit",
                             total, s->weight_bytes, s->state_bytes, s->scratch_bytes,
                             total - limit, o->memory_limit_kb);
    return LLN_OK;
}

static lln_status_t image_build(const lln_model_t *m, const lln_export_opts_t *o, image_t *im,
                                lln_error_t *err)
{
    memset(im, 0, sizeof *im);
    im->fl = o->float_path ? &FLOAT_FL : &FIXED_FL;
    if (o->float_path) {
        lln_status_t st = lln__rt_image_build(m, &im->img, err);
        if (st == LLN_OK)
            sizes_of(&im->img, &im->s);
        return st;
    }
    if (!lln_model_is_quantized(m))
        return lln_error_set(
            err, LLN_E_ARG,
            "export: the model is not quantized: run `lln quantize MODEL --calib "
            "CSV -o MODEL.q.lln` first, or export the float32 runtime with --float");
    lln_status_t st = lln_quant_create(m, &im->q, err);
    if (st == LLN_OK) {
        lln_quant_sizes_t qs;
        lln_quant_sizes(im->q, &qs);
        im->s.weight_bytes = im->w8 = qs.weight_bytes;
        if (lln__export_q_w16_default(o->target)) /* the firmware's int16 dense weights */
            im->s.weight_bytes += lln__export_q_w16_extra(&im->q->img);
        if (lln__export_q_dspec_default(o->target) && lln__export_q_dspec_ok(&im->q->img))
            im->s.weight_bytes = /* its own tables */
                lln__export_q_dspec_bytes(&im->q->img, strcmp(o->target, "cortex-m55") == 0);
        im->s.state_bytes = qs.state_bytes;
        im->s.scratch_bytes = qs.scratch_bytes;
    }
    return st;
}

static void image_free(image_t *im)
{
    if (im->fl->fixed)
        lln_quant_free(im->q);
    else
        lln__rt_image_free(&im->img);
}

lln_status_t lln_export_sizes(const lln_model_t *m, const lln_export_opts_t *o,
                              lln_export_sizes_t *sizes, lln_error_t *err)
{
    const char *prefix;
    image_t im;
    lln_status_t st = check_opts(o, &prefix, err);
    if (st == LLN_OK && (st = image_build(m, o, &im, err)) == LLN_OK) {
        *sizes = im.s;
        image_free(&im);
        st = check_limit(o, sizes, err);
    }
    return st;
}

/* ---- the model source ---------------------------------------------------------------------- */

/* A float literal that parses back to exactly v: %.9g round-trips every float; a '.0' makes
 * integral values float literals ("1" -> "1.0f"). */
static void put_float(text_t *t, float v)
{
    char buf[32];
    snprintf(buf, sizeof buf, "%.9g", (double)v);
    lln_text_put(t, "%s%sf", buf, strpbrk(buf, ".e") ? "" : ".0");
}

static void put_array(text_t *t, const char *prefix, const lln_rt_array_t *a)
{
    lln_text_put(t, "static const %s %s_%s[%zu] = {", a->is_u16 ? "uint16_t" : "float", prefix,
                 a->name, a->n ? a->n : 1);
    for (size_t i = 0; i < a->n; i++) {
        if (i % 8 == 0)
            lln_text_put(t, "\n   ");
        if (a->is_u16)
            lln_text_put(t, " %u,", (unsigned)((const uint16_t *)a->data)[i]);
        else {
            lln_text_put(t, " ");
            put_float(t, ((const float *)a->data)[i]);
            lln_text_put(t, ",");
        }
    }
    lln_text_put(t, a->n ? "\n};\n" : " 0};\n");
}

/* "prefix_name" for a table pointer, or "0". */
static void put_ref(text_t *t, const lln_rt_image_t *img, const char *prefix, const void *p)
{
    const char *name = lln__rt_image_name(img, p);
    if (name)
        lln_text_put(t, "%s_%s", prefix, name);
    else
        lln_text_put(t, "0");
}

static void put_dense(text_t *t, const lln_rt_image_t *img, const char *prefix,
                      const lln_rt_dense_t *d)
{
    lln_text_put(t, "{%u, %u, ", (unsigned)d->out, (unsigned)d->in);
    put_ref(t, img, prefix, d->w);
    lln_text_put(t, ", ");
    put_ref(t, img, prefix, d->b);
    lln_text_put(t, "}");
}

static void put_ltc(text_t *t, const lln_rt_image_t *img, const char *p)
{
    const lln_rt_ltc_t *l = &img->model.ltc;
    const void *ptrs[] = {l->in_w,  l->in_b,    l->out_w,   l->out_b, l->cm_k, l->gleak, l->gvleak,
                          l->s_off, l->s_src,   l->s_sigma, l->s_mu,  l->s_w,  l->s_we,  l->r_off,
                          l->r_src, l->r_sigma, l->r_mu,    l->r_w,   l->r_we};
    lln_text_put(t, "{%u, ", (unsigned)l->unfolds);
    put_float(t, l->eps);
    for (size_t i = 0; i < sizeof ptrs / sizeof ptrs[0]; i++) {
        lln_text_put(t, ", ");
        put_ref(t, img, p, ptrs[i]);
    }
    lln_text_put(t, "}");
}

static void put_cells(text_t *t, const lln_rt_image_t *img, const char *p)
{
    const lln_rt_model_t *r = &img->model;
    const lln_rt_base_t *bs = r->base;
    if (bs != NULL && bs->nmlp > 0) { /* the MLP baseline's hidden layers */
        lln_text_put(t, "static const lln_rt_dense_t %s_mlp[%u] = {\n", p, (unsigned)bs->nmlp);
        for (unsigned k = 0; k < bs->nmlp; k++) {
            lln_text_put(t, "    ");
            put_dense(t, img, p, &bs->mlp[k]);
            lln_text_put(t, ",\n");
        }
        lln_text_put(t, "};\n");
    }
    if (bs != NULL) { /* the baselines' tables */
        lln_text_put(t, "static const lln_rt_base_t %s_base = {", p);
        put_dense(t, img, p, &bs->rnn_ih);
        lln_text_put(t, ", ");
        put_dense(t, img, p, &bs->rnn_hh);
        lln_text_put(t, ", %u, %s%s};\n", (unsigned)bs->nmlp, bs->nmlp ? p : "0",
                     bs->nmlp ? "_mlp" : "");
    }
    if (r->ncells == 0)
        return;
    if (r->cfc[0].nbackbone > 0) {
        lln_text_put(t, "static const lln_rt_dense_t %s_backbone[%u] = {\n", p,
                     (unsigned)r->cfc[0].nbackbone);
        for (unsigned k = 0; k < r->cfc[0].nbackbone; k++) {
            lln_text_put(t, "    ");
            put_dense(t, img, p, &r->cfc[0].backbone[k]);
            lln_text_put(t, ",\n");
        }
        lln_text_put(t, "};\n");
    }
    lln_text_put(t, "static const lln_rt_cfc_t %s_cells[%u] = {\n", p, (unsigned)r->ncells);
    for (unsigned l = 0; l < r->ncells; l++) {
        const lln_rt_cfc_t *c = &r->cfc[l];
        lln_text_put(t, "    {%u, %u, %u, %s%s, ", (unsigned)c->in, (unsigned)c->hidden,
                     (unsigned)c->nbackbone, c->nbackbone ? p : "0",
                     c->nbackbone ? "_backbone" : "");
        put_dense(t, img, p, &c->heads);
        lln_text_put(t, ", ");
        put_ref(t, img, p, c->w_tau_abs);
        lln_text_put(t, ", ");
        put_ref(t, img, p, c->a);
        lln_text_put(t, "},\n");
    }
    lln_text_put(t, "};\n");
}

static void model_c(text_t *t, const lln_rt_image_t *img, const char *p, const lln_model_t *m)
{
    const lln_rt_model_t *r = &img->model;
    lln_text_put(
        t,
        "/* Generated by lln export (liquid-edge %s): the tables of one model. Do not edit. */\n",
        lln_version());
    lln_text_put(t, "#include \"%s_model.h\"\n\n", p);
    for (int i = 0; i < img->narrays; i++)
        put_array(t, p, &img->arrays[i]);
    put_cells(t, img, p);
    lln_text_put(
        t, "\nconst lln_rt_model_t %s_model = {\n    %u, %u, %u, %u, %u, %u, %u, %u,\n    ", p,
        (unsigned)r->cell, (unsigned)r->mode, (unsigned)r->activation, (unsigned)r->mixed_memory,
        (unsigned)r->inputs, (unsigned)r->units, (unsigned)r->outputs, (unsigned)r->cell_outputs);
    put_ltc(t, img, p);
    lln_text_put(t, ",\n    %u, %s%s,\n    ", (unsigned)r->ncells, r->ncells ? p : "0",
                 r->ncells ? "_cells" : "");
    put_dense(t, img, p, &r->lstm_in);
    lln_text_put(t, ", ");
    put_dense(t, img, p, &r->lstm_rec);
    lln_text_put(t, ", ");
    put_dense(t, img, p, &r->proj);
    lln_text_put(t, ",\n    ");
    const void *norm[] = {r->x_mean, r->x_inv_std, r->y_mean, r->y_std};
    for (int i = 0; i < 4; i++) {
        put_ref(t, img, p, norm[i]);
        lln_text_put(t, ", ");
    }
    lln_text_put(t, "%lu, %lu,\n    ", (unsigned long)r->state_floats,
                 (unsigned long)r->scratch_floats);
    lln_text_put(t, "%s%s%s, %s};\n", r->base ? "&" : "", r->base ? p : "0", r->base ? "_base" : "",
                 r->baseline ? "lln_rt_baseline" : "0");
    (void)m;
}

static void upper(char *dst, const char *src, size_t cap)
{
    size_t i = 0;
    for (; src[i] && i + 1 < cap; i++)
        dst[i] = (char)toupper((unsigned char)src[i]);
    dst[i] = '\0';
}

/* The opening lines of <p>_model.h (both paths). */
static void model_head(text_t *t, const target_t *tg, const lln_model_t *m)
{
    lln_text_put(t, "/* Generated by lln export (liquid-edge %s) for %s (%s). Do not edit.\n",
                 lln_version(), tg->name, tg->about);
    lln_text_put(t, " * Model: %s cell, %d inputs, %d outputs, %d units. Memory is the caller's:\n",
                 lln_cell_name(lln_model_config(m)->cell), lln_model_input_size(m),
                 lln_model_output_size(m), lln_model_state_size(m));
}

static void model_h(text_t *t, const lln_rt_image_t *img, const char *p, const target_t *tg,
                    const lln_export_sizes_t *s, const lln_model_t *m)
{
    char P[40];
    upper(P, p, sizeof P);
    const lln_rt_model_t *r = &img->model;
    model_head(t, tg, m);
    lln_text_put(t, " *   static float state[%s_STATE_FLOATS], scratch[%s_SCRATCH_FLOATS];\n", P,
                 P);
    lln_text_put(t, " *   lln_rt_reset(&%s_model, state);\n", p);
    lln_text_put(
        t, " *   lln_rt_step(&%s_model, state, x, dt_seconds, y, scratch);   (0 = ok) */\n", p);
    lln_text_put(t, "#ifndef %s_MODEL_H\n#define %s_MODEL_H\n\n#include \"lln_rt.h\"\n\n", P, P);
    lln_text_put(t, "#define %s_INPUTS %u\n#define %s_OUTPUTS %u\n", P, (unsigned)r->inputs, P,
                 (unsigned)r->outputs);
    lln_text_put(t, "#define %s_STATE_FLOATS %lu\n#define %s_SCRATCH_FLOATS %lu\n", P,
                 (unsigned long)r->state_floats, P, (unsigned long)r->scratch_floats);
    lln_text_put(t, "#define %s_STATE_BYTES %zu   /* RAM per stream */\n", P, s->state_bytes);
    lln_text_put(t, "#define %s_SCRATCH_BYTES %zu /* RAM, shared by streams stepped in turn */\n",
                 P, s->scratch_bytes);
    lln_text_put(t, "#define %s_WEIGHT_BYTES %zu  /* const tables (flash) */\n\n", P,
                 s->weight_bytes);
    lln_text_put(t, "extern const lln_rt_model_t %s_model;\n\n#endif\n", p);
}

static void example_main(text_t *t, const char *p)
{
    char P[40];
    upper(P, p, sizeof P);
    lln_text_put(
        t, "/* Example: stream a few steps of a sine through the exported model (hosted C). */\n");
    lln_text_put(t, "#include <stdio.h>\n\n#include \"%s_model.h\"\n\n", p);
    lln_text_put(t, "static float state[%s_STATE_FLOATS], scratch[%s_SCRATCH_FLOATS];\n\n", P, P);
    lln_text_put(t, "int main(void)\n{\n    float x[%s_INPUTS], y[%s_OUTPUTS];\n", P, P);
    lln_text_put(t, "    lln_rt_reset(&%s_model, state);\n", p);
    lln_text_put(t, "    for (int t = 0; t < 10; t++) {\n");
    lln_text_put(t, "        for (int i = 0; i < %s_INPUTS; i++)\n", P);
    lln_text_put(t, "            x[i] = (float)((t * 7 + i * 3) %% 11) / 11.0f - 0.5f;\n");
    lln_text_put(
        t, "        if (lln_rt_step(&%s_model, state, x, 0.1f, y, scratch) != LLN_RT_OK)\n", p);
    lln_text_put(
        t, "            return 1;\n        printf(\"step %%d: y0 = %%g\\n\", t, (double)y[0]);\n");
    lln_text_put(t, "    }\n    return 0;\n}\n");
}

/* ---- build glue ------------------------------------------------------------------------------ */

static void makefile(text_t *t, const char *p, const target_t *tg, const flavour_t *fl)
{
    lln_text_put(t, "# Generated by lln export for %s (%s).\n", tg->name, tg->about);
    lln_text_put(
        t, "# `make` builds the runtime and model into lib%s.a (and, for the generic target, the\n",
        p);
    lln_text_put(
        t,
        "# example). -ffp-contract=off keeps results bit-identical to `lln verify`'s reference.\n");
    lln_text_put(t, "CC = %s\nAR ?= ar\n", strcmp(tg->name, "generic") == 0 ? "cc" : tg->cc);
    lln_text_put(t, "TARGET_FLAGS = %s\n", tg->cflags);
    lln_text_put(
        t, "CFLAGS ?= -std=c99 -O2 -Wall -Wextra\nCFLAGS += $(TARGET_FLAGS) -ffp-contract=off\n");
    lln_text_put(t, "OBJS = %s %s_model.o\n\n", fl->objs, p);
    lln_text_put(t, "all: lib%s.a%s\n\nlib%s.a: $(OBJS)\n\t$(AR) rcs $@ $(OBJS)\n\n", p,
                 strcmp(tg->name, "generic") == 0 ? " example" : "", p);
    lln_text_put(t, "example: main.c lib%s.a\n\t$(CC) $(CFLAGS) main.c lib%s.a -o $@\n\n", p, p);
    lln_text_put(t, "%%.o: %%.c %s %s_model.h\n\t$(CC) $(CFLAGS) -c $< -o $@\n\n", fl->hdrs, p);
    lln_text_put(t, "clean:\n\trm -f $(OBJS) lib%s.a example\n\n.PHONY: all clean\n", p);
}

static void cmakelists(text_t *t, const char *p, const target_t *tg, const flavour_t *fl)
{
    lln_text_put(t,
                 "# Generated by lln export for %s: add_subdirectory() this folder and link %s.\n",
                 tg->name, p);
    lln_text_put(t, "cmake_minimum_required(VERSION 3.13)\nproject(%s C)\n", p);
    lln_text_put(t, "add_library(%s STATIC %s%s%s %s_model.c)\n", p, fl->srcs[0],
                 fl->srcs[1] ? " " : "", fl->srcs[1] ? fl->srcs[1] : "", p);
    lln_text_put(t, "target_include_directories(%s PUBLIC ${CMAKE_CURRENT_SOURCE_DIR})\n", p);
    lln_text_put(t, "set_target_properties(%s PROPERTIES C_STANDARD 99 C_STANDARD_REQUIRED ON)\n",
                 p);
    lln_text_put(t, "target_compile_options(%s PRIVATE -ffp-contract=off)\n", p);
}

static void idf_cmake(text_t *t, const char *p, const flavour_t *fl)
{
    lln_text_put(t, "# ESP-IDF component generated by lln export (%s).\n", fl->what);
    lln_text_put(t, "idf_component_register(SRCS");
    for (int i = 0; i < 2 && fl->srcs[i]; i++)
        lln_text_put(t, " \"%s\"", fl->srcs[i]);
    lln_text_put(t, " \"%s_model.c\" INCLUDE_DIRS \".\")\n", p);
    lln_text_put(t, "target_compile_options(${COMPONENT_LIB} PRIVATE -ffp-contract=off)\n");
}

static void idf_yml(text_t *t, const char *p, const flavour_t *fl)
{
    lln_text_put(t, "# ESP-IDF component manifest generated by lln export.\n");
    lln_text_put(t,
                 "version: \"%s\"\ndescription: \"liquid-edge model %s: liquid neural network step "
                 "(%s)\"\n",
                 lln_version(), p, fl->what);
    lln_text_put(
        t,
        "url: \"https://github.com/liquid-edge/liquid-edge\"\ndependencies:\n  idf: \">=4.4\"\n");
}

static void arduino_props(text_t *t, const char *p, const flavour_t *fl)
{
    lln_text_put(t, "name=%s\nversion=%s\nauthor=lln export\nmaintainer=lln export\n", p,
                 lln_version());
    lln_text_put(t, "sentence=A liquid neural network (liquid-edge %s).\n", fl->what);
    lln_text_put(t, "paragraph=Generated by lln export: call %s(&%s_model, ...) every sample.\n",
                 fl->fixed ? "lln_rtq_step" : "lln_rt_step", p);
    lln_text_put(t, "category=Data Processing\nurl=https://github.com/liquid-edge/liquid-edge\n");
    lln_text_put(t, "architectures=*\nincludes=%s_model.h\n", p);
}

static void arduino_sketch(text_t *t, const char *p, const flavour_t *fl)
{
    char P[40];
    upper(P, p, sizeof P);
    lln_text_put(
        t, "// Example generated by lln export: one step per loop() with the elapsed time.\n");
    lln_text_put(t, "#include <%s_model.h>\n\n", p);
    if (fl->fixed)
        lln_text_put(t,
                     "static int16_t state[%s_STATE_LEN], s16[%s_SCRATCH16_LEN];\n"
                     "static int32_t s32[%s_SCRATCH32_LEN];\nstatic int16_t x[%s_INPUTS], "
                     "y[%s_OUTPUTS];\nstatic const int xf[%s_INPUTS] = %s_X_FRAC;\n",
                     P, P, P, P, P, P, P);
    else
        lln_text_put(t,
                     "static float state[%s_STATE_FLOATS], scratch[%s_SCRATCH_FLOATS];\n"
                     "static float x[%s_INPUTS], y[%s_OUTPUTS];\n",
                     P, P, P, P);
    lln_text_put(t,
                 "static unsigned long last;\n\nvoid setup() { Serial.begin(115200); %s(&%s_model, "
                 "state); last = micros(); }\n\n",
                 fl->fixed ? "lln_rtq_reset" : "lln_rt_reset", p);
    lln_text_put(t, "void loop() {\n  unsigned long now = micros();\n");
    if (fl->fixed) {
        lln_text_put(t,
                     "  // dt in the model's fixed point; a reading in [0, 1] into each input's\n");
        lln_text_put(t, "  int32_t dt = (int32_t)((now - last) * ((1UL << %s_DT_FRAC) / 1e6));\n",
                     P);
        lln_text_put(t, "  last = now;\n  for (int i = 0; i < %s_INPUTS; i++)\n", P);
        lln_text_put(t,
                     "    x[i] = (int16_t)(analogRead(A0) / 1023.0 * (1L << (xf[i] < 0 ? 0 : xf[i] "
                     "> 15 ? 15 : xf[i])));\n");
        lln_text_put(t,
                     "  if (dt > 0 && lln_rtq_step(&%s_model, state, x, dt, y, s16, s32) == "
                     "LLN_RTQ_OK)\n",
                     p);
        lln_text_put(t, "    Serial.println(y[0]);\n  delay(10);\n}\n");
        return;
    }
    lln_text_put(t, "  float dt = (now - last) * 1e-6f;\n  last = now;\n");
    lln_text_put(t, "  for (int i = 0; i < %s_INPUTS; i++) x[i] = analogRead(A0) / 1023.0f;\n", P);
    lln_text_put(
        t, "  if (dt > 0 && lln_rt_step(&%s_model, state, x, dt, y, scratch) == LLN_RT_OK)\n", p);
    lln_text_put(t, "    Serial.println(y[0], 6);\n  delay(10);\n}\n");
}

static void platformio(text_t *t, const char *p, const flavour_t *fl)
{
    lln_text_put(t, "{\n  \"name\": \"%s\",\n  \"version\": \"%s\",\n", p, lln_version());
    lln_text_put(t,
                 "  \"description\": \"liquid-edge model %s: liquid neural network step (%s), "
                 "generated by lln export\",\n",
                 p, fl->what);
    lln_text_put(t, "  \"keywords\": [\"neural network\", \"liquid\", \"ltc\", \"cfc\"],\n");
    lln_text_put(t, "  \"frameworks\": \"*\",\n  \"platforms\": \"*\",\n  \"build\": {\n");
    lln_text_put(t, "    \"srcFilter\": [");
    for (int i = 0; i < 2 && fl->srcs[i]; i++)
        lln_text_put(t, "\"+<%s>\", ", fl->srcs[i]);
    lln_text_put(t, "\"+<%s_model.c>\"],\n", p);
    lln_text_put(t, "    \"flags\": [\"-std=c99\", \"-ffp-contract=off\"]\n  }\n}\n");
}

/* ---- writing ------------------------------------------------------------------------------- */

static lln_status_t make_dir(const char *dir, lln_error_t *err)
{
    if (lln__mkdir(dir) != 0 && errno != EEXIST)
        return lln_error_set(err, LLN_E_IO, "export: cannot create folder %s: %s", dir,
                             strerror(errno));
    struct stat sb;
    if (stat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode))
        return lln_error_set(err, LLN_E_IO, "export: %s is not a folder", dir);
    return LLN_OK;
}

static lln_status_t write_file(const char *dir, const char *name, const void *data, size_t len,
                               lln_error_t *err)
{
    char path[4096];
    if ((size_t)snprintf(path, sizeof path, "%s/%s", dir, name) >= sizeof path)
        return lln_error_set(err, LLN_E_ARG, "export: path too long: %s/%s", dir, name);
    return lln_write_atomic(path, data, len, err);
}

static lln_status_t write_text(const char *dir, const char *name, text_t *t, lln_error_t *err)
{
    lln_status_t st = t->oom ? lln_error_set(err, LLN_E_NOMEM, "export: out of memory")
                             : write_file(dir, name, t->s ? t->s : "", t->len, err);
    lln__free(t->s);
    memset(t, 0, sizeof *t);
    return st;
}

/* The runtime, the model pair: everything a build of the model needs, into dir. */
static lln_status_t write_sources(const char *dir, const char *p, const image_t *im,
                                  const target_t *tg, const lln_model_t *m, lln_error_t *err)
{
    struct {
        const char *name;
        const unsigned char *data;
        size_t len;
    } rt[] = {{"lln_rt.h", lln__rt_header, lln__rt_header_len},
              {"lln_rt.c", lln__rt_source, lln__rt_source_len},
              {"lln_fx.h", lln__fx_header, lln__fx_header_len},
              {"lln_fx.c", lln__fx_source, lln__fx_source_len},
              {"lln_rtq.h", lln__rtq_header, lln__rtq_header_len},
              {"lln_rtq.c", lln__rtq_source, lln__rtq_source_len},
              {"lln_rtq_spec.h", lln__rtq_spec_header, lln__rtq_spec_header_len}};
    char name[96], P[40];
    text_t t = {0};
    upper(P, p, sizeof P);
    lln_status_t st = make_dir(dir, err);
    for (int i = im->fl->fixed ? 2 : 0; i < (im->fl->fixed ? 7 : 2) && st == LLN_OK; i++)
        st = write_file(dir, rt[i].name, rt[i].data, rt[i].len, err);
    if (st == LLN_OK) {
        if (im->fl->fixed) {
            model_head(&t, tg, m);
            lln__export_q_model_h(&t, &im->q->img, p, P, "", &im->s, im->w8);
        } else {
            model_h(&t, &im->img, p, tg, &im->s, m);
        }
        snprintf(name, sizeof name, "%s_model.h", p);
        st = write_text(dir, name, &t, err);
    }
    if (st == LLN_OK && im->fl->fixed) {
        lln__export_q_config(&t, &im->q->img);
        st = write_text(dir, "lln_rtq_config.h", &t, err);
    }
    if (st == LLN_OK) {
        if (im->fl->fixed)
            lln__export_q_model_c(&t, &im->q->img, p, lln_version());
        else
            model_c(&t, &im->img, p, m);
        snprintf(name, sizeof name, "%s_model.c", p);
        st = write_text(dir, name, &t, err);
    }
    return st;
}

static lln_status_t write_glue(const char *dir, const char *p, const target_t *tg,
                               const flavour_t *fl, lln_error_t *err)
{
    char sub[4096], sub2[4096], P[40];
    text_t t = {0};
    lln_status_t st;
    upper(P, p, sizeof P);
    if (fl->fixed)
        lln__export_q_main(&t, p, P);
    else
        example_main(&t, p);
    if ((st = write_text(dir, "main.c", &t, err)) != LLN_OK)
        return st;
    makefile(&t, p, tg, fl);
    if ((st = write_text(dir, "Makefile", &t, err)) != LLN_OK)
        return st;
    cmakelists(&t, p, tg, fl);
    if ((st = write_text(dir, "CMakeLists.txt", &t, err)) != LLN_OK)
        return st;
    platformio(&t, p, fl);
    if ((st = write_text(dir, "library.json", &t, err)) != LLN_OK)
        return st;
    snprintf(sub, sizeof sub, "%s/esp-idf", dir);
    snprintf(sub2, sizeof sub2, "%s/esp-idf/%s", dir, p);
    if ((st = make_dir(sub, err)) != LLN_OK || (st = make_dir(sub2, err)) != LLN_OK)
        return st;
    idf_cmake(&t, p, fl);
    if ((st = write_text(sub2, "CMakeLists.txt", &t, err)) != LLN_OK)
        return st;
    idf_yml(&t, p, fl);
    return write_text(sub2, "idf_component.yml", &t, err);
}

static lln_status_t write_arduino(const char *dir, const char *p, const flavour_t *fl,
                                  lln_error_t *err)
{
    char a[4096], lib[4096], src[4096], ex[4096], ex2[4096], name[128];
    text_t t = {0};
    snprintf(a, sizeof a, "%s/arduino", dir);
    snprintf(lib, sizeof lib, "%s/arduino/%s", dir, p);
    snprintf(src, sizeof src, "%s/arduino/%s/src", dir, p);
    snprintf(ex, sizeof ex, "%s/arduino/%s/examples", dir, p);
    snprintf(ex2, sizeof ex2, "%s/arduino/%s/examples/%s_demo", dir, p, p);
    const char *dirs[] = {a, lib, src, ex, ex2};
    lln_status_t st = LLN_OK;
    for (int i = 0; i < 5 && st == LLN_OK; i++)
        st = make_dir(dirs[i], err);
    if (st != LLN_OK)
        return st;
    arduino_props(&t, p, fl);
    if ((st = write_text(lib, "library.properties", &t, err)) != LLN_OK)
        return st;
    arduino_sketch(&t, p, fl);
    snprintf(name, sizeof name, "%s_demo.ino", p);
    return write_text(ex2, name, &t, err);
}

lln_status_t lln_export(const lln_model_t *m, const lln_export_opts_t *o, const char *dir,
                        lln_export_sizes_t *sizes, lln_error_t *err)
{
    const char *p;
    image_t im;
    lln_status_t st = check_opts(o, &p, err);
    if (st != LLN_OK || (st = image_build(m, o, &im, err)) != LLN_OK)
        return st;
    const target_t *tg = find_target(o->target);
    char path[4096];
    st = check_limit(o, &im.s, err);
    /* the sources go to the export root and, as copies, into each packaged library */
    if (st == LLN_OK)
        st = write_sources(dir, p, &im, tg, m, err);
    if (st == LLN_OK)
        st = write_glue(dir, p, tg, im.fl, err);
    if (st == LLN_OK)
        st = write_arduino(dir, p, im.fl, err);
    if (st == LLN_OK) {
        snprintf(path, sizeof path, "%s/esp-idf/%s", dir, p);
        st = write_sources(path, p, &im, tg, m, err);
    }
    if (st == LLN_OK) {
        snprintf(path, sizeof path, "%s/arduino/%s/src", dir, p);
        st = write_sources(path, p, &im, tg, m, err);
    }
    if (st == LLN_OK && sizes)
        *sizes = im.s;
    image_free(&im);
    return st;
}
