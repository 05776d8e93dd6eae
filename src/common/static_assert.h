/* A compile-time check for C99 (no _Static_assert): a negative array size when cond is false.
 * NAME makes the typedef unique and shows in the compiler's message. */
#ifndef LLN_COMMON_STATIC_ASSERT_H
#define LLN_COMMON_STATIC_ASSERT_H

#define LLN__STATIC_ASSERT(cond, name) typedef char lln__static_assert_##name[(cond) ? 1 : -1]

#endif
