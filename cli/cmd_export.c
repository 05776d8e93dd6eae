/* lln export: firmware C for a microcontroller target. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "lln/export.h"
#include "verify_run.h"

static const char EXPORT_HELP[] =
    "usage: lln export MODEL.lln --target T --out DIR [--prefix NAME] [--memory-limit-kb N] "
    "[--float]\n\n"
    "Writes firmware C for a microcontroller: NAME_model.c/.h (const tables, #defines for the\n"
    "exact state, scratch and weight bytes), the runtime sources (no malloc, no stdio, no\n"
    "libm: lln_fx.c/.h + lln_rtq.c/.h + lln_rtq_spec.h for the fixed-point path of a model\n"
    "quantized with `lln quantize` (a CfC or wired CfC without backbone or projection also\n"
    "gets NAME_step, its step with the shapes compiled in), lln_rt.c/.h for the float32\n"
    "path), an example main.c, and build glue:\n"
    "Makefile, CMakeLists.txt, an ESP-IDF\n"
    "component (esp-idf/NAME/), an Arduino library (arduino/NAME/), a PlatformIO library.json.\n"
    "On cortex-m4, m4f, m7 and m33 the generic dense layers read their weights pre-widened to\n"
    "int16 (twice the bytes, less than half the instructions; -DLLN_RTQ_W16=0: int8).\n\n";
/* What follows the --target line (printed with the target names). */
static const char EXPORT_REST[] =
    "  -O, --out DIR           output folder (created if missing)\n"
    "  -p, --prefix NAME       C identifier prefix (default lln)\n"
    "      --memory-limit-kb N refuse a model whose weights + state + scratch exceed N KiB\n"
    "      --float             the float32 runtime (for FPU cores; any model). Without it the\n"
    "                          model must be quantized (`lln quantize`) and gets the\n"
    "                          fixed-point runtime\n"
    "  -h, --help              this text\n";

int cmd_export(int argc, char **argv)
{
    static const struct option opts[] = {{"target", required_argument, 0, 't'},
                                         {"out", required_argument, 0, 'O'},
                                         {"prefix", required_argument, 0, 'p'},
                                         {"memory-limit-kb", required_argument, 0, 'm'},
                                         {"float", no_argument, 0, 'f'},
                                         {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    lln_export_opts_t o = {NULL, NULL, 0, 0};
    const char *out = NULL;
    long kb;
    int opt;
    optind = 1;
    while ((opt = getopt_long(argc, argv, "t:O:p:h", opts, NULL)) != -1) {
        switch (opt) {
        case 'h': {
            char list[512];
            cli_export_targets_text(list, sizeof list, 26);
            fputs(EXPORT_HELP, stdout);
            printf("  -t, --target T          %s\n", list);
            fputs(EXPORT_REST, stdout);
            return EXIT_OK;
        }
        case 't': o.target = optarg; break;
        case 'O': out = optarg; break;
        case 'p': o.prefix = optarg; break;
        case 'f': o.float_path = 1; break;
        case 'm':
            if (!cli_parse_int("export", "--memory-limit-kb", optarg, 1, 1L << 30, &kb))
                return cli_usage_error("export");
            o.memory_limit_kb = kb;
            break;
        default: return cli_usage_error("export");
        }
    }
    if (optind != argc - 1 || o.target == NULL || out == NULL) {
        cli_error("export", optind != argc - 1 ? "expected exactly one model file"
                                               : "--target and --out are required");
        return cli_usage_error("export");
    }
    if (!cli_check_target("export", o.target, 0))
        return EXIT_USAGE;
    lln_model_t *m = cli_load_model("export", argv[optind]);
    if (m == NULL)
        return EXIT_FAIL;
    lln_export_sizes_t s;
    lln_error_t err = {LLN_OK, ""};
    lln_status_t st = lln_export(m, &o, out, &s, &err);
    lln_model_free(m);
    if (st != LLN_OK) {
        cli_error("export", "%s", err.msg);
        return st == LLN_E_ARG || st == LLN_E_UNSUPPORTED ? EXIT_USAGE : EXIT_FAIL;
    }
    printf("wrote %s for %s: weights %zu B (flash), state %zu B + scratch %zu B (RAM)\n", out,
           o.target, s.weight_bytes, s.state_bytes, s.scratch_bytes);
    return EXIT_OK;
}
