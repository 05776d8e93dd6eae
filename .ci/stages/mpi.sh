#!/bin/bash
# MPI: lln-mpi (cmake/mpi.cmake) under mpirun --oversubscribe on one machine.
# tests/cli_mpi.sh: lln-mpi train with (ranks, threads) = (1,4), (2,2), (4,1) bit-identical to
# lln --threads 4; a rank killed with SIGKILL gives a non-zero exit, mpirun's message naming it
# and a loadable checkpoint, and --resume under mpirun -np 2 ends on the uninterrupted model.
# tests/cli_search.sh: lln search within 2 KB RAM and 1 mW at 100 Hz on nRF52840 on one
# process, verified and profiled; the same search under mpirun -np 2 killed midway and
# continued under mpirun -np 3, redoing nothing and choosing the same model. Budget: 4 minutes.
# shellcheck source=.ci/lib.sh
. "$(dirname "$0")/../lib.sh"
ci_begin mpi
ci_need mpirun openmpi-bin
ci_need arm-none-eabi-gcc gcc-arm-none-eabi
ci_need qemu-system-arm qemu-system-arm
# The build stage's gcc Release tree (same options: then only what changed is rebuilt; run
# alone, this stage builds it).
b="$CI_OUT/build-gcc-Release"
ci_run mpi-configure cmake -S . -B "$b" -DCMAKE_C_COMPILER=gcc -DCMAKE_BUILD_TYPE=Release \
    -DLLN_WERROR=ON -DLLN_SHARED_DIR="$CI_SHARED" || ci_end FAIL "configure failed"
grep -q 'building lln-mpi' "$CI_OUT/logs/mpi-configure.log" ||
    ci_end FAIL "CMake did not find MPI (install libopenmpi-dev)"
ci_run mpi-build cmake --build "$b" -j "$CI_JOBS" --target lln lln-mpi || ci_end FAIL "build failed"
fail=""
echo "--- lln-mpi train (tests/cli_mpi.sh)"
ci_run mpi-train bash tests/cli_mpi.sh "$b/lln" || fail="$fail train"
grep -E 'SKIP|passed|failure' "$CI_OUT/logs/mpi-train.log"
echo "--- lln search: one process, then killed under mpirun -np 2 and continued under -np 3 (tests/cli_search.sh)"
ci_run mpi-search bash tests/cli_search.sh "$b/lln" || fail="$fail search"
grep -E 'SKIP|passed|failure' "$CI_OUT/logs/mpi-search.log"
grep -q SKIP "$CI_OUT/logs/mpi-train.log" "$CI_OUT/logs/mpi-search.log" && fail="$fail skipped"
[ -z "$fail" ] && ci_end PASS "train bit-identical over (1,4) (2,2) (4,1), kill + resume; search -np 1, 2 killed, 3"
ci_end FAIL "failed:$fail"
