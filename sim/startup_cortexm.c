/* startup_cortexm.c - start-up code for the Cortex-M targets of sim/ (QEMU boards).
 *
 * Vector table; Reset_Handler (FPU/MVE access when built for one, .data copy, .bss
 * clear, newlib's semihosting console, exit(main())); and one handler for every
 * other exception, which prints the exception and the faulting pc through
 * semihosting and ends QEMU with status SIM_FAULT_STATUS, so a crash fails a test at
 * once instead of hanging until the timeout.
 *
 * ARMv6-M (M0) to ARMv8.1-M (M55); on M33/M55 the code runs in the Secure state.
 * The symbols come from sim/ld/cortexm-common.ld.  Linked with -nostartfiles
 * --specs=nano.specs --specs=rdimon.specs: newlib's exit() ends QEMU with the status
 * through semihosting (SYS_EXIT_EXTENDED).  No C++ constructors are run. */
#include <stdint.h>
#include <stdlib.h>

/* QEMU's exit status when the guest takes a fault. */
#define SIM_FAULT_STATUS 99

/* Linker-script symbols: addresses only, never read as objects. */
extern uint32_t __stack_top[];
extern uint32_t __ram_start[];
extern const uint32_t __data_lma[];
extern uint32_t __data_start[];
extern uint32_t __data_end[];
extern uint32_t __bss_start[];
extern uint32_t __bss_end[];

int main(void);
void initialise_monitor_handles(void); /* newlib librdimon */
void Reset_Handler(void);
void sim_fault_entry(void);
void sim_fault_report(const uint32_t *frame, uint32_t ipsr);

/* Semihosting operations (Arm "Semihosting for AArch32 and AArch64", v2.0). */
#define SH_SYS_WRITE0 0x04u
#define SH_SYS_EXIT 0x18u
#define SH_SYS_EXIT_EXTENDED 0x20u
#define SH_ADP_STOPPED_APPLICATION_EXIT 0x20026u

/* M-profile semihosting trap: BKPT 0xAB, operation in r0, argument in r1. */
static uint32_t sim_semihost(uint32_t op, const void *arg)
{
    register uint32_t r0 __asm__("r0") = op;
    register const void *r1 __asm__("r1") = arg;
    __asm__ volatile("bkpt 0xab" : "+r"(r0) : "r"(r1) : "memory");
    return r0;
}

static void sim_exit(uint32_t status)
{
    const uint32_t block[2] = {SH_ADP_STOPPED_APPLICATION_EXIT, status};
    sim_semihost(SH_SYS_EXIT_EXTENDED, block);
    /* A host without SYS_EXIT_EXTENDED: plain exit (status lost, QEMU says 0 or 1). */
    sim_semihost(SH_SYS_EXIT, (const void *)(uintptr_t)SH_ADP_STOPPED_APPLICATION_EXIT);
    for (;;) {
    }
}

void Reset_Handler(void)
{
#if defined(__ARM_FP) || defined(__ARM_FEATURE_MVE)
    /* CPACR (0xE000ED88): full access to CP10/CP11 (FPU and MVE) before the first
     * FP instruction; without it the first one is a UsageFault (NOCP). */
    *(volatile uint32_t *)0xE000ED88u |= 0xFu << 20;
    __asm__ volatile("dsb\n\tisb" ::: "memory");
#endif
    const uint32_t *src = __data_lma;
    for (uint32_t *dst = __data_start; dst < __data_end; ++dst)
        *dst = *src++;
    for (uint32_t *dst = __bss_start; dst < __bss_end; ++dst)
        *dst = 0;
    initialise_monitor_handles();
    exit(main());
}

/* Exception entry: hand the exception frame (on the main stack: nothing here uses
 * the process stack) and IPSR to the C report.  Naked, so that MSP still points at
 * the frame; ldr/bx rather than b because ARMv6-M's b reaches only +-2 KiB. */
__attribute__((naked)) void sim_fault_entry(void)
{
    __asm__ volatile("mrs r0, msp\n\t"
                     "mrs r1, ipsr\n\t"
                     "ldr r2, =sim_fault_report\n\t"
                     "bx r2\n\t"
                     ".ltorg");
}

static char *sim_put_str(char *p, const char *s)
{
    while (*s)
        *p++ = *s++;
    return p;
}

static char *sim_put_hex(char *p, uint32_t v)
{
    static const char digits[] = "0123456789abcdef";
    p = sim_put_str(p, "0x");
    for (int shift = 28; shift >= 0; shift -= 4)
        *p++ = digits[(v >> shift) & 0xFu];
    return p;
}

static char *sim_put_dec(char *p, uint32_t v)
{
    char digits[10];
    int n = 0;
    do {
        digits[n++] = (char)('0' + v % 10u);
        v /= 10u;
    } while (v);
    while (n)
        *p++ = digits[--n];
    return p;
}

void sim_fault_report(const uint32_t *frame, uint32_t ipsr)
{
    static const char *const names[16] = {
        "?", "Reset", "NMI", "HardFault", "MemManage", "BusFault", "UsageFault", "SecureFault",
        "?", "?",     "?",   "SVCall",    "DebugMon",  "?",        "PendSV",     "SysTick"};
    char line[128];
    uint32_t exc = ipsr & 0x1FFu;
    char *p = sim_put_str(line, "*** fault: ");
    p = sim_put_str(p, exc < 16 ? names[exc] : "IRQ");
    p = sim_put_str(p, " (exception ");
    p = sim_put_dec(p, exc);
    p = sim_put_str(p, ")");
    /* The frame is r0-r3, r12, lr, pc, xPSR; read it only if it lies in RAM (a
     * stack overflow would fault again here). */
    if (frame >= __ram_start && frame + 8 <= __stack_top) {
        p = sim_put_str(p, " pc=");
        p = sim_put_hex(p, frame[6]);
        p = sim_put_str(p, " lr=");
        p = sim_put_hex(p, frame[5]);
    }
    p = sim_put_str(p, "\n");
    *p = '\0';
    sim_semihost(SH_SYS_WRITE0, line);
    sim_exit(SIM_FAULT_STATUS);
}

/* Vector table: initial stack pointer, then exceptions 1-15.  External interrupts
 * are never enabled, so none are listed. */
typedef void (*sim_handler_t)(void);
struct sim_vector_table {
    uint32_t *initial_sp;
    sim_handler_t handler[15];
};

__attribute__((section(".vectors"), used)) static const struct sim_vector_table sim_vectors = {
    __stack_top,
    {
        Reset_Handler,   /* 1 Reset */
        sim_fault_entry, /* 2 NMI */
        sim_fault_entry, /* 3 HardFault */
        sim_fault_entry, /* 4 MemManage (v7-M/v8-M) */
        sim_fault_entry, /* 5 BusFault */
        sim_fault_entry, /* 6 UsageFault */
        sim_fault_entry, /* 7 SecureFault (v8-M) */
        0,               /* 8 reserved */
        0,               /* 9 reserved */
        0,               /* 10 reserved */
        sim_fault_entry, /* 11 SVCall */
        sim_fault_entry, /* 12 DebugMonitor */
        0,               /* 13 reserved */
        sim_fault_entry, /* 14 PendSV */
        sim_fault_entry, /* 15 SysTick */
    },
};
