/* The firmware build-and-run of `lln verify`, shared with `lln profile`. */
#ifndef LLN_CLI_VERIFY_RUN_H
#define LLN_CLI_VERIFY_RUN_H

#include "cli.h"
#include "lln/export.h"
#include "lln/profile.h"

/* The emulator harness (sim/), embedded at build time (CMake, cmake/embed.cmake): the files
 * `lln verify` writes into its work folder, ending with a NULL path. */
typedef struct cli_sim_file {
    const char *path;
    const unsigned char *data;
    const size_t *len;
} cli_sim_file_t;
extern const cli_sim_file_t cli_sim_files[];

/* The target lists of the help texts (cli/targets.c): the export targets of the library, and
 * the targets sim/targets.sh can emulate; "a, b, c" wrapped, continuation lines indented. */
void cli_export_targets_text(char *buf, size_t cap, int indent);
void cli_emulated_targets_text(char *buf, size_t cap, int indent);
/* 1 when target is one of the export targets (emulated 0) or of the emulated targets
 * (emulated 1); else prints "lln CMD: --target: unknown target 'T' (known: ...)" and
 * returns 0. */
int cli_check_target(const char *cmd, const char *target, int emulated);

/* Longest work folder path (--keep). */
#define VERIFY_WORK_MAX 1024

/* What to build and run. */
typedef struct verify_job {
    const char *cmd;    /* "verify", "profile": the prefix of every message */
    const char *target; /* an emulated export target (sim/targets.sh) */
    const char *input;  /* CSV of test inputs, or NULL: a generated sequence */
    const char *keep;   /* build in this folder and keep it, or NULL: a temporary one */
    long steps;         /* length of the generated sequence */
    int force_float;    /* the float32 runtime even for a quantized model */
    const char *cycles; /* also estimate cycles with this timing model ("m4", "m33", "m0plus";
                         * sim/insncount.c), or NULL: as SIM_CYCLES in the environment says */
} verify_job_t;

/* What came out. Counts and sizes are 0 when the step that measures them did not run. */
typedef struct verify_result {
    int fixed;                /* the fixed-point runtime was used */
    int prepared;             /* host reference and work folder were ready (a report makes sense) */
    int pass;                 /* built, ran, every line bit-identical to the host */
    int steps;                /* length of the sequence run */
    lln_export_sizes_t sizes; /* weights, state, scratch of the export */
    long flash_rt;            /* flash of runtime + model tables (linker map) */
    long ram_image, flash_image;       /* the whole image, C library included */
    long insn_sum, insn_min, insn_max; /* instructions between the profiling markers */
    long regions;                      /* marker pairs seen (= steps run) */
    /* cycles between the markers from the plugin's timing model (SIM_CYCLES in the
     * environment or verify_job_t.cycles; docs/ENERGY.md), 0 when not estimated */
    long cyc_sum, cyc_min, cyc_max;
    char cyc_model[8]; /* "m4", "m33", "m0plus"; "" when not estimated */
} verify_result_t;

/* Exports m for job->target, builds it with the cross compiler, runs it under QEMU with the
 * instruction counter and compares every output and state bit for bit with the host. Prints
 * problems as "lln CMD: ...". Returns res->pass. */
int verify_model(const lln_model_t *m, const verify_job_t *job, verify_result_t *res);

/* The timing model of sim/insncount.c for a core of the device database: "m4" (cortex-m4,
 * cortex-m4f), "m33" (cortex-m33), "m0plus" (cortex-m0plus); NULL for a core without one. */
const char *verify_cycle_model(const char *core);

/* *out = *d, its cpi replaced by the cycles per instruction of r's cycle estimate when r has
 * one (line 0: derived; trust D for the Cortex-M4 and M0+ tables Arm publishes, U for m33,
 * which applies the M4 table). Returns 1 when replaced, 0 when *out is a plain copy. */
int verify_device_cycles(const lln_device_t *d, const verify_result_t *r, lln_device_t *out);

/* Writes the emulator harness (sim/: build.sh, run.sh, targets.sh, linker scripts...) into
 * work/sim. 1 on success (problems printed as "lln CMD: ..."). */
int verify_write_harness(const char *cmd, const char *work);

/* rm -rf dir (a work folder this process made). */
int verify_remove_tree(const char *dir);

#endif
