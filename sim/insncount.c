/* insncount.c - QEMU TCG plugin: deterministic count of the guest's executed
 * instructions, in total and inside marked regions.
 *
 * A region starts when the guest enters the function at address `begin` (the
 * firmware's lln_prof_begin) and ends when it enters the function at `end`
 * (lln_prof_end).  A region's count is every instruction executed from the first
 * instruction of begin up to, not including, the first instruction of end: the
 * marker's own body, the calls and returns, and everything called in between.
 * Regions may repeat (one per step); they do not nest.
 *
 * Arguments (comma-separated after the .so path):
 *   begin=ADDR,end=ADDR   marker addresses (hex 0x... or decimal; bit 0, the Thumb
 *                         bit that nm may show, is ignored)
 *   each=1                also print one line per region
 * Output, at exit, through QEMU's log (run with -d plugin [-D FILE]):
 *   insncount: total=N regions=K region_sum=S region_min=A region_max=B
 *   insncount: region I N                      (each=1; I from 1)
 *   insncount: warning: ...                    (unpaired markers)
 *
 * Counting: every translation block adds its instruction count when it starts (an
 * inline add, cheap); a marker's callback corrects for the instructions of its
 * block that have not run yet, so region counts are exact.  A block left early by
 * an exception (semihosting call, fault) still counts whole in `total`; that is
 * the same on every run.  Single vCPU (every board used by sim/ has one).
 *
 * Plugin API version 1, as QEMU 6.0-7.2 export it.  Debian packages no
 * qemu-plugin.h, so the few declarations used are written out here; their
 * signatures are those of include/qemu/qemu-plugin.h in QEMU 7.2. */
#include <inttypes.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the QEMU plugin API subset (QEMU 7.2, plugin API version 1) ---- */
typedef uint64_t qemu_plugin_id_t;
struct qemu_plugin_tb;
struct qemu_plugin_insn;
enum qemu_plugin_cb_flags {
    QEMU_PLUGIN_CB_NO_REGS,
    QEMU_PLUGIN_CB_R_REGS,
    QEMU_PLUGIN_CB_RW_REGS,
};
enum qemu_plugin_op {
    QEMU_PLUGIN_INLINE_ADD_U64,
};
typedef void (*qemu_plugin_vcpu_tb_trans_cb_t)(qemu_plugin_id_t id, struct qemu_plugin_tb *tb);
typedef void (*qemu_plugin_vcpu_udata_cb_t)(unsigned int vcpu_index, void *userdata);
typedef void (*qemu_plugin_udata_cb_t)(qemu_plugin_id_t id, void *userdata);

void qemu_plugin_register_vcpu_tb_trans_cb(qemu_plugin_id_t id, qemu_plugin_vcpu_tb_trans_cb_t cb);
void qemu_plugin_register_vcpu_tb_exec_inline(struct qemu_plugin_tb *tb, enum qemu_plugin_op op,
                                              void *ptr, uint64_t imm);
void qemu_plugin_register_vcpu_insn_exec_cb(struct qemu_plugin_insn *insn,
                                            qemu_plugin_vcpu_udata_cb_t cb,
                                            enum qemu_plugin_cb_flags flags, void *userdata);
size_t qemu_plugin_tb_n_insns(const struct qemu_plugin_tb *tb);
struct qemu_plugin_insn *qemu_plugin_tb_get_insn(const struct qemu_plugin_tb *tb, size_t idx);
uint64_t qemu_plugin_insn_vaddr(const struct qemu_plugin_insn *insn);
void qemu_plugin_register_atexit_cb(qemu_plugin_id_t id, qemu_plugin_udata_cb_t cb, void *userdata);
void qemu_plugin_outs(const char *string);

#define INSNCOUNT_EXPORT __attribute__((visibility("default")))
INSNCOUNT_EXPORT extern int qemu_plugin_version;
INSNCOUNT_EXPORT int qemu_plugin_version = 1;
INSNCOUNT_EXPORT int qemu_plugin_install(qemu_plugin_id_t id, const void *info, int argc,
                                         char **argv);

/* ---- state (one vCPU) ---- */
#define NO_ADDRESS UINT64_MAX

static uint64_t total; /* instructions of every block entered */
static uint64_t begin_pc = NO_ADDRESS;
static uint64_t end_pc = NO_ADDRESS;
static int print_each;

static int region_open;
static uint64_t region_start; /* instructions executed before begin's entry */
static uint64_t region_sum, region_min = UINT64_MAX, region_max;
static uint64_t *regions; /* each region's count when each=1 */
static size_t n_regions, cap_regions, unpaired_begin, unpaired_end;

/* The marker's block has already added all its n instructions to `total`; `ahead`
 * (n minus the marker's index in the block) of them have not run yet. */
static uint64_t executed_before(void *ahead) { return total - (uint64_t)(uintptr_t)ahead; }

static void on_begin(unsigned int vcpu, void *ahead)
{
    (void)vcpu;
    if (region_open)
        ++unpaired_begin;
    region_open = 1;
    region_start = executed_before(ahead);
}

static void on_end(unsigned int vcpu, void *ahead)
{
    (void)vcpu;
    if (!region_open) {
        ++unpaired_end;
        return;
    }
    region_open = 0;
    uint64_t n = executed_before(ahead) - region_start;
    region_sum += n;
    if (n < region_min)
        region_min = n;
    if (n > region_max)
        region_max = n;
    if (print_each) {
        if (n_regions == cap_regions) {
            size_t cap = cap_regions ? 2 * cap_regions : 64;
            uint64_t *grown = realloc(regions, cap * sizeof *grown);
            if (!grown) {
                print_each = 0; /* keep counting; the per-region lines are dropped */
                qemu_plugin_outs("insncount: warning: out of memory, each=1 dropped\n");
            } else {
                regions = grown;
                cap_regions = cap;
            }
        }
        if (print_each)
            regions[n_regions] = n;
    }
    ++n_regions;
}

static void on_translate(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
    size_t n = qemu_plugin_tb_n_insns(tb);
    (void)id;
    qemu_plugin_register_vcpu_tb_exec_inline(tb, QEMU_PLUGIN_INLINE_ADD_U64, &total, n);
    for (size_t i = 0; i < n; ++i) {
        struct qemu_plugin_insn *insn = qemu_plugin_tb_get_insn(tb, i);
        uint64_t pc = qemu_plugin_insn_vaddr(insn);
        void *ahead = (void *)(uintptr_t)(n - i);
        if (pc == begin_pc)
            qemu_plugin_register_vcpu_insn_exec_cb(insn, on_begin, QEMU_PLUGIN_CB_NO_REGS, ahead);
        if (pc == end_pc)
            qemu_plugin_register_vcpu_insn_exec_cb(insn, on_end, QEMU_PLUGIN_CB_NO_REGS, ahead);
    }
}

static void on_exit_report(qemu_plugin_id_t id, void *userdata)
{
    char line[256];
    (void)id;
    (void)userdata;
    snprintf(line, sizeof line,
             "insncount: total=%" PRIu64 " regions=%zu region_sum=%" PRIu64 " region_min=%" PRIu64
             " region_max=%" PRIu64 "\n",
             total, n_regions, region_sum, n_regions ? region_min : 0, region_max);
    qemu_plugin_outs(line);
    for (size_t i = 0; print_each && i < n_regions; ++i) {
        snprintf(line, sizeof line, "insncount: region %zu %" PRIu64 "\n", i + 1, regions[i]);
        qemu_plugin_outs(line);
    }
    if (unpaired_begin || unpaired_end || region_open) {
        snprintf(line, sizeof line,
                 "insncount: warning: unpaired markers: %zu begin without end, %zu end "
                 "without begin%s\n",
                 unpaired_begin + (size_t)region_open, unpaired_end,
                 region_open ? " (one still open at exit)" : "");
        qemu_plugin_outs(line);
    }
    free(regions);
}

/* Parses "0x..." or decimal; 0 on success. */
static int parse_address(const char *s, uint64_t *out)
{
    char *end;
    unsigned long long v = strtoull(s, &end, 0);
    if (end == s || *end != '\0')
        return -1;
    *out = (uint64_t)v & ~(uint64_t)1; /* Thumb bit: instructions are at even addresses */
    return 0;
}

int qemu_plugin_install(qemu_plugin_id_t id, const void *info, int argc, char **argv)
{
    (void)info;
    for (int i = 0; i < argc; ++i) {
        const char *a = argv[i];
        int bad = 0;
        if (strncmp(a, "begin=", 6) == 0)
            bad = parse_address(a + 6, &begin_pc);
        else if (strncmp(a, "end=", 4) == 0)
            bad = parse_address(a + 4, &end_pc);
        else if (strcmp(a, "each=1") == 0)
            print_each = 1;
        else if (strcmp(a, "each=0") == 0)
            print_each = 0;
        else
            bad = 1;
        if (bad) {
            fprintf(stderr,
                    "insncount: bad argument '%s' (expected begin=ADDR, end=ADDR, each=0|1)\n", a);
            return -1;
        }
    }
    if ((begin_pc == NO_ADDRESS) != (end_pc == NO_ADDRESS)) {
        fprintf(stderr, "insncount: begin= and end= go together\n");
        return -1;
    }
    qemu_plugin_register_vcpu_tb_trans_cb(id, on_translate);
    qemu_plugin_register_atexit_cb(id, on_exit_report, NULL);
    return 0;
}
