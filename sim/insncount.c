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
 *   cycles=m4|m33|m0plus  also estimate cycles from the core's documented instruction
 *                         timings (the table below; Arm Cortex-M Thumb code only)
 * Output, at exit, through QEMU's log (run with -d plugin [-D FILE]):
 *   insncount: total=N regions=K region_sum=S region_min=A region_max=B
 *   insncount: region I N                      (each=1; I from 1)
 *   insncount: cycles model=M total=C region_sum=S region_min=A region_max=B
 *              region_taken=T                  (cycles=M only; one line)
 *   insncount: warning: ...                    (unpaired markers)
 * Without cycles= the output is exactly the first three kinds of line.
 *
 * Counting: every translation block adds its instruction count when it starts (an
 * inline add, cheap); a marker's callback corrects for the instructions of its
 * block that have not run yet, so region counts are exact.  A block left early by
 * an exception (semihosting call, fault) still counts whole in `total`; that is
 * the same on every run.  Single vCPU (every board used by sim/ has one).
 *
 * Cycles (cycles=M): each instruction's cost is looked up when its block is translated,
 * from its disassembly (qemu_plugin_insn_disas) and the instruction before it in the
 * block (load pipelining, address dependencies), and the block's sum added inline like
 * the instruction count; a taken branch (the next block executed does not start where
 * the branching block falls through) adds the pipeline refill P from a per-block
 * callback.  Zero wait states: flash wait states, caches and bus contention are not
 * modelled.  region_taken is the number of taken branches inside the regions.
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
void qemu_plugin_register_vcpu_tb_exec_cb(struct qemu_plugin_tb *tb, qemu_plugin_vcpu_udata_cb_t cb,
                                          enum qemu_plugin_cb_flags flags, void *userdata);
void qemu_plugin_register_vcpu_insn_exec_cb(struct qemu_plugin_insn *insn,
                                            qemu_plugin_vcpu_udata_cb_t cb,
                                            enum qemu_plugin_cb_flags flags, void *userdata);
size_t qemu_plugin_tb_n_insns(const struct qemu_plugin_tb *tb);
struct qemu_plugin_insn *qemu_plugin_tb_get_insn(const struct qemu_plugin_tb *tb, size_t idx);
uint64_t qemu_plugin_insn_vaddr(const struct qemu_plugin_insn *insn);
size_t qemu_plugin_insn_size(const struct qemu_plugin_insn *insn);
char *qemu_plugin_insn_disas(const struct qemu_plugin_insn *insn);
void qemu_plugin_register_atexit_cb(qemu_plugin_id_t id, qemu_plugin_udata_cb_t cb, void *userdata);
void qemu_plugin_outs(const char *string);

#define INSNCOUNT_EXPORT __attribute__((visibility("default")))
INSNCOUNT_EXPORT extern int qemu_plugin_version;
INSNCOUNT_EXPORT int qemu_plugin_version = 1;
INSNCOUNT_EXPORT int qemu_plugin_install(qemu_plugin_id_t id, const void *info, int argc,
                                         char **argv);

/* ---- cycle timings ----
 * Cycles per instruction at zero wait states, from Arm's documentation:
 *   m4      Cortex-M4 Technical Reference Manual (r0p1), "Instruction set summary"
 *           (cycle counts) and "Load/store timings" (pairing rules); Cortex-M4F
 *           floating-point timings from the same manual's FPU chapter.
 *   m33     Arm publishes no per-instruction table for Cortex-M33: the m4 table is
 *           applied unchanged (same three-stage in-order Armv7-M/v8-M pipeline; the
 *           M33's limited dual issue of 16-bit pairs is not modelled, so this errs high).
 *   m0plus  Cortex-M0+ Devices Generic User Guide, "Instruction set summary" (two-stage
 *           pipeline: loads/stores 2, taken branch 2, BL 3, single-cycle multiplier).
 * P, the pipeline refill of a taken branch, is 1 to 3 on Cortex-M4 ("depending on the
 * alignment and width of the target instruction"): 2 is used; region_taken gives the
 * count to bound it (+-1 cycle each).  SDIV/UDIV take 2-12 cycles by the operands'
 * leading bits: 7 is used.  The rules applied from the M4 load/store notes: an LDR or
 * STR right after a single LDR whose result is not in its address takes 1 cycle less;
 * STR with an immediate offset takes 1; a load or store whose address register was
 * written by the instruction just before takes 1 more; LDRD/STRD 1+2, LDM/STM/PUSH/POP
 * 1+N. IT takes 1 (folding is not modelled). */
enum { MODEL_NONE, MODEL_M4, MODEL_M33, MODEL_M0PLUS };
static const char *const model_names[] = {"", "m4", "m33", "m0plus"};
#define DIV_CYCLES 7

/* What the timing rules need to know about an instruction. */
typedef struct {
    unsigned cost;      /* cycles, not counting a taken branch's refill */
    int branch;         /* may change the PC: a taken one adds the refill */
    int single_load;    /* LDR/LDRB/LDRH/LDRSB/LDRSH/LDREX (pipelines with the next) */
    int single_ls;      /* a single load or store (LDR*, STR*, not D/M/VFP) */
    int writes;         /* register number written (data processing or load), -1 none */
    unsigned addr_regs; /* bit mask of registers forming a load/store address */
} insn_info_t;

/* Register number of "r0".."r12", "sp", "lr", "pc", "ip", "fp", "sb", "sl"; -1 otherwise. */
static int reg_number(const char *s, size_t n)
{
    static const char *const alias[] = {"sb", "sl", "fp", "ip", "sp", "lr", "pc"};
    if (n >= 2 && n <= 3 && s[0] == 'r' && s[1] >= '0' && s[1] <= '9') {
        int v = atoi(s + 1);
        return v <= 15 ? v : -1;
    }
    for (int i = 0; n == 2 && i < 7; ++i)
        if (strncmp(s, alias[i], 2) == 0)
            return 9 + i;
    return -1;
}

/* The first register named in s (up to a ',' or ']' or end); -1 when there is none. */
static int first_reg(const char *s)
{
    while (*s == ' ' || *s == '{' || *s == '[')
        ++s;
    size_t n = strcspn(s, " ,]}!");
    return reg_number(s, n);
}

/* Number of registers in the first {...} list of s (ranges "r4-r7" and "d8-d9" counted
 * whole; a d register counts 2 words), and whether pc is among them. */
static unsigned reg_list(const char *s, int *has_pc)
{
    const char *p = strchr(s, '{'), *e = p ? strchr(p, '}') : NULL;
    unsigned n = 0;
    *has_pc = 0;
    while (p && e && ++p < e) {
        while (*p == ' ')
            ++p;
        size_t len = strcspn(p, ",}");
        const char *dash = memchr(p, '-', len);
        unsigned words = *p == 'd' ? 2u : 1u;
        if (dash) {
            long a = strtol(p + 1, NULL, 10), b = strtol(dash + 2, NULL, 10);
            n += b >= a ? (unsigned)(b - a + 1) * words : words;
        } else {
            n += words;
            if (strncmp(p, "pc", 2) == 0)
                *has_pc = 1;
        }
        p += len;
    }
    return n;
}

static int is_cond(const char *c)
{
    static const char conds[] = "eqnecshsccmiplvsvchilsgeltgtlealo";
    for (size_t i = 0; c[0] && c[1] && !c[2] && i + 1 < sizeof conds; i += 2)
        if (c[0] == conds[i] && c[1] == conds[i + 1])
            return 1;
    return 0;
}

static int starts(const char *m, const char *prefix)
{
    return strncmp(m, prefix, strlen(prefix)) == 0;
}

/* Costs one instruction from its disassembly ("ldr.w r3, [r2, #0xd88]"). */
static insn_info_t classify(int model, const char *dis)
{
    insn_info_t r = {1, 0, 0, 0, -1, 0};
    char m[16];
    size_t n = strcspn(dis, " ");
    if (n >= sizeof m)
        n = sizeof m - 1;
    memcpy(m, dis, n);
    m[n] = '\0';
    char *dot = strchr(m, '.');
    if (dot != NULL && m[0] != 'v') /* .w/.n width suffixes; keep a VFP type (.f32) */
        *dot = '\0';
    const char *ops = dis + strcspn(dis, " ");
    while (*ops == ' ')
        ++ops;
    const char *bracket = strchr(ops, '[');
    int first = first_reg(ops), m0 = model == MODEL_M0PLUS;
    size_t ml = strlen(m);

    if (strcmp(m, "b") == 0 || strcmp(m, "bx") == 0 || (m[0] == 'b' && is_cond(m + 1)) ||
        (starts(m, "bx") && is_cond(m + 2)) || strcmp(m, "blx") == 0 || starts(m, "cb")) {
        r.branch = 1;
    } else if (strcmp(m, "bl") == 0 || (starts(m, "bl") && is_cond(m + 2))) {
        r.branch = 1;
        r.cost = m0 ? 2 : 1; /* M0+: BL is 3 with its refill of 1 */
    } else if (strcmp(m, "tbb") == 0 || strcmp(m, "tbh") == 0) {
        r.branch = 1;
        r.cost = 2;
    } else if (m[0] == 'i' && m[1] == 't' && strspn(m + 2, "te") == ml - 2) {
        r.cost = 1;
    } else if (starts(m, "ldm") || starts(m, "pop") || starts(m, "stm") || starts(m, "push")) {
        int pc;
        r.cost = 1 + reg_list(ops, &pc);
        r.branch = pc && (m[0] == 'l' || m[1] == 'o'); /* LDM or POP loading the PC */
        if (m[0] == 'l')
            r.addr_regs = first >= 0 ? 1u << first : 0;
    } else if (starts(m, "vldm") || starts(m, "vstm") || starts(m, "vpush") || starts(m, "vpop")) {
        int pc;
        r.cost = 1 + reg_list(ops, &pc);
    } else if (starts(m, "ldrd") || starts(m, "strd")) {
        r.cost = 3;
    } else if (starts(m, "ldr") || starts(m, "str") || starts(m, "vldr") || starts(m, "vstr") ||
               starts(m, "pld")) {
        int base = bracket ? first_reg(bracket) : -1, idx = -1;
        const char *comma = bracket ? strchr(bracket, ',') : NULL;
        const char *close = bracket ? strchr(bracket, ']') : NULL;
        if (comma != NULL && close != NULL && comma < close)
            idx = first_reg(comma + 1); /* a register offset: [Rn, Rm{, lsl #s}] */
        r.addr_regs = (base >= 0 ? 1u << base : 0) | (idx >= 0 ? 1u << idx : 0);
        r.single_ls = m[0] != 'v' && m[0] != 'p';
        r.cost = 2;
        if (!m0 && m[0] == 's' && idx < 0)
            r.cost = 1; /* STR Rx,[Ry,#imm] is always one cycle */
        if (m[0] == 'l' && first == 15) {
            r.branch = 1; /* LDR PC: a load, then the refill */
        } else if (m[0] == 'l') {
            r.single_load = 1;
            r.writes = first;
        }
    } else if (strcmp(m, "sdiv") == 0 || strcmp(m, "udiv") == 0) {
        r.cost = DIV_CYCLES;
        r.writes = first;
    } else if (strcmp(m, "dsb") == 0 || strcmp(m, "dmb") == 0 || strcmp(m, "isb") == 0) {
        r.cost = m0 ? 3 : 4; /* 1 + B: B at least the refill for ISB */
    } else if (starts(m, "vdiv") || starts(m, "vsqrt")) {
        r.cost = 14;
    } else if (starts(m, "vmla") || starts(m, "vmls") || starts(m, "vnmla") || starts(m, "vnmls") ||
               starts(m, "vfma") || starts(m, "vfms") || starts(m, "vfnma") || starts(m, "vfnms")) {
        r.cost = 3;
    } else if (m[0] == 'v') {
        r.cost = 1;
    } else {
        /* data processing, multiplies (single-cycle on M4/M33, and on RP2040's M0+), saturation,
         * SIMD, moves: 1; + the refill when the destination is the PC */
        static const char *const no_dest[] = {"cmp", "cmn", "tst", "teq", "nop", "bkpt",
                                              "svc", "wfi", "wfe", "sev", "cps", "msr"};
        int has_dest = 1;
        for (size_t i = 0; i < sizeof no_dest / sizeof no_dest[0]; ++i)
            if (starts(m, no_dest[i]))
                has_dest = 0;
        if (has_dest) {
            r.writes = first;
            if (first == 15)
                r.branch = 1;
        }
    }
    return r;
}

/* Cost of insn given the one before it in the same block (prev NULL at a block start). */
static unsigned pair_cost(int model, const insn_info_t *prev, const insn_info_t *cur)
{
    unsigned c = cur->cost;
    if (model == MODEL_M0PLUS || prev == NULL || cur->addr_regs == 0)
        return c;
    int dep = prev->writes >= 0 && (cur->addr_regs >> prev->writes) & 1u;
    if (prev->single_load && cur->single_ls && !dep && c == 2)
        return c - 1; /* pipelined behind the previous LDR */
    if (!prev->single_load && dep)
        return c + 1; /* address from the instruction just before: no forwarding path */
    return c;
}

/* ---- state (one vCPU) ---- */
#define NO_ADDRESS UINT64_MAX

/* A count over regions: its value when the open region started, sum, least, greatest. */
typedef struct {
    uint64_t start, sum, min, max;
} tally_t;

static uint64_t total; /* instructions of every block entered */
static uint64_t begin_pc = NO_ADDRESS;
static uint64_t end_pc = NO_ADDRESS;
static int print_each;
static int model;       /* MODEL_NONE: instructions only */
static uint64_t cycles; /* cycles of every block entered, taken branches included */
static uint64_t taken, taken_start, taken_sum;

static int region_open;
static tally_t insns = {0, 0, UINT64_MAX, 0}, cyc = {0, 0, UINT64_MAX, 0};
static uint64_t *regions; /* each region's count when each=1 */
static size_t n_regions, cap_regions, unpaired_begin, unpaired_end;

/* A marker instruction: how many instructions, and cycles, of its block are still ahead
 * (the block has already added all of them); and a translated block's exit. */
typedef struct marker {
    uint64_t insn_ahead, cycles_ahead;
    struct marker *next;
} marker_t;
typedef struct block {
    uint64_t start, fall_through;
    int ends_in_branch;
    struct block *next;
} block_t;
static marker_t *markers; /* every marker_t and block_t allocated, freed at exit */
static block_t *blocks;
static const block_t *last_block; /* the block executed last (cycles mode) */
static unsigned refill = 2;       /* P */
static int out_of_memory;

static void tally_open(tally_t *t, uint64_t now) { t->start = now; }

static uint64_t tally_close(tally_t *t, uint64_t now)
{
    uint64_t n = now - t->start;
    t->sum += n;
    if (n < t->min)
        t->min = n;
    if (n > t->max)
        t->max = n;
    return n;
}

static void on_begin(unsigned int vcpu, void *udata)
{
    const marker_t *mk = udata;
    (void)vcpu;
    if (region_open)
        ++unpaired_begin;
    region_open = 1;
    tally_open(&insns, total - mk->insn_ahead);
    tally_open(&cyc, cycles - mk->cycles_ahead);
    taken_start = taken;
}

static void on_end(unsigned int vcpu, void *udata)
{
    const marker_t *mk = udata;
    (void)vcpu;
    if (!region_open) {
        ++unpaired_end;
        return;
    }
    region_open = 0;
    uint64_t n = tally_close(&insns, total - mk->insn_ahead);
    tally_close(&cyc, cycles - mk->cycles_ahead);
    taken_sum += taken - taken_start;
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

/* Cycles mode: a block starts; the one before it branched when this is not where it falls
 * through to. */
static void on_block(unsigned int vcpu, void *udata)
{
    const block_t *b = udata;
    (void)vcpu;
    if (last_block != NULL && last_block->ends_in_branch && b->start != last_block->fall_through) {
        cycles += refill;
        ++taken;
    }
    last_block = b;
}

/* Cycles of every instruction of tb (costs[i]), and the block record; 0 when out of memory. */
static int block_cycles(struct qemu_plugin_tb *tb, size_t n, unsigned *costs)
{
    insn_info_t prev = {0, 0, 0, 0, -1, 0};
    block_t *b = calloc(1, sizeof *b);
    if (b == NULL)
        return 0;
    for (size_t i = 0; i < n; ++i) {
        struct qemu_plugin_insn *insn = qemu_plugin_tb_get_insn(tb, i);
        char *dis = qemu_plugin_insn_disas(insn);
        insn_info_t cur = classify(model, dis ? dis : "");
        free(dis);
        costs[i] = pair_cost(model, i ? &prev : NULL, &cur);
        prev = cur;
        if (i == 0)
            b->start = qemu_plugin_insn_vaddr(insn);
        if (i + 1 == n) {
            b->fall_through = qemu_plugin_insn_vaddr(insn) + qemu_plugin_insn_size(insn);
            b->ends_in_branch = cur.branch;
        }
    }
    b->next = blocks;
    blocks = b;
    qemu_plugin_register_vcpu_tb_exec_cb(tb, on_block, QEMU_PLUGIN_CB_NO_REGS, b);
    return 1;
}

static void on_translate(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
    size_t n = qemu_plugin_tb_n_insns(tb);
    unsigned costs_fixed[64], *costs = n <= 64 ? costs_fixed : calloc(n, sizeof *costs);
    uint64_t block_sum = 0;
    (void)id;
    qemu_plugin_register_vcpu_tb_exec_inline(tb, QEMU_PLUGIN_INLINE_ADD_U64, &total, n);
    if (model != MODEL_NONE && n > 0) {
        if (costs == NULL || !block_cycles(tb, n, costs)) {
            out_of_memory = 1;
            model = MODEL_NONE; /* the cycles line reports the failure */
        } else {
            for (size_t i = 0; i < n; ++i)
                block_sum += costs[i];
            qemu_plugin_register_vcpu_tb_exec_inline(tb, QEMU_PLUGIN_INLINE_ADD_U64, &cycles,
                                                     block_sum);
        }
    }
    uint64_t cycles_ahead = block_sum;
    for (size_t i = 0; i < n; ++i) {
        struct qemu_plugin_insn *insn = qemu_plugin_tb_get_insn(tb, i);
        uint64_t pc = qemu_plugin_insn_vaddr(insn);
        if (pc == begin_pc || pc == end_pc) {
            marker_t *mk = calloc(1, sizeof *mk);
            if (mk == NULL) {
                out_of_memory = 1;
                continue;
            }
            mk->insn_ahead = n - i;
            mk->cycles_ahead = cycles_ahead;
            mk->next = markers;
            markers = mk;
            qemu_plugin_register_vcpu_insn_exec_cb(insn, pc == begin_pc ? on_begin : on_end,
                                                   QEMU_PLUGIN_CB_NO_REGS, mk);
        }
        if (model != MODEL_NONE)
            cycles_ahead -= costs[i];
    }
    if (costs != costs_fixed)
        free(costs);
}

static void on_exit_report(qemu_plugin_id_t id, void *userdata)
{
    char line[256];
    (void)id;
    (void)userdata;
    snprintf(line, sizeof line,
             "insncount: total=%" PRIu64 " regions=%zu region_sum=%" PRIu64 " region_min=%" PRIu64
             " region_max=%" PRIu64 "\n",
             total, n_regions, insns.sum, n_regions ? insns.min : 0, insns.max);
    qemu_plugin_outs(line);
    for (size_t i = 0; print_each && i < n_regions; ++i) {
        snprintf(line, sizeof line, "insncount: region %zu %" PRIu64 "\n", i + 1, regions[i]);
        qemu_plugin_outs(line);
    }
    if (model != MODEL_NONE) {
        snprintf(line, sizeof line,
                 "insncount: cycles model=%s total=%" PRIu64 " region_sum=%" PRIu64
                 " region_min=%" PRIu64 " region_max=%" PRIu64 " region_taken=%" PRIu64 "\n",
                 model_names[model], cycles, cyc.sum, n_regions ? cyc.min : 0, cyc.max, taken_sum);
        qemu_plugin_outs(line);
    }
    if (out_of_memory)
        qemu_plugin_outs("insncount: warning: out of memory: cycles and markers may be missing\n");
    if (unpaired_begin || unpaired_end || region_open) {
        snprintf(line, sizeof line,
                 "insncount: warning: unpaired markers: %zu begin without end, %zu end "
                 "without begin%s\n",
                 unpaired_begin + (size_t)region_open, unpaired_end,
                 region_open ? " (one still open at exit)" : "");
        qemu_plugin_outs(line);
    }
    free(regions);
    while (markers != NULL) {
        marker_t *next = markers->next;
        free(markers);
        markers = next;
    }
    while (blocks != NULL) {
        block_t *next = blocks->next;
        free(blocks);
        blocks = next;
    }
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
        else if (strncmp(a, "cycles=", 7) == 0) {
            model = MODEL_NONE;
            for (int k = MODEL_M4; k <= MODEL_M0PLUS; ++k)
                if (strcmp(a + 7, model_names[k]) == 0)
                    model = k;
            bad = model == MODEL_NONE;
            refill = model == MODEL_M0PLUS ? 1 : 2;
        } else
            bad = 1;
        if (bad) {
            fprintf(stderr,
                    "insncount: bad argument '%s' (expected begin=ADDR, end=ADDR, each=0|1, "
                    "cycles=m4|m33|m0plus)\n",
                    a);
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
