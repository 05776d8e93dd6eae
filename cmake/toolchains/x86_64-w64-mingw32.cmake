# 64-bit Windows: Debian's mingw-w64 cross gcc and libz-mingw-w64-dev; ctest runs the test
# programs and lln_golden under wine64 (Debian wine64; a private WINEPREFIX in the build
# folder). Usage:
#   cmake -S . -B build-windows --toolchain cmake/toolchains/x86_64-w64-mingw32.cmake
# The library, its unit tests, lln_golden and the lln CLI (through its Windows layer
# cli/port/os_win32.c; without the commands that need cJSON, which Debian does not build for
# mingw-w64: cmake/cli_port.cmake, docs/DESIGN.md "Platforms").
set(CMAKE_SYSTEM_NAME Windows)
set(CMAKE_SYSTEM_PROCESSOR x86_64)
set(CMAKE_C_COMPILER x86_64-w64-mingw32-gcc)
set(CMAKE_RC_COMPILER x86_64-w64-mingw32-windres)
set(CMAKE_FIND_ROOT_PATH /usr/x86_64-w64-mingw32)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
# zlib and the winpthreads/libgcc runtimes linked statically: the .exe files and liblln.dll
# (which lln.exe uses, found beside it) then need no other DLLs copied beside them.
set(ZLIB_INCLUDE_DIR /usr/x86_64-w64-mingw32/include CACHE PATH "")
set(ZLIB_LIBRARY /usr/x86_64-w64-mingw32/lib/libz.a CACHE FILEPATH "")
set(CMAKE_EXE_LINKER_FLAGS_INIT "-static")
set(CMAKE_SHARED_LINKER_FLAGS_INIT "-static")
# pkg-config looks at mingw-w64 packages only, never at the host's Linux ones.
set(ENV{PKG_CONFIG_LIBDIR} /usr/x86_64-w64-mingw32/lib/pkgconfig)
find_program(LLN_WINE NAMES wine64 wine PATHS /usr/lib/wine NO_CMAKE_FIND_ROOT_PATH)
if(LLN_WINE)
  set(CMAKE_CROSSCOMPILING_EMULATOR ${CMAKE_COMMAND} -E env WINEDEBUG=-all
    WINEPREFIX=${CMAKE_BINARY_DIR}/wineprefix ${LLN_WINE})
endif()
