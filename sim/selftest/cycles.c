/* cycles.c - a firmware image with known instruction sequences between the profiling markers,
 * for the cycle estimate of sim/insncount.c (tests/cli_cycles.sh states the expected counts
 * and how they follow from Arm's timing tables). Two regions: seq_empty (the markers alone)
 * and seq_body (the same plus the sequence), so the difference of the two is the sequence
 * alone. The sequences are Thumb assembly, so the counts do not depend on the compiler. */
#include <stdint.h>
#include <stdio.h>

#include "lln_prof.h"

void seq_empty(uint32_t *buf);
void seq_body(uint32_t *buf);

/* seq_empty: the frame of seq_body without the sequence. */
__asm__(".syntax unified\n"
        ".thumb\n"
        ".text\n"
        ".global seq_empty\n"
        ".type seq_empty, %function\n"
        ".thumb_func\n"
        "seq_empty:\n"
        "  push {r4, r5, r6, lr}\n"
        "  mov r6, r0\n"
        "  bl lln_prof_begin\n"
        "  mov r0, r6\n"
        "  bl lln_prof_end\n"
        "  pop {r4, r5, r6, pc}\n"
        ".size seq_empty, . - seq_empty\n"
        ".global seq_body\n"
        ".type seq_body, %function\n"
        ".thumb_func\n"
        "seq_body:\n"
        "  push {r4, r5, r6, lr}\n"
        "  mov r6, r0\n"
        "  bl lln_prof_begin\n"
        "  mov r0, r6\n"
#if defined(__ARM_ARCH_7EM__) || defined(__ARM_ARCH_8M_MAIN__)
        "  ldr r2, [r0]\n"             /* address from the mov before: 2 + 1 */
        "  ldr r3, [r0, #4]\n"         /* pipelined behind an LDR: 1 */
        "  ldm r0, {r2, r3, r4, r5}\n" /* 1 + 4 */
        "  smlad r2, r2, r3, r4\n"     /* 1 */
        "  adds r1, r0, #8\n"          /* 1 */
        "  ldr r4, [r1]\n"             /* address from the adds before: 2 + 1 */
        "  str r4, [r0, #8]\n"         /* immediate offset: 1 */
        "  cmp r0, r0\n"               /* 1 */
        "  bne 3f\n"                   /* not taken: 1 */
        "  b 2f\n"                     /* taken: 1 + P (2) */
        "  nop\n"                      /* skipped */
        "2:\n"
        "  push {r4, r5}\n" /* 1 + 2 */
        "  pop {r4, r5}\n"  /* 1 + 2 */
#else
        "  ldr r2, [r0]\n"     /* 2 */
        "  ldr r3, [r0, #4]\n" /* 2 (no pipelining on Cortex-M0+) */
        "  muls r2, r3, r2\n"  /* 1 */
        "  adds r2, r2, r3\n"  /* 1 */
        "  str r2, [r0, #8]\n" /* 2 */
        "  cmp r0, r0\n"       /* 1 */
        "  bne 3f\n"           /* not taken: 1 */
        "  b 2f\n"             /* taken: 2 */
        "  nop\n"              /* skipped */
        "2:\n"
        "  push {r4, r5}\n" /* 1 + 2 */
        "  pop {r4, r5}\n"  /* 1 + 2 */
#endif
        "3:\n"
        "  bl lln_prof_end\n"
        "  pop {r4, r5, r6, pc}\n"
        ".size seq_body, . - seq_body\n");

int main(void)
{
    static uint32_t buf[4] = {0x00010002u, 0x00030004u, 5u, 6u};
    seq_empty(buf);
    seq_body(buf);
    printf("cycles selftest done\n");
    return 0;
}
