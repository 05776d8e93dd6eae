/* lln doctor: which cross compilers, C libraries, emulators and optional tools are installed
 * (with versions), what is missing and the apt-get command that installs it.
 * lln setup-toolchains: runs that command when root (else prints it). */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "os.h"
#include "toolchain.h"

static const char DOCTOR_HELP[] =
    "usage: lln doctor\n\n"
    "Lists the tools lln uses: the cross compilers, C libraries and emulators of lln verify and\n"
    "lln profile (Cortex-M: arm-none-eabi-gcc, newlib, qemu-system-arm; RV32:\n"
    "riscv64-unknown-elf-gcc, picolibc, qemu-system-riscv32), the host tools they need, and\n"
    "optional tools (chromium, rsvg-convert, clang, gcovr, valgrind, ...), each with its version\n"
    "or 'missing', then the apt-get command that installs what is missing\n"
    "(lln setup-toolchains runs it).\n\n"
    "  -h, --help   this text\n\n"
    "Exit status: 0 (also when tools are missing: the report is the result); 2 bad command line.\n";

static const char SETUP_HELP[] =
    "usage: lln setup-toolchains [--optional] [--dry-run]\n\n"
    "Installs the missing cross compilers, C libraries and emulators of lln verify and\n"
    "lln profile with apt-get (Debian packages), when run as root; otherwise prints the\n"
    "command to run.\n\n"
    "  -o, --optional   also the optional tools lln doctor lists (chromium, rsvg-convert, ...)\n"
    "  -n, --dry-run    print what would be run, run nothing\n"
    "  -h, --help       this text\n\n"
    "Exit status: 0 installed, nothing missing, or --dry-run; 1 not root / apt-get failed\n"
    "(the command is printed); 2 bad command line.\n";

static const char *group_title(tool_group_t g)
{
    switch (g) {
    case TOOL_SIM_ARM: return "Cortex-M targets (lln verify, lln profile)";
    case TOOL_SIM_RISCV: return "RV32 targets (lln verify, lln profile)";
    case TOOL_HOST: return "host tools of the emulator harness";
    default: return "optional";
    }
}

/* The Debian packages of the missing tools (space-separated, each once) into buf. */
static int missing_packages(int optional, char *buf, size_t cap)
{
    int n = 0;
    buf[0] = '\0';
    for (const tool_t *t = toolchain_tools(); t->name; t++) {
        if ((t->group == TOOL_OPTIONAL && !optional) || toolchain_present(t))
            continue;
        char word[128];
        snprintf(word, sizeof word, " %s ", t->package);
        char padded[1024];
        snprintf(padded, sizeof padded, " %s ", buf);
        if (strstr(padded, word) != NULL)
            continue;
        size_t k = strlen(buf);
        snprintf(buf + k, cap - k, "%s%s", k ? " " : "", t->package);
        n++;
    }
    return n;
}

int cmd_doctor(int argc, char **argv)
{
    static const struct option opts[] = {{"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
    int opt;
    optind = 1;
    while ((opt = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        if (opt != 'h')
            return cli_usage_error("doctor");
        fputs(DOCTOR_HELP, stdout);
        return EXIT_OK;
    }
    if (optind != argc) {
        cli_error("doctor", "takes no arguments");
        return cli_usage_error("doctor");
    }
    printf("liquid-edge %s, float32 kernels: %s\n\n", lln_version(), lln_kernel_isa());
    const char *no = cli_no_toolchains();
    if (no != NULL) { /* no Debian tool table to check */
        printf("lln verify, lln profile and lln setup-toolchains: %s.\n", no);
        return EXIT_OK;
    }
    int group = -1, missing = 0;
    for (const tool_t *t = toolchain_tools(); t->name; t++) {
        if ((int)t->group != group) {
            group = (int)t->group;
            printf("%s%s:\n", group ? "\n" : "", group_title(t->group));
        }
        char v[160] = "";
        int present = toolchain_present(t);
        if (present)
            toolchain_version(t, v, sizeof v);
        missing += !present;
        printf("  %-8s %-31s %s\n", present ? "ok" : "MISSING", t->name,
               present ? (v[0] ? v : "(version unknown)") : "");
        if (!present)
            printf("  %8s %-31s Debian package %s: %s\n", "", "", t->package, t->purpose);
    }
    char pkgs[1024];
    int need = missing_packages(0, pkgs, sizeof pkgs);
    char all[1024];
    missing_packages(1, all, sizeof all);
    printf("\n");
    if (missing == 0)
        printf("Everything is installed.\n");
    if (need > 0)
        printf("lln verify / lln profile need: apt-get install -y --no-install-recommends %s\n"
               "(or as root: lln setup-toolchains)\n",
               pkgs);
    else
        printf("lln verify and lln profile have every tool they need.\n");
    if (all[0] && strcmp(all, pkgs) != 0)
        printf("Everything, optional tools included: apt-get install -y "
               "--no-install-recommends %s\n(or as root: lln setup-toolchains --optional)\n",
               all);
    return EXIT_OK;
}

static int run_cmd(char *const argv[])
{
    /* argv[0] is always "apt-get", the packages come from the tool table */
    return cli_run(argv, NULL, NULL, "DEBIAN_FRONTEND=noninteractive");
}

int cmd_setup_toolchains(int argc, char **argv)
{
    static const struct option opts[] = {{"optional", no_argument, 0, 'o'},
                                         {"dry-run", no_argument, 0, 'n'},
                                         {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    int opt, optional = 0, dry = 0;
    optind = 1;
    while ((opt = getopt_long(argc, argv, "onh", opts, NULL)) != -1) {
        switch (opt) {
        case 'o': optional = 1; break;
        case 'n': dry = 1; break;
        case 'h': fputs(SETUP_HELP, stdout); return EXIT_OK;
        default: return cli_usage_error("setup-toolchains");
        }
    }
    if (optind != argc) {
        cli_error("setup-toolchains", "takes no arguments");
        return cli_usage_error("setup-toolchains");
    }
    if (cli_no_toolchains() != NULL) {
        cli_error("setup-toolchains", "%s", cli_no_toolchains());
        return EXIT_FAIL;
    }
    char pkgs[1024];
    if (missing_packages(optional, pkgs, sizeof pkgs) == 0) {
        printf("nothing to install: every %s is present\n",
               optional ? "tool lln doctor lists" : "toolchain and emulator");
        return EXIT_OK;
    }
    if (dry) {
        printf("would run: apt-get update && apt-get install -y --no-install-recommends %s\n",
               pkgs);
        return EXIT_OK;
    }
    if (!cli_is_admin()) {
        cli_error("setup-toolchains",
                  "not root: run  sudo apt-get install -y "
                  "--no-install-recommends %s",
                  pkgs);
        return EXIT_FAIL;
    }
    printf("installing: %s\n", pkgs);
    if (fflush(stdout) != 0)
        return EXIT_FAIL;
    char *upd[] = {"apt-get", "update", "-qq", NULL};
    if (run_cmd(upd) != 0) {
        cli_error("setup-toolchains", "apt-get update failed");
        return EXIT_FAIL;
    }
    char *argvv[64] = {"apt-get", "install", "-y", "-qq", "--no-install-recommends"};
    int k = 5;
    for (char *save = NULL, *p = strtok_r(pkgs, " ", &save); p && k < 63;
         p = strtok_r(NULL, " ", &save))
        argvv[k++] = p;
    argvv[k] = NULL;
    int rc = run_cmd(argvv);
    if (rc != 0) {
        cli_error("setup-toolchains", "apt-get install failed (exit %d)", rc);
        return EXIT_FAIL;
    }
    printf("done: lln doctor shows what is installed now\n");
    return EXIT_OK;
}
