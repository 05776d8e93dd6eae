/* lln verify: build the exported firmware for a target with its cross compiler, run it under
 * QEMU on a test sequence with irregular Δt and saturating inputs, and compare every output
 * and state bit for bit with the same runtime run on the host. Reports flash, RAM and
 * executed instructions per step. The work itself is in verify_run.c (shared with profile). */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "os.h"
#include "verify_run.h"

static const char VERIFY_HELP[] =
    "usage: lln verify MODEL.lln --target T [--input CSV] [--steps N] [--keep DIR] [--float]\n\n"
    "Exports the model (the fixed-point runtime for a model quantized by `lln quantize`, else\n"
    "the float32 runtime), builds it for target T with the cross compiler, runs\n"
    "it under QEMU on a test sequence with irregular Δt and saturating inputs, and compares every\n"
    "output and state bit for bit with the host reference (the same runtime source run by lln).\n"
    "Prints flash and RAM (runtime + model tables, from the linker map), executed instructions\n"
    "per step (QEMU plugin), and PASS/FAIL.\n\n";
/* What follows the --target line (printed with the target names). */
static const char VERIFY_REST[] =
    "  -i, --input CSV    test inputs (header line; a column named 'dt' gives each step's Δt,\n"
    "                     else Δt cycles through irregular values); default: generated\n"
    "  -n, --steps N      generated sequence length (default 24)\n"
    "  -k, --keep DIR     build in DIR and keep it (default: a temporary folder, removed)\n"
    "  -f, --float        verify the float32 runtime even for a quantized model\n"
    "  -h, --help         this text\n\n"
    "Exit status: 0 bit-exact; 1 mismatch, build/run failure or a missing tool (named with its\n"
    "Debian package); 2 bad command line.\n";

/* Paths inside the work folder fit in PATH_MAX_ with room to spare. */
#define WORK_MAX 1024
#define PATH_MAX_ 2048

static int parse(int argc, char **argv, verify_job_t *a, const char **model)
{
    static const struct option opts[] = {{"target", required_argument, 0, 't'},
                                         {"input", required_argument, 0, 'i'},
                                         {"steps", required_argument, 0, 'n'},
                                         {"keep", required_argument, 0, 'k'},
                                         {"float", no_argument, 0, 'f'},
                                         {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    int opt;
    optind = 1;
    while ((opt = getopt_long(argc, argv, "t:i:n:k:fh", opts, NULL)) != -1) {
        switch (opt) {
        case 'h': {
            char list[512];
            cli_emulated_targets_text(list, sizeof list, 21);
            fputs(VERIFY_HELP, stdout);
            printf("  -t, --target T     %s\n", list);
            fputs(VERIFY_REST, stdout);
            return -1;
        }
        case 't': a->target = optarg; break;
        case 'i': a->input = optarg; break;
        case 'k': a->keep = optarg; break;
        case 'f': a->force_float = 1; break;
        case 'n':
            if (!cli_parse_int("verify", "--steps", optarg, 1, 100000, &a->steps))
                return 0;
            break;
        default: return 0;
        }
    }
    if (optind != argc - 1 || a->target == NULL) {
        cli_error("verify",
                  optind != argc - 1 ? "expected exactly one model file" : "--target is required");
        return 0;
    }
    if (a->keep && strlen(a->keep) >= VERIFY_WORK_MAX) {
        cli_error("verify", "--keep: path longer than %d characters", VERIFY_WORK_MAX - 1);
        return 0;
    }
    if (strcmp(a->target, "generic") == 0) {
        cli_error("verify",
                  "--target: target 'generic' has no emulator: pick a microcontroller target");
        return 0;
    }
    if (!cli_check_target("verify", a->target, 1))
        return 0;
    *model = argv[optind];
    return 1;
}

static void report(const verify_job_t *a, const char *model, unsigned outputs, unsigned nstate,
                   const verify_result_t *r)
{
    size_t state = r->sizes.state_bytes, scratch = r->sizes.scratch_bytes;
    printf("verify %s on %s\n", model, a->target);
    printf("  runtime       %s\n",
           r->fixed ? "fixed point (int8 weights, int16 states)" : "float32");
    printf("  sequence      %d steps, irregular dt, %s\n", r->steps,
           a->input ? a->input : "generated (saturating inputs every 7th step)");
    printf("  compared      %d x %u outputs and %u state values per step: %s\n", r->steps, outputs,
           nstate, r->pass ? "bit-identical to the host" : "MISMATCH");
    if (r->flash_rt > 0)
        printf("  flash         %ld B runtime + model tables (image %ld B with C library)\n",
               r->flash_rt, r->flash_image);
    printf("  RAM           %zu B state + %zu B scratch = %zu B\n", state, scratch,
           state + scratch);
    if (r->regions > 0)
        printf("  instructions  %ld per step (min %ld, max %ld, QEMU count incl. 6 marker "
               "instructions)\n",
               r->insn_sum / r->regions, r->insn_min, r->insn_max);
    if (r->regions > 0 && r->cyc_model[0])
        printf(
            "  cycles        %ld per step (min %ld, max %ld, %s timing model of sim/insncount.c, "
            "zero wait states)\n",
            r->cyc_sum / r->regions, r->cyc_min, r->cyc_max, r->cyc_model);
    printf("%s\n", r->pass ? "PASS" : "FAIL");
}

int cmd_verify(int argc, char **argv)
{
    verify_job_t a = {"verify", NULL, NULL, NULL, 24, 0, NULL};
    const char *model = NULL;
    int pr = parse(argc, argv, &a, &model);
    if (pr <= 0)
        return pr < 0 ? EXIT_OK : cli_usage_error("verify");
    if (cli_no_toolchains() != NULL) {
        cli_error("verify", "%s", cli_no_toolchains());
        return EXIT_FAIL;
    }
    lln_model_t *m = cli_load_model("verify", model);
    if (m == NULL)
        return EXIT_FAIL;
    verify_result_t r;
    verify_model(m, &a, &r);
    if (r.prepared)
        report(&a, model, (unsigned)lln_model_output_size(m),
               (unsigned)(lln_model_state_size(m) + lln_model_memory_size(m)), &r);
    lln_model_free(m);
    return r.pass ? EXIT_OK : EXIT_FAIL;
}
