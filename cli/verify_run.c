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

#include "lln/util.h"
#include "lln/export.h"
#include "lln/quant.h"
#include "os.h"
#include "verify_run.h"

/* Paths inside the work folder fit in PATH_MAX_ with room to spare. */
#define PATH_MAX_ 2048

/* ---- files and processes --------------------------------------------------------------- */

static int write_bytes(const char *cmd, const char *path, const void *data, size_t len, int exec)
{
    FILE *f = fopen(path, "wb");
    int ok = f && fwrite(data, 1, len, f) == len;
    if (ok && exec)
        ok = cli_make_executable(f) == 0; /* on the open file: no window for a swap */
    ok = f && fclose(f) == 0 && ok;
    if (!ok)
        cli_error(cmd, "%s: cannot write: %s", path, strerror(errno));
    return ok;
}

static int write_sim(const char *cmd, const char *work)
{
    char path[PATH_MAX_];
    snprintf(path, sizeof path, "%s/sim", work);
    cli_mkdir(path);
    snprintf(path, sizeof path, "%s/sim/ld", work);
    cli_mkdir(path);
    for (const cli_sim_file_t *f = cli_sim_files; f->path; f++) {
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

/* The fixed-point firmware's main: int16 inputs in the model's formats, int32 Δt. */
static int write_main_q(const char *path, const seq_t *s, const lln_quant_t *q)
{
    int16_t *xq = calloc((size_t)s->inputs + 1, sizeof *xq);
    int32_t *dq = calloc((size_t)s->steps + 1, sizeof *dq);
    double *xd = calloc((size_t)s->inputs + 1, sizeof *xd);
    FILE *f = xq && dq && xd ? fopen(path, "w") : NULL;
    if (f == NULL) {
        free(xq), free(dq), free(xd);
        return 0;
    }
    fprintf(f, "/* lln verify: the test sequence through the fixed-point model; every output\n"
               " * and state value printed as 4 hex digits. */\n#include <stdint.h>\n"
               "#include <stdio.h>\n\n#include \"lln_model.h\"\n#include \"lln_prof.h\"\n\n");
    fprintf(f, "static const int16_t xs[%zu] = {", (size_t)s->steps * (size_t)s->inputs + 1);
    for (int t = 0; t < s->steps; t++) {
        for (int i = 0; i < s->inputs; i++)
            xd[i] = s->x[(size_t)t * (size_t)s->inputs + (size_t)i];
        lln_quant_input(q, xd, s->dt[t], xq, &dq[t]);
        for (int i = 0; i < s->inputs; i++) {
            size_t k = (size_t)t * (size_t)s->inputs + (size_t)i;
            fprintf(f, "%s%d,", k % 12 ? " " : "\n    ", xq[i]);
        }
    }
    fprintf(f, " 0};\nstatic const int32_t dts[%d] = {", s->steps);
    for (int t = 0; t < s->steps; t++)
        fprintf(f, "%s%ld,", t % 8 ? " " : "\n    ", (long)dq[t]);
    free(xq), free(dq), free(xd);
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

/* Appends label and n words as the firmware prints them (4 hex digits for the fixed-point
 * runtime, 8 for float32 bits) to out (cap bytes, len used); returns the new length. */
static size_t put_words(char *out, size_t cap, size_t len, const char *label, const uint32_t *v,
                        int n, int fixed)
{
    len += (size_t)snprintf(out + len, cap - len, "%s", label);
    for (int i = 0; i < n; i++)
        len += fixed ? (size_t)snprintf(out + len, cap - len, " %04lx", (unsigned long)v[i])
                     : (size_t)snprintf(out + len, cap - len, " %08lx", (unsigned long)v[i]);
    return len;
}

/* The expected console output of the firmware (write_main / write_main_q): the same runtime
 * on the host (lln_fw), every word printed as the firmware prints it. */
static char *host_reference(const char *cmd, const lln_model_t *m, int fixed, const seq_t *s)
{
    lln_fw_t *fw;
    lln_error_t err = {LLN_OK, ""};
    if (lln_fw_create(m, fixed, &fw, &err) != LLN_OK) {
        cli_error(cmd, "host reference: %s", err.msg);
        return NULL;
    }
    int outs, hlen;
    lln_fw_shape(fw, &outs, &hlen);
    size_t per = 32 + 9 * ((size_t)outs + (size_t)hlen);
    size_t cap = per * (size_t)s->steps + 1; /* per bytes a step: 32 + 9 a word, with room */
    char *out = malloc(cap);
    uint32_t *y = calloc((size_t)outs + 1, sizeof *y), *h = calloc((size_t)hlen + 1, sizeof *h);
    if (out && y && h) {
        size_t len = 0;
        out[0] = '\0';
        for (int t = 0; t < s->steps; t++) {
            int rc = lln_fw_step(fw, s->x + (size_t)t * (size_t)s->inputs, s->dt[t], y, h);
            len += (size_t)snprintf(out + len, cap - len, "%d rc %d", t, rc);
            len = put_words(out, cap, len, " y", y, outs, fixed);
            len = put_words(out, cap, len, " h", h, hlen, fixed);
            len += (size_t)snprintf(out + len, cap - len, "\n");
        }
    } else {
        cli_error(cmd, "host reference: out of memory");
        free(out);
        out = NULL;
    }
    free(y), free(h);
    lln_fw_free(fw);
    return out;
}

/* ---- comparing ------------------------------------------------------------------------------ */

static char *slurp(const char *path)
{
    unsigned char *b;
    size_t n;
    return lln_read_file(path, &b, &n, NULL) == LLN_OK ? (char *)b : NULL;
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
    const char *c = b ? strstr(b, "insncount: cycles model=") : NULL;
    if (c != NULL) {
        c += strlen("insncount: cycles model=");
        size_t n = strcspn(c, " \n");
        if (n > 0 && n < sizeof r->cyc_model) {
            memcpy(r->cyc_model, c, n);
            r->cyc_model[n] = '\0';
            r->cyc_sum = field(c, "region_sum=");
            r->cyc_min = field(c, "region_min=");
            r->cyc_max = field(c, "region_max=");
        }
    }
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
    if (!write_sim(a->cmd, work) || !(q ? write_main_q(path, s, q) : write_main(path, s)))
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
    char env[32] = "COUNT=1"; /* SIM_CYCLES implies the count (sim/run.sh) */
    if (a->cycles != NULL)
        snprintf(env, sizeof env, "SIM_CYCLES=%s", a->cycles);
    rc = cli_run(rargv, out, errf, env);
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

/* Steps of the host reference that the runtime rejected (rc != 0): a verification of a step
 * that did not run proves nothing, and its instructions would skew the per-step count.
 * Returns their number; *first is the first one. */
static int rejected_steps(const char *expect, int *first, int *rc)
{
    int n = 0;
    for (const char *p = expect; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : "") {
        /* "T rc R y ...": the step and the runtime's return code (our own output) */
        char *end;
        long t = strtol(p, &end, 10), r = 0;
        if (end != p && strncmp(end, " rc ", 4) == 0)
            r = strtol(end + 4, NULL, 10); /* 0 (not rejected) if no number follows */
        if (r != 0 && n++ == 0)
            *first = (int)t, *rc = (int)r;
    }
    return n;
}

const char *verify_cycle_model(const char *core)
{
    if (strcmp(core, "cortex-m4") == 0 || strcmp(core, "cortex-m4f") == 0)
        return "m4";
    if (strcmp(core, "cortex-m33") == 0)
        return "m33";
    if (strcmp(core, "cortex-m0plus") == 0)
        return "m0plus";
    return NULL;
}

int verify_device_cycles(const lln_device_t *d, const verify_result_t *r, lln_device_t *out)
{
    *out = *d;
    if (!r->cyc_model[0] || r->insn_sum <= 0 || r->cyc_sum <= 0)
        return 0;
    int m33 = strcmp(r->cyc_model, "m33") == 0;
    out->cpi.value = (double)r->cyc_sum / (double)r->insn_sum;
    out->cpi.trust = m33 ? 'U' : 'D';
    out->cpi.line = 0;
    snprintf(out->cpi.source, sizeof out->cpi.source,
             "this model's cycles per instruction under QEMU: %ld cycles / %ld instructions of %ld "
             "steps, costed with %s (sim/insncount.c; zero wait states: flash wait states and "
             "cache misses not included)",
             r->cyc_sum, r->insn_sum, r->regions,
             m33 ? "the Cortex-M4 instruction timings (Arm publishes no Cortex-M33 table)"
             : strcmp(r->cyc_model, "m4") == 0
                 ? "Arm's Cortex-M4 instruction timings (Cortex-M4 TRM)"
                 : "Arm's Cortex-M0+ instruction timings (Cortex-M0+ Devices Generic User Guide)");
    return 1;
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
    lln_quant_t *q = NULL;
    lln_error_t err = {LLN_OK, ""};
    lln_export_opts_t o = {job->target, "lln", 0, !fixed};
    seq_t s = {0, 0, NULL, NULL};
    int ok = !fixed || lln_quant_create(m, &q, &err) == LLN_OK;
    ok = ok && lln_export_sizes(m, &o, &res->sizes, &err) == LLN_OK;
    if (!ok)
        cli_error(cmd, "%s", err.msg);
    int in = lln_model_input_size(m);
    ok = ok && (job->input ? cli_read_sequence(cmd, &s, job->input, in)
                           : cli_gen_sequence(&s, (int)job->steps, in));
    char *expect = ok ? host_reference(cmd, m, fixed, &s) : NULL;
    int first = 0, frc = 0, nrej = expect ? rejected_steps(expect, &first, &frc) : 0;
    if (nrej > 0) {
        cli_error(cmd,
                  "%s: step %d (counting from 0) is rejected by the runtime (status %d); %d of %d "
                  "steps are: every step must run to be verified",
                  job->input ? job->input : "generated sequence", first, frc, nrej, s.steps);
        ok = 0;
    }
    char work[VERIFY_WORK_MAX];
    snprintf(work, sizeof work, "%s", job->keep ? job->keep : "/tmp/lln-verify-XXXXXX");
    if (ok && job->keep ? cli_mkdir(work) != 0 && errno != EEXIST
                        : ok && cli_mkdtemp(work) == NULL) {
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
    lln_quant_free(q);
    return res->pass;
}

int verify_write_harness(const char *cmd, const char *work) { return write_sim(cmd, work); }
