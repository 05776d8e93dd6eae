/* Ends the kernel templates (template.h): their parameters and the name mangling stop here,
 * so nothing after them can use a template's macro by accident. */
#undef T_
#undef T_CAT
#undef T_CAT2
#undef REAL
#undef SFX
#undef EXP
#undef TANH
#undef SIGMOID
#undef ERF
#undef FMA
#undef SYN_SIG
#undef K_VSIG
#undef LTC_FOLD
#undef RECIP_DT
