#!/bin/bash
# 64-bit Arm Linux: cross build (Debian gcc-aarch64-linux-gnu) whose unit tests and golden
# parity run under qemu-aarch64 (qemu-user); the float32 kernels use NEON there
# (src/common/mathfn.h).
# shellcheck source=.ci/cross.sh
. "$(dirname "$0")/../cross.sh"
ci_begin aarch64
ci_need aarch64-linux-gnu-gcc gcc-aarch64-linux-gnu
ci_need qemu-aarch64 qemu-user
ci_cross aarch64 aarch64-linux-gnu arm64
