/* lln: the liquid-edge command line. One binary, one subcommand per job. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

typedef struct {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
} command_t;

static const command_t COMMANDS[] = {
    {"new", cmd_new, "create a model from flags (cell, wiring, sizes, mode, seed...)"},
    {"info", cmd_info, "describe a model: structure, parameters, cost per step, memory"},
    {"run", cmd_run, "stream CSV rows through a model, one output row per input row"},
    {"import-ncps", cmd_import_ncps, "convert an ncps (PyTorch) checkpoint to a .lln model"},
    {"verify", cmd_verify,
     "run exported firmware under QEMU and compare it bit for bit with the host"},
    {"export", cmd_export, "write firmware C (runtime, model tables, build glue) for a target"},
    {"quantize", cmd_quantize,
     "calibrate a model for the fixed-point firmware runtime (int8 / int16)"},
    {"data", cmd_data, "training data: make the built-in dataset, describe or prepare a CSV"},
    {"train", cmd_train, "train a model on a CSV log (BPTT, Adam/SGD, threads, checkpoints)"},
    {"eval", cmd_eval, "score a model on a CSV log: loss, accuracy or MSE, confusion matrix"},
    {"report", cmd_report, "one self-contained HTML page of plots and tables from result files"},
    {"plot", cmd_plot, "the figures of lln report as SVG (and PNG) files"},
    {"profile", cmd_profile,
     "cycles, latency, energy per step, average power on microcontroller devices"},
    {"compare", cmd_compare,
     "train liquid and baseline networks on one dataset: accuracy, memory, energy"},
    {"search", cmd_search,
     "find the most accurate model within a flash/RAM/energy budget (successive halving)"},
    {"sim", cmd_sim,
     "closed-loop robot tasks (MuJoCo): expert vs policy vs fixed point vs firmware in QEMU"},
    {"doctor", cmd_doctor,
     "list the cross compilers, emulators and optional tools, and what is missing"},
    {"setup-toolchains", cmd_setup_toolchains,
     "install the missing cross compilers and emulators (apt-get, as root)"},
};
#define NCOMMANDS (sizeof COMMANDS / sizeof COMMANDS[0])

static void usage(FILE *f)
{
    fprintf(f, "usage: lln COMMAND [OPTIONS]\n"
               "       lln COMMAND --help\n"
               "       lln --help | --version\n\n"
               "liquid-edge: liquid neural networks (ncps LTC / CfC) from laptop to "
               "microcontroller.\n\nCommands:\n");
    for (size_t i = 0; i < NCOMMANDS; i++)
        fprintf(f, "  %-16s %s\n", COMMANDS[i].name, COMMANDS[i].summary);
    fprintf(f, "\nExit status:\n"
               "  0  success\n"
               "  1  the command failed (bad model file, bad input data, I/O error)\n"
               "  2  bad command line (unknown option, missing argument)\n"
               "\nDocumentation: docs/CLI.md, docs/FORMAT.md, docs/DESIGN.md.\n");
}

/* Output lost on standard output (a full disk, a closed pipe) is a failure: a command that
 * printed its result must not exit 0 when the result did not arrive. */
static int finish_stdout(const char *cmd, int rc)
{
    errno = 0;
    if ((fflush(stdout) != 0 || ferror(stdout)) && rc == EXIT_OK) { /* else it said why */
        cli_error(cmd, "<stdout>: cannot write output: %s",
                  errno ? strerror(errno) : "write error");
        return EXIT_FAIL;
    }
    return rc;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return EXIT_USAGE;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
        strcmp(argv[1], "help") == 0) {
        usage(stdout);
        return EXIT_OK;
    }
    if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0) {
        printf("lln %s\n", lln_version());
        return EXIT_OK;
    }
    for (size_t i = 0; i < NCOMMANDS; i++)
        if (strcmp(argv[1], COMMANDS[i].name) == 0) {
            /* getopt prefixes its messages with argv[0]: make that "lln CMD" like ours */
            char prog[64];
            snprintf(prog, sizeof prog, "lln %s", COMMANDS[i].name);
            argv[1] = prog;
            int rc = COMMANDS[i].run(argc - 1, argv + 1);
            return finish_stdout(COMMANDS[i].name, rc);
        }
    fprintf(stderr, "lln: unknown command '%s'\n\n", argv[1]);
    usage(stderr);
    return EXIT_USAGE;
}
