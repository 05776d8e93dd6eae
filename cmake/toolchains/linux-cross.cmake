# Shared part of the Linux cross toolchain files (aarch64-linux-gnu.cmake, s390x-linux-gnu.cmake):
# Debian's cross gcc (gcc-TRIPLE) and C library (libc6-dev-ARCH-cross), zlib and cJSON unpacked
# by scripts/cross_sysroot.sh ARCH into LLN_CROSS_SYSROOT, and the tests run under qemu-user.
# The includer sets LLN_CROSS_TRIPLE, LLN_CROSS_DEBARCH, LLN_CROSS_QEMU and CMAKE_SYSTEM_PROCESSOR.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_C_COMPILER ${LLN_CROSS_TRIPLE}-gcc)
set(LLN_CROSS_SYSROOT /opt/lln-cross/${LLN_CROSS_DEBARCH} CACHE PATH
  "zlib and cJSON for ${LLN_CROSS_TRIPLE} (scripts/cross_sysroot.sh ${LLN_CROSS_DEBARCH})")
if(NOT EXISTS ${LLN_CROSS_SYSROOT}/usr/include/zlib.h)
  message(FATAL_ERROR "no zlib for ${LLN_CROSS_TRIPLE} in ${LLN_CROSS_SYSROOT}: run "
    "scripts/cross_sysroot.sh ${LLN_CROSS_DEBARCH} (as root), or set LLN_CROSS_SYSROOT")
endif()
set(CMAKE_FIND_ROOT_PATH ${LLN_CROSS_SYSROOT} /usr/${LLN_CROSS_TRIPLE})
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
set(lib ${LLN_CROSS_SYSROOT}/usr/lib/${LLN_CROSS_TRIPLE})
# zlib linked statically: the tests then need no foreign libz.so at run time.
set(ZLIB_INCLUDE_DIR ${LLN_CROSS_SYSROOT}/usr/include CACHE PATH "")
set(ZLIB_LIBRARY ${lib}/libz.a CACHE FILEPATH "")
set(ENV{PKG_CONFIG_LIBDIR} ${lib}/pkgconfig)
set(ENV{PKG_CONFIG_SYSROOT_DIR} ${LLN_CROSS_SYSROOT})
# ctest runs every test program (and lln_golden) through qemu-user with the cross C library;
# the guest's dynamic loader finds libcjson.so.1 (the CLI's) in the sysroot. The cross C
# library's directory comes first: on a host that also has Debian's multiarch libc6:ARCH in
# /lib/TRIPLE, the loader would otherwise pair the cross ld.so with that other libc.so.6 build,
# and the first pthread_create() hangs.
set(CMAKE_CROSSCOMPILING_EMULATOR ${LLN_CROSS_QEMU} -L /usr/${LLN_CROSS_TRIPLE}
  -E LD_LIBRARY_PATH=/usr/${LLN_CROSS_TRIPLE}/lib:${lib})
