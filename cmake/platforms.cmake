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

# Called after the unit tests are defined: on Windows they get tests/win_compat.h (mkdtemp,
# mkdir); with run-time dispatch, the golden parity and the kernel tests run once per forced
# variant (LLN_ISA), so every variant is tested on a machine that has them all.
function(lln_platform_tests)
  if(LLN_ISA_DISPATCH)
    foreach(isa sse2 avx2 avx512)
      add_test(NAME golden_parity_${isa} COMMAND lln_golden ${LLN_SHARED_DIR}/golden)
      set_tests_properties(golden_parity_${isa} PROPERTIES ENVIRONMENT LLN_ISA=${isa}
        SKIP_RETURN_CODE 77 TIMEOUT 600)
      foreach(t test_model test_grad test_train)
        add_test(NAME ${t}_${isa} COMMAND ${t})
        set_tests_properties(${t}_${isa} PROPERTIES ENVIRONMENT LLN_ISA=${isa}
          SKIP_RETURN_CODE 77 TIMEOUT 600)
      endforeach()
    endforeach()
  endif()
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

# Run-time ISA dispatch of the float32 kernels on x86-64 (src/core/kernels_dispatch.c): the
# portable build (what a distribution or a wheel ships) carries the kernels for the SSE2
# baseline, AVX2 + FMA (x86-64-v3) and AVX-512 (x86-64-v4) and picks one by cpuid. Not with
# LLN_NATIVE (that build is tuned for one machine), not with MSVC (no -march).
# Windows (mingw-w64): the 64-bit Windows ABI keeps the stack 16-byte aligned only and GCC
# cannot realign it there (GCC bug 54412), so an aligned AVX move (vmovaps/vmovdqa) of a
# 32- or 64-byte stack slot may fault. Debian's mingw-w64 GCC 12 emits none in these two
# files (objdump, -O0 and -O3); the assembler option -muse-unaligned-vector-move (binutils
# >= 2.38) keeps it so for any compiler: every aligned vector move is encoded as its
# unaligned twin, which does not fault and is as fast on aligned data (same results).
if(CMAKE_SYSTEM_PROCESSOR MATCHES "^(x86_64|AMD64|amd64)$" AND NOT LLN_NATIVE
   AND CMAKE_C_COMPILER_ID MATCHES "GNU|Clang")
  set(LLN_ISA_DISPATCH ON)
  set(k ${CMAKE_SOURCE_DIR}/src/core)
  set(unaligned "")
  if(MINGW)
    set(unaligned -Wa,-muse-unaligned-vector-move)
  endif()
  set_source_files_properties(${k}/kernels_f32.c PROPERTIES COMPILE_DEFINITIONS LLN_KERNEL_ISA=base)
  set_source_files_properties(${k}/kernels_f32_avx2.c PROPERTIES
    COMPILE_OPTIONS "-march=x86-64-v3;${unaligned}")
  set_source_files_properties(${k}/kernels_f32_avx512.c PROPERTIES
    COMPILE_OPTIONS "-march=x86-64-v4;${unaligned}")
  add_compile_definitions(LLN_ISA_DISPATCH)
  message(STATUS "float32 kernels: sse2, avx2 and avx512, chosen at run time (LLN_ISA)")
else()
  set(LLN_ISA_DISPATCH OFF)
endif()
