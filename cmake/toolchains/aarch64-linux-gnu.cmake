# 64-bit Arm Linux (Raspberry Pi 4/5, Jetson, i.MX 8): Debian gcc-aarch64-linux-gnu,
# libc6-dev-arm64-cross, qemu-user. Usage:
#   scripts/cross_sysroot.sh arm64
#   cmake -S . -B build-aarch64 --toolchain cmake/toolchains/aarch64-linux-gnu.cmake
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(LLN_CROSS_TRIPLE aarch64-linux-gnu)
set(LLN_CROSS_DEBARCH arm64)
set(LLN_CROSS_QEMU qemu-aarch64)
include(${CMAKE_CURRENT_LIST_DIR}/linux-cross.cmake)
