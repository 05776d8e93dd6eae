/* trap_riscv.c - fault handler for the rv32 targets of sim/ (QEMU virt, picolibc).
 *
 * picolibc's crt0 (--crt0=semihost) does the rest of the start-up: stack, .data,
 * .bss, TLS, constructors, exit(main()) through semihosting.  Its own trap handler
 * ends with status 1, which a test cannot tell from a failing program; this one
 * prints the cause and the faulting pc through semihosting and ends QEMU with
 * status SIM_FAULT_STATUS (99), as startup_cortexm.c does on Arm.  It is installed
 * by a constructor, which runs after crt0 has set up its own handler. */
#include <semihost.h>
#include <stdint.h>

/* QEMU's exit status when the guest takes a fault. */
#define SIM_FAULT_STATUS 99

/* CSR instructions are extension Zicsr, which binutils 2.40 wants named although
 * -march=rv32imc (GCC 12's default ISA spec) implies it; naming it in -march would
 * change the picolibc multilib, so it is enabled around each instruction. */
#define SIM_ZICSR(insn) ".option push\n\t.option arch, +zicsr\n\t" insn "\n\t.option pop"

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

/* Machine-mode trap entry (mtvec direct mode: 4-byte aligned).  Never returns, so
 * no registers need saving. */
__attribute__((aligned(4), noreturn, used)) static void sim_trap(void)
{
    uint32_t cause, epc, tval;
    __asm__ volatile(SIM_ZICSR("csrr %0, mcause") : "=r"(cause));
    __asm__ volatile(SIM_ZICSR("csrr %0, mepc") : "=r"(epc));
    __asm__ volatile(SIM_ZICSR("csrr %0, mtval") : "=r"(tval));
    char line[96];
    char *p = sim_put_str(line, "*** fault: mcause=");
    p = sim_put_hex(p, cause);
    p = sim_put_str(p, " pc=");
    p = sim_put_hex(p, epc);
    p = sim_put_str(p, " mtval=");
    p = sim_put_hex(p, tval);
    p = sim_put_str(p, "\n");
    *p = '\0';
    sys_semihost_write0(line);
    sys_semihost_exit_extended(SIM_FAULT_STATUS);
}

__attribute__((constructor)) static void sim_install_trap(void)
{
    __asm__ volatile(SIM_ZICSR("csrw mtvec, %0") : : "r"(sim_trap));
}
