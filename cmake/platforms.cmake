# Per-platform adjustments of the build (docs/DESIGN.md, "Platforms"). Included from the top
# CMakeLists.txt after the library's source list is known.

# GCC 12 for aarch64 (Debian bookworm's gcc-aarch64-linux-gnu 12.2) crashes (internal compiler
# error in vect_transform_reduction) vectorising fmax() reductions at -O3 (src/quant_image.c,
# tests/test_baselines.c). With -fno-builtin-fmax, fmax stays a libm call (same result, IEEE
# fmax) and the loops around it are left scalar; everything else is vectorised as usual.
# GCC 13 and later are not affected.
if(CMAKE_C_COMPILER_ID STREQUAL "GNU" AND CMAKE_C_COMPILER_VERSION VERSION_LESS 13
   AND CMAKE_SYSTEM_PROCESSOR MATCHES "^(aarch64|arm64)$")
  add_compile_options(-fno-builtin-fmax)
endif()

# Windows (mingw-w64): C99 printf formats (%zu, %lld) from mingw's own stdio rather than the
# system msvcrt, whose printf does not know them.
if(WIN32)
  add_compile_definitions(__USE_MINGW_ANSI_STDIO=1)
endif()
