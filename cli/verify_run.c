/* The firmware build-and-run of `lln verify`, shared with `lln profile`: export, cross-build,
 * run under QEMU with the instruction-count plugin, compare bit for bit with the host. The
 * emulator harness (sim/) is embedded in the binary and written into the work folder. */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fileio.h"
#include "lln/export.h"
#include "lln/quant.h"
#include "process.h"
#include "quant_internal.h"
#include "rt_image.h"
#include "verify_run.h"

typedef struct {
    const char *path;
    const unsigned char *data;
    const size_t *len;
} sim_file_t;
extern const sim_file_t lln__sim_files[];

/* Paths inside the work folder fit in PATH_MAX_ with room to spare. */
#define PATH_MAX_ 2048

/* ---- files and processes --------------------------------------------------------------- */

static int write_bytes(const char *cmd, const char *path, const void *data, size_t len, int exec)
{
    FILE *f = fopen(path, "wb");
    int ok = f && fwrite(data, 1, len, f) == len;
    if (ok && exec)
        ok = fchmod(fileno(f), 0755) == 0; /* on the open file: no window for a swap */
    ok = f && fclose(f) == 0 && ok;
    if (!ok)
        cli_error(cmd, "%s: cannot write: %s", path, strerror(errno));
    return ok;
}

static int write_sim(const char *cmd, const char *work)
{
    char path[PATH_MAX_];
    snprintf(path, sizeof path, "%s/sim", work);
    mkdir(path, 0777);
    snprintf(path, sizeof path, "%s/sim/ld", work);
    mkdir(path, 0777);
    for (const sim_file_t *f = lln__sim_files; f->path; f++) {
        snprintf(path, sizeof path, "%s/sim/%s", work, f->path);
        size_t n = strlen(f->path);
        if (!write_bytes(cmd, path, f->data, *f->len, n > 3 && strcmp(f->path + n - 3, ".sh") == 0))
            return 0;
    }
    return 1;
}

static void print_file(const char *path, int max_lines)
{
    FILE *f = fopen(path, "r");
    char line[1024];
    for (int n = 0; f && n < max_lines && fgets(line, sizeof line, f); n++)
        fprintf(stderr, "  %s", line);
    if (f)
        fclose(f);
}

/* ---- the firmware's main and the host reference ---------------------------------------- */

static void put_floats(FILE *f, const char *name, const float *v, size_t n)
{
    fprintf(f, "static const float %s[%zu] = {", name, n ? n : 1);
    for (size_t i = 0; i < n; i++)
        fprintf(f, "%s%.9g%sf,", i % 6 ? " " : "\n    ", (double)v[i],
                fabs(v[i] - (float)(long)v[i]) == 0 && fabs(v[i]) < 1e9 ? ".0" : "");
    fprintf(f, "%s};\n", n ? "\n" : "0");
}

static int write_main(const char *path, const seq_t *s)
{
    FILE *f = fopen(path, "w");
    if (f == NULL)
        return 0;
    fprintf(f, "/* lln verify: the test sequence through the model; every output and state\n"
               " * value printed as the hex of its float bits. */\n"
               "#include <stdint.h>\n#include <stdio.h>\n#include <string.h>\n\n"
               "#include \"lln_model.h\"\n#include \"lln_prof.h\"\n\n");
    put_floats(f, "xs", s->x, (size_t)s->steps * (size_t)s->inputs);
    put_floats(f, "dts", s->dt, (size_t)s->steps);
    fprintf(f,
            "static float state[LLN_STATE_FLOATS], scratch[LLN_SCRATCH_FLOATS], "
            "y[LLN_OUTPUTS];\n\n"
            "static void hex(const float *v, unsigned n)\n{\n"
            "    for (unsigned i = 0; i < n; i++) {\n        uint32_t b;\n"
            "        memcpy(&b, &v[i], sizeof b);\n        printf(\" %%08lx\", (unsigned long)b);\n"
            "    }\n}\n\nint main(void)\n{\n    lln_rt_reset(&lln_model, state);\n"
            "    for (unsigned t = 0; t < %d; t++) {\n        lln_prof_begin();\n"
            "        int rc = lln_rt_step(&lln_model, state, xs + t * LLN_INPUTS, dts[t], y, "
            "scratch);\n        lln_prof_end();\n"
            "        printf(\"%%u rc %%d y\", t, rc);\n        hex(y, LLN_OUTPUTS);\n"
            "        printf(\" h\");\n        hex(state, LLN_STATE_FLOATS);\n"
            "        printf(\"\\n\");\n    }\n    return 0;\n}\n",
            s->steps);
    return fclose(f) == 0;
}

/* The expected console output: the same runtime on the host, formatted the same way. */
static char *host_reference(const lln_rt_model_t *rt, const seq_t *s)
{
    size_t per = 32 + 9 * ((size_t)rt->outputs + rt->state_floats);
    char *out = malloc(per * (size_t)s->steps + 1), *p = out;
    float *st = calloc(rt->state_floats, sizeof *st), *w = calloc(rt->scratch_floats, sizeof *w);
    float *y = calloc(rt->outputs ? rt->outputs : 1, sizeof *y);
    if (!out || !st || !w || !y) {
        free(out), free(st), free(w), free(y);
        return NULL;
    }
    out[0] = '\0';
    lln_rt_reset(rt, st);
    for (int t = 0; t < s->steps; t++) {
        int rc = lln_rt_step(rt, st, s->x + (size_t)t * s->inputs, s->dt[t], y, w);
        p += sprintf(p, "%d rc %d y", t, rc);
        for (unsigned o = 0; o < rt->outputs; o++) {
            uint32_t b;
            memcpy(&b, &y[o], sizeof b);
            p += sprintf(p, " %08lx", (unsigned long)b);
        }
        p += sprintf(p, " h");
        for (unsigned j = 0; j < rt->state_floats; j++) {
            uint32_t b;
            memcpy(&b, &st[j], sizeof b);
            p += sprintf(p, " %08lx", (unsigned long)b);
        }
        p += sprintf(p, "\n");
    }
    free(st), free(w), free(y);
    return out;
}

/* The fixed-point firmware's main: int16 inputs in the model's formats, int32 Δt. */
static int write_main_q(const char *path, const seq_t *s, const lln_rtq_model_t *r)
{
    FILE *f = fopen(path, "w");
    if (f == NULL)
        return 0;
    fprintf(f, "/* lln verify: the test sequence through the fixed-point model; every output\n"
               " * and state value printed as 4 hex digits. */\n#include <stdint.h>\n"
               "#include <stdio.h>\n\n#include \"lln_model.h\"\n#include \"lln_prof.h\"\n\n");
    fprintf(f, "static const int16_t xs[%zu] = {", (size_t)s->steps * (size_t)s->inputs + 1);
    for (size_t k = 0; k < (size_t)s->steps * (size_t)s->inputs; k++)
        fprintf(f, "%s%d,", k % 12 ? " " : "\n    ",
                lln__q16(s->x[k], r->x_frac[k % (size_t)s->inputs]));
    fprintf(f, " 0};\nstatic const int32_t dts[%d] = {", s->steps);
    for (int t = 0; t < s->steps; t++) {
        int32_t d = lln__q32(s->dt[t], r->dt_frac);
        fprintf(f, "%s%ld,", t % 8 ? " " : "\n    ", (long)(d < 1 ? 1 : d));
    }
    fprintf(f,
            "\n};\nstatic int16_t state[LLN_STATE_LEN], s16[LLN_SCRATCH16_LEN], y[LLN_OUTPUTS];\n"
            "static int32_t s32[LLN_SCRATCH32_LEN];\n\n"
            "static void hex(const int16_t *v, unsigned n)\n{\n"
            "    for (unsigned i = 0; i < n; i++)\n"
            "        printf(\" %%04x\", (unsigned)(uint16_t)v[i]);\n}\n\n"
            "int main(void)\n{\n    lln_rtq_reset(&lln_model, state);\n"
            "    for (unsigned t = 0; t < %d; t++) {\n        lln_prof_begin();\n"
            "        int rc = lln_rtq_step(&lln_model, state, xs + t * LLN_INPUTS, dts[t], y, s16, "
            "s32);\n        lln_prof_end();\n"
            "        printf(\"%%u rc %%d y\", t, rc);\n        hex(y, LLN_OUTPUTS);\n"
            "        printf(\" h\");\n        hex(state, LLN_STATE_LEN);\n"
            "        printf(\"\\n\");\n    }\n    return 0;\n}\n",
            s->steps);
    return fclose(f) == 0;
}

/* The expected console output of the fixed-point firmware, from the same source on the host. */
static char *host_reference_q(const lln_rtq_model_t *r, const seq_t *s)
{
    size_t per = 32 + 5 * ((size_t)r->outputs + r->state_len);
    char *out = malloc(per * (size_t)s->steps + 1), *p = out;
    int16_t *st = calloc(r->state_len + 1, sizeof *st), *s16 = calloc(r->scratch16_len, 2);
    int16_t *y = calloc((size_t)r->outputs + 1, sizeof *y), *x = calloc((size_t)s->inputs + 1, 2);
    int32_t *s32 = calloc(r->scratch32_len, sizeof *s32);
    if (out && st && s16 && y && x && s32) {
        out[0] = '\0';
        lln_rtq_reset(r, st);
        for (int t = 0; t < s->steps; t++) {
            for (int i = 0; i < s->inputs; i++)
                x[i] = lln__q16(s->x[(size_t)t * (size_t)s->inputs + (size_t)i], r->x_frac[i]);
            int32_t d = lln__q32(s->dt[t], r->dt_frac);
            int rc = lln_rtq_step(r, st, x, d < 1 ? 1 : d, y, s16, s32);
            p += sprintf(p, "%d rc %d y", t, rc);
            for (unsigned o = 0; o < r->outputs; o++)
                p += sprintf(p, " %04x", (unsigned)(uint16_t)y[o]);
            p += sprintf(p, " h");
            for (unsigned j = 0; j < r->state_len; j++)
                p += sprintf(p, " %04x", (unsigned)(uint16_t)st[j]);
            p += sprintf(p, "\n");
        }
    } else {
        free(out);
        out = NULL;
    }
    free(st), free(s16), free(y), free(x), free(s32);
    return out;
}

/* ---- comparing ------------------------------------------------------------------------------ */

static char *slurp(const char *path)
{
    unsigned char *b;
    size_t n;
    return lln__read_file(path, &b, &n, NULL) == LLN_OK ? (char *)b : NULL;
}

static float bits_to_float(const char *hex)
{
    uint32_t b = (uint32_t)strtoul(hex, NULL, 16);
    float v;
    memcpy(&v, &b, sizeof v);
    return v;
}

/* Returns the number of differing lines; prints the first difference, value by value. */
static int compare(const char *expect, const char *got)
{
    int bad = 0, line = 0;
    while (*expect || *got) {
        size_t le = strcspn(expect, "\n"), lg = strcspn(got, "\n");
        if (le != lg || strncmp(expect, got, le) != 0) {
            if (bad++ == 0) {
                fprintf(stderr, "first difference at step %d:\n  host:   %.*s\n  target: %.*s\n",
                        line, (int)(le > 200 ? 200 : le), expect, (int)(lg > 200 ? 200 : lg), got);
                const char *a = expect, *b = got;
                for (int k = 0; a < expect + le && b < got + lg; k++) {
                    const char *na = strchr(a, ' '), *nb = strchr(b, ' ');
                    if (!na || !nb)
                        break;
                    size_t wa = strcspn(na + 1, " \n"), wb = strcspn(nb + 1, " \n");
                    if (wa != wb || strncmp(na, nb, wa + 1) != 0) {
                        if (wa == 8 && wb == 8)
                            fprintf(stderr, "  value %d: host %.9g vs target %.9g\n", k,
                                    (double)bits_to_float(na + 1), (double)bits_to_float(nb + 1));
                        else
                            fprintf(stderr, "  value %d: host %.*s vs target %.*s\n", k, (int)wa,
                                    na + 1, (int)wb, nb + 1);
                        break;
                    }
                    a = na + 1, b = nb + 1;
                }
            }
        }
        expect += le + (expect[le] == '\n');
        got += lg + (got[lg] == '\n');
        line++;
    }
    return bad;
}

/* ---- building and running ------------------------------------------------------------- */

/* The integer after "key=" in text (0 when absent): the harness prints plain integers. */
static long field(const char *text, const char *key)
{
    const char *p = text ? strstr(text, key) : NULL;
    return p ? strtol(p + strlen(key), NULL, 10) : 0;
}

static void parse_build(const char *log, verify_result_t *r)
{
    char *b = slurp(log);
    r->flash_image = field(b ? strstr(b, "size: flash=") : NULL, "flash=");
    r->ram_image = field(b ? strstr(b, "size: flash=") : NULL, "ram=");
    free(b);
}

static void parse_sizes(const char *log, verify_result_t *r)
{
    char *b = slurp(log), *p = b ? strstr(b, "TOTAL") : NULL;
    while (p && p > b && p[-1] != '\n')
        p--;
    if (p)
        r->flash_rt = strtol(p, NULL, 10);
    free(b);
}

static void parse_count(const char *log, verify_result_t *r)
{
    char *b = slurp(log), *p = b ? strstr(b, "insncount:") : NULL;
    r->regions = field(p, "regions=");
    r->insn_sum = field(p, "region_sum=");
    r->insn_min = field(p, "region_min=");
    r->insn_max = field(p, "region_max=");
    free(b);
}

/* Export + build + run in work; returns 1 when every line matches the host. */
static int build_and_run(const lln_model_t *m, const verify_job_t *a, const char *work,
                         const seq_t *s, const char *expect, const lln_quant_t *q,
                         verify_result_t *r)
{
    char fw[PATH_MAX_], elf[PATH_MAX_], path[PATH_MAX_ + 32], log[PATH_MAX_], out[PATH_MAX_];
    char errf[PATH_MAX_], tool[PATH_MAX_];
    lln_export_opts_t o = {a->target, "lln", 0, q == NULL};
    lln_error_t err = {LLN_OK, ""};
    snprintf(fw, sizeof fw, "%s/fw", work);
    if (lln_export(m, &o, fw, NULL, &err) != LLN_OK) {
        cli_error(a->cmd, "%s", err.msg);
        return 0;
    }
    snprintf(path, sizeof path, "%s/verify_main.c", fw);
    if (!write_sim(a->cmd, work) ||
        !(q ? write_main_q(path, s, &q->img.model) : write_main(path, s)))
        return 0;
    snprintf(elf, sizeof elf, "%s/fw.elf", work);
    snprintf(log, sizeof log, "%s/build.log", work);
    snprintf(tool, sizeof tool, "%s/sim/build.sh", work);
    char src1[PATH_MAX_ + 32], src2[PATH_MAX_ + 32], src3[PATH_MAX_], src4[PATH_MAX_ + 32];
    snprintf(src1, sizeof src1, "%s/%s", fw, q ? "lln_rtq.c" : "lln_rt.c");
    snprintf(src2, sizeof src2, "%s/lln_model.c", fw);
    snprintf(src4, sizeof src4, "%s/lln_fx.c", fw);
    snprintf(src3, sizeof src3, "%s/sim/lln_prof.c", work);
    char inc[PATH_MAX_];
    snprintf(inc, sizeof inc, "-I%s/sim", work);
    char *bargv[] = {"bash",
                     tool,
                     (char *)a->target,
                     elf,
                     path,
                     src1,
                     src2,
                     src3,
                     q ? src4 : "--",
                     q ? "--" : inc,
                     q ? inc : "-ffp-contract=off",
                     q ? "-ffp-contract=off" : NULL,
                     NULL};
    int rc = cli_run(bargv, log, log, NULL);
    if (rc != 0) {
        cli_error(a->cmd, "building for %s failed (exit %d): %s", a->target, rc, log);
        print_file(log, 30);
        return 0;
    }
    parse_build(log, r);
    snprintf(tool, sizeof tool, "%s/sim/sizes.sh", work);
    snprintf(log, sizeof log, "%s/sizes.log", work);
    char *sargv[] = {
        "bash", tool, elf, q ? "lln_rtq.o" : "lln_rt.o", "lln_model.o", q ? "lln_fx.o" : NULL,
        NULL};
    if (cli_run(sargv, log, NULL, NULL) == 0)
        parse_sizes(log, r);
    snprintf(tool, sizeof tool, "%s/sim/run.sh", work);
    snprintf(out, sizeof out, "%s/run.out", work);
    snprintf(errf, sizeof errf, "%s/run.err", work);
    char *rargv[] = {"bash", tool, (char *)a->target, elf, NULL};
    rc = cli_run(rargv, out, errf, "COUNT=1");
    if (rc != 0) {
        cli_error(a->cmd, "running on %s failed (exit %d%s)", a->target, rc,
                  rc == 127   ? ": a tool is missing"
                  : rc == 124 ? ": timeout"
                  : rc == 99  ? ": fault"
                              : "");
        print_file(errf, 20);
        return 0;
    }
    parse_count(errf, r);
    char *got = slurp(out);
    int bad = got ? compare(expect, got) : -1;
    free(got);
    if (bad != 0)
        cli_error(a->cmd, "%d of %d steps differ from the host reference", bad, s->steps);
    return bad == 0;
}

int verify_remove_tree(const char *dir)
{
    char *argv[] = {"rm", "-rf", (char *)dir, NULL};
    return cli_run(argv, NULL, NULL, NULL);
}

/* Host reference, sizes and the work folder; then the firmware. Frees what it made. */
int verify_model(const lln_model_t *m, const verify_job_t *job, verify_result_t *res)
{
    memset(res, 0, sizeof *res);
    const char *cmd = job->cmd;
    int fixed = lln_model_is_quantized(m) && !job->force_float;
    lln_rt_image_t img;
    lln_quant_t *q = NULL;
    lln_error_t err = {LLN_OK, ""};
    lln_export_opts_t o = {job->target, "lln", 0, !fixed};
    seq_t s = {0, 0, NULL, NULL};
    int ok = (fixed ? lln_quant_create(m, &q, &err) : lln_rt_image_build(m, &img, &err)) == LLN_OK;
    int built = ok;
    ok = ok && lln_export_sizes(m, &o, &res->sizes, &err) == LLN_OK;
    if (!ok)
        cli_error(cmd, "%s", err.msg);
    int in = lln_model_input_size(m);
    ok = ok && (job->input ? cli_read_sequence(cmd, &s, job->input, in)
                           : cli_gen_sequence(&s, (int)job->steps, in));
    char *expect = !ok     ? NULL
                   : fixed ? host_reference_q(&q->img.model, &s)
                           : host_reference(&img.model, &s);
    char work[VERIFY_WORK_MAX];
    snprintf(work, sizeof work, "%s", job->keep ? job->keep : "/tmp/lln-verify-XXXXXX");
    if (ok && job->keep ? mkdir(work, 0777) != 0 && errno != EEXIST : ok && mkdtemp(work) == NULL) {
        cli_error(cmd, "%s: cannot create: %s", work, strerror(errno));
        ok = 0;
    }
    res->fixed = fixed;
    res->steps = s.steps;
    res->prepared = ok;
    res->pass = ok && expect && build_and_run(m, job, work, &s, expect, q, res);
    if (ok && !job->keep)
        verify_remove_tree(work);
    free(expect), free(s.x), free(s.dt);
    if (built && fixed)
        lln_quant_free(q);
    else if (built)
        lln_rt_image_free(&img);
    return res->pass;
}

int verify_write_harness(const char *cmd, const char *work) { return write_sim(cmd, work); }
