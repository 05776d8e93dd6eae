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

#include "fileio.h"
#include "lln/export.h"
#include "rt_image.h"

extern const unsigned char lln__rt_header[], lln__rt_source[];
extern const size_t lln__rt_header_len, lln__rt_source_len;

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

/* ---- a growable text buffer -------------------------------------------------------------- */

typedef struct {
    char *s;
    size_t len, cap;
    int oom;
} text_t;

static void put(text_t *t, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3))) /* Flawfinder: ignore (format attribute, not a call) */
#endif
    ;
static void put(text_t *t, const char *fmt, ...)
{
    va_list ap;
    for (int pass = 0; pass < 2 && !t->oom; pass++) {
        va_start(ap, fmt);
        /* Flawfinder: ignore (fmt: a format-checked argument) */
        int n = vsnprintf(t->s ? t->s + t->len : NULL, t->s ? t->cap - t->len : 0, fmt, ap);
        va_end(ap);
        if (n < 0) {
            t->oom = 1;
            return;
        }
        if (t->s && t->len + (size_t)n < t->cap) {
            t->len += (size_t)n;
            return;
        }
        size_t cap = (t->cap + (size_t)n + 1) * 2;
        char *ns = realloc(t->s, cap);
        if (ns == NULL) {
            t->oom = 1;
            return;
        }
        t->s = ns;
        t->cap = cap;
    }
}

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
    if (!o->float_path)
        return lln_error_set(
            err, LLN_E_UNSUPPORTED,
            "export: the fixed-point path needs a model quantized with `lln "
            "quantize`, which is not available yet; use the float32 path (--float)");
    return LLN_OK;
}

static void sizes_of(const lln_rt_image_t *img, lln_export_sizes_t *s)
{
    s->weight_bytes =
        img->weight_bytes + sizeof(lln_rt_model_t) + img->model.ncells * sizeof(lln_rt_cfc_t);
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

lln_status_t lln_export_sizes(const lln_model_t *m, const lln_export_opts_t *o,
                              lln_export_sizes_t *sizes, lln_error_t *err)
{
    const char *prefix;
    lln_rt_image_t img;
    lln_status_t st = check_opts(o, &prefix, err);
    if (st == LLN_OK && (st = lln_rt_image_build(m, &img, err)) == LLN_OK) {
        sizes_of(&img, sizes);
        lln_rt_image_free(&img);
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
    put(t, "%s%sf", buf, strpbrk(buf, ".e") ? "" : ".0");
}

static void put_array(text_t *t, const char *prefix, const lln_rt_array_t *a)
{
    put(t, "static const %s %s_%s[%zu] = {", a->is_u16 ? "uint16_t" : "float", prefix, a->name,
        a->n ? a->n : 1);
    for (size_t i = 0; i < a->n; i++) {
        if (i % 8 == 0)
            put(t, "\n   ");
        if (a->is_u16)
            put(t, " %u,", (unsigned)((const uint16_t *)a->data)[i]);
        else {
            put(t, " ");
            put_float(t, ((const float *)a->data)[i]);
            put(t, ",");
        }
    }
    put(t, a->n ? "\n};\n" : " 0};\n");
}

/* "prefix_name" for a table pointer, or "0". */
static void put_ref(text_t *t, const lln_rt_image_t *img, const char *prefix, const void *p)
{
    const char *name = lln_rt_image_name(img, p);
    if (name)
        put(t, "%s_%s", prefix, name);
    else
        put(t, "0");
}

static void put_dense(text_t *t, const lln_rt_image_t *img, const char *prefix,
                      const lln_rt_dense_t *d)
{
    put(t, "{%u, %u, ", (unsigned)d->out, (unsigned)d->in);
    put_ref(t, img, prefix, d->w);
    put(t, ", ");
    put_ref(t, img, prefix, d->b);
    put(t, "}");
}

static void put_ltc(text_t *t, const lln_rt_image_t *img, const char *p)
{
    const lln_rt_ltc_t *l = &img->model.ltc;
    const void *ptrs[] = {l->in_w,  l->in_b,    l->out_w,   l->out_b, l->cm_k, l->gleak, l->gvleak,
                          l->s_off, l->s_src,   l->s_sigma, l->s_mu,  l->s_w,  l->s_we,  l->r_off,
                          l->r_src, l->r_sigma, l->r_mu,    l->r_w,   l->r_we};
    put(t, "{%u, ", (unsigned)l->unfolds);
    put_float(t, l->eps);
    for (size_t i = 0; i < sizeof ptrs / sizeof ptrs[0]; i++) {
        put(t, ", ");
        put_ref(t, img, p, ptrs[i]);
    }
    put(t, "}");
}

static void put_cells(text_t *t, const lln_rt_image_t *img, const char *p)
{
    const lln_rt_model_t *r = &img->model;
    if (r->ncells == 0)
        return;
    if (r->cfc[0].nbackbone > 0) {
        put(t, "static const lln_rt_dense_t %s_backbone[%u] = {\n", p,
            (unsigned)r->cfc[0].nbackbone);
        for (unsigned k = 0; k < r->cfc[0].nbackbone; k++) {
            put(t, "    ");
            put_dense(t, img, p, &r->cfc[0].backbone[k]);
            put(t, ",\n");
        }
        put(t, "};\n");
    }
    put(t, "static const lln_rt_cfc_t %s_cells[%u] = {\n", p, (unsigned)r->ncells);
    for (unsigned l = 0; l < r->ncells; l++) {
        const lln_rt_cfc_t *c = &r->cfc[l];
        put(t, "    {%u, %u, %u, %s%s, ", (unsigned)c->in, (unsigned)c->hidden,
            (unsigned)c->nbackbone, c->nbackbone ? p : "0", c->nbackbone ? "_backbone" : "");
        put_dense(t, img, p, &c->heads);
        put(t, ", ");
        put_ref(t, img, p, c->w_tau_abs);
        put(t, ", ");
        put_ref(t, img, p, c->a);
        put(t, "},\n");
    }
    put(t, "};\n");
}

static void model_c(text_t *t, const lln_rt_image_t *img, const char *p, const lln_model_t *m)
{
    const lln_rt_model_t *r = &img->model;
    put(t,
        "/* Generated by lln export (liquid-edge %s): the tables of one model. Do not edit. */\n",
        lln_version());
    put(t, "#include \"%s_model.h\"\n\n", p);
    for (int i = 0; i < img->narrays; i++)
        put_array(t, p, &img->arrays[i]);
    put_cells(t, img, p);
    put(t, "\nconst lln_rt_model_t %s_model = {\n    %u, %u, %u, %u, %u, %u, %u, %u,\n    ", p,
        (unsigned)r->cell, (unsigned)r->mode, (unsigned)r->activation, (unsigned)r->mixed_memory,
        (unsigned)r->inputs, (unsigned)r->units, (unsigned)r->outputs, (unsigned)r->cell_outputs);
    put_ltc(t, img, p);
    put(t, ",\n    %u, %s%s,\n    ", (unsigned)r->ncells, r->ncells ? p : "0",
        r->ncells ? "_cells" : "");
    put_dense(t, img, p, &r->lstm_in);
    put(t, ", ");
    put_dense(t, img, p, &r->lstm_rec);
    put(t, ", ");
    put_dense(t, img, p, &r->proj);
    put(t, ",\n    ");
    const void *norm[] = {r->x_mean, r->x_inv_std, r->y_mean, r->y_std};
    for (int i = 0; i < 4; i++) {
        put_ref(t, img, p, norm[i]);
        put(t, ", ");
    }
    put(t, "%lu, %lu};\n", (unsigned long)r->state_floats, (unsigned long)r->scratch_floats);
    (void)m;
}

static void upper(char *dst, const char *src, size_t cap)
{
    size_t i = 0;
    for (; src[i] && i + 1 < cap; i++)
        dst[i] = (char)toupper((unsigned char)src[i]);
    dst[i] = '\0';
}

static void model_h(text_t *t, const lln_rt_image_t *img, const char *p, const target_t *tg,
                    const lln_export_sizes_t *s, const lln_model_t *m)
{
    char P[40];
    upper(P, p, sizeof P);
    const lln_rt_model_t *r = &img->model;
    put(t, "/* Generated by lln export (liquid-edge %s) for %s (%s). Do not edit.\n", lln_version(),
        tg->name, tg->about);
    put(t, " * Model: %s cell, %u inputs, %u outputs, %u units. Memory is the caller's:\n",
        lln_cell_name(lln_model_config(m)->cell), (unsigned)r->inputs, (unsigned)r->outputs,
        (unsigned)r->units);
    put(t, " *   static float state[%s_STATE_FLOATS], scratch[%s_SCRATCH_FLOATS];\n", P, P);
    put(t, " *   lln_rt_reset(&%s_model, state);\n", p);
    put(t, " *   lln_rt_step(&%s_model, state, x, dt_seconds, y, scratch);   (0 = ok) */\n", p);
    put(t, "#ifndef %s_MODEL_H\n#define %s_MODEL_H\n\n#include \"lln_rt.h\"\n\n", P, P);
    put(t, "#define %s_INPUTS %u\n#define %s_OUTPUTS %u\n", P, (unsigned)r->inputs, P,
        (unsigned)r->outputs);
    put(t, "#define %s_STATE_FLOATS %lu\n#define %s_SCRATCH_FLOATS %lu\n", P,
        (unsigned long)r->state_floats, P, (unsigned long)r->scratch_floats);
    put(t, "#define %s_STATE_BYTES %zu   /* RAM per stream */\n", P, s->state_bytes);
    put(t, "#define %s_SCRATCH_BYTES %zu /* RAM, shared by streams stepped in turn */\n", P,
        s->scratch_bytes);
    put(t, "#define %s_WEIGHT_BYTES %zu  /* const tables (flash) */\n\n", P, s->weight_bytes);
    put(t, "extern const lln_rt_model_t %s_model;\n\n#endif\n", p);
}

static void example_main(text_t *t, const char *p)
{
    char P[40];
    upper(P, p, sizeof P);
    put(t, "/* Example: stream a few steps of a sine through the exported model (hosted C). */\n");
    put(t, "#include <stdio.h>\n\n#include \"%s_model.h\"\n\n", p);
    put(t, "static float state[%s_STATE_FLOATS], scratch[%s_SCRATCH_FLOATS];\n\n", P, P);
    put(t, "int main(void)\n{\n    float x[%s_INPUTS], y[%s_OUTPUTS];\n", P, P);
    put(t, "    lln_rt_reset(&%s_model, state);\n", p);
    put(t, "    for (int t = 0; t < 10; t++) {\n");
    put(t, "        for (int i = 0; i < %s_INPUTS; i++)\n", P);
    put(t, "            x[i] = (float)((t * 7 + i * 3) %% 11) / 11.0f - 0.5f;\n");
    put(t, "        if (lln_rt_step(&%s_model, state, x, 0.1f, y, scratch) != LLN_RT_OK)\n", p);
    put(t, "            return 1;\n        printf(\"step %%d: y0 = %%g\\n\", t, (double)y[0]);\n");
    put(t, "    }\n    return 0;\n}\n");
}

/* ---- build glue ------------------------------------------------------------------------------ */

static void makefile(text_t *t, const char *p, const target_t *tg)
{
    put(t, "# Generated by lln export for %s (%s).\n", tg->name, tg->about);
    put(t, "# `make` builds the runtime and model into lib%s.a (and, for the generic target, the\n",
        p);
    put(t,
        "# example). -ffp-contract=off keeps results bit-identical to `lln verify`'s reference.\n");
    put(t, "CC = %s\nAR ?= ar\n", strcmp(tg->name, "generic") == 0 ? "cc" : tg->cc);
    put(t, "TARGET_FLAGS = %s\n", tg->cflags);
    put(t, "CFLAGS ?= -std=c99 -O2 -Wall -Wextra\nCFLAGS += $(TARGET_FLAGS) -ffp-contract=off\n");
    put(t, "OBJS = lln_rt.o %s_model.o\n\n", p);
    put(t, "all: lib%s.a%s\n\nlib%s.a: $(OBJS)\n\t$(AR) rcs $@ $(OBJS)\n\n", p,
        strcmp(tg->name, "generic") == 0 ? " example" : "", p);
    put(t, "example: main.c lib%s.a\n\t$(CC) $(CFLAGS) main.c lib%s.a -o $@\n\n", p, p);
    put(t, "%%.o: %%.c lln_rt.h %s_model.h\n\t$(CC) $(CFLAGS) -c $< -o $@\n\n", p);
    put(t, "clean:\n\trm -f $(OBJS) lib%s.a example\n\n.PHONY: all clean\n", p);
}

static void cmakelists(text_t *t, const char *p, const target_t *tg)
{
    put(t, "# Generated by lln export for %s: add_subdirectory() this folder and link %s.\n",
        tg->name, p);
    put(t, "cmake_minimum_required(VERSION 3.13)\nproject(%s C)\n", p);
    put(t, "add_library(%s STATIC lln_rt.c %s_model.c)\n", p, p);
    put(t, "target_include_directories(%s PUBLIC ${CMAKE_CURRENT_SOURCE_DIR})\n", p);
    put(t, "set_target_properties(%s PROPERTIES C_STANDARD 99 C_STANDARD_REQUIRED ON)\n", p);
    put(t, "target_compile_options(%s PRIVATE -ffp-contract=off)\n", p);
}

static void idf_cmake(text_t *t, const char *p)
{
    put(t, "# ESP-IDF component generated by lln export (float32 runtime).\n");
    put(t, "idf_component_register(SRCS \"lln_rt.c\" \"%s_model.c\" INCLUDE_DIRS \".\")\n", p);
    put(t, "target_compile_options(${COMPONENT_LIB} PRIVATE -ffp-contract=off)\n");
}

static void idf_yml(text_t *t, const char *p)
{
    put(t, "# ESP-IDF component manifest generated by lln export.\n");
    put(t,
        "version: \"%s\"\ndescription: \"liquid-edge model %s: liquid neural network step "
        "(float32 runtime)\"\n",
        lln_version(), p);
    put(t,
        "url: \"https://github.com/liquid-edge/liquid-edge\"\ndependencies:\n  idf: \">=4.4\"\n");
}

static void arduino_props(text_t *t, const char *p)
{
    put(t, "name=%s\nversion=%s\nauthor=lln export\nmaintainer=lln export\n", p, lln_version());
    put(t, "sentence=A liquid neural network (liquid-edge runtime, float32).\n");
    put(t, "paragraph=Generated by lln export: call lln_rt_step(&%s_model, ...) every sample.\n",
        p);
    put(t, "category=Data Processing\nurl=https://github.com/liquid-edge/liquid-edge\n");
    put(t, "architectures=*\nincludes=%s_model.h\n", p);
}

static void arduino_sketch(text_t *t, const char *p)
{
    char P[40];
    upper(P, p, sizeof P);
    put(t, "// Example generated by lln export: one step per loop() with the elapsed time.\n");
    put(t,
        "#include <%s_model.h>\n\nstatic float state[%s_STATE_FLOATS], "
        "scratch[%s_SCRATCH_FLOATS];\nstatic float x[%s_INPUTS], y[%s_OUTPUTS];\n"
        "static unsigned long last;\n\n",
        p, P, P, P, P);
    put(t,
        "void setup() { Serial.begin(115200); lln_rt_reset(&%s_model, state); last = micros(); "
        "}\n\n",
        p);
    put(t, "void loop() {\n  unsigned long now = micros();\n  float dt = (now - last) * 1e-6f;\n");
    put(t,
        "  last = now;\n  for (int i = 0; i < %s_INPUTS; i++) x[i] = analogRead(A0) / 1023.0f;\n",
        P);
    put(t, "  if (dt > 0 && lln_rt_step(&%s_model, state, x, dt, y, scratch) == LLN_RT_OK)\n", p);
    put(t, "    Serial.println(y[0], 6);\n  delay(10);\n}\n");
}

static void platformio(text_t *t, const char *p)
{
    put(t, "{\n  \"name\": \"%s\",\n  \"version\": \"%s\",\n", p, lln_version());
    put(t,
        "  \"description\": \"liquid-edge model %s: liquid neural network step (float32 "
        "runtime), generated by lln export\",\n",
        p);
    put(t, "  \"keywords\": [\"neural network\", \"liquid\", \"ltc\", \"cfc\"],\n");
    put(t, "  \"frameworks\": \"*\",\n  \"platforms\": \"*\",\n  \"build\": {\n");
    put(t, "    \"srcFilter\": [\"+<lln_rt.c>\", \"+<%s_model.c>\"],\n", p);
    put(t, "    \"flags\": [\"-std=c99\", \"-ffp-contract=off\"]\n  }\n}\n");
}

/* ---- writing ------------------------------------------------------------------------------- */

static lln_status_t make_dir(const char *dir, lln_error_t *err)
{
    if (mkdir(dir, 0777) != 0 && errno != EEXIST)
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
    return lln__write_atomic(path, data, len, err);
}

static lln_status_t write_text(const char *dir, const char *name, text_t *t, lln_error_t *err)
{
    lln_status_t st = t->oom ? lln_error_set(err, LLN_E_NOMEM, "export: out of memory")
                             : write_file(dir, name, t->s ? t->s : "", t->len, err);
    free(t->s);
    memset(t, 0, sizeof *t);
    return st;
}

/* The runtime, the model pair: everything a build of the model needs, into dir. */
static lln_status_t write_sources(const char *dir, const char *p, const lln_rt_image_t *img,
                                  const target_t *tg, const lln_export_sizes_t *s,
                                  const lln_model_t *m, lln_error_t *err)
{
    char name[96];
    text_t t = {0};
    lln_status_t st = make_dir(dir, err);
    if (st == LLN_OK)
        st = write_file(dir, "lln_rt.h", lln__rt_header, lln__rt_header_len, err);
    if (st == LLN_OK)
        st = write_file(dir, "lln_rt.c", lln__rt_source, lln__rt_source_len, err);
    if (st == LLN_OK) {
        model_h(&t, img, p, tg, s, m);
        snprintf(name, sizeof name, "%s_model.h", p);
        st = write_text(dir, name, &t, err);
    }
    if (st == LLN_OK) {
        model_c(&t, img, p, m);
        snprintf(name, sizeof name, "%s_model.c", p);
        st = write_text(dir, name, &t, err);
    }
    return st;
}

static lln_status_t write_glue(const char *dir, const char *p, const target_t *tg, lln_error_t *err)
{
    char sub[4096], sub2[4096];
    text_t t = {0};
    lln_status_t st;
    example_main(&t, p);
    if ((st = write_text(dir, "main.c", &t, err)) != LLN_OK)
        return st;
    makefile(&t, p, tg);
    if ((st = write_text(dir, "Makefile", &t, err)) != LLN_OK)
        return st;
    cmakelists(&t, p, tg);
    if ((st = write_text(dir, "CMakeLists.txt", &t, err)) != LLN_OK)
        return st;
    platformio(&t, p);
    if ((st = write_text(dir, "library.json", &t, err)) != LLN_OK)
        return st;
    snprintf(sub, sizeof sub, "%s/esp-idf", dir);
    snprintf(sub2, sizeof sub2, "%s/esp-idf/%s", dir, p);
    if ((st = make_dir(sub, err)) != LLN_OK || (st = make_dir(sub2, err)) != LLN_OK)
        return st;
    idf_cmake(&t, p);
    if ((st = write_text(sub2, "CMakeLists.txt", &t, err)) != LLN_OK)
        return st;
    idf_yml(&t, p);
    return write_text(sub2, "idf_component.yml", &t, err);
}

static lln_status_t write_arduino(const char *dir, const char *p, lln_error_t *err)
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
    arduino_props(&t, p);
    if ((st = write_text(lib, "library.properties", &t, err)) != LLN_OK)
        return st;
    arduino_sketch(&t, p);
    snprintf(name, sizeof name, "%s_demo.ino", p);
    return write_text(ex2, name, &t, err);
}

lln_status_t lln_export(const lln_model_t *m, const lln_export_opts_t *o, const char *dir,
                        lln_export_sizes_t *sizes, lln_error_t *err)
{
    const char *p;
    lln_rt_image_t img;
    lln_export_sizes_t s;
    lln_status_t st = check_opts(o, &p, err);
    if (st != LLN_OK || (st = lln_rt_image_build(m, &img, err)) != LLN_OK)
        return st;
    const target_t *tg = find_target(o->target);
    char path[4096];
    sizes_of(&img, &s);
    st = check_limit(o, &s, err);
    /* the sources go to the export root and, as copies, into each packaged library */
    if (st == LLN_OK)
        st = write_sources(dir, p, &img, tg, &s, m, err);
    if (st == LLN_OK)
        st = write_glue(dir, p, tg, err);
    if (st == LLN_OK)
        st = write_arduino(dir, p, err);
    if (st == LLN_OK) {
        snprintf(path, sizeof path, "%s/esp-idf/%s", dir, p);
        st = write_sources(path, p, &img, tg, &s, m, err);
    }
    if (st == LLN_OK) {
        snprintf(path, sizeof path, "%s/arduino/%s/src", dir, p);
        st = write_sources(path, p, &img, tg, &s, m, err);
    }
    lln_rt_image_free(&img);
    if (st == LLN_OK && sizes)
        *sizes = s;
    return st;
}
