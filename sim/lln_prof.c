/* lln_prof.c - the region markers of lln_prof.h. */
#include <stdint.h>

#include "lln_prof.h"

#if defined(__GNUC__)
#define LLN_PROF_NOINLINE __attribute__((noinline))
#else
#define LLN_PROF_NOINLINE
#endif

/* Written only so that the two bodies differ and the calls have an effect the
 * compiler must keep; never read. */
volatile uint32_t lln_prof_marks;

LLN_PROF_NOINLINE void lln_prof_begin(void) { lln_prof_marks += 1u; }

LLN_PROF_NOINLINE void lln_prof_end(void) { lln_prof_marks += 2u; }
