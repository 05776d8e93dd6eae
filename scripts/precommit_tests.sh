#!/bin/bash
# The fast test tier for pre-commit: builds and runs `make test` (unit, CLI, golden parity;
# about 10 s) in its own build folder, so the developer's build/ is left alone. Tests that need
# ../shared skip loudly when it is absent.
# Usage: scripts/precommit_tests.sh [BUILD_DIR]     (default: build-precommit/tests)
#   Runs on the tree in the current directory; SHARED=DIR overrides the reference material.
set -uo pipefail
build=${1:-build-precommit/tests}
log=$(mktemp)
trap 'rm -f "$log"' EXIT
if make --no-print-directory test BUILD="$build" JOBS="${JOBS:-2}" >"$log" 2>&1; then
    grep -E 'tests passed|SKIP' "$log" | tail -n 5
    exit 0
fi
tail -n 60 "$log"
echo "fast tests failed (full log above; rerun: make test BUILD=$build)"
exit 1
