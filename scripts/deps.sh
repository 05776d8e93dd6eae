#!/bin/sh
# Installs (as root, with apt-get) or names (otherwise) what building and testing needs.
# Usage: scripts/deps.sh [build|sim|ci]   build: compiler, cmake, pkg-config, zlib, cJSON (the
# JSON results of lln report / plot), MuJoCo (the robot tasks of lln sim); ci: also clang, gcovr, valgrind (the sanitizer and
# coverage stages of .ci/run), chromium (renders lln report's page in tests/cli_report.sh)
# and rsvg-convert (lln plot's PNG files), Open MPI (lln-mpi and the mpi stage), what the
# Python package's stage needs (python3-dev, numpy, torch for the ncps parity tests,
# build/setuptools/wheel/venv, pytest, black, mypy, bandit, twine), and Cyclone DDS,
# libmicrohttpd, Prometheus and curl for the ROS 2 node lln-ros2 and its stage.
# sim: also the cross compilers, C libraries and QEMU of sim/ (Cortex-M, RV32); ci includes sim.
set -eu
level=${1:-build}
pkgs=""
need() { # need COMMAND-OR-FILE PACKAGE
    case "$1" in
    /*) [ -e "$1" ] || pkgs="$pkgs $2" ;;
    *) command -v "$1" >/dev/null 2>&1 || pkgs="$pkgs $2" ;;
    esac
}
need cc gcc
need make make
need cmake cmake
need /usr/include/zlib.h zlib1g-dev
need pkg-config pkgconf
need /usr/include/cjson/cJSON.h libcjson-dev
need awk mawk
need /usr/include/mujoco/mujoco.h libmujoco-dev # lln sim's physics (optional in CMake; make demo uses it)
if [ "$level" = ci ]; then
    need clang clang
    need gcovr gcovr
    need valgrind valgrind
    need /usr/lib/llvm-14/lib/clang/14.0.6/lib/linux/libclang_rt.fuzzer-x86_64.a libclang-rt-14-dev
    need /usr/lib/llvm-14/bin/llvm-symbolizer llvm-14
    need git git
    need clang-format clang-format
    need shellcheck shellcheck
    need cppcheck cppcheck
    need flawfinder flawfinder
    need clang-tidy clang-tidy
    need doxygen doxygen
    need python3 python3
    need chromium chromium
    need rsvg-convert librsvg2-bin
    need man man-db
    need groff groff-base
    need mandoc mandoc
    need readelf binutils
    # the Python package (stage python; black, mypy and bandit in lint and security)
    need /usr/include/python3*/Python.h python3-dev
    need /usr/lib/python3/dist-packages/numpy/__init__.py python3-numpy
    need /usr/lib/python3/dist-packages/torch/__init__.py python3-torch
    need /usr/lib/python3/dist-packages/build/__init__.py python3-build
    need /usr/lib/python3/dist-packages/setuptools/__init__.py python3-setuptools
    need /usr/lib/python3/dist-packages/wheel/__init__.py python3-wheel
    need /usr/lib/python3/dist-packages/pytest/__init__.py python3-pytest
    need /usr/share/doc/python3-venv python3-venv
    need black black
    need mypy mypy
    need bandit bandit
    need twine twine
    # the ROS 2 node (lln-ros2) and its CI stage: Cyclone DDS, idlc, /metrics, Prometheus
    need /usr/include/dds/dds.h cyclonedds-dev
    need idlc cyclonedds-tools
    need /usr/include/microhttpd.h libmicrohttpd-dev
    need prometheus prometheus
    need curl curl
    need mpirun openmpi-bin # lln-mpi (cmake/mpi.cmake) and the mpi stage
    need /usr/lib/x86_64-linux-gnu/openmpi/include/mpi.h libopenmpi-dev
fi
if [ "$level" = sim ] || [ "$level" = ci ]; then
    need arm-none-eabi-gcc gcc-arm-none-eabi
    need /usr/lib/arm-none-eabi/newlib/libc_nano.a libnewlib-arm-none-eabi
    need qemu-system-arm qemu-system-arm
    need riscv64-unknown-elf-gcc gcc-riscv64-unknown-elf
    need /usr/lib/picolibc/riscv64-unknown-elf/picolibc.specs picolibc-riscv64-unknown-elf
    need qemu-system-riscv32 qemu-system-misc
fi
[ -z "$pkgs" ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing:$pkgs"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    # shellcheck disable=SC2086 # word splitting of the package list is intended
    apt-get install -y -qq --no-install-recommends $pkgs
else
    echo "missing:$pkgs" >&2
    echo "install them with:  sudo apt-get install -y$pkgs" >&2
    exit 1
fi
