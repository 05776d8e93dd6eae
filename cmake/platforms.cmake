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
# GCC's format(printf) attribute means msvcrt's printf on mingw-w64 and flags %zu as unknown,
# though the library's formatting goes through mingw's C99 stdio (above): format checking
# stays with the Linux builds.
if(MINGW)
  add_compile_options(-Wno-format)
endif()

# Called after the unit tests are defined: on Windows they get tests/win_compat.h (mkdtemp, mkdir).
function(lln_platform_tests)
  if(WIN32)
    file(GLOB tests CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/tests/test_*.c)
    foreach(src ${tests})
      get_filename_component(name ${src} NAME_WE)
      if(TARGET ${name})
        target_compile_options(${name} PRIVATE -include ${CMAKE_SOURCE_DIR}/tests/win_compat.h)
      endif()
    endforeach()
  endif()
endfunction()
