/* lln_prof.h - region markers for instruction counting under QEMU (sim/insncount.c).
 *
 * Firmware calls lln_prof_begin() before and lln_prof_end() after each measured
 * step; sim/run.sh (COUNT=1) finds both with nm and the plugin counts the
 * instructions executed from entering lln_prof_begin to entering lln_prof_end.
 * The count therefore includes a small constant overhead: lln_prof_begin's body
 * and return, and the call into lln_prof_end: 6 instructions on every target of
 * sim/ with GCC 12 -O2 (measure it with an empty begin/end pair).  On a real board the markers cost those few instructions and do
 * nothing else.  Link sim/lln_prof.c, or define both functions in main.c the same
 * way: never inlined, and with different bodies (GCC's identical-code folding at
 * -O2 would otherwise merge them into one address). */
#ifndef LLN_PROF_H
#define LLN_PROF_H

void lln_prof_begin(void);
void lln_prof_end(void);

#endif
