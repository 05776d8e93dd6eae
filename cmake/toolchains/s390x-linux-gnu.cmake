# Big-endian 64-bit Linux (IBM Z): the endianness test platform. Debian gcc-s390x-linux-gnu,
# libc6-dev-s390x-cross, qemu-user. Usage:
#   scripts/cross_sysroot.sh s390x
#   cmake -S . -B build-s390x --toolchain cmake/toolchains/s390x-linux-gnu.cmake
set(CMAKE_SYSTEM_PROCESSOR s390x)
set(LLN_CROSS_TRIPLE s390x-linux-gnu)
set(LLN_CROSS_DEBARCH s390x)
set(LLN_CROSS_QEMU qemu-s390x)
include(${CMAKE_CURRENT_LIST_DIR}/linux-cross.cmake)
